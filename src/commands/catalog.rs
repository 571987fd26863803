//! `ptuplan catalog show|validate`.

use std::io::Write;

use anyhow::{Context, Result};

use super::outcome::Outcome;
use crate::cli::{CatalogCommand, CatalogFormat};
use crate::render;
use crate::render::guard::InputFiles;
use crate::settings::{add_catalog_inputs, catalog_from, ensure_output_spares_inputs};

/// Run a `catalog` subcommand.
pub fn run(cmd: CatalogCommand) -> Result<Outcome> {
    match cmd {
        CatalogCommand::Refresh(args) => super::catalog_refresh::run(&args),
        CatalogCommand::Validate(args) => {
            let catalog = catalog_from(&args)?;
            println!(
                "catalog {} is valid: {} models, {} token prices and {} PTU prices in force on {}, {} availability lists; as of {} (oldest entry {})",
                catalog.origin,
                catalog.models.len(),
                catalog.token_prices.len(),
                catalog.ptu_prices.len(),
                catalog.in_force_on.map(|d| d.to_string()).unwrap_or_default(),
                catalog.availability.len(),
                catalog.newest_as_of().map(|d| d.to_string()).unwrap_or_default(),
                catalog.oldest_as_of().map(|d| d.to_string()).unwrap_or_default(),
            );
            Ok(Outcome::Ok)
        }
        CatalogCommand::Show(args) => {
            let mut inputs = InputFiles::new();
            add_catalog_inputs(&mut inputs, &args.catalog);
            ensure_output_spares_inputs(&inputs, args.out.as_deref())?;
            let catalog = catalog_from(&args.catalog)?;
            let mut out = render::open_output(args.out.as_deref(), &inputs)?;
            render::catalog::render(&catalog, args.format == CatalogFormat::Json, &mut out)
                .context("writing the catalog")?;
            out.flush()?;
            Ok(Outcome::Ok)
        }
    }
}
