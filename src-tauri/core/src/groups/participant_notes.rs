//! A note for each participant of a group session (beside the session's own note):
//! counsellors and administrators write, sign and read them; the front desk never receives
//! them. Patients only (the table names a patient: family members and drop-ins without a
//! record have none).
//!
//! A draft can be rewritten by its author, who signs it ("Sign" puts their name and the
//! time on it). A signed note never changes (the core refuses first; the table's trigger
//! enforces it): it can only receive dated addenda. Notes are never deleted. Reading a
//! non-empty list is audited, as reading clinical notes is.
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::entity;
use super::membership::{Person, expected_on};
use super::series::{materialise, occurrence};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

/// The longest note or addendum, in letters.
pub const MAX_NOTE: usize = 2000;

/// Audit entity of one note.
pub const ENTITY: &str = "participant_note";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NoteAddendum {
    #[ts(type = "number")]
    pub id: i64,
    pub body: String,
    pub written_at: String,
    pub author_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ParticipantNote {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub patient_id: i64,
    pub patient_name: String,
    #[ts(type = "number")]
    pub session_id: i64,
    #[ts(type = "number")]
    pub series_id: i64,
    pub original_date: NaiveDate,
    pub date: NaiveDate,
    pub start_time: String,
    pub group_name: String,
    pub body: String,
    pub author_name: Option<String>,
    pub written_at: String,
    pub updated_at: String,
    /// None while a draft.
    pub signed_at: Option<String>,
    pub signed_by_name: Option<String>,
    /// Oldest first.
    pub addenda: Vec<NoteAddendum>,
    /// The reader wrote this draft: they may still rewrite and sign it.
    pub mine: bool,
}

const SELECT: &str = "SELECT n.id, n.patient_id, p.full_name, n.session_id, s.series_id, s.original_date, s.date,
        s.start_time, g.name, n.body, w.full_name, n.written_at, n.updated_at, n.signed_at, sg.full_name,
        n.written_by
     FROM participant_notes n JOIN patients p ON p.id = n.patient_id
     JOIN group_sessions s ON s.id = n.session_id
     JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
     LEFT JOIN staff w ON w.id = n.written_by LEFT JOIN staff sg ON sg.id = n.signed_by";

fn read(conn: &Connection, ctx: &Ctx, filter: &str, id: i64) -> Result<Vec<ParticipantNote>> {
    let mut notes: Vec<ParticipantNote> = conn
        .prepare_cached(&format!("{SELECT} WHERE {filter}"))?
        .query_map([id], |r| {
            let signed_at: Option<String> = r.get(13)?;
            let written_by: Option<i64> = r.get(15)?;
            Ok(ParticipantNote {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                patient_name: r.get(2)?,
                session_id: r.get(3)?,
                series_id: r.get(4)?,
                original_date: r.get(5)?,
                date: r.get(6)?,
                start_time: r.get(7)?,
                group_name: r.get(8)?,
                body: r.get(9)?,
                author_name: r.get(10)?,
                written_at: r.get(11)?,
                updated_at: r.get(12)?,
                mine: signed_at.is_none() && written_by.is_some() && written_by == ctx.actor.staff_id,
                signed_at,
                signed_by_name: r.get(14)?,
                addenda: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.body, a.written_at, s.full_name FROM participant_note_addenda a
         LEFT JOIN staff s ON s.id = a.written_by WHERE a.note_id = ?1 ORDER BY a.id",
    )?;
    for n in &mut notes {
        n.addenda = stmt
            .query_map([n.id], |r| {
                Ok(NoteAddendum { id: r.get(0)?, body: r.get(1)?, written_at: r.get(2)?, author_name: r.get(3)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(notes)
}

/// One note, as the reader sees it.
pub fn get(conn: &Connection, ctx: &Ctx, note_id: i64) -> Result<ParticipantNote> {
    ctx.require(Action::ReadClinicalNotes)?;
    read(conn, ctx, "n.id = ?1", note_id)?.pop().ok_or(Error::NotFound { what: "That note" })
}

/// The notes of one session (in name order); empty while the session is not stored.
pub fn of_session(
    conn: &Connection,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
) -> Result<Vec<ParticipantNote>> {
    ctx.require(Action::ReadClinicalNotes)?;
    let session: Option<i64> = conn
        .query_row(
            "SELECT id FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            params![series_id, original_date],
            |r| r.get(0),
        )
        .optional()?;
    let Some(session) = session else { return Ok(Vec::new()) };
    let mut notes = read(conn, ctx, "n.session_id = ?1", session)?;
    notes.sort_by_key(|n| (n.patient_name.to_lowercase(), n.id));
    Ok(notes)
}

/// [`of_session`] as staff open it: reading a non-empty list is audited.
pub fn open_of_session(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
) -> Result<Vec<ParticipantNote>> {
    let notes = of_session(tx, ctx, series_id, original_date)?;
    if let Some(n) = notes.first() {
        audit::record(tx, ctx, "participant_notes_read", entity::SESSION, Some(n.session_id), "")?;
    }
    Ok(notes)
}

/// A person's notes from all their sessions, newest session first; reading a non-empty
/// list is audited.
pub fn of_patient(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<Vec<ParticipantNote>> {
    ctx.require(Action::ReadClinicalNotes)?;
    let n: i64 = tx.query_row("SELECT count(*) FROM patients WHERE id = ?1", [patient_id], |r| r.get(0))?;
    if n == 0 {
        return Err(Error::NotFound { what: "That patient" });
    }
    let mut notes = read(tx, ctx, "n.patient_id = ?1", patient_id)?;
    notes.sort_by(|a, b| (b.date, &b.start_time, b.id).cmp(&(a.date, &a.start_time, a.id)));
    if !notes.is_empty() {
        audit::record(tx, ctx, "participant_notes_read", entity::PATIENT, Some(patient_id), "")?;
    }
    Ok(notes)
}

fn clean_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("participant_note_empty", "body", "The note is empty."));
    }
    if text::char_len(body) > MAX_NOTE {
        return Err(Error::invalid(
            "participant_note_too_long",
            "body",
            "The note is too long (2000 letters at most).",
        )
        .with("max", MAX_NOTE));
    }
    Ok(body.to_owned())
}

/// Writes the note for one patient on one session, or rewrites the draft. Only the
/// draft's author may rewrite it; a signed note is refused. Returns the note's id.
pub fn write(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    patient_id: i64,
    body: &str,
) -> Result<i64> {
    ctx.require(Action::WriteClinicalNotes)?;
    let body = clean_body(body)?;
    let occ = occurrence(tx, series_id, original_date)?;
    super::attendance::recordable(ctx, &occ)?;
    let member = expected_on(tx, occ.group_id, occ.date)?.iter().any(|(_, p)| *p == Person::Patient(patient_id));
    let on_list = match occ.session_id {
        Some(s) => tx
            .query_row(
                "SELECT 1 FROM group_attendance WHERE session_id = ?1 AND patient_id = ?2",
                params![s, patient_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some(),
        None => false,
    };
    if !member && !on_list {
        return Err(Error::invalid(
            "participant_note_not_on_sheet",
            "person",
            "This person is not on this session's list.",
        ));
    }
    let session_id = materialise(tx, ctx, series_id, original_date)?;
    let existing: Option<(i64, Option<i64>, Option<String>)> = tx
        .query_row(
            "SELECT id, written_by, signed_at FROM participant_notes WHERE session_id = ?1 AND patient_id = ?2",
            params![session_id, patient_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let id = match existing {
        Some((_, _, Some(_))) => {
            return Err(Error::invalid(
                "participant_note_signed",
                "body",
                "This note is signed and cannot change. Add an addendum instead.",
            ));
        }
        Some((id, author, None)) => {
            if author.is_none() || author != ctx.actor.staff_id {
                return Err(Error::invalid(
                    "participant_note_not_author",
                    "body",
                    "Only the counsellor who wrote this draft can change or sign it.",
                ));
            }
            tx.execute(
                "UPDATE participant_notes SET body = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, body, ctx.stamp()],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO participant_notes (session_id, patient_id, body, written_by, written_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![session_id, patient_id, body, ctx.actor.staff_id, ctx.stamp()],
            )?;
            tx.last_insert_rowid()
        }
    };
    audit::record(tx, ctx, "participant_note_written", ENTITY, Some(id), &format!("session {session_id}"))?;
    Ok(id)
}

fn state_of(tx: &Transaction<'_>, note_id: i64) -> Result<(Option<i64>, Option<String>, String)> {
    tx.query_row("SELECT written_by, signed_at, body FROM participant_notes WHERE id = ?1", [note_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()?
    .ok_or(Error::NotFound { what: "That note" })
}

/// Signs a draft with the author's name and the time; from then on it never changes.
pub fn sign(tx: &Transaction<'_>, ctx: &Ctx, note_id: i64) -> Result<()> {
    ctx.require(Action::WriteClinicalNotes)?;
    let (author, signed, body) = state_of(tx, note_id)?;
    if signed.is_some() {
        return Err(Error::invalid("participant_note_signed", "body", "This note is already signed."));
    }
    if author.is_none() || author != ctx.actor.staff_id {
        return Err(Error::invalid(
            "participant_note_not_author",
            "body",
            "Only the counsellor who wrote this draft can change or sign it.",
        ));
    }
    if body.trim().is_empty() {
        return Err(Error::invalid("participant_note_empty", "body", "The note is empty."));
    }
    tx.execute(
        "UPDATE participant_notes SET signed_at = ?2, signed_by = ?3 WHERE id = ?1",
        params![note_id, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "participant_note_signed", ENTITY, Some(note_id), "")
}

/// Adds a dated addendum to a signed note (any counsellor or administrator). Returns its id.
pub fn add_addendum(tx: &Transaction<'_>, ctx: &Ctx, note_id: i64, body: &str) -> Result<i64> {
    ctx.require(Action::WriteClinicalNotes)?;
    let body = clean_body(body)?;
    let (_, signed, _) = state_of(tx, note_id)?;
    if signed.is_none() {
        return Err(Error::invalid(
            "participant_note_draft",
            "body",
            "This note is still a draft: change it instead of adding an addendum.",
        ));
    }
    tx.execute(
        "INSERT INTO participant_note_addenda (note_id, body, written_at, written_by) VALUES (?1, ?2, ?3, ?4)",
        params![note_id, body, ctx.stamp(), ctx.actor.staff_id],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "participant_note_addendum", ENTITY, Some(note_id), "")?;
    Ok(id)
}
