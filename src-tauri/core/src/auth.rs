//! Signing in, locking, passwords, PINs and the recovery code.
//!
//! Passwords, PINs and the recovery code are stored only as Argon2id hashes (19 MiB,
//! 2 passes: OWASP's minimum). Wrong attempts are counted per typed user name; from the
//! third in a row each further attempt must wait (5 s, doubling, at most 5 minutes), and
//! every failure is audited.
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::{Actor, Ctx, Role};
use crate::error::{Error, Result};
use crate::{settings, staff, text};

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PIN_FAILURES: u32 = 5;
const RECOVERY_KEY: &str = "#recovery";

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(Params::DEFAULT_M_COST, Params::DEFAULT_T_COST, 1, None)
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2 parameters: {e}"))))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// An Argon2id PHC string for a secret.
pub fn hash_secret(secret: &str) -> Result<String> {
    let h = hasher()?
        .hash_password(secret.as_bytes())
        .map_err(|e| Error::Io(std::io::Error::other(format!("hashing failed: {e}"))))?;
    Ok(h.to_string())
}

/// Checks a secret against a stored hash. A malformed hash never matches.
pub fn verify_secret(secret: &str, stored: &str) -> bool {
    match (PasswordHash::new(stored), hasher()) {
        (Ok(parsed), Ok(h)) => h.verify_password(secret.as_bytes(), &parsed).is_ok(),
        _ => false,
    }
}

/// A hash of nothing, checked when the user name is unknown so that the answer takes as
/// long as for a real account.
pub(crate) fn dummy_check(secret: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash_secret("no such account").unwrap_or_default());
    let _ = verify_secret(secret, stored);
}

pub fn check_password_rules(password: &str, username: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::invalid(
            "password_too_short",
            "password",
            format!("The password must have at least {MIN_PASSWORD} characters."),
        )
        .with("min", MIN_PASSWORD));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(Error::invalid(
            "password_is_username",
            "password",
            "The password must not be the same as the username.",
        ));
    }
    Ok(())
}

fn check_pin_rules(pin: &str) -> Result<()> {
    if !(6..=12).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("pin_invalid", "pin", "The PIN must be 6 to 12 digits."));
    }
    if pin.chars().all(|c| pin.starts_with(c)) || "0123456789012".contains(pin) || "9876543210987".contains(pin) {
        return Err(Error::invalid(
            "pin_too_simple",
            "pin",
            "That PIN is too easy to guess. Avoid repeated or consecutive digits.",
        ));
    }
    Ok(())
}

pub fn check_username(username: &str) -> Result<String> {
    let u = username.trim().to_lowercase();
    if u.len() < 3 || u.len() > 32 || !u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(Error::invalid(
            "username_invalid",
            "username",
            "A username has 3 to 32 letters (a–z), digits, dots, dashes or underscores.",
        ));
    }
    Ok(u)
}

