//! Issue 17: every register of the demo centre and a sign-in sheet, printed by the command
//! line (`saathi print register`, `saathi print sign-in`), read back with `pdftotext` and
//! the `csv` crate; serial numbers survive a back-dated entry.
use std::path::Path;
use std::process::Command;

use saathi_tests::{date, new_patient, open_demo_centre, run_saathi};

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv opens");
    let header = r.headers().expect("header").iter().map(str::to_owned).collect();
    let rows = r.records().map(|x| x.expect("a csv row").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

fn count(dir: &Path, sql: &str) -> usize {
    let store = open_demo_centre(dir);
    store.conn().query_row(sql, [], |r| r.get::<_, i64>(0)).expect("count") as usize
}

#[test]
fn every_register_of_the_demo_centre_prints_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = run_saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let (_password, admin) = saathi_tests::demo_admin_args();
    let admin: Vec<&str> = admin.iter().map(String::as_str).collect();
    let print = |kind: &str, lang: &str, name: &str| -> (String, Vec<String>, Vec<Vec<String>>) {
        let pdf = dir.path().join(format!("{name}.pdf"));
        let csv = dir.path().join(format!("{name}.csv"));
        let (p, c) = (pdf.display().to_string(), csv.display().to_string());
        let mut args = vec![
            "print",
            "register",
            "--kind",
            kind,
            "--from",
            "2026-01-01",
            "--to",
            "2026-11-26",
            "--data-dir",
            &data_s,
            "--out",
            &p,
            "--csv",
            &c,
            "--language",
            lang,
            "--full",
        ];
        args.extend(admin.iter().copied());
        let (code, _, err) = run_saathi(&args);
        assert_eq!(code, 0, "{kind}: {err}");
        let (header, rows) = csv_rows(&csv);
        (pdftotext(&pdf), header, rows)
    };

    // Refused without an administrator's password.
    let out = dir.path().join("refused.pdf").display().to_string();
    let (code, _, _) = run_saathi(&[
        "print",
        "register",
        "--kind",
        "sessions",
        "--from",
        "2026-01-01",
        "--to",
        "2026-11-26",
        "--data-dir",
        &data_s,
        "--out",
        &out,
    ]);
    assert_ne!(code, 0);

    let (text, header, rows) = print("admissions", "en", "admissions");
    assert!(text.contains("Admission register, 01-01-2026 to 26-11-2026"), "{text}");
    assert!(text.contains("Page 1 of"), "{text}");
    assert!(text.contains("Audit seal"));
    assert_eq!(header[0], "adm_no");
    let admitted = count(&data, "SELECT count(*) FROM stays WHERE admitted_on BETWEEN '2026-01-01' AND '2026-11-26'");
    assert!(admitted > 0);
    assert_eq!(rows.len(), admitted, "one row per admission");
    let serials: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(serials.windows(2).all(|w| w[0] < w[1]), "in entry order");
    // Names the consent allows are printed whole; every row's name is on the page.
    let first_name = rows[0][3].split_whitespace().next().unwrap().to_owned();
    assert!(text.contains(&first_name), "{first_name}");

    let (text, _, rows) = print("admissions", "hi", "admissions-hi");
    assert!(text.contains("भर्ती रजिस्टर") || text.contains("रजिस्टर"), "{text}");
    assert_eq!(rows.len(), admitted);

    let (text, header, rows) = print("discharges", "en", "discharges");
    assert!(text.contains("Discharge register"));
    assert_eq!(header[6], "discharge_type");
    let discharged =
        count(&data, "SELECT count(*) FROM stays WHERE discharged_on BETWEEN '2026-01-01' AND '2026-11-26'");
    assert_eq!(rows.len(), discharged);
    assert!(
        rows.iter().all(
            |r| ["completed", "against_advice", "referred", "absconded", "administrative"].contains(&r[6].as_str())
        )
    );

    let (text, _, rows) = print("follow-ups", "en", "follow-ups");
    assert!(text.contains("Follow-up register"));
    let attempts =
        count(&data, "SELECT count(*) FROM aftercare_attempts WHERE on_date BETWEEN '2026-01-01' AND '2026-11-26'");
    assert_eq!(rows.len(), attempts);

    let (text, header, rows) = print("sessions", "en", "sessions");
    assert!(text.contains("Group session register"));
    assert_eq!(&header[7..], &["members_expected", "present", "absent", "dropins"]);
    let held = count(
        &data,
        "SELECT count(*) FROM group_sessions WHERE held = 'held' AND cancelled = 0
         AND date BETWEEN '2026-01-01' AND '2026-11-26'",
    );
    assert!(held > 0, "the demo holds group sessions");
    assert_eq!(rows.len(), held);
    let marks = count(
        &data,
        "SELECT count(*) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
         WHERE s.held = 'held' AND s.cancelled = 0 AND s.date BETWEEN '2026-01-01' AND '2026-11-26'
           AND a.status IN ('present', 'late')",
    );
    let attended: usize = rows.iter().map(|r| r[8].parse::<usize>().unwrap() + r[10].parse::<usize>().unwrap()).sum();
    assert_eq!(attended, marks, "present members plus drop-ins = every attendance mark");

    let (text, _, rows) = print("certificates", "hi", "certificates");
    assert!(text.contains("प्रमाण-पत्र") || text.contains("रजिस्टर"), "{text}");
    let issued =
        count(&data, "SELECT count(*) FROM certificates WHERE issued_on BETWEEN '2026-01-01' AND '2026-11-26'");
    assert_eq!(rows.len(), issued);

    // A back-dated admission entered now: every earlier entry keeps its serial and row.
    let (_, _, before) = print("admissions", "en", "before");
    {
        let mut store = open_demo_centre(&data);
        let ctx = saathi_core::Ctx::at(saathi_core::Actor::system(), date("2026-11-26"));
        store
            .write(|tx| saathi_core::patients::create(tx, &ctx, &new_patient("Late Entry Person", "2026-02-01")))
            .expect("admitted");
    }
    let (_, _, after) = print("admissions", "en", "after");
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(&after[..before.len()], &before[..], "earlier entries unchanged, in the same order");
    let added = after.last().unwrap();
    assert_eq!((added[1].as_str(), added[3].as_str()), ("2026-02-01", "Late P."), "no consent to a full name on lists");
}

