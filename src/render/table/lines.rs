//! The sentences of the terminal report that the Markdown and HTML renderers share: the input
//! line, a workload's facts, band, quota, latency and sizing notes, the summary line.

use super::*;

/// The decided option, the flexible one and the reservation weighed (when it is not the
/// decided one) at each window of the band: "By window [USD/mo] (decided / flexible / 1-year
/// 15 PTU): 1 s: 729.19 / 729.19 / 3,315.00; ...". Nothing when the band has one window or the
/// three agree everywhere.
pub fn band_lines(w: &WorkloadPlan) -> Vec<String> {
    let d = &w.decision;
    if d.by_window.len() < 2 {
        return Vec::new();
    }
    let decided_id = d.option.as_ref().map(|o| o.option_id.as_str());
    let weighed = d
        .reservation
        .as_ref()
        .filter(|c| Some(c.choice.option_id.as_str()) != decided_id && c.saves_somewhere());
    let usd = |v: Option<f64>| v.map_or("-".to_owned(), fmt_usd);
    let same = d.by_window.iter().all(|b| {
        b.decided.as_ref().map(|c| c.monthly_cost_usd)
            == b.flexible.as_ref().map(|c| c.monthly_cost_usd)
    });
    if same && weighed.is_none() {
        return Vec::new();
    }
    let each: Vec<String> = d
        .by_window
        .iter()
        .map(|b| {
            let mut cell = format!(
                "{}: {} / {}",
                crate::report::text::window_text(b.window_s),
                usd(b.decided.as_ref().map(|c| c.monthly_cost_usd)),
                usd(b.flexible.as_ref().map(|c| c.monthly_cost_usd))
            );
            if let Some(c) = weighed {
                cell.push_str(&format!(
                    " / {}",
                    usd(c.at(b.window_s).and_then(|cw| cw.month_equivalent_usd()))
                ));
            }
            cell
        })
        .collect();
    let columns = match weighed {
        Some(c) => format!(
            "decided / flexible / {} {} PTU{}",
            billing_short(c.choice.billing),
            fmt_int(u64::from(c.choice.ptus.unwrap_or(0))),
            if c.lifecycle.is_some() {
                " over its term, as this month's cost"
            } else {
                ""
            }
        ),
        None => "decided / flexible".to_owned(),
    };
    vec![format!(
        "By window [USD/mo] ({columns}): {}",
        each.join("; ")
    )]
}

/// What the decided option needs from the Standard quota, when it says.
pub fn quota_lines(w: &WorkloadPlan) -> Vec<String> {
    w.decided_option()
        .and_then(|o| o.standard_quota.as_ref())
        .filter(|q| !q.note.is_empty())
        .map(|q| {
            vec![format!(
                "Standard quota: {}.",
                crate::report::text::quota_note_text(&q.note)
            )]
        })
        .unwrap_or_default()
}

/// "Replayed N records from FILES, START to END (H h); catalog as of DATE, prices in force on
/// DATE."
pub fn input_line(report: &Report) -> String {
    let i = &report.input;
    let what = if i.granularity_note.is_some() && i.buckets == 0 {
        format!(
            "{} requests (tokens from per-{} buckets)",
            fmt_int(i.records),
            i.granularity.as_str()
        )
    } else if i.granularity_note.is_some() {
        format!(
            "{} requests (expanded from {} per-{} buckets)",
            fmt_int(i.records),
            fmt_int(i.buckets),
            i.granularity.as_str()
        )
    } else {
        format!("{} records", fmt_int(i.records))
    };
    let mut line = format!(
        "Replayed {} from {} ({} to {}, {}); catalog as of {}",
        what,
        i.files.join(", "),
        i.start,
        i.end,
        fmt_hours(i.hours),
        report.catalog.as_of
    );
    if let Some(d) = &report.catalog.in_force_on {
        line.push_str(&format!(", prices and lifecycles on {d}"));
    }
    line += &count_clause("; ", i.skipped, "invalid rows skipped");
    line += &count_clause("; ", i.failed_requests, "non-2xx requests not billed");
    if let Some(note) = &i.granularity_note {
        line.push_str(&format!(". Note: {note}"));
    }
    line
}

/// A span for people: `720.0 h`, or minutes below an hour (`2 min`).
pub fn fmt_hours(hours: f64) -> String {
    crate::report::text::fmt_hours(hours)
}

