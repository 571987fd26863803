//! A diff as a terminal table (from the shared [`crate::report::table::new`] factory) followed
//! by the change of the total.

use std::io::{self, Write};

use super::{fmt_signed_pct, fmt_signed_usd, ReportDiff, Side};
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

/// Write the diff as a table.
pub fn write(diff: &ReportDiff, out: &mut dyn Write) -> io::Result<()> {
    table::write_line(out, &format!("Base: {}  New: {}", diff.base, diff.new))?;
    let mut t = table::new(&HEADERS, &NUMERIC);
    for row in rows(diff) {
        t.add_row(row);
    }
    writeln!(out, "{t}")?;
    table::write_line(out, &total_line(diff))
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
