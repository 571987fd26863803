//! Terminal output, the answer first: the verdict (what to buy, where, how long, what it
//! commits and saves), then what was read, one summary table (a row per workload of at most
//! three lines: the decision, its PTUs and monthly cost, the saving against the flexible
//! option and a short reason, then the total), then per workload a short block saying why,
//! and with `--details` its options and the reservation pools. Output longer than a screen
//! ends with the verdict again. Every table fits the [`Terminal`]'s width
//! ([`super::layout::fit`]): numbers and option names are never broken; sentences wrap,
//! columns are abbreviated or left out instead.
//!
//! Every table is a [`Grid`] drawn by [`draw`], which escapes every cell for the terminal
//! ([`super::escape::terminal`]); every other line written here goes through the same helper.
//! Notes and warnings are not written here: the command prints them on stderr.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::escape::terminal;
use super::grid::{Grid, GridCell, Style};
use super::layout::{self, Terminal};
use super::Extras;
use crate::plan::{DecisionStatus, OptionPlan, WorkloadPlan};
use crate::report::text::{billing_short, type_short};
use crate::report::{fmt_display, fmt_int, fmt_pct, fmt_usd, provenance_lines, Report};

mod lines;
mod widget;

pub use lines::*;
pub use widget::*;

/// Write the report as tables, for a pipe (100 columns, no colour, no `--details`).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_with(report, &Extras::default(), out)
}

/// Write the report as tables for `extras.terminal`, the answer first.
pub fn write_with(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    let term = &extras.terminal;
    let mut buf: Vec<u8> = Vec::new();
    write_body(report, extras, &mut buf)?;
    out.write_all(&buf)?;
    // A reader who scrolled past the first screen gets the answer again.
    let lines = buf.iter().filter(|b| **b == b'\n').count();
    if lines > term.height {
        writeln!(out)?;
        write_wrapped(out, term, "", 2, &report.decision_summary.verdict)?;
    }
    Ok(())
}

fn write_body(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    let term = &extras.terminal;
    write_wrapped(out, term, "", 2, &report.decision_summary.verdict)?;
    writeln!(out)?;
    write_input(report, term, out)?;
    writeln!(out)?;
    write_summary(report, term, out)?;
    write_sections(&crate::report::scenario::sections(report), term, out)?;
    for w in &report.workloads {
        writeln!(out)?;
        write_workload(w, extras.details, term, out)?;
    }
    if extras.details {
        write_reservations(report, term, out)?;
        if crate::report::text::mentions_unverified(report) {
            writeln!(out)?;
            write_wrapped(
                out,
                term,
                "",
                2,
                &crate::report::text::capitalize(crate::report::text::UNVERIFIED),
            )?;
        }
    } else {
        writeln!(out)?;
        write_wrapped(
            out,
            term,
            "",
            0,
            "Every option of every workload, the reservation pools and each window's figures: --details (or --format markdown or json).",
        )?;
    }
    Ok(())
}

/// Write report sections (the what-if scenarios) as headings, tables and lines, fitted to
/// `term`.
pub fn write_sections(
    sections: &[crate::report::scenario::Section],
    term: &Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    for s in sections {
        writeln!(out)?;
        write_line(out, &s.heading)?;
        for line in &s.intro {
            write_wrapped(out, term, "", 0, line)?;
        }
        if !s.rows.is_empty() {
            writeln!(out, "{}", draw(&Grid::from(s), term))?;
        }
        for line in &s.notes {
            write_wrapped(out, term, "  ", 2, line)?;
        }
    }
    Ok(())
}

/// The input line and where prices and constraints came from.
pub fn write_input(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    write_wrapped(out, term, "", 2, &input_line(report))?;
    for text in provenance_lines(report) {
        write_wrapped(out, term, "", 2, &text)?;
    }
    Ok(())
}

/// The summary table: one row per workload (at most three lines), then the total; notes
/// under it.
pub fn write_summary(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    let t = super::summary::terminal_grid(report);
    writeln!(out, "{}", draw(&t, term))?;
    if report.summary.workloads_without_recommendation > 0 {
        write_wrapped(out, term, "", 2, &summary_line(report))?;
    }
    if let Some(note) = &report.input.projection_note {
        write_wrapped(out, term, "", 2, &format!("Note: {note}"))?;
    }
    Ok(())
}

