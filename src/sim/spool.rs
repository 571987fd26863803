//! The event spool: compact replay events collected in log order and handed back, one
//! workload at a time, in timestamp order, with bounded memory.
//!
//! Events are buffered in chunks of [`CHUNK_EVENTS`]; a full chunk is sorted by workload and
//! time (stably, so equal timestamps keep log order) and spilled as one run of fixed 56-byte
//! records, appended to the spool's one temp file (one file descriptor per spool, however
//! many runs), with an index of where each workload's events lie. Workloads never
//! interact in the replay, so each is read on its own ([`SortedEvents::for_each_of`]): its
//! segments of every run, concatenated when they are already in time order (a time-sorted log)
//! and merged otherwise. A log that fits in one chunk never touches the disk. Memory is one
//! chunk (2 MiB) plus a small read buffer per run being merged, whatever the log's length.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tempfile::NamedTempFile;

/// Events held in memory before a chunk is spilled (2 MiB of events per spool: one per
/// reading thread and replay). Smaller chunks cost nothing measurable (runs of one workload
/// are read in order, not merged, when the log is in time order) and sort faster in cache.
pub const CHUNK_EVENTS: usize = 32 * 1024;
/// Marker for an absent optional `u32` field.
pub const NONE_U32: u32 = u32::MAX;
/// [`ReplayEvent::flags`] bit: the real deployment answered this request 429 (`calibrate`).
pub const OBSERVED_429: u32 = 1;
/// Flag bit on disk for [`ReplayEvent::long_context`].
const FLAG_LONG_CONTEXT: u32 = 1 << 1;
const RECORD_BYTES: usize = 56;
/// Chunks whose workload indexes are all below this are ordered by counting them
/// ([`EventSpool::sort_order`]); others by a comparison sort.
const COUNTED_WORKLOADS: usize = 1 << 16;

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
    /// The request's tokens by billing category (what per-token prices apply to).
    pub fn tokens(&self) -> crate::catalog::accounting::RequestTokens {
        crate::catalog::accounting::RequestTokens {
            prompt_tokens: u64::from(self.input_tokens)
                + u64::from(self.cached_tokens)
                + u64::from(self.cache_write_tokens),
            cached_tokens: u64::from(self.cached_tokens),
            cache_write_tokens: u64::from(self.cache_write_tokens),
            completion_tokens: u64::from(self.completion_tokens),
        }
    }

    /// `max_completion_tokens`, when the request logged it.
    #[inline(always)]
    pub fn max_completion(&self) -> Option<u32> {
        (self.max_completion_tokens != NONE_U32).then_some(self.max_completion_tokens)
    }

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
    /// The temp file every spilled run is appended to (created at the first spill).
    file: Option<Arc<NamedTempFile>>,
    /// Bytes of complete runs in `file`: where the next run starts.
    file_bytes: u64,
    /// Spilled runs: their first byte in `file` and their index.
    runs: Vec<(u64, Vec<Segment>)>,
    /// The chunk's sort order (indexes into `chunk`), reused from spill to spill so no large
    /// buffer is allocated per chunk.
    order: Vec<u32>,
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
            file: None,
            file_bytes: 0,
            runs: Vec::new(),
            order: Vec::new(),
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
        self.chunk.push(event);
        if self.chunk.len() >= self.chunk_events {
            self.spill()?;
        }
        Ok(())
    }

    /// The chunk's order by (workload, time), ties in push (log) order.
    ///
    /// Workload indexes are small and a log is mostly in time order, so the order is found
    /// by counting the events of each workload (a stable partition) and then sorting, stably
    /// by time, only the workloads whose events are out of time order. The result is the
    /// same as sorting by `(workload, t_ms, push index)`, in linear time for a time-sorted log.
    fn sort_order(&mut self) {
        let chunk = &self.chunk;
        self.order.clear();
        let most = chunk.iter().map(|e| e.workload).max().unwrap_or(0) as usize;
        if most >= COUNTED_WORKLOADS {
            self.order.extend(0..chunk.len() as u32);
            self.order.sort_unstable_by_key(|&i| {
                let e = &chunk[i as usize];
                (e.workload, e.t_ms, i)
            });
            return;
        }
        // starts[w]: where workload w's events begin in the order.
        let mut starts = vec![0usize; most + 2];
        for e in chunk {
            starts[e.workload as usize + 1] += 1;
        }
        for w in 1..starts.len() {
            starts[w] += starts[w - 1];
        }
        self.order.resize(chunk.len(), 0);
        let mut next = starts.clone();
        for (i, e) in chunk.iter().enumerate() {
            let slot = &mut next[e.workload as usize];
            self.order[*slot] = i as u32;
            *slot += 1;
        }
        for w in 0..=most {
            let part = &mut self.order[starts[w]..starts[w + 1]];
            let time = |i: &u32| chunk[*i as usize].t_ms;
            if !part.windows(2).all(|p| time(&p[0]) <= time(&p[1])) {
                // Stable: equal times keep push order, which the partition kept.
                part.sort_by_key(time);
            }
        }
    }

    fn spill(&mut self) -> io::Result<()> {
        self.sort_order();
        let index = index_of(self.order.iter().map(|&i| &self.chunk[i as usize]));
        let file = match &self.file {
            Some(file) => Arc::clone(file),
            None => {
                let file = Arc::new(match &self.dir {
                    Some(dir) => NamedTempFile::with_prefix_in("spool-", dir)?,
                    None => NamedTempFile::with_prefix("ptuplan-spool-")?,
                });
                self.file = Some(Arc::clone(&file));
                file
            }
        };
        let base = self.file_bytes;
        {
            // From the end of the last complete run: a failed write's bytes are overwritten.
            let mut handle = file.as_file();
            handle.seek(SeekFrom::Start(base))?;
            let mut w = BufWriter::with_capacity(256 * 1024, handle);
            for &i in &self.order {
                w.write_all(&self.chunk[i as usize].to_bytes())?;
            }
            w.flush()?;
        }
        self.file_bytes = base + (self.chunk.len() * RECORD_BYTES) as u64;
        self.runs.push((base, index));
        self.chunk.clear();
        Ok(())
    }

    /// Sort what is left and return the event source. A spool that has spilled spills its
    /// last chunk too, so no chunk stays in memory while the events are replayed (should
    /// that write fail, the chunk simply stays in memory); a small log stays in memory and
    /// never touches the disk.
    pub fn finish(mut self) -> SortedEvents {
        let mut memory: Vec<Run> = Vec::new();
        if !self.runs.is_empty() && !self.chunk.is_empty() {
            // A failed write leaves the chunk as it was: it then stays in memory below.
            let _ = self.spill();
        }
        if !self.chunk.is_empty() || self.runs.is_empty() {
            // In place (a stable sort: ties stay in push order, as `sort_order` keeps them),
            // so the chunk is never held twice.
            let mut sorted = std::mem::take(&mut self.chunk);
            sorted.sort_by_key(|e| (e.workload, e.t_ms));
            let index = index_of(sorted.iter());
            memory.push(Run {
                data: RunData::Memory(sorted),
                index,
            });
        }
        let file = self.file;
        let mut runs: Vec<Run> = self
            .runs
            .into_iter()
            .filter_map(|(base, index)| {
                Some(Run {
                    data: RunData::File {
                        file: Arc::clone(file.as_ref()?),
                        base,
                    },
                    index,
                })
            })
            .collect();
        runs.append(&mut memory);
        SortedEvents { runs }
    }
}

