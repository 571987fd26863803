//! CSV usage logs: columns found by name in any order (case-insensitive), a UTF-8 BOM and CRLF
//! accepted, unknown columns ignored, an empty cell meaning "absent".
//!
//! Header: `timestamp,deployment,model,region,prompt_tokens,cached_tokens,cache_write_tokens,
//! completion_tokens,reasoning_tokens,max_completion_tokens,status,latency_ms`. Required: `timestamp`,
//! `prompt_tokens`, `completion_tokens`, and `model` or `deployment`.

use std::collections::HashMap;

use super::detect::OpenedInput;
use super::fields::{lossy, parse_count, parse_status, parse_timestamp_ms};
use super::lines::Newlines;
use super::{
    FieldProblem, KeyResolver, RawKey, ReadOptions, ReadSummary, RecordSink, Resolved, RowValues,
    UsageError, UsageRecord,
};

/// The message for a row holding a NUL byte (anywhere in the file after its first line).
pub(crate) const NUL_IN_ROW: &str =
    "contains a NUL byte: binary content or a corrupted log (a crash can leave runs of NULs)";

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
        .map_err(|r| FieldProblem {
            field: r.field,
            message: r.message,
        })
}

/// Read a CSV usage log: the header, then every row.
pub fn read_csv<S: RecordSink>(
    input: OpenedInput,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let path = input.name;
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(Newlines::new(input.reader));
    let header = match reader.byte_headers() {
        Ok(header) => header.clone(),
        Err(e) => return Err(read_error(&reader, &path, e, 0)),
    };
    let columns = columns_of(&header, &path)?;
    read_rows(reader, &path, &columns, 0, options, resolver, sink)
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

/// Read the header-less part of a CSV file that starts at line `line_offset + 1`.
pub(crate) fn read_csv_body<S: RecordSink>(
    body: impl std::io::BufRead,
    path: &str,
    columns: &Columns,
    line_offset: u64,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Newlines::new(body));
    read_rows(reader, path, columns, line_offset, options, resolver, sink)
}

fn read_rows<R: std::io::Read, S: RecordSink>(
    mut reader: ::csv::Reader<R>,
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
    let mut row = ::csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(read_error(&reader, path, e, line_offset)),
        }
        let line = line_offset + row.position().map_or(0, |p| p.line());
        // A quoted cell may span lines: the record as a whole is bounded too.
        if row.as_slice().len() > super::lines::MAX_LINE_BYTES {
            return Err(too_long(path, line));
        }
        let result = if memchr::memchr(0, row.as_slice()).is_some() {
            Err(FieldProblem::new("row", NUL_IN_ROW))
        } else if row.len() != columns.width {
            Err(FieldProblem::new(
                "row",
                format!(
                    "has {} fields but the header has {}",
                    row.len(),
                    columns.width
                ),
            ))
        } else {
            parse_row(&row, columns, &mut keys, resolver, &mut spilled)
        };
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

