//! An encrypted copy of a plain database (issue 15): what the first start of an
//! encrypting Saathi does to a centre's existing file, and what the bench measures
//! encryption's cost on. SQLCipher's own `sqlcipher_export` copies the schema and every
//! row; the copy is then checked (integrity, owner, version, and the same number of rows
//! in every table) before anyone may rely on it. No row of the plain file is changed here.
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::db::{SQLITE_MAGIC, Store};
use crate::error::{Error, Result};
use crate::files::{sync_dir, with_suffix};
use crate::keyslots::DbKey;

/// Every table's name and row count, in name order.
fn row_counts(conn: &Connection, schema: &str) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names
        .into_iter()
        .map(|n| {
            let count =
                conn.query_row(&format!("SELECT count(*) FROM {schema}.\"{}\"", n.replace('"', "\"\"")), [], |r| {
                    r.get(0)
                })?;
            Ok((n, count))
        })
        .collect()
}

/// Writes `out` (which must not exist) as an encrypted copy of the plain Saathi database
/// `plain`, and checks it. On any failure `out` is removed; `plain` keeps every row.
pub fn encrypted_copy(plain: &Path, out: &Path, key: &DbKey) -> Result<()> {
    if out.exists() {
        return Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists", out.display()),
        )));
    }
    // The source is inspected as any plain file is (header, owner, version, integrity).
    drop(Store::open(plain)?);
    let result = (|| -> Result<()> {
        // Read-write and create, because the attached copy is created through this connection;
        // nothing is written to `main`.
        let conn = Connection::open_with_flags(
            plain,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let target =
            out.to_str().ok_or_else(|| Error::Io(std::io::Error::other("the folder's name is not valid text")))?;
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", [target, key.pragma_value().as_str()])?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // `sqlcipher_export` copies schema and rows; the header's owner and version are set here.
        let (app, version): (i32, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        conn.execute_batch(&format!(
            "PRAGMA encrypted.application_id = {app}; PRAGMA encrypted.user_version = {version};"
        ))?;
        conn.execute_batch("DETACH DATABASE encrypted")?;
        // The copy is read back on a connection of its own (the export writes virtual
        // tables' entries straight into the copy's schema, which this one has cached).
        let expected = row_counts(&conn, "main")?;
        let copied = Store::open_with(out, Some(key))?;
        if row_counts(copied.conn(), "main")? != expected {
            return Err(Error::Damaged {
                path: out.display().to_string(),
                detail: "the encrypted copy does not hold the same rows".into(),
            });
        }
        // Opening the copy ran its integrity check too (`Store::open_with` on an existing file).
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(out);
    }
    result
}

pub(crate) fn is_plain_sqlite(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    let n = std::io::Read::read(&mut f, &mut head)?;
    Ok(n == 16 && &head == SQLITE_MAGIC)
}

/// Overwrites a file with zeros (synced), then removes it. On an SSD or a journalling file
/// system the old blocks may survive elsewhere; this is the best an application can do.
fn overwrite_and_remove(path: &Path) -> Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)?;
    Ok(())
}

/// Step 4: the old plain file goes, and with it any WAL or shared-memory file beside the
/// database (they were the plain file's: conversion runs before the encrypted database is
/// first opened, and a WAL from another file must never be replayed into it).
fn finish_swap(db: &Path, plain_old: &Path) -> Result<()> {
    for side in ["-wal", "-shm"] {
        let stale = with_suffix(db, side);
        if stale.exists() {
            overwrite_and_remove(&stale)?;
        }
    }
    overwrite_and_remove(plain_old)
}

/// What [`encrypt_in_place`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Converted {
    /// The database was already encrypted (nothing to do, or a finished conversion's
    /// last step done).
    AlreadyEncrypted,
    /// The plain database was converted now.
    Now,
}

/// Finishes the steps of an interrupted conversion that need no key (3 and 4 below): a
/// crash between the two renames, or before the old file was removed. True if the
/// database is (now) the encrypted one.
pub fn finish_interrupted(db: &Path) -> Result<bool> {
    let (encrypted, plain_old) = (with_suffix(db, ".encrypted"), with_suffix(db, ".plain"));
    if !db.exists() {
        if !(encrypted.exists() && plain_old.exists()) {
            return Ok(false);
        }
        std::fs::rename(&encrypted, db)?;
        sync_dir(db.parent().unwrap_or(Path::new(".")));
    }
    if is_plain_sqlite(db)? {
        return Ok(false);
    }
    if plain_old.exists() {
        finish_swap(db, &plain_old)?;
    }
    Ok(true)
}

