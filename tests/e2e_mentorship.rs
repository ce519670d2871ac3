//! End-to-end on the demo centre: a counsellor asks for suggestions, accepts one, sees the
//! pair on both profiles, and ends it with a reason. Screenshots go to target/screenshots/.
use std::process::Command;

use saathi_tests::e2e::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn suggest_accept_see_on_both_profiles_and_end_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let twins = same_name_for_two_suggested_mentees(dir.path());

    let app = App::launch(dir.path()).await;
    app.sign_in("counsellor", "demo-counsellor-1").await;
    app.click("[data-nav='mentorship']").await;
    let waiting = app.wait_texts("[data-tab='waiting']", "the waiting count", |t| t.len() == 1).await;
    assert!(waiting[0].contains("(") && !waiting[0].contains("(0)"), "{waiting:?}");
    app.click("[data-tab='mentors']").await;
    let loads = app.wait_texts("[data-testid='mentor-row'] .load", "mentor loads", |t| t.len() == 15).await;
    assert!(loads.iter().all(|l| l.contains('/')), "{loads:?}");

    app.click("[data-testid='suggest-pairs']").await;
    let mentees = app.wait_texts("[data-testid='suggestion'] .mentee", "suggestions", |t| !t.is_empty()).await;
    let mentors = app.texts("[data-testid='suggestion'] .mentor").await;
    let reasons = app.texts("[data-testid='suggestion'] .reasons").await;
    assert!(reasons.iter().all(|r| r.contains("both speak")), "every pair shares a language: {reasons:?}");
    let unmatched = app.texts("[data-testid='unmatched'] li").await;
    assert!(!unmatched.is_empty(), "some people are left without a mentor, with the reason");
    // Two people with one name are told apart by their record numbers.
    let (name, a, b) = &twins;
    let cells = app.texts("[data-testid='suggestion'] td:first-child").await;
    let same: Vec<&String> = cells.iter().filter(|c| c.starts_with(&format!("{name} "))).collect();
    assert_eq!(same.len(), 2, "both are suggested under one name: {cells:?}");
    assert_ne!(same[0], same[1], "the two rows look different");
    for id in [a, b] {
        assert!(same.iter().any(|c| c.ends_with(&format!("No. {id}"))), "record number {id} is shown: {same:?}");
    }
    app.screenshot(&shots.join("mentorship-suggestions.png")).await;

    let (mentee, mentor) = (mentees[0].clone(), mentors[0].clone());
    app.click("[data-testid='suggestion'] .accept").await;
    let notice = app.text("[data-testid='mentor-notice']").await;
    assert!(notice.contains(&mentor) && notice.contains(&mentee), "{notice}");
    let left = app.texts("[data-testid='suggestion'] .mentee").await;
    assert!(!left.contains(&mentee), "the accepted mentee leaves the suggestions");

    // On the mentee's profile, and on the mentor's.
    app.click("[data-tab='pairs']").await;
    let pair_mentees = app.texts("[data-testid='pair-row'] .mentee").await;
    let at = pair_mentees.iter().position(|m| *m == mentee).expect("the new pair is listed");
    app.click(&format!("[data-testid='pair-row']:nth-child({}) .mentee", at + 1)).await;
    let history = app.wait_texts("[data-testid='mentor-history'] li", "mentee history", |t| !t.is_empty()).await;
    assert!(history.iter().any(|h| h.contains(&mentor) && h.contains("ongoing")), "{history:?}");
    app.screenshot(&shots.join("mentorship-profile.png")).await;
    app.click("[data-testid='back']").await;
    app.click("[data-tab='pairs']").await;
    let pair_mentors = app.texts("[data-testid='pair-row'] .mentor").await;
    let at = app.texts("[data-testid='pair-row'] .mentee").await.iter().position(|m| *m == mentee).unwrap();
    assert_eq!(pair_mentors[at], mentor);
    app.click(&format!("[data-testid='pair-row']:nth-child({}) .mentor", at + 1)).await;
    let history = app.wait_texts("[data-testid='mentor-history'] li", "mentor history", |t| !t.is_empty()).await;
    assert!(history.iter().any(|h| h.starts_with("Mentoring") && h.contains(&mentee)), "{history:?}");
    app.click("[data-testid='back']").await;

    // End it: moved away, and it went badly, so they are never suggested again.
    app.click("[data-tab='pairs']").await;
    let at = app.texts("[data-testid='pair-row'] .mentee").await.iter().position(|m| *m == mentee).unwrap();
    app.click(&format!("[data-testid='pair-row']:nth-child({}) .end", at + 1)).await;
    app.find("[data-testid='end-reason'] option[value='moved_away']").await.click().await.unwrap();
    app.click("[data-testid='end-badly']").await;
    app.type_into("[data-testid='end-note']", "moved to Ludhiana").await;
    app.click("[data-testid='end-save']").await;
    app.wait_texts("[data-testid='mentor-notice']", "ended", |t| t.len() == 1 && t[0].contains("ended")).await;
    let still = app.texts("[data-testid='pair-row'] .mentee").await;
    assert!(!still.contains(&mentee), "the ended pair leaves the current pairs");
    app.click("[data-tab='exclusions']").await;
    let excl = app.texts("[data-testid='exclusions'] tbody tr").await;
    assert!(excl.iter().any(|x| x.contains(&mentor) && x.contains(&mentee)), "{excl:?}");

    // The history stays on the mentee's profile, with the reason.
    app.click("[data-tab='waiting']").await;
    app.click("[data-nav='patients']").await;
    app.click("[data-nav='mentorship']").await;
    app.click("[data-tab='waiting']").await;
    let names = app.texts("[data-testid='waiting'] .name").await;
    let at = names.iter().position(|n| *n == mentee).expect("the mentee waits again");
    app.click(&format!("[data-testid='waiting'] tbody tr:nth-child({}) .name", at + 1)).await;
    let history = app.wait_texts("[data-testid='mentor-history'] li", "ended history", |t| !t.is_empty()).await;
    assert!(
        history.iter().any(|h| h.contains(&mentor) && h.contains("Moved away") && h.contains("ended badly")),
        "{history:?}"
    );
    app.quit().await;
}

/// Gives the third suggested mentee the name of the second (through the core, as an edit
/// of the record would), before the app starts: (the name, both record numbers).
fn same_name_for_two_suggested_mentees(data_dir: &std::path::Path) -> (String, i64, i64) {
    use saathi_core::{Actor, Ctx, Role, mentorship, patients};
    let mut store = saathi_tests::open_demo_centre(data_dir);
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, chrono::Local::now().date_naive());
    let s = mentorship::suggest(store.conn(), &ctx).unwrap();
    assert!(s.pairs.len() >= 3, "the demo has suggestions: {}", s.pairs.len());
    let (a, b) = (s.pairs[1].mentee_id, s.pairs[2].mentee_id);
    let name = store
        .write(|tx| {
            let first = patients::view(tx, &ctx, a)?.details;
            let mut second = patients::view(tx, &ctx, b)?.details;
            second.full_name = first.full_name.clone();
            second.preferred_name = first.preferred_name.clone();
            patients::update(tx, &ctx, b, &second)?;
            Ok(s.pairs[1].mentee_name.clone())
        })
        .unwrap();
    (name, a, b)
}
