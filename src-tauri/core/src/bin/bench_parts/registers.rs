//! Issue 17: the group session register of the last twelve months on the ten-year centre
//! (its rows read and the A4 PDF made, as `print_register` does; rolled back so the audit
//! log does not grow). Budget: a year's register within 2 s.
use std::hint::black_box;

use chrono::Days;
use saathi_core::registers::{self, RegisterKind, RegisterRequest};
use saathi_core::settings::Language;

pub fn session_register_year(lang: Language) -> Box<dyn FnMut()> {
    let mut store = super::open();
    let ctx = super::staff_ctx();
    let to = super::bench_today();
    let request = RegisterRequest { kind: RegisterKind::Sessions, from: to - Days::new(364), to };
    let _ = store.write(|tx| {
        let rows = registers::rows(tx, &ctx, &request)?;
        let bytes = registers::doc::register_pdf(tx, &ctx, &request, None, Some(lang))?;
        eprintln!(
            "bench: session register {}..{}: {} rows, {} KB ({lang:?})",
            request.from,
            to,
            rows.len(),
            bytes.len() / 1024
        );
        Err::<(), _>(saathi_core::Error::Busy)
    });
    Box::new(move || {
        let _ = store.write(|tx| {
            black_box(registers::doc::register_pdf(tx, &ctx, &request, None, Some(lang))?);
            Err::<(), _>(saathi_core::Error::Busy)
        });
    })
}
