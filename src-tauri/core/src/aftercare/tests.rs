//! Unit tests of the aftercare core.
use chrono::NaiveDate;
use proptest::prelude::*;

use super::templates::{ContactRule, Unit, add, dates};
use super::*;
use crate::consents::{self, ConsentHow, ConsentInput, ConsentKind};
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::patients::{self, DischargeType, NewPatient, PatientDetails};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rule(unit: Unit, every: u32, from: u32, to: u32) -> ContactRule {
    ContactRule { unit, every, from, to }
}

fn standard() -> Vec<ContactRule> {
    vec![
        rule(Unit::Day, 1, 2, 2),
        rule(Unit::Week, 1, 1, 12),
        rule(Unit::Week, 2, 14, 52),
        rule(Unit::Month, 1, 13, 24),
    ]
}

#[test]
fn months_keep_the_day_or_clamp_to_the_month_end() {
    assert_eq!(add(d(2026, 1, 31), Unit::Month, 1), Some(d(2026, 2, 28)));
    assert_eq!(add(d(2028, 1, 31), Unit::Month, 1), Some(d(2028, 2, 29)), "leap year");
    assert_eq!(add(d(2027, 2, 28), Unit::Month, 12), Some(d(2028, 2, 28)));
    assert_eq!(add(d(2028, 2, 29), Unit::Month, 12), Some(d(2029, 2, 28)));
    assert_eq!(add(d(2026, 8, 31), Unit::Month, 3), Some(d(2026, 11, 30)));
    assert_eq!(add(d(2026, 12, 30), Unit::Week, 1), Some(d(2027, 1, 6)));
    assert_eq!(add(d(2028, 2, 28), Unit::Day, 2), Some(d(2028, 3, 1)));
}

#[test]
fn default_template_dates() {
    let start = d(2026, 1, 31);
    let ds = dates(&standard(), start, 0);
    // 1 (day 2) + 12 weekly + 20 fortnightly (weeks 14..52) + 12 monthly.
    assert_eq!(ds.len(), 45);
    assert_eq!(ds[0], d(2026, 2, 2));
    assert_eq!(ds[1], d(2026, 2, 7));
    assert_eq!(ds[12], d(2026, 4, 25), "week 12");
    assert_eq!(ds[13], d(2026, 5, 9), "week 14");
    assert_eq!(*ds.last().unwrap(), d(2028, 1, 31), "month 24");
    assert!(ds.contains(&d(2027, 2, 28)), "month 13 from 31 January is 28 February 2027");
    assert!(ds.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn leap_day_discharge() {
    let ds = dates(&[rule(Unit::Month, 3, 3, 24)], d(2028, 2, 29), 0);
    assert_eq!(ds.len(), 8);
    assert_eq!(ds[0], d(2028, 5, 29));
    assert_eq!(ds[3], d(2029, 2, 28), "a year on from 29 February");
    assert_eq!(ds[7], d(2030, 2, 28));
    let short = dates(&[rule(Unit::Day, 1, 1, 1), rule(Unit::Week, 1, 1, 6)], d(2028, 2, 28), 0);
    assert_eq!(short[0], d(2028, 2, 29));
    assert_eq!(short[1], d(2028, 3, 6));
    assert_eq!(short.len(), 7);
}

#[test]
fn stepping_changes_the_density() {
    let start = d(2026, 3, 1);
    let base = dates(&[rule(Unit::Month, 1, 1, 6)], start, 0);
    let up = dates(&[rule(Unit::Month, 1, 1, 6)], start, 1);
    let up2 = dates(&[rule(Unit::Month, 1, 1, 6)], start, 2);
    let down = dates(&[rule(Unit::Month, 1, 1, 6)], start, -1);
    assert_eq!(base.len(), 6);
    assert_eq!(up.len(), 12);
    assert_eq!(up2.len(), 24);
    assert_eq!(down.len(), 3);
    assert!(base.iter().all(|x| up.contains(x)));
    assert_eq!(up[0], d(2026, 3, 16));
}

proptest! {
    #[test]
    fn dates_are_sorted_unique_and_after_the_start(
        y in 2000i32..2100, m in 1u32..=12, day in 1u32..=31,
        unit in 0u8..3, every in 1u32..5, from in 1u32..30, len in 0u32..30, level in -1i32..=2,
    ) {
        prop_assume!(NaiveDate::from_ymd_opt(y, m, day).is_some());
        let start = d(y, m, day);
        let unit = [Unit::Day, Unit::Week, Unit::Month][unit as usize];
        let ds = dates(&[rule(unit, every, from, from + len)], start, level);
        prop_assert!(!ds.is_empty());
        prop_assert!(ds.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(ds.iter().all(|x| *x > start));
    }
}

fn details(name: &str) -> PatientDetails {
    PatientDetails {
        full_name: name.into(),
        preferred_name: String::new(),
        gender: patients::Gender::Male,
        birth_date: None,
        age_years: Some(30),
        phone: "98765 43210".into(),
        family_name: "Sita".into(),
        family_relation: "Mother".into(),
        family_phone: "98111 22333".into(),
        languages: vec![],
        substances: vec![patients::Substance::Alcohol],
        substance_other: String::new(),
    }
}

/// A consent (or refusal) of `kind` on `on`, on a signed form.
fn consent(kind: ConsentKind, given: bool, on: NaiveDate) -> ConsentInput {
    ConsentInput {
        kind,
        given,
        detail: "Sita (Mother)".into(),
        decided_on: on,
        how: ConsentHow::SignedForm,
        witness: String::new(),
    }
}

struct World {
    store: Store,
    desk: Actor,
}

fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    let sys = Ctx::at(Actor::system(), d(2026, 1, 1));
    let (desk, couns) = store
        .write(|tx| {
            let a = crate::staff::create(
                tx,
                &sys,
                &crate::staff::StaffInput { full_name: "Desk".into(), role: Role::FrontDesk, username: None },
                None,
            )?;
            let b = crate::staff::create(
                tx,
                &sys,
                &crate::staff::StaffInput { full_name: "Couns".into(), role: Role::Counsellor, username: None },
                None,
            )?;
            Ok((a, b))
        })
        .unwrap();
    assert_eq!((desk, couns), (1, 2));
    World { store, desk: Actor { staff_id: Some(desk), role: Role::FrontDesk } }
}

fn dctx(on: NaiveDate) -> Ctx {
    Ctx::at(Actor { staff_id: Some(1), role: Role::FrontDesk }, on)
}

fn cctx(on: NaiveDate) -> Ctx {
    Ctx::at(Actor { staff_id: Some(2), role: Role::Counsellor }, on)
}

impl World {
    fn ctx(&self, on: NaiveDate) -> Ctx {
        Ctx::at(self.desk, on)
    }
    /// Admits on `admitted`, discharges on `out` with the default plan (acting on `out`).
    fn discharged(
        &mut self,
        name: &str,
        admitted: NaiveDate,
        out: NaiveDate,
        det: Option<PatientDetails>,
    ) -> (i64, i64) {
        let ctx = self.ctx(out);
        let t = templates::default_template(self.store.conn()).unwrap().id;
        self.store
            .write(|tx| {
                let id = patients::create(
                    tx,
                    &ctx,
                    &NewPatient { details: det.unwrap_or_else(|| details(name)), admitted_on: admitted },
                )?;
                // Agreed at intake to be phoned and named on lists; not to family contact.
                for kind in [ConsentKind::PhoneFollowup, ConsentKind::FullNameOnLists] {
                    consents::record(tx, &ctx, id, &consent(kind, true, admitted))?;
                }
                let plan =
                    crate::admissions::discharge_with_plan(tx, &ctx, id, out, DischargeType::Completed, Some(t), None)?;
                Ok((id, plan.unwrap()))
            })
            .unwrap()
    }
    fn worklist(&self, ctx: &Ctx, range: WorklistRange) -> Vec<WorklistRow> {
        worklist::worklist(self.store.conn(), ctx, range).unwrap()
    }
    fn attempt(&mut self, ctx: &Ctx, followup: i64, result: ContactResult) -> Result<attempts::AttemptOutcome> {
        let input = AttemptInput {
            followup_id: followup,
            method: ContactMethod::Phone,
            result,
            status: result.is_success().then_some(RecoveryStatus::Sober),
            attending: None,
            risk: result.is_success().then_some(RiskLevel::Low),
            note: String::new(),
            next_step: NextStep::None,
            counselling: None,
        };
        self.store.write(|tx| attempts::record(tx, ctx, &input))
    }
}

#[test]
fn discharge_with_the_default_plan_puts_the_first_call_on_the_worklist() {
    let mut w = world();
    let out = d(2026, 11, 26);
    let (id, plan) = w.discharged("Ravi Kumar", d(2026, 10, 1), out, None);
    let plans = plans::for_patient(w.store.conn(), &dctx(out), id).unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].id, plan);
    assert_eq!(plans[0].followups.len(), 45);
    assert_eq!(plans[0].followups[0].due_on, d(2026, 11, 28));
    assert!(w.worklist(&dctx(out), WorklistRange::Today).is_empty());
    let week = w.worklist(&dctx(out), WorklistRange::Week);
    assert_eq!(week.len(), 1, "due Saturday 28 November, this week");
    assert_eq!(week[0].name, "Ravi Kumar");
    assert_eq!(w.worklist(&dctx(d(2026, 11, 28)), WorklistRange::Today).len(), 1);
}

