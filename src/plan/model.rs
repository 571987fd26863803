//! The plan's report-facing types: one [`WorkloadPlan`] per workload with its
//! [`OptionPlan`]s, its options at every window of the band ([`WindowPlan`]), its
//! [`Decision`] and [`DemandProfile`]. Internal: the JSON contract's `workloads[]` is
//! [`crate::report::contract::workload`], built from them, so a rename here changes no key.

use std::collections::BTreeMap;

use super::remark::{OptionNote, OptionReason, PtusBasis};
use super::{Billing, CurvePoint, Decision, TypeSizing};
use crate::catalog::accounting::{PtuAccounting, TokenTally};
use crate::catalog::lifecycle::LifecycleStatus;
use crate::catalog::DeploymentTypeId;

/// One option of a workload (its JSON, `workloads[].options[]`, is built from it in
/// `report::contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct OptionPlan {
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
    /// How `ptus` was chosen (provisioned options), e.g. cost-optimal with spillover.
    pub ptus_basis: Option<PtusBasis>,
    /// False when the type is not offered (per a verified region table, sales, residency) or
    /// not priced for the model and region.
    pub available: bool,
    /// Why an available option counts as available: `catalog` (a verified region table),
    /// `sales` (`--overrides`), `log` (the log shows the model serving there on this type),
    /// or, inferred and flagged [U], `catalog-unverified` (an unverified list) and `unlisted`
    /// (no verified table covers it). Only the first three may be recommended. None when
    /// unavailable.
    pub availability_basis: Option<super::options::AvailabilityBasis>,
    /// Why it is unavailable (or not eligible for recommendation), in order; empty: no reason.
    pub reason: Vec<OptionReason>,
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
    /// Remarks (Batch turnaround, spillover target, reservation term), in order.
    pub note: Vec<OptionNote>,
    /// Tokens of the spilled requests by billing category and context class (for pricing
    /// spillover elsewhere; not in the JSON).
    pub spilled_tokens: Option<TokenTally>,
    /// Tokens a per-token option bills, by billing category and context class: the
    /// workload's successful requests without those its Standard quota answered 429 (not in
    /// the JSON; None for provisioned options).
    pub billed_tokens: Option<TokenTally>,
    /// What the Standard quota did (per-token options on a Standard quota, and PTU options
    /// that spill): the limits in force, the 429s, and the smallest level and TPM quota that
    /// keep the option within the throttle target.
    pub standard_quota: Option<super::quota::QuotaView>,
    /// What is known about the option's latency.
    pub latency: super::quota::OptionLatency,
}

impl OptionPlan {
    /// An option with nothing known yet: not available, not eligible, no cost, no simulation
    /// figures; the plan fills in what it learns.
    pub fn unknown(id: String, dt: DeploymentTypeId, billing: Billing, processing: String) -> Self {
        OptionPlan {
            id,
            deployment_type: dt,
            billing,
            processing,
            ptus: None,
            ptus_basis: None,
            available: false,
            availability_basis: None,
            reason: Vec::new(),
            eligible: false,
            cost_usd: None,
            monthly_cost_usd: None,
            throttled_requests: None,
            spilled_requests: None,
            throttle_rate: None,
            throttled_share: None,
            spilled_share: None,
            context_limit_requests: None,
            spillover_cost_usd: None,
            utilization_p50: None,
            utilization_p95: None,
            utilization_p99: None,
            utilization_max: None,
            utilization_mean: None,
            demand_to_capacity: None,
            minutes_over_capacity: None,
            retry_added_latency_ms_mean: None,
            reservation_usd_per_ptu: None,
            commitment_usd: None,
            note: Vec::new(),
            spilled_tokens: None,
            billed_tokens: None,
            standard_quota: None,
            latency: super::quota::OptionLatency::default(),
        }
    }

    /// True when the option is available on a confirmed basis (a verified table, sales or the
    /// log; an option built without a basis counts as confirmed): what reservation pools and
    /// the reservation plan may build on.
    pub fn is_confirmed_available(&self) -> bool {
        self.available && self.availability_basis.is_none_or(|b| b.is_confirmed())
    }
}

