//! Backup and restore of an encrypted centre (issue 15), on real files with real SQLCipher:
//! nothing the backup module writes is readable without the key; a backup restores into
//! the same centre and into a new data folder with only the stick and the passphrase; a
//! copy encrypted with another key is re-encrypted to the key the database keeps; a wrong
//! passphrase or a missing key file is refused with the live database untouched.
use std::path::{Path, PathBuf};

use saathi_core::backup::{self, key};
use saathi_core::keyslots::{DbKey, KeySlots};
use saathi_core::patients;
use saathi_core::{Actor, Ctx, Role, Store};
use saathi_tests::{TempStore, ctx, file_bytes, new_patient};

const PASS: &str = "correct horse battery";
const LATIN: &str = "Kavita Ramdulari";
const DEVANAGARI: &str = "कविता रामदुलारी";
const PHONE: &str = "98140 76543";

fn admin() -> Ctx {
    Ctx { actor: Actor { staff_id: None, role: Role::Admin }, ..ctx() }
}

/// An encrypted centre with backup encryption set up and a patient whose name (in Latin
/// and Devanagari) and phone must never be readable in any file.
fn centre(key: &DbKey) -> TempStore {
    let mut ts = TempStore::encrypted(key);
    let c = ctx();
    ts.store
        .write(|tx| {
            saathi_core::settings::set_centre(tx, &c, "Asha Kendra", "", "")?;
            key::set_up_with_work_factor(tx, &c, PASS, false, 10)?;
            let mut p = new_patient(LATIN, "2026-11-01");
            p.details.preferred_name = DEVANAGARI.into();
            p.details.phone = PHONE.into();
            patients::create(tx, &c, &p)?;
            for i in 0..4 {
                patients::create(tx, &c, &new_patient(&format!("Patient {i}"), "2026-11-01"))?;
            }
            Ok(())
        })
        .unwrap();
    ts
}

fn make_backup(ts: &mut TempStore, stick: &Path) -> PathBuf {
    let dir = ts.dir.path().to_path_buf();
    PathBuf::from(backup::back_up(&mut ts.store, &dir, stick, &admin(), &mut |_| {}).unwrap().path)
}

fn phone_of(store: &Store, id: i64) -> String {
    store.conn().query_row("SELECT phone FROM patients WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

fn set_phone(store: &mut Store, phone: &str) {
    store.conn().execute("UPDATE patients SET phone = ?1 WHERE id = 1", [phone]).unwrap();
}

/// What of the secrets `bytes` shows, if anything.
fn readable(bytes: &[u8]) -> Option<&'static str> {
    ["SQLite format 3", LATIN, DEVANAGARI, PHONE, "Asha Kendra"]
        .into_iter()
        .find(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

/// Every file under `dir`, with what it shows.
fn readable_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(what) = readable(&std::fs::read(&p).unwrap()) {
                out.push((p, what));
            }
        }
    }
    out
}

fn opens_with(path: &Path, key: &DbKey) -> bool {
    Store::open_with(path, Some(key)).is_ok()
}

/// The `.restore-*` work files beside the live database.
fn work_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".restore-"))
        .collect()
}

#[test]
fn nothing_written_for_an_encrypted_centre_is_readable() {
    let key = DbKey::generate().unwrap();
    let mut ts = centre(&key);
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut ts, stick.path());
    let dir = ts.dir.path().to_path_buf();
    let snap = backup::local_snapshot_if_due(ts.store.conn(), ts.store.key(), &dir, &ctx()).unwrap().unwrap();
    assert_eq!(readable(&file_bytes(&snap)), None, "the daily snapshot");
    // The backup on the stick: neither the file nor its content once the age layer is off.
    assert_eq!(readable(&file_bytes(&file)), None);
    // A restore prepared: its work file (the backup's content, the age layer removed);
    // then applied: the safety copy.
    let prepared = backup::prepare(&admin(), &file, PASS, &dir, None, ts.store.key()).unwrap();
    let work = work_files(&dir);
    assert_eq!(work.len(), 1);
    assert_eq!(readable(&file_bytes(&work[0])), None, "the restore work file");
    let TempStore { dir: tmp, store } = ts;
    let (store, safety) = backup::apply(&admin(), prepared, tmp.path(), Some(store), Some(&key)).unwrap();
    assert_eq!(readable(&file_bytes(&safety)), None, "the safety copy");
    assert!(opens_with(&safety, &key), "the safety copy is encrypted with the live key");
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    // And nothing else in the data folder or on the stick either.
    assert_eq!(readable_files(tmp.path()), vec![]);
    assert_eq!(readable_files(stick.path()), vec![]);
}

