//! A restore keeps the history (issue 15): the audit entries that the live database made
//! after the backup was taken are read before it is replaced and appended to the restored
//! one, marked as carried ([`crate::audit::record_carried`]).
//!
//! A backup's trail is the live trail as it was when the backup was made, so the two agree
//! from the first entry up to some entry and, since each seal covers every entry before
//! it, never again after it: where they part is found by comparing seals (a binary
//! search). A backup from another centre shares no entry with the live trail; then
//! nothing is carried (the live database is kept whole in the safety copy either way).
use rusqlite::{Connection, OptionalExtension};

use crate::audit::ForeignEntry;
use crate::error::Result;

fn seal_at(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT hash FROM audit_log WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
}

fn newest(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| r.get(0))?)
}

/// The last entry number at which the two trails hold the same seal (0: none).
fn parting(live: &Connection, copy: &Connection) -> Result<i64> {
    let (mut agree, mut differ) = (0, newest(live)?.min(newest(copy)?) + 1);
    while differ - agree > 1 {
        let mid = agree + (differ - agree) / 2;
        match (seal_at(live, mid)?, seal_at(copy, mid)?) {
            (Some(a), Some(b)) if a == b => agree = mid,
            _ => differ = mid,
        }
    }
    Ok(agree)
}

/// The entries of `live`'s trail after the point where `copy`'s trail (the backup being
/// restored) parts from it, oldest first; none when the two share no entry.
pub(super) fn entries_after(live: &Connection, copy: &Connection) -> Result<Vec<ForeignEntry>> {
    // A backup from before the audit trail existed (schema 1) shares none of it.
    let has_trail =
        copy.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'")?.exists([])?;
    let from = if has_trail { parting(live, copy)? } else { 0 };
    if from == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = live.prepare(
        "SELECT id, at, coalesce(staff_id, carried_staff), action, entity, entity_id, detail
         FROM audit_log WHERE id > ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([from], |r| {
        Ok(ForeignEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            staff_id: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
