//! Terminal tables: one per workload (option, billing, PTUs, costs, throttling, note), the
//! recommendation marked with `>>`, then a summary line. All tables come from [`new`], whose
//! [`TerminalTable`] escapes every cell for the terminal ([`super::escape::terminal`]); every
//! other line written here goes through the same helper.

use std::fmt;
use std::io::{self, IsTerminal, Write};

use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

use super::escape::terminal;
use super::{fmt_display, fmt_int, fmt_pct, fmt_usd, provenance_lines, Report};
use crate::plan::{OptionPlan, WorkloadPlan};

/// A table for the terminal: every cell is escaped with [`terminal`] on the way in, so a name
/// holding escape sequences or line breaks is shown, never interpreted.
pub struct TerminalTable(Table);

impl TerminalTable {
    /// Add a row of cells.
    pub fn add_row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let row: Vec<String> = cells
            .into_iter()
            .map(|c| terminal(c.as_ref()).into_owned())
            .collect();
        self.0.add_row(row);
    }
}

impl fmt::Display for TerminalTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Write one line of text for the terminal, escaped like a table cell.
pub fn write_line(out: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(out, "{}", terminal(text))
}

/// The one table factory: preset, width and alignment shared by every table.
pub fn new(header: &[&str], right_aligned: &[usize]) -> TerminalTable {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    let tty = !super::writing_to_file()
        && io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    if tty {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.force_no_tty();
    }
    table.set_header(header.to_vec());
    for &i in right_aligned {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    TerminalTable(table)
}

/// Write the report as tables.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_line(out, &input_line(report))?;
    for text in provenance_lines(report) {
        write_line(out, &text)?;
    }
    for w in &report.workloads {
        writeln!(out)?;
        write_line(out, &workload_heading(w))?;
        write_line(out, &workload_facts(w))?;
        write_line(out, &latency_line(w))?;
        writeln!(out, "{}", options_table(w))?;
        for note in sizing_notes(w) {
            write_line(out, &note)?;
        }
    }
    if !report.reservations.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "PTU reservations pooled per region and type (if every workload used that type):"
        )?;
        writeln!(out, "{}", reservations_table(report))?;
    }
    writeln!(out)?;
    write_line(out, &summary_line(report))?;
    write_sections(&super::scenario::sections(report), out)?;
    for warning in &report.warnings {
        write_line(out, &format!("warning: {warning}"))?;
    }
    Ok(())
}

/// Write report sections (the what-if scenarios) as headings, tables and lines.
pub fn write_sections(
    sections: &[super::scenario::Section],
    out: &mut dyn Write,
) -> io::Result<()> {
    for s in sections {
        writeln!(out)?;
        write_line(out, &s.heading)?;
        for line in &s.intro {
            write_line(out, line)?;
        }
        if !s.rows.is_empty() {
            let mut table = new(&s.headers, &s.right_aligned);
            for row in &s.rows {
                table.add_row(row.clone());
            }
            writeln!(out, "{table}")?;
        }
        for line in &s.notes {
            write_line(out, &format!("  {line}"))?;
        }
    }
    Ok(())
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
    if i.skipped > 0 {
        line.push_str(&format!("; {} invalid rows skipped", fmt_int(i.skipped)));
    }
    if i.failed_requests > 0 {
        line.push_str(&format!(
            "; {} non-2xx requests not billed",
            fmt_int(i.failed_requests)
        ));
    }
    if let Some(note) = &i.granularity_note {
        line.push_str(&format!(". Note: {note}"));
    }
    line
}

/// A span for people: `720.0 h`, or minutes below an hour (`2 min`).
pub fn fmt_hours(hours: f64) -> String {
    if hours < 1.0 {
        format!("{:.0} min", hours * 60.0)
    } else {
        format!("{hours:.1} h")
    }
}

/// "deployment (model @ region)".
pub fn workload_heading(w: &WorkloadPlan) -> String {
    format!("{} ({} @ {})", w.deployment, w.model, w.region)
}

