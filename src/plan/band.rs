//! The window band: the PTU count a reservation holds across every bucket window of
//! `--window-band` (and the window in use), because Azure publishes no burst allowance and the
//! log cannot tell which window applies.
//!
//! Each window has its own exact search ([`super::search`]), with the same targets and cost
//! goal as the window in use, so every window's figures are the ones a run at that window
//! would give. A reservation's count must be one count for all of them: the count, among the
//! counts simulated at every window and meeting the targets at every window, whose largest
//! cost over the windows is least (ties: the smaller count). The candidates start with each
//! window's own optimum for the billing; [`robust_count`] then asks for the counts between the
//! best and its neighbours until they are one increment apart. Counts simulated for this are
//! kept apart from each search's own ([`Search::record_extra`]), so they never change what a
//! window's search finds. Where 429s fail instead of spilling, only counts at or above every
//! window's `min_ptus_for_target` are candidates (the same rule as one window's).
//!
//! With one window there is nothing to reconcile: the count is that window's own.

use super::cost::Billing;
use super::search::{Search, SearchResult};

/// Most passes the band refinement takes (each pass simulates the counts every group asks for).
pub const MAX_BAND_PASSES: u32 = 8;

/// Counts asked for between the best and each neighbour per pass.
const SPREAD: usize = 3;

/// What [`robust_count`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Robust {
    /// The count, if some count simulated at every window meets the targets at every window.
    pub ptus: Option<u32>,
    /// Counts to simulate at every window that has not yet simulated them.
    pub wanted: Vec<u32>,
}

/// A window's own answer for `billing`: its cost-optimal count with spillover, else its
/// `min_ptus_for_target`.
pub fn own_count(result: &SearchResult, billing: Billing) -> Option<u32> {
    match result.cost_optimal_ptus.get(&billing) {
        Some(n) => *n,
        None => result.min_ptus_for_target,
    }
}

