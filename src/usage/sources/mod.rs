//! Readers for the usage data an Azure shop actually has, one file per source: Azure Monitor
//! platform metrics and diagnostic logs ([`azure_monitor`], [`azure_diagnostics`]), the APIM
//! LLM log ([`apim`]), LiteLLM spend logs ([`litellm`]), the OpenAI Usage API
//! ([`openai_usage`]), Langfuse observations ([`langfuse`]), the canonical per-bucket
//! aggregate and any CSV/JSON through a `--columns` mapping ([`columns`]), and Parquet files of
//! any of these columnar shapes ([`parquet`]).
//!
//! Each source maps its rows to [`RowValues`] (one request) or a [`BucketAggregate`] and hands
//! them to an [`Out`], which resolves the workload, applies the model's request limits, expands
//! aggregates into requests ([`super::aggregate`]) and decides between "deliver", "skip" and
//! "stop" exactly as the per-request CSV and JSON Lines readers do. Tables (CSV, JSON rows,
//! Parquet) are read by [`table`] into rows of named cells, so a mapping works on any of them.
//! Which source a file holds is decided in [`super::detect`].

pub mod apim;
pub mod azure_diagnostics;
pub mod azure_monitor;
pub mod cells;
pub mod columns;
pub mod json_stream;
pub mod langfuse;
pub mod litellm;
pub mod openai_usage;
pub mod parquet;
pub mod table;

use std::collections::BTreeMap;

use super::aggregate::{self, BucketAggregate, ExpandParams, Granularity};
use super::csv::KeyCache;
use super::formats::InputFormat;
use super::input::OpenedInput;
use super::ledger::{Group, RunState};
use super::{
    FieldProblem, InputRead, KeyResolver, ReadOptions, ReadSummary, RecordSink, RowValues,
    SinkError, UsageError, UsageRecord,
};

pub use cells::Cell;
pub use table::{Header, Row, Table};

/// Where a source's records and bucket spans go (the run's sink, for one input).
pub trait Emit {
    /// One request, read at `line`.
    fn record(&mut self, record: UsageRecord, line: u64) -> Result<(), SinkError>;
    /// The input covers `[start_ms, end_ms)` (see [`RecordSink::cover`]).
    fn cover(&mut self, start_ms: i64, end_ms: i64);
}

/// A [`RecordSink`] as the output of input `path`.
pub struct SinkEmit<'s, S> {
    /// The sink.
    pub sink: &'s mut S,
    /// The input's name (records are taken at `path:line`).
    pub path: String,
}

impl<S: RecordSink> Emit for SinkEmit<'_, S> {
    fn record(&mut self, record: UsageRecord, line: u64) -> Result<(), SinkError> {
        self.sink.take_at(record, &self.path, line)
    }

    fn cover(&mut self, start_ms: i64, end_ms: i64) {
        self.sink.cover(start_ms, end_ms);
    }
}

/// Where a source's requests and buckets go: resolution, limits, expansion and the
/// deliver/skip/stop decision, shared by every source.
pub struct Out<'a> {
    emit: &'a mut dyn Emit,
    run: &'a mut RunState,
    /// What has been read so far.
    pub summary: ReadSummary,
    options: &'a ReadOptions,
    resolver: &'a dyn KeyResolver,
    /// Input name (for messages).
    pub path: String,
    keys: KeyCache,
    /// Requests left out as read before, by the input that held them first.
    duplicate_ids: BTreeMap<String, u64>,
    /// Requests past [`super::ledger::MAX_REQUEST_IDS`], not checked.
    unchecked_ids: u64,
}

