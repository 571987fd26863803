//! Per-bucket aggregates: the canonical form of every source that counts requests and tokens
//! per second, minute, hour or day (Azure Monitor metrics, the OpenAI Usage API, the queries in
//! `queries/`), and how they replay through the same request-level simulation.
//!
//! **Within-bucket arrival model.** A bucket of `n` successful and `f` failed requests becomes
//! `n + f` requests whose arrival times are a seeded Poisson process over the bucket,
//! conditioned on its count: `n + f` independent uniform times in `[start, start + length)`,
//! drawn in increasing order (no buffering) from a generator seeded by `--seed`, the bucket
//! start and the workload's names, so the same input always replays the same way. Failed
//! requests (the status counts) are spread among them at random and carry no tokens (they are
//! not billed). **Tokens** are split evenly over the successful requests, each kind (cached,
//! cache-write, other prompt, reasoning, other completion) on its own, with the integer
//! remainders handed out one token each in rotation: the sums, and so every per-token cost,
//! are exact, and cached <= prompt, reasoning <= completion hold for every request. When a
//! bucket's request count is unknown, it is `ceil(tokens / typical request size)`
//! (`--typical-request-tokens`, default [`TYPICAL_REQUEST_TOKENS`]). `max_tokens`: where the
//! bucket records the sum of its requests' `max_tokens` and how many logged one
//! (`max_tokens_sum`, `max_tokens_requests`), that many requests carry it split evenly, so the
//! bucket's admission estimates add up exactly; where it records only the largest
//! (`max_tokens_max`), every request carries that (conservative: admission charges each
//! request the largest estimate of its bucket).
//!
//! Bursts inside a bucket are invisible, so PTU counts sized from aggregates are lower bounds;
//! per-token costs are exact, except that a long-context request (decided by its own prompt
//! size, U4) cannot be told apart once its prompt is averaged into a bucket: long-context
//! prices are then missed, and the cost is a lower bound.

use serde::Serialize;

use super::synth::SplitMix64;
use super::{FieldProblem, KeyResolver, Resolved, UsageRecord};

/// The time resolution of an input: `request` for per-request logs, else the bucket length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One row per request.
    #[default]
    Request,
    /// Per-second buckets.
    Second,
    /// Per-minute buckets.
    Minute,
    /// Per-hour buckets.
    Hour,
    /// Per-day buckets.
    Day,
}

impl Granularity {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Request => "request",
            Granularity::Second => "second",
            Granularity::Minute => "minute",
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }

    /// Bucket length in milliseconds (`None` for requests).
    pub fn bucket_ms(self) -> Option<i64> {
        match self {
            Granularity::Request => None,
            Granularity::Second => Some(1_000),
            Granularity::Minute => Some(60_000),
            Granularity::Hour => Some(3_600_000),
            Granularity::Day => Some(86_400_000),
        }
    }

    /// Parse a bucket name: `second|minute|hour|day`, `1s|1m|1h|1d`, or an ISO 8601 duration
    /// as Azure Monitor writes it (`PT1S`, `PT1M`, `PT1H`, `P1D`). Case-insensitive.
    pub fn parse_bucket(text: &str) -> Option<Granularity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "second" | "1s" | "pt1s" | "s" | "sec" => Some(Granularity::Second),
            "minute" | "1m" | "pt1m" | "m" | "min" => Some(Granularity::Minute),
            "hour" | "1h" | "pt1h" | "h" => Some(Granularity::Hour),
            "day" | "1d" | "p1d" | "d" | "pt24h" => Some(Granularity::Day),
            _ => None,
        }
    }

    /// The nominal bucket a span of `width_ms` belongs to: the smallest of second, minute,
    /// hour and day that holds it (a partial first day of the OpenAI Usage API is a day).
    pub fn from_width_ms(width_ms: i64) -> Granularity {
        match width_ms {
            w if w <= 1_000 => Granularity::Second,
            w if w <= 60_000 => Granularity::Minute,
            w if w <= 3_600_000 => Granularity::Hour,
            _ => Granularity::Day,
        }
    }

    /// "a minute", "an hour": for notes.
    pub fn with_article(self) -> &'static str {
        match self {
            Granularity::Request => "a request",
            Granularity::Second => "a second",
            Granularity::Minute => "a minute",
            Granularity::Hour => "an hour",
            Granularity::Day => "a day",
        }
    }
}

