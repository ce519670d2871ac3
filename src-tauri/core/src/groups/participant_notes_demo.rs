//! Demo participant notes (issue 17): on the most recent group sessions that took place,
//! a note on one person present, written and signed by the demo counsellor on the day;
//! one of them with an addendum two days later, and the newest left as a draft.
use chrono::{Days, NaiveDate};
use rusqlite::{Transaction, params};

use super::participant_notes as pn;
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;

// Written without "he" or "she": the demo picks people by record number.
const NOTES: &[&str] = &[
    "Spoke for the first time about drinking at work. Listened to others, stayed till the end.",
    "Restless in the first half; settled after the breathing exercise. Says the cravings are less at night now.",
    "Shared about the fight at home last week. Accepted feedback from the group without arguing.",
    "Quiet today; left early with a headache. To check in tomorrow.",
    "Helped a new member with the step work. Talks of going back to the family shop after discharge.",
];
const ADDENDUM: &str = "Met one to one on the ward: the headache was real, eating and sleeping well. No concern.";
const DRAFT: &str = "Brought up the court date next month. Anxious; to discuss in the individual session.";

/// Seeds the notes; returns how many (signed, with addendum, drafts).
pub fn generate(tx: &Transaction<'_>, counsellor: Option<i64>, today: NaiveDate) -> Result<(u32, u32, u32)> {
    let Some(counsellor) = counsellor else { return Ok((0, 0, 0)) };
    let at = |day: NaiveDate| Ctx::at(Actor { staff_id: Some(counsellor), role: Role::Counsellor }, day);
    // One person present on each of the most recent sessions that took place (before
    // today), the lowest record number first, each person at most once.
    let picks: Vec<(i64, NaiveDate, NaiveDate, i64)> = tx
        .prepare(
            "SELECT s.series_id, s.original_date, s.date,
                    (SELECT min(a.patient_id) FROM group_attendance a WHERE a.session_id = s.id
                       AND a.status = 'present' AND a.patient_id IS NOT NULL)
             FROM group_sessions s
             WHERE s.held = 'held' AND s.cancelled = 0 AND s.date < ?1 AND s.date >= ?2
             ORDER BY s.date DESC, s.start_time DESC, s.id",
        )?
        .query_map(params![today, today - Days::new(14)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<i64>>(3)?))
        })?
        .filter_map(|r| r.map(|(a, b, c, d)| d.map(|d| (a, b, c, d))).transpose())
        .collect::<rusqlite::Result<_>>()?;
    let mut seen = Vec::new();
    let mut counts = (0, 0, 0);
    for (series, original, date, patient) in picks {
        if seen.contains(&patient) {
            continue;
        }
        seen.push(patient);
        let ctx = at(date);
        let k = seen.len() - 1;
        if k == 0 {
            // The newest: a draft not yet signed.
            pn::write(tx, &ctx, series, original, patient, DRAFT)?;
            counts.2 += 1;
            continue;
        }
        let body = NOTES[(k - 1) % NOTES.len()];
        let id = pn::write(tx, &ctx, series, original, patient, body)?;
        pn::sign(tx, &ctx, id)?;
        counts.0 += 1;
        if body == NOTES[3] {
            let later = (date + Days::new(2)).min(today);
            pn::add_addendum(tx, &at(later), id, ADDENDUM)?;
            counts.1 += 1;
        }
        if seen.len() > NOTES.len() {
            break;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use crate::ctx::{Actor, Ctx, Role};
    use crate::db::Store;

    #[test]
    fn the_demo_centre_has_signed_notes_an_addendum_and_a_draft() {
        let mut store = Store::open_in_memory().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        crate::demo::generate(&mut store, today, 7).unwrap();
        let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM participant_notes WHERE signed_at IS NOT NULL"), 5);
        assert_eq!(count("SELECT count(*) FROM participant_notes WHERE signed_at IS NULL"), 1);
        assert_eq!(count("SELECT count(*) FROM participant_note_addenda"), 1);
        // The counsellor sees them on the sheet of a session that has one.
        let (series, on): (i64, chrono::NaiveDate) = store
            .conn()
            .query_row(
                "SELECT s.series_id, s.original_date FROM participant_notes n JOIN group_sessions s ON s.id = n.session_id
                 LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let c = Ctx::at(Actor { staff_id: Some(2), role: Role::Counsellor }, today);
        assert_eq!(super::pn::of_session(store.conn(), &c, series, on).unwrap().len(), 1);
    }
}
