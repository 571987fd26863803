//! The words of the decision, written once: every reason code of [`crate::plan::decision`] as
//! a sentence, the decision's headline, the short reason of the summary tables, the run's
//! verdict, and the names of types and billings. Every human format and the JSON's
//! `reasons[].text` and `decision_summary.verdict` take their words from here. Plain text:
//! each renderer escapes for its sink.
//!
//! Words a buyer reads: a utilization is never shown above 100% (the demand is said as a
//! multiple of what the PTUs serve, with the share that would spill), a break-even above 100%
//! reads "never pays at this traffic", and every saving names what it is compared with.

use super::{fmt_int, fmt_pct, fmt_usd, Report};
use crate::catalog::DeploymentTypeId;
use crate::plan::decision::{
    AfterRetirement, Decision, DecisionStatus, FlexibleKind, NoReplacement, Reason, TermLifecycle,
};
use crate::plan::forecast::{Forecast, Insufficient};
use crate::plan::{Billing, WorkloadPlan};

/// `1-year`, `1-month`, `hourly`, `per-token`: a billing as the summary names it.
pub fn billing_short(b: Billing) -> &'static str {
    match b {
        Billing::PerToken => "per-token",
        Billing::Hourly => "hourly",
        Billing::Reserved1Month => "1-month",
        Billing::Reserved1Year => "1-year",
    }
}

/// `Global PTU`, `DZ Std`, ...: a deployment type in at most 12 columns, for narrow terminals.
pub fn type_short(t: DeploymentTypeId) -> &'static str {
    use DeploymentTypeId as D;
    match t {
        D::GlobalStandard => "Global Std",
        D::DataZoneStandard => "DZ Std",
        D::RegionalStandard => "Reg Std",
        D::GlobalBatch => "Global Batch",
        D::DataZoneBatch => "DZ Batch",
        D::GlobalFlex => "Global Flex",
        D::GlobalPriority => "Global Prio",
        D::DataZonePriority => "DZ Prio",
        D::GlobalProvisioned => "Global PTU",
        D::DataZoneProvisioned => "DZ PTU",
        D::RegionalProvisioned => "Reg PTU",
    }
}

/// `Global`, `Data Zone`, `Regional`: a provisioned type's reservation family.
fn family(t: DeploymentTypeId) -> &'static str {
    use DeploymentTypeId as D;
    match t {
        D::GlobalProvisioned | D::GlobalStandard | D::GlobalBatch | D::GlobalFlex => "Global",
        D::GlobalPriority => "Global",
        D::DataZoneProvisioned | D::DataZoneStandard | D::DataZoneBatch => "Data Zone",
        D::DataZonePriority => "Data Zone",
        D::RegionalProvisioned | D::RegionalStandard => "Regional",
    }
}

/// A window in seconds: `1 s`, `0.5 s`.
pub fn window_text(window_s: f64) -> String {
    format!("{} s", crate::plan::sizing::window_key(window_s))
}

/// The band: `1-60 s`, or `60 s` for one window.
pub fn band_text((lo, hi): (f64, f64)) -> String {
    if !(lo.is_finite() && hi.is_finite()) {
        return "the window in use".to_owned();
    }
    if lo >= hi {
        window_text(lo)
    } else {
        format!(
            "{}-{} s",
            crate::plan::sizing::window_key(lo),
            crate::plan::sizing::window_key(hi)
        )
    }
}

/// A decided reservation's saving across the band, when it differs between windows: the least
/// and the most, as shares, and the least in USD per month with its window.
pub struct SavingRange {
    /// The smallest saving share over the band.
    pub least_share: f64,
    /// The largest.
    pub most_share: f64,
    /// The smallest saving, USD per month.
    pub least_usd: f64,
    /// Its window, seconds.
    pub least_window_s: f64,
}

/// The saving range of `d` (None: no reservation decided, or the same saving at every window).
pub fn saving_range(d: &crate::plan::Decision) -> Option<SavingRange> {
    d.option.as_ref().filter(|o| o.is_commitment())?;
    let b = d.band.as_ref()?;
    let (least, most) = (b.least_saving_share?, b.most_saving_share?);
    ((most - least).abs() >= 0.0005).then_some(SavingRange {
        least_share: least,
        most_share: most,
        least_usd: b.least_saving_usd,
        least_window_s: b.least_saving_window_s,
    })
}

/// `11.4-52.7%`.
pub fn share_range_text(r: &SavingRange) -> String {
    format!(
        "{}-{}",
        fmt_pct(r.least_share).trim_end_matches('%'),
        fmt_pct(r.most_share)
    )
}

