//! The week's printed papers: the aftercare roster (one section per aftercare group
//! session, from the groups module through [`groups_seam`]) and the follow-up call list,
//! as plain data for [`crate::pdf`]. Privacy and the reader's language (every label from
//! [`crate::pdf::labels`]) are applied here, before rendering.
use chrono::{Datelike, Days, NaiveDate};
use rusqlite::{Connection, Transaction};

use super::groups_seam::{self, Session};
use super::worklist::{self, WorklistRow};
use crate::access::Action;
use crate::audit;
use crate::consents::{self, ConsentKind};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::labels::{self as l, Label, date as dmy};
use crate::pdf::{Column, ColumnKind, RosterDoc, Section};
use crate::settings::Language;

fn col(title: Label, lang: Language, width: f32, kind: ColumnKind) -> Column {
    Column { title: title.text(lang).into(), width, kind }
}

/// "Tuesday, 01-12-2026".
fn day_and_date(d: NaiveDate, lang: Language) -> [(&'static str, String); 2] {
    [("day", l::weekday(d.weekday(), lang).to_owned()), ("date", dmy(d))]
}

/// The columns of an aftercare group's attendance table.
pub fn group_columns(lang: Language) -> Vec<Column> {
    vec![
        // Three digits: a busy week's call list runs past 99.
        col(l::COL_NO, lang, 5.5, ColumnKind::Text),
        col(l::COL_NAME, lang, 21.0, ColumnKind::Text),
        // Wide enough for a whole Indian mobile number with its country code
        // ("+91 98410 39210"): a cut number cannot be called.
        col(l::COL_PHONE, lang, 18.0, ColumnKind::Text),
        col(l::COL_LAST_ATTENDED, lang, 12.5, ColumnKind::Text),
        col(l::COL_FOLLOWUP_DUE, lang, 12.5, ColumnKind::Text),
        col(l::COL_PRESENT, lang, 8.0, ColumnKind::TickBox),
        col(l::COL_SIGNATURE, lang, 11.5, ColumnKind::Blank),
    ]
}

fn fill(label: Label, lang: Language, values: &[(&str, String)]) -> String {
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    label.fill(lang, &values)
}

/// The roster section of one aftercare group session: heading (group, day, date, time,
/// room, facilitators; cancelled or moved), and one row per member.
pub fn group_section(s: &Session, privacy: bool, lang: Language) -> Section {
    let [day, date] = day_and_date(s.date, lang);
    let room = s.room.clone().unwrap_or_else(|| "-".into());
    let mut heading = vec![
        s.group.clone(),
        fill(l::SESSION_WHEN, lang, &[day, date, ("time", s.time.clone()), ("room", room)]),
        fill(l::FACILITATORS, lang, &[("names", s.facilitators.join(", "))]),
    ];
    let mut empty_text = l::NO_MEMBERS.text(lang).to_owned();
    if let Some(reason) = &s.cancelled {
        heading[0] = fill(l::CANCELLED_HEADING, lang, &[("group", s.group.clone())]);
        heading.push(if reason.is_empty() {
            l::CANCELLED.text(lang).to_owned()
        } else {
            fill(l::CANCELLED_BECAUSE, lang, &[("reason", reason.clone())])
        });
        empty_text = l::CANCELLED_EMPTY.text(lang).to_owned();
    } else if let Some(from) = s.moved_from {
        heading.push(fill(l::MOVED_FROM, lang, &day_and_date(from, lang)));
    }
    let rows = s
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let private = privacy || !m.consent_roster_name;
            vec![
                (i + 1).to_string(),
                name_for(&m.full_name, &m.preferred_name, private),
                if private { String::new() } else { m.phone.clone() },
                m.last_attended.map(dmy).unwrap_or_default(),
                m.followup_due.map(dmy).unwrap_or_default(),
            ]
        })
        .collect();
    Section { heading, columns: group_columns(lang), rows, empty_text }
}

fn name_for(full: &str, preferred: &str, private: bool) -> String {
    if private { super::private_name(full, preferred) } else { super::display_name(full, preferred) }
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
