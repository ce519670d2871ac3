//! Signing in to an encrypted centre, as the window does it after a start: the slots
//! file read, the staff member's key slot opened with the password (Argon2id), the
//! database opened with the key, and the sign-in itself (the register's password hash
//! checked and audited). After a clean close the file was checked as the last window
//! closed (`db::check_at_close`, timed too: what closing costs); after a power cut the
//! start-up check runs and the sign-in's write waits for it. On the demo centre and on
//! the ten-year centre (encrypted once per run, as a first start of this version would:
//! the time is printed too).
use std::path::Path;
use std::time::Instant;

use saathi_core::db::{Opening, Store};
use saathi_core::keyslots::KeySlots;
use saathi_core::{Actor, Ctx, auth, paths, vault};

const ROUNDS: usize = 5;

/// One sign-in (its milliseconds), then the window's close: checked and noted when
/// `close_cleanly` (its milliseconds too), else left as a power cut leaves it (no note).
fn sign_in_once(dir: &Path, user: &str, password: &str, close_cleanly: bool) -> Result<(f64, f64), String> {
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
    let signed_in = began.elapsed().as_secs_f64() * 1e3;
    drop(store);
    let closing = Instant::now();
    if close_cleanly {
        saathi_core::db::check_at_close(&db, &key).map_err(|e| e.to_string())?;
    }
    Ok((signed_in, closing.elapsed().as_secs_f64() * 1e3))
}

fn print(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    println!("{name}  {:.0}  {:.0}  ms", samples[samples.len() / 2], samples[samples.len() - 1]);
}

/// `name` after a clean close (and `close_name`, the close's check), then `cut_name`
/// after a power cut (no note: the start-up check).
fn figures(dir: &Path, user: &str, password: &str, [name, close_name, cut_name]: [&str; 3]) {
    // The first start after the conversion finds no note: it checks, and closes cleanly.
    if let Err(e) = sign_in_once(dir, user, password, true) {
        return eprintln!("bench: {name}: {e}");
    }
    let (mut signed_in, mut closing, mut after_cut) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        match sign_in_once(dir, user, password, true) {
            Ok((s, c)) => (signed_in.push(s), closing.push(c)),
            Err(e) => return eprintln!("bench: {name}: {e}"),
        };
    }
    // A power cut during the last session: its start had used the note.
    let _ = std::fs::remove_file(dir.join(saathi_core::clean_close::CHECKED_FILE));
    for _ in 0..ROUNDS {
        match sign_in_once(dir, user, password, false) {
            Ok((s, _)) => after_cut.push(s),
            Err(e) => return eprintln!("bench: {cut_name}: {e}"),
        }
    }
    print(name, signed_in);
    print(close_name, closing);
    print(cut_name, after_cut);
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
    figures(&demo, user, password, ["sign_in_with_unlock_demo", "check_at_close_demo", "sign_in_after_power_cut_demo"]);

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
    figures(
        &big,
        user,
        password,
        ["sign_in_with_unlock_ten_year", "check_at_close_ten_year", "sign_in_after_power_cut_ten_year"],
    );
}
