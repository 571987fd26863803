//! The `calibrate` fit as a terminal table or JSON (names escaped for the sink, as everywhere:
//! [`super::escape`]).

use std::io::{self, Write};

use super::{fmt_int, fmt_pct};
use crate::plan::calibrate::Calibration;

/// Write the fit: JSON when `json`, else a table with a summary line.
pub fn render(c: &Calibration, json: bool, out: &mut dyn Write) -> io::Result<()> {
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
    let mut table = super::table::new(
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
    for p in &c.curve {
        table.add_row(vec![
            format!("{}", p.window_s),
            fmt_int(p.simulated_429),
            fmt_int(p.matched_429),
            opt(p.recall),
            opt(p.precision),
            format!("{:.2}%", p.agreement * 100.0),
            format!("{:.2}", p.minute_error),
        ]);
    }
    writeln!(out, "{table}")?;
    super::table::write_line(
        out,
        &format!(
            "Best fit: --bucket-window-s {} (agreement {:.2}% against {:.2}% for admitting everything; fit: {}; windows from {} to {} s fit as well; {} refined between grid points). {}",
            c.bucket_window_s,
            c.agreement * 100.0,
            c.baseline_agreement * 100.0,
            c.fit,
            c.window_range_s[0],
            c.window_range_s[1],
            c.refined_windows,
            c.note
        ),
    )
}
