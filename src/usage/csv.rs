//! CSV usage logs: columns found by name in any order (case-insensitive), a UTF-8 BOM and CRLF
//! accepted, unknown columns ignored, an empty cell meaning "absent".
//!
//! Header: `timestamp,deployment,model,region,prompt_tokens,cached_tokens,cache_write_tokens,
//! completion_tokens,reasoning_tokens,max_completion_tokens,status,latency_ms`. Required: `timestamp`,
//! `prompt_tokens`, `completion_tokens`, and `model` or `deployment`.

use std::collections::HashMap;

use super::csv_split::{CsvSplitter, SplitError};
use super::fields::{parse_count, parse_status};
use super::input::OpenedInput;
use super::lines::MAX_LINE_BYTES;
use super::rows;
use super::timestamps::parse_timestamp_ms;
use super::{
    FieldProblem, KeyResolver, RawKey, ReadOptions, ReadSummary, RecordSink, Resolved, RowValues,
    UsageError, UsageRecord,
};

/// Column indexes found in the header.
#[derive(Debug, Default, Clone)]
pub(crate) struct Columns {
    timestamp: usize,
    prompt_tokens: usize,
    completion_tokens: usize,
    deployment: Option<usize>,
    model: Option<usize>,
    region: Option<usize>,
    cached_tokens: Option<usize>,
    cache_write_tokens: Option<usize>,
    reasoning_tokens: Option<usize>,
    max_completion_tokens: Option<usize>,
    status: Option<usize>,
    latency_ms: Option<usize>,
    /// Spillover response headers (see [`super::SpilloverHeaders`]).
    spillover_from: Option<usize>,
    spillover_error: Option<usize>,
    served_deployment: Option<usize>,
    /// The older header form that names the deployment spilled from in its own name
    /// (`x-ms-spillover-from-ptu1`): the column and that deployment.
    spillover_from_named: Option<(usize, Vec<u8>)>,
    /// Number of header fields (every row must have as many).
    width: usize,
}

const REQUIRED: [&str; 3] = ["timestamp", "prompt_tokens", "completion_tokens"];
/// The columns the fast path reads (ptuplan's names, exactly).
const KNOWN: [&str; 15] = super::formats::CSV_FAST_FIELDS;

impl Columns {
    pub(crate) fn from_header(
        header: &::csv::ByteRecord,
        path: &str,
    ) -> Result<Columns, UsageError> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let raw = if i == 0 {
                    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                } else {
                    raw
                };
                String::from_utf8_lossy(raw.trim_ascii())
                    .escape_debug()
                    .to_string()
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|n| find(n).is_none())
            .collect();
        let (model, deployment) = (find("model"), find("deployment"));
        if !missing.is_empty() || (model.is_none() && deployment.is_none()) {
            let mut what: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            if model.is_none() && deployment.is_none() {
                what.push("`model` (or `deployment` with --model-map)".to_owned());
            }
            return Err(UsageError::File {
                path: path.to_owned(),
                message: format!(
                    "line 1: header lacks column {}; found [{}]; expected columns: {} (another source's export? pass --input-format NAME, or map your columns with --columns FIELD=COLUMN)",
                    what.join(", "),
                    names.join(", "),
                    KNOWN.join(",")
                ),
            });
        }
        let expect = |name: &str| find(name).expect("checked above");
        Ok(Columns {
            timestamp: expect("timestamp"),
            prompt_tokens: expect("prompt_tokens"),
            completion_tokens: expect("completion_tokens"),
            deployment,
            model,
            region: find("region"),
            cached_tokens: find("cached_tokens"),
            cache_write_tokens: find("cache_write_tokens"),
            reasoning_tokens: find("reasoning_tokens"),
            max_completion_tokens: find("max_completion_tokens"),
            status: find("status"),
            latency_ms: find("latency_ms"),
            spillover_from: find("spillover_from_deployment"),
            spillover_error: find("spillover_error"),
            served_deployment: find("served_deployment"),
            spillover_from_named: header.iter().enumerate().find_map(|(i, raw)| {
                let raw = raw.trim_ascii();
                let prefix = b"x-ms-spillover-from-";
                let named = raw.len() > prefix.len()
                    && raw[..prefix.len()].eq_ignore_ascii_case(prefix)
                    && !raw[prefix.len()..].eq_ignore_ascii_case(b"deployment");
                named.then(|| (i, raw[prefix.len()..].to_vec()))
            }),
            width: names.len(),
        })
    }
}

