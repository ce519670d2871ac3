//! The centre's rules and weights for suggestions (Settings → Mentorship).
use std::collections::HashMap;

use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::matching::{Rules, Weights};
use crate::settings::set_raw;

/// The centre's rules and weights for suggestions (Settings → Mentorship).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorshipSettings {
    /// Mentor and mentee must have the same gender.
    pub same_gender: bool,
    /// Days in recovery a mentor needs (AA often asks a year; many centres use six months).
    pub min_recovery_days: u32,
    /// Aftercare patients discharged within this many days wait for a mentor.
    pub recent_discharge_days: u32,
    /// Soft preferences, each with the shipped default.
    pub weights: Vec<NamedWeight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NamedWeight {
    pub name: String,
    pub value: u32,
    pub default: u32,
}

const SAME_GENDER: &str = "mentorship.same_gender";
const MIN_RECOVERY_DAYS: &str = "mentorship.min_recovery_days";
const RECENT_DISCHARGE_DAYS: &str = "mentorship.recent_discharge_days";
const WEIGHT_PREFIX: &str = "mentorship.weight.";
pub const DEFAULT_RECENT_DISCHARGE_DAYS: u32 = 180;

pub fn get_settings(conn: &Connection) -> Result<MentorshipSettings> {
    // Every mentorship key in one read ("mentorship." up to, not including, "mentorship/").
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings WHERE key >= ?1 AND key < ?2")?;
    let saved: HashMap<String, String> = stmt
        .query_map(["mentorship.", "mentorship/"], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let rules = Rules::default();
    let num =
        |key: &str, default: u32| -> Result<u32> { Ok(saved.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)) };
    let defaults = Weights::default();
    let mut weights = Vec::new();
    for (name, default) in defaults.all() {
        let value = num(&format!("{WEIGHT_PREFIX}{name}"), default)?;
        weights.push(NamedWeight { name: name.to_owned(), value, default });
    }
    Ok(MentorshipSettings {
        same_gender: saved.get(SAME_GENDER).map_or(rules.same_gender, |v| v != "0"),
        min_recovery_days: num(MIN_RECOVERY_DAYS, rules.min_recovery_days)?,
        recent_discharge_days: num(RECENT_DISCHARGE_DAYS, DEFAULT_RECENT_DISCHARGE_DAYS)?,
        weights,
    })
}

pub fn save_settings(tx: &Transaction<'_>, ctx: &Ctx, s: &MentorshipSettings) -> Result<()> {
    ctx.require(Action::ManageSettings)?;
    if s.min_recovery_days > 3650 {
        return Err(Error::invalid(
            "mentorship_recovery_days",
            "min_recovery_days",
            "Days in recovery must be a number from 0 to 3650.",
        ));
    }
    if s.recent_discharge_days > 3650 {
        return Err(Error::invalid(
            "mentorship_recent_days",
            "recent_discharge_days",
            "Days since discharge must be a number from 0 to 3650.",
        ));
    }
    let mut check = Weights::default();
    for w in &s.weights {
        let Some(slot) = check.get_mut(&w.name) else {
            return Err(Error::invalid(
                "mentorship_weight",
                "weights",
                format!("There is no preference called {}.", w.name),
            ));
        };
        if w.value > 100 {
            return Err(Error::invalid("mentorship_weight", "weights", "Each weight must be a number from 0 to 100."));
        }
        *slot = w.value;
    }
    set_raw(tx, SAME_GENDER, if s.same_gender { "1" } else { "0" })?;
    set_raw(tx, MIN_RECOVERY_DAYS, &s.min_recovery_days.to_string())?;
    set_raw(tx, RECENT_DISCHARGE_DAYS, &s.recent_discharge_days.to_string())?;
    for (name, value) in check.all() {
        set_raw(tx, &format!("{WEIGHT_PREFIX}{name}"), &value.to_string())?;
    }
    audit::record(tx, ctx, "mentorship_settings", entity::SETTINGS, None, "")
}

pub(super) fn weights_of(s: &MentorshipSettings) -> Weights {
    let mut w = Weights::default();
    for nw in &s.weights {
        if let Some(slot) = w.get_mut(&nw.name) {
            *slot = nw.value;
        }
    }
    w
}
