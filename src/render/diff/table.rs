//! A diff as a terminal table (a [`Grid`] drawn by [`crate::render::table::draw`], laid out for
//! the terminal's width) followed by the change of the total. [`rows`] and [`HEADERS`] are
//! the full columns the Markdown and HTML views show; the terminal merges them into fewer, and
//! on a narrow terminal abbreviates the options and then leaves columns out (with a
//! footnote), never moving a value into another column's cell.

use std::io::{self, Write};

use crate::catalog::DeploymentTypeId;
use crate::plan::Billing;
use crate::render::grid::{Grid, GridCell};
use crate::render::layout::Terminal;
use crate::render::summary::{truncate_middle, SUMMARY_DEPLOYMENT_CHARS};
use crate::render::table;
use crate::report::diff::{fmt_signed_pct, fmt_signed_usd, ReportDiff, Side};
use crate::report::fmt_usd;
use crate::report::text::{billing_short, type_short};
use crate::text::fmt_usd_change;

/// Column headers, shared with the Markdown renderer.
pub const HEADERS: [&str; 11] = [
    "Deployment",
    "Model",
    "Region",
    "Change",
    "Before",
    "After",
    "Cost before [USD/mo]",
    "Cost after [USD/mo]",
    "Δ PTUs",
    "Δ Cost [USD/mo]",
    "Δ Cost [%]",
];

/// The numeric columns (right-aligned).
pub const NUMERIC: [usize; 5] = [6, 7, 8, 9, 10];

/// Write the diff as a table for `term`: workload (deployment, model @ region), change, the
/// option and cost before and after, and the deltas.
pub fn write(diff: &ReportDiff, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    table::write_wrapped(
        out,
        term,
        "",
        2,
        &format!("Base: {}  New: {}", diff.base, diff.new),
    )?;
    let mut t = Grid::new(
        &[
            "Workload",
            "Change",
            "Before\n[USD/mo]",
            "After\n[USD/mo]",
            "Δ PTUs",
            "Δ Cost\n[USD/mo]",
            "Δ Cost\n[%]",
        ],
        &[4, 5, 6],
    )
    .with_line_breaks();
    t.wrap(0, 10).wrap(2, 10).wrap(3, 10);
    t.shorten(2, 0)
        .shorten(3, 0)
        .droppable(6, 1, None)
        .droppable(4, 2, None)
        .droppable(1, 3, None);
    for (w, r) in diff.workloads.iter().zip(rows(diff)) {
        let side = |s: Option<&Side>, full: &str, cost: &str| {
            let short = option_short_cell(s).unwrap_or_else(|| full.to_owned());
            GridCell::plain(format!("{full}\n{cost}")).with_short(format!("{short}\n{cost}"))
        };
        t.push(vec![
            // A long deployment name is cut in the middle with a marker, as in the summary
            // table; Markdown and JSON name it whole.
            GridCell::plain(format!(
                "{}\n{} @ {}",
                truncate_middle(&r[0], SUMMARY_DEPLOYMENT_CHARS),
                r[1],
                r[2]
            )),
            GridCell::plain(&r[3]),
            side(w.base.as_ref(), &r[4], &r[6]),
            side(w.new.as_ref(), &r[5], &r[7]),
            GridCell::plain(&r[8]),
            GridCell::plain(&r[9]),
            GridCell::plain(&r[10]),
        ]);
    }
    writeln!(out, "{}", table::draw(&t, term))?;
    table::write_wrapped(out, term, "", 2, &total_line(diff))
}

/// The cells of every row, unescaped.
pub fn rows(diff: &ReportDiff) -> Vec<Vec<String>> {
    diff.workloads
        .iter()
        .map(|w| {
            vec![
                w.deployment.clone(),
                match &w.from {
                    Some(from) if w.change == crate::report::diff::Change::Added => {
                        format!("{} ({from})", w.model)
                    }
                    Some(from) => format!("{} (from {from})", w.model),
                    None => w.model.clone(),
                },
                w.region.clone(),
                w.change.as_str().to_owned(),
                option_cell(w.base.as_ref()),
                option_cell(w.new.as_ref()),
                cost_cell(w.base.as_ref()),
                cost_cell(w.new.as_ref()),
                w.ptus_delta.map_or(String::new(), |d| {
                    if d > 0 {
                        format!("+{d}")
                    } else {
                        d.to_string()
                    }
                }),
                // Both costs shown: the difference of the two figures as shown.
                match (cost_of(w.base.as_ref()), cost_of(w.new.as_ref())) {
                    (Some(b), Some(n)) => fmt_usd_change(n, b),
                    _ => w
                        .monthly_cost_delta_usd
                        .map_or_else(|| "-".to_owned(), fmt_signed_usd),
                },
                w.monthly_cost_delta_pct
                    .map_or_else(|| "-".to_owned(), fmt_signed_pct),
            ]
        })
        .collect()
}

