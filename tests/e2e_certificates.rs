//! End-to-end (issue 17): a certificate issued from a demo person's profile, printed, and
//! reprinted as a duplicate (both read back from the PDFs); the aftercare outcomes screen
//! in English and in Hindi, with its chart. Screenshots go to target/screenshots.
use std::process::Command;

use chrono::Days;
use saathi_tests::e2e::App;

fn pdftotext(pdf: &str) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed on {pdf}");
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn issue_print_and_reprint_a_certificate_and_see_outcomes_in_hindi() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let out = Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The demo's in-patient who already has a certificate (issued and reprinted).
    let (patient, name, next) = {
        let store = saathi_tests::open_demo_centre(dir.path());
        let c = store.conn();
        let patient: i64 = c.query_row("SELECT patient_id FROM certificates WHERE id = 1", [], |r| r.get(0)).unwrap();
        let name: String =
            c.query_row("SELECT full_name FROM patients WHERE id = ?1", [patient], |r| r.get(0)).unwrap();
        let next: i64 = c.query_row("SELECT max(id) + 1 FROM certificates", [], |r| r.get(0)).unwrap();
        (patient, name, next)
    };
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", &name).await;
    app.wait_texts("[data-testid='patient-row'] .name", "the search's rows", |t| t.len() < 50 && t.contains(&name))
        .await;
    app.click(&format!("[data-testid='patient-row'][data-id='{patient}'] .name")).await;
    app.find("[data-testid='certificates']").await;
    // The demo's certificate is listed, printed twice already.
    app.find("[data-testid='cert-row'][data-serial='1'] [data-testid='cert-print'][data-prints='2']").await;

    // Issue an attendance certificate for the last four weeks, in English.
    let from = (today - Days::new(28)).format("%d-%m-%Y").to_string();
    let to = (today - Days::new(1)).format("%d-%m-%Y").to_string();
    app.click("[data-testid='cert-add']").await;
    app.select("[data-testid='cert-kind']", "attendance").await;
    app.type_into("[data-testid='cert-from']", &from).await;
    app.find("[data-testid='cert-to']").await.clear().await.unwrap();
    app.type_into("[data-testid='cert-to']", &to).await;
    app.type_into("[data-testid='cert-purpose']", "Employer, leave of absence").await;
    app.select("[data-testid='cert-language']", "en").await;
    app.click("[data-testid='cert-issue']").await;
    let row = format!("[data-testid='cert-row'][data-serial='{next}']");
    app.find(&format!("{row} [data-testid='cert-print'][data-prints='0']")).await;

    // Print: the original.
    app.click(&format!("{row} [data-testid='cert-print']")).await;
    let printed = app.wait_texts("[data-testid='cert-printed']", "the original's path", |t| !t.is_empty()).await;
    let path = printed[0].split_once(": ").map_or(printed[0].as_str(), |p| p.1).trim().to_owned();
    let path = path.strip_prefix("Certificate written to ").unwrap_or(&path).to_owned();
    let original = pdftotext(&path);
    assert!(original.contains(&name) && original.contains("Certificate of attendance"), "{original}");
    assert!(original.contains("Employer, leave of absence"), "{original}");
    assert!(!original.contains("DUPLICATE"), "the first print is the original: {original}");
    app.find(&format!("{row} [data-testid='cert-print'][data-prints='1']")).await;
    app.screenshot(&shots.join("certificates-profile.png")).await;

    // Reprint: a duplicate, saying the same.
    app.click(&format!("{row} [data-testid='cert-print']")).await;
    let printed = app
        .wait_texts("[data-testid='cert-printed']", "the duplicate's path", |t| {
            t.iter().any(|s| s.contains("duplicate"))
        })
        .await;
    let path = printed[0].rsplit(' ').next().unwrap().trim().to_owned();
    let duplicate = pdftotext(&path);
    assert!(duplicate.contains("DUPLICATE"), "{duplicate}");
    assert!(duplicate.contains(&name) && duplicate.contains("Employer, leave of absence"), "{duplicate}");
    app.find(&format!("{row} [data-testid='cert-print'][data-prints='2']")).await;

    // The outcomes screen, in English then in Hindi (last calendar year by default).
    app.click("[data-nav='aftercare']").await;
    app.click("[data-testid='tab-outcomes']").await;
    app.find("[data-testid='outcomes-table']").await;
    app.find("[data-testid='outcomes-chart'] rect").await;
    app.screenshot(&shots.join("outcomes.png")).await;
    app.select("[data-testid='outcomes-cohort']", "counselling").await;
    app.find("[data-testid='outcomes-row'][data-figure='lost']").await;
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='aftercare']").await;
    app.find("[data-testid='tab-worklist'][aria-pressed='true']").await;
    app.click("[data-testid='tab-outcomes']").await;
    app.find("[data-testid='tab-outcomes'][aria-pressed='true']").await;
    app.wait_texts("h3", "the Hindi title", |t| t.iter().any(|s| s.contains("आफ़्टरकेयर परिणाम"))).await;
    app.find("[data-testid='outcomes-chart'] rect").await;
    let page = app.page_text().await;
    for words in ["फ़ॉलो-अप से छूटे", "दिन 365", "संपर्क हुआ"] {
        assert!(page.contains(words), "{words} on the Hindi screen");
    }
    app.screenshot(&shots.join("hi-outcomes.png")).await;
    app.quit().await;
}