/// The count of the module docs for `billing`, priced at `usd_per_ptu` (USD per PTU over the
/// span) at every window. `searches` holds one search per window (the window in use first or
/// not: order does not matter).
pub fn robust_count(searches: &[&Search], billing: Billing, usd_per_ptu: f64) -> Robust {
    let results: Vec<SearchResult> = searches.iter().map(|s| s.result()).collect();
    let own: Vec<Option<u32>> = results.iter().map(|r| own_count(r, billing)).collect();
    if searches.len() <= 1 {
        return Robust {
            ptus: own.first().copied().flatten(),
            wanted: Vec::new(),
        };
    }
    let Some(first) = searches.first() else {
        return Robust {
            ptus: None,
            wanted: Vec::new(),
        };
    };
    let lattice = first.lattice;
    let common: Vec<u32> = first
        .points()
        .keys()
        .copied()
        .filter(|n| searches.iter().all(|s| s.outcome(*n).is_some()))
        .collect();
    let mut wanted: Vec<u32> = own
        .iter()
        .flatten()
        .copied()
        .filter(|n| !common.contains(n))
        .collect();
    // Without spillover a count must be at or above every window's target count.
    let spills = searches.iter().all(|s| s.cost.is_some());
    let floor = if spills {
        0
    } else {
        match own.iter().copied().collect::<Option<Vec<u32>>>() {
            Some(v) => v.into_iter().max().unwrap_or(0),
            // Some window has no count meeting the target: no count holds.
            None => {
                return Robust {
                    ptus: None,
                    wanted: Vec::new(),
                }
            }
        }
    };
    let worst = |n: u32| -> f64 {
        searches
            .iter()
            .map(|s| match s.outcome(n) {
                Some(o) if s.is_acceptable(o) => s.cost_usd(n, o, usd_per_ptu),
                _ => f64::INFINITY,
            })
            .fold(0.0, f64::max)
    };
    let candidates: Vec<u32> = common.iter().copied().filter(|n| *n >= floor).collect();
    let best = candidates
        .iter()
        .map(|&n| (n, worst(n)))
        .filter(|(_, c)| c.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(n, _)| n);
    match best {
        // Without spillover the cost only rises with the count: nothing above the best can
        // win, and below it only counts at or above the floor.
        Some(n) if !spills => {
            if let Some(lo) = candidates.iter().rev().find(|c| **c < n) {
                wanted.extend(lattice.spread(*lo, n, SPREAD));
            }
        }
        Some(n) => {
            let lo = candidates.iter().rev().find(|c| **c < n).copied();
            let hi = candidates.iter().find(|c| **c > n).copied();
            if let Some(lo) = lo {
                wanted.extend(lattice.spread(lo, n, SPREAD));
            }
            if let Some(hi) = hi {
                wanted.extend(lattice.spread(n, hi, SPREAD));
            }
        }
        None => {
            // No common count meets every window: more PTUs spill and fail less.
            let top = candidates
                .iter()
                .chain(own.iter().flatten())
                .copied()
                .max()
                .unwrap_or(lattice.min_ptus);
            if top < lattice.max_ptus {
                let next = lattice
                    .ceil(f64::from(top) * 1.5)
                    .max(lattice.at(lattice.index(top) + 1));
                wanted.push(next.min(lattice.max_ptus));
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    wanted.retain(|n| *n >= lattice.min_ptus && *n <= lattice.max_ptus);
    wanted.retain(|n| searches.iter().any(|s| s.outcome(*n).is_none()));
    Robust { ptus: best, wanted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::search::{CostGoal, LaneTemplate, Lattice};
    use crate::sim::{SimOutcome, ThrottleMode};

    fn lane(window_s: f64, mode: ThrottleMode) -> LaneTemplate {
        LaneTemplate {
            workload: 0,
            input_tpm_per_ptu: 1.0,
            latency_target_tokens_per_s: 50.0,
            bucket_window_s: window_s,
            max_prompt_tokens: None,
            mode,
            standard: None,
        }
    }

    /// 10,000 requests, `failed` of them failed.
    fn failing(failed: u64) -> SimOutcome {
        SimOutcome {
            offered_requests: 10_000,
            served_requests: 10_000 - failed,
            throttled_requests: failed,
            ..SimOutcome::default()
        }
    }

    /// Fail mode at two windows: the strict window needs 40 PTUs, the lenient one 20: the count
    /// that holds at both is 40, whatever each window found on its own.
    #[test]
    fn without_spillover_the_count_is_the_largest_target_count() {
        let l = Lattice::new(15, 5, 1000);
        let mut strict = Search::new(lane(1.0, ThrottleMode::Fail), l, 100, 0.01, None);
        let mut lenient = Search::new(lane(60.0, ThrottleMode::Fail), l, 100, 0.01, None);
        for n in [15, 20, 30, 40, 60, 100] {
            strict.record(n, failing(if n >= 40 { 0 } else { 500 }));
        }
        for n in [15, 20, 25, 100] {
            lenient.record(n, failing(if n >= 20 { 0 } else { 500 }));
        }
        let r = robust_count(&[&strict, &lenient], Billing::Reserved1Year, 10.0);
        assert_eq!(r.ptus, Some(100), "40 is not simulated at 60 s yet");
        assert_eq!(r.wanted, vec![40]);
        lenient.record_extra(40, failing(0));
        let r = robust_count(&[&strict, &lenient], Billing::Reserved1Year, 10.0);
        assert_eq!(r.ptus, Some(40));
        assert!(r.wanted.is_empty(), "{:?}", r.wanted);
        // The lenient window's own answer is unchanged by the band's count.
        assert_eq!(lenient.result().min_ptus_for_target, Some(20));
    }

    /// Spillover at two windows, spill cost falling with PTUs faster at the strict window:
    /// the least worst case lies between the windows' own optima.
    #[test]
    fn with_spillover_the_count_minimises_the_worst_window() {
        let goal = |_| CostGoal {
            usd_per_ptu: vec![(Billing::Reserved1Year, 1.0)],
            spill_price: crate::plan::cost::test_input_price(1.0),
            max_spill_rate: None,
        };
        let l = Lattice::new(10, 10, 1000);
        let spill = |tokens: u64| SimOutcome {
            offered_requests: 100,
            served_requests: 100,
            spilled: crate::catalog::accounting::TokenTally {
                short: crate::catalog::accounting::TokenCounts {
                    requests: 1,
                    input_tokens: tokens,
                    ..Default::default()
                },
                long: Default::default(),
            },
            ..SimOutcome::default()
        };
        let mut a = Search::new(
            lane(1.0, ThrottleMode::Spillover),
            l,
            100,
            0.01,
            Some(goal(())),
        );
        let mut b = Search::new(
            lane(60.0, ThrottleMode::Spillover),
            l,
            100,
            0.01,
            Some(goal(())),
        );
        // Spill cost in USD per million tokens of 1.0: tokens / 1e6.
        for n in (10..=100).step_by(10) {
            // Strict: spill 1,000 x (100 - n) USD; lenient: 100 x (100 - n) USD.
            a.record(n, spill(1_000_000_000 * u64::from(100 - n)));
            b.record(n, spill(100_000_000 * u64::from(100 - n)));
        }
        let r = robust_count(&[&a, &b], Billing::Reserved1Year, 500.0);
        // Worst case = strict: 500 n + 1000 (100 - n), least at n = 100.
        assert_eq!(r.ptus, Some(100));
        let r = robust_count(&[&a, &b], Billing::Reserved1Year, 1_500.0);
        // Now PTUs cost more than the strict spill saves: least at the smallest count.
        assert_eq!(r.ptus, Some(10));
    }
}
