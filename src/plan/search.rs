//! The exact PTU search: for one workload, provisioned type and bucket window, the smallest
//! deployable count that meets the throttle target and the cost-optimal count per billing,
//! found on the increment lattice {minimum, minimum + increment, ...} by a few one-pass sweeps
//! of the spooled events (bracketing, then refinement), never read off a coarse grid.
//!
//! Every search proposes the counts it wants simulated next; [`run`] gathers the proposals of
//! all searches into one simulation pass, hands the outcomes back, and repeats until no search
//! wants more. The simulation itself is a callback, so nothing here reads files.
//!
//! **Target.** `min_ptus_for_target` is the smallest evaluated count whose share of requests
//! not served by the PTU deployment (429s failed or spilled, and prompt-limit 400s) is within
//! the target and above which no evaluated count misses it. Azure's bucket is not monotone in
//! PTUs on mixed request sizes, so a smaller count that also meets the target is reported as
//! `also_meets_at`. The search first evaluates a geometric grid from the minimum to a ceiling
//! derived below, then refines the bracket between the last failing and the first meeting
//! count until they are one increment apart.
//!
//! **Ceiling.** Let `P` be the busiest minute's weighted charge with every request charged its
//! admission estimate, and `W` the bucket window. A window of length `T` touches at most
//! `T/60 + 2` calendar minutes, so it holds at most `(T/60 + 2) x P` of charge. A deployment
//! draining `c` tokens per minute, with a bucket of `c x W / 60`, never reaches 100% when
//! `(T/60 + 2) x P - c x T / 60 < c x W / 60` for every `T >= 0`, which holds for
//! `c > max(1, 120 / W) x P`: no request is then throttled while completions stay within
//! their estimates. The search starts with that count as its top; should it still miss the
//! target (completions above the estimate, retries), the top doubles until it meets, up to the
//! capacity limit (then "needs more than N PTUs") or [`HARD_MAX_PTUS`].
//!
//! **Cost.** With spillover, cost(n) = PTU cost(n) + spillover cost(n). The search keeps every
//! interval between evaluated counts whose lower bound, `PTU cost(first count inside) +
//! spillover cost(right end)`, is below the best cost found, and refines those until none is
//! left, so the answer is exact on the lattice as long as spillover cost does not rise with
//! more PTUs (it falls for equal-sized requests; the README notes the mixed-size exception).
//! Counts above the best cost divided by the PTU price can never win and are not searched.
//!
//! **Spillover under a Standard quota.** A spilled request the Standard deployment's rate
//! limits reject ([`crate::sim::standard`]) is a failed request: it counts in the failed share,
//! so a count is feasible only when PTU failures plus Standard 429s stay within the target.
//! More PTUs spill less, so Standard rejects fewer: the search extends upwards until a count is
//! feasible, and never refines below an infeasible count (the same monotone assumption).

use std::collections::{BTreeMap, HashMap};

use super::cost::Billing;
use crate::catalog::TokenPrice;
use crate::sim::{SimOutcome, SimTarget, StandardQuota, ThrottleMode};

/// No search goes above this many PTUs ($1M per hour at list price): beyond it the answer is
/// "needs more than 1,000,000 PTUs".
pub const HARD_MAX_PTUS: u32 = 1_000_000;
/// Passes after which a search stops even if it could refine further (never reached in
/// practice: each pass shrinks every open interval by the per-pass budget).
pub const MAX_PASSES: u32 = 24;

/// The deployable counts of one provisioned type: `min + k x increment`, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lattice {
    /// Smallest deployable count.
    pub min_ptus: u32,
    /// Step between deployable counts.
    pub increment_ptus: u32,
    /// Largest count searched (a lattice point: the capacity limit, or [`HARD_MAX_PTUS`]).
    pub max_ptus: u32,
}

impl Lattice {
    /// The lattice of `min`/`increment` up to `limit` (rounded down to a lattice point, never
    /// below the minimum).
    pub fn new(min_ptus: u32, increment_ptus: u32, limit: u32) -> Lattice {
        let inc = increment_ptus.max(1);
        let steps = limit.saturating_sub(min_ptus) / inc;
        Lattice {
            min_ptus,
            increment_ptus: inc,
            max_ptus: min_ptus + steps * inc,
        }
    }

