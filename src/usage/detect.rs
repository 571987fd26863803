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

use flate2::read::MultiGzDecoder;

use super::formats::{self, choose_table, Refusal};
use super::json_scan::{
    find_row_array, first_record_state, for_each_entry, skip_ws, value_end, FirstRecord, RowCursor,
};
use super::read_ahead::ReadAhead;
use super::UsageError;

pub use super::formats::{formats_list, Container, InputFormat, FORMATS};
pub use super::input::{ChosenBy, Head, InputSource, InputSpec, OpenedInput, HEAD_BYTES};

/// Bytes buffered per input.
const BUF_BYTES: usize = 256 * 1024;

/// Most bytes read ahead to find the end of an input's first record (a JSON document's first
/// row can be large: one Azure Monitor metric with all its series). Past it, detection gives
/// up and asks for `--input-format`.
pub const MAX_READ_AHEAD_BYTES: usize = 64 << 20;

/// `reader`'s first [`HEAD_BYTES`] (a file is read that far; stdin only as far as it has sent,
/// `wait` false), and a reader that still yields every byte.
fn head_of(
    mut reader: Box<dyn BufRead + Send>,
    wait: bool,
) -> io::Result<(Box<dyn BufRead + Send>, Head)> {
    let head = reader.fill_buf()?;
    if head.len() >= HEAD_BYTES || !wait {
        let bytes = head[..head.len().min(HEAD_BYTES)].to_vec();
        return Ok((reader, Head { bytes }));
    }
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    (&mut reader)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut buf)?;
    let head = Head { bytes: buf.clone() };
    Ok((Box::new(io::Cursor::new(buf).chain(reader)), head))
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
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted = Counted {
            inner: buffered,
            read: read.clone(),
        };
        // Inflated on a second thread, while this one parses (see `read_ahead`).
        let inflate = RatioGuard {
            inner: MultiGzDecoder::new(BufReader::with_capacity(64 << 10, counted)),
            compressed: read,
            out: 0,
        };
        Box::new(ReadAhead::new(inflate).map_err(io_err)?)
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
    let (reader, complete) = read_ahead(reader).map_err(io_err)?;
    let wait = !matches!(spec.source, InputSource::Stdin);
    let (mut reader, head_digest) = head_of(reader, wait).map_err(io_err)?;
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
        head: Some(head_digest),
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
    let head = File::open(&parquet_path)
        .and_then(|f| {
            let mut bytes = Vec::with_capacity(HEAD_BYTES);
            f.take(HEAD_BYTES as u64).read_to_end(&mut bytes)?;
            Ok(Head { bytes })
        })
        .map_err(|source| UsageError::Io {
            path: name.clone(),
            source,
        })?;
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
        head: Some(head),
    })
}

/// Decompressed bytes past which a gzip input must stay under [`MAX_GZIP_RATIO`].
const GZIP_RATIO_FROM_BYTES: u64 = 64 << 20;
/// Most decompressed bytes per compressed byte read: gzip's own limit is about 1,032, which only
/// a file built to expand (a "gzip bomb") comes near; real logs compress 5-50 times.
const MAX_GZIP_RATIO: u64 = 500;

/// Counts the bytes read from a compressed source.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Stops a decompression that expands past [`MAX_GZIP_RATIO`] once it has produced
/// [`GZIP_RATIO_FROM_BYTES`]: the work and memory a tiny file may cause stay bounded.
struct RatioGuard<R> {
    inner: R,
    compressed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    out: u64,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let compressed = self
            .compressed
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(1);
        if self.out > GZIP_RATIO_FROM_BYTES && self.out / compressed > MAX_GZIP_RATIO {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the gzip content expands more than {MAX_GZIP_RATIO} times ({} MiB from {} KiB), as only a file built to expand does; decompress it yourself if it is a real log",
                    self.out >> 20,
                    compressed >> 10
                ),
            ));
        }
        Ok(n)
    }
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
            first_row_keys(first)
        }
        Container::JsonDocument => first_row_keys(body),
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

