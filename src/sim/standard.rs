//! Standard (per-token) admission: the TPM and RPM rate limits of a Standard deployment, for
//! every per-token option (all of a workload's traffic, [`simulate_per_token`]) and for the
//! Standard deployment a PTU lane spills to (only that lane's spilled requests: each lane
//! carries its own [`StandardLimiter`], called from the spill path of
//! [`crate::sim::admission`]).
//!
//! The model follows Microsoft's description of how Standard deployments throttle (quota
//! how-to include, S39):
//! - tokens: "As each request is received, Azure OpenAI computes an estimated max
//!   processed-token count that includes the following: Prompt text and count; The max_tokens
//!   parameter setting; The best_of parameter setting. As requests come into the deployment
//!   endpoint, the estimated max-processed-token count is added to a running token count of all
//!   requests that is reset each minute. If at any time during that minute, the TPM rate limit
//!   value is reached, then further requests will receive a 429 response code until the counter
//!   resets." Each request adds `prompt tokens + max_completion_tokens` (the completion when it
//!   logged none, or `--missing-max-tokens`) to a counter of the calendar minute; a request is
//!   accepted while the counter is below the TPM limit, so the request that reaches it is
//!   accepted and the later ones of that minute get 429;
//! - requests: "Azure OpenAI evaluates the rate of incoming requests over a small period of
//!   time, typically 1 or 10 seconds. If the number of requests received during that time
//!   exceeds what would be expected at the set RPM limit, then new requests receive a 429
//!   response code until the next evaluation period." Windows of [`StandardQuota::rpm_window_s`]
//!   seconds (default [`DEFAULT_RPM_WINDOW_S`]) aligned to the epoch; the n-th request of a
//!   window is accepted while `n <= max(1, floor(RPM x window / 60))`;
//! - "Unsuccessful requests still count toward your per-minute rate limit": every request
//!   received counts in both counters, accepted or not. The counters therefore do not depend on
//!   the limits, so one pass gives the outcome at any number of quota levels
//!   ([`StandardQuota::probes`]) and the smallest quota that would have sufficed
//!   ([`StandardOutcome::min_quota_tpm`]).
//!
//! A 429 from Standard is a failed request (the client's own retries are not simulated), and
//! Azure does not bill it: the tokens of the requests rejected under the limits in force are
//! kept apart ([`StandardOutcome::rejected_tokens`]) so that the plan bills only what was
//! served.
//! Nothing here prints or knows about tiers by name: the plan maps probe slots to levels.

use std::collections::BTreeMap;

use super::estimate::MissingMaxTokens;
use super::spool::{ReplayEvent, SortedEvents, NONE_U32};
use crate::catalog::accounting::TokenTally;

/// Default RPM evaluation window, seconds: Microsoft says "typically 1 or 10 seconds" (S39);
/// 10 s is the window the quota tables print for the RPM cells that name one ("300 / 10s",
/// S34). `--standard-rpm-window-s 1` is the strict reading.
pub const DEFAULT_RPM_WINDOW_S: f64 = 10.0;

/// Quota levels one limiter also evaluates besides the one in force (the seven tiers and the
/// two older levels).
pub const MAX_PROBES: usize = 9;

/// Ratio between the edges of the histogram bins of [`StandardOutcome::min_quota_tpm`]: the
/// answer is at most 0.5% above the exact smallest quota (before rounding to 1,000 TPM).
const BIN_RATIO: f64 = 1.005;

const MS_PER_MIN: i64 = 60_000;

/// One quota level's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StandardLimits {
    /// Tokens per minute.
    pub tpm: u64,
    /// Requests per minute; None when unknown (the RPM check is skipped).
    pub rpm: Option<u64>,
}

impl StandardLimits {
    /// Requests one RPM window accepts: at least one.
    fn window_requests(self, window_s: f64) -> Option<u64> {
        self.rpm
            .map(|r| ((r as f64 * window_s / 60.0).floor() as u64).max(1))
    }
}

/// What a Standard deployment is simulated with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StandardQuota {
    /// The limits in force; None = unlimited (the default: the plan then says which level each
    /// option would need).
    pub active: Option<StandardLimits>,
    /// Further levels evaluated on the same requests (slot order is the caller's).
    pub probes: [Option<StandardLimits>; MAX_PROBES],
    /// RPM per 1,000 TPM of the model version, for the smallest sufficient quota (None: that
    /// answer checks TPM only).
    pub rpm_per_1000_tpm: Option<f64>,
    /// RPM evaluation window, seconds.
    pub rpm_window_s: f64,
    /// Completion estimate for requests that logged no `max_completion_tokens`.
    pub missing_max_tokens: MissingMaxTokens,
    /// Whether to count the probes and the smallest sufficient quota (for the outputs); a
    /// search lane only needs the limits in force.
    pub track_levels: bool,
}

