//! The argument groups several subcommands share (inputs, catalog, simulation and sizing,
//! output, what-if scenarios, budget rules) and the values their flags parse to.

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

use super::heading;

use super::parse::{
    self, MigrateFactors, MissingMaxArg, QuotaTpmArg, ReserveArg, SelectArg, WindowBand,
};
use crate::plan::Residency;
use crate::render::Format;
use crate::report::gate::{parse_rule, GateRule};
use crate::usage::formats::{InputFormat, FORMATS};
use crate::usage::sources::columns::ColumnMap;

/// What a replaying command reads and how it simulates: the usage logs, the catalog and the
/// simulation knobs (`compare`, `regions` and `report` take the same three groups in the same
/// order).
#[derive(Debug, Args, Clone)]
pub struct ReplayArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Simulation.
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Where the catalog comes from.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Directory with deployment_types.yaml, models.yaml, pricing.yaml and regions.yaml
    /// (default: the copy of data/ built into the binary).
    #[arg(long, value_name = "DIR", env = "PTUPLAN_CATALOG", help_heading = heading::CATALOG, help = "Catalog directory (default: the built-in data/)", long_help)]
    pub catalog: Option<PathBuf>,
    /// Prices file from `catalog refresh`, layered over the catalog: each entry replaces the
    /// catalog's price for the same model, type and region.
    #[arg(long, value_name = "FILE", env = "PTUPLAN_PRICES", help_heading = heading::CATALOG, help = "Prices file from `catalog refresh`", long_help)]
    pub prices: Option<PathBuf>,
    /// Plan as of DATE (YYYY-MM-DD): the prices in force that day, and model lifecycles
    /// (retirements) on that day. Default: SOURCE_DATE_EPOCH's date if set, else today (UTC).
    #[arg(long, value_name = "DATE", env = "PTUPLAN_AS_OF", help_heading = heading::CATALOG, help = "Plan with the prices and retirements of DATE", long_help)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Quotes and constraints of a planning run.
#[derive(Debug, Args, Clone)]
pub struct PlanningArgs {
    /// Quotes and sales facts (YAML; see data/overrides.example.yaml): discounts, per-PTU
    /// quotes, confirmed availability, PTU capacity limits, a display currency.
    #[arg(long, value_name = "FILE", env = "PTUPLAN_OVERRIDES", help_heading = heading::CATALOG, help = "Quotes and sales facts (YAML)", long_help)]
    pub overrides: Option<PathBuf>,
    /// Keep only options whose data processing stays inside: `global` (no limit), `us`, `eu` or `apac`
    /// (a data zone), or a region such as `swedencentral`.
    #[arg(long, value_name = "ZONE|REGION", value_parser = parse::residency, help_heading = heading::SIZING, help = "Keep options that process data inside ZONE or REGION", long_help)]
    pub residency: Option<Residency>,
    /// The deployment type the log's traffic ran on: TYPE for every deployment, or
    /// DEPLOYMENT=TYPE (repeatable). The log is evidence that its model is available in its
    /// region on that type. Default: global-standard (no export records the type), unless a
    /// verified region table says the model is not offered there on it.
    #[arg(long, value_name = "[DEPLOYMENT=]TYPE", value_parser = parse::served_by, help_heading = heading::INPUT, help = "The deployment type the log ran on", long_help)]
    pub served_by: Vec<(Option<String>, crate::catalog::DeploymentTypeId)>,
}

/// Output destination and format.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: table, json, csv, markdown or focus
    ///
    /// Output format (default: from --out's extension, else table).
    #[arg(long, value_enum, help_heading = heading::OUTPUT, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT, help = "Write to FILE instead of stdout", long_help)]
    pub out: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short, help_heading = heading::OUTPUT)]
    pub quiet: bool,
    /// Print how long reading, simulating and planning took (stderr).
    #[arg(long, help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Print how long each stage took (stderr)", long_help)]
    pub timings: bool,
}

