//! Restore: decrypt into a temporary file beside the live database, check it, show a
//! preview; only on confirmation save the current database as a safety copy and swap
//! the restored one in atomically (rename), then reopen (older schemas are migrated).
//! Every refusal leaves the live database untouched.
//!
//! Encrypted databases (SQLCipher): a backup's content is the database encrypted with
//! the centre's key, so the work file decrypted from the age layer is never plain. Its
//! key is found in this order: the live database's key, `saathi-db-key.age` beside the
//! backup (opened with the backup key pair the passphrase unlocked), the backup slot of
//! the data folder's `saathi.keys`. Before the swap, [`apply`] gives the copy the key
//! the database must have afterwards (re-encrypting it with `sqlcipher_export` when it
//! differs), so the swap never changes which key opens `saathi.db`. A backup made before
//! encryption (plain content) is encrypted with the live key as soon as it is decrypted.
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::key::{self, DB_KEY_FILE, KEY_FILE};
use super::{
    META_APP_VERSION, META_AUDIT_HEAD, META_MADE_AT, SAFETY_DIR, export_copy, inspect_copy, is_plain, sync_dir,
    with_suffix,
};
use crate::access::Action;
use crate::ctx::{Actor, Ctx};
use crate::db::Store;
use crate::error::{Error, Result};
use crate::keyslots::{DbKey, KeySlots};

/// What the restore would bring back, shown before anything changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestorePreview {
    pub file_name: String,
    /// When the backup was made (RFC 3339), if it says.
    pub made_at: Option<String>,
    pub app_version: Option<String>,
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The backup is from an older Saathi; it will be brought up to date after restoring.
    pub will_migrate: bool,
    pub centre_name: String,
    #[ts(type = "number")]
    pub patients: i64,
    #[ts(type = "number")]
    pub staff: i64,
    /// Counted only when the backup has those tables.
    #[ts(type = "number | null")]
    pub groups: Option<i64>,
    #[ts(type = "number | null")]
    pub follow_ups: Option<i64>,
    /// The most recently changed patient records: (name, date changed).
    pub newest: Vec<(String, String)>,
    /// The audit trail's head when the backup was made (backups from before issue 15
    /// have none).
    pub audit_head: Option<crate::anchor::Head>,
    /// The live audit trail against that head (filled in by [`audit_against`] where a
    /// live database is open): it should still hold the backup's newest entry with the
    /// same seal; otherwise entries were removed or rewritten since the backup.
    pub live_trail: Option<crate::anchor::AnchorCheck>,
}

/// A checked copy waiting in the data folder for the confirmation. Dropping it removes
/// the copy.
#[derive(Debug)]
pub struct PreparedRestore {
    file: tempfile::NamedTempFile,
    pub preview: RestorePreview,
    /// The backup file it came from, if it was an encrypted backup (not a local snapshot).
    encrypted_source: Option<(PathBuf, u64)>,
    /// The key the copy is encrypted with (`None`: a plain copy).
    key: Option<DbKey>,
    /// Every table's row count, to check a re-encrypted copy against.
    counts: std::collections::BTreeMap<String, i64>,
}

impl PreparedRestore {
    /// The key the prepared copy is encrypted with (`None`: plain). A data folder that has
    /// no key of its own yet (a new PC) may adopt it as the target of [`apply`]: then the
    /// copy is not re-encrypted and the stick's `saathi-db-key.age` stays valid for the
    /// centre's next backups too.
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }
}

/// No key opens the encrypted database inside a backup.
fn db_key_missing() -> Error {
    Error::invalid(
        "backup_db_key_missing",
        "file",
        format!(
            "The key of the database inside this backup ({DB_KEY_FILE}) was not found beside it. Copy {DB_KEY_FILE} \
             from the stick that holds this backup into the same folder. Nothing has been changed."
        ),
    )
    .with("file", DB_KEY_FILE)
}

/// Whether `key` opens the encrypted database file at `path` (SQLCipher checks the first
/// page: a wrong key reads as "not a database").
fn opens(path: &Path, key: &DbKey) -> bool {
    crate::db::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX, Some(key))
        .and_then(|c| c.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0)))
        .is_ok()
}

