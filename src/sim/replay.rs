//! Pass 1 of the replay: every record of the log is folded, in arrival order of the file,
//! into per-workload token totals and per-minute demand series, and successful requests are
//! queued in the [`EventSpool`] for the time-ordered admission pass.
//!
//! Memory is bounded by the number of workloads times the log's span in minutes (three `f64`
//! per minute), never by the number of records.

use super::spool::{EventSpool, ReplayEvent, SortedEvents, NONE_U32, OBSERVED_429};
use crate::usage::{RecordSink, SinkError, UsageRecord};

/// Longest span a run accepts, in minutes (400 days); guards against a stray timestamp
/// making the minute series huge.
pub const MAX_SPAN_MINUTES: i64 = 400 * 24 * 60;
const MS_PER_MIN: i64 = 60_000;

/// Token and request totals of one workload.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkloadTotals {
    /// Successful (billed) requests.
    pub requests: u64,
    /// Requests with a non-2xx status: not billed, not served demand.
    pub failed_requests: u64,
    /// Prompt tokens of successful requests (cached included).
    pub prompt_tokens: u64,
    /// Cached prompt tokens.
    pub cached_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
    /// Successful requests whose answer was emptied by reasoning.
    pub truncated_requests: u64,
    /// Uncached prompt tokens of the emptied answers.
    pub truncated_uncached_prompt_tokens: u64,
    /// Cached prompt tokens of the emptied answers.
    pub truncated_cached_tokens: u64,
    /// Completion tokens of the emptied answers (all reasoning).
    pub truncated_completion_tokens: u64,
    /// Successful requests that logged no `max_completion_tokens`.
    pub requests_without_max_tokens: u64,
    /// Successful requests that logged no latency.
    pub requests_without_latency: u64,
}

impl WorkloadTotals {
    /// Add another part's totals.
    pub fn absorb(&mut self, o: &WorkloadTotals) {
        self.requests += o.requests;
        self.failed_requests += o.failed_requests;
        self.prompt_tokens += o.prompt_tokens;
        self.cached_tokens += o.cached_tokens;
        self.completion_tokens += o.completion_tokens;
        self.reasoning_tokens += o.reasoning_tokens;
        self.truncated_requests += o.truncated_requests;
        self.truncated_uncached_prompt_tokens += o.truncated_uncached_prompt_tokens;
        self.truncated_cached_tokens += o.truncated_cached_tokens;
        self.truncated_completion_tokens += o.truncated_completion_tokens;
        self.requests_without_max_tokens += o.requests_without_max_tokens;
        self.requests_without_latency += o.requests_without_latency;
    }

    /// Prompt tokens not served from cache.
    pub fn uncached_prompt_tokens(&self) -> u64 {
        self.prompt_tokens - self.cached_tokens
    }
}

/// Per-minute sums of one workload, indexed from `first_minute`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinuteSeries {
    /// Minute index (Unix minutes) of slot 0.
    pub first_minute: i64,
    /// Uncached prompt tokens per minute (successful requests).
    pub uncached_prompt_tokens: Vec<f64>,
    /// Completion tokens per minute (successful requests).
    pub completion_tokens: Vec<f64>,
    /// Admission-estimate completion tokens per minute (`max_completion_tokens`, or the
    /// actual completion when absent).
    pub estimated_completion_tokens: Vec<f64>,
}

impl MinuteSeries {
    fn slot(&mut self, minute: i64) -> Result<usize, SpanError> {
        if self.uncached_prompt_tokens.is_empty() {
            self.first_minute = minute;
        }
        let len = self.uncached_prompt_tokens.len() as i64;
        if minute < self.first_minute {
            let grow = self.first_minute - minute;
            if len + grow > MAX_SPAN_MINUTES {
                return Err(SpanError { minute });
            }
            for v in [
                &mut self.uncached_prompt_tokens,
                &mut self.completion_tokens,
                &mut self.estimated_completion_tokens,
            ] {
                v.splice(0..0, std::iter::repeat_n(0.0, grow as usize));
            }
            self.first_minute = minute;
        }
        let idx = minute - self.first_minute;
        if idx >= MAX_SPAN_MINUTES {
            return Err(SpanError { minute });
        }
        let idx = idx as usize;
        if idx >= self.uncached_prompt_tokens.len() {
            for v in [
                &mut self.uncached_prompt_tokens,
                &mut self.completion_tokens,
                &mut self.estimated_completion_tokens,
            ] {
                v.resize(idx + 1, 0.0);
            }
        }
        Ok(idx)
    }

