//! Tables: the rows of a CSV file (header row), of JSON (JSON Lines of objects, an array of
//! objects, or a document whose `data`/`value`/`rows`/`logs` array holds them) or of a Parquet
//! file, as cells found by column name (case-insensitive).
//!
//! CSV, JSON Lines and Parquet stream with constant memory. A JSON document (one array or
//! object over the whole file, as `az ... -o json` writes it) streams its rows when their
//! array starts within its first MiB; any other document is read whole, up to
//! [`MAX_JSON_DOCUMENT_BYTES`]. A text held whole (such a document, or a JSON Lines line that
//! is a whole API page) is scanned for its rows' byte ranges and each row is parsed when it is
//! read, so it costs its own bytes, never a parsed tree of them. Rows carry their line numbers.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use serde_json::Value;

use super::cells::Cell;
use crate::usage::csv_split::{CsvSplitter, Record, SplitError};
use crate::usage::formats::{Container, InputFormat};
use crate::usage::input::OpenedInput;
use crate::usage::json_scan::{self, find_row_array, row_ranges, skip_ws, value_end, TwoRowArrays};
use crate::usage::lines::MAX_LINE_BYTES;
use crate::usage::rows;
use crate::usage::UsageError;

/// Largest JSON document read whole (one whose rows' array does not start within its first
/// MiB; others stream at any size), in bytes: held as bytes, it is bounded like a line.
pub const MAX_JSON_DOCUMENT_BYTES: u64 = MAX_LINE_BYTES as u64;

/// Column names (trimmed, lower case), in first-seen order. A column is found by that name or
/// by its loose name ([`crate::usage::formats::loose`]: separators and a `[UTC]` suffix aside),
/// so readers that ask for `prompttokens` find `prompt_tokens` and `PromptTokens` alike.
#[derive(Debug, Default, Clone)]
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
    loose: HashMap<String, usize>,
    version: u64,
}

impl Header {
    /// A header from names as written.
    pub fn from_names<'n>(names: impl IntoIterator<Item = &'n str>) -> Header {
        let mut h = Header::default();
        for n in names {
            h.index_of(n);
        }
        h
    }

    /// The column's index, adding it when new (JSON rows may bring new keys).
    fn index_of(&mut self, name: &str) -> usize {
        let key = crate::usage::formats::exact_name(name);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.names.len();
        self.loose
            .entry(crate::usage::formats::loose(&key))
            .or_insert(i);
        self.names.push(key.clone());
        self.index.insert(key, i);
        self.version += 1;
        i
    }

    /// The first of `aliases` (lower case, or loose) that is a column.
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases
            .iter()
            .find_map(|a| self.index.get(*a).or_else(|| self.loose.get(*a)).copied())
    }

    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Changes whenever a column is added (sources cache column indexes per version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// One row and the header its cells are indexed by.
pub struct Row<'a> {
    /// 1-based line of the row in the file (the row's first line).
    pub line: u64,
    /// True for Parquet rows: a null cell there is a missing value (pandas writes NaN as
    /// null), not an omitted one as an empty CSV cell or an absent JSON key is.
    pub columnar: bool,
    /// Column names.
    pub header: &'a Header,
    data: RowData<'a>,
}

enum RowData<'a> {
    Csv(Record<'a>),
    Values(&'a [Value]),
}

impl Row<'_> {
    /// The cell at column `index`.
    pub fn cell(&self, index: Option<usize>) -> Cell<'_> {
        let Some(i) = index else {
            return Cell::Absent;
        };
        match &self.data {
            RowData::Csv(r) => r.get(i).map_or(Cell::Absent, Cell::Bytes),
            RowData::Values(v) => v.get(i).map_or(Cell::Absent, Cell::Json),
        }
    }

    /// A token count at column `index`: like [`Cell::count`], except that a Parquet null is
    /// an error (a missing count would otherwise be priced as 0).
    pub fn tokens(
        &self,
        index: Option<usize>,
        field: &'static str,
    ) -> Result<Option<u64>, crate::usage::FieldProblem> {
        let cell = self.cell(index);
        if self.columnar && index.is_some() && matches!(cell, Cell::Json(Value::Null)) {
            return Err(crate::usage::FieldProblem::new(
                field,
                "null (pandas writes NaN so): this row's count is missing; fill it in (0 if there were none) or leave the column out",
            ));
        }
        cell.count(field)
    }

    /// The cell of the first of `aliases` present.
    pub fn get(&self, aliases: &[&str]) -> Cell<'_> {
        self.cell(self.header.find(aliases))
    }

    /// Number of cells (CSV: must match the header).
    pub fn width(&self) -> usize {
        match &self.data {
            RowData::Csv(r) => r.len(),
            RowData::Values(v) => v.len(),
        }
    }
}

