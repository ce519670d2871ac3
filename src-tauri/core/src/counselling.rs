//! Individual and family counselling sessions with one person: the date, whether the family
//! took part, how long it took (optional) and a confidential note. Counsellors and
//! administrators only (the permission the clinical notes use): the front desk neither
//! records nor sees them. A session is never changed or deleted; the statistics count them.
use chrono::NaiveDate;
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

pub const MAX_NOTE: usize = 4000;

str_enum!(CounsellingKind { Individual = "individual", Family = "family" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CounsellingInput {
    pub on_date: NaiveDate,
    pub kind: CounsellingKind,
    /// Minutes, 5 to 480, when noted.
    pub duration_min: Option<u32>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CounsellingSession {
    #[ts(type = "number")]
    pub id: i64,
    pub on_date: NaiveDate,
    pub kind: CounsellingKind,
    pub duration_min: Option<u32>,
    pub note: String,
    pub counsellor: Option<String>,
}

fn require_patient(tx: &Transaction<'_>, patient_id: i64) -> Result<()> {
    let n: i64 = tx.query_row("SELECT count(*) FROM patients WHERE id = ?1", [patient_id], |r| r.get(0))?;
    if n == 0 {
        return Err(Error::NotFound { what: "That patient" });
    }
    Ok(())
}

/// A person's counselling sessions, newest first. Reading them is audited.
pub fn list(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<Vec<CounsellingSession>> {
    ctx.require(Action::ReadClinicalNotes)?;
    require_patient(tx, patient_id)?;
    let rows = {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, c.on_date, c.kind, c.duration_min, c.note, s.full_name
             FROM counselling_sessions c LEFT JOIN staff s ON s.id = c.created_by
             WHERE c.patient_id = ?1 ORDER BY c.on_date DESC, c.id DESC",
        )?;
        stmt.query_map([patient_id], |r| {
            Ok(CounsellingSession {
                id: r.get(0)?,
                on_date: r.get(1)?,
                kind: r.get(2)?,
                duration_min: r.get(3)?,
                note: r.get(4)?,
                counsellor: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    audit::record(tx, ctx, "counselling_viewed", entity::PATIENT, Some(patient_id), "")?;
    Ok(rows)
}

/// Records one session; returns its id.
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64, input: &CounsellingInput) -> Result<i64> {
    ctx.require(Action::WriteClinicalNotes)?;
    require_patient(tx, patient_id)?;
    if input.on_date > ctx.today {
        return Err(Error::invalid(
            "counselling_in_future",
            "on_date",
            "A session cannot be recorded before it happens.",
        ));
    }
    if let Some(m) = input.duration_min
        && !(5..=480).contains(&m)
    {
        return Err(Error::invalid(
            "counselling_duration",
            "duration_min",
            "A session lasts between 5 minutes and 8 hours.",
        ));
    }
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(Error::invalid("counselling_note_too_long", "note", "A note can have at most 4000 characters."));
    }
    tx.execute(
        "INSERT INTO counselling_sessions (patient_id, on_date, kind, duration_min, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![patient_id, input.on_date, input.kind, input.duration_min, note, ctx.stamp(), ctx.actor.staff_id],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "counselling_recorded", entity::PATIENT, Some(patient_id), &id.to_string())?;
    Ok(id)
}
