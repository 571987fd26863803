//! JSON `workloads[].options[]`: one deployment option of a workload at the window in use, with
//! its Standard quota and what is known about its latency.

use serde::Serialize;

use crate::catalog::DeploymentTypeId;
use crate::plan::options::AvailabilityBasis;
use crate::plan::quota::{OptionLatency, QuotaView};
use crate::plan::{Billing, OptionPlan};
use crate::report::text as words;

/// JSON `workloads[].options[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OptionJson {
    /// `deployment_type` for per-token options, `deployment_type/billing` for provisioned ones.
    pub id: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// `per-token`, `hourly`, `reserved-1-month` or `reserved-1-year`.
    pub billing: Billing,
    /// Where inference is processed (`global`, `data zone EU`, `region eastus2`).
    pub processing: String,
    /// Deployed PTUs (provisioned options): the one count this option is sized, costed and
    /// simulated at, in every output.
    pub ptus: Option<u32>,
    /// How `ptus` was chosen (provisioned options), e.g. "cost-optimal with spillover".
    pub ptus_basis: Option<String>,
    /// False when the type is not offered (per a verified region table, sales, residency) or
    /// not priced for the model and region.
    pub available: bool,
    /// Why an available option counts as available: `catalog` (a verified region table),
    /// `sales` (`--overrides`), `log` (the log shows the model serving there on this type),
    /// or, inferred and flagged [U], `catalog-unverified` (an unverified list) and `unlisted`
    /// (no verified table covers it). Only the first three may be recommended. `null` when
    /// unavailable.
    pub availability_basis: Option<AvailabilityBasis>,
    /// Why it is unavailable (or not eligible for recommendation).
    pub reason: Option<String>,
    /// Whether it may be recommended (available, meets the throttle target, not Batch
    /// unless allowed).
    pub eligible: bool,
    /// Cost over the log's span, USD (PTU cost plus spillover for provisioned options).
    pub cost_usd: Option<f64>,
    /// The same per 730-hour month, USD.
    pub monthly_cost_usd: Option<f64>,
    /// Requests that failed in the simulation (429 after any retries, or a prompt-limit 400).
    pub throttled_requests: Option<u64>,
    /// Requests served by spillover.
    pub spilled_requests: Option<u64>,
    /// Share of requests the PTU deployment did not serve: failed or spilled.
    pub throttle_rate: Option<f64>,
    /// Share of requests that failed (`throttled_requests / requests`).
    pub throttled_share: Option<f64>,
    /// Share of requests served by spillover (`spilled_requests / requests`).
    pub spilled_share: Option<f64>,
    /// Requests answered 400 because their prompt exceeds the PTU prompt limit (spilled where
    /// spillover applies, failed otherwise; included in the two counts above).
    pub context_limit_requests: Option<u64>,
    /// Spillover cost over the span, USD (included in `cost_usd`).
    pub spillover_cost_usd: Option<f64>,
    /// Per-minute utilization percentiles (1.0 = 100%): the served share of the deployment's
    /// capacity in a minute, never above 100% (a burst the bucket absorbs can admit more than
    /// a minute's capacity in one minute; it is counted as 100%). Demand beyond the capacity is
    /// `demand_to_capacity`.
    pub utilization_p50: Option<f64>,
    /// 95th percentile.
    pub utilization_p95: Option<f64>,
    /// 99th percentile.
    pub utilization_p99: Option<f64>,
    /// Maximum.
    pub utilization_max: Option<f64>,
    /// Mean utilization over the span at `ptus` (1.0 = 100%): the served (admitted) weighted
    /// tokens over the deployment's capacity, never above 100%.
    pub utilization_mean: Option<f64>,
    /// The mean weighted demand per minute over the deployment's capacity at `ptus` (2.0 =
    /// twice what it serves; the part above 1 spills or fails). PTU billing pays against
    /// per-token pricing when it is above
    /// `sizing.<type>.break_even_utilization_by_billing.<billing>`.
    pub demand_to_capacity: Option<f64>,
    /// Minutes whose offered demand exceeded the deployed capacity.
    pub minutes_over_capacity: Option<u64>,
    /// Mean wait added by retries to served requests, ms (retry mode).
    pub retry_added_latency_ms_mean: Option<f64>,
    /// A reservation's price per PTU for its whole term (1 month or 1 year), USD.
    pub reservation_usd_per_ptu: Option<f64>,
    /// What signing the reservation commits to: `ptus x reservation_usd_per_ptu`, USD for the
    /// whole term (the monthly cost spreads it over the term).
    pub commitment_usd: Option<f64>,
    /// Remark (Batch turnaround, spillover target, reservation term).
    pub note: Option<String>,
    /// What the Standard quota did (per-token options on a Standard quota, and PTU options
    /// that spill): the limits in force, the 429s, and the smallest level and TPM quota that
    /// keep the option within the throttle target.
    pub standard_quota: Option<StandardQuota>,
    /// What is known about the option's latency.
    pub latency: Latency,
}

