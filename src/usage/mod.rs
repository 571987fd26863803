//! Usage logs: streaming readers for CSV and JSON Lines (optionally gzip-compressed, or from
//! stdin) that turn each row into a [`UsageRecord`].
//!
//! Readers never hold a whole file in memory. They check token semantics (cached tokens are
//! part of prompt tokens, reasoning tokens part of completion tokens) and report bad input with
//! the file, line and field. What a row's deployment/model/region *mean* (model-name
//! resolution, default region) is left to a [`KeyResolver`] supplied by the caller.

pub mod aggregate;
pub mod csv;
pub(crate) mod csv_split;
pub mod detect;
pub mod fields;
pub mod formats;
pub mod input;
pub mod json_scan;
pub mod json_value;
pub mod jsonl;
pub mod ledger;
pub mod limits;
pub mod lines;
pub mod names;
pub mod parallel;
pub(crate) mod read_ahead;
pub(crate) mod rows;
pub mod sources;
pub mod synth;
#[cfg(test)]
pub(crate) mod test_support;
pub mod timestamps;
pub mod workload;

use std::fmt;

pub use aggregate::{BucketAggregate, Granularity};
pub use detect::{open_input, InputFormat, InputSource, InputSpec};
pub use limits::RequestLimits;
pub use workload::{WorkloadKey, WorkloadRegistry, NO_DEPLOYMENT};

/// One request from a usage log, with the workload it belongs to already resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageRecord {
    /// Arrival time, milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// Index of the workload (deployment x model x region) from the [`KeyResolver`].
    pub workload: u32,
    /// Prompt (input) tokens, including cached tokens.
    pub prompt_tokens: u64,
    /// Cached prompt tokens (cache reads; a subset of `prompt_tokens`).
    pub cached_tokens: u64,
    /// Prompt tokens written to the prompt cache (GPT-5.6 and later on Standard; a subset of
    /// `prompt_tokens`, disjoint from `cached_tokens`). 0 when not logged.
    pub cache_write_tokens: u64,
    /// Completion (output) tokens, including reasoning tokens.
    pub completion_tokens: u64,
    /// Hidden reasoning tokens (a subset of `completion_tokens`).
    pub reasoning_tokens: u64,
    /// The request's `max_completion_tokens` (or `max_tokens`/`max_output_tokens`), if logged.
    pub max_completion_tokens: Option<u64>,
    /// HTTP status, if logged; absent means success.
    pub status: Option<u16>,
    /// End-to-end latency in milliseconds, if logged.
    pub latency_ms: Option<u64>,
}

impl UsageRecord {
    /// True when the request succeeded (status absent or 2xx): it is billed and counts as demand.
    pub fn is_success(&self) -> bool {
        self.status.is_none_or(|s| (200..300).contains(&s))
    }

    /// Prompt tokens that were not served from the prompt cache.
    pub fn uncached_prompt_tokens(&self) -> u64 {
        self.prompt_tokens - self.cached_tokens
    }

    /// True when reasoning consumed the whole completion budget: the user paid for reasoning
    /// and got no visible text (`reasoning == completion >= max_completion_tokens > 0`).
    pub fn is_emptied_by_reasoning(&self) -> bool {
        match self.max_completion_tokens {
            Some(max) => {
                max > 0
                    && self.reasoning_tokens == self.completion_tokens
                    && self.completion_tokens >= max
            }
            None => false,
        }
    }
}

/// The raw identity of a row, as written in the log.
#[derive(Debug, Clone, Copy)]
pub struct RawKey<'a> {
    /// Deployment name, if present.
    pub deployment: Option<&'a str>,
    /// Model name as logged (bare or versioned), if present.
    pub model: Option<&'a str>,
    /// Azure region (`armRegionName`), if present.
    pub region: Option<&'a str>,
}

