//! The what-if part of `compare` and `report` (not a subcommand of its own): the scenarios of
//! a run (`--scenarios FILE`, the one-scenario flags, the retirement scenario), one
//! [`Lane`] per scenario (and per reservation ladder) for the scenario stage, and, after the
//! one read, each lane's sizing search and plan, assembled into `scenarios[]`.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::plan::ladder::{self, LadderInput, LadderWorkload};
use crate::plan::{self, WorkloadPlan};
use crate::progress::Progress;
use crate::report::scenario::{ScenarioReport, WorkloadOrigin};
use crate::report::Summary;
use crate::scenario::file::{glob_literal, parse_scenarios};
use crate::scenario::lane::{Lane, LaneKey, LaneSink, ScenarioBudget, ADDED_BASE};
use crate::scenario::retire::{retirement_scenario, RETIREMENT_SCENARIO};
use crate::scenario::{
    self, draw, Glob, Migration, Scenario, Selector, Transform, TransformKind, DEFAULT_JITTER_MS,
    DEFAULT_SEED,
};
use crate::settings::{CompareSettings, QuickScenario, UsageError, WhatIfSettings};
use crate::sim::ReplaySummary;
use crate::usage::{RecordSink, WorkloadKey, WorkloadRegistry};

mod adds;
mod names;
mod reservation_plan;

/// The origin of the one-scenario flags' scenario.
const COMMAND_LINE: &str = "command line";

use adds::ensure_room_for_adds;
use names::display_names;
use reservation_plan::ladder_of;

/// The baseline a scenario is compared with.
pub struct Baseline<'a> {
    /// The log's replay summary (its span is every scenario's span).
    pub summary: &'a ReplaySummary,
    /// The log's plans.
    pub plans: &'a [WorkloadPlan],
}