/// Twenty characters from an alphabet without look-alikes, in four groups: about 100 bits.
fn new_recovery_code() -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| Error::Io(std::io::Error::other(format!("no randomness: {e}"))))?;
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    Ok(chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

pub(crate) fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

pub(crate) fn store_recovery_code(tx: &Transaction<'_>) -> Result<String> {
    let code = new_recovery_code()?;
    settings::set_raw(tx, settings::RECOVERY_HASH, &hash_secret(&normalise_code(&code))?)?;
    Ok(code)
}

// ---------------------------------------------------------------- first run

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SetupStatus {
    /// No administrator can sign in yet: the first-run screen is shown.
    pub needs_setup: bool,
    pub centre_name: String,
}

pub fn setup_status(conn: &Connection) -> Result<SetupStatus> {
    let admins: i64 = conn.query_row(
        "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1 AND password_hash IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(SetupStatus { needs_setup: admins == 0, centre_name: settings::get(conn)?.centre_name })
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SetupInput {
    pub centre_name: String,
    pub centre_address: String,
    pub centre_phone: String,
    pub admin_name: String,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SetupResult {
    /// Shown once, to be printed and kept safe: it lets the owner regain admin access.
    pub recovery_code: String,
}

/// Creates the centre and its first administrator. Only while no administrator exists.
pub fn set_up(tx: &Transaction<'_>, ctx: &Ctx, input: &SetupInput) -> Result<SetupResult> {
    if !setup_status(tx)?.needs_setup {
        return Err(Error::Invalid {
            code: "already_set_up",
            field: None,
            message: "This centre is already set up. Sign in instead.".into(),
        });
    }
    let username = check_username(&input.username)?;
    check_password_rules(&input.password, &username)?;
    settings::set_centre(tx, ctx, &input.centre_name, &input.centre_address, &input.centre_phone)?;
    let id = staff::insert(
        tx,
        ctx,
        &staff::StaffInput { full_name: input.admin_name.clone(), role: Role::Admin, username: Some(username) },
    )?;
    set_password(tx, id, &input.password, false)?;
    let recovery_code = store_recovery_code(tx)?;
    let as_admin = Ctx { actor: Actor { staff_id: Some(id), role: Role::Admin }, ..*ctx };
    audit::record(tx, &as_admin, "setup", entity::STAFF, Some(id), "")?;
    Ok(SetupResult { recovery_code })
}

// ---------------------------------------------------------------- signing in

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionInfo {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub full_name: String,
    pub username: String,
    pub role: Role,
    pub must_change_password: bool,
    pub has_pin: bool,
    pub idle_minutes: u32,
    pub locked: bool,
    /// What this role may do, so the window can hide the rest (Rust still checks).
    pub allowed: Vec<Action>,
    /// For administrators: the audit chain did not hold its anchor at this start (cut
    /// short, rewritten, or an older copy put back). Recorded in the trail too.
    pub audit_warning: Option<crate::anchor::AnchorCheck>,
}

fn wait_left(tx: &Transaction<'_>, key: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
    let row: Option<(i64, DateTime<Utc>)> = tx
        .query_row("SELECT failures, last_failure_at FROM sign_in_failures WHERE username = ?1", [key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(failures, last)| {
        let wait = backoff_seconds(failures)?;
        let left = (last + Duration::seconds(wait) - now).num_seconds();
        (left > 0).then_some(left)
    }))
}

/// Seconds to wait after `failures` wrong attempts in a row.
pub fn backoff_seconds(failures: i64) -> Option<i64> {
    (failures >= 3).then(|| (5i64 << (failures - 3).min(6)).min(300))
}

fn note_failure(tx: &Transaction<'_>, key: &str, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO sign_in_failures (username, failures, last_failure_at) VALUES (?1, 1, ?2)
         ON CONFLICT (username) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at",
        params![key, now],
    )?;
    Ok(())
}

fn clear_failures(tx: &Transaction<'_>, key: &str) -> Result<()> {
    tx.execute("DELETE FROM sign_in_failures WHERE username = ?1", [key])?;
    Ok(())
}

struct Account {
    id: i64,
    full_name: String,
    username: String,
    role: Role,
    password_hash: Option<String>,
    pin_hash: Option<String>,
    must_change_password: bool,
}

fn account_where(conn: &Connection, clause: &str, arg: &dyn rusqlite::ToSql) -> Result<Option<Account>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT id, full_name, username, role, password_hash, pin_hash, must_change_password FROM staff WHERE active = 1 AND {clause}"
            ),
            [arg],
            |r| {
                Ok(Account {
                    id: r.get(0)?,
                    full_name: r.get(1)?,
                    username: r.get(2)?,
                    role: r.get(3)?,
                    password_hash: r.get(4)?,
                    pin_hash: r.get(5)?,
                    must_change_password: r.get(6)?,
                })
            },
        )
        .optional()?)
}

