//! The `regions` view: the table, Markdown and CSV renderings of a [`RegionsReport`] (its own
//! JSON contract, at the report's `schema_version`, in [`crate::report::contract::regions`]). Costs are USD; with a
//! display currency from `--overrides` the table and Markdown add a converted column and the
//! CSV a converted field.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::escape::{csv_cell, markdown as escape, terminal as terminal_escape};
use super::grid::{Grid, GridCell};
use super::layout::Terminal;
use super::{table, Format};
pub use crate::report::contract::regions::{RegionPlan, RegionsReport};
use crate::report::fmt_usd;
use crate::report::text::{billing_short, capitalize, type_short, UNVERIFIED};

/// Render in `format`.
pub fn render(report: &RegionsReport, format: Format, out: &mut dyn Write) -> io::Result<()> {
    render_for(report, format, &Terminal::default(), out)
}

/// Render `report` in `format`, tables laid out for `term`.
pub fn render_for(
    report: &RegionsReport,
    format: Format,
    term: &Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => super::json::write_value(report, out),
        Format::Csv => write_csv(report, out),
        Format::Markdown => write_markdown(report, out),
        Format::Table => write_table(report, term, out),
        Format::Focus => Err(io::Error::other(
            "the FOCUS export is for compare and report, not regions",
        )),
    }
}

fn header_lines(report: &RegionsReport) -> Vec<String> {
    let mut lines = vec![format!(
        "Catalog {} as of {}{}",
        report.catalog.origin,
        report.catalog.as_of,
        report
            .catalog
            .in_force_on
            .as_deref()
            .map(|d| format!(", prices in force on {d}"))
            .unwrap_or_default()
    )];
    if let Some(file) = &report.catalog.prices_file {
        lines.push(format!(
            "Prices from {file} (in force on {})",
            report.catalog.prices_as_of.as_deref().unwrap_or("?")
        ));
    }
    if let Some(r) = &report.residency {
        lines.push(format!(
            "Residency: {r} (options processing data outside are excluded)"
        ));
    }
    if let Some(c) = &report.currency {
        lines.push(format!(
            "Display currency: {} at {} per USD",
            c.code, c.per_usd
        ));
    }
    for o in &report.overrides_applied {
        lines.push(format!(
            "Override applied: {} {} [{}]",
            o.kind, o.description, o.at
        ));
    }
    lines.push(format!(
        "Callers in: {} ({})",
        report
            .from
            .as_deref()
            .unwrap_or("each workload's own region"),
        report.network
    ));
    lines.push(report.sizing.clone());
    lines
}

fn heading(w: &RegionPlan) -> String {
    let d = &w.decision;
    let decided = match (&d.option, d.ptus, d.monthly_cost_usd) {
        (Some(o), Some(n), Some(c)) => format!(
            "decision {o} at {n} PTU, {} USD/mo ({}; the row marked *)",
            fmt_usd(c),
            d.status.as_str()
        ),
        (Some(o), None, Some(c)) => format!(
            "decision {o}, {} USD/mo ({}; per-token, so no row below)",
            fmt_usd(c),
            d.status.as_str()
        ),
        _ => "no decision: no eligible option".to_owned(),
    };
    format!(
        "{} ({}, sized in {}): {decided}; {} options, {} region x type pairs excluded",
        w.deployment,
        w.model,
        w.region,
        w.rows.len(),
        w.excluded.len()
    )
}

