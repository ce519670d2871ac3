//! A register as CSV (one row per entry, a header row of plain English column names),
//! written with the `csv` crate. Choices are stored codes (district as its Census 2011 code
//! beside its English name, referral source, admission basis, discharge type, method,
//! result), so a spreadsheet can group them; dates are YYYY-MM-DD. The same privacy as
//! the printed register applies.
use rusqlite::Transaction;

use super::doc::{choices, district_name, shown_name};
use super::{RegisterRequest, Rows};
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::settings::Language;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The CSV text of a register's rows.
pub fn to_csv(rows: &Rows, privacy: bool) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
    let district = |c: Option<u16>| district_name(c, Language::En);
    match rows {
        Rows::Admissions(rs) => {
            w.write_record([
                "adm_no",
                "admitted_on",
                "patient_no",
                "name",
                "gender",
                "age",
                "phone",
                "district_code",
                "district",
                "referral_source",
                "admission_basis",
                "stay_no",
            ])
            .map_err(bad)?;
            for r in rs {
                let private = privacy || !r.person.consent_name;
                w.write_record([
                    r.serial.to_string(),
                    r.admitted_on.to_string(),
                    r.patient_id.to_string(),
                    shown_name(&r.person, privacy),
                    r.gender.clone(),
                    opt(r.age),
                    if private { String::new() } else { r.phone.clone() },
                    opt(r.district_code),
                    district(r.district_code),
                    r.referral_source.clone().unwrap_or_default(),
                    r.admission_basis.clone(),
                    r.stay_no.to_string(),
                ])
                .map_err(bad)?;
            }
        }
        Rows::Discharges(rs) => {
            w.write_record([
                "adm_no",
                "discharged_on",
                "patient_no",
                "name",
                "admitted_on",
                "days",
                "discharge_type",
                "district_code",
                "district",
            ])
            .map_err(bad)?;
            for r in rs {
                w.write_record([
                    r.serial.to_string(),
                    r.discharged_on.to_string(),
                    r.patient_id.to_string(),
                    shown_name(&r.person, privacy),
                    r.admitted_on.to_string(),
                    (r.discharged_on - r.admitted_on).num_days().to_string(),
                    r.discharge_type.clone(),
                    opt(r.district_code),
                    district(r.district_code),
                ])
                .map_err(bad)?;
            }
        }
        Rows::FollowUps(rs) => {
            w.write_record([
                "serial",
                "on_date",
                "patient_no",
                "name",
                "due_on",
                "method",
                "result",
                "status",
                "counselling",
                "by",
            ])
            .map_err(bad)?;
            for r in rs {
                w.write_record([
                    r.serial.to_string(),
                    r.on_date.to_string(),
                    r.patient_id.to_string(),
                    shown_name(&r.person, privacy),
                    r.due_on.to_string(),
                    r.method.clone(),
                    r.result.clone(),
                    r.status.clone().unwrap_or_default(),
                    opt(r.counselling.map(|c| if c { "yes" } else { "no" })),
                    r.staff.clone(),
                ])
                .map_err(bad)?;
            }
        }
        Rows::Sessions(rs) => {
            w.write_record([
                "serial",
                "date",
                "time",
                "group",
                "group_kind",
                "topic",
                "facilitators",
                "members_expected",
                "present",
                "absent",
                "dropins",
            ])
            .map_err(bad)?;
            for r in rs {
                w.write_record([
                    r.serial.to_string(),
                    r.date.to_string(),
                    r.time.clone(),
                    r.group.clone(),
                    r.group_kind.clone(),
                    r.topic.clone(),
                    r.facilitators.join("; "),
                    r.expected.to_string(),
                    r.present.to_string(),
                    r.absent.to_string(),
                    r.dropins.to_string(),
                ])
                .map_err(bad)?;
            }
        }
        Rows::Certificates(rs) => {
            w.write_record([
                "cert_no",
                "issued_on",
                "patient_no",
                "name",
                "kind",
                "from",
                "to",
                "attended",
                "expected",
                "stay_admitted_on",
                "programme_completed",
                "purpose",
                "prints",
                "issued_by",
            ])
            .map_err(bad)?;
            for r in rs {
                w.write_record([
                    r.serial.to_string(),
                    r.issued_on.to_string(),
                    r.patient_id.to_string(),
                    shown_name(&r.person, privacy),
                    r.kind.clone(),
                    opt(r.from_on),
                    opt(r.to_on),
                    opt(r.attended),
                    opt(r.expected),
                    opt(r.admitted_on),
                    opt(r.programme_completed.map(|c| if c { "yes" } else { "no" })),
                    r.purpose.clone(),
                    r.prints.to_string(),
                    r.issued_by.clone(),
                ])
                .map_err(bad)?;
            }
        }
    }
    w.into_inner().map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
}

/// A register as CSV bytes (checked: role and range); the export is audited.
pub fn register_csv(tx: &Transaction<'_>, ctx: &Ctx, req: &RegisterRequest, privacy: Option<bool>) -> Result<Vec<u8>> {
    let rows = super::rows(tx, ctx, req)?;
    let (privacy, _) = choices(tx, privacy, None)?;
    let bytes = to_csv(&rows, privacy)?;
    audit::record(tx, ctx, "register_exported", "register", None, &super::doc::detail(req))?;
    Ok(bytes)
}

/// The file name a saved register gets: "register-sessions-01-01-2026-to-31-12-2026.csv".
/// Refuses a CSV target that is not a full file path ending in .csv.
pub fn check_path(path: &std::path::Path) -> Result<()> {
    if crate::files::is_csv_path(path) {
        return Ok(());
    }
    Err(Error::invalid("csv_name", "path", "Please choose a full file name ending in .csv."))
}

pub fn file_name(req: &RegisterRequest, ext: &str) -> String {
    format!(
        "register-{}-{}-to-{}.{ext}",
        req.kind.as_str().replace('_', "-"),
        req.from.format("%d-%m-%Y"),
        req.to.format("%d-%m-%Y")
    )
}
