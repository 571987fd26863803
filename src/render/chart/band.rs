//! Chart 7: the decision across the window band. At every bucket window of the band (Azure
//! publishes no burst allowance), the decided option's monthly cost and the flexible option's
//! (the cheapest with no commitment), the most a reservation may cost there to save
//! `--min-saving`, and, when the decision is not a reservation, the reservation that was
//! weighed: where its line crosses above the threshold, the commitment does not hold.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_axes, draw_legend, frame, series_color, text, LegendEntry, Swatch, ALERT, HIGHLIGHT,
    LABEL_PX, NOTE,
};
use super::{workload_label, DrawFailure};
use crate::plan::WorkloadPlan;
use crate::report::text::{billing_short, window_text};

/// One line of the chart: a label and a monthly cost per window (None: not priced there).
#[derive(Debug, Clone, PartialEq)]
pub struct BandLine {
    /// Legend label.
    pub label: String,
    /// USD per month at each window, in [`BandSeries::windows_s`] order.
    pub usd: Vec<Option<f64>>,
}

/// The data of a band chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BandSeries {
    /// Chart title.
    pub title: String,
    /// The windows, seconds, ascending.
    pub windows_s: Vec<f64>,
    /// The window in use.
    pub run_window_s: f64,
    /// The decided option.
    pub decided: BandLine,
    /// The flexible option at each window.
    pub flexible: BandLine,
    /// The flexible option's cost less `--min-saving`: the most a reservation may cost.
    pub threshold: Option<BandLine>,
    /// The reservation weighed and not decided, if any.
    pub weighed: Option<BandLine>,
    /// Notes under the legend.
    pub notes: Vec<String>,
}

/// The band figures of `w`'s decision; `min_saving` is `--min-saving` as a share.
pub fn band_series(w: &WorkloadPlan, min_saving: f64) -> BandSeries {
    let d = &w.decision;
    let windows_s: Vec<f64> = d.by_window.iter().map(|b| b.window_s).collect();
    let decided_label = d
        .option
        .as_ref()
        .map_or("no decision".to_owned(), |o| match o.ptus {
            Some(n) => format!("decided: {} {} PTU", billing_short(o.billing), n),
            None => format!("decided: {}", o.option_id),
        });
    let decided = BandLine {
        label: decided_label,
        usd: d
            .by_window
            .iter()
            .map(|b| b.decided.as_ref().map(|c| c.monthly_cost_usd))
            .collect(),
    };
    let unconfirmed_flexible = d
        .by_window
        .iter()
        .filter_map(|b| b.flexible.as_ref())
        .find(|c| c.availability_unconfirmed);
    let flexible = BandLine {
        label: match unconfirmed_flexible {
            Some(c) => format!("{} (availability unconfirmed)", c.option_id),
            None => "flexible (cheapest without commitment)".to_owned(),
        },
        usd: d
            .by_window
            .iter()
            .map(|b| b.flexible.as_ref().map(|c| c.monthly_cost_usd))
            .collect(),
    };
    let mut notes = vec![format!("Window in use: {}", window_text(d.run_window_s))];
    let decided_id = d.option.as_ref().map(|o| o.option_id.as_str());
    let weighed = d
        .reservation
        .as_ref()
        .filter(|c| Some(c.choice.option_id.as_str()) != decided_id)
        .map(|c| {
            let over_term = c.lifecycle.as_ref().map_or(String::new(), |l| {
                notes.push(format!("{} retires inside the term:", l.model));
                notes.push("the reservation's line is its term's".to_owned());
                notes.push("saving against this month's flexible cost".to_owned());
                " over its term".to_owned()
            });
            BandLine {
                label: format!(
                    "not decided: {} {} PTU{over_term}",
                    billing_short(c.choice.billing),
                    c.choice.ptus.unwrap_or(0)
                ),
                // Over the term when the model retires inside it: the line sits above the
                // threshold wherever the term's saving falls short, as the decision found.
                usd: windows_s
                    .iter()
                    .map(|ws| c.at(*ws).and_then(|cw| cw.month_equivalent_usd()))
                    .collect(),
            }
        });
    let commits = d.option.as_ref().is_some_and(|o| o.is_commitment());
    // The reservation is weighed against its comparator (`decision::comparator_of`), which may
    // be an option held back as unconfirmed rather than the flexible line: the threshold is the
    // comparator's month cost at each window (the reservation's own plus its month's saving).
    let case = d.reservation.as_ref();
    let unconfirmed = case.and_then(|c| {
        c.windows
            .iter()
            .find_map(|w| w.unconfirmed_comparator.clone())
    });
    let threshold = (weighed.is_some() || commits).then(|| BandLine {
        label: match &unconfirmed {
            Some(id) => format!("{id} (unconfirmed) less {:.0}%", min_saving * 100.0),
            None => format!("flexible less {:.0}%", min_saving * 100.0),
        },
        usd: windows_s
            .iter()
            .zip(&flexible.usd)
            .map(|(ws, f)| {
                let comparator = case
                    .and_then(|c| c.at(*ws))
                    .and_then(|cw| Some(cw.own_monthly_cost_usd? + cw.monthly_saving_usd?));
                comparator.or(*f).map(|f| f * (1.0 - min_saving))
            })
            .collect(),
    });
    BandSeries {
        title: format!("{}: monthly cost at each burst window", workload_label(w)),
        windows_s,
        run_window_s: d.run_window_s,
        decided,
        flexible,
        threshold,
        weighed,
        notes,
    }
}

