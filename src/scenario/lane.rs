//! The scenario stage as a [`RecordSink`]: [`Fanout`] hands each record to the baseline sink
//! untouched and to every scenario [`LaneSink`], which transforms it ([`Route`]) and folds the
//! result into the lane's own [`Replay`]. The log is read once for all scenarios and never
//! copied; each lane then runs the sizing search over its own spool.
//!
//! Cost per record and lane: one hash and a few multiplications (O(number of transforms)),
//! plus one replay step per request the record becomes (its traffic factor). Nothing is
//! allocated per record: a route is compiled once per workload and reading thread, and a lane
//! workload's id is registered once per thread. Memory per lane is what one [`Replay`] holds:
//! one spool chunk per reading thread and a minute series per lane workload.
//!
//! A lane of the reservation ladder emits each record once per simulated month, with that
//! month's growth (the months share the draws, so month m+1 holds every request of month m).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::route::{OriginKind, Route};
use super::{draw, Scenario};
use crate::catalog::accounting::{PtuAccounting, RequestAccounting};
use crate::catalog::Catalog;
use crate::sim::{EventSpool, Replay, WorkloadAccounting};
use crate::usage::{RecordSink, SinkError, UsageRecord, WorkloadKey, WorkloadRegistry};

/// Source ids at and above this are the scenario's `add`ed workloads (index = id - base).
pub const ADDED_BASE: u32 = u32::MAX - (1 << 16);

/// Default cap on the requests one logged request becomes in one lane: the product of the
/// traffic factors that apply to its workload (scale x growth), summed over the months the
/// lane emits (one for a scenario, each simulated month for a reservation ladder).
pub const DEFAULT_MAX_TRAFFIC_FACTOR: f64 = super::MAX_TRAFFIC_FACTOR;

/// Default cap on the requests every lane of a run replays in all (each is one spooled event
/// of [`crate::sim::spool`]'s 56 bytes: about 5.6 GB of temp files).
pub const DEFAULT_MAX_SCENARIO_REQUESTS: u64 = 100_000_000;

/// Bytes of temp space one replayed request takes in the spool.
const SPOOL_BYTES_PER_REQUEST: u64 = 56;

/// The caps of a run's scenario stage (`--max-traffic-factor`, `--max-scenario-requests`),
/// shared by all its lanes: beyond either the run stops with an error that names the figure
/// and the flag, rather than fill the disk.
#[derive(Debug)]
pub struct ScenarioBudget {
    /// Most requests one logged request may become in one lane.
    pub max_traffic_factor: f64,
    /// Most requests all lanes may replay in all.
    pub max_requests: u64,
    used: AtomicU64,
}

impl ScenarioBudget {
    /// A budget with these caps, nothing used.
    pub fn new(max_traffic_factor: f64, max_requests: u64) -> ScenarioBudget {
        ScenarioBudget {
            max_traffic_factor,
            max_requests,
            used: AtomicU64::new(0),
        }
    }
}

impl ScenarioBudget {
    /// Refuse, before any of them is generated, `planned` more requests (`what`, for the
    /// message) that would pass the cap with what the lanes replayed so far.
    pub fn ensure_room(&self, planned: u64, what: &str) -> Result<(), String> {
        let used = self.used.load(Ordering::Relaxed);
        if used.saturating_add(planned) <= self.max_requests {
            return Ok(());
        }
        Err(format!(
            "{what} would replay {} requests, and the what-if scenarios replay at most {} in all (about {:.1} GB of temp files; {} so far): lower requests_per_day, or raise the cap with --max-scenario-requests",
            grouped(planned),
            grouped(self.max_requests),
            (self.max_requests * SPOOL_BYTES_PER_REQUEST) as f64 / 1e9,
            grouped(used)
        ))
    }
}

impl Default for ScenarioBudget {
    fn default() -> Self {
        ScenarioBudget::new(DEFAULT_MAX_TRAFFIC_FACTOR, DEFAULT_MAX_SCENARIO_REQUESTS)
    }
}

