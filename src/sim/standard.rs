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
//! A 429 from Standard is a failed request (the client's own retries are not simulated).
//! Nothing here prints or knows about tiers by name: the plan maps probe slots to levels.

use std::collections::BTreeMap;

use super::admission::MissingMaxTokens;
use super::spool::{ReplayEvent, SortedEvents, NONE_U32};

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
        let edge = if answer_bin == 0 {
            1.0
        } else {
            BIN_RATIO.powi(answer_bin as i32)
        };
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

/// The rate limiter of one Standard deployment, fed its requests in time order.
#[derive(Debug, Clone)]
pub struct StandardLimiter {
    quota: StandardQuota,
    window_ms: i64,
    minute: i64,
    minute_tokens: u64,
    window: i64,
    window_requests: u64,
    bins: BTreeMap<u32, u64>,
    out: StandardOutcome,
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
            bins: BTreeMap::new(),
            out: StandardOutcome {
                min_quota_checks_rpm: quota.rpm_per_1000_tpm.is_some(),
                ..StandardOutcome::default()
            },
        }
    }

    /// The estimated tokens Standard counts for a request: prompt plus `max_tokens`.
    pub fn estimated_tokens(&self, e: &ReplayEvent) -> u64 {
        let completion = if e.max_completion_tokens != NONE_U32 {
            e.max_completion_tokens
        } else {
            match self.quota.missing_max_tokens {
                MissingMaxTokens::Actual => e.completion_tokens,
                MissingMaxTokens::Fixed(n) => n,
            }
        };
        u64::from(e.input_tokens)
            + u64::from(e.cached_tokens)
            + u64::from(e.cache_write_tokens)
            + u64::from(completion)
    }

    /// Offer one request (arrivals in time order); true when the limits in force accept it.
    pub fn admit(&mut self, e: &ReplayEvent) -> bool {
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
        let out = &mut self.out;
        out.offered_requests += 1;
        out.peak_minute_estimated_tokens = out.peak_minute_estimated_tokens.max(self.minute_tokens);
        out.peak_window_requests = out.peak_window_requests.max(n);
        let window_s = self.quota.rpm_window_s;
        let rejects = |l: StandardLimits| {
            before >= l.tpm || l.window_requests(window_s).is_some_and(|max| n > max)
        };
        for (slot, probe) in self.quota.probes.iter().enumerate() {
            if let Some(l) = probe {
                let r = out.probe_rejected[slot].get_or_insert(0);
                *r += u64::from(rejects(*l));
            }
        }
        *self
            .bins
            .entry(min_quota_bin(before, n, &self.quota))
            .or_insert(0) += 1;
        match self.quota.active {
            Some(l) if rejects(l) => {
                out.rejected_requests += 1;
                out.rejected_by_tpm += u64::from(before >= l.tpm);
                false
            }
            _ => true,
        }
    }

    /// The outcome so far.
    pub fn finish(mut self) -> StandardOutcome {
        self.out.min_quota_bins = self.bins.into_iter().collect();
        self.out
    }
}

/// The histogram bin of the smallest TPM quota that accepts a request with `before` tokens
/// already counted in its minute and `n` requests (itself included) in its RPM window.
fn min_quota_bin(before: u64, n: u64, q: &StandardQuota) -> u32 {
    let by_tokens = before as f64 + 1.0;
    let by_requests = match q.rpm_per_1000_tpm {
        Some(ratio) if n > 1 => n as f64 * 60_000.0 / (ratio * q.rpm_window_s),
        _ => 0.0,
    };
    let needed = by_tokens.max(by_requests).max(1.0);
    (needed.ln() / BIN_RATIO.ln()).ceil().max(0.0) as u32
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
#[derive(Debug, Default, Clone)]
struct Sketch {
    bins: BTreeMap<i32, u64>,
    n: u64,
}

impl Sketch {
    fn add(&mut self, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            return;
        }
        let bin = (v.ln() / BIN_RATIO.ln()).ceil() as i32;
        *self.bins.entry(bin).or_insert(0) += 1;
        self.n += 1;
    }

    fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (&bin, &c) in &self.bins {
            seen += c;
            if seen >= rank {
                return Some(BIN_RATIO.powi(bin));
            }
        }
        None
    }
}

/// Replay `events` once through every stream's limiter, and measure each workload's logged
/// latency. Returns the streams' outcomes in order and one [`LoggedLatency`] per workload
/// (`workloads` of them).
pub fn simulate_per_token(
    events: &SortedEvents,
    streams: &[StandardStream],
    workloads: usize,
) -> std::io::Result<(Vec<StandardOutcome>, Vec<LoggedLatency>)> {
    let mut limiters: Vec<StandardLimiter> = streams
        .iter()
        .map(|s| StandardLimiter::new(s.quota))
        .collect();
    let mut by_workload: Vec<Vec<usize>> = vec![Vec::new(); workloads];
    for (i, s) in streams.iter().enumerate() {
        if let Some(list) = by_workload.get_mut(s.workload as usize) {
            list.push(i);
        }
    }
    let mut latency = vec![(Sketch::default(), Sketch::default()); workloads];
    events.for_each(|e| {
        let w = e.workload as usize;
        if let Some(list) = by_workload.get(w) {
            for &i in list {
                limiters[i].admit(e);
            }
        }
        if e.latency_ms != NONE_U32 {
            if let Some((ms, tps)) = latency.get_mut(w) {
                // A logged 0 ms still counts as a request with a latency.
                ms.add(f64::from(e.latency_ms).max(0.5));
                if e.completion_tokens > 0 && e.latency_ms > 0 {
                    tps.add(f64::from(e.completion_tokens) * 1000.0 / f64::from(e.latency_ms));
                }
            }
        }
    })?;
    let outcomes = limiters.into_iter().map(StandardLimiter::finish).collect();
    let logged = latency
        .into_iter()
        .map(|(ms, tps)| LoggedLatency {
            requests_with_latency: ms.n,
            p50_ms: ms.quantile(0.5),
            p95_ms: ms.quantile(0.95),
            p50_output_tokens_per_s: tps.quantile(0.5),
        })
        .collect();
    Ok((outcomes, logged))
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
        let (outs, lat) = simulate_per_token(&events(&list), &streams, 1).expect("pass");
        assert_eq!(outs[0].offered_requests, 100);
        assert_eq!(outs[0].rejected_requests, 0);
        assert_eq!(lat[0].requests_with_latency, 99);
        let p50 = lat[0].p50_ms.expect("p50");
        assert!((2000.0..=2010.0).contains(&p50), "{p50}");
        // 100 completion tokens in 2 s = 50 tokens per second.
        let tps = lat[0].p50_output_tokens_per_s.expect("tps");
        assert!((50.0..=50.3).contains(&tps), "{tps}");
    }
}
