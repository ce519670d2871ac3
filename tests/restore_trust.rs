//! Restore trusts nothing (issue 15 §3), on real encrypted centres, real backup files on
//! a "stick" and real daily copies: a backup or copy whose schema is not exactly Saathi's
//! own is refused with the live data untouched; without a signed-in administrator, a
//! restore needs this centre's recovery code or backup passphrase, and only this centre's
//! own backup key opens a backup.
use std::path::{Path, PathBuf};

use saathi_core::auth::SetupInput;
use saathi_core::backup::{self, key};
use saathi_core::keyslots::DbKey;
use saathi_core::{Store, patients, vault};
use saathi_tests::{ctx, new_patient};

const ADMIN_PASS: &str = "first-admin-pass";

/// A centre as the window sets it up (encrypted, the administrator's and the recovery
/// code's key slots), with its backup key (and backup slot, and the key file kept in the
/// data folder) and one patient. Returns the open store, the recovery code and the key.
fn centre(dir: &Path, name: &str, passphrase: &str) -> (Store, String, DbKey) {
    let input = SetupInput {
        centre_name: name.into(),
        centre_address: String::new(),
        centre_phone: String::new(),
        admin_name: "Asha Verma".into(),
        username: "asha".into(),
        password: ADMIN_PASS.into(),
    };
    let (mut store, result) = vault::set_up(dir, &ctx(), &input).unwrap();
    let key = store.key().cloned().unwrap();
    store
        .write(|tx| {
            key::set_up_with_work_factor(tx, &ctx(), passphrase, false, 10)?;
            patients::create(tx, &ctx(), &new_patient(&format!("Patient of {name}"), "2026-11-01"))?;
            Ok(())
        })
        .unwrap();
    let recipient = key::recipient(store.conn()).unwrap().unwrap();
    vault::put_backup(dir, &key, &recipient).unwrap();
    key::write_key_file(dir, &key::key_file_text(store.conn()).unwrap().unwrap()).unwrap();
    (store, result.recovery_code, key)
}

fn back_up(store: &mut Store, dir: &Path, stick: &Path) -> PathBuf {
    PathBuf::from(backup::back_up(store, dir, stick, &ctx(), &mut |_| {}).unwrap().path)
}

/// The live database's bytes, once it is closed (everything in the main file).
fn closed_bytes(store: Store, dir: &Path) -> Vec<u8> {
    drop(store);
    db_bytes(dir)
}

fn db_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(saathi_core::paths::db_path(dir)).unwrap()
}

fn restore_work_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore-"))
        .collect()
}

#[test]
fn a_backup_or_daily_copy_with_one_extra_trigger_is_refused_and_the_live_data_is_untouched() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (mut store, _, key) = centre(data.path(), "Asha Kendra", "correct horse battery");
    // Someone with the key adds a trigger that would run on the live data after a
    // restore; the backup and the daily copy taken then carry it.
    store
        .conn()
        .execute_batch(
            "CREATE TRIGGER steal AFTER UPDATE ON patients BEGIN UPDATE patients SET phone = '' WHERE 0; END;",
        )
        .unwrap();
    let file = back_up(&mut store, data.path(), stick.path());
    let snapshot = backup::local_snapshot_if_due(store.conn(), Some(&key), data.path(), &ctx()).unwrap().unwrap();
    store.conn().execute_batch("DROP TRIGGER steal").unwrap();
    let stored = key::key_file_text(store.conn()).unwrap();
    let before = closed_bytes(store, data.path());

    let admin = ctx();
    for refused in [
        backup::prepare(&admin, &file, "correct horse battery", data.path(), stored.as_deref(), Some(&key)),
        backup::prepare_local(&admin, &snapshot, data.path(), Some(&key)),
    ] {
        let e = refused.unwrap_err();
        assert_eq!(e.code(), "restore_schema_foreign", "{e}");
        let named = e.payload().params;
        assert_eq!(
            (named["kind"].as_str(), named["name"].as_str()),
            ("trigger", "steal"),
            "the refusal names what differs"
        );
    }
    assert!(db_bytes(data.path()) == before, "the live database is untouched");
    assert_eq!(restore_work_files(data.path()), Vec::<String>::new(), "no work file is left");
    // The same centre's clean backup still restores.
    let mut store = Store::open_with(&saathi_core::paths::db_path(data.path()), Some(&key)).unwrap();
    let clean = back_up(&mut store, data.path(), stick.path());
    let prepared =
        backup::prepare(&admin, &clean, "correct horse battery", data.path(), stored.as_deref(), Some(&key)).unwrap();
    assert_eq!(prepared.preview.patients, 1);
}