/// Rows of one input.
pub struct Table {
    path: String,
    header: Header,
    kind: Kind,
    values: Vec<Value>,
    /// The reader the input was detected for (JSON rows' later keys are checked against it).
    format: InputFormat,
    /// A JSON document that is one page of a paged API response saying more pages follow
    /// (`"has_more": true`): its `next_page`, or `?`.
    pub more_pages: Option<String>,
}

enum Kind {
    Csv(Box<CsvSplitter<Box<dyn BufRead + Send>>>),
    JsonLines {
        lines: Box<CsvSplitter<Box<dyn BufRead + Send>>>,
        /// The rows of the last line read, when it held several (an API page).
        page: Option<HeldRows>,
    },
    JsonDocument(HeldRows),
    /// A document whose rows' array was found near its start: rows are read one at a time.
    JsonStream(Box<RowStream>),
    Parquet(Box<super::parquet::ParquetRows>),
}

/// Open `input` as a table.
pub fn open(input: OpenedInput, format: InputFormat) -> Result<Table, UsageError> {
    let path = input.name.clone();
    let mut more_pages = None;
    let (header, kind) = match input.container {
        Container::Csv => {
            let mut split = CsvSplitter::new(input.reader, MAX_LINE_BYTES, true);
            let names: Vec<String> = match split.next_record() {
                Ok(Some((_, header))) => header
                    .fields()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect(),
                Ok(None) => Vec::new(),
                Err(e) => return Err(split_error(&path, e)),
            };
            (
                Header::from_names(names.iter().map(String::as_str)),
                Kind::Csv(Box::new(split)),
            )
        }
        Container::JsonLines => (
            Header::default(),
            Kind::JsonLines {
                lines: Box::new(CsvSplitter::new(input.reader, MAX_LINE_BYTES, false)),
                page: None,
            },
        ),
        Container::JsonDocument => match RowStream::open(input.reader, &path)? {
            Ok(stream) => (Header::default(), Kind::JsonStream(Box::new(stream))),
            Err(bytes) => {
                let rows = HeldRows::document(bytes, &path)?;
                more_pages = more_pages_of(rows.text());
                (Header::default(), Kind::JsonDocument(rows))
            }
        },
        Container::Parquet => {
            let rows = super::parquet::ParquetRows::open(input)?;
            (
                Header::from_names(rows.columns().iter().map(String::as_str)),
                Kind::Parquet(Box::new(rows)),
            )
        }
    };
    Ok(Table {
        path,
        header,
        kind,
        values: Vec::new(),
        format,
        more_pages,
    })
}

/// The `next_page` of a JSON page (a whole document, or a line of JSON Lines) saying more
/// follow (`"has_more": true`, as the OpenAI API's list pages do), or `?` without one; `None`
/// for any other text. `text` is valid JSON; only its top-level keys are read.
fn more_pages_of(text: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default)]
        has_more: Option<Value>,
        #[serde(default)]
        next_page: Option<Value>,
    }
    memchr::memmem::find(text, b"\"has_more\"")?;
    let page: Page = serde_json::from_slice(text).ok()?;
    if page.has_more != Some(Value::Bool(true)) {
        return None;
    }
    Some(match page.next_page {
        Some(Value::String(next)) => next,
        _ => "?".to_owned(),
    })
}

/// A JSON text held whole (a document read whole, or a JSON Lines line holding a page), its
/// rows found as byte ranges ([`row_ranges`]) and parsed one at a time.
struct HeldRows {
    bytes: Vec<u8>,
    ranges: std::vec::IntoIter<(usize, usize)>,
    /// The line of `bytes[scanned]`.
    line: u64,
    scanned: usize,
    /// False for a JSON Lines line: every row is at that line.
    count_lines: bool,
}