/// Default typical request size, in tokens (prompt plus completion), for buckets without a
/// request count. No Azure source publishes a typical size; fewer, larger requests than the
/// real traffic make admission burstier, so a large value errs on the safe side.
pub const TYPICAL_REQUEST_TOKENS: u64 = 1_000;

/// Default seed of the within-bucket arrival process.
pub const DEFAULT_SEED: u64 = 0x5054_5550_4C41_4E31;

/// Most requests one second of a bucket may hold; more is taken for a corrupt count, not
/// traffic. A sanity bound chosen for this tool (no Azure figure): it also caps how long one
/// row can take to replay.
pub const MAX_REQUESTS_PER_SECOND: u64 = 10_000;

/// How aggregates become requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpandParams {
    /// Seed of the arrival process (`--seed`).
    pub seed: u64,
    /// Typical request size in tokens, for buckets without a request count.
    pub typical_request_tokens: u64,
}

impl Default for ExpandParams {
    fn default() -> Self {
        ExpandParams {
            seed: DEFAULT_SEED,
            typical_request_tokens: TYPICAL_REQUEST_TOKENS,
        }
    }
}

/// One bucket of one workload: requests and token sums over `[start_ms, start_ms + length_ms)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketAggregate {
    /// Bucket start, ms since the Unix epoch (UTC).
    pub start_ms: i64,
    /// Bucket length, ms (shorter than nominal for a partial bucket).
    pub length_ms: i64,
    /// The nominal bucket (second, minute, hour or day).
    pub granularity: Granularity,
    /// All requests, failed included; `None` when the source has no count.
    pub requests: Option<u64>,
    /// Prompt tokens of the successful requests (cached and cache-write included).
    pub prompt_tokens: u64,
    /// Cached prompt tokens.
    pub cached_tokens: u64,
    /// Cache-write prompt tokens.
    pub cache_write_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
    /// Non-2xx requests per HTTP status.
    pub failed: Vec<(u16, u64)>,
    /// Largest `max_tokens` of any request in the bucket, when known.
    pub max_tokens_max: Option<u64>,
    /// Sum of `max_tokens` over the successful requests that logged one, and how many did:
    /// when known, those requests carry it split evenly (the bucket's admission estimates
    /// then add up exactly) and the others none; it wins over `max_tokens_max`.
    pub max_tokens_sum: Option<(u64, u64)>,
}

impl BucketAggregate {
    /// An empty bucket.
    pub fn new(start_ms: i64, granularity: Granularity) -> BucketAggregate {
        BucketAggregate {
            start_ms,
            length_ms: granularity.bucket_ms().unwrap_or(1),
            granularity,
            requests: None,
            prompt_tokens: 0,
            cached_tokens: 0,
            cache_write_tokens: 0,
            completion_tokens: 0,
            reasoning_tokens: 0,
            failed: Vec::new(),
            max_tokens_max: None,
            max_tokens_sum: None,
        }
    }

    fn failed_requests(&self) -> u64 {
        // Counts come from the input: a sum that overflows saturates (and then fails the
        // bucket's checks) instead of wrapping.
        self.failed
            .iter()
            .fold(0u64, |sum, (_, n)| sum.saturating_add(*n))
    }

    /// Check the bucket and work out how many requests (successful and failed) it replays as.
    pub fn planned_requests(&self, params: &ExpandParams) -> Result<u64, FieldProblem> {
        let ok = self.successful_requests(params)?;
        Ok(ok.saturating_add(self.failed_requests()))
    }

