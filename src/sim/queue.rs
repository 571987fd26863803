//! A queue of timed items for the admission pass (completion corrections), popped in
//! (time, sequence) order: the order a binary heap keyed by (time, sequence) gives, at a
//! fraction of its cost on the replay's traffic.
//!
//! Most items fall due within seconds to minutes of being pushed. They wait, unsorted, in one
//! bucket per [`BUCKET_MS`] of time on a ring of [`RING`] buckets; only the bucket being
//! drained is a heap. Items beyond the ring wait in an overflow heap and move onto the ring as
//! time reaches them. When nothing waits on the ring, time jumps straight to the next item.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Width of a bucket: 2^10 = 1,024 ms.
const BUCKET_SHIFT: u32 = 10;
/// Buckets on the ring: items due within about 4 minutes are bucketed, later ones overflow.
const RING: usize = 256;

/// An item with its due time and sequence number.
#[derive(Debug, Clone, Copy)]
pub struct Timed<T> {
    /// Due, ms since the epoch.
    pub t_ms: i64,
    /// Tie-breaker: pushes with the same time pop in sequence order.
    pub seq: u64,
    /// The payload.
    pub item: T,
}

impl<T> PartialEq for Timed<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.t_ms, self.seq) == (other.t_ms, other.seq)
    }
}
impl<T> Eq for Timed<T> {}
impl<T> PartialOrd for Timed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Timed<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.t_ms, self.seq).cmp(&(other.t_ms, other.seq))
    }
}

/// The queue.
pub struct TimedQueue<T> {
    /// Items of the buckets loaded so far, sorted latest first (popped from the end).
    sorted: Vec<Timed<T>>,
    /// Items pushed into a bucket already loaded, as a min-heap.
    now: BinaryHeap<Reverse<Timed<T>>>,
    /// Items of buckets `current + 1 .. current + RING`, unsorted, at `bucket % RING`.
    ring: Vec<Vec<Timed<T>>>,
    /// Items on the ring.
    on_ring: usize,
    /// Items due later than the ring reaches.
    far: BinaryHeap<Reverse<Timed<T>>>,
    /// The bucket being drained (`t_ms >> BUCKET_SHIFT`).
    current: i64,
}

impl<T> Default for TimedQueue<T> {
    fn default() -> Self {
        TimedQueue {
            sorted: Vec::new(),
            now: BinaryHeap::new(),
            ring: (0..RING).map(|_| Vec::new()).collect(),
            on_ring: 0,
            far: BinaryHeap::new(),
            current: i64::MIN,
        }
    }
}

fn bucket_of(t_ms: i64) -> i64 {
    t_ms >> BUCKET_SHIFT
}

impl<T> TimedQueue<T> {
    /// Add an item.
    pub fn push(&mut self, timed: Timed<T>) {
        let b = bucket_of(timed.t_ms);
        if self.current == i64::MIN {
            self.current = b;
        }
        if b <= self.current {
            self.now.push(Reverse(timed));
        } else if b - self.current < RING as i64 {
            self.ring[(b as usize) % RING].push(timed);
            self.on_ring += 1;
        } else {
            self.far.push(Reverse(timed));
        }
    }

    /// The (time, sequence) of the earliest item loaded, from either list.
    fn head(&self) -> Option<(i64, u64)> {
        let a = self.sorted.last().map(|t| (t.t_ms, t.seq));
        let b = self.now.peek().map(|Reverse(t)| (t.t_ms, t.seq));
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The (time, sequence) of the first item due at or before `t_ms`, if any. Advances the
    /// queue's notion of "now" up to `t_ms`'s bucket at most, so it never reorders items.
    pub fn peek_due(&mut self, t_ms: i64) -> Option<(i64, u64)> {
        loop {
            if let Some(head) = self.head() {
                return (head.0 <= t_ms).then_some(head);
            }
            let limit = bucket_of(t_ms);
            if self.current >= limit {
                return None;
            }
            if self.on_ring == 0 {
                // Nothing bucketed: jump to the next far item's bucket (or to `t_ms`'s).
                let next_far = self.far.peek().map(|Reverse(f)| bucket_of(f.t_ms));
                match next_far {
                    Some(b) if b <= limit => self.current = b.max(self.current + 1),
                    _ => {
                        self.current = limit;
                        self.pull_far();
                        continue;
                    }
                }
            } else {
                self.current += 1;
            }
            let slot = (self.current as usize) % RING;
            let bucket = &mut self.ring[slot];
            self.on_ring -= bucket.len();
            // Both lists are empty here: the bucket becomes the sorted list (latest first).
            std::mem::swap(&mut self.sorted, bucket);
            self.sorted
                .sort_unstable_by_key(|t| Reverse((t.t_ms, t.seq)));
            self.pull_far();
        }
    }

    /// Move far items that the ring now reaches onto it (or into `now`).
    fn pull_far(&mut self) {
        while let Some(Reverse(f)) = self.far.peek() {
            let b = bucket_of(f.t_ms);
            if b - self.current >= RING as i64 {
                break;
            }
            let Reverse(f) = self.far.pop().expect("peeked");
            if b <= self.current {
                self.now.push(Reverse(f));
            } else {
                self.ring[(b as usize) % RING].push(f);
                self.on_ring += 1;
            }
        }
    }

    /// Remove the item [`peek_due`](TimedQueue::peek_due) returned.
    pub fn pop(&mut self) -> Option<Timed<T>> {
        let a = self.sorted.last().map(|t| (t.t_ms, t.seq));
        let b = self.now.peek().map(|Reverse(t)| (t.t_ms, t.seq));
        match (a, b) {
            (Some(a), Some(b)) if b < a => self.now.pop().map(|Reverse(t)| t),
            (Some(_), _) => self.sorted.pop(),
            (None, _) => self.now.pop().map(|Reverse(t)| t),
        }
    }

    /// True when no item waits.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty() && self.now.is_empty() && self.on_ring == 0 && self.far.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Interleaved pushes (never earlier than the time reached) and pops give exactly the
        /// order of a binary heap keyed by (time, sequence).
        #[test]
        fn pops_in_the_order_of_a_heap(
            steps in proptest::collection::vec((0i64..5_000, 0i64..2_000_000, any::<bool>()), 1..300),
        ) {
            let mut q = TimedQueue::default();
            let mut reference: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
            let mut clock = 1_700_000_000_000i64;
            let mut seq = 0;
            let (mut got, mut expected) = (Vec::new(), Vec::new());
            for (advance, delay, push) in steps {
                clock += advance;
                if push {
                    seq += 1;
                    q.push(Timed { t_ms: clock + delay, seq, item: seq });
                    reference.push(Reverse((clock + delay, seq)));
                }
                while let Some(key) = q.peek_due(clock) {
                    got.push(key);
                    q.pop();
                }
                while reference.peek().is_some_and(|Reverse((t, _))| *t <= clock) {
                    expected.push(reference.pop().expect("peeked").0);
                }
            }
            while let Some(key) = q.peek_due(i64::MAX) {
                got.push(key);
                q.pop();
            }
            while let Some(Reverse(k)) = reference.pop() {
                expected.push(k);
            }
            prop_assert_eq!(got, expected);
            prop_assert!(q.is_empty());
        }
    }
}
