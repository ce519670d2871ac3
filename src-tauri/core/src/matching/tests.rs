use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::json;

use super::*;

fn mentor(id: &str, gender: Gender, languages: &[&str]) -> Mentor {
    Mentor {
        id: id.into(),
        gender,
        languages: languages.iter().map(|s| s.to_string()).collect(),
        substances: vec![],
        age: None,
        recovery_days: 400,
        trained: true,
        capacity: 1,
        days: vec![],
        locality: None,
        groups: vec![],
    }
}

fn mentee(id: &str, gender: Gender, languages: &[&str]) -> Mentee {
    Mentee {
        id: id.into(),
        gender,
        languages: languages.iter().map(|s| s.to_string()).collect(),
        substances: vec![],
        age: None,
        days: vec![],
        locality: None,
        groups: vec![],
        prefers: vec![],
    }
}

fn problem(mentors: Vec<Mentor>, mentees: Vec<Mentee>) -> Problem {
    Problem { rules: Rules::default(), weights: Weights::default(), mentors, mentees, exclusions: vec![], keep: vec![] }
}

fn pair(mentor: &str, mentee: &str) -> PairRef {
    PairRef { mentor: mentor.into(), mentee: mentee.into() }
}

fn pairs_of(s: &Solution) -> Vec<(String, String)> {
    s.pairs.iter().map(|p| (p.mentor.key(), p.mentee.key())).collect()
}

fn why(s: &Solution, mentee: &str) -> String {
    s.unmatched.iter().find(|u| u.mentee.key() == mentee).map(|u| u.why.to_string()).unwrap_or_default()
}

/// Reasons as the matcher's JSON writes them.
fn english<T: std::fmt::Display>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn error_of(v: serde_json::Value) -> String {
    match Problem::from_json(&v.to_string()) {
        Ok(_) => panic!("accepted: {v}"),
        Err(e) => {
            assert_eq!(e.code(), INVALID_CODE);
            e.to_string()
        }
    }
}

fn minimal() -> serde_json::Value {
    json!({
        "mentors": [{"id": "m1", "gender": "female", "languages": ["Hindi"], "recovery_days": 200,
                     "trained": true, "capacity": 2}],
        "mentees": [{"id": 7, "gender": "female", "languages": ["Hindi"]}]
    })
}

// ---- the format ------------------------------------------------------------------------

#[test]
fn defaults_fill_what_is_left_out() {
    let p = Problem::from_json(&minimal().to_string()).unwrap();
    assert_eq!(p.rules, Rules { same_gender: true, min_recovery_days: 180 });
    assert_eq!(p.weights, Weights::default());
    assert_eq!(
        (p.weights.same_substance, p.weights.shared_substance, p.weights.shared_day, p.weights.shared_days_max),
        (30, 10, 10, 3)
    );
    assert_eq!(
        (p.weights.same_locality, p.weights.age_gap_free, p.weights.age_gap_per_year, p.weights.age_gap_max),
        (15, 2, 2, 20)
    );
    assert!(p.exclusions.is_empty() && p.keep.is_empty());
    let m = &p.mentors[0];
    assert!(m.substances.is_empty() && m.days.is_empty() && m.age.is_none() && m.locality.is_none());
    assert_eq!(p.mentees[0].id, Id::Int(7));
    // Partly given rules and weights keep the defaults of the rest; null counts as absent.
    let mut v = minimal();
    v["rules"] = json!({"same_gender": false});
    v["weights"] = json!({"same_locality": 40, "shared_day": null});
    v["mentors"][0]["age"] = json!(null);
    let p = Problem::from_json(&v.to_string()).unwrap();
    assert_eq!(p.rules, Rules { same_gender: false, min_recovery_days: 180 });
    assert_eq!(p.weights, Weights { same_locality: 40, ..Weights::default() });
}