    /// Add another part's minutes (sums of whole token counts, so the order of addition
    /// never changes a value).
    fn absorb(&mut self, o: &MinuteSeries) -> Result<(), SpanError> {
        for (i, ((u, c), e)) in o
            .uncached_prompt_tokens
            .iter()
            .zip(&o.completion_tokens)
            .zip(&o.estimated_completion_tokens)
            .enumerate()
        {
            if *u == 0.0 && *c == 0.0 && *e == 0.0 {
                continue;
            }
            let slot = self.slot(o.first_minute + i as i64)?;
            self.uncached_prompt_tokens[slot] += u;
            self.completion_tokens[slot] += c;
            self.estimated_completion_tokens[slot] += e;
        }
        Ok(())
    }

    /// Weighted demand `(prompt - cached) + ratio x completion` per minute, over
    /// `[from_minute, to_minute]` (zero outside the series).
    pub fn weighted_tokens_per_min(
        &self,
        ratio: f64,
        from_minute: i64,
        to_minute: i64,
    ) -> Vec<f64> {
        (from_minute..=to_minute)
            .map(|m| {
                let i = m - self.first_minute;
                if i < 0 || i as usize >= self.uncached_prompt_tokens.len() {
                    0.0
                } else {
                    let i = i as usize;
                    self.uncached_prompt_tokens[i] + ratio * self.completion_tokens[i]
                }
            })
            .collect()
    }

    /// Largest per-minute weighted demand using admission estimates.
    pub fn peak_estimated_tokens_per_min(&self, ratio: f64) -> f64 {
        self.uncached_prompt_tokens
            .iter()
            .zip(&self.estimated_completion_tokens)
            .map(|(u, e)| u + ratio * e)
            .fold(0.0, f64::max)
    }
}

/// A timestamp too far from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanError {
    /// The offending minute (Unix minutes).
    pub minute: i64,
}

/// Everything pass 1 learns about one workload.
#[derive(Debug, Clone, Default)]
pub struct WorkloadReplay {
    /// Totals.
    pub totals: WorkloadTotals,
    /// Per-minute demand.
    pub minutes: MinuteSeries,
}

/// Pass-1 state over all workloads.
#[derive(Default)]
pub struct Replay {
    /// Per-workload results, indexed by workload id.
    pub workloads: Vec<WorkloadReplay>,
    /// Earliest arrival, ms (successful or not).
    pub first_ms: Option<i64>,
    /// Latest arrival, ms.
    pub last_ms: Option<i64>,
    spool: EventSpool,
    /// Events of later parts of the log, joined from forks (in file order).
    later: Vec<SortedEvents>,
    /// Also queue requests the real deployment answered 429, flagged [`OBSERVED_429`], for
    /// `calibrate` (they stay unbilled and out of the demand series).
    offer_observed_429: bool,
}

impl Replay {
    /// A replay that spools events in chunks of `chunk_events`.
    pub fn with_spool(spool: EventSpool) -> Self {
        Replay {
            spool,
            ..Replay::default()
        }
    }

    /// A replay for `calibrate`: 429 rows are queued too, flagged [`OBSERVED_429`], so the
    /// admission pass offers every request the real deployment saw. A 429 row's completion
    /// is taken to be its `max_completion_tokens` (it generated nothing; the cap is what the
    /// service would have estimated), else 0.
    pub fn for_calibration() -> Self {
        Replay {
            offer_observed_429: true,
            ..Replay::default()
        }
    }

