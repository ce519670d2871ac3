//! Every register and the sign-in sheet on a small centre built by hand in a fresh
//! database: rows, counts and serial numbers checked against what was entered.
use chrono::NaiveDate;
use rusqlite::params;

use super::*;
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::groups::attendance::{self, DropIn, Mark};
use crate::groups::conflicts::SaveOptions;
use crate::groups::membership::{self, Person};
use crate::groups::recurrence::{Day, Freq, Rule};
use crate::groups::series::{self, Held, SeriesInput};
use crate::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use crate::patients::{self, DischargeType, Gender, NewPatient, PatientDetails};
use crate::settings::Language;
use crate::staff::{self, StaffInput};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Centre {
    store: Store,
    counsellor: i64,
    front: i64,
    amit: i64,
    priya: i64,
    group: i64,
    series: i64,
}

impl Centre {
    fn ctx(&self, today: &str) -> Ctx {
        Ctx::at(Actor { staff_id: Some(self.counsellor), role: Role::Counsellor }, d(today))
    }
}

fn admit(tx: &rusqlite::Transaction<'_>, ctx: &Ctx, name: &str, g: Gender, on: &str) -> crate::Result<i64> {
    let details = PatientDetails { age_years: Some(30), ..PatientDetails::new(name, g) };
    patients::create(tx, ctx, &NewPatient { details, admitted_on: d(on) })
}

/// Two people (one re-admitted), one out of range, a weekly group with two sessions held
/// and one not recorded, two follow-up attempts, two certificates.
fn centre() -> Centre {
    let mut store = Store::open_in_memory().unwrap();
    let sys = Ctx::at(Actor::system(), d("2026-10-01"));
    let (counsellor, front) = store
        .write(|tx| {
            let mk = |name: &str, role| {
                staff::create(tx, &sys, &StaffInput { full_name: name.into(), role, username: None }, None)
            };
            Ok((mk("Meera Iyer", Role::Counsellor)?, mk("Sunil Rawat", Role::FrontDesk)?))
        })
        .unwrap();
    let c = Ctx::at(Actor { staff_id: Some(counsellor), role: Role::Counsellor }, d("2026-11-01"));
    let district = crate::districts::districts()[0].clone();
    let (amit, priya, group, series_id) = store
        .write(|tx| {
            admit(tx, &c, "Rahul Sharma", Gender::Male, "2025-12-20")?;
            let amit = admit(tx, &c, "Amit Verma", Gender::Male, "2026-03-01")?;
            let priya = admit(tx, &c, "Priya Mehta", Gender::Female, "2026-03-05")?;
            patients::discharge(tx, &c, amit, d("2026-04-10"), DischargeType::Completed)?;
            patients::readmit(tx, &c, amit, d("2026-06-01"))?;
            tx.execute(
                "INSERT INTO case_records (patient_id, state_code, district_code, referral_source, updated_at)
                 VALUES (?1, ?2, ?3, 'family', '2026-03-01T10:00:00Z')",
                params![amit, district.state_code, district.code],
            )?;
            // Amit agrees to his full name on printed lists; Priya does not.
            tx.execute(
                "INSERT INTO consents (patient_id, kind, given, decided_on, how, recorded_at)
                 VALUES (?1, 'full_name_on_lists', 1, '2026-03-01', 'signed_form', '2026-03-01T10:00:00Z')",
                [amit],
            )?;
            let g = groups::create(
                tx,
                &c,
                &GroupInput {
                    name: "Tuesday circle".into(),
                    kind: GroupKind::SharingCircle,
                    topic: "Staying sober".into(),
                    audience: Audience::Mixed,
                    gender_rule: GenderRule::Any,
                    closed: false,
                    mandatory: false,
                    capacity: None,
                    default_room_id: None,
                    facilitators: vec![counsellor],
                    guest_facilitators: "Dr. Kapoor".into(),
                    status: GroupStatus::Active,
                    notes: String::new(),
                },
            )?;
            let s = SeriesInput {
                rule: Rule {
                    freq: Freq::Weekly,
                    interval: 1,
                    weekdays: vec![Day::Tu],
                    month_week: None,
                    start: d("2026-11-03"),
                    until: None,
                    count: None,
                },
                start_time: "10:00".into(),
                duration_min: 60,
                room_id: None,
                facilitators: vec![counsellor],
            };
            let out = series::add(tx, &c, g, &s, &SaveOptions::default())?;
            membership::join(tx, &c, g, Person::Patient(amit), d("2026-11-01"))?;
            membership::join(tx, &c, g, Person::Patient(priya), d("2026-11-01"))?;
            Ok((amit, priya, g, out.series_id.unwrap()))
        })
        .unwrap();
    let later = Ctx::at(Actor { staff_id: Some(counsellor), role: Role::Counsellor }, d("2026-11-26"));
    store
        .write(|tx| {
            let s = series_id;
            attendance::mark(tx, &later, s, d("2026-11-03"), Person::Patient(amit), Mark::Present, "")?;
            attendance::mark(tx, &later, s, d("2026-11-03"), Person::Patient(priya), Mark::Absent, "")?;
            let walk_in = DropIn { patient_id: None, name: "Walk-in Guest".into() };
            attendance::add_dropin(tx, &later, s, d("2026-11-03"), &walk_in, Mark::Present)?;
            attendance::set_held(tx, &later, s, d("2026-11-03"), Held::Held, "", "Cravings")?;
            attendance::mark(tx, &later, s, d("2026-11-10"), Person::Patient(amit), Mark::Late, "")?;
            attendance::set_held(tx, &later, s, d("2026-11-10"), Held::Held, "", "")?;
            // 17-11: not recorded, so not in the register.
            tx.execute(
                "INSERT INTO aftercare_plans (patient_id, template_name, rules, started_on, status, created_at)
                 VALUES (?1, 'Standard', '[]', '2026-10-01', 'active', '2026-10-01T10:00:00Z')",
                [priya],
            )?;
            let plan = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO aftercare_followups (plan_id, patient_id, due_on, next_try_on) VALUES (?1, ?2, '2026-11-05', '2026-11-05')",
                params![plan, priya],
            )?;
            let f = tx.last_insert_rowid();
            for (on, result, status, counselling) in
                [("2026-11-06", "no_answer", None, None), ("2026-11-07", "reached", Some("sober"), Some(1))]
            {
                tx.execute(
                    "INSERT INTO aftercare_attempts (followup_id, patient_id, at, on_date, staff_id, method, result, status, counselling)
                     VALUES (?1, ?2, ?3, ?3, ?4, 'phone', ?5, ?6, ?7)",
                    params![f, priya, on, counsellor, result, status, counselling],
                )?;
            }
            let first_stay: i64 =
                tx.query_row("SELECT min(id) FROM stays WHERE patient_id = ?1", [amit], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO certificates (patient_id, kind, from_on, to_on, attended, expected, purpose, language, issued_on, issued_at, issued_by)
                 VALUES (?1, 'attendance', '2026-11-01', '2026-11-20', 2, 3, 'Court', 'en', '2026-11-20', '2026-11-20T10:00:00Z', ?2)",
                params![amit, counsellor],
            )?;
            let cert = tx.last_insert_rowid();
            for _ in 0..2 {
                tx.execute(
                    "INSERT INTO certificate_prints (certificate_id, printed_at, printed_by) VALUES (?1, '2026-11-20T10:00:00Z', ?2)",
                    params![cert, counsellor],
                )?;
            }
            tx.execute(
                "INSERT INTO certificates (patient_id, kind, stay_id, programme_completed, language, issued_on, issued_at, issued_by)
                 VALUES (?1, 'treatment', ?2, 1, 'hi', '2026-11-21', '2026-11-21T10:00:00Z', ?3)",
                params![amit, first_stay, counsellor],
            )?;
            Ok(())
        })
        .unwrap();
    Centre { store, counsellor, front, amit, priya, group, series: series_id }
}

