//! The printed roster and call list: generated, parsed back with `pdftotext` (page count,
//! names, no row split, privacy), and one page drawn with `pdftoppm`.
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use saathi_core::aftercare::groups_seam::{GroupMember, Session};
use saathi_core::aftercare::{roster, templates};
use saathi_core::consents::{self, ConsentKind};
use saathi_core::patients::{self, DischargeType};
use saathi_core::pdf::{self, RosterDoc, Section};
use saathi_core::settings::{self, Language};
use saathi_core::{Actor, Ctx, Role};
use saathi_tests::{TempStore, consent, date, details};

const FIRST: &[&str] = &[
    "Rahul", "Amit", "Vikram", "Sandeep", "Rohit", "Manoj", "Arjun", "Deepak", "Karan", "Suresh", "Imran", "Joseph",
    "Priya", "Neha",
];
const SURNAMES: &[&str] = &["Sharma", "Verma", "Gupta", "Yadav", "Khan", "Thomas", "Mehta"];
const INDIC: &[&str] = &["क्षितिज त्रिपाठी", "प्रवीण मिश्रा", "ज्योति द्विवेदी", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "ਹਰਪ੍ਰੀਤ ਗਿੱਲ", "ਕਿਰਨਦੀਪ ਸੰਧੂ"];

fn members(n: usize) -> Vec<GroupMember> {
    (0..n)
        .map(|i| {
            let name = if i % 3 == 2 {
                INDIC[(i / 3) % INDIC.len()].to_owned()
            } else {
                format!("{} {}", FIRST[i % FIRST.len()], SURNAMES[(i / FIRST.len()) % SURNAMES.len()])
            };
            GroupMember {
                full_name: name,
                preferred_name: String::new(),
                phone: format!("98765 4{:04}", i),
                consent_roster_name: i % 10 != 9,
                last_attended: NaiveDate::from_ymd_opt(2026, 11, 23),
                followup_due: NaiveDate::from_ymd_opt(2026, 12, 2),
            }
        })
        .collect()
}

fn doc(sections: Vec<Section>) -> RosterDoc {
    RosterDoc {
        centre: "Navjeevan Nasha Mukti Kendra".into(),
        title: "Aftercare roster, week 30-11-2026 to 06-12-2026".into(),
        printed_on: "26-11-2026 10:00".into(),
        printed_by: "Sunil Rawat".into(),
        page_label: "Page {x} of {y}".into(),
        printed_label: "Printed on {date} by {name}".into(),
        seal: "Audit seal 48213 · 7F3A-91C2".into(),
        note: String::new(),
        continued: "(continued)".into(),
        sections,
    }
}

fn session(name: &str, members: Vec<GroupMember>) -> Session {
    Session {
        group: name.into(),
        date: date("2026-12-02"),
        time: "17:00-18:30".into(),
        room: Some("Hall 2".into()),
        facilitators: vec!["Meera Iyer".to_owned(), "Harpreet Kaur Sandhu".to_owned()],
        topic: String::new(),
        cancelled: None,
        moved_from: None,
        members,
    }
}