    /// Fold one record in.
    pub fn add(&mut self, r: &UsageRecord) -> Result<(), ReplayError> {
        let minute = r.timestamp_ms.div_euclid(MS_PER_MIN);
        let first = self
            .first_ms
            .map_or(r.timestamp_ms, |f| f.min(r.timestamp_ms));
        let last = self
            .last_ms
            .map_or(r.timestamp_ms, |l| l.max(r.timestamp_ms));
        if (last - first).div_euclid(MS_PER_MIN) >= MAX_SPAN_MINUTES {
            return Err(ReplayError::Span {
                first_ms: first,
                last_ms: last,
            });
        }
        self.first_ms = Some(first);
        self.last_ms = Some(last);
        let idx = r.workload as usize;
        if idx >= self.workloads.len() {
            self.workloads.resize_with(idx + 1, WorkloadReplay::default);
        }
        let w = &mut self.workloads[idx];
        if !r.is_success() {
            w.totals.failed_requests += 1;
            if self.offer_observed_429 && r.status == Some(429) {
                let completion = r.max_completion_tokens.unwrap_or(0);
                return self.queue(r, completion, OBSERVED_429);
            }
            return Ok(());
        }
        let t = &mut w.totals;
        t.requests += 1;
        t.prompt_tokens += r.prompt_tokens;
        t.cached_tokens += r.cached_tokens;
        t.completion_tokens += r.completion_tokens;
        t.reasoning_tokens += r.reasoning_tokens;
        if r.is_emptied_by_reasoning() {
            t.truncated_requests += 1;
            t.truncated_uncached_prompt_tokens += r.uncached_prompt_tokens();
            t.truncated_cached_tokens += r.cached_tokens;
            t.truncated_completion_tokens += r.completion_tokens;
        }
        t.requests_without_max_tokens += u64::from(r.max_completion_tokens.is_none());
        t.requests_without_latency += u64::from(r.latency_ms.is_none());
        let slot = w.minutes.slot(minute).map_err(|_| ReplayError::Span {
            first_ms: first,
            last_ms: last,
        })?;
        let estimate = r.max_completion_tokens.unwrap_or(r.completion_tokens);
        w.minutes.uncached_prompt_tokens[slot] += r.uncached_prompt_tokens() as f64;
        w.minutes.completion_tokens[slot] += r.completion_tokens as f64;
        w.minutes.estimated_completion_tokens[slot] += estimate as f64;
        self.queue(r, r.completion_tokens, 0)
    }

    /// Queue a request for the admission pass.
    fn queue(
        &mut self,
        r: &UsageRecord,
        completion_tokens: u64,
        flags: u32,
    ) -> Result<(), ReplayError> {
        let clamp = |v: u64| u32::try_from(v).unwrap_or(NONE_U32 - 1);
        self.spool
            .push(ReplayEvent {
                t_ms: r.timestamp_ms,
                workload: r.workload,
                uncached_prompt_tokens: clamp(r.uncached_prompt_tokens()),
                cached_tokens: clamp(r.cached_tokens),
                completion_tokens: clamp(completion_tokens),
                max_completion_tokens: r.max_completion_tokens.map_or(NONE_U32, clamp),
                latency_ms: r.latency_ms.map_or(NONE_U32, clamp),
                flags,
            })
            .map_err(ReplayError::Spool)
    }

    /// Finish pass 1: the per-workload results and the time-ordered events.
    pub fn finish(self) -> (ReplaySummary, SortedEvents) {
        let summary = ReplaySummary {
            workloads: self.workloads,
            first_ms: self.first_ms.unwrap_or(0),
            last_ms: self.last_ms.unwrap_or(0),
        };
        let mut events = self.spool.finish();
        for later in self.later {
            events.append(later);
        }
        (summary, events)
    }

    fn absorb(&mut self, later: Replay) -> Result<(), ReplayError> {
        let first = [self.first_ms, later.first_ms].into_iter().flatten().min();
        let last = [self.last_ms, later.last_ms].into_iter().flatten().max();
        if let (Some(f), Some(l)) = (first, last) {
            if (l - f).div_euclid(MS_PER_MIN) >= MAX_SPAN_MINUTES {
                return Err(ReplayError::Span {
                    first_ms: f,
                    last_ms: l,
                });
            }
        }
        self.first_ms = first;
        self.last_ms = last;
        if later.workloads.len() > self.workloads.len() {
            self.workloads
                .resize_with(later.workloads.len(), WorkloadReplay::default);
        }
        for (mine, theirs) in self.workloads.iter_mut().zip(&later.workloads) {
            mine.totals.absorb(&theirs.totals);
            mine.minutes
                .absorb(&theirs.minutes)
                .map_err(|_| ReplayError::Span {
                    first_ms: first.unwrap_or(0),
                    last_ms: last.unwrap_or(0),
                })?;
        }
        let (_, events) = Replay {
            workloads: Vec::new(),
            ..later
        }
        .finish();
        self.later.push(events);
        Ok(())
    }
}

