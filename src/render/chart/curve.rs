//! Chart 3: "how many PTUs": monthly cost versus PTU count for each provisioned type of one
//! workload, read from the search (`sizing.<type>.curve`), on linear axes zoomed to the counts
//! that matter (the recommended, target and cost-optimal counts, not the search's ceiling):
//! hourly billing as a solid line, the 1-year reservation dashed, the recommended count and the
//! target count as labelled vertical lines, the cost-optimal (hourly) and smallest-within-target
//! counts as marks, and the cheapest real-time per-token option as a flat line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    draw_axes, draw_legend, fmt_usd_short, frame, series_color, LegendEntry, Swatch, ALERT,
    HIGHLIGHT, INK,
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

/// A labelled vertical line at a PTU count.
#[derive(Debug, Clone, PartialEq)]
pub struct CountMark {
    /// The count.
    pub ptus: f64,
    /// `recommended: 655 PTU (reserved-1-year)`.
    pub label: String,
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
    /// Whether that per-token option is the recommendation.
    pub per_token_recommended: bool,
    /// When it is: why, in a few words (no PTU count is cheaper; or, when a curve dips below
    /// it, the decision's reason for not committing: the band, the minimum saving, the
    /// retirement, the short log, the targets).
    pub per_token_why: Option<String>,
    /// The recommended option's count, when it is provisioned.
    pub recommended: Option<CountMark>,
    /// The target count (smallest meeting the throttle target) of the recommended type, or of
    /// the cheapest provisioned type when the recommendation is per-token.
    pub target: Option<CountMark>,
    /// The right end of the x axis: the counts that matter and room around them.
    pub x_max: f64,
}

/// Monthly costs along each type's sweep, and the cheapest per-token option.
pub fn curve_series(report: &Report, w: &WorkloadPlan) -> CurveSeries {
    let hours = report.input.hours;
    let types: Vec<TypeCurve> = w
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
    let d = &w.decision;
    let rec = d.option.as_ref().filter(|o| o.ptus.is_some());
    let recommended = rec.map(|o| CountMark {
        ptus: f64::from(o.ptus.unwrap_or(0)),
        label: format!(
            "{} PTU, {} {}",
            crate::report::fmt_int(u64::from(o.ptus.unwrap_or(0))),
            super::demand::short_type(&o.deployment_type.to_string()),
            crate::report::text::billing_short(o.billing)
        ),
    });
    // The type argued with: the decided one, else the reservation weighed, else the first.
    let focus = rec
        .map(|o| o.deployment_type)
        .or_else(|| d.reservation.as_ref().map(|c| c.choice.deployment_type))
        .or_else(|| w.sizing.keys().next().copied());
    let target = focus
        .and_then(|t| w.sizing.get(&t).map(|s| (t, s)))
        .and_then(|(t, s)| {
            let n = s.min_ptus_for_target?;
            Some(CountMark {
                ptus: f64::from(n),
                label: format!(
                    "{} PTU meet the {} target ({})",
                    crate::report::fmt_int(u64::from(n)),
                    crate::report::fmt_pct(report.assumptions.plan.max_throttle_rate),
                    t.as_str().trim_end_matches("-provisioned")
                ),
            })
        });
    let per_token_recommended = match (&per_token, &d.option) {
        (Some((id, _)), Some(r)) => *id == r.option_id,
        _ => false,
    };
    let x_max = zoom(&types, recommended.as_ref(), target.as_ref());
    let per_token_why = per_token
        .as_ref()
        .filter(|_| per_token_recommended)
        .map(|(_, cost)| per_token_why(report, w, &types, *cost));
    CurveSeries {
        title: format!("{}: monthly cost vs PTU count", workload_label(w)),
        types,
        per_token,
        per_token_recommended,
        per_token_why,
        recommended,
        target,
        x_max,
    }
}

/// Why the per-token option is decided, for its legend entry: "no PTU count is cheaper" only
/// when no point of any curve is; else the decision's reason for not committing.
fn per_token_why(report: &Report, w: &WorkloadPlan, types: &[TypeCurve], cost: f64) -> String {
    use crate::plan::decision::Reason;
    let cheaper = types
        .iter()
        .flat_map(|t| t.hourly.iter().chain(&t.reserved_1_year))
        .any(|p| p.1 < cost - 0.005);
    if !cheaper {
        return "decided: no PTU count is cheaper".to_owned();
    }
    let reasons = &w.decision.reasons;
    let has = |code: &str| reasons.iter().any(|r| r.code() == code);
    let over_term = reasons.iter().any(|r| {
        matches!(
            r,
            Reason::CommitmentRejected {
                over_term: true,
                ..
            }
        )
    });
    // Short enough for the legend (40 characters).
    if has("short-log") {
        "decided: log too short to commit".to_owned()
    } else if has("coarse-log") {
        "decided: log too coarse to commit".to_owned()
    } else if over_term {
        "decided: model retires inside the term".to_owned()
    } else if has("commitment-rejected") {
        format!(
            "decided: under {} saving at some window",
            crate::report::fmt_pct(report.assumptions.plan.decision.min_saving)
        )
    } else if has("ptu-unverified") {
        "decided: PTU here is unverified".to_owned()
    } else {
        "decided: cheaper counts miss a target".to_owned()
    }
}

