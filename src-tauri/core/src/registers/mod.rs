//! The registers an inspection reads (issue 17 §1): admissions, discharges, follow-ups,
//! group sessions held and certificates issued, over a chosen date range, as A4 PDF
//! ([`doc`]) and CSV ([`csv_out`]); and the sign-in sheet of any group session
//! ([`sign_in`]).
//!
//! Serial numbers never change once printed: every entry's serial is the id of the row it
//! stands for (a stay, a contact attempt, a stored session, a certificate). Those rows are
//! never deleted (the schema's triggers) and ids only grow, so an entry added later, even
//! back-dated, gets a new, higher number and no earlier entry is renumbered.
//!
//! [`queries`] return plain rows (names as stored, with each person's consent to a full
//! name on printed lists); privacy and the reader's language are applied when the PDF or
//! CSV is made.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

pub mod csv_out;
pub mod doc;
pub mod labels;
pub mod queries;
pub mod sign_in;
#[cfg(test)]
mod tests;

str_enum!(RegisterKind {
    Admissions = "admissions",
    Discharges = "discharges",
    FollowUps = "follow_ups",
    Sessions = "sessions",
    Certificates = "certificates",
});

/// The longest range one register covers (the bench prints a year; ten years is a whole
/// centre's life).
pub const MAX_DAYS: i64 = 3660;

/// A person as the registers name them (privacy is applied when printing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub full_name: String,
    pub preferred_name: String,
    /// The person agrees to their full name on printed lists.
    pub consent_name: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionRow {
    /// The stay's id: the admission number.
    pub serial: i64,
    pub admitted_on: NaiveDate,
    pub patient_id: i64,
    pub person: Named,
    pub phone: String,
    pub gender: String,
    /// Age on the day of admission.
    pub age: Option<u32>,
    /// Census 2011 district code of the address.
    pub district_code: Option<u16>,
    pub referral_source: Option<String>,
    pub admission_basis: String,
    /// 1 for a first admission, 2 for the first re-admission, …
    pub stay_no: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeRow {
    /// The stay's id: the admission number, as in the admission register.
    pub serial: i64,
    pub discharged_on: NaiveDate,
    pub admitted_on: NaiveDate,
    pub patient_id: i64,
    pub person: Named,
    pub discharge_type: String,
    pub district_code: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRow {
    /// The contact attempt's id.
    pub serial: i64,
    pub on_date: NaiveDate,
    pub patient_id: i64,
    pub person: Named,
    /// The date the follow-up was due.
    pub due_on: NaiveDate,
    pub method: String,
    pub result: String,
    /// sober, lapse, relapse, unknown (when reached).
    pub status: Option<String>,
    /// Whether counselling was given (not only monitoring); None before it was asked.
    pub counselling: Option<bool>,
    pub staff: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The stored session's id.
    pub serial: i64,
    pub date: NaiveDate,
    pub time: String,
    pub group: String,
    pub group_kind: String,
    pub topic: String,
    pub facilitators: Vec<String>,
    /// Members expected that day.
    pub expected: u32,
    /// Members present or late.
    pub present: u32,
    /// Members marked absent.
    pub absent: u32,
    /// Drop-ins who came.
    pub dropins: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    /// The certificate's id: its serial number.
    pub serial: i64,
    pub issued_on: NaiveDate,
    pub patient_id: i64,
    pub person: Named,
    pub kind: String,
    pub from_on: Option<NaiveDate>,
    pub to_on: Option<NaiveDate>,
    pub attended: Option<u32>,
    pub expected: Option<u32>,
    pub admitted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub programme_completed: Option<bool>,
    pub purpose: String,
    /// Every print, the first being the original.
    pub prints: u32,
    pub issued_by: String,
}

/// One register's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    Admissions(Vec<AdmissionRow>),
    Discharges(Vec<DischargeRow>),
    FollowUps(Vec<FollowUpRow>),
    Sessions(Vec<SessionRow>),
    Certificates(Vec<CertificateRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Admissions(r) => r.len(),
            Rows::Discharges(r) => r.len(),
            Rows::FollowUps(r) => r.len(),
            Rows::Sessions(r) => r.len(),
            Rows::Certificates(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The serial numbers, in the register's order.
    pub fn serials(&self) -> Vec<i64> {
        match self {
            Rows::Admissions(r) => r.iter().map(|x| x.serial).collect(),
            Rows::Discharges(r) => r.iter().map(|x| x.serial).collect(),
            Rows::FollowUps(r) => r.iter().map(|x| x.serial).collect(),
            Rows::Sessions(r) => r.iter().map(|x| x.serial).collect(),
            Rows::Certificates(r) => r.iter().map(|x| x.serial).collect(),
        }
    }
}

/// What to print: which register, over which dates (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RegisterRequest {
    pub kind: RegisterKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Checks the role and the range.
pub fn check(ctx: &Ctx, req: &RegisterRequest) -> Result<()> {
    ctx.require(Action::PrintRegisters)?;
    if req.to < req.from {
        return Err(Error::invalid("range_reversed", "to", "The end date is before the start date."));
    }
    if (req.to - req.from).num_days() > MAX_DAYS {
        return Err(Error::invalid("range_too_long", "to", "Please choose a period of at most ten years."));
    }
    Ok(())
}

/// The register's rows (checked: role and range).
pub fn rows(conn: &rusqlite::Connection, ctx: &Ctx, req: &RegisterRequest) -> Result<Rows> {
    check(ctx, req)?;
    let (from, to) = (req.from, req.to);
    Ok(match req.kind {
        RegisterKind::Admissions => Rows::Admissions(queries::admissions(conn, from, to)?),
        RegisterKind::Discharges => Rows::Discharges(queries::discharges(conn, from, to)?),
        RegisterKind::FollowUps => Rows::FollowUps(queries::follow_ups(conn, from, to)?),
        RegisterKind::Sessions => Rows::Sessions(queries::sessions(conn, from, to)?),
        RegisterKind::Certificates => Rows::Certificates(queries::certificates(conn, from, to)?),
    })
}
