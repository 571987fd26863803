//! What one admission pass learns for the next: for each simulated deployment, the minutes it
//! spent quiet and the minutes at whose first arrival it was at rest, so that a later pass
//! (a larger count, another window of the band) replays only the busy stretches and skips the
//! quiet ones ([`super::admission`] does the skipping; this module holds the memory).
//!
//! # Why a quiet stretch can be skipped
//!
//! A lane is at rest at time `T` when its bucket has drained to empty and every request still
//! running (whose completion correction is due after `T`) was admitted by it, with no retry
//! waiting. Take two lanes of one workload with the same latency target and prompt limit: a
//! *reference* `A` (drain rate `a`, 100% level `F_a`) and `B` with `b >= a` and `F_b >= F_a`.
//!
//! **Lemma.** If both are at rest at `T`, and `A` admits every arrival of `[T, U)`, then
//! throughout `[T, U)` the level of `B` is at most that of `A`, and `B` admits every arrival.
//!
//! *Proof.* At `T` both are empty and have the same requests in flight (all of them), so the
//! same corrections fall due at the same times. Between events a level changes by
//! `x -> max(0, x - rate x dt)`, which is monotone in `x` and lower for a larger rate; an
//! admitted arrival adds its charge and a correction maps `x -> max(0, x + d)`, both monotone
//! in `x`. By induction over the events, `B`'s level stays at most `A`'s while both admit the
//! same requests; an arrival `A` admits finds `A` below `F_a <= F_b`, so `B` is below `F_b` and
//! admits it too. ∎
//!
//! So if `A` is also at rest at `U`, `B`'s level is zero at `U` and its running requests are
//! the same as `A`'s: `B`'s state at `U` is known without replaying `[T, U)`. Its outcome over
//! the stretch is known as well: every request served, no 429, no spill, and each minute's
//! admitted tokens are the sum of the minute's charges in arrival order, the same sum for every
//! such lane. The lemma holds in every throttle mode, because the modes differ only in what
//! follows a 429 and a quiet stretch has none; a request above the prompt limit (HTTP 400)
//! makes its minute busy. The simulator checks `B`'s rest at `T` exactly; `A`'s quiet and
//! rest are recorded with a margin (admitted only below `(1 - 1e-6) F_a`; at rest only below
//! `-1e-6 F_a` before the floor at zero), far wider than the rounding of a few thousand
//! floating-point steps, so the same holds for the levels the program computes.
//!
//! A busier lane (smaller count or window) is not covered: there the claim fails (a request
//! `A` throttles can keep `B`'s level above `A`'s), which is why Azure's bucket is not monotone
//! in PTUs on mixed request sizes.
//!
//! # Memory
//!
//! Two bits per minute of the span per remembered deployment (10.8 KB for 30 days); at most
//! [`DEFAULT_BUDGET_BYTES`] in all, the first deployments simulated first (a year-long log
//! keeps about 60). Beyond the budget nothing is recorded and later passes replay in full.

use std::collections::BTreeMap;

/// Most bytes the remembered stretches take (all deployments of a replay).
pub const DEFAULT_BUDGET_BYTES: usize = 8 << 20;
/// Relative margin of the recorded quiet and rest (see the module docs).
pub const MARGIN: f64 = 1e-6;

/// The class of lanes one reference can speak for: the same workload, latency and prompt
/// limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneClass {
    /// Workload index.
    pub workload: u32,
    /// Milliseconds per output token used when a request logged no latency (bits of the f64).
    pub ms_per_output_token_bits: u64,
    /// Largest prompt accepted (`u64::MAX`: none).
    pub max_prompt_tokens: u64,
}

/// The minutes one simulated deployment spent quiet and at rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretches {
    /// Bit `m`: minute `first_minute + m` was quiet (every arrival admitted with margin).
    pub quiet: Vec<u64>,
    /// Bit `m`: the lane was at rest at the first arrival of minute `first_minute + m`; the
    /// bit one past the span's last minute stands for the end of the events.
    pub rest: Vec<u64>,
}

impl Stretches {
    /// Empty bitsets for `bits` minutes.
    pub fn new(bits: usize) -> Stretches {
        Stretches {
            quiet: vec![0; bits.div_ceil(64)],
            rest: vec![0; bits.div_ceil(64)],
        }
    }
}

