//! What the window's commands share: the open store (or why it could not be opened) and
//! the signed-in staff member's session.
//!
//! Commands run at the same time, each on a thread of the blocking pool (see
//! `commands.rs`), so every lock here is held briefly, or only by the command that needs
//! what it guards. The order in which locks may be nested (never the reverse):
//!
//!   session → backup jobs → answer → store → early
//!
//! - `session`: held only to read or swap the session (never while the store is used:
//!   `refresh_session` and `unlock` work on a copy and swap it back).
//! - `backup` jobs (backup_job.rs): `hold_close` reads the close setting under it.
//! - `answer`: held by whoever waits for the start-up check (`settle(true)`), and while
//!   the store is opened after it; callers that must not wait only `try_lock` it and
//!   then report "still checking".
//! - `store`: the one connection that writes; held for the length of one read or
//!   transaction (or a restore).
//! - `early`: the read-only connection of the first screen while the check runs.
//! - `snapshot` is taken alone, to join the start-up thread (which takes no lock here).
//!
//! So a quick command (`app_info`, `session_info`, `setup_status`) never waits for a
//! slow one, except on the store itself once the store is what it reads.
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use rusqlite::{Connection, Transaction};
use saathi_core::auth::{Gate, Session};
use saathi_core::db::{InstanceLock, Opening};
use saathi_core::{Actor, Ctx, Error, ErrorPayload, Store, audit};

pub type Res<T> = Result<T, ErrorPayload>;

pub struct AppState {
    pub data_dir: PathBuf,
    /// The open store, or why it could not be opened. A restore swaps it (under the lock).
    store: Mutex<Result<Store, ErrorPayload>>,
    session: Mutex<Option<Session>>,
    /// The backup running in the background (the window polls it), and a restore waiting
    /// for its confirmation.
    pub backup: crate::backup_job::Jobs,
    /// The daily local snapshot, taken on a thread of its own so that the window does not
    /// wait for a copy of the whole database.
    snapshot: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// While the integrity check of a large database runs beside the first screen: where
    /// its answer comes. Nothing is written before the answer is in.
    answer: Mutex<Option<Receiver<saathi_core::Result<()>>>>,
    /// Meanwhile, a read-only connection for the first screen's reads.
    early: Mutex<Option<Connection>>,
    /// The check's answer is in (or there was none to wait for): `store` is final.
    settled: AtomicBool,
    _lock: Option<InstanceLock>,
}

/// A poisoned lock only means a command panicked; SQLite rolled its transaction back,
/// so the data behind it is whole and the lock is safe to reuse.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The open store, held under its lock.
pub struct StoreGuard<'a>(MutexGuard<'a, Result<Store, ErrorPayload>>);

impl StoreGuard<'_> {
    fn get(&mut self) -> &mut Store {
        match &mut *self.0 {
            Ok(s) => s,
            // `AppState::store` hands out a guard only over an open store.
            Err(_) => unreachable!("StoreGuard over a store that failed to open"),
        }
    }

    pub fn conn(&mut self) -> &Connection {
        self.get().conn()
    }

    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> saathi_core::Result<T>) -> saathi_core::Result<T> {
        self.get().write(f)
    }
}

/// What [`AppState::open`] found, before the state is put together.
struct Opened {
    lock: Option<InstanceLock>,
    store: Result<Store, ErrorPayload>,
    /// The read-only connection while the check is still to do.
    early: Option<Connection>,
}

