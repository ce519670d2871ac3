//! The attendance tallies (migration 0009) recounted from the marks themselves, for
//! `saathi check`: the triggers keep them, and this says where they do not. Nothing is
//! repaired here; a disagreement is reported.
use rusqlite::Connection;
use serde::Serialize;

use crate::error::Result;

/// Marks by kind: present, late, absent, excused.
pub type Counts = [i64; 4];

/// A tally that is not what the marks add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Disagreement {
    /// A membership window's marks in one month ('YYYY-MM'); a missing tally counts as 0.
    Window { membership_id: i64, month: String, kept: Counts, counted: Counts },
    /// A session's marks "present" or "late".
    Session { session_id: i64, kept: i64, counted: i64 },
}

/// Every tally that disagrees with a fresh count of the marks (none on a sound file).
/// Reads every mark: seconds on a ten-year centre.
pub fn recount(conn: &Connection) -> Result<Vec<Disagreement>> {
    let mut out: Vec<Disagreement> = conn
        .prepare(
            "WITH counted AS (
                 SELECT a.id AS membership_id, substr(s.date, 1, 7) AS month, sum(a.status = 'present') AS present,
                        sum(a.status = 'late') AS late, sum(a.status = 'absent') AS absent,
                        sum(a.status = 'excused') AS excused
                 FROM (SELECT m.id, m.joined_on, m.left_on, a.session_id, a.status FROM group_memberships m
                       JOIN group_attendance a ON a.patient_id = m.patient_id AND a.group_id = m.group_id
                       UNION ALL
                       SELECT m.id, m.joined_on, m.left_on, a.session_id, a.status FROM group_memberships m
                       JOIN group_attendance a ON a.family_member_id = m.family_member_id AND a.group_id = m.group_id
                 ) a JOIN group_sessions s ON s.id = a.session_id
                 WHERE s.cancelled = 0 AND s.held = 'held' AND s.date >= a.joined_on
                   AND (a.left_on IS NULL OR s.date <= a.left_on)
                 GROUP BY 1, 2
             ),
             kept AS (
                 SELECT membership_id, month, present, late, absent, excused FROM group_membership_tallies
                 WHERE present <> 0 OR late <> 0 OR absent <> 0 OR excused <> 0
             )
             SELECT coalesce(k.membership_id, c.membership_id), coalesce(k.month, c.month),
                    coalesce(k.present, 0), coalesce(k.late, 0), coalesce(k.absent, 0), coalesce(k.excused, 0),
                    coalesce(c.present, 0), coalesce(c.late, 0), coalesce(c.absent, 0), coalesce(c.excused, 0)
             FROM kept k FULL JOIN counted c ON c.membership_id = k.membership_id AND c.month = k.month
             WHERE coalesce(k.present, 0) <> coalesce(c.present, 0) OR coalesce(k.late, 0) <> coalesce(c.late, 0)
                OR coalesce(k.absent, 0) <> coalesce(c.absent, 0) OR coalesce(k.excused, 0) <> coalesce(c.excused, 0)
             ORDER BY 1, 2",
        )?
        .query_map([], |r| {
            Ok(Disagreement::Window {
                membership_id: r.get(0)?,
                month: r.get(1)?,
                kept: [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                counted: [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let sessions = conn
        .prepare(
            "WITH counted AS (
                 SELECT session_id, sum(status IN ('present', 'late')) AS attended FROM group_attendance
                 GROUP BY session_id
             )
             SELECT coalesce(k.session_id, c.session_id), coalesce(k.attended, 0), coalesce(c.attended, 0)
             FROM group_session_tallies k FULL JOIN counted c ON c.session_id = k.session_id
             WHERE coalesce(k.attended, 0) <> coalesce(c.attended, 0)
             ORDER BY 1",
        )?
        .query_map([], |r| Ok(Disagreement::Session { session_id: r.get(0)?, kept: r.get(1)?, counted: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    out.extend(sessions);
    Ok(out)
}
