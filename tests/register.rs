//! Acceptance tests of the patient register on a real database file.
use saathi_core::patients::{self, DischargeType, PatientQuery, Phase};
use saathi_core::staff::{self, StaffInput};
use saathi_core::{Role, settings};
use saathi_tests::{TempStore, ctx, date, details, new_patient};

type Op<'a> = dyn Fn(&rusqlite::Transaction<'_>) -> saathi_core::Result<()> + 'a;

fn names(ts: &TempStore, text: &str) -> Vec<String> {
    let q = PatientQuery { text: text.into(), limit: 100, ..Default::default() };
    patients::search(ts.store.conn(), &ctx(), &q).unwrap().rows.into_iter().map(|r| r.full_name).collect()
}

#[test]
fn names_in_three_scripts_are_found_by_any_part_after_a_restart() {
    let mut ts = TempStore::new();
    let c = ctx();
    for n in ["क्षितिज त्रिपाठी", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "Kshitij Rao", "प्रीति शर्मा"]
    {
        ts.store.write(|tx| patients::create(tx, &c, &new_patient(n, "2026-11-01"))).unwrap();
    }
    let ts = ts.reopen();
    assert_eq!(names(&ts, "क्षि"), ["क्षितिज त्रिपाठी"]);
    assert_eq!(names(&ts, "त्रिपा"), ["क्षितिज त्रिपाठी"]);
    assert_eq!(names(&ts, "ਸਿੰਘ"), ["ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"]);
    assert_eq!(names(&ts, "ਪ੍ਰੀ"), ["ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"]);
    assert_eq!(names(&ts, "kshi"), ["Kshitij Rao"]);
    assert_eq!(names(&ts, "RAO"), ["Kshitij Rao"]);
    assert_eq!(names(&ts, "प्री"), ["प्रीति शर्मा"]);
    // One and two letters fall back to a plain scan and still find matches.
    assert_eq!(names(&ts, "k").len(), 1);
    assert_eq!(names(&ts, "zz").len(), 0);
    assert_eq!(names(&ts, "").len(), 4);
}

#[test]
fn preferred_name_and_phone_digits_are_searchable() {
    let mut ts = TempStore::new();
    let c = ctx();
    let mut d = details("Mohammed Irfan");
    d.preferred_name = "Bablu".into();
    d.phone = "+91 98140-12345".into();
    d.family_phone = "0172 2712345".into();
    ts.store
        .write(|tx| patients::create(tx, &c, &patients::NewPatient { details: d, admitted_on: date("2026-10-01") }))
        .unwrap();
    ts.store.write(|tx| patients::create(tx, &c, &new_patient("Other Person", "2026-10-01"))).unwrap();
    for q in ["babl", "9814012345", "98140 12345", "+91 98140", "098140-1", "40-123", "2712345", "0172 271"] {
        assert_eq!(names(&ts, q), ["Mohammed Irfan"], "query {q:?}");
    }
    assert!(names(&ts, "5555").is_empty());
}

#[test]
fn discharge_and_readmission_keep_a_history_of_stays() {
    let mut ts = TempStore::new();
    let c = ctx();
    let id = ts.store.write(|tx| patients::create(tx, &c, &new_patient("Ravi Kumar", "2025-01-10"))).unwrap();
    ts.store.write(|tx| patients::discharge(tx, &c, id, date("2025-03-10"), DischargeType::Completed)).unwrap();
    assert_eq!(patients::get(ts.store.conn(), &c, id).unwrap().phase, Phase::Aftercare);
    ts.store.write(|tx| patients::readmit(tx, &c, id, date("2026-06-01"))).unwrap();
    ts.store.write(|tx| patients::discharge(tx, &c, id, date("2026-08-01"), DischargeType::AgainstAdvice)).unwrap();
    let ts = ts.reopen();
    let p = patients::get(ts.store.conn(), &c, id).unwrap();
    let stays: Vec<_> = p.stays.iter().map(|s| (s.admitted_on, s.discharged_on, s.discharge_type)).collect();
    assert_eq!(
        stays,
        [
            (date("2025-01-10"), Some(date("2025-03-10")), Some(DischargeType::Completed)),
            (date("2026-06-01"), Some(date("2026-08-01")), Some(DischargeType::AgainstAdvice)),
        ]
    );
    let row =
        &patients::search(ts.store.conn(), &ctx(), &PatientQuery { limit: 10, ..Default::default() }).unwrap().rows[0];
    assert_eq!(row.last_admitted_on, Some(date("2026-06-01")));
    assert_eq!(row.last_discharged_on, Some(date("2026-08-01")));
}

