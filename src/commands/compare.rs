//! `ptuplan compare`: read the logs, replay them, simulate the PTU sweep, plan, render.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use super::outcome::Outcome;
use crate::catalog::Catalog;
use crate::cleanup::TempArea;
use crate::commands::whatif;
use crate::plan;
use crate::plan::WorkloadPlan;
use crate::progress::{Progress, Spinner, PROGRESS_EVERY};
use crate::report::diff::settings::{self, settings_of_value, RunSettings};
use crate::report::diff::{diff_reports, parse_report, ReportDiff, ReportView};
use crate::report::escape::terminal;
use crate::report::gate::{self, Verdict};
use crate::report::layout::Terminal;
use crate::report::{
    self, Assumptions, CatalogInfo, DecisionSummary, Extras, InputInfo, Report, Summary,
    SCHEMA_VERSION,
};
use crate::scenario::lane::{Fanout, LaneSink};
use crate::settings::{
    catalog_from, ensure_output_spares_inputs, planning_catalog, CompareSettings, GateSettings,
    UsageError,
};
use crate::sim::replay::fmt_ms;
use crate::sim::{self, EventSpool, Replay, ReplaySummary, SortedEvents};
use crate::usage::{self, RecordSink, SinkError, WorkloadKey, WorkloadRegistry};

/// Run `compare`.
pub fn run(settings: &CompareSettings, gates: &GateSettings) -> Result<Outcome> {
    let inputs = settings.input_files(gates.baseline.as_deref());
    ensure_output_spares_inputs(&inputs, settings.out.as_deref())?;
    let catalog = catalog_from(&settings.catalog)?;
    announce_notes(&gates.notes, settings.quiet);
    let baseline = load_baseline(gates)?;
    let report = build_report_with_spinner(settings, &catalog)?;
    announce_readers(&report, settings.quiet);
    let diff = baseline.map(|b| diff_against(gates, &b, &report));
    let verdicts = evaluate_gates(gates, &report, diff.as_ref())?;
    let to_file = settings.out.as_deref().is_some_and(|p| p != Path::new("-"));
    let extras = Extras {
        diff: diff.as_ref(),
        verdicts: &verdicts,
        mention_files: false,
        terminal: Terminal::for_stdout(to_file),
        details: settings.details,
        charts_note: None,
    };
    let mut out = report::open_output(settings.out.as_deref(), &inputs)?;
    report::render_with(&report, settings.format, &extras, &mut out)
        .context("writing the report")?;
    out.flush().context("writing the report")?;
    // The table prints the short-span note under its summary already.
    let shown_in_table = report
        .input
        .projection_note
        .as_ref()
        .filter(|_| settings.format == report::Format::Table);
    let warnings: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| Some(*w) != shown_in_table)
        .cloned()
        .collect();
    announce_warnings(&warnings, settings.quiet);
    if let Some(w) = diff
        .as_ref()
        .and_then(|d| settings::warning(&d.settings_changes))
    {
        announce_warnings(&[format!("--baseline: {w}")], settings.quiet);
    }
    Ok(announce_verdicts(&verdicts, settings.quiet))
}

/// Print the report's warnings on stderr (every format; `--quiet` silences them), `warning:`
/// in yellow when stderr is a colour terminal.
pub fn announce_warnings(warnings: &[String], quiet: bool) {
    if quiet {
        return;
    }
    let colour = Terminal::stderr_colour();
    for w in warnings {
        eprintln!("{}: {}", label("warning", colour), terminal(w));
    }
}

/// Say on stderr how each input was read: the reader, how it was chosen and the columns it
/// mapped (unless `--quiet`; the JSON's `input.readers` has the same).
pub fn announce_readers(report: &Report, quiet: bool) {
    let lines: Vec<String> = report
        .input
        .readers
        .iter()
        .map(usage::InputRead::describe)
        .collect();
    announce_notes(&lines, quiet);
}

/// Print notes on stderr (unless `--quiet`).
pub fn announce_notes(notes: &[String], quiet: bool) {
    if quiet {
        return;
    }
    let colour = Terminal::stderr_colour();
    for n in notes {
        eprintln!("{}: {}", label("note", colour), terminal(n));
    }
}

