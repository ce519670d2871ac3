//! Attendance reports over a date range, judged against who was a member at the time.
//!
//! Per person and group:
//! - *expected*: sessions that took place (status "took place", not cancelled) on a day
//!   the person was a member — a patient who joined mid-range is not expected at the
//!   sessions before they joined, nor after they left;
//! - *present*, *late*, *absent*, *excused*, *not recorded* (expected but no mark);
//! - *attended* = present + late;
//! - *rate* = attended / (expected − excused), empty when that is 0. An excused absence
//!   neither helps nor hurts.
//!
//! Per group: sessions held, mean attendance per held session (present + late,
//! drop-ins included), members (anyone who was a member on some day of the range),
//! drop-outs (left with reason "dropped out" within the range).

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::attendance::Mark;
use super::json_ids;
use super::membership::{LeaveReason, Person};
use crate::access::Action;
use crate::ctx::Ctx;
use crate::db::{date_at, date_req};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonRow {
    pub person: Person,
    pub name: String,
    #[ts(type = "number")]
    pub group_id: i64,
    pub group_name: String,
    pub expected: u32,
    pub attended: u32,
    pub present: u32,
    pub late: u32,
    pub absent: u32,
    pub excused: u32,
    pub not_recorded: u32,
    /// 0–1, or null when nothing could be expected.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupRow {
    #[ts(type = "number")]
    pub group_id: i64,
    pub group_name: String,
    pub sessions_held: u32,
    pub sessions_not_held: u32,
    pub sessions_cancelled: u32,
    pub mean_attendance: Option<f64>,
    pub members: u32,
    pub dropouts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttendanceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub people: Vec<PersonRow>,
    pub groups: Vec<GroupRow>,
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::invalid("range_reversed", "to", "The end of the period is before its start."));
    }
    if (to - from).num_days() > 3700 {
        return Err(Error::invalid("window_too_long", "to", "Please choose a period of at most ten years."));
    }
    Ok(())
}

/// One person's membership windows in one group, and what their marks add up to.
struct Tally {
    windows: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// Two of the windows share a day: the per-window tallies would count that day's
    /// mark twice, so this person's marks are read one by one instead.
    overlapping: bool,
    present: i64,
    late: i64,
    absent: i64,
    excused: i64,
}

impl Tally {
    fn member_on(&self, d: NaiveDate) -> bool {
        self.windows.iter().any(|(j, l)| *j <= d && l.is_none_or(|l| l >= d))
    }

    fn add(&mut self, mark: Mark, n: i64) {
        match mark {
            Mark::Present => self.present += n,
            Mark::Late => self.late += n,
            Mark::Absent => self.absent += n,
            Mark::Excused => self.excused += n,
        }
    }
}

/// `YYYY-MM`, as the tallies name their months.
fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(d)
}

/// How a month that the range cuts is counted: from its tally less the marks of its
/// sessions outside the range, or from the marks of its sessions inside the range —
/// whichever reads fewer sessions.
struct EdgeMonth {
    use_tally: bool,
    /// Sessions whose marks are read, and whether they add (inside) or take away.
    read: Vec<(i64, NaiveDate)>,
}

fn edge_month(held_in: Vec<(i64, NaiveDate)>, held_out: Vec<(i64, NaiveDate)>) -> EdgeMonth {
    if held_out.len() < held_in.len() {
        EdgeMonth { use_tally: true, read: held_out }
    } else {
        EdgeMonth { use_tally: false, read: held_in }
    }
}

