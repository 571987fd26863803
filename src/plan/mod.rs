//! The plan: for every workload, every deployment option with its cost over the log's span
//! and per 730-hour month, its availability, the PTU sizing found by the exact search, and the
//! recommended option.
//!
//! Planning has three steps around the admission passes: [`prepare`] sets up the searches
//! (one per workload x provisioned type x bucket window), [`size`] runs them over as many
//! simulation passes as they need, and [`finish`] turns what they found into options. Nothing
//! here prints or touches files: the simulation pass is the caller's callback.

pub mod band;
pub mod calibrate;
pub mod constraints;
pub mod cost;
pub mod decision;
pub mod evidence;
mod finish;
pub mod forecast;
pub mod ladder;
pub mod lifecycle;
mod model;
pub mod options;
mod profile;
pub mod projection;
mod provisioned;
pub mod quota;
pub mod regions;
pub mod remark;
pub mod reserve;
pub mod search;
pub mod sizing;
#[cfg(test)]
pub(crate) mod test_support;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use constraints::{Constraints, Residency, SalesFacts};
pub use cost::{Billing, HOURS_PER_MONTH};
pub use decision::{Decision, DecisionRules, DecisionStatus};
pub use finish::{decide, finish, finish_one};
pub use model::{DemandProfile, OptionPlan, OtherTypeSizing, WindowPlan, WorkloadPlan};
pub use reserve::{ReservationPool, ReservePolicy};
pub use search::{Search, SearchResult};
pub use sizing::{CurvePoint, TypeSizing};

use profile::{demand_profile, MinuteStats};

use crate::catalog::{Catalog, DeploymentTypeId};
use crate::sim::replay::{ReplaySummary, WorkloadReplay};
use crate::sim::standard::StandardLimiter;
use crate::sim::{SimOutcome, SimParams, SimTarget, ThrottleMode};
use crate::usage::WorkloadKey;
use options::{availability_note, candidate, processing_label, Candidate};
use search::{CostGoal, LaneTemplate, Lattice, HARD_MAX_PTUS};

/// How throttled requests are handled, as chosen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThrottlePolicy {
    /// Spillover where the type has a Standard target, fail otherwise (the default).
    Default,
    /// Every 429 fails.
    Fail,
    /// Retry after `retry-after-ms`, up to `max_retries` times.
    Retry {
        /// Retries after the first attempt.
        max_retries: u32,
    },
    /// Spill to Standard; types without a spillover target fail instead.
    Spillover,
}

/// Planning settings (resolved from flags by the app layer).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSettings {
    /// What a 429 leads to.
    pub on_throttle: ThrottlePolicy,
    /// Largest acceptable share of requests the PTU deployment does not serve when sizing its
    /// target count, and of failed requests for any option (default 0.01).
    pub max_throttle_rate: f64,
    /// Largest acceptable share of spilled requests for an option with spillover (default:
    /// no limit).
    pub max_spill_rate: Option<f64>,
    /// PTU counts each search simulates per pass (default 12).
    pub sweep_points: u32,
    /// Also find target counts for provisioned types the workload's region does not offer
    /// (for `regions`).
    pub size_other_types: bool,
    /// Whether Batch options may be recommended (asynchronous, 24-hour turnaround).
    pub batch_eligible: bool,
    /// Whether Flex options may be recommended (preview; no latency or service SLA; 429 when
    /// Flex capacity is unavailable).
    pub flex_eligible: bool,
    /// PTUs reserved per region x provisioned type pool (default: what the pool deploys).
    pub reserve: ReservePolicy,
    /// Reservation term of the pools (default 1 year).
    pub reserve_term: Billing,
    /// `--residency` and the sales facts of `--overrides`.
    pub constraints: Constraints,
    /// Standard quotas (`--quota-tier`, `--quota-tpm`, `--quota-file`), the RPM window and
    /// `--min-tokens-per-s`.
    pub quota: quota::QuotaSettings,
    /// When a commitment is recommended (`--min-saving`, `--min-span-days`).
    pub decision: DecisionRules,
    /// The coarsest time resolution of the log's inputs (set once the log is read): totals
    /// per hour or per day commit nothing ([`decision::log_too_coarse`]).
    pub log_granularity: crate::usage::Granularity,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            on_throttle: ThrottlePolicy::Default,
            max_throttle_rate: 0.01,
            max_spill_rate: None,
            sweep_points: DEFAULT_SWEEP_POINTS,
            size_other_types: false,
            batch_eligible: false,
            flex_eligible: false,
            reserve: ReservePolicy::Deployed,
            reserve_term: Billing::Reserved1Year,
            constraints: Constraints::default(),
            quota: quota::QuotaSettings::default(),
            decision: DecisionRules::default(),
            log_granularity: crate::usage::Granularity::Request,
        }
    }
}

/// Counts each search simulates per pass, by default.
pub const DEFAULT_SWEEP_POINTS: u32 = 12;

/// What a search is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchRole {
    /// The window in use, for a type offered in the workload's region: its options.
    Plan,
    /// Another window of `--window-band`: the same search as the window in use (its options
    /// and cost goal), for the band's figures and the count a reservation holds across it.
    Band,
    /// A type the workload's region does not offer: the target count, for `regions`.
    OtherType,
}

/// One search with what it belongs to.
#[derive(Debug, Clone)]
pub struct SizingSearch {
    /// Workload index.
    pub workload: usize,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// What it is for.
    pub role: SearchRole,
    /// Its bucket window, seconds.
    pub window_s: f64,
    /// Why the throttle mode differs from the one asked for, if it does.
    pub mode_note: Option<remark::ModeNote>,
    /// The limits of the Standard deployment it spills to (spillover only).
    pub spill_quota: Option<quota::QuotaChoice>,
    /// USD per PTU over the log's span, per provisioned billing (types offered in the
    /// workload's region; empty otherwise).
    pub usd_per_ptu_span: Vec<(Billing, f64)>,
    /// The search.
    pub search: Search,
}

/// One per-token option's Standard deployment to simulate: a workload's traffic on a
/// Standard type's quota (Flex and Priority share the Standard type's).
#[derive(Debug, Clone)]
pub struct PerTokenStream {
    /// Workload index.
    pub workload: usize,
    /// `global-standard`, `data-zone-standard` or `regional-standard`.
    pub quota_type: DeploymentTypeId,
    /// Its limits.
    pub choice: quota::QuotaChoice,
}

/// The searches to run, and the per-token Standard deployments.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Every search, by workload, type and window.
    pub searches: Vec<SizingSearch>,
    /// Every per-token Standard deployment, by workload and quota type.
    pub per_token: Vec<PerTokenStream>,
    /// Their outcomes, in the same order (set by [`Prepared::set_per_token`]).
    pub per_token_outcomes: Vec<crate::sim::StandardOutcome>,
    /// The log's measured latency per workload (set with the per-token outcomes).
    pub logged_latency: Vec<crate::sim::standard::LoggedLatency>,
    /// Each model's tokens per 730-hour month over every workload (the tenant's usage, for
    /// the usage tiers).
    pub tenant_tokens_per_month: BTreeMap<String, f64>,
    /// The bucket window in use, seconds.
    pub run_window_s: f64,
    /// The other windows of the band, seconds, ascending (without the window in use).
    pub band_windows_s: Vec<f64>,
}

