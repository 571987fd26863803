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
    CalibrateFormat, CatalogArgs, GateArgs, InputArgs, InputFormatArg, MissingMaxArg,
    OnThrottleArg, OutputArgs, PlanningArgs, ProvisionedTypeArg, ReportArgs, ReserveArg,
    ReserveTermArg, SimArgs,
};
use crate::plan::{Billing, PlanSettings, ReservePolicy, SalesFacts, ThrottlePolicy};
use crate::report::diff::DiffFormat;
use crate::report::gate::GateRule;
use crate::report::guard::InputFiles;
use crate::report::Format;
use crate::sim::{MissingMaxTokens, SimParams};
use crate::usage::aggregate::{self, ExpandParams};
use crate::usage::sources::columns::ColumnMap;
use crate::usage::{InputFormat, InputSource, InputSpec};

/// The bundled 30-day sample (`data/samples/sample-30d.csv.gz`), replayed when no log is given.
pub const BUNDLED_SAMPLE: InputSource = InputSource::Bundled {
    name: "data/samples/sample-30d.csv.gz",
    bytes: include_bytes!("../../data/samples/sample-30d.csv.gz"),
};

/// Load the catalog the flags point at, narrowed to the prices in force on the run's as-of
/// date ([`resolve_as_of`]), with the `--prices` file layered over it. An entry dated after
/// today (UTC) is an error; so is a date on which the catalog prices nothing.
pub fn catalog_from(args: &CatalogArgs) -> Result<Catalog> {
    let source = match &args.catalog {
        Some(dir) => CatalogSource::Dir(dir.clone()),
        None => CatalogSource::Embedded,
    };
    let catalog = load_catalog(&source).context("loading the catalog")?;
    let today = chrono::Utc::now().date_naive();
    let future = catalog.dated_after(today);
    if !future.is_empty() {
        bail!(
            "catalog {} has {} entr(ies) dated after today ({today}); fix the `as_of` dates:\n  - {}",
            catalog.origin,
            future.len(),
            future.join("\n  - ")
        );
    }
    let as_of = resolve_as_of(args.as_of)?;
    let mut catalog = catalog.in_force_on(as_of);
    if let Some(path) = &args.prices {
        let context = || format!("loading prices file {}", path.display());
        let (file, text) = load_prices_file(path).with_context(context)?;
        layer_prices(&mut catalog, path, &text, file).with_context(context)?;
    }
    let gaps = catalog.pricing_gaps(&format!(" in force on {as_of}"));
    if !gaps.is_empty() {
        bail!(
            "catalog {} cannot price anything on {as_of}:\n  - {}",
            catalog.origin,
            gaps.join("\n  - ")
        );
    }
    Ok(catalog)
}

/// The run's as-of date: `--as-of` (or `PTUPLAN_AS_OF`), else the date of
/// `SOURCE_DATE_EPOCH` (reproducible runs), else today in UTC.
pub fn resolve_as_of(flag: Option<chrono::NaiveDate>) -> Result<chrono::NaiveDate> {
    if let Some(d) = flag {
        return Ok(d);
    }
    Ok(source_date_epoch()?
        .unwrap_or_else(chrono::Utc::now)
        .date_naive())
}

/// `SOURCE_DATE_EPOCH` (Unix seconds), if set.
fn source_date_epoch() -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            let secs: i64 = v
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH `{v}` is not Unix seconds"))?;
            let dt = chrono::DateTime::from_timestamp(secs, 0)
                .with_context(|| format!("SOURCE_DATE_EPOCH `{v}` is out of range"))?;
            Ok(Some(dt))
        }
        _ => Ok(None),
    }
}

/// The catalog a planning run prices with: `base` with the `--overrides` discounts and quotes
/// applied, after checking `--residency` against it. Returns the applied overrides too.
pub fn planning_catalog(
    settings: &CompareSettings,
    base: &Catalog,
) -> Result<(Catalog, Vec<AppliedOverride>)> {
    let mut catalog = base.clone();
    if let Some(r) = &settings.plan.constraints.residency {
        r.ensure_known(&catalog).map_err(anyhow::Error::msg)?;
    }
    for q in &settings.plan.quota.negotiated {
        if catalog.resolve_model(&q.model).is_none() {
            bail!(
                "quota for unknown model `{}` ({}); closest: {}",
                q.model,
                q.origin,
                catalog.closest_models(&q.model, 3).join(", ")
            );
        }
    }
    let applied = match &settings.overrides {
        Some(o) => o
            .apply(&mut catalog)
            .with_context(|| format!("applying overrides {}", o.path.display()))?,
        None => Vec::new(),
    };
    Ok((catalog, applied))
}

