//! Timings of the core's heavy work, one line per figure, `name  median  p95  unit`:
//!
//! ```text
//! match_150x60  0.21  0.30  ms
//! ```
//!
//! Run with `cargo run --release -p saathi-core --bin bench [-- NAME_PART]` (only the
//! figures whose name contains NAME_PART). Inputs are generated from fixed seeds, so the
//! figures of two builds compare like for like. To add a figure, add an entry to
//! [`measurements`].
#[path = "bench_parts/backup.rs"]
mod backup;
// ---- issue 17: registers
#[path = "bench_parts/registers.rs"]
mod registers;
#[path = "bench_parts/signin.rs"]
mod signin;
// ---- issue 17: statistics
#[path = "bench_parts/statistics.rs"]
mod statistics;

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use saathi_core::aftercare::{self, WorklistRange, risk, roster, worklist};
use saathi_core::audit::{self, AuditQuery};
use saathi_core::encrypt;
use saathi_core::groups::{attendance, membership, reports, series};
use saathi_core::keyslots::DbKey;
use saathi_core::patients::{self, PatientQuery};
use saathi_core::scale::{self, Scale};
use saathi_core::settings::Language;
use saathi_core::{Actor, Ctx, Role, Store, mentorship};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use saathi_core::matching::{self, Day, Gender, Id, Mentee, Mentor, PairRef, Problem, Rules, Weights};

/// One named figure: `prepare` builds the input once (not timed) and returns the step
/// that is timed, run again and again.
struct Measurement {
    name: &'static str,
    prepare: fn() -> Box<dyn FnMut()>,
}

fn measurements() -> Vec<Measurement> {
    vec![
        Measurement { name: "match_150x60", prepare: || timed_match(150, 60, 1) },
        Measurement { name: "match_2000x500", prepare: || timed_match(2000, 500, 2) },
        Measurement { name: "screen_search_latin", prepare: || search("sharma") },
        Measurement { name: "screen_search_devanagari", prepare: || search("शर्मा") },
        Measurement { name: "screen_search_gurmukhi", prepare: || search("ਸਿੰਘ") },
        Measurement { name: "screen_search_phone", prepare: || search("98765") },
        Measurement { name: "screen_search_short", prepare: || search("ra") },
        Measurement { name: "screen_patient_profile", prepare: profile },
        Measurement { name: "screen_today_counts", prepare: today_counts },
        Measurement { name: "screen_today_reviews_due", prepare: reviews_due },
        Measurement { name: "screen_mentorship_overview", prepare: mentorship_overview },
        Measurement { name: "screen_mentorship_suggest", prepare: mentorship_suggest },
        Measurement { name: "screen_audit_page", prepare: audit_page },
        Measurement { name: "screen_week_view", prepare: week_view },
        Measurement { name: "screen_attendance_sheet", prepare: attendance_sheet },
        Measurement { name: "screen_attendance_report_year", prepare: attendance_report_year },
        Measurement { name: "screen_group_members", prepare: group_members },
        Measurement { name: "screen_patient_groups", prepare: patient_groups },
        Measurement { name: "screen_aftercare_worklist", prepare: aftercare_worklist },
        Measurement { name: "screen_aftercare_at_risk", prepare: aftercare_at_risk },
        Measurement { name: "screen_aftercare_patient", prepare: aftercare_patient },
        Measurement { name: "roster_pdf_busy_week", prepare: || roster_busy_week(Language::En) },
        Measurement { name: "roster_pdf_busy_week_hindi", prepare: || roster_busy_week(Language::Hi) },
        Measurement { name: "roster_pdf_300_rows", prepare: || timed_roster(Language::En) },
        Measurement { name: "roster_pdf_300_rows_hindi", prepare: || timed_roster(Language::Hi) },
        // ---- issue 17: registers
        Measurement { name: "register_sessions_year", prepare: || registers::session_register_year(Language::En) },
        Measurement {
            name: "register_sessions_year_hindi",
            prepare: || registers::session_register_year(Language::Hi),
        },
        // ---- issue 17: statistics
        Measurement {
            name: "screen_statistics_month",
            prepare: || statistics::month(open(), staff_ctx(), bench_today()),
        },
        Measurement {
            name: "screen_statistics_each_month_of_year",
            prepare: || statistics::months_of_year(open(), staff_ctx(), bench_today()),
        },
        Measurement {
            name: "screen_statistics_each_quarter_of_year",
            prepare: || statistics::quarters_of_year(open(), staff_ctx(), bench_today()),
        },
    ]
}