impl AppState {
    pub fn open(data_dir: PathBuf) -> AppState {
        let db = saathi_core::paths::db_path(&data_dir);
        let opened = Self::look(&data_dir);
        let (tell, answer) = if opened.early.is_some() {
            let (tell, answer) = std::sync::mpsc::channel();
            (Some(tell), Some(answer))
        } else {
            (None, None)
        };
        // On a thread of its own while the window starts: the integrity check (when it is
        // still to do), then the local safety net, at most one snapshot a day in the data
        // folder, read through a connection of its own.
        let snapshot = (opened.store.is_ok() || tell.is_some()).then(|| {
            let dir = data_dir.clone();
            std::thread::spawn(move || {
                crate::os::background_thread();
                if let Some(tell) = tell {
                    let began = std::time::Instant::now();
                    let checked = saathi_core::db::integrity_check(&db, None);
                    tracing::info!(ms = began.elapsed().as_millis() as u64, ok = checked.is_ok(), "integrity check");
                    let ok = checked.is_ok();
                    let _ = tell.send(checked);
                    if !ok {
                        return;
                    }
                }
                let taken = Connection::open(&db).map_err(Error::from).and_then(|conn| {
                    saathi_core::backup::local_snapshot_if_due(&conn, None, &dir, &Ctx::now(Actor::system()))
                });
                if let Err(e) = taken {
                    tracing::warn!(code = e.code(), "the daily local snapshot could not be taken");
                }
            })
        });
        Self::assemble(data_dir, opened, answer, snapshot)
    }

    /// Takes the data folder's lock and looks at its database: open and ready, or still
    /// to be checked (then `store` says "busy" until the answer is in), or why not.
    fn look(data_dir: &std::path::Path) -> Opened {
        let db = saathi_core::paths::db_path(data_dir);
        let (lock, opening) = match InstanceLock::acquire_within(data_dir, std::time::Duration::from_secs(5)) {
            Ok(lock) => (Some(lock), Store::open_in_stages(&db, None)),
            Err(e) => (None, Err(e)),
        };
        let (store, early) = match opening {
            Ok(Opening::Ready(store)) => (Ok(store), None),
            // Until the check answers, `store()` waits for it rather than use this.
            Ok(Opening::Unchecked(early)) => (Err(Error::Busy.payload()), Some(early)),
            Err(e) => {
                tracing::error!(code = e.code(), "the database could not be opened");
                (Err(e.payload()), None)
            }
        };
        Opened { lock, store, early }
    }

    fn assemble(
        data_dir: PathBuf,
        opened: Opened,
        answer: Option<Receiver<saathi_core::Result<()>>>,
        snapshot: Option<std::thread::JoinHandle<()>>,
    ) -> AppState {
        AppState {
            data_dir,
            store: Mutex::new(opened.store),
            session: Mutex::new(None),
            backup: Arc::default(),
            snapshot: Mutex::new(snapshot),
            settled: AtomicBool::new(answer.is_none()),
            answer: Mutex::new(answer),
            early: Mutex::new(opened.early),
            _lock: opened.lock,
        }
    }

    /// Takes in the integrity check's answer, waiting for it when `wait` (before any use
    /// of the store), and opens the store for writing when the file is whole. Returns
    /// whether the check is still running (only when not waiting). Not waiting never
    /// blocks: while another command waits for the answer, the check is still running.
    fn settle(&self, wait: bool) -> bool {
        if self.settled.load(Ordering::Acquire) {
            return false;
        }
        let mut answer = if wait {
            lock(&self.answer)
        } else {
            match self.answer.try_lock() {
                Ok(guard) => guard,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return true,
            }
        };
        let Some(rx) = answer.as_ref() else { return false };
        let db = saathi_core::paths::db_path(&self.data_dir);
        let got = if wait {
            rx.recv().ok()
        } else {
            match rx.try_recv() {
                Ok(a) => Some(a),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => None,
            }
        };
        // A check thread that ended without answering: check here instead.
        let got = got.unwrap_or_else(|| saathi_core::db::integrity_check(&db, None));
        let opened = got.and_then(|()| Store::open_checked(&db, None)).map_err(|e| {
            tracing::error!(code = e.code(), "the database could not be opened");
            e.payload()
        });
        *lock(&self.store) = opened;
        *answer = None;
        self.settled.store(true, Ordering::Release);
        *lock(&self.early) = None;
        false
    }

    /// Waits for the daily local snapshot started by [`AppState::open`], if it is still
    /// being taken (the app calls this before it exits).
    pub fn wait_for_snapshot(&self) {
        if let Some(handle) = lock(&self.snapshot).take() {
            let _ = handle.join();
        }
    }

