//! Recurrence rules with RFC 5545 (iCalendar RRULE) semantics, for the subset a centre's
//! timetable needs: one-off, `FREQ=DAILY`, `FREQ=WEEKLY;BYDAY=…`, `FREQ=MONTHLY` on the
//! start date's day of the month or on the Nth / last weekday (`BYDAY=1FR`, `-1MO`),
//! each with `INTERVAL`, and ending never, on a date (`UNTIL`, inclusive) or after a
//! `COUNT`.
//!
//! Why not the `rrule` crate: it works on zoned date-times (chrono-tz + regex, a large
//! build on this 2-core machine) and parses strings; the centre has one timezone and
//! schedules are edited as fields, so a small expander over naive local dates is simpler
//! to keep bounded and is tested below against the RFC's own examples.
//!
//! Decisions (documented deviations):
//! - The week starts on Monday (`WKST=MO`, the RFC default).
//! - A start date that does not match the rule is not itself an occurrence (as in
//!   python-dateutil and the `rrule` crate), and is not counted by `COUNT`.
//! - `UNTIL` is a date and inclusive.
//! - Monthly on a day that a month lacks (the 31st) skips that month, as the RFC says.
//! - Expansion always stops at the end of the window asked for, so a never-ending series
//!   costs only what the window holds (plus the walk from its start, for `COUNT`).
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Freq {
    Once,
    Daily,
    Weekly,
    Monthly,
}

impl Freq {
    pub fn as_str(self) -> &'static str {
        match self {
            Freq::Once => "once",
            Freq::Daily => "daily",
            Freq::Weekly => "weekly",
            Freq::Monthly => "monthly",
        }
    }
    pub fn parse(s: &str) -> Option<Freq> {
        [Freq::Once, Freq::Daily, Freq::Weekly, Freq::Monthly].into_iter().find(|f| f.as_str() == s)
    }
}

/// Days of the week, Monday first (0 = Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Day {
    Mo,
    Tu,
    We,
    Th,
    Fr,
    Sa,
    Su,
}

impl Day {
    pub const ALL: [Day; 7] = [Day::Mo, Day::Tu, Day::We, Day::Th, Day::Fr, Day::Sa, Day::Su];
    pub fn weekday(self) -> Weekday {
        Weekday::try_from(self as u8).unwrap_or(Weekday::Mon)
    }
    pub fn of(d: NaiveDate) -> Day {
        Day::ALL[d.weekday().num_days_from_monday() as usize]
    }
    fn code(self) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][self as usize]
    }
}

/// The date part of a schedule (times of day live on the series).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rule {
    pub freq: Freq,
    /// Every `interval` days / weeks / months (1 = every).
    pub interval: u32,
    /// Weekly: the days (empty = the start date's day). Monthly: the weekday(s) with
    /// `month_week`, or empty for "the start date's day of the month".
    pub weekdays: Vec<Day>,
    /// Monthly: 1–4 = the Nth, -1 = the last of `weekdays` in the month.
    pub month_week: Option<i8>,
    pub start: NaiveDate,
    /// Last possible date (inclusive).
    pub until: Option<NaiveDate>,
    /// Number of occurrences.
    pub count: Option<u32>,
}

impl Rule {
    pub fn once(start: NaiveDate) -> Rule {
        Rule { freq: Freq::Once, interval: 1, weekdays: vec![], month_week: None, start, until: None, count: None }
    }

