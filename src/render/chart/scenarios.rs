//! Chart 6: monthly cost by scenario, stacked by workload: one horizontal bar per scenario
//! (the log as is first), each workload's recommended monthly cost a segment, the total at the
//! bar's end. Workloads are matched across scenarios by deployment name, so a migrated
//! workload keeps its color; a Batch share or an added workload gets its own.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    bar_rows, draw_bar, draw_bar_label, draw_legend, fmt_usd_short, frame, series_color, truncate,
    LegendEntry, Swatch,
};
use super::DrawFailure;
use crate::report::scenario::recommendation;
use crate::report::Report;

/// Legend entries beyond this are summed into one "other workloads" entry.
pub const MAX_SEGMENTS: usize = 12;

/// One bar: a scenario's cost per workload.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioBar {
    /// Scenario name.
    pub label: String,
    /// USD per month per workload, in [`ScenarioCostSeries::workloads`] order.
    pub usd: Vec<f64>,
    /// False when some workload has no eligible option (the bar leaves it out).
    pub complete: bool,
}

impl ScenarioBar {
    /// The bar's total, USD per month.
    pub fn total(&self) -> f64 {
        self.usd.iter().sum()
    }
}

/// The data of the scenario chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioCostSeries {
    /// Chart title.
    pub title: String,
    /// Segment names (deployments), in stacking order.
    pub workloads: Vec<String>,
    /// One bar per scenario, the log as is first.
    pub bars: Vec<ScenarioBar>,
}

/// Every scenario's recommended monthly cost per deployment.
pub fn scenario_cost_series(report: &Report) -> ScenarioCostSeries {
    let mut workloads: Vec<String> = Vec::new();
    let sets = std::iter::once((
        crate::scenario::BASELINE,
        &report.workloads,
        report.summary.complete,
    ))
    .chain(
        report
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), &s.workloads, s.summary.complete)),
    );
    // Per scenario: its name, (workload index, USD per month) segments, and completeness.
    type Raw = (String, Vec<(usize, f64)>, bool);
    let mut raw: Vec<Raw> = Vec::new();
    for (name, plans, complete) in sets {
        let mut segs = Vec::new();
        for w in plans {
            let i = match workloads.iter().position(|d| d == &w.deployment) {
                Some(i) => i,
                None => {
                    workloads.push(w.deployment.clone());
                    workloads.len() - 1
                }
            };
            segs.push((i, recommendation(w).2.unwrap_or(0.0)));
        }
        raw.push((name.to_owned(), segs, complete));
    }
    let keep = workloads.len().min(MAX_SEGMENTS);
    let folded = workloads.len() > MAX_SEGMENTS;
    let mut names: Vec<String> = workloads.iter().take(keep).cloned().collect();
    if folded {
        names.truncate(MAX_SEGMENTS - 1);
        names.push(format!(
            "{} other workloads",
            workloads.len() - (MAX_SEGMENTS - 1)
        ));
    }
    let bars = raw
        .into_iter()
        .map(|(label, segs, complete)| {
            let mut usd = vec![0.0; names.len()];
            for (i, v) in segs {
                usd[i.min(names.len() - 1)] += v;
            }
            ScenarioBar {
                label,
                usd,
                complete,
            }
        })
        .collect();
    ScenarioCostSeries {
        title: "Monthly cost by scenario (decided option per workload)".to_owned(),
        workloads: names,
        bars,
    }
}

/// Chart height for `n` bars, pixels (as the token-mix chart's rows, at least 280).
pub fn height_for(n: usize) -> u32 {
    super::tokens::height_for(n).max(280)
}

/// Draw the scenario chart.
pub fn draw_scenarios<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &ScenarioCostSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let entries: Vec<LegendEntry> = s
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| LegendEntry::new(Swatch::Box(series_color(i)), truncate(w, 34)))
        .collect();
    draw_legend(
        &legend,
        &entries,
        &["Stacked: one segment per workload".to_owned()],
    )?;
    let n = s.bars.len().max(1);
    let max = s.bars.iter().map(ScenarioBar::total).fold(0.0, f64::max);
    let x_max = if max > 0.0 { max * 1.18 } else { 1.0 };
    let x_fmt = |x: &f64| fmt_usd_short(*x);
    let labels: Vec<String> = s.bars.iter().map(|b| truncate(&b.label, 26)).collect();
    let mut chart = bar_rows(
        root,
        &plot,
        (0.0..x_max, (8, &x_fmt, "Cost [USD/mo]")),
        (200, &labels, "Scenario"),
    )?;
    for (k, b) in s.bars.iter().enumerate() {
        let top = (n - k) as f64;
        let mut x = 0.0;
        for (i, v) in b.usd.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            draw_bar(&mut chart, (x, x + v), top, series_color(i), 8)?;
            x += v;
        }
        let label = if b.complete {
            format!(" {}/mo", fmt_usd_short(b.total()))
        } else {
            format!(" {}/mo, incomplete", fmt_usd_short(b.total()))
        };
        draw_bar_label(&mut chart, label, x, top)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::scenario::ScenarioReport;
    use crate::report::test_support::{report_of, sample_workload};

    #[test]
    fn stacks_each_scenario_by_workload() {
        let mut report = report_of(vec![sample_workload()]);
        let mut w = sample_workload();
        w.deployment = "new-bot".into();
        report.scenarios.push(ScenarioReport {
            name: "more".into(),
            origin: "test".into(),
            description: None,
            seed: 1,
            jitter_ms: 0,
            transforms: Vec::new(),
            horizon_months: None,
            requests_replayed: 0,
            workloads: vec![sample_workload(), w],
            recommended_monthly_cost_usd: 600.0,
            monthly_cost_delta_usd: Some(300.0),
            monthly_cost_delta_pct: Some(100.0),
            summary: report.summary.clone(),
            reservations: Vec::new(),
            origins: Vec::new(),
            notes: Vec::new(),
            ladder: None,
        });
        let s = scenario_cost_series(&report);
        assert_eq!(s.workloads, vec!["chat-prod", "new-bot"]);
        assert_eq!(s.bars.len(), 2);
        assert_eq!(s.bars[0].usd, vec![300.0, 0.0]);
        assert_eq!(s.bars[1].usd, vec![300.0, 300.0]);
        assert_eq!(s.bars[1].total(), 600.0);
    }
}