/// One line of token facts for a workload.
pub fn workload_facts(w: &WorkloadPlan) -> String {
    let mut cache = format!("{} cached", fmt_pct(w.cached_share));
    if w.cache_write_tokens > 0 {
        cache.push_str(&format!(", {} cache writes", fmt_int(w.cache_write_tokens)));
    }
    if w.long_context_requests > 0 {
        cache.push_str(&format!(
            ", {} long-context requests",
            fmt_int(w.long_context_requests)
        ));
    }
    let mut s = format!(
        "{} requests; tokens: {} prompt ({cache}), {} completion ({} reasoning, {}); peak minute {} weighted TPM, p99 {}",
        fmt_int(w.requests),
        fmt_int(w.prompt_tokens),
        fmt_int(w.completion_tokens),
        fmt_pct(w.reasoning_share),
        if w.reasoning_model { "reasoning model" } else { "no reasoning" },
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

fn options_table(w: &WorkloadPlan) -> TerminalTable {
    let mut table = new(
        &[
            "",
            "Option",
            "Billing",
            "PTUs",
            "Cost [USD/span]",
            "Cost [USD/mo]",
            "Failed/spilled",
            "Latency",
            "Note",
        ],
        &[3, 4, 5, 6],
    );
    for o in &w.options {
        let marker = if w.recommended.as_deref() == Some(o.id.as_str()) {
            ">>"
        } else {
            ""
        };
        table.add_row(vec![
            marker.to_owned(),
            o.deployment_type.to_string(),
            o.billing.as_str().to_owned(),
            o.ptus.map(|p| p.to_string()).unwrap_or_default(),
            o.cost_usd.map(fmt_usd).unwrap_or_else(|| "-".to_owned()),
            o.monthly_cost_usd
                .map(fmt_usd)
                .unwrap_or_else(|| "-".to_owned()),
            failed_spilled(o),
            latency_cell(o),
            option_note(o),
        ]);
    }
    table
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
        cell.push_str(&format!(" ({} spilled: none)", fmt_pct(s)));
    }
    if l.usage_tier_risk.is_some() {
        cell.push_str("; >2x risk");
    }
    cell
}

/// One line per workload on latency: the log's own, and the model's usage tier.
pub fn latency_line(w: &WorkloadPlan) -> String {
    let logged = match &w.logged_latency {
        Some(l) => format!(
            "log: p50 {}, p95 {}, p50 {} output tokens/s end to end ({} requests with a latency)",
            l.p50_ms.map_or("-".to_owned(), fmt_ms),
            l.p95_ms.map_or("-".to_owned(), fmt_ms),
            l.p50_output_tokens_per_s
                .map_or("-".to_owned(), |t| format!("{t:.0}")),
            fmt_int(l.requests_with_latency)
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

fn fmt_ms(ms: f64) -> String {
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

/// What the sizing search says beyond the table, one sentence per provisioned type: the
/// burst sensitivity across the window band, prompt-limit 400s, and a smaller count that also
/// meets the target.
pub fn sizing_notes(w: &WorkloadPlan) -> Vec<String> {
    let mut notes = Vec::new();
    for (t, s) in &w.sizing {
        if s.burst_sensitive {
            // Keys are seconds as text: order them as numbers.
            let mut windows: Vec<(f64, &String, Option<u32>)> = s
                .min_ptus_for_target_by_window_s
                .iter()
                .map(|(k, v)| (k.parse::<f64>().unwrap_or(0.0), k, *v))
                .collect();
            windows.sort_by(|a, b| a.0.total_cmp(&b.0));
            let counts: Vec<u32> = windows.iter().filter_map(|w| w.2).collect();
            let (lo, hi) = (
                counts.iter().min().copied().unwrap_or(0),
                counts.iter().max().copied().unwrap_or(0),
            );
            let each: Vec<String> = windows
                .iter()
                .map(|(_, k, v)| match v {
                    Some(n) => format!("{} at {k} s", fmt_int(u64::from(*n))),
                    None => format!("none found at {k} s"),
                })
                .collect();
            notes.push(format!(
                "burst-sensitive: {t} needs {} to {} PTU depending on the unpublished burst allowance ({}; --bucket-window-s sets it, ptuplan calibrate fits it to a real deployment's log)",
                fmt_int(u64::from(lo)),
                fmt_int(u64::from(hi)),
                each.join(", ")
            ));
        }
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

fn reservations_table(report: &Report) -> TerminalTable {
    let mut table = new(
        &[
            "Region",
            "Type",
            "Term",
            "Deployed PTUs",
            "Reserved PTUs",
            "Excess [PTU-h]",
            "Unused [PTU-h]",
            "Cost [USD/mo]",
            "All hourly [USD/mo]",
        ],
        &[3, 4, 5, 6, 7, 8],
    );
    for p in &report.reservations {
        table.add_row(vec![
            p.region.clone(),
            p.deployment_type.to_string(),
            p.term.as_str().to_owned(),
            p.deployed_ptus.to_string(),
            p.reserved_ptus.to_string(),
            fmt_int(p.excess_ptu_hours_billed_hourly.round() as u64),
            fmt_int(p.unused_reserved_ptu_hours.round() as u64),
            fmt_usd(p.monthly_cost_usd),
            fmt_usd(p.all_hourly_monthly_cost_usd),
        ]);
    }
    table
}

/// The note cell: the reason first, then the note.
pub fn option_note(o: &OptionPlan) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &o.reason {
        parts.push(r.clone());
    }
    if let Some(n) = &o.note {
        parts.push(n.clone());
    }
    if o.available && o.ptus.is_some() && o.spilled_requests.unwrap_or(0) > 0 {
        parts.push(format!(
            "spillover {} USD",
            fmt_usd(o.spillover_cost_usd.unwrap_or(0.0))
        ));
    }
    parts.join("; ")
}

/// "Recommended: N workloads, X USD/month (all-Standard: Y USD/month)." A plan where some
/// workloads have no recommendation says so first: its total covers only the others.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let with = s.workloads - s.workloads_without_recommendation;
    if with == 0 && s.workloads > 0 {
        return format!(
            "No recommended plan: none of the {} workload(s) has an eligible option (see each workload's notes: not priced, unavailable or over the throttle target)",
            s.workloads
        );
    }
    let mut line = if s.workloads_without_recommendation > 0 {
        format!(
            "Recommended plan INCOMPLETE: {} of {} workload(s) have no eligible option; the {with} with one cost {} USD per month ({} USD over the span)",
            s.workloads_without_recommendation,
            s.workloads,
            fmt_usd(s.recommended_monthly_cost_usd),
            fmt_usd(s.recommended_cost_usd)
        )
    } else {
        format!(
            "Recommended plan: {} workload(s), {} USD per month ({} USD over the span)",
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
