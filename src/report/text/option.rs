//! The words of an option, written once: why it is unavailable or not eligible, its notes, how
//! its PTU count was chosen, what its Standard quota did and what is known about its latency
//! ([`crate::plan::remark`]). The JSON's `options[].reason`, `note`, `ptus_basis`,
//! `standard_quota` and `latency` strings and every human format take their words from here.

use crate::catalog::DeploymentTypeId;
use crate::plan::quota::{OptionLatency, USAGE_TIER_QUOTE};
use crate::plan::regions::{MoveNote, RegionGap};
use crate::plan::remark::{
    AvailabilityNote, Caveat, LatencyBasis, LatencyShortfall, ModeNote, OptionNote, OptionReason,
    PtusBasis, QuotaLimits, QuotaRemark, ResidencyConflict, TableSays, Unavailable, UsageTierRisk,
};
use crate::plan::Billing;
use crate::sim::standard::StandardLimits;
use crate::text::{fmt_count, fmt_pct};

/// The reason an option whose availability is unverified is not recommended.
pub const UNCONFIRMED_REASON: &str = "availability unverified: recommended only where the log or sales confirm it (--served-by, --overrides)";

/// The note of an option whose availability entry is unverified.
pub const UNVERIFIED_AVAILABILITY: &str = "unverified availability";

/// What Microsoft says spillover adds to latency (JSON `latency.spill_added_latency`).
pub const SPILL_ADDED_LATENCY: &str =
    "not published: Microsoft says spillover 'might incur additional latency' (S42)";