    pub(crate) fn index(&self, n: u32) -> u32 {
        (n - self.min_ptus) / self.increment_ptus
    }

    pub(crate) fn at(&self, k: u32) -> u32 {
        self.min_ptus + k * self.increment_ptus
    }

    /// The smallest lattice count at or above `raw` PTUs (clamped to the lattice).
    pub fn ceil(&self, raw: f64) -> u32 {
        if raw.is_nan() || raw <= f64::from(self.min_ptus) {
            return self.min_ptus;
        }
        if raw >= f64::from(self.max_ptus) {
            return self.max_ptus;
        }
        let k = ((raw - f64::from(self.min_ptus)) / f64::from(self.increment_ptus) - 1e-9).ceil();
        self.at(k as u32).min(self.max_ptus)
    }

    /// Up to `k` lattice counts strictly between `lo` and `hi` (lattice points), evenly spread;
    /// all of them when there are at most `k`.
    pub(crate) fn spread(&self, lo: u32, hi: u32, k: usize) -> Vec<u32> {
        let (a, b) = (self.index(lo), self.index(hi));
        let inside = b.saturating_sub(a).saturating_sub(1) as usize;
        if inside == 0 || k == 0 {
            return Vec::new();
        }
        if inside <= k {
            return (a + 1..b).map(|i| self.at(i)).collect();
        }
        let step = f64::from(b - a) / (k + 1) as f64;
        let mut out: Vec<u32> = (1..=k)
            .map(|j| self.at(a + ((j as f64 * step).round() as u32).clamp(1, b - a - 1)))
            .collect();
        out.dedup();
        out
    }

