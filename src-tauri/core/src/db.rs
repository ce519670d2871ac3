//! The store: one SQLite file, opened with the same pragmas every time, migrated
//! atomically, and refused (never changed) when it is newer, foreign or damaged.
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::keyslots::DbKey;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Marks a SQLite file as Saathi's ("SATH").
pub const APPLICATION_ID: i32 = 0x5341_5448;
/// The name of the database file inside a data folder.
pub const DB_FILE: &str = "saathi.db";
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The schema version this build writes: the number of the last migration.
pub fn schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| i64::from(m.0))
}

/// Set on every connection Saathi opens.
fn apply_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "journal mode is not WAL");
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;")?;
    // 16 MB of pages (SQLite's default is 2 MB): a ten-year centre's file is ~500 MB and the
    // busiest screens touch a few MB of indexes; the cache fills only as pages are read.
    conn.execute_batch("PRAGMA cache_size = -16384;")?;
    statement_cache(conn)?;
    Ok(())
}

/// Statements the screens run again and again stay prepared. Without the planner's
/// stability guarantee (QPSG), SQLite 3.54 marks a statement whose planning looked at a
/// bound value (a group id, a `LIMIT ?`, a date against a partial index) to be prepared
/// again each time that value changes, so a cached statement is re-parsed on nearly
/// every use: the year report re-prepared its sessions query 4,499 times in one bench
/// run (see the README's performance table for what it costs).
fn statement_cache(conn: &Connection) -> Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The key the file is encrypted with (none for a plain file or one in memory): the
    /// copies made from this store (snapshots, backups) are encrypted with it too.
    key: Option<DbKey>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Opens a connection to `path`. With a key, SQLCipher gets it before anything else is
/// read: the file is encrypted page by page (a new file is created encrypted).
pub(crate) fn connect(path: &Path, flags: OpenFlags, key: Option<&DbKey>) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        // SQLCipher writes its own errors to stderr (a wrong key printed "ERROR CORE
        // sqlcipher_page_cipher: hmac check failed…" at the command line); Saathi reports
        // them as its own codes instead. (A setting of the whole process.)
        conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))?;
        conn.pragma_update(None, "key", key.pragma_value().as_str())?;
    }
    // Every connection Saathi opens can seal audit entries and anchors with this key
    // (the early one and a copy being inspected too), so none falls back to unkeyed seals.
    crate::audit::register_seal(&conn, key)?;
    Ok(conn)
}

/// For tests and the bench (`dev-tools`): a connection opened as Saathi opens them (the
/// key, the audit sealing function), owned by the caller (who may need it `&mut`), without
/// the store's settings or migrations.
#[cfg(any(test, feature = "dev-tools"))]
pub fn connect_raw(path: &Path, key: Option<&DbKey>) -> rusqlite::Result<Connection> {
    connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)
}

impl Store {
    /// Opens (or creates) the plain database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// Opens (or creates) the database at `path`, encrypted with `key` when there is one,
    /// and brings its schema up to date.
    pub fn open_with(path: &Path, key: Option<&DbKey>) -> Result<Store> {
        let existing = path.metadata().map(|m| m.len() > 0).unwrap_or(false);
        if existing {
            inspect_existing(path, key)?;
        } else if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Store::open_unchecked(path, key)
    }

    /// Opens the database for a window that wants its first screen at once: a file that
    /// is new or needs migrating is opened (and checked) as by [`Store::open`]; an
    /// encrypted one exactly as the last window left it after [`check_at_close`] is
    /// opened at once; another up-to-date one is only looked at (header, owner, version)
    /// and handed back [`Opening::Unchecked`], with a read-only connection for the first
    /// screen. Before anything is written, [`integrity_check`] must pass, then
    /// [`Store::open_checked`].
    pub fn open_in_stages(path: &Path, key: Option<&DbKey>) -> Result<Opening> {
        let existing = path.metadata().map(|m| m.len() > 0).unwrap_or(false);
        if !existing {
            return Store::open_with(path, key).map(Opening::Ready);
        }
        let (early, version) = inspect_head(path, key)?;
        if version < schema_version() {
            drop(early);
            return Store::open_with(path, key).map(Opening::Ready);
        }
        // Exactly as the last window left it, checked whole as it closed: no second check.
        if key.is_some() && crate::clean_close::take(&early, path) {
            drop(early);
            return Store::open_checked(path, key).map(Opening::Ready);
        }
        Ok(Opening::Unchecked(early))
    }

    /// Opens a file whose [`integrity_check`] has just passed (no second check).
    pub fn open_checked(path: &Path, key: Option<&DbKey>) -> Result<Store> {
        Store::open_unchecked(path, key)
    }

