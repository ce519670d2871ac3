//! Backups to a USB stick (or any folder) and restore, built so that no step can lose
//! data:
//!
//! 1. a consistent snapshot of the live database (SQLite backup API) into a local
//!    work folder, checked and counted; when the live database is encrypted (SQLCipher),
//!    the snapshot is encrypted with the same key, like every copy this module writes
//!    (daily local snapshots, safety copies, restore work files);
//! 2. encrypted (age, to the centre's public key and to a throw-away key of this run)
//!    into `Saathi-Backups/<centre>-<YYYYMMDD-HHMMSS>.saathi.partial` on the stick,
//!    synced. Beside it, `saathi-db-key.age` holds the database key sealed to the same
//!    public key (refreshed by every backup), so the stick and the passphrase alone
//!    restore an encrypted backup;
//! 3. read back from the stick (the page cache dropped first), decrypted with the
//!    throw-away key and verified: byte-identical to the snapshot, `integrity_check`,
//!    application id, schema version, row counts of every table;
//! 4. only then renamed to `.saathi` and the folder synced: a file with the finished
//!    name has always been verified. Then older backups are rotated.
//!
//! Any failure leaves at most a `.partial` file (never listed, removed on the next run)
//! and never touches the live database or older backups.
mod carry;
mod drives;
pub mod key;
mod local;
mod readback;
mod restore;
pub mod safety;
mod unsigned;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::db::{APPLICATION_ID, SQLITE_MAGIC, Store};
use crate::error::{Error, Result};
pub(crate) use crate::files::{sync_dir, with_suffix};
use crate::keyslots::DbKey;

pub use drives::{Drive, drives};
pub use local::{LOCAL_DIR, local_snapshot_if_due, local_snapshots};
pub use restore::{PreparedRestore, RestorePreview, apply, audit_against, prepare, prepare_local};
pub use unsigned::prepare_unsigned;

/// The folder on a stick (or inside a chosen folder) that holds the backups.
pub const FOLDER: &str = "Saathi-Backups";
pub const EXTENSION: &str = "saathi";
const PARTIAL: &str = ".partial";
/// Work files of a running backup, inside the data folder (same disk as the database).
const WORK_DIR: &str = "backup-work";
/// Safety copies of the database made before a restore (kept until the next verified backup).
pub const SAFETY_DIR: &str = "safety";
const CHUNK: usize = 1 << 20;

use readback::Written;

/// Settings keys written into the snapshot (not the live database) to describe it.
const META_MADE_AT: &str = "backup.made_at";
const META_APP_VERSION: &str = "backup.app_version";
/// The audit trail's head when the backup was made ("entry seal"): an anchor of the live
/// trail kept outside it (see anchor.rs), compared when the backup is restored.
const META_AUDIT_HEAD: &str = "backup.audit_head";
const SETTING_ON_CLOSE: &str = "backup.on_close";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BackupPhase {
    Snapshot,
    Encrypt,
    Verify,
    Done,
}

/// What the progress bar shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupProgress {
    pub phase: BackupPhase,
    /// 0.0 … 1.0 over the whole backup.
    pub fraction: f64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// Estimate, once there is enough to go on.
    #[ts(type = "number | null")]
    pub remaining_ms: Option<u64>,
}

/// A finished, verified backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupDone {
    pub path: String,
    pub folder: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub made_at: String,
    /// Older backups removed by rotation.
    pub rotated_out: Vec<String>,
}

/// One backup file found in a folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupFile {
    pub path: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// From the file name (local time of the PC that made it), "YYYY-MM-DD HH:MM:SS".
    pub made_at: String,
    /// This Saathi wrote it and read it back correctly.
    pub verified: bool,
}

/// The backup running in the background, as the window polls it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupJob {
    pub running: bool,
    pub progress: Option<BackupProgress>,
    pub done: Option<BackupDone>,
    pub error: Option<crate::error::ErrorPayload>,
}

/// What the Backup screen and the Today screen show about backups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupStatus {
    pub key_set_up: bool,
    pub recipient: Option<String>,
    /// When the newest verified backup to a stick or folder was made (RFC 3339, UTC).
    pub last_verified_at: Option<String>,
    pub last_verified_folder: Option<String>,
    #[ts(type = "number | null")]
    pub days_since_last: Option<i64>,
    /// Back up to the folder of the last verified backup when the window is closed.
    pub back_up_on_close: bool,
}

