//! Which key opens a data folder, and its key slots kept in step with the staff register
//! (issue 15, confidentiality at rest).
//!
//! A data folder is in one of three states ([`look`]):
//! - **new**: no database yet. Set-up ([`set_up`]) makes the key, the database (encrypted
//!   from its first page) and the first administrator's and the recovery code's slots.
//! - **plain**: a database from before encryption. [`convert`] encrypts it in place at the
//!   first start, with interim slots made from the password hashes the register already
//!   holds (see [`KeySlots::put_from_hash`]), so nobody has to type anything and nobody is
//!   locked out; each interim slot is replaced by a fresh one at that person's next sign-in.
//! - **locked**: encrypted; [`unlock`] opens the key with a staff member's password (or
//!   [`unlock_with_recovery`] with the recovery code) before the database can be read.
//!
//! While the database is open, its key is in memory (in the store), and every change of a
//! credential updates its slot here: the slot is saved before the change is committed, so
//! a power cut in between leaves a slot that opens with the new secret; the next sign-in
//! then brings the register's hash in line ([`crate::auth::sign_in_unlocked`]).
use std::path::Path;

use rusqlite::Connection;

use crate::auth::{self, SetupInput, SetupResult};
use crate::ctx::Ctx;
use crate::db::Store;
use crate::encrypt;
use crate::error::{Error, Result};
use crate::keyslots::{DbKey, Face, KEYS_FILE, KeySlots, SlotKind};
use crate::{backup, paths, settings};

/// What [`look`] found in a data folder.
#[derive(Debug)]
pub enum Folder {
    New,
    Plain,
    Locked(KeySlots),
}

/// The state of `data_dir`, after finishing any step of an interrupted conversion that
/// needs no key. An encrypted database without its slots file is refused (never changed).
pub fn look(data_dir: &Path) -> Result<Folder> {
    let db = paths::db_path(data_dir);
    encrypt::finish_interrupted(&db)?;
    let has_db = db.metadata().map(|m| m.len() > 0).unwrap_or(false);
    if has_db && encrypt::is_plain_sqlite(&db)? {
        return Ok(Folder::Plain);
    }
    match (has_db, KeySlots::load(data_dir)?) {
        (true, Some(slots)) => Ok(Folder::Locked(slots)),
        (true, None) => Err(Error::KeysMissing { path: data_dir.display().to_string() }),
        // A slots file without a database is what an interrupted set-up leaves: set-up
        // starts again (and puts that file aside, never deletes it).
        (false, _) => Ok(Folder::New),
    }
}

/// What the sign-in screen may show, read from the register.
pub fn face(conn: &Connection) -> Result<Face> {
    let s = settings::get(conn)?;
    Ok(Face { centre_name: s.centre_name, language: s.language, demo: settings::is_demo(conn)? })
}

/// Interim slots for every active staff member who can sign in and for the recovery code,
/// from the hashes in the register; the backup key pair's slot from its public half.
pub fn slots_from_register(conn: &Connection, key: &DbKey) -> Result<KeySlots> {
    let mut slots = KeySlots::empty();
    slots.face = face(conn)?;
    let staff: Vec<(i64, String, String)> = conn
        .prepare(
            "SELECT id, username, password_hash FROM staff
             WHERE active = 1 AND username IS NOT NULL AND password_hash IS NOT NULL ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, username, hash) in staff {
        // A hash Saathi cannot read never let anyone sign in: that account gets no slot
        // (an administrator gives it a new password).
        match slots.put_from_hash(SlotKind::Staff { staff_id: id }, &hash, key) {
            Ok(()) => slots.set_user(id, Some(&username)),
            Err(e) => tracing::warn!(staff = id, code = e.code(), "no key slot from an unreadable password hash"),
        }
    }
    if let Some(hash) = settings::get_raw(conn, settings::RECOVERY_HASH)?
        && let Err(e) = slots.put_from_hash(SlotKind::Recovery, &hash, key)
    {
        tracing::warn!(code = e.code(), "no key slot from an unreadable recovery code hash");
    }
    if let Some(recipient) = backup::key::recipient(conn)? {
        slots.put_backup(&recipient, key)?;
    }
    Ok(slots)
}