impl RecordSink for Replay {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.add(&record).map_err(|e| SinkError {
            field: matches!(e, ReplayError::Span { .. }).then_some("timestamp"),
            message: e.to_string(),
        })
    }

    fn fork(&self) -> Self {
        Replay {
            offer_observed_429: self.offer_observed_429,
            ..Replay::default()
        }
    }

    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.absorb(later).map_err(|e| SinkError {
            field: None,
            message: e.to_string(),
        })
    }
}

/// Pass-1 results.
#[derive(Debug, Clone)]
pub struct ReplaySummary {
    /// Per workload.
    pub workloads: Vec<WorkloadReplay>,
    /// Earliest arrival, ms.
    pub first_ms: i64,
    /// Latest arrival, ms.
    pub last_ms: i64,
}

impl ReplaySummary {
    /// First minute of the span (Unix minutes).
    pub fn first_minute(&self) -> i64 {
        self.first_ms.div_euclid(MS_PER_MIN)
    }

    /// Last minute of the span (Unix minutes).
    pub fn last_minute(&self) -> i64 {
        self.last_ms.div_euclid(MS_PER_MIN)
    }

    /// The billing span in hours: whole minutes from the first record's minute through the
    /// last record's minute (at least one minute).
    pub fn span_hours(&self) -> f64 {
        (self.last_minute() - self.first_minute() + 1) as f64 / 60.0
    }
}

/// Errors of pass 1.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The log spans more than [`MAX_SPAN_MINUTES`].
    #[error("the log spans from {} to {}, more than the 400 days one run accepts; split the log or check for a stray timestamp", fmt_ms(*first_ms), fmt_ms(*last_ms))]
    Span {
        /// Earliest ms.
        first_ms: i64,
        /// Latest ms.
        last_ms: i64,
    },
    /// The temp-file spool failed.
    #[error("cannot write the replay spool to the temp directory: {0}")]
    Spool(#[source] std::io::Error),
}

/// Format ms since the epoch as RFC 3339 (UTC, seconds).
pub fn fmt_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("{ms} ms"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t_ms: i64, prompt: u64, cached: u64, completion: u64) -> UsageRecord {
        UsageRecord {
            timestamp_ms: t_ms,
            workload: 0,
            prompt_tokens: prompt,
            cached_tokens: cached,
            cache_write_tokens: 0,
            completion_tokens: completion,
            reasoning_tokens: 0,
            max_completion_tokens: None,
            status: None,
            latency_ms: None,
        }
    }

    #[test]
    fn folds_minutes_in_any_order() {
        let mut replay = Replay::default();
        replay.add(&rec(120_000, 100, 20, 10)).expect("add");
        replay.add(&rec(0, 50, 0, 5)).expect("add");
        replay.add(&rec(130_000, 10, 0, 1)).expect("add");
        let (summary, _) = replay.finish();
        let m = &summary.workloads[0].minutes;
        assert_eq!(m.first_minute, 0);
        assert_eq!(m.weighted_tokens_per_min(4.0, 0, 2), vec![70.0, 0.0, 134.0]);
        assert!((summary.span_hours() - 3.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_a_span_over_400_days() {
        let mut replay = Replay::default();
        replay.add(&rec(0, 1, 0, 1)).expect("add");
        let far = (MAX_SPAN_MINUTES + 1) * MS_PER_MIN;
        assert!(matches!(
            replay.add(&rec(far, 1, 0, 1)),
            Err(ReplayError::Span { .. })
        ));
    }

    #[test]
    fn failed_requests_are_counted_not_billed() {
        let mut replay = Replay::default();
        let mut r = rec(0, 100, 0, 10);
        r.status = Some(429);
        replay.add(&r).expect("add");
        let (summary, events) = replay.finish();
        assert_eq!(summary.workloads[0].totals.failed_requests, 1);
        assert_eq!(summary.workloads[0].totals.requests, 0);
        let mut n = 0;
        events.for_each(|_| n += 1).expect("read");
        assert_eq!(n, 0);
    }
}
