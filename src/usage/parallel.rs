//! Reading one large, uncompressed log file with several threads.
//!
//! The body (after a CSV header) is cut into contiguous byte ranges at line ends (`\n`,
//! `\r\n` or a lone `\r`, as [`super::lines`] reads them, never inside a `\r\n`). A first
//! parallel pass counts each range's lines, so that every error still names its exact line,
//! and, for CSV, looks for `"`: a quoted field may hold a line break, so a CSV file with any
//! quote is read sequentially instead. The second pass parses each range into a fork of the
//! sink; forks are joined back in file order, and the first error in file order wins.
//! Compressed files, stdin, small files and `threads == 1` use the sequential readers.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::csv::{columns_of, read_csv_body, Columns};
use super::detect::{open_input, InputFormat, InputSource, InputSpec};
use super::jsonl::read_jsonl;
use super::lines::{count_line_ends, Newlines};
use super::{KeyResolver, ReadOptions, ReadSummary, RecordSink, UsageError};

/// Files smaller than this are read by one thread.
pub const PARALLEL_MIN_BYTES: u64 = 16 << 20;
const BUF_BYTES: usize = 1 << 20;

/// Read `spec` with `options.threads` threads when it qualifies; `Ok(None)` means "read it
/// sequentially" (nothing has been delivered to `sink` then).
pub fn read_file_parallel<S: RecordSink>(
    spec: &InputSpec,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<Option<ReadSummary>, UsageError> {
    let InputSource::File(path) = &spec.source else {
        return Ok(None);
    };
    let name = spec.source.name();
    let io_err = |source| UsageError::Io {
        path: name.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io_err)?.len();
    if options.threads < 2
        || size < options.parallel_min_bytes.max(1)
        || is_gzip(path).map_err(io_err)?
    {
        return Ok(None);
    }
    if options.columns.is_some() {
        return Ok(None);
    }
    let opened = open_input(spec)?;
    let (header_bytes, columns) = match opened.format {
        InputFormat::Csv => {
            // The header's raw bytes, through its line end (any of `\n`, `\r\n`, `\r`).
            let line = first_line(path).map_err(io_err)?;
            let body = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
            if body.contains(&b'"') || body.trim_ascii().is_empty() {
                // A quoted header field may hold a line break, and the CSV reader skips blank
                // lines before the header: such files are read sequentially.
                return Ok(None);
            }
            let mut header_reader = ::csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(Newlines::new(line.as_slice()));
            let header = header_reader
                .byte_headers()
                .map_err(|e| UsageError::File {
                    path: name.clone(),
                    message: format!("line 1: malformed CSV header: {e}"),
                })?
                .clone();
            (line.len() as u64, Some(columns_of(&header, &name)?))
        }
        InputFormat::Jsonl => (0, None),
        _ => return Ok(None),
    };
    drop(opened);
    let ranges = split_at_line_ends(path, header_bytes, size, options.threads).map_err(io_err)?;
    let scans = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| scope.spawn(move || scan(path, start, end)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scanning thread panicked"))
            .collect::<io::Result<Vec<_>>>()
    })
    .map_err(io_err)?;
    if columns.is_some() && scans.iter().any(|s| s.has_quote) {
        return Ok(None);
    }
    let mut line_offsets = Vec::with_capacity(ranges.len());
    let mut lines = u64::from(columns.is_some());
    for s in &scans {
        line_offsets.push(lines);
        lines += s.line_ends;
    }
    let results: Vec<Result<(ReadSummary, S), UsageError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .zip(&line_offsets)
            .map(|(&(start, end), &offset)| {
                let mut fork = sink.fork();
                let (name, columns) = (&name, columns.as_ref());
                scope.spawn(move || {
                    let summary = read_range(
                        path,
                        name,
                        (start, end),
                        offset,
                        columns,
                        options,
                        resolver,
                        &mut fork,
                    )?;
                    Ok((summary, fork))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a reading thread panicked"))
            .collect()
    });
    let mut total = ReadSummary::default();
    for result in results {
        let (summary, fork) = result?;
        sink.join(fork).map_err(|e| UsageError::File {
            path: name.clone(),
            message: e.message,
        })?;
        total.merge(summary);
    }
    Ok(Some(total))
}

/// The first line of the file, with its line end.
fn first_line(path: &Path) -> io::Result<Vec<u8>> {
    let mut reader = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut line = Vec::new();
    read_through_line_end(&mut reader, &mut line)?;
    Ok(line)
}

/// Append bytes up to and including the next line end (`\n`, `\r\n` or a lone `\r`) to
/// `out`; returns how many were appended (fewer at the end of the file).
fn read_through_line_end(reader: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<usize> {
    let start = out.len();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(out.len() - start);
        }
        match memchr::memchr2(b'\n', b'\r', buf) {
            Some(i) if buf[i] == b'\n' => {
                out.extend_from_slice(&buf[..=i]);
                reader.consume(i + 1);
                return Ok(out.len() - start);
            }
            Some(i) => {
                out.extend_from_slice(&buf[..=i]);
                reader.consume(i + 1);
                // A `\r` ends the line; a `\n` right after it belongs to the same line end.
                let next = reader.fill_buf()?;
                if next.first() == Some(&b'\n') {
                    out.push(b'\n');
                    reader.consume(1);
                }
                return Ok(out.len() - start);
            }
            None => {
                let n = buf.len();
                out.extend_from_slice(buf);
                reader.consume(n);
            }
        }
    }
}

fn is_gzip(path: &Path) -> io::Result<bool> {
    let mut magic = [0u8; 2];
    let n = File::open(path)?.read(&mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// `threads` ranges covering `[from, size)`, each ending just after a line end (the last at
/// `size`); fewer when the file has few lines.
fn split_at_line_ends(
    path: &Path,
    from: u64,
    size: u64,
    threads: usize,
) -> io::Result<Vec<(u64, u64)>> {
    let mut file = File::open(path)?;
    let mut bounds = vec![from];
    let span = size.saturating_sub(from);
    for k in 1..threads as u64 {
        let target = (from + span * k / threads as u64).max(*bounds.last().expect("non-empty"));
        file.seek(SeekFrom::Start(target))?;
        let mut reader = BufReader::with_capacity(64 * 1024, &mut file);
        let mut skipped = Vec::new();
        let n = read_through_line_end(&mut reader, &mut skipped)? as u64;
        let bound = (target + n).min(size);
        if bound > *bounds.last().expect("non-empty") && bound < size {
            bounds.push(bound);
        }
    }
    bounds.push(size);
    Ok(bounds.windows(2).map(|w| (w[0], w[1])).collect())
}

struct Scan {
    line_ends: u64,
    has_quote: bool,
}

fn scan(path: &Path, start: u64, end: u64) -> io::Result<Scan> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut reader = file.take(end - start);
    let mut buf = vec![0u8; BUF_BYTES];
    let mut out = Scan {
        line_ends: 0,
        has_quote: false,
    };
    // Ranges end right after a whole line end, so a `\r` is part of a `\r\n` only within one
    // range; across two reads of the same range it is counted once.
    let mut after_cr = false;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        let chunk = &buf[..n];
        out.line_ends += count_line_ends(chunk, None);
        if after_cr && chunk[0] == b'\n' {
            out.line_ends -= 1;
        }
        after_cr = chunk[n - 1] == b'\r';
        out.has_quote |= memchr::memchr(b'"', chunk).is_some();
    }
}

#[allow(clippy::too_many_arguments)]
fn read_range<S: RecordSink>(
    path: &Path,
    name: &str,
    (start, end): (u64, u64),
    line_offset: u64,
    columns: Option<&Columns>,
    options: &ReadOptions,
    resolver: &dyn KeyResolver,
    sink: &mut S,
) -> Result<ReadSummary, UsageError> {
    let io_err = |source| UsageError::Io {
        path: name.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    file.seek(SeekFrom::Start(start)).map_err(io_err)?;
    let body = BufReader::with_capacity(BUF_BYTES, file.take(end - start));
    match columns {
        Some(columns) => read_csv_body(body, name, columns, line_offset, options, resolver, sink),
        None => read_jsonl(body, name, line_offset, options, resolver, sink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_at_line_ends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.csv");
        let text: String = (0..100).map(|i| format!("line{i}\n")).collect();
        std::fs::write(&path, &text).expect("write");
        let ranges = split_at_line_ends(&path, 6, text.len() as u64, 4).expect("split");
        assert_eq!(ranges.first().expect("some").0, 6);
        assert_eq!(ranges.last().expect("some").1, text.len() as u64);
        for w in ranges.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            assert_eq!(text.as_bytes()[w[0].1 as usize - 1], b'\n');
        }
    }
}
