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

use super::formats::{self, choose_table, Refusal};
use super::json_scan::{
    first_record_state, first_row_of_prefix, unwrap_rows, value_end, FirstRecord,
};
use super::UsageError;

pub use super::formats::{formats_list, Container, InputFormat, FORMATS};

/// Bytes buffered per input.
const BUF_BYTES: usize = 256 * 1024;

/// Most bytes read ahead to find the end of an input's first record (a JSON document's first
/// row can be large: one Azure Monitor metric with all its series). Past it, detection gives
/// up and asks for `--input-format`.
pub const MAX_READ_AHEAD_BYTES: usize = 64 << 20;

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

/// How an input's format was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    /// From its columns, keys or schema.
    Detected,
    /// `--input-format` (or `--columns`).
    Flag,
}

impl ChosenBy {
    /// The words in reports: `detected` or `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            ChosenBy::Detected => "detected",
            ChosenBy::Flag => "--input-format",
        }
    }
}

/// An opened input, ready to read.
pub struct OpenedInput {
    /// Display name (the path, or `-`).
    pub name: String,
    /// The detected or forced format.
    pub format: InputFormat,
    /// How the format was decided.
    pub chosen_by: ChosenBy,
    /// How the bytes are laid out.
    pub container: Container,
    /// The column names (CSV header, first JSON row's keys, Parquet schema) as written.
    pub columns: Vec<String>,
    /// Decompressed content (for Parquet: unused; see `parquet_path`).
    pub reader: Box<dyn BufRead + Send>,
    /// A Parquet input as a local file (stdin and gzip are copied to a temp file first).
    pub parquet_path: Option<PathBuf>,
    /// Keeps that temp file alive.
    pub parquet_temp: Option<tempfile::TempPath>,
}

/// Open an input and detect its container and format. The input is read up to the end of its
/// first record (at most [`MAX_READ_AHEAD_BYTES`]), so the decision is the same whatever the
/// input's size.
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
        return open_parquet(spec, name, reader, is_gzip);
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
    let (mut reader, complete) = read_ahead(reader).map_err(io_err)?;
    let head = reader.fill_buf().map_err(io_err)?;
    let container = sniff_container(head);
    let (format, columns, chosen_by) = match spec.format {
        Some(InputFormat::Parquet) => {
            return Err(UsageError::File {
                path: name,
                message: "--input-format parquet, but the content is not Parquet (no PAR1 magic)"
                    .to_owned(),
            })
        }
        Some(f) => (f, column_names(head, container), ChosenBy::Flag),
        None => {
            let columns = column_names(head, container);
            let format = detect_format(&columns, container, &name, complete)?;
            (format, columns, ChosenBy::Detected)
        }
    };
    Ok(OpenedInput {
        name,
        format,
        chosen_by,
        container,
        columns,
        reader,
        parquet_path: None,
        parquet_temp: None,
    })
}

fn open_parquet(
    spec: &InputSpec,
    name: String,
    mut reader: Box<dyn BufRead + Send>,
    is_gzip: bool,
) -> Result<OpenedInput, UsageError> {
    let (parquet_path, parquet_temp) = match (&spec.source, is_gzip) {
        (InputSource::File(p), false) => (p.clone(), None),
        _ => {
            let temp = spool_to_temp(&mut reader).map_err(|source| UsageError::Io {
                path: name.clone(),
                source,
            })?;
            (temp.to_path_buf(), Some(temp))
        }
    };
    let columns = super::sources::parquet::column_names(&parquet_path, &name)?;
    let (format, chosen_by) = match spec.format {
        Some(InputFormat::Parquet) | None => {
            let format = detect_format(&columns, Container::Parquet, &name, true)?;
            let by = if spec.format.is_some() {
                ChosenBy::Flag
            } else {
                ChosenBy::Detected
            };
            (format, by)
        }
        Some(f) => (f, ChosenBy::Flag),
    };
    Ok(OpenedInput {
        name,
        format,
        chosen_by,
        container: Container::Parquet,
        columns,
        reader,
        parquet_path: Some(parquet_path),
        parquet_temp,
    })
}

/// Read on until the buffered bytes hold the input's first record (or the input ends, or
/// [`MAX_READ_AHEAD_BYTES`] are read). The returned reader yields every byte from the start;
/// the flag says whether the first record is complete.
fn read_ahead(mut reader: Box<dyn BufRead + Send>) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    let head = reader.fill_buf()?;
    if head.is_empty() || first_record_state(head) == FirstRecord::Complete {
        return Ok((reader, true));
    }
    let mut buf = head.to_vec();
    let used = buf.len();
    reader.consume(used);
    let mut complete = false;
    while buf.len() < MAX_READ_AHEAD_BYTES {
        let want = buf.len().clamp(1 << 16, MAX_READ_AHEAD_BYTES - buf.len());
        let n = (&mut reader).take(want as u64).read_to_end(&mut buf)?;
        if first_record_state(&buf) == FirstRecord::Complete {
            complete = true;
            break;
        }
        if n == 0 {
            // The input ends inside its first record: the readers report what is wrong.
            complete = true;
            break;
        }
    }
    Ok((Box::new(io::Cursor::new(buf).chain(reader)), complete))
}