/// `a 1-year reservation of 15 Global PTU`.
pub fn reservation_phrase(billing: Billing, t: DeploymentTypeId, ptus: u32) -> String {
    format!(
        "a {} reservation of {} {} PTU",
        billing_short(billing),
        fmt_int(u64::from(ptus)),
        family(t)
    )
}

/// A signed share as a percentage: `12.3%`, `-4.1%`.
fn pct(share: f64) -> String {
    fmt_pct(share)
}

/// A list for a sentence: `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn months(m: f64) -> String {
    format!("{m:.1}")
}

/// One reason as a sentence (no final period), for the why block and the JSON; `d` is the
/// decision it belongs to.
pub fn reason_text(r: &Reason, d: &Decision) -> String {
    match r {
        Reason::Flexible { option_id, kind } => match kind {
            FlexibleKind::CheapestStandard => {
                format!("{option_id} (per-token) is the cheapest option without a commitment")
            }
            FlexibleKind::PerToken => {
                format!("{option_id} (per-token) is the cheapest option without a commitment")
            }
            FlexibleKind::Batch => format!(
                "{option_id}, Batch allowed by --batch-eligible (24 h turnaround), is the cheapest option without a commitment"
            ),
            FlexibleKind::Flex => format!(
                "{option_id}, Flex allowed by --flex-eligible (no latency SLA), is the cheapest option without a commitment"
            ),
            FlexibleKind::Priority => format!(
                "{option_id}, Priority (a latency target at a premium), is the cheapest option without a commitment that meets the targets"
            ),
            FlexibleKind::Hourly => format!(
                "{option_id}, PTUs billed by the hour (resizable, no commitment), is the cheapest option without a commitment"
            ),
        },
        Reason::CommitmentHolds {
            billing,
            ptus,
            worst_saving_share,
            worst_window_s,
            min_saving,
            band_s,
        } => format!(
            "a {} reservation of {} PTU saves at least {} against the flexible option at every window of {} ({} at {}, the worst)",
            billing_short(*billing),
            fmt_int(u64::from(*ptus)),
            pct(*min_saving),
            band_text(*band_s),
            pct(*worst_saving_share),
            window_text(*worst_window_s)
        ),
        Reason::CountAcrossBand { ptus, band_s } => format!(
            "{} PTU is one count for the whole {} band: of the counts simulated at every window, the one whose worst-case cost is least",
            fmt_int(u64::from(*ptus)),
            band_text(*band_s)
        ),
        Reason::CommitmentRejected {
            billing,
            ptus,
            saving_usd,
            saving_share,
            short_windows,
            failing_windows,
            min_saving,
            over_term,
            ..
        } => {
            let mut costs_more = Vec::new();
            let mut saves_little = Vec::new();
            for (w, s) in short_windows {
                if *s < 0.0 {
                    costs_more.push(format!("{} more at {}", pct(-*s), window_text(*w)));
                } else {
                    saves_little.push(format!("{} at {}", pct(*s), window_text(*w)));
                }
            }
            let mut where_ = Vec::new();
            if !costs_more.is_empty() {
                where_.push(format!("it costs {}", and_list(&costs_more)));
            }
            if !saves_little.is_empty() {
                where_.push(format!("saves only {}", and_list(&saves_little)));
            }
            if !failing_windows.is_empty() {
                let each: Vec<String> = failing_windows.iter().map(|w| window_text(*w)).collect();
                where_.push(format!(
                    "misses the throttle or spill target at {}",
                    and_list(&each)
                ));
            }
            let over_term = match d.reservation.as_ref().and_then(|c| c.lifecycle.as_ref()) {
                Some(l) if *over_term => format!(
                    "over its term, since {} retires {} months in (below), ",
                    l.model,
                    months(l.months_before)
                ),
                _ if *over_term => "over its term ".to_owned(),
                _ => String::new(),
            };
            // A negative saving reads as a cost, never "would save -1,150.27".
            let at_run = if *saving_usd < 0.0 {
                format!(
                    "would cost {} USD/mo ({}) more at {} on this log, and",
                    fmt_usd(-*saving_usd),
                    pct(-*saving_share),
                    window_text(d.run_window_s)
                )
            } else {
                format!(
                    "would save {} USD/mo ({}) at {} on this log, but",
                    fmt_usd(*saving_usd),
                    pct(*saving_share),
                    window_text(d.run_window_s)
                )
            };
            format!(
                "no commitment: a {} reservation of {} PTU {at_run} {over_term}{} (a reservation must save {} at every window)",
                billing_short(*billing),
                fmt_int(u64::from(*ptus)),
                and_list(&where_),
                pct(*min_saving)
            )
        }
        Reason::ShortLog {
            span_hours,
            min_span_days,
        } => format!(
            "the log covers {}, less than {} days (a weekly cycle): nothing is committed on it",
            fmt_hours(*span_hours),
            fmt_days(*min_span_days)
        ),
        Reason::WhatIf {
            billing,
            ptus,
            saving_usd,
            saving_share,
            month_saving_usd,
            over_term,
            holds,
        } => {
            let what = format!(
                "what-if: a {} reservation of {} PTU",
                billing_short(*billing),
                fmt_int(u64::from(*ptus))
            );
            let band = if *holds {
                ""
            } else {
                ", and not at every window of the band"
            };
            match (*over_term, *saving_usd > 0.0) {
                (false, _) => format!(
                    "{what} would save {} USD/mo ({}) if this log is typical{}",
                    fmt_usd(*saving_usd),
                    pct(*saving_share),
                    band.replacen(", and", ", but", 1)
                ),
                (true, true) => format!(
                    "{what} would save {} USD/mo on this log's month, {} USD/mo ({}) over its term with the retirement below, if this log is typical{band}",
                    fmt_usd(*month_saving_usd),
                    fmt_usd(*saving_usd),
                    pct(*saving_share)
                ),
                (true, false) => format!(
                    "{what} would save {} USD/mo on this log's month, but over its term, with the retirement below, it would cost {} USD/mo ({}) more than the flexible option: it would not pay even if this log is typical",
                    fmt_usd(*month_saving_usd),
                    fmt_usd(-*saving_usd),
                    pct(-*saving_share)
                ),
            }
        }
        Reason::Calibrate {
            deployment,
            deployment_type,
            ptus,
        } => format!(
            "the unpublished burst allowance decides it: on a log of a real PTU deployment, `ptuplan calibrate LOG --deployment {deployment} --type {deployment_type} --ptus {ptus}` fits the window; then pass --bucket-window-s and the fitted range as --window-band"
        ),
        Reason::BreakEven {
            billing,
            break_even,
            utilization,
            ptus,
            not_served_share,
            spills,
            ptu_needed,
            ..
        } => {
            let pays = if *ptu_needed {
                format!(
                    "{} PTU is decided because no per-token option meets the targets here (throughput, latency or throttle), so the break-even against per-token prices does not apply",
                    billing_short(*billing)
                )
            } else if *break_even > 1.0 {
                format!("{} PTU never pays at this traffic", billing_short(*billing))
            } else {
                format!(
                    "{} PTU pays above {} utilization",
                    billing_short(*billing),
                    pct(*break_even)
                )
            };
            format!(
                "{pays}; {}",
                load_phrase(*ptus, *utilization, *not_served_share, *spills)
            )
        }
        Reason::Spills { share, monthly_usd } => format!(
            "{} of requests spill to Standard ({} USD/mo, in the cost)",
            pct(*share),
            fmt_usd(*monthly_usd)
        ),
        Reason::Commitment {
            billing,
            ptus,
            usd_per_ptu,
            total_usd,
        } => format!(
            "commits {} x {} = {} USD for the {} term, owed whatever the traffic",
            fmt_int(u64::from(*ptus)),
            fmt_usd(*usd_per_ptu),
            fmt_usd(*total_usd),
            billing_short(*billing)
        ),
        Reason::RetiresInTerm(l) => retires_in_term(l),
        Reason::Retires {
            model,
            date,
            replacement,
        } => format!(
            "{model} retires on {date}{}",
            replacement
                .as_ref()
                .map(|r| format!(" (replacement {r})"))
                .unwrap_or_default()
        ),
        Reason::Retired {
            model,
            date,
            replacement,
        } => format!(
            "{model} {}{}: no option is eligible",
            date.map_or("is retired".to_owned(), |d| format!("retired on {d}")),
            replacement
                .as_ref()
                .map(|r| format!("; replacement {r}"))
                .unwrap_or_default()
        ),
        Reason::NoPtuOffer { model } => format!("{model} has no PTU offer"),
        Reason::NoPtuInRegion {
            model,
            region,
            residency,
        } => format!(
            "no provisioned type is offered for {model} in {region}{}",
            residency
                .as_ref()
                .map(|r| format!(" within --residency {r}"))
                .unwrap_or_default()
        ),
        Reason::NoPtuEligible { option_id, why } => {
            format!("no provisioned option is eligible: {option_id} {why}")
        }
        Reason::PtuUnverified { option_id, region } => format!(
            "{option_id} is not decided: its availability in {region} is unverified (no verified \
             region table, sales fact or log shows it); confirm it with --overrides or --served-by"
        ),
        Reason::NoFlexibleOption => {
            "no option without a commitment meets the targets: the cheapest eligible one is decided"
                .to_owned()
        }
        Reason::NoEligibleOption { why, any_available } => match why.as_slice() {
            [] if *any_available => "no eligible option: no available option has a price".to_owned(),
            [] => "no eligible option: nothing is available for this model and region".to_owned(),
            [one] if *any_available => format!("no eligible option: {one}"),
            [one] => format!("nothing is available: {one}"),
            [first, rest @ ..] => format!(
                "{}: {first} (and {} other reason(s))",
                if *any_available {
                    "no eligible option"
                } else {
                    "nothing is available"
                },
                rest.len()
            ),
        },
    }
}

