//! Backup and restore on real files: a round trip brings old data back, the preview tells
//! what a backup holds, and every bad file or passphrase is refused with the live
//! database untouched.
use std::path::{Path, PathBuf};

use saathi_core::backup::{self, key};
use saathi_core::patients;
use saathi_core::{Actor, Ctx, Role, Store};
use saathi_tests::{TempStore, ctx, file_bytes, new_patient};

const PASS: &str = "correct horse battery";

fn admin() -> Ctx {
    Ctx { actor: Actor { staff_id: None, role: Role::Admin }, ..ctx() }
}

/// A centre with a few patients and backup encryption set up (low work factor: tests).
fn centre() -> TempStore {
    let mut ts = TempStore::new();
    let c = ctx();
    ts.store
        .write(|tx| {
            saathi_core::settings::set_centre(tx, &c, "Asha Kendra", "", "")?;
            key::set_up_with_work_factor(tx, &c, PASS, false, 10)?;
            for i in 0..5 {
                patients::create(tx, &c, &new_patient(&format!("Patient {i}"), "2026-11-01"))?;
            }
            Ok(())
        })
        .unwrap();
    ts
}

fn make_backup(ts: &mut TempStore, stick: &Path) -> PathBuf {
    let dir = ts.dir.path().to_path_buf();
    let done = backup::back_up(&mut ts.store, &dir, stick, &admin(), &mut |_| {}).unwrap();
    PathBuf::from(done.path)
}

