//! Changes to who can open the database, kept in step with its key slots (issue 15): a
//! password set, changed, reset or given on reactivation seals the database key under it
//! before the transaction that stores it commits; a deactivated staff member's slot goes;
//! a renamed one is found by the new username; a new recovery code gets its slot. Without
//! a key (a plain database: the tests, a centre before its conversion) only the register
//! changes. The window's and the command line's commands call these, never the parts.
use std::path::Path;

use rusqlite::{Connection, Transaction};

use crate::auth::{self, Attempt, SetupInput, SetupResult};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::keyslots::DbKey;
use crate::staff::{self, StaffInput};
use crate::vault;

/// Where the slots live and the key they seal (`None` for a plain database).
#[derive(Clone, Copy)]
pub struct Slots<'a> {
    pub dir: &'a Path,
    pub key: Option<&'a DbKey>,
}

impl Slots<'_> {
    /// Seals the key under `password` for the staff member `id`, found by their username.
    fn seal(&self, conn: &Connection, id: i64, password: &str) -> Result<()> {
        let Some(key) = self.key else { return Ok(()) };
        match staff::get(conn, id)?.username {
            Some(username) => vault::put_staff(self.dir, key, id, &username, password),
            None => Ok(()),
        }
    }

    /// An administrator's slot under `password` (found by `username`, already clean) and
    /// the recovery code's.
    fn seal_admin_and_recovery(&self, conn: &Connection, username: &str, password: &str, code: &str) -> Result<()> {
        let Some(key) = self.key else { return Ok(()) };
        let id = staff::id_by_username(conn, username)?;
        vault::put_staff(self.dir, key, id, username, password)?;
        vault::put_recovery(self.dir, key, code)
    }
}

/// The first administrator of a centre whose database is already open (set-up in the
/// register), with their slot and the recovery code's.
pub fn set_up(tx: &Transaction<'_>, ctx: &Ctx, slots: Slots<'_>, input: &SetupInput) -> Result<SetupResult> {
    let result = auth::set_up(tx, ctx, input)?;
    let username = auth::check_username(&input.username)?;
    slots.seal_admin_and_recovery(tx, &username, &input.password, &result.recovery_code)?;
    Ok(result)
}

/// Emergency access with the recovery code: the administrator's new password and the new
/// recovery code get their slots.
pub fn recover(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    slots: Slots<'_>,
    code: &str,
    username: &str,
    password: &str,
) -> Attempt<SetupResult> {
    let attempt = auth::recover(tx, ctx, code, username, password)?;
    if let Ok(result) = &attempt {
        let name = crate::text::clean(username).to_lowercase();
        slots.seal_admin_and_recovery(tx, &name, password, &result.recovery_code)?;
    }
    Ok(attempt)
}

/// The signed-in staff member's own new password.
pub fn change_password(tx: &Transaction<'_>, ctx: &Ctx, slots: Slots<'_>, old: &str, new: &str) -> Attempt<()> {
    let changed = auth::change_password(tx, ctx, old, new)?;
    if let (Ok(()), Some(id)) = (&changed, ctx.actor.staff_id) {
        slots.seal(tx, id, new)?;
    }
    Ok(changed)
}

/// A new staff member; with a temporary password, their slot under it.
pub fn create_staff(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    slots: Slots<'_>,
    input: &StaffInput,
    temporary_password: Option<&str>,
) -> Result<i64> {
    let id = staff::create(tx, ctx, input, temporary_password)?;
    if let Some(p) = temporary_password.filter(|p| !p.is_empty()) {
        slots.seal(tx, id, p)?;
    }
    Ok(id)
}

/// A changed username is changed in the slots file too (found by it at sign-in).
pub fn update_staff(tx: &Transaction<'_>, ctx: &Ctx, slots: Slots<'_>, id: i64, input: &StaffInput) -> Result<()> {
    staff::update(tx, ctx, id, input)?;
    if slots.key.is_some() {
        vault::rename_staff(slots.dir, id, staff::get(tx, id)?.username.as_deref())?;
    }
    Ok(())
}

/// An administrator's temporary password for a staff member, with its slot.
pub fn reset_password(tx: &Transaction<'_>, ctx: &Ctx, slots: Slots<'_>, id: i64, temporary: &str) -> Result<()> {
    auth::reset_password(tx, ctx, id, temporary)?;
    slots.seal(tx, id, temporary)
}

