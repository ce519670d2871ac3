//! The sign-in sheet of any group session: the group, date, time, room, facilitators and
//! topic, the members expected that day (privacy mode unless asked otherwise), blank rows
//! for drop-ins and a signature column, in the layout the aftercare roster's group sheets
//! use ([`crate::pdf::group_sheet`]). A long list runs over pages with its header repeated.
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction};

use super::doc::frame;
use super::labels as rl;
use crate::access::Action;
use crate::audit;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::groups::sheet;
use crate::pdf::RosterDoc;
use crate::pdf::group_sheet::{Sheet, group_section};
use crate::pdf::labels::date as dmy;
use crate::settings::Language;

/// Blank rows printed after the members, for drop-ins to write their names.
pub const BLANK_ROWS: usize = 6;

/// The sheet of `group`'s session(s) on `date`. `privacy` None: privacy mode (first
/// names and initials, no phone numbers); `lang` None: the centre's language.
pub fn sign_in_doc(
    conn: &Connection,
    ctx: &Ctx,
    group: i64,
    date: NaiveDate,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<RosterDoc> {
    ctx.require(Action::ViewGroups)?;
    let sessions = sheet::sessions_on(conn, group, date)?;
    let Some(first) = sessions.first() else {
        return Err(Error::invalid("no_session_that_day", "date", "This group has no session on that day."));
    };
    let privacy = privacy.unwrap_or(true);
    let lang = match lang {
        Some(l) => l,
        None => crate::settings::get(conn)?.language,
    };
    let title = rl::SIGN_IN_TITLE.fill(lang, &[("group", &first.group), ("date", &dmy(date))]);
    let mut doc = frame(conn, ctx, lang, title, privacy)?;
    doc.note = format!("{} {}", doc.note, rl::SIGN_IN_NOTE.text(lang));
    doc.sections =
        sessions.iter().map(|s| group_section(s, privacy, lang, Sheet::SignIn { blank_rows: BLANK_ROWS })).collect();
    Ok(doc)
}

/// Renders the sign-in sheet to PDF bytes; the printing is audited.
pub fn sign_in_pdf(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    group: i64,
    date: NaiveDate,
    privacy: Option<bool>,
    lang: Option<Language>,
) -> Result<Vec<u8>> {
    let doc = sign_in_doc(tx, ctx, group, date, privacy, lang)?;
    let bytes = crate::pdf::render(&doc)?;
    audit::record(tx, ctx, "sign_in_sheet_printed", crate::groups::entity::GROUP, Some(group), &date.to_string())?;
    Ok(bytes)
}
