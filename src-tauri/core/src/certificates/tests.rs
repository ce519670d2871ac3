//! Certificates on a real (in-memory) store: counts against a hand count and the groups
//! report, the consent rule for the substance, the register's serials, duplicates.
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;

use super::*;
use crate::consents::ConsentHow;
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::groups::attendance::{self, Mark};
use crate::groups::conflicts::SaveOptions;
use crate::groups::membership::{self, JoinOutcome, LeaveReason, Person};
use crate::groups::recurrence::{Day, Freq, Rule};
use crate::groups::series::{Held, SeriesInput};
use crate::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use crate::patients::{self, DischargeType, Gender, NewPatient, PatientDetails};
use crate::staff::{self, StaffInput};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct World {
    store: Store,
    w: Ids,
}

#[derive(Clone, Copy)]
struct Ids {
    counsellor: i64,
    front: i64,
    patient: i64,
}

impl Ids {
    fn ctx(&self, role: Role, on: &str) -> Ctx {
        let id = if role == Role::FrontDesk { self.front } else { self.counsellor };
        Ctx::at(Actor { staff_id: Some(id), role }, d(on))
    }
}

fn group(name: &str) -> GroupInput {
    GroupInput {
        name: name.into(),
        kind: GroupKind::GroupTherapy,
        topic: String::new(),
        audience: Audience::Inpatients,
        gender_rule: GenderRule::Any,
        closed: false,
        mandatory: false,
        capacity: None,
        default_room_id: None,
        facilitators: vec![],
        guest_facilitators: String::new(),
        status: GroupStatus::Active,
        notes: String::new(),
    }
}

fn weekly(start: &str, day: Day) -> SeriesInput {
    SeriesInput {
        rule: Rule {
            freq: Freq::Weekly,
            interval: 1,
            weekdays: vec![day],
            month_week: None,
            start: d(start),
            until: None,
            count: None,
        },
        start_time: "10:00".into(),
        duration_min: 60,
        room_id: None,
        facilitators: vec![],
    }
}