/// "deployment (model @ region)".
pub fn workload_heading(w: &WorkloadPlan) -> String {
    format!("{} ({} @ {})", w.deployment, w.model, w.region)
}

/// `{sep}{n} {what}` (`n` with thousands separators), or nothing when `n` is 0.
fn count_clause(sep: &str, n: u64, what: &str) -> String {
    if n == 0 {
        return String::new();
    }
    format!("{sep}{} {what}", fmt_int(n))
}

/// One line of token facts for a workload.
pub fn workload_facts(w: &WorkloadPlan) -> String {
    let mut cache = format!("{} cached", fmt_pct(w.cached_share));
    cache += &count_clause(", ", w.cache_write_tokens, "cache writes");
    cache += &count_clause(", ", w.long_context_requests, "long-context requests");
    let reasoning = if w.reasoning_model {
        format!("{} reasoning", fmt_pct(w.reasoning_share))
    } else {
        "not a reasoning model".to_owned()
    };
    let mut s = format!(
        "{} requests; tokens: {} prompt ({cache}), {} completion ({reasoning}); peak minute {} weighted TPM, p99 {}",
        fmt_int(w.requests),
        fmt_int(w.prompt_tokens),
        fmt_int(w.completion_tokens),
        fmt_int(w.peak_minute_weighted_tpm.round() as u64),
        fmt_int(w.p99_minute_weighted_tpm.round() as u64),
    );
    if w.truncated_requests > 0 {
        s.push_str(&format!(
            "; {} answers emptied by reasoning cost {} USD",
            fmt_int(w.truncated_requests),
            fmt_usd(w.truncated_cost_usd)
        ));
    }
    s
}

