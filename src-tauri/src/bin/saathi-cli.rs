//! `saathi-cli`: the same program as `saathi`, built as a console program. On Windows the
//! window's build is a GUI program with no console, so `saathi backup …`, `restore …` and
//! the other subcommands typed at a command prompt would print nothing and could not ask
//! for a passphrase; `saathi-cli` (installed beside it) prints and asks as expected.

fn main() -> std::process::ExitCode {
    saathi_app::cli::main()
}
