//! What the plan says about an option, as typed values: why it is unavailable or not eligible
//! ([`OptionReason`], [`Unavailable`]), its remarks ([`OptionNote`]) and how its PTU count was
//! chosen ([`PtusBasis`]). Each carries the numbers, ids and labels its words need; the words
//! are the report's (`report::text::option`), written once for every format and the JSON.

use chrono::NaiveDate;

use super::cost::Billing;
use super::evidence::Served;
use crate::catalog::DeploymentTypeId;

/// Why a deployment type cannot be used for a workload.
#[derive(Debug, Clone, PartialEq)]
pub enum Unavailable {
    /// The workload may only use Batch; the caller's words (a scenario's `batch` action).
    BatchOnly(String),
    /// The type processes data outside `--residency`.
    OutsideResidency {
        /// The flag's value (`eu`, `swedencentral`).
        residency: String,
        /// Where the type processes data instead.
        conflict: ResidencyConflict,
    },
    /// A Data Zone type in a region of no data zone.
    NoDataZone {
        /// Region.
        region: String,
    },
    /// A sales fact of `--overrides` says it is not offered.
    NotAvailablePerSales {
        /// Region.
        region: String,
        /// `file:line` of the fact.
        at: String,
    },
    /// A verified region table covers the region and does not list it.
    NotOffered {
        /// Model.
        model: String,
        /// Region.
        region: String,
        /// The table's date.
        as_of: NaiveDate,
    },
    /// No sourced per-token price.
    NotPriced {
        /// The type.
        deployment_type: DeploymentTypeId,
        /// Model.
        model: String,
        /// Region.
        region: String,
    },
    /// The model has no PTU capacity figures.
    NoPtuFigures {
        /// Model.
        model: String,
    },
    /// The model has no minimum and increment for the type.
    NoPtuIncrement {
        /// Model.
        model: String,
        /// The type.
        deployment_type: DeploymentTypeId,
    },
    /// A sales capacity limit below the type's minimum.
    CapacityBelowMinimum {
        /// The limit, PTUs.
        max_ptus: u32,
        /// Region.
        region: String,
        /// `file:line` of the limit.
        at: String,
        /// The type.
        deployment_type: DeploymentTypeId,
        /// Its minimum, PTUs.
        min_ptus: u32,
    },
    /// No sourced PTU price in the region.
    NoPtuPrice {
        /// The type.
        deployment_type: DeploymentTypeId,
        /// Region.
        region: String,
    },
}

/// Where a type processes data, against `--residency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResidencyConflict {
    /// A Global type processes data in any region.
    GlobalType,
    /// A Data Zone type in another data zone (its id).
    OtherZone(String),
    /// A Data Zone type in a region of no data zone.
    NoZone(String),
    /// A regional type in a region outside the zone or region asked for.
    InRegion(String),
    /// A Data Zone type, where one region is asked for: the zone's id.
    WiderThanRegion {
        /// The data zone (empty when the region has none).
        zone: String,
        /// The region asked for.
        region: String,
    },
}

/// Why an option is unavailable or not eligible for the decision. An option has a list of them
/// (the JSON joins their words with `; `).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionReason {
    /// The type cannot be used.
    Unavailable(Unavailable),
    /// No sourced long-context price for the workload's long-context requests.
    NoLongContextPrice {
        /// The type.
        deployment_type: DeploymentTypeId,
        /// Model.
        model: String,
        /// Requests above the threshold.
        requests: u64,
        /// The threshold, prompt tokens (None: not in the catalog).
        above_prompt_tokens: Option<u64>,
    },
    /// Batch or Flex, not allowed without its flag.
    NeedsFlag(Caveat),
    /// Only inferred available: never recommended until the log or sales confirm it.
    Unconfirmed,
    /// The Standard quota in force fails more than `--max-throttle-rate`.
    QuotaFails {
        /// Failed share.
        share: f64,
        /// The limits in force.
        limits: QuotaLimits,
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
    },
    /// Spillover: no count keeps the spilled share within `--max-spill-pct`, or the failed
    /// share within the target.
    TooMuchSpill {
        /// `--max-spill-pct` as a share (None: the failed share is what misses).
        max_spill_rate: Option<f64>,
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
        /// The largest count searched.
        ptus: u32,
        /// A capacity limit that bounds the search: where it is given.
        cap_at: Option<String>,
    },
    /// The share of requests above the PTU prompt limit misses the target at any count.
    PromptLimit {
        /// Their share.
        share: f64,
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
    },
    /// No count up to the one searched meets the target.
    NeedsMoreThan {
        /// The largest count searched.
        ptus: u32,
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
        /// A capacity limit that bounds the search: where it is given.
        cap_at: Option<String>,
    },
    /// No count meets the target.
    NoCount {
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
    },
    /// No reserved count meets the targets at every window of the band.
    NoCountAcrossBand {
        /// The band, seconds.
        band_s: (f64, f64),
    },
    /// The option cannot promise `--min-tokens-per-s`.
    CannotPromise {
        /// `--min-tokens-per-s`.
        min_tokens_per_s: f64,
        /// Why.
        why: LatencyShortfall,
    },
    /// The model is retired on the run's as-of date.
    Retired {
        /// Its retirement date.
        date: NaiveDate,
        /// Whether the date is on or before the as-of date ("retired on", else "retires on").
        past: bool,
        /// Named replacement.
        replacement: Option<String>,
    },
}