fn req(kind: RegisterKind) -> RegisterRequest {
    RegisterRequest { kind, from: d("2026-01-01"), to: d("2026-12-31") }
}

#[test]
fn every_register_has_its_rows_and_serials() {
    let c = centre();
    let ctx = c.ctx("2026-11-26");
    let conn = c.store.conn();
    let stays: Vec<(i64, i64)> = conn
        .prepare("SELECT id, patient_id FROM stays ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();

    let Rows::Admissions(adm) = rows(conn, &ctx, &req(RegisterKind::Admissions)).unwrap() else { panic!() };
    // Rahul (2025) is out of range; Amit twice (re-admission), Priya once, in entry order.
    let got: Vec<(i64, i64, u32)> = adm.iter().map(|r| (r.serial, r.patient_id, r.stay_no)).collect();
    assert_eq!(got, vec![(stays[1].0, c.amit, 1), (stays[2].0, c.priya, 1), (stays[3].0, c.amit, 2)]);
    assert_eq!(adm[0].referral_source.as_deref(), Some("family"));
    assert_eq!(adm[0].district_code, Some(crate::districts::districts()[0].code));
    assert_eq!(adm[1].gender, "female");
    assert_eq!(adm[1].admission_basis, "independent");

    let Rows::Discharges(dis) = rows(conn, &ctx, &req(RegisterKind::Discharges)).unwrap() else { panic!() };
    assert_eq!(dis.len(), 1);
    assert_eq!(
        (dis[0].serial, dis[0].discharged_on, dis[0].discharge_type.as_str()),
        (stays[1].0, d("2026-04-10"), "completed")
    );

    let Rows::FollowUps(fu) = rows(conn, &ctx, &req(RegisterKind::FollowUps)).unwrap() else { panic!() };
    let got: Vec<(&str, Option<&str>, Option<bool>)> =
        fu.iter().map(|r| (r.result.as_str(), r.status.as_deref(), r.counselling)).collect();
    assert_eq!(got, vec![("no_answer", None, None), ("reached", Some("sober"), Some(true))]);
    assert!(fu[0].serial < fu[1].serial);
    assert_eq!((fu[0].due_on, fu[0].staff.as_str()), (d("2026-11-05"), "Meera Iyer"));

    let Rows::Sessions(ses) = rows(conn, &ctx, &req(RegisterKind::Sessions)).unwrap() else { panic!() };
    let got: Vec<(NaiveDate, &str, u32, u32, u32, u32)> =
        ses.iter().map(|r| (r.date, r.topic.as_str(), r.expected, r.present, r.absent, r.dropins)).collect();
    assert_eq!(got, vec![(d("2026-11-03"), "Cravings", 2, 1, 1, 1), (d("2026-11-10"), "Staying sober", 2, 1, 0, 0)]);
    assert_eq!(ses[0].facilitators, vec!["Meera Iyer".to_owned(), "Dr. Kapoor".to_owned()]);
    assert_eq!(ses[0].time, "10:00-11:00");
    let stored: Vec<i64> = conn
        .prepare("SELECT id FROM group_sessions WHERE held = 'held' ORDER BY date")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ses.iter().map(|r| r.serial).collect::<Vec<_>>(), stored);

    let Rows::Certificates(cer) = rows(conn, &ctx, &req(RegisterKind::Certificates)).unwrap() else { panic!() };
    let got: Vec<(&str, u32, Option<u32>, Option<bool>)> =
        cer.iter().map(|r| (r.kind.as_str(), r.prints, r.attended, r.programme_completed)).collect();
    assert_eq!(got, vec![("attendance", 2, Some(2), None), ("treatment", 0, None, Some(true))]);
    assert_eq!(cer[1].admitted_on, Some(d("2026-03-01")));

    // The printed register: privacy as asked, Hindi labels, one row per entry.
    let doc = doc::register_doc(conn, &ctx, &req(RegisterKind::Admissions), Some(false), Some(Language::Hi)).unwrap();
    let rows_ = &doc.sections[0].rows;
    assert_eq!(rows_.len(), 3);
    assert_eq!(rows_[0][2], "Amit Verma", "consented: full name");
    assert_eq!(rows_[1][2], "Priya M.", "no consent: first name and initial");
    assert_eq!(rows_[0][5], "परिवार");
    assert!(doc.title.starts_with("भर्ती रजिस्टर"));
    let private = doc::register_doc(conn, &ctx, &req(RegisterKind::Admissions), Some(true), None).unwrap();
    assert_eq!(private.sections[0].rows[0][2], "Amit V.");
    let bytes = csv_out::to_csv(&rows(conn, &ctx, &req(RegisterKind::Admissions)).unwrap(), true).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("Amit V.") && !text.contains("Amit Verma"), "privacy in the CSV too: {text}");

    // CSV: one row per entry under a header, parsed back.
    let bytes = csv_out::to_csv(&Rows::Sessions(ses.clone()), true).unwrap();
    let mut r = ::csv::Reader::from_reader(bytes.as_slice());
    let recs: Vec<::csv::StringRecord> = r.records().collect::<std::result::Result<_, _>>().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].iter().skip(7).collect::<Vec<_>>(), vec!["2", "1", "1", "1"]);
}

