//! Every query behind a screen, run on a generated centre, must find its rows through an
//! index: `EXPLAIN QUERY PLAN` may not show a full scan of a large table. The queries are
//! caught as they run (SQLite's statement trace), so a new query is checked without
//! being listed here.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use saathi_core::audit::{self, AuditQuery};
use saathi_core::patients::{self, PatientQuery, Phase};
use saathi_core::scale::{self, Scale};
use saathi_core::{Actor, Ctx, Role, aftercare, mentorship};

/// Tables that grow with the years: scanning one of them whole is a bug.
const LARGE: &[&str] = &[
    "patients",
    "stays",
    "audit_log",
    "mentor_pairs",
    "patient_notes",
    "group_sessions",
    "group_attendance",
    "group_memberships",
    "aftercare_followups",
    "aftercare_attempts",
];

type Seen = Arc<Mutex<BTreeMap<String, &'static str>>>;

/// Runs each screen's core function on a traced connection; returns the SQL seen, with
/// the screen that ran it.
fn run_screens(conn: &mut rusqlite::Connection, seen: &Seen) {
    let current: Arc<Mutex<&'static str>> = Arc::new(Mutex::new(""));
    {
        let (seen, current) = (seen.clone(), current.clone());
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = e
                    && let Some(sql) = stmt.expanded_sql()
                {
                    let screen = *current.lock().unwrap();
                    seen.lock().unwrap().entry(sql).or_insert(screen);
                }
            }),
        )
        .unwrap();
    }
    let today = saathi_tests::today();
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, today);
    let screen = |name: &'static str| *current.lock().unwrap() = name;
    let some_patient: i64 = conn.query_row("SELECT max(id) / 2 FROM patients", [], |r| r.get(0)).unwrap();

    screen("today");
    patients::counts(conn, &ctx).unwrap();
    screen("patients list");
    for (text, phase) in
        [("", None), ("sharma", None), ("शर्मा", None), ("ਸਿੰਘ", Some(Phase::Aftercare)), ("98765", None), ("ra", None)]
    {
        let q = PatientQuery { text: text.into(), phase, limit: 50, ..Default::default() };
        patients::search(conn, &ctx, &q).unwrap();
    }
    screen("patient profile");
    {
        let tx = conn.transaction().unwrap();
        patients::view(&tx, &ctx, some_patient).unwrap();
        mentorship::for_patient(&tx, &ctx, some_patient).unwrap();
        tx.commit().unwrap();
    }
    screen("mentorship");
    mentorship::overview(conn, &ctx).unwrap();
    let s = mentorship::suggest(conn, &ctx).unwrap();
    if let Some(p) = s.pairs.first() {
        mentorship::check_pair(conn, &ctx, p.mentor_id, p.mentee_id).unwrap();
    }
    screen("audit log");
    {
        let tx = conn.transaction().unwrap();
        audit::query(&tx, &ctx, &AuditQuery { limit: 50, ..Default::default() }).unwrap();
        audit::query(&tx, &ctx, &AuditQuery { patient_id: Some(some_patient), limit: 50, ..Default::default() })
            .unwrap();
        tx.commit().unwrap();
    }
    screen("aftercare");
    {
        let tx = conn.transaction().unwrap();
        aftercare::worklist::worklist(&tx, &ctx, aftercare::WorklistRange::Week).unwrap();
        aftercare::risk::at_risk(&tx, &ctx).unwrap();
        let doc = aftercare::roster::roster_doc(&tx, &ctx, today, Some(false)).unwrap();
        assert!(doc.sections.len() > 1 && !doc.sections[0].rows.is_empty(), "the aftercare group is on the roster");
        aftercare::groups_seam::last_aftercare_attendance(&tx, some_patient).unwrap();
        aftercare::groups_seam::missed_aftercare_in_row(&tx, some_patient).unwrap();
        tx.commit().unwrap();
    }
    conn.trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>).unwrap();
}

