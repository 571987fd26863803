//! `sample`: a deterministic synthetic usage log.

use std::path::PathBuf;

use clap::Args;

use super::heading;

/// Largest `sample --requests` (about 90 GB of CSV).
pub const MAX_SAMPLE_REQUESTS: u64 = 1_000_000_000;

/// `sample` arguments.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Days of traffic (1-400).
    #[arg(long, default_value_t = 30, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=400), help_heading = heading::SAMPLE)]
    pub days: u32,
    /// Requests in total (1 to 1,000,000,000).
    #[arg(long, default_value_t = 110_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_SAMPLE_REQUESTS), help_heading = heading::SAMPLE)]
    pub requests: u64,
    /// Random seed (the same seed gives the same bytes).
    #[arg(long, default_value_t = 7, value_name = "S", help_heading = heading::SAMPLE)]
    pub seed: u64,
    /// First day, YYYY-MM-DD (UTC).
    #[arg(long, default_value = "2026-10-01", value_name = "DATE", help_heading = heading::SAMPLE)]
    pub start: String,
    /// Output file (`.gz` compresses; `.jsonl` writes JSON Lines; `-` = stdout CSV).
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT)]
    pub out: PathBuf,
    /// Print nothing on stderr but errors.
    #[arg(long, short, help_heading = heading::OUTPUT)]
    pub quiet: bool,
}
