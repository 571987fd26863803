//! A group of deployments (lanes) replayed together over one workload's arrivals: the buckets,
//! in-flight completions and retries.

use super::*;

/// The simulated deployments of one workload, as parallel arrays (structure of arrays): the
/// per-request loop touches a few contiguous `f64`/`i64` lanes and no pointers.
pub(super) struct Group {
    /// Index of each slot's target in the caller's target list.
    pub(super) targets: Vec<usize>,
    pub(super) level: Vec<f64>,
    /// Time of each slot's last update, ms since the epoch as `f64` (exact for any realistic
    /// time; keeps the hot loop free of integer conversions).
    pub(super) last_ms: Vec<f64>,
    pub(super) rate_per_ms: Vec<f64>,
    pub(super) full_level: Vec<f64>,
    pub(super) capacity_per_min: Vec<f64>,
    pub(super) minute_admitted: Vec<f64>,
    /// 1 where the last arrival was admitted (bytes, so the hot loop vectorises).
    pub(super) admitted: Vec<u8>,
    /// Retries served per slot (first attempts served are counted at the end from the
    /// offered requests and the first-attempt 429s).
    pub(super) retry_served: Vec<u64>,
    pub(super) modes: Vec<ThrottleMode>,
    /// Each slot's spillover Standard limiter (its own spill stream).
    pub(super) standard: Vec<Option<StandardLimiter>>,
    pub(super) outcomes: Vec<SimOutcome>,
    pub(super) ms_per_output_token: f64,
    /// Largest prompt the lanes accept (the model's PTU prompt limit; `u64::MAX`: none).
    pub(super) max_prompt_tokens: u64,
    pub(super) offered: u64,
    /// Offered events flagged [`OBSERVED_429`].
    pub(super) observed_429: u64,
    /// First-attempt 429s per slot in the current minute.
    pub(super) minute_429: Vec<u64>,
    /// Observed 429s in the current minute.
    pub(super) minute_observed_429: u64,
    pub(super) current_minute: Option<i64>,
    /// Negative completion corrections (weighted tokens) due but not yet
    /// applied to every slot. Drains and negative corrections both act as
    /// `level -> max(0, level - x)`, and such steps compose by adding their `x`, so deferring
    /// them to the next admission check gives exactly the same levels.
    pub(super) pending_all_tokens: f64,
    /// The same for completions that only some slots admitted (weighted tokens per slot).
    pub(super) pending: Vec<f64>,
    /// Pruning ([`prune`]): 1 where a lane came within the margin of 100%, answered a 429 or
    /// a 400, or retried since the current minute began.
    pub(super) near: Vec<u8>,
    /// Each lane's 100% level less the margin.
    pub(super) slack_full: Vec<f64>,
    /// Each lane's margin below empty for a recorded rest.
    pub(super) rest_margin: Vec<f64>,
    /// In-flight completion corrections each lane did not admit.
    pub(super) missed: Vec<u32>,
    /// In-flight completion corrections not every lane admitted.
    pub(super) partial_inflight: u64,
    /// Retries waiting, per lane and in all.
    pub(super) retries_waiting: Vec<u32>,
    pub(super) retries_total: u64,
    /// Each lane's recorded stretches (recording lanes only).
    pub(super) record: Vec<Option<Stretches>>,
    /// The minute bit since whose first arrival the lanes were watched (None: not watched).
    pub(super) watch_from: Option<usize>,
    /// The span's last minute (the histograms cover the span).
    pub(super) last_minute: i64,
    /// Where this group may skip, from the references of its lanes.
    pub(super) skip: Option<SkipPlan>,
    /// Skipping arrivals until this minute bit.
    pub(super) skip_exit: Option<usize>,
    /// Admitted weighted tokens of the current skipped minute (the same for every lane).
    pub(super) skip_sum: f64,
}

