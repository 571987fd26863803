//! `regions`: every region x provisioned type x term where a workload's model runs.

use clap::Args;

use super::heading;

use super::groups::{OutputArgs, PlanningArgs, ReplayArgs};

/// `regions` arguments (the same inputs and knobs as `compare`).
#[derive(Debug, Args)]
pub struct RegionsArgs {
    /// Logs, catalog and simulation.
    #[command(flatten)]
    pub replay: ReplayArgs,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Quotes and constraints.
    #[command(flatten)]
    pub planning: PlanningArgs,
    /// Where the callers are: every candidate region gets the round-trip latency from here
    /// (Azure's published inter-region statistics), the monthly data transfer and its cost,
    /// and whether the move crosses a data-zone boundary. Default: each workload's own region.
    #[arg(long, value_name = "REGION", help_heading = heading::SIZING, help = "Where the callers are (round trip, transfer)", long_help)]
    pub from: Option<String>,
}
