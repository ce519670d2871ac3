//! Certificates (issue 17): an attendance certificate (group sessions attended between
//! two dates, out of those expected of the person as a member) and a treatment
//! certificate (a stay's admission and discharge, and whether the programme was
//! completed). Issuing one enters it in the certificate register: its id is its serial
//! number, and what it certifies (the counts, the stay, the name) is kept as issued, so
//! a reprint says exactly the same, marked "Duplicate" (every print is recorded; the
//! first is the original).
//!
//! No diagnosis is ever printed. The substance is printed only when the person consented
//! to it for this certificate: on a signed form, or aloud before a named witness.
//!
//! Issuing and reading live here; the printed document is built in [`print`].
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit;
use crate::consents::ConsentHow;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::patients::DischargeType;
use crate::text;

pub mod demo;
pub mod labels;
pub mod print;

#[cfg(test)]
mod tests;

str_enum!(CertificateKind { Attendance = "attendance", Treatment = "treatment" });
str_enum! {
    /// The language a certificate is printed in: English, Hindi, or both on one page.
    CertificateLanguage { En = "en", Hi = "hi", Both = "both" }
}

/// The audit trail's name for a certificate.
pub const ENTITY: &str = "certificate";

const MAX_PURPOSE: usize = 200;
const MAX_SUBSTANCE: usize = 100;
const MAX_WITNESS: usize = 100;

/// What a counsellor or administrator fills in to issue a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CertificateInput {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub kind: CertificateKind,
    /// Attendance: the period (both days included).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Treatment: the stay (a finished one); the latest finished stay when none is given.
    #[ts(type = "number | null")]
    pub stay_id: Option<i64>,
    /// Who asked for it (court, employer, the person).
    pub purpose: String,
    pub language: CertificateLanguage,
    /// Empty unless the person consented to the substance being named.
    pub substance: String,
    /// How the person consented to the substance being named (signed form, or aloud).
    pub consent_how: Option<ConsentHow>,
    /// The witness of a spoken consent.
    pub consent_witness: String,
}

/// One issued certificate, as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Certificate {
    /// The serial number in the certificate register.
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub patient_id: i64,
    pub patient_name: String,
    pub kind: CertificateKind,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub attended: Option<u32>,
    pub expected: Option<u32>,
    #[ts(type = "number | null")]
    pub stay_id: Option<i64>,
    pub admitted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub programme_completed: Option<bool>,
    pub substance: String,
    pub consent_how: Option<ConsentHow>,
    pub consent_witness: String,
    pub purpose: String,
    pub language: CertificateLanguage,
    pub issued_on: NaiveDate,
    pub issued_at: String,
    pub issued_by: Option<String>,
    /// How many times it was printed (the first print is the original).
    pub prints: u32,
}

/// Sessions expected of a patient as a member between `from` and `to`, and how many of
/// those they attended, as the groups module's attendance report counts them: a session
/// is expected when it took place (held, not cancelled) on a day the person was a member
/// of its group; attended means marked present or late. Drop-in visits are not counted.
pub fn attendance_counts(conn: &Connection, patient: i64, from: NaiveDate, to: NaiveDate) -> Result<(u32, u32)> {
    let (expected, attended): (u32, u32) = conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE a.status IN ('present', 'late')) FROM (
             SELECT DISTINCT s.id FROM group_memberships m
             JOIN group_series x ON x.group_id = m.group_id
             JOIN group_sessions s ON s.series_id = x.id
             WHERE m.patient_id = ?1 AND s.cancelled = 0 AND s.held = 'held'
               AND s.date BETWEEN ?2 AND ?3
               AND s.date >= m.joined_on AND (m.left_on IS NULL OR s.date <= m.left_on)
         ) e
         LEFT JOIN group_attendance a ON a.session_id = e.id AND a.patient_id = ?1",
        params![patient, from, to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((attended, expected))
}

