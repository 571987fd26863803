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
//! Assumptions (stated in every output, [`ASSUMPTIONS`]): reservations match by region and
//! deployment type, not model, and are not exchanged between types; a deployment's size change
//! takes effect within the hour, so months do not overlap; quota and capacity availability are
//! not simulated; a 1-year tranche costs its whole term, months after the horizon included.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cost::{Billing, HOURS_PER_MONTH};
use super::WorkloadPlan;
use crate::catalog::accounting::TokenTally;
use crate::catalog::{Catalog, DeploymentTypeId, PtuPrice};

/// The assumptions every ladder states.
pub const ASSUMPTIONS: [&str; 8] = [
    "month 1 holds exactly the 1-year reservations the log's decisions buy now (none when they commit nothing); later purchases follow the scenario's growth and are planned at the bucket window in use only, so check each against the band with a run on that month's log before buying",
    "reservations are bought per region and deployment type and match any model there (U8); they are never exchanged between deployment types: the sources disagree on whether that is possible (U8, U9, S9)",
    "a deployment's size changes take effect within the hour (PTU-hours are prorated by the minute, S4), so each month is planned on its own",
    "PTU quota and regional capacity are not simulated: a count the plan holds may not be deployable when you buy it",
    "expiring 1-year reservations renew (auto-renew, U9), so the 1-year level never falls; each 1-year tranche costs its whole term, months after the horizon included",
    "PTUs above the 1-year level are 1-month reservations, or hourly where that is cheaper for a whole 730-hour month",
    "each workload joins the pool of the provisioned type that costs it least on 1-year prices at the end of the horizon; months between simulated months use the next simulated month's traffic",
    "a workload with no PTUs runs on Standard at its per-token price; a workload's share of a pool's PTU cost is its share of the PTU-weighted tokens the pool's deployments served",
];

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
}

/// The plan (JSON `scenarios[].ladder`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LadderPlan {
    /// Months planned.
    pub horizon_months: u32,
    /// Months whose traffic was simulated.
    pub months_simulated: Vec<u32>,
    /// Every modelling assumption.
    pub assumptions: Vec<String>,
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
}

/// One pool's plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
}

/// One month of a pool.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LadderMonth {
    /// Month (1 = the first month after the log).
    pub month: u32,
    /// The simulated month whose traffic it uses.
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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthShare {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Its deployed PTUs (0: on Standard).
    pub ptus: u32,
    /// Its spillover (or, without PTUs, Standard) cost, USD.
    pub standard_cost_usd: f64,
    /// Its share of the pool's PTU cost, USD.
    pub ptu_cost_usd: f64,
    /// The tokens billed per token (spilled, or all of them without PTUs), over the log's
    /// span (for projections; not in the JSON).
    #[serde(skip)]
    pub tokens: TokenTally,
    /// Where they are billed (the Standard type).
    #[serde(skip)]
    pub token_type: Option<DeploymentTypeId>,
}

/// A 1-year reservation purchase.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Purchase {
    /// Month bought (it covers that month and the next 11, renewed after).
    pub month: u32,
    /// PTUs.
    pub ptus: u32,
    /// 1-year terms it is held for within the horizon (renewals included).
    pub terms: u32,
    /// What the purchase and its renewals cost, USD.
    pub cost_usd: f64,
}

/// The best choice that does not change over the horizon.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StaticChoice {
    /// Billing of the PTUs (`per-token` for none).
    pub billing: Billing,
    /// PTUs held every month.
    pub ptus: u32,
    /// Its cost over the horizon (a 1-year term's full commitment), USD.
    pub cost_usd: f64,
    /// In words.
    pub description: String,
}

/// A member's share of a pool over the horizon.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutsideWorkload {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// Region.
    pub region: String,
    /// Why it is in no pool.
    pub reason: String,
    /// Its recommended option at the horizon.
    pub option: Option<String>,
    /// Its cost per month, USD.
    pub monthly_cost_usd: Vec<f64>,
    /// Per month, the recommended option's type and the tokens over the log's span (for
    /// projections; not in the JSON).
    #[serde(skip)]
    pub monthly_tokens: Vec<(Option<DeploymentTypeId>, TokenTally)>,
}

