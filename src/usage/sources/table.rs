//! Tables: the rows of a CSV file (header row), of JSON (JSON Lines of objects, an array of
//! objects, or a document whose `data`/`value`/`rows`/`logs` array holds them) or of a Parquet
//! file, as cells found by column name (case-insensitive).
//!
//! CSV, JSON Lines and Parquet stream with constant memory. A JSON document (one array or
//! object over the whole file, as `az ... -o json` writes it) streams its rows when their
//! array starts within its first MiB ([`super::json_stream`]); any other document is read
//! whole, up to [`MAX_JSON_DOCUMENT_BYTES`]. A text held whole (such a document, or a JSON Lines line that
//! is a whole API page) is scanned for its rows' byte ranges and each row is parsed when it is
//! read, so it costs its own bytes, never a parsed tree of them. Rows carry their line numbers.

use std::collections::HashMap;
use std::io::BufRead;

use serde_json::Value;

use super::cells::Cell;
pub use super::json_stream::MAX_JSON_DOCUMENT_BYTES;
use super::json_stream::{json_problem, RowStream};
use crate::usage::csv_split::{CsvSplitter, Record, SplitError};
use crate::usage::formats::{Container, InputFormat};
use crate::usage::input::OpenedInput;
use crate::usage::json_scan::{RowCursor, TwoRowArrays};
use crate::usage::json_value::parse_bounded;
use crate::usage::lines::MAX_LINE_BYTES;
use crate::usage::rows;
use crate::usage::UsageError;

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
            // JSON rows are not padded: every column of the header is in the row, absent or not.
            RowData::Values(_) => self.header.names.len(),
        }
    }
}

/// Rows of one input.
pub struct Table {
    path: String,
    header: Header,
    kind: Kind,
    values: Vec<Value>,
    /// The columns of `values` the last JSON row filled.
    set: Vec<usize>,
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
        set: Vec::new(),
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
        #[serde(
            default,
            deserialize_with = "crate::usage::json_value::deserialize_bounded"
        )]
        has_more: Option<Value>,
        #[serde(
            default,
            deserialize_with = "crate::usage::json_value::deserialize_bounded"
        )]
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
/// rows found one at a time by a [`RowCursor`] (no list of them is kept) and parsed as they
/// are read.
struct HeldRows {
    bytes: Vec<u8>,
    /// The rows of [`HeldRows::text`] (positions there, not in `bytes`).
    rows: RowCursor,
    /// The line of `text()[scanned]`.
    line: u64,
    scanned: usize,
    /// False for a JSON Lines line: every row is at that line.
    count_lines: bool,
}

impl HeldRows {
    /// The rows of a whole document (BOM included), checked to be valid JSON first.
    fn document(bytes: Vec<u8>, path: &str) -> Result<HeldRows, UsageError> {
        let bom = bytes.len() - without_bom(&bytes).len();
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes[bom..]) {
            return Err(UsageError::Field {
                path: path.to_owned(),
                line: e.line().max(1) as u64,
                field: "json".to_owned(),
                message: json_problem(&e),
            });
        }
        let rows = RowCursor::new(&bytes[bom..])
            .map_err(|two| two_row_arrays(path, &bytes, bom + two.at, &two))?;
        Ok(HeldRows {
            bytes,
            rows,
            line: 1,
            scanned: 0,
            count_lines: true,
        })
    }

    /// The rows of one valid JSON Lines line `text`, read at line `line`.
    fn line(text: &[u8], line: u64, path: &str) -> Result<HeldRows, UsageError> {
        let rows = RowCursor::new(text).map_err(|two| UsageError::Field {
            path: path.to_owned(),
            line,
            field: two.second.to_owned(),
            message: two.to_string(),
        })?;
        Ok(HeldRows {
            rows,
            bytes: text.to_vec(),
            line,
            scanned: 0,
            count_lines: false,
        })
    }

    fn text(&self) -> &[u8] {
        without_bom(&self.bytes)
    }

    /// The next row and its line (valid JSON: the text was checked whole).
    fn next_row(&mut self, path: &str) -> Option<Result<(u64, Value), UsageError>> {
        let text = without_bom(&self.bytes);
        let (start, end) = self.rows.next(text)?;
        if self.count_lines {
            self.line += memchr::memchr_iter(b'\n', &text[self.scanned..start]).count() as u64;
            self.scanned = start;
        }
        let line = self.line;
        Some(
            parse_bounded(&text[start..end])
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
                        fill_values(&mut self.header, &mut self.values, &mut self.set, v);
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
                fill_values(&mut self.header, &mut self.values, &mut self.set, v);
                check_new_keys(&self.header, before, self.format, path, line)?;
                Ok(Some(values_row(&self.header, &self.values, line)))
            }
            Kind::JsonDocument(rows) => {
                let Some(next) = rows.next_row(path) else {
                    return Ok(None);
                };
                let (line, v) = next?;
                let before = self.header.names.len();
                fill_values(&mut self.header, &mut self.values, &mut self.set, v);
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

/// Most distinct keys the rows of one JSON input may have between them: every new key is
/// checked against the reader (a pass over the keys so far), so a file whose every row brings
/// a key of its own would take time quadratic in them (20,000 such rows took 36 s).
pub const MAX_JSON_KEYS: usize = 4096;

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
    if header.names.len() > MAX_JSON_KEYS {
        return Err(UsageError::Field {
            path: path.to_owned(),
            line,
            field: header.names[MAX_JSON_KEYS].clone(),
            message: format!(
                "the rows up to this one have more than {MAX_JSON_KEYS} distinct keys; a usage log's rows share a few dozen (are ids or times written as keys?), and each new key is checked against the reader"
            ),
        });
    }
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

/// `b` without its UTF-8 byte order mark, if it starts with one.
fn without_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
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
/// one-column row named `value`. `set` holds the columns the previous row filled: only those
/// are cleared, so a row costs its own keys, not every column seen so far (20,000 rows each
/// adding a key took over a minute when every row was padded to the header's width).
fn fill_values(header: &mut Header, values: &mut Vec<Value>, set: &mut Vec<usize>, v: Value) {
    for i in set.drain(..) {
        values[i] = Value::Null;
    }
    let mut put = |header: &mut Header, name: &str, v: Value| {
        let i = header.index_of(name);
        if values.len() <= i {
            values.resize(i + 1, Value::Null);
        }
        values[i] = v;
        set.push(i);
    };
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                put(header, &k, v);
            }
        }
        other => put(header, "value", other),
    }
}
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
    #[test]
    fn a_held_document_refuses_two_row_arrays() {
        let doc = b"{\"data\": [{\"a\": 1}],\n \"value\": [{\"b\": 2}]}";
        let Err(UsageError::Field {
            line,
            field,
            message,
            ..
        }) = document_rows(doc, "p")
        else {
            panic!("a field error");
        };
        assert_eq!((line, field.as_str()), (2, "value"));
        assert!(
            message.contains("both `data` and `value` hold rows"),
            "{message}"
        );
    }
}