/// Usage-log inputs.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Usage logs (CSV, JSON, JSON Lines or Parquet, optionally .gz); `-` reads stdin.
    /// Without one, the bundled sample is replayed and a note says so (even with --quiet);
    /// --fail-on and --baseline then need --sample.
    #[arg(value_name = "LOG", help_heading = heading::INPUT, help = "Usage logs or exports, .gz too; `-` reads stdin", long_help)]
    pub logs: Vec<PathBuf>,
    /// Replay the bundled 30-day sample on purpose (data/samples/sample-30d.csv.gz), also with
    /// --fail-on or --baseline, which otherwise refuse to judge the sample in place of a log.
    #[arg(long, conflicts_with = "logs", help_heading = heading::INPUT, help = "Replay the bundled 30-day sample on purpose", long_help)]
    pub sample: bool,
    /// Force the input format instead of detecting it from the content.
    #[arg(long, value_enum, help_heading = heading::INPUT, value_name = "KIND", help = "Force the input kind instead of detecting it", long_help)]
    pub input_format: Option<InputFormat>,
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
    #[arg(long, value_name = "FIELD=COLUMN,...", value_parser = parse::columns, help_heading = heading::INPUT, help = "Map ptuplan's fields to your columns", long_help)]
    pub columns: Option<ColumnMap>,
    /// Seed of the arrival process that spreads aggregated requests over their bucket.
    #[arg(long, value_name = "S", help_heading = heading::INPUT, hide_short_help = true, help = "Seed of the arrivals of aggregated requests", long_help)]
    pub seed: Option<u64>,
    /// Typical request size in tokens (prompt + completion), used for buckets without a
    /// request count.
    #[arg(long, value_name = "TOKENS", value_parser = clap::value_parser!(u64).range(1..=10_000_000), help_heading = heading::INPUT, hide_short_help = true, help = "Request size for buckets without a count", long_help)]
    pub typical_request_tokens: Option<u64>,
    /// Most requests per-bucket aggregates (metrics, usage pages, bucket totals) may be
    /// replayed as, over the whole run [default: 20000000]. Each takes about 100 bytes of
    /// temporary files; a bucket that would pass the cap is refused before it is replayed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Most requests aggregates may expand to", long_help)]
    pub max_expanded_requests: Option<u64>,
    /// Most distinct workloads (deployment, model, region) a run plans [default: 5000]. Each
    /// takes about 150 to 350 KB of memory to plan (10,000 peaked at 3.4 GB); the row that
    /// brings one more is refused with its line.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=4_000_000_000), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Most distinct workloads a run plans", long_help)]
    pub max_workloads: Option<u64>,
    /// Map a deployment to a model for rows without a model, and for LiteLLM's
    /// `azure/<deployment>` (or its model_group): DEPLOYMENT=MODEL (repeatable).
    #[arg(long, value_name = "DEPLOYMENT=MODEL", value_parser = parse::model_map_entry, help_heading = heading::INPUT, help = "Model of a deployment whose rows name none", long_help)]
    pub model_map: Vec<(String, String)>,
    /// Region for rows without one (an armRegionName such as eastus2).
    #[arg(long = "default-region", value_name = "REGION", env = "PTUPLAN_REGION", help_heading = heading::INPUT, alias = "region", help = "Region of rows without one (e.g. eastus2)", long_help)]
    pub region: Option<String>,
    /// Skip invalid rows (counted and reported) instead of stopping at the first one.
    #[arg(long, help_heading = heading::INPUT, help = "Skip invalid rows (counted) instead of stopping", long_help)]
    pub skip_invalid: bool,
    /// Threads for reading large uncompressed logs and for the simulation (default: the
    /// machine's cores, at most 4). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Threads for reading and simulating", long_help)]
    pub threads: Option<u16>,
    /// Smallest file read by several threads, in bytes (for tests).
    #[arg(long, hide = true, default_value_t = ptuplan_parallel_min_bytes(), help_heading = heading::PERFORMANCE)]
    pub parallel_min_bytes: u64,
    /// Events held in memory before the spool spills a sorted run to a temp file (for tests).
    #[arg(long, hide = true, default_value_t = crate::sim::spool::CHUNK_EVENTS as u32, value_parser = clap::value_parser!(u32).range(1..=(1 << 24)), help_heading = heading::PERFORMANCE)]
    pub spool_chunk_events: u32,
}

