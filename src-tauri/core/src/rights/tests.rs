use chrono::{Duration, NaiveDate};

use super::breaches::{self, BreachInput, Notice};
use super::*;
use crate::ctx::{Actor, Role};
use crate::db::Store;
use crate::patients::{self, DischargeType, Gender, NewPatient, PatientDetails};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn admin(on: &str) -> Ctx {
    Ctx::at(Actor { staff_id: None, role: Role::Admin }, day(on))
}

fn person(store: &mut Store, name: &str, admitted: &str) -> i64 {
    let new = NewPatient { details: PatientDetails::new(name, Gender::Female), admitted_on: day(admitted) };
    store.write(|tx| patients::create(tx, &admin(admitted), &new)).unwrap()
}

/// Every text of a document's blocks, as printed.
fn texts(blocks: &[crate::pdf::letter::Block]) -> String {
    use crate::pdf::letter::Block;
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(t) | Block::Para(t) => out.push_str(t),
            Block::Fact(a, b) => out.push_str(&format!("{a} {b}")),
            Block::Table(cols, rows) => {
                out.push_str(&cols.join(" "));
                for r in rows {
                    out.push_str(&r.join(" "));
                }
            }
            Block::Gap(_) | Block::Chart(_) => {}
        }
        out.push('\n');
    }
    out
}

fn ask(store: &mut Store, on: &str, kind: RequestKind, patient: Option<i64>) -> Result<i64> {
    let input = RequestInput {
        kind,
        patient_id: patient,
        requester: String::new(),
        summary: "asked".into(),
        received_on: day(on),
    };
    store.write(|tx| open(tx, &admin(on), &input))
}

#[test]
fn a_request_is_due_after_the_setting_and_marked_overdue_once_past() {
    let mut store = Store::open_in_memory().unwrap();
    let p = person(&mut store, "Asha Rani", "2026-10-01");
    let id = ask(&mut store, "2026-11-02", RequestKind::Access, Some(p)).unwrap();
    let r = get(store.conn(), &admin("2026-12-02"), id).unwrap();
    assert_eq!((r.due_on, r.overdue), (day("2026-12-02"), false), "30 days by default, due today is not overdue");
    assert!(get(store.conn(), &admin("2026-12-03"), id).unwrap().overdue);

    // The setting: 1 to 90 days; retention never under 3 years.
    let bad = |store: &mut Store, s: RightsSettings| {
        store.write(|tx| save_settings(tx, &admin("2026-11-02"), &s)).unwrap_err().code()
    };
    assert_eq!(bad(&mut store, RightsSettings { due_days: 91, retention_years: 3 }), "rights_due_days");
    assert_eq!(bad(&mut store, RightsSettings { due_days: 0, retention_years: 3 }), "rights_due_days");
    assert_eq!(bad(&mut store, RightsSettings { due_days: 30, retention_years: 2 }), "rights_retention_years");
    let s = RightsSettings { due_days: 10, retention_years: 5 };
    store.write(|tx| save_settings(tx, &admin("2026-11-02"), &s)).unwrap();
    assert_eq!(settings(store.conn()).unwrap(), s);
    let id = ask(&mut store, "2026-11-02", RequestKind::Grievance, Some(p)).unwrap();
    assert_eq!(get(store.conn(), &admin("2026-11-02"), id).unwrap().due_on, day("2026-11-12"));

    // Refusals of bad input; a grievance may come from someone not on the register.
    assert_eq!(ask(&mut store, "2026-11-02", RequestKind::Access, None).unwrap_err().code(), "rights_patient_missing");
    assert_eq!(
        ask(&mut store, "2026-11-02", RequestKind::Grievance, None).unwrap_err().code(),
        "rights_requester_missing"
    );
    let input = RequestInput {
        kind: RequestKind::Grievance,
        patient_id: None,
        requester: "A neighbour".into(),
        summary: "Noise".into(),
        received_on: day("2026-11-02"),
    };
    let g = store.write(|tx| open(tx, &admin("2026-11-02"), &input)).unwrap();
    let future = RequestInput { received_on: day("2026-11-03"), ..input };
    assert_eq!(store.write(|tx| open(tx, &admin("2026-11-02"), &future)).unwrap_err().code(), "rights_received_future");

    // Only administrators.
    let desk = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, day("2026-11-02"));
    assert_eq!(list(store.conn(), &desk).unwrap_err().code(), "forbidden");

    // Closing: a grievance is done with an outcome; an access request only by its copy.
    let c = admin("2026-11-05");
    assert_eq!(store.write(|tx| close(tx, &c, g, true, " ", None)).unwrap_err().code(), "rights_outcome_missing");
    store.write(|tx| close(tx, &c, g, true, "Spoke to the neighbour.", None)).unwrap();
    let first = ask(&mut store, "2026-11-02", RequestKind::Access, Some(p)).unwrap();
    assert_eq!(store.write(|tx| close(tx, &c, first, true, "x", None)).unwrap_err().code(), "rights_close_kind");
    let listed = list(store.conn(), &c).unwrap();
    assert_eq!(listed.last().map(|r| r.status), Some(RequestStatus::Done), "closed ones last");
    let audited: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action LIKE 'rights_request_%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audited, 5);
}