#[test]
fn a_template_change_never_rewrites_a_plan() {
    let mut w = world();
    let out = d(2026, 11, 26);
    let (id, _) = w.discharged("Ravi Kumar", d(2026, 10, 1), out, None);
    let admin = Ctx::at(Actor::system(), out);
    let t = templates::default_template(w.store.conn()).unwrap();
    w.store
        .write(|tx| {
            templates::update(
                tx,
                &admin,
                t.id,
                &TemplateInput {
                    name: t.name.clone(),
                    description: String::new(),
                    rules: vec![rule(Unit::Week, 1, 1, 2)],
                    is_default: true,
                    retired: false,
                },
            )
        })
        .unwrap();
    let p = &plans::for_patient(w.store.conn(), &dctx(out), id).unwrap()[0];
    assert_eq!(p.followups.len(), 45);
    assert_eq!(p.rules, standard());
    // Front desk may not edit templates.
    let err = w
        .store
        .write(|tx| {
            templates::create(
                tx,
                &dctx(out),
                &TemplateInput {
                    name: "X".into(),
                    description: String::new(),
                    rules: vec![rule(Unit::Week, 1, 1, 2)],
                    is_default: false,
                    retired: false,
                },
            )
        })
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn failed_attempts_retry_then_escalate_to_a_counsellor() {
    let mut w = world();
    let out = d(2026, 11, 26);
    let (_, _) = w.discharged("Ravi Kumar", d(2026, 10, 1), out, None);
    let day = d(2026, 11, 28);
    let row = w.worklist(&dctx(day), WorklistRange::Today).remove(0);
    let o = w.attempt(&dctx(day), row.followup_id, ContactResult::NoAnswer).unwrap();
    assert_eq!((o.done, o.next_try_on, o.failed_in_row, o.for_counsellor), (false, Some(d(2026, 11, 30)), 1, false));
    assert!(w.worklist(&dctx(day), WorklistRange::Today).is_empty(), "retry is in two days");
    let d2 = d(2026, 11, 30);
    let again = w.worklist(&dctx(d2), WorklistRange::Today);
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].attempts, again[0].failed_in_row), (1, 1));
    w.attempt(&dctx(d2), row.followup_id, ContactResult::SwitchedOff).unwrap();
    let d3 = d(2026, 12, 2);
    let o = w.attempt(&dctx(d3), row.followup_id, ContactResult::NoAnswer).unwrap();
    assert!(o.for_counsellor);
    assert_eq!(o.failed_in_row, 3);
    // Gone from the front desk's list, on the counsellor's (with the next weekly call,
    // due 03-12, still on the desk's).
    let desk = w.worklist(&dctx(d3), WorklistRange::Today);
    assert!(desk.iter().all(|r| r.followup_id != row.followup_id));
    let couns = w.worklist(&cctx(d3), WorklistRange::Today);
    let esc = couns.iter().find(|r| r.followup_id == row.followup_id).unwrap();
    assert!(esc.for_counsellor);
    // A counsellor reaches him: done, and the history keeps all four attempts.
    w.attempt(&cctx(d3), row.followup_id, ContactResult::Reached).unwrap();
    let hist = attempts::for_patient(w.store.conn(), &cctx(d3), row.patient_id).unwrap();
    assert_eq!(hist.len(), 4);
    assert!(w.worklist(&cctx(d3), WorklistRange::Today).is_empty());
    // The retry gap is a setting.
    let admin = Ctx::at(Actor::system(), d3);
    let mut s = get_settings(w.store.conn()).unwrap();
    s.retry_days = 5;
    w.store.write(|tx| save_settings(tx, &admin, &s)).unwrap();
    let next = w.worklist(&dctx(d(2026, 12, 3)), WorklistRange::Today).remove(0);
    let o = w.attempt(&dctx(d(2026, 12, 3)), next.followup_id, ContactResult::NoAnswer).unwrap();
    assert_eq!(o.next_try_on, Some(d(2026, 12, 8)));
}

