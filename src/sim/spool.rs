//! The event spool: compact replay events collected in log order and handed back in timestamp
//! order, with bounded memory.
//!
//! Events are buffered in chunks of [`CHUNK_EVENTS`]; a full chunk is sorted (stably, so equal
//! timestamps keep log order) and spilled to a temp file as fixed 56-byte records.
//! Reading merges the runs (a plain concatenation when the log was already in order). A log
//! that fits in one chunk never touches the disk. Memory is one chunk plus one read buffer
//! per run, whatever the log's length.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Events held in memory before a chunk is spilled (14 MiB of events per reading thread).
pub const CHUNK_EVENTS: usize = 256 * 1024;
/// Marker for an absent optional `u32` field.
pub const NONE_U32: u32 = u32::MAX;
/// [`ReplayEvent::flags`] bit: the real deployment answered this request 429 (`calibrate`).
pub const OBSERVED_429: u32 = 1;
/// Flag bit on disk for [`ReplayEvent::long_context`].
const FLAG_LONG_CONTEXT: u32 = 1 << 1;
const RECORD_BYTES: usize = 56;

/// One successful request, reduced to what the admission replay needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayEvent {
    /// Arrival, ms since the Unix epoch.
    pub t_ms: i64,
    /// Workload index.
    pub workload: u32,
    /// Ordinary input tokens: prompt minus cache reads minus cache writes.
    pub input_tokens: u32,
    /// Cached prompt tokens (cache reads).
    pub cached_tokens: u32,
    /// Cache-write tokens.
    pub cache_write_tokens: u32,
    /// True when the request is long-context for its model.
    pub long_context: bool,
    /// The request's PTU-weighted input, in thousandths of a token (rounded), from
    /// [`crate::catalog::accounting::weigh`].
    pub weighted_input_millitokens: u64,
    /// The PTU weight of one output token, in thousandths.
    pub output_weight_milli: u32,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u32,
    /// `max_completion_tokens`, or [`NONE_U32`].
    pub max_completion_tokens: u32,
    /// Logged latency in ms, or [`NONE_U32`].
    pub latency_ms: u32,
    /// Bit flags ([`OBSERVED_429`]).
    pub flags: u32,
}

impl ReplayEvent {
    fn to_bytes(self) -> [u8; RECORD_BYTES] {
        let mut out = [0u8; RECORD_BYTES];
        out[0..8].copy_from_slice(&self.t_ms.to_le_bytes());
        out[8..12].copy_from_slice(&self.workload.to_le_bytes());
        out[12..16].copy_from_slice(&self.input_tokens.to_le_bytes());
        out[16..20].copy_from_slice(&self.completion_tokens.to_le_bytes());
        out[20..24].copy_from_slice(&self.max_completion_tokens.to_le_bytes());
        out[24..28].copy_from_slice(&self.latency_ms.to_le_bytes());
        out[28..32].copy_from_slice(&self.cached_tokens.to_le_bytes());
        let long = if self.long_context {
            FLAG_LONG_CONTEXT
        } else {
            0
        };
        out[32..36].copy_from_slice(&(self.flags | long).to_le_bytes());
        out[36..40].copy_from_slice(&self.cache_write_tokens.to_le_bytes());
        out[40..44].copy_from_slice(&self.output_weight_milli.to_le_bytes());
        out[44..52].copy_from_slice(&self.weighted_input_millitokens.to_le_bytes());
        out
    }

    fn from_bytes(b: &[u8; RECORD_BYTES]) -> Self {
        let u = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let eight = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i..i + 8]);
            x
        };
        ReplayEvent {
            t_ms: i64::from_le_bytes(eight(0)),
            workload: u(8),
            input_tokens: u(12),
            completion_tokens: u(16),
            max_completion_tokens: u(20),
            latency_ms: u(24),
            cached_tokens: u(28),
            flags: u(32) & !FLAG_LONG_CONTEXT,
            long_context: u(32) & FLAG_LONG_CONTEXT != 0,
            cache_write_tokens: u(36),
            output_weight_milli: u(40),
            weighted_input_millitokens: u64::from_le_bytes(eight(44)),
        }
    }
}

/// Collects events; [`EventSpool::finish`] turns it into [`SortedEvents`].
pub struct EventSpool {
    chunk: Vec<ReplayEvent>,
    chunk_events: usize,
    /// Where spilled runs go (None = the system temp directory). A run's caller can remove the
    /// whole directory when the process is interrupted.
    dir: Option<PathBuf>,
    runs: Vec<NamedTempFile>,
    in_order: bool,
    first_t_ms: i64,
    last_t_ms: i64,
}