// ------------------------------------------------------------------ the ten-year centre

/// The date the ten-year centre is generated for, so figures compare across runs.
const BENCH_DAY: (i32, u32, u32) = (2026, 11, 26);

fn bench_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(BENCH_DAY.0, BENCH_DAY.1, BENCH_DAY.2).unwrap_or(NaiveDate::MIN)
}

/// The ten-year centre, generated once into the target folder's bench/ (CARGO_TARGET_DIR,
/// else target/, as the e2e start-up test looks for it) and reused by later runs
/// (`SAATHI_BENCH_DB` names another file; `SAATHI_BENCH_SCALE=small` for a quick run).
fn centre() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(p) = std::env::var_os("SAATHI_BENCH_DB") {
            return PathBuf::from(p);
        }
        let size = std::env::var("SAATHI_BENCH_SCALE").ok().and_then(|s| Scale::named(&s)).unwrap_or(Scale::TEN_YEARS);
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
        match scale::cached(&target.join("bench"), &size, bench_today()) {
            Ok((path, generated)) => {
                if let Some(s) = generated {
                    eprintln!("bench: generated {}: {s:?}", path.display());
                    println!("generate_{}  {:.1}  {:.1}  s", size.name.replace('-', "_"), s.seconds, s.seconds);
                }
                path
            }
            Err(e) => panic!("bench: could not generate the centre: {e}"),
        }
    })
}

/// `SAATHI_BENCH_ENCRYPTED=1`: every figure runs on an encrypted copy of the centre
/// (SQLCipher, made once beside it with a fixed key), to measure what encryption costs.
fn encrypted() -> Option<&'static (PathBuf, DbKey)> {
    static COPY: OnceLock<Option<(PathBuf, DbKey)>> = OnceLock::new();
    COPY.get_or_init(|| {
        std::env::var_os("SAATHI_BENCH_ENCRYPTED")?;
        let key = DbKey::from_bytes([7; 32]);
        let path = centre().with_extension("encrypted.db");
        if !path.exists() {
            let started = Instant::now();
            if let Err(e) = encrypt::encrypted_copy(centre(), &path, &key) {
                panic!("bench: cannot make the encrypted copy: {e}");
            }
            println!("encrypt_copy_ten_years  {0:.1}  {0:.1}  s", started.elapsed().as_secs_f64());
        }
        Some((path, key))
    })
    .as_ref()
}

fn open() -> Store {
    let opened = match encrypted() {
        Some((path, key)) => Store::open_with(path, Some(key)),
        None => Store::open(centre()),
    };
    match opened {
        Ok(s) => s,
        Err(e) => panic!("bench: cannot open {}: {e}", centre().display()),
    }
}

fn staff_ctx() -> Ctx {
    Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, bench_today())
}

fn search(text: &'static str) -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let q = PatientQuery { text: text.to_owned(), limit: 50, ..Default::default() };
    if let Ok(page) = patients::search(store.conn(), &ctx, &q) {
        eprintln!("bench: search {text:?}: {} matches", page.total);
    }
    Box::new(move || {
        black_box(patients::search(store.conn(), &ctx, &q).ok());
    })
}

