//! Pass 2 of the replay: PTU admission, request by request, in timestamp order, for many
//! simulated deployments at once (every provisioned type x every swept PTU count), in one pass
//! over the events.
//!
//! The model follows Azure's description of provisioned admission as "a variation of the leaky
//! bucket" (What is provisioned throughput, S5/S41):
//! - utilization drains continuously at the deployment's capacity, `PTUs x input TPM per PTU`
//!   weighted tokens per minute;
//! - a request arriving while utilization is at or above 100% gets a 429 whose
//!   `retry-after-ms` is the time until utilization drops below 100%;
//! - otherwise it is admitted and charged its weighted input plus `output weight x estimate`,
//!   the estimate being `max_completion_tokens` when logged (see
//!   [`SimParams::missing_max_tokens`]); the weights come from the model's accounting and were
//!   computed once per request by the replay ([`crate::catalog::accounting::weigh`]: for older
//!   models `(prompt - cached) + ratio x estimate`, for GPT-6 normalized tokens);
//! - when it completes (arrival + latency) the charge is corrected by
//!   `output weight x (actual completion - estimate)`.
//!
//! 100% is a bucket depth of [`SimTarget::bucket_window_s`] seconds of capacity: Azure
//! publishes no burst allowance, so every simulated deployment carries its own window (the
//! sizing search simulates several). A request whose prompt exceeds the model's PTU prompt
//! limit ([`SimTarget::max_prompt_tokens`]) is answered 400 without touching the bucket
//! ("long context" is not supported on PTU for some models; spillover can catch it, S10/U3).
//! What happens to a 429 or such a 400 is the target's [`ThrottleMode`]. Per-minute
//! utilization is Azure's "PTUs consumed / PTUs deployed" per minute, from the weighted tokens
//! admitted in that minute.
//!
//! For `calibrate`, events may carry the status the real deployment answered
//! ([`OBSERVED_429`]); each outcome then counts how often the simulation agrees with it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use super::estimate::MissingMaxTokens;
use super::prune::{self, LaneClass, Pruning, SkipPlan, Stretches};
use super::queue::{Timed, TimedQueue};
pub use super::spool::OBSERVED_429;
use super::spool::{ReplayEvent, SortedEvents, NONE_U32};
use super::standard::{streams_by_workload, LoggedLatency, PerTokenRun, StandardStream};
use super::standard::{StandardLimiter, StandardOutcome, StandardQuota};
use crate::catalog::accounting::TokenTally;

const MS_PER_MIN: i64 = 60_000;
/// Utilization histogram: bins of 0.5% from 0 to 300%, the last bin open-ended.
const HIST_BINS: usize = 600;
const HIST_BIN_WIDTH: f64 = 0.005;
/// Lanes per group: one bit each in a completion mask. A workload with more simulated
/// deployments gets several groups.
const LANES_PER_GROUP: usize = 128;

/// What a provisioned deployment does with a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThrottleMode {
    /// The request fails (counted as throttled).
    Fail,
    /// The client waits `retry-after-ms` and retries, up to `max_retries` times, then fails.
    Retry {
        /// Retries after the first attempt.
        max_retries: u32,
    },
    /// The request is served by the Standard deployment at the same data-processing level
    /// and billed at its token prices.
    Spillover,
}

/// Default seconds of capacity the bucket holds before it reports 100%: one minute, the only
/// period Microsoft attaches to PTU utilization ("PTUs consumed in the time period / PTUs
/// deployed in the time period", reported "in one-minute increments", S40; the capacity
/// calculator sizes by tokens per minute, S1). No PTU burst size is published.
pub const DEFAULT_BUCKET_WINDOW_S: f64 = 60.0;

/// The windows every option is also planned at (`--window-band`): strict, middle, lenient.
pub const DEFAULT_WINDOW_BAND_S: [f64; 3] = [1.0, 10.0, 60.0];

/// Named assumptions of the admission model, with their defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimParams {
    /// Seconds of capacity the bucket holds before it reports 100%, for the answers the plan
    /// uses (default [`DEFAULT_BUCKET_WINDOW_S`]). Each [`SimTarget`] carries the window it is
    /// simulated with.
    pub bucket_window_s: f64,
    /// Further windows every option is also planned at, in seconds (default 1, 10 and 60): a
    /// reservation is recommended only if it holds at every one (the burst allowance is
    /// unpublished).
    pub window_band_s: Vec<f64>,
    /// Estimate used when `max_completion_tokens` is absent (default: the actual size).
    pub missing_max_tokens: MissingMaxTokens,
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            bucket_window_s: DEFAULT_BUCKET_WINDOW_S,
            window_band_s: DEFAULT_WINDOW_BAND_S.to_vec(),
            missing_max_tokens: MissingMaxTokens::Actual,
        }
    }
}

/// One simulated provisioned deployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimTarget {
    /// Workload whose events it receives.
    pub workload: u32,
    /// Deployed capacity in weighted tokens per minute (`PTUs x input TPM per PTU`).
    pub capacity_tokens_per_min: f64,
    /// Output tokens per second used to estimate latency when a request logged none.
    pub latency_target_tokens_per_s: f64,
    /// Seconds of capacity the bucket holds before it reports 100%.
    pub bucket_window_s: f64,
    /// Largest prompt (tokens) the PTU deployment accepts; larger requests get HTTP 400.
    /// `None`: no limit below the model's context window.
    pub max_prompt_tokens: Option<u32>,
    /// What a 429 (or a prompt-limit 400) leads to.
    pub mode: ThrottleMode,
    /// The rate limits of the Standard deployment spilled requests go to (None: unlimited).
    pub standard: Option<StandardQuota>,
}

impl SimTarget {
    /// The deployment whose bucket behaves exactly like this one's, and how to read its
    /// outcome back. A rejected request never touches the bucket whether it fails or spills,
    /// so a `Fail` deployment admits the same requests as a `Spillover` one of the same
    /// capacity without a Standard limiter: it is simulated as that, and
    /// [`SimOutcome::as_failing`] relabels the result. Retries change the load, so retry
    /// deployments stay as they are.
    pub fn canonical(&self) -> (SimTarget, bool) {
        match self.mode {
            ThrottleMode::Fail => (
                SimTarget {
                    mode: ThrottleMode::Spillover,
                    standard: None,
                    ..*self
                },
                true,
            ),
            _ => (*self, false),
        }
    }

