//! The reservation plan over a horizon (the "ladder"): for every pool of a region and
//! provisioned type, month by month, how many PTUs to hold on 1-year reservations (and when to
//! buy them), how many on stacked 1-month reservations, and what goes to Standard, as traffic
//! grows; compared with the best static choice; with a chargeback per workload.
//!
//! It builds on the exact search's outcomes, never on a sizing of its own: each workload's
//! choices in a month are the PTU counts its search evaluated at that month's traffic
//! (`sizing.<type>.curve`) that meet the throttle and spill targets, each with its spillover
//! cost, plus "no PTUs" at its Standard per-token cost. Then, per pool and month, a
//! multiple-choice knapsack gives the cheapest way to serve every workload with T PTUs in all;
//! a dynamic programme over the months picks the 1-year level (never falling: expiring
//! reservations renew) that minimises the total, with the rest of each month's PTUs on 1-month
//! reservations. Every figure is per 730-hour month.
//!
//! Each month uses, per workload, the simulated traffic level just above its own (the busier
//! neighbour: an upper bound on its need whether traffic grows or shrinks). Every 1-year
//! purchase (a rung) is then checked against the decision's rules ([`rungs`]).
//!
//! Assumptions (stated in every output, in the report's words:
//! `report::text::LADDER_ASSUMPTIONS`): reservations match by region and deployment type, not
//! model, and are not exchanged between types; a deployment's size change takes effect within
//! the hour, so months do not overlap; quota and capacity availability are not simulated; a
//! 1-year tranche costs its whole term, months after the horizon included.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

mod model;
mod pool;
mod rungs;
#[cfg(test)]
mod tests;

use super::cost::{Billing, HOURS_PER_MONTH};
use super::model::WindowPlan;
use super::WorkloadPlan;
use crate::catalog::accounting::TokenTally;
use crate::catalog::{Catalog, DeploymentTypeId};
pub use model::*;
use pool::{Lattice, Member, RETIRED};
use rungs::RungRules;

/// Largest number of lattice units a pool's DP spans; beyond it the unit is coarsened.
const MAX_UNITS: usize = 20_000;

/// One workload of a ladder: its plan at every simulated month.
#[derive(Debug, Clone)]
pub struct LadderWorkload<'a> {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Region.
    pub region: String,
    /// True for a scenario's Batch-shifted requests (never in a pool).
    pub batch: bool,
    /// The workload's plan at each of [`LadderInput::levels`].
    pub plans: Vec<&'a WorkloadPlan>,
    /// The traffic factor (against the log) each plan was simulated at.
    pub level_factors: Vec<f64>,
    /// The traffic factor each month of the horizon needs (month 1 first).
    pub month_factors: Vec<f64>,
    /// Per draw of the forecast, the traffic factor of each month (empty without one).
    pub draws: Vec<Vec<f64>>,
    /// What the log's decision runs it on now, when it is the log's workload unchanged: the
    /// provisioned type and PTUs (None and 0: per-token). Month 1 deploys exactly that.
    pub decided: Option<(Option<DeploymentTypeId>, u32)>,
}

impl LadderWorkload<'_> {
    /// The level each month uses: the least busy simulated level at least as busy as the
    /// month (the busier neighbour, an upper bound on its traffic whether traffic grows or
    /// shrinks); the busiest level when none is.
    pub fn month_levels(&self) -> Vec<usize> {
        self.month_factors
            .iter()
            .map(|f| busier_level(&self.level_factors, *f))
            .collect()
    }

    /// The quieter neighbour of each month (a lower bound on its traffic).
    pub fn month_quiet_levels(&self) -> Vec<usize> {
        self.month_factors
            .iter()
            .map(|f| quieter_level(&self.level_factors, *f))
            .collect()
    }
}

