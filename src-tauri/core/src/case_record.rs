//! The case record taken at intake: address (with a district from the shipped Census
//! list), how the person came, their circumstances, substance history, earlier treatment
//! and whether legal matters are pending. Each field is optional unless the centre marks
//! it required (Settings); every change is kept in the field history and audited.
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::districts;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::field_history::{self, Field, code, yes_no};
use crate::patients::Substance;
use crate::settings;
use crate::text;

str_enum!(ReferralSource {
    SelfReferred = "self_referred",
    Family = "family",
    Hospital = "hospital",
    CourtPolice = "court_police",
    OtherCentre = "other_centre",
    OutreachCamp = "outreach_camp",
    FormerPatient = "former_patient",
    Other = "other",
});
str_enum!(Occupation {
    Unemployed = "unemployed",
    Student = "student",
    Farmer = "farmer",
    DailyWage = "daily_wage",
    Driver = "driver",
    SkilledWorker = "skilled_worker",
    Business = "business",
    Salaried = "salaried",
    Homemaker = "homemaker",
    Retired = "retired",
    Other = "other",
});
str_enum!(Education {
    None = "none",
    Primary = "primary",
    Middle = "middle",
    Secondary = "secondary",
    HigherSecondary = "higher_secondary",
    Graduate = "graduate",
    Postgraduate = "postgraduate",
});
str_enum!(MaritalStatus {
    NeverMarried = "never_married",
    Married = "married",
    Separated = "separated",
    Divorced = "divorced",
    Widowed = "widowed",
});
str_enum!(LivingWith {
    Family = "family",
    Spouse = "spouse",
    Parents = "parents",
    Alone = "alone",
    Friends = "friends",
    Homeless = "homeless",
    Other = "other",
});
str_enum!(IncomeBand {
    Under5k = "under5k",
    Upto10k = "upto10k",
    Upto25k = "upto25k",
    Upto50k = "upto50k",
    Over50k = "over50k",
});
str_enum!(Route { Oral = "oral", Smoking = "smoking", Sniffing = "sniffing", Injecting = "injecting" });
str_enum!(Frequency { Daily = "daily", Weekly = "weekly", Occasional = "occasional" });
str_enum!(CaseField {
    Address = "address",
    District = "district",
    PinCode = "pin_code",
    ReferralSource = "referral_source",
    Occupation = "occupation",
    Education = "education",
    MaritalStatus = "marital_status",
    LivingWith = "living_with",
    IncomeBand = "income_band",
    SubstanceHistory = "substance_history",
    InjectingLastYear = "injecting_last_year",
    PreviousTreatments = "previous_treatments",
    LegalPending = "legal_pending",
});

/// One substance a person has used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubstanceUse {
    pub substance: Substance,
    pub age_first_use: Option<u8>,
    pub years_of_use: Option<u8>,
    pub route: Option<Route>,
    pub frequency: Option<Frequency>,
}

/// Treatment tried before: where, and the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviousTreatment {
    pub place: String,
    pub year: Option<u16>,
}

/// What staff type into the case record part of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseRecord {
    /// House and street.
    pub address_line: String,
    /// Village or town.
    pub town: String,
    /// Census 2011 codes; a district implies its state.
    pub state_code: Option<u8>,
    pub district_code: Option<u16>,
    pub pin_code: String,
    pub referral_source: Option<ReferralSource>,
    pub occupation: Option<Occupation>,
    pub education: Option<Education>,
    pub marital_status: Option<MaritalStatus>,
    pub living_with: Option<LivingWith>,
    pub income_band: Option<IncomeBand>,
    pub injecting_last_year: Option<bool>,
    pub legal_pending: Option<bool>,
    pub substance_history: Vec<SubstanceUse>,
    pub previous_treatments: Vec<PreviousTreatment>,
}

