//! The matcher's reasons as codes with parameters: why a pair scores what it does, which
//! hard rule a pair breaks, why a mentee is left without a mentor. The screens render
//! them through the catalogue (`reason.*`, `rule.*`, `unmatched.*` in
//! `ui/src/lib/messages`); the English of the command line (`saathi match`) is made here,
//! in [`fmt::Display`], and nowhere else.
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use ts_rs::TS;

use super::{Day, Gender};

/// One fact about a pair, with the points it adds (or takes off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum PairReason {
    /// A current pair, kept as it is.
    Kept,
    /// A kept pair that breaks these rules now.
    WouldNotBeSuggested {
        rules: Vec<BrokenRule>,
    },
    BothSpeak {
        languages: Vec<String>,
    },
    SameSubstance {
        substance: String,
        points: u32,
    },
    SharedSubstance {
        substance: String,
        points: u32,
    },
    FreeDays {
        #[ts(type = "Array<\"mon\" | \"tue\" | \"wed\" | \"thu\" | \"fri\" | \"sat\" | \"sun\">")]
        days: Vec<Day>,
        points: u32,
    },
    NoCommonDay,
    SameLocality {
        locality: String,
        points: u32,
    },
    SameGroup {
        group: String,
        points: u32,
    },
    AskedForMentor {
        points: u32,
    },
    /// Years apart, and the points taken off.
    AgeGap {
        years: u32,
        points: u32,
    },
    CloseInAge {
        years: u32,
    },
}

/// A hard rule a pair breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum BrokenRule {
    DifferentGender,
    NoSharedLanguage,
    PairExcluded,
    MentorNotTrained,
    MentorRecoveryShort { min_days: u32 },
    MoreKeptThanPlaces { capacity: u32 },
    NoFreePlace { taken: u32, capacity: u32 },
}

/// Why a mentee has no mentor. `mentors` names the mentors concerned (at most five, by
/// id from the matcher; a caller may put names in their place), `more` how many others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum UnmatchedReason {
    NoMentors,
    NoLanguageGiven,
    NoneQualified {
        min_days: u32,
    },
    NoneOfGender {
        #[ts(as = "crate::patients::Gender")]
        gender: Gender,
    },
    /// With the gender rule off.
    NoneSpeaks {
        languages: Vec<String>,
    },
    NoneOfGenderSpeaks {
        languages: Vec<String>,
    },
    AllExcluded {
        mentors: Vec<String>,
        more: u32,
    },
    AllFull {
        mentors: Vec<String>,
        more: u32,
    },
    OthersFitBetter {
        mentors: Vec<String>,
        more: u32,
    },
}

/// "a", "a and b", "a, b and c" (or "or").
pub(super) fn and_list(items: &[&str], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn years(n: u32) -> String {
    if n == 1 { "1 year".to_owned() } else { format!("{n} years") }
}

impl fmt::Display for PairReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PairReason::Kept => write!(f, "kept from the current pairing"),
            PairReason::WouldNotBeSuggested { rules } => {
                let rules: Vec<String> = rules.iter().map(ToString::to_string).collect();
                write!(f, "would not be suggested now: {}", rules.join("; "))
            }
            PairReason::BothSpeak { languages } => write!(f, "both speak {}", and_list(&strs(languages), "and")),
            PairReason::SameSubstance { substance, points } => write!(f, "same substance: {substance} +{points}"),
            PairReason::SharedSubstance { substance, points } => write!(f, "both have used {substance} +{points}"),
            PairReason::FreeDays { days, points } => {
                let days: Vec<&str> = days.iter().map(|d| d.label()).collect();
                write!(f, "both free {} +{points}", days.join("/"))
            }
            PairReason::NoCommonDay => write!(f, "no free day in common"),
            PairReason::SameLocality { locality, points } => write!(f, "same locality: {locality} +{points}"),
            PairReason::SameGroup { group, points } => write!(f, "same group: {group} +{points}"),
            PairReason::AskedForMentor { points } => write!(f, "the mentee asked for this mentor +{points}"),
            PairReason::AgeGap { years: n, points } => write!(f, "{} apart \u{2212}{points}", years(*n)),
            PairReason::CloseInAge { years: n } => write!(f, "close in age ({} apart)", years(*n)),
        }
    }
}

impl fmt::Display for BrokenRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenRule::DifferentGender => write!(f, "different gender"),
            BrokenRule::NoSharedLanguage => write!(f, "no shared language"),
            BrokenRule::PairExcluded => write!(f, "the pair is excluded"),
            BrokenRule::MentorNotTrained => write!(f, "the mentor is not trained"),
            BrokenRule::MentorRecoveryShort { min_days } => {
                write!(f, "the mentor has fewer than {min_days} days in recovery")
            }
            BrokenRule::MoreKeptThanPlaces { capacity } => {
                write!(f, "the mentor has more kept mentees than places ({capacity})")
            }
            BrokenRule::NoFreePlace { taken, capacity } => {
                write!(f, "the mentor has no free place ({taken} of {capacity} taken)")
            }
        }
    }
}

fn mentor_list(mentors: &[String], more: u32) -> String {
    let mut items = strs(mentors);
    let more = format!("{more} more");
    if more != "0 more" {
        items.push(&more);
    }
    and_list(&items, "and")
}

