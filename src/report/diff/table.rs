//! A diff as a terminal table (from the shared [`crate::report::table::new`] factory, laid out
//! for the terminal's width) followed by the change of the total. [`rows`] and [`HEADERS`] are
//! the full columns the Markdown and HTML views show; the terminal folds them into fewer.

use std::io::{self, Write};

use super::{fmt_signed_pct, fmt_signed_usd, ReportDiff, Side};
use crate::report::layout::Terminal;
use crate::report::{fmt_usd, table};

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
    let mut t = table::new(
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
    );
    t.wrap(0, 10).wrap(2, 14).wrap(3, 14);
    t.droppable(6, 0, Some("Δ %"))
        .droppable(4, 1, Some("Δ PTUs"));
    for r in rows(diff) {
        t.add_cells(
            vec![
                table::cell(&format!("{}\n{} @ {}", r[0], r[1], r[2])),
                table::cell(&r[3]),
                table::cell(&format!("{}\n{}", r[4], r[6])),
                table::cell(&format!("{}\n{}", r[5], r[7])),
                table::cell(&r[8]),
                table::cell(&r[9]),
                table::cell(&r[10]),
            ],
            table::Emphasis::Plain,
        );
    }
    writeln!(out, "{}", t.render(term))?;
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
                    Some(from) if w.change == super::Change::Added => {
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
                w.monthly_cost_delta_usd
                    .map_or_else(|| "-".to_owned(), fmt_signed_usd),
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

fn cost_cell(side: Option<&Side>) -> String {
    side.and_then(|s| s.monthly_cost_usd)
        .map_or_else(|| "-".to_owned(), fmt_usd)
}

/// "Total recommended monthly cost: A -> B USD (+D USD, +P%); 1 added, 0 removed, 2 changed".
pub fn total_line(diff: &ReportDiff) -> String {
    let s = &diff.summary;
    format!(
        "Total recommended monthly cost: {} -> {} USD ({} USD, {}); {} added, {} removed, {} changed, {} unchanged",
        fmt_usd(s.base_monthly_cost_usd),
        fmt_usd(s.new_monthly_cost_usd),
        fmt_signed_usd(s.monthly_cost_delta_usd),
        s.monthly_cost_delta_pct
            .map_or_else(|| "n/a %".to_owned(), fmt_signed_pct),
        s.added,
        s.removed,
        s.changed,
        s.unchanged
    )
}
