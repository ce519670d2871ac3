//! An encrypted copy of a plain database (issue 15): what the first start of an
//! encrypting Saathi does to a centre's existing file, and what the bench measures
//! encryption's cost on. SQLCipher's own `sqlcipher_export` copies the schema and every
//! row; the copy is then checked (integrity, owner, version, and the same number of rows
//! in every table) before anyone may rely on it. No row of the plain file is changed here.
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::db::{Store, integrity_check};
use crate::error::{Error, Result};
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
        drop(copied);
        integrity_check(out, Some(key))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(out);
    }
    result
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
}