/// A field-level rejection from a [`KeyResolver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRejection {
    /// The field at fault (`model`, `region`, `deployment`).
    pub field: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A resolved row identity: the workload index and what one request of its model may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Workload index.
    pub workload: u32,
    /// Request-size limits of the workload's model.
    pub limits: RequestLimits,
}

/// Maps a row's raw identity to a workload index (and rejects unknown models etc.). Shared by
/// the reading threads, so it takes `&self`; it is called once per distinct key and thread.
pub trait KeyResolver: Sync {
    /// Resolve or reject a raw key.
    fn resolve(&self, key: RawKey<'_>) -> Result<Resolved, KeyRejection>;

    /// The catalog model of a resolved workload, for messages.
    fn model_of(&self, _workload: u32) -> Option<String> {
        None
    }

    /// Whether `name` is an Azure region the catalog knows (readers that find a region inside
    /// another field, such as an endpoint URL, use it).
    fn is_known_region(&self, _name: &str) -> bool {
        false
    }

    /// The model `--model-map` gives `name`, if any: readers whose logs name a deployment or
    /// an alias where the model is expected (LiteLLM's `azure/<deployment>`) ask it.
    fn mapped_model(&self, _name: &str) -> Option<String> {
        None
    }

    /// Whether `name` (bare or versioned) is a model the catalog knows.
    fn is_known_model(&self, _name: &str) -> bool {
        false
    }

    /// The region `--region` gives rows that carry none, if the user passed it (an explicit
    /// flag wins over a region a reader only infers, such as one from an endpoint's host).
    fn default_region(&self) -> Option<String> {
        None
    }
}

/// A record the sink could not take. With a `field`, it is a problem of that row (skippable
/// with `skip_invalid`); without, the read stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkError {
    /// The field at fault, if the row is to blame.
    pub field: Option<&'static str>,
    /// What went wrong.
    pub message: String,
}

/// Where readers deliver records. A large file may be read by several threads: each gets a
/// [`fork`](RecordSink::fork) of the sink, and the forks are [`join`](RecordSink::join)ed back
/// in file order, so a sink sees the same data whatever the thread count.
pub trait RecordSink: Send + Sized {
    /// Take one record.
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError>;
    /// Take one record read from line `line` of input `path` (the readers call this; a sink
    /// that decides about rows after reading, such as the span, keeps the position).
    fn take_at(&mut self, record: UsageRecord, path: &str, line: u64) -> Result<(), SinkError> {
        let _ = (path, line);
        self.take(record)
    }
    /// The input covers `[start_ms, end_ms)` (a per-bucket aggregate's bucket, empty or not):
    /// the span is the buckets', not the drawn arrivals'. Default: ignored.
    fn cover(&mut self, start_ms: i64, end_ms: i64) {
        let _ = (start_ms, end_ms);
    }
    /// An empty sink of the same kind, for another part of the file.
    fn fork(&self) -> Self;
    /// Absorb a fork that read the part of the file after everything this sink has seen.
    fn join(&mut self, later: Self) -> Result<(), SinkError>;
}

/// Options shared by all readers.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Skip and count invalid rows instead of stopping at the first one.
    pub skip_invalid: bool,
    /// Threads that may read one large uncompressed file (1 = sequential).
    pub threads: usize,
    /// Smallest file that is read by several threads, in bytes.
    pub parallel_min_bytes: u64,
    /// How per-bucket aggregates become requests (`--seed`, `--typical-request-tokens`).
    pub expand: aggregate::ExpandParams,
    /// `--columns`: a mapping of ptuplan's fields to the input's column names.
    pub columns: Option<sources::columns::ColumnMap>,
    /// `--max-expanded-requests`: requests all per-bucket aggregates of a run may become.
    pub max_expanded_requests: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            skip_invalid: false,
            threads: 1,
            parallel_min_bytes: parallel::PARALLEL_MIN_BYTES,
            expand: aggregate::ExpandParams::default(),
            columns: None,
            max_expanded_requests: ledger::MAX_EXPANDED_REQUESTS,
        }
    }
}

