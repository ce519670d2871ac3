//! The events behind each figure, read from the records, and their tally into splits.
//! One event is one counted thing (a stay begun, an attempt, a mark, an activity) with
//! its date, the person when there is one, and the codes it is split by.
use rustc_hash::FxHashMap;

use chrono::{Days, NaiveDate};
use rusqlite::{Connection, params};

use super::{Count, Dimension, Figure, FigureRow, LOST_AFTER_DAYS, Split, UNKNOWN, age_band};
use crate::aftercare::RecoveryStatus;
use crate::counselling::CounsellingKind;
use crate::error::Result;
use crate::groups::GroupKind;
use crate::outreach::OutreachKind;
use crate::patients::{self, DischargeType, Gender, Substance};

pub(crate) struct Event {
    pub patient: Option<i64>,
    pub tags: Tags,
    pub weight: i64,
}

/// A breakdown's code without an allocation: a fixed code, or a district's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Code {
    Fixed(&'static str),
    District(u16),
}

impl Code {
    fn district(d: Option<u16>) -> Code {
        d.map_or(Code::Fixed(UNKNOWN), Code::District)
    }

    /// A number that tells codes apart cheaply while tallying: where a fixed code's text
    /// is (each comes from its enum's `as_str`), or the district's number. The same text
    /// kept in two places gets two numbers; the tally adds those up when it ends.
    fn key(self) -> u64 {
        match self {
            Code::Fixed(s) => s.as_ptr() as u64,
            Code::District(d) => (1 << 63) | u64::from(d),
        }
    }

    /// Whether this is the code written as `s` (`male`, `41`, `unknown`).
    pub(crate) fn is(self, s: &str) -> bool {
        match self {
            Code::Fixed(c) => c == s,
            Code::District(d) => s.parse::<u16>() == Ok(d),
        }
    }
}

/// What the splits need to know about a person, read once per person.
#[derive(Clone)]
struct Person {
    sex: Gender,
    birth: Option<NaiveDate>,
    age: Option<u8>,
    noted: Option<NaiveDate>,
    substance: Option<Substance>,
    district: Option<u16>,
}

/// The people of a computation, each read once: the ids a figure counts are read in one
/// statement (not one query each), then every event looks its person up here.
pub(crate) struct People {
    known: FxHashMap<i64, Option<Person>>,
}

impl People {
    pub(crate) fn new() -> People {
        People { known: FxHashMap::default() }
    }