impl<'a> Out<'a> {
    /// An output for input `path`, recording bucket spans and expansions in `run`.
    pub fn new(
        path: &str,
        emit: &'a mut dyn Emit,
        run: &'a mut RunState,
        options: &'a ReadOptions,
        resolver: &'a dyn KeyResolver,
    ) -> Out<'a> {
        Out {
            emit,
            run,
            summary: ReadSummary::default(),
            options,
            resolver,
            path: path.to_owned(),
            keys: KeyCache::default(),
            duplicate_ids: BTreeMap::new(),
            unchecked_ids: 0,
        }
    }

    /// Whether request id `id` was read before (see [`RunState::request_id`]); duplicates
    /// and an unchecked remainder are counted for [`Out::note_request_ids`].
    pub fn request_id_seen(&mut self, id: &str, same_input: bool) -> bool {
        match self.run.request_id(id, &self.path, same_input) {
            super::ledger::Seen::New => false,
            super::ledger::Seen::Before(file) => {
                *self.duplicate_ids.entry(file).or_insert(0) += 1;
                true
            }
            super::ledger::Seen::Unchecked => {
                self.unchecked_ids += 1;
                false
            }
        }
    }

    /// Notes on the requests left out as read before, naming `id` (the id's column).
    pub fn note_request_ids(&mut self, id: &str) {
        let duplicates = std::mem::take(&mut self.duplicate_ids);
        for (file, n) in duplicates {
            let what = if file == self.path {
                "earlier in the same file".to_owned()
            } else {
                format!("in {file}")
            };
            self.summary.note(format!(
                "{}: {n} request(s) have a {id} already read {what} (overlapping exports): each was counted once",
                self.path
            ));
        }
        if self.unchecked_ids > 0 {
            self.summary.note(format!(
                "{}: {} request(s) past the first {} were not checked for a repeated {id} (the check's memory bound)",
                self.path,
                self.unchecked_ids,
                super::ledger::MAX_REQUEST_IDS
            ));
            self.unchecked_ids = 0;
        }
    }

    /// The resolver (for sources that look for a region inside another field).
    pub fn resolver(&self) -> &dyn KeyResolver {
        self.resolver
    }

    /// The expansion parameters in force.
    pub fn expand_params(&self) -> ExpandParams {
        self.options.expand
    }

    /// Record the input's granularity (the coarsest wins).
    pub fn set_granularity(&mut self, g: Granularity) {
        self.summary.granularity = self.summary.granularity.max(g);
    }

    /// The input covers `[start_ms, end_ms)`: the span includes it (a bucket, empty or not).
    pub fn cover(&mut self, start_ms: i64, end_ms: i64) {
        self.emit.cover(start_ms, end_ms);
    }

    /// One request of workload `key` (deployment, model, region), read at `line`.
    pub fn request(
        &mut self,
        line: u64,
        key: [&str; 3],
        values: Result<RowValues, FieldProblem>,
    ) -> Result<(), UsageError> {
        let parts = key.map(str::as_bytes);
        let parsed = values.and_then(|v| {
            let resolved = self.keys.lookup(parts, self.resolver)?;
            v.into_record(resolved, self.resolver)
        });
        let emit = &mut *self.emit;
        super::deliver(
            parsed,
            &mut |r, line| emit.record(r, line),
            &mut self.summary,
            self.options,
            &self.path,
            line,
        )
    }

    /// One bucket of workload `key`, read at `line`: checked, claimed (a bucket the run has
    /// already covered is refused), then replayed as requests within the run's expansion cap.
    pub fn aggregate(
        &mut self,
        line: u64,
        key: [&str; 3],
        agg: Result<BucketAggregate, FieldProblem>,
    ) -> Result<(), UsageError> {
        self.aggregate_in(line, key, &Group::default(), agg)
    }

    /// Refuse, before any is replayed, aggregates known up front (a whole metrics document)
    /// that would replay `planned` requests in all, past `--max-expanded-requests`.
    pub fn ensure_expansion_room(&self, planned: u64, line: u64) -> Result<(), UsageError> {
        let cap = self.run.max_expanded_requests;
        if self.run.expanded_requests.saturating_add(planned) <= cap {
            return Ok(());
        }
        Err(UsageError::Field {
            path: self.path.clone(),
            line,
            field: "requests".to_owned(),
            message: format!(
                "the aggregated input would replay {planned} requests in all ({} so far), more than the cap of {cap}, and each replayed request takes about 100 bytes of temporary files; nothing was replayed. Check the request counts (or --typical-request-tokens, when the input has none); if they are right, raise the cap with --max-expanded-requests N",
                self.run.expanded_requests
            ),
        })
    }

    /// One aggregate of traffic group `group` (see [`Group`]): groups of one workload with
    /// the same dimensions and other values sum.
    pub fn aggregate_in(
        &mut self,
        line: u64,
        key: [&str; 3],
        group: &Group,
        agg: Result<BucketAggregate, FieldProblem>,
    ) -> Result<(), UsageError> {
        let parts = key.map(str::as_bytes);
        let params = self.options.expand;
        let result = agg.and_then(|a| {
            let total = a.planned_requests(&params)?;
            Ok((self.keys.lookup(parts, self.resolver)?, a, total))
        });
        let (resolved, agg, total) = match result {
            Ok(ok) => ok,
            Err(problem) => return self.problem(line, problem),
        };
        self.set_granularity(agg.granularity);
        let cap = self.run.max_expanded_requests;
        if self.run.expanded_requests.saturating_add(total) > cap {
            return Err(UsageError::Field {
                path: self.path.clone(),
                line,
                field: "requests".to_owned(),
                message: format!(
                    "the aggregated input would replay more than {cap} requests ({} so far, {total} in this {} bucket alone), and each replayed request takes about 100 bytes of temporary files; if the counts are right, raise the cap with --max-expanded-requests N",
                    self.run.expanded_requests,
                    agg.granularity.as_str()
                ),
            });
        }
        let (start, end) = (agg.start_ms, agg.start_ms.saturating_add(agg.length_ms));
        if let Err(message) = self
            .run
            .claim(resolved.workload, group, start, end, &self.path, line)
        {
            return self.problem(line, FieldProblem::new("bucket_start", message));
        }
        let emit = &mut *self.emit;
        let mut emitted = 0u64;
        let expanded = aggregate::expand(
            &agg,
            resolved,
            aggregate::key_hash(parts),
            &params,
            self.resolver,
            |r| {
                emit.record(r, line).map_err(Expansion::Sink)?;
                emitted += 1;
                Ok(())
            },
            Expansion::Row,
        );
        self.summary.records += emitted;
        self.summary.expanded_requests += emitted;
        self.run.expanded_requests = self.run.expanded_requests.saturating_add(emitted);
        match expanded {
            Ok(_) => {
                self.summary.buckets += 1;
                self.emit.cover(start, end);
                Ok(())
            }
            Err(Expansion::Row(p)) => self.problem(line, p),
            Err(Expansion::Sink(SinkError {
                field: Some(field),
                message,
            })) => self.problem(line, FieldProblem::new(field, message)),
            Err(Expansion::Sink(SinkError {
                field: None,
                message,
            })) => Err(UsageError::File {
                path: self.path.clone(),
                message,
            }),
        }
    }

    /// A bad row: skipped and counted with `--skip-invalid`, else the error.
    pub fn problem(&mut self, line: u64, problem: FieldProblem) -> Result<(), UsageError> {
        let err = UsageError::Field {
            path: self.path.clone(),
            line,
            field: problem.field.into_owned(),
            message: problem.message,
        };
        if self.options.skip_invalid {
            self.summary.note_skip(&err);
            Ok(())
        } else {
            Err(err)
        }
    }

    /// The input as a whole is unusable.
    pub fn file_error(&self, message: impl Into<String>) -> UsageError {
        UsageError::File {
            path: self.path.clone(),
            message: message.into(),
        }
    }
}

