//! Calibration of the unpublished burst allowance: a log recorded on a real PTU deployment of
//! N PTUs holds the service's own 429s. Replaying every request it was offered (2xx and 429)
//! at N PTUs over a range of bucket windows shows which window reproduces those 429s best,
//! request by request and minute by minute. `compare --bucket-window-s W` then uses it.
//!
//! Every window is simulated without spillover or retries (each logged row is one attempt the
//! service answered). Agreement as a function of the window is spiky, not one smooth peak: a
//! window a tenth of a second off the true one can fit far worse than one 10 s away, so no
//! search that assumes one peak (bisection, golden-section) can be trusted to find it. After
//! the grid, every window between the grid's smallest and largest is therefore simulated at
//! [`STEP_S`] ([`scan_windows`]; a coarser multiple of it when the grid spans more than
//! [`MAX_SCAN_WINDOWS`] steps), [`SCAN_CHUNK`] windows per pass over the events.
//!
//! The fit's **range** is every window whose agreement is within [`TOLERANCE_SE`] standard
//! errors of the best (`sqrt(a (1 - a) / n)` for agreement `a` over `n` requests): windows the
//! log cannot tell apart. The **window** advised is the range's smallest, its most
//! conservative end: the strictest burst allowance the log does not rule out, so sizing at it
//! never counts on bursts the log does not show; the range goes to `compare --window-band`,
//! never narrower, so a commitment must hold across all of it.

use serde::Serialize;

use crate::catalog::{DeploymentTypeId, PtuSpec};
use crate::sim::admission::DEFAULT_WINDOW_BAND_S;
use crate::sim::{SimOutcome, SimTarget, ThrottleMode};

/// The resolution of the scan, seconds.
pub const STEP_S: f64 = 0.1;

/// Most windows the scan simulates after the grid: a grid spanning more steps is scanned at
/// a coarser multiple of [`STEP_S`] (the JSON's `scan_step_s`, said in the note).
pub const MAX_SCAN_WINDOWS: usize = 2_400;

/// Windows simulated per pass over the events.
pub const SCAN_CHUNK: usize = 200;

/// Standard errors of the best agreement within which windows fit as well as the log can
/// tell.
pub const TOLERANCE_SE: f64 = 2.0;

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
    /// Whether the window is on the grid (`--windows`), else the scan between its points.
    pub on_grid: bool,
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
    /// The window to size at, seconds: the smallest of `window_range_s` (its most conservative
    /// end: the strictest burst allowance the log does not rule out). Pass it as
    /// `compare --bucket-window-s`.
    pub bucket_window_s: f64,
    /// Every window whose agreement is within `agreement_tolerance` of the best, smallest and
    /// largest, seconds: what the log cannot tell apart. Pass it as
    /// `compare --window-band LO,HI`, never narrower.
    pub window_range_s: [f64; 2],
    /// The band to pass as `compare --window-band`, ascending, never narrower than
    /// `window_range_s`: the range itself for a good fit; joined with the default band (1, 10,
    /// 60 s) for a weaker one, which cannot narrow it; for a lower bound, the default band's
    /// windows above the range's smallest.
    pub window_band_s: Vec<f64>,
    /// The window with the highest agreement (ties: lowest minute error, then the smallest),
    /// seconds.
    pub peak_window_s: f64,
    /// Agreement at `peak_window_s`.
    pub peak_agreement: f64,
    /// How far below the peak's agreement a window still fits as well as the log can tell:
    /// [`TOLERANCE_SE`] standard errors of it, `2 sqrt(a (1 - a) / n)`.
    pub agreement_tolerance: f64,
    /// The scan's step between grid windows, seconds (0.1 unless the grid is very wide).
    pub scan_step_s: f64,
    /// Windows simulated after the grid (the scan between its points).
    pub refined_windows: usize,
    /// Simulated 429s at that window.
    pub simulated_429: u64,
    /// Agreement at `bucket_window_s`.
    pub agreement: f64,
    /// Agreement of a simulation that admits everything (`1 - observed / offered`), to judge
    /// the fit against.
    pub baseline_agreement: f64,
    /// `good`, `moderate`, `poor`; `lower-bound` when no 429 was observed and some window
    /// simulates none; `none` when none was observed but every window throttles. Its words
    /// are `crate::report::text::calibration_note`'s.
    pub fit: String,
    /// Every window tried (the grid and the scan; `on_grid` tells them apart), ascending.
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