#[test]
fn attempts_cannot_be_changed_or_deleted() {
    let mut w = world();
    let out = d(2026, 11, 26);
    w.discharged("Ravi Kumar", d(2026, 10, 1), out, None);
    let day = d(2026, 11, 28);
    let row = w.worklist(&dctx(day), WorklistRange::Today).remove(0);
    w.attempt(&dctx(day), row.followup_id, ContactResult::NoAnswer).unwrap();
    let c = w.store.conn();
    assert!(c.execute("UPDATE aftercare_attempts SET result = 'reached'", []).is_err());
    assert!(c.execute("DELETE FROM aftercare_attempts", []).is_err());
    assert!(c.execute("DELETE FROM aftercare_followups", []).is_err());
    assert!(c.execute("DELETE FROM aftercare_plans", []).is_err());
}

#[test]
fn family_and_phone_contact_need_consent() {
    let mut w = world();
    let out = d(2026, 11, 26);
    let (p, _) = w.discharged("Amit Verma", d(2026, 10, 1), out, None);
    let day = d(2026, 11, 28);
    // He no longer wants to be phoned: a refusal recorded later decides.
    w.store.write(|tx| consents::record(tx, &dctx(day), p, &consent(ConsentKind::PhoneFollowup, false, day))).unwrap();
    let row = w.worklist(&dctx(day), WorklistRange::Today).remove(0);
    assert!(row.family_phone.is_empty(), "no family number shown without consent");
    let mut input = AttemptInput {
        followup_id: row.followup_id,
        method: ContactMethod::Family,
        result: ContactResult::SpokeToFamily,
        status: None,
        attending: None,
        risk: None,
        note: String::new(),
        next_step: NextStep::None,
        counselling: None,
    };
    let err = w.store.write(|tx| attempts::record(tx, &dctx(day), &input)).unwrap_err();
    assert_eq!(err.code(), "family_consent_missing");
    assert!(err.to_string().contains("family"));
    input.method = ContactMethod::Phone;
    input.result = ContactResult::Reached;
    let err = w.store.write(|tx| attempts::record(tx, &dctx(day), &input)).unwrap_err();
    assert_eq!(err.code(), "phone_consent_missing");
    input.method = ContactMethod::Visit;
    w.store.write(|tx| attempts::record(tx, &dctx(day), &input)).unwrap();
    let n: i64 = w.store.conn().query_row("SELECT count(*) FROM aftercare_attempts", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "refused attempts leave no trace");
}

#[test]
fn counsellor_notes_are_confidential() {
    let mut w = world();
    let out = d(2026, 11, 26);
    let (id, _) = w.discharged("Ravi Kumar", d(2026, 10, 1), out, None);
    let day = d(2026, 11, 28);
    let row = w.worklist(&cctx(day), WorklistRange::Today).remove(0);
    let input = AttemptInput {
        followup_id: row.followup_id,
        method: ContactMethod::Phone,
        result: ContactResult::Reached,
        status: Some(RecoveryStatus::Lapse),
        attending: Some(false),
        risk: Some(RiskLevel::Medium),
        note: "Drank at a wedding; ashamed".into(),
        next_step: NextStep::CounsellorCall,
        counselling: None,
    };
    w.store.write(|tx| attempts::record(tx, &cctx(day), &input)).unwrap();
    let desk = attempts::for_patient(w.store.conn(), &dctx(day), id).unwrap();
    assert!(desk[0].note.is_empty() && desk[0].note_hidden);
    let couns = attempts::for_patient(w.store.conn(), &cctx(day), id).unwrap();
    assert_eq!(couns[0].note, "Drank at a wedding; ashamed");
    // The counsellor call is tomorrow, on the counsellor's list only.
    let tomorrow = d(2026, 11, 29);
    assert!(w.worklist(&dctx(tomorrow), WorklistRange::Today).is_empty());
    let c = w.worklist(&cctx(tomorrow), WorklistRange::Today);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].kind, "counsellor_call");
    assert_eq!(c[0].risk, Some(RiskLevel::Medium));
    assert_eq!(c[0].last_contact_on, Some(day));
}

