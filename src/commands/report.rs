//! `ptuplan report`: one planning run (as `compare`), written to a directory as report.md,
//! report.json, options.csv, focus.csv, report.html and charts/*.svg + charts/*.png, all from the same
//! [`Report`]. Budget rules are checked after every file is written.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::app::{catalog_from, Outcome, ReportSettings};
use crate::commands::compare::{
    announce_verdicts, build_report_with_spinner, diff_against, evaluate_gates, load_baseline,
};
use crate::report::chart::{self, chart_specs};
use crate::report::html::{self, InlineChart};
use crate::report::{self, Extras, Format, Report};

/// The Markdown report's file name.
pub const MARKDOWN_FILE: &str = "report.md";
/// The JSON report's file name.
pub const JSON_FILE: &str = "report.json";
/// The CSV file's name.
pub const CSV_FILE: &str = "options.csv";
/// The FOCUS export's file name.
pub const FOCUS_FILE: &str = "focus.csv";
/// The HTML page's file name.
pub const HTML_FILE: &str = "report.html";
/// The charts' subdirectory.
pub const CHARTS_DIR: &str = "charts";

/// Run `report`.
pub fn run(settings: &ReportSettings) -> Result<Outcome> {
    let s = &settings.compare;
    let catalog = catalog_from(&s.catalog)?;
    let baseline = load_baseline(&settings.gates)?;
    let report = build_report_with_spinner(s, &catalog)?;
    let diff = baseline
        .as_ref()
        .map(|b| diff_against(&settings.gates, b, &report));
    let verdicts = evaluate_gates(&settings.gates, &report, diff.as_ref())?;
    let extras = Extras {
        diff: diff.as_ref(),
        verdicts: &verdicts,
        mention_files: true,
    };
    let written = write_all(&settings.out_dir, &report, &extras)?;
    if !s.quiet {
        eprintln!("wrote {written} files to {}", settings.out_dir.display());
    }
    Ok(announce_verdicts(&verdicts, s.quiet))
}

/// Write every file into `dir`; returns how many.
fn write_all(dir: &Path, report: &Report, extras: &Extras<'_>) -> Result<usize> {
    let charts_dir = dir.join(CHARTS_DIR);
    fs::create_dir_all(&charts_dir)
        .with_context(|| format!("cannot create {}", charts_dir.display()))?;
    write_file(&dir.join(MARKDOWN_FILE), |out| {
        report::render_with(report, Format::Markdown, extras, out)
    })?;
    write_file(&dir.join(JSON_FILE), |out| {
        report::render(report, Format::Json, out)
    })?;
    write_file(&dir.join(CSV_FILE), |out| {
        report::render(report, Format::Csv, out)
    })?;
    write_file(&dir.join(FOCUS_FILE), |out| {
        report::render(report, Format::Focus, out)
    })?;
    let mut written = 4;
    let mut inline = Vec::new();
    for spec in chart_specs(report) {
        let stem = spec.file_stem(report);
        let svg = chart::render_svg(report, &spec)?;
        write_file(&charts_dir.join(format!("{stem}.svg")), |out| {
            out.write_all(svg.as_bytes())
        })?;
        write_file(&charts_dir.join(format!("{stem}.png")), |out| {
            chart::write_png(report, &spec, out).map_err(io::Error::other)
        })?;
        written += 2;
        inline.push(InlineChart { spec, svg });
    }
    write_file(&dir.join(HTML_FILE), |out| {
        html::write(report, extras, &inline, out)
    })?;
    Ok(written + 1)
}

/// Create `path` through the one output helper, render into it, flush.
fn write_file(path: &Path, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let mut out = report::open_output(Some(path))?;
    render(&mut out).with_context(|| format!("writing {}", path.display()))?;
    out.flush()
        .with_context(|| format!("writing {}", path.display()))
}
