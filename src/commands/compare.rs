//! `ptuplan compare`: read the logs, replay them, simulate the PTU sweep, plan, render.

use std::io::Write;

use anyhow::{Context, Result};

use crate::app::{catalog_from, planning_catalog, CompareSettings, Outcome};
use crate::catalog::Catalog;
use crate::plan;
use crate::report::{self, Assumptions, CatalogInfo, InputInfo, Report, Summary, SCHEMA_VERSION};
use crate::sim::replay::fmt_ms;
use crate::sim::{self, Replay, WorkloadRegistry};
use crate::usage::{self, ReadOptions};

/// Run `compare`.
pub fn run(settings: &CompareSettings) -> Result<Outcome> {
    let catalog = catalog_from(&settings.catalog)?;
    let report = build_report(settings, &catalog)?;
    let mut out = report::open_output(settings.out.as_deref())?;
    report::render(&report, settings.format, &mut out).context("writing the report")?;
    out.flush().context("writing the report")?;
    Ok(Outcome::Ok)
}

/// Read, replay, simulate and plan: the report every output format renders.
///
/// `catalog` is the base catalog (built in or `--catalog`, with `--prices`); the settings'
/// `--overrides` and `--residency` are applied here.
pub fn build_report(settings: &CompareSettings, catalog: &Catalog) -> Result<Report> {
    let (catalog, overrides_applied) = planning_catalog(settings, catalog)?;
    let catalog = &catalog;
    if settings.using_bundled_sample && !settings.quiet {
        eprintln!(
            "note: no LOG given; replaying the bundled 30-day sample ({}). Pass your own log to plan for it.",
            settings.inputs[0].source.name()
        );
    }
    let registry = WorkloadRegistry::new(
        catalog,
        settings.model_map.clone(),
        settings.default_region.clone(),
    );
    let mut replay = Replay::default();
    let options = ReadOptions {
        skip_invalid: settings.skip_invalid,
        threads: settings.threads,
        parallel_min_bytes: settings.parallel_min_bytes,
    };
    let started = std::time::Instant::now();
    let read = usage::read_usage(&settings.inputs, &options, &registry, &mut replay)
        .context("reading usage logs")?;
    let keys = registry.keys();
    let (summary, events) = replay.finish();
    let read_s = started.elapsed().as_secs_f64();
    let prepared = plan::prepare(catalog, &keys, &summary, &settings.plan);
    let outcomes = sim::simulate(
        &events,
        &prepared.targets,
        &settings.sim,
        settings.threads,
        summary.first_minute(),
        summary.last_minute(),
    )
    .context("simulating PTU admission")?;
    let sim_s = started.elapsed().as_secs_f64() - read_s;
    let mut plans = plan::finish(
        catalog,
        &keys,
        &summary,
        &prepared,
        &outcomes,
        &settings.plan,
    );
    // Workload ids depend on reading order (threads); the report's order must not.
    plans.sort_by(|a, b| {
        (&a.deployment, &a.model, &a.region).cmp(&(&b.deployment, &b.model, &b.region))
    });
    if settings.timings {
        eprintln!(
            "timings: read {:.2} s ({} records, {} spilled runs), simulate {:.2} s ({} PTU deployments), plan {:.2} s",
            read_s,
            read.records,
            events.spilled_runs(),
            sim_s,
            prepared.targets.len(),
            started.elapsed().as_secs_f64() - read_s - sim_s
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
    let report = Report {
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
        },
        catalog: CatalogInfo::from_catalog(catalog),
        assumptions: Assumptions {
            hours_per_month: plan::HOURS_PER_MONTH,
            sim: settings.sim,
            plan: settings.plan.clone(),
        },
        summary: Summary::from_plans(&plans),
        reservations: plan::reserve::pools(
            catalog,
            &plans,
            summary.span_hours(),
            settings.plan.reserve_term,
            settings.plan.reserve,
        ),
        workloads: plans,
        warnings,
        overrides_applied,
        currency: settings.overrides.as_ref().and_then(|o| o.currency.clone()),
    };
    Ok(report)
}
