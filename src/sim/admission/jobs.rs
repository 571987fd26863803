//! How a pass is cut into jobs (groups of lanes over workloads) for the threads, and one job run.

use super::*;

/// One workload and some of its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Job {
    pub(super) workload: u32,
    pub(super) targets: Vec<usize>,
    /// Events of the workload (the job's cost is about events x (targets + a reading share)).
    pub(super) events: u64,
    /// Whether this job also runs the workload's per-token Standard streams (one job per
    /// workload does).
    pub(super) per_token: bool,
}

impl Job {
    pub(super) fn cost(&self) -> u64 {
        self.events.saturating_mul(self.targets.len() as u64 + 8)
    }
}

/// One job per workload (with `every_workload`, also for workloads without targets), then the
/// costliest split in two until every thread has one; the costliest first (jobs are taken in
/// this order).
pub(super) fn plan_jobs(
    events: &SortedEvents,
    targets: &[SimTarget],
    threads: usize,
    every_workload: bool,
) -> Vec<Job> {
    let counts = events.counts();
    let mut by_workload: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    if every_workload {
        for &w in counts.keys() {
            by_workload.entry(w).or_default();
        }
    }
    for (i, t) in targets.iter().enumerate() {
        by_workload.entry(t.workload).or_default().push(i);
    }
    let mut jobs: Vec<Job> = by_workload
        .into_iter()
        .map(|(workload, targets)| Job {
            workload,
            targets,
            events: counts.get(&workload).copied().unwrap_or(0),
            per_token: every_workload,
        })
        .collect();
    while jobs.len() < threads {
        let Some((i, _)) = jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.targets.len() > 1)
            .max_by_key(|(i, j)| (j.cost(), std::cmp::Reverse(*i)))
        else {
            break;
        };
        let half = jobs[i].targets.len() / 2;
        let rest = jobs[i].targets.split_off(half);
        let split = Job {
            targets: rest,
            per_token: false,
            ..jobs[i].clone()
        };
        jobs.push(split);
    }
    jobs.sort_by_key(|j| {
        (
            std::cmp::Reverse(j.cost()),
            j.workload,
            j.targets.first().copied(),
        )
    });
    jobs
}

/// A job's outcomes (by target index) and its per-token run, if it had one.
type JobDone = (Finished, Option<PerTokenRun>);

/// What one job found: outcomes by target index, and the stretches its recording lanes
/// learnt (target index, class, drain rate, 100% level, stretches).
pub(super) struct Finished {
    pub(super) outcomes: Vec<(usize, SimOutcome)>,
    pub(super) learnt: Vec<(usize, LaneClass, f64, f64, Stretches)>,
    pub(super) skipped_lane_events: u64,
    pub(super) replayed_lane_events: u64,
}

/// The job's lanes in groups: with pruning, ordered by their 100% level so that lanes of one
/// group have references alike, lanes without a reference apart; each group with its skip
/// plan and its recording lanes.
pub(super) fn build_groups(
    targets: &[SimTarget],
    job: &Job,
    pruning: &Pruning,
    record: &[bool],
) -> Vec<Group> {
    let mut order = job.targets.clone();
    let probe = |i: usize| {
        let mut g = Group::new();
        g.add(i, &targets[i]);
        g
    };
    let has_ref = |g: &Group| {
        pruning
            .reference_for(g.class(job.workload), g.rate_per_ms[0], g.full_level[0])
            .is_some()
    };
    if pruning.is_enabled() {
        let keys: std::collections::HashMap<usize, (bool, f64)> = order
            .iter()
            .map(|&i| {
                let g = probe(i);
                (i, (has_ref(&g), g.full_level[0]))
            })
            .collect();
        order.sort_by(|a, b| {
            let (ka, kb) = (keys[a], keys[b]);
            (ka.0, ka.1, *a)
                .partial_cmp(&(kb.0, kb.1, *b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut with_ref = None;
    for i in order {
        let referenced = pruning.is_enabled() && has_ref(&probe(i));
        if groups.last().is_none_or(|g| g.len() >= LANES_PER_GROUP) || with_ref != Some(referenced)
        {
            groups.push(Group::new());
            with_ref = Some(referenced);
        }
        let g = groups.last_mut().expect("just pushed");
        g.add(i, &targets[i]);
        if let (Some(bits), true) = (pruning.record_bits(), record[i]) {
            *g.record.last_mut().expect("just added") = Some(Stretches::new(bits));
        }
    }
    if pruning.is_enabled() {
        for g in &mut groups {
            let class = g.class(job.workload);
            let refs: Vec<Option<&Stretches>> = (0..g.len())
                .map(|i| pruning.reference_for(class, g.rate_per_ms[i], g.full_level[i]))
                .collect();
            g.skip = SkipPlan::new(&refs, pruning.end_index() + 1);
        }
    }
    groups
}

#[allow(clippy::too_many_arguments)]
pub(super) fn run_job(
    events: &SortedEvents,
    targets: &[SimTarget],
    job: &Job,
    params: &SimParams,
    (pruning, record): (&Pruning, &[bool]),
    per_token: Option<PerTokenRun>,
    first_minute: i64,
    last_minute: i64,
) -> Result<JobDone, AdmissionError> {
    let mut groups = build_groups(targets, job, pruning, record);
    for g in &mut groups {
        g.last_minute = last_minute;
    }
    // One monomorphized replay each: the default job's loop carries no pruning bookkeeping.
    let replay_with = if pruning.is_enabled() {
        replay::<true>
    } else {
        replay::<false>
    };
    replay_with(
        events,
        job,
        params,
        pruning,
        groups,
        per_token,
        (first_minute, last_minute),
    )
}

/// [`run_job`]'s replay of the job's events through its `groups`.
fn replay<const PRUNE: bool>(
    events: &SortedEvents,
    job: &Job,
    params: &SimParams,
    pruning: &Pruning,
    groups: Vec<Group>,
    mut per_token: Option<PerTokenRun>,
    (first_minute, last_minute): (i64, i64),
) -> Result<JobDone, AdmissionError> {
    let mut sim = Simulator::<PRUNE> {
        params,
        pruning,
        skipped_lane_events: 0,
        replayed_lane_events: 0,
        groups,
        completions: TimedQueue::default(),
        retries: BinaryHeap::new(),
        seq: 0,
    };
    events.for_each_of(job.workload, |e| {
        if let Some(run) = &mut per_token {
            run.on_event(e);
        }
        if sim.groups.is_empty() {
            return;
        }
        sim.run_pending_until(e.t_ms);
        for g in 0..sim.groups.len() {
            sim.arrive(g, e);
        }
    })?;
    sim.run_pending_until(i64::MAX);
    Ok((
        sim.finish(first_minute, last_minute, job.workload),
        per_token,
    ))
}
