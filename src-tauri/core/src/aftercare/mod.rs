//! Aftercare follow-up: plan templates, plans started at discharge, the dated follow-ups
//! they create, the front desk's worklist, contact attempts (append-only), the at-risk
//! list, and the data for the printed call list and roster.
//!
//! Group attendance lives in the groups module. Everything that needs it (last aftercare
//! attendance, missed sessions in a row, the roster's group sections) goes through
//! [`groups_seam`], which reads the groups module's sessions, memberships and marks.
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::settings;

pub mod attempts;
pub mod demo;
pub mod groups_seam;
pub mod outcomes;
pub mod outcomes_print;
pub mod plans;
pub mod risk;
pub mod roster;
pub mod templates;
pub mod worklist;

#[cfg(test)]
mod tests;

pub use attempts::{Attempt, AttemptInput, ContactMethod, ContactResult, NextStep, RecoveryStatus, RiskLevel};
pub use plans::{CloseReason, Plan, PlanStatus};
pub use risk::{AtRiskEntry, AtRiskReason, RiskRule};
pub use templates::{ContactRule, PlanTemplate, TemplateInput, Unit};
pub use worklist::{WorklistRange, WorklistRow};

/// The centre's tunable aftercare settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AftercareSettings {
    /// Days until the next try after a failed attempt.
    pub retry_days: u32,
    /// Failed attempts in a row after which a follow-up goes to a counsellor.
    pub escalate_after: u32,
    /// Printed rosters and call lists hide surnames and phone numbers unless asked.
    pub roster_privacy: bool,
    pub rules: RiskRules,
}

/// The at-risk rules; a threshold of 0 switches a rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RiskRules {
    /// A lapse or relapse reported at the last successful contact.
    pub lapse_or_relapse: bool,
    /// High risk recorded at the last contact that recorded a risk.
    pub high_risk: bool,
    /// Aftercare group sessions missed in a row.
    pub missed_sessions: u32,
    /// Failed contact attempts in a row.
    pub failed_contacts: u32,
    /// A follow-up overdue by more than this many days.
    pub overdue_days: u32,
}

impl Default for AftercareSettings {
    fn default() -> Self {
        AftercareSettings {
            retry_days: 2,
            escalate_after: 3,
            roster_privacy: true,
            rules: RiskRules {
                lapse_or_relapse: true,
                high_risk: true,
                missed_sessions: 2,
                failed_contacts: 3,
                overdue_days: 7,
            },
        }
    }
}

const SETTINGS_KEY: &str = "aftercare.settings";

/// The settings in force (defaults for anything never saved).
pub fn get_settings(conn: &Connection) -> Result<AftercareSettings> {
    Ok(settings::get_raw(conn, SETTINGS_KEY)?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
}

pub fn save_settings(tx: &Transaction<'_>, ctx: &Ctx, s: &AftercareSettings) -> Result<()> {
    ctx.require(Action::ManageAftercare)?;
    if !(1..=30).contains(&s.retry_days) {
        return Err(Error::invalid("retry_days_range", "retry_days", "The retry gap must be between 1 and 30 days."));
    }
    if !(1..=10).contains(&s.escalate_after) {
        return Err(Error::invalid(
            "escalate_after_range",
            "escalate_after",
            "Escalation must come after 1 to 10 failed attempts.",
        ));
    }
    if s.rules.missed_sessions > 10 || s.rules.failed_contacts > 10 || s.rules.overdue_days > 90 {
        return Err(Error::invalid("risk_rule_range", "rules", "One of the at-risk thresholds is too large."));
    }
    let json = serde_json::to_string(s).map_err(|e| Error::Invalid {
        code: "settings_invalid",
        field: None,
        message: e.to_string(),
    })?;
    settings::set_raw(tx, SETTINGS_KEY, &json)?;
    crate::audit::record(tx, ctx, "settings_changed", crate::audit::entity::SETTINGS, None, "aftercare")?;
    Ok(())
}

/// How a name is shown where privacy matters: the preferred name, else the first name
/// and the initial of the last name ("Rahul S.", "क्षितिज त्रि.").
pub fn private_name(full_name: &str, preferred: &str) -> String {
    let preferred = preferred.trim();
    if !preferred.is_empty() {
        return preferred.to_owned();
    }
    let words: Vec<&str> = full_name.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [first, .., last] => format!("{first} {}.", first_akshara(last)),
    }
}

/// The first letter of a word, keeping an Indic consonant cluster and its signs whole.
fn first_akshara(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    if let Some(c) = chars.next() {
        out.push(c);
    }
    while let Some(&c) = chars.peek() {
        let prev_virama = out.ends_with('\u{094D}') || out.ends_with('\u{0A4D}');
        if is_indic_sign(c) || prev_virama {
            out.push(c);
            chars.next();
        } else {
            break;
        }
    }
    out
}

fn is_indic_sign(c: char) -> bool {
    matches!(c as u32,
        0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 |
        0x0A01..=0x0A03 | 0x0A3C..=0x0A51 | 0x0A70..=0x0A71 | 0x0A75)
}

/// The name shown on screen lists: the preferred name if set.
pub fn display_name(full_name: &str, preferred: &str) -> String {
    if preferred.trim().is_empty() { full_name.to_owned() } else { preferred.trim().to_owned() }
}

/// A person's aftercare: plans (newest first) and every contact attempt (newest first).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientAftercare {
    pub plans: Vec<Plan>,
    pub attempts: Vec<Attempt>,
}

/// Opens a person's aftercare record: checked and audited.
pub fn patient_aftercare(tx: &Transaction<'_>, ctx: &Ctx, patient: i64) -> Result<PatientAftercare> {
    let plans = plans::for_patient(tx, ctx, patient)?;
    let attempts = attempts::for_patient(tx, ctx, patient)?;
    crate::audit::record(tx, ctx, "aftercare_viewed", crate::audit::entity::PATIENT, Some(patient), "")?;
    Ok(PatientAftercare { plans, attempts })
}