#[test]
fn without_sign_in_a_daily_copy_needs_the_recovery_code_or_the_backup_passphrase() {
    let data = tempfile::tempdir().unwrap();
    let (store, code, key) = centre(data.path(), "Asha Kendra", "correct horse battery");
    let snapshot = backup::local_snapshot_if_due(store.conn(), Some(&key), data.path(), &ctx()).unwrap().unwrap();
    // A plain database from elsewhere, with an administrator whose password someone knows.
    let elsewhere = tempfile::tempdir().unwrap();
    let foreign = elsewhere.path().join("saathi.db");
    {
        let mut s = Store::open(&foreign).unwrap();
        s.write(|tx| patients::create(tx, &ctx(), &new_patient("Someone Else", "2026-11-01")).map(drop)).unwrap();
    }
    let before = closed_bytes(store, data.path());

    for file in [&snapshot, &foreign] {
        for wrong in ["", ADMIN_PASS, "not the passphrase", "ABCD-EFGH-JKLM"] {
            let e = backup::prepare_unsigned(file, wrong, data.path()).unwrap_err();
            assert_eq!(e.code(), "restore_needs_proof", "{}: {wrong:?}: {e}", file.display());
        }
    }
    // The recovery code (as typed: lower case) or the backup passphrase opens the folder's key.
    for secret in [code.to_lowercase(), "correct horse battery".to_owned()] {
        let p = backup::prepare_unsigned(&snapshot, &secret, data.path()).unwrap();
        assert_eq!(p.preview.patients, 1);
        assert_eq!(p.key(), Some(&key), "the copy opens with the folder's key");
    }
    // With the proof, a copy from elsewhere is encrypted with this folder's key too.
    let p = backup::prepare_unsigned(&foreign, &code, data.path()).unwrap();
    assert_eq!((p.preview.patients, p.key()), (1, Some(&key)));
    drop(p);
    assert!(db_bytes(data.path()) == before, "nothing is changed before the confirmation");
    assert_eq!(restore_work_files(data.path()), Vec::<String>::new());

    // Confirmed: the daily copy replaces the live database, which still opens with the key.
    let p = backup::prepare_unsigned(&snapshot, &code, data.path()).unwrap();
    let target = p.key().cloned();
    let (restored, safety) = backup::apply(&ctx(), p, data.path(), None, target.as_ref()).unwrap();
    assert_eq!(restored.key(), Some(&key));
    assert!(safety.exists());
}

#[test]
fn without_sign_in_only_this_centres_own_backup_key_opens_a_backup() {
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let our_stick = tempfile::tempdir().unwrap();
    let (mut store, code, key) = centre(ours.path(), "Asha Kendra", "correct horse battery");
    let our_backup = back_up(&mut store, ours.path(), our_stick.path());
    let before = closed_bytes(store, ours.path());
    // Another centre's backup with its key files beside it: its passphrase opens them, but
    // they are not this centre's, even when the passphrase is the same as ours.
    for pass in ["another centre's passphrase", "correct horse battery"] {
        let other = tempfile::tempdir().unwrap();
        let their_stick = tempfile::tempdir().unwrap();
        let (mut s, _, _) = centre(other.path(), "Other Kendra", pass);
        let their_backup = back_up(&mut s, other.path(), their_stick.path());
        let e = backup::prepare_unsigned(&their_backup, pass, ours.path()).unwrap_err();
        assert_eq!(e.code(), "backup_key_not_this_centre", "{pass}: {e}");
        // A signed-in administrator may restore it (their choice, with its passphrase).
        let stored = None;
        assert!(backup::prepare(&ctx(), &their_backup, pass, ours.path(), stored, Some(&key)).is_ok());
    }
    // The recovery code does not decrypt a backup; the wrong passphrase is refused as such.
    assert_eq!(backup::prepare_unsigned(&our_backup, &code, ours.path()).unwrap_err().code(), "wrong_passphrase");
    // Our own backup, with our passphrase: prepared with our key.
    let p = backup::prepare_unsigned(&our_backup, "correct horse battery", ours.path()).unwrap();
    assert_eq!((p.preview.patients, p.key()), (1, Some(&key)));
    drop(p);
    assert!(db_bytes(ours.path()) == before, "the live database is untouched");
    // A new PC's empty folder has nothing to protect: the other centre's backup goes in.
    let (mut s, _, other_key) = centre(theirs.path(), "Third Kendra", "third passphrase here");
    let third_stick = tempfile::tempdir().unwrap();
    let third = back_up(&mut s, theirs.path(), third_stick.path());
    drop(s);
    let fresh = tempfile::tempdir().unwrap();
    let p = backup::prepare_unsigned(&third, "third passphrase here", fresh.path()).unwrap();
    assert_eq!(p.key(), Some(&other_key));
}

