//! Per-minute demand of one workload, stored sparsely: only minutes with traffic take memory,
//! so memory follows the data (workloads x active minutes), never workloads x span, and
//! folding rows costs the same in any row order.
//!
//! What a minute holds is [`MinuteDemand`]; code outside this file reads it only through
//! [`MinuteDemand`]'s methods and the iterators of [`MinuteSeries`], so its fields can change
//! (PTU-weighted quantities) without touching the storage. [`Buckets`] is the storage both
//! the minute series and the hourly totals use while a log is read.

use std::collections::HashMap;

/// Weighted tokens are stored in thousandths of a token (whole numbers, so sums do not depend
/// on the order of addition).
pub const MILLI: f64 = 1000.0;

/// Sums of one minute of one workload (successful requests only), in PTU-weighted thousandths
/// of a token.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinuteDemand {
    /// Weighted input, millitokens.
    pub weighted_input_millitokens: f64,
    /// Weighted output: completion tokens x output weight, millitokens.
    pub weighted_output_millitokens: f64,
    /// Weighted admission-estimate output (`max_completion_tokens`, or the actual completion
    /// when absent, x output weight), millitokens.
    pub weighted_estimated_output_millitokens: f64,
}

impl MinuteDemand {
    /// One request's contribution: its weighted input and output weight in whole millitokens,
    /// its completion and its admission estimate in tokens.
    pub fn of_request(
        input_millitokens: f64,
        output_weight_milli: f64,
        completion_tokens: u64,
        estimated_completion_tokens: u64,
    ) -> MinuteDemand {
        MinuteDemand {
            weighted_input_millitokens: input_millitokens,
            weighted_output_millitokens: output_weight_milli * completion_tokens as f64,
            weighted_estimated_output_millitokens: output_weight_milli
                * estimated_completion_tokens as f64,
        }
    }

    /// Weighted demand (weighted input plus weighted output), tokens.
    pub fn weighted_tokens(&self) -> f64 {
        (self.weighted_input_millitokens + self.weighted_output_millitokens) / MILLI
    }

    /// Weighted demand with every request charged its admission estimate, tokens.
    pub fn estimated_weighted_tokens(&self) -> f64 {
        (self.weighted_input_millitokens + self.weighted_estimated_output_millitokens) / MILLI
    }
}

/// Something a [`Buckets`] slot accumulates. Sums of whole token counts, so the order in which
/// parts are absorbed never changes a value.
pub trait Absorb: Default {
    /// Add `other` (which comes later in the log) into `self`.
    fn absorb(&mut self, other: &Self);
}

impl Absorb for MinuteDemand {
    fn absorb(&mut self, o: &Self) {
        self.weighted_input_millitokens += o.weighted_input_millitokens;
        self.weighted_output_millitokens += o.weighted_output_millitokens;
        self.weighted_estimated_output_millitokens += o.weighted_estimated_output_millitokens;
    }
}

/// Sparse accumulators keyed by an integer (a minute or an hour): a hash map plus the slot in
/// use, so consecutive rows of one minute touch no hash. Memory is one entry per key used;
/// time per row is constant whatever the order of the keys.
#[derive(Debug, Clone)]
pub struct Buckets<V> {
    map: HashMap<i64, V>,
    /// The slot in use; it is not in `map` while it is here.
    current: Option<(i64, V)>,
}

impl<V> Default for Buckets<V> {
    fn default() -> Self {
        Buckets {
            map: HashMap::new(),
            current: None,
        }
    }
}

impl<V: Absorb> Buckets<V> {
    /// The accumulator of `key`, created empty when new.
    pub fn slot(&mut self, key: i64) -> &mut V {
        if self.current.as_ref().map(|(k, _)| *k) != Some(key) {
            if let Some((k, v)) = self.current.take() {
                self.map.insert(k, v);
            }
            let v = self.map.remove(&key).unwrap_or_default();
            self.current = Some((key, v));
        }
        &mut self.current.as_mut().expect("set just above").1
    }

    /// Absorb a later part's buckets.
    pub fn absorb(&mut self, later: Buckets<V>) {
        for (k, v) in later.into_sorted() {
            self.slot(k).absorb(&v);
        }
    }

    /// Number of keys used.
    pub fn len(&self) -> usize {
        self.map.len() + usize::from(self.current.is_some())
    }

