//! A busy centre after years of use, for benchmarks and query-plan tests: the same seed
//! gives the same database. `saathi generate --scale ten-years --out FILE` writes one.
//!
//! Records are made through the core's own operations where those are what the app runs
//! (patients, stays, discharges with an aftercare plan and group, re-admissions, groups,
//! schedules and their changes, memberships, cancelled and moved sessions, contact
//! attempts, the audit trail), day by day in date order, so the tables, indexes and search
//! index look like the real thing. Bulk history that the app only ever appends (group
//! attendance, old mentor pairs) is inserted directly, as the app writes it: see
//! [`groups`] and [`aftercare`].
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::params;

use crate::audit::{self, entity};
use crate::counselling::CounsellingKind;
use crate::ctx::{Actor, Ctx, Role};
use crate::db::Store;
use crate::error::{Error, Result};
use crate::outreach::OutreachKind;
use crate::patients::{self, DischargeType, Phase};
use crate::staff::{self, StaffInput};

mod aftercare;
mod groups;

/// The account that signs in to a generated centre: (username, password). Generated
/// centres are fictional; this is never used for real data.
pub const SIGN_IN: (&str, &str) = ("staff1", "generated-admin-1");

/// Bumped whenever the generator makes a different centre from the same seed, so that a
/// cached copy of an older one (the benchmark's, the start-up test's) is not reused.
pub const GENERATOR_VERSION: u32 = 4;

/// Where the benchmark and the start-up test keep a generated centre between runs.
pub fn cache_name(scale: &Scale) -> String {
    format!("{}-schema{}-gen{GENERATOR_VERSION}.db", scale.name, crate::db::schema_version())
}

/// The centre of `scale` kept in `dir` under [`cache_name`] (the bench and the start-up
/// tests share it), generated there first when missing (written beside as `.partial`,
/// then renamed, so an interrupted run never leaves a half centre under the real name).
/// Returns its path, and the generator's summary when it was generated now.
pub fn cached(dir: &Path, scale: &Scale, today: NaiveDate) -> Result<(PathBuf, Option<ScaleSummary>)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(cache_name(scale));
    if path.exists() {
        return Ok((path, None));
    }
    let partial = path.with_extension("partial");
    for stale in ["partial", "partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(stale));
    }
    let summary = generate(&partial, scale, 10, today)?;
    std::fs::rename(&partial, &path)?;
    Ok((path, Some(summary)))
}

/// How big a centre to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub name: &'static str,
    pub years: u32,
    pub patients: u32,
    pub staff: u32,
    /// Audit entries for looking at records, per patient (on top of those the changes
    /// write themselves).
    pub views_per_patient: u32,
    pub mentors: u32,
    pub mentor_pairs: u32,
    /// Groups over the whole period (some finish and are followed by new ones).
    pub groups: u32,
    /// In-patient wards, each with its own sharing circle; the other groups scale with it.
    pub wards: u32,
}

impl Scale {
    /// Ten years of a busy centre: 20,000 patients (names in Latin, Devanagari and
    /// Gurmukhi), 5,000 mentor pairs over time, an audit log of about 400,000 entries.
    pub const TEN_YEARS: Scale = Scale {
        name: "ten-years",
        years: 10,
        patients: 20_000,
        staff: 30,
        views_per_patient: 15,
        mentors: 400,
        mentor_pairs: 5_000,
        groups: 60,
        wards: 10,
    };

    /// The same shape, small enough for tests.
    pub const SMALL: Scale = Scale {
        name: "small",
        years: 3,
        patients: 600,
        staff: 8,
        views_per_patient: 3,
        mentors: 30,
        mentor_pairs: 150,
        groups: 16,
        wards: 2,
    };

    pub fn named(name: &str) -> Option<Scale> {
        [Scale::TEN_YEARS, Scale::SMALL].into_iter().find(|s| s.name == name)
    }
}

/// What was made, and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleSummary {
    pub patients: u64,
    pub stays: u64,
    pub audit_entries: u64,
    pub mentor_pairs: u64,
    pub groups: u64,
    pub memberships: u64,
    /// Stored sessions (held, not held, cancelled or moved).
    pub sessions: u64,
    pub attendance: u64,
    pub plans: u64,
    pub followups: u64,
    pub attempts: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Admit,
    Discharge,
    Readmit,
    View,
    Phase,
    /// A counselling session (`x`: 0 individual, 1 family), drawn from its own random
    /// stream so the rest of the centre stays as it was.
    Counsel,
}

