//! Reservations: Azure PTU reservations are bought per region and deployment type, not per
//! model (S4, S9), so workloads of different models in one region pool their PTUs. A pool
//! reserves a base of PTUs for a term and pays the hourly rate for deployed PTUs above it
//! (Azure compares deployed and reserved PTUs hour by hour; unused reserved hours are lost).
//!
//! A pool holds the workloads whose decision is a reservation of its type and term in its
//! region ([`super::decision`]), at the decided count: the same count every other output shows.
//! A workload decided on per-token or hourly PTUs commits nothing and is in no pool.
//! Deployments are static over the log's span (ptuplan does not model scaling schedules), so
//! each pool deploys the sum of its workloads' counts for the whole span; `--reserve N`
//! reserves N instead, as a what-if (the rest billed hourly, or left unused).

use std::collections::BTreeMap;

use serde::Serialize;

use super::cost::{Billing, HOURS_PER_MONTH};
use super::WorkloadPlan;
use crate::catalog::{Catalog, DeploymentTypeId};

/// How many PTUs to reserve in each pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservePolicy {
    /// Reserve exactly the PTUs the pool deploys (what the decisions reserve).
    Deployed,
    /// Reserve this many PTUs in every pool.
    Fixed(u32),
}

/// One pool: a region and provisioned type (its JSON, `reservations[]`, is built from it in
/// `report::contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReservationPool {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Reservation term: `reserved-1-month` or `reserved-1-year`.
    pub term: Billing,
    /// Workloads in the pool (`deployment (model)`) with their sized PTUs.
    pub workloads: Vec<PoolMember>,
    /// PTUs deployed in the pool (sum over workloads).
    pub deployed_ptus: u32,
    /// PTUs reserved.
    pub reserved_ptus: u32,
    /// Deployed PTU-hours over the span.
    pub deployed_ptu_hours: f64,
    /// Reserved PTU-hours over the span.
    pub reserved_ptu_hours: f64,
    /// Deployed PTU-hours above the reservation, billed at the hourly rate.
    pub excess_ptu_hours_billed_hourly: f64,
    /// Reserved PTU-hours with nothing deployed (paid, lost).
    pub unused_reserved_ptu_hours: f64,
    /// Reservation cost over the span (prorated), USD.
    pub reservation_cost_usd: f64,
    /// Hourly cost of the excess over the span, USD.
    pub excess_hourly_cost_usd: f64,
    /// Spillover cost of the pool's workloads over the span, USD.
    pub spillover_cost_usd: f64,
    /// Reservation + excess + spillover over the span, USD.
    pub cost_usd: f64,
    /// The same per 730-hour month, USD.
    pub monthly_cost_usd: f64,
    /// The pool with every PTU billed hourly, per month, USD (for comparison).
    pub all_hourly_monthly_cost_usd: f64,
}

/// One workload's share of a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMember {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// PTUs of the workload's option for this type and term.
    pub ptus: u32,
}

