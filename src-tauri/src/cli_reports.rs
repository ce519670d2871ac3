//! `saathi print certificate` and `saathi print outcomes` (issue 17), as an administrator
//! (`--user NAME --password-file F`).
//!
//! `print certificate` issues a new certificate (entered in the certificate register) and
//! writes its original; with `--reprint SERIAL` it issues nothing and writes a duplicate
//! of certificate SERIAL, exactly as issued and marked "Duplicate".
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use saathi_core::aftercare::{outcomes, outcomes_print};
use saathi_core::certificates::{self, CertificateInput, CertificateKind, CertificateLanguage};
use saathi_core::consents::ConsentHow;
use saathi_core::settings::Language;

use crate::cli_access::{Credentials, open_as_admin};

#[derive(Debug, clap::Args)]
pub struct CertificateArgs {
    /// The person's record number (for a new certificate)
    #[arg(long, value_name = "N", required_unless_present = "reprint")]
    patient: Option<i64>,
    /// attendance (groups attended between --from and --to) or treatment (the latest
    /// finished stay, or --stay)
    #[arg(long, value_parser = ["attendance", "treatment"], required_unless_present = "reprint")]
    kind: Option<String>,
    /// First day of the period (attendance), YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day of the period (attendance), YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// The stay to certify (treatment) [default: the latest finished stay]
    #[arg(long, value_name = "ID")]
    stay: Option<i64>,
    /// Who asked for it (court, employer, the person)
    #[arg(long, value_name = "TEXT", default_value = "")]
    purpose: String,
    /// en, hi, or both on one page
    #[arg(long, value_name = "LANG", value_parser = ["en", "hi", "both"], default_value = "both")]
    language: String,
    /// The substance to name, only with the person's consent (--consent)
    #[arg(long, value_name = "TEXT", default_value = "")]
    substance: String,
    /// How the person consented to naming the substance: signed-form or verbal (with
    /// --witness)
    #[arg(long, value_parser = ["signed-form", "verbal"])]
    consent: Option<String>,
    /// The witness of a spoken consent
    #[arg(long, value_name = "NAME", default_value = "")]
    witness: String,
    /// Print a duplicate of this certificate (its serial number) instead of issuing one
    #[arg(long, value_name = "SERIAL", conflicts_with_all = ["patient", "kind", "from", "to", "stay"])]
    reprint: Option<i64>,
    /// The PDF file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct OutcomesArgs {
    /// First day of the discharge period, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    discharged_from: NaiveDate,
    /// Last day of the discharge period, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    discharged_to: NaiveDate,
    /// The PDF file to write
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write the figures as CSV (cohort,day,figure,value)
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// en or hi [default: the centre's setting]
    #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
    language: Option<String>,
}

fn write(out: &Path, bytes: &[u8]) -> Result<(), String> {
    let written =
        crate::printouts::write_whole(out, bytes).map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
    println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
    Ok(())
}

pub fn certificate(dir: &Path, who: &Credentials, a: CertificateArgs) -> Result<(), String> {
    let (mut store, admin) = open_as_admin(dir, who)?;
    let id = match a.reprint {
        Some(serial) => serial,
        None => {
            let kind = match a.kind.as_deref() {
                Some("treatment") => CertificateKind::Treatment,
                _ => CertificateKind::Attendance,
            };
            let input = CertificateInput {
                patient_id: a.patient.unwrap_or_default(),
                kind,
                from: a.from,
                to: a.to,
                stay_id: a.stay,
                purpose: a.purpose,
                language: match a.language.as_str() {
                    "en" => CertificateLanguage::En,
                    "hi" => CertificateLanguage::Hi,
                    _ => CertificateLanguage::Both,
                },
                substance: a.substance,
                consent_how: match a.consent.as_deref() {
                    Some("signed-form") => Some(ConsentHow::SignedForm),
                    Some(_) => Some(ConsentHow::VerbalWitnessed),
                    None => None,
                },
                consent_witness: a.witness,
            };
            let id = store.write(|tx| certificates::issue(tx, &admin, &input)).map_err(|e| e.to_string())?;
            println!("Issued certificate no. {id}");
            id
        }
    };
    let (bytes, duplicate) = store.write(|tx| certificates::print::pdf(tx, &admin, id)).map_err(|e| e.to_string())?;
    if duplicate {
        println!("Certificate no. {id}: duplicate");
    }
    write(&a.out, &bytes)
}

pub fn outcomes(dir: &Path, who: &Credentials, a: OutcomesArgs) -> Result<(), String> {
    let (mut store, admin) = open_as_admin(dir, who)?;
    let language = a.language.as_deref().map(|l| if l == "hi" { Language::Hi } else { Language::En });
    let (from, to) = (a.discharged_from, a.discharged_to);
    let bytes = store.write(|tx| outcomes_print::pdf(tx, &admin, from, to, language)).map_err(|e| e.to_string())?;
    write(&a.out, &bytes)?;
    if let Some(csv) = a.csv {
        let o = outcomes::outcomes(store.conn(), &admin, from, to).map_err(|e| e.to_string())?;
        std::fs::write(&csv, outcomes::to_csv(&o)).map_err(|e| format!("Could not write {}: {e}.", csv.display()))?;
        println!("Wrote {}", csv.display());
    }
    Ok(())
}
