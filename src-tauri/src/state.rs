//! What the window's commands share: the open store (or why it could not be opened) and
//! the signed-in staff member's session.
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};
use saathi_core::auth::{Gate, Session};
use saathi_core::db::InstanceLock;
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

impl AppState {
    pub fn open(data_dir: PathBuf) -> AppState {
        let (lock, store) = match InstanceLock::acquire_within(&data_dir, std::time::Duration::from_secs(5)) {
            Ok(lock) => (Some(lock), Store::open(&saathi_core::paths::db_path(&data_dir))),
            Err(e) => (None, Err(e)),
        };
        let store = store.map_err(|e| {
            tracing::error!(code = e.code(), "the database could not be opened");
            e.payload()
        });
        // The local safety net: at most one snapshot a day in the data folder, read through
        // a connection of its own while the window starts.
        let snapshot = store.is_ok().then(|| {
            let (db, dir) = (saathi_core::paths::db_path(&data_dir), data_dir.clone());
            std::thread::spawn(move || {
                let taken = Connection::open(&db).map_err(Error::from).and_then(|conn| {
                    saathi_core::backup::local_snapshot_if_due(&conn, &dir, &Ctx::now(Actor::system()))
                });
                if let Err(e) = taken {
                    tracing::warn!(code = e.code(), "the daily local snapshot could not be taken");
                }
            })
        });
        AppState {
            data_dir,
            store: Mutex::new(store),
            session: Mutex::new(None),
            backup: Arc::default(),
            snapshot: Mutex::new(snapshot),
            _lock: lock,
        }
    }

    /// Waits for the daily local snapshot started by [`AppState::open`], if it is still
    /// being taken (the app calls this before it exits).
    pub fn wait_for_snapshot(&self) {
        if let Some(handle) = lock(&self.snapshot).take() {
            let _ = handle.join();
        }
    }

    pub fn startup_error(&self) -> Option<ErrorPayload> {
        lock(&self.store).as_ref().err().cloned()
    }

    fn store(&self) -> Res<StoreGuard<'_>> {
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
            f(store.conn(), &ctx)
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

    /// A read that needs no session (set-up status, language, app info).
    pub fn read_open<T>(&self, f: impl FnOnce(&Connection) -> saathi_core::Result<T>) -> Res<T> {
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
            Error::Invalid { .. } | Error::NotFound { .. } => {}
            other => tracing::error!(code = other.code(), error = %other, "command failed"),
        }
        e.payload()
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
