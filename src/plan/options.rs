//! Candidate options: which deployment types a workload could use in its region, and why the
//! others cannot be used (outside `--residency`, not listed in the region table or not sold per
//! the sales overrides, no sourced price, no PTU figures, no data zone, a capacity limit below
//! the minimum).

use super::constraints::Constraints;
use crate::catalog::overrides::CapacityLimit;
use crate::catalog::{
    Catalog, DeploymentTypeId, Processing, PtuIncrement, PtuPrice, PtuSpec, TokenPrice,
};
use crate::usage::WorkloadKey;

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
        /// A sales capacity limit in this region, if any (never below the minimum).
        cap: Option<&'c CapacityLimit>,
    },
    /// Not usable; the reason says why.
    Unavailable(String),
}

/// Evaluate one deployment type for a workload.
pub fn candidate<'c>(
    catalog: &'c Catalog,
    constraints: &'c Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Candidate<'c> {
    if let Some(reason) = unavailable_reason(catalog, constraints, key, t) {
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
    let cap = constraints.sales.capacity_for(t, &key.region);
    if let Some(c) = cap.filter(|c| c.max_ptus < increment.min_ptus) {
        return Candidate::Unavailable(format!(
            "capacity limit {} PTUs in {} ({}) is below the {t} minimum of {} PTUs",
            c.max_ptus, key.region, c.at, increment.min_ptus
        ));
    }
    match catalog.ptu_price(t, &key.region) {
        Some(price) => Candidate::Provisioned {
            spec,
            increment,
            price,
            cap,
        },
        None => Candidate::Unavailable(format!(
            "not priced: no sourced {t} PTU price in {}",
            key.region
        )),
    }
}

/// The reason a type is not offered for the workload's model and region, if any.
fn unavailable_reason(
    catalog: &Catalog,
    constraints: &Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Option<String> {
    if let Some(reason) = constraints.batch_only.as_ref().filter(|_| !t.is_batch()) {
        return Some(reason.clone());
    }
    if let Some(reason) = constraints
        .residency
        .as_ref()
        .and_then(|r| r.excludes(catalog, t, &key.region))
    {
        return Some(reason);
    }
    if t.processing() == Processing::DataZone && catalog.data_zone_of(&key.region).is_none() {
        return Some(format!(
            "{} is in no data zone (Data Zone types exist only in the US, EU and APAC data zones)",
            key.region
        ));
    }
    match constraints
        .sales
        .availability_for(&key.model, t, &key.region)
    {
        Some(a) if a.available => return None,
        Some(a) => {
            return Some(format!(
                "not available in {} per sales ({})",
                key.region, a.at
            ))
        }
        None => {}
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

/// A note for options that exist only because sales confirmed them (not in Microsoft's table),
/// or whose catalog availability is unverified ([U]: inferred, not read from a region matrix).
pub fn availability_note(
    catalog: &Catalog,
    constraints: &Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Option<String> {
    let listed = catalog.availability_of(&key.model, t, &key.region);
    if let Some(a) = constraints
        .sales
        .availability_for(&key.model, t, &key.region)
    {
        return (a.available && listed.is_none())
            .then(|| format!("available per sales ({}), not in Microsoft's table", a.at));
    }
    listed
        .filter(|a| a.unverified)
        .map(|_| UNVERIFIED_AVAILABILITY.to_owned())
}

/// The note of an option whose availability entry is unverified.
pub const UNVERIFIED_AVAILABILITY: &str = "unverified availability";

/// The note of an option priced with an unverified entry (derived or inferred figures; the
/// catalog entry's note says which).
pub fn price_unverified_note(unverified: bool) -> Option<String> {
    unverified.then(|| "unverified price".to_owned())
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
