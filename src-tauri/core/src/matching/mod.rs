//! Peer mentorship: who should mentor whom.
//!
//! A pure function of its input: a [`Problem`] (mentors, mentees, hard rules, weights,
//! exclusions and pairs to keep) goes in, a [`Solution`] (pairs with their score and
//! reasons, and every mentee left unmatched with the reason why: codes, written in
//! plain English in the matcher's JSON) comes out.
//! No database, no clock, no randomness: the same problem always gives the same solution,
//! whatever the order of the people in it.
//!
//! The optimum is exact: as many mentees matched as possible, and among those matchings
//! the largest total score (a min-cost flow, see `flow.rs`). `MATCHING.md` beside
//! `Cargo.toml` documents the JSON format, the rules, the weights and the reasons.
mod flow;
mod parse;
mod prepare;
mod reasons;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use prepare::Prepared;
#[cfg(test)]
pub(crate) use reasons::examples;
pub use reasons::{BrokenRule, PairReason, UnmatchedReason};

/// The error code of a problem file (or value) that cannot be used.
pub const INVALID_CODE: &str = "match_problem_invalid";
/// The largest weight (and weight parameter) accepted.
pub const MAX_WEIGHT: u32 = 1000;
/// The largest capacity accepted for one mentor.
pub const MAX_CAPACITY: u32 = 1000;
/// The largest age accepted.
pub const MAX_AGE: u32 = 150;

/// The id of a mentor or mentee: a string or a whole number, written back as it came.
/// In references (`exclusions`, `keep`) `7` and `"7"` name the same person, so two
/// people of one kind may not have ids `7` and `"7"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Int(i64),
    Text(String),
}

impl Id {
    /// The text two ids are compared by: `7` and `"7"` both give `"7"`.
    pub fn key(&self) -> String {
        match self {
            Id::Int(n) => n.to_string(),
            Id::Text(s) => s.clone(),
        }
    }

    /// The order the matcher works in (and lists its output in): whole numbers (and
    /// strings that are exactly a whole number) by value first, then other strings.
    fn sort_key(&self) -> (u8, i64, &str) {
        match self {
            Id::Int(n) => (0, *n, ""),
            Id::Text(s) => match s.parse::<i64>() {
                Ok(n) if n.to_string() == *s => (0, n, ""),
                _ => (1, 0, s.as_str()),
            },
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Int(n) => write!(f, "{n}"),
            Id::Text(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Id {
        Id::Text(s.to_owned())
    }
}

impl From<i64> for Id {
    fn from(n: i64) -> Id {
        Id::Int(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

    pub fn as_str(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self as usize]
    }

    /// "Mon", "Tue", … as the reasons write them.
    pub fn label(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self as usize]
    }
}

/// The hard rules that can be switched or tuned (the others always apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// Mentor and mentee must have the same gender. Default `true`.
    pub same_gender: bool,
    /// A mentor needs at least this many days in recovery. Default 180.
    pub min_recovery_days: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { same_gender: true, min_recovery_days: 180 }
    }
}

/// The soft preferences: whole numbers from 0 to [`MAX_WEIGHT`]; 0 switches one off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Weights {
    /// Points when the mentee's primary (first-listed) substance is also the mentor's. 30.
    pub same_substance: u32,
    /// Points when the primary substances differ but they share another one. 10.
    pub shared_substance: u32,
    /// Points per day of the week both are free. 10.
    pub shared_day: u32,
    /// At most this many shared days earn points. 3.
    pub shared_days_max: u32,
    /// Points when both give the same locality. 15.
    pub same_locality: u32,
    /// An age difference up to this many years costs nothing. 2.
    pub age_gap_free: u32,
    /// Points taken off per year of age difference beyond `age_gap_free`. 2.
    pub age_gap_per_year: u32,
    /// The age penalty never takes off more than this. 20.
    pub age_gap_max: u32,
    /// Points when both are in the same (aftercare) group. 15.
    pub same_group: u32,
    /// Points when the mentee asked for this mentor. 25.
    pub preferred_mentor: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            same_substance: 30,
            shared_substance: 10,
            shared_day: 10,
            shared_days_max: 3,
            same_locality: 15,
            age_gap_free: 2,
            age_gap_per_year: 2,
            age_gap_max: 20,
            same_group: 15,
            preferred_mentor: 25,
        }
    }
}