/// Where one workload's events lie in a run (sorted by workload, then time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    workload: u32,
    /// Index of its first event in the run.
    start: u64,
    /// Events.
    len: u64,
    first_t_ms: i64,
    last_t_ms: i64,
}

/// The segments of a chunk sorted by (workload, time).
fn index_of<'a>(chunk: impl Iterator<Item = &'a ReplayEvent>) -> Vec<Segment> {
    let mut index: Vec<Segment> = Vec::new();
    for (i, e) in chunk.enumerate() {
        match index.last_mut() {
            Some(s) if s.workload == e.workload => {
                s.len += 1;
                s.last_t_ms = e.t_ms;
            }
            _ => index.push(Segment {
                workload: e.workload,
                start: i as u64,
                len: 1,
                first_t_ms: e.t_ms,
                last_t_ms: e.t_ms,
            }),
        }
    }
    index
}

/// A run of events sorted by workload and time, spilled to a temp file or still in memory.
struct Run {
    data: RunData,
    index: Vec<Segment>,
}

enum RunData {
    /// In the spool's temp file, from byte `base` on (the file is removed with its last run).
    File {
        file: Arc<NamedTempFile>,
        base: u64,
    },
    Memory(Vec<ReplayEvent>),
}

impl Run {
    fn segment(&self, workload: u32) -> Option<Segment> {
        self.index
            .binary_search_by_key(&workload, |s| s.workload)
            .ok()
            .map(|i| self.index[i])
    }
}

