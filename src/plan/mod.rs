//! The plan: for every workload, every deployment option with its cost over the log's span
//! and per 730-hour month, its availability, the PTU sizing read off the admission sweep, and
//! the recommended option.
//!
//! Planning has two steps around the admission pass: [`prepare`] lists the simulated PTU
//! deployments (the sweep), and [`finish`] turns their outcomes into options. Nothing here
//! prints or touches files.

pub mod constraints;
pub mod cost;
mod model;
pub mod options;
mod profile;
pub mod rank;
pub mod regions;
pub mod reserve;
pub mod sizing;

use std::collections::BTreeMap;

use serde::Serialize;

pub use constraints::{Constraints, Residency, SalesFacts};
pub use cost::{Billing, HOURS_PER_MONTH};
pub use model::{DemandProfile, OptionPlan, WorkloadPlan};
pub use reserve::{ReservationPool, ReservePolicy};
pub use sizing::{CurvePoint, TypeSizing};

use profile::{demand_profile, quantile_sorted};

use crate::catalog::overrides::CapacityLimit;
use crate::catalog::{Catalog, DeploymentTypeId, PtuIncrement, PtuPrice, PtuSpec, TokenPrice};
use crate::sim::replay::{ReplaySummary, WorkloadReplay};
use crate::sim::{SimOutcome, SimTarget, ThrottleMode};
use crate::usage::WorkloadKey;
use options::{availability_note, candidate, processing_label, Candidate};

/// How throttled requests are handled, as chosen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThrottlePolicy {
    /// Spillover where the type has a Standard target, fail otherwise (the default).
    Default,
    /// Every 429 fails.
    Fail,
    /// Retry after `retry-after-ms`, up to `max_retries` times.
    Retry {
        /// Retries after the first attempt.
        max_retries: u32,
    },
    /// Spill to Standard; types without a spillover target fail instead.
    Spillover,
}

/// Planning settings (resolved from flags by the app layer).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanSettings {
    /// What a 429 leads to.
    pub on_throttle: ThrottlePolicy,
    /// Largest acceptable share of throttled or spilled requests (default 0.01).
    pub max_throttle_rate: f64,
    /// PTU counts swept per provisioned type (default 40, at most 42).
    pub sweep_points: u32,
    /// Whether Batch options may be recommended (asynchronous, 24-hour turnaround).
    pub batch_eligible: bool,
    /// PTUs reserved per region x provisioned type pool (default: what the pool deploys).
    pub reserve: ReservePolicy,
    /// Reservation term of the pools (default 1 year).
    pub reserve_term: Billing,
    /// `--residency` and the sales facts of `--overrides`.
    pub constraints: Constraints,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            on_throttle: ThrottlePolicy::Default,
            max_throttle_rate: 0.01,
            sweep_points: 40,
            batch_eligible: false,
            reserve: ReservePolicy::Deployed,
            reserve_term: Billing::Reserved1Year,
            constraints: Constraints::default(),
        }
    }
}

/// One simulated sweep: a workload x provisioned type, its PTU grid and its slice of targets.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Workload index.
    pub workload: usize,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Swept PTU counts.
    pub grid: Vec<u32>,
    /// Index of the first of this sweep's targets in [`Prepared::targets`].
    pub first_target: usize,
    /// The throttle mode used.
    pub mode: ThrottleMode,
    /// Why the mode differs from the one asked for, if it does.
    pub mode_note: Option<String>,
}

/// The sweep to simulate.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Sweeps per workload and type.
    pub sweeps: Vec<Sweep>,
    /// Simulation targets, in sweep order.
    pub targets: Vec<SimTarget>,
}