fn parse_row(
    row: &::csv::ByteRecord,
    c: &Columns,
    keys: &mut KeyCache,
    resolver: &dyn KeyResolver,
    spilled: &mut u64,
) -> Result<UsageRecord, FieldProblem> {
    parse_fields(|i| row.get(i), c, keys, resolver, spilled)
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

/// Most columns a plain row is split into without allocating.
const PLAIN_MAX_FIELDS: usize = 64;

/// Read a header-less CSV body that holds no quote and no carriage return (the parallel
/// reader's scan proves it): every line is one row, split at its commas by hand, which is what
/// the csv crate gives for such input, without its state machine. Blank lines are skipped as
/// the csv crate skips them, and line numbers count them.
pub(crate) fn read_plain_csv_body<S: RecordSink>(
    mut body: impl std::io::BufRead,
    path: &str,
    columns: &Columns,
    line_offset: u64,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    if columns.width > PLAIN_MAX_FIELDS {
        return read_csv_body(body, path, columns, line_offset, options, resolver, sink);
    }
    let mut keys = KeyCache::default();
    let mut summary = ReadSummary::default();
    let mut spilled = 0u64;
    let mut line = line_offset;
    let mut carry: Vec<u8> = Vec::new();
    let mut row = |text: &[u8], line: u64, summary: &mut ReadSummary| -> Result<(), UsageError> {
        if text.is_empty() {
            return Ok(());
        }
        let result = if memchr::memchr(0, text).is_some() {
            Err(FieldProblem::new("row", NUL_IN_ROW))
        } else {
            let mut fields: [&[u8]; PLAIN_MAX_FIELDS] = [&[]; PLAIN_MAX_FIELDS];
            let mut n = 0;
            let mut start = 0;
            for comma in memchr::memchr_iter(b',', text) {
                if n < PLAIN_MAX_FIELDS {
                    fields[n] = &text[start..comma];
                }
                n += 1;
                start = comma + 1;
            }
            if n < PLAIN_MAX_FIELDS {
                fields[n] = &text[start..];
            }
            n += 1;
            if n != columns.width {
                Err(FieldProblem::new(
                    "row",
                    format!("has {n} fields but the header has {}", columns.width),
                ))
            } else {
                let fields = &fields[..n];
                parse_fields(
                    |i| fields.get(i).copied(),
                    columns,
                    &mut keys,
                    resolver,
                    &mut spilled,
                )
            }
        };
        super::deliver(
            result,
            &mut |r, line| sink.take_at(r, path, line),
            summary,
            options,
            path,
            line,
        )
    };
    let io_err = |source| UsageError::Io {
        path: path.to_owned(),
        source,
    };
    loop {
        let buf = body.fill_buf().map_err(io_err)?;
        if buf.is_empty() {
            break;
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            line += 1;
            if carry.is_empty() {
                row(&buf[start..end], line, &mut summary)?;
            } else {
                carry.extend_from_slice(&buf[start..end]);
                row(&carry, line, &mut summary)?;
                carry.clear();
            }
            start = end + 1;
        }
        carry.extend_from_slice(&buf[start..]);
        if carry.len() > super::lines::MAX_LINE_BYTES {
            return Err(too_long(path, line + 1));
        }
        let used = buf.len();
        body.consume(used);
    }
    if !carry.is_empty() {
        line += 1;
        row(&carry, line, &mut summary)?;
    }
    summary.spilled_requests = spilled;
    Ok(summary)
}

/// The error of a failed read from `reader`: a line longer than
/// [`MAX_LINE_BYTES`](super::lines::MAX_LINE_BYTES) at the line its record starts on, else
/// [`csv_error`].
pub(crate) fn read_error<R: std::io::Read>(
    reader: &::csv::Reader<R>,
    path: &str,
    e: ::csv::Error,
    line_offset: u64,
) -> UsageError {
    match e.kind() {
        ::csv::ErrorKind::Io(io) if super::lines::LineTooLong::is(io) => {
            too_long(path, line_offset + reader.position().line())
        }
        _ => csv_error(path, e, line_offset),
    }
}

/// A row at `line` longer than [`MAX_LINE_BYTES`](super::lines::MAX_LINE_BYTES).
pub(crate) fn too_long(path: &str, line: u64) -> UsageError {
    too_long_by(path, line, super::lines::MAX_LINE_BYTES)
}

/// A row at `line` longer than `max` bytes.
pub(crate) fn too_long_by(path: &str, line: u64, max: usize) -> UsageError {
    UsageError::Field {
        path: path.to_owned(),
        line,
        field: "row".to_owned(),
        message: super::lines::LineTooLong(max).to_string(),
    }
}

pub(crate) fn csv_error(path: &str, e: ::csv::Error, line_offset: u64) -> UsageError {
    let line = line_offset + e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        ::csv::ErrorKind::Io(source) => UsageError::Io {
            path: path.to_owned(),
            source,
        },
        other => UsageError::Field {
            path: path.to_owned(),
            line,
            field: "row".to_owned(),
            message: format!("malformed CSV: {}", lossy(format!("{other:?}").as_bytes())),
        },
    }
}
