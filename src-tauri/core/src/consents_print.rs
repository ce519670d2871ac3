//! The consent form a person signs (issue 16): English and Hindi on the same page, filled
//! in with the person's name, record number, age and admission date and the family member
//! on record, printed as a centre's copy and a patient's copy. Printing it is audited.
use rusqlite::Transaction;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::consents::ConsentKind;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::patients;
use crate::pdf::consent_form::{self, ConsentFormDoc, ConsentFormItem};
use crate::pdf::labels;

/// The form's facts for a person: every kind of consent asked, in the order of the form.
pub fn form_doc(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<ConsentFormDoc> {
    ctx.require(Action::EditPatient)?;
    let p = patients::get(tx, ctx, patient_id)?;
    let settings = crate::settings::get(tx)?;
    let d = &p.details;
    let family = match (d.family_name.trim(), d.family_relation.trim()) {
        ("", _) => String::new(),
        (name, "") => name.to_owned(),
        (name, relation) => format!("{name} ({relation})"),
    };
    let items = ConsentKind::ALL
        .iter()
        .map(|&kind| ConsentFormItem {
            kind,
            detail: if kind == ConsentKind::FamilyContact { family.clone() } else { String::new() },
        })
        .collect();
    let printed_by = match ctx.actor.staff_id {
        Some(id) => crate::staff::get(tx, id)?.full_name,
        None => labels::PRINTED_BY_COMMAND_LINE.en.to_owned(),
    };
    Ok(ConsentFormDoc {
        centre_name: settings.centre_name,
        centre_address: settings.centre_address,
        centre_phone: settings.centre_phone,
        person_name: d.full_name.clone(),
        record_number: p.id.to_string(),
        age: p.age.map(|a| a.to_string()).unwrap_or_default(),
        admitted_on: p.stays.last().map(|s| labels::date(s.admitted_on)).unwrap_or_default(),
        items,
        printed_on: labels::date(ctx.today),
        printed_by,
        seal: crate::anchor::head(tx)?.map(|h| h.printed()).unwrap_or_default(),
    })
}

/// The form as PDF bytes; the printing is audited (the person's id, nothing else).
pub fn form_pdf(tx: &Transaction<'_>, ctx: &Ctx, patient_id: i64) -> Result<Vec<u8>> {
    let doc = form_doc(tx, ctx, patient_id)?;
    let bytes = consent_form::render(&doc)?;
    audit::record(tx, ctx, "consent_form_printed", entity::PATIENT, Some(patient_id), "")?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{Actor, Role};
    use crate::db::Store;
    use crate::patients::{Gender, NewPatient, PatientDetails};

    #[test]
    fn the_form_is_filled_in_from_the_record_and_its_printing_audited() {
        let mut store = Store::open_in_memory().unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let desk = Ctx::at(Actor { staff_id: None, role: Role::FrontDesk }, on);
        let details = PatientDetails {
            family_name: "सुनीता त्रिपाठी".into(),
            family_relation: "पत्नी".into(),
            age_years: Some(41),
            ..PatientDetails::new("क्षितिज त्रिपाठी", Gender::Male)
        };
        let id = store.write(|tx| patients::create(tx, &desk, &NewPatient { details, admitted_on: on })).unwrap();
        let doc = store.write(|tx| form_doc(tx, &desk, id)).unwrap();
        assert_eq!(
            (doc.person_name.as_str(), doc.age.as_str(), doc.admitted_on.as_str()),
            ("क्षितिज त्रिपाठी", "41", "20-11-2026")
        );
        assert_eq!(doc.items.len(), ConsentKind::ALL.len());
        let family = doc.items.iter().find(|i| i.kind == ConsentKind::FamilyContact).map(|i| i.detail.as_str());
        assert_eq!(family, Some("सुनीता त्रिपाठी (पत्नी)"));
        let bytes = store.write(|tx| form_pdf(tx, &desk, id)).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let printed: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'consent_form_printed' AND entity_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(printed, 1);
    }
}
