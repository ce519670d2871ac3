//! Peer mentorship in the centre: who is a mentor, who is waiting for one, suggestions
//! from the matcher ([`crate::matching`]) with their reasons, and the life of a pair
//! (accepted or made by hand, ended with a reason; an ending that went badly excludes the
//! pair from later suggestions).
//!
//! The database is turned into a matching [`Problem`] here; the matcher itself stays a
//! pure function. Eligibility rules that the matcher does not know (a paused mentor, an
//! in-patient, an archived record) leave a mentor out of the problem and are listed as
//! the reason on the mentors list.
use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::audit::{self, entity};
use crate::ctx::Ctx;
use crate::db::date_at;
use crate::enums::str_enum;
use crate::error::{Error, Result};
use crate::matching::{self, Day, Id, Mentee, Mentor, PairRef, Problem, Rules, Weights};
use crate::patients::{Gender, Phase, age_on};
use crate::settings::set_raw;

// ------------------------------------------------------------------ settings

/// The centre's rules and weights for suggestions (Settings → Mentorship).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorshipSettings {
    /// Mentor and mentee must have the same gender.
    pub same_gender: bool,
    /// Days in recovery a mentor needs (AA often asks a year; many centres use six months).
    pub min_recovery_days: u32,
    /// Aftercare patients discharged within this many days wait for a mentor.
    pub recent_discharge_days: u32,
    /// Soft preferences, each with the shipped default.
    pub weights: Vec<NamedWeight>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NamedWeight {
    pub name: String,
    pub value: u32,
    pub default: u32,
}

const SAME_GENDER: &str = "mentorship.same_gender";
const MIN_RECOVERY_DAYS: &str = "mentorship.min_recovery_days";
const RECENT_DISCHARGE_DAYS: &str = "mentorship.recent_discharge_days";
const WEIGHT_PREFIX: &str = "mentorship.weight.";
pub const DEFAULT_RECENT_DISCHARGE_DAYS: u32 = 180;

pub fn get_settings(conn: &Connection) -> Result<MentorshipSettings> {
    // Every mentorship key in one read ("mentorship." up to, not including, "mentorship/").
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings WHERE key >= ?1 AND key < ?2")?;
    let saved: HashMap<String, String> = stmt
        .query_map(["mentorship.", "mentorship/"], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let rules = Rules::default();
    let num =
        |key: &str, default: u32| -> Result<u32> { Ok(saved.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)) };
    let defaults = Weights::default();
    let mut weights = Vec::new();
    for (name, default) in defaults.all() {
        let value = num(&format!("{WEIGHT_PREFIX}{name}"), default)?;
        weights.push(NamedWeight { name: name.to_owned(), value, default });
    }
    Ok(MentorshipSettings {
        same_gender: saved.get(SAME_GENDER).map_or(rules.same_gender, |v| v != "0"),
        min_recovery_days: num(MIN_RECOVERY_DAYS, rules.min_recovery_days)?,
        recent_discharge_days: num(RECENT_DISCHARGE_DAYS, DEFAULT_RECENT_DISCHARGE_DAYS)?,
        weights,
    })
}

pub fn save_settings(tx: &Transaction<'_>, ctx: &Ctx, s: &MentorshipSettings) -> Result<()> {
    ctx.require(Action::ManageSettings)?;
    if s.min_recovery_days > 3650 {
        return Err(Error::invalid(
            "mentorship_recovery_days",
            "min_recovery_days",
            "Days in recovery must be a number from 0 to 3650.",
        ));
    }
    if s.recent_discharge_days > 3650 {
        return Err(Error::invalid(
            "mentorship_recent_days",
            "recent_discharge_days",
            "Days since discharge must be a number from 0 to 3650.",
        ));
    }
    let mut check = Weights::default();
    for w in &s.weights {
        let Some(slot) = check.get_mut(&w.name) else {
            return Err(Error::invalid(
                "mentorship_weight",
                "weights",
                format!("There is no preference called {}.", w.name),
            ));
        };
        if w.value > 100 {
            return Err(Error::invalid("mentorship_weight", "weights", "Each weight must be a number from 0 to 100."));
        }
        *slot = w.value;
    }
    set_raw(tx, SAME_GENDER, if s.same_gender { "1" } else { "0" })?;
    set_raw(tx, MIN_RECOVERY_DAYS, &s.min_recovery_days.to_string())?;
    set_raw(tx, RECENT_DISCHARGE_DAYS, &s.recent_discharge_days.to_string())?;
    for (name, value) in check.all() {
        set_raw(tx, &format!("{WEIGHT_PREFIX}{name}"), &value.to_string())?;
    }
    audit::record(tx, ctx, "mentorship_settings", entity::SETTINGS, None, "")
}

fn weights_of(s: &MentorshipSettings) -> Weights {
    let mut w = Weights::default();
    for nw in &s.weights {
        if let Some(slot) = w.get_mut(&nw.name) {
            *slot = nw.value;
        }
    }
    w
}

// ------------------------------------------------------------------ profiles

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PeerProfile {
    /// Days free: "mon" … "sun".
    pub days: Vec<String>,
    pub times: String,
    pub locality: String,
    /// `None`: decided by phase; `Some(true)`: wants a mentor; `Some(false)`: does not.
    pub wants_mentor: Option<bool>,
    #[ts(type = "number | null")]
    pub preferred_mentor: Option<i64>,
    pub is_mentor: bool,
    /// When recovery began, or the last relapse.
    pub recovery_since: Option<NaiveDate>,
    pub trained: bool,
    pub trained_on: Option<NaiveDate>,
    pub capacity: u32,
    /// A mentor can be paused (holiday, illness) without losing the record.
    pub mentor_active: bool,
}

impl Default for PeerProfile {
    fn default() -> Self {
        PeerProfile {
            days: Vec::new(),
            times: String::new(),
            locality: String::new(),
            wants_mentor: None,
            preferred_mentor: None,
            is_mentor: false,
            recovery_since: None,
            trained: false,
            trained_on: None,
            capacity: 2,
            mentor_active: true,
        }
    }
}

fn read_profile(conn: &Connection, patient: i64) -> Result<Option<PeerProfile>> {
    Ok(conn
        .query_row(
            "SELECT days, times, locality, wants_mentor, preferred_mentor, is_mentor, recovery_since, trained,
                    trained_on, capacity, mentor_active
             FROM peer_profiles WHERE patient_id = ?1",
            [patient],
            |r| {
                let days: String = r.get(0)?;
                Ok(PeerProfile {
                    days: serde_json::from_str(&days).unwrap_or_default(),
                    times: r.get(1)?,
                    locality: r.get(2)?,
                    wants_mentor: r.get(3)?,
                    preferred_mentor: r.get(4)?,
                    is_mentor: r.get(5)?,
                    recovery_since: r.get(6)?,
                    trained: r.get(7)?,
                    trained_on: r.get(8)?,
                    capacity: r.get(9)?,
                    mentor_active: r.get(10)?,
                })
            },
        )
        .optional()?)
}

fn patient_exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM patients WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
}

