//! Planning constraints: data residency (`--residency`), the sales facts from `--overrides`
//! (confirmed availability, PTU capacity limits per region) and the log's evidence of where
//! its models serve ([`super::evidence`], `--served-by`). [`super::options`]
//! turns them into "unavailable" reasons; [`super::prepare`] caps the PTU sweep at a capacity
//! limit.
//!
//! Where each deployment type processes data (facts section 1, [S7]): Global types anywhere
//! in the world, Data Zone types inside the US, EU or APAC data zone, regional types in their region.

use serde::Serialize;

use super::remark::{ResidencyConflict, Unavailable};
use crate::catalog::overrides::{AvailabilityOverride, CapacityLimit};
use crate::catalog::{Catalog, DeploymentTypeId, Processing};

/// Where inference may be processed (`--residency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum Residency {
    /// Anywhere: no option is excluded.
    Global,
    /// Inside one data zone (`us`, `eu`, `apac`).
    DataZone(String),
    /// Inside one region (`swedencentral`).
    Region(String),
}

impl From<Residency> for String {
    fn from(r: Residency) -> String {
        r.label().to_owned()
    }
}

impl Residency {
    /// Parse `global`, `us`, `eu`, `apac` or a region name (checked against the catalog later with
    /// [`Residency::ensure_known`]).
    pub fn parse(text: &str) -> Result<Residency, String> {
        let t = text.trim().to_ascii_lowercase();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "`{text}`: expected global, us, eu, apac or a region such as swedencentral"
            ));
        }
        Ok(match t.as_str() {
            "global" => Residency::Global,
            "us" | "eu" | "apac" => Residency::DataZone(t),
            _ => Residency::Region(t),
        })
    }

    /// The flag value.
    pub fn label(&self) -> &str {
        match self {
            Residency::Global => "global",
            Residency::DataZone(z) | Residency::Region(z) => z,
        }
    }

    /// Error unless the zone or region exists in the catalog.
    pub fn ensure_known(&self, catalog: &Catalog) -> Result<(), String> {
        match self {
            Residency::Global => Ok(()),
            Residency::DataZone(z) if catalog.data_zones.iter().any(|d| &d.id == z) => Ok(()),
            Residency::Region(r) if catalog.known_regions().contains(&r.as_str()) => Ok(()),
            other => Err(format!(
                "--residency {}: not a data zone or region of the catalog (global, {}, or a region such as swedencentral)",
                other.label(),
                catalog
                    .data_zones
                    .iter()
                    .map(|z| z.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Why type `t` deployed in `region` processes data outside, if it does.
    pub fn excludes(
        &self,
        catalog: &Catalog,
        t: DeploymentTypeId,
        region: &str,
    ) -> Option<Unavailable> {
        let zone_of = |r: &str| catalog.data_zone_of(r).map(|z| z.id.clone());
        let outside = |conflict: ResidencyConflict| {
            Some(Unavailable::OutsideResidency {
                residency: self.label().to_owned(),
                conflict,
            })
        };
        match (self, t.processing()) {
            (Residency::Global, _) => None,
            (_, Processing::Global) => outside(ResidencyConflict::GlobalType),
            (Residency::DataZone(z), Processing::DataZone) => match zone_of(region) {
                Some(zone) if &zone == z => None,
                Some(zone) => outside(ResidencyConflict::OtherZone(zone)),
                None => outside(ResidencyConflict::NoZone(region.to_owned())),
            },
            (Residency::DataZone(z), Processing::Region) => (zone_of(region).as_ref() != Some(z))
                .then(|| ResidencyConflict::InRegion(region.to_owned()))
                .and_then(outside),
            (Residency::Region(r), Processing::DataZone) => {
                outside(ResidencyConflict::WiderThanRegion {
                    zone: zone_of(region).unwrap_or_default(),
                    region: r.clone(),
                })
            }
            (Residency::Region(r), Processing::Region) => (region != r)
                .then(|| ResidencyConflict::InRegion(region.to_owned()))
                .and_then(outside),
        }
    }
}

/// Sales facts from `--overrides`: availability and capacity per region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesFacts {
    /// Confirmed availability (either direction).
    pub availability: Vec<AvailabilityOverride>,
    /// PTU capacity limits.
    pub capacity: Vec<CapacityLimit>,
}

impl SalesFacts {
    /// The override for a model, type and region: a model-specific entry wins over an
    /// every-model one; among equals the last one listed wins.
    pub fn availability_for(
        &self,
        model: &str,
        t: DeploymentTypeId,
        region: &str,
    ) -> Option<&AvailabilityOverride> {
        let matching = |specific: bool| {
            self.availability.iter().rev().find(|a| {
                a.deployment_type == t
                    && a.region == region
                    && match &a.model {
                        Some(m) => specific && m == model,
                        None => !specific,
                    }
            })
        };
        matching(true).or_else(|| matching(false))
    }

    /// The tightest capacity limit for a type and region.
    pub fn capacity_for(&self, t: DeploymentTypeId, region: &str) -> Option<&CapacityLimit> {
        self.capacity
            .iter()
            .filter(|c| c.deployment_type == t && c.region == region)
            .min_by_key(|c| c.max_ptus)
    }
}

/// Everything that narrows the options, besides the catalog itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `--residency`; None = no constraint.
    pub residency: Option<Residency>,
    /// Sales facts (reported in `overrides_applied`, not repeated here).
    pub sales: SalesFacts,
    /// Only Batch types are usable, for this reason (a scenario's Batch-shifted requests).
    pub batch_only: Option<String>,
    /// `--served-by`: the type the log's deployments ran on.
    pub served_by: super::evidence::ServedBy,
    /// Where the log shows each model serving (filled once the log is read).
    pub evidence: super::evidence::LogEvidence,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};
    use DeploymentTypeId::*;

    #[test]
    fn residency_keeps_only_processing_inside() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let eu = Residency::parse("EU").expect("parses");
        assert!(eu
            .excludes(&c, GlobalProvisioned, "swedencentral")
            .is_some());
        assert!(eu
            .excludes(&c, DataZoneProvisioned, "swedencentral")
            .is_none());
        assert!(eu.excludes(&c, DataZoneStandard, "eastus2").is_some());
        assert!(eu
            .excludes(&c, RegionalProvisioned, "swedencentral")
            .is_none());
        assert!(eu.excludes(&c, RegionalProvisioned, "uksouth").is_some());
        let sweden = Residency::parse("swedencentral").expect("parses");
        assert!(sweden
            .excludes(&c, DataZoneStandard, "swedencentral")
            .is_some());
        assert!(sweden
            .excludes(&c, RegionalStandard, "swedencentral")
            .is_none());
        assert!(sweden
            .excludes(&c, RegionalStandard, "westeurope")
            .is_some());
        assert!(Residency::Global
            .excludes(&c, GlobalBatch, "eastus")
            .is_none());
        assert!(Residency::parse("mars")
            .expect("lexically fine")
            .ensure_known(&c)
            .is_err());
        assert!(Residency::parse("us east").is_err());
    }
}