    fn open_unchecked(path: &Path, key: Option<&DbKey>) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = connect(path, flags, key).map_err(|e| damaged_or(path, e))?;
        apply_pragmas(&conn).map_err(|e| match e {
            Error::Sqlite(s) => damaged_or(path, s),
            other => other,
        })?;
        let mut store = Store { conn, path: path.to_path_buf(), key: key.cloned() };
        store.migrate()?;
        // SQLite keeps the planner's statistics up to date itself: this looks at every
        // table (and analyses, within a small limit, one whose size changed much or that
        // has an index never analysed, as a migration leaves it); closing runs it again
        // (see `Drop`). No plan is pinned by hand.
        store.conn.execute_batch("PRAGMA optimize = 0x10002;")?;
        Ok(store)
    }

    /// A fresh database in memory (tests and benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        crate::audit::register_seal(&conn, None)?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        statement_cache(&conn)?;
        let mut store = Store { conn, path: PathBuf::from(":memory:"), key: None };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key this store's file is encrypted with, if it is.
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    /// Reads take a plain connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one immediate transaction: all of it is saved, or none of it.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Brings the schema up to date in one transaction. Foreign keys are not enforced while
    /// the migrations run (a table whose CHECK changes is rebuilt, which SQLite's own
    /// procedure does with them off) and are checked all at once before the commit: any
    /// row left pointing nowhere refuses the whole upgrade.
    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        let out = self.migrate_unchecked_keys();
        self.conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        out
    }

    fn migrate_unchecked_keys(&mut self) -> Result<()> {
        let path = self.path.display().to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app_id: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let latest = schema_version();
        if version > latest {
            return Err(Error::NewerDatabase { found: version, supported: latest });
        }
        if version > 0 && app_id != APPLICATION_ID {
            return Err(Error::NotSaathi { path });
        }
        if version == 0 {
            let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(Error::NotSaathi { path });
            }
        }
        for (number, name, sql) in MIGRATIONS.iter().filter(|m| i64::from(m.0) > version) {
            tracing::info!(number, name, "applying migration");
            tx.execute_batch(sql)?;
        }
        if version < latest {
            let dangling: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
            if let Some(table) = dangling {
                return Err(Error::Damaged {
                    path,
                    detail: format!("a row of {table} points nowhere after the upgrade"),
                });
            }
            tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {latest};"))?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Drop for Store {
    /// The statistics the connection's queries would use, brought up to date before it
    /// closes (SQLite's advice for long-lived connections); a failure only costs a plan.
    fn drop(&mut self) {
        if let Err(e) = self.conn.execute_batch("PRAGMA optimize;") {
            tracing::warn!(error = %e, "PRAGMA optimize at close");
        }
    }
}

/// What [`Store::open_in_stages`] found.
pub enum Opening {
    /// Open, checked and up to date.
    Ready(Store),
    /// Looked at but not yet checked: a read-only connection, for reads only.
    Unchecked(Connection),
}

/// Looks at an existing file without changing it: the SQLite header, then a read-only
/// connection for the application id, the schema version and `quick_check`.
fn inspect_existing(path: &Path, key: Option<&DbKey>) -> Result<()> {
    let (conn, _) = inspect_head(path, key)?;
    quick_check(&conn, path)
}

/// `quick_check` over the whole file, on a read-only connection of its own: slow on a
/// large centre, so a window runs it beside its first screen.
pub fn integrity_check(path: &Path, key: Option<&DbKey>) -> Result<()> {
    let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)
        .map_err(|e| damaged_or(path, e))?;
    quick_check(&conn, path)
}

/// A window's last act on an encrypted database, once every connection that writes has
/// closed: the full check, then the note that lets the next start skip it (see
/// clean_close.rs). Returns whether the note was written.
pub fn check_at_close(path: &Path, key: &DbKey) -> Result<bool> {
    let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, Some(key))
        .map_err(|e| damaged_or(path, e))?;
    quick_check(&conn, path)?;
    crate::clean_close::write(&conn, path)
}

fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let check: rusqlite::Result<Vec<String>> =
        conn.prepare("PRAGMA quick_check").and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
    match check {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Ok(()),
        Ok(lines) => Err(Error::Damaged {
            path: path.display().to_string(),
            detail: format!("{} problem(s) found by the integrity check", lines.len()),
        }),
        Err(e) => Err(damaged_or(path, e)),
    }
}

