//! One month built by hand in a fresh database file, every figure and breakdown checked
//! against the count worked out below; a quarter against the sum of its months.
use chrono::NaiveDate;
use rusqlite::{Transaction, params};

use super::*;
use crate::counselling::{self, CounsellingInput, CounsellingKind};
use crate::ctx::{Actor, Role};
use crate::db::Store;
use crate::outreach::{self, OutreachInput, OutreachKind};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const AMRITSAR: u16 = 49;
const LUDHIANA: u16 = 41;

struct P<'a> {
    name: &'a str,
    gender: &'a str,
    birth: Option<&'a str>,
    age: Option<(i64, &'a str)>,
    register: &'a str,
    history: &'a [&'a str],
    district: Option<u16>,
}

fn patient(tx: &Transaction<'_>, p: P<'_>) -> i64 {
    tx.execute(
        "INSERT INTO patients (full_name, gender, birth_date, age_years, age_recorded_on, substances, phase,
                               search_text, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'inpatient', lower(?1), '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
        params![p.name, p.gender, p.birth, p.age.map(|a| a.0), p.age.map(|a| a.1), p.register],
    )
    .unwrap();
    let id = tx.last_insert_rowid();
    if let Some(code) = p.district {
        tx.execute(
            "INSERT INTO case_records (patient_id, state_code, district_code, updated_at) VALUES (?1, 3, ?2, 'x')",
            params![id, code],
        )
        .unwrap();
    }
    for (i, s) in p.history.iter().enumerate() {
        tx.execute(
            "INSERT INTO substance_history (patient_id, position, substance) VALUES (?1, ?2, ?3)",
            params![id, i as i64 + 1, s],
        )
        .unwrap();
    }
    id
}

fn stay(tx: &Transaction<'_>, id: i64, from: &str, to: Option<(&str, &str)>) {
    tx.execute(
        "INSERT INTO stays (patient_id, admitted_on, discharged_on, discharge_type, created_at) VALUES (?1, ?2, ?3, ?4, 'x')",
        params![id, from, to.map(|t| t.0), to.map(|t| t.1)],
    )
    .unwrap();
}

fn plan(tx: &Transaction<'_>, id: i64, started: &str, closed: Option<&str>) -> i64 {
    tx.execute(
        "INSERT INTO aftercare_plans (patient_id, template_name, rules, started_on, status, closed_on, close_reason, created_at)
         VALUES (?1, 'T', '[]', ?2, CASE WHEN ?3 IS NULL THEN 'active' ELSE 'closed' END, ?3,
                 CASE WHEN ?3 IS NULL THEN NULL ELSE 'completed' END, 'x')",
        params![id, started, closed],
    )
    .unwrap();
    tx.last_insert_rowid()
}

fn followup(tx: &Transaction<'_>, plan: i64, id: i64, due: &str, status: &str) -> i64 {
    tx.execute(
        "INSERT INTO aftercare_followups (plan_id, patient_id, due_on, next_try_on, status, closed_on)
         VALUES (?1, ?2, ?3, ?3, ?4, CASE WHEN ?4 = 'open' THEN NULL ELSE ?3 END)",
        params![plan, id, due, status],
    )
    .unwrap();
    tx.last_insert_rowid()
}

fn attempt(tx: &Transaction<'_>, f: i64, id: i64, on: &str, result: &str, status: Option<&str>) {
    tx.execute(
        "INSERT INTO aftercare_attempts (followup_id, patient_id, at, on_date, method, result, status)
         VALUES (?1, ?2, 'x', ?3, 'phone', ?4, ?5)",
        params![f, id, on, result, status],
    )
    .unwrap();
}

fn group(tx: &Transaction<'_>, kind: &str) -> i64 {
    tx.execute(
        "INSERT INTO therapy_groups (name, kind, audience, created_at, updated_at) VALUES (?1, ?1, 'mixed', 'x', 'x')",
        [kind],
    )
    .unwrap();
    let g = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO group_series (group_id, lineage_id, freq, start_date, start_time, duration_min, valid_from, created_at)
         VALUES (?1, ?1, 'once', '2026-01-01', '10:00', 60, '2026-01-01', 'x')",
        [g],
    )
    .unwrap();
    tx.last_insert_rowid()
}

fn session(tx: &Transaction<'_>, series: i64, on: &str, held: &str, cancelled: bool) -> i64 {
    tx.execute(
        "INSERT INTO group_sessions (series_id, original_date, date, start_time, duration_min, held, cancelled, updated_at)
         VALUES (?1, ?2, ?2, '10:00', 60, ?3, ?4, 'x')",
        params![series, on, held, cancelled],
    )
    .unwrap();
    tx.last_insert_rowid()
}