    /// True when no key was used.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every (key, value), by key.
    pub fn into_sorted(self) -> Vec<(i64, V)> {
        let mut all: Vec<(i64, V)> = self.map.into_iter().chain(self.current).collect();
        all.sort_unstable_by_key(|(k, _)| *k);
        all
    }

    /// Visit every (key, value), in no particular order.
    pub fn for_each(&self, mut f: impl FnMut(i64, &V)) {
        for (k, v) in self
            .map
            .iter()
            .chain(self.current.iter().map(|(k, v)| (k, v)))
        {
            f(*k, v);
        }
    }
}

/// The per-minute demand of one workload, minutes with traffic only, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinuteSeries {
    /// (Unix minute, sums), ascending by minute, no zero entries needed.
    minutes: Vec<(i64, MinuteDemand)>,
}

impl MinuteSeries {
    /// A series from (minute, demand) pairs in ascending minute order.
    pub fn from_sorted(minutes: Vec<(i64, MinuteDemand)>) -> MinuteSeries {
        debug_assert!(minutes.windows(2).all(|w| w[0].0 < w[1].0));
        MinuteSeries { minutes }
    }

    /// Minutes with traffic, in time order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &MinuteDemand)> + '_ {
        self.minutes.iter().map(|(m, d)| (*m, d))
    }

    /// Minutes with traffic.
    pub fn active_minutes(&self) -> usize {
        self.minutes.len()
    }

    /// The sums of `minute` (zero when it had no traffic).
    pub fn get(&self, minute: i64) -> MinuteDemand {
        self.minutes
            .binary_search_by_key(&minute, |(m, _)| *m)
            .map_or_else(|_| MinuteDemand::default(), |i| self.minutes[i].1)
    }

    /// Weighted demand per minute (weighted input plus weighted output, tokens), over
    /// `[from_minute, to_minute]` (zero outside the series).
    pub fn weighted_tokens_per_min(&self, from_minute: i64, to_minute: i64) -> Vec<f64> {
        let len = (to_minute - from_minute + 1).max(0) as usize;
        let mut out = vec![0.0; len];
        let start = self.minutes.partition_point(|(m, _)| *m < from_minute);
        for (m, d) in &self.minutes[start..] {
            if *m > to_minute {
                break;
            }
            out[(m - from_minute) as usize] = d.weighted_tokens();
        }
        out
    }

    /// Largest per-minute weighted demand using admission estimates, tokens.
    pub fn peak_estimated_tokens_per_min(&self) -> f64 {
        self.minutes
            .iter()
            .map(|(_, d)| d.estimated_weighted_tokens())
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `u` input and `c` output tokens (stored in millitokens), the estimate equal to the
    /// output.
    fn demand(u: f64, c: f64) -> MinuteDemand {
        MinuteDemand {
            weighted_input_millitokens: u * MILLI,
            weighted_output_millitokens: c * MILLI,
            weighted_estimated_output_millitokens: c * MILLI,
        }
    }

    #[test]
    fn buckets_sum_in_any_order() {
        let mut a: Buckets<MinuteDemand> = Buckets::default();
        for m in [5, 1, 5, 3, 1, 5] {
            a.slot(m).absorb(&demand(1.0, 2.0));
        }
        let mut later: Buckets<MinuteDemand> = Buckets::default();
        later.slot(3).absorb(&demand(10.0, 0.0));
        later.slot(9).absorb(&demand(1.0, 0.0));
        a.absorb(later);
        let all = a.into_sorted();
        let keys: Vec<i64> = all.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [1, 3, 5, 9]);
        assert_eq!(all[0].1, demand(2.0, 4.0));
        assert_eq!(all[1].1, demand(11.0, 2.0));
        assert_eq!(all[2].1, demand(3.0, 6.0));
    }

    #[test]
    fn series_densifies_only_the_asked_range() {
        let s = MinuteSeries::from_sorted(vec![(10, demand(1.0, 4.0)), (12, demand(2.0, 0.0))]);
        assert_eq!(s.weighted_tokens_per_min(9, 12), vec![0.0, 5.0, 0.0, 2.0]);
        assert_eq!(s.weighted_tokens_per_min(11, 11), vec![0.0]);
        assert_eq!(s.get(12), demand(2.0, 0.0));
        assert_eq!(s.get(11), MinuteDemand::default());
        assert_eq!(s.peak_estimated_tokens_per_min(), 5.0);
    }
}
