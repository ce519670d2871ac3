//! Contact attempts: append-only. A failed attempt moves the follow-up's next try on by
//! the retry gap; after too many failures in a row it goes to a counsellor. Family is
//! contacted only with consent.
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plans::{self, PlanStatus, str_enum};
use crate::access::{Action, allowed};
use crate::audit::{self, entity};
use crate::consents::{self, ConsentKind};
use crate::ctx::Ctx;
use crate::error::{Error, Result};

str_enum!(ContactMethod { Phone = "phone", Visit = "visit", Family = "family", CameIn = "came_in" });
str_enum!(ContactResult {
    Reached = "reached",
    NoAnswer = "no_answer",
    SwitchedOff = "switched_off",
    WrongNumber = "wrong_number",
    Refused = "refused",
    SpokeToFamily = "spoke_to_family",
});
str_enum!(RecoveryStatus { Sober = "sober", Lapse = "lapse", Relapse = "relapse", Unknown = "unknown" });
str_enum!(RiskLevel { Low = "low", Medium = "medium", High = "high" });
str_enum!(NextStep {
    None = "none",
    CounsellorCall = "counsellor_call",
    InviteToGroup = "invite_to_group",
    ReadmissionTalk = "readmission_talk",
    Refer = "refer",
});

impl ContactResult {
    /// Reached the person (or, with consent, their family).
    pub fn is_success(self) -> bool {
        matches!(self, ContactResult::Reached | ContactResult::SpokeToFamily)
    }
}