impl HeldRows {
    /// The rows of a whole document (BOM included), checked to be valid JSON first.
    fn document(bytes: Vec<u8>, path: &str) -> Result<HeldRows, UsageError> {
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes[bom..]) {
            return Err(UsageError::Field {
                path: path.to_owned(),
                line: e.line().max(1) as u64,
                field: "json".to_owned(),
                message: json_problem(&e),
            });
        }
        let ranges: Vec<(usize, usize)> = row_ranges(&bytes[bom..])
            .map_err(|two| two_row_arrays(path, &bytes, bom + two.at, &two))?
            .into_iter()
            .map(|(a, b)| (a + bom, b + bom))
            .collect();
        Ok(HeldRows {
            bytes,
            ranges: ranges.into_iter(),
            line: 1,
            scanned: 0,
            count_lines: true,
        })
    }

    /// The rows of one valid JSON Lines line `text`, read at line `line`.
    fn line(text: &[u8], line: u64, path: &str) -> Result<HeldRows, UsageError> {
        let ranges = row_ranges(text).map_err(|two| UsageError::Field {
            path: path.to_owned(),
            line,
            field: two.second.to_owned(),
            message: two.to_string(),
        })?;
        Ok(HeldRows {
            ranges: ranges.into_iter(),
            bytes: text.to_vec(),
            line,
            scanned: 0,
            count_lines: false,
        })
    }

    fn text(&self) -> &[u8] {
        let bom = if self.bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        &self.bytes[bom..]
    }

    /// The next row and its line (valid JSON: the text was checked whole).
    fn next_row(&mut self, path: &str) -> Option<Result<(u64, Value), UsageError>> {
        let (start, end) = self.ranges.next()?;
        if self.count_lines {
            self.line +=
                memchr::memchr_iter(b'\n', &self.bytes[self.scanned..start]).count() as u64;
            self.scanned = start;
        }
        let line = self.line;
        Some(
            serde_json::from_slice(&self.bytes[start..end])
                .map(|v| (line, v))
                .map_err(|e| UsageError::Field {
                    path: path.to_owned(),
                    line,
                    field: "json".to_owned(),
                    message: json_problem(&e),
                }),
        )
    }
}

impl Table {
    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, UsageError> {
        let path = &self.path;
        match &mut self.kind {
            Kind::Csv(split) => {
                let (line, record) = match split.next_record() {
                    Ok(Some(next)) => next,
                    Ok(None) => return Ok(None),
                    Err(e) => return Err(split_error(path, e)),
                };
                if rows::ensure_no_nul(record.as_slice()).is_err() {
                    return Err(rows::nul_in_row(path, line));
                }
                Ok(Some(Row {
                    line,
                    columnar: false,
                    header: &self.header,
                    data: RowData::Csv(record),
                }))
            }
            Kind::JsonLines { lines, page } => loop {
                if let Some(held) = page {
                    if let Some(next) = held.next_row(path) {
                        let (line, v) = next?;
                        let before = self.header.names.len();
                        fill_values(&mut self.header, &mut self.values, v);
                        check_new_keys(&self.header, before, self.format, path, line)?;
                        return Ok(Some(values_row(&self.header, &self.values, line)));
                    }
                    *page = None;
                }
                let (line, text) = match lines.next_line() {
                    Ok(Some(next)) => next,
                    Ok(None) => return Ok(None),
                    Err(SplitError::TooLong { line }) => {
                        return Err(rows::json_line_too_long(path, line))
                    }
                    Err(e) => return Err(split_error(path, e)),
                };
                let mut text: &[u8] = text.trim_ascii();
                if line == 1 {
                    text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                }
                if text.is_empty() {
                    continue;
                }
                if rows::ensure_no_nul(text).is_err() {
                    return Err(rows::nul_in_row(path, line));
                }
                if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(text) {
                    return Err(UsageError::Field {
                        path: path.clone(),
                        line,
                        field: "json".to_owned(),
                        message: json_problem(&e),
                    });
                }
                // Pages one per line: the last page says whether more follow.
                self.more_pages = more_pages_of(text);
                *page = Some(HeldRows::line(text, line, path)?);
            },
            Kind::JsonStream(stream) => {
                let Some((line, v)) = stream.next_row()? else {
                    self.more_pages = stream.more_pages.take();
                    return Ok(None);
                };
                let before = self.header.names.len();
                fill_values(&mut self.header, &mut self.values, v);
                check_new_keys(&self.header, before, self.format, path, line)?;
                Ok(Some(values_row(&self.header, &self.values, line)))
            }
            Kind::JsonDocument(rows) => {
                let Some(next) = rows.next_row(path) else {
                    return Ok(None);
                };
                let (line, v) = next?;
                let before = self.header.names.len();
                fill_values(&mut self.header, &mut self.values, v);
                check_new_keys(&self.header, before, self.format, path, line)?;
                Ok(Some(values_row(&self.header, &self.values, line)))
            }
            Kind::Parquet(rows) => {
                let Some((line, fields)) = rows.next_row()? else {
                    return Ok(None);
                };
                self.values.clear();
                self.values.extend(fields);
                Ok(Some(Row {
                    line,
                    columnar: true,
                    header: &self.header,
                    data: RowData::Values(&self.values),
                }))
            }
        }
    }