impl OptionJson {
    /// The contract of one option.
    pub fn from_plan(o: &OptionPlan) -> OptionJson {
        OptionJson {
            id: o.id.clone(),
            deployment_type: o.deployment_type,
            billing: o.billing,
            processing: o.processing.clone(),
            ptus: o.ptus,
            ptus_basis: o.ptus_basis.as_ref().map(words::ptus_basis_text),
            available: o.available,
            availability_basis: o.availability_basis,
            reason: words::reasons_text(&o.reason),
            eligible: o.eligible,
            cost_usd: o.cost_usd,
            monthly_cost_usd: o.monthly_cost_usd,
            throttled_requests: o.throttled_requests,
            spilled_requests: o.spilled_requests,
            throttle_rate: o.throttle_rate,
            throttled_share: o.throttled_share,
            spilled_share: o.spilled_share,
            context_limit_requests: o.context_limit_requests,
            spillover_cost_usd: o.spillover_cost_usd,
            utilization_p50: o.utilization_p50,
            utilization_p95: o.utilization_p95,
            utilization_p99: o.utilization_p99,
            utilization_max: o.utilization_max,
            utilization_mean: o.utilization_mean,
            demand_to_capacity: o.demand_to_capacity,
            minutes_over_capacity: o.minutes_over_capacity,
            retry_added_latency_ms_mean: o.retry_added_latency_ms_mean,
            reservation_usd_per_ptu: o.reservation_usd_per_ptu,
            commitment_usd: o.commitment_usd,
            note: words::notes_text(&o.note),
            standard_quota: o.standard_quota.as_ref().map(StandardQuota::from_view),
            latency: Latency::from_plan(&o.latency),
        }
    }
}

/// JSON `options[].standard_quota`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StandardQuota {
    /// The Standard type whose quota applies (`global-standard` for Flex and Priority).
    pub quota_type: DeploymentTypeId,
    /// `unlimited`, a level id (`tier-1`), `negotiated` or `unknown` (a level with no figure).
    pub basis: String,
    /// The limits in force, for people.
    pub limits: String,
    /// Requests offered to the Standard deployment (all, or the spilled ones).
    pub offered_requests: u64,
    /// Of those, answered 429 under the limits in force (failed).
    pub rejected_requests: u64,
    /// Share of the option's requests that fail because of it.
    pub rejected_share: f64,
    /// The smallest published level at which the option stays within the throttle target
    /// (tiers first, then Default and Enterprise), e.g. `tier-3`.
    pub needs_level: Option<String>,
    /// That level's limits, for people.
    pub needs_level_limits: Option<String>,
    /// The smallest TPM quota that keeps it within the target (RPM from the model's ratio),
    /// rounded up to 1,000 TPM.
    pub needs_tpm: Option<u64>,
    /// Whether `needs_tpm` also checks RPM (the model has a published ratio).
    pub needs_tpm_checks_rpm: bool,
    /// Busiest minute's estimated tokens (prompt + max_tokens) offered to Standard.
    pub peak_minute_estimated_tokens: u64,
    /// A figure in force is [U].
    pub unverified: bool,
    /// Why the model has no published figures, when the research looked and found none.
    pub gap: Option<String>,
    /// One sentence: what happened and what it needs.
    pub note: String,
}

impl StandardQuota {
    fn from_view(q: &QuotaView) -> StandardQuota {
        StandardQuota {
            quota_type: q.quota_type,
            basis: q.basis.clone(),
            limits: words::quota_limits_text(&q.limits),
            offered_requests: q.offered_requests,
            rejected_requests: q.rejected_requests,
            rejected_share: q.rejected_share,
            needs_level: q.needs_level.clone(),
            needs_level_limits: q.needs_level_limits.map(words::limits_text),
            needs_tpm: q.needs_tpm,
            needs_tpm_checks_rpm: q.needs_tpm_checks_rpm,
            peak_minute_estimated_tokens: q.peak_minute_estimated_tokens,
            unverified: q.unverified,
            gap: q.gap.clone(),
            note: words::quota_note_text(&q.note),
        }
    }
}

/// JSON `options[].latency`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    /// The output speed the option promises, tokens per second (PTU: "99% > X TPS" per model;
    /// Priority: its target), or `null` when it promises none.
    pub target_tokens_per_s: Option<f64>,
    /// Where that figure comes from, or why there is none.
    pub basis: String,
    /// For Standard options above the model's usage tier: Microsoft's warning.
    pub usage_tier_risk: Option<String>,
    /// Share of requests spilled to Standard (no latency target there).
    pub spilled_share: Option<f64>,
    /// What spillover adds: Microsoft publishes no figure, only that it "might incur
    /// additional latency" (S42).
    pub spill_added_latency: Option<String>,
    /// One line for the table, Markdown, HTML and CSV.
    pub summary: String,
}

impl Latency {
    fn from_plan(l: &OptionLatency) -> Latency {
        Latency {
            target_tokens_per_s: l.target_tokens_per_s,
            basis: words::latency_basis_of(l),
            usage_tier_risk: l.usage_tier_risk.as_ref().map(words::usage_tier_risk_text),
            spilled_share: l.spilled_share,
            spill_added_latency: l
                .spilled_share
                .filter(|s| *s > 0.0)
                .map(|_| words::SPILL_ADDED_LATENCY.to_owned()),
            summary: words::latency_summary(l),
        }
    }
}