/// `1.0%`: a target share as the reasons write it.
fn target(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// An option's reasons, joined (None: it has none).
pub fn reasons_text(reasons: &[OptionReason]) -> Option<String> {
    join(reasons.iter().map(option_reason_text))
}

/// An option's notes, joined (None: it has none).
pub fn notes_text(notes: &[OptionNote]) -> Option<String> {
    join(notes.iter().map(option_note_text))
}

fn join(parts: impl Iterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = parts.collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Why a type cannot be used.
pub fn unavailable_text(u: &Unavailable) -> String {
    match u {
        Unavailable::BatchOnly(why) => why.clone(),
        Unavailable::OutsideResidency {
            residency,
            conflict,
        } => {
            let what = match conflict {
                ResidencyConflict::GlobalType => {
                    "a Global type processes data in any Azure region".to_owned()
                }
                ResidencyConflict::OtherZone(zone) => format!(
                    "processes data in the {} data zone",
                    zone.to_ascii_uppercase()
                ),
                ResidencyConflict::NoZone(region) => format!("{region} is in no data zone"),
                ResidencyConflict::InRegion(region) => format!("processes data in {region}"),
                ResidencyConflict::WiderThanRegion { zone, region } => format!(
                    "a Data Zone type processes data anywhere in the {} data zone, not only in {region}",
                    zone.to_ascii_uppercase()
                ),
            };
            format!("outside --residency {residency}: {what}")
        }
        Unavailable::NoDataZone { region } => format!(
            "{region} is in no data zone (Data Zone types exist only in the US, EU and APAC data zones)"
        ),
        Unavailable::NotAvailablePerSales { region, at } => {
            format!("not available in {region} per sales ({at})")
        }
        Unavailable::NotOffered {
            model,
            region,
            as_of,
        } => format!("not offered for {model} in {region} per the region tables (as of {as_of})"),
        Unavailable::NotPriced {
            deployment_type,
            model,
            region,
        } => format!("not priced: no sourced {deployment_type} price for {model} in {region}"),
        Unavailable::NoPtuFigures { model } => format!("{model} has no PTU capacity figures"),
        Unavailable::NoPtuIncrement {
            model,
            deployment_type,
        } => format!("{model} has no {deployment_type} minimum/increment"),
        Unavailable::CapacityBelowMinimum {
            max_ptus,
            region,
            at,
            deployment_type,
            min_ptus,
        } => format!(
            "capacity limit {max_ptus} PTUs in {region} ({at}) is below the {deployment_type} minimum of {min_ptus} PTUs"
        ),
        Unavailable::NoPtuPrice {
            deployment_type,
            region,
        } => format!("not priced: no sourced {deployment_type} PTU price in {region}"),
    }
}

fn cap_text(cap_at: &Option<String>) -> String {
    cap_at
        .as_ref()
        .map(|at| format!(" (the capacity limit, {at})"))
        .unwrap_or_default()
}

/// Why an option is unavailable or not eligible.
pub fn option_reason_text(r: &OptionReason) -> String {
    match r {
        OptionReason::Unavailable(u) => unavailable_text(u),
        OptionReason::NoLongContextPrice {
            deployment_type,
            model,
            requests,
            above_prompt_tokens,
        } => format!(
            "not priced: no sourced long-context {deployment_type} price for {model}'s {requests} request(s) above {} prompt tokens",
            above_prompt_tokens.map_or_else(|| "?".to_owned(), |n| n.to_string())
        ),
        OptionReason::NeedsFlag(c) => {
            let flag = match c {
                Caveat::Batch => "--batch-eligible",
                Caveat::Flex => "--flex-eligible",
            };
            format!("{}; {flag} to recommend", caveat_text(*c))
        }
        OptionReason::Unconfirmed => UNCONFIRMED_REASON.to_owned(),
        OptionReason::QuotaFails {
            share,
            limits,
            max_throttle_rate,
        } => format!(
            "fails {} of requests with 429 at {} (target {})",
            fmt_pct(*share),
            quota_limits_text(limits),
            target(*max_throttle_rate)
        ),
        OptionReason::TooMuchSpill {
            max_spill_rate,
            max_throttle_rate,
            ptus,
            cap_at,
        } => {
            let spill = match max_spill_rate {
                Some(m) => format!("spills more than --max-spill-pct {}", target(*m)),
                None => format!("fails more than {}", target(*max_throttle_rate)),
            };
            format!("{spill} even at {ptus} PTUs{}", cap_text(cap_at))
        }
        OptionReason::PromptLimit {
            share,
            max_throttle_rate,
        } => format!(
            "{:.1}% of requests exceed the PTU prompt limit and fail with HTTP 400 at any PTU count (target {})",
            share * 100.0,
            target(*max_throttle_rate)
        ),
        OptionReason::NeedsMoreThan {
            ptus,
            max_throttle_rate,
            cap_at,
        } => format!(
            "needs more than {ptus} PTUs to meet the {} target{}",
            target(*max_throttle_rate),
            cap_text(cap_at)
        ),
        OptionReason::NoCount { max_throttle_rate } => {
            format!("no PTU count meets the {} target", target(*max_throttle_rate))
        }
        OptionReason::NoCountAcrossBand { band_s } => format!(
            "no count meets the targets at every window of the {} band",
            super::band_text(*band_s)
        ),
        OptionReason::CannotPromise {
            min_tokens_per_s: min,
            why,
        } => match why {
            LatencyShortfall::NoTarget(basis) => format!(
                "cannot promise {min:.0} tokens/s: {}",
                latency_basis_text(*basis)
            ),
            LatencyShortfall::Slower(x) => {
                format!("cannot promise {min:.0} tokens/s: its target is {x:.0} tokens/s")
            }
            LatencyShortfall::Spills(s) => format!(
                "cannot promise {min:.0} tokens/s: {} of requests spill to Standard, which promises no latency",
                fmt_pct(*s)
            ),
        },
        OptionReason::Retired {
            date,
            past,
            replacement,
        } => {
            let verb = if *past { "retired on" } else { "retires on" };
            match replacement {
                Some(rep) => format!("{verb} {date}; replacement {rep}"),
                None => format!("{verb} {date}; no replacement named"),
            }
        }
    }
}

fn caveat_text(c: Caveat) -> &'static str {
    match c {
        Caveat::Batch => "async, 24 h turnaround",
        Caveat::Flex => "preview, no latency or service SLA, 429 when Flex capacity is unavailable",
    }
}

/// A remark on an option.
pub fn option_note_text(n: &OptionNote) -> String {
    match n {
        OptionNote::Mode(m) => mode_note_text(m),
        OptionNote::SpilloverQuota(q) => format!("spillover quota: {}", quota_note_text(q)),
        OptionNote::Quota(q) => format!("quota: {}", quota_note_text(q)),
        OptionNote::Availability(a) => availability_note_text(a),
        OptionNote::UnverifiedPrice => "unverified price".to_owned(),
        OptionNote::Price(adjustments) => format!("price: {}", adjustments.join(", ")),
        OptionNote::CapacityLimit {
            max_ptus,
            region,
            at,
        } => {
            format!("capacity limit {max_ptus} PTUs in {region} ({at}): larger counts unavailable")
        }
        OptionNote::RegionCapacity { max_ptus, at } => {
            format!("capacity limit {max_ptus} PTUs ({at})")
        }
        OptionNote::Term(Billing::Reserved1Year) => "1-year term, prorated".to_owned(),
        OptionNote::Term(Billing::Reserved1Month) => "1-month term, prorated".to_owned(),
        OptionNote::Term(b) => b.as_str().to_owned(),
        OptionNote::Caveat(c) => caveat_text(*c).to_owned(),
    }
}

/// Why a provisioned type cannot spill over.
pub fn mode_note_text(m: &ModeNote) -> String {
    match m {
        ModeNote::NoTarget(t) => format!("{t} has no spillover target; 429s fail"),
        ModeNote::NoLongContextPrice { target, requests } => format!(
            "no spillover: {target} has no long-context price for the {requests} long-context request(s); 429s fail"
        ),
        ModeNote::TargetUnavailable(u) => {
            format!("no spillover: {}; 429s fail", unavailable_text(u))
        }
        ModeNote::TargetStated(target) => format!(
            "spills into {target}, whose availability here is unconfirmed: --on-throttle spillover states it is offered"
        ),
        ModeNote::TargetUnconfirmed(target) => format!(
            "no spillover: {target}'s availability here is unverified, so 429s fail (--overrides confirming {target}, or --on-throttle spillover, plans it)"
        ),
    }
}

/// Why an option counts as available, when not by a verified table.
pub fn availability_note_text(a: &AvailabilityNote) -> String {
    match a {
        AvailabilityNote::Sales { at } => {
            format!("available per sales ({at}), not in Microsoft's table")
        }
        AvailabilityNote::Log {
            served,
            model,
            region,
            deployment_type,
            table,
        } => {
            let table = match table {
                TableSays::UnverifiedList => "; the catalog's list for it is unverified",
                TableSays::NotListed => "; the catalog's region table does not list it",
                TableSays::NoTable => "; no verified region table lists it",
            };
            format!(
                "available: {}{table}",
                served_text(served, model, region, *deployment_type)
            )
        }
        AvailabilityNote::Unverified => UNVERIFIED_AVAILABILITY.to_owned(),
        AvailabilityNote::Unlisted {
            model,
            deployment_type,
            region,
        } => format!(
            "no verified region table covers {model} on {deployment_type} in {region}: {UNVERIFIED_AVAILABILITY}"
        ),
    }
}

/// "the log shows gpt-6-sol serving 1234 request(s) in eastus2 (deployment `chat`; type not
/// logged, taken as global-standard: --served-by states it)".
pub fn served_text(
    served: &[crate::plan::evidence::Served],
    model: &str,
    region: &str,
    t: DeploymentTypeId,
) -> String {
    let requests: u64 = served.iter().map(|s| s.requests).sum();
    let names: Vec<String> = served
        .iter()
        .take(3)
        .map(|s| format!("`{}`", s.deployment))
        .collect();
    let more = served.len().saturating_sub(3);
    let who = if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    };
    let how = if served.iter().all(|s| s.stated) {
        format!("on {t} per --served-by")
    } else {
        format!("type not logged, taken as {t}: --served-by states it")
    };
    format!(
        "the log shows {model} serving {requests} request(s) in {region} (deployment {who}; {how})"
    )
}

