//! Start-up time and memory of Saathi on the ten-year centre, next to the smallest Tauri
//! window built with the same toolchain (tests/minimal-window). Prints figures (the
//! ratios are what count); it asserts only that both start and that the numbers are
//! real, never a timing budget — budgets are for the benchmark, not for tests.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use saathi_core::scale::{self, Scale};
use saathi_tests::e2e::App;

const RUNS: usize = 3;

fn minimal_bin() -> PathBuf {
    let bin = saathi_tests::saathi_bin().with_file_name("saathi-minimal-window");
    assert!(bin.exists(), "{} is missing: cargo build --workspace", bin.display());
    bin
}

/// The ten-year centre, copied into `dir`: the benchmark's cached copy (same generator,
/// same seed) in the target folder's bench/, generated there first when missing, so that
/// the tests here, the bench and later runs (CI's too: its target folder outlives the
/// clone) share one. `SAATHI_STARTUP_SCALE=small` for a quick look.
fn ten_year_centre(dir: &std::path::Path) -> PathBuf {
    let size = std::env::var("SAATHI_STARTUP_SCALE").ok().and_then(|s| Scale::named(&s)).unwrap_or(Scale::TEN_YEARS);
    saathi_tests::generated_centre(dir, &size)
}

fn by_name(app: &App) -> Vec<(String, u64)> {
    app.memory_by_process().into_iter().map(|(name, pss, _)| (name, pss)).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn start_up_and_memory_next_to_a_minimal_tauri_window() {
    let dir = tempfile::tempdir().unwrap();
    ten_year_centre(dir.path());
    let empty = tempfile::tempdir().unwrap();
    let (mut minimal_ms, mut first_ms, mut today_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut minimal_mem, mut saathi_mem) = (Vec::new(), Vec::new());

    for _ in 0..RUNS {
        let t = Instant::now();
        let app = App::launch_program(&minimal_bin(), vec![], empty.path()).await;
        app.find("#ready").await;
        minimal_ms.push(t.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (pss, rss) = app.memory_kib();
        assert!(pss > 10_000 && rss >= pss, "the minimal window's processes were found: {pss} / {rss} KiB");
        eprintln!("startup: the minimal window's processes (name, PSS KiB): {:?}", by_name(&app));
        minimal_mem.push(pss as f64);
        app.quit().await;

        let t = Instant::now();
        let args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
        let app = App::launch_program(&saathi_tests::saathi_bin(), args, dir.path()).await;
        app.find("[data-testid='sign-in-submit']").await;
        first_ms.push(t.elapsed().as_secs_f64() * 1e3);
        app.sign_in(scale::SIGN_IN.0, scale::SIGN_IN.1).await;
        let n = app.text("[data-testid='count-inpatients'] .num").await;
        today_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(n.parse::<u32>().unwrap_or(0) > 0, "Today shows the centre's in-patients: {n:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (pss, rss) = app.memory_kib();
        assert!(pss > 10_000 && rss >= pss, "Saathi's processes were found: {pss} / {rss} KiB");
        eprintln!("startup: Saathi's processes (name, PSS KiB): {:?}", by_name(&app));
        saathi_mem.push(pss as f64);
        app.quit().await;
    }
    let (m, f, t) = (median(minimal_ms), median(first_ms), median(today_ms));
    let (mm, sm) = (median(minimal_mem) / 1024.0, median(saathi_mem) / 1024.0);
    println!("startup_minimal_window  {m:.0}  ms");
    println!("startup_saathi_first_screen  {f:.0}  ms");
    println!("startup_saathi_signed_in_today  {t:.0}  ms");
    println!("startup_ratio_first_screen  {:.2}", f / m);
    println!("memory_minimal_window_pss  {mm:.0}  MiB");
    println!("memory_saathi_pss  {sm:.0}  MiB");
    println!("memory_ratio  {:.2}", sm / mm);
}

/// Rows, list items and options on screen now (inside the main area).
async fn rendered(app: &App) -> u64 {
    let script = "return document.querySelectorAll('main tr, main li, main option').length;";
    app.client.execute(script, vec![]).await.ok().and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Waits until the count of rendered rows stops changing (the screen has loaded).
async fn settled(app: &App) -> u64 {
    let (mut last, mut same) = (u64::MAX, 0);
    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = rendered(app).await;
        same = if now == last { same + 1 } else { 0 };
        if same >= 2 || start.elapsed() > Duration::from_secs(15) {
            return now;
        }
        last = now;
    }
}

/// No screen puts thousands of rows on the page with ten years of data: long lists are
/// paged (in the query or on screen).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver (run by .ci/run)"]
async fn every_screen_of_the_ten_year_centre_shows_a_page_not_thousands_of_rows() {
    const MOST: u64 = 600;
    let dir = tempfile::tempdir().unwrap();
    ten_year_centre(dir.path());
    let app = App::launch(dir.path()).await;
    app.sign_in(scale::SIGN_IN.0, scale::SIGN_IN.1).await;
    app.find("[data-testid='count-inpatients']").await;
    let steps: &[(&str, &[&str])] = &[
        ("today", &[]),
        ("patients", &[]),
        ("groups", &["[data-testid='tab-list']"]),
        ("groups", &["[data-testid='tab-week']"]),
        ("groups", &["[data-testid='tab-missing']"]),
        ("groups", &["[data-testid='tab-report']", "[data-testid='report-show']"]),
        ("mentorship", &["[data-tab='suggestions']"]),
        ("mentorship", &["[data-tab='waiting']"]),
        ("mentorship", &["[data-tab='mentors']"]),
        ("mentorship", &["[data-tab='pairs']"]),
        ("mentorship", &["[data-tab='exclusions']"]),
        ("aftercare", &["[data-testid='tab-worklist']"]),
        ("aftercare", &["[data-testid='tab-risk']"]),
        ("aftercare", &["[data-testid='tab-roster']"]),
        ("backup", &[]),
        ("settings", &[]),
        ("audit", &[]),
        ("patients", &["[data-testid='patient-row'] .name"]),
    ];
    let mut worst = (0, String::new());
    for (nav, clicks) in steps {
        app.click(&format!("[data-nav='{nav}']")).await;
        settled(&app).await;
        for c in *clicks {
            app.click(c).await;
        }
        let n = settled(&app).await;
        let what = format!("{nav} {}", clicks.join(" "));
        println!("rows_on_screen  {n}  {what}");
        if n > worst.0 {
            worst = (n, what);
        }
    }
    assert!(worst.0 <= MOST, "{} rows on screen at {}", worst.0, worst.1);
    app.quit().await;
}