/// A traffic factor for a message beside `other`: whole and grouped (`1,234,567`), unless
/// rounding would make the two look equal (`1,000.899` beside a cap of `1,000`).
fn factor_text(x: f64, other: f64) -> String {
    let whole = x.min(u64::MAX as f64).round();
    if whole != other.min(u64::MAX as f64).round() && (x - whole).abs() < 0.5 {
        return grouped(whole as u64);
    }
    let fraction = format!("{:.4}", x.fract().abs());
    format!(
        "{}{}",
        grouped(x.trunc().max(0.0) as u64),
        fraction
            .trim_start_matches('0')
            .trim_end_matches('0')
            .trim_end_matches('.')
    )
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Requests are counted in blocks of this many per reading thread before the shared total is
/// updated (so the cap costs no atomic operation per request).
const COUNT_BLOCK: u64 = 1 << 14;

/// A workload of a lane: where requests went, whether they are the Batch share, the month
/// of growth they carry (0 outside the ladder), and the workload they came from. A scenario
/// never merges two workloads: one that takes another's name is kept apart (and renamed in
/// the report, `chat (from gpt-4o)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LaneKey {
    /// The workload (deployment `name [batch]` for the Batch share).
    pub key: WorkloadKey,
    /// True for requests moved to Batch.
    pub batch: bool,
    /// Month of growth (0 = the log's traffic; the scenario lane uses its horizon).
    pub month: u32,
    /// The log's (or the `add`ed) workload its requests came from.
    pub source: WorkloadKey,
}

/// Where a lane workload's requests came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LaneOrigin {
    /// The log's (or the `add`ed) workload.
    pub source: WorkloadKey,
    /// How it changed.
    pub how: OriginKind,
}

#[derive(Debug, Default)]
struct Known {
    keys: Vec<LaneKey>,
    index: BTreeMap<LaneKey, u32>,
    origins: BTreeMap<u32, BTreeSet<LaneOrigin>>,
    passthrough: BTreeSet<WorkloadKey>,
}

/// One scenario's lane: its transforms, the months it emits, and its workloads (shared by the
/// reading threads).
pub struct Lane<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Months of growth emitted per record: one for a scenario lane, the simulated months for
    /// the ladder.
    pub months: Vec<u32>,
    /// True for the reservation ladder's lane.
    pub ladder: bool,
    /// When not empty: the traffic factor each of `months` emits (the forecast's grid of
    /// levels), in place of the scenario's growth.
    pub factors: Vec<f64>,
    catalog: &'a Catalog,
    sources: &'a WorkloadRegistry<'a>,
    added: Vec<WorkloadKey>,
    known: Mutex<Known>,
    budget: &'a ScenarioBudget,
}