/// The events of a replay, readable any number of times, one workload at a time.
pub struct SortedEvents {
    runs: Vec<Run>,
}

impl SortedEvents {
    /// Number of runs spilled to disk (0 when the log fit in memory).
    pub fn spilled_runs(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| matches!(r.data, RunData::File { .. }))
            .count()
    }

    /// Append the events of a later part of the log (ties keep `self` first).
    pub fn append(&mut self, later: SortedEvents) {
        self.runs.extend(later.runs);
    }

    /// Events per workload, by workload index.
    pub fn counts(&self) -> BTreeMap<u32, u64> {
        let mut counts = BTreeMap::new();
        for run in &self.runs {
            for s in &run.index {
                *counts.entry(s.workload).or_insert(0) += s.len;
            }
        }
        counts
    }

    /// Visit every event, workload by workload (each in timestamp order): for callers to
    /// whom the order across workloads does not matter.
    pub fn for_each_all(&self, mut f: impl FnMut(&ReplayEvent)) -> io::Result<()> {
        for w in self.counts().keys() {
            self.for_each_of(*w, &mut f)?;
        }
        Ok(())
    }

    /// Visit every event of `workload` in timestamp order (ties in log order).
    pub fn for_each_of(&self, workload: u32, mut f: impl FnMut(&ReplayEvent)) -> io::Result<()> {
        let parts: Vec<(&Run, Segment)> = self
            .runs
            .iter()
            .filter_map(|r| r.segment(workload).map(|s| (r, s)))
            .collect();
        let in_order = parts
            .windows(2)
            .all(|w| w[0].1.last_t_ms <= w[1].1.first_t_ms);
        if in_order {
            // One segment open at a time.
            for (run, seg) in parts {
                let mut source = Source::open(run, seg, READ_BATCH_EVENTS);
                while let Some(e) = source.next_event()? {
                    f(&e);
                }
            }
            return Ok(());
        }
        // k-way merge; ties go to the earlier run (log order). Small buffers: every run is open.
        let mut sources: Vec<Source<'_>> = parts
            .iter()
            .map(|(run, seg)| Source::open(run, *seg, MERGE_BATCH_EVENTS))
            .collect();
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

/// Events decoded per read when segments are concatenated (about 224 KiB).
const READ_BATCH_EVENTS: usize = 4096;
/// Events decoded per read and run during a k-way merge.
const MERGE_BATCH_EVENTS: usize = 256;

/// The events of one segment, read in batches.
enum Source<'a> {
    File {
        file: &'a File,
        /// Next byte offset to read.
        offset: u64,
        /// Bytes left in the segment.
        left: u64,
        bytes: Vec<u8>,
        batch: Vec<ReplayEvent>,
        next: usize,
        batch_events: usize,
    },
    Memory(std::slice::Iter<'a, ReplayEvent>),
}

impl<'a> Source<'a> {
    fn open(run: &'a Run, seg: Segment, batch_events: usize) -> Source<'a> {
        match &run.data {
            RunData::File { file, base } => Source::File {
                file: file.as_file(),
                offset: base + seg.start * RECORD_BYTES as u64,
                left: seg.len * RECORD_BYTES as u64,
                bytes: Vec::new(),
                batch: Vec::new(),
                next: 0,
                batch_events,
            },
            RunData::Memory(events) => {
                let (a, b) = (seg.start as usize, (seg.start + seg.len) as usize);
                Source::Memory(events[a..b].iter())
            }
        }
    }

    fn next_event(&mut self) -> io::Result<Option<ReplayEvent>> {
        match self {
            Source::Memory(it) => Ok(it.next().copied()),
            Source::File {
                file,
                offset,
                left,
                bytes,
                batch,
                next,
                batch_events,
            } => {
                if *next == batch.len() {
                    if *left == 0 {
                        return Ok(None);
                    }
                    let n = (*left).min((*batch_events * RECORD_BYTES) as u64) as usize;
                    bytes.resize(n, 0);
                    read_exact_at(file, bytes, *offset)?;
                    *offset += n as u64;
                    *left -= n as u64;
                    batch.clear();
                    batch.extend(bytes.chunks_exact(RECORD_BYTES).map(|b| {
                        ReplayEvent::from_bytes(b.try_into().expect("chunks of RECORD_BYTES"))
                    }));
                    *next = 0;
                }
                let e = batch[*next];
                *next += 1;
                Ok(Some(e))
            }
        }
    }
}

/// Read exactly `buf.len()` bytes at `offset` without moving a shared file cursor (so
/// several threads can read one run at once).
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
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

    /// Every event, workload by workload, each in time order.
    fn collect(s: &SortedEvents) -> Vec<ReplayEvent> {
        let mut out = Vec::new();
        for w in s.counts().keys() {
            s.for_each_of(*w, |e| out.push(*e)).expect("read");
        }
        out
    }

    /// The same, from a plain list: by workload, then time, ties in list order.
    fn expected(list: &[ReplayEvent]) -> Vec<ReplayEvent> {
        let mut v = list.to_vec();
        v.sort_by_key(|e| (e.workload, e.t_ms));
        v
    }

    proptest! {
        #[test]
        fn returns_each_workloads_events_sorted_stably(
            events in proptest::collection::vec((0i64..50, 0u32..4, 0u32..1000), 0..200),
            chunk in 1usize..40,
            // Indexes past the counted range take the comparison sort.
            far in proptest::bool::ANY,
        ) {
            let mut spool = EventSpool::with_chunk_events(chunk);
            let offset = if far { COUNTED_WORKLOADS as u32 - 2 } else { 0 };
            let list: Vec<ReplayEvent> = events
                .iter()
                .map(|(t, w, tag)| ReplayEvent {
                    completion_tokens: *tag,
                    ..event(*t, *w + offset)
                })
                .collect();
            for e in &list {
                spool.push(*e).expect("push");
            }
            let sorted = spool.finish();
            prop_assert_eq!(collect(&sorted), expected(&list));
            let counts = sorted.counts();
            prop_assert_eq!(counts.values().sum::<u64>(), list.len() as u64);
        }
    }

    #[test]
    fn appended_parts_merge_correctly_in_and_out_of_order() {
        let part = |times: &[i64]| {
            let mut spool = EventSpool::with_chunk_events(2);
            for (i, t) in times.iter().enumerate() {
                spool.push(event(*t, (i % 2) as u32)).expect("push");
            }
            spool.finish()
        };
        let mut a = part(&[1, 2, 3]);
        a.append(part(&[3, 4, 5]));
        let times: Vec<i64> = collect(&a).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, vec![1, 3, 3, 5, 2, 4]);
        let mut b = part(&[1, 5]);
        b.append(part(&[2, 3]));
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
        // Three full chunks, and the last one spilled too: none stays in memory.
        assert_eq!(sorted.spilled_runs(), 4);
        let times: Vec<i64> = collect(&sorted).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, (0..10).collect::<Vec<_>>());
        // Iterating twice gives the same events.
        assert_eq!(collect(&sorted).len(), 10);
    }

    #[test]
    fn issue_20_every_run_of_a_spool_shares_one_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spool = EventSpool::in_dir(dir.path(), 3);
        // Out of order across runs, so reading merges runs of one file at their offsets.
        let list: Vec<ReplayEvent> = (0..31)
            .map(|t| event((t * 11) % 31, t as u32 % 2))
            .collect();
        for e in &list {
            spool.push(*e).expect("push");
        }
        let sorted = spool.finish();
        assert_eq!(sorted.spilled_runs(), 11);
        let files = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(files, 1, "one temp file for the spool's 11 runs");
        assert_eq!(collect(&sorted), expected(&list));
        drop(sorted);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn a_log_within_one_chunk_never_touches_the_disk() {
        let mut spool = EventSpool::with_chunk_events(16);
        for t in [5, 1, 3] {
            spool.push(event(t, 0)).expect("push");
        }
        let sorted = spool.finish();
        assert_eq!(sorted.spilled_runs(), 0);
        let times: Vec<i64> = collect(&sorted).iter().map(|e| e.t_ms).collect();
        assert_eq!(times, vec![1, 3, 5]);
    }

    #[test]
    fn events_roundtrip_through_a_file_in_batches() {
        let list: Vec<ReplayEvent> = (0..10_000)
            .map(|t| event(t * 7 % 9_973, (t % 3) as u32))
            .collect();
        let mut spool = EventSpool::with_chunk_events(5_000);
        for e in &list {
            spool.push(*e).expect("push");
        }
        let sorted = spool.finish();
        assert_eq!(sorted.spilled_runs(), 2);
        assert_eq!(collect(&sorted), expected(&list));
    }
}