    /// A key equal for deployments [`canonical`](SimTarget::canonical) makes identical.
    pub fn key(&self) -> [u64; 7] {
        let (c, _) = self.canonical();
        let mode = match c.mode {
            ThrottleMode::Fail => 0,
            ThrottleMode::Spillover => 1,
            ThrottleMode::Retry { max_retries } => 2 + u64::from(max_retries),
        };
        // The Standard limiter a spill lane feeds (FNV-1a of its description: lanes with
        // different limits never share an outcome).
        let standard = c.standard.map_or(0, |q| {
            format!("{q:?}")
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                })
        });
        [
            u64::from(c.workload),
            c.capacity_tokens_per_min.to_bits(),
            c.latency_target_tokens_per_s.to_bits(),
            c.bucket_window_s.to_bits(),
            c.max_prompt_tokens.map_or(u64::MAX, u64::from),
            mode,
            standard,
        ]
    }
}

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

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Per-minute utilization, binned.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilizationHistogram {
    counts: Vec<u64>,
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
    fn add(&mut self, utilization: f64, minutes: u64) {
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

/// The simulated deployments of one workload, as parallel arrays (structure of arrays): the
/// per-request loop touches a few contiguous `f64`/`i64` lanes and no pointers.
struct Group {
    /// Index of each slot's target in the caller's target list.
    targets: Vec<usize>,
    level: Vec<f64>,
    /// Time of each slot's last update, ms since the epoch as `f64` (exact for any realistic
    /// time; keeps the hot loop free of integer conversions).
    last_ms: Vec<f64>,
    rate_per_ms: Vec<f64>,
    full_level: Vec<f64>,
    capacity_per_min: Vec<f64>,
    minute_admitted: Vec<f64>,
    /// 1 where the last arrival was admitted (bytes, so the hot loop vectorises).
    admitted: Vec<u8>,
    /// Retries served per slot (first attempts served are counted at the end from the
    /// offered requests and the first-attempt 429s).
    retry_served: Vec<u64>,
    modes: Vec<ThrottleMode>,
    /// Each slot's spillover Standard limiter (its own spill stream).
    standard: Vec<Option<StandardLimiter>>,
    outcomes: Vec<SimOutcome>,
    ms_per_output_token: f64,
    /// Largest prompt the lanes accept (the model's PTU prompt limit; `u64::MAX`: none).
    max_prompt_tokens: u64,
    offered: u64,
    /// Offered events flagged [`OBSERVED_429`].
    observed_429: u64,
    /// First-attempt 429s per slot in the current minute.
    minute_429: Vec<u64>,
    /// Observed 429s in the current minute.
    minute_observed_429: u64,
    current_minute: Option<i64>,
    /// Negative completion corrections (weighted tokens) due but not yet
    /// applied to every slot. Drains and negative corrections both act as
    /// `level -> max(0, level - x)`, and such steps compose by adding their `x`, so deferring
    /// them to the next admission check gives exactly the same levels.
    pending_all_tokens: f64,
    /// The same for completions that only some slots admitted (weighted tokens per slot).
    pending: Vec<f64>,
    /// Pruning ([`prune`]): 1 where a lane came within the margin of 100%, answered a 429 or
    /// a 400, or retried since the current minute began.
    near: Vec<u8>,
    /// Each lane's 100% level less the margin.
    slack_full: Vec<f64>,
    /// Each lane's margin below empty for a recorded rest.
    rest_margin: Vec<f64>,
    /// In-flight completion corrections each lane did not admit.
    missed: Vec<u32>,
    /// In-flight completion corrections not every lane admitted.
    partial_inflight: u64,
    /// Retries waiting, per lane and in all.
    retries_waiting: Vec<u32>,
    retries_total: u64,
    /// Each lane's recorded stretches (recording lanes only).
    record: Vec<Option<Stretches>>,
    /// The minute bit since whose first arrival the lanes were watched (None: not watched).
    watch_from: Option<usize>,
    /// The span's last minute (the histograms cover the span).
    last_minute: i64,
    /// Where this group may skip, from the references of its lanes.
    skip: Option<SkipPlan>,
    /// Skipping arrivals until this minute bit.
    skip_exit: Option<usize>,
    /// Admitted weighted tokens of the current skipped minute (the same for every lane).
    skip_sum: f64,
}

impl Group {
    fn new() -> Group {
        Group {
            targets: Vec::new(),
            level: Vec::new(),
            last_ms: Vec::new(),
            rate_per_ms: Vec::new(),
            full_level: Vec::new(),
            capacity_per_min: Vec::new(),
            minute_admitted: Vec::new(),
            admitted: Vec::new(),
            retry_served: Vec::new(),
            modes: Vec::new(),
            standard: Vec::new(),
            outcomes: Vec::new(),
            ms_per_output_token: 0.0,
            max_prompt_tokens: u64::MAX,
            offered: 0,
            observed_429: 0,
            minute_429: Vec::new(),
            minute_observed_429: 0,
            current_minute: None,
            pending_all_tokens: 0.0,
            pending: Vec::new(),
            near: Vec::new(),
            slack_full: Vec::new(),
            rest_margin: Vec::new(),
            missed: Vec::new(),
            partial_inflight: 0,
            retries_waiting: Vec::new(),
            retries_total: 0,
            record: Vec::new(),
            watch_from: None,
            last_minute: i64::MAX,
            skip: None,
            skip_exit: None,
            skip_sum: 0.0,
        }
    }

    fn add(&mut self, index: usize, t: &SimTarget) {
        let rate_per_ms = t.capacity_tokens_per_min / MS_PER_MIN as f64;
        self.targets.push(index);
        self.level.push(0.0);
        self.last_ms.push(0.0);
        self.rate_per_ms.push(rate_per_ms);
        self.full_level
            .push(rate_per_ms * t.bucket_window_s * 1000.0);
        self.minute_429.push(0);
        // One model per workload, so one limit per group.
        self.max_prompt_tokens = t.max_prompt_tokens.map_or(u64::MAX, u64::from);
        self.capacity_per_min.push(t.capacity_tokens_per_min);
        self.minute_admitted.push(0.0);
        self.admitted.push(0);
        self.retry_served.push(0);
        self.modes.push(t.mode);
        self.standard.push(t.standard.map(StandardLimiter::new));
        self.outcomes.push(SimOutcome::default());
        self.pending.push(0.0);
        self.ms_per_output_token = 1000.0 / t.latency_target_tokens_per_s.max(1e-9);
        let full = rate_per_ms * t.bucket_window_s * 1000.0;
        self.near.push(0);
        self.slack_full.push(full * (1.0 - prune::MARGIN));
        self.rest_margin.push(full * prune::MARGIN);
        self.missed.push(0);
        self.retries_waiting.push(0);
        self.record.push(None);
    }

    /// The lanes' class for [`Pruning`] (one workload and model per group).
    fn class(&self, workload: u32) -> LaneClass {
        LaneClass {
            workload,
            ms_per_output_token_bits: self.ms_per_output_token.to_bits(),
            max_prompt_tokens: self.max_prompt_tokens,
        }
    }

    /// Slot `i`'s level at `t` before the floor at zero, exactly as [`Lanes::step`] computes
    /// it.
    #[inline(always)]
    fn unfloored(&self, i: usize, t: f64) -> f64 {
        self.level[i] - self.rate_per_ms[i] * (t - self.last_ms[i]).max(0.0)
            + self.pending_all_tokens
            + self.pending[i]
    }

    /// At the first arrival of minute bit `at` (time `t_ms`, after every completion due):
    /// record the minutes since the last such arrival as quiet for each lane that stayed clear
    /// of 100%, and the rest of each lane at rest; then enter a skip if the lanes' references
    /// allow one and every lane is exactly at rest (empty, every in-flight correction
    /// admitted by all lanes, no retry waiting). Returns true when a skip began.
    fn minute_start(&mut self, at: usize, t_ms: i64) -> bool {
        let t = t_ms as f64;
        for i in 0..self.len() {
            let level = self.unfloored(i, t);
            let at_rest = level <= -self.rest_margin[i]
                && self.missed[i] == 0
                && self.retries_waiting[i] == 0;
            if let Some(rec) = &mut self.record[i] {
                if let (Some(from), 0) = (self.watch_from, self.near[i]) {
                    prune::set_range(&mut rec.quiet, from, at);
                }
                if at_rest {
                    prune::set(&mut rec.rest, at);
                }
            }
            self.near[i] = 0;
        }
        self.watch_from = Some(at);
        if self.partial_inflight != 0 || self.retries_total != 0 {
            return false;
        }
        let Some(exit) = self.skip.as_ref().and_then(|p| p.exit_for(at)) else {
            return false;
        };
        if (0..self.len()).any(|i| self.unfloored(i, t) > 0.0) {
            return false;
        }
        self.skip_exit = Some(exit);
        self.skip_sum = 0.0;
        self.watch_from = None;
        true
    }

    /// Count a completion correction of the lanes in `mask` going in flight (`push`) or
    /// falling due: the lanes outside the mask miss it.
    fn track_inflight(&mut self, mask: u128, push: bool) {
        let full = self.full_mask();
        if mask == full {
            return;
        }
        let mut missed = !mask & full;
        while missed != 0 {
            let i = missed.trailing_zeros() as usize;
            missed &= missed - 1;
            if push {
                self.missed[i] += 1;
            } else {
                self.missed[i] -= 1;
            }
        }
        if push {
            self.partial_inflight += 1;
        } else {
            self.partial_inflight -= 1;
        }
    }

    /// Hand the skipped minute's admitted tokens to every lane (before the minute closes).
    fn fill_skipped_minute(&mut self) {
        let sum = self.skip_sum;
        self.minute_admitted.fill(sum);
        self.skip_sum = 0.0;
    }

    /// Leave a skip at an arrival at `t_ms`: the lemma of [`prune`] puts every lane empty
    /// there, so the levels restart from zero (what the full replay's next step computes).
    fn end_skip(&mut self, t_ms: i64) {
        self.fill_skipped_minute();
        self.level.fill(0.0);
        self.last_ms.fill(t_ms as f64);
        self.pending.fill(0.0);
        self.pending_all_tokens = 0.0;
        self.near.fill(0);
        self.skip_exit = None;
        self.watch_from = None;
    }

    fn len(&self) -> usize {
        self.targets.len()
    }

    /// The mask with every slot set.
    fn full_mask(&self) -> u128 {
        if self.len() >= 128 {
            u128::MAX
        } else {
            (1u128 << self.len()) - 1
        }
    }

    /// Apply the deferred corrections to every slot, drained to `t_ms`.
    fn flush_pending(&mut self, t_ms: i64) {
        let t = t_ms as f64;
        for i in 0..self.len() {
            let level = self.level[i] - self.rate_per_ms[i] * (t - self.last_ms[i]).max(0.0)
                + self.pending_all_tokens
                + self.pending[i];
            self.level[i] = level.max(0.0);
            self.last_ms[i] = t;
            self.pending[i] = 0.0;
        }
        self.pending_all_tokens = 0.0;
    }

    /// Level of slot `i` drained to `t_ms`.
    fn drained(&self, i: usize, t_ms: i64) -> f64 {
        drain(
            self.level[i],
            self.last_ms[i],
            self.rate_per_ms[i],
            t_ms as f64,
        )
    }

    /// Close the current minute(s) up to the minute of `t_ms`.
    fn advance_minute(&mut self, t_ms: i64) {
        let minute = t_ms.div_euclid(MS_PER_MIN);
        match self.current_minute {
            Some(m) if m >= minute => {}
            Some(_) => {
                self.close_minute();
                self.current_minute = Some(minute);
            }
            None => self.current_minute = Some(minute),
        }
    }

    fn close_minute(&mut self) {
        // A minute after the span exists only because some lane served a retry in it: it
        // counts for the lanes that admitted something then, never as an idle minute of the
        // others (which lanes share a group must not change a lane's outcome).
        let after_span = self.current_minute.is_some_and(|m| m > self.last_minute);
        for i in 0..self.len() {
            let u = self.minute_admitted[i] / self.capacity_per_min[i];
            let out = &mut self.outcomes[i];
            if !(after_span && u <= 0.0) {
                out.utilization.add(u, 1);
            }
            out.minute_429_abs_error += self.minute_429[i].abs_diff(self.minute_observed_429);
            self.minute_admitted[i] = 0.0;
            self.minute_429[i] = 0;
        }
        self.minute_observed_429 = 0;
    }
}

/// An event's weighted input (tokens) and output weight, as the replay computed them.
#[inline(always)]
fn weights(e: &ReplayEvent) -> (f64, f64) {
    (
        e.weighted_input_millitokens as f64 / 1000.0,
        f64::from(e.output_weight_milli) / 1000.0,
    )
}

/// An event's prompt tokens (ordinary input, cache reads and cache writes).
fn prompt_tokens(e: &ReplayEvent) -> u64 {
    u64::from(e.input_tokens) + u64::from(e.cached_tokens) + u64::from(e.cache_write_tokens)
}

/// Count a spilled request and its tokens, by billing category and context class; a request
/// the spillover Standard deployment's rate limits answer 429 fails instead.
fn spill(out: &mut SimOutcome, e: &ReplayEvent, standard: &mut Option<StandardLimiter>) {
    if standard.as_mut().is_some_and(|s| !s.admit(e)) {
        out.throttled_requests += 1;
        return;
    }
    out.spilled_requests += 1;
    out.spilled.add(&e.tokens(), e.long_context);
}

/// A bucket level drained from `last_ms` to `t_ms` at `rate_per_ms` (never below empty).
#[inline(always)]
fn drain(level: f64, last_ms: f64, rate_per_ms: f64, t_ms: f64) -> f64 {
    (level - rate_per_ms * (t_ms - last_ms).max(0.0)).max(0.0)
}

/// The lanes of a group, borrowed for one admission check.
struct Lanes<'a> {
    level: &'a mut [f64],
    last_ms: &'a mut [f64],
    rate_per_ms: &'a [f64],
    full_level: &'a [f64],
    minute_admitted: &'a mut [f64],
    pending: &'a mut [f64],
    admitted: &'a mut [u8],
    slack_full: &'a [f64],
    near: &'a mut [u8],
}

impl Lanes<'_> {
    /// The hot loop: drain every lane to `t`, apply the deferred negative corrections (one
    /// floor at zero for both), admit below 100% and charge `charge`, and count `counted`
    /// towards the minute's utilization. Returns how many lanes admitted. Branch-free over
    /// plain arrays, so it vectorises; on x86-64 with AVX2 the same loop runs 4 lanes at a
    /// time (the same IEEE operations per lane, so the same results on every machine).
    fn step<const WATCH: bool>(self, t: f64, pending_all: f64, charge: f64, counted: f64) -> usize {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { self.step_avx2::<WATCH>(t, pending_all, charge, counted) };
            }
        }
        self.step_portable::<WATCH>(t, pending_all, charge, counted)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn step_avx2<const WATCH: bool>(
        self,
        t: f64,
        pending_all: f64,
        charge: f64,
        counted: f64,
    ) -> usize {
        self.step_portable::<WATCH>(t, pending_all, charge, counted)
    }

    #[inline(always)]
    fn step_portable<const WATCH: bool>(
        self,
        t: f64,
        pending_all: f64,
        charge: f64,
        counted: f64,
    ) -> usize {
        let n = self.level.len();
        let (level, last_ms, rate, full) = (
            &mut self.level[..n],
            &mut self.last_ms[..n],
            &self.rate_per_ms[..n],
            &self.full_level[..n],
        );
        let (minute, pending, admitted) = (
            &mut self.minute_admitted[..n],
            &mut self.pending[..n],
            &mut self.admitted[..n],
        );
        let (slack, near) = (&self.slack_full[..n], &mut self.near[..n]);
        let mut count = 0usize;
        for i in 0..n {
            let drained =
                (level[i] - rate[i] * (t - last_ms[i]).max(0.0) + pending_all + pending[i])
                    .max(0.0);
            pending[i] = 0.0;
            let admit = drained < full[i];
            if WATCH {
                near[i] |= u8::from(drained >= slack[i]);
            }
            level[i] = if admit { drained + charge } else { drained };
            last_ms[i] = t;
            minute[i] += if admit { counted } else { 0.0 };
            admitted[i] = u8::from(admit);
            count += usize::from(admit);
        }
        count
    }
}

