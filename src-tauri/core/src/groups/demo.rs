//! The demo centre's groups: ten groups of the kinds a Nasha Mukti Kendra runs, a year
//! of history (members joining at admission and leaving at discharge, some dropping
//! out, realistic attendance, cancellations, moved sessions, a schedule change half a
//! year ago), and this week's schedule with one cancelled and one moved session.
//! Deterministic from the seed and `today`.
//!
//! Schedules, memberships and exceptions go through the same core functions staff use
//! (acting as a counsellor on the day in question). Attendance marks for the past year
//! are written directly (thousands of rows; auditing each would only bloat the demo's
//! audit log), as are the "took place" flags.
use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Transaction, params};

use super::attendance::Mark;
use super::conflicts::SaveOptions;
use super::membership::{self, FamilyMemberInput, LeaveReason, Person};
use super::recurrence::{Day, Freq, Rule};
use super::series::{self, OccurrenceChange, SeriesInput};
use super::{Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use crate::ctx::{Actor, Ctx, Role};
use crate::error::{Error, Result};

/// What the demo added, for tests and the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoGroups {
    pub groups: u32,
    pub sessions_held: u32,
    pub marks: u32,
    pub cancelled: u32,
}

struct Plan {
    name: &'static str,
    kind: GroupKind,
    topic: &'static str,
    audience: Audience,
    gender: GenderRule,
    capacity: Option<u32>,
    mandatory: bool,
    closed: bool,
    room: usize,
    /// Index into the counsellors.
    lead: Option<usize>,
    guest: &'static str,
    freq: Freq,
    interval: u32,
    days: &'static [Day],
    month_week: Option<i8>,
    time: &'static str,
    minutes: u32,
    /// Who joins: see `candidates`.
    who: Who,
}

#[derive(Clone, Copy, PartialEq)]
enum Who {
    AllInpatients,
    SomeInpatients(f64),
    Women,
    Aftercare,
    Families,
    Alcohol,
    Opioids,
}

const ROOMS: &[&str] = &["Main hall", "Counselling room 1", "Counselling room 2", "Family room", "Garden"];
const TOPICS: &[&str] = &[
    "Triggers at home",
    "Cravings and urges",
    "Saying no",
    "Sleep and routine",
    "Anger journal",
    "Trust with family",
    "Planning the first week home",
    "Step one",
    "Coping with stress",
    "Money and relapse",
];
const CANCEL_REASONS: &[&str] = &["Staff training", "Holi", "Diwali", "Power cut", "Counsellor on leave", "Heavy rain"];
const EXCUSES: &[&str] = &["Doctor's appointment", "Family visit", "Unwell", "Court date"];

