//! JSON `scenarios[].ladder`: the reservation plan over a growth scenario's horizon, per pool
//! month by month, with its purchases, the workloads outside pools and the chargeback.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::DeploymentTypeId;
use crate::plan::ladder as plan;
use crate::plan::Billing;

/// JSON `scenarios[].ladder`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ladder {
    /// Where the growth comes from: `flag`, `file` or `forecast`.
    pub growth_source: plan::GrowthSource,
    /// Months planned.
    pub horizon_months: u32,
    /// Months whose traffic was simulated (empty on the forecast, whose levels are traffic
    /// factors: `traffic_factors_simulated`).
    pub months_simulated: Vec<u32>,
    /// On the forecast: the traffic factors (against the log) simulated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traffic_factors_simulated: Vec<f64>,
    /// Every modelling assumption.
    pub assumptions: Vec<String>,
    /// One per region x provisioned type with members.
    pub pools: Vec<Pool>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Ladder {
    /// The contract of a reservation plan.
    pub fn from_plan(l: &plan::LadderPlan) -> Ladder {
        Ladder {
            growth_source: l.growth_source,
            horizon_months: l.horizon_months,
            months_simulated: l.months_simulated.clone(),
            traffic_factors_simulated: l.traffic_factors_simulated.clone(),
            assumptions: crate::report::text::LADDER_ASSUMPTIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            pools: l.pools.iter().map(Pool::from_plan).collect(),
            outside_pools: l
                .outside_pools
                .iter()
                .map(OutsideWorkload::from_plan)
                .collect(),
            monthly_cost_usd: l.monthly_cost_usd.clone(),
            horizon_cost_usd: l.horizon_cost_usd,
            committed_after_horizon_usd: l.committed_after_horizon_usd,
            plan_cost_usd: l.plan_cost_usd,
            best_static_cost_usd: l.best_static_cost_usd,
            savings_vs_static_usd: l.savings_vs_static_usd,
            notes: l.notes.clone(),
        }
    }
}

/// JSON `ladder.pools[]`: one region x provisioned type.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pool {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// How PTUs above the 1-year level are bought: `reserved-1-month` or `hourly`.
    pub flex_billing: Billing,
    /// The PTU step the plan moves in (greatest common divisor of the members' counts).
    pub unit_ptus: u32,
    /// Month by month.
    pub months: Vec<Month>,
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

impl Pool {
    fn from_plan(p: &plan::LadderPool) -> Pool {
        Pool {
            region: p.region.clone(),
            deployment_type: p.deployment_type,
            flex_billing: p.flex_billing,
            unit_ptus: p.unit_ptus,
            months: p.months.iter().map(Month::from_plan).collect(),
            purchases: p.purchases.iter().map(Purchase::from_plan).collect(),
            rejected_purchases: p
                .rejected_purchases
                .iter()
                .map(Purchase::from_plan)
                .collect(),
            retired: p
                .retired
                .iter()
                .map(|r| RetiredMember {
                    deployment: r.deployment.clone(),
                    model: r.model.clone(),
                    retirement: r.retirement.clone(),
                    from_month: r.from_month,
                })
                .collect(),
            horizon_cost_usd: p.horizon_cost_usd,
            committed_after_horizon_usd: p.committed_after_horizon_usd,
            plan_cost_usd: p.plan_cost_usd,
            best_static: StaticChoice {
                billing: p.best_static.billing,
                ptus: p.best_static.ptus,
                cost_usd: p.best_static.cost_usd,
                description: crate::report::text::static_choice_text(&p.best_static),
            },
            savings_vs_static_usd: p.savings_vs_static_usd,
            chargeback: p
                .chargeback
                .iter()
                .map(|c| Chargeback {
                    deployment: c.deployment.clone(),
                    model: c.model.clone(),
                    share_of_consumed_ptu_capacity: c.share_of_consumed_ptu_capacity,
                    ptu_cost_usd: c.ptu_cost_usd,
                    standard_cost_usd: c.standard_cost_usd,
                    cost_usd: c.cost_usd,
                })
                .collect(),
            unallocated_ptu_cost_usd: p.unallocated_ptu_cost_usd,
        }
    }
}

/// JSON `pools[].months[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Month {
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

