//! The catalog: deployment types, per-token and PTU prices, PTU capacity figures and region
//! availability, loaded from `data/*.yaml` (embedded in the binary) or a `--catalog DIR`.
//!
//! Every entry carries its `source` and `as_of` date. This module answers lookups
//! ("what does gpt-4o cost per input token on Data Zone Standard in swedencentral?");
//! it never guesses: a lookup with no sourced answer returns `None` and the caller
//! decides how to report it. Loading and validation live in [`load`].

pub mod accounting;
pub mod capacity;
mod checks;
mod deployment_type;
pub mod lifecycle;
pub mod load;
pub mod meters;
pub mod network;
pub mod overrides;
pub mod prices;
pub mod pricing;
pub mod refresh;
pub mod regions;
pub mod retail;
pub mod review;
pub mod sanity;
pub mod standard;
pub(crate) mod yaml;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use capacity::{ModelLimits, ModelSpec, PtuIncrement, PtuSpec};
pub use deployment_type::{DeploymentTypeId, Tier};
pub use load::{load_catalog, CatalogError, CatalogSource};
pub use prices::{PricesFile, PricesInfo};
use pricing::PriceEntry;
pub use pricing::{PtuPrice, TokenPrice};
pub use regions::{Availability, DataZone, UncoveredModels};

/// Where a deployment type processes inference (data residency of processing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Processing {
    /// Any Azure region worldwide: no data-residency guarantee for processing.
    Global,
    /// Anywhere inside the region's Microsoft-defined data zone (US, EU or APAC).
    DataZone,
    /// Only in the deployment's own region.
    Region,
}

/// The PTU minimum/increment column a provisioned type uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PtuScope {
    /// Global Provisioned.
    Global,
    /// Data Zone Provisioned.
    DataZone,
    /// Regional Provisioned.
    Regional,
}

/// How a deployment type is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BillingBasis {
    /// Per input, cached-input and output token.
    PerToken,
    /// Per deployed PTU-hour (hourly list price or a reservation).
    Provisioned,
}

/// A deployment type's description from `data/deployment_types.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentType {
    /// Kebab-case id, e.g. `data-zone-provisioned`.
    pub id: DeploymentTypeId,
    /// Display name, e.g. "Data Zone Provisioned".
    pub name: String,
    /// ARM `sku.name`, e.g. `DataZoneProvisionedManaged`.
    pub sku_name: String,
    /// Per-token or provisioned billing.
    pub billing: BillingBasis,
    /// Where inference is processed.
    pub processing: Processing,
    /// For provisioned types: the Standard type spilled-over requests go to and are billed at,
    /// or absent when Azure offers no spillover for this type.
    #[serde(default)]
    pub spillover_target: Option<DeploymentTypeId>,
    /// Free-text remark shown in `catalog show`.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the figures came from (URL or document reference).
    pub source: String,
    /// Date the figures were valid, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// The whole catalog, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// Deployment types by id.
    pub deployment_types: BTreeMap<DeploymentTypeId, DeploymentType>,
    /// Models by id (bare name, e.g. `gpt-4o`, or a pinned version such as `gpt-4o-2024-05-13`).
    pub models: BTreeMap<String, ModelSpec>,
    /// Per-token prices.
    pub token_prices: Vec<TokenPrice>,
    /// Per-PTU prices (hourly and reservations).
    pub ptu_prices: Vec<PtuPrice>,
    /// Data zones and their member regions.
    pub data_zones: Vec<DataZone>,
    /// Model x deployment type x region availability.
    pub availability: Vec<Availability>,
    /// Models no region matrix covers (their unlisted types and regions are [U]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncovered_models: Vec<regions::UncoveredModels>,
    /// Standard quotas, RPM ratios, usage tiers, pooling and Priority latency targets
    /// (`data/standard.yaml`).
    pub standard: standard::StandardCatalog,
    /// Inter-region latency, bytes per token and transfer prices (`data/network.yaml`).
    pub network: network::NetworkCatalog,
    /// Where the catalog was loaded from (embedded or a directory).
    #[serde(skip)]
    pub origin: String,
    /// The prices file layered over it with `--prices`, if any.
    #[serde(skip)]
    pub prices: Option<PricesInfo>,
    /// The date the catalog was narrowed to ([`Catalog::in_force_on`]): only prices in force on
    /// it are left, and lifecycles are read on it. None for the whole catalog.
    pub in_force_on: Option<NaiveDate>,
}