/// Asks the OS to forget its cached copy of `file`, so the next read comes from the
/// device itself (a stick that lied about a sync is caught by the read-back).
fn drop_cache(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid open descriptor; the call only gives advice to the kernel.
        unsafe {
            libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Room kept free beyond a copy in the data folder: the live database must still be able
/// to grow (and Windows itself needs some).
const DATA_DISK_MARGIN: u64 = 64 << 20;

/// Refuses, before a byte is written, to make a copy of about `bytes` in `dir` (a daily
/// snapshot, a backup's snapshot, a safety copy, a restore's work file) when the disk
/// holding it has less free space than that and a margin: a plain message instead of a
/// disk that fills up half-way. Where the OS does not tell the free space, the copy goes
/// ahead (and a full disk is still caught as a write error).
pub(crate) fn ensure_room(dir: &Path, bytes: u64) -> Result<()> {
    let need = bytes.saturating_add(DATA_DISK_MARGIN);
    match free_space(dir).filter(|_| space_check_wanted()) {
        Some(free) if free < need => Err(Error::invalid(
            "disk_no_room",
            "folder",
            format!(
                "There is not enough free space on the disk that holds {}: Saathi needs {} MB for this copy and \
                 has {} MB. Free some space (empty the Recycle Bin, move old downloads) and try again. Nothing \
                 has been changed.",
                dir.display(),
                mb(need),
                mb(free)
            ),
        )
        .with("folder", dir.display())
        .with("need", mb(need))
        .with("free", mb(free))),
        _ => Ok(()),
    }
}

/// About the size of a copy of the database `conn` has open: its file and its WAL.
/// (SQLCipher answers `PRAGMA page_size` with its own setting, so the files are measured.)
pub(crate) fn database_bytes(conn: &Connection) -> u64 {
    let Some(path) = conn.path().filter(|p| !p.is_empty()).map(Path::new) else { return 0 };
    [path.to_path_buf(), with_suffix(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Free bytes on the filesystem holding `dir`, where the OS tells.
pub fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: a NUL-terminated path and a zeroed out-parameter of the right type.
        let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
        if rc == 0 { Some(st.f_bavail as u64 * st.f_frsize as u64) } else { None }
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        let wide: Vec<u16> = dir.as_os_str().encode_wide().chain(std::iter::once(0)).collect();
        let mut free: u64 = 0;
        // SAFETY: a NUL-terminated wide path and one valid out-parameter (the others may be
        // null, as the API allows).
        let ok = unsafe {
            windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW(
                wide.as_ptr(),
                &mut free,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if ok != 0 { Some(free) } else { None }
    }
    #[cfg(not(any(unix, windows)))]
    {
        drives().ok()?.into_iter().filter(|d| dir.starts_with(&d.mount_point)).map(|d| d.available_bytes).last()
    }
}

/// Facts about a database file, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DbFacts {
    pub application_id: i32,
    pub schema_version: i64,
    pub counts: BTreeMap<String, i64>,
}

/// Opens `path` read-only and checks it fully (integrity check, Saathi's application
/// id, a schema version this build knows and exactly Saathi's schema for it); counts the
/// rows of every table. `key` is the key the
/// copy is encrypted with (`None`: a plain SQLite file).
pub(crate) fn inspect_copy(path: &Path, key: Option<&DbKey>) -> Result<DbFacts> {
    let (conn, application_id, schema_version) = open_and_check(path, Check::Full, key)?;
    let damaged = |e: rusqlite::Error| Error::BackupDamaged { detail: format!("the database inside is damaged: {e}") };
    Ok(DbFacts { application_id, schema_version, counts: table_counts(&conn).map_err(damaged)? })
}

/// Like [`inspect_copy`] but with SQLite's `quick_check` (every page and record is read
/// and the tree structure checked, but indexes are not matched against their tables) and
/// no row counts: for the snapshots taken while the centre works, where the full check
/// would take seconds. A restore checks fully.
pub(crate) fn check_copy_quick(path: &Path, key: Option<&DbKey>) -> Result<()> {
    open_and_check(path, Check::Quick, key).map(drop)
}

/// How thoroughly a copy is checked.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// SQLite's `quick_check`: a copy Saathi has just made of its own database.
    Quick,
    /// SQLite's `integrity_check`, and the schema must be exactly Saathi's own for its
    /// version ([`crate::schema::check`], before anything else in it is read): a copy
    /// about to be restored.
    Full,
}

/// Whether `path` starts with the header of a plain (unencrypted) SQLite file. An
/// encrypted file starts with its random salt instead.
pub(crate) fn is_plain(path: &Path) -> Result<bool> {
    let mut header = [0u8; 16];
    let n = File::open(path)?.read(&mut header)?;
    Ok(n == 16 && &header == SQLITE_MAGIC)
}

/// Opens a copy read-only: a plain one is recognised by its header, an encrypted one by
/// opening it with `key` and reading its application id. A wrong key (or a file that is
/// no database) is a plain refusal ([`Error::NotABackup`]); SQLCipher's own log stays off.
fn open_and_check(path: &Path, check: Check, key: Option<&DbKey>) -> Result<(Connection, i32, i64)> {
    if key.is_none() && !is_plain(path)? {
        return Err(Error::NotABackup);
    }
    let damaged = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotABackup,
        _ => Error::BackupDamaged { detail: format!("the database inside is damaged: {e}") },
    };
    let conn = crate::db::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)
        .map_err(damaged)?;
    // A copy is a file from elsewhere until proved otherwise: the functions and virtual
    // tables its schema names are not run for it, nor may it be written to through
    // SQLite's back doors (writable_schema, direct page writes).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false).map_err(damaged)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true).map_err(damaged)?;
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(damaged)?;
    if application_id != APPLICATION_ID {
        return Err(Error::NotABackup);
    }
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(damaged)?;
    let supported = crate::db::schema_version();
    if schema_version > supported {
        return Err(Error::BackupNewer { found: schema_version, supported });
    }
    if check == Check::Full {
        crate::schema::check(&conn, schema_version)?;
    }
    let pragma = match check {
        Check::Quick => "PRAGMA quick_check",
        Check::Full => "PRAGMA integrity_check",
    };
    let lines: Vec<String> = conn
        .prepare(pragma)
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(damaged)?;
    if lines.len() != 1 || lines[0] != "ok" {
        return Err(Error::BackupDamaged {
            detail: format!("{} problem(s) found by the integrity check", lines.len()),
        });
    }
    Ok((conn, application_id, schema_version))
}

pub(crate) fn table_counts(conn: &Connection) -> rusqlite::Result<BTreeMap<String, i64>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = BTreeMap::new();
    for name in names {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")), [], |r| r.get(0))?;
        out.insert(name, n);
    }
    Ok(out)
}