    /// The header so far.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

/// A key a JSON row has and the rows before it did not must be one the reader reads (or of no
/// known meaning): the reader was chosen from the first row, and a later row's `StatusCode` or
/// `status_code` would otherwise be dropped in silence.
fn check_new_keys(
    header: &Header,
    before: usize,
    format: InputFormat,
    path: &str,
    line: u64,
) -> Result<(), UsageError> {
    if header.names.len() == before || before == 0 {
        return Ok(());
    }
    let unread: Vec<crate::usage::formats::Unread> =
        crate::usage::formats::unread_columns(format, &header.names, None)
            .into_iter()
            .filter(|u| header.names[before..].contains(&u.column))
            .collect();
    match unread.first() {
        None => Ok(()),
        Some(first) => Err(UsageError::Field {
            path: path.to_owned(),
            line,
            field: first.column.clone(),
            message: format!(
                "first appears in this row, after the {} reader was chosen from the first; {}",
                format.name(),
                crate::usage::formats::unread_message(format, &unread, false)
            ),
        }),
    }
}

/// A row of `values` aligned to `header`.
fn values_row<'a>(header: &'a Header, values: &'a [Value], line: u64) -> Row<'a> {
    Row {
        line,
        columnar: false,
        header,
        data: RowData::Values(values),
    }
}

/// Align a JSON object's values to the header (adding new keys); other values become a
/// one-column row named `value`.
fn fill_values(header: &mut Header, values: &mut Vec<Value>, v: Value) {
    values.clear();
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let i = header.index_of(&k);
                if values.len() <= i {
                    values.resize(i + 1, Value::Null);
                }
                values[i] = v;
            }
        }
        other => {
            let i = header.index_of("value");
            values.resize(i + 1, Value::Null);
            values[i] = other;
        }
    }
    values.resize(header.names.len(), Value::Null);
}

/// The rows of a JSON document's row array, read one at a time from a window of the input, so
/// memory holds one row (at most [`MAX_LINE_BYTES`](crate::usage::lines::MAX_LINE_BYTES)) and
/// a read chunk, not the document.
///
/// The whole input is read, not only the array: a wrapper object's other members are
/// skipped (its `has_more` and `next_page` kept), a later row array with rows is refused
/// ([`TwoRowArrays`]) or, when the first had none, read, and documents written one after
/// another (API pages appended to one file) are read in turn. Text after the last document,
/// or a document cut short, is an error: nothing after the rows is passed over unread.
pub struct RowStream {
    /// The input's name, for errors.
    path: String,
    reader: Box<dyn BufRead + Send>,
    /// Unconsumed bytes; `buf[pos..]` is what is left to scan.
    buf: Vec<u8>,
    pos: usize,
    /// The line of `buf[pos]`.
    line: u64,
    eof: bool,
    /// Where the scan is.
    at: StreamAt,
    /// The key of the rows' array being (or last) read; `None` for a top-level array.
    key: Option<&'static str>,
    /// Rows read from the current document.
    rows: u64,
    /// Whether the current document has shown a row array (empty or not).
    had_array: bool,
    /// The line the current document starts on.
    document_line: u64,
    /// The current document's `"has_more": true`, and its `next_page`.
    has_more: bool,
    next_page: Option<String>,
    /// The last document's word that more pages follow: its `next_page`, or `?`.
    more_pages: Option<String>,
}

/// Where a [`RowStream`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamAt {
    /// Between documents.
    Top,
    /// Inside a wrapper object, before its first member (`true`) or after one.
    Members { first: bool },
    /// Inside the rows' array, at its start, after a row or after a comma.
    Rows { sep: Sep },
    /// At the end of the input.
    Done,
}

/// Where the scan of an array is: at its start, after an element, or after a comma.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Start,
    Element,
    Comma,
}

/// What comes next in an array: its end, a comma (passed), or an element (not passed).
enum ArrayStep {
    End,
    Comma,
    Element,
}

/// Bytes read at the start to find the rows' array; a document whose array starts later is
/// read whole.
const STREAM_HEAD_BYTES: usize = 1 << 20;

impl RowStream {
    /// A stream over `reader` when its rows' array starts within its first
    /// [`STREAM_HEAD_BYTES`], whatever its size; else the whole document's bytes (bounded).
    fn open(
        mut reader: Box<dyn BufRead + Send>,
        path: &str,
    ) -> Result<Result<RowStream, Vec<u8>>, UsageError> {
        let io_err = |source| UsageError::Io {
            path: path.to_owned(),
            source,
        };
        let mut buf = Vec::new();
        (&mut reader)
            .take(STREAM_HEAD_BYTES as u64)
            .read_to_end(&mut buf)
            .map_err(io_err)?;
        let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let start = skip_ws(&buf, bom);
        match find_row_array(&buf, start) {
            Ok(Some(_)) => {
                let line = 1 + memchr::memchr_iter(b'\n', &buf[..start]).count() as u64;
                Ok(Ok(RowStream {
                    path: path.to_owned(),
                    reader,
                    buf,
                    pos: start,
                    line,
                    eof: false,
                    at: StreamAt::Top,
                    key: None,
                    rows: 0,
                    had_array: false,
                    document_line: line,
                    has_more: false,
                    next_page: None,
                    more_pages: None,
                }))
            }
            _ if buf.len() < STREAM_HEAD_BYTES => Ok(Err(buf)),
            _ => {
                let rest = read_document(reader, path)?;
                buf.extend_from_slice(&rest);
                if buf.len() as u64 > MAX_JSON_DOCUMENT_BYTES {
                    return Err(UsageError::File {
                        path: path.to_owned(),
                        message: format!(
                            "a JSON document over {} MiB is not read whole; export JSON Lines, CSV or Parquet instead",
                            MAX_JSON_DOCUMENT_BYTES >> 20
                        ),
                    });
                }
                Ok(Err(buf))
            }
        }
    }