fn group(name: &str, n: usize, privacy: bool) -> Section {
    roster::group_section(&session(name, members(n)), privacy, Language::En)
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// `pdftotext` in reading order (no `-layout`), as a viewer's copy-paste reads it.
fn pdftotext_raw(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_long_roster_parses_back_with_every_name_and_no_split_rows() {
    let dir = tempfile::tempdir().unwrap();
    let sections = vec![group("Tuesday aftercare group", 45, false), group("Saturday family group", 12, false)];
    let bytes = pdf::render(&doc(sections)).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let path = write(dir.path(), "roster.pdf", &bytes);
    let text = pdftotext(&path);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 3, "45 + 12 rows at 24 pt each take three A4 pages");
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("Page {} of 3", i + 1)), "footer on page {}", i + 1);
        assert!(p.contains("Printed on 26-11-2026 10:00 by Sunil Rawat"));
        // The header row is repeated on every page.
        assert!(p.contains("Last attended") && p.contains("Signature"), "header row on page {}", i + 1);
    }
    assert!(pages[1].contains("Tuesday aftercare group (continued)"));
    // Every row has its whole name (Latin, Devanagari or Gurmukhi) with its phone on the
    // same line (a row split across pages would break the name from its number), or
    // neither for those who asked to stay off printed lists.
    for (i, m) in members(45).iter().enumerate() {
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{} ", i + 1)))
            .unwrap_or_else(|| panic!("row {}", i + 1));
        if m.consent_roster_name {
            assert!(row.contains(&m.full_name) && row.contains(&m.phone), "row {} split: {row}", i + 1);
        } else {
            assert!(!row.contains(&m.full_name) && !row.contains(&m.phone), "{} stays off: {row}", m.full_name);
        }
    }
    // And each name is printed exactly as often as it is on the two lists.
    let all: Vec<GroupMember> = members(45).into_iter().chain(members(12)).collect();
    for m in &all {
        let expected = all.iter().filter(|x| x.full_name == m.full_name && x.consent_roster_name).count();
        assert_eq!(text.matches(&m.full_name).count(), expected, "{}", m.full_name);
    }
    // Row numbers run 1..45 in the first section without a gap, each on its own line.
    for n in 1..=45 {
        assert!(text.lines().any(|l| l.trim_start().starts_with(&format!("{n} "))), "row {n}");
    }
}

#[test]
fn privacy_mode_hides_phones_and_surnames() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = pdf::render(&doc(vec![group("Tuesday aftercare group", 20, true)])).unwrap();
    let text = pdftotext(&write(dir.path(), "private.pdf", &bytes));
    assert!(!text.contains("98765"), "no phone number in privacy mode");
    assert!(text.contains("Rahul S."));
    assert!(!text.contains("Rahul Sharma"));
    // Without privacy, someone who did not consent is still shown only by first name.
    let bytes = pdf::render(&doc(vec![group("Tuesday aftercare group", 20, false)])).unwrap();
    let text = pdftotext(&write(dir.path(), "full.pdf", &bytes));
    assert!(text.contains("Rahul Sharma"));
    assert!(text.contains("98765 40000"));
    let m = &members(20)[9];
    assert!(!text.contains(&m.full_name) && !text.contains(&m.phone), "{} stays private", m.full_name);
}

#[test]
fn one_page_draws_with_pdftoppm() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = pdf::render(&doc(vec![group("Tuesday aftercare group", 14, false)])).unwrap();
    let path = write(dir.path(), "one.pdf", &bytes);
    let out = Command::new("pdftoppm")
        .args(["-r", "50", "-f", "1", "-l", "1", "-png"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .output()
        .expect("pdftoppm runs");
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "pdftoppm complained: {}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(dir.path().join("page-1.png")).expect("a page image");
    assert!(png.len() > 2000 && png.starts_with(b"\x89PNG"));
    // Keep a 300 dpi sample for people to look at.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    if std::fs::create_dir_all(&sample).is_ok() {
        let _ = std::fs::write(sample.join("roster-sample.pdf"), &bytes);
    }
}

/// Names that exercise what shaping does to the text: an anusvara and a reph (अंजलि शर्मा),
/// a matra drawn before its consonant (ि), conjuncts (क्ष, प्र), a nukta (ज़), and in
/// Gurmukhi a subjoined ra, tippi, addak and bindi.
const HARD_NAMES: &[&str] =
    &["अंजलि शर्मा", "मनोज", "क्षितिज त्रिपाठी", "प्रिया", "ज़ैनब फ़ारूक़ी", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "ਹਰਜੀਤ ਕੌਰ", "ਸੁਖਵਿੰਦਰ ਢਿੱਲੋਂ"];

