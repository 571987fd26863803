//! One self-contained HTML page: inline CSS, the charts as inline SVG, no scripts and no
//! external requests (a Content-Security-Policy forbids any). It prints cleanly to PDF: a print
//! stylesheet sets A4 landscape pages (the option tables are wide), keeps charts, rows and
//! explanations whole, and opens the folded option tables (`tests/browser.rs` checks both in
//! headless Chromium). Written for a reader who has never used ptuplan: every table and chart
//! says in a sentence or two what it shows. Every string from the input is escaped with
//! [`super::escape::html`].

use std::io::{self, Write};

use super::chart::{ChartKind, ChartSpec};
use super::escape::html as escape;
use super::grid::Grid;
use super::summary::summary_grid;
use super::table::{
    band_lines, failed_spilled, input_line, latency_cell, latency_line, option_note, quota_lines,
    sizing_notes, summary_line, workload_facts, workload_heading,
};
use super::Extras;
use crate::plan::WorkloadPlan;
use crate::render::diff::table::{rows as diff_rows, total_line, HEADERS as DIFF_HEADERS};
use crate::report::{fmt_int, fmt_pct, fmt_usd, Report};

/// A chart drawn as SVG, ready to inline.
#[derive(Debug, Clone)]
pub struct InlineChart {
    /// Which chart.
    pub spec: ChartSpec,
    /// The SVG document.
    pub svg: String,
}

