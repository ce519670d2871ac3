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
use crate::dates;
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
    person: Person,
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

/// The report for `[from, to]`, all groups or one, on one connection and one thread.
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
    let mut people = Vec::new();
    let mut groups = Vec::new();
    for (gid, gname) in groups_of(conn, group)? {
        let mut sessions = sessions_of(conn, gid, from, to)?;
        let counting = counting(from, to, std::mem::take(&mut sessions.edges));
        let (mut members, dropouts) = windows_of(conn, gid, from, to)?;
        if let Some(months) = counting.months {
            add_month_tallies(conn, gid, months, &mut members)?;
        }
        add_edge_marks(conn, &counting.marks, &mut members)?;
        recount_overlapping(conn, gid, from, to, &mut members)?;
        groups.push(group_row(gid, &gname, &sessions, members.tallies.len(), dropouts));
        people.extend(person_rows(gid, &gname, &sessions.held, members.tallies));
    }
    let lower = fill_names(conn, &mut people)?;
    sort_people(&mut people, &groups, lower);
    Ok(AttendanceReport { from, to, people, groups })
}

fn groups_of(conn: &Connection, group: Option<i64>) -> Result<Vec<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name FROM therapy_groups WHERE ?1 IS NULL OR id = ?1 ORDER BY name COLLATE NOCASE, id",
        )?
        .query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A group's sessions in the range, and the held ones of the months the range cuts.
struct Sessions {
    /// Days of the sessions held in the range, in order.
    held: Vec<NaiveDate>,
    not_held: u32,
    cancelled: u32,
    /// Marks "present" or "late" at the held sessions (drop-ins included).
    attended: i64,
    edges: Edges,
}

/// Held sessions (id, day) of the first and last month of the range, inside it and
/// outside it.
#[derive(Default)]
struct Edges {
    first_in: Vec<(i64, NaiveDate)>,
    first_out: Vec<(i64, NaiveDate)>,
    last_in: Vec<(i64, NaiveDate)>,
    last_out: Vec<(i64, NaiveDate)>,
}

/// Step 1: the sessions of the whole months the range touches.
fn sessions_of(conn: &Connection, gid: i64, from: NaiveDate, to: NaiveDate) -> Result<Sessions> {
    let mut out = Sessions { held: Vec::new(), not_held: 0, cancelled: 0, attended: 0, edges: Edges::default() };
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.date, s.cancelled, s.held, coalesce(t.attended, 0) FROM group_series x
         JOIN group_sessions s ON s.series_id = x.id
         LEFT JOIN group_session_tallies t ON t.session_id = s.id
         WHERE x.group_id = ?1 AND s.date BETWEEN ?2 AND ?3",
    )?;
    let mut rows = stmt.query(params![gid, month_start(from), month_end(to)])?;
    while let Some(r) = rows.next()? {
        let (id, date, cancelled): (i64, NaiveDate, bool) = (r.get(0)?, dates::date(r, 1)?, r.get(2)?);
        let state = match r.get_ref(3)? {
            ValueRef::Text(b"held") => "held",
            ValueRef::Text(b"not_held") => "not_held",
            _ => "",
        };
        let held = !cancelled && state == "held";
        let inside = date >= from && date <= to;
        if held {
            let e = &mut out.edges;
            match (inside, date <= month_end(from), date >= month_start(to)) {
                (true, true, _) => e.first_in.push((id, date)),
                (true, false, true) => e.last_in.push((id, date)),
                (false, true, _) => e.first_out.push((id, date)),
                (false, false, true) => e.last_out.push((id, date)),
                _ => {}
            }
        }
        if !inside {
            continue;
        }
        match (cancelled, state) {
            (true, _) => out.cancelled += 1,
            (false, "held") => {
                out.held.push(date);
                out.attended += r.get::<_, i64>(4)?;
            }
            (false, "not_held") => out.not_held += 1,
            _ => {}
        }
    }
    out.held.sort_unstable();
    Ok(out)
}

/// How the marks are counted: the whole months whose tallies count, and the sessions
/// whose marks are added (+1) or taken away (−1).
struct Counting {
    months: Option<(String, String)>,
    marks: Vec<(i64, NaiveDate, i64)>,
}

