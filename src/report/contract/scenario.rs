//! JSON `scenarios[]`: each what-if scenario planned like the baseline, with its transforms,
//! its workloads (the baseline's shape), totals, reservations, origins and reservation plan.

use serde::Serialize;

use super::ladder::Ladder;
use super::reservation::Pool;
use super::workload::Workload;
use crate::report::scenario::{ScenarioReport, WorkloadOrigin};
use crate::report::Summary;
use crate::scenario as plan;

/// JSON `scenarios[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// Where it came from: `scenarios.yaml:3`, `command line`, `automatic: retirement`.
    pub origin: String,
    /// Free text, if given.
    pub description: Option<String>,
    /// Seed of the draws (thinning, replication, jitter, Batch shift).
    pub seed: u64,
    /// Spread of replicated requests around their original arrival, ms.
    pub jitter_ms: u32,
    /// The transforms, in order.
    pub transforms: Vec<Transform>,
    /// Months of growth the scenario stands at (`null` without growth).
    pub horizon_months: Option<u32>,
    /// Requests the scenario replayed (after thinning and replication; its workloads left as
    /// logged are not replayed again: their plans are the baseline's).
    pub requests_replayed: u64,
    /// The scenario's workloads, in the baseline's shape and order rule (each with its
    /// `decision`).
    pub workloads: Vec<Workload>,
    /// Monthly cost of every workload's recommended option, USD.
    pub recommended_monthly_cost_usd: f64,
    /// That minus the baseline's, USD (`null` when either plan is incomplete: some workload
    /// has no eligible option, so the totals do not compare).
    pub monthly_cost_delta_usd: Option<f64>,
    /// The same in percent of the baseline's (`null` also when the baseline's is 0).
    pub monthly_cost_delta_pct: Option<f64>,
    /// Totals, as the baseline's `summary`.
    pub summary: Summary,
    /// PTU reservations pooled per region and type, as the baseline's `reservations`.
    pub reservations: Vec<Pool>,
    /// Where workloads that changed came from (`diff` reads them back).
    pub origins: Vec<WorkloadOrigin>,
    /// What the reader should know (capped completions, requests over a model's limits).
    pub notes: Vec<String>,
    /// The reservation plan over the horizon (scenarios with growth).
    pub ladder: Option<Ladder>,
}

impl Scenario {
    /// The contract of one scenario's results.
    pub fn from_report(s: &ScenarioReport) -> Scenario {
        Scenario {
            name: s.name.clone(),
            origin: s.origin.clone(),
            description: s.description.clone(),
            seed: s.seed,
            jitter_ms: s.jitter_ms,
            transforms: s.transforms.iter().map(Transform::from_plan).collect(),
            horizon_months: s.horizon_months,
            requests_replayed: s.requests_replayed,
            workloads: s.workloads.iter().map(Workload::from_plan).collect(),
            recommended_monthly_cost_usd: s.recommended_monthly_cost_usd,
            monthly_cost_delta_usd: s.monthly_cost_delta_usd,
            monthly_cost_delta_pct: s.monthly_cost_delta_pct,
            summary: s.summary.clone(),
            reservations: s.reservations.iter().map(Pool::from_plan).collect(),
            origins: s.origins.clone(),
            notes: s.notes.clone(),
            ladder: s.ladder.as_ref().map(Ladder::from_plan),
        }
    }
}

/// JSON `scenarios[].transforms[]`: `kind` and its figures, then `select`, `at` and
/// `description`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Transform {
    /// What it does.
    #[serde(flatten)]
    pub kind: TransformKind,
    /// The log's workloads it applies to.
    pub select: Selector,
    /// Where it was given (`scenarios.yaml:7`, `--scale`).
    pub at: String,
    /// In words.
    pub description: String,
}

