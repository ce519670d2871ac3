//! The life of a pair: checked, accepted from the suggestions or made by hand, ended
//! with a reason; turned-down suggestions and exclusions. Each pair keeps the reasons and
//! broken rules it was made with, as codes.
use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::people::{
    Current, MentorUnavailable, current_groups, display_name, mentee_of, mentor_of, patient_exists, person, snapshot,
    world,
};
use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::matching::{self, BrokenRule, Id, PairReason, PairRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PairMade {
    Suggested,
    ByHand,
}

str_enum!(EndReason {
    Completed = "completed",
    Relapse = "relapse",
    Conflict = "conflict",
    MovedAway = "moved_away",
    Other = "other",
});

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PairRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    pub started_on: NaiveDate,
    pub made: PairMade,
    #[ts(type = "number | null")]
    pub score: Option<i64>,
    pub reasons: Vec<StoredReason>,
    pub broken_rules: Vec<PairRule>,
    pub override_reason: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub ended_badly: bool,
    pub end_note: String,
}

/// A reason a pair was made with: a code, or for pairs made before reasons were codes,
/// the English sentence stored then, shown as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum StoredReason {
    Code(PairReason),
    Text(String),
}

/// A rule a pair breaks: one the matcher checks, or the mentor's state; for pairs made
/// before rules were codes, the English sentence stored then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum PairRule {
    Mentor(MentorUnavailable),
    Matcher(BrokenRule),
    Text(String),
}

/// A stored JSON list, item by item: what cannot be read is left out.
fn stored_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect()
}

str_enum!(ExclusionKind { Relatives = "relatives", Conflict = "conflict", EndedBadly = "ended_badly", Other = "other" });

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExclusionRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    pub kind: ExclusionKind,
    pub note: String,
    pub created_on: String,
}

/// Counsellors' words about a pair or an exclusion (why a rule was broken, how a pair
/// ended badly, why two people must never be paired) are for roles that read clinical
/// notes; the front desk gets the rows without them.
pub(super) fn may_read_notes(ctx: &Ctx) -> bool {
    crate::access::allowed(ctx.actor.role, Action::ReadClinicalNotes)
}

impl PairRow {
    pub(super) fn redacted_for(mut self, ctx: &Ctx) -> PairRow {
        if !may_read_notes(ctx) {
            self.override_reason.clear();
            self.end_note.clear();
        }
        self
    }
}

impl ExclusionRow {
    pub(super) fn redacted_for(mut self, ctx: &Ctx) -> ExclusionRow {
        if !may_read_notes(ctx) {
            self.note.clear();
        }
        self
    }
}

const PAIR_SQL: &str = "
    SELECT mp.id, mp.mentor_id, a.full_name, a.preferred_name, mp.mentee_id, b.full_name, b.preferred_name,
           mp.started_on, mp.made, mp.score, mp.reasons, mp.broken_rules, mp.override_reason, mp.ended_on,
           mp.end_reason, coalesce(mp.ended_badly, 0), coalesce(mp.end_note, '')
    FROM mentor_pairs mp JOIN patients a ON a.id = mp.mentor_id JOIN patients b ON b.id = mp.mentee_id";

fn pair_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PairRow> {
    let made: String = r.get(8)?;
    let reasons: String = r.get(10)?;
    let broken: String = r.get(11)?;
    let end: Option<String> = r.get(14)?;
    Ok(PairRow {
        id: r.get(0)?,
        mentor_id: r.get(1)?,
        mentor_name: display_name(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?),
        mentee_id: r.get(4)?,
        mentee_name: display_name(&r.get::<_, String>(5)?, &r.get::<_, String>(6)?),
        started_on: r.get(7)?,
        made: if made == "by_hand" { PairMade::ByHand } else { PairMade::Suggested },
        score: r.get(9)?,
        reasons: stored_list(&reasons),
        broken_rules: stored_list(&broken),
        override_reason: r.get(12)?,
        ended_on: r.get(13)?,
        end_reason: end.as_deref().and_then(EndReason::parse),
        ended_badly: r.get(15)?,
        end_note: r.get(16)?,
    })
}