impl Prepared {
    /// The per-token Standard deployments to simulate ([`crate::sim::standard::simulate_per_token`]).
    pub fn per_token_streams(&self) -> Vec<crate::sim::standard::StandardStream> {
        self.per_token
            .iter()
            .map(|p| crate::sim::standard::StandardStream {
                workload: p.workload as u32,
                quota: p.choice.quota,
            })
            .collect()
    }

    /// Record what the per-token pass found (outcomes in stream order, latency per workload).
    pub fn set_per_token(
        &mut self,
        outcomes: Vec<crate::sim::StandardOutcome>,
        logged_latency: Vec<crate::sim::standard::LoggedLatency>,
    ) {
        self.per_token_outcomes = outcomes;
        self.logged_latency = logged_latency;
    }

    fn per_token_outcome(
        &self,
        w: usize,
        qt: DeploymentTypeId,
    ) -> Option<(&quota::QuotaChoice, &crate::sim::StandardOutcome)> {
        let i = self
            .per_token
            .iter()
            .position(|p| p.workload == w && p.quota_type == qt)?;
        Some((&self.per_token[i].choice, self.per_token_outcomes.get(i)?))
    }

    fn find(
        &self,
        w: usize,
        t: DeploymentTypeId,
        role: SearchRole,
    ) -> impl Iterator<Item = &SizingSearch> {
        self.searches[self.workload_range(w)]
            .iter()
            .filter(move |s| s.deployment_type == t && s.role == role)
    }

    /// Where workload `w`'s searches lie in `searches`: [`prepare`] adds them workload by
    /// workload, so a lookup is a binary search, not a scan of every workload's (a log of
    /// thousands of deployments made planning quadratic).
    fn workload_range(&self, w: usize) -> std::ops::Range<usize> {
        debug_assert!(self.searches.is_sorted_by_key(|s| s.workload));
        let lo = self.searches.partition_point(|s| s.workload < w);
        lo..lo + self.searches[lo..].partition_point(|s| s.workload == w)
    }

    /// The searches of one workload and offered type at every window (the window in use
    /// first), as indices into `searches`.
    fn band_group(&self, w: usize, t: DeploymentTypeId) -> Vec<usize> {
        let mut group: Vec<usize> = self
            .workload_range(w)
            .filter(|&i| {
                let s = &self.searches[i];
                s.deployment_type == t && matches!(s.role, SearchRole::Plan | SearchRole::Band)
            })
            .collect();
        group.sort_by_key(|i| self.searches[*i].role != SearchRole::Plan);
        group
    }

    /// Every (workload, offered type) with its band group.
    fn band_groups(&self) -> Vec<Vec<usize>> {
        let mut keys: Vec<(usize, DeploymentTypeId)> = self
            .searches
            .iter()
            .filter(|s| s.role == SearchRole::Plan)
            .map(|s| (s.workload, s.deployment_type))
            .collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|(w, t)| self.band_group(w, t))
            .collect()
    }

    /// The count each reserved billing of a band group holds across the band ([`band`]).
    fn robust_counts(&self, group: &[usize]) -> Vec<(Billing, band::Robust)> {
        let Some(first) = group.first().map(|i| &self.searches[*i]) else {
            return Vec::new();
        };
        let searches: Vec<&Search> = group.iter().map(|i| &self.searches[*i].search).collect();
        first
            .usd_per_ptu_span
            .iter()
            .filter(|(b, _)| *b != Billing::Hourly)
            .map(|(b, usd)| (*b, band::robust_count(&searches, *b, *usd)))
            .collect()
    }
}

/// Set up the searches for every workload and provisioned type: at the window in use with
/// cost goals for types offered in the region, at every other window of the band for their
/// target count, and (with `size_other_types`) for types the region does not offer.
pub fn prepare(
    catalog: &Catalog,
    keys: &[WorkloadKey],
    summary: &ReplaySummary,
    settings: &PlanSettings,
    sim: &SimParams,
) -> Prepared {
    let mut prepared = Prepared::default();
    let span_hours = summary.span_hours();
    prepared.tenant_tokens_per_month = quota::tenant_tokens_per_month(
        keys.iter().zip(&summary.workloads).map(|(k, r)| {
            (
                k.model.clone(),
                r.totals.prompt_tokens + r.totals.completion_tokens,
            )
        }),
        span_hours,
    );
    let mut band: Vec<f64> = sim
        .window_band_s
        .iter()
        .copied()
        .filter(|w| *w != sim.bucket_window_s)
        .collect();
    band.sort_by(f64::total_cmp);
    band.dedup();
    prepared.run_window_s = sim.bucket_window_s;
    prepared.band_windows_s = band.clone();
    for (w, key) in keys.iter().enumerate() {
        let Some(replay) = summary.workloads.get(w) else {
            continue;
        };
        for qt in [
            DeploymentTypeId::GlobalStandard,
            DeploymentTypeId::DataZoneStandard,
            DeploymentTypeId::RegionalStandard,
        ] {
            if let Some(choice) =
                quota::quota_for(catalog, settings, sim.missing_max_tokens, &key.model, qt)
            {
                prepared.per_token.push(PerTokenStream {
                    workload: w,
                    quota_type: qt,
                    choice,
                });
            }
        }
        for t in DeploymentTypeId::PROVISIONED {
            let (mode, mode_note) = throttle_mode(catalog, key, &replay.totals, t, settings);
            match candidate(catalog, &settings.constraints, key, t) {
                Candidate::Provisioned {
                    spec,
                    increment,
                    price,
                    cap,
                } => {
                    let lattice = Lattice::new(
                        increment.min_ptus,
                        increment.increment_ptus,
                        cap.map_or(HARD_MAX_PTUS, |c| c.max_ptus.min(HARD_MAX_PTUS)),
                    );
                    let usd_per_ptu_span: Vec<(Billing, f64)> = Billing::PROVISIONED
                        .iter()
                        .map(|b| (*b, b.usd_per_ptu_hour(price) * span_hours))
                        .collect();
                    let cost = (mode == ThrottleMode::Spillover)
                        .then(|| spill_price(catalog, key, t))
                        .flatten()
                        .map(|spill_price| CostGoal {
                            usd_per_ptu: usd_per_ptu_span.clone(),
                            spill_price,
                            max_spill_rate: spill_cap(settings),
                        });
                    let spill_quota = (mode == ThrottleMode::Spillover)
                        .then(|| spill_quota(catalog, settings, sim, key, t))
                        .flatten();
                    let windows = std::iter::once((sim.bucket_window_s, SearchRole::Plan))
                        .chain(band.iter().map(|b| (*b, SearchRole::Band)));
                    // Every window gets the same search as the window in use, so that its
                    // figures are the ones a run at that window would give.
                    for (window_s, role) in windows {
                        let mut search = new_search(
                            (w, t, role, window_s),
                            replay,
                            spec,
                            lattice,
                            (mode, mode_note.clone()),
                            settings,
                            cost.clone(),
                        );
                        // The search needs only the limits in force; the chosen counts get the
                        // full level tracking in a final pass ([`size`]).
                        search.search.lane.standard =
                            spill_quota.as_ref().and_then(|c| c.quota.for_search());
                        search.spill_quota = spill_quota.clone();
                        search.usd_per_ptu_span = usd_per_ptu_span.clone();
                        prepared.searches.push(search);
                    }
                }
                Candidate::Unavailable(_) if settings.size_other_types => {
                    let Some(spec) = catalog.model(&key.model).and_then(|m| m.ptu.as_ref()) else {
                        continue;
                    };
                    let Some(increment) = t.ptu_scope().and_then(|s| spec.increment_for(s)) else {
                        continue;
                    };
                    // Sized without spillover: the count the PTU deployment needs by itself.
                    let mode = match settings.on_throttle {
                        ThrottlePolicy::Retry { max_retries } => {
                            ThrottleMode::Retry { max_retries }
                        }
                        _ => ThrottleMode::Fail,
                    };
                    let lattice =
                        Lattice::new(increment.min_ptus, increment.increment_ptus, HARD_MAX_PTUS);
                    prepared.searches.push(new_search(
                        (w, t, SearchRole::OtherType, sim.bucket_window_s),
                        replay,
                        spec,
                        lattice,
                        (mode, None),
                        settings,
                        None,
                    ));
                }
                _ => {}
            }
        }
    }
    prepared
}

