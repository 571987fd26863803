//! The one place that fixes how charts look: size, font, palette, text styles, and the shared
//! frame (title, plot area, legend panel) every chart is drawn in.
//!
//! The font is DejaVu Sans, bundled in `assets/fonts/` and registered from bytes, so PNGs render
//! the same on a machine with no system fonts; nothing here reads a system font.

use std::ops::Range;
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{ChartError, DrawFailure};

/// Width of every chart, pixels.
pub const WIDTH: u32 = 1100;
/// Height of every chart, pixels (the token-mix chart grows with the number of workloads).
pub const HEIGHT: u32 = 560;
/// Width of the legend panel on the right, pixels.
pub const LEGEND_WIDTH: u32 = 330;

/// The font family name charts ask for; [`ensure_font`] registers the bundled TTF under it.
pub const FONT_FAMILY: &str = "sans-serif";
/// DejaVu Sans (see `assets/fonts/DejaVuSans-LICENSE.txt`).
pub const FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Title size, pixels.
pub const TITLE_PX: u32 = 21;
/// Axis description size, pixels.
pub const AXIS_DESC_PX: u32 = 15;
/// Tick label, legend and annotation size, pixels.
pub const LABEL_PX: u32 = 13;

/// Text color.
pub const INK: RGBColor = RGBColor(33, 37, 41);
/// Light grid lines and frames.
pub const GRID: RGBColor = RGBColor(222, 226, 230);
/// Secondary text (legend details and footnotes).
pub const NOTE: RGBColor = RGBColor(90, 98, 104);
/// Muted elements (ineligible options, notes).
pub const MUTED: RGBColor = RGBColor(173, 181, 189);
/// The recommended option and the main demand series.
pub const HIGHLIGHT: RGBColor = RGBColor(0, 158, 115);
/// Over-capacity and breach marks.
pub const ALERT: RGBColor = RGBColor(213, 94, 0);

/// Series colors (Okabe-Ito, distinguishable with common color-vision deficiencies).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];

/// The palette color for series `i` (wrapping).
pub fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Register the bundled font once per process.
pub fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FONT_FAMILY, FontStyle::Normal, FONT_TTF).is_ok()
            && register_font(FONT_FAMILY, FontStyle::Bold, FONT_TTF).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// A text style of `px` pixels in the bundled font.
pub fn text(px: u32) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, px).into_font()).color(&INK)
}

/// One axis of a chart's mesh: how many tick labels, how they read, and what the axis is.
pub type Axis<'b, V, D> = (usize, &'b dyn Fn(&V) -> String, D);

/// Draw a chart's mesh the way every chart does: white minor and grey major grid lines (where
/// `mesh` leaves them on), the tick labels and descriptions of `x` and `y`.
pub fn draw_axes<'b, X, Y, DB>(
    mesh: &mut MeshStyle<'_, 'b, X, Y, DB>,
    (x_labels, x_format, x_desc): Axis<'b, X::ValueType, impl Into<String>>,
    (y_labels, y_format, y_desc): Axis<'b, Y::ValueType, impl Into<String>>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
    DB: DrawingBackend,
{
    mesh.light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(x_format)
        .y_label_formatter(y_format)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(text(AXIS_DESC_PX))
        .label_style(text(LABEL_PX))
        .draw()
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A filled box.
    Box(RGBColor),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled circle.
    Dot(RGBColor),
    /// A filled triangle.
    Triangle(RGBColor),
}

/// One legend line.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// What the swatch looks like.
    pub swatch: Swatch,
    /// The label.
    pub label: String,
    /// A second, smaller line under the label.
    pub detail: Option<String>,
}

impl LegendEntry {
    /// A legend entry.
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendEntry {
        LegendEntry {
            swatch,
            label: label.into(),
            detail: None,
        }
    }

    /// The same entry with a second line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> LegendEntry {
        self.detail = Some(detail.into());
        self
    }
}

