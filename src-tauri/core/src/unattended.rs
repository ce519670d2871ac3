//! Backups without a password (issue 15). Task Scheduler runs `saathi backup` when nobody
//! is at the PC, so nobody can type the password that opens the database key. An
//! administrator may therefore let the operating system keep one more key slot for one
//! Windows account (DPAPI, os_protect.rs): `saathi backup` with no `--user` opens the
//! key with it, makes the backup, and the audit trail records that the key was opened
//! this way (as the system: no staff member).
//!
//! What it weakens: any program that runs as that Windows account can open the database
//! key without a password, so on a Windows account everybody shares, anybody at the PC
//! can; and if that account has no Windows password, a stolen disk can be opened with
//! known DPAPI tools. It is off unless an administrator turns it on, the turning on and
//! off is audited, and README.md ("What is encrypted, and against whom") says it plainly.
use std::path::Path;

use rusqlite::Transaction;
use serde::Serialize;
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::{Actor, Ctx};
use crate::db::Store;
use crate::error::{Error, Result};
use crate::keyslots::{DbKey, KeySlots};
use crate::os_protect::{self, AVAILABLE};
use crate::vault::{self, Folder};
use crate::{backup, paths};

/// Whether backups without a password are on, for the Backup screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnattendedStatus {
    /// This system has protected storage Saathi can use (Windows).
    pub available: bool,
    /// The key slot for the operating system is in the data folder's key file.
    pub on: bool,
    /// That slot opens, for this Windows account, the key of this database. False when
    /// it is off, or when it was saved by another account or no longer fits the database
    /// (then turning it off and on again mends it).
    pub works: bool,
}

fn off() -> Error {
    Error::Invalid {
        code: "unattended_off",
        field: None,
        message: "Backups without a password are not turned on for this centre on this Windows account.".into(),
    }
}

fn stale() -> Error {
    Error::Invalid {
        code: "unattended_stale",
        field: None,
        message: "The key kept for backups without a password no longer opens this centre's database (the data \
                  folder was restored or copied). Turn backups without a password off and on again."
            .into(),
    }
}

fn not_encrypted() -> Error {
    Error::Invalid {
        code: "unattended_not_encrypted",
        field: None,
        message: "This database is not encrypted yet, so there is no key to keep for backups without a password."
            .into(),
    }
}

/// Whether backups without a password are on (administrators). `key`: the open
/// database's key, to tell whether the slot still fits it.
pub fn status(ctx: &Ctx, data_dir: &Path, key: Option<&DbKey>) -> Result<UnattendedStatus> {
    ctx.require(Action::ManageBackups)?;
    let slots = KeySlots::load(data_dir)?;
    let on = slots.as_ref().is_some_and(KeySlots::has_os);
    let works = match (slots, key) {
        (Some(slots), Some(key)) if on => slots.open_with_os().ok().flatten().is_some_and(|k| k == *key),
        _ => false,
    };
    Ok(UnattendedStatus { available: AVAILABLE, on, works })
}

/// Turns backups without a password on or off (administrators, audited) and says how
/// they are now. On seals `key` for the current Windows account (again, if it was on: a
/// slot that no longer worked is mended); it needs the centre's backup key, since a
/// backup can be made only with it. The slot is saved before the audit entry commits.
pub fn set(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    data_dir: &Path,
    key: Option<&DbKey>,
    on: bool,
) -> Result<UnattendedStatus> {
    ctx.require(Action::ManageBackups)?;
    let mut slots = KeySlots::load(data_dir)?.unwrap_or_else(KeySlots::empty);
    if on {
        if !AVAILABLE {
            return Err(os_protect::unsupported());
        }
        let key = key.ok_or_else(not_encrypted)?;
        if backup::key::recipient(tx)?.is_none() {
            return Err(Error::BackupNotSetUp);
        }
        audit::record(tx, ctx, "unattended_backup_on", entity::SETTINGS, None, "")?;
        slots.put_os(key)?;
        slots.save(data_dir)?;
    } else if slots.remove_os() {
        audit::record(tx, ctx, "unattended_backup_off", entity::SETTINGS, None, "")?;
        slots.save(data_dir)?;
    }
    status(ctx, data_dir, key)
}

