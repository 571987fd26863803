//! GitHub-flavoured Markdown that fits a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
//! verdict first, then the decision per workload (with the saving against the flexible option
//! and a short reason), then why, per workload, then every option folded in `<details>`. One function per section. Strings from
//! the input (deployment names, models) are escaped so that `|`, `<script>` and the like
//! neither break the table nor inject HTML.

use std::io::{self, Write};

use super::escape::{html as html_escape, markdown as escape, markdown_code};
use super::grid::{Grid, GridCell, Style};
use super::summary::summary_grid;
use super::table::{
    band_lines, failed_spilled, input_line, latency_cell, latency_line, option_note, quota_lines,
    sizing_notes, summary_line, workload_facts,
};
use super::Extras;
use crate::plan::WorkloadPlan;
use crate::report::{fmt_int, fmt_usd, provenance_lines, Report};

/// Write the report as Markdown.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_with(report, &Extras::default(), out)
}

/// Write the report as Markdown, with the baseline diff and budget-rule verdicts first, then
/// the decision (summary table, why per workload), then every option folded.
pub fn write_with(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# ptuplan cost report")?;
    writeln!(out)?;
    writeln!(out, "**{}**", escape(&report.decision_summary.verdict))?;
    writeln!(out)?;
    write_verdicts(extras, out)?;
    if let Some(diff) = extras.diff {
        crate::render::diff::markdown::write(diff, out)?;
        writeln!(out)?;
        writeln!(out, "## This run")?;
        writeln!(out)?;
    }
    write_input(report, out)?;
    write_summary(report, out)?;
    write_warnings(report, out)?;
    write_decisions(report, out)?;
    write_sections(&crate::report::forecast::sections(report), out)?;
    write_sections(&crate::report::scenario::sections(report), out)?;
    for w in &report.workloads {
        write_options(w, out)?;
    }
    if crate::report::text::mentions_unverified(report) {
        writeln!(out)?;
        writeln!(
            out,
            "*{}*",
            escape(&crate::report::text::capitalize(
                crate::report::text::UNVERIFIED
            ))
        )?;
    }
    if extras.mention_files {
        writeln!(out)?;
        writeln!(
            out,
            "Charts and a self-contained page for readers new to the tool: `report.html`, \
             `charts/*.svg` and `charts/*.png` next to this file."
        )?;
        if let Some(note) = &extras.charts_note {
            writeln!(out)?;
            writeln!(out, "{}", escape(note))?;
        }
    }
    Ok(())
}

/// The `--fail-on` verdicts.
fn write_verdicts(extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    if extras.verdicts.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Budget rules")?;
    writeln!(out)?;
    for v in extras.verdicts {
        let mark = if v.breached { "**FAILED**" } else { "passed" };
        writeln!(out, "- {mark}: {}", escape(&v.message()))?;
    }
    writeln!(out)
}

/// What was read, and where prices and constraints came from.
fn write_input(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", escape(&input_line(report)))?;
    writeln!(out)?;
    let provenance = provenance_lines(report);
    for line in &provenance {
        writeln!(out, "- {}", escape(line))?;
    }
    if !provenance.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// The plan's total, then one row per workload with its decision and short reason, then the
/// total row.
fn write_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "**{}**", escape(&summary_line(report)))?;
    writeln!(out)?;
    write_grid(&summary_grid(report), out)
}

/// Things the reader should know, each as a quote block.
fn write_warnings(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for warning in &report.warnings {
        writeln!(out)?;
        writeln!(out, "> **Warning:** {}", escape(warning))?;
    }
    Ok(())
}

/// Why each workload's option wins: the explanation as a list per workload.
fn write_decisions(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Why")?;
    for w in &report.workloads {
        writeln!(out)?;
        writeln!(
            out,
            "**{}** ({} @ {})",
            escape(&w.deployment),
            escape(&w.model),
            escape(&w.region)
        )?;
        writeln!(out)?;
        for line in crate::report::text::why_lines(w)
            .into_iter()
            .chain(band_lines(w))
            .chain(quota_lines(w))
        {
            writeln!(out, "- {}", escape(&line))?;
        }
    }
    Ok(())
}

