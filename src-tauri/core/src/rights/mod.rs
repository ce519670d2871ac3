//! The people's rights desk (issue 16 §3), for administrators: requests under the DPDP
//! Act 2023 (access s.11, correction and erasure s.12, grievances s.13) with their due
//! dates, status and outcome, and the breach register ([`breaches`]). An access request
//! is answered with a copy of the record ([`access_copy`]), an erasure is carried out or
//! refused under the retention rule ([`erasure`]), and every request prints a reply
//! letter ([`letters`]). Audit entries hold ids and codes only.
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::settings::Language;

pub mod access_copy;
pub mod breaches;
pub mod demo;
pub mod erasure;
pub mod letters;

/// What audit entries about requests and breaches name.
pub mod entity {
    pub const REQUEST: &str = "rights_request";
    pub const BREACH: &str = "breach";
}

str_enum! {
    /// What a person asks for: a copy of what the centre holds (DPDP s.11, MHCA s.25),
    /// a correction (s.12), erasure (s.12), or a grievance (s.13).
    RequestKind { Access = "access", Correction = "correction", Erasure = "erasure", Grievance = "grievance" }
}

str_enum! {
    RequestStatus { Open = "open", Done = "done", Refused = "refused" }
}

str_enum! {
    /// Why a request was refused: the records must still be kept (the retention period of
    /// clinical records has not passed; the person is still admitted; still in aftercare,
    /// a group or a mentor pair), the person could not be identified, or another reason
    /// (said in the outcome).
    Refusal {
        Retention = "retention",
        StillAdmitted = "still_admitted",
        StillInCare = "still_in_care",
        NotIdentified = "not_identified",
        Other = "other",
    }
}

str_enum! {
    /// The parts of an access copy, each of which may be withheld (MHCA s.25(2)).
    AccessPart {
        Register = "register",
        Stays = "stays",
        Consents = "consents",
        Groups = "groups",
        Aftercare = "aftercare",
        Mentorship = "mentorship",
        Notes = "notes",
        Requests = "requests",
    }
}

str_enum! {
    /// Why a part is withheld under MHCA s.25(2): reading it would likely cause the person
    /// serious mental harm, or harm to others; or it is about other people (their family,
    /// other residents) whose own privacy the centre must keep.
    WithholdReason { SeriousHarm = "serious_harm", HarmToOthers = "harm_to_others", ThirdParty = "third_party" }
}

str_enum! {
    /// The register field a correction changed (the change itself is made in the
    /// patient's form, with its own history in the audit trail).
    CorrectedField {
        FullName = "full_name",
        PreferredName = "preferred_name",
        Gender = "gender",
        BirthDate = "birth_date",
        Phone = "phone",
        Family = "family",
        Languages = "languages",
        Substances = "substances",
        Stay = "stay",
        Consent = "consent",
        Other = "other",
    }
}

/// One part withheld from an access copy, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Withheld {
    pub part: AccessPart,
    pub reason: WithholdReason,
}

/// A new request as the desk takes it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequestInput {
    pub kind: RequestKind,
    #[ts(type = "number | null")]
    pub patient_id: Option<i64>,
    /// Who it is from, when it names no one on the register (a grievance).
    pub requester: String,
    pub summary: String,
    pub received_on: NaiveDate,
}

/// One request as the desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RightsRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: RequestKind,
    #[ts(type = "number | null")]
    pub patient_id: Option<i64>,
    pub patient_name: Option<String>,
    pub requester: String,
    pub summary: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: RequestStatus,
    pub outcome: String,
    pub refusal: Option<Refusal>,
    pub keep_until: Option<NaiveDate>,
    pub corrected_field: Option<CorrectedField>,
    pub corrected_on: Option<NaiveDate>,
    pub copy_language: Option<Language>,
    pub withheld: Vec<Withheld>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<String>,
    /// Still open after its due date.
    pub overdue: bool,
}

/// The desk's two settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RightsSettings {
    /// Days from receipt to the due date of a reply.
    pub due_days: u32,
    /// Years clinical records are kept after the person's last stay ended; an erasure
    /// before then is refused.
    pub retention_years: u32,
}

/// 30 days to reply. The DPDP Rules 2025 ask for a reply "within a reasonable period" and
/// cap a grievance's at 90 days (r.14); the centre answers every kind within 30 days, as
/// most privacy laws do (one month), well inside the cap and simple to explain on the
/// letter.
pub const DEFAULT_DUE_DAYS: u32 = 30;
/// The longest due period the desk accepts: the Rules' cap for grievances.
pub const MAX_DUE_DAYS: u32 = 90;
/// 3 years: the Indian Medical Council (Professional Conduct, Etiquette and Ethics)
/// Regulations 2002 §1.3.1 keep in-patient records for 3 years from the commencement of
/// treatment. The centre counts them from the end of the last stay (later, so safer), and
/// never accepts fewer than 3 years; a centre under a longer state rule (or a court case)
/// raises the setting.
pub const DEFAULT_RETENTION_YEARS: u32 = 3;
const MAX_RETENTION_YEARS: u32 = 100;

