//! `compare`: every deployment option on a usage log.

use clap::Args;

use super::heading;

use super::groups::{GateArgs, OutputArgs, PlanningArgs, ReplayArgs, ScenarioArgs};

/// `compare` arguments.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Logs, catalog and simulation.
    #[command(flatten)]
    pub replay: ReplayArgs,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Timestamp to put in the report (RFC 3339); default: SOURCE_DATE_EPOCH if set, else none.
    #[arg(long, value_name = "RFC3339", help_heading = heading::OUTPUT, hide_short_help = true, help = "Timestamp to put in the report", long_help)]
    pub generated_at: Option<String>,
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
    /// Budget rules.
    #[command(flatten)]
    pub gates: GateArgs,
    /// What-if scenarios.
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Table format: also show every workload's options, token facts and the reservation
    /// pools.
    #[arg(long, help_heading = heading::OUTPUT, help = "Also show every workload's options and pools", long_help)]
    pub details: bool,
}