/// One choice of a workload in one simulated month.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// A member with its choices per simulated month.
struct Member {
    deployment: String,
    model: String,
    choices: Vec<Vec<Choice>>,
}

/// Plan the ladder.
pub fn plan_ladder(catalog: &Catalog, input: &LadderInput<'_>) -> LadderPlan {
    let h = input.horizon_months.max(1);
    let month_level: Vec<usize> = (1..=h)
        .map(|m| {
            input
                .levels
                .iter()
                .position(|l| *l >= m)
                .unwrap_or(input.levels.len().saturating_sub(1))
        })
        .collect();
    let mut pools: BTreeMap<(String, DeploymentTypeId), Vec<Member>> = BTreeMap::new();
    let mut outside = Vec::new();
    for w in &input.workloads {
        let pooled = pool_type(w).filter(|_| !w.batch).map(|t| {
            let choices: Vec<Vec<Choice>> = w
                .plans
                .iter()
                .map(|p| choices(catalog, p, t, input))
                .collect();
            (t, choices)
        });
        match pooled {
            // A workload no count and no Standard option can serve in some month stays at
            // its decided option (which says why).
            Some((t, choices)) if choices.iter().all(|c| !c.is_empty()) => {
                pools
                    .entry((w.region.clone(), t))
                    .or_default()
                    .push(Member {
                        deployment: w.deployment.clone(),
                        model: w.model.clone(),
                        choices,
                    });
            }
            Some(_) => outside.push(outside_workload(
                w,
                &month_level,
                "in some month neither a PTU count meeting the targets nor a Standard option serves it",
            )),
            None => outside.push(outside_workload(
                w,
                &month_level,
                "no provisioned type is offered for its model and region",
            )),
        }
    }
    let pools: Vec<LadderPool> = pools
        .into_iter()
        .filter_map(|((region, t), members)| {
            let price = catalog.ptu_price(t, &region)?;
            let decided = Some(
                input
                    .decided_1_year_ptus
                    .get(&(region.clone(), t))
                    .copied()
                    .unwrap_or(0),
            );
            Some(plan_pool(
                region,
                t,
                price,
                &members,
                (&month_level, &input.levels),
                decided,
            ))
        })
        .collect();
    let mut monthly = vec![0.0; h as usize];
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
    LadderPlan {
        horizon_months: h,
        months_simulated: input.levels.clone(),
        assumptions: ASSUMPTIONS.iter().map(|s| (*s).to_owned()).collect(),
        pools,
        outside_pools: outside,
        monthly_cost_usd: monthly,
        horizon_cost_usd: horizon,
        committed_after_horizon_usd: committed,
        plan_cost_usd: horizon + committed,
        best_static_cost_usd: best_static,
        savings_vs_static_usd: best_static - horizon - committed,
    }
}

