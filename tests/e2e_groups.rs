//! End-to-end: a counsellor runs a week of a group in the real window. Creates a weekly
//! group on two weekdays, adds three members, moves one session, cancels another, takes
//! today's attendance with the keyboard and reads the numbers in the report. Leaves
//! screenshots of the week view and the attendance sheet in target/screenshots/.
use chrono::{Datelike, Days, Local};
use saathi_tests::e2e::App;

const NAMES: [&str; 3] = ["Amit Verma", "Rahul Sharma", "Karan Gill"];

fn patient(name: &str, today: &str) -> serde_json::Value {
    serde_json::json!({ "intake": { "consents": [], "patient": { "admitted_on": today, "details": {
        "full_name": name, "preferred_name": "", "gender": "male", "birth_date": null, "age_years": 30,
        "phone": "", "family_name": "", "family_relation": "", "family_phone": "", "languages": [],
        "substances": [], "substance_other": "" } } } })
}

const DAY_CODES: [&str; 7] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn a_weekly_group_from_creation_to_the_attendance_report() {
    let dir = tempfile::tempdir().unwrap();
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let today = Local::now().date_naive();
    let iso = today.format("%Y-%m-%d").to_string();
    let other_day = today + Days::new(2);

    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    for n in NAMES {
        app.invoke("create_patient", patient(n, &iso)).await.expect("patient created");
    }

    // A weekly group on today's weekday and the day after tomorrow's.
    app.click("[data-nav='groups']").await;
    app.click("[data-testid='add-group']").await;
    app.type_into("[data-testid='group-name']", "Anger management").await;
    let second =
        format!("[data-testid='sched-day-{}']", DAY_CODES[other_day.weekday().num_days_from_monday() as usize]);
    app.click(&second).await;
    app.type_into("[data-testid='sched-time']", "10:00").await;
    app.click("[data-testid='group-save']").await;
    app.wait_texts("[data-testid='group-title']", "the new group", |t| {
        t.iter().any(|x| x.starts_with("Anger management"))
    })
    .await;

    // Three members, found by name.
    for n in NAMES {
        app.type_into("[data-testid='member-search']", &n[..4]).await;
        app.click("[data-testid='member-results'] [data-testid='member-add']").await;
        app.wait_texts("[data-testid='member'] .name", "the new member", |t| t.iter().any(|x| x == n)).await;
    }

    // Sessions: today, today + 2, today + 7, … Move the second to 15:00, cancel the third.
    app.wait_texts("[data-testid='group-session']", "upcoming sessions", |t| t.len() >= 4).await;
    app.click("[data-testid='group-session']:nth-child(2) [data-testid='session-move']").await;
    app.type_into("[data-testid='move-time']", "15:00").await;
    app.click("[data-testid='move-save']").await;
    app.wait_texts("[data-testid='group-session']:nth-child(2) td:nth-child(2)", "the moved time", |t| {
        t.first().is_some_and(|x| x.starts_with("15:00"))
    })
    .await;
    app.click("[data-testid='group-session']:nth-child(3) [data-testid='session-cancel']").await;
    app.type_into("[data-testid='cancel-reason']", "Staff training").await;
    app.click("[data-testid='cancel-save']").await;
    app.wait_texts("[data-testid='group-session']:nth-child(3) td:nth-child(4)", "the cancellation", |t| {
        t.first().is_some_and(|x| x.contains("Staff training"))
    })
    .await;

    tokio::time::sleep(std::time::Duration::from_millis(500)).await; // let the window repaint
    app.screenshot(&shots.join("groups-detail.png")).await;

    // Today: one click to the sheet; P, L, A from the keyboard.
    app.click("[data-nav='today']").await;
    app.wait_texts("[data-testid='today-session']", "today's session", |t| t.len() == 1).await;
    app.click("[data-testid='today-open-sheet']").await;
    app.wait_texts("[data-testid='sheet-row']", "all expected members", |t| t.len() == 3).await;
    let grid = app.find("[data-testid='sheet-grid']").await;
    for key in ["p", "l", "a"] {
        if grid.send_keys(key).await.is_err() {
            // Some drivers refuse keys on a non-input element: send the same event.
            let script = format!(
                "document.querySelector(\"[data-testid='sheet-grid']\").dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true}}))"
            );
            app.client.execute(&script, vec![]).await.expect("key event");
        }
    }
    app.wait_texts("[data-testid='sheet-row'][data-mark='present']", "one present", |t| t.len() == 1).await;
    app.wait_texts("[data-testid='sheet-row'][data-mark='late']", "one late", |t| t.len() == 1).await;
    app.wait_texts("[data-testid='sheet-row'][data-mark='absent']", "one absent", |t| t.len() == 1).await;
    app.type_into("[data-testid='topic']", "Anger journal").await;
    app.click("[data-testid='session-save']").await;
    app.screenshot(&shots.join("groups-attendance-sheet.png")).await;

    // The week view shows the cancelled session struck through.
    app.click("[data-nav='groups']").await;
    app.click("[data-testid='tab-week']").await;
    app.wait_texts("[data-testid='week-session']", "this week's sessions", |t| !t.is_empty()).await;
    app.screenshot(&shots.join("groups-week.png")).await;
    app.click("[data-testid='week-next']").await;
    app.wait_texts("[data-testid='week-session'].wk-cancelled", "the cancelled session next week", |t| t.len() == 1)
        .await;
    app.screenshot(&shots.join("groups-week-next.png")).await;

    // The report: one session held, three expected, rates 100 %, 100 %, 0 %.
    app.click("[data-testid='tab-report']").await;
    app.click("[data-testid='report-show']").await;
    app.wait_texts("[data-testid='report-person']", "three people", |t| t.len() == 3).await;
    let cells = app.texts("[data-testid='report-person'] td").await;
    let rows: Vec<String> = cells.chunks(9).map(|r| r.join(" ")).collect();
    assert_eq!(
        rows,
        [
            "Amit Verma Anger management 1 1 0 0 0 0 100%",
            "Karan Gill Anger management 1 1 1 0 0 0 100%",
            "Rahul Sharma Anger management 1 0 0 1 0 0 0%",
        ]
    );
    let group = app.texts("[data-testid='report-group-row'] td").await.join(" ");
    assert_eq!(group, "Anger management 1 0 0 2.0 3 0");
    app.screenshot(&shots.join("groups-report.png")).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn the_demo_centre_week_with_a_clash_and_front_desk_attendance() {
    let dir = tempfile::tempdir().unwrap();
    let today = Local::now().date_naive().format("%Y-%m-%d").to_string();
    let out = std::process::Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let app = App::launch(dir.path()).await;
    app.sign_in("frontdesk", "demo-frontdesk-1").await;
    // Today's sessions in time order, one click to the sheet.
    let times =
        app.wait_texts("[data-testid='today-session'] td:first-child", "today's sessions", |t| !t.is_empty()).await;
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "time order");
    app.screenshot(&shots.join("groups-demo-today.png")).await;
    app.click("[data-testid='today-open-sheet']").await;
    let rows = app.wait_texts("[data-testid='sheet-row']", "the expected members", |t| t.len() > 3).await;
    assert!(app.texts("[data-testid='session-note']").await.is_empty(), "front desk sees no session note");
    app.screenshot(&shots.join("groups-demo-sheet.png")).await;
    let first = app.texts("[data-testid='sheet-row'] .att-name button").await;
    assert!(rows.len() > 3);

    // The week: several rooms, the hall clash highlighted; lanes switch to facilitators.
    app.click("[data-nav='groups']").await;
    app.wait_texts("[data-testid='group-row-name']", "ten groups", |t| t.len() == 10).await;
    app.click("[data-testid='tab-week']").await;
    app.wait_texts("[data-testid='week-session']", "this week", |t| t.len() > 10).await;
    // The demo's clash is within the next seven days: this week or the next.
    if app.texts("[data-testid='week-session'].wk-conflict").await.len() != 2 {
        app.click("[data-testid='week-next']").await;
    }
    app.wait_texts("[data-testid='week-session'].wk-conflict", "the clash", |t| t.len() == 2).await;
    app.screenshot(&shots.join("groups-demo-week-rooms.png")).await;
    app.click("[data-testid='lanes-facilitators']").await;
    app.wait_texts(".wk-lane", "facilitator lanes", |t| t.iter().any(|l| l == "Meera Iyer")).await;
    app.screenshot(&shots.join("groups-demo-week-facilitators.png")).await;
    app.click("[data-testid='tab-report']").await;
    app.type_into("[data-testid='report-from']", "01-12-2025").await;
    app.click("[data-testid='report-show']").await;
    app.wait_texts("[data-testid='report-group-row']", "ten groups in the report", |t| t.len() == 10).await;
    app.screenshot(&shots.join("groups-demo-report.png")).await;

    // The profile of someone from today's sheet lists their groups and attendance.
    let name = first[0].split(" (").next().unwrap_or_default().to_owned();
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", &name).await;
    app.click("[data-testid='patient-row'] .name").await;
    let groups = app.wait_texts("[data-testid='patient-groups'] li", "the patient's groups", |t| !t.is_empty()).await;
    assert!(groups.iter().any(|g| g.starts_with("Morning sharing circle")), "{groups:?}");
    app.find("[data-testid='patient-attendance']").await;
    app.screenshot(&shots.join("groups-demo-profile.png")).await;

    // In Hindi.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='groups']").await;
    app.wait_texts("[data-testid='tab-week']", "Hindi tabs", |t| t == ["सप्ताह"]).await;
    app.click("[data-testid='tab-week']").await;
    app.wait_texts("[data-testid='week-session']", "the week in Hindi", |t| t.len() > 10).await;
    app.screenshot(&shots.join("groups-demo-week-hi.png")).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn a_room_clash_is_shown_with_its_dates_and_saved_only_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let today = Local::now().date_naive();
    let iso = today.format("%Y-%m-%d").to_string();
    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    let rooms =
        app.invoke("save_room", serde_json::json!({ "id": null, "name": "Hall", "active": true })).await.unwrap();
    let hall = rooms[0]["id"].as_i64().unwrap();
    let group = serde_json::json!({ "input": {
        "name": "Morning circle", "kind": "sharing_circle", "topic": "", "audience": "inpatients", "gender_rule": "any",
        "closed": false, "mandatory": true, "capacity": null, "default_room_id": hall, "facilitators": [],
        "guest_facilitators": "", "status": "active", "notes": "" } });
    let g = app.invoke("create_group", group).await.unwrap();
    let day = DAY_CODES[today.weekday().num_days_from_monday() as usize];
    let series = serde_json::json!({
        "groupId": g["id"], "options": { "dry_run": false, "override_reason": null },
        "input": { "rule": { "freq": "weekly", "interval": 1, "weekdays": [day], "month_week": null, "start": iso,
            "until": null, "count": null }, "start_time": "10:00", "duration_min": 60, "room_id": hall, "facilitators": [] } });
    let out = app.invoke("add_group_series", series).await.unwrap();
    assert_eq!(out["saved"], true);

    // A new group in the same hall half an hour later, every week on the same day.
    app.click("[data-nav='groups']").await;
    app.click("[data-testid='add-group']").await;
    app.type_into("[data-testid='group-name']", "Yoga").await;
    app.type_into("[data-testid='sched-time']", "10:30").await;
    app.find("[data-testid='sched-room']").await.select_by_label("Hall").await.unwrap();
    app.click("[data-testid='group-save']").await;
    let conflicts = app.wait_texts("[data-testid='conflict']", "the clash", |t| t.len() == 1).await;
    assert!(conflicts[0].starts_with("Hall is already booked for Morning circle (27 dates)"), "{conflicts:?}");
    assert!(conflicts[0].contains(&today.format("%d-%m-%Y").to_string()), "{conflicts:?}");
    app.type_into("[data-testid='override-reason']", "Yoga uses the back of the hall").await;
    app.click("[data-testid='group-save']").await;
    app.wait_texts("[data-testid='group-title']", "the saved group", |t| t.iter().any(|x| x.starts_with("Yoga"))).await;
    app.click("[data-testid='back']").await;
    app.click("[data-testid='tab-week']").await;
    app.wait_texts("[data-testid='week-session'].wk-conflict", "both sessions flagged", |t| t.len() == 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.screenshot(&saathi_tests::workspace_root().join("target").join("screenshots").join("groups-clash.png")).await;
    app.quit().await;
}

/// Schedules are shown in words, never as RFC 5545 text, on the list and on a group's
/// page, in English and in Hindi; the left menu leads from a group's page back to the list.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn schedules_read_in_words_in_both_languages_and_the_menu_returns_to_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let today = Local::now().date_naive().format("%Y-%m-%d").to_string();
    let out = std::process::Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;

    for (lang, monthly) in
        [("en", "First Sunday of the month, 11:00–13:00"), ("hi", "महीने का पहला रविवार, 11:00–13:00")]
    {
        if lang == "hi" {
            app.click("[data-nav='settings']").await;
            app.click("[data-testid='lang-hi']").await;
            app.wait_texts("[data-nav='groups']", "Hindi navigation", |t| t == ["समूह"]).await;
        }
        app.click("[data-nav='groups']").await;
        let words = app.wait_texts("[data-testid='schedule-words']", "the schedules", |t| t.len() >= 10).await;
        assert!(words.iter().any(|w| w.starts_with(monthly)), "{lang}: {words:?}");
        let every = if lang == "en" { "Every " } else { "हर " };
        assert!(words.iter().any(|w| w.starts_with(every)), "{lang}: {words:?}");
        let list = app.page_text().await;
        assert!(!list.contains("FREQ=") && !list.contains("BYDAY"), "{lang}: RFC 5545 text on the list: {list}");

        // A group's page.
        app.click("[data-testid='group-row-name']").await;
        app.find("[data-testid='group-title']").await;
        let words = app.wait_texts("[data-testid='schedule-words']", "the group's schedule", |t| !t.is_empty()).await;
        assert!(words.iter().all(|w| !w.contains("FREQ=")), "{lang}: {words:?}");
        let page = app.page_text().await;
        assert!(!page.contains("FREQ=") && !page.contains("BYDAY"), "{lang}: RFC 5545 text on the group: {page}");

        // The left menu's "Groups" leads back to the list.
        app.click("[data-nav='groups']").await;
        app.wait_texts("[data-testid='group-row-name']", "the list again", |t| t.len() == 10).await;
        assert!(app.texts("[data-testid='group-title']").await.is_empty(), "{lang}: still on the group's page");
    }
    app.quit().await;
}
