//! `saathi print statistics`: a month's or a quarter's figures as PDF (English or Hindi)
//! and, with `--csv`, as CSV. Figures only: no one is named in either file.
use std::path::Path;

use saathi_core::settings::Language;
use saathi_core::statistics::{self, Period};

use crate::cli_access::Credentials;

pub fn print(
    dir: &Path,
    who: &Credentials,
    period: &str,
    out: &Path,
    csv: Option<&Path>,
    language: Option<&str>,
) -> Result<(), String> {
    let period = Period::parse(period).map_err(|e| e.to_string())?;
    let (mut store, admin) = crate::cli_access::open_as_admin(dir, who)?;
    let language = language.map(|l| if l == "hi" { Language::Hi } else { Language::En });
    let (stats, bytes) =
        store.write(|tx| statistics::print::pdf(tx, &admin, &period, language)).map_err(|e| e.to_string())?;
    let written =
        crate::printouts::write_whole(out, &bytes).map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
    println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
    if let Some(csv) = csv {
        let text = store.write(|tx| statistics::print::csv_export(tx, &admin, &period)).map_err(|e| e.to_string())?;
        let written = crate::printouts::write_whole(csv, text.as_bytes())
            .map_err(|e| format!("Could not write {}: {e}.", csv.display()))?;
        println!("Wrote {} ({} figures)", written.display(), stats.figures.len());
    }
    Ok(())
}