/// List the PTU deployments to simulate for every workload and available provisioned type.
pub fn prepare(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    settings: &PlanSettings,
) -> Prepared {
    let mut prepared = Prepared::default();
    for (w, key) in keys.iter().enumerate() {
        let Some(replay) = summary.workloads.get(w) else {
            continue;
        };
        for t in DeploymentTypeId::PROVISIONED {
            let Candidate::Provisioned {
                spec,
                increment,
                cap,
                ..
            } = candidate(catalog, &settings.constraints, key, t)
            else {
                continue;
            };
            let ratio = spec.output_to_input_ratio;
            let peak_est = replay.minutes.peak_estimated_tokens_per_min(ratio);
            let mut grid = sizing::sweep_grid(
                increment,
                peak_est,
                spec.input_tpm_per_ptu,
                settings.sweep_points,
            );
            if let Some(cap) = cap {
                grid = sizing::cap_grid(grid, increment, cap.max_ptus);
            }
            let (mode, mode_note) = throttle_mode(catalog, key, t, settings);
            let first_target = prepared.targets.len();
            for &n in &grid {
                prepared.targets.push(SimTarget {
                    workload: w as u32,
                    capacity_tokens_per_min: spec.capacity_tokens_per_min(n),
                    output_to_input_ratio: ratio,
                    latency_target_tokens_per_s: spec.latency_target_tokens_per_s,
                    mode,
                });
            }
            prepared.sweeps.push(Sweep {
                workload: w,
                deployment_type: t,
                grid,
                first_target,
                mode,
                mode_note,
            });
        }
    }
    prepared
}

/// The mode a type actually gets, and a note when spillover is impossible.
fn throttle_mode(
    catalog: &Catalog,
    key: &WorkloadKey,
    t: DeploymentTypeId,
    settings: &PlanSettings,
) -> (ThrottleMode, Option<String>) {
    let policy = settings.on_throttle;
    let wants_spill = matches!(policy, ThrottlePolicy::Default | ThrottlePolicy::Spillover);
    match policy {
        ThrottlePolicy::Fail => return (ThrottleMode::Fail, None),
        ThrottlePolicy::Retry { max_retries } => {
            return (ThrottleMode::Retry { max_retries }, None)
        }
        _ => {}
    }
    debug_assert!(wants_spill);
    let target = catalog
        .deployment_types
        .get(&t)
        .and_then(|d| d.spillover_target);
    match target {
        None => (
            ThrottleMode::Fail,
            (policy == ThrottlePolicy::Spillover)
                .then(|| format!("{t} has no spillover target; 429s fail")),
        ),
        Some(target) => match candidate(catalog, &settings.constraints, key, target) {
            Candidate::PerToken(_) => (ThrottleMode::Spillover, None),
            Candidate::Unavailable(why) => (
                ThrottleMode::Fail,
                Some(format!("no spillover: {why}; 429s fail")),
            ),
            Candidate::Provisioned { .. } => (ThrottleMode::Fail, None),
        },
    }
}

