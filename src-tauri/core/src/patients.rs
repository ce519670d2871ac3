//! The patient register: details, stays (admission → discharge, any number of times),
//! phase, archive, and search in any script.
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::{self, Action};
use crate::admission_basis::Admission;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::field_history::{self, Field};
use crate::text;

use crate::enums::str_enum;

str_enum!(Gender { Female = "female", Male = "male", Other = "other" });
str_enum!(Phase { Inpatient = "inpatient", Aftercare = "aftercare", Alumni = "alumni", Inactive = "inactive" });
str_enum!(Substance {
    Alcohol = "alcohol",
    Opioids = "opioids",
    Cannabis = "cannabis",
    Prescription = "prescription",
    Tobacco = "tobacco",
    Other = "other",
});
str_enum!(DischargeType {
    Completed = "completed",
    AgainstAdvice = "against_advice",
    Referred = "referred",
    Absconded = "absconded",
    Administrative = "administrative",
});

/// Everything about a person that staff type into the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientDetails {
    pub full_name: String,
    pub preferred_name: String,
    pub gender: Gender,
    pub birth_date: Option<NaiveDate>,
    /// Approximate age in years, when the date of birth is not known.
    pub age_years: Option<u8>,
    pub phone: String,
    pub family_name: String,
    pub family_relation: String,
    pub family_phone: String,
    pub languages: Vec<String>,
    pub substances: Vec<Substance>,
    pub substance_other: String,
}

