//! Aftercare outcomes by discharge cohort (issue 17): for the stays that ended in a chosen
//! period, what the follow-up found at 30, 90, 180 and 365 days after discharge. Figures
//! are computed from the records each time, never stored.
//!
//! Each discharge in the period is one member of the cohort (a person discharged twice
//! in it counts twice). For each checkpoint day D the window is the days after the
//! previous checkpoint up to D (days 1–30, 31–90, 91–180, 181–365 after discharge):
//! - *due*: day D has come (discharge + D days is today or earlier); the other figures of
//!   the checkpoint count only members who are due;
//! - *reached*: a contact in the window reached the person (or, with consent, their
//!   family); *status* is the recovery status of the last such contact in the window that
//!   recorded one (sober, lapse, relapse), else *unknown*;
//! - *re-admitted*: admitted again on or before day D;
//! - *lost to follow-up*: not re-admitted by day D, and not reached in the window nor on
//!   any day since (the centre lost touch from then on);
//! - *in an aftercare group*: a member of an aftercare group on day D.
//!
//! Besides: *relapses within 90 days*, members for whom a contact in days 1–90 recorded a
//! relapse. The cohort can be split by whether any follow-up call in the year after
//! discharge gave counselling ("counselling") or none did ("monitoring only"; calls
//! recorded before this was asked count as monitoring).
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::attempts::{ContactResult, RecoveryStatus};
use super::plans::str_enum;
use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// The checkpoints, in days after discharge.
pub const CHECKPOINTS: [u32; 4] = [30, 90, 180, 365];

str_enum!(OutcomeCohort { All = "all", Counselling = "counselling", Monitoring = "monitoring" });

/// The figures of one checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Checkpoint {
    pub day: u32,
    pub due: u32,
    pub reached: u32,
    pub sober: u32,
    pub lapse: u32,
    pub relapse: u32,
    pub unknown: u32,
    pub not_reached: u32,
    pub readmitted: u32,
    pub lost: u32,
    pub in_group: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CohortOutcome {
    pub cohort: OutcomeCohort,
    pub discharged: u32,
    pub relapse_90: u32,
    pub checkpoints: Vec<Checkpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Outcomes {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the figures were computed (checkpoints after it are not due yet).
    pub on: NaiveDate,
    /// Everyone, then counselling, then monitoring only.
    pub cohorts: Vec<CohortOutcome>,
}

/// The figures of one figure name, for the CSV and the printed table.
pub const FIGURES: &[&str] =
    &["due", "reached", "sober", "lapse", "relapse", "unknown", "not_reached", "readmitted", "lost", "in_group"];

impl Checkpoint {
    pub fn figure(&self, name: &str) -> u32 {
        match name {
            "due" => self.due,
            "reached" => self.reached,
            "sober" => self.sober,
            "lapse" => self.lapse,
            "relapse" => self.relapse,
            "unknown" => self.unknown,
            "not_reached" => self.not_reached,
            "readmitted" => self.readmitted,
            "lost" => self.lost,
            "in_group" => self.in_group,
            _ => 0,
        }
    }
}

/// One successful contact: its date and the status it recorded.
struct Contact {
    on: NaiveDate,
    status: Option<RecoveryStatus>,
}

/// What one discharge contributes.
struct Member {
    counselling: bool,
    relapse_90: bool,
    /// Per checkpoint: None when not due.
    points: Vec<Option<Point>>,
}

#[derive(Clone, Copy)]
struct Point {
    status: Option<Option<RecoveryStatus>>,
    readmitted: bool,
    lost: bool,
    in_group: bool,
}

fn plus(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

fn member(conn: &Connection, today: NaiveDate, patient: i64, stay: i64, discharged: NaiveDate) -> Result<Member> {
    let mut contacts: Vec<Contact> = Vec::new();
    let mut counselling = false;
    let year_end = plus(discharged, 365);
    let mut stmt = conn.prepare_cached(
        "SELECT on_date, result, status, counselling FROM aftercare_attempts
         WHERE patient_id = ?1 AND on_date > ?2 AND on_date <= ?3 ORDER BY on_date, id",
    )?;
    let mut rows = stmt.query(params![patient, discharged, today])?;
    while let Some(r) = rows.next()? {
        let on: NaiveDate = r.get(0)?;
        let result: ContactResult = r.get(1)?;
        let counselled: Option<bool> = r.get(3)?;
        if on <= year_end && counselled == Some(true) {
            counselling = true;
        }
        if result.is_success() {
            contacts.push(Contact { on, status: r.get(2)? });
        }
    }
    drop(rows);
    let next_admission: Option<NaiveDate> = conn
        .prepare_cached("SELECT min(admitted_on) FROM stays WHERE patient_id = ?1 AND id <> ?2 AND admitted_on >= ?3")?
        .query_row(params![patient, stay, discharged], |r| r.get(0))?;
    let mut in_group = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM group_memberships m JOIN therapy_groups g ON g.id = m.group_id
         WHERE m.patient_id = ?1 AND g.kind = 'aftercare' AND m.joined_on <= ?2
           AND (m.left_on IS NULL OR m.left_on >= ?2))",
    )?;
    let day_90 = plus(discharged, 90);
    let relapse_90 = contacts.iter().any(|c| c.on <= day_90 && c.status == Some(RecoveryStatus::Relapse));
    let mut points = Vec::with_capacity(CHECKPOINTS.len());
    let mut previous = 0;
    for day in CHECKPOINTS {
        let end = plus(discharged, day);
        let start = plus(discharged, previous + 1);
        previous = day;
        if end > today {
            points.push(None);
            continue;
        }
        let in_window: Vec<&Contact> = contacts.iter().filter(|c| c.on >= start && c.on <= end).collect();
        let status = if in_window.is_empty() { None } else { Some(in_window.iter().rev().find_map(|c| c.status)) };
        let readmitted = next_admission.is_some_and(|a| a <= end);
        let touched_since = contacts.iter().any(|c| c.on >= start);
        let member_then: bool = in_group.query_row(params![patient, end], |r| r.get(0))?;
        points.push(Some(Point { status, readmitted, lost: !readmitted && !touched_since, in_group: member_then }));
    }
    Ok(Member { counselling, relapse_90, points })
}