#[test]
fn an_access_request_is_answered_with_the_copy_and_its_withheld_parts() {
    let mut store = Store::open_in_memory().unwrap();
    let p = person(&mut store, "क्षितिज त्रिपाठी", "2026-10-01");
    store.write(|tx| crate::notes::add(tx, &admin("2026-10-02"), p, "SECRET-NOTE-TEXT")).unwrap();
    let id = ask(&mut store, "2026-11-02", RequestKind::Access, Some(p)).unwrap();
    let withheld = [Withheld { part: AccessPart::Notes, reason: WithholdReason::SeriousHarm }];
    let c = admin("2026-11-03");
    let doc = access_copy::doc(store.conn(), &c, p, Language::Hi, &withheld).unwrap();
    let text = texts(&doc.blocks);
    assert!(text.contains("क्षितिज त्रिपाठी") && !text.contains("SECRET-NOTE-TEXT"));
    assert!(text.contains(crate::pdf::rights_labels::REASON_SERIOUS_HARM.hi));
    let twice = [withheld[0], Withheld { part: AccessPart::Notes, reason: WithholdReason::ThirdParty }];
    assert_eq!(
        store.write(|tx| access_copy::answer(tx, &c, id, Language::Hi, &twice)).unwrap_err().code(),
        "rights_withheld_twice"
    );
    let bytes = store.write(|tx| access_copy::answer(tx, &c, id, Language::Hi, &withheld)).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let r = get(store.conn(), &c, id).unwrap();
    assert_eq!(
        (r.status, r.copy_language, r.withheld.clone()),
        (RequestStatus::Done, Some(Language::Hi), withheld.to_vec())
    );
    let letter = letters::doc(store.conn(), &c, &r, None).unwrap();
    assert!(texts(&letter.blocks).contains(crate::pdf::rights_labels::RL_ACCESS_DONE.en));
    assert!(store.write(|tx| letters::pdf(tx, &c, id, Some(Language::En))).unwrap().starts_with(b"%PDF"));
}

#[test]
fn an_erasure_is_refused_with_the_retention_date_while_records_must_be_kept() {
    let mut store = Store::open_in_memory().unwrap();
    let here = person(&mut store, "Still Here", "2026-10-01");
    let gone = person(&mut store, "Gone Home", "2025-01-01");
    store
        .write(|tx| patients::discharge(tx, &admin("2025-03-01"), gone, day("2025-03-01"), DischargeType::Completed))
        .unwrap();
    let c = admin("2026-12-01");

    let id = ask(&mut store, "2026-12-01", RequestKind::Erasure, Some(here)).unwrap();
    assert_eq!(store.write(|tx| erasure::erase(tx, &c, id, "")).unwrap(), Err(Refusal::StillAdmitted));

    let id = ask(&mut store, "2026-12-01", RequestKind::Erasure, Some(gone)).unwrap();
    let (out, letter) = store.write(|tx| letters::erase_with_letter(tx, &c, id, "", Some(Language::En))).unwrap();
    assert_eq!(out, Err(Refusal::Retention));
    assert!(letter.starts_with(b"%PDF"));
    let r = get(store.conn(), &c, id).unwrap();
    assert_eq!(
        (r.status, r.refusal, r.keep_until),
        (RequestStatus::Refused, Some(Refusal::Retention), Some(day("2028-03-01")))
    );
    let text = texts(&letters::doc(store.conn(), &c, &r, Some(Language::En)).unwrap().blocks);
    assert!(text.contains("until 01-03-2028") && text.contains("3 years"), "{text}");
    let name: String =
        store.conn().query_row("SELECT full_name FROM patients WHERE id = ?1", [gone], |r| r.get(0)).unwrap();
    assert_eq!(name, "Gone Home", "nothing erased");

    // The day the period ends, it is allowed (and a longer setting pushes it back).
    assert_eq!(erasure::check(store.conn(), &admin("2028-03-01"), gone).unwrap(), None);
    let s = RightsSettings { due_days: 30, retention_years: 5 };
    store.write(|tx| save_settings(tx, &c, &s)).unwrap();
    assert_eq!(
        erasure::check(store.conn(), &admin("2028-03-01"), gone).unwrap(),
        Some((Refusal::Retention, Some(day("2030-03-01"))))
    );
}

