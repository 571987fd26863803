//! The requests the scenarios' `add` transforms will replay, counted before any is generated.

use anyhow::Result;

use crate::scenario::lane::{Lane, LaneSink};
use crate::scenario::{self, TransformKind};
use crate::sim::ReplaySummary;
use crate::usage::WorkloadKey;

/// Refuse, before any lane generates one, the requests every `add` of every lane would
/// replay, when together they would pass the scenarios' cap. Checked once for all lanes: a
/// lane that checked only its own adds would do so after the lanes before it had written
/// theirs.
pub(super) fn ensure_room_for_adds(summary: &ReplaySummary, sinks: &[LaneSink<'_>]) -> Result<()> {
    let span = (summary.first_minute(), summary.last_minute());
    let adds: Vec<(u64, String)> = sinks
        .iter()
        .map(LaneSink::lane)
        .flat_map(|lane| {
            lane.scenario
                .transforms
                .iter()
                .filter_map(move |t| match &t.kind {
                    TransformKind::Add(a) => {
                        let (planned, what) = planned_add(lane, a, span);
                        Some((planned, format!("{}: {what}", t.at)))
                    }
                    _ => None,
                })
        })
        .collect();
    let planned = adds.iter().fold(0u64, |sum, (n, _)| sum.saturating_add(*n));
    let what = match &adds[..] {
        [] => return Ok(()),
        [(_, one)] => one.clone(),
        more => format!(
            "the {} adds of the scenarios (each lane and month of a reservation plan counted)",
            more.len()
        ),
    };
    match sinks.first() {
        Some(sink) => sink
            .lane()
            .budget()
            .ensure_room(planned, &what)
            .map_err(|e| anyhow::anyhow!(e)),
        None => Ok(()),
    }
}

/// The requests `lane` replays for its `add` of `a` over `span` (with the scale and growth
/// that select it, in every month the lane emits), and the add in words for a message.
fn planned_add(lane: &Lane<'_>, a: &scenario::AddedWorkload, span: (i64, i64)) -> (u64, String) {
    let key = WorkloadKey {
        deployment: a.deployment.clone(),
        model: a.model.clone(),
        region: a.region.clone(),
    };
    let copies = lane.copies_per_request(&key);
    let planned = (scenario::add::planned_requests(a, span) as f64 * copies)
        .ceil()
        .min(u64::MAX as f64) as u64;
    let what = format!(
        "add `{}` ({} requests_per_day over {:.0} days{}{})",
        a.deployment,
        a.requests_per_day,
        (span.1 - span.0 + 1) as f64 / 1440.0,
        if lane.ladder {
            ", each month of the reservation plan"
        } else {
            ""
        },
        if copies == lane.months.len().max(1) as f64 {
            String::new()
        } else {
            format!(
                ", x{} by the scale and growth that select it",
                scenario::fmt_factor(copies)
            )
        }
    );
    (planned, what)
}