    /// Move the scan to `to`, counting the lines passed.
    fn advance(&mut self, to: usize) {
        self.line += memchr::memchr_iter(b'\n', &self.buf[self.pos..to]).count() as u64;
        self.pos = to;
    }

    /// Read more of the input (dropping what was scanned); false at its end.
    fn refill(&mut self) -> Result<bool, UsageError> {
        self.buf.drain(..self.pos);
        self.pos = 0;
        let chunk = self.reader.fill_buf().map_err(|source| UsageError::Io {
            path: self.path.clone(),
            source,
        })?;
        if chunk.is_empty() {
            self.eof = true;
            return Ok(false);
        }
        let n = chunk.len();
        self.buf.extend_from_slice(chunk);
        self.reader.consume(n);
        Ok(true)
    }

    /// The next byte that is not white space (the scan moved to it), reading more as needed;
    /// `None` at the end of the input.
    fn next_token(&mut self) -> Result<Option<u8>, UsageError> {
        loop {
            let i = skip_ws(&self.buf, self.pos);
            self.advance(i.min(self.buf.len()));
            if let Some(&c) = self.buf.get(self.pos) {
                return Ok(Some(c));
            }
            if self.eof || !self.refill()? {
                return Ok(None);
            }
        }
    }

    /// The end of the JSON value the scan is at, reading more as needed; a value longer than
    /// a line may be is an error, as is one cut short by the end of the input.
    fn value_end_here(&mut self, row: bool) -> Result<usize, UsageError> {
        // A byte no value starts with is malformed now, not after reading on to the bound.
        if !matches!(
            self.buf.get(self.pos),
            Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') | None
        ) {
            return Err(self.problem("malformed JSON (a value is expected)"));
        }
        loop {
            let container = matches!(self.buf.get(self.pos), Some(b'{') | Some(b'['));
            match value_end(&self.buf, self.pos) {
                Ok(end) if container || end < self.buf.len() || self.eof => return Ok(end),
                _ if !self.eof => {
                    if self.buf.len() - self.pos > MAX_LINE_BYTES {
                        return Err(if row {
                            rows::too_long(&self.path, self.line)
                        } else {
                            self.problem(&format!(
                                "a value of the document (not a row) longer than {} MiB: ptuplan skips the members it does not read, but not one this long",
                                MAX_LINE_BYTES >> 20
                            ))
                        });
                    }
                    self.refill()?;
                }
                _ => return Err(self.problem("truncated or malformed JSON")),
            }
        }
    }

    fn problem(&self, message: &str) -> UsageError {
        UsageError::Field {
            path: self.path.clone(),
            line: self.line,
            field: "json".to_owned(),
            message: message.to_owned(),
        }
    }

    /// The next row and its line, or `None` at the end of the input.
    fn next_row(&mut self) -> Result<Option<(u64, Value)>, UsageError> {
        loop {
            match self.at {
                StreamAt::Done => return Ok(None),
                StreamAt::Top => match self.next_token()? {
                    None => self.at = StreamAt::Done,
                    Some(open @ (b'{' | b'[')) => {
                        self.document_line = self.line;
                        self.advance(self.pos + 1);
                        self.rows = 0;
                        self.more_pages = None;
                        self.has_more = false;
                        self.next_page = None;
                        if open == b'{' {
                            self.had_array = false;
                            self.at = StreamAt::Members { first: true };
                        } else {
                            self.had_array = true;
                            self.key = None;
                            self.at = StreamAt::Rows { sep: Sep::Start };
                        }
                    }
                    Some(_) => {
                        return Err(self.problem(
                            "text follows the JSON document that is not another document (`{...}` or `[...]`)",
                        ))
                    }
                },
                StreamAt::Rows { sep } => match self.array_step(sep)? {
                    ArrayStep::End => {
                        self.at = if self.key.is_some() {
                            StreamAt::Members { first: false }
                        } else {
                            StreamAt::Top
                        };
                    }
                    ArrayStep::Comma => self.at = StreamAt::Rows { sep: Sep::Comma },
                    ArrayStep::Element => {
                        let end = self.value_end_here(true)?;
                        let line = self.line;
                        let value: Value = serde_json::from_slice(&self.buf[self.pos..end])
                            .map_err(|e| self.problem(&json_problem(&e)))?;
                        self.advance(end);
                        self.rows += 1;
                        self.at = StreamAt::Rows { sep: Sep::Element };
                        return Ok(Some((line, value)));
                    }
                },
                StreamAt::Members { first } => self.member(first)?,
            }
        }
    }