impl StandardQuota {
    /// The same limits without the level tracking: what a sizing search needs. `None` when
    /// nothing is in force (such a limiter would never reject).
    pub fn for_search(&self) -> Option<StandardQuota> {
        self.active.map(|_| StandardQuota {
            probes: [None; MAX_PROBES],
            track_levels: false,
            ..*self
        })
    }
}

/// What a Standard deployment did with the requests offered to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandardOutcome {
    /// Requests offered.
    pub offered_requests: u64,
    /// Requests answered 429 under the limits in force.
    pub rejected_requests: u64,
    /// Of those, requests the token counter rejected (the rest: the RPM window).
    pub rejected_by_tpm: u64,
    /// The tokens of the rejected requests, by billing category and context class: not
    /// billed (a 429 is not served).
    pub rejected_tokens: TokenTally,
    /// Requests each probe level would have answered 429 (None: no such probe).
    pub probe_rejected: [Option<u64>; MAX_PROBES],
    /// Largest estimated tokens counted in one calendar minute.
    pub peak_minute_estimated_tokens: u64,
    /// Most requests received in one RPM window.
    pub peak_window_requests: u64,
    /// Histogram of the smallest TPM quota that accepts each request: (bin, requests).
    min_quota_bins: Vec<(u32, u64)>,
    /// Whether that histogram includes the RPM check.
    pub min_quota_checks_rpm: bool,
}

impl StandardOutcome {
    /// Share of offered requests answered 429 under the limits in force.
    pub fn rejected_share(&self) -> f64 {
        ratio(self.rejected_requests, self.offered_requests)
    }