fn new_search(
    (w, t, role, window_s): (usize, DeploymentTypeId, SearchRole, f64),
    replay: &WorkloadReplay,
    spec: &crate::catalog::PtuSpec,
    lattice: Lattice,
    (mode, mode_note): (ThrottleMode, Option<remark::ModeNote>),
    settings: &PlanSettings,
    cost: Option<CostGoal>,
) -> SizingSearch {
    let peak_est = replay.minutes.peak_estimated_tokens_per_min();
    let ceiling = search::ceiling_ptus(&lattice, peak_est, spec.input_tpm_per_ptu, window_s);
    let lane = LaneTemplate {
        workload: w as u32,
        input_tpm_per_ptu: spec.input_tpm_per_ptu,
        latency_target_tokens_per_s: spec.latency_target_tokens_per_s,
        bucket_window_s: window_s,
        max_prompt_tokens: spec
            .max_prompt_tokens
            .map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
        mode,
        standard: None,
    };
    SizingSearch {
        workload: w,
        deployment_type: t,
        role,
        window_s,
        mode_note,
        spill_quota: None,
        usd_per_ptu_span: Vec::new(),
        search: Search::new(lane, lattice, ceiling, settings.max_throttle_rate, cost),
    }
}

/// The spilled share the cost search allows: `--max-spill-rate`, or with `--min-tokens-per-s`
/// and no `--max-spill-rate` the throttle target (spilled requests get Standard's latency,
/// which has no target, so a latency promise caps them like failures).
fn spill_cap(settings: &PlanSettings) -> Option<f64> {
    settings.max_spill_rate.or(settings
        .quota
        .min_tokens_per_s
        .map(|_| settings.max_throttle_rate))
}

