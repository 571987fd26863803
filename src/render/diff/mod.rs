//! `diff` output: the terminal table, Markdown, or the diff's JSON.

pub mod markdown;
pub mod table;

use std::io::{self, Write};

use crate::report::diff::{DiffFormat, ReportDiff};

/// Render a diff in `format`.
pub fn render(
    diff: &ReportDiff,
    format: DiffFormat,
    term: &crate::render::layout::Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DiffFormat::Table => table::write(diff, term, out),
        DiffFormat::Markdown => markdown::write(diff, out),
        DiffFormat::Json => crate::render::json::write_value(diff, out),
    }
}