/// The provisioned type a workload pools in: the one whose cheapest 1-year count costs least
/// at the last simulated month.
fn pool_type(w: &LadderWorkload<'_>) -> Option<DeploymentTypeId> {
    let last = w.plans.last()?;
    last.sizing
        .iter()
        // A type whose availability is only inferred is never a pool to reserve in.
        .filter(|(t, _)| {
            last.options
                .iter()
                .any(|o| o.deployment_type == **t && o.is_confirmed_available())
        })
        .filter_map(|(t, s)| {
            s.curve
                .iter()
                .map(|p| p.cost_1_year_usd)
                .min_by(f64::total_cmp)
                .map(|c| (*t, c))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

fn outside_workload(w: &LadderWorkload<'_>, month_level: &[usize], why: &str) -> OutsideWorkload {
    let rec = |p: &'_ WorkloadPlan| p.decided_option().cloned();
    let cost_at = |p: &WorkloadPlan| rec(p).and_then(|o| o.monthly_cost_usd).unwrap_or(0.0);
    let reason = match w.plans.last().and_then(|p| rec(p)) {
        None => "no eligible option: left out of every total (not a $0 workload)".to_owned(),
        Some(_) if w.batch => "moved to Batch (per-token)".to_owned(),
        Some(_) => why.to_owned(),
    };
    OutsideWorkload {
        deployment: w.deployment.clone(),
        model: w.model.clone(),
        region: w.region.clone(),
        reason,
        option: w
            .plans
            .last()
            .and_then(|p| p.decision.option.as_ref().map(|o| o.option_id.clone())),
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
) -> Vec<Choice> {
    let monthly = |span_usd: f64| super::cost::monthly_usd(span_usd, input.span_hours);
    let demand_tokens = p.mean_weighted_tpm * 60.0 * HOURS_PER_MONTH;
    let mut out = Vec::new();
    if let Some((std, std_type, billed)) = standard_fallback(catalog, p, t) {
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
    if let Some(s) = p.sizing.get(&t) {
        for point in &s.curve {
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
    p: &WorkloadPlan,
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
            p.options
                .iter()
                .filter(usable)
                .find(|o| o.deployment_type == target)
        })
        .or_else(|| {
            p.options
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
                .map(|c| (c, o.deployment_type, o.billed_tokens.unwrap_or(p.tally)))
        })
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// One simulated month of a pool: the cheapest way to serve its members with exactly `t`
/// units of PTUs (`cost[t]`), and each member's choice for it.
struct MonthTable {
    cost: Vec<f64>,
    /// `pick[w][t]`: member w's choice index when members 0..=w use t units.
    pick: Vec<Vec<u32>>,
}

fn units_of(ptus: u32, unit: u32) -> usize {
    ptus.div_ceil(unit) as usize
}

fn month_table(members: &[Member], level: usize, unit: u32, units: usize) -> MonthTable {
    let mut cost = vec![f64::INFINITY; units + 1];
    cost[0] = 0.0;
    let mut pick = Vec::with_capacity(members.len());
    for m in members {
        let mut next = vec![f64::INFINITY; units + 1];
        let mut chosen = vec![u32::MAX; units + 1];
        for (ci, c) in m.choices[level].iter().enumerate() {
            let du = units_of(c.ptus, unit);
            for t in du..=units {
                let v = cost[t - du] + c.standard_usd;
                if v < next[t] {
                    next[t] = v;
                    chosen[t] = ci as u32;
                }
            }
        }
        cost = next;
        pick.push(chosen);
    }
    MonthTable { cost, pick }
}

/// Each member's choice when the pool deploys `t` units in total.
fn allocation(
    members: &[Member],
    table: &MonthTable,
    level: usize,
    unit: u32,
    t: usize,
) -> Vec<Choice> {
    let mut out = vec![
        Choice {
            ptus: 0,
            standard_usd: 0.0,
            served_tokens: 0.0,
            tokens: TokenTally::default(),
            token_type: None,
        };
        members.len()
    ];
    let mut rest = t;
    for w in (0..members.len()).rev() {
        let Some(c) = members[w].choices[level]
            .get(table.pick[w][rest] as usize)
            .copied()
        else {
            continue;
        };
        out[w] = c;
        rest -= units_of(c.ptus, unit);
    }
    out
}

/// For a month: the cheapest cost with `y` units on 1-year reservations, and the units deployed.
fn month_cost(table: &MonthTable, flex_usd_per_unit: f64) -> (Vec<f64>, Vec<usize>) {
    let n = table.cost.len();
    // Deploy at most y: the reservation covers it.
    let mut below = vec![(f64::INFINITY, 0usize); n];
    let mut best = (f64::INFINITY, 0);
    for (t, c) in table.cost.iter().enumerate() {
        if *c < best.0 {
            best = (*c, t);
        }
        below[t] = best;
    }
    // Deploy more than y: the excess is flex.
    let mut above = vec![(f64::INFINITY, 0usize); n];
    let mut best = (f64::INFINITY, 0);
    for t in (0..n).rev() {
        if t + 1 < n {
            let g = table.cost[t + 1] + (t + 1) as f64 * flex_usd_per_unit;
            if g < best.0 {
                best = (g, t + 1);
            }
        }
        above[t] = (best.0 - t as f64 * flex_usd_per_unit, best.1);
    }
    below
        .iter()
        .zip(&above)
        .map(|(b, a)| if b.0 <= a.0 { *b } else { *a })
        .unzip()
}

fn plan_pool(
    region: String,
    t: DeploymentTypeId,
    price: &PtuPrice,
    members: &[Member],
    (month_level, levels): (&[usize], &[u32]),
    decided_1_year_ptus: Option<u32>,
) -> LadderPool {
    let h = month_level.len();
    let mut unit = members
        .iter()
        .flat_map(|m| m.choices.iter().flatten())
        .map(|c| c.ptus)
        .chain(decided_1_year_ptus)
        .filter(|p| *p > 0)
        .fold(0, gcd)
        .max(1);
    let max_ptus: u32 = members
        .iter()
        .map(|m| {
            m.choices
                .iter()
                .flatten()
                .map(|c| c.ptus)
                .max()
                .unwrap_or(0)
        })
        .sum();
    if max_ptus as usize / unit as usize > MAX_UNITS {
        unit *= (max_ptus as usize / unit as usize).div_ceil(MAX_UNITS) as u32;
    }
    let units = units_of(max_ptus.max(decided_1_year_ptus.unwrap_or(0)), unit);
    let decided_units = decided_1_year_ptus.map(|d| units_of(d, unit).min(units));
    let hourly_month = price.usd_per_ptu_hour * HOURS_PER_MONTH;
    let (flex_billing, flex_per_ptu) = if hourly_month < price.reservation_1_month_usd_per_ptu {
        (Billing::Hourly, hourly_month)
    } else {
        (
            Billing::Reserved1Month,
            price.reservation_1_month_usd_per_ptu,
        )
    };
    let year = price.reservation_1_year_usd_per_ptu;
    let u = f64::from(unit);
    let tables: Vec<MonthTable> = (0..levels.len())
        .map(|l| month_table(members, l, unit, units))
        .collect();
    let month_costs: Vec<(Vec<f64>, Vec<usize>)> = tables
        .iter()
        .map(|tb| month_cost(tb, flex_per_ptu * u))
        .collect();
    // Months of 1-year terms a unit bought in month b (1-based) is held for, renewals included.
    let terms = |b: usize| ((h - b + 1) as u32).div_ceil(12);
    // Forward DP over the 1-year level y (non-decreasing).
    // Before month 1 nothing is reserved.
    let mut value = vec![f64::INFINITY; units + 1];
    value[0] = 0.0;
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(h);
    for (mi, &level) in month_level.iter().enumerate() {
        let k = year * f64::from(terms(mi + 1)) * u;
        let mut next = vec![f64::INFINITY; units + 1];
        let mut from = vec![0u32; units + 1];
        let mut best = (f64::INFINITY, 0usize);
        for y in 0..=units {
            let candidate = value[y] - y as f64 * k;
            if candidate < best.0 {
                best = (candidate, y);
            }
            next[y] = month_costs[level].0[y] + best.0 + y as f64 * k;
            from[y] = best.1 as u32;
            // Month 1 holds what the decisions buy now, neither more nor less.
            if mi == 0 && decided_units.is_some_and(|d| y != d) {
                next[y] = f64::INFINITY;
            }
        }
        value = next;
        back.push(from);
    }
    let (mut y, _) = value
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map_or((0, 0.0), |(i, v)| (i, *v));
    let mut levels_y = vec![0usize; h];
    for mi in (0..h).rev() {
        levels_y[mi] = y;
        y = back[mi][y] as usize;
    }
    let mut purchases = Vec::new();
    let mut months = Vec::with_capacity(h);
    let mut prev = 0usize;
    let mut committed_total = 0.0;
    for (mi, &yl) in levels_y.iter().enumerate() {
        if yl > prev {
            let ptus = ((yl - prev) as u32) * unit;
            let n = terms(mi + 1);
            committed_total += f64::from(ptus) * year * f64::from(n);
            purchases.push(Purchase {
                month: mi as u32 + 1,
                ptus,
                terms: n,
                cost_usd: f64::from(ptus) * year * f64::from(n),
            });
        }
        prev = yl;
        let level = month_level[mi];
        let deployed = month_costs[level].1[yl];
        let alloc = allocation(members, &tables[level], level, unit, deployed);
        months.push(month_row(
            mi as u32 + 1,
            levels[level],
            (yl as u32 * unit, deployed as u32 * unit),
            (year, flex_per_ptu),
            members,
            &alloc,
        ));
    }
    let horizon: f64 = months.iter().map(|m| m.cost_usd).sum();
    let amortized: f64 = months.iter().map(|m| m.reserved_1_year_cost_usd).sum();
    let committed_after = (committed_total - amortized).max(0.0);
    let best_static = best_static(&tables, month_level, unit, price, h as u32);
    let plan_cost = horizon + committed_after;
    LadderPool {
        region,
        deployment_type: t,
        flex_billing,
        unit_ptus: unit,
        chargeback: chargeback(members, &months),
        months,
        purchases,
        horizon_cost_usd: horizon,
        committed_after_horizon_usd: committed_after,
        plan_cost_usd: plan_cost,
        savings_vs_static_usd: best_static.cost_usd - plan_cost,
        best_static,
    }
}

fn month_row(
    month: u32,
    simulated_month: u32,
    (reserved, deployed): (u32, u32),
    (year, flex_per_ptu): (f64, f64),
    members: &[Member],
    alloc: &[Choice],
) -> LadderMonth {
    let flex = deployed.saturating_sub(reserved);
    let reserved_cost = f64::from(reserved) * year / 12.0;
    let flex_cost = f64::from(flex) * flex_per_ptu;
    let ptu_cost = reserved_cost + flex_cost;
    let served: f64 = alloc.iter().map(|c| c.served_tokens).sum();
    let deployed_sum: u32 = alloc.iter().map(|c| c.ptus).sum();
    let share = |c: &Choice| {
        if served > 0.0 {
            c.served_tokens / served
        } else if deployed_sum > 0 {
            f64::from(c.ptus) / f64::from(deployed_sum)
        } else {
            0.0
        }
    };
    let (mut spill, mut standard) = (0.0, 0.0);
    let workloads = members
        .iter()
        .zip(alloc)
        .map(|(m, c)| {
            if c.ptus > 0 {
                spill += c.standard_usd;
            } else {
                standard += c.standard_usd;
            }
            MonthShare {
                deployment: m.deployment.clone(),
                model: m.model.clone(),
                ptus: c.ptus,
                standard_cost_usd: c.standard_usd,
                ptu_cost_usd: ptu_cost * share(c),
                tokens: c.tokens,
                token_type: c.token_type,
            }
        })
        .collect();
    LadderMonth {
        month,
        simulated_month,
        reserved_1_year_ptus: reserved,
        flex_ptus: flex,
        deployed_ptus: deployed,
        unused_reserved_ptus: reserved.saturating_sub(deployed),
        reserved_1_year_cost_usd: reserved_cost,
        flex_cost_usd: flex_cost,
        spillover_cost_usd: spill,
        standard_cost_usd: standard,
        cost_usd: ptu_cost + spill + standard,
        workloads,
    }
}

/// The cheapest choice held every month: N PTUs on one billing (deploying at most N), or none.
fn best_static(
    tables: &[MonthTable],
    month_level: &[usize],
    unit: u32,
    price: &PtuPrice,
    h: u32,
) -> StaticChoice {
    let units = tables.first().map_or(0, |t| t.cost.len().saturating_sub(1));
    // Per simulated month: the cheapest cost deploying at most n units.
    let prefix: Vec<Vec<f64>> = tables
        .iter()
        .map(|t| {
            let mut best = f64::INFINITY;
            t.cost
                .iter()
                .map(|c| {
                    best = best.min(*c);
                    best
                })
                .collect()
        })
        .collect();
    let mut choice = StaticChoice {
        billing: Billing::PerToken,
        ptus: 0,
        cost_usd: f64::INFINITY,
        description: String::new(),
    };
    for n in 0..=units {
        let standard: f64 = month_level
            .iter()
            .map(|&l| prefix.get(l).and_then(|row| row.get(n)).copied())
            .map(|c| c.unwrap_or(f64::INFINITY))
            .sum();
        let ptus = n as u32 * unit;
        let p = f64::from(ptus);
        let options = [
            (
                Billing::Reserved1Year,
                p * price.reservation_1_year_usd_per_ptu * f64::from(h.div_ceil(12)),
            ),
            (
                Billing::Reserved1Month,
                p * price.reservation_1_month_usd_per_ptu * f64::from(h),
            ),
            (
                Billing::Hourly,
                p * price.usd_per_ptu_hour * HOURS_PER_MONTH * f64::from(h),
            ),
        ];
        for (billing, ptu_cost) in options {
            let total = standard + ptu_cost;
            if total < choice.cost_usd - 1e-9 {
                choice = StaticChoice {
                    billing: if ptus == 0 {
                        Billing::PerToken
                    } else {
                        billing
                    },
                    ptus,
                    cost_usd: total,
                    description: String::new(),
                };
            }
        }
    }
    choice.description = if choice.ptus == 0 {
        "no PTUs: every workload on Standard".to_owned()
    } else {
        format!(
            "{} PTUs on {} every month",
            choice.ptus,
            match choice.billing {
                Billing::Reserved1Year => "a 1-year reservation",
                Billing::Reserved1Month => "1-month reservations",
                _ => "hourly billing",
            }
        )
    };
    choice
}

fn chargeback(members: &[Member], months: &[LadderMonth]) -> Vec<Chargeback> {
    let total_ptu: f64 = months
        .iter()
        .map(|m| m.reserved_1_year_cost_usd + m.flex_cost_usd)
        .sum();
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let ptu: f64 = months.iter().map(|mo| mo.workloads[i].ptu_cost_usd).sum();
            let standard: f64 = months
                .iter()
                .map(|mo| mo.workloads[i].standard_cost_usd)
                .sum();
            Chargeback {
                deployment: m.deployment.clone(),
                model: m.model.clone(),
                share_of_consumed_ptu_capacity: if total_ptu > 0.0 {
                    ptu / total_ptu
                } else {
                    0.0
                },
                ptu_cost_usd: ptu,
                standard_cost_usd: standard,
                cost_usd: ptu + standard,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price() -> PtuPrice {
        crate::plan::cost::test_global_price()
    }

    fn choice(ptus: u32, standard_usd: f64) -> Choice {
        Choice {
            ptus,
            standard_usd,
            served_tokens: f64::from(ptus),
            tokens: TokenTally::default(),
            token_type: None,
        }
    }

    #[test]
    fn knapsack_picks_the_cheapest_split_for_each_total() {
        let members = vec![
            Member {
                deployment: "a".into(),
                model: "m".into(),
                choices: vec![vec![choice(0, 1000.0), choice(15, 100.0), choice(20, 0.0)]],
            },
            Member {
                deployment: "b".into(),
                model: "m".into(),
                choices: vec![vec![choice(0, 500.0), choice(15, 0.0)]],
            },
        ];
        let t = month_table(&members, 0, 5, 7);
        assert_eq!(t.cost[0], 1500.0);
        // 15 PTUs: to a (saves 900), not to b (saves 500).
        assert_eq!(t.cost[3], 600.0);
        let alloc = allocation(&members, &t, 0, 5, 3);
        assert_eq!(
            alloc.iter().map(|c| c.ptus).collect::<Vec<_>>(),
            vec![15, 0]
        );
        assert_eq!(t.cost[7], 0.0);
    }

    /// A hand-built two-level load: a steady base needing 100 PTUs every month, and short
    /// peaks worth another 100 PTUs whose spillover costs less than holding PTUs for them.
    /// The plan reserves the base for a year and spills the peaks; no static choice beats it.
    #[test]
    fn issue_11_reservations_take_the_base_and_spillover_the_peaks() {
        // Choices per month: 100 PTUs spill the peaks at 5,000 USD a month; 200 PTUs serve
        // everything. Holding 100 more PTUs costs at least 100 x 221 = 22,100 a month.
        let month = vec![choice(0, 60_000.0), choice(100, 5_000.0), choice(200, 0.0)];
        let members = vec![Member {
            deployment: "chat".into(),
            model: "gpt-4.1".into(),
            choices: vec![month],
        }];
        let levels = [12u32];
        let month_level = vec![0usize; 12];
        let pool = plan_pool(
            "eastus2".into(),
            DeploymentTypeId::GlobalProvisioned,
            &price(),
            &members,
            (&month_level, &levels),
            None,
        );
        assert_eq!(pool.unit_ptus, 100);
        assert_eq!(pool.purchases.len(), 1);
        assert_eq!((pool.purchases[0].month, pool.purchases[0].ptus), (1, 100));
        for m in &pool.months {
            assert_eq!((m.reserved_1_year_ptus, m.flex_ptus), (100, 0));
            assert_eq!(m.spillover_cost_usd, 5_000.0);
            assert!((m.cost_usd - (100.0 * 221.0 + 5_000.0)).abs() < 1e-6);
        }
        assert!((pool.plan_cost_usd - (100.0 * 2652.0 + 12.0 * 5_000.0)).abs() < 1e-6);
        assert_eq!(pool.committed_after_horizon_usd, 0.0);
        // The best static choice here is the same reservation: no saving, and never a loss.
        assert_eq!(pool.best_static.billing, Billing::Reserved1Year);
        assert_eq!(pool.best_static.ptus, 100);
        assert!(pool.savings_vs_static_usd.abs() < 1e-6);
        assert_eq!(pool.chargeback[0].cost_usd, pool.horizon_cost_usd);
    }

    /// Month 1 is the decision: with none bought now the plan holds no 1-year PTUs in month
    /// 1 (whatever it would rather do) and may buy later; with 200 decided it holds 200.
    #[test]
    fn issue_18_month_1_holds_what_the_decision_buys() {
        let month = vec![choice(0, 60_000.0), choice(100, 5_000.0), choice(200, 0.0)];
        let members = vec![Member {
            deployment: "chat".into(),
            model: "gpt-4.1".into(),
            choices: vec![month],
        }];
        let levels = [12u32];
        let month_level = vec![0usize; 12];
        let plan = |decided| {
            plan_pool(
                "eastus2".into(),
                DeploymentTypeId::GlobalProvisioned,
                &price(),
                &members,
                (&month_level, &levels),
                decided,
            )
        };
        let none = plan(Some(0));
        assert_eq!(none.months[0].reserved_1_year_ptus, 0);
        assert!(
            none.purchases.iter().all(|b| b.month > 1),
            "{:?}",
            none.purchases
        );
        let two = plan(Some(200));
        assert_eq!(two.months[0].reserved_1_year_ptus, 200);
        assert_eq!((two.purchases[0].month, two.purchases[0].ptus), (1, 200));
    }

    /// Growth over a horizon: month by month the need rises from 100 to 300 PTUs. The plan
    /// reserves what months 1-12 share for a year, covers the rise with 1-month
    /// reservations, and beats every static choice.
    #[test]
    fn issue_11_growth_is_covered_by_a_ladder_of_terms() {
        let levels: Vec<u32> = (1..=12).collect();
        let month_level: Vec<usize> = (0..12).collect();
        let choices: Vec<Vec<Choice>> = levels
            .iter()
            .map(|m| {
                let need = 100 + 20 * (*m - 1).min(10); // 100 .. 300
                vec![choice(0, 1e7), choice(need, 0.0), choice(need + 20, 0.0)]
            })
            .collect();
        let members = vec![Member {
            deployment: "chat".into(),
            model: "gpt-4.1".into(),
            choices,
        }];
        let pool = plan_pool(
            "eastus2".into(),
            DeploymentTypeId::GlobalProvisioned,
            &price(),
            &members,
            (&month_level, &levels),
            None,
        );
        let ys: Vec<u32> = pool.months.iter().map(|m| m.reserved_1_year_ptus).collect();
        assert!(ys.windows(2).all(|w| w[0] <= w[1]), "{ys:?}");
        for m in &pool.months {
            let need = 100 + 20 * (m.month - 1).min(10);
            assert_eq!(m.deployed_ptus, need, "month {}", m.month);
            assert_eq!(m.reserved_1_year_ptus + m.flex_ptus, need);
        }
        // A 1-year PTU costs 2,652 vs 12 x 260 = 3,120 on 1-month terms: every PTU needed in
        // (almost) all months is reserved for the year; the late rise is 1-month.
        assert!(pool.months[0].reserved_1_year_ptus >= 100);
        assert!(pool.months[11].flex_ptus > 0);
        assert!(pool.savings_vs_static_usd > 0.0, "{:?}", pool.best_static);
        assert_eq!(pool.best_static.ptus, 300);
    }
}
