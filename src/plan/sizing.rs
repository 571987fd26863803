//! Sizing: the minute-peak estimate Microsoft's calculator would give, the cost curve over
//! every PTU count the exact search evaluated ([`super::search`]), and the break-even
//! utilization against per-token pricing (the JSON `workloads[].sizing.<type>` is built from
//! them in `report::contract`).

use std::collections::BTreeMap;

use super::cost::{ptu_cost_usd, Billing};
use crate::catalog::{DeploymentTypeId, PtuIncrement, PtuPrice};
use crate::sim::SimOutcome;

/// Microsoft's capacity-calculator sizing for the busiest minute: raw PTUs
/// (`peak weighted TPM / input TPM per PTU`) and the count rounded up to the increment,
/// never below the minimum.
pub fn minute_peak_ptus(
    peak_weighted_tpm: f64,
    input_tpm_per_ptu: f64,
    increment: PtuIncrement,
) -> (f64, u32) {
    let raw = peak_weighted_tpm / input_tpm_per_ptu;
    (raw, increment.round_up(raw))
}

/// One point of a type's cost curve.
#[derive(Debug, Clone, PartialEq)]
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
    /// The spilled requests' tokens (for projections; not in the JSON).
    pub spilled: crate::catalog::accounting::TokenTally,
}

impl CurvePoint {
    /// Total cost under a provisioned billing.
    pub fn cost_for(&self, billing: Billing) -> f64 {
        match billing {
            Billing::Reserved1Month => self.cost_1_month_usd,
            Billing::Reserved1Year => self.cost_1_year_usd,
            _ => self.cost_usd,
        }
    }
}

/// The cost curve over every evaluated count, ascending.
pub fn curve(
    evaluated: &BTreeMap<u32, &SimOutcome>,
    span_hours: f64,
    price: &PtuPrice,
    spill_cost: impl Fn(&SimOutcome) -> f64,
) -> Vec<CurvePoint> {
    evaluated
        .iter()
        .map(|(&ptus, o)| {
            let spill = spill_cost(o);
            let cost = |billing| ptu_cost_usd(ptus, span_hours, billing, price) + spill;
            CurvePoint {
                ptus,
                cost_usd: cost(Billing::Hourly),
                cost_1_month_usd: cost(Billing::Reserved1Month),
                cost_1_year_usd: cost(Billing::Reserved1Year),
                spillover_cost_usd: spill,
                throttle_rate: o.throttle_rate(),
                throttled_share: o.failed_share(),
                spilled_share: o.spilled_share(),
                utilization_p99: o.utilization.quantile(0.99).min(1.0),
                spilled: o.spilled,
            }
        })
        .collect()
}

/// Utilization at which a PTU deployment costs the same per weighted token as per-token
/// pricing: `usd_per_ptu_hour x demand / (input_tpm_per_ptu x 60 x per_token_cost)`.
/// `None` when there is no per-token cost to compare with.
pub fn break_even_utilization(
    usd_per_ptu_hour: f64,
    weighted_demand_tokens: f64,
    input_tpm_per_ptu: f64,
    per_token_cost_usd: Option<f64>,
) -> Option<f64> {
    let c = per_token_cost_usd?;
    (c > 0.0 && input_tpm_per_ptu > 0.0)
        .then(|| usd_per_ptu_hour * weighted_demand_tokens / (input_tpm_per_ptu * 60.0 * c))
}

/// Sizing results of one provisioned type for one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeSizing {
    /// What a 429 leads to in the simulation (`spillover`, `fail`, `retry`).
    pub on_throttle: String,
    /// Raw PTUs for the busiest minute (Microsoft's calculator method, no rounding).
    pub peak_minute_ptus_raw: f64,
    /// The same, rounded up to the increment and never below the minimum.
    pub peak_minute_ptus: u32,
    /// Smallest deployable count at which the PTU deployment itself serves all but
    /// `--max-throttle-rate` of requests (429s failed or spilled and prompt-limit 400s count
    /// as not served), with no evaluated larger count missing it; `None` when no count up to
    /// the search's top does (see `needs_more_than_ptus`, `context_limit_requests`).
    pub min_ptus_for_target: Option<u32>,
    /// A smaller evaluated count that also meets the target (admission is not monotone in
    /// PTUs on mixed request sizes); `None` if none was found.
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
    /// The model's PTU prompt limit, tokens (`None`: no limit below the context window).
    pub ptu_max_prompt_tokens: Option<u64>,
    /// What one PTU costs per 730-hour month under each provisioned billing (a reservation
    /// spread over its term), USD.
    pub usd_per_ptu_month_by_billing: BTreeMap<Billing, f64>,
    /// Every evaluated count and its outcome, ascending.
    pub curve: Vec<CurvePoint>,
}

