//! `ptuplan compare`: read the logs, replay them, simulate the PTU sweep, plan, render.

use std::path::Path;

use anyhow::{Context, Result};

use super::outcome::Outcome;
use super::output::write_output;
use crate::catalog::Catalog;
use crate::ops::compare::build_report_with_progress;
use crate::progress::{labelled, Spinner};
use crate::render;
use crate::render::escape::terminal;
use crate::render::Extras;
use crate::report::diff::settings::{self, settings_of_value, RunSettings};
use crate::report::diff::{diff_reports, parse_report, ReportDiff, ReportView};
use crate::report::gate::{self, Verdict};
use crate::report::Report;
use crate::settings::{catalog_from, ensure_output_spares_inputs, CompareSettings, GateSettings};
use crate::usage::{self};

/// Run `compare`.
pub fn run(settings: &CompareSettings, gates: &GateSettings) -> Result<Outcome> {
    let inputs = settings.input_files(gates.baseline.as_deref());
    ensure_output_spares_inputs(&inputs, settings.out.as_deref())?;
    let catalog = catalog_from(&settings.catalog)?;
    announce_notes(&gates.notes, settings.quiet);
    let baseline = load_baseline(gates)?;
    let report = build_report_with_spinner(settings, &catalog)?;
    announce_readers(&report, settings.quiet);
    let diff = baseline.map(|b| diff_against(gates, &b, &report));
    let verdicts = evaluate_gates(gates, &report, diff.as_ref())?;
    write_output(
        settings.out.as_deref(),
        &inputs,
        "writing the report",
        |terminal, out| {
            let extras = Extras {
                diff: diff.as_ref(),
                verdicts: &verdicts,
                mention_files: false,
                terminal: *terminal,
                details: settings.details,
                charts_note: None,
            };
            render::render_with(&report, settings.format, &extras, out)
        },
    )?;
    // The table prints the short-span note under its summary already.
    let shown_in_table = report
        .input
        .projection_note
        .as_ref()
        .filter(|_| settings.format == render::Format::Table);
    let warnings: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| Some(*w) != shown_in_table)
        .cloned()
        .collect();
    announce_warnings(&warnings, settings.quiet);
    if let Some(w) = diff
        .as_ref()
        .and_then(|d| settings::warning(&d.settings_changes))
    {
        announce_warnings(&[format!("--baseline: {w}")], settings.quiet);
    }
    Ok(announce_verdicts(&verdicts, settings.quiet))
}

/// Print the report's warnings on stderr (every format; `--quiet` silences them), `warning:`
/// in yellow when stderr is a colour terminal.
pub fn announce_warnings(warnings: &[String], quiet: bool) {
    announce("warning", warnings, quiet);
}

/// Say on stderr how each input was read: the reader, how it was chosen and the columns it
/// mapped (unless `--quiet`; the JSON's `input.readers` has the same).
pub fn announce_readers(report: &Report, quiet: bool) {
    let lines: Vec<String> = report
        .input
        .readers
        .iter()
        .map(usage::InputRead::describe)
        .collect();
    announce_notes(&lines, quiet);
}

/// Print notes on stderr (unless `--quiet`).
pub fn announce_notes(notes: &[String], quiet: bool) {
    announce("note", notes, quiet);
}

/// Print each line on stderr after `word:` (unless `--quiet`), the word coloured when stderr
/// is a colour terminal.
fn announce(word: &str, lines: &[String], quiet: bool) {
    if quiet {
        return;
    }
    for line in lines {
        eprintln!("{}", labelled(word, line));
    }
}

/// [`build_report_with_progress`] with a spinner on stderr (hidden with `--quiet` or when stderr is not a
/// terminal, and shown only for runs longer than about a second).
pub fn build_report_with_spinner(settings: &CompareSettings, catalog: &Catalog) -> Result<Report> {
    announce_sample(settings);
    let spinner = Spinner::start(settings.quiet);
    let result = build_report_with_progress(settings, catalog, &|p| spinner.update(p));
    spinner.finish();
    result
}

/// Read the `--baseline` report, if any, before the (possibly long) run.
pub fn load_baseline(gates: &GateSettings) -> Result<Option<(ReportView, RunSettings)>> {
    let Some(path) = &gates.baseline else {
        return Ok(None);
    };
    read_report(path).map(Some)
}

/// Read and parse a report JSON file; errors name the file.
pub fn read_report_file(path: &Path) -> Result<ReportView> {
    read_report(path).map(|(view, _)| view)
}

/// Read and parse a report JSON file with the settings it was made with; errors name the file.
pub fn read_report(path: &Path) -> Result<(ReportView, RunSettings)> {
    let text = crate::files::read_report_text(path)
        .with_context(|| format!("cannot read report {}", path.display()))?;
    let view = parse_report(&path.display().to_string(), &text)?;
    // parse_report checked the text is JSON.
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Ok((view, settings_of_value(&value)))
}

fn b_name(gates: &GateSettings) -> String {
    gates
        .baseline
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string())
}

/// The diff of this run's report against the baseline, named after the baseline file, with
/// the settings that differ.
pub fn diff_against(
    gates: &GateSettings,
    (base, base_settings): &(ReportView, RunSettings),
    report: &Report,
) -> ReportDiff {
    let mut d = diff_reports(base, &ReportView::from(report), &b_name(gates), "this run");
    d.settings_changes = settings::changes(base_settings, &settings::settings_of(report));
    d
}

/// Evaluate the `--fail-on` rules.
pub fn evaluate_gates(
    gates: &GateSettings,
    report: &Report,
    diff: Option<&ReportDiff>,
) -> Result<Vec<Verdict>> {
    Ok(gate::evaluate(
        &gates.rules,
        report,
        diff,
        gates.allow_partial_plan,
    )?)
}

/// Print breached rules (always) and passed ones (unless quiet) on stderr; the outcome.
pub fn announce_verdicts(verdicts: &[Verdict], quiet: bool) -> Outcome {
    let mut breached = false;
    for v in verdicts {
        if v.breached {
            breached = true;
            eprintln!("budget rule {}", terminal(&v.message()));
        } else if !quiet {
            eprintln!(
                "{}",
                labelled("note", &format!("budget rule {}", v.message()))
            );
        }
    }
    if breached {
        Outcome::BudgetBreached
    } else {
        Outcome::Ok
    }
}

/// Say on stderr that the bundled sample is replayed, when it is.
pub fn announce_sample(settings: &CompareSettings) {
    // Not silenced by --quiet: a plan of made-up traffic must never pass for the user's own.
    if settings.using_bundled_sample {
        let source = settings.inputs[0].source.name();
        if settings.sample_requested {
            eprintln!(
                "{}",
                labelled("note", &format!("--sample: replaying the bundled 30-day sample ({source}), not your traffic."))
            );
        } else {
            eprintln!("{}", labelled("note", &format!("no LOG given; replaying the bundled 30-day sample ({source}), not your traffic. Pass your own log to plan for it.")));
        }
    }
}
