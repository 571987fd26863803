//! Chart 4: one workload's PTU deployment by weekday and hour of day (UTC), from the mean
//! weighted demand in that hour against the deployment's capacity (`ptus x
//! input_tpm_per_ptu`): the share of the capacity the hour uses, or, where the demand is more
//! than the capacity, the share of the demand that spills to Standard (fails, without
//! spillover). Never a share above 100%. The deployment is the decided option when it is
//! provisioned, else the cost-optimal count of the first available provisioned type; with no
//! provisioned option the cells show mean weighted TPM instead. The title says which.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_axes, draw_legend, fmt_si, frame, text, truncate, LegendEntry, Swatch, ALERT, INK,
    LABEL_PX,
};
use super::DrawFailure;
use crate::plan::WorkloadPlan;

/// Weekday names, Monday first (the profile's order).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// What the cells measure.
#[derive(Debug, Clone, PartialEq)]
pub enum HeatBasis {
    /// Share of a PTU deployment's capacity (1.0 = 100%); above it, the share of the demand
    /// it does not serve.
    Utilization {
        /// `global-provisioned/hourly at 15 PTU (decided)` or `... (cost-optimal, ...)`.
        label: String,
        /// The deployment's capacity, weighted tokens per minute.
        capacity_tokens_per_min: f64,
        /// Whether demand above capacity spills to Standard (else it fails).
        spills: bool,
    },
    /// Mean weighted tokens per minute (no provisioned option to divide by).
    Tpm,
}

/// The data of a heatmap.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapSeries {
    /// Chart title.
    pub title: String,
    /// What the values are.
    pub basis: HeatBasis,
    /// `cells[weekday][hour]`, Monday and hour 0 first.
    pub cells: Vec<Vec<f64>>,
}

impl HeatmapSeries {
    /// The largest cell value.
    pub fn max(&self) -> f64 {
        self.cells.iter().flatten().copied().fold(0.0, f64::max)
    }
}

/// The weekday x hour means of `w`, divided by the capacity of the decided or cost-optimal
/// PTU deployment.
pub fn heatmap_series(w: &WorkloadPlan) -> HeatmapSeries {
    let name = truncate(&w.deployment, 32);
    let decided = w.decided_option().and_then(|o| {
        o.ptus.map(|p| {
            (
                format!("{} at {p} PTU (decided)", o.id),
                p,
                w.sizing
                    .get(&o.deployment_type)
                    .is_some_and(|s| s.on_throttle == "spillover"),
            )
        })
    });
    let cost_optimal = || {
        w.sizing.iter().next().map(|(dt, s)| {
            let p = s.cost_optimal_ptus;
            (
                format!("{dt} at {p} PTU (cost-optimal, not decided)"),
                p,
                s.on_throttle == "spillover",
            )
        })
    };
    let basis = match (w.input_tpm_per_ptu, decided.or_else(cost_optimal)) {
        (Some(per_ptu), Some((label, ptus, spills))) if ptus > 0 && per_ptu > 0.0 => {
            HeatBasis::Utilization {
                label,
                capacity_tokens_per_min: f64::from(ptus) * per_ptu,
                spills,
            }
        }
        _ => HeatBasis::Tpm,
    };
    let divisor = match &basis {
        HeatBasis::Utilization {
            capacity_tokens_per_min,
            ..
        } => *capacity_tokens_per_min,
        HeatBasis::Tpm => 1.0,
    };
    let cells = (0..7)
        .map(|d| {
            (0..24)
                .map(|h| {
                    w.profile
                        .weekday_hour_mean_weighted_tpm
                        .get(d)
                        .and_then(|row| row.get(h))
                        .copied()
                        .unwrap_or(0.0)
                        / divisor
                })
                .collect()
        })
        .collect();
    let title = match &basis {
        HeatBasis::Utilization { label, .. } => format!("{name}: mean use of {label}"),
        HeatBasis::Tpm => format!("{name}: mean weighted TPM (no provisioned option available)"),
    };
    HeatmapSeries {
        title,
        basis,
        cells,
    }
}

/// Low end of the color ramp.
const COLD: (f64, f64, f64) = (247.0, 251.0, 255.0);
/// High end of the color ramp.
const HOT: (f64, f64, f64) = (8.0, 69.0, 148.0);

/// The ramp color of `t` in 0..=1.
fn ramp(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(COLD.0, HOT.0), mix(COLD.1, HOT.1), mix(COLD.2, HOT.2))
}

