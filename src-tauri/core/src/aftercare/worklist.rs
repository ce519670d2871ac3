//! The front desk's day: open follow-ups of active plans, overdue first, then due, by
//! risk (highest first) and date.
use chrono::{Datelike, Days, NaiveDate};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::attempts::{RecoveryStatus, RiskLevel};
use super::groups_seam;
use crate::access::{Action, allowed};
use crate::consents::{self, ConsentKind};
use crate::ctx::Ctx;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WorklistRange {
    Today,
    /// Up to Sunday of the current week.
    Week,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorklistRow {
    #[ts(type = "number")]
    pub followup_id: i64,
    #[ts(type = "number")]
    pub plan_id: i64,
    #[ts(type = "number")]
    pub patient_id: i64,
    /// Preferred name if set, else the full name.
    pub name: String,
    pub full_name: String,
    pub phone: String,
    /// Shown only when the person agreed that the centre talks to their family.
    pub family_phone: String,
    pub family_relation: String,
    pub consent_phone: bool,
    pub consent_family: bool,
    pub due_on: NaiveDate,
    pub next_try_on: NaiveDate,
    /// Days past the next try date (0 when due today or later).
    pub overdue_days: u32,
    pub kind: String,
    pub for_counsellor: bool,
    pub attempts: u32,
    pub failed_in_row: u32,
    /// Other follow-ups of the same plan also due (one contact covers them all).
    pub also_due: u32,
    pub last_contact_on: Option<NaiveDate>,
    pub last_attended_on: Option<NaiveDate>,
    pub risk: Option<RiskLevel>,
    pub status: Option<RecoveryStatus>,
}

/// Sunday of the week holding `day` (weeks run Monday–Sunday).
pub fn week_end(day: NaiveDate) -> NaiveDate {
    day + Days::new(u64::from(6 - day.weekday().num_days_from_monday()))
}

pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// Open follow-ups up to `until` (inclusive), sorted for the worklist. Counsellors'
/// follow-ups are left out for roles that cannot act on them. Failed attempts in a row and
/// the last aftercare session attended are left empty (the worklist fills them in; the
/// printed call list does not show them).
pub(crate) fn rows_until(conn: &Connection, ctx: &Ctx, until: NaiveDate) -> Result<Vec<WorklistRow>> {
    let counsellor = allowed(ctx.actor.role, Action::ManageAftercare);
    let sql = format!(
        "SELECT f.id, f.plan_id, f.patient_id, p.full_name, p.preferred_name, p.phone, p.family_phone,
                p.family_relation, {phone}, {family}, f.due_on, f.next_try_on, f.kind,
                f.for_counsellor,
                (SELECT count(*) FROM aftercare_attempts a WHERE a.followup_id = f.id),
                (SELECT max(a.on_date) FROM aftercare_attempts a WHERE a.patient_id = f.patient_id
                    AND a.result IN ('reached', 'spoke_to_family')),
                (SELECT a.risk FROM aftercare_attempts a WHERE a.patient_id = f.patient_id AND a.risk IS NOT NULL
                    ORDER BY a.id DESC LIMIT 1),
                (SELECT a.status FROM aftercare_attempts a WHERE a.patient_id = f.patient_id AND a.status IS NOT NULL
                    ORDER BY a.id DESC LIMIT 1)
         FROM aftercare_followups f
         JOIN aftercare_plans pl ON pl.id = f.plan_id AND pl.status = 'active'
         JOIN patients p ON p.id = f.patient_id AND p.archived_at IS NULL
         WHERE f.status = 'open' AND f.next_try_on <= ?1 AND (?2 OR f.for_counsellor = 0)",
        phone = consents::now_sql("p.id", ConsentKind::PhoneFollowup),
        family = consents::now_sql("p.id", ConsentKind::FamilyContact),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params![until, counsellor], |r| {
            let full_name: String = r.get(3)?;
            let preferred: String = r.get(4)?;
            let consent_family: bool = r.get(9)?;
            let next_try_on: NaiveDate = r.get(11)?;
            Ok(WorklistRow {
                followup_id: r.get(0)?,
                plan_id: r.get(1)?,
                patient_id: r.get(2)?,
                name: super::display_name(&full_name, &preferred),
                full_name,
                phone: r.get(5)?,
                family_phone: if consent_family { r.get(6)? } else { String::new() },
                family_relation: if consent_family { r.get(7)? } else { String::new() },
                consent_phone: r.get(8)?,
                consent_family,
                due_on: r.get(10)?,
                next_try_on,
                overdue_days: (ctx.today - next_try_on).num_days().max(0) as u32,
                kind: r.get(12)?,
                for_counsellor: r.get(13)?,
                attempts: r.get(14)?,
                failed_in_row: 0,
                also_due: 0,
                last_contact_on: r.get(15)?,
                last_attended_on: None,
                // The last risk and recovery status recorded are for counsellors only.
                risk: if counsellor { r.get(16)? } else { None },
                status: if counsellor { r.get(17)? } else { None },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // One row per plan (and one for a counsellor's call): the oldest follow-up stands for
    // the others, which a successful contact closes too.
    rows.sort_by(|a, b| a.next_try_on.cmp(&b.next_try_on).then(a.followup_id.cmp(&b.followup_id)));
    let mut kept: Vec<WorklistRow> = Vec::with_capacity(rows.len());
    for row in rows {
        let key = |r: &WorklistRow| (r.plan_id, r.kind == "counsellor_call");
        match kept.iter_mut().find(|k| key(k) == key(&row)) {
            Some(k) => k.also_due += 1,
            None => kept.push(row),
        }
    }
    let mut rows = kept;
    rows.sort_by(|a, b| {
        let overdue = |r: &WorklistRow| r.overdue_days > 0;
        let risk = |r: &WorklistRow| r.risk.map_or(0, RiskLevel::rank);
        overdue(b)
            .cmp(&overdue(a))
            .then(risk(b).cmp(&risk(a)))
            .then(a.next_try_on.cmp(&b.next_try_on))
            .then(a.name.cmp(&b.name))
            .then(a.followup_id.cmp(&b.followup_id))
    });
    Ok(rows)
}

/// Today's (or this week's) follow-ups.
pub fn worklist(conn: &Connection, ctx: &Ctx, range: WorklistRange) -> Result<Vec<WorklistRow>> {
    ctx.require(Action::RecordFollowUp)?;
    let until = match range {
        WorklistRange::Today => ctx.today,
        WorklistRange::Week => week_end(ctx.today),
    };
    let mut rows = rows_until(conn, ctx, until)?;
    for row in &mut rows {
        row.failed_in_row = super::attempts::failed_in_row(conn, row.followup_id)?;
        row.last_attended_on = groups_seam::last_aftercare_attendance(conn, row.patient_id)?;
    }
    Ok(rows)
}