/// One patient in two weekly groups in March 2026, with these sessions (P = the patient):
///
/// Monday group A (P a member 02-03 to 23-03): 02-03 held, P present; 09-03 held, P
/// absent; 16-03 held, P late; 23-03 did not take place; 30-03 held (P no longer a member,
/// came as a drop-in).
/// Wednesday group B (P a member from 18-03): 04-03 held (before P joined); 11-03 held;
/// 18-03 held, P present; 25-03 held, P not marked; 01-04 held, P excused.
///
/// By hand, 01-03 to 31-03: expected A 02, 09, 16 + B 18, 25 = 5; attended 02, 16, 18 = 3.
/// 01-03 to 01-04 adds B's 01-04 (excused): expected 6, attended 3.
fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    let sys = Ctx::at(Actor::system(), d("2026-01-01"));
    let (counsellor, front, patient) = store
        .write(|tx| {
            let mk = |name: &str, role| {
                staff::create(tx, &sys, &StaffInput { full_name: name.into(), role, username: None }, None)
            };
            let c = mk("Meera Iyer", Role::Counsellor)?;
            let f = mk("Sunil Rawat", Role::FrontDesk)?;
            let details = PatientDetails { age_years: Some(31), ..PatientDetails::new("Amit Verma", Gender::Male) };
            let p = patients::create(tx, &sys, &NewPatient { details, admitted_on: d("2026-01-01") })?;
            Ok((c, f, p))
        })
        .unwrap();
    let w = Ids { counsellor, front, patient };
    let p = Person::Patient(patient);
    let c = |on: &str| w.ctx(Role::Counsellor, on);
    let (a, b, sa, sb) = store
        .write(|tx| {
            let start = c("2026-03-01");
            let a = groups::create(tx, &start, &group("Monday group"))?;
            let b = groups::create(tx, &start, &group("Wednesday group"))?;
            let sa = series_id(crate::groups::series::add(
                tx,
                &start,
                a,
                &weekly("2026-03-02", Day::Mo),
                &SaveOptions::default(),
            )?);
            let sb = series_id(crate::groups::series::add(
                tx,
                &start,
                b,
                &weekly("2026-03-04", Day::We),
                &SaveOptions::default(),
            )?);
            let JoinOutcome::Joined { membership_id } = membership::join(tx, &start, a, p, d("2026-03-02"))? else {
                panic!("joined")
            };
            membership::leave(tx, &c("2026-03-23"), membership_id, d("2026-03-23"), LeaveReason::MovedGroup)?;
            membership::join(tx, &start, b, p, d("2026-03-18"))?;
            Ok((a, b, sa, sb))
        })
        .unwrap();
    let _ = (a, b);
    store
        .write(|tx| {
            let held = |series: i64, on: &str| attendance::set_held(tx, &c(on), series, d(on), Held::Held, "", "Topic");
            let mark = |series: i64, on: &str, m: Mark| attendance::mark(tx, &c(on), series, d(on), p, m, "");
            held(sa, "2026-03-02")?;
            mark(sa, "2026-03-02", Mark::Present)?;
            held(sa, "2026-03-09")?;
            mark(sa, "2026-03-09", Mark::Absent)?;
            held(sa, "2026-03-16")?;
            mark(sa, "2026-03-16", Mark::Late)?;
            attendance::set_held(tx, &c("2026-03-23"), sa, d("2026-03-23"), Held::NotHeld, "Holiday", "")?;
            held(sa, "2026-03-30")?;
            attendance::add_dropin(
                tx,
                &c("2026-03-30"),
                sa,
                d("2026-03-30"),
                &attendance::DropIn { patient_id: Some(w.patient), name: String::new() },
                Mark::Present,
            )?;
            held(sb, "2026-03-04")?;
            held(sb, "2026-03-11")?;
            held(sb, "2026-03-18")?;
            mark(sb, "2026-03-18", Mark::Present)?;
            held(sb, "2026-03-25")?;
            held(sb, "2026-04-01")?;
            mark(sb, "2026-04-01", Mark::Excused)?;
            Ok(())
        })
        .unwrap();
    World { store, w }
}

fn series_id(out: crate::groups::conflicts::SaveOutcome) -> i64 {
    out.series_id.expect("the series was saved")
}

fn attendance_input(w: &Ids, from: &str, to: &str) -> CertificateInput {
    CertificateInput {
        patient_id: w.patient,
        kind: CertificateKind::Attendance,
        from: Some(d(from)),
        to: Some(d(to)),
        stay_id: None,
        purpose: "District court, Dehradun".into(),
        language: CertificateLanguage::En,
        substance: String::new(),
        consent_how: None,
        consent_witness: String::new(),
    }
}

#[test]
fn attendance_counts_equal_the_hand_count_and_the_groups_report() {
    let World { mut store, w } = world();
    let conn = store.conn();
    assert_eq!(attendance_counts(conn, w.patient, d("2026-03-01"), d("2026-03-31")).unwrap(), (3, 5));
    assert_eq!(attendance_counts(conn, w.patient, d("2026-03-01"), d("2026-04-01")).unwrap(), (3, 6));
    assert_eq!(attendance_counts(conn, w.patient, d("2026-03-10"), d("2026-03-17")).unwrap(), (1, 1));
    assert_eq!(attendance_counts(conn, w.patient, d("2026-02-01"), d("2026-02-28")).unwrap(), (0, 0));
    // The same model as the groups module's attendance report.
    let ctx = w.ctx(Role::Counsellor, "2026-04-10");
    for (from, to) in [("2026-03-01", "2026-03-31"), ("2026-03-01", "2026-04-01"), ("2026-03-10", "2026-03-17")] {
        let report = crate::groups::reports::report(conn, &ctx, d(from), d(to), None).unwrap();
        let mine = report.people.iter().filter(|r| r.person == Person::Patient(w.patient));
        let (attended, expected) = mine.fold((0, 0), |(a, e), r| (a + r.attended, e + r.expected));
        assert_eq!(attendance_counts(conn, w.patient, d(from), d(to)).unwrap(), (attended, expected), "{from}..{to}");
    }
    // Issued, the counts are stored as counted.
    let id = store.write(|tx| issue(tx, &ctx, &attendance_input(&w, "2026-03-01", "2026-03-31"))).unwrap();
    let c = get(store.conn(), &ctx, id).unwrap();
    assert_eq!((c.attended, c.expected, c.patient_name.as_str()), (Some(3), Some(5), "Amit Verma"));
    assert_eq!(c.issued_by.as_deref(), Some("Meera Iyer"));
}

