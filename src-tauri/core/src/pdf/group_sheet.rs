//! The printed sheet of one group session, shared by the aftercare roster (one section per
//! aftercare session of the week) and the sign-in sheet of any session: a heading (group,
//! day, date, time, room, facilitators, topic; cancelled or moved) and one row per member
//! expected, with a tick box and a signature column. The sign-in sheet adds blank rows for
//! drop-ins. Privacy and the reader's language are applied here.
use chrono::{Datelike, NaiveDate};

use super::labels::{self as l, Label, date as dmy};
use super::{Column, ColumnKind, Section};
use crate::aftercare::{display_name, private_name};
use crate::groups::sheet::Session;
use crate::settings::Language;

/// Which sheet a section is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// The weekly aftercare roster: each member's next follow-up date is shown.
    Roster,
    /// A sign-in sheet with this many blank rows for drop-ins after the members.
    SignIn { blank_rows: usize },
}

fn col(title: Label, lang: Language, width: f32, kind: ColumnKind) -> Column {
    Column { title: title.text(lang).into(), width, kind }
}

/// "Tuesday", "01-12-2026".
pub fn day_and_date(d: NaiveDate, lang: Language) -> [(&'static str, String); 2] {
    [("day", l::weekday(d.weekday(), lang).to_owned()), ("date", dmy(d))]
}

pub(crate) fn fill(label: Label, lang: Language, values: &[(&str, String)]) -> String {
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    label.fill(lang, &values)
}

/// The columns of a session's attendance table.
pub fn group_columns(lang: Language, sheet: Sheet) -> Vec<Column> {
    let mut cols = vec![
        // Three digits: a busy week's call list runs past 99.
        col(l::COL_NO, lang, 5.5, ColumnKind::Text),
        col(l::COL_NAME, lang, 21.0, ColumnKind::Text),
        // Wide enough for a whole Indian mobile number with its country code
        // ("+91 98410 39210"): a cut number cannot be called.
        col(l::COL_PHONE, lang, 18.0, ColumnKind::Text),
        col(l::COL_LAST_ATTENDED, lang, 12.5, ColumnKind::Text),
    ];
    match sheet {
        Sheet::Roster => {
            cols.push(col(l::COL_FOLLOWUP_DUE, lang, 12.5, ColumnKind::Text));
            cols.push(col(l::COL_PRESENT, lang, 8.0, ColumnKind::TickBox));
            cols.push(col(l::COL_SIGNATURE, lang, 11.5, ColumnKind::Blank));
        }
        Sheet::SignIn { .. } => {
            cols.push(col(l::COL_PRESENT, lang, 8.0, ColumnKind::TickBox));
            cols.push(col(l::COL_SIGNATURE, lang, 24.0, ColumnKind::Blank));
        }
    }
    cols
}

/// A name as printed: first name and initial in privacy mode or without the person's
/// consent to their full name on lists.
pub fn name_for(full: &str, preferred: &str, private: bool) -> String {
    if private { private_name(full, preferred) } else { display_name(full, preferred) }
}

/// The section of one session: heading and one row per member (then blank rows on a
/// sign-in sheet).
pub fn group_section(s: &Session, privacy: bool, lang: Language, sheet: Sheet) -> Section {
    let [day, date] = day_and_date(s.date, lang);
    let room = s.room.clone().unwrap_or_else(|| "-".into());
    let mut heading = vec![
        s.group.clone(),
        fill(l::SESSION_WHEN, lang, &[day, date, ("time", s.time.clone()), ("room", room)]),
        fill(l::FACILITATORS, lang, &[("names", s.facilitators.join(", "))]),
    ];
    if matches!(sheet, Sheet::SignIn { .. }) && !s.topic.trim().is_empty() {
        heading.push(fill(l::TOPIC, lang, &[("topic", s.topic.clone())]));
    }
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
    let mut rows: Vec<Vec<String>> = s
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let private = privacy || !m.consent_roster_name;
            let mut row = vec![
                (i + 1).to_string(),
                name_for(&m.full_name, &m.preferred_name, private),
                if private { String::new() } else { m.phone.clone() },
                m.last_attended.map(dmy).unwrap_or_default(),
            ];
            if sheet == Sheet::Roster {
                row.push(m.followup_due.map(dmy).unwrap_or_default());
            }
            row
        })
        .collect();
    if let Sheet::SignIn { blank_rows } = sheet
        && s.cancelled.is_none()
    {
        let n = rows.len();
        rows.extend((0..blank_rows).map(|i| vec![(n + i + 1).to_string()]));
    }
    Section { heading, columns: group_columns(lang, sheet), rows, empty_text }
}