/// A store whose follow-up calls this week are for the hard names and three others.
fn centre_with_calls() -> (TempStore, Ctx) {
    let mut ts = TempStore::new();
    let desk = Ctx::at(Actor { staff_id: None, role: Role::FrontDesk }, date("2026-11-26"));
    let t = templates::default_template(ts.store.conn()).unwrap().id;
    let names = ["Rahul Sharma", "क्षितिज त्रिपाठी", "Neha Verma"].iter().chain(HARD_NAMES);
    for (i, n) in names.enumerate() {
        let d = details(n);
        ts.store
            .write(|tx| {
                let id =
                    patients::create(tx, &desk, &patients::NewPatient { details: d, admitted_on: date("2026-10-01") })?;
                // All agree to be phoned; all but the third to their full name on lists.
                consents::record(tx, &desk, id, &consent(ConsentKind::PhoneFollowup, true, "2026-10-01"))?;
                consents::record(tx, &desk, id, &consent(ConsentKind::FullNameOnLists, i != 2, "2026-10-01"))?;
                let out = date(if i == 2 { "2026-11-24" } else { "2026-11-20" });
                saathi_core::admissions::discharge_with_plan(
                    tx,
                    &desk,
                    id,
                    out,
                    DischargeType::Completed,
                    Some(t),
                    None,
                )
            })
            .unwrap();
    }
    (ts, desk)
}

