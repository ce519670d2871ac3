//! Series (recurring schedules), their occurrences, and per-occurrence exceptions.
//!
//! - An occurrence is identified by `(series_id, original_date)`: the date the rule
//!   gave it, whatever it was moved to.
//! - A *session row* (`group_sessions`) exists for an occurrence once it was moved,
//!   cancelled, or anything was recorded about it. The row is then the truth: series
//!   edits never touch it (so a session with attendance never changes by a series
//!   edit), and cancelling only sets a flag (attendance is never deleted).
//! - "Change this and following" from date D ends the series on D−1 and starts a new
//!   one valid from D in the same lineage; "change all" is the same with D = today, so
//!   the past stays as it happened. The new rule keeps its own start date (so "every
//!   other week" stays aligned and COUNT still counts from the first session); it only
//!   produces occurrences from D on. Dates on which an earlier series of the lineage has
//!   a session row (a moved or cancelled one) are left to that row, never duplicated.
use std::collections::HashSet;

use chrono::{Days, NaiveDate, NaiveTime, Timelike};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::conflicts::{self, SaveOptions, SaveOutcome, Target};
use super::recurrence::{Freq, Rule};
use super::{GroupKind, entity, json_ids, parse_ids, room_name, staff_names, str_enum};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

str_enum!(
    /// Whether a session took place.
    Held { NotRecorded = "not_recorded", Held = "held", NotHeld = "not_held" }
);

/// The longest window one request may expand (about three years).
pub const MAX_WINDOW_DAYS: i64 = 1100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SeriesInput {
    pub rule: Rule,
    /// "HH:MM", the centre's local time.
    pub start_time: String,
    pub duration_min: u32,
    #[ts(type = "number | null")]
    pub room_id: Option<i64>,
    #[ts(type = "number[]")]
    pub facilitators: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Series {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub group_id: i64,
    #[ts(type = "number")]
    pub lineage_id: i64,
    pub input: SeriesInput,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// The rule as an RFC 5545 RRULE line.
    pub rrule: String,
    /// With a COUNT: the number of sessions of the whole schedule (this series and the
    /// ones it replaced), which is what a form shows and an edit takes as `count`.
    pub total_count: Option<u32>,
    pub room_name: Option<String>,
    pub facilitator_names: Vec<String>,
}

/// One session as the schedule shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Occurrence {
    #[ts(type = "number")]
    pub series_id: i64,
    pub original_date: NaiveDate,
    #[ts(type = "number | null")]
    pub session_id: Option<i64>,
    #[ts(type = "number")]
    pub group_id: i64,
    pub group_name: String,
    pub group_kind: GroupKind,
    pub date: NaiveDate,
    pub start_time: String,
    pub end_time: String,
    pub duration_min: u32,
    #[ts(type = "number | null")]
    pub room_id: Option<i64>,
    pub room_name: Option<String>,
    #[ts(type = "number[]")]
    pub facilitators: Vec<i64>,
    pub facilitator_names: Vec<String>,
    pub cancelled: bool,
    pub cancel_reason: String,
    /// Date, time, room or facilitators differ from the series.
    pub moved: bool,
    pub held: Held,
    /// How many attendance marks are recorded.
    pub marks: u32,
    /// A room or facilitator clash with another session (filled by the week view).
    pub conflict: bool,
}

/// A change to one occurrence only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OccurrenceChange {
    pub date: NaiveDate,
    pub start_time: String,
    pub duration_min: u32,
    #[ts(type = "number | null")]
    pub room_id: Option<i64>,
    #[ts(type = "number[]")]
    pub facilitators: Vec<i64>,
}

/// "HH:MM" (or "H:MM", or "HH:MM:SS") → normalised "HH:MM" and minutes since midnight.
pub fn parse_time(s: &str, field: &'static str) -> Result<(String, u32)> {
    let t = s.trim();
    let parsed = NaiveTime::parse_from_str(t, "%H:%M").or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"));
    match parsed {
        Ok(t) => Ok((t.format("%H:%M").to_string(), t.hour() * 60 + t.minute())),
        Err(_) => Err(Error::invalid("time_invalid", field, "Please enter a time like 10:30 (24-hour clock).")),
    }
}

