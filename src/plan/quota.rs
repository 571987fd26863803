//! Standard quotas and latency in the plan: which TPM/RPM limits a per-token option (and the
//! Standard deployment a PTU option spills to) is simulated with, what it needs to stay within
//! `--max-throttle-rate` ("needs Tier 3 or a 9M TPM quota"), the usage-tier risk, and what is
//! known about every option's latency (`--min-tokens-per-s` excludes the options that cannot
//! promise it).
//!
//! Quota in force, most specific first: a `--quota-tpm MODEL/TYPE=TPM` or `--quota-file`
//! entry for the model and type, then one for the model, then `--quota-tier` (the catalog's
//! level for the model and type), else unlimited. Unlimited is the default: the simulation
//! then throttles nothing and every option says which level it would need. A tier the catalog
//! has no figure for leaves the option unlimited and says so; nothing is assumed.

use std::collections::BTreeMap;

use super::remark::{
    LatencyBasis, LatencyShortfall, OptionReason, QuotaLimits, QuotaRemark, UsageTierRisk,
};
use super::{OptionPlan, PlanSettings};
use crate::catalog::standard::{quota_type, QuotaLevel};
use crate::catalog::{Catalog, DeploymentTypeId};
use crate::sim::standard::{LoggedLatency, StandardLimits, StandardQuota, MAX_PROBES};
use crate::sim::{MissingMaxTokens, StandardOutcome};

/// Microsoft's words on latency above the usage tier (S35).
pub const USAGE_TIER_QUOTE: &str = "Latency can vary and, in some cases, may be more than two times higher than when operating within your usage tier.";

/// `--quota-*` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaSettings {
    /// `--quota-tier`: the level every Standard deployment is simulated at (None: unlimited).
    pub tier: Option<QuotaLevel>,
    /// Negotiated figures (`--quota-tpm`, `--quota-file`), in the order given.
    pub negotiated: Vec<NegotiatedQuota>,
    /// RPM evaluation window, seconds (`--standard-rpm-window-s`, default 10).
    pub rpm_window_s: f64,
    /// `--min-tokens-per-s`: options that cannot promise this output speed are excluded.
    pub min_tokens_per_s: Option<f64>,
    /// The `--quota-file` read, if any (no output may replace it).
    pub file: Option<std::path::PathBuf>,
}

impl Default for QuotaSettings {
    fn default() -> Self {
        QuotaSettings {
            tier: None,
            negotiated: Vec::new(),
            rpm_window_s: crate::sim::standard::DEFAULT_RPM_WINDOW_S,
            min_tokens_per_s: None,
            file: None,
        }
    }
}

/// A negotiated quota for one model (and optionally one Standard type).
#[derive(Debug, Clone, PartialEq)]
pub struct NegotiatedQuota {
    /// Catalog model id.
    pub model: String,
    /// `global-standard`, `data-zone-standard` or `regional-standard`; None: all three.
    pub deployment_type: Option<DeploymentTypeId>,
    /// Tokens per minute.
    pub tpm: u64,
    /// Requests per minute; None: from the model's RPM-to-TPM ratio (unchecked without one).
    pub rpm: Option<u64>,
    /// Where it was given (`--quota-tpm`, `quotas.yaml:4`).
    pub origin: String,
}

/// The limits one Standard deployment is simulated with, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaChoice {
    /// For the simulation.
    pub quota: StandardQuota,
    /// `unlimited`, a level id (`tier-3`) or `negotiated`.
    pub basis: String,
    /// The limits in force (its words: "Tier 1 (1M TPM / 10K RPM)", "unlimited", "5M TPM
    /// (--quota-tpm)").
    pub limits: QuotaLimits,
    /// A level asked for but not published for this model and type.
    pub unknown: Option<QuotaRemark>,
    /// Whether a figure in force is [U].
    pub unverified: bool,
}

