//! Peer mentorship in the demo centre: about 15 mentors among people long discharged
//! (a few not trained yet or paused), pairs now and in the past (one that ended badly),
//! a couple of exclusions, and about 30 people waiting.
use chrono::{Days, NaiveDate};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rusqlite::Transaction;

use super::pairs::{check, insert_pair};
use super::people::{Current, world};
use super::profiles::read_profile;
use super::suggestions::id_num;
use super::*;
use crate::ctx::{Actor, Ctx};
use crate::error::Result;
use crate::matching;

const LOCALITIES: &[&str] = &["Kharar", "Mohali Phase 7", "Kurali", "Zirakpur", "Ropar", "Chandigarh Sector 22"];
const TIMES: &[&str] = &["evenings", "mornings", "after 4 pm", "weekends", ""];
const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn some_days(rng: &mut impl Rng) -> Vec<String> {
    let n = rng.random_range(1..=4);
    let mut d: Vec<String> = DAYS.choose_multiple(rng, n).map(|s| s.to_string()).collect();
    d.sort_by_key(|x| DAYS.iter().position(|y| y == x));
    d
}

fn ids(tx: &Transaction<'_>, sql: &str) -> Result<Vec<(i64, String)>> {
    let mut stmt = tx.prepare(sql)?;
    Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn generate(
    tx: &Transaction<'_>,
    counsellor: Option<i64>,
    today: NaiveDate,
    rng: &mut impl Rng,
) -> Result<()> {
    let at = |d: NaiveDate| Ctx::at(Actor { staff_id: counsellor, role: crate::Role::Counsellor }, d);
    let now = at(today);
    // Mentors: discharged at least ~7 months ago, not re-admitted; women and men.
    let cutoff = today - Days::new(200);
    let mut candidates: Vec<(i64, String)> = ids(
        tx,
        &format!(
            "SELECT p.id, p.gender FROM patients p
             WHERE p.phase <> 'inpatient' AND p.archived_at IS NULL
               AND (SELECT max(discharged_on) FROM stays s WHERE s.patient_id = p.id) <= '{cutoff}'
             ORDER BY p.id"
        ),
    )?;
    candidates.shuffle(rng);
    let women: Vec<i64> = candidates.iter().filter(|c| c.1 == "female").map(|c| c.0).take(4).collect();
    let men: Vec<i64> = candidates.iter().filter(|c| c.1 != "female").map(|c| c.0).take(15 - women.len()).collect();
    let mentors: Vec<i64> = women.iter().chain(&men).copied().collect();
    for (i, &m) in mentors.iter().enumerate() {
        let discharged: Option<NaiveDate> =
            tx.query_row("SELECT max(discharged_on) FROM stays WHERE patient_id = ?1", [m], |r| r.get(0))?;
        // Recovery since discharge, or a later relapse for a few.
        let mut since = discharged.unwrap_or(today - Days::new(400));
        if i % 7 == 3 {
            since = today - Days::new(rng.random_range(60..170));
        }
        let trained = i % 6 != 5;
        let profile = PeerProfile {
            days: some_days(rng),
            times: TIMES.choose(rng).copied().unwrap_or("").to_owned(),
            locality: LOCALITIES.choose(rng).copied().unwrap_or("Kharar").to_owned(),
            wants_mentor: None,
            preferred_mentor: None,
            is_mentor: true,
            recovery_since: Some(since),
            trained,
            trained_on: trained.then(|| today - Days::new(rng.random_range(20..400))),
            capacity: if i % 4 == 0 { 3 } else { 2 },
            mentor_active: i != 9,
        };
        save_profile(tx, &now, m, &profile)?;
    }

    // Waiting people get a locality and free days (most of them).
    let waiting = ids(
        tx,
        "SELECT p.id, p.gender FROM patients p LEFT JOIN peer_profiles pp ON pp.patient_id = p.id
         WHERE coalesce(pp.is_mentor, 0) = 0 AND p.phase IN ('inpatient', 'aftercare') ORDER BY p.id",
    )?;
    for (id, _) in &waiting {
        if rng.random_bool(0.8) {
            let profile = PeerProfile {
                days: some_days(rng),
                locality: LOCALITIES.choose(rng).copied().unwrap_or("Kharar").to_owned(),
                ..PeerProfile::default()
            };
            save_profile(tx, &now, *id, &profile)?;
        }
    }

    // History: pairs from the last year, ended for different reasons.
    let w = world(tx, today, None, Current::PlacesTaken)?;
    let mut solution = matching::solve(&w.problem);
    solution.pairs.retain(|p| !p.kept);
    let mut made = 0;
    for (k, p) in solution.pairs.iter().enumerate() {
        let (m, e) = (id_num(&p.mentor), id_num(&p.mentee));
        if k < 4 {
            // Past pairs: started months ago, now ended.
            let start = today - Days::new(rng.random_range(200..360));
            let c = check(tx, &at(start), m, e)?;
            let pair = insert_pair(tx, &at(start), m, e, PairMade::Suggested, &c, "")?;
            let end = start + Days::new(rng.random_range(60..150));
            let (reason, note) = match k {
                0 => (EndReason::Conflict, "kept arguing about money"),
                1 => (EndReason::MovedAway, "moved to Ludhiana for work"),
                _ => (EndReason::Completed, "six months done"),
            };
            end_pair(tx, &at(end), pair.id, end, reason, false, note)?;
        } else if made < 7 {
            let start = today - Days::new(rng.random_range(3..60));
            let c = check(tx, &at(start), m, e)?;
            insert_pair(tx, &at(start), m, e, PairMade::Suggested, &c, "")?;
            made += 1;
        }
    }
    // Two known exclusions: relatives, and a quarrel outside the centre.
    let w = world(tx, today, None, Current::PlacesTaken)?;
    let pairs = matching::solve(&w.problem).pairs;
    for (p, (kind, note)) in pairs
        .iter()
        .filter(|p| !p.kept)
        .zip([(ExclusionKind::Relatives, "cousins"), (ExclusionKind::Conflict, "old quarrel in the village")])
    {
        add_exclusion(tx, &now, id_num(&p.mentor), id_num(&p.mentee), kind, note)?;
    }
    // Not everyone wants a mentor in the first days: keep about 30 waiting.
    let w = world(tx, today, None, Current::PlacesTaken)?;
    let mut newest: Vec<(NaiveDate, i64)> = Vec::new();
    for (id, reason) in &w.waiting {
        if *reason == WaitReason::Inpatient {
            let admitted: NaiveDate =
                tx.query_row("SELECT max(admitted_on) FROM stays WHERE patient_id = ?1", [id], |r| r.get(0))?;
            newest.push((admitted, *id));
        }
    }
    newest.sort_by(|a, b| b.cmp(a));
    let extra = w.waiting.len().saturating_sub(30);
    for (_, id) in newest.into_iter().take(extra) {
        let mut profile = read_profile(tx, id)?.unwrap_or_default();
        profile.wants_mentor = Some(false);
        save_profile(tx, &now, id, &profile)?;
    }
    Ok(())
}