/// Errors reading usage logs. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A row has a bad field.
    #[error("{path}:{line}: field `{field}`: {message}")]
    Field {
        /// Input name (`-` for stdin).
        path: String,
        /// 1-based line number.
        line: u64,
        /// The field at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The file as a whole is unusable (missing column, empty, binary).
    #[error("{path}: {message}")]
    File {
        /// Input name.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An I/O error.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Input name.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What a read produced, besides the records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Records passed to the sink.
    pub records: u64,
    /// Rows skipped as invalid (only with `skip_invalid`).
    pub skipped: u64,
    /// The first few skipped rows, as `file:line: field: message`.
    pub skipped_examples: Vec<String>,
    /// The time resolution of what was read (coarsest over the inputs).
    pub granularity: Granularity,
    /// Per-bucket aggregate rows read (expanded into `records` requests).
    pub buckets: u64,
    /// What a reader had to assume or leave out (shown as warnings in every report).
    pub notes: Vec<String>,
    /// Each input's granularity, in order (for the mixed-granularity note).
    pub granularities: Vec<(String, Granularity)>,
    /// How each input was read, in order.
    pub inputs: Vec<InputRead>,
    /// Requests replayed from per-bucket aggregates (bounded by `--max-expanded-requests`).
    pub expanded_requests: u64,
    /// Requests the log shows as spilled over from a provisioned deployment and served by a
    /// Standard one (counted once, where they were served or, with the response headers, as
    /// the provisioned deployment's demand).
    pub spilled_requests: u64,
    /// Per workload, the first and last arrival of the per-request records read (not those
    /// replayed from aggregates): a per-bucket aggregate over the same time is the same
    /// traffic twice.
    pub request_spans: RequestSpans,
}

/// The first and last arrival (ms) of each workload's per-request records, by workload index
/// (`(i64::MAX, i64::MIN)` for a workload without one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSpans {
    spans: Vec<(i64, i64)>,
}

impl RequestSpans {
    /// A request of `workload` arrived at `t_ms`.
    #[inline]
    pub fn add(&mut self, workload: u32, t_ms: i64) {
        let i = workload as usize;
        if i >= self.spans.len() {
            self.spans.resize(i + 1, (i64::MAX, i64::MIN));
        }
        let (first, last) = &mut self.spans[i];
        *first = (*first).min(t_ms);
        *last = (*last).max(t_ms);
    }

    /// Add every span of `other`.
    pub fn merge(&mut self, other: &RequestSpans) {
        for (w, (first, last)) in other.iter() {
            self.add(w, first);
            self.add(w, last);
        }
    }

    /// `(workload, (first_ms, last_ms))` for each workload with a request.
    pub fn iter(&self) -> impl Iterator<Item = (u32, (i64, i64))> + '_ {
        self.spans
            .iter()
            .enumerate()
            .filter(|(_, (first, last))| first <= last)
            .map(|(w, span)| (w as u32, *span))
    }
}

/// How one input was read: the reader, how it was chosen and the columns it mapped (the
/// report's `input.readers`, and a note on stderr).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputRead {
    /// The input (`-` for stdin).
    pub file: String,
    /// The reader: an `--input-format` name.
    pub reader: &'static str,
    /// How the bytes are laid out: `csv`, `json-lines`, `json` or `parquet`.
    pub container: &'static str,
    /// `detected` (from the columns, keys or schema) or `--input-format`.
    pub chosen_by: &'static str,
    /// Each field the reader fills and the column (or key, metric, dimension) it comes
    /// from, in the input's order.
    pub columns: Vec<MappedColumn>,
    /// Keys with a known meaning the reader leaves unread (JSON Lines only: its nested
    /// `usage` cannot be mapped), as a warning; `null` otherwise.
    pub unread: Option<String>,
    /// The digest of the input's first bytes (not in the output): two inputs that begin
    /// alike are the same traffic twice.
    #[serde(skip)]
    pub head: Option<detect::Head>,
}

