//! The baseline's replay planned: every workload's options sized from one set of simulation
//! passes (exact search, the band's windows), with the log's evidence of availability.

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::plan;
use crate::plan::WorkloadPlan;
use crate::progress::Progress;
use crate::settings::{CompareSettings, UsageError};
use crate::sim::{self, ReplaySummary, SortedEvents};
use crate::usage::WorkloadKey;

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
pub(crate) fn with_log_evidence(
    settings: &CompareSettings,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    granularity: crate::usage::Granularity,
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
    settings.plan.log_granularity = granularity;
    settings.plan.constraints.evidence = plan::evidence::LogEvidence::new(
        served_by,
        keys.iter()
            .zip(&summary.workloads)
            .map(|(k, w)| (k, w.totals.requests)),
    );
    Ok(settings)
}

/// What a scenario's replay plans differently from the log's (the default: nothing).
#[derive(Debug, Default)]
pub struct LaneTerms<'a> {
    /// `batch_only[w]`, when given, holds the reason workload `w` may only use Batch (a
    /// scenario's Batch share); those are planned without searches.
    pub batch_only: &'a [Option<String>],
    /// Replaces the usage-tier tenant the replay's workloads add up to (a ladder's months are
    /// one tenant each, not together).
    pub tenant_tokens_per_month: Option<std::collections::BTreeMap<String, f64>>,
}

/// Size and plan one replay (the baseline's or a scenario's): the exact search over its
/// events, then one plan per workload, as `(workload id, plan)` in id order. `--timings`
/// lines go to `progress`.
pub fn plan_replay(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    events: &SortedEvents,
    settings: &CompareSettings,
    terms: LaneTerms<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<(usize, WorkloadPlan)>, Sized)> {
    let LaneTerms {
        batch_only,
        tenant_tokens_per_month,
    } = terms;
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
            progress(Progress::Timing(if pruning.is_enabled() {
                format!(
                    "{}, {:.0}% of arrivals x deployments skipped as quiet",
                    pass_timing(targets, seconds),
                    100.0 * skipped as f64 / (skipped + replayed).max(1) as f64
                )
            } else {
                pass_timing(targets, seconds)
            }));
        }
        Ok::<_, sim::admission::AdmissionError>(outcomes)
    })
    .context("simulating PTU admission")?;
    if settings.timings && pruning.is_enabled() {
        let (skipped, replayed) = (pruning.skipped_lane_events, pruning.replayed_lane_events);
        progress(Progress::Timing(format!(
            "timings:   pruning: {:.1}% of arrivals x deployments skipped as quiet ({} of {}), memory {:.1} MiB",
            100.0 * skipped as f64 / (skipped + replayed).max(1) as f64,
            skipped,
            skipped + replayed,
            pruning.bytes() as f64 / (1 << 20) as f64
        )));
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
            plan::finish_one(catalog, keys, summary, &prepared, &settings, w).map(|p| (w, p)),
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