/// Makes the plain database at `db` encrypted with `key`, in steps that a power cut at any
/// moment leaves recoverable: whatever the moment, the next start finds either the old
/// plain file (and converts it again, with a new key) or the finished, checked encrypted
/// one (and [`finish_interrupted`] completes the job).
///
/// 1. the copy is written to `….encrypting` and checked;
/// 2. it is renamed `….encrypted` (complete and checked), then `before_swap` runs (the
///    caller saves the key's slots: from here on the key must not be lost);
/// 3. the plain file is renamed `….plain`, then `….encrypted` becomes the database;
/// 4. `….plain` (and its empty WAL files) are overwritten and removed.
pub fn encrypt_in_place(db: &Path, key: &DbKey, before_swap: impl FnOnce() -> Result<()>) -> Result<Converted> {
    if finish_interrupted(db)? {
        return Ok(Converted::AlreadyEncrypted);
    }
    if !db.exists() {
        return Err(Error::NotFound { what: "The database" });
    }
    let (encrypting, encrypted, plain_old) =
        (with_suffix(db, ".encrypting"), with_suffix(db, ".encrypted"), with_suffix(db, ".plain"));
    let dir = db.parent().unwrap_or(Path::new("."));
    // The database is plain: a copy left by an interrupted run was made with that run's
    // key, which went with it (its slots were never saved, or are replaced below).
    for stale in [&encrypting, &encrypted] {
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    // The copy reads the plain file through SQLite, its WAL included; closing the last
    // connection folds the WAL into the file.
    encrypted_copy(db, &encrypting, key)?;
    // Opened for writing: Windows refuses to flush a file opened only for reading.
    std::fs::OpenOptions::new().write(true).open(&encrypting)?.sync_all()?;
    std::fs::rename(&encrypting, &encrypted)?;
    sync_dir(dir);
    before_swap()?;
    std::fs::rename(db, &plain_old)?;
    sync_dir(dir);
    std::fs::rename(&encrypted, db)?;
    sync_dir(dir);
    finish_swap(db, &plain_old)?;
    Ok(Converted::Now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DB_FILE;

    #[test]
    fn the_copy_holds_every_row_encrypted_and_the_plain_file_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join(DB_FILE);
        let mut demo = Store::open(&plain).unwrap();
        crate::demo::generate(&mut demo, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 7).unwrap();
        let before = row_counts(demo.conn(), "main").unwrap();
        drop(demo);
        let out = dir.path().join("encrypted.db");
        let key = DbKey::generate().unwrap();
        encrypted_copy(&plain, &out, &key).unwrap();

        let bytes = std::fs::read(&out).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"));
        let store = Store::open_with(&out, Some(&key)).unwrap();
        let source = Store::open(&plain).unwrap();
        assert_eq!(row_counts(source.conn(), "main").unwrap(), before, "the plain file keeps every row");
        assert_eq!(row_counts(store.conn(), "main").unwrap(), before);
        let names = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT full_name FROM patients ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let shown = names(source.conn());
        assert!(!shown.is_empty());
        assert_eq!(names(store.conn()), shown);
        for name in &shown {
            assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()), "{name} readable in the copy");
        }
    }

    #[test]
    fn an_existing_target_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join(DB_FILE);
        drop(Store::open(&plain).unwrap());
        let out = dir.path().join("encrypted.db");
        std::fs::write(&out, b"someone's file").unwrap();
        assert!(encrypted_copy(&plain, &out, &DbKey::generate().unwrap()).is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"someone's file");
    }

    /// A plain centre with the demo data, and its row counts.
    fn demo_centre(dir: &Path) -> (std::path::PathBuf, Vec<(String, i64)>) {
        let db = dir.join(DB_FILE);
        let mut demo = Store::open(&db).unwrap();
        crate::demo::generate(&mut demo, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 7).unwrap();
        let counts = row_counts(demo.conn(), "main").unwrap();
        (db, counts)
    }

    fn encrypted_rows(db: &Path, key: &DbKey) -> Vec<(String, i64)> {
        let store = Store::open_with(db, Some(key)).unwrap();
        row_counts(store.conn(), "main").unwrap()
    }

    #[test]
    fn a_plain_centre_is_converted_in_place_and_no_plain_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let (db, counts) = demo_centre(dir.path());
        let key = DbKey::generate().unwrap();
        assert_eq!(encrypt_in_place(&db, &key, || Ok(())).unwrap(), Converted::Now);
        assert_eq!(encrypted_rows(&db, &key), counts);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.starts_with(b"SQLite format 3"), "{} is plain", path.display());
        }
        assert_eq!(encrypt_in_place(&db, &key, || Ok(())).unwrap(), Converted::AlreadyEncrypted);
    }

    /// Each state a power cut can leave is finished by the next start, with every row.
    #[test]
    fn every_interrupted_step_is_finished_by_the_next_call() {
        for step in ["copy half-written", "copy finished", "plain moved aside", "swapped, old not yet removed"] {
            let dir = tempfile::tempdir().unwrap();
            let (db, counts) = demo_centre(dir.path());
            let key = DbKey::generate().unwrap();
            let (encrypting, encrypted, plain_old) =
                (with_suffix(&db, ".encrypting"), with_suffix(&db, ".encrypted"), with_suffix(&db, ".plain"));
            match step {
                "copy half-written" => std::fs::write(&encrypting, b"half a copy").unwrap(),
                _ => {
                    {
                        let s = Store::open(&db).unwrap();
                        s.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
                    }
                    encrypted_copy(&db, &encrypted, &key).unwrap();
                    if step != "copy finished" {
                        std::fs::rename(&db, &plain_old).unwrap();
                    }
                    if step == "swapped, old not yet removed" {
                        std::fs::rename(&encrypted, &db).unwrap();
                    }
                }
            }
            let next = DbKey::generate().unwrap();
            encrypt_in_place(&db, &next, || Ok(())).unwrap_or_else(|e| panic!("{step}: {e}"));
            let swapped = matches!(step, "plain moved aside" | "swapped, old not yet removed");
            assert_eq!(encrypted_rows(&db, if swapped { &key } else { &next }), counts, "{step}");
            for left in [encrypting, encrypted, plain_old] {
                assert!(!left.exists(), "{step}: {} left behind", left.display());
            }
        }
    }
}