    /// The rule as an RFC 5545 RRULE line (for display and export).
    pub fn to_rrule(&self) -> String {
        let mut parts = vec![match self.freq {
            Freq::Once => return "COUNT=1".into(),
            Freq::Daily => "FREQ=DAILY".to_owned(),
            Freq::Weekly => "FREQ=WEEKLY".to_owned(),
            Freq::Monthly => "FREQ=MONTHLY".to_owned(),
        }];
        if self.interval > 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if !self.weekdays.is_empty() {
            let n = self.month_week.filter(|_| self.freq == Freq::Monthly).map(|n| n.to_string()).unwrap_or_default();
            let days: Vec<String> = self.weekdays.iter().map(|d| format!("{n}{}", d.code())).collect();
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        if let Some(u) = self.until {
            parts.push(format!("UNTIL={}", u.format("%Y%m%d")));
        }
        parts.join(";")
    }

    /// The candidate dates of one period (a day, a week, a month), sorted, before the
    /// start-date, until and count limits.
    fn period(&self, k: u64, out: &mut Vec<NaiveDate>) {
        out.clear();
        let step = u64::from(self.interval.max(1)) * k;
        match self.freq {
            Freq::Once => {
                if k == 0 {
                    out.push(self.start);
                }
            }
            Freq::Daily => {
                if let Some(d) = self.start.checked_add_days(Days::new(step)) {
                    out.push(d);
                }
            }
            Freq::Weekly => {
                let monday = self.start - Days::new(u64::from(self.start.weekday().num_days_from_monday()));
                let Some(week) = monday.checked_add_days(Days::new(7 * step)) else { return };
                let mut days = if self.weekdays.is_empty() { vec![Day::of(self.start)] } else { self.weekdays.clone() };
                days.sort_unstable();
                days.dedup();
                out.extend(days.into_iter().filter_map(|d| week.checked_add_days(Days::new(d as u64))));
            }
            Freq::Monthly => {
                let Some(first) = self.start.with_day(1) else { return };
                let Ok(months) = u32::try_from(step) else { return };
                let Some(first) = first.checked_add_months(Months::new(months)) else { return };
                if self.weekdays.is_empty() {
                    if let Some(d) = first.with_day(self.start.day()) {
                        out.push(d);
                    }
                    return;
                }
                for day in &self.weekdays {
                    let all: Vec<NaiveDate> = first
                        .iter_days()
                        .take_while(|d| d.month() == first.month())
                        .filter(|d| d.weekday() == day.weekday())
                        .collect();
                    match self.month_week {
                        None => out.extend(all),
                        Some(n) if n > 0 => out.extend(all.get(n as usize - 1).copied()),
                        Some(n) => out.extend(all.len().checked_sub(n.unsigned_abs() as usize).map(|i| all[i])),
                    }
                }
                out.sort_unstable();
                out.dedup();
            }
        }
    }

    /// Every occurrence in `[from, to]` (both inclusive), in date order. Deterministic and
    /// bounded: the walk stops past `to`, past `until`, or at `count`.
    pub fn expand(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut found = Vec::new();
        if to < from || to < self.start {
            return found;
        }
        let last = match self.until {
            Some(u) => u.min(to),
            None => to,
        };
        let mut emitted: u32 = 0;
        let mut period = Vec::new();
        // A period with no candidate (e.g. no 5th Monday, no 31st) must not stop the
        // walk; the walk ends when a period starts after `last`.
        for k in 0u64.. {
            self.period(k, &mut period);
            if self.freq == Freq::Once && k > 0 {
                break;
            }
            if self.period_starts_after(k, last) {
                break;
            }
            for &d in &period {
                if d < self.start {
                    continue;
                }
                if d > last {
                    return found;
                }
                if self.count.is_some_and(|c| emitted >= c) {
                    return found;
                }
                emitted += 1;
                if d >= from {
                    found.push(d);
                }
            }
            if self.count.is_some_and(|c| emitted >= c) {
                break;
            }
        }
        found
    }

    fn period_starts_after(&self, k: u64, last: NaiveDate) -> bool {
        let step = u64::from(self.interval.max(1)) * k;
        let begin = match self.freq {
            Freq::Once => Some(self.start),
            Freq::Daily => self.start.checked_add_days(Days::new(step)),
            Freq::Weekly => (self.start - Days::new(u64::from(self.start.weekday().num_days_from_monday())))
                .checked_add_days(Days::new(7 * step)),
            Freq::Monthly => self
                .start
                .with_day(1)
                .and_then(|f| u32::try_from(step).ok().and_then(|m| f.checked_add_months(Months::new(m)))),
        };
        begin.is_none_or(|b| b > last)
    }

    /// How many occurrences fall before `date` (used to carry a COUNT over a split).
    pub fn count_before(&self, date: NaiveDate) -> u32 {
        match date.pred_opt() {
            Some(p) => self.expand(self.start, p).len() as u32,
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ds(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    fn rule(freq: Freq, start: &str) -> Rule {
        Rule { freq, interval: 1, weekdays: vec![], month_week: None, start: d(start), until: None, count: None }
    }

    const FAR: &str = "2000-01-01";

    // RFC 5545 §3.8.5.3: "Daily for 10 occurrences" (DTSTART 19970902).
    #[test]
    fn rfc_daily_for_10() {
        let r = Rule { count: Some(10), ..rule(Freq::Daily, "1997-09-02") };
        let got = r.expand(d("1990-01-01"), d(FAR));
        assert_eq!(got, (2..=11).map(|n| d(&format!("1997-09-{n:02}"))).collect::<Vec<_>>());
        assert_eq!(r.to_rrule(), "FREQ=DAILY;COUNT=10");
    }

    // "Every 10 days, 5 occurrences".
    #[test]
    fn rfc_every_10_days_5_times() {
        let r = Rule { interval: 10, count: Some(5), ..rule(Freq::Daily, "1997-09-02") };
        assert_eq!(
            r.expand(d("1990-01-01"), d(FAR)),
            ds(&["1997-09-02", "1997-09-12", "1997-09-22", "1997-10-02", "1997-10-12"])
        );
    }

    // "Weekly until December 24, 1997".
    #[test]
    fn rfc_weekly_until() {
        let r = Rule { until: Some(d("1997-12-24")), ..rule(Freq::Weekly, "1997-09-02") };
        let got = r.expand(d("1990-01-01"), d(FAR));
        assert_eq!(got.len(), 17);
        assert_eq!(got[0], d("1997-09-02"));
        assert_eq!(got[16], d("1997-12-23"));
        assert!(got.windows(2).all(|w| (w[1] - w[0]).num_days() == 7));
    }

    // "Every other week on Tuesday and Thursday, for 8 occurrences".
    #[test]
    fn rfc_every_other_week_tu_th_8() {
        let r =
            Rule { interval: 2, weekdays: vec![Day::Tu, Day::Th], count: Some(8), ..rule(Freq::Weekly, "1997-09-02") };
        assert_eq!(
            r.expand(d("1990-01-01"), d(FAR)),
            ds(&[
                "1997-09-02",
                "1997-09-04",
                "1997-09-16",
                "1997-09-18",
                "1997-09-30",
                "1997-10-02",
                "1997-10-14",
                "1997-10-16"
            ])
        );
        assert_eq!(r.to_rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=8");
    }

    // "Every other week on Monday, Wednesday, and Friday until December 24, 1997,
    // starting on Monday, September 1, 1997". The RFC's UNTIL is 19971224T000000Z, before
    // the 09:00 start on the 24th; our UNTIL is an inclusive date, so it is the 23rd here.
    #[test]
    fn rfc_every_other_week_mo_we_fr_until() {
        let r = Rule {
            interval: 2,
            weekdays: vec![Day::Mo, Day::We, Day::Fr],
            until: Some(d("1997-12-23")),
            ..rule(Freq::Weekly, "1997-09-01")
        };
        let want = [
            "1997-09-01",
            "1997-09-03",
            "1997-09-05",
            "1997-09-15",
            "1997-09-17",
            "1997-09-19",
            "1997-09-29",
            "1997-10-01",
            "1997-10-03",
            "1997-10-13",
            "1997-10-15",
            "1997-10-17",
            "1997-10-27",
            "1997-10-29",
            "1997-10-31",
            "1997-11-10",
            "1997-11-12",
            "1997-11-14",
            "1997-11-24",
            "1997-11-26",
            "1997-11-28",
            "1997-12-08",
            "1997-12-10",
            "1997-12-12",
            "1997-12-22",
        ];
        assert_eq!(r.expand(d("1990-01-01"), d(FAR)), ds(&want));
    }

    // "An example where the days generated makes a difference because of WKST":
    // FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO from Tuesday 1997-08-05.
    #[test]
    fn rfc_wkst_monday() {
        let r =
            Rule { interval: 2, weekdays: vec![Day::Tu, Day::Su], count: Some(4), ..rule(Freq::Weekly, "1997-08-05") };
        assert_eq!(r.expand(d("1990-01-01"), d(FAR)), ds(&["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"]));
    }

    // "Monthly on the first Friday for 10 occurrences".
    #[test]
    fn rfc_monthly_first_friday_10() {
        let r =
            Rule { weekdays: vec![Day::Fr], month_week: Some(1), count: Some(10), ..rule(Freq::Monthly, "1997-09-05") };
        assert_eq!(
            r.expand(d("1990-01-01"), d(FAR)),
            ds(&[
                "1997-09-05",
                "1997-10-03",
                "1997-11-07",
                "1997-12-05",
                "1998-01-02",
                "1998-02-06",
                "1998-03-06",
                "1998-04-03",
                "1998-05-01",
                "1998-06-05"
            ])
        );
        assert_eq!(r.to_rrule(), "FREQ=MONTHLY;BYDAY=1FR;COUNT=10");
    }

    // "Monthly on the first Friday until December 24, 1997".
    #[test]
    fn rfc_monthly_first_friday_until() {
        let r = Rule {
            weekdays: vec![Day::Fr],
            month_week: Some(1),
            until: Some(d("1997-12-24")),
            ..rule(Freq::Monthly, "1997-09-05")
        };
        assert_eq!(r.expand(d("1990-01-01"), d(FAR)), ds(&["1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05"]));
    }

    // Last Monday of the month (BYDAY=-1MO), a never-ending rule asked for one year.
    #[test]
    fn monthly_last_monday() {
        let r = Rule { weekdays: vec![Day::Mo], month_week: Some(-1), ..rule(Freq::Monthly, "2026-01-26") };
        let got = r.expand(d("2026-01-01"), d("2026-06-30"));
        assert_eq!(got, ds(&["2026-01-26", "2026-02-23", "2026-03-30", "2026-04-27", "2026-05-25", "2026-06-29"]));
        assert_eq!(r.to_rrule(), "FREQ=MONTHLY;BYDAY=-1MO");
    }

    // "Every other month on the first and last Sunday": one ordinal per rule here, so
    // the first Sunday every other month, 10 times (RFC dates for 1SU).
    #[test]
    fn every_other_month_first_sunday() {
        let r = Rule {
            interval: 2,
            weekdays: vec![Day::Su],
            month_week: Some(1),
            count: Some(5),
            ..rule(Freq::Monthly, "1997-09-07")
        };
        assert_eq!(
            r.expand(d("1990-01-01"), d(FAR)),
            ds(&["1997-09-07", "1997-11-02", "1998-01-04", "1998-03-01", "1998-05-03"])
        );
    }

    // "Monthly on the second-to-last Monday of the month for 6 months" needs -2; we
    // allow only -1, so check the 4th Monday for a month that has five.
    #[test]
    fn monthly_on_day_31_skips_short_months() {
        let r = rule(Freq::Monthly, "2026-01-31");
        assert_eq!(r.expand(d("2026-01-01"), d("2026-05-31")), ds(&["2026-01-31", "2026-03-31", "2026-05-31"]));
    }

    #[test]
    fn start_not_matching_the_rule_is_not_an_occurrence() {
        // Start on a Wednesday, weekly on Mondays, 2 times.
        let r = Rule { weekdays: vec![Day::Mo], count: Some(2), ..rule(Freq::Weekly, "2026-11-25") };
        assert_eq!(r.expand(d("2026-01-01"), d("2027-01-01")), ds(&["2026-11-30", "2026-12-07"]));
    }

    #[test]
    fn window_bounds_and_count_from_start() {
        let r = Rule { count: Some(10), ..rule(Freq::Daily, "2026-01-01") };
        // The window starts after 5 occurrences: only the remaining 5 of the count.
        assert_eq!(r.expand(d("2026-01-06"), d("2026-12-31")).len(), 5);
        assert_eq!(r.count_before(d("2026-01-06")), 5);
        let never = rule(Freq::Daily, "2020-01-01");
        assert_eq!(never.expand(d("2026-11-01"), d("2026-11-30")).len(), 30);
        assert!(never.expand(d("2026-11-30"), d("2026-11-01")).is_empty());
        assert_eq!(Rule::once(d("2026-11-05")).expand(d("2026-11-01"), d("2026-11-30")), ds(&["2026-11-05"]));
        assert!(Rule::once(d("2026-11-05")).expand(d("2026-11-06"), d("2026-11-30")).is_empty());
    }
}
