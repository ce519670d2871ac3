//! Printed papers on disk: written whole (a `.partial` file renamed into place) and opened
//! in the system's PDF viewer from the Rust side, so the window needs no permission to
//! open files itself.
use std::path::Path;

use saathi_core::Error;

pub fn write_pdf(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() != Some("pdf") {
        return Err(Error::invalid("pdf_name", "path", "The file name must end in .pdf."));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("pdf.partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

/// Opens the file in the system's viewer. A PC without a PDF viewer is not an error: the
/// file is written and its place is shown.
pub fn open(path: &Path) {
    if let Err(e) = tauri_plugin_opener::open_path(path, None::<&str>) {
        tracing::warn!(error = %e, "could not open the printout in a viewer");
    }
}