impl Default for EventSpool {
    fn default() -> Self {
        Self::with_chunk_events(CHUNK_EVENTS)
    }
}

impl EventSpool {
    /// A spool that spills every `chunk_events` events (tests use small values).
    pub fn with_chunk_events(chunk_events: usize) -> Self {
        EventSpool {
            chunk: Vec::new(),
            chunk_events: chunk_events.max(1),
            dir: None,
            runs: Vec::new(),
            in_order: true,
            first_t_ms: i64::MAX,
            last_t_ms: i64::MIN,
        }
    }

    /// A spool that spills every `chunk_events` events into temp files in `dir`.
    pub fn in_dir(dir: &Path, chunk_events: usize) -> Self {
        EventSpool {
            dir: Some(dir.to_owned()),
            ..Self::with_chunk_events(chunk_events)
        }
    }

    /// An empty spool with the same chunk size and directory (for another part of the log).
    pub fn like(&self) -> Self {
        EventSpool {
            dir: self.dir.clone(),
            ..Self::with_chunk_events(self.chunk_events)
        }
    }

    /// Add an event.
    pub fn push(&mut self, event: ReplayEvent) -> io::Result<()> {
        if event.t_ms < self.last_t_ms {
            self.in_order = false;
        }
        self.first_t_ms = self.first_t_ms.min(event.t_ms);
        self.last_t_ms = self.last_t_ms.max(event.t_ms);
        self.chunk.push(event);
        if self.chunk.len() >= self.chunk_events {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        self.chunk.sort_by_key(|e| e.t_ms);
        let mut file = match &self.dir {
            Some(dir) => NamedTempFile::with_prefix_in("spool-", dir)?,
            None => NamedTempFile::with_prefix("ptuplan-spool-")?,
        };
        {
            let mut w = BufWriter::with_capacity(256 * 1024, file.as_file_mut());
            for e in &self.chunk {
                w.write_all(&e.to_bytes())?;
            }
            w.flush()?;
        }
        self.runs.push(file);
        self.chunk.clear();
        Ok(())
    }

    /// Sort what is left and return the time-ordered event source.
    pub fn finish(mut self) -> SortedEvents {
        self.chunk.sort_by_key(|e| e.t_ms);
        let mut runs: Vec<Run> = self.runs.into_iter().map(Run::File).collect();
        runs.push(Run::Memory(self.chunk));
        SortedEvents {
            runs,
            in_order: self.in_order,
            first_t_ms: self.first_t_ms,
            last_t_ms: self.last_t_ms,
        }
    }
}

/// A sorted run of events: spilled to a temp file, or still in memory.
enum Run {
    File(NamedTempFile),
    Memory(Vec<ReplayEvent>),
}

/// Time-ordered events that can be iterated any number of times.
pub struct SortedEvents {
    runs: Vec<Run>,
    /// True when the runs, read one after another, are already in time order.
    in_order: bool,
    first_t_ms: i64,
    last_t_ms: i64,
}

impl SortedEvents {
    /// Number of runs spilled to disk (0 when the log fit in memory).
    pub fn spilled_runs(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| matches!(r, Run::File(_)))
            .count()
    }

    /// Append the events of a later part of the log (ties keep `self` first). When the later
    /// part starts no earlier than this one ends (a time-sorted log read in parts), the runs
    /// stay a plain concatenation.
    pub fn append(&mut self, later: SortedEvents) {
        let empty = |s: &SortedEvents| s.first_t_ms > s.last_t_ms;
        self.in_order = if empty(&later) {
            self.in_order
        } else if empty(self) {
            later.in_order
        } else {
            self.in_order && later.in_order && self.last_t_ms <= later.first_t_ms
        };
        self.first_t_ms = self.first_t_ms.min(later.first_t_ms);
        self.last_t_ms = self.last_t_ms.max(later.last_t_ms);
        self.runs.extend(later.runs);
    }

    /// Visit every event in timestamp order (ties in log order).
    pub fn for_each(&self, mut f: impl FnMut(&ReplayEvent)) -> io::Result<()> {
        if self.in_order {
            // One run open at a time: memory does not grow with the number of runs.
            for run in &self.runs {
                let mut source = Source::open(run, 256 * 1024)?;
                while let Some(e) = source.next_event()? {
                    f(&e);
                }
            }
            return Ok(());
        }
        // k-way merge; ties go to the earlier run (log order). Small buffers: every run is open.
        let mut sources = self
            .runs
            .iter()
            .map(|r| Source::open(r, MERGE_BUF_BYTES))
            .collect::<io::Result<Vec<_>>>()?;
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (i, source) in sources.iter_mut().enumerate() {
            if let Some(e) = source.next_event()? {
                heap.push(Reverse((e.t_ms, i, HeapEvent(e))));
            }
        }
        while let Some(Reverse((_, run, HeapEvent(e)))) = heap.pop() {
            f(&e);
            if let Some(n) = sources[run].next_event()? {
                heap.push(Reverse((n.t_ms, run, HeapEvent(n))));
            }
        }
        Ok(())
    }
}

