//! Registering a person and correcting their record: the register's details, what they
//! agreed to or refused at intake, the case record and the admission's basis, all in one
//! transaction (a refused part refuses the whole registration, nothing half-saved).
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::admission_basis::{self, Admission};
use crate::case_record::{self, CaseRecord};
use crate::consents::{self, ConsentInput};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::patients::{self, NewPatient, PatientDetails};

/// Everything the intake form sends.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Intake {
    pub patient: NewPatient,
    pub consents: Vec<ConsentInput>,
    /// Empty and independent unless the form says otherwise (scripts may leave them out).
    #[serde(default)]
    pub case_record: CaseRecord,
    #[serde(default)]
    pub admission: Admission,
}

/// Registers a new person with their first admission. Returns the new id.
pub fn register(tx: &rusqlite::Transaction<'_>, ctx: &Ctx, intake: &Intake) -> Result<i64> {
    let id = patients::create(tx, ctx, &intake.patient)?;
    for c in &intake.consents {
        consents::record(tx, ctx, id, c)?;
    }
    case_record::save(tx, ctx, id, &intake.case_record)?;
    admission_basis::set(tx, ctx, id, &intake.admission, false)?;
    Ok(id)
}

/// Saves corrections to the register's details and the case record; each changed field
/// is kept in the history.
pub fn correct(
    tx: &rusqlite::Transaction<'_>,
    ctx: &Ctx,
    id: i64,
    details: &PatientDetails,
    record: &CaseRecord,
) -> Result<()> {
    patients::update(tx, ctx, id, details)?;
    case_record::save(tx, ctx, id, record)
}
