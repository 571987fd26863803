//! Command-line definition (clap derive), clap only: doc comments are the help text, and
//! `app` turns the raw flags into validated settings. One file of arguments per subcommand,
//! the groups several share in [`groups`], every value parser in [`parse`].

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod calibrate;
mod catalog;
mod compare;
pub mod deprecated;
mod diff;
mod docs;
mod groups;
mod parse;
mod regions;
mod report;
mod sample;
pub mod teach;

/// The help headings every option sits under (issue 23): `-h` and the man pages group by them,
/// and a test fails on an option without one.
pub mod heading {
    /// Where the usage data comes from and how it is read.
    pub const INPUT: &str = "Input";
    /// The catalog, prices, quotes.
    pub const CATALOG: &str = "Catalog and prices";
    /// How the replay behaves (429s, the PTU bucket, Standard quotas).
    pub const SIMULATION: &str = "Simulation";
    /// What an option must meet and what the decision may commit to.
    pub const SIZING: &str = "Sizing and decision";
    /// Scenarios: the log changed before it is replayed.
    pub const WHAT_IF: &str = "What-if";
    /// Formats, files, messages.
    pub const OUTPUT: &str = "Output";
    /// Budget rules for CI.
    pub const GATES: &str = "CI gates";
    /// Limits and threads (results do not depend on them).
    pub const PERFORMANCE: &str = "Performance";
    /// The recorded deployment `calibrate` fits.
    pub const CALIBRATION: &str = "Calibration";
    /// The synthetic log `sample` writes.
    pub const SAMPLE: &str = "Sample";
    /// What `catalog refresh` fetches.
    pub const FETCH: &str = "Fetch";
}

pub use calibrate::{CalibrateArgs, CalibrateFormat, ProvisionedTypeArg};
pub use catalog::{CatalogCommand, CatalogFormat, CatalogShowArgs, RefreshArgs};
pub use compare::CompareArgs;
pub use diff::DiffArgs;
pub use docs::{CompletionsArgs, ManArgs};
pub use groups::{
    CatalogArgs, GateArgs, InputArgs, InputFormatArg, MigrateFactors, MissingMaxArg, OnThrottleArg,
    OutputArgs, PlanningArgs, QuotaTpmArg, ReserveArg, ReserveTermArg, ScenarioArgs, SelectArg,
    SimArgs, WindowBand, MAX_MISSING_MAX_TOKENS, MAX_RESERVE_PTUS,
};
pub use parse::token_count as parse_token_count;
pub use regions::RegionsArgs;
pub use report::ReportArgs;
pub use sample::{SampleArgs, MAX_SAMPLE_REQUESTS};

/// Replay Azure OpenAI usage logs against every deployment option (Standard, Batch, Flex, PTU)
/// and compare cost and capacity.
///
/// ptuplan reads request-level token logs and the exports of Azure, APIM, LiteLLM, OpenAI and
/// Langfuse (the input kinds below, optionally gzipped), prices them with a sourced catalog
/// (data/*.yaml, built in), simulates how every deployment option would have served the same
/// requests (429s, spillover, retries, quotas), and prints a comparison with one decision per
/// workload.
#[derive(Debug, Parser)]
#[command(name = "ptuplan", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare every deployment option on a usage log (the main job).
    ///
    /// With no LOG, replays the bundled 30-day sample and says so on stderr.
    Compare(CompareArgs),
    /// Write the full report set to a directory: Markdown, JSON, CSV, HTML and charts.
    ///
    /// Writes report.md, report.json, options.csv, report.html and charts/*.svg and
    /// charts/*.png, all from the same run as `compare`. Takes the same inputs and flags.
    Report(ReportArgs),
    /// Compare two JSON reports: each workload's decision and cost, before and after.
    ///
    /// Workloads are matched by deployment, model and region; added and removed ones are
    /// listed. Reads the JSON of `compare --format json` or report.json of `report`.
    Diff(DiffArgs),
    /// Write a deterministic synthetic usage log.
    Sample(SampleArgs),
    /// Rank every region x provisioned type x term where each workload's model is available.
    ///
    /// For procurement: monthly PTU cost at the workload's sized PTU count, where data is
    /// processed, and the latency target, after --prices, --overrides and --residency.
    Regions(RegionsArgs),
    /// Fit the PTU burst allowance (bucket window) to a log of a real PTU deployment.
    ///
    /// Replays every request the deployment was offered (2xx and 429 rows) at its PTU count
    /// over a range of bucket windows and reports the window whose 429s match the logged ones
    /// best, request by request and minute by minute. Use it with compare --bucket-window-s.
    Calibrate(CalibrateArgs),
    /// Inspect or check the catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    ///
    /// Generated from the same command-line definition as --help, so it always matches this
    /// binary. Install: see the README ("Shell completions and the man page").
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per subcommand to a directory.
    ///
    /// Generated from the same command-line definition as --help. `man -l <(ptuplan man)`
    /// shows it; `ptuplan man --out-dir DIR` writes ptuplan.1 and ptuplan-<command>.1.
    Man(ManArgs),
}

/// The command-line definition with what the derive cannot say: the input kinds on the
/// top-level help, `-h` under the Output heading, possible values in the long help only,
/// EXIT STATUS, ENVIRONMENT and EXAMPLES. `--help`, the man pages and the completions all
/// come from it.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let after = teach::root_long_after(&cmd);
    let cmd = cmd.after_help(teach::input_kinds()).after_long_help(after);
    teach::headed_help_flag(teach::values_in_long_help(cmd))
}

/// Parse the process's arguments (clap exits on `--help` and on errors, with status 2). With
/// `--version` the version line also names the built-in catalog's as-of date.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cmd = command();
    if args.iter().skip(1).any(|a| a == "--version" || a == "-V") {
        cmd = cmd.version(teach::version_line());
    }
    let matches = cmd.get_matches_from(&args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }
}