    /// Read one member of a wrapper object (or its closing brace): a row array starts the
    /// rows, anything else is skipped.
    fn member(&mut self, first: bool) -> Result<(), UsageError> {
        let truncated = "truncated JSON (the document is not closed)";
        let mut token = self.next_token()?;
        if token == Some(b'}') {
            self.advance(self.pos + 1);
            if !self.had_array {
                self.line = self.document_line;
                return Err(self.problem(
                    "this JSON document has no row array (`data`, `value`, `rows`, `logs` or `results`), as the one before it had",
                ));
            }
            self.more_pages = self
                .has_more
                .then(|| self.next_page.clone().unwrap_or_else(|| "?".to_owned()));
            self.at = StreamAt::Top;
            return Ok(());
        }
        if !first {
            match token {
                Some(b',') => {
                    self.advance(self.pos + 1);
                    token = self.next_token()?;
                }
                None => return Err(self.problem(truncated)),
                Some(_) => return Err(self.problem("malformed JSON (a `,` or `}` is missing)")),
            }
        }
        match token {
            Some(b'"') => {}
            None => return Err(self.problem(truncated)),
            Some(_) => return Err(self.problem("malformed JSON (a key is expected)")),
        }
        let key_end = self.value_end_here(false)?;
        let name: String = serde_json::from_slice(&self.buf[self.pos..key_end])
            .map_err(|e| self.problem(&json_problem(&e)))?;
        self.advance(key_end);
        match self.next_token()? {
            Some(b':') => self.advance(self.pos + 1),
            None => return Err(self.problem(truncated)),
            Some(_) => return Err(self.problem("malformed JSON (a `:` is missing)")),
        }
        self.at = StreamAt::Members { first: false };
        let row_key = json_scan::ROW_ARRAYS.iter().find(|&&k| k == name).copied();
        match (self.next_token()?, row_key) {
            (None, _) => Err(self.problem(truncated)),
            (Some(b'['), Some(row_key)) => {
                let array_line = self.line;
                self.advance(self.pos + 1);
                match self.next_token()? {
                    Some(b'{') => {
                        if self.rows > 0 {
                            let two = TwoRowArrays {
                                first: self.key.unwrap_or(row_key),
                                second: row_key,
                                at: 0,
                                mixed: false,
                            };
                            self.line = array_line;
                            return Err(UsageError::Field {
                                path: self.path.clone(),
                                line: array_line,
                                field: row_key.to_owned(),
                                message: two.to_string(),
                            });
                        }
                        self.key = Some(row_key);
                        self.had_array = true;
                        self.at = StreamAt::Rows { sep: Sep::Start };
                        Ok(())
                    }
                    Some(b']') => {
                        self.advance(self.pos + 1);
                        self.had_array = true;
                        Ok(())
                    }
                    _ => self.skip_array_rest(Some(row_key)),
                }
            }
            (Some(b'['), None) => {
                self.advance(self.pos + 1);
                self.skip_array_rest(None)
            }
            (Some(_), _) => {
                let end = self.value_end_here(false)?;
                let value = &self.buf[self.pos..end];
                serde_json::from_slice::<serde::de::IgnoredAny>(value)
                    .map_err(|e| self.problem(&json_problem(&e)))?;
                match name.as_str() {
                    "has_more" => self.has_more = value == b"true",
                    "next_page" => {
                        self.next_page = serde_json::from_slice::<String>(value).ok();
                    }
                    _ => {}
                }
                self.advance(end);
                Ok(())
            }
        }
    }

    /// Skip the rest of an array the scan is inside (its first element not yet passed), an
    /// element at a time, each checked to be JSON. Under a row key (`row_key`), an object
    /// among the other values is refused: it would be a row dropped without a word.
    fn skip_array_rest(&mut self, row_key: Option<&'static str>) -> Result<(), UsageError> {
        let mut sep = Sep::Start;
        loop {
            match self.array_step(sep)? {
                ArrayStep::End => return Ok(()),
                ArrayStep::Comma => sep = Sep::Comma,
                ArrayStep::Element => {
                    if let (Some(key), Some(b'{')) = (row_key, self.buf.get(self.pos)) {
                        return Err(UsageError::Field {
                            path: self.path.clone(),
                            line: self.line,
                            field: key.to_owned(),
                            message: format!(
                                "`{key}` holds objects among other values: a row array holds objects only, so these rows cannot be read as rows (nor passed over in silence)"
                            ),
                        });
                    }
                    let end = self.value_end_here(false)?;
                    serde_json::from_slice::<serde::de::IgnoredAny>(&self.buf[self.pos..end])
                        .map_err(|e| self.problem(&json_problem(&e)))?;
                    self.advance(end);
                    sep = Sep::Element;
                }
            }
        }
    }

