//! The basis of a stay under the Mental Healthcare Act 2017: an independent admission
//! (s.85-86, the rule), a supported admission (s.89: with the nominated representative of
//! s.14, reviewed within 30 days) or a minor's admission (s.87, with the guardian); who
//! assessed the person's capacity; and the supported admissions due for review (Today).
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::field_history::{self, Field};
use crate::text;

str_enum!(AdmissionBasis { Independent = "independent", Supported = "supported", Minor = "minor" });

/// A supported admission lasts at most 30 days before it is reviewed (s.89).
pub const SUPPORTED_DAYS: u64 = 30;
/// Today lists reviews due within this many days, and every overdue one.
pub const REVIEW_NOTICE_DAYS: u64 = 3;

/// What staff record about a stay's admission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Admission {
    pub basis: AdmissionBasis,
    /// The nominated representative (supported) or the guardian (minor).
    pub representative_name: String,
    pub representative_relation: String,
    #[ts(type = "number | null")]
    pub capacity_assessed_by: Option<i64>,
    /// Supported admissions only; 30 days from admission when left empty.
    pub review_due_on: Option<NaiveDate>,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            basis: AdmissionBasis::Independent,
            representative_name: String::new(),
            representative_relation: String::new(),
            capacity_assessed_by: None,
            review_due_on: None,
        }
    }
}

/// A supported admission whose review is near or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReviewDue {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub full_name: String,
    pub admitted_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub representative_name: String,
    /// The review date has passed.
    pub overdue: bool,
}

fn validate(conn: &Connection, admitted_on: NaiveDate, a: &Admission) -> Result<Admission> {
    let mut a = a.clone();
    a.representative_name = text::clean(&a.representative_name);
    a.representative_relation = text::clean(&a.representative_relation);
    if text::char_len(&a.representative_name) > 120 || text::char_len(&a.representative_relation) > 120 {
        return Err(Error::invalid("text_too_long", "representative_name", "That entry is too long."));
    }
    match a.basis {
        AdmissionBasis::Independent => {
            a.representative_name.clear();
            a.representative_relation.clear();
            a.review_due_on = None;
        }
        AdmissionBasis::Minor if a.representative_name.is_empty() => {
            return Err(Error::invalid("guardian_missing", "representative_name", "Please name the guardian."));
        }
        AdmissionBasis::Supported if a.representative_name.is_empty() => {
            return Err(Error::invalid(
                "representative_missing",
                "representative_name",
                "Please name the nominated representative.",
            ));
        }
        AdmissionBasis::Minor => a.review_due_on = None,
        AdmissionBasis::Supported => {
            let latest = admitted_on + Days::new(SUPPORTED_DAYS);
            let due = a.review_due_on.unwrap_or(latest);
            if due < admitted_on || due > latest {
                return Err(Error::invalid(
                    "review_date_outside",
                    "review_due_on",
                    "A supported admission is reviewed within 30 days of admission.",
                )
                .with("date", latest.format("%d-%m-%Y")));
            }
            a.review_due_on = Some(due);
        }
    }
    if let Some(staff) = a.capacity_assessed_by {
        let active: Option<bool> =
            conn.query_row("SELECT active FROM staff WHERE id = ?1", [staff], |r| r.get(0)).optional()?;
        if active != Some(true) {
            return Err(Error::invalid("assessor_unknown", "capacity_assessed_by", "Choose an active staff member."));
        }
    }
    Ok(a)
}

fn fields(a: &Admission) -> Vec<Field> {
    vec![
        ("admission_basis", a.basis.as_str().to_owned()),
        ("representative_name", a.representative_name.clone()),
        ("representative_relation", a.representative_relation.clone()),
        ("capacity_assessed_by", a.capacity_assessed_by.map(|s| s.to_string()).unwrap_or_default()),
        ("review_due_on", a.review_due_on.map(|d| d.to_string()).unwrap_or_default()),
    ]
}

/// A stay's admission as recorded.
pub fn get(conn: &Connection, stay: i64) -> Result<Admission> {
    conn.prepare_cached(
        "SELECT admission_basis, representative_name, representative_relation, capacity_assessed_by, review_due_on
         FROM stays WHERE id = ?1",
    )?
    .query_row([stay], |r| {
        Ok(Admission {
            basis: r.get(0)?,
            representative_name: r.get(1)?,
            representative_relation: r.get(2)?,
            capacity_assessed_by: r.get(3)?,
            review_due_on: r.get(4)?,
        })
    })
    .optional()?
    .ok_or(Error::NotFound { what: "That stay" })
}