/// The plot area (left) and legend panel (right) of a framed chart.
pub type Framed<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// Fill the background, draw the title, and split the rest into the plot area (left) and the
/// legend panel (right). Returns `(plot, legend)`.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<Framed<DB>, DrawFailure> {
    frame_with(root, title, LEGEND_WIDTH)
}

/// [`frame`] with a legend panel `legend_width` pixels wide.
pub fn frame_with<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend_width: u32,
) -> Result<Framed<DB>, DrawFailure> {
    root.fill(&WHITE)?;
    // Long titles (long deployment names) shrink to fit rather than run off the edge.
    let (width, _) = root.dim_in_pixel();
    let mut px = TITLE_PX;
    while px > 13 && root.estimate_text_size(title, &text(px))?.0 + 24 > width {
        px -= 1;
    }
    let body = root.titled(title, text(px))?;
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(legend_width)))
}

/// Draw legend entries top-down in the legend panel, with an optional footnote below them.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    footnotes: &[String],
) -> Result<(), DrawFailure> {
    const ROW: i32 = 24;
    const X0: i32 = 12;
    let mut y = 30;
    for e in entries {
        let mid = y + ROW / 2 - 3;
        match e.swatch {
            Swatch::Box(c) => area.draw(&Rectangle::new(
                [(X0, mid - 7), (X0 + 22, mid + 7)],
                c.filled(),
            ))?,
            Swatch::Line(c) => area.draw(&PathElement::new(
                vec![(X0, mid), (X0 + 22, mid)],
                c.stroke_width(3),
            ))?,
            Swatch::Dashed(c) => {
                area.draw(&PathElement::new(
                    vec![(X0, mid), (X0 + 8, mid)],
                    c.stroke_width(3),
                ))?;
                area.draw(&PathElement::new(
                    vec![(X0 + 14, mid), (X0 + 22, mid)],
                    c.stroke_width(3),
                ))?;
            }
            Swatch::Dot(c) => area.draw(&Circle::new((X0 + 11, mid), 6, c.filled()))?,
            Swatch::Triangle(c) => {
                area.draw(&TriangleMarker::new((X0 + 11, mid), 8, c.filled()))?
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (X0 + 32, mid),
            text(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += ROW;
        if let Some(detail) = &e.detail {
            area.draw(&Text::new(
                detail.clone(),
                (X0 + 32, y + ROW / 2 - 8),
                text(LABEL_PX - 1)
                    .color(&NOTE)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += ROW - 4;
        }
    }
    y += 8;
    for note in footnotes {
        area.draw(&Text::new(
            note.clone(),
            (X0, y),
            text(LABEL_PX - 1)
                .color(&NOTE)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        y += ROW - 4;
    }
    Ok(())
}

/// The frame of a horizontal bar chart: one row a label (row k from the top spans n-k-1 .. n-k
/// of the y axis, n the number of labels, at least 1), `x_range` ticked as `x` says, no y
/// ticks; the labels drawn left of the plot, in `label_area_px`, described as `y_desc`.
pub fn bar_rows<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &'a DrawingArea<DB, Shift>,
    (x_range, x): (Range<f64>, Axis<'_, f64, &str>),
    (label_area_px, labels, y_desc): (u32, &[String], &str),
) -> Result<BarChart<'a, DB>, DrawFailure> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(label_area_px)
        .build_cartesian_2d(x_range, 0.0..n as f64)?;
    let no_label = |_: &f64| String::new();
    draw_axes(
        chart.configure_mesh().disable_y_mesh(),
        x,
        (0, &no_label, y_desc),
    )?;
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    draw_row_labels(root, x_px, y_px, labels)?;
    Ok(chart)
}

/// A chart drawn by [`bar_rows`].
pub type BarChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Fill the bar of a [`bar_rows`] chart from `x0` to `x1` in the row whose top is `top`, inset
/// `inset_px` pixels from the row's edges.
pub fn draw_bar<DB: DrawingBackend>(
    chart: &mut BarChart<'_, DB>,
    (x0, x1): (f64, f64),
    top: f64,
    color: RGBColor,
    inset_px: u32,
) -> Result<(), DrawFailure> {
    let mut bar = Rectangle::new([(x0, top), (x1, top - 1.0)], color.filled());
    bar.set_margin(inset_px, inset_px, 0, 0);
    chart.draw_series(std::iter::once(bar))?;
    Ok(())
}

/// Write `label` from `x` on, in the middle of the row of a [`bar_rows`] chart whose top is
/// `top` (the end of its bar).
pub fn draw_bar_label<DB: DrawingBackend>(
    chart: &mut BarChart<'_, DB>,
    label: String,
    x: f64,
    top: f64,
) -> Result<(), DrawFailure> {
    chart.draw_series(std::iter::once(Text::new(
        label,
        (x, top - 0.5),
        text(LABEL_PX).pos(Pos::new(HPos::Left, VPos::Center)),
    )))?;
    Ok(())
}

/// Category labels of a horizontal bar chart: `labels[k]` right-aligned just left of row `k`
/// (row 0 on top) of a plot whose pixels span `x_px` x `y_px`. Drawn on `root` in backend
/// pixels, because a category axis with a single row has no usable key points.
pub fn draw_row_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_px: Range<i32>,
    y_px: Range<i32>,
    labels: &[String],
) -> Result<(), DrawFailure> {
    let n = labels.len().max(1) as f64;
    let height = f64::from(y_px.end - y_px.start);
    for (k, label) in labels.iter().enumerate() {
        let y = y_px.start + ((k as f64 + 0.5) * height / n).round() as i32;
        root.draw(&PathElement::new(
            vec![(x_px.start - 5, y), (x_px.start, y)],
            INK.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            label.clone(),
            (x_px.start - 9, y),
            text(LABEL_PX).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Shorten `s` to at most `max` characters, ending with an ellipsis when cut. Every text
/// from the input reaches a chart through here, so control characters are shown as escapes
/// ([`chart_label`](crate::render::escape::chart_label)) and the SVG stays well-formed XML.
pub fn truncate(s: &str, max: usize) -> String {
    let s = crate::render::escape::chart_label(s);
    if s.chars().count() <= max {
        s.into_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A number of tokens or tokens per minute for labels: `950`, `37.5k`, `120k`, `3.2M`.
pub fn fmt_si(v: f64) -> String {
    let a = v.abs();
    let (scaled, unit) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        return format!("{v:.0}");
    };
    if scaled.abs() >= 100.0 {
        format!("{scaled:.0}{unit}")
    } else {
        let s = format!("{scaled:.1}");
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    }
}

/// A USD amount for axis labels: `$950`, `$12.5k`, `$1.2M`.
pub fn fmt_usd_short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("${:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("${:.0}k", v / 1e3)
    } else if a >= 1e3 {
        let s = format!("{:.1}", v / 1e3);
        format!("${}k", s.strip_suffix(".0").unwrap_or(&s))
    } else if a >= 1.0 || a == 0.0 {
        format!("${v:.0}")
    } else {
        format!("${v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_number_formats() {
        assert_eq!(fmt_si(950.0), "950");
        assert_eq!(fmt_si(12_500.0), "12.5k");
        assert_eq!(fmt_si(20_000.0), "20k");
        assert_eq!(fmt_si(125_000.0), "125k");
        assert_eq!(fmt_si(3_200_000.0), "3.2M");
        assert_eq!(fmt_usd_short(327.97), "$328");
        assert_eq!(fmt_usd_short(0.1), "$0.10");
        assert_eq!(fmt_usd_short(1000.0), "$1k");
        assert_eq!(fmt_usd_short(3_910.0), "$3.9k");
        assert_eq!(fmt_usd_short(73_000.0), "$73k");
        assert_eq!(fmt_usd_short(1_250_000.0), "$1.2M");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