enum Who<'a> {
    Patient(i64),
    Family(i64),
    DropIn(&'a str),
}

fn mark(tx: &Transaction<'_>, s: i64, who: Who<'_>, status: &str) {
    let (p, f, n) = match who {
        Who::Patient(p) => (Some(p), None, None),
        Who::Family(f) => (None, Some(f), None),
        Who::DropIn(n) => (None, None, Some(n)),
    };
    tx.execute(
        "INSERT INTO group_attendance (session_id, patient_id, family_member_id, dropin_name, dropin, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?4 IS NOT NULL, ?5, 'x')",
        params![s, p, f, n, status],
    )
    .unwrap();
}

struct Month {
    _dir: tempfile::TempDir,
    store: Store,
    ids: Vec<(&'static str, i64)>,
}

fn admin() -> Ctx {
    Ctx::at(Actor { staff_id: None, role: Role::Admin }, d("2026-04-30"))
}

/// March 2026 at a small centre (the hand counts are in the test below).
fn march() -> Month {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("saathi.db")).unwrap();
    let ctx = admin();
    let mut ids = Vec::new();
    store
        .write(|tx| {
            let mut add = |name: &'static str, p: P<'_>| {
                let id = patient(tx, P { name, ..p });
                ids.push((name, id));
                id
            };
            let base =
                P { name: "", gender: "male", birth: None, age: None, register: "[]", history: &[], district: None };
            // P1: male, 25 in March, alcohol, Amritsar. First stay from 05-03, still in.
            let p1 =
                add("P1", P { birth: Some("2000-06-15"), history: &["alcohol"], district: Some(AMRITSAR), ..base });
            stay(tx, p1, "2026-03-05", None);
            // P2: female, 40 noted 2025-01-01 (41 now), the register's one substance
            // (opioids), no case record. Came back on 10-03, left against advice 25-03.
            let p2 =
                add("P2", P { gender: "female", age: Some((40, "2025-01-01")), register: r#"["opioids"]"#, ..base });
            stay(tx, p2, "2025-06-01", Some(("2025-08-01", "completed")));
            stay(tx, p2, "2026-03-10", Some(("2026-03-25", "against_advice")));
            // P3: male, 66, two substances on the register (so: unknown), Amritsar.
            // In since January, completed 15-03; a plan from 15-03.
            let p3 = add(
                "P3",
                P { birth: Some("1960-01-01"), register: r#"["alcohol","tobacco"]"#, district: Some(AMRITSAR), ..base },
            );
            stay(tx, p3, "2026-01-10", Some(("2026-03-15", "completed")));
            // P4: other, 17, cannabis first then alcohol, Ludhiana. Absconded on 31-03.
            let p4 = add(
                "P4",
                P {
                    gender: "other",
                    age: Some((17, "2026-01-01")),
                    history: &["cannabis", "alcohol"],
                    district: Some(LUDHIANA),
                    ..base
                },
            );
            stay(tx, p4, "2026-02-20", Some(("2026-03-31", "absconded")));
            // P5: male, age unknown, prescription drugs, Ludhiana. In since February.
            let p5 = add("P5", P { history: &["prescription"], district: Some(LUDHIANA), ..base });
            stay(tx, p5, "2026-02-01", None);
            // P6: female, born 15-03-1990 (35, then 36 from 15-03), tobacco, no district.
            // Admitted on the first day, an administrative discharge on 20-03.
            let p6 = add("P6", P { gender: "female", birth: Some("1990-03-15"), history: &["tobacco"], ..base });
            stay(tx, p6, "2026-03-01", Some(("2026-03-20", "administrative")));
            // P7: female, 45, nothing about substances. Discharged in February (referred);
            // her plan's follow-ups and calls fall in March.
            let p7 = add("P7", P { gender: "female", birth: Some("1980-07-01"), ..base });
            stay(tx, p7, "2026-01-01", Some(("2026-02-28", "referred")));
            // P8: male, 22, opioids, Amritsar. First stay 02-03 to 08-03 (referred), back
            // on 20-03 and still in.
            let p8 =
                add("P8", P { age: Some((22, "2026-03-01")), history: &["opioids"], district: Some(AMRITSAR), ..base });
            stay(tx, p8, "2026-03-02", Some(("2026-03-08", "referred")));
            stay(tx, p8, "2026-03-20", None);

            // Aftercare. P7: due 02-03 and 09-03 (done), 16-03 (skipped), 23-03
            // (cancelled), 06-04; calls 02-03 no answer, 03-03 sober, 09-03 lapse, 30-03
            // relapse.
            let pl = plan(tx, p7, "2026-02-28", None);
            let f1 = followup(tx, pl, p7, "2026-03-02", "done");
            let f2 = followup(tx, pl, p7, "2026-03-09", "done");
            followup(tx, pl, p7, "2026-03-16", "skipped");
            followup(tx, pl, p7, "2026-03-23", "cancelled");
            let f5 = followup(tx, pl, p7, "2026-04-06", "open");
            attempt(tx, f1, p7, "2026-03-02", "no_answer", None);
            attempt(tx, f1, p7, "2026-03-03", "reached", Some("sober"));
            attempt(tx, f2, p7, "2026-03-09", "reached", Some("lapse"));
            attempt(tx, f5, p7, "2026-03-30", "reached", Some("relapse"));
            // P3: due 17-03; spoke to the family on 17-03, reached him on 18-03 (no status).
            let pl = plan(tx, p3, "2026-03-15", None);
            let f = followup(tx, pl, p3, "2026-03-17", "open");
            attempt(tx, f, p3, "2026-03-17", "spoke_to_family", None);
            attempt(tx, f, p3, "2026-03-18", "reached", None);
            // Lost to follow-up (the cut is 31-12-2025): P9 (male, 55) reached only before
            // it; P13 (female, age unknown) never reached, plan closed after March. Not
            // lost: P10 (reached 15-01), P11 (plan closed in February), P12 (plan too new),
            // P14 (never reached himself, but his family was spoken to on 20-02).
            let p9 = add("P9", P { birth: Some("1970-05-05"), ..base });
            let pl = plan(tx, p9, "2025-10-01", None);
            let f = followup(tx, pl, p9, "2025-12-01", "done");
            attempt(tx, f, p9, "2025-12-01", "reached", Some("sober"));
            let f = followup(tx, pl, p9, "2026-02-10", "open");
            attempt(tx, f, p9, "2026-02-10", "no_answer", None);
            let p10 = add("P10", P { ..base });
            let pl = plan(tx, p10, "2025-11-01", None);
            let f = followup(tx, pl, p10, "2026-01-15", "done");
            attempt(tx, f, p10, "2026-01-15", "reached", Some("sober"));
            let p11 = add("P11", P { ..base });
            plan(tx, p11, "2025-09-01", Some("2026-02-01"));
            let p12 = add("P12", P { ..base });
            plan(tx, p12, "2026-01-05", None);
            let p13 = add("P13", P { gender: "female", ..base });
            plan(tx, p13, "2025-06-01", Some("2026-04-10"));
            let p14 = add("P14", P { ..base });
            let pl = plan(tx, p14, "2025-08-01", None);
            let f = followup(tx, pl, p14, "2026-02-20", "done");
            attempt(tx, f, p14, "2026-02-20", "spoke_to_family", None);

            // Groups.
            let circle = group(tx, "sharing_circle");
            let therapy = group(tx, "group_therapy");
            let family = group(tx, "family_support");
            let hosted = group(tx, "hosted_meeting");
            tx.execute(
                "INSERT INTO family_members (name, relation, patient_id, created_at) VALUES ('F1', 'Mother', ?1, 'x')",
                [p5],
            )?;
            let f1 = tx.last_insert_rowid();
            let s = session(tx, circle, "2026-03-03", "held", false);
            mark(tx, s, Who::Patient(p1), "present");
            mark(tx, s, Who::Patient(p5), "late");
            mark(tx, s, Who::Patient(p8), "absent");
            mark(tx, s, Who::DropIn("Guest"), "present");
            let s = session(tx, circle, "2026-03-10", "held", false);
            mark(tx, s, Who::Patient(p1), "present");
            mark(tx, s, Who::Patient(p5), "excused");
            let s = session(tx, therapy, "2026-03-12", "held", false);
            mark(tx, s, Who::Patient(p5), "present");
            mark(tx, s, Who::Patient(p8), "present");
            session(tx, therapy, "2026-03-19", "not_held", false);
            let s = session(tx, family, "2026-03-14", "held", false);
            mark(tx, s, Who::Family(f1), "present");
            mark(tx, s, Who::Patient(p5), "present");
            session(tx, hosted, "2026-03-21", "held", false);
            session(tx, circle, "2026-03-24", "not_recorded", true);
            let s = session(tx, circle, "2026-04-01", "held", false);
            mark(tx, s, Who::Patient(p1), "present");
            let s = session(tx, therapy, "2026-02-28", "held", false);
            mark(tx, s, Who::Patient(p5), "present");

            // Counselling: P1 06-03 individual and 20-03 family, P2 12-03, P6 27-02
            // (February) and 15-03 (her 36th birthday).
            let c = |on: &str, kind| CounsellingInput {
                on_date: d(on),
                kind,
                duration_min: Some(45),
                note: "Talked.".into(),
            };
            counselling::record(tx, &ctx, p1, &c("2026-03-06", CounsellingKind::Individual))?;
            counselling::record(tx, &ctx, p1, &c("2026-03-20", CounsellingKind::Family))?;
            counselling::record(tx, &ctx, p2, &c("2026-03-12", CounsellingKind::Individual))?;
            counselling::record(tx, &ctx, p6, &c("2026-02-27", CounsellingKind::Individual))?;
            counselling::record(tx, &ctx, p6, &c("2026-03-15", CounsellingKind::Individual))?;

            // Outreach: a school in Amritsar (120), a camp with no district (45), a school
            // in Ludhiana (30); a radio talk in April (1000).
            let o = |on: &str, kind, district, n| OutreachInput {
                on_date: d(on),
                kind,
                place: "Somewhere".into(),
                district_code: district,
                people_reached: n,
                note: String::new(),
            };
            outreach::add(tx, &ctx, &o("2026-03-05", OutreachKind::School, Some(AMRITSAR), 120))?;
            outreach::add(tx, &ctx, &o("2026-03-18", OutreachKind::Camp, None, 45))?;
            outreach::add(tx, &ctx, &o("2026-03-28", OutreachKind::School, Some(LUDHIANA), 30))?;
            outreach::add(tx, &ctx, &o("2026-04-02", OutreachKind::Media, None, 1000))?;
            Ok(())
        })
        .unwrap();
    Month { _dir: dir, store, ids }
}

/// Every breakdown of a figure that is not zero, as `code=value`, in the figure's order.
fn nonzero(s: &Statistics, f: Figure) -> Vec<String> {
    let row = s.figure(f).unwrap();
    let mut out = vec![format!("total={}", row.total)];
    for split in &row.splits {
        for c in split.counts.iter().filter(|c| c.value != 0) {
            out.push(format!("{}:{}={}", split.dimension.as_str(), c.code, c.value));
        }
    }
    out
}

fn expect(s: &Statistics, f: Figure, want: &str) {
    let got = nonzero(s, f);
    let want: Vec<String> = want.split_whitespace().map(str::to_owned).collect();
    assert_eq!(got, want, "{}", f.as_str());
}

#[test]
fn every_figure_of_a_month_built_by_hand_matches_the_hand_count() {
    let m = march();
    let s = compute(m.store.conn(), &admin(), &Period::parse("2026-03").unwrap()).unwrap();
    assert_eq!((s.from, s.to, s.period.as_str()), (d("2026-03-01"), d("2026-03-31"), "2026-03"));
    let (a, l) = (AMRITSAR, LUDHIANA);
    // New: P6 (01-03, 35), P8 (02-03, 22), P1 (05-03, 25).
    expect(
        &s,
        Figure::AdmissionsNew,
        &format!(
            "total=3 sex:female=1 sex:male=2 age:18_25=2 age:26_35=1 substance:alcohol=1 substance:opioids=1 \
             substance:tobacco=1 district:{a}=2 district:unknown=1"
        ),
    );
    // Re-admissions: P2 (41) and P8.
    expect(
        &s,
        Figure::Readmissions,
        &format!(
            "total=2 sex:female=1 sex:male=1 age:18_25=1 age:36_45=1 substance:opioids=2 district:{a}=1 district:unknown=1"
        ),
    );
    // Discharges: P8 referred, P3 completed, P6 administrative (at 36), P2 against
    // advice, P4 absconded.
    expect(
        &s,
        Figure::Discharges,
        &format!(
            "total=5 type:completed=1 type:against_advice=1 type:referred=1 type:absconded=1 type:administrative=1 \
             sex:female=2 sex:male=2 sex:other=1 age:under_18=1 age:18_25=1 age:36_45=2 age:over_60=1 \
             substance:opioids=2 substance:cannabis=1 substance:tobacco=1 substance:unknown=1 \
             district:{a}=2 district:{l}=1 district:unknown=2"
        ),
    );
    // In on 01-03: P3, P4, P5 (P6 came that day; P7 left the day before).
    expect(
        &s,
        Figure::InpatientsStart,
        &format!(
            "total=3 sex:male=2 sex:other=1 age:under_18=1 age:over_60=1 age:unknown=1 substance:cannabis=1 \
             substance:prescription=1 substance:unknown=1 district:{l}=2 district:{a}=1"
        ),
    );
    // In at the end of 31-03: P1, P5, P8 (P4 left that day).
    expect(
        &s,
        Figure::InpatientsEnd,
        &format!(
            "total=3 sex:male=3 age:18_25=2 age:unknown=1 substance:alcohol=1 substance:opioids=1 \
             substance:prescription=1 district:{a}=2 district:{l}=1"
        ),
    );
    // Due: P7's 02-03, 09-03, 16-03 (skipped) and P3's 17-03; not the cancelled one.
    expect(
        &s,
        Figure::FollowupsDue,
        &format!(
            "total=4 sex:female=3 sex:male=1 age:36_45=3 age:over_60=1 substance:unknown=4 district:{a}=1 district:unknown=3"
        ),
    );
    expect(
        &s,
        Figure::FollowupAttempts,
        &format!(
            "total=6 sex:female=4 sex:male=2 age:36_45=4 age:over_60=2 substance:unknown=6 district:{a}=2 district:unknown=4"
        ),
    );
    expect(
        &s,
        Figure::FollowupsReached,
        &format!(
            "total=4 status:sober=1 status:lapse=1 status:relapse=1 status:unknown=1 sex:female=3 sex:male=1 \
             age:36_45=3 age:over_60=1 substance:unknown=4 district:{a}=1 district:unknown=3"
        ),
    );
    expect(
        &s,
        Figure::LostToFollowup,
        "total=2 sex:female=1 sex:male=1 age:46_60=1 age:unknown=1 substance:unknown=2 district:unknown=2",
    );
    expect(
        &s,
        Figure::GroupSessions,
        "total=5 group:sharing_circle=2 group:group_therapy=1 group:family_support=1 group:hosted_meeting=1",
    );
    // Present or late at held sessions: P1 ×2, P5 ×3, P8, the mother, the guest.
    expect(
        &s,
        Figure::GroupAttendances,
        &format!(
            "total=8 group:sharing_circle=4 group:group_therapy=2 group:family_support=2 attendee:patient=6 \
             attendee:family=1 attendee:dropin=1 sex:male=6 age:18_25=3 age:unknown=3 substance:alcohol=2 \
             substance:opioids=1 substance:prescription=3 district:{l}=3 district:{a}=3"
        ),
    );
    expect(
        &s,
        Figure::CounsellingSessions,
        &format!(
            "total=4 kind:individual=3 kind:family=1 sex:female=2 sex:male=2 age:18_25=2 age:36_45=2 \
             substance:alcohol=2 substance:opioids=1 substance:tobacco=1 district:{a}=2 district:unknown=2"
        ),
    );
    expect(
        &s,
        Figure::OutreachActivities,
        &format!("total=3 kind:school=2 kind:camp=1 district:{l}=1 district:{a}=1 district:unknown=1"),
    );
    expect(
        &s,
        Figure::OutreachPeopleReached,
        &format!("total=195 kind:school=150 kind:camp=45 district:{a}=120 district:{l}=30 district:unknown=45"),
    );
    assert_eq!(s.figures.len(), Figure::ALL.len(), "every figure is there");
}

#[test]
fn an_administrator_sees_who_is_counted_and_no_one_else_does() {
    let m = march();
    let mut store = m.store;
    let p = Period::parse("2026-03").unwrap();
    let names = |store: &mut Store, f, b: &str| -> Vec<(String, i64)> {
        store.write(|tx| people(tx, &admin(), &p, f, b)).unwrap().into_iter().map(|c| (c.name, c.times)).collect()
    };
    let owned = |v: &[(&str, i64)]| v.iter().map(|(n, t)| ((*n).to_owned(), *t)).collect::<Vec<_>>();
    assert_eq!(names(&mut store, Figure::AdmissionsNew, "total"), owned(&[("P1", 1), ("P6", 1), ("P8", 1)]));
    assert_eq!(names(&mut store, Figure::Discharges, "type:absconded"), owned(&[("P4", 1)]));
    assert_eq!(names(&mut store, Figure::GroupAttendances, "district:41"), owned(&[("P5", 3)]));
    assert_eq!(names(&mut store, Figure::LostToFollowup, "total"), owned(&[("P13", 1), ("P9", 1)]));
    assert!(names(&mut store, Figure::OutreachActivities, "total").is_empty(), "no one is named in outreach");
    for role in [Role::Counsellor, Role::FrontDesk] {
        let ctx = Ctx::at(Actor { staff_id: None, role }, d("2026-04-30"));
        let e = store.write(|tx| people(tx, &ctx, &p, Figure::AdmissionsNew, "total")).unwrap_err();
        assert_eq!(e.code(), "forbidden", "{role:?}");
    }
    let e = store.write(|tx| people(tx, &admin(), &p, Figure::AdmissionsNew, "nonsense")).unwrap_err();
    assert_eq!(e.code(), "statistics_breakdown");
    assert!(m.ids.len() > 10);
}

#[test]
fn a_quarter_is_the_sum_of_its_months_where_figures_add_up() {
    let m = march();
    let ctx = admin();
    let quarter = Period::parse("2026-Q1").unwrap();
    assert_eq!((quarter.from, quarter.to), (d("2026-01-01"), d("2026-03-31")));
    let q = compute(m.store.conn(), &ctx, &quarter).unwrap();
    let months: Vec<Statistics> = quarter.months().iter().map(|p| compute(m.store.conn(), &ctx, p).unwrap()).collect();
    assert_eq!(months.iter().map(|s| s.period.as_str()).collect::<Vec<_>>(), ["2026-01", "2026-02", "2026-03"]);
    let csv = print::csv(&q);
    let mut checked = 0;
    for line in csv.lines().skip(1) {
        let parts: Vec<&str> = line.split(',').collect();
        let f = Figure::parse(parts[0]).unwrap();
        let value: i64 = parts[2].parse().unwrap();
        let sum: i64 = months.iter().map(|s| s.value(f, parts[1])).sum();
        if f.adds_up() {
            assert_eq!(value, sum, "{line}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
    // Points in time: the quarter starts with January's start and ends with March's end.
    let start = |s: &Statistics| s.value(Figure::InpatientsStart, "total");
    let end = |s: &Statistics| s.value(Figure::InpatientsEnd, "total");
    assert_eq!(start(&q), start(&months[0]));
    assert_eq!(end(&q), end(&months[2]));
    assert_ne!(start(&q) + start(&months[1]) + start(&months[2]), start(&q), "these do not add up");
    // One month's end is the next month's start.
    assert_eq!(end(&months[0]), start(&months[1]));
    assert_eq!(end(&months[1]), start(&months[2]));
    // Something happened in January and February too, so the sums were not trivially March's.
    assert!(months[0].value(Figure::AdmissionsNew, "total") + months[1].value(Figure::AdmissionsNew, "total") > 0);
}

#[test]
fn periods_parse_and_wrong_ones_are_refused() {
    let p = Period::parse("2026-02").unwrap();
    assert_eq!((p.from, p.to, p.code()), (d("2026-02-01"), d("2026-02-28"), "2026-02".to_owned()));
    let q = Period::parse("2026-Q4").unwrap();
    assert_eq!((q.from, q.to, q.code()), (d("2026-10-01"), d("2026-12-31"), "2026-Q4".to_owned()));
    for bad in ["2026", "2026-13", "2026-Q5", "26-01", "2026-1", "x-01"] {
        assert_eq!(Period::parse(bad).unwrap_err().code(), "statistics_period", "{bad}");
    }
}

#[test]
fn the_csv_has_one_figure_per_row_with_codes_only() {
    let m = march();
    let s = compute(m.store.conn(), &admin(), &Period::parse("2026-03").unwrap()).unwrap();
    let csv = print::csv(&s);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("figure,breakdown,value"));
    for line in lines {
        let parts: Vec<&str> = line.split(',').collect();
        assert_eq!(parts.len(), 3, "{line}");
        assert!(Figure::parse(parts[0]).is_some(), "{line}");
        assert!(parts[1] == "total" || parts[1].split_once(':').is_some_and(|(d, _)| Dimension::parse(d).is_some()));
        assert!(parts[2].parse::<i64>().is_ok(), "{line}");
        assert!(!line.contains('P') || line.starts_with("outreach_people"), "no names: {line}");
    }
    assert!(csv.contains("discharges,type:absconded,1\n"));
    assert!(csv.contains("outreach_people_reached,total,195\n"));
}