    /// The next step in an array after `sep`; a missing or doubled comma is an error.
    fn array_step(&mut self, sep: Sep) -> Result<ArrayStep, UsageError> {
        match (self.next_token()?, sep) {
            (None, _) => Err(self.problem("truncated JSON (the array is not closed)")),
            (Some(b']'), Sep::Comma) => {
                Err(self.problem("malformed JSON (a value is expected after `,`)"))
            }
            (Some(b']'), _) => {
                self.advance(self.pos + 1);
                Ok(ArrayStep::End)
            }
            (Some(b','), Sep::Element) => {
                self.advance(self.pos + 1);
                Ok(ArrayStep::Comma)
            }
            (Some(b','), _) => Err(self.problem("malformed JSON (a value is expected)")),
            (Some(_), Sep::Element) => {
                Err(self.problem("malformed JSON (a `,` or `]` is missing)"))
            }
            (Some(_), _) => Ok(ArrayStep::Element),
        }
    }
}

fn read_document(reader: impl Read, path: &str) -> Result<Vec<u8>, UsageError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_JSON_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| UsageError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > MAX_JSON_DOCUMENT_BYTES {
        return Err(UsageError::File {
            path: path.to_owned(),
            message: format!(
                "a JSON document over {} MiB is not read whole; export JSON Lines, CSV or Parquet instead",
                MAX_JSON_DOCUMENT_BYTES >> 20
            ),
        });
    }
    Ok(bytes)
}

/// The rows of a whole JSON document, each with the line it starts on.
pub fn document_rows(bytes: &[u8], path: &str) -> Result<Vec<(u64, Value)>, UsageError> {
    let mut held = HeldRows::document(bytes.to_vec(), path)?;
    std::iter::from_fn(|| held.next_row(path)).collect()
}

/// The error for a document with rows in two arrays, at the line the second starts on.
fn two_row_arrays(path: &str, bytes: &[u8], at: usize, two: &TwoRowArrays) -> UsageError {
    UsageError::Field {
        path: path.to_owned(),
        line: 1 + memchr::memchr_iter(b'\n', &bytes[..at.min(bytes.len())]).count() as u64,
        field: two.second.to_owned(),
        message: two.to_string(),
    }
}

fn json_problem(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "truncated JSON (the value ends early)".to_owned()
    } else {
        format!("invalid JSON: {e}")
    }
}