/// The options not available to a workload, grouped by reason: "Not available, REASON: a, b".
pub fn unavailable_lines(w: &WorkloadPlan) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for o in w.options.iter().filter(|o| !o.available) {
        let reason = option_note(o);
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, ids)) => ids.push(o.id.clone()),
            None => groups.push((reason, vec![o.id.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(reason, ids)| {
            if reason.is_empty() {
                format!("Not available: {}", ids.join(", "))
            } else {
                format!("Not available, {reason}: {}", ids.join(", "))
            }
        })
        .collect()
}

/// The latency cell: the promised output speed (`>= 50 tok/s`), `none`, or Batch's 24 h; with
/// the spilled share that gets no promise and the usage-tier risk marked.
pub fn latency_cell(o: &OptionPlan) -> String {
    if !o.available {
        return String::new();
    }
    let l = &o.latency;
    let mut cell = match l.target_tokens_per_s {
        Some(x) => format!(">= {x:.0} tok/s"),
        None if o.deployment_type.is_batch() => "24 h turnaround".to_owned(),
        None => "no target".to_owned(),
    };
    if let Some(s) = l.spilled_share.filter(|s| *s > 0.0) {
        cell.push_str(&format!(" ({} spilled: no target)", fmt_pct(s)));
    }
    if l.usage_tier_risk.is_some() {
        cell.push_str("; >2x risk");
    }
    cell
}

/// One line per workload on latency: the log's own, and the model's usage tier.
pub fn latency_line(w: &WorkloadPlan) -> String {
    let logged =
        match &w.logged_latency {
            Some(l) => format!(
            "log: p50 {}, p95 {}, p50 {} output tokens/s end to end ({} request{} with a latency)",
            l.p50_ms.map_or("-".to_owned(), fmt_ms),
            l.p95_ms.map_or("-".to_owned(), fmt_ms),
            l.p50_output_tokens_per_s
                .map_or("-".to_owned(), |t| format!("{t:.0}")),
            fmt_int(l.requests_with_latency),
            if l.requests_with_latency == 1 { "" } else { "s" }
        ),
            None => "log: no latency logged".to_owned(),
        };
    let u = &w.usage_tier;
    let tier = match u.usage_tier_tokens_per_month {
        Some(t) => format!(
            "usage tier {:.2}B of {:.0}B tokens/month for {}{}",
            u.tenant_tokens_per_month / 1e9,
            t as f64 / 1e9,
            w.model,
            if u.above {
                " (above: Standard latency may be more than 2x)"
            } else {
                ""
            }
        ),
        None => format!(
            "usage tier: none published for {} ({:.2}B tokens/month)",
            w.model,
            u.tenant_tokens_per_month / 1e9
        ),
    };
    format!("latency: {logged}; {tier}")
}

pub(super) fn fmt_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// "0.0% / 3.1%": the failed and the spilled share of a provisioned option.
pub fn failed_spilled(o: &OptionPlan) -> String {
    match (o.throttled_share, o.spilled_share) {
        (Some(f), Some(s)) => format!("{} / {}", fmt_pct(f), fmt_pct(s)),
        _ => String::new(),
    }
}

/// What the sizing search says beyond the options and the decision, one sentence per
/// provisioned type: prompt-limit 400s, a smaller count that also meets the target, and how
/// far the target count moves across the window band.
pub fn sizing_notes(w: &WorkloadPlan) -> Vec<String> {
    let mut notes = Vec::new();
    for (t, s) in &w.sizing {
        if s.context_limit_requests > 0 {
            notes.push(format!(
                "{t}: {} request(s) exceed the PTU prompt limit of {} tokens and get HTTP 400 ({})",
                fmt_int(s.context_limit_requests),
                s.ptu_max_prompt_tokens.map_or_else(String::new, fmt_int),
                if s.on_throttle == "spillover" {
                    "spilled to Standard"
                } else {
                    "failed: no spillover"
                }
            ));
        }
        if s.burst_sensitive {
            let mut windows: Vec<(f64, String)> = s
                .min_ptus_for_target_by_window_s
                .iter()
                .map(|(k, v)| {
                    (
                        k.parse::<f64>().unwrap_or(0.0),
                        match v {
                            Some(n) => format!("{} at {k} s", fmt_int(u64::from(*n))),
                            None => format!("none found at {k} s"),
                        },
                    )
                })
                .collect();
            windows.sort_by(|a, b| a.0.total_cmp(&b.0));
            notes.push(format!(
                "{t}: the smallest count meeting the target depends on the unpublished burst allowance: {}",
                windows
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let (Some(min), Some(also)) = (s.min_ptus_for_target, s.also_meets_at) {
            notes.push(format!(
                "{t}: {} PTU also meets the target on this log, but some larger counts below {} do not (admission is not monotone on mixed request sizes)",
                fmt_int(u64::from(also)),
                fmt_int(u64::from(min))
            ));
        }
    }
    notes
}

/// The note cell: the reason first, then the note.
pub fn option_note(o: &OptionPlan) -> String {
    let mut parts = Vec::new();
    parts.extend(crate::report::text::reasons_text(&o.reason));
    parts.extend(crate::report::text::notes_text(&o.note));
    if o.available && o.ptus.is_some() && o.spilled_requests.unwrap_or(0) > 0 {
        parts.push(format!(
            "spillover {} USD",
            fmt_usd(o.spillover_cost_usd.unwrap_or(0.0))
        ));
    }
    parts.join("; ")
}

/// "Decided plan: N workloads, X USD/month (all-Standard: Y USD/month)." A plan where some
/// workloads have no decision says so first: its total covers only the others.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let with = s.workloads - s.workloads_without_recommendation;
    if with == 0 && s.workloads > 0 {
        return format!(
            "No decided plan: none of the {} workload(s) has an eligible option (see each workload's notes: not priced, unavailable or over the throttle target)",
            s.workloads
        );
    }
    let mut line = if s.workloads_without_recommendation > 0 {
        format!(
            "Decided plan INCOMPLETE: {} of {} workload(s) have no eligible option ({}); the {with} with one cost {} USD per month ({} USD over the span)",
            s.workloads_without_recommendation,
            s.workloads,
            without_recommendation(report).join(", "),
            fmt_usd(s.recommended_monthly_cost_usd),
            fmt_usd(s.recommended_cost_usd)
        )
    } else {
        format!(
            "Decided plan: {} workload(s), {} USD per month ({} USD over the span)",
            s.workloads,
            fmt_usd(s.recommended_monthly_cost_usd),
            fmt_usd(s.recommended_cost_usd)
        )
    };
    if let Some(std) = s.all_standard_monthly_cost_usd {
        line.push_str(&format!(
            "; cheapest Standard everywhere: {} USD per month",
            fmt_usd(std)
        ));
    }
    if let Some(d) = fmt_display(report.currency.as_ref(), s.recommended_monthly_cost_usd) {
        line.push_str(&format!(" = {d} per month"));
    }
    line
}

/// The deployments of the workloads without a recommendation, in report order.
pub fn without_recommendation(report: &Report) -> Vec<String> {
    report
        .workloads
        .iter()
        .filter(|w| w.decision.status == DecisionStatus::None)
        .map(|w| w.deployment.clone())
        .collect()
}