/// One field and where a reader reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MappedColumn {
    /// ptuplan's field (`timestamp`, `prompt_tokens`, ...).
    pub field: String,
    /// The input's column, key, metric or dimension, as written.
    pub column: String,
}

impl InputRead {
    /// How `opened` is read (`map`: `--columns`).
    pub fn of(opened: &detect::OpenedInput, map: Option<&[(String, String)]>) -> InputRead {
        InputRead {
            file: opened.name.clone(),
            reader: opened.format.name(),
            container: opened.container.name(),
            chosen_by: opened.chosen_by.name(),
            columns: formats::mapped_columns(opened.format, &opened.columns, map)
                .into_iter()
                .map(|(field, column)| MappedColumn { field, column })
                .collect(),
            unread: None,
            // Per-request rows carry their own times (to the millisecond): two inputs that
            // begin alike are the same rows. Per-bucket inputs have their own duplicate checks
            // (the same bucket or series twice), and two of them may begin alike in earnest
            // (two deployments' metrics, idle the same first hours).
            head: match opened.format {
                InputFormat::Csv
                | InputFormat::Jsonl
                | InputFormat::Apim
                | InputFormat::LiteLlm
                | InputFormat::Langfuse => opened.head.clone(),
                _ => None,
            },
        }
    }

    /// One line for stderr: `FILE: read as READER (CONTAINER, detected): field <- Column, ...`,
    /// the columns read under ptuplan's own names summed up (the JSON lists them all).
    pub fn describe(&self) -> String {
        let renamed: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.field != c.column)
            .map(|c| format!("{} <- {}", c.field, c.column))
            .collect();
        let own: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| c.field == c.column)
            .map(|c| c.field.as_str())
            .collect();
        let own = match own.len() {
            0 => String::new(),
            n if n <= 4 => format!("{} by name", own.join(", ")),
            n => format!("{}, ... ({n} columns by name)", own[..3].join(", ")),
        };
        let columns = match (renamed.is_empty(), own.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!(": {own}"),
            (false, true) => format!(": {}", renamed.join(", ")),
            (false, false) => format!(": {}; {own}", renamed.join(", ")),
        };
        format!(
            "{}: read as {} ({}, {}){columns}",
            self.file, self.reader, self.container, self.chosen_by
        )
    }
}

/// Largest prompt or completion a single request may carry (no model's context comes close).
pub const MAX_TOKENS_PER_REQUEST: u64 = u32::MAX as u64 - 1;

/// How many skipped-row examples a summary keeps.
pub const SKIPPED_EXAMPLES: usize = 5;

impl ReadSummary {
    pub(crate) fn note_skip(&mut self, err: &UsageError) {
        self.skipped += 1;
        if self.skipped_examples.len() < SKIPPED_EXAMPLES {
            self.skipped_examples.push(err.to_string());
        }
    }

    /// Count rows skipped after reading (a sink's decision about the whole log, such as the
    /// span): they were delivered as records, so they move from `records` to `skipped`; their
    /// examples follow the readers' own.
    pub fn absorb_late_skips(&mut self, rows: u64, examples: Vec<String>) {
        self.records -= rows.min(self.records);
        self.skipped += rows;
        for e in examples {
            if self.skipped_examples.len() < SKIPPED_EXAMPLES {
                self.skipped_examples.push(e);
            }
        }
    }

    /// Add another summary's counts.
    pub fn merge(&mut self, other: ReadSummary) {
        self.records += other.records;
        self.skipped += other.skipped;
        self.buckets += other.buckets;
        self.granularity = self.granularity.max(other.granularity);
        for e in other.skipped_examples {
            if self.skipped_examples.len() < SKIPPED_EXAMPLES {
                self.skipped_examples.push(e);
            }
        }
        for n in other.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
        self.granularities.extend(other.granularities);
        self.inputs.extend(other.inputs);
        self.expanded_requests = self
            .expanded_requests
            .saturating_add(other.expanded_requests);
        self.spilled_requests = self.spilled_requests.saturating_add(other.spilled_requests);
        self.request_spans.merge(&other.request_spans);
    }

