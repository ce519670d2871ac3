//! SEAM: what aftercare needs from group attendance (groups module, issue 4).
//!
//! The groups module is built in parallel and is not available here yet. Until the lead
//! wires these functions to the groups' sessions and attendance tables they answer
//! "nothing known": no last attendance, no missed sessions, no group sections on the
//! roster. Every caller already handles those answers, so wiring them is the only change.
use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;
use crate::pdf::Section;

/// The date of the person's last attended aftercare group session.
/// TODO(groups): SELECT max(session date) over attendance 'attended'/'late' in aftercare groups.
pub fn last_aftercare_attendance(_conn: &Connection, _patient: i64) -> Result<Option<NaiveDate>> {
    Ok(None)
}

/// Aftercare sessions missed in a row (as a member at the time), newest backwards, with a
/// key naming the latest missed session (so an acknowledged alert comes back only when a
/// new session is missed). `None` when nothing is known.
/// TODO(groups): count 'did not attend' from the latest session backwards, stop at 'attended'.
pub fn missed_aftercare_in_row(_conn: &Connection, _patient: i64) -> Result<Option<(u32, String)>> {
    Ok(None)
}

/// One roster section per aftercare group session in the week starting `monday`: heading
/// lines (group, day, date, time, room, facilitators) and one row per member.
/// TODO(groups): build from sessions + members; see `roster::group_section` for the layout.
pub fn roster_sections(_conn: &Connection, _monday: NaiveDate, _privacy: bool) -> Result<Vec<Section>> {
    Ok(Vec::new())
}
