//! The procurement view behind `ptuplan regions`: for each workload, every region x provisioned
//! type x term where its model can be deployed (after `--overrides` and `--residency`), with the
//! monthly PTU cost at the workload's sized PTU count, ranked cheapest first.
//!
//! Sizing choice: the PTU count a workload needs does not depend on the region (same model,
//! same traffic, same minimum and increment per type), so one count per provisioned type is
//! reused everywhere: the smallest swept count that meets the throttle target in the
//! workload's own region (`sizing.<type>.min_ptus_for_target`, basis `sweep`); when that type
//! was not swept there (not offered or not priced in the own region) or no swept count met the
//! target, the minute-peak count, Microsoft's calculator method (busiest minute's weighted TPM
//! / input TPM per PTU, rounded up to the increment; basis `peak-minute`). Monthly cost is
//! that count x the term's effective USD per PTU-hour x 730 h, PTU only (no spillover).

use serde::Serialize;

use super::constraints::Constraints;
use super::cost::{Billing, HOURS_PER_MONTH};
use super::options::{availability_note, candidate, processing_label, Candidate};
use super::WorkloadPlan;
use crate::catalog::{Catalog, DeploymentTypeId};
use crate::usage::WorkloadKey;

/// One deployable region x type x term (JSON `workloads[].rows[]`).
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
    /// PTUs priced.
    pub ptus: u32,
    /// `sweep` or `peak-minute` (see the module docs).
    pub sizing_basis: &'static str,
    /// PTU cost per 730-hour month, USD.
    pub monthly_cost_usd: f64,
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
    /// Remarks (sales-confirmed availability, capacity limit).
    pub note: Option<String>,
}

/// A region x type the workload cannot use, and why (JSON `workloads[].excluded[]`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExcludedRegion {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Why.
    pub reason: String,
}

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
}

/// Rank the regions for every planned workload.
pub fn rank_regions(
    catalog: &Catalog,
    constraints: &Constraints,
    plans: &[WorkloadPlan],
) -> Vec<RegionPlan> {
    let regions = catalog.known_regions();
    plans
        .iter()
        .map(|w| {
            let mut rows = Vec::new();
            let mut excluded = Vec::new();
            for t in DeploymentTypeId::PROVISIONED {
                for region in &regions {
                    let key = WorkloadKey {
                        deployment: w.deployment.clone(),
                        model: w.model.clone(),
                        region: (*region).to_owned(),
                    };
                    match region_rows(catalog, constraints, w, &key, t) {
                        Ok(mut r) => rows.append(&mut r),
                        Err(reason) => excluded.push(ExcludedRegion {
                            region: key.region,
                            deployment_type: t,
                            reason,
                        }),
                    }
                }
            }
            rows.sort_by(|a, b| {
                a.monthly_cost_usd
                    .total_cmp(&b.monthly_cost_usd)
                    .then_with(|| a.region.cmp(&b.region))
                    .then(a.deployment_type.cmp(&b.deployment_type))
                    .then(a.billing.cmp(&b.billing))
            });
            for (i, r) in rows.iter_mut().enumerate() {
                r.rank = i + 1;
            }
            RegionPlan {
                deployment: w.deployment.clone(),
                model: w.model.clone(),
                region: w.region.clone(),
                rows,
                excluded,
            }
        })
        .collect()
}

/// The three terms of one region x type, or why there are none.
fn region_rows(
    catalog: &Catalog,
    constraints: &Constraints,
    w: &WorkloadPlan,
    key: &WorkloadKey,
    t: DeploymentTypeId,
) -> Result<Vec<RegionRow>, String> {
    let (spec, increment, price, cap) = match candidate(catalog, constraints, key, t) {
        Candidate::Provisioned {
            spec,
            increment,
            price,
            cap,
        } => (spec, increment, price, cap),
        Candidate::Unavailable(reason) => return Err(reason),
        Candidate::PerToken(_) => unreachable!("PTU types are never priced per token"),
    };
    let swept = w.sizing.get(&t).and_then(|s| s.min_ptus_for_target);
    let (ptus, basis) = match swept {
        Some(n) => (n, "sweep"),
        None => (
            increment.round_up(w.peak_minute_weighted_tpm / spec.input_tpm_per_ptu),
            "peak-minute",
        ),
    };
    let mut notes: Vec<String> = availability_note(catalog, constraints, key, t)
        .into_iter()
        .collect();
    if let Some(c) = cap {
        if ptus > c.max_ptus {
            return Err(format!(
                "needs {ptus} PTUs; capacity limit {} PTUs in {} ({})",
                c.max_ptus, key.region, c.at
            ));
        }
        notes.push(format!("capacity limit {} PTUs ({})", c.max_ptus, c.at));
    }
    let price_basis = if price.adjustments.is_empty() {
        "list".to_owned()
    } else {
        price.adjustments.join(", ")
    };
    Ok(Billing::PROVISIONED
        .into_iter()
        .map(|billing| {
            let usd_per_ptu_month = billing.usd_per_ptu_hour(price) * HOURS_PER_MONTH;
            RegionRow {
                rank: 0,
                region: key.region.clone(),
                deployment_type: t,
                billing,
                ptus,
                sizing_basis: basis,
                monthly_cost_usd: f64::from(ptus) * usd_per_ptu_month,
                usd_per_ptu_month,
                processing: processing_label(catalog, key, t),
                latency_target_tokens_per_s: spec.latency_target_tokens_per_s,
                price_basis: price_basis.clone(),
                price_as_of: price.as_of.to_string(),
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            }
        })
        .collect())
}
