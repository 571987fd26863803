//! From raw flags to validated settings (no dispatch: `commands::run` does that). Precedence: built-in defaults, then the
//! catalog (`--catalog` / `PTUPLAN_CATALOG`, else built in), then environment (`PTUPLAN_*`,
//! handled by clap), then flags. Only settings types go past this module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::catalog::load::CATALOG_FILES;
use crate::catalog::overrides::{AppliedOverride, Overrides};
use crate::catalog::prices::{layer_prices, load_prices_file};
use crate::catalog::DeploymentTypeId;
use crate::catalog::{load_catalog, Catalog, CatalogSource};
use crate::cli::{
    CalibrateFormat, CatalogArgs, GateArgs, InputArgs, MissingMaxArg, OnThrottleArg, OutputArgs,
    PlanningArgs, ReportArgs, ReserveArg, ReserveTermArg, SimArgs,
};
use crate::plan::{Billing, PlanSettings, ReservePolicy, SalesFacts, ThrottlePolicy};
use crate::render::guard::InputFiles;
use crate::render::Format;
use crate::report::diff::DiffFormat;
use crate::report::gate::GateRule;
use crate::sim::{MissingMaxTokens, SimParams};
use crate::usage::aggregate::{self, ExpandParams};
use crate::usage::sources::columns::ColumnMap;
use crate::usage::{InputFormat, InputSource, InputSpec};

/// The bundled 30-day sample (`data/samples/sample-30d.csv.gz`), replayed when no log is given.
pub const BUNDLED_SAMPLE: InputSource = InputSource::Bundled {
    name: "data/samples/sample-30d.csv.gz",
    bytes: include_bytes!("../../data/samples/sample-30d.csv.gz"),
};

mod catalog;
mod compare;

pub use catalog::*;

/// Refuse an output path that is one of the run's inputs, before any work is done (a usage
/// error, exit status 2). `open_output` checks again when the file is created.
pub fn ensure_output_spares_inputs(inputs: &InputFiles, out: Option<&Path>) -> Result<()> {
    match out {
        Some(out) => inputs
            .ensure_not_input(out)
            .map_err(|e| UsageError(e.to_string()).into()),
        None => Ok(()),
    }
}

/// A cross-flag problem clap cannot see; `main` exits with status 2, like clap's own usage
/// errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Validated `--fail-on` rules and `--baseline`.
#[derive(Debug, Clone, Default)]
pub struct GateSettings {
    /// Rules, in the order given.
    pub rules: Vec<GateRule>,
    /// The baseline report.
    pub baseline: Option<PathBuf>,
    /// Judge budget rules on the workloads that have a recommendation when others have none.
    pub allow_partial_plan: bool,
    /// Notes on the rules for stderr (a `failed_pct` threshold below 1, which is in
    /// percent since 0.2.0).
    pub notes: Vec<String>,
}

/// Refuse to judge the bundled sample with `--fail-on` or `--baseline` unless `--sample` asked
/// for it: a CI job whose `$LOGFILE` is empty must not pass (or fail) a budget on made-up
/// traffic.
pub fn ensure_gates_judge_a_log(settings: &CompareSettings, gates: &GateSettings) -> Result<()> {
    if !settings.using_bundled_sample || settings.sample_requested {
        return Ok(());
    }
    let what = match (gates.rules.first(), &gates.baseline) {
        (Some(rule), _) => format!("--fail-on '{rule}'"),
        (None, Some(_)) => "--baseline".to_owned(),
        (None, None) => return Ok(()),
    };
    Err(UsageError(format!(
        "no LOG given: {what} would judge the bundled sample, not your traffic (is the variable that names your log empty?); pass a LOG, or --sample to gate the sample on purpose"
    ))
    .into())
}

impl GateSettings {
    /// Check that rules comparing against a baseline have one.
    pub fn from_args(args: &GateArgs) -> Result<GateSettings> {
        if args.baseline.is_none() {
            if let Some(rule) = args.fail_on.iter().find(|r| r.metric.needs_baseline()) {
                return Err(UsageError(format!(
                    "--fail-on '{rule}' compares against a previous report: pass --baseline OLD.json"
                ))
                .into());
            }
        }
        let notes = args
            .fail_on
            .iter()
            .filter(|r| {
                r.metric == crate::report::gate::Metric::ThrottleRate
                    && r.threshold > 0.0
                    && r.threshold < 1.0
            })
            .map(|r| {
                format!(
                    "--fail-on '{r}': failed_pct is in percent (since 0.2.0, like --max-throttle-pct), so {} means {}%; write 1 for 1%",
                    r.threshold, r.threshold
                )
            })
            .collect();
        Ok(GateSettings {
            rules: args.fail_on.clone(),
            baseline: args.baseline.clone(),
            allow_partial_plan: args.allow_partial_plan,
            notes,
        })
    }
}

