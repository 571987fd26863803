//! `diff`: two JSON reports side by side.

use std::path::PathBuf;

use clap::Args;

use crate::report::diff::DiffFormat;

/// `diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (JSON).
    #[arg(value_name = "BASE.json")]
    pub base: PathBuf,
    /// The later report (JSON); default: BASE.json again (to compare two of its scenarios).
    #[arg(value_name = "NEW.json")]
    pub new: Option<PathBuf>,
    /// Compare this scenario of BASE.json (`baseline`: the log as is, the default).
    #[arg(long, value_name = "NAME")]
    pub base_scenario: Option<String>,
    /// Compare this scenario of NEW.json (`baseline`: the log as is, the default).
    #[arg(long, value_name = "NAME")]
    pub new_scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