    /// `k` lattice counts from `lo` to `hi` (both included), geometrically spaced.
    fn geometric(&self, lo: u32, hi: u32, k: usize) -> Vec<u32> {
        if hi <= lo || k <= 1 {
            return vec![lo];
        }
        let (l, h) = (f64::from(lo.max(1)), f64::from(hi));
        let mut out: Vec<u32> = (0..k)
            .map(|j| {
                self.ceil(l * (h / l).powf(j as f64 / (k - 1) as f64))
                    .clamp(lo, hi)
            })
            .collect();
        out.push(lo);
        out.push(hi);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// How a count's simulated deployment is built (everything but the count).
#[derive(Debug, Clone, PartialEq)]
pub struct LaneTemplate {
    /// Workload index.
    pub workload: u32,
    /// Weighted tokens per minute one PTU serves.
    pub input_tpm_per_ptu: f64,
    /// Latency target, output tokens per second.
    pub latency_target_tokens_per_s: f64,
    /// Bucket window, seconds.
    pub bucket_window_s: f64,
    /// PTU prompt limit, tokens.
    pub max_prompt_tokens: Option<u32>,
    /// What a 429 leads to.
    pub mode: ThrottleMode,
    /// The spillover Standard deployment's rate limits (None: unlimited).
    pub standard: Option<StandardQuota>,
}

impl LaneTemplate {
    pub fn target(&self, ptus: u32) -> SimTarget {
        SimTarget {
            workload: self.workload,
            capacity_tokens_per_min: f64::from(ptus) * self.input_tpm_per_ptu,
            latency_target_tokens_per_s: self.latency_target_tokens_per_s,
            bucket_window_s: self.bucket_window_s,
            max_prompt_tokens: self.max_prompt_tokens,
            mode: self.mode,
            standard: self.standard,
        }
    }
}

/// The cost-optimal part of a search (only when 429s spill over).
#[derive(Debug, Clone)]
pub struct CostGoal {
    /// USD per PTU over the log's span, per provisioned billing.
    pub usd_per_ptu: Vec<(Billing, f64)>,
    /// Token prices spilled requests are billed at.
    pub spill_price: TokenPrice,
    /// Largest acceptable spilled share (`--max-spill-rate`), if any.
    pub max_spill_rate: Option<f64>,
}

impl CostGoal {
    /// Spillover cost of an outcome, USD. Spillover is simulated only where the target prices
    /// every long-context request of the workload (`plan::throttle_mode`), so the spilled
    /// tokens are always priced.
    pub fn spill_usd(&self, o: &SimOutcome) -> f64 {
        self.spill_price
            .cost_usd(&o.spilled)
            .unwrap_or(f64::INFINITY)
    }
}

/// One search: what to find, and what has been evaluated so far.
#[derive(Debug, Clone)]
pub struct Search {
    /// How lanes are built.
    pub lane: LaneTemplate,
    /// Deployable counts.
    pub lattice: Lattice,
    /// Largest acceptable share of requests not served by the PTU deployment.
    pub max_throttle_rate: f64,
    /// The cost-optimal search, with spillover.
    pub cost: Option<CostGoal>,
    /// The derived ceiling (see the module docs); the top grows past it only if needed.
    pub ceiling_ptus: u32,
    top_ptus: u32,
    evaluated: BTreeMap<u32, SimOutcome>,
    /// Counts simulated for the window band's common counts ([`super::band`]): kept apart so
    /// that they never change what the search itself finds.
    extra: BTreeMap<u32, SimOutcome>,
    passes: u32,
}

/// What a finished search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// Smallest count meeting the target with no evaluated count above it missing it.
    pub min_ptus_for_target: Option<u32>,
    /// A smaller evaluated count that also meets the target (non-monotone admission).
    pub also_meets_at: Option<u32>,
    /// When no count up to the lattice's top meets the target: that top.
    pub needs_more_than_ptus: Option<u32>,
    /// When the prompt-limit 400s alone exceed the target: their share (no count helps).
    pub context_limit_share: Option<f64>,
    /// Cost-optimal feasible count per billing (with a cost goal).
    pub cost_optimal_ptus: BTreeMap<Billing, Option<u32>>,
    /// The derived ceiling.
    pub ceiling_ptus: u32,
    /// Passes that evaluated new counts for this search.
    pub passes: u32,
}

impl Search {
    /// A search on `lattice`, starting with the ceiling `ceiling_ptus` (a lattice point).
    pub fn new(
        lane: LaneTemplate,
        lattice: Lattice,
        ceiling_ptus: u32,
        max_throttle_rate: f64,
        cost: Option<CostGoal>,
    ) -> Search {
        let ceiling = lattice.ceil(f64::from(ceiling_ptus));
        Search {
            lane,
            lattice,
            max_throttle_rate,
            cost,
            ceiling_ptus: ceiling,
            top_ptus: ceiling,
            evaluated: BTreeMap::new(),
            extra: BTreeMap::new(),
            passes: 0,
        }
    }

    /// Every evaluated count with its outcome, ascending.
    pub fn evaluated(&self) -> &BTreeMap<u32, SimOutcome> {
        &self.evaluated
    }

    fn meets(&self, o: &SimOutcome) -> bool {
        o.throttle_rate() <= self.max_throttle_rate
    }

    /// The outcome at `ptus`, whether the search or the band evaluated it.
    pub fn outcome(&self, ptus: u32) -> Option<&SimOutcome> {
        self.evaluated.get(&ptus).or_else(|| self.extra.get(&ptus))
    }

    /// Every count simulated at this window (the search's and the band's), ascending.
    pub fn points(&self) -> BTreeMap<u32, &SimOutcome> {
        self.extra
            .iter()
            .chain(&self.evaluated)
            .map(|(n, o)| (*n, o))
            .collect()
    }

    /// Record a count simulated for the band (not part of the search's own answer).
    pub fn record_extra(&mut self, ptus: u32, outcome: SimOutcome) {
        if !self.evaluated.contains_key(&ptus) {
            self.extra.insert(ptus, outcome);
        }
    }

    /// Whether an option at this outcome meets the targets the search sizes for: the failed
    /// (and, with a cap, spilled) share with a cost goal, else the share not served.
    pub fn is_acceptable(&self, o: &SimOutcome) -> bool {
        match &self.cost {
            Some(goal) => self.is_feasible(goal, o),
            None => self.meets(o),
        }
    }

    /// Cost over the span of `ptus` PTUs at `usd_per_ptu` (per PTU over the span) plus the
    /// spillover of `o`, USD.
    pub fn cost_usd(&self, ptus: u32, o: &SimOutcome, usd_per_ptu: f64) -> f64 {
        f64::from(ptus) * usd_per_ptu + self.cost.as_ref().map_or(0.0, |g| g.spill_usd(o))
    }

