//! What the window's commands share: the open store (or why it could not be opened, or
//! the key slots it waits to be unlocked with) and the signed-in staff member's session.
//!
//! Commands run at the same time, each on a thread of the blocking pool (see
//! `commands.rs`), so every lock here is held briefly, or only by the command that needs
//! what it guards. The order in which locks may be nested (never the reverse):
//!
//!   session → backup jobs → door → answer → store → early
//!
//! - `session`: held only to read or swap the session (never while the store is used:
//!   `refresh_session` and `unlock` work on a copy and swap it back).
//! - `backup` jobs (backup_job.rs): `hold_close` reads the close setting under it.
//! - `door`: whether the folder is locked (its slots), new, or open; held while a sign-in
//!   unlocks and opens the store, so that two sign-ins never open it twice.
//! - `answer`: held by whoever waits for the start-up work (`settle(true)`), and while
//!   the store is opened after it; callers that must not wait only `try_lock` it and
//!   then report "still checking".
//! - `store`: the one connection that writes; held for the length of one read or
//!   transaction (or a restore).
//! - `early`: the read-only connection of the first screen while the check runs.
//! - `snapshot` is taken alone, to join the start-up thread (which takes no lock here).
//!
//! So a quick command (`app_info`, `session_info`, `setup_status`) never waits for a
//! slow one, except on the store itself once the store is what it reads.
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};
use saathi_core::anchor::{self, AnchorCheck};
use saathi_core::auth::{Gate, Session};
use saathi_core::db::{InstanceLock, Opening};
use saathi_core::keyslots::{DbKey, KeySlots};
use saathi_core::vault::{self, Folder};
use saathi_core::{Actor, Ctx, Error, ErrorPayload, Store, audit};

pub type Res<T> = Result<T, ErrorPayload>;

/// Whether the data folder's database can be read yet.
#[derive(Debug)]
pub enum Door {
    /// Open, or being opened (converted or checked) by the start-up thread, or failed to
    /// open (the store says why).
    Open,
    /// No database yet: set-up creates it.
    New,
    /// Encrypted: a staff member's password (or the recovery code) must open its key.
    Locked(KeySlots),
}

/// How the start-up thread ends: the store, opened for writing once the file is whole.
type Answer = saathi_core::Result<Store>;

