//! The read model: the people of the mentorship screens as the database holds them
//! (mentors, who waits for a mentor, the current pairs), and the matching [`Problem`]
//! made from them.
use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::settings::{MentorshipSettings, get_settings, weights_of};
use crate::dates;
use crate::error::{Error, Result};
use crate::matching::{self, Day, Id, Mentee, Mentor, PairRef, Problem, Rules};
use crate::patients::{Gender, Phase, age_on};

/// What the matcher and the lists need to know about one person.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) id: i64,
    /// As lists show it ([`display_name`]).
    pub(super) name: String,
    pub(super) gender: Gender,
    pub(super) phase: Phase,
    pub(super) archived: bool,
    pub(super) languages: Vec<String>,
    substances: Vec<String>,
    age: Option<u32>,
    /// A discharge on or after the "recently discharged" cutoff, for people found through
    /// one (the aftercare patients who wait for a mentor); `None` for everyone else.
    recent_discharge: Option<NaiveDate>,
    // From their mentorship profile (the defaults where they have none).
    pub(super) days: Vec<String>,
    pub(super) locality: String,
    wants_mentor: Option<bool>,
    preferred_mentor: Option<i64>,
    pub(super) is_mentor: bool,
    recovery_since: Option<NaiveDate>,
    pub(super) trained: bool,
    pub(super) capacity: u32,
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

/// A JSON list of strings from a column; an empty list if the text is not one (and, for
/// anything but text, what rusqlite makes of it).
fn strings_at(r: &rusqlite::Row<'_>, i: usize, null_is_empty: bool) -> rusqlite::Result<Vec<String>> {
    match r.get_ref(i)? {
        ValueRef::Text(t) => Ok(serde_json::from_slice(t).unwrap_or_default()),
        ValueRef::Null if null_is_empty => Ok(Vec::new()),
        _ => Ok(serde_json::from_str(&r.get::<_, String>(i)?).unwrap_or_default()),
    }
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
        age: age_on(today, dates::date_opt(r, 8)?, r.get(9)?, dates::date_opt(r, 10)?),
        days: strings_at(r, 11, true)?,
        locality: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
        wants_mentor: r.get(13)?,
        preferred_mentor: r.get(14)?,
        is_mentor: r.get(15)?,
        recovery_since: dates::date_opt(r, 16)?,
        trained: r.get(17)?,
        capacity: r.get(18)?,
        mentor_active: r.get(19)?,
        recent_discharge: dates::date_opt(r, 20)?,
    })
}

pub(super) fn person(conn: &Connection, today: NaiveDate, id: i64) -> Result<Person> {
    conn.prepare_cached(&format!("{PERSON_COLUMNS}, NULL {PERSON_SQL} WHERE p.id = ?1"))?
        .query_row([id], |r| person_from_row(today, r))
        .optional()?
        .ok_or(Error::NotFound { what: "That patient" })
}

/// Runs `f` in one read transaction (unless the connection is in one already), so all
/// the queries behind a screen see the same state of the data, and the file is locked
/// once rather than once a statement.
pub(super) fn snapshot<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
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
pub(super) struct People {
    pub(super) settings: MentorshipSettings,
    /// Everyone marked as a mentor, whatever their state.
    pub(super) mentors: Vec<Person>,
    /// Who is waiting for a mentor, and why.
    pub(super) waiting: Vec<(Person, WaitReason)>,
    /// Mentors flagged at risk in aftercare.
    pub(super) at_risk: HashSet<i64>,
    /// Active pairs (mentor, mentee).
    active: Vec<(i64, i64)>,
}

