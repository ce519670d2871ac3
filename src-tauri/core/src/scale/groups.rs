//! The generated centre's groups: in-patient sharing circles (one per ward), counsellor-led
//! therapy on stress, anger, trauma and relapse triggers, a women's circle, family support,
//! aftercare groups and hosted AA / NA / SMART Recovery meetings, over the whole period.
//!
//! What staff do rarely goes through the groups module's own operations, on the day it
//! happens: rooms, groups, schedules (`series::add`), schedule changes (`series::edit`),
//! new batches replacing finished groups (`series::stop`, `groups::update`), joining and
//! leaving (`membership::join` / `leave`, with capacity, waiting list and offers), family
//! members, cancelled and moved sessions. In-patients join their ward's circle and some
//! therapy groups a few days after admission and leave at discharge; discharged people
//! join an aftercare group through the discharge dialog's own operation (see `mod.rs`).
//!
//! Attendance, the bulk of the history, is written directly, as the attendance sheet
//! writes it: the session row that `series::materialise` stores (with "took place" and the
//! topic that `attendance::set_held` records), then one row per expected member (or drop-in)
//! with the fields `attendance::mark` / `add_dropin` write. Like the demo centre, the marks
//! are not audited one by one (a million audit entries would dwarf everything else).
//!
//! Every schedule gets a cell of its own in a grid of (time block, room, facilitator), so no
//! two schedules ever clash and every save goes through the clash check unchanged.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::ctx::{Actor, Ctx, Role};
use crate::error::{Error, Result};
use crate::groups::attendance::Mark;
use crate::groups::conflicts::SaveOptions;
use crate::groups::membership::{self, FamilyMemberInput, JoinOutcome, LeaveReason, Offer, Person};
use crate::groups::recurrence::{Day, Freq, Rule};
use crate::groups::series::{self, OccurrenceChange, SeriesInput};
use crate::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use crate::patients::{Gender, PatientDetails, Substance};

/// Start of each time block; a schedule never runs past two hours after its block starts.
const BLOCKS: [(u32, u32); 5] = [(8, 0), (10, 30), (13, 30), (16, 0), (18, 30)];
const ROOMS: [&str; 10] = [
    "Main hall",
    "Hall 2",
    "Counselling room 1",
    "Counselling room 2",
    "Counselling room 3",
    "Counselling room 4",
    "Family room",
    "Garden room",
    "Library",
    "Yoga room",
];

struct TopicDef {
    name: &'static str,
    topic: &'static str,
    days: &'static [Day],
    interval: u32,
    minutes: u32,
    capacity: Option<u32>,
    closed: bool,
    /// Share of in-patients who join.
    share: f64,
}

const TOPICS: [TopicDef; 4] = [
    TopicDef {
        name: "Coping with stress",
        topic: "Stress",
        days: &[Day::Tu],
        interval: 1,
        minutes: 60,
        capacity: None,
        closed: false,
        share: 0.3,
    },
    TopicDef {
        name: "Anger management",
        topic: "Anger",
        days: &[Day::We],
        interval: 1,
        minutes: 60,
        capacity: Some(15),
        closed: false,
        share: 0.3,
    },
    TopicDef {
        name: "Trauma and healing",
        topic: "Trauma",
        days: &[Day::Fr],
        interval: 2,
        minutes: 90,
        capacity: Some(10),
        closed: true,
        share: 0.15,
    },
    TopicDef {
        name: "Relapse triggers",
        topic: "Relapse triggers",
        days: &[Day::Mo, Day::Th],
        interval: 1,
        minutes: 75,
        capacity: None,
        closed: false,
        share: 0.4,
    },
];

struct MeetingDef {
    name: &'static str,
    topic: &'static str,
    guest: &'static str,
    day: Day,
}

const MEETINGS: [MeetingDef; 3] = [
    MeetingDef { name: "AA meeting", topic: "AA", guest: "AA Ludhiana group", day: Day::We },
    MeetingDef { name: "NA meeting", topic: "NA", guest: "NA Punjab area", day: Day::Fr },
    MeetingDef { name: "SMART Recovery", topic: "SMART Recovery", guest: "Volunteer facilitator", day: Day::Mo },
];

const WARD_DAYS: [&[Day]; 2] = [&[Day::Mo, Day::We, Day::Fr], &[Day::Tu, Day::Th, Day::Sa]];
const AFTERCARE_DAYS: [Day; 4] = [Day::Mo, Day::Tu, Day::Th, Day::Sa];
const SESSION_TOPICS: [&str; 12] = [
    "Triggers at home",
    "Cravings and urges",
    "Saying no",
    "Sleep and routine",
    "Anger journal",
    "Trust with family",
    "Planning the first week home",
    "Coping with stress",
    "Money and relapse",
    "घर लौटने की तैयारी",
    "ਪਰਿਵਾਰ ਨਾਲ ਗੱਲਬਾਤ",
    "Work and recovery",
];
const CANCEL_REASONS: [&str; 4] = ["Counsellor on leave", "Power cut", "Heavy rain", "Room needed for a visit"];
const CLOSED_REASONS: [&str; 4] = ["Diwali", "Holi", "Staff training day", "Guru Nanak Jayanti"];
const EXCUSES: [&str; 5] = ["Doctor's appointment", "Family visit", "Unwell", "Court date", "डॉक्टर के पास"];
const VISITORS: [&str; 6] = ["Ramesh (visitor)", "सुनील वर्मा", "ਜਸਪਾਲ ਸਿੰਘ", "Visitor from Jalandhar", "अनिल", "Rakesh"];
const NOTES: [&str; 3] =
    ["Two members quiet; follow up one to one.", "Good sharing about cravings.", "Tension between two members."];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ward,
    Topic(usize),
    Women,
    Family,
    Aftercare,
    Hosted(usize),
}

impl Kind {
    fn inpatient(self) -> bool {
        matches!(self, Kind::Ward | Kind::Topic(_) | Kind::Women)
    }
}