#[test]
fn an_encrypted_backup_restores_into_the_same_centre_with_the_same_key() {
    let key = DbKey::generate().unwrap();
    let mut ts = centre(&key);
    let stick = tempfile::tempdir().unwrap();
    set_phone(&mut ts.store, "98140 11111");
    let file = make_backup(&mut ts, stick.path());
    set_phone(&mut ts.store, "98140 22222");
    let dir = ts.dir.path().to_path_buf();
    let stored = key::key_file_text(ts.store.conn()).unwrap();
    let prepared = backup::prepare(&admin(), &file, PASS, &dir, stored.as_deref(), ts.store.key()).unwrap();
    assert_eq!(prepared.preview.patients, 5);
    assert_eq!(prepared.preview.centre_name, "Asha Kendra");
    assert_eq!(prepared.key(), Some(&key));
    let TempStore { dir: tmp, store } = ts;
    let (store, safety) = backup::apply(&admin(), prepared, tmp.path(), Some(store), Some(&key)).unwrap();
    assert_eq!(phone_of(&store, 1), "98140 11111");
    assert_eq!(store.key(), Some(&key));
    drop(store);
    let db = saathi_core::paths::db_path(tmp.path());
    assert!(opens_with(&db, &key));
    assert!(Store::open(&db).is_err(), "not readable without the key");
    let before = Store::open_with(&safety, Some(&key)).unwrap();
    assert_eq!(phone_of(&before, 1), "98140 22222");
}

#[test]
fn a_new_pc_restores_with_the_stick_and_the_passphrase_alone() {
    let key = DbKey::generate().unwrap();
    let mut ts = centre(&key);
    let stick = tempfile::tempdir().unwrap();
    set_phone(&mut ts.store, "98140 33333");
    let file = make_backup(&mut ts, stick.path());
    let recipient = key::recipient(ts.store.conn()).unwrap().unwrap();

    // Through saathi-db-key.age beside the backup, into a folder whose new key differs.
    let fresh = tempfile::tempdir().unwrap();
    let prepared = backup::prepare(&admin(), &file, PASS, fresh.path(), None, None).unwrap();
    assert_eq!(prepared.key(), Some(&key));
    let new_key = DbKey::generate().unwrap();
    let (store, _) = backup::apply(&admin(), prepared, fresh.path(), None, Some(&new_key)).unwrap();
    assert_eq!(phone_of(&store, 1), "98140 33333");
    assert_eq!(store.key(), Some(&new_key));
    drop(store);
    let db = saathi_core::paths::db_path(fresh.path());
    assert!(opens_with(&db, &new_key));
    assert!(!opens_with(&db, &key), "re-encrypted before the swap");
    assert_eq!(readable_files(fresh.path()), vec![]);

    // Without the key file on the stick: the backup slot of the folder's saathi.keys.
    let lone = tempfile::tempdir().unwrap();
    let moved = lone.path().join(file.file_name().unwrap());
    std::fs::copy(&file, &moved).unwrap();
    std::fs::copy(file.with_file_name(key::KEY_FILE), lone.path().join(key::KEY_FILE)).unwrap();
    let other = tempfile::tempdir().unwrap();
    let mut slots = KeySlots::empty();
    slots.put_backup(&recipient, &key).unwrap();
    slots.save(other.path()).unwrap();
    let prepared = backup::prepare(&admin(), &moved, PASS, other.path(), None, None).unwrap();
    assert_eq!(prepared.key(), Some(&key));
    // Adopting the backup's own key: no re-encryption, the stick's key file stays right.
    let adopted = prepared.key().cloned();
    let (store, _) = backup::apply(&admin(), prepared, other.path(), None, adopted.as_ref()).unwrap();
    assert_eq!(store.key(), Some(&key));
    assert_eq!(phone_of(&store, 1), "98140 33333");
}

#[test]
fn a_copy_encrypted_with_another_key_is_re_encrypted_to_the_live_key() {
    let (key_a, key_b) = (DbKey::generate().unwrap(), DbKey::generate().unwrap());
    let mut a = centre(&key_a);
    let b = centre(&key_b);
    let stick = tempfile::tempdir().unwrap();
    set_phone(&mut a.store, "98140 44444");
    let file = make_backup(&mut a, stick.path());
    // B restores A's backup: B's key does not open it, the key file beside it does.
    let stored_b = key::key_file_text(b.store.conn()).unwrap();
    let prepared = backup::prepare(&admin(), &file, PASS, b.dir.path(), stored_b.as_deref(), b.store.key()).unwrap();
    assert_eq!(prepared.key(), Some(&key_a));
    let TempStore { dir, store } = b;
    let (store, safety) = backup::apply(&admin(), prepared, dir.path(), Some(store), Some(&key_b)).unwrap();
    assert_eq!(phone_of(&store, 1), "98140 44444");
    assert_eq!(store.key(), Some(&key_b));
    drop(store);
    let db = saathi_core::paths::db_path(dir.path());
    assert!(opens_with(&db, &key_b) && !opens_with(&db, &key_a));
    assert!(opens_with(&safety, &key_b), "the safety copy keeps B's key");
    assert_eq!(work_files(dir.path()), Vec::<PathBuf>::new(), "no work file left");
    assert_eq!(readable_files(dir.path()), vec![]);
}

