//! What mentorship knows about one patient: their peer profile (saved from the
//! profile screen) and their mentorship history.
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::pairs::{ExclusionRow, PairRow, exclusions_where, pairs_where};
use super::people::{display_name, name_sort, patient_exists};
use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::matching::Day;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PeerProfile {
    /// Days free: "mon" … "sun".
    pub days: Vec<String>,
    pub times: String,
    pub locality: String,
    /// `None`: decided by phase; `Some(true)`: wants a mentor; `Some(false)`: does not.
    pub wants_mentor: Option<bool>,
    #[ts(type = "number | null")]
    pub preferred_mentor: Option<i64>,
    pub is_mentor: bool,
    /// When recovery began, or the last relapse.
    pub recovery_since: Option<NaiveDate>,
    pub trained: bool,
    pub trained_on: Option<NaiveDate>,
    pub capacity: u32,
    /// A mentor can be paused (holiday, illness) without losing the record.
    pub mentor_active: bool,
}

impl Default for PeerProfile {
    fn default() -> Self {
        PeerProfile {
            days: Vec::new(),
            times: String::new(),
            locality: String::new(),
            wants_mentor: None,
            preferred_mentor: None,
            is_mentor: false,
            recovery_since: None,
            trained: false,
            trained_on: None,
            capacity: 2,
            mentor_active: true,
        }
    }
}

pub(super) fn read_profile(conn: &Connection, patient: i64) -> Result<Option<PeerProfile>> {
    Ok(conn
        .query_row(
            "SELECT days, times, locality, wants_mentor, preferred_mentor, is_mentor, recovery_since, trained,
                    trained_on, capacity, mentor_active
             FROM peer_profiles WHERE patient_id = ?1",
            [patient],
            |r| {
                let days: String = r.get(0)?;
                Ok(PeerProfile {
                    days: serde_json::from_str(&days).unwrap_or_default(),
                    times: r.get(1)?,
                    locality: r.get(2)?,
                    wants_mentor: r.get(3)?,
                    preferred_mentor: r.get(4)?,
                    is_mentor: r.get(5)?,
                    recovery_since: r.get(6)?,
                    trained: r.get(7)?,
                    trained_on: r.get(8)?,
                    capacity: r.get(9)?,
                    mentor_active: r.get(10)?,
                })
            },
        )
        .optional()?)
}

/// Saves what mentorship needs to know about a patient (mentor or mentee).
pub fn save_profile(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, p: &PeerProfile) -> Result<()> {
    ctx.require(Action::ManageMentorship)?;
    if !patient_exists(tx, patient)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    let mut days: Vec<Day> = Vec::new();
    for d in &p.days {
        let day = Day::ALL.into_iter().find(|x| x.as_str() == d).ok_or_else(|| {
            Error::invalid("mentorship_day", "days", format!("{d:?} is not a day of the week (mon … sun)."))
        })?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    days.sort();
    let days: Vec<&str> = days.iter().map(|d| d.as_str()).collect();
    if p.capacity > 10 {
        return Err(Error::invalid("mentor_capacity", "capacity", "A mentor can take from 0 to 10 mentees at once."));
    }
    if p.is_mentor && p.recovery_since.is_none() {
        return Err(Error::invalid(
            "mentor_recovery_since",
            "recovery_since",
            "Enter the date recovery began (or the last relapse) to mark someone as a peer mentor.",
        ));
    }
    if p.recovery_since.is_some_and(|d| d > ctx.today) {
        return Err(Error::invalid(
            "mentor_recovery_since",
            "recovery_since",
            "The recovery date cannot be in the future.",
        ));
    }
    if p.trained_on.is_some_and(|d| d > ctx.today) {
        return Err(Error::invalid("mentor_trained_on", "trained_on", "The training date cannot be in the future."));
    }
    if let Some(m) = p.preferred_mentor {
        let is_mentor = read_profile(tx, m)?.is_some_and(|x| x.is_mentor);
        if m == patient || !is_mentor {
            return Err(Error::invalid(
                "mentor_preference",
                "preferred_mentor",
                "The preferred mentor must be someone else who is marked as a peer mentor.",
            ));
        }
    }
    tx.execute(
        "INSERT INTO peer_profiles (patient_id, days, times, locality, wants_mentor, preferred_mentor, is_mentor,
                                    recovery_since, trained, trained_on, capacity, mentor_active, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (patient_id) DO UPDATE SET
            days = excluded.days, times = excluded.times, locality = excluded.locality,
            wants_mentor = excluded.wants_mentor, preferred_mentor = excluded.preferred_mentor,
            is_mentor = excluded.is_mentor, recovery_since = excluded.recovery_since, trained = excluded.trained,
            trained_on = excluded.trained_on, capacity = excluded.capacity, mentor_active = excluded.mentor_active,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![
            patient,
            serde_json::to_string(&days).unwrap_or_else(|_| "[]".into()),
            p.times.trim(),
            crate::text::clean(&p.locality),
            p.wants_mentor,
            p.preferred_mentor,
            p.is_mentor,
            p.recovery_since,
            p.trained,
            p.trained_on,
            p.capacity,
            p.mentor_active,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    audit::record(tx, ctx, "peer_profile", entity::PATIENT, Some(patient), if p.is_mentor { "mentor" } else { "" })
}

/// Mentorship on a patient's profile: their details, pairs (as mentor and as mentee,
/// ended ones included) and exclusions.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientMentorship {
    pub profile: PeerProfile,
    pub as_mentor: Vec<PairRow>,
    pub as_mentee: Vec<PairRow>,
    pub exclusions: Vec<ExclusionRow>,
    /// Mentors one may choose as a preference (id and name).
    pub mentor_choices: Vec<MentorChoice>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorChoice {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
}

pub fn for_patient(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<PatientMentorship> {
    ctx.require(Action::ViewMentorship)?;
    if !patient_exists(conn, patient)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.full_name, p.preferred_name FROM peer_profiles pp JOIN patients p ON p.id = pp.patient_id
         WHERE pp.is_mentor = 1 AND p.archived_at IS NULL AND p.id <> ?1",
    )?;
    let mut mentor_choices: Vec<MentorChoice> = stmt
        .query_map([patient], |r| {
            Ok(MentorChoice { id: r.get(0)?, name: display_name(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?) })
        })?
        .collect::<rusqlite::Result<_>>()?;
    mentor_choices.sort_by_cached_key(|m| name_sort(&m.name));
    Ok(PatientMentorship {
        profile: read_profile(conn, patient)?.unwrap_or_default(),
        as_mentor: pairs_where(conn, "mp.mentor_id = ?1", [patient])?
            .into_iter()
            .map(|p| p.redacted_for(ctx))
            .collect(),
        as_mentee: pairs_where(conn, "mp.mentee_id = ?1", [patient])?
            .into_iter()
            .map(|p| p.redacted_for(ctx))
            .collect(),
        exclusions: exclusions_where(
            conn,
            "x.id IN (SELECT id FROM mentor_exclusions WHERE mentor_id = ?1
                      UNION ALL SELECT id FROM mentor_exclusions WHERE mentee_id = ?1)",
            [patient],
        )?
        .into_iter()
        .map(|x| x.redacted_for(ctx))
        .collect(),
        mentor_choices,
    })
}