fn plans() -> Vec<Plan> {
    use Day::*;
    let base = Plan {
        name: "",
        kind: GroupKind::GroupTherapy,
        topic: "",
        audience: Audience::Inpatients,
        gender: GenderRule::Any,
        capacity: None,
        mandatory: false,
        closed: false,
        room: 0,
        lead: Some(0),
        guest: "",
        freq: Freq::Weekly,
        interval: 1,
        days: &[Mo],
        month_week: None,
        time: "10:00",
        minutes: 60,
        who: Who::AllInpatients,
    };
    vec![
        Plan {
            name: "Morning sharing circle",
            kind: GroupKind::SharingCircle,
            mandatory: true,
            days: &[Mo, Tu, We, Th, Fr, Sa],
            time: "08:30",
            minutes: 45,
            ..base
        },
        Plan {
            name: "Anger management",
            topic: "Anger",
            capacity: Some(12),
            room: 1,
            lead: Some(2),
            days: &[Tu, Fr],
            time: "11:00",
            who: Who::SomeInpatients(0.45),
            ..base
        },
        Plan {
            name: "Relapse triggers",
            topic: "Relapse triggers",
            room: 2,
            lead: Some(1),
            days: &[Mo, Th],
            time: "15:00",
            minutes: 75,
            who: Who::SomeInpatients(0.6),
            ..base
        },
        Plan {
            name: "Stress and trauma",
            topic: "Trauma",
            capacity: Some(8),
            closed: true,
            room: 1,
            interval: 2,
            days: &[We],
            time: "11:00",
            minutes: 90,
            who: Who::SomeInpatients(0.25),
            ..base
        },
        Plan {
            name: "Life skills",
            topic: "Life skills",
            lead: Some(1),
            days: &[Sa],
            time: "10:30",
            minutes: 90,
            who: Who::SomeInpatients(0.7),
            ..base
        },
        Plan {
            name: "Family support group",
            kind: GroupKind::FamilySupport,
            audience: Audience::Families,
            room: 3,
            guest: "Dr. R. Bhatia",
            freq: Freq::Monthly,
            days: &[Su],
            month_week: Some(1),
            time: "11:00",
            minutes: 120,
            who: Who::Families,
            ..base
        },
        Plan {
            name: "Aftercare Thursday group",
            kind: GroupKind::Aftercare,
            audience: Audience::Aftercare,
            room: 2,
            lead: Some(2),
            days: &[Th],
            time: "18:00",
            minutes: 90,
            who: Who::Aftercare,
            ..base
        },
        Plan {
            name: "AA meeting",
            kind: GroupKind::HostedMeeting,
            topic: "AA",
            audience: Audience::Mixed,
            lead: None,
            guest: "AA Mohali group",
            days: &[We],
            time: "19:00",
            minutes: 75,
            who: Who::Alcohol,
            ..base
        },
        Plan {
            name: "SMART Recovery",
            kind: GroupKind::HostedMeeting,
            topic: "SMART Recovery",
            audience: Audience::Mixed,
            lead: None,
            guest: "Volunteer facilitator",
            room: 4,
            days: &[Mo],
            time: "17:30",
            who: Who::Opioids,
            ..base
        },
        Plan {
            name: "Women's circle",
            kind: GroupKind::SharingCircle,
            gender: GenderRule::WomenOnly,
            room: 3,
            lead: Some(1),
            days: &[We],
            time: "16:00",
            who: Who::Women,
            ..base
        },
    ]
}

struct Person0 {
    id: i64,
    female: bool,
    alcohol: bool,
    opioids: bool,
    family: Option<(String, String)>,
    /// (admitted, discharged)
    stays: Vec<(NaiveDate, Option<NaiveDate>)>,
}