    /// A note for the report (kept once).
    pub fn note(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }
}

/// A row's fields before the workload is resolved: the common output of both readers.
#[derive(Debug, Default, Clone)]
pub struct RowValues {
    /// Arrival, ms since the epoch.
    pub timestamp_ms: Option<i64>,
    /// Prompt tokens (cached included).
    pub prompt_tokens: Option<u64>,
    /// Cached prompt tokens.
    pub cached_tokens: Option<u64>,
    /// Cache-write prompt tokens.
    pub cache_write_tokens: Option<u64>,
    /// Completion tokens (reasoning included).
    pub completion_tokens: Option<u64>,
    /// Reasoning tokens.
    pub reasoning_tokens: Option<u64>,
    /// The request's `max_completion_tokens`.
    pub max_completion_tokens: Option<u64>,
    /// HTTP status.
    pub status: Option<u16>,
    /// Latency in ms.
    pub latency_ms: Option<u64>,
}

/// A field-level problem found in a row; the reader adds path and line.
#[derive(Debug)]
pub struct FieldProblem {
    /// The field at fault (a path such as `usage.prompt_tokens` in nested JSON).
    pub field: std::borrow::Cow<'static, str>,
    /// What is wrong.
    pub message: String,
}

impl FieldProblem {
    /// A problem with `field`.
    pub fn new(
        field: impl Into<std::borrow::Cow<'static, str>>,
        message: impl fmt::Display,
    ) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

impl RowValues {
    /// Check required fields, token semantics and the model's request limits, and build the
    /// record.
    pub fn into_record(
        self,
        resolved: Resolved,
        resolver: &dyn KeyResolver,
    ) -> Result<UsageRecord, FieldProblem> {
        let workload = resolved.workload;
        let timestamp_ms = self
            .timestamp_ms
            .ok_or_else(|| FieldProblem::new("timestamp", "missing"))?;
        let prompt_tokens = self
            .prompt_tokens
            .ok_or_else(|| FieldProblem::new("prompt_tokens", "missing"))?;
        let completion_tokens = self
            .completion_tokens
            .ok_or_else(|| FieldProblem::new("completion_tokens", "missing"))?;
        let cached_tokens = self.cached_tokens.unwrap_or(0);
        let cache_write_tokens = self.cache_write_tokens.unwrap_or(0);
        let reasoning_tokens = self.reasoning_tokens.unwrap_or(0);
        let l = resolved.limits;
        if l.is_exceeded(prompt_tokens, completion_tokens, self.max_completion_tokens) {
            let model = resolver.model_of(workload).unwrap_or_default();
            l.check(
                &model,
                prompt_tokens,
                completion_tokens,
                self.max_completion_tokens,
            )?;
        }
        if cached_tokens > prompt_tokens {
            return Err(FieldProblem::new(
                "cached_tokens",
                format!(
                    "{cached_tokens} cached tokens exceed {prompt_tokens} prompt tokens (cached tokens are part of the prompt)"
                ),
            ));
        }
        if cached_tokens.saturating_add(cache_write_tokens) > prompt_tokens {
            return Err(FieldProblem::new(
                "cache_write_tokens",
                format!(
                    "{cached_tokens} cached + {cache_write_tokens} cache-write tokens exceed {prompt_tokens} prompt tokens (both are part of the prompt)"
                ),
            ));
        }
        if reasoning_tokens > completion_tokens {
            return Err(FieldProblem::new(
                "reasoning_tokens",
                format!(
                    "{reasoning_tokens} reasoning tokens exceed {completion_tokens} completion tokens (reasoning tokens are part of the completion)"
                ),
            ));
        }
        Ok(UsageRecord {
            timestamp_ms,
            workload,
            prompt_tokens,
            cached_tokens,
            cache_write_tokens,
            completion_tokens,
            reasoning_tokens,
            max_completion_tokens: self.max_completion_tokens,
            status: self.status,
            latency_ms: self.latency_ms,
        })
    }
}

/// A per-request row's spillover response headers (S42, 03/04/2026): `x-ms-spillover-from-deployment`
/// (the provisioned deployment a request spilled from; older docs: a header named
/// `x-ms-spillover-from-<deployment>`), `x-ms-spillover-error` (the status of a spillover
/// attempt that failed: the client got the provisioned deployment's own answer) and
/// `x-ms-deployment-name` (the deployment that served the request).
#[derive(Debug, Clone, Copy, Default)]
pub struct SpilloverHeaders<'a> {
    /// `x-ms-spillover-from-deployment`.
    pub from: Option<&'a [u8]>,
    /// `x-ms-spillover-error`.
    pub error: Option<&'a [u8]>,
    /// `x-ms-deployment-name`.
    pub served: Option<&'a [u8]>,
}

