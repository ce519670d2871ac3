//! End-to-end: every screen of the demo centre in Hindi, as an administrator sees it.
//! No sentence built in Rust reaches the window in English: the page text holds none of
//! the English the core used to send (schedules as RFC 5545, matcher reasons, "family
//! of", the recovery sheet), and no run of four lower-case English words. Screenshots of
//! each screen go to target/screenshots/hi-*.png for people to look at.
use saathi_tests::e2e::App;

/// English that Rust once put on these screens.
const TELLTALES: &[&str] = &[
    "FREQ=",
    "BYDAY",
    "both speak",
    "same substance",
    "family of",
    "Restore with Saathi",
    "Something went wrong",
    "is not available",
    "recovery sheet",
];

/// The first run of four lower-case Latin words in `text` (an English sentence), if any.
fn english_run(text: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace()) {
        let w = word.trim_matches(|c: char| matches!(c, ',' | '.' | ':' | ';' | '(' | ')' | '"' | '\''));
        if !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()) {
            run.push(w);
            if run.len() == 4 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

async fn check(app: &App, screen: &str) {
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    app.screenshot(&shots.join(format!("hi-{screen}.png"))).await;
    let text = app.page_text().await;
    for t in TELLTALES {
        assert!(!text.contains(t), "{screen}: {t:?} on the Hindi screen:\n{text}");
    }
    assert_eq!(english_run(&text), None, "{screen}: English on the Hindi screen:\n{text}");
}

#[test]
fn the_english_run_finder_finds_sentences_and_passes_names() {
    assert_eq!(english_run("हर मंगलवार · Rahul Sharma · 11:00"), None);
    assert_eq!(english_run("age -d key.txt > saathi.db"), None);
    assert_eq!(english_run("दोनों: both speak the same language"), Some("both speak the same".into()));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn every_screen_in_hindi_has_no_english_from_rust() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) =
        saathi_tests::run_saathi(&["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");

    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;

    app.click("[data-nav='today']").await;
    app.wait_texts("h2", "Hindi title", |t| t.iter().any(|s| s.chars().any(|c| ('\u{900}'..='\u{97f}').contains(&c))))
        .await;
    check(&app, "today").await;

    app.click("[data-nav='patients']").await;
    app.wait_texts("[data-testid='patient-row'] .name", "a page of patients", |t| t.len() == 50).await;
    check(&app, "patients").await;
    app.click("[data-testid='patient-row'] .name").await;
    app.find("[data-testid='edit-patient']").await;
    check(&app, "profile").await;
    // The consents panel (further down the profile), with the record form open.
    app.wait_texts("[data-testid='consent-now']", "the consents", |t| t.len() == 6).await;
    app.click("[data-testid='consent-add']").await;
    app.client
        .execute("document.querySelector(\"[data-testid='consents']\").scrollIntoView(); return 1;", vec![])
        .await
        .unwrap();
    check(&app, "consents").await;

    app.click("[data-nav='groups']").await;
    let words = app.wait_texts("[data-testid='schedule-words']", "schedules in words", |t| !t.is_empty()).await;
    assert!(words.iter().all(|w| w.starts_with("हर") || w.contains("महीने") || w.contains("बार")), "{words:?}");
    check(&app, "groups").await;
    app.click("[data-testid='group-row-name']").await;
    app.find("[data-testid='schedule-words']").await;
    check(&app, "group").await;

    app.click("[data-nav='aftercare']").await;
    app.find("h2").await;
    check(&app, "aftercare").await;
    // The three plan templates every centre starts with are stored in English (0006).
    app.click("[data-testid='tab-templates']").await;
    app.wait_texts("tbody tr", "plan templates", |t| t.iter().any(|r| r.contains("सामान्य (2 साल)"))).await;
    check(&app, "aftercare-templates").await;

    app.click("[data-nav='mentorship']").await;
    app.click("[data-testid='suggest-pairs']").await;
    app.wait_texts("[data-testid='suggestion']", "suggestions", |t| !t.is_empty()).await;
    check(&app, "mentorship-suggestions").await;
    app.click("[data-tab='mentors']").await;
    check(&app, "mentorship-mentors").await;

    app.click("[data-nav='backup']").await;
    app.find("[data-testid='backup-key-ready']").await;
    check(&app, "backup").await;
    app.click("[data-testid='show-sheet']").await;
    let sheet = app.text("[data-testid='recovery-sheet'] h1").await;
    assert_eq!(sheet, "साथी बैकअप रिकवरी पन्ना");
    check(&app, "recovery-sheet").await;

    app.click("[data-nav='audit']").await;
    app.find("h2").await;
    check(&app, "audit").await;

    app.click("[data-nav='settings']").await;
    app.find("[data-testid='lang-hi']").await;
    check(&app, "settings").await;
    app.quit().await;
}