#[test]
fn a_problem_survives_a_round_trip_through_json() {
    let mut v = minimal();
    v["mentors"][0]["days"] = json!(["mon", "thu"]);
    v["mentors"][0]["age"] = json!(41.0);
    v["keep"] = json!([{"mentor": "m1", "mentee": "7"}]);
    let p = Problem::from_json(&v.to_string()).unwrap();
    assert_eq!(p.mentors[0].age, Some(41));
    let text = serde_json::to_string(&p).unwrap();
    assert_eq!(Problem::from_json(&text).unwrap(), p);
    // serde goes through the same checks.
    let back: Problem = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
    let bad = serde_json::from_str::<Problem>(r#"{"mentors": [], "mentees": [{"id": 1}]}"#).unwrap_err();
    assert!(bad.to_string().contains("mentees[0].gender: this field is required"), "{bad}");
}

#[test]
fn bad_files_name_the_field() {
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (json!([1, 2]), "expected a JSON object with \"mentors\" and \"mentees\" at the top level, found a list"),
        (json!({"mentees": []}), "mentors: this field is required (expected a list of objects)"),
        (json!({"mentors": {}, "mentees": []}), "mentors: expected a list, found an object"),
        (
            json!({"mentors": [], "mentees": [], "mentor": []}),
            "mentor: unknown field; the fields here are rules, weights",
        ),
        (
            json!({"mentors": [], "mentees": [], "rules": {"same_gender": "yes"}}),
            "rules.same_gender: expected true or false, found \"yes\"",
        ),
        (
            json!({"mentors": [], "mentees": [], "rules": {"min_recovery_days": -5}}),
            "rules.min_recovery_days: expected a whole number, 0 or more, found -5",
        ),
        (
            json!({"mentors": [], "mentees": [], "weights": {"same_substnce": 3}}),
            "weights.same_substnce: unknown weight; the weights are same_substance, shared_substance",
        ),
        (
            json!({"mentors": [], "mentees": [], "weights": {"shared_day": 2.5}}),
            "weights.shared_day: expected a whole number from 0 to 1000, found 2.5",
        ),
        (
            json!({"mentors": [], "mentees": [], "weights": {"shared_day": 5000}}),
            "weights.shared_day: expected a whole number from 0 to 1000, found 5000",
        ),
        (
            json!({"mentors": [], "mentees": [], "exclusions": [{"mentor": "x"}]}),
            "exclusions[0].mentee: this field is required",
        ),
    ];
    for (v, want) in cases {
        let got = error_of(v.clone());
        assert!(got.starts_with(want), "{v}\n got: {got}\nwant: {want}");
    }
    let with = |path: &str, value: serde_json::Value| {
        let mut v = minimal();
        let (parent, last) = path.rsplit_once('/').unwrap();
        match v.pointer_mut(parent).unwrap() {
            serde_json::Value::Array(items) => items[last.parse::<usize>().unwrap()] = value,
            other => other[last] = value,
        }
        error_of(v)
    };
    let mut v = minimal();
    v["mentors"][0].as_object_mut().unwrap().remove("gender");
    assert_eq!(error_of(v), r#"mentors[0].gender: this field is required (expected "female", "male" or "other")"#);
    assert_eq!(
        with("/mentors/0/gender", json!("f")),
        r#"mentors[0].gender: expected "female", "male" or "other", found "f""#
    );
    assert_eq!(
        with("/mentees/0/gender", json!(1)),
        r#"mentees[0].gender: expected "female", "male" or "other", found 1"#
    );
    assert_eq!(with("/mentors/0/languages", json!("Hindi")), "mentors[0].languages: expected a list, found \"Hindi\"");
    assert_eq!(
        with("/mentors/0/languages/0", json!(3)),
        "mentors[0].languages[0]: expected a non-empty string, found 3"
    );
    assert_eq!(
        with("/mentors/0/capacity", json!(-1)),
        "mentors[0].capacity: expected a whole number from 0 to 1000, found -1"
    );
    assert_eq!(with("/mentors/0/trained", json!("true")), "mentors[0].trained: expected true or false, found \"true\"");
    assert_eq!(
        with("/mentees/0/id", json!(1.5)),
        "mentees[0].id: expected a non-empty string or a whole number, found 1.5"
    );
    assert_eq!(
        with("/mentees/0/id", json!("")),
        "mentees[0].id: expected a non-empty string or a whole number, found an empty string"
    );
    assert_eq!(with("/mentees/0/age", json!(400)), "mentees[0].age: expected a whole number from 0 to 150, found 400");
    assert!(
        with("/mentees/0/days", json!(["monday"])).starts_with(r#"mentees[0].days[0]: expected one of "mon", "tue""#)
    );
    let mut v = minimal();
    v["mentees"][0]["localty"] = json!("x");
    assert!(error_of(v).starts_with("mentees[0].localty: unknown field; the fields here are id, gender"));

    let mut v = minimal();
    v["mentees"] =
        json!([{"id": 7, "gender": "male", "languages": []}, {"id": "7", "gender": "male", "languages": []}]);
    assert_eq!(error_of(v), "mentees[1].id: \"7\" is also the id of mentees[0]; ids must be unique");
    let mut v = minimal();
    v["keep"] = json!([{"mentor": "m2", "mentee": 7}]);
    assert_eq!(error_of(v), "keep[0].mentor: there is no mentor with the id \"m2\"");
    let mut v = minimal();
    v["exclusions"] = json!([{"mentor": "m1", "mentee": 8}]);
    assert_eq!(error_of(v), "exclusions[0].mentee: there is no mentee with the id 8");
    let mut v = minimal();
    v["keep"] = json!([{"mentor": "m1", "mentee": 7}, {"mentor": "m1", "mentee": "7"}]);
    assert_eq!(error_of(v), "keep[1].mentee: mentee \"7\" is already kept in keep[0]; a mentee has one mentor");

    let e = Problem::from_json("{\"mentors\": [").unwrap_err();
    assert!(e.to_string().starts_with("this is not valid JSON (EOF while parsing a list at line 1"), "{e}");
    assert!(matches!(e, Error::Invalid { code: "match_problem_invalid", field: None, .. }));
}

#[test]
fn check_catches_what_rust_callers_can_get_wrong() {
    let mut p = problem(vec![mentor("m1", Gender::Male, &["Hindi"])], vec![mentee("e1", Gender::Male, &["Hindi"])]);
    assert!(p.check().is_ok());
    p.weights.same_locality = 1001;
    assert_eq!(
        p.check().unwrap_err().to_string(),
        "weights.same_locality: expected a whole number from 0 to 1000, found 1001"
    );
    // solve() takes it as its limit rather than failing.
    assert_eq!(solve(&p).pairs.len(), 1);
    p.weights = Weights::default();
    p.mentors[0].capacity = 5000;
    assert!(p.check().unwrap_err().to_string().starts_with("mentors[0].capacity"));
    p.mentors[0].capacity = 1;
    p.mentors.push(mentor("m1", Gender::Male, &["Hindi"]));
    assert!(p.check().unwrap_err().to_string().starts_with("mentors[1].id: \"m1\" is also the id of mentors[0]"));
}

#[test]
fn the_example_in_matching_md_gives_the_documented_solution() {
    let doc = include_str!("../../MATCHING.md");
    let blocks: Vec<&str> = doc.split("```json\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert_eq!(blocks.len(), 2, "MATCHING.md shows one problem and one solution");
    let p = Problem::from_json(blocks[0]).unwrap();
    let mut s = solve(&p);
    s.all_scores = Some(all_scores(&p));
    let want: serde_json::Value = serde_json::from_str(blocks[1]).unwrap();
    assert_eq!(serde_json::to_value(&s).unwrap(), want);
}

// ---- scores and reasons -----------------------------------------------------------------

#[test]
fn reasons_explain_every_point() {
    let mut m = mentor("m1", Gender::Male, &["Hindi", "Punjabi"]);
    m.substances = vec!["alcohol".into(), "cannabis".into()];
    m.age = Some(40);
    m.days = vec![Day::Mon, Day::Tue, Day::Thu];
    m.locality = Some("Model Town".into());
    let mut e = mentee("e1", Gender::Male, &["Punjabi"]);
    e.substances = vec!["alcohol".into()];
    e.age = Some(34);
    e.days = vec![Day::Thu, Day::Mon, Day::Sat];
    e.locality = Some("Model Town".into());
    let p = problem(vec![m], vec![e]);
    let s = solve(&p);
    assert_eq!(s.pairs.len(), 1);
    let pair = &s.pairs[0];
    assert_eq!(
        english(&pair.reasons),
        vec![
            "both speak Punjabi",
            "same substance: alcohol +30",
            "both free Mon/Thu +20",
            "same locality: Model Town +15",
            "6 years apart \u{2212}8",
        ]
    );
    assert_eq!(pair.score, 30 + 20 + 15 - 8);
    assert!(!pair.kept);
    assert_eq!(explain(&p, &"m1".into(), &"e1".into()), Some((pair.score, pair.reasons.clone())));
}

#[test]
fn reasons_for_other_substances_caps_and_near_ages() {
    let mut m = mentor("m1", Gender::Female, &["Hindi", "English", "Punjabi"]);
    m.substances = vec!["opioids".into(), "alcohol".into()];
    m.age = Some(30);
    m.days = Day::ALL.to_vec();
    let mut e = mentee("e1", Gender::Female, &["Punjabi", "Hindi", "Hindi", "English"]);
    e.substances = vec!["cannabis".into(), "alcohol".into()];
    e.age = Some(31);
    e.days = vec![Day::Mon, Day::Wed, Day::Fri, Day::Sun];
    e.locality = Some("Sector 17".into());
    let mut p = problem(vec![m], vec![e]);
    let (score, reasons) = explain(&p, &"m1".into(), &"e1".into()).unwrap();
    assert_eq!(
        english(&reasons),
        vec![
            "both speak Punjabi, Hindi and English",
            "both have used alcohol +10",
            "both free Mon/Wed/Fri/Sun +30",
            "close in age (1 year apart)",
        ]
    );
    assert_eq!(score, 10 + 30);
    // A large gap is capped; a weight of 0 drops its reason.
    p.mentees[0].age = Some(70);
    p.weights.shared_substance = 0;
    p.mentors[0].days = vec![Day::Tue];
    let (score, reasons) = explain(&p, &"m1".into(), &"e1".into()).unwrap();
    assert_eq!(
        english(&reasons),
        vec!["both speak Punjabi, Hindi and English", "no free day in common", "40 years apart \u{2212}20"]
    );
    assert_eq!(score, -20);
}

#[test]
fn kept_pairs_stay_even_when_they_break_a_rule_now() {
    let mut m = mentor("m1", Gender::Male, &["Hindi"]);
    m.capacity = 1;
    m.trained = false;
    let p = Problem {
        keep: vec![pair("m1", "e1")],
        ..problem(
            vec![m, mentor("m2", Gender::Female, &["Hindi"])],
            vec![mentee("e1", Gender::Female, &["Tamil"]), mentee("e2", Gender::Male, &["Hindi"])],
        )
    };
    let s = solve(&p);
    assert_eq!(pairs_of(&s), vec![("m1".into(), "e1".into())]);
    let kept = &s.pairs[0];
    assert!(kept.kept);
    assert_eq!(
        english(&kept.reasons),
        vec![
            "kept from the current pairing",
            "would not be suggested now: different gender; no shared language; the mentor is not trained",
        ]
    );
    assert_eq!(why(&s, "e2"), "no trained mentor of the same gender (male)");
}

// ---- hand-made cases --------------------------------------------------------------------

#[test]
fn more_pairs_beat_a_better_score() {
    // m1 fits e1 far better, but only m1 speaks e2's language: both get a mentor.
    let mut m1 = mentor("m1", Gender::Male, &["Hindi", "Tamil"]);
    m1.substances = vec!["alcohol".into()];
    m1.locality = Some("A".into());
    let mut e1 = mentee("e1", Gender::Male, &["Hindi"]);
    e1.substances = vec!["alcohol".into()];
    e1.locality = Some("A".into());
    let p = problem(vec![m1, mentor("m2", Gender::Male, &["Hindi"])], vec![e1, mentee("e2", Gender::Male, &["Tamil"])]);
    let s = solve(&p);
    assert_eq!(pairs_of(&s), vec![("m1".into(), "e2".into()), ("m2".into(), "e1".into())]);
    assert!(s.unmatched.is_empty());
}

#[test]
fn capacity_places_and_the_best_total() {
    let mut m1 = mentor("m1", Gender::Female, &["Hindi"]);
    m1.capacity = 2;
    m1.substances = vec!["opioids".into()];
    let mut es: Vec<Mentee> = (1..=3).map(|i| mentee(&format!("e{i}"), Gender::Female, &["Hindi"])).collect();
    es[0].substances = vec!["opioids".into()];
    es[2].substances = vec!["opioids".into()];
    let p = problem(vec![m1], es);
    let s = solve(&p);
    assert_eq!(pairs_of(&s), vec![("m1".into(), "e1".into()), ("m1".into(), "e3".into())]);
    assert_eq!(s.suggested_score(), 60);
    assert_eq!(why(&s, "e2"), "every eligible mentor (m1) was matched to someone else with a better overall fit");
}

#[test]
fn every_unmatched_mentee_gets_a_plain_reason() {
    let mut fresh = mentor("m9", Gender::Other, &["Hindi"]);
    fresh.recovery_days = 30;
    let p = problem(vec![fresh.clone()], vec![mentee("e1", Gender::Other, &["Hindi"])]);
    assert_eq!(why(&solve(&p), "e1"), "no mentor is both trained and at least 180 days into recovery");
    let p = problem(vec![], vec![mentee("e1", Gender::Other, &["Hindi"])]);
    assert_eq!(why(&solve(&p), "e1"), "there are no mentors");

    let mut full = mentor("m2", Gender::Female, &["Hindi", "Punjabi"]);
    full.capacity = 1;
    let p = Problem {
        keep: vec![pair("m2", "e0")],
        exclusions: vec![pair("m3", "e3")],
        ..problem(
            vec![
                mentor("m1", Gender::Male, &["Hindi", "Punjabi"]),
                full,
                mentor("m3", Gender::Male, &["Tamil"]),
                fresh,
            ],
            vec![
                mentee("e0", Gender::Female, &["Hindi"]),
                mentee("e1", Gender::Male, &["Bengali", "Tamil", "Odia"]),
                mentee("e2", Gender::Female, &["Punjabi"]),
                mentee("e3", Gender::Male, &["Tamil"]),
                mentee("e4", Gender::Other, &["Hindi"]),
                mentee("e5", Gender::Female, &["Bengali"]),
                mentee("e6", Gender::Male, &[]),
            ],
        )
    };
    let s = solve(&p);
    // m3 takes e1 (the only other Tamil speaker, e3, is excluded with m3).
    assert_eq!(pairs_of(&s), vec![("m2".into(), "e0".into()), ("m3".into(), "e1".into())]);
    assert_eq!(why(&s, "e2"), "all eligible mentors (m2) are at capacity");
    assert_eq!(why(&s, "e3"), "the only eligible mentors (m3) are excluded for this mentee");
    assert_eq!(why(&s, "e4"), "no trained mentor of the same gender (other)");
    assert_eq!(why(&s, "e5"), "no eligible mentor of the same gender who speaks Bengali");
    assert_eq!(why(&s, "e6"), "no language is given for this mentee, and a mentor must share one");
    let p2 = Problem { rules: Rules { same_gender: false, min_recovery_days: 0 }, ..p.clone() };
    let s2 = solve(&p2);
    assert_eq!(why(&s2, "e5"), "no eligible mentor who speaks Bengali");
    assert!(s2.pairs.len() > s.pairs.len(), "without the gender rule and the recovery minimum, more pairs");
    let mut p3 = p;
    p3.mentees[1].languages = vec!["Bengali".into(), "Odia".into(), "Tamil".into(), "Urdu".into()];
    p3.mentors[2].languages = vec![];
    assert_eq!(why(&solve(&p3), "e1"), "no eligible mentor of the same gender who speaks Bengali, Odia, Tamil or Urdu");
}

#[test]
fn output_is_in_id_order_and_ids_keep_their_form() {
    let mut ms: Vec<Mentor> = ["10", "9", "b", "a"].iter().map(|i| mentor(i, Gender::Male, &["Hindi"])).collect();
    ms[0].id = Id::Int(10);
    let es: Vec<Mentee> =
        [3, 20, 1, 4].iter().map(|i| Mentee { id: Id::Int(*i), ..mentee("", Gender::Male, &["Hindi"]) }).collect();
    let s = solve(&problem(ms, es));
    let mentors: Vec<&Id> = s.pairs.iter().map(|p| &p.mentor).collect();
    assert_eq!(mentors, vec![&Id::Text("9".into()), &Id::Int(10), &Id::Text("a".into()), &Id::Text("b".into())]);
    let text = serde_json::to_value(&s).unwrap();
    assert_eq!(text["pairs"][1]["mentor"], json!(10));
    assert_eq!(text["pairs"][0]["mentor"], json!("9"));
    assert!(text.get("all_scores").is_none());
}

#[test]
fn all_scores_lists_every_pair_that_could_be_suggested() {
    let mut full = mentor("m3", Gender::Male, &["Hindi"]);
    full.capacity = 1;
    let p = Problem {
        keep: vec![pair("m3", "e3")],
        exclusions: vec![pair("m1", "e2")],
        ..problem(
            vec![mentor("m1", Gender::Male, &["Hindi"]), mentor("m2", Gender::Male, &["Hindi"]), full],
            vec![
                mentee("e1", Gender::Male, &["Hindi"]),
                mentee("e2", Gender::Male, &["Hindi"]),
                mentee("e3", Gender::Male, &["Hindi"]),
                mentee("e4", Gender::Female, &["Hindi"]),
            ],
        )
    };
    let got: Vec<(String, String)> = all_scores(&p).iter().map(|s| (s.mentor.key(), s.mentee.key())).collect();
    let want = [("m1", "e1"), ("m2", "e1"), ("m2", "e2")];
    assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
}

// ---- properties on random small centres -------------------------------------------------

const LANGS: [&str; 3] = ["Hindi", "Punjabi", "English"];
const SUBS: [&str; 3] = ["alcohol", "opioids", "cannabis"];
const PLACES: [&str; 2] = ["Model Town", "Old City"];

#[derive(Debug, Clone)]
struct Traits {
    gender: Gender,
    languages: Vec<String>,
    substances: Vec<String>,
    age: Option<u32>,
    days: Vec<Day>,
    locality: Option<String>,
    groups: Vec<String>,
}

const GROUPS: [&str; 3] = ["Tuesday aftercare", "Women's circle", "Family group"];

fn traits() -> impl Strategy<Value = Traits> {
    (
        prop_oneof![4 => Just(Gender::Female), 4 => Just(Gender::Male), 1 => Just(Gender::Other)],
        prop::sample::subsequence(LANGS.to_vec(), 0..=2),
        prop::collection::vec(prop::sample::select(SUBS.to_vec()), 0..3),
        prop::option::weighted(0.8, 18u32..60),
        prop::sample::subsequence(Day::ALL.to_vec(), 0..=4),
        prop::option::of(prop::sample::select(PLACES.to_vec())),
        prop::sample::subsequence(GROUPS.to_vec(), 0..=1),
    )
        .prop_map(|(gender, languages, substances, age, days, locality, groups)| Traits {
            gender,
            languages: languages.into_iter().map(String::from).collect(),
            substances: substances.into_iter().map(String::from).collect(),
            age,
            days,
            locality: locality.map(String::from),
            groups: groups.into_iter().map(String::from).collect(),
        })
}

/// Up to 7 mentees × 5 mentors, capacities 1–3.
fn small_problem() -> impl Strategy<Value = Problem> {
    centre(5, 7, 3)
}

/// A random centre: up to `mentors` × `mentees`, up to `refs` exclusions and `refs − 1`
/// kept pairs, random rules and weights.
pub(super) fn centre(mentors: usize, mentees: usize, refs: usize) -> impl Strategy<Value = Problem> {
    let mentors =
        prop::collection::vec((traits(), 100u32..400, prop::bool::weighted(0.9), 1u32..=3, any::<bool>()), 1..=mentors);
    let mentees =
        prop::collection::vec((traits(), any::<bool>(), prop::collection::vec(any::<usize>(), 0..=1)), 1..=mentees);
    let weights = ((0u32..40, 0u32..20, 0u32..15, 0u32..5, 0u32..20), (0u32..4, 0u32..4, 0u32..25, 0u32..20, 0u32..30));
    let rules = (prop::bool::weighted(0.7), prop::sample::select(vec![0u32, 180, 365]));
    let keeps = prop::collection::vec((any::<usize>(), any::<usize>()), 0..refs);
    let refs = prop::collection::vec((any::<usize>(), any::<usize>()), 0..=refs);
    (mentors, mentees, weights, rules, refs, keeps).prop_map(|(ms, es, w, r, excl, keeps)| {
        let mentors: Vec<Mentor> = ms
            .into_iter()
            .enumerate()
            .map(|(i, (t, recovery_days, trained, capacity, numeric))| Mentor {
                id: if numeric { Id::Int(100 + i as i64) } else { Id::Text(format!("m{i}")) },
                gender: t.gender,
                languages: t.languages,
                substances: t.substances,
                age: t.age,
                recovery_days,
                trained,
                capacity,
                days: t.days,
                locality: t.locality,
                groups: t.groups,
            })
            .collect();
        let mentees: Vec<Mentee> = es
            .into_iter()
            .enumerate()
            .map(|(i, (t, numeric, prefs))| Mentee {
                id: if numeric { Id::Int(i as i64) } else { Id::Text(format!("e{i}")) },
                gender: t.gender,
                languages: t.languages,
                substances: t.substances,
                age: t.age,
                days: t.days,
                locality: t.locality,
                groups: t.groups,
                prefers: prefs.into_iter().map(|m| mentors[m % mentors.len()].id.clone()).collect(),
            })
            .collect();
        let refer = |(m, e): (usize, usize)| PairRef {
            mentor: mentors[m % mentors.len()].id.clone(),
            mentee: mentees[e % mentees.len()].id.clone(),
        };
        let exclusions = excl.into_iter().map(refer).collect();
        let mut keep: Vec<PairRef> = Vec::new();
        for k in keeps.into_iter().map(refer) {
            if !keep.iter().any(|x| x.mentee == k.mentee) {
                keep.push(k);
            }
        }
        Problem {
            rules: Rules { same_gender: r.0, min_recovery_days: r.1 },
            weights: Weights {
                same_substance: w.0.0,
                shared_substance: w.0.1,
                shared_day: w.0.2,
                shared_days_max: w.0.3,
                same_locality: w.0.4,
                age_gap_free: w.1.0,
                age_gap_per_year: w.1.1,
                age_gap_max: w.1.2,
                same_group: w.1.3,
                preferred_mentor: w.1.4,
            },
            mentors,
            mentees,
            exclusions,
            keep,
        }
    })
}

/// The hard rules, written again independently of the matcher.
fn eligible(p: &Problem, m: &Mentor, e: &Mentee) -> bool {
    m.trained
        && m.recovery_days >= p.rules.min_recovery_days
        && (!p.rules.same_gender || m.gender == e.gender)
        && m.languages.iter().any(|l| e.languages.contains(l))
        && !p.exclusions.iter().any(|x| x.mentor == m.id && x.mentee == e.id)
}

fn kept_count(p: &Problem, m: &Mentor) -> u32 {
    p.keep.iter().filter(|k| k.mentor == m.id).count() as u32
}

/// Every way to give the free mentees a mentor (or none): the most pairs, then the best
/// total score.
fn brute_force(p: &Problem) -> (usize, i64) {
    let free: Vec<&Mentee> = p.mentees.iter().filter(|e| !p.keep.iter().any(|k| k.mentee == e.id)).collect();
    let room: Vec<u32> = p.mentors.iter().map(|m| m.capacity.saturating_sub(kept_count(p, m))).collect();
    let options: Vec<Vec<(usize, i64)>> = free
        .iter()
        .map(|e| {
            p.mentors
                .iter()
                .enumerate()
                .filter(|(_, m)| eligible(p, m, e))
                .map(|(i, m)| (i, explain(p, &m.id, &e.id).unwrap().0))
                .collect()
        })
        .collect();
    fn go(options: &[Vec<(usize, i64)>], room: &mut [u32], at: usize, n: usize, score: i64, best: &mut (usize, i64)) {
        if at == options.len() {
            if (n, score) > *best {
                *best = (n, score);
            }
            return;
        }
        go(options, room, at + 1, n, score, best);
        for &(m, s) in &options[at] {
            if room[m] > 0 {
                room[m] -= 1;
                go(options, room, at + 1, n + 1, score + s, best);
                room[m] += 1;
            }
        }
    }
    let mut best = (0, i64::MIN);
    go(&options, &mut room.clone(), 0, 0, 0, &mut best);
    best
}

fn shuffled(p: &Problem, seed: u64) -> Problem {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut q = p.clone();
    q.mentors.shuffle(&mut rng);
    q.mentees.shuffle(&mut rng);
    q.exclusions.shuffle(&mut rng);
    q.keep.shuffle(&mut rng);
    q
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_solution_is_the_exact_optimum(p in small_problem()) {
        prop_assert!(p.check().is_ok());
        let s = solve(&p);
        prop_assert_eq!((s.suggested(), s.suggested_score()), brute_force(&p));
    }

    #[test]
    fn no_hard_rule_is_ever_broken(p in small_problem()) {
        let s = solve(&p);
        let mentor = |id: &Id| p.mentors.iter().find(|m| m.id == *id).unwrap();
        let mentee = |id: &Id| p.mentees.iter().find(|e| e.id == *id).unwrap();
        for pair in s.pairs.iter().filter(|x| !x.kept) {
            prop_assert!(eligible(&p, mentor(&pair.mentor), mentee(&pair.mentee)), "{:?}", pair);
            prop_assert!(!p.keep.iter().any(|k| k.mentee == pair.mentee), "a kept mentee matched again");
        }
        for m in &p.mentors {
            let kept = kept_count(&p, m);
            let suggested = s.pairs.iter().filter(|x| !x.kept && x.mentor == m.id).count() as u32;
            prop_assert!(suggested == 0 || kept + suggested <= m.capacity, "{} over capacity", m.id);
        }
        // Every mentee appears exactly once: in a pair or as unmatched, with a reason.
        for e in &p.mentees {
            let n = s.pairs.iter().filter(|x| x.mentee == e.id).count() + s.unmatched.iter().filter(|u| u.mentee == e.id).count();
            prop_assert_eq!(n, 1, "{}", e.id);
        }
        prop_assert!(s.unmatched.iter().all(|u| !u.why.to_string().is_empty()));
        // Scores and reasons agree with explain().
        for pair in &s.pairs {
            let (score, reasons) = explain(&p, &pair.mentor, &pair.mentee).unwrap();
            prop_assert_eq!(score, pair.score);
            if !pair.kept {
                prop_assert_eq!(&reasons, &pair.reasons);
                let speaks = matches!(pair.reasons[0], PairReason::BothSpeak { .. });
                prop_assert!(speaks);
            }
        }
    }

    #[test]
    fn kept_pairs_stay(p in small_problem()) {
        let s = solve(&p);
        for k in &p.keep {
            prop_assert!(s.pairs.iter().any(|x| x.kept && x.mentor == k.mentor && x.mentee == k.mentee), "{:?}", k);
        }
        prop_assert_eq!(s.pairs.iter().filter(|x| x.kept).count(), p.keep.len());
    }

    #[test]
    fn same_input_same_output_in_any_order(p in small_problem(), seed in any::<u64>()) {
        let s = solve(&p);
        prop_assert_eq!(&s, &solve(&p));
        let q = shuffled(&p, seed);
        let t = solve(&q);
        prop_assert_eq!((s.suggested(), s.suggested_score()), (t.suggested(), t.suggested_score()));
        // Stronger: people are handled in id order, so the whole solution is the same.
        prop_assert_eq!(&s, &t);
        prop_assert_eq!(all_scores(&p), all_scores(&q));
    }

    #[test]
    fn all_scores_are_exactly_the_suggestible_pairs(p in small_problem()) {
        let mut want = Vec::new();
        for e in p.mentees.iter().filter(|e| !p.keep.iter().any(|k| k.mentee == e.id)) {
            for m in p.mentors.iter().filter(|m| m.capacity > kept_count(&p, m) && eligible(&p, m, e)) {
                want.push((m.id.key(), e.id.key(), explain(&p, &m.id, &e.id).unwrap().0));
            }
        }
        want.sort();
        let mut got: Vec<_> = all_scores(&p).into_iter().map(|s| (s.mentor.key(), s.mentee.key(), s.score)).collect();
        got.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn larger_centres_match_an_independent_min_cost_flow(p in centre(12, 30, 8)) {
        let free: Vec<&Mentee> = p.mentees.iter().filter(|e| !p.keep.iter().any(|k| k.mentee == e.id)).collect();
        let mut weights = Vec::new();
        for e in &free {
            for m in &p.mentors {
                let score = explain(&p, &m.id, &e.id).unwrap().0 as i32;
                weights.push(if eligible(&p, m, e) { score } else { flow::NO });
            }
        }
        let cap: Vec<u32> = p.mentors.iter().map(|m| m.capacity.saturating_sub(kept_count(&p, m))).collect();
        let s = solve(&p);
        prop_assert_eq!(
            (s.suggested(), s.suggested_score()),
            flow::tests::reference(&weights, free.len(), p.mentors.len(), &cap)
        );
    }

    #[test]
    fn json_round_trip_keeps_the_problem(p in small_problem()) {
        let text = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(Problem::from_json(&text).unwrap(), p);
    }
}

#[test]
fn shared_groups_and_the_mentees_wish_score_and_are_explained() {
    let mut m1 = mentor("m1", Gender::Male, &["Hindi"]);
    m1.groups = vec!["Tuesday aftercare".into()];
    let m2 = mentor("m2", Gender::Male, &["Hindi"]);
    let mut e1 = mentee("e1", Gender::Male, &["Hindi"]);
    e1.groups = vec!["Family group".into(), "Tuesday aftercare".into()];
    let mut e2 = mentee("e2", Gender::Male, &["Hindi"]);
    e2.prefers = vec!["m2".into()];
    let p = problem(vec![m1, m2], vec![e1, e2]);
    let (score, reasons) = explain(&p, &"m1".into(), &"e1".into()).unwrap();
    assert_eq!(score, 15);
    assert!(english(&reasons).contains(&"same group: Tuesday aftercare +15".to_owned()), "{reasons:?}");
    let (score, reasons) = explain(&p, &"m2".into(), &"e2".into()).unwrap();
    assert_eq!(score, 25);
    assert!(english(&reasons).contains(&"the mentee asked for this mentor +25".to_owned()), "{reasons:?}");
    let s = solve(&p);
    let got: Vec<_> = s.pairs.iter().map(|p| (p.mentor.key(), p.mentee.key())).collect();
    assert_eq!(got, [("m1".to_owned(), "e1".to_owned()), ("m2".to_owned(), "e2".to_owned())]);
}

#[test]
fn a_preference_for_nobody_is_refused_naming_the_field() {
    let text =
        r#"{"mentors": [], "mentees": [{"id": 1, "gender": "male", "languages": ["Hindi"], "prefers": ["m9"]}]}"#;
    let err = Problem::from_json(text).unwrap_err().to_string();
    assert!(err.contains("mentees[0].prefers[0]: there is no mentor with the id \"m9\""), "{err}");
}

#[test]
fn broken_rules_names_every_rule_a_hand_pair_breaks() {
    let mut m1 = mentor("m1", Gender::Female, &["Tamil"]);
    m1.trained = false;
    m1.recovery_days = 30;
    m1.capacity = 1;
    let e1 = mentee("e1", Gender::Male, &["Hindi"]);
    let e2 = mentee("e2", Gender::Female, &["Tamil"]);
    let mut p = problem(vec![m1, mentor("m2", Gender::Male, &["Hindi"])], vec![e1, e2]);
    p.keep = vec![pair("m1", "e2")];
    p.exclusions = vec![pair("m1", "e1")];
    let broken = broken_rules(&p, &"m1".into(), &"e1".into()).unwrap();
    assert_eq!(
        english(&broken),
        [
            "different gender",
            "no shared language",
            "the pair is excluded",
            "the mentor is not trained",
            "the mentor has fewer than 180 days in recovery",
            "the mentor has no free place (1 of 1 taken)",
        ]
    );
    assert_eq!(broken_rules(&p, &"m2".into(), &"e1".into()).unwrap(), Vec::<BrokenRule>::new());
    assert_eq!(broken_rules(&p, &"m9".into(), &"e1".into()), None);
}
