//! The JSON of `ptuplan regions` ([`RegionsReport`]); its `workloads[]` are one workload's
//! ranking each, with the plan's typed
//! bases, notes and reasons in words ([`crate::report::text`]). Built from
//! [`crate::plan::regions::RegionPlan`], so a rename there changes no key.

use serde::Serialize;

use crate::catalog::overrides::{AppliedOverride, Currency};
use crate::catalog::DeploymentTypeId;
use crate::plan::options::AvailabilityBasis;
use crate::plan::regions as plan;
use crate::plan::Billing;
use crate::report::text::{move_note_text, notes_text, ptus_basis_text, region_gap_text};
use crate::report::CatalogInfo;

/// Everything `ptuplan regions` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionsReport {
    /// Always 1.
    pub schema_version: u32,
    /// `ptuplan` and its version.
    pub tool: String,
    /// Which catalog priced it (with the `--prices` file, if any).
    pub catalog: CatalogInfo,
    /// `--residency`, if given.
    pub residency: Option<String>,
    /// How the PTU count was chosen (the same text as the `plan::regions` docs).
    pub sizing: String,
    /// Display currency; costs stay in USD.
    pub currency: Option<Currency>,
    /// Every `--overrides` entry.
    pub overrides_applied: Vec<AppliedOverride>,
    /// `--from`, if given (else each workload's own region).
    pub from: Option<String>,
    /// Where the latency, bytes-per-token and transfer figures come from.
    pub network: String,
    /// One ranking per workload.
    pub workloads: Vec<RegionPlan>,
}

/// The text of [`RegionsReport::network`] for a catalog.
pub fn network_note(catalog: &crate::catalog::Catalog) -> String {
    let n = &catalog.network;
    format!(
        "RTT: Azure network round-trip latency statistics, P50, as of {}; transfer: prompt and visible completion tokens x {} bytes per token{} per month; transfer prices: {}",
        n.round_trip_latency.as_of,
        n.bytes_per_token.value,
        if n.bytes_per_token.unverified { " (unverified)" } else { "" },
        if n.transfer_prices.is_empty() {
            "none sourced in the catalog, so transfer costs are not priced".to_owned()
        } else {
            format!("{} entries in network.yaml", n.transfer_prices.len())
        }
    )
}

/// Text of [`RegionsReport::sizing`].
pub const SIZING_NOTE: &str = "PTUs per type and term: the count of the workload's own option for that type and term, as compare shows it (its basis in sizing_basis); the count does not depend on where the capacity is bought. Where that option spills over, the spilled tokens are priced at the candidate region's Standard prices; where that region has none, the count that needs no spillover is used. Types the workload's region does not offer use the count found for them without spillover. Monthly cost = PTUs x the term's effective price x 730 h + spillover.";

/// One workload's ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionPlan {
    /// Deployment name.
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// The workload's own region (where its sizing was simulated).
    pub region: String,
    /// Deployable options, cheapest first.
    pub rows: Vec<RegionRow>,
    /// Region x type pairs left out, with reasons.
    pub excluded: Vec<ExcludedRegion>,
    /// The workload's decision (`compare`'s): its status, option, PTUs and monthly cost.
    pub decision: plan::RegionDecision,
}

impl RegionPlan {
    /// The JSON of a workload's ranking.
    pub fn of(p: &plan::RegionPlan) -> RegionPlan {
        RegionPlan {
            deployment: p.deployment.clone(),
            model: p.model.clone(),
            region: p.region.clone(),
            rows: p.rows.iter().map(RegionRow::of).collect(),
            excluded: p
                .excluded
                .iter()
                .map(|e| ExcludedRegion {
                    region: e.region.clone(),
                    deployment_type: e.deployment_type,
                    reason: region_gap_text(&e.reason),
                })
                .collect(),
            decision: p.decision.clone(),
        }
    }
}

/// JSON `workloads[].rows[]`: one deployable region x type x term.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionRow {
    /// 1 = cheapest.
    pub rank: usize,
    /// Region (`armRegionName`).
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// `hourly`, `reserved-1-month` or `reserved-1-year`.
    pub billing: Billing,
    /// PTUs priced: the count of the workload's own option for this type and term.
    pub ptus: u32,
    /// How that count was chosen.
    pub sizing_basis: String,
    /// PTU cost plus spillover per 730-hour month, USD.
    pub monthly_cost_usd: f64,
    /// The spillover part of `monthly_cost_usd`, at this region's Standard prices, USD.
    pub spillover_monthly_cost_usd: f64,
    /// Effective USD per PTU per month under this term.
    pub usd_per_ptu_month: f64,
    /// Where inference is processed (`global`, `data zone EU`, `region swedencentral`).
    pub processing: String,
    /// Latency target, output tokens per second (Microsoft's "99% > x TPS").
    pub latency_target_tokens_per_s: f64,
    /// `list`, or the overrides that changed the price.
    pub price_basis: String,
    /// The price entry's `as_of`.
    pub price_as_of: String,
    /// Why the type counts as available there.
    pub availability_basis: AvailabilityBasis,
    /// Remarks (sales-confirmed availability, capacity limit).
    pub note: Option<String>,
    /// What buying here means for callers in the `--from` region.
    pub from: RegionMove,
    /// Whether this row is the workload's decision.
    pub decided: bool,
}

impl RegionRow {
    fn of(r: &plan::RegionRow) -> RegionRow {
        RegionRow {
            rank: r.rank,
            region: r.region.clone(),
            deployment_type: r.deployment_type,
            billing: r.billing,
            ptus: r.ptus,
            sizing_basis: r
                .sizing_basis
                .as_ref()
                .map(ptus_basis_text)
                .unwrap_or_default(),
            monthly_cost_usd: r.monthly_cost_usd,
            spillover_monthly_cost_usd: r.spillover_monthly_cost_usd,
            usd_per_ptu_month: r.usd_per_ptu_month,
            processing: r.processing.clone(),
            latency_target_tokens_per_s: r.latency_target_tokens_per_s,
            price_basis: r.price_basis.clone(),
            price_as_of: r.price_as_of.clone(),
            availability_basis: r.availability_basis,
            note: notes_text(&r.note),
            from: RegionMove {
                region: r.from.region.clone(),
                round_trip_ms: r.from.round_trip_ms,
                transfer_gb_per_month: r.from.transfer_gb_per_month,
                transfer_monthly_cost_usd: r.from.transfer_monthly_cost_usd,
                crosses_data_zone: r.from.crosses_data_zone,
                note: move_note_text(&r.from.note),
            },
            decided: r.decided,
        }
    }
}

/// JSON `rows[].from`: the network side of buying capacity in another region.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionMove {
    /// Where the callers are.
    pub region: String,
    /// Round-trip latency to the candidate region, ms (None: no published figure).
    pub round_trip_ms: Option<u32>,
    /// Bytes crossing between the two regions per 730-hour month, GB.
    pub transfer_gb_per_month: f64,
    /// The transfer's cost per month, USD (None: not priced).
    pub transfer_monthly_cost_usd: Option<f64>,
    /// Whether the move breaks data-zone residency.
    pub crosses_data_zone: bool,
    /// How the figures were found, and what is missing.
    pub note: String,
}

/// JSON `workloads[].excluded[]`: a region x type the workload cannot use, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExcludedRegion {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Why.
    pub reason: String,
}
