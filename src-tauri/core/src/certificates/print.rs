//! The printed certificate: the centre's letterhead, the serial number, what is
//! certified (from the register, as issued), the substance only where consented, the
//! confidentiality statement, who issued it, and space for a signature and the seal. A
//! reprint is marked "Duplicate" in its title, its band and a line naming the original.
//! In English, Hindi, or both (each text in English, then in Hindi).
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};

use super::labels as l;
use super::{Certificate, CertificateKind, CertificateLanguage};
use crate::consents::ConsentHow;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::labels::{Label, date, fill_in, short};
use crate::pdf::letter::{Block, FlowDoc};
use crate::settings::Language;

fn lang_of(c: CertificateLanguage) -> Option<Language> {
    match c {
        CertificateLanguage::En => Some(Language::En),
        CertificateLanguage::Hi => Some(Language::Hi),
        CertificateLanguage::Both => None,
    }
}

/// The certificate's document. `original` is the date of the first print when this
/// print is a duplicate.
pub fn doc(conn: &Connection, ctx: &Ctx, c: &Certificate, original: Option<NaiveDate>) -> Result<FlowDoc> {
    let lang = lang_of(c.language);
    let title_label = match c.kind {
        CertificateKind::Attendance => l::ATTENDANCE_TITLE,
        CertificateKind::Treatment => l::TREATMENT_TITLE,
    };
    let mut title = short(lang, title_label);
    let mut band = short(lang, l::BAND);
    if original.is_some() {
        let dup = short(lang, l::DUPLICATE);
        title = format!("{title} ({dup})");
        band = format!("{dup}. {band}");
    }
    let mut doc = crate::rights::access_copy::frame(conn, ctx, title, band, lang)?;
    let serial = c.id.to_string();
    let issued = date(c.issued_on);
    let b = &mut doc.blocks;
    if let Some(first) = original {
        b.push(Block::Para(fill_in(
            lang,
            l::DUPLICATE_TEXT,
            &[("serial", &serial), ("issued", &issued), ("original", &date(first))],
        )));
    }
    b.push(Block::Fact(short(lang, l::SERIAL), serial.clone()));
    b.push(Block::Fact(short(lang, l::ISSUED_ON), issued.clone()));
    b.push(Block::Fact(short(lang, l::NAME), c.patient_name.clone()));
    b.push(Block::Fact(short(lang, l::RECORD_NO), c.patient_id.to_string()));
    if !c.purpose.is_empty() {
        b.push(Block::Fact(short(lang, l::PURPOSE), c.purpose.clone()));
    }
    b.push(Block::Gap(10.0));
    let name = c.patient_name.as_str();
    match c.kind {
        CertificateKind::Attendance => {
            let from = c.from.map(date).unwrap_or_default();
            let to = c.to.map(date).unwrap_or_default();
            let attended = c.attended.unwrap_or(0).to_string();
            let expected = c.expected.unwrap_or(0).to_string();
            b.push(Block::Para(fill_in(
                lang,
                l::ATTENDANCE_TEXT,
                &[("name", name), ("attended", &attended), ("expected", &expected), ("from", &from), ("to", &to)],
            )));
            if c.expected == Some(0) {
                b.push(Block::Para(fill_in(lang, l::ATTENDANCE_NONE, &[])));
            }
        }
        CertificateKind::Treatment => {
            let admitted = c.admitted_on.map(date).unwrap_or_default();
            let discharged = c.discharged_on.map(date).unwrap_or_default();
            b.push(Block::Para(fill_in(
                lang,
                l::TREATMENT_TEXT,
                &[("name", name), ("admitted", &admitted), ("discharged", &discharged)],
            )));
            let done = if c.programme_completed == Some(true) { l::COMPLETED } else { l::NOT_COMPLETED };
            b.push(Block::Para(fill_in(lang, done, &[])));
        }
    }
    match c.consent_how {
        Some(ConsentHow::SignedForm) if !c.substance.is_empty() => {
            b.push(Block::Para(fill_in(lang, l::SUBSTANCE_SIGNED, &[("substance", &c.substance)])));
        }
        Some(ConsentHow::VerbalWitnessed) if !c.substance.is_empty() => b.push(Block::Para(fill_in(
            lang,
            l::SUBSTANCE_SPOKEN,
            &[("substance", &c.substance), ("witness", &c.consent_witness)],
        ))),
        _ => {}
    }
    b.push(Block::Para(fill_in(lang, l::NO_DIAGNOSIS, &[])));
    b.push(Block::Gap(6.0));
    b.push(Block::Para(fill_in(lang, l::CONFIDENTIAL, &[])));
    b.push(Block::Gap(10.0));
    b.push(Block::Fact(short(lang, l::ISSUED_BY), c.issued_by.clone().unwrap_or_default()));
    b.push(Block::Gap(16.0));
    b.push(Block::Table(
        vec![short(lang, l::SIGNATURE), short(lang, l::SEAL_SPACE), short(lang, l::DATE)],
        vec![vec!["\n\n\n\n\n".into(), "\n\n\n\n\n".into(), issued]],
    ));
    Ok(doc)
}

