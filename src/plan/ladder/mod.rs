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
use serde::Serialize;

mod pool;
mod rungs;
#[cfg(test)]
mod tests;

use super::cost::{Billing, HOURS_PER_MONTH};
use super::model::WindowPlan;
use super::WorkloadPlan;
use crate::catalog::accounting::TokenTally;
use crate::catalog::{Catalog, DeploymentTypeId};
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

/// Where a reservation plan's growth comes from (JSON `ladder.growth_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GrowthSource {
    /// `--growth`.
    Flag,
    /// A growth entry of `--scenarios FILE`.
    File,
    /// The log's own forecast ([`crate::plan::forecast`]).
    Forecast,
}

/// One of the decision's rules a rung fails (JSON `purchases[].checks[]`; words: the report's).
#[derive(Debug, Clone, PartialEq)]
pub enum RungCheck {
    /// It saves less than `--min-saving` of its value at these windows (or loses).
    BelowMinSaving {
        /// The windows, seconds.
        windows_s: Vec<f64>,
        /// `--min-saving`, percent.
        min_saving_pct: f64,
    },
    /// The log is shorter than `--min-span-days`.
    ShortLog {
        /// The log's span, days.
        span_days: f64,
        /// `--min-span-days`.
        min_span_days: f64,
    },
    /// The log's inputs are totals per hour or per day, which hide the bursts a reservation
    /// is sized for.
    CoarseLog {
        /// The coarsest bucket of the inputs.
        bucket: crate::usage::Granularity,
    },
    /// A member's model retires before the term ends.
    RetiresInTerm {
        /// The model.
        model: String,
        /// Its retirement date.
        date: String,
    },
}

/// The plan (its JSON, `scenarios[].ladder`, is built from it in `report::contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct LadderPlan {
    /// Where the growth comes from: `flag`, `file` or `forecast`.
    pub growth_source: GrowthSource,
    /// Months planned.
    pub horizon_months: u32,
    /// Months whose traffic was simulated (empty on the forecast, whose levels are traffic
    /// factors: `traffic_factors_simulated`).
    pub months_simulated: Vec<u32>,
    /// On the forecast: the traffic factors (against the log) simulated.
    pub traffic_factors_simulated: Vec<f64>,
    /// One per region x provisioned type with members.
    pub pools: Vec<LadderPool>,
    /// Workloads in no pool (no provisioned type, or Batch), at their recommended option.
    pub outside_pools: Vec<OutsideWorkload>,
    /// Every month's cost (pools amortized, plus the workloads outside pools), USD.
    pub monthly_cost_usd: Vec<f64>,
    /// Sum of `monthly_cost_usd`, USD.
    pub horizon_cost_usd: f64,
    /// 1-year reservation months bought in the horizon that fall after it, USD.
    pub committed_after_horizon_usd: f64,
    /// What the plan commits to: horizon cost plus the commitment after it, USD.
    pub plan_cost_usd: f64,
    /// The same for each pool's best static choice plus the workloads outside pools, USD.
    pub best_static_cost_usd: f64,
    /// Best static minus plan, USD.
    pub savings_vs_static_usd: f64,
    /// What the reader must know about this plan (workloads without a forecast, needs past
    /// the busiest level simulated).
    pub notes: Vec<String>,
}

/// One pool's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderPool {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// How PTUs above the 1-year level are bought: `reserved-1-month` or `hourly`.
    pub flex_billing: Billing,
    /// The PTU step the plan moves in (greatest common divisor of the members' counts).
    pub unit_ptus: u32,
    /// Month by month.
    pub months: Vec<LadderMonth>,
    /// 1-year reservations bought, with the month of purchase.
    pub purchases: Vec<Purchase>,
    /// 1-year purchases the growth alone would make that fail the decision's rules: not
    /// bought (their months hold the level before them).
    pub rejected_purchases: Vec<Purchase>,
    /// Members whose model retires within the horizon: from that month on they are no
    /// longer in the pool (the retirement scenario prices what replaces them).
    pub retired: Vec<RetiredMember>,
    /// Sum of the months' costs, USD.
    pub horizon_cost_usd: f64,
    /// 1-year months after the horizon, USD.
    pub committed_after_horizon_usd: f64,
    /// Horizon cost plus commitment after it, USD.
    pub plan_cost_usd: f64,
    /// The best choice held the same every month.
    pub best_static: StaticChoice,
    /// Best static minus plan, USD.
    pub savings_vs_static_usd: f64,
    /// Each member's share of the pool's cost over the horizon.
    pub chargeback: Vec<Chargeback>,
    /// The pool's PTU cost over the horizon that no member is charged: reserved PTUs in
    /// months no member deploys on (after the members' models retire), USD. The chargeback
    /// plus this is the pool's horizon cost.
    pub unallocated_ptu_cost_usd: f64,
}

