//! Confidential clinical notes on a patient: counsellors and administrators only. Every
//! reading is audited. Notes are never changed or deleted; a correction is a new note.
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

pub const MAX_NOTE: usize = 4000;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientNote {
    #[ts(type = "number")]
    pub id: i64,
    pub written_at: String,
    pub author_name: Option<String>,
    pub body: String,
}

fn require_patient(tx: &Transaction<'_>, patient_id: i64) -> Result<()> {
    let n: i64 = tx.query_row("SELECT count(*) FROM patients WHERE id = ?1", [patient_id], |r| r.get(0))?;
    if n == 0 {
        return Err(Error::NotFound { what: "That patient" });
    }
    Ok(())
}

/// All notes on a patient, newest first.
pub fn list(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<Vec<PatientNote>> {
    ctx.require(Action::ReadClinicalNotes)?;
    require_patient(tx, patient_id)?;
    let notes = {
        let mut stmt = tx.prepare_cached(
            "SELECT n.id, n.written_at, s.full_name, n.body FROM patient_notes n LEFT JOIN staff s ON s.id = n.author_id
             WHERE n.patient_id = ?1 ORDER BY n.written_at DESC, n.id DESC",
        )?;
        stmt.query_map([patient_id], |r| {
            Ok(PatientNote { id: r.get(0)?, written_at: r.get(1)?, author_name: r.get(2)?, body: r.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    audit::record(tx, ctx, "notes_viewed", entity::PATIENT, Some(patient_id), "")?;
    Ok(notes)
}

pub fn add(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64, body: &str) -> Result<i64> {
    ctx.require(Action::WriteClinicalNotes)?;
    require_patient(tx, patient_id)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("note_empty", "body", "The note is empty."));
    }
    if body.chars().count() > MAX_NOTE {
        return Err(Error::invalid(
            "note_too_long",
            "body",
            "A note can have at most 4000 characters. Split it into two notes.",
        ));
    }
    tx.execute(
        "INSERT INTO patient_notes (patient_id, author_id, written_at, body) VALUES (?1, ?2, ?3, ?4)",
        params![patient_id, ctx.actor.staff_id, ctx.stamp(), body],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "note_added", entity::NOTE, Some(id), "")?;
    Ok(id)
}
