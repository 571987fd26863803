//! The decision's headline, the summary's short reason, the why-lines, the run's verdict and
//! the forecast's words.

use super::reason::fmt_days;
use super::*;

/// The first line of a workload's why block: what to do, what it costs and commits, and what
/// it saves against what.
pub fn headline(w: &WorkloadPlan) -> String {
    let d = &w.decision;
    let Some(o) = &d.option else {
        if d.awaits_longer_log() {
            return "No decision yet: the log is too short (or too coarse) to commit, and no option without a commitment is confirmed available.".to_owned();
        }
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
            ", saves {} USD/mo ({}){} against {}{} at {}",
            fmt_usd(d.saving_vs_flexible_usd),
            pct(share),
            if d.saving_over_term {
                " over its term"
            } else {
                ""
            },
            f.option_id,
            if f.availability_unconfirmed {
                " (availability unconfirmed)"
            } else {
                ""
            },
            match (d.saving_over_term, d.term_monthly_costs_usd) {
                // The share is of the comparator's cost over the term, which the replacement's
                // months change: both options over the term, so the sentence subtracts.
                (true, Some((own, flexible))) => format!(
                    "{} USD/mo averaged over the term ({} before the retirement) at {}, against the reservation's {} USD/mo averaged over it (the replacement's months included)",
                    fmt_usd(flexible),
                    fmt_usd(f.monthly_cost_usd),
                    window_text(d.run_window_s),
                    fmt_usd(own)
                ),
                _ => format!(
                    "{} USD/mo at {}",
                    fmt_usd(f.monthly_cost_usd),
                    window_text(d.run_window_s)
                ),
            }
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
    if d.awaits_longer_log() {
        return "none yet: short or coarse log, nothing confirmed without a commitment".to_owned();
    }
    if d.status == DecisionStatus::None {
        return match d.reasons.first() {
            Some(Reason::Retired {
                model,
                date: Some(d),
                ..
            }) => format!("{model} retired on {d}"),
            Some(Reason::Retired { model, .. }) => format!("{model} is retired"),
            Some(Reason::NoEligibleOption { why, .. }) => {
                match why.first().and_then(|r| super::reasons_text(r)) {
                    Some(w) => truncate(&format!("none eligible: {w}"), 80),
                    None => "none eligible".to_owned(),
                }
            }
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
        let why = match (first("short-log"), first("coarse-log")) {
            (Some(Reason::ShortLog { min_span_days, .. }), _) => {
                format!("log shorter than {} days", fmt_days(*min_span_days))
            }
            (_, Some(Reason::CoarseLog { bucket })) => {
                format!("log of per-{} totals", bucket.as_str())
            }
            _ => "log shorter than 7 days".to_owned(),
        };
        return format!("provisional: {why}{}", what_if.unwrap_or_default());
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
            not_served_share,
            spills,
            ..
        }) => {
            if *utilization > 1.0 {
                format!(
                    "{} PTU pays above {} load; demand is {:.1}x {} PTU",
                    billing_short(*billing),
                    pct(*break_even),
                    utilization,
                    fmt_int(u64::from(*ptus))
                )
            } else {
                let bursts = super::reason::unserved_in_bursts(*not_served_share, *spills)
                    .map_or_else(String::new, |b| format!(", {b}"));
                format!(
                    "{} PTU pays above {} load; {} PTU would run at {}{bursts}",
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
        .filter(|w| w.decision.status == DecisionStatus::None && !w.decision.awaits_longer_log())
        .map(|w| w.deployment.as_str())
        .collect();
    let not_yet: Vec<String> = ws
        .iter()
        .filter(|w| w.decision.awaits_longer_log())
        .map(|w| w.deployment.clone())
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
                        "saves {} USD/mo, {}{}",
                        fmt_usd(w.decision.saving_vs_flexible_usd),
                        pct(w.decision.saving_vs_flexible_share.unwrap_or(0.0)),
                        if w.decision.saving_over_term {
                            " over its term"
                        } else {
                            ""
                        }
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
        let coarse = ws.iter().find_map(|w| {
            w.decision.reasons.iter().find_map(|r| match r {
                Reason::CoarseLog { bucket } => Some(*bucket),
                _ => None,
            })
        });
        let short = ws.iter().any(|w| {
            w.decision
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::ShortLog { .. }))
        });
        let mut p = match coarse {
            Some(bucket) if !short => format!(
                "provisional: the log is totals per {}, which hide the bursts a reservation is sized for",
                bucket.as_str()
            ),
            _ => format!(
                "provisional: the log covers {}, less than {} days",
                fmt_hours(report.input.hours),
                fmt_days(report.assumptions.plan.decision.min_span_days)
            ),
        };
        if !what_if.is_empty() {
            let premise = match coarse {
                Some(bucket) if !short => format!(
                    "if the requests of each {} arrived as evenly as replayed",
                    bucket.as_str()
                ),
                _ => "if it is typical".to_owned(),
            };
            p.push_str(&format!("; {premise}, {}", and_list(&what_if)));
        }
        parts.push(p);
    }
    if !not_yet.is_empty() {
        parts.push(format!(
            "nothing decided yet for {} (a short or coarse log, and no option without a commitment is confirmed available)",
            and_list(&not_yet)
        ));
    }
    for w in ws {
        for r in &w.decision.reasons {
            match r {
                Reason::CheaperIfConfirmed {
                    option_id,
                    region,
                    monthly_cost_usd,
                } => parts.push(format!(
                    "confirm {option_id} in {region} for {}: it would cost {} USD/mo",
                    w.deployment,
                    fmt_usd(*monthly_cost_usd)
                )),
                Reason::HoldsUnlessUnconfirmed {
                    unconfirmed,
                    region,
                    ..
                } => parts.push(format!(
                    "rule out {unconfirmed} in {region} before signing for {}",
                    w.deployment
                )),
                Reason::SpillsIntoUnconfirmed {
                    target,
                    region,
                    worst_spilled_share,
                    window_s,
                } => parts.push(format!(
                    "confirm {target} in {region} before signing for {}: the reservation spills up to {} of requests into it at {}",
                    w.deployment,
                    pct(*worst_spilled_share),
                    window_text(*window_s)
                )),
                _ => {}
            }
        }
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
            super::notes_text(&o.note).is_some_and(|n| n.contains("unverified"))
                || super::reasons_text(&o.reason).is_some_and(|n| n.contains("unverified"))
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
