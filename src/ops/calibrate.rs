//! `calibrate`'s pipeline: replay a real PTU deployment's log (2xx and 429 rows) at its PTU
//! count over a range of bucket windows, and fit the window that reproduces its 429s. No
//! printing: what the user should hear comes back as [`Notice`]s.

use anyhow::{bail, Context, Result};

use super::Notice;
use crate::cleanup::TempArea;
use crate::plan::calibrate::{self, Calibration, CalibrationSubject};
use crate::settings::{catalog_from, CalibrateSettings};
use crate::sim::{self, EventSpool, Replay};
use crate::usage::{self, Granularity, WorkloadRegistry};

/// The fit and what the run has to say about its input.
pub struct Calibrated {
    /// The fitted window and the curve.
    pub fit: Calibration,
    /// Notes and warnings, in order.
    pub notices: Vec<Notice>,
}

/// Read the log, replay the deployment at every window of the grid and between, and fit.
pub fn calibrate(settings: &CalibrateSettings) -> Result<Calibrated> {
    let read = &settings.read;
    let catalog = catalog_from(&read.catalog)?;
    let mut notices = Vec::new();
    let registry = WorkloadRegistry::new(
        &catalog,
        read.model_map.clone(),
        read.default_region.clone(),
    )
    .with_max_workloads(read.max_workloads);
    let accounting = sim::CatalogAccounting {
        registry: &registry,
        catalog: &catalog,
    };
    // Spilled runs go to a directory of this run, removed on any exit (see `cleanup`).
    let temp = TempArea::new().context("creating a temp directory for the replay spool")?;
    let mut replay = Replay::for_calibration(&accounting)
        .spooling_in(EventSpool::in_dir(temp.path(), read.spool_chunk_events));
    let mut summary_read =
        usage::read_usage(&read.inputs, &read.read_options(), &registry, &mut replay)
            .context("reading usage logs")?;
    for info in &summary_read.inputs {
        notices.push(Notice::note(info.describe()));
    }
    if summary_read.granularity != Granularity::Request {
        notices.push(Notice::warning(format!(
            "the log holds per-{} aggregates: arrivals inside a bucket are simulated, so the fit cannot see bursts shorter than a bucket; calibrate on a per-request log",
            summary_read.granularity.as_str()
        )));
    }
    let (
        keys,
        sim::Finished {
            summary, events, ..
        },
    ) = super::finish_read(&registry, replay, read.skip_invalid, &mut summary_read)?;
    let matching: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.deployment == settings.deployment)
        .map(|(i, _)| i)
        .collect();
    let w = match matching.as_slice() {
        [w] => *w,
        [] => {
            let mut names: Vec<&str> = keys.iter().map(|k| k.deployment.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            bail!(
                "deployment `{}` is not in the log; it has: {}",
                shown(&settings.deployment),
                shown(&names.join(", "))
            );
        }
        several => bail!(
            "deployment `{}` appears with {} model/region pairs in the log; calibrate one deployment at a time (filter the log)",
            shown(&settings.deployment),
            several.len()
        ),
    };
    let key = &keys[w];
    let spec = catalog
        .model(&key.model)
        .and_then(|m| m.ptu.as_ref())
        .with_context(|| format!("{} has no PTU capacity figures in the catalog", key.model))?;
    let t = settings.deployment_type;
    let increment = t
        .ptu_scope()
        .and_then(|s| spec.increment_for(s))
        .with_context(|| {
            format!(
                "{} has no {t} minimum and increment in the catalog",
                key.model
            )
        })?;
    if settings.ptus < increment.min_ptus
        || (settings.ptus - increment.min_ptus) % increment.increment_ptus.max(1) != 0
    {
        notices.push(Notice::warning(format!(
            "{} PTUs is not a deployable {t} count for {} (minimum {}, increment {}); calibrating at it anyway",
            settings.ptus, key.model, increment.min_ptus, increment.increment_ptus
        )));
    }
    let total = &summary.workloads[w].totals;
    if total.failed_requests == 0 {
        notices.push(Notice::note(format!(
            "the log has no non-2xx rows for `{}`: the fit can only bound the burst allowance from below",
            shown(&settings.deployment)
        )));
    }
    let subject = CalibrationSubject {
        workload: w as u32,
        names: (
            key.deployment.clone(),
            key.model.clone(),
            key.region.clone(),
        ),
        deployment_type: t,
        spec,
        ptus: settings.ptus,
    };
    let simulate = |windows: &[f64]| {
        sim::simulate(
            &events,
            &calibrate::targets(&subject, windows),
            &read.sim,
            read.threads,
            summary.first_minute(),
            summary.last_minute(),
        )
        .context("simulating PTU admission")
    };
    let outcomes = simulate(&settings.windows_s)?;
    let counts = outcomes
        .first()
        .map_or((0, 0), |o| (o.offered_requests, o.observed_429));
    let mut curve = calibrate::points(&settings.windows_s, &outcomes, true);
    // Agreement is spiky: every window between grid points, a chunk per pass over the events.
    for chunk in calibrate::scan_windows(&settings.windows_s).chunks(calibrate::SCAN_CHUNK) {
        let outcomes = simulate(chunk)?;
        curve.extend(calibrate::points(chunk, &outcomes, false));
    }
    let fit = calibrate::fit_points(
        &subject,
        curve,
        counts,
        calibrate::scan_step(&settings.windows_s),
    );
    if summary_read.skipped > 0 {
        notices.push(Notice::warning(format!(
            "{} invalid row(s) skipped (--skip-invalid)",
            summary_read.skipped
        )));
    }
    Ok(Calibrated { fit, notices })
}

/// A name from the log, with control characters shown escaped, never interpreted.
fn shown(name: &str) -> String {
    name.chars().flat_map(char::escape_default).collect()
}