/// The cheap part of the inspection: header, owner and version, on a read-only
/// connection that is handed back with the version. An encrypted file's header is
/// ciphertext like the rest: with a key, owner and version are asked of SQLCipher only.
fn inspect_head(path: &Path, key: Option<&DbKey>) -> Result<(Connection, i64)> {
    let shown = path.display().to_string();
    if key.is_none() {
        let mut header = [0u8; 100];
        let mut file = File::open(path)?;
        let read = file.read(&mut header)?;
        if read < 100 || &header[..16] != SQLITE_MAGIC {
            return Err(Error::NotSaathi { path: shown });
        }
        let has_wal = wal_path(path).exists();
        let header_app_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
        // Without a WAL file the header on disk is the whole truth; with one, page 1 may
        // be newer in the WAL, so ask SQLite.
        // (0: no owner yet, which a first start that stopped half-way leaves; asked below.)
        if !has_wal && header_app_id != APPLICATION_ID && header_app_id != 0 {
            return Err(Error::NotSaathi { path: shown });
        }
    }
    let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)
        .map_err(|e| damaged_or(path, e))?;
    let probe = (|| -> rusqlite::Result<(i32, i64, i64)> {
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app_id, version, objects))
    })();
    let (app_id, version, objects) = probe.map_err(|e| damaged_or(path, e))?;
    // A SQLite file with nothing in it, no owner and no version is a new database whose
    // creation stopped half-way (a full disk at the first start): it is finished, like an
    // empty file. Anything else not marked as Saathi's is another program's.
    let blank = app_id == 0 && version == 0 && objects == 0;
    if app_id != APPLICATION_ID && !blank {
        return Err(Error::NotSaathi { path: shown });
    }
    let latest = schema_version();
    if version > latest {
        return Err(Error::NewerDatabase { found: version, supported: latest });
    }
    Ok((conn, version))
}

fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

fn damaged_or(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotSaathi { path: path.display().to_string() },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Damaged { path: path.display().to_string(), detail: "SQLite reports corruption".into() }
        }
        _ => Error::from(e),
    }
}

/// Keeps a second Saathi window from opening the same data folder while this one runs.
/// The lock is released when the value is dropped or the process ends (even by a crash).
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

