//! The summary table, one row per workload and the total, in the two shapes it is drawn in:
//! the documents' (Markdown and HTML: a column per value, [`summary_grid`]) and the
//! terminal's (fewer columns, values stacked in a cell, [`terminal_grid`]). Both are
//! [`Grid`]s built from the same cell texts ([`saving_cell`], [`total_cost_text`]).

use super::grid::{Grid, GridCell, Style};
use crate::plan::{DecisionStatus, WorkloadPlan};
use crate::report::text::{billing_short, type_short};
use crate::report::{fmt_display, fmt_int, fmt_pct, fmt_usd, Report};

/// The most characters of a deployment name the summary table shows (Azure allows 64).
pub(crate) const SUMMARY_DEPLOYMENT_CHARS: usize = 16;

/// The decision per workload, one row each, and the total: the summary table of the Markdown
/// and HTML reports.
pub fn summary_grid(report: &Report) -> Grid {
    let mut rows: Vec<Vec<GridCell>> = report
        .workloads
        .iter()
        .map(|w| {
            let d = &w.decision;
            let o = d.option.as_ref();
            vec![
                GridCell::plain(&w.deployment),
                GridCell::plain(&w.model),
                GridCell::plain(&w.region),
                o.map_or(GridCell::plain(none_cell(d)), |o| {
                    GridCell::code(&o.option_id)
                }),
                GridCell::plain(d.status.as_str()),
                GridCell::plain(
                    o.and_then(|o| o.ptus)
                        .map_or(String::new(), |p| fmt_int(u64::from(p))),
                ),
                GridCell::plain(o.map_or(String::new(), |o| fmt_usd(o.monthly_cost_usd))),
                GridCell::plain(saving_cell(w).replace('\n', " ")),
                GridCell::plain(crate::report::text::short_why(w)),
            ]
        })
        .collect();
    let s = &report.summary;
    let saving: f64 = report
        .workloads
        .iter()
        .map(|w| w.decision.saving_vs_flexible_usd)
        .sum();
    let blank = || GridCell::plain("");
    rows.push(vec![
        GridCell {
            tail: format!(
                "({} workload{})",
                s.workloads,
                if s.workloads == 1 { "" } else { "s" }
            ),
            ..GridCell::strong("Total")
        },
        blank(),
        blank(),
        blank(),
        blank(),
        blank(),
        GridCell::strong(total_cost_text(report, " ")),
        GridCell::plain(if s.complete {
            fmt_usd(saving)
        } else {
            String::new()
        }),
        GridCell::plain(format!(
            "commits {} USD",
            fmt_usd(report.decision_summary.commitment_usd)
        )),
    ]);
    let mut grid = Grid::new(
        &[
            "Deployment",
            "Model",
            "Region",
            "Decision",
            "Status",
            "PTUs",
            "Cost [USD/mo]",
            "Saving vs flexible [USD/mo]",
            "Why",
        ],
        &[5, 6, 7],
    );
    grid.rows = rows;
    grid
}

/// The summary table as the terminal draws it: a row per workload of at most three lines
/// (deployment, model and region stacked; the decision with its billing and status, in short
/// forms on a narrow terminal), then the total.
pub fn terminal_grid(report: &Report) -> Grid {
    let mut t = Grid::new(
        &[
            "Workload",
            "Decision",
            "PTUs",
            "Cost\n[USD/mo]",
            "Saving vs\nflexible",
            "Why",
        ],
        &[2, 3, 4],
    )
    .with_line_breaks();
    t.wrap(0, 10).wrap(5, 18);
    t.shorten(1, 0)
        .droppable(4, 1, Some("saving vs flexible"))
        .droppable(2, 2, Some("PTUs"));
    for w in &report.workloads {
        let d = &w.decision;
        // A long deployment name is cut in the middle with a marker, keeping both ends (where
        // names usually differ); the Why block below names it whole. A workload keeps to three
        // lines.
        let name = GridCell::plain(format!(
            "{}\n{}\n{}",
            truncate_middle(&w.deployment, SUMMARY_DEPLOYMENT_CHARS),
            w.model,
            w.region
        ));
        let option = match &d.option {
            Some(o) => GridCell::plain(format!(
                "{}\n{}\n{}",
                o.deployment_type,
                o.billing.as_str(),
                d.status.as_str()
            ))
            .with_short(format!(
                "{}\n{}\n{}",
                type_short(o.deployment_type),
                billing_short(o.billing),
                d.status.as_str()
            ))
            .styled(if d.status == DecisionStatus::Firm {
                Style::Good
            } else {
                Style::Warn
            }),
            None => GridCell::plain(none_cell(d)).styled(Style::Warn),
        };
        let o = d.option.as_ref();
        t.push(vec![
            name,
            option,
            GridCell::plain(
                o.and_then(|o| o.ptus)
                    .map_or(String::new(), |p| fmt_int(u64::from(p))),
            ),
            GridCell::plain(o.map_or(String::new(), |o| fmt_usd(o.monthly_cost_usd))),
            GridCell::plain(saving_cell(w)),
            GridCell::plain(crate::report::text::short_why(w)),
        ]);
    }
    t.push_styled(total_row(report), Style::Strong);
    t
}