    /// Reads the people of `ids` not read yet.
    fn load(&mut self, conn: &Connection, ids: impl Iterator<Item = i64>) -> Result<()> {
        let mut wanted: Vec<i64> = ids.filter(|id| !self.known.contains_key(id)).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        wanted.sort_unstable();
        wanted.dedup();

        let mut stmt = conn.prepare_cached(
            // The register's list is read only for people without a substance history.
            "SELECT p.id, p.gender, p.birth_date, p.age_years, p.age_recorded_on,
                    coalesce((SELECT h.substance FROM substance_history h WHERE h.patient_id = p.id
                              ORDER BY h.position LIMIT 1),
                             CASE WHEN json_array_length(p.substances) = 1 THEN p.substances ->> 0 END),
                    c.district_code
             FROM json_each(?1) w JOIN patients p ON p.id = w.value
             LEFT JOIN case_records c ON c.patient_id = p.id",
        )?;
        let list = format!("[{}]", wanted.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
        let mut rows = stmt.query([list])?;
        while let Some(r) = rows.next()? {
            let substance: Option<String> = r.get(5)?;
            let person = Person {
                sex: r.get(1)?,
                birth: crate::dates::date_opt(r, 2)?,
                age: r.get(3)?,
                noted: crate::dates::date_opt(r, 4)?,
                substance: substance.as_deref().and_then(Substance::parse),
                district: r.get(6)?,
            };
            self.known.insert(r.get(0)?, Some(person));
        }
        for id in wanted {
            self.known.entry(id).or_insert(None);
        }
        Ok(())
    }

    /// An event about a person on `on`, with the figure's own codes first.
    fn event(&self, id: i64, on: NaiveDate, mut tags: Tags) -> Event {
        if let Some(Some(p)) = self.known.get(&id) {
            let age = patients::age_on(on, p.birth, p.age, p.noted);
            tags.push((Dimension::Sex, Code::Fixed(p.sex.as_str())));
            tags.push((Dimension::Age, Code::Fixed(age_band(age))));
            tags.push((Dimension::Substance, Code::Fixed(p.substance.map_or(UNKNOWN, |s| s.as_str()))));
            tags.push((Dimension::District, Code::district(p.district)));
        }
        Event { patient: Some(id), tags, weight: 1 }
    }
}

/// An event's codes: at most two of its figure's and the person's four, kept in place
/// (a quarter has some 35,000 events; a heap list each cost a tenth of its time).
#[derive(Clone, Copy)]
pub(crate) struct Tags {
    list: [(Dimension, Code); 6],
    len: usize,
}

impl Tags {
    fn push(&mut self, t: (Dimension, Code)) {
        if let Some(slot) = self.list.get_mut(self.len) {
            *slot = t;
            self.len += 1;
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(Dimension, Code)> {
        self.list.iter().take(self.len)
    }
}

fn tag(d: Dimension, code: &'static str) -> (Dimension, Code) {
    (d, Code::Fixed(code))
}

/// A figure's own codes, with room for the person's four.
fn tags(own: &[(Dimension, Code)]) -> Tags {
    let mut t = Tags { list: [(Dimension::Sex, Code::Fixed(UNKNOWN)); 6], len: 0 };
    own.iter().for_each(|&o| t.push(o));
    t
}

/// Rows of `(patient, date)` pairs, each with the figure's own codes.
fn person_rows(
    conn: &Connection,
    people: &mut People,
    sql: &str,
    args: impl rusqlite::Params,
    own: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Tags>,
) -> Result<Vec<Event>> {
    let rows: Vec<(i64, NaiveDate, Tags)> = {
        let mut stmt = conn.prepare_cached(sql)?;
        stmt.query_map(args, |r| Ok((r.get(0)?, crate::dates::date(r, 1)?, own(r)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    people.load(conn, rows.iter().map(|r| r.0))?;
    Ok(rows.into_iter().map(|(id, on, tags)| people.event(id, on, tags)).collect())
}

/// The events of one figure in the period `from`..=`to`.
pub(crate) fn events(
    conn: &Connection,
    people: &mut People,
    f: Figure,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Event>> {
    let none = |_: &rusqlite::Row<'_>| Ok(tags(&[]));
    let first_stay = "NOT EXISTS (SELECT 1 FROM stays e WHERE e.patient_id = s.patient_id
                        AND (e.admitted_on < s.admitted_on OR (e.admitted_on = s.admitted_on AND e.id < s.id)))";
    Ok(match f {
        Figure::AdmissionsNew => person_rows(
            conn,
            people,
            &format!(
                "SELECT s.patient_id, s.admitted_on FROM stays s WHERE s.admitted_on BETWEEN ?1 AND ?2 AND {first_stay}"
            ),
            params![from, to],
            none,
        )?,
        Figure::Readmissions => person_rows(
            conn,
            people,
            &format!(
                "SELECT s.patient_id, s.admitted_on FROM stays s WHERE s.admitted_on BETWEEN ?1 AND ?2 AND NOT {first_stay}"
            ),
            params![from, to],
            none,
        )?,
        Figure::Discharges => person_rows(
            conn,
            people,
            "SELECT patient_id, discharged_on, discharge_type FROM stays WHERE discharged_on BETWEEN ?1 AND ?2",
            params![from, to],
            |r| Ok(tags(&[tag(Dimension::Type, r.get::<_, DischargeType>(2)?.as_str())])),
        )?,
        Figure::InpatientsStart => person_rows(
            conn,
            people,
            // Still in, or discharged on the first day or later: two index reads (the open
            // stays' partial index, the discharges from that day on); `+` keeps the planner
            // off the admission index, which would read every earlier stay.
            "SELECT patient_id, ?1 FROM stays WHERE discharged_on IS NULL AND +admitted_on < ?1
             UNION ALL
             SELECT patient_id, ?1 FROM stays WHERE discharged_on >= ?1 AND +admitted_on < ?1",
            params![from],
            none,
        )?,
        Figure::InpatientsEnd => person_rows(
            conn,
            people,
            "SELECT patient_id, ?1 FROM stays WHERE discharged_on IS NULL AND +admitted_on <= ?1
             UNION ALL
             SELECT patient_id, ?1 FROM stays WHERE discharged_on > ?1 AND +admitted_on <= ?1",
            params![to],
            none,
        )?,
        Figure::FollowupsDue => person_rows(
            conn,
            people,
            "SELECT patient_id, due_on FROM aftercare_followups WHERE due_on BETWEEN ?1 AND ?2 AND status <> 'cancelled'",
            params![from, to],
            none,
        )?,
        Figure::FollowupAttempts => person_rows(
            conn,
            people,
            "SELECT patient_id, on_date FROM aftercare_attempts WHERE on_date BETWEEN ?1 AND ?2",
            params![from, to],
            none,
        )?,
        Figure::FollowupsReached => person_rows(
            conn,
            people,
            "SELECT patient_id, on_date, status FROM aftercare_attempts
             WHERE on_date BETWEEN ?1 AND ?2 AND result = 'reached'",
            params![from, to],
            |r| {
                let s: Option<RecoveryStatus> = r.get(2)?;
                Ok(tags(&[tag(Dimension::Status, s.unwrap_or(RecoveryStatus::Unknown).as_str())]))
            },
        )?,
        Figure::LostToFollowup => {
            let cut = to - Days::new(LOST_AFTER_DAYS);
            // Plans still open (no closing date) and plans closed after the period: two
            // reads of the closing-date index, not every plan of the years.
            person_rows(
                conn,
                people,
                "SELECT p.patient_id, ?2 FROM aftercare_plans p
                 WHERE (p.closed_on IS NULL OR p.closed_on > ?2) AND p.started_on <= ?1
                   AND NOT EXISTS (SELECT 1 FROM aftercare_attempts a WHERE a.patient_id = p.patient_id
                                   AND a.result IN ('reached', 'spoke_to_family')
                                   AND a.on_date > ?1 AND a.on_date <= ?2)",
                params![cut, to],
                none,
            )?
        }
        Figure::GroupSessions => {
            let mut stmt = conn.prepare_cached(
                "SELECT g.kind FROM group_sessions s JOIN group_series r ON r.id = s.series_id
                 JOIN therapy_groups g ON g.id = r.group_id
                 WHERE s.date BETWEEN ?1 AND ?2 AND s.held = 'held' AND s.cancelled = 0",
            )?;
            stmt.query_map(params![from, to], |r| {
                let kind: GroupKind = r.get(0)?;
                Ok(Event { patient: None, tags: tags(&[tag(Dimension::Group, kind.as_str())]), weight: 1 })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
        Figure::GroupAttendances => {
            // The sessions held (a few hundred), then their marks as numbers only: the
            // date and the group's kind are read once a session, not once a mark.
            let sessions: FxHashMap<i64, (NaiveDate, GroupKind)> = {
                let mut stmt = conn.prepare_cached(
                    "SELECT s.id, s.date, g.kind FROM group_sessions s JOIN group_series r ON r.id = s.series_id
                     JOIN therapy_groups g ON g.id = r.group_id
                     WHERE s.date BETWEEN ?1 AND ?2 AND s.held = 'held' AND s.cancelled = 0",
                )?;
                stmt.query_map(params![from, to], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let marks: Vec<(i64, Option<i64>, bool)> = {
                let mut stmt = conn.prepare_cached(
                    "SELECT a.session_id, a.patient_id, a.family_member_id IS NOT NULL
                     FROM group_sessions s JOIN group_attendance a ON a.session_id = s.id
                     WHERE s.date BETWEEN ?1 AND ?2 AND s.held = 'held' AND s.cancelled = 0
                       AND a.status IN ('present', 'late')",
                )?;
                stmt.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            people.load(conn, marks.iter().filter_map(|m| m.1))?;
            let mut out = Vec::with_capacity(marks.len());
            for (session, patient, family) in marks {
                let Some(&(on, kind)) = sessions.get(&session) else { continue };
                let attendee = match (patient, family) {
                    (Some(_), _) => "patient",
                    (None, true) => "family",
                    (None, false) => "dropin",
                };
                let own = tags(&[tag(Dimension::Group, kind.as_str()), tag(Dimension::Attendee, attendee)]);
                out.push(match patient {
                    Some(id) => people.event(id, on, own),
                    None => Event { patient: None, tags: own, weight: 1 },
                });
            }
            out
        }
        Figure::CounsellingSessions => person_rows(
            conn,
            people,
            "SELECT patient_id, on_date, kind FROM counselling_sessions WHERE on_date BETWEEN ?1 AND ?2",
            params![from, to],
            |r| Ok(tags(&[tag(Dimension::Kind, r.get::<_, CounsellingKind>(2)?.as_str())])),
        )?,
        Figure::OutreachActivities | Figure::OutreachPeopleReached => {
            let reached = f == Figure::OutreachPeopleReached;
            let mut stmt = conn.prepare_cached(
                "SELECT kind, district_code, people_reached FROM outreach_activities WHERE on_date BETWEEN ?1 AND ?2",
            )?;
            stmt.query_map(params![from, to], |r| {
                let kind: OutreachKind = r.get(0)?;
                let district: Option<u16> = r.get(1)?;
                let n: i64 = r.get(2)?;
                Ok(Event {
                    patient: None,
                    tags: tags(&[tag(Dimension::Kind, kind.as_str()), (Dimension::District, Code::district(district))]),
                    weight: if reached { n } else { 1 },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
    })
}

/// The codes a split always shows (with zeros), in their order; districts show only
/// those counted.
fn fixed_codes(f: Figure, d: Dimension) -> Vec<&'static str> {
    let with_unknown = |mut v: Vec<&'static str>| {
        v.push(UNKNOWN);
        v
    };
    match d {
        Dimension::Type => DischargeType::ALL.iter().map(|t| t.as_str()).collect(),
        Dimension::Status => RecoveryStatus::ALL.iter().map(|t| t.as_str()).collect(),
        Dimension::Group => GroupKind::ALL.iter().map(|t| t.as_str()).collect(),
        Dimension::Attendee => vec!["patient", "family", "dropin"],
        Dimension::Kind if f == Figure::CounsellingSessions => {
            CounsellingKind::ALL.iter().map(|t| t.as_str()).collect()
        }
        Dimension::Kind => OutreachKind::ALL.iter().map(|t| t.as_str()).collect(),
        Dimension::Sex => Gender::ALL.iter().map(|t| t.as_str()).collect(),
        Dimension::Age => with_unknown(super::AGE_BANDS.iter().map(|b| b.0).collect()),
        Dimension::Substance => with_unknown(Substance::ALL.iter().map(|t| t.as_str()).collect()),
        Dimension::District => Vec::new(),
    }
}

fn count(code: Code, value: i64) -> Count {
    let (text, d) = match code {
        Code::Fixed(c) => (c.to_owned(), None),
        Code::District(n) => (n.to_string(), crate::districts::district(n)),
    };
    Count {
        code: text,
        value,
        name_en: d.map(|d| d.en.clone()).unwrap_or_default(),
        name_hi: d.map(|d| d.hi.clone()).unwrap_or_default(),
    }
}

/// The figure's total and splits from its events.
pub(crate) fn tally(f: Figure, events: &[Event]) -> FigureRow {
    let total = events.iter().map(|e| e.weight).sum();
    let dims = f.dimensions();
    // Tallied by the codes' keys (hashing and comparing their text was a seventh of a
    // quarter's time), then added up by text.
    let mut keyed: Vec<FxHashMap<u64, (Code, i64)>> = vec![FxHashMap::default(); dims.len()];
    for e in events {
        for (dim, code) in e.tags.iter() {
            if let Some(i) = dims.iter().position(|d| d == dim) {
                keyed[i].entry(code.key()).or_insert((*code, 0)).1 += e.weight;
            }
        }
    }
    let by = keyed.into_iter().map(|m| {
        let mut v: Vec<(Code, i64)> = Vec::with_capacity(m.len());
        for (code, n) in m.into_values() {
            match v.iter_mut().find(|(c, _)| *c == code) {
                Some((_, m)) => *m += n,
                None => v.push((code, n)),
            }
        }
        v
    });
    let mut splits = Vec::with_capacity(dims.len());
    for (d, by) in dims.into_iter().zip(by) {
        let counts = if d == Dimension::District {
            let mut v = by;
            // Most counted first; `unknown` last.
            v.sort_by_key(|&(code, n)| (code == Code::Fixed(UNKNOWN), -n, code));
            v.into_iter().map(|(code, n)| count(code, n)).collect()
        } else {
            fixed_codes(f, d)
                .into_iter()
                .map(|code| {
                    let n = by.iter().find(|(c, _)| *c == Code::Fixed(code)).map_or(0, |(_, n)| *n);
                    count(Code::Fixed(code), n)
                })
                .collect()
        };
        splits.push(Split { dimension: d, counts });
    }
    FigureRow { figure: f, adds_up: f.adds_up(), about_people: f.about_people(), total, splits }
}
