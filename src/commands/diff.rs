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
    let (base_name, new_name) = (
        settings.base.display().to_string(),
        settings.new.display().to_string(),
    );
    let base = read_report_file(&settings.base)?
        .scenario(settings.base_scenario.as_deref(), &base_name)?;
    let new =
        read_report_file(&settings.new)?.scenario(settings.new_scenario.as_deref(), &new_name)?;
    let label = |name: &str, scenario: &Option<String>| match scenario {
        Some(s) => format!("{name}#{s}"),
        None => name.to_owned(),
    };
    let d = diff::diff_reports(
        &base,
        &new,
        &label(&base_name, &settings.base_scenario),
        &label(&new_name, &settings.new_scenario),
    );
    let mut out = report::open_output(settings.out.as_deref(), &inputs)?;
    diff::render(&d, settings.format, &mut out).context("writing the diff")?;
    out.flush().context("writing the diff")?;
    Ok(Outcome::Ok)
}