impl fmt::Display for UnmatchedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnmatchedReason::NoMentors => write!(f, "there are no mentors"),
            UnmatchedReason::NoLanguageGiven => {
                write!(f, "no language is given for this mentee, and a mentor must share one")
            }
            UnmatchedReason::NoneQualified { min_days } => {
                write!(f, "no mentor is both trained and at least {min_days} days into recovery")
            }
            UnmatchedReason::NoneOfGender { gender } => {
                write!(f, "no trained mentor of the same gender ({})", gender.as_str())
            }
            UnmatchedReason::NoneSpeaks { languages } => {
                write!(f, "no eligible mentor who speaks {}", and_list(&strs(languages), "or"))
            }
            UnmatchedReason::NoneOfGenderSpeaks { languages } => {
                write!(f, "no eligible mentor of the same gender who speaks {}", and_list(&strs(languages), "or"))
            }
            UnmatchedReason::AllExcluded { mentors, more } => {
                write!(f, "the only eligible mentors ({}) are excluded for this mentee", mentor_list(mentors, *more))
            }
            UnmatchedReason::AllFull { mentors, more } => {
                write!(f, "all eligible mentors ({}) are at capacity", mentor_list(mentors, *more))
            }
            UnmatchedReason::OthersFitBetter { mentors, more } => write!(
                f,
                "every eligible mentor ({}) was matched to someone else with a better overall fit",
                mentor_list(mentors, *more)
            ),
        }
    }
}

/// The reasons as English sentences, for the matcher's own JSON (`saathi match`).
pub(super) fn english<S: Serializer, T: fmt::Display>(items: &[T], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(items.iter().map(ToString::to_string))
}

/// One reason as an English sentence, for the matcher's own JSON.
pub(super) fn english_one<S: Serializer, T: fmt::Display>(item: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(item)
}

#[cfg(test)]
pub(crate) mod examples {
    //! One of each code, for tests that every code has its texts.
    use super::*;

    /// Every pair reason (the match below fails to compile when one is added and not listed).
    pub(crate) fn pair_reasons() -> Vec<PairReason> {
        let all = vec![
            PairReason::Kept,
            PairReason::WouldNotBeSuggested { rules: vec![BrokenRule::DifferentGender] },
            PairReason::BothSpeak { languages: vec!["Hindi".into()] },
            PairReason::SameSubstance { substance: "alcohol".into(), points: 30 },
            PairReason::SharedSubstance { substance: "alcohol".into(), points: 10 },
            PairReason::FreeDays { days: vec![Day::Mon], points: 10 },
            PairReason::NoCommonDay,
            PairReason::SameLocality { locality: "Kharar".into(), points: 15 },
            PairReason::SameGroup { group: "Tuesday".into(), points: 15 },
            PairReason::AskedForMentor { points: 25 },
            PairReason::AgeGap { years: 6, points: 8 },
            PairReason::CloseInAge { years: 1 },
        ];
        for r in &all {
            match r {
                PairReason::Kept
                | PairReason::WouldNotBeSuggested { .. }
                | PairReason::BothSpeak { .. }
                | PairReason::SameSubstance { .. }
                | PairReason::SharedSubstance { .. }
                | PairReason::FreeDays { .. }
                | PairReason::NoCommonDay
                | PairReason::SameLocality { .. }
                | PairReason::SameGroup { .. }
                | PairReason::AskedForMentor { .. }
                | PairReason::AgeGap { .. }
                | PairReason::CloseInAge { .. } => {}
            }
        }
        all
    }

    pub(crate) fn broken_rules() -> Vec<BrokenRule> {
        let all = vec![
            BrokenRule::DifferentGender,
            BrokenRule::NoSharedLanguage,
            BrokenRule::PairExcluded,
            BrokenRule::MentorNotTrained,
            BrokenRule::MentorRecoveryShort { min_days: 180 },
            BrokenRule::MoreKeptThanPlaces { capacity: 2 },
            BrokenRule::NoFreePlace { taken: 2, capacity: 2 },
        ];
        for r in &all {
            match r {
                BrokenRule::DifferentGender
                | BrokenRule::NoSharedLanguage
                | BrokenRule::PairExcluded
                | BrokenRule::MentorNotTrained
                | BrokenRule::MentorRecoveryShort { .. }
                | BrokenRule::MoreKeptThanPlaces { .. }
                | BrokenRule::NoFreePlace { .. } => {}
            }
        }
        all
    }

    pub(crate) fn unmatched_reasons() -> Vec<UnmatchedReason> {
        let ms = || vec!["Asha".to_owned()];
        let all = vec![
            UnmatchedReason::NoMentors,
            UnmatchedReason::NoLanguageGiven,
            UnmatchedReason::NoneQualified { min_days: 180 },
            UnmatchedReason::NoneOfGender { gender: Gender::Female },
            UnmatchedReason::NoneSpeaks { languages: vec!["Tamil".into()] },
            UnmatchedReason::NoneOfGenderSpeaks { languages: vec!["Tamil".into()] },
            UnmatchedReason::AllExcluded { mentors: ms(), more: 0 },
            UnmatchedReason::AllFull { mentors: ms(), more: 0 },
            UnmatchedReason::OthersFitBetter { mentors: ms(), more: 0 },
        ];
        for r in &all {
            match r {
                UnmatchedReason::NoMentors
                | UnmatchedReason::NoLanguageGiven
                | UnmatchedReason::NoneQualified { .. }
                | UnmatchedReason::NoneOfGender { .. }
                | UnmatchedReason::NoneSpeaks { .. }
                | UnmatchedReason::NoneOfGenderSpeaks { .. }
                | UnmatchedReason::AllExcluded { .. }
                | UnmatchedReason::AllFull { .. }
                | UnmatchedReason::OthersFitBetter { .. } => {}
            }
        }
        all
    }
}
