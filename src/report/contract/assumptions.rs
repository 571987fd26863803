//! JSON `assumptions`: the modelling assumptions and planning settings a run was made with
//! (`diff` and `--baseline` compare them).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::standard::QuotaLevel;
use crate::catalog::DeploymentTypeId;
use crate::plan::quota::{NegotiatedQuota, QuotaSettings};
use crate::plan::{Billing, PlanSettings, ReservePolicy, Residency, ThrottlePolicy};
use crate::sim::estimate::MissingMaxTokens;
use crate::sim::SimParams;

/// JSON `assumptions`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assumptions {
    /// Hours in a month for monthly figures.
    pub hours_per_month: f64,
    /// Admission-model parameters.
    pub sim: Sim,
    /// Planning settings.
    pub plan: Plan,
}

impl Assumptions {
    /// The contract of a report's assumptions.
    pub fn from_report(a: &crate::report::Assumptions) -> Assumptions {
        Assumptions {
            hours_per_month: a.hours_per_month,
            sim: Sim::from_params(&a.sim),
            plan: Plan::from_settings(&a.plan),
        }
    }
}

/// JSON `assumptions.sim`: the admission model's named assumptions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sim {
    /// Seconds of capacity the bucket holds before it reports 100%, for the answers the plan
    /// uses (`--bucket-window-s`).
    pub bucket_window_s: f64,
    /// Further windows every option is also planned at, in seconds (default 1, 10 and 60): a
    /// reservation is recommended only if it holds at every one (the burst allowance is
    /// unpublished).
    pub window_band_s: Vec<f64>,
    /// Estimate used when `max_completion_tokens` is absent: `"actual"` or `{"fixed": N}`.
    pub missing_max_tokens: MissingMaxTokens,
}

impl Sim {
    fn from_params(p: &SimParams) -> Sim {
        Sim {
            bucket_window_s: p.bucket_window_s,
            window_band_s: p.window_band_s.clone(),
            missing_max_tokens: p.missing_max_tokens,
        }
    }
}

/// JSON `assumptions.plan`: the planning settings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    /// What a 429 leads to: `default`, `fail`, `spillover` or `{"retry": {"max_retries": N}}`.
    pub on_throttle: ThrottlePolicy,
    /// Largest acceptable share of requests the PTU deployment does not serve when sizing its
    /// target count, and of failed requests for any option (default 0.01).
    pub max_throttle_rate: f64,
    /// Largest acceptable share of spilled requests for an option with spillover (default:
    /// no limit).
    pub max_spill_rate: Option<f64>,
    /// PTU counts each search simulates per pass (default 12).
    pub sweep_points: u32,
    /// Also find target counts for provisioned types the workload's region does not offer
    /// (for `regions`).
    pub size_other_types: bool,
    /// Whether Batch options may be recommended (asynchronous, 24-hour turnaround).
    pub batch_eligible: bool,
    /// Whether Flex options may be recommended (preview; no latency or service SLA; 429 when
    /// Flex capacity is unavailable).
    pub flex_eligible: bool,
    /// PTUs reserved per region x provisioned type pool: `deployed` or `{"fixed": N}`.
    pub reserve: ReservePolicy,
    /// Reservation term of the pools (default 1 year).
    pub reserve_term: Billing,
    /// `--residency` and `--served-by` (the sales facts are in `overrides_applied`).
    pub constraints: Constraints,
    /// Standard quotas (`--quota-tier`, `--quota-tpm`, `--quota-file`), the RPM window and
    /// `--min-tokens-per-s`.
    pub quota: Quota,
    /// When a commitment is recommended (`--min-saving`, `--min-span-days`).
    pub decision: DecisionRules,
}

impl Plan {
    fn from_settings(s: &PlanSettings) -> Plan {
        let served_by = &s.constraints.served_by;
        Plan {
            on_throttle: s.on_throttle,
            max_throttle_rate: s.max_throttle_rate,
            max_spill_rate: s.max_spill_rate,
            sweep_points: s.sweep_points,
            size_other_types: s.size_other_types,
            batch_eligible: s.batch_eligible,
            flex_eligible: s.flex_eligible,
            reserve: s.reserve,
            reserve_term: s.reserve_term,
            constraints: Constraints {
                residency: s.constraints.residency.clone(),
                served_by: ServedBy {
                    all: served_by.all,
                    deployments: served_by.deployments.clone(),
                },
            },
            quota: Quota::from_settings(&s.quota),
            decision: DecisionRules {
                min_saving: s.decision.min_saving,
                min_span_days: s.decision.min_span_days,
            },
        }
    }
}

/// JSON `assumptions.plan.constraints`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Constraints {
    /// `--residency` (`global`, `datazone:eu`, `region:swedencentral`); `null` = no constraint.
    pub residency: Option<Residency>,
    /// `--served-by`: the type the log's deployments ran on (absent when not given).
    #[serde(skip_serializing_if = "ServedBy::is_empty")]
    pub served_by: ServedBy,
}

/// JSON `constraints.served_by`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServedBy {
    /// `--served-by TYPE`: every deployment not named otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<DeploymentTypeId>,
    /// `--served-by DEPLOYMENT=TYPE`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub deployments: BTreeMap<String, DeploymentTypeId>,
}

impl ServedBy {
    fn is_empty(&self) -> bool {
        self.all.is_none() && self.deployments.is_empty()
    }
}

/// JSON `assumptions.plan.quota`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quota {
    /// `--quota-tier`: the level every Standard deployment is simulated at (`null`: unlimited).
    pub tier: Option<QuotaLevel>,
    /// Negotiated figures (`--quota-tpm`, `--quota-file`), in the order given.
    pub negotiated: Vec<Negotiated>,
    /// RPM evaluation window, seconds (`--standard-rpm-window-s`, default 10).
    pub rpm_window_s: f64,
    /// `--min-tokens-per-s`: options that cannot promise this output speed are excluded.
    pub min_tokens_per_s: Option<f64>,
}

impl Quota {
    fn from_settings(q: &QuotaSettings) -> Quota {
        Quota {
            tier: q.tier,
            negotiated: q.negotiated.iter().map(Negotiated::from_plan).collect(),
            rpm_window_s: q.rpm_window_s,
            min_tokens_per_s: q.min_tokens_per_s,
        }
    }
}

/// JSON `quota.negotiated[]`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Negotiated {
    /// Catalog model id.
    pub model: String,
    /// `global-standard`, `data-zone-standard` or `regional-standard`; `null`: all three.
    pub deployment_type: Option<DeploymentTypeId>,
    /// Tokens per minute.
    pub tpm: u64,
    /// Requests per minute; `null`: from the model's RPM-to-TPM ratio (unchecked without one).
    pub rpm: Option<u64>,
    /// Where it was given (`--quota-tpm`, `quotas.yaml:4`).
    pub origin: String,
}

impl Negotiated {
    fn from_plan(n: &NegotiatedQuota) -> Negotiated {
        Negotiated {
            model: n.model.clone(),
            deployment_type: n.deployment_type,
            tpm: n.tpm,
            rpm: n.rpm,
            origin: n.origin.clone(),
        }
    }
}

/// JSON `assumptions.plan.decision`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionRules {
    /// Smallest saving a reservation must keep against the flexible option at every window of
    /// the band, as a share (`--min-saving`, default 0.10).
    pub min_saving: f64,
    /// Shortest log on which a decision is firm, days (`--min-span-days`, default 7: a weekly
    /// cycle).
    pub min_span_days: f64,
}
