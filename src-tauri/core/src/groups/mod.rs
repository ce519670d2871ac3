//! Group therapy scheduling: groups and rooms, recurring sessions with exceptions
//! ([`series`], rules in [`recurrence`]), membership over time ([`membership`]),
//! attendance ([`attendance`]), clashes ([`conflicts`]), reports ([`reports`]).
//!
//! The model, in one paragraph: a group has one or more *series* (a recurrence rule, a
//! time, a room, facilitators), each valid over a date range. Occurrences are computed,
//! never stored in advance, and are identified by `(series, original date)`. An
//! occurrence becomes a stored *session* row as soon as it is edited on its own (moved,
//! cancelled) or anything is recorded about it (held, topic, attendance); from then on
//! the row is the truth and no series edit touches it. Editing a series never rewrites
//! it: the old one ends the day before the edit date and a new one starts (same
//! *lineage*), so the past stays as it happened.
//!
//! Dates and times are the centre's local time (the PC's clock; India has one timezone
//! and no daylight saving), stored as plain `YYYY-MM-DD` and `HH:MM`: no timezone
//! arithmetic anywhere, so a 10:00 session is at 10:00 on every date.
//!
//! Who may do what (see `access.rs`): front desk views schedules, manages members and
//! takes attendance; counsellors and administrators also create and change groups,
//! rooms and schedules, move or cancel sessions, override clashes and read or write
//! session notes.
// Rows are read into plain tuples next to their SQL; naming each tuple type would not help.
#![allow(clippy::type_complexity)]

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

pub mod attendance;
pub mod conflicts;
pub mod demo;
pub mod membership;
pub mod participant_notes;
pub mod participant_notes_demo;
pub mod recurrence;
pub mod reports;
pub mod series;
pub mod sheet;
pub mod tallies;
#[cfg(test)]
mod tests;

/// Audit entity names for this module.
pub mod entity {
    pub const GROUP: &str = "group";
    pub const SESSION: &str = "group_session";
    pub const ROOM: &str = "room";
    pub const PATIENT: &str = crate::audit::entity::PATIENT;
    pub const FAMILY: &str = "family_member";
}

pub(crate) use crate::enums::str_enum;