#[test]
fn worklist_order_overdue_then_risk_then_date() {
    let mut w = world();
    let (a, _) = w.discharged("Anil Low", d(2026, 10, 1), d(2026, 11, 20), None);
    let (b, _) = w.discharged("Bala High", d(2026, 10, 1), d(2026, 11, 24), None);
    let (c, _) = w.discharged("Chetan Overdue", d(2026, 10, 1), d(2026, 11, 10), None);
    // Bala reached on day 2 with high risk, then his next call is due 01-12.
    let row = w.worklist(&cctx(d(2026, 11, 26)), WorklistRange::Today);
    let fb = row.iter().find(|r| r.patient_id == b).unwrap().followup_id;
    let input = AttemptInput {
        followup_id: fb,
        method: ContactMethod::Phone,
        result: ContactResult::Reached,
        status: Some(RecoveryStatus::Sober),
        attending: None,
        risk: Some(RiskLevel::High),
        note: String::new(),
        next_step: NextStep::None,
        counselling: None,
    };
    w.store.write(|tx| attempts::record(tx, &cctx(d(2026, 11, 26)), &input)).unwrap();
    let list = w.worklist(&dctx(d(2026, 12, 1)), WorklistRange::Today);
    let order: Vec<i64> = list.iter().map(|r| r.patient_id).collect();
    // Chetan and Anil have overdue calls; Chetan's are older. Bala is due today, high risk.
    assert_eq!(order.first(), Some(&c));
    assert_eq!(order.last(), Some(&b));
    assert!(order.contains(&a));
    assert!(list.iter().take_while(|r| r.overdue_days > 0).count() >= 2);
}

#[test]
fn readmission_closes_the_plan_and_a_new_discharge_starts_a_new_one() {
    let mut w = world();
    let (id, plan) = w.discharged("Ravi Kumar", d(2026, 1, 1), d(2026, 2, 1), None);
    let back = d(2026, 3, 15);
    w.store.write(|tx| crate::admissions::readmit(tx, &dctx(back), id, back)).unwrap();
    let ps = plans::for_patient(w.store.conn(), &dctx(back), id).unwrap();
    assert_eq!(ps[0].status, PlanStatus::Closed);
    assert_eq!(ps[0].close_reason, Some(CloseReason::Readmitted));
    assert!(ps[0].followups.iter().all(|f| f.status != "open"));
    assert!(w.worklist(&cctx(d(2026, 4, 1)), WorklistRange::Week).is_empty());
    let out = d(2026, 4, 10);
    let t = templates::default_template(w.store.conn()).unwrap().id;
    let plan2 = w
        .store
        .write(|tx| {
            crate::admissions::discharge_with_plan(tx, &dctx(out), id, out, DischargeType::AgainstAdvice, Some(t), None)
        })
        .unwrap()
        .unwrap();
    assert_ne!(plan, plan2);
    let ps = plans::for_patient(w.store.conn(), &dctx(out), id).unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].status, PlanStatus::Active);
    assert_eq!(ps[0].started_on, out);
    // Only one open plan at a time.
    let err = w.store.write(|tx| plans::start(tx, &dctx(out), id, t)).unwrap_err();
    assert_eq!(err.code(), "plan_already_open");
}

#[test]
fn step_pause_resume_close() {
    let mut w = world();
    let out = d(2026, 1, 10);
    let (id, plan) = w.discharged("Ravi Kumar", d(2026, 1, 1), out, None);
    let today = d(2026, 6, 1);
    let open = |w: &World| -> Vec<NaiveDate> {
        plans::for_patient(w.store.conn(), &cctx(today), id).unwrap()[0]
            .followups
            .iter()
            .filter(|f| f.status == "open" && f.due_on > today)
            .map(|f| f.due_on)
            .collect()
    };
    let before = open(&w);
    let err = w.store.write(|tx| plans::step(tx, &dctx(today), plan, true)).unwrap_err();
    assert_eq!(err.code(), "forbidden", "front desk cannot step plans");
    assert_eq!(w.store.write(|tx| plans::step(tx, &cctx(today), plan, true)).unwrap(), 1);
    let up = open(&w);
    assert!(up.len() > before.len() * 2 - 2, "{} vs {}", up.len(), before.len());
    w.store.write(|tx| plans::step(tx, &cctx(today), plan, false)).unwrap();
    w.store.write(|tx| plans::step(tx, &cctx(today), plan, false)).unwrap();
    let down = open(&w);
    assert!(down.len() < before.len());
    assert_eq!(w.store.write(|tx| plans::step(tx, &cctx(today), plan, false)).unwrap_err().code(), "plan_step_min");
    // Paused: nothing on the worklist; resumed later: one follow-up today.
    w.store.write(|tx| plans::set_paused(tx, &cctx(today), plan, true, "in hospital")).unwrap();
    assert!(w.worklist(&cctx(d(2026, 6, 20)), WorklistRange::Week).is_empty());
    let back = d(2026, 7, 20);
    w.store.write(|tx| plans::set_paused(tx, &cctx(back), plan, false, "")).unwrap();
    // Monday 20-07: the stale ones are skipped; the next contact is within the week.
    assert!(w.worklist(&cctx(back), WorklistRange::Today).is_empty());
    let list = w.worklist(&cctx(back), WorklistRange::Week);
    assert_eq!(list.len(), 1);
    assert!(list[0].next_try_on >= back && list[0].also_due == 0);
    w.store.write(|tx| plans::close(tx, &cctx(back), plan, CloseReason::MovedAway, "to Pune")).unwrap();
    assert!(w.worklist(&cctx(back), WorklistRange::Week).is_empty());
    let p = &plans::for_patient(w.store.conn(), &cctx(back), id).unwrap()[0];
    let kinds: Vec<&str> = p.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["started", "stepped_up", "stepped_down", "stepped_down", "paused", "resumed", "closed"]);
    assert_eq!(
        w.store.write(|tx| plans::close(tx, &cctx(back), plan, CloseReason::Died, "")).unwrap_err().code(),
        "plan_closed"
    );
}

