//! Command-line definition (clap derive). Doc comments are the help text. Raw flags only:
//! `app` turns them into validated `Settings`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::plan::Residency;
use crate::report::diff::DiffFormat;
use crate::report::gate::{parse_rule, GateRule};
use crate::report::Format;
use crate::usage::sources::columns::ColumnMap;

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
    /// Rank every region x provisioned type x term where each workload's model is available.
    ///
    /// For procurement: monthly PTU cost at the workload's sized PTU count, where data is
    /// processed, and the latency target, after --prices, --overrides and --residency.
    Regions(RegionsArgs),
    /// Fit the PTU burst allowance (bucket window) to a log recorded on a real PTU deployment.
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
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
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
    /// Plan as of DATE (YYYY-MM-DD): the prices in force that day, and model lifecycles
    /// (retirements) on that day. Default: SOURCE_DATE_EPOCH's date if set, else today (UTC).
    #[arg(long, value_name = "DATE", env = "PTUPLAN_AS_OF")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Quotes and constraints of a planning run.
#[derive(Debug, Args, Clone)]
pub struct PlanningArgs {
    /// Quotes and sales facts (YAML; see data/overrides.example.yaml): discounts, per-PTU
    /// quotes, confirmed availability, PTU capacity limits, a display currency.
    #[arg(long, value_name = "FILE", env = "PTUPLAN_OVERRIDES")]
    pub overrides: Option<PathBuf>,
    /// Keep only options whose data processing stays inside: `global` (no limit), `us`, `eu` or `apac`
    /// (a data zone), or a region such as `swedencentral`.
    #[arg(long, value_name = "global|us|eu|apac|REGION", value_parser = parse_residency)]
    pub residency: Option<Residency>,
    /// The deployment type the log's traffic ran on: TYPE for every deployment, or
    /// DEPLOYMENT=TYPE (repeatable). The log is evidence that its model is available in its
    /// region on that type. Default: global-standard (no export records the type), unless a
    /// verified region table says the model is not offered there on it.
    #[arg(long, value_name = "[DEPLOYMENT=]TYPE", value_parser = parse_served_by)]
    pub served_by: Vec<(Option<String>, crate::catalog::DeploymentTypeId)>,
}

fn parse_served_by(
    text: &str,
) -> Result<(Option<String>, crate::catalog::DeploymentTypeId), String> {
    let (deployment, t) = match text.rsplit_once('=') {
        Some((d, t)) if !d.trim().is_empty() => (Some(d.trim().to_owned()), t.trim()),
        Some(_) => return Err(format!("`{text}`: expected TYPE or DEPLOYMENT=TYPE")),
        None => (None, text.trim()),
    };
    let t = crate::catalog::DeploymentTypeId::ALL
        .into_iter()
        .find(|d| d.as_str() == t.to_ascii_lowercase())
        .ok_or_else(|| {
            format!(
                "`{t}` is not a deployment type; one of {}",
                crate::catalog::DeploymentTypeId::ALL
                    .map(|d| d.as_str())
                    .join(", ")
            )
        })?;
    Ok((deployment, t))
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
    /// Print how long reading, simulating and planning took (stderr).
    #[arg(long)]
    pub timings: bool,
}