/// A restore keeps the history: the audit entries made after the backup (and the
/// "restore" entry itself) are carried into the restored trail, marked with their numbers,
/// and the trail still verifies; the audit anchor follows the restore. A database put
/// back by hand instead (an older copy) is found at the next check.
#[test]
fn a_restore_carries_the_entries_made_since_the_backup_and_the_anchor_follows_it() {
    use saathi_core::{anchor, audit};
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (mut store, _, key) = centre(data.path(), "Asha Kendra", "correct horse battery");
    // The newest entry the backup's copy holds (the backup records "backup_made" after it).
    let at_backup: i64 = store.conn().query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0)).unwrap();
    let file = back_up(&mut store, data.path(), stick.path());
    for name in ["After Backup One", "After Backup Two"] {
        store.write(|tx| patients::create(tx, &ctx(), &new_patient(name, "2026-11-20")).map(drop)).unwrap();
    }
    anchor::write(store.conn(), data.path()).unwrap();
    let stored = key::key_file_text(store.conn()).unwrap();
    let prepared =
        backup::prepare(&ctx(), &file, "correct horse battery", data.path(), stored.as_deref(), Some(&key)).unwrap();
    let live_after: Vec<(i64, String)> = {
        let mut s = store.conn().prepare("SELECT id, action FROM audit_log WHERE id > ?1 ORDER BY id").unwrap();
        s.query_map([at_backup], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert!(live_after.iter().any(|(_, a)| a == "backup_made"), "{live_after:?}");
    assert_eq!(live_after.iter().filter(|(_, a)| a == "patient_created").count(), 2);
    let (restored, safety) = backup::apply(&ctx(), prepared, data.path(), Some(store), Some(&key)).unwrap();

    let c = restored.conn();
    let carried: Vec<(i64, String)> = {
        let mut s =
            c.prepare("SELECT carried_from, action FROM audit_log WHERE carried_from IS NOT NULL ORDER BY id").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    // Everything after the backup, then the "restore" entry the live database wrote last.
    let mut expected = live_after.clone();
    let restore_entry = carried.last().unwrap().clone();
    assert_eq!(restore_entry.1, "restore");
    expected.push(restore_entry);
    assert_eq!(carried, expected);
    let newest: String =
        c.query_row("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(newest, "restored");
    // The patients made after the backup are gone with the restore; their trail is not.
    let n: i64 =
        c.query_row("SELECT count(*) FROM patients WHERE full_name LIKE 'After Backup%'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    let check = audit::verify(c).unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(anchor::check(c, data.path()).unwrap(), anchor::AnchorCheck::Holds { entry: check.entries });
    // The audit log screen's rows say which entries were carried, and from where.
    let mut restored = restored;
    let q = audit::AuditQuery { limit: 100, ..Default::default() };
    let page = restored.write(|tx| audit::query(tx, &ctx(), &q)).unwrap();
    let shown: Vec<i64> = page.rows.iter().filter_map(|r| r.carried_from).collect();
    assert_eq!(shown.len(), carried.len());
    drop(restored);

    // Someone puts the older database (the safety copy) back by hand: the anchor finds it.
    let db = saathi_core::paths::db_path(data.path());
    std::fs::copy(&safety, &db).unwrap();
    let _ = std::fs::remove_file(data.path().join("saathi.db-wal"));
    let swapped = Store::open_with(&db, Some(&key)).unwrap();
    let found = anchor::check(swapped.conn(), data.path()).unwrap();
    assert!(found.is_warning(), "{found:?}");
}

/// Every backup records the audit trail's head when it was made; at a restore the live
/// trail is held against it: it still holds that entry, or entries were removed since.
#[test]
fn a_backup_is_an_anchor_for_the_live_audit_trail() {
    use saathi_core::anchor::AnchorCheck;
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (mut store, _, key) = centre(data.path(), "Asha Kendra", "correct horse battery");
    let head = saathi_core::anchor::head(store.conn()).unwrap().unwrap();
    let file = back_up(&mut store, data.path(), stick.path());
    let stored = key::key_file_text(store.conn()).unwrap();
    let prepare = |store: &Store| {
        let mut p = backup::prepare(&ctx(), &file, "correct horse battery", data.path(), stored.as_deref(), Some(&key))
            .unwrap();
        backup::audit_against(&mut p, store.conn()).unwrap();
        p.preview
    };
    let preview = prepare(&store);
    assert_eq!(preview.audit_head.as_ref(), Some(&head), "the head when the copy was made");
    assert_eq!(preview.live_trail, Some(AnchorCheck::Holds { entry: head.entry }));
    // Someone with the key cuts the live trail short (the triggers dropped).
    store
        .conn()
        .execute_batch(&format!("DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE id >= {};", head.entry - 1))
        .unwrap();
    let preview = prepare(&store);
    assert_eq!(preview.live_trail, Some(AnchorCheck::Shorter { anchored: head.entry, newest: head.entry - 2 }));
}