/// One workload: its heading, why its decision is what it is, and with `details` its token
/// facts, latency, options and sizing notes.
pub fn write_workload(
    w: &WorkloadPlan,
    details: bool,
    term: &Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_wrapped(out, term, "", 2, &workload_heading(w))?;
    if details {
        write_wrapped(out, term, "  ", 2, &workload_facts(w))?;
        write_wrapped(out, term, "  ", 2, &latency_line(w))?;
    }
    for line in crate::report::text::why_lines(w)
        .into_iter()
        .chain(quota_lines(w))
    {
        write_wrapped(out, term, "- ", 0, &line)?;
    }
    if details {
        for line in band_lines(w) {
            write_wrapped(out, term, "  ", 2, &line)?;
        }
        let (options, shared) = options_table(w);
        writeln!(out, "{}", draw(&options, term))?;
        for line in shared {
            write_wrapped(out, term, "", 2, &line)?;
        }
        for line in unavailable_lines(w) {
            write_wrapped(out, term, "", 2, &line)?;
        }
        for note in sizing_notes(w) {
            write_wrapped(out, term, "", 2, &note)?;
        }
    }
    Ok(())
}

/// The available options of a workload (the unavailable ones are listed under it by
/// [`unavailable_lines`]), and the notes every billing of a provisioned type shares, said
/// once under the table instead of on each row.
fn options_table(w: &WorkloadPlan) -> (Grid, Vec<String>) {
    let mut table = Grid::new(
        &[
            "",
            "Option",
            "Billing",
            "PTUs",
            "Cost\n[USD/mo]",
            "Failed/\nspilled",
            "Latency",
            "Note",
        ],
        &[3, 4, 5],
    )
    .with_line_breaks();
    table.wrap(6, 11).wrap(7, 16);
    table
        .droppable(6, 0, Some("latency"))
        .shorten(2, 1)
        .droppable(5, 2, Some("failed/spilled"))
        .shorten(1, 3)
        .droppable(3, 4, Some("PTUs"))
        .droppable(0, 5, Some(""));
    let available: Vec<&OptionPlan> = w.options.iter().filter(|o| o.available).collect();
    let (notes, shared) = shared_notes(&available);
    let decided = w.decision.option.as_ref().map(|o| o.option_id.as_str());
    for (o, note) in available.iter().zip(notes) {
        let recommended = decided == Some(o.id.as_str());
        table.push_styled(
            vec![
                GridCell::plain(if recommended { ">>" } else { "" }),
                GridCell::plain(o.deployment_type.to_string())
                    .with_short(type_short(o.deployment_type)),
                GridCell::plain(o.billing.as_str()).with_short(billing_short(o.billing)),
                GridCell::plain(o.ptus.map(|p| fmt_int(u64::from(p))).unwrap_or_default()),
                GridCell::plain(
                    o.monthly_cost_usd
                        .map(fmt_usd)
                        .unwrap_or_else(|| "-".to_owned()),
                ),
                GridCell::plain(failed_spilled(o)),
                GridCell::plain(latency_cell(o)),
                GridCell::plain(note),
            ],
            if recommended {
                Style::Good
            } else {
                Style::Plain
            },
        );
    }
    (table, shared)
}

