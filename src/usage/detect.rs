//! Opening an input: a file or stdin (`-`), transparently gunzipped when it starts with the
//! gzip magic bytes. Two questions are answered from the content, never the file name:
//!
//! - the **container**: Parquet (`PAR1` magic), JSON Lines (the first line is a complete JSON
//!   value), a JSON document (an array or object over many lines, as `az ... -o json` writes
//!   it), or CSV;
//! - the **format** (which source wrote it), from the CSV header, the keys of the first JSON
//!   row, or the Parquet schema, unless `--input-format` forces one. An unknown shape is an
//!   error that lists every format ptuplan reads.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::UsageError;

/// Bytes buffered per input (also the window used to sniff the format).
const BUF_BYTES: usize = 256 * 1024;

/// A usage-log format: which source wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Per-request CSV with ptuplan's column names (the fast path).
    Csv,
    /// Per-request JSON Lines with an OpenAI `usage` object (the fast path).
    Jsonl,
    /// ptuplan's per-bucket aggregate (`bucket_start`, `bucket`, `requests`, token sums).
    Aggregate,
    /// Any table through a `--columns` mapping (or ptuplan's column names in JSON/Parquet).
    Columns,
    /// Azure Monitor platform metrics (`az monitor metrics list -o json`, the Metrics REST API).
    AzureMonitor,
    /// A Log Analytics `AzureMetrics` export (resource-level minutes).
    AzureMetrics,
    /// Azure OpenAI `RequestResponse` diagnostic records (arrivals, no tokens).
    AzureDiagnostics,
    /// An APIM `ApiManagementGatewayLlmLog` export.
    Apim,
    /// LiteLLM `LiteLLM_SpendLogs`.
    LiteLlm,
    /// OpenAI Usage API `/v1/organization/usage/completions` pages.
    OpenAiUsage,
    /// A Langfuse observations export.
    Langfuse,
    /// A Parquet file of any columnar shape above (the shape is read from its schema).
    Parquet,
}

/// Every format, with its `--input-format` name and what it is (for help and errors).
pub const FORMATS: [(InputFormat, &str, &str); 12] = [
    (InputFormat::Csv, "csv", "per-request CSV: timestamp,deployment,model,region,prompt_tokens,cached_tokens,completion_tokens,..."),
    (InputFormat::Jsonl, "jsonl", "per-request JSON Lines with an OpenAI `usage` object (Chat Completions or Responses)"),
    (InputFormat::Aggregate, "aggregate", "per-bucket totals: bucket_start,bucket,deployment,model,region,requests,prompt_tokens,... (CSV, JSON or Parquet; what queries/ write)"),
    (InputFormat::AzureMonitor, "azure-monitor", "Azure Monitor metrics JSON (az monitor metrics list -o json)"),
    (InputFormat::AzureMetrics, "azure-metrics", "Log Analytics AzureMetrics export (TimeGenerated, MetricName, Total)"),
    (InputFormat::AzureDiagnostics, "azure-diagnostics", "Azure OpenAI RequestResponse diagnostic logs, together with Azure Monitor metrics"),
    (InputFormat::Apim, "apim", "APIM ApiManagementGatewayLlmLog export (portal CSV or az monitor log-analytics query -o json)"),
    (InputFormat::LiteLlm, "litellm", "LiteLLM_SpendLogs (CSV, /spend/logs JSON, Postgres COPY)"),
    (InputFormat::OpenAiUsage, "openai-usage", "OpenAI Usage API /v1/organization/usage/completions pages (JSON)"),
    (InputFormat::Langfuse, "langfuse", "Langfuse observations export (CSV, JSON Lines, Parquet)"),
    (InputFormat::Columns, "columns", "any CSV, JSON or Parquet table through --columns timestamp=COL,prompt_tokens=COL,..."),
    (InputFormat::Parquet, "parquet", "a Parquet file of any of the table shapes above"),
];

impl InputFormat {
    /// The `--input-format` name.
    pub fn name(self) -> &'static str {
        FORMATS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or("?", |(_, n, _)| n)
    }

    /// True for the per-request fast paths (read by `csv.rs` / `jsonl.rs`, also in parallel).
    pub fn is_fast_path(self) -> bool {
        matches!(self, InputFormat::Csv | InputFormat::Jsonl)
    }
}