#[test]
fn an_erasure_carried_out_is_answered_with_a_letter_saying_backups_age_out() {
    let mut store = Store::open_in_memory().unwrap();
    let gone = person(&mut store, "Gone Long Ago", "2020-01-01");
    store
        .write(|tx| patients::discharge(tx, &admin("2020-03-01"), gone, day("2020-03-01"), DischargeType::Completed))
        .unwrap();
    let c = admin("2026-12-01");
    let id = ask(&mut store, "2026-11-20", RequestKind::Erasure, Some(gone)).unwrap();
    let (out, letter) = store.write(|tx| letters::erase_with_letter(tx, &c, id, "", None)).unwrap();
    assert!(out.is_ok() && letter.starts_with(b"%PDF"));
    let r = get(store.conn(), &c, id).unwrap();
    assert_eq!((r.status, r.patient_name.clone()), (RequestStatus::Done, Some(erasure::erased_name(gone))));
    let text = texts(&letters::doc(store.conn(), &c, &r, None).unwrap().blocks);
    assert!(text.contains("within 13 months") && text.contains("13 महीनों के भीतर"), "{text}");
    assert!(text.contains("On 01-12-2026 we erased"), "{text}");
    // Done once: a second erasure of the same request is refused.
    assert_eq!(store.write(|tx| erasure::erase(tx, &c, id, "")).unwrap_err().code(), "rights_request_closed");
}

#[test]
fn the_breach_countdown_runs_from_when_it_was_found() {
    let found = day("2026-11-10").and_hms_opt(9, 0, 0).unwrap();
    let due = found + Duration::hours(breaches::BOARD_HOURS);
    assert_eq!(breaches::countdown(due, found + Duration::hours(41)), (31, false));
    assert_eq!(breaches::countdown(due, found + Duration::minutes(71 * 60 + 59)), (0, false));
    assert_eq!(breaches::countdown(due, found + Duration::hours(73)), (-1, true));

    let mut store = Store::open_in_memory().unwrap();
    let p = person(&mut store, "Asha Rani", "2026-10-01");
    let c = admin("2026-11-12");
    let input = BreachInput {
        what: "A phone with the call list was stolen".into(),
        happened_on: Some(day("2026-11-09")),
        found_at: found,
        whose: "Aftercare people".into(),
        affected: 0,
        patient_ids: vec![p, p],
    };
    let id = store.write(|tx| breaches::record(tx, &c, &input)).unwrap();
    let listed = breaches::list(store.conn(), &c).unwrap();
    assert_eq!((listed[0].affected, listed[0].patient_ids.clone(), listed[0].board_due_at), (1, vec![p], due));
    assert_eq!(breaches::board_due(store.conn(), &c).unwrap().len(), 1);
    let early = found - Duration::hours(1);
    assert_eq!(
        store.write(|tx| breaches::notified(tx, &c, id, Notice::Board, early)).unwrap_err().code(),
        "breach_notice_time"
    );
    store.write(|tx| breaches::notified(tx, &c, id, Notice::Board, found + Duration::hours(20))).unwrap();
    assert!(breaches::board_due(store.conn(), &c).unwrap().is_empty());
    assert_eq!(
        store
            .write(|tx| breaches::notified(tx, &c, id, Notice::Board, found + Duration::hours(21)))
            .unwrap_err()
            .code(),
        "breach_notice_recorded"
    );
    let bad = BreachInput { what: " ".into(), ..input.clone() };
    assert_eq!(store.write(|tx| breaches::record(tx, &c, &bad)).unwrap_err().code(), "breach_what_missing");
    let after = BreachInput { happened_on: Some(day("2026-11-11")), ..input };
    assert_eq!(store.write(|tx| breaches::record(tx, &c, &after)).unwrap_err().code(), "breach_happened_after_found");
}

mod erasure_on_disk;
