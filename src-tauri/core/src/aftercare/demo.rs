//! Demo aftercare: plans for the discharged people of the demo centre, of different ages,
//! with a realistic spread of attempts (lots of "no answer"), some lapses and relapses.
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Transaction;

use super::attempts::{self, AttemptInput, ContactMethod, ContactResult, NextStep, RecoveryStatus, RiskLevel};
use super::{plans, templates};
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;

/// Adds plans and attempts to the demo centre (called once from `demo::generate`).
pub fn generate(tx: &Transaction<'_>, today: NaiveDate, seed: u64) -> Result<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA17E_C0DE);
    let staff: Option<i64> =
        tx.query_row("SELECT id FROM staff WHERE role = 'front_desk' ORDER BY id LIMIT 1", [], |r| r.get(0)).ok();
    let counsellor: Option<i64> =
        tx.query_row("SELECT id FROM staff WHERE role = 'counsellor' ORDER BY id LIMIT 1", [], |r| r.get(0)).ok();
    let all = templates::list(tx, &Ctx::at(Actor::system(), today))?;
    let people: Vec<(i64, NaiveDate)> = {
        let mut stmt = tx.prepare(
            "SELECT p.id, max(s.discharged_on) FROM patients p JOIN stays s ON s.patient_id = p.id
             WHERE p.phase = 'aftercare' AND p.archived_at IS NULL GROUP BY p.id ORDER BY p.id",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut plans_made = 0;
    for (patient, discharged) in people {
        let age = (today - discharged).num_days();
        if age > 720 {
            continue;
        }
        let t = match rng.random_range(0..10) {
            0 => all.iter().find(|t| t.name.starts_with("Short")),
            1 => all.iter().find(|t| t.name.starts_with("Quarterly")),
            _ => all.iter().find(|t| t.is_default),
        };
        let Some(t) = t.or(all.first()) else { continue };
        // The plan starts on the discharge day; history is replayed day by day after.
        let start_ctx = Ctx::at(Actor { staff_id: staff, role: Role::FrontDesk }, discharged);
        let plan = plans::start(tx, &start_ctx, patient, t.id)?;
        plans_made += 1;
        let reliable = rng.random_bool(0.6);
        let relapsing = rng.random_bool(0.15);
        // Replay the follow-ups due before today.
        loop {
            let next: Option<(i64, NaiveDate, bool)> = tx
                .query_row(
                    "SELECT id, next_try_on, for_counsellor FROM aftercare_followups
                     WHERE plan_id = ?1 AND status = 'open' AND next_try_on < ?2 ORDER BY next_try_on, id LIMIT 1",
                    rusqlite::params![plan, today - Days::new(rng.random_range(0..4))],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .ok();
            let Some((fid, on, for_counsellor)) = next else { break };
            let who = if for_counsellor {
                Actor { staff_id: counsellor, role: Role::Counsellor }
            } else {
                Actor { staff_id: staff, role: Role::FrontDesk }
            };
            let ctx = Ctx::at(who, on);
            let p_reach = if reliable { 0.7 } else { 0.3 };
            let reached = rng.random_bool(p_reach);
            let consent_phone = crate::consents::now(tx, patient, crate::consents::ConsentKind::PhoneFollowup)?;
            let method = if consent_phone { ContactMethod::Phone } else { ContactMethod::Visit };
            let input = if reached {
                let status = if relapsing && rng.random_bool(0.4) {
                    if rng.random_bool(0.5) { RecoveryStatus::Relapse } else { RecoveryStatus::Lapse }
                } else {
                    RecoveryStatus::Sober
                };
                let risk = match status {
                    RecoveryStatus::Relapse => RiskLevel::High,
                    RecoveryStatus::Lapse => RiskLevel::Medium,
                    _ if rng.random_bool(0.1) => RiskLevel::Medium,
                    _ => RiskLevel::Low,
                };
                AttemptInput {
                    followup_id: fid,
                    method,
                    result: ContactResult::Reached,
                    status: Some(status),
                    attending: Some(rng.random_bool(0.6)),
                    risk: Some(risk),
                    note: String::new(),
                    next_step: if status == RecoveryStatus::Relapse {
                        NextStep::ReadmissionTalk
                    } else {
                        NextStep::None
                    },
                    // Calls to about half the people counselled; a relapse always.
                    counselling: Some(patient % 2 == 0 || status == RecoveryStatus::Relapse),
                }
            } else {
                let result = match rng.random_range(0..10) {
                    0..=6 => ContactResult::NoAnswer,
                    7..=8 => ContactResult::SwitchedOff,
                    _ => ContactResult::WrongNumber,
                };
                AttemptInput {
                    followup_id: fid,
                    method,
                    result,
                    status: None,
                    attending: None,
                    risk: None,
                    note: String::new(),
                    next_step: NextStep::None,
                    counselling: None,
                }
            };
            attempts::record(tx, &ctx, &input)?;
        }
    }
    Ok(plans_made)
}