    /// The smallest TPM quota (RPM from the model's ratio) at which at most `allowed` of the
    /// offered requests get 429, rounded up to a whole 1,000 TPM (a capacity unit), at most
    /// 0.5% above the exact figure before rounding. None when nothing was offered.
    pub fn min_quota_tpm(&self, allowed: u64) -> Option<u64> {
        if self.offered_requests == 0 {
            return None;
        }
        // Requests in bins above b are rejected at quota edge(b); find the smallest b.
        let mut rejected_above = 0u64;
        let mut answer_bin = 0u32;
        for &(bin, count) in self.min_quota_bins.iter().rev() {
            if rejected_above + count > allowed {
                answer_bin = bin;
                break;
            }
            rejected_above += count;
        }
        let edge = bin_edge(answer_bin);
        let tpm = edge.ceil() as u64;
        Some(tpm.div_ceil(1000).max(1) * 1000)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What one request did to a limiter's counters: the minute's tokens before and after it, its
/// place in its RPM window, and its histogram bin (0 when levels are not tracked).
#[derive(Debug, Clone, Copy)]
struct Counted {
    before: u64,
    minute_tokens: u64,
    n: u64,
    bin: u32,
}

/// The rate limiter of one Standard deployment, fed its requests in time order.
#[derive(Debug, Clone)]
pub struct StandardLimiter {
    quota: StandardQuota,
    window_ms: i64,
    minute: i64,
    minute_tokens: u64,
    window: i64,
    window_requests: u64,
    /// Each probe's TPM and requests per RPM window (`u64::MAX`: no RPM check), resolved once.
    probe_limits: [Option<(u64, u64)>; MAX_PROBES],
    /// The active limits, resolved the same way.
    active_limits: Option<(u64, u64)>,
    /// Requests per histogram bin of [`StandardOutcome::min_quota_tpm`], by bin (grown on
    /// demand).
    bins: Vec<u64>,
    /// The last bin computed and the range of needed quotas `(low, high]` that falls in it:
    /// consecutive requests mostly share one, so the logarithm is rarely taken.
    last_bin: (f64, f64, u32),
    out: StandardOutcome,
}

/// A level's TPM and the requests one RPM window of `window_s` accepts (`u64::MAX`: unchecked).
fn resolve(l: StandardLimits, window_s: f64) -> (u64, u64) {
    (l.tpm, l.window_requests(window_s).unwrap_or(u64::MAX))
}

impl StandardLimiter {
    /// A limiter with empty counters.
    pub fn new(quota: StandardQuota) -> StandardLimiter {
        let window_ms = ((quota.rpm_window_s * 1000.0).round() as i64).max(1);
        StandardLimiter {
            quota,
            window_ms,
            minute: i64::MIN,
            minute_tokens: 0,
            window: i64::MIN,
            window_requests: 0,
            probe_limits: quota
                .probes
                .map(|p| p.map(|l| resolve(l, quota.rpm_window_s))),
            active_limits: quota.active.map(|l| resolve(l, quota.rpm_window_s)),
            bins: Vec::new(),
            last_bin: (f64::INFINITY, f64::NEG_INFINITY, 0),
            out: StandardOutcome {
                min_quota_checks_rpm: quota.rpm_per_1000_tpm.is_some(),
                ..StandardOutcome::default()
            },
        }
    }

    /// The estimated tokens Standard counts for a request: prompt plus `max_tokens`.
    pub fn estimated_tokens(&self, e: &ReplayEvent) -> u64 {
        let completion = self
            .quota
            .missing_max_tokens
            .estimate(e.max_completion(), e.completion_tokens);
        u64::from(e.input_tokens)
            + u64::from(e.cached_tokens)
            + u64::from(e.cache_write_tokens)
            + u64::from(completion)
    }

    /// Offer one request (arrivals in time order); true when the limits in force accept it.
    pub fn admit(&mut self, e: &ReplayEvent) -> bool {
        let counted = self.count(e);
        self.apply(e, counted)
    }

    /// Whether `other`'s counters move exactly as this one's on the same requests: the same
    /// RPM window, completion estimate, RPM ratio and tracking. Only the limits differ, and
    /// the counters do not depend on them (see the module docs).
    fn counts_like(&self, other: &StandardLimiter) -> bool {
        self.window_ms == other.window_ms
            && self.quota.missing_max_tokens == other.quota.missing_max_tokens
            && self.quota.rpm_per_1000_tpm.map(f64::to_bits)
                == other.quota.rpm_per_1000_tpm.map(f64::to_bits)
            && self.quota.track_levels == other.quota.track_levels
    }

    /// Count one request into the minute's token counter and the RPM window's request counter,
    /// and find its histogram bin when levels are tracked.
    fn count(&mut self, e: &ReplayEvent) -> Counted {
        let estimate = self.estimated_tokens(e);
        let minute = e.t_ms.div_euclid(MS_PER_MIN);
        if minute != self.minute {
            self.minute = minute;
            self.minute_tokens = 0;
        }
        let window = e.t_ms.div_euclid(self.window_ms);
        if window != self.window {
            self.window = window;
            self.window_requests = 0;
        }
        let before = self.minute_tokens;
        self.minute_tokens = self.minute_tokens.saturating_add(estimate);
        self.window_requests += 1;
        let n = self.window_requests;
        let mut counted = Counted {
            before,
            minute_tokens: self.minute_tokens,
            n,
            bin: 0,
        };
        if self.quota.track_levels {
            let needed = needed_quota(before, n, &self.quota);
            let (low, high, cached) = self.last_bin;
            counted.bin = if needed > low && needed <= high {
                cached
            } else {
                let b = bin_of(needed);
                self.last_bin = (bin_edge(b.saturating_sub(1)), bin_edge(b), b);
                // Bin 0 holds everything up to 1.
                if b == 0 {
                    self.last_bin.0 = f64::NEG_INFINITY;
                }
                b
            };
        }
        counted
    }

    /// Account for a request [`count`](StandardLimiter::count)ed by this limiter or by one that
    /// [`counts_like`](StandardLimiter::counts_like) it; true when the limits in force accept it.
    fn apply(&mut self, e: &ReplayEvent, c: Counted) -> bool {
        let Counted {
            before,
            minute_tokens,
            n,
            bin,
        } = c;
        let out = &mut self.out;
        out.offered_requests += 1;
        out.peak_minute_estimated_tokens = out.peak_minute_estimated_tokens.max(minute_tokens);
        out.peak_window_requests = out.peak_window_requests.max(n);
        let rejects = |(tpm, window_cap): (u64, u64)| before >= tpm || n > window_cap;
        if self.quota.track_levels {
            for (slot, limits) in self.probe_limits.iter().enumerate() {
                if let Some(l) = limits {
                    let r = out.probe_rejected[slot].get_or_insert(0);
                    *r += u64::from(rejects(*l));
                }
            }
            let i = bin as usize;
            if i >= self.bins.len() {
                self.bins.resize(i + 1, 0);
            }
            self.bins[i] += 1;
        }
        match self.active_limits {
            Some(l) if rejects(l) => {
                reject(&mut self.out, e, before >= l.0);
                false
            }
            _ => true,
        }
    }

    /// The outcome of a limiter under `quota` that was offered no request: what a spillover
    /// deployment whose PTU lane never spilled reports, known without a replay.
    pub fn unoffered(quota: StandardQuota) -> StandardOutcome {
        StandardLimiter::new(quota).finish()
    }

    /// The outcome so far.
    pub fn finish(mut self) -> StandardOutcome {
        self.out.min_quota_bins = self
            .bins
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(b, c)| (b as u32, c))
            .collect();
        self.out
    }
}

/// Count a request the limits in force answer 429, and its (unbilled) tokens.
fn reject(out: &mut StandardOutcome, e: &ReplayEvent, by_tpm: bool) {
    out.rejected_requests += 1;
    out.rejected_by_tpm += u64::from(by_tpm);
    out.rejected_tokens.add(&e.tokens(), e.long_context);
}

/// The smallest TPM quota that accepts a request with `before` tokens already counted in its
/// minute and `n` requests (itself included) in its RPM window.
fn needed_quota(before: u64, n: u64, q: &StandardQuota) -> f64 {
    let by_tokens = before as f64 + 1.0;
    let by_requests = match q.rpm_per_1000_tpm {
        Some(ratio) if n > 1 => n as f64 * 60_000.0 / (ratio * q.rpm_window_s),
        _ => 0.0,
    };
    by_tokens.max(by_requests).max(1.0)
}

/// Upper edges of the histogram bins: `BIN_RATIO^b`, up to beyond any quota (1e13 TPM).
fn bin_edges() -> &'static [f64] {
    &bin_index().edges
}

