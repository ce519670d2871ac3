//! A register as a printed document: the centre's header, the register's title and range,
//! the privacy note, one table row per entry (header row repeated on every page), "page x
//! of y", who printed it and the audit seal ([`crate::pdf::RosterDoc`]).
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};

use super::labels::{self as rl, code};
use super::{Named, RegisterKind, RegisterRequest, Rows};
use crate::audit;
use crate::ctx::Ctx;
use crate::districts;
use crate::error::Result;
use crate::pdf::case_labels::coded;
use crate::pdf::group_sheet::name_for;
use crate::pdf::labels::{self as l, Label, date as dmy};
use crate::pdf::{Column, ColumnKind, RosterDoc, Section};
use crate::settings::Language;

fn col(title: Label, lang: Language, width: f32) -> Column {
    Column { title: title.text(lang).into(), width, kind: ColumnKind::Text }
}

/// The name as printed: privacy mode, or no consent to a full name on lists, gives the
/// first name and initial.
pub fn shown_name(p: &Named, privacy: bool) -> String {
    name_for(&p.full_name, &p.preferred_name, privacy || !p.consent_name)
}

/// A district's name in the reader's language (English where no Hindi name is listed).
pub fn district_name(code: Option<u16>, lang: Language) -> String {
    match code.and_then(districts::district) {
        Some(d) if lang == Language::Hi && !d.hi.is_empty() => d.hi.clone(),
        Some(d) => d.en.clone(),
        None => String::new(),
    }
}

/// The header, footer and notes every printed list shares: centre, who prints, the audit
/// seal, the privacy note.
pub fn frame(conn: &Connection, ctx: &Ctx, lang: Language, title: String, privacy: bool) -> Result<RosterDoc> {
    let settings = crate::settings::get(conn)?;
    let printed_by = match ctx.actor.staff_id {
        Some(id) => conn
            .query_row("SELECT full_name FROM staff WHERE id = ?1", [id], |r| r.get::<_, String>(0))
            .unwrap_or_default(),
        None => l::PRINTED_BY_COMMAND_LINE.text(lang).into(),
    };
    let seal = crate::anchor::head(conn)?.map(|h| l::SEAL.fill(lang, &[("seal", &h.printed())])).unwrap_or_default();
    let centre = if settings.centre_address.trim().is_empty() {
        settings.centre_name
    } else {
        format!("{} · {}", settings.centre_name, settings.centre_address.trim())
    };
    Ok(RosterDoc {
        centre,
        title,
        printed_on: ctx.now.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string(),
        printed_by,
        page_label: l::PAGE.text(lang).into(),
        printed_label: l::PRINTED.text(lang).into(),
        seal,
        continued: l::CONTINUED.text(lang).into(),
        note: if privacy { l::NOTE_PRIVATE } else { l::NOTE_FULL }.text(lang).into(),
        sections: Vec::new(),
    })
}

fn range(label: Label, lang: Language, from: NaiveDate, to: NaiveDate) -> String {
    label.fill(lang, &[("from", &dmy(from)), ("to", &dmy(to))])
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(dmy).unwrap_or_default()
}

