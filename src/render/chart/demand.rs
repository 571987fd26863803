//! Chart 2: one workload's weighted demand over time (the busiest minute of each hour) against
//! the capacity of every sized PTU deployment (`ptus x input_tpm_per_ptu`), one dashed line per
//! distinct provisioned type and count, the recommended deployment's capacity as a solid green
//! line. The time axis is labelled with dates (or hours on short logs) at distinct ticks
//! ([`time_ticks`]): a label never repeats.

use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_legend, fmt_si, frame, series_color, text, LegendEntry, Swatch, AXIS_DESC_PX, GRID,
    HIGHLIGHT, LABEL_PX,
};
use super::{workload_label, DrawFailure};
use crate::plan::WorkloadPlan;
use crate::report::Report;

/// Color of the demand line.
const DEMAND_COLOR: RGBColor = RGBColor(52, 58, 64);

/// A horizontal capacity line.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityLine {
    /// The provisioned types sized to this count.
    pub types: Vec<String>,
    /// The PTU count.
    pub ptus: u32,
    /// Capacity, weighted tokens per minute.
    pub tokens_per_min: f64,
}

impl CapacityLine {
    /// `global + data-zone provisioned, 15 PTU`.
    pub fn label(&self) -> String {
        let short: Vec<&str> = self
            .types
            .iter()
            .map(|t| t.strip_suffix("-provisioned").unwrap_or(t))
            .collect();
        format!("{} provisioned, {} PTU", short.join(" + "), self.ptus)
    }
}

/// `global provisioned` for `global-provisioned`: a provisioned type in a chart label.
pub fn short_type(t: &str) -> String {
    match t.strip_suffix("-provisioned") {
        Some(scope) => format!("{scope} provisioned"),
        None => t.to_owned(),
    }
}

/// The data of a demand chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandSeries {
    /// Chart title.
    pub title: String,
    /// `(days since the first hour, busiest minute's weighted TPM)` per hour.
    pub points: Vec<(f64, f64)>,
    /// Capacity lines, in option order, without duplicates.
    pub capacities: Vec<CapacityLine>,
    /// The first hour (RFC 3339 UTC), for the x-axis description.
    pub start: String,
    /// The recommended deployment's capacity, when the recommendation is provisioned.
    pub recommended: Option<CapacityLine>,
    /// The recommendation, when it is per-token (no capacity line): its id.
    pub recommended_per_token: Option<String>,
    /// The x-axis ticks: `(days since the first hour, label)`.
    pub ticks: Vec<(f64, String)>,
}

/// Hourly peaks of `w` and the capacity of each distinct (type, PTU count) among its available
/// provisioned options.
pub fn demand_series(report: &Report, w: &WorkloadPlan) -> DemandSeries {
    let points = w
        .profile
        .hourly_peak_weighted_tpm
        .iter()
        .enumerate()
        .map(|(h, &tpm)| (h as f64 / 24.0, tpm))
        .collect();
    let mut capacities: Vec<CapacityLine> = Vec::new();
    if let Some(per_ptu) = w.input_tpm_per_ptu {
        for o in w.options.iter().filter(|o| o.available) {
            let Some(ptus) = o.ptus else { continue };
            let tokens_per_min = f64::from(ptus) * per_ptu;
            let ty = o.deployment_type.to_string();
            // Types sized to the same capacity share one line (drawn lines would hide each other).
            match capacities.iter_mut().find(|c| c.ptus == ptus) {
                Some(c) if c.types.contains(&ty) => {}
                Some(c) => c.types.push(ty),
                None => capacities.push(CapacityLine {
                    types: vec![ty],
                    ptus,
                    tokens_per_min,
                }),
            }
        }
    }
    let rec = w.decided_option();
    let recommended = rec.and_then(|o| {
        Some(CapacityLine {
            types: vec![o.id.clone()],
            ptus: o.ptus?,
            tokens_per_min: f64::from(o.ptus?) * w.input_tpm_per_ptu?,
        })
    });
    // The recommended deployment's line is drawn once, as the recommendation.
    if let Some(o) = rec.filter(|o| o.ptus.is_some()) {
        let t = o.deployment_type.to_string();
        for c in &mut capacities {
            if Some(c.ptus) == o.ptus {
                c.types.retain(|x| *x != t);
            }
        }
        capacities.retain(|c| !c.types.is_empty());
    }
    let span_days = w.profile.hourly_peak_weighted_tpm.len() as f64 / 24.0;
    DemandSeries {
        title: format!(
            "{}: peak demand per hour vs PTU capacity",
            workload_label(w)
        ),
        points,
        capacities,
        start: first_hour(&report.input.start),
        recommended_per_token: rec.filter(|o| o.ptus.is_none()).map(|o| o.id.clone()),
        recommended,
        ticks: time_ticks(&report.input.start, span_days),
    }
}