/// Usage-log inputs.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Usage logs (CSV, JSON, JSON Lines or Parquet, optionally .gz); `-` reads stdin.
    /// Without one, the bundled sample is replayed and a note says so (even with --quiet);
    /// --fail-on and --baseline then need --sample.
    #[arg(value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// Replay the bundled 30-day sample on purpose (data/samples/sample-30d.csv.gz), also with
    /// --fail-on or --baseline, which otherwise refuse to judge the sample in place of a log.
    #[arg(long, conflicts_with = "logs")]
    pub sample: bool,
    /// Force the input format instead of detecting it from the content.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormatArg>,
    /// Map ptuplan's fields to your columns: FIELD=COLUMN,... (e.g.
    /// `timestamp=ts,model=Model,prompt_tokens=InputTokens,completion_tokens=OutputTokens`).
    ///
    /// Fields: timestamp, deployment, model, region, prompt_tokens, cached_tokens,
    /// cache_write_tokens, completion_tokens, reasoning_tokens, max_completion_tokens, status,
    /// latency_ms, spillover_from_deployment, spillover_error, served_deployment; for
    /// per-bucket totals also bucket_start, bucket, bucket_seconds, bucket_end, requests,
    /// status_429, status_4xx, status_5xx, max_tokens_max. Unmapped fields are looked up by
    /// their own name and the Azure, APIM and LiteLLM spellings of it (PromptTokens,
    /// StatusCode, ...).
    #[arg(long, value_name = "FIELD=COLUMN,...", value_parser = parse_columns)]
    pub columns: Option<ColumnMap>,
    /// Seed of the arrival process that spreads aggregated requests over their bucket.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Typical request size in tokens (prompt + completion), used for buckets without a
    /// request count.
    #[arg(long, value_name = "TOKENS", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub typical_request_tokens: Option<u64>,
    /// Most requests per-bucket aggregates (metrics, usage pages, bucket totals) may be
    /// replayed as, over the whole run [default: 20000000]. Each takes about 100 bytes of
    /// temporary files; a bucket that would pass the cap is refused before it is replayed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_expanded_requests: Option<u64>,
    /// Map a deployment to a model for rows without a model, and for LiteLLM's
    /// `azure/<deployment>` (or its model_group): DEPLOYMENT=MODEL (repeatable).
    #[arg(long, value_name = "DEPLOYMENT=MODEL", value_parser = parse_model_map_entry)]
    pub model_map: Vec<(String, String)>,
    /// Region for rows without one (an armRegionName such as eastus2).
    #[arg(long, value_name = "REGION", env = "PTUPLAN_REGION")]
    pub region: Option<String>,
    /// Skip invalid rows (counted and reported) instead of stopping at the first one.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Threads for reading large uncompressed logs and for the simulation (default: the
    /// machine's cores, at most 4). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
    /// Smallest file read by several threads, in bytes (for tests).
    #[arg(long, hide = true, default_value_t = ptuplan_parallel_min_bytes())]
    pub parallel_min_bytes: u64,
    /// Events held in memory before the spool spills a sorted run to a temp file (for tests).
    #[arg(long, hide = true, default_value_t = crate::sim::spool::CHUNK_EVENTS as u32, value_parser = clap::value_parser!(u32).range(1..=(1 << 24)))]
    pub spool_chunk_events: u32,
}

fn ptuplan_parallel_min_bytes() -> u64 {
    crate::usage::parallel::PARALLEL_MIN_BYTES
}

/// Input format names (see the README's "Getting your data in").
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Per-request CSV in ptuplan's column names.
    Csv,
    /// Per-request JSON Lines with an OpenAI `usage` object.
    Jsonl,
    /// Per-bucket totals (bucket_start, bucket, requests, token sums): CSV, JSON or Parquet.
    Aggregate,
    /// Azure Monitor metrics (`az monitor metrics list -o json`).
    AzureMonitor,
    /// Log Analytics `AzureMetrics` export (resource-level).
    AzureMetrics,
    /// Azure OpenAI RequestResponse diagnostic logs (with Azure Monitor metrics).
    AzureDiagnostics,
    /// APIM `ApiManagementGatewayLlmLog` export.
    Apim,
    /// LiteLLM `LiteLLM_SpendLogs`.
    Litellm,
    /// OpenAI Usage API completions pages.
    OpenaiUsage,
    /// Langfuse observations export.
    Langfuse,
    /// Any table through --columns.
    Columns,
    /// Parquet (the shape is read from its schema).
    Parquet,
}