/// How a provisioned option's count was chosen.
pub fn ptus_basis_text(b: &PtusBasis) -> String {
    match b {
        PtusBasis::CostOptimal(billing) => {
            format!("cost-optimal with spillover ({} prices)", billing.as_str())
        }
        PtusBasis::LeastWorstCase { band_s, billing } => format!(
            "the least worst-case cost over the {} band ({} prices)",
            super::band_text(*band_s),
            billing.as_str()
        ),
        PtusBasis::LargestSearched => "largest count searched".to_owned(),
        PtusBasis::SmallestMeeting { max_throttle_rate } => format!(
            "smallest count meeting the {} throttle target",
            target(*max_throttle_rate)
        ),
        PtusBasis::SmallestWithoutSpillIn { region } => format!(
            "smallest count meeting the throttle target (no spillover to Standard in {region})"
        ),
        PtusBasis::SmallestNotOffered {
            deployment_type,
            region,
        } => format!(
            "smallest count meeting the throttle target without spillover ({deployment_type} not offered in {region})"
        ),
    }
}

/// `1M TPM / 10K RPM`, or `1M TPM, RPM unknown`.
pub fn limits_text(l: StandardLimits) -> String {
    match l.rpm {
        Some(r) => format!("{} TPM / {} RPM", fmt_count(l.tpm), fmt_count(r)),
        None => format!("{} TPM, RPM unknown", fmt_count(l.tpm)),
    }
}