/// Copies the live database consistently (one read transaction) into `dest`, written
/// as `dest.partial`, synced and renamed. The copy is in rollback-journal mode, so it is
/// one self-contained file. `key` is the key `src` is encrypted with (`Store::key`): the
/// copy is encrypted with it too, page by page as it is written (SQLite's backup API
/// copies between two connections keyed alike; SQLCipher refuses it between a plain and
/// an encrypted one, and [`export_copy`] does that), so no plain byte reaches the disk.
pub(crate) fn copy_database(
    src: &Connection,
    dest: &Path,
    meta: &[(&str, &str)],
    durable: bool,
    key: Option<&DbKey>,
) -> Result<()> {
    let partial = with_suffix(dest, PARTIAL);
    let _ = std::fs::remove_file(&partial);
    {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut dst = crate::db::connect(&partial, flags, key)?;
        if !durable {
            // A working copy is not kept if the power goes: SQLite need not sync it
            // page by page (the backup's final commit alone would sync the whole file).
            dst.execute_batch("PRAGMA synchronous = OFF")?;
        }
        {
            let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        }
        let mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(Error::Io(std::io::Error::other("the copy could not leave WAL mode")));
        }
        for (k, v) in meta {
            dst.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
    }
    // A copy that is kept is synced; a backup's working copy is not (if the power goes,
    // that backup is simply not made, and the stick's file is synced on its own).
    if durable {
        // Windows flushes a file only through a handle opened for writing.
        File::options().write(true).open(&partial)?.sync_all()?;
    }
    std::fs::rename(&partial, dest)?;
    if durable && let Some(dir) = dest.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// Writes `dest` (which must not exist) as a copy of the Saathi database file `src`
/// (encrypted with `from`, or plain) encrypted with `to` (or plain), with SQLCipher's
/// `sqlcipher_export`: how a copy changes key or goes from plain to encrypted (SQLite's
/// backup API cannot). Owner and version are carried over; `dest` is synced. On failure
/// `dest` is removed; `src` is only read.
pub(crate) fn export_copy(src: &Path, from: Option<&DbKey>, dest: &Path, to: Option<&DbKey>) -> Result<()> {
    let result = (|| -> Result<()> {
        let conn = crate::db::connect(
            src,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            from,
        )?;
        let target =
            dest.to_str().ok_or_else(|| Error::Io(std::io::Error::other("the folder's name is not valid text")))?;
        let key = to.map(|k| k.pragma_value());
        conn.execute("ATTACH DATABASE ?1 AS copy KEY ?2", [target, key.as_ref().map_or("", |k| k.as_str())])?;
        conn.execute_batch("PRAGMA copy.journal_mode = DELETE;")?;
        conn.query_row("SELECT sqlcipher_export('copy')", [], |_| Ok(()))?;
        let (app, version): (i32, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        conn.execute_batch(&format!("PRAGMA copy.application_id = {app}; PRAGMA copy.user_version = {version};"))?;
        conn.execute_batch("DETACH DATABASE copy")?;
        drop(conn);
        // Windows flushes a file only through a handle opened for writing.
        File::options().write(true).open(dest)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result.map_err(|e| match e {
        Error::Sqlite(s) if s.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Error::NotABackup,
        other => other,
    })
}

/// A consistent, checked copy of the live database, in the data folder's work area.
pub struct Snapshot {
    /// The snapshot's `quick_check`, running on a thread of its own while the snapshot is
    /// encrypted; nothing is called verified before it has passed.
    check: std::sync::Mutex<Option<std::thread::JoinHandle<Result<()>>>>,
    _dir: tempfile::TempDir,
    path: PathBuf,
    made_at: DateTime<Utc>,
    bytes: u64,
    slug: String,
    /// The key the snapshot (and so the backup's content) is encrypted with.
    key: Option<DbKey>,
}

impl Snapshot {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the snapshot's check; the live database is damaged if it failed.
    pub fn checked(&self) -> Result<()> {
        let handle = self.check.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(handle) = handle else { return Ok(()) };
        let outcome = handle.join().unwrap_or_else(|_| check_copy_quick(&self.path, self.key.as_ref()));
        outcome.map_err(|e| match e {
            Error::BackupDamaged { detail } => Error::Damaged { path: "the live database".into(), detail },
            other => other,
        })
    }
}

impl Drop for Snapshot {
    /// The check thread reads the file: let it finish before the folder is removed.
    fn drop(&mut self) {
        let _ = self.checked();
    }
}

/// Step 1: the snapshot. Takes one read transaction on `conn` (writers are not blocked in
/// WAL mode). `key` is the key `conn`'s database is encrypted with (`Store::key`); the
/// snapshot is encrypted with it.
pub fn snapshot(conn: &Connection, key: Option<&DbKey>, data_dir: &Path, ctx: &Ctx) -> Result<Snapshot> {
    let work = data_dir.join(WORK_DIR);
    std::fs::create_dir_all(&work)?;
    clean_old_work(&work);
    ensure_room(&work, database_bytes(conn))?;
    let dir = tempfile::Builder::new().prefix("snapshot-").tempdir_in(&work)?;
    let path = dir.path().join(crate::db::DB_FILE);
    let made_at = ctx.now;
    let stamp = made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let head = crate::anchor::head(conn)?.map(|h| format!("{} {}", h.entry, h.seal)).unwrap_or_default();
    let meta =
        [(META_MADE_AT, stamp.as_str()), (META_APP_VERSION, env!("CARGO_PKG_VERSION")), (META_AUDIT_HEAD, &head)];
    copy_database(conn, &path, &meta, false, key)?;
    let bytes = std::fs::metadata(&path)?.len();
    let centre = crate::settings::get(conn)?.centre_name;
    let checking = path.clone();
    let check_key = key.cloned();
    let check = std::thread::spawn(move || check_copy_quick(&checking, check_key.as_ref()));
    Ok(Snapshot {
        check: std::sync::Mutex::new(Some(check)),
        _dir: dir,
        path,
        made_at,
        bytes,
        slug: slug(&centre),
        key: key.cloned(),
    })
}

/// Work folders of runs that crashed (older than a day) are removed.
fn clean_old_work(work: &Path) {
    let Ok(entries) = std::fs::read_dir(work) else { return };
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if old.is_some_and(|d| d.as_secs() > 86_400) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The centre's name as a file-name part: ASCII letters and digits, dashes between.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(40).collect::<String>();
    if out.is_empty() { "saathi".into() } else { out }
}

/// Where the backups of a chosen drive or folder go.
pub fn backup_folder(dest: &Path) -> PathBuf {
    if dest.file_name().is_some_and(|n| n == FOLDER) { dest.to_path_buf() } else { dest.join(FOLDER) }
}

/// Parses `<slug>-YYYYMMDD-HHMMSS[-N].saathi`.
fn parse_name(name: &str) -> Option<(String, NaiveDateTime, u32)> {
    let stem = name.strip_suffix(&format!(".{EXTENSION}"))?;
    let parts: Vec<&str> = stem.rsplitn(4, '-').collect();
    // Either [time, date, slug…] or [n, time, date, slug].
    let try_parse = |date: &str, time: &str| {
        if date.len() == 8 && time.len() == 6 {
            NaiveDateTime::parse_from_str(&format!("{date}{time}"), "%Y%m%d%H%M%S").ok()
        } else {
            None
        }
    };
    if parts.len() == 4
        && let Ok(n) = parts[0].parse::<u32>()
        && let Some(t) = try_parse(parts[2], parts[1])
    {
        return Some((parts[3].to_owned(), t, n));
    }
    let parts: Vec<&str> = stem.rsplitn(3, '-').collect();
    if parts.len() == 3 {
        return try_parse(parts[1], parts[0]).map(|t| (parts[2].to_owned(), t, 1));
    }
    None
}

fn map_write_error(folder: &Path, e: std::io::Error) -> Error {
    let reason = crate::error::io_reason(&e).map_or_else(|| e.to_string(), str::to_owned);
    Error::BackupWriteFailed { folder: folder.display().to_string(), reason }
}

/// Reports progress: weights of the phases, and a time estimate from the rate so far.
struct Meter<'a> {
    start: Instant,
    report: &'a mut dyn FnMut(BackupProgress),
}

impl Meter<'_> {
    fn at(&mut self, phase: BackupPhase, within: f64) {
        let (from, span) = match phase {
            BackupPhase::Snapshot => (0.0, 0.1),
            BackupPhase::Encrypt => (0.1, 0.45),
            BackupPhase::Verify => (0.55, 0.45),
            BackupPhase::Done => (1.0, 0.0),
        };
        let fraction = (from + span * within.clamp(0.0, 1.0)).min(1.0);
        let elapsed = self.start.elapsed().as_millis() as u64;
        let remaining_ms =
            (fraction > 0.12 && fraction < 1.0).then(|| (elapsed as f64 * (1.0 - fraction) / fraction) as u64);
        (self.report)(BackupProgress { phase, fraction, elapsed_ms: elapsed, remaining_ms });
    }
}

/// Steps 2–4: encrypt onto the stick, read back, verify, rename, rotate.
pub fn write_verified(
    snap: &Snapshot,
    dest: &Path,
    recipient: &age::x25519::Recipient,
    key_file: &str,
    progress: &mut dyn FnMut(BackupProgress),
) -> Result<BackupDone> {
    write_verified_timed(snap, dest, recipient, key_file, Instant::now(), progress)
}

fn write_verified_timed(
    snap: &Snapshot,
    dest: &Path,
    recipient: &age::x25519::Recipient,
    key_file: &str,
    start: Instant,
    progress: &mut dyn FnMut(BackupProgress),
) -> Result<BackupDone> {
    let mut meter = Meter { start, report: progress };
    meter.at(BackupPhase::Encrypt, 0.0);
    let folder = backup_folder(dest);
    if !dest.is_dir() {
        return Err(Error::BackupWriteFailed { folder: dest.display().to_string(), reason: "gone".into() });
    }
    std::fs::create_dir_all(&folder).map_err(|e| map_write_error(&folder, e))?;
    remove_partials(&folder);
    if space_check_wanted()
        && let Some(free) = free_space(&folder)
        && free < snap.bytes + 64 * 1024
    {
        return Err(Error::BackupNoRoom {
            folder: folder.display().to_string(),
            needs_mb: mb(snap.bytes + 64 * 1024),
            free_mb: mb(free),
        });
    }
    key::write_key_file(&folder, key_file).map_err(|e| map_write_error(&folder, e))?;
    // The database key travels beside the backups, sealed to the same public key, before
    // any backup that needs it gets its finished name.
    if let Some(db_key) = &snap.key {
        key::write_db_key_file(&folder, recipient, db_key)?;
    }

    // A unique finished name; the time is the PC's local time.
    let local = snap.made_at.with_timezone(&Local).format("%Y%m%d-%H%M%S").to_string();
    let mut file_name = format!("{}-{local}.{EXTENSION}", snap.slug);
    let mut n = 1;
    while folder.join(&file_name).exists() || folder.join(format!("{file_name}{PARTIAL}")).exists() {
        n += 1;
        file_name = format!("{}-{local}-{n}.{EXTENSION}", snap.slug);
    }
    let finished = folder.join(&file_name);
    let partial = folder.join(format!("{file_name}{PARTIAL}"));

    let result = (|| -> Result<u64> {
        let w = |e: std::io::Error| map_write_error(&folder, e);
        let file = File::options().write(true).create_new(true).open(&partial).map_err(w)?;
        let back = File::open(&partial).map_err(w)?;
        // The read-back decrypts with a throw-away key of its own, on a thread of its own,
        // following the write step by step (see `readback`).
        let identity = age::x25519::Identity::generate();
        let checker = identity.to_public();
        let shared = Written::default();
        std::thread::scope(|s| -> Result<()> {
            let verifier = s.spawn(|| {
                let sealed = readback::Durable { file: back, pos: 0, written: &shared };
                verify_sealed(sealed, &snap.path, &folder, &identity, &mut |n| shared.verified(n))
            });
            let wrote = {
                let _stopped = readback::StopGuard(&shared);
                encrypt_to(snap, file, [recipient, &checker], &folder, &mut meter, &shared)
            };
            let checked = wrote.and_then(|()| snap.checked());
            while !verifier.is_finished() {
                let n = shared.wait_verified(std::time::Duration::from_millis(100));
                meter.at(BackupPhase::Verify, n as f64 / snap.bytes.max(1) as f64);
            }
            let verified = verifier.join().unwrap_or_else(|_| {
                Err(Error::BackupNotVerified {
                    folder: folder.display().to_string(),
                    detail: "the check stopped".into(),
                })
            });
            checked?;
            verified
        })?;
        meter.at(BackupPhase::Verify, 1.0);
        std::fs::rename(&partial, &finished).map_err(|e| map_write_error(&folder, e))?;
        sync_dir(&folder);
        Ok(std::fs::metadata(&finished).map_err(|e| map_write_error(&folder, e))?.len())
    })();
    let bytes = match result {
        Ok(b) => b,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let rotated_out = rotate(&folder, &snap.slug, &file_name, snap.made_at.with_timezone(&Local).date_naive());
    meter.at(BackupPhase::Done, 1.0);
    Ok(BackupDone {
        path: finished.display().to_string(),
        folder: folder.display().to_string(),
        file_name,
        bytes,
        made_at: snap.made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rotated_out,
    })
}

/// Whether to refuse early a stick without room for the backup. The fault tests switch
/// this off (SAATHI_TEST_NO_SPACE_CHECK, in `dev-tools` builds only) to make the write
/// itself run out of room.
fn space_check_wanted() -> bool {
    #[cfg(feature = "dev-tools")]
    if std::env::var_os("SAATHI_TEST_NO_SPACE_CHECK").is_some() {
        return false;
    }
    true
}

fn mb(b: u64) -> u64 {
    b.div_ceil(1 << 20)
}

#[cfg(test)]
thread_local! {
    /// Tests: the stick "fills up" after this many bytes of the backup file.
    pub(crate) static STICK_FULL_AFTER: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// The backup file on the stick. In tests it can run out of room at a chosen byte
/// (a portable stand-in for a full stick; the fault tests also use real small
/// filesystems).
struct StickWriter<'a> {
    file: File,
    /// Bytes written; the end of the last step handed to the device; the end of what is
    /// known to be on it (published to the read-back).
    bytes: u64,
    queued: u64,
    durable: u64,
    /// How many bytes make a step (see `readback::step_for`).
    step: u64,
    shared: &'a Written,
    #[cfg(test)]
    left: Option<u64>,
}

impl StickWriter<'_> {
    fn new(file: File, shared: &Written, step: u64) -> StickWriter<'_> {
        StickWriter {
            file,
            bytes: 0,
            queued: 0,
            durable: 0,
            step,
            shared,
            #[cfg(test)]
            left: STICK_FULL_AFTER.with(|c| c.get()),
        }
    }

    /// Every `step` bytes: the step handed to the device last time is waited
    /// for and published to the read-back, and the new one is handed to the device.
    fn wrote(&mut self, n: usize) {
        self.bytes += n as u64;
        if self.bytes - self.queued >= self.step {
            if self.queued > self.durable
                && readback::settle_range(&self.file, self.durable, self.queued - self.durable)
            {
                self.durable = self.queued;
                self.shared.durable_to(self.durable);
            }
            readback::start_writeback(&self.file, self.queued, self.bytes - self.queued);
            self.queued = self.bytes;
        }
    }
}

impl Write for StickWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        #[cfg(test)]
        if let Some(left) = self.left.as_mut() {
            if *left == 0 {
                return Err(std::io::ErrorKind::StorageFull.into());
            }
            let n = buf.len().min(*left as usize);
            let n = self.file.write(&buf[..n])?;
            *left -= n as u64;
            self.wrote(n);
            return Ok(n);
        }
        let n = self.file.write(buf)?;
        self.wrote(n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Encrypts the snapshot to the centre's key and the throw-away key of the read-back
/// (kept in memory, never stored), streaming into `file`, then syncs it and tells the
/// read-back the whole file is on the device.
fn encrypt_to(
    snap: &Snapshot,
    file: File,
    recipients: [&dyn age::Recipient; 2],
    folder: &Path,
    meter: &mut Meter<'_>,
    shared: &Written,
) -> Result<()> {
    let w = |e: std::io::Error| map_write_error(folder, e);
    let enc = age::Encryptor::with_recipients(recipients.into_iter())
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let mut out = enc
        .wrap_output(BufWriter::with_capacity(CHUNK, StickWriter::new(file, shared, readback::step_for(snap.bytes))))
        .map_err(w)?;
    let mut input = File::open(&snap.path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(w)?;
        done += n as u64;
        meter.at(BackupPhase::Encrypt, done as f64 / snap.bytes.max(1) as f64);
    }
    let stick = out.finish().map_err(w)?.into_inner().map_err(|e| w(e.into_error()))?;
    stick.file.sync_all().map_err(w)?;
    drop_cache(&stick.file);
    shared.finish(true, stick.bytes);
    Ok(())
}

/// Reads the backup back from the stick (`sealed`), decrypts it and compares it byte for
/// byte with the snapshot (still in the work folder): equal means the stick holds exactly
/// the checked database. Tells `progress` the plain bytes compared so far.
fn verify_sealed(
    sealed: impl Read,
    snapshot: &Path,
    folder: &Path,
    identity: &age::x25519::Identity,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let not_verified = |detail: String| Error::BackupNotVerified { folder: folder.display().to_string(), detail };
    let dec = age::Decryptor::new_buffered(BufReader::with_capacity(CHUNK, sealed))
        .map_err(|e| not_verified(format!("header: {e}")))?;
    let mut reader = dec
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| not_verified(format!("decrypt: {e}")))?;
    let mut original = File::open(snapshot)?;
    let (mut got, mut want) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    let mut done = 0u64;
    loop {
        let n = read_full(&mut reader, &mut got).map_err(|e| not_verified(format!("reading back: {e}")))?;
        let m = read_full(&mut original, &mut want)?;
        if n != m || got[..n] != want[..m] {
            return Err(not_verified("the content differs from the snapshot".into()));
        }
        if n == 0 {
            return Ok(());
        }
        done += n as u64;
        progress(done);
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Removes `.partial` files of earlier runs that did not finish (never a finished backup).
fn remove_partials(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(&format!(".{EXTENSION}{PARTIAL}")) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Which of `names` (sorted oldest first, each with its time) to delete: everything but
/// the `newest` newest and the newest one in each of the `periods` latest periods
/// (counted back from `today`'s period), and only ones older than `verified` (the
/// newest verified backup). Returns indices.
pub fn rotation_plan<K: Ord + Copy>(
    times: &[NaiveDateTime],
    verified: NaiveDateTime,
    keep_newest: usize,
    period_of: impl Fn(NaiveDate) -> K,
    kept_periods: &[K],
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((times[i], i)));
    let mut keep = vec![false; times.len()];
    for &i in order.iter().take(keep_newest) {
        keep[i] = true;
    }
    let mut seen = std::collections::BTreeSet::new();
    for &i in &order {
        let p = period_of(times[i].date());
        if kept_periods.contains(&p) && seen.insert(p) {
            keep[i] = true;
        }
    }
    (0..times.len()).filter(|&i| !keep[i] && times[i] < verified).collect()
}

/// The last 12 months, as (year, month), counted back from `today`.
fn last_months(today: NaiveDate, n: u32) -> Vec<(i32, u32)> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..n {
        out.push((y, m));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

/// Keeps the 10 newest backups plus the newest of each of the last 12 months; deletes
/// only backups of this centre older than the one just verified.
fn rotate(folder: &Path, slug: &str, just_verified: &str, today: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let Some((_, verified_at, verified_n)) = parse_name(just_verified) else { return vec![] };
    let mut found: Vec<(NaiveDateTime, u32, String)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some((s, t, n)) = parse_name(&name)
                && s == slug
            {
                found.push((t, n, name));
            }
        }
    }
    found.sort();
    // Same-second backups are ordered by their counter; shift by it so times are unique.
    let times: Vec<NaiveDateTime> =
        found.iter().map(|(t, n, _)| *t + chrono::Duration::milliseconds(i64::from(*n))).collect();
    let verified = verified_at + chrono::Duration::milliseconds(i64::from(verified_n));
    let months = last_months(today, 12);
    let mut deleted = Vec::new();
    for i in rotation_plan(&times, verified, 10, |d| (d.year(), d.month()), &months) {
        let name = &found[i].2;
        if std::fs::remove_file(folder.join(name)).is_ok() {
            deleted.push(name.clone());
        }
    }
    if !deleted.is_empty() {
        sync_dir(folder);
    }
    deleted
}

/// Records a verified backup (the list, the audit trail). The safety copies made before
/// earlier restores stay until an administrator removes them (see safety.rs).
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, done: &BackupDone) -> Result<()> {
    ctx.require(Action::MakeBackup)?;
    tx.execute(
        "INSERT INTO backups (made_at, folder, file_name, bytes, verified_at, staff_id, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'usb')",
        params![done.made_at, done.folder, done.file_name, done.bytes as i64, ctx.stamp(), ctx.actor.staff_id],
    )?;
    crate::audit::record(tx, ctx, "backup_made", crate::audit::entity::SETTINGS, None, &done.file_name)?;
    Ok(())
}

/// The whole backup, for the command line and tests: snapshot, write, verify, rotate,
/// record. Needs the key to be set up.
pub fn back_up(
    store: &mut Store,
    data_dir: &Path,
    dest: &Path,
    ctx: &Ctx,
    progress: &mut dyn FnMut(BackupProgress),
) -> Result<BackupDone> {
    ctx.require(Action::MakeBackup)?;
    let start = Instant::now();
    let recipient = key::recipient(store.conn())?.ok_or(Error::BackupNotSetUp)?;
    let key_file = key::key_file_text(store.conn())?.ok_or(Error::BackupNotSetUp)?;
    let _ = key::write_key_file(data_dir, &key_file);
    {
        let mut meter = Meter { start, report: progress };
        meter.at(BackupPhase::Snapshot, 0.0);
    }
    let snap = snapshot(store.conn(), store.key(), data_dir, ctx)?;
    let done = match write_verified_timed(&snap, dest, &recipient, &key_file, start, progress) {
        Ok(done) => done,
        Err(e) => {
            let detail = e.code();
            let _ = store.write(|tx| {
                crate::audit::record(tx, ctx, "backup_failed", crate::audit::entity::SETTINGS, None, detail)
            });
            return Err(e);
        }
    };
    store.write(|tx| record(tx, ctx, &done))?;
    Ok(done)
}

/// The backups in a drive's or folder's Saathi-Backups folder, newest first, marked
/// verified when this Saathi wrote and checked them.
pub fn list(conn: &Connection, ctx: &Ctx, dest: &Path) -> Result<Vec<BackupFile>> {
    ctx.require(Action::MakeBackup)?;
    let folder = backup_folder(dest);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(out) };
    let mut stmt = conn.prepare_cached("SELECT 1 FROM backups WHERE folder = ?1 AND file_name = ?2")?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some((_, t, _)) = parse_name(&name) else { continue };
        let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
        let verified = stmt.query_row(params![folder.display().to_string(), name], |_| Ok(())).optional()?.is_some();
        out.push(BackupFile {
            path: e.path().display().to_string(),
            file_name: name,
            bytes,
            made_at: t.format("%Y-%m-%d %H:%M:%S").to_string(),
            verified,
        });
    }
    out.sort_by(|a, b| b.made_at.cmp(&a.made_at).then(b.file_name.cmp(&a.file_name)));
    Ok(out)
}