enum Expansion {
    Row(FieldProblem),
    Sink(SinkError),
}

/// A source that maps table rows: it sees every row, then `finish` (for sources that collapse
/// or join rows before they can emit).
pub trait RowSource {
    /// Map one row.
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), UsageError>;
    /// Emit what is still held (default: nothing).
    fn finish(&mut self, _out: &mut Out<'_>) -> Result<(), UsageError> {
        Ok(())
    }
}

/// Read an input whose format is one of the sources (not the per-request CSV / JSON Lines
/// fast path), delivering requests to `sink`; `info` says how (its columns are completed by
/// readers that learn them while reading).
pub fn read_source<S: RecordSink>(
    input: OpenedInput,
    mut info: InputRead,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    run: &mut RunState,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let name = input.name.clone();
    let mut emit = SinkEmit {
        sink,
        path: name.clone(),
    };
    let mut out = Out::new(&name, &mut emit, run, options, resolver);
    match input.format {
        InputFormat::AzureMonitor => {
            let buckets = azure_monitor::load_metrics(input)?;
            info.columns = buckets.mapped_columns();
            azure_monitor::emit_buckets(&buckets, &mut out, |_| false)?;
        }
        InputFormat::AzureDiagnostics => {
            return Err(azure_diagnostics::without_metrics(&name));
        }
        format => {
            let mut source = row_source_for(format, options)?;
            let mut table = table::open(input, format)?;
            while let Some(row) = table.next_row()? {
                source.row(&row, &mut out)?;
            }
            source.finish(&mut out)?;
            if let Some(next) = &table.more_pages {
                out.summary.note(format!(
                    "{name}: the page says more pages follow (\"has_more\": true, next_page {next}): their buckets are not in this file, so the report covers only this page's time; fetch every page and pass them all"
                ));
            }
        }
    }
    let mut summary = out.summary;
    summary.granularities.push((name, summary.granularity));
    summary.inputs.insert(0, info);
    Ok(summary)
}