/// Records the admission of a person's open stay. `history` is false at intake (the
/// first record is not a change), true when it is corrected or the review moves it on.
pub fn set(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, admission: &Admission, history: bool) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let (stay, admitted_on): (i64, NaiveDate) = tx
        .query_row(
            "SELECT id, admitted_on FROM stays WHERE patient_id = ?1 AND discharged_on IS NULL",
            [patient],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            Error::invalid("admission_needs_stay", "admission_basis", "This person is not admitted at the moment.")
        })?;
    let a = validate(tx, admitted_on, admission)?;
    let before = get(tx, stay)?;
    if before == a {
        return Ok(());
    }
    tx.execute(
        "UPDATE stays SET admission_basis = ?2, representative_name = ?3, representative_relation = ?4,
            capacity_assessed_by = ?5, review_due_on = ?6 WHERE id = ?1",
        params![
            stay,
            a.basis,
            a.representative_name,
            a.representative_relation,
            a.capacity_assessed_by,
            a.review_due_on
        ],
    )?;
    if history {
        field_history::record(tx, ctx, patient, &fields(&before), &fields(&a))?;
    }
    audit::record(tx, ctx, "admission_basis_recorded", entity::PATIENT, Some(patient), a.basis.as_str())?;
    Ok(())
}

/// Supported admissions still open whose review is due within three days or overdue,
/// soonest first.
pub fn reviews_due(conn: &Connection, ctx: &Ctx) -> Result<Vec<ReviewDue>> {
    ctx.require(Action::ViewPatient)?;
    let until = ctx.today + Days::new(REVIEW_NOTICE_DAYS);
    let mut stmt = conn.prepare_cached(
        "SELECT s.patient_id, p.full_name, s.admitted_on, s.review_due_on, s.representative_name
         FROM stays s JOIN patients p ON p.id = s.patient_id
         WHERE s.discharged_on IS NULL AND s.review_due_on IS NOT NULL AND s.review_due_on <= ?1
           AND p.archived_at IS NULL
         ORDER BY s.review_due_on, s.patient_id",
    )?;
    let rows = stmt.query_map([until], |r| {
        Ok(ReviewDue {
            patient_id: r.get(0)?,
            full_name: r.get(1)?,
            admitted_on: r.get(2)?,
            review_due_on: r.get(3)?,
            representative_name: r.get(4)?,
            overdue: r.get::<_, NaiveDate>(3)? < ctx.today,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;
    use crate::patients::{self, Gender, NewPatient, PatientDetails};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn desk(on: NaiveDate) -> Ctx {
        Ctx::at(Actor { staff_id: None, role: Role::FrontDesk }, on)
    }

    #[test]
    fn a_supported_admission_needs_its_representative_is_due_for_review_in_30_days_and_shows_when_near() {
        let mut s = Store::open_in_memory().unwrap();
        let c = desk(day(1));
        let new = NewPatient { details: PatientDetails::new("Rajesh Kumar", Gender::Male), admitted_on: day(1) };
        let p = s.write(|tx| patients::create(tx, &c, &new)).unwrap();
        let nameless = Admission { basis: AdmissionBasis::Supported, ..Admission::default() };
        assert_eq!(s.write(|tx| set(tx, &c, p, &nameless, false)).unwrap_err().code(), "representative_missing");
        let late = Admission {
            representative_name: "Sunita Devi".into(),
            review_due_on: Some(day(1) + Days::new(31)),
            ..nameless.clone()
        };
        assert_eq!(s.write(|tx| set(tx, &c, p, &late, false)).unwrap_err().code(), "review_date_outside");
        let ok = Admission { review_due_on: None, ..late };
        s.write(|tx| set(tx, &c, p, &ok, false)).unwrap();
        let stay: i64 = s.conn().query_row("SELECT id FROM stays WHERE patient_id = ?1", [p], |r| r.get(0)).unwrap();
        assert_eq!(get(s.conn(), stay).unwrap().review_due_on, Some(day(1) + Days::new(30)));
        // Not yet near on day 20; due within three days on day 28; overdue later still shows.
        assert!(reviews_due(s.conn(), &desk(day(20))).unwrap().is_empty());
        assert_eq!(reviews_due(s.conn(), &desk(day(28))).unwrap().len(), 1);
        assert_eq!(reviews_due(s.conn(), &desk(day(30))).unwrap()[0].representative_name, "Sunita Devi");
        // Capacity regained: independent from now on, kept in the history; no longer due.
        let c = desk(day(20));
        s.write(|tx| set(tx, &c, p, &Admission::default(), true)).unwrap();
        assert!(reviews_due(s.conn(), &desk(day(30))).unwrap().is_empty());
        let h = field_history::list(s.conn(), &c, p).unwrap();
        assert!(
            h.iter()
                .any(|x| x.field == "admission_basis" && x.old_value == "supported" && x.new_value == "independent")
        );
    }
}