impl InstanceLock {
    pub fn acquire(data_dir: &Path) -> Result<InstanceLock> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("saathi.lock");
        let file = File::options().create(true).truncate(false).write(true).open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(InstanceLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::AlreadyOpen { path: data_dir.display().to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::Io(e)),
        }
    }

    /// Like [`InstanceLock::acquire`], but gives a window that is still closing (finishing
    /// its daily snapshot or a backup) up to `patience` to let go, so that closing Saathi
    /// and opening it again at once does not say "already open".
    pub fn acquire_within(data_dir: &Path, patience: std::time::Duration) -> Result<InstanceLock> {
        let start = std::time::Instant::now();
        loop {
            match InstanceLock::acquire(data_dir) {
                Err(Error::AlreadyOpen { .. }) if start.elapsed() < patience => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.0 as usize, i + 1);
        }
        assert!(schema_version() >= 1);
    }

    #[test]
    fn every_connection_gets_the_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let c = store.conn();
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        let app: i32 = c.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        let cache: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(cache, -16384, "a 16 MB page cache");
        assert_eq!(sync, 2, "synchronous=FULL");
        assert_eq!(fk, 1);
        assert_eq!(app, APPLICATION_ID);
    }

    /// Every byte Saathi writes for an encrypted database (the file and its WAL) is
    /// unreadable without the key; with it, everything reads back.
    #[test]
    fn an_encrypted_store_keeps_nothing_readable_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = DbKey::generate().unwrap();
        let mut store = Store::open_with(&path, Some(&key)).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO patients (full_name, phone, gender, phase, search_text, created_at, updated_at)
                     VALUES ('Ashavari Secretname', '9876543210', 'female', 'inpatient', 'ashavari', 't', 't')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        // Both the WAL (not yet checkpointed) and, after closing, the main file.
        for stage in ["open", "closed"] {
            for file in std::fs::read_dir(dir.path()).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                for needle in [&b"Ashavari"[..], b"Secretname", b"9876543210", b"SQLite format 3", b"patients"] {
                    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{stage}: {needle:?} readable");
                }
            }
            if stage == "open" {
                drop(std::mem::replace(&mut store, Store::open_in_memory().unwrap()));
            }
        }
        let store = Store::open_with(&path, Some(&key)).unwrap();
        let name: String = store.conn().query_row("SELECT full_name FROM patients", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Ashavari Secretname");
        drop(store);

        let before = std::fs::read(&path).unwrap();
        let other = DbKey::generate().unwrap();
        assert_eq!(Store::open_with(&path, Some(&other)).unwrap_err().code(), "database_not_saathi");
        assert_eq!(Store::open(&path).unwrap_err().code(), "database_not_saathi");
        assert_eq!(std::fs::read(&path).unwrap(), before, "a refused open changes nothing");

        // The start-up path of the window: looked at, checked, then opened.
        let Opening::Unchecked(early) = Store::open_in_stages(&path, Some(&key)).unwrap() else {
            panic!("expected Unchecked")
        };
        drop(early);
        integrity_check(&path, Some(&key)).unwrap();
        Store::open_checked(&path, Some(&key)).unwrap();
    }

    #[test]
    fn a_file_checked_as_it_closed_opens_at_once_and_any_change_since_brings_the_check_back() {
        use crate::clean_close::CHECKED_FILE;
        let ready =
            |path: &Path, key: &DbKey| matches!(Store::open_in_stages(path, Some(key)).unwrap(), Opening::Ready(_));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = DbKey::generate().unwrap();
        drop(Store::open_with(&path, Some(&key)).unwrap());
        assert!(!ready(&path, &key), "no note: checked at start");

        assert!(check_at_close(&path, &key).unwrap());
        assert!(ready(&path, &key), "as the last window left it");
        assert!(!dir.path().join(CHECKED_FILE).exists() && !ready(&path, &key), "a note is used once");

        // Written since (by anything): size or time differ.
        assert!(check_at_close(&path, &key).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(50));
        let store = Store::open_with(&path, Some(&key)).unwrap();
        store.conn().execute_batch("CREATE TABLE later (x); INSERT INTO later VALUES (randomblob(5000));").unwrap();
        drop(store);
        assert!(!ready(&path, &key), "changed after the note");

        // A power cut's write-ahead log beside it.
        assert!(check_at_close(&path, &key).unwrap());
        std::fs::write(wal_path(&path), b"left by a power cut").unwrap();
        assert!(!ready(&path, &key), "a log left over");
        std::fs::remove_file(wal_path(&path)).unwrap();

        // A note written by hand, or another centre's with this file's size and time.
        assert!(check_at_close(&path, &key).unwrap());
        let ours: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(CHECKED_FILE)).unwrap()).unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let other_path = other_dir.path().join(DB_FILE);
        let other_key = DbKey::generate().unwrap();
        drop(Store::open_with(&other_path, Some(&other_key)).unwrap());
        assert!(check_at_close(&other_path, &other_key).unwrap());
        let mut theirs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(other_dir.path().join(CHECKED_FILE)).unwrap()).unwrap();
        theirs["len"] = ours["len"].clone();
        theirs["modified"] = ours["modified"].clone();
        std::fs::write(dir.path().join(CHECKED_FILE), serde_json::to_vec(&theirs).unwrap()).unwrap();
        assert!(!ready(&path, &key), "not sealed with this centre's key");

        // A damaged file is never noted as whole.
        let mut bytes = std::fs::read(&path).unwrap();
        let end = bytes.len().min(4096 * 4);
        bytes[4096..end].fill(0x5A);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(check_at_close(&path, &key).unwrap_err().code(), "database_damaged");
        assert!(!dir.path().join(CHECKED_FILE).exists());
    }

    #[test]
    fn an_encrypted_store_from_a_newer_saathi_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let key = DbKey::generate().unwrap();
        let store = Store::open_with(&path, Some(&key)).unwrap();
        store.conn().execute_batch(&format!("PRAGMA user_version = {};", schema_version() + 1)).unwrap();
        drop(store);
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(Store::open_with(&path, Some(&key)), Err(Error::NewerDatabase { .. })));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    /// A cached statement stays prepared when its parameters change (see
    /// `statement_cache`): the year report's sessions query, run for two groups.
    #[test]
    fn cached_statements_are_not_prepared_again_for_new_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let sql = "SELECT s.id, s.date, s.cancelled, s.held, coalesce(t.attended, 0) FROM group_series x
                   JOIN group_sessions s ON s.series_id = x.id
                   LEFT JOIN group_session_tallies t ON t.session_id = s.id
                   WHERE x.group_id = ?1 AND s.date BETWEEN ?2 AND ?3";
        for (group, from) in [(1, "2026-01-01"), (2, "2025-06-01"), (3, "2024-01-01")] {
            let mut stmt = store.conn().prepare_cached(sql).unwrap();
            stmt.query_map(rusqlite::params![group, from, "2026-12-31"], |r| r.get::<_, i64>(0))
                .unwrap()
                .for_each(drop);
            assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0, "group {group}");
        }
    }

    /// A Saathi file with the migrations up to `version` applied, as that release made it.
    fn at_version(path: &Path, version: u32) -> Connection {
        let c = Connection::open(path).unwrap();
        for (n, _, sql) in MIGRATIONS.iter().filter(|m| m.0 <= version) {
            c.execute_batch(sql).unwrap_or_else(|e| panic!("migration {n}: {e}"));
        }
        c.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {version};"))
            .unwrap();
        c
    }

    /// Asha (patient 1) and a weekly sharing circle (group 1, series 1), as any version
    /// since 0006 holds them.
    const ASHA_AND_A_CIRCLE: &str = "
        INSERT INTO patients (id, full_name, gender, phase, search_text, created_at, updated_at)
          VALUES (1, 'Asha', 'female', 'inpatient', 'asha', 't', 't');
        INSERT INTO therapy_groups (id, name, kind, audience, created_at, updated_at)
          VALUES (1, 'Circle', 'sharing_circle', 'inpatients', 't', 't');
        INSERT INTO group_series (id, group_id, lineage_id, freq, start_date, start_time, duration_min, valid_from, created_at)
          VALUES (1, 1, 1, 'weekly', '2026-01-05', '10:00', 60, '2026-01-05', 't');";

    /// Every row `sql` gives, each read by `f`.
    fn rows<T>(c: &Connection, sql: &str, f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>) -> Vec<T> {
        c.prepare(sql).unwrap().query_map([], f).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn a_centre_upgraded_to_0013_keeps_what_each_consent_flag_said_as_dated_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let c = at_version(&path, 12);
            c.execute_batch(
                "INSERT INTO staff (id, full_name, role, active, created_at, updated_at)
                   VALUES (7, 'Desk', 'front_desk', 1, 't', 't');
                 INSERT INTO patients (id, full_name, gender, phase, search_text, family_name, family_relation,
                                       consent_phone, consent_family, consent_roster_name, created_at, created_by,
                                       updated_at)
                   VALUES (1, 'Asha', 'female', 'inpatient', 'asha', 'Sita', 'Mother', 1, 0, 1,
                           '2025-03-04T05:06:07Z', 7, 't'),
                          (2, 'Ravi', 'male', 'aftercare', 'ravi', '', '', 0, 1, 0, '2024-12-31T20:00:00Z', NULL, 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let got = rows(
            store.conn(),
            "SELECT patient_id, kind, given, detail, decided_on, how, recorded_by FROM consents ORDER BY patient_id, kind",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            },
        );
        let reg = |p, kind: &str, given, detail: &str, on: &str, by| {
            (p, kind.to_owned(), given, detail.to_owned(), on.to_owned(), "register".to_owned(), by)
        };
        assert_eq!(
            got,
            [
                reg(1, "family_contact", false, "Sita (Mother)", "2025-03-04", Some(7)),
                reg(1, "full_name_on_lists", true, "", "2025-03-04", Some(7)),
                reg(1, "phone_followup", true, "", "2025-03-04", Some(7)),
                reg(2, "family_contact", true, "", "2024-12-31", None),
                reg(2, "full_name_on_lists", false, "", "2024-12-31", None),
                reg(2, "phone_followup", false, "", "2024-12-31", None),
            ]
        );
        let flags: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM pragma_table_info('patients') WHERE name LIKE 'consent%'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(flags, 0, "the flags are gone: the records decide");
        for kind in [crate::consents::ConsentKind::PhoneFollowup, crate::consents::ConsentKind::FullNameOnLists] {
            assert!(crate::consents::now(store.conn(), 1, kind).unwrap());
            assert!(!crate::consents::now(store.conn(), 2, kind).unwrap());
        }
    }

    #[test]
    fn a_centre_upgraded_to_0014_keeps_its_stays_and_the_plans_that_point_at_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let c = at_version(&path, 13);
            c.execute_batch(
                "INSERT INTO patients (id, full_name, gender, phase, search_text, created_at, updated_at)
                   VALUES (1, 'Asha', 'female', 'aftercare', 'asha', 't', 't');
                 INSERT INTO stays (id, patient_id, admitted_on, discharged_on, discharge_type, created_at)
                   VALUES (4, 1, '2025-01-02', '2025-03-01', 'against_advice', 't'), (9, 1, '2025-06-01', NULL, NULL, 't');
                 INSERT INTO aftercare_plans (id, patient_id, stay_id, template_name, rules, started_on, status, created_at)
                   VALUES (1, 1, 4, 'Standard', '{}', '2025-03-01', 'active', 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let c = store.conn();
        let stays = rows(c, "SELECT id, admitted_on, discharge_type, admission_basis FROM stays ORDER BY id", |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
        });
        assert_eq!(
            stays,
            [
                (4, "2025-01-02".to_owned(), Some("against_advice".to_owned()), "independent".to_owned()),
                (9, "2025-06-01".to_owned(), None, "independent".to_owned())
            ]
        );
        let fk: i64 = c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 0, "the plan still points at its stay");
        let on: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(on, 1, "foreign keys are enforced again after the upgrade");
        // The new discharge types are accepted, the no-delete rule and the one-open-stay
        // index came back with the table.
        c.execute("UPDATE stays SET discharge_type = 'absconded' WHERE id = 4", []).unwrap();
        assert!(c.execute("DELETE FROM stays WHERE id = 4", []).unwrap_err().to_string().contains("never deleted"));
        let second_open =
            c.execute("INSERT INTO stays (patient_id, admitted_on, created_at) VALUES (1, '2025-07-01', 't')", []);
        assert!(second_open.is_err(), "at most one open stay");
        let bad = c.execute(
            "INSERT INTO aftercare_plans (patient_id, stay_id, template_name, rules, started_on, status, created_at)
                             VALUES (1, 77, 'x', '{}', '2025-03-01', 'paused', 't')",
            [],
        );
        assert!(bad.is_err(), "foreign keys are checked again");
    }

    #[test]
    fn an_upgrade_that_would_leave_a_row_pointing_nowhere_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let c = at_version(&path, 13);
            // Written with foreign keys off (as a damaged or hand-edited file might be).
            c.execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO stays (id, patient_id, admitted_on, created_at) VALUES (1, 99, '2025-01-02', 't');",
            )
            .unwrap();
        }
        let e = Store::open(&path).err().map(|e| e.code());
        assert_eq!(e, Some("database_damaged"));
        let c = Connection::open(&path).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 13, "nothing of the upgrade was kept");
    }

    #[test]
    fn a_centre_upgraded_to_0007_has_every_mark_tied_to_its_group_for_good() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        // A centre at version 6 with two groups and marks in both.
        {
            let c = at_version(&path, 6);
            c.execute_batch(
                "INSERT INTO patients (id, full_name, gender, phase, search_text, created_at, updated_at)
                   VALUES (1, 'Asha', 'female', 'inpatient', 'asha', 't', 't');
                 INSERT INTO therapy_groups (id, name, kind, audience, created_at, updated_at)
                   VALUES (1, 'Circle', 'sharing_circle', 'inpatients', 't', 't'), (2, 'After', 'aftercare', 'aftercare', 't', 't');
                 INSERT INTO group_series (id, group_id, lineage_id, freq, start_date, start_time, duration_min, valid_from, created_at)
                   VALUES (1, 1, 1, 'weekly', '2026-01-05', '10:00', 60, '2026-01-05', 't'),
                          (2, 2, 2, 'weekly', '2026-01-05', '18:00', 60, '2026-01-05', 't');
                 INSERT INTO group_sessions (id, series_id, original_date, date, start_time, duration_min, updated_at)
                   VALUES (1, 1, '2026-01-05', '2026-01-05', '10:00', 60, 't'), (2, 2, '2026-01-05', '2026-01-05', '18:00', 60, 't');
                 INSERT INTO group_attendance (session_id, patient_id, status, recorded_at) VALUES (1, 1, 'present', 't'), (2, 1, 'absent', 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let c = store.conn();
        let groups = |c: &Connection| -> Vec<(i64, Option<i64>)> {
            rows(c, "SELECT session_id, group_id FROM group_attendance ORDER BY id", |r| Ok((r.get(0)?, r.get(1)?)))
        };
        assert_eq!(groups(c), [(1, Some(1)), (2, Some(2))], "existing marks are filled in");
        c.execute("INSERT INTO group_attendance (session_id, dropin_name, dropin, status, recorded_at) VALUES (2, 'Ravi', 1, 'present', 't')", [])
            .unwrap();
        assert_eq!(groups(c)[2], (2, Some(2)), "new marks get theirs from the session");
        for sql in [
            "UPDATE group_attendance SET session_id = 1 WHERE id = 2",
            "UPDATE group_attendance SET group_id = 1 WHERE id = 2",
            "UPDATE group_sessions SET series_id = 1 WHERE id = 2",
        ] {
            let e = c.execute(sql, []).unwrap_err().to_string();
            assert!(e.contains("stays with its"), "{sql}: {e}");
        }
        c.execute("UPDATE group_attendance SET status = 'late' WHERE id = 2", []).unwrap();
    }

    #[test]
    fn a_centre_upgraded_to_0009_has_its_attendance_tallied_and_kept_tallied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        // A centre at version 8: one member, a window that ended, marks inside and outside it.
        {
            let c = at_version(&path, 8);
            c.execute_batch(ASHA_AND_A_CIRCLE).unwrap();
            c.execute_batch(
                "INSERT INTO group_sessions (id, series_id, original_date, date, start_time, duration_min, held, cancelled, updated_at)
                   VALUES (1, 1, '2026-01-05', '2026-01-05', '10:00', 60, 'held', 0, 't'),
                          (2, 1, '2026-01-12', '2026-01-12', '10:00', 60, 'held', 0, 't'),
                          (3, 1, '2026-01-19', '2026-01-19', '10:00', 60, 'held', 1, 't'),
                          (4, 1, '2026-02-02', '2026-02-02', '10:00', 60, 'held', 0, 't');
                 INSERT INTO group_memberships (id, group_id, patient_id, joined_on, left_on, leave_reason, created_at)
                   VALUES (1, 1, 1, '2026-01-06', '2026-01-31', 'completed', 't');
                 INSERT INTO group_attendance (session_id, patient_id, status, recorded_at)
                   VALUES (1, 1, 'present', 't'), (2, 1, 'late', 't'), (3, 1, 'present', 't'), (4, 1, 'absent', 't');
                 INSERT INTO group_attendance (session_id, dropin_name, dropin, status, recorded_at)
                   VALUES (2, 'Ravi', 1, 'present', 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let c = store.conn();
        let tallies = |c: &Connection| -> Vec<(i64, String, i64, i64, i64, i64)> {
            rows(
                c,
                "SELECT membership_id, month, present, late, absent, excused FROM group_membership_tallies ORDER BY 1, 2",
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
        };
        let attended = |c: &Connection| -> Vec<(i64, i64)> {
            rows(c, "SELECT session_id, attended FROM group_session_tallies ORDER BY 1", |r| Ok((r.get(0)?, r.get(1)?)))
        };
        // Only the session of 12 January is inside the window, held and not cancelled.
        assert_eq!(tallies(c), [(1, "2026-01".into(), 0, 1, 0, 0)], "existing marks are tallied");
        assert_eq!(attended(c), [(1, 1), (2, 2), (3, 1), (4, 0)]);
        // And kept: the cancelled session restored, a mark changed.
        c.execute("UPDATE group_sessions SET cancelled = 0 WHERE id = 3", []).unwrap();
        c.execute("UPDATE group_attendance SET status = 'excused' WHERE session_id = 2 AND patient_id = 1", [])
            .unwrap();
        assert_eq!(tallies(c), [(1, "2026-01".into(), 1, 0, 0, 1)]);
        assert_eq!(attended(c), [(1, 1), (2, 1), (3, 1), (4, 0)]);
    }

    #[test]
    fn a_centre_upgraded_to_0011_keeps_its_monthly_tallies_without_the_window_sums() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        // A centre at version 10: an ended window and an open one, marks in both.
        {
            let c = at_version(&path, 10);
            c.execute_batch(ASHA_AND_A_CIRCLE).unwrap();
            c.execute_batch(
                "INSERT INTO patients (id, full_name, gender, phase, search_text, created_at, updated_at)
                   VALUES (2, 'Ravi', 'male', 'inpatient', 'ravi', 't', 't');
                 INSERT INTO group_sessions (id, series_id, original_date, date, start_time, duration_min, held, cancelled, updated_at)
                   VALUES (1, 1, '2026-01-05', '2026-01-05', '10:00', 60, 'held', 0, 't'),
                          (2, 1, '2026-01-12', '2026-01-12', '10:00', 60, 'held', 0, 't'),
                          (3, 1, '2026-02-02', '2026-02-02', '10:00', 60, 'held', 0, 't');
                 INSERT INTO group_memberships (id, group_id, patient_id, joined_on, left_on, leave_reason, created_at)
                   VALUES (1, 1, 1, '2026-01-01', '2026-01-31', 'completed', 't');
                 INSERT INTO group_memberships (id, group_id, patient_id, joined_on, created_at)
                   VALUES (2, 1, 2, '2026-01-01', 't');
                 INSERT INTO group_attendance (session_id, patient_id, status, recorded_at)
                   VALUES (1, 1, 'present', 't'), (2, 1, 'late', 't'), (3, 1, 'present', 't'),
                          (1, 2, 'absent', 't'), (2, 2, 'present', 't'), (3, 2, 'excused', 't');",
            )
            .unwrap();
            let sums: i64 = c.query_row("SELECT sum(tally_present) FROM group_memberships", [], |r| r.get(0)).unwrap();
            assert_eq!(sums, 2, "version 10 keeps the sums");
        }
        let store = Store::open(&path).unwrap();
        let c = store.conn();
        let columns = rows(c, "SELECT name FROM pragma_table_info('group_memberships')", |r| r.get::<_, String>(0));
        assert!(!columns.iter().any(|n| n.starts_with("tally_")), "{columns:?}");
        let sum_triggers: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%tallies_sum%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sum_triggers, 0);
        let tallies = |c: &Connection| -> Vec<(i64, String, i64, i64, i64, i64)> {
            rows(
                c,
                "SELECT membership_id, month, present, late, absent, excused FROM group_membership_tallies
                 WHERE present <> 0 OR late <> 0 OR absent <> 0 OR excused <> 0 ORDER BY 1, 2",
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
        };
        // Asha's window ended in January: her February mark is not hers to count.
        assert_eq!(
            tallies(c),
            [(1, "2026-01".into(), 1, 1, 0, 0), (2, "2026-01".into(), 1, 0, 1, 0), (2, "2026-02".into(), 0, 0, 0, 1)],
            "the monthly tallies are kept as they were"
        );
        // And still kept: a mark changed, a session cancelled, Ravi's window ended.
        c.execute("UPDATE group_attendance SET status = 'absent' WHERE session_id = 1 AND patient_id = 1", []).unwrap();
        c.execute("UPDATE group_sessions SET cancelled = 1 WHERE id = 2", []).unwrap();
        c.execute("UPDATE group_memberships SET left_on = '2026-01-20', leave_reason = 'completed' WHERE id = 2", [])
            .unwrap();
        assert_eq!(tallies(c), [(1, "2026-01".into(), 0, 0, 1, 0), (2, "2026-01".into(), 0, 0, 1, 0)]);
        assert!(crate::groups::tallies::recount(c).unwrap().is_empty());
        // History is still guarded: an ended window is not ended again, nor moved.
        for sql in [
            "UPDATE group_memberships SET left_on = '2026-02-20' WHERE id = 1",
            "UPDATE group_memberships SET joined_on = '2026-01-02' WHERE id = 2",
            "UPDATE group_membership_tallies SET month = '2026-03' WHERE membership_id = 2",
        ] {
            let e = c.execute(sql, []).unwrap_err().to_string();
            assert!(e.contains("only changes by ending it") || e.contains("stays with its window"), "{sql}: {e}");
        }
    }

    #[test]
    fn instance_lock_is_exclusive_per_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = InstanceLock::acquire(dir.path()).unwrap();
        let second = InstanceLock::acquire(dir.path());
        assert_eq!(second.unwrap_err().code(), "already_open");
        drop(first);
        InstanceLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn an_up_to_date_file_is_opened_in_stages_and_a_damaged_one_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        // New: created, migrated and ready.
        assert!(matches!(Store::open_in_stages(&path, None).unwrap(), Opening::Ready(_)));
        {
            let store = Store::open(&path).unwrap();
            store
                .conn()
                .execute_batch("CREATE TABLE filler (x); INSERT INTO filler VALUES (randomblob(100000));")
                .unwrap();
            store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        }
        // Up to date: only looked at; the early connection reads but cannot write.
        let Opening::Unchecked(early) = Store::open_in_stages(&path, None).unwrap() else {
            panic!("expected Unchecked")
        };
        let v: i64 = early.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, schema_version());
        assert!(early.execute("INSERT INTO filler VALUES (1)", []).is_err(), "the early connection is read-only");
        drop(early);
        integrity_check(&path, None).unwrap();
        Store::open_checked(&path, None).unwrap();

        // Damage inside the file (not the header): the stages pass it, the check catches it.
        let _ = std::fs::remove_file(wal_path(&path));
        let mut bytes = std::fs::read(&path).unwrap();
        let end = bytes.len().min(4096 * 8);
        bytes[4096..end].fill(0x5A);
        std::fs::write(&path, &bytes).unwrap();
        let before = std::fs::read(&path).unwrap();
        if let Ok(Opening::Unchecked(early)) = Store::open_in_stages(&path, None) {
            drop(early);
        }
        assert_eq!(integrity_check(&path, None).unwrap_err().code(), "database_damaged");
        assert_eq!(std::fs::read(&path).unwrap(), before, "the damaged file is left exactly as it was");
    }

    #[test]
    fn a_closing_window_is_waited_for_but_not_forever() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let held = InstanceLock::acquire(dir.path()).unwrap();
        let short = InstanceLock::acquire_within(dir.path(), Duration::from_millis(200));
        assert!(matches!(short, Err(Error::AlreadyOpen { .. })), "{short:?}");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        InstanceLock::acquire_within(dir.path(), Duration::from_secs(10)).unwrap();
        release.join().unwrap();
    }
}