/// Saves what mentorship needs to know about a patient (mentor or mentee).
pub fn save_profile(tx: &Transaction<'_>, ctx: &Ctx, patient: i64, p: &PeerProfile) -> Result<()> {
    ctx.require(Action::ManageMentorship)?;
    if !patient_exists(tx, patient)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    let mut days: Vec<Day> = Vec::new();
    for d in &p.days {
        let day = Day::ALL.into_iter().find(|x| x.as_str() == d).ok_or_else(|| {
            Error::invalid("mentorship_day", "days", format!("{d:?} is not a day of the week (mon … sun)."))
        })?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    days.sort();
    let days: Vec<&str> = days.iter().map(|d| d.as_str()).collect();
    if p.capacity > 10 {
        return Err(Error::invalid("mentor_capacity", "capacity", "A mentor can take from 0 to 10 mentees at once."));
    }
    if p.is_mentor && p.recovery_since.is_none() {
        return Err(Error::invalid(
            "mentor_recovery_since",
            "recovery_since",
            "Enter the date recovery began (or the last relapse) to mark someone as a peer mentor.",
        ));
    }
    if p.recovery_since.is_some_and(|d| d > ctx.today) {
        return Err(Error::invalid(
            "mentor_recovery_since",
            "recovery_since",
            "The recovery date cannot be in the future.",
        ));
    }
    if p.trained_on.is_some_and(|d| d > ctx.today) {
        return Err(Error::invalid("mentor_trained_on", "trained_on", "The training date cannot be in the future."));
    }
    if let Some(m) = p.preferred_mentor {
        let is_mentor = read_profile(tx, m)?.is_some_and(|x| x.is_mentor);
        if m == patient || !is_mentor {
            return Err(Error::invalid(
                "mentor_preference",
                "preferred_mentor",
                "The preferred mentor must be someone else who is marked as a peer mentor.",
            ));
        }
    }
    tx.execute(
        "INSERT INTO peer_profiles (patient_id, days, times, locality, wants_mentor, preferred_mentor, is_mentor,
                                    recovery_since, trained, trained_on, capacity, mentor_active, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (patient_id) DO UPDATE SET
            days = excluded.days, times = excluded.times, locality = excluded.locality,
            wants_mentor = excluded.wants_mentor, preferred_mentor = excluded.preferred_mentor,
            is_mentor = excluded.is_mentor, recovery_since = excluded.recovery_since, trained = excluded.trained,
            trained_on = excluded.trained_on, capacity = excluded.capacity, mentor_active = excluded.mentor_active,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![
            patient,
            serde_json::to_string(&days).unwrap_or_else(|_| "[]".into()),
            p.times.trim(),
            crate::text::clean(&p.locality),
            p.wants_mentor,
            p.preferred_mentor,
            p.is_mentor,
            p.recovery_since,
            p.trained,
            p.trained_on,
            p.capacity,
            p.mentor_active,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    audit::record(tx, ctx, "peer_profile", entity::PATIENT, Some(patient), if p.is_mentor { "mentor" } else { "" })
}

// ------------------------------------------------------------------ people

/// What the matcher and the lists need to know about one person.
#[derive(Debug, Clone)]
struct Person {
    id: i64,
    /// As lists show it ([`display_name`]).
    name: String,
    gender: Gender,
    phase: Phase,
    archived: bool,
    languages: Vec<String>,
    substances: Vec<String>,
    age: Option<u32>,
    /// A discharge on or after the "recently discharged" cutoff, for people found through
    /// one (the aftercare patients who wait for a mentor); `None` for everyone else.
    recent_discharge: Option<NaiveDate>,
    // From their mentorship profile (the defaults where they have none).
    days: Vec<String>,
    locality: String,
    wants_mentor: Option<bool>,
    preferred_mentor: Option<i64>,
    is_mentor: bool,
    recovery_since: Option<NaiveDate>,
    trained: bool,
    capacity: u32,
    mentor_active: bool,
}

/// The columns of a [`Person`]; each query adds one more, the discharge that found the
/// person (`NULL` where none did).
const PERSON_COLUMNS: &str = "
    SELECT p.id, p.full_name, p.preferred_name, p.gender, p.phase, p.archived_at IS NOT NULL, p.languages,
           p.substances, p.birth_date, p.age_years, p.age_recorded_on,
           pp.days, pp.locality, pp.wants_mentor, pp.preferred_mentor, coalesce(pp.is_mentor, 0),
           pp.recovery_since, coalesce(pp.trained, 0), coalesce(pp.capacity, 2), coalesce(pp.mentor_active, 1)";

/// People by patient: every query below reaches patients by id or through an index.
const PERSON_SQL: &str = "FROM patients p LEFT JOIN peer_profiles pp ON pp.patient_id = p.id";

/// A JSON list of strings as the columns hold them (`["Hindi","Punjabi"]`), read without
/// the full parser; `None` for anything else (escapes, other values, odd spacing), which
/// [`strings_from`] hands to serde_json.
fn simple_strings(t: &str) -> Option<Vec<String>> {
    let json_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let inner = t.trim_matches(json_space).strip_prefix('[')?.strip_suffix(']')?.trim_matches(json_space);
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|item| {
            let s = item.trim_matches(json_space).strip_prefix('"')?.strip_suffix('"')?;
            s.chars().all(|c| c != '"' && c != '\\' && c >= ' ').then(|| s.to_owned())
        })
        .collect()
}

/// A JSON list of strings: what serde_json reads, and an empty list where it reads none.
fn strings_from(t: &str) -> Option<Vec<String>> {
    simple_strings(t).or_else(|| serde_json::from_str(t).ok())
}

/// A JSON list of strings from a column, read in place; an empty list if the text is not
/// one (and, for anything but text, what rusqlite makes of it).
fn strings_at(r: &rusqlite::Row<'_>, i: usize, null_is_empty: bool) -> rusqlite::Result<Vec<String>> {
    match r.get_ref(i)? {
        ValueRef::Text(t) => {
            if let Ok(t) = std::str::from_utf8(t) {
                return Ok(strings_from(t).unwrap_or_default());
            }
        }
        ValueRef::Null if null_is_empty => return Ok(Vec::new()),
        _ => {}
    }
    Ok(strings_from(&r.get::<_, String>(i)?).unwrap_or_default())
}

/// A text column, borrowed from the row.
fn text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    let v = r.get_ref(i)?;
    v.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e)))
}

fn person_from_row(today: NaiveDate, r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: r.get(0)?,
        name: display_name(text_at(r, 1)?, text_at(r, 2)?),
        gender: r.get(3)?,
        phase: r.get(4)?,
        archived: r.get(5)?,
        languages: strings_at(r, 6, false)?,
        substances: strings_at(r, 7, false)?,
        age: age_on(today, date_at(r, 8)?, r.get(9)?, date_at(r, 10)?),
        days: strings_at(r, 11, true)?,
        locality: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
        wants_mentor: r.get(13)?,
        preferred_mentor: r.get(14)?,
        is_mentor: r.get(15)?,
        recovery_since: date_at(r, 16)?,
        trained: r.get(17)?,
        capacity: r.get(18)?,
        mentor_active: r.get(19)?,
        recent_discharge: date_at(r, 20)?,
    })
}