pub(super) fn pairs_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<PairRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("{PAIR_SQL} WHERE {filter} ORDER BY mp.started_on DESC, mp.id DESC"))?;
    Ok(stmt.query_map(args, pair_from_row)?.collect::<rusqlite::Result<_>>()?)
}

// CROSS JOIN: with few exclusions SQLite otherwise scans every patient (tests/query_plans.rs).
pub(super) fn exclusions_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<ExclusionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT x.id, x.mentor_id, a.full_name, a.preferred_name, x.mentee_id, b.full_name, b.preferred_name,
                x.kind, x.note, substr(x.created_at, 1, 10)
         FROM mentor_exclusions x CROSS JOIN patients a ON a.id = x.mentor_id
              CROSS JOIN patients b ON b.id = x.mentee_id
         WHERE x.lifted_at IS NULL AND ({filter}) ORDER BY x.id"
    ))?;
    Ok(stmt
        .query_map(args, |r| {
            let kind: String = r.get(7)?;
            Ok(ExclusionRow {
                id: r.get(0)?,
                mentor_id: r.get(1)?,
                mentor_name: display_name(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?),
                mentee_id: r.get(4)?,
                mentee_name: display_name(&r.get::<_, String>(5)?, &r.get::<_, String>(6)?),
                kind: ExclusionKind::parse(&kind).unwrap_or(ExclusionKind::Other),
                note: r.get(8)?,
                created_on: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// What a pair made by hand would look like: the rules it breaks and its score.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PairCheck {
    pub broken_rules: Vec<PairRule>,
    #[ts(type = "number")]
    pub score: i64,
    pub reasons: Vec<PairReason>,
}

fn active_mentor_of(conn: &Connection, mentee: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT mentor_id FROM mentor_pairs WHERE mentee_id = ?1 AND ended_on IS NULL", [mentee], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The rules a pair would break, including those the matcher does not know (a paused
/// or in-patient mentor), and its score. The mentor must be marked as a peer mentor.
pub(super) fn check(conn: &Connection, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairCheck> {
    let mentor_person = person(conn, ctx.today, mentor)?;
    if !mentor_person.is_mentor {
        return Err(Error::invalid(
            "not_a_mentor",
            "mentor",
            "This person is not marked as a peer mentor. Mark them as a mentor on their profile first.",
        ));
    }
    if mentor == mentee {
        return Err(Error::invalid("mentor_self", "mentee", "A mentor cannot mentor themselves."));
    }
    let mentee_person = person(conn, ctx.today, mentee)?;
    if mentee_person.is_mentor {
        return Err(Error::invalid("mentee_is_mentor", "mentee", "This person is a peer mentor, not a mentee."));
    }
    if mentee_person.archived {
        return Err(Error::invalid("mentee_archived", "mentee", "This person's record is archived."));
    }
    if active_mentor_of(conn, mentee)?.is_some() {
        return Err(Error::invalid(
            "mentee_has_mentor",
            "mentee",
            "This person already has a mentor. End that pair first if it should change.",
        ));
    }
    let mut w = world(conn, ctx.today, Some(mentee), Current::Kept)?;
    let mut broken: Vec<PairRule> = mentor_person.unavailable(&w.at_risk).into_iter().map(PairRule::Mentor).collect();
    if !broken.is_empty() {
        // Left out of the problem as unavailable: add them back to score and check.
        let groups = current_groups(conn, ctx.today)?;
        w.problem.mentors.push(mentor_of(mentor_person, ctx.today, &groups, 0));
        let mut stmt =
            conn.prepare_cached("SELECT mentee_id FROM mentor_pairs WHERE mentor_id = ?1 AND ended_on IS NULL")?;
        for e in stmt.query_map([mentor], |r| r.get::<_, i64>(0))? {
            let e = e?;
            if !w.problem.mentees.iter().any(|m| m.id == Id::Int(e)) {
                w.problem.mentees.push(mentee_of(person(conn, ctx.today, e)?, &groups, &HashSet::new()));
            }
            w.problem.keep.push(PairRef { mentor: Id::Int(mentor), mentee: Id::Int(e) });
        }
        let mut stmt = conn.prepare_cached(
            "SELECT 1 FROM mentor_exclusions WHERE lifted_at IS NULL AND mentor_id = ?1 AND mentee_id = ?2
             UNION ALL SELECT 1 FROM mentor_rejections WHERE cleared_at IS NULL AND mentor_id = ?1 AND mentee_id = ?2",
        )?;
        if stmt.exists(params![mentor, mentee])? {
            w.problem.exclusions.push(PairRef { mentor: Id::Int(mentor), mentee: Id::Int(mentee) });
        }
    }
    let (m, e) = (Id::Int(mentor), Id::Int(mentee));
    broken.extend(matching::broken_rules(&w.problem, &m, &e).unwrap_or_default().into_iter().map(PairRule::Matcher));
    let (score, reasons) = matching::explain(&w.problem, &m, &e).unwrap_or_default();
    Ok(PairCheck { broken_rules: broken, score, reasons })
}

/// Checks a pair before it is made by hand (nothing changes).
pub fn check_pair(conn: &Connection, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairCheck> {
    ctx.require(Action::ViewMentorship)?;
    snapshot(conn, || check(conn, ctx, mentor, mentee))
}

pub(super) fn insert_pair(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    mentor: i64,
    mentee: i64,
    made: PairMade,
    c: &PairCheck,
    override_reason: &str,
) -> Result<PairRow> {
    tx.execute(
        "INSERT INTO mentor_pairs (mentor_id, mentee_id, started_on, made, score, reasons, broken_rules,
                                   override_reason, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            mentor,
            mentee,
            ctx.today,
            if made == PairMade::ByHand { "by_hand" } else { "suggested" },
            c.score,
            serde_json::to_string(&c.reasons).unwrap_or_else(|_| "[]".into()),
            serde_json::to_string(&c.broken_rules).unwrap_or_else(|_| "[]".into()),
            override_reason,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let detail = match made {
        PairMade::Suggested => "suggested".to_owned(),
        PairMade::ByHand if c.broken_rules.is_empty() => "by hand".to_owned(),
        PairMade::ByHand => format!("by hand, overriding {} rule(s)", c.broken_rules.len()),
    };
    audit::record(tx, ctx, "pair_start", entity::MENTOR_PAIR, Some(id), &detail)?;
    pair(tx, id)
}

fn pair(conn: &Connection, id: i64) -> Result<PairRow> {
    pairs_where(conn, "mp.id = ?1", [id])?.into_iter().next().ok_or(Error::NotFound { what: "That pair" })
}

/// Accepts a suggestion. The rules are checked again against the data as it is now, so a
/// suggestion that has gone stale (someone else paired the mentee, the mentor is full)
/// is refused rather than breaking a rule.
pub fn accept(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let c = check(tx, ctx, mentor, mentee)?;
    if !c.broken_rules.is_empty() {
        return Err(Error::invalid(
            "suggestion_stale",
            "mentor",
            "This suggestion no longer fits (a rule changed since). Run the suggestions again.",
        ));
    }
    insert_pair(tx, ctx, mentor, mentee, PairMade::Suggested, &c, "")
}

/// Turns a suggestion down: the pair is left out of later suggestions until cleared.
pub fn reject(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<()> {
    ctx.require(Action::ManageMentorship)?;
    if !patient_exists(tx, mentor)? || !patient_exists(tx, mentee)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    tx.execute(
        "INSERT INTO mentor_rejections (mentor_id, mentee_id, rejected_at, rejected_by) VALUES (?1, ?2, ?3, ?4)",
        params![mentor, mentee, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "suggestion_reject", entity::PATIENT, Some(mentee), "")
}

/// Lets every turned-down suggestion be suggested again.
pub fn clear_rejections(tx: &Transaction<'_>, ctx: &Ctx) -> Result<u32> {
    ctx.require(Action::ManageMentorship)?;
    let n = tx.execute("UPDATE mentor_rejections SET cleared_at = ?1 WHERE cleared_at IS NULL", [ctx.stamp()])?;
    audit::record(tx, ctx, "suggestion_rejections_clear", entity::SETTINGS, None, &n.to_string())?;
    Ok(n as u32)
}

/// Pairs two people by hand. A pair that breaks a hard rule needs a counsellor or an
/// administrator and a reason; both are recorded with the rules it broke.
pub fn pair_by_hand(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64, reason: &str) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let c = check(tx, ctx, mentor, mentee)?;
    let reason = reason.trim();
    if !c.broken_rules.is_empty() {
        ctx.require(Action::OverrideMentorRules)?;
        if reason.chars().count() < 5 {
            return Err(Error::invalid(
                "override_reason",
                "reason",
                "This pair breaks a rule. Write why it should be made anyway.",
            ));
        }
    }
    insert_pair(tx, ctx, mentor, mentee, PairMade::ByHand, &c, reason)
}

/// Ends a pair. An ending that went badly (always so for a conflict) adds the pair to
/// the exclusions, so it is never suggested again.
pub fn end_pair(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    pair_id: i64,
    on: NaiveDate,
    reason: EndReason,
    badly: bool,
    note: &str,
) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let p = pair(tx, pair_id)?;
    if p.ended_on.is_some() {
        return Err(Error::invalid("pair_ended", "pair", "This pair has already ended."));
    }
    if on < p.started_on {
        return Err(Error::invalid("pair_end_date", "on", "A pair cannot end before it started."));
    }
    if on > ctx.today {
        return Err(Error::invalid("pair_end_date", "on", "The end date cannot be in the future."));
    }
    let badly = badly || reason == EndReason::Conflict;
    let note = note.trim();
    tx.execute(
        "UPDATE mentor_pairs SET ended_on = ?2, end_reason = ?3, ended_badly = ?4, end_note = ?5, ended_at = ?6,
                                 ended_by = ?7
         WHERE id = ?1",
        params![pair_id, on, reason.as_str(), badly, note, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "pair_end", entity::MENTOR_PAIR, Some(pair_id), reason.as_str())?;
    if badly {
        tx.execute(
            "INSERT INTO mentor_exclusions (mentor_id, mentee_id, kind, note, pair_id, created_at, created_by)
             VALUES (?1, ?2, 'ended_badly', ?3, ?4, ?5, ?6)",
            params![p.mentor_id, p.mentee_id, reason.as_str(), pair_id, ctx.stamp(), ctx.actor.staff_id],
        )?;
        let x = tx.last_insert_rowid();
        audit::record(tx, ctx, "exclusion_add", entity::MENTOR_EXCLUSION, Some(x), "ended_badly")?;
    }
    pair(tx, pair_id)
}

/// Records a pair that must never be suggested (relatives, a known conflict, …).
pub fn add_exclusion(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    mentor: i64,
    mentee: i64,
    kind: ExclusionKind,
    note: &str,
) -> Result<ExclusionRow> {
    ctx.require(Action::ManageMentorExclusions)?;
    if mentor == mentee {
        return Err(Error::invalid("mentor_self", "mentee", "Choose two different people."));
    }
    if !patient_exists(tx, mentor)? || !patient_exists(tx, mentee)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    if note.trim().is_empty() && kind == ExclusionKind::Other {
        return Err(Error::invalid("exclusion_note", "note", "Write the reason for this exclusion."));
    }
    tx.execute(
        "INSERT INTO mentor_exclusions (mentor_id, mentee_id, kind, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![mentor, mentee, kind.as_str(), note.trim(), ctx.stamp(), ctx.actor.staff_id],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "exclusion_add", entity::MENTOR_EXCLUSION, Some(id), kind.as_str())?;
    exclusions_where(tx, "x.id = ?1", [id])?.into_iter().next().ok_or(Error::NotFound { what: "That exclusion" })
}

/// Lifts an exclusion (the record stays, marked lifted with the reason).
pub fn lift_exclusion(tx: &Transaction<'_>, ctx: &Ctx, id: i64, reason: &str) -> Result<()> {
    ctx.require(Action::ManageMentorExclusions)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("exclusion_lift_reason", "reason", "Write why this exclusion is lifted."));
    }
    let n = tx.execute(
        "UPDATE mentor_exclusions SET lifted_at = ?2, lifted_by = ?3, lifted_reason = ?4
         WHERE id = ?1 AND lifted_at IS NULL",
        params![id, ctx.stamp(), ctx.actor.staff_id, reason.trim()],
    )?;
    if n == 0 {
        return Err(Error::NotFound { what: "That exclusion" });
    }
    audit::record(tx, ctx, "exclusion_lift", entity::MENTOR_EXCLUSION, Some(id), "")
}