    /// Prompt-limit 400s do not depend on the count: when they alone miss the target, no
    /// count meets it.
    fn context_limit_share(&self) -> Option<f64> {
        let o = self.evaluated.values().next()?;
        let s = o.context_limit_requests as f64 / o.offered_requests.max(1) as f64;
        (s > self.max_throttle_rate).then_some(s)
    }

    /// The smallest evaluated count above which every evaluated count meets the target.
    fn threshold(&self) -> Option<u32> {
        let mut b = None;
        for (&n, o) in self.evaluated.iter().rev() {
            if !self.meets(o) {
                break;
            }
            b = Some(n);
        }
        b
    }

    /// Counts the target search wants next.
    fn propose_target(&self, budget: usize) -> Vec<u32> {
        let l = &self.lattice;
        let Some((&top, top_out)) = self.evaluated.iter().next_back() else {
            return l.geometric(l.min_ptus, self.top_ptus, budget);
        };
        if self.context_limit_share().is_some() {
            return Vec::new();
        }
        if !self.meets(top_out) {
            if top >= l.max_ptus {
                return Vec::new();
            }
            let next = l.ceil(f64::from(top) * 2.0).max(l.at(l.index(top) + 1));
            return l.geometric(l.at(l.index(top) + 1), next, budget.min(4));
        }
        let b = self.threshold().expect("the top meets the target");
        match self.evaluated.range(..b).next_back() {
            Some((&a, _)) => l.spread(a, b, budget),
            None => Vec::new(),
        }
    }

    fn is_feasible(&self, goal: &CostGoal, o: &SimOutcome) -> bool {
        o.failed_share() <= self.max_throttle_rate
            && goal.max_spill_rate.is_none_or(|m| o.spilled_share() <= m)
    }

    /// The cheapest evaluated feasible count under `usd_per_ptu`, with its cost.
    fn best(&self, goal: &CostGoal, usd_per_ptu: f64) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        for (&n, o) in &self.evaluated {
            if !self.is_feasible(goal, o) {
                continue;
            }
            let c = f64::from(n) * usd_per_ptu + goal.spill_usd(o);
            if best.is_none_or(|(_, b)| c < b) {
                best = Some((n, c));
            }
        }
        best
    }

    /// Intervals `(lo, hi)` (exclusive lattice bounds) that may hold a count cheaper than the
    /// best found under `usd_per_ptu`, with how much cheaper they might be.
    fn open_cost_intervals(&self, goal: &CostGoal, usd_per_ptu: f64) -> Vec<(f64, u32, u32)> {
        let l = &self.lattice;
        let mut open = Vec::new();
        let Some((_, best)) = self.best(goal, usd_per_ptu) else {
            return open;
        };
        let points: Vec<(&u32, &SimOutcome)> = self.evaluated.iter().collect();
        for pair in points.windows(2) {
            let ((&x, _), (&y, oy)) = (pair[0], pair[1]);
            if l.index(y) - l.index(x) <= 1 {
                continue;
            }
            // Fewer PTUs than y spill at least as much as y (the monotone assumption), so the
            // spillover Standard quota rejects at least as many: counts below an infeasible y
            // are infeasible too.
            if goal.max_spill_rate.is_some_and(|m| oy.spilled_share() > m)
                || oy.failed_share() > self.max_throttle_rate
            {
                continue;
            }
            let lower = f64::from(x + l.increment_ptus) * usd_per_ptu + goal.spill_usd(oy);
            if lower < best * (1.0 - 1e-12) {
                open.push((best - lower, x, y));
            }
        }
        let top = *points.last().expect("a best exists").0;
        if top < l.max_ptus && usd_per_ptu > 0.0 {
            // Above the top only the PTU cost is certain: counts below best / price may win.
            let limit = l.ceil(best / usd_per_ptu).min(l.max_ptus);
            if limit > top {
                let hi = if limit >= l.max_ptus {
                    l.max_ptus + l.increment_ptus
                } else {
                    limit
                };
                let lower = f64::from(top + l.increment_ptus) * usd_per_ptu;
                if lower < best * (1.0 - 1e-12) {
                    open.push((best - lower, top, hi));
                }
            }
        }
        open
    }