/// The key of the encrypted copy at `work`, decrypted from `backup`: the live key, the
/// key file beside the backup, or the data folder's backup slot, whichever opens it.
fn find_key(
    work: &Path,
    backup: &Path,
    data_dir: &Path,
    identities: &[age::x25519::Identity],
    live_key: Option<&DbKey>,
) -> Result<DbKey> {
    // A SQLCipher file is a whole number of pages; anything else is no database at all.
    let len = std::fs::metadata(work)?.len();
    if len == 0 || !len.is_multiple_of(512) {
        return Err(Error::NotABackup);
    }
    if let Some(k) = live_key.filter(|k| opens(work, k)) {
        return Ok(k.clone());
    }
    if let Some(k) = backup.parent().and_then(|dir| key::read_db_key_file(dir, identities)).filter(|k| opens(work, k)) {
        return Ok(k);
    }
    if let Ok(Some(slots)) = KeySlots::load(data_dir)
        && let Some(k) = identities.iter().find_map(|id| slots.open_with_identity(id).ok()).filter(|k| opens(work, k))
    {
        return Ok(k);
    }
    Err(db_key_missing())
}

/// Overwrites a plain work file with zeros (synced) before it is removed (when dropped).
fn wipe(file: &tempfile::NamedTempFile) {
    let len = file.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    let mut out = file.as_file();
    let zeros = vec![0u8; 1 << 20];
    let mut left = len;
    let _ = std::io::Seek::seek(&mut out, std::io::SeekFrom::Start(0));
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        if out.write_all(&zeros[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
    let _ = out.sync_all();
}

fn work_file(data_dir: &Path) -> Result<tempfile::NamedTempFile> {
    std::fs::create_dir_all(data_dir)?;
    // Leftovers of a crash are removed (never the live database: other names).
    if let Ok(rd) = std::fs::read_dir(data_dir) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(".restore-")
                && e.metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|d| d.as_secs() > 3600)
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(tempfile::Builder::new().prefix(".restore-").suffix(".db").tempfile_in(data_dir)?)
}

/// The key files to try: beside the backup, in the data folder, then the one stored
/// in this Saathi.
fn candidate_keys(file: &Path, data_dir: &Path, stored: Option<&str>) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for p in [file.parent().map(|d| d.join(KEY_FILE)), Some(data_dir.join(KEY_FILE))].into_iter().flatten() {
        if let Ok(b) = std::fs::read(&p)
            && !keys.contains(&b)
        {
            keys.push(b);
        }
    }
    if let Some(s) = stored
        && !keys.iter().any(|k| k == s.as_bytes())
    {
        keys.push(s.as_bytes().to_vec());
    }
    keys
}

/// Decrypts and checks a backup file with the centre's passphrase (admin only). Nothing
/// changes yet. `stored_key` is the passphrase-protected backup key stored in the live
/// database, if any; `live_key` the live database's key (`Store::key`), if it is
/// encrypted (see the module's notes for how the copy's key is found).
pub fn prepare(
    ctx: &Ctx,
    file: &Path,
    passphrase: &str,
    data_dir: &Path,
    stored_key: Option<&str>,
    live_key: Option<&DbKey>,
) -> Result<PreparedRestore> {
    prepare_trusting(ctx, file, passphrase, data_dir, stored_key, live_key, None)
}