/// The Standard limits for `model` on per-token type `t` (its quota type: Flex and Priority use
/// the Standard deployment's). None for types without a TPM quota (Batch).
pub fn quota_for(
    catalog: &Catalog,
    settings: &PlanSettings,
    missing_max_tokens: MissingMaxTokens,
    model: &str,
    t: DeploymentTypeId,
) -> Option<QuotaChoice> {
    let qt = quota_type(t)?;
    let std = &catalog.standard;
    let ratio = std.rpm_ratio(model).map(|r| r.rpm_per_1000_tpm);
    let mut probes = [None; MAX_PROBES];
    for (slot, level) in QuotaLevel::ALL.iter().enumerate() {
        probes[slot] = std.limit(model, qt, *level).map(|l| StandardLimits {
            tpm: l.tpm,
            rpm: Some(l.rpm),
        });
    }
    let q = &settings.quota;
    let is_model = |n: &&NegotiatedQuota| catalog.resolve_model(&n.model) == Some(model);
    let negotiated = q
        .negotiated
        .iter()
        .filter(is_model)
        .find(|n| n.deployment_type == Some(qt))
        .or_else(|| {
            q.negotiated
                .iter()
                .filter(is_model)
                .find(|n| n.deployment_type.is_none())
        });
    let mut unknown = None;
    let mut unverified = false;
    let (active, basis, limits) = if let Some(n) = negotiated {
        let rpm = n
            .rpm
            .or_else(|| ratio.map(|r| (n.tpm as f64 * r / 1000.0).floor() as u64));
        let l = StandardLimits { tpm: n.tpm, rpm };
        (
            Some(l),
            "negotiated".to_owned(),
            QuotaLimits::Negotiated {
                limits: l,
                origin: n.origin.clone(),
            },
        )
    } else if let Some(level) = q.tier {
        match std.limit(model, qt, level) {
            Some(l) => {
                unverified = l.unverified;
                let limits = StandardLimits {
                    tpm: l.tpm,
                    rpm: Some(l.rpm),
                };
                (
                    Some(limits),
                    level.as_str().to_owned(),
                    QuotaLimits::Level { level, limits },
                )
            }
            None => {
                unknown = Some(QuotaRemark::NoPublishedLevel {
                    level,
                    model: model.to_owned(),
                    quota_type: qt,
                });
                (None, "unknown".to_owned(), QuotaLimits::Unlimited)
            }
        }
    } else {
        (None, "unlimited".to_owned(), QuotaLimits::Unlimited)
    };
    Some(QuotaChoice {
        quota: StandardQuota {
            active,
            probes,
            rpm_per_1000_tpm: ratio,
            rpm_window_s: q.rpm_window_s,
            missing_max_tokens,
            track_levels: true,
        },
        basis,
        limits,
        unknown,
        unverified,
    })
}

/// What the Standard limits did to an option, and what it needs (JSON
/// `options[].standard_quota`).
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaView {
    /// The Standard type whose quota applies (`global-standard` for Flex and Priority).
    pub quota_type: DeploymentTypeId,
    /// `unlimited`, a level id (`tier-1`), `negotiated` or `unknown` (a level with no figure).
    pub basis: String,
    /// The limits in force.
    pub limits: QuotaLimits,
    /// Requests offered to the Standard deployment (all, or the spilled ones).
    pub offered_requests: u64,
    /// Of those, answered 429 under the limits in force (failed).
    pub rejected_requests: u64,
    /// Share of the option's requests that fail because of it.
    pub rejected_share: f64,
    /// The smallest published level at which the option stays within the throttle target
    /// (tiers first, then Default and Enterprise), e.g. `tier-3`.
    pub needs_level: Option<String>,
    /// That level's limits.
    pub needs_level_limits: Option<StandardLimits>,
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
    /// What happened and what it needs (its words are one sentence; empty: nothing to say).
    pub note: Vec<QuotaRemark>,
}