fn person(conn: &Connection, today: NaiveDate, id: i64) -> Result<Person> {
    conn.prepare_cached(&format!("{PERSON_COLUMNS}, NULL {PERSON_SQL} WHERE p.id = ?1"))?
        .query_row([id], |r| person_from_row(today, r))
        .optional()?
        .ok_or(Error::NotFound { what: "That patient" })
}

/// Runs `f` in one read transaction (unless the connection is in one already), so all
/// the queries behind a screen see the same state of the data, and the file is locked
/// once rather than once a statement.
fn snapshot<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return f();
    }
    /// Ends the transaction however `f` ends (it only read, so nothing is lost).
    struct End<'a>(&'a Connection);
    impl Drop for End<'_> {
        fn drop(&mut self) {
            if !self.0.is_autocommit() {
                let _ = self.0.execute_batch("ROLLBACK");
            }
        }
    }
    conn.execute_batch("BEGIN DEFERRED")?;
    let _end = End(conn);
    f()
}

/// The people of the mentorship screen as they are now.
struct People {
    settings: MentorshipSettings,
    /// Everyone marked as a mentor, whatever their state.
    mentors: Vec<Person>,
    /// Who is waiting for a mentor, and why.
    waiting: Vec<(Person, WaitReason)>,
    /// Mentors flagged at risk in aftercare.
    at_risk: HashSet<i64>,
    /// Active pairs (mentor, mentee).
    active: Vec<(i64, i64)>,
}

impl People {
    /// Active pairs by mentor.
    fn load(&self) -> HashMap<i64, u32> {
        let mut load: HashMap<i64, u32> = HashMap::new();
        for (m, _) in &self.active {
            *load.entry(*m).or_default() += 1;
        }
        load
    }
}

/// The people a query finds, those `keep` wants (asked with each one's id before the
/// rest of the row is read).
fn read_people(
    conn: &Connection,
    today: NaiveDate,
    sql: &str,
    params: impl rusqlite::Params,
    mut keep: impl FnMut(i64) -> bool,
) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if keep(r.get(0)?) {
            out.push(person_from_row(today, r)?);
        }
    }
    Ok(out)
}

/// Mentors (marked, any state) and who is waiting (not archived, not a mentor, no active
/// mentor, and an in-patient, recently discharged or marked as wanting one). A mentee
/// asked about by hand (`include_mentee`) who is not waiting is added as asking.
///
/// With `other` (a second connection to the same file that nothing writes meanwhile),
/// the recently discharged, the longest list, are read on a thread of their own.
fn people(
    conn: &Connection,
    other: Option<&mut Connection>,
    today: NaiveDate,
    include_mentee: Option<i64>,
) -> Result<People> {
    let settings = get_settings(conn)?;
    let recent_days = settings.recent_discharge_days;
    let mut active = Vec::new();
    {
        // The covering index of the current pairs (SQLite would pick the unique one and
        // read every pair's row).
        let mut stmt = conn.prepare_cached(
            "SELECT mentor_id, mentee_id FROM mentor_pairs INDEXED BY mentor_pairs_active WHERE ended_on IS NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            active.push((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?));
        }
    }
    let has_mentor: HashSet<i64> = active.iter().map(|(_, e)| *e).collect();
    let no_mentor = |id: i64| !has_mentor.contains(&id);
    let not_declined = "coalesce(pp.is_mentor, 0) = 0 AND (pp.wants_mentor IS NULL OR pp.wants_mentor = 1)";
    let cutoff = today - Days::new(u64::from(recent_days));
    let discharged_sql = format!(
        "{PERSON_COLUMNS}, st.discharged_on FROM stays st CROSS JOIN patients p ON p.id = st.patient_id
         LEFT JOIN peer_profiles pp ON pp.patient_id = p.id
         WHERE st.discharged_on >= ?1 AND st.discharged_on < ?2 AND p.archived_at IS NULL AND p.phase = 'aftercare'
           AND {not_declined}"
    );
    // Discharged in [from, until), in the index's order.
    let discharged = |conn: &Connection, from: NaiveDate, until: NaiveDate| {
        read_people(conn, today, &discharged_sql, params![from, until], no_mentor)
    };
    let read_the_rest = || -> Result<(Vec<Person>, Vec<Person>, Vec<Person>)> {
        let mentors = read_people(
            conn,
            today,
            &format!(
                "{PERSON_COLUMNS}, NULL FROM peer_profiles pp CROSS JOIN patients p ON p.id = pp.patient_id
                 WHERE pp.is_mentor = 1"
            ),
            [],
            |_| true,
        )?;
        let inpatients = read_people(
            conn,
            today,
            &format!(
                "{PERSON_COLUMNS}, NULL FROM patients p INDEXED BY patients_by_phase
                 LEFT JOIN peer_profiles pp ON pp.patient_id = p.id
                 WHERE p.archived_at IS NULL AND p.phase = 'inpatient' AND {not_declined}"
            ),
            [],
            no_mentor,
        )?;
        let asking = read_people(
            conn,
            today,
            &format!(
                "{PERSON_COLUMNS}, NULL FROM peer_profiles pp CROSS JOIN patients p ON p.id = pp.patient_id
                 WHERE pp.wants_mentor = 1 AND pp.is_mentor = 0 AND p.archived_at IS NULL"
            ),
            [],
            no_mentor,
        )?;
        Ok((mentors, inpatients, asking))
    };
    // An end past any discharge (as text: dates are compared as ISO strings).
    let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(today);
    let (rest, discharged) = match other {
        // The helper takes the later three quarters of the period; this thread the rest
        // of the lists and the first quarter (about an even share of the rows).
        Some(other) => std::thread::scope(|s| {
            let split = cutoff + Days::new(u64::from(recent_days) / 4);
            let helper = s.spawn(move || discharged(other, split, end));
            let rest = read_the_rest();
            let first = discharged(conn, cutoff, split);
            let later = helper.join().unwrap_or_else(|_| Err(Error::Io(std::io::Error::other("reading stopped"))));
            (
                rest,
                first.and_then(|mut first| {
                    later.map(|later| {
                        first.extend(later);
                        first
                    })
                }),
            )
        }),
        None => (read_the_rest(), discharged(conn, cutoff, end)),
    };
    let ((mentors, inpatients, asking), discharged) = (rest?, discharged?);
    // Waiting: in-patients (phase index), aftercare patients discharged recently (the
    // discharge-date index, which also gives the patient), anyone marked "wants a mentor"
    // (their profile); each once, in that order, and nobody who has a mentor now (the
    // few active pairs, read above, rather than a look-up for every row).
    let mut seen = HashSet::new();
    let candidates: Vec<Person> =
        inpatients.into_iter().chain(discharged).chain(asking).filter(|p| seen.insert(p.id)).collect();
    let mut waiting: Vec<(Person, WaitReason)> = Vec::new();
    for p in candidates {
        if let Some(why) = p.waiting_because(today, recent_days) {
            waiting.push((p, why));
        } else if Some(p.id) == include_mentee {
            waiting.push((p, WaitReason::Asked));
        }
    }
    // A mentee asked about by hand who is not waiting (e.g. an alumnus) still needs to
    // be known to the matcher to check the rules.
    if let Some(id) = include_mentee
        && !waiting.iter().any(|(p, _)| p.id == id)
        && !mentors.iter().any(|m| m.id == id)
    {
        waiting.push((person(conn, today, id)?, WaitReason::Asked));
    }
    let at_risk = at_risk(conn, today)?;
    Ok(People { settings, mentors, waiting, at_risk, active })
}

