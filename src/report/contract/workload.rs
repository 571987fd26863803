//! JSON `workloads[]` (of the report and of every scenario): what was measured, every option,
//! the sizing per provisioned type, the demand profile, then `recommended`, `decision` and
//! `forecast`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::decision::Decision;
use super::forecast::Forecast;
use super::option::OptionJson;
use super::sizing::{OtherTypeSizing, TypeSizing};
use crate::catalog::accounting::{CategoryWeights, PtuAccounting};
use crate::catalog::lifecycle::{LifecycleStatus, Stage};
use crate::catalog::DeploymentTypeId;
use crate::plan::WorkloadPlan;

/// JSON `workloads[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Workload {
    /// Deployment name (`-` when the log has none).
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// Azure region.
    pub region: String,
    /// Whether the model is a reasoning model.
    pub reasoning_model: bool,
    /// The model version's lifecycle on the run's as-of date (stage, retirement date and
    /// replacement of the newest schedule published by then); `null` when no schedule lists it.
    pub lifecycle: Option<Lifecycle>,
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
    /// Output-to-input ratio used for weighted demand (`null`: no PTU figures, so plain tokens
    /// are used, or a normalized-token model, see `ptu_accounting`).
    pub output_to_input_ratio: Option<f64>,
    /// How the model's requests count against PTU capacity: `{"method": "output-ratio",
    /// "ratio": 4}` or `{"method": "normalized", "short": {...}, "long": {...}}` with the
    /// weights of input, cached input, cache write and output (`null`: no PTU figures).
    pub ptu_accounting: Option<Accounting>,
    /// Weighted tokens per minute one PTU absorbs (`null`: the model has no PTU figures).
    /// A provisioned option's capacity is `ptus x input_tpm_per_ptu`.
    pub input_tpm_per_ptu: Option<f64>,
    /// Busiest minute's weighted demand, tokens per minute.
    pub peak_minute_weighted_tpm: f64,
    /// 99th-percentile minute's weighted demand, tokens per minute.
    pub p99_minute_weighted_tpm: f64,
    /// Mean weighted demand over the span, tokens per minute.
    pub mean_weighted_tpm: f64,
    /// Every option, at the bucket window in use.
    pub options: Vec<OptionJson>,
    /// Per provisioned type offered in the workload's region, the search's results.
    pub sizing: BTreeMap<DeploymentTypeId, TypeSizing>,
    /// Per provisioned type not offered in the workload's region, the target count found for
    /// it (`regions` only; absent otherwise).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sizing_other_types: BTreeMap<DeploymentTypeId, OtherTypeSizing>,
    /// Demand shape for charts.
    pub profile: Profile,
    /// The log's own latency (requests that logged one); `null` when none did.
    pub logged_latency: Option<LoggedLatency>,
    /// The tenant's monthly tokens of this model against its usage tier.
    pub usage_tier: UsageTier,
    /// The decided option's id (`decision.option`; as in schema 1 and 2).
    pub recommended: Option<String>,
    /// The one decision every output renders.
    pub decision: Decision,
    /// The forecast of growth and need (runs that forecast).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Forecast>,
}

impl Workload {
    /// The contract of one workload's plan.
    pub fn from_plan(p: &WorkloadPlan) -> Workload {
        Workload {
            deployment: p.deployment.clone(),
            model: p.model.clone(),
            region: p.region.clone(),
            reasoning_model: p.reasoning_model,
            lifecycle: p.lifecycle.as_ref().map(Lifecycle::from_status),
            requests: p.requests,
            failed_requests: p.failed_requests,
            prompt_tokens: p.prompt_tokens,
            cached_tokens: p.cached_tokens,
            cache_write_tokens: p.cache_write_tokens,
            long_context_requests: p.long_context_requests,
            long_context_prompt_tokens: p.long_context_prompt_tokens,
            completion_tokens: p.completion_tokens,
            reasoning_tokens: p.reasoning_tokens,
            reasoning_share: p.reasoning_share,
            cached_share: p.cached_share,
            truncated_requests: p.truncated_requests,
            truncated_cost_usd: p.truncated_cost_usd,
            truncated_cost_basis: p.truncated_cost_basis,
            requests_without_max_tokens: p.requests_without_max_tokens,
            output_to_input_ratio: p.output_to_input_ratio,
            ptu_accounting: p.ptu_accounting.as_ref().map(Accounting::from_accounting),
            input_tpm_per_ptu: p.input_tpm_per_ptu,
            peak_minute_weighted_tpm: p.peak_minute_weighted_tpm,
            p99_minute_weighted_tpm: p.p99_minute_weighted_tpm,
            mean_weighted_tpm: p.mean_weighted_tpm,
            options: p.options.iter().map(OptionJson::from_plan).collect(),
            sizing: p
                .sizing
                .iter()
                .map(|(t, s)| (*t, TypeSizing::from_plan(s)))
                .collect(),
            sizing_other_types: p
                .sizing_other_types
                .iter()
                .map(|(t, s)| (*t, OtherTypeSizing::from_plan(s)))
                .collect(),
            profile: Profile {
                hourly_peak_weighted_tpm: p.profile.hourly_peak_weighted_tpm.clone(),
                weekday_hour_mean_weighted_tpm: p.profile.weekday_hour_mean_weighted_tpm.clone(),
            },
            logged_latency: p.logged_latency.as_ref().map(|l| LoggedLatency {
                requests_with_latency: l.requests_with_latency,
                p50_ms: l.p50_ms,
                p95_ms: l.p95_ms,
                p50_output_tokens_per_s: l.p50_output_tokens_per_s,
            }),
            usage_tier: UsageTier {
                tenant_tokens_per_month: p.usage_tier.tenant_tokens_per_month,
                usage_tier_tokens_per_month: p.usage_tier.usage_tier_tokens_per_month,
                above: p.usage_tier.above,
                source: p.usage_tier.source.clone(),
            },
            recommended: p.decision.option.as_ref().map(|o| o.option_id.clone()),
            decision: Decision::of(p),
            forecast: p.forecast.as_ref().map(Forecast::of),
        }
    }
}

