//! Decompressing in a second thread while the reader parses: [`ReadAhead`] runs a `Read` (the
//! gzip decoder) on its own thread, which fills chunks of [`CHUNK_BYTES`] and hands them over
//! a channel of [`CHUNKS_IN_FLIGHT`]; used chunks go back to be refilled. Memory is bounded by
//! those chunks (4 MiB), whatever the input's size.
//!
//! A single-member gzip stream cannot be inflated in parallel (each block depends on the 32 KiB
//! before it), so overlapping inflate with parsing is what two cores can do for it.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Bytes per chunk handed to the parser.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks filled ahead of the parser (and so, with the one it reads, the memory bound).
const CHUNKS_IN_FLIGHT: usize = 3;

/// A reader whose bytes are produced on another thread (see the module documentation).
pub struct ReadAhead {
    full: Receiver<io::Result<Vec<u8>>>,
    empty: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ReadAhead {
    /// Start reading `inner` on its own thread. The thread ends at the end of the input, at
    /// its first error (handed on), or when this reader is dropped.
    pub fn new(mut inner: impl Read + Send + 'static) -> io::Result<ReadAhead> {
        let (full_tx, full) = mpsc::sync_channel::<io::Result<Vec<u8>>>(CHUNKS_IN_FLIGHT);
        let (empty, empty_rx) = mpsc::sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT + 1);
        std::thread::Builder::new()
            .name("ptuplan-inflate".to_owned())
            .spawn(move || loop {
                let mut chunk = empty_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES));
                chunk.resize(CHUNK_BYTES, 0);
                let (n, error) = fill(&mut inner, &mut chunk);
                chunk.truncate(n);
                // The bytes before an error go first, so that the parser meets them as it
                // would have without this thread.
                if n > 0 && full_tx.send(Ok(chunk)).is_err() {
                    return;
                }
                match error {
                    Some(e) => {
                        let _ = full_tx.send(Err(e));
                        return;
                    }
                    None if n == 0 => {
                        let _ = full_tx.send(Ok(Vec::new()));
                        return;
                    }
                    None => {}
                }
            })?;
        Ok(ReadAhead {
            full,
            empty,
            current: Vec::new(),
            pos: 0,
            done: false,
        })
    }
}

/// Read into `chunk` until it is full, the input ends or a read fails: the bytes read, and
/// the error.
fn fill(inner: &mut impl Read, chunk: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut n = 0;
    while n < chunk.len() {
        match inner.read(&mut chunk[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.current.len() && !self.done {
            match self.full.recv() {
                Ok(Ok(chunk)) if !chunk.is_empty() => {
                    let used = std::mem::replace(&mut self.current, chunk);
                    // The thread may have ended (its last chunk sent): the buffer is dropped.
                    let _ = self.empty.try_send(used);
                    self.pos = 0;
                }
                Ok(Ok(_)) => self.done = true,
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the decompressing thread stopped"));
                }
            }
        }
        if self.done && self.pos >= self.current.len() {
            return Ok(&[]);
        }
        Ok(&self.current[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.current.len());
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        super::lines::read_through_buffer(self, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_every_byte_in_order() {
        let data: Vec<u8> = (0..(5 * CHUNK_BYTES + 123))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut out = Vec::new();
        ReadAhead::new(io::Cursor::new(data.clone()))
            .expect("starts")
            .read_to_end(&mut out)
            .expect("reads");
        assert_eq!(out, data);
    }

    #[test]
    fn hands_on_the_first_error() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt"));
                }
                let n = buf.len().min(self.0);
                buf[..n].fill(b'x');
                self.0 -= n;
                Ok(n)
            }
        }
        let mut out = Vec::new();
        let err = ReadAhead::new(Failing(3 * CHUNK_BYTES / 2))
            .expect("starts")
            .read_to_end(&mut out)
            .expect_err("fails");
        assert_eq!(err.to_string(), "corrupt");
        assert_eq!(out.len(), 3 * CHUNK_BYTES / 2);
    }
}
