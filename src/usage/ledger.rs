//! What one run has read so far, across its inputs: the time each workload's per-bucket
//! aggregates cover (a bucket read twice, or two buckets that overlap, is refused: summing
//! them would count the same traffic twice), and how many requests the aggregates have been
//! expanded into (capped by `--max-expanded-requests`, checked before a bucket is replayed, so
//! an absurd count is refused at once instead of filling the disk).
//!
//! Memory: one entry per run of contiguous buckets of a workload (a month of per-minute
//! buckets without gaps is one entry).

use std::collections::{BTreeMap, HashMap};

use crate::text::fmt_time_ms;

/// Default of `--max-expanded-requests`: requests all per-bucket aggregates of a run may
/// become. A bound chosen for this tool (no Azure figure): each replayed request takes about
/// 100 bytes of temporary files, so the default keeps them near 2 GB.
pub const MAX_EXPANDED_REQUESTS: u64 = 20_000_000;

/// Request ids kept to find the same request in two inputs: about 16 MiB of memory; past
/// them a note says the check stopped.
pub const MAX_REQUEST_IDS: usize = 1_000_000;

/// Whether a request id was read before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Not before.
    New,
    /// Already in this input (named).
    Before(String),
    /// Not checked: [`MAX_REQUEST_IDS`] ids are kept already.
    Unchecked,
}

/// Which group of traffic an aggregate counts, when an input splits a workload's traffic into
/// groups that the workload key does not tell apart (OpenAI Usage results per `api_key_id`,
/// `AzureMetrics` rows per `Resource`, metrics per `FeatureName`): the dimensions by name, and
/// their values. Aggregates of one workload over the same time sum when they have the same
/// dimensions with other values (distinct traffic); the same values twice is the same bucket
/// twice, and other dimensions are the same traffic split another way (both refused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Group {
    /// `(dimension, value)`, sorted by dimension.
    pub dims: Vec<(String, String)>,
}

impl Group {
    /// A group of `dims` (any order; dimensions without a value are left out).
    pub fn of(dims: impl IntoIterator<Item = (String, String)>) -> Group {
        let mut dims: Vec<(String, String)> = dims.into_iter().collect();
        dims.sort();
        Group { dims }
    }

    fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.dims.iter().map(|(n, _)| n.as_str())
    }

    fn same_split(&self, other: &Group) -> bool {
        self.names().eq(other.names())
    }

    /// `api_key_id=k1, project_id=p`, or `no split`.
    fn describe(&self) -> String {
        if self.dims.is_empty() {
            return "no split".to_owned();
        }
        self.dims
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The dimensions one of the two has and the other not.
    fn differing(&self, other: &Group) -> Vec<String> {
        let mine: std::collections::BTreeSet<&str> = self.names().collect();
        let theirs: std::collections::BTreeSet<&str> = other.names().collect();
        mine.symmetric_difference(&theirs)
            .map(|s| (*s).to_owned())
            .collect()
    }
}

/// Where a bucket was read: an input (an index into the caller's list of names) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The input's index.
    pub input: u32,
    /// 1-based line.
    pub line: u64,
}

/// Disjoint half-open ranges `[start, end)` of milliseconds, each with where its first bucket
/// was read; touching ranges are merged.
#[derive(Debug, Default, Clone)]
pub struct Ranges {
    map: BTreeMap<i64, (i64, Origin)>,
}

impl Ranges {
    /// Add `[start, end)`; the origin of a range it overlaps, if any (nothing is added then).
    pub fn insert(&mut self, start: i64, end: i64, origin: Origin) -> Result<(), Origin> {
        if let Some((_, &(e, o))) = self.map.range(..=start).next_back() {
            if e > start {
                return Err(o);
            }
        }
        if let Some((&s, &(_, o))) = self.map.range(start..).next() {
            if s < end {
                return Err(o);
            }
        }
        let (mut start, mut end, mut origin) = (start, end, origin);
        if let Some((&s, &(e, o))) = self.map.range(..start).next_back() {
            if e == start {
                self.map.remove(&s);
                (start, origin) = (s, o);
            }
        }
        if let Some(&(e, _)) = self.map.get(&end) {
            self.map.remove(&end);
            end = e;
        }
        self.map.insert(start, (end, origin));
        Ok(())
    }

    /// The origin of a range overlapping `[start, end)`, if any.
    pub fn overlapping(&self, start: i64, end: i64) -> Option<Origin> {
        if let Some((_, &(e, o))) = self.map.range(..=start).next_back() {
            if e > start {
                return Some(o);
            }
        }
        match self.map.range(start..).next() {
            Some((&s, &(_, o))) if s < end => Some(o),
            _ => None,
        }
    }

    /// The ranges, in order, as `(start, end, origin)`.
    pub fn iter(&self) -> impl Iterator<Item = (i64, i64, Origin)> + '_ {
        self.map.iter().map(|(s, (e, o))| (*s, *e, *o))
    }

    /// Number of disjoint ranges.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Every range `[start, end)` the groups of one split claimed, overlapping ones merged: a