/// Writes a new database at `path` (which must not exist yet) as of `today`.
pub fn generate(path: &Path, scale: &Scale, seed: u64, today: NaiveDate) -> Result<ScaleSummary> {
    if path.exists() {
        return Err(Error::invalid(
            "generate_exists",
            "out",
            format!("{} already exists. Choose a new file name; nothing was changed.", path.display()),
        ));
    }
    let began = Instant::now();
    let mut store = Store::open(path)?;
    // A bigger page cache for this connection only: the history is written in big steps.
    store.conn().execute_batch("PRAGMA cache_size = -262144;")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Counselling and outreach draw from their own stream (added in generation 4), so the
    // people, groups and calls of the centre are those of generation 3.
    let mut side = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_c0de);
    let start = today - Days::new(u64::from(scale.years) * 365);
    let system = Ctx::at(Actor::system(), start);

    let staff_ids: Vec<(i64, Role)> = store.write(|tx| {
        crate::settings::set_centre(tx, &system, "Sahara Nasha Mukti Kendra (generated)", "Ludhiana", "0161 200000")?;
        let mut ids = Vec::new();
        for i in 0..scale.staff {
            let role = match i % 6 {
                0 => Role::Admin,
                1 | 2 => Role::Counsellor,
                _ => Role::FrontDesk,
            };
            let input = StaffInput {
                full_name: format!("Staff Member {}", i + 1),
                role,
                username: Some(format!("staff{}", i + 1)),
            };
            ids.push((staff::create(tx, &system, &input, Some("generated-password-1"))?, role));
        }
        // The first administrator can sign in straight away (start-up measurements).
        if let Some((admin, _)) = ids.first() {
            crate::auth::set_password(tx, *admin, SIGN_IN.1, false)?;
        }
        Ok(ids)
    })?;
    let actor = |rng: &mut ChaCha8Rng| {
        let (id, role) = *staff_ids.choose(rng).unwrap_or(&(0, Role::Admin));
        Actor { staff_id: Some(id), role: if role == Role::FrontDesk { Role::Counsellor } else { role } }
    };

    // Every patient's life at the centre as dated events, then all of them in date order.
    let span = (today - start).num_days().max(1) as u64;
    let mut events: Vec<(NaiveDate, u32, Event, u8)> = Vec::new();
    for p in 0..scale.patients {
        let admitted = start + Days::new(rng.random_range(0..span));
        events.push((admitted, p, Event::Admit, 0));
        let mut at = admitted;
        let stays = match rng.random_range(0..100) {
            0..=74 => 1,
            75..=93 => 2,
            _ => 3,
        };
        let mut last_discharge = None;
        for stay in 0..stays {
            if stay > 0 {
                let back = at + Days::new(rng.random_range(30..400));
                if back >= today {
                    break;
                }
                events.push((back, p, Event::Readmit, 0));
                at = back;
            }
            let out = at + Days::new(rng.random_range(20..95));
            // Individual counselling every week of the stay, the family once.
            let mut on = at + Days::new(3);
            while on < out.min(today) {
                events.push((on, p, Event::Counsel, 0));
                on = on + Days::new(7);
            }
            if at + Days::new(14) < out.min(today) {
                events.push((at + Days::new(14), p, Event::Counsel, 1));
            }
            if out >= today - Days::new(2) {
                last_discharge = None;
                break;
            }
            events.push((out, p, Event::Discharge, rng.random_range(0..10)));
            at = out;
            last_discharge = Some(out);
        }
        if let Some(out) = last_discharge {
            let since = (today - out).num_days();
            if since > 365 {
                let when = (out + Days::new(365)).min(today);
                events.push((when, p, Event::Phase, if since > 1100 && rng.random_bool(0.3) { 2 } else { 1 }));
            }
        }
        for _ in 0..scale.views_per_patient {
            let when = admitted + Days::new(rng.random_range(0..=(today - admitted).num_days().max(0) as u64));
            events.push((when, p, Event::View, 0));
        }
    }
    events.sort();

    // Then every day in order: the groups' changes, the register's events (with the group
    // and aftercare work they bring), the day's sessions and the day's follow-up calls.
    let (mut groups, mut care) = store.write(|tx| {
        let g = groups::GroupSim::plan(tx, scale.wards, scale.groups, seed, start, today, &staff_ids)?;
        Ok((g, aftercare::CareSim::new(tx, seed, today, &staff_ids)?))
    })?;
    let mut ids = vec![0i64; scale.patients as usize];
    let mut stays = 0u64;
    let mut next = 0;
    let mut day = start;
    while day <= today {
        let last = (day + Days::new(30)).min(today);
        store.write(|tx| {
            while day <= last {
                groups.begin_day(tx, day)?;
                while let Some(&(when, p, kind, x)) = events.get(next).filter(|e| e.0 == day) {
                    next += 1;
                    if kind == Event::Counsel {
                        let ctx = Ctx::at(actor(&mut side), day);
                        let input = crate::counselling::CounsellingInput {
                            on_date: when,
                            kind: if x == 1 { CounsellingKind::Family } else { CounsellingKind::Individual },
                            duration_min: Some(*[30, 45, 60].choose(&mut side).unwrap_or(&45)),
                            note: String::new(),
                        };
                        crate::counselling::record(tx, &ctx, ids[p as usize], &input)?;
                        continue;
                    }
                    let ctx = Ctx::at(actor(&mut rng), day);
                    let id = ids[p as usize];
                    match kind {
                        Event::Admit => {
                            let details = crate::demo::person(&mut rng, when);
                            let id = crate::demo::admit(tx, &ctx, &mut rng, details.clone(), when)?;
                            ids[p as usize] = id;
                            stays += 1;
                            groups.admitted(tx, &ctx, id, Some(&details), when)?;
                        }
                        Event::Readmit => {
                            crate::admissions::readmit(tx, &ctx, id, when)?;
                            stays += 1;
                            care.readmitted(id);
                            groups.readmitted(tx, &ctx, id, when)?;
                        }
                        Event::Discharge => {
                            let kind = match x {
                                0..=6 => DischargeType::Completed,
                                7..=8 => DischargeType::AgainstAdvice,
                                _ => DischargeType::Referred,
                            };
                            let template = care.template_choice(kind);
                            let group = groups.aftercare_choice(kind == DischargeType::Completed);
                            let plan =
                                crate::admissions::discharge_with_plan(tx, &ctx, id, when, kind, template, group)?;
                            groups.discharged(tx, &ctx, id, when, group)?;
                            if let (Some(plan), Some(template)) = (plan, template) {
                                care.started(tx, plan, template, id, when)?;
                            }
                        }
                        Event::Phase => {
                            let phase = if x == 2 { Phase::Inactive } else { Phase::Alumni };
                            patients::set_phase(tx, &ctx, id, phase)?;
                        }
                        Event::View => audit::record(tx, &ctx, "patient_view", entity::PATIENT, Some(id), "")?,
                        Event::Counsel => {}
                    }
                }
                groups.sessions(tx, day)?;
                care.day(tx, day)?;
                // An awareness talk or camp twice a month, in one of the centre's districts.
                if matches!(day.day(), 8 | 22) {
                    let ctx = Ctx::at(actor(&mut side), day);
                    let input = crate::outreach::OutreachInput {
                        on_date: day,
                        kind: *OutreachKind::ALL.choose(&mut side).unwrap_or(&OutreachKind::Other),
                        place: "Generated village".to_owned(),
                        district_code: [55u16, 42, 48, 45, 38].choose(&mut side).copied(),
                        people_reached: side.random_range(20..300),
                        note: String::new(),
                    };
                    crate::outreach::add(tx, &ctx, &input)?;
                }
                day = day + Days::new(1);
            }
            Ok(())
        })?;
    }
    store.write(|tx| care.acknowledge_some(tx))?;

    // Peer mentors among people long discharged, and pairs over the years.
    let mentor_pairs = store.write(|tx| mentor_history(tx, scale, &mut rng, start, today, &staff_ids))?;

    let conn = store.conn();
    let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
    let (plans, followups, attempts) = aftercare::counts(conn)?;
    let summary = ScaleSummary {
        patients: count("SELECT count(*) FROM patients")?,
        stays,
        audit_entries: count("SELECT count(*) FROM audit_log")?,
        mentor_pairs,
        groups: count("SELECT count(*) FROM therapy_groups")?,
        memberships: count("SELECT count(*) FROM group_memberships")?,
        sessions: count("SELECT count(*) FROM group_sessions")?,
        attendance: count("SELECT count(*) FROM group_attendance")?,
        plans,
        followups,
        attempts,
        seconds: 0.0,
    };
    conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(ScaleSummary { seconds: began.elapsed().as_secs_f64(), ..summary })
}

