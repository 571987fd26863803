//! `report`: the full report set in a directory.

use std::path::PathBuf;

use clap::Args;

use super::heading;

use super::groups::{GateArgs, PlanningArgs, ReplayArgs, ScenarioArgs};
use super::parse;

/// `report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Inputs, catalog and simulation.
    #[command(flatten)]
    pub replay: ReplayArgs,
    /// Directory to write into (created when missing; files of the same name are replaced).
    #[arg(long, value_name = "DIR", default_value = "reports", help_heading = heading::OUTPUT, help = "Directory to write into", long_help)]
    pub out_dir: PathBuf,
    /// Per-workload charts: `all`, or N to draw them for the N workloads with the highest
    /// recommended monthly cost (default: all up to 50 workloads, else the top 50; the rest are
    /// listed without charts).
    #[arg(long, value_name = "all|N", value_parser = parse::charts, help_heading = heading::OUTPUT, help = "Per-workload charts: all, or the top N", long_help)]
    pub charts: Option<crate::render::chart::ChartSelection>,
    /// Print nothing on stderr but errors and breached rules.
    #[arg(long, short, help_heading = heading::OUTPUT, help = "Print nothing on stderr but errors and breaches", long_help)]
    pub quiet: bool,
    /// Print how long reading, simulating, planning and the scenarios took (stderr).
    #[arg(long, help_heading = heading::PERFORMANCE, hide_short_help = true, help = "Print how long each stage took (stderr)", long_help)]
    pub timings: bool,
    /// Timestamp to put in the report (RFC 3339); default: SOURCE_DATE_EPOCH if set, else none.
    #[arg(long, value_name = "RFC3339", help_heading = heading::OUTPUT, hide_short_help = true, help = "Timestamp to put in the report", long_help)]
    pub generated_at: Option<String>,
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
    /// What-if scenarios.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
}
