//! A diff as GitHub-flavoured Markdown: the change of the total, then one table row per
//! workload. Names from the input are escaped like in the report's Markdown.

use std::io::{self, Write};

use super::table::{rows, total_line, HEADERS, NUMERIC};
use super::ReportDiff;
use crate::report::markdown::escape;

/// Write the diff as a Markdown section (a level-2 heading and a table).
pub fn write(diff: &ReportDiff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Changes against the baseline")?;
    writeln!(out)?;
    writeln!(
        out,
        "Base: `{}`, new: `{}`.",
        code_safe(&diff.base),
        code_safe(&diff.new)
    )?;
    writeln!(out)?;
    writeln!(out, "**{}**", escape(&total_line(diff)))?;
    writeln!(out)?;
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

/// A file name inside a code span: backticks and newlines removed, as they would end it.
fn code_safe(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '`' | '\n' | '\r'))
        .collect()
}