impl Group {
    pub(super) fn new() -> Group {
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

    pub(super) fn add(&mut self, index: usize, t: &SimTarget) {
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
    pub(super) fn class(&self, workload: u32) -> LaneClass {
        LaneClass {
            workload,
            ms_per_output_token_bits: self.ms_per_output_token.to_bits(),
            max_prompt_tokens: self.max_prompt_tokens,
        }
    }

    /// Slot `i`'s level at `t` before the floor at zero, exactly as [`Lanes::step`] computes
    /// it.
    #[inline(always)]
    pub(super) fn unfloored(&self, i: usize, t: f64) -> f64 {
        self.level[i] - self.rate_per_ms[i] * (t - self.last_ms[i]).max(0.0)
            + self.pending_all_tokens
            + self.pending[i]
    }

    /// At the first arrival of minute bit `at` (time `t_ms`, after every completion due):
    /// record the minutes since the last such arrival as quiet for each lane that stayed clear
    /// of 100%, and the rest of each lane at rest; then enter a skip if the lanes' references
    /// allow one and every lane is exactly at rest (empty, every in-flight correction
    /// admitted by all lanes, no retry waiting). Returns true when a skip began.
    pub(super) fn minute_start(&mut self, at: usize, t_ms: i64) -> bool {
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
    #[inline]
    pub(super) fn track_inflight(&mut self, mask: u128, push: bool) {
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
    pub(super) fn fill_skipped_minute(&mut self) {
        let sum = self.skip_sum;
        self.minute_admitted.fill(sum);
        self.skip_sum = 0.0;
    }

    /// Leave a skip at an arrival at `t_ms`: the lemma of [`prune`] puts every lane empty
    /// there, so the levels restart from zero (what the full replay's next step computes).
    pub(super) fn end_skip(&mut self, t_ms: i64) {
        self.fill_skipped_minute();
        self.level.fill(0.0);
        self.last_ms.fill(t_ms as f64);
        self.pending.fill(0.0);
        self.pending_all_tokens = 0.0;
        self.near.fill(0);
        self.skip_exit = None;
        self.watch_from = None;
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.targets.len()
    }

    /// The mask with every slot set.
    #[inline]
    pub(super) fn full_mask(&self) -> u128 {
        if self.len() >= 128 {
            u128::MAX
        } else {
            (1u128 << self.len()) - 1
        }
    }

    /// Apply the deferred corrections to every slot, drained to `t_ms`.
    #[inline]
    pub(super) fn flush_pending(&mut self, t_ms: i64) {
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
    #[inline]
    pub(super) fn drained(&self, i: usize, t_ms: i64) -> f64 {
        drain(
            self.level[i],
            self.last_ms[i],
            self.rate_per_ms[i],
            t_ms as f64,
        )
    }

    /// Close the current minute(s) up to the minute of `t_ms`.
    #[inline]
    pub(super) fn advance_minute(&mut self, t_ms: i64) {
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

    #[inline]
    pub(super) fn close_minute(&mut self) {
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
pub(super) fn weights(e: &ReplayEvent) -> (f64, f64) {
    (
        e.weighted_input_millitokens as f64 / 1000.0,
        f64::from(e.output_weight_milli) / 1000.0,
    )
}

/// An event's prompt tokens (ordinary input, cache reads and cache writes).
pub(super) fn prompt_tokens(e: &ReplayEvent) -> u64 {
    u64::from(e.input_tokens) + u64::from(e.cached_tokens) + u64::from(e.cache_write_tokens)
}

/// Count a spilled request and its tokens, by billing category and context class; a request
/// the spillover Standard deployment's rate limits answer 429 fails instead.
pub(super) fn spill(out: &mut SimOutcome, e: &ReplayEvent, standard: &mut Option<StandardLimiter>) {
    if standard.as_mut().is_some_and(|s| !s.admit(e)) {
        out.throttled_requests += 1;
        return;
    }
    out.spilled_requests += 1;
    out.spilled.add(&e.tokens(), e.long_context);
}

/// A bucket level drained from `last_ms` to `t_ms` at `rate_per_ms` (never below empty).
#[inline(always)]
pub(super) fn drain(level: f64, last_ms: f64, rate_per_ms: f64, t_ms: f64) -> f64 {
    (level - rate_per_ms * (t_ms - last_ms).max(0.0)).max(0.0)
}

/// The lanes of a group, borrowed for one admission check.
pub(super) struct Lanes<'a> {
    pub(super) level: &'a mut [f64],
    pub(super) last_ms: &'a mut [f64],
    pub(super) rate_per_ms: &'a [f64],
    pub(super) full_level: &'a [f64],
    pub(super) minute_admitted: &'a mut [f64],
    pub(super) pending: &'a mut [f64],
    pub(super) admitted: &'a mut [u8],
    pub(super) slack_full: &'a [f64],
    pub(super) near: &'a mut [u8],
}

impl Lanes<'_> {
    /// The hot loop: drain every lane to `t`, apply the deferred negative corrections (one
    /// floor at zero for both), admit below 100% and charge `charge`, and count `counted`
    /// towards the minute's utilization. Returns how many lanes admitted. Branch-free over
    /// plain arrays, so it vectorises; on x86-64 with AVX2 the same loop runs 4 lanes at a
    /// time (the same IEEE operations per lane, so the same results on every machine).
    pub(super) fn step<const WATCH: bool>(
        self,
        t: f64,
        pending_all: f64,
        charge: f64,
        counted: f64,
    ) -> usize {
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
    pub(super) fn step_portable<const WATCH: bool>(
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
pub(super) fn bitmask(flags: &[u8]) -> u128 {
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
pub(super) struct Completion {
    pub(super) group: u32,
    pub(super) delta_tokens: f64,
    pub(super) mask: u128,
}

/// A retry of one slot's request due at `t_ms`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Retry {
    pub(super) t_ms: i64,
    pub(super) seq: u64,
    pub(super) group: u32,
    pub(super) slot: u32,
    pub(super) attempt: u32,
    pub(super) first_ms: i64,
    pub(super) event: ReplayEvent,
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