/// Interns raw (deployment, model, region) byte triples to workload ids without allocating
/// on a hit: the triple is joined into a reused scratch buffer with 0xFF separators (a byte
/// that never occurs in UTF-8) and looked up by slice.
#[derive(Default)]
pub(crate) struct KeyCache {
    /// The first distinct keys, searched linearly (logs have few workloads; cheaper than
    /// hashing every row).
    recent: Vec<(Vec<u8>, Resolved)>,
    /// Keys beyond [`KEY_CACHE_LINEAR`].
    map: HashMap<Vec<u8>, Resolved>,
    scratch: Vec<u8>,
}

/// Distinct keys kept in the linear list before the hash map takes over.
const KEY_CACHE_LINEAR: usize = 16;

impl KeyCache {
    /// The workload id of a raw key, asking the resolver the first time it is seen.
    pub fn lookup(
        &mut self,
        parts: [&[u8]; 3],
        resolver: &dyn KeyResolver,
    ) -> Result<Resolved, FieldProblem> {
        self.scratch.clear();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.scratch.push(0xFF);
            }
            self.scratch.extend_from_slice(part.trim_ascii());
        }
        if let Some((_, id)) = self.recent.iter().find(|(k, _)| *k == self.scratch) {
            return Ok(*id);
        }
        if let Some(id) = self.map.get(self.scratch.as_slice()) {
            return Ok(*id);
        }
        let id = resolve_new(parts, resolver)?;
        if self.recent.len() < KEY_CACHE_LINEAR {
            self.recent.push((self.scratch.clone(), id));
        } else {
            self.map.insert(self.scratch.clone(), id);
        }
        Ok(id)
    }
}

fn resolve_new(parts: [&[u8]; 3], resolver: &dyn KeyResolver) -> Result<Resolved, FieldProblem> {
    let text = |field: &'static str, b: &[u8]| -> Result<Option<String>, FieldProblem> {
        let b = b.trim_ascii();
        if b.is_empty() {
            return Ok(None);
        }
        let text =
            std::str::from_utf8(b).map_err(|_| FieldProblem::new(field, "not valid UTF-8"))?;
        if text.contains('\0') {
            return Err(FieldProblem::new(field, "contains a NUL character"));
        }
        Ok(Some(text.to_owned()))
    };
    let deployment = text("deployment", parts[0])?;
    let model = text("model", parts[1])?;
    let region = text("region", parts[2])?;
    resolver
        .resolve(RawKey {
            deployment: deployment.as_deref(),
            model: model.as_deref(),
            region: region.as_deref(),
        })
        .map_err(|r| FieldProblem::new(r.field, r.message))
}

/// Read a CSV usage log: the header, then every row.
pub fn read_csv<S: RecordSink>(
    input: OpenedInput,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let path = input.name;
    let mut split = CsvSplitter::new(input.reader, MAX_LINE_BYTES, true);
    let header = match split.next_record() {
        Ok(Some((_, record))) => record.fields().collect::<::csv::ByteRecord>(),
        Ok(None) => ::csv::ByteRecord::new(),
        Err(e) => return Err(split_error(&path, e, 0)),
    };
    let columns = columns_of(&header, &path)?;
    read_records(split, &path, &columns, 0, options, resolver, sink)
}

/// The header's columns, or an error for an empty or incomplete header.
pub(crate) fn columns_of(header: &::csv::ByteRecord, path: &str) -> Result<Columns, UsageError> {
    if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
        return Err(UsageError::File {
            path: path.to_owned(),
            message: "the log is empty (no header row)".to_owned(),
        });
    }
    let columns = Columns::from_header(header, path)?;
    Ok(columns)
}

/// Read the header-less part of a CSV file that starts at line `line_offset + 1`, at the start
/// of a record.
pub(crate) fn read_csv_body<S: RecordSink>(
    body: impl std::io::Read,
    path: &str,
    columns: &Columns,
    line_offset: u64,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let split = CsvSplitter::new(body, MAX_LINE_BYTES, false);
    read_records(split, path, columns, line_offset, options, resolver, sink)
}

