//! The reservation plan's results, as the plan hands them to the report (its JSON is built
//! from them in `report::contract::ladder`): the plan, its pools month by month, purchases
//! and the rules they fail, retired members, the best static choice, the chargeback and the
//! workloads outside the pools.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::accounting::TokenTally;
use crate::catalog::DeploymentTypeId;
use crate::plan::cost::Billing;

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
    pub(super) fn new(month: u32, ptus: u32, terms: u32, year_usd_per_ptu: f64) -> Purchase {
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
