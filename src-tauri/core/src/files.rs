//! Two small helpers for every module that writes files that must survive a power cut
//! (the store's copies, the key slots, the audit anchor, the conversion to encryption).
use std::path::{Path, PathBuf};

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