/// The case record as the profile shows it: the record, its place names in both
/// languages, and what this centre requires.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CaseRecordView {
    pub record: CaseRecord,
    pub state: Option<districts::State>,
    pub district: Option<districts::District>,
    pub required: Vec<CaseField>,
}

const REQUIRED: &str = "case.required";
const MAX_TEXT: usize = 200;
const MAX_ROWS: usize = 12;

/// The fields this centre requires at intake (none unless an administrator chose some).
pub fn required(conn: &Connection) -> Result<Vec<CaseField>> {
    let raw = settings::get_raw(conn, REQUIRED)?.unwrap_or_default();
    Ok(raw.split(',').filter_map(CaseField::parse).collect())
}

pub fn set_required(tx: &Transaction<'_>, ctx: &Ctx, fields: &[CaseField]) -> Result<()> {
    ctx.require(Action::ManageSettings)?;
    let mut fields = fields.to_vec();
    fields.sort();
    fields.dedup();
    let value: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    settings::set_raw(tx, REQUIRED, &value.join(","))?;
    audit::record(tx, ctx, "case_required_changed", entity::SETTINGS, None, &value.join(","))?;
    Ok(())
}

fn missing(r: &CaseRecord, f: CaseField) -> bool {
    match f {
        CaseField::Address => r.address_line.is_empty() && r.town.is_empty(),
        CaseField::District => r.district_code.is_none(),
        CaseField::PinCode => r.pin_code.is_empty(),
        CaseField::ReferralSource => r.referral_source.is_none(),
        CaseField::Occupation => r.occupation.is_none(),
        CaseField::Education => r.education.is_none(),
        CaseField::MaritalStatus => r.marital_status.is_none(),
        CaseField::LivingWith => r.living_with.is_none(),
        CaseField::IncomeBand => r.income_band.is_none(),
        CaseField::SubstanceHistory => r.substance_history.is_empty(),
        CaseField::InjectingLastYear => r.injecting_last_year.is_none(),
        CaseField::PreviousTreatments => r.previous_treatments.is_empty(),
        CaseField::LegalPending => r.legal_pending.is_none(),
    }
}

/// Checks and cleans what was typed, against the centre's required fields.
pub fn validate(conn: &Connection, r: &CaseRecord) -> Result<CaseRecord> {
    let mut r = r.clone();
    r.address_line = text::clean(&r.address_line);
    r.town = text::clean(&r.town);
    r.pin_code = r.pin_code.chars().filter(|c| !c.is_whitespace()).collect();
    for (v, field) in [(&r.address_line, "address_line"), (&r.town, "town")] {
        if text::char_len(v) > MAX_TEXT {
            return Err(Error::invalid("text_too_long", field, "That entry is too long (200 letters at most)."));
        }
    }
    if !r.pin_code.is_empty()
        && (r.pin_code.len() != 6 || !r.pin_code.bytes().all(|b| b.is_ascii_digit()) || r.pin_code.starts_with('0'))
    {
        return Err(Error::invalid("pin_code_invalid", "pin_code", "A PIN code is six digits, not starting with 0."));
    }
    if let Some(code) = r.district_code {
        let d = districts::district(code).ok_or_else(|| {
            Error::invalid("district_unknown", "district", "That district is not in the list.").with("code", code)
        })?;
        r.state_code = Some(d.state_code);
    }
    if let Some(s) = r.state_code
        && !districts::states().iter().any(|x| x.code == s)
    {
        return Err(Error::invalid("state_unknown", "district", "That state is not in the list.").with("code", s));
    }
    if r.substance_history.len() > MAX_ROWS || r.previous_treatments.len() > MAX_ROWS {
        return Err(Error::invalid("too_many_rows", "substance_history", "At most 12 rows.").with("max", MAX_ROWS));
    }
    let mut seen = Vec::new();
    for u in &r.substance_history {
        if seen.contains(&u.substance) {
            return Err(Error::invalid("substance_twice", "substance_history", "Each substance once, please.")
                .with("substance", u.substance.as_str()));
        }
        seen.push(u.substance);
        if u.age_first_use.is_some_and(|a| !(1..=100).contains(&a)) {
            return Err(Error::invalid("age_first_use_impossible", "substance_history", "Age at first use: 1 to 100."));
        }
        if u.years_of_use.is_some_and(|y| y > 100) {
            return Err(Error::invalid("years_of_use_impossible", "substance_history", "Years of use: 0 to 100."));
        }
    }
    let mut treatments = Vec::new();
    for t in &r.previous_treatments {
        let place = text::clean(&t.place);
        if place.is_empty() {
            return Err(Error::invalid("treatment_place_missing", "previous_treatments", "Where was the treatment?"));
        }
        if text::char_len(&place) > MAX_TEXT {
            return Err(Error::invalid("text_too_long", "previous_treatments", "That entry is too long."));
        }
        if t.year.is_some_and(|y| !(1950..=2100).contains(&y)) {
            return Err(Error::invalid("treatment_year_impossible", "previous_treatments", "Please check the year."));
        }
        treatments.push(PreviousTreatment { place, year: t.year });
    }
    r.previous_treatments = treatments;
    for f in required(conn)? {
        if missing(&r, f) {
            return Err(Error::invalid("case_field_required", "case_record", "This centre requires that field.")
                .with("field", f.as_str()));
        }
    }
    Ok(r)
}

