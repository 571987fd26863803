//! Charts, drawn with plotters from the [`Report`] alone, as SVG and PNG:
//!
//! 1. [`cost`]: monthly cost of every available option of a workload, the decision marked;
//! 2. [`demand`]: a workload's weighted demand over time against the capacity of its sized PTU
//!    deployments;
//! 3. [`curve`]: cost versus PTU count for each provisioned type, with the cost-optimal and
//!    smallest-within-target counts and the cheapest per-token cost;
//! 4. [`heatmap`]: mean utilization by weekday and hour of day;
//! 5. [`tokens`]: the token mix of every workload;
//! 6. [`scenarios`]: monthly cost by what-if scenario, stacked by workload;
//! 7. [`band`]: the decided and the flexible option's monthly cost at each window of the band;
//! 8. [`ladder`]: the reservation plan over the horizon (a scenario with growth).
//!
//! Each kind has a pure `*_series()` function that prepares the numbers (unit-tested) and a thin
//! `draw_*()` that draws them. Renderers write to a `dyn Write`; choosing file names is left to
//! the caller ([`ChartSpec::file_stem`]). Look and size live in [`style`].

pub mod band;
pub mod canvas;
pub mod cost;
pub mod curve;
pub mod demand;
pub mod heatmap;
pub mod ladder;
pub mod scenarios;
pub mod style;
pub mod tokens;

use std::io::{self, Write};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::Report;
use style::{ensure_font, HEIGHT, WIDTH};

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChartKind {
    /// The decision at each window of the band (one per workload).
    Band,
    /// Monthly cost by option (one per workload).
    Cost,
    /// Demand over time against PTU capacity (one per workload).
    Demand,
    /// Cost versus PTU count (one per workload with a provisioned option).
    Curve,
    /// Utilization heatmap, weekday x hour (one per workload).
    Heatmap,
    /// Token mix (one for the whole report).
    Tokens,
    /// Monthly cost by scenario (one for the whole report, with scenarios).
    Scenarios,
    /// The reservation plan over the horizon (one for the whole report, with a ladder).
    Ladder,
}

impl ChartKind {
    /// Every kind.
    pub const ALL: [ChartKind; 8] = [
        ChartKind::Band,
        ChartKind::Cost,
        ChartKind::Demand,
        ChartKind::Curve,
        ChartKind::Heatmap,
        ChartKind::Tokens,
        ChartKind::Scenarios,
        ChartKind::Ladder,
    ];

    /// The file-name prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Band => "band",
            ChartKind::Cost => "cost",
            ChartKind::Demand => "demand",
            ChartKind::Curve => "cost-vs-ptu",
            ChartKind::Heatmap => "heatmap",
            ChartKind::Tokens => "token-mix",
            ChartKind::Scenarios => "scenarios",
            ChartKind::Ladder => "reservation-plan",
        }
    }

    /// One or two sentences for a reader who has never used the tool.
    pub fn explanation(self) -> &'static str {
        match self {
            ChartKind::Band => "Azure publishes no burst allowance, so every option is planned at each bucket window of the band. The green line is the decided option's monthly cost at each window, the dashed blue line the flexible option's (the cheapest with no commitment). A reservation is decided only if it stays under the dotted line (the flexible cost less the minimum saving) at every window; the orange line, when shown, is the reservation that was weighed and did not hold.",
            ChartKind::Cost => "What each deployment option would cost per month for this workload, on a linear scale from zero, so bar lengths compare directly; each bar is labelled with its cost. The green bar is the decision, labelled with its saving against the flexible option (the cheapest without a commitment); grey bars are options that cannot be recommended (Batch without --batch-eligible, or too much throttling).",
            ChartKind::Demand => "The busiest minute of every hour, in weighted tokens per minute (input plus output weighted by the model's output-to-input ratio, the unit PTU capacity is sized in). Dashed lines are the capacity of each sized PTU deployment, and the solid green line the decided one's (a per-token decision has none, and says so): demand above a line is throttled or spilled to pay-per-token.",
            ChartKind::Curve => "Monthly cost of each provisioned type as the PTU count grows: PTU cost rises while spillover cost falls. Dots mark the cheapest count, triangles the smallest count that keeps throttling within the target, and the flat line is the cheapest pay-per-token option, which PTUs must beat to pay off.",
            ChartKind::Heatmap => "How a PTU deployment would be used in each hour of the week (UTC), from the mean weighted demand in that hour: blue cells give the share of its capacity in use (darker is busier); orange cells are hours whose demand is more than the capacity, and give the share of that demand that spills to Standard (or fails without spillover).",
            ChartKind::Tokens => "How each workload's tokens split into uncached input, cached input (discounted), visible output and hidden reasoning output (billed as output). Shares of each workload's total; the total is in the label.",
            ChartKind::Scenarios => "What the decided plan costs per month in each what-if scenario, next to the log as it is: one bar per scenario, one colored segment per workload (matched by deployment name), the total at the end.",
            ChartKind::Ladder => "The reservation plan of the first scenario with growth: the PTUs held each month on 1-year reservations (green) and on 1-month reservations or hourly (blue), summed over the pools, with each 1-year purchase marked. Month 1 holds what the log's decisions buy now.",
        }
    }
}