fn option_cell(side: Option<&Side>) -> String {
    match side {
        None => "-".to_owned(),
        Some(s) => match (&s.recommended, s.ptus) {
            (None, _) => "none eligible".to_owned(),
            (Some(id), Some(p)) => format!("{id} ({p} PTU)"),
            (Some(id), None) => id.clone(),
        },
    }
}

/// `Global PTU 1-year (15 PTU)`: the option in the short names of the summary table, for a
/// narrow terminal (`Global Std per-token` for a per-token id without a billing); None for an
/// id that is not a deployment type.
fn option_short_cell(side: Option<&Side>) -> Option<String> {
    let s = side?;
    let id = s.recommended.as_deref()?;
    let (t, b) = id.split_once('/').unwrap_or((id, "per-token"));
    let t = DeploymentTypeId::ALL
        .into_iter()
        .find(|d| d.as_str() == t)?;
    let b = [
        Billing::PerToken,
        Billing::Hourly,
        Billing::Reserved1Month,
        Billing::Reserved1Year,
    ]
    .into_iter()
    .find(|x| x.as_str() == b)?;
    let name = format!("{} {}", type_short(t), billing_short(b));
    Some(match s.ptus {
        Some(p) => format!("{name} ({p} PTU)"),
        None => name,
    })
}

fn cost_of(side: Option<&Side>) -> Option<f64> {
    side.and_then(|s| s.monthly_cost_usd)
}

fn cost_cell(side: Option<&Side>) -> String {
    cost_of(side).map_or_else(|| "-".to_owned(), fmt_usd)
}

/// "Total recommended monthly cost: A -> B USD (+D USD, +P%); 1 added, 0 removed, 2 changed".
pub fn total_line(diff: &ReportDiff) -> String {
    let s = &diff.summary;
    format!(
        "Total recommended monthly cost: {} -> {} USD ({} USD, {}); {} added, {} removed, {} changed, {} unchanged",
        fmt_usd(s.base_monthly_cost_usd),
        fmt_usd(s.new_monthly_cost_usd),
        fmt_usd_change(s.new_monthly_cost_usd, s.base_monthly_cost_usd),
        s.monthly_cost_delta_pct
            .map_or_else(|| "n/a %".to_owned(), fmt_signed_pct),
        s.added,
        s.removed,
        s.changed,
        s.unchanged
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::diff::{Change, DiffSummary, WorkloadDiff};

    fn side(usd: f64) -> Option<Side> {
        Some(Side {
            recommended: Some("global-standard".to_owned()),
            ptus: None,
            monthly_cost_usd: Some(usd),
            status: None,
            commitment_usd: None,
        })
    }

    /// 100.004 shows as 100.00 and 200.006 as 200.01: the change printed beside them is
    /// +100.01, their difference as shown, not +100.00 from the unrounded 100.002.
    #[test]
    fn a_delta_is_the_difference_of_the_figures_shown() {
        let (base, new) = (100.004, 200.006);
        let diff = ReportDiff {
            base: "a.json".to_owned(),
            new: "b.json".to_owned(),
            summary: DiffSummary {
                base_monthly_cost_usd: base,
                new_monthly_cost_usd: new,
                monthly_cost_delta_usd: new - base,
                monthly_cost_delta_pct: Some(100.0 * (new - base) / base),
                added: 0,
                removed: 0,
                changed: 1,
                unchanged: 0,
            },
            workloads: vec![WorkloadDiff {
                deployment: "chat".to_owned(),
                model: "gpt-5.1".to_owned(),
                region: "eastus2".to_owned(),
                change: Change::Changed,
                base: side(base),
                new: side(new),
                from: None,
                ptus_delta: Some(0),
                monthly_cost_delta_usd: Some(new - base),
                monthly_cost_delta_pct: None,
            }],
            settings_changes: Vec::new(),
        };
        let row = &rows(&diff)[0];
        assert_eq!(row[6..9], ["100.00", "200.01", "0"].map(str::to_owned));
        assert_eq!(row[9], "+100.01");
        assert!(
            total_line(&diff)
                .starts_with("Total recommended monthly cost: 100.00 -> 200.01 USD (+100.01 USD"),
            "{}",
            total_line(&diff)
        );
    }
}