/// Turn the swept outcomes into plans, one per workload.
pub fn finish(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    prepared: &Prepared,
    outcomes: &[SimOutcome],
    settings: &PlanSettings,
) -> Vec<WorkloadPlan> {
    keys.iter()
        .enumerate()
        .filter_map(|(w, key)| {
            let replay = summary.workloads.get(w)?;
            Some(plan_workload(
                catalog, key, w, replay, summary, prepared, outcomes, settings,
            ))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn plan_workload(
    catalog: &Catalog,
    key: &WorkloadKey,
    w: usize,
    replay: &WorkloadReplay,
    summary: &ReplaySummary,
    prepared: &Prepared,
    outcomes: &[SimOutcome],
    settings: &PlanSettings,
) -> WorkloadPlan {
    let model = catalog.model(&key.model);
    let spec = model.and_then(|m| m.ptu.as_ref());
    let ratio = spec.map(|s| s.output_to_input_ratio);
    let span_hours = summary.span_hours();
    let t = &replay.totals;
    let weighted = replay.minutes.weighted_tokens_per_min(
        ratio.unwrap_or(1.0),
        summary.first_minute(),
        summary.last_minute(),
    );
    let demand_tokens: f64 = weighted.iter().sum();
    let mut sorted = weighted.clone();
    sorted.sort_by(f64::total_cmp);
    let ctx = WorkloadCtx {
        catalog,
        key,
        span_hours,
        weighted: &weighted,
        demand_tokens,
    };
    let mut options = Vec::new();
    let mut cheapest_per_token: Option<f64> = None;
    for dt in DeploymentTypeId::ALL
        .into_iter()
        .filter(|d| !d.is_provisioned())
    {
        let opt = per_token_option(&ctx, t, dt, settings);
        if opt.available && !dt.is_batch() {
            let c = opt.cost_usd.unwrap_or(f64::INFINITY);
            cheapest_per_token = Some(cheapest_per_token.map_or(c, |x: f64| x.min(c)));
        }
        options.push(opt);
    }
    let mut sizing_map = BTreeMap::new();
    for dt in DeploymentTypeId::PROVISIONED {
        match candidate(catalog, &settings.constraints, key, dt) {
            Candidate::Provisioned {
                spec,
                increment,
                price,
                cap,
            } => {
                let sweep = prepared
                    .sweeps
                    .iter()
                    .find(|s| s.workload == w && s.deployment_type == dt)
                    .expect("prepare() swept every provisioned candidate");
                let outs = &outcomes[sweep.first_target..sweep.first_target + sweep.grid.len()];
                let (opts, sizing) = provisioned_options(
                    &ctx,
                    dt,
                    spec,
                    increment,
                    ProvisionedPrice { price, cap },
                    sweep,
                    outs,
                    cheapest_per_token,
                    settings,
                );
                options.extend(opts);
                sizing_map.insert(dt, sizing);
            }
            Candidate::Unavailable(reason) => {
                for billing in Billing::PROVISIONED {
                    options.push(unavailable_option(&ctx, dt, billing, reason.clone()));
                }
            }
            Candidate::PerToken(_) => {
                unreachable!("candidate() returns PerToken only for per-token types")
            }
        }
    }
    let recommended = rank::recommend(&options);
    let (truncated_cost_usd, truncated_cost_basis) = truncated_cost(catalog, key, t);
    WorkloadPlan {
        deployment: key.deployment.clone(),
        model: key.model.clone(),
        region: key.region.clone(),
        reasoning_model: model.is_some_and(|m| m.reasoning),
        requests: t.requests,
        failed_requests: t.failed_requests,
        prompt_tokens: t.prompt_tokens,
        cached_tokens: t.cached_tokens,
        completion_tokens: t.completion_tokens,
        reasoning_tokens: t.reasoning_tokens,
        reasoning_share: ratio_of(t.reasoning_tokens, t.completion_tokens),
        cached_share: ratio_of(t.cached_tokens, t.prompt_tokens),
        truncated_requests: t.truncated_requests,
        truncated_cost_usd,
        truncated_cost_basis,
        requests_without_max_tokens: t.requests_without_max_tokens,
        output_to_input_ratio: ratio,
        input_tpm_per_ptu: spec.map(|s| s.input_tpm_per_ptu),
        peak_minute_weighted_tpm: sorted.last().copied().unwrap_or(0.0),
        p99_minute_weighted_tpm: quantile_sorted(&sorted, 0.99),
        mean_weighted_tpm: demand_tokens / sorted.len().max(1) as f64,
        recommended,
        options,
        sizing: sizing_map,
        profile: demand_profile(&weighted, summary.first_minute()),
    }
}

struct WorkloadCtx<'a> {
    catalog: &'a Catalog,
    key: &'a WorkloadKey,
    span_hours: f64,
    weighted: &'a [f64],
    demand_tokens: f64,
}

fn option_id(dt: DeploymentTypeId, billing: Billing) -> String {
    if billing == Billing::PerToken {
        dt.as_str().to_owned()
    } else {
        format!("{dt}/{}", billing.as_str())
    }
}

fn empty_option(ctx: &WorkloadCtx<'_>, dt: DeploymentTypeId, billing: Billing) -> OptionPlan {
    OptionPlan {
        id: option_id(dt, billing),
        deployment_type: dt,
        billing,
        processing: processing_label(ctx.catalog, ctx.key, dt),
        ptus: None,
        available: false,
        reason: None,
        eligible: false,
        cost_usd: None,
        monthly_cost_usd: None,
        throttled_requests: None,
        spilled_requests: None,
        throttle_rate: None,
        spillover_cost_usd: None,
        utilization_p50: None,
        utilization_p95: None,
        utilization_p99: None,
        utilization_max: None,
        minutes_over_capacity: None,
        retry_added_latency_ms_mean: None,
        note: None,
    }
}

fn unavailable_option(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    billing: Billing,
    reason: String,
) -> OptionPlan {
    OptionPlan {
        reason: Some(reason),
        ..empty_option(ctx, dt, billing)
    }
}

fn per_token_option(
    ctx: &WorkloadCtx<'_>,
    t: &crate::sim::WorkloadTotals,
    dt: DeploymentTypeId,
    settings: &PlanSettings,
) -> OptionPlan {
    match candidate(ctx.catalog, &settings.constraints, ctx.key, dt) {
        Candidate::PerToken(price) => {
            let cost = price.cost_usd(
                t.uncached_prompt_tokens(),
                t.cached_tokens,
                t.completion_tokens,
            );
            let batch_note = "async, 24 h turnaround";
            let (eligible, reason, note) = if dt.is_batch() && !settings.batch_eligible {
                (
                    false,
                    Some(format!("{batch_note}; --batch-eligible to recommend")),
                    None,
                )
            } else if dt.is_batch() {
                (true, None, Some(batch_note.to_owned()))
            } else {
                (true, None, None)
            };
            let note = join_notes(
                note.into_iter()
                    .chain(availability_note(
                        ctx.catalog,
                        &settings.constraints,
                        ctx.key,
                        dt,
                    ))
                    .chain(price_note(&price.adjustments))
                    .collect(),
            );
            OptionPlan {
                available: true,
                eligible,
                reason,
                note,
                cost_usd: Some(cost),
                monthly_cost_usd: Some(cost::monthly_usd(cost, ctx.span_hours)),
                ..empty_option(ctx, dt, Billing::PerToken)
            }
        }
        Candidate::Unavailable(reason) => unavailable_option(ctx, dt, Billing::PerToken, reason),
        Candidate::Provisioned { .. } => {
            unreachable!("candidate() returns Provisioned only for PTU types")
        }
    }
}

/// A provisioned type's price in the workload's region and its capacity limit, if any.
struct ProvisionedPrice<'c> {
    price: &'c PtuPrice,
    cap: Option<&'c CapacityLimit>,
}

/// "price: 10% discount (overrides.yaml:4)" when `--overrides` changed the price.
fn price_note(adjustments: &[String]) -> Option<String> {
    (!adjustments.is_empty()).then(|| format!("price: {}", adjustments.join(", ")))
}

fn join_notes(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("; "))
}

