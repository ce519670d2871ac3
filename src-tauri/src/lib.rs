//! The Saathi desktop shell: a Tauri 2 window over `saathi-core`, and the command line.
mod backup_cli;
mod backup_job;
pub mod cli;
mod cli_access;
// ---- issue 17: registers and sign-in sheets
mod cli_registers;
// ---- issue 17: statistics
mod cli_statistics;
// ---- issue 17: certificates and aftercare outcomes
mod cli_reports;
mod commands;
mod os;
mod printouts;
#[cfg(test)]
mod role_matrix;
mod state;
mod unattended_cli;
mod webview;

use std::path::{Path, PathBuf};

use tauri::Manager;

/// The commands' one table (name, who may call it): see src-tauri/commands.rs. build.rs
/// makes the permissions and the capability from it; here the tests check against it.
#[cfg(test)]
mod command_table {
    include!("../commands.rs");
}
#[cfg(test)]
use command_table::{COMMANDS, Who};

/// Sends `tracing` output to a daily file in `<data dir>/logs` (14 kept). Only ids and
/// codes are ever logged, never names, phone numbers or notes.
pub fn init_logging(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SAATHI_LOG").unwrap_or_else(|_| "info".into());
    let dir = saathi_core::paths::log_dir(data_dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("Saathi could not create its log folder ({e}); continuing without a log file.");
        return None;
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("saathi")
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir);
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false);
            let _ = tracing_subscriber::registry().with(filter).with(layer).try_init();
            Some(guard)
        }
        Err(e) => {
            eprintln!("Saathi could not open its log folder ({e}); continuing without a log file.");
            None
        }
    }
}

/// When the window started, for the start-up figures in the log.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Logs, once, how long after start the page first asked for its data.
pub(crate) fn log_first_call() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Some(began) = STARTED.get() {
            tracing::info!(ms = began.elapsed().as_millis() as u64, "the page made its first call");
        }
    });
}

/// Opens the main window on `data_dir` and runs until it is closed.
pub fn run_window(data_dir: PathBuf) -> Result<(), String> {
    let _guard = init_logging(&data_dir);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting the window");
    webview::check()?;
    let began = STARTED.get_or_init(std::time::Instant::now);
    let state = state::AppState::open(data_dir);
    tracing::info!(ms = began.elapsed().as_millis() as u64, "database opened");
    // Printouts left by a session that ended without sign-out (a power cut); never those
    // of the window that already holds this data folder.
    if state.startup_error().is_none_or(|e| e.code != "already_open") {
        printouts::clear(&state.data_dir);
    }
    tracing::debug!(ms = began.elapsed().as_millis() as u64, "building the window");
    tauri::Builder::default()
        // A second launch focuses the window that is already open.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        // "Back up when closing": the window waits for the backup, then closes.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<state::AppState>();
                let w = window.clone();
                if backup_job::hold_close(&state, move || {
                    let _ = w.destroy();
                }) {
                    api.prevent_close();
                }
            }
        })
        .setup(|_| {
            if let Some(began) = STARTED.get() {
                tracing::debug!(ms = began.elapsed().as_millis() as u64, "window set up");
            }
            Ok(())
        })
        .invoke_handler(commands::invoke_handler())
        .build(tauri::generate_context!())
        .map_err(|e| format!("The Saathi window could not start: {e}"))?
        .run(|app, event| {
            // Never leave the daily local snapshot half-written; the database is checked
            // as it closes, so that the next start need not.
            if let tauri::RunEvent::Exit = event {
                let state = app.state::<state::AppState>();
                state.write_anchor();
                state.wait_for_snapshot();
                printouts::clear(&state.data_dir);
                state.close_and_check();
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    /// The table names exactly the commands that exist, each once.
    #[test]
    fn the_table_lists_exactly_the_defined_commands() {
        let mut defined: Vec<&str> = crate::commands::DEFINED.to_vec();
        let mut declared: Vec<&str> = COMMANDS.iter().map(|c| c.0).collect();
        defined.sort_unstable();
        declared.sort_unstable();
        let before = declared.len();
        declared.dedup();
        assert_eq!(declared.len(), before, "a command is in the table twice");
        assert_eq!(defined, declared);
    }

    /// The capability build.rs writes allows every command by name, the open and save dialogs, and
    /// nothing else, to the main window only.
    #[test]
    fn the_generated_capability_allows_exactly_our_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/capabilities/main.json"))).unwrap();
        assert_eq!(cap["identifier"], "main");
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        let mut listed: Vec<String> =
            cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
        let mut expected: Vec<String> =
            crate::commands::DEFINED.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        // The open and save dialogs only (the PDF viewer is opened from Rust).
        expected.extend(["dialog:allow-open".to_owned(), "dialog:allow-save".to_owned()]);
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected);
    }

    /// A second Saathi on the same data folder gets a plain "already open" instead of a
    /// second connection; once the first closes, the folder opens normally.
    #[test]
    fn one_instance_per_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = crate::state::AppState::open(dir.path().to_path_buf());
        assert!(first.startup_error().is_none());
        let second = crate::state::AppState::open(dir.path().to_path_buf());
        let err = second.startup_error().expect("refused");
        assert_eq!(err.code, "already_open");
        assert!(err.message.contains("already open"), "{}", err.message);
        drop(second);
        drop(first);
        assert!(crate::state::AppState::open(dir.path().to_path_buf()).startup_error().is_none());
    }

    #[test]
    fn csp_is_strict() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["script-src"], "'self'");
        let all = csp.to_string();
        assert!(!all.contains("unsafe"), "no unsafe-inline / unsafe-eval");
        assert!(!all.contains("https:") && !all.contains("http://*"), "no remote sources");
        assert_ne!(conf["app"]["withGlobalTauri"], true);
    }
}
