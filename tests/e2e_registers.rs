//! End-to-end (issue 17): on the demo centre, a sign-in sheet printed from Today (the
//! session's sheet) holds the group and its members; the Registers screen in Hindi prints
//! a register. Screenshots go to target/screenshots/.
use std::process::Command;

use chrono::Local;
use saathi_tests::e2e::App;

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn a_sign_in_sheet_from_today_and_a_register_in_hindi() {
    let dir = tempfile::tempdir().unwrap();
    let today = Local::now().date_naive();
    let out = Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today.format("%Y-%m-%d").to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;
    app.wait_texts("[data-testid='today-session']", "today's sessions", |t| !t.is_empty()).await;
    app.find("[data-testid='today-session'] [data-testid='sign-in-sheet']").await;
    app.screenshot(&shots.join("registers-today-en.png")).await;

    // The first session held today: its members on the attendance sheet, then its sheet.
    app.click("[data-testid='today-open-sheet']").await;
    let title = app.text("[data-testid='sheet-title']").await;
    let group = title.split(" · ").next().unwrap().to_owned();
    app.wait_texts("[data-testid='sheet-row']", "the expected members", |t| !t.is_empty()).await;
    let names = app.texts("[data-testid='sheet-row'] .att-name button").await;
    assert!(!names.is_empty());
    app.click("[data-testid='sign-in-sheet']").await;
    let done = app.find("[data-testid='sign-in-written']").await;
    let path = done.attr("data-path").await.unwrap().expect("the path written");
    let pdf = std::path::PathBuf::from(&path);
    assert!(pdf.exists(), "{path}");
    assert!(pdf.starts_with(dir.path().join("printouts")), "{path}");
    let text = pdftotext(&pdf);
    assert!(text.contains(&group), "{group}: {text}");
    assert!(text.contains("Signature"), "{text}");
    for name in &names {
        // Privacy mode: the first name is printed (a family member's too).
        let first = name.split_whitespace().next().unwrap();
        assert!(text.contains(first), "{name}: {text}");
    }
    app.screenshot(&shots.join("registers-sign-in-en.png")).await;

    // The Registers screen in Hindi: the session register of this month, printed.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='registers']").await;
    app.wait_texts("h2", "Hindi title", |t| t == ["रजिस्टर"]).await;
    app.select("[data-testid='register-kind']", "sessions").await;
    app.select("[data-testid='register-language']", "hi").await;
    app.type_into("[data-testid='register-from']", &format!("01-{}", today.format("%m-%Y"))).await;
    app.type_into("[data-testid='register-to']", &today.format("%d-%m-%Y").to_string()).await;
    app.screenshot(&shots.join("registers-hi.png")).await;
    app.click("[data-testid='register-print']").await;
    let written = app.text("[data-testid='register-written']").await;
    let pdf = dir.path().join("printouts").join(format!(
        "register-sessions-01-{}-to-{}.pdf",
        today.format("%m-%Y"),
        today.format("%d-%m-%Y")
    ));
    assert!(written.contains(&pdf.display().to_string()), "{written}");
    let text = pdftotext(&pdf);
    assert!(text.contains("रजिस्टर"), "{text}");
    assert!(text.contains("Audit") || text.contains("ऑडिट"), "the seal: {text}");
    app.screenshot(&shots.join("registers-written-hi.png")).await;
    app.quit().await;
}