str_enum!(GroupKind {
    SharingCircle = "sharing_circle",
    GroupTherapy = "group_therapy",
    FamilySupport = "family_support",
    Aftercare = "aftercare",
    HostedMeeting = "hosted_meeting",
    Other = "other",
});
str_enum!(Audience { Inpatients = "inpatients", Aftercare = "aftercare", Families = "families", Mixed = "mixed" });
str_enum!(GenderRule { Any = "any", WomenOnly = "women_only", MenOnly = "men_only" });
str_enum!(GroupStatus { Active = "active", Finished = "finished", Cancelled = "cancelled" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Room {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// What staff type into the group form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupInput {
    pub name: String,
    pub kind: GroupKind,
    /// For group therapy: stress, anger, trauma, relapse triggers, relationships, life
    /// skills (free text); for hosted meetings: AA, NA, SMART Recovery, faith-based.
    pub topic: String,
    pub audience: Audience,
    pub gender_rule: GenderRule,
    /// Closed groups take new members only by staff decision (shown, not enforced).
    pub closed: bool,
    pub mandatory: bool,
    pub capacity: Option<u32>,
    #[ts(type = "number | null")]
    pub default_room_id: Option<i64>,
    /// Staff ids.
    #[ts(type = "number[]")]
    pub facilitators: Vec<i64>,
    /// Guest facilitators by name, comma separated.
    pub guest_facilitators: String,
    pub status: GroupStatus,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Group {
    #[ts(type = "number")]
    pub id: i64,
    pub input: GroupInput,
    pub room_name: Option<String>,
    pub facilitator_names: Vec<String>,
    /// Members today.
    pub members: u32,
    pub waiting: u32,
    /// The schedules in force today or later, as plain RRULE lines.
    pub schedules: Vec<series::Series>,
}

pub(crate) fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn parse_ids(s: &str) -> Vec<i64> {
    serde_json::from_str(s).unwrap_or_default()
}

pub(crate) fn staff_names(conn: &Connection, ids: &[i64]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name: Option<String> =
            conn.query_row("SELECT full_name FROM staff WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        out.push(name.unwrap_or_else(|| format!("#{id}")));
    }
    Ok(out)
}

pub(crate) fn room_name(conn: &Connection, id: Option<i64>) -> Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => Ok(conn.query_row("SELECT name FROM rooms WHERE id = ?1", [id], |r| r.get(0)).optional()?),
    }
}

fn check_staff(conn: &Connection, ids: &[i64]) -> Result<()> {
    for id in ids {
        let ok: Option<i64> = conn.query_row("SELECT id FROM staff WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if ok.is_none() {
            return Err(Error::invalid(
                "facilitator_unknown",
                "facilitators",
                "A chosen facilitator is not on the staff list.",
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_room(conn: &Connection, id: Option<i64>, field: &'static str) -> Result<()> {
    if let Some(id) = id {
        let ok: Option<i64> = conn.query_row("SELECT id FROM rooms WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if ok.is_none() {
            return Err(Error::invalid("room_unknown", field, "That room is not on the list of rooms."));
        }
    }
    Ok(())
}

fn clean_input(conn: &Connection, g: &GroupInput) -> Result<GroupInput> {
    let mut g = g.clone();
    g.name = text::clean(&g.name);
    g.topic = text::clean(&g.topic);
    g.guest_facilitators = text::clean(&g.guest_facilitators);
    g.notes = g.notes.trim().to_owned();
    if g.name.is_empty() {
        return Err(Error::invalid("group_name_empty", "name", "Please give the group a name."));
    }
    if text::char_len(&g.name) > 120 || text::char_len(&g.topic) > 200 || text::char_len(&g.guest_facilitators) > 200 {
        return Err(Error::invalid("text_too_long", "name", "That entry is too long (200 letters at most)."));
    }
    if text::char_len(&g.notes) > 2000 {
        return Err(Error::invalid("text_too_long", "notes", "The notes are too long (2000 letters at most)."));
    }
    if g.capacity == Some(0) || g.capacity.is_some_and(|c| c > 500) {
        return Err(Error::invalid(
            "capacity_invalid",
            "capacity",
            "The capacity must be between 1 and 500, or empty.",
        ));
    }
    g.facilitators.sort_unstable();
    g.facilitators.dedup();
    check_staff(conn, &g.facilitators)?;
    check_room(conn, g.default_room_id, "default_room_id")?;
    Ok(g)
}

/// Creates a group (no schedule yet; see [`series::add`]). Returns its id.
pub fn create(tx: &Transaction<'_>, ctx: &Ctx, input: &GroupInput) -> Result<i64> {
    ctx.require(Action::ManageGroups)?;
    let g = clean_input(tx, input)?;
    let stamp = ctx.stamp();
    tx.execute(
        "INSERT INTO therapy_groups (name, kind, topic, audience, gender_rule, closed, mandatory, capacity,
            default_room_id, facilitators, guest_facilitators, status, notes, created_at, created_by, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?15)",
        params![
            g.name, g.kind, g.topic, g.audience, g.gender_rule, g.closed, g.mandatory, g.capacity,
            g.default_room_id, json_ids(&g.facilitators), g.guest_facilitators, g.status, g.notes,
            stamp, ctx.actor.staff_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "group_created", entity::GROUP, Some(id), "")?;
    Ok(id)
}

pub fn update(tx: &Transaction<'_>, ctx: &Ctx, id: i64, input: &GroupInput) -> Result<()> {
    ctx.require(Action::ManageGroups)?;
    let g = clean_input(tx, input)?;
    let n = tx.execute(
        "UPDATE therapy_groups SET name = ?2, kind = ?3, topic = ?4, audience = ?5, gender_rule = ?6, closed = ?7,
            mandatory = ?8, capacity = ?9, default_room_id = ?10, facilitators = ?11, guest_facilitators = ?12,
            status = ?13, notes = ?14, updated_at = ?15, updated_by = ?16
         WHERE id = ?1",
        params![
            id,
            g.name,
            g.kind,
            g.topic,
            g.audience,
            g.gender_rule,
            g.closed,
            g.mandatory,
            g.capacity,
            g.default_room_id,
            json_ids(&g.facilitators),
            g.guest_facilitators,
            g.status,
            g.notes,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    if n == 0 {
        return Err(Error::NotFound { what: "The group" });
    }
    audit::record(tx, ctx, "group_updated", entity::GROUP, Some(id), g.status.as_str())?;
    Ok(())
}

pub(crate) fn load_input(conn: &Connection, id: i64) -> Result<GroupInput> {
    conn.query_row(
        "SELECT name, kind, topic, audience, gender_rule, closed, mandatory, capacity, default_room_id, facilitators,
                guest_facilitators, status, notes FROM therapy_groups WHERE id = ?1",
        [id],
        |r| {
            let fac: String = r.get(9)?;
            Ok(GroupInput {
                name: r.get(0)?,
                kind: r.get(1)?,
                topic: r.get(2)?,
                audience: r.get(3)?,
                gender_rule: r.get(4)?,
                closed: r.get(5)?,
                mandatory: r.get(6)?,
                capacity: r.get(7)?,
                default_room_id: r.get(8)?,
                facilitators: parse_ids(&fac),
                guest_facilitators: r.get(10)?,
                status: r.get(11)?,
                notes: r.get(12)?,
            })
        },
    )
    .optional()?
    .ok_or(Error::NotFound { what: "The group" })
}

/// One group with its current schedules and head counts.
pub fn get(conn: &Connection, ctx: &Ctx, id: i64) -> Result<Group> {
    ctx.require(Action::ViewGroups)?;
    let input = load_input(conn, id)?;
    let members = membership::count_on(conn, id, ctx.today)?;
    let waiting: u32 = conn.query_row(
        "SELECT count(*) FROM group_waitlist WHERE group_id = ?1 AND status IN ('waiting', 'offered')",
        [id],
        |r| r.get(0),
    )?;
    Ok(Group {
        id,
        room_name: room_name(conn, input.default_room_id)?,
        facilitator_names: staff_names(conn, &input.facilitators)?,
        members,
        waiting,
        schedules: series::current_for_group(conn, id, ctx.today)?,
        input,
    })
}

/// All groups, active first, then by name.
pub fn list(conn: &Connection, ctx: &Ctx) -> Result<Vec<Group>> {
    ctx.require(Action::ViewGroups)?;
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM therapy_groups ORDER BY status <> 'active', name COLLATE NOCASE, id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| get(conn, ctx, id)).collect()
}

pub fn rooms(conn: &Connection, ctx: &Ctx) -> Result<Vec<Room>> {
    ctx.require(Action::ViewGroups)?;
    let rows = conn
        .prepare("SELECT id, name, active FROM rooms ORDER BY active DESC, name COLLATE NOCASE")?
        .query_map([], |r| Ok(Room { id: r.get(0)?, name: r.get(1)?, active: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Adds a room (or renames/deactivates one when `id` is given).
pub fn save_room(tx: &Transaction<'_>, ctx: &Ctx, id: Option<i64>, name: &str, active: bool) -> Result<i64> {
    ctx.require(Action::ManageGroups)?;
    let name = text::clean(name);
    if name.is_empty() || text::char_len(&name) > 60 {
        return Err(Error::invalid("room_name_invalid", "name", "Please give the room a name (60 letters at most)."));
    }
    let taken: Option<i64> =
        tx.query_row("SELECT id FROM rooms WHERE name = ?1 COLLATE NOCASE", [&name], |r| r.get(0)).optional()?;
    if taken.is_some() && taken != id {
        return Err(Error::invalid("room_name_taken", "name", "There is already a room with that name."));
    }
    let id = match id {
        Some(id) => {
            if tx.execute("UPDATE rooms SET name = ?2, active = ?3 WHERE id = ?1", params![id, name, active])? == 0 {
                return Err(Error::NotFound { what: "The room" });
            }
            id
        }
        None => {
            tx.execute("INSERT INTO rooms (name, active) VALUES (?1, ?2)", params![name, active])?;
            tx.last_insert_rowid()
        }
    };
    audit::record(tx, ctx, "room_saved", entity::ROOM, Some(id), "")?;
    Ok(id)
}
#[cfg(test)]
mod participant_notes_tests;
