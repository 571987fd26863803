//! `ptuplan diff`: read two JSON reports, compare them per workload, render the diff.

use anyhow::Result;

use super::outcome::Outcome;
use super::output::write_output;
use crate::commands::compare::{announce_warnings, read_report};
use crate::render::guard::InputFiles;
use crate::report::diff;
use crate::settings::{ensure_output_spares_inputs, DiffSettings};

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
    let (base, base_settings) = read_report(&settings.base)?;
    let base = base.scenario(settings.base_scenario.as_deref(), &base_name)?;
    let (new, new_settings) = read_report(&settings.new)?;
    let new = new.scenario(settings.new_scenario.as_deref(), &new_name)?;
    let label = |name: &str, scenario: &Option<String>| match scenario {
        Some(s) => format!("{name}#{s}"),
        None => name.to_owned(),
    };
    let mut d = diff::diff_reports(
        &base,
        &new,
        &label(&base_name, &settings.base_scenario),
        &label(&new_name, &settings.new_scenario),
    );
    d.settings_changes = diff::settings::changes(&base_settings, &new_settings);
    write_output(
        settings.out.as_deref(),
        &inputs,
        "writing the diff",
        |terminal, out| crate::render::diff::render(&d, settings.format, terminal, out),
    )?;
    if let Some(w) = diff::settings::warning(&d.settings_changes) {
        announce_warnings(&[w], false);
    }
    Ok(Outcome::Ok)
}
