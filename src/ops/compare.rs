//! `compare`'s pipeline: read the logs (counting records for progress), fan them out to the
//! scenarios' lanes, replay, size, decide and assemble the [`Report`].

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

use super::replay::{plan_replay, sort_plans, with_log_evidence};
use super::scenarios as whatif;
use crate::catalog::Catalog;
use crate::cleanup::TempArea;
use crate::plan;
use crate::plan::WorkloadPlan;
use crate::progress::{Progress, PROGRESS_EVERY};
use crate::report::{
    self, Assumptions, CatalogInfo, DecisionSummary, InputInfo, Report, Summary, SCHEMA_VERSION,
};
use crate::scenario::lane::{Fanout, LaneSink};
use crate::settings::{planning_catalog, CompareSettings};
use crate::sim::{self, EventSpool, Replay};
use crate::text::fmt_time_ms;
use crate::usage::{self, RecordSink, SinkError, WorkloadRegistry};

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

/// Read, replay, simulate and plan: the report every output format renders, calling
/// `progress` (from any reading thread) as records are read and stages change, and with the
/// `--timings` lines and the notes the caller prints.
///
/// `catalog` is the base catalog (built in or `--catalog`, with `--prices`); the settings'
/// `--overrides` and `--residency` are applied here.
pub fn build_report_with_progress(
    settings: &CompareSettings,
    catalog: &Catalog,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report> {
    let list_catalog = catalog;
    let (catalog, overrides_applied) = planning_catalog(settings, catalog)?;
    let catalog = &catalog;
    let registry = WorkloadRegistry::new(
        catalog,
        settings.model_map.clone(),
        settings.default_region.clone(),
    )
    .with_max_workloads(settings.max_workloads);
    // Spilled runs go to a directory of this run, removed on any exit (see `cleanup`).
    let temp = TempArea::new().context("creating a temp directory for the replay spool")?;
    let scenarios = whatif::scenarios_of(&settings.whatif, catalog, progress)?;
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
    let (
        keys,
        sim::Finished {
            summary, events, ..
        },
    ) = super::finish_read(
        &registry,
        fanout.baseline.into_inner(),
        settings.skip_invalid,
        &mut read,
    )?;
    let coverage = whatif::check_coverage(&scenarios, &keys)?;
    let settings = &with_log_evidence(settings, &keys, &summary, read.granularity)?;
    let read_s = started.elapsed().as_secs_f64();
    progress(Progress::Simulating);
    let (planned, sized) = plan_replay(
        catalog,
        &keys,
        &summary,
        &events,
        settings,
        super::replay::LaneTerms::default(),
        progress,
    )?;
    let mut plans: Vec<WorkloadPlan> = planned.into_iter().map(|(_, p)| p).collect();
    sort_plans(&mut plans);
    let sim_s = started.elapsed().as_secs_f64() - read_s;
    progress(Progress::Planning);
    if settings.timings {
        progress(Progress::Timing(format!(
            "timings: read {:.2} s ({} records, {} spilled runs), simulate {:.2} s ({} PTU deployments in {} passes, {} searches), plan {:.2} s",
            read_s,
            read.records,
            events.spilled_runs(),
            sim_s,
            sized.simulated,
            sized.passes,
            sized.searches,
            started.elapsed().as_secs_f64() - read_s - sim_s
        )));
    }
    let scenarios_started = std::time::Instant::now();
    let planned_lanes = whatif::plan_lanes(settings, catalog, &summary, fanout.lanes, progress)?;
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
        progress(Progress::Timing(format!(
            "timings: scenarios {:.2} s ({} scenarios, {} lanes)",
            scenarios_started.elapsed().as_secs_f64(),
            scenario_reports.len(),
            lanes.len()
        )));
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
                warnings.push(crate::report::text::retirement_warning_text(&w));
            }
        }
    }
    warnings.extend(
        plan::options::evidence_gaps(catalog, &settings.plan.constraints)
            .iter()
            .map(crate::report::text::evidence_gap_text),
    );
    warnings.extend(case_only_differences(
        plans
            .iter()
            .map(|p| (p.deployment.as_str(), p.model.as_str(), p.region.as_str())),
    ));
    for o in &overrides_applied {
        if let Some(model) = o
            .model
            .as_deref()
            .filter(|m| plans.iter().all(|p| p.model != *m))
        {
            warnings.push(format!(
                "{}: the {} override for {model} changes no workload of the log (none runs {model}); it applies only where a scenario moves a workload to {model}",
                o.at, o.kind
            ));
        }
    }
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
    if let Some(as_of) = catalog.in_force_on {
        for p in plans
            .iter()
            .filter(|p| p.requests > 0 && unpriced_per_token(p))
        {
            warnings.push(format!(
                "{}: no per-token price of {} is in force on {as_of} (the run's --as-of), so none of its per-token options is priced or weighed against its PTU options; if that date is before the model's release or its first price, use a later --as-of",
                p.deployment, p.model
            ));
        }
    }
    for p in plans
        .iter()
        .filter(|p| p.requests == 0 && p.failed_requests > 0)
    {
        warnings.push(format!(
            "{}: all {} of its logged requests failed (no 2xx status), so nothing of it is priced or sized: its 0.00 USD/mo is what the log shows served, not what the traffic needs (failed requests carry no served tokens to size from)",
            p.deployment,
            p.failed_requests
        ));
    }
    warnings.extend(before_azure_openai(summary.first_ms));
    warnings.extend(after_now(summary.last_ms, crate::settings::today()?));
    warnings.extend(coverage);
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
    let replaced = scenario_reports
        .iter()
        .any(|s| s.name == crate::scenario::retire::RETIREMENT_SCENARIO);
    warnings.extend(projection.stops.iter().map(|s| {
        let retires = format!(
            "{} retires{}",
            s.model,
            s.retirement.map(|d| format!(" on {d}")).unwrap_or_default()
        );
        if s.by_plan {
            // The reservation plan leaves a retiring member by design: its replacement may
            // well be decided, just not carried by this plan.
            return format!(
                "{}: the projected charges (FOCUS) of scenario `{}` stop at month {}: {retires}, and its reservation plan does not carry a replacement{}",
                s.deployment,
                projection.scenario,
                s.from_month,
                if replaced {
                    " (scenario `retirement` prices one; --focus-scenario baseline projects the log followed by it)"
                } else {
                    ""
                }
            );
        }
        format!(
            "{}: the projected charges (FOCUS) stop at month {}: {retires} and no decided plan of a replacement follows it{}",
            s.deployment,
            s.from_month,
            s.reservation_until_month
                .map(|m| format!("; its 1-year reservation is still charged, unused, to month {m}"))
                .unwrap_or_default()
        )
    }));
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
            start: fmt_time_ms(summary.first_ms),
            end: fmt_time_ms(summary.last_ms),
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