/// Ticks for a time axis in days from the first hour of `start` (RFC 3339) over `span_days`:
/// at midnights (`10-01`) every 1, 2, 7, 14 or 28 days (at most 13 ticks), or for logs of two
/// days or less at whole hours every 1 to 24 hours (`10-01 06:00`, at most 7 ticks, as these
/// labels are wide). Labels are distinct.
pub fn time_ticks(start: &str, span_days: f64) -> Vec<(f64, String)> {
    let Ok(t0) = chrono::DateTime::parse_from_rfc3339(start) else {
        return Vec::new();
    };
    let t0 = t0.to_utc();
    let first_hour = t0 - chrono::Duration::seconds(t0.timestamp().rem_euclid(3600));
    let span_hours = (span_days * 24.0).max(1.0);
    let step_hours: i64 = if span_hours <= 48.0 {
        // Date-and-hour labels are wide: at most about seven of them fit the plot.
        [1, 2, 3, 6, 12, 24]
            .into_iter()
            .find(|s| span_hours / (*s as f64) <= 6.0)
            .unwrap_or(24)
    } else {
        [1, 2, 7, 14, 28, 56, 91, 182]
            .into_iter()
            .find(|d| span_hours / (24.0 * *d as f64) <= 12.0)
            .unwrap_or(364)
            * 24
    };
    let daily = step_hours % 24 == 0;
    // The first tick: the first hour itself for hourly steps, the first midnight otherwise.
    let offset_h = if daily {
        i64::from((24 - chrono::Timelike::hour(&first_hour) as i32) % 24)
    } else {
        0
    };
    let mut ticks = Vec::new();
    let mut h = offset_h;
    while (h as f64) <= span_hours {
        let at = first_hour + chrono::Duration::hours(h);
        let label = if daily {
            at.format("%m-%d").to_string()
        } else {
            at.format("%m-%d %H:%M").to_string()
        };
        ticks.push((h as f64 / 24.0, label));
        h += step_hours;
    }
    ticks
}

/// `2026-10-01T00:13:05Z` -> `2026-10-01 00:00 UTC`.
fn first_hour(start: &str) -> String {
    match (start.get(..10), start.get(11..13)) {
        (Some(day), Some(hour)) => format!("{day} {hour}:00 UTC"),
        _ => start.to_owned(),
    }
}