/// [`prepare`], using only the backup key pairs whose public halves `trusted` names (when
/// it names any: a restore without sign-in accepts only this centre's own backup key).
pub(super) fn prepare_trusting(
    ctx: &Ctx,
    file: &Path,
    passphrase: &str,
    data_dir: &Path,
    stored_key: Option<&str>,
    live_key: Option<&DbKey>,
    trusted: Option<&[String]>,
) -> Result<PreparedRestore> {
    ctx.require(Action::ManageBackups)?;
    let mut head = [0u8; 64];
    let n = File::open(file)?.read(&mut head)?;
    if !head[..n].starts_with(b"age-encryption.org/v1") {
        return Err(Error::NotABackup);
    }
    let keys = candidate_keys(file, data_dir, stored_key);
    if keys.is_empty() {
        return Err(Error::invalid(
            "backup_key_missing",
            "file",
            format!(
                "No backup key file ({KEY_FILE}) was found beside this backup. Copy it from the stick into the same folder."
            ),
        )
        .with("file", KEY_FILE));
    }
    let mut identities = Vec::new();
    let mut last_err = Error::WrongPassphrase;
    for k in &keys {
        match key::unlock(k, passphrase) {
            Ok(id) => identities.push(id),
            Err(e) => last_err = e,
        }
    }
    if identities.is_empty() {
        return Err(last_err);
    }
    // Key pairs that are not the centre's own (when only its own are trusted) are set
    // aside; a backup that only they would open is refused as such.
    let unlocked = identities.len();
    if let Some(trusted) = trusted {
        identities.retain(|id| trusted.contains(&id.to_public().to_string()));
    }
    let foreign_only = || {
        if identities.len() < unlocked { super::unsigned::not_this_centres_key() } else { Error::BackupOtherKey }
    };
    if identities.is_empty() {
        return Err(foreign_only());
    }
    let damaged = |what: &str| Error::BackupDamaged { detail: what.to_owned() };
    let dec = age::Decryptor::new_buffered(BufReader::new(File::open(file)?))
        .map_err(|_| damaged("its header is incomplete or altered"))?;
    let mut reader = dec.decrypt(identities.iter().map(|i| i as &dyn age::Identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => foreign_only(),
        _ => damaged("its header is altered"),
    })?;
    super::ensure_room(data_dir, std::fs::metadata(file)?.len())?;
    let tmp = work_file(data_dir)?;
    {
        let mut out = BufWriter::new(tmp.as_file());
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buf).map_err(|_| damaged("it is cut short or its content was altered"))?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
        }
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    let mut prepared = if is_plain(tmp.path())? {
        // Made before the database was encrypted: encrypted with the live key at once.
        rollback_mode(tmp.as_file())?;
        match live_key {
            Some(k) => {
                let enc = work_file(data_dir)?;
                let exported = export_copy(tmp.path(), None, enc.path(), Some(k));
                wipe(&tmp);
                drop(tmp);
                exported?;
                finish_prepare(enc, file, Some(k.clone()))?
            }
            None => finish_prepare(tmp, file, None)?,
        }
    } else {
        let k = find_key(tmp.path(), file, data_dir, &identities, live_key)?;
        finish_prepare(tmp, file, Some(k))?
    };
    prepared.encrypted_source = Some((file.to_path_buf(), std::fs::metadata(file)?.len()));
    Ok(prepared)
}

/// A copy flagged as WAL mode (header bytes 18 and 19 = 2) would make SQLite create
/// `-wal`/`-shm` files beside it even when opened read-only: flag it as a rollback
/// journal file (1, 1), which is what it is, whole in one file.
fn rollback_mode(file: &File) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut f = file;
    let mut h = [0u8; 20];
    f.seek(SeekFrom::Start(0))?;
    if f.read(&mut h)? == 20 && h.starts_with(b"SQLite format 3\0") && (h[18] == 2 || h[19] == 2) {
        f.seek(SeekFrom::Start(18))?;
        f.write_all(&[1, 1])?;
        f.sync_all()?;
    }
    Ok(())
}

/// A local snapshot (a copy in the data folder, encrypted with the live key like the
/// live database): no passphrase needed. `live_key` is the live database's key. A plain
/// snapshot (taken before the database was encrypted) is encrypted with it on the way
/// into the work file.
pub fn prepare_local(ctx: &Ctx, file: &Path, data_dir: &Path, live_key: Option<&DbKey>) -> Result<PreparedRestore> {
    ctx.require(Action::ManageBackups)?;
    let plain = is_plain(file)?;
    super::ensure_room(data_dir, std::fs::metadata(file)?.len())?;
    let tmp = work_file(data_dir)?;
    match (plain, live_key) {
        (true, Some(k)) => {
            export_copy(file, None, tmp.path(), Some(k))?;
            finish_prepare(tmp, file, Some(k.clone()))
        }
        (false, None) => Err(db_key_missing()),
        (_, key) => {
            std::fs::copy(file, tmp.path())?;
            tmp.as_file().sync_all()?;
            finish_prepare(tmp, file, key.cloned())
        }
    }
}