/// A workload's plan (its JSON, `workloads[]`, is built from it in `report::contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadPlan {
    /// Deployment name (`-` when the log has none).
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// Azure region.
    pub region: String,
    /// Whether the model is a reasoning model.
    pub reasoning_model: bool,
    /// The model version's lifecycle on the run's as-of date (stage, retirement date and
    /// replacement of the newest schedule published by then); None when no schedule lists it.
    pub lifecycle: Option<LifecycleStatus>,
    /// Successful requests.
    pub requests: u64,
    /// Requests with a non-2xx status (not billed).
    pub failed_requests: u64,
    /// Prompt tokens (cached included).
    pub prompt_tokens: u64,
    /// Cached prompt tokens (cache reads).
    pub cached_tokens: u64,
    /// Cache-write prompt tokens (billed at the cache-write price, weighted by the model's
    /// PTU accounting).
    pub cache_write_tokens: u64,
    /// Requests above the model's long-context threshold (billed at long-context prices).
    pub long_context_requests: u64,
    /// Prompt tokens of those requests.
    pub long_context_prompt_tokens: u64,
    /// Completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
    /// Reasoning tokens / completion tokens.
    pub reasoning_share: f64,
    /// Cached tokens / prompt tokens.
    pub cached_share: f64,
    /// Answers emptied by reasoning (paid for, no visible text).
    pub truncated_requests: u64,
    /// What those answers cost at the reference per-token price, USD.
    pub truncated_cost_usd: f64,
    /// The per-token type `truncated_cost_usd` is priced at.
    pub truncated_cost_basis: Option<DeploymentTypeId>,
    /// Requests that logged no `max_completion_tokens`.
    pub requests_without_max_tokens: u64,
    /// Output-to-input ratio used for weighted demand (`None`: no PTU figures, so plain tokens
    /// are used, or a normalized-token model, see `ptu_accounting`).
    pub output_to_input_ratio: Option<f64>,
    /// How the model's requests count against PTU capacity: `{"method": "output-ratio",
    /// "ratio": 4}` or `{"method": "normalized", "short": {...}, "long": {...}}` with the
    /// weights of input, cached input, cache write and output (None: no PTU figures).
    pub ptu_accounting: Option<PtuAccounting>,
    /// Weighted tokens per minute one PTU absorbs (`None`: the model has no PTU figures).
    /// A provisioned option's capacity is `ptus x input_tpm_per_ptu`.
    pub input_tpm_per_ptu: Option<f64>,
    /// Busiest minute's weighted demand, tokens per minute.
    pub peak_minute_weighted_tpm: f64,
    /// 99th-percentile minute's weighted demand, tokens per minute.
    pub p99_minute_weighted_tpm: f64,
    /// Mean weighted demand over the span, tokens per minute.
    pub mean_weighted_tpm: f64,
    /// Every option, at the bucket window in use.
    pub options: Vec<OptionPlan>,
    /// The options at every window of the band, the window in use included, ascending (not in
    /// the JSON: `decision.by_window_s` holds what the decision read off them).
    pub by_window: Vec<WindowPlan>,
    /// The one decision every output renders ([`super::decision`]); its JSON is written by
    /// the report.
    pub decision: Decision,
    /// Per provisioned type offered in the workload's region, the search's results.
    pub sizing: BTreeMap<DeploymentTypeId, TypeSizing>,
    /// Per provisioned type not offered in the workload's region, the target count found for
    /// it (`regions` only; absent from the JSON otherwise).
    pub sizing_other_types: BTreeMap<DeploymentTypeId, OtherTypeSizing>,
    /// Demand shape for charts.
    pub profile: DemandProfile,
    /// The successful requests' tokens by billing category and context class (what
    /// per-token prices apply to; for projections, not in the JSON).
    pub tally: TokenTally,
    /// The log's own latency (requests that logged one); None when none did.
    pub logged_latency: Option<crate::sim::standard::LoggedLatency>,
    /// The tenant's monthly tokens of this model against its usage tier.
    pub usage_tier: super::quota::UsageTierView,
    /// Per UTC day of the span: weighted tokens and the busiest minute (the forecast's input,
    /// from the replay's minute series; not in the JSON).
    pub daily: super::forecast::DailySeries,
    /// The forecast of growth and need ([`super::forecast`]); None until the run forecasts
    /// (its JSON is written by the report).
    pub forecast: Option<super::forecast::Forecast>,
}

impl WorkloadPlan {
    /// The option the decision chose, if any.
    pub fn decided_option(&self) -> Option<&OptionPlan> {
        let id = self.decision.option.as_ref()?.option_id.as_str();
        self.options.iter().find(|o| o.id == id)
    }

    /// The decided option when it runs on PTUs of type `t` in `region`: a reservation of that
    /// type and region, bought for a model this plan replaces, carries it (reservations are
    /// per type and region, not per model). The one rule the decision's term pricing and the
    /// FOCUS export apply after a retirement.
    pub fn decided_on_ptus_of(&self, t: DeploymentTypeId, region: &str) -> Option<&OptionPlan> {
        self.decided_option()
            .filter(|o| o.deployment_type == t && self.region == region && o.ptus.is_some())
    }

    /// The options at the window `window_s` (the window in use's when the band has no such
    /// window).
    pub fn options_at(&self, window_s: f64) -> &[OptionPlan] {
        self.by_window
            .iter()
            .find(|w| w.window_s == window_s)
            .map_or(&self.options, |w| &w.options)
    }
}

/// A workload's options at one bucket window of the band, as a run at that window would
/// give them (the per-token options do not depend on the window; the provisioned ones are
/// that window's searches', a reservation at the band's one count).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowPlan {
    /// Bucket window, seconds.
    pub window_s: f64,
    /// Every option at this window.
    pub options: Vec<OptionPlan>,
    /// Every simulated count per offered provisioned type at this window, ascending.
    pub curves: BTreeMap<DeploymentTypeId, Vec<CurvePoint>>,
}

/// The target count of a provisioned type the workload's own region does not offer (`regions`
/// only).
#[derive(Debug, Clone, PartialEq)]
pub struct OtherTypeSizing {
    /// Smallest count meeting the throttle target without spillover.
    pub min_ptus_for_target: Option<u32>,
    /// When none does: the largest count searched.
    pub needs_more_than_ptus: Option<u32>,
}

/// Demand shape over time (UTC), for charts.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandProfile {
    /// Per hour from the span's first hour: the busiest minute's weighted TPM.
    pub hourly_peak_weighted_tpm: Vec<f64>,
    /// Mean weighted TPM by weekday (Monday first) and hour of day, 7 x 24.
    pub weekday_hour_mean_weighted_tpm: Vec<Vec<f64>>,
}