/// quick "nothing overlaps" before the groups are searched for the one that does.
#[derive(Debug, Default)]
struct Cover {
    map: BTreeMap<i64, i64>,
}

impl Cover {
    fn insert(&mut self, start: i64, end: i64) {
        let (mut start, mut end) = (start, end);
        if let Some((&s, &e)) = self.map.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
            }
        }
        while let Some((&s, &e)) = self.map.range(start..).next() {
            if s > end {
                break;
            }
            self.map.remove(&s);
            end = end.max(e);
        }
        self.map.insert(start, end);
    }

    fn overlaps(&self, start: i64, end: i64) -> bool {
        self.map
            .range(..end)
            .next_back()
            .is_some_and(|(_, &e)| e > start)
    }
}

/// What the aggregates of one workload claimed: each group's ranges in the order the groups
/// were first read, found by the group in constant time (an OpenAI Usage export may split a
/// workload into thousands of `api_key_id`s), and the splits (dimension names) seen.
#[derive(Debug, Default)]
struct Claimed {
    groups: Vec<(Group, Ranges)>,
    index: HashMap<Group, usize>,
    /// Each split's dimension names, and what its groups claimed together.
    splits: Vec<(Vec<String>, Cover)>,
}

/// The run-wide record of what the aggregates covered and became.
#[derive(Debug)]
pub struct RunState {
    /// Per workload, the time each group of its aggregates covers.
    buckets: HashMap<u32, Claimed>,
    inputs: Vec<String>,
    /// Request ids read so far (a 64-bit hash of each), with the input that held them.
    request_ids: HashMap<u64, u32>,
    /// Requests replayed from aggregates so far.
    pub expanded_requests: u64,
    /// `--max-expanded-requests`.
    pub max_expanded_requests: u64,
}

impl Default for RunState {
    fn default() -> Self {
        RunState::new(MAX_EXPANDED_REQUESTS)
    }
}

impl RunState {
    /// A run that may expand up to `max_expanded_requests` requests.
    pub fn new(max_expanded_requests: u64) -> RunState {
        RunState {
            buckets: HashMap::new(),
            inputs: Vec::new(),
            request_ids: HashMap::new(),
            expanded_requests: 0,
            max_expanded_requests,
        }
    }

    /// Record request id `id` (a LiteLLM `request_id`, an APIM `CorrelationId`) read from
    /// `path`. `Seen::Before(file)` when an input read earlier (or, with `same_input`, this
    /// one) already held it: the same request logged twice, in overlapping exports. At most
    /// [`MAX_REQUEST_IDS`] ids are kept (`Seen::Unchecked` past them).
    pub fn request_id(&mut self, id: &str, path: &str, same_input: bool) -> Seen {
        use std::hash::{Hash, Hasher};
        let input = self.input_index(path);
        let mut hasher = std::hash::DefaultHasher::new();
        id.hash(&mut hasher);
        let hash = hasher.finish();
        match self.request_ids.get(&hash) {
            Some(&i) if i != input || same_input => Seen::Before(self.inputs[i as usize].clone()),
            Some(_) => Seen::New,
            None if self.request_ids.len() >= MAX_REQUEST_IDS => Seen::Unchecked,
            None => {
                self.request_ids.insert(hash, input);
                Seen::New
            }
        }
    }

    fn input_index(&mut self, path: &str) -> u32 {
        match self.inputs.iter().position(|p| p == path) {
            Some(i) => i as u32,
            None => {
                self.inputs.push(path.to_owned());
                (self.inputs.len() - 1) as u32
            }
        }
    }

    /// Where an aggregate of `workload` covering part of `[start_ms, end_ms)` was read
    /// (`path:line`), if one was.
    pub fn bucket_over(&self, workload: u32, start_ms: i64, end_ms: i64) -> Option<String> {
        let claimed = self.buckets.get(&workload)?;
        if !claimed
            .splits
            .iter()
            .any(|(_, cover)| cover.overlaps(start_ms, end_ms))
        {
            return None;
        }
        claimed
            .groups
            .iter()
            .find_map(|(_, ranges)| ranges.overlapping(start_ms, end_ms))
            .map(|o| {
                format!(
                    "{}:{}",
                    self.inputs
                        .get(o.input as usize)
                        .cloned()
                        .unwrap_or_default(),
                    o.line
                )
            })
    }