/// Draw a heatmap.
pub fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &HeatmapSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let utilization = matches!(s.basis, HeatBasis::Utilization { .. });
    let spills = matches!(s.basis, HeatBasis::Utilization { spills: true, .. });
    // Colors span 0 to the busiest cell (at most 100% for utilization; above is flagged).
    let top = if utilization {
        s.max().min(1.0)
    } else {
        s.max()
    }
    .max(1e-9);
    let fmt_pct = |pct: f64| {
        if pct < 9.95 {
            format!("{pct:.1}")
        } else {
            format!("{pct:.0}")
        }
    };
    // Above capacity a cell shows the share of its demand not served: never over 100%.
    let fmt_cell = |v: f64| {
        if utilization && v > 1.0 {
            fmt_pct(100.0 * (v - 1.0) / v)
        } else if utilization {
            fmt_pct(v * 100.0)
        } else {
            fmt_si(v)
        }
    };
    let mut entries = vec![
        LegendEntry::new(Swatch::Box(ramp(0.0)), format!("0 {}", unit(utilization))),
        LegendEntry::new(
            Swatch::Box(ramp(0.5)),
            format!("{} {}", fmt_cell(top / 2.0), unit(utilization)),
        ),
        LegendEntry::new(
            Swatch::Box(ramp(1.0)),
            format!("{} {} (busiest)", fmt_cell(top), unit(utilization)),
        ),
    ];
    let mut notes = vec![if utilization {
        "Blue cells: % of capacity used".to_owned()
    } else {
        "Cell values: weighted tokens/min".to_owned()
    }];
    if let HeatBasis::Utilization {
        capacity_tokens_per_min,
        ..
    } = &s.basis
    {
        entries.push(LegendEntry::new(
            Swatch::Box(ALERT),
            if spills {
                "demand above capacity: % of it spilled"
            } else {
                "demand above capacity: % of it failed"
            },
        ));
        notes.push("Orange cells: capacity fully used;".to_owned());
        notes.push(if spills {
            "  % of the hour's demand spilled".to_owned()
        } else {
            "  % of the hour's demand failed".to_owned()
        });
        notes.push(format!(
            "Capacity: {} weighted tokens/min",
            fmt_si(*capacity_tokens_per_min)
        ));
    }
    notes.push("Mean over the log's span, UTC".to_owned());
    draw_legend(&legend, &entries, &notes)?;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d((0..23).into_segmented(), (0..6).into_segmented())?;
    // Row 0 is at the bottom; Monday goes on top.
    let y_fmt = |y: &SegmentValue<i32>| match y {
        SegmentValue::CenterOf(r) => usize::try_from(6 - r)
            .ok()
            .and_then(|d| WEEKDAYS.get(d))
            .map_or(String::new(), |d| (*d).to_owned()),
        _ => String::new(),
    };
    let x_fmt = |x: &SegmentValue<i32>| match x {
        SegmentValue::CenterOf(h) => format!("{h}"),
        _ => String::new(),
    };
    draw_axes(
        chart.configure_mesh().disable_mesh(),
        (24, &x_fmt, "Hour of day [UTC]"),
        (7, &y_fmt, "Weekday"),
    )?;
    for (d, row) in s.cells.iter().enumerate() {
        let r = 6 - d as i32;
        for (h, &v) in row.iter().enumerate() {
            let h = h as i32;
            let over = utilization && v > 1.0;
            let t = v / top;
            let fill = if over { ALERT } else { ramp(t) };
            let mut cell = Rectangle::new(
                [
                    (SegmentValue::Exact(h), SegmentValue::Exact(r)),
                    (SegmentValue::Exact(h + 1), SegmentValue::Exact(r + 1)),
                ],
                fill.filled(),
            );
            cell.set_margin(1, 1, 1, 1);
            chart.draw_series(std::iter::once(cell))?;
            let ink = if over || t > 0.55 { WHITE } else { INK };
            chart.draw_series(std::iter::once(Text::new(
                fmt_cell(v),
                (SegmentValue::CenterOf(h), SegmentValue::CenterOf(r)),
                text(LABEL_PX - 2)
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
    }
    Ok(())
}

fn unit(utilization: bool) -> &'static str {
    if utilization {
        "%"
    } else {
        "tokens/min"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_workload;

    #[test]
    fn divides_by_cost_optimal_capacity_when_the_decision_is_per_token() {
        let w = sample_workload();
        let s = heatmap_series(&w);
        assert_eq!(
            s.basis,
            HeatBasis::Utilization {
                label: "global-provisioned at 15 PTU (cost-optimal, not decided)".to_owned(),
                capacity_tokens_per_min: 37_500.0,
                spills: true,
            }
        );
        assert!(s.title.contains("cost-optimal"));
        assert_eq!(s.cells.len(), 7);
        assert!(s.cells.iter().all(|r| r.len() == 24));
        // Monday 09:00 holds 7,500 TPM: 20% of 37,500.
        assert!((s.cells[0][9] - 0.2).abs() < 1e-12);
    }

    #[test]
    fn uses_the_decided_ptu_option_when_there_is_one() {
        let mut w = sample_workload();
        crate::report::test_support::force_decision(&mut w, "global-provisioned/hourly");
        let s = heatmap_series(&w);
        assert!(
            matches!(&s.basis, HeatBasis::Utilization { label, .. } if label == "global-provisioned/hourly at 15 PTU (decided)")
        );
    }

    #[test]
    fn falls_back_to_tpm_without_ptu_figures() {
        let mut w = sample_workload();
        w.input_tpm_per_ptu = None;
        let s = heatmap_series(&w);
        assert_eq!(s.basis, HeatBasis::Tpm);
        assert!((s.cells[0][9] - 7_500.0).abs() < 1e-9);
    }

    #[test]
    fn ramp_runs_from_cold_to_hot() {
        assert_eq!(ramp(0.0), RGBColor(247, 251, 255));
        assert_eq!(ramp(1.0), RGBColor(8, 69, 148));
        assert_eq!(ramp(7.0), ramp(1.0));
    }
}
