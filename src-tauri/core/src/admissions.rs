//! Discharge and re-admission with what they change in aftercare. The register
//! (`patients`) records the stays and `aftercare` the plans; this module does both in
//! the one transaction, so that neither calls up into the other.
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction};

use crate::access::Action;
use crate::aftercare::plans;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::groups::membership::{self, Person};
use crate::patients::{self, DischargeType};

/// Discharges and starts a plan in one go (the discharge dialog's "start a plan").
pub fn discharge_with_plan(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    patient: i64,
    on: NaiveDate,
    kind: DischargeType,
    template_id: Option<i64>,
    group_id: Option<i64>,
) -> Result<Option<i64>> {
    ctx.require(Action::EditPatient)?;
    patients::discharge(tx, ctx, patient, on, kind)?;
    let plan = match template_id {
        Some(t) => Some(plans::start(tx, ctx, patient, t)?),
        None => None,
    };
    // The aftercare group offered at discharge: they are a member from the discharge day
    // (or on its waiting list when it is full).
    if let Some(g) = group_id {
        let kind: Option<String> = tx
            .prepare_cached("SELECT kind FROM therapy_groups WHERE id = ?1")?
            .query_row([g], |r| r.get(0))
            .optional()?;
        match kind.as_deref() {
            None => return Err(Error::NotFound { what: "That group" }),
            Some("aftercare") => {}
            Some(_) => {
                return Err(Error::invalid(
                    "aftercare_group_only",
                    "group",
                    "At discharge a person can be added to an aftercare group only.",
                ));
            }
        }
        membership::join(tx, ctx, g, Person::Patient(patient), on)?;
    }
    Ok(plan)
}

/// Starts a new stay for someone who was discharged before, and closes their open
/// aftercare plan (a new discharge starts a new one).
pub fn readmit(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, on: NaiveDate) -> Result<()> {
    patients::readmit(tx, ctx, patient, on)?;
    plans::on_readmitted(tx, ctx, patient)
}