#[test]
fn at_risk_rules_and_acknowledgement() {
    let mut w = world();
    let (a, _) = w.discharged("Relapse Ram", d(2026, 10, 1), d(2026, 11, 1), None);
    let (b, _) = w.discharged("Silent Sohan", d(2026, 10, 1), d(2026, 11, 1), None);
    let (c, _) = w.discharged("Fine Farid", d(2026, 10, 1), d(2026, 11, 1), None);
    let day = d(2026, 11, 3);
    let rows = w.worklist(&cctx(day), WorklistRange::Today);
    let f = |p: i64| rows.iter().find(|r| r.patient_id == p).unwrap().followup_id;
    let relapse = AttemptInput {
        followup_id: f(a),
        method: ContactMethod::Phone,
        result: ContactResult::Reached,
        status: Some(RecoveryStatus::Relapse),
        attending: Some(false),
        risk: Some(RiskLevel::High),
        note: String::new(),
        next_step: NextStep::ReadmissionTalk,
        counselling: None,
    };
    w.store.write(|tx| attempts::record(tx, &cctx(day), &relapse)).unwrap();
    w.attempt(&cctx(day), f(c), ContactResult::Reached).unwrap();
    let fb = f(b);
    for on in [day, d(2026, 11, 5), d(2026, 11, 7)] {
        w.attempt(&cctx(on), fb, ContactResult::NoAnswer).unwrap();
    }
    let ctx = cctx(d(2026, 11, 7));
    let list = risk::at_risk(w.store.conn(), &ctx).unwrap();
    let rules_of = |p: i64| -> Vec<RiskRule> {
        list.iter().find(|e| e.patient_id == p).map(|e| e.reasons.iter().map(|r| r.rule).collect()).unwrap_or_default()
    };
    assert_eq!(rules_of(a), [RiskRule::LapseOrRelapse, RiskRule::HighRisk]);
    assert_eq!(rules_of(b), [RiskRule::FailedContacts]);
    assert!(rules_of(c).is_empty());
    assert_eq!(list[0].patient_id, a, "relapse first");
    // Overdue more than 7 days: on 16-11 Farid's weekly call of 08-11 is 8 days late.
    let later = cctx(d(2026, 11, 16));
    let list = risk::at_risk(w.store.conn(), &later).unwrap();
    let farid = list.iter().find(|e| e.patient_id == c).unwrap();
    assert_eq!(farid.reasons[0].rule, RiskRule::Overdue);
    assert_eq!(farid.reasons[0].count, 8);
    // Front desk cannot see the list.
    assert_eq!(risk::at_risk(w.store.conn(), &dctx(day)).unwrap_err().code(), "forbidden");
    // Acknowledge the relapse: it leaves the list; high risk stays until acknowledged.
    let r = &list.iter().find(|e| e.patient_id == a).unwrap().reasons[0];
    let ack = risk::Acknowledge {
        patient_id: a,
        rule: r.rule,
        trigger_key: r.trigger_key.clone(),
        action: "Called him, re-admission talk on Monday".into(),
    };
    w.store.write(|tx| risk::acknowledge(tx, &later, &ack)).unwrap();
    let list = risk::at_risk(w.store.conn(), &later).unwrap();
    let ram: Vec<RiskRule> = list.iter().find(|e| e.patient_id == a).unwrap().reasons.iter().map(|r| r.rule).collect();
    assert!(!ram.contains(&RiskRule::LapseOrRelapse));
    assert!(ram.contains(&RiskRule::HighRisk));
    let empty = risk::Acknowledge { action: "  ".into(), ..ack };
    assert_eq!(w.store.write(|tx| risk::acknowledge(tx, &later, &empty)).unwrap_err().code(), "ack_action_empty");
    // Rules are tunable: switch failed contacts off.
    let mut s = get_settings(w.store.conn()).unwrap();
    s.rules.failed_contacts = 0;
    w.store.write(|tx| save_settings(tx, &Ctx::at(Actor::system(), day), &s)).unwrap();
    let list = risk::at_risk(w.store.conn(), &ctx).unwrap();
    assert!(list.iter().all(|e| e.patient_id != b));
}

#[test]
fn private_names() {
    assert_eq!(private_name("Rahul Sharma", ""), "Rahul S.");
    assert_eq!(private_name("Rahul Kumar Sharma", "Rahu"), "Rahu");
    assert_eq!(private_name("क्षितिज त्रिपाठी", ""), "क्षितिज त्रि.");
    assert_eq!(private_name("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", ""), "ਗੁਰਪ੍ਰੀਤ ਸਿੰ.");
    assert_eq!(private_name("Imran", ""), "Imran");
}

