//! End-to-end: the people's rights desk in the real window. An access request is answered
//! with a copy in Hindi (read back from the PDF); a discharged person is erased and their
//! name is found nowhere in the database file (decrypted page by page) while the year's
//! attendance totals stay as they were; a breach shows its Board countdown on Today.
use std::process::Command;

use chrono::Datelike;
use saathi_core::{Actor, Ctx, Role, raw_pages, rights};
use saathi_tests::e2e::App;

fn year_totals(store: &saathi_core::Store, year: i32) -> Vec<(String, i64)> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT a.status, count(*) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
             WHERE substr(s.date, 1, 4) = ?1 GROUP BY a.status ORDER BY a.status",
        )
        .unwrap();
    stmt.query_map([year.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn pdftotext(pdf: &str) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed on {pdf}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn answer_an_access_request_erase_a_discharged_person_and_see_a_breach_countdown() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let out = Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Who: an in-patient asks for their records; a person discharged long ago (and no
    // longer in care) asks to be erased, and has attendance marks this year.
    let (asker, asker_name, gone, gone_name, phone, totals) = {
        let store = saathi_tests::open_demo_centre(dir.path());
        let now = Ctx::now(Actor { staff_id: Some(1), role: Role::Admin });
        let c = store.conn();
        let asker: i64 = c
            .query_row("SELECT id FROM patients WHERE phase = 'inpatient' ORDER BY id LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let asker_name: String =
            c.query_row("SELECT full_name FROM patients WHERE id = ?1", [asker], |r| r.get(0)).unwrap();
        let ids: Vec<i64> = c
            .prepare(
                "SELECT id FROM patients WHERE phase IN ('alumni', 'inactive') AND archived_at IS NULL ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let gone =
            ids.into_iter().find(|&p| rights::erasure::check(c, &now, p).unwrap().is_none()).expect("someone to erase");
        c.execute(
            "INSERT INTO group_attendance (session_id, patient_id, status, reason, recorded_at)
             SELECT id, ?1, 'excused', 'came back for the alumni meeting', '2026-01-01T10:00:00Z' FROM group_sessions
             WHERE substr(date, 1, 4) = ?2 AND cancelled = 0 ORDER BY date LIMIT 3",
            rusqlite::params![gone, today.year().to_string()],
        )
        .unwrap();
        // The demo's names repeat: give this person a name and phone no one else has, so
        // that "found nowhere" means them.
        let mut store = store;
        let (gone_name, phone) = ("Zorawar Qalandari".to_owned(), "98140 11223".to_owned());
        store
            .write(|tx| {
                let mut d = saathi_core::patients::get(tx, &now, gone)?.details;
                d.full_name = gone_name.clone();
                d.phone = phone.clone();
                saathi_core::patients::update(tx, &now, gone, &d)
            })
            .unwrap();
        (asker, asker_name, gone, gone_name, phone, year_totals(&store, today.year()))
    };

    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;
    app.click("[data-nav='rights']").await;
    // The demo's own requests are listed.
    app.find("[data-testid='rights-row'][data-kind='grievance'][data-status='open']").await;
    app.screenshot(&shots.join("rights-desk.png")).await;

    // 1. An access request, answered with a copy in Hindi.
    let take_down = |kind: &'static str, name: String, id: i64| {
        let app = &app;
        async move {
            app.click("[data-testid='rights-add']").await;
            app.select("[data-testid='rights-kind']", kind).await;
            app.type_into("[data-testid='rights-person-search']", &name).await;
            app.click(&format!("[data-testid='rights-person-option'][data-id='{id}']")).await;
            app.type_into("[data-testid='rights-summary']", "asked at the front desk").await;
            app.click("[data-testid='rights-save']").await;
            app.find("[data-testid='rights-add']").await;
        }
    };
    take_down("access", asker_name.clone(), asker).await;
    app.click("[data-testid='rights-row'][data-kind='access'][data-status='open'] [data-testid='rights-open']").await;
    app.select("[data-testid='rights-copy-language']", "hi").await;
    app.click("[data-testid='rights-access-print']").await;
    let printed = app.text("[data-testid='rights-printed']").await;
    let path = printed.rsplit(": ").next().unwrap().trim().to_owned();
    let copy = pdftotext(&path);
    assert!(copy.contains(&asker_name), "the person's name in their copy:\n{copy}");
    assert!(copy.contains("केंद्र के पास रखी आपकी जानकारी की प्रति"), "in Hindi:\n{copy}");
    // Read back after the answer: done.
    app.find("[data-testid='rights-answer'][data-status='done']").await;
    app.click("[data-testid='rights-back']").await;

    // 2. An erasure, carried out.
    take_down("erasure", gone_name.clone(), gone).await;
    app.click("[data-testid='rights-row'][data-kind='erasure'][data-status='open'] [data-testid='rights-open']").await;
    app.click("[data-testid='rights-erase-confirm']").await;
    app.click("[data-testid='rights-erase']").await;
    let letter = app.text("[data-testid='rights-printed']").await;
    let letter = pdftotext(letter.rsplit(": ").next().unwrap().trim());
    assert!(letter.contains(&gone_name), "the letter is addressed to them:\n{letter}");
    assert!(letter.contains("13 months"), "backups age out, says the letter:\n{letter}");
    // Read back after the answer: done.
    app.find("[data-testid='rights-answer'][data-status='done']").await;
    app.click("[data-testid='rights-back']").await;

    // 3. A breach found now: Today counts down to the Board notice.
    app.click("[data-testid='rights-tab-breaches']").await;
    app.click("[data-testid='breach-add']").await;
    app.type_into("[data-testid='breach-what']", "The front desk PC was left unlocked overnight").await;
    app.click("[data-testid='breach-save']").await;
    app.find("[data-testid='breach-row']").await;
    app.click("[data-nav='today']").await;
    let due = app.text("[data-testid='breach-countdown']").await;
    assert!(due.contains("Board notice due in 7"), "{due}");
    app.screenshot(&shots.join("rights-today-countdown.png")).await;
    // The same in Hindi.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='today']").await;
    app.wait_texts("[data-testid='breach-countdown']", "the countdown in Hindi", |t| {
        t.first().is_some_and(|s| s.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)))
    })
    .await;
    app.click("[data-nav='rights']").await;
    app.find("[data-testid='rights-row']").await;
    app.screenshot(&shots.join("rights-desk-hi.png")).await;
    app.quit().await;

    // The erased person's texts are nowhere in the file, decrypted page by page.
    let key = saathi_tests::centre_key(dir.path(), "admin", "demo-admin-1");
    let db = saathi_core::paths::db_path(dir.path());
    let bytes = raw_pages::decrypted(&db, &key).unwrap();
    assert!(raw_pages::contains(&bytes, asker_name.as_bytes()), "the scan reads the file");
    assert!(!raw_pages::contains(&bytes, gone_name.as_bytes()), "{gone_name} is gone");
    assert!(!raw_pages::contains(&bytes, gone_name.to_lowercase().as_bytes()), "from the search text too");
    assert!(
        !raw_pages::contains(&bytes, phone.as_bytes()) && !raw_pages::contains(&bytes, b"9814011223"),
        "{phone} is gone"
    );
    assert!(!raw_pages::contains(&bytes, b"came back for the alumni meeting"));
    let store = saathi_tests::open_demo_centre(dir.path());
    assert_eq!(year_totals(&store, today.year()), totals, "the year's attendance totals are unchanged");
}
