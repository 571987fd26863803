//! Provisioned options: one PTU count per option (type x billing), read off the finished
//! searches by one rule, and the type's sizing results for the JSON `sizing.<type>`.
//!
//! The rule, stated once (README, "How the simulation works"):
//! - when 429s spill over, an option uses the **cost-optimal** count for its billing: the
//!   cheapest PTU cost plus spillover cost over every deployable count whose failed share is
//!   within `--max-throttle-rate` and whose spilled share is within `--max-spill-rate`;
//! - otherwise (429s fail or retry) it uses **`min_ptus_for_target`**: the smallest count at
//!   which the deployment serves all but `--max-throttle-rate` of requests, with no evaluated
//!   larger count missing it;
//! - when no count qualifies the option is shown at the largest count searched, not eligible,
//!   with the reason;
//! - a reservation is one count for every window of the band: with more than one window, the
//!   reserved billings use the count whose worst cost over the windows is least among those
//!   meeting the targets at every window ([`super::band`]); the hourly billing, which can be
//!   resized at any time, keeps each window's own count.

use std::collections::BTreeMap;

use super::cost::{self, Billing};
use super::finish::{empty_option, mode_label, price_note, WorkloadCtx};
use super::options::availability_note;
use super::remark::{OptionNote, OptionReason, PtusBasis};
use super::search::SearchResult;
use super::sizing::{self, window_key, CurvePoint, TypeSizing};
use super::{OptionPlan, PlanSettings, SizingSearch};
use crate::catalog::overrides::CapacityLimit;
use crate::catalog::{DeploymentTypeId, PtuIncrement, PtuPrice, PtuSpec};
use crate::sim::{SimOutcome, ThrottleMode};

/// A provisioned type's price in the workload's region and its capacity limit, if any.
pub(super) struct ProvisionedPrice<'c> {
    pub price: &'c PtuPrice,
    pub cap: Option<&'c CapacityLimit>,
}

/// What one option's count is and why.
struct Choice {
    ptus: u32,
    basis: PtusBasis,
    reason: Vec<OptionReason>,
}

