//! `calibrate`: fit the bucket window to a log of a real PTU deployment.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::heading;
use crate::catalog::DeploymentTypeId;

use super::groups::{CatalogArgs, InputArgs};
use super::parse;
use super::parse::{MissingMaxArg, WindowBand};

/// A provisioned deployment type: its values are the catalog's provisioned rows
/// (`DeploymentTypeId::PROVISIONED`), so a new PTU type needs no change here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisionedTypeArg(pub DeploymentTypeId);

/// Every provisioned type as a flag value.
const PROVISIONED: [ProvisionedTypeArg; DeploymentTypeId::PROVISIONED.len()] = {
    let mut out =
        [ProvisionedTypeArg(DeploymentTypeId::PROVISIONED[0]); DeploymentTypeId::PROVISIONED.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = ProvisionedTypeArg(DeploymentTypeId::PROVISIONED[i]);
        i += 1;
    }
    out
};

impl ValueEnum for ProvisionedTypeArg {
    fn value_variants<'a>() -> &'a [Self] {
        &PROVISIONED
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.as_str()))
    }
}

/// Formats of `calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrateFormat {
    /// A terminal table.
    Table,
    /// JSON.
    Json,
}

/// `calibrate` arguments.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Inputs (the log must carry a status column: its 429 rows are the service's answers).
    #[command(flatten)]
    pub input: InputArgs,
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// The deployment the log was recorded on, as named in its deployment column.
    #[arg(long, value_name = "NAME", help_heading = heading::CALIBRATION, help = "The deployment the log was recorded on", long_help)]
    pub deployment: String,
    /// Its provisioned type.
    #[arg(long = "type", value_enum, value_name = "TYPE", help_heading = heading::CALIBRATION)]
    pub deployment_type: ProvisionedTypeArg,
    /// Its PTU count while the log was recorded.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000), help_heading = heading::CALIBRATION)]
    pub ptus: u32,
    /// Bucket windows to try, in seconds, comma-separated.
    #[arg(long, default_value = "0.5,1,2,3,5,7.5,10,15,20,30,45,60,90,120", value_name = "S,S,...", value_parser = |t: &str| parse::windows(t, 1, 64), help_heading = heading::CALIBRATION, help = "Bucket windows to try, in seconds", long_help)]
    pub windows: WindowBand,
    /// Admission estimate for requests without max_completion_tokens (as for compare).
    #[arg(long, default_value = "actual", value_name = "actual|TOKENS", value_parser = parse::missing_max_tokens, help_heading = heading::SIMULATION, help = "Admission estimate without max_completion_tokens", long_help)]
    pub missing_max_tokens: MissingMaxArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table, help_heading = heading::OUTPUT)]
    pub format: CalibrateFormat,
    /// Write to FILE instead of stdout (`-` = stdout).
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT, help = "Write to FILE instead of stdout", long_help)]
    pub out: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(long, short, help_heading = heading::OUTPUT)]
    pub quiet: bool,
}
