//! Case records for the demo centre: people from the districts a Mohali centre serves
//! (Punjab, Haryana, Chandigarh, Himachal Pradesh), with the referral, work and substance
//! mixes such a centre sees. Each record is drawn from its own seed (the person's id), so
//! adding it leaves the rest of the generated centre exactly as it was.
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use crate::case_record::{
    CaseRecord, Education, Frequency, IncomeBand, LivingWith, MaritalStatus, Occupation, PreviousTreatment,
    ReferralSource, Route, SubstanceUse,
};
use crate::districts;
use crate::patients::{PatientDetails, Substance};

/// Census 2011 state codes and how often people come from each (per hundred).
const STATES: &[(u8, u32)] = &[(3, 62), (6, 18), (4, 10), (2, 10)];
/// The first three digits of each state's PIN codes (a plausible range).
fn pin_prefix(state: u8, rng: &mut ChaCha8Rng) -> u32 {
    match state {
        3 => rng.random_range(140..=152),
        6 => rng.random_range(121..=136),
        4 => 160,
        _ => rng.random_range(171..=177),
    }
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut n = rng.random_range(0..total);
    for (v, w) in items {
        if n < *w {
            return *v;
        }
        n -= w;
    }
    items[0].0
}

const STREETS: &[&str] = &[
    "Ward 7, Model Town",
    "Gali No. 3, Basti Sheikh",
    "Near Gurdwara Sahib",
    "House 112, Phase 2",
    "Near Government School",
    "Mohalla Ramgarhia",
    "VPO Main Bazaar",
    "Street 4, Guru Nanak Nagar",
];

/// A realistic, complete-enough case record for a demo person.
pub(crate) fn case_record(id: i64, d: &PatientDetails, age: Option<u32>) -> CaseRecord {
    let mut rng = ChaCha8Rng::seed_from_u64(0xCA5E_0000 ^ id as u64);
    let state = weighted(&mut rng, &STATES.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>());
    let choices = districts::of_state(state);
    let district = choices.choose(&mut rng).copied();
    // The district's headquarters town by its everyday name ("Mohali", not the Census
    // "Sahibzada Ajit Singh Nagar (Mohali)").
    let town = district
        .map(|x| match (x.en.find(" ("), x.en.strip_suffix(')')) {
            (Some(i), Some(inner)) => inner[i + 2..].to_owned(),
            _ => x.en.clone(),
        })
        .unwrap_or_default();
    let pin = format!("{}{:03}", pin_prefix(state, &mut rng), rng.random_range(1..400));
    let referral = weighted(
        &mut rng,
        &[
            (ReferralSource::Family, 35),
            (ReferralSource::SelfReferred, 15),
            (ReferralSource::Hospital, 10),
            (ReferralSource::CourtPolice, 9),
            (ReferralSource::OtherCentre, 5),
            (ReferralSource::OutreachCamp, 11),
            (ReferralSource::FormerPatient, 10),
            (ReferralSource::Other, 5),
        ],
    );
    let young = age.is_some_and(|a| a < 25);
    let occupation = if young && rng.random_bool(0.4) {
        Occupation::Student
    } else {
        weighted(
            &mut rng,
            &[
                (Occupation::Unemployed, 22),
                (Occupation::Farmer, 16),
                (Occupation::DailyWage, 18),
                (Occupation::Driver, 12),
                (Occupation::SkilledWorker, 10),
                (Occupation::Business, 8),
                (Occupation::Salaried, 9),
                (Occupation::Homemaker, 3),
                (Occupation::Other, 2),
            ],
        )
    };
    let education = weighted(
        &mut rng,
        &[
            (Education::None, 6),
            (Education::Primary, 12),
            (Education::Middle, 20),
            (Education::Secondary, 28),
            (Education::HigherSecondary, 20),
            (Education::Graduate, 12),
            (Education::Postgraduate, 2),
        ],
    );
    let marital = if young {
        if rng.random_bool(0.85) { MaritalStatus::NeverMarried } else { MaritalStatus::Married }
    } else {
        weighted(
            &mut rng,
            &[
                (MaritalStatus::Married, 62),
                (MaritalStatus::NeverMarried, 22),
                (MaritalStatus::Separated, 9),
                (MaritalStatus::Divorced, 4),
                (MaritalStatus::Widowed, 3),
            ],
        )
    };
    let living = match marital {
        MaritalStatus::Married => {
            if rng.random_bool(0.6) {
                LivingWith::Family
            } else {
                LivingWith::Spouse
            }
        }
        MaritalStatus::NeverMarried => {
            if rng.random_bool(0.8) {
                LivingWith::Parents
            } else {
                LivingWith::Friends
            }
        }
        _ => weighted(&mut rng, &[(LivingWith::Alone, 40), (LivingWith::Family, 40), (LivingWith::Homeless, 20)]),
    };
    let income = weighted(
        &mut rng,
        &[
            (IncomeBand::Under5k, 18),
            (IncomeBand::Upto10k, 30),
            (IncomeBand::Upto25k, 32),
            (IncomeBand::Upto50k, 15),
            (IncomeBand::Over50k, 5),
        ],
    );
    let mut uses = Vec::new();
    for s in &d.substances {
        let route = match s {
            Substance::Alcohol | Substance::Prescription => Route::Oral,
            Substance::Cannabis | Substance::Tobacco => Route::Smoking,
            Substance::Opioids => {
                weighted(&mut rng, &[(Route::Smoking, 55), (Route::Injecting, 32), (Route::Oral, 13)])
            }
            Substance::Other => Route::Sniffing,
        };
        let first = rng.random_range(13..=24u8);
        let years = age.map_or(rng.random_range(1..=10), |a| (a as u8).saturating_sub(first).clamp(1, 30));
        uses.push(SubstanceUse {
            substance: *s,
            age_first_use: Some(first),
            years_of_use: Some(rng.random_range(1..=years)),
            route: Some(route),
            frequency: Some(weighted(
                &mut rng,
                &[(Frequency::Daily, 70), (Frequency::Weekly, 22), (Frequency::Occasional, 8)],
            )),
        });
    }
    let injecting = uses.iter().any(|u| u.route == Some(Route::Injecting));
    let mut treatments = Vec::new();
    if rng.random_bool(0.35) {
        let place = match district {
            Some(x) if rng.random_bool(0.5) => format!("Civil Hospital, {}", x.en),
            Some(x) => format!("OOAT clinic, {}", x.en),
            None => "Private de-addiction centre".to_owned(),
        };
        treatments.push(PreviousTreatment { place, year: Some(rng.random_range(2015..=2025)) });
    }
    CaseRecord {
        address_line: (*STREETS.choose(&mut rng).unwrap_or(&"")).to_owned(),
        town,
        state_code: Some(state),
        district_code: district.map(|x| x.code),
        pin_code: pin,
        referral_source: Some(referral),
        occupation: Some(occupation),
        education: Some(education),
        marital_status: Some(marital),
        living_with: Some(living),
        income_band: if rng.random_bool(0.9) { Some(income) } else { None },
        injecting_last_year: Some(injecting && rng.random_bool(0.75)),
        legal_pending: Some(referral == ReferralSource::CourtPolice || rng.random_bool(0.06)),
        substance_history: uses,
        previous_treatments: treatments,
    }
}