/// `warning` / `note`, coloured (ANSI yellow, bold) when `colour`.
pub fn label(word: &str, colour: bool) -> String {
    if colour {
        format!("\u{1b}[1;33m{word}\u{1b}[0m")
    } else {
        word.to_owned()
    }
}

/// The replay, counting records for progress; forks (one per reading thread) share the count.
struct Counted<'a> {
    replay: Replay<'a>,
    unreported: u64,
    seen: &'a AtomicU64,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl<'a> Counted<'a> {
    fn into_inner(self) -> Replay<'a> {
        self.replay
    }
}

impl RecordSink for Counted<'_> {
    fn take(&mut self, record: usage::UsageRecord) -> Result<(), SinkError> {
        self.take_at(record, "", 0)
    }

    fn take_at(
        &mut self,
        record: usage::UsageRecord,
        path: &str,
        line: u64,
    ) -> Result<(), SinkError> {
        self.replay.take_at(record, path, line)?;
        self.unreported += 1;
        if self.unreported == PROGRESS_EVERY {
            let total = self.seen.fetch_add(self.unreported, Ordering::Relaxed) + self.unreported;
            self.unreported = 0;
            (self.progress)(Progress::Records(total));
        }
        Ok(())
    }

    fn cover(&mut self, start_ms: i64, end_ms: i64) {
        self.replay.cover(start_ms, end_ms);
    }

    fn fork(&self) -> Self {
        Counted {
            replay: self.replay.fork(),
            unreported: 0,
            seen: self.seen,
            progress: self.progress,
        }
    }

    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.replay.join(later.replay)
    }
}

/// [`build_report`] with a spinner on stderr (hidden with `--quiet` or when stderr is not a
/// terminal, and shown only for runs longer than about a second).
pub fn build_report_with_spinner(settings: &CompareSettings, catalog: &Catalog) -> Result<Report> {
    let spinner = Spinner::start(settings.quiet);
    let result = build_report_with_progress(settings, catalog, &|p| spinner.update(p));
    spinner.finish();
    result
}

/// Read the `--baseline` report, if any, before the (possibly long) run.
pub fn load_baseline(gates: &GateSettings) -> Result<Option<(ReportView, RunSettings)>> {
    let Some(path) = &gates.baseline else {
        return Ok(None);
    };
    read_report(path).map(Some)
}

/// Read and parse a report JSON file; errors name the file.
pub fn read_report_file(path: &Path) -> Result<ReportView> {
    read_report(path).map(|(view, _)| view)
}

/// Read and parse a report JSON file with the settings it was made with; errors name the file.
pub fn read_report(path: &Path) -> Result<(ReportView, RunSettings)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report {}", path.display()))?;
    let view = parse_report(&path.display().to_string(), &text)?;
    // parse_report checked the text is JSON.
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Ok((view, settings_of_value(&value)))
}

fn b_name(gates: &GateSettings) -> String {
    gates
        .baseline
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string())
}

/// The diff of this run's report against the baseline, named after the baseline file, with
/// the settings that differ.
pub fn diff_against(
    gates: &GateSettings,
    (base, base_settings): &(ReportView, RunSettings),
    report: &Report,
) -> ReportDiff {
    let mut d = diff_reports(base, &ReportView::from(report), &b_name(gates), "this run");
    d.settings_changes = settings::changes(base_settings, &settings::settings_of(report));
    d
}

/// Evaluate the `--fail-on` rules.
pub fn evaluate_gates(
    gates: &GateSettings,
    report: &Report,
    diff: Option<&ReportDiff>,
) -> Result<Vec<Verdict>> {
    Ok(gate::evaluate(
        &gates.rules,
        report,
        diff,
        gates.allow_partial_plan,
    )?)
}

/// Print breached rules (always) and passed ones (unless quiet) on stderr; the outcome.
pub fn announce_verdicts(verdicts: &[Verdict], quiet: bool) -> Outcome {
    let mut breached = false;
    for v in verdicts {
        if v.breached {
            breached = true;
            eprintln!("budget rule {}", terminal(&v.message()));
        } else if !quiet {
            eprintln!("note: budget rule {}", terminal(&v.message()));
        }
    }
    if breached {
        Outcome::BudgetBreached
    } else {
        Outcome::Ok
    }
}

