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
use std::hint::black_box;
use std::time::{Duration, Instant};

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
        Measurement { name: "roster_pdf_300_rows", prepare: timed_roster },
    ]
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
fn timed_roster() -> Box<dyn FnMut()> {
    use saathi_core::aftercare::roster::{GroupMember, group_section};
    use saathi_core::pdf::{RosterDoc, render};
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
            group_section(
                &format!("Aftercare group {}", g + 1),
                day,
                "17:00-18:30",
                "Hall 2",
                &["Meera Iyer".to_owned()],
                &members,
                false,
            )
        })
        .collect();
    let doc = RosterDoc {
        centre: "Navjeevan Nasha Mukti Kendra".into(),
        title: "Aftercare roster, week 30-11-2026 to 06-12-2026".into(),
        printed_on: "26-11-2026 10:00".into(),
        printed_by: "Bench".into(),
        page_label: "Page {x} of {y}".into(),
        printed_label: "Printed on {date} by {name}".into(),
        note: String::new(),
        sections,
    };
    match render(&doc, "(continued)") {
        Ok(bytes) => eprintln!("bench: roster of 300 rows: {} KB", bytes.len() / 1024),
        Err(e) => eprintln!("bench: roster failed: {e}"),
    }
    Box::new(move || {
        black_box(render(black_box(&doc), "(continued)").ok());
    })
}
