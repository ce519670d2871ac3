//! The breach register (DPDP Act 2023 s.8(6); Rules 2025 r.7): what happened, when it
//! happened and when it was found, whose data (a description, how many people, and the
//! people on the register it is known to concern), and the notices due: to the Data
//! Protection Board within 72 hours of the breach being found, and to each affected person
//! without delay; each is recorded when sent. Administrators see, on Today, how long is
//! left for each Board notice not yet sent.
use chrono::{Duration, Local, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::entity;
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

/// Hours from finding a breach to the Board's notice (Rules 2025).
pub const BOARD_HOURS: i64 = 72;

const TIME: &str = "%Y-%m-%dT%H:%M";

str_enum! {
    /// Who a notice goes to: the Data Protection Board, or the people affected.
    Notice { Board = "board", People = "people" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BreachInput {
    pub what: String,
    pub happened_on: Option<NaiveDate>,
    /// The centre's local time.
    #[ts(type = "string")]
    pub found_at: NaiveDateTime,
    pub whose: String,
    pub affected: u32,
    /// People on the register it is known to concern.
    #[ts(type = "Array<number>")]
    pub patient_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Breach {
    #[ts(type = "number")]
    pub id: i64,
    pub what: String,
    pub happened_on: Option<NaiveDate>,
    #[ts(type = "string")]
    pub found_at: NaiveDateTime,
    pub whose: String,
    pub affected: u32,
    #[ts(type = "Array<number>")]
    pub patient_ids: Vec<i64>,
    /// `found_at` + 72 hours.
    #[ts(type = "string")]
    pub board_due_at: NaiveDateTime,
    #[ts(type = "string | null")]
    pub board_notified_at: Option<NaiveDateTime>,
    #[ts(type = "string | null")]
    pub people_notified_at: Option<NaiveDateTime>,
}

/// A Board notice not yet sent, as the Today card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BoardDue {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "string")]
    pub due_at: NaiveDateTime,
    /// Whole hours left (rounded down); negative once overdue.
    #[ts(type = "number")]
    pub hours_left: i64,
    pub overdue: bool,
}

/// The centre's local time now (of the context's clock).
fn local_now(ctx: &Ctx) -> NaiveDateTime {
    ctx.now.with_timezone(&Local).naive_local()
}

/// The countdown to a Board notice due `due_at`, at `now`.
pub fn countdown(due_at: NaiveDateTime, now: NaiveDateTime) -> (i64, bool) {
    let left = due_at - now;
    (left.num_minutes().div_euclid(60), left < Duration::zero())
}

fn parse_time(s: Option<String>) -> Option<NaiveDateTime> {
    s.and_then(|s| NaiveDateTime::parse_from_str(&s, TIME).ok())
}

fn check(tx: &Transaction<'_>, ctx: &Ctx, input: &BreachInput) -> Result<()> {
    if crate::text::clean(&input.what).is_empty() {
        return Err(Error::invalid("breach_what_missing", "what", "Say what happened."));
    }
    if input.found_at > local_now(ctx) + Duration::minutes(5) {
        return Err(Error::invalid(
            "breach_found_future",
            "found_at",
            "The time it was found cannot be in the future.",
        ));
    }
    if input.happened_on.is_some_and(|d| d > input.found_at.date()) {
        return Err(Error::invalid(
            "breach_happened_after_found",
            "happened_on",
            "A breach cannot have happened after it was found.",
        ));
    }
    for &p in &input.patient_ids {
        let known: Option<i64> = tx.query_row("SELECT id FROM patients WHERE id = ?1", [p], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(Error::NotFound { what: "That patient" });
        }
    }
    Ok(())
}

/// Records a breach; returns its id.
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, input: &BreachInput) -> Result<i64> {
    ctx.require(Action::ManageRights)?;
    check(tx, ctx, input)?;
    let mut ids = input.patient_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let affected = input.affected.max(u32::try_from(ids.len()).unwrap_or(u32::MAX));
    tx.execute(
        "INSERT INTO breaches (what, happened_on, found_at, whose, affected, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            crate::text::clean(&input.what),
            input.happened_on,
            input.found_at.format(TIME).to_string(),
            crate::text::clean(&input.whose),
            affected,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    for p in ids {
        tx.execute("INSERT INTO breach_patients (breach_id, patient_id) VALUES (?1, ?2)", [id, p])?;
    }
    audit::record(tx, ctx, "breach_recorded", entity::BREACH, Some(id), &affected.to_string())?;
    Ok(id)
}

/// Records when a notice was sent (once; not before the breach was found, not in the future).
pub fn notified(tx: &Transaction<'_>, ctx: &Ctx, id: i64, notice: Notice, at: NaiveDateTime) -> Result<()> {
    ctx.require(Action::ManageRights)?;
    let found: Option<(String, Option<String>, Option<String>)> = tx
        .query_row("SELECT found_at, board_notified_at, people_notified_at FROM breaches WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((found_at, board, people)) = found else {
        return Err(Error::NotFound { what: "That breach" });
    };
    let already = match notice {
        Notice::Board => board.is_some(),
        Notice::People => people.is_some(),
    };
    if already {
        return Err(Error::invalid("breach_notice_recorded", "notified_at", "This notice is already recorded."));
    }
    let found_at = parse_time(Some(found_at)).unwrap_or(at);
    if at < found_at || at > local_now(ctx) + Duration::minutes(5) {
        return Err(Error::invalid(
            "breach_notice_time",
            "notified_at",
            "The notice must be sent after the breach was found, and not in the future.",
        ));
    }
    let column = match notice {
        Notice::Board => "board_notified_at",
        Notice::People => "people_notified_at",
    };
    tx.execute(&format!("UPDATE breaches SET {column} = ?2 WHERE id = ?1"), params![id, at.format(TIME).to_string()])?;
    audit::record(tx, ctx, "breach_notified", entity::BREACH, Some(id), notice.as_str())
}

/// The register, newest found first.
pub fn list(conn: &Connection, ctx: &Ctx) -> Result<Vec<Breach>> {
    ctx.require(Action::ManageRights)?;
    let mut stmt = conn.prepare_cached(
        "SELECT b.id, b.what, b.happened_on, b.found_at, b.whose, b.affected, b.board_notified_at, b.people_notified_at,
                (SELECT json_group_array(patient_id) FROM breach_patients WHERE breach_id = b.id)
         FROM breaches b ORDER BY b.found_at DESC, b.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let found_at = parse_time(r.get(3)?).unwrap_or_default();
        let ids: String = r.get(8)?;
        Ok(Breach {
            id: r.get(0)?,
            what: r.get(1)?,
            happened_on: r.get(2)?,
            found_at,
            whose: r.get(4)?,
            affected: r.get(5)?,
            patient_ids: serde_json::from_str(&ids).unwrap_or_default(),
            board_due_at: found_at + Duration::hours(BOARD_HOURS),
            board_notified_at: parse_time(r.get(6)?),
            people_notified_at: parse_time(r.get(7)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The Board notices not yet sent, soonest due first.
pub fn board_due(conn: &Connection, ctx: &Ctx) -> Result<Vec<BoardDue>> {
    ctx.require(Action::ManageRights)?;
    let now = local_now(ctx);
    let mut stmt =
        conn.prepare_cached("SELECT id, found_at FROM breaches WHERE board_notified_at IS NULL ORDER BY found_at, id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, parse_time(r.get(1)?))))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, found) = row?;
        let due_at = found.unwrap_or(now) + Duration::hours(BOARD_HOURS);
        let (hours_left, overdue) = countdown(due_at, now);
        out.push(BoardDue { id, due_at, hours_left, overdue });
    }
    Ok(out)
}