/// Settings of `diff`.
#[derive(Debug, Clone)]
pub struct DiffSettings {
    /// The earlier report.
    pub base: PathBuf,
    /// The later report (the base report again when comparing two of its scenarios).
    pub new: PathBuf,
    /// The scenario of the base report to compare (None: the log as is).
    pub base_scenario: Option<String>,
    /// The scenario of the later report to compare (None: the log as is).
    pub new_scenario: Option<String>,
    /// Output format.
    pub format: DiffFormat,
    /// Output file (None or `-` = stdout).
    pub out: Option<PathBuf>,
}

/// Validated settings of `report`.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// The planning run (format and output unused).
    pub compare: CompareSettings,
    /// Directory the files go to.
    pub out_dir: PathBuf,
    /// Budget rules and baseline.
    pub gates: GateSettings,
    /// `--charts`: which workloads get charts.
    pub charts: crate::render::chart::ChartSelection,
}

impl ReportSettings {
    /// Resolve and check the flags.
    pub fn from_args(args: &ReportArgs) -> Result<ReportSettings> {
        let output = OutputArgs {
            format: None,
            out: None,
            quiet: args.quiet,
            timings: args.timings,
        };
        let compare = CompareSettings::from_args(
            &args.replay.input,
            &args.replay.catalog,
            &args.replay.sim,
            &output,
            args.generated_at.as_deref(),
        )?
        .with_planning(&args.planning)?
        .with_scenarios(&args.scenarios)?;
        let gates = GateSettings::from_args(&args.gates)?;
        ensure_gates_judge_a_log(&compare, &gates)?;
        Ok(ReportSettings {
            compare,
            out_dir: args.out_dir.clone(),
            gates,
            charts: args.charts.unwrap_or_default(),
        })
    }
}

/// Validated settings of `calibrate`.
#[derive(Debug, Clone)]
pub struct CalibrateSettings {
    /// Reading: inputs, model map, region, threads (the planning fields are unused).
    pub read: CompareSettings,
    /// The deployment the log was recorded on.
    pub deployment: String,
    /// Its provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Its PTUs.
    pub ptus: u32,
    /// Windows to try, seconds, ascending and distinct.
    pub windows_s: Vec<f64>,
    /// JSON instead of a table.
    pub json: bool,
}

impl CalibrateSettings {
    /// Resolve and check the flags.
    pub fn from_args(args: &crate::cli::CalibrateArgs) -> Result<CalibrateSettings> {
        if args.input.logs.is_empty() {
            return Err(UsageError(
                "calibrate needs the LOG of a real PTU deployment (with its 429 rows)".to_owned(),
            )
            .into());
        }
        let output = OutputArgs {
            format: None,
            out: args.out.clone(),
            quiet: args.quiet,
            timings: false,
        };
        let sim = SimArgs::defaults_with_missing_max(args.missing_max_tokens);
        let read = CompareSettings::from_args(&args.input, &args.catalog, &sim, &output, None)?;
        let mut windows_s = args.windows.0.clone();
        windows_s.sort_by(f64::total_cmp);
        windows_s.dedup();
        Ok(CalibrateSettings {
            read,
            deployment: args.deployment.clone(),
            deployment_type: args.deployment_type.0,
            ptus: args.ptus,
            windows_s,
            json: args.format == CalibrateFormat::Json,
        })
    }
}