fn parse_columns(text: &str) -> Result<ColumnMap, String> {
    crate::usage::sources::columns::parse_column_map(text)
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
    /// Retries after the first attempt with --on-throttle retry (the OpenAI SDK default is 2;
    /// at most 100).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_retries: u32,
    /// Throttle target, in percent: a PTU count is sized so the deployment serves all but this
    /// share of requests, and no option may fail more than this share.
    #[arg(long, default_value_t = 1.0, value_name = "PCT", value_parser = parse_percent)]
    pub max_throttle_rate: f64,
    /// Largest share of requests an option with spillover may spill to Standard, in percent
    /// (default: no limit; the Standard deployment has its own quota and latency).
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub max_spill_rate: Option<f64>,
    /// PTU counts each sizing search simulates per pass (2-64; more means fewer passes).
    #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=64))]
    pub sweep_points: u32,
    /// Seconds of capacity the PTU utilization bucket holds before it reports 100% (Azure
    /// publishes no burst size; `ptuplan calibrate` fits it to a log of a real deployment).
    #[arg(long, default_value_t = crate::sim::admission::DEFAULT_BUCKET_WINDOW_S, value_name = "SECONDS", value_parser = parse_window_s)]
    pub bucket_window_s: f64,
    /// Bucket windows every option is also planned at, in seconds, comma-separated (the window
    /// in use is always added): a reservation is recommended only if it holds at every one.
    ///
    /// Azure publishes no burst allowance, so the band spans what the log cannot tell. After
    /// `ptuplan calibrate` on a real deployment's log, narrow it to the fitted range.
    #[arg(long, default_value = "1,10,60", value_name = "S,S,...", value_parser = parse_window_band)]
    pub window_band: WindowBand,
    /// Smallest saving, in percent of the flexible option's cost, a reservation must keep at
    /// every window of the band to be recommended.
    #[arg(long, default_value_t = 10.0, value_name = "PCT", value_parser = parse_percent)]
    pub min_saving: f64,
    /// Shortest log, in days, on which a commitment is recommended; a shorter one gives a
    /// provisional decision (the flexible option; a reservation only as a what-if).
    #[arg(long, default_value_t = 7.0, value_name = "DAYS", value_parser = parse_span_days)]
    pub min_span_days: f64,
    /// Admission estimate for requests without max_completion_tokens: `actual` (the real
    /// completion size) or a token count.
    #[arg(long, default_value = "actual", value_name = "actual|TOKENS", value_parser = parse_missing_max_tokens)]
    pub missing_max_tokens: MissingMaxArg,
    /// Allow Batch options (24-hour turnaround) to be recommended.
    #[arg(long)]
    pub batch_eligible: bool,
    /// Allow Flex options (preview; no latency or service SLA; may answer 429) to be
    /// recommended.
    #[arg(long)]
    pub flex_eligible: bool,
    /// PTUs to reserve in each region x provisioned-type pool: `deployed` (what the decisions
    /// reserve) or a count, as a what-if; PTUs the pool deploys above it are billed hourly.
    #[arg(long, default_value = "deployed", value_name = "deployed|N", value_parser = parse_reserve)]
    pub reserve: ReserveArg,
    /// The longest reservation term a decision may commit to: `1-year` (1-month and 1-year
    /// reservations are weighed) or `1-month`.
    #[arg(long, value_enum, default_value_t = ReserveTermArg::OneYear)]
    pub reserve_term: ReserveTermArg,
    /// Quota level every Standard deployment (per-token options and spillover targets) is
    /// simulated at: a quota tier 0-6, or `default` / `enterprise` (the older levels).
    ///
    /// Default: unlimited, and every option says which level it would need. A level the
    /// catalog has no figure for (data/standard.yaml) leaves that option unlimited and says so.
    #[arg(long, value_name = "N|default|enterprise", value_parser = parse_quota_level)]
    pub quota_tier: Option<crate::catalog::standard::QuotaLevel>,
    /// A negotiated quota: `MODEL=TPM` (every Standard type of the model) or
    /// `MODEL/TYPE=TPM` (e.g. `gpt-4.1/global-standard=5M`); RPM follows the model's ratio.
    /// Repeatable; wins over --quota-tier.
    #[arg(long, value_name = "MODEL[/TYPE]=TPM", value_parser = parse_quota_tpm)]
    pub quota_tpm: Vec<QuotaTpmArg>,
    /// A YAML file of negotiated quotas (`quotas: [{model, deployment_type?, tpm, rpm?,
    /// source?}]`, and an optional `tier:`); strict, errors name file and line.
    #[arg(long, value_name = "FILE")]
    pub quota_file: Option<PathBuf>,
    /// Seconds over which Standard checks the request rate against RPM ("typically 1 or 10
    /// seconds", Microsoft); the n-th request of a window passes while n <= RPM x window / 60.
    #[arg(long, default_value_t = crate::sim::standard::DEFAULT_RPM_WINDOW_S, value_name = "SECONDS", value_parser = parse_rpm_window_s)]
    pub standard_rpm_window_s: f64,
    /// Exclude options that cannot promise this output speed (tokens per second): Standard,
    /// Batch and Flex promise none; PTU and Priority promise their model's latency target.
    #[arg(long, value_name = "N", value_parser = parse_tokens_per_s)]
    pub min_tokens_per_s: Option<f64>,
}

