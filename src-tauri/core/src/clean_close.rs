//! The note a window leaves when it closes an encrypted database it has just checked
//! whole (`saathi.checked`, beside it): the file's size and modification time then,
//! sealed with the audit key. The next start that finds the file exactly so — same size
//! and time, no write-ahead log left behind by a power cut — opens it at once instead of
//! reading all of it again (the ten-year centre's check takes seconds, which a sign-in
//! would wait for). Anything else (no note, another size or time, a log left over, a
//! note this centre's key did not seal) gets the full start-up check, as before.
//!
//! What it leaves to other guards: damage done while Saathi is closed that changes
//! neither size nor time (a failing disk) is found when the page is read — SQLCipher
//! checks every page's HMAC as it decrypts it — and by the daily snapshot, which reads
//! and checks every page.
use std::io::Write;
use std::path::Path;
use std::time::UNIX_EPOCH;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::audit::keyed_seal;
use crate::error::{Error, Result};
use crate::files::{sync_dir, with_suffix};

/// The note's name, beside the database.
pub const CHECKED_FILE: &str = "saathi.checked";

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Note {
    len: u64,
    /// Modification time, nanoseconds since 1970 (as text: JSON numbers lose digits).
    modified: String,
    mac: String,
}

fn note_path(db: &Path) -> std::path::PathBuf {
    db.with_file_name(CHECKED_FILE)
}

/// The file's size and modification time now.
fn stamp(db: &Path) -> Result<(u64, String)> {
    let meta = db.metadata()?;
    let nanos = meta.modified()?.duration_since(UNIX_EPOCH).map_err(|e| Error::Io(std::io::Error::other(e)))?;
    Ok((meta.len(), nanos.as_nanos().to_string()))
}

fn mac(conn: &Connection, len: u64, modified: &str) -> Result<Option<String>> {
    keyed_seal(conn, format!("checked\u{1f}{len}\u{1f}{modified}").as_bytes())
}

/// Whether a write-ahead log with anything in it lies beside the database (what a power
/// cut or a crash leaves; a clean close removes it).
fn log_left(db: &Path) -> bool {
    with_suffix(db, "-wal").metadata().is_ok_and(|m| m.len() > 0)
}

/// Writes the note for `db`, just checked whole through `conn` (a connection with the
/// database's key; nothing is written without one). Call it only after every connection
/// that writes has closed.
pub fn write(conn: &Connection, db: &Path) -> Result<bool> {
    if log_left(db) {
        return Ok(false);
    }
    let (len, modified) = stamp(db)?;
    let Some(mac) = mac(conn, len, &modified)? else { return Ok(false) };
    let text = serde_json::to_vec(&Note { len, modified, mac })
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let dir = db.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&text)?;
    tmp.as_file().sync_all()?;
    tmp.persist(note_path(db)).map_err(|e| Error::Io(e.error))?;
    sync_dir(dir);
    Ok(true)
}

/// Whether `db` is exactly as a window left it after checking it (read through `conn`,
/// a connection with its key). The note is used once: it is removed here either way, as
/// the database is about to be opened for writing.
pub fn take(conn: &Connection, db: &Path) -> bool {
    let path = note_path(db);
    let Ok(text) = std::fs::read(&path) else { return false };
    let _ = std::fs::remove_file(&path);
    let Ok(note) = serde_json::from_slice::<Note>(&text) else { return false };
    if log_left(db) {
        return false;
    }
    match (stamp(db), mac(conn, note.len, &note.modified)) {
        (Ok((len, modified)), Ok(Some(mac))) => len == note.len && modified == note.modified && mac == note.mac,
        _ => false,
    }
}