impl<'a> SpilloverHeaders<'a> {
    /// The deployment a row's request counts for, and whether it is a request that spilled
    /// over and was served by the Standard deployment. A spilled request counts once, as
    /// demand of the provisioned deployment it spilled from (whatever the row's deployment);
    /// one whose spillover failed is that deployment's failed request and must log its status.
    pub fn resolve(
        &self,
        deployment: &'a [u8],
        status: Option<u16>,
    ) -> Result<(&'a [u8], bool), FieldProblem> {
        let present = |v: Option<&'a [u8]>| v.map(<[u8]>::trim_ascii).filter(|v| !v.is_empty());
        let Some(from) = present(self.from) else {
            let deployment = match (deployment.trim_ascii().is_empty(), present(self.served)) {
                (true, Some(served)) => served,
                _ => deployment,
            };
            return Ok((deployment, false));
        };
        if present(self.error).is_some() {
            if status.is_none() {
                return Err(FieldProblem::new(
                    "status",
                    "x-ms-spillover-error says the spillover failed (the client got the provisioned deployment's own answer), but the row logs no status",
                ));
            }
            return Ok((from, false));
        }
        Ok((from, status.is_none_or(|s| (200..300).contains(&s))))
    }
}

mod read;

pub use read::*;

#[cfg(test)]
mod tests {
    use super::test_support::{AnyKey, Count};
    use super::*;
    use proptest::prelude::*;

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("timestamp,model,region,prompt_tokens,completion_tokens,cached_tokens".to_owned()),
            "[0-9a-zA-Z:,.\\-\" {}\\[\\]]{0,60}",
            Just("2026-03-01T10:00:00Z,gpt-4o,eastus2,10,5,2".to_owned()),
            Just("{\"timestamp\":\"2026-03-01T10:00:00Z\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary bytes and near-valid lines never panic a reader, sequential or split
        /// across threads: they are read or rejected with an error.
        #[test]
        fn readers_never_panic(lines in proptest::collection::vec(line(), 0..30), noise in proptest::collection::vec(any::<u8>(), 0..64), csv in any::<bool>(), skip in any::<bool>(), threads in 1usize..4) {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join(if csv { "log.csv" } else { "log.jsonl" });
            let mut bytes = lines.join("\n").into_bytes();
            bytes.extend_from_slice(&noise);
            std::fs::write(&path, &bytes).expect("write");
            let inputs = [InputSpec { source: InputSource::File(path), format: None }];
            let options = ReadOptions { skip_invalid: skip, threads, parallel_min_bytes: 1, ..ReadOptions::default() };
            let mut sink = Count::default();
            if let Ok(summary) = read_usage(&inputs, &options, &AnyKey, &mut sink) {
                prop_assert_eq!(summary.records, sink.0);
            }
        }
    }
}
