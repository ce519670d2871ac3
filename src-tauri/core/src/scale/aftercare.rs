//! The generated centre's aftercare: a plan at discharge for many (the discharge dialog's
//! own operation, see `mod.rs`; mostly the default template), the contact attempts staff
//! record day by day on the follow-ups that fall due (`attempts::record`, so follow-ups
//! are done, skipped, retried and escalated exactly as the app does it), plans stepped up
//! after a relapse, a few paused, and plans closed over the years: declined, moved away,
//! lost contact, completed, or closed by a re-admission. Plans of the last year or two are
//! still open, so today's worklist and at-risk list are what a busy centre sees.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, Transaction, params};

use crate::aftercare::attempts::{
    self, AttemptInput, ContactMethod, ContactResult, NextStep, RecoveryStatus, RiskLevel,
};
use crate::aftercare::plans::{self, CloseReason};
use crate::aftercare::risk::{self, Acknowledge};
use crate::aftercare::templates;
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;
use crate::patients::DischargeType;

/// Failed attempts in a row after which staff give up and close the plan.
const GIVE_UP_AFTER: u32 = 8;

const NOTES: [&str; 6] = [
    "Working again, family supportive.",
    "घर पर सब ठीक है।",
    "ਕੰਮ ਤੇ ਵਾਪਸ, ਮੀਟਿੰਗਾਂ ਵਿੱਚ ਜਾਂਦਾ ਹੈ।",
    "Asked about the Thursday group.",
    "Sounded low; will call again.",
    "नौकरी ढूंढ रहा है।",
];

struct PlanSim {
    patient: i64,
    /// Chance that a contact attempt reaches them.
    reach: f64,
    relapsing: bool,
    failed: u32,
    consent_phone: bool,
    family: bool,
}

pub(super) struct CareSim {
    rng: ChaCha8Rng,
    today: NaiveDate,
    default_template: i64,
    templates: Vec<i64>,
    plans: HashMap<i64, PlanSim>,
    by_patient: HashMap<i64, i64>,
    closing: BTreeMap<NaiveDate, Vec<(i64, CloseReason)>>,
    pausing: BTreeMap<NaiveDate, Vec<(i64, bool)>>,
    counsellors: Vec<i64>,
    front_desk: Vec<i64>,
}