/// The scenarios of a run, checked against the catalog: the file's, then the one-scenario
/// flags', then (unless `--no-auto-scenarios`) the retirement scenario for every catalog model
/// that retires within the horizon (dropped after reading if the log has none of them).
pub fn scenarios_of(
    settings: &WhatIfSettings,
    catalog: &Catalog,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<Scenario>> {
    let mut scenarios = Vec::new();
    if let Some(path) = &settings.file {
        let name = path.display().to_string();
        let text = crate::files::read_settings_text(path)
            .map_err(|source| scenario::ScenarioError::Io {
                path: name.clone(),
                source,
            })
            .with_context(|| format!("reading scenarios {name}"))?;
        let file = parse_scenarios(&name, &text, catalog, settings.horizon_months)
            .with_context(|| format!("reading scenarios {name}"))?;
        for note in file.notes {
            progress(Progress::Note(note));
        }
        scenarios.extend(file.scenarios);
    }
    if let Some(q) = &settings.quick {
        let quick = quick_scenario(q, catalog, settings.horizon_months);
        // The command line's scenario is flag values: a bad one is a usage error (exit 2).
        scenario::validate_all(std::slice::from_ref(&quick), catalog)
            .map_err(|e| UsageError(format!("checking the scenarios: {e}")))?;
        let from = |m: &str| catalog.resolve_model(m).unwrap_or(m).to_owned();
        for (i, (a, to_a)) in q.migrate.iter().enumerate() {
            if let Some((b, to_b)) = q.migrate[..i].iter().find(|(b, _)| from(b) == from(a)) {
                return Err(UsageError(format!(
                    "--migrate {b}={to_b} and --migrate {a}={to_a} move the same model ({}) twice; a workload takes one migration in a scenario (a scenarios file, --scenarios, can hold one scenario for each)",
                    from(a)
                ))
                .into());
            }
        }
        scenarios.push(quick);
    }
    scenario::validate_all(&scenarios, catalog).context("checking the scenarios")?;
    // The automatic scenarios' names are kept from the user's ([`scenario::validate_all`]).
    if settings.forecast_ladder {
        scenarios.push(Scenario {
            name: scenario::FORECAST_SCENARIO.to_owned(),
            origin: "automatic: --horizon-months without --growth-pct".to_owned(),
            seed: DEFAULT_SEED,
            jitter_ms: DEFAULT_JITTER_MS,
            description: Some(
                "the log as is; its reservation plan follows each workload's own forecast"
                    .to_owned(),
            ),
            transforms: Vec::new(),
        });
    }
    if settings.auto_scenarios {
        if let Some(as_of) = catalog.in_force_on {
            let models: Vec<String> = catalog.models.keys().cloned().collect();
            if let (Some(s), _) =
                retirement_scenario(catalog, &models, as_of, settings.horizon_months)
            {
                scenarios.push(s);
            }
        }
    }
    Ok(scenarios)
}

/// The one-scenario flags as a scenario (`at` names the flag).
fn quick_scenario(q: &QuickScenario, catalog: &Catalog, horizon_months: u32) -> Scenario {
    let glob = |g: &Option<String>| {
        g.as_deref()
            .and_then(|g| Glob::parse(g).ok())
            .unwrap_or_else(Glob::any)
    };
    let model_glob = match q.select.model.as_deref() {
        Some(m) if !m.contains(['*', '?', '[']) => catalog
            .resolve_model(m)
            .and_then(|id| Glob::parse(&glob_literal(id)).ok())
            .unwrap_or_else(|| glob(&q.select.model)),
        _ => glob(&q.select.model),
    };
    let select = Selector {
        deployment: glob(&q.select.deployment),
        model: model_glob,
        region: glob(
            &q.select
                .region
                .as_deref()
                .map(crate::usage::workload::arm_region_name),
        ),
    };
    let resolve = |name: &str| {
        catalog
            .resolve_model(name)
            .map_or_else(|| name.to_owned(), str::to_owned)
    };
    let mut transforms = Vec::new();
    for (from, to) in &q.migrate {
        let from = resolve(from);
        let select = Selector {
            model: Glob::parse(&glob_literal(&from)).unwrap_or_else(|_| Glob::any()),
            ..select.clone()
        };
        let kind = TransformKind::Migrate(Migration {
            to: resolve(to),
            prompt_factor: q.factors.prompt,
            output_factor: q.factors.output,
            reasoning_factor: q.factors.reasoning,
            from,
        });
        transforms.push(Transform::new(kind, select, "--migrate"));
    }
    let mut push = |kind: TransformKind, flag: &str| {
        transforms.push(Transform::new(kind, select.clone(), flag));
    };
    if let Some(factor) = q.scale {
        push(TransformKind::Scale { factor }, "--scale");
    }
    if let Some(percent_per_month) = q.growth_percent {
        push(
            TransformKind::Growth {
                percent_per_month,
                months: horizon_months,
            },
            "--growth-pct",
        );
    }
    if let Some(percent) = q.cache_rate_percent {
        push(TransformKind::CacheRate { percent }, "--cache-rate-pct");
    }
    if let Some(factor) = q.reasoning {
        push(TransformKind::Reasoning { factor }, "--reasoning");
    }
    if let Some(percent) = q.batch_shift_percent {
        push(TransformKind::BatchShift { percent }, "--batch-shift-pct");
    }
    if let Some(region) = &q.move_region {
        push(
            TransformKind::Region {
                to: crate::usage::workload::arm_region_name(region),
            },
            "--move-region",
        );
    }
    Scenario {
        name: q.name.clone(),
        origin: COMMAND_LINE.to_owned(),
        seed: DEFAULT_SEED,
        jitter_ms: DEFAULT_JITTER_MS,
        description: None,
        transforms,
    }
}

/// The months a ladder of `horizon` months simulates: `points` months spread evenly, the last
/// one the horizon (every month when `points >= horizon`).
pub fn ladder_levels(horizon: u32, points: u32) -> Vec<u32> {
    let n = points.clamp(1, horizon.max(1));
    let mut levels: Vec<u32> = (1..=n)
        .map(|i| ((u64::from(horizon) * u64::from(i)).div_ceil(u64::from(n))) as u32)
        .collect();
    levels.dedup();
    levels
}

/// Whether `s` is the forecast's scenario (its ladder's levels are traffic factors).
pub fn is_forecast(s: &Scenario) -> bool {
    s.name == scenario::FORECAST_SCENARIO
        && s.origin.starts_with("automatic")
        && s.transforms.is_empty()
}

/// The months a scenario's ladder simulates: [`ladder_levels`], and month 1 too when some
/// growth is negative (a shrinking month's busier neighbour is the month before it).
pub fn ladder_months(s: &Scenario, horizon: u32, points: u32) -> Vec<u32> {
    let mut levels = ladder_levels(horizon, points);
    let shrinks = s.transforms.iter().any(|t| {
        matches!(t.kind, TransformKind::Growth { percent_per_month, .. } if percent_per_month < 0.0)
    });
    if shrinks && levels.first() != Some(&1) {
        levels.insert(0, 1);
    }
    levels
}

/// One lane per scenario, plus a ladder lane for each scenario with growth (and the
/// forecast's); in order, the ladder right after its scenario.
pub fn lanes_for<'a>(
    scenarios: &'a [Scenario],
    settings: &WhatIfSettings,
    catalog: &'a Catalog,
    registry: &'a WorkloadRegistry<'a>,
    budget: &'a ScenarioBudget,
) -> Vec<Lane<'a>> {
    let mut lanes = Vec::new();
    for s in scenarios {
        let horizon = s.horizon_months();
        lanes.push(Lane::new(
            s,
            vec![horizon.unwrap_or(0)],
            false,
            catalog,
            registry,
            budget,
        ));
        if is_forecast(s) {
            let levels = scenario::FORECAST_LEVELS;
            lanes.push(
                Lane::new(
                    s,
                    (1..=levels.len() as u32).collect(),
                    true,
                    catalog,
                    registry,
                    budget,
                )
                .with_factors(levels.to_vec()),
            );
        } else if let Some(h) = horizon {
            lanes.push(Lane::new(
                s,
                ladder_months(s, h, settings.ladder_points),
                true,
                catalog,
                registry,
                budget,
            ));
        }
    }
    lanes
}