pub struct AppState {
    pub data_dir: PathBuf,
    /// The open store, or why it could not be opened. A restore swaps it (under the lock).
    store: Mutex<Result<Store, ErrorPayload>>,
    door: Mutex<Door>,
    session: Mutex<Option<Session>>,
    /// Wrong sign-ins while the folder was locked: counted here for the back-off (nothing
    /// can be written then), and written to the audit trail once the database is open.
    locked_failures: Mutex<Vec<(String, DateTime<Utc>)>>,
    /// The backup running in the background (the window polls it), and a restore waiting
    /// for its confirmation.
    pub backup: crate::backup_job::Jobs,
    /// The start-up work on a thread of its own (conversion of a plain database, or the
    /// integrity check of a large one), then the daily local snapshot, so that the window
    /// does not wait for either.
    snapshot: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// While that thread works: where its answer comes. Nothing is written before the
    /// answer is in.
    answer: Mutex<Option<Receiver<Answer>>>,
    /// Meanwhile, a read-only connection for the first screen's reads (during a check).
    early: Mutex<Option<Connection>>,
    /// The answer is in (or there was none to wait for): `store` is final.
    settled: AtomicBool,
    /// The key a sign-in unlocked, kept even when the database then fails to open, so that
    /// a restore from a local snapshot (encrypted with it) can read that snapshot.
    unlocked_key: Mutex<Option<DbKey>>,
    /// The audit chain was compared with its anchor at this run's first sign-in, and
    /// what was found wrong, for administrators.
    anchor_checked: AtomicBool,
    audit_warning: Mutex<Option<AnchorCheck>>,
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

/// The start-up thread: does `work` (which opens the store), answers, then takes the
/// daily local snapshot through a connection of its own.
fn start_thread(
    data_dir: &Path,
    work: impl FnOnce() -> Answer + Send + 'static,
) -> (Receiver<Answer>, std::thread::JoinHandle<()>) {
    let (tell, answer) = std::sync::mpsc::channel();
    let dir = data_dir.to_path_buf();
    let handle = std::thread::spawn(move || {
        crate::os::background_thread();
        let began = std::time::Instant::now();
        let opened = work();
        tracing::info!(ms = began.elapsed().as_millis() as u64, ok = opened.is_ok(), "start-up work");
        let key = opened.as_ref().ok().map(|s| s.key().cloned());
        let _ = tell.send(opened);
        if let Some(key) = key {
            daily_snapshot(&dir, key.as_ref());
        }
    });
    (answer, handle)
}

/// At most one snapshot a day in the data folder (the local safety net), encrypted like
/// the database.
fn daily_snapshot(dir: &Path, key: Option<&DbKey>) {
    let db = saathi_core::paths::db_path(dir);
    let taken = Store::open_checked(&db, key).and_then(|store| {
        saathi_core::backup::local_snapshot_if_due(store.conn(), key, dir, &Ctx::now(Actor::system()))
    });
    if let Err(e) = taken {
        tracing::warn!(code = e.code(), "the daily local snapshot could not be taken");
    }
}

impl AppState {
    /// Takes the data folder's lock and looks at it: a new folder waits for set-up, an
    /// encrypted one for a sign-in to unlock it; a plain one (from before encryption) is
    /// converted on the start-up thread while the window starts.
    pub fn open(data_dir: PathBuf) -> AppState {
        let db = saathi_core::paths::db_path(&data_dir);
        let mut state = AppState {
            data_dir: data_dir.clone(),
            store: Mutex::new(Err(Error::NotSignedIn.payload())),
            door: Mutex::new(Door::Open),
            session: Mutex::new(None),
            locked_failures: Mutex::default(),
            backup: Arc::default(),
            snapshot: Mutex::new(None),
            answer: Mutex::new(None),
            early: Mutex::new(None),
            settled: AtomicBool::new(true),
            unlocked_key: Mutex::new(None),
            anchor_checked: AtomicBool::new(false),
            audit_warning: Mutex::new(None),
            _lock: None,
        };
        let looked = InstanceLock::acquire_within(&data_dir, std::time::Duration::from_secs(5)).and_then(|l| {
            state._lock = Some(l);
            vault::look(&data_dir)
        });
        match looked {
            Ok(Folder::New) => *lock(&state.door) = Door::New,
            Ok(Folder::Locked(slots)) => *lock(&state.door) = Door::Locked(slots),
            Ok(Folder::Plain) => {
                let dir = data_dir.clone();
                let (answer, handle) = start_thread(&data_dir, move || {
                    let key = vault::convert(&dir)?;
                    Store::open_checked(&db, Some(&key))
                });
                *lock(&state.store) = Err(Error::Busy.payload());
                state.settled = AtomicBool::new(false);
                *lock(&state.answer) = Some(answer);
                *lock(&state.snapshot) = Some(handle);
            }
            Err(e) => {
                tracing::error!(code = e.code(), "the database could not be opened");
                *lock(&state.store) = Err(e.payload());
            }
        }
        state
    }

    /// Opens the store with the key a sign-in unlocked: at once when the file is small or
    /// must be migrated, else read-only for the first screen while the start-up thread
    /// checks it (writes wait for the check).
    fn open_with_key(&self, key: DbKey) -> Res<()> {
        *lock(&self.unlocked_key) = Some(key.clone());
        let db = saathi_core::paths::db_path(&self.data_dir);
        match Store::open_in_stages(&db, Some(&key)) {
            Ok(Opening::Ready(store)) => {
                *lock(&self.store) = Ok(store);
                let dir = self.data_dir.clone();
                *lock(&self.snapshot) = Some(std::thread::spawn(move || {
                    crate::os::background_thread();
                    daily_snapshot(&dir, Some(&key));
                }));
            }
            Ok(Opening::Unchecked(early)) => {
                *lock(&self.early) = Some(early);
                *lock(&self.store) = Err(Error::Busy.payload());
                self.settled.store(false, Ordering::Release);
                let (answer, handle) = start_thread(&self.data_dir, move || {
                    saathi_core::db::integrity_check(&db, Some(&key))?;
                    Store::open_checked(&db, Some(&key))
                });
                *lock(&self.answer) = Some(answer);
                *lock(&self.snapshot) = Some(handle);
            }
            Err(e) => {
                tracing::error!(code = e.code(), "the database could not be opened");
                *lock(&self.store) = Err(e.payload());
                return Err(e.payload());
            }
        }
        *lock(&self.door) = Door::Open;
        Ok(())
    }

