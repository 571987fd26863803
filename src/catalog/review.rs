//! The review of a refreshed prices file against the catalog it will be layered over: every
//! price that changed or is new, old and new, by how much, with the regions that share the
//! change and where the new figure came from (a meter, or kept from the catalog because no row
//! was in force). `catalog refresh` prints it so a person can check the numbers before using
//! them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::retail::Provenance;
use super::{Catalog, DeploymentTypeId, PricesFile, PtuPrice, TokenPrice};

/// The figures of a token price entry, in order (short context, then long context).
pub const TOKEN_FIGURES: [&str; 8] = [
    "input [USD/1M]",
    "cached input [USD/1M]",
    "cache write [USD/1M]",
    "output [USD/1M]",
    "long-context input [USD/1M]",
    "long-context cached input [USD/1M]",
    "long-context cache write [USD/1M]",
    "long-context output [USD/1M]",
];

/// The figures of a PTU price entry, in order.
pub const PTU_FIGURES: [&str; 3] = [
    "hourly [USD/PTU-h]",
    "1-month reservation [USD/PTU]",
    "1-year reservation [USD/PTU]",
];

/// A token entry's figures in [`TOKEN_FIGURES`] order (None where the entry has none).
pub fn token_figures(p: &TokenPrice) -> [Option<f64>; 8] {
    let l = p.long_context.as_ref();
    [
        Some(p.input_usd_per_1m),
        Some(p.cached_input_usd_per_1m),
        p.cache_write_usd_per_1m,
        Some(p.output_usd_per_1m),
        l.map(|l| l.input_usd_per_1m),
        l.map(|l| l.cached_input_usd_per_1m),
        l.and_then(|l| l.cache_write_usd_per_1m),
        l.map(|l| l.output_usd_per_1m),
    ]
}

/// A PTU entry's figures in [`PTU_FIGURES`] order.
pub fn ptu_figures(p: &PtuPrice) -> [Option<f64>; 3] {
    [
        Some(p.usd_per_ptu_hour),
        Some(p.reservation_1_month_usd_per_ptu),
        Some(p.reservation_1_year_usd_per_ptu),
    ]
}

/// One changed or new price, shared by `regions`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReviewRow {
    /// Catalog model id; empty for PTU prices (they are not per model).
    pub model: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Which figure, with its unit (`input [USD/1M]`, `hourly [USD/PTU-h]`, ...).
    pub field: &'static str,
    /// Regions sharing this change, sorted.
    pub regions: Vec<String>,
    /// The catalog's price for these regions; None when the catalog had none.
    pub old: Option<f64>,
    /// The refreshed price.
    pub new: f64,
    /// Where the refreshed figure came from (`meter 'NAME'`); empty when unknown.
    pub from: String,
}

impl ReviewRow {
    /// Relative change (0.1 = +10%); None for new prices.
    pub fn change(&self) -> Option<f64> {
        self.old.filter(|o| *o > 0.0).map(|o| self.new / o - 1.0)
    }
}

/// A figure the refresh kept from the catalog because no row was in force.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeptFigure {
    /// Catalog model id; empty for PTU prices.
    pub model: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Which figure.
    pub field: &'static str,
    /// Regions, sorted.
    pub regions: Vec<String>,
}

/// The whole review.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Review {
    /// Changed and new prices, by type, model, figure and first region.
    pub rows: Vec<ReviewRow>,
    /// (region, figure) cells whose price did not change.
    pub unchanged: usize,
    /// Figures merged in from the catalog (no row in force), grouped by regions.
    pub kept: Vec<KeptFigure>,
}

/// Compare every figure of `file` with the catalog's price for the same model, type and region;
/// `provenance` (from the build) says where each new figure came from.
pub fn review(catalog: &Catalog, file: &PricesFile, provenance: &Provenance) -> Review {
    type Key = (
        DeploymentTypeId,
        String,
        &'static str,
        Option<u64>,
        u64,
        String,
    );
    let mut cells: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    let mut kept: BTreeMap<(DeploymentTypeId, String, &'static str), Vec<String>> = BTreeMap::new();
    let mut unchanged = 0;
    let mut add = |t: DeploymentTypeId,
                   model: &str,
                   field: &'static str,
                   old: Option<f64>,
                   new: f64,
                   region: &str| {
        let from = provenance
            .get(&(t, model.to_owned(), region.to_owned(), field))
            .cloned()
            .unwrap_or_default();
        if from.starts_with("catalog") {
            kept.entry((t, model.to_owned(), field))
                .or_default()
                .push(region.to_owned());
        }
        if old.is_some_and(|o| (o - new).abs() <= 1e-9 * o.abs().max(1.0)) {
            unchanged += 1;
        } else {
            cells
                .entry((
                    t,
                    model.to_owned(),
                    field,
                    old.map(f64::to_bits),
                    new.to_bits(),
                    from,
                ))
                .or_default()
                .push(region.to_owned());
        }
    };
    for p in &file.token_prices {
        let new = token_figures(p);
        for region in p.regions.iter().flatten() {
            let old = catalog
                .token_price(&p.model, p.deployment_type, region)
                .map(token_figures);
            for (i, field) in TOKEN_FIGURES.iter().enumerate() {
                if let Some(n) = new[i] {
                    add(
                        p.deployment_type,
                        &p.model,
                        field,
                        old.and_then(|o| o[i]),
                        n,
                        region,
                    );
                }
            }
        }
    }
    for p in &file.ptu_prices {
        let new = ptu_figures(p);
        for region in p.regions.iter().flatten() {
            let old = catalog
                .ptu_price(p.deployment_type, region)
                .map(ptu_figures);
            for (i, field) in PTU_FIGURES.iter().enumerate() {
                if let Some(n) = new[i] {
                    add(
                        p.deployment_type,
                        "",
                        field,
                        old.and_then(|o| o[i]),
                        n,
                        region,
                    );
                }
            }
        }
    }
    let mut rows: Vec<ReviewRow> = cells
        .into_iter()
        .map(|((t, model, field, old, new, from), mut regions)| {
            regions.sort();
            ReviewRow {
                model,
                deployment_type: t,
                field,
                regions,
                old: old.map(f64::from_bits),
                new: f64::from_bits(new),
                from,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.deployment_type, &a.model, a.field, &a.regions).cmp(&(
            b.deployment_type,
            &b.model,
            b.field,
            &b.regions,
        ))
    });
    let kept = kept
        .into_iter()
        .map(|((t, model, field), mut regions)| {
            regions.sort();
            KeptFigure {
                model,
                deployment_type: t,
                field,
                regions,
            }
        })
        .collect();
    Review {
        rows,
        unchanged,
        kept,
    }
}
