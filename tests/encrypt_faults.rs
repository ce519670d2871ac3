//! Converting a centre's plain database to an encrypted one (what the first start of an
//! encrypting Saathi does), killed (`kill -9`) at random moments and started again: every
//! time, the next run finishes the job (or starts it again from the untouched plain file),
//! the centre's rows are all there behind the administrator's password, and no plain copy
//! is left in the folder. Needs the debug `saathi` binary with the test hooks
//! (`encrypt-in-place`, which does only the start-up conversion).
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use saathi_core::Store;
use saathi_tests::{Rng, open_demo_centre, run_saathi, saathi_bin};

/// Every table's row count (of a plain store, or of a folder's encrypted one).
fn rows(store: &Store) -> Vec<(String, i64)> {
    let c = store.conn();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    names
        .into_iter()
        .map(|n| {
            let count = c.query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0)).unwrap();
            (n, count)
        })
        .collect()
}

fn no_plain_file_left(dir: &Path, cycle: u32) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.starts_with(b"SQLite format 3"), "cycle {cycle}: {} is plain", path.display());
        }
    }
}

#[test]
fn a_conversion_killed_at_any_moment_is_finished_by_the_next_start() {
    let out = Command::new(saathi_bin()).args(["encrypt-in-place", "--help"]).output().unwrap();
    assert!(out.status.success(), "the saathi binary has no test hooks: build it with --features dev-tools");
    // A plain centre, as an older Saathi left it.
    let template = tempfile::tempdir().unwrap();
    let db_name = "saathi.db";
    let expected = {
        let mut store = Store::open(&template.path().join(db_name)).unwrap();
        saathi_core::demo::generate(&mut store, saathi_tests::today(), 3).unwrap();
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        rows(&store)
    };

    // How long an uninterrupted conversion takes here, to kill within it.
    let timed = tempfile::tempdir().unwrap();
    std::fs::copy(template.path().join(db_name), timed.path().join(db_name)).unwrap();
    let started = Instant::now();
    let (code, out, err) = run_saathi(&["encrypt-in-place", "--data-dir", timed.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let span = started.elapsed().as_micros() as u64;
    assert_eq!(rows(&open_demo_centre(timed.path())), expected);

    let mut rng = Rng::from_env_or_clock();
    let mut killed_midway = 0;
    for cycle in 0..25 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(db_name);
        std::fs::copy(template.path().join(db_name), &db).unwrap();
        let mut child = Command::new(saathi_bin())
            .args(["encrypt-in-place", "--data-dir", dir.path().to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            killed_midway += 1;
        }
        // The next start finishes the job.
        let (code, out, err) = run_saathi(&["encrypt-in-place", "--data-dir", dir.path().to_str().unwrap()]);
        assert_eq!(code, 0, "cycle {cycle}: {out}{err}");
        assert_eq!(rows(&open_demo_centre(dir.path())), expected, "cycle {cycle}");
        no_plain_file_left(dir.path(), cycle);
    }
    eprintln!("{killed_midway} of 25 conversions were killed before they finished (one takes {span} µs)");
    assert!(killed_midway >= 5, "the kills landed inside the conversion ({killed_midway} of 25)");
}