    /// The door: whether the folder is new, locked (and its slots), or open.
    pub fn door(&self) -> MutexGuard<'_, Door> {
        lock(&self.door)
    }

    /// Takes in the start-up thread's answer, waiting for it when `wait` (before any use
    /// of the store). Returns whether the work is still running (only when not waiting).
    /// Not waiting never blocks: while another command waits for the answer, the work is
    /// still running.
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
        let got = if wait {
            rx.recv().ok()
        } else {
            match rx.try_recv() {
                Ok(a) => Some(a),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => None,
            }
        };
        // A thread that ended without answering (it panicked): say so rather than guess.
        let opened = got
            .unwrap_or_else(|| Err(Error::Io(std::io::Error::other("the start-up check stopped without an answer"))))
            .map_err(|e| {
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

    /// At exit, after the snapshot thread has ended: closes the store, then checks the
    /// encrypted file whole and leaves the note that lets the next start open it without
    /// the check (see saathi_core::clean_close). Nothing for a store that is not open.
    pub fn close_and_check(&self) {
        if !matches!(*self.door(), Door::Open) {
            return;
        }
        self.settle(true);
        let key = self.db_key();
        let closed = std::mem::replace(&mut *lock(&self.store), Err(Error::NotSignedIn.payload()));
        let Some(key) = key.filter(|_| closed.is_ok()) else { return };
        drop(closed);
        let began = std::time::Instant::now();
        match saathi_core::db::check_at_close(&saathi_core::paths::db_path(&self.data_dir), &key) {
            Ok(noted) => tracing::info!(ms = began.elapsed().as_millis() as u64, noted, "checked at close"),
            Err(e) => tracing::error!(code = e.code(), "the check at close found a problem"),
        }
    }

    /// Why the database could not be opened; `None` also while it is still being checked
    /// (see [`AppState::checking`]).
    pub fn startup_error(&self) -> Option<ErrorPayload> {
        if !matches!(*self.door(), Door::Open) || self.settle(false) {
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
    /// opened again with the key it had, whichever file it now is (the old one, or the
    /// restored one, which a restore encrypts with the same key).
    pub fn replace_store(&self, f: impl FnOnce(Option<Store>) -> saathi_core::Result<Store>) -> Res<()> {
        self.settle(true);
        let mut guard = lock(&self.store);
        let old = std::mem::replace(&mut *guard, Err(Error::Busy.payload()));
        let key = old.as_ref().ok().and_then(|s| s.key().cloned());
        match f(old.ok()) {
            Ok(store) => {
                *guard = Ok(store);
                Ok(())
            }
            Err(e) => {
                let db = saathi_core::paths::db_path(&self.data_dir);
                *guard = Store::open_with(&db, key.as_ref()).map_err(|e| e.payload());
                Err(e.payload())
            }
        }
    }

    /// When the folder is locked: opens its key with the slot `username` finds and
    /// `password`, then opens the store with it; returns the staff member's id. `None`
    /// when the folder is not locked (the register checks the password then). Wrong
    /// passwords count towards the back-off here, and reach the audit trail later.
    pub fn unlock(&self, username: &str, password: &str) -> Res<Option<i64>> {
        let mut door = lock(&self.door);
        let Door::Locked(slots) = &*door else { return Ok(None) };
        let name = username.trim().to_lowercase();
        let now = Utc::now();
        {
            let failures = lock(&self.locked_failures);
            let mine: Vec<&DateTime<Utc>> = failures.iter().filter(|f| f.0 == name).map(|f| &f.1).collect();
            if let (Some(wait), Some(last)) =
                (saathi_core::auth::backoff_seconds(mine.len() as i64), mine.last().copied())
            {
                let left = (*last + chrono::Duration::seconds(wait) - now).num_seconds();
                if left > 0 {
                    return Err(Error::SignInWait { seconds: left }.payload());
                }
            }
        }
        match vault::unlock(slots, &name, password) {
            Ok((key, staff_id)) => {
                lock(&self.locked_failures).retain(|f| f.0 != name);
                drop(std::mem::replace(&mut *door, Door::Open));
                drop(door);
                self.open_with_key(key)?;
                Ok(Some(staff_id))
            }
            Err(e) => {
                if matches!(e, Error::SignInFailed) {
                    lock(&self.locked_failures).push((name, now));
                }
                Err(e.payload())
            }
        }
    }

    /// When the folder is locked: opens its key with the recovery code's slot, then the
    /// store. False when the folder is not locked.
    pub fn unlock_with_recovery(&self, code: &str) -> Res<bool> {
        let mut door = lock(&self.door);
        let Door::Locked(slots) = &*door else { return Ok(false) };
        let key = vault::unlock_with_recovery(slots, code).map_err(|e| e.payload())?;
        drop(std::mem::replace(&mut *door, Door::Open));
        drop(door);
        self.open_with_key(key)?;
        Ok(true)
    }

    /// Once per run, after the first sign-in opened the store: the audit chain against its
    /// anchor file. A chain that does not hold it is recorded in the trail (as the system)
    /// and kept to tell administrators; then the anchor moves to the chain's head. Returns
    /// the warning, if there is one.
    pub fn check_anchor_once(&self) -> Option<AnchorCheck> {
        if !self.anchor_checked.swap(true, Ordering::AcqRel) {
            let dir = self.data_dir.clone();
            let found = self.write_as(&Ctx::now(Actor::system()), |tx, ctx| {
                let check = anchor::check(tx, &dir)?;
                if check.is_warning() {
                    let detail = serde_json::to_string(&check).unwrap_or_default();
                    audit::record(tx, ctx, "audit_anchor_warning", audit::entity::AUDIT, None, &detail)?;
                }
                Ok(check)
            });
            match found {
                Ok(check) if check.is_warning() => {
                    tracing::warn!(?check, "the audit chain does not hold its anchor");
                    *lock(&self.audit_warning) = Some(check);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(code = e.code, "the audit anchor could not be checked"),
            }
        }
        self.write_anchor();
        lock(&self.audit_warning).clone()
    }

    /// Moves the anchor file to the chain's head (at sign-in, sign-out, lock and exit).
    pub fn write_anchor(&self) {
        if !matches!(*self.door(), Door::Open) {
            return;
        }
        let dir = self.data_dir.clone();
        if let Err(e) = self.read_open(|c| anchor::write(c, &dir).map(drop)) {
            tracing::warn!(code = e.code, "the audit anchor could not be written");
        }
    }

    /// The wrong sign-ins typed while the folder was locked, to be audited (once).
    pub fn take_locked_failures(&self) -> Vec<(String, DateTime<Utc>)> {
        std::mem::take(&mut *lock(&self.locked_failures))
    }

    /// Set-up of a new centre (the door is `New`): creates the encrypted database and
    /// opens the store. `Ok(None)` when the door is not new (set-up in the register).
    pub fn set_up_new(&self, input: &saathi_core::auth::SetupInput) -> Res<Option<saathi_core::auth::SetupResult>> {
        let mut door = lock(&self.door);
        if !matches!(*door, Door::New) {
            return Ok(None);
        }
        let (store, result) =
            vault::set_up(&self.data_dir, &Ctx::now(Actor::system()), input).map_err(|e| e.payload())?;
        *lock(&self.store) = Ok(store);
        *door = Door::Open;
        Ok(Some(result))
    }

    /// The key the open database is encrypted with (none while it is plain or not open).
    pub fn db_key(&self) -> Option<DbKey> {
        let open = lock(&self.store).as_ref().ok().and_then(|s| s.key().cloned());
        open.or_else(|| lock(&self.unlocked_key).clone())
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

    /// One transaction with a given context (before sign-in: the system at this time).
    pub fn write_as<T>(&self, ctx: &Ctx, f: impl FnOnce(&Transaction<'_>, &Ctx) -> saathi_core::Result<T>) -> Res<T> {
        self.write_keyed_as(ctx, |tx, ctx, _| f(tx, ctx))
    }

    /// One transaction as the signed-in staff member, given the database's key too (to
    /// update the key slots before the change is committed).
    pub fn write_keyed<T>(
        &self,
        allow_password_change: bool,
        f: impl FnOnce(&Transaction<'_>, &Ctx, Option<&DbKey>) -> saathi_core::Result<T>,
    ) -> Res<T> {
        let ctx = self.gate(allow_password_change)?;
        self.write_keyed_as(&ctx, f)
    }

    /// `write_as` with the database's key.
    pub fn write_keyed_as<T>(
        &self,
        ctx: &Ctx,
        f: impl FnOnce(&Transaction<'_>, &Ctx, Option<&DbKey>) -> saathi_core::Result<T>,
    ) -> Res<T> {
        let out = {
            let mut store = self.store()?;
            let key = store.get().key().cloned();
            store.write(|tx| f(tx, ctx, key.as_ref()))
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

    /// Like `read_open`, but never waits for the start-up work: while a conversion runs
    /// (no early connection), it answers `busy` at once.
    pub fn read_without_waiting<T>(&self, f: impl FnOnce(&Connection) -> saathi_core::Result<T>) -> Res<T> {
        if self.settle(false) && lock(&self.early).is_none() {
            return Err(Error::Busy.payload());
        }
        self.read_open(f)
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

    /// For tests: the state of a window over an encrypted folder, unlocked with `key`,
    /// whose start-up check is still running, and the sender of its answer (the check
    /// "runs" until the test sends the store it opens).
    #[cfg(test)]
    pub fn open_with_check_pending(data_dir: PathBuf, key: &DbKey) -> (AppState, std::sync::mpsc::Sender<Answer>) {
        let state = AppState::open(data_dir);
        let db = saathi_core::paths::db_path(&state.data_dir);
        let Ok(Opening::Unchecked(early)) = Store::open_in_stages(&db, Some(key)) else {
            panic!("an existing, current database is checked in the background")
        };
        let (tell, answer) = std::sync::mpsc::channel();
        *lock(&state.early) = Some(early);
        *lock(&state.store) = Err(Error::Busy.payload());
        *lock(&state.answer) = Some(answer);
        *lock(&state.door) = Door::Open;
        state.settled.store(false, Ordering::Release);
        (state, tell)
    }

    /// For tests: the state of a window over an encrypted folder, unlocked with `key` (as
    /// a sign-in would), before anyone signs in.
    #[cfg(test)]
    pub fn open_unlocked_for_test(data_dir: PathBuf, key: &DbKey) -> AppState {
        let state = AppState::open(data_dir);
        if let Err(e) = state.open_with_key(key.clone()) {
            panic!("unlock for the test: {e:?}");
        }
        state
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
            audit_warning: None,
        };
        *self.session() = Some(Session::new(info, chrono::Utc::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::handlers as h;

    /// A plain demo centre (as an older Saathi left it).
    fn demo_centre(dir: &std::path::Path) -> PathBuf {
        let db = saathi_core::paths::db_path(dir);
        let mut store = Store::open(&db).unwrap();
        saathi_core::demo::generate(&mut store, chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), 3).unwrap();
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        db
    }

    /// A demo centre encrypted as the first start leaves it, and its key.
    fn encrypted_demo_centre(dir: &std::path::Path) -> (PathBuf, DbKey) {
        let db = demo_centre(dir);
        let key = vault::convert(dir).unwrap();
        (db, key)
    }

    /// The first start of this version converts a plain centre beside the first screen;
    /// every later start is locked until a password opens its key slot; then the first
    /// write waits for the check of the file.
    #[test]
    fn a_plain_centre_is_encrypted_at_the_first_start_and_opened_by_a_password_after() {
        let dir = tempfile::tempdir().unwrap();
        let db = demo_centre(dir.path());
        let state = AppState::open(dir.path().to_path_buf());
        assert!(h::app_info(&state).unwrap().startup_error.is_none());
        assert!(!h::setup_status(&state).unwrap().needs_setup);
        assert_eq!(h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap().username, "admin");
        state.wait_for_snapshot();
        drop(state);
        assert!(!std::fs::read(&db).unwrap().starts_with(b"SQLite format 3"), "encrypted");

        let state = AppState::open(dir.path().to_path_buf());
        assert!(matches!(*state.door(), Door::Locked(_)));
        let info = h::app_info(&state).unwrap();
        assert!(info.startup_error.is_none() && info.demo, "the demo flag is read from the slots file");
        let setup = h::setup_status(&state).unwrap();
        assert!(!setup.needs_setup);
        assert_eq!(setup.centre_name, h::get_settings(&state).unwrap().centre_name);
        assert_eq!(h::register_counts(&state).unwrap_err().code, "not_signed_in");
        assert_eq!(h::sign_in(&state, "admin".into(), "wrong password".into()).unwrap_err().code, "sign_in_failed");
        assert!(matches!(*state.door(), Door::Locked(_)), "a wrong password opens nothing");
        let session = h::sign_in(&state, "counsellor".into(), "demo-counsellor-1".into()).unwrap();
        assert_eq!(session.username, "counsellor");
        assert!(!h::app_info(&state).unwrap().checking, "the sign-in's write waited for the check");
        let failed: i64 = state
            .read_open(|c| {
                Ok(c.query_row("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(failed, 1, "the wrong password typed while locked is audited once the database opens");
        state.wait_for_snapshot();
    }

    /// A window that closes checks the file whole and notes it; the next start opens it at
    /// once (no start-up check, the store ready for the sign-in's write). A start after a
    /// power cut (the write-ahead log left behind) checks it again.
    #[test]
    fn a_database_checked_at_close_is_opened_at_once_and_after_a_power_cut_checked_again() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = encrypted_demo_centre(dir.path());
        let note = dir.path().join(saathi_core::clean_close::CHECKED_FILE);
        let state = AppState::open(dir.path().to_path_buf());
        h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
        state.wait_for_snapshot();
        state.close_and_check();
        drop(state);
        assert!(note.exists(), "noted at close");

        let state = AppState::open(dir.path().to_path_buf());
        assert!(state.unlock("admin", "demo-admin-1").unwrap().is_some());
        assert!(lock(&state.early).is_none() && lock(&state.store).is_ok(), "opened at once, without the check");
        assert!(!note.exists(), "the note is used once");
        h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
        state.wait_for_snapshot();
        state.close_and_check();
        drop(state);
        assert!(note.exists());

        // A power cut leaves the write-ahead log behind.
        let mut wal = db.into_os_string();
        wal.push("-wal");
        std::fs::write(&wal, b"what a power cut left").unwrap();
        let state = AppState::open(dir.path().to_path_buf());
        state.unlock("admin", "demo-admin-1").unwrap();
        assert!(lock(&state.early).is_some(), "checked again after a power cut");
        h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
        state.wait_for_snapshot();
    }

    /// An older copy of the database put back (or the chain cut short) is found at the
    /// next start against the anchor file: recorded in the trail and told to
    /// administrators (not to other staff).
    #[test]
    fn an_older_copy_put_back_is_reported_to_administrators_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = encrypted_demo_centre(dir.path());
        let older = dir.path().join("older-copy");
        std::fs::copy(&db, &older).unwrap();
        {
            let state = AppState::open(dir.path().to_path_buf());
            let info = h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
            assert_eq!(info.audit_warning, None, "no anchor yet: nothing to warn about");
            h::register_counts(&state).unwrap();
            h::sign_out(&state).unwrap();
            state.wait_for_snapshot();
        }
        assert!(dir.path().join(anchor::ANCHOR_FILE).exists(), "the anchor was written");
        for side in ["saathi.db-wal", "saathi.db-shm"] {
            let _ = std::fs::remove_file(dir.path().join(side));
        }
        std::fs::copy(&older, &db).unwrap();

        let state = AppState::open(dir.path().to_path_buf());
        let counsellor = h::sign_in(&state, "counsellor".into(), "demo-counsellor-1".into()).unwrap();
        assert_eq!(counsellor.audit_warning, None, "only administrators are told");
        h::sign_out(&state).unwrap();
        let admin = h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap();
        assert!(matches!(admin.audit_warning, Some(AnchorCheck::Shorter { .. })), "{:?}", admin.audit_warning);
        let recorded: i64 = state
            .read_open(|c| {
                Ok(c.query_row("SELECT count(*) FROM audit_log WHERE action = 'audit_anchor_warning'", [], |r| {
                    r.get(0)
                })?)
            })
            .unwrap();
        assert_eq!(recorded, 1);
        state.wait_for_snapshot();
    }

    /// Wrong passwords while the folder is locked count towards the back-off.
    #[test]
    fn wrong_passwords_while_locked_make_the_next_attempt_wait() {
        let dir = tempfile::tempdir().unwrap();
        encrypted_demo_centre(dir.path());
        let state = AppState::open(dir.path().to_path_buf());
        for _ in 0..3 {
            assert_eq!(h::sign_in(&state, "admin".into(), "nope".into()).unwrap_err().code, "sign_in_failed");
        }
        assert_eq!(h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap_err().code, "sign_in_wait");
        assert!(h::sign_in(&state, "counsellor".into(), "demo-counsellor-1".into()).is_ok(), "per username");
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
        let (db, key) = encrypted_demo_centre(dir.path());
        let (state, tell) = AppState::open_with_check_pending(dir.path().to_path_buf(), &key);
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
        tell.send(Store::open_checked(&db, Some(&key))).unwrap();
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
        let (db, _) = encrypted_demo_centre(dir.path());
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

    /// A database that cannot be opened: the window offers a restore without sign-in. A
    /// staff password is not enough for it; this centre's recovery code is (or its backup
    /// passphrase). Then the centre opens again.
    #[test]
    fn a_damaged_database_is_restored_without_sign_in_only_with_the_recovery_code() {
        let dir = tempfile::tempdir().unwrap();
        let db = saathi_core::paths::db_path(dir.path());
        let code = {
            let mut store = Store::open(&db).unwrap();
            let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
            let summary = saathi_core::demo::generate(&mut store, day, 3).unwrap();
            store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
            summary.recovery_code
        };
        let key = vault::convert(dir.path()).unwrap();
        let snapshot = {
            let store = Store::open_with(&db, Some(&key)).unwrap();
            let ctx = Ctx::now(Actor::system());
            saathi_core::backup::local_snapshot_if_due(store.conn(), Some(&key), dir.path(), &ctx).unwrap().unwrap()
        };
        let mut bytes = std::fs::read(&db).unwrap();
        let end = bytes.len().min(4096 * 8);
        bytes[4096..end].fill(0x5A);
        std::fs::write(&db, &bytes).unwrap();

        let state = AppState::open(dir.path().to_path_buf());
        assert_eq!(h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap_err().code, "database_damaged");
        state.wait_for_snapshot();
        let offered = h::local_snapshots(&state).unwrap();
        assert_eq!(offered, vec![snapshot.display().to_string()]);
        for wrong in ["", "demo-admin-1", "not the code"] {
            let refused = h::prepare_restore(&state, offered[0].clone(), wrong.into()).unwrap_err();
            assert_eq!(refused.code, "restore_needs_proof", "{wrong:?}");
        }
        assert_eq!(h::confirm_restore(&state).unwrap_err().code, "restore_not_prepared");
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "nothing changed");

        let preview = h::prepare_restore(&state, offered[0].clone(), code.to_lowercase()).unwrap();
        assert!(preview.patients > 0);
        h::confirm_restore(&state).unwrap();
        assert!(state.startup_error().is_none());
        assert_eq!(h::sign_in(&state, "admin".into(), "demo-admin-1".into()).unwrap().username, "admin");
    }
}