/// Step 2: a month the range cuts counts from its tally less the marks of its sessions
/// outside the range, or from the marks of its sessions inside the range, whichever reads
/// fewer sessions.
fn counting(from: NaiveDate, to: NaiveDate, e: Edges) -> Counting {
    let mut marks = Vec::new();
    let mut edge = |inside: Vec<(i64, NaiveDate)>, outside: Vec<(i64, NaiveDate)>| {
        let use_tally = outside.len() < inside.len();
        let (read, sign) = if use_tally { (outside, -1) } else { (inside, 1) };
        marks.extend(read.into_iter().map(|(s, d)| (s, d, sign)));
        use_tally
    };
    let (lo, hi) = if month_key(from) == month_key(to) {
        let (mut inside, mut outside) = (e.first_in, e.first_out);
        inside.extend(e.last_in);
        outside.extend(e.last_out);
        if !edge(inside, outside) {
            return Counting { months: None, marks };
        }
        (month_start(from), month_end(to))
    } else {
        let lo =
            if edge(e.first_in, e.first_out) { month_start(from) } else { month_end(from).succ_opt().unwrap_or(from) };
        let hi = if edge(e.last_in, e.last_out) { month_end(to) } else { month_start(to).pred_opt().unwrap_or(to) };
        (lo, hi)
    };
    Counting { months: (lo <= hi).then(|| (month_key(lo), month_key(hi))), marks }
}

/// The people of one group in the range: one [`Tally`] each, found by person or by window.
#[derive(Default)]
struct Members {
    tallies: Vec<Tally>,
    by_person: FxHashMap<Person, usize>,
    by_window: FxHashMap<i64, usize>,
}

/// Step 3: the windows reaching into the range, per person; and the drop-outs (left with
/// reason "dropped out" within the range).
fn windows_of(conn: &Connection, gid: i64, from: NaiveDate, to: NaiveDate) -> Result<(Members, u32)> {
    let mut m = Members::default();
    let mut dropouts = 0;
    let mut stmt = conn.prepare_cached(
        "SELECT id, patient_id, family_member_id, joined_on, left_on, leave_reason FROM group_memberships
         WHERE group_id = ?1 AND left_on IS NULL AND joined_on <= ?3
         UNION ALL
         SELECT id, patient_id, family_member_id, joined_on, left_on, leave_reason FROM group_memberships
         WHERE group_id = ?1 AND left_on >= ?2 AND joined_on <= ?3",
    )?;
    let mut rows = stmt.query(params![gid, from, to])?;
    while let Some(r) = rows.next()? {
        let (window, p, f): (i64, Option<i64>, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (joined, left, reason): (NaiveDate, Option<NaiveDate>, Option<LeaveReason>) =
            (dates::date(r, 3)?, dates::date_opt(r, 4)?, r.get(5)?);
        if reason == Some(LeaveReason::DroppedOut) && left.is_some_and(|l| l >= from && l <= to) {
            dropouts += 1;
        }
        let Some(person) = Person::from_columns(p, f) else { continue };
        let next = m.tallies.len();
        let i = *m.by_person.entry(person).or_insert(next);
        if i == next {
            m.tallies.push(Tally {
                person,
                windows: Vec::new(),
                overlapping: false,
                present: 0,
                late: 0,
                absent: 0,
                excused: 0,
            });
        }
        let t = &mut m.tallies[i];
        t.overlapping |= t
            .windows
            .iter()
            .any(|(j, l)| *j <= left.unwrap_or(NaiveDate::MAX) && joined <= l.unwrap_or(NaiveDate::MAX));
        t.windows.push((joined, left));
        m.by_window.insert(window, i);
    }
    Ok((m, dropouts))
}

/// Step 4: the group's monthly tallies of the months counted whole, in one pass over its
/// index (tallies of windows outside the range are passed over).
fn add_month_tallies(conn: &Connection, gid: i64, (lo, hi): (String, String), m: &mut Members) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT membership_id, present, late, absent, excused FROM group_membership_tallies
         WHERE group_id = ?1 AND month BETWEEN ?2 AND ?3",
    )?;
    let mut rows = stmt.query(params![gid, lo, hi])?;
    while let Some(r) = rows.next()? {
        let Some(&i) = m.by_window.get(&r.get::<_, i64>(0)?) else { continue };
        let t = &mut m.tallies[i];
        t.present += r.get::<_, i64>(1)?;
        t.late += r.get::<_, i64>(2)?;
        t.absent += r.get::<_, i64>(3)?;
        t.excused += r.get::<_, i64>(4)?;
    }
    Ok(())
}

