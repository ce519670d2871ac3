//! Signing in to an encrypted centre, as the window does it after a start: the slots
//! file read, the staff member's key slot opened with the password (Argon2id), the
//! database opened with the key, its start-up integrity check (which the sign-in's write
//! waits for), and the sign-in itself (the register's password hash checked and audited).
//! On the demo centre and on the ten-year centre (encrypted once per run, as a first start
//! of this version would: the time is printed too).
use std::path::Path;
use std::time::Instant;

use saathi_core::db::{Opening, Store};
use saathi_core::keyslots::KeySlots;
use saathi_core::{Actor, Ctx, auth, paths, vault};

const ROUNDS: usize = 5;

fn sign_in_once(dir: &Path, user: &str, password: &str) -> Result<f64, String> {
    let began = Instant::now();
    let slots = KeySlots::load(dir).map_err(|e| e.to_string())?.ok_or("no slots")?;
    let (key, staff_id) = vault::unlock(&slots, user, password).map_err(|e| e.to_string())?;
    let db = paths::db_path(dir);
    let mut store = match Store::open_in_stages(&db, Some(&key)).map_err(|e| e.to_string())? {
        Opening::Ready(store) => store,
        Opening::Unchecked(early) => {
            drop(early);
            saathi_core::db::integrity_check(&db, Some(&key)).map_err(|e| e.to_string())?;
            Store::open_checked(&db, Some(&key)).map_err(|e| e.to_string())?
        }
    };
    let ctx = Ctx::now(Actor::system());
    store
        .write(|tx| auth::sign_in_unlocked(tx, &ctx, staff_id, password))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(began.elapsed().as_secs_f64() * 1e3)
}

fn figure(name: &str, dir: &Path, user: &str, password: &str) {
    let mut samples: Vec<f64> = Vec::new();
    for _ in 0..ROUNDS {
        match sign_in_once(dir, user, password) {
            Ok(ms) => samples.push(ms),
            Err(e) => return eprintln!("bench: {name}: {e}"),
        }
    }
    samples.sort_by(f64::total_cmp);
    println!("{name}  {:.0}  {:.0}  ms", samples[samples.len() / 2], samples[samples.len() - 1]);
}

/// `centre` is the plain ten-year file; the demo centre is generated here.
pub fn sign_in_figures(centre: &Path, today: chrono::NaiveDate) {
    let Some(work) = tempfile::tempdir().ok() else { return eprintln!("bench: no temporary folder") };
    let demo = work.path().join("demo");
    let made = Store::open(&paths::db_path(&demo))
        .and_then(|mut s| saathi_core::demo::generate(&mut s, today, 3))
        .and_then(|_| vault::convert(&demo));
    if let Err(e) = made {
        return eprintln!("bench: demo centre: {e}");
    }
    let (_, user, password) = saathi_core::demo::DEMO_ACCOUNTS[0];
    figure("sign_in_with_unlock_demo", &demo, user, password);

    let big = work.path().join("ten-years");
    if let Err(e) = std::fs::create_dir_all(&big).and_then(|()| std::fs::copy(centre, paths::db_path(&big))) {
        return eprintln!("bench: cannot copy {}: {e}", centre.display());
    }
    let began = Instant::now();
    if let Err(e) = vault::convert(&big) {
        return eprintln!("bench: converting the ten-year centre: {e}");
    }
    println!("first_start_conversion_ten_year  {:.1}  s", began.elapsed().as_secs_f64());
    let (user, password) = saathi_core::scale::SIGN_IN;
    figure("sign_in_with_unlock_ten_year", &big, user, password);
}