    /// Claim `[start_ms, end_ms)` for workload `workload` and traffic group `group`, read at
    /// `path:line`; the message naming the bucket it collides with when it does (see
    /// [`Group`]).
    pub fn claim(
        &mut self,
        workload: u32,
        group: &Group,
        start_ms: i64,
        end_ms: i64,
        path: &str,
        line: u64,
    ) -> Result<(), String> {
        let origin = Origin {
            input: self.input_index(path),
            line,
        };
        let inputs = &self.inputs;
        let at = |o: Origin| {
            format!(
                "{}:{}",
                inputs.get(o.input as usize).cloned().unwrap_or_default(),
                o.line
            )
        };
        let claimed = self.buckets.entry(workload).or_default();
        // Only a group split another way can collide across groups, and only where that split
        // claimed time: the groups are searched (for the first one, as read) only then.
        let collides = claimed.splits.iter().any(|(names, cover)| {
            !names.iter().map(String::as_str).eq(group.names()) && cover.overlaps(start_ms, end_ms)
        });
        for (other, ranges) in claimed.groups.iter().filter(|_| collides) {
            if other.same_split(group) {
                continue;
            }
            if let Some(o) = ranges.overlapping(start_ms, end_ms) {
                return Err(format!(
                    "this bucket ({} to {}, {}) covers the same time as one of the same workload read at {} ({}), split another way (by {}): the same traffic split two ways would count twice; keep one split",
                    fmt_time_ms(start_ms),
                    fmt_time_ms(end_ms),
                    group.describe(),
                    at(o),
                    other.describe(),
                    group.differing(other).join(", ")
                ));
            }
        }
        let split = match claimed
            .splits
            .iter()
            .position(|(names, _)| names.iter().map(String::as_str).eq(group.names()))
        {
            Some(i) => i,
            None => {
                claimed
                    .splits
                    .push((group.names().map(str::to_owned).collect(), Cover::default()));
                claimed.splits.len() - 1
            }
        };
        let i = match claimed.index.get(group) {
            Some(&i) => i,
            None => {
                claimed.groups.push((group.clone(), Ranges::default()));
                claimed
                    .index
                    .insert(group.clone(), claimed.groups.len() - 1);
                claimed.groups.len() - 1
            }
        };
        let cover = &mut claimed.splits[split].1;
        let ranges = &mut claimed.groups[i].1;
        ranges.insert(start_ms, end_ms, origin).map(|()| cover.insert(start_ms, end_ms)).map_err(|o| {
            format!(
                "this bucket ({} to {}{}) overlaps one of the same workload read at {} (the same bucket twice, or buckets of different lengths over the same time): its traffic would count twice; keep one",
                fmt_time_ms(start_ms),
                fmt_time_ms(end_ms),
                if group.dims.is_empty() {
                    String::new()
                } else {
                    format!(", {}", group.describe())
                },
                at(o)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Origin {
        Origin { input: 0, line }
    }

    #[test]
    fn contiguous_buckets_merge_and_overlaps_are_caught() {
        let mut r = Ranges::default();
        for m in 0..1440 {
            r.insert(m * 60, (m + 1) * 60, at(m as u64))
                .expect("disjoint");
        }
        assert_eq!(r.len(), 1);
        assert_eq!(r.insert(600, 660, at(9)), Err(at(0)));
        assert_eq!(r.insert(-30, 30, at(9)), Err(at(0)));
        r.insert(86_400 + 60, 86_400 + 120, at(5))
            .expect("after a gap");
        assert_eq!(r.len(), 2);
        assert_eq!(r.insert(86_400 + 30, 86_400 + 90, at(6)), Err(at(5)));
        r.insert(86_400, 86_400 + 60, at(7)).expect("fills the gap");
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn the_cover_overlaps_exactly_what_its_ranges_do() {
        // A fixed pseudo-random walk of inserts and queries, against a list of every range.
        let mut seed = 12_345_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % n) as i64
        };
        let mut cover = Cover::default();
        let mut all = Vec::new();
        for _ in 0..2_000 {
            let (start, len) = (next(1_000), 1 + next(20));
            if next(2) == 0 {
                cover.insert(start, start + len);
                all.push((start, start + len));
            }
            let (qs, qlen) = (next(1_000), 1 + next(20));
            let want = all.iter().any(|&(s, e)| s < qs + qlen && e > qs);
            assert_eq!(cover.overlaps(qs, qs + qlen), want, "{qs}+{qlen}");
        }
    }

    #[test]
    fn thousands_of_groups_are_claimed_in_linear_time() {
        // 3,000 api keys x 40 minutes: each claim finds its group by hash, not by a scan.
        let mut run = RunState::default();
        for m in 0..40 {
            for k in 0..3_000 {
                let g = Group::of([("api_key_id".to_owned(), format!("key-{k}"))]);
                run.claim(0, &g, m * 60_000, (m + 1) * 60_000, "u.json", 1)
                    .expect("distinct traffic");
            }
        }
        let g = Group::of([("api_key_id".to_owned(), "key-7".to_owned())]);
        assert!(run.claim(0, &g, 60_000, 120_000, "u.json", 2).is_err());
        let other = Group::of([("project_id".to_owned(), "p".to_owned())]);
        let e = run.claim(0, &other, 0, 60_000, "u.json", 3).unwrap_err();
        assert!(e.contains("split another way"), "{e}");
        assert!(run
            .claim(0, &other, 40 * 60_000, 41 * 60_000, "u.json", 4)
            .is_ok());
        assert_eq!(run.bucket_over(0, 10, 20).as_deref(), Some("u.json:1"));
        assert_eq!(run.bucket_over(0, 41 * 60_000, 42 * 60_000), None);
    }
}