/// One chart a report has: its kind and, for per-workload kinds, the workload index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartSpec {
    /// Kind.
    pub kind: ChartKind,
    /// Index into `report.workloads` (None for report-wide charts).
    pub workload: Option<usize>,
}

impl ChartSpec {
    /// File name without extension: `cost-01-chat-prod`, `token-mix`.
    pub fn file_stem(&self, report: &Report) -> String {
        match self.workload {
            None => self.kind.as_str().to_owned(),
            Some(i) => {
                let name = report
                    .workloads
                    .get(i)
                    .map_or("workload", |w| w.deployment.as_str());
                format!("{}-{:02}-{}", self.kind.as_str(), i + 1, slug(name))
            }
        }
    }
}

/// Workloads up to which `report` draws every workload's charts by default; above it, the
/// [`DEFAULT_CHART_WORKLOADS`] costliest get charts and the rest are listed.
pub const DEFAULT_CHART_WORKLOADS: usize = 50;

/// Which workloads get per-workload charts (`report --charts all|N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartSelection {
    /// All workloads up to [`DEFAULT_CHART_WORKLOADS`], else the top [`DEFAULT_CHART_WORKLOADS`].
    #[default]
    Default,
    /// Every workload.
    All,
    /// The N workloads with the highest decided monthly cost.
    Top(usize),
}

/// Which workloads of `report` are charted under `selection`, by index: the costliest by
/// decided monthly cost (a workload without a decision counts as 0 USD), ties in
/// report order.
pub fn charted_workloads(report: &Report, selection: ChartSelection) -> Vec<bool> {
    let n = report.workloads.len();
    let top = match selection {
        ChartSelection::All => n,
        ChartSelection::Default if n <= DEFAULT_CHART_WORKLOADS => n,
        ChartSelection::Default => DEFAULT_CHART_WORKLOADS,
        ChartSelection::Top(k) => k.min(n),
    };
    let cost = |i: usize| {
        report.workloads[i]
            .decision
            .monthly_cost_usd()
            .filter(|c| c.is_finite())
            .unwrap_or(0.0)
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cost(b).total_cmp(&cost(a)).then(a.cmp(&b)));
    let mut charted = vec![false; n];
    for &i in order.iter().take(top) {
        charted[i] = true;
    }
    charted
}

/// The sentence saying which workloads have no charts (None when every one has them).
pub fn uncharted_note(report: &Report, charted: &[bool]) -> Option<String> {
    let left_out: Vec<&str> = report
        .workloads
        .iter()
        .zip(charted)
        .filter(|(_, c)| !**c)
        .map(|(w, _)| w.deployment.as_str())
        .collect();
    if left_out.is_empty() {
        return None;
    }
    let drawn = charted.iter().filter(|c| **c).count();
    const LISTED: usize = 20;
    let mut names = left_out
        .iter()
        .take(LISTED)
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if left_out.len() > LISTED {
        names.push_str(&format!(", and {} more", left_out.len() - LISTED));
    }
    Some(format!(
        "Per-workload charts are drawn for the {drawn} workload(s) with the highest recommended \
         monthly cost; {} workload(s) have tables but no charts (report --charts all draws \
         every one): {names}.",
        left_out.len()
    ))
}

