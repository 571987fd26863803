//! JSON `workloads[].sizing.<type>` (the exact search's results per provisioned type offered in
//! the workload's region, with its cost curve) and `sizing_other_types.<type>`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plan::Billing;

/// JSON `sizing.<type>`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypeSizing {
    /// What a 429 leads to in the simulation (`spillover`, `fail`, `retry`).
    pub on_throttle: String,
    /// Raw PTUs for the busiest minute (Microsoft's calculator method, no rounding).
    pub peak_minute_ptus_raw: f64,
    /// The same, rounded up to the increment and never below the minimum.
    pub peak_minute_ptus: u32,
    /// Smallest deployable count at which the PTU deployment itself serves all but
    /// `--max-throttle-rate` of requests (429s failed or spilled and prompt-limit 400s count
    /// as not served), with no evaluated larger count missing it; `null` when no count up to
    /// the search's top does (see `needs_more_than_ptus`, `context_limit_requests`).
    pub min_ptus_for_target: Option<u32>,
    /// A smaller evaluated count that also meets the target (admission is not monotone in
    /// PTUs on mixed request sizes); `null` if none was found.
    pub also_meets_at: Option<u32>,
    /// When no count meets the target: the largest count searched (the capacity limit, or
    /// the search's hard maximum).
    pub needs_more_than_ptus: Option<u32>,
    /// `min_ptus_for_target` at each window of `--window-band` and the window in use, keyed by
    /// the window in seconds (`"1"`, `"60"`).
    pub min_ptus_for_target_by_window_s: BTreeMap<String, Option<u32>>,
    /// True when `min_ptus_for_target` moves by more than 25% across the window band.
    pub burst_sensitive: bool,
    /// The count the search started from as its top: the smallest whose capacity provably
    /// admits every request charged its estimate (README, How the simulation works).
    pub search_ceiling_ptus: u32,
    /// Simulation passes the search took.
    pub search_passes: u32,
    /// The count the hourly option uses: the cost-optimal feasible count with spillover, else
    /// `min_ptus_for_target` (the largest evaluated count when none).
    pub cost_optimal_ptus: u32,
    /// The count each provisioned billing's option uses: hourly as above; a reservation the
    /// count that holds across the window band (schema 3; before, each billing's optimum at
    /// the window in use).
    pub cost_optimal_ptus_by_billing: BTreeMap<Billing, u32>,
    /// Break-even utilization against the cheapest per-token option, hourly billing.
    pub break_even_utilization: Option<f64>,
    /// Break-even utilization per provisioned billing.
    pub break_even_utilization_by_billing: BTreeMap<Billing, f64>,
    /// Requests answered 400 for a prompt above the PTU prompt limit.
    pub context_limit_requests: u64,
    /// The model's PTU prompt limit, tokens (`null`: no limit below the context window).
    pub ptu_max_prompt_tokens: Option<u64>,
    /// What one PTU costs per 730-hour month under each provisioned billing (a reservation
    /// spread over its term), USD.
    pub usd_per_ptu_month_by_billing: BTreeMap<Billing, f64>,
    /// Every evaluated count and its outcome, ascending.
    pub curve: Vec<CurvePoint>,
}

impl TypeSizing {
    /// The contract of one type's sizing.
    pub fn from_plan(s: &crate::plan::TypeSizing) -> TypeSizing {
        TypeSizing {
            on_throttle: s.on_throttle.clone(),
            peak_minute_ptus_raw: s.peak_minute_ptus_raw,
            peak_minute_ptus: s.peak_minute_ptus,
            min_ptus_for_target: s.min_ptus_for_target,
            also_meets_at: s.also_meets_at,
            needs_more_than_ptus: s.needs_more_than_ptus,
            min_ptus_for_target_by_window_s: s.min_ptus_for_target_by_window_s.clone(),
            burst_sensitive: s.burst_sensitive,
            search_ceiling_ptus: s.search_ceiling_ptus,
            search_passes: s.search_passes,
            cost_optimal_ptus: s.cost_optimal_ptus,
            cost_optimal_ptus_by_billing: s.cost_optimal_ptus_by_billing.clone(),
            break_even_utilization: s.break_even_utilization,
            break_even_utilization_by_billing: s.break_even_utilization_by_billing.clone(),
            context_limit_requests: s.context_limit_requests,
            ptu_max_prompt_tokens: s.ptu_max_prompt_tokens,
            usd_per_ptu_month_by_billing: s.usd_per_ptu_month_by_billing.clone(),
            curve: s.curve.iter().map(CurvePoint::from_plan).collect(),
        }
    }
}

/// JSON `sizing.<type>.curve[]`: one evaluated count.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CurvePoint {
    /// Deployed PTUs.
    pub ptus: u32,
    /// Hourly PTU cost plus spillover cost over the span, USD.
    pub cost_usd: f64,
    /// 1-month reservation (prorated) plus spillover, USD.
    pub cost_1_month_usd: f64,
    /// 1-year reservation (prorated) plus spillover, USD.
    pub cost_1_year_usd: f64,
    /// Spillover cost over the span, USD.
    pub spillover_cost_usd: f64,
    /// Share of requests the PTU deployment did not serve (failed or spilled).
    pub throttle_rate: f64,
    /// Share of requests that failed (429 after any retries, or a prompt-limit 400).
    pub throttled_share: f64,
    /// Share of requests served by spillover.
    pub spilled_share: f64,
    /// p99 of per-minute utilization (the served share of capacity, never above 1.0).
    pub utilization_p99: f64,
}

impl CurvePoint {
    fn from_plan(p: &crate::plan::CurvePoint) -> CurvePoint {
        CurvePoint {
            ptus: p.ptus,
            cost_usd: p.cost_usd,
            cost_1_month_usd: p.cost_1_month_usd,
            cost_1_year_usd: p.cost_1_year_usd,
            spillover_cost_usd: p.spillover_cost_usd,
            throttle_rate: p.throttle_rate,
            throttled_share: p.throttled_share,
            spilled_share: p.spilled_share,
            utilization_p99: p.utilization_p99,
        }
    }
}

/// JSON `sizing_other_types.<type>` (`regions` only): the target count of a provisioned type
/// the workload's own region does not offer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OtherTypeSizing {
    /// Smallest count meeting the throttle target without spillover.
    pub min_ptus_for_target: Option<u32>,
    /// When none does: the largest count searched.
    pub needs_more_than_ptus: Option<u32>,
}

impl OtherTypeSizing {
    /// The contract of one other type's target count.
    pub fn from_plan(s: &crate::plan::OtherTypeSizing) -> OtherTypeSizing {
        OtherTypeSizing {
            min_ptus_for_target: s.min_ptus_for_target,
            needs_more_than_ptus: s.needs_more_than_ptus,
        }
    }
}
