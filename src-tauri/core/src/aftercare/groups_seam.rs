//! What aftercare needs from group attendance (groups module, issue 4): the last
//! aftercare session a person attended, the aftercare sessions they missed in a row,
//! and a week's aftercare group sessions with who is expected (as data: the roster
//! turns them into printed sections).
//!
//! Only groups of kind 'aftercare' count. The week's sessions come from the groups
//! module's own expansion of series ([`series::occurrences`], what the schedule screen
//! uses), so a moved session is printed on the day it moved to and a cancelled one is
//! printed as cancelled (heading says so and why, no attendance table), so nobody takes
//! attendance on it. Members are those whose membership window covers the session
//! date ([`membership::expected_on`]); family members appear only where the group has
//! them as members.
//!
//! Marks: present and late count as attended; absent counts as missed; excused and
//! "not recorded" (no mark) neither count as missed nor break a run of misses; drop-ins
//! count when present but never as missed; cancelled sessions and sessions that did not
//! take place are ignored.
use chrono::{Days, NaiveDate};
use rusqlite::{CachedStatement, Connection, OptionalExtension, params};

use crate::consents::{self, ConsentKind};
use crate::error::Result;
use crate::groups::membership::{self, Person};
use crate::groups::series::{self, Occurrence};
use crate::groups::sheet;

/// How many of a person's newest aftercare marks are looked at for a run of misses.
const MISSED_LOOKBACK: u32 = 60;

/// The date of the person's last attended (present or late) aftercare group session.
pub fn last_aftercare_attendance(conn: &Connection, patient: i64) -> Result<Option<NaiveDate>> {
    last_attended(conn, patient, None)
}

/// The last aftercare session attended by a patient (in any aftercare group), before
/// `before` when given.
fn last_attended(conn: &Connection, patient: i64, before: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
    // CROSS JOIN: left to itself SQLite reads every attendance mark of the person, then
    // looks for aftercare groups; asked per worklist row (bench: worklist 25.4 → 10.7 ms).
    let mut stmt = conn.prepare_cached(
        "SELECT max(s.date) FROM therapy_groups g
         CROSS JOIN group_attendance a ON a.patient_id = ?1 AND a.group_id = g.id
         CROSS JOIN group_sessions s ON s.id = a.session_id
         WHERE g.kind = 'aftercare' AND a.status IN ('present', 'late') AND s.cancelled = 0
           AND (?2 IS NULL OR s.date < ?2)",
    )?;
    Ok(stmt.query_row(params![patient, before], |r| r.get(0)).optional()?.flatten())
}

/// The last session of `group` a family member attended before `before`.
fn family_last_attended(conn: &Connection, group: i64, family: i64, before: NaiveDate) -> Result<Option<NaiveDate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT max(s.date) FROM group_series x
         JOIN group_sessions s ON s.series_id = x.id
         JOIN group_attendance a ON a.session_id = s.id AND a.family_member_id = ?2
         WHERE x.group_id = ?1 AND a.status IN ('present', 'late') AND s.cancelled = 0 AND s.date < ?3",
    )?;
    Ok(stmt.query_row(params![group, family, before], |r| r.get(0)).optional()?.flatten())
}

/// Aftercare sessions missed in a row (marked absent as a member), newest backwards, with
/// a key naming the latest missed session (so an acknowledged alert comes back only when
/// a new session is missed). `None` when the newest marks show no miss.
///
/// Only sessions since the person's latest aftercare plan started count, so misses from
/// before a re-admission do not come back with the new plan.
pub fn missed_aftercare_in_row(conn: &Connection, patient: i64) -> Result<Option<(u32, String)>> {
    missed_in_row_with(&mut missed_statement(conn)?, patient)
}

/// The statement behind [`missed_aftercare_in_row`], to be run for many people in turn
/// (see [`missed_in_row_with`]).
pub(crate) fn missed_statement(conn: &Connection) -> Result<CachedStatement<'_>> {
    Ok(conn.prepare_cached(
        "SELECT s.id, a.status FROM therapy_groups g
         CROSS JOIN group_attendance a ON a.patient_id = ?1 AND a.group_id = g.id
         CROSS JOIN group_sessions s ON s.id = a.session_id
         WHERE g.kind = 'aftercare' AND a.dropin = 0 AND s.cancelled = 0 AND s.held <> 'not_held'
           AND a.status IN ('present', 'late', 'absent')
           AND s.date >= coalesce((SELECT max(pl.started_on) FROM aftercare_plans pl WHERE pl.patient_id = ?1), '')
         ORDER BY s.date DESC, s.start_time DESC, s.id DESC LIMIT ?2",
    )?)
}

