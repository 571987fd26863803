//! One pool of the reservation plan: per month, a multiple-choice knapsack over its members'
//! choices (each member at the simulated level its month uses), then a dynamic programme over
//! the months for the 1-year level, the months' rows, the best static choice and the
//! chargeback.

use std::collections::HashMap;

use super::{
    Chargeback, Choice, LadderMonth, LadderPool, MonthShare, Purchase, StaticChoice, MAX_UNITS,
};
use crate::catalog::accounting::TokenTally;
use crate::catalog::{DeploymentTypeId, PtuPrice};
use crate::plan::cost::{Billing, HOURS_PER_MONTH};
use crate::plan::WorkloadPlan;

/// The level of a month after the member's model retired: it is no longer served by the
/// pool (its one choice costs and holds nothing; the retirement scenario prices what replaces
/// it).
pub(super) const RETIRED: usize = usize::MAX;

/// A member of a pool: its choices per simulated level (at the window in use, and at each
/// other window of the band), the level each month uses, and the levels' traffic factors.
pub(super) struct Member<'a> {
    pub deployment: String,
    pub model: String,
    /// Its plan (its model's lifecycle).
    pub plan: &'a WorkloadPlan,
    /// Per level, its choices at the window in use.
    pub choices: Vec<Vec<Choice>>,
    /// Per other window of the band (seconds), per level, its choices there.
    pub band: Vec<(f64, Vec<Vec<Choice>>)>,
    /// Per month, the level it uses (the busier neighbour; [`RETIRED`] after its model's
    /// retirement).
    pub month_levels: Vec<usize>,
    /// Per month, the quieter neighbour (a lower bound on its traffic; [`RETIRED`] after its
    /// model's retirement): what a rung's saving is checked at.
    pub quiet_levels: Vec<usize>,
    /// Per level, the traffic factor against the log.
    pub level_factors: Vec<f64>,
    /// Per draw of the forecast, per month, the traffic factor (empty without a forecast).
    pub draws: Vec<Vec<f64>>,
    /// The one choice of a month after its model's retirement: nothing.
    pub retired: [Choice; 1],
}

