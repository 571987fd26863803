//! The words of a `calibrate` fit: what it means and the flags to pass on, read off the fit's
//! numbers ([`crate::plan::calibrate::Calibration`]).

use crate::plan::calibrate::{Calibration, CalibrationPoint};
use crate::text::{fmt_band_s, fmt_window_s};

/// The fit's note (JSON `note`, and the last sentence of the terminal summary).
pub fn calibration_note(c: &Calibration) -> String {
    let first = c.curve.first().map(|p| p.window_s);
    let last = c.curve.last().map(|p| p.window_s);
    let several = c.curve.len() > 1;
    let mut edge = String::new();
    if several && first == Some(c.window_range_s[0]) {
        edge.push_str(
            " The range reaches the smallest window tried: try smaller ones with --windows.",
        );
    }
    if several && last == Some(c.window_range_s[1]) && c.observed_429 > 0 {
        edge.push_str(
            " The range reaches the largest window tried: try larger ones with --windows.",
        );
    }
    let w = fmt_window_s(c.bucket_window_s);
    let band = fmt_band_s(&c.window_band_s);
    if c.fit == "none" {
        return format!(
            "The log has no 429s, but the simulation throttles at every window tried: check --ptus, or whether 429s were spilled over before they were logged.{edge}"
        );
    }
    if c.fit == "lower-bound" {
        return format!(
            "The log has no 429s; every window from {w} s up reproduces that, so the burst allowance is at least {w} s (the strictest window this log supports); pass --bucket-window-s {w} --window-band {band} to compare.{edge}"
        );
    }
    let range = c.window_range_s;
    let range_text = if range[0] < range[1] {
        format!(
            "every window from {} to {} s fits within {:.2} points of the best agreement ({:.2}% at {} s), which this log cannot tell apart, so the smallest (the strictest) is advised and the band spans the range; ",
            fmt_window_s(range[0]),
            fmt_window_s(range[1]),
            c.agreement_tolerance * 100.0,
            c.peak_agreement * 100.0,
            fmt_window_s(c.peak_window_s)
        )
    } else {
        "no other window fits as well; ".to_owned()
    };
    let weak = if c.fit == "good" {
        ""
    } else {
        "the fit is too weak to narrow the band, so it keeps the default windows; "
    };
    let chosen: Option<&CalibrationPoint> =
        c.curve.iter().find(|p| p.window_s == c.bucket_window_s);
    let share = |v: Option<f64>| v.unwrap_or(0.0) * 100.0;
    format!(
        "At {w} s the simulation gives {:.0}% of the observed 429s ({:.0}% of its 429s were observed ones); {range_text}{weak}pass --bucket-window-s {w} --window-band {band} to compare.{edge}",
        share(chosen.and_then(|p| p.recall)),
        share(chosen.and_then(|p| p.precision)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeploymentTypeId;

    fn point(window_s: f64, recall: Option<f64>, precision: Option<f64>) -> CalibrationPoint {
        CalibrationPoint {
            window_s,
            simulated_429: 0,
            matched_429: 0,
            agreement: 0.9,
            recall,
            precision,
            minute_error: 0.0,
            on_grid: true,
        }
    }

    fn fit(fit: &str, range: [f64; 2], band: &[f64], observed: u64) -> Calibration {
        Calibration {
            deployment: "d".to_owned(),
            model: "gpt-4o".to_owned(),
            region: "eastus2".to_owned(),
            deployment_type: DeploymentTypeId::GlobalProvisioned,
            ptus: 15,
            offered_requests: 10_000,
            observed_429: observed,
            bucket_window_s: range[0],
            window_range_s: range,
            window_band_s: band.to_vec(),
            peak_window_s: 13.0,
            peak_agreement: 0.9,
            agreement_tolerance: 0.006,
            scan_step_s: 0.1,
            refined_windows: 0,
            simulated_429: 0,
            agreement: 0.9,
            baseline_agreement: 0.9,
            fit: fit.to_owned(),
            curve: [1.0, 4.0, 12.0, 14.0, 60.0]
                .iter()
                .map(|&w| point(w, Some(0.8), Some(0.75)))
                .collect(),
        }
    }

    #[test]
    fn the_note_names_the_flags_to_pass_on() {
        let plateau = calibration_note(&fit("good", [12.0, 14.0], &[12.0, 14.0], 1_000));
        assert!(
            plateau.starts_with("At 12 s the simulation gives 80% of the observed 429s (75% of"),
            "{plateau}"
        );
        assert!(plateau.contains("every window from 12 to 14 s fits within 0.60 points of the best agreement (90.00% at 13 s)"), "{plateau}");
        assert!(
            plateau.contains("--bucket-window-s 12 --window-band 12,14 "),
            "{plateau}"
        );
        assert!(
            !plateau.contains("too weak") && !plateau.contains("tried"),
            "{plateau}"
        );
        let spike = calibration_note(&fit("moderate", [4.0, 4.0], &[1.0, 4.0, 10.0, 60.0], 1_000));
        assert!(
            spike.contains("no other window fits as well; the fit is too weak"),
            "{spike}"
        );
        assert!(
            spike.contains("--bucket-window-s 4 --window-band 1,4,10,60 "),
            "{spike}"
        );
        let bound = calibration_note(&fit("lower-bound", [14.0, 60.0], &[14.0, 60.0], 0));
        assert!(bound.contains("at least 14 s"), "{bound}");
        assert!(
            !bound.contains("largest window"),
            "no 429s: the top is no edge: {bound}"
        );
        let edges = calibration_note(&fit("poor", [1.0, 60.0], &[1.0, 10.0, 60.0], 5));
        assert!(edges.ends_with("try smaller ones with --windows. The range reaches the largest window tried: try larger ones with --windows."), "{edges}");
        let none = calibration_note(&fit("none", [1.0, 1.0], &[1.0], 0));
        assert!(
            none.starts_with("The log has no 429s, but the simulation throttles"),
            "{none}"
        );
    }
}
