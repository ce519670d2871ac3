//! End-to-end: discharge a patient with the default aftercare plan, see the first
//! follow-up on the worklist, record "no answer" and see the retry, then print the
//! week's roster and find the name in the PDF.
use std::path::Path;
use std::process::Command;

use chrono::{Datelike, Days, Local};
use saathi_tests::e2e::App;
use serde_json::json;

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn discharge_with_a_plan_work_the_follow_up_and_print_the_roster() {
    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let today = Local::now().date_naive();
    // Discharged two days ago: the default plan's first call ("within 2 days") is due today.
    let discharged = today - Days::new(2);

    let app = App::launch(dir.path()).await;
    app.set_up_centre("asha", "first-admin-pass").await;
    let mut details = json!({
        "full_name": "Ravinder Kumar", "preferred_name": "", "gender": "male", "birth_date": null,
        "age_years": 34, "phone": "98140 55555", "family_name": "", "family_relation": "", "family_phone": "",
        "languages": ["Punjabi"], "substances": ["alcohol"], "substance_other": ""
    });
    let admitted = (today - Days::new(40)).to_string();
    let agreed = |kind: &str| json!({ "kind": kind, "given": true, "detail": "", "decided_on": admitted, "how": "signed_form", "witness": "" });
    let consents = json!([agreed("phone_followup"), agreed("full_name_on_lists")]);
    let p = app
        .invoke(
            "create_patient",
            json!({ "intake": { "patient": { "details": details.take(), "admitted_on": admitted }, "consents": consents } }),
        )
        .await
        .expect("patient created");
    let id = p["id"].as_i64().unwrap();

    // Discharge from the profile; the default plan is offered and kept.
    app.click("[data-nav='patients']").await;
    app.click("[data-testid='patient-row'] .name").await;
    app.click("[data-testid='discharge']").await;
    app.find("[data-testid='discharge-plan']").await;
    app.type_into("[data-testid='action-form'] input", &dmy(discharged)).await;
    app.click("[data-testid='action-form'] button[type='submit']").await;
    app.wait_texts("[data-testid='plan-template']", "the plan on the profile", |t| {
        t.first().is_some_and(|s| s.starts_with("Standard"))
    })
    .await;
    app.screenshot(&shots.join("aftercare-profile.png")).await;

    // The first follow-up is on today's worklist.
    app.click("[data-nav='aftercare']").await;
    app.wait_texts("[data-testid='worklist-name']", "today's follow-up", |t| t == ["Ravinder Kumar"]).await;
    app.screenshot(&shots.join("aftercare-worklist.png")).await;

    // Record "no answer" (the dialog's default result): Enter-fast.
    app.click("[data-testid='worklist-name']").await;
    app.find("[data-testid='attempt-form']").await;
    assert_eq!(app.value("[data-testid='attempt-result']").await, "no_answer");
    app.screenshot(&shots.join("aftercare-attempt.png")).await;
    // Enter on the focused result saves (keyboard-fast).
    app.find("[data-testid='attempt-result']").await.send_keys("\u{E007}").await.expect("press Enter");
    let retry = today + Days::new(2);
    let notice = app.text("[data-testid='attempt-notice']").await;
    assert!(notice.contains(&dmy(retry)), "retry date in {notice:?}");
    app.find("[data-testid='worklist-empty']").await;
    // The retry shows on this week's list when it falls in this week.
    if retry.iso_week() == today.iso_week() {
        app.click("[data-testid='range-week']").await;
        app.wait_texts("[data-testid='worklist-retry']", "the retry", |t| t.len() == 1).await;
    }
    let attempts = app.invoke("patient_aftercare", json!({ "id": id })).await.expect("aftercare record");
    assert_eq!(attempts["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(attempts["attempts"][0]["result"], "no_answer");

    // Print the roster of the week of the retry: preview, then write it for the viewer.
    app.click("[data-testid='tab-roster']").await;
    app.type_into("[data-testid='roster-week']", &dmy(retry)).await;
    app.click("[data-testid='roster-preview']").await;
    app.find("[data-testid='roster-doc']").await;
    app.screenshot(&shots.join("aftercare-roster-preview.png")).await;
    app.click("[data-testid='roster-open']").await;
    let written = app.text("[data-testid='roster-written']").await;
    let monday = retry - Days::new(u64::from(retry.weekday().num_days_from_monday()));
    let pdf = dir.path().join("printouts").join(format!("roster-{monday}.pdf"));
    assert!(written.contains(&pdf.display().to_string()), "{written:?}");
    assert!(pdf.exists(), "{} written", pdf.display());
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8_lossy(&out.stdout);
    // Privacy is the default: first name and initial, no phone number.
    assert!(text.contains("Ravinder K."), "{text}");
    assert!(!text.contains("98140"), "no phone in privacy mode");

    // He rings to say: no more calls. Withdrawn on his profile, it takes effect at once:
    // off the call list on screen and on paper, listed apart for a visit instead.
    app.click("[data-nav='patients']").await;
    app.click("[data-testid='patient-row'] .name").await;
    app.click("[data-testid='consent-withdraw'][data-kind='phone_followup']").await;
    app.click("[data-testid='consent-withdraw-confirm']").await;
    let phone_now = "[data-testid='consent-now'][data-kind='phone_followup']";
    app.wait_texts(phone_now, "the withdrawal", |t| t.first().is_some_and(|s| s.starts_with("Withdrawn on"))).await;
    app.screenshot(&shots.join("consents-profile.png")).await;
    app.click("[data-nav='aftercare']").await;
    app.click("[data-testid='range-week']").await;
    if retry.iso_week() == today.iso_week() {
        app.wait_texts("[data-testid='worklist-no-calls'] [data-testid='worklist-name']", "listed apart", |t| {
            t == ["Ravinder Kumar"]
        })
        .await;
        assert!(app.texts("[data-testid='worklist'] [data-testid='worklist-name']").await.is_empty(), "not to call");
    }
    std::fs::remove_file(&pdf).expect("the first printout is there");
    app.click("[data-testid='tab-roster']").await;
    app.type_into("[data-testid='roster-week']", &dmy(retry)).await;
    app.click("[data-testid='roster-open']").await;
    for _ in 0..100 {
        if pdf.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Ravinder"), "off the printed call list at once: {text}");

    // A counsellor's tabs: the shipped plan templates and the (empty) at-risk list.
    app.click("[data-testid='tab-templates']").await;
    app.wait_texts("[data-testid='template-list'] tbody tr", "three shipped templates", |t| t.len() == 3).await;
    app.screenshot(&shots.join("aftercare-templates.png")).await;
    app.click("[data-testid='tab-risk']").await;
    app.find("[data-testid='risk-empty']").await;
    // The printout opened for the printer is a plain PDF: it goes when the session ends.
    app.click("[data-testid='sign-out']").await;
    app.find("[data-testid='username']").await;
    assert!(!pdf.exists(), "{} removed at sign-out", pdf.display());
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn the_demo_centre_has_a_week_of_follow_ups_and_an_at_risk_list() {
    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let data = dir.path().display().to_string();
    // Generated for today, the date the window works with.
    let (code, _, err) = saathi_tests::run_saathi(&["demo", "--data-dir", &data]);
    assert_eq!(code, 0, "{err}");
    let app = App::launch(dir.path()).await;
    app.sign_in("counsellor", "demo-counsellor-1").await;
    app.click("[data-nav='aftercare']").await;
    app.click("[data-testid='range-week']").await;
    let names = app.wait_texts("[data-testid='worklist-name']", "this week's follow-ups", |t| t.len() >= 5).await;
    assert!(names.iter().any(|n| !n.is_ascii()), "names in Indian scripts on the worklist: {names:?}");
    app.screenshot(&shots.join("aftercare-demo-worklist.png")).await;
    // A call that reached the person and gave counselling, not only monitoring: the box
    // shows once "reached" is chosen, and the attempt keeps it.
    let rows = app.invoke("aftercare_worklist", json!({ "range": "week" })).await.expect("the worklist");
    let first = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"].as_str() == names.first().map(String::as_str))
        .unwrap_or_else(|| panic!("{names:?} on the worklist: {rows}"));
    let (followup, patient) = (first["followup_id"].as_i64().unwrap(), first["patient_id"].as_i64().unwrap());
    app.click("[data-testid='worklist-name']").await;
    app.find("[data-testid='attempt-form']").await;
    assert!(app.texts("[data-testid='attempt-counselling']").await.is_empty(), "no counselling box before reached");
    app.select("[data-testid='attempt-result']", "reached").await;
    app.select("[data-testid='attempt-status']", "sober").await;
    app.click("[data-testid='attempt-counselling']").await;
    app.screenshot(&shots.join("aftercare-attempt-counselling.png")).await;
    app.click("[data-testid='attempt-save']").await;
    app.find("[data-testid='attempt-notice']").await;
    let record = app.invoke("patient_aftercare", json!({ "id": patient })).await.expect("aftercare record");
    let saved = record["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .find(|a| a["followup_id"].as_i64() == Some(followup) && a["result"] == "reached")
        .cloned()
        .unwrap_or_else(|| panic!("the call is recorded: {record}"));
    assert_eq!(saved["counselling"], true, "{saved}");
    assert_eq!(saved["status"], "sober", "{saved}");
    app.click("[data-testid='tab-risk']").await;
    app.wait_texts("[data-testid='risk-row']", "people at risk", |t| !t.is_empty()).await;
    app.screenshot(&shots.join("aftercare-demo-risk.png")).await;
    app.quit().await;
}