/// The list of formats for error messages.
pub fn formats_list() -> String {
    FORMATS
        .iter()
        .map(|(_, name, what)| format!("{name} ({what})"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// How the bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A header row, then rows.
    Csv,
    /// One JSON value per line.
    JsonLines,
    /// One JSON array or object over the whole input.
    JsonDocument,
    /// Apache Parquet.
    Parquet,
}

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// Bytes built into the binary (the bundled sample), with a display name.
    Bundled {
        /// Display name.
        name: &'static str,
        /// The content.
        bytes: &'static [u8],
    },
    /// Bytes in memory (tests and fuzz targets), with a display name.
    Memory {
        /// Display name.
        name: String,
        /// The content.
        bytes: std::sync::Arc<[u8]>,
    },
}

impl InputSource {
    /// `-` means stdin, anything else a file.
    pub fn from_arg(path: &Path) -> InputSource {
        if path == Path::new("-") {
            InputSource::Stdin
        } else {
            InputSource::File(path.to_owned())
        }
    }

    /// Display name: the path, `-`, or the bundled name.
    pub fn name(&self) -> String {
        match self {
            InputSource::File(p) => p.display().to_string(),
            InputSource::Stdin => "-".to_owned(),
            InputSource::Bundled { name, .. } => (*name).to_owned(),
            InputSource::Memory { name, .. } => name.clone(),
        }
    }
}

/// One input to read and an optional format override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// Where the bytes come from.
    pub source: InputSource,
    /// Forced format; `None` = detect.
    pub format: Option<InputFormat>,
}

/// An opened input, ready to read.
pub struct OpenedInput {
    /// Display name (the path, or `-`).
    pub name: String,
    /// The detected or forced format.
    pub format: InputFormat,
    /// How the bytes are laid out.
    pub container: Container,
    /// Decompressed content (for Parquet: unused; see `parquet_path`).
    pub reader: Box<dyn BufRead + Send>,
    /// A Parquet input as a local file (stdin and gzip are copied to a temp file first).
    pub parquet_path: Option<PathBuf>,
    /// Keeps that temp file alive.
    pub parquet_temp: Option<tempfile::TempPath>,
}