/// The catalog files the flags make a run read (`--catalog DIR`'s YAML files, `meters.yaml`,
/// `--prices`), added to `files`.
pub fn add_catalog_inputs(files: &mut InputFiles, args: &CatalogArgs) {
    if let Some(dir) = &args.catalog {
        for name in CATALOG_FILES.iter().chain(["meters.yaml"].iter()) {
            files.add(&dir.join(name));
        }
    }
    if let Some(p) = &args.prices {
        files.add(p);
    }
}

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
    /// Notes on the rules for stderr (a `throttle_rate` threshold below 1, which is in
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
                    "--fail-on '{r}': throttle_rate is in percent (since 0.2.0, like --max-throttle-rate), so {} means {}%; write 1 for 1%",
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
    pub charts: crate::report::chart::ChartSelection,
}

impl ReportSettings {
    /// Resolve and check the flags.
    pub fn from_args(args: &ReportArgs) -> Result<ReportSettings> {
        let output = OutputArgs {
            format: None,
            out: None,
            quiet: args.quiet,
            timings: false,
        };
        let compare = CompareSettings::from_args(
            &args.input,
            &args.catalog,
            &args.sim,
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
            deployment_type: match args.deployment_type {
                ProvisionedTypeArg::GlobalProvisioned => DeploymentTypeId::GlobalProvisioned,
                ProvisionedTypeArg::DataZoneProvisioned => DeploymentTypeId::DataZoneProvisioned,
                ProvisionedTypeArg::RegionalProvisioned => DeploymentTypeId::RegionalProvisioned,
            },
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

impl CompareSettings {
    /// How the readers read the inputs.
    pub fn read_options(&self) -> crate::usage::ReadOptions {
        crate::usage::ReadOptions {
            skip_invalid: self.skip_invalid,
            threads: self.threads,
            parallel_min_bytes: self.parallel_min_bytes,
            expand: self.expand,
            columns: self.columns.clone(),
            max_expanded_requests: self.max_expanded_requests,
        }
    }

    /// Resolve and check the flags.
    pub fn from_args(
        input: &InputArgs,
        catalog: &CatalogArgs,
        sim: &SimArgs,
        output: &OutputArgs,
        generated_at: Option<&str>,
    ) -> Result<CompareSettings> {
        let mut format = input_format(input.input_format);
        if input.columns.is_some() {
            match format {
                None | Some(InputFormat::Columns) => format = Some(InputFormat::Columns),
                Some(InputFormat::Csv | InputFormat::Jsonl | InputFormat::Aggregate) => {}
                Some(InputFormat::Parquet) => format = None,
                Some(f) => {
                    return Err(UsageError(format!(
                        "--columns maps a table of your own; it cannot be combined with --input-format {}",
                        f.name()
                    ))
                    .into())
                }
            }
        }
        let using_bundled_sample = input.logs.is_empty();
        let inputs = if using_bundled_sample {
            vec![InputSpec {
                source: BUNDLED_SAMPLE,
                format,
            }]
        } else {
            input
                .logs
                .iter()
                .map(|p| InputSpec {
                    source: InputSource::from_arg(p),
                    format,
                })
                .collect()
        };
        if inputs
            .iter()
            .filter(|i| i.source == InputSource::Stdin)
            .count()
            > 1
        {
            bail!("`-` (stdin) can be given only once");
        }
        Ok(CompareSettings {
            inputs,
            using_bundled_sample,
            sample_requested: input.sample,
            catalog: catalog.clone(),
            model_map: ensure_model_map(&input.model_map)?,
            default_region: input.region.as_ref().map(|r| r.trim().to_ascii_lowercase()),
            skip_invalid: input.skip_invalid,
            threads: match input.threads {
                Some(n) => usize::from(n),
                None => std::thread::available_parallelism()
                    .map_or(1, |n| n.get())
                    .min(4),
            },
            parallel_min_bytes: input.parallel_min_bytes,
            spool_chunk_events: input.spool_chunk_events as usize,
            expand: ExpandParams {
                seed: input.seed.unwrap_or(aggregate::DEFAULT_SEED),
                typical_request_tokens: input
                    .typical_request_tokens
                    .unwrap_or(aggregate::TYPICAL_REQUEST_TOKENS),
            },
            columns: input.columns.clone(),
            max_expanded_requests: input
                .max_expanded_requests
                .unwrap_or(crate::usage::ledger::MAX_EXPANDED_REQUESTS),
            sim: ensure_sim(sim)?,
            plan: ensure_plan(sim)?,
            format: output
                .format
                .or_else(|| output.out.as_deref().and_then(Format::from_extension))
                .unwrap_or(Format::Table),
            out: output.out.clone(),
            quiet: output.quiet,
            timings: output.timings,
            generated_at: resolve_generated_at(generated_at)?,
            overrides: None,
            whatif: WhatIfSettings::default(),
            from_region: None,
            details: false,
        })
    }

    /// Add the what-if scenarios: `--scenarios FILE` and the one-scenario flags. A flag that
    /// only qualifies others (`--select`, `--migrate-factors`) without them is a usage error.
    pub fn with_scenarios(mut self, args: &crate::cli::ScenarioArgs) -> Result<CompareSettings> {
        let quick = QuickScenario {
            name: args.scenario_name.trim().to_owned(),
            scale: args.scale,
            growth_percent: args.growth,
            migrate: args.migrate.clone(),
            factors: args.migrate_factors.unwrap_or(crate::cli::MigrateFactors {
                prompt: 1.0,
                output: 1.0,
                reasoning: 1.0,
            }),
            cache_rate_percent: args.cache_rate,
            reasoning: args.reasoning,
            batch_shift_percent: args.batch_shift,
            move_region: args.move_region.clone(),
            select: args.select.clone().unwrap_or_default(),
        };
        let any = quick.scale.is_some()
            || quick.growth_percent.is_some()
            || !quick.migrate.is_empty()
            || quick.cache_rate_percent.is_some()
            || quick.reasoning.is_some()
            || quick.batch_shift_percent.is_some()
            || quick.move_region.is_some();
        if args.migrate_factors.is_some() && quick.migrate.is_empty() {
            return Err(UsageError(
                "--migrate-factors qualifies --migrate FROM=TO; pass --migrate too".to_owned(),
            )
            .into());
        }
        if args.select.is_some() && !any {
            return Err(UsageError(
                "--select names the workloads of --scale, --growth, --migrate, --cache-rate, --reasoning, --batch-shift or --move-region; pass one of them".to_owned(),
            )
            .into());
        }
        if args.select.as_ref().is_some_and(|s| s.model.is_some()) && !quick.migrate.is_empty() {
            return Err(UsageError(
                "--migrate FROM=TO selects its model with FROM; drop model= from --select"
                    .to_owned(),
            )
            .into());
        }
        if quick.name.is_empty() || quick.name == crate::scenario::BASELINE {
            return Err(UsageError(format!(
                "--scenario-name `{}`: pick a non-empty name other than `{}`",
                quick.name,
                crate::scenario::BASELINE
            ))
            .into());
        }
        self.whatif = WhatIfSettings {
            file: args.scenarios.clone(),
            quick: any.then_some(quick),
            horizon_months: args
                .horizon_months
                .unwrap_or(crate::scenario::DEFAULT_HORIZON_MONTHS),
            forecast_ladder: args.horizon_months.is_some() && args.growth.is_none(),
            auto_scenarios: !args.no_auto_scenarios,
            focus_scenario: args.focus_scenario.clone(),
            ladder_points: args.ladder_points,
            max_traffic_factor: args.max_traffic_factor,
            max_scenario_requests: args.max_scenario_requests,
        };
        Ok(self)
    }

    /// Every file this run reads (logs, catalog files, `--prices`, `--overrides`, and
    /// `baseline`), so that no output replaces one.
    pub fn input_files(&self, baseline: Option<&Path>) -> InputFiles {
        let mut files = InputFiles::new();
        for input in &self.inputs {
            if let InputSource::File(p) = &input.source {
                files.add(p);
            }
        }
        add_catalog_inputs(&mut files, &self.catalog);
        if let Some(o) = &self.overrides {
            files.add(&o.path);
        }
        if let Some(b) = baseline {
            files.add(b);
        }
        if let Some(s) = &self.whatif.file {
            files.add(s);
        }
        files
    }

    /// Add `--overrides` and `--residency`: the file is read and checked here (file and line in
    /// errors); its sales facts and the residency become plan constraints.
    pub fn with_planning(mut self, planning: &PlanningArgs) -> Result<CompareSettings> {
        self.overrides = planning
            .overrides
            .as_deref()
            .map(|p| {
                Overrides::load(p).with_context(|| format!("reading overrides {}", p.display()))
            })
            .transpose()?;
        self.plan.constraints.residency = planning.residency.clone();
        self.plan.constraints.served_by = ensure_served_by(&planning.served_by)?;
        self.plan.constraints.sales = self
            .overrides
            .as_ref()
            .map(|o| SalesFacts {
                availability: o.availability.clone(),
                capacity: o.capacity.clone(),
            })
            .unwrap_or_default();
        Ok(self)
    }
}

/// `--served-by` as settings: one TYPE for all at most, and a deployment named twice with two
/// types is a usage error (which would win is a silent choice).
fn ensure_served_by(
    entries: &[(Option<String>, DeploymentTypeId)],
) -> Result<crate::plan::evidence::ServedBy> {
    let mut by = crate::plan::evidence::ServedBy::default();
    for (deployment, t) in entries {
        let (slot, what) = match deployment {
            Some(d) => (
                by.deployments.entry(d.clone()).or_insert(*t),
                format!("deployment `{}`", d.escape_debug()),
            ),
            None => (by.all.get_or_insert(*t), "every deployment".to_owned()),
        };
        if slot != t {
            return Err(UsageError(format!(
                "--served-by gives {what} two types, {slot} and {t}; keep one"
            ))
            .into());
        }
    }
    Ok(by)
}

/// `--model-map` as a map; a deployment mapped to two different models is a usage error
/// (which would win is a silent choice).
fn ensure_model_map(entries: &[(String, String)]) -> Result<BTreeMap<String, String>> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (deployment, model) in entries {
        if let Some(first) = map.get(deployment).filter(|m| *m != model) {
            return Err(UsageError(format!(
                "--model-map maps deployment `{}` twice, to `{}` and to `{}`; keep one",
                deployment.escape_debug(),
                first.escape_debug(),
                model.escape_debug()
            ))
            .into());
        }
        map.insert(deployment.clone(), model.clone());
    }
    Ok(map)
}

fn input_format(arg: Option<InputFormatArg>) -> Option<InputFormat> {
    arg.map(|f| match f {
        InputFormatArg::Csv => InputFormat::Csv,
        InputFormatArg::Jsonl => InputFormat::Jsonl,
        InputFormatArg::Aggregate => InputFormat::Aggregate,
        InputFormatArg::AzureMonitor => InputFormat::AzureMonitor,
        InputFormatArg::AzureMetrics => InputFormat::AzureMetrics,
        InputFormatArg::AzureDiagnostics => InputFormat::AzureDiagnostics,
        InputFormatArg::Apim => InputFormat::Apim,
        InputFormatArg::Litellm => InputFormat::LiteLlm,
        InputFormatArg::OpenaiUsage => InputFormat::OpenAiUsage,
        InputFormatArg::Langfuse => InputFormat::Langfuse,
        InputFormatArg::Columns => InputFormat::Columns,
        InputFormatArg::Parquet => InputFormat::Parquet,
    })
}

fn ensure_sim(sim: &SimArgs) -> Result<SimParams> {
    Ok(SimParams {
        bucket_window_s: sim.bucket_window_s,
        window_band_s: sim.window_band.0.clone(),
        missing_max_tokens: match sim.missing_max_tokens {
            MissingMaxArg::Actual => MissingMaxTokens::Actual,
            MissingMaxArg::Tokens(n) => MissingMaxTokens::Fixed(n),
        },
    })
}

fn ensure_plan(sim: &SimArgs) -> Result<PlanSettings> {
    if !(sim.max_throttle_rate.is_finite() && (0.0..=100.0).contains(&sim.max_throttle_rate)) {
        bail!(
            "--max-throttle-rate is a percentage between 0 and 100, got {}",
            sim.max_throttle_rate
        );
    }
    if !(2..=64).contains(&sim.sweep_points) {
        bail!(
            "--sweep-points must be between 2 and 64, got {}",
            sim.sweep_points
        );
    }
    let on_throttle = match sim.on_throttle {
        OnThrottleArg::Default => ThrottlePolicy::Default,
        OnThrottleArg::Fail => ThrottlePolicy::Fail,
        OnThrottleArg::Spillover => ThrottlePolicy::Spillover,
        OnThrottleArg::Retry => ThrottlePolicy::Retry {
            max_retries: sim.max_retries,
        },
    };
    Ok(PlanSettings {
        on_throttle,
        max_throttle_rate: sim.max_throttle_rate / 100.0,
        max_spill_rate: sim.max_spill_rate.map(|p| p / 100.0),
        sweep_points: sim.sweep_points,
        size_other_types: false,
        batch_eligible: sim.batch_eligible,
        flex_eligible: sim.flex_eligible,
        reserve: match sim.reserve {
            ReserveArg::Deployed => ReservePolicy::Deployed,
            ReserveArg::Ptus(n) => ReservePolicy::Fixed(n),
        },
        reserve_term: match sim.reserve_term {
            ReserveTermArg::OneMonth => Billing::Reserved1Month,
            ReserveTermArg::OneYear => Billing::Reserved1Year,
        },
        constraints: Default::default(),
        quota: ensure_quota(sim)?,
        decision: crate::plan::DecisionRules {
            min_saving: sim.min_saving / 100.0,
            min_span_days: sim.min_span_days,
        },
    })
}

/// `--quota-tier`, `--quota-tpm`, `--quota-file`, `--standard-rpm-window-s` and
/// `--min-tokens-per-s`. A file's `tier:` and `--quota-tier` must agree; a model and type given
/// twice (by the flag and the file, or twice in one) is an error. Model names are checked
/// against the catalog by [`planning_catalog`].
fn ensure_quota(sim: &SimArgs) -> Result<crate::plan::quota::QuotaSettings> {
    use crate::plan::quota::{NegotiatedQuota, QuotaSettings};
    let mut tier = sim.quota_tier;
    let mut negotiated: Vec<NegotiatedQuota> = sim
        .quota_tpm
        .iter()
        .map(|q| NegotiatedQuota {
            model: q.model.clone(),
            deployment_type: q.deployment_type,
            tpm: q.tpm,
            rpm: None,
            origin: "--quota-tpm".to_owned(),
        })
        .collect();
    if let Some(path) = &sim.quota_file {
        let text = std::fs::read_to_string(path).map_err(|source| {
            crate::catalog::standard::QuotaFileError::Read {
                path: path.clone(),
                source,
            }
        })?;
        let (file, lines) = crate::catalog::standard::QuotaFile::parse(path, &text)?;
        match (tier, file.tier) {
            (Some(a), Some(b)) if a != b => bail!(
                "--quota-tier {} conflicts with `tier: {}` in {}; give one",
                a.as_str(),
                b.as_str(),
                path.display()
            ),
            (None, Some(b)) => tier = Some(b),
            _ => {}
        }
        for (q, line) in file.quotas.iter().zip(lines) {
            let origin = match &q.source {
                Some(s) => format!("{}:{line}, {s}", path.display()),
                None => format!("{}:{line}", path.display()),
            };
            negotiated.push(NegotiatedQuota {
                model: q.model.trim().to_owned(),
                deployment_type: q.deployment_type,
                tpm: q.tpm,
                rpm: q.rpm,
                origin,
            });
        }
    }
    for (i, a) in negotiated.iter().enumerate() {
        if let Some(b) = negotiated[..i].iter().find(|b| {
            b.model.eq_ignore_ascii_case(&a.model) && b.deployment_type == a.deployment_type
        }) {
            return Err(UsageError(format!(
                "quota for {}{} given twice ({} and {})",
                a.model,
                a.deployment_type
                    .map(|t| format!("/{t}"))
                    .unwrap_or_default(),
                b.origin,
                a.origin
            ))
            .into());
        }
    }
    Ok(QuotaSettings {
        tier,
        negotiated,
        rpm_window_s: sim.standard_rpm_window_s,
        min_tokens_per_s: sim.min_tokens_per_s,
    })
}

/// `--generated-at`, else `SOURCE_DATE_EPOCH` (Unix seconds), else none.
fn resolve_generated_at(flag: Option<&str>) -> Result<Option<String>> {
    if let Some(text) = flag {
        let dt = chrono::DateTime::parse_from_rfc3339(text)
            .with_context(|| format!("--generated-at `{text}` is not RFC 3339"))?;
        return Ok(Some(
            dt.to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ));
    }
    Ok(source_date_epoch()?.map(|dt| dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}
