//! Backups run on their own thread with their own connection (SQLite gives it a
//! consistent snapshot while the window keeps working); the window polls the progress.
//! A restore is prepared (decrypted, checked, previewed) first and kept here until the
//! administrator confirms or cancels it.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use saathi_core::backup::{self, BackupJob, PreparedRestore};
use saathi_core::keyslots::DbKey;
use saathi_core::{Ctx, Error, Store};

use crate::state::lock;

#[derive(Default)]
pub struct JobState {
    pub backup: BackupJob,
    pub restore: Option<PreparedRestore>,
    /// The window asked to close and waits for the backup to finish.
    pub closing: bool,
}

pub type Jobs = Arc<Mutex<JobState>>;

/// Starts a backup to `dest` as `ctx` unless one is running. `key` is the key the
/// database is encrypted with (the open store's), for the job's own connection; the
/// backup's content is encrypted with it too.
pub fn start(jobs: &Jobs, data_dir: PathBuf, dest: PathBuf, ctx: Ctx, key: Option<DbKey>) -> Result<(), Error> {
    {
        let mut j = lock(jobs);
        if j.backup.running {
            return Err(Error::BackupRunning);
        }
        j.backup = BackupJob { running: true, ..BackupJob::default() };
    }
    let jobs = Arc::clone(jobs);
    std::thread::spawn(move || {
        let result = Store::open_with(&saathi_core::paths::db_path(&data_dir), key.as_ref()).and_then(|mut store| {
            backup::back_up(&mut store, &data_dir, &dest, &ctx, &mut |p| lock(&jobs).backup.progress = Some(p))
        });
        let mut j = lock(&jobs);
        j.backup.running = false;
        match result {
            Ok(done) => j.backup.done = Some(done),
            Err(e) => {
                tracing::warn!(code = e.code(), "backup failed");
                j.backup.error = Some(e.payload());
            }
        }
    });
    Ok(())
}