    /// Counts the cost search wants next.
    fn propose_cost(&self, budget: usize) -> Vec<u32> {
        let Some(goal) = &self.cost else {
            return Vec::new();
        };
        if self.evaluated.is_empty() {
            return Vec::new();
        }
        let mut intervals: Vec<(f64, u32, u32)> = goal
            .usd_per_ptu
            .iter()
            .flat_map(|(_, u)| self.open_cost_intervals(goal, *u))
            .collect();
        if intervals.is_empty() {
            // No feasible count yet: more PTUs spill less; extend upwards.
            let l = &self.lattice;
            let (&top, _) = self.evaluated.iter().next_back().expect("non-empty");
            let none_feasible = self.evaluated.values().all(|o| !self.is_feasible(goal, o));
            if none_feasible && top < l.max_ptus {
                let next = l.ceil(f64::from(top) * 2.0).max(l.at(l.index(top) + 1));
                return l.geometric(l.at(l.index(top) + 1), next, budget.min(4));
            }
            return Vec::new();
        }
        intervals.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        intervals.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
        let per = budget.div_ceil(intervals.len()).max(1);
        let mut out = Vec::new();
        for (_, lo, hi) in intervals {
            let hi = if hi > self.lattice.max_ptus {
                // The open top: spread up to and including the lattice's top.
                out.push(self.lattice.max_ptus);
                self.lattice.max_ptus
            } else {
                hi
            };
            out.extend(self.lattice.spread(lo, hi, per));
            if out.len() >= budget {
                break;
            }
        }
        out
    }

    /// The counts to simulate next (none: the search is done).
    pub fn propose(&self, budget: usize) -> Vec<u32> {
        if self.passes >= MAX_PASSES {
            return Vec::new();
        }
        let mut out = self.propose_target(budget);
        out.extend(self.propose_cost(budget));
        out.sort_unstable();
        out.dedup();
        out.retain(|n| !self.evaluated.contains_key(n));
        out
    }

    /// Replace the Standard limiter's outcome of an evaluated count (the level tracking of
    /// the final pass; the PTU admission it saw is the same).
    pub fn set_standard(&mut self, ptus: u32, standard: Option<crate::sim::StandardOutcome>) {
        if let Some(o) = self.evaluated.get_mut(&ptus) {
            o.standard = standard;
        } else if let Some(o) = self.extra.get_mut(&ptus) {
            o.standard = standard;
        }
    }

    /// Record an evaluated count.
    pub fn record(&mut self, ptus: u32, outcome: SimOutcome) {
        self.top_ptus = self.top_ptus.max(ptus);
        self.evaluated.insert(ptus, outcome);
    }

    /// What the search found so far.
    pub fn result(&self) -> SearchResult {
        let context = self.context_limit_share();
        let min = if context.is_some() {
            None
        } else {
            self.threshold()
        };
        let also = min.and_then(|b| {
            self.evaluated
                .range(..b)
                .find(|(_, o)| self.meets(o))
                .map(|(&n, _)| n)
        });
        let top = self.evaluated.keys().next_back().copied();
        let needs_more = match (min, context, top) {
            (None, None, Some(t)) => Some(t),
            _ => None,
        };
        let cost_optimal_ptus = self
            .cost
            .iter()
            .flat_map(|goal| {
                goal.usd_per_ptu
                    .iter()
                    .map(move |(billing, u)| (*billing, self.best(goal, *u).map(|(n, _)| n)))
            })
            .collect();
        SearchResult {
            min_ptus_for_target: min,
            also_meets_at: also,
            needs_more_than_ptus: needs_more,
            context_limit_share: context,
            cost_optimal_ptus,
            ceiling_ptus: self.ceiling_ptus,
            passes: self.passes,
        }
    }
}