/// The record's fields as stored, for the history.
fn fields(r: &CaseRecord) -> Vec<Field> {
    let uses: Vec<String> = r
        .substance_history
        .iter()
        .map(|u| {
            format!(
                "{}:{}:{}:{}:{}",
                u.substance.as_str(),
                u.age_first_use.map(|a| a.to_string()).unwrap_or_default(),
                u.years_of_use.map(|a| a.to_string()).unwrap_or_default(),
                code(u.route, Route::as_str),
                code(u.frequency, Frequency::as_str),
            )
        })
        .collect();
    let treatments: Vec<String> = r
        .previous_treatments
        .iter()
        .map(|t| format!("{}:{}", t.place, t.year.map(|y| y.to_string()).unwrap_or_default()))
        .collect();
    vec![
        ("address_line", r.address_line.clone()),
        ("town", r.town.clone()),
        ("state", r.state_code.map(|c| c.to_string()).unwrap_or_default()),
        ("district", r.district_code.map(|c| c.to_string()).unwrap_or_default()),
        ("pin_code", r.pin_code.clone()),
        ("referral_source", code(r.referral_source, ReferralSource::as_str)),
        ("occupation", code(r.occupation, Occupation::as_str)),
        ("education", code(r.education, Education::as_str)),
        ("marital_status", code(r.marital_status, MaritalStatus::as_str)),
        ("living_with", code(r.living_with, LivingWith::as_str)),
        ("income_band", code(r.income_band, IncomeBand::as_str)),
        ("injecting_last_year", yes_no(r.injecting_last_year)),
        ("legal_pending", yes_no(r.legal_pending)),
        ("substance_history", uses.join("; ")),
        ("previous_treatments", treatments.join("; ")),
    ]
}