/// The saving cell: `-` when the flexible option is decided, else `1,234.56\n(9.0%)` (the
/// flexible option's cost minus the decided one's at the window in use; the percent is the
/// range over the band, `11.4-52.7%`, when it differs between windows).
pub fn saving_cell(w: &WorkloadPlan) -> String {
    let d = &w.decision;
    match (&d.option, &d.flexible) {
        (Some(o), Some(f)) if o.option_id == f.option_id => "-".to_owned(),
        (Some(_), Some(_)) => match d.saving_vs_flexible_share {
            // Across the band the saving is a range: its ends, the least first.
            Some(_) if crate::report::text::saving_range(d).is_some() => format!(
                "{}\n({})",
                fmt_usd(d.saving_vs_flexible_usd),
                crate::report::text::saving_range(d)
                    .map(|r| crate::report::text::share_range_text(&r))
                    .unwrap_or_default()
            ),
            Some(share) => format!(
                "{}\n({})",
                fmt_usd(d.saving_vs_flexible_usd),
                fmt_pct(share)
            ),
            None => fmt_usd(d.saving_vs_flexible_usd),
        },
        _ => String::new(),
    }
}

fn total_row(report: &Report) -> Vec<GridCell> {
    let s = &report.summary;
    let ptus: u32 = report
        .workloads
        .iter()
        .filter_map(|w| w.decision.option.as_ref().and_then(|o| o.ptus))
        .sum();
    let saving: f64 = report
        .workloads
        .iter()
        .map(|w| w.decision.saving_vs_flexible_usd)
        .sum();
    let mut why = Vec::new();
    if !s.complete {
        why.push(format!(
            "INCOMPLETE: {} of {} workload(s) have no eligible option; the total covers the others",
            s.workloads_without_recommendation, s.workloads
        ));
    }
    let commitment = report.decision_summary.commitment_usd;
    if commitment > 0.0 {
        why.push(format!("reservations commit {} USD", fmt_usd(commitment)));
    } else {
        why.push("commits nothing".to_owned());
    }
    if let Some(d) = fmt_display(report.currency.as_ref(), s.recommended_monthly_cost_usd) {
        why.push(format!("{d} per month"));
    }
    let why = why.join("; ");
    vec![
        GridCell::plain(format!(
            "Total\n({} workload{})",
            fmt_int(s.workloads as u64),
            if s.workloads == 1 { "" } else { "s" }
        )),
        GridCell::plain(""),
        GridCell::plain(if ptus > 0 {
            fmt_int(u64::from(ptus))
        } else {
            String::new()
        }),
        // Never a bare 0.00 for a plan without decisions, nor a partial sum as whole.
        GridCell::plain(total_cost_text(report, "\n")),
        GridCell::plain(if saving > 0.0 && s.complete {
            fmt_usd(saving)
        } else {
            String::new()
        }),
        GridCell::plain(crate::report::text::capitalize(&why)),
    ]
}

/// The total's cost cell: never a bare 0.00 for a plan without any recommendation (`-`), nor
/// a partial sum that looks whole (`1,204.11` + `sep` + `(partial)`).
pub fn total_cost_text(report: &Report, sep: &str) -> String {
    let s = &report.summary;
    if s.workloads_without_recommendation == s.workloads && s.workloads > 0 {
        "-".to_owned()
    } else if s.complete {
        fmt_usd(s.recommended_monthly_cost_usd)
    } else {
        format!("{}{sep}(partial)", fmt_usd(s.recommended_monthly_cost_usd))
    }
}

/// `s` cut to `max` characters in the middle ("customer-...blue"), or as it is.
pub(crate) fn truncate_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let keep = max.saturating_sub(3);
    let head = keep - keep / 3;
    let tail = keep / 3;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}...{end}")
}

/// The decision cell of a workload with no decision.
fn none_cell(d: &crate::plan::decision::Decision) -> &'static str {
    if d.awaits_longer_log() {
        "none yet"
    } else {
        "none eligible"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long deployment name keeps both ends and the summary keeps three lines per workload.
    #[test]
    fn issue_18_a_long_deployment_name_is_cut_in_the_middle() {
        assert_eq!(truncate_middle("chat-prod", 16), "chat-prod");
        let cut = truncate_middle("customer-support-copilot-production-eastus2-blue", 16);
        assert_eq!(cut, "customer-...blue");
        assert_eq!(cut.chars().count(), 16);
        assert_eq!(truncate_middle("1234567890abcdefg", 16), "123456789...defg");
    }
}
