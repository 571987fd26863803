//! `ptuplan catalog refresh`: fetch, build, guard, write atomically, print the review.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context, Result};

use super::outcome::Outcome;
use crate::catalog::meters::MeterTable;
use crate::cli::RefreshArgs;
use crate::ops::refresh::Refresh;
use crate::render;
use crate::render::guard::InputFiles;
use crate::settings::{add_catalog_inputs, catalog_from, ensure_output_spares_inputs};

/// Run `catalog refresh`.
pub fn run(args: &RefreshArgs) -> Result<Outcome> {
    let mut inputs = InputFiles::new();
    add_catalog_inputs(&mut inputs, &args.catalog);
    ensure_output_spares_inputs(&inputs, Some(&args.out))?;
    let catalog = catalog_from(&args.catalog)?;
    let meters =
        MeterTable::load(args.catalog.catalog.as_deref()).context("loading meters.yaml")?;
    let refresh = Refresh {
        endpoint: args.endpoint.clone(),
        regions: ensure_regions(&args.regions, &catalog.known_regions())?,
        out: args.out.clone(),
        accept_outliers: args.accept_outliers,
        max_attempts: args.max_attempts,
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let done = crate::ops::refresh::refresh(&catalog, &meters, &refresh, &mut |page, n| {
        if show_progress {
            eprintln!("fetched page {page} ({n} items so far)");
        }
    })?;
    let mut out = std::io::stdout().lock();
    render::refresh::render(
        &render::refresh::Fetched {
            items: done.items,
            pages: done.pages,
            endpoint: &args.endpoint,
            as_of: done.as_of,
            written: &args.out,
            origin: &catalog.origin,
            verbose: args.verbose,
        },
        &done.build,
        &done.review,
        &mut out,
    )?;
    out.flush()?;
    Ok(Outcome::Ok)
}

fn ensure_regions(regions: &[String], known: &[&str]) -> Result<Option<Vec<String>>> {
    if regions.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in regions {
        let r = r.trim().to_ascii_lowercase();
        if !known.contains(&r.as_str()) {
            bail!(
                "--region {r}: not a region of the catalog; known regions: {}",
                known.join(", ")
            );
        }
        out.push(r);
    }
    out.sort();
    out.dedup();
    Ok(Some(out))
}
