//! The `saathi` command line runs without a display and reports errors plainly.

use saathi_tests::run_saathi as saathi;

#[test]
fn help_works_without_a_display() {
    let (code, out, _) = saathi(&["--help"]);
    assert_eq!(code, 0);
    for word in ["demo", "check", "--data-dir", "--demo"] {
        assert!(out.contains(word), "help mentions {word}: {out}");
    }
}

#[test]
fn demo_writes_a_deterministic_centre_once() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (code, out, err) = saathi(&["demo", "--data-dir", a.path().to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 in-patients"), "{out}");
    let (code, _, err) = saathi(&["demo", "--data-dir", b.path().to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let dump = |dir: &std::path::Path| -> Vec<String> {
        let store = saathi_tests::open_demo_centre(dir);
        let mut s = store.conn().prepare("SELECT full_name || phone || phase FROM patients ORDER BY id").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let names = dump(a.path());
    assert_eq!(names.len(), 160);
    assert_eq!(names, dump(b.path()), "same seed and date, same centre");
    // The names come in three scripts.
    let all = names.join(" ");
    assert!(all.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)), "Devanagari");
    assert!(all.chars().any(|c| ('\u{0A00}'..='\u{0A7F}').contains(&c)), "Gurmukhi");
    assert!(all.chars().any(|c| c.is_ascii_alphabetic()), "Latin");

    // A second run never overwrites.
    let (code, _, err) = saathi(&["demo", "--data-dir", a.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("already holds a Saathi database"), "{err}");

    // Reading the records needs an administrator's password (the database is encrypted).
    let (code, _, err) = saathi(&["check", "--data-dir", a.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("--user"), "{err}");
    let (_file, admin) = saathi_tests::demo_admin_args();
    let mut args = vec!["check", "--data-dir", a.path().to_str().unwrap()];
    args.extend(admin.iter().map(String::as_str));
    let (code, out, err) = saathi(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 in-patient"), "{out}");
    let wrong = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(wrong.path(), "not-the-password\n").unwrap();
    let (code, _, err) = saathi(&[
        "check",
        "--data-dir",
        a.path().to_str().unwrap(),
        "--user",
        "admin",
        "--password-file",
        wrong.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not right"), "{err}");
    let (_file, counsellor) = (wrong, ["--user", "counsellor"]);
    std::fs::write(_file.path(), "demo-counsellor-1\n").unwrap();
    let (code, _, err) = saathi(&[
        "check",
        "--data-dir",
        a.path().to_str().unwrap(),
        counsellor[0],
        counsellor[1],
        "--password-file",
        _file.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("Only an administrator"), "{err}");
}

#[test]
fn errors_are_plain_sentences_with_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (_file, admin) = saathi_tests::demo_admin_args();
    let check = |dir: &std::path::Path| {
        let mut args = vec!["check", "--data-dir", dir.to_str().unwrap()];
        args.extend(admin.iter().map(String::as_str));
        saathi(&args)
    };
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("There is no Saathi database"), "{err}");
    std::fs::write(dir.path().join("saathi.db"), "not a database at all, just some text").unwrap();
    let (code, _, err) = check(dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("is not a plain Saathi database"), "{err}");
    let (code, _, err) = saathi(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

/// A scheduled backup without credentials needs "backups without a password" turned on
/// for the Windows account (DPAPI), which only Windows offers: here it is refused with a
/// plain sentence that says what to do, and nothing is written. With an administrator's
/// password it works as before.
#[cfg(not(windows))]
#[test]
fn a_backup_without_credentials_is_refused_plainly_unless_unattended_backups_are_on() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (code, _, err) = saathi(&["demo", "--data-dir", dir, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let stick = tempfile::tempdir().unwrap();
    let to = stick.path().to_str().unwrap();

    let (code, out, err) = saathi(&["backup", "--data-dir", dir, "--to", to]);
    assert_eq!(code, 1, "{out}");
    for words in ["no password was given", "--user NAME", "--password-file FILE", "saathi-cli unattended-backup on"] {
        assert!(err.contains(words), "{words}: {err}");
    }
    assert_eq!(std::fs::read_dir(stick.path()).unwrap().count(), 0, "nothing written to the stick");

    // Turning it on needs an administrator, and this system cannot keep such a key.
    let (code, _, err) = saathi(&["unattended-backup", "on", "--data-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("--user"), "{err}");
    let (_file, admin) = saathi_tests::demo_admin_args();
    let as_admin = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(admin.iter().map(String::as_str));
        saathi(&all)
    };
    let (code, _, err) = as_admin(&["unattended-backup", "on", "--data-dir", dir]);
    assert_eq!(code, 1);
    assert!(err.contains("possible only on Windows"), "{err}");
    let (code, out, err) = as_admin(&["unattended-backup", "off", "--data-dir", dir]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Backups without a password are off"), "{out}");
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", to]);
    assert_eq!(code, 1);
    assert!(err.contains("no password was given"), "{err}");

    let (code, out, err) = as_admin(&["backup", "--data-dir", dir, "--to", to]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Backup verified"), "{out}");
}

#[test]
fn generate_writes_a_small_centre_and_says_what_is_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small.db");
    let (code, text, err) =
        saathi(&["generate", "--scale", "small", "--out", out.to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let c = rusqlite::Connection::open(&out).unwrap();
    let count =
        |table: &str| -> i64 { c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap() };
    // What it says is what the file holds.
    for (table, words) in [
        ("patients", "patients"),
        ("group_attendance", "attendance marks"),
        ("aftercare_followups", "follow-ups"),
        ("aftercare_attempts", "contact attempts"),
    ] {
        let n = count(table);
        assert!(n > 0, "{table} is filled");
        assert!(text.contains(&format!("{n} {words}")), "{table}: {n} {words} in {text}");
    }
    // An unknown scale is a plain error.
    let (code, _, err) = saathi(&["generate", "--scale", "huge", "--out", dir.path().join("x.db").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("no scale called"), "{err}");
}

/// `saathi-cli` is the same command line (the console build for Windows): the same help,
/// the same work, the same plain errors and exit codes.
#[test]
fn the_console_build_is_the_same_command_line() {
    let run = |bin: &std::path::Path, args: &[&str]| {
        let out = std::process::Command::new(bin)
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SAATHI_DATA_DIR")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let cli = saathi_tests::built_bin("saathi-cli");
    let (code, help, _) = run(&cli, &["--help"]);
    assert_eq!((code, help.replace("Usage: saathi-cli ", "Usage: saathi ")), (0, saathi(&["--help"]).1));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&cli, &["demo", "--data-dir", d, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 in-patients"), "{out}");
    assert_eq!(run(&cli, &["check", "--data-dir", d]), saathi(&["check", "--data-dir", d]));
    let (code, _, err) = run(&cli, &["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

/// `restore` on the command line: an administrator restores with `--user`; when the
/// database cannot be opened, nobody can sign in, and the centre's recovery code (for a
/// `.db` copy) or backup passphrase is the proof. A staff password is not.
#[test]
fn a_damaged_centre_is_restored_without_sign_in_only_with_the_recovery_code_or_the_passphrase() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (code, out, err) = saathi(&["demo", "--data-dir", dir, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let recovery = out
        .lines()
        .find_map(|l| l.strip_prefix("Demo recovery code: "))
        .unwrap_or_else(|| panic!("no recovery code in: {out}"))
        .to_owned();
    let (_file, admin) = saathi_tests::demo_admin_args();
    let with_admin = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(admin.iter().map(String::as_str));
        saathi(&all)
    };
    let (code, _, err) = with_admin(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let backup = std::fs::read_dir(stick.path().join("Saathi-Backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "saathi"))
        .unwrap();
    // A whole copy of the database, then damage to the live one.
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy.db");
    std::fs::copy(data.path().join("saathi.db"), &copy).unwrap();
    let damage = || {
        let db = data.path().join("saathi.db");
        let mut bytes = std::fs::read(&db).unwrap();
        bytes[4096..4096 * 8].fill(0x5A);
        std::fs::write(&db, &bytes).unwrap();
        bytes
    };
    let damaged = damage();
    // `saathi restore FILE` without --user, the secret read from a file.
    let restore = |file: &std::path::Path, secret: &str| {
        let f = copies.path().join("secret.txt");
        std::fs::write(&f, format!("{secret}\n")).unwrap();
        saathi(&[
            "restore",
            file.to_str().unwrap(),
            "--data-dir",
            dir,
            "--passphrase-file",
            f.to_str().unwrap(),
            "--yes",
        ])
    };

    // The administrator cannot sign in to a database that does not open: told what to do.
    let (code, _, err) = with_admin(&["restore", copy.to_str().unwrap(), "--data-dir", dir, "--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("leave out --user"), "{err}");
    // Without --user, a staff password is no proof.
    for wrong in ["demo-admin-1", "not the code"] {
        let (code, _, err) = restore(&copy, wrong);
        assert_eq!(code, 1, "{wrong}");
        assert!(err.contains("recovery code or its backup passphrase"), "{err}");
        assert_eq!(std::fs::read(data.path().join("saathi.db")).unwrap(), damaged, "nothing changed");
    }
    // The recovery code restores the copy; the administrator signs in again.
    let (code, out, err) = restore(&copy, &recovery.to_lowercase());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Patients: 160") && out.contains("Restored."), "{out}");
    let (code, out, err) = with_admin(&["check", "--data-dir", dir]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("40 in-patient"), "{out}");

    // Damaged again: the backup on the stick, with its passphrase and no --user.
    damage();
    let (code, out, err) = restore(&backup, saathi_core::backup::DEMO_PASSPHRASE);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = with_admin(&["check", "--data-dir", dir]);
    assert_eq!(code, 0, "{err}");
}

/// `saathi print access-copy`: the copy of everything held about the person who asked in
/// the demo, in English and in Hindi, read back from the PDF; the erased person's copy
/// names no one; without an administrator's credentials nothing is printed.
#[test]
fn print_access_copy_writes_the_persons_record_in_their_language() {
    let pdftotext = |pdf: &std::path::Path| -> String {
        let out =
            std::process::Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
        assert!(out.status.success(), "pdftotext failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let (code, _, err) = saathi(&["demo", "--data-dir", &data_s, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let (asked, name, erased): (i64, String, i64) = {
        let store = saathi_tests::open_demo_centre(&data);
        let one = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        let asked = one("SELECT patient_id FROM rights_requests WHERE kind = 'access'");
        let erased = one("SELECT patient_id FROM rights_requests WHERE kind = 'erasure' AND status = 'done'");
        let name =
            store.conn().query_row("SELECT full_name FROM patients WHERE id = ?1", [asked], |r| r.get(0)).unwrap();
        (asked, name, erased)
    };
    let (_password, admin) = saathi_tests::demo_admin_args();
    let admin: Vec<&str> = admin.iter().map(String::as_str).collect();
    let print = |patient: i64, lang: &str, file: &str| -> (i32, std::path::PathBuf, String) {
        let out = dir.path().join(file);
        let (p, o) = (patient.to_string(), out.display().to_string());
        let mut args =
            vec!["print", "access-copy", "--patient", &p, "--data-dir", &data_s, "--out", &o, "--language", lang];
        args.extend(admin.iter().copied());
        let (code, _, err) = saathi(&args);
        (code, out, err)
    };

    let out = dir.path().join("refused.pdf");
    let (p, o) = (asked.to_string(), out.display().to_string());
    let (code, _, _) = saathi(&["print", "access-copy", "--patient", &p, "--data-dir", &data_s, "--out", &o]);
    assert_ne!(code, 0, "refused without credentials");
    assert!(!out.exists());

    let (code, en, err) = print(asked, "en", "copy-en.pdf");
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&en);
    for words in [
        name.as_str(),
        "Copy of the records the centre holds about you",
        "CONFIDENTIAL",
        "Your details in the register",
        "Stays at the centre",
        "Consents",
        "Groups and attendance",
        "Aftercare",
        "Clinical notes",
        "Parts withheld (Mental Healthcare Act 2017, section 25)",
        "Nothing has been withheld.",
        "Page 1 of",
    ] {
        assert!(text.contains(words), "{words} in the English copy:\n{text}");
    }
    let (code, hi, err) = print(asked, "hi", "copy-hi.pdf");
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&hi);
    for words in [name.as_str(), "केंद्र के पास रखी आपकी जानकारी की प्रति", "सहमतियाँ", "कुछ भी रोका नहीं गया है।"]
    {
        assert!(text.contains(words), "{words} in the Hindi copy:\n{text}");
    }
    assert!(!text.contains("Copy of the records"), "the Hindi copy is in Hindi");

    // The person erased in the demo: their copy holds their record number and no name.
    let (code, gone, err) = print(erased, "en", "copy-erased.pdf");
    assert_eq!(code, 0, "{err}");
    assert!(pdftotext(&gone).contains(&format!("Erased #{erased}")));

    let store = saathi_tests::open_demo_centre(&data);
    let printed: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'access_copy_printed' AND entity_id = ?1",
            [asked],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(printed, 3, "the demo's answer and the two printed here are audited");
}