/// A stay for a treatment certificate: (id, admitted, discharged, type).
fn finished_stay(
    conn: &Connection,
    patient: i64,
    stay: Option<i64>,
) -> Result<(i64, NaiveDate, NaiveDate, DischargeType)> {
    let row: Option<(i64, NaiveDate, Option<NaiveDate>, Option<DischargeType>)> = conn
        .query_row(
            "SELECT id, admitted_on, discharged_on, discharge_type FROM stays
             WHERE patient_id = ?1 AND (?2 IS NULL OR id = ?2)
             ORDER BY discharged_on IS NULL, admitted_on DESC, id DESC LIMIT 1",
            params![patient, stay],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    match row {
        None => Err(Error::invalid("certificate_no_stay", "stay_id", "This person has no stay to certify.")),
        Some((id, admitted, Some(discharged), Some(kind))) => Ok((id, admitted, discharged, kind)),
        Some(_) => Err(Error::invalid(
            "certificate_stay_open",
            "stay_id",
            "A treatment certificate is issued after discharge; this stay has not ended.",
        )),
    }
}

/// Issues a certificate and enters it in the register; returns its serial number.
pub fn issue(tx: &Transaction<'_>, ctx: &Ctx, input: &CertificateInput) -> Result<i64> {
    ctx.require(Action::ReadClinicalNotes)?;
    let patient = crate::patients::get(tx, ctx, input.patient_id)?;
    let purpose = text::clean(&input.purpose);
    let substance = text::clean(&input.substance);
    let witness = text::clean(&input.consent_witness);
    if text::char_len(&purpose) > MAX_PURPOSE {
        return Err(Error::invalid(
            "certificate_purpose_long",
            "purpose",
            "The purpose is too long (200 letters at most).",
        ));
    }
    if text::char_len(&substance) > MAX_SUBSTANCE || text::char_len(&witness) > MAX_WITNESS {
        return Err(Error::invalid("certificate_text_long", "substance", "The substance or witness is too long."));
    }
    // The substance only with the person's consent to it, for this certificate.
    let consent = if substance.is_empty() {
        None
    } else {
        match input.consent_how {
            None => {
                return Err(Error::invalid(
                    "certificate_substance_consent",
                    "consent_how",
                    "The substance is printed only when the person consented to it for this certificate.",
                ));
            }
            Some(ConsentHow::Register) => {
                return Err(Error::invalid(
                    "certificate_consent_how",
                    "consent_how",
                    "Consent to name the substance is given on a signed form or aloud before a witness.",
                ));
            }
            Some(ConsentHow::VerbalWitnessed) if witness.is_empty() => {
                return Err(Error::invalid(
                    "certificate_witness_missing",
                    "consent_witness",
                    "Name the witness of the spoken consent.",
                ));
            }
            Some(how) => Some(how),
        }
    };
    let witness = if consent == Some(ConsentHow::VerbalWitnessed) { witness } else { String::new() };
    let row = match input.kind {
        CertificateKind::Attendance => {
            let (Some(from), Some(to)) = (input.from, input.to) else {
                return Err(Error::invalid("certificate_dates_missing", "from", "Choose the period to certify."));
            };
            if to < from {
                return Err(Error::invalid("range_reversed", "to", "The end of the period is before its start."));
            }
            if to > ctx.today {
                return Err(Error::invalid(
                    "certificate_to_future",
                    "to",
                    "A certificate covers sessions that have already taken place.",
                ));
            }
            if (to - from).num_days() > 3700 {
                return Err(Error::invalid("window_too_long", "to", "Please choose a period of at most ten years."));
            }
            let (attended, expected) = attendance_counts(tx, input.patient_id, from, to)?;
            (Some(from), Some(to), Some(attended), Some(expected), None, None)
        }
        CertificateKind::Treatment => {
            let (stay, _, _, kind) = finished_stay(tx, input.patient_id, input.stay_id)?;
            (None, None, None, None, Some(stay), Some(kind == DischargeType::Completed))
        }
    };
    tx.prepare_cached(
        "INSERT INTO certificates (patient_id, patient_name, kind, from_on, to_on, attended, expected, stay_id,
            programme_completed, substance, consent_how, consent_witness, purpose, language, issued_on, issued_at,
            issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        input.patient_id,
        patient.details.full_name,
        input.kind,
        row.0,
        row.1,
        row.2,
        row.3,
        row.4,
        row.5,
        substance,
        consent,
        witness,
        purpose,
        input.language,
        ctx.today,
        ctx.stamp(),
        ctx.actor.staff_id,
    ])?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "certificate_issued", ENTITY, Some(id), input.kind.as_str())?;
    Ok(id)
}

