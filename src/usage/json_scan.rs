//! Scanning JSON text without parsing it whole: where a value ends, where a document's row
//! array starts, and whether a prefix of an input already holds its first record. Detection
//! reads an input up to its first record with these ([`first_record_state`]), whatever the
//! input's size, so a large document is never judged by a cut-off prefix; the table reader
//! splits a document into rows with them.

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
        Some(b'{') => value_end(body, start).is_ok() || first_row_complete(body, start),
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

/// The rows of a JSON text as byte ranges: the elements of a top-level array; of a wrapper
/// object's row array (the one of its [`ROW_ARRAYS`] keys whose array holds only objects and
/// has any); or the whole value. Two row arrays with rows, or one key written twice with rows
/// each time, are refused ([`TwoRowArrays`]): reading one would drop the other in silence.
/// `b` must be one valid JSON value (check it first, e.g. by deserializing
/// [`serde::de::IgnoredAny`]): the ranges are found by scanning, so a large text is never
/// held as a parsed tree.
pub fn row_ranges(b: &[u8]) -> Result<Vec<(usize, usize)>, TwoRowArrays> {
    let mut cursor = RowCursor::new(b)?;
    Ok(std::iter::from_fn(|| cursor.next(b)).collect())
}

/// The rows of a JSON text as [`row_ranges`] finds them, one at a time: a cursor into the
/// text, so millions of rows cost no list of their ranges. Give [`RowCursor::next`] the same
/// text each time.
#[derive(Debug, Clone)]
pub struct RowCursor {
    /// Where to look for the next element of the row array; `None` when the rows are the
    /// whole value (`whole`) or have all been given.
    at: Option<usize>,
    whole: Option<(usize, usize)>,
}

impl RowCursor {
    /// A cursor over `b`'s rows (`b` one valid JSON value; see [`row_ranges`]).
    pub fn new(b: &[u8]) -> Result<RowCursor, TwoRowArrays> {
        let start = skip_ws(b, 0);
        let array = match b.get(start) {
            Some(b'[') => Some(start),
            Some(b'{') => wrapped_array(b, start)?.map(|(_, array)| array),
            _ => None,
        };
        Ok(match array {
            Some(array) => RowCursor {
                at: Some(array + 1),
                whole: None,
            },
            None => RowCursor {
                at: None,
                whole: Some((start, value_end(b, start).unwrap_or(b.len()))),
            },
        })
    }

    /// The next row's byte range in `b`.
    pub fn next(&mut self, b: &[u8]) -> Option<(usize, usize)> {
        if let Some(whole) = self.whole.take() {
            return Some(whole);
        }
        let at = next_member(b, self.at?, b']').flatten();
        let range = at.and_then(|at| Some((at, value_end(b, at).ok()?)));
        self.at = range.map(|(_, end)| end);
        range
    }
}

/// A document that holds rows in two arrays: `first` and `second` are their keys (the same
/// key when it is written twice), `at` where the second array starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoRowArrays {
    /// The key of the first array with rows.
    pub first: &'static str,
    /// The key of the second.
    pub second: &'static str,
    /// Byte offset of the second array.
    pub at: usize,
    /// The second array mixes objects with other values.
    pub mixed: bool,
}

impl std::fmt::Display for TwoRowArrays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.mixed {
            write!(
                f,
                "`{}` holds objects among other values beside the rows of `{}`: a row array holds objects only, so these cannot be read as rows (nor passed over in silence)",
                self.second, self.first
            )
        } else if self.first == self.second {
            write!(
                f,
                "the key `{}` is written twice, each time with rows; a JSON parser keeps only the last, so ptuplan refuses rather than drop the first: put the rows in one array",
                self.first
            )
        } else {
            write!(
                f,
                "both `{}` and `{}` hold rows, and ptuplan reads one row array a document: put the rows in one array, or split the file",
                self.first, self.second
            )
        }
    }
}

