//! Scanning JSON text without parsing it whole: where a value ends, where a document's row
//! array starts, and whether a prefix of an input already holds its first record. Detection
//! reads an input up to its first record with these ([`first_record_state`]), whatever the
//! input's size, so a large document is never judged by a cut-off prefix; the table reader
//! splits a document into rows with them.

use serde_json::Value;

/// Keys of a JSON document whose array holds the rows.
pub const ROW_ARRAYS: [&str; 5] = ["data", "value", "rows", "logs", "results"];

/// How much of an input's first record a prefix holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRecord {
    /// The first record (CSV header line, JSON line, or a document's first row) is complete.
    Complete,
    /// The prefix ends inside the first record: read on.
    Incomplete,
}

/// Whether `prefix` (the start of an input, BOM included) holds its first record: for CSV a
/// line end, for a JSON value starting with `{` the whole value or, for a document with a row
/// array, its first row, for `[` the first element.
pub fn first_record_state(prefix: &[u8]) -> FirstRecord {
    let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = skip_ws(body, 0);
    let complete = match body.get(start) {
        None => false,
        Some(b'{') => value_end(body, start).is_ok() || first_row_of_prefix(prefix).is_some(),
        Some(b'[') => {
            let first = skip_ws(body, start + 1);
            body.get(first) == Some(&b']') || value_end(body, first).is_ok()
        }
        Some(_) => memchr::memchr2(b'\n', b'\r', &body[start..]).is_some(),
    };
    if complete {
        FirstRecord::Complete
    } else {
        FirstRecord::Incomplete
    }
}

/// A JSON value's rows: the elements of an array, of a wrapper object's `data` (or `value`,
/// `rows`, `logs`, `results`) array, or the value itself.
pub fn unwrap_rows(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Object(mut map) => {
            let key = ROW_ARRAYS.iter().find(
                |k| matches!(map.get(**k), Some(Value::Array(a)) if a.iter().all(Value::is_object)),
            );
            match key {
                Some(k) => match map.remove(*k) {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                },
                None => vec![Value::Object(map)],
            }
        }
        other => vec![other],
    }
}

/// The first row of a document of which `head` is only the beginning (the sniffing window).
pub fn first_row_of_prefix(head: &[u8]) -> Option<Value> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = skip_ws(body, 0);
    let array = find_row_array(body, start).ok()??;
    let i = skip_ws(body, array + 1);
    let end = value_end(body, i).ok()?;
    serde_json::from_slice(&body[i..end]).ok()
}

/// Where the rows' array starts: the top-level array, or a row-array key of the top object.
pub fn find_row_array(b: &[u8], start: usize) -> Result<Option<usize>, usize> {
    match b.get(start) {
        Some(b'[') => Ok(Some(start)),
        Some(b'{') => {
            let mut i = start + 1;
            loop {
                i = skip_ws(b, i);
                match b.get(i) {
                    Some(b'}') | None => return Ok(None),
                    Some(b',') => {
                        i += 1;
                        continue;
                    }
                    Some(b'"') => {}
                    Some(_) => return Err(i),
                }
                let key_end = value_end(b, i)?;
                let key: String = serde_json::from_slice(&b[i..key_end]).map_err(|_| i)?;
                i = skip_ws(b, key_end);
                if b.get(i) != Some(&b':') {
                    return Err(i);
                }
                i = skip_ws(b, i + 1);
                if b.get(i) == Some(&b'[') && ROW_ARRAYS.contains(&key.as_str()) {
                    let first = skip_ws(b, i + 1);
                    if matches!(b.get(first), Some(b'{') | Some(b']')) {
                        return Ok(Some(i));
                    }
                }
                i = value_end(b, i)?;
            }
        }
        _ => Ok(None),
    }
}

pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the JSON value starting at `i`; `Err(position)` when malformed.
pub fn value_end(b: &[u8], i: usize) -> Result<usize, usize> {
    match b.get(i) {
        Some(b'"') => {
            let mut j = i + 1;
            loop {
                match b.get(j) {
                    Some(b'\\') => j += 2,
                    Some(b'"') => return Ok(j + 1),
                    Some(_) => j += 1,
                    None => return Err(i),
                }
            }
        }
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&c) = b.get(j) {
                match c {
                    b'"' => {
                        j = value_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(i)
        }
        Some(_) => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b']' | b'}') && !c.is_ascii_whitespace())
            {
                j += 1;
            }
            if j == i {
                Err(i)
            } else {
                Ok(j)
            }
        }
        None => Err(i),
    }
}