/// Bit `i` set for every non-zero `flags[i]` (at most 128).
fn bitmask(flags: &[u8]) -> u128 {
    let word = |chunk: &[u8]| {
        chunk
            .iter()
            .enumerate()
            .fold(0u64, |m, (i, &f)| m | (u64::from(f != 0) << i))
    };
    let lo = word(&flags[..flags.len().min(64)]);
    let hi = if flags.len() > 64 {
        word(&flags[64..])
    } else {
        0
    };
    u128::from(lo) | (u128::from(hi) << 64)
}

/// A completion correction for the slots of `group` set in `mask` (due at its
/// [`Timed::t_ms`]).
#[derive(Debug, Clone, Copy)]
struct Completion {
    group: u32,
    delta_tokens: f64,
    mask: u128,
}

/// A retry of one slot's request due at `t_ms`.
#[derive(Debug, Clone, Copy)]
struct Retry {
    t_ms: i64,
    seq: u64,
    group: u32,
    slot: u32,
    attempt: u32,
    first_ms: i64,
    event: ReplayEvent,
}

macro_rules! order_by_time_then_seq {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                (self.t_ms, self.seq) == (other.t_ms, other.seq)
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $t {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                (self.t_ms, self.seq).cmp(&(other.t_ms, other.seq))
            }
        }
    };
}
order_by_time_then_seq!(Retry);

/// The multi-deployment simulator over one share of the targets.
struct Simulator<'a> {
    params: &'a SimParams,
    /// What earlier passes learnt ([`prune`]); the bit of a minute.
    pruning: &'a Pruning,
    /// Arrivals x lanes skipped and replayed.
    skipped_lane_events: u64,
    replayed_lane_events: u64,
    /// Lane groups of one workload (at most [`LANES_PER_GROUP`] lanes each).
    groups: Vec<Group>,
    completions: TimedQueue<Completion>,
    retries: BinaryHeap<Reverse<Retry>>,
    seq: u64,
}

