//! Date columns read straight from their bytes. rusqlite reads a `NaiveDate` through
//! chrono's format parser (`%F`), about 1,000 instructions a date; the year attendance
//! report reads some 20,000 dates and spent 13 % of its time there (callgrind, ten-year
//! centre), which kept it over its 16 ms budget. Anything that is not exactly
//! `YYYY-MM-DD` (and NULL) is read as rusqlite reads it, so errors stay the same.

use chrono::NaiveDate;
use rusqlite::Row;
use rusqlite::types::ValueRef;

/// `2026-11-26` → the date; `None` for any other form.
fn iso_date(t: &[u8]) -> Option<NaiveDate> {
    if t.len() != 10 || t[4] != b'-' || t[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| s.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    NaiveDate::from_ymd_opt(i32::try_from(num(&t[..4])?).ok()?, num(&t[5..7])?, num(&t[8..])?)
}

/// A date column that may be NULL.
pub(crate) fn date_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    if let ValueRef::Text(t) = r.get_ref(i)?
        && let Some(d) = iso_date(t)
    {
        return Ok(Some(d));
    }
    r.get(i)
}

/// A date column that is never NULL.
pub(crate) fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    if let ValueRef::Text(t) = r.get_ref(i)?
        && let Some(d) = iso_date(t)
    {
        return Ok(d);
    }
    r.get(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rusqlite::Connection;

    /// Whatever text a date column holds, the reader answers exactly as rusqlite does.
    fn both(text: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let c = Connection::open_in_memory().unwrap();
        c.query_row("SELECT ?1", [text], |r| Ok((date(r, 0).ok(), r.get::<_, NaiveDate>(0).ok()))).unwrap()
    }

    proptest! {
        #[test]
        fn reads_any_text_as_rusqlite_does(y in 0i32..10000, m in 0u32..14, d in 0u32..33) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            let (ours, theirs) = both(&text);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn odd_text_falls_back(s in "\\PC{0,12}") {
            let (ours, theirs) = both(&s);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn null_is_none_and_a_number_is_an_error() {
        let c = Connection::open_in_memory().unwrap();
        let (n, x) = c.query_row("SELECT NULL, 5", [], |r| Ok((date_opt(r, 0).unwrap(), date(r, 1).is_err()))).unwrap();
        assert_eq!(n, None);
        assert!(x);
    }
}
