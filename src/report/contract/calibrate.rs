//! The JSON of `calibrate --format json`: the fit, built from
//! [`crate::plan::calibrate::Calibration`] with its note in words
//! ([`crate::report::text::calibration_note`]). Field order is key order.

use serde::Serialize;

use crate::catalog::DeploymentTypeId;
use crate::plan::calibrate::{Calibration, CalibrationPoint};

/// The fit of one deployment's burst window.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CalibrateReport {
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
    /// The window to size at (the range's smallest), seconds.
    pub bucket_window_s: f64,
    /// The windows the log cannot tell apart from the best, smallest and largest, seconds.
    pub window_range_s: [f64; 2],
    /// The band to pass as `compare --window-band`, never narrower than the range.
    pub window_band_s: Vec<f64>,
    /// The window with the highest agreement, seconds.
    pub peak_window_s: f64,
    /// Agreement there.
    pub peak_agreement: f64,
    /// How far below the peak's agreement a window still fits (two standard errors).
    pub agreement_tolerance: f64,
    /// The scan's step between grid windows, seconds.
    pub scan_step_s: f64,
    /// Windows simulated after the grid.
    pub refined_windows: usize,
    /// Simulated 429s at `bucket_window_s`.
    pub simulated_429: u64,
    /// Agreement at `bucket_window_s`.
    pub agreement: f64,
    /// Agreement of a simulation that admits everything.
    pub baseline_agreement: f64,
    /// `good`, `moderate`, `poor`, `lower-bound` or `none`.
    pub fit: String,
    /// What the fit means and the flags to pass on, in words.
    pub note: String,
    /// Every window tried, ascending.
    pub curve: Vec<CalibratePoint>,
}

/// One window's fit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CalibratePoint {
    /// Bucket window, seconds.
    pub window_s: f64,
    /// Requests the simulation answered 429.
    pub simulated_429: u64,
    /// Requests both the simulation and the service answered 429.
    pub matched_429: u64,
    /// Share of requests whose outcome the simulation got right.
    pub agreement: f64,
    /// `matched / observed`.
    pub recall: Option<f64>,
    /// `matched / simulated`.
    pub precision: Option<f64>,
    /// Sum over minutes of |simulated - observed| 429s over the observed 429s.
    pub minute_error: f64,
    /// On the grid (`--windows`), else scanned between its points.
    pub on_grid: bool,
}

impl From<&CalibrationPoint> for CalibratePoint {
    fn from(p: &CalibrationPoint) -> Self {
        CalibratePoint {
            window_s: p.window_s,
            simulated_429: p.simulated_429,
            matched_429: p.matched_429,
            agreement: p.agreement,
            recall: p.recall,
            precision: p.precision,
            minute_error: p.minute_error,
            on_grid: p.on_grid,
        }
    }
}

impl From<&Calibration> for CalibrateReport {
    fn from(c: &Calibration) -> Self {
        CalibrateReport {
            deployment: c.deployment.clone(),
            model: c.model.clone(),
            region: c.region.clone(),
            deployment_type: c.deployment_type,
            ptus: c.ptus,
            offered_requests: c.offered_requests,
            observed_429: c.observed_429,
            bucket_window_s: c.bucket_window_s,
            window_range_s: c.window_range_s,
            window_band_s: c.window_band_s.clone(),
            peak_window_s: c.peak_window_s,
            peak_agreement: c.peak_agreement,
            agreement_tolerance: c.agreement_tolerance,
            scan_step_s: c.scan_step_s,
            refined_windows: c.refined_windows,
            simulated_429: c.simulated_429,
            agreement: c.agreement,
            baseline_agreement: c.baseline_agreement,
            fit: c.fit.clone(),
            note: crate::report::text::calibration_note(c),
            curve: c.curve.iter().map(CalibratePoint::from).collect(),
        }
    }
}
