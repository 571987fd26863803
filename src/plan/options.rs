//! Candidate options: which deployment types a workload could use in its region, on what basis
//! (a verified region table, sales, the log's evidence, or an inference flagged [U]), and why
//! the others cannot be used (outside `--residency`, not offered per a verified region table
//! or per the sales overrides, no sourced price, no PTU figures, no data zone, a capacity limit
//! below the minimum).

use super::constraints::Constraints;
use super::remark::{AvailabilityNote, OptionNote, TableSays, Unavailable};
use crate::catalog::overrides::CapacityLimit;
use crate::catalog::{
    Catalog, DeploymentTypeId, Processing, PtuIncrement, PtuPrice, PtuSpec, TokenPrice,
};
use crate::usage::WorkloadKey;
use serde::Serialize;

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
    Unavailable(Unavailable),
}

/// Evaluate one deployment type for a workload.
pub fn candidate<'c>(
    catalog: &'c Catalog,
    constraints: &'c Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Candidate<'c> {
    if let Err(reason) = availability(catalog, constraints, key, t) {
        return Candidate::Unavailable(reason);
    }
    if !t.is_provisioned() {
        return match catalog.token_price(&key.model, t, &key.region) {
            Some(p) => Candidate::PerToken(p),
            None => Candidate::Unavailable(Unavailable::NotPriced {
                deployment_type: t,
                model: key.model.clone(),
                region: key.region.clone(),
            }),
        };
    }
    let Some(spec) = catalog.model(&key.model).and_then(|m| m.ptu.as_ref()) else {
        return Candidate::Unavailable(Unavailable::NoPtuFigures {
            model: key.model.clone(),
        });
    };
    let Some(increment) = t.ptu_scope().and_then(|s| spec.increment_for(s)).copied() else {
        return Candidate::Unavailable(Unavailable::NoPtuIncrement {
            model: key.model.clone(),
            deployment_type: t,
        });
    };
    let cap = constraints.sales.capacity_for(t, &key.region);
    if let Some(c) = cap.filter(|c| c.max_ptus < increment.min_ptus) {
        return Candidate::Unavailable(Unavailable::CapacityBelowMinimum {
            max_ptus: c.max_ptus,
            region: key.region.clone(),
            at: c.at.clone(),
            deployment_type: t,
            min_ptus: increment.min_ptus,
        });
    }
    match catalog.ptu_price(t, &key.region) {
        Some(price) => Candidate::Provisioned {
            spec,
            increment,
            price,
            cap,
        },
        None => Candidate::Unavailable(Unavailable::NoPtuPrice {
            deployment_type: t,
            region: key.region.clone(),
        }),
    }
}

/// Why an option counts as available (JSON `options[].availability_basis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AvailabilityBasis {
    /// Listed for the model, type and region in a region table read from Microsoft's docs.
    Catalog,
    /// Confirmed by the sales facts of `--overrides`.
    Sales,
    /// The log shows the model serving in the region on this type ([`super::evidence`]).
    Log,
    /// Listed, but in a list the research inferred ([U]).
    CatalogUnverified,
    /// Not listed, but no verified table covers the model, type and region: unavailability
    /// is only inferred ([U]).
    Unlisted,
}

impl AvailabilityBasis {
    /// True when the basis is a fact (a verified table, sales, or the log), not an inference:
    /// only such options may be recommended.
    pub fn is_confirmed(self) -> bool {
        matches!(
            self,
            AvailabilityBasis::Catalog | AvailabilityBasis::Sales | AvailabilityBasis::Log
        )
    }
}

/// Why an option counts as available, and what to say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    /// The basis.
    pub basis: AvailabilityBasis,
    /// The note for the option (None for a verified catalog listing).
    pub note: Option<AvailabilityNote>,
}

