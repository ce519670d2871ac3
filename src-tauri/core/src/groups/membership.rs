//! Membership over time: windows of `[joined_on, left_on]` (both days included), any
//! number per person, never deleted. A member is expected at every session from the
//! day they join to the day they leave. Capacity and an ordered waiting list: a full
//! group puts newcomers on the list; when someone leaves, the first person waiting is
//! *offered* the place (and joins when staff accept it for them).
//!
//! Family support groups take family members (name, relation, the patient they belong
//! to, phone) as well as patients. Women-only groups refuse men and men-only groups
//! refuse women, with a plain message; people registered as "other" are not refused
//! (staff decide). Family members have no recorded gender and are not checked.
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{GenderRule, GroupKind, entity, str_enum};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::patients::{Gender, Phase};
use crate::text;

str_enum!(LeaveReason {
    Discharged = "discharged",
    MovedGroup = "moved_group",
    DroppedOut = "dropped_out",
    Completed = "completed",
    Other = "other",
});

/// A patient or a family member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
#[ts(export)]
pub enum Person {
    Patient(#[ts(type = "number")] i64),
    Family(#[ts(type = "number")] i64),
}

impl Person {
    pub(crate) fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Person::Patient(id) => (Some(id), None),
            Person::Family(id) => (None, Some(id)),
        }
    }
    pub(crate) fn from_columns(p: Option<i64>, f: Option<i64>) -> Option<Person> {
        p.map(Person::Patient).or(f.map(Person::Family))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FamilyMemberInput {
    pub name: String,
    pub relation: String,
    #[ts(type = "number")]
    pub patient_id: i64,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FamilyMember {
    #[ts(type = "number")]
    pub id: i64,
    pub input: FamilyMemberInput,
    pub patient_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MemberRow {
    #[ts(type = "number")]
    pub membership_id: i64,
    pub person: Person,
    pub name: String,
    /// For family members: whose relative they are.
    pub family_of: Option<FamilyOf>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WaitRow {
    #[ts(type = "number")]
    pub id: i64,
    pub person: Person,
    pub name: String,
    pub added_on: NaiveDate,
    /// "waiting" or "offered" (a place is free for them).
    pub status: String,
    pub position: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupMembers {
    /// Members on the day asked (including those joining later, shown with their date).
    pub current: Vec<MemberRow>,
    pub past: Vec<MemberRow>,
    pub waiting: Vec<WaitRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[ts(export)]
pub enum JoinOutcome {
    Joined {
        #[ts(type = "number")]
        membership_id: i64,
    },
    Waitlisted {
        position: u32,
    },
}

/// A place freed by a leaver, offered to the first person waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Offer {
    #[ts(type = "number")]
    pub waitlist_id: i64,
    pub person: Person,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suggestion {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub phase: Phase,
}

/// A patient's membership window, for clash checks and reports.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub group_id: i64,
    pub patient_id: i64,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// Patients' membership windows that overlap `[from, to]`.
pub fn patient_windows(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Window>> {
    let rows = conn
        .prepare_cached(
            "SELECT group_id, patient_id, joined_on, left_on FROM group_memberships
             WHERE patient_id IS NOT NULL AND joined_on <= ?2 AND (left_on IS NULL OR left_on >= ?1)",
        )?
        .query_map(params![from, to], |r| {
            Ok(Window { group_id: r.get(0)?, patient_id: r.get(1)?, joined_on: r.get(2)?, left_on: r.get(3)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Members (patients and family) on `on`.
pub fn count_on(conn: &Connection, group_id: i64, on: NaiveDate) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM group_memberships
         WHERE group_id = ?1 AND joined_on <= ?2 AND (left_on IS NULL OR left_on >= ?2)",
        )?
        .query_row(params![group_id, on], |r| r.get(0))?)
}

/// Everyone expected at a session of `group_id` on `on`: (membership id, person).
pub fn expected_on(conn: &Connection, group_id: i64, on: NaiveDate) -> Result<Vec<(i64, Person)>> {
    let rows = conn
        .prepare(
            "SELECT id, patient_id, family_member_id FROM group_memberships
             WHERE group_id = ?1 AND joined_on <= ?2 AND (left_on IS NULL OR left_on >= ?2) ORDER BY id",
        )?
        .query_map(params![group_id, on], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<(i64, Option<i64>, Option<i64>)>>>()?;
    Ok(rows.into_iter().filter_map(|(id, p, f)| Person::from_columns(p, f).map(|x| (id, x))).collect())
}

/// Whose relative a family member is; the window says it in words ("Mother of Rahul
/// Sharma", "family of Rahul Sharma").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FamilyOf {
    /// As staff typed it ("Mother", "माँ"), or empty when not given.
    pub relation: String,
    /// The patient's name.
    pub patient: String,
}

/// The display name of a person and, for family, whose relative they are.
pub fn describe(conn: &Connection, person: Person) -> Result<(String, Option<FamilyOf>)> {
    match person {
        Person::Patient(id) => conn
            .prepare_cached("SELECT CASE WHEN preferred_name <> '' THEN full_name || ' (' || preferred_name || ')' ELSE full_name END
                 FROM patients WHERE id = ?1")?
            .query_row([id],
                |r| Ok((r.get(0)?, None)),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "The patient" }),
        Person::Family(id) => conn
            .prepare_cached("SELECT f.name, f.relation, p.full_name FROM family_members f JOIN patients p ON p.id = f.patient_id
                 WHERE f.id = ?1")?
            .query_row([id],
                |r| Ok((r.get(0)?, Some(FamilyOf { relation: r.get(1)?, patient: r.get(2)? }))),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "The family member" }),
    }
}

fn audit_person(tx: &Transaction<'_>, ctx: &Ctx, action: &str, person: Person, group_id: i64) -> Result<()> {
    match person {
        Person::Patient(id) => audit::record(tx, ctx, action, entity::PATIENT, Some(id), &format!("group {group_id}")),
        Person::Family(id) => audit::record(tx, ctx, action, entity::FAMILY, Some(id), &format!("group {group_id}")),
    }
}

struct GroupRules {
    kind: GroupKind,
    gender: GenderRule,
    capacity: Option<u32>,
    active: bool,
}

fn rules(conn: &Connection, group_id: i64) -> Result<GroupRules> {
    conn.prepare_cached("SELECT kind, gender_rule, capacity, status = 'active' FROM therapy_groups WHERE id = ?1")?
        .query_row([group_id], |r| {
            Ok(GroupRules { kind: r.get(0)?, gender: r.get(1)?, capacity: r.get(2)?, active: r.get(3)? })
        })
        .optional()?
        .ok_or(Error::NotFound { what: "The group" })
}

fn check_gender(conn: &Connection, g: &GroupRules, person: Person) -> Result<()> {
    let Person::Patient(id) = person else { return Ok(()) };
    let gender: Gender = conn
        .prepare_cached("SELECT gender FROM patients WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { what: "The patient" })?;
    match (g.gender, gender) {
        (GenderRule::WomenOnly, Gender::Male) => Err(Error::invalid(
            "group_women_only",
            "person",
            "This group is for women only, and this person is registered as a man.",
        )),
        (GenderRule::MenOnly, Gender::Female) => Err(Error::invalid(
            "group_men_only",
            "person",
            "This group is for men only, and this person is registered as a woman.",
        )),
        _ => Ok(()),
    }
}

fn open_membership(conn: &Connection, group_id: i64, person: Person, on: NaiveDate) -> Result<Option<i64>> {
    let (p, f) = person.columns();
    Ok(conn
        .prepare_cached(
            "SELECT id FROM group_memberships WHERE group_id = ?1 AND patient_id IS ?2 AND family_member_id IS ?3
               AND (left_on IS NULL OR left_on >= ?4) LIMIT 1",
        )?
        .query_row(params![group_id, p, f, on], |r| r.get(0))
        .optional()?)
}

fn waiting_entry(conn: &Connection, group_id: i64, person: Person) -> Result<Option<(i64, String)>> {
    let (p, f) = person.columns();
    Ok(conn
        .prepare_cached(
            "SELECT id, status FROM group_waitlist WHERE group_id = ?1 AND patient_id IS ?2 AND family_member_id IS ?3
               AND status IN ('waiting', 'offered') LIMIT 1",
        )?
        .query_row(params![group_id, p, f], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Adds a person to a group from `joined_on`, or to the waiting list when the group is
/// full (or others are already waiting for a freed place).
pub fn join(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    group_id: i64,
    person: Person,
    joined_on: NaiveDate,
) -> Result<JoinOutcome> {
    ctx.require(Action::ManageMembers)?;
    let g = rules(tx, group_id)?;
    if !g.active {
        return Err(Error::invalid(
            "group_not_active",
            "group",
            "This group is finished or cancelled; it takes no new members.",
        ));
    }
    describe(tx, person)?;
    check_gender(tx, &g, person)?;
    if let Person::Family(_) = person
        && g.kind != GroupKind::FamilySupport
    {
        return Err(Error::invalid(
            "family_only_in_family_groups",
            "person",
            "Family members can join family support groups only.",
        ));
    }
    if open_membership(tx, group_id, person, joined_on)?.is_some() {
        return Err(Error::invalid("already_member", "person", "This person is already a member of the group."));
    }
    let (p, f) = person.columns();
    let own_entry = waiting_entry(tx, group_id, person)?;
    let others_waiting: u32 = tx
        .prepare_cached(
            "SELECT count(*) FROM group_waitlist WHERE group_id = ?1 AND status IN ('waiting', 'offered')
           AND NOT (patient_id IS ?2 AND family_member_id IS ?3)",
        )?
        .query_row(params![group_id, p, f], |r| r.get(0))?;
    let offered_to_them = own_entry.as_ref().is_some_and(|e| e.1 == "offered");
    let full = g.capacity.is_some_and(|c| count_on(tx, group_id, joined_on).unwrap_or(0) >= c);
    if g.capacity.is_some() && !offered_to_them && (full || others_waiting > 0) {
        if own_entry.is_none() {
            tx.prepare_cached(
                "INSERT INTO group_waitlist (group_id, patient_id, family_member_id, added_on, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![group_id, p, f, ctx.today, ctx.actor.staff_id])?;
            audit_person(tx, ctx, "group_waitlisted", person, group_id)?;
        }
        let position = waitlist(tx, group_id)?.iter().position(|w| w.person == person).map_or(0, |i| i as u32 + 1);
        return Ok(JoinOutcome::Waitlisted { position });
    }
    if !offered_to_them && g.capacity.is_some_and(|c| count_on(tx, group_id, joined_on).unwrap_or(0) >= c) {
        return Err(Error::invalid("group_full", "person", "The group is full on that date."));
    }
    tx.prepare_cached(
        "INSERT INTO group_memberships (group_id, patient_id, family_member_id, joined_on, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![group_id, p, f, joined_on, ctx.stamp(), ctx.actor.staff_id])?;
    let id = tx.last_insert_rowid();
    if let Some((wid, _)) = own_entry {
        tx.prepare_cached("UPDATE group_waitlist SET status = 'joined' WHERE id = ?1")?.execute([wid])?;
    }
    audit_person(tx, ctx, "group_joined", person, group_id)?;
    Ok(JoinOutcome::Joined { membership_id: id })
}

/// Ends a membership on `left_on` (the last day they count as a member). Returns the
/// offer made to the first person waiting, if a place came free.
pub fn leave(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    membership_id: i64,
    left_on: NaiveDate,
    reason: LeaveReason,
) -> Result<Option<Offer>> {
    ctx.require(Action::ManageMembers)?;
    let (group_id, p, f, joined, left): (i64, Option<i64>, Option<i64>, NaiveDate, Option<NaiveDate>) = tx
        .prepare_cached(
            "SELECT group_id, patient_id, family_member_id, joined_on, left_on FROM group_memberships WHERE id = ?1",
        )?
        .query_row([membership_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?
        .ok_or(Error::NotFound { what: "The membership" })?;
    if left.is_some() {
        return Err(Error::invalid("already_left", "left_on", "This person has already left the group."));
    }
    if left_on < joined {
        return Err(Error::invalid("left_before_joined", "left_on", "The leaving date is before the joining date."));
    }
    tx.prepare_cached("UPDATE group_memberships SET left_on = ?2, leave_reason = ?3 WHERE id = ?1")?
        .execute(params![membership_id, left_on, reason])?;
    if let Some(person) = Person::from_columns(p, f) {
        audit_person(tx, ctx, "group_left", person, group_id)?;
    }
    offer_next(tx, ctx, group_id)
}

/// Offers a free place to the first person waiting, if the group has one free and
/// nobody holds an offer already.
fn offer_next(tx: &Transaction<'_>, ctx: &Ctx, group_id: i64) -> Result<Option<Offer>> {
    let g = rules(tx, group_id)?;
    let Some(cap) = g.capacity else { return Ok(None) };
    let offered: u32 = tx
        .prepare_cached("SELECT count(*) FROM group_waitlist WHERE group_id = ?1 AND status = 'offered'")?
        .query_row([group_id], |r| r.get(0))?;
    // Places free after today's leavers (members whose last day is today still count today).
    let tomorrow = ctx.today.succ_opt().unwrap_or(ctx.today);
    let members = count_on(tx, group_id, tomorrow)?;
    if members + offered >= cap {
        return Ok(None);
    }
    let next = waitlist(tx, group_id)?.into_iter().find(|w| w.status == "waiting");
    let Some(w) = next else { return Ok(None) };
    tx.prepare_cached("UPDATE group_waitlist SET status = 'offered', offered_on = ?2 WHERE id = ?1")?
        .execute(params![w.id, ctx.today])?;
    audit_person(tx, ctx, "group_place_offered", w.person, group_id)?;
    Ok(Some(Offer { waitlist_id: w.id, person: w.person, name: w.name }))
}

/// Takes someone off the waiting list (declined, or no longer needed); the place, if it
/// was offered to them, goes to the next person.
pub fn withdraw(tx: &Transaction<'_>, ctx: &Ctx, waitlist_id: i64) -> Result<Option<Offer>> {
    ctx.require(Action::ManageMembers)?;
    let (group_id, p, f): (i64, Option<i64>, Option<i64>) = tx
        .prepare_cached("SELECT group_id, patient_id, family_member_id FROM group_waitlist WHERE id = ?1 AND status IN ('waiting', 'offered')")?
        .query_row([waitlist_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or(Error::NotFound { what: "The waiting list entry" })?;
    tx.prepare_cached("UPDATE group_waitlist SET status = 'withdrawn' WHERE id = ?1")?.execute([waitlist_id])?;
    if let Some(person) = Person::from_columns(p, f) {
        audit_person(tx, ctx, "group_waitlist_withdrawn", person, group_id)?;
    }
    offer_next(tx, ctx, group_id)
}

fn waitlist(conn: &Connection, group_id: i64) -> Result<Vec<WaitRow>> {
    let rows: Vec<(i64, Option<i64>, Option<i64>, NaiveDate, String)> = conn
        .prepare(
            "SELECT id, patient_id, family_member_id, added_on, status FROM group_waitlist
             WHERE group_id = ?1 AND status IN ('waiting', 'offered') ORDER BY id",
        )?
        .query_map([group_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (i, (id, p, f, added_on, status)) in rows.into_iter().enumerate() {
        let Some(person) = Person::from_columns(p, f) else { continue };
        out.push(WaitRow { id, person, name: describe(conn, person)?.0, added_on, status, position: i as u32 + 1 });
    }
    Ok(out)
}

/// Current (on `on`, or joining later), past members and the waiting list.
pub fn members(conn: &Connection, ctx: &Ctx, group_id: i64, on: NaiveDate) -> Result<GroupMembers> {
    ctx.require(Action::ViewGroups)?;
    rules(conn, group_id)?;
    // Names in the same query (as `describe` gives them): a group's history runs to
    // thousands of people.
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.patient_id, m.family_member_id, m.joined_on, m.left_on, m.leave_reason,
                CASE WHEN p.preferred_name <> '' THEN p.full_name || ' (' || p.preferred_name || ')' ELSE p.full_name END,
                f.name, f.relation, fp.full_name
         FROM group_memberships m
         LEFT JOIN patients p ON p.id = m.patient_id
         LEFT JOIN family_members f ON f.id = m.family_member_id
         LEFT JOIN patients fp ON fp.id = f.patient_id
         WHERE m.group_id = ?1 ORDER BY m.joined_on, m.id",
    )?;
    let mut rows = stmt.query([group_id])?;
    let mut current = Vec::new();
    let mut past = Vec::new();
    while let Some(r) = rows.next()? {
        let (p, f): (Option<i64>, Option<i64>) = (r.get(1)?, r.get(2)?);
        let Some(person) = Person::from_columns(p, f) else { continue };
        let (name, family_of) = match person {
            Person::Patient(_) => (r.get::<_, Option<String>>(6)?, None),
            Person::Family(_) => {
                let relation: String = r.get::<_, Option<String>>(8)?.unwrap_or_default();
                let patient: String = r.get::<_, Option<String>>(9)?.unwrap_or_default();
                (r.get::<_, Option<String>>(7)?, Some(FamilyOf { relation, patient }))
            }
        };
        let name = name.ok_or(Error::NotFound { what: "The member" })?;
        let (joined_on, left_on, leave_reason) = (r.get(3)?, r.get::<_, Option<NaiveDate>>(4)?, r.get(5)?);
        let row = MemberRow { membership_id: r.get(0)?, person, name, family_of, joined_on, left_on, leave_reason };
        if left_on.is_some_and(|l| l < on) {
            past.push(row);
        } else {
            current.push(row);
        }
    }
    current.sort_by_key(|a| a.name.to_lowercase());
    past.sort_by_key(|b| std::cmp::Reverse(b.left_on));
    Ok(GroupMembers { current, past, waiting: waitlist(conn, group_id)? })
}

pub fn add_family_member(tx: &Transaction<'_>, ctx: &Ctx, input: &FamilyMemberInput) -> Result<i64> {
    ctx.require(Action::ManageMembers)?;
    let name = text::clean(&input.name);
    let relation = text::clean(&input.relation);
    if name.is_empty() {
        return Err(Error::invalid("name_empty", "name", "Please enter the family member's name."));
    }
    if text::char_len(&name) > 120 || text::char_len(&relation) > 60 || input.phone.trim().len() > 30 {
        return Err(Error::invalid("text_too_long", "name", "That entry is too long."));
    }
    describe(tx, Person::Patient(input.patient_id))?;
    tx.prepare_cached("INSERT INTO family_members (name, relation, patient_id, phone, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![name, relation, input.patient_id, input.phone.trim(), ctx.stamp(), ctx.actor.staff_id],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "family_member_added", entity::PATIENT, Some(input.patient_id), &format!("family {id}"))?;
    Ok(id)
}

/// The family members recorded for one patient.
pub fn family_of(conn: &Connection, ctx: &Ctx, patient_id: i64) -> Result<Vec<FamilyMember>> {
    ctx.require(Action::ViewGroups)?;
    let patient_name = describe(conn, Person::Patient(patient_id))?.0;
    let rows = conn
        .prepare("SELECT id, name, relation, phone FROM family_members WHERE patient_id = ?1 ORDER BY id")?
        .query_map([patient_id], |r| {
            Ok(FamilyMember {
                id: r.get(0)?,
                input: FamilyMemberInput { name: r.get(1)?, relation: r.get(2)?, patient_id, phone: r.get(3)? },
                patient_name: patient_name.clone(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// People to suggest for a group: aftercare patients for aftercare groups, in-patients
/// for the others; not already members; fitting the gender rule. At most 50.
pub fn suggestions(conn: &Connection, ctx: &Ctx, group_id: i64) -> Result<Vec<Suggestion>> {
    ctx.require(Action::ViewGroups)?;
    let g = rules(conn, group_id)?;
    let phase = if g.kind == GroupKind::Aftercare { Phase::Aftercare } else { Phase::Inpatient };
    let refused = match g.gender {
        GenderRule::Any => "",
        GenderRule::WomenOnly => "male",
        GenderRule::MenOnly => "female",
    };
    let rows = conn
        .prepare(
            "SELECT p.id, p.full_name, p.phase FROM patients p
             WHERE p.archived_at IS NULL AND p.phase = ?2 AND p.gender <> ?3
               AND NOT EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = ?1 AND m.patient_id = p.id
                               AND (m.left_on IS NULL OR m.left_on >= ?4))
               AND NOT EXISTS (SELECT 1 FROM group_waitlist w WHERE w.group_id = ?1 AND w.patient_id = p.id
                               AND w.status IN ('waiting', 'offered'))
             ORDER BY p.search_text LIMIT 50",
        )?
        .query_map(params![group_id, phase, refused, ctx.today], |r| {
            Ok(Suggestion { patient_id: r.get(0)?, name: r.get(1)?, phase: r.get(2)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