/// One `--quota-tpm` value.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaTpmArg {
    /// Model name as given.
    pub model: String,
    /// The Standard type, if given.
    pub deployment_type: Option<crate::catalog::DeploymentTypeId>,
    /// Tokens per minute.
    pub tpm: u64,
}

fn parse_quota_level(text: &str) -> Result<crate::catalog::standard::QuotaLevel, String> {
    crate::catalog::standard::QuotaLevel::parse(text)
        .ok_or_else(|| format!("`{text}`: expected a quota tier 0-6, `default` or `enterprise`"))
}

/// A token count: `5000000`, `5M`, `450K`, `1.35M` (whole tokens, at most 10^12).
pub fn parse_token_count(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        Some('B') | Some('G') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a token count (e.g. 5000000, 5M, 450K)"))?;
    let v = v * mult;
    if !(v.is_finite() && (1.0..=1e12).contains(&v)) || v.fract() != 0.0 {
        return Err(format!(
            "`{text}` must be a whole number of tokens between 1 and 10^12"
        ));
    }
    Ok(v as u64)
}

fn parse_quota_tpm(text: &str) -> Result<QuotaTpmArg, String> {
    let (left, tpm) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected MODEL=TPM or MODEL/TYPE=TPM"))?;
    let (model, dt) = match left.split_once('/') {
        Some((m, t)) => {
            let dt = crate::catalog::DeploymentTypeId::ALL
                .into_iter()
                .find(|d| d.as_str() == t.trim())
                .filter(|d| d.is_standard())
                .ok_or_else(|| {
                    format!(
                        "`{t}`: the TYPE of a quota is global-standard, data-zone-standard or regional-standard"
                    )
                })?;
            (m, Some(dt))
        }
        None => (left, None),
    };
    if model.trim().is_empty() {
        return Err(format!("`{text}`: the model is empty"));
    }
    Ok(QuotaTpmArg {
        model: model.trim().to_owned(),
        deployment_type: dt,
        tpm: parse_token_count(tpm)?,
    })
}

fn parse_rpm_window_s(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if v.is_finite() && (0.1..=60.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 0.1 and 60 seconds"))
    }
}