fn profile() -> Box<dyn FnMut()> {
    let mut store = open();
    let ctx = staff_ctx();
    let ids: Vec<i64> = (1..=200).map(|i| i * 97).collect();
    let mut i = 0;
    Box::new(move || {
        let id = ids[i % ids.len()];
        i += 1;
        // Opening a profile writes its audit entry; rolled back here so runs do not grow the log.
        let _ = store.write(|tx| {
            black_box(patients::view(tx, &ctx, id)?);
            black_box(mentorship::for_patient(tx, &ctx, id)?);
            // The case record panel and its history of changes (issue 16).
            black_box(saathi_core::case_record::view(tx, &ctx, id)?);
            black_box(saathi_core::field_history::list(tx, &ctx, id)?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}

fn today_counts() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    Box::new(move || {
        black_box(patients::counts(store.conn(), &ctx).ok());
    })
}

fn reviews_due() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    Box::new(move || {
        black_box(saathi_core::admission_basis::reviews_due(store.conn(), &ctx).ok());
    })
}

fn mentorship_overview() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    Box::new(move || {
        black_box(mentorship::overview(store.conn(), &ctx).ok());
    })
}

fn mentorship_suggest() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    if let Ok(s) = mentorship::suggest(store.conn(), &ctx) {
        eprintln!("bench: suggestions: {} pairs, {} unmatched", s.pairs.len(), s.unmatched.len());
    }
    Box::new(move || {
        black_box(mentorship::suggest(store.conn(), &ctx).ok());
    })
}

fn audit_page() -> Box<dyn FnMut()> {
    let mut store = open();
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, bench_today());
    Box::new(move || {
        let _ = store.write(|tx| {
            black_box(audit::query(tx, &ctx, &AuditQuery { limit: 50, ..Default::default() })?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// One id (or date) the figure is measured on, chosen by a query on the centre.
fn pick<T: rusqlite::types::FromSql>(store: &Store, what: &str, sql: &str) -> T {
    match store.conn().query_row(sql, [], |r| r.get(0)) {
        Ok(v) => v,
        Err(e) => panic!("bench: the centre has no {what}: {e}"),
    }
}

/// The week view (`group_schedule`): this week and the seven before, in turn.
fn week_view() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let this = monday_of(bench_today());
    let weeks: Vec<NaiveDate> = (0..8).map(|i| this - Days::new(7 * i)).collect();
    if let Ok(w) = series::schedule(store.conn(), &ctx, this, this + Days::new(6), None) {
        eprintln!("bench: week view: {} sessions this week", w.len());
    }
    let mut i = 0;
    Box::new(move || {
        let monday = weeks[i % weeks.len()];
        i += 1;
        black_box(series::schedule(store.conn(), &ctx, monday, monday + Days::new(6), None).ok());
    })
}

/// The attendance sheet (`attendance_sheet`, an audited read) of the busiest session of
/// the last five weeks.
fn attendance_sheet() -> Box<dyn FnMut()> {
    let mut store = open();
    let ctx = staff_ctx();
    let since = bench_today() - Days::new(35);
    let (series_id, date): (i64, NaiveDate) = match store.conn().query_row(
        "SELECT s.series_id, s.original_date FROM group_sessions s WHERE s.date >= ?1
         ORDER BY (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id) DESC, s.id LIMIT 1",
        [since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ) {
        Ok(v) => v,
        Err(e) => panic!("bench: no recent session: {e}"),
    };
    if let Ok(sheet) = attendance::sheet(store.conn(), &ctx, series_id, date) {
        eprintln!("bench: attendance sheet of {} on {date}: {} rows", sheet.occurrence.group_name, sheet.rows.len());
    }
    Box::new(move || {
        let _ = store.write(|tx| {
            black_box(attendance::open_sheet(tx, &ctx, series_id, date)?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}

/// The attendance report (`attendance_report`) over the last year, all groups, on one
/// connection and one thread (as the screen makes it).
fn attendance_report_year() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let (from, to) = (bench_today() - Days::new(365), bench_today());
    if let Ok(r) = reports::report(store.conn(), &ctx, from, to, None) {
        eprintln!("bench: report over a year: {} people rows, {} groups", r.people.len(), r.groups.len());
    }
    Box::new(move || {
        black_box(reports::report(store.conn(), &ctx, from, to, None).ok());
    })
}

/// A group's members (`group_members`): the group with the longest membership history.
fn group_members() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let group: i64 = pick(
        &store,
        "group members",
        "SELECT group_id FROM group_memberships GROUP BY group_id ORDER BY count(*) DESC, group_id LIMIT 1",
    );
    if let Ok(m) = membership::members(store.conn(), &ctx, group, bench_today()) {
        eprintln!("bench: members of group {group}: {} current, {} past", m.current.len(), m.past.len());
    }
    Box::new(move || {
        black_box(membership::members(store.conn(), &ctx, group, bench_today()).ok());
    })
}

/// A patient's groups (`patient_groups`, on the profile): the person with the longest
/// group history, and someone whose groups were years ago, in turn.
fn patient_groups() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let busy: i64 = pick(
        &store,
        "group members",
        "SELECT patient_id FROM group_memberships WHERE patient_id IS NOT NULL
         GROUP BY patient_id ORDER BY count(*) DESC, patient_id LIMIT 1",
    );
    let old: i64 = pick(
        &store,
        "old group members",
        "SELECT patient_id FROM group_memberships WHERE patient_id IS NOT NULL
         GROUP BY patient_id ORDER BY max(joined_on), patient_id LIMIT 1",
    );
    for p in [busy, old] {
        if let Ok(g) = reports::patient_groups(store.conn(), &ctx, p) {
            eprintln!(
                "bench: groups of patient {p}: {} memberships, {} sessions",
                g.memberships.len(),
                g.sessions.len()
            );
        }
    }
    let mut i = 0;
    Box::new(move || {
        let p = if i % 2 == 0 { busy } else { old };
        i += 1;
        black_box(reports::patient_groups(store.conn(), &ctx, p).ok());
    })
}

/// The follow-up worklist (`aftercare_worklist`) for the rest of the week.
fn aftercare_worklist() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    for range in [WorklistRange::Today, WorklistRange::Week] {
        if let Ok(w) = worklist::worklist(store.conn(), &ctx, range) {
            eprintln!("bench: worklist {range:?}: {} rows", w.len());
        }
    }
    Box::new(move || {
        black_box(worklist::worklist(store.conn(), &ctx, WorklistRange::Week).ok());
    })
}

/// The at-risk list (`at_risk_list`).
fn aftercare_at_risk() -> Box<dyn FnMut()> {
    let store = open();
    let ctx = staff_ctx();
    let plans: i64 = pick(&store, "plans", "SELECT count(*) FROM aftercare_plans WHERE status = 'active'");
    if let Ok(r) = risk::at_risk(store.conn(), &ctx) {
        eprintln!("bench: at risk: {} of {plans} people on an active plan", r.len());
    }
    Box::new(move || {
        black_box(risk::at_risk(store.conn(), &ctx).ok());
    })
}

/// A person's aftercare (`patient_aftercare`, an audited read): the one with the most
/// contact attempts.
fn aftercare_patient() -> Box<dyn FnMut()> {
    let mut store = open();
    let ctx = staff_ctx();
    let patient: i64 = pick(
        &store,
        "attempts",
        "SELECT patient_id FROM aftercare_attempts GROUP BY patient_id ORDER BY count(*) DESC, patient_id LIMIT 1",
    );
    let _ = store.write(|tx| {
        let a = aftercare::patient_aftercare(tx, &ctx, patient)?;
        eprintln!("bench: aftercare of patient {patient}: {} plans, {} attempts", a.plans.len(), a.attempts.len());
        Err::<(), _>(saathi_core::Error::Busy)
    });
    Box::new(move || {
        let _ = store.write(|tx| {
            black_box(aftercare::patient_aftercare(tx, &ctx, patient)?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}

/// The printed roster (`print_roster`) for this week, the busiest the centre prints (its
/// aftercare group sessions and the follow-up calls due by Sunday; a later week's call list
/// would also hold next week's calls), with the centre's privacy setting; rolled back so
/// the log does not grow.
fn roster_busy_week(lang: Language) -> Box<dyn FnMut()> {
    let mut store = open();
    let ctx = staff_ctx();
    let week = monday_of(bench_today());
    let lang = Some(lang);
    if let Ok(doc) = roster::roster_doc(store.conn(), &ctx, week, None, lang) {
        let n: usize = doc.sections.iter().map(|s| s.rows.len()).sum();
        let scripts =
            doc.sections.iter().flat_map(|s| &s.rows).filter(|r| r.get(1).is_some_and(|n| !n.is_ascii())).count();
        eprintln!(
            "bench: roster for the week of {week}: {n} rows ({scripts} in Devanagari or Gurmukhi) in {} sections",
            doc.sections.len()
        );
    }
    let _ = store.write(|tx| {
        let bytes = roster::roster_pdf(tx, &ctx, week, None, lang)?;
        eprintln!("bench: roster PDF ({lang:?}): {} KB", bytes.len() / 1024);
        Err::<(), _>(saathi_core::Error::Busy)
    });
    Box::new(move || {
        let _ = store.write(|tx| {
            black_box(roster::roster_pdf(tx, &ctx, week, None, lang)?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}

/// Stop sampling a figure after this long (once it has `MIN_SAMPLES`)…
const BUDGET: Duration = Duration::from_secs(2);
const MIN_SAMPLES: usize = 15;
/// …or after this many samples.
const MAX_SAMPLES: usize = 2000;

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    if cfg!(debug_assertions) {
        eprintln!(
            "bench: this is a debug build; use `cargo run --release -p saathi-core --bin bench` for real figures"
        );
    }
    for m in measurements().into_iter().filter(|m| m.name.contains(&filter)) {
        let mut step = (m.prepare)();
        step(); // warm-up
        let mut samples = Vec::new();
        let began = Instant::now();
        while samples.len() < MAX_SAMPLES && (samples.len() < MIN_SAMPLES || began.elapsed() < BUDGET) {
            let t = Instant::now();
            step();
            samples.push(t.elapsed());
        }
        samples.sort();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
        println!("{}  {:.2}  {:.2}  ms", m.name, at(0.5), at(0.95));
    }
    // Figures that take seconds each and are compared within one run.
    if ["backup_whole_database", "backup_reference_sqlite3_age", "backup_ratio_to_reference"]
        .iter()
        .any(|n| n.contains(&filter))
    {
        backup::backup_vs_reference(centre(), bench_today());
    }
    if [
        "sign_in_with_unlock_demo",
        "check_at_close_demo",
        "sign_in_after_power_cut_demo",
        "sign_in_with_unlock_ten_year",
        "check_at_close_ten_year",
        "sign_in_after_power_cut_ten_year",
        "first_start_conversion_ten_year",
    ]
    .iter()
    .any(|n| n.contains(&filter))
    {
        signin::sign_in_figures(centre(), bench_today());
    }
}

/// The matcher on a generated centre: `mentees` × `mentors`, capacity 3, about half of
/// all pairs passing the hard rules.
fn timed_match(mentees: usize, mentors: usize, seed: u64) -> Box<dyn FnMut()> {
    let problem = generated_problem(mentees, mentors, seed);
    let allowed = matching::all_scores(&problem).len();
    let s = matching::solve(&problem);
    eprintln!(
        "bench: {mentees}x{mentors}: {:.0}% of pairs pass the hard rules; {} matched, {} unmatched, score {}",
        100.0 * allowed as f64 / (mentees * mentors) as f64,
        s.suggested(),
        s.unmatched.len(),
        s.suggested_score()
    );
    Box::new(move || {
        black_box(matching::solve(black_box(&problem)));
    })
}

const LANGUAGES: [(&str, f64); 4] = [("Hindi", 0.95), ("Punjabi", 0.45), ("English", 0.3), ("Urdu", 0.05)];
const SUBSTANCES: [&str; 5] = ["alcohol", "opioids", "cannabis", "prescription", "tobacco"];
const LOCALITIES: [&str; 8] =
    ["Model Town", "Civil Lines", "Sector 17", "Old City", "Rajpura", "Kharar", "Zirakpur", "Mohali"];

struct Traits {
    gender: Gender,
    languages: Vec<String>,
    substances: Vec<String>,
    age: Option<u32>,
    days: Vec<Day>,
    locality: Option<String>,
}

fn traits(rng: &mut ChaCha8Rng) -> Traits {
    let gender = if rng.random_bool(0.5) { Gender::Female } else { Gender::Male };
    let mut languages: Vec<String> =
        LANGUAGES.iter().filter(|(_, p)| rng.random_bool(*p)).map(|(l, _)| (*l).to_owned()).collect();
    if languages.is_empty() {
        languages.push("Hindi".to_owned());
    }
    let mut substances = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        let s = SUBSTANCES[rng.random_range(0..SUBSTANCES.len())].to_owned();
        if !substances.contains(&s) {
            substances.push(s);
        }
    }
    let age = rng.random_bool(0.95).then(|| rng.random_range(18..65));
    let days = Day::ALL.into_iter().filter(|_| rng.random_bool(0.4)).collect();
    let locality = rng.random_bool(0.9).then(|| LOCALITIES[rng.random_range(0..LOCALITIES.len())].to_owned());
    Traits { gender, languages, substances, age, days, locality }
}

fn generated_problem(mentees: usize, mentors: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mentors: Vec<Mentor> = (0..mentors)
        .map(|i| {
            let t = traits(&mut rng);
            Mentor {
                id: Id::Text(format!("m{i}")),
                gender: t.gender,
                languages: t.languages,
                substances: t.substances,
                age: t.age,
                recovery_days: rng.random_range(175..2000),
                trained: rng.random_bool(0.99),
                capacity: 3,
                days: t.days,
                locality: t.locality,
                groups: vec![],
            }
        })
        .collect();
    let mentees: Vec<Mentee> = (0..mentees)
        .map(|i| {
            let t = traits(&mut rng);
            Mentee {
                id: Id::Text(format!("e{i}")),
                gender: t.gender,
                languages: t.languages,
                substances: t.substances,
                age: t.age,
                days: t.days,
                locality: t.locality,
                groups: vec![],
                prefers: vec![],
            }
        })
        .collect();
    let exclusions = (0..mentees.len() / 50)
        .map(|_| PairRef {
            mentor: mentors[rng.random_range(0..mentors.len())].id.clone(),
            mentee: mentees[rng.random_range(0..mentees.len())].id.clone(),
        })
        .collect();
    Problem { rules: Rules::default(), weights: Weights::default(), mentors, mentees, exclusions, keep: Vec::new() }
}

/// A roster of 300 rows in 10 group sections, a third of the names in Devanagari and
/// Gurmukhi, shaped and rendered to PDF bytes (fonts subset). Prints the size once.
fn timed_roster(lang: Language) -> Box<dyn FnMut()> {
    use saathi_core::aftercare::groups_seam::{GroupMember, Session};
    use saathi_core::aftercare::roster::group_section;
    use saathi_core::pdf::{RosterDoc, labels, render};
    const NAMES: [&str; 9] = [
        "Rahul Sharma",
        "क्षितिज त्रिपाठी",
        "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",
        "Priya Verma",
        "प्रीति द्विवेदी",
        "ਹਰਪ੍ਰੀਤ ਗਿੱਲ",
        "Mohammed Irfan Khan",
        "धर्मेंद्र कुशवाहा",
        "ਸੁਖਵਿੰਦਰ ਢਿੱਲੋਂ",
    ];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
    let sections = (0..10)
        .map(|g| {
            let members: Vec<GroupMember> = (0..30)
                .map(|i| GroupMember {
                    full_name: NAMES[(g * 30 + i) % NAMES.len()].to_owned(),
                    preferred_name: String::new(),
                    phone: format!("98765 {:05}", g * 30 + i),
                    consent_roster_name: true,
                    last_attended: Some(day),
                    followup_due: Some(day),
                })
                .collect();
            let session = Session {
                group: format!("Aftercare group {}", g + 1),
                date: day,
                time: "17:00-18:30".into(),
                room: Some("Hall 2".into()),
                facilitators: vec!["Meera Iyer".to_owned()],
                topic: String::new(),
                cancelled: None,
                moved_from: None,
                members,
            };
            group_section(&session, false, lang)
        })
        .collect();
    let doc = RosterDoc {
        centre: "Navjeevan Nasha Mukti Kendra".into(),
        title: labels::TITLE.fill(lang, &[("from", "30-11-2026"), ("to", "06-12-2026")]),
        printed_on: "26-11-2026 10:00".into(),
        printed_by: "Bench".into(),
        page_label: labels::PAGE.text(lang).into(),
        printed_label: labels::PRINTED.text(lang).into(),
        seal: labels::SEAL.fill(lang, &[("seal", "48213 · 7F3A-91C2")]),
        note: String::new(),
        continued: labels::CONTINUED.text(lang).into(),
        sections,
    };
    match render(&doc) {
        Ok(bytes) => eprintln!("bench: roster of 300 rows: {} KB", bytes.len() / 1024),
        Err(e) => eprintln!("bench: roster failed: {e}"),
    }
    Box::new(move || {
        black_box(render(black_box(&doc)).ok());
    })
}
