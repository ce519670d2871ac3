//! The at-risk list: people on an active plan, each with the reasons from the centre's
//! rules. A counsellor acknowledges an alert with the action taken; a new fact (a new
//! attempt, another overdue follow-up) raises a new alert.
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{CachedStatement, Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::attempts::{ContactResult, RecoveryStatus, RiskLevel};
use super::plans::str_enum;
use super::{RiskRules, groups_seam};
use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

str_enum!(RiskRule {
    LapseOrRelapse = "lapse_or_relapse",
    HighRisk = "high_risk",
    MissedSessions = "missed_sessions",
    FailedContacts = "failed_contacts",
    Overdue = "overdue",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AtRiskReason {
    pub rule: RiskRule,
    /// Names the fact behind the alert; pass it back to acknowledge.
    pub trigger_key: String,
    pub since: NaiveDate,
    /// A number for the message: days overdue, attempts or sessions in a row; 0 otherwise.
    pub count: u32,
    /// Lapse or relapse, for that rule.
    pub status: Option<RecoveryStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AtRiskEntry {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub phone: String,
    pub reasons: Vec<AtRiskReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Acknowledge {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub rule: RiskRule,
    pub trigger_key: String,
    /// What the counsellor did about it.
    pub action: String,
}

struct Row {
    id: i64,
    on: NaiveDate,
    result: ContactResult,
    status: Option<RecoveryStatus>,
    risk: Option<RiskLevel>,
}

/// The statements the rules read, held while they run for many people: a statement
/// given back to rusqlite's cache has its bindings cleared, and SQLite then compiled some
/// of these again at every use (tens of microseconds a person).
struct Reads<'c> {
    attempts: CachedStatement<'c>,
    missed: CachedStatement<'c>,
    overdue: CachedStatement<'c>,
}

impl<'c> Reads<'c> {
    fn new(conn: &'c Connection) -> Result<Reads<'c>> {
        Ok(Reads {
            attempts: conn.prepare_cached(
                "SELECT id, on_date, result, status, risk FROM aftercare_attempts WHERE patient_id = ?1
                 ORDER BY id DESC LIMIT 50",
            )?,
            missed: groups_seam::missed_statement(conn)?,
            overdue: conn.prepare_cached(
                "SELECT f.id, f.due_on FROM aftercare_followups f JOIN aftercare_plans p ON p.id = f.plan_id
                 WHERE f.patient_id = ?1 AND f.status = 'open' AND p.status = 'active'
                 ORDER BY f.due_on, f.id LIMIT 1",
            )?,
        })
    }
}

/// The reasons one person is at risk under `rules`, acknowledged ones included.
pub(crate) fn reasons_for(
    conn: &Connection,
    today: NaiveDate,
    rules: &RiskRules,
    patient: i64,
) -> Result<Vec<AtRiskReason>> {
    reasons_with(&mut Reads::new(conn)?, today, rules, patient, &Known::default())
}

/// What the at-risk list already knows about everyone, found with one query each.
#[derive(Default)]
struct Known {
    /// People on an active plan who were ever in an aftercare group: only they can have
    /// missed an aftercare session as a member (memberships are never deleted).
    aftercare_members: Option<HashSet<i64>>,
    /// Each person's oldest open follow-up of an active plan, where it is overdue.
    overdue: Option<HashMap<i64, (i64, NaiveDate)>>,
}

/// [`reasons_for`], using what `known` holds instead of asking again.
fn reasons_with(
    reads: &mut Reads<'_>,
    today: NaiveDate,
    rules: &RiskRules,
    patient: i64,
    known: &Known,
) -> Result<Vec<AtRiskReason>> {
    // The rules below look only at the newest attempts: up to the latest success that
    // recorded a status, the latest that recorded a risk, and the failures before the latest
    // success. Reading stops once all three are found (usually at the newest attempt).
    let mut attempts: Vec<Row> = Vec::new();
    let (mut status_seen, mut risk_seen, mut success_seen) = (false, false, false);
    let mut rows = reads.attempts.query([patient])?;
    while let Some(r) = rows.next()? {
        let a = Row { id: r.get(0)?, on: r.get(1)?, result: r.get(2)?, status: r.get(3)?, risk: r.get(4)? };
        status_seen |= a.result.is_success() && a.status.is_some();
        risk_seen |= a.risk.is_some();
        success_seen |= a.result.is_success();
        attempts.push(a);
        if status_seen && risk_seen && success_seen {
            break;
        }
    }
    drop(rows);
    let mut out = Vec::new();
    if rules.lapse_or_relapse
        && let Some(a) = attempts.iter().find(|a| a.result.is_success() && a.status.is_some())
        && matches!(a.status, Some(RecoveryStatus::Lapse | RecoveryStatus::Relapse))
    {
        out.push(AtRiskReason {
            rule: RiskRule::LapseOrRelapse,
            trigger_key: format!("a{}", a.id),
            since: a.on,
            count: 0,
            status: a.status,
        });
    }
    if rules.high_risk
        && let Some(a) = attempts.iter().find(|a| a.risk.is_some())
        && a.risk == Some(RiskLevel::High)
    {
        out.push(AtRiskReason {
            rule: RiskRule::HighRisk,
            trigger_key: format!("a{}", a.id),
            since: a.on,
            count: 0,
            status: None,
        });
    }
    if rules.missed_sessions > 0
        && known.aftercare_members.as_ref().is_none_or(|m| m.contains(&patient))
        && let Some((n, key)) = groups_seam::missed_in_row_with(&mut reads.missed, patient)?
        && n >= rules.missed_sessions
    {
        out.push(AtRiskReason {
            rule: RiskRule::MissedSessions,
            trigger_key: key,
            since: today,
            count: n,
            status: None,
        });
    }
    if rules.failed_contacts > 0 {
        let failed: Vec<&Row> = attempts.iter().take_while(|a| !a.result.is_success()).collect();
        if failed.len() as u32 >= rules.failed_contacts
            && let (Some(latest), Some(first)) = (failed.first(), failed.last())
        {
            out.push(AtRiskReason {
                rule: RiskRule::FailedContacts,
                trigger_key: format!("a{}", latest.id),
                since: first.on,
                count: failed.len() as u32,
                status: None,
            });
        }
    }
    if rules.overdue_days > 0 {
        let oldest: Option<(i64, NaiveDate)> = match &known.overdue {
            Some(all) => all.get(&patient).copied(),
            None => reads.overdue.query_row([patient], |r| Ok((r.get(0)?, r.get(1)?))).optional()?,
        };
        if let Some((id, due)) = oldest {
            let days = (today - due).num_days();
            if days > i64::from(rules.overdue_days) {
                out.push(AtRiskReason {
                    rule: RiskRule::Overdue,
                    trigger_key: format!("f{id}"),
                    since: due,
                    count: days as u32,
                    status: None,
                });
            }
        }
    }
    Ok(out)
}

/// Everyone on an active plan with at least one alert not yet acknowledged.
pub fn at_risk(conn: &Connection, ctx: &Ctx) -> Result<Vec<AtRiskEntry>> {
    ctx.require(Action::ManageAftercare)?;
    let rules = super::get_settings(conn)?.rules;
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.full_name, p.preferred_name, p.phone FROM aftercare_plans pl
         JOIN patients p ON p.id = pl.patient_id AND p.archived_at IS NULL
         WHERE pl.status = 'active' ORDER BY p.search_text, p.id",
    )?;
    let people = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<Vec<(i64, String, String, String)>>>()?;
    let aftercare_members: HashSet<i64> = conn
        .prepare_cached(
            "SELECT m.patient_id FROM therapy_groups g JOIN group_memberships m ON m.group_id = g.id
             JOIN aftercare_plans pl ON pl.patient_id = m.patient_id AND pl.status = 'active'
             WHERE g.kind = 'aftercare'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // A person's oldest open follow-up is overdue exactly when one of them is: the overdue
    // ones are few, found through their due dates.
    let mut overdue: HashMap<i64, (i64, NaiveDate)> = HashMap::new();
    let cutoff = ctx.today - chrono::Days::new(u64::from(rules.overdue_days));
    // CROSS JOIN: left to itself SQLite 3.54 starts from the active plans and reads every
    // follow-up of each (24,000 on the ten-year centre) to find the 2 overdue ones
    // (bench: at-risk list 7.9 → 5.2 ms; the statement ran 60,689 VM steps a list).
    let mut stmt = conn.prepare_cached(
        "SELECT f.patient_id, f.id, f.due_on FROM aftercare_followups f
         CROSS JOIN aftercare_plans p ON p.id = f.plan_id AND p.status = 'active'
         WHERE f.status = 'open' AND f.due_on < ?1 ORDER BY f.due_on DESC, f.id DESC",
    )?;
    let mut rows = stmt.query([cutoff])?;
    while let Some(r) = rows.next()? {
        overdue.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
    }
    drop(rows);
    let known = Known { aftercare_members: Some(aftercare_members), overdue: Some(overdue) };
    let mut acked = conn.prepare_cached(
        "SELECT 1 FROM aftercare_alert_acks WHERE patient_id = ?1 AND rule = ?2 AND trigger_key = ?3",
    )?;
    let mut reads = Reads::new(conn)?;
    let mut out = Vec::new();
    for (id, full, preferred, phone) in people {
        let mut reasons = reasons_with(&mut reads, ctx.today, &rules, id, &known)?;
        reasons.retain(|r| !acked.exists(params![id, r.rule, r.trigger_key]).unwrap_or(false));
        if !reasons.is_empty() {
            out.push(AtRiskEntry { patient_id: id, name: super::display_name(&full, &preferred), phone, reasons });
        }
    }
    // Most reasons first, then the most serious rule.
    out.sort_by(|a, b| {
        let worst = |e: &AtRiskEntry| e.reasons.iter().map(|r| severity(r.rule)).max().unwrap_or(0);
        worst(b).cmp(&worst(a)).then(b.reasons.len().cmp(&a.reasons.len())).then(a.name.cmp(&b.name))
    });
    Ok(out)
}

fn severity(rule: RiskRule) -> u8 {
    match rule {
        RiskRule::LapseOrRelapse => 5,
        RiskRule::HighRisk => 4,
        RiskRule::MissedSessions => 3,
        RiskRule::FailedContacts => 2,
        RiskRule::Overdue => 1,
    }
}

/// A counsellor notes the action taken on one alert.
pub fn acknowledge(tx: &Transaction<'_>, ctx: &Ctx, ack: &Acknowledge) -> Result<()> {
    ctx.require(Action::ManageAftercare)?;
    let action = crate::text::clean(&ack.action);
    if action.is_empty() {
        return Err(Error::invalid("ack_action_empty", "action", "Please write what was done about this alert."));
    }
    if crate::text::char_len(&action) > 300 {
        return Err(Error::invalid("ack_action_too_long", "action", "That is too long (300 letters at most)."));
    }
    let rules = super::get_settings(tx)?.rules;
    let current = reasons_for(tx, ctx.today, &rules, ack.patient_id)?;
    if !current.iter().any(|r| r.rule == ack.rule && r.trigger_key == ack.trigger_key) {
        return Err(Error::Invalid {
            code: "alert_gone",
            field: None,
            message: "This alert no longer applies. Refresh the list.".into(),
        });
    }
    tx.execute(
        "INSERT INTO aftercare_alert_acks (patient_id, rule, trigger_key, at, staff_id, action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![ack.patient_id, ack.rule, ack.trigger_key, ctx.stamp(), ctx.actor.staff_id, action],
    )?;
    audit::record(tx, ctx, "aftercare_alert_acknowledged", entity::PATIENT, Some(ack.patient_id), ack.rule.as_str())?;
    Ok(())
}

/// Whether the at-risk rules flag this person today (acknowledged or not): what peer
/// mentorship checks before letting someone mentor. No permission needed: it reveals
/// only yes or no to a caller that already holds the person's record.
pub fn is_flagged(conn: &Connection, today: chrono::NaiveDate, patient: i64) -> Result<bool> {
    Ok(flagged_among(conn, today, &[patient])?.contains(&patient))
}

/// Which of `people` [`is_flagged`], with the rules read once (peer mentorship asks this
/// of every mentor on a plan).
pub(crate) fn flagged_among(conn: &Connection, today: NaiveDate, people: &[i64]) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    if people.is_empty() {
        return Ok(out);
    }
    let rules = super::get_settings(conn)?.rules;
    let mut on_plan =
        conn.prepare_cached("SELECT 1 FROM aftercare_plans WHERE patient_id = ?1 AND status = 'active'")?;
    let mut reads = Reads::new(conn)?;
    for &patient in people {
        if on_plan.exists([patient])?
            && !reasons_with(&mut reads, today, &rules, patient, &Known::default())?.is_empty()
        {
            out.insert(patient);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// Run for everyone on a plan, the rules' statements are compiled once, not once a
    /// person (a statement handed back to rusqlite's cache was compiled again each time).
    #[test]
    fn the_rules_compile_their_statements_once_for_many_people() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut store = crate::Store::open_in_memory().unwrap();
        crate::demo::generate(&mut store, today, 1).unwrap();
        let conn = store.conn();
        let people: Vec<i64> = conn
            .prepare("SELECT patient_id FROM aftercare_plans WHERE status = 'active'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(people.len() > 5, "{} on a plan", people.len());
        let rules = super::super::get_settings(conn).unwrap().rules;
        let mut reads = Reads::new(conn).unwrap();
        // The statements come from the connection's cache, counts and all.
        let compiled =
            |r: &Reads<'_>| [&r.attempts, &r.missed, &r.overdue].map(|s| s.get_status(StatementStatus::RePrepare));
        let before = compiled(&reads);
        let mut found = Vec::new();
        for &p in &people {
            found.push(reasons_with(&mut reads, today, &rules, p, &Known::default()).unwrap());
        }
        // At most once more each (a statement handed back to the cache may come out of
        // it needing that), not once a person.
        for (after, before) in compiled(&reads).into_iter().zip(before) {
            assert!(after <= before + 1, "compiled {} times for {} people", after - before, people.len());
        }
        drop(reads);
        // The same reasons as one person at a time.
        let mut flagged = 0;
        for (&p, reasons) in people.iter().zip(&found) {
            assert_eq!(reasons, &reasons_for(conn, today, &rules, p).unwrap());
            flagged += usize::from(!reasons.is_empty());
        }
        assert!(flagged > 0);
        let set = flagged_among(conn, today, &people).unwrap();
        assert_eq!(set.len(), flagged);
    }
}
