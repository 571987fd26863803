//! Pass 1 of the replay: every record of the log is folded, in arrival order of the file,
//! into per-workload token totals and per-minute demand series, and successful requests are
//! queued in the [`EventSpool`] for the time-ordered admission pass.
//!
//! Each request is weighed once, here, by its model's accounting
//! ([`crate::catalog::accounting::weigh`]); the minute series and the events carry the
//! weighted input and the output weight, so admission and the demand figures use the same
//! numbers. Weighted tokens are kept in whole thousandths of a token: sums of whole numbers do
//! not depend on the order of addition, so the result is the same whatever the thread count.
//!
//! Memory is bounded by the number of workloads times the log's span in minutes (three `f64`
//! per minute), never by the number of records.

use super::spool::{EventSpool, ReplayEvent, SortedEvents, NONE_U32, OBSERVED_429};
use crate::catalog::accounting::{
    PtuAccounting, RequestAccounting, RequestTokens, TokenTally, Weighted,
};
use crate::catalog::Catalog;
use crate::usage::WorkloadRegistry;
use crate::usage::{RecordSink, SinkError, UsageRecord};

/// Weighted tokens are stored in thousandths of a token.
const MILLI: f64 = 1000.0;

/// A weighted token amount in whole thousandths (the unit of the minute series and events).
fn to_millitokens(tokens: f64) -> f64 {
    (tokens * MILLI).round()
}

/// A request's weighted input and output weight in whole thousandths.
fn millitokens(w: &Weighted) -> (f64, f64) {
    (
        to_millitokens(w.input_tokens),
        to_millitokens(w.output_weight),
    )
}

/// Where a replay learns each workload's accounting (its model's PTU rule and long-context
/// threshold). Asked once per workload and replay part.
pub trait WorkloadAccounting: Sync {
    /// The accounting of workload `workload`.
    fn accounting(&self, workload: u32) -> RequestAccounting;
}

/// Each workload weighed with its catalog model's accounting; the registry says which model a
/// workload is.
pub struct CatalogAccounting<'a> {
    /// The workloads the readers resolved.
    pub registry: &'a WorkloadRegistry<'a>,
    /// The catalog the models are in.
    pub catalog: &'a Catalog,
}

impl WorkloadAccounting for CatalogAccounting<'_> {
    fn accounting(&self, workload: u32) -> RequestAccounting {
        // Records reach the replay only after the registry resolved their workload, so the
        // model is always known; plain tokens are the neutral fallback.
        self.registry
            .key(workload)
            .and_then(|k| self.catalog.model(&k.model).map(|m| m.accounting()))
            .unwrap_or(RequestAccounting {
                ptu: PtuAccounting::OutputRatio { ratio: 1.0 },
                long_context_above_prompt_tokens: None,
            })
    }
}

/// One accounting for every workload (tests, single-model tools).
impl WorkloadAccounting for RequestAccounting {
    fn accounting(&self, _workload: u32) -> RequestAccounting {
        *self
    }
}

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
    /// Cache-write prompt tokens.
    pub cache_write_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
    /// The same tokens by billing category and context class (what per-token prices apply to).
    pub tally: TokenTally,
    /// Successful requests whose answer was emptied by reasoning.
    pub truncated_requests: u64,
    /// The tokens of the emptied answers, by category and context class.
    pub truncated: TokenTally,
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
        self.cache_write_tokens += o.cache_write_tokens;
        self.completion_tokens += o.completion_tokens;
        self.reasoning_tokens += o.reasoning_tokens;
        self.tally.absorb(&o.tally);
        self.truncated_requests += o.truncated_requests;
        self.truncated.absorb(&o.truncated);
        self.requests_without_max_tokens += o.requests_without_max_tokens;
        self.requests_without_latency += o.requests_without_latency;
    }
}

/// Per-minute sums of one workload, indexed from `first_minute`, in PTU-weighted thousandths of
/// a token (whole numbers, see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinuteSeries {
    /// Minute index (Unix minutes) of slot 0.
    pub first_minute: i64,
    /// Weighted input per minute (successful requests), millitokens.
    pub weighted_input_millitokens: Vec<f64>,
    /// Weighted output per minute: completion tokens x output weight, millitokens.
    pub weighted_output_millitokens: Vec<f64>,
    /// Weighted admission-estimate output per minute (`max_completion_tokens`, or the actual
    /// completion when absent, x output weight), millitokens.
    pub weighted_estimated_output_millitokens: Vec<f64>,
}