/// Read, replay, simulate and plan: the report every output format renders.
///
/// `catalog` is the base catalog (built in or `--catalog`, with `--prices`); the settings'
/// `--overrides` and `--residency` are applied here.
pub fn build_report(settings: &CompareSettings, catalog: &Catalog) -> Result<Report> {
    build_report_with_progress(settings, catalog, &|_| {})
}

/// [`build_report`], calling `progress` (from any reading thread) as records are read and
/// stages change.
pub fn build_report_with_progress(
    settings: &CompareSettings,
    catalog: &Catalog,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report> {
    let list_catalog = catalog;
    let (catalog, overrides_applied) = planning_catalog(settings, catalog)?;
    let catalog = &catalog;
    // Not silenced by --quiet: a plan of made-up traffic must never pass for the user's own.
    if settings.using_bundled_sample {
        let source = settings.inputs[0].source.name();
        let name = terminal(&source);
        if settings.sample_requested {
            eprintln!(
                "note: --sample: replaying the bundled 30-day sample ({name}), not your traffic."
            );
        } else {
            eprintln!("note: no LOG given; replaying the bundled 30-day sample ({name}), not your traffic. Pass your own log to plan for it.");
        }
    }
    let registry = WorkloadRegistry::new(
        catalog,
        settings.model_map.clone(),
        settings.default_region.clone(),
    );
    // Spilled runs go to a directory of this run, removed on any exit (see `cleanup`).
    let temp = TempArea::new().context("creating a temp directory for the replay spool")?;
    let scenarios = whatif::scenarios_of(&settings.whatif, catalog)?;
    whatif::ensure_focus_scenario(&settings.whatif, &scenarios)?;
    let budget = crate::scenario::lane::ScenarioBudget::new(
        settings.whatif.max_traffic_factor,
        settings.whatif.max_scenario_requests,
    );
    let lanes = whatif::lanes_for(&scenarios, &settings.whatif, catalog, &registry, &budget);
    let seen = AtomicU64::new(0);
    let accounting = sim::CatalogAccounting {
        registry: &registry,
        catalog,
    };
    let mut fanout = Fanout {
        baseline: Counted {
            replay: Replay::with_spool(
                &accounting,
                EventSpool::in_dir(temp.path(), settings.spool_chunk_events),
            )
            .estimating(settings.sim.missing_max_tokens),
            unreported: 0,
            seen: &seen,
            progress,
        },
        lanes: lanes
            .iter()
            .map(|lane| {
                LaneSink::with_spool(
                    lane,
                    EventSpool::in_dir(temp.path(), settings.spool_chunk_events),
                )
                .estimating(settings.sim.missing_max_tokens)
            })
            .collect(),
    };
    let options = settings.read_options();
    let started = std::time::Instant::now();
    let mut read = usage::read_usage(&settings.inputs, &options, &registry, &mut fanout)
        .context("reading usage logs")?;
    progress(Progress::Records(read.records));
    let conflicts = registry.model_map_conflicts();
    if !conflicts.is_empty() {
        return Err(UsageError(conflicts.join("; ")).into());
    }
    let keys = registry.keys();
    let sim::Finished {
        summary,
        events,
        outside_span,
    } = fanout
        .baseline
        .into_inner()
        .finish_checked(settings.skip_invalid)
        .context("reading usage logs")?;
    read.absorb_late_skips(outside_span.rows, outside_span.examples);
    let settings = &with_log_evidence(settings, &keys, &summary)?;
    let read_s = started.elapsed().as_secs_f64();
    progress(Progress::Simulating);
    let (planned, sized) = plan_replay(catalog, &keys, &summary, &events, settings, &[], None)?;
    let mut plans: Vec<WorkloadPlan> = planned.into_iter().map(|(_, p)| p).collect();
    sort_plans(&mut plans);
    let sim_s = started.elapsed().as_secs_f64() - read_s;
    progress(Progress::Planning);
    if settings.timings {
        eprintln!(
            "timings: read {:.2} s ({} records, {} spilled runs), simulate {:.2} s ({} PTU deployments in {} passes, {} searches), plan {:.2} s",
            read_s,
            read.records,
            events.spilled_runs(),
            sim_s,
            sized.simulated,
            sized.passes,
            sized.searches,
            started.elapsed().as_secs_f64() - read_s - sim_s
        );
    }
    let scenarios_started = std::time::Instant::now();
    let planned_lanes = whatif::plan_lanes(settings, catalog, &summary, fanout.lanes)?;
    whatif::decide_retiring(settings, catalog, &summary, &mut plans, &planned_lanes);
    let forecast_settings = plan::forecast::ForecastSettings {
        horizon_months: settings.whatif.horizon_months,
        seed: settings.expand.seed,
        draws: plan::forecast::BOOTSTRAP_DRAWS,
    };
    for p in &mut plans {
        p.forecast = Some(plan::forecast::forecast(
            p,
            &p.daily,
            catalog,
            &forecast_settings,
        ));
    }
    let baseline = whatif::Baseline {
        summary: &summary,
        plans: &plans,
    };
    let (scenario_reports, scenario_warnings) =
        whatif::assemble(settings, catalog, &baseline, planned_lanes)?;
    if settings.timings && !scenario_reports.is_empty() {
        eprintln!(
            "timings: scenarios {:.2} s ({} scenarios, {} lanes)",
            scenarios_started.elapsed().as_secs_f64(),
            scenario_reports.len(),
            lanes.len()
        );
    }
    let failed: u64 = summary
        .workloads
        .iter()
        .map(|w| w.totals.failed_requests)
        .sum();
    let mut warnings = Vec::new();
    if read.skipped > 0 {
        warnings.push(format!(
            "{} invalid row(s) skipped (--skip-invalid); first: {}",
            read.skipped,
            read.skipped_examples.join(" | ")
        ));
    }
    warnings.extend(
        read.notes
            .iter()
            .filter(|n| Some(*n) != usage::sources::granularity_note(read.granularity).as_ref())
            .cloned(),
    );
    if let (Some(as_of), Some(log_end)) = (
        catalog.in_force_on,
        chrono::DateTime::from_timestamp_millis(summary.last_ms).map(|d| d.date_naive()),
    ) {
        for p in &plans {
            if let Some(w) = p.lifecycle.as_ref().and_then(|s| {
                plan::lifecycle::retirement_warning(&p.deployment, &p.model, s, log_end, as_of)
            }) {
                warnings.push(w);
            }
        }
    }
    warnings.extend(plan::options::evidence_gaps(
        catalog,
        &settings.plan.constraints,
    ));
    let mut warned_models = std::collections::BTreeSet::new();
    for p in &plans {
        let u = &p.usage_tier;
        if u.above && warned_models.insert(p.model.clone()) {
            warnings.push(format!(
                "{}: {:.1}B tokens a month across the log's workloads exceed its usage tier of {:.0}B tokens a month; on Standard, Data Zone Standard and Global Standard \"{}\" (S35)",
                p.model,
                u.tenant_tokens_per_month / 1e9,
                u.usage_tier_tokens_per_month.unwrap_or(0) as f64 / 1e9,
                plan::quota::USAGE_TIER_QUOTE
            ));
        }
    }
    for p in &plans {
        if p.requests > 0 && p.requests_without_max_tokens * 10 > p.requests {
            warnings.push(format!(
                "{}: {:.0}% of requests logged no max_completion_tokens; PTU admission charged them {}",
                p.deployment,
                100.0 * p.requests_without_max_tokens as f64 / p.requests as f64,
                match settings.sim.missing_max_tokens {
                    sim::MissingMaxTokens::Actual => "their actual completion size (--missing-max-tokens to change)".to_owned(),
                    sim::MissingMaxTokens::Fixed(n) => format!("{n} tokens"),
                }
            ));
        }
    }
    warnings.extend(scenario_warnings);
    warnings.extend(report::projection_note(summary.span_hours()));
    let projection = whatif::projection(
        settings,
        &plan::projection::Prices {
            list: list_catalog,
            contracted: catalog,
        },
        &summary,
        &plans,
        &scenario_reports,
    )?;
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("ptuplan {}", env!("CARGO_PKG_VERSION")),
        generated_at: settings.generated_at.clone(),
        input: InputInfo {
            files: settings.inputs.iter().map(|i| i.source.name()).collect(),
            records: read.records,
            skipped: read.skipped,
            skipped_examples: read.skipped_examples.clone(),
            failed_requests: failed,
            start: fmt_ms(summary.first_ms),
            end: fmt_ms(summary.last_ms),
            hours: summary.span_hours(),
            granularity: read.granularity,
            granularity_note: usage::sources::granularity_note(read.granularity),
            buckets: read.buckets,
            projection_note: report::projection_note(summary.span_hours()),
            readers: read.inputs.clone(),
            spilled_requests: read.spilled_requests,
        },
        catalog: CatalogInfo::from_catalog(catalog),
        assumptions: Assumptions {
            hours_per_month: plan::HOURS_PER_MONTH,
            sim: settings.sim.clone(),
            plan: settings.plan.clone(),
        },
        summary: Summary::from_plans(&plans),
        decision_summary: DecisionSummary::default(),
        reservations: plan::reserve::pools(
            catalog,
            &plans,
            summary.span_hours(),
            settings.plan.reserve,
        ),
        workloads: plans,
        scenarios: scenario_reports,
        projection,
        warnings,
        overrides_applied,
        currency: settings.overrides.as_ref().and_then(|o| o.currency.clone()),
    };
    report.decision_summary = DecisionSummary::of(&report);
    Ok(report)
}