/// The limits of the Standard deployment a provisioned type spills to.
fn spill_quota(
    catalog: &Catalog,
    settings: &PlanSettings,
    sim: &SimParams,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Option<quota::QuotaChoice> {
    let target = catalog.deployment_types.get(&t)?.spillover_target?;
    quota::quota_for(
        catalog,
        settings,
        sim.missing_max_tokens,
        &key.model,
        target,
    )
}

/// The Standard token price a provisioned type spills to, if any.
fn spill_price(
    catalog: &Catalog,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Option<crate::catalog::TokenPrice> {
    let target = catalog.deployment_types.get(&t)?.spillover_target?;
    catalog
        .token_price(&key.model, target, &key.region)
        .cloned()
}

/// Run every search over as many simulation passes as they need (`simulate` runs one pass
/// over the events and returns one outcome per target, in order). Returns the pass count.
pub fn size<E>(
    prepared: &mut Prepared,
    settings: &PlanSettings,
    mut simulate: impl FnMut(&[SimTarget]) -> Result<Vec<SimOutcome>, E>,
) -> Result<u32, E> {
    let mut searches: Vec<Search> = prepared.searches.iter().map(|s| s.search.clone()).collect();
    let mut passes = search::run(&mut searches, settings.sweep_points as usize, &mut simulate)?;
    for (s, done) in prepared.searches.iter_mut().zip(searches) {
        s.search = done;
    }
    passes += refine_band(prepared, &mut simulate)?;
    passes += track_spill_quotas(prepared, &mut simulate)?;
    Ok(passes)
}

/// Simulate the counts the band's reservations ask for at every window ([`band`]), a pass at
/// a time, until none asks for more (at most [`band::MAX_BAND_PASSES`] passes). Returns the
/// passes it took.
fn refine_band<E>(
    prepared: &mut Prepared,
    simulate: &mut impl FnMut(&[SimTarget]) -> Result<Vec<SimOutcome>, E>,
) -> Result<u32, E> {
    let groups: Vec<Vec<usize>> = prepared
        .band_groups()
        .into_iter()
        .filter(|g| g.len() > 1)
        .collect();
    // Rounds bound the loop as passes did before outcomes were reused (a round whose every
    // count is reused is a round all the same), so the counts evaluated never depend on reuse.
    let (mut passes, mut rounds) = (0, 0);
    while rounds < band::MAX_BAND_PASSES {
        let mut owners: Vec<(usize, u32)> = Vec::new();
        for group in &groups {
            for (_, robust) in prepared.robust_counts(group) {
                for n in robust.wanted {
                    for &i in group {
                        if prepared.searches[i].search.outcome(n).is_none()
                            && !owners.contains(&(i, n))
                        {
                            owners.push((i, n));
                        }
                    }
                }
            }
        }
        if owners.is_empty() {
            break;
        }
        rounds += 1;
        // Another search may already hold the outcome of an identical deployment (a type of
        // the same capacity per PTU, prompt limit and throttle handling, or the same count
        // asked for by two groups): reused, not simulated again.
        let simulated = simulated_outcomes(prepared);
        let mut fresh = Vec::new();
        for (i, n) in owners {
            let t = prepared.searches[i].search.lane.target(n);
            match simulated.get(&target_id(&t)) {
                Some(&(j, m)) => {
                    let o = prepared.searches[j].search.outcome(m).cloned();
                    prepared.searches[i]
                        .search
                        .record_extra(n, o.expect("indexed from this search's outcomes"));
                }
                None => fresh.push((i, n, t)),
            }
        }
        if fresh.is_empty() {
            continue;
        }
        let targets: Vec<SimTarget> = fresh.iter().map(|f| f.2).collect();
        let outcomes = simulate_unique(simulate, &targets)?;
        passes += 1;
        for ((i, n, _), o) in fresh.into_iter().zip(outcomes) {
            prepared.searches[i].search.record_extra(n, o);
        }
    }
    Ok(passes)
}

/// What makes two simulated deployments give the same outcome: the key of the deployment
/// whose bucket behaves alike ([`SimTarget::key`]) and whether its 429s fail (the outcome is
/// relabelled then, [`SimOutcome::as_failing`]).
type TargetId = ([u64; 7], bool);

fn target_id(t: &SimTarget) -> TargetId {
    (t.key(), t.mode == ThrottleMode::Fail)
}

/// Where each simulated deployment's outcome is held: `(search, count)` by target.
fn simulated_outcomes(prepared: &Prepared) -> HashMap<TargetId, (usize, u32)> {
    let mut held = HashMap::new();
    for (j, s) in prepared.searches.iter().enumerate() {
        for &m in s.search.points().keys() {
            held.entry(target_id(&s.search.lane.target(m)))
                .or_insert((j, m));
        }
    }
    held
}

/// `simulate`, with each distinct deployment of `targets` simulated once (the simulation is
/// deterministic, so a duplicate's outcome is a copy).
fn simulate_unique<E>(
    simulate: &mut impl FnMut(&[SimTarget]) -> Result<Vec<SimOutcome>, E>,
    targets: &[SimTarget],
) -> Result<Vec<SimOutcome>, E> {
    let mut first: HashMap<TargetId, usize> = HashMap::new();
    let mut unique = Vec::new();
    let slots: Vec<usize> = targets
        .iter()
        .map(|t| {
            *first.entry(target_id(t)).or_insert_with(|| {
                unique.push(*t);
                unique.len() - 1
            })
        })
        .collect();
    if unique.len() == targets.len() {
        return simulate(targets);
    }
    let outcomes = simulate(&unique)?;
    Ok(slots.into_iter().map(|i| outcomes[i].clone()).collect())
}

/// The outputs say, for each spilling option, which quota level its spillover needs: one more
/// pass simulates the counts an option can end up with (each billing's cost optimum, the
/// target count, the largest searched) with the Standard limiter's level tracking on, and
/// puts that into their outcomes. The PTU admission is the same as in the search, so nothing
/// else changes; and a count whose search outcome spilled nothing (no request reached its
/// Standard deployment, accepted or answered 429) offers the tracking limiter nothing either,
/// so its outcome is the empty limiter's, without a replay. Returns 1 when it ran a pass.
fn track_spill_quotas<E>(
    prepared: &mut Prepared,
    simulate: &mut impl FnMut(&[SimTarget]) -> Result<Vec<SimOutcome>, E>,
) -> Result<u32, E> {
    let mut targets = Vec::new();
    let mut owners = Vec::new();
    let mut unoffered = Vec::new();
    let mut robust: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for group in prepared.band_groups() {
        let counts: Vec<u32> = prepared
            .robust_counts(&group)
            .into_iter()
            .filter_map(|(_, r)| r.ptus)
            .collect();
        for i in group {
            robust.insert(i, counts.clone());
        }
    }
    for (i, s) in prepared.searches.iter().enumerate() {
        let Some(choice) = &s.spill_quota else {
            continue;
        };
        let r = s.search.result();
        let mut counts: Vec<u32> = r.cost_optimal_ptus.values().flatten().copied().collect();
        counts.extend(r.min_ptus_for_target);
        counts.extend(s.search.evaluated().keys().next_back().copied());
        counts.extend(robust.get(&i).into_iter().flatten().copied());
        counts.sort_unstable();
        counts.dedup();
        for n in counts {
            // Every request a spilling lane's Standard deployment sees is counted in one of
            // the two (spill_quota is set for spilling searches only).
            let spilled_none = s.search.lane.mode == ThrottleMode::Spillover
                && s.search
                    .outcome(n)
                    .is_some_and(|o| o.spilled_requests == 0 && o.throttled_requests == 0);
            if spilled_none {
                unoffered.push((i, n, StandardLimiter::unoffered(choice.quota)));
                continue;
            }
            let mut lane = s.search.lane.clone();
            lane.standard = Some(choice.quota);
            targets.push(lane.target(n));
            owners.push((i, n));
        }
    }
    for (i, n, o) in unoffered {
        prepared.searches[i].search.set_standard(n, Some(o));
    }
    if targets.is_empty() {
        return Ok(0);
    }
    let outcomes = simulate_unique(simulate, &targets)?;
    for ((i, n), o) in owners.into_iter().zip(outcomes) {
        prepared.searches[i].search.set_standard(n, o.standard);
    }
    Ok(1)
}

/// The mode a type actually gets, and a note when spillover is impossible (no Standard target,
/// or one that cannot price the workload's long-context requests).
fn throttle_mode(
    catalog: &Catalog,
    key: &WorkloadKey,
    totals: &crate::sim::WorkloadTotals,
    t: DeploymentTypeId,
    settings: &PlanSettings,
) -> (ThrottleMode, Option<remark::ModeNote>) {
    let policy = settings.on_throttle;
    let wants_spill = matches!(policy, ThrottlePolicy::Default | ThrottlePolicy::Spillover);
    match policy {
        ThrottlePolicy::Fail => return (ThrottleMode::Fail, None),
        ThrottlePolicy::Retry { max_retries } => {
            return (ThrottleMode::Retry { max_retries }, None)
        }
        _ => {}
    }
    debug_assert!(wants_spill);
    let target = catalog
        .deployment_types
        .get(&t)
        .and_then(|d| d.spillover_target);
    match target {
        None => (
            ThrottleMode::Fail,
            (policy == ThrottlePolicy::Spillover).then_some(remark::ModeNote::NoTarget(t)),
        ),
        Some(target) => match candidate(catalog, &settings.constraints, key, target) {
            Candidate::PerToken(price) => match price.cost_usd(&totals.tally) {
                // A confirmed type does not lean on a target only inferred available: whether
                // it is offered is something the log cannot tell (unless `--on-throttle
                // spillover` says the target is there).
                Ok(_)
                    if policy == ThrottlePolicy::Default
                        && confirmed(catalog, key, t, settings)
                        && !confirmed(catalog, key, target, settings) =>
                {
                    (
                        ThrottleMode::Fail,
                        Some(remark::ModeNote::TargetUnconfirmed(target)),
                    )
                }
                Ok(_)
                    if policy == ThrottlePolicy::Spillover
                        && !confirmed(catalog, key, target, settings) =>
                {
                    (
                        ThrottleMode::Spillover,
                        Some(remark::ModeNote::TargetStated(target)),
                    )
                }
                Ok(_) => (ThrottleMode::Spillover, None),
                Err(e) => (
                    ThrottleMode::Fail,
                    Some(remark::ModeNote::NoLongContextPrice {
                        target,
                        requests: e.requests,
                    }),
                ),
            },
            Candidate::Unavailable(why) => (
                ThrottleMode::Fail,
                Some(remark::ModeNote::TargetUnavailable(why)),
            ),
            Candidate::Provisioned { .. } => (ThrottleMode::Fail, None),
        },
    }
}

/// Whether `t` is available for the workload on a confirmed basis (a verified table, sales or
/// the log).
fn confirmed(
    catalog: &Catalog,
    key: &WorkloadKey,
    t: DeploymentTypeId,
    settings: &PlanSettings,
) -> bool {
    options::availability(catalog, &settings.constraints, key, t)
        .is_ok_and(|a| a.basis.is_confirmed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::standard::QuotaLevel as QuotaLevelArg;
    use crate::catalog::{load_catalog, CatalogSource};
    use crate::sim::{simulate, Replay, SimParams};
    use crate::usage::UsageRecord;
    use proptest::prelude::*;

    /// A request of `prompt` uncached tokens and no output at `t_ms` (ms from the log's start).
    fn request(t_ms: i64, prompt: u64) -> UsageRecord {
        UsageRecord {
            timestamp_ms: 1_800_000_000_000 + t_ms,
            workload: 0,
            prompt_tokens: prompt,
            cached_tokens: 0,
            cache_write_tokens: 0,
            completion_tokens: 0,
            reasoning_tokens: 0,
            max_completion_tokens: None,
            status: None,
            latency_ms: Some(0),
        }
    }

    /// The embedded catalog, one workload (`d` running `model` in eastus2) and `records`
    /// replayed as it.
    struct OneWorkload {
        catalog: Catalog,
        keys: Vec<WorkloadKey>,
        summary: ReplaySummary,
        events: crate::sim::SortedEvents,
    }

    /// Replay `records` as one workload of `model`, the minute series' estimates formed by
    /// `missing`.
    fn replay_one(
        model: &str,
        records: &[UsageRecord],
        missing: crate::sim::MissingMaxTokens,
    ) -> OneWorkload {
        let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let keys = vec![WorkloadKey {
            deployment: "d".into(),
            model: model.into(),
            region: "eastus2".into(),
        }];
        let accounting = catalog.model(model).expect("model").accounting();
        let mut replay = Replay::new(&accounting).estimating(missing);
        for r in records {
            replay.add(r).expect("add");
        }
        let (summary, events) = replay.finish();
        OneWorkload {
            catalog,
            keys,
            summary,
            events,
        }
    }

    /// Replay `records` as one gpt-4.1 workload in eastus2 and plan it.
    fn plan_records(
        records: &[UsageRecord],
        settings: &PlanSettings,
        sim: &SimParams,
    ) -> WorkloadPlan {
        let OneWorkload {
            catalog,
            keys,
            summary,
            events,
        } = replay_one("gpt-4.1", records, crate::sim::MissingMaxTokens::Actual);
        let mut prepared = prepare(&catalog, &keys, &summary, settings, sim);
        let (outs, latency) = crate::sim::standard::simulate_per_token(
            &events,
            &prepared.per_token_streams(),
            keys.len(),
            2,
        )
        .expect("per-token pass");
        prepared.set_per_token(outs, latency);
        size(&mut prepared, settings, |targets| {
            simulate(
                &events,
                targets,
                sim,
                2,
                summary.first_minute(),
                summary.last_minute(),
            )
        })
        .expect("simulate");
        finish(&catalog, &keys, &summary, &prepared, settings).remove(0)
    }

    /// The ceilings of the searches prepared for `records` (one gpt-4.1 workload), with the
    /// minute series folded under `missing`.
    fn ceilings(records: &[UsageRecord], missing: crate::sim::MissingMaxTokens) -> Vec<u32> {
        let OneWorkload {
            catalog,
            keys,
            summary,
            ..
        } = replay_one("gpt-4.1", records, missing);
        let sim = SimParams {
            missing_max_tokens: missing,
            ..SimParams::default()
        };
        let prepared = prepare(&catalog, &keys, &summary, &fail_settings(), &sim);
        prepared
            .searches
            .iter()
            .map(|s| s.search.ceiling_ptus)
            .collect()
    }

    /// `--missing-max-tokens N` reaches the minute series whose busiest minute sets the search
    /// ceiling: a request without `max_completion_tokens` then counts N, exactly as one that
    /// logged N (before, the series counted its actual completion whatever the flag said).
    #[test]
    fn issue_22_missing_max_tokens_sets_the_ceiling() {
        let busy = |max: Option<u64>| -> Vec<UsageRecord> {
            (0..600)
                .map(|i| UsageRecord {
                    completion_tokens: 20,
                    max_completion_tokens: max,
                    ..request(i * 100, 2_000)
                })
                .collect()
        };
        let fixed = crate::sim::MissingMaxTokens::Fixed(8_000);
        let actual = ceilings(&busy(None), crate::sim::MissingMaxTokens::Actual);
        let unlogged = ceilings(&busy(None), fixed);
        let logged = ceilings(&busy(Some(8_000)), crate::sim::MissingMaxTokens::Actual);
        assert!(!actual.is_empty());
        assert_eq!(unlogged, logged, "N counts as a logged max of N");
        assert!(
            unlogged.iter().zip(&actual).all(|(u, a)| u > a),
            "{unlogged:?} vs {actual:?}"
        );
    }

    fn fail_settings() -> PlanSettings {
        PlanSettings {
            on_throttle: ThrottlePolicy::Fail,
            ..PlanSettings::default()
        }
    }

    fn window(w: f64, band: &[f64]) -> SimParams {
        SimParams {
            bucket_window_s: w,
            window_band_s: band.to_vec(),
            ..SimParams::default()
        }
    }

    /// A flat gpt-4.1 load of 1,440,000 weighted TPM (1,200 requests of 1,200 tokens a
    /// minute for an hour): Microsoft's formula says 480 PTUs. With a 10 s bucket (500 x n
    /// tokens at n PTUs of 3,000 TPM) the deployment admits about 180,000 n + 500 n of the
    /// 86.4M tokens offered, so 470 PTUs lose 1.8% and 475 lose 0.8%: the exact answer is 475,
    /// one increment, not a grid step, above a failing count.
    #[test]
    fn issue_8_flat_load_is_sized_exactly_on_the_lattice() {
        let records: Vec<UsageRecord> = (0..72_000).map(|i| request(i * 50, 1200)).collect();
        let p = plan_records(&records, &fail_settings(), &window(10.0, &[10.0]));
        let s = &p.sizing[&DeploymentTypeId::GlobalProvisioned];
        assert_eq!(s.peak_minute_ptus, 480);
        assert_eq!(s.min_ptus_for_target, Some(475));
        let rate_at = |n: u32| {
            s.curve
                .iter()
                .find(|c| c.ptus == n)
                .map(|c| c.throttle_rate)
                .expect("evaluated")
        };
        assert!(rate_at(470) > 0.01 && rate_at(475) <= 0.01);
        let hourly = p
            .options
            .iter()
            .find(|o| o.id == "global-provisioned/hourly")
            .expect("option");
        assert_eq!(hourly.ptus, Some(475));
        assert!(s.search_passes <= 8, "{} passes", s.search_passes);
    }

    /// 100 requests of 1,000 tokens at one instant: the busiest minute needs 33.3 PTUs
    /// (rounded 35), but a bucket of W seconds at n PTUs holds 50 x n x W tokens and admits
    /// request k (0-based) while k x 1,000 is below that. Missing at most 1 of 100 needs
    /// 99 admitted: n >= 1,961 at 1 s (1,965), n >= 197 at 10 s (200, over 2x the peak minute),
    /// n >= 33 at 60 s (35).
    #[test]
    fn issue_8_burst_needs_more_than_twice_the_peak_minute() {
        let records: Vec<UsageRecord> = (0..100).map(|_| request(0, 1000)).collect();
        let p = plan_records(&records, &fail_settings(), &window(10.0, &[1.0, 60.0]));
        let s = &p.sizing[&DeploymentTypeId::GlobalProvisioned];
        assert_eq!(s.peak_minute_ptus, 35);
        assert_eq!(s.min_ptus_for_target, Some(200));
        let by = &s.min_ptus_for_target_by_window_s;
        assert_eq!(by["1"], Some(1965));
        assert_eq!(by["10"], Some(200));
        assert_eq!(by["60"], Some(35));
        assert!(s.burst_sensitive);
        let regional = &p.sizing[&DeploymentTypeId::RegionalProvisioned];
        assert_eq!(regional.min_ptus_for_target, Some(200));
    }

    /// gpt-4.1 on PTU takes prompts up to 128,000 tokens: a larger one gets HTTP 400,
    /// spilled to Standard where spillover applies, failed elsewhere; no count helps.
    #[test]
    fn issue_8_prompts_above_the_ptu_limit_spill_or_fail() {
        let mut records: Vec<UsageRecord> = (0..99).map(|i| request(i * 1000, 1000)).collect();
        records.push(request(500, 130_000));
        let p = plan_records(&records, &PlanSettings::default(), &window(60.0, &[60.0]));
        let global = p
            .options
            .iter()
            .find(|o| o.id == "global-provisioned/hourly")
            .expect("option");
        assert_eq!(global.context_limit_requests, Some(1));
        assert_eq!(global.spilled_requests, Some(1));
        assert_eq!(global.throttled_requests, Some(0));
        let regional = p
            .options
            .iter()
            .find(|o| o.id == "regional-provisioned/hourly")
            .expect("option");
        assert_eq!(
            regional.throttled_requests,
            Some(1),
            "no spillover: the 400 fails"
        );
        assert_eq!(regional.spilled_requests, Some(0));
        // 1 of 100 failing is within the 1% target; 2 are not, at any count.
        records.push(request(600, 140_000));
        let p = plan_records(&records, &PlanSettings::default(), &window(60.0, &[60.0]));
        let regional = &p.sizing[&DeploymentTypeId::RegionalProvisioned];
        assert_eq!(regional.min_ptus_for_target, None);
        assert_eq!(regional.needs_more_than_ptus, None, "more PTUs do not help");
        let option = p
            .options
            .iter()
            .find(|o| o.id == "regional-provisioned/hourly")
            .expect("option");
        assert!(!option.eligible);
        assert!(
            option
                .reason
                .iter()
                .any(|r| matches!(r, remark::OptionReason::PromptLimit { .. })),
            "{:?}",
            option.reason
        );
    }

    /// Every provisioned option reports the count it was costed at, and the sizing's
    /// per-billing counts are those same counts.
    #[test]
    fn issue_8_one_count_per_option_in_plan_and_sizing() {
        let records: Vec<UsageRecord> = (0..3000)
            .map(|i| request(i * 300 % 3_600_000, 2_000 + (i as u64 % 7) * 500))
            .collect();
        let p = plan_records(&records, &PlanSettings::default(), &SimParams::default());
        for (t, s) in &p.sizing {
            for (billing, n) in &s.cost_optimal_ptus_by_billing {
                let o = p
                    .options
                    .iter()
                    .find(|o| o.deployment_type == *t && o.billing == *billing)
                    .expect("option");
                assert_eq!(o.ptus, Some(*n), "{}", o.id);
                let point = s.curve.iter().find(|c| c.ptus == *n).expect("on the curve");
                assert!((point.cost_for(*billing) - o.cost_usd.expect("cost")).abs() < 1e-9);
            }
        }
    }

    fn gpt41_quota(tpm: u64) -> PlanSettings {
        PlanSettings {
            quota: quota::QuotaSettings {
                negotiated: vec![quota::NegotiatedQuota {
                    model: "gpt-4.1".into(),
                    deployment_type: Some(DeploymentTypeId::GlobalStandard),
                    tpm,
                    rpm: None,
                    origin: "test".into(),
                }],
                ..quota::QuotaSettings::default()
            },
            ..PlanSettings::default()
        }
    }

    /// 100 requests of 1,000 tokens at one instant on gpt-4.1 (3,000 TPM per PTU, 60 s
    /// bucket): n PTUs admit 3n of them and spill the rest to Global Standard. Unlimited,
    /// spilling is cheap and 15 PTUs (45 admitted, 55 spilled) is cost-optimal. With a
    /// 10,000 TPM Global Standard quota (10 RPM by gpt-4.1's 1 RPM per 1,000 TPM: 1 request per
    /// 10 s window) only the first spill is served and the rest fail, so a count is feasible
    /// only when at most 2 spill: 35 PTUs on the lattice (33 would do; 30 spills 10, 9 fail).
    #[test]
    fn issue_15_search_feasibility_counts_standard_429s_of_spillover() {
        let records: Vec<UsageRecord> = (0..100).map(|_| request(0, 1000)).collect();
        let sim = window(60.0, &[60.0]);
        let hourly = |p: &WorkloadPlan| {
            p.options
                .iter()
                .find(|o| o.id == "global-provisioned/hourly")
                .cloned()
                .expect("option")
        };
        let free = hourly(&plan_records(&records, &PlanSettings::default(), &sim));
        assert_eq!(free.ptus, Some(15));
        assert_eq!(free.spilled_requests, Some(55));
        let limited = hourly(&plan_records(&records, &gpt41_quota(10_000), &sim));
        assert_eq!(limited.ptus, Some(35));
        assert_eq!(limited.throttled_share, Some(0.0));
        let view = limited.standard_quota.expect("spillover quota view");
        assert_eq!(view.basis, "negotiated");
        // At 15 PTUs the same quota fails 54 of 100: infeasible, on the curve.
        let p = plan_records(&records, &gpt41_quota(10_000), &sim);
        let s = &p.sizing[&DeploymentTypeId::GlobalProvisioned];
        let at15 = s.curve.iter().find(|c| c.ptus == 15).expect("evaluated");
        assert!(
            (at15.throttled_share - 0.54).abs() < 1e-9,
            "{}",
            at15.throttled_share
        );
    }

    /// One minute of 150 gpt-4.1 requests (one every 400 ms), each 100 prompt tokens with
    /// max_completion_tokens 12,000: 12,100 estimated tokens each, 1.815M in the minute (the
    /// bill is for 100 + 10 tokens). Global Standard Tier 1 is 1M TPM / 1K RPM (S34): the
    /// counter reaches 1M after 83 requests (the 83rd sees 992,200), 67 (44.7%) get 429 and
    /// Global Standard is not eligible; Tier 2 (3M / 3K) serves all and is recommended.
    /// Unlimited (the default) recommends it too and says it needs Tier 2.
    #[test]
    fn issue_15_recommendation_changes_with_the_quota_tier() {
        let records: Vec<UsageRecord> = (0..150)
            .map(|i| UsageRecord {
                max_completion_tokens: Some(12_000),
                completion_tokens: 10,
                ..request(i * 400, 100)
            })
            .collect();
        let sim = SimParams::default();
        let gs = |p: &WorkloadPlan| {
            p.options
                .iter()
                .find(|o| o.id == "global-standard")
                .cloned()
                .expect("option")
        };
        let t1 = plan_records(&records, &with_tier(Some(QuotaLevelArg::Tier1)), &sim);
        let o = gs(&t1);
        assert_eq!(o.throttled_requests, Some(67));
        assert!(!o.eligible);
        assert!(
            o.reason.iter().any(|r| matches!(
                r,
                remark::OptionReason::QuotaFails { share, .. } if (share - 0.447).abs() < 0.0005
            )),
            "{:?}",
            o.reason
        );
        let v = o.standard_quota.expect("view");
        assert_eq!(v.needs_level.as_deref(), Some("tier-2"));
        let needs_tier_2 = |parts: &[remark::QuotaRemark]| {
            parts.iter().any(|p| {
                matches!(
                    p,
                    remark::QuotaRemark::Needs {
                        level: Some((QuotaLevelArg::Tier2, l)),
                        ..
                    } if l.tpm == 3_000_000 && l.rpm == Some(3_000)
                )
            })
        };
        assert!(needs_tier_2(&v.note), "{:?}", v.note);
        // 1% of 150 lets one fail: the 149th must see a counter below the quota, 148 x 12,100
        // = 1,790,800, rounded up within the 0.5% bin and to 1,000 TPM.
        let tpm = v.needs_tpm.expect("tpm");
        assert!((1_791_000..=1_800_000).contains(&tpm), "{tpm}");
        let decided = |p: &WorkloadPlan| p.decision.option.as_ref().map(|o| o.option_id.clone());
        assert_ne!(decided(&t1).as_deref(), Some("global-standard"));
        let t2 = plan_records(&records, &with_tier(Some(QuotaLevelArg::Tier2)), &sim);
        assert_eq!(gs(&t2).throttled_requests, Some(0));
        assert_eq!(decided(&t2).as_deref(), Some("global-standard"));
        let free = plan_records(&records, &with_tier(None), &sim);
        assert_eq!(decided(&free).as_deref(), Some("global-standard"));
        assert_eq!(
            gs(&free).throttled_requests,
            None,
            "unlimited: not simulated as failures"
        );
        assert!(gs(&free)
            .note
            .iter()
            .any(|n| matches!(n, remark::OptionNote::Quota(q) if needs_tier_2(q))));
        assert!(!free.usage_tier.above);
    }

    /// Five gpt-4.1 requests of 3,750 prompt tokens, 10 s apart in one minute, at 2.00 USD per
    /// 1M input tokens: 0.0075 USD each. A 15,000 TPM Global Standard quota sees 0, 3,750,
    /// 7,500 and 11,250 tokens before the first four (accepted) and 15,000 before the fifth
    /// (429). The four served cost 0.03 USD; the rejected one is failed and not billed.
    #[test]
    fn issue_19_quota_rejections_are_not_billed() {
        let records: Vec<UsageRecord> = (0..5)
            .map(|i| UsageRecord {
                max_completion_tokens: Some(0),
                ..request(i * 10_000, 3_750)
            })
            .collect();
        let p = plan_records(&records, &gpt41_quota(15_000), &SimParams::default());
        let gs = p
            .options
            .iter()
            .find(|o| o.id == "global-standard")
            .expect("option");
        assert_eq!(gs.throttled_requests, Some(1));
        let cost = gs.cost_usd.expect("priced");
        assert!((cost - 0.03).abs() < 1e-12, "{cost}");
        let billed = gs.billed_tokens.expect("per-token option");
        assert_eq!(billed.short.requests, 4);
        assert_eq!(billed.short.input_tokens, 15_000);
        // Without a quota nothing is rejected and all five are billed.
        let free = plan_records(&records, &PlanSettings::default(), &SimParams::default());
        let gs = free
            .options
            .iter()
            .find(|o| o.id == "global-standard")
            .expect("option");
        assert!((gs.cost_usd.expect("priced") - 0.0375).abs() < 1e-12);
        // PTU's break-even compares with serving the whole demand per token, quota or not.
        let gp = DeploymentTypeId::GlobalProvisioned;
        assert_eq!(
            p.sizing[&gp].break_even_utilization,
            free.sizing[&gp].break_even_utilization
        );
    }

    fn with_tier(tier: Option<QuotaLevelArg>) -> PlanSettings {
        PlanSettings {
            quota: quota::QuotaSettings {
                tier,
                ..quota::QuotaSettings::default()
            },
            ..PlanSettings::default()
        }
    }

    /// 150 gpt-4.1 requests of 8,000 prompt tokens in one minute: 1.2M tokens, 52.6B a
    /// 730-hour month, above gpt-4.1's usage tier of 30B (S35): every Standard option carries
    /// Microsoft's latency warning; PTU options promise their target.
    #[test]
    fn issue_15_usage_tier_warning_above_the_tier() {
        let records: Vec<UsageRecord> = (0..150).map(|i| request(i * 400, 8_000)).collect();
        let p = plan_records(&records, &with_tier(None), &SimParams::default());
        assert!(p.usage_tier.above);
        assert_eq!(
            p.usage_tier.usage_tier_tokens_per_month,
            Some(30_000_000_000)
        );
        let per_month = p.usage_tier.tenant_tokens_per_month;
        assert!((per_month - 1.2e6 * 43_800.0).abs() < 1.0, "{per_month}");
        for id in ["global-standard", "data-zone-standard"] {
            let o = p.options.iter().find(|o| o.id == id).expect("option");
            let risk = o.latency.usage_tier_risk.as_ref().expect("risk");
            assert_eq!(risk.usage_tier_tokens_per_month, 30_000_000_000);
        }
        let ptu = p
            .options
            .iter()
            .find(|o| o.id == "global-provisioned/hourly")
            .expect("ptu");
        assert_eq!(ptu.latency.target_tokens_per_s, Some(80.0));
    }

    /// `--min-tokens-per-s` excludes what cannot promise it: Standard has no target, gpt-4.1
    /// PTU promises 80 tokens/s.
    #[test]
    fn issue_15_min_tokens_per_s_excludes_options_without_a_promise() {
        let records: Vec<UsageRecord> = (0..60).map(|i| request(i * 1000, 1000)).collect();
        let settings = |min: f64| PlanSettings {
            quota: quota::QuotaSettings {
                min_tokens_per_s: Some(min),
                ..quota::QuotaSettings::default()
            },
            ..PlanSettings::default()
        };
        let p = plan_records(&records, &settings(60.0), &SimParams::default());
        let gs = p
            .options
            .iter()
            .find(|o| o.id == "global-standard")
            .expect("gs");
        assert!(!gs.eligible);
        assert!(gs.reason.iter().any(|r| matches!(
            r,
            remark::OptionReason::CannotPromise {
                why: remark::LatencyShortfall::NoTarget(remark::LatencyBasis::Standard),
                ..
            }
        )));
        let decided = |p: &WorkloadPlan| p.decision.option.as_ref().map(|o| o.option_id.clone());
        // A one-minute log: provisional, so no reservation; what is decided promises a speed.
        let promise = p
            .decided_option()
            .and_then(|o| o.latency.target_tokens_per_s)
            .unwrap_or(0.0);
        assert!(promise >= 60.0, "{:?}", p.decision);
        assert_eq!(p.decision.status, DecisionStatus::Provisional);
        let p = plan_records(&records, &settings(90.0), &SimParams::default());
        assert_eq!(
            decided(&p),
            None,
            "nothing promises 90 tokens/s for gpt-4.1"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// On equal-sized requests admission is monotone in PTUs, so the search's answer is
        /// the brute-force answer over the whole lattice.
        #[test]
        fn search_matches_brute_force_on_equal_sized_requests(
            times in proptest::collection::vec(0i64..600_000, 20..300),
            size in 500u64..20_000,
        ) {
            let records: Vec<UsageRecord> = times.iter().map(|&t| request(t, size)).collect();
            let sim = window(10.0, &[10.0]);
            let p = plan_records(&records, &fail_settings(), &sim);
            let s = &p.sizing[&DeploymentTypeId::GlobalProvisioned];
            // Brute force: every lattice count from 15 to the ceiling.
            let top = s.search_ceiling_ptus.max(s.min_ptus_for_target.unwrap_or(0));
            let counts: Vec<u32> = (15..=top).step_by(5).collect();
            let accounting = crate::catalog::accounting::RequestAccounting {
                ptu: crate::catalog::accounting::PtuAccounting::OutputRatio { ratio: 4.0 },
                long_context_above_prompt_tokens: None,
            };
            let mut replay = Replay::new(&accounting);
            for r in &records {
                replay.add(r).expect("add");
            }
            let (summary, events) = replay.finish();
            let targets: Vec<SimTarget> = counts.iter().map(|&n| SimTarget {
                workload: 0,
                capacity_tokens_per_min: f64::from(n) * 3000.0,
                latency_target_tokens_per_s: 80.0,
                bucket_window_s: 10.0,
                max_prompt_tokens: Some(128_000),
                mode: ThrottleMode::Fail,
                standard: None,
            }).collect();
            let outs = simulate(&events, &targets, &sim, 1, summary.first_minute(), summary.last_minute()).expect("simulate");
            let mut brute = None;
            for (n, o) in counts.iter().zip(&outs).rev() {
                if o.throttle_rate() > 0.01 {
                    break;
                }
                brute = Some(*n);
            }
            prop_assert_eq!(s.min_ptus_for_target, brute);
        }

        /// Whatever the traffic, every cost the plan reports is a non-negative finite number,
        /// and every simulated option accounts for every offered request.
        #[test]
        fn every_cost_is_non_negative(
            requests in proptest::collection::vec(
                (0i64..7_200_000, 1u64..40_000, 0u64..=100, 0u64..8_000, proptest::option::of(1u64..16_000)),
                1..120,
            ),
            spill in any::<bool>(),
        ) {
            let records: Vec<UsageRecord> = requests.iter().map(|(t, prompt, cached_pct, completion, max)| UsageRecord {
                timestamp_ms: 1_800_000_000_000 + t,
                workload: 0,
                prompt_tokens: *prompt,
                cached_tokens: prompt * cached_pct / 100,
                cache_write_tokens: 0,
                completion_tokens: *completion,
                reasoning_tokens: 0,
                max_completion_tokens: max.map(|m| m.max(*completion)),
                status: None,
                latency_ms: None,
            }).collect();
            let OneWorkload { catalog, keys, summary, events } =
                replay_one("gpt-4o", &records, crate::sim::MissingMaxTokens::Actual);
            let settings = PlanSettings {
                on_throttle: if spill { ThrottlePolicy::Spillover } else { ThrottlePolicy::Fail },
                sweep_points: 8,
                ..PlanSettings::default()
            };
            let sim = SimParams::default();
            let mut prepared = prepare(&catalog, &keys, &summary, &settings, &sim);
            let mut all = Vec::new();
            size(&mut prepared, &settings, |targets| {
                let outcomes = simulate(&events, targets, &sim, 2, summary.first_minute(), summary.last_minute())?;
                all.extend(outcomes.iter().cloned());
                Ok::<_, crate::sim::admission::AdmissionError>(outcomes)
            }).expect("simulate");
            for o in &all {
                prop_assert_eq!(o.served_requests + o.throttled_requests + o.rejected_requests + o.spilled_requests, o.offered_requests);
            }
            let plans = finish(&catalog, &keys, &summary, &prepared, &settings);
            let ok = |v: f64| v.is_finite() && v >= 0.0;
            for p in &plans {
                prop_assert!(ok(p.truncated_cost_usd));
                for o in &p.options {
                    for v in [o.cost_usd, o.monthly_cost_usd, o.spillover_cost_usd].into_iter().flatten() {
                        prop_assert!(ok(v), "{} {}", o.id, v);
                    }
                }
                for s in p.sizing.values() {
                    for c in &s.curve {
                        prop_assert!(ok(c.cost_usd) && ok(c.cost_1_month_usd) && ok(c.cost_1_year_usd) && ok(c.spillover_cost_usd));
                    }
                }
            }
        }
    }
}
