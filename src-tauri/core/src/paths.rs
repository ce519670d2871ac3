//! Where Saathi keeps its files.
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "SAATHI_DATA_DIR";

/// The per-user application-data folder (Windows: %LOCALAPPDATA%\Saathi\Saathi\data;
/// Linux: ~/.local/share/saathi; macOS: ~/Library/Application Support/org.Saathi.Saathi).
pub fn default_data_dir() -> Result<PathBuf> {
    project_dir("Saathi")
}

/// The demo centre lives apart from the real data.
pub fn default_demo_dir() -> Result<PathBuf> {
    project_dir("SaathiDemo")
}

fn project_dir(app: &str) -> Result<PathBuf> {
    directories::ProjectDirs::from("org", "Saathi", app).map(|d| d.data_local_dir().to_path_buf()).ok_or_else(|| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no home folder was found for this user; start Saathi with --data-dir",
        ))
    })
}

/// The data folder: the flag, else SAATHI_DATA_DIR, else the default.
pub fn resolve_data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    match std::env::var_os(DATA_DIR_ENV) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => default_data_dir(),
    }
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(crate::db::DB_FILE)
}

pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

#[cfg(all(test, windows))]
mod tests {
    /// On Windows the data lives in the user's local (not roaming) application data: a
    /// roaming profile would copy the centre's records to a domain server at sign-out.
    #[test]
    fn the_data_folder_is_under_localappdata() {
        let local = std::env::var_os("LOCALAPPDATA").expect("Windows sets LOCALAPPDATA");
        let dir = super::default_data_dir().unwrap();
        assert!(dir.starts_with(&local), "{} under {}", dir.display(), local.to_string_lossy());
        assert!(dir.ends_with(r"Saathi\Saathi\data"), "{}", dir.display());
        let demo = super::default_demo_dir().unwrap();
        assert!(demo.starts_with(&local) && demo.ends_with(r"Saathi\SaathiDemo\data"), "{}", demo.display());
    }
}