/// The view of a Standard deployment's outcome. `other_failed` requests of the option failed
/// for other reasons and `offered` is the option's request count (the target applies to it).
#[allow(clippy::too_many_arguments)]
pub fn view(
    catalog: &Catalog,
    model: &str,
    t: DeploymentTypeId,
    choice: &QuotaChoice,
    out: &StandardOutcome,
    offered: u64,
    other_failed: u64,
    max_throttle_rate: f64,
) -> QuotaView {
    let qt = quota_type(t).unwrap_or(t);
    let allowed_total = (max_throttle_rate * offered as f64).floor() as u64;
    let allowed = allowed_total.saturating_sub(other_failed);
    let within = |rejected: u64| rejected <= allowed;
    let mut needs = None;
    for level in QuotaLevel::TIERS
        .iter()
        .chain([QuotaLevel::Default, QuotaLevel::Enterprise].iter())
    {
        let slot = QuotaLevel::ALL
            .iter()
            .position(|l| l == level)
            .expect("every level has a slot");
        if let (Some(r), Some(l)) = (out.probe_rejected[slot], choice.quota.probes[slot]) {
            if within(r) {
                needs = Some((*level, l));
                break;
            }
        }
    }
    let needs_tpm = if other_failed > allowed_total {
        None
    } else {
        out.min_quota_tpm(allowed)
    };
    let share = |n: u64| {
        if offered == 0 {
            0.0
        } else {
            n as f64 / offered as f64
        }
    };
    let mut parts = Vec::new();
    if out.rejected_requests > 0 {
        parts.push(QuotaRemark::Rejects {
            share: share(out.rejected_requests),
            limits: choice.limits.clone(),
        });
    } else if choice.quota.active.is_some() {
        parts.push(QuotaRemark::Within(choice.limits.clone()));
    }
    if let Some(u) = &choice.unknown {
        parts.push(u.clone());
    }
    if let Some(tpm) = needs_tpm {
        parts.push(QuotaRemark::Needs {
            level: needs,
            tpm,
            has_levels: choice.quota.probes.iter().any(Option::is_some),
            checks_rpm: out.min_quota_checks_rpm,
            model: model.to_owned(),
            max_throttle_rate,
        });
    }
    if let Some(p) = catalog.standard.pooling(qt) {
        if choice.quota.active.is_some() {
            parts.push(QuotaRemark::Pooled {
                quota_type: qt,
                scope: p.scope.clone(),
            });
        }
    }
    QuotaView {
        quota_type: qt,
        basis: choice.basis.clone(),
        limits: choice.limits.clone(),
        offered_requests: out.offered_requests,
        rejected_requests: out.rejected_requests,
        rejected_share: share(out.rejected_requests),
        needs_level: needs.map(|(l, _)| l.as_str().to_owned()),
        needs_level_limits: needs.map(|(_, l)| l),
        needs_tpm,
        needs_tpm_checks_rpm: out.min_quota_checks_rpm,
        peak_minute_estimated_tokens: out.peak_minute_estimated_tokens,
        unverified: choice.unverified,
        gap: catalog.standard.gap_note(model).map(str::to_owned),
        note: parts,
    }
}

/// What is known about an option's latency (its JSON, `options[].latency`, is built from it
/// in `report::contract`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OptionLatency {
    /// The output speed the option promises, tokens per second (PTU: "99% > X TPS" per model;
    /// Priority: its target), or None when it promises none.
    pub target_tokens_per_s: Option<f64>,
    /// Where that figure comes from, or why there is none (None until the plan works it out).
    pub basis: Option<LatencyBasis>,
    /// For Standard options above the model's usage tier: what Microsoft's warning needs.
    pub usage_tier_risk: Option<UsageTierRisk>,
    /// Share of requests spilled to Standard (no latency target there; what spillover adds
    /// is not published, only that it "might incur additional latency", S42).
    pub spilled_share: Option<f64>,
}

/// The tenant's monthly tokens of a model against its usage tier (JSON
/// `workloads[].usage_tier`).
#[derive(Debug, Clone, PartialEq)]
pub struct UsageTierView {
    /// The model's tokens per 730-hour month over every workload of the log (the tenant).
    pub tenant_tokens_per_month: f64,
    /// The model's usage tier, tokens per month (None: not published).
    pub usage_tier_tokens_per_month: Option<u64>,
    /// Whether the tenant is above it.
    pub above: bool,
    /// The usage tier's source.
    pub source: Option<String>,
}