/// Set bit `i`.
pub fn set(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// Set bits `from..to`.
pub fn set_range(bits: &mut [u64], from: usize, to: usize) {
    for i in from..to.min(bits.len() * 64) {
        set(bits, i);
    }
}

/// Bit `i` (false outside).
pub fn get(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// One remembered deployment.
#[derive(Debug, Clone)]
struct Reference {
    class: LaneClass,
    rate_per_ms: f64,
    full_level: f64,
    stretches: Stretches,
}

/// What the passes of one replay remember (see the module docs).
#[derive(Debug, Clone)]
pub struct Pruning {
    enabled: bool,
    first_minute: i64,
    /// Minutes of the span plus one (the end).
    bits: usize,
    references: BTreeMap<u32, Vec<Reference>>,
    bytes: usize,
    budget_bytes: usize,
    /// Arrivals the passes skipped, per lane (a lane skipping one arrival counts one).
    pub skipped_lane_events: u64,
    /// Arrivals the passes replayed, per lane.
    pub replayed_lane_events: u64,
}

impl Pruning {
    /// No memory: every pass replays every arrival (and records nothing).
    pub fn off() -> Pruning {
        Pruning {
            enabled: false,
            first_minute: 0,
            bits: 0,
            references: BTreeMap::new(),
            bytes: 0,
            budget_bytes: 0,
            skipped_lane_events: 0,
            replayed_lane_events: 0,
        }
    }

    /// A memory for passes over the minutes `first_minute..=last_minute`, of at most
    /// `budget_bytes`.
    pub fn new((first_minute, last_minute): (i64, i64), budget_bytes: usize) -> Pruning {
        let minutes = (last_minute - first_minute + 1).max(1);
        Pruning {
            enabled: true,
            first_minute,
            bits: usize::try_from(minutes).unwrap_or(usize::MAX - 1) + 1,
            budget_bytes,
            ..Pruning::off()
        }
    }

    /// Whether passes record and skip.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Bits per bitset (minutes of the span plus the end), when there is room for one more
    /// reference.
    pub(crate) fn record_bits(&self) -> Option<usize> {
        let one = 2 * self.bits.div_ceil(64) * 8;
        (self.enabled && self.bytes + one <= self.budget_bytes).then_some(self.bits)
    }

    /// Bit index of `minute` (clamped into the span; the end bit lies past it).
    pub(crate) fn index(&self, minute: i64) -> usize {
        usize::try_from(minute - self.first_minute)
            .unwrap_or(0)
            .min(self.bits.saturating_sub(2))
    }

    /// The end-of-events bit.
    pub(crate) fn end_index(&self) -> usize {
        self.bits.saturating_sub(1)
    }

    /// Remember a simulated deployment's stretches (ignored beyond the budget).
    pub(crate) fn remember(
        &mut self,
        class: LaneClass,
        rate_per_ms: f64,
        full_level: f64,
        stretches: Stretches,
    ) {
        let one = (stretches.quiet.len() + stretches.rest.len()) * 8;
        if !self.enabled || self.bytes + one > self.budget_bytes {
            return;
        }
        self.bytes += one;
        self.references
            .entry(class.workload)
            .or_default()
            .push(Reference {
                class,
                rate_per_ms,
                full_level,
                stretches,
            });
    }

    /// The stretches of the closest reference that speaks for a lane of `class`, drain rate
    /// and 100% level (the lemma's `A` for this `B`), if any.
    pub(crate) fn reference_for(
        &self,
        class: LaneClass,
        rate_per_ms: f64,
        full_level: f64,
    ) -> Option<&Stretches> {
        self.references
            .get(&class.workload)?
            .iter()
            .filter(|r| {
                r.class == class && r.rate_per_ms <= rate_per_ms && r.full_level <= full_level
            })
            .max_by(|x, y| {
                (x.rate_per_ms, x.full_level)
                    .partial_cmp(&(y.rate_per_ms, y.full_level))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .map(|r| &r.stretches)
    }

    /// Bytes the memory can still take (0 when off).
    pub fn room_bytes(&self) -> usize {
        if self.enabled {
            self.budget_bytes.saturating_sub(self.bytes)
        } else {
            0
        }
    }

    /// Bytes the memory holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The stretches a group of lanes may skip: where every lane's reference was quiet and at
/// rest, as maximal quiet runs `[start, end)` with the last rest bit inside `(start, end]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SkipPlan {
    rest: Vec<u64>,
    /// `(start, end, exit)`: bits `start..end` quiet for every lane; `exit` the last bit in
    /// `(start, end]` at which every reference was at rest (`usize::MAX`: none).
    runs: Vec<(usize, usize, usize)>,
}

impl SkipPlan {
    /// The plan for lanes whose references are `refs` (none if a lane has none).
    pub(crate) fn new(refs: &[Option<&Stretches>], bits: usize) -> Option<SkipPlan> {
        let first = (*refs.first()?)?;
        let mut quiet = first.quiet.clone();
        let mut rest = first.rest.clone();
        for r in &refs[1..] {
            let r = (*r)?;
            for (q, x) in quiet.iter_mut().zip(&r.quiet) {
                *q &= x;
            }
            for (q, x) in rest.iter_mut().zip(&r.rest) {
                *q &= x;
            }
        }
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bits {
            if !get(&quiet, i) {
                // Jump over whole empty words.
                if i % 64 == 0 && quiet.get(i / 64) == Some(&0) {
                    i += 64;
                } else {
                    i += 1;
                }
                continue;
            }
            let start = i;
            while i < bits && get(&quiet, i) {
                i += 1;
            }
            let end = i;
            let exit = (start + 1..=end.min(bits - 1))
                .rev()
                .find(|&x| get(&rest, x))
                .unwrap_or(usize::MAX);
            runs.push((start, end, exit));
        }
        Some(SkipPlan { rest, runs })
    }

    /// Where a skip entered at bit `at` ends (the first bit replayed again), if the references
    /// allow one: `at` quiet and at rest for every lane, and a rest point after it.
    pub(crate) fn exit_for(&self, at: usize) -> Option<usize> {
        if !get(&self.rest, at) {
            return None;
        }
        let k = self.runs.partition_point(|r| r.1 <= at);
        let &(start, _, exit) = self.runs.get(k)?;
        (start <= at && exit != usize::MAX && exit > at).then_some(exit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stretches(quiet: &[usize], rest: &[usize]) -> Stretches {
        let mut s = Stretches::new(16);
        for &q in quiet {
            set(&mut s.quiet, q);
        }
        for &r in rest {
            set(&mut s.rest, r);
        }
        s
    }

    #[test]
    fn a_skip_runs_from_a_rest_to_the_last_rest_of_its_quiet_run() {
        let a = stretches(&[2, 3, 4, 5, 9], &[2, 4, 6, 9]);
        let plan = SkipPlan::new(&[Some(&a)], 16).expect("plan");
        assert_eq!(plan.exit_for(2), Some(6), "quiet 2..6, at rest at 6");
        assert_eq!(plan.exit_for(4), Some(6));
        assert_eq!(plan.exit_for(3), None, "not at rest at 3");
        assert_eq!(plan.exit_for(9), None, "no rest after 9 within its run");
        assert_eq!(plan.exit_for(6), None, "6 is busy");
    }

    #[test]
    fn a_group_skips_only_where_every_reference_allows_it() {
        let a = stretches(&[2, 3, 4, 5], &[2, 6]);
        let b = stretches(&[2, 3], &[2, 4, 6]);
        let plan = SkipPlan::new(&[Some(&a), Some(&b)], 16).expect("plan");
        assert_eq!(
            plan.exit_for(2),
            None,
            "b is busy at 4, and no common rest at 3 or 4"
        );
        assert!(SkipPlan::new(&[Some(&a), None], 16).is_none());
    }

    #[test]
    fn the_closest_reference_below_is_chosen_within_its_class() {
        let class = LaneClass {
            workload: 0,
            ms_per_output_token_bits: 1,
            max_prompt_tokens: u64::MAX,
        };
        let mut p = Pruning::new((0, 14), 1 << 20);
        p.remember(class, 1.0, 10.0, stretches(&[1], &[]));
        p.remember(class, 2.0, 20.0, stretches(&[2], &[]));
        p.remember(class, 3.0, 5.0, stretches(&[3], &[]));
        let pick = |rate: f64, full: f64| p.reference_for(class, rate, full).map(|s| s.quiet[0]);
        assert_eq!(pick(2.5, 25.0), Some(1 << 2));
        assert_eq!(pick(1.5, 15.0), Some(1 << 1));
        assert_eq!(pick(0.5, 15.0), None, "no reference drains slower");
        let other = LaneClass {
            workload: 0,
            max_prompt_tokens: 10,
            ..class
        };
        assert_eq!(p.reference_for(other, 9.0, 90.0), None);
    }
}