/// `s` in lower case. Latin letters are the only cased ones in most names here: text that
/// is otherwise in the Indic blocks (U+0900–U+0DFF, which have no case) only needs its
/// ASCII letters lowered.
fn lowercase(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii() || ('\u{0900}'..='\u{0DFF}').contains(&c)) {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Each key's place when sorted by its text (equal texts share a place).
fn ranks<K: std::hash::Hash + Eq>(items: impl Iterator<Item = (K, String)>) -> FxHashMap<K, u32> {
    let mut all: Vec<(K, String)> = items.collect();
    all.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    let mut out = FxHashMap::with_capacity_and_hasher(all.len(), Default::default());
    let mut place = 0u32;
    let mut last: Option<String> = None;
    for (k, text) in all {
        if last.as_ref().is_some_and(|l| *l != text) {
            place += 1;
        }
        out.insert(k, place);
        last = Some(text);
    }
    out
}

/// The report for `[from, to]`, all groups or one.
///
/// What members' marks add up to comes from the per-window, per-month tallies (0009) for
/// the months inside the range; a month the range cuts is made exact from the marks of
/// its sessions on one side of the cut. The work grows with the members and the months,
/// not with the marks.
pub fn report(
    conn: &Connection,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
) -> Result<AttendanceReport> {
    ctx.require(Action::ViewGroups)?;
    check_range(from, to)?;
    let groups = groups_of(conn, group)?;
    run(conn, None, from, to, &groups)
}

/// [`report`], with the groups shared over both cores: this thread and one on the store's
/// second read connection each take the next group not yet taken. The answer is the
/// same, row for row.
pub fn report_in(
    store: &crate::db::Store,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
) -> Result<AttendanceReport> {
    ctx.require(Action::ViewGroups)?;
    check_range(from, to)?;
    let conn = store.conn();
    let groups = groups_of(conn, group)?;
    // A few groups are quicker on one thread (and need no second connection).
    let mut second = if groups.len() >= 4 { Some(store.second_reader()?) } else { None };
    run(conn, second.as_mut().and_then(|s| s.as_mut()), from, to, &groups)
}

/// The report over `groups` on `conn`, or shared with a thread on `other` (each takes the
/// next group not yet taken).
fn run(
    conn: &Connection,
    other: Option<&mut Connection>,
    from: NaiveDate,
    to: NaiveDate,
    groups: &[(i64, String)],
) -> Result<AttendanceReport> {
    let order: Vec<i64> = groups.iter().map(|g| g.0).collect();
    let next = AtomicUsize::new(0);
    let Some(other) = other else {
        return finish(from, to, &order, vec![part(conn, from, to, groups, &next)?]);
    };
    let (first, second_half) = std::thread::scope(|s| {
        let taken = &next;
        let helper = s.spawn(move || part(other, from, to, groups, taken));
        let first = part(conn, from, to, groups, &next);
        (first, helper.join())
    });
    let second_half = second_half.map_err(|_| Error::Io(std::io::Error::other("the report stopped")))?;
    finish(from, to, &order, vec![first?, second_half?])
}

fn groups_of(conn: &Connection, group: Option<i64>) -> Result<Vec<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name FROM therapy_groups WHERE ?1 IS NULL OR id = ?1 ORDER BY name COLLATE NOCASE, id",
        )?
        .query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// What one set of groups adds to the report: its rows (names filled in, not yet in
/// order) and the groups' own rows.
struct Part {
    people: Vec<PersonRow>,
    groups: Vec<GroupRow>,
    /// Its people's names in lower case, for the sort (worked out here, on both cores).
    lower: Vec<(Person, String)>,
}

