//! Errors with a stable code (for programs and translations) and a plain sentence (for
//! the person at the front desk).
use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user typed or chose breaks a rule; `field` names the form field.
    #[error("{message}")]
    Invalid { code: &'static str, field: Option<&'static str>, message: String },
    /// `Invalid` with the values its sentence names (a date, a limit), so the window can say
    /// them in either language. Made by [`Error::with`].
    #[error("{message}")]
    InvalidWith {
        code: &'static str,
        field: Option<&'static str>,
        message: String,
        params: Vec<(&'static str, String)>,
    },
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
    #[error(
        "The file saathi.db in {path} cannot be opened: it is not a plain Saathi database, and there is no key \
         file (saathi.keys) beside it to open it as an encrypted one. Nothing has been changed. If the folder was \
         copied, copy saathi.keys too; otherwise restore a backup."
    )]
    KeysMissing { path: String },
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
    #[error(
        "Backups are not set up yet. An administrator must first choose the centre's backup passphrase (Backup screen)."
    )]
    BackupNotSetUp,
    #[error(
        "The backup could not be written to {folder}: {}. Nothing that looks like a finished backup was left there, \
         older backups are unchanged, and the data in Saathi is untouched. Check the stick (is it full, removed or \
         write-protected?) and try again.",
        io_words(reason)
    )]
    /// `reason` is a code of [`io_reason`], or the system's own text when it has none.
    BackupWriteFailed { folder: String, reason: String },
    #[error(
        "The backup does not fit on {folder}: it needs {needs_mb} MB and the stick has {free_mb} MB free. Nothing \
         has been changed. Remove old files from the stick or use a larger one."
    )]
    BackupNoRoom { folder: String, needs_mb: u64, free_mb: u64 },
    #[error(
        "The backup was written but reading it back from {folder} gave different data ({detail}). It was not kept. \
         The stick may be failing: try another stick."
    )]
    BackupNotVerified { folder: String, detail: String },
    #[error(
        "The passphrase is not right for this backup key. Type it again exactly as on the recovery sheet. Nothing has been changed."
    )]
    WrongPassphrase,
    #[error(
        "This backup file is damaged or incomplete ({detail}). It cannot be restored; nothing has been changed. \
         Choose an older backup."
    )]
    BackupDamaged { detail: String },
    #[error("This file is not a Saathi backup. Nothing has been changed. Choose a file whose name ends in .saathi.")]
    NotABackup,
    #[error(
        "This backup was made by a newer version of Saathi (schema {found}; this version knows up to {supported}). \
         Nothing has been changed. Install the newer Saathi first, then restore."
    )]
    BackupNewer { found: i64, supported: i64 },
    #[error(
        "This backup was made with a different backup key than the one found beside it or in this Saathi. \
         Nothing has been changed. Use the key file saathi-backup-key.age that was on the same stick."
    )]
    BackupOtherKey,
    #[error("A backup or restore is already running. Please wait for it to finish.")]
    BackupRunning,
    #[error(
        "This file's database is not built as Saathi builds its own ({kind} \"{name}\" differs). It was not \
         restored; nothing has been changed. Use a backup that Saathi made."
    )]
    ForeignSchema {
        /// `table`, `index`, `trigger` or `view` (the window names it in its language).
        kind: String,
        name: String,
    },
    #[error("Saathi could not make the PDF: {0}")]
    Pdf(String),
    #[error("Saathi could not read or write a file: {}", io_reason(.0).map_or_else(|| .0.to_string(), |r| io_words(r).to_owned()))]
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

/// Why a file could not be read or written, as a code (`value.detail.<code>` in the
/// window's catalogue), for the causes a front desk can act on; `None` for any other.
pub fn io_reason(e: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    let by_kind = match e.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => Some("no_space"),
        ReadOnlyFilesystem => Some("read_only"),
        PermissionDenied => Some("no_permission"),
        NotFound => Some("gone"),
        _ => None,
    };
    by_kind.or_else(|| raw_reason(e.raw_os_error()?))
}

/// System error numbers std does not name (Windows: winerror.h; Linux: errno.h).
fn raw_reason(code: i32) -> Option<&'static str> {
    if cfg!(windows) {
        match code {
            19 => Some("read_only"),             // ERROR_WRITE_PROTECT
            32 | 33 => Some("in_use"),           // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            21 | 55 | 1167 => Some("not_ready"), // NOT_READY, DEV_NOT_EXIST, DEVICE_NOT_CONNECTED
            23 | 1117 => Some("device_error"),   // ERROR_CRC, ERROR_IO_DEVICE
            _ => None,
        }
    } else {
        match code {
            5 => Some("device_error"),   // EIO
            6 | 19 => Some("not_ready"), // ENXIO, ENODEV
            _ => None,
        }
    }
}

/// The English words of an [`io_reason`] code, for the command line and the log (the
/// window words it from its catalogue); any other text is returned as it is.
fn io_words(reason: &str) -> &str {
    match reason {
        "no_space" => "the disk or stick is full",
        "read_only" => "it cannot be written to (write-protected)",
        "no_permission" => "Windows does not allow Saathi to use it",
        "gone" => "the drive or folder is no longer there",
        "in_use" => "another program has the file open",
        "not_ready" => "the drive is not ready or was removed",
        "device_error" => "the drive reported a read or write error",
        other => other,
    }
}

