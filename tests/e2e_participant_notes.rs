//! End-to-end (issue 17): a note for each participant of a group session. On the demo
//! centre a counsellor opens today's attendance sheet, presses N on a person's row, writes
//! a note, saves it as a draft, signs it and adds an addendum; a signed note cannot change
//! (the core refuses); the note is on the person's profile, in their group history. The
//! front desk sees the note nowhere (sheet or profile) and its commands are refused.
//! Screenshots in English and Hindi land in target/screenshots/.
use chrono::Local;
use saathi_tests::e2e::App;
use serde_json::json;

const NOTE: &str = "Talked about his daughter's exam; first time he smiled in group.";
const ADDENDUM: &str = "Family meeting fixed for Saturday.";

/// Presses `key` on the attendance grid (as the keyboard would, on the chosen row).
async fn press(app: &App, key: &str) {
    let grid = app.find("[data-testid='sheet-grid']").await;
    if grid.send_keys(key).await.is_err() {
        // Some drivers refuse keys on a non-input element: send the same event.
        let script = format!(
            "document.querySelector(\"[data-testid='sheet-grid']\").dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true}}))"
        );
        app.client.execute(&script, vec![]).await.expect("key event");
    }
}

/// Scrolls the first element matching `css` into view (for the screenshot).
async fn scroll_to(app: &App, css: &str) {
    app.find(css).await;
    let script = format!("document.querySelector(\"{css}\").scrollIntoView({{block: 'center'}})");
    app.client.execute(&script, vec![]).await.expect("scroll");
    // The profile's panels load one after another and may move the page: once more.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.client.execute(&script, vec![]).await.expect("scroll");
}

