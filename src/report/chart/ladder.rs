//! Chart 8: the reservation plan over the horizon (the first what-if scenario with one): per
//! month, the PTUs held on 1-year reservations and on 1-month reservations (or hourly), over
//! every pool, with the month each 1-year purchase is made. Month 1 is what the log's
//! decisions buy now; later months follow the scenario's growth.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_legend, fmt_si, frame, series_color, text, truncate, LegendEntry, Swatch, AXIS_DESC_PX,
    GRID, HIGHLIGHT, INK, LABEL_PX,
};
use super::DrawFailure;
use crate::report::Report;

/// One month of the plan, summed over the pools.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderBar {
    /// Month (1 = the first month after the log).
    pub month: u32,
    /// PTUs on 1-year reservations.
    pub reserved_1_year_ptus: u32,
    /// PTUs on 1-month reservations or hourly.
    pub flex_ptus: u32,
    /// 1-year PTUs bought this month.
    pub bought_ptus: u32,
    /// The month's cost, USD.
    pub cost_usd: f64,
}

/// The data of the reservation-plan chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderSeries {
    /// Chart title.
    pub title: String,
    /// One bar per month.
    pub months: Vec<LadderBar>,
    /// How many pools are summed.
    pub pools: usize,
}

/// The first scenario with a reservation plan, as chart data (None without one).
pub fn ladder_series(report: &Report) -> Option<LadderSeries> {
    let s = report.scenarios.iter().find(|s| s.ladder.is_some())?;
    let l = s.ladder.as_ref()?;
    let months = (1..=l.horizon_months)
        .map(|m| {
            let mut bar = LadderBar {
                month: m,
                reserved_1_year_ptus: 0,
                flex_ptus: 0,
                bought_ptus: 0,
                cost_usd: l
                    .monthly_cost_usd
                    .get(m as usize - 1)
                    .copied()
                    .unwrap_or(0.0),
            };
            for p in &l.pools {
                if let Some(pm) = p.months.iter().find(|x| x.month == m) {
                    bar.reserved_1_year_ptus += pm.reserved_1_year_ptus;
                    bar.flex_ptus += pm.flex_ptus;
                }
                bar.bought_ptus += p
                    .purchases
                    .iter()
                    .filter(|b| b.month == m)
                    .map(|b| b.ptus)
                    .sum::<u32>();
            }
            bar
        })
        .collect();
    Some(LadderSeries {
        title: format!(
            "Reservation plan, scenario {}: PTUs per month",
            truncate(&s.name, 40)
        ),
        months,
        pools: l.pools.len(),
    })
}

/// Draw the reservation-plan chart.
pub fn draw_ladder<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &LadderSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let flex = series_color(0);
    draw_legend(
        &legend,
        &[
            LegendEntry::new(Swatch::Box(HIGHLIGHT), "1-year reservations"),
            LegendEntry::new(Swatch::Box(flex), "1-month reservations or hourly"),
            LegendEntry::new(Swatch::Triangle(INK), "a 1-year purchase (PTUs)"),
        ],
        &[
            format!("Summed over {} pool(s)", s.pools),
            "Month 1: what the decisions buy now".to_owned(),
            "Later months: the scenario's growth".to_owned(),
        ],
    )?;
    let n = s.months.len().max(1);
    let y_hi = s
        .months
        .iter()
        .map(|m| f64::from(m.reserved_1_year_ptus + m.flex_ptus))
        .fold(0.0, f64::max)
        .max(1.0);
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.5..n as f64 + 0.5, 0.0..y_hi * 1.2)?;
    let x_fmt = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 1.0 {
            format!("{i:.0}")
        } else {
            String::new()
        }
    };
    let y_fmt = |y: &f64| fmt_si(*y);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n.min(24) + 1)
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc("Month")
        .y_desc("PTUs held")
        .axis_desc_style(text(AXIS_DESC_PX))
        .label_style(text(LABEL_PX))
        .draw()?;
    for m in &s.months {
        let x = f64::from(m.month);
        let y1 = f64::from(m.reserved_1_year_ptus);
        let y2 = y1 + f64::from(m.flex_ptus);
        if m.reserved_1_year_ptus > 0 {
            let mut bar = Rectangle::new([(x - 0.4, 0.0), (x + 0.4, y1)], HIGHLIGHT.filled());
            bar.set_margin(0, 0, 1, 1);
            chart.draw_series(std::iter::once(bar))?;
        }
        if m.flex_ptus > 0 {
            let mut bar = Rectangle::new([(x - 0.4, y1), (x + 0.4, y2)], flex.filled());
            bar.set_margin(0, 0, 1, 1);
            chart.draw_series(std::iter::once(bar))?;
        }
        if m.bought_ptus > 0 {
            chart.draw_series(std::iter::once(TriangleMarker::new(
                (x, y2 + y_hi * 0.05),
                8,
                INK.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("+{}", m.bought_ptus),
                (x, y2 + y_hi * 0.08),
                text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
        }
    }
    Ok(())
}
