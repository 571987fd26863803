//! Chart 3: monthly cost versus PTU count for each provisioned type of one workload, read from
//! the sweep (`sizing.<type>.curve`): hourly billing as a solid line, the 1-year reservation
//! dashed, the cost-optimal (hourly) and smallest-within-target counts marked, and the cheapest
//! real-time per-token option as a flat line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    draw_legend, fmt_usd_short, frame, series_color, text, LegendEntry, Swatch, AXIS_DESC_PX, GRID,
    HIGHLIGHT, INK, LABEL_PX,
};
use super::{workload_label, DrawFailure};
use crate::plan::{cost::monthly_usd, Billing, WorkloadPlan};
use crate::report::Report;

/// One provisioned type's curve.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeCurve {
    /// Deployment type id.
    pub label: String,
    /// `(PTUs, monthly USD)` under hourly billing (PTU cost plus spillover).
    pub hourly: Vec<(f64, f64)>,
    /// `(PTUs, monthly USD)` under a 1-year reservation plus spillover.
    pub reserved_1_year: Vec<(f64, f64)>,
    /// The cheapest count under hourly billing.
    pub cost_optimal: Option<(f64, f64)>,
    /// The smallest count within the throttle target, hourly cost.
    pub min_for_target: Option<(f64, f64)>,
}

/// The data of a cost-versus-PTU chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSeries {
    /// Chart title.
    pub title: String,
    /// One curve per provisioned type with a sweep.
    pub types: Vec<TypeCurve>,
    /// The cheapest available real-time per-token option: `(id, monthly USD)`.
    pub per_token: Option<(String, f64)>,
}

/// Monthly costs along each type's sweep, and the cheapest per-token option.
pub fn curve_series(report: &Report, w: &WorkloadPlan) -> CurveSeries {
    let hours = report.input.hours;
    let types = w
        .sizing
        .iter()
        .map(|(dt, sizing)| {
            let along = |billing: Billing| {
                sizing
                    .curve
                    .iter()
                    .map(|p| (f64::from(p.ptus), monthly_usd(p.cost_for(billing), hours)))
                    .collect::<Vec<_>>()
            };
            let at = |ptus: u32| {
                sizing
                    .curve
                    .iter()
                    .find(|p| p.ptus == ptus)
                    .map(|p| (f64::from(ptus), monthly_usd(p.cost_usd, hours)))
            };
            TypeCurve {
                label: dt.to_string(),
                hourly: along(Billing::Hourly),
                reserved_1_year: along(Billing::Reserved1Year),
                cost_optimal: at(sizing.cost_optimal_ptus),
                min_for_target: sizing.min_ptus_for_target.and_then(at),
            }
        })
        .collect();
    let per_token = w
        .options
        .iter()
        .filter(|o| {
            o.available && o.billing == Billing::PerToken && o.deployment_type.is_standard()
        })
        .filter_map(|o| o.monthly_cost_usd.map(|c| (o.id.clone(), c)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    CurveSeries {
        title: format!("{}: monthly cost vs PTU count", workload_label(w)),
        types,
        per_token,
    }
}

/// Draw a cost-versus-PTU chart.
pub fn draw_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &CurveSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let mut entries = Vec::new();
    for (i, t) in s.types.iter().enumerate() {
        entries.push(LegendEntry::new(
            Swatch::Line(series_color(i)),
            format!("{}, hourly", t.label),
        ));
        entries.push(LegendEntry::new(
            Swatch::Dashed(series_color(i)),
            format!("{}, 1-year reserved", t.label),
        ));
    }
    if let Some((id, cost)) = &s.per_token {
        entries.push(LegendEntry::new(
            Swatch::Line(HIGHLIGHT),
            format!("{id}: {}/mo", fmt_usd_short(*cost)),
        ));
    }
    entries.push(LegendEntry::new(
        Swatch::Dot(INK),
        "cost-optimal count (hourly)",
    ));
    entries.push(LegendEntry::new(
        Swatch::Triangle(INK),
        "smallest count within throttle target",
    ));
    draw_legend(
        &legend,
        &entries,
        &["PTU cost plus spillover, per 730-h month".to_owned()],
    )?;
    let all = s
        .types
        .iter()
        .flat_map(|t| t.hourly.iter().chain(&t.reserved_1_year))
        .copied()
        .chain(s.per_token.iter().map(|(_, c)| (0.0, *c)));
    let (mut x_max, mut y_lo, mut y_hi) = (1.0_f64, f64::INFINITY, 0.0_f64);
    for (x, y) in all {
        x_max = x_max.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    let y_lo = if y_lo.is_finite() {
        y_lo.max(0.01)
    } else {
        1.0
    };
    let y_range = (y_lo / 1.6)..(y_hi.max(y_lo * 10.0) * 1.6);
    let x_max = x_max * 1.04;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max, y_range.log_scale())?;
    let y_fmt = |y: &f64| fmt_usd_short(*y);
    let x_fmt = |x: &f64| format!("{x:.0}");
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(12)
        .y_labels(12)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc("Deployed PTUs")
        .y_desc("Monthly cost [USD/month, log scale]")
        .axis_desc_style(text(AXIS_DESC_PX))
        .label_style(text(LABEL_PX))
        .draw()?;
    if let Some((_, cost)) = &s.per_token {
        chart.draw_series(LineSeries::new(
            [(0.0, *cost), (x_max, *cost)],
            HIGHLIGHT.stroke_width(2),
        ))?;
    }
    for (i, t) in s.types.iter().enumerate() {
        let c = series_color(i);
        chart.draw_series(LineSeries::new(t.hourly.iter().copied(), c.stroke_width(2)))?;
        chart.draw_series(DashedLineSeries::new(
            t.reserved_1_year.iter().copied(),
            8,
            5,
            c.stroke_width(2),
        ))?;
        // Small dots on every swept count, so a one-count sweep still shows.
        chart.draw_series(
            t.hourly
                .iter()
                .chain(&t.reserved_1_year)
                .map(|&p| Circle::new(p, 3, c.filled())),
        )?;
        if let Some(p) = t.cost_optimal {
            chart.draw_series(std::iter::once(Circle::new(p, 7, c.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(p, 7, INK.stroke_width(1))))?;
        }
        if let Some(p) = t.min_for_target {
            // Triangle markers are always filled: an ink triangle behind gives the outline.
            chart.draw_series(std::iter::once(TriangleMarker::new(p, 11, INK.filled())))?;
            chart.draw_series(std::iter::once(TriangleMarker::new(p, 8, c.filled())))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{sample_report, sample_workload};

    #[test]
    fn monthly_costs_along_the_sweep_with_marks_and_per_token_line() {
        let report = sample_report();
        let w = sample_workload();
        let s = curve_series(&report, &w);
        assert_eq!(s.types.len(), 1);
        let t = &s.types[0];
        assert_eq!(t.label, "global-provisioned");
        // The span is 730 h, so monthly = span cost.
        assert_eq!(t.hourly, vec![(15.0, 10_950.0), (30.0, 21_900.0)]);
        assert_eq!(t.reserved_1_year[0], (15.0, 3_315.0));
        assert_eq!(t.cost_optimal, Some((15.0, 10_950.0)));
        assert_eq!(t.min_for_target, Some((30.0, 21_900.0)));
        // Batch is cheaper but not real-time; the cheapest real-time option is the line.
        assert_eq!(s.per_token, Some(("global-standard".to_owned(), 300.0)));
    }
}
