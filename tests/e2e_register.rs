//! End-to-end: the real app in the real webview. Run by `.ci/run` (under Xvfb) with
//! `cargo test -- --include-ignored`.
use saathi_tests::e2e::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn add_a_patient_in_devanagari_find_them_and_find_them_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let name = "क्षितिज त्रिपाठी";

    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    app.click("[data-nav='patients']").await;
    app.find("[data-testid='no-patients']").await;
    app.click("[data-testid='add-patient']").await;
    app.type_into("[data-testid='full-name']", name).await;
    app.type_into("[data-testid='phone']", "98140 12345").await;
    // Gender has no default: saving without choosing it is refused with a plain message.
    assert_eq!(app.value("[data-testid='gender']").await, "", "no gender is chosen in advance");
    app.click("[data-testid='save-patient']").await;
    let msg = app.text("[data-testid='form-error']").await;
    assert_eq!(msg, "Please choose the person's gender.");
    app.select("[data-testid='gender']", "female").await;
    app.click("[data-testid='save-patient']").await;
    let shown = app.text("[data-testid='profile-name']").await;
    assert!(shown.starts_with(name), "profile shows {shown:?}");
    // The profile shows labels, not the form's hints.
    let profile = app.page_text().await;
    assert!(profile.contains("Languages spoken"), "{profile}");
    assert!(!profile.contains("comma"), "a form hint on the profile: {profile}");
    // The left menu's "Patients" leads from the profile back to the list.
    app.click("[data-nav='patients']").await;
    app.find("[data-testid='patient-search']").await;
    let list = app.page_text().await;
    assert!(!list.contains("comma"), "a form hint on the list: {list}");
    app.type_into("[data-testid='patient-search']", "क्षि").await;
    app.wait_texts("[data-testid='patient-row'] .name", "the new patient", |t| t == [name]).await;
    // A search that matches nobody empties the list.
    app.type_into("[data-testid='patient-search']", "ਗੁਰ").await;
    app.find("[data-testid='no-patients']").await;
    app.quit().await;

    // Relaunch on the same folder: the record was really saved.
    let app = App::launch(dir.path()).await;
    app.sign_in("asha", "first-admin-pass").await;
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", "क्षि").await;
    app.wait_texts("[data-testid='patient-row'] .name", "the saved patient", |t| t == [name]).await;
    app.type_into("[data-testid='patient-search']", "98140").await;
    app.wait_texts("[data-testid='patient-row'] .name", "a phone match", |t| t == [name]).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn an_empty_name_is_refused_with_a_plain_message_in_hindi_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.wait_texts("[data-nav='patients']", "Hindi navigation", |t| t == ["मरीज़"]).await;
    app.click("[data-nav='patients']").await;
    app.click("[data-testid='add-patient']").await;
    app.click("[data-testid='save-patient']").await;
    let msg = app.text("[data-testid='form-error']").await;
    assert_eq!(msg, "कृपया व्यक्ति का लिंग चुनें।");
    app.select("[data-testid='gender']", "male").await;
    app.click("[data-testid='save-patient']").await;
    app.wait_texts("[data-testid='form-error']", "the name message", |t| t == ["कृपया व्यक्ति का पूरा नाम लिखें।"]).await;
    app.quit().await;

    // The language choice is remembered (already on the sign-in screen).
    let app = App::launch(dir.path()).await;
    app.wait_texts("[data-testid='sign-in-submit']", "Hindi sign-in", |t| t == ["साइन इन करें"]).await;
    app.sign_in("asha", "first-admin-pass").await;
    app.wait_texts("[data-nav='patients']", "Hindi after restart", |t| t == ["मरीज़"]).await;
    app.quit().await;
}