fn people(tx: &Transaction<'_>) -> Result<Vec<Person0>> {
    let mut out: Vec<Person0> = tx
        .prepare("SELECT id, gender, substances, family_name, family_relation FROM patients ORDER BY id")?
        .query_map([], |r| {
            let subs: String = r.get(2)?;
            let family: String = r.get(3)?;
            let relation: String = r.get(4)?;
            Ok(Person0 {
                id: r.get(0)?,
                female: r.get::<_, String>(1)? == "female",
                alcohol: subs.contains("alcohol"),
                opioids: subs.contains("opioids"),
                family: (!family.is_empty()).then_some((family, relation)),
                stays: vec![],
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for p in &mut out {
        p.stays = tx
            .prepare("SELECT admitted_on, discharged_on FROM stays WHERE patient_id = ?1 ORDER BY admitted_on")?
            .query_map([p.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(out)
}

/// Adds the demo groups to a centre whose staff and patients already exist.
pub fn generate(tx: &Transaction<'_>, today: NaiveDate, seed: u64) -> Result<DemoGroups> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6772_6f75_7073);
    let counsellors: Vec<i64> = tx
        .prepare("SELECT id FROM staff WHERE role = 'counsellor' ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let lead = counsellors.first().copied();
    let at = |day: NaiveDate| Ctx::at(Actor { staff_id: lead, role: Role::Counsellor }, day);
    let start = today - Days::new(364);
    let sys = at(start);
    let mut rooms = vec![];
    for r in ROOMS {
        rooms.push(super::save_room(tx, &sys, None, r, true)?);
    }
    let everyone = people(tx)?;
    let mut summary = DemoGroups::default();
    for plan in plans() {
        let facilitators: Vec<i64> = plan.lead.and_then(|i| counsellors.get(i).copied()).into_iter().collect();
        let input = GroupInput {
            name: plan.name.into(),
            kind: plan.kind,
            topic: plan.topic.into(),
            audience: plan.audience,
            gender_rule: plan.gender,
            closed: plan.closed,
            mandatory: plan.mandatory,
            capacity: plan.capacity,
            default_room_id: Some(rooms[plan.room]),
            facilitators: facilitators.clone(),
            guest_facilitators: plan.guest.into(),
            status: GroupStatus::Active,
            notes: String::new(),
        };
        let group = super::create(tx, &sys, &input)?;
        summary.groups += 1;
        // Start on the first matching day on or after a year ago.
        let first = (0..7)
            .map(|i| start + Days::new(i))
            .find(|d| plan.days.contains(&Day::of(*d)) || plan.freq == Freq::Monthly)
            .unwrap_or(start);
        let series_input = SeriesInput {
            rule: Rule {
                freq: plan.freq,
                interval: plan.interval,
                weekdays: plan.days.to_vec(),
                month_week: plan.month_week,
                start: first,
                until: None,
                count: None,
            },
            start_time: plan.time.into(),
            duration_min: plan.minutes,
            room_id: Some(rooms[plan.room]),
            facilitators: facilitators.clone(),
        };
        let out = series::add(tx, &at(first), group, &series_input, &SaveOptions::default())?;
        let Some(series_id) = out.series_id.filter(|_| out.saved) else {
            return Err(Error::invalid("demo_clash", "schedule", format!("demo schedule of {} clashes", plan.name)));
        };
        // Half a year ago the relapse group moved from 15:00 to 16:00 ("change all").
        if plan.name == "Relapse triggers" {
            let on = today - Days::new(182);
            let changed = SeriesInput { start_time: "16:00".into(), ..series_input.clone() };
            series::edit(tx, &at(on), series_id, on, &changed, &SaveOptions::default())?;
        }
        join_members(tx, &mut rng, &plan, group, &everyone, start, today, &at)?;
        record_history(tx, &mut rng, group, start, today, &at, &mut summary)?;
    }
    this_week(tx, today, &at)?;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn join_members(
    tx: &Transaction<'_>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    group: i64,
    everyone: &[Person0],
    start: NaiveDate,
    today: NaiveDate,
    at: &impl Fn(NaiveDate) -> Ctx,
) -> Result<()> {
    // (who, join, leave, reason)
    let mut windows: Vec<(Person, NaiveDate, Option<(NaiveDate, LeaveReason)>)> = vec![];
    for p in everyone {
        for &(admitted, discharged) in &p.stays {
            if discharged.is_some_and(|d| d < start) {
                continue;
            }
            let join = admitted.max(start);
            let inpatient_window = |rng: &mut ChaCha8Rng| -> Option<(NaiveDate, LeaveReason)> {
                // Some leave early ("dropped out"); the rest stay until discharge.
                if rng.random_bool(0.08) {
                    let days = rng.random_range(10..40);
                    let left = join + Days::new(days);
                    if left < today && discharged.is_none_or(|d| left < d) {
                        return Some((left, LeaveReason::DroppedOut));
                    }
                }
                discharged.map(|d| (d, LeaveReason::Discharged))
            };
            match plan.who {
                Who::AllInpatients => {
                    windows.push((Person::Patient(p.id), join, discharged.map(|d| (d, LeaveReason::Discharged))))
                }
                Who::SomeInpatients(share) => {
                    if rng.random_bool(share) {
                        let w = inpatient_window(rng);
                        windows.push((Person::Patient(p.id), join + Days::new(rng.random_range(0..5)), w));
                    }
                }
                Who::Women => {
                    if p.female {
                        windows.push((Person::Patient(p.id), join, discharged.map(|d| (d, LeaveReason::Discharged))));
                    }
                }
                Who::Alcohol | Who::Opioids => {
                    let fits = if plan.who == Who::Alcohol { p.alcohol } else { p.opioids };
                    if fits && rng.random_bool(0.6) {
                        windows.push((Person::Patient(p.id), join, inpatient_window(rng)));
                    }
                }
                Who::Aftercare => {
                    // After discharge, weekly for a few months; a third drop out.
                    if let Some(d) = discharged
                        && rng.random_bool(0.55)
                    {
                        let j = d + Days::new(7);
                        if j >= today {
                            continue;
                        }
                        let leave = if rng.random_bool(0.35) {
                            Some((j + Days::new(rng.random_range(21..90)), LeaveReason::DroppedOut))
                        } else if rng.random_bool(0.3) {
                            Some((j + Days::new(rng.random_range(90..180)), LeaveReason::Completed))
                        } else {
                            None
                        };
                        windows.push((Person::Patient(p.id), j, leave.filter(|l| l.0 < today)));
                    }
                }
                Who::Families => {
                    if let Some((name, relation)) = &p.family
                        && rng.random_bool(0.35)
                    {
                        let fid = membership::add_family_member(
                            tx,
                            &at(join),
                            &FamilyMemberInput {
                                name: name.clone(),
                                relation: relation.clone(),
                                patient_id: p.id,
                                phone: String::new(),
                            },
                        )?;
                        windows.push((Person::Family(fid), join, discharged.map(|d| (d, LeaveReason::Completed))));
                    }
                }
            }
        }
    }
    // Replay joins and leaves in date order so capacity and the waiting list behave.
    enum Ev {
        Join(usize),
        Leave(usize),
    }
    let mut events: Vec<(NaiveDate, u8, Ev)> = vec![];
    for (i, w) in windows.iter().enumerate() {
        if w.1 > today {
            continue;
        }
        events.push((w.1, 1, Ev::Join(i)));
        if let Some((l, _)) = w.2
            && l < today
        {
            events.push((l, 0, Ev::Leave(i)));
        }
    }
    events.sort_by_key(|e| (e.0, e.1));
    let mut ids: Vec<Option<i64>> = vec![None; windows.len()];
    for (day, _, ev) in events {
        let ctx = at(day);
        match ev {
            Ev::Join(i) => {
                if let Ok(membership::JoinOutcome::Joined { membership_id }) =
                    membership::join(tx, &ctx, group, windows[i].0, day)
                {
                    ids[i] = Some(membership_id);
                }
            }
            Ev::Leave(i) => {
                if let (Some(id), Some((l, reason))) = (ids[i], windows[i].2) {
                    let l = l.max(windows[i].1);
                    if let Some(offer) = membership::leave(tx, &ctx, id, l, reason)? {
                        // Most offers are taken up a day later.
                        if rng.random_bool(0.8) {
                            let _ = membership::join(tx, &at(l + Days::new(1)), group, offer.person, l + Days::new(1));
                        } else {
                            membership::withdraw(tx, &ctx, offer.waitlist_id)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn record_history(
    tx: &Transaction<'_>,
    rng: &mut ChaCha8Rng,
    group: i64,
    start: NaiveDate,
    today: NaiveDate,
    at: &impl Fn(NaiveDate) -> Ctx,
    summary: &mut DemoGroups,
) -> Result<()> {
    let past = series::occurrences(tx, start, today - Days::new(1), Some(group))?;
    // In aftercare a few people stop coming in the last three weeks (the at-risk list's
    // "missed aftercare sessions in a row").
    let aftercare: bool =
        tx.query_row("SELECT kind = 'aftercare' FROM therapy_groups WHERE id = ?1", [group], |r| r.get(0))?;
    let stopped = |person: Person, on: NaiveDate| {
        aftercare && matches!(person, Person::Patient(id) if id % 4 == 1) && (today - on).num_days() <= 21
    };
    for o in past {
        let ctx = at(o.date);
        let roll: f64 = rng.random();
        // The last few days are sometimes not yet recorded ("attendance missing").
        let recent = (today - o.date).num_days() <= 5;
        if recent && rng.random_bool(0.25) {
            continue;
        }
        if roll < 0.035 {
            let reason = CANCEL_REASONS.choose(rng).copied().unwrap_or("Holiday");
            series::cancel_occurrence(tx, &ctx, o.series_id, o.original_date, reason)?;
            summary.cancelled += 1;
            continue;
        }
        let session = series::materialise(tx, &ctx, o.series_id, o.original_date)?;
        if roll < 0.05 {
            tx.execute(
                "UPDATE group_sessions SET held = 'not_held', not_held_reason = 'Facilitator could not come' WHERE id = ?1",
                [session],
            )?;
            continue;
        }
        let topic = TOPICS.choose(rng).copied().unwrap_or("");
        tx.execute("UPDATE group_sessions SET held = 'held', topic = ?2 WHERE id = ?1", params![session, topic])?;
        summary.sessions_held += 1;
        // Weekends and festival season are a little worse.
        let weekend = o.date.weekday().num_days_from_monday() >= 5;
        for (_, person) in membership::expected_on(tx, group, o.date)? {
            let reliability = match person {
                Person::Patient(id) | Person::Family(id) => 0.72 + ((id * 37) % 23) as f64 / 100.0,
            } - if weekend { 0.05 } else { 0.0 };
            let r: f64 = rng.random();
            let (mark, reason) = if stopped(person, o.date) {
                (Mark::Absent, "")
            } else if r < reliability {
                (Mark::Present, "")
            } else if r < reliability + 0.06 {
                (Mark::Late, "")
            } else if r < reliability + 0.10 {
                (Mark::Excused, EXCUSES.choose(rng).copied().unwrap_or(""))
            } else {
                (Mark::Absent, "")
            };
            let (p, f) = person.columns();
            tx.execute(
                "INSERT INTO group_attendance (session_id, patient_id, family_member_id, status, reason, recorded_at, recorded_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![session, p, f, mark, reason, ctx.stamp(), ctx.actor.staff_id],
            )?;
            summary.marks += 1;
        }
    }
    Ok(())
}

/// The coming days: one session cancelled, one moved to the next day, and one moved into
/// the hall while the morning circle still uses it (saved with a recorded reason, so the
/// week view shows a clash).
fn this_week(tx: &Transaction<'_>, today: NaiveDate, at: &impl Fn(NaiveDate) -> Ctx) -> Result<()> {
    let ctx = at(today);
    let ahead = series::occurrences(tx, today + Days::new(1), today + Days::new(7), None)?;
    if let Some(o) = ahead.iter().find(|o| o.group_name == "Life skills") {
        series::cancel_occurrence(tx, &ctx, o.series_id, o.original_date, "Counsellor on leave")?;
    }
    // Relapse triggers moves to the next day once.
    if let Some(o) = ahead.iter().find(|o| o.group_name == "Relapse triggers") {
        let change = OccurrenceChange {
            date: o.date + Days::new(1),
            start_time: o.start_time.clone(),
            duration_min: o.duration_min,
            room_id: o.room_id,
            facilitators: o.facilitators.clone(),
        };
        series::move_occurrence(tx, &ctx, o.series_id, o.original_date, &change, &SaveOptions::default())?;
    }
    // Anger management moves into the hall while the morning circle is still there.
    let anger = ahead.iter().find(|o| o.group_name == "Anger management");
    let circle =
        anger.and_then(|a| ahead.iter().find(|c| c.group_name == "Morning sharing circle" && c.date == a.date));
    if let (Some(o), Some(c)) = (anger, circle) {
        let change = OccurrenceChange {
            date: c.date,
            start_time: "09:00".into(),
            duration_min: o.duration_min,
            room_id: c.room_id,
            facilitators: o.facilitators.clone(),
        };
        let why = SaveOptions { dry_run: false, override_reason: Some("Room 1 is being painted".into()) };
        series::move_occurrence(tx, &ctx, o.series_id, o.original_date, &change, &why)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Store;

    #[test]
    fn the_demo_centre_has_a_year_of_groups() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        crate::demo::generate(&mut store, today, 7).unwrap();
        let c = store.conn();
        let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(n("SELECT count(*) FROM therapy_groups"), 10);
        assert!(n("SELECT count(*) FROM group_sessions WHERE held = 'held'") > 600);
        assert!(n("SELECT count(*) FROM group_attendance") > 4000);
        assert!(n("SELECT count(*) FROM group_sessions WHERE cancelled = 1") > 10);
        assert!(n("SELECT count(*) FROM group_memberships WHERE leave_reason = 'dropped_out'") > 5);
        assert!(n("SELECT count(*) FROM group_memberships WHERE family_member_id IS NOT NULL") > 3);
        let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, today);
        let week = series::schedule(c, &ctx, today, today + Days::new(6), None).unwrap();
        assert!(week.len() > 15);
        assert!(week.iter().any(|o| o.cancelled) && week.iter().any(|o| o.moved));
        assert_eq!(week.iter().filter(|o| o.conflict).count(), 2, "the hall clash this week");
        // Deterministic.
        let mut again = Store::open_in_memory().unwrap();
        crate::demo::generate(&mut again, today, 7).unwrap();
        let dump = |s: &Store| -> Vec<(i64, String)> {
            s.conn()
                .prepare("SELECT session_id, status FROM group_attendance ORDER BY id")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        assert_eq!(dump(&store), dump(&again));
    }
}