fn finish_prepare(tmp: tempfile::NamedTempFile, file: &Path, key: Option<DbKey>) -> Result<PreparedRestore> {
    rollback_mode(tmp.as_file())?;
    let facts = inspect_copy(tmp.path(), key.as_ref())?;
    let conn = crate::db::connect(tmp.path(), OpenFlags::SQLITE_OPEN_READ_ONLY, key.as_ref())?;
    let setting = |k: &str| -> Result<Option<String>> {
        Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| r.get(0)).optional()?)
    };
    // The schema is Saathi's own for its version (checked above): groups and follow-ups
    // are counted when that version has their tables.
    let count = |table: &str| facts.counts.get(table).copied();
    let groups = count("therapy_groups");
    let follow_ups = count("aftercare_followups");
    let centre_name: String =
        conn.query_row("SELECT name FROM centre WHERE id = 1", [], |r| r.get(0)).optional()?.unwrap_or_default();
    let newest = conn
        .prepare(
            "SELECT CASE WHEN preferred_name <> '' THEN preferred_name ELSE full_name END, substr(updated_at, 1, 10)
             FROM patients ORDER BY updated_at DESC, id DESC LIMIT 5",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    let audit_head = setting(META_AUDIT_HEAD)?.and_then(|text| {
        let (entry, seal) = text.split_once(' ')?;
        Some(crate::anchor::Head { entry: entry.parse().ok()?, seal: seal.to_owned() })
    });
    let preview = RestorePreview {
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        made_at: setting(META_MADE_AT)?,
        app_version: setting(META_APP_VERSION)?,
        schema_version: facts.schema_version,
        will_migrate: facts.schema_version < crate::db::schema_version(),
        centre_name,
        patients: count("patients").unwrap_or(0),
        staff: count("staff").unwrap_or(0),
        groups,
        follow_ups,
        newest,
        audit_head,
        live_trail: None,
    };
    drop(conn);
    Ok(PreparedRestore { file: tmp, preview, encrypted_source: None, key, counts: facts.counts })
}

/// The live trail (`live`, the database about to be replaced) against the head the backup
/// recorded when it was made: kept in `preview.live_trail` for the preview to show.
pub fn audit_against(prepared: &mut PreparedRestore, live: &rusqlite::Connection) -> Result<()> {
    if let Some(head) = &prepared.preview.audit_head {
        prepared.preview.live_trail = Some(crate::anchor::compare(live, head.entry, &head.seal)?);
    }
    Ok(())
}

/// The prepared copy, encrypted with `target` (re-encrypted into a new work file when its
/// key differs, checked: integrity and the same rows). The old work file goes (wiped
/// first when it was plain).
fn with_key(mut prepared: PreparedRestore, data_dir: &Path, target: Option<&DbKey>) -> Result<PreparedRestore> {
    if prepared.key.as_ref() == target {
        return Ok(prepared);
    }
    super::ensure_room(data_dir, prepared.file.as_file().metadata()?.len())?;
    let out = work_file(data_dir)?;
    export_copy(prepared.file.path(), prepared.key.as_ref(), out.path(), target)?;
    let facts = inspect_copy(out.path(), target)?;
    if facts.counts != prepared.counts {
        return Err(Error::BackupDamaged { detail: "the re-encrypted copy does not hold the same rows".into() });
    }
    let old = std::mem::replace(&mut prepared.file, out);
    if prepared.key.is_none() {
        wipe(&old);
    }
    drop(old);
    prepared.key = target.cloned();
    Ok(prepared)
}

