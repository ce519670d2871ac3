//! Consent as dated records (issue 16): what a person agreed to or refused, when, how it
//! was recorded and by whom, and its withdrawal. The newest record of a kind decides;
//! a withdrawal takes effect at once (today's call list, printed lists, family calls).
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

str_enum! {
    /// What a consent is about: treatment; follow-up calls to the person's own phone;
    /// contacting a family member (named in the record's detail); appearing by full name
    /// on printed lists (else initials); sharing the record with a named referral, court
    /// or other body (named in the detail); photographs.
    ConsentKind {
        Treatment = "treatment",
        PhoneFollowup = "phone_followup",
        FamilyContact = "family_contact",
        FullNameOnLists = "full_name_on_lists",
        Sharing = "sharing",
        Photographs = "photographs",
    }
}

str_enum! {
    /// How a consent (or refusal) was recorded: a signed form; said aloud with a witness
    /// (named in the record); carried over from the register's yes/no flags (before
    /// issue 16).
    ConsentHow {
        SignedForm = "signed_form",
        VerbalWitnessed = "verbal_witnessed",
        Register = "register",
    }
}

/// A consent (or refusal) to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConsentInput {
    pub kind: ConsentKind,
    pub given: bool,
    /// Which family member (family contact), which referral or court (sharing).
    pub detail: String,
    pub decided_on: NaiveDate,
    pub how: ConsentHow,
    /// Needed when the consent was said aloud.
    pub witness: String,
}

/// One consent record as the profile shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConsentRecord {
    #[ts(type = "number")]
    pub id: i64,
    /// What was recorded (its fields sit beside the others in JSON).
    #[serde(flatten)]
    #[ts(flatten)]
    pub consent: ConsentInput,
    pub recorded_by: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    /// The newest record of its kind: the one that decides.
    pub in_force: bool,
}

impl ConsentRecord {
    /// Whether this record means "yes" today.
    pub fn holds(&self) -> bool {
        self.in_force && self.consent.given && self.withdrawn_on.is_none()
    }
}

/// The SQL for whether the person `patient` (an SQL expression) agrees to `kind` now: the
/// newest record of that kind says given and is not withdrawn (no record: no).
pub(crate) fn now_sql(patient: &str, kind: ConsentKind) -> String {
    format!(
        "COALESCE((SELECT c.given AND c.withdrawn_on IS NULL FROM consents c WHERE c.patient_id = {patient} \
         AND c.kind = '{}' ORDER BY c.decided_on DESC, c.id DESC LIMIT 1), 0)",
        kind.as_str()
    )
}

/// Whether the person agrees to `kind` now.
pub fn now(conn: &Connection, patient_id: i64, kind: ConsentKind) -> Result<bool> {
    Ok(conn.prepare_cached(&format!("SELECT {}", now_sql("?1", kind)))?.query_row([patient_id], |r| r.get(0))?)
}