/// Why an option cannot promise an output speed.
#[derive(Debug, Clone, PartialEq)]
pub enum LatencyShortfall {
    /// It promises none.
    NoTarget(LatencyBasis),
    /// Its target is lower, tokens per second.
    Slower(f64),
    /// This share of requests spills to Standard, which promises none.
    Spills(f64),
}

/// Batch or Flex: what to know before using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caveat {
    /// Asynchronous, 24-hour turnaround (`--batch-eligible`).
    Batch,
    /// Preview, no SLA (`--flex-eligible`).
    Flex,
}

/// A remark on an option (the JSON joins their words with `; `).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionNote {
    /// Why the throttle mode differs from the one asked for.
    Mode(ModeNote),
    /// What the quota of the Standard deployment a PTU option spills to did.
    SpilloverQuota(Vec<QuotaRemark>),
    /// What a per-token option's Standard quota did.
    Quota(Vec<QuotaRemark>),
    /// Why the option counts as available, when not by a verified table.
    Availability(AvailabilityNote),
    /// Priced with an unverified entry.
    UnverifiedPrice,
    /// `--overrides` changed the price: the catalog's words for each change.
    Price(Vec<String>),
    /// A sales capacity limit bounds the counts.
    CapacityLimit {
        /// The limit, PTUs.
        max_ptus: u32,
        /// Region.
        region: String,
        /// `file:line` of the limit.
        at: String,
    },
    /// `regions`: a sales capacity limit in the candidate region.
    RegionCapacity {
        /// The limit, PTUs.
        max_ptus: u32,
        /// `file:line` of the limit.
        at: String,
    },
    /// A reservation's term (prorated in the monthly cost).
    Term(Billing),
    /// Batch or Flex, allowed by its flag.
    Caveat(Caveat),
}

/// Why a provisioned type cannot spill over.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeNote {
    /// The type has no spillover target.
    NoTarget(DeploymentTypeId),
    /// The target has no long-context price for the workload's long-context requests.
    NoLongContextPrice {
        /// The spillover target.
        target: DeploymentTypeId,
        /// Requests above the threshold.
        requests: u64,
    },
    /// The target is not usable.
    TargetUnavailable(Unavailable),
    /// The type is confirmed available, its target only inferred: no spillover is planned
    /// (`--on-throttle spillover` states the target is there).
    TargetUnconfirmed(DeploymentTypeId),
    /// Spillover is planned into a target whose availability is unconfirmed, because
    /// `--on-throttle spillover` states it is there (a commitment leaning on it says so).
    TargetStated(DeploymentTypeId),
}

/// Why an option counts as available, when not by a verified catalog listing.
#[derive(Debug, Clone, PartialEq)]
pub enum AvailabilityNote {
    /// A sales fact says so and no table lists it.
    Sales {
        /// `file:line` of the fact.
        at: String,
    },
    /// The log shows the model serving there on this type.
    Log {
        /// The deployments that served it (shared with the other options of its model,
        /// region and type).
        served: std::sync::Arc<[Served]>,
        /// Model.
        model: String,
        /// Region.
        region: String,
        /// The type.
        deployment_type: DeploymentTypeId,
        /// What the catalog's tables say.
        table: TableSays,
    },
    /// Listed in an unverified list ([U]).
    Unverified,
    /// No verified table covers it ([U]).
    Unlisted {
        /// Model.
        model: String,
        /// The type.
        deployment_type: DeploymentTypeId,
        /// Region.
        region: String,
    },
}

