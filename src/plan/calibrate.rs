//! Calibration of the unpublished burst allowance: a log recorded on a real PTU deployment of
//! N PTUs holds the service's own 429s. Replaying every request it was offered (2xx and 429)
//! at N PTUs over a range of bucket windows shows which window reproduces those 429s best,
//! request by request and minute by minute. `compare --bucket-window-s W` then uses it.
//!
//! Every window is simulated without spillover or retries (each logged row is one attempt the
//! service answered), in one pass over the events. After the grid, the fit is refined between
//! the best window's neighbours to [`STEP_S`] (a k-section search on agreement: a pass of up
//! to [`REFINE_POINTS`] windows on each side, narrowed to the best's neighbours, until they are
//! one step apart), and the edges of the best window's plateau (the windows around it that fit
//! exactly as well) are found the same way: the plateau is the window's range, for
//! `compare --window-band`.

use serde::Serialize;

use crate::catalog::{DeploymentTypeId, PtuSpec};
use crate::sim::{SimOutcome, SimTarget, ThrottleMode};

/// The resolution of the refinement, seconds.
pub const STEP_S: f64 = 0.1;

/// Windows a refinement pass simulates on each side of the best window.
pub const REFINE_POINTS: usize = 4;

/// Most refinement passes (each reads the events once).
pub const MAX_REFINE_PASSES: u32 = 12;

/// Windows tried by default, in seconds.
pub const DEFAULT_WINDOWS_S: [f64; 14] = [
    0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0,
];

/// One window's fit (JSON `curve[]`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CalibrationPoint {
    /// Bucket window, seconds.
    pub window_s: f64,
    /// Requests the simulation answered 429.
    pub simulated_429: u64,
    /// Requests both the simulation and the service answered 429.
    pub matched_429: u64,
    /// Share of requests whose outcome (429 or not) the simulation got right.
    pub agreement: f64,
    /// Observed 429s the simulation also gave (`matched / observed`).
    pub recall: Option<f64>,
    /// Simulated 429s the service also gave (`matched / simulated`).
    pub precision: Option<f64>,
    /// Sum over minutes of |simulated - observed| 429s, divided by the observed 429s.
    pub minute_error: f64,
}

/// The fit (JSON of `calibrate --format json`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Calibration {
    /// Deployment name.
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// PTUs the deployment had.
    pub ptus: u32,
    /// Requests replayed (2xx and 429 rows).
    pub offered_requests: u64,
    /// Requests the service answered 429.
    pub observed_429: u64,
    /// The best-fitting window, seconds: highest agreement, then lowest minute error, then
    /// the smallest window (the strictest the log supports); refined to 0.1 s.
    pub bucket_window_s: f64,
    /// The windows around it that fit exactly as well (the same agreement), seconds: what the
    /// log cannot tell apart. Pass it as `compare --window-band LO,HI`.
    pub window_range_s: [f64; 2],
    /// Windows simulated after the grid, to refine it.
    pub refined_windows: usize,
    /// Simulated 429s at that window.
    pub simulated_429: u64,
    /// Agreement at that window.
    pub agreement: f64,
    /// Agreement of a simulation that admits everything (`1 - observed / offered`), to judge
    /// the fit against.
    pub baseline_agreement: f64,
    /// `good`, `fair`, `poor`; `lower-bound` when no 429 was observed and some window
    /// simulates none; `none` when none was observed but every window throttles.
    pub fit: String,
    /// What the fit means, in a sentence.
    pub note: String,
    /// Every window tried (the grid and the refinement), ascending.
    pub curve: Vec<CalibrationPoint>,
}

/// The deployment the log was recorded on.
#[derive(Debug, Clone)]
pub struct CalibrationSubject<'a> {
    /// Workload index of the deployment.
    pub workload: u32,
    /// Deployment name, model, region.
    pub names: (String, String, String),
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// PTU figures of the model.
    pub spec: &'a PtuSpec,
    /// PTUs deployed.
    pub ptus: u32,
}