#[test]
fn rule_breaking_input_gets_a_plain_message_and_saves_nothing() {
    let mut ts = TempStore::new();
    let c = ctx();
    let id = ts.store.write(|tx| patients::create(tx, &c, &new_patient("Ravi Kumar", "2026-11-01"))).unwrap();
    let before = patients::get(ts.store.conn(), &c, id).unwrap();

    let cases: Vec<(&str, Box<Op<'_>>)> = vec![
        ("name_empty", Box::new(|tx| patients::create(tx, &c, &new_patient(" ", "2026-11-01")).map(drop))),
        ("admission_future", Box::new(|tx| patients::create(tx, &c, &new_patient("A B", "2026-12-25")).map(drop))),
        (
            "discharge_before_admission",
            Box::new(|tx| patients::discharge(tx, &c, id, date("2026-10-01"), DischargeType::Completed)),
        ),
        (
            "discharge_future",
            Box::new(|tx| patients::discharge(tx, &c, id, date("2027-01-01"), DischargeType::Completed)),
        ),
        ("already_admitted", Box::new(|tx| patients::readmit(tx, &c, id, date("2026-11-20")))),
        ("archive_inpatient", Box::new(|tx| patients::set_archived(tx, &c, id, true))),
        ("phase_needs_stay", Box::new(|tx| patients::set_phase(tx, &c, id, Phase::Alumni))),
        (
            "birth_date_future",
            Box::new(|tx| {
                let mut d = details("Ravi Kumar");
                d.birth_date = Some(date("2027-01-01"));
                patients::update(tx, &c, id, &d)
            }),
        ),
        (
            "phone_too_short",
            Box::new(|tx| {
                let mut d = details("Ravi Kumar");
                d.phone = "98140-123".into();
                patients::update(tx, &c, id, &d)
            }),
        ),
        ("not_found", Box::new(|tx| patients::discharge(tx, &c, 9999, date("2026-11-20"), DischargeType::Completed))),
    ];
    for (code, op) in cases {
        let err = ts.store.write(|tx| op(tx)).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert!(!err.to_string().is_empty() && !err.to_string().contains("rusqlite"), "plain message: {err}");
    }
    let after = patients::get(ts.store.conn(), &c, id).unwrap();
    assert_eq!(after.details, before.details);
    assert_eq!(after.stays, before.stays);
    assert_eq!(patients::counts(ts.store.conn(), &ctx()).unwrap().inpatients, 1);
}

#[test]
fn archived_patients_are_hidden_but_never_deleted() {
    let mut ts = TempStore::new();
    let c = ctx();
    let id = ts.store.write(|tx| patients::create(tx, &c, &new_patient("Sunil Negi", "2026-01-01"))).unwrap();
    ts.store.write(|tx| patients::discharge(tx, &c, id, date("2026-02-01"), DischargeType::Referred)).unwrap();
    ts.store.write(|tx| patients::set_archived(tx, &c, id, true)).unwrap();
    assert!(names(&ts, "sunil").is_empty());
    let all = PatientQuery { text: "sunil".into(), include_archived: true, limit: 10, ..Default::default() };
    assert_eq!(patients::search(ts.store.conn(), &ctx(), &all).unwrap().rows.len(), 1);
    assert_eq!(patients::counts(ts.store.conn(), &ctx()).unwrap().aftercare, 0);
    // Even raw SQL cannot delete a patient.
    let err = ts.store.conn().execute("DELETE FROM patients WHERE id = ?1", [id]).unwrap_err();
    assert!(err.to_string().contains("never deleted"), "{err}");
    ts.store.write(|tx| patients::set_archived(tx, &c, id, false)).unwrap();
    assert_eq!(names(&ts, "sunil"), ["Sunil Negi"]);
}

#[test]
fn pages_are_sorted_and_complete() {
    let mut ts = TempStore::new();
    let c = ctx();
    ts.store
        .write(|tx| {
            for i in (0..125).rev() {
                patients::create(tx, &c, &new_patient(&format!("Person {i:03}"), "2026-11-01"))?;
            }
            Ok(())
        })
        .unwrap();
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = patients::search(ts.store.conn(), &ctx(), &PatientQuery { offset, limit: 50, ..Default::default() })
            .unwrap();
        assert_eq!(page.total, 125);
        if page.rows.is_empty() {
            break;
        }
        offset += page.rows.len() as u32;
        seen.extend(page.rows.into_iter().map(|r| r.full_name));
    }
    let expected: Vec<String> = (0..125).map(|i| format!("Person {i:03}")).collect();
    assert_eq!(seen, expected);
}

#[test]
fn staff_and_settings_persist() {
    let mut ts = TempStore::new();
    let c = ctx();
    let id = ts
        .store
        .write(|tx| {
            staff::create(
                tx,
                &c,
                &StaffInput { full_name: "Meera Iyer".into(), role: Role::Counsellor, username: None },
                None,
            )
        })
        .unwrap();
    ts.store.write(|tx| staff::set_active(tx, &c, id, false)).unwrap();
    ts.store.write(|tx| settings::set_language(tx, &c, settings::Language::Hi)).unwrap();
    let ts = ts.reopen();
    let s = staff::get(ts.store.conn(), id).unwrap();
    assert_eq!((s.full_name.as_str(), s.role, s.active), ("Meera Iyer", Role::Counsellor, false));
    assert_eq!(settings::get(ts.store.conn()).unwrap().language, settings::Language::Hi);
    let err = ts.store.conn().execute("UPDATE staff SET role = 'owner'", []).unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}
