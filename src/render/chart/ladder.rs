//! Chart 8: the reservation plan over the horizon (the first what-if scenario with one): per
//! month, the PTUs one pool (region x provisioned type: PTUs of different pools do not add
//! up; the busiest pool is drawn) holds on 1-year reservations and on 1-month reservations
//! (or hourly), with the month each 1-year purchase is made. Month 1 is what the log's
//! decisions buy now; later months follow the scenario's growth. On the forecast, the P50
//! and P90 PTU need of the pool's workloads (summed) is drawn over the bars.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    draw_axes, draw_legend, fmt_si, frame, series_color, text, truncate, LegendEntry, Swatch,
    HIGHLIGHT, INK, LABEL_PX,
};
use super::DrawFailure;
use crate::plan::ladder::GrowthSource;
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
    /// On the forecast: the pool's members' P50 and P90 PTU need (summed).
    pub need_ptus: Option<(u32, u32)>,
}

/// The data of the reservation-plan chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LadderSeries {
    /// Chart title.
    pub title: String,
    /// One bar per month.
    pub months: Vec<LadderBar>,
    /// The pool drawn ("eastus2 global-provisioned").
    pub pool: String,
    /// How many pools the plan has.
    pub pools: usize,
    /// Where the later months' growth comes from (legend).
    pub growth: &'static str,
}

/// The first scenario with a reservation plan, as chart data: its busiest pool (None without
/// one).
pub fn ladder_series(report: &Report) -> Option<LadderSeries> {
    let s = report.scenarios.iter().find(|s| s.ladder.is_some())?;
    let l = s.ladder.as_ref()?;
    // Reversed, so that on a tie the first pool listed wins (max_by_key keeps the last).
    let p = l.pools.iter().rev().max_by_key(|p| {
        p.months
            .iter()
            .map(|m| u64::from(m.reserved_1_year_ptus.max(m.deployed_ptus)))
            .sum::<u64>()
    })?;
    let forecast = l.growth_source == GrowthSource::Forecast;
    // The pool's members' forecasts (the log's workloads of the same name).
    let forecasts: Vec<(&str, &str, &crate::plan::forecast::Forecast)> = p
        .chargeback
        .iter()
        .filter_map(|c| {
            report
                .workloads
                .iter()
                .find(|w| {
                    w.deployment == c.deployment && w.model == c.model && w.region == p.region
                })
                .and_then(|w| w.forecast.as_ref())
                .map(|f| (c.deployment.as_str(), c.model.as_str(), f))
        })
        .collect();
    // A member whose model has retired by a month needs nothing in it (the plan drops it too).
    let need = |pm: &crate::plan::ladder::LadderMonth| -> Option<(u32, u32)> {
        if !forecast || forecasts.is_empty() {
            return None;
        }
        let mut sum = (0u32, 0u32);
        for (deployment, model, f) in &forecasts {
            let retired = pm
                .workloads
                .iter()
                .any(|w| w.deployment == *deployment && w.model == *model && w.retired);
            if retired {
                continue;
            }
            let fm = f.months.iter().find(|x| x.month == pm.month)?;
            sum.0 += fm.p50_ptus.get(&p.deployment_type).copied()?;
            sum.1 += fm.p90_ptus.get(&p.deployment_type).copied()?;
        }
        Some(sum)
    };
    let months = p
        .months
        .iter()
        .map(|pm| LadderBar {
            month: pm.month,
            reserved_1_year_ptus: pm.reserved_1_year_ptus,
            flex_ptus: pm.flex_ptus,
            bought_ptus: p
                .purchases
                .iter()
                .filter(|b| b.month == pm.month)
                .map(|b| b.ptus)
                .sum::<u32>(),
            cost_usd: pm.cost_usd,
            need_ptus: need(pm),
        })
        .collect();
    Some(LadderSeries {
        title: format!(
            "Reservation plan, scenario {}: {} {}, PTUs per month",
            truncate(&s.name, 30),
            truncate(&p.region, 20),
            p.deployment_type
        ),
        months,
        pool: format!("{} {}", p.region, p.deployment_type),
        pools: l.pools.len(),
        growth: match l.growth_source {
            GrowthSource::Forecast => "Later months: the forecast's median",
            GrowthSource::Flag => "Later months: --growth-pct",
            GrowthSource::File => "Later months: the scenario's growth",
        },
    })
}

/// Draw the reservation-plan chart.
pub fn draw_ladder<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &LadderSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let flex = series_color(0);
    let p50 = series_color(1);
    let p90 = series_color(2);
    let has_need = s.months.iter().any(|m| m.need_ptus.is_some());
    let mut entries = vec![
        LegendEntry::new(Swatch::Box(HIGHLIGHT), "1-year reservations"),
        LegendEntry::new(Swatch::Box(flex), "1-month reservations or hourly"),
        LegendEntry::new(Swatch::Triangle(INK), "a 1-year purchase (PTUs)"),
    ];
    if has_need {
        entries.push(LegendEntry::new(
            Swatch::Line(p50),
            "P50 need, no spillover (forecast)",
        ));
        entries.push(LegendEntry::new(
            Swatch::Dashed(p90),
            "P90 need, no spillover (forecast)",
        ));
    }
    let mut notes = vec![
        if s.pools > 1 {
            format!("Pool {} (of {})", s.pool, s.pools)
        } else {
            format!("Pool {}", s.pool)
        },
        "Month 1: what the decisions buy now".to_owned(),
        s.growth.to_owned(),
    ];
    if has_need {
        notes.push("Need: the pool's workloads, summed".to_owned());
        notes.push("Bars below it: the rest spills to Standard".to_owned());
    }
    draw_legend(&legend, &entries, &notes)?;
    let n = s.months.len().max(1);
    let y_hi = s
        .months
        .iter()
        .map(|m| {
            let need = m.need_ptus.map_or(0, |(a, b)| a.max(b));
            f64::from((m.reserved_1_year_ptus + m.flex_ptus).max(need))
        })
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
    // PTUs are whole: a tick between two counts gets no label (a pool that holds nothing has
    // 0 and 1, not 0, 0, 0, 1, 1).
    let y_fmt = |y: &f64| {
        if (y - y.round()).abs() < 1e-6 {
            fmt_si(y.round())
        } else {
            String::new()
        }
    };
    draw_axes(
        chart.configure_mesh().disable_x_mesh(),
        (n.min(24) + 1, &x_fmt, "Month"),
        (8, &y_fmt, "PTUs held"),
    )?;
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
    }
    let line = |pick: fn((u32, u32)) -> u32| -> Vec<(f64, f64)> {
        s.months
            .iter()
            .filter_map(|m| {
                m.need_ptus
                    .map(|n| (f64::from(m.month), f64::from(pick(n))))
            })
            .collect()
    };
    if has_need {
        chart.draw_series(LineSeries::new(line(|n| n.0), p50.stroke_width(3)))?;
        chart.draw_series(DashedLineSeries::new(
            line(|n| n.1),
            6,
            5,
            p90.stroke_width(3),
        ))?;
    }
    for m in &s.months {
        let x = f64::from(m.month);
        let y2 = f64::from(m.reserved_1_year_ptus + m.flex_ptus);
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
