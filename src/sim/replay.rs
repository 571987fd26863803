//! Pass 1 of the replay: every record of the log is folded into per-workload token totals
//! (per hour) and per-minute demand ([`MinuteSeries`]), and successful requests are queued in
//! the [`EventSpool`] for the time-ordered admission pass. [`Replay::finish_checked`] then
//! decides the span from the whole log ([`super::span`]) and keeps what lies inside it.
//!
//! Each request is weighed once, here, by its model's accounting
//! ([`crate::catalog::accounting::weigh`]); the minute series and the events carry the
//! weighted input and the output weight, so admission and the demand figures use the same
//! numbers. Weighted tokens are kept in whole thousandths of a token: sums of whole numbers do
//! not depend on the order of addition, so the result is the same whatever the thread count.
//!
//! Memory is bounded by the data, not by the span: one entry per workload and active minute
//! (the three sums of [`MinuteDemand`]), one per workload and active hour (totals), and one
//! per active hour of the whole log (row counts and the first few row positions). Time per row
//! is constant in any row order.

use super::estimate::MissingMaxTokens;
use super::minutes::{Absorb, Buckets, MinuteDemand, MinuteSeries, MILLI};
use super::span::{choose_window, HourRows, RowAt, MAX_SPAN_HOURS};
use super::spool::{EventSpool, ReplayEvent, SortedEvents, NONE_U32, OBSERVED_429};
use crate::catalog::accounting::{
    PtuAccounting, RequestAccounting, RequestTokens, TokenTally, Weighted,
};
use crate::catalog::Catalog;
use crate::text::fmt_time_ms;
use crate::usage::WorkloadRegistry;
use crate::usage::{RecordSink, SinkError, UsageError, UsageRecord, SKIPPED_EXAMPLES};

const MS_PER_MIN: i64 = 60_000;
const MS_PER_HOUR: i64 = 3_600_000;

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

impl Absorb for WorkloadTotals {
    fn absorb(&mut self, other: &Self) {
        WorkloadTotals::absorb(self, other);
    }
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

/// One workload while the log is read.
#[derive(Debug, Default)]
struct WorkloadAcc {
    minutes: Buckets<MinuteDemand>,
    hours: Buckets<WorkloadTotals>,
    accounting: Option<RequestAccounting>,
}

/// Pass-1 state over all workloads.
pub struct Replay<'a> {
    /// Per-workload accumulators, indexed by workload id.
    workloads: Vec<WorkloadAcc>,
    /// Rows per hour of the whole log, for the span decision.
    hours: Buckets<HourRows>,
    /// Input names, in the order rows from them arrived.
    inputs: Vec<String>,
    /// The input of the previous row (index into `inputs`).
    last_input: Option<usize>,
    spool: EventSpool,
    /// Events of later parts of the log, joined from forks (in file order).
    later: Vec<SortedEvents>,
    /// Each workload's accounting.
    lookup: &'a dyn WorkloadAccounting,
    /// Also queue requests the real deployment answered 429, flagged [`OBSERVED_429`], for
    /// `calibrate` (they stay unbilled and out of the demand series).
    offer_observed_429: bool,
    /// The admission estimate of a request that logged no `max_completion_tokens`, for the
    /// minute series' estimated demand (the PTU admission uses the same rule).
    missing_max_tokens: MissingMaxTokens,
}

/// The completion tokens the admission charges `r` ([`MissingMaxTokens::estimate`] on the
/// fields as spooled, so the minute series and the admission agree on every request).
fn admission_estimate(missing: MissingMaxTokens, r: &UsageRecord) -> u64 {
    let clamp = |v: u64| u32::try_from(v).unwrap_or(NONE_U32 - 1);
    let max = r.max_completion_tokens.map(clamp);
    u64::from(missing.estimate(max, clamp(r.completion_tokens)))
}

/// What [`Replay::finish_checked`] returns.
pub struct Finished {
    /// Per-workload results over the accepted span.
    pub summary: ReplaySummary,
    /// Successful requests of the accepted span, in time order.
    pub events: SortedEvents,
    /// Rows left out because they lie outside the accepted span (only with `skip_invalid`).
    pub outside_span: SpanSkips,
}

/// Rows skipped for lying outside the accepted span.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanSkips {
    /// How many.
    pub rows: u64,
    /// The first few in file order, as `file:line: field `timestamp`: ...`.
    pub examples: Vec<String>,
}