/// When commitments rank above the decision, why they were not decided: the ranking prices every row at the run's window alone, the decision asks more.
fn undecided_note(w: &RegionPlan) -> Option<String> {
    let cost = w.decision.monthly_cost_usd?;
    let cheaper = w
        .rows
        .iter()
        .filter(|r| {
            // Cheaper by at least a cent: rows that print the decision's figure are not.
            !r.decided
                && r.billing != crate::plan::Billing::Hourly
                && r.monthly_cost_usd < cost - 0.005
        })
        .count();
    if cheaper == 0 {
        return None;
    }
    Some(format!(
        "{cheaper} commitment row(s) cost less than the decision at the run's window but were \
         not decided: a commitment must save at least the minimum saving at every window \
         of the burst band, on a log of the minimum span, with no retirement inside its term \
         (the decision's reasons: {}; `compare` says more)",
        w.decision
            .reasons
            .iter()
            .copied()
            .filter(|c| !matches!(
                *c,
                "flexible" | "commitment-holds" | "commitment" | "spills" | "break-even"
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn converted(report: &RegionsReport, usd: f64) -> Option<String> {
    report.currency.as_ref().map(|c| fmt_usd(c.from_usd(usd)))
}

fn cells(report: &RegionsReport, r: &crate::report::contract::regions::RegionRow) -> Vec<String> {
    let mut row = vec![
        if r.decided {
            format!("{} *", r.rank)
        } else {
            r.rank.to_string()
        },
        r.region.clone(),
        r.deployment_type.to_string(),
        r.billing.as_str().to_owned(),
        r.ptus.to_string(),
        fmt_usd(r.monthly_cost_usd),
    ];
    row.extend(converted(report, r.monthly_cost_usd));
    row.extend([
        r.processing.clone(),
        format!("{:.0}", r.latency_target_tokens_per_s),
        r.from
            .round_trip_ms
            .map_or("-".to_owned(), |m| m.to_string()),
        format!("{:.1}", r.from.transfer_gb_per_month),
        r.from
            .transfer_monthly_cost_usd
            .map_or("not priced".to_owned(), fmt_usd),
        if r.from.crosses_data_zone {
            "yes"
        } else {
            "no"
        }
        .to_owned(),
        r.sizing_basis.to_owned(),
        r.price_basis.clone(),
        r.note.clone().unwrap_or_default(),
    ]);
    row
}

fn headers(report: &RegionsReport) -> (Vec<String>, Vec<usize>) {
    let mut h: Vec<String> = ["#", "Region", "Type", "Term", "PTUs", "Cost [USD/mo]"]
        .map(str::to_owned)
        .to_vec();
    let mut right = vec![0, 4, 5];
    if let Some(c) = &report.currency {
        h.push(format!("Cost [{}/mo]", c.code));
        right.push(6);
    }
    h.extend(
        [
            "Processing",
            "Latency target [tok/s]",
            "RTT from [ms]",
            "Transfer [GB/mo]",
            "Transfer [USD/mo]",
            "Leaves data zone",
            "Sizing",
            "Price",
            "Note",
        ]
        .map(str::to_owned),
    );
    let n = h.len();
    right.extend([n - 8, n - 7, n - 6, n - 5]);
    (h, right)
}

fn write_table(report: &RegionsReport, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    for line in header_lines(report) {
        for l in super::layout::wrap(&terminal_escape(&line), term.width.saturating_sub(2)) {
            writeln!(out, "{l}")?;
        }
    }
    let (h, right) = headers(report);
    // Two-line headers, and what gives way first when the terminal is narrow: the columns
    // that repeat the header lines or matter least here go (named under the table), the
    // rest folds into the note.
    let header: Vec<String> = h
        .iter()
        .map(|name| match name.as_str() {
            "Cost [USD/mo]" => "Cost\n[USD/mo]".to_owned(),
            "Latency target [tok/s]" => "Latency\n[tok/s]".to_owned(),
            "RTT from [ms]" => "RTT\n[ms]".to_owned(),
            "Transfer [GB/mo]" => "Transfer\n[GB/mo]".to_owned(),
            "Transfer [USD/mo]" => "Transfer\n[USD/mo]".to_owned(),
            "Leaves data zone" => "Leaves\nzone".to_owned(),
            other => other.replacen(" [", "\n[", 1),
        })
        .collect();
    for w in &report.workloads {
        writeln!(out)?;
        table::write_wrapped(out, term, "", 2, &heading(w))?;
        if let Some(note) = undecided_note(w) {
            table::write_wrapped(out, term, "", 2, &note)?;
        }
        let mut t = Grid::new(&header, &right).with_line_breaks();
        let col = |name: &str| h.iter().position(|x| x == name);
        let steps: [(&str, Option<&str>); 8] = [
            ("Sizing", None),
            ("Transfer [USD/mo]", None),
            ("Processing", None),
            ("Price", None),
            ("Transfer [GB/mo]", None),
            ("Leaves data zone", Some("leaves data zone")),
            ("Latency target [tok/s]", Some("latency target tok/s")),
            ("RTT from [ms]", Some("RTT ms")),
        ];
        if let Some(note) = col("Note") {
            t.wrap(note, 16);
        }
        // Sizing and the transfer price go first (ranks 0, 1), then names shorten (2), then
        // the rest folds into the note (3...).
        for (rank, (name, fold)) in steps.iter().enumerate() {
            if let Some(c) = col(name) {
                t.droppable(c, if rank < 2 { rank as u8 } else { rank as u8 + 1 }, *fold);
            }
        }
        t.shorten(2, 2).shorten(3, 2);
        for r in &w.rows {
            let mut cells: Vec<GridCell> =
                cells(report, r).into_iter().map(GridCell::plain).collect();
            cells[2] = GridCell::plain(r.deployment_type.to_string())
                .with_short(type_short(r.deployment_type));
            cells[3] = GridCell::plain(r.billing.as_str()).with_short(billing_short(r.billing));
            t.push(cells);
        }
        writeln!(out, "{}", table::draw(&t, term))?;
    }
    if mentions_unverified(report) {
        writeln!(out)?;
        table::write_wrapped(out, term, "", 2, &capitalize(UNVERIFIED))?;
    }
    Ok(())
}

/// Whether a row or a header line of `report` says "unverified" (then its meaning is said).
fn mentions_unverified(report: &RegionsReport) -> bool {
    let says = |t: &str| t.contains("unverified");
    header_lines(report).iter().any(|l| says(l))
        || report.workloads.iter().flat_map(|w| &w.rows).any(|r| {
            r.note.as_deref().is_some_and(says) || says(&r.price_basis) || says(&r.sizing_basis)
        })
}

fn write_markdown(report: &RegionsReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# ptuplan regions")?;
    writeln!(out)?;
    for line in header_lines(report) {
        writeln!(out, "- {}", escape(&line))?;
    }
    let (h, right) = headers(report);
    for w in &report.workloads {
        writeln!(out)?;
        writeln!(out, "## {}", escape(&heading(w)))?;
        writeln!(out)?;
        if let Some(note) = undecided_note(w) {
            writeln!(out, "{}", escape(&note))?;
            writeln!(out)?;
        }
        writeln!(out, "| {} |", h.join(" | "))?;
        let align: Vec<&str> = (0..h.len())
            .map(|i| if right.contains(&i) { "---:" } else { "---" })
            .collect();
        writeln!(out, "|{}|", align.join("|"))?;
        for r in &w.rows {
            let c: Vec<String> = cells(report, r).iter().map(|s| escape(s)).collect();
            writeln!(out, "| {} |", c.join(" | "))?;
        }
    }
    if mentions_unverified(report) {
        writeln!(out)?;
        writeln!(out, "{}", escape(&capitalize(UNVERIFIED)))?;
    }
    Ok(())
}

/// One CSV row. Columns are a contract: add at the end, never rename.
#[derive(Serialize)]
struct CsvRow<'a> {
    deployment: Cow<'a, str>,
    model: Cow<'a, str>,
    workload_region: Cow<'a, str>,
    rank: usize,
    region: Cow<'a, str>,
    deployment_type: &'a str,
    billing: &'a str,
    ptus: u32,
    sizing_basis: &'a str,
    monthly_cost_usd: f64,
    usd_per_ptu_month: f64,
    processing: Cow<'a, str>,
    latency_target_tokens_per_s: f64,
    price_basis: Cow<'a, str>,
    price_as_of: &'a str,
    note: Cow<'a, str>,
    residency: &'a str,
    currency: &'a str,
    monthly_cost_display: Option<f64>,
    overrides_applied: usize,
    spillover_monthly_cost_usd: f64,
    from_region: &'a str,
    round_trip_ms: Option<u32>,
    transfer_gb_per_month: f64,
    transfer_monthly_cost_usd: Option<f64>,
    crosses_data_zone: bool,
    from_note: &'a str,
    decided: bool,
}

fn write_csv(report: &RegionsReport, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    for p in &report.workloads {
        for r in &p.rows {
            w.serialize(CsvRow {
                deployment: csv_cell(&p.deployment),
                model: csv_cell(&p.model),
                workload_region: csv_cell(&p.region),
                rank: r.rank,
                region: csv_cell(&r.region),
                deployment_type: r.deployment_type.as_str(),
                billing: r.billing.as_str(),
                ptus: r.ptus,
                sizing_basis: &r.sizing_basis,
                monthly_cost_usd: round2(r.monthly_cost_usd),
                usd_per_ptu_month: round2(r.usd_per_ptu_month),
                processing: csv_cell(&r.processing),
                latency_target_tokens_per_s: r.latency_target_tokens_per_s,
                price_basis: csv_cell(&r.price_basis),
                price_as_of: &r.price_as_of,
                note: csv_cell(r.note.as_deref().unwrap_or("")),
                residency: report.residency.as_deref().unwrap_or(""),
                currency: report.currency.as_ref().map_or("", |c| c.code.as_str()),
                monthly_cost_display: report
                    .currency
                    .as_ref()
                    .map(|c| round2(c.from_usd(r.monthly_cost_usd))),
                overrides_applied: report.overrides_applied.len(),
                spillover_monthly_cost_usd: round2(r.spillover_monthly_cost_usd),
                from_region: &r.from.region,
                round_trip_ms: r.from.round_trip_ms,
                transfer_gb_per_month: (r.from.transfer_gb_per_month * 1000.0).round() / 1000.0,
                transfer_monthly_cost_usd: r.from.transfer_monthly_cost_usd.map(round2),
                crosses_data_zone: r.from.crosses_data_zone,
                from_note: &r.from.note,
                decided: r.decided,
            })
            .map_err(io::Error::other)?;
        }
    }
    w.flush()
}