/// The charts `report` has, report-wide first, then per workload in report order.
pub fn chart_specs(report: &Report) -> Vec<ChartSpec> {
    chart_specs_for(report, &vec![true; report.workloads.len()])
}

/// [`chart_specs`] with per-workload charts only for the workloads marked in `charted`.
pub fn chart_specs_for(report: &Report, charted: &[bool]) -> Vec<ChartSpec> {
    let mut specs = vec![ChartSpec {
        kind: ChartKind::Tokens,
        workload: None,
    }];
    if !report.scenarios.is_empty() {
        specs.push(ChartSpec {
            kind: ChartKind::Scenarios,
            workload: None,
        });
    }
    // The plan's chart draws a pool: none without one.
    if ladder::ladder_series(report).is_some() {
        specs.push(ChartSpec {
            kind: ChartKind::Ladder,
            workload: None,
        });
    }
    for (i, w) in report.workloads.iter().enumerate() {
        if !charted.get(i).copied().unwrap_or(false) {
            continue;
        }
        let mut kinds = Vec::new();
        if w.decision.by_window.len() > 1 && !w.sizing.is_empty() {
            kinds.push(ChartKind::Band);
        }
        kinds.extend([ChartKind::Cost, ChartKind::Demand]);
        if !w.sizing.is_empty() {
            kinds.push(ChartKind::Curve);
        }
        kinds.push(ChartKind::Heatmap);
        specs.extend(kinds.into_iter().map(|kind| ChartSpec {
            kind,
            workload: Some(i),
        }));
    }
    specs
}

/// A chart could not be drawn or encoded.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The bundled font did not load.
    #[error("the bundled chart font (assets/fonts/DejaVuSans.ttf) could not be loaded")]
    Font,
    /// plotters reported an error.
    #[error("drawing chart `{chart}`: {message}")]
    Draw {
        /// The chart's file stem.
        chart: String,
        /// plotters' message.
        message: String,
    },
    /// PNG encoding failed.
    #[error("encoding chart `{chart}` as PNG: {source}")]
    Png {
        /// The chart's file stem.
        chart: String,
        /// The encoder's error.
        source: png::EncodingError,
    },
    /// Writing failed.
    #[error("writing chart `{chart}`: {source}")]
    Io {
        /// The chart's file stem.
        chart: String,
        /// The I/O error.
        source: io::Error,
    },
}

/// A plotters error, flattened to its message (its type is generic over the backend).
#[derive(Debug)]
pub struct DrawFailure(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawFailure {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawFailure(e.to_string())
    }
}

/// The pixel size of a chart.
pub fn size_of(report: &Report, spec: &ChartSpec) -> (u32, u32) {
    match spec.kind {
        ChartKind::Tokens => (WIDTH, tokens::height_for(report.workloads.len())),
        ChartKind::Scenarios => (WIDTH, scenarios::height_for(report.scenarios.len() + 1)),
        _ => (WIDTH, HEIGHT),
    }
}

/// Draw `spec` as SVG into `out`.
pub fn write_svg(report: &Report, spec: &ChartSpec, out: &mut dyn Write) -> Result<(), ChartError> {
    let svg = render_svg(report, spec)?;
    out.write_all(svg.as_bytes())
        .map_err(|source| ChartError::Io {
            chart: spec.file_stem(report),
            source,
        })
}

/// Draw `spec` as an SVG document in memory (for inlining in HTML).
pub fn render_svg(report: &Report, spec: &ChartSpec) -> Result<String, ChartError> {
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size_of(report, spec)).into_drawing_area();
        draw(report, spec, &root)
            .and_then(|()| root.present().map_err(DrawFailure::from))
            .map_err(|e| draw_error(report, spec, e))?;
    }
    Ok(svg)
}