pub(crate) fn end_time(start_min: u32, duration: u32) -> String {
    let end = (start_min + duration).min(24 * 60 - 1);
    format!("{:02}:{:02}", end / 60, end % 60)
}

fn check_duration(d: u32) -> Result<()> {
    if !(5..=720).contains(&d) {
        return Err(Error::invalid(
            "duration_invalid",
            "duration_min",
            "A session lasts between 5 minutes and 12 hours.",
        ));
    }
    Ok(())
}

fn clean_input(conn: &Connection, input: &SeriesInput) -> Result<SeriesInput> {
    let mut s = input.clone();
    s.start_time = parse_time(&s.start_time, "start_time")?.0;
    check_duration(s.duration_min)?;
    let (_, start_min) = parse_time(&s.start_time, "start_time")?;
    if start_min + s.duration_min > 24 * 60 {
        return Err(Error::invalid("duration_invalid", "duration_min", "A session must end before midnight."));
    }
    super::check_room(conn, s.room_id, "room_id")?;
    s.facilitators.sort_unstable();
    s.facilitators.dedup();
    for id in &s.facilitators {
        let ok: Option<i64> = conn.query_row("SELECT id FROM staff WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if ok.is_none() {
            return Err(Error::invalid(
                "facilitator_unknown",
                "facilitators",
                "A chosen facilitator is not on the staff list.",
            ));
        }
    }
    let r = &mut s.rule;
    if r.freq == Freq::Once {
        *r = Rule::once(r.start);
    }
    if r.interval == 0 || r.interval > 52 {
        return Err(Error::invalid("interval_invalid", "interval", "Repeat every 1 to 52 days, weeks or months."));
    }
    r.weekdays.sort_unstable();
    r.weekdays.dedup();
    if r.freq != Freq::Monthly {
        r.month_week = None;
    }
    if let Some(n) = r.month_week {
        if !matches!(n, -1 | 1..=4) {
            return Err(Error::invalid(
                "month_week_invalid",
                "month_week",
                "Choose the 1st, 2nd, 3rd, 4th or last weekday.",
            ));
        }
        if r.weekdays.len() != 1 {
            return Err(Error::invalid("month_week_day", "weekdays", "Choose one weekday for a monthly schedule."));
        }
    }
    if r.freq == Freq::Weekly && r.weekdays.is_empty() {
        r.weekdays.push(super::recurrence::Day::of(r.start));
    }
    if r.until.is_some() && r.count.is_some() {
        return Err(Error::invalid(
            "end_twice",
            "until",
            "End either on a date or after a number of sessions, not both.",
        ));
    }
    if r.until.is_some_and(|u| u < r.start) {
        return Err(Error::invalid("until_before_start", "until", "The end date is before the start date."));
    }
    if r.count.is_some_and(|c| c == 0 || c > 1000) {
        return Err(Error::invalid("count_invalid", "count", "The number of sessions must be between 1 and 1000."));
    }
    if r.expand(r.start, r.until.unwrap_or(r.start + Days::new(400))).is_empty() {
        return Err(Error::invalid(
            "rule_empty",
            "weekdays",
            "This schedule gives no session. Check the days and dates.",
        ));
    }
    Ok(s)
}

fn row_series(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Series, String)> {
    let weekdays: String = r.get(5)?;
    let fac: String = r.get(13)?;
    let freq: String = r.get(3)?;
    let rule = Rule {
        freq: Freq::parse(&freq).unwrap_or(Freq::Once),
        interval: r.get(4)?,
        weekdays: serde_json::from_str(&weekdays).unwrap_or_default(),
        month_week: r.get(6)?,
        start: r.get(7)?,
        until: r.get(8)?,
        count: r.get(9)?,
    };
    Ok((
        Series {
            id: r.get(0)?,
            group_id: r.get(1)?,
            lineage_id: r.get(2)?,
            rrule: rule.to_rrule(),
            total_count: None,
            input: SeriesInput {
                rule,
                start_time: r.get(10)?,
                duration_min: r.get(11)?,
                room_id: r.get(12)?,
                facilitators: parse_ids(&fac),
            },
            valid_from: r.get(14)?,
            valid_to: r.get(15)?,
            room_name: None,
            facilitator_names: vec![],
        },
        fac,
    ))
}