/// The generated centre has no groups or plans: give three aftercare patients a plan and
/// an aftercare group meeting today, with attendance, so the aftercare screens' queries run.
fn add_aftercare_group(conn: &mut rusqlite::Connection) {
    use saathi_core::groups::conflicts::SaveOptions;
    use saathi_core::groups::membership::{self, Person};
    use saathi_core::groups::recurrence::{Day, Freq, Rule};
    use saathi_core::groups::series::{self, SeriesInput};
    use saathi_core::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
    let today = saathi_tests::today();
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, today);
    let tx = conn.transaction().unwrap();
    let people: Vec<i64> = tx
        .prepare("SELECT id FROM patients WHERE phase = 'aftercare' AND archived_at IS NULL ORDER BY id LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(people.len(), 3);
    let template = aftercare::templates::default_template(&tx).unwrap().id;
    let input = GroupInput {
        name: "Aftercare group".into(),
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
    };
    let group = groups::create(&tx, &ctx, &input).unwrap();
    let rule = Rule {
        freq: Freq::Weekly,
        interval: 1,
        weekdays: vec![Day::of(today)],
        month_week: None,
        start: today,
        until: None,
        count: None,
    };
    let s = SeriesInput { rule, start_time: "18:00".into(), duration_min: 90, room_id: None, facilitators: vec![] };
    let series_id = series::add(&tx, &ctx, group, &s, &SaveOptions::default()).unwrap().series_id.unwrap();
    for p in &people {
        aftercare::plans::start(&tx, &ctx, *p, template).unwrap();
        membership::join(&tx, &ctx, group, Person::Patient(*p), today).unwrap();
    }
    let mark = saathi_core::groups::attendance::Mark::Absent;
    saathi_core::groups::attendance::mark(&tx, &ctx, series_id, today, Person::Patient(people[0]), mark, "").unwrap();
    tx.commit().unwrap();
}

/// `alias → table` for the FROM and JOIN clauses of a statement.
fn aliases(sql: &str) -> BTreeMap<String, String> {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut out = BTreeMap::new();
    for (i, w) in words.iter().enumerate() {
        if (w.eq_ignore_ascii_case("FROM") || w.eq_ignore_ascii_case("JOIN"))
            && let Some(table) = words.get(i + 1)
        {
            out.insert(table.clone(), table.clone());
            let mut next = words.get(i + 2);
            if next.is_some_and(|n| n.eq_ignore_ascii_case("AS")) {
                next = words.get(i + 3);
            }
            if let Some(alias) = next.filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_')) {
                out.insert(alias.clone(), table.clone());
            }
        }
    }
    out
}

#[test]
fn no_screen_scans_a_large_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    scale::generate(&path, &Scale::SMALL, 3, saathi_tests::today()).unwrap();
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    add_aftercare_group(&mut conn);
    let seen: Seen = Arc::default();
    run_screens(&mut conn, &seen);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 15, "the trace caught the screens' queries: {}", seen.len());

    let mut bad = BTreeSet::new();
    let mut checked = 0;
    for (sql, screen) in &seen {
        let head = sql.trim_start().to_ascii_uppercase();
        if !(head.starts_with("SELECT") || head.starts_with("WITH") || head.starts_with("UPDATE")) {
            continue;
        }
        let names = aliases(sql);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect();
        checked += 1;
        // A statement without WHERE that walks in order and stops after LIMIT rows
        // ("… ORDER BY id DESC LIMIT 50") reads only those rows.
        let upper = sql.to_ascii_uppercase();
        if !upper.contains("WHERE") && upper.contains("LIMIT") && !plan.iter().any(|p| p.contains("TEMP B-TREE")) {
            continue;
        }
        for step in &plan {
            // "SCAN p" is a full scan; "SCAN p USING INDEX …" walks an index in order
            // (paged lists stop after a page), and virtual tables have their own index.
            let Some(rest) = step.strip_prefix("SCAN ") else { continue };
            if rest.contains(" USING ") || rest.contains("VIRTUAL TABLE") {
                continue;
            }
            let alias = rest.split_whitespace().next().unwrap_or("");
            let table = names.get(alias).map(String::as_str).unwrap_or(alias);
            if LARGE.contains(&table) {
                bad.insert(format!("[{screen}] full scan of {table}:\n  {sql}\n  plan: {plan:?}"));
            }
        }
    }
    assert!(checked > 10, "{checked} statements checked");
    assert!(
        bad.is_empty(),
        "{} queries scan a large table:\n{}",
        bad.len(),
        bad.into_iter().collect::<Vec<_>>().join("\n")
    );
}