/// Of `sizings`, the type whose curve holds the cheapest 1-year reservation (at the count where
/// it costs least); None when no curve has a point.
pub fn cheapest_1_year_type<'a>(
    sizings: impl Iterator<Item = (&'a DeploymentTypeId, &'a TypeSizing)>,
) -> Option<DeploymentTypeId> {
    sizings
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

/// A window in seconds as a JSON key: `1`, `60`, `0.5`.
pub fn window_key(window_s: f64) -> String {
    if window_s.fract() == 0.0 && window_s.abs() < 1e15 {
        format!("{}", window_s as i64)
    } else {
        format!("{window_s}")
    }
}

/// Whether the target counts across the window band differ by more than 25% (or some window
/// has no count while another has one).
pub fn is_burst_sensitive(by_window: &BTreeMap<String, Option<u32>>) -> bool {
    let counts: Vec<u32> = by_window.values().flatten().copied().collect();
    if counts.is_empty() {
        return false;
    }
    if counts.len() < by_window.len() {
        return true;
    }
    let (lo, hi) = (
        counts.iter().copied().min().unwrap_or(0),
        counts.iter().copied().max().unwrap_or(0),
    );
    f64::from(hi) > 1.25 * f64::from(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microsoft's worked examples for gpt-5.2 (3,400 input TPM per PTU, output ratio 8), from
    /// the PTU sizing and onboarding pages: RPM, prompt, response, cache rate -> raw, rounded.
    #[test]
    fn reproduces_microsofts_worked_sizing_examples() {
        use crate::sim::Replay;
        use crate::usage::UsageRecord;
        let data_zone = PtuIncrement {
            min_ptus: 15,
            increment_ptus: 5,
        };
        let regional = PtuIncrement {
            min_ptus: 50,
            increment_ptus: 50,
        };
        let cases = [
            (data_zone, 1000, 200, 20, 0.0, 105.88, 110),
            (data_zone, 1000, 200, 20, 0.5, 76.47, 80),
            (regional, 1000, 100, 50, 0.0, 147.06, 150),
            (regional, 1000, 100, 50, 0.25, 139.71, 150),
            (regional, 1000, 500, 200, 0.0, 617.65, 650),
            (regional, 1000, 500, 200, 0.25, 580.88, 600),
        ];
        for (inc, rpm, prompt, response, cache_rate, raw_expected, rounded_expected) in cases {
            // Replay one minute of `rpm` identical requests through pass 1.
            let gpt_5_2 = crate::catalog::accounting::RequestAccounting {
                ptu: crate::catalog::accounting::PtuAccounting::OutputRatio { ratio: 8.0 },
                long_context_above_prompt_tokens: None,
            };
            let mut replay = Replay::new(&gpt_5_2);
            for i in 0..rpm {
                replay
                    .add(&UsageRecord {
                        timestamp_ms: i64::from(i) * 60,
                        workload: 0,
                        prompt_tokens: prompt,
                        cached_tokens: (prompt as f64 * cache_rate) as u64,
                        cache_write_tokens: 0,
                        completion_tokens: response,
                        reasoning_tokens: 0,
                        max_completion_tokens: None,
                        status: None,
                        latency_ms: None,
                    })
                    .expect("add");
            }
            let (summary, _) = replay.finish();
            let peak = summary.workloads[0].minutes.weighted_tokens_per_min(0, 0)[0];
            let (raw, rounded) = minute_peak_ptus(peak, 3400.0, inc);
            assert!((raw - raw_expected).abs() < 0.01, "{raw} vs {raw_expected}");
            assert_eq!(rounded, rounded_expected);
        }
    }

    #[test]
    fn window_keys_and_burst_sensitivity() {
        assert_eq!(window_key(1.0), "1");
        assert_eq!(window_key(60.0), "60");
        assert_eq!(window_key(0.5), "0.5");
        let band = |v: &[Option<u32>]| -> BTreeMap<String, Option<u32>> {
            v.iter()
                .enumerate()
                .map(|(i, n)| (i.to_string(), *n))
                .collect()
        };
        assert!(!is_burst_sensitive(&band(&[Some(100), Some(125)])));
        assert!(is_burst_sensitive(&band(&[Some(100), Some(126)])));
        assert!(is_burst_sensitive(&band(&[Some(100), None])));
        assert!(!is_burst_sensitive(&band(&[None, None])));
    }

    #[test]
    fn break_even_matches_hand_computation() {
        // 1 USD/PTU-h, 3,000 TPM/PTU, 180,000 weighted tokens cost 1.8 USD per token:
        // 1 x 180,000 / (3,000 x 60 x 1.8) = 0.5556.
        let u = break_even_utilization(1.0, 180_000.0, 3000.0, Some(1.8)).expect("some");
        assert!((u - 0.555_555_6).abs() < 1e-6);
        assert_eq!(break_even_utilization(1.0, 1.0, 1.0, None), None);
    }
}
