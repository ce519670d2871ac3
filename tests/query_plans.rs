//! Every query behind a screen, run on a generated centre, must find its rows through an
//! index: `EXPLAIN QUERY PLAN` may not show a full scan of a large table. The queries are
//! caught as they run (SQLite's statement trace), so a new query is checked without
//! being listed here.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use chrono::Datelike;
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
    "aftercare_plans",
    "counselling_sessions",
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
        let doc = aftercare::roster::roster_doc(&tx, &ctx, today, Some(false), None).unwrap();
        let groups = &doc.sections[..doc.sections.len() - 1];
        assert!(groups.iter().any(|s| !s.rows.is_empty()), "the aftercare groups are on the roster");
        aftercare::groups_seam::last_aftercare_attendance(&tx, some_patient).unwrap();
        aftercare::groups_seam::missed_aftercare_in_row(&tx, some_patient).unwrap();
        tx.commit().unwrap();
    }
    screen("groups");
    {
        use saathi_core::groups::{self, attendance, membership, reports, series};
        groups::list(conn, &ctx).unwrap();
        let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
        let week = series::schedule(conn, &ctx, monday, monday + chrono::Days::new(6), None).unwrap();
        assert!(week.len() > 10, "a week of sessions: {}", week.len());
        attendance::today(conn, &ctx).unwrap();
        assert!(!attendance::missing(conn, &ctx).unwrap().is_empty(), "some sessions are not recorded yet");
        // The busiest session of last week, and one not recorded yet.
        let last = series::schedule(conn, &ctx, monday - chrono::Days::new(7), monday, None).unwrap();
        let busy = last.iter().max_by_key(|o| o.marks).unwrap();
        assert!(busy.marks > 5);
        let tx = conn.transaction().unwrap();
        attendance::open_sheet(&tx, &ctx, busy.series_id, busy.original_date).unwrap();
        if let Some(o) = week.iter().find(|o| o.session_id.is_none()) {
            attendance::open_sheet(&tx, &ctx, o.series_id, o.original_date).unwrap();
        }
        tx.commit().unwrap();
        let year = today - chrono::Days::new(365);
        reports::report(conn, &ctx, year, today, None).unwrap();
        reports::report(conn, &ctx, year, today, Some(busy.group_id)).unwrap();
        let members = membership::members(conn, &ctx, busy.group_id, today).unwrap();
        membership::suggestions(conn, &ctx, busy.group_id).unwrap();
        let member = members.current.iter().chain(&members.past).find_map(|m| match m.person {
            membership::Person::Patient(id) => Some(id),
            membership::Person::Family(_) => None,
        });
        reports::patient_groups(conn, &ctx, member.unwrap()).unwrap();
        reports::patient_groups(conn, &ctx, some_patient).unwrap();
    }
    screen("statistics");
    {
        use saathi_core::statistics::{self, Period};
        let month = Period::parse(&format!("{}-{:02}", today.year(), today.month())).unwrap();
        let quarter = Period::parse(&format!("{}-Q{}", today.year(), today.month0() / 3 + 1)).unwrap();
        for p in [month, quarter] {
            let s = statistics::compute(conn, &ctx, &p).unwrap();
            assert!(s.value(statistics::Figure::GroupAttendances, "total") > 0, "{}", s.period);
        }
    }
    conn.trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>).unwrap();
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
    let mut conn = saathi_core::db::connect_raw(&path, None).unwrap();
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

/// The statements `f` runs on `conn`, with their values written in.
fn traced(conn: &mut rusqlite::Connection, f: impl FnOnce(&rusqlite::Connection)) -> Vec<String> {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let seen = seen.clone();
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = e
                    && let Some(sql) = stmt.expanded_sql()
                {
                    seen.lock().unwrap().push(sql);
                }
            }),
        )
        .unwrap();
    }
    f(conn);
    conn.trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>).unwrap();
    std::mem::take(&mut *seen.lock().unwrap())
}

/// The plans SQLite 3.54 gets wrong from the ten-year centre's statistics (the small
/// centre's hide it) and that are pinned with a CROSS JOIN: each still starts where its
/// pin says.
#[test]
fn pinned_plans_hold_on_the_ten_year_centre() {
    let dir = tempfile::tempdir().unwrap();
    let path = saathi_tests::generated_centre(dir.path(), &Scale::TEN_YEARS);
    // Encrypted like every centre: a connection of the test's own, given the key.
    let key = saathi_tests::centre_key(dir.path(), saathi_core::scale::SIGN_IN.0, saathi_core::scale::SIGN_IN.1);
    let mut conn = saathi_core::db::connect_raw(&path, Some(&key)).unwrap();
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, saathi_tests::today());
    let seen = traced(&mut conn, |c| {
        mentorship::overview(c, &ctx).unwrap();
    });
    let first_step = |needle: &str| -> String {
        let sql = seen.iter().find(|s| s.contains(needle)).unwrap_or_else(|| panic!("no statement with {needle}"));
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect();
        plan.into_iter().find(|p| p.starts_with("SEARCH") || p.starts_with("SCAN")).unwrap()
    };
    // Mentorship: who was discharged recently, from the discharge dates (not all 2,381
    // aftercare patients and their 3,100 stays).
    let step = first_step("FROM stays st");
    assert!(step.contains("stays_by_discharge"), "{step}");
}
