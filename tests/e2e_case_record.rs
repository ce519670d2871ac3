//! End-to-end: the case record and an admission under the Mental Healthcare Act, typed
//! into the real window as a front desk would (keyboard for the district), seen on the
//! profile and on Today, corrected with history, and shown in Hindi.
use chrono::{Days, Local};
use saathi_tests::e2e::App;

const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn a_person_admitted_with_every_field_and_a_supported_admission_due_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let admitted = Local::now().date_naive() - Days::new(28);

    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    app.click("[data-nav='patients']").await;
    app.click("[data-testid='add-patient']").await;
    app.type_into("[data-testid='full-name']", "Harjit Singh").await;
    app.select("[data-testid='gender']", "male").await;
    app.type_into("[data-testid='phone']", "98150 24680").await;
    app.type_into("input[name='admitted_on']", &admitted.format("%d-%m-%Y").to_string()).await;

    // The case record: address with a district found by its Hindi name from the keyboard.
    app.type_into("[data-testid='case-address']", "Gali No. 3, Basti Sheikh").await;
    app.type_into("[data-testid='case-town']", "Ajnala").await;
    app.type_into("[data-testid='district-search']", "अमृत").await;
    app.wait_texts("[data-testid='district-found'] li", "Amritsar among the suggestions", |t| {
        t.first().is_some_and(|s| s.starts_with("Amritsar"))
    })
    .await;
    app.find("[data-testid='district-search']").await.send_keys(ENTER).await.unwrap();
    let chosen = app.text("[data-testid='district-chosen']").await;
    assert_eq!(chosen, "Amritsar, Punjab");
    app.type_into("[data-testid='case-pin']", "143102").await;
    for (field, value) in [
        ("referral_source", "court_police"),
        ("occupation", "driver"),
        ("education", "secondary"),
        ("marital_status", "married"),
        ("living_with", "spouse"),
        ("income_band", "upto25k"),
    ] {
        app.select(&format!("[data-testid='case-{field}']"), value).await;
    }
    app.select("[data-testid='case-injecting']", "yes").await;
    app.select("[data-testid='case-legal']", "yes").await;
    app.click("[data-testid='case-add-substance']").await;
    let row = "[data-testid='case-substances'] tbody tr:nth-child(1)";
    app.select(&format!("{row} td:nth-child(1) select"), "opioids").await;
    app.type_into(&format!("{row} td:nth-child(2) input"), "19").await;
    app.type_into(&format!("{row} td:nth-child(3) input"), "6").await;
    app.select(&format!("{row} td:nth-child(4) select"), "injecting").await;
    app.select(&format!("{row} td:nth-child(5) select"), "daily").await;
    app.click("[data-testid='case-add-treatment']").await;
    app.type_into(
        "[data-testid='case-treatments'] tbody tr:nth-child(1) td:nth-child(1) input",
        "Civil Hospital Amritsar",
    )
    .await;
    app.type_into("[data-testid='case-treatments'] tbody tr:nth-child(1) td:nth-child(2) input", "2023").await;

    // A supported admission: the representative is required.
    app.select("[data-testid='admission-basis']", "supported").await;
    app.screenshot(&shots.join("case-record-form.png")).await;
    app.click("[data-testid='save-patient']").await;
    let msg = app.text("[data-testid='form-error']").await;
    assert_eq!(msg, "A supported admission needs the nominated representative's name.");
    app.type_into("[data-testid='admission-representative']", "Balwinder Kaur").await;
    app.type_into("[data-testid='admission-relation']", "wife").await;
    app.select("[data-testid='admission-assessor']", "1").await;
    app.click("[data-testid='save-patient']").await;

    // The profile shows all of it.
    app.find("[data-testid='profile-name']").await;
    let address = app.text("[data-testid='case-panel-address']").await;
    assert_eq!(address, "Gali No. 3, Basti Sheikh, Ajnala, Amritsar, Punjab, 143102");
    assert_eq!(app.text("[data-testid='case-panel-referral']").await, "Court or police");
    let uses = app.text("[data-testid='case-panel-substances']").await;
    assert!(uses.contains("Opioids") && uses.contains("Injecting") && uses.contains("19"), "{uses}");
    let stay = app.text("[data-testid='stay-admission']").await;
    let due = (admitted + Days::new(30)).format("%d-%m-%Y").to_string();
    assert!(stay.contains("Supported admission (s.89)") && stay.contains("Balwinder Kaur (wife)"), "{stay}");
    assert!(stay.contains("Capacity assessed by: "), "{stay}");
    assert!(stay.contains(&due), "review due {due}: {stay}");
    let page = app.page_text().await;
    for word in ["Driver", "Married", "₹10,000–25,000", "Civil Hospital Amritsar (2023)"] {
        assert!(page.contains(word), "{word} missing from the profile: {page}");
    }
    app.screenshot(&shots.join("case-record-profile.png")).await;

    // Today: the review falls due in two days.
    app.click("[data-nav='today']").await;
    app.wait_texts("[data-testid='review-due']", "the review on Today", |t| {
        t.len() == 1 && t[0].contains("Harjit Singh") && t[0].contains(&due)
    })
    .await;

    // A correction keeps the old value in the history.
    app.click("[data-testid='review-due'] button").await;
    app.click("[data-testid='edit-patient']").await;
    app.find("[data-testid='case-record']").await;
    app.select("[data-testid='case-referral_source']", "family").await;
    app.click("[data-testid='save-patient']").await;
    app.wait_texts("[data-testid='case-panel-referral']", "the corrected referral", |t| t == ["Family"]).await;
    app.click("[data-testid='history-toggle']").await;
    let rows = app.texts("[data-testid='history-row'][data-field='referral_source']").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Court or police") && rows[0].contains("Family"), "{rows:?}");

    // The same profile in Hindi.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='patients']").await;
    app.click("[data-testid='patient-row'] .name").await;
    app.wait_texts("[data-testid='case-panel-address']", "the address in Hindi", |t| {
        t.first().is_some_and(|s| s.contains("अमृतसर") && s.contains("पंजाब"))
    })
    .await;
    let stay = app.text("[data-testid='stay-admission']").await;
    assert!(stay.contains("सहायता से भर्ती"), "{stay}");
    assert_eq!(app.text("[data-testid='case-panel-referral']").await, "परिवार");
    app.screenshot(&shots.join("case-record-profile-hi.png")).await;
    app.quit().await;
}