#[test]
fn a_back_dated_entry_never_renumbers_the_printed_ones() {
    let mut c = centre();
    let ctx = c.ctx("2026-11-26");
    let before = doc::register_doc(c.store.conn(), &ctx, &req(RegisterKind::Admissions), Some(false), None).unwrap();
    let sessions_before =
        doc::register_doc(c.store.conn(), &ctx, &req(RegisterKind::Sessions), Some(false), None).unwrap();
    // Entered today, admitted back in February; a session of 17-11 recorded late.
    let late = c.ctx("2026-11-27");
    let (series, amit) = (c.series, c.amit);
    let new = c
        .store
        .write(|tx| {
            attendance::mark(tx, &late, series, d("2026-11-17"), Person::Patient(amit), Mark::Present, "")?;
            admit(tx, &late, "Deepak Negi", Gender::Male, "2026-02-01")
        })
        .unwrap();
    let after = doc::register_doc(c.store.conn(), &ctx, &req(RegisterKind::Admissions), Some(false), None).unwrap();
    let (b, a) = (&before.sections[0].rows, &after.sections[0].rows);
    assert_eq!(a.len(), b.len() + 1);
    for row in b {
        assert!(a.contains(row), "an earlier entry is printed exactly as before: {row:?}");
    }
    let added = a.iter().find(|r| r[2] == "Deepak N.").unwrap();
    let max_before = b.iter().map(|r| r[0].parse::<i64>().unwrap()).max().unwrap();
    assert!(added[0].parse::<i64>().unwrap() > max_before, "the new entry gets the next number");
    let Rows::Admissions(adm) = rows(c.store.conn(), &ctx, &req(RegisterKind::Admissions)).unwrap() else { panic!() };
    assert_eq!(adm.last().map(|r| r.patient_id), Some(new), "entered last, listed last");

    let sessions_after =
        doc::register_doc(c.store.conn(), &ctx, &req(RegisterKind::Sessions), Some(false), None).unwrap();
    let (b, a) = (&sessions_before.sections[0].rows, &sessions_after.sections[0].rows);
    assert_eq!(a.len(), 3);
    for row in b {
        assert!(a.contains(row), "{row:?}");
    }
}