/// Whether a type is offered for the workload's model and region, and why: `Err` holds the
/// reason it is not (outside `--residency`, no data zone, a sales fact, a verified region
/// table that covers the region and does not list it); `Ok` says on what basis it counts.
///
/// The rule: sales facts first (either way); then the log's evidence ([`super::evidence`]: a
/// stated type always counts, the assumed one unless a verified table says otherwise); then
/// the catalog: listed in a verified table, listed in an unverified one ([U]), or not listed
/// where no verified table covers it ([U]). Only a verified absence makes an option unavailable;
/// an inferred one leaves it priced and flagged.
pub fn availability(
    catalog: &Catalog,
    constraints: &Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Result<Availability, Unavailable> {
    if let Some(reason) = constraints.batch_only.as_ref().filter(|_| !t.is_batch()) {
        return Err(Unavailable::BatchOnly(reason.clone()));
    }
    if let Some(reason) = constraints
        .residency
        .as_ref()
        .and_then(|r| r.excludes(catalog, t, &key.region))
    {
        return Err(reason);
    }
    if t.processing() == Processing::DataZone && catalog.data_zone_of(&key.region).is_none() {
        return Err(Unavailable::NoDataZone {
            region: key.region.clone(),
        });
    }
    let listed = catalog.availability_of(&key.model, t, &key.region);
    match constraints
        .sales
        .availability_for(&key.model, t, &key.region)
    {
        Some(a) if a.available => {
            return Ok(Availability {
                basis: AvailabilityBasis::Sales,
                note: listed
                    .is_none()
                    .then(|| AvailabilityNote::Sales { at: a.at.clone() }),
            })
        }
        Some(a) => {
            return Err(Unavailable::NotAvailablePerSales {
                region: key.region.clone(),
                at: a.at.clone(),
            })
        }
        None => {}
    }
    let absent = catalog.verified_absence(&key.model, t, &key.region);
    // A verified absence yields only to a type the user stated.
    let served = constraints
        .evidence
        .served_on(&key.model, &key.region, t, absent.is_some());
    match listed {
        Some(a) if !a.unverified => Ok(Availability {
            basis: AvailabilityBasis::Catalog,
            note: None,
        }),
        _ if !served.is_empty() => {
            let table = match (listed, absent) {
                (Some(_), _) => TableSays::UnverifiedList,
                (None, Some(_)) => TableSays::NotListed,
                (None, None) => TableSays::NoTable,
            };
            Ok(Availability {
                basis: AvailabilityBasis::Log,
                note: Some(AvailabilityNote::Log {
                    served,
                    model: key.model.clone(),
                    region: key.region.clone(),
                    deployment_type: t,
                    table,
                }),
            })
        }
        Some(_) => Ok(Availability {
            basis: AvailabilityBasis::CatalogUnverified,
            note: Some(AvailabilityNote::Unverified),
        }),
        None => match absent {
            Some(as_of) => Err(Unavailable::NotOffered {
                model: key.model.clone(),
                region: key.region.clone(),
                as_of,
            }),
            None => Ok(Availability {
                basis: AvailabilityBasis::Unlisted,
                note: Some(AvailabilityNote::Unlisted {
                    model: key.model.clone(),
                    deployment_type: t,
                    region: key.region.clone(),
                }),
            }),
        },
    }
}

/// Warnings for models the log shows serving in a region where its evidence counts for no
/// type: the type was assumed (not stated with `--served-by`), a verified region table says
/// the model is not offered on that type there, and no table lists the model in the region on
/// any other type. The log and the catalog then disagree, and only the user knows the type.
pub fn evidence_gaps(catalog: &Catalog, constraints: &Constraints) -> Vec<EvidenceGap> {
    let mut out = Vec::new();
    for (model, region, served) in constraints.evidence.iter() {
        let assumed: Vec<&super::evidence::Served> = served.iter().filter(|s| !s.stated).collect();
        let Some(first) = assumed.first() else {
            continue;
        };
        let t = first.deployment_type;
        let listed_anywhere = DeploymentTypeId::ALL
            .into_iter()
            .any(|d| catalog.availability_of(model, d, region).is_some());
        if catalog.verified_absence(model, t, region).is_some() && !listed_anywhere {
            out.push(EvidenceGap {
                model: model.to_owned(),
                region: region.to_owned(),
                deployment: first.deployment.clone(),
                assumed_type: t,
            });
        }
    }
    out
}

/// A model the log shows serving where the catalog lists it on no type (a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceGap {
    /// Model.
    pub model: String,
    /// Region.
    pub region: String,
    /// The first deployment that served it.
    pub deployment: String,
    /// The type taken when none is logged.
    pub assumed_type: DeploymentTypeId,
}