/// Run every search to completion: each pass simulates the union of all proposals (at most
/// `budget` new counts per search and goal) with `simulate`, which returns one outcome per
/// target in order. Deployments that behave identically (the same workload, capacity and
/// window, whether 429s fail or spill; see [`SimTarget::canonical`]) are simulated once and
/// their outcome is shared, within a pass and across passes. Returns the number of passes.
pub fn run<E>(
    searches: &mut [Search],
    budget: usize,
    mut simulate: impl FnMut(&[SimTarget]) -> Result<Vec<SimOutcome>, E>,
) -> Result<u32, E> {
    let budget = budget.max(2);
    let mut passes = 0;
    let mut known: HashMap<[u64; 7], SimOutcome> = HashMap::new();
    loop {
        let mut targets = Vec::new();
        let mut queued: HashMap<[u64; 7], usize> = HashMap::new();
        let mut wanted: Vec<(usize, u32, SimTarget)> = Vec::new();
        for (i, s) in searches.iter().enumerate() {
            for n in s.propose(budget) {
                let t = s.lane.target(n);
                let key = t.key();
                if !known.contains_key(&key) && !queued.contains_key(&key) {
                    queued.insert(key, targets.len());
                    targets.push(t.canonical().0);
                }
                wanted.push((i, n, t));
            }
        }
        if wanted.is_empty() {
            return Ok(passes);
        }
        if !targets.is_empty() {
            let outcomes = simulate(&targets)?;
            passes += 1;
            for (t, o) in targets.iter().zip(outcomes) {
                known.insert(t.key(), o);
            }
        }
        let mut touched = vec![false; searches.len()];
        for (i, n, t) in wanted {
            let o = &known[&t.key()];
            let o = if t.canonical().1 {
                o.as_failing()
            } else {
                o.clone()
            };
            searches[i].record(n, o);
            touched[i] = true;
        }
        for (s, t) in searches.iter_mut().zip(touched) {
            s.passes += u32::from(t);
        }
    }
}