/// The key of `data_dir`'s database, opened by the operating system for a scheduled
/// backup, with nobody signed in. Refused with `unattended_off` when nobody turned it on
/// (or the database is not encrypted yet), `unattended_refused` when Windows does not open
/// the slot for this account, `unattended_stale` when the slot's key does not open the
/// database. Recorded in the audit trail as the system.
pub fn open_for_backup(data_dir: &Path) -> Result<DbKey> {
    let slots = match vault::look(data_dir)? {
        Folder::Locked(slots) => slots,
        Folder::New | Folder::Plain => return Err(off()),
    };
    let key = slots.open_with_os()?.ok_or_else(off)?;
    let mut store = Store::open_with(&paths::db_path(data_dir), Some(&key)).map_err(|e| match e {
        Error::NotSaathi { .. } => stale(),
        e => e,
    })?;
    let system = Ctx::now(Actor::system());
    store.write(|tx| audit::record(tx, &system, "unattended_backup_used", entity::SETTINGS, None, ""))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Role;

    /// The demo centre (its backup key is set up), encrypted, opened with its key.
    fn centre() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&paths::db_path(dir.path())).unwrap();
        crate::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        drop(store);
        let key = vault::convert(dir.path()).unwrap();
        let store = Store::open_with(&paths::db_path(dir.path()), Some(&key)).unwrap();
        (dir, store)
    }

    fn admin() -> Ctx {
        Ctx::now(Actor { staff_id: Some(1), role: Role::Admin })
    }

    fn entries(store: &Store, action: &str) -> i64 {
        store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = ?1", [action], |r| r.get(0)).unwrap()
    }

    #[test]
    fn only_an_administrator_may_see_or_change_it() {
        let (dir, mut store) = centre();
        let key = store.key().cloned();
        for role in [Role::Counsellor, Role::FrontDesk] {
            let ctx = Ctx::now(Actor { staff_id: Some(2), role });
            assert_eq!(status(&ctx, dir.path(), key.as_ref()).unwrap_err().code(), "forbidden");
            let refused = store.write(|tx| set(tx, &ctx, dir.path(), key.as_ref(), true)).unwrap_err();
            assert_eq!(refused.code(), "forbidden");
        }
        let off = status(&admin(), dir.path(), key.as_ref()).unwrap();
        assert_eq!(off, UnattendedStatus { available: AVAILABLE, on: false, works: false }, "off by default");
    }

    #[test]
    fn a_scheduled_backup_is_refused_while_it_is_off() {
        let (dir, store) = centre();
        drop(store);
        assert_eq!(open_for_backup(dir.path()).unwrap_err().code(), "unattended_off");
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(open_for_backup(empty.path()).unwrap_err().code(), "unattended_off");
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_than_windows_it_cannot_be_turned_on_and_nothing_changes() {
        let (dir, mut store) = centre();
        let key = store.key().cloned();
        let before = std::fs::read(dir.path().join(crate::keyslots::KEYS_FILE)).unwrap();
        let e = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), true)).unwrap_err();
        assert_eq!(e.code(), "unattended_unsupported");
        assert_eq!(std::fs::read(dir.path().join(crate::keyslots::KEYS_FILE)).unwrap(), before);
        assert_eq!(entries(&store, "unattended_backup_on"), 0);
        // Turning it off is always possible (and changes nothing when it is off).
        let now = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), false)).unwrap();
        assert_eq!(now, UnattendedStatus { available: false, on: false, works: false });
        assert_eq!(entries(&store, "unattended_backup_off"), 0);
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_turning_it_on_lets_a_scheduled_backup_open_the_key_and_off_stops_it() {
        let (dir, mut store) = centre();
        let key = store.key().cloned();
        let on = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), true)).unwrap();
        assert_eq!(on, UnattendedStatus { available: true, on: true, works: true });
        assert_eq!(entries(&store, "unattended_backup_on"), 1);
        drop(store);
        let opened = open_for_backup(dir.path()).unwrap();
        assert!(Some(&opened) == key.as_ref());
        let mut store = Store::open_with(&paths::db_path(dir.path()), key.as_ref()).unwrap();
        let used: Option<i64> = store
            .conn()
            .query_row("SELECT staff_id FROM audit_log WHERE action = 'unattended_backup_used'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(used, None, "recorded as the system, not as a staff member");

        let off = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), false)).unwrap();
        assert_eq!(off, UnattendedStatus { available: true, on: false, works: false });
        assert_eq!(entries(&store, "unattended_backup_off"), 1);
        drop(store);
        assert_eq!(open_for_backup(dir.path()).unwrap_err().code(), "unattended_off");
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_it_needs_the_backup_key_first() {
        // A new centre: no backup passphrase chosen yet, so no backup could be made.
        let dir = tempfile::tempdir().unwrap();
        let input = crate::auth::SetupInput {
            centre_name: "Naya Savera".into(),
            centre_address: String::new(),
            centre_phone: String::new(),
            admin_name: "Asha Verma".into(),
            username: "asha".into(),
            password: "a long password".into(),
        };
        let (mut store, _) = vault::set_up(dir.path(), &Ctx::now(Actor::system()), &input).unwrap();
        let key = store.key().cloned();
        let e = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), true)).unwrap_err();
        assert_eq!(e.code(), "backup_not_set_up");
        assert!(!KeySlots::load(dir.path()).unwrap().unwrap().has_os());
        assert_eq!(entries(&store, "unattended_backup_on"), 0);
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_a_slot_for_another_key_is_stale_and_turning_it_on_again_mends_it() {
        let (dir, mut store) = centre();
        let key = store.key().cloned();
        // The slot of another database's key (a data folder put together by hand).
        let mut slots = KeySlots::load(dir.path()).unwrap().unwrap();
        slots.put_os(&DbKey::generate().unwrap()).unwrap();
        slots.save(dir.path()).unwrap();
        let now = status(&admin(), dir.path(), key.as_ref()).unwrap();
        assert_eq!(now, UnattendedStatus { available: true, on: true, works: false });
        assert_eq!(open_for_backup(dir.path()).unwrap_err().code(), "unattended_stale");
        let mended = store.write(|tx| set(tx, &admin(), dir.path(), key.as_ref(), true)).unwrap();
        assert!(mended.works);
        drop(store);
        assert!(Some(&open_for_backup(dir.path()).unwrap()) == key.as_ref());
    }
}
