//! `saathi print statistics` on the demo centre: the PDF in English and Hindi read back
//! with pdftotext, the CSV parsed with the csv crate and compared with what the core
//! computes; neither file names anyone; without an administrator nothing is written.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use saathi_core::statistics::{self, Figure, Period};
use saathi_core::{Actor, Ctx, Role};
use saathi_tests::run_saathi as saathi;

fn pdftotext(pdf: &Path) -> String {
    let out =
        std::process::Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_csv(path: &Path) -> BTreeMap<(String, String), i64> {
    let mut reader = csv::Reader::from_path(path).expect("the CSV opens");
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["figure", "breakdown", "value"]);
    let mut out = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("a well-formed row");
        assert_eq!(row.len(), 3, "{row:?}");
        let value: i64 = row[2].parse().unwrap_or_else(|_| panic!("a number: {row:?}"));
        let key = (row[0].to_owned(), row[1].to_owned());
        assert!(out.insert(key, value).is_none(), "one row per figure and breakdown: {row:?}");
    }
    out
}

#[test]
fn statistics_of_the_demo_centre_print_in_both_languages_and_the_csv_matches_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let (_password, admin) = saathi_tests::demo_admin_args();
    let admin: Vec<&str> = admin.iter().map(String::as_str).collect();
    let print = |period: (&str, &str), lang: &str, name: &str| -> (i32, PathBuf, PathBuf, String) {
        let (pdf, csv) = (dir.path().join(format!("{name}.pdf")), dir.path().join(format!("{name}.csv")));
        let (p, c) = (pdf.display().to_string(), csv.display().to_string());
        let mut args = vec![
            "print",
            "statistics",
            period.0,
            period.1,
            "--data-dir",
            &data_s,
            "--out",
            &p,
            "--csv",
            &c,
            "--language",
            lang,
        ];
        args.extend(admin.iter().copied());
        let (code, _, err) = saathi(&args);
        (code, pdf, csv, err)
    };

    // Without credentials: refused, nothing written.
    let out = dir.path().join("refused.pdf");
    let o = out.display().to_string();
    let (code, _, _) = saathi(&["print", "statistics", "--month", "2026-10", "--data-dir", &data_s, "--out", &o]);
    assert_ne!(code, 0);
    assert!(!out.exists());
    // A wrong period is said plainly.
    let (code, _, _, err) = print(("--month", "2026-13"), "en", "bad");
    assert_ne!(code, 0);
    assert!(err.contains("YYYY-MM"), "{err}");

    let (code, pdf, csv, err) = print(("--month", "2026-10"), "en", "oct-en");
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&pdf);
    for words in [
        "Statistics for 2026-10",
        "From 01-10-2026 to 31-10-2026",
        "New admissions",
        "Discharges",
        "By discharge type",
        "Follow-up contacts reached",
        "Lost to follow-up",
        "Group sessions held",
        "Counselling sessions",
        "Awareness and outreach activities",
        "By age",
        "By district",
        "Page 1 of",
    ] {
        assert!(text.contains(words), "{words} in the English PDF:\n{text}");
    }
    let got = read_csv(&csv);

    // The CSV is exactly what the core computes for that month.
    let store = saathi_tests::open_demo_centre(&data);
    let ctx =
        Ctx::at(Actor { staff_id: None, role: Role::Admin }, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    let october = statistics::compute(store.conn(), &ctx, &Period::parse("2026-10").unwrap()).unwrap();
    let want = read_csv_text(&statistics::print::csv(&october));
    assert_eq!(got, want);
    // The demo's month is not empty.
    for f in [
        Figure::AdmissionsNew,
        Figure::Discharges,
        Figure::InpatientsEnd,
        Figure::FollowupsDue,
        Figure::FollowupsReached,
        Figure::GroupSessions,
        Figure::GroupAttendances,
        Figure::CounsellingSessions,
        Figure::OutreachActivities,
        Figure::OutreachPeopleReached,
    ] {
        let v = got[&(f.as_str().to_owned(), "total".to_owned())];
        assert!(v > 0, "{} is {v} in the demo's October", f.as_str());
        assert!(text.contains(&format!(": {v}")), "{} = {v} printed", f.as_str());
    }
    // Splits add up to the total where everyone has a value (sex, age band with unknown).
    for f in Figure::ALL.iter().filter(|f| f.about_people() && **f != Figure::GroupAttendances) {
        let total = got[&(f.as_str().to_owned(), "total".to_owned())];
        for dim in ["sex", "age", "substance", "district"] {
            let sum: i64 = got
                .iter()
                .filter(|((fig, b), _)| fig == f.as_str() && b.starts_with(&format!("{dim}:")))
                .map(|(_, v)| v)
                .sum();
            assert_eq!(sum, total, "{} by {dim}", f.as_str());
        }
    }

    // No one is named in either file.
    let names: Vec<String> = {
        let mut s = store.conn().prepare("SELECT full_name FROM patients").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    for n in &names {
        assert!(!text.contains(n.as_str()), "{n} in the PDF");
        assert!(!csv_text.contains(n.as_str()), "{n} in the CSV");
    }

    // Hindi, for the quarter.
    let (code, pdf, csv, err) = print(("--quarter", "2026-Q3"), "hi", "q3-hi");
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&pdf);
    for words in ["2026-Q3 के आँकड़े", "01-07-2026 से 30-09-2026 तक", "नए दाख़िले", "परामर्श सत्र", "लिंग से", "उम्र से"]
    {
        assert!(text.contains(words), "{words} in the Hindi PDF:\n{text}");
    }
    assert!(!text.contains("New admissions"), "the Hindi PDF is in Hindi");
    let quarter = read_csv(&csv);
    // The quarter's additive figures are the sum of its months' (from the CLI's CSVs).
    let months: Vec<BTreeMap<(String, String), i64>> = ["2026-07", "2026-08", "2026-09"]
        .iter()
        .map(|m| {
            let (code, _, csv, err) = print(("--month", m), "en", &format!("m-{m}"));
            assert_eq!(code, 0, "{err}");
            read_csv(&csv)
        })
        .collect();
    for ((figure, breakdown), value) in &quarter {
        let f = Figure::parse(figure).unwrap();
        if f.adds_up() {
            let sum: i64 =
                months.iter().map(|m| m.get(&(figure.clone(), breakdown.clone())).copied().unwrap_or(0)).sum();
            assert_eq!(*value, sum, "{figure},{breakdown}");
        }
    }
    drop(store);
    let store = saathi_tests::open_demo_centre(&data);
    let printed: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'statistics_printed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(printed, 5, "every print is audited");
}

fn read_csv_text(text: &str) -> BTreeMap<(String, String), i64> {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    read_csv(f.path())
}