/// Step 5: the marks of the cut months' sessions read one by one, added or taken away.
fn add_edge_marks(conn: &Connection, marks: &[(i64, NaiveDate, i64)], m: &mut Members) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT patient_id, family_member_id, status FROM group_attendance WHERE session_id = ?1")?;
    for &(session, date, sign) in marks {
        let mut rows = stmt.query([session])?;
        while let Some(r) = rows.next()? {
            let Some(person) = Person::from_columns(r.get(0)?, r.get(1)?) else { continue };
            let Some(&i) = m.by_person.get(&person) else { continue };
            let t = &mut m.tallies[i];
            if t.member_on(date) {
                t.add(r.get(2)?, sign);
            }
        }
    }
    Ok(())
}

/// Step 6: people whose windows overlap are counted again from their marks one by one,
/// each mark once (steps 4 and 5 counted a shared day twice).
fn recount_overlapping(conn: &Connection, gid: i64, from: NaiveDate, to: NaiveDate, m: &mut Members) -> Result<()> {
    let mut patient_marks = conn.prepare_cached(
        "SELECT s.date, a.status FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE a.patient_id = ?1 AND a.group_id = ?2 AND s.date BETWEEN ?3 AND ?4 AND s.cancelled = 0 AND s.held = 'held'",
    )?;
    let mut family_marks = conn.prepare_cached(
        "SELECT s.date, a.status FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE a.family_member_id = ?1 AND a.group_id = ?2 AND s.date BETWEEN ?3 AND ?4 AND s.cancelled = 0
           AND s.held = 'held'",
    )?;
    for t in m.tallies.iter_mut().filter(|t| t.overlapping) {
        (t.present, t.late, t.absent, t.excused) = (0, 0, 0, 0);
        let (stmt, id) = match t.person {
            Person::Patient(id) => (&mut patient_marks, id),
            Person::Family(id) => (&mut family_marks, id),
        };
        let mut rows = stmt.query(params![id, gid, from, to])?;
        while let Some(r) = rows.next()? {
            if t.member_on(dates::date(r, 0)?) {
                t.add(r.get(1)?, 1);
            }
        }
    }
    Ok(())
}

/// Step 7: a group's own row.
fn group_row(gid: i64, gname: &str, s: &Sessions, members: usize, dropouts: u32) -> GroupRow {
    let held = s.held.len() as u32;
    let attended = u32::try_from(s.attended).unwrap_or(0);
    GroupRow {
        group_id: gid,
        group_name: gname.to_owned(),
        sessions_held: held,
        sessions_not_held: s.not_held,
        sessions_cancelled: s.cancelled,
        mean_attendance: (held > 0).then(|| f64::from(attended) / f64::from(held)),
        members: members as u32,
        dropouts,
    }
}

/// Step 8: a row per person (names filled in later), patients then family, by id.
fn person_rows(gid: i64, gname: &str, held: &[NaiveDate], mut tallies: Vec<Tally>) -> Vec<PersonRow> {
    tallies.sort_unstable_by_key(|t| t.person);
    tallies
        .into_iter()
        .map(|t| {
            // Sessions held on a day they were a member (each session once).
            let expected = if let [(j, l)] = t.windows[..] {
                let start = held.partition_point(|d| *d < j);
                let end = l.map_or(held.len(), |l| held.partition_point(|d| *d <= l));
                end.saturating_sub(start) as u32
            } else {
                held.iter().filter(|d| t.member_on(**d)).count() as u32
            };
            let count = |n: i64| u32::try_from(n).unwrap_or(0);
            let (present, late, absent, excused) = (count(t.present), count(t.late), count(t.absent), count(t.excused));
            let attended = present + late;
            let base = expected - excused.min(expected);
            PersonRow {
                person: t.person,
                name: String::new(),
                group_id: gid,
                group_name: gname.to_owned(),
                expected,
                attended,
                present,
                late,
                absent,
                excused,
                not_recorded: expected.saturating_sub(present + late + absent + excused),
                rate: (base > 0).then(|| f64::from(attended) / f64::from(base)),
            }
        })
        .collect()
}

