//! The demo centre's certificates, deterministic (chosen by record number): an
//! attendance certificate for an in-patient in a group (English and Hindi on one page),
//! printed and later reprinted as a duplicate; and a treatment certificate in Hindi for
//! someone who completed the programme, naming the substance with their signed consent.
use chrono::{Days, NaiveDate};
use rusqlite::{OptionalExtension, Transaction};

use super::{CertificateInput, CertificateKind, CertificateLanguage, issue, record_print};
use crate::consents::ConsentHow;
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;

fn first(tx: &Transaction<'_>, sql: &str) -> Result<Option<i64>> {
    Ok(tx.query_row(sql, [], |r| r.get(0)).optional()?)
}

pub fn generate(tx: &Transaction<'_>, today: NaiveDate) -> Result<()> {
    let counsellor = first(tx, "SELECT id FROM staff WHERE role = 'counsellor' ORDER BY id LIMIT 1")?;
    let at =
        |days_ago: u64| Ctx::at(Actor { staff_id: counsellor, role: Role::Counsellor }, today - Days::new(days_ago));
    // The in-patient with the most group sessions expected of them in the period.
    let (from, to) = (today - Days::new(45), today - Days::new(4));
    let candidates: Vec<i64> = tx
        .prepare(
            "SELECT DISTINCT m.patient_id FROM group_memberships m JOIN patients p ON p.id = m.patient_id
             WHERE p.phase = 'inpatient' AND p.archived_at IS NULL ORDER BY m.patient_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut inpatient: Option<(u32, i64)> = None;
    for p in candidates {
        let (_, expected) = super::attendance_counts(tx, p, from, to)?;
        if inpatient.is_none_or(|(best, _)| expected > best) {
            inpatient = Some((expected, p));
        }
    }
    if let Some((_, p)) = inpatient {
        let ctx = at(3);
        let input = CertificateInput {
            patient_id: p,
            kind: CertificateKind::Attendance,
            from: Some(from),
            to: Some(to),
            stay_id: None,
            purpose: "Employer (leave of absence)".into(),
            language: CertificateLanguage::Both,
            substance: String::new(),
            consent_how: None,
            consent_witness: String::new(),
        };
        let id = issue(tx, &ctx, &input)?;
        record_print(tx, &ctx, id)?;
        // The person lost the first copy: a duplicate, two days later.
        record_print(tx, &at(1), id)?;
    }
    let completed = first(
        tx,
        "SELECT s.patient_id FROM stays s JOIN patients p ON p.id = s.patient_id
         WHERE s.discharge_type = 'completed' AND p.archived_at IS NULL AND p.phase = 'aftercare'
           AND json_array_length(p.substances) > 0
         ORDER BY s.patient_id LIMIT 1",
    )?;
    if let Some(p) = completed {
        let code: String =
            tx.query_row("SELECT json_extract(substances, '$[0]') FROM patients WHERE id = ?1", [p], |r| r.get(0))?;
        let substance = match code.as_str() {
            "alcohol" => "Alcohol",
            "opioids" => "Opioids",
            "cannabis" => "Cannabis",
            "prescription" => "Prescription medicines",
            "tobacco" => "Tobacco",
            _ => "Other",
        };
        let ctx = at(10);
        let input = CertificateInput {
            patient_id: p,
            kind: CertificateKind::Treatment,
            from: None,
            to: None,
            stay_id: None,
            purpose: "Court (NDPS Act s.64A)".into(),
            language: CertificateLanguage::Hi,
            substance: substance.into(),
            consent_how: Some(ConsentHow::SignedForm),
            consent_witness: String::new(),
        };
        let id = issue(tx, &ctx, &input)?;
        record_print(tx, &ctx, id)?;
    }
    Ok(())
}