/// Draw `spec` as PNG into `out`.
pub fn write_png(report: &Report, spec: &ChartSpec, out: &mut dyn Write) -> Result<(), ChartError> {
    ensure_font()?;
    let (w, h) = size_of(report, spec);
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = canvas::PngCanvas::new(&mut rgb, (w, h))?.into_drawing_area();
        draw(report, spec, &root)
            .and_then(|()| root.present().map_err(DrawFailure::from))
            .map_err(|e| draw_error(report, spec, e))?;
    }
    let png_err = |source| ChartError::Png {
        chart: spec.file_stem(report),
        source,
    };
    let mut encoder = png::Encoder::new(out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&rgb).map_err(png_err)?;
    writer.finish().map_err(png_err)
}

/// One chart drawn both ways: the SVG document and the PNG file's bytes.
pub struct RenderedChart {
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// Draw every chart of `specs` as SVG and PNG on up to `threads` threads; the results are in
/// the order of `specs` and do not depend on `threads`.
pub fn render_all(
    report: &Report,
    specs: &[ChartSpec],
    threads: usize,
) -> Result<Vec<RenderedChart>, ChartError> {
    let one = |spec: &ChartSpec| -> Result<RenderedChart, ChartError> {
        let svg = render_svg(report, spec)?;
        let mut png = Vec::new();
        write_png(report, spec, &mut png)?;
        Ok(RenderedChart { svg, png })
    };
    let threads = threads.clamp(1, specs.len().max(1));
    if threads == 1 {
        return specs.iter().map(one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<RenderedChart, ChartError>>> =
        (0..specs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(spec) = specs.get(i) else { break };
                        done.push((i, one(spec)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            // A panicking chart is a bug: let it propagate as one.
            for (i, r) in worker
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
            {
                slots[i] = Some(r);
            }
        }
    });
    slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| unreachable!("every chart index is claimed once")))
        .collect()
}

fn draw_error(report: &Report, spec: &ChartSpec, e: DrawFailure) -> ChartError {
    ChartError::Draw {
        chart: spec.file_stem(report),
        message: e.0,
    }
}

fn draw<DB: DrawingBackend>(
    report: &Report,
    spec: &ChartSpec,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), DrawFailure> {
    let workload = spec.workload.and_then(|i| report.workloads.get(i));
    match (spec.kind, workload) {
        (ChartKind::Tokens, _) => tokens::draw_tokens(root, &tokens::token_mix_series(report)),
        (ChartKind::Scenarios, _) => {
            scenarios::draw_scenarios(root, &scenarios::scenario_cost_series(report))
        }
        (ChartKind::Ladder, _) => match ladder::ladder_series(report) {
            Some(s) => ladder::draw_ladder(root, &s),
            None => Err(DrawFailure("no scenario has a reservation plan".to_owned())),
        },
        (ChartKind::Band, Some(w)) => band::draw_band(
            root,
            &band::band_series(w, report.assumptions.plan.decision.min_saving),
        ),
        (ChartKind::Cost, Some(w)) => cost::draw_cost(root, &cost::cost_series(w)),
        (ChartKind::Demand, Some(w)) => {
            demand::draw_demand(root, &demand::demand_series(report, w))
        }
        (ChartKind::Curve, Some(w)) => curve::draw_curve(root, &curve::curve_series(report, w)),
        (ChartKind::Heatmap, Some(w)) => heatmap::draw_heatmap(root, &heatmap::heatmap_series(w)),
        (_, None) => Err(DrawFailure(format!(
            "no workload {:?} for a per-workload chart",
            spec.workload
        ))),
    }
}

/// A file-name-safe form of a deployment name: ASCII letters and digits, runs of anything else
/// turned into one `-`, at most 40 characters; `workload` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(40).collect();
    let trimmed = trimmed.trim_end_matches('-');
    if trimmed.is_empty() {
        "workload".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// "deployment (model @ region)", shortened for a chart title.
pub fn workload_label(w: &crate::plan::WorkloadPlan) -> String {
    style::truncate(
        &format!(
            "{} ({})",
            style::truncate(&w.deployment, 32),
            style::truncate(&w.model, 24)
        ),
        60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(slug("chat-prod"), "chat-prod");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("a|b"), "a-b");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("日本"), "workload");
    }
}
