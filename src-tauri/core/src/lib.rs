//! saathi-core: everything Saathi knows and decides, with no user interface and no Tauri.
//!
//! Reads take a `&Connection`, writes a `&Transaction` (see [`db::Store::write`]); every
//! operation takes a [`ctx::Ctx`] naming the acting staff member and the date.
pub mod access;
pub mod admission_basis;
pub mod admissions;
pub mod aftercare;
pub mod anchor;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk_reads;
pub mod case_record;
pub mod clean_close;
pub mod consents;
pub mod consents_print;
pub mod credentials;
pub mod ctx;
mod dates;
pub mod db;
pub mod demo;
mod demo_case;
pub mod districts;
pub mod encrypt;
mod enums;
pub mod error;
pub mod field_history;
pub(crate) mod files;
pub mod groups;
pub mod intake;
pub mod keyslots;
pub mod matching;
pub mod mentorship;
pub mod notes;
mod os_protect;
pub mod paths;
pub mod patients;
pub mod pdf;
/// What an encrypted file holds, page by page, for the erasure tests.
#[cfg(any(test, feature = "dev-tools"))]
pub mod raw_pages;
pub mod rights;
/// The generated centres with years of history, for the benchmark and the tests only.
#[cfg(any(test, feature = "dev-tools"))]
pub mod scale;
pub mod schema;
pub mod settings;
pub mod staff;
pub mod text;
pub mod unattended;
pub mod vault;
// ---- issue 17: registers and sign-in sheets
pub mod registers;
// ---- issue 17: statistics
pub mod counselling;
pub mod outreach;
pub mod statistics;

// ---- issue 17: certificates and aftercare outcomes
pub mod certificates;

pub use ctx::{Actor, Ctx, Role};
pub use db::Store;
pub use error::{Error, ErrorPayload, Result};
