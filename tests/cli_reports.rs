//! `saathi print certificate` and `saathi print outcomes` on the demo centre (issue 17):
//! the PDFs read back with pdftotext in English, Hindi and both, the CSV with a CSV
//! reader, and the figures against the database.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use saathi_tests::run_saathi as saathi;

fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed");
    // Words only: a sentence may break over lines.
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Demo {
    dir: tempfile::TempDir,
    data: String,
    _password: tempfile::NamedTempFile,
    admin: Vec<String>,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").display().to_string();
        let (code, _, err) = saathi(&["demo", "--data-dir", &data, "--date", "2026-11-26"]);
        assert_eq!(code, 0, "{err}");
        let (password, admin) = saathi_tests::demo_admin_args();
        Demo { dir, data, _password: password, admin }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `saathi print …` as the demo administrator.
    fn print(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["print"];
        all.extend(args);
        all.extend(["--data-dir", self.data.as_str()]);
        all.extend(self.admin.iter().map(String::as_str));
        saathi(&all)
    }

    fn one<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        let store = saathi_tests::open_demo_centre(Path::new(&self.data));
        store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

#[test]
fn certificates_are_issued_printed_and_reprinted_as_duplicates() {
    let demo = Demo::new();
    // The demo's attendance certificate (no. 1), printed and reprinted already.
    let (patient, name, attended, expected): (i64, String, i64, i64) = {
        let store = saathi_tests::open_demo_centre(Path::new(&demo.data));
        store
            .conn()
            .query_row("SELECT patient_id, patient_name, attended, expected FROM certificates WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
    };
    assert!(expected > 0 && attended <= expected);
    let dup = demo.out("dup.pdf");
    let (code, out, err) = demo.print(&["certificate", "--reprint", "1", "--out", dup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("duplicate"), "{out}");
    let text = pdftotext(&dup);
    for words in [
        "DUPLICATE",
        "डुप्लिकेट",
        "Certificate of attendance",
        "उपस्थिति प्रमाणपत्र",
        name.as_str(),
        &format!("attended {attended} of the {expected} group sessions"),
        "Seal of the centre",
        "No diagnosis",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    assert_eq!(demo.one::<i64>("SELECT count(*) FROM certificate_prints WHERE certificate_id = 1"), 3);

    // A new one for the same person and period, in English: the original, then a duplicate.
    let (from, to): (String, String) = (
        demo.one("SELECT from_on FROM certificates WHERE id = 1"),
        demo.one("SELECT to_on FROM certificates WHERE id = 1"),
    );
    let first = demo.out("new-en.pdf");
    let p = patient.to_string();
    let (code, out, err) = demo.print(&[
        "certificate",
        "--patient",
        &p,
        "--kind",
        "attendance",
        "--from",
        &from,
        "--to",
        &to,
        "--language",
        "en",
        "--purpose",
        "District court",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let serial: i64 = demo.one("SELECT max(id) FROM certificates");
    assert!(out.contains(&format!("Issued certificate no. {serial}")), "{out}");
    let text = pdftotext(&first);
    assert!(!text.contains("DUPLICATE") && !text.contains("प्रमाणपत्र"), "English only, original: {text}");
    assert!(text.contains(&format!("attended {attended} of the {expected} group sessions")), "{text}");
    assert!(text.contains("District court") && text.contains("Certificate no."), "{text}");
    assert!(text.split(' ').any(|w| w == serial.to_string()), "the serial: {text}");
    let again = demo.out("new-en-dup.pdf");
    let s = serial.to_string();
    let (code, _, err) = demo.print(&["certificate", "--reprint", &s, "--out", again.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text2 = pdftotext(&again);
    assert!(text2.contains("DUPLICATE") && text2.contains(&format!("attended {attended} of the {expected}")));

    // A treatment certificate in Hindi: the substance only with consent.
    let completed: i64 = demo.one(
        "SELECT s.patient_id FROM stays s JOIN patients p ON p.id = s.patient_id
         WHERE s.discharge_type = 'completed' AND p.archived_at IS NULL ORDER BY s.id DESC LIMIT 1",
    );
    let c = completed.to_string();
    let hi = demo.out("treatment-hi.pdf");
    let base =
        ["certificate", "--patient", &c, "--kind", "treatment", "--language", "hi", "--out", hi.to_str().unwrap()];
    let mut refused = base.to_vec();
    refused.extend(["--substance", "Alcohol"]);
    let (code, _, err) = demo.print(&refused);
    assert_ne!(code, 0);
    assert!(err.contains("consented"), "{err}");
    assert!(!hi.exists());
    let mut consented = refused.clone();
    consented.extend(["--consent", "verbal", "--witness", "Sita Devi"]);
    let (code, _, err) = demo.print(&consented);
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&hi);
    for words in ["उपचार प्रमाणपत्र", "Alcohol", "Sita Devi", "गोपनीय", "हस्ताक्षर", "केंद्र की मुहर"]
    {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    assert!(!text.contains("Certificate of treatment"), "Hindi only");
    // Without credentials nothing is issued.
    let before: i64 = demo.one("SELECT count(*) FROM certificates");
    let (code, _, _) = saathi(&[
        "print",
        "certificate",
        "--patient",
        &c,
        "--kind",
        "treatment",
        "--data-dir",
        &demo.data,
        "--out",
        demo.out("x.pdf").to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert_eq!(demo.one::<i64>("SELECT count(*) FROM certificates"), before);
}

#[test]
fn outcomes_print_in_english_and_hindi_and_the_csv_adds_up() {
    let demo = Demo::new();
    let (en, hi, csv) = (demo.out("outcomes-en.pdf"), demo.out("outcomes-hi.pdf"), demo.out("outcomes.csv"));
    let period = ["--discharged-from", "2025-01-01", "--discharged-to", "2025-12-31"];
    let mut args = vec!["outcomes", "--out", en.to_str().unwrap(), "--csv", csv.to_str().unwrap(), "--language", "en"];
    args.extend(period);
    let (code, _, err) = demo.print(&args);
    assert_eq!(code, 0, "{err}");
    let mut args = vec!["outcomes", "--out", hi.to_str().unwrap(), "--language", "hi"];
    args.extend(period);
    let (code, _, err) = demo.print(&args);
    assert_eq!(code, 0, "{err}");

    let discharged: u32 =
        demo.one("SELECT count(*) FROM stays WHERE discharged_on BETWEEN '2025-01-01' AND '2025-12-31'");
    assert!(discharged > 0);
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["cohort", "day", "figure", "value"]);
    let mut figures: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        let value: u32 = row[3].parse().unwrap();
        figures.insert((row[0].to_owned(), row[1].to_owned(), row[2].to_owned()), value);
    }
    let get = |c: &str, d: &str, f: &str| figures[&(c.to_owned(), d.to_owned(), f.to_owned())];
    assert_eq!(get("all", "", "discharged"), discharged);
    for ((cohort, day, figure), value) in &figures {
        if cohort == "all" {
            assert_eq!(*value, get("counselling", day, figure) + get("monitoring", day, figure), "{day} {figure}");
        }
    }
    for day in ["30", "90", "180", "365"] {
        let due = get("all", day, "due");
        assert!(due <= discharged);
        assert_eq!(due, get("all", day, "reached") + get("all", day, "not_reached"), "day {day}");
        let statuses: u32 = ["sober", "lapse", "relapse", "unknown"].iter().map(|f| get("all", day, f)).sum();
        assert_eq!(statuses, get("all", day, "reached"), "day {day}");
    }
    assert!(get("counselling", "", "discharged") > 0, "the demo has counselling calls");

    let text = pdftotext(&en);
    for words in [
        "Aftercare outcomes: people discharged 01-01-2025 to 31-12-2025",
        "Everyone discharged",
        "Calls that gave counselling",
        "Monitoring only",
        "Lost to follow-up",
        "Relapses within 90 days",
        "Discharged in the period",
        "Day 365",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    let text = pdftotext(&hi);
    for words in ["आफ़्टरकेयर परिणाम", "फ़ॉलो-अप से छूटे", "दिन 365", "सिर्फ़ निगरानी"]
    {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    assert!(!text.contains("Lost to follow-up"));
}