impl<'a> Lane<'a> {
    /// A lane of `scenario` emitting `months`; `sources` names the log's workload ids;
    /// `budget` caps what every lane of the run replays.
    pub fn new(
        scenario: &'a Scenario,
        months: Vec<u32>,
        ladder: bool,
        catalog: &'a Catalog,
        sources: &'a WorkloadRegistry<'a>,
        budget: &'a ScenarioBudget,
    ) -> Lane<'a> {
        Lane {
            added: super::add::added_keys(scenario),
            scenario,
            months,
            ladder,
            factors: Vec::new(),
            catalog,
            sources,
            known: Mutex::new(Known::default()),
            budget,
        }
    }

    /// The lane emitting the traffic factors `factors` (one per entry of `months`) instead of
    /// the scenario's growth.
    pub fn with_factors(mut self, factors: Vec<f64>) -> Self {
        self.factors = factors;
        self
    }

    /// The traffic factor of `route` in the `month_index`th month the lane emits.
    fn factor(&self, route: &Route, month_index: usize) -> f64 {
        match self.factors.get(month_index) {
            Some(f) => route.factor(0) * f,
            None => route.factor(self.months[month_index]),
        }
    }

    /// How many requests one request of workload `key` becomes in this lane, every month it
    /// emits summed (the scenario's scale and growth, or the lane's factors).
    pub fn copies_per_request(&self, key: &WorkloadKey) -> f64 {
        let route = Route::compile(self.scenario, key, self.catalog);
        (0..self.months.len().max(1))
            .map(|i| match self.months.get(i) {
                Some(_) => self.factor(&route, i),
                None => route.factor(0),
            })
            .sum()
    }

    /// Error when one logged request of `route`'s workload would become more requests in
    /// this lane than the budget's traffic factor allows (checked when the route is compiled,
    /// at the workload's first record, before any of its copies is replayed).
    fn ensure_traffic_factor(&self, route: &Route) -> Result<(), SinkError> {
        let per_record: f64 = (0..self.months.len()).map(|i| self.factor(route, i)).sum();
        let cap = self.budget.max_traffic_factor;
        if per_record <= cap * (1.0 + 1e-9) {
            return Ok(());
        }
        let mut parts = Vec::new();
        if route.static_factor != 1.0 {
            parts.push(format!("scale x{}", route.static_factor));
        }
        if route.growth_per_month != 1.0 {
            let last = self.months.iter().copied().max().unwrap_or(0);
            let growth = format!("{:.6}", route.growth_per_month);
            parts.push(format!(
                "growth x{} a month over {last} month(s)",
                growth.trim_end_matches('0').trim_end_matches('.')
            ));
        }
        let ladder = if self.ladder {
            format!(
                ", summed over the {} simulated month(s) of its reservation plan (--ladder-points)",
                self.months.len()
            )
        } else {
            String::new()
        };
        Err(SinkError {
            field: None,
            message: format!(
                "scenario `{}` turns each request of {} ({} @ {}) into {} requests ({}{ladder}), above the cap of {}: lower the factors, or raise the cap with --max-traffic-factor",
                self.scenario.name.escape_debug(),
                route.source.deployment.escape_debug(),
                route.source.model,
                route.source.region,
                factor_text(per_record, cap),
                parts.join(" x "),
                factor_text(cap, per_record),
            ),
        })
    }

    /// The lane's workloads, by id.
    pub fn keys(&self) -> Vec<LaneKey> {
        self.known
            .lock()
            .map(|k| k.keys.clone())
            .unwrap_or_default()
    }

    /// Where each lane workload that changed came from, by id.
    pub fn origins(&self) -> BTreeMap<u32, BTreeSet<LaneOrigin>> {
        self.known
            .lock()
            .map(|k| k.origins.clone())
            .unwrap_or_default()
    }

    /// The log's workloads the lane left as they are (not replayed: their plans are the
    /// baseline's).
    pub fn passthrough(&self) -> BTreeSet<WorkloadKey> {
        self.known
            .lock()
            .map(|k| k.passthrough.clone())
            .unwrap_or_default()
    }

    /// True when `key` is a workload of the log.
    pub fn is_logged(&self, key: &WorkloadKey) -> bool {
        self.sources.keys().contains(key)
    }

    /// The log's workloads.
    pub fn logged_keys(&self) -> Vec<WorkloadKey> {
        self.sources.keys()
    }

    /// The caps every lane of the run shares.
    pub fn budget(&self) -> &ScenarioBudget {
        self.budget
    }

    /// The `add`ed workloads' source keys (their records carry [`ADDED_BASE`] + index).
    pub fn added(&self) -> &[WorkloadKey] {
        &self.added
    }

    fn source_key(&self, id: u32) -> Option<WorkloadKey> {
        if id >= ADDED_BASE {
            self.added.get((id - ADDED_BASE) as usize).cloned()
        } else {
            self.sources.key(id)
        }
    }

    fn note_passthrough(&self, key: &WorkloadKey) -> Result<(), SinkError> {
        let mut known = self.known.lock().map_err(|_| SinkError {
            field: None,
            message: "internal error: a reading thread failed".to_owned(),
        })?;
        known.passthrough.insert(key.clone());
        Ok(())
    }

    fn register(&self, key: LaneKey, origin: Option<LaneOrigin>) -> Result<u32, SinkError> {
        let mut known = self.known.lock().map_err(|_| SinkError {
            field: None,
            message: "internal error: a reading thread failed".to_owned(),
        })?;
        let id = match known.index.get(&key) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(known.keys.len())
                    .ok()
                    .filter(|id| *id < ADDED_BASE)
                    .ok_or_else(|| SinkError {
                        field: None,
                        message: "too many distinct scenario workloads".to_owned(),
                    })?;
                known.keys.push(key.clone());
                known.index.insert(key, id);
                id
            }
        };
        if let Some(o) = origin {
            known.origins.entry(id).or_default().insert(o);
        }
        Ok(id)
    }
}

