//! `ptuplan report`: one planning run (as `compare`), written to a directory as report.md,
//! report.json, options.csv, focus.csv, report.html and charts/*.svg + charts/*.png, all from
//! the same [`Report`], as a whole ([`ReportDir`]: staged, then moved into place, with a
//! manifest). Budget rules are checked after every file is written.

use std::path::Path;

use anyhow::{Context, Result};

use super::outcome::Outcome;
use crate::commands::compare::{
    announce_notes, announce_readers, announce_verdicts, announce_warnings,
    build_report_with_spinner, diff_against, evaluate_gates, load_baseline,
};
use crate::progress::labelled;
use crate::render;
use crate::render::chart::{self, chart_specs_for};
use crate::render::escape::terminal;
use crate::render::guard::InputFiles;
use crate::render::html::{self, InlineChart};
use crate::render::outdir::{Committed, ReportDir};
use crate::render::{Extras, Format};
use crate::report::Report;
use crate::settings::{catalog_from, ensure_output_spares_inputs, ReportSettings};

pub use crate::render::outdir::{
    CHARTS_DIR, CSV_FILE, FOCUS_FILE, HTML_FILE, JSON_FILE, MANIFEST_FILE, MARKDOWN_FILE,
};

/// Run `report`.
pub fn run(settings: &ReportSettings) -> Result<Outcome> {
    let s = &settings.compare;
    let inputs = s.input_files(settings.gates.baseline.as_deref());
    for name in [
        MARKDOWN_FILE,
        JSON_FILE,
        CSV_FILE,
        FOCUS_FILE,
        HTML_FILE,
        MANIFEST_FILE,
    ] {
        ensure_output_spares_inputs(&inputs, Some(&settings.out_dir.join(name)))?;
    }
    // Before any work: the directory's files of these names must be this tool's, unchanged.
    crate::render::outdir::ensure_writable(&settings.out_dir, &crate::render::outdir::REPORT_FILES)
        .map_err(|e| crate::settings::UsageError(e.to_string()))?;
    let catalog = catalog_from(&s.catalog)?;
    announce_notes(&settings.gates.notes, s.quiet);
    let baseline = load_baseline(&settings.gates)?;
    let report = build_report_with_spinner(s, &catalog)?;
    announce_readers(&report, s.quiet);
    let diff = baseline
        .as_ref()
        .map(|b| diff_against(&settings.gates, b, &report));
    let verdicts = evaluate_gates(&settings.gates, &report, diff.as_ref())?;
    let extras = Extras {
        diff: diff.as_ref(),
        verdicts: &verdicts,
        mention_files: true,
        terminal: Default::default(),
        details: true,
        charts_note: None,
    };
    let charted = chart::charted_workloads(&report, settings.charts);
    let charts_note = chart::uncharted_note(&report, &charted);
    let extras = Extras {
        charts_note: charts_note.as_deref(),
        ..extras
    };
    let done = write_all(
        &settings.out_dir,
        &inputs,
        &report,
        &extras,
        &charted,
        s.threads,
    )
    .with_context(|| format!("writing the report to {}", settings.out_dir.display()))?;
    if !s.quiet {
        let removed = if done.removed > 0 {
            format!(
                " (removed {} the previous run wrote and this one did not)",
                done.removed
            )
        } else {
            String::new()
        };
        eprintln!(
            "wrote {} files to {}{removed}",
            done.written,
            terminal(&settings.out_dir.display().to_string())
        );
    }
    for k in done.kept.iter().filter(|_| !s.quiet) {
        eprintln!(
            "{}",
            labelled("note", &format!("left {k} in place: the previous run wrote it, and ptuplan removes only what it can prove unchanged"))
        );
    }
    if let (Some(note), false) = (&charts_note, s.quiet) {
        eprintln!("{}", labelled("note", note));
    }
    announce_warnings(&report.warnings, s.quiet);
    if let Some(w) = diff
        .as_ref()
        .and_then(|d| crate::report::diff::settings::warning(&d.settings_changes))
    {
        announce_warnings(&[format!("--baseline: {w}")], s.quiet);
    }
    Ok(announce_verdicts(&verdicts, s.quiet))
}

/// Charts drawn at a time: their PNGs are held in memory until written.
const CHART_BATCH_PER_THREAD: usize = 8;

/// Render every file into a staging directory, then move them into `dir` as a whole. The
/// charts of the workloads marked in `charted` are drawn on `threads` threads, a batch at a
/// time, and written in order.
fn write_all(
    dir: &Path,
    inputs: &InputFiles,
    report: &Report,
    extras: &Extras<'_>,
    charted: &[bool],
    threads: usize,
) -> Result<Committed> {
    let mut out = ReportDir::begin(dir, inputs)?;
    out.write(MARKDOWN_FILE, |w| {
        render::render_with(report, Format::Markdown, extras, w)
    })?;
    out.write(JSON_FILE, |w| render::render(report, Format::Json, w))?;
    out.write(CSV_FILE, |w| render::render(report, Format::Csv, w))?;
    out.write(FOCUS_FILE, |w| render::render(report, Format::Focus, w))?;
    let mut inline = Vec::new();
    let specs = chart_specs_for(report, charted);
    let threads = threads.max(1);
    for batch in specs.chunks(CHART_BATCH_PER_THREAD * threads) {
        let drawn = chart::render_all(report, batch, threads)?;
        for (spec, chart) in batch.iter().zip(drawn) {
            let stem = spec.file_stem(report);
            out.write(&format!("{CHARTS_DIR}/{stem}.svg"), |w| {
                w.write_all(chart.svg.as_bytes())
            })?;
            out.write(&format!("{CHARTS_DIR}/{stem}.png"), |w| {
                w.write_all(&chart.png)
            })?;
            inline.push(InlineChart {
                spec: spec.clone(),
                svg: chart.svg,
            });
        }
    }
    out.write(HTML_FILE, |w| html::write(report, extras, &inline, w))?;
    Ok(out.commit()?)
}
