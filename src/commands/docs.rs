//! `ptuplan completions SHELL` and `ptuplan man`: shell completion scripts (clap_complete) and
//! man pages (clap_mangen), both generated from the same clap definition as `--help`
//! ([`crate::cli::Cli`]), so they cannot drift from the binary.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use super::outcome::Outcome;
use crate::cli::Cli;

/// Print the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "ptuplan", &mut out);
    out.flush().context("writing the completion script")?;
    Ok(Outcome::Ok)
}

/// Print ptuplan.1 on stdout, or with `out_dir` write it and one page per subcommand there.
pub fn man(out_dir: Option<&Path>) -> Result<Outcome> {
    match out_dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .context("writing the man page")?;
            out.flush().context("writing the man page")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("writing man pages to {}", dir.display()))?;
        }
    }
    Ok(Outcome::Ok)
}