#[test]
fn the_substance_needs_consent_for_this_certificate() {
    let World { mut store, w } = world();
    let ctx = w.ctx(Role::Counsellor, "2026-04-10");
    let mut code = |input: &CertificateInput| store.write(|tx| issue(tx, &ctx, input)).map(|_| ()).unwrap_err().code();
    let mut input = attendance_input(&w, "2026-03-01", "2026-03-31");
    input.substance = "Alcohol".into();
    assert_eq!(code(&input), "certificate_substance_consent");
    input.consent_how = Some(ConsentHow::Register);
    assert_eq!(code(&input), "certificate_consent_how");
    input.consent_how = Some(ConsentHow::VerbalWitnessed);
    assert_eq!(code(&input), "certificate_witness_missing");
    input.consent_witness = "Sita Devi (mother)".into();
    let id = store.write(|tx| issue(tx, &ctx, &input)).unwrap();
    let c = get(store.conn(), &ctx, id).unwrap();
    assert_eq!((c.substance.as_str(), c.consent_how), ("Alcohol", Some(ConsentHow::VerbalWitnessed)));
    // Without a substance, no consent is recorded (nothing to consent to).
    let plain = attendance_input(&w, "2026-03-01", "2026-03-31");
    let id2 = store
        .write(|tx| issue(tx, &ctx, &CertificateInput { consent_how: Some(ConsentHow::SignedForm), ..plain }))
        .unwrap();
    assert_eq!(get(store.conn(), &ctx, id2).unwrap().consent_how, None);
    // The database itself refuses a substance without consent.
    let bypass = store.conn().execute(
        "INSERT INTO certificates (patient_id, kind, stay_id, programme_completed, substance, language, issued_on, issued_at)
         VALUES (?1, 'treatment', 1, 1, 'Alcohol', 'en', '2026-04-10', 'x')",
        [w.patient],
    );
    assert!(bypass.is_err());
}

#[test]
fn who_may_issue_and_what_a_treatment_certificate_needs() {
    let World { mut store, w } = world();
    let desk = w.ctx(Role::FrontDesk, "2026-04-10");
    let err = store.write(|tx| issue(tx, &desk, &attendance_input(&w, "2026-03-01", "2026-03-31"))).unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let ctx = w.ctx(Role::Counsellor, "2026-04-10");
    let treatment = CertificateInput {
        kind: CertificateKind::Treatment,
        from: None,
        to: None,
        ..attendance_input(&w, "2026-03-01", "2026-03-31")
    };
    assert_eq!(store.write(|tx| issue(tx, &ctx, &treatment)).unwrap_err().code(), "certificate_stay_open");
    let future = attendance_input(&w, "2026-03-01", "2026-05-01");
    assert_eq!(store.write(|tx| issue(tx, &ctx, &future)).unwrap_err().code(), "certificate_to_future");
    store.write(|tx| patients::discharge(tx, &ctx, w.patient, d("2026-04-10"), DischargeType::Completed)).unwrap();
    let later = w.ctx(Role::Counsellor, "2026-04-12");
    let id = store.write(|tx| issue(tx, &later, &treatment)).unwrap();
    let c = get(store.conn(), &later, id).unwrap();
    assert_eq!(
        (c.admitted_on, c.discharged_on, c.programme_completed),
        (Some(d("2026-01-01")), Some(d("2026-04-10")), Some(true))
    );
    // Re-admitted and left against advice: the latest finished stay, not completed.
    store.write(|tx| patients::readmit(tx, &later, w.patient, d("2026-04-12"))).unwrap();
    let after = w.ctx(Role::Counsellor, "2026-05-01");
    store
        .write(|tx| patients::discharge(tx, &after, w.patient, d("2026-04-30"), DischargeType::AgainstAdvice))
        .unwrap();
    let id2 = store.write(|tx| issue(tx, &after, &treatment)).unwrap();
    let c2 = get(store.conn(), &after, id2).unwrap();
    assert_eq!((c2.admitted_on, c2.programme_completed), (Some(d("2026-04-12")), Some(false)));
    assert_eq!(id2, id + 1, "serials follow each other");
    let list = for_patient(store.conn(), &after, w.patient).unwrap();
    assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id2, id]);
}