/// JSON `transforms[].kind` and the figures of that kind.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransformKind {
    /// Traffic x `factor`.
    Scale {
        /// Traffic factor (> 0).
        factor: f64,
    },
    /// Traffic x (1 + percent/100) per month.
    Growth {
        /// Growth per month, percent (> -100).
        percent_per_month: f64,
        /// Months of growth: the horizon.
        months: u32,
    },
    /// A model change.
    Migrate {
        /// The catalog model migrated from.
        from: String,
        /// The catalog model migrated to.
        to: String,
        /// Prompt tokens (and their cached and cache-write parts) x this (default 1).
        prompt_factor: f64,
        /// Visible output tokens (completion minus reasoning) x this (default 1).
        output_factor: f64,
        /// Reasoning tokens x this (default 1).
        reasoning_factor: f64,
    },
    /// Cached share of prompt tokens set to `percent`.
    CacheRate {
        /// Target cached share, percent of prompt tokens.
        percent: f64,
    },
    /// Reasoning tokens x `factor`.
    Reasoning {
        /// Factor (>= 0).
        factor: f64,
    },
    /// `percent` of requests moved to Batch.
    BatchShift {
        /// Share of requests, percent.
        percent: f64,
    },
    /// A move to another region.
    Region {
        /// The region moved to.
        to: String,
    },
    /// A synthetic workload.
    Add {
        /// Deployment name.
        deployment: String,
        /// Catalog model.
        model: String,
        /// Region (`armRegionName`).
        region: String,
        /// Mean requests per day over the span.
        requests_per_day: f64,
        /// Median prompt tokens.
        prompt_tokens: u64,
        /// Median completion tokens (reasoning included).
        completion_tokens: u64,
        /// Median reasoning tokens (part of the completion; default 0).
        reasoning_tokens: u64,
        /// Share of prompt tokens served from the cache, percent (default 0).
        cached_percent: f64,
        /// The requests' `max_completion_tokens` (default: none logged).
        max_completion_tokens: Option<u64>,
    },
}

/// JSON `transforms[].select`: globs over the log's workloads.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Selector {
    /// Deployment-name glob (default `*`).
    pub deployment: String,
    /// Catalog-model glob (default `*`), e.g. `gpt-4.1*`.
    pub model: String,
    /// Region glob (default `*`).
    pub region: String,
}

impl Transform {
    fn from_plan(t: &plan::Transform) -> Transform {
        use plan::TransformKind as K;
        let kind = match &t.kind {
            K::Scale { factor } => TransformKind::Scale { factor: *factor },
            K::Growth {
                percent_per_month,
                months,
            } => TransformKind::Growth {
                percent_per_month: *percent_per_month,
                months: *months,
            },
            K::Migrate(m) => TransformKind::Migrate {
                from: m.from.clone(),
                to: m.to.clone(),
                prompt_factor: m.prompt_factor,
                output_factor: m.output_factor,
                reasoning_factor: m.reasoning_factor,
            },
            K::CacheRate { percent } => TransformKind::CacheRate { percent: *percent },
            K::Reasoning { factor } => TransformKind::Reasoning { factor: *factor },
            K::BatchShift { percent } => TransformKind::BatchShift { percent: *percent },
            K::Region { to } => TransformKind::Region { to: to.clone() },
            K::Add(a) => TransformKind::Add {
                deployment: a.deployment.clone(),
                model: a.model.clone(),
                region: a.region.clone(),
                requests_per_day: a.requests_per_day,
                prompt_tokens: a.prompt_tokens,
                completion_tokens: a.completion_tokens,
                reasoning_tokens: a.reasoning_tokens,
                cached_percent: a.cached_percent,
                max_completion_tokens: a.max_completion_tokens,
            },
        };
        Transform {
            kind,
            select: Selector {
                deployment: t.select.deployment.as_str().to_owned(),
                model: t.select.model.as_str().to_owned(),
                region: t.select.region.as_str().to_owned(),
            },
            at: t.at.clone(),
            description: t.description.clone(),
        }
    }
}
