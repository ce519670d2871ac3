//! Errors with a stable code (for programs and translations) and a plain sentence (for
//! the person at the front desk).
use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user typed or chose breaks a rule; `field` names the form field.
    #[error("{message}")]
    Invalid { code: &'static str, field: Option<&'static str>, message: String },
    #[error("{what} was not found. It may have been archived or never existed.")]
    NotFound { what: &'static str },
    #[error("Your role ({role}) is not allowed to {action}. Ask an administrator if you need this.")]
    Forbidden { role: &'static str, action: &'static str },
    #[error(
        "This database was written by a newer version of Saathi (schema {found}; this version knows up to {supported}). \
         It has not been changed. Install the newer Saathi to open it."
    )]
    NewerDatabase { found: i64, supported: i64 },
    #[error(
        "The file at {path} is not a Saathi database. It has not been changed. \
         Choose another data folder, or move that file away and start Saathi again."
    )]
    NotSaathi { path: String },
    #[error(
        "The Saathi database at {path} looks damaged ({detail}). It has not been changed or deleted. \
         Restore the latest backup, or ask for technical help before doing anything else."
    )]
    Damaged { path: String, detail: String },
    #[error("Saathi is already open with this data folder ({path}). Use the window that is already open.")]
    AlreadyOpen { path: String },
    #[error("The database is busy with another task. Please try again in a moment.")]
    Busy,
    #[error("Please sign in first.")]
    NotSignedIn,
    #[error("The screen is locked. Unlock it with your password or PIN to continue.")]
    Locked,
    #[error("Please choose a new password before you continue.")]
    MustChangePassword,
    #[error("The username or password is not right. Please try again.")]
    SignInFailed,
    #[error("Too many wrong attempts. Please wait {seconds} seconds, then try again.")]
    SignInWait { seconds: i64 },
    #[error("Saathi could not make the PDF: {0}")]
    Pdf(String),
    #[error("Saathi could not read or write a file: {0}")]
    Io(#[from] std::io::Error),
    #[error("The database reported a problem: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => Error::Busy,
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    pub fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { code, field: Some(field), message: message.into() }
    }

    /// The stable code. Never change one once shipped; the UI translates by code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. } => code,
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::NewerDatabase { .. } => "database_newer",
            Error::NotSaathi { .. } => "database_not_saathi",
            Error::Damaged { .. } => "database_damaged",
            Error::AlreadyOpen { .. } => "already_open",
            Error::Busy => "busy",
            Error::NotSignedIn => "not_signed_in",
            Error::Locked => "locked",
            Error::MustChangePassword => "must_change_password",
            Error::SignInFailed => "sign_in_failed",
            Error::SignInWait { .. } => "sign_in_wait",
            Error::Pdf(_) => "pdf",
            Error::Io(_) => "io",
            Error::Sqlite(_) => "database",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => *field,
            _ => None,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code().to_owned(), message: self.to_string(), field: self.field().map(str::to_owned) }
    }
}

/// What crosses to the UI when a command fails.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}
