//! The `saathi` command line. Subcommands run without a display (no GTK start-up), for
//! scripts, scheduled tasks and tests; with no subcommand the window opens.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use saathi_core::{Store, demo, paths, patients};

#[derive(Debug, Parser)]
#[command(
    name = "saathi",
    version,
    about = "Saathi: group therapy, peer mentorship and aftercare follow-up for a recovery centre.",
    long_about = "Saathi: group therapy, peer mentorship and aftercare follow-up for a recovery centre.\n\n\
                  With no subcommand, opens the window. Every subcommand runs without a display."
)]
struct Cli {
    /// Folder that holds Saathi's database and logs [default: the per-user app-data
    /// folder, or $SAATHI_DATA_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Open the fictional demo centre (kept in its own folder, apart from real data)
    #[arg(long)]
    demo: bool,

    /// The administrator a command that reads the centre's records acts as
    #[arg(long, global = true, value_name = "NAME")]
    user: Option<String>,

    /// Read that administrator's password from the first line of this file instead of
    /// asking for it
    #[arg(long, global = true, value_name = "FILE")]
    password_file: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the demo centre into an empty data folder, without opening a window
    Demo {
        /// Seed for the generator: the same seed and date give the same centre
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// The date the demo centre is generated for (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<NaiveDate>,
    },
    /// Open the database, check it, and print what it holds
    Check,
    /// Suggest mentor–mentee pairs for a problem file (JSON, see src-tauri/core/MATCHING.md)
    /// and print the solution as JSON
    Match {
        /// The problem: mentors, mentees, rules, weights, exclusions and pairs to keep
        #[arg(long, value_name = "FILE")]
        problem: PathBuf,
        /// Also list the score of every pair that passes the hard rules
        #[arg(long)]
        all_scores: bool,
    },
    /// Write a generated centre with years of history into a new database file, for
    /// benchmarks and tests (fictional data; the same seed gives the same file). Only in
    /// builds with the `dev-tools` feature.
    #[cfg(feature = "dev-tools")]
    Generate {
        /// How big: "ten-years" (20,000 patients) or "small"
        #[arg(long, default_value = "ten-years")]
        scale: String,
        /// The new database file (must not exist)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value_t = 10)]
        seed: u64,
        /// The date it is generated for (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        date: Option<NaiveDate>,
    },
    /// Make an encrypted, verified backup into DIR/Saathi-Backups (for Task Scheduler or
    /// cron; works while the window is open). As an administrator (--user), or with no
    /// --user when backups without a password are on for this Windows account
    /// (unattended-backup on)
    Backup {
        /// A USB stick's folder, or any folder
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Let backups run without a password on this Windows account (on), for Task
    /// Scheduler, or stop that (off). As an administrator (--user). What it weakens: any
    /// program running as this Windows account can then open the database key
    UnattendedBackup {
        #[arg(value_enum)]
        state: OnOff,
    },
    /// Restore a backup file (.saathi) or a daily copy (.db) over the data folder, after
    /// showing what it holds. The window must be closed. An administrator restores with
    /// --user; without it (when the database cannot be opened), the centre's backup
    /// passphrase, or for a .db copy its recovery code, is the proof.
    Restore {
        /// The backup file (its key file saathi-backup-key.age is looked for beside it)
        file: PathBuf,
        /// Read the passphrase (or recovery code) from the first line of this file instead
        /// of asking
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Test helper: registers patients one transaction at a time and prints each id once
    /// it is committed, until killed. Only in builds with the `dev-tools` feature.
    #[cfg(feature = "dev-tools")]
    #[command(hide = true)]
    CrashWriter,
    /// Test helper: encrypts the data folder's plain database in place, as the first start
    /// of an encrypting Saathi does (and nothing else). Only in builds with the
    /// `dev-tools` feature.
    #[cfg(feature = "dev-tools")]
    #[command(hide = true)]
    EncryptInPlace,
    /// Print the week's aftercare roster and follow-up call list to a PDF file
    Roster {
        /// Any day of the week to print (weeks run Monday to Sunday), YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        week: NaiveDate,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Privacy mode: first names and initials only, no phone numbers
        #[arg(long, conflicts_with = "full")]
        privacy: bool,
        /// Full names and phone numbers (except people who asked to stay off printed lists)
        /// [default: the centre's setting]
        #[arg(long)]
        full: bool,
        /// The language of the printed labels: en or hi [default: the centre's setting]
        #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
        lang: Option<String>,
    },
    /// Print a person's papers to a PDF file
    Print {
        #[command(subcommand)]
        what: Printable,
    },
}

/// What `saathi print` makes.
#[derive(Debug, Subcommand)]
enum Printable {
    /// The bilingual consent form to sign, filled in (centre's and patient's copies)
    ConsentForm {
        /// The person's record number
        #[arg(long, value_name = "N")]
        patient: i64,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The copy of everything the centre holds about a person (DPDP Act s.11, MHCA s.25),
    /// in their language
    AccessCopy {
        /// The person's record number
        #[arg(long, value_name = "N")]
        patient: i64,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The language of the copy: en or hi [default: the centre's setting]
        #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
        language: Option<String>,
    },
    // ---- issue 17: registers and sign-in sheets
    /// A register (admissions, discharges, follow-ups, group sessions, certificates) over a
    /// date range, as PDF and optionally CSV
    Register {
        /// admissions, discharges, follow-ups, sessions or certificates
        #[arg(long, value_parser = ["admissions", "discharges", "follow-ups", "sessions", "certificates"])]
        kind: String,
        /// The first day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        from: NaiveDate,
        /// The last day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        to: NaiveDate,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write the register as CSV to this file
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// The language of the printed labels: en or hi [default: the centre's setting]
        #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
        language: Option<String>,
        /// Privacy mode: first names and initials only, no phone numbers
        #[arg(long, conflicts_with = "full")]
        privacy: bool,
        /// Full names and phone numbers (except people who asked to stay off printed lists)
        /// [default: the centre's roster setting]
        #[arg(long)]
        full: bool,
    },
    /// The sign-in sheet of a group's session on a day
    SignIn {
        /// The group's number
        #[arg(long, value_name = "ID")]
        group: i64,
        /// The session's day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The language of the printed labels: en or hi [default: the centre's setting]
        #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
        language: Option<String>,
        /// Full names and phone numbers (except people who asked to stay off printed lists)
        /// [default: privacy mode]
        #[arg(long)]
        full: bool,
    },
    // ---- issue 17: statistics
    /// The statistics of a month or a quarter (figures only, no names) as PDF, and as CSV
    /// (`figure,breakdown,value`) with --csv
    Statistics {
        /// The month, YYYY-MM
        #[arg(long, value_name = "YYYY-MM", conflicts_with = "quarter", required_unless_present = "quarter")]
        month: Option<String>,
        /// The quarter, YYYY-Qn (Q1 is January to March)
        #[arg(long, value_name = "YYYY-Qn")]
        quarter: Option<String>,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write the figures as CSV to this file
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// The language of the PDF: en or hi [default: the centre's setting]
        #[arg(long, value_name = "LANG", value_parser = ["en", "hi"])]
        language: Option<String>,
    },
    // ---- issue 17: certificates and aftercare outcomes
    /// Issue an attendance or treatment certificate and print it (or, with --reprint
    /// SERIAL, print a duplicate of one already issued)
    Certificate(crate::cli_reports::CertificateArgs),
    /// Aftercare outcomes of the people discharged in a period (PDF, and CSV with --csv)
    Outcomes(crate::cli_reports::OutcomesArgs),
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OnOff {
    On,
    Off,
}

pub fn main() -> ExitCode {
    crate::os::give_back_large_blocks();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("saathi: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let who = crate::cli_access::Credentials { user: cli.user.clone(), password_file: cli.password_file.clone() };
    match cli.command {
        None if cli.demo => {
            let dir = demo_dir(cli.data_dir.as_deref())?;
            if !paths::db_path(&dir).exists() {
                write_demo(&dir, demo::DEFAULT_SEED, None)?;
            }
            println!("Opening the demo centre in {}", dir.display());
            print_demo_accounts();
            crate::run_window(dir)
        }
        None => crate::run_window(paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?),
        Some(Command::Demo { seed, date }) => {
            let dir = demo_dir(cli.data_dir.as_deref())?;
            write_demo(&dir, seed, date)
        }
        Some(Command::Check) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let db = paths::db_path(&dir);
            let (store, admin) = crate::cli_access::open_as_admin(&dir, &who)?;
            let c = patients::counts(store.conn(), &admin).map_err(|e| e.to_string())?;
            println!("Database: {}", db.display());
            println!("Schema version: {}", saathi_core::db::schema_version());
            println!(
                "Patients: {} in-patient, {} aftercare, {} alumni, {} inactive",
                c.inpatients, c.aftercare, c.alumni, c.inactive
            );
            let off = saathi_core::groups::tallies::recount(store.conn()).map_err(|e| e.to_string())?;
            if off.is_empty() {
                println!("Attendance tallies: recounted from the marks, all agree");
                return Ok(());
            }
            for d in &off {
                println!("Attendance tally disagrees with the marks: {}", tally_line(d));
            }
            Err(format!("{} attendance tallies disagree with the marks (nothing was changed)", off.len()))
        }
        Some(Command::Backup { to }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let key = match who.user {
                Some(_) => {
                    let (store, _admin) = crate::cli_access::open_as_admin(&dir, &who)?;
                    store.key().cloned()
                }
                None => Some(crate::unattended_cli::key_for_backup(&dir)?),
            };
            crate::backup_cli::backup(&dir, &to, key.as_ref())
        }
        Some(Command::UnattendedBackup { state }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            crate::unattended_cli::set(&dir, &who, state == OnOff::On)
        }
        Some(Command::Restore { file, passphrase_file, yes }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            crate::backup_cli::restore(&dir, &file, passphrase_file.as_deref(), yes, &who)
        }
        #[cfg(feature = "dev-tools")]
        Some(Command::CrashWriter) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            crate::backup_cli::crash_writer(&dir, &who)
        }
        #[cfg(feature = "dev-tools")]
        Some(Command::EncryptInPlace) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let _lock = saathi_core::db::InstanceLock::acquire(&dir).map_err(|e| e.to_string())?;
            match saathi_core::vault::look(&dir).map_err(|e| e.to_string())? {
                saathi_core::vault::Folder::Plain => {
                    saathi_core::vault::convert(&dir).map_err(|e| e.to_string())?;
                    println!("converted");
                }
                _ => println!("already encrypted"),
            }
            Ok(())
        }
        Some(Command::Roster { week, out, privacy, full, lang }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let (mut store, admin) = crate::cli_access::open_as_admin(&dir, &who)?;
            let choice = if privacy {
                Some(true)
            } else if full {
                Some(false)
            } else {
                None
            };
            use saathi_core::settings::Language;
            let lang = lang.map(|l| if l == "hi" { Language::Hi } else { Language::En });
            let bytes = store
                .write(|tx| saathi_core::aftercare::roster::roster_pdf(tx, &admin, week, choice, lang))
                .map_err(|e| e.to_string())?;
            let written = crate::printouts::write_whole(&out, &bytes)
                .map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
            println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
            Ok(())
        }
        Some(Command::Print { what: Printable::ConsentForm { patient, out } }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let (mut store, admin) = crate::cli_access::open_as_admin(&dir, &who)?;
            let bytes = store
                .write(|tx| saathi_core::consents_print::form_pdf(tx, &admin, patient))
                .map_err(|e| e.to_string())?;
            let written = crate::printouts::write_whole(&out, &bytes)
                .map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
            println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
            Ok(())
        }
        Some(Command::Print { what: Printable::AccessCopy { patient, out, language } }) => {
            use saathi_core::settings::Language;
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let (mut store, admin) = crate::cli_access::open_as_admin(&dir, &who)?;
            let language = match language.as_deref() {
                Some("hi") => Language::Hi,
                Some(_) => Language::En,
                None => saathi_core::settings::get(store.conn()).map_err(|e| e.to_string())?.language,
            };
            let bytes = store
                .write(|tx| saathi_core::rights::access_copy::pdf(tx, &admin, patient, language, &[]))
                .map_err(|e| e.to_string())?;
            let written = crate::printouts::write_whole(&out, &bytes)
                .map_err(|e| format!("Could not write {}: {e}.", out.display()))?;
            println!("Wrote {} ({} KB)", written.display(), bytes.len().div_ceil(1024));
            Ok(())
        }
        // ---- issue 17: registers and sign-in sheets
        Some(Command::Print { what: Printable::Register { kind, from, to, out, csv, language, privacy, full } }) => {
            let privacy = if privacy {
                Some(true)
            } else if full {
                Some(false)
            } else {
                None
            };
            let args = crate::cli_registers::RegisterArgs { kind, from, to, out, csv, language, privacy };
            crate::cli_registers::register(cli.data_dir.as_deref(), &who, args)
        }
        Some(Command::Print { what: Printable::SignIn { group, date, out, language, full } }) => {
            let privacy = full.then_some(false);
            crate::cli_registers::sign_in(
                cli.data_dir.as_deref(),
                &who,
                group,
                date,
                &out,
                language.as_deref(),
                privacy,
            )
        }
        // ---- issue 17: statistics
        Some(Command::Print { what: Printable::Statistics { month, quarter, out, csv, language } }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            let period = month.or(quarter).unwrap_or_default();
            crate::cli_statistics::print(&dir, &who, &period, &out, csv.as_deref(), language.as_deref())
        }
        // ---- issue 17: certificates and aftercare outcomes
        Some(Command::Print { what: Printable::Certificate(args) }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            crate::cli_reports::certificate(&dir, &who, args)
        }
        Some(Command::Print { what: Printable::Outcomes(args) }) => {
            let dir = paths::resolve_data_dir(cli.data_dir.as_deref()).map_err(|e| e.to_string())?;
            crate::cli_reports::outcomes(&dir, &who, args)
        }
        Some(Command::Match { problem, all_scores }) => {
            let text = std::fs::read_to_string(&problem)
                .map_err(|e| format!("Could not read the problem file {}: {e}.", problem.display()))?;
            let p = saathi_core::matching::Problem::from_json(&text)
                .map_err(|e| format!("{} is not a valid matching problem: {e}.", problem.display()))?;
            let mut solution = saathi_core::matching::solve(&p);
            if all_scores {
                solution.all_scores = Some(saathi_core::matching::all_scores(&p));
            }
            let json = serde_json::to_string_pretty(&solution)
                .map_err(|e| format!("Could not write the solution as JSON: {e}."))?;
            println!("{json}");
            Ok(())
        }
        #[cfg(feature = "dev-tools")]
        Some(Command::Generate { scale, out, seed, date }) => {
            let Some(size) = saathi_core::scale::Scale::named(&scale) else {
                return Err(format!("There is no scale called {scale:?}; use \"ten-years\" or \"small\"."));
            };
            let today = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            let s = saathi_core::scale::generate(&out, &size, seed, today).map_err(|e| e.to_string())?;
            println!(
                "Wrote {} ({} scale) in {:.1} s: {} patients, {} stays, {} audit entries, {} mentor pairs, \
                 {} groups with {} memberships, {} sessions and {} attendance marks, {} aftercare plans with \
                 {} follow-ups and {} contact attempts.",
                out.display(),
                size.name,
                s.seconds,
                s.patients,
                s.stays,
                s.audit_entries,
                s.mentor_pairs,
                s.groups,
                s.memberships,
                s.sessions,
                s.attendance,
                s.plans,
                s.followups,
                s.attempts
            );
            Ok(())
        }
    }
}

/// The demo folder: the one given, else its own default — never the real data folder.
fn demo_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match flag {
        Some(d) => d.to_path_buf(),
        None => paths::default_demo_dir().map_err(|e| e.to_string())?,
    };
    if let Ok(real) = paths::default_data_dir()
        && real == dir
    {
        return Err("The demo centre is never written into the real data folder. Choose another folder.".into());
    }
    Ok(dir)
}

fn write_demo(dir: &Path, seed: u64, date: Option<NaiveDate>) -> Result<(), String> {
    let db = paths::db_path(dir);
    if db.exists() {
        return Err(format!(
            "{} already holds a Saathi database; the demo is only written into an empty folder.",
            dir.display()
        ));
    }
    let _lock = saathi_core::db::InstanceLock::acquire(dir).map_err(|e| e.to_string())?;
    let mut store = Store::open(&db).map_err(|e| e.to_string())?;
    let today = date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let s = demo::generate(&mut store, today, seed).map_err(|e| e.to_string())?;
    drop(store);
    // Written plain, then encrypted exactly as a centre's plain database is at its first
    // start: the demo accounts' passwords open it.
    saathi_core::vault::convert(dir).map_err(|e| e.to_string())?;
    println!(
        "Demo centre written to {}: {} staff, {} in-patients, {} discharged.",
        dir.display(),
        s.staff,
        s.inpatients,
        s.discharged
    );
    print_demo_accounts();
    println!("Demo recovery code: {}", s.recovery_code);
    println!("Demo backup passphrase: {}", saathi_core::backup::DEMO_PASSPHRASE);
    Ok(())
}

fn print_demo_accounts() {
    println!("Demo accounts (for the demo centre only):");
    for (role, username, password) in demo::DEMO_ACCOUNTS {
        println!("  {:<14} username {:<11} password {}", role.describe(), username, password);
    }
}

/// One tally that `check` found wrong, as a line (kept, then counted).
fn tally_line(d: &saathi_core::groups::tallies::Disagreement) -> String {
    use saathi_core::groups::tallies::Disagreement;
    match d {
        Disagreement::Window { membership_id, month, kept, counted } => format!(
            "membership {membership_id}, {month}: present/late/absent/excused {kept:?} kept, {counted:?} counted"
        ),
        Disagreement::Session { session_id, kept, counted } => {
            format!("session {session_id}: attended {kept} kept, {counted} counted")
        }
    }
}