fn phone_of(store: &Store, id: i64) -> String {
    store.conn().query_row("SELECT phone FROM patients WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

fn set_phone(store: &mut Store, id: i64, phone: &str) {
    let c = ctx();
    store
        .write(|tx| {
            let mut d = saathi_tests::details(&format!("Patient {}", id - 1));
            d.phone = phone.into();
            patients::update(tx, &c, id, &d)
        })
        .unwrap();
}

/// Everything that identifies the live database's content (file bytes after a checkpoint).
fn live_fingerprint(ts: &TempStore) -> Vec<u8> {
    ts.store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    file_bytes(&ts.db_path())
}

#[test]
fn restore_brings_the_old_value_back_after_a_preview_and_keeps_a_safety_copy() {
    let mut ts = centre();
    let stick = tempfile::tempdir().unwrap();
    set_phone(&mut ts.store, 1, "98140 11111");
    let file = make_backup(&mut ts, stick.path());
    set_phone(&mut ts.store, 1, "98140 22222");
    ts.store.write(|tx| patients::create(tx, &ctx(), &new_patient("Added later", "2026-11-20")).map(drop)).unwrap();

    let dir = ts.dir.path().to_path_buf();
    let stored = key::key_file_text(ts.store.conn()).unwrap();
    let prepared = backup::prepare(&admin(), &file, PASS, &dir, stored.as_deref(), None).unwrap();
    let p = &prepared.preview;
    assert_eq!(p.patients, 5);
    assert_eq!(p.centre_name, "Asha Kendra");
    assert_eq!(p.schema_version, saathi_core::db::schema_version());
    assert!(!p.will_migrate);
    assert_eq!(p.app_version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert!(p.made_at.is_some());
    assert_eq!(p.newest.len(), 5);
    // The live database is still the current one while the preview is shown.
    assert_eq!(phone_of(&ts.store, 1), "98140 22222");

    let TempStore { dir: tmp, store } = ts;
    let (store, safety) = backup::apply(&admin(), prepared, tmp.path(), Some(store), None).unwrap();
    assert_eq!(phone_of(&store, 1), "98140 11111");
    let n: i64 = store.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 5);
    // The safety copy holds what was there before, whole.
    let c = rusqlite::Connection::open(&safety).unwrap();
    let phone: String = c.query_row("SELECT phone FROM patients WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(phone, "98140 22222");
    drop(c);
    // Audited in the restored database; the chain still verifies.
    let n: i64 =
        store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'restored'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    assert!(saathi_core::audit::verify(store.conn()).unwrap().ok);
    // The restored backup was checked in full: the reminder counts it.
    let st = backup::status(store.conn(), &admin()).unwrap();
    assert_eq!(st.days_since_last, Some(0));
    // No WAL of the old database survives; reopening works.
    drop(store);
    let mut ts = TempStore {
        dir: tmp,
        store: Store::open(&saathi_core::paths::db_path(safety.parent().unwrap().parent().unwrap())).unwrap(),
    };
    assert_eq!(phone_of(&ts.store, 1), "98140 11111");
    // The next verified backup keeps the safety copy: it stays until an administrator
    // removes it (audited), by its listed name.
    make_backup(&mut ts, stick.path());
    assert!(safety.exists());
    let listed = backup::safety::list(&admin(), ts.dir.path()).unwrap();
    assert_eq!(listed.len(), 1);
    let dir = ts.dir.path().to_path_buf();
    ts.store.write(|tx| backup::safety::remove(tx, &admin(), &dir, &listed[0].file_name)).unwrap();
    assert!(!safety.exists());
}

#[test]
fn a_new_pc_restores_with_only_the_stick_and_the_passphrase() {
    let mut ts = centre();
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut ts, stick.path());
    // A fresh data folder with an empty Saathi (no key stored).
    let fresh = tempfile::tempdir().unwrap();
    let store = Store::open(&fresh.path().join("saathi.db")).unwrap();
    let prepared = backup::prepare(&admin(), &file, PASS, fresh.path(), None, None).unwrap();
    let (store, _) = backup::apply(&admin(), prepared, fresh.path(), Some(store), None).unwrap();
    let n: i64 = store.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 5);
    // The restored centre can back up again with its own key.
    assert!(key::recipient(store.conn()).unwrap().is_some());
}

fn assert_refused(ts: &TempStore, file: &Path, pass: &str, code: &str) {
    let before = live_fingerprint(ts);
    let stored = key::key_file_text(ts.store.conn()).unwrap();
    let err = backup::prepare(&admin(), file, pass, ts.dir.path(), stored.as_deref(), None).unwrap_err();
    assert_eq!(err.code(), code, "{}: {err}", file.display());
    assert!(!err.to_string().is_empty());
    assert_eq!(live_fingerprint(ts), before, "live database untouched");
    // No work file is left beside the live database.
    let left: Vec<String> = std::fs::read_dir(ts.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_files_and_wrong_passphrases_are_refused_without_touching_the_live_database() {
    let mut ts = centre();
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut ts, stick.path());
    let good = std::fs::read(&file).unwrap();
    let work = stick.path().join(backup::FOLDER);

    assert_refused(&ts, &file, "wrong horse battery", "wrong_passphrase");
    assert_refused(&ts, &file, "", "wrong_passphrase");

    // Truncated at several offsets: inside the header, just after it, mid-body, last byte.
    let header_end = good.windows(4).position(|w| w == b"\n---").unwrap() + 48;
    for cut in [10, 40, header_end - 5, header_end + 20, good.len() / 2, good.len() - 1] {
        let p = work.join(format!("cut-{cut}.saathi"));
        std::fs::write(&p, &good[..cut]).unwrap();
        let code = if cut < 19 { "not_a_backup" } else { "backup_damaged" };
        assert_refused(&ts, &p, PASS, code);
    }
    // Bytes flipped in the header (a stanza, the MAC) and in the body.
    for at in [60, header_end - 10, header_end + 100, good.len() / 2, good.len() - 3] {
        let mut bad = good.clone();
        bad[at] ^= 0x20;
        let p = work.join(format!("flip-{at}.saathi"));
        std::fs::write(&p, &bad).unwrap();
        let err_codes = ["backup_damaged", "backup_other_key"];
        let before = live_fingerprint(&ts);
        let stored = key::key_file_text(ts.store.conn()).unwrap();
        let err = backup::prepare(&admin(), &p, PASS, ts.dir.path(), stored.as_deref(), None).unwrap_err();
        assert!(err_codes.contains(&err.code()), "flip at {at}: {}", err.code());
        assert_eq!(live_fingerprint(&ts), before);
    }
    // Not a backup at all: a text file, a bare SQLite database, an empty file.
    let p = work.join("notes.saathi");
    std::fs::write(&p, "shopping list").unwrap();
    assert_refused(&ts, &p, PASS, "not_a_backup");
    let p = work.join("empty.saathi");
    std::fs::write(&p, "").unwrap();
    assert_refused(&ts, &p, PASS, "not_a_backup");
    let p = work.join("plain-db.saathi");
    std::fs::copy(ts.db_path(), &p).unwrap();
    assert_refused(&ts, &p, PASS, "not_a_backup");

    // A valid age file for this key that holds something else.
    let recipient = key::recipient(ts.store.conn()).unwrap().unwrap().to_string();
    let plain = stick.path().join("photo.jpg");
    std::fs::write(&plain, b"\xff\xd8\xff\xe0 not a database").unwrap();
    let p = work.join("photo.saathi");
    backup::seal_file(&plain, &p, &recipient).unwrap();
    assert_refused(&ts, &p, PASS, "not_a_backup");
    // Another program's SQLite database.
    let other = stick.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let p = work.join("other.saathi");
    backup::seal_file(&other, &p, &recipient).unwrap();
    assert_refused(&ts, &p, PASS, "not_a_backup");
    // A backup from a newer Saathi.
    let newer = stick.path().join("newer.db");
    std::fs::copy(ts.db_path(), &newer).unwrap();
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.execute_batch(&format!("PRAGMA user_version = {}", saathi_core::db::schema_version() + 1)).unwrap();
    drop(c);
    let p = work.join("newer.saathi");
    backup::seal_file(&newer, &p, &recipient).unwrap();
    assert_refused(&ts, &p, PASS, "backup_newer");
}

#[test]
fn a_backup_of_another_centre_is_refused_plainly() {
    let mut a = centre();
    let mut b = centre();
    let stick_a = tempfile::tempdir().unwrap();
    let file_a = make_backup(&mut a, stick_a.path());
    let _ = make_backup(&mut b, stick_a.path());
    // Move A's backup where B's key file sits beside it, and remove A's key from A's folder.
    let lone = tempfile::tempdir().unwrap();
    let moved = lone.path().join(file_a.file_name().unwrap());
    std::fs::copy(&file_a, &moved).unwrap();
    let stored_b = key::key_file_text(b.store.conn()).unwrap();
    std::fs::remove_file(b.dir.path().join(key::KEY_FILE)).ok();
    let err = backup::prepare(&admin(), &moved, PASS, b.dir.path(), stored_b.as_deref(), None).unwrap_err();
    assert_eq!(err.code(), "backup_other_key");
}

#[test]
fn restoring_a_local_snapshot_needs_no_passphrase() {
    let mut ts = centre();
    let dir = ts.dir.path().to_path_buf();
    set_phone(&mut ts.store, 2, "11111 11111");
    let snap = backup::local_snapshot_if_due(ts.store.conn(), None, &dir, &ctx()).unwrap().unwrap();
    set_phone(&mut ts.store, 2, "22222 22222");
    let prepared = backup::prepare_local(&admin(), &snap, &dir, None).unwrap();
    let TempStore { dir: tmp, store } = ts;
    let (store, _) = backup::apply(&admin(), prepared, tmp.path(), Some(store), None).unwrap();
    assert_eq!(phone_of(&store, 2), "11111 11111");
}

#[test]
fn a_damaged_live_database_can_be_replaced_from_a_backup() {
    let mut ts = centre();
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut ts, stick.path());
    let TempStore { dir, store } = ts;
    drop(store);
    let db = dir.path().join("saathi.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096..len.min(4096 * 3)] {
        *b = 0xAA;
    }
    std::fs::write(&db, &bytes).unwrap();
    assert!(Store::open(&db).is_err(), "start-up check fails");
    let prepared = backup::prepare(&admin(), &file, PASS, dir.path(), None, None).unwrap();
    let (store, safety) = backup::apply(&admin(), prepared, dir.path(), None, None).unwrap();
    let n: i64 = store.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 5);
    // The damaged file is kept as it was, for whoever wants to look at it.
    assert_eq!(std::fs::read(&safety).unwrap(), bytes);
}
