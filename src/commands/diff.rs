//! `ptuplan diff`: read two JSON reports, compare them per workload, render the diff.

use std::io::Write;

use anyhow::{Context, Result};

use crate::app::{ensure_output_spares_inputs, DiffSettings, Outcome};
use crate::commands::compare::read_report_file;
use crate::report::guard::InputFiles;
use crate::report::{self, diff};

/// Run `diff`.
pub fn run(settings: &DiffSettings) -> Result<Outcome> {
    let mut inputs = InputFiles::new();
    inputs.add(&settings.base);
    inputs.add(&settings.new);
    ensure_output_spares_inputs(&inputs, settings.out.as_deref())?;
    let base = read_report_file(&settings.base)?;
    let new = read_report_file(&settings.new)?;
    let d = diff::diff_reports(
        &base,
        &new,
        &settings.base.display().to_string(),
        &settings.new.display().to_string(),
    );
    let mut out = report::open_output(settings.out.as_deref(), &inputs)?;
    diff::render(&d, settings.format, &mut out).context("writing the diff")?;
    out.flush().context("writing the diff")?;
    Ok(Outcome::Ok)
}