#[test]
fn the_week_call_list_comes_from_the_worklist() {
    let (mut ts, desk) = centre_with_calls();
    let week = date("2026-11-30");
    let head = saathi_core::anchor::head(ts.store.conn()).unwrap().expect("the centre's set-up is audited");
    let bytes = ts.store.write(|tx| roster::roster_pdf(tx, &desk, week, Some(false), None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = pdftotext(&write(dir.path(), "calls.pdf", &bytes));
    assert!(text.contains("Follow-up calls"));
    // The audit chain's head when printed is on the page: an anchor of the chain on paper.
    assert!(text.contains(&format!("Audit seal {}", head.printed())), "{text}");
    assert!(text.contains("Rahul Sharma"));
    assert!(text.contains("Neha V."), "Neha asked not to be on printed lists");
    assert!(!text.contains("Neha Verma"));
    assert!(text.contains("22-11 (overdue)"), "the day-2 call of 22-11 is overdue on 26-11");
    assert_eq!(text.matches("(overdue)").count(), 10, "Neha's call of 26-11 is due today, not overdue");
    let audited: i64 = ts
        .store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'roster_printed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audited, 1);
    // The centre's default is privacy.
    let bytes = ts.store.write(|tx| roster::roster_pdf(tx, &desk, week, None, None)).unwrap();
    let text = pdftotext(&write(dir.path(), "calls2.pdf", &bytes));
    assert!(text.contains("Rahul S.") && !text.contains("98765"));
}

/// Text extraction (a viewer's search, copy-paste, screen readers) gives back every name
/// as it was typed, whatever shaping did to its glyphs, in both printed languages, in the
/// call list and in a group's table, with and without `-layout`.
#[test]
fn every_name_reads_back_exactly_in_devanagari_and_gurmukhi() {
    let (mut ts, desk) = centre_with_calls();
    let dir = tempfile::tempdir().unwrap();
    for lang in [Language::En, Language::Hi] {
        let bytes =
            ts.store.write(|tx| roster::roster_pdf(tx, &desk, date("2026-11-30"), Some(false), Some(lang))).unwrap();
        let path = write(dir.path(), "calls.pdf", &bytes);
        for text in [pdftotext(&path), pdftotext_raw(&path)] {
            for name in HARD_NAMES {
                assert!(text.lines().any(|l| l.contains(name)), "{lang:?}: {name} is not in\n{text}");
            }
            assert!(!text.contains('\u{FFFD}'), "{lang:?}: a glyph without its text in\n{text}");
        }
    }
    // The same names in a group's table (and a group named in Devanagari), on two pages.
    let people: Vec<GroupMember> = HARD_NAMES
        .iter()
        .cycle()
        .take(40)
        .map(|n| GroupMember {
            full_name: (*n).into(),
            preferred_name: String::new(),
            phone: "98765 43210".into(),
            consent_roster_name: true,
            last_attended: None,
            followup_due: None,
        })
        .collect();
    let section = roster::group_section(&session("मंगलवार का आफ़्टरकेयर ग्रुप", people), false, Language::Hi);
    let path = write(dir.path(), "group.pdf", &pdf::render(&doc(vec![section])).unwrap());
    let text = pdftotext(&path);
    assert!(text.contains("मंगलवार का आफ़्टरकेयर ग्रुप (continued)"), "{text}");
    for name in HARD_NAMES {
        assert_eq!(text.matches(name).count(), 5, "{name} five times in\n{text}");
    }
}

/// The printed labels follow the language chosen at print time, else the centre's.
#[test]
fn a_roster_prints_in_the_chosen_language() {
    let (mut ts, desk) = centre_with_calls();
    let dir = tempfile::tempdir().unwrap();
    let week = date("2026-11-30");
    let print = |ts: &mut TempStore, lang: Option<Language>| {
        let bytes = ts.store.write(|tx| roster::roster_pdf(tx, &desk, week, Some(false), lang)).unwrap();
        pdftotext(&write(dir.path(), "roster.pdf", &bytes))
    };
    let english = [
        "Aftercare roster and follow-up calls, week 30-11-2026 to 06-12-2026",
        "Follow-up calls",
        "Due from 30-11-2026 to 06-12-2026 (and overdue)",
        "Last contact",
        "Reached",
        "22-11 (overdue)",
        "Page 1 of 1",
        "Confidential: shred after use.",
    ];
    let hindi = [
        "आफ़्टरकेयर रोस्टर और फ़ॉलो-अप कॉल, हफ़्ता 30-11-2026 से 06-12-2026",
        "फ़ॉलो-अप कॉल",
        "30-11-2026 से 06-12-2026 तक के (और जो देर से हैं)",
        "पिछला संपर्क",
        "बात हुई",
        "22-11 (देर से)",
        "पृष्ठ 1 / 1",
        "गोपनीय: काम के बाद फाड़कर नष्ट करें।",
    ];
    let en = print(&mut ts, Some(Language::En));
    let hi = print(&mut ts, Some(Language::Hi));
    for (e, h) in english.iter().zip(&hindi) {
        assert!(en.contains(e) && !en.contains(h), "{e} in the English roster:\n{en}");
        assert!(hi.contains(h) && !hi.contains(e), "{h} in the Hindi roster:\n{hi}");
    }
    for text in [&en, &hi] {
        assert!(text.contains("Rahul Sharma") && text.contains("क्षितिज त्रिपाठी"));
    }
    // No choice: the centre's language, English until someone switches to Hindi.
    assert!(print(&mut ts, None).contains("Follow-up calls"));
    ts.store.write(|tx| settings::set_language(tx, &desk, Language::Hi)).unwrap();
    let text = print(&mut ts, None);
    assert!(text.contains("फ़ॉलो-अप कॉल") && text.contains("पृष्ठ 1 / 1"), "{text}");
}

#[test]
fn saathi_roster_prints_the_demo_centres_week_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = saathi_tests::run_saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("week.pdf");
    let out_s = out.display().to_string();
    // The records are encrypted: the command acts as the demo's administrator.
    let (_password, admin) = saathi_tests::demo_admin_args();
    let args = [
        "roster",
        "--data-dir",
        &data_s,
        "--week",
        "2026-11-30",
        "--out",
        &out_s,
        &admin[0],
        &admin[1],
        &admin[2],
        &admin[3],
    ];
    let (code, stdout, err) = saathi_tests::run_saathi(&[&args[..], &["--full"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("week.pdf"), "{stdout}");
    let full = pdftotext(&out);
    assert!(full.contains("Follow-up calls") && full.contains("Page 1 of"));
    assert!(full.contains("Audit seal "), "the audit chain's head is on the page");
    let (code, _, err) = saathi_tests::run_saathi(&[&args[..], &["--privacy"]].concat());
    assert_eq!(code, 0, "{err}");
    let private = pdftotext(&out);
    assert!(full.matches("98").count() > private.matches("98").count(), "phones only in the full roster");
    // In Hindi on request (the demo centre's setting is English).
    let (code, _, err) = saathi_tests::run_saathi(&[&args[..], &["--lang", "hi"]].concat());
    assert_eq!(code, 0, "{err}");
    let hindi = pdftotext(&out);
    assert!(hindi.contains("फ़ॉलो-अप कॉल") && hindi.contains("पृष्ठ 1 /") && !hindi.contains("Follow-up calls"));
    // A copy that cannot be replaced (on Windows: open in a viewer; here a directory of
    // that name): the roster goes beside it, and the command says where.
    let held = dir.path().join("held.pdf");
    std::fs::create_dir(&held).unwrap();
    std::fs::write(held.join("x"), b"x").unwrap();
    let held_s = held.display().to_string();
    let mut held_args = args.to_vec();
    held_args[6] = &held_s;
    let (code, stdout, err) = saathi_tests::run_saathi(&held_args);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("held-2.pdf"), "{stdout}");
    assert!(pdftotext(&dir.path().join("held-2.pdf")).contains("Page 1 of"));
    // A mistyped week is refused plainly.
    let (code, _, err) =
        saathi_tests::run_saathi(&["roster", "--data-dir", &data_s, "--week", "30-11-2026", "--out", &out_s]);
    assert_eq!(code, 2, "{err}");
}

/// Nothing a caller needs is cut short: a whole mobile number with its country code, and
/// row numbers past 99 (a busy week's call list runs to two hundred).
#[test]
fn long_phone_numbers_and_three_digit_row_numbers_print_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut people = members(120);
    for (i, m) in people.iter_mut().enumerate() {
        m.phone = format!("+91 98410 {:05}", 30000 + i);
        m.consent_roster_name = true;
    }
    let section = roster::group_section(&session("Thursday aftercare group", people.clone()), false, Language::En);
    let bytes = pdf::render(&doc(vec![section])).unwrap();
    let text = pdftotext(&write(dir.path(), "long.pdf", &bytes));
    assert!(!text.contains('…'), "nothing is shortened:\n{text}");
    for (i, m) in people.iter().enumerate() {
        assert!(text.contains(&m.phone), "row {}: {} is printed whole", i + 1, m.phone);
    }
    for n in [99, 100, 120] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(&format!("{n} "))), "row {n}");
    }
}