/// Opens the profile of `patient` from the register, found by phone (names repeat).
async fn open_profile(app: &App, patient: i64) {
    let p = app.invoke("get_patient", json!({ "id": patient })).await.expect("get_patient");
    let phone = p["details"]["phone"].as_str().unwrap_or_default().to_owned();
    let name = p["details"]["full_name"].as_str().unwrap_or_default().to_owned();
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", if phone.is_empty() { &name } else { &phone }).await;
    app.wait_texts("[data-testid='patient-row'] .name", "the person in the register", |t| {
        t.len() == 1 && t[0].contains(&name)
    })
    .await;
    app.click("[data-testid='patient-row'] .name").await;
    app.find("[data-testid='patient-attendance']").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn a_counsellor_signs_a_note_on_a_person_and_the_front_desk_never_sees_it() {
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
    app.sign_in("counsellor", "demo-counsellor-1").await;
    app.click("[data-testid='today-open-sheet']").await;
    app.wait_texts("[data-testid='sheet-row']", "the expected members", |t| t.len() > 2).await;
    // The first person with a record on the list: choose the row, press N.
    let row = "[data-testid='sheet-row']:has([data-testid='note-open'][data-note='none'])";
    let name = app.text(&format!("{row} .att-name button")).await;
    app.click(&format!("{row} .att-name button")).await;
    press(&app, "n").await;
    let title = app.text("[data-testid='participant-note'] h3").await;
    assert_eq!(title, format!("Note on {name}"));
    app.type_into("[data-testid='pnote-body']", NOTE).await;
    app.click("[data-testid='pnote-save']").await;
    app.wait_texts("[data-testid='participant-note'] .notice", "the draft saved", |t| t == ["Draft saved."]).await;
    let marked = "[data-testid='sheet-row']:has([data-note='draft']) .att-name button";
    app.wait_texts(marked, "the row shows a draft", |t| t == [name.clone()]).await;
    app.click("[data-testid='pnote-sign']").await;
    let signed = app.text("[data-testid='pnote-signed-by']").await;
    assert!(signed.starts_with("Signed by "), "{signed}");
    app.type_into("[data-testid='pnote-addendum-body']", ADDENDUM).await;
    app.click("[data-testid='pnote-add-addendum']").await;
    let addenda = app.wait_texts("[data-testid='pnote-addendum']", "the addendum", |t| t.len() == 1).await;
    assert!(addenda[0].contains(ADDENDUM) && addenda[0].starts_with("Addendum by "), "{addenda:?}");
    let signed_row = "[data-testid='sheet-row']:has([data-note='signed']) .att-name button";
    assert!(app.texts(signed_row).await.contains(&name));
    scroll_to(&app, "[data-testid='participant-note']").await;
    app.screenshot(&shots.join("participant-note-sheet.png")).await;

    // The core refuses to change a signed note, even called straight.
    let (series, original, patient) = signed_note(&app, &name).await;
    let refused = app
        .invoke(
            "write_participant_note",
            json!({ "seriesId": series, "originalDate": original, "patientId": patient, "body": "changed" }),
        )
        .await
        .expect_err("a signed note never changes");
    assert_eq!(refused["code"], "participant_note_signed", "{refused}");

    // The person's profile: the note in their group history.
    open_profile(&app, patient).await;
    let on_profile =
        app.wait_texts("[data-testid='patient-participant-note']", "the note on the profile", |t| !t.is_empty()).await;
    let mine = on_profile.iter().find(|t| t.contains(NOTE)).expect("the note on the profile");
    assert!(mine.contains(ADDENDUM) && mine.contains("Signed by "), "{mine}");
    scroll_to(&app, "[data-testid='patient-participant-notes']").await;
    app.screenshot(&shots.join("participant-note-profile.png")).await;

    // In Hindi: the sheet with the note open, and the profile.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='today']").await;
    app.click("[data-testid='today-open-sheet']").await;
    app.wait_texts("[data-testid='sheet-row']", "the expected members", |t| t.len() > 2).await;
    let row_hi = "[data-testid='sheet-row']:has([data-note='signed'])";
    app.click(&format!("{row_hi} .att-name button")).await;
    press(&app, "N").await;
    let title = app.text("[data-testid='participant-note'] h3").await;
    assert_eq!(title, format!("{name} पर टिप्पणी"));
    let signed = app.text("[data-testid='pnote-signed-by']").await;
    assert!(signed.contains("द्वारा हस्ताक्षरित"), "{signed}");
    scroll_to(&app, "[data-testid='participant-note']").await;
    app.screenshot(&shots.join("participant-note-sheet-hi.png")).await;
    open_profile(&app, patient).await;
    app.wait_texts("[data-testid='patient-participant-note']", "the note on the profile", |t| {
        t.iter().any(|n| n.contains(NOTE) && n.contains("परिशिष्ट"))
    })
    .await;
    scroll_to(&app, "[data-testid='patient-participant-notes']").await;
    app.screenshot(&shots.join("participant-note-profile-hi.png")).await;
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-en']").await;

    // The front desk: not on the sheet, not on the profile, and refused by the core.
    app.click("[data-testid='sign-out']").await;
    app.sign_in("frontdesk", "demo-frontdesk-1").await;
    app.click("[data-testid='today-open-sheet']").await;
    app.wait_texts("[data-testid='sheet-row']", "the expected members", |t| t.len() > 2).await;
    assert!(app.texts("[data-testid='note-open']").await.is_empty(), "no note buttons for the front desk");
    let page = app.page_text().await;
    assert!(!page.contains(NOTE) && !page.contains(ADDENDUM), "{page}");
    press(&app, "n").await;
    assert!(app.texts("[data-testid='participant-note']").await.is_empty(), "N opens nothing");
    app.screenshot(&shots.join("participant-note-sheet-frontdesk.png")).await;
    open_profile(&app, patient).await;
    let page = app.page_text().await;
    assert!(!page.contains(NOTE) && !page.contains(ADDENDUM), "{page}");
    assert!(app.texts("[data-testid='patient-participant-notes']").await.is_empty());
    scroll_to(&app, "[data-testid='patient-attendance']").await;
    app.screenshot(&shots.join("participant-note-profile-frontdesk.png")).await;
    for (command, args) in [
        ("patient_participant_notes", json!({ "patientId": patient })),
        ("session_participant_notes", json!({ "seriesId": series, "originalDate": original })),
        (
            "write_participant_note",
            json!({ "seriesId": series, "originalDate": original, "patientId": patient, "body": "x" }),
        ),
    ] {
        let err = app.invoke(command, args).await.expect_err(command);
        assert_eq!(err["code"], "forbidden", "{command}: {err}");
    }
    app.quit().await;
}

/// The signed note on today's first session for the person named `name` (as the
/// counsellor's window receives it): its series, original date and patient.
async fn signed_note(app: &App, name: &str) -> (i64, String, i64) {
    // The sheet shows "Full Name (Preferred)"; the note has the full name.
    let name = name.split(" (").next().unwrap_or(name);
    let sessions = app.invoke("todays_group_sessions", json!({})).await.expect("today's sessions");
    for o in sessions.as_array().into_iter().flatten() {
        let args = json!({ "seriesId": o["series_id"], "originalDate": o["original_date"] });
        let Ok(notes) = app.invoke("session_participant_notes", args).await else { continue };
        for n in notes.as_array().into_iter().flatten() {
            if n["patient_name"] == name && !n["signed_at"].is_null() {
                return (
                    n["series_id"].as_i64().unwrap_or_default(),
                    n["original_date"].as_str().unwrap_or_default().to_owned(),
                    n["patient_id"].as_i64().unwrap_or_default(),
                );
            }
        }
    }
    panic!("no signed note for {name} on today's sessions")
}
