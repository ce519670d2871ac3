//! `saathi backup` and `saathi restore` on the command line.
use std::io::{BufRead, Write};
use std::path::Path;

use saathi_core::anchor::AnchorCheck;
use saathi_core::backup::{self, BackupPhase};
use saathi_core::keyslots::DbKey;

use crate::cli_access::{Credentials, read_secret};
use saathi_core::{Actor, Ctx, Store, paths};

fn system() -> Ctx {
    Ctx::now(Actor::system())
}

/// `key`: the key the database is encrypted with (`None` while it is plain).
pub fn backup(data_dir: &Path, to: &Path, key: Option<&DbKey>) -> Result<(), String> {
    let db = paths::db_path(data_dir);
    if !db.exists() {
        return Err(format!("There is no Saathi database in {}.", data_dir.display()));
    }
    // No instance lock: a scheduled backup runs while the window is open (SQLite lets a
    // reader take a consistent snapshot beside the writer).
    let mut store = Store::open_with(&db, key).map_err(|e| e.to_string())?;
    let mut last = None;
    let done = backup::back_up(&mut store, data_dir, to, &system(), &mut |p| {
        if last != Some(p.phase) {
            last = Some(p.phase);
            let what = match p.phase {
                BackupPhase::Snapshot => "Copying the database…",
                BackupPhase::Encrypt => "Encrypting onto the stick…",
                BackupPhase::Verify => "Reading it back and checking…",
                BackupPhase::Done => "Done.",
            };
            eprintln!("{what}");
        }
    })
    .map_err(|e| e.to_string())?;
    println!("Backup verified: {} ({} KB)", done.path, done.bytes.div_ceil(1024));
    for old in &done.rotated_out {
        println!("Removed an older backup (rotation): {old}");
    }
    Ok(())
}

/// `saathi restore`. With `--user`, an administrator acts (their password opens the key,
/// the register checks their role, the restore is audited under their name); without it
/// (the database may not open at all), nobody signs in and this centre's backup
/// passphrase or recovery code proves the right ([`backup::prepare_unsigned`]), read
/// from `secret_file` or typed.
pub fn restore(
    data_dir: &Path,
    file: &Path,
    secret_file: Option<&Path>,
    yes: bool,
    who: &Credentials,
) -> Result<(), String> {
    let _lock = saathi_core::db::InstanceLock::acquire(data_dir).map_err(|e| e.to_string())?;
    if !file.is_file() {
        return Err(format!("There is no file at {}.", file.display()));
    }
    let copy = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("db"));
    let (live, mut prepared, ctx) = if who.user.is_some() {
        let (store, ctx) = crate::cli_access::open_as_admin(data_dir, who).map_err(|e| {
            format!(
                "{e}\nTo restore a centre whose database cannot be opened, leave out --user: the backup passphrase \
                 (or, for a .db copy, the recovery code) is asked for instead."
            )
        })?;
        let stored = backup::key::key_file_text(store.conn()).ok().flatten();
        let key = store.key().cloned();
        let prepared = if copy {
            backup::prepare_local(&ctx, file, data_dir, key.as_ref())
        } else {
            let pass = read_secret(secret_file, "passphrase", "Backup passphrase: ")?;
            backup::prepare(&ctx, file, &pass, data_dir, stored.as_deref(), key.as_ref())
        }
        .map_err(|e| e.to_string())?;
        (Some(store), prepared, ctx)
    } else {
        let prompt = if copy { "Recovery code or backup passphrase: " } else { "Backup passphrase: " };
        let secret = read_secret(secret_file, "passphrase", prompt)?;
        let prepared = backup::prepare_unsigned(file, &secret, data_dir).map_err(|e| e.to_string())?;
        (None, prepared, system())
    };
    // The live trail against the head the backup recorded (where the live database opens).
    if let Some(store) = &live {
        backup::audit_against(&mut prepared, store.conn()).map_err(|e| e.to_string())?;
    }
    let p = &prepared.preview;
    println!("Backup: {}", p.file_name);
    println!("Made: {}", p.made_at.as_deref().unwrap_or("unknown"));
    println!(
        "Saathi version: {}, schema {}{}",
        p.app_version.as_deref().unwrap_or("unknown"),
        p.schema_version,
        if p.will_migrate { " (will be brought up to date)" } else { "" }
    );
    println!("Centre: {}", p.centre_name);
    println!("Patients: {}, staff: {}", p.patients, p.staff);
    if let Some(g) = p.groups {
        println!("Groups: {g}");
    }
    if let Some(f) = p.follow_ups {
        println!("Follow-ups: {f}");
    }
    for (name, on) in &p.newest {
        println!("  recently changed: {name} ({on})");
    }
    if let Some(head) = &p.audit_head {
        println!("Audit seal when it was made: {}", head.printed());
    }
    match &p.live_trail {
        Some(AnchorCheck::Holds { entry }) => {
            println!("The current audit trail still holds this backup's newest entry ({entry}) with the same seal.")
        }
        Some(AnchorCheck::Shorter { anchored, newest }) => println!(
            "WARNING: the current audit trail no longer holds entry {anchored}, which this backup recorded (it now \
             ends at {newest}): entries were removed since the backup was made."
        ),
        Some(AnchorCheck::Different { entry }) => println!(
            "WARNING: entry {entry} of the current audit trail is not the one this backup recorded: the trail was \
             rewritten since the backup was made."
        ),
        Some(AnchorCheck::NoAnchor | AnchorCheck::Unreadable) | None => {}
    }
    if !yes {
        print!("Replace the data in {} with this backup? Type yes to continue: ", data_dir.display());
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map_err(|e| e.to_string())?;
        if answer.trim() != "yes" {
            return Err("Nothing was changed.".into());
        }
    }
    // The restored database keeps the folder's key; without an open database, the key the
    // prepared copy opens with (or a new one for a backup from before encryption): it is
    // never left plain.
    let target = match live.as_ref().and_then(|s| s.key().cloned()).or_else(|| prepared.key().cloned()) {
        Some(k) => k,
        None => DbKey::generate().map_err(|e| e.to_string())?,
    };
    let (mut store, safety) =
        backup::apply(&ctx, prepared, data_dir, live, Some(&target)).map_err(|e| e.to_string())?;
    // The restored register's staff and passwords are the ones that sign in now.
    saathi_core::vault::slots_after_restore(data_dir, &mut store, &ctx).map_err(|e| e.to_string())?;
    drop(store);
    if safety.exists() {
        println!("Restored. The data that was there before is kept in {}.", safety.display());
    } else {
        println!("Restored.");
    }
    Ok(())
}

/// For the crash tests: one patient per transaction, its id printed after the commit.
#[cfg(feature = "dev-tools")]
pub fn crash_writer(data_dir: &Path, who: &crate::cli_access::Credentials) -> Result<(), String> {
    let (mut store, ctx) = crate::cli_access::open_as_admin(data_dir, who)?;
    let today = ctx.today;
    let stdout = std::io::stdout();
    for i in 0u64.. {
        let new = saathi_core::patients::NewPatient {
            details: saathi_core::patients::PatientDetails {
                age_years: Some(30),
                ..saathi_core::patients::PatientDetails::new(
                    &format!("Crash test {i}"),
                    saathi_core::patients::Gender::Female,
                )
            },
            admitted_on: today,
        };
        let id = store.write(|tx| saathi_core::patients::create(tx, &ctx, &new)).map_err(|e| e.to_string())?;
        let mut out = stdout.lock();
        writeln!(out, "{id}").and_then(|()| out.flush()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