/// Read `bytes` as an input of `format` (`None` = detect): the entry point of every reader
/// for tests and fuzz targets. Same behaviour as a file of that content.
pub fn read_bytes<S: RecordSink>(
    format: Option<InputFormat>,
    bytes: &[u8],
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let spec = crate::usage::InputSpec {
        source: crate::usage::InputSource::Memory {
            name: "input".to_owned(),
            bytes: bytes.into(),
        },
        format,
    };
    crate::usage::read_usage(std::slice::from_ref(&spec), options, resolver, sink)
}

/// The row mapping for a tabular format.
pub fn row_source_for(
    format: InputFormat,
    options: &ReadOptions,
) -> Result<Box<dyn RowSource>, UsageError> {
    Ok(match format {
        InputFormat::Aggregate
        | InputFormat::Columns
        | InputFormat::Csv
        | InputFormat::Jsonl
        | InputFormat::Parquet => Box::new(columns::MappedRows::new(options.columns.clone())),
        InputFormat::AzureMetrics => Box::new(azure_monitor::AzureMetricsRows::default()),
        InputFormat::Apim => Box::new(apim::ApimRows::default()),
        InputFormat::LiteLlm => Box::new(litellm::LiteLlmRows::default()),
        InputFormat::OpenAiUsage => Box::new(openai_usage::UsageRows),
        InputFormat::Langfuse => Box::new(langfuse::LangfuseRows::default()),
        InputFormat::AzureMonitor | InputFormat::AzureDiagnostics => {
            return Err(UsageError::File {
                path: String::new(),
                message: format!("internal error: {} is not a table format", format.name()),
            })
        }
    })
}

