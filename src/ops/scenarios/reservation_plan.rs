//! A scenario's reservation plan (the ladder): what to buy now and later, checked against the
//! decision rules.

use super::*;

/// The reservation ladder of a scenario with growth (or of the forecast's), from its ladder
/// lane's plans.
pub(super) fn ladder_of(
    settings: &CompareSettings,
    catalog: &Catalog,
    baseline: &Baseline<'_>,
    scenario: &Scenario,
    lane: &LanePlans,
) -> ladder::LadderPlan {
    let forecast = is_forecast(scenario);
    let horizon = if forecast {
        settings.whatif.horizon_months
    } else {
        scenario.horizon_months().unwrap_or(1)
    };
    let h = horizon.max(1) as usize;
    // The lane's months: simulated months, or the forecast's levels (1-based).
    let levels: Vec<u32> = if forecast {
        (1..=scenario::FORECAST_LEVELS.len() as u32).collect()
    } else {
        ladder_months(scenario, horizon, settings.whatif.ladder_points)
    };
    // Per (workload, Batch share): the log's workload it came from, its plan per level.
    type Slots<'p> = (WorkloadKey, Vec<Option<&'p WorkloadPlan>>);
    let mut by_workload: BTreeMap<(WorkloadKey, bool), Slots<'_>> = BTreeMap::new();
    for (k, p) in &lane.plans {
        let Some(level) = levels.iter().position(|l| *l == k.month) else {
            continue;
        };
        let name = WorkloadKey {
            deployment: p.deployment.clone(),
            model: p.model.clone(),
            region: p.region.clone(),
        };
        let slots = by_workload
            .entry((name, k.batch))
            .or_insert_with(|| (k.source.clone(), vec![None; levels.len()]));
        slots.1[level] = Some(p);
    }
    let base_of = |key: &WorkloadKey| {
        baseline.plans.iter().find(|p| {
            p.deployment == key.deployment && p.model == key.model && p.region == key.region
        })
    };
    let mut notes = Vec::new();
    // Per workload, the factor of each level and of each month, and the forecast's draws.
    let factors_of = |source: &WorkloadKey, notes: &mut Vec<String>| {
        if forecast {
            let f = base_of(source)
                .and_then(|p| p.forecast.as_ref())
                .filter(|f| {
                    f.status == plan::forecast::ForecastStatus::Ok && f.peak_factor_p50.len() >= h
                });
            match f {
                Some(f) => {
                    let top = scenario::FORECAST_LEVELS[scenario::FORECAST_LEVELS.len() - 1];
                    if let Some(m) = f.peak_factor_p50[..h].iter().position(|x| *x > top) {
                        notes.push(format!(
                            "{}: from month {} its median need passes x{top:.2} of the log's traffic, the busiest level simulated: those months are planned at x{top:.2} (understated)",
                            source.deployment,
                            m + 1,
                        ));
                    }
                    (
                        scenario::FORECAST_LEVELS.to_vec(),
                        f.peak_factor_p50[..h].to_vec(),
                        f.peak_factor_draws
                            .iter()
                            .map(|d| d[..h.min(d.len())].to_vec())
                            .collect(),
                    )
                }
                None => {
                    notes.push(format!(
                        "{}: no forecast (see its forecast line): planned at the log's traffic every month",
                        source.deployment
                    ));
                    (scenario::FORECAST_LEVELS.to_vec(), vec![1.0; h], Vec::new())
                }
            }
        } else {
            let route = crate::scenario::route::Route::compile(scenario, source, catalog);
            (
                levels.iter().map(|m| route.factor(*m)).collect(),
                (1..=horizon).map(|m| route.factor(m)).collect(),
                Vec::new(),
            )
        }
    };
    let mut workloads: Vec<LadderWorkload<'_>> = Vec::new();
    for ((key, batch), (source, slots)) in &by_workload {
        // A level in which thinning left the workload without requests: its nearest level.
        let Some(any) = slots.iter().flatten().next().copied() else {
            continue;
        };
        let mut last = any;
        let plans = slots
            .iter()
            .map(|s| {
                if let Some(p) = s {
                    last = p;
                }
                last
            })
            .collect();
        let (level_factors, month_factors, draws) = factors_of(source, &mut notes);
        // The log's workload unchanged: month 1 deploys what its decision runs on now.
        let decided = (!*batch && key == source)
            .then(|| base_of(source).map(decided_now))
            .flatten();
        workloads.push(LadderWorkload {
            deployment: key.deployment.clone(),
            model: key.model.clone(),
            region: key.region.clone(),
            batch: *batch,
            plans,
            level_factors,
            month_factors,
            draws,
            decided,
        });
    }
    for p in baseline.plans {
        let key = WorkloadKey {
            deployment: p.deployment.clone(),
            model: p.model.clone(),
            region: p.region.clone(),
        };
        if lane.passthrough.contains(&key) {
            workloads.push(LadderWorkload {
                deployment: key.deployment,
                model: key.model,
                region: key.region,
                batch: false,
                plans: vec![p; levels.len()],
                level_factors: vec![1.0; levels.len()],
                month_factors: vec![1.0; h],
                draws: Vec::new(),
                decided: Some(decided_now(p)),
            });
        }
    }
    workloads.sort_by(|a, b| {
        (&a.deployment, &a.model, &a.region, a.batch).cmp(&(
            &b.deployment,
            &b.model,
            &b.region,
            b.batch,
        ))
    });
    // Month 1 holds what the log's decisions buy now: one answer to "how much to reserve".
    let mut decided_1_year: BTreeMap<(String, crate::catalog::DeploymentTypeId), u32> =
        BTreeMap::new();
    for p in baseline.plans {
        let in_ladder = workloads
            .iter()
            .any(|w| w.deployment == p.deployment && w.model == p.model && w.region == p.region);
        if let Some(o) =
            p.decision.option.as_ref().filter(|o| {
                in_ladder && o.billing == plan::Billing::Reserved1Year && o.ptus.is_some()
            })
        {
            *decided_1_year
                .entry((p.region.clone(), o.deployment_type))
                .or_default() += o.ptus.unwrap_or(0);
        }
    }
    let span_hours = baseline.summary.span_hours();
    let rules = &settings.plan.decision;
    let growth_source = if forecast {
        ladder::GrowthSource::Forecast
    } else if scenario.origin == "command line" {
        ladder::GrowthSource::Flag
    } else {
        ladder::GrowthSource::File
    };
    let mut plan = ladder::plan_ladder(
        catalog,
        &LadderInput {
            horizon_months: horizon,
            levels: if forecast { Vec::new() } else { levels },
            span_hours,
            max_throttle_rate: settings.plan.max_throttle_rate,
            max_spill_rate: settings.plan.max_spill_rate,
            workloads,
            decided_1_year_ptus: decided_1_year,
            growth_source,
            min_saving: rules.min_saving,
            run_window_s: settings.sim.bucket_window_s,
            short_log: (span_hours < rules.min_span_days * 24.0)
                .then_some((span_hours / 24.0, rules.min_span_days)),
            coarse_log: Some(settings.plan.log_granularity)
                .filter(|g| plan::decision::log_too_coarse(*g)),
            // Month 1 starts on the first of the month after the as-of date, as FOCUS's.
            start: catalog.in_force_on.map(ladder::first_month),
            level_factors: if forecast {
                scenario::FORECAST_LEVELS.to_vec()
            } else {
                Vec::new()
            },
        },
    );
    notes.sort();
    notes.dedup();
    plan.notes = notes;
    plan
}

/// What a decided plan runs on now: its provisioned type and PTUs, or (None, 0) per-token.
pub(super) fn decided_now(p: &WorkloadPlan) -> (Option<crate::catalog::DeploymentTypeId>, u32) {
    match p.decided_option() {
        Some(o) if o.billing != plan::Billing::PerToken => {
            (Some(o.deployment_type), o.ptus.unwrap_or(0))
        }
        _ => (None, 0),
    }
}