fn ptuplan_parallel_min_bytes() -> u64 {
    crate::usage::parallel::PARALLEL_MIN_BYTES
}

/// `--input-format` takes the names of the input-format registry (`usage::formats::FORMATS`): a
/// new source is a registry row, and its flag value follows.
impl ValueEnum for InputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &REGISTERED
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let row = FORMATS.iter().find(|r| r.format == *self)?;
        Some(clap::builder::PossibleValue::new(row.name).help(row.about))
    }
}

/// Every registered input format, in the registry's order.
const REGISTERED: [InputFormat; FORMATS.len()] = {
    let mut out = [InputFormat::Csv; FORMATS.len()];
    let mut i = 0;
    while i < FORMATS.len() {
        out[i] = FORMATS[i].format;
        i += 1;
    }
    out
};

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
    #[arg(long, value_enum, default_value_t = OnThrottleArg::Default, help_heading = heading::SIMULATION, value_name = "MODE", help = "What a PTU 429 leads to", long_help)]
    pub on_throttle: OnThrottleArg,
    /// Retries after the first attempt with --on-throttle retry (the OpenAI SDK default is 2;
    /// at most 100).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), help_heading = heading::SIMULATION, hide_short_help = true, help = "Retries with --on-throttle retry", long_help)]
    pub max_retries: u32,
    /// Throttle target, in percent: a PTU count is sized so the deployment serves all but this
    /// share of requests, and no option may fail more than this share.
    #[arg(long = "max-throttle-pct", default_value_t = 1.0, value_name = "PCT", value_parser = parse::PERCENT.parser(), help_heading = heading::SIZING, alias = "max-throttle-rate", help = "Most requests an option may fail, percent", long_help)]
    pub max_throttle_rate: f64,
    /// Largest share of requests an option with spillover may spill to Standard, in percent
    /// (default: no limit; the Standard deployment has its own quota and latency).
    #[arg(long = "max-spill-pct", value_name = "PCT", value_parser = parse::PERCENT.parser(), help_heading = heading::SIZING, alias = "max-spill-rate", help = "Most requests it may spill to Standard, percent", long_help)]
    pub max_spill_rate: Option<f64>,
    /// PTU counts each sizing search simulates per pass (2-64; more means fewer passes).
    #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=64), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "PTU counts each sizing pass simulates", long_help)]
    pub sweep_points: u32,
    /// Seconds of capacity the PTU utilization bucket holds before it reports 100% (Azure
    /// publishes no burst size; `ptuplan calibrate` fits it to a log of a real deployment).
    #[arg(long, default_value_t = crate::sim::admission::DEFAULT_BUCKET_WINDOW_S, value_name = "SECONDS", value_parser = parse::WINDOW_S.parser(), help_heading = heading::SIMULATION, help = "Seconds of capacity the PTU bucket holds", long_help)]
    pub bucket_window_s: f64,
    /// Bucket windows every option is also planned at, in seconds, comma-separated (the window
    /// in use is always added): a reservation is recommended only if it holds at every one.
    ///
    /// Azure publishes no burst allowance, so the band spans what the log cannot tell. After
    /// `ptuplan calibrate` on a real deployment's log, narrow it to the fitted range.
    #[arg(long, default_value = "1,10,60", value_name = "S,S,...", value_parser = |t: &str| parse::windows(t, 1, 8), help_heading = heading::SIMULATION, help = "Windows a reservation must hold at", long_help)]
    pub window_band: WindowBand,
    /// Smallest saving, in percent of the flexible option's cost, a reservation must keep at
    /// every window of the band to be recommended.
    #[arg(long = "min-saving-pct", default_value_t = 10.0, value_name = "PCT", value_parser = parse::PERCENT.parser(), help_heading = heading::SIZING, alias = "min-saving", help = "Least saving a reservation must keep, percent", long_help)]
    pub min_saving: f64,
    /// Shortest log, in days, on which a commitment is recommended; a shorter one gives a
    /// provisional decision (the flexible option; a reservation only as a what-if).
    #[arg(long, default_value_t = 7.0, value_name = "DAYS", value_parser = parse::SPAN_DAYS.parser(), help_heading = heading::SIZING, hide_short_help = true, help = "Shortest log a commitment is made on", long_help)]
    pub min_span_days: f64,
    /// Admission estimate for requests without max_completion_tokens: `actual` (the real
    /// completion size) or a token count.
    #[arg(long, default_value = "actual", value_name = "actual|TOKENS", value_parser = parse::missing_max_tokens, help_heading = heading::SIMULATION, hide_short_help = true, help = "Admission estimate without max_completion_tokens", long_help)]
    pub missing_max_tokens: MissingMaxArg,
    /// Allow Batch options (24-hour turnaround) to be recommended.
    #[arg(long, help_heading = heading::SIZING, help = "Allow Batch (24-hour turnaround) to be chosen", long_help)]
    pub batch_eligible: bool,
    /// Allow Flex options (preview; no latency or service SLA; may answer 429) to be
    /// recommended.
    #[arg(long, help_heading = heading::SIZING, help = "Allow Flex (preview, no SLA) to be chosen", long_help)]
    pub flex_eligible: bool,
    /// PTUs to reserve in each region x provisioned-type pool: `deployed` (what the decisions
    /// reserve) or a count, as a what-if; PTUs the pool deploys above it are billed hourly.
    #[arg(long, default_value = "deployed", value_name = "deployed|N", value_parser = parse::reserve, help_heading = heading::WHAT_IF, hide_short_help = true, help = "PTUs to reserve per pool (what-if)", long_help)]
    pub reserve: ReserveArg,
    /// The longest reservation term a decision may commit to: `1-year` (1-month and 1-year
    /// reservations are weighed) or `1-month`.
    #[arg(long, value_enum, default_value_t = ReserveTermArg::OneYear, help_heading = heading::SIZING, value_name = "TERM", help = "Longest reservation term to commit to", long_help)]
    pub reserve_term: ReserveTermArg,
    /// Quota level every Standard deployment (per-token options and spillover targets) is
    /// simulated at: a quota tier 0-6, or `default` / `enterprise` (the older levels).
    ///
    /// Default: unlimited, and every option says which level it would need. A level the
    /// catalog has no figure for (data/standard.yaml) leaves that option unlimited and says so.
    #[arg(long, value_name = "TIER", value_parser = parse::quota_level, help_heading = heading::SIMULATION, help = "Quota tier Standard is simulated at", long_help)]
    pub quota_tier: Option<crate::catalog::standard::QuotaLevel>,
    /// A negotiated quota: `MODEL=TPM` (every Standard type of the model) or
    /// `MODEL/TYPE=TPM` (e.g. `gpt-4.1/global-standard=5M`); RPM follows the model's ratio.
    /// Repeatable; wins over --quota-tier.
    #[arg(long, value_name = "MODEL[/TYPE]=TPM", value_parser = parse::quota_tpm, help_heading = heading::SIMULATION, help = "A negotiated Standard quota (repeatable)", long_help)]
    pub quota_tpm: Vec<QuotaTpmArg>,
    /// A YAML file of negotiated quotas (`quotas: [{model, deployment_type?, tpm, rpm?,
    /// source?}]`, and an optional `tier:`); strict, errors name file and line.
    #[arg(long, value_name = "FILE", help_heading = heading::SIMULATION, hide_short_help = true, help = "A YAML file of negotiated quotas", long_help)]
    pub quota_file: Option<PathBuf>,
    /// Seconds over which Standard checks the request rate against RPM ("typically 1 or 10
    /// seconds", Microsoft); the n-th request of a window passes while n <= RPM x window / 60.
    #[arg(long, default_value_t = crate::sim::standard::DEFAULT_RPM_WINDOW_S, value_name = "SECONDS", value_parser = parse::RPM_WINDOW_S.parser(), help_heading = heading::SIMULATION, hide_short_help = true, help = "Seconds over which Standard checks RPM", long_help)]
    pub standard_rpm_window_s: f64,
    /// Exclude options that cannot promise this output speed (tokens per second): Standard,
    /// Batch and Flex promise none; PTU and Priority promise their model's latency target.
    #[arg(long, value_name = "N", value_parser = parse::TOKENS_PER_S.parser(), help_heading = heading::SIZING, hide_short_help = true, help = "Exclude options slower than N tokens per second", long_help)]
    pub min_tokens_per_s: Option<f64>,
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
    #[arg(long = "fail-on", value_name = "EXPR", value_parser = parse_rule, help_heading = heading::GATES, help = "Exit with status 3 when EXPR holds (repeatable)", long_help)]
    pub fail_on: Vec<GateRule>,
    /// A previous report (JSON) to compare with: for the *_increase_* rules, and `report` puts
    /// the diff at the top of report.md.
    #[arg(long, value_name = "OLD.json", help_heading = heading::GATES, help = "A previous JSON report to compare with", long_help)]
    pub baseline: Option<PathBuf>,
    /// Judge --fail-on rules on the workloads that have a recommendation when some have none.
    ///
    /// By default such a plan breaches every rule but workloads_without_recommendation: its
    /// total leaves those workloads out, so it must not pass a budget.
    #[arg(long, help_heading = heading::GATES, hide_short_help = true, help = "Judge rules on the decided workloads only", long_help)]
    pub allow_partial_plan: bool,
}