/// One workload's facts and every option, folded in `<details>`.
fn write_options(w: &WorkloadPlan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    // Inside an HTML block Markdown escapes are not processed: HTML-escape only.
    writeln!(
        out,
        "<details><summary>{} ({} @ {}): all options</summary>",
        html_escape(&w.deployment),
        html_escape(&w.model),
        html_escape(&w.region)
    )?;
    writeln!(out)?;
    writeln!(out, "{}", escape(&workload_facts(w)))?;
    writeln!(out)?;
    writeln!(out, "{}", escape(&latency_line(w)))?;
    writeln!(out)?;
    writeln!(out, "| | Option | Billing | PTUs | Cost [USD/span] | Cost [USD/mo] | Failed/spilled | Latency | Note |")?;
    writeln!(out, "|---|---|---|---:|---:|---:|---:|---|---|")?;
    let decided = w.decision.option.as_ref().map(|o| o.option_id.as_str());
    for o in &w.options {
        let mark = if decided == Some(o.id.as_str()) {
            "**>>**"
        } else {
            ""
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            mark,
            o.deployment_type,
            o.billing.as_str(),
            o.ptus.map(|p| fmt_int(u64::from(p))).unwrap_or_default(),
            o.cost_usd.map(fmt_usd).unwrap_or_else(|| "-".to_owned()),
            o.monthly_cost_usd
                .map(fmt_usd)
                .unwrap_or_else(|| "-".to_owned()),
            failed_spilled(o),
            escape(&latency_cell(o)),
            escape(&option_note(o)),
        )?;
    }
    for note in sizing_notes(w) {
        writeln!(out)?;
        writeln!(out, "{}", escape(&note))?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")
}

/// Write report sections (the what-if scenarios) as `##` headings, tables and lists.
pub fn write_sections(
    sections: &[crate::report::scenario::Section],
    out: &mut dyn Write,
) -> io::Result<()> {
    for s in sections {
        writeln!(out)?;
        writeln!(out, "## {}", escape(&s.heading))?;
        for line in &s.intro {
            writeln!(out)?;
            writeln!(out, "{}", escape(line))?;
        }
        if !s.rows.is_empty() {
            writeln!(out)?;
            write_grid(&Grid::from(s), out)?;
        }
        if !s.notes.is_empty() {
            writeln!(out)?;
            for line in &s.notes {
                writeln!(out, "- {}", escape(line))?;
            }
        }
    }
    Ok(())
}

/// A table: the header row, the alignment rule and the rows, every cell escaped.
fn write_grid(grid: &Grid, out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<String> = grid.headers.iter().map(|h| escape(h)).collect();
    writeln!(out, "| {} |", cells.join(" | "))?;
    let rule: Vec<&str> = (0..grid.headers.len())
        .map(|i| {
            if grid.right_aligned.contains(&i) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(out, "|{}|", rule.join("|"))?;
    for row in &grid.rows {
        let cells: Vec<String> = row.iter().map(grid_cell).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// A cell: an identifier in backticks, a total in bold, then its plain words.
fn grid_cell(c: &GridCell) -> String {
    let text = match c.style {
        Style::Plain | Style::Good | Style::Warn => escape(&c.text),
        Style::Code => format!("`{}`", markdown_code(&c.text)),
        Style::Strong if c.text.is_empty() => String::new(),
        Style::Strong => format!("**{}**", escape(&c.text)),
    };
    if c.tail.is_empty() {
        text
    } else {
        format!("{text} {}", escape(&c.tail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_neither_break_tables_nor_inject_html() {
        let mut w = crate::report::test_support::sample_workload();
        w.deployment = "<script>alert(1)</script>|my_deploy".to_owned();
        let report = crate::report::test_support::report_of(vec![w]);
        let mut buf = Vec::new();
        write(&report, &mut buf).expect("renders");
        let md = String::from_utf8(buf).expect("utf-8");
        assert!(!md.contains("<script>"));
        assert!(md.contains("| &lt;script&gt;alert(1)&lt;/script&gt;\\|my\\_deploy | gpt-4o |"));
        // Inside the HTML <summary> Markdown escapes would show literally: HTML-escaped only.
        assert!(md.contains(
            "<summary>&lt;script&gt;alert(1)&lt;/script&gt;|my_deploy (gpt-4o @ eastus2)"
        ));
    }
}