fn tally(cohort: OutcomeCohort, members: &[&Member]) -> CohortOutcome {
    let mut checkpoints: Vec<Checkpoint> =
        CHECKPOINTS.iter().map(|&day| Checkpoint { day, ..Checkpoint::default() }).collect();
    for m in members {
        for (c, p) in checkpoints.iter_mut().zip(&m.points) {
            let Some(p) = p else { continue };
            c.due += 1;
            match p.status {
                None => c.not_reached += 1,
                Some(status) => {
                    c.reached += 1;
                    match status {
                        Some(RecoveryStatus::Sober) => c.sober += 1,
                        Some(RecoveryStatus::Lapse) => c.lapse += 1,
                        Some(RecoveryStatus::Relapse) => c.relapse += 1,
                        Some(RecoveryStatus::Unknown) | None => c.unknown += 1,
                    }
                }
            }
            c.readmitted += u32::from(p.readmitted);
            c.lost += u32::from(p.lost);
            c.in_group += u32::from(p.in_group);
        }
    }
    CohortOutcome {
        cohort,
        discharged: members.len() as u32,
        relapse_90: members.iter().filter(|m| m.relapse_90).count() as u32,
        checkpoints,
    }
}

/// The outcomes of the stays that ended between `from` and `to` (both included), as of
/// `ctx.today`.
pub fn outcomes(conn: &Connection, ctx: &Ctx, from: NaiveDate, to: NaiveDate) -> Result<Outcomes> {
    ctx.require(Action::ManageAftercare)?;
    if to < from {
        return Err(Error::invalid("range_reversed", "to", "The end of the period is before its start."));
    }
    if (to - from).num_days() > 3700 {
        return Err(Error::invalid("window_too_long", "to", "Please choose a period of at most ten years."));
    }
    let stays: Vec<(i64, i64, NaiveDate)> = conn
        .prepare_cached(
            "SELECT id, patient_id, discharged_on FROM stays WHERE discharged_on BETWEEN ?1 AND ?2
             ORDER BY discharged_on, id",
        )?
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let members: Vec<Member> = stays
        .iter()
        .map(|&(stay, patient, discharged)| member(conn, ctx.today, patient, stay, discharged))
        .collect::<Result<_>>()?;
    let all: Vec<&Member> = members.iter().collect();
    let counselling: Vec<&Member> = members.iter().filter(|m| m.counselling).collect();
    let monitoring: Vec<&Member> = members.iter().filter(|m| !m.counselling).collect();
    Ok(Outcomes {
        from,
        to,
        on: ctx.today,
        cohorts: vec![
            tally(OutcomeCohort::All, &all),
            tally(OutcomeCohort::Counselling, &counselling),
            tally(OutcomeCohort::Monitoring, &monitoring),
        ],
    })
}

/// The figures as CSV, one figure per row: `cohort,day,figure,value` (`day` empty for the
/// figures of the whole cohort). No names.
pub fn to_csv(o: &Outcomes) -> String {
    let mut out = String::from("cohort,day,figure,value\n");
    for c in &o.cohorts {
        let name = c.cohort.as_str();
        out.push_str(&format!("{name},,discharged,{}\n", c.discharged));
        out.push_str(&format!("{name},,relapse_90,{}\n", c.relapse_90));
        for p in &c.checkpoints {
            for f in FIGURES {
                out.push_str(&format!("{name},{},{f},{}\n", p.day, p.figure(f)));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "outcomes_tests.rs"]
mod tests;
