//! The whole backup of the ten-year centre (snapshot, encrypt onto the "stick", read back
//! and verify) next to the plain reference pair on the same file in the same run:
//! `sqlite3 DB ".backup COPY"` then `age -r RECIPIENT -o OUT COPY`. Runs them in turns so
//! that both see the same machine, and prints both and their ratio.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use saathi_core::backup::{self, key};
use saathi_core::{Actor, Ctx, Role, Store};

const ROUNDS: usize = 7;

pub fn backup_vs_reference(centre: &Path, today: chrono::NaiveDate) {
    let Some(work) = tempfile::tempdir().ok() else { return eprintln!("bench: no temporary folder") };
    let data = work.path().join("data");
    let stick = work.path().join("stick");
    let plain = work.path().join("reference");
    for d in [&data, &stick, &plain] {
        let _ = std::fs::create_dir_all(d);
    }
    let db = data.join(saathi_core::db::DB_FILE);
    if let Err(e) = std::fs::copy(centre, &db) {
        return eprintln!("bench: cannot copy {}: {e}", centre.display());
    }
    let ctx = Ctx::at(Actor { staff_id: None, role: Role::Admin }, today);
    let mut store = match Store::open(&db) {
        Ok(s) => s,
        Err(e) => return eprintln!("bench: cannot open the copy: {e}"),
    };
    let set_up = store.write(|tx| key::set_up_with_work_factor(tx, &ctx, "bench passphrase one", true, 10));
    let recipient = match set_up {
        Ok(r) => r,
        Err(e) => return eprintln!("bench: backup key: {e}"),
    };
    if !tool("sqlite3") || !tool("age") {
        return eprintln!("bench: backup reference needs the sqlite3 and age programs (apt install sqlite3 age)");
    }
    let mut ours = Vec::new();
    let mut reference = Vec::new();
    let mut bytes = 0;
    for round in 0..=ROUNDS {
        let t = Instant::now();
        let mut phases: Vec<(String, u64)> = Vec::new();
        let mut note = |p: backup::BackupProgress| {
            let name = format!("{:?}", p.phase);
            if phases.last().is_none_or(|(n, _)| *n != name) {
                phases.push((name, p.elapsed_ms));
            }
        };
        match backup::back_up(&mut store, &data, &stick, &ctx, &mut note) {
            Ok(done) => bytes = done.bytes,
            Err(e) => return eprintln!("bench: backup failed: {e}"),
        }
        let ours_took = t.elapsed();
        if round == 1 {
            eprintln!("bench: backup phases began at (ms): {phases:?}");
        }
        empty(&backup::backup_folder(&stick));

        let copy = plain.join("copy.db");
        let out = plain.join("copy.db.age");
        let t = Instant::now();
        let ok = Command::new("sqlite3").arg(&db).arg(format!(".backup '{}'", copy.display())).status();
        let ok = ok.is_ok_and(|s| s.success())
            && Command::new("age")
                .args(["-r", &recipient, "-o"])
                .arg(&out)
                .arg(&copy)
                .status()
                .is_ok_and(|s| s.success());
        let reference_took = t.elapsed();
        empty(&plain);
        if !ok {
            return eprintln!("bench: the sqlite3 + age reference failed");
        }
        // Round 0 warms the page cache for both.
        if round > 0 {
            ours.push(ours_took);
            reference.push(reference_took);
        }
    }
    eprintln!("bench: backup of {} MB, {ROUNDS} rounds each", bytes / 1_000_000);
    let (om, op) = stats(&mut ours);
    let (rm, rp) = stats(&mut reference);
    println!("backup_whole_database  {om:.0}  {op:.0}  ms");
    println!("backup_reference_sqlite3_age  {rm:.0}  {rp:.0}  ms");
    println!("backup_ratio_to_reference  {:.2}  {:.2}  x", om / rm, op / rp);
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn empty(dir: &PathBuf) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let _ = std::fs::remove_file(e.path());
    }
}

fn stats(v: &mut [Duration]) -> (f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.95))
}
