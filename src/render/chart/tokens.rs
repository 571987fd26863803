//! Chart 5: the token mix of every workload as 100% stacked bars: uncached input, cached input,
//! visible output (completion minus reasoning) and reasoning. The bar label carries the total.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    bar_rows, draw_bar, draw_legend, fmt_si, frame, text, truncate, LegendEntry, Swatch, INK,
    LABEL_PX, PALETTE,
};
use super::DrawFailure;
use crate::report::Report;

/// Segment names, in stacking order.
pub const SEGMENTS: [&str; 4] = [
    "uncached input",
    "cached input",
    "visible output",
    "reasoning",
];

/// Segment colors, in stacking order.
const COLORS: [RGBColor; 4] = [PALETTE[0], PALETTE[3], PALETTE[1], PALETTE[2]];

/// One workload's tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenMixRow {
    /// Deployment name.
    pub label: String,
    /// Tokens per segment, in [`SEGMENTS`] order.
    pub tokens: [u64; 4],
}

impl TokenMixRow {
    /// All tokens.
    pub fn total(&self) -> u64 {
        self.tokens.iter().sum()
    }

    /// Each segment's share of the total (zeros for an empty row).
    pub fn shares(&self) -> [f64; 4] {
        let total = self.total();
        if total == 0 {
            return [0.0; 4];
        }
        self.tokens.map(|t| t as f64 / total as f64)
    }
}

/// The data of a token-mix chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenMixSeries {
    /// Chart title.
    pub title: String,
    /// One row per workload, in report order.
    pub rows: Vec<TokenMixRow>,
}

/// Split every workload's tokens into the four segments.
pub fn token_mix_series(report: &Report) -> TokenMixSeries {
    let rows = report
        .workloads
        .iter()
        .map(|w| TokenMixRow {
            label: truncate(&w.deployment, 26),
            tokens: [
                w.prompt_tokens.saturating_sub(w.cached_tokens),
                w.cached_tokens,
                w.completion_tokens.saturating_sub(w.reasoning_tokens),
                w.reasoning_tokens,
            ],
        })
        .collect();
    TokenMixSeries {
        title: "Token mix per workload".to_owned(),
        rows,
    }
}

/// Chart height for `n` workloads, pixels.
pub fn height_for(n: usize) -> u32 {
    (150 + 56 * n as u32).max(240)
}

/// Draw a token-mix chart.
pub fn draw_tokens<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &TokenMixSeries,
) -> Result<(), DrawFailure> {
    let (plot, legend) = frame(root, &s.title)?;
    let entries: Vec<LegendEntry> = SEGMENTS
        .iter()
        .zip(COLORS)
        .map(|(name, c)| LegendEntry::new(Swatch::Box(c), *name))
        .collect();
    draw_legend(
        &legend,
        &entries,
        &["Share of each workload's tokens".to_owned()],
    )?;
    let n = s.rows.len().max(1);
    let x_fmt = |x: &f64| format!("{x:.0}%");
    let labels: Vec<String> = s
        .rows
        .iter()
        .map(|r| format!("{} ({} tokens)", r.label, fmt_si(r.total() as f64)))
        .collect();
    let mut chart = bar_rows(
        root,
        &plot,
        (0.0..100.0, (11, &x_fmt, "Share of tokens [%]")),
        (300, &labels, "Workload"),
    )?;
    for (k, r) in s.rows.iter().enumerate() {
        // Row k (from the top) spans n-k-1 .. n-k of the y axis.
        let top = (n - k) as f64;
        let mut x = 0.0;
        for (share, color) in r.shares().into_iter().zip(COLORS) {
            let w = share * 100.0;
            if w <= 0.0 {
                continue;
            }
            draw_bar(&mut chart, (x, x + w), top, color, 8)?;
            if w >= 6.0 {
                chart.draw_series(std::iter::once(Text::new(
                    format!("{w:.0}%"),
                    (x + w / 2.0, top - 0.5),
                    text(LABEL_PX)
                        .color(&ink_on(color))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
            }
            x += w;
        }
    }
    Ok(())
}

/// Text color readable on `background`: white on dark colors, ink on light ones.
fn ink_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luminance = (0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)) / 255.0;
    if luminance < 0.45 {
        WHITE
    } else {
        INK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn splits_prompt_and_completion_into_four_segments() {
        let report = sample_report();
        let s = token_mix_series(&report);
        assert_eq!(s.rows.len(), 1);
        // 1,000 prompt (250 cached), 400 completion (100 reasoning).
        assert_eq!(s.rows[0].tokens, [750, 250, 300, 100]);
        assert_eq!(s.rows[0].total(), 1_400);
        let shares = s.rows[0].shares();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((shares[0] - 750.0 / 1_400.0).abs() < 1e-12);
    }

    #[test]
    fn empty_rows_have_zero_shares() {
        let row = TokenMixRow {
            label: "x".to_owned(),
            tokens: [0; 4],
        };
        assert_eq!(row.shares(), [0.0; 4]);
    }
}