/// The error of a failed CSV split, at the line its record starts on.
pub(crate) fn split_error(path: &str, e: SplitError) -> UsageError {
    match e {
        SplitError::Io(source) => UsageError::Io {
            path: path.to_owned(),
            source,
        },
        SplitError::TooLong { line } => rows::too_long(path, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rows_of_json_documents_with_their_lines() {
        let doc = b"{\n \"object\": \"page\",\n \"data\": [\n  {\"a\": 1},\n  {\"a\": \"x,]}\"}\n ],\n \"has_more\": false\n}";
        let rows = document_rows(doc, "p").expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 4);
        assert_eq!(rows[1].0, 5);
        let arr = b"[{\"a\":1},\n{\"a\":2}]";
        assert_eq!(document_rows(arr, "p").expect("rows").len(), 2);
        assert!(document_rows(b"[{\"a\":1},", "p").is_err());
        assert!(document_rows(b"{\"data\": [{\"a\"", "p").is_err());
        let single = document_rows(b"{\"a\": 1}", "p").expect("rows");
        assert_eq!(single.len(), 1);
    }

    /// The rows of `text` read through a [`RowStream`] (padded past the head it reads first,
    /// so it streams), with what the last document said of more pages.
    type Streamed = (Vec<(u64, Value)>, Option<String>);

    fn streamed(text: &str) -> Result<Streamed, UsageError> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.resize(bytes.len() + STREAM_HEAD_BYTES, b' ');
        let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes));
        let Ok(mut stream) = RowStream::open(reader, "p")? else {
            panic!("streams");
        };
        let mut rows = Vec::new();
        while let Some(row) = stream.next_row()? {
            rows.push(row);
        }
        Ok((rows, stream.more_pages))
    }

    fn lines_of(rows: &[(u64, Value)]) -> Vec<u64> {
        rows.iter().map(|(line, _)| *line).collect()
    }

    fn message_of(e: UsageError) -> (u64, String, String) {
        match e {
            UsageError::Field {
                line,
                field,
                message,
                ..
            } => (line, field, message),
            other => panic!("a field error, not {other}"),
        }
    }

    #[test]
    fn a_streamed_document_is_read_to_its_end() {
        // Members after the rows are read: `has_more` says more pages follow.
        let page = "{\"object\": \"page\", \"data\": [\n{\"a\": 1},\n{\"a\": 2}\n],\n\"has_more\": true, \"next_page\": \"p2\"}";
        let (rows, more) = streamed(page).expect("rows");
        assert_eq!(lines_of(&rows), [2, 3]);
        assert_eq!(more.as_deref(), Some("p2"));
        // Pages appended to one file are read in turn; the last one's `has_more` counts.
        let two = format!("{page}\n{{\"data\": [{{\"a\": 3}}], \"has_more\": false}}");
        let (rows, more) = streamed(&two).expect("rows");
        assert_eq!(lines_of(&rows), [2, 3, 6]);
        assert_eq!(more, None);
        // Only the last document's word counts: an array after a page saying more follow.
        let (_, more) = streamed(&format!("{page}\n[{{\"a\": 3}}]")).expect("rows");
        assert_eq!(more, None);
        // An empty row array, then one with rows: the rows are read.
        let (rows, _) = streamed("{\"value\": [], \"data\": [{\"a\": 1}]}").expect("rows");
        assert_eq!(rows.len(), 1);
        // A non-row array of any size is skipped an element at a time.
        let (rows, _) =
            streamed("{\"data\": [{\"a\": 1}], \"rows\": [[1, 2], [3]], \"x\": {\"y\": [1]}}")
                .expect("rows");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_streamed_document_refuses_what_it_would_otherwise_drop() {
        // A second row array with rows, or the same key again.
        let (line, field, message) =
            message_of(streamed("{\"data\": [{\"a\": 1}],\n\"value\": [{\"b\": 2}]}").unwrap_err());
        assert_eq!((line, field.as_str()), (2, "value"));
        assert!(
            message.contains("both `data` and `value` hold rows"),
            "{message}"
        );
        let (_, _, message) =
            message_of(streamed("{\"data\": [{\"a\": 1}], \"data\": [{\"b\": 2}]}").unwrap_err());
        assert!(message.contains("`data` is written twice"), "{message}");
        // A document cut after its rows, text after it, a later document without rows.
        let (line, _, message) = message_of(streamed("{\"data\": [{\"a\": 1}]\n").unwrap_err());
        assert!(message.contains("not closed"), "{message} at {line}");
        let (_, _, message) = message_of(streamed("[{\"a\": 1}] x").unwrap_err());
        assert!(
            message.contains("text follows the JSON document"),
            "{message}"
        );
        let (line, _, message) =
            message_of(streamed("{\"data\": [{\"a\": 1}]}\n\n{\"a\": 2}").unwrap_err());
        assert_eq!(line, 3);
        assert!(message.contains("has no row array"), "{message}");
        // Separators and skipped values are checked as a parser would (tester findings).
        for (text, said) in [
            (
                "{\"data\": [{\"a\": 1} {\"a\": 2}]}",
                "a `,` or `]` is missing",
            ),
            (
                "{\"data\": [{\"a\": 1},, {\"a\": 2}]}",
                "a value is expected",
            ),
            ("{\"data\": [{\"a\": 1},]}", "a value is expected after `,`"),
            ("{\"data\": [{\"a\": 1}], \"x\": tru}", "truncated JSON"),
            (
                "{\"data\": [{\"a\": 1}], \"x\": [1 2]}",
                "a `,` or `]` is missing",
            ),
            (
                "{\"data\": [{\"a\": 1}],\u{c}\"x\": 1}",
                "a key is expected",
            ),
            (
                "{\"data\": [{\"a\": 1}], \"value\": [5, {\"a\": 2}]}",
                "holds objects among other values",
            ),
        ] {
            let (_, _, message) = message_of(streamed(text).unwrap_err());
            assert!(message.contains(said), "{text}: {message}");
        }
        let (_, _, message) = message_of(streamed("{\"data\": [{\"a\": 1}}]}").unwrap_err());
        assert!(message.contains("a `,` or `]` is missing"), "{message}");
        let (_, _, message) =
            message_of(streamed("{\"data\": [{\"a\": 1}] \"x\": 1}").unwrap_err());
        assert!(message.contains("a `,` or `}` is missing"), "{message}");
    }

    #[test]
    fn a_held_document_refuses_two_row_arrays() {
        let doc = b"{\"data\": [{\"a\": 1}],\n \"value\": [{\"b\": 2}]}";
        let (line, field, message) = message_of(document_rows(doc, "p").unwrap_err());
        assert_eq!((line, field.as_str()), (2, "value"));
        assert!(
            message.contains("both `data` and `value` hold rows"),
            "{message}"
        );
    }
}