/// Everything a lane produced, planned.
struct LanePlans {
    keys: Vec<LaneKey>,
    plans: BTreeMap<LaneKey, WorkloadPlan>,
    passthrough: BTreeSet<WorkloadKey>,
    origins: Vec<WorkloadOrigin>,
    notes: Vec<String>,
    requests: u64,
}

/// A scenario's lanes, planned: the first stage after the read. The baseline's decisions are
/// settled between the two stages (its retiring models' replacements come from here).
pub struct PlannedScenario<'s> {
    scenario: &'s Scenario,
    lane: LanePlans,
    ladder: Option<LanePlans>,
}

/// Plan every lane after the read (each scenario's, and its ladder's).
pub fn plan_lanes<'s>(
    settings: &CompareSettings,
    catalog: &Catalog,
    summary: &ReplaySummary,
    sinks: Vec<LaneSink<'s>>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<PlannedScenario<'s>>> {
    ensure_room_for_adds(summary, &sinks)?;
    let mut planned = Vec::new();
    let mut sinks = sinks.into_iter().peekable();
    while let Some(main) = sinks.next() {
        let scenario = main.lane().scenario;
        let ladder_sink =
            sinks.next_if(|s| s.lane().ladder && std::ptr::eq(s.lane().scenario, scenario));
        let lane = plan_lane(settings, catalog, summary, main, progress)
            .with_context(|| format!("planning scenario `{}`", scenario.name))?;
        let ladder = match ladder_sink {
            Some(sink) => Some(
                plan_lane(settings, catalog, summary, sink, progress).with_context(|| {
                    format!("planning the reservation ladder of `{}`", scenario.name)
                })?,
            ),
            None => None,
        };
        planned.push(PlannedScenario {
            scenario,
            lane,
            ladder,
        });
    }
    Ok(planned)
}

