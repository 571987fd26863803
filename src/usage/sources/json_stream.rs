//! A JSON document's rows streamed from its input, one at a time ([`RowStream`]): memory holds
//! one row and a read chunk, whatever the document's size.

use std::io::{BufRead, Read};

use serde_json::Value;

use crate::usage::json_scan::{self, find_row_array, skip_ws, value_end, TwoRowArrays};
use crate::usage::json_value::parse_bounded;
use crate::usage::lines::MAX_LINE_BYTES;
use crate::usage::rows;
use crate::usage::UsageError;

/// Largest JSON document read whole (one whose rows' array does not start within its first
/// MiB; others stream at any size), in bytes: held as bytes, it is bounded like a line.
pub const MAX_JSON_DOCUMENT_BYTES: u64 = MAX_LINE_BYTES as u64;

/// A serde_json error in words: cut short, or invalid.
pub(super) fn json_problem(e: &serde_json::Error) -> String {
    if e.is_eof() {
        "truncated JSON (the value ends early)".to_owned()
    } else if crate::usage::json_value::is_over_budget(e) {
        // serde's position would count from the row's start, not the file's.
        crate::usage::json_value::over_budget_message()
    } else {
        format!("invalid JSON: {e}")
    }
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
    pub(super) more_pages: Option<String>,
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
    pub(super) fn open(
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
    pub(super) fn next_row(&mut self) -> Result<Option<(u64, Value)>, UsageError> {
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
                        let value = parse_bounded(&self.buf[self.pos..end])
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
#[cfg(test)]
mod tests {
    use super::*;

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
}