/// The options of one provisioned type (hourly, 1-month, 1-year) and its sizing.
#[allow(clippy::too_many_arguments)]
pub(super) fn provisioned_options(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    spec: &PtuSpec,
    increment: PtuIncrement,
    priced: ProvisionedPrice<'_>,
    plan: &SizingSearch,
    group: &[&SizingSearch],
    cheapest_per_token: Option<f64>,
    settings: &PlanSettings,
) -> (Vec<OptionPlan>, TypeSizing) {
    let search = &plan.search;
    let result = search.result();
    let points = search.points();
    let spill_cost = |o: &SimOutcome| search.cost.as_ref().map_or(0.0, |g| g.spill_usd(o));
    let price = priced.price;
    let curve = sizing::curve(&points, ctx.span_hours, price, spill_cost);
    let mode = search.lane.mode;
    let mut by_billing = BTreeMap::new();
    let mut break_even_by_billing = BTreeMap::new();
    let mut options = Vec::new();
    let band_s = band_s(group);
    for billing in Billing::PROVISIONED {
        let mut choice = choose(&result, billing, mode, &curve, priced.cap, settings);
        if billing != Billing::Hourly && group.len() > 1 {
            let searches: Vec<&super::search::Search> = group.iter().map(|g| &g.search).collect();
            let usd = billing.usd_per_ptu_hour(price) * ctx.span_hours;
            choice = match super::band::robust_count(&searches, billing, usd).ptus {
                Some(n) => Choice {
                    ptus: n,
                    basis: PtusBasis::LeastWorstCase { band_s, billing },
                    reason: Vec::new(),
                },
                None => {
                    let mut reason = choice.reason;
                    reason.push(OptionReason::NoCountAcrossBand { band_s });
                    Choice { reason, ..choice }
                }
            };
        }
        by_billing.insert(billing, choice.ptus);
        if let Some(u) = sizing::break_even_utilization(
            billing.usd_per_ptu_hour(price),
            ctx.demand_tokens,
            spec.input_tpm_per_ptu,
            cheapest_per_token,
        ) {
            break_even_by_billing.insert(billing, u);
        }
        let point = curve
            .iter()
            .find(|p| p.ptus == choice.ptus)
            .expect("a chosen count was evaluated");
        let o = points[&choice.ptus];
        let capacity = spec.capacity_tokens_per_min(point.ptus);
        let over = ctx.minute_stats.minutes_above(capacity);
        let cost = point.cost_for(billing);
        let term_usd_per_ptu = match billing {
            Billing::Reserved1Month => Some(price.reservation_1_month_usd_per_ptu),
            Billing::Reserved1Year => Some(price.reservation_1_year_usd_per_ptu),
            _ => None,
        };
        let minutes = ctx.weighted.len().max(1) as f64;
        options.push(OptionPlan {
            ptus: Some(point.ptus),
            ptus_basis: Some(choice.basis),
            available: true,
            eligible: choice.reason.is_empty(),
            reason: choice.reason,
            cost_usd: Some(cost),
            monthly_cost_usd: Some(cost::monthly_usd(cost, ctx.span_hours)),
            throttled_requests: Some(o.throttled_requests + o.rejected_requests),
            spilled_requests: Some(o.spilled_requests),
            throttle_rate: Some(o.throttle_rate()),
            throttled_share: Some(o.failed_share()),
            spilled_share: Some(o.spilled_share()),
            context_limit_requests: Some(o.context_limit_requests),
            spillover_cost_usd: Some(point.spillover_cost_usd),
            utilization_p50: Some(o.utilization.quantile(0.50).min(1.0)),
            utilization_p95: Some(o.utilization.quantile(0.95).min(1.0)),
            utilization_p99: Some(o.utilization.quantile(0.99).min(1.0)),
            utilization_max: Some(o.utilization.max.min(1.0)),
            utilization_mean: (capacity > 0.0).then(|| o.utilization.mean().min(1.0)),
            demand_to_capacity: (capacity > 0.0).then(|| ctx.demand_tokens / minutes / capacity),
            minutes_over_capacity: Some(over),
            retry_added_latency_ms_mean: (o.retried_requests > 0)
                .then(|| o.retry_added_latency_ms_total / o.retried_requests as f64),
            reservation_usd_per_ptu: term_usd_per_ptu,
            commitment_usd: term_usd_per_ptu.map(|p| p * f64::from(point.ptus)),
            note: option_note(ctx, dt, plan, &priced, billing, settings, o),
            spilled_tokens: Some(o.spilled),
            billed_tokens: None,
            standard_quota: spill_quota_view(ctx, plan, o, settings),
            ..empty_option(ctx, dt, billing)
        });
    }
    let peak = ctx.minute_stats.peak();
    let (raw, rounded) = sizing::minute_peak_ptus(peak, spec.input_tpm_per_ptu, increment);
    let mut by_window: BTreeMap<String, Option<u32>> = group
        .iter()
        .map(|b| {
            (
                window_key(b.window_s),
                b.search.result().min_ptus_for_target,
            )
        })
        .collect();
    by_window.insert(window_key(plan.window_s), result.min_ptus_for_target);
    let sizing = TypeSizing {
        on_throttle: mode_label(mode),
        peak_minute_ptus_raw: raw,
        peak_minute_ptus: rounded,
        min_ptus_for_target: result.min_ptus_for_target,
        also_meets_at: result.also_meets_at,
        needs_more_than_ptus: result.needs_more_than_ptus,
        burst_sensitive: sizing::is_burst_sensitive(&by_window),
        min_ptus_for_target_by_window_s: by_window,
        search_ceiling_ptus: result.ceiling_ptus,
        search_passes: result.passes,
        cost_optimal_ptus: by_billing[&Billing::Hourly],
        cost_optimal_ptus_by_billing: by_billing,
        break_even_utilization: break_even_by_billing.get(&Billing::Hourly).copied(),
        break_even_utilization_by_billing: break_even_by_billing,
        context_limit_requests: points
            .values()
            .next()
            .map_or(0, |o| o.context_limit_requests),
        usd_per_ptu_month_by_billing: Billing::PROVISIONED
            .iter()
            .map(|b| (*b, b.usd_per_ptu_hour(price) * super::cost::HOURS_PER_MONTH))
            .collect(),
        ptu_max_prompt_tokens: spec.max_prompt_tokens,
        curve,
    };
    (options, sizing)
}