impl<'a> Replay<'a> {
    /// A replay that weighs each workload's requests with `lookup`'s accounting.
    pub fn new(lookup: &'a dyn WorkloadAccounting) -> Self {
        Self::with_spool(lookup, EventSpool::default())
    }

    /// The same, spooling events with `spool` (its chunk size and directory).
    pub fn with_spool(lookup: &'a dyn WorkloadAccounting, spool: EventSpool) -> Self {
        Replay {
            workloads: Vec::new(),
            hours: Buckets::default(),
            inputs: Vec::new(),
            last_input: None,
            spool,
            later: Vec::new(),
            lookup,
            offer_observed_429: false,
            missing_max_tokens: MissingMaxTokens::Actual,
        }
    }

    /// This replay with the minute series' admission estimates formed by `missing` for
    /// requests that logged no `max_completion_tokens` (`--missing-max-tokens`; default: the
    /// actual completion), as the admission pass forms them: the busiest minute sets the
    /// sizing search's ceiling.
    pub fn estimating(self, missing: MissingMaxTokens) -> Self {
        Replay {
            missing_max_tokens: missing,
            ..self
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

    /// This replay spooling events with `spool` instead (its chunk size and directory).
    pub fn spooling_in(self, spool: EventSpool) -> Self {
        Replay { spool, ..self }
    }

    /// The same kind of replay, empty, for another part of the log.
    fn sibling(&self) -> Self {
        Replay {
            offer_observed_429: self.offer_observed_429,
            missing_max_tokens: self.missing_max_tokens,
            ..Replay::with_spool(self.lookup, self.spool.like())
        }
    }

    /// Fold one record in (its position unknown: errors about it name no line).
    pub fn add(&mut self, r: &UsageRecord) -> Result<(), ReplayError> {
        self.add_at(r, "", 0)
    }

    /// Fold in one record read from line `line` of input `path`.
    pub fn add_at(&mut self, r: &UsageRecord, path: &str, line: u64) -> Result<(), ReplayError> {
        let input = self.input_index(path);
        let hour = r.timestamp_ms.div_euclid(MS_PER_HOUR);
        self.hours.slot(hour).note(RowAt {
            input,
            line,
            t_ms: r.timestamp_ms,
        });
        let idx = r.workload as usize;
        if idx >= self.workloads.len() {
            self.workloads.resize_with(idx + 1, WorkloadAcc::default);
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
            w.hours.slot(hour).failed_requests += 1;
            if self.offer_observed_429 && r.status == Some(429) {
                tokens.completion_tokens = r.max_completion_tokens.unwrap_or(0);
                let weighted = accounting.weigh(&tokens);
                return self.queue(r, &tokens, &weighted, OBSERVED_429);
            }
            return Ok(());
        }
        let weighted = accounting.weigh(&tokens);
        let t = w.hours.slot(hour);
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
        // The same estimate the admission pass charges (`queue` spools the fields it reads).
        let estimate = admission_estimate(self.missing_max_tokens, r);
        // The output weight in whole thousandths, so input, output and estimate are whole
        // millitokens and their sums exact.
        let (input_milli, output_weight_milli) = millitokens(&weighted);
        w.minutes
            .slot(r.timestamp_ms.div_euclid(MS_PER_MIN))
            .absorb(&MinuteDemand::of_request(
                input_milli,
                output_weight_milli,
                r.completion_tokens,
                estimate,
            ));
        self.queue(r, &tokens, &weighted, 0)
    }

    /// The log covers `[start_ms, end_ms)` (an aggregate's bucket): the span reaches its
    /// first and last millisecond whether or not a drawn arrival does.
    pub fn cover(&mut self, start_ms: i64, end_ms: i64) {
        if end_ms <= start_ms {
            return;
        }
        self.hours
            .slot(start_ms.div_euclid(MS_PER_HOUR))
            .cover_start(start_ms);
        self.hours
            .slot((end_ms - 1).div_euclid(MS_PER_HOUR))
            .cover_end(end_ms);
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

    fn input_index(&mut self, path: &str) -> u32 {
        let i = match self.last_input {
            Some(i) if self.inputs[i] == path => i,
            _ => match self.inputs.iter().position(|p| p == path) {
                Some(i) => i,
                None => {
                    self.inputs.push(path.to_owned());
                    self.inputs.len() - 1
                }
            },
        };
        self.last_input = Some(i);
        i as u32
    }

    /// Finish pass 1 over every row, whatever its time: for callers that built the records
    /// themselves (tests, benchmarks). Logs go through [`Replay::finish_checked`].
    pub fn finish(self) -> (ReplaySummary, SortedEvents) {
        let all = (i64::MIN, i64::MAX);
        let (summary, events) = self.split(all);
        (summary, events)
    }

    /// Finish pass 1: decide the span from the whole log ([`choose_window`]); rows outside it
    /// are an error naming the first of them in file order, or, with `skip_invalid`, are
    /// skipped and counted in [`Finished::outside_span`].
    pub fn finish_checked(self, skip_invalid: bool) -> Result<Finished, ReplayError> {
        let counts: Vec<(i64, u64)> = {
            let mut c = Vec::with_capacity(self.hours.len());
            self.hours.for_each(|h, r| c.push((h, r.rows)));
            c.sort_unstable();
            c
        };
        let Some((h0, h1)) = choose_window(&counts) else {
            let (summary, events) = self.split((i64::MIN, i64::MAX));
            return Ok(Finished {
                summary,
                events,
                outside_span: SpanSkips::default(),
            });
        };
        let window = (h0, h1);
        let mut outside: Vec<RowAt> = Vec::new();
        let mut rows_outside = 0;
        let (mut from_ms, mut to_ms) = (i64::MAX, i64::MIN);
        self.hours.for_each(|h, r| {
            if (h0..=h1).contains(&h) {
                from_ms = from_ms.min(r.first_ms);
                to_ms = to_ms.max(r.last_ms);
            } else {
                rows_outside += r.rows;
                outside.extend(&r.examples);
            }
        });
        outside.sort_unstable();
        let describe = |at: &RowAt, inputs: &[String]| {
            UsageError::Field {
                path: inputs.get(at.input as usize).cloned().unwrap_or_default(),
                line: at.line,
                field: "timestamp".to_owned(),
                message: format!(
                    "{} lies outside the {} days ({} to {}) that hold most of the log; one run covers at most {} days: fix or remove the row, split the log, or pass --skip-invalid",
                    fmt_time_ms(at.t_ms),
                    MAX_SPAN_HOURS / 24,
                    fmt_time_ms(from_ms),
                    fmt_time_ms(to_ms),
                    MAX_SPAN_HOURS / 24,
                ),
            }
        };
        if let Some(first) = outside.first() {
            if !skip_invalid {
                return Err(ReplayError::OutsideSpan(describe(first, &self.inputs)));
            }
        }
        let examples = outside
            .iter()
            .take(SKIPPED_EXAMPLES)
            .map(|at| describe(at, &self.inputs).to_string())
            .collect();
        let respool = rows_outside > 0;
        let fresh = self.spool.like();
        let (summary, events) = self.split(window);
        let events = if respool {
            // Keep the events inside the span (the new spool sorts them again).
            let mut spool = fresh;
            let (lo, hi) = (h0 * MS_PER_HOUR, (h1 + 1) * MS_PER_HOUR);
            let mut failed = None;
            events
                .for_each_all(|e| {
                    if failed.is_none() && (lo..hi).contains(&e.t_ms) {
                        failed = spool.push(*e).err();
                    }
                })
                .map_err(ReplayError::Spool)?;
            if let Some(e) = failed {
                return Err(ReplayError::Spool(e));
            }
            spool.finish()
        } else {
            events
        };
        Ok(Finished {
            summary,
            events,
            outside_span: SpanSkips {
                rows: rows_outside,
                examples,
            },
        })
    }

    /// The results over the hours `window` (inclusive), and all events.
    fn split(self, (h0, h1): (i64, i64)) -> (ReplaySummary, SortedEvents) {
        let inside = |h: i64| (h0..=h1).contains(&h);
        let (mut first_ms, mut last_ms) = (i64::MAX, i64::MIN);
        let (mut rows, mut covered) = ((i64::MAX, i64::MIN), (i64::MAX, i64::MIN));
        self.hours.for_each(|h, r| {
            if inside(h) {
                first_ms = first_ms.min(r.first_ms);
                last_ms = last_ms.max(r.last_ms);
                rows = (rows.0.min(r.row_first_ms), rows.1.max(r.row_last_ms));
                covered = (
                    covered.0.min(r.cover_start_ms),
                    covered.1.max(r.cover_end_ms),
                );
            }
        });
        let workloads = self
            .workloads
            .into_iter()
            .map(|w| {
                let mut totals = WorkloadTotals::default();
                for (h, t) in w.hours.into_sorted() {
                    if inside(h) {
                        totals.absorb(&t);
                    }
                }
                let minutes = w
                    .minutes
                    .into_sorted()
                    .into_iter()
                    .filter(|(m, d)| inside(m.div_euclid(60)) && *d != MinuteDemand::default())
                    .collect();
                WorkloadReplay {
                    totals,
                    minutes: MinuteSeries::from_sorted(minutes),
                    accounting: w.accounting,
                }
            })
            .collect();
        let summary = ReplaySummary {
            workloads,
            first_ms: if first_ms == i64::MAX { 0 } else { first_ms },
            last_ms: if last_ms == i64::MIN { 0 } else { last_ms },
            rows_ms: (rows.0 <= rows.1).then_some(rows),
            covered_ms: (covered.0 < covered.1).then_some(covered),
        };
        let mut events = self.spool.finish();
        for later in self.later {
            events.append(later);
        }
        (summary, events)
    }

    fn absorb(&mut self, later: Replay<'a>) {
        let inputs: Vec<u32> = later.inputs.iter().map(|p| self.input_index(p)).collect();
        for (h, mut rows) in later.hours.into_sorted() {
            for at in &mut rows.examples {
                at.input = inputs.get(at.input as usize).copied().unwrap_or(at.input);
            }
            self.hours.slot(h).absorb(&rows);
        }
        if later.workloads.len() > self.workloads.len() {
            self.workloads
                .resize_with(later.workloads.len(), WorkloadAcc::default);
        }
        for (mine, theirs) in self.workloads.iter_mut().zip(later.workloads) {
            mine.accounting = mine.accounting.or(theirs.accounting);
            mine.minutes.absorb(theirs.minutes);
            mine.hours.absorb(theirs.hours);
        }
        let mut events = later.spool.finish();
        for e in later.later {
            events.append(e);
        }
        self.later.push(events);
    }
}

impl RecordSink for Replay<'_> {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.take_at(record, "", 0)
    }

    fn take_at(&mut self, record: UsageRecord, path: &str, line: u64) -> Result<(), SinkError> {
        self.add_at(&record, path, line).map_err(|e| SinkError {
            field: None,
            message: e.to_string(),
        })
    }

    fn cover(&mut self, start_ms: i64, end_ms: i64) {
        Replay::cover(self, start_ms, end_ms);
    }

    fn fork(&self) -> Self {
        self.sibling()
    }

    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.absorb(later);
        Ok(())
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
    /// Earliest and latest arrival of a row (not a bucket's edge), ms.
    pub rows_ms: Option<(i64, i64)>,
    /// What per-bucket inputs cover, `[start, end)` in ms (exact bucket edges), if any.
    pub covered_ms: Option<(i64, i64)>,
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
    /// last record's minute (at least one minute); where per-bucket inputs cover the time, the
    /// buckets' exact edges (a bucket from 12:00:30 to 13:00:30 is one hour, a 30-second
    /// partial bucket half a minute), widened to whole minutes only by rows outside them.
    pub fn span_hours(&self) -> f64 {
        let Some((c0, c1)) = self.covered_ms else {
            return (self.last_minute() - self.first_minute() + 1) as f64 / 60.0;
        };
        let (start, end) = match self.rows_ms {
            Some((r0, r1)) => (
                if r0 >= c0 {
                    c0
                } else {
                    c0.min(r0.div_euclid(MS_PER_MIN) * MS_PER_MIN)
                },
                if r1 < c1 {
                    c1
                } else {
                    c1.max((r1.div_euclid(MS_PER_MIN) + 1) * MS_PER_MIN)
                },
            ),
            None => (c0, c1),
        };
        (end - start) as f64 / MS_PER_HOUR as f64
    }
}

/// Errors of pass 1.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A row lies outside the span that holds most of the log (more than
    /// [`MAX_SPAN_HOURS`] from the rest); names its file and line.
    #[error("{0}")]
    OutsideSpan(UsageError),
    /// The temp-file spool failed.
    #[error("cannot write the replay spool to the temp directory: {0}")]
    Spool(#[source] std::io::Error),
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
        assert_eq!(m.active_minutes(), 2);
        assert_eq!(m.weighted_tokens_per_min(0, 2), vec![70.0, 0.0, 134.0]);
        assert!((summary.span_hours() - 3.0 / 60.0).abs() < 1e-12);
    }

