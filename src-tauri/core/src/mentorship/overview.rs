//! The Mentorship screen's lists: mentors with their load and whether they can mentor
//! now, who is waiting, the current pairs and the exclusions.
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::pairs::{ExclusionRow, PairRow, exclusions_where, pairs_where};
use super::people::{MentorUnavailable, WaitReason, name_sort, people, snapshot};
use super::settings::MentorshipSettings;
use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::patients::{Gender, Phase};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorRow {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub gender: Gender,
    pub languages: Vec<String>,
    pub locality: String,
    pub days: Vec<String>,
    pub recovery_days: Option<u32>,
    pub trained: bool,
    /// Active pairs now.
    pub load: u32,
    pub capacity: u32,
    /// Can be suggested now (under capacity not counted).
    pub eligible: bool,
    /// Why not.
    pub not_eligible: Vec<MentorUnavailable>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WaitingRow {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub gender: Gender,
    pub phase: Phase,
    pub languages: Vec<String>,
    pub locality: String,
    pub reason: WaitReason,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorshipOverview {
    pub mentors: Vec<MentorRow>,
    pub waiting: Vec<WaitingRow>,
    pub active_pairs: Vec<PairRow>,
    pub exclusions: Vec<ExclusionRow>,
    /// MentorSuggestions turned down and left out of the next suggestions.
    pub rejected: u32,
    pub settings: MentorshipSettings,
}

/// The Mentorship screen: mentors with their load, who is waiting, the current pairs.
/// Reads only what the lists show (no matching problem is built), in one snapshot.
pub fn overview(conn: &Connection, ctx: &Ctx) -> Result<MentorshipOverview> {
    ctx.require(Action::ViewMentorship)?;
    let (p, active_pairs, exclusions, rejected) = snapshot(conn, || {
        let p = people(conn, ctx.today, None)?;
        let rejected: u32 = conn
            .prepare_cached("SELECT count(*) FROM mentor_rejections WHERE cleared_at IS NULL")?
            .query_row([], |r| r.get(0))?;
        Ok((p, pairs_where(conn, "mp.ended_on IS NULL", [])?, exclusions_where(conn, "1", [])?, rejected))
    })?;
    let load = p.load();
    let min_days = p.settings.min_recovery_days;
    let mut mentors: Vec<MentorRow> = p
        .mentors
        .into_iter()
        .map(|m| {
            let mut not_eligible = m.unavailable(&p.at_risk);
            if !m.trained {
                not_eligible.push(MentorUnavailable::NotTrainedYet);
            }
            let days = m.recovery_days(ctx.today);
            if days.unwrap_or(0) < min_days {
                not_eligible.push(MentorUnavailable::RecoveryDays { days: days.unwrap_or(0), min_days });
            }
            MentorRow {
                patient_id: m.id,
                name: m.name,
                gender: m.gender,
                languages: m.languages,
                locality: m.locality,
                days: m.days,
                recovery_days: days,
                trained: m.trained,
                load: load.get(&m.id).copied().unwrap_or(0),
                capacity: m.capacity,
                eligible: not_eligible.is_empty(),
                not_eligible,
            }
        })
        .collect();
    mentors.sort_by_cached_key(|m| (!m.eligible, name_sort(&m.name), m.patient_id));
    let mut waiting: Vec<WaitingRow> = p
        .waiting
        .into_iter()
        .map(|(p, reason)| WaitingRow {
            patient_id: p.id,
            name: p.name,
            gender: p.gender,
            phase: p.phase,
            languages: p.languages,
            locality: p.locality,
            reason,
        })
        .collect();
    waiting.sort_by_cached_key(|p| (name_sort(&p.name), p.patient_id));
    let active_pairs = active_pairs.into_iter().map(|p| p.redacted_for(ctx)).collect();
    let exclusions = exclusions.into_iter().map(|x| x.redacted_for(ctx)).collect();
    Ok(MentorshipOverview { mentors, waiting, active_pairs, exclusions, rejected, settings: p.settings })
}