fn session_info(conn: &Connection, a: &Account, locked: bool) -> Result<SessionInfo> {
    Ok(SessionInfo {
        staff_id: a.id,
        full_name: a.full_name.clone(),
        username: a.username.clone(),
        role: a.role,
        must_change_password: a.must_change_password,
        has_pin: a.pin_hash.is_some(),
        idle_minutes: settings::idle_minutes(conn)?,
        locked,
        allowed: Action::ALL.iter().copied().filter(|x| crate::access::allowed(a.role, *x)).collect(),
        audit_warning: None,
    })
}

/// The refusal is returned inside `Ok` so that the caller commits the failure count and
/// the audit entry; the outer error is only for database trouble.
pub type Attempt<T> = Result<std::result::Result<T, Error>>;

pub fn sign_in(tx: &Transaction<'_>, now: &Ctx, username: &str, password: &str) -> Attempt<Session> {
    let key = username.trim().to_lowercase();
    if let Some(seconds) = wait_left(tx, &key, now.now)? {
        return Ok(Err(Error::SignInWait { seconds }));
    }
    let account = account_where(tx, "username = ?1 COLLATE NOCASE", &key)?;
    let ok = match account.as_ref().and_then(|a| a.password_hash.as_deref()) {
        Some(stored) => verify_secret(password, stored),
        None => {
            dummy_check(password);
            false
        }
    };
    match account {
        Some(a) if ok => {
            clear_failures(tx, &key)?;
            let ctx = Ctx { actor: Actor { staff_id: Some(a.id), role: a.role }, ..*now };
            audit::record(tx, &ctx, "sign_in", entity::STAFF, Some(a.id), "")?;
            let info = session_info(tx, &a, false)?;
            Ok(Ok(Session::new(info, now.now)))
        }
        other => {
            note_failure(tx, &key, now.now)?;
            let who = other.as_ref().map(|a| a.id);
            let ctx = Ctx { actor: Actor { staff_id: who, role: Role::FrontDesk }, ..*now };
            audit::record(
                tx,
                &ctx,
                "sign_in_failed",
                entity::STAFF,
                who,
                if who.is_some() { "wrong password" } else { "unknown username" },
            )?;
            Ok(Err(Error::SignInFailed))
        }
    }
}

/// Signing in with a password that has just opened the staff member's key slot (the
/// folder was locked): the slot proves the password. Should the register's hash say
/// otherwise (a password change whose slot was saved but whose commit a power cut
/// stopped), the register takes the password the slot proved.
pub fn sign_in_unlocked(tx: &Transaction<'_>, now: &Ctx, staff_id: i64, password: &str) -> Attempt<Session> {
    let Some(a) = account_where(tx, "id = ?1", &staff_id)? else {
        return Ok(Err(Error::SignInFailed));
    };
    let ctx = Ctx { actor: Actor { staff_id: Some(a.id), role: a.role }, ..*now };
    if !a.password_hash.as_deref().is_some_and(|h| verify_secret(password, h)) {
        tx.execute("UPDATE staff SET password_hash = ?2 WHERE id = ?1", params![a.id, hash_secret(password)?])?;
        audit::record(tx, &ctx, "password_synced", entity::STAFF, Some(a.id), "from the key slot")?;
    }
    clear_failures(tx, &a.username.to_lowercase())?;
    audit::record(tx, &ctx, "sign_in", entity::STAFF, Some(a.id), "")?;
    let info = session_info(tx, &a, false)?;
    Ok(Ok(Session::new(info, now.now)))
}

