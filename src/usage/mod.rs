//! Usage logs: streaming readers for CSV and JSON Lines (optionally gzip-compressed, or from
//! stdin) that turn each row into a [`UsageRecord`].
//!
//! Readers never hold a whole file in memory. They check token semantics (cached tokens are
//! part of prompt tokens, reasoning tokens part of completion tokens) and report bad input with
//! the file, line and field. What a row's deployment/model/region *mean* (model-name
//! resolution, default region) is left to a [`KeyResolver`] supplied by the caller.

pub mod csv;
pub mod detect;
pub mod fields;
pub mod jsonl;
pub mod lines;
pub mod parallel;
pub mod synth;

use std::fmt;

pub use detect::{open_input, InputFormat, InputSource, InputSpec};

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

/// Maps a row's raw identity to a workload index (and rejects unknown models etc.). Shared by
/// the reading threads, so it takes `&self`; it is called once per distinct key and thread.
pub trait KeyResolver: Sync {
    /// Resolve or reject a raw key.
    fn resolve(&self, key: RawKey<'_>) -> Result<u32, KeyRejection>;
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
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            skip_invalid: false,
            threads: 1,
            parallel_min_bytes: parallel::PARALLEL_MIN_BYTES,
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
        for e in other.skipped_examples {
            if self.skipped_examples.len() < SKIPPED_EXAMPLES {
                self.skipped_examples.push(e);
            }
        }
    }
}

/// A row's fields before the workload is resolved: the common output of both readers.
#[derive(Debug, Default)]
pub(crate) struct RowValues {
    pub timestamp_ms: Option<i64>,
    pub prompt_tokens: Option<u64>,
    pub cached_tokens: Option<u64>,
    pub cache_write_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub reasoning_tokens: Option<u64>,
    pub max_completion_tokens: Option<u64>,
    pub status: Option<u16>,
    pub latency_ms: Option<u64>,
}

/// A field-level problem found in a row; the reader adds path and line.
#[derive(Debug)]
pub(crate) struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, message: impl fmt::Display) -> Self {
        FieldProblem {
            field,
            message: message.to_string(),
        }
    }
}

impl RowValues {
    /// Check required fields and token semantics, and build the record.
    pub fn into_record(self, workload: u32) -> Result<UsageRecord, FieldProblem> {
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
        for (field, value) in [
            ("prompt_tokens", prompt_tokens),
            ("completion_tokens", completion_tokens),
        ] {
            if value > MAX_TOKENS_PER_REQUEST {
                return Err(FieldProblem::new(
                    field,
                    format!("{value} tokens in one request is implausible (limit {MAX_TOKENS_PER_REQUEST})"),
                ));
            }
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

/// Read every input in order, passing each valid record to `sink`. Large uncompressed files
/// are split across up to `options.threads` threads (see [`parallel`]).
pub fn read_usage<S: RecordSink>(
    inputs: &[InputSpec],
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let mut total = ReadSummary::default();
    for input in inputs {
        let name = input.source.name();
        let summary = match parallel::read_file_parallel(input, options, resolver, sink)? {
            Some(summary) => summary,
            None => {
                let opened = open_input(input)?;
                match opened.format {
                    InputFormat::Csv => csv::read_csv(opened, options, resolver, sink)?,
                    InputFormat::Jsonl => {
                        jsonl::read_jsonl(opened.reader, &opened.name, 0, options, resolver, sink)?
                    }
                }
            }
        };
        if summary.records == 0 {
            let why = if summary.skipped > 0 {
                format!(
                    "all {} rows were invalid and skipped; first: {}",
                    summary.skipped,
                    summary.skipped_examples.first().map_or("", String::as_str)
                )
            } else {
                "the log holds no usage records".to_owned()
            };
            return Err(UsageError::File {
                path: name,
                message: why,
            });
        }
        total.merge(summary);
    }
    Ok(total)
}

/// Hand a parsed row to the sink and account for the outcome: the one place both readers
/// decide between "count", "skip" and "stop".
pub(crate) fn deliver<S: RecordSink>(
    parsed: Result<UsageRecord, FieldProblem>,
    sink: &mut S,
    summary: &mut ReadSummary,
    options: &ReadOptions,
    path: &str,
    line: u64,
) -> Result<(), UsageError> {
    let problem = match parsed {
        Ok(record) => match sink.take_at(record, path, line) {
            Ok(()) => {
                summary.records += 1;
                return Ok(());
            }
            Err(SinkError {
                field: Some(field),
                message,
            }) => FieldProblem { field, message },
            Err(SinkError {
                field: None,
                message,
            }) => {
                return Err(UsageError::File {
                    path: path.to_owned(),
                    message,
                })
            }
        },
        Err(problem) => problem,
    };
    let err = UsageError::Field {
        path: path.to_owned(),
        line,
        field: problem.field.to_owned(),
        message: problem.message,
    };
    if options.skip_invalid {
        summary.note_skip(&err);
        Ok(())
    } else {
        Err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Accepts every key as workload 0.
    struct AnyKey;
    impl KeyResolver for AnyKey {
        fn resolve(&self, _key: RawKey<'_>) -> Result<u32, KeyRejection> {
            Ok(0)
        }
    }

    /// Counts records; forks and joins like the real replay.
    #[derive(Default)]
    struct Count(u64);
    impl RecordSink for Count {
        fn take(&mut self, _record: UsageRecord) -> Result<(), SinkError> {
            self.0 += 1;
            Ok(())
        }
        fn fork(&self) -> Self {
            Count(0)
        }
        fn join(&mut self, later: Self) -> Result<(), SinkError> {
            self.0 += later.0;
            Ok(())
        }
    }

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
            let options = ReadOptions { skip_invalid: skip, threads, parallel_min_bytes: 1 };
            let mut sink = Count::default();
            if let Ok(summary) = read_usage(&inputs, &options, &AnyKey, &mut sink) {
                prop_assert_eq!(summary.records, sink.0);
            }
        }
    }
}