/// Mantissa bits of a value that pick its entry in [`BinIndex::first`]: a slice of `2^-8`
/// (0.39%) of its binade, narrower than a bin (0.5%), so a slice meets at most two bins.
const SLICE_BITS: u32 = 8;

/// The bin edges, and for every slice of the values from 1 up to the last edge the first bin
/// whose edge is at or above the slice's lowest value.
struct BinIndex {
    edges: Vec<f64>,
    first: Vec<u16>,
}

/// The slice of a value of at least 1 (its exponent and top mantissa bits, counted from 1).
#[inline(always)]
fn slice_of(v: f64) -> usize {
    ((v.to_bits() - 1f64.to_bits()) >> (52 - SLICE_BITS)) as usize
}

fn bin_index() -> &'static BinIndex {
    static INDEX: std::sync::OnceLock<BinIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut edges = Vec::new();
        let mut b = 0i32;
        loop {
            let e = BIN_RATIO.powi(b);
            edges.push(e);
            if e > 1e13 {
                break;
            }
            b += 1;
        }
        let slices = slice_of(edges[edges.len() - 1]) + 1;
        let mut first = Vec::with_capacity(slices);
        let mut b = 0usize;
        for k in 0..slices {
            let low = f64::from_bits(1f64.to_bits() + ((k as u64) << (52 - SLICE_BITS)));
            while edges[b] < low {
                b += 1;
            }
            first.push(u16::try_from(b).expect("fewer than 65,536 bins"));
        }
        BinIndex { edges, first }
    })
}

/// The histogram bin of a needed quota: bin `b` holds quotas in `(edge(b - 1), edge(b)]`.
/// The result is exactly the first edge at or above `needed` (bin 0 for anything up to 1 and
/// NaN, the last bin for anything beyond the last edge but one), found from the value's
/// exponent and top mantissa bits and at most a step or two along the edges: no logarithm and
/// no binary search over 6,000 edges (it runs for most requests of every Standard stream).
fn bin_of(needed: f64) -> u32 {
    let index = bin_index();
    let edges = &index.edges;
    let last = edges.len() - 1;
    if needed.is_nan() || needed <= 1.0 {
        return 0;
    }
    if needed > edges[last - 1] {
        return last as u32;
    }
    // `needed` is at least the slice's lowest value, so its bin is at or after the slice's
    // first; the edges ascend, and the last one is above `needed`.
    let mut b = usize::from(index.first[slice_of(needed)]);
    while edges[b] < needed {
        b += 1;
    }
    b as u32
}

/// The upper edge of bin `b`: the largest quota in the bin.
fn bin_edge(b: u32) -> f64 {
    let edges = bin_edges();
    edges[(b as usize).min(edges.len() - 1)]
}

/// One per-token option's Standard deployment: all of a workload's requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardStream {
    /// Workload whose events it receives.
    pub workload: u32,
    /// Its quota.
    pub quota: StandardQuota,
}

/// The log's own latency per workload, from the requests that logged one.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LoggedLatency {
    /// Successful requests with a logged latency.
    pub requests_with_latency: u64,
    /// Median end-to-end latency, ms.
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// Median of completion tokens / latency over requests with a completion, tokens per
    /// second (end to end: includes the time to the first token).
    pub p50_output_tokens_per_s: Option<f64>,
}

