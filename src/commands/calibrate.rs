//! `ptuplan calibrate`: the fit of [`crate::ops::calibrate`], its notices on stderr and the
//! fit rendered.

use anyhow::Result;

use super::outcome::Outcome;
use super::output::write_output;
use crate::ops::calibrate::calibrate;
use crate::render;
use crate::settings::{ensure_output_spares_inputs, CalibrateSettings};

/// Run `calibrate`.
pub fn run(settings: &CalibrateSettings) -> Result<Outcome> {
    let read = &settings.read;
    let inputs = read.input_files(None);
    ensure_output_spares_inputs(&inputs, read.out.as_deref())?;
    let calibration = calibrate(settings)?;
    if !read.quiet {
        for n in &calibration.notices {
            eprintln!("{n}");
        }
    }
    write_output(read.out.as_deref(), &inputs, "writing the fit", |_, out| {
        render::calibrate::render(&calibration.fit, settings.json, out)
    })?;
    Ok(Outcome::Ok)
}
