//! The statistics figures (issue 17 §2) on the ten-year centre, computed from the records
//! as the screen asks for them: the last month, and every month and every quarter of the
//! last year, one period a run (so the p95 is that of the year's slowest periods).
use std::hint::black_box;

use chrono::{Datelike, NaiveDate};
use saathi_core::statistics::{self, Period};
use saathi_core::{Ctx, Store};

/// The twelve months before the month of `today`, oldest first.
fn last_twelve_months(today: NaiveDate) -> Vec<Period> {
    (1..=12)
        .rev()
        .filter_map(|back| {
            let months = today.year() * 12 + today.month0() as i32 - back;
            Period::parse(&format!("{}-{:02}", months / 12, months % 12 + 1)).ok()
        })
        .collect()
}

/// The four quarters before the quarter of `today`, oldest first.
fn last_four_quarters(today: NaiveDate) -> Vec<Period> {
    (1..=4)
        .rev()
        .filter_map(|back| {
            let quarters = today.year() * 4 + (today.month0() / 3) as i32 - back;
            Period::parse(&format!("{}-Q{}", quarters / 4, quarters % 4 + 1)).ok()
        })
        .collect()
}

/// Each run computes the next period of `periods`, round and round.
fn each(store: Store, ctx: Ctx, periods: Vec<Period>) -> Box<dyn FnMut()> {
    if let Some(Ok(s)) = periods.last().map(|p| statistics::compute(store.conn(), &ctx, p)) {
        let total: i64 = s.figures.iter().map(|f| f.total).sum();
        eprintln!("bench: statistics of {}: {} counted in all figures", s.period, total);
    }
    let mut next = 0;
    Box::new(move || {
        if let Some(p) = periods.get(next % periods.len().max(1)) {
            black_box(statistics::compute(store.conn(), &ctx, p).ok());
        }
        next += 1;
    })
}

pub fn month(store: Store, ctx: Ctx, today: NaiveDate) -> Box<dyn FnMut()> {
    let last = last_twelve_months(today).pop().into_iter().collect();
    each(store, ctx, last)
}

pub fn months_of_year(store: Store, ctx: Ctx, today: NaiveDate) -> Box<dyn FnMut()> {
    each(store, ctx, last_twelve_months(today))
}

pub fn quarters_of_year(store: Store, ctx: Ctx, today: NaiveDate) -> Box<dyn FnMut()> {
    each(store, ctx, last_four_quarters(today))
}