impl PatientDetails {
    /// A name and gender, everything else empty (no date of birth or age, no phones, no
    /// languages or substances); fill in the rest with `..`. (Consents are records of
    /// their own: consents.rs.)
    pub fn new(full_name: &str, gender: Gender) -> PatientDetails {
        PatientDetails {
            full_name: full_name.to_owned(),
            preferred_name: String::new(),
            gender,
            birth_date: None,
            age_years: None,
            phone: String::new(),
            family_name: String::new(),
            family_relation: String::new(),
            family_phone: String::new(),
            languages: Vec::new(),
            substances: Vec::new(),
            substance_other: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPatient {
    pub details: PatientDetails,
    pub admitted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stay {
    #[ts(type = "number")]
    pub id: i64,
    pub admitted_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub discharge_type: Option<DischargeType>,
    /// Its basis under the Mental Healthcare Act (admission_basis.rs).
    pub admission: Admission,
    /// Who assessed capacity, by name (for the profile).
    pub capacity_assessed_by_name: Option<String>,
    /// Written by a counsellor; empty for staff who may not read clinical notes.
    pub discharge_summary: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Patient {
    #[ts(type = "number")]
    pub id: i64,
    pub details: PatientDetails,
    pub phase: Phase,
    pub archived: bool,
    /// Age today, from the date of birth or the approximate age and when it was noted.
    pub age: Option<u32>,
    /// Oldest first.
    pub stays: Vec<Stay>,
    pub created_at: String,
    pub updated_at: String,
}

/// One line of the patient list.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientRow {
    #[ts(type = "number")]
    pub id: i64,
    pub full_name: String,
    pub preferred_name: String,
    pub gender: Gender,
    pub phase: Phase,
    pub phone: String,
    pub last_admitted_on: Option<NaiveDate>,
    pub last_discharged_on: Option<NaiveDate>,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientQuery {
    /// Any part of a name (any script), or phone digits.
    pub text: String,
    pub phase: Option<Phase>,
    pub include_archived: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientPage {
    pub rows: Vec<PatientRow>,
    pub total: u32,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RegisterCounts {
    pub inpatients: u32,
    pub aftercare: u32,
    pub alumni: u32,
    pub inactive: u32,
}

pub const MAX_PAGE: u32 = 200;
const MAX_NAME: usize = 120;
const MAX_TEXT: usize = 200;

/// Checks and cleans what was typed. Returns the cleaned copy.
pub fn validate(ctx: &Ctx, d: &PatientDetails) -> Result<PatientDetails> {
    let mut d = d.clone();
    d.full_name = text::clean(&d.full_name);
    d.preferred_name = text::clean(&d.preferred_name);
    d.family_name = text::clean(&d.family_name);
    d.family_relation = text::clean(&d.family_relation);
    d.substance_other = text::clean(&d.substance_other);
    d.phone = d.phone.trim().to_owned();
    d.family_phone = d.family_phone.trim().to_owned();
    if d.full_name.is_empty() {
        return Err(Error::invalid("name_empty", "full_name", "Please enter the person's full name."));
    }
    if text::char_len(&d.full_name) > MAX_NAME || text::char_len(&d.preferred_name) > MAX_NAME {
        return Err(Error::invalid("name_too_long", "full_name", "That name is too long (120 letters at most)."));
    }
    for (v, field) in [
        (&d.family_name, "family_name"),
        (&d.family_relation, "family_relation"),
        (&d.substance_other, "substance_other"),
    ] {
        if text::char_len(v) > MAX_TEXT {
            return Err(Error::invalid("text_too_long", field, "That entry is too long (200 letters at most)."));
        }
    }
    if let Some(b) = d.birth_date {
        // 110 years back; on 29 February that is 28 February (a plain `with_year` fails there).
        let earliest = ctx.today.checked_sub_months(Months::new(110 * 12)).unwrap_or(NaiveDate::MIN);
        if b > ctx.today {
            return Err(Error::invalid(
                "birth_date_future",
                "birth_date",
                "The date of birth cannot be in the future.",
            ));
        }
        if b < earliest {
            return Err(Error::invalid(
                "birth_date_impossible",
                "birth_date",
                "That date of birth is more than 110 years ago. Please check it.",
            ));
        }
        d.age_years = None;
    }
    if let Some(a) = d.age_years
        && !(5..=110).contains(&a)
    {
        return Err(Error::invalid(
            "age_impossible",
            "age_years",
            "The approximate age must be between 5 and 110 years.",
        ));
    }
    check_phone(&d.phone, "phone")?;
    check_phone(&d.family_phone, "family_phone")?;
    let mut langs: Vec<String> = Vec::new();
    for l in &d.languages {
        let l = text::clean(l);
        if !l.is_empty() && !langs.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
            langs.push(l);
        }
    }
    d.languages = langs;
    d.substances.sort_by_key(|s| s.as_str());
    d.substances.dedup();
    if !d.substances.contains(&Substance::Other) {
        d.substance_other.clear();
    }
    Ok(d)
}

fn check_phone(phone: &str, field: &'static str) -> Result<()> {
    if phone.is_empty() {
        return Ok(());
    }
    if phone.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'))) {
        return Err(Error::invalid(
            "phone_invalid",
            field,
            "A phone number may contain only digits, spaces, dashes and a leading +.",
        ));
    }
    let n = text::phone_digits(phone).len();
    if n < 10 {
        return Err(Error::invalid(
            "phone_too_short",
            field,
            "That phone number has too few digits. Please enter all 10 digits (with the STD code for a landline).",
        ));
    }
    if n > 13 {
        return Err(Error::invalid("phone_too_long", field, "That phone number has too many digits."));
    }
    Ok(())
}

fn check_admission(ctx: &Ctx, date: NaiveDate) -> Result<()> {
    if date > ctx.today {
        return Err(Error::invalid("admission_future", "admitted_on", "The admission date cannot be in the future."));
    }
    if date.year() < 1990 {
        return Err(Error::invalid(
            "admission_too_old",
            "admitted_on",
            "That admission date is too far in the past. Please check the year.",
        ));
    }
    Ok(())
}

fn details_params(d: &PatientDetails) -> Result<(String, String, String, String, String)> {
    let search = text::search_key(&format!("{} {}", d.full_name, d.preferred_name));
    let langs = serde_json::to_string(&d.languages)
        .map_err(|e| Error::invalid("languages_invalid", "languages", e.to_string()))?;
    let subs = serde_json::to_string(&d.substances)
        .map_err(|e| Error::invalid("substances_invalid", "substances", e.to_string()))?;
    Ok((search, langs, subs, text::phone_digits(&d.phone), text::phone_digits(&d.family_phone)))
}

/// Registers a new person with their first admission. Returns the new id.
pub fn create(tx: &Transaction<'_>, ctx: &Ctx, new: &NewPatient) -> Result<i64> {
    ctx.require(Action::EditPatient)?;
    let d = validate(ctx, &new.details)?;
    check_admission(ctx, new.admitted_on)?;
    let (search, langs, subs, phone_digits, family_digits) = details_params(&d)?;
    let stamp = ctx.stamp();
    tx.execute(
        "INSERT INTO patients (full_name, preferred_name, gender, birth_date, age_years, age_recorded_on,
            phone, phone_digits, family_name, family_relation, family_phone, family_phone_digits,
            languages, substances, substance_other, phase, search_text, created_at, created_by, updated_at,
            updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'inpatient', ?16, ?17, ?18, ?17, ?18)",
        params![
            d.full_name, d.preferred_name, d.gender, d.birth_date, d.age_years,
            d.age_years.map(|_| ctx.today), d.phone, phone_digits, d.family_name, d.family_relation,
            d.family_phone, family_digits, langs, subs, d.substance_other, search, stamp, ctx.actor.staff_id,
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO stays (patient_id, admitted_on, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
        params![id, new.admitted_on, stamp, ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "patient_created", entity::PATIENT, Some(id), "")?;
    tracing::info!(patient = id, "patient registered");
    Ok(id)
}

/// Saves changed details. The phase and stays change only through discharge/re-admit.
pub fn update(tx: &Transaction<'_>, ctx: &Ctx, id: i64, details: &PatientDetails) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let current = load_state(tx, id)?;
    let before = get(tx, ctx, id)?.details;
    let d = validate(ctx, details)?;
    let (search, langs, subs, phone_digits, family_digits) = details_params(&d)?;
    // Keep the date an approximate age was noted unless the age itself changed.
    let age_recorded_on = match (d.age_years, current.age_years) {
        (Some(new), Some(old)) if new == old => current.age_recorded_on,
        (Some(_), _) => Some(ctx.today),
        (None, _) => None,
    };
    tx.execute(
        "UPDATE patients SET full_name = ?2, preferred_name = ?3, gender = ?4, birth_date = ?5, age_years = ?6,
            age_recorded_on = ?7, phone = ?8, phone_digits = ?9, family_name = ?10, family_relation = ?11,
            family_phone = ?12, family_phone_digits = ?13, languages = ?14, substances = ?15,
            substance_other = ?16, search_text = ?17, updated_at = ?18, updated_by = ?19
         WHERE id = ?1",
        params![
            id,
            d.full_name,
            d.preferred_name,
            d.gender,
            d.birth_date,
            d.age_years,
            age_recorded_on,
            d.phone,
            phone_digits,
            d.family_name,
            d.family_relation,
            d.family_phone,
            family_digits,
            langs,
            subs,
            d.substance_other,
            search,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    field_history::record(tx, ctx, id, &fields(&before), &fields(&d))?;
    audit::record(tx, ctx, "patient_changed", entity::PATIENT, Some(id), "")?;
    tracing::info!(patient = id, "patient details changed");
    Ok(())
}

/// The register's fields as stored, for the field history.
fn fields(d: &PatientDetails) -> Vec<Field> {
    let subs: Vec<&str> = d.substances.iter().map(|s| s.as_str()).collect();
    vec![
        ("full_name", d.full_name.clone()),
        ("preferred_name", d.preferred_name.clone()),
        ("gender", d.gender.as_str().to_owned()),
        ("birth_date", d.birth_date.map(|b| b.to_string()).unwrap_or_default()),
        ("age_years", d.age_years.map(|a| a.to_string()).unwrap_or_default()),
        ("phone", d.phone.clone()),
        ("family_name", d.family_name.clone()),
        ("family_relation", d.family_relation.clone()),
        ("family_phone", d.family_phone.clone()),
        ("languages", d.languages.join(", ")),
        ("substances", subs.join(", ")),
        ("substance_other", d.substance_other.clone()),
    ]
}

struct State {
    phase: Phase,
    archived: bool,
    age_years: Option<u8>,
    age_recorded_on: Option<NaiveDate>,
}

fn load_state(conn: &Connection, id: i64) -> Result<State> {
    conn.query_row(
        "SELECT phase, archived_at IS NOT NULL, age_years, age_recorded_on FROM patients WHERE id = ?1",
        [id],
        |r| Ok(State { phase: r.get(0)?, archived: r.get(1)?, age_years: r.get(2)?, age_recorded_on: r.get(3)? }),
    )
    .optional()?
    .ok_or(Error::NotFound { what: "That patient" })
}

fn require_not_archived(s: &State) -> Result<()> {
    if s.archived {
        return Err(Error::Invalid {
            code: "patient_archived",
            field: None,
            message: "This patient is archived. Restore them from the archive first.".into(),
        });
    }
    Ok(())
}

fn open_stay(conn: &Connection, id: i64) -> Result<Option<Stay>> {
    Ok(conn
        .query_row(&format!("{STAY_COLUMNS} WHERE s.patient_id = ?1 AND s.discharged_on IS NULL"), [id], stay_from_row)
        .optional()?)
}

fn last_stay(conn: &Connection, id: i64) -> Result<Option<Stay>> {
    Ok(conn
        .query_row(
            &format!("{STAY_COLUMNS} WHERE s.patient_id = ?1 ORDER BY s.admitted_on DESC, s.id DESC LIMIT 1"),
            [id],
            stay_from_row,
        )
        .optional()?)
}

const STAY_COLUMNS: &str = "SELECT s.id, s.admitted_on, s.discharged_on, s.discharge_type, s.admission_basis,
        s.representative_name, s.representative_relation, s.capacity_assessed_by, s.review_due_on, a.full_name,
        s.discharge_summary
    FROM stays s LEFT JOIN staff a ON a.id = s.capacity_assessed_by";

fn stay_from_row(r: &Row<'_>) -> rusqlite::Result<Stay> {
    Ok(Stay {
        id: r.get(0)?,
        admitted_on: r.get(1)?,
        discharged_on: r.get(2)?,
        discharge_type: r.get(3)?,
        admission: Admission {
            basis: r.get(4)?,
            representative_name: r.get(5)?,
            representative_relation: r.get(6)?,
            capacity_assessed_by: r.get(7)?,
            review_due_on: r.get(8)?,
        },
        capacity_assessed_by_name: r.get(9)?,
        discharge_summary: r.get(10)?,
    })
}

/// Ends the current stay. The person moves to aftercare.
pub fn discharge(tx: &Transaction<'_>, ctx: &Ctx, id: i64, on: NaiveDate, kind: DischargeType) -> Result<()> {
    let state = load_state(tx, id)?;
    require_not_archived(&state)?;
    let stay = open_stay(tx, id)?.ok_or_else(|| Error::Invalid {
        code: "not_admitted",
        field: None,
        message: "This person is not admitted at the moment, so they cannot be discharged.".into(),
    })?;
    if on < stay.admitted_on {
        return Err(Error::invalid(
            "discharge_before_admission",
            "discharged_on",
            format!(
                "The discharge date cannot be before the admission date ({}).",
                stay.admitted_on.format("%d-%m-%Y")
            ),
        )
        .with("date", stay.admitted_on.format("%d-%m-%Y")));
    }
    if on > ctx.today {
        return Err(Error::invalid("discharge_future", "discharged_on", "The discharge date cannot be in the future."));
    }
    tx.execute("UPDATE stays SET discharged_on = ?2, discharge_type = ?3 WHERE id = ?1", params![stay.id, on, kind])?;
    set_phase_raw(tx, ctx, id, Phase::Aftercare)?;
    audit::record(tx, ctx, "patient_discharged", entity::PATIENT, Some(id), kind.as_str())?;
    tracing::info!(patient = id, "patient discharged");
    Ok(())
}

/// A counsellor's short summary of a stay that has ended (kept in the field history when
/// it is rewritten).
pub fn set_discharge_summary(tx: &Transaction<'_>, ctx: &Ctx, stay: i64, summary: &str) -> Result<i64> {
    ctx.require(Action::WriteClinicalNotes)?;
    let summary = summary.trim().to_owned();
    if text::char_len(&summary) > 2000 {
        return Err(Error::invalid("summary_too_long", "discharge_summary", "At most 2,000 letters.").with("max", 2000));
    }
    let (patient, old, ended): (i64, String, bool) = tx
        .query_row(
            "SELECT patient_id, discharge_summary, discharged_on IS NOT NULL FROM stays WHERE id = ?1",
            [stay],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or(Error::NotFound { what: "That stay" })?;
    if !ended {
        return Err(Error::invalid("not_discharged", "discharge_summary", "Write the summary after the discharge."));
    }
    if old == summary {
        return Ok(patient);
    }
    tx.execute("UPDATE stays SET discharge_summary = ?2 WHERE id = ?1", params![stay, summary])?;
    field_history::record(tx, ctx, patient, &[("discharge_summary", old)], &[("discharge_summary", summary)])?;
    audit::record(tx, ctx, "discharge_summary_written", entity::PATIENT, Some(patient), "")?;
    Ok(patient)
}

/// Starts a new stay for someone who was discharged before. History is kept. (Their
/// aftercare plan is closed by [`crate::admissions::readmit`], which the window calls.)
pub fn readmit(tx: &Transaction<'_>, ctx: &Ctx, id: i64, on: NaiveDate) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let state = load_state(tx, id)?;
    require_not_archived(&state)?;
    if open_stay(tx, id)?.is_some() {
        return Err(Error::Invalid {
            code: "already_admitted",
            field: None,
            message: "This person is already admitted.".into(),
        });
    }
    check_admission(ctx, on)?;
    if let Some(prev) = last_stay(tx, id)?
        && let Some(out) = prev.discharged_on
        && on < out
    {
        return Err(Error::invalid(
            "readmission_before_discharge",
            "admitted_on",
            format!("The new admission date cannot be before the last discharge ({}).", out.format("%d-%m-%Y")),
        )
        .with("date", out.format("%d-%m-%Y")));
    }
    tx.execute(
        "INSERT INTO stays (patient_id, admitted_on, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
        params![id, on, ctx.stamp(), ctx.actor.staff_id],
    )?;
    set_phase_raw(tx, ctx, id, Phase::Inpatient)?;
    audit::record(tx, ctx, "patient_readmitted", entity::PATIENT, Some(id), "")?;
    tracing::info!(patient = id, "patient re-admitted");
    Ok(())
}

/// Moves a discharged person between aftercare, alumni and inactive.
pub fn set_phase(tx: &Transaction<'_>, ctx: &Ctx, id: i64, phase: Phase) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let state = load_state(tx, id)?;
    require_not_archived(&state)?;
    if phase == Phase::Inpatient || state.phase == Phase::Inpatient {
        return Err(Error::Invalid {
            code: "phase_needs_stay",
            field: Some("phase"),
            message: "Use Admit or Discharge to move someone in or out of in-patient care.".into(),
        });
    }
    set_phase_raw(tx, ctx, id, phase)?;
    audit::record(tx, ctx, "patient_phase_changed", entity::PATIENT, Some(id), phase.as_str())
}

fn set_phase_raw(tx: &Transaction<'_>, ctx: &Ctx, id: i64, phase: Phase) -> Result<()> {
    tx.execute(
        "UPDATE patients SET phase = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
        params![id, phase, ctx.stamp(), ctx.actor.staff_id],
    )?;
    Ok(())
}

/// Hides a record from lists (or brings it back). Nothing is ever deleted.
pub fn set_archived(tx: &Transaction<'_>, ctx: &Ctx, id: i64, archived: bool) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let state = load_state(tx, id)?;
    if archived && state.phase == Phase::Inpatient {
        return Err(Error::Invalid {
            code: "archive_inpatient",
            field: None,
            message: "An admitted patient cannot be archived. Discharge them first.".into(),
        });
    }
    tx.execute(
        "UPDATE patients SET archived_at = CASE WHEN ?2 THEN ?3 ELSE NULL END, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
        params![id, archived, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(
        tx,
        ctx,
        if archived { "patient_archived" } else { "patient_unarchived" },
        entity::PATIENT,
        Some(id),
        "",
    )?;
    tracing::info!(patient = id, archived, "patient archive flag changed");
    Ok(())
}

/// Opens a patient's record for a staff member: checked and audited.
pub fn view(tx: &Transaction<'_>, ctx: &Ctx, id: i64) -> Result<Patient> {
    ctx.require(Action::ViewPatient)?;
    let p = get(tx, ctx, id)?;
    audit::record(tx, ctx, "patient_viewed", entity::PATIENT, Some(id), "")?;
    Ok(p)
}

/// Reads a record without auditing (the caller has just audited a change to it).
pub fn get(conn: &Connection, ctx: &Ctx, id: i64) -> Result<Patient> {
    let mut p = conn
        .query_row(
            "SELECT id, full_name, preferred_name, gender, birth_date, age_years, age_recorded_on, phone,
                    family_name, family_relation, family_phone, languages, substances, substance_other,
                    phase, archived_at IS NOT NULL, created_at, updated_at
             FROM patients WHERE id = ?1",
            [id],
            |r| {
                let langs: String = r.get(11)?;
                let subs: String = r.get(12)?;
                let birth_date: Option<NaiveDate> = r.get(4)?;
                let age_years: Option<u8> = r.get(5)?;
                let noted: Option<NaiveDate> = r.get(6)?;
                Ok(Patient {
                    id: r.get(0)?,
                    details: PatientDetails {
                        full_name: r.get(1)?,
                        preferred_name: r.get(2)?,
                        gender: r.get(3)?,
                        birth_date,
                        age_years,
                        phone: r.get(7)?,
                        family_name: r.get(8)?,
                        family_relation: r.get(9)?,
                        family_phone: r.get(10)?,
                        languages: serde_json::from_str(&langs).unwrap_or_default(),
                        substances: serde_json::from_str(&subs).unwrap_or_default(),
                        substance_other: r.get(13)?,
                    },
                    phase: r.get(14)?,
                    archived: r.get(15)?,
                    age: age_on(ctx.today, birth_date, age_years, noted),
                    stays: Vec::new(),
                    created_at: r.get(16)?,
                    updated_at: r.get(17)?,
                })
            },
        )
        .optional()?
        .ok_or(Error::NotFound { what: "That patient" })?;
    let mut stmt =
        conn.prepare_cached(&format!("{STAY_COLUMNS} WHERE s.patient_id = ?1 ORDER BY s.admitted_on, s.id"))?;
    p.stays = stmt.query_map([id], stay_from_row)?.collect::<rusqlite::Result<_>>()?;
    if !access::allowed(ctx.actor.role, Action::ReadClinicalNotes) {
        for s in &mut p.stays {
            s.discharge_summary.clear();
        }
    }
    Ok(p)
}

/// Age in whole years on `today`.
pub fn age_on(today: NaiveDate, birth: Option<NaiveDate>, approx: Option<u8>, noted: Option<NaiveDate>) -> Option<u32> {
    if let Some(b) = birth {
        return today.years_since(b);
    }
    let a = u32::from(approx?);
    let extra = noted.and_then(|n| today.years_since(n)).unwrap_or(0);
    Some(a + extra)
}

/// A page of the register, filtered by a search text (any part of a name in any script,
/// or phone digits) and phase, sorted by name.
pub fn search(conn: &Connection, ctx: &Ctx, q: &PatientQuery) -> Result<PatientPage> {
    ctx.require(Action::ViewRegister)?;
    let limit = q.limit.clamp(1, MAX_PAGE);
    let mut filters: Vec<String> = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if !q.include_archived {
        filters.push("p.archived_at IS NULL".into());
    }
    if let Some(phase) = q.phase {
        args.push(phase.as_str().to_owned().into());
        filters.push(format!("p.phase = ?{}", args.len()));
    }
    let raw = q.text.trim();
    if !raw.is_empty() {
        if let Some(digits) = text::phone_query(raw) {
            if digits.len() >= 3 {
                // The trigram index holds the phone digits too.
                args.push(format!("\"{digits}\"").into());
                filters.push(format!(
                    "p.id IN (SELECT rowid FROM patient_search
                              WHERE patient_search MATCH '{{phone_digits family_phone_digits}} : ' || ?{})",
                    args.len()
                ));
            } else {
                args.push(like_pattern(&digits).into());
                let n = args.len();
                filters.push(format!(
                    "(p.phone_digits LIKE ?{n} ESCAPE '\\' OR p.family_phone_digits LIKE ?{n} ESCAPE '\\')"
                ));
            }
        } else {
            let key = text::search_key(raw);
            if text::char_len(&key) >= 3 {
                // The trigram index answers substrings of three or more characters.
                args.push(format!("\"{}\"", key.replace('"', "\"\"")).into());
                filters.push(format!(
                    "p.id IN (SELECT rowid FROM patient_search WHERE patient_search MATCH 'search_text : ' || ?{})",
                    args.len()
                ));
            } else {
                // One or two letters: names that begin with them (a range of the name
                // index; a substring that short would match half the register anyway).
                args.push(key.clone().into());
                args.push(format!("{key}\u{10FFFF}").into());
                filters.push(format!("p.search_text >= ?{} AND p.search_text < ?{}", args.len() - 1, args.len()));
            }
        }
    }
    let where_sql = if filters.is_empty() { String::new() } else { format!("WHERE {}", filters.join(" AND ")) };
    // Pinned: without a text the planner counts by reading every patient row even after
    // `PRAGMA optimize`; the phase index alone answers it (tests/query_plans.rs fails without).
    let counted =
        if raw.is_empty() && !q.include_archived { "patients p INDEXED BY patients_by_phase" } else { "patients p" };
    let total: u32 = conn.query_row(
        &format!("SELECT count(*) FROM {counted} {where_sql}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT p.id, p.full_name, p.preferred_name, p.gender, p.phase, p.phone, p.archived_at IS NOT NULL,
                (SELECT s.admitted_on FROM stays s WHERE s.patient_id = p.id ORDER BY s.admitted_on DESC, s.id DESC LIMIT 1),
                (SELECT s.discharged_on FROM stays s WHERE s.patient_id = p.id ORDER BY s.admitted_on DESC, s.id DESC LIMIT 1)
         FROM patients p {where_sql}
         ORDER BY p.search_text, p.id
         LIMIT {limit} OFFSET {}",
        q.offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(PatientRow {
                id: r.get(0)?,
                full_name: r.get(1)?,
                preferred_name: r.get(2)?,
                gender: r.get(3)?,
                phase: r.get(4)?,
                phone: r.get(5)?,
                archived: r.get(6)?,
                last_admitted_on: r.get(7)?,
                last_discharged_on: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(PatientPage { rows, total, offset: q.offset, limit })
}

fn like_pattern(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn counts(conn: &Connection, ctx: &Ctx) -> Result<RegisterCounts> {
    ctx.require(Action::ViewRegister)?;
    let mut c = RegisterCounts::default();
    let mut stmt =
        conn.prepare_cached("SELECT phase, count(*) FROM patients WHERE archived_at IS NULL GROUP BY phase")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Phase>(0)?, r.get::<_, u32>(1)?)))?;
    for row in rows {
        let (phase, n) = row?;
        match phase {
            Phase::Inpatient => c.inpatients = n,
            Phase::Aftercare => c.aftercare = n,
            Phase::Alumni => c.alumni = n,
            Phase::Inactive => c.inactive = n,
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Actor;
    use crate::db::Store;

    fn ctx() -> Ctx {
        Ctx::at(Actor::system(), NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
    }

    pub(crate) fn details(name: &str) -> PatientDetails {
        PatientDetails {
            full_name: name.into(),
            preferred_name: String::new(),
            gender: Gender::Male,
            birth_date: None,
            age_years: Some(30),
            phone: "98765 43210".into(),
            family_name: String::new(),
            family_relation: String::new(),
            family_phone: String::new(),
            languages: vec!["Hindi".into()],
            substances: vec![Substance::Alcohol],
            substance_other: String::new(),
        }
    }

    #[test]
    fn validation_messages() {
        let c = ctx();
        let mut d = details("   ");
        assert_eq!(validate(&c, &d).unwrap_err().code(), "name_empty");
        d = details("Ravi");
        d.phone = "98765".into();
        assert_eq!(validate(&c, &d).unwrap_err().code(), "phone_too_short");
        d.phone = "98765abc12".into();
        assert_eq!(validate(&c, &d).unwrap_err().code(), "phone_invalid");
        d = details("Ravi");
        d.birth_date = NaiveDate::from_ymd_opt(2030, 1, 1);
        assert_eq!(validate(&c, &d).unwrap_err().code(), "birth_date_future");
        d.birth_date = NaiveDate::from_ymd_opt(1900, 1, 1);
        assert_eq!(validate(&c, &d).unwrap_err().code(), "birth_date_impossible");
        // On a leap day an ordinary date of birth is fine (it once was refused).
        let leap = Ctx::at(c.actor, NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        d.birth_date = NaiveDate::from_ymd_opt(1990, 6, 15);
        assert!(validate(&leap, &d).is_ok());
        d.birth_date = NaiveDate::from_ymd_opt(1918, 2, 27);
        assert_eq!(validate(&leap, &d).unwrap_err().code(), "birth_date_impossible");
        d = details("Ravi");
        d.age_years = Some(200);
        assert_eq!(validate(&c, &d).unwrap_err().code(), "age_impossible");
    }

    #[test]
    fn age_moves_on_with_the_calendar() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let noted = NaiveDate::from_ymd_opt(2024, 11, 1);
        assert_eq!(age_on(today, None, Some(30), noted), Some(32));
        assert_eq!(age_on(today, NaiveDate::from_ymd_opt(2000, 11, 27), None, None), Some(25));
        assert_eq!(age_on(today, None, None, None), None);
    }

    #[test]
    fn long_searches_find_substrings_short_ones_find_beginnings() {
        let mut s = Store::open_in_memory().unwrap();
        let c = ctx();
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        for n in ["Gurpreet Singh", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "क्षितिज त्रिपाठी", "Preeti Sharma"]
        {
            s.write(|tx| create(tx, &c, &NewPatient { details: details(n), admitted_on: day })).unwrap();
        }
        let find = |t: &str| {
            search(s.conn(), &c, &PatientQuery { text: t.into(), limit: 50, ..Default::default() })
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.full_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(find("pree"), vec!["Gurpreet Singh", "Preeti Sharma"]);
        // One or two letters find names that begin with them (an index range, not a scan).
        assert_eq!(find("PR"), vec!["Preeti Sharma"]);
        assert_eq!(find("ਗੁ"), vec!["ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"]);
        assert_eq!(find("क्षि"), vec!["क्षितिज त्रिपाठी"]);
        assert_eq!(find("ਪ੍ਰੀ"), vec!["ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"]);
        assert_eq!(find("%").len(), 0);
        assert_eq!(find("\"").len(), 0);
        assert_eq!(find("+91 98765-432").len(), 4);
    }
}
