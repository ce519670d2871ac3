//! Converting a centre's plain database to an encrypted one, killed (`kill -9`) at random
//! moments and started again: every time, the next run finishes the job, the centre's
//! rows are all there behind the key, and no plain copy is left in the folder. Needs the
//! debug `saathi` binary with the test hooks (`encrypt-in-place`).
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use saathi_core::Store;
use saathi_core::keyslots::DbKey;
use saathi_tests::{Rng, run_saathi, saathi_bin};

const KEY: [u8; 32] = [0x5a; 32];

fn key_hex() -> String {
    KEY.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every table's row count, read with `key` (or plain).
fn rows(db: &Path, key: Option<&DbKey>) -> Vec<(String, i64)> {
    let store = Store::open_with(db, key).unwrap();
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
    let key = DbKey::from_bytes(KEY);
    let template = tempfile::tempdir().unwrap();
    let (code, _, err) = run_saathi(&["demo", "--data-dir", template.path().to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let db_name = "saathi.db";
    let expected = rows(&template.path().join(db_name), None);

    // How long an uninterrupted conversion takes here, to kill within it.
    let timed = tempfile::tempdir().unwrap();
    std::fs::copy(template.path().join(db_name), timed.path().join(db_name)).unwrap();
    let started = Instant::now();
    let (code, out, err) =
        run_saathi(&["encrypt-in-place", "--data-dir", timed.path().to_str().unwrap(), "--key-hex", &key_hex()]);
    assert_eq!(code, 0, "{out}{err}");
    let span = started.elapsed().as_micros() as u64;
    assert_eq!(rows(&timed.path().join(db_name), Some(&key)), expected);

    let mut rng = Rng::from_env_or_clock();
    let mut killed_midway = 0;
    for cycle in 0..25 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(db_name);
        std::fs::copy(template.path().join(db_name), &db).unwrap();
        let mut child = Command::new(saathi_bin())
            .args(["encrypt-in-place", "--data-dir", dir.path().to_str().unwrap(), "--key-hex", &key_hex()])
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
        let (code, out, err) =
            run_saathi(&["encrypt-in-place", "--data-dir", dir.path().to_str().unwrap(), "--key-hex", &key_hex()]);
        assert_eq!(code, 0, "cycle {cycle}: {out}{err}");
        assert_eq!(rows(&db, Some(&key)), expected, "cycle {cycle}");
        no_plain_file_left(dir.path(), cycle);
    }
    eprintln!("{killed_midway} of 25 conversions were killed before they finished (one takes {span} µs)");
    assert!(killed_midway >= 5, "the kills landed inside the conversion ({killed_midway} of 25)");
}