/// The usage-tier view of a model.
pub fn usage_tier(catalog: &Catalog, model: &str, tenant_tokens_per_month: f64) -> UsageTierView {
    let tier = catalog.standard.usage_tier(model);
    UsageTierView {
        tenant_tokens_per_month,
        usage_tier_tokens_per_month: tier.map(|t| t.tokens_per_month),
        above: tier.is_some_and(|t| tenant_tokens_per_month > t.tokens_per_month as f64),
        source: tier.map(|t| t.source.clone()),
    }
}

/// Fill every option's `latency`, and exclude the options that cannot promise
/// `--min-tokens-per-s`.
pub fn apply_latency(
    catalog: &Catalog,
    model: &str,
    usage: &UsageTierView,
    options: &mut [OptionPlan],
    settings: &PlanSettings,
) {
    let ptu_target = catalog
        .model(model)
        .and_then(|m| m.ptu.as_ref())
        .map(|p| p.latency_target_tokens_per_s);
    let priority = catalog
        .standard
        .priority_latency(model)
        .map(|p| p.tokens_per_s);
    let risk = usage.above.then(|| UsageTierRisk {
        model: model.to_owned(),
        tenant_tokens_per_month: usage.tenant_tokens_per_month,
        usage_tier_tokens_per_month: usage.usage_tier_tokens_per_month.unwrap_or(0),
    });
    for o in options.iter_mut() {
        let t = o.deployment_type;
        let (target, basis) = if t.is_provisioned() {
            (
                ptu_target,
                ptu_target.map_or(LatencyBasis::NoPtuTarget, LatencyBasis::PtuTarget),
            )
        } else if matches!(
            t,
            DeploymentTypeId::GlobalPriority | DeploymentTypeId::DataZonePriority
        ) {
            (
                priority,
                priority.map_or(LatencyBasis::NoPriorityTarget, LatencyBasis::PriorityTarget),
            )
        } else if t.is_batch() {
            (None, LatencyBasis::Batch)
        } else if t.is_flex() {
            (None, LatencyBasis::Flex)
        } else {
            (None, LatencyBasis::Standard)
        };
        let spilled = o.spilled_share.filter(|s| *s > 0.0);
        let usage_risk = (t.is_standard() || spilled.is_some())
            .then(|| risk.clone())
            .flatten();
        o.latency = OptionLatency {
            target_tokens_per_s: target,
            basis: Some(basis),
            usage_tier_risk: usage_risk,
            spilled_share: o.spilled_share,
        };
        if let (Some(min), true) = (settings.quota.min_tokens_per_s, o.available) {
            let why = match (target, spilled) {
                (None, _) => Some(LatencyShortfall::NoTarget(basis)),
                (Some(x), _) if x < min => Some(LatencyShortfall::Slower(x)),
                (Some(_), Some(s)) if s > settings.max_throttle_rate => {
                    Some(LatencyShortfall::Spills(s))
                }
                _ => None,
            };
            if let Some(why) = why {
                o.eligible = false;
                o.reason.push(OptionReason::CannotPromise {
                    min_tokens_per_s: min,
                    why,
                });
            }
        }
    }
}

/// The tenant's monthly tokens per model: every workload of the log counts (prompt and
/// completion tokens), per 730-hour month.
pub fn tenant_tokens_per_month(
    per_workload: impl Iterator<Item = (String, u64)>,
    span_hours: f64,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (model, tokens) in per_workload {
        *out.entry(model).or_insert(0.0) += tokens as f64;
    }
    for v in out.values_mut() {
        *v = super::cost::monthly_usd(*v, span_hours);
    }
    out
}

/// The log's latency, kept only when some request logged one.
pub fn logged(l: Option<&LoggedLatency>) -> Option<LoggedLatency> {
    l.filter(|l| l.requests_with_latency > 0).cloned()
}

#[cfg(test)]
mod tests {
    use crate::text::fmt_count;

    #[test]
    fn formats_quota_counts() {
        assert_eq!(fmt_count(1_000_000), "1M");
        assert_eq!(fmt_count(2_250_000), "2.25M");
        assert_eq!(fmt_count(450_000), "450K");
        assert_eq!(fmt_count(2_700), "2.7K");
        assert_eq!(fmt_count(500), "500");
        assert_eq!(fmt_count(1_234_567), "1.235M");
        assert_eq!(fmt_count(9_000_000), "9M");
    }
}
