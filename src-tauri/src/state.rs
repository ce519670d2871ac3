//! What the window's commands share: the open store (or why it could not be opened).
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, Transaction};
use saathi_core::db::InstanceLock;
use saathi_core::{Actor, Ctx, Error, ErrorPayload, Store};

pub struct AppState {
    pub data_dir: PathBuf,
    store: Result<Mutex<Store>, ErrorPayload>,
    _lock: Option<InstanceLock>,
}

impl AppState {
    pub fn open(data_dir: PathBuf) -> AppState {
        let (lock, store) = match InstanceLock::acquire(&data_dir) {
            Ok(lock) => (
                Some(lock),
                Store::open(&saathi_core::paths::db_path(&data_dir)),
            ),
            Err(e) => (None, Err(e)),
        };
        let store = store.map(Mutex::new).map_err(|e| {
            tracing::error!(code = e.code(), "the database could not be opened");
            e.payload()
        });
        AppState {
            data_dir,
            store,
            _lock: lock,
        }
    }

    pub fn startup_error(&self) -> Option<ErrorPayload> {
        self.store.as_ref().err().cloned()
    }

    /// The acting staff member. Until sign-in exists this is the front-desk PC itself.
    fn ctx(&self) -> Ctx {
        Ctx::now(Actor::system())
    }

    fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>, ErrorPayload> {
        let m = self.store.as_ref().map_err(Clone::clone)?;
        // A panic while holding the lock cannot leave a half-written transaction (it
        // rolls back on drop), so a poisoned lock is safe to reuse.
        Ok(m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &Ctx) -> saathi_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let store = self.store()?;
        let ctx = self.ctx();
        f(store.conn(), &ctx).map_err(|e| report(&e))
    }

    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &Ctx) -> saathi_core::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let mut store = self.store()?;
        let ctx = self.ctx();
        store.write(|tx| f(tx, &ctx)).map_err(|e| report(&e))
    }
}

fn report(e: &Error) -> ErrorPayload {
    match e {
        Error::Invalid { .. } | Error::NotFound { .. } | Error::Forbidden { .. } => {}
        other => tracing::error!(code = other.code(), error = %other, "command failed"),
    }
    e.payload()
}