/// Wrong passwords typed while the folder was locked (nothing could be written then),
/// written to the audit trail once the database is open.
pub fn record_locked_failures(tx: &Transaction<'_>, now: &Ctx, failures: &[(String, DateTime<Utc>)]) -> Result<()> {
    for (username, at) in failures {
        let who = account_where(tx, "username = ?1 COLLATE NOCASE", username)?.map(|a| a.id);
        let ctx = Ctx { actor: Actor { staff_id: who, role: Role::FrontDesk }, now: *at, ..*now };
        let detail = if who.is_some() { "wrong password (while locked)" } else { "unknown username (while locked)" };
        audit::record(tx, &ctx, "sign_in_failed", entity::STAFF, who, detail)?;
    }
    Ok(())
}

/// A signed-in staff member at the shared PC. Kept in memory by the app, never stored.
#[derive(Debug, Clone)]
pub struct Session {
    info: SessionInfo,
    last_activity: DateTime<Utc>,
    pin_failures: u32,
}

/// What [`Session::actor`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open(Actor),
    /// Locked just now because nobody touched the PC for the idle time.
    LockedNow,
    Locked,
    MustChangePassword,
}

impl Session {
    pub fn new(info: SessionInfo, now: DateTime<Utc>) -> Session {
        Session { info, last_activity: now, pin_failures: 0 }
    }

    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn actor_unchecked(&self) -> Actor {
        Actor { staff_id: Some(self.info.staff_id), role: self.info.role }
    }

    /// The acting staff member for a command at `now`, or why there is none. Locks the
    /// session when it has been idle too long; counts as activity otherwise.
    pub fn gate(&mut self, now: DateTime<Utc>, allow_password_change: bool) -> Gate {
        if self.info.locked {
            return Gate::Locked;
        }
        if now - self.last_activity >= Duration::minutes(i64::from(self.info.idle_minutes.max(1))) {
            self.info.locked = true;
            return Gate::LockedNow;
        }
        self.last_activity = now;
        if self.info.must_change_password && !allow_password_change {
            return Gate::MustChangePassword;
        }
        Gate::Open(self.actor_unchecked())
    }

    pub fn lock(&mut self) {
        self.info.locked = true;
    }

    pub fn set_idle_minutes(&mut self, m: u32) {
        self.info.idle_minutes = m;
    }

    /// Unlocks with the same staff member's password, or PIN (until 5 wrong PINs).
    pub fn unlock(&mut self, tx: &Transaction<'_>, now: &Ctx, secret: &str, pin: bool) -> Attempt<()> {
        let key = self.info.username.to_lowercase();
        if let Some(seconds) = wait_left(tx, &key, now.now)? {
            return Ok(Err(Error::SignInWait { seconds }));
        }
        let ctx = Ctx { actor: self.actor_unchecked(), ..*now };
        let Some(a) = account_where(tx, "id = ?1", &self.info.staff_id)? else {
            return Ok(Err(Error::NotSignedIn));
        };
        if pin && self.pin_failures >= MAX_PIN_FAILURES {
            return Ok(Err(Error::invalid("pin_blocked", "pin", "Too many wrong PINs. Unlock with your password.")));
        }
        let stored = if pin { a.pin_hash.as_deref() } else { a.password_hash.as_deref() };
        if stored.is_some_and(|s| verify_secret(secret, s)) {
            clear_failures(tx, &key)?;
            audit::record(tx, &ctx, "unlock", entity::STAFF, Some(a.id), if pin { "pin" } else { "password" })?;
            self.info.locked = false;
            self.pin_failures = 0;
            self.last_activity = now.now;
            self.info.has_pin = a.pin_hash.is_some();
            return Ok(Ok(()));
        }
        if pin {
            self.pin_failures += 1;
        } else {
            note_failure(tx, &key, now.now)?;
        }
        audit::record(tx, &ctx, "unlock_failed", entity::STAFF, Some(a.id), if pin { "pin" } else { "password" })?;
        Ok(Err(if pin { Error::invalid("pin_wrong", "pin", "That PIN is not right.") } else { Error::SignInFailed }))
    }