/// [`missed_aftercare_in_row`] with its statement held by the caller. (A statement given
/// back to rusqlite's cache has its bindings cleared, which here made SQLite compile it
/// again at every use: tens of microseconds a person.)
pub(crate) fn missed_in_row_with(stmt: &mut CachedStatement<'_>, patient: i64) -> Result<Option<(u32, String)>> {
    let marks = stmt
        .query_map(params![patient, MISSED_LOOKBACK], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let missed: Vec<i64> = marks.iter().take_while(|(_, status)| status == "absent").map(|(id, _)| *id).collect();
    Ok(missed.first().map(|latest| (missed.len() as u32, format!("s{latest}"))))
}

pub use crate::groups::sheet::{GroupMember, Session};

/// The aftercare group sessions of the week starting `monday`, in the schedule's order,
/// with their expected members.
pub fn week_sessions(conn: &Connection, monday: NaiveDate) -> Result<Vec<Session>> {
    let sunday = monday + Days::new(6);
    // The aftercare groups' own sessions, in the schedule's order (not the whole schedule).
    let aftercare: Vec<i64> = conn
        .prepare_cached("SELECT id FROM therapy_groups WHERE kind = 'aftercare' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sessions: Vec<Occurrence> = Vec::new();
    for g in aftercare {
        sessions.extend(series::occurrences(conn, monday, sunday, Some(g))?);
    }
    series::in_schedule_order(&mut sessions);
    sessions.iter().map(|o| session(conn, o)).collect()
}

fn session(conn: &Connection, o: &Occurrence) -> Result<Session> {
    Ok(Session {
        group: o.group_name.clone(),
        date: o.date,
        time: format!("{}-{}", o.start_time, o.end_time),
        room: o.room_name.clone(),
        facilitators: sheet::facilitators(conn, o)?,
        topic: sheet::topic(conn, o)?,
        cancelled: o.cancelled.then(|| o.cancel_reason.clone()),
        moved_from: (o.date != o.original_date).then_some(o.original_date),
        members: if o.cancelled { Vec::new() } else { members_of(conn, o)? },
    })
}

/// The members expected at a session, in name order, with what the roster shows.
fn members_of(conn: &Connection, o: &Occurrence) -> Result<Vec<GroupMember>> {
    let mut patient = conn.prepare_cached(&format!(
        "SELECT full_name, preferred_name, phone, {} FROM patients WHERE id = ?1",
        consents::now_sql("patients.id", ConsentKind::FullNameOnLists)
    ))?;
    let mut family = conn.prepare_cached("SELECT name, phone FROM family_members WHERE id = ?1")?;
    let mut due = conn.prepare_cached(
        "SELECT min(f.next_try_on) FROM aftercare_followups f JOIN aftercare_plans pl ON pl.id = f.plan_id
         WHERE f.patient_id = ?1 AND f.status = 'open' AND pl.status = 'active'",
    )?;
    let mut out = Vec::new();
    for (_, person) in membership::expected_on(conn, o.group_id, o.date)? {
        let m = match person {
            Person::Patient(id) => {
                let Some((full_name, preferred_name, phone, consent_roster_name)) =
                    patient.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()?
                else {
                    continue;
                };
                let followup_due: Option<NaiveDate> = due.query_row([id], |r| r.get(0)).optional()?.flatten();
                let last_attended = last_attended(conn, id, Some(o.date))?;
                GroupMember { full_name, preferred_name, phone, consent_roster_name, last_attended, followup_due }
            }
            Person::Family(id) => {
                let Some((full_name, phone)) = family.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?
                else {
                    continue;
                };
                // Family members have no consent of their own on record: always private.
                GroupMember {
                    full_name,
                    preferred_name: String::new(),
                    phone,
                    consent_roster_name: false,
                    last_attended: family_last_attended(conn, o.group_id, id, o.date)?,
                    followup_due: None,
                }
            }
        };
        out.push(m);
    }
    sheet::sort_members(&mut out);
    Ok(out)
}