/// One simulated deployment per window, in the order of `windows_s`.
pub fn targets(subject: &CalibrationSubject<'_>, windows_s: &[f64]) -> Vec<SimTarget> {
    windows_s
        .iter()
        .map(|&w| SimTarget {
            workload: subject.workload,
            capacity_tokens_per_min: subject.spec.capacity_tokens_per_min(subject.ptus),
            latency_target_tokens_per_s: subject.spec.latency_target_tokens_per_s,
            bucket_window_s: w,
            max_prompt_tokens: subject
                .spec
                .max_prompt_tokens
                .map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
            mode: ThrottleMode::Fail,
            standard: None,
        })
        .collect()
}

/// Read the fit off the outcomes of [`targets`] (no refinement).
pub fn fit(
    subject: &CalibrationSubject<'_>,
    windows_s: &[f64],
    outcomes: &[SimOutcome],
) -> Calibration {
    let points: Vec<CalibrationPoint> = windows_s
        .iter()
        .zip(outcomes)
        .map(|(&w, o)| point(w, o))
        .collect();
    let offered = outcomes.first().map_or(0, |o| o.offered_requests);
    let observed = outcomes.first().map_or(0, |o| o.observed_429);
    fit_points(subject, points, (offered, observed), 0)
}

/// The points of windows simulated, for [`fit_points`] and [`next_windows`].
pub fn points(windows_s: &[f64], outcomes: &[SimOutcome]) -> Vec<CalibrationPoint> {
    windows_s
        .iter()
        .zip(outcomes)
        .map(|(&w, o)| point(w, o))
        .collect()
}

/// The index of the best point of `curve` (sorted ascending): highest agreement, then lowest
/// minute error, then the smallest window.
fn best_index(curve: &[CalibrationPoint]) -> usize {
    curve
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| {
            b.agreement
                .total_cmp(&a.agreement)
                .then(a.minute_error.total_cmp(&b.minute_error))
                .then(a.window_s.total_cmp(&b.window_s))
        })
        .map(|(i, _)| i)
        .unwrap_or(0)
}

fn same_fit(a: &CalibrationPoint, b: &CalibrationPoint) -> bool {
    (a.agreement - b.agreement).abs() < 1e-12
}

/// The first and last index of the run of points around `best` that fit as well as it.
fn plateau(curve: &[CalibrationPoint], best: usize) -> (usize, usize) {
    let mut lo = best;
    while lo > 0 && same_fit(&curve[lo - 1], &curve[best]) {
        lo -= 1;
    }
    let mut hi = best;
    while hi + 1 < curve.len() && same_fit(&curve[hi + 1], &curve[best]) {
        hi += 1;
    }
    (lo, hi)
}

/// A window on the refinement's grid (multiples of [`STEP_S`]), in tenths of a second.
fn tenths(window_s: f64) -> i64 {
    (window_s / STEP_S).round() as i64
}

/// Up to `k` grid windows strictly between `a` and `b` (seconds), evenly spread.
fn between(a: f64, b: f64, k: usize) -> Vec<f64> {
    let (ta, tb) = (tenths(a), tenths(b));
    let inside = tb - ta - 1;
    if inside <= 0 {
        return Vec::new();
    }
    let n = (k as i64).min(inside);
    let mut out: Vec<f64> = (1..=n)
        .map(|j| {
            let t = ta + ((j * (tb - ta)) as f64 / (n + 1) as f64).round() as i64;
            t.clamp(ta + 1, tb - 1) as f64 / 10.0
        })
        .collect();
    out.dedup_by(|x, y| tenths(*x) == tenths(*y));
    out
}

/// The windows to simulate next to refine the fit (none: it is refined): between the best
/// window and its neighbours, and across each edge of its plateau, to [`STEP_S`].
pub fn next_windows(curve: &[CalibrationPoint]) -> Vec<f64> {
    let mut curve: Vec<&CalibrationPoint> = curve.iter().collect();
    curve.sort_by(|a, b| a.window_s.total_cmp(&b.window_s));
    let sorted: Vec<CalibrationPoint> = curve.into_iter().cloned().collect();
    if sorted.len() < 2 {
        return Vec::new();
    }
    let b = best_index(&sorted);
    let (lo, hi) = plateau(&sorted, b);
    let mut out = Vec::new();
    // Around the best, towards each neighbour that fits worse.
    if lo > 0 {
        out.extend(between(
            sorted[lo - 1].window_s,
            sorted[lo].window_s,
            REFINE_POINTS,
        ));
    }
    if hi + 1 < sorted.len() {
        out.extend(between(
            sorted[hi].window_s,
            sorted[hi + 1].window_s,
            REFINE_POINTS,
        ));
    }
    out.retain(|w| *w >= STEP_S && !sorted.iter().any(|p| tenths(p.window_s) == tenths(*w)));
    out.sort_by(f64::total_cmp);
    out.dedup_by(|x, y| tenths(*x) == tenths(*y));
    out
}

