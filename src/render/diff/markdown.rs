//! A diff as GitHub-flavoured Markdown: the change of the total, then one table row per
//! workload. Names from the input are escaped like in the report's Markdown.

use std::io::{self, Write};

use super::table::{rows, total_line, HEADERS, NUMERIC};
use crate::render::escape::{markdown as escape, markdown_code};
use crate::report::diff::ReportDiff;

/// Write the diff as a Markdown section (a level-2 heading and a table).
pub fn write(diff: &ReportDiff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Changes against the baseline")?;
    writeln!(out)?;
    writeln!(
        out,
        "Base: `{}`, new: `{}`.",
        markdown_code(&diff.base),
        markdown_code(&diff.new)
    )?;
    writeln!(out)?;
    writeln!(out, "**{}**", escape(&total_line(diff)))?;
    writeln!(out)?;
    if let Some(w) = crate::report::diff::settings::warning(&diff.settings_changes) {
        writeln!(out, "> **Warning:** {}", escape(&w))?;
        writeln!(out)?;
    }
    writeln!(out, "| {} |", HEADERS.join(" | "))?;
    let align: Vec<&str> = (0..HEADERS.len())
        .map(|i| if NUMERIC.contains(&i) { "---:" } else { "---" })
        .collect();
    writeln!(out, "|{}|", align.join("|"))?;
    for row in rows(diff) {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}
