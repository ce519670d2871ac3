//! Printed papers on disk: written whole (a `.partial` file renamed into place) and opened
//! in the system's PDF viewer from the Rust side, so the window needs no permission to
//! open files itself. A printout Saathi opens for the printer is a plain PDF (the viewer
//! must read it): it lives in the data folder's `printouts` folder only until the session
//! ends ([`clear`]: at sign-out, lock and exit, and at the next start after a power cut).
//! A PDF saved where the user chose is theirs to keep, like a CSV export.
use std::path::{Path, PathBuf};

use saathi_core::Error;

/// Writes `bytes` to `path` (which must end in .pdf). Returns the path actually written:
/// `path` itself, or a free name beside it when `path` cannot be replaced.
pub fn write_pdf(path: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    if path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() != Some("pdf") {
        return Err(Error::invalid("pdf_name", "path", "The file name must end in .pdf."));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(write_whole(path, bytes)?)
}

/// Writes `bytes` beside `path` and renames the file into place. When the rename fails
/// although `path` exists (on Windows: the previous copy is still open in a PDF viewer),
/// the file goes to the first free `<stem>-2.<ext>`, `<stem>-3.<ext>`, … instead.
/// Returns the path written.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let partial = path.with_extension("pdf.partial");
    std::fs::write(&partial, bytes)?;
    let result = match std::fs::rename(&partial, path) {
        Ok(()) => Ok(path.to_path_buf()),
        Err(e) if path.exists() => match (2..100).map(|n| numbered(path, n)).find(|p| !p.exists()) {
            Some(free) => std::fs::rename(&partial, &free).map(|()| free),
            None => Err(e),
        },
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// The `printouts` folder of `data_dir`, where printouts opened in the viewer are written.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("printouts")
}

/// Overwrites every printout in `data_dir`'s `printouts` folder with zeros and removes it.
/// One still held open by a viewer (Windows may refuse to write or remove it) is left for
/// the next time. Returns how many files are left.
pub fn clear(data_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder(data_dir)) else { return 0 };
    let mut left = 0;
    for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_file()) {
        if let Err(e) = wipe(&path) {
            tracing::info!(error = %e, "a printout could not be removed yet (open in a viewer?)");
            left += 1;
        }
    }
    left
}

fn wipe(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 64 * 1024];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n])?;
        done += n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)
}

/// `dir/roster-2024-06-03.pdf` → `dir/roster-2024-06-03-2.pdf`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// Opens the file in the system's viewer. A PC without a PDF viewer is not an error: the
/// file is written and its place is shown.
pub fn open(path: &Path) {
    if let Err(e) = tauri_plugin_opener::open_path(path, None::<&str>) {
        tracing::warn!(error = %e, "could not open the printout in a viewer");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_overwrites_and_removes_every_printout() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_pdf(&folder(dir.path()).join("roster-2024-06-03.pdf"), b"Kavita 98140 76543").unwrap();
        let b = write_pdf(&folder(dir.path()).join("roster-2024-06-10.pdf"), b"two").unwrap();
        let keep = dir.path().join("saathi.db");
        std::fs::write(&keep, b"not a printout").unwrap();
        assert_eq!(clear(dir.path()), 0);
        assert!(!a.exists() && !b.exists());
        assert!(keep.exists(), "only the printouts folder is touched");
        assert_eq!(clear(tempfile::tempdir().unwrap().path()), 0, "no folder: nothing to do");
    }

    #[test]
    fn replaces_the_previous_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("printouts").join("roster-2024-06-03.pdf");
        assert_eq!(write_pdf(&path, b"one").unwrap(), path);
        assert_eq!(write_pdf(&path, b"two").unwrap(), path);
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!path.with_extension("pdf.partial").exists());
        assert!(write_pdf(&dir.path().join("roster.txt"), b"x").is_err());
    }

    /// A copy that cannot be replaced (on Windows: open in a viewer; here: a directory of
    /// that name, which rename cannot replace either) leaves the printout at a free name.
    #[test]
    fn an_unreplaceable_copy_gets_a_numbered_name_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster-2024-06-03.pdf");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("held"), b"x").unwrap();
        let second = dir.path().join("roster-2024-06-03-2.pdf");
        assert_eq!(write_pdf(&path, b"one").unwrap(), second);
        assert_eq!(std::fs::read(&second).unwrap(), b"one");
        // -2 is taken (not held): the next one goes to -3, and -2 is left as it was.
        assert_eq!(write_pdf(&path, b"two").unwrap(), dir.path().join("roster-2024-06-03-3.pdf"));
        assert_eq!(std::fs::read(&second).unwrap(), b"one");
        assert!(!path.with_extension("pdf.partial").exists());
        assert_eq!(numbered(Path::new("d/out"), 2), Path::new("d/out-2"));
    }

    /// The real case on Windows: a PDF viewer holds the previous copy open without
    /// letting it be deleted or renamed over (share mode read only, as Adobe Reader does).
    /// The new printout goes beside it, and the copy in the viewer is left as it was.
    #[cfg(windows)]
    #[test]
    fn a_copy_open_in_a_viewer_gets_a_numbered_name() {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_SHARE_READ: u32 = 1;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster-2024-06-03.pdf");
        write_pdf(&path, b"one").unwrap();
        let viewer = std::fs::File::options().read(true).share_mode(FILE_SHARE_READ).open(&path).unwrap();
        let second = dir.path().join("roster-2024-06-03-2.pdf");
        assert_eq!(write_pdf(&path, b"two").unwrap(), second);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        assert!(!path.with_extension("pdf.partial").exists());
        drop(viewer);
        assert_eq!(write_pdf(&path, b"three").unwrap(), path, "closed in the viewer: replaced again");
    }
}