/// Errors of the admission pass.
#[derive(Debug, thiserror::Error)]
pub enum AdmissionError {
    /// The spool could not be read back.
    #[error("cannot read the replay spool: {0}")]
    Spool(#[from] std::io::Error),
}

/// Replay `events` through every target; outcomes are returned in target order.
/// `first_minute..=last_minute` is the span whose minutes the utilization histograms cover.
///
/// Workloads never interact, so the work is cut into jobs of one workload and some of its
/// targets; each job reads only that workload's events. Up to `threads` threads take jobs,
/// the costliest first. A target's outcome depends only on its own state, so the cut never
/// changes a result.
pub fn simulate(
    events: &SortedEvents,
    targets: &[SimTarget],
    params: &SimParams,
    threads: usize,
    first_minute: i64,
    last_minute: i64,
) -> Result<Vec<SimOutcome>, AdmissionError> {
    let span = (first_minute, last_minute);
    simulate_with_per_token(events, targets, None, params, threads, span).map(|(o, _)| o)
}

/// What [`simulate_with_per_token`] found for the per-token options: the streams' outcomes in
/// order, and one logged latency per workload.
pub type PerTokenResult = (Vec<StandardOutcome>, Vec<LoggedLatency>);

/// [`simulate`], also running per-token Standard `streams` (with `workloads` workloads) and
/// measuring the logged latency of every workload, in the same reading of each workload's
/// events.
pub fn simulate_with_per_token(
    events: &SortedEvents,
    targets: &[SimTarget],
    per_token: Option<(&[StandardStream], usize)>,
    params: &SimParams,
    threads: usize,
    span: (i64, i64),
) -> Result<(Vec<SimOutcome>, Option<PerTokenResult>), AdmissionError> {
    let mut off = Pruning::off();
    simulate_pruned(events, targets, per_token, params, threads, span, &mut off)
}

/// [`simulate_with_per_token`], replaying only what `pruning`'s memory of earlier passes over
/// the same events leaves busy, and adding what this pass learns to it ([`prune`]). The
/// outcomes are exactly those of a full replay.
pub fn simulate_pruned(
    events: &SortedEvents,
    targets: &[SimTarget],
    per_token: Option<(&[StandardStream], usize)>,
    params: &SimParams,
    threads: usize,
    (first_minute, last_minute): (i64, i64),
    pruning: &mut Pruning,
) -> Result<(Vec<SimOutcome>, Option<PerTokenResult>), AdmissionError> {
    let jobs = plan_jobs(events, targets, threads.clamp(1, 64), per_token.is_some());
    // Targets that record their stretches, first ones first, within the memory's budget.
    let record: Vec<bool> = {
        let one = pruning
            .record_bits()
            .map_or(usize::MAX, |bits| 2 * bits.div_ceil(64) * 8);
        let room = pruning.room_bytes() / one.max(1);
        (0..targets.len()).map(|i| i < room).collect()
    };
    let shared: &Pruning = pruning;
    let by_workload = per_token.map(|(s, w)| streams_by_workload(s, w));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = threads.clamp(1, 64).min(jobs.len()).max(1);
    type Done = (
        Vec<Finished>,
        Vec<(u32, Vec<(usize, StandardOutcome)>, LoggedLatency)>,
    );
    let results: Vec<Result<Done, AdmissionError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let (mut done, mut per) = (Vec::new(), Vec::new());
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(j) else {
                            return Ok((done, per));
                        };
                        let run = match (&by_workload, per_token) {
                            (Some(lists), Some((streams, _))) if job.per_token => lists
                                .get(job.workload as usize)
                                .map(|list| PerTokenRun::new(streams, list)),
                            _ => None,
                        };
                        let (outs, run) = run_job(
                            events,
                            targets,
                            job,
                            params,
                            (shared, &record),
                            run,
                            first_minute,
                            last_minute,
                        )?;
                        done.push(outs);
                        if let Some(run) = run {
                            let (o, latency) = run.finish();
                            per.push((job.workload, o, latency));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a simulation thread panicked"))
            .collect()
    });
    let mut outcomes = vec![SimOutcome::default(); targets.len()];
    let mut per_token_out = per_token.map(|(streams, workloads)| {
        (
            vec![StandardOutcome::default(); streams.len()],
            vec![LoggedLatency::default(); workloads],
        )
    });
    let mut learnt = Vec::new();
    for result in results {
        let (done, per) = result?;
        for f in done {
            for (i, outcome) in f.outcomes {
                outcomes[i] = outcome;
            }
            learnt.extend(f.learnt);
            pruning.skipped_lane_events += f.skipped_lane_events;
            pruning.replayed_lane_events += f.replayed_lane_events;
        }
        if let Some((outs, latency)) = &mut per_token_out {
            for (w, o, l) in per {
                for (i, so) in o {
                    outs[i] = so;
                }
                if let Some(slot) = latency.get_mut(w as usize) {
                    *slot = l;
                }
            }
        }
    }
    // In target order, whatever thread ran them: the memory never depends on scheduling.
    learnt.sort_by_key(|l| l.0);
    for (_, class, rate, full, stretches) in learnt {
        pruning.remember(class, rate, full, stretches);
    }
    Ok((outcomes, per_token_out))
}

/// One workload and some of its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Job {
    workload: u32,
    targets: Vec<usize>,
    /// Events of the workload (the job's cost is about events x (targets + a reading share)).
    events: u64,
    /// Whether this job also runs the workload's per-token Standard streams (one job per
    /// workload does).
    per_token: bool,
}

impl Job {
    fn cost(&self) -> u64 {
        self.events.saturating_mul(self.targets.len() as u64 + 8)
    }
}

/// One job per workload (with `every_workload`, also for workloads without targets), then the
/// costliest split in two until every thread has one; the costliest first (jobs are taken in
/// this order).
fn plan_jobs(
    events: &SortedEvents,
    targets: &[SimTarget],
    threads: usize,
    every_workload: bool,
) -> Vec<Job> {
    let counts = events.counts();
    let mut by_workload: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    if every_workload {
        for &w in counts.keys() {
            by_workload.entry(w).or_default();
        }
    }
    for (i, t) in targets.iter().enumerate() {
        by_workload.entry(t.workload).or_default().push(i);
    }
    let mut jobs: Vec<Job> = by_workload
        .into_iter()
        .map(|(workload, targets)| Job {
            workload,
            targets,
            events: counts.get(&workload).copied().unwrap_or(0),
            per_token: every_workload,
        })
        .collect();
    while jobs.len() < threads {
        let Some((i, _)) = jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.targets.len() > 1)
            .max_by_key(|(i, j)| (j.cost(), std::cmp::Reverse(*i)))
        else {
            break;
        };
        let half = jobs[i].targets.len() / 2;
        let rest = jobs[i].targets.split_off(half);
        let split = Job {
            targets: rest,
            per_token: false,
            ..jobs[i].clone()
        };
        jobs.push(split);
    }
    jobs.sort_by_key(|j| {
        (
            std::cmp::Reverse(j.cost()),
            j.workload,
            j.targets.first().copied(),
        )
    });
    jobs
}

/// A job's outcomes (by target index) and its per-token run, if it had one.
type JobDone = (Finished, Option<PerTokenRun>);

/// What one job found: outcomes by target index, and the stretches its recording lanes
/// learnt (target index, class, drain rate, 100% level, stretches).
struct Finished {
    outcomes: Vec<(usize, SimOutcome)>,
    learnt: Vec<(usize, LaneClass, f64, f64, Stretches)>,
    skipped_lane_events: u64,
    replayed_lane_events: u64,
}