impl Error {
    pub fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { code, field: Some(field), message: message.into() }
    }

    /// Adds a value the message names (`{name}` in the window's texts) to an `Invalid` error;
    /// other errors are returned unchanged.
    pub fn with(self, name: &'static str, value: impl ToString) -> Self {
        match self {
            Error::Invalid { code, field, message } => {
                Error::InvalidWith { code, field, message, params: vec![(name, value.to_string())] }
            }
            Error::InvalidWith { code, field, message, mut params } => {
                params.push((name, value.to_string()));
                Error::InvalidWith { code, field, message, params }
            }
            other => other,
        }
    }

    /// The stable code. Never change one once shipped; the UI translates by code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. } | Error::InvalidWith { code, .. } => code,
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::NewerDatabase { .. } => "database_newer",
            Error::NotSaathi { .. } => "database_not_saathi",
            Error::Damaged { .. } => "database_damaged",
            Error::KeysMissing { .. } => "keys_missing",
            Error::AlreadyOpen { .. } => "already_open",
            Error::Busy => "busy",
            Error::NotSignedIn => "not_signed_in",
            Error::Locked => "locked",
            Error::MustChangePassword => "must_change_password",
            Error::SignInFailed => "sign_in_failed",
            Error::SignInWait { .. } => "sign_in_wait",
            Error::BackupNotSetUp => "backup_not_set_up",
            Error::BackupWriteFailed { .. } => "backup_write_failed",
            Error::BackupNoRoom { .. } => "backup_no_room",
            Error::BackupNotVerified { .. } => "backup_not_verified",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::BackupDamaged { .. } => "backup_damaged",
            Error::NotABackup => "not_a_backup",
            Error::BackupNewer { .. } => "backup_newer",
            Error::BackupOtherKey => "backup_other_key",
            Error::BackupRunning => "backup_running",
            Error::ForeignSchema { .. } => "restore_schema_foreign",
            Error::Pdf(_) => "pdf",
            // A file that is not there (a mistyped path) is worth its own plain sentence.
            Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => "file_missing",
            Error::Io(_) => "io",
            Error::Sqlite(_) => "database",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } | Error::InvalidWith { field, .. } => *field,
            _ => None,
        }
    }

    /// The values the message names, by name, for the window to put in its own texts.
    pub fn params(&self) -> BTreeMap<String, String> {
        let list: Vec<(&str, String)> = match self {
            Error::InvalidWith { params, .. } => params.clone(),
            Error::NotFound { what } => vec![("what", (*what).to_owned())],
            Error::Forbidden { role, action } => vec![("role", (*role).to_owned()), ("action", (*action).to_owned())],
            Error::NewerDatabase { found, supported } | Error::BackupNewer { found, supported } => {
                vec![("found", found.to_string()), ("supported", supported.to_string())]
            }
            Error::NotSaathi { path } | Error::AlreadyOpen { path } | Error::KeysMissing { path } => {
                vec![("path", path.clone())]
            }
            Error::Damaged { path, detail } => vec![("path", path.clone()), ("detail", detail.clone())],
            Error::SignInWait { seconds } => vec![("seconds", seconds.to_string())],
            Error::BackupWriteFailed { folder, reason } => vec![("folder", folder.clone()), ("detail", reason.clone())],
            Error::BackupNoRoom { folder, needs_mb, free_mb } => {
                vec![("folder", folder.clone()), ("needs_mb", needs_mb.to_string()), ("free_mb", free_mb.to_string())]
            }
            Error::BackupNotVerified { folder, detail } => vec![("folder", folder.clone()), ("detail", detail.clone())],
            Error::ForeignSchema { kind, name } => vec![("kind", kind.clone()), ("name", name.clone())],
            Error::BackupDamaged { detail } | Error::Pdf(detail) => {
                vec![("detail", detail.clone())]
            }
            // A known cause crosses as a code the window words in its language; only an
            // unknown one carries the system's own text.
            Error::Io(e) => vec![("detail", io_reason(e).map_or_else(|| e.to_string(), str::to_owned))],
            Error::Sqlite(e) => vec![("detail", e.to_string())],
            _ => Vec::new(),
        };
        list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_owned(),
            message: self.to_string(),
            field: self.field().map(str::to_owned),
            params: self.params(),
        }
    }
}

/// What crosses to the UI when a command fails.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// The values the message names (`{name}` in the window's texts); empty when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(optional, as = "Option<BTreeMap<String, String>>")]
    pub params: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_carries_the_values_the_message_names() {
        let e = Error::invalid("password_too_short", "password", "The password must have at least 8 characters.")
            .with("min", 8);
        let p = e.payload();
        assert_eq!((p.code.as_str(), p.field.as_deref()), ("password_too_short", Some("password")));
        assert_eq!(p.params.get("min").map(String::as_str), Some("8"));
        assert_eq!(p.message, "The password must have at least 8 characters.");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["params"]["min"], "8");

        let missing = Error::from(std::io::Error::from(std::io::ErrorKind::NotFound)).payload();
        assert_eq!(missing.code, "file_missing");

        // A cause the front desk can act on crosses as a code; another as the system's text.
        let full = Error::from(std::io::Error::from(std::io::ErrorKind::StorageFull)).payload();
        assert_eq!((full.code.as_str(), full.params["detail"].as_str()), ("io", "no_space"));
        assert!(full.message.ends_with("the disk or stick is full"), "{}", full.message);
        let odd = Error::from(std::io::Error::other("odd failure")).payload();
        assert_eq!(odd.params["detail"], "odd failure");

        let wait = Error::SignInWait { seconds: 30 }.payload();
        assert_eq!(wait.params.get("seconds").map(String::as_str), Some("30"));

        // Without values, no `params` crosses at all.
        let plain = serde_json::to_value(Error::invalid("name_empty", "full_name", "x").payload()).unwrap();
        assert!(plain.get("params").is_none(), "{plain}");
    }
}