impl Month {
    fn from_plan(m: &plan::LadderMonth) -> Month {
        Month {
            month: m.month,
            simulated_month: m.simulated_month,
            reserved_1_year_ptus: m.reserved_1_year_ptus,
            flex_ptus: m.flex_ptus,
            deployed_ptus: m.deployed_ptus,
            unused_reserved_ptus: m.unused_reserved_ptus,
            reserved_1_year_cost_usd: m.reserved_1_year_cost_usd,
            flex_cost_usd: m.flex_cost_usd,
            spillover_cost_usd: m.spillover_cost_usd,
            standard_cost_usd: m.standard_cost_usd,
            cost_usd: m.cost_usd,
            workloads: m
                .workloads
                .iter()
                .map(|w| MonthShare {
                    deployment: w.deployment.clone(),
                    model: w.model.clone(),
                    traffic_factor: w.traffic_factor,
                    retired: w.retired,
                    ptus: w.ptus,
                    standard_cost_usd: w.standard_cost_usd,
                    ptu_cost_usd: w.ptu_cost_usd,
                })
                .collect(),
        }
    }
}

/// JSON `months[].workloads[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthShare {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// The traffic it is planned at this month, as a factor of the log's (the simulated
    /// level just above the month's own; 0 once retired).
    pub traffic_factor: f64,
    /// True from the month its model retires: no longer in the pool.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// Its deployed PTUs (0: on Standard).
    pub ptus: u32,
    /// Its spillover (or, without PTUs, Standard) cost, USD.
    pub standard_cost_usd: f64,
    /// Its share of the pool's PTU cost, USD.
    pub ptu_cost_usd: f64,
}

/// JSON `pools[].purchases[]` and `rejected_purchases[]`: one 1-year reservation.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// The same as a share of what the flexible way costs, percent (`null`: it serves nothing).
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
    fn from_plan(p: &plan::Purchase) -> Purchase {
        Purchase {
            month: p.month,
            decided: p.decided,
            ptus: p.ptus,
            terms: p.terms,
            cost_usd: p.cost_usd,
            saving_usd: p.saving_usd,
            saving_pct: p.saving_pct,
            saving_pct_by_window_s: p.saving_pct_by_window_s.clone(),
            loss_probability: p.loss_probability,
            holds: p.holds,
            checks: p.checks.iter().map(RungCheck::from_plan).collect(),
        }
    }
}

/// JSON `purchases[].checks[]`: a rule a purchase fails, tagged by `code`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "code", rename_all = "kebab-case")]
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
    /// The log's inputs are totals per hour or per day (`bucket`: `hour` or `day`), which
    /// hide the bursts a reservation is sized for.
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

impl RungCheck {
    fn from_plan(c: &plan::RungCheck) -> RungCheck {
        match c {
            plan::RungCheck::BelowMinSaving {
                windows_s,
                min_saving_pct,
            } => RungCheck::BelowMinSaving {
                windows_s: windows_s.clone(),
                min_saving_pct: *min_saving_pct,
            },
            plan::RungCheck::ShortLog {
                span_days,
                min_span_days,
            } => RungCheck::ShortLog {
                span_days: *span_days,
                min_span_days: *min_span_days,
            },
            plan::RungCheck::CoarseLog { bucket } => RungCheck::CoarseLog { bucket: *bucket },
            plan::RungCheck::RetiresInTerm { model, date } => RungCheck::RetiresInTerm {
                model: model.clone(),
                date: date.clone(),
            },
        }
    }
}

/// JSON `pools[].retired[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// JSON `pools[].best_static`.
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

/// JSON `pools[].chargeback[]`.
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

/// JSON `ladder.outside_pools[]`.
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
    /// Its cost per month, USD (0 from the month its model retires, `retired_from_month`).
    pub monthly_cost_usd: Vec<f64>,
    /// The first month after its model's retirement, if within the horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_from_month: Option<u32>,
}

impl OutsideWorkload {
    fn from_plan(o: &plan::OutsideWorkload) -> OutsideWorkload {
        OutsideWorkload {
            deployment: o.deployment.clone(),
            model: o.model.clone(),
            region: o.region.clone(),
            reason: crate::report::text::outside_reason_text(o.reason).to_owned(),
            option: o.option.clone(),
            monthly_cost_usd: o.monthly_cost_usd.clone(),
            retired_from_month: o.retired_from_month,
        }
    }
}