const SERIES_COLS: &str = "id, group_id, lineage_id, freq, interval, weekdays, month_week, start_date, until, count,
    start_time, duration_min, room_id, facilitators, valid_from, valid_to";

pub fn load(conn: &Connection, id: i64) -> Result<Series> {
    let s = conn
        .query_row(&format!("SELECT {SERIES_COLS} FROM group_series WHERE id = ?1"), [id], row_series)
        .optional()?
        .ok_or(Error::NotFound { what: "The schedule" })?
        .0;
    named(conn, s)
}

/// How many occurrences the series of a lineage gave (by their rules, within their
/// validity) before `date`.
fn lineage_before(conn: &Connection, lineage_id: i64, date: NaiveDate) -> Result<u32> {
    let Some(last) = date.pred_opt() else { return Ok(0) };
    let all: Vec<Series> = conn
        .prepare(&format!("SELECT {SERIES_COLS} FROM group_series WHERE lineage_id = ?1 AND valid_from <= ?2"))?
        .query_map(params![lineage_id, last], row_series)?
        .map(|r| r.map(|x| x.0))
        .collect::<rusqlite::Result<_>>()?;
    Ok(all
        .iter()
        .map(|s| {
            let to = s.valid_to.map_or(last, |t| t.min(last));
            s.input.rule.expand(s.valid_from.max(s.input.rule.start), to).len() as u32
        })
        .sum())
}

fn named(conn: &Connection, mut s: Series) -> Result<Series> {
    if let Some(count) = s.input.rule.count {
        let own = count.saturating_sub(s.input.rule.count_before(s.valid_from));
        s.total_count = Some(lineage_before(conn, s.lineage_id, s.valid_from)? + own);
    }
    s.room_name = room_name(conn, s.input.room_id)?;
    s.facilitator_names = staff_names(conn, &s.input.facilitators)?;
    Ok(s)
}

/// Every series of a group, oldest first.
pub fn for_group(conn: &Connection, group_id: i64) -> Result<Vec<Series>> {
    let rows: Vec<Series> = conn
        .prepare(&format!("SELECT {SERIES_COLS} FROM group_series WHERE group_id = ?1 ORDER BY valid_from, id"))?
        .query_map([group_id], row_series)?
        .map(|r| r.map(|x| x.0))
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|s| named(conn, s)).collect()
}

/// The series of a group still in force on `today` or later.
pub fn current_for_group(conn: &Connection, group_id: i64, today: NaiveDate) -> Result<Vec<Series>> {
    Ok(for_group(conn, group_id)?
        .into_iter()
        .filter(|s| s.valid_to.is_none_or(|t| t >= today) && s.valid_to.is_none_or(|t| t >= s.valid_from))
        .collect())
}