    /// Check the bucket and work out how many successful requests it replays as.
    fn successful_requests(&self, params: &ExpandParams) -> Result<u64, FieldProblem> {
        if self.cached_tokens.saturating_add(self.cache_write_tokens) > self.prompt_tokens {
            return Err(FieldProblem::new(
                "cached_tokens",
                format!(
                    "{} cached + {} cache-write tokens exceed {} prompt tokens (both are part of the prompt)",
                    self.cached_tokens, self.cache_write_tokens, self.prompt_tokens
                ),
            ));
        }
        if self.reasoning_tokens > self.completion_tokens {
            return Err(FieldProblem::new(
                "reasoning_tokens",
                format!(
                    "{} reasoning tokens exceed {} completion tokens (reasoning tokens are part of the completion)",
                    self.reasoning_tokens, self.completion_tokens
                ),
            ));
        }
        let tokens = self.prompt_tokens.saturating_add(self.completion_tokens);
        let failed = self.failed_requests();
        let ok = match self.requests {
            Some(all) if all < failed => {
                return Err(FieldProblem::new(
                    "requests",
                    format!("{all} requests, but the status counts add up to {failed}"),
                ))
            }
            Some(all) if all == failed && tokens > 0 => {
                return Err(FieldProblem::new(
                    "requests",
                    format!(
                    "{tokens} tokens but no successful request ({all} requests, {failed} failed)"
                ),
                ))
            }
            Some(all) => all - failed,
            None if tokens == 0 => 0,
            None => tokens.div_ceil(params.typical_request_tokens.max(1)),
        };
        if let Some((_, with)) = self.max_tokens_sum {
            if with > ok {
                return Err(FieldProblem::new(
                    "max_tokens_requests",
                    format!(
                        "{with} requests logged a max_tokens, but the bucket has {ok} successful request(s) ({} in all, {failed} failed): max_tokens_requests counts successful requests only",
                        ok.saturating_add(failed)
                    ),
                ));
            }
        }
        let seconds = (self.length_ms / 1000).max(1) as u64;
        if ok.saturating_add(failed) > MAX_REQUESTS_PER_SECOND.saturating_mul(seconds) {
            return Err(FieldProblem::new(
                "requests",
                format!(
                    "{} requests in {} s is implausible (at most {MAX_REQUESTS_PER_SECOND} per second)",
                    ok.saturating_add(failed),
                    seconds
                ),
            ));
        }
        Ok(ok)
    }
}

/// An even split of `total` over `parts`, remainders one each from `start` in rotation.
#[derive(Debug, Clone, Copy)]
struct Split {
    base: u64,
    rem: u64,
    start: u64,
    parts: u64,
}

impl Split {
    fn new(total: u64, parts: u64, start: u64) -> Split {
        Split {
            base: total / parts,
            rem: total % parts,
            start: start % parts,
            parts,
        }
    }

    fn part(&self, i: u64) -> u64 {
        let offset = (i + self.parts - self.start) % self.parts;
        self.base + u64::from(offset < self.rem)
    }

    /// Where the next split's remainders start.
    fn next_start(&self) -> u64 {
        self.start + self.rem
    }

    /// The largest part.
    fn max_part(&self) -> u64 {
        self.base + u64::from(self.rem > 0)
    }
}

/// The tokens of request `i` of `parts` that share a bucket's tokens evenly (remainders in
/// rotation, sums exact): prompt, cached, cache-write, completion, reasoning.
pub fn token_share(agg: &BucketAggregate, parts: u64, i: u64) -> [u64; 5] {
    let parts = parts.max(1);
    let cached = Split::new(agg.cached_tokens, parts, 0);
    let write = Split::new(agg.cache_write_tokens, parts, cached.next_start());
    let plain_total = agg
        .prompt_tokens
        .saturating_sub(agg.cached_tokens.saturating_add(agg.cache_write_tokens));
    let plain = Split::new(plain_total, parts, write.next_start());
    let reasoning = Split::new(agg.reasoning_tokens, parts, plain.next_start());
    let visible = Split::new(
        agg.completion_tokens.saturating_sub(agg.reasoning_tokens),
        parts,
        reasoning.next_start(),
    );
    let (c, w, p, r, v) = (
        cached.part(i),
        write.part(i),
        plain.part(i),
        reasoning.part(i),
        visible.part(i),
    );
    [c + w + p, c, w, r + v, r]
}