/// The keys of the first row of a JSON text (a line, or a document) or of its prefix, sorted
/// and without repeats as a parsed object lists them: of the first element of its rows' array
/// ([`row_ranges`]), or of the text itself. The text is scanned, never parsed into a tree:
/// a document's first row may be large (one Azure Monitor metric with all its series).
fn first_row_keys(text: &[u8]) -> Vec<String> {
    // A whole text: the first of its rows; a prefix (a line or document longer than the
    // read-ahead), or a text whose rows the reader will refuse (two row arrays): the first
    // row of its first row array, when it is there whole.
    let whole = serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok();
    let first = whole
        .then(|| RowCursor::new(text).ok())
        .flatten()
        .map(|mut rows| rows.next(text).map(|(start, _)| start))
        .unwrap_or_else(|| {
            let start = skip_ws(text, 0);
            find_row_array(text, start)
                .ok()
                .flatten()
                .map(|array| skip_ws(text, array + 1))
                .filter(|&i| matches!(text.get(i), Some(b'{')) && value_end(text, i).is_ok())
        });
    // Distinct keys as they are scanned: a row of millions of members repeating a few keys
    // costs those few.
    let mut keys = std::collections::BTreeSet::new();
    let complete = first.and_then(|start| {
        for_each_entry(text, start, |key, _| {
            if !keys.contains(key.as_ref()) {
                keys.insert(key.into_owned());
            }
        })
    });
    match complete {
        Some(()) => keys.into_iter().collect(),
        None => Vec::new(),
    }
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

    /// A gzip bomb (900 KB that expands to 1 GB) was read whole into memory: the
    /// decompression stops once it passes 64 MiB at more than 500 bytes per compressed byte.
    #[test]
    fn issue_19_a_decompression_bomb_is_stopped() {
        let compressed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(100 << 10));
        let mut guard = RatioGuard {
            inner: io::repeat(b' ').take(80 << 20),
            compressed: compressed.clone(),
            out: 0,
        };
        let err = io::copy(&mut guard, &mut io::sink()).expect_err("stopped");
        assert!(
            err.to_string().contains("expands more than 500 times"),
            "{err}"
        );
        // The same output from enough compressed input reads through.
        compressed.store(1 << 20, std::sync::atomic::Ordering::Relaxed);
        let mut fine = RatioGuard {
            inner: io::repeat(b' ').take(80 << 20),
            compressed,
            out: 0,
        };
        assert_eq!(
            io::copy(&mut fine, &mut io::sink()).expect("reads"),
            80 << 20
        );
    }

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

    /// One file of `n` rows in each shape ptuplan detects, every row padded with `pad` bytes of
    /// text (so that ten times the rows run far past any read-ahead buffer), and the format it
    /// must be detected as.
    fn shaped(kind: usize, n: usize, pad: &str) -> (Vec<u8>, InputFormat) {
        let t = |i: usize| {
            format!(
                "2026-03-01T{:02}:{:02}:{:02}Z",
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            )
        };
        let rows = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>();
        let lines = |header: &str, f: &dyn Fn(usize) -> String| {
            let mut s = format!("{header}\n");
            for r in rows(f) {
                s.push_str(&r);
                s.push('\n');
            }
            s.into_bytes()
        };
        match kind {
            0 => (
                lines("timestamp,deployment,model,region,prompt_tokens,completion_tokens,note", &|i| {
                    format!("{},chat,gpt-4o,eastus2,10,1,{pad}", t(i))
                }),
                InputFormat::Csv,
            ),
            1 => (
                lines("", &|i| {
                    serde_json::json!({"timestamp": t(i), "model": "gpt-4o", "note": pad,
                        "usage": {"prompt_tokens": 10, "completion_tokens": 1}})
                    .to_string()
                })[1..]
                    .to_vec(),
                InputFormat::Jsonl,
            ),
            2 => (
                lines("bucket_start,bucket,model,region,requests,prompt_tokens,completion_tokens,note", &|i| {
                    format!("{},second,gpt-4o,eastus2,1,10,1,{pad}", t(i))
                }),
                InputFormat::Aggregate,
            ),
            3 => (
                lines("TimeGenerated [UTC],CorrelationId,DeploymentName,ModelName,PromptTokens,CompletionTokens,Region,Note", &|i| {
                    format!("{},c-{i},chat,gpt-4o,10,1,East US 2,{pad}", t(i))
                }),
                InputFormat::Apim,
            ),
            4..=6 => {
                let list: Vec<serde_json::Value> = (0..n)
                    .map(|i| {
                        serde_json::json!({"request_id": format!("r{i}"), "startTime": t(i),
                            "model": "gpt-4o", "model_group": "chat", "spend": 0.1,
                            "prompt_tokens": 10, "completion_tokens": 1, "metadata": pad})
                    })
                    .collect();
                let bytes = match kind {
                    4 => serde_json::json!({"data": list}).to_string().into_bytes(),
                    5 => serde_json::to_vec_pretty(&serde_json::json!({"data": list}))
                        .expect("json"),
                    _ => lines("request_id,startTime,model,model_group,spend,prompt_tokens,completion_tokens,metadata", &|i| {
                        format!("r{i},{},gpt-4o,chat,0.1,10,1,{pad}", t(i))
                    }),
                };
                (bytes, InputFormat::LiteLlm)
            }
            7 | 8 => {
                let data: Vec<serde_json::Value> = (0..n)
                    .map(|i| {
                        let start = 1_772_359_200 + 60 * i as i64;
                        serde_json::json!({"object": "bucket", "start_time": start,
                            "end_time": start + 60, "results": [{"input_tokens": 10,
                            "output_tokens": 1, "num_model_requests": 1, "model": "gpt-4o",
                            "project_id": pad}]})
                    })
                    .collect();
                let page = serde_json::json!({"object": "page", "data": data});
                let bytes = if kind == 7 {
                    page.to_string().into_bytes()
                } else {
                    serde_json::to_vec_pretty(&page).expect("json")
                };
                (bytes, InputFormat::OpenAiUsage)
            }
            9 => {
                let series: Vec<serde_json::Value> = (0..n)
                    .map(|i| {
                        let data: Vec<serde_json::Value> = (0..10)
                            .map(|m| serde_json::json!({"timeStamp": t(m * 60), "total": 10.0}))
                            .collect();
                        serde_json::json!({"metadatavalues": [
                            {"name": {"value": "modeldeploymentname"}, "value": format!("d{i}")},
                            {"name": {"value": "note"}, "value": pad}], "data": data})
                    })
                    .collect();
                let doc = serde_json::json!({"interval": "PT1M", "timespan": "x", "value": [{
                    "name": {"value": "ProcessedPromptTokens"}, "timeseries": series}]});
                (
                    serde_json::to_vec_pretty(&doc).expect("json"),
                    InputFormat::AzureMonitor,
                )
            }
            10 => (
                lines("TimeGenerated,MetricName,Total,Resource,Note", &|i| {
                    format!("{},ProcessedPromptTokens,10,contoso,{pad}", t(i * 60))
                }),
                InputFormat::AzureMetrics,
            ),
            11 => (
                lines("", &|i| {
                    serde_json::json!({"time": t(i), "category": "RequestResponse",
                        "operationName": "ChatCompletions_Create", "durationMs": 10,
                        "properties": pad})
                    .to_string()
                })[1..]
                    .to_vec(),
                InputFormat::AzureDiagnostics,
            ),
            12 => (
                lines("", &|i| {
                    serde_json::json!({"type": "GENERATION", "startTime": t(i), "model": "gpt-4o",
                        "usageDetails": {"input": 10, "output": 1}, "name": pad})
                    .to_string()
                })[1..]
                    .to_vec(),
                InputFormat::Langfuse,
            ),
            _ => (
                lines("TimeGenerated,DeploymentName,ModelName,Region,PromptTokens,CachedTokens,CompletionTokens,StatusCode,Note", &|i| {
                    format!("{},chat,gpt-4o,eastus2,10,0,1,200,{pad}", t(i))
                }),
                InputFormat::Columns,
            ),
        }
    }

    fn detected(bytes: Vec<u8>) -> Result<InputFormat, String> {
        let spec = InputSpec {
            source: InputSource::Memory {
                name: "input".to_owned(),
                bytes: bytes.into(),
            },
            format: None,
        };
        open_input(&spec)
            .map(|o| o.format)
            .map_err(|e| e.to_string())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]

        /// Issue 19: detection reads to the first record, so a file and the same file with
        /// ten times the rows (past the 256 KiB buffer) are detected alike.
        #[test]
        fn issue_19_detection_does_not_depend_on_the_number_of_rows(
            kind in 0usize..14,
            n in 1usize..30,
            pad in 0usize..3000,
        ) {
            let pad = "x".repeat(pad);
            let (small, want) = shaped(kind, n, &pad);
            let (large, _) = shaped(kind, 10 * n, &pad);
            proptest::prop_assert_eq!(detected(small), Ok(want));
            proptest::prop_assert_eq!(detected(large), Ok(want));
        }
    }

    #[test]
    fn issue_19_every_shape_is_detected_past_the_buffer() {
        for kind in 0..14 {
            let (large, want) = shaped(kind, 400, &"y".repeat(2000));
            assert!(large.len() > 2 * BUF_BYTES, "{kind}: {} bytes", large.len());
            assert_eq!(detected(large), Ok(want), "{kind}");
        }
    }
}