impl CareSim {
    pub(super) fn new(conn: &Connection, seed: u64, today: NaiveDate, staff: &[(i64, Role)]) -> Result<CareSim> {
        let default_template = templates::default_template(conn)?.id;
        let all: Vec<i64> = conn
            .prepare("SELECT id FROM aftercare_templates WHERE retired = 0 ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(CareSim {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x00af_7e4c_a4e0),
            today,
            default_template,
            templates: all,
            plans: HashMap::new(),
            by_patient: HashMap::new(),
            closing: BTreeMap::new(),
            pausing: BTreeMap::new(),
            counsellors: staff.iter().filter(|s| s.1 != Role::FrontDesk).map(|s| s.0).collect(),
            front_desk: staff.iter().filter(|s| s.1 == Role::FrontDesk).map(|s| s.0).collect(),
        })
    }

    fn ctx(&mut self, counsellor: bool, day: NaiveDate) -> Ctx {
        let (list, role) =
            if counsellor { (&self.counsellors, Role::Counsellor) } else { (&self.front_desk, Role::FrontDesk) };
        let id = list.choose(&mut self.rng).copied();
        Ctx::at(Actor { staff_id: id, role: if id.is_some() { role } else { Role::Admin } }, day)
    }

    /// The template for a plan started at this discharge, if one is started.
    pub(super) fn template_choice(&mut self, kind: DischargeType) -> Option<i64> {
        let share = match kind {
            DischargeType::Completed => 0.37,
            DischargeType::AgainstAdvice | DischargeType::Absconded => 0.24,
            DischargeType::Referred | DischargeType::Administrative => 0.15,
        };
        if !self.rng.random_bool(share) {
            return None;
        }
        if self.rng.random_bool(0.9) {
            Some(self.default_template)
        } else {
            self.templates.choose(&mut self.rng).copied()
        }
    }

    /// A plan just started: how it will end, and how easy the person is to reach.
    pub(super) fn started(
        &mut self,
        conn: &Connection,
        plan: i64,
        template: i64,
        patient: i64,
        day: NaiveDate,
    ) -> Result<()> {
        let consent_phone = crate::consents::now(conn, patient, crate::consents::ConsentKind::PhoneFollowup)?;
        let consent_family = crate::consents::now(conn, patient, crate::consents::ConsentKind::FamilyContact)?;
        let family_phone: String =
            conn.query_row("SELECT family_phone FROM patients WHERE id = ?1", [patient], |r| r.get(0))?;
        let reach = *[0.85, 0.85, 0.85, 0.6, 0.6, 0.3].choose(&mut self.rng).unwrap_or(&0.6);
        let r: f64 = self.rng.random();
        let fate = if r < 0.28 {
            Some((self.rng.random_range(4..40), CloseReason::Declined))
        } else if r < 0.40 {
            Some((self.rng.random_range(20..200), CloseReason::MovedAway))
        } else if r < 0.41 {
            Some((self.rng.random_range(30..600), CloseReason::Died))
        } else if r < 0.52 {
            Some((self.rng.random_range(30..150), CloseReason::Other))
        } else if r < 0.80 || template != self.default_template {
            Some((self.rng.random_range(90..250), CloseReason::Completed))
        } else {
            Some((self.rng.random_range(735..760), CloseReason::Completed))
        };
        if let Some((after, reason)) = fate {
            self.closing.entry(day + Days::new(after)).or_default().push((plan, reason));
        }
        if self.rng.random_bool(0.03) {
            let from = day + Days::new(self.rng.random_range(20..120));
            self.pausing.entry(from).or_default().push((plan, true));
            self.pausing.entry(from + Days::new(self.rng.random_range(14..50))).or_default().push((plan, false));
        }
        self.plans.insert(
            plan,
            PlanSim {
                patient,
                reach,
                relapsing: self.rng.random_bool(0.15),
                failed: 0,
                consent_phone,
                family: consent_family && !family_phone.trim().is_empty(),
            },
        );
        self.by_patient.insert(patient, plan);
        Ok(())
    }

    /// Re-admitted: the register closed their plan.
    pub(super) fn readmitted(&mut self, patient: i64) {
        if let Some(plan) = self.by_patient.remove(&patient) {
            self.plans.remove(&plan);
        }
    }

    /// The day's aftercare work: plans closing, pausing or resuming, then the calls.
    pub(super) fn day(&mut self, tx: &Transaction<'_>, day: NaiveDate) -> Result<()> {
        if day > self.today {
            return Ok(());
        }
        for (plan, reason) in self.closing.remove(&day).unwrap_or_default() {
            if self.plans.contains_key(&plan) {
                let note = if reason == CloseReason::Other { "lost contact" } else { "" };
                let ctx = self.ctx(true, day);
                plans::close(tx, &ctx, plan, reason, note)?;
                self.forget(plan);
            }
        }
        for (plan, paused) in self.pausing.remove(&day).unwrap_or_default() {
            if self.plans.contains_key(&plan) {
                let ctx = self.ctx(true, day);
                let why = if paused { "Working away for a few weeks" } else { "Back home" };
                plans::set_paused(tx, &ctx, plan, paused, why)?;
            }
        }
        // Staff work through what is due; Sundays and the last days less so (today's list).
        let share = if day.weekday().num_days_from_monday() == 6 {
            0.2
        } else if (self.today - day).num_days() <= 1 {
            0.35
        } else {
            0.88
        };
        let due: Vec<(i64, i64, bool)> = tx
            .prepare_cached(
                "SELECT f.id, f.plan_id, f.for_counsellor FROM aftercare_followups f
                 JOIN aftercare_plans p ON p.id = f.plan_id AND p.status = 'active'
                 WHERE f.status = 'open' AND f.next_try_on <= ?1 ORDER BY f.next_try_on, f.id",
            )?
            .query_map([day], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut seen = std::collections::HashSet::new();
        for (followup, plan, for_counsellor) in due {
            // One contact per plan and day (a successful one closes the others that are due).
            if !seen.insert(plan) || !self.rng.random_bool(share) {
                continue;
            }
            let Some(p) = self.plans.get(&plan) else { continue };
            let (reach, relapsing, consent_phone, family) = (p.reach, p.relapsing, p.consent_phone, p.family);
            let input = self.attempt(followup, reach, relapsing, consent_phone, family);
            let counsellor = for_counsellor || self.rng.random_bool(0.1);
            let ctx = self.ctx(counsellor, day);
            let outcome = attempts::record(tx, &ctx, &input)?;
            let failed = if outcome.done { 0 } else { outcome.failed_in_row };
            if let Some(p) = self.plans.get_mut(&plan) {
                p.failed = failed;
            }
            if failed >= GIVE_UP_AFTER {
                let ctx = self.ctx(true, day);
                plans::close(tx, &ctx, plan, CloseReason::Other, "lost contact")?;
                self.forget(plan);
            } else if input.status == Some(RecoveryStatus::Relapse) && self.rng.random_bool(0.3) {
                let level: i32 =
                    tx.query_row("SELECT level FROM aftercare_plans WHERE id = ?1", [plan], |r| r.get(0))?;
                if level < 2 {
                    let ctx = self.ctx(true, day);
                    plans::step(tx, &ctx, plan, true)?;
                }
            }
        }
        Ok(())
    }

    fn forget(&mut self, plan: i64) {
        if let Some(p) = self.plans.remove(&plan) {
            self.by_patient.remove(&p.patient);
        }
    }

    fn attempt(&mut self, followup: i64, reach: f64, relapsing: bool, phone: bool, family: bool) -> AttemptInput {
        let rng = &mut self.rng;
        let method = if family && rng.random_bool(0.08) {
            ContactMethod::Family
        } else if !phone || rng.random_bool(0.04) {
            if rng.random_bool(0.5) { ContactMethod::CameIn } else { ContactMethod::Visit }
        } else {
            ContactMethod::Phone
        };
        let reached = method == ContactMethod::CameIn || rng.random_bool(reach);
        let note = if rng.random_bool(0.12) { NOTES.choose(rng).copied().unwrap_or("") } else { "" };
        if !reached {
            let result = match (method, rng.random_range(0..10)) {
                (ContactMethod::Visit, _) => ContactResult::NoAnswer,
                (_, 0..=6) => ContactResult::NoAnswer,
                (_, 7..=8) => ContactResult::SwitchedOff,
                _ => ContactResult::WrongNumber,
            };
            return AttemptInput {
                followup_id: followup,
                method,
                result,
                status: None,
                attending: None,
                risk: None,
                note: String::new(),
                next_step: NextStep::None,
                counselling: None,
            };
        }
        let status = if relapsing && rng.random_bool(0.35) {
            if rng.random_bool(0.5) { RecoveryStatus::Relapse } else { RecoveryStatus::Lapse }
        } else if rng.random_bool(0.03) {
            RecoveryStatus::Unknown
        } else {
            RecoveryStatus::Sober
        };
        let risk = match status {
            RecoveryStatus::Relapse => RiskLevel::High,
            RecoveryStatus::Lapse => RiskLevel::Medium,
            _ if rng.random_bool(0.08) => RiskLevel::Medium,
            _ => RiskLevel::Low,
        };
        let next_step = match status {
            RecoveryStatus::Relapse if rng.random_bool(0.5) => NextStep::ReadmissionTalk,
            RecoveryStatus::Relapse | RecoveryStatus::Lapse if rng.random_bool(0.4) => NextStep::CounsellorCall,
            _ if rng.random_bool(0.03) => NextStep::InviteToGroup,
            _ => NextStep::None,
        };
        AttemptInput {
            followup_id: followup,
            method,
            result: if method == ContactMethod::Family { ContactResult::SpokeToFamily } else { ContactResult::Reached },
            status: Some(status),
            attending: Some(rng.random_bool(0.55)),
            risk: Some(risk),
            note: note.to_owned(),
            next_step,
            counselling: Some(status != RecoveryStatus::Sober || followup % 3 == 0),
        }
    }

    /// Counsellors have acted on some of today's alerts.
    pub(super) fn acknowledge_some(&mut self, tx: &Transaction<'_>) -> Result<()> {
        let ctx = self.ctx(true, self.today);
        let list = risk::at_risk(tx, &ctx)?;
        for entry in list.iter().filter(|_| self.rng.random_bool(0.25)) {
            if let Some(r) = entry.reasons.first() {
                let ack = Acknowledge {
                    patient_id: entry.patient_id,
                    rule: r.rule,
                    trigger_key: r.trigger_key.clone(),
                    action: "Called; visit planned this week.".into(),
                };
                risk::acknowledge(tx, &ctx, &ack)?;
            }
        }
        Ok(())
    }
}

/// How many follow-ups and attempts there are.
pub(super) fn counts(conn: &Connection) -> Result<(u64, u64, u64)> {
    let n = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, params![], |r| r.get::<_, i64>(0))? as u64) };
    Ok((
        n("SELECT count(*) FROM aftercare_plans")?,
        n("SELECT count(*) FROM aftercare_followups")?,
        n("SELECT count(*) FROM aftercare_attempts")?,
    ))
}