    /// After the staff member changed their password or PIN.
    pub fn refresh(&mut self, conn: &Connection) -> Result<()> {
        if let Some(a) = account_where(conn, "id = ?1", &self.info.staff_id)? {
            let locked = self.info.locked;
            let warning = self.info.audit_warning.take();
            self.info = session_info(conn, &a, locked)?;
            self.info.audit_warning = warning;
        }
        Ok(())
    }

    /// Tells an administrator what the start-up check of the audit anchor found.
    pub fn warn_about_audit(&mut self, check: crate::anchor::AnchorCheck) {
        if self.info.role == Role::Admin {
            self.info.audit_warning = Some(check);
        }
    }
}

// ---------------------------------------------------------------- passwords and PINs

/// A wrong current password, typed to change the password or set a PIN: counted towards
/// the back-off like a wrong sign-in (so the form cannot be used to guess the password),
/// and audited.
fn wrong_current_password(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    a: &Account,
    action: &str,
    field: &'static str,
) -> Result<Error> {
    note_failure(tx, &a.username.to_lowercase(), ctx.now)?;
    audit::record(tx, ctx, action, entity::STAFF, Some(a.id), "wrong current password")?;
    Ok(Error::invalid("password_wrong", field, "The current password is not right."))
}

/// The signed-in staff member changes their own password. The refusal of a wrong current
/// password comes inside `Ok`, so that its count and audit entry are committed.
pub fn change_password(tx: &Transaction<'_>, ctx: &Ctx, old: &str, new: &str) -> Attempt<()> {
    let id = ctx.actor.staff_id.ok_or(Error::NotSignedIn)?;
    let a = account_where(tx, "id = ?1", &id)?.ok_or(Error::NotSignedIn)?;
    if let Some(seconds) = wait_left(tx, &a.username.to_lowercase(), ctx.now)? {
        return Ok(Err(Error::SignInWait { seconds }));
    }
    if !a.password_hash.as_deref().is_some_and(|h| verify_secret(old, h)) {
        return Ok(Err(wrong_current_password(tx, ctx, &a, "password_change_failed", "old_password")?));
    }
    check_password_rules(new, &a.username)?;
    if new == old {
        return Err(Error::invalid(
            "password_unchanged",
            "password",
            "Choose a password different from the current one.",
        ));
    }
    tx.execute(
        "UPDATE staff SET password_hash = ?2, must_change_password = 0 WHERE id = ?1",
        params![id, hash_secret(new)?],
    )?;
    clear_failures(tx, &a.username.to_lowercase())?;
    audit::record(tx, ctx, "password_changed", entity::STAFF, Some(id), "")?;
    Ok(Ok(()))
}

/// The signed-in staff member sets (or replaces) their quick-unlock PIN. A wrong password
/// is refused inside `Ok` (counted and audited, as for a password change).
pub fn set_pin(tx: &Transaction<'_>, ctx: &Ctx, password: &str, pin: &str) -> Attempt<()> {
    let id = ctx.actor.staff_id.ok_or(Error::NotSignedIn)?;
    let a = account_where(tx, "id = ?1", &id)?.ok_or(Error::NotSignedIn)?;
    if let Some(seconds) = wait_left(tx, &a.username.to_lowercase(), ctx.now)? {
        return Ok(Err(Error::SignInWait { seconds }));
    }
    if !a.password_hash.as_deref().is_some_and(|h| verify_secret(password, h)) {
        return Ok(Err(wrong_current_password(tx, ctx, &a, "pin_set_failed", "password")?));
    }
    check_pin_rules(pin)?;
    tx.execute("UPDATE staff SET pin_hash = ?2 WHERE id = ?1", params![id, hash_secret(pin)?])?;
    audit::record(tx, ctx, "pin_set", entity::STAFF, Some(id), "")?;
    Ok(Ok(()))
}