/// The least busy level whose factor is at least `factor` (within rounding); the busiest
/// level when none is.
fn busier_level(level_factors: &[f64], factor: f64) -> usize {
    let mut best: Option<usize> = None;
    for (i, l) in level_factors.iter().enumerate() {
        if *l >= factor * (1.0 - 1e-9) && best.is_none_or(|b| *l < level_factors[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or_else(|| busiest(level_factors))
}

/// The busiest level at most as busy as `factor` (the quieter neighbour, a lower bound); the
/// least busy level when none is.
fn quieter_level(level_factors: &[f64], factor: f64) -> usize {
    let mut best: Option<usize> = None;
    for (i, l) in level_factors.iter().enumerate() {
        if *l <= factor * (1.0 + 1e-9) && best.is_none_or(|b| *l > level_factors[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or_else(|| {
        level_factors
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i)
    })
}

fn busiest(level_factors: &[f64]) -> usize {
    level_factors
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// What the ladder is planned from.
#[derive(Debug, Clone)]
pub struct LadderInput<'a> {
    /// Months planned (1..=horizon).
    pub horizon_months: u32,
    /// The months whose traffic was simulated, ascending; the last is the horizon.
    pub levels: Vec<u32>,
    /// Hours of the log's span (the curves' costs are over it).
    pub span_hours: f64,
    /// `--max-throttle-rate` (share).
    pub max_throttle_rate: f64,
    /// `--max-spill-rate` (share), if any.
    pub max_spill_rate: Option<f64>,
    /// The workloads.
    pub workloads: Vec<LadderWorkload<'a>>,
    /// Per pool (region, type), the 1-year PTUs the log's decisions buy now: month 1 holds
    /// exactly these (later months may add more as traffic grows).
    pub decided_1_year_ptus: BTreeMap<(String, DeploymentTypeId), u32>,
    /// Where the growth comes from.
    pub growth_source: GrowthSource,
    /// `--min-saving`, share.
    pub min_saving: f64,
    /// The bucket window in use, seconds.
    pub run_window_s: f64,
    /// The log's span and `--min-span-days`, when the span is shorter.
    pub short_log: Option<(f64, f64)>,
    /// The inputs' bucket when they are totals too coarse to commit on
    /// ([`crate::plan::decision::log_too_coarse`]).
    pub coarse_log: Option<crate::usage::Granularity>,
    /// The first day of month 1 ([`first_month`] of the as-of date, as the FOCUS export's),
    /// for retirements.
    pub start: Option<chrono::NaiveDate>,
    /// The traffic factor of each level when the levels are factors, not months (the
    /// forecast's grid); empty otherwise.
    pub level_factors: Vec<f64>,
}

/// One choice of a workload in one simulated month.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Choice {
    ptus: u32,
    /// Spillover (with PTUs) or Standard (without) cost per month, USD.
    standard_usd: f64,
    /// PTU-weighted tokens served by PTUs per month.
    served_tokens: f64,
    /// The tokens billed per token, over the span, and their type.
    tokens: TokenTally,
    token_type: Option<DeploymentTypeId>,
}

/// The first month (1-based) that starts on or after the workload's model's retirement,
/// within `h` months from `start` (the projection and FOCUS stop there too).
pub fn first_retired_month(plan: &WorkloadPlan, start: Option<NaiveDate>, h: u32) -> Option<u32> {
    retired_from(plan, start, h as usize).map(|m| m as u32 + 1)
}

/// The first day of the projection's month 1: the first of the month after `as_of` (the
/// FOCUS export's months start there too).
pub fn first_month(as_of: NaiveDate) -> NaiveDate {
    let (y, m) = if as_of.month() == 12 {
        (as_of.year() + 1, 1)
    } else {
        (as_of.year(), as_of.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(as_of)
}

/// When month `month` (1-based) of a projection whose month 1 starts on `first` begins: months
/// are 730 hours, as every monthly figure is.
pub fn month_start(first: NaiveDate, month: u32) -> chrono::NaiveDateTime {
    first.and_time(chrono::NaiveTime::MIN)
        + chrono::Duration::hours(730 * i64::from(month.saturating_sub(1)))
}

/// The first month (0-based) that starts on or after the workload's model's retirement,
/// within `h` months from `start` (month 1's first day).
fn retired_from(plan: &WorkloadPlan, start: Option<NaiveDate>, h: usize) -> Option<usize> {
    let retirement = plan.lifecycle.as_ref()?.retirement?;
    let start = start?;
    (0..h).find(|&mi| month_start(start, mi as u32 + 1).date() >= retirement)
}

/// Plan the ladder.
pub fn plan_ladder(catalog: &Catalog, input: &LadderInput<'_>) -> LadderPlan {
    let h = input.horizon_months.max(1) as usize;
    let mut pools: BTreeMap<(String, DeploymentTypeId), Vec<Member<'_>>> = BTreeMap::new();
    let mut outside = Vec::new();
    for w in &input.workloads {
        let retired = w.plans.last().and_then(|p| retired_from(p, input.start, h));
        let out_after = |levels: Vec<usize>| -> Vec<usize> {
            levels
                .into_iter()
                .enumerate()
                .map(|(mi, l)| {
                    if retired.is_some_and(|r| mi >= r) {
                        RETIRED
                    } else {
                        l
                    }
                })
                .collect()
        };
        let month_levels = out_after(pad(w.month_levels(), h));
        let quiet_levels = out_after(pad(w.month_quiet_levels(), h));
        // The band's other windows, as every plan of the workload has them.
        let windows: Vec<f64> = w
            .plans
            .first()
            .map(|p| {
                p.by_window
                    .iter()
                    .map(|b| b.window_s)
                    .filter(|s| (s - input.run_window_s).abs() > 1e-9)
                    .collect()
            })
            .unwrap_or_default();
        let pooled = pool_type(w).filter(|_| !w.batch).map(|t| {
            let at_run: Vec<Vec<Choice>> = w
                .plans
                .iter()
                .map(|p| choices(catalog, p, t, input, None))
                .collect();
            let band: Vec<(f64, Vec<Vec<Choice>>)> = windows
                .iter()
                .map(|ws| {
                    let per_level = w
                        .plans
                        .iter()
                        .zip(&at_run)
                        .map(|(p, run)| {
                            match p.by_window.iter().find(|b| (b.window_s - ws).abs() < 1e-9) {
                                Some(b) => choices(catalog, p, t, input, Some(b)),
                                None => run.clone(),
                            }
                        })
                        .collect();
                    (*ws, per_level)
                })
                .collect();
            (t, at_run, band)
        });
        match (pooled, w.plans.last()) {
            // A workload no count and no Standard option can serve in some month stays at
            // its decided option (which says why).
            (Some((t, mut choices, mut band)), Some(plan))
                if choices.iter().all(|c| !c.is_empty()) =>
            {
                let (mut month_levels, mut quiet_levels) = (month_levels, quiet_levels);
                let mut level_factors = w.level_factors.clone();
                // Month 1 deploys what the decision runs on now: its level's choices narrowed
                // to the decided count (a level of its own).
                if let (Some((decided_type, ptus)), Some(&l1)) = (w.decided, month_levels.first()) {
                    let wanted = match decided_type {
                        None => Some(0),
                        Some(dt) if dt == t => Some(ptus),
                        Some(_) => None,
                    };
                    let narrow = |c: &[Choice]| -> Option<Vec<Choice>> {
                        let n: Vec<Choice> = c
                            .iter()
                            .filter(|c| Some(c.ptus) == wanted)
                            .copied()
                            .collect();
                        (!n.is_empty()).then_some(n)
                    };
                    if let Some(first) = choices.get(l1).and_then(|c| narrow(c)) {
                        let own = choices.len();
                        choices.push(first);
                        for (_, per_level) in &mut band {
                            let c = narrow(&per_level[l1]).unwrap_or_else(|| per_level[l1].clone());
                            per_level.push(c);
                        }
                        level_factors.push(level_factors.get(l1).copied().unwrap_or(1.0));
                        month_levels[0] = own;
                        quiet_levels[0] = own;
                    }
                }
                pools
                    .entry((w.region.clone(), t))
                    .or_default()
                    .push(Member {
                        deployment: w.deployment.clone(),
                        model: w.model.clone(),
                        plan,
                        choices,
                        band,
                        month_levels,
                        quiet_levels,
                        level_factors,
                        draws: w.draws.clone(),
                        retired: [Choice::default()],
                    });
            }
            (Some(_), _) => outside.push(outside_workload(
                w,
                &month_levels,
                retired,
                OutsideReason::UnservedMonth,
            )),
            (None, _) => outside.push(outside_workload(
                w,
                &month_levels,
                retired,
                OutsideReason::NoProvisionedType,
            )),
        }
    }
    let rules = RungRules {
        min_saving: input.min_saving,
        run_window_s: input.run_window_s,
        short_log: input.short_log,
        coarse_log: input.coarse_log,
        start: input.start,
    };
    let pools: Vec<LadderPool> = pools
        .into_iter()
        .filter_map(|((region, t), members)| {
            let price = catalog.ptu_price(t, &region)?;
            let decided = input
                .decided_1_year_ptus
                .get(&(region.clone(), t))
                .copied()
                .unwrap_or(0);
            Some(plan_pool_with_rules(
                (region, t),
                price,
                &members,
                (h, &input.levels),
                decided,
                &rules,
            ))
        })
        .collect();
    let mut monthly = vec![0.0; h];
    for p in &pools {
        for (i, m) in p.months.iter().enumerate() {
            monthly[i] += m.cost_usd;
        }
    }
    for o in &outside {
        for (i, c) in o.monthly_cost_usd.iter().enumerate() {
            monthly[i] += c;
        }
    }
    let horizon: f64 = monthly.iter().sum();
    let committed: f64 = pools.iter().map(|p| p.committed_after_horizon_usd).sum();
    let outside_total: f64 = outside.iter().flat_map(|o| &o.monthly_cost_usd).sum();
    let best_static = pools.iter().map(|p| p.best_static.cost_usd).sum::<f64>() + outside_total;
    let forecast = input.growth_source == GrowthSource::Forecast;
    LadderPlan {
        growth_source: input.growth_source,
        horizon_months: h as u32,
        months_simulated: if forecast {
            Vec::new()
        } else {
            input.levels.clone()
        },
        traffic_factors_simulated: if forecast {
            input.level_factors.clone()
        } else {
            Vec::new()
        },
        pools,
        outside_pools: outside,
        monthly_cost_usd: monthly,
        horizon_cost_usd: horizon,
        committed_after_horizon_usd: committed,
        plan_cost_usd: horizon + committed,
        best_static_cost_usd: best_static,
        savings_vs_static_usd: best_static - horizon - committed,
        notes: Vec::new(),
    }
}

/// `levels` as long as the horizon (the last repeated; a workload's factors cover it).
fn pad(mut levels: Vec<usize>, h: usize) -> Vec<usize> {
    let last = levels.last().copied().unwrap_or(0);
    levels.resize(h, last);
    levels
}

/// Plan a pool, then check every later rung against the decision's rules; a month whose rung
/// fails buys nothing and the pool is planned again (at most once per month), so every
/// purchase after month 1 holds. Month 1 is what the decisions buy, whatever its rung says.
fn plan_pool_with_rules(
    (region, t): (String, DeploymentTypeId),
    price: &crate::catalog::PtuPrice,
    members: &[Member<'_>],
    (h, labels): (usize, &[u32]),
    decided: u32,
    rules: &RungRules,
) -> LadderPool {
    let lattice = Lattice::of(members, price, Some(decided));
    let mut frozen = vec![false; h];
    let mut rejected: BTreeMap<u32, Purchase> = BTreeMap::new();
    loop {
        let (mut pool, levels_y) = pool::plan_pool(
            (region.clone(), t),
            (price, &lattice),
            members,
            (h, labels),
            Some(decided),
            &frozen,
        );
        rungs::check(
            &mut pool.purchases,
            &pool.months,
            members,
            &lattice,
            &levels_y,
            rules,
        );
        let mut failed = false;
        for p in &mut pool.purchases {
            if p.month == 1 && decided > 0 {
                p.decided = true;
            } else if !p.holds && !frozen[p.month as usize - 1] {
                frozen[p.month as usize - 1] = true;
                rejected.insert(p.month, p.clone());
                failed = true;
            }
        }
        if !failed {
            pool.rejected_purchases = rejected.into_values().collect();
            pool.retired = members
                .iter()
                .filter_map(|m| {
                    let from = m.month_levels.iter().position(|l| *l == RETIRED)?;
                    Some(RetiredMember {
                        deployment: m.deployment.clone(),
                        model: m.model.clone(),
                        retirement: m
                            .plan
                            .lifecycle
                            .as_ref()
                            .and_then(|l| l.retirement)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        from_month: from as u32 + 1,
                    })
                })
                .collect();
            return pool;
        }
    }
}

/// The provisioned type a workload pools in: where the log's decision runs it on PTUs now,
/// since month 1 deploys exactly that and reservations are never exchanged between types (an
/// outside tester's decided Global reservation vanished from the forecast's plan, pooled in
/// Regional PTU by its last month); else the type whose cheapest 1-year count costs least at
/// the last simulated month.
fn pool_type(w: &LadderWorkload<'_>) -> Option<DeploymentTypeId> {
    if let Some((Some(t), ptus)) = w.decided {
        if ptus > 0 {
            return Some(t);
        }
    }
    let last = w.plans.last()?;
    // A type whose availability is only inferred is never a pool to reserve in.
    crate::plan::sizing::cheapest_1_year_type(last.sizing.iter().filter(|(t, _)| {
        last.options
            .iter()
            .any(|o| o.deployment_type == **t && o.is_confirmed_available())
    }))
}

fn outside_workload(
    w: &LadderWorkload<'_>,
    month_level: &[usize],
    retired: Option<usize>,
    why: OutsideReason,
) -> OutsideWorkload {
    let rec = |p: &'_ WorkloadPlan| p.decided_option().cloned();
    let cost_at = |p: &WorkloadPlan| rec(p).and_then(|o| o.monthly_cost_usd).unwrap_or(0.0);
    let reason = match w.plans.last().and_then(|p| rec(p)) {
        None => OutsideReason::NoEligibleOption,
        Some(_) if w.batch => OutsideReason::MovedToBatch,
        Some(_) => why,
    };
    // After its model's retirement it has no month (RETIRED is no level).
    OutsideWorkload {
        deployment: w.deployment.clone(),
        model: w.model.clone(),
        region: w.region.clone(),
        reason,
        option: w
            .plans
            .last()
            .and_then(|p| p.decision.option.as_ref().map(|o| o.option_id.clone())),
        retired_from_month: retired.map(|r| r as u32 + 1),
        monthly_cost_usd: month_level
            .iter()
            .map(|&l| w.plans.get(l).map_or(0.0, |p| cost_at(p)))
            .collect(),
        monthly_tokens: month_level
            .iter()
            .map(|&l| match w.plans.get(l) {
                Some(p) => {
                    let o = rec(p);
                    (
                        o.as_ref().map(|o| o.deployment_type),
                        o.and_then(|o| o.billed_tokens).unwrap_or(p.tally),
                    )
                }
                None => (None, TokenTally::default()),
            })
            .collect(),
    }
}

/// A workload's choices in one simulated month for pool type `t`.
fn choices(
    catalog: &Catalog,
    p: &WorkloadPlan,
    t: DeploymentTypeId,
    input: &LadderInput<'_>,
    window: Option<&WindowPlan>,
) -> Vec<Choice> {
    let options = window.map_or(p.options.as_slice(), |w| w.options.as_slice());
    let curve = match window {
        None => p.sizing.get(&t).map(|s| s.curve.as_slice()),
        Some(w) => w.curves.get(&t).map(Vec::as_slice),
    };
    let monthly = |span_usd: f64| super::cost::monthly_usd(span_usd, input.span_hours);
    let demand_tokens = p.mean_weighted_tpm * 60.0 * HOURS_PER_MONTH;
    let mut out = Vec::new();
    if let Some((std, std_type, billed)) = standard_fallback(catalog, options, p.tally, t) {
        out.push(Choice {
            ptus: 0,
            standard_usd: std,
            served_tokens: 0.0,
            tokens: billed,
            token_type: Some(std_type),
        });
    }
    let spill_type = catalog
        .deployment_types
        .get(&t)
        .and_then(|d| d.spillover_target);
    if let Some(curve) = curve {
        for point in curve {
            let fails = point.throttled_share > input.max_throttle_rate + 1e-12;
            let spills = input
                .max_spill_rate
                .is_some_and(|m| point.spilled_share > m + 1e-12);
            if fails || spills || point.ptus == 0 {
                continue;
            }
            out.push(Choice {
                ptus: point.ptus,
                standard_usd: monthly(point.spillover_cost_usd),
                served_tokens: demand_tokens * (1.0 - point.throttle_rate).max(0.0),
                tokens: point.spilled,
                token_type: spill_type,
            });
        }
    }
    out
}

/// What the workload costs per month without PTUs: its pool type's spillover target (the
/// Standard deployment at the same data-processing level), else its cheapest real-time
/// Standard option.
fn standard_fallback(
    catalog: &Catalog,
    options: &[super::OptionPlan],
    tally: TokenTally,
    t: DeploymentTypeId,
) -> Option<(f64, DeploymentTypeId, TokenTally)> {
    let target = catalog
        .deployment_types
        .get(&t)
        .and_then(|d| d.spillover_target);
    let usable =
        |o: &&super::OptionPlan| o.is_confirmed_available() && o.billing == Billing::PerToken;
    target
        .and_then(|target| {
            options
                .iter()
                .filter(usable)
                .find(|o| o.deployment_type == target)
        })
        .or_else(|| {
            options
                .iter()
                .filter(usable)
                .filter(|o| o.deployment_type.is_standard())
                .min_by(|a, b| {
                    a.monthly_cost_usd
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.monthly_cost_usd.unwrap_or(f64::INFINITY))
                })
        })
        .and_then(|o| {
            o.monthly_cost_usd
                .map(|c| (c, o.deployment_type, o.billed_tokens.unwrap_or(tally)))
        })
}
