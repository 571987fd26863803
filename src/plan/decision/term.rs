//! A reservation's term when the model retires inside it: the months before the retirement at
//! the workload's own figures; after it, the reservation is still owed, and serves the named
//! replacement (the retirement scenario's plan of it) or nothing.

use super::{
    comparator_of, AfterRetirement, Choice, DecisionContext, NoReplacement, Replacement,
    TermLifecycle,
};
use crate::plan::cost::{self, Billing};
use crate::plan::WorkloadPlan;

fn term_months(b: Billing) -> f64 {
    match b {
        Billing::Reserved1Year => 12.0,
        _ => 1.0,
    }
}

/// Days in an average month (365 / 12).
const DAYS_PER_MONTH: f64 = 365.0 / 12.0;

/// The retirement inside a reservation's term, if the model retires before it ends.
pub(super) fn term_lifecycle(
    plan: &WorkloadPlan,
    choice: &Choice,
    ctx: &DecisionContext<'_>,
) -> Option<TermLifecycle> {
    let l = plan.lifecycle.as_ref()?;
    // The term starts when the projection's first month does (the FOCUS export buys it then).
    let start = crate::plan::ladder::first_month(ctx.as_of?);
    let term = term_months(choice.billing);
    let (retirement, months_before) = retirement_in_term(plan, start, term)?;
    let after = match (&ctx.replacement, &l.replacement) {
        (Replacement::Planned(r), _) => AfterRetirement::Replacement {
            model: r.model.clone(),
            uses_reservation: r
                .decided_on_ptus_of(choice.deployment_type, &plan.region)
                .is_some(),
            runs_on: r.decided_option().map(|o| o.id.clone()),
            retires: r
                .lifecycle
                .as_ref()
                .and_then(|l| l.retirement)
                .filter(|d| *d < term_end(start, term)),
        },
        (Replacement::Missing(why), _) => AfterRetirement::UpToRetirement(why.clone()),
        (Replacement::Unknown, None) => AfterRetirement::UpToRetirement(NoReplacement::NotNamed),
        (Replacement::Unknown, Some(name)) => {
            AfterRetirement::UpToRetirement(NoReplacement::NotPlanned(name.clone()))
        }
    };
    Some(TermLifecycle {
        model: plan.model.clone(),
        retirement,
        months_before,
        term_months: term,
        after,
    })
}

/// The day a term of `term_months` that starts on `start` ends.
fn term_end(start: chrono::NaiveDate, term_months: f64) -> chrono::NaiveDate {
    start + chrono::Days::new((term_months * DAYS_PER_MONTH).round() as u64)
}

/// The model's retirement when it falls before a term of `term_months` that starts on
/// `start` ends, with the months of the term before it (the one rule the decision and the
/// reservation plan's rungs apply).
pub fn retirement_in_term(
    plan: &WorkloadPlan,
    start: chrono::NaiveDate,
    term_months: f64,
) -> Option<(chrono::NaiveDate, f64)> {
    let retirement = plan.lifecycle.as_ref()?.retirement?;
    let days = (retirement - start).num_days() as f64;
    let months_before = (days / DAYS_PER_MONTH).max(0.0);
    (months_before < term_months).then_some((retirement, months_before))
}

/// A reservation's and its comparator's monthly cost averaged over the term when the
/// model retires inside it: before the retirement the workload's own figures; after it the
/// reservation is still owed, and serves the replacement (topped up hourly, spilling as the
/// replacement's simulation says) or nothing.
#[allow(clippy::too_many_arguments)]
pub(super) fn over_term(
    plan: &WorkloadPlan,
    l: &TermLifecycle,
    choice: &Choice,
    window_s: f64,
    cost: Option<f64>,
    flex: Option<f64>,
    ctx: &DecisionContext<'_>,
) -> (Option<f64>, Option<f64>) {
    let (Some(cost), Some(flex)) = (cost, flex) else {
        return (None, None);
    };
    let t = choice.deployment_type;
    let ptus = choice.ptus.unwrap_or(0);
    let prices = plan.sizing.get(&t).map(|s| &s.usd_per_ptu_month_by_billing);
    let reserved = prices
        .and_then(|p| p.get(&choice.billing))
        .map_or(0.0, |p| p * f64::from(ptus));
    let hourly = prices.and_then(|p| p.get(&Billing::Hourly)).copied();
    // After the retirement the replacement runs as the retirement scenario decides it, the
    // one plan the FOCUS export projects too: on the reserved type in this region, the
    // reserved PTUs carry it and only PTUs beyond them are bought (hourly), with its
    // spillover; on another option, the reserved PTUs stand idle beside that option's cost;
    // with nothing decided (no eligible option), nothing runs and they idle.
    let (cost_after, flex_after) = match (&l.after, &ctx.replacement) {
        (AfterRetirement::Replacement { .. }, Replacement::Planned(r)) => {
            let r_flex = comparator_of(r.options_at(window_s)).and_then(|f| f.monthly_cost_usd);
            let decided = r
                .decided_option()
                .and_then(|d| r.options_at(window_s).iter().find(|o| o.id == d.id));
            match (r_flex, decided) {
                (Some(r_flex), Some(o)) => {
                    let carried = r.decided_on_ptus_of(choice.deployment_type, &plan.region);
                    let runs = match (carried, o.ptus, hourly) {
                        (Some(_), Some(n), Some(h)) => {
                            f64::from(n.saturating_sub(ptus)) * h
                                + cost::monthly_usd(
                                    o.spillover_cost_usd.unwrap_or(0.0),
                                    ctx.span_hours,
                                )
                        }
                        _ => o.monthly_cost_usd.unwrap_or(f64::INFINITY),
                    };
                    (reserved + runs, r_flex)
                }
                _ => (reserved, 0.0),
            }
        }
        _ => (reserved, 0.0),
    };
    let (b, a) = (l.months_before, l.term_months - l.months_before);
    // A replacement that retires inside the term in turn serves only up to its retirement;
    // the rest of the term the reserved PTUs serve nothing and are still owed.
    let served = match &l.after {
        AfterRetirement::Replacement {
            retires: Some(d), ..
        } => ((*d - l.retirement).num_days() as f64 / DAYS_PER_MONTH).clamp(0.0, a),
        _ => a,
    };
    let idle = a - served;
    let t_m = l.term_months;
    (
        Some((b * cost + served * cost_after + idle * reserved) / t_m),
        Some((b * flex + served * flex_after) / t_m),
    )
}