/// The register's one section (its table) from its rows.
pub fn section(rows: &Rows, privacy: bool, lang: Language) -> Section {
    let (heading, columns, cells): (Label, Vec<Column>, Vec<Vec<String>>) = match rows {
        Rows::Admissions(rs) => (
            rl::H_ADMISSIONS,
            vec![
                col(rl::COL_ADM_NO, lang, 6.5),
                col(rl::COL_DATE, lang, 12.5),
                col(l::COL_NAME, lang, 19.0),
                col(rl::COL_SEX_AGE, lang, 8.0),
                col(rl::COL_DISTRICT, lang, 14.0),
                col(rl::COL_REFERRED, lang, 15.0),
                col(rl::COL_BASIS, lang, 12.0),
                col(rl::COL_STAY, lang, 11.0),
            ],
            rs.iter()
                .map(|r| {
                    vec![
                        r.serial.to_string(),
                        dmy(r.admitted_on),
                        shown_name(&r.person, privacy),
                        format!("{}/{}", code(lang, &r.gender), r.age.map(|a| a.to_string()).unwrap_or_default()),
                        district_name(r.district_code, lang),
                        coded(lang, "referral", r.referral_source.as_deref()),
                        code(lang, &r.admission_basis),
                        if r.stay_no <= 1 {
                            rl::STAY_NEW.text(lang).to_owned()
                        } else {
                            rl::STAY_AGAIN.fill(lang, &[("n", &r.stay_no.to_string())])
                        },
                    ]
                })
                .collect(),
        ),
        Rows::Discharges(rs) => (
            rl::H_DISCHARGES,
            vec![
                col(rl::COL_ADM_NO, lang, 7.0),
                col(rl::COL_DATE, lang, 12.5),
                col(l::COL_NAME, lang, 20.0),
                col(rl::COL_ADMITTED, lang, 12.5),
                col(rl::COL_DAYS, lang, 6.0),
                col(rl::COL_DISCHARGE_TYPE, lang, 15.0),
                col(rl::COL_DISTRICT, lang, 14.0),
            ],
            rs.iter()
                .map(|r| {
                    vec![
                        r.serial.to_string(),
                        dmy(r.discharged_on),
                        shown_name(&r.person, privacy),
                        dmy(r.admitted_on),
                        (r.discharged_on - r.admitted_on).num_days().to_string(),
                        code(lang, &r.discharge_type),
                        district_name(r.district_code, lang),
                    ]
                })
                .collect(),
        ),
        Rows::FollowUps(rs) => (
            rl::H_FOLLOW_UPS,
            vec![
                col(rl::COL_SERIAL, lang, 7.0),
                col(rl::COL_DATE, lang, 12.5),
                col(l::COL_NAME, lang, 17.0),
                col(rl::COL_DUE, lang, 12.5),
                col(rl::COL_METHOD, lang, 9.0),
                col(rl::COL_RESULT, lang, 12.5),
                col(rl::COL_STATUS, lang, 9.5),
                col(rl::COL_COUNSELLING, lang, 7.0),
                col(rl::COL_BY, lang, 13.0),
            ],
            rs.iter()
                .map(|r| {
                    vec![
                        r.serial.to_string(),
                        dmy(r.on_date),
                        shown_name(&r.person, privacy),
                        dmy(r.due_on),
                        code(lang, &r.method),
                        code(lang, &r.result),
                        r.status.as_deref().map(|s| code(lang, s)).unwrap_or_default(),
                        match r.counselling {
                            Some(true) => rl::YES.text(lang).to_owned(),
                            Some(false) => rl::NO.text(lang).to_owned(),
                            None => String::new(),
                        },
                        r.staff.clone(),
                    ]
                })
                .collect(),
        ),
        Rows::Sessions(rs) => (
            rl::H_SESSIONS,
            vec![
                col(rl::COL_SERIAL, lang, 6.5),
                col(rl::COL_DATE, lang, 12.5),
                col(rl::COL_TIME, lang, 7.5),
                col(rl::COL_GROUP, lang, 18.0),
                col(rl::COL_TOPIC, lang, 17.0),
                col(rl::COL_FACILITATOR, lang, 15.0),
                col(rl::COL_EXPECTED, lang, 4.0),
                col(rl::COL_PRESENT, lang, 4.0),
                col(rl::COL_ABSENT, lang, 4.0),
                col(rl::COL_DROPINS, lang, 4.0),
            ],
            rs.iter()
                .map(|r| {
                    vec![
                        r.serial.to_string(),
                        dmy(r.date),
                        // The start; the register reads by day.
                        r.time.split('-').next().unwrap_or_default().to_owned(),
                        r.group.clone(),
                        r.topic.clone(),
                        r.facilitators.join(", "),
                        r.expected.to_string(),
                        r.present.to_string(),
                        r.absent.to_string(),
                        r.dropins.to_string(),
                    ]
                })
                .collect(),
        ),
        Rows::Certificates(rs) => (
            rl::H_CERTIFICATES,
            vec![
                col(rl::COL_CERT_NO, lang, 7.0),
                col(rl::COL_DATE, lang, 12.5),
                col(l::COL_NAME, lang, 16.0),
                col(rl::COL_KIND, lang, 10.0),
                col(rl::COL_DETAILS, lang, 30.0),
                col(rl::COL_PURPOSE, lang, 10.0),
                col(rl::COL_PRINTS, lang, 14.0),
            ],
            rs.iter()
                .map(|r| {
                    let details = if r.kind == "attendance" {
                        rl::ATTENDED.fill(
                            lang,
                            &[
                                ("from", &opt_date(r.from_on)),
                                ("to", &opt_date(r.to_on)),
                                ("attended", &r.attended.unwrap_or(0).to_string()),
                                ("expected", &r.expected.unwrap_or(0).to_string()),
                            ],
                        )
                    } else {
                        let done = if r.programme_completed == Some(true) { rl::STAY_DONE } else { rl::STAY_NOT_DONE };
                        done.fill(lang, &[("from", &opt_date(r.admitted_on))])
                    };
                    let prints = match r.prints {
                        0 => rl::PRINTS_NONE.text(lang).to_owned(),
                        1 => rl::PRINTS_ORIGINAL.text(lang).to_owned(),
                        n => rl::PRINTS_DUPLICATES.fill(lang, &[("n", &(n - 1).to_string())]),
                    };
                    vec![
                        r.serial.to_string(),
                        dmy(r.issued_on),
                        shown_name(&r.person, privacy),
                        code(lang, &r.kind),
                        details,
                        r.purpose.clone(),
                        prints,
                    ]
                })
                .collect(),
        ),
    };
    let mut lines = vec![heading.text(lang).to_owned(), rl::ENTRIES.fill(lang, &[("n", &cells.len().to_string())])];
    if matches!(rows, Rows::Sessions(_)) {
        lines.push(rl::SESSIONS_LEGEND.text(lang).to_owned());
    }
    Section { heading: lines, columns, rows: cells, empty_text: rl::NO_ENTRIES.text(lang).to_owned() }
}

