//! Issue 17: `saathi print register …` and `saathi print sign-in …` (the credentials rule of
//! the other data-reading commands: `--user NAME --password-file F`).
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use saathi_core::paths;
use saathi_core::registers::{self, RegisterKind, RegisterRequest};
use saathi_core::settings::Language;

use crate::cli_access::Credentials;

fn language(code: Option<&str>) -> Option<Language> {
    code.map(|l| if l == "hi" { Language::Hi } else { Language::En })
}

fn kind(name: &str) -> Result<RegisterKind, String> {
    RegisterKind::parse(&name.replace('-', "_")).ok_or_else(|| {
        format!(
            "There is no register called {name:?}; use admissions, discharges, follow-ups, sessions or certificates."
        )
    })
}

fn write(out: &Path, bytes: &[u8]) -> Result<(), String> {
    let written =
        crate::printouts::write_whole(out, bytes).map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
    println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
    Ok(())
}

/// What `saathi print register` was asked for.
pub struct RegisterArgs {
    pub kind: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub out: PathBuf,
    pub csv: Option<PathBuf>,
    pub language: Option<String>,
    pub privacy: Option<bool>,
}

pub fn register(data_dir: Option<&Path>, who: &Credentials, a: RegisterArgs) -> Result<(), String> {
    let request = RegisterRequest { kind: kind(&a.kind)?, from: a.from, to: a.to };
    let dir = paths::resolve_data_dir(data_dir).map_err(|e| e.to_string())?;
    let (mut store, admin) = crate::cli_access::open_as_admin(&dir, who)?;
    let lang = language(a.language.as_deref());
    let bytes = store
        .write(|tx| registers::doc::register_pdf(tx, &admin, &request, a.privacy, lang))
        .map_err(|e| e.to_string())?;
    write(&a.out, &bytes)?;
    if let Some(csv) = &a.csv {
        let bytes = store
            .write(|tx| registers::csv_out::register_csv(tx, &admin, &request, a.privacy))
            .map_err(|e| e.to_string())?;
        write(csv, &bytes)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn sign_in(
    data_dir: Option<&Path>,
    who: &Credentials,
    group: i64,
    date: NaiveDate,
    out: &Path,
    language: Option<&str>,
    privacy: Option<bool>,
) -> Result<(), String> {
    let dir = paths::resolve_data_dir(data_dir).map_err(|e| e.to_string())?;
    let (mut store, admin) = crate::cli_access::open_as_admin(&dir, who)?;
    let lang = self::language(language);
    let bytes = store
        .write(|tx| registers::sign_in::sign_in_pdf(tx, &admin, group, date, privacy, lang))
        .map_err(|e| e.to_string())?;
    write(out, &bytes)
}
