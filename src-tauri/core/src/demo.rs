//! A fictional centre, generated deterministically: the same seed and date always give
//! the same people. Names in English, Hindi and Punjabi script; Indian mobile numbers.
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rusqlite::{OptionalExtension, Transaction};

use crate::admission_basis::{self, Admission, AdmissionBasis};
use crate::consents::{self, ConsentHow, ConsentInput, ConsentKind};
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::error::Result;
use crate::intake::{self, Intake};
use crate::patients::{self, DischargeType, Gender, NewPatient, PatientDetails, Phase, Substance};
use crate::staff::{self, StaffInput};
use crate::{auth, settings};

pub const DEFAULT_SEED: u64 = 2026;
pub const CENTRE_NAME: &str = "Navjeevan Nasha Mukti Kendra (DEMO)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub staff: u32,
    pub inpatients: u32,
    pub discharged: u32,
    /// Emergency access code of the demo centre (random each time).
    pub recovery_code: String,
}

/// One account per role, for trying the demo. Only ever written into a demo database.
pub const DEMO_ACCOUNTS: &[(Role, &str, &str)] = &[
    (Role::Admin, "admin", "demo-admin-1"),
    (Role::Counsellor, "counsellor", "demo-counsellor-1"),
    (Role::FrontDesk, "frontdesk", "demo-frontdesk-1"),
];

struct NameSet {
    male: &'static [&'static str],
    female: &'static [&'static str],
    surnames: &'static [&'static str],
    language: &'static str,
}

const LATIN: NameSet = NameSet {
    male: &[
        "Rahul", "Amit", "Vikram", "Sandeep", "Rohit", "Manoj", "Arjun", "Deepak", "Karan", "Suresh", "Imran",
        "Joseph", "Harish", "Naveen", "Ajay",
    ],
    female: &["Priya", "Neha", "Sunita", "Pooja", "Anjali", "Kavita", "Meena", "Ritu", "Farah", "Mary"],
    surnames: &[
        "Sharma", "Verma", "Gupta", "Yadav", "Khan", "Thomas", "Mehta", "Chauhan", "Rawat", "Negi", "Bisht", "Joshi",
    ],
    language: "English",
};

const DEVANAGARI: NameSet = NameSet {
    male: &["राहुल", "क्षितिज", "प्रवीण", "विक्रम", "संदीप", "मनोज", "अर्जुन", "दीपक", "सुरेश", "राजेंद्र", "श्याम", "धर्मेंद्र"],
    female: &["प्रीति", "सुनीता", "पूजा", "अंजलि", "कविता", "मीना", "ऋतु", "ज्योति"],
    surnames: &["शर्मा", "त्रिपाठी", "वर्मा", "यादव", "मिश्रा", "चौहान", "द्विवेदी", "पाण्डेय", "कुशवाहा", "गुप्ता"],
    language: "Hindi",
};

const GURMUKHI: NameSet = NameSet {
    male: &["ਗੁਰਪ੍ਰੀਤ", "ਹਰਪ੍ਰੀਤ", "ਜਸਪ੍ਰੀਤ", "ਮਨਜੀਤ", "ਕੁਲਦੀਪ", "ਬਲਜੀਤ", "ਸੁਖਵਿੰਦਰ", "ਅਮਰਜੀਤ", "ਪਰਮਿੰਦਰ", "ਲਖਵਿੰਦਰ"],
    female: &["ਹਰਪ੍ਰੀਤ", "ਜਸਪ੍ਰੀਤ", "ਮਨਪ੍ਰੀਤ", "ਕਿਰਨਦੀਪ", "ਰਾਜਵਿੰਦਰ", "ਸਿਮਰਨ"],
    surnames: &["ਸਿੰਘ", "ਗਿੱਲ", "ਸੰਧੂ", "ਢਿੱਲੋਂ", "ਬਰਾੜ", "ਸਿੱਧੂ", "ਗਰੇਵਾਲ"],
    language: "Punjabi",
};

const STAFF: &[(&str, Role)] = &[
    ("Dr. Anita Deshmukh", Role::Admin),
    ("Rajesh Kumar", Role::Admin),
    ("Meera Iyer", Role::Counsellor),
    ("Harpreet Kaur Sandhu", Role::Counsellor),
    ("Mohd. Salim", Role::Counsellor),
    ("Sunil Rawat", Role::FrontDesk),
    ("Pinky Verma", Role::FrontDesk),
    ("Gagandeep Singh", Role::FrontDesk),
];