#[test]
fn the_front_desk_does_not_print_registers_and_ranges_are_checked() {
    let c = centre();
    let desk = Ctx::at(Actor { staff_id: Some(c.front), role: Role::FrontDesk }, d("2026-11-26"));
    assert!(matches!(rows(c.store.conn(), &desk, &req(RegisterKind::Admissions)), Err(crate::Error::Forbidden { .. })));
    let ctx = c.ctx("2026-11-26");
    let backwards = RegisterRequest { kind: RegisterKind::Sessions, from: d("2026-12-01"), to: d("2026-11-01") };
    assert!(rows(c.store.conn(), &ctx, &backwards).is_err());
    // The sign-in sheet is for whoever runs the day.
    assert!(sign_in::sign_in_doc(c.store.conn(), &desk, c.group, d("2026-11-10"), None, None).is_ok());
}

#[test]
fn the_sign_in_sheet_lists_the_members_then_blank_rows() {
    let c = centre();
    let ctx = c.ctx("2026-11-26");
    let doc = sign_in::sign_in_doc(c.store.conn(), &ctx, c.group, d("2026-11-10"), None, Some(Language::En)).unwrap();
    assert_eq!(doc.sections.len(), 1);
    let s = &doc.sections[0];
    assert_eq!(s.heading[0], "Tuesday circle");
    assert!(s.heading.iter().any(|h| h == "Facilitators: Meera Iyer, Dr. Kapoor"), "{:?}", s.heading);
    assert!(s.heading.iter().any(|h| h == "Topic: Staying sober"), "{:?}", s.heading);
    // Privacy mode by default; members in name order, then blank rows numbered on.
    assert_eq!(s.rows.len(), 2 + sign_in::BLANK_ROWS);
    assert_eq!(s.rows[0][1], "Amit V.");
    assert_eq!(s.rows[0][3], "03-11-2026", "last attended this group before the day");
    assert_eq!(s.rows[1][1], "Priya M.");
    assert_eq!(s.rows[2], vec!["3".to_owned()]);
    assert_eq!(s.columns.last().map(|col| col.kind), Some(crate::pdf::ColumnKind::Blank));
    let full = sign_in::sign_in_doc(c.store.conn(), &ctx, c.group, d("2026-11-10"), Some(false), None).unwrap();
    assert_eq!(full.sections[0].rows[0][1], "Amit Verma");
    assert_eq!(full.sections[0].rows[1][1], "Priya M.", "no consent: private even in full mode");
    // No session that day.
    assert!(sign_in::sign_in_doc(c.store.conn(), &ctx, c.group, d("2026-11-11"), None, None).is_err());
    let _ = c.priya;
}

#[test]
fn a_long_sign_in_sheet_runs_over_pages_with_the_header_repeated() {
    let mut c = centre();
    let setup = c.ctx("2026-11-01");
    let group = c.group;
    c.store
        .write(|tx| {
            for i in 0..40 {
                let p = admit(tx, &setup, &format!("Member Number{i:02}"), Gender::Male, "2026-10-01")?;
                membership::join(tx, &setup, group, Person::Patient(p), d("2026-11-01"))?;
            }
            Ok(())
        })
        .unwrap();
    let ctx = c.ctx("2026-11-26");
    let bytes =
        c.store.write(|tx| sign_in::sign_in_pdf(tx, &ctx, group, d("2026-11-24"), None, Some(Language::En))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() else {
        eprintln!("pdftotext is not installed: skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Page 2 of 2"), "{text}");
    assert!(text.contains("Tuesday circle (continued)"));
    assert_eq!(text.matches("Signature").count(), 2, "the header row on each page");
    assert!(text.contains("Member N."));
}