/// Open an input and detect its container and format.
pub fn open_input(spec: &InputSpec) -> Result<OpenedInput, UsageError> {
    let name = spec.source.name();
    let io_err = |source| UsageError::Io {
        path: name.clone(),
        source,
    };
    let raw: Box<dyn Read + Send> = match &spec.source {
        InputSource::File(path) => Box::new(File::open(path).map_err(io_err)?),
        InputSource::Stdin => Box::new(io::stdin()),
        InputSource::Bundled { bytes, .. } => Box::new(*bytes),
        InputSource::Memory { bytes, .. } => Box::new(io::Cursor::new(bytes.clone())),
    };
    let mut buffered = BufReader::with_capacity(BUF_BYTES, raw);
    let is_gzip = buffered
        .fill_buf()
        .map_err(io_err)?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead + Send> = if is_gzip {
        Box::new(BufReader::with_capacity(
            BUF_BYTES,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    let head = reader.fill_buf().map_err(io_err)?;
    if head.starts_with(b"PAR1") {
        let (parquet_path, parquet_temp) = match (&spec.source, is_gzip) {
            (InputSource::File(p), false) => (p.clone(), None),
            _ => {
                let temp = spool_to_temp(&mut reader).map_err(io_err)?;
                (temp.to_path_buf(), Some(temp))
            }
        };
        let columns = super::sources::parquet::column_names(&parquet_path, &name)?;
        let format = match spec.format {
            Some(InputFormat::Parquet) | None => shape_from_columns(&columns, Container::Parquet)
                .ok_or_else(|| unknown_shape(&name, &columns))?,
            Some(f) => f,
        };
        return Ok(OpenedInput {
            name,
            format,
            container: Container::Parquet,
            reader,
            parquet_path: Some(parquet_path),
            parquet_temp,
        });
    }
    // A NUL in the first line means a binary file; one in a later line is that row's problem
    // (the readers check every row, so the whole file is covered, not just this buffer).
    let first_line = memchr::memchr2(b'\n', b'\r', head).unwrap_or(head.len());
    if head[..first_line].contains(&0) {
        return Err(UsageError::File {
            path: name,
            message:
                "the content is binary (its first line contains NUL bytes), not a CSV, JSON or Parquet log"
                    .to_owned(),
        });
    }
    let container = sniff_container(head);
    let format = match spec.format {
        Some(InputFormat::Parquet) => {
            return Err(UsageError::File {
                path: name,
                message: "--input-format parquet, but the content is not Parquet (no PAR1 magic)"
                    .to_owned(),
            })
        }
        Some(f) => f,
        None => detect_format(head, container, &name)?,
    };
    Ok(OpenedInput {
        name,
        format,
        container,
        reader,
        parquet_path: None,
        parquet_temp: None,
    })
}

fn spool_to_temp(reader: &mut dyn BufRead) -> io::Result<tempfile::TempPath> {
    let mut file = tempfile::NamedTempFile::new()?;
    io::copy(reader, &mut file)?;
    file.flush()?;
    Ok(file.into_temp_path())
}

/// JSON when the first non-blank byte (after an optional BOM) is `{` or `[`: JSON Lines when
/// the first line is a complete value, else a document. Anything else is CSV.
fn sniff_container(head: &[u8]) -> Container {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Container::JsonDocument,
        Some(b'{') => {
            let start = body
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            let line_end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |e| start + e);
            let first = &body[start..line_end];
            match serde_json::from_slice::<serde::de::IgnoredAny>(first) {
                Ok(_) => Container::JsonLines,
                // A truncated first line of JSON Lines still reads as JSON Lines (its error
                // names the line); a first line that is just the start of an object is a document.
                Err(e) if e.is_eof() && first.trim_ascii().len() > 1 && line_end < body.len() => {
                    Container::JsonDocument
                }
                Err(_) if first.trim_ascii() == b"{" => Container::JsonDocument,
                Err(_) => Container::JsonLines,
            }
        }
        _ => Container::Csv,
    }
}

/// The format of a CSV or JSON input, from its first row's column names or keys.
fn detect_format(head: &[u8], container: Container, name: &str) -> Result<InputFormat, UsageError> {
    let columns = match container {
        Container::Csv => {
            let mut r = ::csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(head);
            let mut record = ::csv::ByteRecord::new();
            match r.read_byte_record(&mut record) {
                Ok(true) => record
                    .iter()
                    .map(|c| super::sources::table::normalize(&String::from_utf8_lossy(c)))
                    .collect(),
                // An empty or malformed file: the CSV reader says what is wrong.
                _ => return Ok(InputFormat::Csv),
            }
        }
        Container::JsonLines => {
            let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
            let first = body
                .split(|&b| b == b'\n')
                .map(<[u8]>::trim_ascii)
                .find(|l| !l.is_empty())
                .unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(first) {
                Ok(v) => first_row_keys(v),
                Err(_) => return Ok(InputFormat::Jsonl),
            }
        }
        Container::JsonDocument => match first_document_row(head) {
            Some(v) => first_row_keys(v),
            None => return Ok(InputFormat::Columns),
        },
        Container::Parquet => Vec::new(),
    };
    shape_from_columns(&columns, container).ok_or_else(|| unknown_shape(name, &columns))
}

fn first_row_keys(v: serde_json::Value) -> Vec<String> {
    match super::sources::table::unwrap_rows(v).into_iter().next() {
        Some(serde_json::Value::Object(map)) => map
            .keys()
            .map(|k| super::sources::table::normalize(k))
            .collect(),
        _ => Vec::new(),
    }
}

/// The first row of a JSON document, when it fits in the sniffing window.
fn first_document_row(head: &[u8]) -> Option<serde_json::Value> {
    // Close the window's text at the first row's end: parse rows of a prefix document.
    let rows = super::sources::table::document_rows(head, "").ok();
    if let Some(rows) = rows {
        return rows.into_iter().next().map(|(_, v)| v);
    }
    super::sources::table::first_row_of_prefix(head)
}

/// Which source wrote a table with these (normalized) columns.
pub fn shape_from_columns(cols: &[String], container: Container) -> Option<InputFormat> {
    let has = |n: &str| cols.iter().any(|c| c == n);
    let any = |ns: &[&str]| ns.iter().any(|n| has(n));
    if has("bucket_start") || has("bucket_start [utc]") {
        return Some(InputFormat::Aggregate);
    }
    if has("timeseries") || (has("value") && any(&["interval", "timespan"])) {
        return Some(InputFormat::AzureMonitor);
    }
    if has("metricname") && any(&["total", "average", "count"]) {
        return Some(InputFormat::AzureMetrics);
    }
    if has("category")
        && any(&[
            "operationname",
            "properties",
            "properties_s",
            "resultsignature",
        ])
    {
        return Some(InputFormat::AzureDiagnostics);
    }
    if any(&["prompttokens", "completiontokens"]) && any(&["deploymentname", "correlationid"]) {
        return Some(InputFormat::Apim);
    }
    if has("model_group") || (has("spend") && any(&["starttime", "request_id"])) {
        return Some(InputFormat::LiteLlm);
    }
    if any(&["usagedetails", "usage_details", "providedmodelname"])
        || (has("type") && has("starttime") && any(&["prompttokens", "usage", "totaltokens"]))
    {
        return Some(InputFormat::Langfuse);
    }
    if has("num_model_requests") || (has("start_time") && has("end_time") && has("results")) {
        return Some(InputFormat::OpenAiUsage);
    }
    match container {
        Container::Csv
            if any(&[
                "timestamp",
                "prompt_tokens",
                "completion_tokens",
                "model",
                "deployment",
            ]) =>
        {
            Some(InputFormat::Csv)
        }
        Container::JsonLines
            if has("usage")
                || (any(&["timestamp", "time", "created", "created_at", "model"])
                    && !has("prompt_tokens")) =>
        {
            Some(InputFormat::Jsonl)
        }
        _ if has("timestamp") && any(&["prompt_tokens", "completion_tokens"]) => {
            Some(InputFormat::Columns)
        }
        _ if has("usage") => Some(InputFormat::Columns),
        _ => None,
    }
}

/// The error for a table no reader recognises.
pub fn unknown_shape(name: &str, columns: &[String]) -> UsageError {
    let mut shown: Vec<&str> = columns.iter().map(String::as_str).take(20).collect();
    if columns.len() > 20 {
        shown.push("...");
    }
    UsageError::File {
        path: name.to_owned(),
        message: format!(
            "cannot tell which source wrote this (columns or keys: {}); ptuplan reads: {}. Pass --input-format NAME, or map your columns with --columns timestamp=COL,model=COL,prompt_tokens=COL,completion_tokens=COL",
            if shown.is_empty() { "none".to_owned() } else { shown.join(", ") },
            formats_list()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sniffs_containers_from_content() {
        assert_eq!(
            sniff_container(b"\xEF\xBB\xBF  {\"a\":1}\n{\"a\":2}"),
            Container::JsonLines
        );
        assert_eq!(
            sniff_container(b"{\n  \"value\": []\n}"),
            Container::JsonDocument
        );
        assert_eq!(sniff_container(b"[{\"a\":1}]"), Container::JsonDocument);
        assert_eq!(sniff_container(b"{\"a\":"), Container::JsonLines);
        assert_eq!(sniff_container(b"timestamp,model"), Container::Csv);
    }

    #[test]
    fn recognises_each_source_by_its_columns() {
        let cases: [(&[&str], InputFormat); 9] = [
            (
                &["bucket_start", "bucket", "requests"],
                InputFormat::Aggregate,
            ),
            (
                &["timegenerated [utc]", "metricname", "total"],
                InputFormat::AzureMetrics,
            ),
            (
                &[
                    "timegenerated [utc]",
                    "correlationid",
                    "deploymentname",
                    "prompttokens",
                ],
                InputFormat::Apim,
            ),
            (
                &["request_id", "starttime", "model_group", "spend"],
                InputFormat::LiteLlm,
            ),
            (
                &["id", "type", "starttime", "usagedetails"],
                InputFormat::Langfuse,
            ),
            (
                &["object", "start_time", "end_time", "results"],
                InputFormat::OpenAiUsage,
            ),
            (
                &["time", "category", "operationname", "properties"],
                InputFormat::AzureDiagnostics,
            ),
            (&["name", "timeseries", "unit"], InputFormat::AzureMonitor),
            (
                &["timestamp", "model", "prompt_tokens", "completion_tokens"],
                InputFormat::Csv,
            ),
        ];
        for (names, expected) in cases {
            assert_eq!(
                shape_from_columns(&cols(names), Container::Csv),
                Some(expected),
                "{names:?}"
            );
        }
        assert_eq!(
            shape_from_columns(&cols(&["foo", "bar"]), Container::Csv),
            None
        );
        assert_eq!(
            shape_from_columns(&cols(&["model", "usage", "created"]), Container::JsonLines),
            Some(InputFormat::Jsonl)
        );
    }
}