/// `Tier 1 (1M TPM / 10K RPM)`, `unlimited`, `5M TPM / 50K RPM (--quota-tpm)`.
pub fn quota_limits_text(q: &QuotaLimits) -> String {
    match q {
        QuotaLimits::Unlimited => "unlimited".to_owned(),
        QuotaLimits::Level { level, limits } => format!("{level} ({})", limits_text(*limits)),
        QuotaLimits::Negotiated { limits, origin } => {
            format!("{} ({origin})", limits_text(*limits))
        }
    }
}

/// What a Standard quota did and what it needs, in one sentence (empty: nothing to say).
pub fn quota_note_text(parts: &[QuotaRemark]) -> String {
    parts
        .iter()
        .map(quota_remark_text)
        .collect::<Vec<_>>()
        .join("; ")
}

fn quota_remark_text(r: &QuotaRemark) -> String {
    match r {
        QuotaRemark::Rejects { share, limits } => format!(
            "{} of requests get 429 from the Standard quota ({})",
            fmt_pct(*share),
            quota_limits_text(limits)
        ),
        QuotaRemark::Within(limits) => {
            format!("within the Standard quota ({})", quota_limits_text(limits))
        }
        QuotaRemark::NoPublishedLevel {
            level,
            model,
            quota_type,
        } => format!(
            "no published {level} quota for {model} {quota_type}; simulated without a quota (--quota-tpm sets one)"
        ),
        QuotaRemark::Needs {
            level,
            tpm,
            has_levels,
            checks_rpm,
            model,
            max_throttle_rate,
        } => {
            let mut unknowns = Vec::new();
            if !has_levels {
                unknowns.push("tiers");
            }
            if !checks_rpm {
                unknowns.push("RPM ratio");
            }
            let unknown = if unknowns.is_empty() {
                String::new()
            } else {
                format!(
                    " (no published {} for {model}{})",
                    unknowns.join(" or "),
                    if *checks_rpm { "" } else { ": TPM only" }
                )
            };
            let tpm = format!("a {} TPM quota", fmt_count(*tpm));
            let target = target(*max_throttle_rate);
            match level {
                Some((level, l)) => format!(
                    "needs {level} ({}) or {tpm} to stay within {target}{unknown}",
                    limits_text(*l)
                ),
                None if *has_levels => format!(
                    "no published level keeps it within {target}; needs {tpm}{unknown}"
                ),
                None => format!("needs {tpm} to stay within {target}{unknown}"),
            }
        }
        QuotaRemark::Pooled { quota_type, scope } => format!(
            "quota applied per workload; {quota_type} shares {scope} (unverified)"
        ),
    }
}

