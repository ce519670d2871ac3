//! Safety copies: the database as it was before each restore, in the data folder's
//! `safety` folder (encrypted with the database's key, like the database). They are kept
//! until an administrator removes them (issue 15: a restore keeps the history); a later
//! backup no longer lets go of them.
use std::path::Path;

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{SAFETY_DIR, with_suffix};
use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// One safety copy, as the Backup screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SafetyCopy {
    pub file_name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// When the restore it was kept for began ("YYYY-MM-DD HH:MM", local time), read from
    /// its name.
    pub made_at: Option<String>,
}

/// `saathi-before-restore-20261126-101500.db` → "2026-11-26 10:15".
fn made_at(name: &str) -> Option<String> {
    let stamp = name.strip_prefix("saathi-before-restore-")?.strip_suffix(".db")?;
    let t = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()?;
    Some(t.format("%Y-%m-%d %H:%M").to_string())
}

/// The safety copies in `data_dir`, newest first (administrators only).
pub fn list(ctx: &Ctx, data_dir: &Path) -> Result<Vec<SafetyCopy>> {
    ctx.require(Action::ManageBackups)?;
    let Ok(entries) = std::fs::read_dir(data_dir.join(SAFETY_DIR)) else { return Ok(Vec::new()) };
    let mut out: Vec<SafetyCopy> = entries
        .flatten()
        .filter_map(|e| {
            let file_name = e.file_name().to_string_lossy().into_owned();
            let bytes = e.metadata().ok().filter(|m| m.is_file())?.len();
            file_name.ends_with(".db").then(|| SafetyCopy { made_at: made_at(&file_name), file_name, bytes })
        })
        .collect();
    out.sort_by(|a, b| b.file_name.cmp(&a.file_name));
    Ok(out)
}

/// Removes one safety copy (with its `-wal` file, if one was kept beside it), by its name
/// as [`list`] gave it, and records who did. Administrators only.
pub fn remove(tx: &Transaction<'_>, ctx: &Ctx, data_dir: &Path, file_name: &str) -> Result<()> {
    if !list(ctx, data_dir)?.iter().any(|c| c.file_name == file_name) {
        return Err(Error::NotFound { what: "safety copy" });
    }
    let path = data_dir.join(SAFETY_DIR).join(file_name);
    crate::audit::record(tx, ctx, "safety_copy_removed", crate::audit::entity::SETTINGS, None, file_name)?;
    for p in [with_suffix(&path, "-wal"), with_suffix(&path, "-shm")] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::remove_file(&path)?;
    super::sync_dir(&data_dir.join(SAFETY_DIR));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;

    #[test]
    fn copies_are_listed_newest_first_and_removed_only_by_name_and_by_an_administrator() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("saathi.db")).unwrap();
        let safety = dir.path().join(SAFETY_DIR);
        std::fs::create_dir_all(&safety).unwrap();
        for name in ["saathi-before-restore-20261126-101500.db", "saathi-before-restore-20261201-090000.db"] {
            std::fs::write(safety.join(name), b"copy").unwrap();
        }
        std::fs::write(safety.join("saathi-before-restore-20261126-101500.db-wal"), b"wal").unwrap();
        let admin = Ctx::now(Actor::system());
        let listed = list(&admin, dir.path()).unwrap();
        assert_eq!(
            listed.iter().map(|c| c.made_at.as_deref()).collect::<Vec<_>>(),
            vec![Some("2026-12-01 09:00"), Some("2026-11-26 10:15")]
        );
        let desk = Ctx { actor: Actor { staff_id: Some(3), role: Role::FrontDesk }, ..admin };
        assert_eq!(list(&desk, dir.path()).unwrap_err().code(), "forbidden");
        // Only a listed name: no path of any other file.
        for bad in ["../saathi.db", "saathi.db", "saathi-before-restore-20261126-101500.db-wal"] {
            assert_eq!(store.write(|tx| remove(tx, &admin, dir.path(), bad)).unwrap_err().code(), "not_found", "{bad}");
        }
        assert!(dir.path().join("saathi.db").exists());
        store.write(|tx| remove(tx, &admin, dir.path(), "saathi-before-restore-20261126-101500.db")).unwrap();
        assert_eq!(list(&admin, dir.path()).unwrap().len(), 1);
        assert!(!safety.join("saathi-before-restore-20261126-101500.db-wal").exists());
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM audit_log WHERE action = 'safety_copy_removed'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
