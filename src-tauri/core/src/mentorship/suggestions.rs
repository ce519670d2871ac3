//! The matcher's proposal for everyone waiting, named and in order.
use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::people::{Current, World, name_sort, snapshot, world};
use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::matching::{self, Id, PairReason, UnmatchedReason};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorSuggestion {
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    #[ts(type = "number")]
    pub score: i64,
    pub reasons: Vec<PairReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnmatchedMentee {
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub name: String,
    /// The mentors it names are named by their display names.
    pub why: UnmatchedReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorSuggestions {
    /// Best first (by score), then by mentee name.
    pub pairs: Vec<MentorSuggestion>,
    pub unmatched: Vec<UnmatchedMentee>,
    /// MentorSuggestions turned down earlier, left out of these.
    pub rejected: u32,
}

pub(super) fn id_num(id: &Id) -> i64 {
    match id {
        Id::Int(n) => *n,
        Id::Text(s) => s.parse().unwrap_or(0),
    }
}

/// The matcher's proposal for everyone waiting, with a breakdown for each pair and a
/// reason for each mentee left without one. Changes nothing.
pub fn suggest(conn: &Connection, ctx: &Ctx) -> Result<MentorSuggestions> {
    ctx.require(Action::ViewMentorship)?;
    let w = snapshot(conn, || world(conn, ctx.today, None, Current::PlacesTaken))?;
    suggestions(w)
}

/// The suggested pairs and the mentees left waiting, named and in order.
fn suggestions(w: World) -> Result<MentorSuggestions> {
    let solution = matching::solve(&w.problem);
    let name = |id: i64| w.names.get(&id).cloned().unwrap_or_default();
    let waiting: HashSet<i64> = w.waiting.iter().map(|(id, _)| *id).collect();
    let mut pairs: Vec<MentorSuggestion> = solution
        .pairs
        .into_iter()
        .filter(|p| !p.kept)
        .map(|p| {
            let (m, e) = (id_num(&p.mentor), id_num(&p.mentee));
            MentorSuggestion {
                mentor_id: m,
                mentor_name: name(m),
                mentee_id: e,
                mentee_name: name(e),
                score: p.score,
                reasons: p.reasons,
            }
        })
        .collect();
    pairs.sort_by_cached_key(|p| (std::cmp::Reverse(p.score), name_sort(&p.mentee_name), p.mentee_id));
    // Many mentees share a reason (the matcher finds one per kind of mentee): names put
    // into each reason once.
    let mut worded: HashMap<UnmatchedReason, UnmatchedReason> = HashMap::new();
    let mut unmatched: Vec<UnmatchedMentee> = solution
        .unmatched
        .into_iter()
        .map(|u| (id_num(&u.mentee), u.why))
        .filter(|(id, _)| waiting.contains(id))
        .map(|(id, why)| {
            let why = worded.entry(why).or_insert_with_key(|why| mentor_names(why, &w.names)).clone();
            UnmatchedMentee { mentee_id: id, name: name(id), why }
        })
        .collect();
    unmatched.sort_by_cached_key(|u| (name_sort(&u.name), u.mentee_id));
    Ok(MentorSuggestions { pairs, unmatched, rejected: w.rejected })
}

/// The matcher names mentors by id in its reasons; staff want names.
fn mentor_names(why: &UnmatchedReason, names: &HashMap<i64, String>) -> UnmatchedReason {
    let named = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| id.parse::<i64>().ok().and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| id.clone()))
            .collect()
    };
    match why {
        UnmatchedReason::AllExcluded { mentors, more } => {
            UnmatchedReason::AllExcluded { mentors: named(mentors), more: *more }
        }
        UnmatchedReason::AllFull { mentors, more } => UnmatchedReason::AllFull { mentors: named(mentors), more: *more },
        UnmatchedReason::OthersFitBetter { mentors, more } => {
            UnmatchedReason::OthersFitBetter { mentors: named(mentors), more: *more }
        }
        other => other.clone(),
    }
}