impl Catalog {
    /// The catalog as it stands on `date`: only the token and PTU prices in force that day
    /// (`effective_from` <= date <= `effective_to`). Lifecycles are read on the same date.
    pub fn in_force_on(mut self, date: NaiveDate) -> Catalog {
        self.token_prices.retain(|p| p.in_force_on(date));
        self.ptu_prices.retain(|p| p.in_force_on(date));
        self.in_force_on = Some(date);
        self
    }

    /// Every entry dated after `reference` (see the README: an `as_of` in the future fails).
    pub fn dated_after(&self, reference: NaiveDate) -> Vec<String> {
        checks::check_dates(self, reference)
    }

    /// Problems of a catalog that prices nothing (`when` is appended, e.g. " in force on ...").
    pub fn pricing_gaps(&self, when: &str) -> Vec<String> {
        checks::check_has_prices(self, when)
    }

    /// A model's lifecycle status on the catalog's date (None without a date or lifecycle).
    pub fn lifecycle_status(&self, model: &str) -> Option<lifecycle::LifecycleStatus> {
        let date = self.in_force_on?;
        self.models
            .get(model)?
            .lifecycle
            .as_ref()
            .map(|l| l.status_on(date))
    }

    /// Resolve a model name as it appears in a log (bare, versioned, or an alias) to a catalog
    /// model id. Exact ids win, then aliases, then the name with a trailing `-YYYY-MM-DD`
    /// version removed. Matching is case-insensitive.
    pub fn resolve_model(&self, name: &str) -> Option<&str> {
        let lower = name.trim().to_ascii_lowercase();
        if let Some((id, _)) = self.models.get_key_value(lower.as_str()) {
            return Some(id.as_str());
        }
        for (id, spec) in &self.models {
            if spec.aliases.iter().any(|a| a.eq_ignore_ascii_case(&lower)) {
                return Some(id.as_str());
            }
        }
        let bare = strip_version_suffix(&lower)?;
        self.models.get_key_value(bare).map(|(id, _)| id.as_str())
    }

    /// The catalog model ids closest to `name`, best first (for "did you mean" messages).
    pub fn closest_models(&self, name: &str, limit: usize) -> Vec<&str> {
        let lower = name.to_ascii_lowercase();
        let mut scored: Vec<(f64, &str)> = self
            .models
            .keys()
            .map(|id| (strsim::jaro_winkler(&lower, id), id.as_str()))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(limit).map(|(_, id)| id).collect()
    }