#[test]
fn the_demo_has_a_real_week_of_aftercare() {
    let mut s = Store::open_in_memory().unwrap();
    let today = d(2026, 11, 26);
    crate::demo::generate(&mut s, today, 2026).unwrap();
    let c = s.conn();
    let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(n("SELECT count(*) FROM aftercare_plans") > 30);
    let no_answer = n("SELECT count(*) FROM aftercare_attempts WHERE result = 'no_answer'");
    let reached = n("SELECT count(*) FROM aftercare_attempts WHERE result = 'reached'");
    assert!(no_answer > 50 && reached > 50, "{no_answer} {reached}");
    assert!(n("SELECT count(*) FROM aftercare_attempts WHERE status = 'relapse'") > 0);
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, today);
    assert!(!worklist::worklist(c, &ctx, WorklistRange::Week).unwrap().is_empty());
    let at_risk = risk::at_risk(c, &ctx).unwrap();
    assert!(!at_risk.is_empty());
    assert!(
        at_risk.iter().any(|e| e.reasons.iter().any(|r| r.rule == RiskRule::MissedSessions)),
        "someone missed two aftercare sessions in a row"
    );
    // The week's roster has the aftercare group with several members, most on a plan.
    let doc = roster::roster_doc(c, &ctx, today, Some(false), None).unwrap();
    let groups: Vec<_> = doc.sections.iter().filter(|s| s.heading[0].starts_with("Aftercare")).collect();
    assert!(!groups.is_empty(), "an aftercare session this week");
    assert!(groups[0].rows.len() >= 5, "{:?}", groups[0].rows);
    assert!(groups[0].rows.iter().filter(|r| !r[3].is_empty()).count() >= 5, "members with attendance");
    assert!(groups[0].rows.iter().filter(|r| !r[4].is_empty()).count() >= 3, "members with a plan");
    let rows = worklist::worklist(c, &ctx, WorklistRange::Week).unwrap();
    assert!(rows.iter().any(|r| r.last_attended_on.is_some()), "the worklist shows group attendance");
}

/// An aftercare group on Tuesdays and Fridays (from 03-11-2026) with four discharged
/// members, and a therapy group that must stay off the aftercare roster.
struct GroupWorld {
    w: World,
    group: i64,
    series: i64,
    /// Rahul, Amit, Neha, Vikram.
    people: [i64; 4],
}

fn group_world() -> GroupWorld {
    use crate::groups::conflicts::SaveOptions;
    use crate::groups::membership::{self, JoinOutcome, LeaveReason, Person};
    use crate::groups::recurrence::{Day, Freq, Rule};
    use crate::groups::series::{self, SeriesInput};
    use crate::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};

    let mut w = world();
    let out = d(2026, 10, 20);
    let people = ["Rahul Sharma", "Amit Verma", "Neha Gupta", "Vikram Yadav"]
        .map(|n| w.discharged(n, d(2026, 9, 1), out, None).0);
    let c = cctx(d(2026, 11, 1));
    let (group, series) = w
        .store
        .write(|tx| {
            let hall = groups::save_room(tx, &c, None, "Hall", true)?;
            let mut ids = vec![];
            for (name, kind, audience, days) in [
                ("Aftercare evening group", GroupKind::Aftercare, Audience::Aftercare, vec![Day::Tu, Day::Fr]),
                ("Relapse triggers", GroupKind::GroupTherapy, Audience::Inpatients, vec![Day::We]),
            ] {
                let input = GroupInput {
                    name: name.into(),
                    kind,
                    topic: String::new(),
                    audience,
                    gender_rule: GenderRule::Any,
                    closed: false,
                    mandatory: false,
                    capacity: None,
                    default_room_id: Some(hall),
                    facilitators: vec![2],
                    guest_facilitators: if kind == GroupKind::Aftercare {
                        "Dr. R. Bhatia".into()
                    } else {
                        String::new()
                    },
                    status: GroupStatus::Active,
                    notes: String::new(),
                };
                let g = groups::create(tx, &c, &input)?;
                let s = SeriesInput {
                    rule: Rule {
                        freq: Freq::Weekly,
                        interval: 1,
                        weekdays: days,
                        month_week: None,
                        start: d(2026, 11, 3),
                        until: None,
                        count: None,
                    },
                    start_time: if kind == GroupKind::Aftercare { "18:00".into() } else { "11:00".into() },
                    duration_min: 90,
                    room_id: Some(hall),
                    facilitators: vec![2],
                };
                let saved = series::add(tx, &c, g, &s, &SaveOptions::default())?;
                assert!(saved.saved);
                ids.push((g, saved.series_id.unwrap()));
            }
            let (group, series) = ids[0];
            let (therapy, _) = ids[1];
            // Everyone but Neha joins on 03-11; Neha joins on Wednesday 02-12; Amit leaves
            // on Tuesday 01-12. Rahul is in the therapy group too.
            let mut amit = 0;
            for (i, p) in people.iter().enumerate() {
                let on = if i == 2 { d(2026, 12, 2) } else { d(2026, 11, 3) };
                let JoinOutcome::Joined { membership_id } =
                    membership::join(tx, &cctx(on), group, Person::Patient(*p), on)?
                else {
                    panic!("joined")
                };
                if i == 1 {
                    amit = membership_id;
                }
            }
            membership::join(tx, &c, therapy, Person::Patient(people[0]), d(2026, 11, 1))?;
            membership::leave(tx, &cctx(d(2026, 12, 1)), amit, d(2026, 12, 1), LeaveReason::DroppedOut)?;
            Ok((group, series))
        })
        .unwrap();
    GroupWorld { w, group, series, people }
}