/// A span for people: `720.0 h`, or minutes below an hour (`2 min`).
pub fn fmt_hours(hours: f64) -> String {
    if hours < 1.0 {
        format!("{:.0} min", hours * 60.0)
    } else {
        format!("{hours:.1} h")
    }
}

fn fmt_days(d: f64) -> String {
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d}")
    }
}

/// "15 PTU would run at 18.3%", or above capacity "demand is 3.7x what 15 PTU serve; 75.7%
/// would spill": never a utilization above 100%.
pub fn load_phrase(ptus: u32, utilization: f64, not_served_share: f64, spills: bool) -> String {
    let n = fmt_int(u64::from(ptus));
    if utilization > 1.0 {
        format!(
            "demand is {:.1}x what {n} PTU serve; {} would {}",
            utilization,
            pct(not_served_share),
            if spills { "spill" } else { "fail" }
        )
    } else {
        format!("{n} PTU would run at {} utilization", pct(utilization))
    }
}

fn retires_in_term(l: &TermLifecycle) -> String {
    let when = format!(
        "{} retires on {}, {} of the term's {} months in",
        l.model,
        l.retirement,
        months(l.months_before),
        months(l.term_months)
    );
    match &l.after {
        AfterRetirement::Replacement {
            model,
            uses_reservation: true,
        } => format!(
            "{when}: the reservation (bought per deployment type and region, not per model) then serves its replacement {model}, priced as the retirement scenario plans it"
        ),
        AfterRetirement::Replacement {
            model,
            uses_reservation: false,
        } => format!(
            "{when}: its replacement {model} cannot use the reserved type in this region, so the reserved PTUs serve nothing for the rest of the term and are still owed"
        ),
        AfterRetirement::UpToRetirement(why) => {
            let because = match why {
                NoReplacement::NotNamed => "its retirement schedule names no replacement".to_owned(),
                NoReplacement::NotInCatalog(name) => {
                    format!("its named replacement {name} is not in the catalog")
                }
                NoReplacement::NotPlanned(name) => format!(
                    "its replacement {name} was not planned (the retirement scenario is off, or --horizon-months ends before the retirement)"
                ),
            };
            format!(
                "{when} and {because}: the saving counts only up to the retirement, and the reservation is owed for the rest of the term"
            )
        }
    }
}