/// Each option's note without the parts every option of its type shares (when the type has
/// more than one), and one line per type with those parts.
fn shared_notes(options: &[&OptionPlan]) -> (Vec<String>, Vec<String>) {
    let parts = |o: &OptionPlan| -> Vec<String> {
        option_note(o)
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut shared_lines = Vec::new();
    let mut common_of = std::collections::BTreeMap::new();
    for o in options {
        if common_of.contains_key(&o.deployment_type) {
            continue;
        }
        let same: Vec<&&OptionPlan> = options
            .iter()
            .filter(|x| x.deployment_type == o.deployment_type)
            .collect();
        let common: Vec<String> = if same.len() > 1 {
            parts(o)
                .into_iter()
                .filter(|p| same.iter().all(|x| parts(x).contains(p)))
                .collect()
        } else {
            Vec::new()
        };
        if !common.is_empty() {
            shared_lines.push(format!(
                "{} (every billing): {}",
                o.deployment_type,
                common.join("; ")
            ));
        }
        common_of.insert(o.deployment_type, common);
    }
    let notes = options
        .iter()
        .map(|o| {
            let common = &common_of[&o.deployment_type];
            parts(o)
                .into_iter()
                .filter(|p| !common.contains(p))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    (notes, shared_lines)
}

/// The reservation pools, when there are any.
pub fn write_reservations(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    if report.reservations.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    write_wrapped(
        out,
        term,
        "",
        2,
        "Decided reservations pooled per region, type and term (a reservation matches any model there):",
    )?;
    let mut table = Grid::new(
        &[
            "Region",
            "Type",
            "Term",
            "Deployed\nPTUs",
            "Reserved\nPTUs",
            "Excess\n[PTU-h]",
            "Unused\n[PTU-h]",
            "Cost\n[USD/mo]",
            "All hourly\n[USD/mo]",
        ],
        &[3, 4, 5, 6, 7, 8],
    )
    .with_line_breaks();
    table
        .shorten(1, 0)
        .droppable(6, 1, None)
        .droppable(5, 2, None)
        .droppable(8, 3, None);
    for p in &report.reservations {
        table.push(vec![
            GridCell::plain(&p.region),
            GridCell::plain(p.deployment_type.to_string())
                .with_short(type_short(p.deployment_type)),
            GridCell::plain(billing_short(p.term)),
            GridCell::plain(fmt_int(u64::from(p.deployed_ptus))),
            GridCell::plain(fmt_int(u64::from(p.reserved_ptus))),
            GridCell::plain(fmt_int(p.excess_ptu_hours_billed_hourly.round() as u64)),
            GridCell::plain(fmt_int(p.unused_reserved_ptu_hours.round() as u64)),
            GridCell::plain(fmt_usd(p.monthly_cost_usd)),
            GridCell::plain(fmt_usd(p.all_hourly_monthly_cost_usd)),
        ]);
    }
    writeln!(out, "{}", draw(&table, term))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{report_of, sample_workload};

    fn render(report: &Report, width: usize, details: bool) -> String {
        let extras = Extras {
            terminal: Terminal {
                width,
                height: 50,
                colour: false,
            },
            details,
            ..Extras::default()
        };
        let mut buf = Vec::new();
        write_with(report, &extras, &mut buf).expect("renders");
        String::from_utf8(buf).expect("utf-8")
    }

    /// The summary and the option tables at 100 and 60 columns: every line fits and no cell
    /// carries another column's value; a column that does not fit is listed under its table.
    #[test]
    fn issue_23_tables_fit_100_and_60_columns_without_folding() {
        let mut long = sample_workload();
        long.deployment = "customer-support-copilot-production-eastus2-blue".to_owned();
        let report = report_of(vec![sample_workload(), long]);
        for width in [100, 60] {
            let text = render(&report, width, true);
            for line in text.lines() {
                assert!(
                    layout::display_width(line) <= width,
                    "wider than {width}: {line}\n{text}"
                );
                if line.starts_with('│') {
                    for label in [
                        "PTUs: ",
                        "saving vs flexible: ",
                        "failed/spilled: ",
                        "latency: ",
                    ] {
                        assert!(
                            !line.contains(label),
                            "a value folded into another cell at {width} columns: {line}\n{text}"
                        );
                    }
                }
            }
            if width == 60 {
                assert!(text.contains("(column left out at 60 columns)"), "{text}");
            }
        }
    }

    #[test]
    fn every_line_fits_the_width_and_numbers_stay_whole() {
        let mut long = sample_workload();
        long.deployment = "a-rather-long-deployment-name-for-the-summary".to_owned();
        let report = report_of(vec![sample_workload(), long]);
        for (width, details) in [(60, false), (80, true), (100, true), (140, true)] {
            let text = render(&report, width, details);
            for line in text.lines() {
                assert!(
                    layout::display_width(line) <= width,
                    "{width}: {} > {width}: {line}",
                    layout::display_width(line)
                );
            }
            if details {
                assert!(text.contains("10,950.00"), "{width}: {text}");
            }
            assert!(text.contains("300.00"), "{width}");
        }
    }

    /// `--details` alone turns the option tables on, whatever the number of workloads.
    #[test]
    fn issue_18_option_tables_only_with_details() {
        for n in [1, 4] {
            let report = report_of(vec![sample_workload(); n]);
            let text = render(&report, 100, false);
            assert!(!text.contains("Failed/"), "{n}: {text}");
            assert!(text.contains("--details"));
            assert!(render(&report, 100, true).contains("Failed/"), "{n}");
        }
    }

    /// The run opens with the verdict, and output longer than a screen ends with it too.
    #[test]
    fn issue_18_verdict_first_and_last_when_longer_than_a_screen() {
        let report = report_of(vec![sample_workload(); 6]);
        let text = render(&report, 100, false);
        assert!(text.starts_with("Verdict: "), "{text}");
        assert!(text.lines().count() > 50);
        assert_eq!(text.matches("Verdict: ").count(), 2, "{text}");
        let again = text.rfind("Verdict: ").expect("again");
        assert!(again > text.rfind("--details").expect("the last section"));
        let short = report_of(vec![sample_workload()]);
        let text = render(&short, 100, false);
        assert_eq!(text.matches("Verdict: ").count(), 1, "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let report = report_of(vec![sample_workload()]);
        assert!(!render(&report, 100, false).contains('\u{1b}'));
        let extras = Extras {
            terminal: Terminal {
                width: 100,
                height: 50,
                colour: true,
            },
            ..Extras::default()
        };
        let mut buf = Vec::new();
        write_with(&report, &extras, &mut buf).expect("renders");
        assert!(String::from_utf8(buf).expect("utf-8").contains("\u{1b}["));
    }
}