#[allow(clippy::too_many_arguments)]
fn provisioned_options(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    spec: &PtuSpec,
    increment: PtuIncrement,
    priced: ProvisionedPrice<'_>,
    sweep: &Sweep,
    outs: &[SimOutcome],
    cheapest_per_token: Option<f64>,
    settings: &PlanSettings,
) -> (Vec<OptionPlan>, TypeSizing) {
    let spill_price: Option<&TokenPrice> = ctx
        .catalog
        .deployment_types
        .get(&dt)
        .and_then(|d| d.spillover_target)
        .and_then(|target| {
            ctx.catalog
                .token_price(&ctx.key.model, target, &ctx.key.region)
        });
    let spill_cost = |o: &SimOutcome| {
        spill_price.map_or(0.0, |p| {
            p.cost_usd(
                o.spilled_uncached_prompt_tokens,
                o.spilled_cached_tokens,
                o.spilled_completion_tokens,
            )
        })
    };
    let price = priced.price;
    let curve = sizing::curve(&sweep.grid, outs, ctx.span_hours, price, spill_cost);
    let min_idx = sizing::min_index_for_target(&curve, settings.max_throttle_rate);
    let mut by_billing = BTreeMap::new();
    let mut break_even_by_billing = BTreeMap::new();
    let mut options = Vec::new();
    for billing in Billing::PROVISIONED {
        let optimal = sizing::cost_optimal_index(&curve, billing).expect("grid is never empty");
        // Without spillover, throttled requests are lost, not billed: the cost-optimal count is
        // the cheapest one that meets the throttle target (the largest swept if none does).
        let optimal_reported = match sweep.mode {
            ThrottleMode::Spillover => optimal,
            _ => min_idx.unwrap_or(curve.len() - 1),
        };
        by_billing.insert(billing, curve[optimal_reported].ptus);
        if let Some(u) = sizing::break_even_utilization(
            billing.usd_per_ptu_hour(price),
            ctx.demand_tokens,
            spec.input_tpm_per_ptu,
            cheapest_per_token,
        ) {
            break_even_by_billing.insert(billing, u);
        }
        // With spillover every request is served, so the cheapest count wins; without it the
        // smallest count that meets the throttle target does.
        let (idx, meets) = match sweep.mode {
            ThrottleMode::Spillover => (optimal, true),
            _ => match min_idx {
                Some(i) => (i, true),
                None => (curve.len() - 1, false),
            },
        };
        let point = &curve[idx];
        let o = &outs[idx];
        let capacity = spec.capacity_tokens_per_min(point.ptus);
        let over = ctx.weighted.iter().filter(|&&d| d > capacity).count() as u64;
        let mut notes = Vec::new();
        if let Some(n) = &sweep.mode_note {
            notes.push(n.clone());
        }
        notes.extend(availability_note(
            ctx.catalog,
            &settings.constraints,
            ctx.key,
            dt,
        ));
        notes.extend(price_note(&price.adjustments));
        if let Some(c) = priced.cap {
            notes.push(format!(
                "capacity limit {} PTUs in {} ({}): larger counts unavailable",
                c.max_ptus, ctx.key.region, c.at
            ));
        }
        if billing != Billing::Hourly {
            notes.push(format!(
                "{} term, prorated",
                if billing == Billing::Reserved1Year {
                    "1-year"
                } else {
                    "1-month"
                }
            ));
        }
        let reason = (!meets).then(|| {
            format!(
                "{:.1}% throttled even at {} PTUs (target {:.1}%){}",
                point.throttle_rate * 100.0,
                point.ptus,
                settings.max_throttle_rate * 100.0,
                priced
                    .cap
                    .map(|c| format!("; capacity limit {} PTUs ({})", c.max_ptus, c.at))
                    .unwrap_or_default()
            )
        });
        let cost = point.cost_for(billing);
        options.push(OptionPlan {
            ptus: Some(point.ptus),
            available: true,
            eligible: meets,
            reason,
            cost_usd: Some(cost),
            monthly_cost_usd: Some(cost::monthly_usd(cost, ctx.span_hours)),
            throttled_requests: Some(o.throttled_requests),
            spilled_requests: Some(o.spilled_requests),
            throttle_rate: Some(o.throttle_rate()),
            spillover_cost_usd: Some(point.spillover_cost_usd),
            utilization_p50: Some(o.utilization.quantile(0.50)),
            utilization_p95: Some(o.utilization.quantile(0.95)),
            utilization_p99: Some(o.utilization.quantile(0.99)),
            utilization_max: Some(o.utilization.max),
            minutes_over_capacity: Some(over),
            retry_added_latency_ms_mean: (o.retried_requests > 0)
                .then(|| o.retry_added_latency_ms_total / o.retried_requests as f64),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
            ..empty_option(ctx, dt, billing)
        });
    }
    let peak = ctx.weighted.iter().copied().fold(0.0, f64::max);
    let (raw, rounded) = sizing::minute_peak_ptus(peak, spec.input_tpm_per_ptu, increment);
    let sizing = TypeSizing {
        on_throttle: mode_label(sweep.mode),
        peak_minute_ptus_raw: raw,
        peak_minute_ptus: rounded,
        min_ptus_for_target: min_idx.map(|i| curve[i].ptus),
        cost_optimal_ptus: by_billing[&Billing::Hourly],
        cost_optimal_ptus_by_billing: by_billing,
        break_even_utilization: break_even_by_billing.get(&Billing::Hourly).copied(),
        break_even_utilization_by_billing: break_even_by_billing,
        curve,
    };
    (options, sizing)
}