/// Step 9: names as `describe` gives them, one read for everyone (in id order, so that
/// the lookups walk the tables' trees forwards; the ids drive the look-ups, where an
/// `IN` list would first be copied into a temporary index); returns each person's name
/// in lower case, for the sort.
fn fill_names(conn: &Connection, people: &mut [PersonRow]) -> Result<FxHashMap<Person, String>> {
    let (mut patients, mut family): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
    for p in people.iter() {
        match p.person {
            Person::Patient(id) => patients.push(id),
            Person::Family(id) => family.push(id),
        }
    }
    let ids = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids.dedup();
        json_ids(&ids)
    };
    let mut names: FxHashMap<Person, String> = conn
        .prepare_cached(
            "SELECT p.id, CASE WHEN preferred_name <> '' THEN full_name || ' (' || preferred_name || ')' ELSE full_name END
             FROM json_each(?1) j JOIN patients p ON p.id = j.value",
        )?
        .query_map([ids(patients)], |r| Ok((Person::Patient(r.get(0)?), r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for row in conn
        .prepare_cached("SELECT f.id, f.name FROM json_each(?1) j JOIN family_members f ON f.id = j.value")?
        .query_map([ids(family)], |r| Ok((Person::Family(r.get(0)?), r.get(1)?)))?
    {
        let (person, name) = row?;
        names.insert(person, name);
    }
    for p in people.iter_mut() {
        p.name = names.get(&p.person).cloned().ok_or_else(|| Error::NotFound { what: "The member" })?;
    }
    Ok(names.into_iter().map(|(p, n)| (p, n.to_lowercase())).collect())
}

/// Step 10: the people by name (ignoring case), then group name, then the groups' order
/// (`groups` is in it already): each person's and group's place is found once, then the
/// rows are sorted by those places (a stable sort keeps patients before family, by id).
fn sort_people(people: &mut [PersonRow], groups: &[GroupRow], lower: FxHashMap<Person, String>) {
    let by_name = ranks(lower.into_iter());
    let by_group = ranks(groups.iter().map(|g| (g.group_id, g.group_name.clone())));
    let place: FxHashMap<i64, usize> = groups.iter().enumerate().map(|(i, g)| (g.group_id, i)).collect();
    people.sort_by_cached_key(|p| {
        (by_name.get(&p.person).copied(), by_group.get(&p.group_id).copied(), place.get(&p.group_id).copied())
    });
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
    if !crate::files::is_csv_path(path) {
        return Err(Error::invalid(
            "path_invalid",
            "path",
            "Please choose a full file name ending in .csv to save the report as.",
        ));
    }
    std::fs::write(path, to_csv(&r))?;
    Ok(())
}

/// The file name the save dialog suggests for a report (the folder is the user's choice).
pub fn csv_file_name(from: NaiveDate, to: NaiveDate) -> String {
    format!("attendance-{}-to-{}.csv", from.format("%d-%m-%Y"), to.format("%d-%m-%Y"))
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
        let check = |conn: &Connection, when: &str| {
            for (from, to, group) in &ranges {
                let quick = report(conn, &ctx, *from, *to, *group).unwrap();
                let old = reference(conn, *from, *to, *group).unwrap();
                assert!(quick.people.len() > 5 || group.is_some(), "{from}..{to}: a real report");
                assert_eq!(quick, old, "{when}: {from}..{to} {group:?}");
            }
        };
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
        assert!(kept.len() > 100, "the tallies are real");
        assert!(crate::groups::tallies::recount(&conn).unwrap().is_empty(), "the check's recount agrees");
    }
}
