//! Monthly and quarterly statistics, computed from the records every time (never stored),
//! each figure with its breakdowns. What each figure counts:
//!
//! - `admissions_new`: stays that began in the period and are the person's first stay.
//! - `readmissions`: stays that began in the period after an earlier stay of the person.
//! - `discharges`: stays that ended in the period, by discharge type (`type:`).
//! - `inpatients_start`: people in the house on the first day (admitted before it, not
//!   discharged before it); `inpatients_end`: in the house at the end of the last day.
//! - `followups_due`: aftercare follow-ups due in the period (not cancelled ones; skipped
//!   ones count, they were due).
//! - `followup_attempts`: contact attempts made in the period.
//! - `followups_reached`: attempts in the period that reached the person, by the status
//!   they gave (`status:` sober = abstinent, lapse, relapse, unknown).
//! - `lost_to_followup`: people whose aftercare plan was open at the end of the period,
//!   begun at least [`LOST_AFTER_DAYS`] days before it, and who were not reached (nor
//!   their family spoken to, as on the worklist and the outcomes) once in the last
//!   [`LOST_AFTER_DAYS`] days of the period.
//! - `group_sessions`: group sessions held in the period (recorded as held, not
//!   cancelled), by the group's kind (`group:`).
//! - `group_attendances`: present or late marks at those sessions, by the group's kind and
//!   by who attended (`attendee:` patient, family member, drop-in without a record).
//! - `counselling_sessions`: individual and family counselling sessions (`kind:`).
//! - `outreach_activities` and `outreach_people_reached`: the outreach log's entries and
//!   the people they reached, by kind and the activity's district.
//!
//! Every figure about people is also split by sex, age band at the event (`age:`; from
//! the birth date, or the age noted and the years since it was noted), primary substance
//! and district (`district:` the Census code of the case record's district). The primary
//! substance is the first row of the case record's substance history; without one, the
//! register's substance when it lists exactly one; otherwise `unknown`.
//!
//! Point-in-time figures (`inpatients_start`, `inpatients_end`, `lost_to_followup`) do
//! not add up over months; all others do: a quarter is the sum of its months.
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Action;
use crate::ctx::Ctx;
use crate::enums::str_enum;
use crate::error::{Error, Result};

mod collect;
pub mod demo;
pub mod print;
#[cfg(test)]
mod tests;

/// A person not reached for this many days with an open plan is lost to follow-up.
pub const LOST_AFTER_DAYS: u64 = 90;

str_enum!(Figure {
    AdmissionsNew = "admissions_new",
    Readmissions = "readmissions",
    Discharges = "discharges",
    InpatientsStart = "inpatients_start",
    InpatientsEnd = "inpatients_end",
    FollowupsDue = "followups_due",
    FollowupAttempts = "followup_attempts",
    FollowupsReached = "followups_reached",
    LostToFollowup = "lost_to_followup",
    GroupSessions = "group_sessions",
    GroupAttendances = "group_attendances",
    CounsellingSessions = "counselling_sessions",
    OutreachActivities = "outreach_activities",
    OutreachPeopleReached = "outreach_people_reached",
});

str_enum!(Dimension {
    Type = "type",
    Status = "status",
    Group = "group",
    Attendee = "attendee",
    Kind = "kind",
    Sex = "sex",
    Age = "age",
    Substance = "substance",
    District = "district",
});

impl Figure {
    /// Whether a longer period's figure is the sum of its months'.
    pub fn adds_up(self) -> bool {
        !matches!(self, Figure::InpatientsStart | Figure::InpatientsEnd | Figure::LostToFollowup)
    }

    /// Whether the figure counts people on the register (then it is split by sex, age,
    /// substance and district, and an administrator may see who was counted).
    pub fn about_people(self) -> bool {
        !matches!(self, Figure::GroupSessions | Figure::OutreachActivities | Figure::OutreachPeopleReached)
    }

    /// The figure's own splits, before the person's.
    pub fn own_dimensions(self) -> &'static [Dimension] {
        match self {
            Figure::Discharges => &[Dimension::Type],
            Figure::FollowupsReached => &[Dimension::Status],
            Figure::GroupSessions => &[Dimension::Group],
            Figure::GroupAttendances => &[Dimension::Group, Dimension::Attendee],
            Figure::CounsellingSessions => &[Dimension::Kind],
            Figure::OutreachActivities | Figure::OutreachPeopleReached => &[Dimension::Kind, Dimension::District],
            _ => &[],
        }
    }

    pub fn dimensions(self) -> Vec<Dimension> {
        let mut out = self.own_dimensions().to_vec();
        if self.about_people() {
            out.extend([Dimension::Sex, Dimension::Age, Dimension::Substance, Dimension::District]);
        }
        out
    }
}

/// The age bands of the breakdown, with their inclusive limits.
pub const AGE_BANDS: &[(&str, u32, u32)] = &[
    ("under_18", 0, 17),
    ("18_25", 18, 25),
    ("26_35", 26, 35),
    ("36_45", 36, 45),
    ("46_60", 46, 60),
    ("over_60", 61, u32::MAX),
];
pub const UNKNOWN: &str = "unknown";

pub fn age_band(age: Option<u32>) -> &'static str {
    age.and_then(|a| AGE_BANDS.iter().find(|(_, lo, hi)| (*lo..=*hi).contains(&a))).map_or(UNKNOWN, |b| b.0)
}