/// Validated settings of a planning run.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Inputs, in order.
    pub inputs: Vec<InputSpec>,
    /// True when no log was given and the bundled sample is used.
    pub using_bundled_sample: bool,
    /// True when `--sample` asked for the bundled sample.
    pub sample_requested: bool,
    /// Catalog flags.
    pub catalog: CatalogArgs,
    /// DEPLOYMENT -> MODEL.
    pub model_map: BTreeMap<String, String>,
    /// Region for rows without one.
    pub default_region: Option<String>,
    /// Skip invalid rows.
    pub skip_invalid: bool,
    /// Threads for reading and simulating.
    pub threads: usize,
    /// Smallest file read by several threads.
    pub parallel_min_bytes: u64,
    /// Events per spool chunk.
    pub spool_chunk_events: usize,
    /// How aggregated inputs become requests (`--seed`, `--typical-request-tokens`).
    pub expand: ExpandParams,
    /// `--columns` mapping.
    pub columns: Option<ColumnMap>,
    /// `--max-expanded-requests`.
    pub max_expanded_requests: u64,
    /// `--max-workloads`.
    pub max_workloads: u64,
    /// Admission-model parameters.
    pub sim: SimParams,
    /// Planning settings.
    pub plan: PlanSettings,
    /// Output format.
    pub format: Format,
    /// Output file (None = stdout).
    pub out: Option<PathBuf>,
    /// No progress or notes on stderr.
    pub quiet: bool,
    /// Print phase timings on stderr.
    pub timings: bool,
    /// Report timestamp.
    pub generated_at: Option<String>,
    /// `--overrides`, parsed (applied to the catalog by [`planning_catalog`]).
    pub overrides: Option<Overrides>,
    /// `regions --from`: where the callers are (None: each workload's own region).
    pub from_region: Option<String>,
    /// What-if scenarios (none for commands without them).
    pub whatif: WhatIfSettings,
    /// `--details`: every workload's options in the table format.
    pub details: bool,
}

/// Validated what-if settings: where the scenarios come from (they are parsed against the
/// catalog when the run starts), the horizon, and what the FOCUS export projects.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfSettings {
    /// `--scenarios FILE`.
    pub file: Option<PathBuf>,
    /// The one scenario of the quick flags (`--scale`, `--migrate`, ...).
    pub quick: Option<QuickScenario>,
    /// `--horizon-months`.
    pub horizon_months: u32,
    /// `--horizon-months` given without `--growth`: plan a reservation ladder on the log's
    /// own forecast (scenario `forecast`).
    pub forecast_ladder: bool,
    /// Offer the migration scenario for retiring models (off with `--no-auto-scenarios`).
    pub auto_scenarios: bool,
    /// `--focus-scenario`.
    pub focus_scenario: Option<String>,
    /// `--ladder-points`: months of traffic a reservation plan simulates.
    pub ladder_points: u32,
    /// `--max-traffic-factor`: most requests one logged request may become in one lane.
    pub max_traffic_factor: f64,
    /// `--max-scenario-requests`: most requests all lanes may replay in all.
    pub max_scenario_requests: u64,
}

impl Default for WhatIfSettings {
    fn default() -> Self {
        WhatIfSettings {
            file: None,
            quick: None,
            ladder_points: crate::scenario::DEFAULT_LADDER_POINTS,
            horizon_months: crate::scenario::DEFAULT_HORIZON_MONTHS,
            forecast_ladder: false,
            auto_scenarios: false,
            focus_scenario: None,
            max_traffic_factor: crate::scenario::lane::DEFAULT_MAX_TRAFFIC_FACTOR,
            max_scenario_requests: crate::scenario::lane::DEFAULT_MAX_SCENARIO_REQUESTS,
        }
    }
}

/// The quick flags' scenario, as given (models and regions are checked against the catalog
/// when the run starts).
#[derive(Debug, Clone, PartialEq)]
pub struct QuickScenario {
    /// `--scenario-name`.
    pub name: String,
    /// `--scale`.
    pub scale: Option<f64>,
    /// `--growth`, percent per month.
    pub growth_percent: Option<f64>,
    /// `--migrate FROM=TO`.
    pub migrate: Vec<(String, String)>,
    /// `--migrate-factors`.
    pub factors: crate::cli::MigrateFactors,
    /// `--cache-rate`, percent.
    pub cache_rate_percent: Option<f64>,
    /// `--reasoning`.
    pub reasoning: Option<f64>,
    /// `--batch-shift`, percent.
    pub batch_shift_percent: Option<f64>,
    /// `--move-region`.
    pub move_region: Option<String>,
    /// `--select`.
    pub select: crate::cli::SelectArg,
}
