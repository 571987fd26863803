//! The `calibrate` fit as a terminal table or JSON (names escaped for the sink, as everywhere:
//! [`super::escape`]).

use std::io::{self, Write};

use super::layout::Terminal;
use crate::plan::calibrate::Calibration;
use crate::report::contract::calibrate::CalibrateReport;
use crate::report::{fmt_int, fmt_pct};
use crate::text::fmt_window_s;

/// Write the fit, as its JSON contract ([`CalibrateReport`]) when `json`, else as a table with
/// a summary line.
pub fn render(fit: &Calibration, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let c = &CalibrateReport::from(fit);
    if json {
        return super::json::write_value(c, out);
    }
    super::table::write_line(
        out,
        &format!(
            "Calibrating {} ({} @ {}, {} at {} PTUs): {} requests replayed, {} answered 429 by the service",
            c.deployment,
            c.model,
            c.region,
            c.deployment_type,
            fmt_int(u64::from(c.ptus)),
            fmt_int(c.offered_requests),
            fmt_int(c.observed_429),
        ),
    )?;
    let mut table = super::grid::Grid::new(
        &[
            "Window [s]",
            "Simulated 429",
            "Matched 429",
            "Recall",
            "Precision",
            "Agreement",
            "Minute error",
        ],
        &[0, 1, 2, 3, 4, 5, 6],
    );
    let opt = |v: Option<f64>| v.map(fmt_pct).unwrap_or_else(|| "-".to_owned());
    let shown = shown_points(c);
    for p in c.curve.iter().filter(|p| shown(p.window_s)) {
        let mark = if p.window_s == c.bucket_window_s {
            " *"
        } else if p.window_s == c.peak_window_s {
            " ^"
        } else if p.on_grid {
            ""
        } else {
            " ~"
        };
        table.push_texts(vec![
            format!("{}{mark}", fmt_window_s(p.window_s)),
            fmt_int(p.simulated_429),
            fmt_int(p.matched_429),
            opt(p.recall),
            opt(p.precision),
            format!("{:.2}%", p.agreement * 100.0),
            format!("{:.2}", p.minute_error),
        ]);
    }
    writeln!(out, "{}", super::table::draw(&table, &Terminal::default()))?;
    super::table::write_line(
        out,
        &format!(
            "* advised window; ^ best agreement; ~ scanned between grid points ({} windows at {} s steps, all in --format json).",
            fmt_int(c.refined_windows as u64),
            fmt_window_s(c.scan_step_s)
        ),
    )?;
    let range = if c.window_range_s[0] < c.window_range_s[1] {
        format!(
            "windows from {} to {} s fit within {:.2} points of the best",
            fmt_window_s(c.window_range_s[0]),
            fmt_window_s(c.window_range_s[1]),
            c.agreement_tolerance * 100.0
        )
    } else {
        "no other window fits as well".to_owned()
    };
    super::table::write_line(
        out,
        &format!(
            "Best fit: --bucket-window-s {} (agreement {:.2}% against {:.2}% for admitting everything; fit: {}; {range}). {}",
            fmt_window_s(c.bucket_window_s),
            c.agreement * 100.0,
            c.baseline_agreement * 100.0,
            c.fit,
            c.note
        ),
    )
}

/// The rows of the table: the grid, the range's ends, the best window, and the scanned
/// windows next to each of those (the JSON has every window).
fn shown_points(c: &CalibrateReport) -> impl Fn(f64) -> bool + '_ {
    let near = |a: f64, b: f64| (a - b).abs() <= c.scan_step_s * 1.01;
    move |w: f64| {
        let keys = [c.window_range_s[0], c.window_range_s[1], c.peak_window_s];
        c.curve.iter().any(|p| p.window_s == w && p.on_grid) || keys.iter().any(|k| near(*k, w))
    }
}
