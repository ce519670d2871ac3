//! End-to-end on the demo centre: the register at scale in both languages. Saves
//! screenshots to target/screenshots/ for people to look at.
use std::process::Command;

use saathi_tests::e2e::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn the_demo_centre_in_english_and_hindi() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", "2026-11-26"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("frontdesk") && printed.contains("demo-frontdesk-1"), "{printed}");
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let app = App::launch(dir.path()).await;
    app.sign_in("frontdesk", "demo-frontdesk-1").await;
    let counts = app.text("[data-testid='count-inpatients'] .num").await;
    assert_eq!(counts, "40");
    app.screenshot(&shots.join("today-en.png")).await;

    app.click("[data-nav='patients']").await;
    let rows = app.wait_texts("[data-testid='patient-row'] .name", "a page of patients", |t| t.len() == 50).await;
    let mut sorted = rows.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(rows, sorted, "sorted by name");
    // 160 registered; the demo's rights desk erased one (an erased record is archived).
    assert_eq!(app.text("[data-testid='patient-range']").await, "1–50 of 159");
    app.screenshot(&shots.join("patients-en.png")).await;

    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='patients']").await;
    app.wait_texts("h2", "Hindi title", |t| t == ["मरीज़"]).await;
    app.type_into("[data-testid='patient-search']", "ਸਿੰਘ").await;
    let found = app
        .wait_texts("[data-testid='patient-row'] .name", "Gurmukhi matches", |t| !t.is_empty() && t.len() < 50)
        .await;
    assert!(found.iter().all(|n| n.contains("ਸਿੰਘ")), "{found:?}");
    app.type_into("[data-testid='patient-search']", "शर्मा").await;
    app.wait_texts("[data-testid='patient-row'] .name", "only Devanagari matches", |t| {
        !t.is_empty() && t.iter().all(|n| n.contains("शर्मा"))
    })
    .await;
    app.screenshot(&shots.join("patients-search-hi.png")).await;
    app.type_into("[data-testid='patient-search']", "").await;
    app.wait_texts("[data-testid='patient-row'] .name", "the full page", |t| t.len() == 50).await;
    app.screenshot(&shots.join("patients-hi.png")).await;

    app.click("[data-testid='lock']").await;
    app.find("[data-testid='lock-screen']").await;
    app.screenshot(&shots.join("locked-hi.png")).await;
    app.quit().await;
}