/// The fit over every simulated window: `(offered, observed)` requests and 429s, and how many
/// of the points came from the refinement.
pub fn fit_points(
    subject: &CalibrationSubject<'_>,
    mut curve: Vec<CalibrationPoint>,
    (offered, observed): (u64, u64),
    refined_windows: usize,
) -> Calibration {
    curve.sort_by(|a, b| a.window_s.total_cmp(&b.window_s));
    let best = best_index(&curve);
    let (lo, hi) = plateau(&curve, best);
    let b = &curve[best];
    let range = [curve[lo].window_s, curve[hi].window_s];
    let (fit, note) = judge(b, best, curve.len(), observed, range);
    let (deployment, model, region) = subject.names.clone();
    Calibration {
        deployment,
        model,
        region,
        deployment_type: subject.deployment_type,
        ptus: subject.ptus,
        offered_requests: offered,
        observed_429: observed,
        bucket_window_s: b.window_s,
        window_range_s: range,
        refined_windows,
        simulated_429: b.simulated_429,
        agreement: b.agreement,
        baseline_agreement: if offered == 0 {
            0.0
        } else {
            1.0 - observed as f64 / offered as f64
        },
        fit: fit.to_owned(),
        note,
        curve,
    }
}

/// A window as typed on the command line: `4`, `3.7`.
fn fmt_s(w: f64) -> String {
    let r = (w * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn point(window_s: f64, o: &SimOutcome) -> CalibrationPoint {
    let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
    CalibrationPoint {
        window_s,
        simulated_429: o.first_attempt_429,
        matched_429: o.matched_429,
        agreement: o.agreement(),
        recall: ratio(o.matched_429, o.observed_429),
        precision: ratio(o.matched_429, o.first_attempt_429),
        minute_error: o.minute_429_abs_error as f64 / o.observed_429.max(1) as f64,
    }
}

fn judge(
    b: &CalibrationPoint,
    index: usize,
    points: usize,
    observed: u64,
    range: [f64; 2],
) -> (&'static str, String) {
    let edge = if index == 0 && points > 1 {
        " It is the smallest window tried: try smaller ones with --windows."
    } else if index + 1 == points && points > 1 {
        " It is the largest window tried: try larger ones with --windows."
    } else {
        ""
    };
    if observed == 0 {
        let text = if b.simulated_429 == 0 {
            format!(
                "The log has no 429s; every window from {} s up reproduces that, so the burst allowance is at least {} s (the strictest window this log supports).{edge}",
                b.window_s, b.window_s
            )
        } else {
            format!(
                "The log has no 429s, but the simulation throttles at every window tried: check --ptus, or whether 429s were spilled over before they were logged.{edge}"
            )
        };
        let fit = if b.simulated_429 == 0 {
            "lower-bound"
        } else {
            "none"
        };
        return (fit, text);
    }
    let (recall, precision) = (b.recall.unwrap_or(0.0), b.precision.unwrap_or(0.0));
    let fit = if recall >= 0.7 && precision >= 0.7 {
        "good"
    } else if recall >= 0.4 && precision >= 0.4 {
        "fair"
    } else {
        "poor"
    };
    (
        fit,
        format!(
            "At {} s the simulation gives {:.0}% of the observed 429s ({:.0}% of its 429s were observed ones); {}pass --bucket-window-s {} --window-band {} to compare.{edge}",
            b.window_s,
            recall * 100.0,
            precision * 100.0,
            if range[0] < range[1] {
                format!(
                    "every window from {} to {} s fits as well, so ",
                    fmt_s(range[0]),
                    fmt_s(range[1])
                )
            } else {
                String::new()
            },
            fmt_s(b.window_s),
            if range[0] < range[1] {
                format!("{},{}", fmt_s(range[0]), fmt_s(range[1]))
            } else {
                fmt_s(b.window_s)
            }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(
        offered: u64,
        observed: u64,
        simulated: u64,
        matched: u64,
        minute_err: u64,
    ) -> SimOutcome {
        SimOutcome {
            offered_requests: offered,
            observed_429: observed,
            first_attempt_429: simulated,
            matched_429: matched,
            minute_429_abs_error: minute_err,
            ..SimOutcome::default()
        }
    }

    fn spec() -> PtuSpec {
        PtuSpec {
            input_tpm_per_ptu: 3000.0,
            output_to_input_ratio: Some(4.0),
            normalized_weights: None,
            latency_target_tokens_per_s: 80.0,
            global: None,
            data_zone: None,
            regional: None,
            max_prompt_tokens: None,
        }
    }

    fn subject(spec: &PtuSpec) -> CalibrationSubject<'_> {
        CalibrationSubject {
            workload: 0,
            names: ("d".into(), "gpt-4.1".into(), "eastus2".into()),
            deployment_type: DeploymentTypeId::GlobalProvisioned,
            spec,
            ptus: 50,
        }
    }

    #[test]
    fn picks_the_window_that_reproduces_the_observed_429s() {
        let s = spec();
        let windows = [1.0, 5.0, 10.0];
        // 1,000 requests, 100 observed 429s; at 5 s the simulation gives the same 100.
        let outs = [
            outcome(1000, 100, 300, 100, 200),
            outcome(1000, 100, 100, 100, 0),
            outcome(1000, 100, 20, 20, 80),
        ];
        let c = fit(&subject(&s), &windows, &outs);
        assert_eq!(c.bucket_window_s, 5.0);
        assert_eq!(c.agreement, 1.0);
        assert_eq!(c.fit, "good");
        assert!((c.baseline_agreement - 0.9).abs() < 1e-12);
        // agreement at 1 s: (1000 + 2*100 - 300 - 100) / 1000 = 0.8
        assert!((c.curve[0].agreement - 0.8).abs() < 1e-12);
    }

    fn at(window_s: f64, agreement: f64) -> CalibrationPoint {
        CalibrationPoint {
            window_s,
            simulated_429: 0,
            matched_429: 0,
            agreement,
            recall: None,
            precision: None,
            minute_error: 1.0 - agreement,
        }
    }

    /// A fit that peaks between grid points (4 to 4.2 s fit exactly, worse on either side):
    /// the refinement closes in on it and finds the plateau's edges, a step apart.
    #[test]
    fn issue_18_refinement_closes_in_between_grid_points() {
        let truth = |w: f64| {
            let d = (w - 4.1).abs();
            if d < 0.15 {
                1.0
            } else {
                1.0 - d / 100.0
            }
        };
        let mut curve: Vec<CalibrationPoint> = DEFAULT_WINDOWS_S
            .iter()
            .map(|w| at(*w, truth(*w)))
            .collect();
        let mut passes = 0;
        loop {
            let next = next_windows(&curve);
            if next.is_empty() {
                break;
            }
            passes += 1;
            assert!(passes <= MAX_REFINE_PASSES, "{next:?}");
            curve.extend(next.iter().map(|w| at(*w, truth(*w))));
        }
        let s = spec();
        let c = fit_points(&subject(&s), curve, (100, 10), 0);
        assert_eq!(c.bucket_window_s, 4.0);
        assert_eq!(c.window_range_s, [4.0, 4.2]);
        assert!(
            c.curve.len() < DEFAULT_WINDOWS_S.len() + 20,
            "{}",
            c.curve.len()
        );
    }

    #[test]
    fn without_observed_429s_the_smallest_quiet_window_is_a_lower_bound() {
        let s = spec();
        let windows = [1.0, 5.0, 10.0];
        let outs = [
            outcome(1000, 0, 30, 0, 30),
            outcome(1000, 0, 0, 0, 0),
            outcome(1000, 0, 0, 0, 0),
        ];
        let c = fit(&subject(&s), &windows, &outs);
        assert_eq!(c.bucket_window_s, 5.0);
        assert_eq!(c.fit, "lower-bound");
        assert!(c.note.contains("at least 5 s"), "{}", c.note);
    }
}