/// After a restore into `data_dir`: its slots made again from the restored register
/// ([`slots_from_register`]), and saved. The operating system's slot (backups without a
/// password, see [`crate::unattended`]) is kept when the folder had one that opens for
/// this Windows account: an administrator turned it on for this folder and account, and a
/// restore does not turn it off. It is sealed again with the key the restored database
/// has now (a restore into a folder without a usable key takes the backup's key). A slot
/// that does not open here opened nothing and is dropped. Either is recorded in the
/// restored database's audit trail, as `ctx`.
pub fn slots_after_restore(data_dir: &Path, store: &mut Store, ctx: &Ctx) -> Result<()> {
    let Some(key) = store.key().cloned() else { return Ok(()) };
    let before = KeySlots::load(data_dir).ok().flatten().filter(KeySlots::has_os);
    let mut slots = slots_from_register(store.conn(), &key)?;
    let kept = match before.map(|old| old.open_with_os()) {
        None => None,
        Some(Ok(Some(_))) => match slots.put_os(&key) {
            Ok(()) => Some(true),
            Err(e) => {
                tracing::warn!(code = e.code(), "the key slot for backups without a password could not be kept");
                Some(false)
            }
        },
        Some(_) => Some(false),
    };
    slots.save(data_dir)?;
    if let Some(kept) = kept {
        let (action, detail) = if kept {
            ("unattended_backup_kept", "restore")
        } else {
            ("unattended_backup_off", "restore: did not open")
        };
        store.write(|tx| crate::audit::record(tx, ctx, action, crate::audit::entity::SETTINGS, None, detail))?;
    }
    Ok(())
}

/// Encrypts the plain database of `data_dir` in place (first start of an encrypting
/// Saathi): a new random key, interim slots from the register, saved just before the
/// encrypted copy replaces the plain file. Returns the key. A database Saathi would refuse
/// to open (newer, damaged, foreign) is refused here too, unchanged.
pub fn convert(data_dir: &Path) -> Result<DbKey> {
    let db = paths::db_path(data_dir);
    let key = DbKey::generate()?;
    let slots = {
        let store = Store::open(&db)?;
        slots_from_register(store.conn(), &key)?
    };
    encrypt::encrypt_in_place(&db, &key, || slots.save(data_dir).map(drop))?;
    tracing::info!(slots = slots.kinds().count(), "the plain database was encrypted");
    Ok(key)
}

/// The key, from the slot of the staff member `username` names, opened with `password`;
/// and that staff member's id. An unknown username costs the same time as a wrong password.
pub fn unlock(slots: &KeySlots, username: &str, password: &str) -> Result<(DbKey, i64)> {
    let Some(staff_id) = slots.staff_by_user(username) else {
        auth::dummy_check(password);
        return Err(Error::SignInFailed);
    };
    Ok((slots.open_with_secret(&SlotKind::Staff { staff_id }, password)?, staff_id))
}

/// The key, from the recovery code's slot.
pub fn unlock_with_recovery(slots: &KeySlots, code: &str) -> Result<DbKey> {
    slots.open_with_secret(&SlotKind::Recovery, &auth::normalise_code(code))
}

fn load_or_empty(dir: &Path) -> Result<KeySlots> {
    Ok(KeySlots::load(dir)?.unwrap_or_else(KeySlots::empty))
}

/// Seals the key under a staff member's (new) password, found by their username.
pub fn put_staff(dir: &Path, key: &DbKey, staff_id: i64, username: &str, password: &str) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    slots.put_secret(SlotKind::Staff { staff_id }, password, key)?;
    slots.set_user(staff_id, Some(username));
    slots.save(dir).map(drop)
}

/// After a sign-in checked against the register: replaces the staff member's slot if it
/// is interim, missing, has another username, or does not open with this password (a
/// change saved in the register whose slot was not). Returns whether it was replaced.
pub fn refresh_staff(dir: &Path, key: &DbKey, staff_id: i64, username: &str, password: &str) -> Result<bool> {
    let slots = load_or_empty(dir)?;
    let kind = SlotKind::Staff { staff_id };
    let current = !slots.needs_fresh(&kind)
        && slots.staff_by_user(username) == Some(staff_id)
        && slots.open_with_secret(&kind, password).is_ok();
    if current {
        return Ok(false);
    }
    put_staff(dir, key, staff_id, username, password)?;
    Ok(true)
}

