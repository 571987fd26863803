//! Splitting CSV bytes into records, fast for the common shape and exact for the rest (and
//! JSON Lines into lines, with the same buffer).
//!
//! A line without a `"` is one record: its end is found with `memchr`, and it is split at
//! its commas by hand, without a state machine and without copying. A record that holds a `"` (quoting, an
//! escaped quote, a line break inside a quoted field) is handed, from its first byte, to
//! `csv-core`, the parser inside the `csv` crate, with the settings the `csv` crate uses by
//! default; so every record splits exactly as the `csv` crate splits it (the tests compare the
//! two on arbitrary input). Blank lines are skipped, as the `csv` crate skips them, and every
//! record carries the line it starts on.
//!
//! Line ends are normalized as the bytes come in: `\r\n` and a lone `\r` become `\n`, in
//! place (see [`super::lines`] for the rule), so that line numbers do not depend on them.
//! Memory: one buffer of [`CHUNK_BYTES`], grown only for a record longer than that, up to
//! the record bound.

use std::io::{self, Read};

/// Append the position of every `,` in `line` to `out`, in order.
///
/// Eight bytes at a time (SWAR): a word's comma bytes are found with the exact zero-byte test
/// on the word XOR `,,,,,,,,` (no false positives, unlike the shorter borrow trick), then
/// read off its mask lowest first; the tail is a byte loop. Fields are a few bytes long, so
/// most words hold one comma or none.
#[inline]
pub(crate) fn comma_positions(line: &[u8], out: &mut Vec<usize>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const COMMAS: u64 = ONES * b',' as u64;
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ COMMAS;
        // High bit of each byte set exactly where `x` has a zero byte.
        let mut zero = !(((x & LOW7) + LOW7) | x | LOW7);
        while zero != 0 {
            out.push(base + (zero.trailing_zeros() / 8) as usize);
            zero &= zero - 1;
        }
        base += 8;
    }
    for (i, b) in words.remainder().iter().enumerate() {
        if *b == b',' {
            out.push(base + i);
        }
    }
}

/// Bytes read per refill.
const CHUNK_BYTES: usize = 1 << 20;

/// A record: its fields, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    /// The fields' bytes: the raw line (fields separated by one comma), or `csv-core`'s output
    /// (fields back to back).
    data: &'a [u8],
    /// Where each field ends in `data`.
    ends: &'a [usize],
    /// Bytes between a field's end and the next field's start (1 for a raw line, else 0).
    gap: usize,
}

impl<'a> Record<'a> {
    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, if the record has it.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] + self.gap,
        };
        Some(&self.data[start..end])
    }

    /// The record's bytes (fields and, for a raw line, their commas).
    #[inline]
    pub fn as_slice(&self) -> &'a [u8] {
        self.data
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.get(i).expect("i < len"))
    }
}

/// Why a record could not be read.
#[derive(Debug)]
pub(crate) enum SplitError {
    /// Reading the input failed.
    Io(io::Error),
    /// The record starting at this line is longer than the bound.
    TooLong {
        /// The line the record starts on (relative to the reader's first line, 1-based).
        line: u64,
    },
}

