//! The week's printed papers: the aftercare roster (one section per aftercare group
//! session, from the groups module through [`groups_seam`]) and the follow-up call list,
//! as plain data for [`crate::pdf`]. Privacy is applied here, before rendering.
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, Transaction};

use super::groups_seam;
use super::worklist::{self, WorklistRow};
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::pdf::{Column, ColumnKind, RosterDoc, Section};

fn dmy(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn col(title: &str, width: f32, kind: ColumnKind) -> Column {
    Column { title: title.into(), width, kind }
}

/// The columns of an aftercare group's attendance table.
pub fn group_columns() -> Vec<Column> {
    vec![
        // Three digits: a busy week's call list runs past 99.
        col("No.", 5.5, ColumnKind::Text),
        col("Name", 21.0, ColumnKind::Text),
        // Wide enough for a whole Indian mobile number with its country code
        // ("+91 98410 39210"): a cut number cannot be called.
        col("Phone", 18.0, ColumnKind::Text),
        col("Last attended", 12.5, ColumnKind::Text),
        col("Follow-up due", 12.5, ColumnKind::Text),
        col("Present", 8.0, ColumnKind::TickBox),
        col("Signature", 11.5, ColumnKind::Blank),
    ]
}

/// One member of a group session, for [`group_section`].
#[derive(Debug, Clone)]
pub struct GroupMember {
    pub full_name: String,
    pub preferred_name: String,
    pub phone: String,
    pub consent_roster_name: bool,
    pub last_attended: Option<NaiveDate>,
    pub followup_due: Option<NaiveDate>,
}

/// A roster section for one aftercare group session (the groups module fills it).
pub fn group_section(
    group: &str,
    date: NaiveDate,
    time: &str,
    room: &str,
    facilitators: &[String],
    members: &[GroupMember],
    privacy: bool,
) -> Section {
    let heading = vec![
        group.to_owned(),
        format!("{}, {}   {}   Room: {}", date.format("%A"), dmy(date), time, room),
        format!("Facilitators: {}", facilitators.join(", ")),
    ];
    let rows = members
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
    Section { heading, columns: group_columns(), rows, empty_text: "No members.".into() }
}

fn name_for(full: &str, preferred: &str, private: bool) -> String {
    if private { super::private_name(full, preferred) } else { super::display_name(full, preferred) }
}

/// This week's follow-up call list: everything due by Sunday (overdue first).
pub fn call_list_section(conn: &Connection, ctx: &Ctx, monday: NaiveDate, privacy: bool) -> Result<Section> {
    let sunday = monday + Days::new(6);
    let rows: Vec<WorklistRow> = worklist::rows_until(conn, ctx, sunday)?;
    let mut consent: rusqlite::CachedStatement<'_> =
        conn.prepare_cached("SELECT consent_roster_name, preferred_name FROM patients WHERE id = ?1")?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (on_roster, preferred): (bool, String) =
            consent.query_row([r.patient_id], |x| Ok((x.get(0)?, x.get(1)?)))?;
        let private = privacy || !on_roster;
        let due = if r.overdue_days > 0 {
            format!("{} (overdue)", r.next_try_on.format("%d-%m"))
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
        heading: vec!["Follow-up calls".into(), format!("Due from {} to {} (and overdue)", dmy(monday), dmy(sunday))],
        columns: vec![
            col("No.", 5.5, ColumnKind::Text),
            col("Name", 21.0, ColumnKind::Text),
            col("Phone", 18.0, ColumnKind::Text),
            col("Last contact", 12.0, ColumnKind::Text),
            col("Due", 16.0, ColumnKind::Text),
            col("Reached", 8.0, ColumnKind::TickBox),
            col("Notes", 10.0, ColumnKind::Blank),
        ],
        rows: out,
        empty_text: "No follow-ups due this week.".into(),
    })
}

/// The whole document for the week holding `week` (Monday–Sunday). `privacy` None uses
/// the centre's setting.
pub fn roster_doc(conn: &Connection, ctx: &Ctx, week: NaiveDate, privacy: Option<bool>) -> Result<RosterDoc> {
    ctx.require(Action::RecordFollowUp)?;
    let privacy = match privacy {
        Some(p) => p,
        None => super::get_settings(conn)?.roster_privacy,
    };
    let monday = worklist::week_start(week);
    let sunday = monday + Days::new(6);
    let centre = crate::settings::get(conn)?.centre_name;
    let printed_by = match ctx.actor.staff_id {
        Some(id) => conn
            .query_row("SELECT full_name FROM staff WHERE id = ?1", [id], |r| r.get::<_, String>(0))
            .unwrap_or_default(),
        None => "Saathi (command line)".into(),
    };
    let mut sections = groups_seam::roster_sections(conn, monday, privacy)?;
    sections.push(call_list_section(conn, ctx, monday, privacy)?);
    Ok(RosterDoc {
        centre,
        title: format!("Aftercare roster and follow-up calls, week {} to {}", dmy(monday), dmy(sunday)),
        printed_on: ctx.now.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string(),
        printed_by,
        page_label: "Page {x} of {y}".into(),
        printed_label: "Printed on {date} by {name}. Confidential: shred after use.".into(),
        note: if privacy {
            "Privacy mode: first names and initials only, no phone numbers.".into()
        } else {
            "Full names and phone numbers (except people who asked to be left off printed lists).".into()
        },
        sections,
    })
}

/// Renders the week's roster to PDF bytes; the printing is audited.
pub fn roster_pdf(tx: &Transaction<'_>, ctx: &Ctx, week: NaiveDate, privacy: Option<bool>) -> Result<Vec<u8>> {
    let doc = roster_doc(tx, ctx, week, privacy)?;
    let bytes = crate::pdf::render(&doc, "(continued)")?;
    audit::record(tx, ctx, "roster_printed", "roster", None, &worklist::week_start(week).to_string())?;
    Ok(bytes)
}