fn mode_label(mode: ThrottleMode) -> String {
    match mode {
        ThrottleMode::Fail => "fail".to_owned(),
        ThrottleMode::Spillover => "spillover".to_owned(),
        ThrottleMode::Retry { max_retries } => format!("retry (max {max_retries})"),
    }
}

/// Cost of the answers emptied by reasoning, at Global Standard prices (else the first priced
/// per-token type).
fn truncated_cost(
    catalog: &Catalog,
    key: &WorkloadKey,
    t: &crate::sim::WorkloadTotals,
) -> (f64, Option<DeploymentTypeId>) {
    for dt in DeploymentTypeId::ALL
        .into_iter()
        .filter(|d| !d.is_provisioned() && !d.is_batch())
    {
        if let Some(p) = catalog.token_price(&key.model, dt, &key.region) {
            let c = p.cost_usd(
                t.truncated_uncached_prompt_tokens,
                t.truncated_cached_tokens,
                t.truncated_completion_tokens,
            );
            return (c, Some(dt));
        }
    }
    (0.0, None)
}

fn ratio_of(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};
    use crate::sim::{simulate, Replay, SimParams};
    use crate::usage::UsageRecord;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Whatever the traffic, every cost the plan reports is a non-negative finite number,
        /// and every simulated option accounts for every offered request.
        #[test]
        fn every_cost_is_non_negative(
            requests in proptest::collection::vec(
                (0i64..7_200_000, 1u64..40_000, 0u64..=100, 0u64..8_000, proptest::option::of(1u64..16_000)),
                1..120,
            ),
            spill in any::<bool>(),
        ) {
            let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
            let keys = vec![WorkloadKey { deployment: "d".into(), model: "gpt-4o".into(), region: "eastus2".into() }];
            let mut replay = Replay::default();
            for (t, prompt, cached_pct, completion, max) in &requests {
                replay.add(&UsageRecord {
                    timestamp_ms: 1_800_000_000_000 + t,
                    workload: 0,
                    prompt_tokens: *prompt,
                    cached_tokens: prompt * cached_pct / 100,
                    cache_write_tokens: 0,
                    completion_tokens: *completion,
                    reasoning_tokens: 0,
                    max_completion_tokens: max.map(|m| m.max(*completion)),
                    status: None,
                    latency_ms: None,
                }).expect("add");
            }
            let (summary, events) = replay.finish();
            let settings = PlanSettings {
                on_throttle: if spill { ThrottlePolicy::Spillover } else { ThrottlePolicy::Fail },
                sweep_points: 8,
                ..PlanSettings::default()
            };
            let prepared = prepare(&catalog, &keys, &summary, &settings);
            let outcomes = simulate(&events, &prepared.targets, &SimParams::default(), 2, summary.first_minute(), summary.last_minute()).expect("simulate");
            for o in &outcomes {
                prop_assert_eq!(o.served_requests + o.throttled_requests + o.spilled_requests, o.offered_requests);
            }
            let plans = finish(&catalog, &keys, &summary, &prepared, &outcomes, &settings);
            let ok = |v: f64| v.is_finite() && v >= 0.0;
            for p in &plans {
                prop_assert!(ok(p.truncated_cost_usd));
                for o in &p.options {
                    for v in [o.cost_usd, o.monthly_cost_usd, o.spillover_cost_usd].into_iter().flatten() {
                        prop_assert!(ok(v), "{} {}", o.id, v);
                    }
                }
                for s in p.sizing.values() {
                    for c in &s.curve {
                        prop_assert!(ok(c.cost_usd) && ok(c.cost_1_month_usd) && ok(c.cost_1_year_usd) && ok(c.spillover_cost_usd));
                    }
                }
            }
        }
    }
}