impl WorkloadAccounting for Lane<'_> {
    fn accounting(&self, workload: u32) -> RequestAccounting {
        let model = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.keys.get(workload as usize).map(|k| k.key.model.clone()));
        model
            .and_then(|m| self.catalog.model(&m).map(|spec| spec.accounting()))
            .unwrap_or(RequestAccounting {
                ptu: PtuAccounting::OutputRatio { ratio: 1.0 },
                long_context_above_prompt_tokens: None,
            })
    }
}

/// What a lane did to the records, for the scenario's notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneStats {
    /// Records the lane received.
    pub records_in: u64,
    /// Requests it replayed (after thinning and replication, all months).
    pub requests_out: u64,
    /// Records whose completion grew past their `max_completion_tokens` and was capped.
    pub capped: u64,
    /// Records that no longer fit their model's limits (failed with 400), by model.
    pub over_limit: BTreeMap<String, u64>,
}

impl LaneStats {
    fn absorb(&mut self, o: LaneStats) {
        self.records_in += o.records_in;
        self.requests_out += o.requests_out;
        self.capped += o.capped;
        for (m, n) in o.over_limit {
            *self.over_limit.entry(m).or_default() += n;
        }
    }
}

/// A compiled route with the lane ids of its workloads (per month, real-time then Batch),
/// registered on first use.
struct ForkRoute {
    route: Route,
    /// The workload is left as logged: its records are not replayed.
    passthrough: bool,
    ids: Vec<[Option<u32>; 2]>,
    /// Records that went over the model's limits since the last [`LaneSink::settle`].
    over_limit: u64,
}

/// One reading thread's view of a lane.
pub struct LaneSink<'a> {
    lane: &'a Lane<'a>,
    routes: Vec<Option<ForkRoute>>,
    added_routes: Vec<Option<ForkRoute>>,
    /// The lane's replay.
    pub replay: Replay<'a>,
    /// What it did.
    pub stats: LaneStats,
    position: Position,
}

/// Where the last record came from: its line, and how many records that line gave before
/// (an aggregate row becomes many requests). A line is never split between reading threads,
/// so `(line, index)` names a record the same way whatever the thread count.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    line: u64,
    index: u64,
}