fn mentor_history(
    tx: &rusqlite::Transaction<'_>,
    scale: &Scale,
    rng: &mut ChaCha8Rng,
    start: NaiveDate,
    today: NaiveDate,
    staff_ids: &[(i64, Role)],
) -> Result<u64> {
    let mut stmt = tx.prepare(
        "SELECT p.id, p.gender, (SELECT max(discharged_on) FROM stays s WHERE s.patient_id = p.id) AS out
         FROM patients p WHERE p.phase IN ('alumni', 'aftercare') AND out IS NOT NULL ORDER BY p.id",
    )?;
    let alumni: Vec<(i64, String, NaiveDate)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut mentors: Vec<(i64, String, NaiveDate)> =
        alumni.iter().step_by(7).take(scale.mentors as usize).cloned().collect();
    mentors.sort_by_key(|m| m.2);
    let by = |rng: &mut ChaCha8Rng| staff_ids.choose(rng).map(|s| s.0);
    for (id, _, out) in &mentors {
        tx.execute(
            "INSERT INTO peer_profiles (patient_id, days, locality, is_mentor, recovery_since, trained, trained_on,
                                        capacity, mentor_active, updated_at)
             VALUES (?1, '[\"mon\",\"thu\"]', 'Ludhiana', 1, ?2, 1, ?2, ?3, 1, ?4)",
            params![id, out, rng.random_range(1..=3), format!("{out}T10:00:00Z")],
        )?;
    }
    let mut ins = tx.prepare(
        "INSERT INTO mentor_pairs (mentor_id, mentee_id, started_on, made, score, reasons, created_at, created_by,
                                   ended_on, end_reason, ended_badly, end_note, ended_at, ended_by)
         VALUES (?1, ?2, ?3, 'suggested', ?4, '[\"both speak Hindi\"]', ?5, ?6, ?7, ?8, ?9, '', ?10, ?6)",
    )?;
    let mut made = 0u64;
    let mut active_mentees = std::collections::HashSet::new();
    let span = (today - start).num_days().max(1) as u64;
    let mut tries = 0;
    while made < u64::from(scale.mentor_pairs) && tries < scale.mentor_pairs * 20 {
        tries += 1;
        let Some(&(mentor, ref gender, ready)) = mentors.choose(rng) else { break };
        let Some(&(mentee, ref g2, _)) = alumni.choose(rng) else { break };
        let started = start + Days::new(rng.random_range(0..span));
        if mentee == mentor || g2 != gender || started < ready {
            continue;
        }
        let end = started + Days::new(rng.random_range(60..240));
        let ongoing = end >= today;
        if ongoing && !active_mentees.insert(mentee) {
            continue;
        }
        let reason = ["completed", "completed", "completed", "relapse", "moved_away", "conflict"].choose(rng).copied();
        let (ended_on, reason, badly) =
            if ongoing { (None, None, None) } else { (Some(end), reason, Some(reason == Some("conflict"))) };
        let stamp = format!("{started}T10:00:00Z");
        ins.execute(params![
            mentor,
            mentee,
            started,
            rng.random_range(10..90),
            stamp,
            by(rng),
            ended_on,
            reason,
            badly,
            ended_on.map(|d| format!("{d}T10:00:00Z")),
        ])?;
        made += 1;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(path: &Path) -> Vec<String> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut out: Vec<String> = c
            .prepare(
                "SELECT full_name || '|' || phase || '|' || (SELECT group_concat(admitted_on || '>' || coalesce(discharged_on, ''))
                 FROM stays s WHERE s.patient_id = p.id) FROM patients p ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // The bulk history, row by row.
        for sql in [
            "SELECT group_concat(name || kind || status, ',') FROM therapy_groups",
            "SELECT group_concat(series_id || original_date || date || start_time || held || cancelled || topic, ',') FROM group_sessions",
            "SELECT group_concat(group_id || '/' || coalesce(patient_id, 'f' || family_member_id) || joined_on || coalesce(left_on || leave_reason, ''), ',') FROM group_memberships",
            "SELECT group_concat(session_id || '/' || coalesce(patient_id, family_member_id, dropin_name) || status || reason, ',') FROM group_attendance",
            "SELECT group_concat(patient_id || started_on || status || coalesce(close_reason, ''), ',') FROM aftercare_plans",
            "SELECT group_concat(plan_id || due_on || next_try_on || status || kind, ',') FROM aftercare_followups",
            "SELECT group_concat(followup_id || on_date || method || result || coalesce(status, '') || coalesce(risk, '') || note, ',') FROM aftercare_attempts",
            "SELECT group_concat(hash, ',') FROM audit_log",
        ] {
            out.push(c.query_row(sql, [], |r| r.get::<_, Option<String>>(0)).unwrap().unwrap_or_default());
        }
        out
    }

    #[test]
    fn same_seed_same_centre_and_a_realistic_shape() {
        let dir = tempfile::tempdir().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let (a, b, c) = (dir.path().join("a.db"), dir.path().join("b.db"), dir.path().join("c.db"));
        let s = generate(&a, &Scale::SMALL, 1, today).unwrap();
        let again = generate(&b, &Scale::SMALL, 1, today).unwrap();
        generate(&c, &Scale::SMALL, 2, today).unwrap();
        assert_eq!(dump(&a), dump(&b));
        assert_ne!(dump(&a), dump(&c));
        assert_eq!(ScaleSummary { seconds: 0.0, ..again }, ScaleSummary { seconds: 0.0, ..s.clone() });
        assert_eq!(s.patients, 600);
        assert!(s.stays > 600 && s.audit_entries > 600 * 4, "{s:?}");
        assert!(s.mentor_pairs >= 100, "{s:?}");
        let conn = rusqlite::Connection::open(&a).unwrap();
        let n = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let inpatients = n("SELECT count(*) FROM patients WHERE phase = 'inpatient'");
        assert!((3..100).contains(&inpatients), "{inpatients} in-patients");
        let scripts = n("SELECT count(*) FROM patients WHERE full_name GLOB '*[क-ह]*'");
        assert!(scripts > 50, "Devanagari names: {scripts}");
        assert!(audit::verify(&conn).unwrap().ok, "the generated audit chain is intact");

        // Groups: every kind, some finished and followed by a new batch, schedule changes.
        assert_eq!(s.groups, u64::from(Scale::SMALL.groups), "{s:?}");
        assert_eq!(n("SELECT count(DISTINCT kind) FROM therapy_groups"), 5);
        assert!(n("SELECT count(*) FROM therapy_groups WHERE status <> 'active'") >= 2);
        assert!(n("SELECT count(*) FROM group_series WHERE id <> lineage_id") >= 1, "a schedule changed");
        assert!(n("SELECT count(*) FROM group_series WHERE valid_to IS NOT NULL") >= 3);
        // Sessions: held with attendance, some cancelled, moved or not held; none recorded ahead.
        assert!(s.sessions > 1500 && s.attendance > 8 * s.sessions, "{s:?}");
        assert!(n("SELECT count(*) FROM group_sessions WHERE cancelled = 1") > 20);
        assert!(n("SELECT count(*) FROM group_sessions WHERE held = 'not_held'") > 5);
        assert!(n("SELECT count(*) FROM group_sessions WHERE date <> original_date") >= 1, "moved to another day");
        assert!(
            n(
                "SELECT count(*) FROM group_sessions s JOIN group_series x ON x.id = s.series_id WHERE s.start_time <> x.start_time"
            ) >= 1,
            "moved to another time"
        );
        assert_eq!(n("SELECT count(*) FROM group_sessions WHERE held <> 'not_recorded' AND date >= '2026-11-26'"), 0);
        // Marks of every kind, family members and drop-ins; each member's mark falls in a
        // membership of theirs in that group (as the sheet lists them), nobody twice.
        assert_eq!(n("SELECT count(DISTINCT status) FROM group_attendance"), 4);
        assert!(n("SELECT count(*) FROM group_attendance WHERE family_member_id IS NOT NULL") > 100);
        assert!(n("SELECT count(*) FROM group_attendance WHERE dropin = 1") > 10);
        assert_eq!(
            n("SELECT count(*) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
               JOIN group_series x ON x.id = s.series_id WHERE a.dropin = 0 AND NOT EXISTS (
                 SELECT 1 FROM group_memberships m WHERE m.group_id = x.group_id
                   AND m.patient_id IS a.patient_id AND m.family_member_id IS a.family_member_id
                   AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date))"),
            0,
            "marks only for members on the day"
        );
        assert_eq!(
            n("SELECT count(*) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
               JOIN group_series x ON x.id = s.series_id WHERE a.group_id IS NOT x.group_id"),
            0,
            "every mark knows its group"
        );
        assert_eq!(
            n(
                "SELECT count(*) FROM group_sessions WHERE cancelled = 1 AND id IN (SELECT session_id FROM group_attendance)"
            ),
            0
        );
        // In-patients in in-patient groups (within a stay), discharged people in aftercare
        // groups (from the discharge day), the waiting list used.
        assert_eq!(
            n("SELECT count(*) FROM group_memberships m JOIN therapy_groups g ON g.id = m.group_id
               WHERE g.audience = 'inpatients' AND NOT EXISTS (SELECT 1 FROM stays st WHERE st.patient_id = m.patient_id
                 AND st.admitted_on <= m.joined_on AND (st.discharged_on IS NULL OR st.discharged_on >= m.joined_on))"),
            0
        );
        assert_eq!(
            n("SELECT count(*) FROM group_memberships m JOIN therapy_groups g ON g.id = m.group_id
               WHERE g.kind = 'aftercare' AND m.leave_reason IS NOT 'moved_group' AND m.joined_on NOT IN (
                 SELECT discharged_on FROM stays st WHERE st.patient_id = m.patient_id AND discharged_on IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM group_memberships o WHERE o.patient_id = m.patient_id
                 AND o.leave_reason = 'moved_group' AND o.left_on = date(m.joined_on, '-1 day'))"),
            0
        );
        assert!(n("SELECT count(*) FROM group_memberships WHERE leave_reason = 'dropped_out'") > 20);
        assert!(n("SELECT count(*) FROM group_waitlist") > 0);

        // Aftercare: plans from discharge, old ones closed, recent ones open; attempts.
        assert!(s.plans > 100 && s.followups > 20 * s.plans && s.attempts > 10 * s.plans, "{s:?}");
        let open = n("SELECT count(*) FROM aftercare_plans WHERE status <> 'closed'");
        assert!((5..80).contains(&open), "{open} open plans");
        assert!(n("SELECT count(*) FROM aftercare_plans WHERE status = 'closed' AND closed_on < '2026-01-01'") > 50);
        assert!(n("SELECT count(*) FROM aftercare_plans WHERE status <> 'closed' AND started_on < '2024-11-01'") == 0);
        assert!(n("SELECT count(DISTINCT close_reason) FROM aftercare_plans") >= 5);
        assert!(n("SELECT count(*) FROM aftercare_followups WHERE for_counsellor = 1") > 0);
        assert!(n("SELECT count(*) FROM aftercare_followups WHERE kind = 'counsellor_call'") > 0);
        assert_eq!(n("SELECT count(*) FROM aftercare_attempts WHERE on_date > '2026-11-26'"), 0);
        let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, today);
        let worklist =
            crate::aftercare::worklist::worklist(&conn, &ctx, crate::aftercare::WorklistRange::Week).unwrap();
        let at_risk = crate::aftercare::risk::at_risk(&conn, &ctx).unwrap();
        assert!((3..60).contains(&worklist.len()), "{} on the worklist", worklist.len());
        assert!((1..40).contains(&at_risk.len()), "{} at risk", at_risk.len());
        assert!(!crate::groups::attendance::missing(&conn, &ctx).unwrap().is_empty());
        // The quick at-risk list says what asking about each person in turn says.
        let rules = crate::aftercare::get_settings(&conn).unwrap().rules;
        let acked = |p: i64, r: &crate::aftercare::AtRiskReason| -> bool {
            conn.query_row(
                "SELECT count(*) FROM aftercare_alert_acks WHERE patient_id = ?1 AND rule = ?2 AND trigger_key = ?3",
                params![p, r.rule, r.trigger_key],
                |x| x.get::<_, i64>(0),
            )
            .unwrap()
                > 0
        };
        let mut one_by_one = Vec::new();
        for p in conn
            .prepare("SELECT patient_id FROM aftercare_plans WHERE status = 'active' ORDER BY patient_id")
            .unwrap()
            .query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
        {
            let p = p.unwrap();
            let mut reasons = crate::aftercare::risk::reasons_for(&conn, today, &rules, p).unwrap();
            reasons.retain(|r| !acked(p, r));
            if !reasons.is_empty() {
                one_by_one.push((p, reasons));
            }
        }
        let mut quick: Vec<_> = at_risk.iter().map(|e| (e.patient_id, e.reasons.clone())).collect();
        quick.sort_by_key(|e| e.0);
        assert_eq!(quick, one_by_one);
        // A patient's sessions: the same as looking through every session.
        let old_sessions = |p: i64| -> Vec<(NaiveDate, String, String, Option<String>)> {
            let mut v: Vec<(NaiveDate, String, String, Option<String>)> = conn
                .prepare(
                    "SELECT s.date, s.start_time, g.name, a.status FROM group_sessions s
                     JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
                     LEFT JOIN group_attendance a ON a.session_id = s.id AND a.patient_id = ?1
                     WHERE s.cancelled = 0 AND s.held = 'held' AND (a.id IS NOT NULL OR EXISTS (
                         SELECT 1 FROM group_memberships m WHERE m.group_id = x.group_id AND m.patient_id = ?1
                           AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)))",
                )
                .unwrap()
                .query_map([p], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            v.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)).then(a.2.cmp(&b.2)));
            v
        };
        for p in (1..=600).step_by(37) {
            let quick = crate::groups::reports::patient_groups(&conn, &ctx, p).unwrap().sessions;
            let all = old_sessions(p);
            let mut q: Vec<_> = quick
                .iter()
                .map(|s| (s.date, s.start_time.clone(), s.group_name.clone(), s.mark.map(|m| m.as_str().to_owned())))
                .collect();
            // Up to the last date and time shown (ties at the cut may be either way).
            let last = q.last().map(|x| (x.0, x.1.clone()));
            let shown: Vec<_> =
                all.iter().filter(|x| last.as_ref().is_none_or(|l| (x.0, x.1.clone()) > *l)).cloned().collect();
            q.retain(|x| last.as_ref().is_none_or(|l| (x.0, x.1.clone()) > *l));
            q.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)).then(a.2.cmp(&b.2)));
            assert_eq!(q, shown, "patient {p}");
            assert_eq!(quick.len(), all.len().min(100), "patient {p}");
        }
        // Members with their names in one query: as `describe` names them, in the same order.
        for g in 1..=i64::from(Scale::SMALL.groups) {
            let quick = crate::groups::membership::members(&conn, &ctx, g, today).unwrap();
            let mut current = Vec::new();
            let mut past = Vec::new();
            for r in conn
                .prepare("SELECT id, patient_id, family_member_id, left_on FROM group_memberships WHERE group_id = ?1 ORDER BY joined_on, id")
                .unwrap()
                .query_map([g], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<NaiveDate>>(3)?)))
                .unwrap()
            {
                let (id, p, f, left) = r.unwrap();
                let person = crate::groups::membership::Person::from_columns(p, f).unwrap();
                let (name, detail) = crate::groups::membership::describe(&conn, person).unwrap();
                if left.is_some_and(|l| l < today) { past.push((id, name, detail, left)) } else { current.push((id, name, detail, left)) }
            }
            current.sort_by_key(|a| a.1.to_lowercase());
            past.sort_by_key(|b| std::cmp::Reverse(b.3));
            let rows = |v: &[crate::groups::membership::MemberRow]| -> Vec<_> {
                v.iter().map(|m| (m.membership_id, m.name.clone(), m.family_of.clone(), m.left_on)).collect()
            };
            assert_eq!(rows(&quick.current), current, "group {g}");
            assert_eq!(rows(&quick.past), past, "group {g}");
        }
        assert!(!crate::groups::attendance::today(&conn, &ctx).unwrap().is_empty());

        // It never overwrites a file.
        assert_eq!(generate(&a, &Scale::SMALL, 1, today).unwrap_err().code(), "generate_exists");
    }
}