/// What-if scenarios of `compare` and `report` (README, "What-if scenarios").
#[derive(Debug, Args, Clone)]
pub struct ScenarioArgs {
    /// Scenarios to plan side by side with the log as is: a YAML list of {name, transforms}
    /// (README, "What-if scenarios").
    #[arg(long, value_name = "FILE", help_heading = heading::WHAT_IF, help = "Scenarios file (YAML) to plan beside the log", long_help)]
    pub scenarios: Option<PathBuf>,
    /// One scenario: traffic x F, by thinning or replicating requests (tokens are never
    /// multiplied, so bursts keep their shape).
    #[arg(long, value_name = "F", value_parser = parse::TRAFFIC_FACTOR.parser(), help_heading = heading::WHAT_IF, help = "One scenario: traffic x F", long_help)]
    pub scale: Option<f64>,
    /// One scenario: traffic grows PCT per month over --horizon-months (negative shrinks); the
    /// scenario shows the last month and a reservation ladder plans every month.
    #[arg(long = "growth-pct", value_name = "PCT", allow_hyphen_values = true, value_parser = parse::GROWTH_PCT.parser(), help_heading = heading::WHAT_IF, alias = "growth", help = "One scenario: traffic grows PCT per month", long_help)]
    pub growth: Option<f64>,
    /// One scenario: the workloads on model FROM move to model TO (repeatable). This is how to
    /// ask "what if we used another model" (--model-map only names the model of rows that
    /// carry none).
    #[arg(long, value_name = "FROM=TO", value_parser = parse::migration, help_heading = heading::WHAT_IF, help = "One scenario: model FROM replaced by TO", long_help)]
    pub migrate: Vec<(String, String)>,
    /// Token factors of --migrate: prompt=F,output=F,reasoning=F (each default 1).
    #[arg(long, value_name = "FACTORS", value_parser = parse::migrate_factors, help_heading = heading::WHAT_IF, hide_short_help = true, help = "Token factors of --migrate", long_help)]
    pub migrate_factors: Option<MigrateFactors>,
    /// One scenario: the cached share of prompt tokens set to PCT.
    #[arg(long = "cache-rate-pct", value_name = "PCT", value_parser = parse::PERCENT.parser(), help_heading = heading::WHAT_IF, alias = "cache-rate", help = "One scenario: cached share of prompt tokens", long_help)]
    pub cache_rate: Option<f64>,
    /// One scenario: reasoning tokens x F (a stand-in for reasoning effort; completions stop at
    /// their max_completion_tokens).
    #[arg(long, value_name = "F", value_parser = parse::TOKEN_FACTOR.parser(), help_heading = heading::WHAT_IF, help = "One scenario: reasoning tokens x F", long_help)]
    pub reasoning: Option<f64>,
    /// One scenario: PCT of requests moved to a Batch workload.
    #[arg(long = "batch-shift-pct", value_name = "PCT", value_parser = parse::PERCENT.parser(), help_heading = heading::WHAT_IF, alias = "batch-shift", help = "One scenario: PCT of requests move to Batch", long_help)]
    pub batch_shift: Option<f64>,
    /// One scenario: the workloads move to REGION (an armRegionName).
    #[arg(long, value_name = "REGION", help_heading = heading::WHAT_IF, help = "One scenario: the workloads move to REGION", long_help)]
    pub move_region: Option<String>,
    /// Which workloads the one-scenario flags apply to: deployment=GLOB,model=GLOB,region=GLOB
    /// (default: all).
    #[arg(long, value_name = "KEY=GLOB,...", value_parser = parse::select, help_heading = heading::WHAT_IF, help = "Workloads the one-scenario flags apply to", long_help)]
    pub select: Option<SelectArg>,
    /// Name of the one-scenario flags' scenario.
    #[arg(long, value_name = "NAME", default_value = "what-if", help_heading = heading::WHAT_IF, hide_short_help = true)]
    pub scenario_name: String,
    /// Months of growth (for --growth and growth entries without `months`) and of the
    /// reservation ladder (default 12); also how far ahead retirements offer a migration
    /// scenario. Without --growth it adds scenario `forecast`: a reservation plan on each
    /// workload's own forecast.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=60), help_heading = heading::WHAT_IF, help = "Months of growth and of the reservation ladder", long_help)]
    pub horizon_months: Option<u32>,
    /// Months of traffic a reservation plan simulates, spread evenly over the horizon (the
    /// last month always; months between use the next simulated one). Each is one more replay
    /// of the log at that month's traffic.
    #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_LADDER_POINTS, value_parser = clap::value_parser!(u32).range(1..=60), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Months a reservation plan simulates", long_help)]
    pub ladder_points: u32,
    /// Do not offer the migration scenario for models that retire within the horizon.
    #[arg(long, help_heading = heading::WHAT_IF, hide_short_help = true, help = "No migration scenario for retiring models", long_help)]
    pub no_auto_scenarios: bool,
    /// Most requests one logged request may become in one scenario: the product of its
    /// traffic factors (scale x growth over the horizon), summed over the simulated months of
    /// a reservation plan. Beyond it the run stops at the workload's first record.
    #[arg(long, value_name = "F", default_value_t = crate::scenario::lane::DEFAULT_MAX_TRAFFIC_FACTOR, value_parser = parse::MAX_TRAFFIC_FACTOR.parser(), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Most requests one logged request may become", long_help)]
    pub max_traffic_factor: f64,
    /// Most requests the scenarios and reservation plans may replay in all (56 bytes of temp
    /// space each; default 100,000,000, about 5.6 GB).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::lane::DEFAULT_MAX_SCENARIO_REQUESTS, value_parser = clap::value_parser!(u64).range(1..=100_000_000_000), help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Most requests all scenarios may replay", long_help)]
    pub max_scenario_requests: u64,
    /// The scenario whose plan the FOCUS export projects (default: the first scenario with a
    /// reservation ladder, else the log as is).
    #[arg(long, value_name = "NAME", help_heading = heading::OUTPUT, hide_short_help = true, help = "The scenario the FOCUS export projects", long_help)]
    pub focus_scenario: Option<String>,
}