/// Called when the window is asked to close. Returns true when the close must wait: a
/// backup is running, or "back up when closing" is on and a backup was started now.
/// `close` is then called once the backup has finished (whatever its outcome).
pub fn hold_close(state: &crate::state::AppState, close: impl FnOnce() + Send + 'static) -> bool {
    let jobs = &state.backup;
    {
        let mut j = lock(jobs);
        if j.closing {
            return true;
        }
        if !j.backup.running {
            let target = state.read_open(backup::on_close_target).ok().flatten();
            let Some(dest) = target else { return false };
            drop(j);
            let ctx = Ctx::now(saathi_core::Actor::system());
            if start(jobs, state.data_dir.clone(), dest, ctx, state.db_key()).is_err() {
                return false;
            }
            j = lock(jobs);
        }
        j.closing = true;
    }
    let jobs = Arc::clone(jobs);
    std::thread::spawn(move || {
        while lock(&jobs).backup.running {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        close();
    });
    true
}

#[cfg(test)]
mod tests {
    use saathi_core::{Actor, Ctx, Role, Store};

    use crate::commands::handlers as h;
    use crate::state::AppState;

    /// Back up in the background, change a patient, restore through the commands: the
    /// window's store is swapped for the restored one and the session ends.
    #[test]
    fn backup_and_restore_through_the_commands_swap_the_open_store() {
        let data = tempfile::tempdir().unwrap();
        let stick = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(&data.path().join("saathi.db")).unwrap();
            saathi_core::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 7).unwrap();
        }
        let state = AppState::open(data.path().to_path_buf());
        state.wait_for_snapshot();
        assert!(data.path().join("snapshots").read_dir().unwrap().count() == 1, "daily local snapshot at start");
        state.sign_in_for_test(1, Role::Admin);
        let phone = |state: &AppState| -> String {
            state.read_open(|c| Ok(c.query_row("SELECT phone FROM patients WHERE id = 1", [], |r| r.get(0))?)).unwrap()
        };
        let original = phone(&state);
        let job = h::start_backup(&state, stick.path().display().to_string()).unwrap();
        assert!(job.running);
        // A second one is refused while the first runs (or it has already finished).
        let second = h::start_backup(&state, stick.path().display().to_string());
        let job = loop {
            let j = h::backup_progress(&state).unwrap();
            if !j.running {
                break j;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        if let Err(e) = second {
            assert_eq!(e.code, "backup_running");
        } else {
            // It started after the first finished: wait for it too.
            while h::backup_progress(&state).unwrap().running {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let done = job.done.expect("verified backup");
        assert!(job.error.is_none());
        let listed = h::list_backups(&state, stick.path().display().to_string()).unwrap();
        assert!(listed.iter().any(|b| b.file_name == done.file_name && b.verified));
        assert_eq!(h::backup_status(&state).unwrap().days_since_last, Some(0));

        let ctx = Ctx::now(Actor { staff_id: Some(1), role: Role::Admin });
        state
            .write_as(&ctx, |tx, _| {
                tx.execute("UPDATE patients SET phone = '00000 00000' WHERE id = 1", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(phone(&state), "00000 00000");

        let e = h::prepare_restore(&state, done.path.clone(), "wrong passphrase".into()).unwrap_err();
        assert_eq!(e.code, "wrong_passphrase");
        assert_eq!(h::confirm_restore(&state).unwrap_err().code, "restore_not_prepared");
        let preview =
            h::prepare_restore(&state, done.path.clone(), saathi_core::backup::DEMO_PASSPHRASE.into()).unwrap();
        assert_eq!(preview.patients, 160);
        assert_eq!(phone(&state), "00000 00000", "nothing changes before the confirmation");
        h::confirm_restore(&state).unwrap();
        assert_eq!(phone(&state), original);
        assert!(state.session().is_none(), "signed out after a restore");
        assert!(state.startup_error().is_none());
    }

    /// A second window on the same folder (refused at start-up) can never restore over
    /// the first one's database.
    #[test]
    fn a_second_window_cannot_restore() {
        let data = tempfile::tempdir().unwrap();
        let first = AppState::open(data.path().to_path_buf());
        assert!(first.startup_error().is_none());
        let second = AppState::open(data.path().to_path_buf());
        let e = h::prepare_restore(&second, "/x.saathi".into(), "p".into()).unwrap_err();
        assert_eq!(e.code, "already_open");
        assert_eq!(h::confirm_restore(&second).unwrap_err().code, "already_open");
        assert_eq!(h::local_snapshots(&second).unwrap_err().code, "already_open");
    }

    /// With "back up when closing" on, closing waits for a verified backup to the last
    /// folder, then closes.
    #[test]
    fn closing_the_window_backs_up_first_when_asked_to() {
        let data = tempfile::tempdir().unwrap();
        let stick = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(&data.path().join("saathi.db")).unwrap();
            saathi_core::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 7).unwrap();
        }
        let state = AppState::open(data.path().to_path_buf());
        state.sign_in_for_test(1, Role::Admin);
        let (tx, rx) = std::sync::mpsc::channel();
        let tx2 = tx.clone();
        assert!(!super::hold_close(&state, move || tx2.send(()).unwrap()), "off: closes at once");
        h::set_backup_on_close(&state, true).unwrap();
        assert!(!super::hold_close(&state, || {}), "no folder yet: closes at once");
        h::start_backup(&state, stick.path().display().to_string()).unwrap();
        while h::backup_progress(&state).unwrap().running {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(super::hold_close(&state, move || tx.send(()).unwrap()), "waits for the backup");
        rx.recv_timeout(std::time::Duration::from_secs(60)).expect("closed after the backup");
        let listed = h::list_backups(&state, stick.path().display().to_string()).unwrap();
        assert_eq!(listed.len(), 2, "one more backup, made on close");
        assert!(listed.iter().all(|b| b.verified));
    }
}