/// The note every aggregate input adds: bursts inside a bucket are invisible.
pub fn granularity_note(g: Granularity) -> Option<String> {
    (g != Granularity::Request).then(|| {
        format!(
            "input is aggregated per {}: bursts inside {} are invisible, so PTU counts are lower bounds; per-token costs are exact except long-context prices, which need each request's prompt",
            g.as_str(),
            g.with_article()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::test_support::{AnyKey, Count};
    use crate::usage::RawKey;
    use proptest::prelude::*;

    const FORMATS: [Option<InputFormat>; 12] = [
        None,
        Some(InputFormat::Aggregate),
        Some(InputFormat::Columns),
        Some(InputFormat::AzureMonitor),
        Some(InputFormat::AzureMetrics),
        Some(InputFormat::AzureDiagnostics),
        Some(InputFormat::Apim),
        Some(InputFormat::LiteLlm),
        Some(InputFormat::OpenAiUsage),
        Some(InputFormat::Langfuse),
        Some(InputFormat::Parquet),
        Some(InputFormat::Csv),
    ];

    /// Lines in the shapes of every source, and noise.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("bucket_start,bucket,model,region,requests,prompt_tokens,completion_tokens,status_429".to_owned()),
            Just("2026-03-01T10:00:00Z,minute,gpt-5,eastus2,3,100,10,1".to_owned()),
            Just("TimeGenerated [UTC],CorrelationId,DeploymentName,ModelName,PromptTokens,CompletionTokens,Region".to_owned()),
            Just("\"3/1/2026, 10:00:01.120 AM\",c-1,agent,gpt-5,1200,300,East US 2".to_owned()),
            Just("{\"object\":\"page\",\"data\":[{\"start_time\":1772359200,\"end_time\":1772362800,\"results\":[{\"model\":\"gpt-5\",\"input_tokens\":5,\"output_tokens\":1,\"num_model_requests\":1}]}]}".to_owned()),
            Just("{\"interval\":\"PT1M\",\"value\":[{\"name\":{\"value\":\"ProcessedPromptTokens\"},\"timeseries\":[{\"metadatavalues\":[],\"data\":[{\"timeStamp\":\"2026-03-01T10:00:00Z\",\"total\":5.0}]}]}]}".to_owned()),
            Just("{\"type\":\"GENERATION\",\"startTime\":\"2026-03-01T10:00:00Z\",\"model\":\"gpt-5\",\"usageDetails\":{\"input\":3,\"output\":1}}".to_owned()),
            Just("{\"time\":\"2026-03-01T10:00:00Z\",\"category\":\"RequestResponse\",\"operationName\":\"ChatCompletions_Create\",\"properties\":\"{}\"}".to_owned()),
            Just("request_id,startTime,model,model_group,spend,prompt_tokens,completion_tokens,metadata,status".to_owned()),
            Just("r1,2026-03-01 10:00:00,gpt-5,agent,0.1,10,2,\"{\"\"usage_object\"\":{}}\",success".to_owned()),
            Just("TimeGenerated,MetricName,Total\n2026-03-01T10:00:00Z,GeneratedTokens,1e308".to_owned()),
            Just("PAR1".to_owned()),
            "[0-9a-zA-Z:,.\\-\" {}\\[\\]]{0,60}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Every reader, detected or forced, reads or rejects arbitrary near-valid input with
        /// an error; it never panics.
        #[test]
        fn source_readers_never_panic(
            lines in proptest::collection::vec(line(), 0..12),
            noise in proptest::collection::vec(any::<u8>(), 0..48),
            format in proptest::sample::select(FORMATS.to_vec()),
            skip in any::<bool>(),
        ) {
            let mut bytes = lines.join("\n").into_bytes();
            bytes.extend_from_slice(&noise);
            let options = ReadOptions { skip_invalid: skip, ..ReadOptions::default() };
            let mut sink = Count::default();
            if let Ok(summary) = read_bytes(format, &bytes, &options, &AnyKey, &mut sink) {
                prop_assert_eq!(summary.records, sink.0);
            }
        }

        /// Parquet bytes cut or flipped anywhere are an error, never a panic.
        #[test]
        fn parquet_reader_never_panics(cut in 0usize..2000, flip in 0usize..2000, byte in any::<u8>()) {
            let mut bytes = include_bytes!("../../../tests/fixtures/sources/aggregate-minute.parquet").to_vec();
            let n = bytes.len();
            bytes[flip % n] = byte;
            bytes.truncate(cut.max(4).min(n));
            let mut sink = Count::default();
            let _ = read_bytes(None, &bytes, &ReadOptions::default(), &AnyKey, &mut sink);
            let mut whole = include_bytes!("../../../tests/fixtures/sources/aggregate-minute.parquet").to_vec();
            whole[flip % n] = byte;
            let _ = read_bytes(None, &whole, &ReadOptions::default(), &AnyKey, &mut sink);
        }
    }

    #[test]
    fn reads_every_shape_from_bytes() {
        let mut sink = Count::default();
        let page = br#"{"object":"page","data":[{"start_time":1772359200,"end_time":1772362800,"results":[{"model":"gpt-5","input_tokens":2000,"input_cached_tokens":0,"output_tokens":100,"num_model_requests":2}]}]}"#;
        let s = read_bytes(None, page, &ReadOptions::default(), &AnyKey, &mut sink).expect("reads");
        assert_eq!((s.records, s.granularity), (2, Granularity::Hour));
        let _ = RawKey {
            deployment: None,
            model: None,
            region: None,
        };
    }
}