/// A deactivated staff member's slot goes: their password no longer opens anything.
pub fn forget_staff(dir: &Path, staff_id: i64) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    if slots.remove(&SlotKind::Staff { staff_id }) {
        slots.save(dir)?;
    }
    Ok(())
}

/// A staff member's username changed (or was removed).
pub fn rename_staff(dir: &Path, staff_id: i64, username: Option<&str>) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    slots.set_user(staff_id, username);
    slots.save(dir).map(drop)
}

/// Seals the key under a (new) recovery code.
pub fn put_recovery(dir: &Path, key: &DbKey, code: &str) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    slots.put_secret(SlotKind::Recovery, &auth::normalise_code(code), key)?;
    slots.save(dir).map(drop)
}

/// Seals the key to the centre's (new) backup key pair.
pub fn put_backup(dir: &Path, key: &DbKey, recipient: &age::x25519::Recipient) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    slots.put_backup(recipient, key)?;
    slots.save(dir).map(drop)
}

/// What the sign-in screen shows changed (the centre's name or language).
pub fn set_face(dir: &Path, face: Face) -> Result<()> {
    let mut slots = load_or_empty(dir)?;
    if slots.face != face {
        slots.face = face;
        slots.save(dir)?;
    }
    Ok(())
}

/// First start of a new centre: the centre, its first administrator and the recovery
/// code (as [`auth::set_up`]), in a database encrypted with a new key. The database is
/// built under a name of its own and moved into place only after the slots are saved,
/// so a power cut leaves either no database (set-up starts again) or a whole one whose
/// key can be opened. A slots file left by an earlier, interrupted set-up is put aside.
pub fn set_up(data_dir: &Path, ctx: &Ctx, input: &SetupInput) -> Result<(Store, SetupResult)> {
    let db = paths::db_path(data_dir);
    if db.metadata().map(|m| m.len() > 0).unwrap_or(false) {
        return Err(Error::Invalid {
            code: "already_set_up",
            field: None,
            message: "This centre is already set up. Sign in instead.".into(),
        });
    }
    std::fs::create_dir_all(data_dir)?;
    let keys = data_dir.join(KEYS_FILE);
    if keys.exists() {
        let aside = data_dir.join(format!("{KEYS_FILE}.unused-{}", ctx.now.format("%Y%m%d-%H%M%S")));
        std::fs::rename(&keys, aside)?;
    }
    let building = crate::files::with_suffix(&db, ".new");
    for stale in
        [crate::files::with_suffix(&building, "-wal"), crate::files::with_suffix(&building, "-shm"), building.clone()]
    {
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    let key = DbKey::generate()?;
    let result = {
        let mut store = Store::open_with(&building, Some(&key))?;
        let result = store.write(|tx| {
            let result = auth::set_up(tx, ctx, input)?;
            let username = auth::check_username(&input.username)?;
            let id = crate::staff::id_by_username(tx, &username)?;
            let mut slots = KeySlots::empty();
            slots.face = face(tx)?;
            slots.put_secret(SlotKind::Staff { staff_id: id }, &input.password, &key)?;
            slots.set_user(id, Some(&username));
            slots.put_secret(SlotKind::Recovery, &auth::normalise_code(&result.recovery_code), &key)?;
            slots.save(data_dir)?;
            Ok(result)
        })?;
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        result
    };
    std::fs::rename(&building, &db)?;
    crate::files::sync_dir(data_dir);
    Ok((Store::open_with(&db, Some(&key))?, result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Actor;

    fn demo_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&paths::db_path(dir.path())).unwrap();
        crate::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        dir
    }

    fn patients(store: &Store) -> i64 {
        store.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_plain_centre_is_converted_and_each_old_password_opens_it() {
        let dir = demo_folder();
        let before = patients(&Store::open(&paths::db_path(dir.path())).unwrap());
        assert!(matches!(look(dir.path()).unwrap(), Folder::Plain));
        let key = convert(dir.path()).unwrap();
        let Folder::Locked(slots) = look(dir.path()).unwrap() else { panic!("not locked after conversion") };
        assert_eq!(
            slots.face.centre_name,
            Store::open_with(&paths::db_path(dir.path()), Some(&key))
                .map(|s| face(s.conn()).unwrap().centre_name)
                .unwrap()
        );
        assert!(slots.face.demo);
        for (_, username, password) in crate::demo::DEMO_ACCOUNTS {
            let (opened, _) = unlock(&slots, username, password).unwrap_or_else(|e| panic!("{username}: {e}"));
            assert!(opened == key, "{username}");
            assert!(matches!(unlock(&slots, username, "not the password"), Err(Error::SignInFailed)));
        }
        assert!(matches!(unlock(&slots, "nobody", "demo-admin-1"), Err(Error::SignInFailed)));
        let store = Store::open_with(&paths::db_path(dir.path()), Some(&key)).unwrap();
        assert_eq!(patients(&store), before);
        assert_eq!(Store::open(&paths::db_path(dir.path())).unwrap_err().code(), "database_not_saathi");
    }

    #[test]
    fn a_fresh_slot_replaces_the_interim_one_and_a_deactivated_member_loses_theirs() {
        let dir = demo_folder();
        let key = convert(dir.path()).unwrap();
        let (_, username, password) = crate::demo::DEMO_ACCOUNTS[0];
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        let id = slots.staff_by_user(username).unwrap();
        assert!(slots.needs_fresh(&SlotKind::Staff { staff_id: id }));
        assert!(refresh_staff(dir.path(), &key, id, username, password).unwrap());
        assert!(!refresh_staff(dir.path(), &key, id, username, password).unwrap(), "already fresh");
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(!slots.needs_fresh(&SlotKind::Staff { staff_id: id }));
        assert!(unlock(&slots, username, password).unwrap().0 == key);

        forget_staff(dir.path(), id).unwrap();
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(matches!(unlock(&slots, username, password), Err(Error::SignInFailed)));
    }

    #[test]
    fn set_up_makes_an_encrypted_centre_that_the_admin_and_the_recovery_code_open() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(look(dir.path()).unwrap(), Folder::New));
        let input = SetupInput {
            centre_name: "Naya Savera Kendra".into(),
            centre_address: String::new(),
            centre_phone: String::new(),
            admin_name: "Asha Verma".into(),
            username: "Asha".into(),
            password: "a long password".into(),
        };
        let (store, result) = set_up(dir.path(), &Ctx::now(Actor::system()), &input).unwrap();
        drop(store);
        let Folder::Locked(slots) = look(dir.path()).unwrap() else { panic!("not locked after set-up") };
        assert_eq!(slots.face.centre_name, "Naya Savera Kendra");
        let (key, _) = unlock(&slots, "asha", "a long password").unwrap();
        assert!(unlock_with_recovery(&slots, &result.recovery_code.to_lowercase()).unwrap() == key);
        let bytes = std::fs::read(paths::db_path(dir.path())).unwrap();
        assert!(!bytes.windows(16).any(|w| w == b"SQLite format 3\0"));
        assert!(!bytes.windows(6).any(|w| w == b"Savera"));
        let store = Store::open_with(&paths::db_path(dir.path()), Some(&key)).unwrap();
        assert!(!auth::setup_status(store.conn()).unwrap().needs_setup);
        assert!(set_up(dir.path(), &Ctx::now(Actor::system()), &input).is_err(), "only once");
    }

    #[test]
    fn an_encrypted_database_without_its_slots_is_refused_unchanged() {
        let dir = demo_folder();
        convert(dir.path()).unwrap();
        std::fs::rename(dir.path().join(KEYS_FILE), dir.path().join("elsewhere")).unwrap();
        let bytes = std::fs::read(paths::db_path(dir.path())).unwrap();
        assert_eq!(look(dir.path()).unwrap_err().code(), "keys_missing");
        assert_eq!(std::fs::read(paths::db_path(dir.path())).unwrap(), bytes);
    }

    fn audited(store: &Store, action: &str) -> i64 {
        store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = ?1", [action], |r| r.get(0)).unwrap()
    }

    /// A restore brings its own register: `slots_after_restore` makes the slots from it.
    /// `other` is the restored database (another centre, with its own key), moved in.
    fn restore_other_into(dir: &Path) -> (Store, DbKey) {
        let other = demo_folder();
        let key = convert(other.path()).unwrap();
        for f in ["saathi.db", "saathi.db-wal", "saathi.db-shm"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        std::fs::copy(paths::db_path(other.path()), paths::db_path(dir)).unwrap();
        (Store::open_with(&paths::db_path(dir), Some(&key)).unwrap(), key)
    }

    #[test]
    fn a_restore_without_the_os_slot_adds_none() {
        let dir = demo_folder();
        convert(dir.path()).unwrap();
        let (mut store, key) = restore_other_into(dir.path());
        slots_after_restore(dir.path(), &mut store, &Ctx::now(Actor::system())).unwrap();
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(!slots.has_os());
        let (_, username, password) = crate::demo::DEMO_ACCOUNTS[0];
        assert!(unlock(&slots, username, password).unwrap().0 == key, "the restored register's passwords open it");
        assert_eq!(audited(&store, "unattended_backup_kept") + audited(&store, "unattended_backup_off"), 0);
    }

    /// A key file written on Windows with backups without a password turned on, read
    /// where that slot cannot be opened (here: not Windows; there: another account).
    #[test]
    fn a_restore_drops_an_os_slot_that_does_not_open_here() {
        let dir = demo_folder();
        convert(dir.path()).unwrap();
        let file = dir.path().join(KEYS_FILE);
        let mut form: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        form["os_slot"] = serde_json::json!({"protection": "windows_dpapi_user", "sealed": "AQAAANCMnd8BFdERjHoAwE"});
        std::fs::write(&file, serde_json::to_vec(&form).unwrap()).unwrap();
        assert!(KeySlots::load(dir.path()).unwrap().unwrap().has_os(), "the older reader's file still loads");

        let (mut store, _) = restore_other_into(dir.path());
        slots_after_restore(dir.path(), &mut store, &Ctx::now(Actor::system())).unwrap();
        assert!(!KeySlots::load(dir.path()).unwrap().unwrap().has_os(), "no slot that opens nothing is left");
        assert_eq!(audited(&store, "unattended_backup_off"), 1);
        assert_eq!(audited(&store, "unattended_backup_kept"), 0);
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_a_restore_keeps_the_os_slot_working_with_the_restored_key() {
        let dir = demo_folder();
        let old_key = convert(dir.path()).unwrap();
        let mut slots = KeySlots::load(dir.path()).unwrap().unwrap();
        slots.put_os(&old_key).unwrap();
        slots.save(dir.path()).unwrap();

        let (mut store, new_key) = restore_other_into(dir.path());
        assert!(new_key != old_key);
        slots_after_restore(dir.path(), &mut store, &Ctx::now(Actor::system())).unwrap();
        let slots = KeySlots::load(dir.path()).unwrap().unwrap();
        assert!(slots.open_with_os().unwrap().unwrap() == new_key, "sealed again with the restored key");
        assert_eq!(audited(&store, "unattended_backup_kept"), 1);
        drop(store);
        assert!(crate::unattended::open_for_backup(dir.path()).unwrap() == new_key);
    }

    #[test]
    fn a_conversion_whose_slots_could_not_be_saved_leaves_the_plain_file() {
        let dir = demo_folder();
        let db = paths::db_path(dir.path());
        let key = DbKey::generate().unwrap();
        let refused = encrypt::encrypt_in_place(&db, &key, || Err(Error::Busy));
        assert!(refused.is_err());
        assert!(matches!(look(dir.path()).unwrap(), Folder::Plain));
        assert!(patients(&Store::open(&db).unwrap()) > 0);
        convert(dir.path()).unwrap();
        assert!(matches!(look(dir.path()).unwrap(), Folder::Locked(_)));
    }
}
