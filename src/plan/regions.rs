//! The procurement view behind `ptuplan regions`: for each workload, every region x provisioned
//! type x term where its model can be deployed (after `--overrides` and `--residency`), with the
//! monthly cost at the workload's PTU count, ranked cheapest first.
//!
//! One count per option: a row for type T and term B uses the PTU count of the workload's own
//! option T/B (the count `compare` shows; basis as there), because the count a workload needs
//! does not depend on where the capacity is bought. When that option spills over, the row adds
//! the spilled tokens priced at the candidate region's Standard prices; where the candidate
//! region has no such price, 429s would fail, so the row uses the count that needs no
//! spillover (`sizing.<T>.min_ptus_for_target`). For a type the workload's own region does not
//! offer, the count is the one found for it without spillover
//! (`sizing_other_types.<T>.min_ptus_for_target`). Monthly cost = PTUs x the term's effective
//! USD per PTU-hour x 730 h, plus spillover.

use serde::Serialize;

use super::constraints::Constraints;
use super::cost::{self, Billing, HOURS_PER_MONTH};
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
    /// PTUs priced: the count of the workload's own option for this type and term.
    pub ptus: u32,
    /// How that count was chosen (see the module docs).
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
    span_hours: f64,
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
                    match region_rows(catalog, constraints, w, &key, t, span_hours) {
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
    span_hours: f64,
) -> Result<Vec<RegionRow>, String> {
    let (spec, _, price, cap) = match candidate(catalog, constraints, key, t) {
        Candidate::Provisioned {
            spec,
            increment,
            price,
            cap,
        } => (spec, increment, price, cap),
        Candidate::Unavailable(reason) => return Err(reason),
        Candidate::PerToken(_) => unreachable!("PTU types are never priced per token"),
    };
    let mut notes: Vec<String> = availability_note(catalog, constraints, key, t)
        .into_iter()
        .chain(super::options::price_unverified_note(price.unverified))
        .collect();
    let rows_for = |billing: Billing| -> Result<(u32, String, f64), String> {
        let (ptus, basis, spill_usd) = count_for(catalog, constraints, w, key, t, billing)?;
        if let Some(c) = cap.filter(|c| ptus > c.max_ptus) {
            return Err(format!(
                "needs {ptus} PTUs; capacity limit {} PTUs in {} ({})",
                c.max_ptus, key.region, c.at
            ));
        }
        Ok((ptus, basis, spill_usd))
    };
    if let Some(c) = cap {
        notes.push(format!("capacity limit {} PTUs ({})", c.max_ptus, c.at));
    }
    let price_basis = if price.adjustments.is_empty() {
        "list".to_owned()
    } else {
        price.adjustments.join(", ")
    };
    Billing::PROVISIONED
        .into_iter()
        .map(|billing| {
            let (ptus, basis, spill_usd) = rows_for(billing)?;
            let usd_per_ptu_month = billing.usd_per_ptu_hour(price) * HOURS_PER_MONTH;
            let spill_month = cost::monthly_usd(spill_usd, span_hours);
            Ok(RegionRow {
                rank: 0,
                region: key.region.clone(),
                deployment_type: t,
                billing,
                ptus,
                sizing_basis: basis,
                monthly_cost_usd: f64::from(ptus) * usd_per_ptu_month + spill_month,
                spillover_monthly_cost_usd: spill_month,
                usd_per_ptu_month,
                processing: processing_label(catalog, key, t),
                latency_target_tokens_per_s: spec.latency_target_tokens_per_s,
                price_basis: price_basis.clone(),
                price_as_of: price.as_of.to_string(),
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            })
        })
        .collect()
}

/// The PTU count, its basis and the spillover cost over the span (USD, at `key.region`'s
/// Standard prices) of type `t` under `billing` for workload `w`.
fn count_for(
    catalog: &Catalog,
    constraints: &Constraints,
    w: &WorkloadPlan,
    key: &WorkloadKey,
    t: DeploymentTypeId,
    billing: Billing,
) -> Result<(u32, String, f64), String> {
    let own = w
        .options
        .iter()
        .find(|o| o.deployment_type == t && o.billing == billing && o.available);
    if let Some(o) = own {
        let ptus = o.ptus.unwrap_or(0);
        let basis = o.ptus_basis.clone().unwrap_or_default();
        let Some(tokens) = o
            .spilled_tokens
            .filter(|_| o.spilled_requests.unwrap_or(0) > 0)
        else {
            return Ok((ptus, basis, 0.0));
        };
        // Spillover needs the Standard type offered and priced in the candidate region.
        let spill_price = catalog
            .deployment_types
            .get(&t)
            .and_then(|d| d.spillover_target)
            .and_then(
                |target| match candidate(catalog, constraints, key, target) {
                    Candidate::PerToken(p) => Some(p),
                    _ => None,
                },
            );
        // A Standard type without the long-context prices the spilled requests need cannot
        // take them: as if it did not spill.
        if let Some(Ok(usd)) = spill_price.map(|p| p.cost_usd(&tokens)) {
            return Ok((ptus, basis, usd));
        }
        // No spillover here: the count that needs none.
        return match w.sizing.get(&t).and_then(|s| s.min_ptus_for_target) {
            Some(n) => Ok((
                n,
                format!(
                    "smallest count meeting the throttle target (no spillover to Standard in {})",
                    key.region
                ),
                0.0,
            )),
            None => Err(format!(
                "no spillover to Standard in {} and no PTU count meets the throttle target alone",
                key.region
            )),
        };
    }
    match w.sizing_other_types.get(&t) {
        Some(s) => match s.min_ptus_for_target {
            Some(n) => Ok((
                n,
                format!(
                    "smallest count meeting the throttle target without spillover ({t} not offered in {})",
                    w.region
                ),
                0.0,
            )),
            None => Err(format!(
                "needs more than {} PTUs to meet the throttle target",
                s.needs_more_than_ptus.unwrap_or(0)
            )),
        },
        None => Err(format!("{t} was not sized for this workload")),
    }
}