impl RiskLevel {
    pub fn rank(self) -> u8 {
        match self {
            RiskLevel::Low => 1,
            RiskLevel::Medium => 2,
            RiskLevel::High => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttemptInput {
    #[ts(type = "number")]
    pub followup_id: i64,
    pub method: ContactMethod,
    pub result: ContactResult,
    pub status: Option<RecoveryStatus>,
    /// Attending aftercare groups or meetings.
    pub attending: Option<bool>,
    pub risk: Option<RiskLevel>,
    pub note: String,
    pub next_step: NextStep,
    /// The call gave counselling, not only monitoring (asked when someone was reached).
    #[serde(default)]
    pub counselling: Option<bool>,
}

/// What happened to the follow-up after the attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttemptOutcome {
    #[ts(type = "number")]
    pub attempt_id: i64,
    /// The follow-up is done (the person was reached).
    pub done: bool,
    /// When to try again after a failed attempt.
    pub next_try_on: Option<NaiveDate>,
    pub failed_in_row: u32,
    /// The follow-up now goes to a counsellor.
    pub for_counsellor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attempt {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub followup_id: i64,
    pub on_date: NaiveDate,
    pub at: String,
    pub staff_name: Option<String>,
    pub method: ContactMethod,
    pub result: ContactResult,
    pub status: Option<RecoveryStatus>,
    pub attending: Option<bool>,
    pub risk: Option<RiskLevel>,
    /// Empty when the note is a counsellor's confidential note and the reader may not see it.
    pub note: String,
    pub note_hidden: bool,
    pub next_step: NextStep,
    /// Whether the call gave counselling; None when not asked (older calls, or nobody reached).
    pub counselling: Option<bool>,
}

const MAX_NOTE: usize = 500;

struct FollowUp {
    plan: i64,
    patient: i64,
    status: String,
    for_counsellor: bool,
    plan_status: PlanStatus,
}

fn load_followup(conn: &Connection, id: i64) -> Result<FollowUp> {
    conn.prepare_cached(
        "SELECT f.plan_id, f.patient_id, f.status, f.for_counsellor, p.status
         FROM aftercare_followups f JOIN aftercare_plans p ON p.id = f.plan_id WHERE f.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(FollowUp {
            plan: r.get(0)?,
            patient: r.get(1)?,
            status: r.get(2)?,
            for_counsellor: r.get(3)?,
            plan_status: r.get(4)?,
        })
    })
    .optional()?
    .ok_or(Error::NotFound { what: "That follow-up" })
}

/// Failed attempts in a row on one follow-up, newest backwards.
pub(crate) fn failed_in_row(conn: &Connection, followup: i64) -> Result<u32> {
    let mut stmt =
        conn.prepare_cached("SELECT result FROM aftercare_attempts WHERE followup_id = ?1 ORDER BY id DESC")?;
    let mut n = 0;
    for r in stmt.query_map([followup], |r| r.get::<_, ContactResult>(0))? {
        if r?.is_success() {
            break;
        }
        n += 1;
    }
    Ok(n)
}

/// Records one attempt. Nothing recorded before is changed.
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, input: &AttemptInput) -> Result<AttemptOutcome> {
    ctx.require(Action::RecordFollowUp)?;
    let f = load_followup(tx, input.followup_id)?;
    if f.status != "open" || f.plan_status == PlanStatus::Closed {
        return Err(Error::Invalid {
            code: "followup_not_open",
            field: None,
            message: "This follow-up is already finished. Refresh the list.".into(),
        });
    }
    let consent_phone = consents::now(tx, f.patient, ConsentKind::PhoneFollowup)?;
    let consent_family = consents::now(tx, f.patient, ConsentKind::FamilyContact)?;
    let family_phone: String =
        tx.prepare_cached("SELECT family_phone FROM patients WHERE id = ?1")?.query_row([f.patient], |r| r.get(0))?;
    let family = input.method == ContactMethod::Family || input.result == ContactResult::SpokeToFamily;
    if family && !consent_family {
        return Err(Error::invalid(
            "family_consent_missing",
            "method",
            "This person has not agreed that the centre talks to their family. Contact them directly instead.",
        ));
    }
    if input.method == ContactMethod::Family && family_phone.trim().is_empty() {
        return Err(Error::invalid(
            "family_phone_missing",
            "method",
            "There is no family contact number on this person's record.",
        ));
    }
    if input.method == ContactMethod::Phone && !consent_phone {
        return Err(Error::invalid(
            "phone_consent_missing",
            "method",
            "This person has not agreed to be phoned. Use a visit, or note when they come in.",
        ));
    }
    if input.method == ContactMethod::CameIn && input.result != ContactResult::Reached {
        return Err(Error::invalid("came_in_reached", "result", "When the person came in, the result is \"reached\"."));
    }
    let note = crate::text::clean(&input.note);
    if crate::text::char_len(&note) > MAX_NOTE {
        return Err(Error::invalid("note_too_long", "note", "The note is too long (500 letters at most)."));
    }
    let success = input.result.is_success();
    // Status, risk and attendance are known only when someone was reached.
    let (status, attending, risk, counselling) =
        if success { (input.status, input.attending, input.risk, input.counselling) } else { (None, None, None, None) };
    let confidential = !note.is_empty() && allowed(ctx.actor.role, Action::ManageAftercare);
    tx.prepare_cached(
        "INSERT INTO aftercare_attempts (followup_id, patient_id, at, on_date, staff_id, method, result, status,
            attending, risk, note, note_confidential, next_step, counselling)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        input.followup_id,
        f.patient,
        ctx.stamp(),
        ctx.today,
        ctx.actor.staff_id,
        input.method,
        input.result,
        status,
        attending,
        risk,
        note,
        confidential,
        input.next_step,
        counselling
    ])?;
    let attempt_id = tx.last_insert_rowid();
    let settings = super::get_settings(tx)?;
    let outcome = if success {
        // This contact also covers any other follow-up of the plan that is due by now.
        tx.prepare_cached("UPDATE aftercare_followups SET status = 'done', closed_on = ?2 WHERE id = ?1")?
            .execute(params![input.followup_id, ctx.today])?;
        tx.prepare_cached(
            "UPDATE aftercare_followups SET status = 'skipped', closed_on = ?2
             WHERE plan_id = ?1 AND status = 'open' AND next_try_on <= ?2 AND kind <> 'counsellor_call'",
        )?
        .execute(params![f.plan, ctx.today])?;
        if input.next_step == NextStep::CounsellorCall {
            let due = ctx.today + Days::new(1);
            plans::insert_followup(tx, f.plan, f.patient, due, "counsellor_call", true)?;
        }
        AttemptOutcome { attempt_id, done: true, next_try_on: None, failed_in_row: 0, for_counsellor: false }
    } else {
        let failed = failed_in_row(tx, input.followup_id)?;
        let escalate = failed >= settings.escalate_after && !f.for_counsellor;
        let next = if escalate { ctx.today } else { ctx.today + Days::new(u64::from(settings.retry_days)) };
        tx.prepare_cached(
            "UPDATE aftercare_followups SET next_try_on = ?2, for_counsellor = for_counsellor OR ?3 WHERE id = ?1",
        )?
        .execute(params![input.followup_id, next, escalate])?;
        AttemptOutcome {
            attempt_id,
            done: false,
            next_try_on: Some(next),
            failed_in_row: failed,
            for_counsellor: escalate || f.for_counsellor,
        }
    };
    audit::record(tx, ctx, "aftercare_attempt_recorded", entity::PATIENT, Some(f.patient), input.result.as_str())?;
    Ok(outcome)
}

/// A person's attempts, newest first. Counsellors' confidential notes are blanked for
/// roles that may not read them.
pub fn for_patient(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<Vec<Attempt>> {
    ctx.require(Action::RecordFollowUp)?;
    let may_read = allowed(ctx.actor.role, Action::ManageAftercare);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.followup_id, a.on_date, a.at, s.full_name, a.method, a.result, a.status, a.attending,
                a.risk, a.note, a.note_confidential, a.next_step, a.counselling
         FROM aftercare_attempts a LEFT JOIN staff s ON s.id = a.staff_id
         WHERE a.patient_id = ?1 ORDER BY a.id DESC",
    )?;
    let rows = stmt
        .query_map([patient], |r| {
            let confidential: bool = r.get(11)?;
            let hidden = confidential && !may_read;
            Ok(Attempt {
                id: r.get(0)?,
                followup_id: r.get(1)?,
                on_date: r.get(2)?,
                at: r.get(3)?,
                staff_name: r.get(4)?,
                method: r.get(5)?,
                result: r.get(6)?,
                // A lapse or relapse and the risk a counsellor judged are clinical: roles
                // that may not read counsellors' notes see that a call was made, not these.
                status: if may_read { r.get(7)? } else { None },
                attending: r.get(8)?,
                risk: if may_read { r.get(9)? } else { None },
                note: if hidden { String::new() } else { r.get(10)? },
                note_hidden: hidden,
                next_step: r.get(12)?,
                counselling: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