impl MinuteSeries {
    fn slot(&mut self, minute: i64) -> Result<usize, SpanError> {
        if self.weighted_input_millitokens.is_empty() {
            self.first_minute = minute;
        }
        let len = self.weighted_input_millitokens.len() as i64;
        if minute < self.first_minute {
            let grow = self.first_minute - minute;
            if len + grow > MAX_SPAN_MINUTES {
                return Err(SpanError { minute });
            }
            for v in [
                &mut self.weighted_input_millitokens,
                &mut self.weighted_output_millitokens,
                &mut self.weighted_estimated_output_millitokens,
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
        if idx >= self.weighted_input_millitokens.len() {
            for v in [
                &mut self.weighted_input_millitokens,
                &mut self.weighted_output_millitokens,
                &mut self.weighted_estimated_output_millitokens,
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
            .weighted_input_millitokens
            .iter()
            .zip(&o.weighted_output_millitokens)
            .zip(&o.weighted_estimated_output_millitokens)
            .enumerate()
        {
            if *u == 0.0 && *c == 0.0 && *e == 0.0 {
                continue;
            }
            let slot = self.slot(o.first_minute + i as i64)?;
            self.weighted_input_millitokens[slot] += u;
            self.weighted_output_millitokens[slot] += c;
            self.weighted_estimated_output_millitokens[slot] += e;
        }
        Ok(())
    }

    /// Weighted demand per minute (weighted input plus weighted output, tokens), over
    /// `[from_minute, to_minute]` (zero outside the series).
    pub fn weighted_tokens_per_min(&self, from_minute: i64, to_minute: i64) -> Vec<f64> {
        (from_minute..=to_minute)
            .map(|m| {
                let i = m - self.first_minute;
                if i < 0 || i as usize >= self.weighted_input_millitokens.len() {
                    0.0
                } else {
                    let i = i as usize;
                    (self.weighted_input_millitokens[i] + self.weighted_output_millitokens[i])
                        / MILLI
                }
            })
            .collect()
    }

    /// Largest per-minute weighted demand using admission estimates, tokens.
    pub fn peak_estimated_tokens_per_min(&self) -> f64 {
        self.weighted_input_millitokens
            .iter()
            .zip(&self.weighted_estimated_output_millitokens)
            .map(|(u, e)| (u + e) / MILLI)
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
    /// The accounting the workload's requests were weighed with (None before its first record).
    pub accounting: Option<RequestAccounting>,
}

/// Pass-1 state over all workloads.
pub struct Replay<'a> {
    /// Per-workload results, indexed by workload id.
    pub workloads: Vec<WorkloadReplay>,
    /// Earliest arrival, ms (successful or not).
    pub first_ms: Option<i64>,
    /// Latest arrival, ms.
    pub last_ms: Option<i64>,
    spool: EventSpool,
    /// Events of later parts of the log, joined from forks (in file order).
    later: Vec<SortedEvents>,
    /// Each workload's accounting.
    lookup: &'a dyn WorkloadAccounting,
    /// Also queue requests the real deployment answered 429, flagged [`OBSERVED_429`], for
    /// `calibrate` (they stay unbilled and out of the demand series).
    offer_observed_429: bool,
}

impl<'a> Replay<'a> {
    /// A replay that weighs each workload's requests with `lookup`'s accounting.
    pub fn new(lookup: &'a dyn WorkloadAccounting) -> Self {
        Self::with_spool(lookup, EventSpool::default())
    }

    /// The same, spooling events in `spool`.
    pub fn with_spool(lookup: &'a dyn WorkloadAccounting, spool: EventSpool) -> Self {
        Replay {
            workloads: Vec::new(),
            first_ms: None,
            last_ms: None,
            spool,
            later: Vec::new(),
            lookup,
            offer_observed_429: false,
        }
    }

    /// A replay for `calibrate`: 429 rows are queued too, flagged [`OBSERVED_429`], so the
    /// admission pass offers every request the real deployment saw. A 429 row's completion
    /// is taken to be its `max_completion_tokens` (it generated nothing; the cap is what the
    /// service would have estimated), else 0.
    pub fn for_calibration(lookup: &'a dyn WorkloadAccounting) -> Self {
        Replay {
            offer_observed_429: true,
            ..Replay::new(lookup)
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
        let lookup = self.lookup;
        let w = &mut self.workloads[idx];
        let accounting = *w
            .accounting
            .get_or_insert_with(|| lookup.accounting(r.workload));
        let mut tokens = RequestTokens {
            prompt_tokens: r.prompt_tokens,
            cached_tokens: r.cached_tokens,
            cache_write_tokens: r.cache_write_tokens,
            completion_tokens: r.completion_tokens,
        };
        if !r.is_success() {
            w.totals.failed_requests += 1;
            if self.offer_observed_429 && r.status == Some(429) {
                tokens.completion_tokens = r.max_completion_tokens.unwrap_or(0);
                let weighted = accounting.weigh(&tokens);
                return self.queue(r, &tokens, &weighted, OBSERVED_429);
            }
            return Ok(());
        }
        let weighted = accounting.weigh(&tokens);
        let t = &mut w.totals;
        t.requests += 1;
        t.prompt_tokens += r.prompt_tokens;
        t.cached_tokens += r.cached_tokens;
        t.cache_write_tokens += r.cache_write_tokens;
        t.completion_tokens += r.completion_tokens;
        t.reasoning_tokens += r.reasoning_tokens;
        t.tally.add(&tokens, weighted.long_context);
        if r.is_emptied_by_reasoning() {
            t.truncated_requests += 1;
            t.truncated.add(&tokens, weighted.long_context);
        }
        t.requests_without_max_tokens += u64::from(r.max_completion_tokens.is_none());
        t.requests_without_latency += u64::from(r.latency_ms.is_none());
        let slot = w.minutes.slot(minute).map_err(|_| ReplayError::Span {
            first_ms: first,
            last_ms: last,
        })?;
        let estimate = r.max_completion_tokens.unwrap_or(r.completion_tokens);
        // The output weight in whole thousandths, so input, output and estimate are whole
        // millitokens and their sums exact.
        let (input_milli, output_weight_milli) = millitokens(&weighted);
        w.minutes.weighted_input_millitokens[slot] += input_milli;
        w.minutes.weighted_output_millitokens[slot] +=
            output_weight_milli * r.completion_tokens as f64;
        w.minutes.weighted_estimated_output_millitokens[slot] +=
            output_weight_milli * estimate as f64;
        self.queue(r, &tokens, &weighted, 0)
    }

    /// Queue a request for the admission pass, with its weights.
    fn queue(
        &mut self,
        r: &UsageRecord,
        tokens: &RequestTokens,
        weighted: &Weighted,
        flags: u32,
    ) -> Result<(), ReplayError> {
        let clamp = |v: u64| u32::try_from(v).unwrap_or(NONE_U32 - 1);
        let (input_milli, output_weight_milli) = millitokens(weighted);
        self.spool
            .push(ReplayEvent {
                t_ms: r.timestamp_ms,
                workload: r.workload,
                input_tokens: clamp(tokens.ordinary_input_tokens()),
                cached_tokens: clamp(tokens.cached_tokens),
                cache_write_tokens: clamp(tokens.cache_write_tokens),
                long_context: weighted.long_context,
                weighted_input_millitokens: input_milli as u64,
                output_weight_milli: output_weight_milli.min(f64::from(u32::MAX)) as u32,
                completion_tokens: clamp(tokens.completion_tokens),
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

    fn absorb(&mut self, later: Replay<'a>) -> Result<(), ReplayError> {
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
            mine.accounting = mine.accounting.or(theirs.accounting);
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

impl RecordSink for Replay<'_> {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.add(&record).map_err(|e| SinkError {
            field: matches!(e, ReplayError::Span { .. }).then_some("timestamp"),
            message: e.to_string(),
        })
    }

    fn fork(&self) -> Self {
        Replay {
            offer_observed_429: self.offer_observed_429,
            ..Replay::new(self.lookup)
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

    const RATIO_4: RequestAccounting = RequestAccounting {
        ptu: crate::catalog::accounting::PtuAccounting::OutputRatio { ratio: 4.0 },
        long_context_above_prompt_tokens: None,
    };

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
        let mut replay = Replay::new(&RATIO_4);
        replay.add(&rec(120_000, 100, 20, 10)).expect("add");
        replay.add(&rec(0, 50, 0, 5)).expect("add");
        replay.add(&rec(130_000, 10, 0, 1)).expect("add");
        let (summary, _) = replay.finish();
        let m = &summary.workloads[0].minutes;
        assert_eq!(m.first_minute, 0);
        assert_eq!(m.weighted_tokens_per_min(0, 2), vec![70.0, 0.0, 134.0]);
        assert!((summary.span_hours() - 3.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_a_span_over_400_days() {
        let mut replay = Replay::new(&RATIO_4);
        replay.add(&rec(0, 1, 0, 1)).expect("add");
        let far = (MAX_SPAN_MINUTES + 1) * MS_PER_MIN;
        assert!(matches!(
            replay.add(&rec(far, 1, 0, 1)),
            Err(ReplayError::Span { .. })
        ));
    }

    #[test]
    fn failed_requests_are_counted_not_billed() {
        let mut replay = Replay::new(&RATIO_4);
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