    /// The model spec for a resolved id.
    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.get(id)
    }

    /// The per-token price for a model, type and region: an entry listing the region wins over
    /// an entry with no region list. `None` when no sourced price exists.
    pub fn token_price(
        &self,
        model: &str,
        deployment_type: DeploymentTypeId,
        region: &str,
    ) -> Option<&TokenPrice> {
        pick_regional(
            self.token_prices
                .iter()
                .filter(|p| p.model == model && p.deployment_type == deployment_type),
            region,
        )
    }

    /// The PTU price for a provisioned type and region (same region rule as [`token_price`]).
    ///
    /// [`token_price`]: Catalog::token_price
    pub fn ptu_price(&self, deployment_type: DeploymentTypeId, region: &str) -> Option<&PtuPrice> {
        pick_regional(
            self.ptu_prices
                .iter()
                .filter(|p| p.deployment_type == deployment_type),
            region,
        )
    }

    /// The data zone (`us`, `eu`, `apac`) a region belongs to, if any.
    pub fn data_zone_of(&self, region: &str) -> Option<&DataZone> {
        self.data_zones
            .iter()
            .find(|z| z.regions.iter().any(|r| r == region))
    }

    /// The availability entry that lists `region` for this model and type, if any.
    pub fn availability_of(
        &self,
        model: &str,
        deployment_type: DeploymentTypeId,
        region: &str,
    ) -> Option<&Availability> {
        self.availability.iter().find(|a| {
            a.model == model
                && a.deployment_type == deployment_type
                && a.regions.iter().any(|r| r == region)
        })
    }

    /// When the catalog shows, from a verified source, that this model is not offered on this
    /// type in `region`: the `as_of` of that source. None when the model is listed there, or
    /// when its absence is only inferred ([U]): an unverified list, a region outside the
    /// table's `checked_regions`, or, for a type without an entry, a model no matrix covers
    /// (`uncovered_models`, or one no verified entry lists at all). A covered model without an
    /// entry for the type is verified absent on it: the matrices list every type a model they
    /// cover is offered on.
    pub fn verified_absence(
        &self,
        model: &str,
        deployment_type: DeploymentTypeId,
        region: &str,
    ) -> Option<NaiveDate> {
        let covers = |a: &Availability| {
            a.checked_regions
                .as_ref()
                .is_none_or(|c| c.iter().any(|r| r == region))
        };
        let entry = self
            .availability
            .iter()
            .find(|a| a.model == model && a.deployment_type == deployment_type);
        if let Some(a) = entry {
            return (!a.unverified && !a.regions.iter().any(|r| r == region) && covers(a))
                .then_some(a.as_of);
        }
        if self
            .uncovered_models
            .iter()
            .any(|u| u.models.iter().any(|m| m == model))
        {
            return None;
        }
        self.availability
            .iter()
            .filter(|a| a.model == model && !a.unverified && covers(a))
            .map(|a| a.as_of)
            .max()
    }

    /// The newest `as_of` date over every entry (the date the catalog is "as of").
    pub fn newest_as_of(&self) -> Option<NaiveDate> {
        self.all_provenance().map(|(_, d)| d).max()
    }

    /// The oldest `as_of` date over every entry.
    pub fn oldest_as_of(&self) -> Option<NaiveDate> {
        self.all_provenance().map(|(_, d)| d).min()
    }

    /// `(source, as_of)` of every entry.
    pub fn all_provenance(&self) -> impl Iterator<Item = (&str, NaiveDate)> {
        self.deployment_types
            .values()
            .map(|d| (d.source.as_str(), d.as_of))
            .chain(self.models.values().map(|m| (m.source.as_str(), m.as_of)))
            .chain(
                self.token_prices
                    .iter()
                    .map(|p| (p.source.as_str(), p.as_of)),
            )
            .chain(self.ptu_prices.iter().map(|p| (p.source.as_str(), p.as_of)))
            .chain(self.data_zones.iter().map(|z| (z.source.as_str(), z.as_of)))
            .chain(
                self.uncovered_models
                    .iter()
                    .map(|u| (u.source.as_str(), u.as_of)),
            )
            .chain(
                self.availability
                    .iter()
                    .map(|a| (a.source.as_str(), a.as_of)),
            )
            .chain(self.standard.provenance())
            .chain(self.network.provenance())
    }

    /// Every region named anywhere in the catalog, sorted.
    pub fn known_regions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .availability
            .iter()
            .flat_map(|a| a.regions.iter())
            .chain(self.data_zones.iter().flat_map(|z| z.regions.iter()))
            .map(String::as_str)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Choose the entry listing `region`, else the entry with no region list.
fn pick_regional<'a, T: PriceEntry>(
    entries: impl Iterator<Item = &'a T>,
    region: &str,
) -> Option<&'a T> {
    let mut fallback = None;
    for entry in entries {
        match entry.regions() {
            Some(list) if list.iter().any(|r| r == region) => return Some(entry),
            Some(_) => {}
            None => fallback = fallback.or(Some(entry)),
        }
    }
    fallback
}

/// `gpt-4o-2024-11-20` -> `gpt-4o`; `o3-mini-2025-01-31` -> `o3-mini`. None when no
/// `-YYYY-MM-DD` suffix is present.
pub fn strip_version_suffix(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    if bytes.len() < 12 {
        return None;
    }
    let (head, tail) = name.split_at(name.len() - 11);
    let t = tail.as_bytes();
    let is_date = t[0] == b'-'
        && t[5] == b'-'
        && t[8] == b'-'
        && t[1..5].iter().all(u8::is_ascii_digit)
        && t[6..8].iter().all(u8::is_ascii_digit)
        && t[9..11].iter().all(u8::is_ascii_digit);
    is_date.then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_date_version_suffix() {
        assert_eq!(strip_version_suffix("gpt-4o-2024-11-20"), Some("gpt-4o"));
        assert_eq!(strip_version_suffix("o3-mini-2025-01-31"), Some("o3-mini"));
        assert_eq!(strip_version_suffix("gpt-4o"), None);
        assert_eq!(strip_version_suffix("gpt-4o-mini"), None);
        assert_eq!(strip_version_suffix("x-2024-1-20"), None);
    }
}
