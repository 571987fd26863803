//! Command-line definition (clap derive). Doc comments are the help text. Raw flags only:
//! `app` turns them into validated `Settings`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::plan::Residency;
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
    /// Write a deterministic synthetic usage log.
    Sample(SampleArgs),
    /// Rank every region x provisioned type x term where each workload's model is available.
    ///
    /// For procurement: monthly PTU cost at the workload's sized PTU count, where data is
    /// processed, and the latency target, after --prices, --overrides and --residency.
    Regions(RegionsArgs),
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
    /// Fetch today's list prices from the Azure Retail Prices API into a prices file.
    ///
    /// Writes FILE atomically (a failed fetch leaves any previous FILE untouched) and prints a
    /// review of what changed against the current catalog. Use the file with --prices FILE.
    /// This is the only command that touches the network.
    Refresh(RefreshArgs),
}

/// Where the catalog comes from.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Directory with deployment_types.yaml, models.yaml, pricing.yaml and regions.yaml
    /// (default: the copy of data/ built into the binary).
    #[arg(long, value_name = "DIR", env = "PTUPLAN_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Prices file from `catalog refresh`, layered over the catalog: each entry replaces the
    /// catalog's price for the same model, type and region.
    #[arg(long, value_name = "FILE", env = "PTUPLAN_PRICES")]
    pub prices: Option<PathBuf>,
}

/// Quotes and constraints of a planning run.
#[derive(Debug, Args, Clone)]
pub struct PlanningArgs {
    /// Quotes and sales facts (YAML; see data/overrides.example.yaml): discounts, per-PTU
    /// quotes, confirmed availability, PTU capacity limits, a display currency.
    #[arg(long, value_name = "FILE", env = "PTUPLAN_OVERRIDES")]
    pub overrides: Option<PathBuf>,
    /// Keep only options whose data processing stays inside: `global` (no limit), `us` or `eu`
    /// (a data zone), or a region such as `swedencentral`.
    #[arg(long, value_name = "global|us|eu|REGION", value_parser = parse_residency)]
    pub residency: Option<Residency>,
}

fn parse_residency(text: &str) -> Result<Residency, String> {
    Residency::parse(text)
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
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
}

/// `regions` arguments (the same inputs and knobs as `compare`).
#[derive(Debug, Args)]
pub struct RegionsArgs {
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
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
}

/// `catalog refresh` arguments.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The catalog the review compares against (and the outlier guard checks against).
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Retail Prices API endpoint.
    #[arg(long, value_name = "URL", default_value = crate::catalog::refresh::DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Fetch only this region (repeatable; an armRegionName such as eastus2). Default: all.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// The prices file to write (YAML).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Take the prices in force on this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Accept prices an order of magnitude away from the catalog's.
    #[arg(long)]
    pub accept_outliers: bool,
    /// Attempts per page before giving up (429, 5xx and connection errors are retried).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,
    /// List the meters that matched no catalog model, and the other skipped items.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing on stderr but errors.
    #[arg(long, short)]
    pub quiet: bool,
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
