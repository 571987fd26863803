//! Sizing: the PTU counts to simulate for each provisioned type (the sweep grid), the
//! minute-peak estimate Microsoft's calculator would give, and the choices read off the swept
//! outcomes: the smallest count meeting the throttle target, the cost-optimal count with
//! spillover, and the break-even utilization against per-token pricing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cost::{ptu_cost_usd, Billing};
use crate::catalog::{PtuIncrement, PtuPrice};
use crate::sim::SimOutcome;

/// Headroom of the sweep's top count over the estimate-based peak minute.
pub const SWEEP_HEADROOM: f64 = 2.0;

/// PTU counts to simulate: from the type's minimum upwards in whole increments, `points` counts
/// at most, reaching [`SWEEP_HEADROOM`] x the PTUs the busiest minute needs when every
/// request is charged its admission estimate. The step is a multiple of the increment chosen
/// so the grid reaches that top.
pub fn sweep_grid(
    increment: PtuIncrement,
    peak_estimated_tpm: f64,
    input_tpm_per_ptu: f64,
    points: u32,
) -> Vec<u32> {
    let points = points.max(1);
    let top = increment.round_up(SWEEP_HEADROOM * peak_estimated_tpm / input_tpm_per_ptu);
    let inc = increment.increment_ptus.max(1);
    let increments = (top - increment.min_ptus).div_ceil(inc);
    let step = if points <= 1 {
        increments.max(1)
    } else {
        increments.div_ceil(points - 1).max(1)
    } * inc;
    let mut grid = Vec::with_capacity(points as usize);
    let mut n = increment.min_ptus;
    for _ in 0..points {
        grid.push(n);
        if n >= top {
            break;
        }
        n = n.saturating_add(step);
    }
    grid
}

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

/// Drop grid counts above a capacity limit, keeping the largest deployable count at or below
/// it (the minimum plus whole increments) as the last point. `max_ptus` is at least the
/// minimum (options.rs makes the type unavailable otherwise).
pub fn cap_grid(grid: Vec<u32>, increment: PtuIncrement, max_ptus: u32) -> Vec<u32> {
    let inc = increment.increment_ptus.max(1);
    let top = increment.min_ptus + (max_ptus.saturating_sub(increment.min_ptus) / inc) * inc;
    let exceeded = grid.iter().any(|&n| n > top);
    let mut capped: Vec<u32> = grid.into_iter().filter(|&n| n <= top).collect();
    if (exceeded || capped.is_empty()) && capped.last() != Some(&top) {
        capped.push(top);
    }
    capped
}

/// One point of a type's cost curve.
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
    /// Share of requests throttled or spilled.
    pub throttle_rate: f64,
    /// p99 of per-minute utilization.
    pub utilization_p99: f64,
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

/// Build the cost curve from swept outcomes.
pub fn curve(
    grid: &[u32],
    outcomes: &[SimOutcome],
    span_hours: f64,
    price: &PtuPrice,
    spill_cost: impl Fn(&SimOutcome) -> f64,
) -> Vec<CurvePoint> {
    grid.iter()
        .zip(outcomes)
        .map(|(&ptus, o)| {
            let spill = spill_cost(o);
            CurvePoint {
                ptus,
                cost_usd: ptu_cost_usd(ptus, span_hours, Billing::Hourly, price) + spill,
                cost_1_month_usd: ptu_cost_usd(ptus, span_hours, Billing::Reserved1Month, price)
                    + spill,
                cost_1_year_usd: ptu_cost_usd(ptus, span_hours, Billing::Reserved1Year, price)
                    + spill,
                spillover_cost_usd: spill,
                throttle_rate: o.throttle_rate(),
                utilization_p99: o.utilization.quantile(0.99),
            }
        })
        .collect()
}

/// Index of the smallest count whose throttle rate is within `max_rate`.
pub fn min_index_for_target(curve: &[CurvePoint], max_rate: f64) -> Option<usize> {
    curve.iter().position(|p| p.throttle_rate <= max_rate)
}

/// Index of the cheapest point under `billing` (the first on ties).
pub fn cost_optimal_index(curve: &[CurvePoint], billing: Billing) -> Option<usize> {
    curve
        .iter()
        .enumerate()
        .min_by(|a, b| {
            a.1.cost_for(billing)
                .total_cmp(&b.1.cost_for(billing))
                .then(a.0.cmp(&b.0))
        })
        .map(|(i, _)| i)
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

/// Sizing results of one provisioned type for one workload (JSON `sizing.<type>`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypeSizing {
    /// What a 429 leads to in the simulation (`spillover`, `fail`, `retry`).
    pub on_throttle: String,
    /// Raw PTUs for the busiest minute (Microsoft's calculator method, no rounding).
    pub peak_minute_ptus_raw: f64,
    /// The same, rounded up to the increment and never below the minimum.
    pub peak_minute_ptus: u32,
    /// Smallest swept count whose throttled-or-spilled share is within the target; `None` when
    /// even the largest swept count misses it.
    pub min_ptus_for_target: Option<u32>,
    /// Cheapest swept count under hourly billing (PTU cost + spillover); without spillover,
    /// the cheapest count that meets the throttle target (the largest swept if none does).
    pub cost_optimal_ptus: u32,
    /// Cheapest swept count per provisioned billing.
    pub cost_optimal_ptus_by_billing: BTreeMap<Billing, u32>,
    /// Break-even utilization against the cheapest per-token option, hourly billing.
    pub break_even_utilization: Option<f64>,
    /// Break-even utilization per provisioned billing.
    pub break_even_utilization_by_billing: BTreeMap<Billing, f64>,
    /// The swept counts and their outcomes.
    pub curve: Vec<CurvePoint>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_starts_at_minimum_in_whole_increments() {
        let inc = PtuIncrement {
            min_ptus: 15,
            increment_ptus: 5,
        };
        // Peak estimate of 100 PTUs -> top 200 PTUs; 40 points -> step 5.
        let grid = sweep_grid(inc, 100.0 * 2500.0, 2500.0, 40);
        assert_eq!(grid[0], 15);
        assert!(grid
            .windows(2)
            .all(|w| (w[1] - w[0]) % 5 == 0 && w[1] > w[0]));
        assert!(grid.len() <= 40);
        assert!(*grid.last().expect("non-empty") >= 200);
        // Tiny demand: the minimum alone.
        assert_eq!(sweep_grid(inc, 10.0, 2500.0, 40), vec![15]);
    }

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
    fn capacity_limit_caps_the_grid_at_a_deployable_count() {
        let inc = PtuIncrement {
            min_ptus: 15,
            increment_ptus: 5,
        };
        let grid = vec![15, 25, 35, 45, 55];
        assert_eq!(cap_grid(grid.clone(), inc, 42), vec![15, 25, 35, 40]);
        assert_eq!(cap_grid(grid.clone(), inc, 35), vec![15, 25, 35]);
        assert_eq!(cap_grid(grid.clone(), inc, 1000), grid);
        assert_eq!(cap_grid(vec![15], inc, 15), vec![15]);
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
