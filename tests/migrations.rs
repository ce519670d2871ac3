//! The store refuses what it must not touch, and leaves it exactly as it was.
use std::path::Path;

use rusqlite::Connection;
use saathi_core::db::{APPLICATION_ID, DB_FILE, schema_version};
use saathi_core::{Store, patients};
use saathi_tests::{TempStore, ctx, file_bytes, new_patient};

fn sidecars(db: &Path) -> Vec<bool> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = db.as_os_str().to_owned();
            p.push(s);
            Path::new(&p).exists()
        })
        .collect()
}

#[test]
fn a_fresh_database_is_marked_and_at_the_latest_version() {
    let ts = TempStore::new();
    let c = ts.store.conn();
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let id: i32 = c.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(v, schema_version());
    assert_eq!(id, APPLICATION_ID);
    let fk: Vec<String> = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(fk.is_empty());
    // Opening again changes nothing and keeps the data.
    let mut ts = ts;
    ts.store.write(|tx| patients::create(tx, &ctx(), &new_patient("Asha", "2026-11-01"))).unwrap();
    let ts = ts.reopen();
    assert_eq!(patients::counts(ts.store.conn(), &ctx()).unwrap().inpatients, 1);
}

#[test]
fn a_database_from_a_newer_saathi_is_refused_and_left_untouched() {
    let ts = TempStore::new();
    let path = ts.db_path();
    let TempStore { dir, store } = ts;
    store.conn().execute_batch(&format!("PRAGMA user_version = {}", schema_version() + 5)).unwrap();
    // Checkpoint so the file alone holds everything, then close.
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").unwrap();
    drop(store);
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "database_newer");
    assert!(err.to_string().contains("newer version of Saathi"), "{err}");
    assert_eq!(file_bytes(&path), before, "file unchanged");
    assert_eq!(sidecars(&path), [false, false, false], "no journal files created");
    drop(dir);
}

#[test]
fn a_sqlite_file_of_another_program_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts VALUES (1, 'x');",
        )
        .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "database_not_saathi");
    assert_eq!(file_bytes(&path), before);
    assert_eq!(sidecars(&path), [false, false, false]);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    std::fs::write(&path, "Patient list\nRavi, 98140 12345\n".repeat(50)).unwrap();
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "database_not_saathi");
    assert!(err.to_string().contains("has not been changed"), "{err}");
    assert_eq!(file_bytes(&path), before);
    assert_eq!(sidecars(&path), [false, false, false]);
}

#[test]
fn a_damaged_saathi_database_is_refused_never_repaired() {
    let mut ts = TempStore::new();
    let c = ctx();
    ts.store
        .write(|tx| {
            for i in 0..400 {
                patients::create(tx, &c, &new_patient(&format!("Person {i}"), "2026-11-01"))?;
            }
            Ok(())
        })
        .unwrap();
    let path = ts.db_path();
    let TempStore { dir, store } = ts;
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").unwrap();
    let page_size: i64 = store.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let page_size = page_size as usize;
    let root: i64 =
        store.conn().query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'patients'", [], |r| r.get(0)).unwrap();
    let root = root as usize;
    drop(store);
    let mut bytes = file_bytes(&path);
    assert!(bytes.len() > page_size * 8);
    // Scribble over the start of the register's root page (its header and cell pointers).
    for b in &mut bytes[page_size * (root - 1)..page_size * (root - 1) + 200] {
        *b = 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "database_damaged", "{err}");
    assert!(err.to_string().contains("not been changed or deleted"), "{err}");
    assert_eq!(file_bytes(&path), bytes, "never repaired or rewritten");
    drop(dir);
}

#[test]
fn migrations_apply_atomically_from_an_empty_file() {
    // An empty (zero-byte) file is a new database, not a foreign one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path).unwrap();
    let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, schema_version());
    let tables: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'patients'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}

/// A first start that stopped half-way (the disk filled while the new database was being
/// created) leaves a SQLite file with nothing in it: no table, no owner, no version. The
/// next start finishes creating it, the staged start included.
#[test]
fn a_database_whose_creation_stopped_half_way_is_finished_at_the_next_start() {
    for staged in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            // What SQLite wrote before the first migration: the header, in WAL mode.
            let c = Connection::open(&path).unwrap();
            let mode: String = c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
            assert_eq!(mode, "wal");
        }
        assert!(std::fs::metadata(&path).unwrap().len() >= 100, "a real SQLite header");
        let store = if staged {
            match Store::open_in_stages(&path, None).unwrap() {
                saathi_core::db::Opening::Ready(store) => store,
                saathi_core::db::Opening::Unchecked(_) => panic!("a blank file is not up to date"),
            }
        } else {
            Store::open(&path).unwrap()
        };
        let app: i32 = store.conn().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!((app, v), (APPLICATION_ID, schema_version()));
        let mut ts = TempStore { dir, store };
        ts.store.write(|tx| patients::create(tx, &ctx(), &new_patient("Asha", "2026-11-01"))).unwrap();
        let ts = ts.reopen();
        let n: i64 = ts.store.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }
}

/// A blank file is only one with nothing of anyone's in it: an empty schema that another
/// program marked (its own application id or version) is still refused, untouched.
#[test]
fn an_empty_sqlite_file_marked_by_another_program_is_still_refused() {
    for mark in ["PRAGMA application_id = 1234", "PRAGMA user_version = 3"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        Connection::open(&path).unwrap().execute_batch(mark).unwrap();
        let before = file_bytes(&path);
        assert!(before.len() >= 100, "{mark}: written");
        let err = Store::open(&path).unwrap_err();
        assert_eq!(err.code(), "database_not_saathi", "{mark}");
        assert_eq!(file_bytes(&path), before, "{mark}");
    }
}