impl Person {
    fn recovery_days(&self, today: NaiveDate) -> Option<u32> {
        self.recovery_since.map(|d| (today - d).num_days().max(0) as u32)
    }

    /// Why a marked mentor cannot take anyone now, apart from what the matcher checks
    /// (training, days in recovery, capacity).
    fn unavailable(&self, at_risk: &HashSet<i64>) -> Vec<String> {
        let mut why = Vec::new();
        if self.archived {
            why.push("the record is archived".to_owned());
        }
        if !self.mentor_active {
            why.push("paused as a mentor".to_owned());
        }
        if self.phase == Phase::Inpatient {
            why.push("is an in-patient now".to_owned());
        }
        if at_risk.contains(&self.id) {
            why.push("flagged at risk in aftercare".to_owned());
        }
        why
    }

    /// Waiting for a mentor, and why.
    fn waiting_because(&self, today: NaiveDate, recent_days: u32) -> Option<WaitReason> {
        match self.wants_mentor {
            Some(true) => Some(WaitReason::Asked),
            Some(false) => None,
            None => match self.phase {
                Phase::Inpatient => Some(WaitReason::Inpatient),
                Phase::Aftercare
                    if self.recent_discharge.is_some_and(|d| (today - d).num_days() <= i64::from(recent_days)) =>
                {
                    Some(WaitReason::RecentlyDischarged)
                }
                _ => None,
            },
        }
    }
}

fn gender_of(g: Gender) -> matching::Gender {
    match g {
        Gender::Female => matching::Gender::Female,
        Gender::Male => matching::Gender::Male,
        Gender::Other => matching::Gender::Other,
    }
}

fn days_of(days: &[String]) -> Vec<Day> {
    days.iter().filter_map(|d| Day::ALL.into_iter().find(|x| x.as_str() == d)).collect()
}

fn non_empty(s: String) -> Option<String> {
    match s.trim() {
        "" => None,
        t if t.len() == s.len() => Some(s),
        t => Some(t.to_owned()),
    }
}

/// Mentors flagged at risk by the aftercare rules (relapse reported, high risk, missed
/// sessions, failed contacts, overdue follow-up): they are not suggested while flagged.
/// Only someone on an active plan can be flagged, so the rules run for the mentors on
/// one, found in one query.
fn at_risk(conn: &Connection, today: NaiveDate) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT pp.patient_id FROM peer_profiles pp CROSS JOIN aftercare_plans pl ON pl.patient_id = pp.patient_id
         WHERE pp.is_mentor = 1 AND pl.status = 'active'",
    )?;
    let on_plan = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    crate::aftercare::risk::flagged_among(conn, today, &on_plan)
}

/// The aftercare groups each person belongs to now, by name (for the "same aftercare
/// group" preference). Reached from the few aftercare groups, never by scanning members:
/// through the index on (group, left on), which finds the memberships not yet ended
/// (`left_on IS NULL OR left_on >= today`, two look-ups) without reading the rows of
/// the thousands that ended over the years (the index on (group, joined on) SQLite
/// picks by itself reads them all, as every one joined before today).
fn current_groups(conn: &Connection, today: NaiveDate) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT m.patient_id, g.name
         FROM therapy_groups g CROSS JOIN group_memberships m INDEXED BY group_memberships_by_group_left
              ON m.group_id = g.id
         WHERE g.kind = 'aftercare' AND g.status = 'active' AND m.patient_id IS NOT NULL
           AND m.joined_on <= ?1 AND (m.left_on IS NULL OR m.left_on >= ?1)
         ORDER BY g.name",
    )?;
    for row in stmt.query_map([today], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, name) = row?;
        let names = out.entry(id).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(out)
}

/// A mentor for the matcher (the person's lists move into it). `kept`: places already
/// taken by pairs left out of the problem.
fn mentor_of(p: Person, today: NaiveDate, groups: &HashMap<i64, Vec<String>>, kept: u32) -> Mentor {
    Mentor {
        id: Id::Int(p.id),
        gender: gender_of(p.gender),
        recovery_days: p.recovery_days(today).unwrap_or(0),
        trained: p.trained,
        capacity: p.capacity.saturating_sub(kept),
        days: days_of(&p.days),
        locality: non_empty(p.locality),
        groups: groups.get(&p.id).cloned().unwrap_or_default(),
        languages: p.languages,
        substances: p.substances,
        age: p.age,
    }
}

/// A mentee for the matcher (the person's lists move into it); a wish for a mentor
/// counts only for one of `mentors`.
fn mentee_of(p: Person, groups: &HashMap<i64, Vec<String>>, mentors: &HashSet<i64>) -> Mentee {
    Mentee {
        id: Id::Int(p.id),
        gender: gender_of(p.gender),
        days: days_of(&p.days),
        groups: groups.get(&p.id).cloned().unwrap_or_default(),
        prefers: p.preferred_mentor.filter(|m| mentors.contains(m)).map(Id::Int).into_iter().collect(),
        locality: non_empty(p.locality),
        languages: p.languages,
        substances: p.substances,
        age: p.age,
    }
}

fn display_name(full: &str, preferred: &str) -> String {
    if preferred.trim().is_empty() || preferred.trim() == full.trim() {
        full.to_owned()
    } else {
        format!("{full} ({preferred})")
    }
}

/// How the current pairs of available mentors reach the matcher.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Current {
    /// As pairs to keep, their mentees included: what checking a pair by hand needs
    /// (it says how many of a mentor's places are taken).
    Kept,
    /// Only as places taken: the suggestions are the same (kept mentees are never
    /// matched again, and a kept pair only uses its mentor's room), and their mentees
    /// need not be read.
    PlacesTaken,
}

/// Everything the matcher is given, and what the screens say about the people in it.
struct World {
    problem: Problem,
    /// Display names of the mentors and of everyone waiting.
    names: HashMap<i64, String>,
    /// Who is waiting, and why.
    waiting: Vec<(i64, WaitReason)>,
    at_risk: HashSet<i64>,
    rejected: u32,
}

