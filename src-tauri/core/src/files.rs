//! Small helpers for every module that writes files: syncing what must survive a power
//! cut (the store's copies, the key slots, the audit anchor, the conversion to
//! encryption), and the rule for a file the user chose to save a CSV export to.
use std::path::{Path, PathBuf};

/// A CSV export goes to a full file path ending in `.csv` (as the save dialog gives it),
/// never to a folder or a path relative to wherever Saathi happens to run.
pub(crate) fn is_csv_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) && path.is_absolute() && !path.is_dir()
}

/// Syncs a directory after a file in it was created or renamed, so the new name itself
/// survives a power cut.
pub(crate) fn sync_dir(dir: &Path) {
    // Directories can be opened and synced on Unix; Windows has no such call (NTFS
    // journals the rename itself).
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// `p` with `suffix` added to its file name (`saathi.db` → `saathi.db.partial`).
pub(crate) fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