fn parse_tokens_per_s(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if v.is_finite() && v > 0.0 && v <= 100_000.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{text}` must be a positive number of tokens per second (at most 100,000)"
        ))
    }
}

impl SimArgs {
    /// The flags' defaults, with `missing_max_tokens` set (for commands that replay but do
    /// not plan). Parsed by clap itself, so the defaults cannot drift from the flags'.
    pub fn defaults_with_missing_max(missing_max_tokens: MissingMaxArg) -> SimArgs {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            sim: SimArgs,
        }
        let mut sim = Defaults::try_parse_from(["ptuplan"])
            .expect("every simulation flag has a default")
            .sim;
        sim.missing_max_tokens = missing_max_tokens;
        sim
    }
}

/// `--reserve` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveArg {
    /// Reserve what each pool deploys.
    Deployed,
    /// Reserve this many PTUs per pool.
    Ptus(u32),
}

/// `--reserve-term` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReserveTermArg {
    /// Azure Reservation for 1 month.
    #[value(name = "1-month")]
    OneMonth,
    /// Azure Reservation for 1 year.
    #[value(name = "1-year")]
    OneYear,
}

/// Largest `--reserve` count (far above any region's PTU quota).
pub const MAX_RESERVE_PTUS: u32 = 1_000_000;

/// `deployed` or a PTU count (0 to [`MAX_RESERVE_PTUS`]).
fn parse_reserve(text: &str) -> Result<ReserveArg, String> {
    match text.trim() {
        "deployed" => Ok(ReserveArg::Deployed),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|v| *v <= MAX_RESERVE_PTUS)
            .map(ReserveArg::Ptus)
            .ok_or_else(|| {
                format!("`{text}`: expected `deployed` or a PTU count from 0 to {MAX_RESERVE_PTUS}")
            }),
    }
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
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
    /// What-if scenarios.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Table format: also show every workload's options, token facts and the reservation
    /// pools.
    #[arg(long)]
    pub details: bool,
}

/// Budget rules for CI.
#[derive(Debug, Args, Clone)]
pub struct GateArgs {
    /// Exit with status 3 when EXPR holds, e.g. 'monthly_cost_usd>5000' (repeatable).
    ///
    /// EXPR is METRIC OP NUMBER with OP one of > >= < <= (quote it in the shell). Metrics:
    /// monthly_cost_usd (the decisions' total, USD per month), throttle_rate (the largest
    /// share of requests a decided option fails, in percent like --max-throttle-rate: 1 = 1%),
    /// spill_rate (the largest share it spills to Standard, percent), commitment_usd (what the
    /// decided reservations commit to, USD), provisional (workloads whose decision is
    /// provisional), workloads_without_recommendation (count), monthly_cost_increase_pct
    /// (percent) and monthly_cost_increase_usd (against --baseline). Reports are still written
    /// when a rule fires.
    #[arg(long = "fail-on", value_name = "EXPR", value_parser = parse_rule)]
    pub fail_on: Vec<GateRule>,
    /// A previous report (JSON) to compare with: for the *_increase_* rules, and `report` puts
    /// the diff at the top of report.md.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Judge --fail-on rules on the workloads that have a recommendation when some have none.
    ///
    /// By default such a plan breaches every rule but workloads_without_recommendation: its
    /// total leaves those workloads out, so it must not pass a budget.
    #[arg(long)]
    pub allow_partial_plan: bool,
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
    /// Where the callers are: every candidate region gets the round-trip latency from here
    /// (Azure's published inter-region statistics), the monthly data transfer and its cost,
    /// and whether the move crosses a data-zone boundary. Default: each workload's own region.
    #[arg(long, value_name = "REGION")]
    pub from: Option<String>,
}

/// A provisioned deployment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProvisionedTypeArg {
    /// Global Provisioned.
    GlobalProvisioned,
    /// Data Zone Provisioned.
    DataZoneProvisioned,
    /// Regional Provisioned.
    RegionalProvisioned,
}

/// Formats of `calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrateFormat {
    /// A terminal table.
    Table,
    /// JSON.
    Json,
}

/// `calibrate` arguments.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Inputs (the log must carry a status column: its 429 rows are the service's answers).
    #[command(flatten)]
    pub input: InputArgs,
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// The deployment the log was recorded on, as named in its deployment column.
    #[arg(long, value_name = "NAME")]
    pub deployment: String,
    /// Its provisioned type.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub deployment_type: ProvisionedTypeArg,
    /// Its PTU count while the log was recorded.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub ptus: u32,
    /// Bucket windows to try, in seconds, comma-separated.
    #[arg(long, default_value = "0.5,1,2,3,5,7.5,10,15,20,30,45,60,90,120", value_name = "S,S,...", value_parser = parse_calibration_windows)]
    pub windows: WindowBand,
    /// Admission estimate for requests without max_completion_tokens (as for compare).
    #[arg(long, default_value = "actual", value_name = "actual|TOKENS", value_parser = parse_missing_max_tokens)]
    pub missing_max_tokens: MissingMaxArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table)]
    pub format: CalibrateFormat,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short)]
    pub quiet: bool,
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
    /// Per-workload charts: `all`, or N to draw them for the N workloads with the highest
    /// recommended monthly cost (default: all up to 50 workloads, else the top 50; the rest are
    /// listed without charts).
    #[arg(long, value_name = "all|N", value_parser = parse_charts)]
    pub charts: Option<crate::report::chart::ChartSelection>,
    /// Print nothing on stderr but errors and breached rules.
    #[arg(long, short)]
    pub quiet: bool,
    /// Timestamp to put in the report (RFC 3339); default: SOURCE_DATE_EPOCH if set, else none.
    #[arg(long, value_name = "RFC3339")]
    pub generated_at: Option<String>,
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
    /// What-if scenarios.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
}

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

