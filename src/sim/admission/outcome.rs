//! What one simulated deployment did: its outcome and its utilization histogram.

use super::*;

/// What one simulated deployment did with the traffic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimOutcome {
    /// Requests offered (first attempts).
    pub offered_requests: u64,
    /// Requests served by the PTU deployment (first attempt or a retry).
    pub served_requests: u64,
    /// Requests that failed with a 429 (after any retries).
    pub throttled_requests: u64,
    /// Requests that failed with a 400 because their prompt exceeds the PTU prompt limit
    /// (modes without spillover).
    pub rejected_requests: u64,
    /// Requests served by the spillover Standard deployment (after a 429 or a prompt-limit
    /// 400).
    pub spilled_requests: u64,
    /// Requests answered 400 for a prompt above the PTU prompt limit (spilled or rejected).
    pub context_limit_requests: u64,
    /// Requests whose first attempt got a simulated 429.
    pub first_attempt_429: u64,
    /// Requests the real deployment answered 429 ([`OBSERVED_429`] events; `calibrate`).
    pub observed_429: u64,
    /// Requests both the simulation and the real deployment answered 429 on the first attempt.
    pub matched_429: u64,
    /// Sum over minutes of |simulated - observed| first-attempt 429s.
    pub minute_429_abs_error: u64,
    /// 429 responses returned, counting each retry.
    pub throttle_responses: u64,
    /// The tokens of spilled requests, by billing category and context class (billed at the
    /// spillover target's token prices).
    pub spilled: TokenTally,
    /// Requests served only after at least one retry.
    pub retried_requests: u64,
    /// Sum of the waits added by retries to served requests, ms.
    pub retry_added_latency_ms_total: f64,
    /// Largest wait added by retries to a served request, ms.
    pub retry_added_latency_ms_max: f64,
    /// Per-minute utilization histogram (admitted weighted tokens / capacity), over every
    /// minute of the span.
    pub utilization: UtilizationHistogram,
    /// What the spillover Standard deployment's rate limits did with the spilled requests
    /// (those it answered 429 are in `throttled_requests`, not `spilled_requests`).
    pub standard: Option<StandardOutcome>,
}

impl SimOutcome {
    /// The outcome a `Fail` deployment has where this `Spillover` one spilled: spilled 429s
    /// become throttled requests, spilled prompt-limit 400s rejected ones, nothing is billed.
    pub fn as_failing(&self) -> SimOutcome {
        SimOutcome {
            throttled_requests: self.throttled_requests + self.spilled_requests
                - self.context_limit_requests,
            rejected_requests: self.rejected_requests + self.context_limit_requests,
            spilled_requests: 0,
            spilled: TokenTally::default(),
            standard: None,
            ..self.clone()
        }
    }

    /// Share of offered requests the PTU deployment did not serve (failed or spilled).
    pub fn throttle_rate(&self) -> f64 {
        share(
            self.offered_requests - self.served_requests,
            self.offered_requests,
        )
    }

    /// Share of offered requests that failed (429 after any retries, or a prompt-limit 400).
    pub fn failed_share(&self) -> f64 {
        share(
            self.throttled_requests + self.rejected_requests,
            self.offered_requests,
        )
    }

    /// Share of offered requests served by spillover.
    pub fn spilled_share(&self) -> f64 {
        share(self.spilled_requests, self.offered_requests)
    }

    /// Share of requests on which the simulated first-attempt outcome (429 or not) matches
    /// the observed one.
    pub fn agreement(&self) -> f64 {
        let n = self.offered_requests;
        let agree = n + 2 * self.matched_429 - self.first_attempt_429 - self.observed_429;
        share(agree, n)
    }
}

pub(super) fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Per-minute utilization, binned.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilizationHistogram {
    pub(super) counts: Vec<u64>,
    /// Minutes with no admitted traffic (exactly 0%).
    pub idle_minutes: u64,
    /// Minutes counted.
    pub minutes: u64,
    /// Largest per-minute utilization seen (1.0 = 100%).
    pub max: f64,
    /// Sum of the per-minute utilizations (their mean is the admitted share of the span's
    /// capacity).
    pub sum: f64,
}

impl Default for UtilizationHistogram {
    fn default() -> Self {
        UtilizationHistogram {
            // Grown on demand: most deployments never reach high bins, and a search holds
            // many outcomes at once.
            counts: Vec::new(),
            idle_minutes: 0,
            minutes: 0,
            max: 0.0,
            sum: 0.0,
        }
    }
}

impl UtilizationHistogram {
    #[inline]
    pub(super) fn add(&mut self, utilization: f64, minutes: u64) {
        if minutes == 0 {
            return;
        }
        self.minutes += minutes;
        if utilization <= 0.0 {
            self.idle_minutes += minutes;
            return;
        }
        let bin = ((utilization / HIST_BIN_WIDTH) as usize).min(HIST_BINS - 1);
        if bin >= self.counts.len() {
            self.counts.resize(bin + 1, 0);
        }
        self.counts[bin] += minutes;
        self.max = self.max.max(utilization);
        self.sum += utilization * minutes as f64;
    }

    /// Mean per-minute utilization over the minutes counted: the admitted (served) share of
    /// the capacity over the span.
    pub fn mean(&self) -> f64 {
        if self.minutes == 0 {
            0.0
        } else {
            self.sum / self.minutes as f64
        }
    }

    /// The `q` quantile (0..=1) of per-minute utilization: 0 for idle minutes, otherwise the
    /// upper edge of its 0.5% bin (never above the exact maximum).
    pub fn quantile(&self, q: f64) -> f64 {
        if self.minutes == 0 {
            return 0.0;
        }
        let rank = ((q * self.minutes as f64).ceil() as u64).clamp(1, self.minutes);
        if rank <= self.idle_minutes {
            return 0.0;
        }
        let mut seen = self.idle_minutes;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return ((i + 1) as f64 * HIST_BIN_WIDTH).min(self.max);
            }
        }
        self.max
    }
}
