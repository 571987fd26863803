//! The `ptuplan` binary: parse the command line, run, print any error, pick the exit code
//! (0 ok, 1 error, 2 usage, 3 budget rule breached; a closed stdout pipe exits 0). Messages
//! carry user data (names, paths): control characters in them are shown, never interpreted.

use std::process::ExitCode;

use ptuplan::commands::{self, Outcome};
use ptuplan::render::escape::terminal_lines;

fn main() -> ExitCode {
    ptuplan::allocator::share_one_arena();
    ptuplan::cleanup::install();
    let cli = ptuplan::cli::parse();
    let args: Vec<_> = std::env::args_os().collect();
    let notes = ptuplan::cli::deprecated::notes(&args);
    (!ptuplan::cli::deprecated::quiet(&args)).then(|| notes.iter().for_each(|n| eprintln!("{n}")));
    match commands::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::BudgetBreached) => ExitCode::from(3),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", terminal_lines(&commands::error_text(&err)));
            ExitCode::from(if err.is::<ptuplan::settings::UsageError>() {
                2
            } else {
                1
            })
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
