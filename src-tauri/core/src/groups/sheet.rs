//! One session as a printed sheet shows it (the aftercare roster's group sections and the
//! sign-in sheet of any session share it, and one layout: [`crate::pdf::group_sheet`]):
//! the group, when and where, who runs it, the topic, and the members expected on the day.
//! Plain data; privacy and the reader's language are applied by the printing side.
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::membership::{self, Person};
use super::series::{self, Occurrence};
use crate::consents::{self, ConsentKind};
use crate::error::Result;

/// One group session on a printed sheet.
#[derive(Debug, Clone)]
pub struct Session {
    pub group: String,
    pub date: NaiveDate,
    /// "17:00-18:30".
    pub time: String,
    pub room: Option<String>,
    /// Staff first, then guests.
    pub facilitators: Vec<String>,
    /// The topic recorded for the session, else the group's own; may be empty.
    pub topic: String,
    /// `Some(reason)` (maybe empty) when the session is cancelled; it then has no members.
    pub cancelled: Option<String>,
    /// The date it was planned for, when it was moved to another day.
    pub moved_from: Option<NaiveDate>,
    /// Those expected, in name order.
    pub members: Vec<GroupMember>,
}

/// One member expected at a session.
#[derive(Debug, Clone)]
pub struct GroupMember {
    pub full_name: String,
    pub preferred_name: String,
    pub phone: String,
    pub consent_roster_name: bool,
    pub last_attended: Option<NaiveDate>,
    /// An open aftercare follow-up's date (aftercare sheets only).
    pub followup_due: Option<NaiveDate>,
}

/// The facilitators of an occurrence: staff first, then the group's guests.
pub(crate) fn facilitators(conn: &Connection, o: &Occurrence) -> Result<Vec<String>> {
    let guests = super::load_input(conn, o.group_id)?.guest_facilitators;
    let mut out = o.facilitator_names.clone();
    out.extend(guests.split(',').map(str::trim).filter(|g| !g.is_empty()).map(str::to_owned));
    Ok(out)
}

/// The topic: the one recorded for the session, else the group's.
pub(crate) fn topic(conn: &Connection, o: &Occurrence) -> Result<String> {
    let recorded: Option<String> = match o.session_id {
        Some(id) => conn
            .prepare_cached("SELECT topic FROM group_sessions WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    match recorded.filter(|t| !t.trim().is_empty()) {
        Some(t) => Ok(t),
        None => Ok(conn
            .prepare_cached("SELECT topic FROM therapy_groups WHERE id = ?1")?
            .query_row([o.group_id], |r| r.get(0))
            .optional()?
            .unwrap_or_default()),
    }
}

/// A person's last attended (present or late) session of `group` before `before`.
fn last_in_group(conn: &Connection, group: i64, person: Person, before: NaiveDate) -> Result<Option<NaiveDate>> {
    let (p, f) = person.columns();
    let mut stmt = conn.prepare_cached(
        "SELECT max(s.date) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE a.group_id = ?1 AND a.patient_id IS ?2 AND a.family_member_id IS ?3
           AND a.status IN ('present', 'late') AND s.cancelled = 0 AND s.date < ?4",
    )?;
    Ok(stmt.query_row(params![group, p, f, before], |r| r.get(0)).optional()?.flatten())
}

/// The sessions of `group` on `date` (usually one), each with the members expected that
/// day in name order and when each last attended this group.
pub fn sessions_on(conn: &Connection, group: i64, date: NaiveDate) -> Result<Vec<Session>> {
    let mut out = Vec::new();
    for o in series::occurrences(conn, date, date, Some(group))? {
        let mut members = Vec::new();
        if !o.cancelled {
            let mut patient = conn.prepare_cached(&format!(
                "SELECT full_name, preferred_name, phone, {} FROM patients WHERE id = ?1",
                consents::now_sql("patients.id", ConsentKind::FullNameOnLists)
            ))?;
            let mut family = conn.prepare_cached("SELECT name, phone FROM family_members WHERE id = ?1")?;
            for (_, person) in membership::expected_on(conn, o.group_id, o.date)? {
                let found: Option<(String, String, String, bool)> = match person {
                    Person::Patient(id) => {
                        patient.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()?
                    }
                    // Family members have no consent of their own on record: always private.
                    Person::Family(id) => {
                        family.query_row([id], |r| Ok((r.get(0)?, String::new(), r.get(1)?, false))).optional()?
                    }
                };
                let Some((full_name, preferred_name, phone, consent_roster_name)) = found else { continue };
                members.push(GroupMember {
                    full_name,
                    preferred_name,
                    phone,
                    consent_roster_name,
                    last_attended: last_in_group(conn, o.group_id, person, o.date)?,
                    followup_due: None,
                });
            }
            sort_members(&mut members);
        }
        out.push(Session {
            group: o.group_name.clone(),
            date: o.date,
            time: format!("{}-{}", o.start_time, o.end_time),
            room: o.room_name.clone(),
            facilitators: facilitators(conn, &o)?,
            topic: topic(conn, &o)?,
            cancelled: o.cancelled.then(|| o.cancel_reason.clone()),
            moved_from: (o.date != o.original_date).then_some(o.original_date),
            members,
        });
    }
    Ok(out)
}

/// Name order, as the sheets print them.
pub(crate) fn sort_members(members: &mut [GroupMember]) {
    members.sort_by_cached_key(|m| {
        let preferred = m.preferred_name.trim();
        if preferred.is_empty() { m.full_name.to_lowercase() } else { preferred.to_lowercase() }
    });
}
