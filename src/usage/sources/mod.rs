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
pub mod langfuse;
pub mod litellm;
pub mod openai_usage;
pub mod parquet;
pub mod table;

use super::aggregate::{self, BucketAggregate, ExpandParams, Granularity};
use super::csv::KeyCache;
use super::detect::{InputFormat, OpenedInput};
use super::{
    FieldProblem, KeyResolver, ReadOptions, ReadSummary, RecordSink, RowValues, SinkError,
    UsageError, UsageRecord,
};

pub use cells::Cell;
pub use table::{Header, Row, Table};

/// Where a source's requests and buckets go: resolution, limits, expansion and the
/// deliver/skip/stop decision, shared by every source.
pub struct Out<'a> {
    emit: &'a mut dyn FnMut(UsageRecord) -> Result<(), SinkError>,
    /// What has been read so far.
    pub summary: ReadSummary,
    options: &'a ReadOptions,
    resolver: &'a dyn KeyResolver,
    /// Input name (for messages).
    pub path: String,
    keys: KeyCache,
}

impl<'a> Out<'a> {
    /// An output for input `path`.
    pub fn new(
        path: &str,
        emit: &'a mut dyn FnMut(UsageRecord) -> Result<(), SinkError>,
        options: &'a ReadOptions,
        resolver: &'a dyn KeyResolver,
    ) -> Out<'a> {
        Out {
            emit,
            summary: ReadSummary::default(),
            options,
            resolver,
            path: path.to_owned(),
            keys: KeyCache::default(),
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
        super::deliver(
            parsed,
            &mut *self.emit,
            &mut self.summary,
            self.options,
            &self.path,
            line,
        )
    }

    /// One bucket of workload `key`, read at `line`: checked, then replayed as requests.
    pub fn aggregate(
        &mut self,
        line: u64,
        key: [&str; 3],
        agg: Result<BucketAggregate, FieldProblem>,
    ) -> Result<(), UsageError> {
        let parts = key.map(str::as_bytes);
        let result = agg.and_then(|a| Ok((self.keys.lookup(parts, self.resolver)?, a)));
        let (resolved, agg) = match result {
            Ok(ok) => ok,
            Err(problem) => return self.problem(line, problem),
        };
        self.set_granularity(agg.granularity);
        let emit = &mut *self.emit;
        let mut emitted = 0u64;
        let expanded = aggregate::expand(
            &agg,
            resolved,
            aggregate::key_hash(parts),
            &self.options.expand,
            self.resolver,
            |r| {
                emit(r).map_err(Expansion::Sink)?;
                emitted += 1;
                Ok(())
            },
            Expansion::Row,
        );
        self.summary.records += emitted;
        match expanded {
            Ok(_) => {
                self.summary.buckets += 1;
                Ok(())
            }
            Err(Expansion::Row(p)) => self.problem(line, p),
            Err(Expansion::Sink(SinkError {
                field: Some(field),
                message,
            })) => self.problem(line, FieldProblem { field, message }),
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
            field: problem.field.to_owned(),
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
/// fast path), delivering requests to `sink`.
pub fn read_source<S: RecordSink>(
    input: OpenedInput,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let mut emit = |r: UsageRecord| sink.take(r);
    let name = input.name.clone();
    let mut out = Out::new(&name, &mut emit, options, resolver);
    match input.format {
        InputFormat::AzureMonitor => azure_monitor::read_metrics(input, &mut out)?,
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
        }
    }
    let mut summary = out.summary;
    summary.granularities.push((name, summary.granularity));
    Ok(summary)
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
        InputFormat::OpenAiUsage => Box::new(openai_usage::UsageRows::default()),
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
            "input is aggregated per {}: bursts inside {} are invisible, so PTU counts are lower bounds; per-token costs are exact",
            g.as_str(),
            g.with_article()
        )
    })
}