/// The note of an option whose availability is not a verified catalog listing: sales, the
/// log, or an unverified list ([U]). None for an unavailable type.
pub fn availability_note(
    catalog: &Catalog,
    constraints: &Constraints,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Option<OptionNote> {
    availability(catalog, constraints, key, t)
        .ok()
        .and_then(|a| a.note)
        .map(OptionNote::Availability)
}

/// The note of an option priced with an unverified entry (derived or inferred figures; the
/// catalog entry's note says which).
pub fn price_unverified_note(unverified: bool) -> Option<OptionNote> {
    unverified.then_some(OptionNote::UnverifiedPrice)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};
    use crate::plan::evidence::{LogEvidence, ServedBy};
    use crate::plan::test_support::key;
    use DeploymentTypeId::*;

    fn basis(
        c: &Catalog,
        k: &Constraints,
        w: &WorkloadKey,
        t: DeploymentTypeId,
    ) -> Result<AvailabilityBasis, Unavailable> {
        availability(c, k, w, t).map(|a| a.basis)
    }

    /// Only a verified table that covers the region makes a type unavailable; an unverified
    /// list, a region outside a partial table, or a model no matrix covers leaves it priced
    /// and flagged.
    #[test]
    fn issue_19_only_a_verified_absence_makes_an_option_unavailable() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let none = Constraints::default();
        let b = |m: &str, r: &str, t| basis(&c, &none, &key("d", m, r), t);
        // gpt-4o Global Standard: the verified matrix of 25 regions leaves out canadacentral.
        assert!(matches!(
            b("gpt-4o", "canadacentral", GlobalStandard).expect_err("verified absence"),
            Unavailable::NotOffered { model, region, .. }
                if model == "gpt-4o" && region == "canadacentral"
        ));
        assert_eq!(
            b("gpt-4o", "eastus2", GlobalStandard),
            Ok(AvailabilityBasis::Catalog)
        );
        // A covered model without an entry for a type: the matrices list every type it has.
        assert!(b("gpt-4.1-mini", "eastus2", GlobalFlex).is_err());
        // gpt-5.5 Global Standard comes from the Americas matrix only: westus (Americas, not
        // listed) is verified absent, swedencentral (not covered) only inferred.
        assert!(b("gpt-5.5", "westus", GlobalStandard).is_err());
        assert_eq!(
            b("gpt-5.5", "swedencentral", GlobalStandard),
            Ok(AvailabilityBasis::Unlisted)
        );
        // gpt-6-sol: the Global Standard list is unverified (eastus2 is not on it), no matrix
        // covers the model on Data Zone Provisioned: both priced and flagged.
        assert_eq!(
            b("gpt-6-sol", "eastus2", GlobalStandard),
            Ok(AvailabilityBasis::Unlisted)
        );
        assert_eq!(
            b("gpt-6-sol", "westus3", GlobalStandard),
            Ok(AvailabilityBasis::CatalogUnverified)
        );
        assert_eq!(
            b("gpt-6-sol", "eastus2", DataZoneProvisioned),
            Ok(AvailabilityBasis::Unlisted)
        );
        // U5's Flex table lists gpt-5.6-sol only: terra is verified absent on Flex.
        assert!(b("gpt-5.6-terra", "eastus2", GlobalFlex).is_err());
        let a = availability(&c, &none, &key("d", "gpt-6-sol", "eastus2"), GlobalStandard)
            .expect("available");
        assert!(matches!(a.note, Some(AvailabilityNote::Unlisted { .. })));
        assert!(!AvailabilityBasis::Unlisted.is_confirmed());
        assert!(!AvailabilityBasis::CatalogUnverified.is_confirmed());
    }

    /// A gpt-6-sol log recorded in eastus2 gets Global Standard (the type taken when none is
    /// logged) on the log's evidence, though the catalog's unverified list leaves eastus2 out;
    /// a stated type counts even against a verified table, the assumed one does not.
    #[test]
    fn issue_19_the_log_is_evidence_for_the_type_that_served_it() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let sol = key("sol", "gpt-6-sol", "eastus2");
        let canada = key("c", "gpt-4o", "canadacentral");
        let with = |served_by: ServedBy| Constraints {
            evidence: LogEvidence::new(&served_by, [(&sol, 10), (&canada, 3)]),
            served_by,
            ..Constraints::default()
        };
        let assumed = with(ServedBy::default());
        let a = availability(&c, &assumed, &sol, GlobalStandard).expect("available");
        assert_eq!(a.basis, AvailabilityBasis::Log);
        let Some(AvailabilityNote::Log {
            served,
            model,
            region,
            deployment_type,
            ..
        }) = a.note
        else {
            panic!("a log note: {:?}", a.note);
        };
        assert_eq!((model.as_str(), region.as_str()), ("gpt-6-sol", "eastus2"));
        assert_eq!(served.iter().map(|s| s.requests).sum::<u64>(), 10);
        assert!(served.iter().all(|s| !s.stated));
        assert_eq!(deployment_type, GlobalStandard);
        assert_eq!(
            basis(&c, &assumed, &sol, GlobalProvisioned),
            Ok(AvailabilityBasis::Unlisted)
        );
        // The assumed type yields to a verified table...
        assert!(basis(&c, &assumed, &canada, GlobalStandard).is_err());
        // ... a stated one does not.
        let stated = with(ServedBy {
            all: Some(GlobalStandard),
            ..ServedBy::default()
        });
        assert_eq!(
            basis(&c, &stated, &canada, GlobalStandard),
            Ok(AvailabilityBasis::Log)
        );
        // Stated as Global Provisioned: that type is evidenced, Global Standard no longer is.
        let mut by = ServedBy::default();
        by.deployments.insert("sol".to_owned(), GlobalProvisioned);
        let ptu = with(by);
        assert_eq!(
            basis(&c, &ptu, &sol, GlobalProvisioned),
            Ok(AvailabilityBasis::Log)
        );
        assert_eq!(
            basis(&c, &ptu, &sol, GlobalStandard),
            Ok(AvailabilityBasis::Unlisted)
        );
        // Another region of the same model is no evidence.
        assert_eq!(
            basis(
                &c,
                &assumed,
                &key("sol", "gpt-6-sol", "westus"),
                GlobalStandard
            ),
            Ok(AvailabilityBasis::Unlisted)
        );
    }
}