/// Read the fit off the outcomes of [`targets`] at the grid `windows_s` alone (no scan).
pub fn fit(
    subject: &CalibrationSubject<'_>,
    windows_s: &[f64],
    outcomes: &[SimOutcome],
) -> Calibration {
    let points = points(windows_s, outcomes, true);
    let offered = outcomes.first().map_or(0, |o| o.offered_requests);
    let observed = outcomes.first().map_or(0, |o| o.observed_429);
    fit_points(subject, points, (offered, observed), scan_step(windows_s))
}

/// The points of windows simulated (`on_grid`: the grid's, else the scan's).
pub fn points(windows_s: &[f64], outcomes: &[SimOutcome], on_grid: bool) -> Vec<CalibrationPoint> {
    windows_s
        .iter()
        .zip(outcomes)
        .map(|(&w, o)| point(w, o, on_grid))
        .collect()
}

/// The scan's step for `grid`: [`STEP_S`], or the smallest multiple of it that keeps the scan
/// within [`MAX_SCAN_WINDOWS`] windows.
pub fn scan_step(grid: &[f64]) -> f64 {
    let (lo, hi) = grid_span(grid);
    let steps = ((hi - lo) / STEP_S).round().max(0.0);
    let factor = (steps / MAX_SCAN_WINDOWS as f64).ceil().max(1.0);
    factor * STEP_S
}

fn grid_span(grid: &[f64]) -> (f64, f64) {
    let lo = grid.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = grid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 0.0)
    }
}

/// A window in tenths of a second (the scan's unit).
fn tenths(window_s: f64) -> i64 {
    (window_s / STEP_S).round() as i64
}

