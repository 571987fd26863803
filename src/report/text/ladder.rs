//! The words of the reservation plan ([`crate::plan::ladder`]): its assumptions, why a workload
//! is in no pool, the best static choice it is compared with, and what each row of its monthly
//! projection charges (FOCUS `ChargeDescription`).

use crate::plan::ladder::{OutsideReason, StaticChoice};
use crate::plan::projection::{Charged, ProjectedCharge};
use crate::plan::Billing;

/// What a projected row charges, in words (`12 global-provisioned PTUs billed hourly for a
/// 730-hour month`, `gpt-4o global-standard cached input tokens (spillover)`).
pub fn charge_description(r: &ProjectedCharge) -> String {
    let t = r.deployment_type;
    match r.charged {
        Charged::HourlyPtus { ptus } => {
            format!("{ptus} {t} PTUs billed hourly for a 730-hour month")
        }
        Charged::ReservationPurchase { ptus } => {
            let term = match r.billing {
                Billing::Reserved1Month => "1-month",
                _ => "1-year",
            };
            format!("{ptus} PTUs on a {term} {t} reservation (purchase)")
        }
        Charged::ReservedPtus { ptus, unused } => format!(
            "{ptus} reserved {t} PTUs {} for a 730-hour month (amortized)",
            if unused { "left unused" } else { "used" }
        ),
        Charged::Tokens {
            long_context,
            category,
            spillover,
        } => format!(
            "{} {t} {}{category} tokens{}",
            r.model.as_deref().unwrap_or_default(),
            if long_context { "long-context " } else { "" },
            if spillover { " (spillover)" } else { "" }
        ),
    }
}

/// The assumptions every reservation plan states (JSON `ladder.assumptions`).
pub const LADDER_ASSUMPTIONS: [&str; 9] = [
    "month 1 holds exactly the 1-year reservations the log's decisions buy now (none when they commit nothing); later purchases follow the scenario's growth (or the forecast's median) and are planned at the bucket window in use; each is then checked against the decision's rules (the minimum saving at every window of the band, the log's span, retirements inside its term): a rung that does not hold is a what-if, not a recommendation",
    "reservations are bought per region and deployment type and match any model there (U8); they are never exchanged between deployment types: the sources disagree on whether that is possible (U8, U9, S9)",
    "a deployment's size changes take effect within the hour (PTU-hours are prorated by the minute, S4), so each month is planned on its own",
    "PTU quota and regional capacity are not simulated: a count the plan holds may not be deployable when you buy it",
    "expiring 1-year reservations renew (auto-renew, U9), so the 1-year level never falls; each 1-year tranche costs its whole term, months after the horizon included",
    "PTUs above the 1-year level are 1-month reservations, or hourly where that is cheaper for a whole 730-hour month",
    "each workload joins the pool of the provisioned type its decision runs it on now (month 1 deploys exactly that, and reservations are never exchanged between types), or, running on no PTUs now, of the type that costs it least on 1-year prices at the end of the horizon; each month uses, per workload, the simulated traffic level just above the month's own (the busier neighbour: an upper bound on the need whether traffic grows or shrinks)",
    "a workload with no PTUs runs on Standard at its per-token price; a workload's share of a pool's PTU cost is its share of the PTU-weighted tokens the pool's deployments served",
    "a workload whose model retires within the horizon leaves the plan from the first month that starts on or after its retirement date (no purchases, usage or cost for it after that; the retirement scenario prices its replacement), and a rung whose term outlasts a member's model fails the lifecycle rule",
];

/// Why a workload is in no pool.
pub fn outside_reason_text(r: OutsideReason) -> &'static str {
    match r {
        OutsideReason::NoEligibleOption => {
            "no eligible option: left out of every total (not a $0 workload)"
        }
        OutsideReason::MovedToBatch => "moved to Batch (per-token)",
        OutsideReason::UnservedMonth => {
            "in some month neither a PTU count meeting the targets nor a Standard option serves it"
        }
        OutsideReason::NoProvisionedType => {
            "no provisioned type is offered for its model and region"
        }
    }
}

/// The best static choice in words: `15 PTUs on a 1-year reservation every month`.
pub fn static_choice_text(c: &StaticChoice) -> String {
    if c.ptus == 0 {
        return "no PTUs: every workload on Standard".to_owned();
    }
    format!(
        "{} PTUs on {} every month",
        c.ptus,
        match c.billing {
            Billing::Reserved1Year => "a 1-year reservation",
            Billing::Reserved1Month => "1-month reservations",
            _ => "hourly billing",
        }
    )
}