const DUE_DAYS_KEY: &str = "rights.due_days";
const RETENTION_KEY: &str = "rights.retention_years";

impl Default for RightsSettings {
    fn default() -> Self {
        RightsSettings { due_days: DEFAULT_DUE_DAYS, retention_years: DEFAULT_RETENTION_YEARS }
    }
}

/// The settings (defaults until changed).
pub fn settings(conn: &Connection) -> Result<RightsSettings> {
    let number = |key: &str, default: u32| -> Result<u32> {
        Ok(crate::settings::get_raw(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(default))
    };
    Ok(RightsSettings {
        due_days: number(DUE_DAYS_KEY, DEFAULT_DUE_DAYS)?,
        retention_years: number(RETENTION_KEY, DEFAULT_RETENTION_YEARS)?,
    })
}

pub fn save_settings(tx: &Transaction<'_>, ctx: &Ctx, s: &RightsSettings) -> Result<()> {
    ctx.require(Action::ManageRights)?;
    if !(1..=MAX_DUE_DAYS).contains(&s.due_days) {
        return Err(Error::invalid("rights_due_days", "due_days", "Give between 1 and 90 days to reply.")
            .with("max", MAX_DUE_DAYS));
    }
    if !(DEFAULT_RETENTION_YEARS..=MAX_RETENTION_YEARS).contains(&s.retention_years) {
        return Err(Error::invalid(
            "rights_retention_years",
            "retention_years",
            "Clinical records are kept for at least 3 years (MCI Regulations 2002, 1.3.1).",
        )
        .with("min", DEFAULT_RETENTION_YEARS));
    }
    crate::settings::set_raw(tx, DUE_DAYS_KEY, &s.due_days.to_string())?;
    crate::settings::set_raw(tx, RETENTION_KEY, &s.retention_years.to_string())?;
    audit::record(tx, ctx, "settings_changed", audit::entity::SETTINGS, None, "rights desk")
}

pub(crate) fn language_code(l: Language) -> &'static str {
    match l {
        Language::En => "en",
        Language::Hi => "hi",
    }
}

fn language_of(s: Option<String>) -> Option<Language> {
    match s.as_deref() {
        Some("hi") => Some(Language::Hi),
        Some("en") => Some(Language::En),
        _ => None,
    }
}