fn insert(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    group_id: i64,
    lineage: Option<i64>,
    s: &SeriesInput,
    from: NaiveDate,
) -> Result<i64> {
    let r = &s.rule;
    tx.execute(
        "INSERT INTO group_series (group_id, lineage_id, freq, interval, weekdays, month_week, start_date, until, count,
            start_time, duration_min, room_id, facilitators, valid_from, created_at, created_by)
         VALUES (?1, coalesce(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            group_id,
            lineage,
            r.freq.as_str(),
            r.interval,
            serde_json::to_string(&r.weekdays).unwrap_or_else(|_| "[]".into()),
            r.month_week,
            r.start,
            r.until,
            r.count,
            s.start_time,
            s.duration_min,
            s.room_id,
            json_ids(&s.facilitators),
            from,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    if lineage.is_none() {
        // A lineage is named after its first series (the trigger allows replacing the
        // placeholder 0 once).
        tx.execute("UPDATE group_series SET lineage_id = ?1 WHERE id = ?1 AND lineage_id = 0", [id])?;
    }
    Ok(id)
}

/// A series window for the clash check: from the later of its start and today, for 26
/// weeks (never-ending series are checked that far ahead).
fn check_window(ctx: &Ctx, s: &SeriesInput, from: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = from.max(s.rule.start).max(ctx.today);
    let mut end = start + Days::new(182);
    if let Some(u) = s.rule.until {
        end = end.min(u);
    }
    (start, end.max(start))
}

fn group_active(conn: &Connection, group_id: i64) -> Result<()> {
    let status: Option<String> =
        conn.query_row("SELECT status FROM therapy_groups WHERE id = ?1", [group_id], |r| r.get(0)).optional()?;
    match status.as_deref() {
        None => Err(Error::NotFound { what: "The group" }),
        Some("active") => Ok(()),
        Some(_) => Err(Error::invalid(
            "group_not_active",
            "status",
            "This group is finished or cancelled. Set it to active before planning sessions.",
        )),
    }
}

/// Gives a group a new schedule (a new lineage).
pub fn add(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    group_id: i64,
    input: &SeriesInput,
    opts: &SaveOptions,
) -> Result<SaveOutcome> {
    ctx.require(Action::ManageGroups)?;
    group_active(tx, group_id)?;
    let s = clean_input(tx, input)?;
    if s.rule.start < ctx.today {
        return Err(Error::invalid(
            "start_in_past",
            "start",
            "A new schedule starts today or later; the past stays as it happened.",
        ));
    }
    let window = check_window(ctx, &s, s.rule.start);
    conflicts::guarded(tx, ctx, group_id, opts, window, |tx| {
        let id = insert(tx, ctx, group_id, None, &s, s.rule.start)?;
        audit::record(tx, ctx, "group_series_added", entity::GROUP, Some(group_id), &format!("series {id}"))?;
        Ok((Target::Series(id), Some(id)))
    })
}

/// Ends a series: no sessions from `from` on (stored sessions stay).
fn end_series(tx: &Transaction<'_>, s: &Series, from: NaiveDate) -> Result<()> {
    let last = from.pred_opt().unwrap_or(from);
    let new_to = match s.valid_to {
        Some(t) => t.min(last),
        None => last,
    }
    .max(s.valid_from.pred_opt().unwrap_or(s.valid_from));
    tx.execute("UPDATE group_series SET valid_to = ?2 WHERE id = ?1", params![s.id, new_to])?;
    Ok(())
}

fn check_from(ctx: &Ctx, from: NaiveDate) -> Result<()> {
    if from < ctx.today {
        return Err(Error::invalid(
            "edit_in_past",
            "from",
            "The past stays as it happened: choose today or a later date to change the schedule from.",
        ));
    }
    Ok(())
}

/// "Change this and following" from `from` (or "change all": pass today). The old
/// series ends the day before; the new one is valid from `from`. A COUNT is carried
/// over: the new series stops once the lineage has given that many sessions in all.
pub fn edit(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    from: NaiveDate,
    input: &SeriesInput,
    opts: &SaveOptions,
) -> Result<SaveOutcome> {
    ctx.require(Action::ManageGroups)?;
    check_from(ctx, from)?;
    let old = load(tx, series_id)?;
    group_active(tx, old.group_id)?;
    if old.valid_to.is_some_and(|t| t < from) {
        return Err(Error::invalid("series_ended", "from", "This schedule had already ended by that date."));
    }
    let mut s = clean_input(tx, input)?;
    let valid_from = from.max(old.valid_from);
    if let Some(total) = s.rule.count {
        // `count` is the total of the whole schedule: the sessions the lineage already
        // gave before the edit date count towards it, and the new series gives the rest.
        let remaining = total.saturating_sub(lineage_before(tx, old.lineage_id, valid_from)?);
        s.rule.count = Some(s.rule.count_before(valid_from) + remaining);
        if remaining == 0 {
            s.rule.until = Some(valid_from.pred_opt().unwrap_or(valid_from));
            s.rule.count = None;
        }
    }
    let window = check_window(ctx, &s, valid_from);
    conflicts::guarded(tx, ctx, old.group_id, opts, window, |tx| {
        end_series(tx, &old, valid_from)?;
        let id = insert(tx, ctx, old.group_id, Some(old.lineage_id), &s, valid_from)?;
        // If the old series had already been succeeded later on, the new one ends
        // where the old one ended, so two series of a lineage never overlap.
        if let Some(to) = old.valid_to {
            tx.execute("UPDATE group_series SET valid_to = ?2 WHERE id = ?1", params![id, to])?;
        }
        audit::record(
            tx,
            ctx,
            "group_series_changed",
            entity::GROUP,
            Some(old.group_id),
            &format!("series {} -> {id} from {valid_from}", old.id),
        )?;
        Ok((Target::Series(id), Some(id)))
    })
}

/// Stops a schedule from `from` on (today or later). Stored sessions stay.
pub fn stop(tx: &Transaction<'_>, ctx: &Ctx, series_id: i64, from: NaiveDate) -> Result<()> {
    ctx.require(Action::ManageGroups)?;
    check_from(ctx, from)?;
    let old = load(tx, series_id)?;
    end_series(tx, &old, from.max(old.valid_from))?;
    audit::record(
        tx,
        ctx,
        "group_series_stopped",
        entity::GROUP,
        Some(old.group_id),
        &format!("series {series_id} from {from}"),
    )?;
    Ok(())
}

/// Does the series give an occurrence on `original_date` (within its validity)?
fn generates(s: &Series, original_date: NaiveDate) -> bool {
    let from = s.valid_from.max(original_date);
    let in_validity = original_date >= s.valid_from && s.valid_to.is_none_or(|t| original_date <= t);
    in_validity && s.input.rule.expand(from, original_date).contains(&original_date)
}

/// The stored session of an occurrence, creating it (with the series' values) if
/// needed. Refuses dates the series does not give.
pub fn materialise(tx: &Transaction<'_>, ctx: &Ctx, series_id: i64, original_date: NaiveDate) -> Result<i64> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            params![series_id, original_date],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let s = load(tx, series_id)?;
    if !generates(&s, original_date) {
        return Err(Error::NotFound { what: "That session" });
    }
    tx.execute(
        "INSERT INTO group_sessions (series_id, original_date, date, start_time, duration_min, room_id, facilitators,
            updated_at, updated_by)
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            series_id,
            original_date,
            s.input.start_time,
            s.input.duration_min,
            s.input.room_id,
            json_ids(&s.input.facilitators),
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn marks_of(conn: &Connection, session_id: i64) -> Result<u32> {
    Ok(conn.query_row("SELECT count(*) FROM group_attendance WHERE session_id = ?1", [session_id], |r| r.get(0))?)
}

/// Moves one occurrence (date, time, room, facilitators). No other occurrence changes.
pub fn move_occurrence(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    change: &OccurrenceChange,
    opts: &SaveOptions,
) -> Result<SaveOutcome> {
    ctx.require(Action::ManageGroups)?;
    let s = load(tx, series_id)?;
    let (start_time, start_min) = parse_time(&change.start_time, "start_time")?;
    check_duration(change.duration_min)?;
    if start_min + change.duration_min > 24 * 60 {
        return Err(Error::invalid("duration_invalid", "duration_min", "A session must end before midnight."));
    }
    super::check_room(tx, change.room_id, "room_id")?;
    let mut fac = change.facilitators.clone();
    fac.sort_unstable();
    fac.dedup();
    let window = (change.date, change.date);
    conflicts::guarded(tx, ctx, s.group_id, opts, window, |tx| {
        let id = materialise(tx, ctx, series_id, original_date)?;
        let (date, marks): (NaiveDate, u32) =
            (tx.query_row("SELECT date FROM group_sessions WHERE id = ?1", [id], |r| r.get(0))?, marks_of(tx, id)?);
        if marks > 0 && date != change.date {
            return Err(Error::invalid(
                "session_has_attendance",
                "date",
                "Attendance is already recorded for this session, so it cannot move to another day.",
            ));
        }
        tx.execute(
            "UPDATE group_sessions SET date = ?2, start_time = ?3, duration_min = ?4, room_id = ?5, facilitators = ?6,
                updated_at = ?7, updated_by = ?8 WHERE id = ?1",
            params![
                id,
                change.date,
                start_time,
                change.duration_min,
                change.room_id,
                json_ids(&fac),
                ctx.stamp(),
                ctx.actor.staff_id
            ],
        )?;
        audit::record(tx, ctx, "group_session_moved", entity::SESSION, Some(id), "")?;
        Ok((Target::Session(id), None))
    })
}

/// Cancels one occurrence with a reason. Attendance already recorded is kept.
pub fn cancel_occurrence(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    series_id: i64,
    original_date: NaiveDate,
    reason: &str,
) -> Result<i64> {
    ctx.require(Action::ManageGroups)?;
    let reason = text::clean(reason);
    if reason.is_empty() {
        return Err(Error::invalid("reason_needed", "reason", "Please say why the session is cancelled."));
    }
    if text::char_len(&reason) > 200 {
        return Err(Error::invalid("text_too_long", "reason", "That entry is too long (200 letters at most)."));
    }
    let id = materialise(tx, ctx, series_id, original_date)?;
    tx.execute(
        "UPDATE group_sessions SET cancelled = 1, cancel_reason = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
        params![id, reason, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "group_session_cancelled", entity::SESSION, Some(id), "")?;
    Ok(id)
}

/// Undoes a cancellation.
pub fn restore_occurrence(tx: &Transaction<'_>, ctx: &Ctx, series_id: i64, original_date: NaiveDate) -> Result<()> {
    ctx.require(Action::ManageGroups)?;
    let id = materialise(tx, ctx, series_id, original_date)?;
    tx.execute(
        "UPDATE group_sessions SET cancelled = 0, cancel_reason = '', updated_at = ?2, updated_by = ?3 WHERE id = ?1",
        params![id, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "group_session_restored", entity::SESSION, Some(id), "")?;
    Ok(())
}

struct GroupInfo {
    name: String,
    kind: GroupKind,
    active: bool,
}

fn group_info(conn: &Connection, id: i64) -> Result<GroupInfo> {
    Ok(conn.query_row("SELECT name, kind, status = 'active' FROM therapy_groups WHERE id = ?1", [id], |r| {
        Ok(GroupInfo { name: r.get(0)?, kind: r.get(1)?, active: r.get(2)? })
    })?)
}

/// Every occurrence whose (effective) date is in `[from, to]`, in date and time order.
/// Bounded by the window; deterministic. Groups that are not active give only their
/// stored sessions.
pub fn occurrences(conn: &Connection, from: NaiveDate, to: NaiveDate, group: Option<i64>) -> Result<Vec<Occurrence>> {
    if (to - from).num_days() > MAX_WINDOW_DAYS {
        return Err(Error::invalid("window_too_long", "to", "Please choose a period of at most three years."));
    }
    let mut out = Vec::new();
    let mut infos = std::collections::HashMap::new();
    let series: Vec<Series> = conn
        .prepare(&format!(
            "SELECT {SERIES_COLS} FROM group_series WHERE (?1 IS NULL OR group_id = ?1)
               AND valid_from <= ?3 AND (valid_to IS NULL OR valid_to >= ?2) AND (valid_to IS NULL OR valid_to >= valid_from)
             ORDER BY id"
        ))?
        .query_map(params![group, from, to], row_series)?
        .map(|r| r.map(|x| x.0))
        .collect::<rusqlite::Result<_>>()?;
    for s in series {
        if let std::collections::hash_map::Entry::Vacant(e) = infos.entry(s.group_id) {
            e.insert(group_info(conn, s.group_id)?);
        }
        let info = &infos[&s.group_id];
        if !info.active {
            continue;
        }
        let gen_from = from.max(s.valid_from);
        let gen_to = s.valid_to.map_or(to, |t| t.min(to));
        let dates = s.input.rule.expand(gen_from, gen_to);
        if dates.is_empty() {
            continue;
        }
        // Dates that have a stored session in this lineage (this or an earlier series).
        let taken: HashSet<NaiveDate> = conn
            .prepare(
                "SELECT s.original_date FROM group_sessions s JOIN group_series x ON x.id = s.series_id
                 WHERE x.lineage_id = ?1 AND s.original_date BETWEEN ?2 AND ?3",
            )?
            .query_map(params![s.lineage_id, gen_from, gen_to], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (_, start_min) = parse_time(&s.input.start_time, "start_time")?;
        let room = room_name(conn, s.input.room_id)?;
        let names = staff_names(conn, &s.input.facilitators)?;
        for d in dates {
            if taken.contains(&d) {
                continue;
            }
            out.push(Occurrence {
                series_id: s.id,
                original_date: d,
                session_id: None,
                group_id: s.group_id,
                group_name: info.name.clone(),
                group_kind: info.kind,
                date: d,
                start_time: s.input.start_time.clone(),
                end_time: end_time(start_min, s.input.duration_min),
                duration_min: s.input.duration_min,
                room_id: s.input.room_id,
                room_name: room.clone(),
                facilitators: s.input.facilitators.clone(),
                facilitator_names: names.clone(),
                cancelled: false,
                cancel_reason: String::new(),
                moved: false,
                held: Held::NotRecorded,
                marks: 0,
                conflict: false,
            });
        }
    }
    // Stored sessions, wherever their series' rule would put them.
    let mut stmt = conn.prepare(
        "SELECT s.id, s.series_id, s.original_date, s.date, s.start_time, s.duration_min, s.room_id, s.facilitators,
                s.cancelled, s.cancel_reason, s.held, x.group_id, x.start_time, x.duration_min, x.room_id, x.facilitators,
                (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id)
         FROM group_sessions s JOIN group_series x ON x.id = s.series_id
         WHERE s.date BETWEEN ?1 AND ?2 AND (?3 IS NULL OR x.group_id = ?3)",
    )?;
    type RowT = (
        i64,
        i64,
        NaiveDate,
        NaiveDate,
        String,
        u32,
        Option<i64>,
        String,
        bool,
        String,
        Held,
        i64,
        String,
        u32,
        Option<i64>,
        String,
        u32,
    );
    let rows: Vec<RowT> = stmt
        .query_map(params![from, to, group], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
                r.get(14)?,
                r.get(15)?,
                r.get(16)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (
        id,
        series_id,
        original,
        date,
        start,
        dur,
        room_id,
        fac,
        cancelled,
        reason,
        held,
        group_id,
        s_start,
        s_dur,
        s_room,
        s_fac,
        marks,
    ) in rows
    {
        if let std::collections::hash_map::Entry::Vacant(e) = infos.entry(group_id) {
            e.insert(group_info(conn, group_id)?);
        }
        let info = &infos[&group_id];
        let (_, start_min) = parse_time(&start, "start_time")?;
        let facilitators = parse_ids(&fac);
        out.push(Occurrence {
            series_id,
            original_date: original,
            session_id: Some(id),
            group_id,
            group_name: info.name.clone(),
            group_kind: info.kind,
            date,
            end_time: end_time(start_min, dur),
            moved: date != original || start != s_start || dur != s_dur || room_id != s_room || fac != s_fac,
            start_time: start,
            duration_min: dur,
            room_id,
            room_name: room_name(conn, room_id)?,
            facilitator_names: staff_names(conn, &facilitators)?,
            facilitators,
            cancelled,
            cancel_reason: reason,
            held,
            marks,
            conflict: false,
        });
    }
    in_schedule_order(&mut out);
    Ok(out)
}

/// The schedule for staff: every session in `[from, to]`, clashes flagged.
pub fn schedule(
    conn: &Connection,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
) -> Result<Vec<Occurrence>> {
    ctx.require(Action::ViewGroups)?;
    let mut occ = occurrences(conn, from, to, group)?;
    conflicts::flag(&mut occ);
    Ok(occ)
}

/// One occurrence by its identity.
pub fn occurrence(conn: &Connection, series_id: i64, original_date: NaiveDate) -> Result<Occurrence> {
    let s = load(conn, series_id)?;
    let stored: Option<NaiveDate> = conn
        .query_row(
            "SELECT date FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            params![series_id, original_date],
            |r| r.get(0),
        )
        .optional()?;
    let date = stored.unwrap_or(original_date);
    occurrences(conn, date, date, Some(s.group_id))?
        .into_iter()
        .find(|o| o.series_id == series_id && o.original_date == original_date)
        .ok_or(Error::NotFound { what: "That session" })
}

/// Sorts sessions as the schedule lists them: by day, start time, group, schedule and
/// original day.
pub(crate) fn in_schedule_order(sessions: &mut [Occurrence]) {
    sessions.sort_by(|a, b| {
        (a.date, &a.start_time, &a.group_name, a.series_id, a.original_date).cmp(&(
            b.date,
            &b.start_time,
            &b.group_name,
            b.series_id,
            b.original_date,
        ))
    });
}
