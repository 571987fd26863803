//! `catalog show|validate|refresh`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::heading;

use super::groups::CatalogArgs;

/// `catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Print the catalog (prices, PTU figures, availability).
    Show(CatalogShowArgs),
    /// Check the catalog and report every problem at once.
    Validate(CatalogArgs),
    /// Fetch today's list prices from the Azure Retail Prices API into a prices file.
    ///
    /// Writes FILE atomically (a failed fetch leaves any previous FILE untouched) and prints a
    /// review of what changed against the current catalog. Use the file with --prices FILE.
    /// This is the only command that touches the network.
    Refresh(RefreshArgs),
}

/// `catalog show` arguments.
#[derive(Debug, Args)]
pub struct CatalogShowArgs {
    /// Catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// `table` or `json`.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table, help_heading = heading::OUTPUT)]
    pub format: CatalogFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT)]
    pub out: Option<PathBuf>,
}

/// Formats of `catalog show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Terminal tables.
    Table,
    /// JSON.
    Json,
}

/// `catalog refresh` arguments.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The catalog the review compares against (and the outlier guard checks against).
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Retail Prices API endpoint.
    #[arg(long, value_name = "URL", default_value = crate::catalog::refresh::DEFAULT_ENDPOINT, help_heading = heading::FETCH)]
    pub endpoint: String,
    /// Fetch only this region (repeatable; an armRegionName such as eastus2). Default: all.
    #[arg(long = "region", value_name = "REGION", help_heading = heading::FETCH, help = "Fetch only this region (repeatable)", long_help)]
    pub regions: Vec<String>,
    /// The prices file to write (YAML).
    #[arg(long, value_name = "FILE", help_heading = heading::OUTPUT)]
    pub out: PathBuf,
    /// Accept prices an order of magnitude away from the catalog's.
    #[arg(long, help_heading = heading::FETCH, help = "Accept prices far from the catalog's", long_help)]
    pub accept_outliers: bool,
    /// Attempts per page before giving up (429, 5xx and connection errors are retried).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10), help_heading = heading::FETCH, help = "Attempts per page before giving up", long_help)]
    pub max_attempts: u32,
    /// List the meters that matched no catalog model, and the other skipped items.
    #[arg(long, short, help_heading = heading::OUTPUT, help = "List the meters that matched no model", long_help)]
    pub verbose: bool,
    /// Print nothing on stderr but errors.
    #[arg(long, short, help_heading = heading::OUTPUT)]
    pub quiet: bool,
}