/// Where an option's latency target comes from, or why there is none.
pub fn latency_basis_text(b: LatencyBasis) -> String {
    match b {
        LatencyBasis::PtuTarget(x) => format!("PTU latency target 99% > {x:.0} tokens/s (S1/U3)"),
        LatencyBasis::NoPtuTarget => "no PTU latency target published for this model".to_owned(),
        LatencyBasis::PriorityTarget(x) => {
            format!("Priority latency target 99% > {x:.0} tokens/s (U6)")
        }
        LatencyBasis::NoPriorityTarget => {
            "no Priority latency target published for this model".to_owned()
        }
        LatencyBasis::Batch => {
            "Batch: 24-hour target turnaround, no latency target (S43)".to_owned()
        }
        LatencyBasis::Flex => "Flex: 'No latency SLA or service SLA' (U5)".to_owned(),
        LatencyBasis::Standard => "Standard: no latency target ('None', S41)".to_owned(),
    }
}

/// The latency basis of an option, empty when none was worked out.
pub fn latency_basis_of(l: &OptionLatency) -> String {
    l.basis.map(latency_basis_text).unwrap_or_default()
}

/// Microsoft's warning for a Standard option above the model's usage tier.
pub fn usage_tier_risk_text(r: &UsageTierRisk) -> String {
    format!(
        "{} uses {:.1}B tokens a month across the log's workloads, above its usage tier of {:.0}B: \"{USAGE_TIER_QUOTE}\" (S35)",
        r.model,
        r.tenant_tokens_per_month / 1e9,
        r.usage_tier_tokens_per_month as f64 / 1e9
    )
}

/// One line on an option's latency, for the table, Markdown, HTML and CSV.
pub fn latency_summary(l: &OptionLatency) -> String {
    let mut summary = vec![latency_basis_of(l)];
    if let Some(s) = l.spilled_share.filter(|s| *s > 0.0) {
        summary.push(format!(
            "{} spilled to Standard (no latency target; spillover 'might incur additional latency', S42)",
            fmt_pct(s)
        ));
    }
    if l.usage_tier_risk.is_some() {
        summary.push("above the usage tier: Standard latency may be more than 2x".to_owned());
    }
    summary.join("; ")
}

