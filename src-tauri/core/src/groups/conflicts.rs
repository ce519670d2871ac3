//! Clashes between sessions: the same room double-booked, a facilitator in two places,
//! a patient who is a member of two overlapping sessions.
//!
//! Every save of a series or of one session runs inside a savepoint: the change is
//! written, the clashes of the changed sessions are computed on the result, and then
//! - nothing clashes, or only patients overlap (a warning): kept;
//! - a room or facilitator clashes: rolled back, unless an administrator or counsellor
//!   gives a reason to save anyway (recorded in `group_conflict_overrides` + audit);
//! - `dry_run`: always rolled back (the form's "check" button).
//!
//! Each clash lists every date it affects, so "the hall is taken on 3 of the next 26
//! Mondays" is visible before saving.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::series::{Occurrence, occurrences, parse_time};
use super::{entity, membership, staff_names, str_enum};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::text;

str_enum!(ConflictKind { Room = "room", Facilitator = "facilitator", Patient = "patient" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// Rooms and facilitators block saving; patient overlaps only warn.
    pub blocking: bool,
    #[ts(type = "number")]
    pub other_group_id: i64,
    pub other_group_name: String,
    /// The room, staff member or patient.
    pub what: String,
    pub dates: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaveOptions {
    /// Only report the clashes; save nothing.
    pub dry_run: bool,
    /// Save despite room or facilitator clashes (administrators and counsellors).
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaveOutcome {
    pub saved: bool,
    pub conflicts: Vec<Conflict>,
    /// The new series, when one was created.
    #[ts(type = "number | null")]
    pub series_id: Option<i64>,
}

/// Which sessions a save changed.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Series(i64),
    Session(i64),
}

fn is_target(t: Target, o: &Occurrence) -> bool {
    match t {
        Target::Series(id) => o.series_id == id && o.session_id.is_none(),
        Target::Session(id) => o.session_id == Some(id),
    }
}

fn minutes(o: &Occurrence) -> (u32, u32) {
    let start = parse_time(&o.start_time, "start_time").map(|t| t.1).unwrap_or(0);
    (start, start + o.duration_min)
}

fn overlap(a: &Occurrence, b: &Occurrence) -> bool {
    if a.date != b.date || a.cancelled || b.cancelled {
        return false;
    }
    let (a0, a1) = minutes(a);
    let (b0, b1) = minutes(b);
    a0 < b1 && b0 < a1
}

/// The clashes of the target's sessions in `window`.
pub fn find(conn: &Connection, target: Target, window: (NaiveDate, NaiveDate)) -> Result<Vec<Conflict>> {
    let all = occurrences(conn, window.0, window.1, None)?;
    let windows = membership::patient_windows(conn, window.0, window.1)?;
    let members_on = |group: i64, d: NaiveDate| -> BTreeSet<i64> {
        windows
            .iter()
            .filter(|w| w.group_id == group && w.joined_on <= d && w.left_on.is_none_or(|l| l >= d))
            .map(|w| w.patient_id)
            .collect()
    };
    // (kind, other group, what id) -> dates
    let mut found: BTreeMap<(ConflictKind, i64, i64), BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut group_names: HashMap<i64, String> = HashMap::new();
    for a in all.iter().filter(|o| is_target(target, o)) {
        for b in all.iter().filter(|b| !is_target(target, b) && overlap(a, b)) {
            group_names.insert(b.group_id, b.group_name.clone());
            if let (Some(ra), Some(rb)) = (a.room_id, b.room_id)
                && ra == rb
            {
                found.entry((ConflictKind::Room, b.group_id, ra)).or_default().insert(a.date);
            }
            for f in a.facilitators.iter().filter(|f| b.facilitators.contains(f)) {
                found.entry((ConflictKind::Facilitator, b.group_id, *f)).or_default().insert(a.date);
            }
            for p in members_on(a.group_id, a.date).intersection(&members_on(b.group_id, b.date)) {
                found.entry((ConflictKind::Patient, b.group_id, *p)).or_default().insert(a.date);
            }
        }
    }
    let mut out = Vec::new();
    for ((kind, group, what), dates) in found {
        let what = match kind {
            ConflictKind::Room => super::room_name(conn, Some(what))?.unwrap_or_default(),
            ConflictKind::Facilitator => staff_names(conn, &[what])?.remove(0),
            ConflictKind::Patient => conn
                .query_row("SELECT full_name FROM patients WHERE id = ?1", [what], |r| r.get::<_, String>(0))
                .unwrap_or_default(),
        };
        out.push(Conflict {
            kind,
            blocking: kind != ConflictKind::Patient,
            other_group_id: group,
            other_group_name: group_names.get(&group).cloned().unwrap_or_default(),
            what,
            dates: dates.into_iter().collect(),
        });
    }
    Ok(out)
}

/// Runs `write` in a savepoint and keeps it only as described in the module docs.
pub(crate) fn guarded(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    group_id: i64,
    opts: &SaveOptions,
    window: (NaiveDate, NaiveDate),
    write: impl FnOnce(&Transaction<'_>) -> Result<(Target, Option<i64>)>,
) -> Result<SaveOutcome> {
    let reason = opts.override_reason.as_deref().map(text::clean).filter(|r| !r.is_empty());
    if reason.is_some() {
        ctx.require(Action::OverrideConflicts)?;
    }
    tx.execute_batch("SAVEPOINT group_edit")?;
    let result = (|| {
        let (target, series_id) = write(tx)?;
        let conflicts = find(tx, target, window)?;
        Ok::<_, Error>((conflicts, series_id))
    })();
    let (conflicts, series_id) = match result {
        Ok(v) => v,
        Err(e) => {
            tx.execute_batch("ROLLBACK TO group_edit; RELEASE group_edit")?;
            return Err(e);
        }
    };
    let blocking = conflicts.iter().any(|c| c.blocking);
    if opts.dry_run || (blocking && reason.is_none()) {
        tx.execute_batch("ROLLBACK TO group_edit; RELEASE group_edit")?;
        return Ok(SaveOutcome { saved: false, conflicts, series_id: None });
    }
    if blocking && let Some(reason) = reason {
        let summary = serde_json::to_string(&conflicts.iter().filter(|c| c.blocking).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO group_conflict_overrides (at, staff_id, group_id, reason, conflicts) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![ctx.stamp(), ctx.actor.staff_id, group_id, reason, summary],
        )?;
        let id = tx.last_insert_rowid();
        audit::record(tx, ctx, "group_conflict_overridden", entity::GROUP, Some(group_id), &format!("override {id}"))?;
    }
    tx.execute_batch("RELEASE group_edit")?;
    Ok(SaveOutcome { saved: true, conflicts, series_id })
}

/// Marks the sessions that clash (room or facilitator) with another one in the list.
pub fn flag(occ: &mut [Occurrence]) {
    let n = occ.len();
    let mut hit = vec![false; n];
    for i in 0..n {
        for j in i + 1..n {
            if occ[j].date != occ[i].date {
                break;
            }
            let (a, b) = (&occ[i], &occ[j]);
            let room = a.room_id.is_some() && a.room_id == b.room_id;
            let staff = a.facilitators.iter().any(|f| b.facilitators.contains(f));
            if (room || staff) && overlap(a, b) {
                hit[i] = true;
                hit[j] = true;
            }
        }
    }
    for (o, h) in occ.iter_mut().zip(hit) {
        o.conflict = h;
    }
}