impl<'a> LaneSink<'a> {
    /// A sink for `lane`, spooling in memory and the system's temp directory.
    pub fn new(lane: &'a Lane<'a>) -> LaneSink<'a> {
        Self::with_spool(lane, EventSpool::default())
    }

    /// A sink for `lane` whose replay spools with `spool` (the run's temp area).
    pub fn with_spool(lane: &'a Lane<'a>, spool: EventSpool) -> LaneSink<'a> {
        LaneSink {
            lane,
            routes: Vec::new(),
            added_routes: Vec::new(),
            replay: Replay::with_spool(lane, spool),
            stats: LaneStats::default(),
            position: Position::default(),
        }
    }

    /// This sink with its replay's admission estimates formed by `missing`
    /// ([`Replay::estimating`]).
    pub fn estimating(self, missing: crate::sim::MissingMaxTokens) -> Self {
        LaneSink {
            replay: self.replay.estimating(missing),
            ..self
        }
    }

    /// The lane it feeds.
    pub fn lane(&self) -> &'a Lane<'a> {
        self.lane
    }

    fn route_slot(&mut self, id: u32) -> Result<&mut ForkRoute, SinkError> {
        let (table, idx) = if id >= ADDED_BASE {
            (&mut self.added_routes, (id - ADDED_BASE) as usize)
        } else {
            (&mut self.routes, id as usize)
        };
        if idx >= table.len() {
            table.resize_with(idx + 1, || None);
        }
        if table[idx].is_none() {
            let source = self.lane.source_key(id).ok_or_else(|| SinkError {
                field: None,
                message: format!("internal error: workload {id} has no name"),
            })?;
            let route = Route::compile(self.lane.scenario, &source, self.lane.catalog);
            // The forecast's levels replay every workload, identity or not.
            let passthrough =
                route.is_identity() && id < ADDED_BASE && self.lane.factors.is_empty();
            if passthrough {
                self.lane.note_passthrough(&source)?;
            } else {
                self.lane.ensure_traffic_factor(&route)?;
            }
            table[idx] = Some(ForkRoute {
                passthrough,
                ids: vec![[None, None]; self.lane.months.len()],
                route,
                over_limit: 0,
            });
        }
        Ok(table[idx].as_mut().expect("filled above"))
    }

    fn lane_id(&mut self, id: u32, month_index: usize, batch: bool) -> Result<u32, SinkError> {
        let lane = self.lane;
        let slot = self.route_slot(id)?;
        if let Some(found) = slot.ids[month_index][usize::from(batch)] {
            return Ok(found);
        }
        let r = &slot.route;
        let key = if batch { &r.batch_key } else { &r.key };
        let how = if batch {
            Some(OriginKind::BatchShift)
        } else if id >= ADDED_BASE {
            Some(OriginKind::Added)
        } else {
            r.origin()
        };
        let origin = how.map(|how| LaneOrigin {
            source: r.source.clone(),
            how,
        });
        let found = lane.register(
            LaneKey {
                key: key.clone(),
                batch,
                month: if lane.ladder {
                    lane.months[month_index]
                } else {
                    0
                },
                source: r.source.clone(),
            },
            origin,
        )?;
        slot.ids[month_index][usize::from(batch)] = Some(found);
        Ok(found)
    }
}

impl RecordSink for LaneSink<'_> {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.take_at(record, "", 0)
    }

    fn take_at(&mut self, record: UsageRecord, _path: &str, line: u64) -> Result<(), SinkError> {
        self.stats.records_in += 1;
        if line == self.position.line {
            self.position.index += 1;
        } else {
            self.position = Position { line, index: 0 };
        }
        let place = self.position;
        let source = record.workload;
        let slot = self.route_slot(source)?;
        if slot.passthrough {
            return Ok(());
        }
        let route_hash = slot.route.hash;
        let batch_share = slot.route.batch_share;
        let mut changed = record;
        let applied = slot.route.apply_tokens(&mut changed);
        slot.over_limit += u64::from(applied.over_limit);
        self.stats.capped += u64::from(applied.capped);
        let h = draw::fold(
            draw::fold(draw::record_hash(route_hash, &record), place.line),
            place.index,
        );
        let jitter = self.lane.scenario.jitter_ms;
        for month_index in 0..self.lane.months.len() {
            let factor = self
                .lane
                .factor(&self.route_slot(source)?.route, month_index);
            let n = draw::copies(h, factor);
            for copy in 0..n {
                let batch = draw::to_batch(h, copy, batch_share);
                let mut out = changed;
                out.workload = self.lane_id(source, month_index, batch)?;
                out.timestamp_ms = draw::arrival_ms(h, copy, record.timestamp_ms, jitter);
                self.replay.take(out)?;
                self.stats.requests_out += 1;
                if self.stats.requests_out % COUNT_BLOCK == 0 {
                    self.check_cap()?;
                }
            }
        }
        Ok(())
    }

    fn fork(&self) -> Self {
        LaneSink {
            lane: self.lane,
            routes: Vec::new(),
            added_routes: Vec::new(),
            replay: self.replay.fork(),
            stats: LaneStats::default(),
            position: Position::default(),
        }
    }

    fn join(&mut self, mut later: Self) -> Result<(), SinkError> {
        later.settle();
        self.stats.absorb(later.stats);
        self.replay.join(later.replay)
    }
}

