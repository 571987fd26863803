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

mod group;
mod jobs;
mod outcome;

use group::*;
use jobs::*;
pub use outcome::*;

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

/// The multi-deployment simulator over one share of the targets. `PRUNE`: this pass skips or
/// records quiet stretches ([`prune`]); without it, none of that bookkeeping is compiled into
/// the per-arrival path (it is most of the replay's CPU).
struct Simulator<'a, const PRUNE: bool> {
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

impl<const PRUNE: bool> Simulator<'_, PRUNE> {
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

    /// Queue the completion of a request that arrived at `t_ms` and takes `latency` ms: its
    /// correction `delta_tokens` (actual minus estimate) then reaches the lanes in `mask` of
    /// group `group`.
    #[inline(always)]
    fn complete_later(
        &mut self,
        t_ms: i64,
        latency: i64,
        group: u32,
        delta_tokens: f64,
        mask: u128,
    ) {
        let seq = self.next_seq();
        self.completions.push(Timed {
            t_ms: t_ms.saturating_add(latency),
            seq,
            item: Completion {
                group,
                delta_tokens,
                mask,
            },
        });
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
        if PRUNE {
            g.track_inflight(c.mask, false);
        }
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
        if PRUNE {
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
            if new_minute && g.minute_start(self.pruning.index(minute), e.t_ms) {
                self.skip(group, e, estimate, latency, observed);
                return;
            }
        } else {
            g.advance_minute(e.t_ms);
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
            if PRUNE {
                g.near.fill(1);
            }
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
        let admitted = lanes.step::<PRUNE>(t, pending_all, input + estimate, input + actual);
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
        if delta_tokens != 0.0 && (mask != 0 || PRUNE) {
            if PRUNE {
                self.groups[group].track_inflight(mask, true);
            }
            self.complete_later(e.t_ms, latency, group as u32, delta_tokens, mask);
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
            self.complete_later(e.t_ms, latency, group as u32, delta_tokens, mask);
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
        if PRUNE {
            g.near[slot] = 1;
        }
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
                    if PRUNE {
                        g.retries_waiting[slot] += 1;
                        g.retries_total += 1;
                    }
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
        if PRUNE {
            g.retries_waiting[slot] -= 1;
            g.retries_total -= 1;
            g.near[slot] = 1;
        }
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
            if PRUNE {
                g.track_inflight(1u128 << slot, true);
            }
            self.complete_later(r.t_ms, latency, r.group, delta_tokens, 1u128 << slot);
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
    fn issue_20_a_lane_that_spills_nothing_reports_the_unoffered_limiter() {
        // The plan's spill-quota pass takes this outcome without a replay when the search
        // found no spill at a count (plan::track_spill_quotas).
        let list: Vec<_> = (0..50)
            .map(|i| req(i * 2_000, 1_000, 200, Some(400)))
            .collect();
        let mut q = quota(1e9);
        q.probes[0] = Some(crate::sim::standard::StandardLimits {
            tpm: 1,
            rpm: Some(1),
        });
        q.probes[3] = Some(crate::sim::standard::StandardLimits {
            tpm: 50_000,
            rpm: None,
        });
        let mut big = target(6e6, ThrottleMode::Spillover);
        big.standard = Some(q);
        let out = run(&list, &[big, target(6e6, ThrottleMode::Spillover)]);
        assert_eq!((out[1].spilled_requests, out[1].throttled_requests), (0, 0));
        assert_eq!(out[0].standard, Some(StandardLimiter::unoffered(q)));
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