/// Largest `sample --requests` (about 90 GB of CSV).
pub const MAX_SAMPLE_REQUESTS: u64 = 1_000_000_000;

/// `sample` arguments.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Days of traffic (1-400).
    #[arg(long, default_value_t = 30, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=400))]
    pub days: u32,
    /// Requests in total (1 to 1,000,000,000).
    #[arg(long, default_value_t = 110_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_SAMPLE_REQUESTS))]
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

/// `DEPLOYMENT=MODEL`.
fn parse_model_map_entry(text: &str) -> Result<(String, String), String> {
    let (d, m) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected DEPLOYMENT=MODEL"))?;
    let (d, m) = (d.trim(), m.trim());
    if d.is_empty() || m.is_empty() {
        return Err(format!(
            "`{text}`: expected DEPLOYMENT=MODEL with both parts non-empty"
        ));
    }
    Ok((d.to_owned(), m.to_owned()))
}

/// A percentage between 0 and 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let v = parse_percent_number(text)?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 0 and 100"))
    }
}

/// Days in [0, 400].
fn parse_span_days(text: &str) -> Result<f64, String> {
    let v = parse_number(text)?;
    if (0.0..=400.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 0 and 400 days"))
    }
}

/// Seconds in [0.1, 3600].
pub(crate) fn parse_window_s(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if v.is_finite() && (0.1..=3600.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 0.1 and 3600 seconds"))
    }
}

/// Two to 64 windows for `calibrate`.
fn parse_calibration_windows(text: &str) -> Result<WindowBand, String> {
    let windows = text
        .split(',')
        .map(parse_window_s)
        .collect::<Result<Vec<f64>, String>>()?;
    if windows.len() > 64 {
        return Err(format!("`{text}`: give at most 64 windows"));
    }
    Ok(WindowBand(windows))
}

/// A list of bucket windows in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowBand(pub Vec<f64>);

/// `1,60`: one to eight windows, each in [0.1, 3600] seconds.
pub(crate) fn parse_window_band(text: &str) -> Result<WindowBand, String> {
    let windows = text
        .split(',')
        .map(parse_window_s)
        .collect::<Result<Vec<f64>, String>>()?;
    if windows.is_empty() || windows.len() > 8 {
        return Err(format!("`{text}`: give one to eight windows, e.g. 1,60"));
    }
    Ok(WindowBand(windows))
}

/// `--missing-max-tokens` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingMaxArg {
    /// The actual completion size.
    Actual,
    /// A fixed token count.
    Tokens(u32),
}

/// Largest `--missing-max-tokens` (above every model's largest completion).
pub const MAX_MISSING_MAX_TOKENS: u32 = 1_000_000;

/// `actual` or a token count from 1 to [`MAX_MISSING_MAX_TOKENS`].
fn parse_missing_max_tokens(text: &str) -> Result<MissingMaxArg, String> {
    match text.trim() {
        "actual" => Ok(MissingMaxArg::Actual),
        n => n
            .parse::<u32>()
            .ok()
            .filter(|v| (1..=MAX_MISSING_MAX_TOKENS).contains(v))
            .map(MissingMaxArg::Tokens)
            .ok_or_else(|| {
                format!("`{text}`: expected `actual` or a token count from 1 to {MAX_MISSING_MAX_TOKENS}")
            }),
    }
}

