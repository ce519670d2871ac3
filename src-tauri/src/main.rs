// On Windows, release builds are GUI programs (no console window behind Saathi).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    saathi_app::cli::main()
}