/// Replaces the live database with the prepared one. `live` is the open store (closed
/// here after a safety copy, encrypted with its key like the store), or `None` when it
/// could not be opened (its files are then copied as they are). `target_key` is the key
/// `saathi.db` must have afterwards: the live key (a new key, or the prepared copy's
/// [`PreparedRestore::key`], when the folder has none yet; `None` keeps it plain). The copy
/// is re-encrypted to it first when its own key differs, before anything else changes.
/// The live trail's audit entries made since the backup are carried into the restored
/// one (see carry.rs), and the folder's audit anchor moves to the restored trail's head.
/// Returns the reopened store (with `target_key`) on the restored data and the safety
/// copy's path. The key slots are not touched here.
pub fn apply(
    ctx: &Ctx,
    prepared: PreparedRestore,
    data_dir: &Path,
    live: Option<Store>,
    target_key: Option<&DbKey>,
) -> Result<(Store, PathBuf)> {
    ctx.require(Action::ManageBackups)?;
    let prepared = with_key(prepared, data_dir, target_key)?;
    let db = crate::paths::db_path(data_dir);
    let safety_dir = data_dir.join(SAFETY_DIR);
    std::fs::create_dir_all(&safety_dir)?;
    // The safety copy is about as large as the live database (with its WAL).
    let live_bytes: u64 =
        [db.clone(), with_suffix(&db, "-wal")].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    super::ensure_room(&safety_dir, live_bytes)?;
    let safety = safety_dir.join(format!("saathi-before-restore-{}.db", ctx.now.format("%Y%m%d-%H%M%S")));
    let file_name = prepared.preview.file_name.clone();
    let made_at = prepared.preview.made_at.clone().unwrap_or_else(|| ctx.stamp());
    let source = prepared.encrypted_source.clone();
    let mut carried = Vec::new();
    match live {
        Some(mut store) => {
            store.write(|tx| {
                crate::audit::record(tx, ctx, "restore", crate::audit::entity::SETTINGS, None, &file_name)
            })?;
            // The live trail's entries since the backup (this "restore" one too) go on in
            // the restored database.
            let copy = crate::db::connect(prepared.file.path(), OpenFlags::SQLITE_OPEN_READ_ONLY, target_key)?;
            carried = super::carry::entries_after(store.conn(), &copy)?;
            drop(copy);
            super::copy_database(store.conn(), &safety, &[], true, store.key())?;
            // Everything into the main file, then close: no WAL is left to replay.
            let busy: i64 = store.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy != 0 {
                return Err(Error::Busy);
            }
            drop(store);
        }
        None => {
            if db.exists() {
                for (from, to) in
                    [(db.clone(), safety.clone()), (with_suffix(&db, "-wal"), with_suffix(&safety, "-wal"))]
                {
                    if from.exists() {
                        std::fs::copy(&from, &to)?;
                        // A write handle: Windows refuses to flush a read-only one.
                        File::options().write(true).open(&to)?.sync_all()?;
                    }
                }
            }
        }
    }
    sync_dir(&safety_dir);
    // A stale WAL or shared-memory file must never be applied to the restored file.
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(with_suffix(&db, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    prepared.file.persist(&db).map_err(|e| Error::Io(e.error))?;
    sync_dir(data_dir);
    let mut store = Store::open_with(&db, target_key)?;
    // The acting staff member may not exist in the restored data; then the system records it.
    let known: bool = store
        .conn()
        .query_row("SELECT 1 FROM staff WHERE id = ?1", [ctx.actor.staff_id], |_| Ok(()))
        .optional()?
        .is_some();
    let actor = if known { ctx.actor } else { Actor::system() };
    let detail = match ctx.actor.staff_id {
        Some(id) if !known => format!("{file_name} (by staff #{id})"),
        _ => file_name,
    };
    let rctx = Ctx { actor, ..*ctx };
    store.write(|tx| {
        for entry in &carried {
            crate::audit::record_carried(tx, entry)?;
        }
        crate::audit::record(tx, &rctx, "restored", crate::audit::entity::SETTINGS, None, &detail)?;
        // The backup was just decrypted and checked in full: it counts as verified (the
        // restored data predates its own record of it).
        if let Some((path, bytes)) = &source
            && let (Some(folder), Some(name)) = (path.parent(), path.file_name())
        {
            tx.execute(
                "INSERT INTO backups (made_at, folder, file_name, bytes, verified_at, staff_id, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'usb')",
                rusqlite::params![
                    made_at,
                    folder.display().to_string(),
                    name.to_string_lossy(),
                    *bytes as i64,
                    ctx.stamp(),
                    rctx.actor.staff_id
                ],
            )?;
        }
        Ok(())
    })?;
    // The restored trail is the one this folder's anchor speaks for from now on (a copy put
    // back by hand, not through here, is found shorter or different at the next start).
    crate::anchor::write(store.conn(), data_dir)?;
    Ok((store, safety))
}