    const DAY_MS: i64 = 86_400_000;

    /// A log of `n` rows a day apart from day 1000, with one stray row `stray_days` from day 0
    /// placed at `stray_at` in the input.
    fn with_stray(n: usize, stray_at: usize, stray_days: i64) -> Replay<'static> {
        let mut replay = Replay::new(&RATIO_4);
        let mut times: Vec<i64> = (0..n as i64).map(|d| (1000 + d) * DAY_MS).collect();
        times.insert(stray_at, stray_days * DAY_MS);
        for (i, t) in times.iter().enumerate() {
            replay
                .add_at(&rec(*t, 10, 0, 1), "log.csv", i as u64 + 2)
                .expect("add");
        }
        replay
    }

    /// 2,000 deployments with two requests each, spread over 120 days, oldest-first and
    /// newest-first: the same results, and storage for the 4,000 active minutes only (the old
    /// dense series held 2,000 x 172,800 minutes).
    #[test]
    fn issue_12_memory_follows_active_minutes_in_any_order() {
        let rows: Vec<UsageRecord> = (0..4000u64)
            .map(|i| UsageRecord {
                workload: (i % 2000) as u32,
                ..rec(
                    (i as i64 * 7919 % (120 * 1440)) * MS_PER_MIN,
                    100 + i,
                    0,
                    10,
                )
            })
            .collect();
        let fold = |rows: &mut dyn Iterator<Item = &UsageRecord>| {
            let mut replay = Replay::new(&RATIO_4);
            for r in rows {
                replay.add(r).expect("add");
            }
            let (summary, _) = replay.finish();
            summary
        };
        let oldest = fold(&mut rows.iter());
        let newest = fold(&mut rows.iter().rev());
        let active: usize = oldest
            .workloads
            .iter()
            .map(|w| w.minutes.active_minutes())
            .sum();
        assert_eq!(active, 4000);
        assert_eq!(oldest.first_ms, newest.first_ms);
        assert_eq!(oldest.last_ms, newest.last_ms);
        for (a, b) in oldest.workloads.iter().zip(&newest.workloads) {
            assert_eq!(a.totals, b.totals);
            assert_eq!(a.minutes, b.minutes);
        }
    }

    fn skipping(replay: Replay<'_>) -> Finished {
        match replay.finish_checked(true) {
            Ok(f) => f,
            Err(e) => panic!("skip_invalid never fails here: {e}"),
        }
    }

    #[test]
    fn issue_12_a_stray_row_never_decides_the_span() {
        for (stray_at, stray_days) in [(0, 0), (5, 0), (10, 5000), (0, 5000)] {
            let err = with_stray(10, stray_at, stray_days)
                .finish_checked(false)
                .err()
                .expect("strict: the stray row is an error");
            let msg = err.to_string();
            let line = stray_at + 2;
            assert!(
                msg.starts_with(&format!("log.csv:{line}: field `timestamp`:")),
                "names the stray row's line {line}: {msg}"
            );
            let done = skipping(with_stray(10, stray_at, stray_days));
            assert_eq!(done.outside_span.rows, 1);
            assert_eq!(done.summary.workloads[0].totals.requests, 10);
            assert_eq!(done.summary.first_ms, 1000 * DAY_MS);
            assert_eq!(done.summary.last_ms, 1009 * DAY_MS);
            let mut n = 0;
            done.events.for_each_all(|_| n += 1).expect("read");
            assert_eq!(n, 10, "the stray row's event is gone too");
        }
    }

    #[test]
    fn issue_12_forks_joined_in_file_order_decide_like_one_reader() {
        let whole = skipping(with_stray(20, 3, 0));
        let mut first = Replay::new(&RATIO_4);
        let mut times: Vec<i64> = (0..20).map(|d| (1000 + d) * DAY_MS).collect();
        times.insert(3, 0);
        for (i, t) in times.iter().enumerate().take(8) {
            first
                .add_at(&rec(*t, 10, 0, 1), "log.csv", i as u64 + 2)
                .expect("add");
        }
        let mut second = first.fork();
        for (i, t) in times.iter().enumerate().skip(8) {
            second
                .add_at(&rec(*t, 10, 0, 1), "log.csv", i as u64 + 2)
                .expect("add");
        }
        first.join(second).expect("join");
        let parts = skipping(first);
        assert_eq!(parts.outside_span, whole.outside_span);
        assert_eq!(
            parts.summary.workloads[0].totals,
            whole.summary.workloads[0].totals
        );
        assert_eq!(parts.summary.first_ms, whole.summary.first_ms);
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
        events.for_each_all(|_| n += 1).expect("read");
        assert_eq!(n, 0);
    }
}
