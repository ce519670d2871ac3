//! The demo centre's counselling sessions and outreach log, deterministic (its own seed),
//! so that the statistics of any recent month are not zero: about one session every
//! ten days for each stay of the last four months (one in four with the family), and two
//! to four outreach activities a month over the last year, in the Punjab districts.
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rusqlite::Transaction;

use crate::counselling::{self, CounsellingInput, CounsellingKind};
use crate::ctx::{Actor, Ctx, Role};
use crate::error::Result;
use crate::outreach::{self, OutreachInput, OutreachKind};

const NOTES: &[&str] = &[
    "Talked about cravings in the evenings and what helps.",
    "Worked on a plan for the first week at home.",
    "Spoke about sleep and the daily routine.",
    "Went over triggers at work and with friends.",
    "Feeling low; agreed to talk again in three days.",
];
const FAMILY_NOTES: &[&str] =
    &["Family session: expectations at home after discharge.", "Family session: how to respond to a lapse."];
const PLACES: &[(OutreachKind, &str)] = &[
    (OutreachKind::School, "Government Senior Secondary School"),
    (OutreachKind::College, "Khalsa College, NSS unit"),
    (OutreachKind::Community, "Gram panchayat meeting"),
    (OutreachKind::Workplace, "Truck union office"),
    (OutreachKind::Camp, "Free health camp at the gurdwara"),
    (OutreachKind::Media, "Community radio talk"),
    (OutreachKind::Community, "Mahila mandal meeting"),
];

pub fn generate(tx: &Transaction<'_>, today: NaiveDate, seed: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57A7_5EED);
    let counsellor: Option<i64> =
        tx.query_row("SELECT id FROM staff WHERE role = 'counsellor' ORDER BY id LIMIT 1", [], |r| r.get(0)).ok();
    let since = today - Days::new(120);
    let stays: Vec<(i64, NaiveDate, Option<NaiveDate>)> = {
        let mut stmt = tx.prepare(
            "SELECT patient_id, admitted_on, discharged_on FROM stays
             WHERE discharged_on IS NULL OR discharged_on >= ?1 ORDER BY id",
        )?;
        stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
    };
    for (patient, admitted, discharged) in stays {
        let mut on = admitted.max(since) + Days::new(rng.random_range(2..8));
        let last = discharged.unwrap_or(today).min(today);
        while on <= last {
            let family = rng.random_bool(0.25);
            let note = if family { FAMILY_NOTES.choose(&mut rng) } else { NOTES.choose(&mut rng) };
            let input = CounsellingInput {
                on_date: on,
                kind: if family { CounsellingKind::Family } else { CounsellingKind::Individual },
                duration_min: if rng.random_bool(0.8) {
                    Some(*[30, 45, 60].choose(&mut rng).unwrap_or(&45))
                } else {
                    None
                },
                note: note.copied().unwrap_or_default().to_owned(),
            };
            let ctx = Ctx::at(Actor { staff_id: counsellor, role: Role::Counsellor }, on);
            counselling::record(tx, &ctx, patient, &input)?;
            on = on + Days::new(rng.random_range(7..14));
        }
    }
    let districts = crate::districts::of_state(3);
    let front_desk: Option<i64> =
        tx.query_row("SELECT id FROM staff WHERE role = 'front_desk' ORDER BY id LIMIT 1", [], |r| r.get(0)).ok();
    for month in 0..12u64 {
        for _ in 0..rng.random_range(2..5) {
            let on = today - Days::new(month * 30 + rng.random_range(0..30));
            let (kind, place) = PLACES.choose(&mut rng).copied().unwrap_or(PLACES[0]);
            let input = OutreachInput {
                on_date: on,
                kind,
                place: place.to_owned(),
                district_code: if rng.random_bool(0.85) { districts.choose(&mut rng).map(|d| d.code) } else { None },
                people_reached: rng.random_range(20..300),
                note: String::new(),
            };
            let ctx = Ctx::at(Actor { staff_id: front_desk, role: Role::FrontDesk }, today);
            outreach::add(tx, &ctx, &input)?;
        }
    }
    Ok(())
}
