//! GitHub-flavoured Markdown that fits a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
//! recommended plan per workload first, then every option folded in `<details>`. Strings from
//! the input (deployment names, models) are escaped so that `|`, `<script>` and the like
//! neither break the table nor inject HTML.

use std::io::{self, Write};

use super::escape::{html as html_escape, markdown as escape};
use super::table::{
    failed_spilled, input_line, latency_cell, latency_line, option_note, sizing_notes,
    summary_line, workload_facts,
};
use super::{fmt_usd, provenance_lines, Extras, Report};

/// Write the report as Markdown.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_with(report, &Extras::default(), out)
}

/// Write the report as Markdown, with the baseline diff and budget-rule verdicts first.
pub fn write_with(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# ptuplan cost report")?;
    writeln!(out)?;
    if !extras.verdicts.is_empty() {
        writeln!(out, "## Budget rules")?;
        writeln!(out)?;
        for v in extras.verdicts {
            let mark = if v.breached { "**FAILED**" } else { "passed" };
            writeln!(out, "- {mark}: {}", escape(&v.message()))?;
        }
        writeln!(out)?;
    }
    if let Some(diff) = extras.diff {
        super::diff::markdown::write(diff, out)?;
        writeln!(out)?;
        writeln!(out, "## This run")?;
        writeln!(out)?;
    }
    writeln!(out, "{}", escape(&input_line(report)))?;
    writeln!(out)?;
    for line in provenance_lines(report) {
        writeln!(out, "- {}", escape(&line))?;
    }
    if !provenance_lines(report).is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "**{}**", escape(&summary_line(report)))?;
    writeln!(out)?;
    writeln!(
        out,
        "| Deployment | Model | Region | Recommended | PTUs | Cost [USD/mo] |"
    )?;
    writeln!(out, "|---|---|---|---|---:|---:|")?;
    for w in &report.workloads {
        let rec = w
            .recommended
            .as_ref()
            .and_then(|id| w.options.iter().find(|o| &o.id == id));
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&w.deployment),
            escape(&w.model),
            escape(&w.region),
            rec.map_or("none eligible".to_owned(), |o| format!("`{}`", o.id)),
            rec.and_then(|o| o.ptus)
                .map(|p| p.to_string())
                .unwrap_or_default(),
            rec.and_then(|o| o.monthly_cost_usd)
                .map(fmt_usd)
                .unwrap_or_default(),
        )?;
    }
    write_sections(&super::scenario::sections(report), out)?;
    for warning in &report.warnings {
        writeln!(out)?;
        writeln!(out, "> **Warning:** {}", escape(warning))?;
    }
    for w in &report.workloads {
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
        for o in &w.options {
            let mark = if w.recommended.as_deref() == Some(o.id.as_str()) {
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
                o.ptus.map(|p| p.to_string()).unwrap_or_default(),
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
        writeln!(out, "</details>")?;
    }
    if extras.mention_files {
        writeln!(out)?;
        writeln!(
            out,
            "Charts and a self-contained page for readers new to the tool: `report.html`, \
             `charts/*.svg` and `charts/*.png` next to this file."
        )?;
    }
    Ok(())
}

/// Write report sections (the what-if scenarios) as `##` headings, tables and lists.
pub fn write_sections(
    sections: &[super::scenario::Section],
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
            let cells: Vec<String> = s.headers.iter().map(|h| escape(h)).collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
            let rule: Vec<&str> = (0..s.headers.len())
                .map(|i| {
                    if s.right_aligned.contains(&i) {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            writeln!(out, "|{}|", rule.join("|"))?;
            for row in &s.rows {
                let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
                writeln!(out, "| {} |", cells.join(" | "))?;
            }
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