/// Decide again the baseline workloads whose model the retirement scenario migrated: a
/// reservation outlives the model, and the months after the retirement are priced with the
/// replacement's plan ([`crate::plan::decision`]).
pub fn decide_retiring(
    settings: &CompareSettings,
    catalog: &Catalog,
    summary: &ReplaySummary,
    plans: &mut [WorkloadPlan],
    planned: &[PlannedScenario<'_>],
) {
    let Some(retirement) = planned.iter().find(|p| {
        p.scenario.name == RETIREMENT_SCENARIO && p.scenario.origin.starts_with("automatic")
    }) else {
        return;
    };
    for p in plans.iter_mut() {
        let origin = retirement.lane.origins.iter().find(|o| {
            o.from_deployment == p.deployment
                && o.from_model == p.model
                && o.from_region == p.region
                && matches!(o.how, crate::scenario::route::OriginKind::Migrated)
        });
        let Some(o) = origin else { continue };
        let replacement =
            retirement.lane.plans.values().find(|r| {
                r.deployment == o.deployment && r.model == o.model && r.region == o.region
            });
        if let Some(r) = replacement {
            p.decision = plan::decide(
                p,
                catalog,
                &settings.plan,
                (settings.sim.bucket_window_s, summary.span_hours()),
                plan::decision::Replacement::Planned(r),
            );
        }
    }
}

/// Assemble the scenarios' reports from their planned lanes, against the decided baseline;
/// also the warnings they add to the report (retiring models).
pub fn assemble(
    settings: &CompareSettings,
    catalog: &Catalog,
    baseline: &Baseline<'_>,
    planned: Vec<PlannedScenario<'_>>,
) -> Result<(Vec<ScenarioReport>, Vec<String>)> {
    let mut reports = Vec::new();
    let mut warnings = Vec::new();
    for PlannedScenario {
        scenario,
        lane,
        ladder,
    } in planned
    {
        // The retirement scenario was set up for every retiring model of the catalog; the
        // report names the log's, and drops the scenario when the log has none.
        let mut shown = std::borrow::Cow::Borrowed(scenario);
        if scenario.name == RETIREMENT_SCENARIO && scenario.origin.starts_with("automatic") {
            let models: Vec<String> = baseline.plans.iter().map(|p| p.model.clone()).collect();
            let (for_log, notes) = match catalog.in_force_on {
                Some(as_of) => {
                    retirement_scenario(catalog, &models, as_of, settings.whatif.horizon_months)
                }
                None => (None, Vec::new()),
            };
            warnings.extend(notes);
            match for_log {
                Some(s) if !lane.origins.is_empty() => shown = std::borrow::Cow::Owned(s),
                _ => continue,
            }
        }
        let ladder =
            ladder.map(|planned| ladder_of(settings, catalog, baseline, scenario, &planned));
        reports.push(report_of(&shown, baseline, lane, ladder, catalog, settings));
    }
    Ok((reports, warnings))
}

/// Finish one lane: its added workloads, its replay (on the baseline's span), its plans.
fn plan_lane(
    settings: &CompareSettings,
    catalog: &Catalog,
    baseline_summary: &ReplaySummary,
    mut sink: LaneSink<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<LanePlans> {
    let lane = sink.lane();
    let scenario = lane.scenario;
    let span = (
        baseline_summary.first_minute(),
        baseline_summary.last_minute(),
    );
    let mut added_index = 0u32;
    for t in &scenario.transforms {
        if let TransformKind::Add(a) = &t.kind {
            // An add is a new workload: one with a logged workload's exact key would be two
            // workloads under one name, which no report or `diff` can tell apart.
            let key = WorkloadKey {
                deployment: a.deployment.clone(),
                model: a.model.clone(),
                region: a.region.clone(),
            };
            if lane.is_logged(&key) {
                anyhow::bail!(
                    "{}: add `{}` ({} @ {}) is a workload of the log: an add is a new workload; give it another deployment name, or grow the logged one with scale or growth",
                    t.at,
                    a.deployment.escape_debug(),
                    a.model,
                    a.region
                );
            }
            // Its count was checked against the cap with every lane's (`ensure_room_for_adds`).
            let seed = draw::fold(scenario.seed, u64::from(added_index));
            scenario::add::generate(a, ADDED_BASE + added_index, catalog, span, seed, |r| {
                sink.take(r)
            })
            .map_err(|e| anyhow::anyhow!("{}", e.message))
            .with_context(|| format!("{}: generating {}", t.at, a.deployment))?;
            added_index += 1;
        }
    }
    sink.settle();
    let stats = sink.stats.clone();
    // Rows outside the span the baseline kept were an error, or (with --skip-invalid) skipped;
    // the lane drops its copies of them the same way.
    let crate::sim::Finished {
        mut summary,
        events,
        ..
    } = sink
        .replay
        .finish_checked(true)
        .context("finishing the scenario's replay")?;
    // Every scenario is the same span of time as the log: thinning the first or last minute
    // away must not change what a month is.
    summary.first_ms = baseline_summary.first_ms;
    summary.last_ms = baseline_summary.last_ms;
    summary.rows_ms = baseline_summary.rows_ms;
    summary.covered_ms = baseline_summary.covered_ms;
    let lane_keys = lane.keys();
    let keys: Vec<WorkloadKey> = lane_keys.iter().map(|k| k.key.clone()).collect();
    let batch_only: Vec<Option<String>> = lane_keys
        .iter()
        .map(|k| {
            k.batch.then(|| {
                format!(
                    "moved to Batch by scenario `{}`",
                    scenario.name.escape_debug()
                )
            })
        })
        .collect();
    // A ladder's months are separate tenants for the usage tiers: count its last month's.
    let tenant = lane.ladder.then(|| {
        let last = lane.months.last().copied().unwrap_or(0);
        let mut by_model: BTreeMap<String, u64> = BTreeMap::new();
        for (k, w) in lane_keys.iter().zip(&summary.workloads) {
            if k.month == last {
                *by_model.entry(k.key.model.clone()).or_default() +=
                    w.totals.prompt_tokens + w.totals.completion_tokens;
            }
        }
        plan::quota::tenant_tokens_per_month(by_model.into_iter(), summary.span_hours())
    });
    // The ladder keeps the burst band: its rungs are checked at every window of it.
    let (plans, sized) = super::replay::plan_replay(
        catalog,
        &keys,
        &summary,
        &events,
        settings,
        super::replay::LaneTerms {
            batch_only: &batch_only,
            tenant_tokens_per_month: tenant,
        },
        progress,
    )?;
    let passthrough = lane.passthrough();
    let logged: BTreeSet<WorkloadKey> = lane.logged_keys().into_iter().collect();
    let names = display_names(&lane_keys, &passthrough, &logged);
    let by_key: BTreeMap<LaneKey, WorkloadPlan> = plans
        .into_iter()
        .filter(|(_, p)| p.requests + p.failed_requests > 0)
        .map(|(id, mut p)| {
            p.deployment = names[id].deployment.clone();
            (lane_keys[id].clone(), p)
        })
        .collect();
    if settings.timings && stats.requests_out == 0 {
        progress(Progress::Timing(format!(
            "timings: scenario `{}`: no request of the log is in it, nothing simulated",
            crate::render::escape::terminal(&scenario.name),
        )));
    } else if settings.timings {
        progress(Progress::Timing(format!(
            "timings: scenario `{}`{}: {} requests, {} PTU deployments in {} passes, {} searches",
            crate::render::escape::terminal(&scenario.name),
            if lane.ladder {
                " (reservation plan)"
            } else {
                ""
            },
            stats.requests_out,
            sized.simulated,
            sized.passes,
            sized.searches
        )));
    }
    let mut origins: Vec<WorkloadOrigin> = lane
        .origins()
        .into_iter()
        .flat_map(|(id, set)| {
            let to = names[id as usize].clone();
            set.into_iter().map(move |o| WorkloadOrigin {
                deployment: to.deployment.clone(),
                model: to.model.clone(),
                region: to.region.clone(),
                from_deployment: o.source.deployment,
                from_model: o.source.model,
                from_region: o.source.region,
                how: o.how,
            })
        })
        .collect();
    origins.sort();
    origins.dedup();
    let mut notes = Vec::new();
    if stats.capped > 0 && !lane.ladder {
        notes.push(format!(
            "{} request(s) grew past their max_completion_tokens and stop there (the answer is cut; reasoning first)",
            stats.capped
        ));
    }
    for (model, n) in &stats.over_limit {
        if !lane.ladder {
            notes.push(format!(
                "{n} request(s) no longer fit {model}'s limits (catalog `limits`) and fail with HTTP 400: not billed"
            ));
        }
    }
    Ok(LanePlans {
        keys: lane_keys,
        plans: by_key,
        passthrough,
        origins,
        notes,
        // Within the span (copies of rows outside it are dropped with them).
        requests: summary
            .workloads
            .iter()
            .map(|w| w.totals.requests + w.totals.failed_requests)
            .sum(),
    })
}

fn report_of(
    scenario: &Scenario,
    baseline: &Baseline<'_>,
    lane: LanePlans,
    ladder: Option<ladder::LadderPlan>,
    catalog: &Catalog,
    settings: &CompareSettings,
) -> ScenarioReport {
    let mut workloads: Vec<WorkloadPlan> = baseline
        .plans
        .iter()
        .filter(|p| {
            lane.passthrough.contains(&WorkloadKey {
                deployment: p.deployment.clone(),
                model: p.model.clone(),
                region: p.region.clone(),
            })
        })
        .cloned()
        .collect();
    workloads.extend(lane.plans.into_values());
    super::replay::sort_plans(&mut workloads);
    let summary = Summary::from_plans(&workloads);
    let base_summary = Summary::from_plans(baseline.plans);
    let base = base_summary.recommended_monthly_cost_usd;
    // Totals with holes do not compare (a missing workload is not a $0 one).
    let comparable = summary.complete && base_summary.complete;
    let delta = summary.recommended_monthly_cost_usd - base;
    let mut notes = lane.notes;
    if is_forecast(scenario) {
        notes.push(
            "the log as is, month by month on each workload's forecast in its reservation plan"
                .to_owned(),
        );
    } else if lane.keys.is_empty() && lane.passthrough.len() == baseline.plans.len() {
        notes.push(
            "no transform changes a workload of the log (none selects one, or each leaves it as it was): the scenario equals the baseline"
                .to_owned(),
        );
    }
    ScenarioReport {
        name: scenario.name.clone(),
        origin: scenario.origin.clone(),
        description: scenario.description.clone(),
        seed: scenario.seed,
        jitter_ms: scenario.jitter_ms,
        transforms: scenario.transforms.clone(),
        horizon_months: scenario.horizon_months(),
        requests_replayed: lane.requests,
        recommended_monthly_cost_usd: summary.recommended_monthly_cost_usd,
        monthly_cost_delta_usd: comparable.then_some(delta),
        monthly_cost_delta_pct: (comparable && base != 0.0).then(|| 100.0 * delta / base),
        reservations: plan::reserve::pools(
            catalog,
            &workloads,
            baseline.summary.span_hours(),
            settings.plan.reserve,
        ),
        summary,
        workloads,
        origins: lane.origins,
        notes,
        ladder,
    }
}

/// `--focus-scenario` must name a scenario of the run (or `baseline`).
pub fn ensure_focus_scenario(settings: &WhatIfSettings, scenarios: &[Scenario]) -> Result<()> {
    match &settings.focus_scenario {
        Some(name) if name != scenario::BASELINE && !scenarios.iter().any(|s| &s.name == name) => {
            // The automatic retirement scenario is kept only where a workload of the log
            // retires, which the replay has yet to tell.
            let names: Vec<String> = std::iter::once(scenario::BASELINE.to_owned())
                .chain(scenarios.iter().map(|s| {
                    if s.name == RETIREMENT_SCENARIO {
                        format!("{} (only if a workload of the log retires)", s.name)
                    } else {
                        s.name.clone()
                    }
                }))
                .collect();
            Err(crate::settings::UsageError(format!(
                "--focus-scenario {name}: no such scenario; this run has {}",
                names.join(", ")
            ))
            .into())
        }
        _ => Ok(()),
    }
}

/// The scenarios checked against the log's workloads `keys` ([`scenario::coverage`]): a
/// workload two transforms would migrate or move is refused (the command line's scenario is a
/// usage error, exit 2; a file's, bad input), and the warnings name every transform that
/// selects no workload.
pub fn check_coverage(scenarios: &[Scenario], keys: &[WorkloadKey]) -> Result<Vec<String>> {
    let found = scenario::coverage::check(scenarios, keys);
    if found.problems.is_empty() {
        return Ok(found.warnings);
    }
    // Each problem starts with its scenario's origin.
    let command_line = found.problems.iter().any(|p| p.starts_with(COMMAND_LINE));
    let problems = scenario::ScenarioError::Invalid {
        problems: found.problems,
    };
    if command_line {
        Err(UsageError(format!(
            "checking the scenarios against the log: {problems}"
        ))
        .into())
    } else {
        Err(anyhow::Error::new(problems).context("checking the scenarios against the log"))
    }
}

/// The projection the FOCUS export writes: `--focus-scenario`'s plan, else the first
/// scenario with a reservation ladder, else the log as is; a ladder's months where there is
/// one, else the same plan every month of `--horizon-months` (the log as is continuing, after
/// a model's retirement, as the retirement scenario's plan of its replacement).
pub fn projection(
    settings: &CompareSettings,
    prices: &plan::projection::Prices<'_>,
    summary: &ReplaySummary,
    baseline: &[WorkloadPlan],
    scenarios: &[ScenarioReport],
) -> Result<plan::projection::Projection> {
    use plan::projection::{project, Basis};
    let chosen = match &settings.whatif.focus_scenario {
        Some(name) if name == scenario::BASELINE => None,
        Some(name) => Some(scenarios.iter().find(|s| &s.name == name).ok_or_else(|| {
            // A usage error, as an unknown name is: the flag names what this log does not have.
            crate::settings::UsageError(format!(
                "--focus-scenario {name}: the scenario was dropped (no workload of the log retires)"
            ))
        })?),
        None => scenarios.iter().find(|s| s.ladder.is_some()),
    };
    let span = summary.span_hours();
    Ok(match chosen {
        Some(s) => match &s.ladder {
            Some(l) => project(&s.name, l.horizon_months, span, prices, &Basis::Ladder(l)),
            None => project(
                &s.name,
                settings.whatif.horizon_months,
                span,
                prices,
                &Basis::Flat {
                    plans: &s.workloads,
                    successors: &[],
                },
            ),
        },
        None => project(
            scenario::BASELINE,
            settings.whatif.horizon_months,
            span,
            prices,
            &Basis::Flat {
                plans: baseline,
                successors: scenarios
                    .iter()
                    .find(|s| s.name == RETIREMENT_SCENARIO && s.origin.starts_with("automatic"))
                    .map_or(&[][..], |s| &s.workloads),
            },
        ),
    })
}
