//! One table model for the documents (Markdown and HTML): headers, alignment, rows of cells,
//! a highlighted row. A table is built once from the report and each renderer only draws it,
//! escaping for its sink, so the formats cannot drift apart. The what-if and forecast
//! [`Section`]s carry their tables in the same shape (the terminal draws those too; its
//! summary and option tables fold columns to fit the screen, so it builds its own from the
//! same cell texts in `render::table`).

use super::table::{saving_cell, total_cost_text};
use crate::report::section::Section;
use crate::report::{fmt_int, fmt_usd, Report};

/// How a cell is set off where the format can (Markdown); HTML and the terminal draw text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As is.
    Plain,
    /// An identifier (Markdown: in backticks).
    Code,
    /// A total (Markdown: bold).
    Strong,
}

/// One cell: its text, how it is set off, and plain words after it (`**Total** (3
/// workloads)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    /// The text (raw; each renderer escapes it).
    pub text: String,
    /// How `text` is set off.
    pub style: Style,
    /// Plain words after `text`, a space between (empty: none).
    pub tail: String,
}

impl GridCell {
    /// A plain cell.
    pub fn plain(text: impl Into<String>) -> Self {
        GridCell {
            text: text.into(),
            style: Style::Plain,
            tail: String::new(),
        }
    }

    /// An identifier.
    pub fn code(text: impl Into<String>) -> Self {
        GridCell {
            text: text.into(),
            style: Style::Code,
            tail: String::new(),
        }
    }

    /// A total.
    pub fn strong(text: impl Into<String>) -> Self {
        GridCell {
            text: text.into(),
            style: Style::Strong,
            tail: String::new(),
        }
    }
}

/// A table: headers (units in brackets), the right-aligned (numeric) columns and the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Right-aligned columns.
    pub right_aligned: Vec<usize>,
    /// Rows of cells, as many as headers.
    pub rows: Vec<Vec<GridCell>>,
}

impl GridCell {
    /// The whole text, unstyled: `text` and `tail`.
    pub fn full_text(&self) -> String {
        if self.tail.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.text, self.tail)
        }
    }
}

impl From<&Section> for Grid {
    fn from(s: &Section) -> Grid {
        Grid {
            headers: s.headers.clone(),
            right_aligned: s.right_aligned.clone(),
            rows: s
                .rows
                .iter()
                .map(|r| r.iter().map(GridCell::plain).collect())
                .collect(),
        }
    }
}

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
                o.map_or(GridCell::plain("none eligible"), |o| {
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
    Grid {
        headers: vec![
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
        right_aligned: vec![5, 6, 7],
        rows,
    }
}