/// The title of a register over a range.
pub fn title(kind: RegisterKind, from: NaiveDate, to: NaiveDate, lang: Language) -> String {
    let label = match kind {
        RegisterKind::Admissions => rl::T_ADMISSIONS,
        RegisterKind::Discharges => rl::T_DISCHARGES,
        RegisterKind::FollowUps => rl::T_FOLLOW_UPS,
        RegisterKind::Sessions => rl::T_SESSIONS,
        RegisterKind::Certificates => rl::T_CERTIFICATES,
    };
    range(label, lang, from, to)
}

/// Privacy and language as asked, else the centre's settings (the roster's privacy
/// setting; the window's language).
pub fn choices(conn: &Connection, privacy: Option<bool>, lang: Option<Language>) -> Result<(bool, Language)> {
    let privacy = match privacy {
        Some(p) => p,
        None => crate::aftercare::get_settings(conn)?.roster_privacy,
    };
    Ok((privacy, crate::settings::print_language(conn, lang)?))
}

/// The whole document of one register (checked: role and range).
pub fn register_doc(
    conn: &Connection,
    ctx: &Ctx,
    req: &RegisterRequest,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<RosterDoc> {
    let rows = super::rows(conn, ctx, req)?;
    let (privacy, lang) = choices(conn, privacy, lang)?;
    let mut doc = frame(conn, ctx, lang, title(req.kind, req.from, req.to, lang), privacy)?;
    doc.sections.push(section(&rows, privacy, lang));
    Ok(doc)
}

/// Renders a register to PDF bytes; the printing is audited.
pub fn register_pdf(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    req: &RegisterRequest,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<Vec<u8>> {
    let doc = register_doc(tx, ctx, req, privacy, lang)?;
    let bytes = crate::pdf::render(&doc)?;
    audit::record(tx, ctx, "register_printed", "register", None, &detail(req))?;
    Ok(bytes)
}

/// "sessions 2026-01-01..2026-12-31", for the audit log.
pub(crate) fn detail(req: &RegisterRequest) -> String {
    format!("{} {}..{}", req.kind.as_str(), req.from, req.to)
}