/// The band's smallest and largest windows, seconds.
fn band_s(group: &[&SizingSearch]) -> (f64, f64) {
    let lo = group
        .iter()
        .map(|g| g.window_s)
        .fold(f64::INFINITY, f64::min);
    let hi = group.iter().map(|g| g.window_s).fold(0.0, f64::max);
    (lo, hi)
}

/// The one count of an option, by the rule in the module docs.
fn choose(
    result: &SearchResult,
    billing: Billing,
    mode: ThrottleMode,
    curve: &[CurvePoint],
    cap: Option<&CapacityLimit>,
    settings: &PlanSettings,
) -> Choice {
    let largest = curve.last().map_or(0, |p| p.ptus);
    let max_throttle_rate = settings.max_throttle_rate;
    let cap_at = cap.map(|c| c.at.clone());
    if mode == ThrottleMode::Spillover {
        if let Some(Some(n)) = result.cost_optimal_ptus.get(&billing) {
            return Choice {
                ptus: *n,
                basis: PtusBasis::CostOptimal(billing),
                reason: Vec::new(),
            };
        }
        return Choice {
            ptus: largest,
            basis: PtusBasis::LargestSearched,
            reason: vec![OptionReason::TooMuchSpill {
                max_spill_rate: settings.max_spill_rate,
                max_throttle_rate,
                ptus: largest,
                cap_at,
            }],
        };
    }
    if let Some(n) = result.min_ptus_for_target {
        return Choice {
            ptus: n,
            basis: PtusBasis::SmallestMeeting { max_throttle_rate },
            reason: Vec::new(),
        };
    }
    let reason = match (result.context_limit_share, result.needs_more_than_ptus) {
        (Some(share), _) => OptionReason::PromptLimit {
            share,
            max_throttle_rate,
        },
        (None, Some(n)) => OptionReason::NeedsMoreThan {
            ptus: n,
            max_throttle_rate,
            cap_at,
        },
        (None, None) => OptionReason::NoCount { max_throttle_rate },
    };
    Choice {
        ptus: largest,
        basis: PtusBasis::LargestSearched,
        reason: vec![reason],
    }
}

/// The spillover Standard deployment's quota outcome at the option's count: its 429s are
/// failures of the option (already in `throttled_requests`).
fn spill_quota_view(
    ctx: &WorkloadCtx<'_>,
    plan: &SizingSearch,
    o: &SimOutcome,
    settings: &PlanSettings,
) -> Option<super::quota::QuotaView> {
    let choice = plan.spill_quota.as_ref()?;
    let out = o.standard.as_ref()?;
    let target = ctx
        .catalog
        .deployment_types
        .get(&plan.deployment_type)?
        .spillover_target?;
    let other_failed =
        (o.throttled_requests + o.rejected_requests).saturating_sub(out.rejected_requests);
    Some(super::quota::view(
        ctx.catalog,
        &ctx.key.model,
        target,
        choice,
        out,
        o.offered_requests,
        other_failed,
        settings.max_throttle_rate,
    ))
}

#[allow(clippy::too_many_arguments)]
fn option_note(
    ctx: &WorkloadCtx<'_>,
    dt: DeploymentTypeId,
    plan: &SizingSearch,
    priced: &ProvisionedPrice<'_>,
    billing: Billing,
    settings: &PlanSettings,
    o: &SimOutcome,
) -> Vec<OptionNote> {
    let mut notes = Vec::new();
    if let Some(n) = &plan.mode_note {
        notes.push(OptionNote::Mode(n.clone()));
    }
    if let Some(v) = spill_quota_view(ctx, plan, o, settings).filter(|v| !v.note.is_empty()) {
        notes.push(OptionNote::SpilloverQuota(v.note));
    }
    notes.extend(availability_note(
        ctx.catalog,
        &settings.constraints,
        ctx.key,
        dt,
    ));
    notes.extend(super::options::price_unverified_note(
        priced.price.unverified,
    ));
    notes.extend(price_note(&priced.price.adjustments));
    if let Some(c) = priced.cap {
        notes.push(OptionNote::CapacityLimit {
            max_ptus: c.max_ptus,
            region: ctx.key.region.clone(),
            at: c.at.clone(),
        });
    }
    if matches!(billing, Billing::Reserved1Year | Billing::Reserved1Month) {
        notes.push(OptionNote::Term(billing));
    }
    notes
}