/// Key set-up, the newest verified backup and its age in days (for the reminder).
pub fn status(conn: &Connection, ctx: &Ctx) -> Result<BackupStatus> {
    ctx.require(Action::MakeBackup)?;
    let recipient = crate::settings::get_raw(conn, key::SETTING_RECIPIENT)?;
    let last: Option<(String, String)> = conn
        .query_row("SELECT made_at, folder FROM backups WHERE kind = 'usb' ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let days = last.as_ref().and_then(|(at, _)| DateTime::parse_from_rfc3339(at).ok()).map(|t| {
        let made = t.with_timezone(&Local).date_naive();
        (ctx.today - made).num_days().max(0)
    });
    Ok(BackupStatus {
        key_set_up: recipient.is_some(),
        recipient,
        last_verified_at: last.as_ref().map(|l| l.0.clone()),
        last_verified_folder: last.map(|l| l.1),
        days_since_last: days,
        back_up_on_close: crate::settings::get_raw(conn, SETTING_ON_CLOSE)?.as_deref() == Some("1"),
    })
}

/// Turns "back up when closing the app" on or off (admin).
pub fn set_back_up_on_close(tx: &Transaction<'_>, ctx: &Ctx, on: bool) -> Result<()> {
    ctx.require(Action::ManageBackups)?;
    crate::settings::set_raw(tx, SETTING_ON_CLOSE, if on { "1" } else { "0" })?;
    crate::audit::record(tx, ctx, "settings_changed", crate::audit::entity::SETTINGS, None, "backup on close")
}

