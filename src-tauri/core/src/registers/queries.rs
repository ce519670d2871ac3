//! The registers' rows, read straight from the records (nothing is stored for them).
//! Every row carries its serial: the id of the row it stands for (see the module's
//! documentation in [`super`]).
// Rows are read into plain tuples next to their SQL; naming each tuple type would not help.
#![allow(clippy::type_complexity)]
use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::{AdmissionRow, CertificateRow, DischargeRow, FollowUpRow, Named, SessionRow};
use crate::consents::{self, ConsentKind};
use crate::error::Result;
use crate::patients::age_on;

fn consent_sql() -> String {
    consents::now_sql("p.id", ConsentKind::FullNameOnLists)
}

fn named(full_name: String, preferred_name: String, consent_name: bool) -> Named {
    Named { full_name, preferred_name, consent_name }
}

/// Admissions in `[from, to]`, in the order they were entered (the stay's id).
pub fn admissions(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<AdmissionRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT s.id, s.admitted_on, p.id, p.full_name, p.preferred_name, {}, p.phone, p.gender, p.birth_date,
                p.age_years, p.age_recorded_on, c.district_code, c.referral_source, s.admission_basis,
                (SELECT count(*) FROM stays s2 WHERE s2.patient_id = s.patient_id AND s2.id <= s.id)
         FROM stays s JOIN patients p ON p.id = s.patient_id LEFT JOIN case_records c ON c.patient_id = p.id
         WHERE s.admitted_on BETWEEN ?1 AND ?2 ORDER BY s.id",
        consent_sql()
    ))?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            let admitted_on: NaiveDate = r.get(1)?;
            let birth: Option<NaiveDate> = r.get(8)?;
            let approx: Option<u8> = r.get(9)?;
            let noted: Option<NaiveDate> = r.get(10)?;
            Ok(AdmissionRow {
                serial: r.get(0)?,
                admitted_on,
                patient_id: r.get(2)?,
                person: named(r.get(3)?, r.get(4)?, r.get(5)?),
                phone: r.get(6)?,
                gender: r.get(7)?,
                age: age_on(admitted_on, birth, approx, noted),
                district_code: r.get(11)?,
                referral_source: r.get(12)?,
                admission_basis: r.get(13)?,
                stay_no: r.get(14)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Discharges in `[from, to]`, by date (each under its admission number).
pub fn discharges(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<DischargeRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT s.id, s.discharged_on, s.admitted_on, p.id, p.full_name, p.preferred_name, {}, s.discharge_type,
                c.district_code
         FROM stays s JOIN patients p ON p.id = s.patient_id LEFT JOIN case_records c ON c.patient_id = p.id
         WHERE s.discharged_on BETWEEN ?1 AND ?2 ORDER BY s.discharged_on, s.id",
        consent_sql()
    ))?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok(DischargeRow {
                serial: r.get(0)?,
                discharged_on: r.get(1)?,
                admitted_on: r.get(2)?,
                patient_id: r.get(3)?,
                person: named(r.get(4)?, r.get(5)?, r.get(6)?),
                discharge_type: r.get(7)?,
                district_code: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Follow-up contact attempts made in `[from, to]`, as recorded (the attempt's id).
pub fn follow_ups(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<FollowUpRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT a.id, a.on_date, p.id, p.full_name, p.preferred_name, {}, f.due_on, a.method, a.result, a.status,
                a.counselling, coalesce(st.full_name, '')
         FROM aftercare_attempts a JOIN patients p ON p.id = a.patient_id
         JOIN aftercare_followups f ON f.id = a.followup_id LEFT JOIN staff st ON st.id = a.staff_id
         WHERE a.on_date BETWEEN ?1 AND ?2 ORDER BY a.id",
        consent_sql()
    ))?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok(FollowUpRow {
                serial: r.get(0)?,
                on_date: r.get(1)?,
                patient_id: r.get(2)?,
                person: named(r.get(3)?, r.get(4)?, r.get(5)?),
                due_on: r.get(6)?,
                method: r.get(7)?,
                result: r.get(8)?,
                status: r.get(9)?,
                counselling: r.get(10)?,
                staff: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Group sessions held (recorded as held, not cancelled) in `[from, to]`, by date and time.
pub fn sessions(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<SessionRow>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.date, s.start_time, s.duration_min, g.name, g.kind, s.topic, g.topic, s.facilitators,
                g.guest_facilitators,
                (SELECT count(*) FROM group_memberships m WHERE m.group_id = g.id AND m.joined_on <= s.date
                   AND (m.left_on IS NULL OR m.left_on >= s.date)),
                (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id AND a.dropin = 0
                   AND a.dropin_name IS NULL AND a.status IN ('present', 'late')),
                (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id AND a.dropin = 0
                   AND a.dropin_name IS NULL AND a.status = 'absent'),
                (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id
                   AND (a.dropin = 1 OR a.dropin_name IS NOT NULL) AND a.status IN ('present', 'late'))
         FROM group_sessions s JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
         WHERE s.date BETWEEN ?1 AND ?2 AND s.held = 'held' AND s.cancelled = 0
         ORDER BY s.date, s.start_time, g.name, s.id",
    )?;
    let raw: Vec<(i64, NaiveDate, String, u32, String, String, String, String, String, String, u32, u32, u32, u32)> =
        stmt.query_map(params![from, to], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut staff: HashMap<i64, String> = HashMap::new();
    let mut by_id = conn.prepare_cached("SELECT full_name FROM staff WHERE id = ?1")?;
    let mut out = Vec::with_capacity(raw.len());
    for (id, date, start, dur, group, kind, topic, group_topic, fac, guests, expected, present, absent, dropins) in raw
    {
        let mut facilitators = Vec::new();
        for sid in crate::groups::parse_ids(&fac) {
            let name = staff
                .entry(sid)
                .or_insert_with(|| by_id.query_row([sid], |r| r.get(0)).unwrap_or_else(|_| format!("#{sid}")));
            facilitators.push(name.clone());
        }
        facilitators.extend(guests.split(',').map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned));
        let time = match crate::groups::series::parse_time(&start, "start_time") {
            Ok((hhmm, min)) => format!("{hhmm}-{}", crate::groups::series::end_time(min, dur)),
            Err(_) => start,
        };
        out.push(SessionRow {
            serial: id,
            date,
            time,
            group,
            group_kind: kind,
            topic: if topic.trim().is_empty() { group_topic } else { topic },
            facilitators,
            expected,
            present,
            absent,
            dropins,
        });
    }
    Ok(out)
}

/// Certificates issued in `[from, to]`, by serial number, with how often each was printed.
pub fn certificates(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<CertificateRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT c.id, c.issued_on, p.id, p.full_name, p.preferred_name, {}, c.kind, c.from_on, c.to_on, c.attended,
                c.expected, s.admitted_on, s.discharged_on, c.programme_completed, c.purpose,
                (SELECT count(*) FROM certificate_prints cp WHERE cp.certificate_id = c.id),
                coalesce(st.full_name, '')
         FROM certificates c JOIN patients p ON p.id = c.patient_id LEFT JOIN stays s ON s.id = c.stay_id
         LEFT JOIN staff st ON st.id = c.issued_by
         WHERE c.issued_on BETWEEN ?1 AND ?2 ORDER BY c.id",
        consent_sql()
    ))?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok(CertificateRow {
                serial: r.get(0)?,
                issued_on: r.get(1)?,
                patient_id: r.get(2)?,
                person: named(r.get(3)?, r.get(4)?, r.get(5)?),
                kind: r.get(6)?,
                from_on: r.get(7)?,
                to_on: r.get(8)?,
                attended: r.get(9)?,
                expected: r.get(10)?,
                admitted_on: r.get(11)?,
                discharged_on: r.get(12)?,
                programme_completed: r.get(13)?,
                purpose: r.get(14)?,
                prints: r.get(15)?,
                issued_by: r.get(16)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
