//! Outcomes against a cohort built by hand in a fresh database.
use chrono::NaiveDate;
use rusqlite::params;

use super::*;
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::groups::membership::{self, JoinOutcome, LeaveReason, Person};
use crate::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use crate::patients::{self, DischargeType, Gender, NewPatient, PatientDetails};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(on: &str) -> Ctx {
    Ctx::at(Actor::system(), d(on))
}

fn cp(day: u32, f: [u32; 10]) -> Checkpoint {
    Checkpoint {
        day,
        due: f[0],
        reached: f[1],
        sober: f[2],
        lapse: f[3],
        relapse: f[4],
        unknown: f[5],
        not_reached: f[6],
        readmitted: f[7],
        lost: f[8],
        in_group: f[9],
    }
}

/// Four discharges between 01-01-2026 and 31-03-2026, seen on 01-03-2027 (and one
/// outside the period):
/// - A, out 10-01: reached sober on 20-01 (counselling), lapse on 01-03, no answer on
///   05-03, sober on 01-06, reached without a status on 06-11; in an aftercare group
///   15-01 to 01-05.
/// - B, out 01-02: no answer 05-02, relapse on 20-02 (monitoring); re-admitted 15-04
///   (out again 01-06, outside the period), no calls after.
/// - C, out 20-03: reached sober on 25-03 (counselling), never again.
/// - D, out 31-03: never called.
/// - E, out 31-12-2025: calls, but outside the period.
fn cohort() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    store
        .write(|tx| {
            let mut ids = Vec::new();
            for (name, admitted, out) in [
                ("A", "2025-12-01", "2026-01-10"),
                ("B", "2026-01-05", "2026-02-01"),
                ("C", "2026-02-01", "2026-03-20"),
                ("D", "2026-03-01", "2026-03-31"),
                ("E", "2025-11-01", "2025-12-31"),
            ] {
                let details = PatientDetails { age_years: Some(30), ..PatientDetails::new(name, Gender::Male) };
                let id = patients::create(tx, &at(admitted), &NewPatient { details, admitted_on: d(admitted) })?;
                patients::discharge(tx, &at(out), id, d(out), DischargeType::Completed)?;
                tx.execute(
                    "INSERT INTO aftercare_plans (patient_id, template_name, rules, started_on, status, closed_on,
                        close_reason, created_at)
                     VALUES (?1, 'Test', '[]', ?2, 'closed', ?2, 'other', 'x')",
                    params![id, out],
                )?;
                let plan = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO aftercare_followups (plan_id, patient_id, due_on, next_try_on, status, closed_on)
                     VALUES (?1, ?2, ?3, ?3, 'done', ?3)",
                    params![plan, id, out],
                )?;
                ids.push((id, tx.last_insert_rowid()));
            }
            let call = |who: usize, on: &str, result: &str, status: Option<&str>, counselling: Option<bool>| {
                let (patient, followup) = ids[who];
                tx.execute(
                    "INSERT INTO aftercare_attempts (followup_id, patient_id, at, on_date, method, result, status,
                        counselling)
                     VALUES (?1, ?2, 'x', ?3, 'visit', ?4, ?5, ?6)",
                    params![followup, patient, on, result, status, counselling],
                )
            };
            call(0, "2026-01-20", "reached", Some("sober"), Some(true))?;
            call(0, "2026-03-01", "reached", Some("lapse"), Some(false))?;
            call(0, "2026-03-05", "no_answer", None, None)?;
            call(0, "2026-06-01", "reached", Some("sober"), None)?;
            call(0, "2026-11-06", "reached", None, Some(false))?;
            call(1, "2026-02-05", "no_answer", None, None)?;
            call(1, "2026-02-20", "reached", Some("relapse"), Some(false))?;
            call(2, "2026-03-25", "spoke_to_family", Some("sober"), Some(true))?;
            call(4, "2026-01-05", "reached", Some("relapse"), Some(true))?;
            patients::readmit(tx, &at("2026-04-15"), ids[1].0, d("2026-04-15"))?;
            patients::discharge(tx, &at("2026-06-01"), ids[1].0, d("2026-06-01"), DischargeType::AgainstAdvice)?;
            let group = groups::create(
                tx,
                &at("2026-01-01"),
                &GroupInput {
                    name: "Aftercare Saturday".into(),
                    kind: GroupKind::Aftercare,
                    topic: String::new(),
                    audience: Audience::Aftercare,
                    gender_rule: GenderRule::Any,
                    closed: false,
                    mandatory: false,
                    capacity: None,
                    default_room_id: None,
                    facilitators: vec![],
                    guest_facilitators: String::new(),
                    status: GroupStatus::Active,
                    notes: String::new(),
                },
            )?;
            let JoinOutcome::Joined { membership_id } =
                membership::join(tx, &at("2026-01-15"), group, Person::Patient(ids[0].0), d("2026-01-15"))?
            else {
                panic!("joined")
            };
            membership::leave(tx, &at("2026-05-01"), membership_id, d("2026-05-01"), LeaveReason::Completed)?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn figures_equal_the_hand_count() {
    let store = cohort();
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, d("2027-03-01"));
    let o = outcomes(store.conn(), &ctx, d("2026-01-01"), d("2026-03-31")).unwrap();
    let all = &o.cohorts[0];
    assert_eq!((all.cohort, all.discharged, all.relapse_90), (OutcomeCohort::All, 4, 1));
    //                      due rch sob lap rel unk not rdm lost grp
    assert_eq!(
        all.checkpoints,
        vec![
            cp(30, [4, 3, 2, 0, 1, 0, 1, 0, 1, 1]),
            cp(90, [4, 1, 0, 1, 0, 0, 3, 1, 2, 1]),
            cp(180, [4, 1, 1, 0, 0, 0, 3, 1, 2, 0]),
            cp(365, [2, 1, 0, 0, 0, 1, 1, 1, 0, 0]),
        ]
    );
    // Counselling: A and C; monitoring only: B and D.
    let counselling = &o.cohorts[1];
    assert_eq!(
        (counselling.cohort, counselling.discharged, counselling.relapse_90),
        (OutcomeCohort::Counselling, 2, 0)
    );
    assert_eq!(
        counselling.checkpoints,
        vec![
            cp(30, [2, 2, 2, 0, 0, 0, 0, 0, 0, 1]),
            cp(90, [2, 1, 0, 1, 0, 0, 1, 0, 1, 1]),
            cp(180, [2, 1, 1, 0, 0, 0, 1, 0, 1, 0]),
            cp(365, [1, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
        ]
    );
    let monitoring = &o.cohorts[2];
    assert_eq!((monitoring.cohort, monitoring.discharged, monitoring.relapse_90), (OutcomeCohort::Monitoring, 2, 1));
    assert_eq!(
        monitoring.checkpoints,
        vec![
            cp(30, [2, 1, 0, 0, 1, 0, 1, 0, 1, 0]),
            cp(90, [2, 0, 0, 0, 0, 0, 2, 1, 1, 0]),
            cp(180, [2, 0, 0, 0, 0, 0, 2, 1, 1, 0]),
            cp(365, [1, 0, 0, 0, 0, 0, 1, 1, 0, 0]),
        ]
    );
    // The split adds up to everyone, figure by figure.
    for (i, p) in all.checkpoints.iter().enumerate() {
        for f in FIGURES {
            assert_eq!(p.figure(f), counselling.checkpoints[i].figure(f) + monitoring.checkpoints[i].figure(f), "{f}");
        }
    }
    // Earlier, fewer checkpoints have come: on 15-05-2026 only day 30 for all, day 90 for A and B.
    let early = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, d("2026-05-15"));
    let e = outcomes(store.conn(), &early, d("2026-01-01"), d("2026-03-31")).unwrap();
    let dues: Vec<u32> = e.cohorts[0].checkpoints.iter().map(|p| p.due).collect();
    assert_eq!(dues, vec![4, 2, 0, 0]);
    // The CSV has one figure per row.
    let csv = to_csv(&o);
    assert!(csv.starts_with("cohort,day,figure,value\n"));
    assert!(csv.contains("all,,discharged,4\n") && csv.contains("all,90,lost,2\n"));
    assert!(csv.contains("monitoring,,relapse_90,1\n") && csv.contains("counselling,30,in_group,1\n"));
    assert_eq!(csv.lines().count(), 1 + 3 * (2 + 4 * FIGURES.len()));
}

#[test]
fn the_front_desk_does_not_see_outcomes_and_the_period_is_checked() {
    let store = cohort();
    let desk = Ctx::at(Actor { staff_id: None, role: Role::FrontDesk }, d("2027-03-01"));
    assert_eq!(outcomes(store.conn(), &desk, d("2026-01-01"), d("2026-03-31")).unwrap_err().code(), "forbidden");
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, d("2027-03-01"));
    assert_eq!(outcomes(store.conn(), &ctx, d("2026-03-31"), d("2026-01-01")).unwrap_err().code(), "range_reversed");
    let empty = outcomes(store.conn(), &ctx, d("2020-01-01"), d("2020-12-31")).unwrap();
    assert_eq!(empty.cohorts[0].discharged, 0);
}
