//! `completions` and `man`.

use std::path::PathBuf;

use clap::Args;

use super::heading;

/// `completions` arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `man` arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ptuplan.1 and one page per subcommand (ptuplan-compare.1, ...) into DIR
    /// (created when missing) instead of printing ptuplan.1 on stdout.
    #[arg(long, value_name = "DIR", help_heading = heading::OUTPUT, help = "Write every page into DIR instead of stdout", long_help)]
    pub out_dir: Option<PathBuf>,
}