impl People {
    /// Active pairs by mentor.
    pub(super) fn load(&self) -> HashMap<i64, u32> {
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
pub(super) fn people(conn: &Connection, today: NaiveDate, include_mentee: Option<i64>) -> Result<People> {
    let settings = get_settings(conn)?;
    let recent_days = settings.recent_discharge_days;
    let mut active = Vec::new();
    {
        let mut stmt = conn.prepare_cached("SELECT mentor_id, mentee_id FROM mentor_pairs WHERE ended_on IS NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            active.push((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?));
        }
    }
    let has_mentor: HashSet<i64> = active.iter().map(|(_, e)| *e).collect();
    let no_mentor = |id: i64| !has_mentor.contains(&id);
    let not_declined = "coalesce(pp.is_mentor, 0) = 0 AND (pp.wants_mentor IS NULL OR pp.wants_mentor = 1)";
    let cutoff = today - Days::new(u64::from(recent_days));
    // CROSS JOIN: SQLite 3.54 otherwise walks every aftercare patient and their stays to
    // find the few hundred recent discharges (tests/query_plans.rs).
    let discharged_sql = format!(
        "{PERSON_COLUMNS}, st.discharged_on FROM stays st CROSS JOIN patients p ON p.id = st.patient_id
         LEFT JOIN peer_profiles pp ON pp.patient_id = p.id
         WHERE st.discharged_on >= ?1 AND p.archived_at IS NULL AND p.phase = 'aftercare'
           AND {not_declined}"
    );
    let mentors = read_people(
        conn,
        today,
        &format!(
            "{PERSON_COLUMNS}, NULL FROM peer_profiles pp JOIN patients p ON p.id = pp.patient_id
             WHERE pp.is_mentor = 1"
        ),
        [],
        |_| true,
    )?;
    let inpatients = read_people(
        conn,
        today,
        &format!(
            "{PERSON_COLUMNS}, NULL FROM patients p LEFT JOIN peer_profiles pp ON pp.patient_id = p.id
             WHERE p.archived_at IS NULL AND p.phase = 'inpatient' AND {not_declined}"
        ),
        [],
        no_mentor,
    )?;
    let asking = read_people(
        conn,
        today,
        &format!(
            "{PERSON_COLUMNS}, NULL FROM peer_profiles pp JOIN patients p ON p.id = pp.patient_id
             WHERE pp.wants_mentor = 1 AND pp.is_mentor = 0 AND p.archived_at IS NULL"
        ),
        [],
        no_mentor,
    )?;
    let discharged = read_people(conn, today, &discharged_sql, [cutoff], no_mentor)?;
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
    pub(super) fn recovery_days(&self, today: NaiveDate) -> Option<u32> {
        self.recovery_since.map(|d| (today - d).num_days().max(0) as u32)
    }

    /// Why a marked mentor cannot take anyone now, apart from what the matcher checks
    /// (training, days in recovery, capacity).
    pub(super) fn unavailable(&self, at_risk: &HashSet<i64>) -> Vec<MentorUnavailable> {
        let mut why = Vec::new();
        if self.archived {
            why.push(MentorUnavailable::Archived);
        }
        if !self.mentor_active {
            why.push(MentorUnavailable::Paused);
        }
        if self.phase == Phase::Inpatient {
            why.push(MentorUnavailable::Inpatient);
        }
        if at_risk.contains(&self.id) {
            why.push(MentorUnavailable::AtRisk);
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

pub(super) fn gender_of(g: Gender) -> matching::Gender {
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
pub(super) fn at_risk(conn: &Connection, today: NaiveDate) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT pp.patient_id FROM peer_profiles pp JOIN aftercare_plans pl ON pl.patient_id = pp.patient_id
         WHERE pp.is_mentor = 1 AND pl.status = 'active'",
    )?;
    let on_plan = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    crate::aftercare::risk::flagged_among(conn, today, &on_plan)
}

/// The aftercare groups each person belongs to now, by name (for the "same aftercare
/// group" preference).
pub(super) fn current_groups(conn: &Connection, today: NaiveDate) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT m.patient_id, g.name
         FROM therapy_groups g JOIN group_memberships m ON m.group_id = g.id
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
pub(super) fn mentor_of(p: Person, today: NaiveDate, groups: &HashMap<i64, Vec<String>>, kept: u32) -> Mentor {
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
pub(super) fn mentee_of(p: Person, groups: &HashMap<i64, Vec<String>>, mentors: &HashSet<i64>) -> Mentee {
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

pub(super) fn display_name(full: &str, preferred: &str) -> String {
    if preferred.trim().is_empty() || preferred.trim() == full.trim() {
        full.to_owned()
    } else {
        format!("{full} ({preferred})")
    }
}

/// How the current pairs of available mentors reach the matcher.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Current {
    /// As pairs to keep, their mentees included: what checking a pair by hand needs
    /// (it says how many of a mentor's places are taken).
    Kept,
    /// Only as places taken: the suggestions are the same (kept mentees are never
    /// matched again, and a kept pair only uses its mentor's room), and their mentees
    /// need not be read.
    PlacesTaken,
}

/// Everything the matcher is given, and what the screens say about the people in it.
pub(super) struct World {
    pub(super) problem: Problem,
    /// Display names of the mentors and of everyone waiting.
    pub(super) names: HashMap<i64, String>,
    /// Who is waiting, and why.
    pub(super) waiting: Vec<(i64, WaitReason)>,
    pub(super) at_risk: HashSet<i64>,
    pub(super) rejected: u32,
}

pub(super) fn world(
    conn: &Connection,
    today: NaiveDate,
    include_mentee: Option<i64>,
    current: Current,
) -> Result<World> {
    let People { settings, mut mentors, waiting: mut waiting_people, at_risk, active } =
        people(conn, today, include_mentee)?;
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
                "{PERSON_COLUMNS}, NULL FROM mentor_pairs mp JOIN patients p ON p.id = mp.mentee_id
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

pub(super) fn patient_exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM patients WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WaitReason {
    Inpatient,
    RecentlyDischarged,
    Asked,
}

/// Why a marked mentor cannot be suggested now, as a code (the matcher's own rules,
/// which it reports as [`matching::BrokenRule`], aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum MentorUnavailable {
    Archived,
    Paused,
    Inpatient,
    AtRisk,
    NotTrainedYet,
    RecoveryDays { days: u32, min_days: u32 },
}

pub(super) fn name_sort(name: &str) -> String {
    crate::text::search_key(name)
}