/// Draw a band chart.
pub fn draw_band<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &BandSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let flexible_color = series_color(0);
    let mut entries = vec![
        LegendEntry::new(Swatch::Line(HIGHLIGHT), s.decided.label.clone()),
        LegendEntry::new(Swatch::Dashed(flexible_color), s.flexible.label.clone()),
    ];
    if let Some(t) = &s.threshold {
        entries.push(
            LegendEntry::new(Swatch::Dashed(NOTE), t.label.clone())
                .with_detail("a reservation must stay below"),
        );
    }
    if let Some(w) = &s.weighed {
        entries.push(LegendEntry::new(Swatch::Line(ALERT), w.label.clone()));
    }
    let n = s.windows_s.len().max(1);
    let lines: Vec<&BandLine> = [Some(&s.decided), Some(&s.flexible)]
        .into_iter()
        .chain([s.threshold.as_ref(), s.weighed.as_ref()])
        .flatten()
        .collect();
    let values: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.usd.iter().flatten())
        .copied()
        .collect();
    let y_hi = values.iter().copied().fold(0.0, f64::max).max(1.0);
    let y_min = values.iter().copied().fold(f64::INFINITY, f64::min);
    // A 10% saving must be visible: when every line sits in the top half, the axis starts
    // below the lowest one instead of at 0 (and the legend says so).
    let y_lo = if y_min.is_finite() && y_min > 0.5 * y_hi {
        (y_min - 0.25 * (y_hi - y_min).max(0.05 * y_hi)).max(0.0)
    } else {
        0.0
    };
    let mut notes = s.notes.clone();
    notes.push("USD per 730-hour month".to_owned());
    if y_lo > 0.0 {
        notes.push(format!(
            "The axis starts at ${}, not 0",
            crate::report::fmt_int(y_lo.round() as u64)
        ));
    }
    draw_legend(&legend, &entries, &notes)?;
    let x_max = (n as f64 - 0.5).max(0.5);
    let y_top = y_hi + 0.15 * (y_hi - y_lo);
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(96)
        .build_cartesian_2d(-0.5..x_max, y_lo..y_top)?;
    let windows = s.windows_s.clone();
    let x_fmt = move |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            windows
                .get(i as usize)
                .map_or(String::new(), |w| window_text(*w))
        } else {
            String::new()
        }
    };
    // Whole dollars: a zoomed axis needs more than two significant digits.
    let dollars = |v: f64| format!("${}", crate::report::fmt_int(v.round().max(0.0) as u64));
    let y_fmt = |y: &f64| dollars(*y);
    draw_axes(
        chart.configure_mesh().disable_x_mesh(),
        (n * 2 + 1, &x_fmt, "Bucket window (burst allowance) [s]"),
        (8, &y_fmt, "Monthly cost [USD/month]"),
    )?;
    let points = |l: &BandLine| -> Vec<(f64, f64)> {
        l.usd
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect()
    };
    if let Some(w) = &s.weighed {
        let p = points(w);
        chart.draw_series(LineSeries::new(p.clone(), ALERT.stroke_width(2)))?;
        chart.draw_series(
            p.iter()
                .map(|(x, y)| Circle::new((*x, *y), 5, ALERT.filled())),
        )?;
    }
    if let Some(t) = &s.threshold {
        chart.draw_series(DashedLineSeries::new(points(t), 4, 6, NOTE.stroke_width(2)))?;
    }
    chart.draw_series(DashedLineSeries::new(
        points(&s.flexible),
        10,
        6,
        flexible_color.stroke_width(3),
    ))?;
    let decided = points(&s.decided);
    chart.draw_series(LineSeries::new(decided.clone(), HIGHLIGHT.stroke_width(4)))?;
    chart.draw_series(
        decided
            .iter()
            .map(|(x, y)| Circle::new((*x, *y), 6, HIGHLIGHT.filled())),
    )?;
    for (x, y) in &decided {
        chart.draw_series(std::iter::once(Text::new(
            dollars(*y),
            (*x, *y + (y_top - y_lo) * 0.03),
            text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
        )))?;
    }
    if let Some(i) = s.windows_s.iter().position(|w| *w == s.run_window_s) {
        chart.draw_series(std::iter::once(Text::new(
            "in use",
            (i as f64, y_top - (y_top - y_lo) * 0.02),
            text(LABEL_PX)
                .color(&NOTE)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_workload;

    #[test]
    fn one_point_per_window_for_the_decided_and_the_flexible_option() {
        let w = sample_workload();
        let s = band_series(&w, 0.1);
        assert_eq!(s.windows_s, vec![60.0]);
        assert_eq!(s.decided.usd, vec![Some(300.0)]);
        assert_eq!(s.flexible.usd, vec![Some(300.0)]);
        assert_eq!(s.decided.label, "decided: global-standard");
    }

    /// A reservation weighed against an option held back as unconfirmed: the threshold is that
    /// option's cost less the minimum saving, not the flexible line's.
    #[test]
    fn the_threshold_is_the_comparators() {
        let mut w = sample_workload();
        let reservation = w
            .options
            .iter()
            .find(|o| o.id == "global-provisioned/reserved-1-year")
            .and_then(crate::plan::decision::Choice::of)
            .expect("a reservation");
        w.decision.reservation = Some(crate::plan::decision::ReservationCase {
            windows: vec![crate::plan::decision::CaseWindow {
                window_s: 60.0,
                monthly_cost_usd: Some(3_315.0),
                flexible_monthly_cost_usd: Some(3_500.0),
                unconfirmed_comparator: Some("data-zone-standard".to_owned()),
                meets_targets: true,
                monthly_saving_usd: Some(185.0),
                own_monthly_cost_usd: Some(3_315.0),
                confirmed_flexible_monthly_cost_usd: Some(10_950.0),
            }],
            choice: reservation,
            lifecycle: None,
            holds: false,
            holds_unless_unconfirmed: false,
        });
        let s = band_series(&w, 0.1);
        let t = s.threshold.expect("a threshold");
        assert_eq!(t.label, "data-zone-standard (unconfirmed) less 10%");
        assert!(
            (t.usd[0].expect("a cost") - 3_150.0).abs() < 1e-9,
            "{:?}",
            t.usd
        );
    }
}