const RELATIONS: &[&str] = &["Mother", "Father", "Wife", "Husband", "Brother", "Sister", "Son", "Uncle"];

fn phone(rng: &mut ChaCha8Rng) -> String {
    let first = *[9u8, 8, 7, 6].choose(rng).unwrap_or(&9);
    let rest: u64 = rng.random_range(0..1_000_000_000);
    let digits = format!("{first}{rest:09}");
    match rng.random_range(0..3) {
        0 => format!("+91 {} {}", &digits[..5], &digits[5..]),
        1 => format!("0{digits}"),
        _ => digits,
    }
}

pub(crate) fn person(rng: &mut ChaCha8Rng, today: NaiveDate) -> PatientDetails {
    let set = match rng.random_range(0..10) {
        0..=3 => &LATIN,
        4..=6 => &DEVANAGARI,
        _ => &GURMUKHI,
    };
    let gender = if rng.random_bool(0.18) { Gender::Female } else { Gender::Male };
    let firsts = if gender == Gender::Female { set.female } else { set.male };
    let first = firsts.choose(rng).copied().unwrap_or("Ravi");
    let mut surname = set.surnames.choose(rng).copied().unwrap_or("Kumar");
    if gender == Gender::Female && std::ptr::eq(set, &GURMUKHI) {
        surname = "ਕੌਰ";
    }
    let full_name = format!("{first} {surname}");
    let preferred_name = if rng.random_bool(0.25) { first.to_owned() } else { String::new() };
    let (birth_date, age_years) = if rng.random_bool(0.6) {
        let age_days = rng.random_range(18 * 365..62 * 365);
        (today.checked_sub_days(Days::new(age_days)), None)
    } else {
        (None, Some(rng.random_range(18..60)))
    };
    let mut languages = vec![set.language.to_owned()];
    if set.language != "Hindi" && rng.random_bool(0.7) {
        languages.push("Hindi".into());
    }
    if set.language != "English" && rng.random_bool(0.2) {
        languages.push("English".into());
    }
    let main = *[
        Substance::Alcohol,
        Substance::Alcohol,
        Substance::Opioids,
        Substance::Opioids,
        Substance::Cannabis,
        Substance::Prescription,
    ]
    .choose(rng)
    .unwrap_or(&Substance::Alcohol);
    let mut substances = vec![main];
    if rng.random_bool(0.35) {
        substances.push(Substance::Tobacco);
    }
    let has_family = rng.random_bool(0.85);
    PatientDetails {
        full_name,
        preferred_name,
        gender,
        birth_date,
        age_years,
        phone: if rng.random_bool(0.92) { phone(rng) } else { String::new() },
        family_name: if has_family {
            format!("{} {}", firsts.choose(rng).copied().unwrap_or(""), surname)
        } else {
            String::new()
        },
        family_relation: if has_family {
            RELATIONS.choose(rng).copied().unwrap_or("").to_owned()
        } else {
            String::new()
        },
        family_phone: if has_family { phone(rng) } else { String::new() },
        languages,
        substances,
        substance_other: String::new(),
    }
}

/// What a person agreed to at intake, on a signed form: treatment always; follow-up calls
/// mostly; family contact (naming the family member) for about two in three who gave one;
/// their full name on printed lists for fewer than half.
pub(crate) fn intake_consents(rng: &mut ChaCha8Rng, d: &PatientDetails, on: NaiveDate) -> Vec<ConsentInput> {
    let consent = |kind, given, detail: &str| ConsentInput {
        kind,
        given,
        detail: detail.to_owned(),
        decided_on: on,
        how: ConsentHow::SignedForm,
        witness: String::new(),
    };
    let mut out = vec![
        consent(ConsentKind::Treatment, true, ""),
        consent(ConsentKind::PhoneFollowup, rng.random_bool(0.9), ""),
        consent(ConsentKind::FullNameOnLists, rng.random_bool(0.4), ""),
    ];
    if !d.family_name.is_empty() {
        let named = format!("{} ({})", d.family_name, d.family_relation);
        out.push(consent(ConsentKind::FamilyContact, rng.random_bool(0.7), &named));
    }
    out
}