/// Prints a certificate: records the print (the first is the original, any later one a
/// duplicate), audits it, and returns the PDF bytes and whether it is a duplicate.
pub fn pdf(tx: &Transaction<'_>, ctx: &Ctx, id: i64) -> Result<(Vec<u8>, bool)> {
    let c = super::get(tx, ctx, id)?;
    let original = super::record_print(tx, ctx, id)?;
    let bytes = crate::pdf::letter::render(&doc(tx, ctx, &c, original)?)?;
    Ok((bytes, original.is_some()))
}

/// The person's certificates for their access copy (after their stays): each one's
/// serial, kind, date, what it certifies, the substance named and how consented, the
/// purpose, and how many times it was printed.
pub(crate) fn access_copy_blocks(conn: &Connection, lang: Language, patient: i64) -> Result<Vec<Block>> {
    let certificates = super::of_patient(conn, patient)?;
    if certificates.is_empty() {
        return Ok(Vec::new());
    }
    let t = |label: Label| label.text(lang).to_owned();
    let rows = certificates
        .iter()
        .map(|c| {
            let (kind, what) = match c.kind {
                CertificateKind::Attendance => (
                    t(l::ATTENDANCE_TITLE),
                    l::AC_ATTENDANCE.fill(
                        lang,
                        &[
                            ("attended", &c.attended.unwrap_or(0).to_string()),
                            ("expected", &c.expected.unwrap_or(0).to_string()),
                            ("from", &c.from.map(date).unwrap_or_default()),
                            ("to", &c.to.map(date).unwrap_or_default()),
                        ],
                    ),
                ),
                CertificateKind::Treatment => {
                    let stay = l::AC_TREATMENT.fill(
                        lang,
                        &[
                            ("admitted", &c.admitted_on.map(date).unwrap_or_default()),
                            ("discharged", &c.discharged_on.map(date).unwrap_or_default()),
                        ],
                    );
                    let done = t(if c.programme_completed == Some(true) { l::COMPLETED } else { l::NOT_COMPLETED });
                    (t(l::TREATMENT_TITLE), format!("{stay}. {done}"))
                }
            };
            let substance = match c.consent_how {
                Some(ConsentHow::SignedForm) => format!("{} ({})", c.substance, t(l::AC_SIGNED)),
                Some(ConsentHow::VerbalWitnessed) => {
                    format!("{} ({})", c.substance, l::AC_SPOKEN.fill(lang, &[("witness", &c.consent_witness)]))
                }
                _ => String::new(),
            };
            vec![c.id.to_string(), kind, date(c.issued_on), what, substance, c.purpose.clone(), c.prints.to_string()]
        })
        .collect();
    let columns = [l::SERIAL, l::AC_KIND, l::ISSUED_ON, l::AC_WHAT, l::AC_SUBSTANCE, l::PURPOSE, l::AC_PRINTS];
    Ok(vec![Block::Heading(t(l::AC_HEADING)), Block::Table(columns.iter().map(|c| t(*c)).collect(), rows)])
}

/// The file name a certificate is written to.
pub fn file_name(id: i64, duplicate: bool) -> String {
    if duplicate { format!("certificate-{id}-duplicate.pdf") } else { format!("certificate-{id}.pdf") }
}