/// What sizing one replay took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sized {
    /// Simulated PTU deployments.
    pub simulated: usize,
    /// Simulation passes.
    pub passes: u32,
    /// Searches.
    pub searches: usize,
}

/// The settings with the log's evidence of where its models serve
/// ([`plan::evidence`]); a `--served-by DEPLOYMENT=TYPE` naming no deployment of the log is a
/// usage error (it would be ignored in silence).
fn with_log_evidence(
    settings: &CompareSettings,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
) -> Result<CompareSettings> {
    let served_by = &settings.plan.constraints.served_by;
    let logged: Vec<&str> = keys.iter().map(|k| k.deployment.as_str()).collect();
    let unknown = served_by.unknown_deployments(&logged);
    if !unknown.is_empty() {
        return Err(UsageError(format!(
            "--served-by names deployment(s) no row of the log has: {}",
            unknown
                .iter()
                .map(|d| format!("`{}`", d.escape_debug()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let mut settings = settings.clone();
    settings.plan.constraints.evidence = plan::evidence::LogEvidence::new(
        served_by,
        keys.iter()
            .zip(&summary.workloads)
            .map(|(k, w)| (k, w.totals.requests)),
    );
    Ok(settings)
}

/// Size and plan one replay (the baseline's or a scenario's): the exact search over its
/// events, then one plan per workload, as `(workload id, plan)` in id order.
/// `batch_only[w]`, when given, holds the reason workload `w` may only use Batch (a scenario's
/// Batch share); those are planned without searches. `tenant_tokens_per_month` replaces
/// the usage-tier tenant the replay's workloads add up to (a ladder's months are one tenant
/// each, not together).
pub fn plan_replay(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    events: &SortedEvents,
    settings: &CompareSettings,
    batch_only: &[Option<String>],
    tenant_tokens_per_month: Option<std::collections::BTreeMap<String, f64>>,
) -> Result<(Vec<(usize, WorkloadPlan)>, Sized)> {
    let is_batch = |w: usize| batch_only.get(w).is_some_and(Option::is_some);
    let mut prepared = plan::prepare(catalog, keys, summary, &settings.plan, &settings.sim);
    if let Some(t) = tenant_tokens_per_month {
        prepared.tenant_tokens_per_month = t;
    }
    prepared.searches.retain(|s| !is_batch(s.workload));
    let streams = prepared.per_token_streams();
    let span = (summary.first_minute(), summary.last_minute());
    let mut simulated = 0usize;
    // The per-token options' Standard limits and the logged latency are measured in the
    // search's first pass, which reads every workload's events anyway.
    let mut per_token = None;
    // Later passes could replay only what the earlier ones left busy (sim::prune), but on the
    // benchmark logs (30 days, requests every few seconds, 3 to 30 s latencies) only 7 to 9%
    // of arrivals x deployments are skippable and watching for them costs more (CPU 1.07x,
    // docs/benchmarks.md): off until a cheaper watch or a measured gain turns it on.
    let mut pruning = if PRUNE_LATER_PASSES {
        sim::prune::Pruning::new(span, sim::prune::DEFAULT_BUDGET_BYTES)
    } else {
        sim::prune::Pruning::off()
    };
    let passes = plan::size(&mut prepared, &settings.plan, |targets| {
        simulated += targets.len();
        let pass_started = std::time::Instant::now();
        let before = (pruning.skipped_lane_events, pruning.replayed_lane_events);
        let with = per_token
            .is_none()
            .then_some((streams.as_slice(), keys.len()));
        let (outcomes, found) = sim::admission::simulate_pruned(
            events,
            targets,
            with,
            &settings.sim,
            settings.threads,
            span,
            &mut pruning,
        )?;
        if found.is_some() {
            per_token = found;
        }
        if settings.timings {
            let skipped = pruning.skipped_lane_events - before.0;
            let replayed = pruning.replayed_lane_events - before.1;
            let seconds = pass_started.elapsed().as_secs_f64();
            if pruning.is_enabled() {
                eprintln!(
                    "{}, {:.0}% of arrivals x deployments skipped as quiet",
                    pass_timing(targets, seconds),
                    100.0 * skipped as f64 / (skipped + replayed).max(1) as f64
                );
            } else {
                eprintln!("{}", pass_timing(targets, seconds));
            }
        }
        Ok::<_, sim::admission::AdmissionError>(outcomes)
    })
    .context("simulating PTU admission")?;
    if settings.timings && pruning.is_enabled() {
        let (skipped, replayed) = (pruning.skipped_lane_events, pruning.replayed_lane_events);
        eprintln!(
            "timings:   pruning: {:.1}% of arrivals x deployments skipped as quiet ({} of {}), memory {:.1} MiB",
            100.0 * skipped as f64 / (skipped + replayed).max(1) as f64,
            skipped,
            skipped + replayed,
            pruning.bytes() as f64 / (1 << 20) as f64
        );
    }
    let (per_token, logged_latency) = match per_token {
        Some(found) => found,
        // Nothing to size: a pass of its own.
        None => sim::standard::simulate_per_token(events, &streams, keys.len(), settings.threads)
            .context("simulating Standard quotas")?,
    };
    prepared.set_per_token(per_token, logged_latency);
    let mut plans = Vec::with_capacity(keys.len());
    for w in 0..keys.len() {
        let settings = match batch_only.get(w).and_then(Option::as_ref) {
            Some(reason) => {
                let mut batch = settings.plan.clone();
                batch.batch_eligible = true;
                batch.constraints.batch_only = Some(reason.clone());
                std::borrow::Cow::Owned(batch)
            }
            None => std::borrow::Cow::Borrowed(&settings.plan),
        };
        plans.extend(
            plan::finish_where(catalog, keys, summary, &prepared, &settings, |i| i == w)
                .into_iter()
                .map(|p| (w, p)),
        );
    }
    Ok((
        plans,
        Sized {
            simulated,
            passes,
            searches: prepared.searches.len(),
        },
    ))
}

/// Whether later passes skip the stretches earlier passes found quiet ([`sim::prune`]).
const PRUNE_LATER_PASSES: bool = false;

/// One `--timings` line for a simulation pass: its targets, by workload and bucket window.
fn pass_timing(targets: &[sim::admission::SimTarget], seconds: f64) -> String {
    let mut workloads = std::collections::BTreeSet::new();
    let mut windows = std::collections::BTreeMap::<u64, usize>::new();
    for t in targets {
        workloads.insert(t.workload);
        *windows.entry(t.bucket_window_s.to_bits()).or_default() += 1;
    }
    let windows: Vec<String> = windows
        .into_iter()
        .map(|(w, n)| format!("{n} at {} s", f64::from_bits(w)))
        .collect();
    format!(
        "timings:   pass: {} PTU deployments of {} workloads ({}) in {seconds:.2} s",
        targets.len(),
        workloads.len(),
        windows.join(", ")
    )
}

/// Plans in the report's order: by deployment, model and region (workload ids depend on
/// reading order, with several threads; the report's order must not).
pub fn sort_plans(plans: &mut [WorkloadPlan]) {
    plans.sort_by(|a, b| {
        (&a.deployment, &a.model, &a.region).cmp(&(&b.deployment, &b.model, &b.region))
    });
}