const SELECT: &str = "SELECT c.id, c.patient_id, c.patient_name, c.kind, c.from_on, c.to_on, c.attended, c.expected,
        c.stay_id, s.admitted_on, s.discharged_on, c.programme_completed, c.substance, c.consent_how,
        c.consent_witness, c.purpose, c.language, c.issued_on, c.issued_at, st.full_name,
        (SELECT count(*) FROM certificate_prints p WHERE p.certificate_id = c.id)
    FROM certificates c LEFT JOIN stays s ON s.id = c.stay_id LEFT JOIN staff st ON st.id = c.issued_by";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Certificate> {
    Ok(Certificate {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        patient_name: r.get(2)?,
        kind: r.get(3)?,
        from: r.get(4)?,
        to: r.get(5)?,
        attended: r.get(6)?,
        expected: r.get(7)?,
        stay_id: r.get(8)?,
        admitted_on: r.get(9)?,
        discharged_on: r.get(10)?,
        programme_completed: r.get(11)?,
        substance: r.get(12)?,
        consent_how: r.get(13)?,
        consent_witness: r.get(14)?,
        purpose: r.get(15)?,
        language: r.get(16)?,
        issued_on: r.get(17)?,
        issued_at: r.get(18)?,
        issued_by: r.get(19)?,
        prints: r.get(20)?,
    })
}

/// One certificate, as issued.
pub fn get(conn: &Connection, ctx: &Ctx, id: i64) -> Result<Certificate> {
    ctx.require(Action::ReadClinicalNotes)?;
    conn.prepare_cached(&format!("{SELECT} WHERE c.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { what: "That certificate" })
}

/// A person's certificates, newest first.
pub fn for_patient(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<Vec<Certificate>> {
    ctx.require(Action::ReadClinicalNotes)?;
    let rows = conn
        .prepare_cached(&format!("{SELECT} WHERE c.patient_id = ?1 ORDER BY c.id DESC"))?
        .query_map([patient], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A person's certificates without a permission check, for the access copy (whose own
/// check is the rights desk's).
pub(crate) fn of_patient(conn: &Connection, patient: i64) -> Result<Vec<Certificate>> {
    let rows = conn
        .prepare_cached(&format!("{SELECT} WHERE c.patient_id = ?1 ORDER BY c.id"))?
        .query_map([patient], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records one print of a certificate; returns whether it is a duplicate (printed
/// before) and, for a duplicate, the date of the original print.
pub(crate) fn record_print(tx: &Transaction<'_>, ctx: &Ctx, id: i64) -> Result<Option<NaiveDate>> {
    let first: Option<String> = tx
        .prepare_cached("SELECT printed_at FROM certificate_prints WHERE certificate_id = ?1 ORDER BY id LIMIT 1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    tx.prepare_cached("INSERT INTO certificate_prints (certificate_id, printed_at, printed_by) VALUES (?1, ?2, ?3)")?
        .execute(params![id, ctx.stamp(), ctx.actor.staff_id])?;
    let detail = if first.is_some() { "duplicate" } else { "original" };
    audit::record(tx, ctx, "certificate_printed", ENTITY, Some(id), detail)?;
    // The stamp is UTC; the original's date is the centre's (a print at 01:00 in India is
    // the day before in UTC).
    Ok(first.map(|at| {
        chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&chrono::Local).date_naive())
            .unwrap_or(ctx.today)
    }))
}
