//! `diff`: two JSON reports side by side.

use std::path::PathBuf;

use clap::Args;

use super::heading;

use crate::report::diff::DiffFormat;

/// `diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (JSON).
    #[arg(value_name = "BASE.json", help_heading = heading::INPUT)]
    pub base: PathBuf,
    /// The later report (JSON); default: BASE.json again (to compare two of its scenarios).
    #[arg(value_name = "NEW.json", help_heading = heading::INPUT, help = "The later report (JSON) [default: BASE.json]", long_help)]
    pub new: Option<PathBuf>,
    /// Compare this scenario of BASE.json (`baseline`: the log as is, the default).
    #[arg(long, value_name = "NAME", help_heading = heading::INPUT, help = "Compare this scenario of BASE.json", long_help)]
    pub base_scenario: Option<String>,
    /// Compare this scenario of NEW.json (`baseline`: the log as is, the default).
    #[arg(long, value_name = "NAME", help_heading = heading::INPUT, help = "Compare this scenario of NEW.json", long_help)]
    pub new_scenario: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table, help_heading = heading::OUTPUT)]
    pub format: DiffFormat,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT, help = "Write to FILE instead of stdout", long_help)]
    pub out: Option<PathBuf>,
}