/// A person's case record (empty when nothing was recorded yet).
pub fn get(conn: &Connection, patient: i64) -> Result<CaseRecord> {
    let mut r = conn
        .prepare_cached(
            "SELECT address_line, town, state_code, district_code, pin_code, referral_source, occupation, education,
                    marital_status, living_with, income_band, injecting_last_year, legal_pending
             FROM case_records WHERE patient_id = ?1",
        )?
        .query_row([patient], |r| {
            Ok(CaseRecord {
                address_line: r.get(0)?,
                town: r.get(1)?,
                state_code: r.get(2)?,
                district_code: r.get(3)?,
                pin_code: r.get(4)?,
                referral_source: r.get(5)?,
                occupation: r.get(6)?,
                education: r.get(7)?,
                marital_status: r.get(8)?,
                living_with: r.get(9)?,
                income_band: r.get(10)?,
                injecting_last_year: r.get(11)?,
                legal_pending: r.get(12)?,
                substance_history: Vec::new(),
                previous_treatments: Vec::new(),
            })
        })
        .optional()?
        .unwrap_or_default();
    r.substance_history = conn
        .prepare_cached(
            "SELECT substance, age_first_use, years_of_use, route, frequency FROM substance_history
             WHERE patient_id = ?1 ORDER BY position",
        )?
        .query_map([patient], |x| {
            Ok(SubstanceUse {
                substance: x.get(0)?,
                age_first_use: x.get(1)?,
                years_of_use: x.get(2)?,
                route: x.get(3)?,
                frequency: x.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    r.previous_treatments = conn
        .prepare_cached("SELECT place, year FROM previous_treatments WHERE patient_id = ?1 ORDER BY position")?
        .query_map([patient], |x| Ok(PreviousTreatment { place: x.get(0)?, year: x.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(r)
}

/// What the profile and the form show (the form also needs `required` for a new person:
/// patient 0 gives an empty record).
pub fn view(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<CaseRecordView> {
    ctx.require(Action::ViewPatient)?;
    let record = get(conn, patient)?;
    Ok(CaseRecordView {
        state: record.state_code.and_then(|c| districts::states().iter().find(|s| s.code == c).cloned()),
        district: record.district_code.and_then(districts::district).cloned(),
        required: required(conn)?,
        record,
    })
}

/// Saves the case record of a registered person. A change to a record that existed is
/// kept field by field in the history (the first save at intake is the record itself).
pub fn save(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, record: &CaseRecord) -> Result<()> {
    ctx.require(Action::EditPatient)?;
    let exists: bool = tx.query_row("SELECT count(*) FROM patients WHERE id = ?1", [patient], |r| r.get(0))?;
    if !exists {
        return Err(Error::NotFound { what: "That patient" });
    }
    let r = validate(tx, record)?;
    let had: bool = tx.query_row("SELECT count(*) FROM case_records WHERE patient_id = ?1", [patient], |x| x.get(0))?;
    let before = get(tx, patient)?;
    if had && before == r {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO case_records (patient_id, address_line, town, state_code, district_code, pin_code, referral_source,
            occupation, education, marital_status, living_with, income_band, injecting_last_year, legal_pending,
            updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (patient_id) DO UPDATE SET address_line = excluded.address_line, town = excluded.town,
            state_code = excluded.state_code, district_code = excluded.district_code, pin_code = excluded.pin_code,
            referral_source = excluded.referral_source, occupation = excluded.occupation,
            education = excluded.education, marital_status = excluded.marital_status,
            living_with = excluded.living_with, income_band = excluded.income_band,
            injecting_last_year = excluded.injecting_last_year, legal_pending = excluded.legal_pending,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![
            patient,
            r.address_line,
            r.town,
            r.state_code,
            r.district_code,
            r.pin_code,
            r.referral_source,
            r.occupation,
            r.education,
            r.marital_status,
            r.living_with,
            r.income_band,
            r.injecting_last_year,
            r.legal_pending,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    tx.execute("DELETE FROM substance_history WHERE patient_id = ?1", [patient])?;
    let mut add = tx.prepare_cached(
        "INSERT INTO substance_history (patient_id, position, substance, age_first_use, years_of_use, route, frequency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, u) in r.substance_history.iter().enumerate() {
        add.execute(params![patient, i as i64, u.substance, u.age_first_use, u.years_of_use, u.route, u.frequency])?;
    }
    tx.execute("DELETE FROM previous_treatments WHERE patient_id = ?1", [patient])?;
    let mut add = tx.prepare_cached(
        "INSERT INTO previous_treatments (patient_id, position, place, year) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, t) in r.previous_treatments.iter().enumerate() {
        add.execute(params![patient, i as i64, t.place, t.year])?;
    }
    if had {
        field_history::record(tx, ctx, patient, &fields(&before), &fields(&r))?;
    }
    audit::record(
        tx,
        ctx,
        if had { "case_record_changed" } else { "case_record_created" },
        entity::PATIENT,
        Some(patient),
        "",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;
    use crate::patients::{self, Gender, NewPatient, PatientDetails};
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn admin() -> Ctx {
        Ctx::at(Actor { staff_id: None, role: Role::Admin }, day(20))
    }

    fn person(s: &mut Store) -> i64 {
        let c = admin();
        s.write(|tx| {
            patients::create(
                tx,
                &c,
                &NewPatient { details: PatientDetails::new("Gurpreet Singh", Gender::Male), admitted_on: day(1) },
            )
        })
        .unwrap()
    }

    fn amritsar() -> u16 {
        districts::search("amritsar", 1)[0].code
    }

    #[test]
    fn a_record_is_saved_with_its_district_state_and_rows_and_a_later_change_keeps_the_old_value() {
        let mut s = Store::open_in_memory().unwrap();
        let id = person(&mut s);
        let c = admin();
        let mut r = CaseRecord {
            town: " Ajnala ".into(),
            district_code: Some(amritsar()),
            pin_code: "143 102".into(),
            referral_source: Some(ReferralSource::Family),
            substance_history: vec![SubstanceUse {
                substance: Substance::Opioids,
                age_first_use: Some(19),
                years_of_use: Some(6),
                route: Some(Route::Injecting),
                frequency: Some(Frequency::Daily),
            }],
            previous_treatments: vec![PreviousTreatment { place: "Civil Hospital Amritsar".into(), year: Some(2023) }],
            ..CaseRecord::default()
        };
        s.write(|tx| save(tx, &c, id, &r)).unwrap();
        let got = get(s.conn(), id).unwrap();
        assert_eq!(got.town, "Ajnala");
        assert_eq!(got.pin_code, "143102");
        assert_eq!(got.state_code, districts::district(amritsar()).map(|d| d.state_code));
        assert_eq!(got.substance_history, r.substance_history);
        assert!(
            field_history::list(s.conn(), &c, id).unwrap().is_empty(),
            "the first save is the record, not a change"
        );

        r.referral_source = Some(ReferralSource::CourtPolice);
        r.pin_code = "143102".into();
        s.write(|tx| save(tx, &c, id, &r)).unwrap();
        let h = field_history::list(s.conn(), &c, id).unwrap();
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!(
            (h[0].field.as_str(), h[0].old_value.as_str(), h[0].new_value.as_str()),
            ("referral_source", "family", "court_police")
        );
    }

    #[test]
    fn wrong_entries_and_missing_required_fields_are_refused_with_their_codes() {
        let mut s = Store::open_in_memory().unwrap();
        let id = person(&mut s);
        let c = admin();
        let code_of = |e: Error| e.code().to_owned();
        let bad_pin = CaseRecord { pin_code: "01234".into(), ..CaseRecord::default() };
        assert_eq!(code_of(s.write(|tx| save(tx, &c, id, &bad_pin)).unwrap_err()), "pin_code_invalid");
        let bad_district = CaseRecord { district_code: Some(9999), ..CaseRecord::default() };
        assert_eq!(code_of(s.write(|tx| save(tx, &c, id, &bad_district)).unwrap_err()), "district_unknown");
        s.write(|tx| set_required(tx, &c, &[CaseField::District, CaseField::ReferralSource])).unwrap();
        let partial = CaseRecord { district_code: Some(amritsar()), ..CaseRecord::default() };
        let e = s.write(|tx| save(tx, &c, id, &partial)).unwrap_err();
        assert_eq!(e.code(), "case_field_required");
        assert_eq!(e.params().get("field").map(String::as_str), Some("referral_source"));
        let full = CaseRecord { referral_source: Some(ReferralSource::SelfReferred), ..partial };
        s.write(|tx| save(tx, &c, id, &full)).unwrap();
    }
}