/// Read buffer per run during a k-way merge.
const MERGE_BUF_BYTES: usize = 16 * 1024;

enum Source<'a> {
    File(RunReader<BufReader<File>>),
    Memory(std::slice::Iter<'a, ReplayEvent>),
}

impl<'a> Source<'a> {
    fn open(run: &'a Run, buf_bytes: usize) -> io::Result<Source<'a>> {
        Ok(match run {
            Run::File(file) => Source::File(RunReader::new(BufReader::with_capacity(
                buf_bytes,
                File::open(file.path())?,
            ))),
            Run::Memory(events) => Source::Memory(events.iter()),
        })
    }

    fn next_event(&mut self) -> io::Result<Option<ReplayEvent>> {
        match self {
            Source::File(r) => r.next_event(),
            Source::Memory(it) => Ok(it.next().copied()),
        }
    }
}

/// Orders only by the tuple's earlier fields; the event itself never decides.
#[derive(Clone, Copy, PartialEq, Eq)]
struct HeapEvent(ReplayEvent);

impl PartialOrd for HeapEvent {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HeapEvent {
    fn cmp(&self, _other: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

struct RunReader<R> {
    inner: R,
}

impl<R: Read> RunReader<R> {
    fn new(inner: R) -> Self {
        RunReader { inner }
    }

    fn next_event(&mut self) -> io::Result<Option<ReplayEvent>> {
        let mut buf = [0u8; RECORD_BYTES];
        match self.inner.read_exact(&mut buf) {
            Ok(()) => Ok(Some(ReplayEvent::from_bytes(&buf))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(t_ms: i64, workload: u32) -> ReplayEvent {
        ReplayEvent {
            t_ms,
            workload,
            input_tokens: 1,
            cached_tokens: 3,
            cache_write_tokens: 4,
            long_context: workload % 2 == 1,
            weighted_input_millitokens: 1_000 + u64::from(workload),
            output_weight_milli: 4_000,
            completion_tokens: 2,
            max_completion_tokens: NONE_U32,
            latency_ms: 7,
            flags: if workload % 3 == 0 { OBSERVED_429 } else { 0 },
        }
    }

    fn collect(s: &SortedEvents) -> Vec<ReplayEvent> {
        let mut out = Vec::new();
        s.for_each(|e| out.push(*e)).expect("read");
        out
    }

    proptest! {
        #[test]
        fn returns_events_sorted_stably(times in proptest::collection::vec(0i64..50, 0..200), chunk in 1usize..40) {
            let mut spool = EventSpool::with_chunk_events(chunk);
            for (i, t) in times.iter().enumerate() {
                spool.push(event(*t, i as u32)).expect("push");
            }
            let sorted = spool.finish();
            let got = collect(&sorted);
            let mut expected: Vec<ReplayEvent> = times.iter().enumerate().map(|(i, t)| event(*t, i as u32)).collect();
            expected.sort_by_key(|e| e.t_ms);
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn appended_parts_merge_correctly_in_and_out_of_order() {
        let part = |times: &[i64]| {
            let mut spool = EventSpool::with_chunk_events(2);
            for (i, t) in times.iter().enumerate() {
                spool.push(event(*t, i as u32)).expect("push");
            }
            spool.finish()
        };
        let mut a = part(&[1, 2, 3]);
        a.append(part(&[3, 4, 5]));
        assert!(a.in_order, "touching parts stay a concatenation");
        let times: Vec<i64> = collect(&a).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, vec![1, 2, 3, 3, 4, 5]);
        let mut b = part(&[1, 5]);
        b.append(part(&[2, 3]));
        assert!(!b.in_order);
        let times: Vec<i64> = collect(&b).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, vec![1, 2, 3, 5]);
    }

    #[test]
    fn in_order_log_spills_and_concatenates() {
        let mut spool = EventSpool::with_chunk_events(3);
        for t in 0..10 {
            spool.push(event(t, 0)).expect("push");
        }
        let sorted = spool.finish();
        assert_eq!(sorted.spilled_runs(), 3);
        let times: Vec<i64> = collect(&sorted).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, (0..10).collect::<Vec<_>>());
        // Iterating twice gives the same events.
        assert_eq!(collect(&sorted).len(), 10);
    }
}