/// What a region move's figures lack, joined (empty: nothing).
pub fn move_note_text(notes: &[MoveNote]) -> String {
    notes
        .iter()
        .map(|n| match n {
            MoveNote::NoRoundTrip { from, to } => {
                format!("no published round-trip latency from {from} to {to}")
            }
            MoveNote::SameRegion => "same region: no inter-region transfer".to_owned(),
            MoveNote::UnverifiedTransferPrice => "unverified transfer price".to_owned(),
            MoveNote::TransferNotPriced { from, to } => format!(
                "transfer not priced: no sourced inter-region bandwidth price for {from} <-> {to} in the catalog (network.yaml transfer_prices)"
            ),
            MoveNote::BytesPerTokenUnverified(bpt) => {
                format!("{bpt} bytes per token (unverified)")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a region x type cannot be used.
pub fn region_gap_text(g: &RegionGap) -> String {
    match g {
        RegionGap::Unavailable(u) => unavailable_text(u),
        RegionGap::OverCapacity {
            ptus,
            max_ptus,
            region,
            at,
        } => format!("needs {ptus} PTUs; capacity limit {max_ptus} PTUs in {region} ({at})"),
        RegionGap::NoSpillNoCount { region } => format!(
            "no spillover to Standard in {region} and no PTU count meets the throttle target alone"
        ),
        RegionGap::NeedsMoreThan(n) => {
            format!("needs more than {n} PTUs to meet the throttle target")
        }
        RegionGap::NotSized(t) => format!("{t} was not sized for this workload"),
    }
}

/// The warning for a model the log shows serving where the catalog lists it on no type.
pub fn evidence_gap_text(g: &crate::plan::options::EvidenceGap) -> String {
    format!(
        "the log shows {} serving in {} (deployment `{}`), where no region table lists it on any type and the table for {} (the type taken when none is logged) leaves it out; --served-by DEPLOYMENT=TYPE states the type it ran on, and makes the log count for it",
        g.model,
        g.region,
        g.deployment.escape_debug(),
        g.assumed_type
    )
}

/// The warning for a workload whose model retires before the log's end or by the as-of date:
/// "chat-prod: gpt-4o (version 2024-11-20) retired on 2026-10-01; replacement gpt-5.1 before
/// the log's end (2026-10-30); no option is recommended (retirement schedule of ...)".
pub fn retirement_warning_text(w: &crate::plan::lifecycle::RetirementWarning) -> String {
    let s = &w.status;
    let when = w
        .before_log_end
        .map(|d| format!(" before the log's end ({d})"))
        .unwrap_or_default();
    let outcome = if s.retired {
        "; no option is recommended"
    } else {
        ""
    };
    format!(
        "{}: {} (version {}) {}{when}{outcome} ({})",
        w.deployment,
        w.model,
        s.version,
        s.retirement_phrase(w.as_of).unwrap_or_default(),
        s.schedule_phrase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::lifecycle::{LifecycleStatus, Stage};
    use crate::plan::evidence::Served;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_retirement_warning_names_the_date_the_log_end_and_the_schedule() {
        let status = LifecycleStatus {
            version: "2024-07-18".into(),
            ga: None,
            stage: Some(Stage::Retired),
            retirement: Some(d("2026-10-01")),
            replacement: Some("gpt-4.1-mini".into()),
            schedule_published: Some(d("2026-07-07")),
            other_schedules: Vec::new(),
            retired: true,
        };
        let w = crate::plan::lifecycle::retirement_warning(
            "chat",
            "gpt-4o-mini",
            &status,
            d("2026-10-30"),
            d("2026-12-01"),
        )
        .expect("warning");
        assert_eq!(
            retirement_warning_text(&w),
            "chat: gpt-4o-mini (version 2024-07-18) retired on 2026-10-01; replacement gpt-4.1-mini before the log's end (2026-10-30); no option is recommended (retirement schedule of 2026-07-07)"
        );
    }

    #[test]
    fn the_log_as_evidence_says_whether_the_type_was_stated() {
        let served = [Served {
            deployment: "chat".into(),
            requests: 10,
            deployment_type: DeploymentTypeId::GlobalStandard,
            stated: false,
        }];
        assert_eq!(
            served_text(&served, "gpt-6-sol", "eastus2", DeploymentTypeId::GlobalStandard),
            "the log shows gpt-6-sol serving 10 request(s) in eastus2 (deployment `chat`; type not logged, taken as global-standard: --served-by states it)"
        );
    }

    #[test]
    fn reasons_and_notes_join_in_order() {
        let reasons = [
            OptionReason::Unconfirmed,
            OptionReason::NeedsMoreThan {
                ptus: 300,
                max_throttle_rate: 0.01,
                cap_at: Some("o.yaml:3".into()),
            },
        ];
        assert_eq!(
            reasons_text(&reasons).expect("text"),
            format!("{UNCONFIRMED_REASON}; needs more than 300 PTUs to meet the 1.0% target (the capacity limit, o.yaml:3)")
        );
        assert_eq!(reasons_text(&[]), None);
        let notes = [
            OptionNote::UnverifiedPrice,
            OptionNote::Term(Billing::Reserved1Year),
        ];
        assert_eq!(
            notes_text(&notes).as_deref(),
            Some("unverified price; 1-year term, prorated")
        );
        let outside = Unavailable::OutsideResidency {
            residency: "swedencentral".into(),
            conflict: ResidencyConflict::WiderThanRegion {
                zone: "eu".into(),
                region: "swedencentral".into(),
            },
        };
        assert_eq!(
            unavailable_text(&outside),
            "outside --residency swedencentral: a Data Zone type processes data anywhere in the EU data zone, not only in swedencentral"
        );
    }

    #[test]
    fn a_quota_note_says_what_it_needs() {
        let limits = StandardLimits {
            tpm: 3_000_000,
            rpm: Some(3_000),
        };
        let note = [QuotaRemark::Needs {
            level: Some((crate::catalog::standard::QuotaLevel::Tier2, limits)),
            tpm: 1_791_000,
            has_levels: true,
            checks_rpm: true,
            model: "gpt-4o".into(),
            max_throttle_rate: 0.01,
        }];
        assert_eq!(
            quota_note_text(&note),
            "needs Tier 2 (3M TPM / 3K RPM) or a 1.791M TPM quota to stay within 1.0%"
        );
    }
}