impl Weights {
    /// Every weight by its name in the JSON format, in documentation order.
    pub const NAMES: [&'static str; 10] = [
        "same_substance",
        "shared_substance",
        "shared_day",
        "shared_days_max",
        "same_locality",
        "age_gap_free",
        "age_gap_per_year",
        "age_gap_max",
        "same_group",
        "preferred_mentor",
    ];

    pub fn get_mut(&mut self, name: &str) -> Option<&mut u32> {
        Some(match name {
            "same_substance" => &mut self.same_substance,
            "shared_substance" => &mut self.shared_substance,
            "shared_day" => &mut self.shared_day,
            "shared_days_max" => &mut self.shared_days_max,
            "same_locality" => &mut self.same_locality,
            "age_gap_free" => &mut self.age_gap_free,
            "age_gap_per_year" => &mut self.age_gap_per_year,
            "age_gap_max" => &mut self.age_gap_max,
            "same_group" => &mut self.same_group,
            "preferred_mentor" => &mut self.preferred_mentor,
            _ => return None,
        })
    }

    /// Every weight with its name, in documentation order.
    pub fn all(&self) -> [(&'static str, u32); 10] {
        let w = self;
        [
            ("same_substance", w.same_substance),
            ("shared_substance", w.shared_substance),
            ("shared_day", w.shared_day),
            ("shared_days_max", w.shared_days_max),
            ("same_locality", w.same_locality),
            ("age_gap_free", w.age_gap_free),
            ("age_gap_per_year", w.age_gap_per_year),
            ("age_gap_max", w.age_gap_max),
            ("same_group", w.same_group),
            ("preferred_mentor", w.preferred_mentor),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mentor {
    pub id: Id,
    pub gender: Gender,
    pub languages: Vec<String>,
    /// First = primary substance. Default empty.
    pub substances: Vec<String>,
    /// Default `None` (unknown: no age preference applies).
    pub age: Option<u32>,
    pub recovery_days: u32,
    pub trained: bool,
    /// How many mentees this mentor can take, kept pairs included.
    pub capacity: u32,
    /// Days of the week they are free. Default empty.
    pub days: Vec<Day>,
    /// Default `None`.
    pub locality: Option<String>,
    /// The groups they belong to (e.g. aftercare groups). Default empty.
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mentee {
    pub id: Id,
    pub gender: Gender,
    pub languages: Vec<String>,
    pub substances: Vec<String>,
    pub age: Option<u32>,
    pub days: Vec<Day>,
    pub locality: Option<String>,
    /// The groups they belong to. Default empty.
    pub groups: Vec<String>,
    /// Mentors the mentee asked for. Default empty.
    pub prefers: Vec<Id>,
}

/// A (mentor, mentee) pair named by ids, in `exclusions` and `keep`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairRef {
    pub mentor: Id,
    pub mentee: Id,
}

/// Everything the matcher needs. Deserializing one (from JSON or any serde format that
/// can produce a `serde_json::Value`) checks it exactly as [`Problem::from_json`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value")]
pub struct Problem {
    pub rules: Rules,
    pub weights: Weights,
    pub mentors: Vec<Mentor>,
    pub mentees: Vec<Mentee>,
    /// Pairs that must never be suggested. Default empty.
    pub exclusions: Vec<PairRef>,
    /// Current pairs to keep as they are: they use the mentor's capacity, always stay in
    /// the solution, and their mentee is not matched again. Default empty.
    pub keep: Vec<PairRef>,
}

impl TryFrom<serde_json::Value> for Problem {
    type Error = String;

    fn try_from(v: serde_json::Value) -> Result<Problem, String> {
        let p = parse::problem(&v)?;
        p.check().map_err(|e| e.to_string())?;
        Ok(p)
    }
}

fn invalid(message: String) -> Error {
    Error::Invalid { code: INVALID_CODE, field: None, message }
}

impl Problem {
    /// Reads a problem in the JSON format of `MATCHING.md`. A file that is not JSON, a
    /// missing required field, a value of the wrong kind, an unknown field, a repeated
    /// id or a reference to nobody gives [`Error::Invalid`] (code
    /// `match_problem_invalid`) whose message names the field, e.g.
    /// `mentors[3].gender: expected "female", "male" or "other", found "f"`.
    pub fn from_json(text: &str) -> Result<Problem, Error> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("this is not valid JSON ({e})")))?;
        let p = parse::problem(&v).map_err(invalid)?;
        p.check()?;
        Ok(p)
    }

    /// Checks what the types cannot: unique ids, references to people who exist, a
    /// mentee kept only once, numbers within their limits. [`Problem::from_json`] calls
    /// it; a problem built in Rust should be checked before [`solve`]. (`solve` never
    /// panics on an unchecked problem: it ignores references to nobody and all but the
    /// first `keep` of a mentee, and treats out-of-range numbers as their limit.)
    pub fn check(&self) -> Result<(), Error> {
        use std::collections::HashMap;
        let err = |m: String| Err(invalid(m));
        for (name, value) in self.weights.all() {
            if value > MAX_WEIGHT {
                return err(format!("weights.{name}: expected a whole number from 0 to {MAX_WEIGHT}, found {value}"));
            }
        }
        let mut mentor_at = HashMap::new();
        for (i, m) in self.mentors.iter().enumerate() {
            let key = m.id.key();
            if key.is_empty() {
                return err(format!("mentors[{i}].id: expected a non-empty string or a whole number"));
            }
            if let Some(j) = mentor_at.insert(key, i) {
                return err(format!("mentors[{i}].id: {} is also the id of mentors[{j}]; ids must be unique", m.id));
            }
            if m.capacity > MAX_CAPACITY {
                return err(format!(
                    "mentors[{i}].capacity: expected a whole number from 0 to {MAX_CAPACITY}, found {}",
                    m.capacity
                ));
            }
            if let Some(age) = m.age.filter(|a| *a > MAX_AGE) {
                return err(format!("mentors[{i}].age: expected a whole number from 0 to {MAX_AGE}, found {age}"));
            }
        }
        let mut mentee_at = HashMap::new();
        for (i, e) in self.mentees.iter().enumerate() {
            let key = e.id.key();
            if key.is_empty() {
                return err(format!("mentees[{i}].id: expected a non-empty string or a whole number"));
            }
            if let Some(j) = mentee_at.insert(key, i) {
                return err(format!("mentees[{i}].id: {} is also the id of mentees[{j}]; ids must be unique", e.id));
            }
            if let Some(age) = e.age.filter(|a| *a > MAX_AGE) {
                return err(format!("mentees[{i}].age: expected a whole number from 0 to {MAX_AGE}, found {age}"));
            }
        }
        for (list, pairs) in [("exclusions", &self.exclusions), ("keep", &self.keep)] {
            for (i, p) in pairs.iter().enumerate() {
                if !mentor_at.contains_key(&p.mentor.key()) {
                    return err(format!("{list}[{i}].mentor: there is no mentor with the id {}", p.mentor));
                }
                if !mentee_at.contains_key(&p.mentee.key()) {
                    return err(format!("{list}[{i}].mentee: there is no mentee with the id {}", p.mentee));
                }
            }
        }
        for (i, e) in self.mentees.iter().enumerate() {
            for (j, m) in e.prefers.iter().enumerate() {
                if !mentor_at.contains_key(&m.key()) {
                    return err(format!("mentees[{i}].prefers[{j}]: there is no mentor with the id {m}"));
                }
            }
        }
        let mut kept_at = HashMap::new();
        for (i, p) in self.keep.iter().enumerate() {
            if let Some(j) = kept_at.insert(p.mentee.key(), i) {
                return err(format!(
                    "keep[{i}].mentee: mentee {} is already kept in keep[{j}]; a mentee has one mentor",
                    p.mentee
                ));
            }
        }
        Ok(())
    }
}

/// One pair of the solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub mentor: Id,
    pub mentee: Id,
    pub score: i64,
    /// One fact each, as codes; in the matcher's JSON in plain English: "both speak
    /// Punjabi", "same substance: alcohol +30", "both free Mon/Thu +20", "6 years apart −8".
    #[serde(serialize_with = "reasons::english")]
    pub reasons: Vec<PairReason>,
    /// `true` for a pair from `keep`, `false` for a suggestion.
    pub kept: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    pub mentee: Id,
    /// A code; in the matcher's JSON a plain sentence, e.g. "all eligible mentors (m2)
    /// are at capacity".
    #[serde(serialize_with = "reasons::english_one")]
    pub why: UnmatchedReason,
}

