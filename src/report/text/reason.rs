//! Every reason code of the decision as a sentence, and the phrases they share (load, hours,
//! retirement in the term).

use super::*;

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
        Reason::HoldsUnlessUnconfirmed {
            billing,
            ptus,
            worst_saving_share,
            worst_window_s,
            confirmed_saving_share,
            unconfirmed,
            region,
            min_saving,
            band_s,
        } => format!(
            "a {} reservation of {} PTU saves at least {} against the confirmed options at every window of {}, but only {} against {unconfirmed} (at {}), less than the {} asked; {unconfirmed}'s availability in {region} is unconfirmed: rule it out before signing (--overrides), since if it is offered it is the choice without a commitment",
            billing_short(*billing),
            fmt_int(u64::from(*ptus)),
            pct(*confirmed_saving_share),
            band_text(*band_s),
            pct(*worst_saving_share),
            window_text(*worst_window_s),
            pct(*min_saving)
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
        Reason::AgainstUnconfirmed {
            option_id,
            region,
            window_s,
            confirmed,
            run_window_s,
        } => {
            let mut s = format!(
                "the reservation's saving is measured against {option_id} at {}, which is held back only because its availability in {region} is unconfirmed: the log cannot tell whether it is offered, so a reservation must pay against it too (--overrides confirms or rules it out)",
                window_text(*window_s)
            );
            if let Some((id, share)) = confirmed {
                s.push_str(&format!(
                    "; against {id}, the cheapest confirmed option, the reservation saves {} at {}",
                    pct(*share),
                    window_text(*run_window_s)
                ));
            }
            s
        }
        Reason::CheaperIfConfirmed {
            option_id,
            region,
            monthly_cost_usd,
        } => format!(
            "{option_id} would cost {} USD/mo if it is offered in {region}: its availability there is unconfirmed, so it is not decided (--overrides confirms it)",
            fmt_usd(*monthly_cost_usd)
        ),
        Reason::ShortLog {
            span_hours,
            min_span_days,
        } => format!(
            "the log covers {}, less than {} days (a weekly cycle): nothing is committed on it",
            fmt_hours(*span_hours),
            fmt_days(*min_span_days)
        ),
        Reason::CoarseLog { bucket } => format!(
            "the log's inputs are totals per {}: the arrivals inside a bucket, which a reservation's size depends on, are unknown (they may all come in one minute), so nothing is committed on them; per-minute buckets or per-request records can decide one",
            bucket.as_str()
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
                    "{} PTU pays above {} load",
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
        Reason::SpillsIntoUnconfirmed {
            target,
            region,
            worst_spilled_share,
            window_s,
        } => format!(
            "it spills up to {} of requests at {} into {target}, whose availability in {region} is unconfirmed: --on-throttle spillover states it is offered, and without it those requests fail; confirm it before signing (--overrides records it)",
            pct(*worst_spilled_share),
            window_text(*window_s)
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
        Reason::NoPtuEligible { option_id, why } => format!(
            "no provisioned option is eligible: {option_id} {}",
            super::reasons_text(why).unwrap_or_default()
        ),
        Reason::PtuUnverified { option_id, region } => format!(
            "{option_id} is not decided: its availability in {region} is unverified (no verified \
             region table, sales fact or log shows it); confirm it with --overrides or --served-by"
        ),
        Reason::NoFlexibleOption { decided: true } => {
            "no option without a commitment meets the targets and is confirmed available: the cheapest eligible one is decided"
                .to_owned()
        }
        Reason::NoFlexibleOption { decided: false } => {
            "no option without a commitment meets the targets and is confirmed available, and this log commits nothing (too short, or totals per hour or per day): nothing is decided until a longer or finer log, or sales confirming an option (--overrides), settles it"
                .to_owned()
        }
        Reason::NoEligibleOption { why, any_available } => {
            let mut distinct: Vec<String> = Vec::new();
            for w in why.iter().filter_map(|r| super::reasons_text(r)) {
                if !distinct.contains(&w) {
                    distinct.push(w);
                }
            }
            match distinct.as_slice() {
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
            }
        }
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

pub(super) fn fmt_days(d: f64) -> String {
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d}")
    }
}

/// The unserved share from which a load below 100% is said to hide bursts.
const BURSTS_WORTH_SAYING: f64 = 0.01;

/// "22.9% spilling in bursts" when a load below 100% still leaves at least
/// [`BURSTS_WORTH_SAYING`] unserved (a mean below the break-even can still lose), else None.
pub(super) fn unserved_in_bursts(not_served_share: f64, spills: bool) -> Option<String> {
    (not_served_share >= BURSTS_WORTH_SAYING).then(|| {
        format!(
            "{} {} in bursts",
            pct(not_served_share),
            if spills { "spilling" } else { "failing" }
        )
    })
}

/// "15 PTU would run at 18.3% load" (the mean demand over the capacity, what the break-even is
/// measured in; not Azure's utilization, which counts only what is served), or above capacity
/// "demand is 3.7x what 15 PTU serve; 75.7% would spill": never a load above 100%.
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
        let load = format!("{n} PTU would run at {} load", pct(utilization));
        match unserved_in_bursts(not_served_share, spills) {
            Some(bursts) => format!("{load}, with {bursts}"),
            None => load,
        }
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
            retires,
            ..
        } => {
            let mut s = format!(
                "{when}: the reservation (bought per deployment type and region, not per model) then serves its replacement {model}, which the retirement scenario runs on the same type: only PTUs beyond the reservation are bought, hourly"
            );
            if let Some(d) = retires {
                s.push_str(&format!(
                    ", until {model} retires in turn on {d}; from then the reserved PTUs serve nothing and are still owed"
                ));
            }
            s
        }
        AfterRetirement::Replacement {
            model,
            uses_reservation: false,
            runs_on: Some(option),
            ..
        } => format!(
            "{when}: the retirement scenario runs its replacement {model} on {option}, not on the reserved type in this region, so the reserved PTUs serve nothing for the rest of the term and are still owed"
        ),
        AfterRetirement::Replacement {
            model,
            uses_reservation: false,
            runs_on: None,
            ..
        } => format!(
            "{when}: the retirement scenario decides nothing for its replacement {model} (no eligible option), so the reserved PTUs serve nothing for the rest of the term and are still owed"
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