/// Every consent record of a person, newest first (by date, then as recorded).
pub fn list(conn: &Connection, ctx: &Ctx, patient_id: i64) -> Result<Vec<ConsentRecord>> {
    ctx.require(Action::ViewPatient)?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.kind, c.given, c.detail, c.decided_on, c.how, c.witness, r.full_name, c.withdrawn_on,
                w.full_name
         FROM consents c LEFT JOIN staff r ON r.id = c.recorded_by LEFT JOIN staff w ON w.id = c.withdrawn_by
         WHERE c.patient_id = ?1 ORDER BY c.decided_on DESC, c.id DESC",
    )?;
    let mut seen: Vec<ConsentKind> = Vec::new();
    let rows = stmt.query_map([patient_id], |r| {
        Ok(ConsentRecord {
            id: r.get(0)?,
            consent: ConsentInput {
                kind: r.get(1)?,
                given: r.get(2)?,
                detail: r.get(3)?,
                decided_on: r.get(4)?,
                how: r.get(5)?,
                witness: r.get(6)?,
            },
            recorded_by: r.get(7)?,
            withdrawn_on: r.get(8)?,
            withdrawn_by: r.get(9)?,
            in_force: false,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let mut row = row?;
        row.in_force = !seen.contains(&row.consent.kind);
        seen.push(row.consent.kind);
        out.push(row);
    }
    Ok(out)
}

fn check(input: &ConsentInput, today: NaiveDate) -> Result<()> {
    if input.decided_on > today {
        return Err(Error::invalid("consent_date_future", "decided_on", "The date cannot be after today."));
    }
    if input.how == ConsentHow::Register {
        return Err(Error::invalid(
            "consent_how_missing",
            "how",
            "Say how the consent was given: a signed form, or aloud with a witness.",
        ));
    }
    if input.how == ConsentHow::VerbalWitnessed && crate::text::clean(&input.witness).is_empty() {
        return Err(Error::invalid("consent_witness_missing", "witness", "Name the witness of a spoken consent."));
    }
    let named = matches!(input.kind, ConsentKind::FamilyContact | ConsentKind::Sharing);
    if named && input.given && crate::text::clean(&input.detail).is_empty() {
        return Err(Error::invalid(
            "consent_detail_missing",
            "detail",
            "Name the family member, or the body the record may be shared with.",
        ));
    }
    Ok(())
}

/// Records a consent or refusal for a person; it decides from now on for its kind.
pub fn record(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64, input: &ConsentInput) -> Result<i64> {
    ctx.require(Action::EditPatient)?;
    check(input, ctx.today)?;
    let known: Option<i64> =
        tx.query_row("SELECT id FROM patients WHERE id = ?1", [patient_id], |r| r.get(0)).optional()?;
    if known.is_none() {
        return Err(Error::NotFound { what: "That patient" });
    }
    tx.execute(
        "INSERT INTO consents (patient_id, kind, given, detail, decided_on, how, witness, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            patient_id,
            input.kind,
            input.given,
            crate::text::clean(&input.detail),
            input.decided_on,
            input.how,
            crate::text::clean(&input.witness),
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let detail = format!("{} {}", input.kind.as_str(), if input.given { "given" } else { "refused" });
    audit::record(tx, ctx, "consent_recorded", entity::PATIENT, Some(patient_id), &detail)?;
    Ok(id)
}

/// Withdraws a consent in force, as of `on` (today or earlier, not before it was given).
/// It takes effect at once. Returns the person's id.
pub fn withdraw(tx: &Transaction<'_>, ctx: &Ctx, consent_id: i64, on: NaiveDate) -> Result<i64> {
    ctx.require(Action::EditPatient)?;
    let found: Option<(i64, ConsentKind, NaiveDate)> = tx
        .query_row("SELECT patient_id, kind, decided_on FROM consents WHERE id = ?1", [consent_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((patient_id, kind, decided_on)) = found else {
        return Err(Error::NotFound { what: "That consent record" });
    };
    let in_force = list(tx, ctx, patient_id)?
        .into_iter()
        .find(|c| c.consent.kind == kind)
        .is_some_and(|c| c.id == consent_id && c.holds());
    if !in_force {
        return Err(Error::invalid(
            "consent_not_in_force",
            "consent",
            "Only a consent that is in force can be withdrawn. Refresh the page.",
        ));
    }
    if on > ctx.today || on < decided_on {
        return Err(Error::invalid(
            "consent_withdraw_date",
            "withdrawn_on",
            "The date of withdrawal must be between the day it was given and today.",
        ));
    }
    tx.execute(
        "UPDATE consents SET withdrawn_on = ?2, withdrawn_at = ?3, withdrawn_by = ?4 WHERE id = ?1",
        params![consent_id, on, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "consent_withdrawn", entity::PATIENT, Some(patient_id), kind.as_str())?;
    Ok(patient_id)
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

    fn signed(kind: ConsentKind, given: bool, on: NaiveDate) -> ConsentInput {
        ConsentInput {
            kind,
            given,
            detail: String::new(),
            decided_on: on,
            how: ConsentHow::SignedForm,
            witness: String::new(),
        }
    }

    fn person(store: &mut Store) -> i64 {
        let new = NewPatient { details: PatientDetails::new("Asha Rani", Gender::Female), admitted_on: day(1) };
        store.write(|tx| patients::create(tx, &desk(day(1)), &new)).unwrap()
    }

    #[test]
    fn the_newest_record_decides_and_a_withdrawal_takes_effect_at_once() {
        let mut store = Store::open_in_memory().unwrap();
        let p = person(&mut store);
        let phone = |s: &Store| now(s.conn(), p, ConsentKind::PhoneFollowup).unwrap();
        assert!(!phone(&store), "nothing on record: no");
        let given =
            store.write(|tx| record(tx, &desk(day(2)), p, &signed(ConsentKind::PhoneFollowup, true, day(2)))).unwrap();
        assert!(phone(&store));
        // Withdrawn today, as of yesterday: no at once; it cannot be withdrawn twice.
        store.write(|tx| withdraw(tx, &desk(day(10)), given, day(9))).unwrap();
        assert!(!phone(&store));
        let again = store.write(|tx| withdraw(tx, &desk(day(10)), given, day(10))).unwrap_err();
        assert_eq!(again.code(), "consent_not_in_force");
        // Given again later: the newest decides; the history stays.
        store.write(|tx| record(tx, &desk(day(12)), p, &signed(ConsentKind::PhoneFollowup, true, day(12)))).unwrap();
        assert!(phone(&store));
        let all = list(store.conn(), &desk(day(12)), p).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].in_force && all[0].holds() && !all[1].in_force && all[1].withdrawn_on == Some(day(9)));
        // Another kind is untouched, and the audit trail has each step.
        assert!(!now(store.conn(), p, ConsentKind::FamilyContact).unwrap());
        let audited: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM audit_log WHERE action LIKE 'consent_%' AND entity_id = ?1", [p], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(audited, 3);
        // Records are kept: no delete, no edit but the one withdrawal.
        let c = store.conn();
        assert!(c.execute("DELETE FROM consents", []).is_err());
        assert!(c.execute("UPDATE consents SET given = 0", []).is_err());
        assert!(c.execute("UPDATE consents SET withdrawn_on = '2026-11-11' WHERE id = ?1", [given]).is_err());
    }

    #[test]
    fn bad_input_is_refused_with_its_reason_and_nothing_recorded() {
        let mut store = Store::open_in_memory().unwrap();
        let p = person(&mut store);
        let refused = |store: &mut Store, input: ConsentInput| {
            store.write(|tx| record(tx, &desk(day(5)), p, &input)).unwrap_err().code()
        };
        assert_eq!(refused(&mut store, signed(ConsentKind::Treatment, true, day(6))), "consent_date_future");
        let spoken = ConsentInput { how: ConsentHow::VerbalWitnessed, ..signed(ConsentKind::Treatment, true, day(5)) };
        assert_eq!(refused(&mut store, spoken.clone()), "consent_witness_missing");
        let family = signed(ConsentKind::FamilyContact, true, day(5));
        assert_eq!(refused(&mut store, family.clone()), "consent_detail_missing");
        let carried = ConsentInput { how: ConsentHow::Register, ..signed(ConsentKind::Treatment, true, day(5)) };
        assert_eq!(refused(&mut store, carried), "consent_how_missing");
        let n: i64 = store.conn().query_row("SELECT count(*) FROM consents", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
        // Named, witnessed: recorded. A refusal needs no name.
        let ok = ConsentInput { witness: "Meena (counsellor)".into(), ..spoken };
        store.write(|tx| record(tx, &desk(day(5)), p, &ok)).unwrap();
        store.write(|tx| record(tx, &desk(day(5)), p, &ConsentInput { given: false, ..family })).unwrap();
        let given =
            store.write(|tx| record(tx, &desk(day(5)), p, &signed(ConsentKind::Photographs, true, day(5)))).unwrap();
        let early = store.write(|tx| withdraw(tx, &desk(day(5)), given, day(4))).unwrap_err();
        assert_eq!(early.code(), "consent_withdraw_date");
        let reader = Ctx::at(Actor { staff_id: None, role: Role::FrontDesk }, day(5));
        assert_eq!(list(store.conn(), &reader, p).unwrap().len(), 3);
        assert_eq!(
            store
                .write(|tx| record(tx, &desk(day(5)), 999, &signed(ConsentKind::Treatment, true, day(5))))
                .unwrap_err()
                .code(),
            "not_found"
        );
    }
}