/// What the catalog says about an option the log shows serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableSays {
    /// Listed, in an unverified list.
    UnverifiedList,
    /// A verified table does not list it.
    NotListed,
    /// No verified table lists it.
    NoTable,
}

/// How a provisioned option's count was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum PtusBasis {
    /// The cheapest PTU plus spillover cost at this billing's prices.
    CostOptimal(Billing),
    /// A reservation's count across the band: the least worst-case cost.
    LeastWorstCase {
        /// The band, seconds.
        band_s: (f64, f64),
        /// The billing whose prices it is at.
        billing: Billing,
    },
    /// No count met the targets: the largest one searched.
    LargestSearched,
    /// The smallest count meeting `--max-throttle-rate`.
    SmallestMeeting {
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
    },
    /// `regions`: the smallest count meeting the target, as the candidate region has no
    /// spillover target.
    SmallestWithoutSpillIn {
        /// The candidate region.
        region: String,
    },
    /// `regions`: a type the workload's region does not offer, sized without spillover.
    SmallestNotOffered {
        /// The type.
        deployment_type: DeploymentTypeId,
        /// The workload's region.
        region: String,
    },
}

/// The Standard limits a deployment is simulated with.
#[derive(Debug, Clone, PartialEq)]
pub enum QuotaLimits {
    /// No quota (the default, or a level with no published figure).
    Unlimited,
    /// A published level.
    Level {
        /// The level.
        level: crate::catalog::standard::QuotaLevel,
        /// Its limits.
        limits: crate::sim::standard::StandardLimits,
    },
    /// A negotiated figure.
    Negotiated {
        /// Its limits.
        limits: crate::sim::standard::StandardLimits,
        /// Where it was given (`--quota-tpm`, `quotas.yaml:4`).
        origin: String,
    },
}

/// One part of what a Standard quota did and what it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum QuotaRemark {
    /// A share of requests get 429 under the limits.
    Rejects {
        /// The share.
        share: f64,
        /// The limits.
        limits: QuotaLimits,
    },
    /// Every request is within the limits.
    Within(QuotaLimits),
    /// A level asked for has no published figure for the model and type.
    NoPublishedLevel {
        /// The level.
        level: crate::catalog::standard::QuotaLevel,
        /// Model.
        model: String,
        /// The quota type.
        quota_type: DeploymentTypeId,
    },
    /// What keeps it within the target.
    Needs {
        /// The smallest published level that does, with its limits.
        level: Option<(
            crate::catalog::standard::QuotaLevel,
            crate::sim::standard::StandardLimits,
        )>,
        /// The smallest TPM quota that does.
        tpm: u64,
        /// Whether the model has published levels at all.
        has_levels: bool,
        /// Whether the TPM figure checks RPM too (the model has a ratio).
        checks_rpm: bool,
        /// Model.
        model: String,
        /// `--max-throttle-rate`.
        max_throttle_rate: f64,
    },
    /// The quota is per subscription and region, not per workload ([U]).
    Pooled {
        /// The quota type.
        quota_type: DeploymentTypeId,
        /// What it is shared over (the catalog's words).
        scope: String,
    },
}

/// What is known about an option's latency target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LatencyBasis {
    /// PTU's published target, tokens per second.
    PtuTarget(f64),
    /// PTU without a published target for the model.
    NoPtuTarget,
    /// Priority's target, tokens per second.
    PriorityTarget(f64),
    /// Priority without a published target for the model.
    NoPriorityTarget,
    /// Batch: a turnaround target, no latency target.
    Batch,
    /// Flex: no SLA.
    Flex,
    /// Standard: none.
    Standard,
}

/// A Standard option above the model's usage tier.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTierRisk {
    /// Model.
    pub model: String,
    /// The tenant's tokens of the model per month.
    pub tenant_tokens_per_month: f64,
    /// Its usage tier, tokens per month.
    pub usage_tier_tokens_per_month: u64,
}