fn spool_to_temp(reader: &mut dyn BufRead) -> io::Result<tempfile::TempPath> {
    let mut file = tempfile::NamedTempFile::new()?;
    io::copy(reader, &mut file)?;
    file.flush()?;
    Ok(file.into_temp_path())
}

/// JSON when the first non-blank byte (after an optional BOM) is `{` or `[`: JSON Lines when
/// the first value fits on one line, a document when it spans lines (or is an array).
/// Anything else is CSV. `head` holds the first record whole (see [`read_ahead`]).
fn sniff_container(head: &[u8]) -> Container {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    match body.get(start) {
        Some(b'[') => Container::JsonDocument,
        Some(b'{') => {
            if let Ok(end) = value_end(body, start) {
                return if body[start..end].contains(&b'\n') {
                    Container::JsonDocument
                } else {
                    Container::JsonLines
                };
            }
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

/// The column names of a CSV or JSON input as written: the header, or the keys of the first
/// row (of a document's row array, or inside a `{"data": [...]}` line).
fn column_names(head: &[u8], container: Container) -> Vec<String> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match container {
        Container::Csv => {
            let mut r = ::csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(body);
            let mut record = ::csv::ByteRecord::new();
            match r.read_byte_record(&mut record) {
                Ok(true) => record
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).trim().to_owned())
                    .collect(),
                _ => Vec::new(),
            }
        }
        Container::JsonLines => {
            let first = body
                .split(|&b| b == b'\n')
                .map(<[u8]>::trim_ascii)
                .find(|l| !l.is_empty())
                .unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(first) {
                Ok(v) => first_row_keys(v),
                Err(_) => first_row_of_prefix(first)
                    .map(first_row_keys)
                    .unwrap_or_default(),
            }
        }
        Container::JsonDocument => match first_document_row(body) {
            Some(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        },
        Container::Parquet => Vec::new(),
    }
}

/// The format of an input from its column names (see [`formats::choose_table`]); an error
/// that names the candidates and `--input-format` when none fits.
fn detect_format(
    columns: &[String],
    container: Container,
    name: &str,
    complete: bool,
) -> Result<InputFormat, UsageError> {
    if columns.is_empty() {
        return match container {
            // An empty or malformed file: the reader says what is wrong.
            Container::Csv => Ok(InputFormat::Csv),
            Container::JsonLines => Ok(InputFormat::Jsonl),
            Container::JsonDocument if complete => Ok(InputFormat::Columns),
            _ => Err(unknown_shape(name, columns, complete)),
        };
    }
    match choose_table(columns, container) {
        Ok(format) => Ok(format),
        Err(Refusal::Unknown) => Err(unknown_shape(name, columns, complete)),
        Err(Refusal::Unread { format, unread }) => Err(UsageError::File {
            path: name.to_owned(),
            message: formats::unread_message(format, &unread, false),
        }),
    }
}

fn first_row_keys(v: serde_json::Value) -> Vec<String> {
    match unwrap_rows(v).into_iter().next() {
        Some(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The first row of a JSON document (whole, or a prefix holding its first row).
fn first_document_row(body: &[u8]) -> Option<serde_json::Value> {
    if let Ok(rows) = super::sources::table::document_rows(body, "") {
        return rows.into_iter().next().map(|(_, v)| v);
    }
    first_row_of_prefix(body)
}

/// The error for a table no reader recognises: its columns, every format ptuplan reads, and
/// the flags that say how to read it.
pub fn unknown_shape(name: &str, columns: &[String], complete: bool) -> UsageError {
    let mut shown: Vec<String> = columns
        .iter()
        .map(|c| formats::exact_name(c))
        .take(20)
        .collect();
    if columns.len() > 20 {
        shown.push("...".to_owned());
    }
    let cut = if complete {
        String::new()
    } else {
        format!(
            " (its first record does not end within the first {} MiB)",
            MAX_READ_AHEAD_BYTES >> 20
        )
    };
    UsageError::File {
        path: name.to_owned(),
        message: format!(
            "cannot tell which source wrote this{cut} (columns or keys: {}); ptuplan reads: {}. Pass --input-format NAME, or map your columns with --columns timestamp=COL,model=COL,prompt_tokens=COL,completion_tokens=COL",
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
                choose_table(&cols(names), Container::Csv),
                Ok(expected),
                "{names:?}"
            );
        }
        assert_eq!(
            choose_table(&cols(&["foo", "bar"]), Container::Csv),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            choose_table(&cols(&["model", "usage", "created"]), Container::JsonLines),
            Ok(InputFormat::Jsonl)
        );
    }
}