fn world(
    conn: &Connection,
    other: Option<&mut Connection>,
    today: NaiveDate,
    include_mentee: Option<i64>,
    current: Current,
) -> Result<World> {
    let People { settings, mut mentors, waiting: mut waiting_people, at_risk, active } =
        people(conn, other, today, include_mentee)?;
    let groups = current_groups(conn, today)?;
    let available: HashSet<i64> = mentors.iter().filter(|m| m.unavailable(&at_risk).is_empty()).map(|m| m.id).collect();
    // The names move here: the matcher does not need them. (Nobody is both a mentor and
    // waiting; were someone listed twice, the first name is kept, not the emptied one.)
    let mut names: HashMap<i64, String> = HashMap::with_capacity(mentors.len() + waiting_people.len());
    for p in mentors.iter_mut().chain(waiting_people.iter_mut().map(|(p, _)| p)) {
        names.entry(p.id).or_insert_with(|| std::mem::take(&mut p.name));
    }
    let waiting: Vec<(i64, WaitReason)> = waiting_people.iter().map(|(p, why)| (p.id, *why)).collect();
    let waiting_ids: HashSet<i64> = waiting.iter().map(|(id, _)| *id).collect();
    // Active pairs of available mentors are kept (they use capacity).
    let kept: Vec<(i64, i64)> = active.iter().copied().filter(|(m, _)| available.contains(m)).collect();
    let mut problem_mentees: Vec<Mentee> =
        waiting_people.into_iter().map(|(p, _)| mentee_of(p, &groups, &available)).collect();
    let mut taken: HashMap<i64, u32> = HashMap::new();
    match current {
        Current::PlacesTaken => {
            for (m, _) in &kept {
                *taken.entry(*m).or_default() += 1;
            }
        }
        // The mentees of kept pairs are not waiting; read them in one go.
        Current::Kept if !kept.is_empty() => {
            let mut stmt = conn.prepare_cached(&format!(
                "{PERSON_COLUMNS}, NULL FROM mentor_pairs mp CROSS JOIN patients p ON p.id = mp.mentee_id
                 LEFT JOIN peer_profiles pp ON pp.patient_id = p.id WHERE mp.ended_on IS NULL"
            ))?;
            let kept_mentees: HashSet<i64> = kept.iter().map(|k| k.1).collect();
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if kept_mentees.contains(&id) && !waiting_ids.contains(&id) {
                    problem_mentees.push(mentee_of(person_from_row(today, r)?, &groups, &available));
                }
            }
        }
        Current::Kept => {}
    }
    let problem_mentors: Vec<Mentor> = mentors
        .into_iter()
        .filter(|m| available.contains(&m.id))
        .map(|m| {
            let taken = taken.get(&m.id).copied().unwrap_or(0);
            mentor_of(m, today, &groups, taken)
        })
        .collect();
    let mentee_ids: HashSet<i64> =
        problem_mentees.iter().filter_map(|m| if let Id::Int(i) = m.id { Some(i) } else { None }).collect();
    let known = |m: i64, e: i64| available.contains(&m) && mentee_ids.contains(&e);
    let mut exclusions = Vec::new();
    let mut rejected = 0;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT mentor_id, mentee_id, 0 FROM mentor_exclusions WHERE lifted_at IS NULL
             UNION ALL SELECT mentor_id, mentee_id, 1 FROM mentor_rejections WHERE cleared_at IS NULL",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)))? {
            let (m, e, rejection) = row?;
            rejected += u32::from(rejection);
            if known(m, e) {
                exclusions.push(PairRef { mentor: Id::Int(m), mentee: Id::Int(e) });
            }
        }
    }
    let keep = match current {
        Current::Kept => kept.iter().map(|(m, e)| PairRef { mentor: Id::Int(*m), mentee: Id::Int(*e) }).collect(),
        Current::PlacesTaken => Vec::new(),
    };
    let problem = Problem {
        rules: Rules { same_gender: settings.same_gender, min_recovery_days: settings.min_recovery_days },
        weights: weights_of(&settings),
        mentors: problem_mentors,
        mentees: problem_mentees,
        exclusions,
        keep,
    };
    Ok(World { problem, names, waiting, at_risk, rejected })
}

// ------------------------------------------------------------------ overview

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WaitReason {
    Inpatient,
    RecentlyDischarged,
    Asked,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorRow {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub gender: Gender,
    pub languages: Vec<String>,
    pub locality: String,
    pub days: Vec<String>,
    pub recovery_days: Option<u32>,
    pub trained: bool,
    /// Active pairs now.
    pub load: u32,
    pub capacity: u32,
    /// Can be suggested now (under capacity not counted).
    pub eligible: bool,
    /// Why not, in plain words.
    pub not_eligible: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WaitingRow {
    #[ts(type = "number")]
    pub patient_id: i64,
    pub name: String,
    pub gender: Gender,
    pub phase: Phase,
    pub languages: Vec<String>,
    pub locality: String,
    pub reason: WaitReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PairMade {
    Suggested,
    ByHand,
}

str_enum!(EndReason {
    Completed = "completed",
    Relapse = "relapse",
    Conflict = "conflict",
    MovedAway = "moved_away",
    Other = "other",
});

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PairRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    pub started_on: NaiveDate,
    pub made: PairMade,
    #[ts(type = "number | null")]
    pub score: Option<i64>,
    pub reasons: Vec<String>,
    pub broken_rules: Vec<String>,
    pub override_reason: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub ended_badly: bool,
    pub end_note: String,
}

str_enum!(ExclusionKind { Relatives = "relatives", Conflict = "conflict", EndedBadly = "ended_badly", Other = "other" });

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExclusionRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    pub kind: ExclusionKind,
    pub note: String,
    pub created_on: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorshipOverview {
    pub mentors: Vec<MentorRow>,
    pub waiting: Vec<WaitingRow>,
    pub active_pairs: Vec<PairRow>,
    pub exclusions: Vec<ExclusionRow>,
    /// MentorSuggestions turned down and left out of the next suggestions.
    pub rejected: u32,
    pub settings: MentorshipSettings,
}

const PAIR_SQL: &str = "
    SELECT mp.id, mp.mentor_id, a.full_name, a.preferred_name, mp.mentee_id, b.full_name, b.preferred_name,
           mp.started_on, mp.made, mp.score, mp.reasons, mp.broken_rules, mp.override_reason, mp.ended_on,
           mp.end_reason, coalesce(mp.ended_badly, 0), coalesce(mp.end_note, '')
    FROM mentor_pairs mp JOIN patients a ON a.id = mp.mentor_id JOIN patients b ON b.id = mp.mentee_id";

fn pair_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PairRow> {
    let made: String = r.get(8)?;
    let reasons: String = r.get(10)?;
    let broken: String = r.get(11)?;
    let end: Option<String> = r.get(14)?;
    Ok(PairRow {
        id: r.get(0)?,
        mentor_id: r.get(1)?,
        mentor_name: display_name(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?),
        mentee_id: r.get(4)?,
        mentee_name: display_name(&r.get::<_, String>(5)?, &r.get::<_, String>(6)?),
        started_on: r.get(7)?,
        made: if made == "by_hand" { PairMade::ByHand } else { PairMade::Suggested },
        score: r.get(9)?,
        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
        broken_rules: serde_json::from_str(&broken).unwrap_or_default(),
        override_reason: r.get(12)?,
        ended_on: r.get(13)?,
        end_reason: end.as_deref().and_then(EndReason::parse),
        ended_badly: r.get(15)?,
        end_note: r.get(16)?,
    })
}

fn pairs_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<PairRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("{PAIR_SQL} WHERE {filter} ORDER BY mp.started_on DESC, mp.id DESC"))?;
    Ok(stmt.query_map(args, pair_from_row)?.collect::<rusqlite::Result<_>>()?)
}