/// FNV-1a over the workload's raw names: part of each bucket's seed, so buckets of different
/// workloads at the same time draw different arrivals, whatever the workload ids.
pub fn key_hash(parts: [&[u8]; 3]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.trim_ascii() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        h ^= 0xFF;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// Replay one bucket as requests, in arrival order, through `emit`. Checks the bucket and the
/// sizes of the requests it becomes against the model's limits first (nothing is emitted for a
/// bad bucket). Returns the number of requests emitted.
pub fn expand<E>(
    agg: &BucketAggregate,
    resolved: Resolved,
    key_hash: u64,
    params: &ExpandParams,
    resolver: &dyn KeyResolver,
    mut emit: impl FnMut(UsageRecord) -> Result<(), E>,
    problem: impl Fn(FieldProblem) -> E,
) -> Result<u64, E> {
    let ok = agg.successful_requests(params).map_err(&problem)?;
    let failed = agg.failed_requests();
    let parts = ok.max(1);
    let cached = Split::new(agg.cached_tokens, parts, 0);
    let write = Split::new(agg.cache_write_tokens, parts, cached.next_start());
    let plain_prompt = agg.prompt_tokens - agg.cached_tokens - agg.cache_write_tokens;
    let plain = Split::new(plain_prompt, parts, write.next_start());
    let reasoning = Split::new(agg.reasoning_tokens, parts, plain.next_start());
    let visible = Split::new(
        agg.completion_tokens - agg.reasoning_tokens,
        parts,
        reasoning.next_start(),
    );
    let largest_prompt = cached.max_part() + write.max_part() + plain.max_part();
    let largest_completion = reasoning.max_part() + visible.max_part();
    let l = resolved.limits;
    if l.is_exceeded(largest_prompt, largest_completion, agg.max_tokens_max) {
        let model = resolver.model_of(resolved.workload).unwrap_or_default();
        l.check(
            &model,
            largest_prompt,
            largest_completion,
            agg.max_tokens_max,
        )
        .map_err(|p| {
            problem(FieldProblem::new(
                p.field,
                format!(
                    "the bucket's {ok} request(s) would each carry up to {largest_prompt} prompt and {largest_completion} completion tokens: {} (is the request count right?)",
                    p.message
                ),
            ))
        })?;
    }
    let with_max = agg
        .max_tokens_sum
        .map(|(sum, k)| (Split::new(sum, k.clamp(1, parts), 0), k.min(ok)));
    if let Some((split, k)) = with_max {
        if k > 0 && split.max_part() > l.max_completion_tokens {
            return Err(problem(FieldProblem::new(
                "max_tokens_sum",
                format!(
                    "{k} request(s) would each ask for up to {} max_tokens, more than the model's largest completion of {} tokens",
                    split.max_part(),
                    l.max_completion_tokens
                ),
            )));
        }
    }
    let max_tokens_of = |i: u64, completion: u64| match with_max {
        Some((split, k)) => (i < k).then(|| split.part(i)),
        None => agg.max_tokens_max.map(|m| m.max(completion)),
    };
    let total = ok + failed;
    let mut rng = SplitMix64::new(
        params.seed
            ^ key_hash.rotate_left(17)
            ^ (agg.start_ms as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let (mut x, mut ok_left, mut failed_left) = (0.0_f64, ok, failed);
    let mut failed_status = agg.failed.iter().copied();
    let mut current_failed = failed_status.next();
    let mut ok_index = 0u64;
    for k in 0..total {
        // The smallest of the `total - k` remaining uniform times on [x, 1).
        let remaining = (total - k) as f64;
        let v = ((rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
        x += (1.0 - x) * (1.0 - v.powf(1.0 / remaining));
        let offset = ((x * agg.length_ms as f64) as i64).clamp(0, agg.length_ms - 1);
        let t_ms = agg.start_ms + offset;
        let is_failed = failed_left > 0
            && (ok_left == 0 || rng.next_u64() % (ok_left + failed_left) < failed_left);
        let record = if is_failed {
            failed_left -= 1;
            let status = loop {
                match current_failed {
                    Some((status, n)) if n > 0 => {
                        current_failed = Some((status, n - 1));
                        break status;
                    }
                    Some(_) => current_failed = failed_status.next(),
                    None => break 500,
                }
            };
            UsageRecord {
                timestamp_ms: t_ms,
                workload: resolved.workload,
                prompt_tokens: 0,
                cached_tokens: 0,
                cache_write_tokens: 0,
                completion_tokens: 0,
                reasoning_tokens: 0,
                max_completion_tokens: agg.max_tokens_max,
                status: Some(status),
                latency_ms: None,
            }
        } else {
            ok_left -= 1;
            let i = ok_index;
            ok_index += 1;
            let (c, w, p) = (cached.part(i), write.part(i), plain.part(i));
            let (r, v) = (reasoning.part(i), visible.part(i));
            UsageRecord {
                timestamp_ms: t_ms,
                workload: resolved.workload,
                prompt_tokens: c + w + p,
                cached_tokens: c,
                cache_write_tokens: w,
                completion_tokens: r + v,
                reasoning_tokens: r,
                max_completion_tokens: max_tokens_of(i, r + v),
                status: None,
                latency_ms: None,
            }
        };
        emit(record)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::test_support::{resolved, AnyKey};

    fn run(agg: &BucketAggregate) -> Result<Vec<UsageRecord>, FieldProblem> {
        let mut out = Vec::new();
        expand(
            agg,
            resolved(),
            7,
            &ExpandParams::default(),
            &AnyKey,
            |r| {
                out.push(r);
                Ok::<(), FieldProblem>(())
            },
            |p| p,
        )?;
        Ok(out)
    }

    fn minute() -> BucketAggregate {
        let mut a = BucketAggregate::new(60_000, Granularity::Minute);
        a.requests = Some(7);
        a.prompt_tokens = 10_003;
        a.cached_tokens = 2_049;
        a.cache_write_tokens = 5;
        a.completion_tokens = 1_001;
        a.reasoning_tokens = 333;
        a.failed = vec![(429, 2)];
        a
    }

    #[test]
    fn token_sums_stay_exact_and_consistent() {
        let records = run(&minute()).expect("expands");
        assert_eq!(records.len(), 7);
        let ok: Vec<_> = records.iter().filter(|r| r.status.is_none()).collect();
        assert_eq!(ok.len(), 5);
        assert_eq!(ok.iter().map(|r| r.prompt_tokens).sum::<u64>(), 10_003);
        assert_eq!(ok.iter().map(|r| r.cached_tokens).sum::<u64>(), 2_049);
        assert_eq!(ok.iter().map(|r| r.cache_write_tokens).sum::<u64>(), 5);
        assert_eq!(ok.iter().map(|r| r.completion_tokens).sum::<u64>(), 1_001);
        assert_eq!(ok.iter().map(|r| r.reasoning_tokens).sum::<u64>(), 333);
        for r in &ok {
            assert!(r.cached_tokens + r.cache_write_tokens <= r.prompt_tokens);
            assert!(r.reasoning_tokens <= r.completion_tokens);
            assert!(
                (2_000..=2_001).contains(&r.prompt_tokens),
                "{}",
                r.prompt_tokens
            );
        }
        let throttled = records.iter().filter(|r| r.status == Some(429)).count();
        assert_eq!(throttled, 2);
    }

    #[test]
    fn arrivals_are_sorted_inside_the_bucket_and_seeded() {
        let mut a = minute();
        a.requests = Some(500);
        a.failed.clear();
        let records = run(&a).expect("expands");
        assert!(records
            .windows(2)
            .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms));
        assert!(records
            .iter()
            .all(|r| (60_000..120_000).contains(&r.timestamp_ms)));
        // Spread over the whole minute, not bunched at one end.
        let first_half = records.iter().filter(|r| r.timestamp_ms < 90_000).count();
        assert!((200..300).contains(&first_half), "{first_half}");
        assert_eq!(records, run(&a).expect("expands"), "deterministic");
    }

    #[test]
    fn unknown_request_counts_use_the_typical_size() {
        let mut a = minute();
        a.requests = None;
        a.failed.clear();
        let records = run(&a).expect("expands");
        // 11,004 tokens / 1,000 per request, rounded up.
        assert_eq!(records.len(), 12);
    }

    #[test]
    fn inconsistent_buckets_are_row_errors() {
        let mut a = minute();
        a.requests = Some(1);
        assert_eq!(run(&a).unwrap_err().field, "requests");
        let mut a = minute();
        a.requests = Some(2);
        assert!(run(&a)
            .unwrap_err()
            .message
            .contains("no successful request"));
        let mut a = minute();
        a.reasoning_tokens = 2_000;
        assert_eq!(run(&a).unwrap_err().field, "reasoning_tokens");
        let mut a = minute();
        a.requests = Some(u64::MAX);
        assert!(run(&a).unwrap_err().message.contains("implausible"));
    }

    #[test]
    fn parses_bucket_names() {
        assert_eq!(Granularity::parse_bucket("PT1M"), Some(Granularity::Minute));
        assert_eq!(Granularity::parse_bucket("1d"), Some(Granularity::Day));
        assert_eq!(
            Granularity::parse_bucket("second"),
            Some(Granularity::Second)
        );
        assert_eq!(Granularity::parse_bucket("PT5M"), None);
        assert_eq!(Granularity::from_width_ms(36_000_000), Granularity::Day);
        assert!(Granularity::Day > Granularity::Minute);
    }
}