/// One month of a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderMonth {
    /// Month (1 = the first month after the log).
    pub month: u32,
    /// The simulated month whose traffic it uses (the busiest of its members'; 0 on the
    /// forecast, whose members' levels are `workloads[].traffic_factor`).
    pub simulated_month: u32,
    /// PTUs on 1-year reservations.
    pub reserved_1_year_ptus: u32,
    /// PTUs on 1-month reservations (or hourly, see `flex_billing`).
    pub flex_ptus: u32,
    /// PTUs deployed (at most 1-year plus flex).
    pub deployed_ptus: u32,
    /// 1-year PTUs with nothing deployed (paid, lost).
    pub unused_reserved_ptus: u32,
    /// 1-year reservations, amortized over the month, USD.
    pub reserved_1_year_cost_usd: f64,
    /// Flex PTUs, USD.
    pub flex_cost_usd: f64,
    /// Spillover of workloads with PTUs, at Standard prices, USD.
    pub spillover_cost_usd: f64,
    /// Workloads with no PTUs, at Standard prices, USD.
    pub standard_cost_usd: f64,
    /// The month's total, USD.
    pub cost_usd: f64,
    /// Each member's PTUs and cost.
    pub workloads: Vec<MonthShare>,
}

/// A member's month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthShare {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// The traffic it is planned at this month, as a factor of the log's (the simulated
    /// level just above the month's own; 0 once retired).
    pub traffic_factor: f64,
    /// True from the month its model retires: no longer in the pool.
    pub retired: bool,
    /// Its deployed PTUs (0: on Standard).
    pub ptus: u32,
    /// Its spillover (or, without PTUs, Standard) cost, USD.
    pub standard_cost_usd: f64,
    /// Its share of the pool's PTU cost, USD.
    pub ptu_cost_usd: f64,
    /// The tokens billed per token (spilled, or all of them without PTUs), over the log's
    /// span (for projections; not in the JSON).
    pub tokens: TokenTally,
    /// Where they are billed (the Standard type).
    pub token_type: Option<DeploymentTypeId>,
}

/// A 1-year reservation purchase.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    /// Month bought (it covers that month and the next 11, renewed after).
    pub month: u32,
    /// True for month 1's purchase: what the log's decisions buy now (the plan holds it
    /// whatever its figures over the horizon say).
    pub decided: bool,
    /// PTUs.
    pub ptus: u32,
    /// 1-year terms it is held for within the horizon (renewals included).
    pub terms: u32,
    /// What the purchase and its renewals cost, USD.
    pub cost_usd: f64,
    /// What it saves against holding the same PTUs flexibly (1-month or hourly, or spilling)
    /// over the months of the horizon it covers, at the window in use, USD.
    pub saving_usd: f64,
    /// The same as a share of what the flexible way costs, percent (None: it serves nothing).
    pub saving_pct: Option<f64>,
    /// The saving's share at each window of the band (keys: seconds).
    pub saving_pct_by_window_s: BTreeMap<String, Option<f64>>,
    /// On the forecast: the share of its draws in which the commitment costs more than the
    /// flexible option (each month at the simulated level just below the draw's traffic).
    pub loss_probability: Option<f64>,
    /// Whether the plan's checks of the decision's rules hold for it (else it is a what-if);
    /// a decided rung (month 1) is bought whatever they say, since the decision weighed it.
    pub holds: bool,
    /// The rules it fails.
    pub checks: Vec<RungCheck>,
}

impl Purchase {
    fn new(month: u32, ptus: u32, terms: u32, year_usd_per_ptu: f64) -> Purchase {
        Purchase {
            month,
            decided: false,
            ptus,
            terms,
            cost_usd: f64::from(ptus) * year_usd_per_ptu * f64::from(terms),
            saving_usd: 0.0,
            saving_pct: None,
            saving_pct_by_window_s: BTreeMap::new(),
            loss_probability: None,
            holds: true,
            checks: Vec::new(),
        }
    }
}

/// A pool member whose model retires within the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct RetiredMember {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// The retirement date.
    pub retirement: String,
    /// The first month it is out of the pool.
    pub from_month: u32,
}

/// The best choice that does not change over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticChoice {
    /// Billing of the PTUs (`per-token` for none).
    pub billing: Billing,
    /// PTUs held every month.
    pub ptus: u32,
    /// Its cost over the horizon (a 1-year term's full commitment), USD.
    pub cost_usd: f64,
}

/// Why a workload is in no pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutsideReason {
    /// It has no eligible option: left out of every total.
    NoEligibleOption,
    /// A scenario moved it to Batch (per-token).
    MovedToBatch,
    /// In some month neither a PTU count meeting the targets nor a Standard option serves it.
    UnservedMonth,
    /// No provisioned type is offered for its model and region.
    NoProvisionedType,
}

/// A member's share of a pool over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Chargeback {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Share of the PTU-weighted tokens the pool's deployments served.
    pub share_of_consumed_ptu_capacity: f64,
    /// Its share of the PTU cost (1-year amortized and flex), USD.
    pub ptu_cost_usd: f64,
    /// Its own spillover and Standard cost, USD.
    pub standard_cost_usd: f64,
    /// Both, USD.
    pub cost_usd: f64,
}

/// A workload outside the pools.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideWorkload {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Region.
    pub region: String,
    /// Why it is in no pool.
    pub reason: OutsideReason,
    /// Its recommended option at the horizon.
    pub option: Option<String>,
    /// Its cost per month, USD (0 from the month its model retires, `retired_from_month`).
    pub monthly_cost_usd: Vec<f64>,
    /// The first month after its model's retirement, if within the horizon.
    pub retired_from_month: Option<u32>,
    /// Per month, the recommended option's type and the tokens over the log's span (for
    /// projections; not in the JSON).
    pub monthly_tokens: Vec<(Option<DeploymentTypeId>, TokenTally)>,
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