fn patient_exists(conn: &Connection, id: i64) -> Result<()> {
    let known: Option<i64> = conn.query_row("SELECT id FROM patients WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    known.map(drop).ok_or(Error::NotFound { what: "That patient" })
}

/// Takes down a new request; its due date is the receipt plus the setting. Returns its id.
pub fn open(tx: &Transaction<'_>, ctx: &Ctx, input: &RequestInput) -> Result<i64> {
    ctx.require(Action::ManageRights)?;
    if input.received_on > ctx.today {
        return Err(Error::invalid(
            "rights_received_future",
            "received_on",
            "The date received cannot be after today.",
        ));
    }
    let requester = crate::text::clean(&input.requester);
    match input.patient_id {
        Some(p) => patient_exists(tx, p)?,
        None if input.kind != RequestKind::Grievance => {
            return Err(Error::invalid("rights_patient_missing", "patient", "Choose the person the request is about."));
        }
        None if requester.is_empty() => {
            return Err(Error::invalid("rights_requester_missing", "requester", "Say who the grievance is from."));
        }
        None => {}
    }
    let due = input.received_on + Days::new(u64::from(settings(tx)?.due_days));
    tx.execute(
        "INSERT INTO rights_requests (kind, patient_id, requester, summary, received_on, due_on, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            input.kind,
            input.patient_id,
            requester,
            crate::text::clean(&input.summary),
            input.received_on,
            due,
            ctx.stamp(),
            ctx.actor.staff_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "rights_request_opened", entity::REQUEST, Some(id), input.kind.as_str())?;
    Ok(id)
}

const SELECT: &str = "SELECT r.id, r.kind, r.patient_id, p.full_name, r.requester, r.summary, r.received_on, r.due_on,
        r.status, r.outcome, r.refusal, r.keep_until, r.corrected_field, r.corrected_on, r.copy_language, r.withheld,
        r.closed_on, s.full_name
    FROM rights_requests r LEFT JOIN patients p ON p.id = r.patient_id LEFT JOIN staff s ON s.id = r.closed_by";

fn from_row(r: &rusqlite::Row<'_>, today: NaiveDate) -> rusqlite::Result<RightsRequest> {
    let status: RequestStatus = r.get(8)?;
    let due_on: NaiveDate = r.get(7)?;
    let field: String = r.get(12)?;
    let withheld: String = r.get(15)?;
    Ok(RightsRequest {
        id: r.get(0)?,
        kind: r.get(1)?,
        patient_id: r.get(2)?,
        patient_name: r.get(3)?,
        requester: r.get(4)?,
        summary: r.get(5)?,
        received_on: r.get(6)?,
        due_on,
        status,
        outcome: r.get(9)?,
        refusal: r.get(10)?,
        keep_until: r.get(11)?,
        corrected_field: CorrectedField::parse(&field),
        corrected_on: r.get(13)?,
        copy_language: language_of(r.get(14)?),
        withheld: serde_json::from_str(&withheld).unwrap_or_default(),
        closed_on: r.get(16)?,
        closed_by: r.get(17)?,
        overdue: status == RequestStatus::Open && due_on < today,
    })
}

/// Every request: open ones first (soonest due first), then closed ones (newest first).
pub fn list(conn: &Connection, ctx: &Ctx) -> Result<Vec<RightsRequest>> {
    ctx.require(Action::ManageRights)?;
    let sql = format!(
        "{SELECT} ORDER BY r.status <> 'open', CASE WHEN r.status = 'open' THEN r.due_on END, r.closed_on DESC, r.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| from_row(r, ctx.today))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, ctx: &Ctx, id: i64) -> Result<RightsRequest> {
    ctx.require(Action::ManageRights)?;
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?;
    stmt.query_row([id], |r| from_row(r, ctx.today)).optional()?.ok_or(Error::NotFound { what: "That request" })
}

/// The request, if it is still open.
pub(crate) fn open_request(conn: &Connection, ctx: &Ctx, id: i64) -> Result<RightsRequest> {
    let r = get(conn, ctx, id)?;
    if r.status != RequestStatus::Open {
        return Err(Error::invalid("rights_request_closed", "request", "This request is already closed."));
    }
    Ok(r)
}

/// Marks an open request done or refused, with the outcome in words.
pub(crate) fn close_as(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: i64,
    status: RequestStatus,
    outcome: &str,
    refusal: Option<Refusal>,
    keep_until: Option<NaiveDate>,
) -> Result<()> {
    tx.execute(
        "UPDATE rights_requests SET status = ?2, outcome = ?3, refusal = ?4, keep_until = ?5, closed_on = ?6,
                closed_by = ?7
         WHERE id = ?1 AND status = 'open'",
        params![id, status, crate::text::clean(outcome), refusal, keep_until, ctx.today, ctx.actor.staff_id],
    )?;
    let detail = match refusal {
        Some(r) => format!("{} {}", status.as_str(), r.as_str()),
        None => status.as_str().to_owned(),
    };
    audit::record(tx, ctx, "rights_request_closed", entity::REQUEST, Some(id), &detail)
}

/// Closes a grievance (done or refused), or refuses any other request with a reason
/// (`not_identified`, `other`). An access request is answered with its copy
/// ([`access_copy::answer`]), a correction with the change made ([`record_correction`]),
/// an erasure by carrying it out ([`erasure::erase`], which refuses by itself when the
/// records must be kept).
pub fn close(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: i64,
    done: bool,
    outcome: &str,
    refusal: Option<Refusal>,
) -> Result<()> {
    ctx.require(Action::ManageRights)?;
    let r = open_request(tx, ctx, id)?;
    if done && r.kind != RequestKind::Grievance {
        return Err(Error::invalid(
            "rights_close_kind",
            "status",
            "Answer this request from its own form: the copy, the correction or the erasure.",
        ));
    }
    if crate::text::clean(outcome).is_empty() {
        return Err(Error::invalid("rights_outcome_missing", "outcome", "Write the outcome for the reply letter."));
    }
    let (status, refusal) = if done {
        (RequestStatus::Done, None)
    } else {
        (RequestStatus::Refused, Some(refusal.unwrap_or(Refusal::Other)))
    };
    close_as(tx, ctx, id, status, outcome, refusal, None)
}

/// Answers a correction request: which field was changed (in the patient's form) and
/// when; the request is done.
pub fn record_correction(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: i64,
    field: CorrectedField,
    on: NaiveDate,
    outcome: &str,
) -> Result<()> {
    ctx.require(Action::ManageRights)?;
    let r = open_request(tx, ctx, id)?;
    if r.kind != RequestKind::Correction {
        return Err(Error::invalid("rights_close_kind", "status", "This request is not a correction."));
    }
    if on > ctx.today || on < r.received_on {
        return Err(Error::invalid(
            "rights_corrected_on",
            "corrected_on",
            "The date of the change must be between the day the request came and today.",
        ));
    }
    tx.execute(
        "UPDATE rights_requests SET corrected_field = ?2, corrected_on = ?3 WHERE id = ?1",
        params![id, field, on],
    )?;
    close_as(tx, ctx, id, RequestStatus::Done, outcome, None, None)
}

#[cfg(test)]
mod tests;