/// The job's lanes in groups: with pruning, ordered by their 100% level so that lanes of one
/// group have references alike, lanes without a reference apart; each group with its skip
/// plan and its recording lanes.
fn build_groups(
    targets: &[SimTarget],
    job: &Job,
    pruning: &Pruning,
    record: &[bool],
) -> Vec<Group> {
    let mut order = job.targets.clone();
    let probe = |i: usize| {
        let mut g = Group::new();
        g.add(i, &targets[i]);
        g
    };
    let has_ref = |g: &Group| {
        pruning
            .reference_for(g.class(job.workload), g.rate_per_ms[0], g.full_level[0])
            .is_some()
    };
    if pruning.is_enabled() {
        let keys: std::collections::HashMap<usize, (bool, f64)> = order
            .iter()
            .map(|&i| {
                let g = probe(i);
                (i, (has_ref(&g), g.full_level[0]))
            })
            .collect();
        order.sort_by(|a, b| {
            let (ka, kb) = (keys[a], keys[b]);
            (ka.0, ka.1, *a)
                .partial_cmp(&(kb.0, kb.1, *b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut with_ref = None;
    for i in order {
        let referenced = pruning.is_enabled() && has_ref(&probe(i));
        if groups.last().is_none_or(|g| g.len() >= LANES_PER_GROUP) || with_ref != Some(referenced)
        {
            groups.push(Group::new());
            with_ref = Some(referenced);
        }
        let g = groups.last_mut().expect("just pushed");
        g.add(i, &targets[i]);
        if let (Some(bits), true) = (pruning.record_bits(), record[i]) {
            *g.record.last_mut().expect("just added") = Some(Stretches::new(bits));
        }
    }
    if pruning.is_enabled() {
        for g in &mut groups {
            let class = g.class(job.workload);
            let refs: Vec<Option<&Stretches>> = (0..g.len())
                .map(|i| pruning.reference_for(class, g.rate_per_ms[i], g.full_level[i]))
                .collect();
            g.skip = SkipPlan::new(&refs, pruning.end_index() + 1);
        }
    }
    groups
}

#[allow(clippy::too_many_arguments)]
fn run_job(
    events: &SortedEvents,
    targets: &[SimTarget],
    job: &Job,
    params: &SimParams,
    (pruning, record): (&Pruning, &[bool]),
    mut per_token: Option<PerTokenRun>,
    first_minute: i64,
    last_minute: i64,
) -> Result<JobDone, AdmissionError> {
    let mut groups = build_groups(targets, job, pruning, record);
    for g in &mut groups {
        g.last_minute = last_minute;
    }
    let mut sim = Simulator {
        params,
        pruning,
        skipped_lane_events: 0,
        replayed_lane_events: 0,
        groups,
        completions: TimedQueue::default(),
        retries: BinaryHeap::new(),
        seq: 0,
    };
    events.for_each_of(job.workload, |e| {
        if let Some(run) = &mut per_token {
            run.on_event(e);
        }
        if sim.groups.is_empty() {
            return;
        }
        sim.run_pending_until(e.t_ms);
        for g in 0..sim.groups.len() {
            sim.arrive(g, e);
        }
    })?;
    sim.run_pending_until(i64::MAX);
    Ok((
        sim.finish(first_minute, last_minute, job.workload),
        per_token,
    ))
}

impl Simulator<'_> {
    fn estimate(&self, e: &ReplayEvent) -> u32 {
        self.params
            .missing_max_tokens
            .estimate(e.max_completion(), e.completion_tokens)
    }

    fn latency_ms(&self, group: usize, e: &ReplayEvent) -> i64 {
        // Groups of one workload share the model, so any of them gives its latency target.
        if e.latency_ms != NONE_U32 {
            i64::from(e.latency_ms)
        } else {
            (f64::from(e.completion_tokens) * self.groups[group].ms_per_output_token).ceil() as i64
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Apply every completion and retry due at or before `t_ms`, in time order.
    fn run_pending_until(&mut self, t_ms: i64) {
        loop {
            let next_completion = self.completions.peek_due(t_ms);
            let next_retry = self
                .retries
                .peek()
                .map(|Reverse(r)| (r.t_ms, r.seq))
                .filter(|(t, _)| *t <= t_ms);
            let take_completion = match (next_completion, next_retry) {
                (Some(c), Some(r)) => c <= r,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return,
            };
            let due = if take_completion {
                next_completion
            } else {
                next_retry
            };
            if due.is_some_and(|(t, _)| t > t_ms) {
                return;
            }
            if take_completion {
                let c = self.completions.pop().expect("peeked");
                self.complete(c.t_ms, &c.item);
            } else {
                let Reverse(r) = self.retries.pop().expect("peeked");
                self.retry(&r);
            }
        }
    }

    fn complete(&mut self, t_ms: i64, c: &Completion) {
        let g = &mut self.groups[c.group as usize];
        g.track_inflight(c.mask, false);
        if c.mask == 0 {
            // Only tracked for pruning: no lane holds this request.
            return;
        }
        if c.delta_tokens <= 0.0 {
            // Exact when deferred (see `Group::pending_all_tokens`).
            if c.mask == g.full_mask() {
                g.pending_all_tokens += c.delta_tokens;
            } else {
                let mut bits = c.mask;
                while bits != 0 {
                    let i = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    g.pending[i] += c.delta_tokens;
                }
            }
            return;
        }
        // A positive correction does not commute with the floor at zero: apply it now.
        g.flush_pending(t_ms);
        let mut bits = c.mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            g.level[i] = (g.level[i] + c.delta_tokens).max(0.0);
        }
    }

    fn arrive(&mut self, group: usize, e: &ReplayEvent) {
        let estimate = f64::from(self.estimate(e));
        let latency = self.latency_ms(group, e);
        let observed = e.flags & OBSERVED_429 != 0;
        let g = &mut self.groups[group];
        let minute = e.t_ms.div_euclid(MS_PER_MIN);
        let new_minute = g.current_minute.is_none_or(|m| minute > m);
        if let Some(exit) = g.skip_exit {
            if self.pruning.index(minute) < exit {
                if new_minute {
                    g.fill_skipped_minute();
                }
                self.skip(group, e, estimate, latency, observed);
                return;
            }
            g.end_skip(e.t_ms);
        }
        g.advance_minute(e.t_ms);
        if new_minute
            && self.pruning.is_enabled()
            && g.minute_start(self.pruning.index(minute), e.t_ms)
        {
            self.skip(group, e, estimate, latency, observed);
            return;
        }
        let g = &mut self.groups[group];
        self.replayed_lane_events += g.len() as u64;
        g.offered += 1;
        if observed {
            g.observed_429 += 1;
            g.minute_observed_429 += 1;
        }
        if prompt_tokens(e) > g.max_prompt_tokens {
            // HTTP 400 before admission: the bucket never sees it, on every lane alike.
            g.near.fill(1);
            for slot in 0..g.len() {
                self.on_context_limit(group, slot, e);
            }
            return;
        }
        let (input, output_weight) = weights(e);
        let estimate = output_weight * estimate;
        let actual = output_weight * f64::from(e.completion_tokens);
        let n = g.len();
        let t = e.t_ms as f64;
        let pending_all = g.pending_all_tokens;
        g.pending_all_tokens = 0.0;
        let lanes = Lanes {
            level: &mut g.level[..n],
            last_ms: &mut g.last_ms[..n],
            rate_per_ms: &g.rate_per_ms[..n],
            full_level: &g.full_level[..n],
            minute_admitted: &mut g.minute_admitted[..n],
            pending: &mut g.pending[..n],
            admitted: &mut g.admitted[..n],
            slack_full: &g.slack_full[..n],
            near: &mut g.near[..n],
        };
        // Only a pass that records its quiet stretches watches for near-full lanes.
        let admitted = if self.pruning.is_enabled() {
            lanes.step::<true>(t, pending_all, input + estimate, input + actual)
        } else {
            lanes.step::<false>(t, pending_all, input + estimate, input + actual)
        };
        let rejected = admitted < n;
        let mask = if rejected {
            bitmask(&g.admitted[..n])
        } else {
            g.full_mask()
        };
        if rejected {
            for slot in 0..n {
                let g = &mut self.groups[group];
                if g.admitted[slot] == 0 {
                    g.minute_429[slot] += 1;
                    let out = &mut g.outcomes[slot];
                    out.first_attempt_429 += 1;
                    out.matched_429 += u64::from(observed);
                    self.on_throttle(group, slot, e.t_ms, e, 0, e.t_ms);
                }
            }
        }
        let delta_tokens = actual - estimate;
        if delta_tokens != 0.0 && (mask != 0 || self.pruning.is_enabled()) {
            self.groups[group].track_inflight(mask, true);
            let seq = self.next_seq();
            self.completions.push(Timed {
                t_ms: e.t_ms.saturating_add(latency),
                seq,
                item: Completion {
                    group: group as u32,
                    delta_tokens,
                    mask,
                },
            });
        }
    }

    /// An arrival inside a skipped stretch: every lane admits it ([`prune`]'s lemma), so only
    /// what all lanes share is kept: the offered count, the minute's admitted tokens, and the
    /// completion correction in flight (every lane holds it, as in the full replay).
    fn skip(
        &mut self,
        group: usize,
        e: &ReplayEvent,
        estimate_tokens: f64,
        latency: i64,
        observed: bool,
    ) {
        let g = &mut self.groups[group];
        g.advance_minute(e.t_ms);
        debug_assert!(prompt_tokens(e) <= g.max_prompt_tokens);
        self.skipped_lane_events += g.len() as u64;
        g.offered += 1;
        if observed {
            g.observed_429 += 1;
            g.minute_observed_429 += 1;
        }
        let (input, output_weight) = weights(e);
        let estimate = output_weight * estimate_tokens;
        let actual = output_weight * f64::from(e.completion_tokens);
        // The same sum, in the same order, as each lane's `minute_admitted` in a full replay.
        g.skip_sum += input + actual;
        let delta_tokens = actual - estimate;
        if delta_tokens != 0.0 {
            let mask = g.full_mask();
            let seq = self.next_seq();
            self.completions.push(Timed {
                t_ms: e.t_ms.saturating_add(latency),
                seq,
                item: Completion {
                    group: group as u32,
                    delta_tokens,
                    mask,
                },
            });
        }
    }

    /// A prompt above the PTU prompt limit: 400, spilled where the mode spills, else failed.
    fn on_context_limit(&mut self, group: usize, slot: usize, e: &ReplayEvent) {
        let g = &mut self.groups[group];
        let out = &mut g.outcomes[slot];
        out.context_limit_requests += 1;
        match g.modes[slot] {
            ThrottleMode::Spillover => spill(out, e, &mut g.standard[slot]),
            ThrottleMode::Fail | ThrottleMode::Retry { .. } => out.rejected_requests += 1,
        }
    }

    fn on_throttle(
        &mut self,
        group: usize,
        slot: usize,
        t_ms: i64,
        e: &ReplayEvent,
        attempt: u32,
        first_ms: i64,
    ) {
        let g = &mut self.groups[group];
        g.near[slot] = 1;
        let out = &mut g.outcomes[slot];
        out.throttle_responses += 1;
        match g.modes[slot] {
            ThrottleMode::Fail => out.throttled_requests += 1,
            ThrottleMode::Spillover => spill(out, e, &mut g.standard[slot]),
            ThrottleMode::Retry { max_retries } => {
                if attempt >= max_retries {
                    out.throttled_requests += 1;
                } else {
                    // retry-after-ms: time until utilization drops below 100%, at least 1 ms.
                    let over = g.level[slot] - g.full_level[slot];
                    let wait = (over / g.rate_per_ms[slot]).ceil().max(0.0) as i64 + 1;
                    g.retries_waiting[slot] += 1;
                    g.retries_total += 1;
                    let seq = self.next_seq();
                    self.retries.push(Reverse(Retry {
                        t_ms: t_ms.saturating_add(wait),
                        seq,
                        group: group as u32,
                        slot: slot as u32,
                        attempt: attempt + 1,
                        first_ms,
                        event: *e,
                    }));
                }
            }
        }
    }

    fn retry(&mut self, r: &Retry) {
        let (group, slot) = (r.group as usize, r.slot as usize);
        let estimate = f64::from(self.estimate(&r.event));
        let latency = self.latency_ms(group, &r.event);
        let g = &mut self.groups[group];
        g.retries_waiting[slot] -= 1;
        g.retries_total -= 1;
        g.near[slot] = 1;
        g.advance_minute(r.t_ms);
        g.flush_pending(r.t_ms);
        let level = g.drained(slot, r.t_ms);
        g.last_ms[slot] = r.t_ms as f64;
        if level >= g.full_level[slot] {
            g.level[slot] = level;
            self.on_throttle(group, slot, r.t_ms, &r.event, r.attempt, r.first_ms);
            return;
        }
        let (input, output_weight) = weights(&r.event);
        let estimate = output_weight * estimate;
        let actual = output_weight * f64::from(r.event.completion_tokens);
        g.level[slot] = level + input + estimate;
        g.minute_admitted[slot] += input + actual;
        g.retry_served[slot] += 1;
        let out = &mut g.outcomes[slot];
        out.retried_requests += 1;
        let waited = (r.t_ms - r.first_ms) as f64;
        out.retry_added_latency_ms_total += waited;
        out.retry_added_latency_ms_max = out.retry_added_latency_ms_max.max(waited);
        let delta_tokens = actual - estimate;
        if delta_tokens != 0.0 {
            g.track_inflight(1u128 << slot, true);
            let seq = self.next_seq();
            self.completions.push(Timed {
                t_ms: r.t_ms.saturating_add(latency),
                seq,
                item: Completion {
                    group: r.group,
                    delta_tokens,
                    mask: 1u128 << slot,
                },
            });
        }
    }

    fn finish(self, first_minute: i64, last_minute: i64, workload: u32) -> Finished {
        let span_minutes = (last_minute - first_minute + 1).max(1) as u64;
        let mut out = Vec::new();
        let mut learnt = Vec::new();
        let end = self.pruning.end_index();
        for mut g in self.groups {
            if g.skip_exit.is_some() {
                g.fill_skipped_minute();
            }
            if g.current_minute.is_some() {
                g.close_minute();
            }
            let class = g.class(workload);
            for i in 0..g.len() {
                if let Some(mut rec) = g.record[i].take() {
                    // Quiet to the end of the events: nothing after them needs a state.
                    if let (Some(from), 0) = (g.watch_from, g.near[i]) {
                        prune::set_range(&mut rec.quiet, from, end);
                        prune::set(&mut rec.rest, end);
                    }
                    learnt.push((g.targets[i], class, g.rate_per_ms[i], g.full_level[i], rec));
                }
            }
            for i in 0..g.len() {
                let mut o = std::mem::take(&mut g.outcomes[i]);
                o.offered_requests = g.offered;
                // Every arrival is served, answered 429 first, or refused for its prompt;
                // retries add what they serve.
                o.served_requests =
                    g.offered - o.first_attempt_429 - o.context_limit_requests + g.retry_served[i];
                o.observed_429 = g.observed_429;
                o.standard = g.standard[i].take().map(StandardLimiter::finish);
                // Minutes with no admitted traffic count as 0% utilization.
                let counted = o.utilization.minutes;
                if counted < span_minutes {
                    o.utilization.add(0.0, span_minutes - counted);
                }
                out.push((g.targets[i], o));
            }
        }
        Finished {
            outcomes: out,
            learnt,
            skipped_lane_events: self.skipped_lane_events,
            replayed_lane_events: self.replayed_lane_events,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::spool::EventSpool;
    use proptest::prelude::*;

    /// A request with `uncached` prompt tokens and `completion` output tokens at `t_ms`, for a
    /// model whose output weighs 1 (an output-ratio model with ratio 1).
    fn req(t_ms: i64, uncached: u32, completion: u32, max: Option<u32>) -> ReplayEvent {
        ReplayEvent {
            t_ms,
            workload: 0,
            input_tokens: uncached,
            cached_tokens: 0,
            cache_write_tokens: 0,
            long_context: false,
            weighted_input_millitokens: u64::from(uncached) * 1000,
            output_weight_milli: 1000,
            completion_tokens: completion,
            max_completion_tokens: max.unwrap_or(NONE_U32),
            latency_ms: 1000,
            flags: 0,
        }
    }

    /// The same request for a model whose output weighs `ratio` input tokens.
    fn with_ratio(mut e: ReplayEvent, ratio: f64) -> ReplayEvent {
        e.output_weight_milli = (ratio * 1000.0) as u32;
        e
    }

    fn events(list: &[ReplayEvent]) -> SortedEvents {
        let mut spool = EventSpool::default();
        for e in list {
            spool.push(*e).expect("push");
        }
        spool.finish()
    }

    /// 60,000 weighted tokens per minute = 1,000 per second; 10 s bucket = 10,000 tokens.
    fn target(capacity_tokens_per_min: f64, mode: ThrottleMode) -> SimTarget {
        SimTarget {
            workload: 0,
            capacity_tokens_per_min,
            latency_target_tokens_per_s: 50.0,
            bucket_window_s: 10.0,
            max_prompt_tokens: None,
            mode,
            standard: None,
        }
    }

    fn run(list: &[ReplayEvent], targets: &[SimTarget]) -> Vec<SimOutcome> {
        let last = list
            .iter()
            .map(|e| e.t_ms)
            .max()
            .unwrap_or(0)
            .div_euclid(60_000);
        simulate(&events(list), targets, &SimParams::default(), 2, 0, last).expect("simulate")
    }

    #[test]
    fn burst_within_a_minute_is_throttled_although_the_minute_fits() {
        // 20 requests of 1,000 tokens = 20,000 tokens in one minute, a third of the 60,000
        // the deployment serves per minute. Sent at once, the 10 s bucket (10,000 tokens)
        // admits 10: the 11th arrives at exactly 100%.
        let burst: Vec<_> = (0..20).map(|_| req(0, 1000, 0, None)).collect();
        let out = run(&burst, &[target(60_000.0, ThrottleMode::Fail)]);
        assert_eq!(out[0].served_requests, 10);
        assert_eq!(out[0].throttled_requests, 10);
        // The same requests spread 3 s apart never reach 100%.
        let spread: Vec<_> = (0..20).map(|i| req(i * 3000, 1000, 0, None)).collect();
        let out = run(&spread, &[target(60_000.0, ThrottleMode::Fail)]);
        assert_eq!(out[0].served_requests, 20);
        assert_eq!(out[0].throttled_requests, 0);
    }

    #[test]
    fn large_max_completion_tokens_throttles_where_actual_tokens_would_not() {
        // Each request: 100 prompt + 100 completion, but max_completion_tokens 4,000.
        // Charges 4,100: levels 0 -> 4,100 -> 8,200 -> 12,300, so the 4th and 5th get 429.
        let capped: Vec<_> = (0..5).map(|_| req(0, 100, 100, Some(4000))).collect();
        let out = run(&capped, &[target(60_000.0, ThrottleMode::Fail)]);
        assert_eq!((out[0].served_requests, out[0].throttled_requests), (3, 2));
        // Without the cap the estimate is the actual 100 tokens: charges of 200 all fit.
        let uncapped: Vec<_> = (0..5).map(|_| req(0, 100, 100, None)).collect();
        let out = run(&uncapped, &[target(60_000.0, ThrottleMode::Fail)]);
        assert_eq!((out[0].served_requests, out[0].throttled_requests), (5, 0));
    }

    #[test]
    fn completion_corrects_the_charge_to_actual_tokens() {
        // The first request is charged 100 + 9,000 (its cap) = 9,100. At 1 s it completes with
        // 100 tokens: the level (9,100 - 1,000 drained) is corrected by -8,900 to 0. The
        // 3,000-token request at 1.5 s lifts it to 3,000 and the one at 1.6 s fits. Without
        // the correction the level would be 7,600 + 3,000 = 10,600 at 1.5 s: a 429 at 1.6 s.
        let list = [
            req(0, 100, 100, Some(9000)),
            req(1500, 3000, 0, None),
            req(1600, 100, 0, None),
        ];
        let out = run(&list, &[target(60_000.0, ThrottleMode::Fail)]);
        assert_eq!(
            out[0].throttled_requests, 0,
            "the correction freed the bucket"
        );
    }

    #[test]
    fn spillover_counts_tokens_and_retry_waits_for_retry_after() {
        let burst: Vec<_> = (0..12)
            .map(|_| with_ratio(req(0, 1000, 10, None), 4.0))
            .collect();
        let out = run(
            &burst,
            &[
                target(60_000.0, ThrottleMode::Spillover),
                target(60_000.0, ThrottleMode::Retry { max_retries: 3 }),
            ],
        );
        // Charges 1,040: admitted at levels 0..9,360 (10 requests), then 2 spill.
        assert_eq!(out[0].served_requests, 10);
        assert_eq!(out[0].spilled_requests, 2);
        assert_eq!(out[0].spilled.short.input_tokens, 2000);
        assert_eq!(out[0].spilled.short.output_tokens, 20);
        // With retries the two wait until the bucket drops below 100% and are then served.
        assert_eq!(out[1].served_requests, 12);
        assert_eq!(out[1].retried_requests, 2);
        assert!(out[1].retry_added_latency_ms_max > 0.0);
        assert!(out[1].throttle_responses >= 2);
    }

    /// 20 requests of 1,000 tokens at once; the 10 s bucket of 60,000 TPM (10,000 tokens)
    /// admits 10, the other 10 spill. The Standard deployment they spill to has 5,000 TPM:
    /// its minute counter accepts spills while below 5,000 (levels 0..4,000: 5 accepted), so 5
    /// spill and 5 fail; at 10,000 TPM (a probe) none would fail.
    #[test]
    fn issue_15_spillover_is_limited_by_the_standard_quota() {
        use crate::sim::standard::{StandardLimits, StandardQuota, MAX_PROBES};
        let burst: Vec<_> = (0..20).map(|_| req(0, 1000, 0, None)).collect();
        let mut probes = [None; MAX_PROBES];
        probes[0] = Some(StandardLimits {
            tpm: 10_000,
            rpm: None,
        });
        let mut t = target(60_000.0, ThrottleMode::Spillover);
        t.standard = Some(StandardQuota {
            active: Some(StandardLimits {
                tpm: 5_000,
                rpm: None,
            }),
            probes,
            rpm_per_1000_tpm: None,
            rpm_window_s: 10.0,
            missing_max_tokens: MissingMaxTokens::Actual,
            track_levels: true,
        });
        let out = run(&burst, &[t, target(60_000.0, ThrottleMode::Spillover)]);
        assert_eq!(out[0].served_requests, 10);
        assert_eq!(out[0].spilled_requests, 5);
        assert_eq!(out[0].throttled_requests, 5);
        assert_eq!(
            out[0].spilled.short.input_tokens, 5_000,
            "only accepted spills are billed"
        );
        let std = out[0].standard.as_ref().expect("limiter outcome");
        assert_eq!((std.offered_requests, std.rejected_requests), (10, 5));
        assert_eq!(std.probe_rejected[0], Some(0));
        assert_eq!(std.min_quota_tpm(0), Some(10_000));
        // Without a quota every spill is served.
        assert_eq!(
            (out[1].spilled_requests, out[1].throttled_requests),
            (10, 0)
        );
        assert!(out[1].standard.is_none());
    }

    #[test]
    fn bigger_deployment_can_throttle_more_with_mixed_sizes() {
        // Documented behaviour, not a bug: Azure's leaky bucket admits any request while
        // utilization is below 100%, whatever its size. A big request that only the larger
        // deployment admits then blocks small ones the smaller deployment serves.
        let list = [
            req(0, 10_000, 0, None),  // fills the small bucket (10,000) exactly
            req(0, 200_000, 0, None), // small: rejected; large (20,000): admitted
            req(5_000, 100, 0, None),
            req(6_000, 100, 0, None),
        ];
        let out = run(
            &list,
            &[
                target(60_000.0, ThrottleMode::Fail),
                target(120_000.0, ThrottleMode::Fail),
            ],
        );
        assert_eq!(out[0].throttled_requests, 1);
        assert_eq!(out[1].throttled_requests, 2);
    }

    #[test]
    fn utilization_counts_every_minute_of_the_span() {
        // 30,000 tokens in minute 0 of a 4-minute span at 60,000/min: 50%, then three 0% minutes.
        let list: Vec<_> = (0..30).map(|i| req(i * 1000, 1000, 0, None)).collect();
        let out = simulate(
            &events(&list),
            &[target(60_000.0, ThrottleMode::Fail)],
            &SimParams::default(),
            1,
            0,
            3,
        )
        .expect("simulate");
        let u = &out[0].utilization;
        assert_eq!(u.minutes, 4);
        assert!((u.max - 0.5).abs() < 1e-9);
        assert_eq!(u.quantile(0.5), 0.0);
        assert!((u.quantile(1.0) - 0.5).abs() < 1e-9);
    }

    fn arb_traffic() -> impl Strategy<Value = Vec<ReplayEvent>> {
        proptest::collection::vec(
            (
                0i64..300_000,
                1u32..20_000,
                0u32..2_000,
                proptest::option::of(1u32..8_000),
            ),
            1..150,
        )
        .prop_map(|mut v| {
            v.sort_by_key(|x| x.0);
            v.into_iter()
                .map(|(t, u, c, m)| with_ratio(req(t, u, c, m), 4.0))
                .collect()
        })
    }

    /// Bursts separated by quiet gaps of up to half an hour: `(gap_ms, requests, prompt,
    /// completion, max_completion_tokens, latency_ms, spacing_ms)` per burst.
    fn arb_bursts() -> impl Strategy<Value = Vec<ReplayEvent>> {
        proptest::collection::vec(
            (
                0i64..1_800_000,
                1usize..25,
                1u32..30_000,
                0u32..3_000,
                proptest::option::of(1u32..6_000),
                0u32..90_000,
                0i64..5_000,
            ),
            1..25,
        )
        .prop_map(|bursts| {
            let mut t = 0;
            let mut out = Vec::new();
            for (gap, n, prompt, completion, max, latency, spacing) in bursts {
                t += gap;
                for k in 0..n {
                    let mut e = with_ratio(req(t, prompt + k as u32, completion, max), 4.0);
                    e.latency_ms = if latency % 7 == 0 { NONE_U32 } else { latency };
                    out.push(e);
                    t += spacing;
                }
            }
            out
        })
    }

    /// Every throttle mode, a prompt limit or none, a Standard quota or none, at `cap` and
    /// `window_s`.
    fn every_mode(
        cap: f64,
        window_s: f64,
        limit: Option<u32>,
        quota: Option<StandardQuota>,
    ) -> Vec<SimTarget> {
        let mut modes = vec![
            (ThrottleMode::Fail, None),
            (ThrottleMode::Spillover, None),
            (ThrottleMode::Retry { max_retries: 2 }, None),
        ];
        if quota.is_some() {
            modes.push((ThrottleMode::Spillover, quota));
        }
        modes
            .into_iter()
            .map(|(mode, standard)| SimTarget {
                bucket_window_s: window_s,
                max_prompt_tokens: limit,
                standard,
                ..target(cap, mode)
            })
            .collect()
    }

    fn pruned_and_full(
        traffic: &[ReplayEvent],
        first: &[SimTarget],
        later: &[SimTarget],
    ) -> (Vec<SimOutcome>, Vec<SimOutcome>, u64) {
        let span = (
            0,
            traffic
                .iter()
                .map(|e| e.t_ms)
                .max()
                .unwrap_or(0)
                .div_euclid(60_000),
        );
        let events = events(traffic);
        let params = SimParams::default();
        let mut pruning = Pruning::new(span, 1 << 20);
        simulate_pruned(&events, first, None, &params, 2, span, &mut pruning).expect("first pass");
        let (pruned, _) = simulate_pruned(&events, later, None, &params, 2, span, &mut pruning)
            .expect("later pass");
        let full = simulate(&events, later, &params, 1, span.0, span.1).expect("full");
        (pruned, full, pruning.skipped_lane_events)
    }

    fn quota(cap: f64) -> StandardQuota {
        crate::sim::standard::StandardQuota {
            active: Some(crate::sim::standard::StandardLimits {
                tpm: (cap as u64) / 2 + 1,
                rpm: Some(60),
            }),
            probes: [None; crate::sim::standard::MAX_PROBES],
            rpm_per_1000_tpm: Some(1.0),
            rpm_window_s: 1.0,
            missing_max_tokens: MissingMaxTokens::Actual,
            track_levels: true,
        }
    }

    /// Quiet nights and a busy hour: a later pass at more PTUs skips most of the arrivals, and
    /// its outcomes are those of the full replay in every mode.
    #[test]
    fn issue_20_a_later_pass_skips_quiet_stretches_and_changes_nothing() {
        let mut traffic = Vec::new();
        for k in 0..600i64 {
            // One small request a minute for ten hours, and a burst of 40 large ones at hour 5.
            traffic.push(with_ratio(req(k * 60_000 + 5_000, 200, 50, Some(400)), 4.0));
            if k == 300 {
                for j in 0..40 {
                    traffic.push(with_ratio(
                        req(k * 60_000 + 6_000 + j * 10, 9_000, 500, Some(2_000)),
                        4.0,
                    ));
                }
            }
        }
        let first = every_mode(20_000.0, 10.0, None, Some(quota(20_000.0)));
        let later: Vec<SimTarget> = [30_000.0, 45_000.0]
            .iter()
            .flat_map(|&c| every_mode(c, 10.0, None, Some(quota(c))))
            .collect();
        let (pruned, full, skipped) = pruned_and_full(&traffic, &first, &later);
        assert_eq!(pruned, full);
        let offered = (traffic.len() * later.len()) as u64;
        assert!(skipped * 10 > offered * 8, "skipped {skipped} of {offered}");
        assert!(
            full.iter().any(|o| o.first_attempt_429 > 0),
            "the burst throttles"
        );
    }

    proptest! {
        /// The pruned replay equals the full replay on random traffic, in every throttle mode,
        /// with and without a prompt limit and a Standard quota, across windows and counts.
        #[test]
        fn issue_20_pruned_replay_equals_the_full_replay(
            traffic in arb_bursts(),
            cap in 2_000.0f64..120_000.0,
            grow in proptest::collection::vec((1.0f64..6.0, 0usize..3), 1..4),
            limit in proptest::option::of(5_000u32..40_000),
        ) {
            let windows = [1.0, 10.0, 60.0];
            let first: Vec<SimTarget> = windows
                .iter()
                .flat_map(|&w| every_mode(cap, w, limit, Some(quota(cap))))
                .collect();
            let later: Vec<SimTarget> = grow
                .iter()
                .flat_map(|&(g, w)| every_mode(cap * g, windows[w], limit, Some(quota(cap * g))))
                .collect();
            let (pruned, full, _) = pruned_and_full(&traffic, &first, &later);
            prop_assert_eq!(pruned, full);
        }

        #[test]
        fn served_throttled_and_spilled_add_up_to_offered(traffic in arb_traffic(), cap in 1_000.0f64..200_000.0, retries in 0u32..3) {
            let mut limited = target(cap, ThrottleMode::Spillover);
            limited.standard = Some(crate::sim::standard::StandardQuota {
                active: Some(crate::sim::standard::StandardLimits { tpm: (cap as u64) / 2 + 1, rpm: Some(60) }),
                probes: [None; crate::sim::standard::MAX_PROBES],
                rpm_per_1000_tpm: Some(1.0),
                rpm_window_s: 1.0,
                missing_max_tokens: MissingMaxTokens::Actual,
                track_levels: true,
            });
            let targets = [
                target(cap, ThrottleMode::Fail),
                target(cap, ThrottleMode::Spillover),
                target(cap, ThrottleMode::Retry { max_retries: retries }),
                limited,
            ];
            for o in run(&traffic, &targets) {
                prop_assert_eq!(o.offered_requests, traffic.len() as u64);
                prop_assert_eq!(o.served_requests + o.throttled_requests + o.spilled_requests, o.offered_requests);
                prop_assert!(o.utilization.max >= 0.0);
            }
        }

        /// With equal charges per request (and no completion correction) admitted counts are
        /// monotone in capacity: at the first time the larger deployment has admitted fewer,
        /// its level would be at most the smaller one's, which admitted; contradiction.
        #[test]
        fn more_ptus_never_throttle_more_on_equal_sized_requests(times in proptest::collection::vec(0i64..120_000, 1..200), size in 100u32..20_000, caps in (1_000.0f64..100_000.0, 1.0f64..4.0)) {
            let mut times = times;
            times.sort_unstable();
            let traffic: Vec<_> = times.iter().map(|&t| req(t, size, 0, None)).collect();
            let out = run(&traffic, &[target(caps.0, ThrottleMode::Fail), target(caps.0 * caps.1, ThrottleMode::Fail)]);
            prop_assert!(out[1].throttled_requests <= out[0].throttled_requests);
        }
    }
}