/// Draw a demand chart.
pub fn draw_demand<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &DemandSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let mut entries = vec![LegendEntry::new(
        Swatch::Line(DEMAND_COLOR),
        "busiest minute of each hour",
    )];
    if let Some(r) = &s.recommended {
        entries.push(
            LegendEntry::new(Swatch::Line(HIGHLIGHT), "decided capacity").with_detail(format!(
                "{} PTU {}: {} tokens/min",
                crate::report::fmt_int(u64::from(r.ptus)),
                r.types.first().map_or(String::new(), |id| short_type(
                    id.split('/').next().unwrap_or(id)
                )),
                fmt_si(r.tokens_per_min)
            )),
        );
    }
    for (i, c) in s.capacities.iter().enumerate() {
        entries.push(
            LegendEntry::new(Swatch::Dashed(series_color(i)), c.label())
                .with_detail(format!("capacity {} tokens/min", fmt_si(c.tokens_per_min))),
        );
    }
    let mut notes = vec!["Weighted TPM: input + output x ratio".to_owned()];
    if let Some(id) = &s.recommended_per_token {
        notes.push(format!("Decided: {}", super::style::truncate(id, 30)));
        notes.push("(per-token: no PTU capacity)".to_owned());
    }
    if s.capacities.is_empty() && s.recommended.is_none() {
        notes.push("No provisioned option is available.".to_owned());
    }
    draw_legend(&legend, &entries, &notes)?;
    let x_max = s.points.last().map_or(1.0, |p| p.0).max(1.0 / 24.0);
    let y_max = s
        .points
        .iter()
        .map(|p| p.1)
        .chain(s.capacities.iter().map(|c| c.tokens_per_min))
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.08;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    let y_fmt = |y: &f64| fmt_si(*y);
    // The x labels are the ticks of `time_ticks`, drawn below: plotters' own would repeat.
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_label_formatter(&y_fmt)
        .x_desc(format!("Time (UTC) from {}", s.start))
        .y_desc("Weighted demand [tokens/min]")
        .axis_desc_style(text(AXIS_DESC_PX))
        .label_style(text(LABEL_PX))
        .draw()?;
    let ticks: Vec<&(f64, String)> = s.ticks.iter().filter(|t| t.0 <= x_max).collect();
    for (x, _) in &ticks {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*x, 0.0), (*x, y_max)],
            GRID.stroke_width(1),
        )))?;
    }
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    let width = f64::from(x_px.end - x_px.start);
    for (x, label) in ticks {
        let px = x_px.start + (x / x_max * width).round() as i32;
        root.draw(&PathElement::new(
            vec![(px, y_px.end), (px, y_px.end + 5)],
            super::style::INK.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            label.clone(),
            (px, y_px.end + 8),
            text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    chart.draw_series(LineSeries::new(
        s.points.iter().copied(),
        DEMAND_COLOR.stroke_width(1),
    ))?;
    for (i, c) in s.capacities.iter().enumerate() {
        chart.draw_series(DashedLineSeries::new(
            [(0.0, c.tokens_per_min), (x_max, c.tokens_per_min)],
            10,
            6,
            series_color(i).stroke_width(2),
        ))?;
    }
    if let Some(r) = &s.recommended {
        chart.draw_series(LineSeries::new(
            [(0.0, r.tokens_per_min), (x_max, r.tokens_per_min)],
            HIGHLIGHT.stroke_width(3),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{sample_report, sample_workload};

    #[test]
    fn hourly_points_in_days_and_one_capacity_line_per_type_and_count() {
        let report = sample_report();
        let w = sample_workload();
        let s = demand_series(&report, &w);
        assert_eq!(s.points.len(), 3);
        assert_eq!(s.points[1], (1.0 / 24.0, 2_000.0));
        // Three provisioned billings at 15 PTUs share one line: 15 x 2,500 TPM.
        assert_eq!(
            s.capacities,
            vec![CapacityLine {
                types: vec!["global-provisioned".to_owned()],
                ptus: 15,
                tokens_per_min: 37_500.0,
            }]
        );
        assert_eq!(s.start, "2026-10-01 00:00 UTC");
        assert_eq!(s.recommended, None, "per-token: no capacity line");
        assert_eq!(s.recommended_per_token.as_deref(), Some("global-standard"));
    }

    #[test]
    fn issue_14_time_labels_never_repeat() {
        for (start, days) in [
            ("2026-10-01T00:13:05Z", 7.0),
            ("2026-10-01T09:00:00Z", 7.0),
            ("2026-10-01T00:00:00Z", 30.0),
            ("2026-10-01T00:00:00Z", 1.0 / 24.0),
            ("2026-10-01T22:00:00Z", 1.5),
            ("2026-01-01T00:00:00Z", 400.0),
        ] {
            let ticks = time_ticks(start, days);
            assert!(
                ticks.len() >= 2 && ticks.len() <= 13,
                "{start} {days}: {ticks:?}"
            );
            let labels: std::collections::BTreeSet<&String> = ticks.iter().map(|t| &t.1).collect();
            assert_eq!(labels.len(), ticks.len(), "{start} {days}: {ticks:?}");
        }
        // A 7-day log: one tick per midnight, labelled with the date.
        let t = time_ticks("2026-10-01T09:00:00Z", 7.0);
        assert_eq!(t[0], (15.0 / 24.0, "10-02".to_owned()));
        assert_eq!(t[1].1, "10-03");
        // A one-day log: every 6 hours, so the wide labels do not overlap.
        let t = time_ticks("2026-10-01T00:00:00Z", 23.0 / 24.0);
        assert_eq!(
            t.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
            ["10-01 00:00", "10-01 06:00", "10-01 12:00", "10-01 18:00"]
        );
        // A 30-day log: every 7 days.
        let t = time_ticks("2026-10-01T00:00:00Z", 30.0);
        assert_eq!(
            t.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
            ["10-01", "10-08", "10-15", "10-22", "10-29"]
        );
    }
}