/// Deactivated, a staff member's slot goes: their password no longer opens the database.
/// Reactivated, one who signs in needs a temporary password from the administrator (their
/// old password stays unusable); it gets a fresh slot.
pub fn set_staff_active(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    slots: Slots<'_>,
    id: i64,
    active: bool,
    temporary_password: Option<&str>,
) -> Result<()> {
    let before = staff::get(tx, id)?;
    staff::set_active(tx, ctx, id, active)?;
    if !active {
        if slots.key.is_some() {
            vault::forget_staff(slots.dir, id)?;
        }
        return Ok(());
    }
    if before.active || before.username.is_none() {
        return Ok(());
    }
    let Some(password) = temporary_password.filter(|p| !p.is_empty()) else {
        return Err(Error::invalid(
            "reactivate_needs_password",
            "temporary_password",
            "Give this staff member a temporary password: they choose their own at their next sign-in.",
        ));
    };
    reset_password(tx, ctx, slots, id, password)
}

/// The sign-in screen's centre name and language follow the settings.
pub fn keep_face(conn: &Connection, slots: Slots<'_>) -> Result<()> {
    match slots.key {
        Some(_) => vault::set_face(slots.dir, vault::face(conn)?),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;
    use crate::keyslots::KeySlots;
    use crate::paths;

    /// The demo centre, converted: an encrypted store and its key.
    fn encrypted_demo(dir: &Path) -> (Store, DbKey) {
        let mut store = Store::open(&paths::db_path(dir)).unwrap();
        crate::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        drop(store);
        let key = vault::convert(dir).unwrap();
        (Store::open_with(&paths::db_path(dir), Some(&key)).unwrap(), key)
    }

    fn opens(dir: &Path, username: &str, password: &str) -> bool {
        vault::unlock(&KeySlots::load(dir).unwrap().unwrap(), username, password).is_ok()
    }

    #[test]
    fn each_credential_change_reaches_the_slots_and_a_reactivated_member_needs_a_new_password() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = encrypted_demo(dir.path());
        let admin = Ctx::now(Actor { staff_id: Some(1), role: Role::Admin });
        let slots = Slots { dir: dir.path(), key: Some(&key) };
        let input =
            StaffInput { full_name: "Ravi Kumar".into(), role: Role::Counsellor, username: Some("ravi".into()) };

        let id = store.write(|tx| create_staff(tx, &admin, slots, &input, Some("first temporary pw"))).unwrap();
        assert!(opens(dir.path(), "ravi", "first temporary pw"));

        let renamed = StaffInput { username: Some("ravik".into()), ..input };
        store.write(|tx| update_staff(tx, &admin, slots, id, &renamed)).unwrap();
        assert!(opens(dir.path(), "ravik", "first temporary pw"));
        assert!(!opens(dir.path(), "ravi", "first temporary pw"));

        let ravi = Ctx::now(Actor { staff_id: Some(id), role: Role::Counsellor });
        store.write(|tx| change_password(tx, &ravi, slots, "first temporary pw", "his own pass 42")).unwrap().unwrap();
        assert!(opens(dir.path(), "ravik", "his own pass 42"));
        assert!(!opens(dir.path(), "ravik", "first temporary pw"), "the old password's slot is replaced");

        store.write(|tx| set_staff_active(tx, &admin, slots, id, false, None)).unwrap();
        assert!(!opens(dir.path(), "ravik", "his own pass 42"), "a deactivated member's slot is gone");

        let refused = store.write(|tx| set_staff_active(tx, &admin, slots, id, true, None)).unwrap_err();
        assert_eq!(refused.code(), "reactivate_needs_password");
        assert!(!staff::get(store.conn(), id).unwrap().active, "nothing changed");

        store.write(|tx| set_staff_active(tx, &admin, slots, id, true, Some("second temporary pw"))).unwrap();
        let member = staff::get(store.conn(), id).unwrap();
        assert!(member.active && member.must_change_password);
        assert!(opens(dir.path(), "ravik", "second temporary pw"));
        assert!(!opens(dir.path(), "ravik", "his own pass 42"), "the old password does not come back");

        store.write(|tx| reset_password(tx, &admin, slots, id, "third temporary pw")).unwrap();
        assert!(opens(dir.path(), "ravik", "third temporary pw"));
    }

    #[test]
    fn a_plain_database_changes_only_the_register() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&paths::db_path(dir.path())).unwrap();
        crate::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        let admin = Ctx::now(Actor { staff_id: Some(1), role: Role::Admin });
        let slots = Slots { dir: dir.path(), key: None };
        let input = StaffInput { full_name: "Ravi".into(), role: Role::FrontDesk, username: Some("ravi".into()) };
        store.write(|tx| create_staff(tx, &admin, slots, &input, Some("first temporary pw"))).unwrap();
        assert!(KeySlots::load(dir.path()).unwrap().is_none(), "no slots file for a plain database");
    }
}