/// The PDF's text layer, by poppler's `pdftotext`; `None` in the Windows test run (under
/// Wine there is no poppler: the Linux run reads every certificate back).
fn pdftotext(pdf: &Path) -> Option<String> {
    if cfg!(windows) {
        return None;
    }
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    // Words only: the layout may break a sentence over lines.
    Some(String::from_utf8(out.stdout).expect("utf-8 text").split_whitespace().collect::<Vec<_>>().join(" "))
}

#[test]
fn a_reprint_is_a_duplicate_that_says_what_was_issued() {
    let World { mut store, w } = world();
    let ctx = w.ctx(Role::Counsellor, "2026-04-10");
    let mut input = attendance_input(&w, "2026-03-01", "2026-03-31");
    input.language = CertificateLanguage::Both;
    input.substance = "Alcohol".into();
    input.consent_how = Some(ConsentHow::SignedForm);
    let id = store.write(|tx| issue(tx, &ctx, &input)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (first, dup1) = store.write(|tx| print::pdf(tx, &ctx, id)).unwrap();
    // The register changes afterwards (a late mark): the certificate does not.
    store
        .write(|tx| {
            tx.execute("UPDATE group_attendance SET status = 'present' WHERE status = 'absent'", [])?;
            Ok(())
        })
        .unwrap();
    let later = w.ctx(Role::Counsellor, "2026-04-20");
    let (second, dup2) = store.write(|tx| print::pdf(tx, &later, id)).unwrap();
    assert!(!dup1 && dup2);
    let p1 = dir.path().join("first.pdf");
    let p2 = dir.path().join("second.pdf");
    std::fs::write(&p1, first).unwrap();
    std::fs::write(&p2, second).unwrap();
    if let (Some(t1), Some(t2)) = (pdftotext(&p1), pdftotext(&p2)) {
        assert!(!t1.contains("DUPLICATE"), "{t1}");
        assert!(t2.contains("DUPLICATE") && t2.contains("डुप्लिकेट"), "{t2}");
        for t in [&t1, &t2] {
            assert!(t.contains("Amit Verma"));
            assert!(t.contains("attended 3 of the 5 group sessions"), "{t}");
            assert!(t.contains("Alcohol"));
            assert!(t.contains("उपस्थिति प्रमाणपत्र"));
            assert!(t.contains("Certificate no."));
        }
        assert!(t2.contains("the original was printed on 10-04-2026"), "{t2}");
    }
    let prints: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM certificate_prints WHERE certificate_id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert_eq!(prints, 2);
    assert_eq!(get(store.conn(), &later, id).unwrap().prints, 2);
    // Without consent, no substance is printed.
    let plain = store.write(|tx| issue(tx, &ctx, &attendance_input(&w, "2026-03-01", "2026-03-31"))).unwrap();
    let (bytes, _) = store.write(|tx| print::pdf(tx, &ctx, plain)).unwrap();
    let p3 = dir.path().join("plain.pdf");
    std::fs::write(&p3, bytes).unwrap();
    if let Some(t3) = pdftotext(&p3) {
        assert!(!t3.contains("Alcohol") && !t3.contains("substance"), "{t3}");
        assert!(t3.contains("No diagnosis"));
    }
}