/// Works out groups of `groups` in turn, each taking the next one not yet taken
/// (`next`), until none is left: two threads sharing `next` share the work evenly.
fn part(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    groups: &[(i64, String)],
    next: &AtomicUsize,
) -> Result<Part> {
    // The sessions of the months the range touches (whole months: the cut months are
    // made exact from their sessions on either side of the cut).
    let (first_day, last_day) = (month_start(from), month_end(to));
    let (first_month, last_month) = (month_key(from), month_key(to));
    let mut sessions_stmt = conn.prepare_cached(
        "SELECT s.id, s.date, s.cancelled, s.held, coalesce(t.attended, 0) FROM group_series x
         JOIN group_sessions s ON s.series_id = x.id
         LEFT JOIN group_session_tallies t ON t.session_id = s.id
         WHERE x.group_id = ?1 AND s.date BETWEEN ?2 AND ?3",
    )?;
    // The windows reaching into the range, whole from the index (names are read once
    // per person at the end, not once per window).
    let mut windows_stmt = conn.prepare_cached(
        "SELECT id, patient_id, family_member_id, joined_on, left_on, leave_reason,
                tally_present, tally_late, tally_absent, tally_excused
         FROM group_memberships INDEXED BY group_memberships_by_group_span
         WHERE group_id = ?1 AND left_on IS NULL AND joined_on <= ?3
         UNION ALL
         SELECT id, patient_id, family_member_id, joined_on, left_on, leave_reason,
                tally_present, tally_late, tally_absent, tally_excused
         FROM group_memberships INDEXED BY group_memberships_by_group_span
         WHERE group_id = ?1 AND left_on >= ?2 AND joined_on <= ?3",
    )?;
    // The last month a group has tallies for (none later: a window reaching past the
    // counted months has all its tallies inside them).
    let mut last_tally_stmt =
        conn.prepare_cached("SELECT max(month) FROM group_membership_tallies WHERE group_id = ?1")?;
    // A group's tallies for a run of months, in one pass over its index (those of windows
    // not asked for are passed over); or those of a list of windows, each found by its key.
    let mut tallies_stmt = conn.prepare_cached(
        "SELECT membership_id, present, late, absent, excused FROM group_membership_tallies
         WHERE group_id = ?1 AND month BETWEEN ?2 AND ?3",
    )?;
    let mut window_tallies_stmt = conn.prepare_cached(
        "SELECT t.membership_id, t.present, t.late, t.absent, t.excused
         FROM json_each(?1) j JOIN group_membership_tallies t ON t.membership_id = j.value AND t.month BETWEEN ?2 AND ?3",
    )?;
    let mut session_marks_stmt =
        conn.prepare_cached("SELECT patient_id, family_member_id, status FROM group_attendance WHERE session_id = ?1")?;
    let mut patient_marks_stmt = conn.prepare_cached(
        "SELECT s.date, a.status FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE a.patient_id = ?1 AND a.group_id = ?2 AND s.date BETWEEN ?3 AND ?4 AND s.cancelled = 0 AND s.held = 'held'",
    )?;
    let mut family_marks_stmt = conn.prepare_cached(
        "SELECT s.date, a.status FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE a.family_member_id = ?1 AND a.group_id = ?2 AND s.date BETWEEN ?3 AND ?4 AND s.cancelled = 0
           AND s.held = 'held'",
    )?;
    let mut people = Vec::new();
    let mut group_rows = Vec::new();
    let (mut patients, mut family): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
    // Per person in the group at hand (emptied for each group, their room kept).
    let mut tallies: Vec<(Person, Tally)> = Vec::new();
    let mut index: FxHashMap<Person, usize> = FxHashMap::default();
    let mut window_of: FxHashMap<i64, usize> = FxHashMap::default();
    // Each window read: its id, its person's place in `tallies`, its days and its sums.
    let mut spans: Vec<(i64, usize, NaiveDate, Option<NaiveDate>, [i64; 4])> = Vec::new();
    while let Some((gid, gname)) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
        let (gid, gname) = (*gid, gname.clone());
        let (mut held, mut not_held, mut cancelled) = (Vec::new(), 0u32, 0u32);
        let mut attended_total = 0i64;
        // Held sessions of the first and last month, inside and outside the range.
        let (mut first_in, mut first_out, mut last_in, mut last_out) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut rows = sessions_stmt.query(params![gid, first_day, last_day])?;
        while let Some(r) = rows.next()? {
            let (id, date, is_cancelled): (i64, NaiveDate, bool) = (r.get(0)?, date_req(r, 1)?, r.get(2)?);
            let state = match r.get_ref(3)? {
                ValueRef::Text(b"held") => "held",
                ValueRef::Text(b"not_held") => "not_held",
                _ => "",
            };
            let is_held = !is_cancelled && state == "held";
            let inside = date >= from && date <= to;
            if is_held {
                let (first, last) = (date <= month_end(from), date >= month_start(to));
                match (inside, first, last) {
                    (true, true, _) => first_in.push((id, date)),
                    (true, false, true) => last_in.push((id, date)),
                    (false, true, _) => first_out.push((id, date)),
                    (false, false, true) => last_out.push((id, date)),
                    _ => {}
                }
            }
            if !inside {
                continue;
            }
            match (is_cancelled, state) {
                (true, _) => cancelled += 1,
                (false, "held") => {
                    held.push(date);
                    attended_total += r.get::<_, i64>(4)?;
                }
                (false, "not_held") => not_held += 1,
                _ => {}
            }
        }
        drop(rows);
        held.sort_unstable();
        // Which months' tallies count whole, and which sessions' marks are read.
        let mut read: Vec<(i64, NaiveDate, i64)> = Vec::new();
        // The whole months whose tallies count: from the first day of the first to the last
        // day of the last (none when no month's tally is used).
        let counted: Option<(NaiveDate, NaiveDate)> = if first_month == last_month {
            // One month, cut on both sides (when the sessions outside are fewer, the tally
            // less those).
            first_in.append(&mut last_in);
            first_out.append(&mut last_out);
            let e = edge_month(first_in, first_out);
            let sign = if e.use_tally { -1 } else { 1 };
            read.extend(e.read.into_iter().map(|(s, d)| (s, d, sign)));
            e.use_tally.then(|| (month_start(from), month_end(to)))
        } else {
            let (e1, e2) = (edge_month(first_in, first_out), edge_month(last_in, last_out));
            let lo = if e1.use_tally { month_start(from) } else { month_end(from).succ_opt().unwrap_or(from) };
            let hi = if e2.use_tally { month_end(to) } else { month_start(to).pred_opt().unwrap_or(to) };
            for e in [e1, e2] {
                let sign = if e.use_tally { -1 } else { 1 };
                read.extend(e.read.into_iter().map(|(s, d)| (s, d, sign)));
            }
            (lo <= hi).then_some((lo, hi))
        };
        // Per person: all their windows in this group.
        tallies.clear();
        index.clear();
        window_of.clear();
        spans.clear();
        let mut dropouts = 0;
        let mut rows = windows_stmt.query(params![gid, from, to])?;
        while let Some(r) = rows.next()? {
            let (mid, p, f): (i64, Option<i64>, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let (joined, left, reason): (NaiveDate, Option<NaiveDate>, Option<LeaveReason>) =
                (date_req(r, 3)?, date_at(r, 4)?, r.get(5)?);
            if reason == Some(LeaveReason::DroppedOut) && left.is_some_and(|l| l >= from && l <= to) {
                dropouts += 1;
            }
            let Some(person) = Person::from_columns(p, f) else { continue };
            let i = *index.entry(person).or_insert_with(|| tallies.len());
            if i == tallies.len() {
                match person {
                    Person::Patient(id) => patients.push(id),
                    Person::Family(id) => family.push(id),
                }
                let t = Tally { windows: Vec::new(), overlapping: false, present: 0, late: 0, absent: 0, excused: 0 };
                tallies.push((person, t));
            }
            let t = &mut tallies[i].1;
            let overlaps = t
                .windows
                .iter()
                .any(|(j, l)| *j <= left.unwrap_or(NaiveDate::MAX) && joined <= l.unwrap_or(NaiveDate::MAX));
            t.overlapping |= overlaps;
            t.windows.push((joined, left));
            spans.push((mid, i, joined, left, [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?]));
        }
        drop(rows);
        if let Some((lo, hi)) = counted {
            // A window wholly inside the counted months counts all its tallies: its sums.
            // So does one that goes on past them when the group has no tallies later.
            let later: Option<String> = last_tally_stmt.query_row([gid], |r| r.get(0))?;
            let none_later = later.is_none_or(|m| m <= month_key(hi));
            for &(mid, i, joined, left, sums) in &spans {
                let t = &mut tallies[i].1;
                if t.overlapping {
                    continue;
                }
                if joined >= lo && (none_later || left.is_some_and(|l| l <= hi)) {
                    let [present, late, absent, excused] = sums;
                    t.present += present;
                    t.late += late;
                    t.absent += absent;
                    t.excused += excused;
                } else {
                    window_of.insert(mid, i);
                }
            }
        }
        if let Some((lo, hi)) = counted.filter(|_| !window_of.is_empty()) {
            // The others' tallies in those months: found one window at a time when they are
            // few, else in one pass over the group's months.
            let (lo, hi) = (month_key(lo), month_key(hi));
            let mut rows = if window_of.len() * 4 < spans.len() {
                let mut wanted: Vec<i64> = window_of.keys().copied().collect();
                wanted.sort_unstable();
                window_tallies_stmt.query(params![json_ids(&wanted), lo, hi])?
            } else {
                tallies_stmt.query(params![gid, lo, hi])?
            };
            while let Some(r) = rows.next()? {
                let Some(&i) = window_of.get(&r.get::<_, i64>(0)?) else { continue };
                let t = &mut tallies[i].1;
                if t.overlapping {
                    continue;
                }
                t.present += r.get::<_, i64>(1)?;
                t.late += r.get::<_, i64>(2)?;
                t.absent += r.get::<_, i64>(3)?;
                t.excused += r.get::<_, i64>(4)?;
            }
        }
        for (session, date, sign) in read {
            let mut rows = session_marks_stmt.query([session])?;
            while let Some(r) = rows.next()? {
                let Some(person) = Person::from_columns(r.get(0)?, r.get(1)?) else { continue };
                let Some(&i) = index.get(&person) else { continue };
                let t = &mut tallies[i].1;
                if t.overlapping || !t.member_on(date) {
                    continue;
                }
                t.add(r.get(2)?, sign);
            }
        }
        // People whose windows overlap: their marks one by one, each counted once.
        for (person, t) in tallies.iter_mut().filter(|t| t.1.overlapping) {
            let (stmt, id) = match *person {
                Person::Patient(id) => (&mut patient_marks_stmt, id),
                Person::Family(id) => (&mut family_marks_stmt, id),
            };
            let mut rows = stmt.query(params![id, gid, from, to])?;
            while let Some(r) = rows.next()? {
                let date: NaiveDate = r.get(0)?;
                if t.member_on(date) {
                    t.add(r.get(1)?, 1);
                }
            }
        }
        let members = tallies.len() as u32;
        // Patients then family, by id: equal names keep this order after the sort by name.
        tallies.sort_unstable_by_key(|t| t.0);
        for (person, t) in tallies.drain(..) {
            // Sessions held on a day they were a member (windows may overlap: count each
            // session once).
            let expected = if t.windows.len() == 1 {
                let (j, l) = t.windows[0];
                let start = held.partition_point(|d| *d < j);
                let end = l.map_or(held.len(), |l| held.partition_point(|d| *d <= l));
                end.saturating_sub(start) as u32
            } else {
                held.iter().filter(|d| t.member_on(**d)).count() as u32
            };
            let count = |n: i64| u32::try_from(n).unwrap_or(0);
            let (present, late, absent, excused) = (count(t.present), count(t.late), count(t.absent), count(t.excused));
            let marked = present + late + absent + excused;
            let attended = present + late;
            let base = expected - excused.min(expected);
            people.push(PersonRow {
                person,
                name: String::new(),
                group_id: gid,
                group_name: gname.clone(),
                expected,
                attended,
                present,
                late,
                absent,
                excused,
                not_recorded: expected.saturating_sub(marked),
                rate: (base > 0).then(|| f64::from(attended) / f64::from(base)),
            });
        }
        let attended_total = u32::try_from(attended_total).unwrap_or(0);
        group_rows.push(GroupRow {
            group_id: gid,
            group_name: gname,
            sessions_held: held.len() as u32,
            sessions_not_held: not_held,
            sessions_cancelled: cancelled,
            mean_attendance: (!held.is_empty()).then(|| f64::from(attended_total) / held.len() as f64),
            members,
            dropouts,
        });
    }
    // Names as `describe` gives them, one read for everyone.
    // In id order, so that the lookups walk the table's tree forwards.
    let ids = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids.dedup();
        json_ids(&ids)
    };
    let mut names: FxHashMap<Person, String> =
        FxHashMap::with_capacity_and_hasher(patients.len() + family.len(), Default::default());
    let mut rows = conn
        .prepare_cached(
            "SELECT id, CASE WHEN preferred_name <> '' THEN full_name || ' (' || preferred_name || ')' ELSE full_name END
             FROM patients WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([ids(patients)], |r| Ok((Person::Patient(r.get(0)?), r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.extend(
        conn.prepare_cached("SELECT id, name FROM family_members WHERE id IN (SELECT value FROM json_each(?1))")?
            .query_map([ids(family)], |r| Ok((Person::Family(r.get(0)?), r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    names.extend(rows);
    for p in &mut people {
        p.name = names.get(&p.person).cloned().ok_or(Error::NotFound { what: "The member" })?;
    }
    let lower = names.into_iter().map(|(p, n)| (p, lowercase(&n))).collect();
    Ok(Part { people, groups: group_rows, lower })
}

/// The parts put together, names filled in; the groups in `order` (the groups' order by
/// name), the people by name, then group, then that order.
fn finish(from: NaiveDate, to: NaiveDate, order: &[i64], parts: Vec<Part>) -> Result<AttendanceReport> {
    let mut people = Vec::new();
    let mut group_rows = Vec::new();
    let mut lower: FxHashMap<Person, String> = FxHashMap::default();
    for p in parts {
        people.extend(p.people);
        group_rows.extend(p.groups);
        lower.extend(p.lower);
    }
    // By name (ignoring case), then group: each person's and group's place in that order
    // is found once, then the rows are sorted by the two places (a stable sort).
    let by_name = ranks(lower.into_iter());
    let by_group = ranks(group_rows.iter().map(|g| (g.group_id, g.group_name.clone())));
    let place: FxHashMap<i64, usize> = order.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    group_rows.sort_by_key(|g| place.get(&g.group_id).copied());
    people.sort_by_cached_key(|p| {
        (by_name.get(&p.person).copied(), by_group.get(&p.group_id).copied(), place.get(&p.group_id).copied())
    });
    Ok(AttendanceReport { from, to, people, groups: group_rows })
}

fn csv_field(s: &str) -> String {
    // Quote always; double inner quotes; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}", r * 100.0)).unwrap_or_default()
}

/// The report as CSV text (UTF-8, comma separated, one header line per part).
pub fn to_csv(r: &AttendanceReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\"Attendance report\",\"{}\",\"{}\"\r\n",
        r.from.format("%d-%m-%Y"),
        r.to.format("%d-%m-%Y")
    ));
    out.push_str("\"Person\",\"Group\",\"Expected\",\"Attended\",\"Present\",\"Late\",\"Absent\",\"Excused\",\"Not recorded\",\"Rate %\"\r\n");
    for p in &r.people {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\r\n",
            csv_field(&p.name),
            csv_field(&p.group_name),
            p.expected,
            p.attended,
            p.present,
            p.late,
            p.absent,
            p.excused,
            p.not_recorded,
            rate(p.rate)
        ));
    }
    out.push_str(
        "\r\n\"Group\",\"Sessions held\",\"Not held\",\"Cancelled\",\"Mean attendance\",\"Members\",\"Drop-outs\"\r\n",
    );
    for g in &r.groups {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            csv_field(&g.group_name),
            g.sessions_held,
            g.sessions_not_held,
            g.sessions_cancelled,
            g.mean_attendance.map(|m| format!("{m:.1}")).unwrap_or_default(),
            g.members,
            g.dropouts
        ));
    }
    out
}

/// Writes the report as CSV to `path` (chosen by the user in the window).
pub fn export_csv(
    conn: &Connection,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    group: Option<i64>,
    path: &std::path::Path,
) -> Result<()> {
    let r = report(conn, ctx, from, to, group)?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv || !path.is_absolute() || path.is_dir() {
        return Err(Error::invalid(
            "path_invalid",
            "path",
            "Please choose a full file name ending in .csv to save the report as.",
        ));
    }
    std::fs::write(path, to_csv(&r))?;
    Ok(())
}

/// Where the window suggests saving a report: the user's Documents folder (or home).
pub fn default_csv_path(from: NaiveDate, to: NaiveDate) -> std::path::PathBuf {
    let dirs = directories::UserDirs::new();
    let dir = dirs
        .as_ref()
        .and_then(|d| d.document_dir().map(std::path::Path::to_path_buf))
        .or_else(|| dirs.as_ref().map(|d| d.home_dir().to_path_buf()))
        .unwrap_or_default();
    dir.join(format!("attendance-{}-to-{}.csv", from.format("%d-%m-%Y"), to.format("%d-%m-%Y")))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientMembership {
    #[ts(type = "number")]
    pub group_id: i64,
    pub group_name: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<LeaveReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientSession {
    pub date: NaiveDate,
    pub start_time: String,
    pub group_name: String,
    /// None = not recorded.
    pub mark: Option<Mark>,
    pub dropin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientGroups {
    /// Current first, then past; newest first.
    pub memberships: Vec<PatientMembership>,
    /// Sessions that took place while a member (or attended as a drop-in), newest first,
    /// at most 100.
    pub sessions: Vec<PatientSession>,
}

/// What the patient profile shows about groups.
pub fn patient_groups(conn: &Connection, ctx: &Ctx, patient_id: i64) -> Result<PatientGroups> {
    ctx.require(Action::ViewGroups)?;
    ctx.require(Action::ViewPatient)?;
    let memberships: Vec<PatientMembership> = conn
        .prepare(
            "SELECT m.group_id, g.name, m.joined_on, m.left_on, m.leave_reason FROM group_memberships m
             JOIN therapy_groups g ON g.id = m.group_id WHERE m.patient_id = ?1
             ORDER BY m.left_on IS NOT NULL, m.joined_on DESC, m.id DESC",
        )?
        .query_map([patient_id], |r| {
            Ok(PatientMembership {
                group_id: r.get(0)?,
                group_name: r.get(1)?,
                joined_on: r.get(2)?,
                left_on: r.get(3)?,
                leave_reason: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let sessions: Vec<PatientSession> = conn
        .prepare(
            // The candidate sessions come from the person's own memberships (their groups'
            // sessions while they were members) and marks, never from all sessions.
            "SELECT s.date, s.start_time, g.name, a.status, coalesce(a.dropin, 0) FROM (
                 SELECT s.id FROM group_memberships m JOIN group_series x ON x.group_id = m.group_id
                 JOIN group_sessions s ON s.series_id = x.id AND s.date >= m.joined_on
                   AND (m.left_on IS NULL OR s.date <= m.left_on)
                 WHERE m.patient_id = ?1
                 UNION SELECT session_id FROM group_attendance WHERE patient_id = ?1
             ) ids
             JOIN group_sessions s ON s.id = ids.id
             JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
             LEFT JOIN group_attendance a ON a.session_id = s.id AND a.patient_id = ?1
             WHERE s.cancelled = 0 AND s.held = 'held'
             ORDER BY s.date DESC, s.start_time DESC LIMIT 100",
        )?
        .query_map([patient_id], |r| {
            Ok(PatientSession {
                date: r.get(0)?,
                start_time: r.get(1)?,
                group_name: r.get(2)?,
                mark: r.get(3)?,
                dropin: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(PatientGroups { memberships, sessions })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::membership::describe;
    use super::*;
    use crate::ctx::{Actor, Role};

    struct HeldSession {
        id: i64,
        group_id: i64,
        date: NaiveDate,
    }

    /// The report as it was computed before issue 8 (a mark map per group, a name query per
    /// person), kept to check the quicker one against.
    fn reference(conn: &Connection, from: NaiveDate, to: NaiveDate, group: Option<i64>) -> Result<AttendanceReport> {
        let groups: Vec<(i64, String)> = conn
            .prepare(
                "SELECT id, name FROM therapy_groups WHERE ?1 IS NULL OR id = ?1 ORDER BY name COLLATE NOCASE, id",
            )?
            .query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut people = Vec::new();
        let mut group_rows = Vec::new();
        for (gid, gname) in groups {
            let sessions: Vec<(i64, NaiveDate, bool, String)> = conn
                .prepare(
                    "SELECT s.id, s.date, s.cancelled, s.held FROM group_sessions s JOIN group_series x ON x.id = s.series_id
                     WHERE x.group_id = ?1 AND s.date BETWEEN ?2 AND ?3 ORDER BY s.date, s.start_time",
                )?
                .query_map(params![gid, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let held: Vec<HeldSession> = sessions
                .iter()
                .filter(|s| !s.2 && s.3 == "held")
                .map(|s| HeldSession { id: s.0, group_id: gid, date: s.1 })
                .collect();
            let windows: Vec<(Option<i64>, Option<i64>, NaiveDate, Option<NaiveDate>, Option<LeaveReason>)> = conn
                .prepare(
                    "SELECT patient_id, family_member_id, joined_on, left_on, leave_reason FROM group_memberships
                     WHERE group_id = ?1 AND joined_on <= ?3 AND (left_on IS NULL OR left_on >= ?2) ORDER BY id",
                )?
                .query_map(params![gid, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                .collect::<rusqlite::Result<_>>()?;
            // Marks of every held session, in one query.
            let mut marks: BTreeMap<(i64, Person), Mark> = BTreeMap::new();
            let mut attended_total = 0u32;
            let rows: Vec<(i64, Option<i64>, Option<i64>, Mark)> = conn
                .prepare_cached(
                    "SELECT a.session_id, a.patient_id, a.family_member_id, a.status FROM group_attendance a
                     JOIN group_sessions s ON s.id = a.session_id JOIN group_series x ON x.id = s.series_id
                     WHERE x.group_id = ?1 AND s.date BETWEEN ?2 AND ?3 AND s.cancelled = 0 AND s.held = 'held'",
                )?
                .query_map(params![gid, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (session, p, f, m) in rows {
                if matches!(m, Mark::Present | Mark::Late) {
                    attended_total += 1;
                }
                if let Some(person) = Person::from_columns(p, f) {
                    marks.insert((session, person), m);
                }
            }
            // Per person: merge all their windows in this group.
            let mut by_person: BTreeMap<Person, Vec<(NaiveDate, Option<NaiveDate>)>> = BTreeMap::new();
            let mut dropouts = 0;
            for (p, f, joined, left, reason) in &windows {
                if let Some(person) = Person::from_columns(*p, *f) {
                    by_person.entry(person).or_default().push((*joined, *left));
                }
                if reason == &Some(LeaveReason::DroppedOut) && left.is_some_and(|l| l >= from && l <= to) {
                    dropouts += 1;
                }
            }
            for (person, wins) in &by_person {
                let member_on = |d: NaiveDate| wins.iter().any(|(j, l)| *j <= d && l.is_none_or(|l| l >= d));
                let mut row = PersonRow {
                    person: *person,
                    name: describe(conn, *person)?.0,
                    group_id: gid,
                    group_name: gname.clone(),
                    expected: 0,
                    attended: 0,
                    present: 0,
                    late: 0,
                    absent: 0,
                    excused: 0,
                    not_recorded: 0,
                    rate: None,
                };
                for s in held.iter().filter(|s| s.group_id == gid && member_on(s.date)) {
                    row.expected += 1;
                    match marks.get(&(s.id, *person)) {
                        Some(Mark::Present) => row.present += 1,
                        Some(Mark::Late) => row.late += 1,
                        Some(Mark::Absent) => row.absent += 1,
                        Some(Mark::Excused) => row.excused += 1,
                        None => row.not_recorded += 1,
                    }
                }
                row.attended = row.present + row.late;
                let base = row.expected - row.excused;
                row.rate = (base > 0).then(|| f64::from(row.attended) / f64::from(base));
                people.push(row);
            }
            group_rows.push(GroupRow {
                group_id: gid,
                group_name: gname,
                sessions_held: held.len() as u32,
                sessions_not_held: sessions.iter().filter(|s| !s.2 && s.3 == "not_held").count() as u32,
                sessions_cancelled: sessions.iter().filter(|s| s.2).count() as u32,
                mean_attendance: (!held.is_empty()).then(|| f64::from(attended_total) / held.len() as f64),
                members: by_person.len() as u32,
                dropouts,
            });
        }
        people.sort_by(|a, b| (a.name.to_lowercase(), &a.group_name).cmp(&(b.name.to_lowercase(), &b.group_name)));
        Ok(AttendanceReport { from, to, people, groups: group_rows })
    }

    #[test]
    fn the_quick_report_counts_exactly_what_the_old_one_did() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("centre.db");
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        crate::scale::generate(&path, &crate::scale::Scale::SMALL, 4, today).unwrap();
        let conn = Connection::open(&path).unwrap();
        let ctx = Ctx::at(Actor { staff_id: None, role: Role::Counsellor }, today);
        let groups: Vec<i64> = conn
            .prepare("SELECT id FROM therapy_groups")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let ago = |days: u64| today - chrono::Days::new(days);
        let mut ranges = vec![
            (ago(365), today, None),
            (ago(1100), today, None),
            (ago(30), ago(2), None),
            (ago(700), ago(400), None),
        ];
        ranges.extend(groups.iter().map(|g| (ago(365), today, Some(*g))));
        // Mid-month starts and ends, one month, a whole calendar month.
        ranges.push((
            NaiveDate::from_ymd_opt(2026, 3, 17).unwrap(),
            NaiveDate::from_ymd_opt(2026, 9, 3).unwrap(),
            None,
        ));
        ranges.push((
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            None,
        ));
        ranges.push((
            NaiveDate::from_ymd_opt(2026, 6, 3).unwrap(),
            NaiveDate::from_ymd_opt(2026, 6, 29).unwrap(),
            None,
        ));
        ranges.push((
            NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            None,
        ));
        // The screen's way too: the groups split over two connections.
        let store = crate::db::Store::open(&path).unwrap();
        let check = |conn: &Connection, when: &str| {
            for (from, to, group) in &ranges {
                let quick = report(conn, &ctx, *from, *to, *group).unwrap();
                let old = reference(conn, *from, *to, *group).unwrap();
                assert!(quick.people.len() > 5 || group.is_some(), "{from}..{to}: a real report");
                assert_eq!(quick, old, "{when}: {from}..{to} {group:?}");
                let split = report_in(&store, &ctx, *from, *to, *group).unwrap();
                assert_eq!(split, old, "{when}, on two connections: {from}..{to} {group:?}");
            }
        };
        assert!(store.second_reader().unwrap().is_some(), "a store on a file has a second reader");
        check(&conn, "as generated");

        // Then edits of every kind that changes which marks count, straight in the tables
        // (the triggers keep the tallies; the screens' own rules are not the point here).
        let ids = |sql: &str| -> Vec<i64> {
            conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
        };
        let held = ids("SELECT id FROM group_sessions WHERE held = 'held' AND cancelled = 0 AND id IN
                        (SELECT session_id FROM group_attendance) ORDER BY id");
        assert!(held.len() > 200);
        let marks = ids("SELECT id FROM group_attendance ORDER BY id");
        for (n, m) in marks.iter().step_by(37).enumerate() {
            let status = ["present", "late", "absent", "excused"][n % 4];
            conn.execute("UPDATE group_attendance SET status = ?2 WHERE id = ?1", params![m, status]).unwrap();
        }
        for s in held.iter().step_by(23) {
            conn.execute("UPDATE group_sessions SET cancelled = 1 WHERE id = ?1", [s]).unwrap();
        }
        for s in held.iter().skip(5).step_by(29) {
            conn.execute("UPDATE group_sessions SET held = 'not_held' WHERE id = ?1", [s]).unwrap();
        }
        check(&conn, "marks changed, sessions cancelled and not held");
        for s in held.iter().step_by(46) {
            conn.execute("UPDATE group_sessions SET cancelled = 0 WHERE id = ?1", [s]).unwrap();
        }
        for s in held.iter().skip(5).step_by(58) {
            conn.execute("UPDATE group_sessions SET held = 'held' WHERE id = ?1", [s]).unwrap();
        }
        // Sessions moved across month ends and range ends (a day or two later, a week earlier).
        for (n, s) in held.iter().skip(3).step_by(17).enumerate() {
            let shift = ["+1 day", "+2 days", "-7 days", "+20 days"][n % 4];
            conn.execute("UPDATE group_sessions SET date = date(date, ?2) WHERE id = ?1", params![s, shift]).unwrap();
        }
        check(&conn, "restored, held again, moved");
        // Memberships ending mid-month (and new windows, some overlapping old ones).
        let open = ids("SELECT id FROM group_memberships WHERE left_on IS NULL ORDER BY id");
        assert!(open.len() > 20);
        for (n, m) in open.iter().step_by(3).enumerate() {
            let left = ago([3, 20, 45, 100, 200][n % 5]);
            conn.execute(
                "UPDATE group_memberships SET left_on = max(joined_on, ?2), leave_reason = 'dropped_out' WHERE id = ?1",
                params![m, left],
            )
            .unwrap();
        }
        let done = ids("SELECT id FROM group_memberships WHERE left_on IS NOT NULL ORDER BY id DESC LIMIT 40");
        for (n, m) in done.iter().enumerate() {
            let joined = if n % 2 == 0 { "date(left_on, '-10 days')" } else { "date(left_on, '+12 days')" };
            conn.execute(
                &format!(
                    "INSERT INTO group_memberships (group_id, patient_id, family_member_id, joined_on, created_at)
                     SELECT group_id, patient_id, family_member_id, max(joined_on, {joined}), 't'
                     FROM group_memberships WHERE id = ?1"
                ),
                [m],
            )
            .unwrap();
        }
        check(&conn, "memberships ended and joined again");
        // The tallies are what a fresh count gives.
        let recount = |sql: &str| -> Vec<(i64, String, i64, i64, i64, i64)> {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let kept = recount(
            "SELECT membership_id, month, present, late, absent, excused FROM group_membership_tallies
             WHERE present <> 0 OR late <> 0 OR absent <> 0 OR excused <> 0 ORDER BY 1, 2",
        );
        let fresh = recount(
            "SELECT m.id, substr(s.date, 1, 7), sum(a.status = 'present'), sum(a.status = 'late'),
                    sum(a.status = 'absent'), sum(a.status = 'excused')
             FROM group_memberships m
             JOIN group_attendance a ON a.group_id = m.group_id
               AND (a.patient_id = m.patient_id OR a.family_member_id = m.family_member_id)
             JOIN group_sessions s ON s.id = a.session_id
             WHERE s.cancelled = 0 AND s.held = 'held' AND s.date >= m.joined_on
               AND (m.left_on IS NULL OR s.date <= m.left_on)
             GROUP BY 1, 2 ORDER BY 1, 2",
        );
        assert_eq!(kept, fresh);
        // And each window's sums are its tallies added up.
        let sums = recount(
            "SELECT id, '', tally_present, tally_late, tally_absent, tally_excused FROM group_memberships ORDER BY id",
        );
        let added = recount(
            "SELECT m.id, '', coalesce(sum(t.present), 0), coalesce(sum(t.late), 0), coalesce(sum(t.absent), 0),
                    coalesce(sum(t.excused), 0)
             FROM group_memberships m LEFT JOIN group_membership_tallies t ON t.membership_id = m.id
             GROUP BY m.id ORDER BY m.id",
        );
        assert_eq!(sums, added);
        assert!(sums.iter().filter(|s| s.2 > 0).count() > 100, "the sums are real");
    }
}