/// `saathi print consent-form`: the demo's first person's form, both copies, English and
/// Hindi on the page; without an administrator's credentials nothing is printed.
#[test]
fn saathi_prints_a_filled_in_consent_form_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = saathi_tests::run_saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("form.pdf");
    let out_s = out.display().to_string();
    let base = ["print", "consent-form", "--patient", "1", "--data-dir", &data_s, "--out", &out_s];
    let (code, _, err) = saathi_tests::run_saathi(&base);
    assert_ne!(code, 0, "refused without credentials");
    assert!(!out.exists(), "{err}");
    let (_password, admin) = saathi_tests::demo_admin_args();
    let admin: Vec<&str> = admin.iter().map(String::as_str).collect();
    let (code, stdout, err) = saathi_tests::run_saathi(&[&base[..], &admin[..]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("form.pdf"), "{stdout}");
    let text = pdftotext(&out);
    let name = saathi_tests::open_demo_centre(&data)
        .conn()
        .query_row("SELECT full_name FROM patients WHERE id = 1", [], |r| r.get::<_, String>(0))
        .unwrap();
    assert!(text.contains(&name), "the person's name on the form: {name}\n{text}");
    for words in ["Centre's copy", "केंद्र की प्रति", "Patient's copy", "मरीज़ की प्रति", "I agree", "मैं सहमत हूँ"]
    {
        assert!(text.contains(words), "{words} on the form");
    }
}