impl<'a> LaneSink<'a> {
    /// Add this thread's latest block of requests to the run's total; an error past the
    /// budget's [`ScenarioBudget::max_requests`].
    fn check_cap(&self) -> Result<(), SinkError> {
        let budget = self.lane.budget;
        let total = budget.used.fetch_add(COUNT_BLOCK, Ordering::Relaxed) + COUNT_BLOCK;
        if total > budget.max_requests {
            return Err(SinkError {
                field: None,
                message: format!(
                    "the what-if scenarios would replay more than {} requests in all (about {:.1} GB of temp files; scenario `{}`{} reached the cap): lower a traffic factor (scale, growth{}), or raise the cap with --max-scenario-requests",
                    grouped(budget.max_requests),
                    (budget.max_requests * SPOOL_BYTES_PER_REQUEST) as f64 / 1e9,
                    self.lane.scenario.name.escape_debug(),
                    if self.lane.ladder { " (its reservation plan)" } else { "" },
                    if self.lane.ladder { ", --ladder-points" } else { "" }
                ),
            });
        }
        Ok(())
    }

    /// Move the per-route counters into [`LaneSink::stats`] (done for forks when they are
    /// joined; the owner calls it once reading is done).
    pub fn settle(&mut self) {
        for slot in self
            .routes
            .iter_mut()
            .chain(&mut self.added_routes)
            .flatten()
        {
            if slot.over_limit > 0 {
                *self
                    .stats
                    .over_limit
                    .entry(slot.route.key.model.clone())
                    .or_default() += slot.over_limit;
                slot.over_limit = 0;
            }
        }
    }
}

/// The scenario stage: the baseline sink and one lane sink per scenario (and ladder).
pub struct Fanout<'a, S> {
    /// The untransformed stream's sink.
    pub baseline: S,
    /// The lanes, in scenario order.
    pub lanes: Vec<LaneSink<'a>>,
}

impl<S: RecordSink> RecordSink for Fanout<'_, S> {
    fn take(&mut self, record: UsageRecord) -> Result<(), SinkError> {
        self.take_at(record, "", 0)
    }

    fn take_at(&mut self, record: UsageRecord, path: &str, line: u64) -> Result<(), SinkError> {
        self.baseline.take_at(record, path, line)?;
        for lane in &mut self.lanes {
            lane.take_at(record, path, line)?;
        }
        Ok(())
    }

    fn cover(&mut self, start_ms: i64, end_ms: i64) {
        // Scenarios keep the baseline's span (see `commands::whatif`).
        self.baseline.cover(start_ms, end_ms);
    }

    fn fork(&self) -> Self {
        Fanout {
            baseline: self.baseline.fork(),
            lanes: self.lanes.iter().map(RecordSink::fork).collect(),
        }
    }

    fn join(&mut self, later: Self) -> Result<(), SinkError> {
        self.baseline.join(later.baseline)?;
        for (mine, theirs) in self.lanes.iter_mut().zip(later.lanes) {
            mine.join(theirs)?;
        }
        Ok(())
    }
}
