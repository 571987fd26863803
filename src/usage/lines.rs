//! Line endings: every reader sees `\n` only. [`Newlines`] turns `\r\n` and a lone `\r`
//! (classic Mac OS, some exporters) into `\n` as the bytes stream through, so a log reads the
//! same, and every error names the same line, whatever its line endings and however many
//! threads read it. [`line_end_at`] and [`count_line_ends`] apply the same rule to raw bytes
//! for the parallel reader, which cuts files at line ends.

use std::io::{self, BufRead, Read};

/// Longest line any reader takes, bytes: a usage log's row is a few hundred bytes (a LiteLLM
/// row with stored prompts a few hundred KB, an API page saved as one JSON line a few MB); a
/// longer line is no row of one, and reading it whole would hold it in memory.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// A line longer than its bound, in bytes (the `io::Error` [`Newlines`] returns carries it).
#[derive(Debug, thiserror::Error)]
#[error("longer than {} MiB, far more than a usage log's row (is this a usage log?)", .0 >> 20)]
pub struct LineTooLong(pub usize);

impl LineTooLong {
    /// True when `e` is this error.
    pub fn is(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<LineTooLong>())
    }
}

/// A reader that normalizes line endings to `\n`, and refuses a line longer than
/// [`MAX_LINE_BYTES`] before it is read whole.
pub struct Newlines<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    /// Bytes handed out or buffered since the last line end.
    since_line_end: usize,
    /// Longest line taken.
    max_line: usize,
    /// The last byte handed out was a `\r` turned into `\n`: a `\n` right after it belongs to
    /// the same line end.
    after_cr: bool,
}

/// Bytes normalized per refill.
const CHUNK_BYTES: usize = 256 * 1024;

impl<R: BufRead> Newlines<R> {
    /// Wrap `inner`, lines up to [`MAX_LINE_BYTES`].
    pub fn new(inner: R) -> Self {
        Newlines::with_max_line(inner, MAX_LINE_BYTES)
    }

    /// Wrap `inner`, lines up to `max_line` bytes (JSON Lines: a line may be a whole API page).
    pub fn with_max_line(inner: R, max_line: usize) -> Self {
        Newlines {
            inner,
            buf: Vec::with_capacity(CHUNK_BYTES),
            pos: 0,
            since_line_end: 0,
            max_line,
            after_cr: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.buf.clear();
        self.pos = 0;
        while self.buf.is_empty() {
            let input = self.inner.fill_buf()?;
            if input.is_empty() {
                return Ok(());
            }
            let take = input.len().min(CHUNK_BYTES);
            let input = &input[..take];
            let mut rest = input;
            if self.after_cr && rest.first() == Some(&b'\n') {
                rest = &rest[1..];
            }
            self.after_cr = false;
            while let Some(i) = memchr::memchr(b'\r', rest) {
                self.buf.extend_from_slice(&rest[..i]);
                self.buf.push(b'\n');
                rest = &rest[i + 1..];
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            self.buf.extend_from_slice(rest);
            self.inner.consume(take);
        }
        self.since_line_end = match memchr::memrchr(b'\n', &self.buf) {
            Some(i) => self.buf.len() - i - 1,
            None => self.since_line_end + self.buf.len(),
        };
        if self.since_line_end > self.max_line {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LineTooLong(self.max_line),
            ));
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Newlines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_through_buffer(self, out)
    }
}

/// `Read::read` for a reader whose [`BufRead`] side holds the bytes: copy what `fill_buf`
/// has ready into `out` and consume it.
pub(crate) fn read_through_buffer(reader: &mut impl BufRead, out: &mut [u8]) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(out.len());
    out[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

impl<R: BufRead> BufRead for Newlines<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.refill()?;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

/// The line end starting at `bytes[i]`, if there is one: its length (2 for `\r\n`, else 1).
/// A `\r` at the very end of `bytes` counts as a whole line end only when `at_eof`.
pub fn line_end_at(bytes: &[u8], i: usize, at_eof: bool) -> Option<usize> {
    match bytes.get(i)? {
        b'\n' => Some(1),
        b'\r' => match bytes.get(i + 1) {
            Some(b'\n') => Some(2),
            Some(_) => Some(1),
            None if at_eof => Some(1),
            None => None,
        },
        _ => None,
    }
}

/// Line ends in `bytes` (`\n`, `\r\n` and lone `\r` count one each); `next` is the byte after
/// `bytes`, if any (a `\r` followed by it is part of a `\r\n`).
pub fn count_line_ends(bytes: &[u8], next: Option<u8>) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1).copied().or(next) != Some(b'\n'))
        .count() as u64;
    lf + lone_cr
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn normalize(bytes: &[u8], buffer: usize) -> Vec<u8> {
        let reader = io::BufReader::with_capacity(buffer, bytes);
        let mut out = Vec::new();
        Newlines::new(reader).read_to_end(&mut out).expect("reads");
        out
    }

    fn reference(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\r' {
                out.push(b'\n');
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn every_line_ending_becomes_lf() {
        assert_eq!(normalize(b"a\r\nb\rc\nd\r", 64), b"a\nb\nc\nd\n");
        assert_eq!(normalize(b"\r\r\n\n", 64), b"\n\n\n");
        // A CRLF split across two refills is one line end.
        assert_eq!(normalize(b"ab\r\ncd", 3), b"ab\ncd");
    }

    proptest! {
        #[test]
        fn matches_the_reference_for_any_buffer_size(bytes in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'x')], 0..64), buffer in 1usize..8) {
            let normalized = normalize(&bytes, buffer);
            prop_assert_eq!(&normalized, &reference(&bytes));
            let lines = normalized.iter().filter(|b| **b == b'\n').count() as u64;
            prop_assert_eq!(count_line_ends(&bytes, None), lines);
        }
    }
}