/// Pool the decided reservations per region, provisioned type and term, and price them.
pub fn pools(
    catalog: &Catalog,
    plans: &[WorkloadPlan],
    span_hours: f64,
    policy: ReservePolicy,
) -> Vec<ReservationPool> {
    type Key = (String, DeploymentTypeId, Billing);
    let mut grouped: BTreeMap<Key, (Vec<PoolMember>, f64)> = BTreeMap::new();
    for p in plans {
        let Some(d) = p.decision.option.as_ref().filter(|d| d.is_commitment()) else {
            continue;
        };
        let Some(o) = p.decided_option() else {
            continue;
        };
        let Some(ptus) = d.ptus else { continue };
        let entry = grouped
            .entry((p.region.clone(), d.deployment_type, d.billing))
            .or_default();
        entry.0.push(PoolMember {
            deployment: p.deployment.clone(),
            model: p.model.clone(),
            ptus,
        });
        entry.1 += o.spillover_cost_usd.unwrap_or(0.0);
    }
    grouped
        .into_iter()
        .filter_map(|((region, dt, term), (workloads, spill))| {
            let price = catalog.ptu_price(dt, &region)?;
            let deployed: u32 = workloads.iter().map(|m| m.ptus).sum();
            let reserved = match policy {
                ReservePolicy::Deployed => deployed,
                ReservePolicy::Fixed(n) => n,
            };
            let deployed_h = f64::from(deployed) * span_hours;
            let reserved_h = f64::from(reserved) * span_hours;
            let excess_h = (deployed_h - reserved_h).max(0.0);
            let reservation_cost = reserved_h * term.usd_per_ptu_hour(price);
            let excess_cost = excess_h * price.usd_per_ptu_hour;
            let cost = reservation_cost + excess_cost + spill;
            let scale = if span_hours > 0.0 {
                HOURS_PER_MONTH / span_hours
            } else {
                0.0
            };
            Some(ReservationPool {
                region,
                deployment_type: dt,
                term,
                workloads,
                deployed_ptus: deployed,
                reserved_ptus: reserved,
                deployed_ptu_hours: deployed_h,
                reserved_ptu_hours: reserved_h,
                excess_ptu_hours_billed_hourly: excess_h,
                unused_reserved_ptu_hours: (reserved_h - deployed_h).max(0.0),
                reservation_cost_usd: reservation_cost,
                excess_hourly_cost_usd: excess_cost,
                spillover_cost_usd: spill,
                cost_usd: cost,
                monthly_cost_usd: cost * scale,
                all_hourly_monthly_cost_usd: (deployed_h * price.usd_per_ptu_hour + spill) * scale,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    fn plan_with(deployment: &str, model: &str, ptus: u32, spill: f64) -> WorkloadPlan {
        let mut w = plan_without_decision(deployment, model, ptus, spill);
        decide_first(&mut w);
        w
    }

    /// Decide the plan's first option, firm.
    fn decide_first(w: &mut WorkloadPlan) {
        let mut o = w.options[0].clone();
        o.monthly_cost_usd = Some(1.0);
        w.decision.status = crate::plan::DecisionStatus::Firm;
        w.decision.option = crate::plan::decision::Choice::of(&o);
    }

    fn plan_without_decision(deployment: &str, model: &str, ptus: u32, spill: f64) -> WorkloadPlan {
        let mut option = crate::plan::test_support::option(
            "global-provisioned/reserved-1-year",
            DeploymentTypeId::GlobalProvisioned,
            Billing::Reserved1Year,
        );
        option.ptus = Some(ptus);
        option.spillover_cost_usd = Some(spill);
        crate::plan::test_support::bare_workload(deployment, model, vec![option])
    }

    /// A pool holds decided reservations only, at the decided count: a workload decided on
    /// hourly PTUs commits nothing and is in no pool.
    #[test]
    fn issue_18_pools_hold_the_decided_reservations_only() {
        let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let mut hourly = plan_without_decision("a", "gpt-4o", 15, 0.0);
        hourly.options[0].billing = Billing::Hourly;
        hourly.options[0].id = "global-provisioned/hourly".to_owned();
        decide_first(&mut hourly);
        let yearly = plan_with("b", "gpt-4o", 40, 0.0);
        let pools = pools(&catalog, &[hourly, yearly], 730.0, ReservePolicy::Deployed);
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].deployed_ptus, 40);
        assert_eq!(pools[0].workloads.len(), 1);
        assert_eq!(pools[0].workloads[0].deployment, "b");
        assert_eq!(pools[0].term, Billing::Reserved1Year);
    }

    #[test]
    fn pools_models_per_region_and_bills_the_excess_hourly() {
        let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let plans = [
            plan_with("a", "gpt-4o", 15, 10.0),
            plan_with("b", "gpt-4.1", 25, 0.0),
        ];
        // Reserve 30 of the 40 deployed Global PTUs for 1 year over a 730-hour month:
        // 30 x 2,652 / 12 = 6,630; 10 x 730 x 1.00 = 7,300 hourly; plus 10 spillover.
        let pools = pools(&catalog, &plans, 730.0, ReservePolicy::Fixed(30));
        assert_eq!(pools.len(), 1);
        let p = &pools[0];
        assert_eq!((p.deployed_ptus, p.reserved_ptus), (40, 30));
        assert!((p.excess_ptu_hours_billed_hourly - 7300.0).abs() < 1e-9);
        assert!((p.reservation_cost_usd - 6630.0).abs() < 1e-6);
        assert!((p.cost_usd - (6630.0 + 7300.0 + 10.0)).abs() < 1e-6);
        assert!((p.all_hourly_monthly_cost_usd - (40.0 * 730.0 + 10.0)).abs() < 1e-6);
        // Reserving more than deployed leaves hours unused.
        let over = super::pools(&catalog, &plans, 730.0, ReservePolicy::Fixed(50));
        assert!((over[0].unused_reserved_ptu_hours - 7300.0).abs() < 1e-9);
        assert_eq!(over[0].excess_ptu_hours_billed_hourly, 0.0);
    }
}