/// Reads CSV records from bytes (see the module documentation).
pub(crate) struct CsvSplitter<R> {
    inner: R,
    /// Nothing was read yet from the start of a file (a BOM there is dropped).
    at_file_start: bool,
    buf: Vec<u8>,
    /// The first byte not yet handed out.
    start: usize,
    /// The end of the bytes read (and normalized).
    end: usize,
    eof: bool,
    /// The last byte read was a `\r` (turned into `\n`): a `\n` right after it is dropped.
    after_cr: bool,
    /// Line ends passed so far.
    line: u64,
    max_record: usize,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> CsvSplitter<R> {
    /// Split `inner`, refusing records longer than `max_record` bytes. `at_file_start`: the
    /// input is the start of a file, where a UTF-8 BOM is dropped (as the `csv` crate drops
    /// it); else the input starts at a record in a file's middle.
    pub fn new(inner: R, max_record: usize, at_file_start: bool) -> Self {
        let mut core = csv_core::Reader::new();
        // `csv-core` drops a BOM only before it has read anything: the BOM is this splitter's
        // business (at the file's first byte only), so a blank line marks `csv-core` as having
        // read, which leaves it at the start of a record.
        let _ = core.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
        CsvSplitter {
            at_file_start,
            inner,
            buf: vec![0; CHUNK_BYTES],
            start: 0,
            end: 0,
            eof: false,
            after_cr: false,
            line: 0,
            max_record,
            core,
            out: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    /// The next record and the line it starts on (1-based), or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<(u64, Record<'_>)>, SplitError> {
        if self.at_file_start {
            while self.end < 3 && !self.eof {
                self.fill()?;
            }
            if self.buf[self.start..self.end].starts_with(b"\xEF\xBB\xBF") {
                self.start += 3;
            }
            self.at_file_start = false;
        }
        loop {
            // Blank lines are skipped (they still count).
            while self.start < self.end && self.buf[self.start] == b'\n' {
                self.start += 1;
                self.line += 1;
            }
            if self.start == self.end {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            let rest = &self.buf[self.start..self.end];
            match memchr::memchr2(b'\n', b'"', rest) {
                Some(i) if rest[i] == b'\n' && i <= self.max_record => {
                    return Ok(Some(self.plain(i)))
                }
                Some(i) if rest[i] == b'\n' => {
                    return Err(SplitError::TooLong {
                        line: self.line + 1,
                    })
                }
                Some(_) => return self.quoted(),
                None if self.eof && rest.len() <= self.max_record => {
                    let len = rest.len();
                    return Ok(Some(self.plain(len)));
                }
                None => {
                    if rest.len() > self.max_record {
                        return Err(SplitError::TooLong {
                            line: self.line + 1,
                        });
                    }
                    self.fill()?;
                }
            }
        }
    }

    /// The next line, blank or not, without its line end, and its number; `None` at the end.
    /// For JSON Lines, whose every line is a record whatever quotes it holds.
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>, SplitError> {
        loop {
            let rest = &self.buf[self.start..self.end];
            let len = match memchr::memchr(b'\n', rest) {
                Some(i) => i,
                None if self.eof && rest.is_empty() => return Ok(None),
                None if self.eof => rest.len(),
                None => {
                    if rest.len() > self.max_record {
                        return Err(SplitError::TooLong {
                            line: self.line + 1,
                        });
                    }
                    self.fill()?;
                    continue;
                }
            };
            if len > self.max_record {
                return Err(SplitError::TooLong {
                    line: self.line + 1,
                });
            }
            let start = self.start;
            self.start = (start + len + 1).min(self.end);
            self.line += 1;
            return Ok(Some((self.line, &self.buf[start..start + len])));
        }
    }

    /// The line of `len` bytes at `start` (its line end, if any, follows it).
    fn plain(&mut self, len: usize) -> (u64, Record<'_>) {
        let (start, end) = (self.start, self.start + len);
        self.start = (end + 1).min(self.end);
        self.line += 1;
        self.ends.clear();
        let line = &self.buf[start..end];
        comma_positions(line, &mut self.ends);
        self.ends.push(len);
        (
            self.line,
            Record {
                data: line,
                ends: &self.ends,
                gap: 1,
            },
        )
    }

    /// The record at `start`, which holds a quote: read by `csv-core`.
    fn quoted(&mut self) -> Result<Option<(u64, Record<'_>)>, SplitError> {
        use csv_core::ReadRecordResult as R;
        let first_line = self.line + 1;
        let (mut nout, mut nend, mut raw) = (0usize, 0usize, 0usize);
        loop {
            let input = &self.buf[self.start..self.end];
            let (res, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.start += nin;
            raw += nin;
            nout += o;
            nend += e;
            if raw > self.max_record {
                return Err(SplitError::TooLong { line: first_line });
            }
            match res {
                R::InputEmpty if self.eof => {}
                R::InputEmpty => self.fill()?,
                R::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                R::End => return Ok(None),
                R::Record => {
                    return Ok(Some((
                        first_line,
                        Record {
                            data: &self.out[..nout],
                            ends: &self.ends[..nend],
                            gap: 0,
                        },
                    )))
                }
            }
        }
    }

    /// Keep the unread bytes, read more after them (growing the buffer when they fill it),
    /// and normalize the new bytes' line ends.
    fn fill(&mut self) -> Result<(), SplitError> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = (self.buf.len() * 2).min(self.max_record + CHUNK_BYTES);
            self.buf.resize(n, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SplitError::Io(e)),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        let kept = normalize_line_ends(&mut self.buf[self.end..self.end + n], &mut self.after_cr);
        self.end += kept;
        Ok(())
    }
}

/// Turn `\r\n` and lone `\r` into `\n` in place; returns the new length. `after_cr` carries a
/// `\r` at the end of one chunk over to the next (a `\n` first in that one is then dropped).
fn normalize_line_ends(bytes: &mut [u8], after_cr: &mut bool) -> usize {
    let mut read = 0;
    if *after_cr && bytes.first() == Some(&b'\n') {
        read = 1;
    }
    *after_cr = false;
    let Some(first) = memchr::memchr(b'\r', &bytes[read..]) else {
        if read == 1 {
            bytes.copy_within(1.., 0);
            return bytes.len() - 1;
        }
        return bytes.len();
    };
    let mut write = 0;
    let mut cr = read + first;
    loop {
        bytes.copy_within(read..cr, write);
        write += cr - read;
        bytes[write] = b'\n';
        write += 1;
        read = cr + 1;
        match bytes.get(read) {
            Some(b'\n') => read += 1,
            Some(_) => {}
            None => *after_cr = true,
        }
        match memchr::memchr(b'\r', &bytes[read..]) {
            Some(i) => cr = read + i,
            None => {
                let tail = bytes.len() - read;
                bytes.copy_within(read.., write);
                return write + tail;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The records and their first lines, as this splitter reads them.
    fn split(bytes: &[u8], chunk: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let reader = io::BufReader::with_capacity(chunk, bytes);
        let mut s = CsvSplitter::new(reader, 1 << 20, true);
        let mut out = Vec::new();
        while let Some((line, r)) = s.next_record().expect("reads") {
            out.push((line, r.fields().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The records as the `csv` crate reads them (after the same line-end rule).
    fn reference(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(crate::usage::lines::Newlines::new(bytes));
        let mut out = Vec::new();
        let mut rec = ::csv::ByteRecord::new();
        while r.read_byte_record(&mut rec).expect("reads") {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    #[test]
    fn splits_plain_and_quoted_records() {
        let text = b"a,b\n\n\"x,1\",\"multi\nline\"\r\nlast,\"q\"\"uote\"";
        let got = split(text, 4);
        assert_eq!(
            got,
            vec![
                (1, vec![b"a".to_vec(), b"b".to_vec()]),
                (3, vec![b"x,1".to_vec(), b"multi\nline".to_vec()]),
                (5, vec![b"last".to_vec(), b"q\"uote".to_vec()]),
            ]
        );
    }

    #[test]
    fn a_record_longer_than_the_bound_is_refused_at_its_line() {
        let mut text = b"a,b\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100));
        let mut s = CsvSplitter::new(&text[..], 50, true);
        assert!(s.next_record().expect("first").is_some());
        assert!(matches!(
            s.next_record(),
            Err(SplitError::TooLong { line: 2 })
        ));
        let quoted = b"a\n\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n";
        let mut s = CsvSplitter::new(&quoted[..], 50, true);
        assert!(s.next_record().expect("first").is_some());
        assert!(matches!(
            s.next_record(),
            Err(SplitError::TooLong { line: 2 })
        ));
    }

    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                4 => Just(b'a'),
                2 => Just(b','),
                2 => Just(b'"'),
                2 => Just(b'\n'),
                1 => Just(b'\r'),
                1 => Just(b' '),
                1 => Just(0xEF),
                1 => Just(0xBB),
                1 => Just(0xBF),
            ],
            0..80,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Issue 20: the word-at-a-time comma search finds exactly the commas a byte loop
        /// finds, whatever the other bytes (`,` with its high bit set included).
        #[test]
        fn issue_20_comma_positions_are_the_byte_loops(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(0xAC), Just(b'\0'), any::<u8>()], 0..100),
        ) {
            let mut got = Vec::new();
            comma_positions(&bytes, &mut got);
            let want: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b',').collect();
            prop_assert_eq!(got, want);
        }

        /// Issue 20: the fast splitter and the `csv` crate agree on every input (quotes,
        /// escaped quotes, line breaks in quotes, CRLF, lone CR, blank lines, a BOM), for
        /// any read size.
        #[test]
        fn issue_20_fast_split_agrees_with_the_csv_crate(bytes in csvish(), chunk in 1usize..16) {
            let got: Vec<Vec<Vec<u8>>> = split(&bytes, chunk).into_iter().map(|(_, r)| r).collect();
            prop_assert_eq!(got, reference(&bytes));
        }

        /// Issue 20: every record's line is the line its first byte is on: lines rise, none
        /// is blank, and a line without a quote holds exactly its record.
        #[test]
        fn issue_20_records_carry_the_line_they_start_on(bytes in csvish(), chunk in 1usize..16) {
            let mut normalized = Vec::new();
            crate::usage::lines::Newlines::new(&bytes[..]).read_to_end(&mut normalized).expect("reads");
            let lines: Vec<&[u8]> = normalized.split(|b| *b == b'\n').collect();
            let mut last = 0;
            for (line, fields) in split(&bytes, chunk) {
                prop_assert!(line > last);
                last = line;
                let mut text = lines[line as usize - 1];
                if line == 1 {
                    text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                }
                prop_assert!(!text.is_empty(), "line {} is blank", line);
                if !text.contains(&b'"') {
                    prop_assert_eq!(text.to_vec(), fields.join(&b',').to_vec());
                }
            }
        }
    }

    #[test]
    fn normalizes_line_ends_in_place_across_chunks() {
        let mut after_cr = false;
        let mut a = b"x\r\ny\rz\r".to_vec();
        let n = normalize_line_ends(&mut a, &mut after_cr);
        assert_eq!(&a[..n], b"x\ny\nz\n");
        assert!(after_cr);
        let mut b = b"\nw".to_vec();
        let n = normalize_line_ends(&mut b, &mut after_cr);
        assert_eq!(&b[..n], b"w");
    }
}