#[test]
fn a_backup_made_before_encryption_is_encrypted_on_its_way_in() {
    // A plain centre's backup (as every backup before issue 15).
    let mut plain = TempStore::new();
    let c = ctx();
    plain
        .store
        .write(|tx| {
            saathi_core::settings::set_centre(tx, &c, "Asha Kendra", "", "")?;
            key::set_up_with_work_factor(tx, &c, PASS, false, 10)?;
            let mut p = new_patient(LATIN, "2026-11-01");
            p.details.phone = PHONE.into();
            patients::create(tx, &c, &p).map(drop)
        })
        .unwrap();
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut plain, stick.path());
    assert!(!stick.path().join(backup::FOLDER).join(key::DB_KEY_FILE).exists(), "no key to carry");
    let fresh = tempfile::tempdir().unwrap();
    let as_it_is = backup::prepare(&admin(), &file, PASS, fresh.path(), None, None).unwrap();
    assert_eq!(as_it_is.key(), None, "plain content");
    drop(as_it_is);
    // Restored into an encrypted centre: the work file is encrypted with the live key.
    let key = DbKey::generate().unwrap();
    let ts = centre(&key);
    let prepared = backup::prepare(&admin(), &file, PASS, ts.dir.path(), None, ts.store.key()).unwrap();
    assert_eq!(prepared.key(), Some(&key));
    let work = work_files(ts.dir.path());
    assert_eq!(work.len(), 1, "the plain one is gone");
    assert_eq!(readable(&file_bytes(&work[0])), None);
    let TempStore { dir, store } = ts;
    let (store, _) = backup::apply(&admin(), prepared, dir.path(), Some(store), Some(&key)).unwrap();
    assert_eq!(phone_of(&store, 1), PHONE);
    drop(store);
    assert_eq!(readable_files(dir.path()), vec![]);
}

#[test]
fn a_local_snapshot_of_an_encrypted_centre_restores_with_the_live_key() {
    let key = DbKey::generate().unwrap();
    let mut ts = centre(&key);
    let dir = ts.dir.path().to_path_buf();
    set_phone(&mut ts.store, "11111 11111");
    let snap = backup::local_snapshot_if_due(ts.store.conn(), ts.store.key(), &dir, &ctx()).unwrap().unwrap();
    set_phone(&mut ts.store, "22222 22222");
    // Without the key it is refused plainly.
    assert_eq!(backup::prepare_local(&admin(), &snap, &dir, None).unwrap_err().code(), "backup_db_key_missing");
    let other = DbKey::generate().unwrap();
    assert_eq!(backup::prepare_local(&admin(), &snap, &dir, Some(&other)).unwrap_err().code(), "not_a_backup");
    let prepared = backup::prepare_local(&admin(), &snap, &dir, ts.store.key()).unwrap();
    let TempStore { dir: tmp, store } = ts;
    let (store, _) = backup::apply(&admin(), prepared, tmp.path(), Some(store), Some(&key)).unwrap();
    assert_eq!(phone_of(&store, 1), "11111 11111");
}

#[test]
fn a_wrong_passphrase_or_a_missing_key_file_is_refused_and_the_live_database_untouched() {
    let key = DbKey::generate().unwrap();
    let mut ts = centre(&key);
    let stick = tempfile::tempdir().unwrap();
    let file = make_backup(&mut ts, stick.path());
    let fingerprint = |ts: &TempStore| {
        ts.store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        file_bytes(&ts.db_path())
    };
    let refused = |ts: &TempStore, file: &Path, pass: &str, dir: &Path, live: Option<&DbKey>, code: &str| {
        let before = fingerprint(ts);
        let err = backup::prepare(&admin(), file, pass, dir, None, live).unwrap_err();
        assert_eq!(err.code(), code, "{}: {err}", file.display());
        assert!(!err.to_string().is_empty());
        assert_eq!(fingerprint(ts), before, "live database untouched");
        assert_eq!(work_files(dir), Vec::<PathBuf>::new(), "no work file left");
    };
    refused(&ts, &file, "wrong horse battery", ts.dir.path(), ts.store.key(), "wrong_passphrase");

    // The backup and its passphrase-protected key, but not the database's key.
    let lone = tempfile::tempdir().unwrap();
    let moved = lone.path().join(file.file_name().unwrap());
    std::fs::copy(&file, &moved).unwrap();
    std::fs::copy(file.with_file_name(key::KEY_FILE), lone.path().join(key::KEY_FILE)).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    refused(&ts, &moved, PASS, fresh.path(), None, "backup_db_key_missing");
    // Nor does another centre's key help, nor a key file for another key pair.
    let other = DbKey::generate().unwrap();
    refused(&ts, &moved, PASS, fresh.path(), Some(&other), "backup_db_key_missing");
    std::fs::write(lone.path().join(key::DB_KEY_FILE), b"age-encryption.org/v1\nnot really").unwrap();
    refused(&ts, &moved, PASS, fresh.path(), None, "backup_db_key_missing");
    // The live centre itself is as it was.
    assert_eq!(phone_of(&ts.store, 1), PHONE);
}