/// What-if scenarios of `compare` and `report` (README, "What-if scenarios").
#[derive(Debug, Args, Clone)]
pub struct ScenarioArgs {
    /// Scenarios to plan side by side with the log as is: a YAML list of {name, transforms}
    /// (README, "What-if scenarios").
    #[arg(long, value_name = "FILE")]
    pub scenarios: Option<PathBuf>,
    /// One scenario: traffic x F, by thinning or replicating requests (tokens are never
    /// multiplied, so bursts keep their shape).
    #[arg(long, value_name = "F", value_parser = parse_traffic_factor)]
    pub scale: Option<f64>,
    /// One scenario: traffic grows PCT per month over --horizon-months (negative shrinks); the
    /// scenario shows the last month and a reservation ladder plans every month.
    #[arg(long, value_name = "PCT", allow_hyphen_values = true, value_parser = parse_growth)]
    pub growth: Option<f64>,
    /// One scenario: the workloads on model FROM move to model TO (repeatable). This is how to
    /// ask "what if we used another model" (--model-map only names the model of rows that
    /// carry none).
    #[arg(long, value_name = "FROM=TO", value_parser = parse_migration)]
    pub migrate: Vec<(String, String)>,
    /// Token factors of --migrate: prompt=F,output=F,reasoning=F (each default 1).
    #[arg(long, value_name = "prompt=F,output=F,reasoning=F", value_parser = parse_migrate_factors)]
    pub migrate_factors: Option<MigrateFactors>,
    /// One scenario: the cached share of prompt tokens set to PCT.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub cache_rate: Option<f64>,
    /// One scenario: reasoning tokens x F (a stand-in for reasoning effort; completions stop at
    /// their max_completion_tokens).
    #[arg(long, value_name = "F", value_parser = parse_token_factor)]
    pub reasoning: Option<f64>,
    /// One scenario: PCT of requests moved to a Batch workload.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub batch_shift: Option<f64>,
    /// One scenario: the workloads move to REGION (an armRegionName).
    #[arg(long, value_name = "REGION")]
    pub move_region: Option<String>,
    /// Which workloads the one-scenario flags apply to: deployment=GLOB,model=GLOB,region=GLOB
    /// (default: all).
    #[arg(long, value_name = "deployment=GLOB,model=GLOB,region=GLOB", value_parser = parse_select)]
    pub select: Option<SelectArg>,
    /// Name of the one-scenario flags' scenario.
    #[arg(long, value_name = "NAME", default_value = "what-if")]
    pub scenario_name: String,
    /// Months of growth (for --growth and growth entries without `months`) and of the
    /// reservation ladder (default 12); also how far ahead retirements offer a migration
    /// scenario. Without --growth it adds scenario `forecast`: a reservation plan on each
    /// workload's own forecast.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=60))]
    pub horizon_months: Option<u32>,
    /// Months of traffic a reservation plan simulates, spread evenly over the horizon (the
    /// last month always; months between use the next simulated one). Each is one more replay
    /// of the log at that month's traffic.
    #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_LADDER_POINTS, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub ladder_points: u32,
    /// Do not offer the migration scenario for models that retire within the horizon.
    #[arg(long)]
    pub no_auto_scenarios: bool,
    /// Most requests one logged request may become in one scenario: the product of its
    /// traffic factors (scale x growth over the horizon), summed over the simulated months of
    /// a reservation plan. Beyond it the run stops at the workload's first record.
    #[arg(long, value_name = "F", default_value_t = crate::scenario::lane::DEFAULT_MAX_TRAFFIC_FACTOR, value_parser = parse_max_traffic_factor)]
    pub max_traffic_factor: f64,
    /// Most requests the scenarios and reservation plans may replay in all (56 bytes of temp
    /// space each; default 100,000,000, about 5.6 GB).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::lane::DEFAULT_MAX_SCENARIO_REQUESTS, value_parser = clap::value_parser!(u64).range(1..=100_000_000_000))]
    pub max_scenario_requests: u64,
    /// The scenario whose plan the FOCUS export projects (default: the first scenario with a
    /// reservation ladder, else the log as is).
    #[arg(long, value_name = "NAME")]
    pub focus_scenario: Option<String>,
}

/// `--migrate-factors` values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MigrateFactors {
    /// Prompt tokens x this.
    pub prompt: f64,
    /// Visible output tokens x this.
    pub output: f64,
    /// Reasoning tokens x this.
    pub reasoning: f64,
}

/// `--select` values: a glob per part (None = any).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectArg {
    /// Deployment glob.
    pub deployment: Option<String>,
    /// Model glob.
    pub model: Option<String>,
    /// Region glob.
    pub region: Option<String>,
}