/// Every record of `split` as a usage row.
fn read_records<R: std::io::Read, S: RecordSink>(
    mut split: CsvSplitter<R>,
    path: &str,
    columns: &Columns,
    line_offset: u64,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let mut keys = KeyCache::default();
    let mut summary = ReadSummary::default();
    let mut spilled = 0u64;
    loop {
        let (line, row) = match split.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => return Err(split_error(path, e, line_offset)),
        };
        let line = line_offset + line;
        let result = rows::ensure_row(row.as_slice(), row.len(), columns.width).and_then(|()| {
            parse_fields(|i| row.get(i), columns, &mut keys, resolver, &mut spilled)
        });
        super::deliver(
            result,
            &mut |r, line| sink.take_at(r, path, line),
            &mut summary,
            options,
            path,
            line,
        )?;
    }
    summary.spilled_requests = spilled;
    Ok(summary)
}

/// The error of a failed split, at the line its record starts on.
fn split_error(path: &str, e: SplitError, line_offset: u64) -> UsageError {
    match e {
        SplitError::Io(source) => UsageError::Io {
            path: path.to_owned(),
            source,
        },
        SplitError::TooLong { line } => rows::too_long(path, line_offset + line),
    }
}

/// One row's record from its fields (`field(i)` is column `i`, raw).
fn parse_fields<'r>(
    field: impl Fn(usize) -> Option<&'r [u8]>,
    c: &'r Columns,
    keys: &mut KeyCache,
    resolver: &dyn KeyResolver,
    spilled: &mut u64,
) -> Result<UsageRecord, FieldProblem> {
    let cell = |i: Option<usize>| -> Option<&[u8]> {
        i.and_then(&field)
            .map(<[u8]>::trim_ascii)
            .filter(|b| !b.is_empty())
    };
    let count = |name: &'static str, i: Option<usize>| -> Result<Option<u64>, FieldProblem> {
        cell(i)
            .map(|b| parse_count(b).map_err(|m| FieldProblem::new(name, m)))
            .transpose()
    };
    let values = RowValues {
        timestamp_ms: cell(Some(c.timestamp))
            .map(|b| parse_timestamp_ms(b).map_err(|m| FieldProblem::new("timestamp", m)))
            .transpose()?,
        prompt_tokens: count("prompt_tokens", Some(c.prompt_tokens))?,
        cached_tokens: count("cached_tokens", c.cached_tokens)?,
        cache_write_tokens: count("cache_write_tokens", c.cache_write_tokens)?,
        completion_tokens: count("completion_tokens", Some(c.completion_tokens))?,
        reasoning_tokens: count("reasoning_tokens", c.reasoning_tokens)?,
        max_completion_tokens: count("max_completion_tokens", c.max_completion_tokens)?,
        status: cell(c.status)
            .map(|b| parse_status(b).map_err(|m| FieldProblem::new("status", m)))
            .transpose()?,
        latency_ms: count("latency_ms", c.latency_ms)?,
    };
    let empty: &[u8] = b"";
    let mut deployment = cell(c.deployment).unwrap_or(empty);
    let mut spill = false;
    // The older form: a column named for the deployment, holding a true value when the
    // request spilled from it.
    let named_from = c.spillover_from_named.as_ref().and_then(|(i, name)| {
        let v = cell(Some(*i))?;
        let no = v.eq_ignore_ascii_case(b"false") || v == b"0";
        (!no).then_some(name.as_slice())
    });
    if c.spillover_from.is_some() || c.served_deployment.is_some() || named_from.is_some() {
        let headers = super::SpilloverHeaders {
            from: cell(c.spillover_from).or(named_from),
            error: cell(c.spillover_error),
            served: cell(c.served_deployment),
        };
        (deployment, spill) = headers.resolve(deployment, values.status)?;
    }
    let parts = [
        deployment,
        cell(c.model).unwrap_or(empty),
        cell(c.region).unwrap_or(empty),
    ];
    if values.timestamp_ms.is_none() {
        return Err(FieldProblem::new("timestamp", "empty"));
    }
    let resolved = keys.lookup(parts, resolver)?;
    let record = values.into_record(resolved, resolver)?;
    *spilled += u64::from(spill);
    Ok(record)
}