fn exclusions_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<ExclusionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT x.id, x.mentor_id, a.full_name, a.preferred_name, x.mentee_id, b.full_name, b.preferred_name,
                x.kind, x.note, substr(x.created_at, 1, 10)
         FROM mentor_exclusions x CROSS JOIN patients a ON a.id = x.mentor_id CROSS JOIN patients b ON b.id = x.mentee_id
         WHERE x.lifted_at IS NULL AND ({filter}) ORDER BY x.id"
    ))?;
    Ok(stmt
        .query_map(args, |r| {
            let kind: String = r.get(7)?;
            Ok(ExclusionRow {
                id: r.get(0)?,
                mentor_id: r.get(1)?,
                mentor_name: display_name(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?),
                mentee_id: r.get(4)?,
                mentee_name: display_name(&r.get::<_, String>(5)?, &r.get::<_, String>(6)?),
                kind: ExclusionKind::parse(&kind).unwrap_or(ExclusionKind::Other),
                note: r.get(8)?,
                created_on: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn name_sort(name: &str) -> String {
    crate::text::search_key(name)
}

/// The Mentorship screen: mentors with their load, who is waiting, the current pairs.
/// Reads only what the lists show (no matching problem is built), in one snapshot.
pub fn overview(conn: &Connection, ctx: &Ctx) -> Result<MentorshipOverview> {
    ctx.require(Action::ViewMentorship)?;
    let (p, active_pairs, exclusions, rejected) = snapshot(conn, || {
        let p = people(conn, None, ctx.today, None)?;
        let rejected: u32 = conn
            .prepare_cached("SELECT count(*) FROM mentor_rejections WHERE cleared_at IS NULL")?
            .query_row([], |r| r.get(0))?;
        Ok((p, pairs_where(conn, "mp.ended_on IS NULL", [])?, exclusions_where(conn, "1", [])?, rejected))
    })?;
    let load = p.load();
    let min_days = p.settings.min_recovery_days;
    let mut mentors: Vec<MentorRow> = p
        .mentors
        .into_iter()
        .map(|m| {
            let mut not_eligible = m.unavailable(&p.at_risk);
            if !m.trained {
                not_eligible.push("not trained yet".to_owned());
            }
            let days = m.recovery_days(ctx.today);
            if days.unwrap_or(0) < min_days {
                not_eligible.push(format!("{} of {} days in recovery", days.unwrap_or(0), min_days));
            }
            MentorRow {
                patient_id: m.id,
                name: m.name,
                gender: m.gender,
                languages: m.languages,
                locality: m.locality,
                days: m.days,
                recovery_days: days,
                trained: m.trained,
                load: load.get(&m.id).copied().unwrap_or(0),
                capacity: m.capacity,
                eligible: not_eligible.is_empty(),
                not_eligible,
            }
        })
        .collect();
    mentors.sort_by_cached_key(|m| (!m.eligible, name_sort(&m.name), m.patient_id));
    let mut waiting: Vec<WaitingRow> = p
        .waiting
        .into_iter()
        .map(|(p, reason)| WaitingRow {
            patient_id: p.id,
            name: p.name,
            gender: p.gender,
            phase: p.phase,
            languages: p.languages,
            locality: p.locality,
            reason,
        })
        .collect();
    waiting.sort_by_cached_key(|p| (name_sort(&p.name), p.patient_id));
    Ok(MentorshipOverview { mentors, waiting, active_pairs, exclusions, rejected, settings: p.settings })
}

// ------------------------------------------------------------------ suggestions

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorSuggestion {
    #[ts(type = "number")]
    pub mentor_id: i64,
    pub mentor_name: String,
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub mentee_name: String,
    #[ts(type = "number")]
    pub score: i64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnmatchedMentee {
    #[ts(type = "number")]
    pub mentee_id: i64,
    pub name: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorSuggestions {
    /// Best first (by score), then by mentee name.
    pub pairs: Vec<MentorSuggestion>,
    pub unmatched: Vec<UnmatchedMentee>,
    /// MentorSuggestions turned down earlier, left out of these.
    pub rejected: u32,
}

fn id_num(id: &Id) -> i64 {
    match id {
        Id::Int(n) => *n,
        Id::Text(s) => s.parse().unwrap_or(0),
    }
}

/// The matcher's proposal for everyone waiting, with a breakdown for each pair and a
/// reason for each mentee left without one. Changes nothing.
pub fn suggest(conn: &Connection, ctx: &Ctx) -> Result<MentorSuggestions> {
    ctx.require(Action::ViewMentorship)?;
    let w = snapshot(conn, || world(conn, None, ctx.today, None, Current::PlacesTaken))?;
    suggestions(w)
}

/// [`suggest`], reading the people on both cores: the recently discharged through the
/// store's second read connection. The answer is the same.
pub fn suggest_in(store: &crate::db::Store, ctx: &Ctx) -> Result<MentorSuggestions> {
    ctx.require(Action::ViewMentorship)?;
    let conn = store.conn();
    let mut second = store.second_reader()?;
    let w = snapshot(conn, || world(conn, second.as_mut(), ctx.today, None, Current::PlacesTaken))?;
    suggestions(w)
}

/// The suggested pairs and the mentees left waiting, named and in order.
fn suggestions(w: World) -> Result<MentorSuggestions> {
    let solution = matching::solve(&w.problem);
    let name = |id: i64| w.names.get(&id).cloned().unwrap_or_default();
    let waiting: HashSet<i64> = w.waiting.iter().map(|(id, _)| *id).collect();
    let mut pairs: Vec<MentorSuggestion> = solution
        .pairs
        .into_iter()
        .filter(|p| !p.kept)
        .map(|p| {
            let (m, e) = (id_num(&p.mentor), id_num(&p.mentee));
            MentorSuggestion {
                mentor_id: m,
                mentor_name: name(m),
                mentee_id: e,
                mentee_name: name(e),
                score: p.score,
                reasons: p.reasons,
            }
        })
        .collect();
    pairs.sort_by_cached_key(|p| (std::cmp::Reverse(p.score), name_sort(&p.mentee_name), p.mentee_id));
    // Many mentees share a reason (the matcher words one per kind of mentee): names put
    // into each reason once.
    let mut worded: HashMap<String, String> = HashMap::new();
    let mut unmatched: Vec<UnmatchedMentee> = solution
        .unmatched
        .into_iter()
        .map(|u| (id_num(&u.mentee), u.why))
        .filter(|(id, _)| waiting.contains(id))
        .map(|(id, why)| {
            let why = match worded.get(&why) {
                Some(w) => w.clone(),
                None => {
                    let w = mentor_names(&why, &w.names);
                    worded.insert(why, w.clone());
                    w
                }
            };
            UnmatchedMentee { mentee_id: id, name: name(id), why }
        })
        .collect();
    unmatched.sort_by_cached_key(|u| (name_sort(&u.name), u.mentee_id));
    Ok(MentorSuggestions { pairs, unmatched, rejected: w.rejected })
}

/// The matcher names mentors by id in its reasons ("(12, 40)"); staff want names.
fn mentor_names(why: &str, names: &HashMap<i64, String>) -> String {
    let Some(open) = why.find('(') else { return why.to_owned() };
    let Some(close) = why[open..].find(')').map(|c| open + c) else { return why.to_owned() };
    let inner = &why[open + 1..close];
    let name = |t: &str| t.parse::<i64>().ok().and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t.to_owned());
    let parts: Vec<String> =
        inner.split(", ").map(|part| part.split(" and ").map(name).collect::<Vec<_>>().join(" and ")).collect();
    format!("{}({}){}", &why[..open], parts.join(", "), &why[close + 1..])
}

// ------------------------------------------------------------------ making pairs

/// What a pair made by hand would look like: the rules it breaks and its score.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PairCheck {
    pub broken_rules: Vec<String>,
    #[ts(type = "number")]
    pub score: i64,
    pub reasons: Vec<String>,
}

fn active_mentor_of(conn: &Connection, mentee: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT mentor_id FROM mentor_pairs WHERE mentee_id = ?1 AND ended_on IS NULL", [mentee], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The rules a pair would break, including those the matcher does not know (a paused
/// or in-patient mentor), and its score. The mentor must be marked as a peer mentor.
fn check(conn: &Connection, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairCheck> {
    let mentor_person = person(conn, ctx.today, mentor)?;
    if !mentor_person.is_mentor {
        return Err(Error::invalid(
            "not_a_mentor",
            "mentor",
            "This person is not marked as a peer mentor. Mark them as a mentor on their profile first.",
        ));
    }
    if mentor == mentee {
        return Err(Error::invalid("mentor_self", "mentee", "A mentor cannot mentor themselves."));
    }
    let mentee_person = person(conn, ctx.today, mentee)?;
    if mentee_person.is_mentor {
        return Err(Error::invalid("mentee_is_mentor", "mentee", "This person is a peer mentor, not a mentee."));
    }
    if mentee_person.archived {
        return Err(Error::invalid("mentee_archived", "mentee", "This person's record is archived."));
    }
    if active_mentor_of(conn, mentee)?.is_some() {
        return Err(Error::invalid(
            "mentee_has_mentor",
            "mentee",
            "This person already has a mentor. End that pair first if it should change.",
        ));
    }
    let mut w = world(conn, None, ctx.today, Some(mentee), Current::Kept)?;
    let mut broken = mentor_person.unavailable(&w.at_risk);
    if !broken.is_empty() {
        // Left out of the problem as unavailable: add them back to score and check.
        let groups = current_groups(conn, ctx.today)?;
        w.problem.mentors.push(mentor_of(mentor_person, ctx.today, &groups, 0));
        let mut stmt =
            conn.prepare_cached("SELECT mentee_id FROM mentor_pairs WHERE mentor_id = ?1 AND ended_on IS NULL")?;
        for e in stmt.query_map([mentor], |r| r.get::<_, i64>(0))? {
            let e = e?;
            if !w.problem.mentees.iter().any(|m| m.id == Id::Int(e)) {
                w.problem.mentees.push(mentee_of(person(conn, ctx.today, e)?, &groups, &HashSet::new()));
            }
            w.problem.keep.push(PairRef { mentor: Id::Int(mentor), mentee: Id::Int(e) });
        }
        let mut stmt = conn.prepare_cached(
            "SELECT 1 FROM mentor_exclusions WHERE lifted_at IS NULL AND mentor_id = ?1 AND mentee_id = ?2
             UNION ALL SELECT 1 FROM mentor_rejections WHERE cleared_at IS NULL AND mentor_id = ?1 AND mentee_id = ?2",
        )?;
        if stmt.exists(params![mentor, mentee])? {
            w.problem.exclusions.push(PairRef { mentor: Id::Int(mentor), mentee: Id::Int(mentee) });
        }
    }
    let (m, e) = (Id::Int(mentor), Id::Int(mentee));
    broken.extend(matching::broken_rules(&w.problem, &m, &e).unwrap_or_default());
    let (score, reasons) = matching::explain(&w.problem, &m, &e).unwrap_or_default();
    Ok(PairCheck { broken_rules: broken, score, reasons })
}

/// Checks a pair before it is made by hand (nothing changes).
pub fn check_pair(conn: &Connection, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairCheck> {
    ctx.require(Action::ViewMentorship)?;
    snapshot(conn, || check(conn, ctx, mentor, mentee))
}

fn insert_pair(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    mentor: i64,
    mentee: i64,
    made: PairMade,
    c: &PairCheck,
    override_reason: &str,
) -> Result<PairRow> {
    tx.execute(
        "INSERT INTO mentor_pairs (mentor_id, mentee_id, started_on, made, score, reasons, broken_rules,
                                   override_reason, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            mentor,
            mentee,
            ctx.today,
            if made == PairMade::ByHand { "by_hand" } else { "suggested" },
            c.score,
            serde_json::to_string(&c.reasons).unwrap_or_else(|_| "[]".into()),
            serde_json::to_string(&c.broken_rules).unwrap_or_else(|_| "[]".into()),
            override_reason,
            ctx.stamp(),
            ctx.actor.staff_id,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let detail = match made {
        PairMade::Suggested => "suggested".to_owned(),
        PairMade::ByHand if c.broken_rules.is_empty() => "by hand".to_owned(),
        PairMade::ByHand => format!("by hand, overriding {} rule(s)", c.broken_rules.len()),
    };
    audit::record(tx, ctx, "pair_start", entity::MENTOR_PAIR, Some(id), &detail)?;
    pair(tx, id)
}

fn pair(conn: &Connection, id: i64) -> Result<PairRow> {
    pairs_where(conn, "mp.id = ?1", [id])?.into_iter().next().ok_or(Error::NotFound { what: "That pair" })
}

/// Accepts a suggestion. The rules are checked again against the data as it is now, so a
/// suggestion that has gone stale (someone else paired the mentee, the mentor is full)
/// is refused rather than breaking a rule.
pub fn accept(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let c = check(tx, ctx, mentor, mentee)?;
    if !c.broken_rules.is_empty() {
        return Err(Error::invalid(
            "suggestion_stale",
            "mentor",
            format!("This suggestion no longer fits ({}). Run the suggestions again.", c.broken_rules.join("; ")),
        ));
    }
    insert_pair(tx, ctx, mentor, mentee, PairMade::Suggested, &c, "")
}

/// Turns a suggestion down: the pair is left out of later suggestions until cleared.
pub fn reject(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64) -> Result<()> {
    ctx.require(Action::ManageMentorship)?;
    if !patient_exists(tx, mentor)? || !patient_exists(tx, mentee)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    tx.execute(
        "INSERT INTO mentor_rejections (mentor_id, mentee_id, rejected_at, rejected_by) VALUES (?1, ?2, ?3, ?4)",
        params![mentor, mentee, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "suggestion_reject", entity::PATIENT, Some(mentee), "")
}

/// Lets every turned-down suggestion be suggested again.
pub fn clear_rejections(tx: &Transaction<'_>, ctx: &Ctx) -> Result<u32> {
    ctx.require(Action::ManageMentorship)?;
    let n = tx.execute("UPDATE mentor_rejections SET cleared_at = ?1 WHERE cleared_at IS NULL", [ctx.stamp()])?;
    audit::record(tx, ctx, "suggestion_rejections_clear", entity::SETTINGS, None, &n.to_string())?;
    Ok(n as u32)
}

/// Pairs two people by hand. A pair that breaks a hard rule needs a counsellor or an
/// administrator and a reason; both are recorded with the rules it broke.
pub fn pair_by_hand(tx: &Transaction<'_>, ctx: &Ctx, mentor: i64, mentee: i64, reason: &str) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let c = check(tx, ctx, mentor, mentee)?;
    let reason = reason.trim();
    if !c.broken_rules.is_empty() {
        ctx.require(Action::OverrideMentorRules)?;
        if reason.chars().count() < 5 {
            return Err(Error::invalid(
                "override_reason",
                "reason",
                format!("This pair breaks a rule ({}). Write why it should be made anyway.", c.broken_rules.join("; ")),
            ));
        }
    }
    insert_pair(tx, ctx, mentor, mentee, PairMade::ByHand, &c, reason)
}

/// Ends a pair. An ending that went badly (always so for a conflict) adds the pair to
/// the exclusions, so it is never suggested again.
pub fn end_pair(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    pair_id: i64,
    on: NaiveDate,
    reason: EndReason,
    badly: bool,
    note: &str,
) -> Result<PairRow> {
    ctx.require(Action::ManageMentorship)?;
    let p = pair(tx, pair_id)?;
    if p.ended_on.is_some() {
        return Err(Error::invalid("pair_ended", "pair", "This pair has already ended."));
    }
    if on < p.started_on {
        return Err(Error::invalid("pair_end_date", "on", "A pair cannot end before it started."));
    }
    if on > ctx.today {
        return Err(Error::invalid("pair_end_date", "on", "The end date cannot be in the future."));
    }
    let badly = badly || reason == EndReason::Conflict;
    let note = note.trim();
    tx.execute(
        "UPDATE mentor_pairs SET ended_on = ?2, end_reason = ?3, ended_badly = ?4, end_note = ?5, ended_at = ?6,
                                 ended_by = ?7
         WHERE id = ?1",
        params![pair_id, on, reason.as_str(), badly, note, ctx.stamp(), ctx.actor.staff_id],
    )?;
    audit::record(tx, ctx, "pair_end", entity::MENTOR_PAIR, Some(pair_id), reason.as_str())?;
    if badly {
        tx.execute(
            "INSERT INTO mentor_exclusions (mentor_id, mentee_id, kind, note, pair_id, created_at, created_by)
             VALUES (?1, ?2, 'ended_badly', ?3, ?4, ?5, ?6)",
            params![p.mentor_id, p.mentee_id, reason.as_str(), pair_id, ctx.stamp(), ctx.actor.staff_id],
        )?;
        let x = tx.last_insert_rowid();
        audit::record(tx, ctx, "exclusion_add", entity::MENTOR_EXCLUSION, Some(x), "ended_badly")?;
    }
    pair(tx, pair_id)
}

/// Records a pair that must never be suggested (relatives, a known conflict, …).
pub fn add_exclusion(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    mentor: i64,
    mentee: i64,
    kind: ExclusionKind,
    note: &str,
) -> Result<ExclusionRow> {
    ctx.require(Action::ManageMentorExclusions)?;
    if mentor == mentee {
        return Err(Error::invalid("mentor_self", "mentee", "Choose two different people."));
    }
    if !patient_exists(tx, mentor)? || !patient_exists(tx, mentee)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    if note.trim().is_empty() && kind == ExclusionKind::Other {
        return Err(Error::invalid("exclusion_note", "note", "Write the reason for this exclusion."));
    }
    tx.execute(
        "INSERT INTO mentor_exclusions (mentor_id, mentee_id, kind, note, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![mentor, mentee, kind.as_str(), note.trim(), ctx.stamp(), ctx.actor.staff_id],
    )?;
    let id = tx.last_insert_rowid();
    audit::record(tx, ctx, "exclusion_add", entity::MENTOR_EXCLUSION, Some(id), kind.as_str())?;
    exclusions_where(tx, "x.id = ?1", [id])?.into_iter().next().ok_or(Error::NotFound { what: "That exclusion" })
}

/// Lifts an exclusion (the record stays, marked lifted with the reason).
pub fn lift_exclusion(tx: &Transaction<'_>, ctx: &Ctx, id: i64, reason: &str) -> Result<()> {
    ctx.require(Action::ManageMentorExclusions)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("exclusion_lift_reason", "reason", "Write why this exclusion is lifted."));
    }
    let n = tx.execute(
        "UPDATE mentor_exclusions SET lifted_at = ?2, lifted_by = ?3, lifted_reason = ?4
         WHERE id = ?1 AND lifted_at IS NULL",
        params![id, ctx.stamp(), ctx.actor.staff_id, reason.trim()],
    )?;
    if n == 0 {
        return Err(Error::NotFound { what: "That exclusion" });
    }
    audit::record(tx, ctx, "exclusion_lift", entity::MENTOR_EXCLUSION, Some(id), "")
}

// ------------------------------------------------------------------ one patient

/// Mentorship on a patient's profile: their details, pairs (as mentor and as mentee,
/// ended ones included) and exclusions.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientMentorship {
    pub profile: PeerProfile,
    pub as_mentor: Vec<PairRow>,
    pub as_mentee: Vec<PairRow>,
    pub exclusions: Vec<ExclusionRow>,
    /// Mentors one may choose as a preference (id and name).
    pub mentor_choices: Vec<MentorChoice>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MentorChoice {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
}

pub fn for_patient(conn: &Connection, ctx: &Ctx, patient: i64) -> Result<PatientMentorship> {
    ctx.require(Action::ViewMentorship)?;
    if !patient_exists(conn, patient)? {
        return Err(Error::NotFound { what: "That patient" });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.full_name, p.preferred_name FROM peer_profiles pp JOIN patients p ON p.id = pp.patient_id
         WHERE pp.is_mentor = 1 AND p.archived_at IS NULL AND p.id <> ?1",
    )?;
    let mut mentor_choices: Vec<MentorChoice> = stmt
        .query_map([patient], |r| {
            Ok(MentorChoice { id: r.get(0)?, name: display_name(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?) })
        })?
        .collect::<rusqlite::Result<_>>()?;
    mentor_choices.sort_by_cached_key(|m| name_sort(&m.name));
    Ok(PatientMentorship {
        profile: read_profile(conn, patient)?.unwrap_or_default(),
        as_mentor: pairs_where(conn, "mp.mentor_id = ?1", [patient])?,
        as_mentee: pairs_where(conn, "mp.mentee_id = ?1", [patient])?,
        exclusions: exclusions_where(
            conn,
            "x.id IN (SELECT id FROM mentor_exclusions WHERE mentor_id = ?1
                      UNION ALL SELECT id FROM mentor_exclusions WHERE mentee_id = ?1)",
            [patient],
        )?,
        mentor_choices,
    })
}

pub(crate) mod demo;
#[cfg(test)]
mod tests;
