//! Attendance: per session, took place / did not (reason) / not recorded, the topic
//! covered and a confidential note (counsellors and administrators only); per person,
//! present / absent / late / excused (reason), defaulting to *not recorded* (no row),
//! never to present. Drop-ins (non-members, or people without a record) can be added.
//!
//! Marking someone present or late on a session whose status is not recorded sets it to
//! "took place". Attendance rows are never deleted; a mark can be changed.
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::membership::{FamilyOf, Person, describe, expected_on};
use super::series::{Held, Occurrence, materialise, occurrence, occurrences};
use super::{entity, str_enum};
use crate::access::{Action, allowed};
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

str_enum!(Mark { Present = "present", Absent = "absent", Late = "late", Excused = "excused" });

/// Sessions are listed as "attendance missing" this many days after they took place.
pub const MISSING_AFTER_DAYS: u64 = 2;
/// How far back the "attendance missing" list looks.
pub const MISSING_LOOKBACK_DAYS: u64 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SheetRow {
    /// None for a drop-in without a record.
    pub person: Option<Person>,
    #[ts(type = "number | null")]
    pub attendance_id: Option<i64>,
    pub name: String,
    /// For family members: whose relative they are.
    pub family_of: Option<FamilyOf>,
    pub dropin: bool,
    pub mark: Option<Mark>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttendanceSheet {
    pub occurrence: Occurrence,
    pub held: Held,
    pub not_held_reason: String,
    pub topic: String,
    /// Only for roles that may read session notes.
    pub note: Option<String>,
    pub can_write_note: bool,
    /// Expected members first (in name order), then drop-ins.
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DropIn {
    /// A registered patient who is not a member, or null with a name.
    #[ts(type = "number | null")]
    pub patient_id: Option<i64>,
    pub name: String,
}

fn session_row(
    conn: &Connection,
    series_id: i64,
    original_date: NaiveDate,
) -> Result<Option<(i64, Held, String, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, held, not_held_reason, topic, note FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            params![series_id, original_date],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?)
}

/// The sheet for one session: every member expected that day, with their marks.
pub fn sheet(conn: &Connection, ctx: &Ctx, series_id: i64, original_date: NaiveDate) -> Result<AttendanceSheet> {
    ctx.require(Action::ViewGroups)?;
    let occ = occurrence(conn, series_id, original_date)?;
    let stored = session_row(conn, series_id, original_date)?;
    let marks: Vec<(i64, Option<i64>, Option<i64>, Option<String>, bool, Mark, String)> = match stored {
        Some((id, ..)) => conn
            .prepare(
                "SELECT id, patient_id, family_member_id, dropin_name, dropin, status, reason FROM group_attendance
                 WHERE session_id = ?1 ORDER BY id",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
            .collect::<rusqlite::Result<_>>()?,
        None => vec![],
    };
    let mut rows = Vec::new();
    for (_, person) in expected_on(conn, occ.group_id, occ.date)? {
        let (name, family_of) = describe(conn, person)?;
        let m = marks.iter().find(|m| Person::from_columns(m.1, m.2) == Some(person));
        rows.push(SheetRow {
            person: Some(person),
            attendance_id: m.map(|m| m.0),
            name,
            family_of,
            dropin: false,
            mark: m.map(|m| m.5),
            reason: m.map(|m| m.6.clone()).unwrap_or_default(),
        });
    }
    rows.sort_by_key(|a| a.name.to_lowercase());
    for m in &marks {
        let person = Person::from_columns(m.1, m.2);
        if person.is_some() && rows.iter().any(|r| r.person == person) {
            continue;
        }
        let (name, family_of) = match (person, &m.3) {
            (Some(p), _) => describe(conn, p)?,
            (None, Some(n)) => (n.clone(), None),
            (None, None) => (String::new(), None),
        };
        rows.push(SheetRow {
            person,
            attendance_id: Some(m.0),
            name,
            family_of,
            dropin: true,
            mark: Some(m.5),
            reason: m.6.clone(),
        });
    }
    let (held, not_held_reason, topic, note) = match stored {
        Some((_, h, r, t, n)) => (h, r, t, n),
        None => (Held::NotRecorded, String::new(), String::new(), String::new()),
    };
    let notes = allowed(ctx.actor.role, Action::SessionNotes);
    Ok(AttendanceSheet {
        occurrence: occ,
        held,
        not_held_reason,
        topic,
        note: notes.then_some(note),
        can_write_note: notes,
        rows,
    })
}

/// The sheet as staff open it: like [`sheet`], and reading a non-empty confidential
/// session note is audited (as reading clinical notes is).
pub fn open_sheet(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
) -> Result<AttendanceSheet> {
    let s = sheet(tx, ctx, series_id, original_date)?;
    if let (Some(id), Some(note)) = (s.occurrence.session_id, &s.note)
        && !note.is_empty()
    {
        audit::record(tx, ctx, "group_session_note_read", entity::SESSION, Some(id), "")?;
    }
    Ok(s)
}

/// A session whose attendance (and the notes on it) may be recorded: held, not in the future.
pub(super) fn recordable(ctx: &Ctx, occ: &Occurrence) -> Result<()> {
    if occ.cancelled {
        return Err(Error::invalid(
            "session_cancelled",
            "session",
            "This session was cancelled. Restore it first to record attendance.",
        ));
    }
    if occ.date > ctx.today {
        return Err(Error::invalid("session_in_future", "session", "This session has not happened yet."));
    }
    Ok(())
}

fn audit_mark(tx: &Transaction<'_>, ctx: &Ctx, person: Option<Person>, session_id: i64) -> Result<()> {
    let detail = format!("session {session_id}");
    match person {
        Some(Person::Patient(id)) => {
            audit::record(tx, ctx, "group_attendance_marked", entity::PATIENT, Some(id), &detail)
        }
        Some(Person::Family(id)) => {
            audit::record(tx, ctx, "group_attendance_marked", entity::FAMILY, Some(id), &detail)
        }
        None => audit::record(tx, ctx, "group_attendance_marked", entity::SESSION, Some(session_id), "drop-in"),
    }
}

fn clean_reason(reason: &str) -> Result<String> {
    let r = text::clean(reason);
    if text::char_len(&r) > 200 {
        return Err(Error::invalid("text_too_long", "reason", "That entry is too long (200 letters at most)."));
    }
    Ok(r)
}

fn after_mark(tx: &Transaction<'_>, session_id: i64, mark: Mark) -> Result<()> {
    if matches!(mark, Mark::Present | Mark::Late) {
        tx.execute("UPDATE group_sessions SET held = 'held' WHERE id = ?1 AND held = 'not_recorded'", [session_id])?;
    }
    Ok(())
}

/// Records (or changes) one expected member's mark.
pub fn mark(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    person: Person,
    mark: Mark,
    reason: &str,
) -> Result<()> {
    ctx.require(Action::RecordAttendance)?;
    let occ = occurrence(tx, series_id, original_date)?;
    recordable(ctx, &occ)?;
    let reason = clean_reason(reason)?;
    let expected = expected_on(tx, occ.group_id, occ.date)?.iter().any(|(_, p)| *p == person);
    let session_id = materialise(tx, ctx, series_id, original_date)?;
    let (p, f) = person.columns();
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM group_attendance WHERE session_id = ?1 AND patient_id IS ?2 AND family_member_id IS ?3",
            params![session_id, p, f],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(id) => {
            tx.execute(
                "UPDATE group_attendance SET status = ?2, reason = ?3, recorded_at = ?4, recorded_by = ?5 WHERE id = ?1",
                params![id, mark, reason, ctx.stamp(), ctx.actor.staff_id],
            )?;
        }
        None => {
            if !expected {
                return Err(Error::invalid(
                    "not_a_member_then",
                    "person",
                    "This person was not a member on the day of this session. Add them as a drop-in instead.",
                ));
            }
            tx.execute(
                "INSERT INTO group_attendance (session_id, patient_id, family_member_id, status, reason, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![session_id, p, f, mark, reason, ctx.stamp(), ctx.actor.staff_id],
            )?;
        }
    }
    after_mark(tx, session_id, mark)?;
    audit_mark(tx, ctx, Some(person), session_id)
}

/// Adds someone who is not a member to one session.
pub fn add_dropin(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    dropin: &DropIn,
    mark: Mark,
) -> Result<()> {
    ctx.require(Action::RecordAttendance)?;
    let occ = occurrence(tx, series_id, original_date)?;
    recordable(ctx, &occ)?;
    let name = text::clean(&dropin.name);
    if dropin.patient_id.is_none() && name.is_empty() {
        return Err(Error::invalid("name_empty", "name", "Please enter the visitor's name."));
    }
    if text::char_len(&name) > 120 {
        return Err(Error::invalid("name_too_long", "name", "That name is too long (120 letters at most)."));
    }
    if let Some(pid) = dropin.patient_id {
        describe(tx, Person::Patient(pid))?;
        if expected_on(tx, occ.group_id, occ.date)?.iter().any(|(_, p)| *p == Person::Patient(pid)) {
            return Err(Error::invalid("already_member", "person", "This person is a member: mark them on the list."));
        }
    }
    let session_id = materialise(tx, ctx, series_id, original_date)?;
    if let Some(pid) = dropin.patient_id {
        let dup: Option<i64> = tx
            .query_row(
                "SELECT id FROM group_attendance WHERE session_id = ?1 AND patient_id = ?2",
                params![session_id, pid],
                |r| r.get(0),
            )
            .optional()?;
        if dup.is_some() {
            return Err(Error::invalid(
                "already_recorded",
                "person",
                "This person is already on the list for this session.",
            ));
        }
    }
    tx.execute(
        "INSERT INTO group_attendance (session_id, patient_id, dropin_name, dropin, status, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)",
        params![
            session_id,
            dropin.patient_id,
            if dropin.patient_id.is_some() { None } else { Some(name) },
            mark,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    after_mark(tx, session_id, mark)?;
    audit_mark(tx, ctx, dropin.patient_id.map(Person::Patient), session_id)
}

/// Changes a drop-in's mark (by attendance row id).
pub fn mark_row(tx: &Transaction<'_>, ctx: &Ctx, attendance_id: i64, mark: Mark, reason: &str) -> Result<()> {
    ctx.require(Action::RecordAttendance)?;
    let reason = clean_reason(reason)?;
    let (session_id, p, f): (i64, Option<i64>, Option<i64>) = tx
        .query_row(
            "SELECT session_id, patient_id, family_member_id FROM group_attendance WHERE id = ?1",
            [attendance_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or(Error::NotFound { what: "That attendance record" })?;
    tx.execute(
        "UPDATE group_attendance SET status = ?2, reason = ?3, recorded_at = ?4, recorded_by = ?5 WHERE id = ?1",
        params![attendance_id, mark, reason, ctx.stamp(), ctx.actor.staff_id],
    )?;
    after_mark(tx, session_id, mark)?;
    audit_mark(tx, ctx, Person::from_columns(p, f), session_id)
}

/// Whether the session took place (with a reason if not) and the topic covered.
pub fn set_held(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    held: Held,
    not_held_reason: &str,
    topic: &str,
) -> Result<()> {
    ctx.require(Action::RecordAttendance)?;
    let occ = occurrence(tx, series_id, original_date)?;
    recordable(ctx, &occ)?;
    let reason = clean_reason(not_held_reason)?;
    let topic = text::clean(topic);
    if text::char_len(&topic) > 200 {
        return Err(Error::invalid("text_too_long", "topic", "That entry is too long (200 letters at most)."));
    }
    if held == Held::NotHeld && reason.is_empty() {
        return Err(Error::invalid(
            "reason_needed",
            "not_held_reason",
            "Please say why the session did not take place.",
        ));
    }
    let id = materialise(tx, ctx, series_id, original_date)?;
    tx.execute(
        "UPDATE group_sessions SET held = ?2, not_held_reason = ?3, topic = ?4, updated_at = ?5, updated_by = ?6 WHERE id = ?1",
        params![id, held, if held == Held::NotHeld { reason } else { String::new() }, topic, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "group_session_recorded", entity::SESSION, Some(id), held.as_str())
}

/// The confidential session note (counsellors and administrators).
pub fn set_note(tx: &Transaction<'_>, ctx: &Ctx, series_id: i64, original_date: NaiveDate, note: &str) -> Result<()> {
    ctx.require(Action::SessionNotes)?;
    let note = note.trim();
    if text::char_len(note) > 2000 {
        return Err(Error::invalid("text_too_long", "note", "The note is too long (2000 letters at most)."));
    }
    let id = materialise(tx, ctx, series_id, original_date)?;
    tx.execute(
        "UPDATE group_sessions SET note = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
        params![id, note, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "group_session_note_written", entity::SESSION, Some(id), "")
}

/// Today's sessions, in time order.
pub fn today(conn: &Connection, ctx: &Ctx) -> Result<Vec<Occurrence>> {
    super::series::schedule(conn, ctx, ctx.today, ctx.today, None)
}

/// Past sessions (at least two days ago, at most 90) that were neither cancelled nor
/// recorded in any way: no status and no mark.
pub fn missing(conn: &Connection, ctx: &Ctx) -> Result<Vec<Occurrence>> {
    ctx.require(Action::ViewGroups)?;
    let to = ctx.today - Days::new(MISSING_AFTER_DAYS);
    let from = ctx.today - Days::new(MISSING_LOOKBACK_DAYS);
    Ok(occurrences(conn, from, to, None)?
        .into_iter()
        .filter(|o| !o.cancelled && o.held == Held::NotRecorded && o.marks == 0)
        .collect())
}