    /// Why the database could not be opened; `None` also while it is still being checked
    /// (see [`AppState::checking`]).
    pub fn startup_error(&self) -> Option<ErrorPayload> {
        if self.settle(false) {
            return None;
        }
        lock(&self.store).as_ref().err().cloned()
    }

    /// Whether the integrity check of the database is still running.
    pub fn checking(&self) -> bool {
        self.settle(false)
    }

    fn store(&self) -> Res<StoreGuard<'_>> {
        self.settle(true);
        let guard = lock(&self.store);
        if let Err(e) = &*guard {
            return Err(e.clone());
        }
        Ok(StoreGuard(guard))
    }

    /// Replaces the open store (restore): `f` gets the current store (or none, when it
    /// could not be opened) and returns the new one. If `f` fails, the database file is
    /// opened again, whichever it now is (the old one, or the restored one).
    pub fn replace_store(&self, f: impl FnOnce(Option<Store>) -> saathi_core::Result<Store>) -> Res<()> {
        self.settle(true);
        let mut guard = lock(&self.store);
        let old = std::mem::replace(&mut *guard, Err(Error::Busy.payload()));
        match f(old.ok()) {
            Ok(store) => {
                *guard = Ok(store);
                Ok(())
            }
            Err(e) => {
                *guard = Store::open(&saathi_core::paths::db_path(&self.data_dir)).map_err(|e| e.payload());
                Err(e.payload())
            }
        }
    }

    /// The key the open database is encrypted with (none while it is plain or not open).
    pub fn db_key(&self) -> Option<saathi_core::keyslots::DbKey> {
        lock(&self.store).as_ref().ok().and_then(|s| s.key().cloned())
    }

    pub fn session(&self) -> MutexGuard<'_, Option<Session>> {
        lock(&self.session)
    }

    /// The acting staff member for a command now, or why there is none. An idle session
    /// is locked here (and that is audited).
    fn gate(&self, allow_password_change: bool) -> Res<Ctx> {
        let now = Ctx::now(Actor::system());
        let gate = match self.session().as_mut() {
            None => return Err(Error::NotSignedIn.payload()),
            Some(s) => (s.gate(now.now, allow_password_change), s.actor_unchecked()),
        };
        match gate {
            (Gate::Open(actor), _) => Ok(Ctx { actor, ..now }),
            (Gate::LockedNow, actor) => {
                let ctx = Ctx { actor, ..now };
                self.write_as(&ctx, |tx, ctx| {
                    audit::record(tx, ctx, "lock", audit::entity::STAFF, actor.staff_id, "idle")
                })?;
                Err(Error::Locked.payload())
            }
            (Gate::Locked, _) => Err(Error::Locked.payload()),
            (Gate::MustChangePassword, _) => Err(Error::MustChangePassword.payload()),
        }
    }

    /// Counts as activity for the signed-in staff member (or says why there is none).
    pub fn touch(&self) -> Res<()> {
        self.gate(true).map(drop)
    }

    /// A read as the signed-in staff member.
    pub fn read<T>(&self, f: impl FnOnce(&Connection, &Ctx) -> saathi_core::Result<T>) -> Res<T> {
        let ctx = self.gate(false)?;
        let out = {
            let mut store = self.store()?;
            f(store.get().conn(), &ctx)
        };
        out.map_err(|e| self.report(&ctx, e))
    }

    /// One transaction as the signed-in staff member.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>, &Ctx) -> saathi_core::Result<T>) -> Res<T> {
        let ctx = self.gate(false)?;
        self.write_as(&ctx, f)
    }

    /// Like `write`, but also while the staff member still has to change their password.
    pub fn write_changing_password<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &Ctx) -> saathi_core::Result<T>,
    ) -> Res<T> {
        let ctx = self.gate(true)?;
        self.write_as(&ctx, f)
    }

    /// One transaction with a given context (before sign-in: the system at this time).
    pub fn write_as<T>(&self, ctx: &Ctx, f: impl FnOnce(&Transaction<'_>, &Ctx) -> saathi_core::Result<T>) -> Res<T> {
        let out = {
            let mut store = self.store()?;
            store.write(|tx| f(tx, ctx))
        };
        out.map_err(|e| self.report(ctx, e))
    }

    /// A read that needs no session (set-up status, language, app info). While the
    /// start-up check runs it reads through the early read-only connection.
    pub fn read_open<T>(&self, f: impl FnOnce(&Connection) -> saathi_core::Result<T>) -> Res<T> {
        if self.settle(false) {
            let early = lock(&self.early);
            if let Some(conn) = early.as_ref() {
                return f(conn).map_err(|e| e.payload());
            }
        }
        let mut store = self.store()?;
        f(store.conn()).map_err(|e| e.payload())
    }

    /// Logs unexpected errors (code only) and audits refusals by role.
    fn report(&self, ctx: &Ctx, e: Error) -> ErrorPayload {
        match &e {
            Error::Forbidden { action, .. } => {
                let detail = (*action).to_owned();
                let _ =
                    self.store().map(|mut s| s.write(|tx| audit::record(tx, ctx, "access_denied", "", None, &detail)));
            }
            Error::Invalid { .. } | Error::InvalidWith { .. } | Error::NotFound { .. } => {}
            other => tracing::error!(code = other.code(), error = %other, "command failed"),
        }
        e.payload()
    }

    /// For tests: the state of a window whose start-up check is still running, and the
    /// sender of its answer (the check "runs" until the test sends it).
    #[cfg(test)]
    pub fn open_with_check_pending(data_dir: PathBuf) -> (AppState, std::sync::mpsc::Sender<saathi_core::Result<()>>) {
        let opened = Self::look(&data_dir);
        assert!(opened.early.is_some(), "an existing, current database is checked in the background");
        let (tell, answer) = std::sync::mpsc::channel();
        (Self::assemble(data_dir, opened, Some(answer), None), tell)
    }

    /// For tests: a signed-in session of `role` without a password check.
    #[cfg(test)]
    pub fn sign_in_for_test(&self, staff_id: i64, role: saathi_core::Role) {
        let info = saathi_core::auth::SessionInfo {
            staff_id,
            full_name: "Test".into(),
            username: "test".into(),
            role,
            must_change_password: false,
            has_pin: false,
            idle_minutes: 10,
            locked: false,
            allowed: vec![],
        };
        *self.session() = Some(Session::new(info, chrono::Utc::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::handlers as h;

    fn demo_centre(dir: &std::path::Path) -> PathBuf {
        let db = saathi_core::paths::db_path(dir);
        let mut store = Store::open(&db).unwrap();
        saathi_core::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        db
    }

    /// The first screen reads while the check runs; the first write waits for it.
    #[test]
    fn a_whole_database_is_checked_beside_the_first_screen_then_opened_for_writing() {
        let dir = tempfile::tempdir().unwrap();
        demo_centre(dir.path());
        let state = AppState::open(dir.path().to_path_buf());
        let info = h::app_info(&state).unwrap();
        assert!(info.startup_error.is_none());
        assert!(!h::setup_status(&state).unwrap().needs_setup, "the first screen reads at once");
        let session = h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
        assert_eq!(session.username, "admin");
        assert!(!h::app_info(&state).unwrap().checking, "a write waited for the check");
        state.wait_for_snapshot();
    }

    /// Commands run at the same time. While one waits for the start-up check (slow on a
    /// large centre; here it answers only when the test says so), the first screen's
    /// quick commands answer from the early connection; while one holds the store, the
    /// session still answers. (Each wait is bounded only to fail rather than hang.)
    #[test]
    fn quick_commands_answer_while_another_waits_for_the_check_or_the_store() {
        use std::sync::mpsc::channel;
        use std::time::Duration;
        const HANG: Duration = Duration::from_secs(120);
        let dir = tempfile::tempdir().unwrap();
        demo_centre(dir.path());
        let (state, tell) = AppState::open_with_check_pending(dir.path().to_path_buf());
        let state = Arc::new(state);

        let s = Arc::clone(&state);
        let signing_in = std::thread::spawn(move || h::sign_in(&s, "admin".into(), "demo-admin-1".into()));
        // Until the sign-in waits for the check's answer (it holds that lock meanwhile).
        while state.answer.try_lock().is_ok() {
            assert!(!signing_in.is_finished(), "the sign-in waits for the check");
            std::thread::yield_now();
        }
        let (said, heard) = channel();
        let s = Arc::clone(&state);
        std::thread::spawn(move || {
            let _ = said.send((h::app_info(&s), h::session_info(&s), h::setup_status(&s), h::get_settings(&s)));
        });
        let (info, session, setup, settings) =
            heard.recv_timeout(HANG).expect("quick commands answer during the check");
        let info = info.unwrap();
        assert!(info.checking && info.startup_error.is_none(), "the window is told the check runs");
        assert!(info.demo, "read through the early connection");
        assert_eq!(session.unwrap(), None);
        assert!(!setup.unwrap().needs_setup);
        settings.unwrap();
        assert!(!signing_in.is_finished(), "the sign-in still waits for the check");
        tell.send(Ok(())).unwrap();
        assert_eq!(signing_in.join().unwrap().unwrap().username, "admin");
        assert!(!h::app_info(&state).unwrap().checking);

        // A slow command holds the store (a transaction that waits for the test).
        let (entered, inside) = channel();
        let (release, released) = channel::<()>();
        let s = Arc::clone(&state);
        let slow = std::thread::spawn(move || {
            s.write(|_, _| {
                entered.send(()).unwrap();
                released.recv().unwrap();
                Ok(())
            })
        });
        inside.recv_timeout(HANG).unwrap();
        let (said, heard) = channel();
        let s = Arc::clone(&state);
        std::thread::spawn(move || {
            let _ = said.send((h::session_info(&s), h::touch(&s), s.checking()));
        });
        let (session, touched, checking) = heard.recv_timeout(HANG).expect("the session answers beside the store");
        assert_eq!(session.unwrap().map(|i| i.username), Some("admin".to_owned()));
        assert!(touched.is_ok() && !checking);
        release.send(()).unwrap();
        slow.join().unwrap().unwrap();
    }

    /// A restore first waits for the start-up check and snapshot (on Windows their open
    /// handles would stop the database file being replaced).
    #[test]
    fn a_restore_waits_for_the_start_up_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let db = demo_centre(dir.path());
        let copy = tempfile::tempdir().unwrap();
        let source = copy.path().join("copy.db");
        std::fs::copy(&db, &source).unwrap();
        let state = AppState::open(dir.path().to_path_buf());
        state.sign_in_for_test(1, saathi_core::Role::Admin);
        h::prepare_restore(&state, source.display().to_string(), String::new()).unwrap();
        h::confirm_restore(&state).unwrap();
        assert!(lock(&state.snapshot).is_none(), "the snapshot thread was joined before the restore");
        assert!(state.startup_error().is_none());
    }

    /// Damage inside the file passes the quick look at its header; the check then stops
    /// every write, the window is told, and the file is left exactly as it was.
    #[test]
    fn a_damaged_database_found_by_the_background_check_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let db = demo_centre(dir.path());
        let mut bytes = std::fs::read(&db).unwrap();
        let end = bytes.len().min(4096 * 8);
        bytes[4096..end].fill(0x5A);
        std::fs::write(&db, &bytes).unwrap();
        let state = AppState::open(dir.path().to_path_buf());
        let refused = h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap_err();
        assert_eq!(refused.code, "database_damaged");
        let info = h::app_info(&state).unwrap();
        assert_eq!(info.startup_error.map(|e| e.code), Some("database_damaged".to_owned()));
        assert!(!info.checking);
        state.wait_for_snapshot();
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "the damaged file is unchanged");
        assert!(
            !dir.path().join("snapshots").exists()
                || std::fs::read_dir(dir.path().join("snapshots")).unwrap().count() == 0,
            "no snapshot is taken of a damaged database"
        );
    }
}