/// The key and the start of the row array a wrapper object holds (see [`row_ranges`]), if
/// any; `Ok(None)` too for text that is not an object. Of several row arrays, the one with
/// rows is taken (empty ones are passed over); two with rows are an error.
pub fn wrapped_array(
    b: &[u8],
    start: usize,
) -> Result<Option<(&'static str, usize)>, TwoRowArrays> {
    // Only the row-array keys: a wrapper of millions of other members costs nothing.
    let mut entries: Vec<(&'static str, usize)> = Vec::new();
    let scanned = for_each_entry(b, start, |key, at| {
        if let Some(&name) = ROW_ARRAYS.iter().find(|&&k| k == key) {
            entries.push((name, at));
        }
    });
    if scanned.is_none() {
        return Ok(None);
    }
    // (key, start, whether it holds rows), in the order of ROW_ARRAYS among empty ones.
    let mut found: Option<(&'static str, usize, bool)> = None;
    // The first row-key array that mixes objects with other values.
    let mut mixed: Option<(&'static str, usize)> = None;
    for &(name, ref at) in &entries {
        let Some((all, objects)) = element_kinds(b, *at) else {
            continue;
        };
        if objects < all {
            if objects > 0 {
                mixed.get_or_insert((name, *at));
            }
            continue;
        }
        let has_rows = all > 0;
        match found {
            Some((first, _, true)) if has_rows => {
                return Err(TwoRowArrays {
                    first,
                    second: name,
                    at: *at,
                    mixed: false,
                })
            }
            Some((_, _, true)) => {}
            Some((kept, _, false)) if !has_rows && rank(kept) <= rank(name) => {}
            _ => found = Some((name, *at, has_rows)),
        }
    }
    if let (Some((first, _, true)), Some((second, at))) = (found, mixed) {
        return Err(TwoRowArrays {
            first,
            second,
            at,
            mixed: true,
        });
    }
    Ok(found.map(|(key, at, _)| (key, at)))
}

/// A row-array key's place in [`ROW_ARRAYS`].
fn rank(key: &str) -> usize {
    ROW_ARRAYS
        .iter()
        .position(|&k| k == key)
        .unwrap_or(ROW_ARRAYS.len())
}

/// The keys of the object starting at `start`, each with where its value starts; `None` when
/// `b` holds no well-formed object there.
pub fn object_entries(b: &[u8], start: usize) -> Option<Vec<(String, usize)>> {
    let mut out = Vec::new();
    for_each_entry(b, start, |key, at| out.push((key.into_owned(), at)))?;
    Some(out)
}

/// Call `f` with each key of the object starting at `start` and where its value starts, in
/// order; `None` when `b` holds no well-formed object there (`f` may have seen some keys).
/// A key without escapes is borrowed from `b`, so an object of millions of members costs no
/// memory of its own.
pub fn for_each_entry(
    b: &[u8],
    start: usize,
    mut f: impl FnMut(std::borrow::Cow<'_, str>, usize),
) -> Option<()> {
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut i = start + 1;
    while let Some(at) = next_member(b, i, b'}')? {
        if b[at] != b'"' {
            return None;
        }
        let key_end = value_end(b, at).ok()?;
        let raw = &b[at + 1..key_end - 1];
        let key = match memchr::memchr(b'\\', raw) {
            None => std::borrow::Cow::Borrowed(std::str::from_utf8(raw).ok()?),
            Some(_) => std::borrow::Cow::Owned(serde_json::from_slice(&b[at..key_end]).ok()?),
        };
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        f(key, i);
        i = value_end(b, i).ok()?;
    }
    Some(())
}

/// How many elements the array starting at `start` has, and how many of them are objects;
/// `None` when it is not a well-formed array.
fn element_kinds(b: &[u8], start: usize) -> Option<(usize, usize)> {
    if b.get(start) != Some(&b'[') {
        return None;
    }
    let (mut all, mut objects) = (0, 0);
    let mut i = start + 1;
    while let Some(at) = next_member(b, i, b']')? {
        all += 1;
        objects += usize::from(b[at] == b'{');
        i = value_end(b, at).ok()?;
    }
    Some((all, objects))
}

/// Where the next member of an array or object starts at or after `i`, white space and
/// separators skipped; `Some(None)` at its closing `close`, `None` at the end of `b`.
fn next_member(b: &[u8], mut i: usize, close: u8) -> Option<Option<usize>> {
    loop {
        i = skip_ws(b, i);
        match *b.get(i)? {
            c if c == close => return Some(None),
            b',' => i += 1,
            _ => return Some(Some(i)),
        }
    }
}

/// Whether the text from `start` (a document's beginning) holds the first row of its rows'
/// array whole (found by scanning; the reader parses it).
fn first_row_complete(body: &[u8], start: usize) -> bool {
    let Ok(Some(array)) = find_row_array(body, start) else {
        return false;
    };
    value_end(body, skip_ws(body, array + 1)).is_ok()
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

/// The first byte at or after `i` that is not JSON white space (space, tab, CR, LF; not form
/// feed, which `is_ascii_whitespace` would pass).
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<&str> {
        row_ranges(text.as_bytes())
            .expect("one row array")
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn row_ranges_take_rows_as_a_parsed_value_would() {
        // A top-level array: its elements, whatever they are.
        assert_eq!(
            rows(" [ {\"a\":1} , 2,\"x]\" ] "),
            ["{\"a\":1}", "2", "\"x]\""]
        );
        // A wrapper object: its one row array with rows, wherever it stands.
        let page = "{\"rows\": [], \"data\": [{\"d\":1},{\"d\":\"}\"}]}";
        assert_eq!(rows(page), ["{\"d\":1}", "{\"d\":\"}\"}"]);
        let page = "{\"value\": [{\"v\":1}], \"data\": []}";
        assert_eq!(rows(page), ["{\"v\":1}"]);
        // Two arrays with rows, or one key twice with rows: refused, never one of them kept.
        let two = "{\"rows\": [{\"r\":1}], \"data\": [{\"d\":1}]}";
        let err = row_ranges(two.as_bytes()).expect_err("two row arrays");
        assert_eq!((err.first, err.second), ("rows", "data"));
        assert_eq!(&two[err.at..err.at + 1], "[");
        assert!(err.to_string().contains("both `rows` and `data` hold rows"));
        let twice = "{\"data\": [{\"a\":1}], \"data\": [{\"b\":2}]}";
        let err = row_ranges(twice.as_bytes()).expect_err("a key twice");
        assert!(err.to_string().contains("`data` is written twice"));
        // Objects among other values beside the rows: refused, not passed over.
        let mixed = "{\"data\": [{\"a\":1}], \"value\": [5, {\"b\":2}]}";
        let err = row_ranges(mixed.as_bytes()).expect_err("mixed");
        assert!(
            err.mixed
                && err
                    .to_string()
                    .contains("`value` holds objects among other values")
        );
        // Written twice, once empty: the rows are read.
        assert_eq!(rows("{\"data\": [{\"a\":1}], \"data\": []}"), ["{\"a\":1}"]);
        // An array that holds a non-object is no row array: the whole object is the row.
        let mixed = "{\"data\": [{\"a\":1}, 5], \"x\": 1}";
        assert_eq!(rows(mixed), [mixed]);
        assert_eq!(wrapped_array(mixed.as_bytes(), 0), Ok(None));
        // An empty row array has no rows.
        assert!(rows("{\"data\": []}").is_empty());
        // A plain object is its own row.
        assert_eq!(rows("{\"a\": [1, 2]}"), ["{\"a\": [1, 2]}"]);
    }

    #[test]
    fn object_entries_name_each_key_and_its_value() {
        let text = br#"{ "a" : 1, "b\"c": {"d": [1]} ,"e":"f"}"#;
        let entries = object_entries(text, 0).expect("an object");
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b\"c", "e"]);
        assert_eq!(text[entries[1].1], b'{');
        assert_eq!(object_entries(b"{\"a\" 1}", 0), None);
        assert_eq!(object_entries(b"{\"a\": 1", 0), None);
        assert_eq!(object_entries(b"[1]", 0), None);
    }

    #[test]
    fn a_prefix_holds_its_first_record_once_the_first_row_ends() {
        assert_eq!(
            first_record_state(b"{\"data\": [{\"a\": 1}, {\"b\""),
            FirstRecord::Complete
        );
        assert_eq!(
            first_record_state(b"{\"data\": [{\"a\": [1, 2"),
            FirstRecord::Incomplete
        );
        assert_eq!(first_record_state(b"a,b\n1"), FirstRecord::Complete);
    }
}