/// The ceiling of the module docs: the count whose capacity exceeds
/// `max(1, 120 / window) x` the busiest minute's estimate-based weighted charge.
pub fn ceiling_ptus(
    lattice: &Lattice,
    peak_estimated_tokens_per_min: f64,
    input_tpm_per_ptu: f64,
    bucket_window_s: f64,
) -> u32 {
    let factor = (120.0 / bucket_window_s).max(1.0);
    let raw = factor * peak_estimated_tokens_per_min / input_tpm_per_ptu;
    // Strictly above: one increment more when the bound lands on a lattice point.
    let n = lattice.ceil(raw);
    if f64::from(n) <= raw && n < lattice.max_ptus {
        n + lattice.increment_ptus
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane() -> LaneTemplate {
        LaneTemplate {
            workload: 0,
            input_tpm_per_ptu: 1.0,
            latency_target_tokens_per_s: 50.0,
            bucket_window_s: 60.0,
            max_prompt_tokens: None,
            mode: ThrottleMode::Fail,
            standard: None,
        }
    }

    /// An outcome of 10,000 offered requests with `lost` not served (failed or spilled).
    fn outcome(lost: u64, spill: bool) -> SimOutcome {
        SimOutcome {
            offered_requests: 10_000,
            served_requests: 10_000 - lost,
            throttled_requests: if spill { 0 } else { lost },
            spilled_requests: if spill { lost } else { 0 },
            spilled: crate::catalog::accounting::TokenTally {
                short: crate::catalog::accounting::TokenCounts {
                    requests: if spill { lost } else { 0 },
                    input_tokens: if spill { lost * 1000 } else { 0 },
                    ..Default::default()
                },
                long: Default::default(),
            },
            ..SimOutcome::default()
        }
    }

    /// Run a search against a made-up outcome function of the count.
    fn search_with(
        lattice: Lattice,
        ceiling: u32,
        cost: Option<CostGoal>,
        lost_at: impl Fn(u32) -> u64,
    ) -> (Search, u32) {
        let mut lane = lane();
        if cost.is_some() {
            lane.mode = ThrottleMode::Spillover;
        }
        let mut searches = vec![Search::new(lane, lattice, ceiling, 0.01, cost)];
        let passes = run(&mut searches, 6, |targets| {
            Ok::<_, ()>(
                targets
                    .iter()
                    .map(|t| {
                        let spill = t.mode == ThrottleMode::Spillover;
                        outcome(lost_at(t.capacity_tokens_per_min as u32), spill)
                    })
                    .collect(),
            )
        })
        .expect("no error");
        (searches.pop().expect("one"), passes)
    }

    #[test]
    fn identical_deployments_are_simulated_once_and_relabelled() {
        // A failing and a spilling search over the same lattice, capacity and window.
        let mut spill_lane = lane();
        spill_lane.mode = ThrottleMode::Spillover;
        let l = Lattice::new(15, 5, 1000);
        let mut searches = vec![
            Search::new(lane(), l, 200, 0.01, None),
            Search::new(spill_lane, l, 200, 0.01, None),
        ];
        let mut simulated = 0;
        run(&mut searches, 6, |targets| {
            simulated += targets.len();
            assert!(targets.iter().all(|t| t.mode == ThrottleMode::Spillover));
            Ok::<_, ()>(
                targets
                    .iter()
                    .map(|t| {
                        outcome(
                            473u32.saturating_sub(t.capacity_tokens_per_min as u32) as u64,
                            true,
                        )
                    })
                    .collect(),
            )
        })
        .expect("no error");
        let (a, b) = (&searches[0], &searches[1]);
        assert_eq!(a.evaluated().len(), b.evaluated().len());
        assert_eq!(
            simulated,
            a.evaluated().len(),
            "each count simulated once for both"
        );
        let (fa, fb) = (&a.evaluated()[&15], &b.evaluated()[&15]);
        assert_eq!(
            (fa.throttled_requests, fa.spilled_requests),
            (fb.spilled_requests, 0)
        );
        assert_eq!(fa.served_requests, fb.served_requests);
        assert_eq!(
            a.result().min_ptus_for_target,
            b.result().min_ptus_for_target
        );
    }

    #[test]
    fn lattice_rounds_and_spreads_on_deployable_counts() {
        let l = Lattice::new(15, 5, 1000);
        assert_eq!(l.max_ptus, 1000);
        assert_eq!(Lattice::new(15, 5, 42).max_ptus, 40);
        assert_eq!(l.ceil(0.0), 15);
        assert_eq!(l.ceil(105.88), 110);
        assert_eq!(l.ceil(110.0), 110);
        assert_eq!(l.ceil(5000.0), 1000);
        assert_eq!(l.spread(15, 40, 10), vec![20, 25, 30, 35]);
        let wide = l.spread(15, 1000, 4);
        assert_eq!(wide.len(), 4);
        assert!(wide
            .iter()
            .all(|n| (n - 15) % 5 == 0 && *n > 15 && *n < 1000));
        let g = l.geometric(15, 1000, 6);
        assert_eq!((g[0], *g.last().expect("some")), (15, 1000));
        assert!(g.windows(2).all(|w| w[0] < w[1]));
    }

    /// The definition, by brute force over the whole lattice.
    fn brute_min(lattice: Lattice, lost_at: &dyn Fn(u32) -> u64) -> Option<u32> {
        let counts: Vec<u32> = (0..=lattice.index(lattice.max_ptus))
            .map(|k| lattice.at(k))
            .collect();
        let mut b = None;
        for &n in counts.iter().rev() {
            if lost_at(n) > 100 {
                break;
            }
            b = Some(n);
        }
        b
    }

    #[test]
    fn finds_the_exact_threshold_of_a_monotone_load() {
        // Lost requests fall linearly to 0 at 473 PTUs: 100 of 10,000 (1%) are reached at 373.
        let lost = |n: u32| 473u32.saturating_sub(n) as u64;
        let l = Lattice::new(15, 5, HARD_MAX_PTUS);
        let (s, passes) = search_with(l, 2000, None, lost);
        let r = s.result();
        assert_eq!(r.min_ptus_for_target, Some(375));
        assert_eq!(
            r.min_ptus_for_target,
            brute_min(Lattice::new(15, 5, 2000), &lost)
        );
        assert_eq!(r.also_meets_at, None);
        assert!(passes <= 8, "{passes} passes");
        assert!(s.evaluated().len() < 60, "{} counts", s.evaluated().len());
    }

    #[test]
    fn grows_past_the_ceiling_when_it_is_not_enough() {
        let lost = |n: u32| if n < 5000 { 1000 } else { 0 };
        let (s, _) = search_with(Lattice::new(15, 5, HARD_MAX_PTUS), 100, None, lost);
        assert_eq!(s.result().min_ptus_for_target, Some(5000));
        assert_eq!(s.result().needs_more_than_ptus, None);
    }

    #[test]
    fn says_needs_more_than_the_capacity_limit() {
        let lost = |n: u32| if n < 5000 { 1000 } else { 0 };
        let (s, _) = search_with(Lattice::new(15, 5, 300), 100, None, lost);
        let r = s.result();
        assert_eq!(r.min_ptus_for_target, None);
        assert_eq!(r.needs_more_than_ptus, Some(300));
    }

    #[test]
    fn reports_a_smaller_count_that_also_meets_a_non_monotone_target() {
        // 100..=120 meets, 125..=195 misses, 200 and up meets.
        let lost = |n: u32| {
            if (100..=120).contains(&n) || n >= 200 {
                0
            } else {
                500
            }
        };
        let (s, _) = search_with(Lattice::new(15, 5, 1000), 1000, None, lost);
        let r = s.result();
        assert_eq!(r.min_ptus_for_target, Some(200));
        // Whether 100..=120 is found depends on the grid; if found it is reported.
        if let Some(a) = r.also_meets_at {
            assert!((100..=120).contains(&a));
        }
    }

    fn spill_goal(usd_per_ptu: f64) -> CostGoal {
        CostGoal {
            usd_per_ptu: vec![(Billing::Hourly, usd_per_ptu)],
            // A spilled token costs 1 USD.
            spill_price: crate::plan::cost::test_input_price(1_000_000.0),
            max_spill_rate: None,
        }
    }

    #[test]
    fn cost_optimum_is_exact_on_the_lattice() {
        // Spilled requests fall by 2 per PTU to 0 at 800; each spilled request costs 1,000
        // USD (1,000 tokens at $1 each), each PTU 1,500 USD: cost(n) = 1,500 n + 2,000 (800 - n)
        // falls until 800 PTUs, then rises: the optimum is 800.
        let lost = |n: u32| u64::from(2 * 800u32.saturating_sub(n));
        let (s, _) = search_with(
            Lattice::new(15, 5, HARD_MAX_PTUS),
            5000,
            Some(spill_goal(1500.0)),
            lost,
        );
        assert_eq!(s.result().cost_optimal_ptus[&Billing::Hourly], Some(800));
        // Cheaper spillover than PTUs: the minimum wins.
        let (s, _) = search_with(
            Lattice::new(15, 5, HARD_MAX_PTUS),
            5000,
            Some(spill_goal(2500.0)),
            lost,
        );
        assert_eq!(s.result().cost_optimal_ptus[&Billing::Hourly], Some(15));
    }

    #[test]
    fn spill_limit_constrains_the_cost_optimum() {
        let lost = |n: u32| u64::from(2 * 800u32.saturating_sub(n));
        let mut goal = spill_goal(2500.0);
        goal.max_spill_rate = Some(0.10); // at most 1,000 of 10,000 spilled: n >= 300
        let (s, _) = search_with(Lattice::new(15, 5, HARD_MAX_PTUS), 5000, Some(goal), lost);
        assert_eq!(s.result().cost_optimal_ptus[&Billing::Hourly], Some(300));
    }

    #[test]
    fn ceiling_follows_the_window_argument() {
        let l = Lattice::new(15, 5, HARD_MAX_PTUS);
        // 100 weighted tokens per minute per PTU, a 3,000-token busiest minute: 30 PTUs of
        // need; a 10 s window needs more than 12 x that (360 exactly lands on the lattice, so
        // one increment more); 60 s more than 2x; 1 s more than 120x.
        assert_eq!(ceiling_ptus(&l, 3000.0, 100.0, 10.0), 365);
        assert_eq!(ceiling_ptus(&l, 3000.0, 100.0, 60.0), 65);
        assert_eq!(ceiling_ptus(&l, 3000.0, 100.0, 1.0), 3605);
        assert_eq!(ceiling_ptus(&l, 3000.0, 100.0, 240.0), 35);
    }
}
