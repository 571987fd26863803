//! Chart 1: monthly cost of every available option of one workload, as horizontal bars on a
//! linear axis from zero, each labelled with its cost, so bar lengths compare honestly (a 9%
//! saving is 9% of a bar; a log axis made a 12x gap look like 2.5x). The decision is
//! highlighted and labelled with its saving against the flexible option; unavailable
//! options are left out and counted.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    bar_rows, draw_bar, draw_bar_label, draw_legend, fmt_usd_short, frame_with, series_color, text,
    LegendEntry, Swatch, AXIS_DESC_PX, HIGHLIGHT, MUTED,
};
use super::{workload_label, DrawFailure};
use crate::plan::WorkloadPlan;

/// Width of the cost chart's legend (its entries are short), pixels.
const COST_LEGEND_WIDTH: u32 = 215;
/// Width of the option labels left of the bars, pixels.
const COST_LABEL_AREA: u32 = 380;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBar {
    /// Option id, with the PTU count for provisioned options.
    pub label: String,
    /// Monthly cost, USD.
    pub monthly_cost_usd: f64,
    /// Whether it is the recommendation.
    pub recommended: bool,
    /// Whether it may be recommended.
    pub eligible: bool,
}

/// The data of a cost chart.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSeries {
    /// Chart title.
    pub title: String,
    /// Bars in option order.
    pub bars: Vec<CostBar>,
    /// How many options were left out as unavailable.
    pub unavailable: usize,
    /// The decision's saving against the flexible option: `(USD/mo, share)`, None when the
    /// flexible option is decided or either is missing.
    pub saving: Option<(f64, f64)>,
}

/// The available options of `w` with a monthly cost, in the report's option order.
pub fn cost_series(w: &WorkloadPlan) -> CostSeries {
    let mut bars = Vec::new();
    let mut unavailable = 0;
    for o in &w.options {
        match (o.available, o.monthly_cost_usd) {
            (true, Some(cost)) => bars.push(CostBar {
                label: match o.ptus {
                    Some(p) => format!("{} ({p} PTU)", o.id),
                    None => o.id.clone(),
                },
                monthly_cost_usd: cost,
                recommended: w
                    .decision
                    .option
                    .as_ref()
                    .is_some_and(|d| d.option_id == o.id),
                eligible: o.eligible,
            }),
            _ => unavailable += 1,
        }
    }
    let d = &w.decision;
    let saving = match (&d.option, &d.flexible) {
        (Some(o), Some(f)) if o.option_id != f.option_id => d
            .saving_vs_flexible_share
            .map(|share| (d.saving_vs_flexible_usd, share)),
        _ => None,
    };
    CostSeries {
        title: format!("{}: monthly cost by option", workload_label(w)),
        bars,
        unavailable,
        saving,
    }
}

/// Draw a cost chart.
pub fn draw_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &CostSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame_with(root, &s.title, COST_LEGEND_WIDTH)?;
    let eligible_color = series_color(0);
    let mut footnotes = Vec::new();
    if s.unavailable > 0 {
        footnotes.push(format!("Not shown: {} unavailable", s.unavailable));
    }
    footnotes.push("USD per 730-hour month".to_owned());
    draw_legend(
        &legend,
        &[
            LegendEntry::new(Swatch::Box(HIGHLIGHT), "decided"),
            LegendEntry::new(Swatch::Box(eligible_color), "eligible"),
            LegendEntry::new(Swatch::Box(MUTED), "not eligible (see table)"),
        ],
        &footnotes,
    )?;
    if s.bars.is_empty() {
        plot.draw(&Text::new(
            "no available option has a price",
            (40, 60),
            text(AXIS_DESC_PX),
        ))?;
        return Ok(());
    }
    let n = s.bars.len();
    let hi = s
        .bars
        .iter()
        .map(|b| b.monthly_cost_usd)
        .fold(0.0, f64::max)
        .max(0.01);
    // Linear from zero, with room right of the longest bar for its label.
    let x_range = 0.0..(hi * 1.32);
    let x_fmt = |x: &f64| fmt_usd_short(*x);
    let labels: Vec<String> = s.bars.iter().map(|b| b.label.clone()).collect();
    let mut chart = bar_rows(
        root,
        &plot,
        (x_range, (8, &x_fmt, "Monthly cost [USD/month]")),
        (COST_LABEL_AREA, &labels, "Deployment option"),
    )?;
    for (k, b) in s.bars.iter().enumerate() {
        // Bar k (from the top) spans rows n-k-1 .. n-k of the y axis.
        let top = (n - k) as f64;
        let color = if b.recommended {
            HIGHLIGHT
        } else if b.eligible {
            eligible_color
        } else {
            MUTED
        };
        draw_bar(&mut chart, (0.0, b.monthly_cost_usd), top, color, 5)?;
        let mut label = crate::report::fmt_usd(b.monthly_cost_usd);
        if b.recommended {
            label.push_str("  decided");
            if let Some((usd, share)) = s.saving {
                let verb = if usd >= 0.0 { "saves" } else { "costs" };
                label.push_str(&format!(
                    ", {verb} {} vs flexible",
                    crate::report::fmt_pct(share.abs())
                ));
            }
        }
        draw_bar_label(&mut chart, label, b.monthly_cost_usd + hi * 0.01, top)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_workload;

    #[test]
    fn leaves_out_unavailable_options_and_marks_the_recommendation() {
        let w = sample_workload();
        let s = cost_series(&w);
        assert_eq!(s.unavailable, 1);
        assert_eq!(s.bars.len(), 5);
        let rec: Vec<&CostBar> = s.bars.iter().filter(|b| b.recommended).collect();
        assert_eq!(rec.len(), 1);
        assert_eq!(rec[0].label, "global-standard");
        assert_eq!(s.bars[2].label, "global-provisioned/hourly (15 PTU)");
        assert!((s.bars[2].monthly_cost_usd - 10_950.0).abs() < 1e-9);
    }
}