/// Registers a person with what they agreed to at intake.
pub(crate) fn admit(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    rng: &mut ChaCha8Rng,
    d: PatientDetails,
    on: NaiveDate,
) -> Result<i64> {
    let consents = intake_consents(rng, &d, on);
    // The case record comes from its own seed (the next id), leaving `rng` as it was.
    let next: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM patients", [], |r| r.get(0))?;
    let age = patients::age_on(ctx.today, d.birth_date, d.age_years, Some(on));
    let case_record = crate::demo_case::case_record(next, &d, age);
    let intake = Intake {
        patient: NewPatient { details: d, admitted_on: on },
        consents,
        case_record,
        admission: Admission::default(),
    };
    intake::register(tx, ctx, &intake)
}

/// A few people in aftercare have since withdrawn consent to follow-up calls (recorded
/// when they said so, a week or two ago), and one their consent to family contact.
fn withdraw_some_consents(tx: &Transaction<'_>, ctx: &Ctx, today: NaiveDate) -> Result<()> {
    let given = |kind: ConsentKind, n: usize| -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT c.id FROM consents c JOIN patients p ON p.id = c.patient_id
             WHERE p.phase = 'aftercare' AND c.kind = ?1 AND c.given = 1 AND c.withdrawn_on IS NULL
             ORDER BY c.patient_id LIMIT {n}"
        );
        Ok(tx.prepare(&sql)?.query_map([kind], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?)
    };
    let phone = given(ConsentKind::PhoneFollowup, 4)?;
    let family = given(ConsentKind::FamilyContact, 1)?;
    for (i, id) in phone.into_iter().chain(family).enumerate() {
        consents::withdraw(tx, ctx, id, today - Days::new(7 + 2 * i as u64))?;
    }
    Ok(())
}

