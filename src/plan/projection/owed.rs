//! A 1-year reservation still owed after its workload's model retired: charged to the end of
//! its term, carrying the replacement where the replacement runs on its type.

use super::rows::{flat_rows, hourly, reserved_usage, spill_rows};
use super::{Prices, ProjectedCharge};
use crate::catalog::{DeploymentTypeId, PtuPrice};
use crate::plan::cost::Billing;
use crate::plan::{OptionPlan, WorkloadPlan};

/// A 1-year reservation still owed after its workload's model retired: what was bought, where,
/// and the last month of its term inside the horizon.
pub(super) struct OwedReservation<'p> {
    /// The plan it was decided for.
    pub(super) plan: &'p WorkloadPlan,
    deployment_type: DeploymentTypeId,
    /// Its PTUs.
    pub(super) ptus: u32,
    prices: (PtuPrice, PtuPrice),
    id: String,
    /// The last month of its term inside the horizon.
    pub(super) until_month: u32,
}

/// The reservation `p` decided, when it is a 1-year one whose term runs past month `end` (the
/// last month before the retirement) inside a horizon of `h` months, `p`'s options having
/// started in month `start`.
pub(super) fn owed_reservation<'p>(
    scenario: &str,
    p: &'p WorkloadPlan,
    (start, end): (u32, u32),
    h: u32,
    prices: &Prices<'_>,
) -> Option<OwedReservation<'p>> {
    let o = p.decided_option()?;
    if o.billing != Billing::Reserved1Year || end < start.max(1) || end >= h {
        return None;
    }
    let t = o.deployment_type;
    let (list, contracted) = (
        prices.list.ptu_price(t, &p.region)?,
        prices.contracted.ptu_price(t, &p.region)?,
    );
    // Bought in months `start`, `start` + 12, ... (`flat_rows`): the term of the last purchase
    // by `end`.
    let bought = start + (end - start) / 12 * 12;
    let until_month = (bought + 11).min(h);
    let ptus = o.ptus.filter(|n| *n > 0)?;
    (until_month > end).then(|| OwedReservation {
        plan: p,
        deployment_type: t,
        ptus,
        prices: (list.clone(), contracted.clone()),
        // The id `flat_rows` gave it, so both name one commitment.
        id: format!(
            "ptuplan/{scenario}/{}/{t}/{}/{}",
            p.region,
            p.deployment,
            o.billing.as_str()
        ),
        until_month,
    })
}

impl OwedReservation<'_> {
    /// A usage row of `ptus` of the reservation in `month`, for `(deployment, model)`.
    pub(super) fn usage(
        &self,
        month: u32,
        ptus: u32,
        unused: bool,
        (deployment, model): (&str, &str),
    ) -> ProjectedCharge {
        let place = (self.plan.region.as_str(), self.deployment_type);
        let mut r = reserved_usage(
            month,
            place,
            Billing::Reserved1Year,
            ptus,
            (&self.prices.0, &self.prices.1),
            &self.id,
            unused,
        );
        r.deployment = Some(deployment.to_owned());
        r.model = Some(model.to_owned());
        r
    }

    /// Whether the reserved PTUs carry `next`: it runs on their type in their region.
    pub(super) fn carries(&self, next: &WorkloadPlan) -> bool {
        self.carried(next).is_some()
    }

    fn carried<'n>(&self, next: &'n WorkloadPlan) -> Option<&'n OptionPlan> {
        next.decided_on_ptus_of(self.deployment_type, &self.plan.region)
    }

    /// Month `month` of the term, serving `next` (the replacement's plan): the reserved PTUs
    /// carry as much of its own PTUs of the same type as they cover, and only the rest is
    /// bought (hourly), with its spillover; a replacement on another option leaves them idle
    /// beside its own charges.
    pub(super) fn serving(
        &self,
        scenario: &str,
        (month, start): (u32, u32),
        h: u32,
        next: &WorkloadPlan,
        scale: f64,
        prices: &Prices<'_>,
    ) -> Vec<ProjectedCharge> {
        let Some(o) = self.carried(next) else {
            let mut rows = vec![self.usage(
                month,
                self.ptus,
                true,
                (&self.plan.deployment, &self.plan.model),
            )];
            rows.extend(flat_rows(scenario, (month, start), h, next, scale, prices));
            return rows;
        };
        let needed = o.ptus.unwrap_or(0);
        let used = self.ptus.min(needed);
        let names = (next.deployment.as_str(), next.model.as_str());
        let mut rows = Vec::new();
        if used > 0 {
            rows.push(self.usage(month, used, false, names));
        }
        if self.ptus > used {
            rows.push(self.usage(month, self.ptus - used, true, names));
        }
        if needed > used {
            let place = (self.plan.region.as_str(), self.deployment_type);
            rows.push(hourly(
                month,
                place,
                Some(names),
                needed - used,
                (&self.prices.0, &self.prices.1),
            ));
        }
        rows.extend(spill_rows(month, next, o, scale, prices));
        rows
    }
}
