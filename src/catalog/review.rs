//! The review of a refreshed prices file against the catalog it will be layered over: every
//! price that changed or is new, old and new, by how much, with the regions that share the
//! change. `catalog refresh` prints it so a person can check the numbers before using them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Catalog, DeploymentTypeId, PricesFile};

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
}

impl ReviewRow {
    /// Relative change (0.1 = +10%); None for new prices.
    pub fn change(&self) -> Option<f64> {
        self.old.filter(|o| *o > 0.0).map(|o| self.new / o - 1.0)
    }
}

/// The whole review.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Review {
    /// Changed and new prices, by type, model, figure and first region.
    pub rows: Vec<ReviewRow>,
    /// (region, figure) cells whose price did not change.
    pub unchanged: usize,
}

/// Compare every figure of `file` with the catalog's price for the same model, type and region.
pub fn review(catalog: &Catalog, file: &PricesFile) -> Review {
    type Key = (DeploymentTypeId, String, &'static str, Option<u64>, u64);
    let mut cells: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    let mut unchanged = 0;
    let mut add = |key: (DeploymentTypeId, String, &'static str),
                   old: Option<f64>,
                   new: f64,
                   region: &str| {
        if old.is_some_and(|o| (o - new).abs() <= 1e-9 * o.abs().max(1.0)) {
            unchanged += 1;
        } else {
            cells
                .entry((key.0, key.1, key.2, old.map(f64::to_bits), new.to_bits()))
                .or_default()
                .push(region.to_owned());
        }
    };
    for p in &file.token_prices {
        for region in p.regions.iter().flatten() {
            let old = catalog.token_price(&p.model, p.deployment_type, region);
            let figures = [
                (
                    "input [USD/1M]",
                    old.map(|o| o.input_usd_per_1m),
                    p.input_usd_per_1m,
                ),
                (
                    "cached input [USD/1M]",
                    old.map(|o| o.cached_input_usd_per_1m),
                    p.cached_input_usd_per_1m,
                ),
                (
                    "output [USD/1M]",
                    old.map(|o| o.output_usd_per_1m),
                    p.output_usd_per_1m,
                ),
            ];
            for (field, o, n) in figures {
                add((p.deployment_type, p.model.clone(), field), o, n, region);
            }
        }
    }
    for p in &file.ptu_prices {
        for region in p.regions.iter().flatten() {
            let old = catalog.ptu_price(p.deployment_type, region);
            let figures = [
                (
                    "hourly [USD/PTU-h]",
                    old.map(|o| o.usd_per_ptu_hour),
                    p.usd_per_ptu_hour,
                ),
                (
                    "1-month reservation [USD/PTU]",
                    old.map(|o| o.reservation_1_month_usd_per_ptu),
                    p.reservation_1_month_usd_per_ptu,
                ),
                (
                    "1-year reservation [USD/PTU]",
                    old.map(|o| o.reservation_1_year_usd_per_ptu),
                    p.reservation_1_year_usd_per_ptu,
                ),
            ];
            for (field, o, n) in figures {
                add((p.deployment_type, String::new(), field), o, n, region);
            }
        }
    }
    let mut rows: Vec<ReviewRow> = cells
        .into_iter()
        .map(|((t, model, field, old, new), mut regions)| {
            regions.sort();
            ReviewRow {
                model,
                deployment_type: t,
                field,
                regions,
                old: old.map(f64::from_bits),
                new: f64::from_bits(new),
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
    Review { rows, unchanged }
}