struct Slot {
    kind: Kind,
    ordinal: usize,
    room: i64,
    facilitator: Option<i64>,
    block: usize,
    rule: Rule,
    minutes: u32,
    /// The instance running now.
    current: Option<usize>,
}

/// One group (a row of `therapy_groups`): a slot's run between two dates.
struct Instance {
    slot: usize,
    name: String,
    from: NaiveDate,
    /// No sessions from this day on (the group is finished).
    until: Option<NaiveDate>,
    /// (valid from, input, id once created)
    series: Vec<(NaiveDate, SeriesInput, i64)>,
    group_id: i64,
    /// Members whose membership has not ended before the day being simulated.
    members: Vec<Member>,
    /// Days on or after which the next session is moved.
    moves: Vec<NaiveDate>,
}

#[derive(Clone, Copy)]
struct Member {
    person: Person,
    membership: i64,
    joined: NaiveDate,
    left: Option<NaiveDate>,
    reliability: f64,
    /// Stops coming from this day (absent), before dropping out or at the end.
    fades_from: Option<NaiveDate>,
}

#[derive(Clone)]
struct Attrs {
    female: bool,
    alcohol: bool,
    opioids: bool,
    family: Option<FamilyMemberInput>,
}

enum Life {
    Start(usize),
    /// The old instance finishes and the new one takes its members.
    Replace(usize, usize),
}

enum Pending {
    /// Join the slot's current group, if (the patient is) still an in-patient.
    Join {
        slot: usize,
        person: Person,
        patient: i64,
        leave_after: Option<(u64, LeaveReason)>,
    },
    Leave {
        membership: i64,
        reason: LeaveReason,
    },
    /// A place offered to someone on the waiting list: they take it (if still in-patient).
    Offer {
        slot: usize,
        offer: Offer,
    },
}

pub(super) struct GroupSim {
    rng: ChaCha8Rng,
    start: NaiveDate,
    today: NaiveDate,
    slots: Vec<Slot>,
    inst: Vec<Instance>,
    /// Occurrences by day (offset from `start`): (instance, series index).
    calendar: Vec<Vec<(usize, usize)>>,
    lifecycle: BTreeMap<NaiveDate, Vec<Life>>,
    pending: BTreeMap<NaiveDate, Vec<Pending>>,
    /// The last day whose queue has run.
    done: NaiveDate,
    /// Sessions moved to the next day, recorded on that day: (instance, session id).
    moved: BTreeMap<NaiveDate, Vec<(usize, i64)>>,
    closed_days: HashMap<NaiveDate, &'static str>,
    people: HashMap<i64, Attrs>,
    inpatients: HashSet<i64>,
    /// Patient → open memberships (theirs and their family member's).
    open: HashMap<i64, Vec<i64>>,
    /// Membership → (instance, owning patient).
    memberships: HashMap<i64, (usize, i64)>,
    family_of: HashMap<i64, i64>,
    /// Leaves planned for a later day, by membership.
    planned: HashMap<i64, (NaiveDate, LeaveReason)>,
    counsellors: Vec<i64>,
    front_desk: Vec<i64>,
}

fn at(staff: Option<i64>, role: Role, day: NaiveDate) -> Ctx {
    Ctx::at(Actor { staff_id: staff, role }, day)
}

fn block_time(block: usize, shift: u32) -> String {
    let (h, m) = BLOCKS[block.min(BLOCKS.len() - 1)];
    let t = h * 60 + m + shift;
    format!("{:02}:{:02}", t / 60, t % 60)
}

fn weekly(days: &[Day], interval: u32, start: NaiveDate) -> Rule {
    Rule { freq: Freq::Weekly, interval, weekdays: days.to_vec(), month_week: None, start, until: None, count: None }
}

