//! The week's printed papers: the aftercare roster (one section per aftercare group
//! session, from the groups module through [`groups_seam`]) and the follow-up call list,
//! as plain data for [`crate::pdf`]. Privacy and the reader's language (every label from
//! [`crate::pdf::labels`]) are applied here, before rendering.
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, Transaction};

use super::groups_seam::{self, Session};
use super::worklist::{self, WorklistRow};
use crate::access::Action;
use crate::audit;
use crate::consents::{self, ConsentKind};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::group_sheet::{self, Sheet, fill, name_for};
use crate::pdf::labels::{self as l, Label, date as dmy};
use crate::pdf::{Column, ColumnKind, RosterDoc, Section};
use crate::settings::Language;

fn col(title: Label, lang: Language, width: f32, kind: ColumnKind) -> Column {
    Column { title: title.text(lang).into(), width, kind }
}

/// The roster section of one aftercare group session (the layout every session sheet
/// shares: [`crate::pdf::group_sheet`]).
pub fn group_section(s: &Session, privacy: bool, lang: Language) -> Section {
    group_sheet::group_section(s, privacy, lang, Sheet::Roster)
}

/// This week's follow-up call list: everything due by Sunday (overdue first).
pub fn call_list_section(
    conn: &Connection,
    ctx: &Ctx,
    monday: NaiveDate,
    privacy: bool,
    lang: Language,
) -> Result<Section> {
    let sunday = monday + Days::new(6);
    // The call list: only people who agree to be phoned (a withdrawal takes them off at once).
    let rows: Vec<WorklistRow> =
        worklist::rows_until(conn, ctx, sunday)?.into_iter().filter(|r| r.consent_phone).collect();
    let mut consent: rusqlite::CachedStatement<'_> = conn.prepare_cached(&format!(
        "SELECT {}, preferred_name FROM patients WHERE id = ?1",
        consents::now_sql("patients.id", ConsentKind::FullNameOnLists)
    ))?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (on_roster, preferred): (bool, String) =
            consent.query_row([r.patient_id], |x| Ok((x.get(0)?, x.get(1)?)))?;
        let private = privacy || !on_roster;
        let due = if r.overdue_days > 0 {
            fill(l::OVERDUE, lang, &[("date", r.next_try_on.format("%d-%m").to_string())])
        } else {
            dmy(r.next_try_on)
        };
        out.push(vec![
            (i + 1).to_string(),
            name_for(&r.full_name, &preferred, private),
            if private || !r.consent_phone { String::new() } else { r.phone.clone() },
            r.last_contact_on.map(dmy).unwrap_or_default(),
            due,
        ]);
    }
    Ok(Section {
        heading: vec![
            l::CALLS.text(lang).to_owned(),
            fill(l::CALLS_DUE, lang, &[("from", dmy(monday)), ("to", dmy(sunday))]),
        ],
        columns: vec![
            col(l::COL_NO, lang, 5.5, ColumnKind::Text),
            col(l::COL_NAME, lang, 21.0, ColumnKind::Text),
            col(l::COL_PHONE, lang, 18.0, ColumnKind::Text),
            col(l::COL_LAST_CONTACT, lang, 12.0, ColumnKind::Text),
            col(l::COL_DUE, lang, 16.0, ColumnKind::Text),
            col(l::COL_REACHED, lang, 8.0, ColumnKind::TickBox),
            col(l::COL_NOTES, lang, 10.0, ColumnKind::Blank),
        ],
        rows: out,
        empty_text: l::NO_CALLS.text(lang).to_owned(),
    })
}

/// The whole document for the week holding `week` (Monday–Sunday). `privacy` None uses
/// the centre's setting, and so does `lang` None (the language of every label).
pub fn roster_doc(
    conn: &Connection,
    ctx: &Ctx,
    week: NaiveDate,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<RosterDoc> {
    ctx.require(Action::RecordFollowUp)?;
    let privacy = match privacy {
        Some(p) => p,
        None => super::get_settings(conn)?.roster_privacy,
    };
    let settings = crate::settings::get(conn)?;
    let lang = lang.unwrap_or(settings.language);
    let monday = worklist::week_start(week);
    let sunday = monday + Days::new(6);
    let printed_by = match ctx.actor.staff_id {
        Some(id) => conn
            .query_row("SELECT full_name FROM staff WHERE id = ?1", [id], |r| r.get::<_, String>(0))
            .unwrap_or_default(),
        None => l::PRINTED_BY_COMMAND_LINE.text(lang).into(),
    };
    let seal = crate::anchor::head(conn)?.map(|h| l::SEAL.fill(lang, &[("seal", &h.printed())])).unwrap_or_default();
    let mut sections: Vec<Section> =
        groups_seam::week_sessions(conn, monday)?.iter().map(|s| group_section(s, privacy, lang)).collect();
    sections.push(call_list_section(conn, ctx, monday, privacy, lang)?);
    Ok(RosterDoc {
        centre: settings.centre_name,
        title: fill(l::TITLE, lang, &[("from", dmy(monday)), ("to", dmy(sunday))]),
        printed_on: ctx.now.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string(),
        printed_by,
        page_label: l::PAGE.text(lang).into(),
        printed_label: l::PRINTED.text(lang).into(),
        seal,
        continued: l::CONTINUED.text(lang).into(),
        note: if privacy { l::NOTE_PRIVATE } else { l::NOTE_FULL }.text(lang).into(),
        sections,
    })
}

/// Renders the week's roster to PDF bytes; the printing is audited.
pub fn roster_pdf(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    week: NaiveDate,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<Vec<u8>> {
    let doc = roster_doc(tx, ctx, week, privacy, lang)?;
    let bytes = crate::pdf::render(&doc)?;
    audit::record(tx, ctx, "roster_printed", "roster", None, &worklist::week_start(week).to_string())?;
    Ok(bytes)
}
