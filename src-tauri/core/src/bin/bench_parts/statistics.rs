//! The statistics figures (issue 17 §2): one month, and the year's twelve months, on the
//! ten-year centre, each computed from the records as the screen asks for it.
use std::hint::black_box;

use chrono::{Datelike, NaiveDate};
use saathi_core::statistics::{self, Period};
use saathi_core::{Ctx, Store};

/// The twelve months before the month of `today`.
fn last_twelve_months(today: NaiveDate) -> Vec<Period> {
    (1..=12)
        .rev()
        .filter_map(|back| {
            let months = today.year() * 12 + today.month0() as i32 - back;
            Period::parse(&format!("{}-{:02}", months / 12, months % 12 + 1)).ok()
        })
        .collect()
}

pub fn month(store: Store, ctx: Ctx, today: NaiveDate) -> Box<dyn FnMut()> {
    let Some(period) = last_twelve_months(today).pop() else { return Box::new(|| {}) };
    if let Ok(s) = statistics::compute(store.conn(), &ctx, &period) {
        let total: i64 = s.figures.iter().map(|f| f.total).sum();
        eprintln!("bench: statistics of {}: {} counted in all figures", s.period, total);
    }
    Box::new(move || {
        black_box(statistics::compute(store.conn(), &ctx, &period).ok());
    })
}

pub fn year(store: Store, ctx: Ctx, today: NaiveDate) -> Box<dyn FnMut()> {
    let months = last_twelve_months(today);
    Box::new(move || {
        for p in &months {
            black_box(statistics::compute(store.conn(), &ctx, p).ok());
        }
    })
}