/// A log-binned quantile sketch (bins 0.5% apart): exact to within 0.5%, constant memory.
/// Bin `b` holds values in `(BIN_RATIO^(b-1), BIN_RATIO^b]`.
#[derive(Debug, Default, Clone)]
pub struct Sketch {
    /// Counts of bins 0, 1, 2, ... (values of at least 1), grown on demand.
    counts: Vec<u64>,
    /// Counts of the bins below 0 (values below 1, rare: sub-millisecond latencies).
    below_one: BTreeMap<i32, u64>,
    n: u64,
}

impl Sketch {
    /// Add a value; non-finite and non-positive values are ignored.
    pub fn add(&mut self, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            return;
        }
        if v >= 1.0 {
            let b = bin_of(v) as usize;
            if b >= self.counts.len() {
                self.counts.resize(b + 1, 0);
            }
            self.counts[b] += 1;
        } else {
            let bin = (v.ln() / BIN_RATIO.ln()).ceil() as i32;
            *self.below_one.entry(bin.min(0)).or_insert(0) += 1;
        }
        self.n += 1;
    }

    /// The `q` quantile (the upper edge of its bin), or None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (&bin, &c) in &self.below_one {
            seen += c;
            if seen >= rank {
                return Some(BIN_RATIO.powi(bin));
            }
        }
        for (bin, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bin_edge(bin as u32));
            }
        }
        None
    }

    /// Requests counted.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

/// The Standard deployments of one workload's per-token options, and its logged latency,
/// fed that workload's events in time order.
pub struct PerTokenRun {
    limiters: Vec<(usize, StandardLimiter)>,
    /// For each limiter, the first one whose counters move as its own do (itself when none
    /// before it does): that one counts each request, the others reuse its count.
    leader: Vec<usize>,
    /// The current request's count, by leader.
    counted: Vec<Counted>,
    ms: Sketch,
    tps: Sketch,
}

impl PerTokenRun {
    /// The streams `list` (indexes into `streams`) of one workload.
    pub fn new(streams: &[StandardStream], list: &[usize]) -> PerTokenRun {
        let limiters: Vec<(usize, StandardLimiter)> = list
            .iter()
            .map(|&i| (i, StandardLimiter::new(streams[i].quota)))
            .collect();
        let leader = (0..limiters.len())
            .map(|k| {
                (0..k)
                    .find(|&j| limiters[j].1.counts_like(&limiters[k].1))
                    .unwrap_or(k)
            })
            .collect();
        let counted = vec![
            Counted {
                before: 0,
                minute_tokens: 0,
                n: 0,
                bin: 0
            };
            limiters.len()
        ];
        PerTokenRun {
            limiters,
            leader,
            counted,
            ms: Sketch::default(),
            tps: Sketch::default(),
        }
    }

    /// One event of the workload.
    #[inline]
    pub fn on_event(&mut self, e: &ReplayEvent) {
        for (k, (_, l)) in self.limiters.iter_mut().enumerate() {
            let lead = self.leader[k];
            if lead == k {
                self.counted[k] = l.count(e);
            }
            l.apply(e, self.counted[lead]);
        }
        if e.latency_ms != NONE_U32 {
            // A logged 0 ms still counts as a request with a latency.
            self.ms.add(f64::from(e.latency_ms).max(0.5));
            if e.completion_tokens > 0 && e.latency_ms > 0 {
                self.tps
                    .add(f64::from(e.completion_tokens) * 1000.0 / f64::from(e.latency_ms));
            }
        }
    }

    /// The streams' outcomes (with their indexes) and the workload's logged latency.
    pub fn finish(self) -> (Vec<(usize, StandardOutcome)>, LoggedLatency) {
        let outs = self
            .limiters
            .into_iter()
            .map(|(i, l)| (i, l.finish()))
            .collect();
        (outs, logged_latency(&self.ms, &self.tps))
    }
}

fn logged_latency(ms: &Sketch, tps: &Sketch) -> LoggedLatency {
    LoggedLatency {
        requests_with_latency: ms.len(),
        p50_ms: ms.quantile(0.5),
        p95_ms: ms.quantile(0.95),
        p50_output_tokens_per_s: tps.quantile(0.5),
    }
}

/// The streams of each workload (indexes into `streams`), `workloads` lists.
pub fn streams_by_workload(streams: &[StandardStream], workloads: usize) -> Vec<Vec<usize>> {
    let mut by_workload: Vec<Vec<usize>> = vec![Vec::new(); workloads];
    for (i, s) in streams.iter().enumerate() {
        if let Some(list) = by_workload.get_mut(s.workload as usize) {
            list.push(i);
        }
    }
    by_workload
}