/// One person in the house was admitted with support (their mother as nominated
/// representative), capacity assessed by a counsellor; the review falls due in two days.
fn supported_admission_due(tx: &Transaction<'_>, ctx: &Ctx, counsellor: Option<i64>) -> Result<()> {
    let found: Option<(i64, NaiveDate)> = tx
        .query_row(
            "SELECT patient_id, admitted_on FROM stays WHERE discharged_on IS NULL AND admitted_on BETWEEN ?1 AND ?2
             ORDER BY admitted_on, patient_id LIMIT 1",
            [ctx.today - Days::new(29), ctx.today - Days::new(20)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((patient, admitted)) = found else { return Ok(()) };
    let due = (ctx.today + Days::new(2)).min(admitted + Days::new(admission_basis::SUPPORTED_DAYS));
    let admission = Admission {
        basis: AdmissionBasis::Supported,
        representative_name: "Kuldeep Kaur".into(),
        representative_relation: "mother".into(),
        capacity_assessed_by: counsellor,
        review_due_on: Some(due),
    };
    admission_basis::set(tx, ctx, patient, &admission, false)
}

/// Fills an empty store with the demo centre as of `today`.
pub fn generate(store: &mut Store, today: NaiveDate, seed: u64) -> Result<DemoSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let system = Ctx::at(Actor::system(), today);
    store.write(|tx| {
        settings::set_centre(tx, &system, CENTRE_NAME, "Village Kharar Road, Mohali, Punjab", "0172 2712345")?;
        let mut staff_ids: Vec<(i64, Role)> = Vec::new();
        for (i, (name, role)) in STAFF.iter().enumerate() {
            // The first staff member of each role gets that role's demo account.
            let account =
                DEMO_ACCOUNTS.iter().find(|a| a.0 == *role).filter(|_| !staff_ids.iter().any(|s| s.1 == *role));
            let username = account.map_or_else(|| format!("staff{}", i + 1), |a| a.1.to_owned());
            let input = StaffInput { full_name: (*name).into(), role: *role, username: Some(username) };
            let id = staff::create(tx, &system, &input, None)?;
            if let Some((_, _, password)) = account {
                auth::set_password(tx, id, password, false)?;
            }
            staff_ids.push((id, *role));
        }
        let recovery_code = auth::store_recovery_code(tx)?;
        let front_desk = staff_ids.iter().find(|s| s.1 == Role::FrontDesk).map(|s| s.0);
        let ctx = Ctx::at(Actor { staff_id: front_desk, role: Role::FrontDesk }, today);
        let mut summary = DemoSummary { staff: staff_ids.len() as u32, inpatients: 0, discharged: 0, recovery_code };
        // About 40 in the house now, admitted in the last three months.
        for _ in 0..40 {
            let d = person(&mut rng, today);
            let admitted = today - Days::new(rng.random_range(0..90));
            admit(tx, &ctx, &mut rng, d, admitted)?;
            summary.inpatients += 1;
        }
        // About 120 who have gone home: aftercare (recent) and alumni (long ago); some
        // came back more than once.
        for _ in 0..120 {
            let d = person(&mut rng, today);
            let mut admitted = today - Days::new(rng.random_range(120..1500));
            let id = admit(tx, &ctx, &mut rng, d, admitted)?;
            let stays = if rng.random_bool(0.2) { 2 } else { 1 };
            let mut discharged = admitted;
            for stay in 0..stays {
                if stay > 0 {
                    admitted = discharged + Days::new(rng.random_range(30..200));
                    if admitted >= today {
                        break;
                    }
                    patients::readmit(tx, &ctx, id, admitted)?;
                }
                discharged = (admitted + Days::new(rng.random_range(20..95))).min(today);
                // Absconding and administrative discharges are rarer: some of the early
                // leavers and of the completed stays, by record number (no draw from `rng`).
                let kind = match (rng.random_range(0..10), id % 6) {
                    (0..=6, 0) if id % 4 == 0 => DischargeType::Administrative,
                    (0..=6, _) => DischargeType::Completed,
                    (7..=8, 0 | 3) => DischargeType::Absconded,
                    (7..=8, _) => DischargeType::AgainstAdvice,
                    _ => DischargeType::Referred,
                };
                patients::discharge(tx, &ctx, id, discharged, kind)?;
            }
            let since = (today - discharged).num_days();
            let phase = if since > 730 {
                if rng.random_bool(0.3) { Phase::Inactive } else { Phase::Alumni }
            } else if since > 365 && rng.random_bool(0.5) {
                Phase::Alumni
            } else {
                Phase::Aftercare
            };
            if phase != Phase::Aftercare {
                patients::set_phase(tx, &ctx, id, phase)?;
            }
            summary.discharged += 1;
        }
        withdraw_some_consents(tx, &ctx, today)?;
        supported_admission_due(tx, &ctx, staff_ids.iter().find(|s| s.1 == Role::Counsellor).map(|s| s.0))?;
        crate::groups::demo::generate(tx, today, seed)?;
        crate::aftercare::demo::generate(tx, today, seed)?;
        let counsellor = staff_ids.iter().find(|s| s.1 == Role::Counsellor).map(|s| s.0);
        crate::mentorship::demo::generate(tx, counsellor, today, &mut rng)?;
        // ---- issue 17: statistics (before the rights desk, whose erasure blanks their notes)
        crate::statistics::demo::generate(tx, today, seed)?;
        crate::rights::demo::generate(tx, today)?;
        // ---- issue 17: participant notes
        crate::groups::participant_notes_demo::generate(tx, counsellor, today)?;
        // ---- issue 17: certificates (one issued and reprinted)
        crate::certificates::demo::generate(tx, today)?;
        settings::mark_demo(tx)?;
        crate::backup::demo_set_up(tx, &system)?;
        Ok(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(store: &Store) -> Vec<String> {
        let mut stmt = store
            .conn()
            .prepare("SELECT full_name || '|' || phone || '|' || phase || '|' || coalesce(birth_date, age_years) FROM patients ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn same_seed_same_centre() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut a = Store::open_in_memory().unwrap();
        let mut b = Store::open_in_memory().unwrap();
        let sa = generate(&mut a, today, 7).unwrap();
        generate(&mut b, today, 7).unwrap();
        assert_eq!(dump(&a), dump(&b));
        assert_eq!((sa.staff, sa.inpatients, sa.discharged), (8, 40, 120));
        let mut c = Store::open_in_memory().unwrap();
        generate(&mut c, today, 8).unwrap();
        assert_ne!(dump(&a), dump(&c));
    }
}