/// A warning per group of deployment names that differ only in letter case (`Chat-Prod` and
/// `chat-prod`) on the same model and region: read as they are written, they are separate
/// workloads, each sized on its own share of the traffic, which is wrong if they are one
/// deployment spelled two ways. A different model or region is a different deployment. At
/// most [`CASE_WARNINGS`] groups are named, then their count.
fn case_only_differences<'a>(
    workloads: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Vec<String> {
    let mut spellings: std::collections::BTreeMap<
        (String, &str, &str),
        std::collections::BTreeSet<&str>,
    > = std::collections::BTreeMap::new();
    for (deployment, model, region) in workloads {
        spellings
            .entry((deployment.to_lowercase(), model, region))
            .or_default()
            .insert(deployment);
    }
    let groups: Vec<_> = spellings
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .collect();
    let mut out: Vec<String> = groups
        .iter()
        .take(CASE_WARNINGS)
        .map(|((_, model, region), names)| {
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "deployments {} ({model} in {region}) differ only in letter case: they are planned as {} separate workloads, each sized on its own share of the traffic; if they are one deployment written two ways, make the log's names agree",
                listed.join(" and "),
                names.len()
            )
        })
        .collect();
    if groups.len() > CASE_WARNINGS {
        out.push(format!(
            "{} more groups of deployment names differ only in letter case (the first {CASE_WARNINGS} are named above)",
            groups.len() - CASE_WARNINGS
        ));
    }
    out
}

/// Groups of case-only deployment name differences named one by one.
const CASE_WARNINGS: usize = 5;

/// Whether no per-token option of `p` is priced and at least one lacks a price in force (the
/// run's date comes before the model's per-token prices).
/// A log that starts before Azure OpenAI existed (its preview opened in November 2021) was
/// almost surely misread: a column of small numbers taken for epoch times (`--columns
/// timestamp=latency_ms`), or seconds read where milliseconds were meant. The times set the
/// minutes, the windows and the span, so it is said.
fn before_azure_openai(first_ms: i64) -> Option<String> {
    const FIRST_DAY_MS: i64 = 1_609_459_200_000; // 2021-01-01T00:00:00Z
    (first_ms < FIRST_DAY_MS).then(|| {
        format!(
            "the log starts at {}, before Azure OpenAI existed (2021): check that its timestamp column holds the request times (a column of small numbers read as epoch seconds gives 1970); every minute, window and the span are set by them",
            crate::text::fmt_time_ms(first_ms)
        )
    })
}

/// A log that ends after today (by more than a day, for clocks and zones that disagree)
/// records requests that have not happened: a misread time column (milliseconds read as
/// microseconds, a year typed wrong) or a generated log. It is said, since the lifecycle, the
/// horizon and the forecast all count from the log's dates. Today is `SOURCE_DATE_EPOCH`'s
/// date where it is set, so reproducible runs stay byte for byte the same.
fn after_now(last_ms: i64, today: chrono::NaiveDate) -> Option<String> {
    let last = chrono::DateTime::from_timestamp_millis(last_ms)?.date_naive();
    (last > today + chrono::Days::new(1)).then(|| {
        format!(
            "the log ends at {}, after today ({today}): check that its timestamp column holds the request times; lifecycles, the horizon and the forecast count from them",
            crate::text::fmt_time_ms(last_ms)
        )
    })
}

fn unpriced_per_token(p: &WorkloadPlan) -> bool {
    let per_token: Vec<&plan::OptionPlan> = p
        .options
        .iter()
        .filter(|o| o.billing == plan::Billing::PerToken)
        .collect();
    let not_priced = |o: &&plan::OptionPlan| {
        o.reason.iter().any(|r| {
            matches!(
                r,
                plan::remark::OptionReason::Unavailable(
                    plan::remark::Unavailable::NotPriced { .. }
                )
            )
        })
    };
    per_token.iter().all(|o| o.monthly_cost_usd.is_none()) && per_token.iter().any(not_priced)
}