const CSS: &str = "
body{font-family:-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#212529;background:#f8f9fa;margin:0;line-height:1.5}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.8em;margin:0.2em 0}h2{margin-top:2em;border-bottom:1px solid #dee2e6;padding-bottom:4px}
h3{margin-top:1.6em}.lead{font-size:1.1em;color:#495057}.explain{color:#495057;max-width:900px}
table{border-collapse:collapse;margin:12px 0;font-size:0.92em}
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.rec td{background:#e6f6f0;font-weight:600}.warn{background:#fff3cd;border-left:4px solid #e69f00;padding:8px 12px}
.breach{background:#fde2d6;border-left:4px solid #d55e00;padding:8px 12px}.pass{background:#e6f6f0;border-left:4px solid #009e73;padding:8px 12px}
figure{margin:16px 0 28px}figure svg{width:100%;height:auto;max-width:1100px;border:1px solid #e9ecef}
figcaption{color:#495057;max-width:900px;font-size:0.95em}dt{font-weight:600}dd{margin:0 0 8px 16px}
footer{margin-top:3em;color:#6c757d;font-size:0.9em}code{background:#f1f3f5;padding:0 3px}
ul.decision li{margin:2px 0}.verdict{font-size:1.15em;font-weight:600;background:#e6f6f0;border-left:4px solid #009e73;padding:8px 12px}
@page{size:A4 landscape;margin:12mm}
@media print{
body{background:#fff;line-height:1.35;font-size:10pt}main{max-width:none;padding:0}
h2{break-after:avoid;margin-top:1.2em}h3{break-after:avoid}
figure,ul.decision,.warn,.breach,.pass,tr,dt,dd{break-inside:avoid}
figure svg{border:none;max-width:100%}figcaption{font-size:9pt}
table{font-size:8pt}td,th{padding:2px 4px;overflow-wrap:break-word}td.num{white-space:nowrap}
details summary{font-weight:600}details::details-content{content-visibility:visible;display:contents}
}
";

/// The page may load nothing from anywhere: styles are inline, charts are inline SVG, images
/// would be `data:`. A browser enforces it, so a report can never make a network request.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Write the page.
pub fn write(
    report: &Report,
    extras: &Extras<'_>,
    charts: &[InlineChart],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    )?;
    writeln!(
        out,
        "<title>ptuplan: Azure OpenAI deployment cost report</title>"
    )?;
    writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>")?;
    writeln!(out, "<h1>Azure OpenAI deployment cost report</h1>")?;
    writeln!(
        out,
        "<p class=\"verdict\">{}</p>",
        escape(&report.decision_summary.verdict)
    )?;
    writeln!(
        out,
        "<p class=\"lead\">This report replays recorded Azure OpenAI requests against every way the same \
         models can be deployed: pay-per-token (Standard and Batch) and provisioned throughput \
         (PTU, paid per hour or reserved), and shows what each would have cost, how many PTUs \
         each would need, and how often it would have been throttled. It was produced by \
         <code>ptuplan</code> from the logs below; nothing was sent to Azure.</p>"
    )?;
    writeln!(out, "<p>{}</p>", escape(&input_line(report)))?;
    write_verdicts(extras, out)?;
    if let Some(diff) = extras.diff {
        write_diff(diff, out)?;
    }
    write_summary(report, out)?;
    if let Some(note) = &extras.charts_note {
        writeln!(out, "<p class=\"note\">{}</p>", escape(note))?;
    }
    write_chart(charts, ChartKind::Tokens, None, out)?;
    write_forecast(report, charts, out)?;
    write_sections(&crate::report::scenario::sections(report), charts, out)?;
    for (i, w) in report.workloads.iter().enumerate() {
        writeln!(out, "<h2>{}</h2>", escape(&workload_heading(w)))?;
        writeln!(out, "<p>{}</p>", escape(&workload_facts(w)))?;
        writeln!(out, "<p>{}</p>", escape(&latency_line(w)))?;
        write_decision(w, out)?;
        for kind in [
            ChartKind::Band,
            ChartKind::Cost,
            ChartKind::Demand,
            ChartKind::Curve,
            ChartKind::Heatmap,
        ] {
            write_chart(charts, kind, Some(i), out)?;
        }
        write_options(report, i, out)?;
    }
    write_glossary(report, out)?;
    writeln!(out, "<footer>Generated by {}", escape(&report.tool))?;
    if let Some(at) = &report.generated_at {
        write!(out, " at {}", escape(at))?;
    }
    writeln!(
        out,
        "; catalog {} as of {}{}. Prices and capacity figures are indicative: check them against \
         the Azure pricing page before you buy.</footer>",
        escape(&report.catalog.origin),
        escape(&report.catalog.as_of),
        report
            .catalog
            .in_force_on
            .as_deref()
            .map(|d| format!(", prices and lifecycles on {}", escape(d)))
            .unwrap_or_default()
    )?;
    writeln!(out, "</main>\n</body>\n</html>")
}

fn write_verdicts(extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    if extras.verdicts.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>Budget rules</h2>")?;
    writeln!(
        out,
        "<p class=\"explain\">Rules given with <code>--fail-on</code>. A breached rule makes \
         the run exit with status 3 so that a CI job fails.</p>"
    )?;
    for v in extras.verdicts {
        let class = if v.breached { "breach" } else { "pass" };
        writeln!(out, "<p class=\"{class}\">{}</p>", escape(&v.message()))?;
    }
    Ok(())
}

fn write_diff(diff: &crate::report::diff::ReportDiff, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<h2>Changes against the baseline</h2>")?;
    writeln!(
        out,
        "<p class=\"explain\">Each row compares a workload's decided option and its monthly \
         cost in the baseline report (<code>{}</code>) with this one. Workloads are matched by \
         deployment, model and region.</p>",
        escape(&diff.base)
    )?;
    writeln!(out, "<p><strong>{}</strong></p>", escape(&total_line(diff)))?;
    if let Some(w) = crate::report::diff::settings::warning(&diff.settings_changes) {
        writeln!(out, "<p class=\"warn\">Warning: {}</p>", escape(&w))?;
    }
    table(
        out,
        &DIFF_HEADERS,
        &[6, 7, 8, 9, 10],
        &diff_rows(diff),
        None,
    )
}

fn write_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<h2>Summary</h2>")?;
    writeln!(
        out,
        "<p class=\"explain\">One row per workload (a deployment name, model and region found \
         in the logs) with its decision. The <em>flexible</em> option is the cheapest one that \
         can be changed at any time (pay-per-token, or PTUs billed by the hour), available for \
         the model in that region and failing at most {} of requests. A reservation is decided \
         only when it saves at least {} against the flexible option at every bucket window of \
         {} (Azure publishes no burst allowance, so the log cannot tell which applies) and the \
         log covers at least {} days of per-request records or per-minute buckets (hourly or \
         daily totals hide the bursts a reservation is sized for); otherwise the flexible \
         option is decided and a reservation is shown as a what-if. Costs are scaled to a {}-hour month. Each \
         workload's section below says why.</p>",
        fmt_pct(report.assumptions.plan.max_throttle_rate),
        fmt_pct(report.assumptions.plan.decision.min_saving),
        crate::report::text::band_text(band_of(report)),
        report.assumptions.plan.decision.min_span_days,
        report.assumptions.hours_per_month
    )?;
    write_grid(out, &summary_grid(report), None)?;
    writeln!(
        out,
        "<p><strong>{}</strong></p>",
        escape(&summary_line(report))
    )?;
    for w in &report.warnings {
        writeln!(out, "<p class=\"warn\">Warning: {}</p>", escape(w))?;
    }
    Ok(())
}

/// The band of the run: its smallest and largest window.
fn band_of(report: &Report) -> (f64, f64) {
    let a = &report.assumptions.sim;
    let all = a
        .window_band_s
        .iter()
        .chain(std::iter::once(&a.bucket_window_s));
    (
        all.clone().copied().fold(f64::INFINITY, f64::min),
        all.copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

/// Why the workload's decision is what it is, as a list.
fn write_decision(w: &WorkloadPlan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<h3>Why</h3>\n<ul class=\"decision\">")?;
    for line in crate::report::text::why_lines(w)
        .into_iter()
        .chain(band_lines(w))
        .chain(quota_lines(w))
    {
        writeln!(out, "<li>{}</li>", escape(&line))?;
    }
    writeln!(out, "</ul>")
}

fn write_chart(
    charts: &[InlineChart],
    kind: ChartKind,
    workload: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(c) = charts
        .iter()
        .find(|c| c.spec.kind == kind && c.spec.workload == workload)
    else {
        return Ok(());
    };
    if kind == ChartKind::Tokens {
        writeln!(out, "<h2>Token mix</h2>")?;
    }
    writeln!(out, "<figure>")?;
    // plotters escapes text inside the SVG; the document is inlined as is.
    writeln!(out, "{}", c.svg.trim())?;
    writeln!(
        out,
        "<figcaption>{}</figcaption>",
        escape(kind.explanation())
    )?;
    writeln!(out, "</figure>")
}

fn write_options(report: &Report, i: usize, out: &mut dyn Write) -> io::Result<()> {
    let w = &report.workloads[i];
    writeln!(
        out,
        "<details><summary>All {} options</summary>",
        w.options.len()
    )?;
    writeln!(
        out,
        "<p class=\"explain\">Every deployment option for this workload. Cost over the span is \
         what the logged traffic would have cost; the monthly cost scales it to {} hours. \
         \"Failed/spilled\" gives, for a PTU deployment of that size, the share of requests \
         that would have failed (HTTP 429, or 400 for a prompt above the PTU limit, with no \
         spillover) and the share passed on to pay-per-token by spillover. \"Latency\" is the \
         output speed the option promises (PTU and Priority publish one per model; Standard, \
         Flex and Batch promise none), the spilled share that gets no promise, and \">2x risk\" \
         when the model's monthly tokens exceed its usage tier. The highlighted row is the \
         decision.</p>",
        report.assumptions.hours_per_month
    )?;
    let rows: Vec<Vec<String>> = w
        .options
        .iter()
        .map(|o| {
            vec![
                o.id.clone(),
                o.billing.as_str().to_owned(),
                o.processing.clone(),
                o.ptus.map_or(String::new(), |p| fmt_int(u64::from(p))),
                o.cost_usd.map_or("-".to_owned(), fmt_usd),
                o.monthly_cost_usd.map_or("-".to_owned(), fmt_usd),
                failed_spilled(o),
                latency_cell(o),
                option_note(o),
            ]
        })
        .collect();
    let rec = w
        .decision
        .option
        .as_ref()
        .and_then(|d| w.options.iter().position(|o| o.id == d.option_id));
    table(
        out,
        &[
            "Option",
            "Billing",
            "Processing",
            "PTUs",
            "Cost [USD/span]",
            "Cost [USD/mo]",
            "Failed/spilled",
            "Latency",
            "Note",
        ],
        &[3, 4, 5, 6],
        &rows,
        rec,
    )?;
    for note in sizing_notes(w) {
        writeln!(out, "<p class=\"explain\">{}</p>", escape(&note))?;
    }
    writeln!(out, "</details>")
}

/// The forecast sections: the summary, then each workload's months.
fn write_forecast(report: &Report, charts: &[InlineChart], out: &mut dyn Write) -> io::Result<()> {
    let _ = charts;
    for s in crate::report::forecast::sections(report) {
        writeln!(out, "<h2>{}</h2>", escape(&s.heading))?;
        for line in &s.intro {
            writeln!(out, "<p class=\"explain\">{}</p>", escape(line))?;
        }
        if !s.rows.is_empty() {
            write_grid(out, &Grid::from(&s), None)?;
        }
        for n in &s.notes {
            writeln!(out, "<p class=\"explain\">{}</p>", escape(n))?;
        }
    }
    Ok(())
}

/// The what-if sections: each a heading, sentences, a table and a list; the scenario chart
/// after the first (the side-by-side table).
fn write_sections(
    sections: &[crate::report::scenario::Section],
    charts: &[InlineChart],
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, s) in sections.iter().enumerate() {
        writeln!(out, "<h2>{}</h2>", escape(&s.heading))?;
        for line in &s.intro {
            writeln!(out, "<p class=\"explain\">{}</p>", escape(line))?;
        }
        if !s.rows.is_empty() {
            write_grid(out, &Grid::from(s), None)?;
        }
        if !s.notes.is_empty() {
            writeln!(out, "<ul>")?;
            for n in &s.notes {
                writeln!(out, "<li>{}</li>", escape(n))?;
            }
            writeln!(out, "</ul>")?;
        }
        if i == 0 {
            write_chart(charts, ChartKind::Scenarios, None, out)?;
        }
    }
    if !sections.is_empty() {
        write_chart(charts, ChartKind::Ladder, None, out)?;
    }
    Ok(())
}

/// A table of plain cells (the options table; its rows are built here).
fn table(
    out: &mut dyn Write,
    headers: &[&'static str],
    numeric: &[usize],
    rows: &[Vec<String>],
    highlight: Option<usize>,
) -> io::Result<()> {
    let mut grid = Grid::new(headers, numeric);
    for row in rows {
        grid.push_texts(row);
    }
    write_grid(out, &grid, highlight)
}

/// A table: every cell's text escaped (HTML sets nothing off); `highlight` is the decided
/// row (class `rec`).
fn write_grid(out: &mut dyn Write, grid: &Grid, highlight: Option<usize>) -> io::Result<()> {
    let (headers, numeric, rows) = (&grid.headers, &grid.right_aligned, &grid.rows);
    writeln!(out, "<table>\n<thead><tr>")?;
    for h in headers {
        write!(out, "<th>{}</th>", escape(h))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for (r, row) in rows.iter().enumerate() {
        let class = if highlight == Some(r) {
            " class=\"rec\""
        } else {
            ""
        };
        write!(out, "<tr{class}>")?;
        for (i, cell) in row.iter().enumerate() {
            let cls = if numeric.contains(&i) {
                " class=\"num\""
            } else {
                ""
            };
            write!(out, "<td{cls}>{}</td>", escape(&cell.full_text()))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")
}

fn write_glossary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let a = &report.assumptions;
    writeln!(out, "<h2>Terms and assumptions</h2>\n<dl>")?;
    let terms = [
        ("PTU", "Provisioned throughput unit: reserved model capacity billed per hour (or through a 1-month or 1-year reservation) whether it is used or not.".to_owned()),
        ("Pay-per-token (Standard, Batch)", "Billed per input, cached-input and output token. Batch costs half but answers within 24 hours, so it is only recommended with --batch-eligible.".to_owned()),
        ("Flexible option", "The cheapest option without a commitment (pay-per-token, or PTUs billed by the hour) that meets the same targets. Every decision is compared with it.".to_owned()),
        ("Decision status", format!("firm: the decision stands; provisional: the log covers less than {} days (a weekly cycle), or its inputs are totals per hour or per day (which hide the bursts a reservation is sized for), so nothing is committed and a reservation is only a what-if; none: no option is eligible.", a.plan.decision.min_span_days)),
        ("Window band", format!("Azure publishes no burst allowance (how many seconds of capacity a PTU deployment may use at once). Every option is planned at each window of {} s; a reservation is decided only when it saves at least {} against the flexible option at every one. ptuplan calibrate fits the window to a log of a real PTU deployment.", band_windows(a), fmt_pct(a.plan.decision.min_saving))),
        ("Unverified", crate::report::text::capitalize(crate::report::text::UNVERIFIED.trim_start_matches("unverified: "))),
        ("Weighted TPM", "Tokens per minute as PTU capacity counts them: input tokens plus output tokens multiplied by the model's output-to-input ratio.".to_owned()),
        ("Failed / spilled", format!("A request a PTU deployment cannot admit is answered with HTTP 429 (and one whose prompt exceeds the PTU limit with 400); depending on the type it then fails, is retried, or spills over to a pay-per-token deployment. Options that fail more than {} are not recommended.", fmt_pct(a.plan.max_throttle_rate))),
        ("Month", format!("{} hours. Costs over the logged span are scaled to a month.", a.hours_per_month)),
        ("Simulation", format!("PTU admission is replayed request by request through a leaky bucket holding {} s of capacity (Azure publishes no burst size), and again at every other window of the band. Each option's PTU count is found exactly on the type's increment lattice; a reservation's is one count for the whole band.", a.sim.bucket_window_s)),
    ];
    for (term, text) in terms {
        writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(&text))?;
    }
    writeln!(out, "</dl>")
}

/// The windows of the band and the window in use, in seconds, ascending: "1, 10, 60".
fn band_windows(a: &crate::report::Assumptions) -> String {
    let mut w: Vec<f64> = a.sim.window_band_s.clone();
    w.push(a.sim.bucket_window_s);
    w.sort_by(f64::total_cmp);
    w.dedup();
    w.iter()
        .map(|w| crate::plan::sizing::window_key(*w))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{report_of, sample_workload};

    #[test]
    fn escapes_hostile_names_everywhere() {
        let mut w = sample_workload();
        w.deployment = "<script>alert(1)</script>".to_owned();
        w.model = "a|b\"c'".to_owned();
        let report = report_of(vec![w]);
        let mut buf = Vec::new();
        write(&report, &Extras::default(), &[], &mut buf).expect("renders");
        let html = String::from_utf8(buf).expect("utf-8");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("a|b&quot;c&#39;"));
    }
}
