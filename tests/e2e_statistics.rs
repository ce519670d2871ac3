//! End-to-end: the statistics screen in the real window. The demo centre's month shows
//! the figures the core computes; in Hindi it is screenshotted; an administrator opens a
//! figure's people; the front desk does not see a person's counselling sessions on the
//! profile (an administrator does), nor the people behind a figure.
use chrono::Datelike;
use saathi_core::statistics::{self, Figure, Period};
use saathi_core::{Actor, Ctx, Role};
use saathi_tests::e2e::App;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn statistics_screen_shows_the_core_figures_people_for_an_admin_and_hides_counselling_from_the_front_desk() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().date_naive();
    let out = std::process::Command::new(saathi_tests::saathi_bin())
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", &today.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let month = Period::parse(&format!("{}-{:02}", today.year(), today.month())).unwrap();
    let (stats, called, counselled, counselled_name, note) = {
        let mut store = saathi_tests::open_demo_centre(dir.path());
        let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, today);
        let stats = statistics::compute(store.conn(), &ctx, &month).unwrap();
        let called: Vec<String> = store
            .write(|tx| statistics::people(tx, &ctx, &month, Figure::FollowupAttempts, "total"))
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        // Someone with counselling sessions and a name no one else has.
        let (id, name, note): (i64, String, String) = store
            .conn()
            .query_row(
                "SELECT p.id, p.full_name, c.note FROM patients p JOIN counselling_sessions c ON c.patient_id = p.id
                 WHERE p.archived_at IS NULL AND c.note <> ''
                   AND (SELECT count(*) FROM patients q WHERE q.full_name = p.full_name) = 1
                 ORDER BY c.on_date DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        (stats, called, id, name, note)
    };
    assert!(stats.value(Figure::CounsellingSessions, "total") > 0, "the demo month has counselling sessions");
    assert!(!called.is_empty(), "someone was called this month");

    let shots = saathi_tests::workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let app = App::launch(dir.path()).await;
    app.sign_in("admin", "demo-admin-1").await;
    app.click("[data-nav='statistics']").await;
    // Every figure on the screen is the core's.
    for row in &stats.figures {
        let css = format!("[data-testid='total-{}']", row.figure.as_str());
        let want = row.total.to_string();
        app.wait_texts(&css, "the core's figure", |t| t.first().is_some_and(|s| *s == want)).await;
    }
    let v = stats.value(Figure::Discharges, "sex:male");
    if v > 0 {
        let cell = app.text("[data-testid='cell-discharges-sex:male']").await;
        assert!(cell.ends_with(&v.to_string()), "{cell} is {v}");
    }
    app.screenshot(&shots.join("statistics-en.png")).await;

    // An administrator opens a figure: the people counted, by name (on the screen only).
    app.click("[data-testid='open-followup_attempts-total']").await;
    let mut seen = app
        .wait_texts("[data-testid='stats-person']", "the people called", |t| t.len() == called.len())
        .await
        .into_iter()
        .map(|s| s.split('×').next().unwrap_or("").trim().to_owned())
        .collect::<Vec<_>>();
    let mut want = called.clone();
    seen.sort();
    want.sort();
    assert_eq!(seen, want);
    app.screenshot(&shots.join("statistics-people.png")).await;
    app.click("[data-testid='stats-people-close']").await;

    // A quarter: the screen asks the core again.
    app.select("[data-testid='stats-kind']", "quarter").await;
    let quarter = Period::parse(&format!("{}-Q{}", today.year(), today.month0() / 3 + 1)).unwrap();
    let q = {
        let store = saathi_tests::open_demo_centre(dir.path());
        let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, today);
        statistics::compute(store.conn(), &ctx, &quarter).unwrap()
    };
    let want = q.value(Figure::OutreachPeopleReached, "total").to_string();
    app.wait_texts("[data-testid='total-outreach_people_reached']", "the quarter's figure", |t| {
        t.first().is_some_and(|s| *s == want)
    })
    .await;
    app.select("[data-testid='stats-kind']", "month").await;

    // The same screen in Hindi.
    app.click("[data-nav='settings']").await;
    app.click("[data-testid='lang-hi']").await;
    app.click("[data-nav='statistics']").await;
    app.wait_texts("[data-testid='figure-counselling_sessions'] h3", "the figure in Hindi", |t| {
        t.first().is_some_and(|s| s.contains("परामर्श सत्र"))
    })
    .await;
    app.screenshot(&shots.join("statistics-hi.png")).await;

    // The administrator sees the person's counselling sessions on the profile.
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", &counselled_name).await;
    app.wait_texts("[data-testid='patient-row'] .name", "the person", |t| t.len() == 1).await;
    app.click("[data-testid='patient-row'] .name").await;
    app.click("[data-testid='show-counselling']").await;
    app.wait_texts("[data-testid='counselling-list'] li", "the sessions", |t| t.iter().any(|s| s.contains(&note)))
        .await;
    app.click("[data-testid='sign-out']").await;

    // The front desk: no counselling panel, no note, no people behind a figure.
    app.sign_in("frontdesk", "demo-frontdesk-1").await;
    app.click("[data-nav='patients']").await;
    app.type_into("[data-testid='patient-search']", &counselled_name).await;
    app.wait_texts("[data-testid='patient-row'] .name", "the person", |t| t.len() == 1).await;
    app.click("[data-testid='patient-row'] .name").await;
    app.find("[data-testid='case-panel']").await;
    let page = app.page_text().await;
    assert!(page.contains(&counselled_name), "the profile is open");
    assert!(!page.contains(&note), "the front desk never reads a counselling note");
    assert!(app.texts("[data-testid='counselling']").await.is_empty(), "no counselling panel for the front desk");
    let refused = app.invoke("list_counselling_sessions", serde_json::json!({ "id": counselled })).await.unwrap_err();
    assert_eq!(refused["code"], "forbidden");
    app.click("[data-nav='statistics']").await;
    app.find("[data-testid='total-counselling_sessions']").await;
    assert!(app.texts("[data-testid='open-admissions_new-total']").await.is_empty(), "no people for the front desk");
    let refused = app
        .invoke(
            "statistics_people",
            serde_json::json!({ "period": month_code(&month), "figure": "admissions_new", "breakdown": "total" }),
        )
        .await
        .unwrap_err();
    assert_eq!(refused["code"], "forbidden");
    app.screenshot(&shots.join("statistics-front-desk.png")).await;
    app.quit().await;
}

fn month_code(p: &Period) -> String {
    p.code()
}
