//! Plans: started at discharge from a template (the rules are copied in), stepped up or
//! down, paused, resumed, closed with a reason; re-admission closes the open plan.
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::templates::{self, ContactRule};
use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::patients::{self, Phase};

pub(crate) use crate::enums::str_enum;

str_enum!(PlanStatus { Active = "active", Paused = "paused", Closed = "closed" });
str_enum!(CloseReason {
    Completed = "completed",
    MovedAway = "moved_away",
    Died = "died",
    Declined = "declined",
    Readmitted = "readmitted",
    Other = "other",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanFollowUp {
    #[ts(type = "number")]
    pub id: i64,
    pub due_on: NaiveDate,
    pub next_try_on: NaiveDate,
    pub status: String,
    pub kind: String,
    pub for_counsellor: bool,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanEvent {
    pub on_date: NaiveDate,
    pub kind: String,
    pub detail: String,
    pub staff_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Plan {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub patient_id: i64,
    pub template_name: String,
    pub rules: Vec<ContactRule>,
    pub started_on: NaiveDate,
    pub level: i32,
    pub status: PlanStatus,
    pub paused_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<CloseReason>,
    pub followups: Vec<PlanFollowUp>,
    pub events: Vec<PlanEvent>,
}

fn event(tx: &Transaction<'_>, ctx: &Ctx, plan: i64, kind: &str, detail: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO aftercare_plan_events (plan_id, at, on_date, staff_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![plan, ctx.stamp(), ctx.today, ctx.actor.staff_id, kind, detail],
    )?;
    Ok(())
}

/// The plan that is not closed, if any.
pub fn open_plan_id(conn: &Connection, patient: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM aftercare_plans WHERE patient_id = ?1 AND status <> 'closed'")?
        .query_row([patient], |r| r.get(0))
        .optional()?)
}

/// Starts a plan for someone who has been discharged, from a template (its rules are
/// copied into the plan). The follow-ups are dated from the discharge date; those
/// already in the past when the plan starts late are skipped, except the most recent.
pub fn start(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, template_id: i64) -> Result<i64> {
    ctx.require(Action::RecordFollowUp)?;
    let p = patients::get(tx, ctx, patient)?;
    if p.archived {
        return Err(Error::Invalid {
            code: "patient_archived",
            field: None,
            message: "This patient is archived. Restore them from the archive first.".into(),
        });
    }
    let stay = p.stays.last().filter(|s| s.discharged_on.is_some() && p.phase != Phase::Inpatient);
    let Some(stay) = stay else {
        return Err(Error::Invalid {
            code: "plan_needs_discharge",
            field: None,
            message: "An aftercare plan starts at discharge. This person is not discharged.".into(),
        });
    };
    let discharged = stay.discharged_on.unwrap_or(ctx.today);
    if open_plan_id(tx, patient)?.is_some() {
        return Err(Error::Invalid {
            code: "plan_already_open",
            field: None,
            message: "This person already has an aftercare plan. Close it before starting a new one.".into(),
        });
    }
    let t = templates::get(tx, template_id)?;
    if t.retired {
        return Err(Error::invalid("template_retired", "template_id", "That plan template is no longer in use."));
    }
    tx.prepare_cached("INSERT INTO aftercare_plans (patient_id, stay_id, template_id, template_name, rules, started_on, status, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8)")?.execute(params![
            patient,
            stay.id,
            t.id,
            t.name,
            templates::rules_json(&t.rules)?,
            discharged,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    let plan = tx.last_insert_rowid();
    let all = templates::dates(&t.rules, discharged, 0);
    // Dates already behind us (a plan started late): keep only the latest one, so the
    // first call is still made, then carry on with the future ones.
    let past_last = all.iter().copied().filter(|d| *d < ctx.today).max();
    for d in all.into_iter().filter(|d| *d >= ctx.today || Some(*d) == past_last) {
        insert_followup(tx, plan, patient, d, "planned", false)?;
    }
    event(tx, ctx, plan, "started", &t.name)?;
    audit::record(tx, ctx, "aftercare_plan_started", entity::PATIENT, Some(patient), &plan.to_string())?;
    Ok(plan)
}

pub(crate) fn insert_followup(
    tx: &Transaction<'_>,
    plan: i64,
    patient: i64,
    due: NaiveDate,
    kind: &str,
    for_counsellor: bool,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO aftercare_followups (plan_id, patient_id, due_on, next_try_on, kind, for_counsellor)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
    )?
    .execute(params![plan, patient, due, kind, for_counsellor])?;
    Ok(tx.last_insert_rowid())
}

struct Head {
    patient: i64,
    status: PlanStatus,
    level: i32,
    rules: Vec<ContactRule>,
    started_on: NaiveDate,
}

fn head(conn: &Connection, plan: i64) -> Result<Head> {
    conn.prepare_cached("SELECT patient_id, status, level, rules, started_on FROM aftercare_plans WHERE id = ?1")?
        .query_row([plan], |r| {
            Ok(Head {
                patient: r.get(0)?,
                status: r.get(1)?,
                level: r.get(2)?,
                rules: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                started_on: r.get(4)?,
            })
        })
        .optional()?
        .ok_or(Error::NotFound { what: "That aftercare plan" })
}

fn not_closed(h: &Head) -> Result<()> {
    if h.status == PlanStatus::Closed {
        return Err(Error::Invalid {
            code: "plan_closed",
            field: None,
            message: "This aftercare plan is closed. Start a new plan instead.".into(),
        });
    }
    Ok(())
}

/// Steps a plan up (`up = true`: more frequent contacts) or down. Future follow-ups not
/// yet tried are replaced (kept as cancelled); ones with attempts stay as they are.
pub fn step(tx: &Transaction<'_>, ctx: &Ctx, plan: i64, up: bool) -> Result<i32> {
    ctx.require(Action::ManageAftercare)?;
    let h = head(tx, plan)?;
    not_closed(&h)?;
    let level = if up { h.level + 1 } else { h.level - 1 };
    if !(-1..=2).contains(&level) {
        return Err(Error::Invalid {
            code: if up { "plan_step_max" } else { "plan_step_min" },
            field: None,
            message: if up {
                "This plan is already at its most frequent.".into()
            } else {
                "This plan is already at its least frequent.".into()
            },
        });
    }
    tx.prepare_cached(
        "UPDATE aftercare_followups SET status = 'cancelled', closed_on = ?2
         WHERE plan_id = ?1 AND status = 'open' AND kind = 'planned' AND due_on > ?2
           AND NOT EXISTS (SELECT 1 FROM aftercare_attempts a WHERE a.followup_id = aftercare_followups.id)",
    )?
    .execute(params![plan, ctx.today])?;
    let mut kept: Vec<NaiveDate> = {
        let mut stmt = tx.prepare("SELECT due_on FROM aftercare_followups WHERE plan_id = ?1 AND status = 'open'")?;
        stmt.query_map([plan], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?
    };
    for d in templates::dates(&h.rules, h.started_on, level).into_iter().filter(|d| *d > ctx.today) {
        if !kept.contains(&d) {
            insert_followup(tx, plan, h.patient, d, "planned", false)?;
            kept.push(d);
        }
    }
    tx.prepare_cached("UPDATE aftercare_plans SET level = ?2 WHERE id = ?1")?.execute(params![plan, level])?;
    event(tx, ctx, plan, if up { "stepped_up" } else { "stepped_down" }, &level.to_string())?;
    audit::record(tx, ctx, "aftercare_plan_stepped", entity::PATIENT, Some(h.patient), &plan.to_string())?;
    Ok(level)
}

/// Pauses (no follow-ups on the worklist) or resumes a plan. On resuming, follow-ups
/// already past and never tried are skipped, and one is due today unless one is due
/// within a week.
pub fn set_paused(tx: &Transaction<'_>, ctx: &Ctx, plan: i64, paused: bool, reason: &str) -> Result<()> {
    ctx.require(Action::ManageAftercare)?;
    let h = head(tx, plan)?;
    not_closed(&h)?;
    let reason = crate::text::clean(reason);
    if paused {
        if h.status == PlanStatus::Paused {
            return Ok(());
        }
        tx.prepare_cached("UPDATE aftercare_plans SET status = 'paused', paused_on = ?2 WHERE id = ?1")?
            .execute(params![plan, ctx.today])?;
        event(tx, ctx, plan, "paused", &reason)?;
    } else {
        if h.status == PlanStatus::Active {
            return Ok(());
        }
        tx.prepare_cached(
            "UPDATE aftercare_followups SET status = 'skipped', closed_on = ?2
             WHERE plan_id = ?1 AND status = 'open' AND next_try_on < ?2
               AND NOT EXISTS (SELECT 1 FROM aftercare_attempts a WHERE a.followup_id = aftercare_followups.id)",
        )?
        .execute(params![plan, ctx.today])?;
        let soon: i64 = tx
            .prepare_cached(
                "SELECT count(*) FROM aftercare_followups WHERE plan_id = ?1 AND status = 'open' AND next_try_on <= ?2",
            )?
            .query_row(params![plan, ctx.today + chrono::Days::new(7)], |r| r.get(0))?;
        if soon == 0 {
            insert_followup(tx, plan, h.patient, ctx.today, "restart", false)?;
        }
        tx.prepare_cached("UPDATE aftercare_plans SET status = 'active', paused_on = NULL WHERE id = ?1")?
            .execute([plan])?;
        event(tx, ctx, plan, "resumed", &reason)?;
    }
    audit::record(
        tx,
        ctx,
        if paused { "aftercare_plan_paused" } else { "aftercare_plan_resumed" },
        entity::PATIENT,
        Some(h.patient),
        &plan.to_string(),
    )?;
    Ok(())
}

/// Closes a plan with a reason. Its open follow-ups are cancelled (kept).
pub fn close(tx: &Transaction<'_>, ctx: &Ctx, plan: i64, reason: CloseReason, note: &str) -> Result<()> {
    ctx.require(Action::ManageAftercare)?;
    if reason == CloseReason::Readmitted {
        return Err(Error::invalid(
            "close_reason_readmitted",
            "reason",
            "Plans close by themselves when the person is re-admitted. Choose another reason.",
        ));
    }
    close_raw(tx, ctx, plan, reason, note)
}

fn close_raw(tx: &Transaction<'_>, ctx: &Ctx, plan: i64, reason: CloseReason, note: &str) -> Result<()> {
    let h = head(tx, plan)?;
    not_closed(&h)?;
    tx.prepare_cached("UPDATE aftercare_plans SET status = 'closed', closed_on = ?2, close_reason = ?3, paused_on = NULL WHERE id = ?1")?.execute(params![plan, ctx.today, reason],
    )?;
    tx.prepare_cached(
        "UPDATE aftercare_followups SET status = 'cancelled', closed_on = ?2 WHERE plan_id = ?1 AND status = 'open'",
    )?
    .execute(params![plan, ctx.today])?;
    let note = crate::text::clean(note);
    let detail = if note.is_empty() { reason.as_str().to_owned() } else { format!("{}: {note}", reason.as_str()) };
    event(tx, ctx, plan, "closed", &detail)?;
    audit::record(tx, ctx, "aftercare_plan_closed", entity::PATIENT, Some(h.patient), reason.as_str())?;
    Ok(())
}

/// Called by the register when someone is re-admitted: the open plan closes.
pub fn on_readmitted(tx: &Transaction<'_>, ctx: &Ctx, patient: i64) -> Result<()> {
    if let Some(plan) = open_plan_id(tx, patient)? {
        close_raw(tx, ctx, plan, CloseReason::Readmitted, "")?;
    }
    Ok(())
}

/// A person's plans, newest first, with their follow-ups and history.
pub fn for_patient(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<Vec<Plan>> {
    ctx.require(Action::RecordFollowUp)?;
    let may_read_notes = crate::access::allowed(ctx.actor.role, Action::ManageAftercare);
    let mut stmt = conn.prepare_cached(
        "SELECT id, patient_id, template_name, rules, started_on, level, status, paused_on, closed_on, close_reason
         FROM aftercare_plans WHERE patient_id = ?1 ORDER BY started_on DESC, id DESC",
    )?;
    let mut plans = stmt
        .query_map([patient], |r| {
            Ok(Plan {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                template_name: r.get(2)?,
                rules: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                started_on: r.get(4)?,
                level: r.get(5)?,
                status: r.get(6)?,
                paused_on: r.get(7)?,
                closed_on: r.get(8)?,
                close_reason: r.get(9)?,
                followups: Vec::new(),
                events: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut fu = conn.prepare_cached(
        "SELECT f.id, f.due_on, f.next_try_on, f.status, f.kind, f.for_counsellor,
                (SELECT count(*) FROM aftercare_attempts a WHERE a.followup_id = f.id)
         FROM aftercare_followups f WHERE f.plan_id = ?1 ORDER BY f.due_on, f.id",
    )?;
    let mut ev = conn.prepare_cached(
        "SELECT e.on_date, e.kind, e.detail, s.full_name FROM aftercare_plan_events e
         LEFT JOIN staff s ON s.id = e.staff_id WHERE e.plan_id = ?1 ORDER BY e.id",
    )?;
    for p in &mut plans {
        p.followups = fu
            .query_map([p.id], |r| {
                Ok(PlanFollowUp {
                    id: r.get(0)?,
                    due_on: r.get(1)?,
                    next_try_on: r.get(2)?,
                    status: r.get(3)?,
                    kind: r.get(4)?,
                    for_counsellor: r.get(5)?,
                    attempts: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        p.events = ev
            .query_map([p.id], |r| {
                let kind: String = r.get(1)?;
                // Why a plan was paused, resumed or closed is a counsellor's note.
                let detail = if may_read_notes || !matches!(kind.as_str(), "paused" | "resumed" | "closed") {
                    r.get(2)?
                } else {
                    String::new()
                };
                Ok(PlanEvent { on_date: r.get(0)?, kind, detail, staff_name: r.get(3)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(plans)
}