/// The windows the scan simulates after the grid: every multiple of [`scan_step`] between the
/// grid's smallest and largest window that is not on the grid, ascending.
pub fn scan_windows(grid: &[f64]) -> Vec<f64> {
    let (lo, hi) = grid_span(grid);
    let step = tenths(scan_step(grid)).max(1);
    let on_grid: Vec<i64> = grid.iter().map(|w| tenths(*w)).collect();
    let first = (tenths(lo) + step - 1) / step * step;
    (0..)
        .map(|k| first + k * step)
        .take_while(|t| *t <= tenths(hi))
        .map(|t| (t, t as f64 / 10.0))
        .filter(|(t, w)| !on_grid.contains(t) && *w > lo + 1e-9 && *w < hi - 1e-9)
        .map(|(_, w)| w)
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

/// [`TOLERANCE_SE`] standard errors of an agreement `a` measured over `n` requests, with the
/// Agresti-Coull adjustment (two agreements and two disagreements added) so that a perfect
/// fit still has a small, non-zero tolerance. Requests are treated as independent, so this is
/// the least noise a log of `n` requests holds.
pub fn agreement_tolerance(a: f64, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let n = n as f64 + 4.0;
    let p = (a.clamp(0.0, 1.0) * (n - 4.0) + 2.0) / n;
    TOLERANCE_SE * (p * (1.0 - p) / n).sqrt()
}

/// The band to pass as `compare --window-band`, ascending: never narrower than the fit's
/// `range`. A good fit narrows the band to the range; a lower bound (no 429s in the log) keeps
/// the default band's windows above the range's smallest; a weaker fit cannot narrow the band,
/// so it is the default band joined with the range.
pub fn advised_band(fit: &str, range: [f64; 2]) -> Vec<f64> {
    let mut band: Vec<f64> = range.iter().copied().filter(|w| w.is_finite()).collect();
    match fit {
        "good" => {}
        "lower-bound" => band.extend(DEFAULT_WINDOW_BAND_S.iter().filter(|w| **w >= range[0])),
        _ => band.extend(DEFAULT_WINDOW_BAND_S),
    }
    band.sort_by(f64::total_cmp);
    band.dedup_by(|a, b| tenths(*a) == tenths(*b));
    band
}

/// The fit over every simulated window: `(offered, observed)` requests and 429s, and the
/// scan's step.
pub fn fit_points(
    subject: &CalibrationSubject<'_>,
    mut curve: Vec<CalibrationPoint>,
    (offered, observed): (u64, u64),
    scan_step_s: f64,
) -> Calibration {
    curve.sort_by(|a, b| a.window_s.total_cmp(&b.window_s));
    let peak = best_index(&curve);
    // A log without 429s bounds the window from below: the range is the windows that simulate
    // none either, exactly.
    let tolerance = match curve.get(peak) {
        Some(p) if observed > 0 => agreement_tolerance(p.agreement, offered),
        _ => 0.0,
    };
    let floor = curve.get(peak).map_or(0.0, |p| p.agreement) - tolerance - 1e-12;
    let members: Vec<usize> = (0..curve.len())
        .filter(|i| curve[*i].agreement >= floor)
        .collect();
    let lo = members.first().copied().unwrap_or(peak);
    let hi = members.last().copied().unwrap_or(peak);
    let empty = CalibrationPoint {
        window_s: f64::NAN,
        simulated_429: 0,
        matched_429: 0,
        agreement: 0.0,
        recall: None,
        precision: None,
        minute_error: 0.0,
        on_grid: false,
    };
    let chosen = curve.get(lo).cloned().unwrap_or(empty.clone());
    let peak_point = curve.get(peak).cloned().unwrap_or(empty);
    let range = [
        chosen.window_s,
        curve.get(hi).map_or(f64::NAN, |p| p.window_s),
    ];
    let fit = grade(&chosen, observed);
    let (deployment, model, region) = subject.names.clone();
    Calibration {
        deployment,
        model,
        region,
        deployment_type: subject.deployment_type,
        ptus: subject.ptus,
        offered_requests: offered,
        observed_429: observed,
        bucket_window_s: chosen.window_s,
        window_range_s: range,
        window_band_s: advised_band(fit, range),
        peak_window_s: peak_point.window_s,
        peak_agreement: peak_point.agreement,
        agreement_tolerance: tolerance,
        scan_step_s,
        refined_windows: curve.iter().filter(|p| !p.on_grid).count(),
        simulated_429: chosen.simulated_429,
        agreement: chosen.agreement,
        baseline_agreement: if offered == 0 {
            0.0
        } else {
            1.0 - observed as f64 / offered as f64
        },
        fit: fit.to_owned(),
        curve,
    }
}

fn point(window_s: f64, o: &SimOutcome, on_grid: bool) -> CalibrationPoint {
    let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
    CalibrationPoint {
        window_s,
        simulated_429: o.first_attempt_429,
        matched_429: o.matched_429,
        agreement: o.agreement(),
        recall: ratio(o.matched_429, o.observed_429),
        precision: ratio(o.matched_429, o.first_attempt_429),
        minute_error: o.minute_429_abs_error as f64 / o.observed_429.max(1) as f64,
        on_grid,
    }
}

/// The fit's grade: `good`, `moderate`, `poor`; `lower-bound` or `none` for a log without
/// 429s.
fn grade(chosen: &CalibrationPoint, observed: u64) -> &'static str {
    if observed == 0 {
        return if chosen.simulated_429 == 0 {
            "lower-bound"
        } else {
            "none"
        };
    }
    let (recall, precision) = (
        chosen.recall.unwrap_or(0.0),
        chosen.precision.unwrap_or(0.0),
    );
    if recall >= 0.7 && precision >= 0.7 {
        "good"
    } else if recall >= 0.4 && precision >= 0.4 {
        "moderate"
    } else {
        "poor"
    }
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
            // Recall and precision follow agreement, so a close fit grades `good`.
            recall: Some(agreement),
            precision: Some(agreement),
            minute_error: 1.0 - agreement,
            on_grid: DEFAULT_WINDOWS_S.contains(&window_s),
        }
    }

    /// The grid and the scan between its points at every `truth` agreement.
    fn scanned(truth: impl Fn(f64) -> f64) -> Vec<CalibrationPoint> {
        DEFAULT_WINDOWS_S
            .iter()
            .copied()
            .chain(scan_windows(&DEFAULT_WINDOWS_S))
            .map(|w| at(w, truth(w)))
            .collect()
    }

    /// The default grid is scanned at 0.1 s from 0.5 to 120 s: every tenth once, none on the
    /// grid twice.
    #[test]
    fn issue_18_the_scan_covers_every_tenth_between_grid_points() {
        let scan = scan_windows(&DEFAULT_WINDOWS_S);
        assert_eq!(scan_step(&DEFAULT_WINDOWS_S), 0.1);
        assert_eq!(scan.len() + DEFAULT_WINDOWS_S.len(), 1_196);
        assert_eq!(scan.first(), Some(&0.6));
        assert_eq!(scan.last(), Some(&119.9));
        assert!(scan.contains(&4.0) && scan.contains(&12.0) && scan.contains(&2.5));
        assert!(!scan.contains(&5.0) && !scan.contains(&7.5));
        // A grid too wide for the budget is scanned at a coarser multiple of 0.1 s.
        let wide = [1.0, 3_600.0];
        let step = scan_step(&wide);
        assert!((step - 1.5).abs() < 1e-9, "{step}");
        assert!(scan_windows(&wide).len() <= MAX_SCAN_WINDOWS);
    }

    /// A spiky fit, as real replays give: the true window (4 s) fits exactly, its tenths on
    /// either side far worse than a broad hump around 4.6 s and the grid's 5 s. One-peak
    /// refinement from the grid's best lands on the hump; the scan finds the spike.
    #[test]
    fn issue_18_a_spike_between_grid_points_is_found_not_the_hump() {
        let truth = |w: f64| {
            if (w - 4.0).abs() < 1e-9 {
                1.0
            } else {
                0.92 - (w - 4.6).abs() / 100.0
                    - if (w * 10.0).round() as i64 % 2 == 1 {
                        0.01
                    } else {
                        0.0
                    }
            }
        };
        let s = spec();
        let c = fit_points(&subject(&s), scanned(truth), (18_000, 4_000), 0.1);
        assert_eq!(c.bucket_window_s, 4.0);
        assert_eq!(c.peak_window_s, 4.0);
        assert_eq!(c.window_range_s, [4.0, 4.0]);
    }

    /// The advised band is never narrower than the range: a good fit narrows the band to it, a
    /// weaker one keeps the default windows, a lower bound drops those the log rules out.
    #[test]
    fn issue_18_the_advised_band_never_narrows_below_the_range() {
        assert_eq!(advised_band("good", [4.0, 4.0]), vec![4.0]);
        assert_eq!(advised_band("good", [2.5, 12.0]), vec![2.5, 12.0]);
        assert_eq!(
            advised_band("moderate", [4.6, 4.6]),
            vec![1.0, 4.6, 10.0, 60.0]
        );
        assert_eq!(
            advised_band("poor", [0.5, 120.0]),
            vec![0.5, 1.0, 10.0, 60.0, 120.0]
        );
        assert_eq!(
            advised_band("lower-bound", [3.0, 120.0]),
            vec![3.0, 10.0, 60.0, 120.0]
        );
        // A perfect fit keeps a small tolerance: 18,545 requests, two standard errors.
        let t = agreement_tolerance(1.0, 18_545);
        assert!(t > 0.0 && t < 0.0005, "{t}");
    }

    /// A plateau of windows the log cannot tell apart (within two standard errors of the best):
    /// the range is all of it, the advised window its smallest end, and the advised band is
    /// never narrower than the range.
    #[test]
    fn issue_18_the_range_is_the_plateau_and_the_window_its_strict_end() {
        // 10,000 requests at agreement 0.9: two standard errors are 0.6 points.
        let truth = |w: f64| {
            if (12.0..=14.0).contains(&w) {
                0.9 - (w - 13.0).abs() / 1_000.0
            } else {
                0.85
            }
        };
        let s = spec();
        let c = fit_points(&subject(&s), scanned(truth), (10_000, 1_000), 0.1);
        assert!((c.agreement_tolerance - 0.006).abs() < 1e-5);
        assert_eq!(c.peak_window_s, 13.0);
        assert_eq!(c.window_range_s, [12.0, 14.0]);
        assert_eq!(c.bucket_window_s, 12.0, "the strict end of the plateau");
        assert_eq!(c.window_band_s, vec![12.0, 14.0]);
    }

    #[test]
    fn without_observed_429s_the_smallest_quiet_window_is_a_lower_bound() {
        let s = spec();
        let windows = [1.0, 5.0, 10.0];
        let outs = [
            outcome(100_000, 0, 30, 0, 30),
            outcome(100_000, 0, 1, 0, 1),
            outcome(100_000, 0, 0, 0, 0),
        ];
        // 5 s simulates one 429 (agreement 0.99999, within any noise tolerance): the bound is
        // exact, so it is 10 s, the first window that simulates none.
        let c = fit(&subject(&s), &windows, &outs);
        assert_eq!(c.bucket_window_s, 10.0);
        assert_eq!(c.window_range_s, [10.0, 10.0]);
        assert_eq!(c.fit, "lower-bound");
        assert_eq!(c.window_band_s, vec![10.0, 60.0]);
    }
}