/// An administrator gives a staff member a temporary password, to be changed at their
/// next sign-in. Their PIN is removed.
pub fn reset_password(tx: &Transaction<'_>, ctx: &Ctx, staff_id: i64, temporary: &str) -> Result<()> {
    ctx.require(Action::ManageStaff)?;
    let member = staff::get(tx, staff_id)?;
    let Some(username) = member.username else {
        return Err(Error::invalid("username_missing", "username", "Give this staff member a username first."));
    };
    check_password_rules(temporary, &username)?;
    set_password(tx, staff_id, temporary, true)?;
    clear_failures(tx, &username)?;
    audit::record(tx, ctx, "password_reset", entity::STAFF, Some(staff_id), "")?;
    Ok(())
}

/// Stores a new password (and drops the PIN). `must_change` makes the staff member
/// choose their own at the next sign-in.
pub(crate) fn set_password(tx: &Transaction<'_>, staff_id: i64, password: &str, must_change: bool) -> Result<()> {
    tx.execute(
        "UPDATE staff SET password_hash = ?2, pin_hash = NULL, must_change_password = ?3 WHERE id = ?1",
        params![staff_id, hash_secret(password)?, must_change],
    )?;
    Ok(())
}

pub fn wrong_recovery_code() -> Error {
    Error::invalid("recovery_code_wrong", "recovery_code", "That recovery code is not right.")
}

/// Emergency access: with the recovery code from set-up, the owner sets a new password
/// for an administrator account (reactivated if needed). The code is then replaced by a
/// new one, returned to be printed.
pub fn recover(
    tx: &Transaction<'_>,
    now: &Ctx,
    code: &str,
    username: &str,
    new_password: &str,
) -> Attempt<SetupResult> {
    if let Some(seconds) = wait_left(tx, RECOVERY_KEY, now.now)? {
        return Ok(Err(Error::SignInWait { seconds }));
    }
    let stored = settings::get_raw(tx, settings::RECOVERY_HASH)?;
    if !stored.as_deref().is_some_and(|h| verify_secret(&normalise_code(code), h)) {
        note_failure(tx, RECOVERY_KEY, now.now)?;
        audit::record(tx, now, "recovery_failed", entity::STAFF, None, "")?;
        return Ok(Err(wrong_recovery_code()));
    }
    let key = text::clean(username).to_lowercase();
    let admin: Option<i64> = tx
        .query_row("SELECT id FROM staff WHERE username = ?1 COLLATE NOCASE AND role = 'admin'", [&key], |r| r.get(0))
        .optional()?;
    let Some(id) = admin else {
        return Ok(Err(Error::invalid(
            "recovery_not_admin",
            "username",
            "There is no administrator with that username.",
        )));
    };
    if let Err(e) = check_password_rules(new_password, &key) {
        return Ok(Err(e));
    }
    set_password(tx, id, new_password, false)?;
    tx.execute("UPDATE staff SET active = 1 WHERE id = ?1", [id])?;
    clear_failures(tx, RECOVERY_KEY)?;
    clear_failures(tx, &key)?;
    let recovery_code = store_recovery_code(tx)?;
    let ctx = Ctx { actor: Actor { staff_id: Some(id), role: Role::Admin }, ..*now };
    audit::record(tx, &ctx, "recovery_used", entity::STAFF, Some(id), "")?;
    Ok(Ok(SetupResult { recovery_code }))
}

/// An administrator sets how long the PC may stay untouched before it locks.
pub fn set_idle_minutes(tx: &Transaction<'_>, ctx: &Ctx, minutes: u32) -> Result<()> {
    ctx.require(Action::ManageSettings)?;
    if !(1..=120).contains(&minutes) {
        return Err(Error::invalid(
            "idle_minutes_range",
            "idle_minutes",
            "The lock time must be between 1 and 120 minutes.",
        ));
    }
    settings::set_raw(tx, settings::IDLE_MINUTES, &minutes.to_string())?;
    audit::record(tx, ctx, "settings_changed", entity::SETTINGS, None, &format!("idle lock {minutes} min"))?;
    Ok(())
}