impl GroupSim {
    /// Plans every group of the period and makes the rooms (on the first day).
    pub(super) fn plan(
        tx: &Transaction<'_>,
        wards: u32,
        groups: u32,
        seed: u64,
        start: NaiveDate,
        today: NaiveDate,
        staff: &[(i64, Role)],
    ) -> Result<GroupSim> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0067_726f_7570_7331);
        let counsellors: Vec<i64> = staff.iter().filter(|s| s.1 == Role::Counsellor).map(|s| s.0).collect();
        let front_desk: Vec<i64> = staff.iter().filter(|s| s.1 == Role::FrontDesk).map(|s| s.0).collect();
        let lead = counsellors.first().copied().or(staff.first().map(|s| s.0));
        let ctx = at(lead, Role::Counsellor, start);
        let mut rooms = Vec::new();
        for name in ROOMS {
            rooms.push(groups::save_room(tx, &ctx, None, name, true)?);
        }
        // The grid: a cell is (block, k); room k and facilitator k + block are its own.
        let width = rooms.len().min(counsellors.len()).max(1);
        let mut free: Vec<Vec<bool>> = vec![vec![true; width]; BLOCKS.len()];
        let mut take = |prefer: &[usize]| -> Option<(usize, usize)> {
            let all: Vec<usize> = prefer.iter().copied().chain(0..BLOCKS.len()).collect();
            for b in all {
                if let Some(k) = free[b].iter().position(|f| *f) {
                    free[b][k] = false;
                    return Some((b, k));
                }
            }
            None
        };
        let per_topic = wards.div_ceil(3).max(1) as usize;
        let mut kinds: Vec<(Kind, usize)> = Vec::new();
        kinds.extend((0..wards.max(1) as usize).map(|i| (Kind::Ward, i)));
        for t in 0..TOPICS.len() {
            kinds.extend((0..per_topic).map(|i| (Kind::Topic(t), i)));
        }
        kinds.push((Kind::Women, 0));
        kinds.extend((0..wards.div_ceil(4).max(1) as usize).map(|i| (Kind::Family, i)));
        kinds.extend((0..wards.div_ceil(2).max(1) as usize).map(|i| (Kind::Aftercare, i)));
        kinds.extend((0..wards.div_ceil(5).max(1) as usize).map(|i| (Kind::Hosted(0), i)));
        kinds.extend((1..MEETINGS.len()).map(|m| (Kind::Hosted(m), 0)));
        let mut slots = Vec::new();
        for (kind, ordinal) in kinds {
            let prefer: &[usize] = match kind {
                Kind::Ward => &[0, 1],
                Kind::Topic(_) => &[1, 2, 3],
                Kind::Women | Kind::Family => &[3, 2],
                Kind::Aftercare | Kind::Hosted(_) => &[4, 3],
            };
            let Some((block, k)) = take(prefer) else { break };
            let (rule, minutes) = match kind {
                Kind::Ward => (weekly(WARD_DAYS[ordinal % WARD_DAYS.len()], 1, start), 45),
                Kind::Topic(t) => (weekly(TOPICS[t].days, TOPICS[t].interval, start), TOPICS[t].minutes),
                Kind::Women => (weekly(&[Day::We], 1, start), 60),
                Kind::Family if ordinal % 2 == 0 => (
                    Rule {
                        freq: Freq::Monthly,
                        interval: 1,
                        weekdays: vec![Day::Su],
                        month_week: Some(1),
                        start,
                        until: None,
                        count: None,
                    },
                    120,
                ),
                Kind::Family => (weekly(&[Day::Sa], 2, start), 90),
                Kind::Aftercare => (weekly(&[AFTERCARE_DAYS[ordinal % AFTERCARE_DAYS.len()]], 1, start), 90),
                Kind::Hosted(m) => (weekly(&[Day::ALL[(MEETINGS[m].day as usize + 3 * ordinal) % 7]], 1, start), 75),
            };
            let facilitator = match kind {
                Kind::Hosted(_) => None,
                _ => counsellors.get((k + block) % counsellors.len().max(1)).copied(),
            };
            slots.push(Slot { kind, ordinal, room: rooms[k], facilitator, block, rule, minutes, current: None });
        }
        // New batches: split the timelines of the slots that rotate until there are
        // `groups` groups in all.
        let mut splits: Vec<Vec<NaiveDate>> = vec![Vec::new(); slots.len()];
        let rotating: Vec<usize> = (0..slots.len()).filter(|&i| slots[i].kind != Kind::Ward).collect();
        let span = (today - start).num_days();
        let extra = (groups as usize).saturating_sub(slots.len());
        for n in 0..extra {
            if rotating.is_empty() || span < 400 {
                break;
            }
            let s = rotating[n % rotating.len()];
            for _ in 0..20 {
                let d = start + Days::new(rng.random_range(150..(span - 90).max(151)) as u64);
                if splits[s].iter().all(|x| (*x - d).num_days().abs() > 120) {
                    splits[s].push(d);
                    break;
                }
            }
        }
        let mut sim = GroupSim {
            rng,
            start,
            today,
            slots,
            inst: Vec::new(),
            calendar: vec![Vec::new(); span.max(0) as usize + 2],
            lifecycle: BTreeMap::new(),
            pending: BTreeMap::new(),
            done: start - Days::new(1),
            moved: BTreeMap::new(),
            closed_days: HashMap::new(),
            people: HashMap::new(),
            inpatients: HashSet::new(),
            open: HashMap::new(),
            memberships: HashMap::new(),
            family_of: HashMap::new(),
            planned: HashMap::new(),
            counsellors,
            front_desk,
        };
        for (s, mut cuts) in splits.into_iter().enumerate() {
            cuts.sort();
            let mut from = start;
            let mut prev: Option<usize> = None;
            for (n, until) in cuts.iter().map(|c| Some(*c)).chain([None]).enumerate() {
                let i = sim.instance(s, n, from, until);
                match prev {
                    None => sim.lifecycle.entry(from).or_default().push(Life::Start(i)),
                    Some(p) => sim.lifecycle.entry(from).or_default().push(Life::Replace(p, i)),
                }
                prev = Some(i);
                if let Some(u) = until {
                    from = u;
                }
            }
        }
        // The centre is closed on a few days a year; every session that day is cancelled.
        let mut d = start;
        while d < today {
            let closed = d + Days::new(sim.rng.random_range(40..200));
            let reason = *CLOSED_REASONS.choose(&mut sim.rng).unwrap_or(&"Holiday");
            sim.closed_days.insert(closed, reason);
            d = closed;
        }
        Ok(sim)
    }

    /// Plans one instance: its name, series (one schedule change for some) and moves,
    /// and puts its sessions on the calendar.
    fn instance(&mut self, s: usize, n: usize, from: NaiveDate, until: Option<NaiveDate>) -> usize {
        let slot = &self.slots[s];
        let base = match slot.kind {
            Kind::Ward => format!("Sharing circle, ward {}", slot.ordinal + 1),
            Kind::Topic(t) if self.slots.iter().filter(|x| x.kind == slot.kind).count() > 1 => {
                format!("{} {}", TOPICS[t].name, ["A", "B", "C", "D"][slot.ordinal % 4])
            }
            Kind::Topic(t) => TOPICS[t].name.to_owned(),
            Kind::Women => "Women's circle".to_owned(),
            Kind::Family if slot.ordinal % 2 == 1 => "ਪਰਿਵਾਰ ਸਹਾਇਤਾ ਸਮੂਹ (family support)".to_owned(),
            Kind::Family => "Family support group".to_owned(),
            Kind::Aftercare => {
                let day = ["Monday", "Tuesday", "Thursday", "Saturday"][slot.ordinal % 4];
                format!("Aftercare {day} evening")
            }
            Kind::Hosted(m) if slot.ordinal == 0 => MEETINGS[m].name.to_owned(),
            Kind::Hosted(m) => {
                let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
                let day = slot.rule.weekdays.first().map_or("", |d| names[*d as usize]);
                format!("{}, {day}", MEETINGS[m].name)
            }
        };
        let name = if n == 0 { base } else { format!("{base} ({})", from.year()) };
        let input = |rule: Rule, shift: u32| SeriesInput {
            rule,
            start_time: block_time(slot.block, shift),
            duration_min: slot.minutes,
            room_id: Some(slot.room),
            facilitators: slot.facilitator.into_iter().collect(),
        };
        let end = until.unwrap_or(self.today);
        let mut series = vec![(from, input(Rule { start: from, ..slot.rule.clone() }, 0), 0)];
        let days = (end - from).num_days();
        // A third of the groups change their schedule once ("change all" from a date).
        if days > 200 && self.rng.random_bool(0.35) {
            let on = from + Days::new(self.rng.random_range(90..days as u64 - 60));
            let mut rule = Rule { start: on, ..slot.rule.clone() };
            let shift = if slot.minutes <= 90 && self.rng.random_bool(0.5) { 30 } else { 0 };
            if shift == 0 {
                match rule.freq {
                    Freq::Weekly => {
                        rule.weekdays = rule.weekdays.iter().map(|d| Day::ALL[(*d as usize + 1) % 6]).collect()
                    }
                    _ => rule.month_week = Some(3),
                }
            }
            series.push((on, input(rule, shift), 0));
        }
        let mut moves = Vec::new();
        let mut d = from;
        loop {
            d = d + Days::new(self.rng.random_range(200..700));
            if d >= end {
                break;
            }
            moves.push(d);
        }
        let i = self.inst.len();
        for (j, (valid_from, input, _)) in series.iter().enumerate() {
            let next = series.get(j + 1).map(|x| x.0).unwrap_or(end);
            let Some(last) = next.pred_opt() else { continue };
            for date in input.rule.expand(*valid_from, last) {
                if let Some(day) = self.calendar.get_mut((date - self.start).num_days().max(0) as usize) {
                    day.push((i, j));
                }
            }
        }
        self.inst.push(Instance { slot: s, name, from, until, series, group_id: 0, members: Vec::new(), moves });
        i
    }

    fn lead(&self, i: usize) -> Option<i64> {
        self.slots[self.inst[i].slot].facilitator.or(self.counsellors.first().copied())
    }

    fn counsellor_ctx(&self, i: usize, day: NaiveDate) -> Ctx {
        at(self.lead(i), Role::Counsellor, day)
    }

    fn desk_ctx(&mut self, day: NaiveDate) -> Ctx {
        let id = self.front_desk.choose(&mut self.rng).copied().or(self.counsellors.first().copied());
        at(id, Role::FrontDesk, day)
    }

    fn create(&mut self, tx: &Transaction<'_>, i: usize) -> Result<()> {
        let slot = &self.slots[self.inst[i].slot];
        let (kind, topic, audience, gender, capacity, closed, mandatory, guest) = match slot.kind {
            Kind::Ward => (GroupKind::SharingCircle, "", Audience::Inpatients, GenderRule::Any, None, false, true, ""),
            Kind::Topic(t) => {
                let d = &TOPICS[t];
                (
                    GroupKind::GroupTherapy,
                    d.topic,
                    Audience::Inpatients,
                    GenderRule::Any,
                    d.capacity,
                    d.closed,
                    false,
                    "",
                )
            }
            Kind::Women => {
                (GroupKind::SharingCircle, "", Audience::Inpatients, GenderRule::WomenOnly, None, false, false, "")
            }
            Kind::Family => {
                (GroupKind::FamilySupport, "", Audience::Families, GenderRule::Any, None, false, false, "Dr. R. Bhatia")
            }
            Kind::Aftercare => (GroupKind::Aftercare, "", Audience::Aftercare, GenderRule::Any, None, false, false, ""),
            Kind::Hosted(m) => {
                let d = &MEETINGS[m];
                (GroupKind::HostedMeeting, d.topic, Audience::Mixed, GenderRule::Any, None, false, false, d.guest)
            }
        };
        let input = GroupInput {
            name: self.inst[i].name.clone(),
            kind,
            topic: topic.into(),
            audience,
            gender_rule: gender,
            closed,
            mandatory,
            capacity,
            default_room_id: Some(slot.room),
            facilitators: slot.facilitator.into_iter().collect(),
            guest_facilitators: guest.into(),
            status: GroupStatus::Active,
            notes: String::new(),
        };
        let ctx = self.counsellor_ctx(i, self.inst[i].from);
        let group = groups::create(tx, &ctx, &input)?;
        let out = series::add(tx, &ctx, group, &self.inst[i].series[0].1, &SaveOptions::default())?;
        let Some(id) = out.series_id.filter(|_| out.saved) else {
            return Err(Error::invalid("generate_clash", "schedule", format!("{} clashes", input.name)));
        };
        self.inst[i].group_id = group;
        self.inst[i].series[0].2 = id;
        let s = self.inst[i].slot;
        self.slots[s].current = Some(i);
        Ok(())
    }

    fn finish(&mut self, tx: &Transaction<'_>, i: usize, on: NaiveDate) -> Result<()> {
        let ctx = self.counsellor_ctx(i, on);
        if let Some(last) = self.inst[i].series.iter().rev().find(|s| s.2 != 0) {
            series::stop(tx, &ctx, last.2, on)?;
        }
        let group = self.inst[i].group_id;
        let mut input = groups::load_input(tx, group)?;
        input.status = if self.rng.random_bool(0.1) { GroupStatus::Cancelled } else { GroupStatus::Finished };
        groups::update(tx, &ctx, group, &input)?;
        // Nobody waits for a group that has finished.
        let waiting: Vec<i64> = tx
            .prepare(
                "SELECT id FROM group_waitlist WHERE group_id = ?1 AND status IN ('waiting', 'offered') ORDER BY id",
            )?
            .query_map([group], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for w in waiting {
            membership::withdraw(tx, &ctx, w)?;
        }
        Ok(())
    }

    /// The day's changes to groups and schedules, then joins and leaves that fall due.
    pub(super) fn begin_day(&mut self, tx: &Transaction<'_>, day: NaiveDate) -> Result<()> {
        for life in self.lifecycle.remove(&day).unwrap_or_default() {
            match life {
                Life::Start(i) => self.create(tx, i)?,
                Life::Replace(old, new) => {
                    self.finish(tx, old, day)?;
                    self.create(tx, new)?;
                    let ctx = self.counsellor_ctx(old, day);
                    let movers: Vec<Member> =
                        self.inst[old].members.iter().filter(|m| m.left.is_none()).copied().collect();
                    for m in movers {
                        let owner = self.memberships.get(&m.membership).map_or(0, |x| x.1);
                        let planned = self.planned.remove(&m.membership);
                        let left = day.pred_opt().unwrap_or(day).max(m.joined);
                        self.leave(tx, &ctx, m.membership, left, LeaveReason::MovedGroup)?;
                        let joined = self.join(tx, &ctx, new, m.person, owner, day)?;
                        // They leave the new group when they would have left the old one.
                        if let (Some(id), Some((on, reason))) = (joined, planned) {
                            self.later(on, Pending::Leave { membership: id, reason });
                        }
                        // Those fading away keep fading in the new group.
                        if let Some(id) = joined
                            && let Some(n) = self.inst[new].members.iter_mut().find(|n| n.membership == id)
                        {
                            n.fades_from = m.fades_from;
                            n.reliability = m.reliability;
                        }
                    }
                }
            }
        }
        // Schedule changes fall on the day their series starts.
        for i in 0..self.inst.len() {
            if self.inst[i].group_id == 0 {
                continue;
            }
            for j in 1..self.inst[i].series.len() {
                if self.inst[i].series[j].0 == day && self.inst[i].series[j].2 == 0 {
                    let ctx = self.counsellor_ctx(i, day);
                    let old = self.inst[i].series[j - 1].2;
                    let out = series::edit(tx, &ctx, old, day, &self.inst[i].series[j].1, &SaveOptions::default())?;
                    let Some(id) = out.series_id.filter(|_| out.saved) else {
                        return Err(Error::invalid("generate_clash", "schedule", "a schedule change clashes"));
                    };
                    self.inst[i].series[j].2 = id;
                }
            }
        }
        self.done = day;
        for p in self.pending.remove(&day).unwrap_or_default() {
            self.run_pending(tx, p, day)?;
        }
        Ok(())
    }

    fn run_pending(&mut self, tx: &Transaction<'_>, p: Pending, day: NaiveDate) -> Result<()> {
        match p {
            Pending::Join { slot, person, patient, leave_after } => {
                if !self.inpatients.contains(&patient) {
                    return Ok(());
                }
                let Some(i) = self.slots[slot].current else { return Ok(()) };
                let ctx = self.desk_ctx(day);
                if let Some(id) = self.join(tx, &ctx, i, person, patient, day)?
                    && let Some((after, reason)) = leave_after
                {
                    self.later(day + Days::new(after), Pending::Leave { membership: id, reason });
                }
            }
            Pending::Leave { membership, reason } => {
                if self.memberships.contains_key(&membership) {
                    let ctx = self.desk_ctx(day);
                    self.leave(tx, &ctx, membership, day, reason)?;
                }
            }
            Pending::Offer { slot, offer } => {
                let still = match offer.person {
                    Person::Patient(id) => self.inpatients.contains(&id),
                    Person::Family(_) => true,
                };
                let ctx = self.desk_ctx(day);
                let current = self.slots[slot].current.filter(|&i| {
                    tx.query_row(
                        "SELECT 1 FROM group_waitlist WHERE id = ?1 AND group_id = ?2 AND status = 'offered'",
                        params![offer.waitlist_id, self.inst[i].group_id],
                        |_| Ok(()),
                    )
                    .optional()
                    .ok()
                    .flatten()
                    .is_some()
                });
                match (current, offer.person) {
                    (Some(i), Person::Patient(id)) if still => {
                        self.join(tx, &ctx, i, offer.person, id, day)?;
                    }
                    (Some(_), _) => {
                        if let Some(next) = membership::withdraw(tx, &ctx, offer.waitlist_id)? {
                            self.later(day + Days::new(1), Pending::Offer { slot, offer: next });
                        }
                    }
                    (None, _) => {}
                }
            }
        }
        Ok(())
    }

    /// Queues `p` for `day` (or the next day whose queue has not run yet).
    fn later(&mut self, day: NaiveDate, p: Pending) {
        let day = if day <= self.done { self.done + Days::new(1) } else { day };
        if let Pending::Leave { membership, reason } = &p {
            self.planned.insert(*membership, (day, *reason));
        }
        if day < self.today {
            self.pending.entry(day).or_default().push(p);
        }
    }

    /// Joins through the groups module; returns the membership when they joined.
    fn join(
        &mut self,
        tx: &Transaction<'_>,
        ctx: &Ctx,
        i: usize,
        person: Person,
        patient: i64,
        day: NaiveDate,
    ) -> Result<Option<i64>> {
        let group = self.inst[i].group_id;
        match membership::join(tx, ctx, group, person, day) {
            Ok(JoinOutcome::Joined { membership_id }) => {
                let reliability = self.rng.random_range(0.62..0.97);
                self.inst[i].members.push(Member {
                    person,
                    membership: membership_id,
                    joined: day,
                    left: None,
                    reliability,
                    fades_from: None,
                });
                self.memberships.insert(membership_id, (i, patient));
                self.open.entry(patient).or_default().push(membership_id);
                Ok(Some(membership_id))
            }
            Ok(JoinOutcome::Waitlisted { .. }) => Ok(None),
            // Already a member (a family member whose relative came back): nothing to do.
            Err(Error::Invalid { code: "already_member", .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn leave(
        &mut self,
        tx: &Transaction<'_>,
        ctx: &Ctx,
        membership_id: i64,
        on: NaiveDate,
        reason: LeaveReason,
    ) -> Result<()> {
        let Some((i, patient)) = self.memberships.remove(&membership_id) else { return Ok(()) };
        self.planned.remove(&membership_id);
        let Some(m) = self.inst[i].members.iter_mut().find(|m| m.membership == membership_id) else {
            return Ok(());
        };
        let on = on.max(m.joined);
        m.left = Some(on);
        if let Some(open) = self.open.get_mut(&patient) {
            open.retain(|x| *x != membership_id);
        }
        let slot = self.inst[i].slot;
        if let Some(offer) = membership::leave(tx, ctx, membership_id, on, reason)? {
            self.later(on + Days::new(1), Pending::Offer { slot, offer });
        }
        Ok(())
    }

    /// The slots of a kind, fewest current members first.
    fn emptiest(&self, kind: impl Fn(Kind) -> bool) -> Option<usize> {
        (0..self.slots.len())
            .filter(|&s| kind(self.slots[s].kind))
            .filter_map(|s| self.slots[s].current.map(|i| (s, i)))
            .min_by_key(|&(s, i)| (self.inst[i].members.iter().filter(|m| m.left.is_none()).count(), s))
            .map(|(s, _)| s)
    }

    fn full(&self, s: usize) -> bool {
        let Some(i) = self.slots[s].current else { return true };
        let cap = match self.slots[s].kind {
            Kind::Topic(t) => TOPICS[t].capacity,
            _ => None,
        };
        cap.is_some_and(|c| self.inst[i].members.iter().filter(|m| m.left.is_none()).count() as u32 >= c)
    }

    /// A new admission (or re-admission): the ward's circle and some therapy groups a few
    /// days later, the women's circle, a hosted meeting, and sometimes a relative in the
    /// family group.
    pub(super) fn admitted(
        &mut self,
        tx: &Transaction<'_>,
        ctx: &Ctx,
        patient: i64,
        details: Option<&PatientDetails>,
        day: NaiveDate,
    ) -> Result<()> {
        if let Some(d) = details {
            let has = |s: Substance| d.substances.contains(&s);
            let family = (!d.family_name.is_empty()).then(|| FamilyMemberInput {
                name: d.family_name.clone(),
                relation: d.family_relation.clone(),
                patient_id: patient,
                phone: d.family_phone.clone(),
            });
            let attrs = Attrs {
                female: d.gender == Gender::Female,
                alcohol: has(Substance::Alcohol),
                opioids: has(Substance::Opioids),
                family,
            };
            self.people.insert(patient, attrs);
        }
        self.inpatients.insert(patient);
        let Some(a) = self.people.get(&patient).cloned() else { return Ok(()) };
        let me = Person::Patient(patient);
        let join = |slot| Pending::Join { slot, person: me, patient, leave_after: None };
        if let Some(s) = self.emptiest(|k| k == Kind::Ward) {
            let p = join(s);
            let when = day + Days::new(self.rng.random_range(0..2));
            self.later(when, p);
        }
        for (t, def) in TOPICS.iter().enumerate() {
            if !self.rng.random_bool(def.share) {
                continue;
            }
            let Some(s) = self.emptiest(|k| k == Kind::Topic(t)) else { continue };
            // A full group: most are not put on its waiting list.
            if self.full(s) && self.rng.random_bool(0.7) {
                continue;
            }
            let after = self.rng.random_bool(0.08).then(|| (self.rng.random_range(10..40), LeaveReason::DroppedOut));
            let p = Pending::Join { slot: s, person: me, patient, leave_after: after };
            let when = day + Days::new(self.rng.random_range(1..7));
            self.later(when, p);
        }
        if a.female
            && self.rng.random_bool(0.7)
            && let Some(s) = self.emptiest(|k| k == Kind::Women)
        {
            let p = join(s);
            let when = day + Days::new(self.rng.random_range(1..5));
            self.later(when, p);
        }
        let meeting = if a.alcohol && self.rng.random_bool(0.4) {
            Some(0)
        } else if a.opioids && self.rng.random_bool(0.3) {
            Some(1)
        } else if self.rng.random_bool(0.1) {
            Some(2)
        } else {
            None
        };
        if let Some(m) = meeting
            && let Some(s) = self.emptiest(|k| k == Kind::Hosted(m))
        {
            let p = join(s);
            let when = day + Days::new(self.rng.random_range(2..10));
            self.later(when, p);
        }
        if let Some(f) = a.family
            && self.rng.random_bool(0.2)
            && let Some(s) = self.emptiest(|k| k == Kind::Family)
        {
            let fid = match self.family_of.get(&patient) {
                Some(id) => *id,
                None => {
                    let id = membership::add_family_member(tx, ctx, &f)?;
                    self.family_of.insert(patient, id);
                    id
                }
            };
            let p = Pending::Join { slot: s, person: Person::Family(fid), patient, leave_after: None };
            let when = day + Days::new(self.rng.random_range(3..15));
            self.later(when, p);
        }
        Ok(())
    }

    /// The aftercare group offered at discharge (the emptiest), for some.
    pub(super) fn aftercare_choice(&mut self, completed: bool) -> Option<i64> {
        let share = if completed { 0.2 } else { 0.08 };
        if !self.rng.random_bool(share) {
            return None;
        }
        let s = self.emptiest(|k| k == Kind::Aftercare)?;
        self.slots[s].current.map(|i| self.inst[i].group_id)
    }

    /// After the discharge (and the aftercare group joined there, if any): in-patient
    /// groups end, some keep going to their meeting for a while, the relative's family
    /// group ends a little later.
    pub(super) fn discharged(
        &mut self,
        tx: &Transaction<'_>,
        ctx: &Ctx,
        patient: i64,
        day: NaiveDate,
        aftercare_group: Option<i64>,
    ) -> Result<()> {
        self.inpatients.remove(&patient);
        let waiting: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM group_waitlist WHERE patient_id = ?1 AND status IN ('waiting', 'offered') ORDER BY id",
            )?
            .query_map([patient], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for w in waiting {
            let group: i64 = tx.query_row("SELECT group_id FROM group_waitlist WHERE id = ?1", [w], |r| r.get(0))?;
            if let Some(next) = membership::withdraw(tx, ctx, w)?
                && let Some(s) = self.slot_of_group(group)
            {
                self.later(day + Days::new(1), Pending::Offer { slot: s, offer: next });
            }
        }
        for m in self.open.get(&patient).cloned().unwrap_or_default() {
            let Some(&(i, _)) = self.memberships.get(&m) else { continue };
            match self.slots[self.inst[i].slot].kind {
                k if k.inpatient() => self.leave(tx, ctx, m, day, LeaveReason::Discharged)?,
                Kind::Hosted(_) if self.rng.random_bool(0.7) => self.leave(tx, ctx, m, day, LeaveReason::Discharged)?,
                Kind::Hosted(_) => {
                    let reason =
                        if self.rng.random_bool(0.5) { LeaveReason::Completed } else { LeaveReason::DroppedOut };
                    let after = day + Days::new(self.rng.random_range(30..180));
                    self.later(after, Pending::Leave { membership: m, reason });
                }
                Kind::Family => {
                    let after = day + Days::new(self.rng.random_range(0..45));
                    self.later(after, Pending::Leave { membership: m, reason: LeaveReason::Completed });
                }
                _ => {}
            }
        }
        if let Some(group) = aftercare_group {
            let id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM group_memberships WHERE group_id = ?1 AND patient_id = ?2 AND left_on IS NULL
                     ORDER BY id DESC LIMIT 1",
                    params![group, patient],
                    |r| r.get(0),
                )
                .optional()?;
            let (Some(id), Some(s)) = (id, self.slot_of_group(group)) else { return Ok(()) };
            let Some(i) = self.slots[s].current else { return Ok(()) };
            // A few weeks and gone (the last three missed), a few months, or most of a year.
            let r: f64 = self.rng.random();
            let (after, reason) = if r < 0.4 {
                (self.rng.random_range(21..70), LeaveReason::DroppedOut)
            } else if r < 0.8 {
                (self.rng.random_range(70..200), LeaveReason::Completed)
            } else {
                (self.rng.random_range(200..330), LeaveReason::Completed)
            };
            let end = day + Days::new(after);
            let fades = (reason == LeaveReason::DroppedOut || self.rng.random_bool(0.08))
                .then(|| end - Days::new(self.rng.random_range(14..24)));
            let reliability = self.rng.random_range(0.6..0.95);
            self.inst[i].members.push(Member {
                person: Person::Patient(patient),
                membership: id,
                joined: day,
                left: None,
                reliability,
                fades_from: fades,
            });
            self.memberships.insert(id, (i, patient));
            self.open.entry(patient).or_default().push(id);
            self.later(end, Pending::Leave { membership: id, reason });
        }
        Ok(())
    }

    /// Back in: aftercare groups and meetings end (the plan closes in the core), then as a
    /// new admission.
    pub(super) fn readmitted(&mut self, tx: &Transaction<'_>, ctx: &Ctx, patient: i64, day: NaiveDate) -> Result<()> {
        for m in self.open.get(&patient).cloned().unwrap_or_default() {
            let Some(&(i, _)) = self.memberships.get(&m) else { continue };
            if matches!(self.slots[self.inst[i].slot].kind, Kind::Aftercare | Kind::Hosted(_)) {
                self.leave(tx, ctx, m, day, LeaveReason::Other)?;
            }
        }
        self.admitted(tx, ctx, patient, None, day)
    }

    fn slot_of_group(&self, group: i64) -> Option<usize> {
        self.inst.iter().find(|i| i.group_id == group).map(|i| i.slot)
    }

    /// The day's sessions as staff record them (before `today`).
    pub(super) fn sessions(&mut self, tx: &Transaction<'_>, day: NaiveDate) -> Result<()> {
        if day >= self.today {
            return Ok(());
        }
        for (i, session) in self.moved.remove(&day).unwrap_or_default() {
            tx.execute(
                "UPDATE group_sessions SET held = 'held', topic = ?2 WHERE id = ?1",
                params![session, *SESSION_TOPICS.choose(&mut self.rng).unwrap_or(&"")],
            )?;
            self.marks(tx, i, session, day)?;
        }
        let offset = (day - self.start).num_days().max(0) as usize;
        let todays = self.calendar.get(offset).cloned().unwrap_or_default();
        let closed = self.closed_days.get(&day).copied();
        for (i, j) in todays {
            let series_id = self.inst[i].series[j].2;
            if series_id == 0 || self.inst[i].group_id == 0 {
                continue;
            }
            let ctx = self.counsellor_ctx(i, day);
            let roll: f64 = self.rng.random();
            if let Some(reason) = closed {
                series::cancel_occurrence(tx, &ctx, series_id, day, reason)?;
                continue;
            }
            if roll < 0.015 {
                let reason = *CANCEL_REASONS.choose(&mut self.rng).unwrap_or(&"Counsellor on leave");
                series::cancel_occurrence(tx, &ctx, series_id, day, reason)?;
                continue;
            }
            // The last days are not all recorded yet, and now and then one is forgotten.
            let recent = (self.today - day).num_days() <= 6;
            if (recent && roll < 0.3) || roll > 0.997 {
                continue;
            }
            if self.inst[i].moves.first().is_some_and(|m| *m <= day) {
                self.inst[i].moves.remove(0);
                if self.move_session(tx, &ctx, i, j, day)? {
                    continue;
                }
            }
            if roll < 0.027 {
                self.session_row(tx, &ctx, i, j, day, Some("Facilitator could not come"))?;
                continue;
            }
            let session = self.session_row(tx, &ctx, i, j, day, None)?;
            self.marks(tx, i, session, day)?;
        }
        Ok(())
    }

    /// Moves one session: to the next day when the group does not meet then, else half
    /// an hour later the same day. Returns whether it moved to another day (recorded then).
    fn move_session(&mut self, tx: &Transaction<'_>, ctx: &Ctx, i: usize, j: usize, day: NaiveDate) -> Result<bool> {
        let slot = self.inst[i].slot;
        let next = day + Days::new(1);
        let offset = (next - self.start).num_days().max(0) as usize;
        let busy = self.calendar.get(offset).is_none_or(|d| d.iter().any(|(x, _)| self.inst[*x].slot == slot));
        let late = next >= self.today || self.inst[i].until.is_some_and(|u| next >= u);
        let input = &self.inst[i].series[j].1;
        let series_id = self.inst[i].series[j].2;
        let other_day = !busy && !late && self.rng.random_bool(0.5);
        let start_time = if other_day {
            input.start_time.clone()
        } else {
            // Within the schedule's own time block: a quarter of an hour earlier or later.
            let (_, start) = series::parse_time(&input.start_time, "start_time")?;
            let (h, m) = BLOCKS[self.slots[slot].block.min(BLOCKS.len() - 1)];
            let offset = start.saturating_sub(h * 60 + m);
            let moved = if offset >= 15 {
                start - 15
            } else if offset + 15 + input.duration_min <= 120 {
                start + 15
            } else {
                return Ok(false);
            };
            format!("{:02}:{:02}", moved / 60, moved % 60)
        };
        let change = OccurrenceChange {
            date: if other_day { next } else { day },
            start_time,
            duration_min: input.duration_min,
            room_id: input.room_id,
            facilitators: input.facilitators.clone(),
        };
        let out = series::move_occurrence(tx, ctx, series_id, day, &change, &SaveOptions::default())?;
        if !out.saved {
            return Ok(false);
        }
        let session: i64 = tx.query_row(
            "SELECT id FROM group_sessions WHERE series_id = ?1 AND original_date = ?2",
            params![series_id, day],
            |r| r.get(0),
        )?;
        if other_day {
            self.moved.entry(next).or_default().push((i, session));
        } else {
            tx.execute(
                "UPDATE group_sessions SET held = 'held', topic = ?2 WHERE id = ?1",
                params![session, *SESSION_TOPICS.choose(&mut self.rng).unwrap_or(&"")],
            )?;
            self.marks(tx, i, session, day)?;
        }
        Ok(true)
    }

    /// The session row as `materialise` stores it, with what `set_held` records.
    fn session_row(
        &mut self,
        tx: &Transaction<'_>,
        ctx: &Ctx,
        i: usize,
        j: usize,
        day: NaiveDate,
        not_held: Option<&str>,
    ) -> Result<i64> {
        let (held, not_held_reason) = match not_held {
            None => ("held", ""),
            Some(reason) => ("not_held", reason),
        };
        let kind = self.slots[self.inst[i].slot].kind;
        let topic = match kind {
            _ if held != "held" => "",
            Kind::Ward | Kind::Hosted(_) => "",
            _ => SESSION_TOPICS.choose(&mut self.rng).copied().unwrap_or(""),
        };
        let note = if matches!(kind, Kind::Topic(_)) && self.rng.random_bool(0.04) {
            NOTES.choose(&mut self.rng).copied().unwrap_or("")
        } else {
            ""
        };
        let (_, s, _) = &self.inst[i].series[j];
        let mut stmt = tx.prepare_cached(
            "INSERT INTO group_sessions (series_id, original_date, date, start_time, duration_min, room_id, facilitators,
                held, not_held_reason, topic, note, updated_at, updated_by)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        stmt.execute(params![
            self.inst[i].series[j].2,
            day,
            s.start_time,
            s.duration_min,
            s.room_id,
            groups::json_ids(&s.facilitators),
            held,
            not_held_reason,
            topic,
            note,
            ctx.stamp(),
            ctx.actor.staff_id
        ])?;
        Ok(tx.last_insert_rowid())
    }

    /// One mark per member expected that day (as the sheet lists them), and drop-ins at
    /// the meetings.
    fn marks(&mut self, tx: &Transaction<'_>, i: usize, session: i64, day: NaiveDate) -> Result<()> {
        let ctx = if self.rng.random_bool(0.5) { self.counsellor_ctx(i, day) } else { self.desk_ctx(day) };
        let (stamp, by) = (ctx.stamp(), ctx.actor.staff_id);
        self.inst[i].members.retain(|m| m.left.is_none_or(|l| l >= day));
        let weekend = day.weekday().num_days_from_monday() >= 5;
        let mut rows: Vec<(Person, Mark, &str)> = Vec::new();
        for m in self.inst[i].members.iter().filter(|m| m.joined <= day) {
            let r: f64 = self.rng.random();
            let rel = m.reliability - if weekend { 0.05 } else { 0.0 };
            let (mark, reason) = if m.fades_from.is_some_and(|f| day >= f) {
                if r < 0.9 { (Mark::Absent, "") } else { (Mark::Excused, "Unwell") }
            } else if r < rel {
                (Mark::Present, "")
            } else if r < rel + 0.05 {
                (Mark::Late, "")
            } else if r < rel + 0.1 {
                (Mark::Excused, EXCUSES.choose(&mut self.rng).copied().unwrap_or(""))
            } else {
                (Mark::Absent, "")
            };
            rows.push((m.person, mark, reason));
        }
        let mut stmt = tx.prepare_cached(
            "INSERT INTO group_attendance (session_id, patient_id, family_member_id, status, reason, recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (person, mark, reason) in rows {
            let (p, f) = match person {
                Person::Patient(id) => (Some(id), None),
                Person::Family(id) => (None, Some(id)),
            };
            stmt.execute(params![session, p, f, mark, reason, stamp, by])?;
        }
        if matches!(self.slots[self.inst[i].slot].kind, Kind::Hosted(_)) && self.rng.random_bool(0.4) {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO group_attendance (session_id, patient_id, dropin_name, dropin, status, recorded_at, recorded_by)
                 VALUES (?1, NULL, ?2, 1, 'present', ?3, ?4)",
            )?;
            let name = VISITORS.choose(&mut self.rng).copied().unwrap_or("Visitor");
            stmt.execute(params![session, name, stamp, by])?;
        }
        Ok(())
    }
}