/// JSON `workloads[].lifecycle`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lifecycle {
    /// The model version.
    pub version: String,
    /// GA date, if known.
    pub ga: Option<NaiveDate>,
    /// The stage on the date: the schedule's, or `retired` from the retirement date on.
    pub stage: Option<Stage>,
    /// The retirement date of the schedule in use.
    pub retirement: Option<NaiveDate>,
    /// Its named replacement.
    pub replacement: Option<String>,
    /// The publication date of the schedule in use (`null`: no schedule published by then).
    pub schedule_published: Option<NaiveDate>,
    /// Older schedules (published by the date) that gave another retirement date or
    /// replacement, newest first.
    pub other_schedules: Vec<OtherSchedule>,
    /// True when the model is retired on the date.
    pub retired: bool,
}

/// JSON `workloads[].lifecycle.other_schedules[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OtherSchedule {
    /// Its publication date.
    pub published: NaiveDate,
    /// Its retirement date.
    pub retirement: Option<NaiveDate>,
    /// Its replacement.
    pub replacement: Option<String>,
}

impl Lifecycle {
    fn from_status(s: &LifecycleStatus) -> Lifecycle {
        Lifecycle {
            version: s.version.clone(),
            ga: s.ga,
            stage: s.stage,
            retirement: s.retirement,
            replacement: s.replacement.clone(),
            schedule_published: s.schedule_published,
            other_schedules: s
                .other_schedules
                .iter()
                .map(|o| OtherSchedule {
                    published: o.published,
                    retirement: o.retirement,
                    replacement: o.replacement.clone(),
                })
                .collect(),
            retired: s.retired,
        }
    }
}

/// JSON `workloads[].ptu_accounting`, tagged by `method`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Accounting {
    /// `(prompt - cached) + ratio x completion`: cache reads weigh 0, cache writes count as
    /// ordinary input, long context weighs the same as short.
    OutputRatio {
        /// Input tokens one output token counts as.
        ratio: f64,
    },
    /// Normalized tokens: every category has its own weight, per context class.
    Normalized {
        /// Short-context requests (`input` is 1 by definition).
        short: Weights,
        /// Long-context requests.
        long: Weights,
    },
}

/// JSON `ptu_accounting.short` and `.long`: the weight of each token category.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Weights {
    /// Ordinary input.
    pub input: f64,
    /// Cache reads.
    pub cached_input: f64,
    /// Cache writes.
    pub cache_write: f64,
    /// Output (reasoning included).
    pub output: f64,
}

impl Weights {
    fn from_weights(w: &CategoryWeights) -> Weights {
        Weights {
            input: w.input,
            cached_input: w.cached_input,
            cache_write: w.cache_write,
            output: w.output,
        }
    }
}

impl Accounting {
    fn from_accounting(a: &PtuAccounting) -> Accounting {
        match a {
            PtuAccounting::OutputRatio { ratio } => Accounting::OutputRatio { ratio: *ratio },
            PtuAccounting::Normalized(n) => Accounting::Normalized {
                short: Weights::from_weights(&n.short),
                long: Weights::from_weights(&n.long),
            },
        }
    }
}

/// JSON `workloads[].profile`: demand shape over time (UTC), for charts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Profile {
    /// Per hour from the span's first hour: the busiest minute's weighted TPM.
    pub hourly_peak_weighted_tpm: Vec<f64>,
    /// Mean weighted TPM by weekday (Monday first) and hour of day, 7 x 24.
    pub weekday_hour_mean_weighted_tpm: Vec<Vec<f64>>,
}

/// JSON `workloads[].logged_latency`: the log's own latency, from the requests that logged one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoggedLatency {
    /// Successful requests with a logged latency.
    pub requests_with_latency: u64,
    /// Median end-to-end latency, ms.
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// Median of completion tokens / latency over requests with a completion, tokens per
    /// second (end to end: includes the time to the first token).
    pub p50_output_tokens_per_s: Option<f64>,
}

/// JSON `workloads[].usage_tier`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UsageTier {
    /// The model's tokens per 730-hour month over every workload of the log (the tenant).
    pub tenant_tokens_per_month: f64,
    /// The model's usage tier, tokens per month (`null`: not published).
    pub usage_tier_tokens_per_month: Option<u64>,
    /// Whether the tenant is above it.
    pub above: bool,
    /// The usage tier's source.
    pub source: Option<String>,
}