/// Where to back up when the window closes: the folder of the last verified backup, if
/// the option is on, the key is set up, and that folder (the stick) is there now.
pub fn on_close_target(conn: &Connection) -> Result<Option<PathBuf>> {
    if crate::settings::get_raw(conn, SETTING_ON_CLOSE)?.as_deref() != Some("1") || key::recipient(conn)?.is_none() {
        return Ok(None);
    }
    let folder: Option<String> = conn
        .query_row("SELECT folder FROM backups WHERE kind = 'usb' ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .optional()?;
    Ok(folder.map(PathBuf::from).filter(|f| f.is_dir()))
}

/// Encrypts any file to the centre's recipient in the backup format (no checks): for
/// tests of refusals, and to seal a copy made by hand.
pub fn seal_file(plain: &Path, dest: &Path, recipient: &str) -> Result<()> {
    let r = age::x25519::Recipient::from_str(recipient)
        .map_err(|_| Error::invalid("recipient_invalid", "recipient", "That is not an age public key."))?;
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let mut out = enc.wrap_output(BufWriter::new(File::create(dest)?))?;
    std::io::copy(&mut File::open(plain)?, &mut out)?;
    out.finish()?.into_inner().map_err(|e| Error::Io(e.into_error()))?.sync_all()?;
    Ok(())
}

/// The demo centre's backup passphrase (for the fictional demo data only).
pub const DEMO_PASSPHRASE: &str = "demo-backup-passphrase";

/// Sets up backup encryption in the demo centre (a lower work factor, so the demo is
/// quick to create; real centres use [`key::WORK_FACTOR`]).
pub fn demo_set_up(tx: &Transaction<'_>, ctx: &Ctx) -> Result<()> {
    key::set_up_with_work_factor(tx, ctx, DEMO_PASSPHRASE, false, 14).map(drop)
}

#[cfg(test)]
mod tests;
