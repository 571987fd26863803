//! Command-line definition (clap derive). Doc comments are the help text. Raw flags only:
//! `app` turns them into validated `Settings`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::diff::DiffFormat;
use crate::report::gate::{parse_rule, GateRule};
use crate::report::Format;

/// Replay Azure OpenAI usage logs against every deployment option (Standard, Batch, PTU) and
/// compare cost and capacity.
///
/// ptuplan reads request-level token logs (CSV or JSON Lines, optionally gzipped), prices them
/// with a sourced catalog (data/*.yaml, built in), simulates how provisioned (PTU) deployments
/// would have admitted the same requests (429s, spillover, retries), and prints a comparison.
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
    /// Compare two JSON reports: recommendation and monthly cost per workload, before and after.
    ///
    /// Workloads are matched by deployment, model and region; added and removed ones are
    /// listed. Reads the JSON of `compare --format json` or report.json of `report`.
    Diff(DiffArgs),
    /// Write a deterministic synthetic usage log.
    Sample(SampleArgs),
    /// Inspect or check the catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
}

/// `catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Print the catalog (prices, PTU figures, availability).
    Show(CatalogShowArgs),
    /// Check the catalog and report every problem at once.
    Validate(CatalogArgs),
}

/// Where the catalog comes from.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Directory with deployment_types.yaml, models.yaml, pricing.yaml and regions.yaml
    /// (default: the copy of data/ built into the binary).
    #[arg(long, value_name = "DIR", env = "PTUPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
}

/// Output destination and format.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format (default: from --out's extension, else table).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Usage-log inputs.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Usage logs (CSV or JSON Lines, optionally .gz); `-` reads stdin. Default: the bundled
    /// sample.
    #[arg(value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// Force the input format instead of detecting it.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Map a deployment to a model for rows without a model: DEPLOYMENT=MODEL (repeatable).
    #[arg(long, value_name = "DEPLOYMENT=MODEL")]
    pub model_map: Vec<String>,
    /// Region for rows without one (an armRegionName such as eastus2).
    #[arg(long, value_name = "REGION", env = "PTUPLAN_REGION")]
    pub region: Option<String>,
    /// Skip invalid rows (counted and reported) instead of stopping at the first one.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// Input format names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// What happens to a request a PTU deployment answers with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnThrottleArg {
    /// Spillover for Global and Data Zone provisioned, fail for Regional.
    Default,
    /// The request fails.
    Fail,
    /// The client retries after retry-after-ms (see --max-retries).
    Retry,
    /// Served by the Standard deployment at the same data-processing level.
    Spillover,
}

/// Simulation and planning knobs.
#[derive(Debug, Args, Clone)]
pub struct SimArgs {
    /// What a 429 leads to.
    #[arg(long, value_enum, default_value_t = OnThrottleArg::Default)]
    pub on_throttle: OnThrottleArg,
    /// Retries after the first attempt with --on-throttle retry (the OpenAI SDK default is 2).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub max_retries: u32,
    /// Largest acceptable share of throttled or spilled requests, in percent.
    #[arg(long, default_value_t = 1.0, value_name = "PCT")]
    pub max_throttle_rate: f64,
    /// PTU counts simulated per provisioned type (1-42).
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub sweep_points: u32,
    /// Seconds of capacity the PTU utilization bucket holds before it reports 100%.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub bucket_window_s: f64,
    /// Admission estimate for requests without max_completion_tokens: `actual` (the real
    /// completion size) or a token count.
    #[arg(long, default_value = "actual", value_name = "actual|TOKENS")]
    pub missing_max_tokens: String,
    /// Allow Batch options (24-hour turnaround) to be recommended.
    #[arg(long)]
    pub batch_eligible: bool,
}

/// `compare` arguments.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Simulation.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Timestamp to put in the report (RFC 3339); default: SOURCE_DATE_EPOCH if set, else none.
    #[arg(long, value_name = "RFC3339")]
    pub generated_at: Option<String>,
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
}

/// Budget rules for CI.
#[derive(Debug, Args, Clone)]
pub struct GateArgs {
    /// Exit with status 3 when EXPR holds, e.g. 'monthly_cost_usd>5000' (repeatable).
    ///
    /// EXPR is METRIC OP NUMBER with OP one of > >= < <= (quote it in the shell). Metrics:
    /// monthly_cost_usd (total recommended, USD per month), throttle_rate (worst recommended
    /// option, 0.01 = 1%), workloads_without_recommendation (count),
    /// monthly_cost_increase_pct and monthly_cost_increase_usd (against --baseline). Reports
    /// are still written when a rule fires.
    #[arg(long = "fail-on", value_name = "EXPR", value_parser = parse_rule)]
    pub fail_on: Vec<GateRule>,
    /// A previous report (JSON) to compare with: for the *_increase_* rules, and `report` puts
    /// the diff at the top of report.md.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
}

/// `report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Simulation.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Directory to write into (created when missing; files of the same name are replaced).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out_dir: PathBuf,
    /// Print nothing on stderr but errors and breached rules.
    #[arg(long, short)]
    pub quiet: bool,
    /// Timestamp to put in the report (RFC 3339); default: SOURCE_DATE_EPOCH if set, else none.
    #[arg(long, value_name = "RFC3339")]
    pub generated_at: Option<String>,
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
}

/// `diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (JSON).
    #[arg(value_name = "BASE.json")]
    pub base: PathBuf,
    /// The later report (JSON).
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `sample` arguments.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Days of traffic.
    #[arg(long, default_value_t = 30, value_name = "D")]
    pub days: u32,
    /// Requests in total.
    #[arg(long, default_value_t = 150_000, value_name = "N")]
    pub requests: u64,
    /// Random seed (the same seed gives the same bytes).
    #[arg(long, default_value_t = 7, value_name = "S")]
    pub seed: u64,
    /// First day, YYYY-MM-DD (UTC).
    #[arg(long, default_value = "2026-10-01", value_name = "DATE")]
    pub start: String,
    /// Output file (`.gz` compresses; `.jsonl` writes JSON Lines; `-` = stdout CSV).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Print nothing on stderr but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `catalog show` arguments.
#[derive(Debug, Args)]
pub struct CatalogShowArgs {
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// `table` or `json`.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Formats of `catalog show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Terminal tables.
    Table,
    /// JSON.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