/// Replay `events` once through every stream's limiter, and measure each workload's logged
/// latency. Returns the streams' outcomes in order and one [`LoggedLatency`] per workload
/// (`workloads` of them). Workloads never interact: up to `threads` threads take one workload
/// at a time, the largest first, and each reads only that workload's events.
pub fn simulate_per_token(
    events: &SortedEvents,
    streams: &[StandardStream],
    workloads: usize,
    threads: usize,
) -> std::io::Result<(Vec<StandardOutcome>, Vec<LoggedLatency>)> {
    let by_workload = streams_by_workload(streams, workloads);
    let mut jobs: Vec<(u32, u64)> = events
        .counts()
        .into_iter()
        .filter(|(w, _)| (*w as usize) < workloads)
        .collect();
    jobs.sort_by_key(|&(w, n)| (std::cmp::Reverse(n), w));
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Done = (u32, Vec<(usize, StandardOutcome)>, LoggedLatency);
    let run = |w: u32| -> std::io::Result<Done> {
        let mut run = PerTokenRun::new(streams, &by_workload[w as usize]);
        events.for_each_of(w, |e| run.on_event(e))?;
        let (outs, latency) = run.finish();
        Ok((w, outs, latency))
    };
    let workers = threads.clamp(1, 64).min(jobs.len()).max(1);
    let results: Vec<std::io::Result<Vec<Done>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(w, _)) = jobs.get(j) else {
                            return Ok(done);
                        };
                        done.push(run(w)?);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a per-token simulation thread panicked"))
            .collect()
    });
    let mut outcomes = vec![StandardOutcome::default(); streams.len()];
    let mut latency = vec![logged_latency(&Sketch::default(), &Sketch::default()); workloads];
    for result in results {
        for (w, outs, lat) in result? {
            for (i, o) in outs {
                outcomes[i] = o;
            }
            latency[w as usize] = lat;
        }
    }
    Ok((outcomes, latency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::spool::EventSpool;

    /// A request at `t_ms` with `prompt` tokens and `max_completion_tokens` `max`.
    fn req(t_ms: i64, prompt: u32, max: u32) -> ReplayEvent {
        ReplayEvent {
            t_ms,
            workload: 0,
            input_tokens: prompt,
            cached_tokens: 0,
            cache_write_tokens: 0,
            long_context: false,
            weighted_input_millitokens: u64::from(prompt) * 1000,
            output_weight_milli: 1000,
            completion_tokens: max / 2,
            max_completion_tokens: max,
            latency_ms: 2000,
            flags: 0,
        }
    }

    fn quota(active: Option<StandardLimits>, probes: &[StandardLimits]) -> StandardQuota {
        let mut p = [None; MAX_PROBES];
        for (slot, l) in probes.iter().enumerate() {
            p[slot] = Some(*l);
        }
        StandardQuota {
            active,
            probes: p,
            rpm_per_1000_tpm: None,
            rpm_window_s: 10.0,
            missing_max_tokens: MissingMaxTokens::Actual,
            track_levels: true,
        }
    }

    fn events(list: &[ReplayEvent]) -> SortedEvents {
        let mut spool = EventSpool::default();
        for e in list {
            spool.push(*e).expect("push");
        }
        spool.finish()
    }

    /// gpt-5 Global Standard: Tier 1 = 1M TPM / 10K RPM, Tier 2 = 3M / 30K (S34). One minute
    /// of 150 requests (one every 400 ms), each 8,000 prompt + 4,000 max_tokens = 12,000
    /// estimated tokens, 1.8M in all.
    /// At Tier 1 the counter reaches 1,000,000 after request 84 (84 x 12,000 = 1,008,000; the
    /// 84th sees 996,000 < 1M and is accepted), so requests 85..150 (66) get 429. At Tier 2
    /// (3M) none does. The RPM windows (10 s: 25 requests) are far below 10K x 10 / 60 = 1,666.
    #[test]
    fn issue_15_minute_counter_passes_at_tier_2_and_throttles_at_tier_1() {
        let tier1 = StandardLimits {
            tpm: 1_000_000,
            rpm: Some(10_000),
        };
        let tier2 = StandardLimits {
            tpm: 3_000_000,
            rpm: Some(30_000),
        };
        let minute: Vec<_> = (0..150).map(|i| req(i * 400, 8_000, 4_000)).collect();
        let mut at1 = StandardLimiter::new(quota(Some(tier1), &[tier1, tier2]));
        let accepted = minute.iter().filter(|e| at1.admit(e)).count();
        let out = at1.finish();
        assert_eq!(accepted, 84);
        assert_eq!(out.rejected_requests, 66);
        assert_eq!(out.rejected_by_tpm, 66);
        assert_eq!(out.probe_rejected[0], Some(66));
        assert_eq!(out.probe_rejected[1], Some(0));
        assert_eq!(out.peak_minute_estimated_tokens, 1_800_000);
        // The counter resets each minute: the same requests a minute later start from 0.
        let mut two = StandardLimiter::new(quota(Some(tier1), &[]));
        let both: Vec<_> = minute
            .iter()
            .chain(minute.iter())
            .enumerate()
            .map(|(i, e)| ReplayEvent {
                t_ms: if i < 150 { e.t_ms } else { e.t_ms + 60_000 },
                ..*e
            })
            .collect();
        let accepted = both.iter().filter(|e| two.admit(e)).count();
        assert_eq!(accepted, 168);
        // The smallest quota for at most 1 failure: request 150 must see a counter below the
        // quota; it sees 149 x 12,000 = 1,788,000, so 1,788,001 TPM, rounded up to 1,789,000
        // within the 0.5% bin: between 1,789,000 and 1,797,000.
        let tpm = out.min_quota_tpm(0).expect("offered");
        assert!((1_789_000..=1_797_000).contains(&tpm), "{tpm}");
    }

    /// 600 RPM on 1-second windows accepts 10 requests a second ("rate limiting occurs for a
    /// 600-RPM deployment if more than 10 requests are received during each 1-second period",
    /// S39); on 10-second windows it accepts 100 per 10 s. A burst of 30 requests in one second
    /// loses 20 at 1 s and none at 10 s, although 30 is far below 600 a minute.
    #[test]
    fn issue_15_rpm_window_throttles_a_burst_below_the_minute_limit() {
        let limits = StandardLimits {
            tpm: 1_000_000_000,
            rpm: Some(600),
        };
        let burst: Vec<_> = (0..30).map(|i| req(5_000 + i * 30, 10, 10)).collect();
        for (window_s, rejected) in [(1.0, 20), (10.0, 0)] {
            let mut q = quota(Some(limits), &[]);
            q.rpm_window_s = window_s;
            let mut l = StandardLimiter::new(q);
            for e in &burst {
                l.admit(e);
            }
            let out = l.finish();
            assert_eq!(out.rejected_requests, rejected, "window {window_s} s");
            assert_eq!(out.rejected_by_tpm, 0);
        }
        // A low RPM still lets one request a window through.
        let tiny = StandardLimits {
            tpm: 1_000_000,
            rpm: Some(1),
        };
        let mut q = quota(Some(tiny), &[]);
        q.rpm_window_s = 1.0;
        let mut l = StandardLimiter::new(q);
        assert!(l.admit(&req(0, 1, 1)));
        assert!(!l.admit(&req(10, 1, 1)));
        assert!(l.admit(&req(1000, 1, 1)));
    }

    #[test]
    fn issue_19_rejected_requests_keep_their_tokens_apart() {
        let limits = StandardLimits {
            tpm: 4_500,
            rpm: None,
        };
        for track_levels in [true, false] {
            let mut q = quota(Some(limits), &[]);
            q.track_levels = track_levels;
            let mut l = StandardLimiter::new(q);
            // 2,000 estimated tokens each: the third sees 4,000 (accepted), the fourth 6,000.
            let accepted: Vec<bool> = (0..4)
                .map(|i| l.admit(&req(i * 1000, 1_000, 1_000)))
                .collect();
            assert_eq!(accepted, [true, true, true, false]);
            let out = l.finish();
            assert_eq!(out.rejected_requests, 1);
            assert_eq!(out.rejected_tokens.short.requests, 1);
            assert_eq!(out.rejected_tokens.short.input_tokens, 1_000);
            assert_eq!(out.rejected_tokens.short.output_tokens, 500);
        }
    }

    #[test]
    fn bin_of_is_the_first_edge_at_or_above_the_value() {
        let edges = bin_edges();
        let search = |v: f64| edges.partition_point(|&e| e < v).min(edges.len() - 1) as u32;
        let mut values = vec![
            f64::NAN,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            0.5,
            1.0,
            f64::INFINITY,
            1e300,
        ];
        for (i, e) in edges.iter().enumerate() {
            values.extend([
                *e,
                e.next_up(),
                e.next_down(),
                e * (1.0 + (i % 5) as f64 * 1e-3),
            ]);
        }
        for v in values {
            assert_eq!(bin_of(v), search(v), "{v}");
        }
    }

    proptest::proptest! {
        #[test]
        fn bin_of_equals_a_search_over_the_edges(v in 0.5f64..2e13, bits in 0u64..(1 << 20)) {
            let edges = bin_edges();
            let search = |v: f64| edges.partition_point(|&e| e < v).min(edges.len() - 1) as u32;
            // Any value, and one whose low mantissa bits sit at a slice's start or end.
            let ragged = f64::from_bits((v.to_bits() & !((1 << 20) - 1)) | bits);
            proptest::prop_assert_eq!(bin_of(v), search(v));
            proptest::prop_assert_eq!(bin_of(ragged), search(ragged));
        }
    }

    #[test]
    fn min_quota_includes_the_rpm_ratio() {
        // 20 tiny requests in one 10-second window at 1 RPM per 1,000 TPM: the 20th needs
        // 20 x 60,000 / (1 x 10) = 120,000 TPM of quota (RPM 120, 20 per window).
        let mut q = quota(None, &[]);
        q.rpm_per_1000_tpm = Some(1.0);
        let mut l = StandardLimiter::new(q);
        for i in 0..20 {
            assert!(l.admit(&req(i * 10, 1, 1)), "unlimited accepts all");
        }
        let out = l.finish();
        assert!(out.min_quota_checks_rpm);
        let tpm = out.min_quota_tpm(0).expect("offered");
        assert!((120_000..=121_000).contains(&tpm), "{tpm}");
        // Allowing one failure: the 19th is the last that must pass: 114,000.
        let tpm = out.min_quota_tpm(1).expect("offered");
        assert!((114_000..=115_000).contains(&tpm), "{tpm}");
        assert_eq!(StandardOutcome::default().min_quota_tpm(0), None);
    }

    #[test]
    fn per_token_pass_measures_the_logged_latency() {
        let mut list: Vec<_> = (0..100).map(|i| req(i * 1000, 100, 200)).collect();
        list[0].latency_ms = NONE_U32;
        let streams = [StandardStream {
            workload: 0,
            quota: quota(None, &[]),
        }];
        let (outs, lat) = simulate_per_token(&events(&list), &streams, 1, 2).expect("pass");
        assert_eq!(outs[0].offered_requests, 100);
        assert_eq!(outs[0].rejected_requests, 0);
        assert_eq!(lat[0].requests_with_latency, 99);
        let p50 = lat[0].p50_ms.expect("p50");
        assert!((2000.0..=2010.0).contains(&p50), "{p50}");
        // 100 completion tokens in 2 s = 50 tokens per second.
        let tps = lat[0].p50_output_tokens_per_s.expect("tps");
        assert!((50.0..=50.3).contains(&tps), "{tps}");
    }

    use proptest::prelude::Just;

    proptest::proptest! {
        /// Issue 20: a workload's per-token run counts a request once for the limiters whose
        /// counters move alike and reuses the count for the others; every outcome is the one
        /// the limiter reaches on its own.
        #[test]
        fn issue_20_shared_counts_give_each_limiters_own_outcome(
            gaps in proptest::collection::vec((0i64..20_000, 1u32..30_000, 1u32..8_000), 1..120),
            tpms in proptest::collection::vec(10_000u64..400_000, 4),
            windows in proptest::collection::vec(proptest::prop_oneof![Just(1.0), Just(10.0)], 4),
            tracked in proptest::collection::vec(proptest::bool::ANY, 4),
        ) {
            let mut t = 1_700_000_000_000i64;
            let list: Vec<ReplayEvent> = gaps
                .iter()
                .map(|&(gap, prompt, max)| {
                    t += gap;
                    req(t, prompt, max)
                })
                .collect();
            let streams: Vec<StandardStream> = (0..4)
                .map(|k| {
                    let limits = StandardLimits { tpm: tpms[k], rpm: Some(tpms[k] / 100) };
                    let mut q = quota(Some(limits), &[limits, StandardLimits { tpm: tpms[k] * 3, rpm: None }]);
                    q.rpm_window_s = windows[k];
                    q.rpm_per_1000_tpm = (k % 2 == 0).then_some(6.0);
                    q.track_levels = tracked[k];
                    StandardStream { workload: 0, quota: q }
                })
                .collect();
            let mut run = PerTokenRun::new(&streams, &[0, 1, 2, 3]);
            let mut alone: Vec<StandardLimiter> =
                streams.iter().map(|s| StandardLimiter::new(s.quota)).collect();
            for e in &list {
                run.on_event(e);
                for l in &mut alone {
                    l.admit(e);
                }
            }
            let (outs, _) = run.finish();
            for ((i, o), l) in outs.into_iter().zip(alone) {
                proptest::prop_assert_eq!(o, l.finish(), "stream {}", i);
            }
        }
    }
}
