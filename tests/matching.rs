//! `saathi match`: a problem file in, the solution as JSON out; a bad file gives a plain
//! sentence naming the field, and exit code 1.
use std::path::Path;

use saathi_tests::run_saathi as saathi;
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A small centre: two women mentors (one full with a kept pair), two men mentors, and
/// mentees with something for every kind of answer.
fn centre() -> Value {
    json!({
        "rules": {"same_gender": true, "min_recovery_days": 180},
        "weights": {"same_substance": 30, "shared_day": 10, "same_locality": 15},
        "mentors": [
            {"id": "m1", "gender": "male", "languages": ["Hindi", "Punjabi"], "substances": ["alcohol"],
             "age": 40, "recovery_days": 900, "trained": true, "capacity": 2,
             "days": ["mon", "tue", "thu"], "locality": "Model Town"},
            {"id": "m2", "gender": "male", "languages": ["Hindi"], "substances": ["opioids"],
             "age": 29, "recovery_days": 400, "trained": true, "capacity": 1, "days": ["sat"]},
            {"id": "m3", "gender": "male", "languages": ["Punjabi"], "substances": ["alcohol"],
             "age": 35, "recovery_days": 90, "trained": true, "capacity": 3},
            {"id": 4, "gender": "female", "languages": ["Hindi"], "recovery_days": 500, "trained": true,
             "capacity": 1}
        ],
        "mentees": [
            {"id": "e1", "gender": "male", "languages": ["Punjabi"], "substances": ["alcohol"], "age": 34,
             "days": ["thu", "mon", "sat"], "locality": "Model Town"},
            {"id": "e2", "gender": "male", "languages": ["Hindi"], "substances": ["opioids"], "age": 30},
            {"id": "e3", "gender": "male", "languages": ["Hindi"], "substances": ["cannabis"]},
            {"id": "e4", "gender": "female", "languages": ["Hindi"]},
            {"id": "e5", "gender": "female", "languages": ["Hindi"]},
            {"id": "e6", "gender": "male", "languages": ["Tamil"]},
            {"id": "e7", "gender": "other", "languages": ["Hindi"]}
        ],
        "exclusions": [{"mentor": "m2", "mentee": "e3"}],
        "keep": [{"mentor": 4, "mentee": "e4"}]
    })
}

fn ids(v: &Value, list: &str, a: &str, b: &str) -> Vec<(String, String)> {
    let text = |x: &Value| x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string());
    v[list].as_array().unwrap().iter().map(|p| (text(&p[a]), text(&p[b]))).collect()
}

#[test]
fn match_prints_the_solution_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "centre.json", &centre().to_string());
    let (code, out, err) = saathi(&["match", "--problem", &file]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    let s: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        ids(&s, "pairs", "mentor", "mentee"),
        vec![pair("4", "e4"), pair("m1", "e1"), pair("m1", "e3"), pair("m2", "e2")],
        "by mentor then mentee, whole-number ids first"
    );
    let e1 = &s["pairs"][1];
    assert_eq!(e1["score"], json!(30 + 20 + 15 - 8));
    assert_eq!(
        e1["reasons"],
        json!([
            "both speak Punjabi",
            "same substance: alcohol +30",
            "both free Mon/Thu +20",
            "same locality: Model Town +15",
            "6 years apart \u{2212}8"
        ])
    );
    assert_eq!(e1["kept"], json!(false));
    // The kept pair stays, with its id written as it came (a number).
    assert_eq!(s["pairs"][0]["mentor"], json!(4));
    assert_eq!(s["pairs"][0]["kept"], json!(true));
    assert_eq!(s["pairs"][0]["reasons"][0], json!("kept from the current pairing"));
    let why: Vec<(String, String)> = ids(&s, "unmatched", "mentee", "why");
    assert_eq!(
        why,
        vec![
            pair("e5", "all eligible mentors (4) are at capacity"),
            pair("e6", "no eligible mentor of the same gender who speaks Tamil"),
            pair("e7", "no trained mentor of the same gender (other)"),
        ]
    );
    assert!(s.get("all_scores").is_none(), "only with --all-scores");

    // The same file always gives the same bytes.
    let (_, again, _) = saathi(&["match", "--problem", &file]);
    assert_eq!(out, again);
}

#[test]
fn all_scores_lists_every_pair_that_passes_the_hard_rules() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "centre.json", &centre().to_string());
    let (code, out, err) = saathi(&["match", "--problem", &file, "--all-scores"]);
    assert_eq!(code, 0, "{err}");
    let s: Value = serde_json::from_str(&out).unwrap();
    // m3 is too new in recovery, m2–e3 is excluded, mentor 4 is full, e4 is kept.
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        ids(&s, "all_scores", "mentor", "mentee"),
        vec![pair("m1", "e1"), pair("m1", "e2"), pair("m2", "e2"), pair("m1", "e3")]
    );
    let scores: Vec<i64> = s["all_scores"].as_array().unwrap().iter().map(|p| p["score"].as_i64().unwrap()).collect();
    assert_eq!(scores[0], 57);
    assert_eq!(s["pairs"].as_array().unwrap().len(), 4, "the pairs are printed too");
}

#[test]
fn a_bad_file_gives_a_plain_sentence_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = centre();
    bad["mentors"][3]["gender"] = json!("f");
    let file = write(dir.path(), "bad.json", &bad.to_string());
    let (code, out, err) = saathi(&["match", "--problem", &file]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err.trim_end(),
        format!(
            "saathi: {file} is not a valid matching problem: \
             mentors[3].gender: expected \"female\", \"male\" or \"other\", found \"f\"."
        )
    );
    assert_eq!(err.lines().count(), 1, "one sentence, no backtrace: {err}");

    let mut missing = centre();
    missing["mentees"][2].as_object_mut().unwrap().remove("languages");
    let file = write(dir.path(), "missing.json", &missing.to_string());
    let (code, _, err) = saathi(&["match", "--problem", &file]);
    assert_eq!(code, 1);
    assert!(err.contains("mentees[2].languages: this field is required (expected a list of strings)"), "{err}");

    let mut nobody = centre();
    nobody["keep"] = json!([{"mentor": "m9", "mentee": "e1"}]);
    let file = write(dir.path(), "nobody.json", &nobody.to_string());
    let (code, _, err) = saathi(&["match", "--problem", &file]);
    assert_eq!(code, 1);
    assert!(err.contains("keep[0].mentor: there is no mentor with the id \"m9\""), "{err}");

    let file = write(dir.path(), "broken.json", "{\"mentors\": [,]}");
    let (code, _, err) = saathi(&["match", "--problem", &file]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a valid matching problem: this is not valid JSON (expected value at line 1"), "{err}");

    let gone = dir.path().join("no-such-file.json");
    let (code, _, err) = saathi(&["match", "--problem", gone.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.starts_with("saathi: Could not read the problem file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_command_line_itself_is_checked() {
    let (code, _, err) = saathi(&["match"]);
    assert_eq!(code, 2, "a missing --problem is a mistyped command line");
    assert!(err.contains("--problem"), "{err}");
    let (code, _, err) = saathi(&["match", "--problem", "x.json", "--all-score"]);
    assert_eq!(code, 2);
    assert!(err.contains("--all-score"), "{err}");
    let (code, out, _) = saathi(&["match", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--problem") && out.contains("--all-scores"), "{out}");
    let (_, out, _) = saathi(&["--help"]);
    assert!(out.contains("match"), "{out}");
}
