//! `catalog refresh`'s pipeline: check the meter table, fetch the Retail Prices API's items,
//! build the prices file, review it against the catalog and write it. No flags and no
//! printing: the command reads its arguments into a [`Refresh`] and prints the [`Refreshed`].

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use crate::catalog::meters::MeterTable;
use crate::catalog::prices::write_prices_file;
use crate::catalog::refresh::{fetch_items, query_url, FetchPolicy};
use crate::catalog::retail::{build_prices, Build, BuildOptions};
use crate::catalog::review::{review, Review};
use crate::catalog::Catalog;

/// What to refresh.
#[derive(Debug, Clone)]
pub struct Refresh {
    /// The Retail Prices API endpoint.
    pub endpoint: String,
    /// Regions to fetch (None: all).
    pub regions: Option<Vec<String>>,
    /// The prices file to write.
    pub out: PathBuf,
    /// `--accept-outliers`.
    pub accept_outliers: bool,
    /// Attempts per page before the fetch gives up.
    pub max_attempts: u32,
}

/// What a refresh fetched, built and wrote.
pub struct Refreshed {
    /// Items fetched.
    pub items: usize,
    /// Pages fetched.
    pub pages: usize,
    /// The date the prices are in force on (the catalog's as-of date).
    pub as_of: NaiveDate,
    /// The prices file as built, with its statistics.
    pub build: Build,
    /// The changes against the catalog.
    pub review: Review,
}

/// Fetch, build, guard and write the prices file `refresh.out` for `catalog` (narrowed to its
/// as-of date), calling `on_page(page, items so far)` after each page. Nothing is written
/// when the fetch fails or no item prices a catalog entry.
pub fn refresh(
    catalog: &Catalog,
    meters: &MeterTable,
    refresh: &Refresh,
    on_page: &mut dyn FnMut(usize, usize),
) -> Result<Refreshed> {
    let problems = meters.validate(catalog);
    if !problems.is_empty() {
        bail!(
            "the meter table has problems:\n  - {}",
            problems.join("\n  - ")
        );
    }
    let as_of = catalog
        .in_force_on
        .context("internal error: the catalog is not narrowed to its as-of date")?;
    let url = query_url(
        &refresh.endpoint,
        &meters.service_id,
        refresh.regions.as_deref(),
    )?;
    let policy = FetchPolicy {
        max_attempts: refresh.max_attempts,
        ..FetchPolicy::default()
    };
    let mut pages = 0;
    let items = fetch_items(url, &policy, &mut |page, n| {
        pages = page;
        on_page(page, n);
    })
    .with_context(|| {
        format!(
            "fetching prices from {}; nothing was written",
            refresh.endpoint
        )
    })?;
    let opts = BuildOptions {
        as_of,
        endpoint: refresh.endpoint.clone(),
        regions: refresh.regions.clone(),
        accept_outliers: refresh.accept_outliers,
    };
    let build = build_prices(&items, meters, catalog, &opts)?;
    if build.file.token_prices.is_empty() && build.file.ptu_prices.is_empty() {
        bail!(
            "no item of the {} fetched from {} priced a catalog entry on {as_of}; nothing was written (--verbose lists what was skipped)",
            items.len(),
            refresh.endpoint
        );
    }
    let header = format!(
        "Prices file written by ptuplan {} `catalog refresh`: use it with --prices FILE.\nPrices in force on {as_of}, from {}. Schema: the token_prices/ptu_prices lists of data/pricing.yaml.",
        env!("CARGO_PKG_VERSION"),
        refresh.endpoint
    );
    let review = review(catalog, &build.file, &build.provenance);
    write_prices_file(&refresh.out, &build.file, &header)
        .with_context(|| format!("writing {}", refresh.out.display()))?;
    Ok(Refreshed {
        items: items.len(),
        pages,
        as_of,
        build,
        review,
    })
}