/// A month (`2026-11`) or a quarter (`2026-Q4`, January to March is Q1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub quarter: bool,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period> {
        let bad = || Error::invalid("statistics_period", "period", "Give a month as YYYY-MM or a quarter as YYYY-Qn.");
        let (year, rest) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let (first_month, months, quarter) = match rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
            Some(q) => {
                let q: u32 = q.parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                (3 * q - 2, 3, true)
            }
            None => {
                if rest.len() != 2 {
                    return Err(bad());
                }
                let m: u32 = rest.parse().map_err(|_| bad())?;
                (m, 1, false)
            }
        };
        let from = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
        let to = from.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).ok_or_else(bad)?;
        Ok(Period { from, to, quarter })
    }

    /// `2026-11` or `2026-Q4`.
    pub fn code(&self) -> String {
        if self.quarter {
            format!("{}-Q{}", self.from.year(), self.from.month0() / 3 + 1)
        } else {
            format!("{}-{:02}", self.from.year(), self.from.month())
        }
    }

    /// The months of the period, in order.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut from = self.from;
        while from <= self.to {
            let next = from.checked_add_months(Months::new(1)).unwrap_or(self.to + Days::new(1));
            out.push(Period { from, to: next.pred_opt().unwrap_or(from), quarter: false });
            from = next;
        }
        out
    }
}

/// One value of a split: a code (`male`, `18_25`, `alcohol`, a district's number) and the
/// count. A district also carries its names for the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub code: String,
    #[ts(type = "number")]
    pub value: i64,
    pub name_en: String,
    pub name_hi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Split {
    pub dimension: Dimension,
    pub counts: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FigureRow {
    pub figure: Figure,
    pub adds_up: bool,
    pub about_people: bool,
    #[ts(type = "number")]
    pub total: i64,
    pub splits: Vec<Split>,
}

impl FigureRow {
    /// The count of one breakdown (`total`, `sex:male`, …); 0 where there is none.
    pub fn value(&self, breakdown: &str) -> i64 {
        if breakdown == "total" {
            return self.total;
        }
        let Some((dim, code)) = breakdown.split_once(':') else { return 0 };
        self.splits
            .iter()
            .filter(|s| s.dimension.as_str() == dim)
            .flat_map(|s| s.counts.iter())
            .find(|c| c.code == code)
            .map_or(0, |c| c.value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Statistics {
    /// `2026-11` or `2026-Q4`.
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[ts(type = "number")]
    pub lost_after_days: u64,
    pub figures: Vec<FigureRow>,
}

impl Statistics {
    pub fn figure(&self, f: Figure) -> Option<&FigureRow> {
        self.figures.iter().find(|r| r.figure == f)
    }

    /// The count of one figure's breakdown; 0 where there is none.
    pub fn value(&self, f: Figure, breakdown: &str) -> i64 {
        self.figure(f).map_or(0, |r| r.value(breakdown))
    }
}

/// One person counted in a figure (for an administrator, on the screen only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CountedPerson {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// How many times the person is counted in that figure and breakdown.
    #[ts(type = "number")]
    pub times: i64,
}

/// Every figure of a period. Any role may see the figures (counts only, no names).
pub fn compute(conn: &rusqlite::Connection, ctx: &Ctx, period: &Period) -> Result<Statistics> {
    ctx.require(Action::ViewRegister)?;
    let mut people = collect::People::new();
    let mut figures = Vec::with_capacity(Figure::ALL.len());
    for &f in Figure::ALL {
        let events = collect::events(conn, &mut people, f, period.from, period.to)?;
        figures.push(collect::tally(f, &events));
    }
    Ok(Statistics {
        period: period.code(),
        from: period.from,
        to: period.to,
        lost_after_days: LOST_AFTER_DAYS,
        figures,
    })
}

/// Who is counted in one figure and breakdown (`total`, `sex:female`, …): administrators
/// only, for the screen (never printed). The look is audited.
pub fn people(
    tx: &rusqlite::Transaction<'_>,
    ctx: &Ctx,
    period: &Period,
    figure: Figure,
    breakdown: &str,
) -> Result<Vec<CountedPerson>> {
    ctx.require(Action::ViewStatisticsPeople)?;
    let mut cache = collect::People::new();
    let events = collect::events(tx, &mut cache, figure, period.from, period.to)?;
    let wanted = match breakdown.split_once(':') {
        None if breakdown == "total" => None,
        Some((dim, code)) => Some((
            Dimension::parse(dim).ok_or_else(|| {
                Error::invalid("statistics_breakdown", "breakdown", "That breakdown is not one of the figure's.")
            })?,
            code,
        )),
        None => {
            return Err(Error::invalid(
                "statistics_breakdown",
                "breakdown",
                "That breakdown is not one of the figure's.",
            ));
        }
    };
    let mut counted: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for e in &events {
        let Some(id) = e.patient else { continue };
        if let Some((dim, code)) = wanted
            && !e.tags.iter().any(|(d, c)| *d == dim && c.is(code))
        {
            continue;
        }
        *counted.entry(id).or_default() += e.weight;
    }
    let mut out = Vec::with_capacity(counted.len());
    {
        let mut stmt = tx.prepare_cached("SELECT full_name FROM patients WHERE id = ?1")?;
        for (id, times) in counted {
            let name: String = stmt.query_row([id], |r| r.get(0))?;
            out.push(CountedPerson { id, name, times });
        }
    }
    out.sort_by(|a, b| crate::text::search_key(&a.name).cmp(&crate::text::search_key(&b.name)).then(a.id.cmp(&b.id)));
    crate::audit::record(
        tx,
        ctx,
        "statistics_people_viewed",
        "statistics",
        None,
        &format!("{} {} {}", period.code(), figure.as_str(), breakdown),
    )?;
    Ok(out)
}
