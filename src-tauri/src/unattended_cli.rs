//! Backups without a password on the command line (issue 15): `saathi unattended-backup
//! on|off`, run once as an administrator by whoever sets up Task Scheduler, and the key a
//! `saathi backup` with no `--user` opens through Windows when that is on.
use std::path::Path;

use saathi_core::keyslots::DbKey;
use saathi_core::{paths, unattended};

use crate::cli_access::{self, Credentials};

const WEAKENS: &str = "What this weakens: any program that runs as this Windows account can now open the \
                       centre's database key without a password; on a Windows account that several people \
                       share, anybody at this PC can. If the account has no Windows password, a stolen disk \
                       can be opened too: give it a password. Turn this off (saathi-cli unattended-backup off) \
                       when backups need not run unattended.";

/// Turns backups without a password on or off, as the administrator `who` names (audited
/// under their name).
pub fn set(data_dir: &Path, who: &Credentials, on: bool) -> Result<(), String> {
    let (mut store, admin) = cli_access::open_as_admin(data_dir, who)?;
    let key = store.key().cloned();
    let now = store.write(|tx| unattended::set(tx, &admin, data_dir, key.as_ref(), on)).map_err(|e| e.to_string())?;
    if now.on {
        println!(
            "Backups without a password are on for this Windows account: \"saathi-cli backup --to DIR\" run as \
             this account (by Task Scheduler) needs no --user or password file."
        );
        println!("{WEAKENS}");
    } else {
        println!(
            "Backups without a password are off: Windows keeps no key for them. A backup needs an \
             administrator's --user NAME and --password-file FILE."
        );
    }
    Ok(())
}

/// The key for `saathi backup` when no `--user` was given: opened by Windows if backups
/// without a password are on; otherwise a plain refusal that says what to do.
pub fn key_for_backup(data_dir: &Path) -> Result<DbKey, String> {
    if !paths::db_path(data_dir).exists() {
        return Err(format!("There is no Saathi database in {}.", data_dir.display()));
    }
    match unattended::open_for_backup(data_dir) {
        Ok(key) => {
            eprintln!("No password given: Windows opened the database key (backups without a password are on).");
            Ok(key)
        }
        Err(e) if e.code() == "unattended_off" => {
            Err("A backup opens the centre's encrypted database, and no password was given. Give an administrator's \
             username with --user NAME (and --password-file FILE, or type the password when asked); or, for \
             backups that Task Scheduler runs, let them run without a password on this Windows account: an \
             administrator turns that on in Saathi (Backup screen) or once with \
             \"saathi-cli unattended-backup on --user NAME --password-file FILE\"."
                .into())
        }
        Err(e) => Err(format!("{e} Or give an administrator's --user NAME and --password-file FILE.")),
    }
}
