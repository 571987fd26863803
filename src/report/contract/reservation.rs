//! JSON `reservations[]` (and `scenarios[].reservations[]`): the decided reservations pooled per
//! region x provisioned type x term.

use serde::Serialize;

use crate::catalog::DeploymentTypeId;
use crate::plan::{Billing, ReservationPool};

/// JSON `reservations[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pool {
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

/// JSON `reservations[].workloads[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PoolMember {
    /// Deployment name.
    pub deployment: String,
    /// Model.
    pub model: String,
    /// PTUs of the workload's option for this type and term.
    pub ptus: u32,
}

impl Pool {
    /// The contract of one pool.
    pub fn from_plan(p: &ReservationPool) -> Pool {
        Pool {
            region: p.region.clone(),
            deployment_type: p.deployment_type,
            term: p.term,
            workloads: p
                .workloads
                .iter()
                .map(|m| PoolMember {
                    deployment: m.deployment.clone(),
                    model: m.model.clone(),
                    ptus: m.ptus,
                })
                .collect(),
            deployed_ptus: p.deployed_ptus,
            reserved_ptus: p.reserved_ptus,
            deployed_ptu_hours: p.deployed_ptu_hours,
            reserved_ptu_hours: p.reserved_ptu_hours,
            excess_ptu_hours_billed_hourly: p.excess_ptu_hours_billed_hourly,
            unused_reserved_ptu_hours: p.unused_reserved_ptu_hours,
            reservation_cost_usd: p.reservation_cost_usd,
            excess_hourly_cost_usd: p.excess_hourly_cost_usd,
            spillover_cost_usd: p.spillover_cost_usd,
            cost_usd: p.cost_usd,
            monthly_cost_usd: p.monthly_cost_usd,
            all_hourly_monthly_cost_usd: p.all_hourly_monthly_cost_usd,
        }
    }
}
