//! The forecast as the report shows it (its JSON, `workloads[].forecast`, is
//! [`super::contract::forecast`]): the one line of each workload's why block, and the Markdown/HTML section (a summary row per
//! workload, then each workload's months). The words are written here once.

use std::collections::BTreeMap;

use super::section::Section;
use super::text::{insufficient_text, trend_text};
use super::{fmt_int, fmt_usd, Report};
use crate::catalog::DeploymentTypeId;
use crate::plan::WorkloadPlan;

/// The forecast sections of Markdown and HTML: one row per workload, then each forecast
/// workload's months. Empty when no workload has a forecast.
pub fn sections(report: &Report) -> Vec<Section> {
    let with: Vec<&WorkloadPlan> = report
        .workloads
        .iter()
        .filter(|w| w.forecast.is_some())
        .collect();
    if with.is_empty() {
        return Vec::new();
    }
    let mut out = vec![summary_section(&with)];
    for w in with {
        if let Some(s) = months_section(w) {
            out.push(s);
        }
    }
    out
}

fn summary_section(with: &[&WorkloadPlan]) -> Section {
    let rows = with
        .iter()
        .filter_map(|w| {
            let f = w.forecast.as_ref()?;
            let last = f.months.last();
            let need = f.last_p90_need();
            Some(vec![
                w.deployment.clone(),
                w.model.clone(),
                match &f.insufficient {
                    Some(why) => format!("none: {}", insufficient_text(why)),
                    None => trend_text(f).unwrap_or_default(),
                },
                f.steps
                    .iter()
                    .map(|s| format!("{} ({:+.0}%)", s.date, s.volume_change * 100.0))
                    .collect::<Vec<_>>()
                    .join(", "),
                need.map(|(t, _, _)| super::text::type_short(t).to_owned())
                    .unwrap_or_default(),
                last.zip(need)
                    .and_then(|(m, (t, _, _))| m.p50_ptus.get(&t))
                    .map(|n| fmt_int(u64::from(*n)))
                    .unwrap_or_default(),
                need.map(|(_, _, n)| fmt_int(u64::from(n)))
                    .unwrap_or_default(),
                last.and_then(|m| m.p50_monthly_cost_usd)
                    .map(fmt_usd)
                    .unwrap_or_default(),
                last.and_then(|m| m.p90_monthly_cost_usd)
                    .map(fmt_usd)
                    .unwrap_or_default(),
            ])
        })
        .collect();
    let horizon = with
        .iter()
        .filter_map(|w| w.forecast.as_ref()?.months.last().map(|m| m.month))
        .max();
    let when = match horizon {
        Some(m) => format!(
            " Need and cost in month {m}, at the median (P50) and the 90th percentile (P90)."
        ),
        None => " No workload's log is long enough to measure it.".to_owned(),
    };
    Section {
        heading: "Forecast".to_owned(),
        intro: vec![format!(
            "Growth per month measured from the log itself (robust log-linear fit with weekday effects; level shifts are steps, not growth; 90% range from a block bootstrap over weeks).{when}"
        )],
        headers: vec![
            "Deployment",
            "Model",
            "Trend [%/month]",
            "Steps",
            "Type",
            "P50 need [PTU]",
            "P90 need [PTU]",
            "P50 cost [USD/mo]",
            "P90 cost [USD/mo]",
        ],
        right_aligned: vec![5, 6, 7, 8],
        rows,
        notes: vec![
            "PTU need: the plan's target count (exact search at the log's traffic) scaled by the month's busiest load over the log's, rounded up to the type's increment. Cost: the decided option sized to the month (per-token cost with the volume; PTUs with the peak, spillover with the volume).".to_owned(),
        ],
    }
}

fn months_section(w: &WorkloadPlan) -> Option<Section> {
    let f = w.forecast.as_ref()?;
    let t = f.headline_type;
    if f.months.is_empty() {
        return None;
    }
    let ptus = |m: &BTreeMap<DeploymentTypeId, u32>| {
        t.and_then(|t| m.get(&t))
            .map(|n| fmt_int(u64::from(*n)))
            .unwrap_or_else(|| "-".to_owned())
    };
    let usd = |v: Option<f64>| v.map(fmt_usd).unwrap_or_else(|| "-".to_owned());
    let rows = f
        .months
        .iter()
        .map(|m| {
            vec![
                m.month.to_string(),
                fmt_int(m.p50_peak_tpm.round() as u64),
                fmt_int(m.p90_peak_tpm.round() as u64),
                ptus(&m.p50_ptus),
                ptus(&m.p90_ptus),
                usd(m.p50_monthly_cost_usd),
                usd(m.p90_monthly_cost_usd),
            ]
        })
        .collect();
    Some(Section {
        heading: format!("Forecast: {} ({} @ {})", w.deployment, w.model, w.region),
        intro: vec![format!(
            "{}{}",
            super::text::capitalize(&trend_text(f).unwrap_or_default()),
            t.map(|t| format!("; PTU need on {t}")).unwrap_or_default()
        )],
        headers: vec![
            "Month",
            "P50 peak [TPM]",
            "P90 peak [TPM]",
            "P50 need [PTU]",
            "P90 need [PTU]",
            "P50 cost [USD/mo]",
            "P90 cost [USD/mo]",
        ],
        right_aligned: vec![0, 1, 2, 3, 4, 5, 6],
        rows,
        notes: Vec::new(),
    })
}