impl GroupWorld {
    fn mark(&mut self, on: NaiveDate, who: usize, mark: crate::groups::attendance::Mark) {
        let (series, p) = (self.series, self.people[who]);
        self.w
            .store
            .write(|tx| {
                crate::groups::attendance::mark(
                    tx,
                    &cctx(d(2026, 11, 28)),
                    series,
                    on,
                    crate::groups::membership::Person::Patient(p),
                    mark,
                    "",
                )
            })
            .unwrap();
    }
}

#[test]
fn last_attended_and_missed_in_a_row_come_from_aftercare_attendance() {
    use crate::groups::attendance::Mark::*;
    let mut g = group_world();
    let (rahul, amit, vikram) = (g.people[0], g.people[1], g.people[3]);
    // Rahul: present on 24-11, absent on 27-11 (one miss).
    g.mark(d(2026, 11, 24), 0, Present);
    g.mark(d(2026, 11, 27), 0, Absent);
    // Vikram: late on 13-11, absent on 17-11, excused on 20-11 (neither a miss nor a
    // break), absent on 24-11, not recorded on 27-11 (not a miss): two in a row.
    g.mark(d(2026, 11, 13), 3, Late);
    g.mark(d(2026, 11, 17), 3, Absent);
    g.mark(d(2026, 11, 20), 3, Excused);
    g.mark(d(2026, 11, 24), 3, Absent);
    // Amit: excused only.
    g.mark(d(2026, 11, 24), 1, Excused);
    let c = g.w.store.conn();
    assert_eq!(groups_seam::last_aftercare_attendance(c, rahul).unwrap(), Some(d(2026, 11, 24)));
    assert_eq!(groups_seam::last_aftercare_attendance(c, vikram).unwrap(), Some(d(2026, 11, 13)), "late counts");
    assert_eq!(groups_seam::last_aftercare_attendance(c, amit).unwrap(), None);
    let session_of = |on: NaiveDate| -> i64 {
        c.query_row(
            "SELECT id FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            rusqlite::params![g.series, on],
            |r| r.get(0),
        )
        .unwrap()
    };
    let key = format!("s{}", session_of(d(2026, 11, 24)));
    assert_eq!(groups_seam::missed_aftercare_in_row(c, vikram).unwrap(), Some((2, key.clone())));
    assert_eq!(groups_seam::missed_aftercare_in_row(c, rahul).unwrap().map(|m| m.0), Some(1));
    assert_eq!(groups_seam::missed_aftercare_in_row(c, amit).unwrap(), None, "excused is not missed");
    // The worklist shows the last attendance.
    let ctx = cctx(d(2026, 11, 28));
    let rows = worklist::worklist(c, &ctx, WorklistRange::Week).unwrap();
    let row = |p: i64| rows.iter().find(|r| r.patient_id == p).unwrap();
    assert_eq!(row(rahul).last_attended_on, Some(d(2026, 11, 24)));
    assert_eq!(row(vikram).last_attended_on, Some(d(2026, 11, 13)));
    assert_eq!(row(amit).last_attended_on, None);
    // The at-risk list: Vikram for two missed sessions, Rahul not for one.
    let list = risk::at_risk(c, &ctx).unwrap();
    let missed = |p: i64| {
        list.iter()
            .find(|e| e.patient_id == p)
            .and_then(|e| e.reasons.iter().find(|r| r.rule == RiskRule::MissedSessions).cloned())
    };
    let v = missed(vikram).expect("Vikram missed two aftercare sessions in a row");
    assert_eq!((v.count, v.trigger_key.as_str()), (2, key.as_str()));
    assert!(missed(rahul).is_none() && missed(amit).is_none());
    // A cancelled session's marks do not count: cancelling 24-11 leaves one miss (17-11).
    g.w.store
        .write(|tx| {
            crate::groups::series::cancel_occurrence(tx, &cctx(d(2026, 11, 28)), g.series, d(2026, 11, 24), "Rain")
        })
        .unwrap();
    let c = g.w.store.conn();
    assert_eq!(groups_seam::missed_aftercare_in_row(c, vikram).unwrap().map(|m| m.0), Some(1));
    assert_eq!(groups_seam::last_aftercare_attendance(c, rahul).unwrap(), None, "24-11 was cancelled");
    // A marked present again ends the run.
    g.mark(d(2026, 11, 27), 3, Present);
    assert_eq!(groups_seam::missed_aftercare_in_row(g.w.store.conn(), vikram).unwrap(), None);
    let _ = g.group;
}