impl Member<'_> {
    /// Its choices at `level` (None: the window in use; else the band's window index).
    pub fn at(&self, level: usize, window: Option<usize>) -> &[Choice] {
        if level == RETIRED {
            return &self.retired;
        }
        match window {
            None => &self.choices[level],
            Some(b) => &self.band[b].1[level],
        }
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// One month of a pool: the cheapest way to serve its members with exactly `t` units of PTUs
/// (`cost[t]`), and each member's choice for it.
pub(super) struct MonthTable {
    pub cost: Vec<f64>,
    /// `pick[w][t]`: member w's choice index when members 0..=w use t units.
    pick: Vec<Vec<u32>>,
}

pub(super) fn units_of(ptus: u32, unit: u32) -> usize {
    ptus.div_ceil(unit) as usize
}

/// The table of a month whose member `w` is at level `key[w]`, from `choices(w, level)`.
pub(super) fn month_table(
    members: &[Member<'_>],
    key: &[usize],
    window: Option<usize>,
    unit: u32,
    units: usize,
) -> MonthTable {
    let mut cost = vec![f64::INFINITY; units + 1];
    cost[0] = 0.0;
    let mut pick = Vec::with_capacity(members.len());
    for (m, &level) in members.iter().zip(key) {
        let mut next = vec![f64::INFINITY; units + 1];
        let mut chosen = vec![u32::MAX; units + 1];
        for (ci, c) in m.at(level, window).iter().enumerate() {
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
    members: &[Member<'_>],
    table: &MonthTable,
    key: &[usize],
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
        let Some(c) = members[w]
            .at(key[w], None)
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

/// For a month: the cheapest cost with `y` units on 1-year reservations (their price not
/// included), and the units deployed.
pub(super) fn month_cost(table: &MonthTable, flex_usd_per_unit: f64) -> (Vec<f64>, Vec<usize>) {
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

/// A pool's lattice: the PTU unit, the units spanned, and the prices.
pub(super) struct Lattice {
    pub unit: u32,
    pub units: usize,
    pub flex_billing: Billing,
    pub flex_per_ptu: f64,
    pub year: f64,
}

impl Lattice {
    pub(super) fn of(members: &[Member<'_>], price: &PtuPrice, decided: Option<u32>) -> Lattice {
        let every = members.iter().flat_map(|m| {
            m.choices
                .iter()
                .chain(m.band.iter().flat_map(|(_, c)| c))
                .flatten()
        });
        let mut unit = every
            .clone()
            .map(|c| c.ptus)
            .chain(decided)
            .filter(|p| *p > 0)
            .fold(0, gcd)
            .max(1);
        let max_ptus: u32 = members
            .iter()
            .map(|m| {
                m.choices
                    .iter()
                    .chain(m.band.iter().flat_map(|(_, c)| c))
                    .flatten()
                    .map(|c| c.ptus)
                    .max()
                    .unwrap_or(0)
            })
            .sum();
        if max_ptus as usize / unit as usize > MAX_UNITS {
            unit *= (max_ptus as usize / unit as usize).div_ceil(MAX_UNITS) as u32;
        }
        let units = units_of(max_ptus.max(decided.unwrap_or(0)), unit);
        let hourly_month = price.usd_per_ptu_hour * HOURS_PER_MONTH;
        let (flex_billing, flex_per_ptu) = if hourly_month < price.reservation_1_month_usd_per_ptu {
            (Billing::Hourly, hourly_month)
        } else {
            (
                Billing::Reserved1Month,
                price.reservation_1_month_usd_per_ptu,
            )
        };
        Lattice {
            unit,
            units,
            flex_billing,
            flex_per_ptu,
            year: price.reservation_1_year_usd_per_ptu,
        }
    }
}

/// The cost vectors of a pool's months for some assignment of members to levels, cached by
/// the assignment (many months and draws share one).
pub(super) struct Costs<'m> {
    members: &'m [Member<'m>],
    lattice: &'m Lattice,
    /// None: the window in use; else the index into each member's `band`.
    window: Option<usize>,
    cache: HashMap<Vec<usize>, Vec<f64>>,
}

impl<'m> Costs<'m> {
    pub(super) fn new(
        members: &'m [Member<'m>],
        lattice: &'m Lattice,
        window: Option<usize>,
    ) -> Self {
        Costs {
            members,
            lattice,
            window,
            cache: HashMap::new(),
        }
    }

    /// The month's cost with `y` 1-year units held, for every `y` (flex and spill included).
    pub(super) fn month(&mut self, key: &[usize]) -> &[f64] {
        let (members, lattice, window) = (self.members, self.lattice, self.window);
        self.cache.entry(key.to_vec()).or_insert_with(|| {
            let table = month_table(members, key, window, lattice.unit, lattice.units);
            month_cost(&table, lattice.flex_per_ptu * f64::from(lattice.unit)).0
        })
    }
}

/// Months of 1-year terms a unit bought in month `b` (1-based) of `h` is held for, renewals
/// included.
pub(super) fn terms(h: usize, b: usize) -> u32 {
    ((h - b + 1) as u32).div_ceil(12)
}

/// Each month's member levels.
pub(super) fn month_keys(members: &[Member<'_>], h: usize) -> Vec<Vec<usize>> {
    (0..h)
        .map(|mi| members.iter().map(|m| m.month_levels[mi]).collect())
        .collect()
}

/// Each month's member levels at the quieter neighbours.
pub(super) fn quiet_keys(members: &[Member<'_>], h: usize) -> Vec<Vec<usize>> {
    (0..h)
        .map(|mi| members.iter().map(|m| m.quiet_levels[mi]).collect())
        .collect()
}

/// Plan a pool: the 1-year level each month (month 1 held at what the decisions buy now,
/// when given; no purchase in a `frozen` month), the months' rows, the purchases (their rule
/// figures not filled in), the best static choice, the chargeback.
pub(super) fn plan_pool(
    (region, t): (String, DeploymentTypeId),
    (price, lattice): (&PtuPrice, &Lattice),
    members: &[Member<'_>],
    (h, labels): (usize, &[u32]),
    decided_1_year_ptus: Option<u32>,
    frozen: &[bool],
) -> (LadderPool, Vec<usize>) {
    let (unit, units, year) = (lattice.unit, lattice.units, lattice.year);
    let decided_units = decided_1_year_ptus.map(|d| units_of(d, unit).min(units));
    let u = f64::from(unit);
    let keys = month_keys(members, h);
    let month_costs: Vec<(Vec<f64>, Vec<usize>)> = keys
        .iter()
        .map(|k| {
            let table = month_table(members, k, None, unit, units);
            month_cost(&table, lattice.flex_per_ptu * u)
        })
        .collect();
    // Forward DP over the 1-year level y (non-decreasing). Before month 1 nothing is reserved.
    let mut value = vec![f64::INFINITY; units + 1];
    value[0] = 0.0;
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(h);
    for (mi, costs) in month_costs.iter().enumerate() {
        let k = year * f64::from(terms(h, mi + 1)) * u;
        let mut next = vec![f64::INFINITY; units + 1];
        let mut from = vec![0u32; units + 1];
        let mut best = (f64::INFINITY, 0usize);
        for y in 0..=units {
            let candidate = value[y] - y as f64 * k;
            if candidate < best.0 {
                best = (candidate, y);
            }
            next[y] = costs.0[y] + best.0 + y as f64 * k;
            from[y] = best.1 as u32;
            // A frozen month buys nothing: the level stays.
            if mi > 0 && frozen.get(mi).copied().unwrap_or(false) {
                next[y] = costs.0[y] + value[y];
                from[y] = y as u32;
            }
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
            let n = terms(h, mi + 1);
            committed_total += f64::from(ptus) * year * f64::from(n);
            purchases.push(Purchase::new(mi as u32 + 1, ptus, n, year));
        }
        prev = yl;
        let key = &keys[mi];
        let deployed = month_costs[mi].1[yl];
        let table = month_table(members, key, None, unit, units);
        let alloc = allocation(members, &table, key, unit, deployed);
        let simulated = key
            .iter()
            .filter_map(|l| labels.get(*l))
            .max()
            .copied()
            .unwrap_or(0);
        months.push(month_row(
            (mi as u32 + 1, simulated),
            (yl as u32 * unit, deployed as u32 * unit),
            (year, lattice.flex_per_ptu),
            members,
            key,
            &alloc,
        ));
    }
    let horizon: f64 = months.iter().map(|m| m.cost_usd).sum();
    let amortized: f64 = months.iter().map(|m| m.reserved_1_year_cost_usd).sum();
    let committed_after = (committed_total - amortized).max(0.0);
    let best_static = best_static(members, &keys, lattice, price, h as u32);
    let plan_cost = horizon + committed_after;
    let pool = LadderPool {
        region,
        deployment_type: t,
        flex_billing: lattice.flex_billing,
        unit_ptus: unit,
        rejected_purchases: Vec::new(),
        retired: Vec::new(),
        chargeback: chargeback(members, &months),
        unallocated_ptu_cost_usd: unallocated(members, &months),
        months,
        purchases,
        horizon_cost_usd: horizon,
        committed_after_horizon_usd: committed_after,
        plan_cost_usd: plan_cost,
        savings_vs_static_usd: best_static.cost_usd - plan_cost,
        best_static,
    };
    (pool, levels_y)
}

fn month_row(
    (month, simulated_month): (u32, u32),
    (reserved, deployed): (u32, u32),
    (year, flex_per_ptu): (f64, f64),
    members: &[Member<'_>],
    key: &[usize],
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
        .zip(key)
        .map(|((m, c), level)| {
            if c.ptus > 0 {
                spill += c.standard_usd;
            } else {
                standard += c.standard_usd;
            }
            MonthShare {
                deployment: m.deployment.clone(),
                model: m.model.clone(),
                traffic_factor: m.level_factors.get(*level).copied().unwrap_or(0.0),
                retired: *level == RETIRED,
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
    members: &[Member<'_>],
    keys: &[Vec<usize>],
    lattice: &Lattice,
    price: &PtuPrice,
    h: u32,
) -> StaticChoice {
    let units = lattice.units;
    // Per month: the cheapest cost deploying at most n units.
    let prefix: Vec<Vec<f64>> = keys
        .iter()
        .map(|k| {
            let t = month_table(members, k, None, lattice.unit, units);
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
    };
    for n in 0..=units {
        let standard: f64 = prefix
            .iter()
            .map(|row| row.get(n).copied().unwrap_or(f64::INFINITY))
            .sum();
        let ptus = n as u32 * lattice.unit;
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
                };
            }
        }
    }
    choice
}

/// The pool's PTU cost over the horizon charged to no member (months no member deploys on).
fn unallocated(members: &[Member<'_>], months: &[LadderMonth]) -> f64 {
    let total: f64 = months
        .iter()
        .map(|m| m.reserved_1_year_cost_usd + m.flex_cost_usd)
        .sum();
    let charged: f64 = (0..members.len())
        .map(|i| {
            months
                .iter()
                .map(|mo| mo.workloads[i].ptu_cost_usd)
                .sum::<f64>()
        })
        .sum();
    // Below a cent: rounding of the shares.
    Some(total - charged).filter(|u| *u >= 0.005).unwrap_or(0.0)
}

fn chargeback(members: &[Member<'_>], months: &[LadderMonth]) -> Vec<Chargeback> {
    // Shares of what the members consumed: months no member deploys on charge no one.
    let total_ptu: f64 = months
        .iter()
        .flat_map(|m| m.workloads.iter().map(|s| s.ptu_cost_usd))
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