#[test]
fn a_sign_in_sheet_prints_the_members_of_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = run_saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    // The group with the most members on a day it met.
    let (group, day, name, member): (i64, String, String, String) = {
        let store = open_demo_centre(&data);
        store
            .conn()
            .query_row(
                "SELECT x.group_id, s.date, g.name,
                        (SELECT p.full_name FROM group_memberships m JOIN patients p ON p.id = m.patient_id
                         WHERE m.group_id = x.group_id AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)
                         ORDER BY p.full_name LIMIT 1)
                 FROM group_sessions s JOIN group_series x ON x.id = s.series_id JOIN therapy_groups g ON g.id = x.group_id
                 WHERE s.held = 'held' AND s.cancelled = 0
                 ORDER BY (SELECT count(*) FROM group_memberships m WHERE m.group_id = x.group_id
                           AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)) DESC, s.date DESC
                 LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("a session held")
    };
    let (_password, admin) = saathi_tests::demo_admin_args();
    let pdf = dir.path().join("sign-in.pdf");
    let (g, p) = (group.to_string(), pdf.display().to_string());
    let mut args = vec!["print", "sign-in", "--group", &g, "--date", &day, "--data-dir", &data_s, "--out", &p];
    args.extend(admin.iter().map(String::as_str));
    let (code, _, err) = run_saathi(&args);
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&pdf);
    assert!(text.contains(&name), "{text}");
    assert!(text.contains("Signature"));
    // Privacy mode by default: the first name is there, the surname is not.
    let first = member.split_whitespace().next().unwrap();
    assert!(text.contains(first), "{member}: {text}");
    if let Some(surname) = member.split_whitespace().nth(1).filter(|s| s.chars().count() > 2) {
        assert!(!text.contains(&format!("{first} {surname}")), "{member}");
    }
}