/// The score of a pair that passes the hard rules (see [`all_scores`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub mentor: Id,
    pub mentee: Id,
    pub score: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solution {
    /// Kept pairs and suggestions, by mentor then mentee (in id order).
    pub pairs: Vec<Pair>,
    /// Mentees without a mentor, in id order.
    pub unmatched: Vec<Unmatched>,
    /// Only when asked for (`saathi match --all-scores`): see [`all_scores`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_scores: Option<Vec<ScoredPair>>,
}

impl Solution {
    /// How many suggested (not kept) pairs there are.
    pub fn suggested(&self) -> usize {
        self.pairs.iter().filter(|p| !p.kept).count()
    }

    /// The total score of the suggested (not kept) pairs: what the matcher maximises
    /// once the number of suggestions is as large as it can be.
    pub fn suggested_score(&self) -> i64 {
        self.pairs.iter().filter(|p| !p.kept).map(|p| p.score).sum()
    }
}

/// The best pairing: the most mentees matched, then the largest total score; kept pairs
/// stay as they are. Deterministic, and independent of the order of people in `p`.
pub fn solve(p: &Problem) -> Solution {
    let prep = Prepared::new(p);
    let chosen = prep.optimise();
    prep.solution(&chosen)
}

/// Every pair that could be suggested, with its score: a mentee who is not kept, and a
/// mentor with a free place (after kept pairs) who passes every hard rule with them. By
/// mentee, then mentor, in id order.
pub fn all_scores(p: &Problem) -> Vec<ScoredPair> {
    let prep = Prepared::new(p);
    let scores = prep.score_matrix();
    prep.scored_pairs(&scores)
}

/// The hard rules a pair would break if it were made now (in English: "different gender",
/// "no shared language", "the pair is excluded", "the mentor is not trained", "the mentor
/// has fewer than 180 days in recovery", "the mentor has no free place (2 of 2 taken)").
/// Empty when it may be made. Places count the kept pairs (a mentee's own kept pair
/// aside). `None` if either id is unknown.
pub fn broken_rules(p: &Problem, mentor: &Id, mentee: &Id) -> Option<Vec<BrokenRule>> {
    let prep = Prepared::new(p);
    let m = prep.mentor_index(mentor)?;
    let e = prep.mentee_index(mentee)?;
    Some(prep.broken_now(m, e))
}

/// The score of one pair and the reasons for it, as a suggestion would carry them,
/// whether or not the pair passes the hard rules (`None` if either id is unknown).
pub fn explain(p: &Problem, mentor: &Id, mentee: &Id) -> Option<(i64, Vec<PairReason>)> {
    let prep = Prepared::new(p);
    let m = prep.mentor_index(mentor)?;
    let e = prep.mentee_index(mentee)?;
    Some(prep.explain(m, e, false))
}