/// The first line of a workload's why block: what to do, what it costs and commits, and what
/// it saves against what.
pub fn headline(w: &WorkloadPlan) -> String {
    let d = &w.decision;
    let Some(o) = &d.option else {
        return "No decision: no eligible option.".to_owned();
    };
    let what = match o.ptus {
        Some(n) if o.is_commitment() => format!(
            "Buy {} in {}",
            reservation_phrase(o.billing, o.deployment_type, n),
            w.region
        ),
        Some(n) => format!(
            "Run on {} PTU of {} billed hourly (no commitment)",
            fmt_int(u64::from(n)),
            o.deployment_type
        ),
        None => format!("Run on {} (per-token, no commitment)", o.option_id),
    };
    let mut line = format!("{what}: {} USD/mo", fmt_usd(o.monthly_cost_usd));
    if o.commitment_usd > 0.0 {
        line.push_str(&format!(", commits {} USD", fmt_usd(o.commitment_usd)));
    }
    match (&d.flexible, d.saving_vs_flexible_share) {
        (Some(f), Some(share)) if f.option_id != o.option_id => line.push_str(&format!(
            ", saves {} USD/mo ({}) against {} at {} USD/mo at {}",
            fmt_usd(d.saving_vs_flexible_usd),
            pct(share),
            f.option_id,
            fmt_usd(f.monthly_cost_usd),
            window_text(d.run_window_s)
        )),
        _ => {}
    }
    if let Some(r) = saving_range(d) {
        line.push_str(&format!(
            "; at least {} USD/mo ({}) at {}, the worst window of {}",
            fmt_usd(r.least_usd),
            pct(r.least_share),
            window_text(r.least_window_s),
            band_text(d.window_band_s)
        ));
    }
    if let Some(b) = d.band.as_ref() {
        if b.worst_monthly_cost_usd > o.monthly_cost_usd + 0.005 {
            line.push_str(&format!(
                "; it costs up to {} USD/mo at {}",
                fmt_usd(b.worst_monthly_cost_usd),
                window_text(b.worst_cost_window_s)
            ));
        }
    }
    if d.status == DecisionStatus::Provisional {
        line = format!("Provisional: {}", lowercase_first(&line));
    }
    line.push('.');
    line
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Capitalize a sentence's first letter, unless it starts with a name that is written in
/// lower case (a model or an option id: `gpt-5.1`, `global-standard`).
pub fn capitalize(s: &str) -> String {
    let first = s.split(' ').next().unwrap_or("");
    if first.contains(|c: char| c == '-' || c == '.' || c == '/' || c.is_ascii_digit()) {
        return s.to_owned();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The why block of a workload: the headline, then one sentence per reason.
pub fn why_lines(w: &WorkloadPlan) -> Vec<String> {
    let mut lines = vec![headline(w)];
    for r in &w.decision.reasons {
        lines.push(format!("{}.", capitalize(&reason_text(r, &w.decision))));
    }
    lines.extend(forecast_why_line(w));
    lines
}

/// The short reason of the summary tables (about 80 characters: three lines of the Why cell).
pub fn short_why(w: &WorkloadPlan) -> String {
    let d = &w.decision;
    let first = |code: &str| d.reasons.iter().find(|r| r.code() == code);
    if d.status == DecisionStatus::None {
        return match d.reasons.first() {
            Some(Reason::Retired {
                model,
                date: Some(d),
                ..
            }) => format!("{model} retired on {d}"),
            Some(Reason::Retired { model, .. }) => format!("{model} is retired"),
            Some(Reason::NoEligibleOption { why, .. }) => match why.first() {
                Some(w) => truncate(&format!("none eligible: {w}"), 80),
                None => "none eligible".to_owned(),
            },
            _ => "no eligible option".to_owned(),
        };
    }
    if d.status == DecisionStatus::Provisional {
        let what_if = first("what-if").and_then(|r| match r {
            Reason::WhatIf {
                billing,
                ptus,
                saving_usd,
                over_term,
                ..
            } => Some(if *saving_usd > 0.0 {
                format!(
                    "; what-if {} {} PTU saves {}/mo{}",
                    billing_short(*billing),
                    fmt_int(u64::from(*ptus)),
                    fmt_usd(*saving_usd),
                    if *over_term { " over its term" } else { "" }
                )
            } else {
                format!(
                    "; what-if {} {} PTU loses over its term (retirement)",
                    billing_short(*billing),
                    fmt_int(u64::from(*ptus))
                )
            }),
            _ => None,
        });
        return format!(
            "provisional: log shorter than {} days{}",
            fmt_days(match first("short-log") {
                Some(Reason::ShortLog { min_span_days, .. }) => *min_span_days,
                _ => 7.0,
            }),
            what_if.unwrap_or_default()
        );
    }
    if let Some(Reason::CommitmentHolds {
        worst_saving_share,
        band_s,
        ..
    }) = first("commitment-holds")
    {
        return format!(
            "saves at least {} at every window of {}",
            pct(*worst_saving_share),
            band_text(*band_s)
        );
    }
    if let Some(Reason::CommitmentRejected {
        billing,
        ptus,
        short_windows,
        failing_windows,
        over_term,
        ..
    }) = first("commitment-rejected")
    {
        let mut bad: Vec<f64> = short_windows.iter().map(|(w, _)| *w).collect();
        bad.extend(failing_windows);
        bad.sort_by(f64::total_cmp);
        let each: Vec<String> = bad.iter().map(|w| window_text(*w)).collect();
        let retires = d
            .reservation
            .as_ref()
            .and_then(|c| c.lifecycle.as_ref())
            .filter(|_| *over_term);
        return match retires {
            // The retirement is the cause: say it rather than list windows.
            Some(l) => format!(
                "no commitment: {} {} PTU falls short over its term ({} retires)",
                billing_short(*billing),
                fmt_int(u64::from(*ptus)),
                l.model
            ),
            None => format!(
                "no commitment: {} {} PTU falls short at {}",
                billing_short(*billing),
                fmt_int(u64::from(*ptus)),
                and_list(&each)
            ),
        };
    }
    let unverified = first("ptu-unverified").is_some();
    let why = match first("break-even")
        .or_else(|| first("no-ptu-offer"))
        .or_else(|| first("no-ptu-in-region"))
        .or_else(|| first("no-ptu-eligible"))
    {
        Some(Reason::BreakEven {
            ptu_needed: true, ..
        }) => "PTU needed: no per-token option meets the targets".to_owned(),
        Some(Reason::BreakEven {
            billing,
            break_even,
            ..
        }) if *break_even > 1.0 => {
            format!("{} PTU never pays at this traffic", billing_short(*billing))
        }
        Some(Reason::BreakEven {
            billing,
            break_even,
            utilization,
            ptus,
            ..
        }) => {
            if *utilization > 1.0 {
                format!(
                    "{} PTU pays above {}; demand is {:.1}x {} PTU",
                    billing_short(*billing),
                    pct(*break_even),
                    utilization,
                    fmt_int(u64::from(*ptus))
                )
            } else {
                format!(
                    "{} PTU pays above {}; {} PTU would run at {}",
                    billing_short(*billing),
                    pct(*break_even),
                    fmt_int(u64::from(*ptus)),
                    pct(*utilization)
                )
            }
        }
        Some(Reason::NoPtuOffer { model }) => format!("{model} has no PTU offer"),
        Some(Reason::NoPtuInRegion { region, .. }) => format!("no PTU offered in {region}"),
        Some(Reason::NoPtuEligible { option_id, .. }) => {
            truncate(&format!("no PTU option eligible ({option_id})"), 80)
        }
        _ if unverified => return "PTU availability unverified".to_owned(),
        _ => "the cheapest option without a commitment".to_owned(),
    };
    if unverified {
        format!("PTU unverified; {why}")
    } else {
        why
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(3)).collect();
        format!("{}...", cut.trim_end())
    }
}

/// The decision's status for people: `firm`, `provisional`, `none`.
pub fn status_text(d: &Decision) -> &'static str {
    d.status.as_str()
}

/// The verdict of the whole run, one sentence: what to buy, where, for how long, what it
/// commits and saves; or that nothing is committed, and why.
pub fn verdict(report: &Report) -> String {
    let ws = &report.workloads;
    let total: f64 = ws
        .iter()
        .filter_map(|w| w.decision.monthly_cost_usd())
        .sum();
    let none: Vec<&str> = ws
        .iter()
        .filter(|w| w.decision.status == DecisionStatus::None)
        .map(|w| w.deployment.as_str())
        .collect();
    let provisional = ws
        .iter()
        .filter(|w| w.decision.status == DecisionStatus::Provisional)
        .count();
    let buys: Vec<String> = ws
        .iter()
        .filter_map(|w| {
            let o = w.decision.option.as_ref()?;
            let n = o.ptus?;
            o.is_commitment().then(|| {
                let saves = match saving_range(&w.decision) {
                    Some(r) => format!(
                        "saves {} to {} across {}, at least {} USD/mo",
                        pct(r.least_share),
                        pct(r.most_share),
                        band_text(w.decision.window_band_s),
                        fmt_usd(r.least_usd)
                    ),
                    None => format!(
                        "saves {} USD/mo, {}",
                        fmt_usd(w.decision.saving_vs_flexible_usd),
                        pct(w.decision.saving_vs_flexible_share.unwrap_or(0.0))
                    ),
                };
                format!(
                    "{} for {} in {} (commits {} USD; {saves})",
                    reservation_phrase(o.billing, o.deployment_type, n),
                    w.deployment,
                    w.region,
                    fmt_usd(o.commitment_usd),
                )
            })
        })
        .collect();
    let flexible = ws
        .iter()
        .filter(|w| {
            w.decision
                .option
                .as_ref()
                .is_some_and(|o| !o.is_commitment())
        })
        .count();
    let total = total + 0.0;
    let mut parts = Vec::new();
    if buys.is_empty() && flexible == 0 {
        // Only workloads without an eligible option: said below.
    } else if buys.is_empty() {
        let all_per_token = ws
            .iter()
            .filter_map(|w| w.decision.option.as_ref())
            .all(|o| o.billing == Billing::PerToken);
        parts.push(format!(
            "commit nothing{}: run {} {} for {} USD/mo",
            if provisional > 0 { " yet" } else { "" },
            workloads_phrase(flexible, ws.len()),
            if all_per_token {
                "per-token"
            } else {
                "on options without a commitment"
            },
            fmt_usd(total)
        ));
        parts
            .last_mut()
            .expect("just pushed")
            .push_str(&up_to(report, total));
        // Why not, when a reservation was weighed and did not hold.
        let weighed = ws.iter().any(|w| {
            w.decision.status == DecisionStatus::Firm
                && w.decision
                    .reservation
                    .as_ref()
                    .is_some_and(|c| c.saves_somewhere())
        });
        if weighed && provisional == 0 {
            let band = ws
                .iter()
                .map(|w| w.decision.window_band_s)
                .find(|b| b.0.is_finite())
                .unwrap_or((f64::NAN, f64::NAN));
            parts.push(format!(
                "no reservation saves {} at every window of {}",
                pct(report.assumptions.plan.decision.min_saving),
                band_text(band)
            ));
        }
    } else {
        parts.push(format!("buy {}", and_list(&buys)));
        if flexible > 0 {
            parts.push(format!(
                "run {} without a commitment",
                workloads_phrase(flexible, ws.len())
            ));
        }
        parts.push(format!(
            "{} USD/mo in all{}",
            fmt_usd(total),
            up_to(report, total)
        ));
    }
    if provisional > 0 {
        let what_if: Vec<String> = ws
            .iter()
            .filter_map(|w| {
                w.decision.reasons.iter().find_map(|r| match r {
                    Reason::WhatIf {
                        billing,
                        ptus,
                        saving_usd,
                        holds: true,
                        ..
                    } => Some(format!(
                        "{} for {} would save {} USD/mo",
                        reservation_phrase(
                            *billing,
                            w.decision
                                .reservation
                                .as_ref()
                                .map_or(DeploymentTypeId::GlobalProvisioned, |c| {
                                    c.choice.deployment_type
                                }),
                            *ptus
                        ),
                        w.deployment,
                        fmt_usd(*saving_usd)
                    )),
                    _ => None,
                })
            })
            .collect();
        let mut p = format!(
            "provisional: the log covers {}, less than {} days",
            fmt_hours(report.input.hours),
            fmt_days(report.assumptions.plan.decision.min_span_days)
        );
        if !what_if.is_empty() {
            p.push_str(&format!("; if it is typical, {}", and_list(&what_if)));
        }
        parts.push(p);
    }
    if !none.is_empty() {
        parts.push(format!(
            "no eligible option for {}",
            and_list(&none.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        ));
    }
    if parts.is_empty() {
        return "Verdict: no workload in the log.".to_owned();
    }
    format!("Verdict: {}.", parts.join("; "))
}

/// `, up to 10,426.30 across the band` when the decided plan's worst case over the band costs
/// more than `total` (the window in use's).
fn up_to(report: &Report, total: f64) -> String {
    let worst = report
        .workloads
        .iter()
        .filter_map(|w| w.decision.worst_monthly_cost_usd())
        .sum::<f64>();
    if worst > total + 0.005 {
        format!(", up to {} across the band", fmt_usd(worst))
    } else {
        String::new()
    }
}

fn workloads_phrase(n: usize, of: usize) -> String {
    if n == of && n > 1 {
        format!("all {n} workloads")
    } else if n == 1 {
        if of == 1 {
            "the workload".to_owned()
        } else {
            "1 workload".to_owned()
        }
    } else {
        format!("{n} workloads")
    }
}

/// What "unverified" means, said where it appears (table footer, Markdown, HTML glossary).
pub const UNVERIFIED: &str = "unverified: a figure the research derived, inferred or read from a third party rather than a Microsoft source (price, availability, quota ratio); check it before you buy";

/// Whether any option or note of the report says "unverified".
pub fn mentions_unverified(report: &Report) -> bool {
    report.workloads.iter().any(|w| {
        w.options.iter().any(|o| {
            o.note.as_deref().is_some_and(|n| n.contains("unverified"))
                || o.reason
                    .as_deref()
                    .is_some_and(|n| n.contains("unverified"))
        })
    })
}

/// Why there is no forecast, in words.
pub fn insufficient_text(why: &Insufficient) -> String {
    match why {
        Insufficient::TooFewDays {
            days_with_traffic,
            needed,
        } => format!(
            "{days_with_traffic} full day{} with traffic; growth needs at least {needed} (four weekly cycles)",
            if *days_with_traffic == 1 { "" } else { "s" }
        ),
        Insufficient::Degenerate => {
            "the daily series cannot be fitted (too few distinct days)".to_owned()
        }
    }
}

/// A signed percent with one decimal: `5.1%`, `-2.0%`.
fn pct1(share: f64) -> String {
    let v = share * 100.0;
    // -0.04 rounds to "-0.0": say 0.0.
    let v = if v.abs() < 0.05 { 0.0 } else { v };
    format!("{v:.1}%")
}

fn range_text((lo, hi): (f64, f64)) -> String {
    let r = |v: f64| {
        let v = v * 100.0;
        format!("{:.1}", if v.abs() < 0.05 { 0.0 } else { v })
    };
    format!("{} to {}", r(lo), r(hi))
}

/// The trend in words: `growing 5.1%/month (3.8 to 6.4)`, `flat`, `shrinking 2.0%/month`.
pub fn trend_text(f: &Forecast) -> Option<String> {
    let g = f.growth_per_month?;
    let range = f
        .growth_per_month_range
        .map(|r| format!(" ({})", range_text(r)))
        .unwrap_or_default();
    let word = if g.abs() < 0.0005 {
        "flat,".to_owned()
    } else if g > 0.0 {
        "growing".to_owned()
    } else {
        "shrinking".to_owned()
    };
    Some(format!(
        "{word} {}/month{range}",
        pct1(g.abs()).trim_start_matches('-')
    ))
}

/// The why block's line: "Forecast: growing 5.1%/month (3.8 to 6.4); P90 need in month 12:
/// 640 PTU (Global PTU); a level shift on 2026-03-02 (+60%) is a step, not growth." None
/// without a forecast.
fn forecast_why_line(w: &WorkloadPlan) -> Option<String> {
    let f = w.forecast.as_ref()?;
    let Some(trend) = trend_text(f) else {
        return Some(format!(
            "Forecast: none, {}.",
            f.insufficient
                .as_ref()
                .map(insufficient_text)
                .unwrap_or_default()
        ));
    };
    let mut line = format!("Forecast: {trend}");
    if let Some((t, month, ptus)) = f.last_p90_need() {
        line.push_str(&format!(
            "; P90 need in month {month}: {} PTU ({})",
            fmt_int(u64::from(ptus)),
            type_short(t)
        ));
    }
    for s in &f.steps {
        line.push_str(&format!(
            "; a level shift on {} ({:+.0}%) is a step, not growth",
            s.date,
            s.volume_change * 100.0
        ));
    }
    let outlier_days: std::collections::BTreeSet<_> = f.outliers.iter().map(|o| o.date).collect();
    match outlier_days.len() {
        0 => {}
        1 => line.push_str(&format!(
            "; {} left out as an outlier",
            outlier_days
                .iter()
                .next()
                .map(|d| d.to_string())
                .unwrap_or_default()
        )),
        n => line.push_str(&format!("; {n} outlier days left out")),
    }
    line.push('.');
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_is_never_a_utilization_above_100_percent() {
        assert_eq!(
            load_phrase(15, 3.7, 0.757, true),
            "demand is 3.7x what 15 PTU serve; 75.7% would spill"
        );
        assert_eq!(
            load_phrase(15, 0.183, 0.0, true),
            "15 PTU would run at 18.3% utilization"
        );
    }

    /// tester18 item 9: a negative saving reads as a cost, and a PTU option decided because
    /// per-token misses a target is not argued against by its break-even.
    #[test]
    fn issue_18_a_loss_reads_as_a_cost_and_a_needed_ptu_skips_the_break_even() {
        let d = crate::plan::Decision {
            run_window_s: 1.0,
            ..Default::default()
        };
        let rejected = Reason::CommitmentRejected {
            option_id: "global-provisioned/reserved-1-year".into(),
            billing: Billing::Reserved1Year,
            ptus: 15,
            saving_usd: -1_150.27,
            saving_share: -0.101,
            short_windows: vec![(1.0, -0.101)],
            failing_windows: Vec::new(),
            min_saving: 0.1,
            over_term: false,
        };
        let text = reason_text(&rejected, &d);
        assert!(
            text.contains("would cost 1,150.27 USD/mo (10.1%) more at 1 s"),
            "{text}"
        );
        assert!(!text.contains("save -"), "{text}");
        let needed = Reason::BreakEven {
            deployment_type: DeploymentTypeId::GlobalProvisioned,
            billing: Billing::Hourly,
            break_even: 2.5,
            utilization: 0.265,
            ptus: 15,
            not_served_share: 0.0,
            spills: true,
            ptu_needed: true,
        };
        let text = reason_text(&needed, &d);
        assert!(!text.contains("never pays"), "{text}");
        assert!(
            text.contains("no per-token option meets the targets"),
            "{text}"
        );
    }

    #[test]
    fn bands_and_windows_read_as_seconds() {
        assert_eq!(band_text((1.0, 60.0)), "1-60 s");
        assert_eq!(band_text((4.0, 4.0)), "4 s");
        assert_eq!(window_text(0.5), "0.5 s");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
