//! Chart 2: one workload's weighted demand over time (the busiest minute of each hour) against
//! the capacity of every sized PTU deployment (`ptus x input_tpm_per_ptu`), one dashed line per
//! distinct provisioned type and count.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    draw_legend, fmt_si, frame, series_color, text, LegendEntry, Swatch, AXIS_DESC_PX, GRID,
    LABEL_PX,
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
    DemandSeries {
        title: format!(
            "{}: peak demand per hour vs PTU capacity",
            workload_label(w)
        ),
        points,
        capacities,
        start: first_hour(&report.input.start),
    }
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
    for (i, c) in s.capacities.iter().enumerate() {
        entries.push(
            LegendEntry::new(Swatch::Dashed(series_color(i)), c.label())
                .with_detail(format!("capacity {} tokens/min", fmt_si(c.tokens_per_min))),
        );
    }
    let mut notes = vec!["Weighted TPM: input + output x ratio".to_owned()];
    if s.capacities.is_empty() {
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
    let x_fmt = |x: &f64| format!("{x:.0}");
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(16)
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(format!("Days since {}", s.start))
        .y_desc("Weighted demand [tokens/min]")
        .axis_desc_style(text(AXIS_DESC_PX))
        .label_style(text(LABEL_PX))
        .draw()?;
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
    }
}