/// The roster of `the_roster_has_a_section_per_aftercare_session_of_the_week`, printed and
/// read back with poppler's `pdftotext`.
#[cfg(not(windows))]
fn roster_pdf_reads_back(g: &mut GroupWorld, desk: &Ctx) {
    let bytes = g.w.store.write(|tx| roster::roster_pdf(tx, desk, d(2026, 12, 3), Some(false), None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Wednesday, 02-12-2026") && text.contains("Moved from Tuesday, 01-12-2026."));
    assert!(text.contains("Aftercare evening group - CANCELLED") && text.contains("Staff training"));
    assert!(text.contains("Facilitators: Couns, Dr. R. Bhatia"));
    assert!(!text.contains("Relapse triggers"), "only aftercare groups");
    let line = text.lines().find(|l| l.contains("Rahul Sharma") && l.contains("24-11-2026")).expect("Rahul's row");
    assert!(line.contains("98765 43210"), "{line}");
    // Once in the group section and once on the call list; Amit only on the call list.
    assert_eq!(text.matches("Neha Gupta").count(), 2);
    assert_eq!(text.matches("Amit Verma").count(), 1);
}

#[test]
fn the_roster_has_a_section_per_aftercare_session_of_the_week() {
    use crate::groups::attendance::Mark::*;
    use crate::groups::conflicts::SaveOptions;
    use crate::groups::series::{self, OccurrenceChange};
    let mut g = group_world();
    g.mark(d(2026, 11, 24), 0, Present);
    g.mark(d(2026, 11, 27), 3, Late);
    let c = cctx(d(2026, 11, 28));
    // Tuesday 01-12 moves to Wednesday 02-12 at 17:00; Friday 04-12 is cancelled.
    let room2 =
        g.w.store
            .write(|tx| {
                let room2 = crate::groups::save_room(tx, &c, None, "Room 2", true)?;
                let change = OccurrenceChange {
                    date: d(2026, 12, 2),
                    start_time: "17:00".into(),
                    duration_min: 90,
                    room_id: Some(room2),
                    facilitators: vec![2],
                };
                let out = series::move_occurrence(tx, &c, g.series, d(2026, 12, 1), &change, &SaveOptions::default())?;
                assert!(out.saved);
                series::cancel_occurrence(tx, &c, g.series, d(2026, 12, 4), "Staff training")?;
                Ok(room2)
            })
            .unwrap();
    assert!(room2 > 0);
    let desk = dctx(d(2026, 11, 28));
    let doc = roster::roster_doc(g.w.store.conn(), &desk, d(2026, 12, 3), Some(false), None).unwrap();
    assert_eq!(doc.sections.len(), 3, "two aftercare sessions and the call list: {:?}", doc.sections);
    let moved = &doc.sections[0];
    assert_eq!(moved.heading[0], "Aftercare evening group");
    assert_eq!(moved.heading[1], "Wednesday, 02-12-2026   17:00-18:30   Room: Room 2");
    assert_eq!(moved.heading[2], "Facilitators: Couns, Dr. R. Bhatia");
    assert_eq!(moved.heading[3], "Moved from Tuesday, 01-12-2026.");
    // Amit left on 01-12 (the original date) and Neha joined on 02-12 (the new date).
    let names: Vec<&str> = moved.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["Neha Gupta", "Rahul Sharma", "Vikram Yadav"]);
    assert_eq!(moved.rows[0][0], "1");
    assert_eq!(moved.rows[1][2], "98765 43210");
    assert_eq!(moved.rows[1][3], "24-11-2026");
    assert_eq!(moved.rows[2][3], "27-11-2026", "late counts as attended");
    assert_eq!(moved.rows[0][3], "", "never attended");
    assert!(moved.rows.iter().all(|r| !r[4].is_empty()), "every member has a follow-up due");
    let cancelled = &doc.sections[1];
    assert_eq!(cancelled.heading[0], "Aftercare evening group - CANCELLED");
    assert!(cancelled.heading[1].starts_with("Friday, 04-12-2026   18:00-19:30   Room: Hall"));
    assert!(cancelled.heading.iter().any(|h| h.contains("Staff training")));
    assert!(cancelled.rows.is_empty());
    assert_eq!(doc.sections[2].heading[0], "Follow-up calls");

    // The PDF, parsed back (with poppler's pdftotext, which Windows does not have: CI
    // parses a roster made on Windows with it on the Linux side instead).
    #[cfg(not(windows))]
    roster_pdf_reads_back(&mut g, &desk);

    // Privacy mode: first names and initials, no phones.
    let doc = roster::roster_doc(g.w.store.conn(), &desk, d(2026, 12, 3), Some(true), None).unwrap();
    assert_eq!(doc.sections[0].rows[1][1], "Rahul S.");
    assert!(doc.sections[0].rows.iter().all(|r| r[2].is_empty()));
    // A week without aftercare sessions has only the call list.
    let doc = roster::roster_doc(g.w.store.conn(), &desk, d(2026, 10, 28), Some(false), None).unwrap();
    assert_eq!(doc.sections.len(), 1);
}

#[test]
fn discharge_offers_an_aftercare_group_and_refuses_other_groups() {
    use crate::groups::membership;
    let mut s = Store::open_in_memory().unwrap();
    let c = Ctx::at(crate::Actor::system(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    let (p, aftercare, circle) = s
        .write(|tx| {
            tx.execute_batch(
                "INSERT INTO therapy_groups (name, kind, audience, created_at, updated_at)
                     VALUES ('Thursday aftercare', 'aftercare', 'aftercare', 'x', 'x'),
                            ('Morning circle', 'sharing_circle', 'inpatients', 'x', 'x');",
            )?;
            let d = crate::patients::PatientDetails {
                age_years: Some(30),
                ..crate::patients::PatientDetails::new("Ravi Kumar", crate::patients::Gender::Male)
            };
            let admitted = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
            let p =
                crate::patients::create(tx, &c, &crate::patients::NewPatient { details: d, admitted_on: admitted })?;
            Ok((p, 1, 2))
        })
        .unwrap();
    let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let err = s
        .write(|tx| crate::admissions::discharge_with_plan(tx, &c, p, on, DischargeType::Completed, None, Some(circle)))
        .unwrap_err();
    assert_eq!(err.code(), "aftercare_group_only");
    // Nothing was saved by the refused discharge: they are still in the house.
    let phase: String = s.conn().query_row("SELECT phase FROM patients WHERE id = ?1", [p], |r| r.get(0)).unwrap();
    assert_eq!(phase, "inpatient");
    s.write(|tx| {
        crate::admissions::discharge_with_plan(tx, &c, p, on, DischargeType::Completed, None, Some(aftercare))
    })
    .unwrap();
    let members = membership::expected_on(s.conn(), aftercare, on).unwrap();
    assert_eq!(members.len(), 1, "a member from the discharge day");
}
