//! Candidate options: which deployment types a workload could use in its region, and why the
//! others cannot be used (not listed in the region table, no sourced price, no PTU figures,
//! no data zone).

use crate::catalog::{
    Catalog, DeploymentTypeId, Processing, PtuIncrement, PtuPrice, PtuSpec, TokenPrice,
};
use crate::sim::WorkloadKey;

/// Why an option is unavailable, or the catalog entries that make it available.
pub enum Candidate<'c> {
    /// A per-token type with its price.
    PerToken(&'c TokenPrice),
    /// A provisioned type with its PTU figures, increment and price.
    Provisioned {
        /// Model PTU figures.
        spec: &'c PtuSpec,
        /// Minimum and increment for this type.
        increment: PtuIncrement,
        /// PTU prices in this region.
        price: &'c PtuPrice,
    },
    /// Not usable; the reason says why.
    Unavailable(String),
}

/// Evaluate one deployment type for a workload.
pub fn candidate<'c>(
    catalog: &'c Catalog,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Candidate<'c> {
    if let Some(reason) = unavailable_reason(catalog, key, t) {
        return Candidate::Unavailable(reason);
    }
    if !t.is_provisioned() {
        return match catalog.token_price(&key.model, t, &key.region) {
            Some(p) => Candidate::PerToken(p),
            None => Candidate::Unavailable(format!(
                "not priced: no sourced {t} price for {} in {}",
                key.model, key.region
            )),
        };
    }
    let Some(spec) = catalog.model(&key.model).and_then(|m| m.ptu.as_ref()) else {
        return Candidate::Unavailable(format!("{} has no PTU capacity figures", key.model));
    };
    let Some(increment) = t.ptu_scope().and_then(|s| spec.increment_for(s)).copied() else {
        return Candidate::Unavailable(format!("{} has no {t} minimum/increment", key.model));
    };
    match catalog.ptu_price(t, &key.region) {
        Some(price) => Candidate::Provisioned {
            spec,
            increment,
            price,
        },
        None => Candidate::Unavailable(format!(
            "not priced: no sourced {t} PTU price in {}",
            key.region
        )),
    }
}

/// The reason a type is not offered for the workload's model and region, if any.
fn unavailable_reason(catalog: &Catalog, key: &WorkloadKey, t: DeploymentTypeId) -> Option<String> {
    if t.processing() == Processing::DataZone && catalog.data_zone_of(&key.region).is_none() {
        return Some(format!(
            "{} is in no data zone (Data Zone types exist only in the US and EU)",
            key.region
        ));
    }
    if catalog
        .availability_of(&key.model, t, &key.region)
        .is_none()
    {
        return Some(format!(
            "not listed for {} in {} (indicative region table)",
            key.model, key.region
        ));
    }
    None
}

/// Where a type processes the workload's data, for display (`global`, `data zone EU`,
/// `region swedencentral`).
pub fn processing_label(catalog: &Catalog, key: &WorkloadKey, t: DeploymentTypeId) -> String {
    match t.processing() {
        Processing::Global => "global".to_owned(),
        Processing::DataZone => match catalog.data_zone_of(&key.region) {
            Some(z) => format!("data zone {}", z.id.to_ascii_uppercase()),
            None => "data zone (none)".to_owned(),
        },
        Processing::Region => format!("region {}", key.region),
    }
}