/// A finite number. A trailing `%` is not taken: factors are not percentages (`--scale 50%`
/// is an error, not 50x); the percent flags accept it through [`parse_percent_number`].
fn parse_number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{text}` is not a number"))
}

/// A traffic factor above 0 and at most 1,000.
fn parse_traffic_factor(text: &str) -> Result<f64, String> {
    let v = parse_number(text)?;
    if v > 0.0 && v <= crate::scenario::MAX_TRAFFIC_FACTOR {
        Ok(v)
    } else {
        Err(format!("`{text}` must be above 0 and at most 1000"))
    }
}

/// A cap on traffic factors: at least 1, at most 1,000,000.
fn parse_max_traffic_factor(text: &str) -> Result<f64, String> {
    let v = parse_number(text)?;
    if (1.0..=1_000_000.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 1 and 1000000"))
    }
}

/// A token factor from 0 to 100.
fn parse_token_factor(text: &str) -> Result<f64, String> {
    let v = parse_number(text)?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{text}` must be between 0 and 100"))
    }
}

/// A number of percent, `%` allowed (NaN and infinities are left to the caller's range).
fn parse_percent_number(text: &str) -> Result<f64, String> {
    text.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .map_err(|_| format!("`{text}` is not a number"))
}

/// A growth percentage above -100 and at most 1,000.
fn parse_growth(text: &str) -> Result<f64, String> {
    let v = parse_percent_number(text)?;
    if v > -100.0 && v <= 1000.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{text}` must be above -100 and at most 1000 (percent per month)"
        ))
    }
}

fn parse_migration(text: &str) -> Result<(String, String), String> {
    let (from, to) = text
        .split_once('=')
        .map(|(f, t)| (f.trim(), t.trim()))
        .filter(|(f, t)| !f.is_empty() && !t.is_empty())
        .ok_or_else(|| format!("`{text}`: expected FROM=TO, e.g. gpt-4.1=gpt-5"))?;
    Ok((from.to_owned(), to.to_owned()))
}

fn parse_migrate_factors(text: &str) -> Result<MigrateFactors, String> {
    let mut f = MigrateFactors {
        prompt: 1.0,
        output: 1.0,
        reasoning: 1.0,
    };
    for part in text.split(',') {
        let (name, value) = part.split_once('=').ok_or_else(|| {
            format!("`{part}`: expected NAME=FACTOR (prompt, output or reasoning)")
        })?;
        let v = parse_token_factor(value)?;
        match name.trim() {
            "prompt" if v > 0.0 => f.prompt = v,
            "prompt" => return Err("prompt=0: a request has a prompt".to_owned()),
            "output" => f.output = v,
            "reasoning" => f.reasoning = v,
            other => return Err(format!("`{other}`: expected prompt, output or reasoning")),
        }
    }
    Ok(f)
}

fn parse_select(text: &str) -> Result<SelectArg, String> {
    let mut s = SelectArg::default();
    for part in text.split(',') {
        let (name, glob) = part
            .split_once('=')
            .map(|(n, g)| (n.trim(), g.trim()))
            .ok_or_else(|| {
                format!("`{part}`: expected deployment=GLOB, model=GLOB or region=GLOB")
            })?;
        glob::Pattern::new(glob).map_err(|e| format!("`{glob}` is not a valid glob: {}", e.msg))?;
        let slot = match name {
            "deployment" => &mut s.deployment,
            "model" => &mut s.model,
            "region" => &mut s.region,
            other => return Err(format!("`{other}`: expected deployment, model or region")),
        };
        *slot = Some(glob.to_owned());
    }
    Ok(s)
}

/// `--charts all|N`.
fn parse_charts(text: &str) -> Result<crate::report::chart::ChartSelection, String> {
    use crate::report::chart::ChartSelection;
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(ChartSelection::All);
    }
    match text.trim().parse::<usize>() {
        Ok(n) => Ok(ChartSelection::Top(n)),
        Err(_) => Err(format!(
            "`{text}` is neither `all` nor a number of workloads (e.g. --charts 20, --charts 0)"
        )),
    }
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