/// The right end of the x axis: 1.6 times the largest count that matters (recommended,
/// target, cost-optimal, smallest within target), at least the second count evaluated (so a
/// curve has two points), at most the largest evaluated count.
fn zoom(types: &[TypeCurve], recommended: Option<&CountMark>, target: Option<&CountMark>) -> f64 {
    let marks = types
        .iter()
        .flat_map(|t| [t.cost_optimal, t.min_for_target])
        .flatten()
        .map(|p| p.0)
        .chain(recommended.map(|m| m.ptus))
        .chain(target.map(|m| m.ptus));
    let largest_mark = marks.fold(0.0, f64::max);
    let counts: Vec<f64> = {
        let mut c: Vec<f64> = types
            .iter()
            .flat_map(|t| t.hourly.iter().map(|p| p.0))
            .collect();
        c.sort_by(f64::total_cmp);
        c.dedup();
        c
    };
    let second = counts.get(1).or(counts.first()).copied().unwrap_or(1.0);
    let largest = counts.last().copied().unwrap_or(1.0);
    (largest_mark * 1.6).max(second).min(largest).max(1.0)
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
        let mut e = LegendEntry::new(
            Swatch::Line(HIGHLIGHT),
            format!("{id}: {}/mo", fmt_usd_short(*cost)),
        );
        if let Some(why) = &s.per_token_why {
            e = e.with_detail(why.clone());
        }
        entries.push(e);
    }
    if let Some(m) = &s.recommended {
        entries.push(
            LegendEntry::new(Swatch::Line(INK), "recommended count").with_detail(m.label.clone()),
        );
    }
    if let Some(m) = &s.target {
        entries.push(
            LegendEntry::new(Swatch::Dashed(ALERT), "target count").with_detail(m.label.clone()),
        );
    }
    entries.push(LegendEntry::new(
        Swatch::Dot(INK),
        "cost-optimal count (hourly)",
    ));
    entries.push(LegendEntry::new(
        Swatch::Triangle(INK),
        "smallest count within target",
    ));
    draw_legend(
        &legend,
        &entries,
        &["PTU cost plus spillover, per 730-h month".to_owned()],
    )?;
    let x_max = s.x_max;
    let visible = |p: &&(f64, f64)| p.0 <= x_max;
    let y_hi = s
        .types
        .iter()
        .flat_map(|t| t.hourly.iter().chain(&t.reserved_1_year))
        .filter(visible)
        .map(|p| p.1)
        .chain(s.per_token.iter().map(|(_, c)| *c))
        .fold(0.0, f64::max)
        .max(1.0);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..x_max * 1.04, 0.0..y_hi * 1.12)?;
    let y_fmt = |y: &f64| fmt_usd_short(*y);
    let x_fmt = |x: &f64| crate::report::fmt_int(x.round().max(0.0) as u64);
    draw_axes(
        &mut chart.configure_mesh(),
        (10, &x_fmt, "Deployed PTUs"),
        (10, &y_fmt, "Monthly cost [USD/month]"),
    )?;
    if let Some((_, cost)) = &s.per_token {
        let width = if s.per_token_recommended { 4 } else { 2 };
        chart.draw_series(LineSeries::new(
            [(0.0, *cost), (x_max * 1.04, *cost)],
            HIGHLIGHT.stroke_width(width),
        ))?;
    }
    let y_top = y_hi * 1.12;
    if let Some(m) = &s.target {
        chart.draw_series(DashedLineSeries::new(
            [(m.ptus, 0.0), (m.ptus, y_top)],
            8,
            5,
            ALERT.stroke_width(2),
        ))?;
    }
    if let Some(m) = &s.recommended {
        chart.draw_series(LineSeries::new(
            [(m.ptus, 0.0), (m.ptus, y_top)],
            INK.stroke_width(2),
        ))?;
    }
    for (i, t) in s.types.iter().enumerate() {
        let c = series_color(i);
        // Each curve up to the zoom, plus the next point so the line runs to the edge.
        let clip = |points: &[(f64, f64)]| -> Vec<(f64, f64)> {
            let mut out: Vec<(f64, f64)> =
                points.iter().copied().filter(|p| p.0 <= x_max).collect();
            if let Some(next) = points.iter().find(|p| p.0 > x_max) {
                if let Some(&last) = out.last() {
                    // Interpolate to the axis end rather than draw outside the plot.
                    let f = (x_max * 1.04 - last.0) / (next.0 - last.0);
                    out.push((x_max * 1.04, last.1 + f.min(1.0) * (next.1 - last.1)));
                }
            }
            out
        };
        let hourly = clip(&t.hourly);
        let reserved = clip(&t.reserved_1_year);
        chart.draw_series(LineSeries::new(hourly.iter().copied(), c.stroke_width(2)))?;
        chart.draw_series(DashedLineSeries::new(
            reserved.iter().copied(),
            8,
            5,
            c.stroke_width(2),
        ))?;
        // Small dots on every evaluated count, so a one-count search still shows.
        chart.draw_series(
            t.hourly
                .iter()
                .chain(&t.reserved_1_year)
                .filter(visible)
                .map(|&p| Circle::new(p, 3, c.filled())),
        )?;
        if let Some(p) = t.cost_optimal.filter(|p| p.0 <= x_max) {
            chart.draw_series(std::iter::once(Circle::new(p, 7, c.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(p, 7, INK.stroke_width(1))))?;
        }
        if let Some(p) = t.min_for_target.filter(|p| p.0 <= x_max) {
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
        // Batch is cheaper but not real-time; the cheapest real-time option is the line, and
        // the recommendation.
        assert_eq!(s.per_token, Some(("global-standard".to_owned(), 300.0)));
        assert!(s.per_token_recommended);
        // Its 1-year curve (3,315 at 15 PTU) never dips below 300 USD/mo.
        assert_eq!(
            s.per_token_why.as_deref(),
            Some("decided: no PTU count is cheaper")
        );
        assert_eq!(s.recommended, None);
        // The target count of the best PTU type is marked; the axis ends at the last count.
        let target = s.target.expect("a target");
        assert_eq!(target.ptus, 30.0);
        assert_eq!(target.label, "30 PTU meet the 1.0% target (global)");
        assert_eq!(s.x_max, 30.0);
    }

    /// Per-token decided while its own 1-year curve is cheaper (tester18 item 4): the legend
    /// says why it was not committed to, not "no PTU count is cheaper".
    #[test]
    fn issue_18_per_token_decided_below_a_curve_says_why() {
        let report = sample_report();
        let mut w = sample_workload();
        let sizing = w
            .sizing
            .get_mut(&crate::catalog::DeploymentTypeId::GlobalProvisioned)
            .expect("sized");
        // A 1-year curve under per-token's 300 USD/mo.
        for p in &mut sizing.curve {
            p.cost_1_year_usd = 200.0;
        }
        w.decision
            .reasons
            .push(crate::plan::decision::Reason::CommitmentRejected {
                option_id: "global-provisioned/reserved-1-year".into(),
                billing: Billing::Reserved1Year,
                ptus: 15,
                saving_usd: 100.0,
                saving_share: 0.33,
                short_windows: vec![(1.0, -0.2)],
                failing_windows: Vec::new(),
                min_saving: 0.1,
                over_term: false,
            });
        let s = curve_series(&report, &w);
        assert_eq!(
            s.per_token_why.as_deref(),
            Some("decided: under 10.0% saving at some window")
        );
    }

    #[test]
    fn issue_14_zooms_to_the_counts_that_matter() {
        let report = sample_report();
        let mut w = sample_workload();
        crate::report::test_support::force_decision(&mut w, "global-provisioned/reserved-1-year");
        let sizing = w
            .sizing
            .get_mut(&crate::catalog::DeploymentTypeId::GlobalProvisioned)
            .expect("sized");
        // A search that evaluated counts up to 12,600 while the decision lies at 15 and 30.
        for n in [60, 120, 1_000, 12_600] {
            let mut p = sizing.curve[1].clone();
            p.ptus = n;
            sizing.curve.push(p);
        }
        let s = curve_series(&report, &w);
        assert_eq!(
            s.x_max, 48.0,
            "1.6 x the target count, not the search's 12,600"
        );
        let rec = s.recommended.expect("recommended count");
        assert_eq!(rec.ptus, 15.0);
        assert_eq!(rec.label, "15 PTU, global provisioned 1-year");
        assert!(!s.per_token_recommended);
    }
}
