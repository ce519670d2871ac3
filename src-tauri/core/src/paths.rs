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
