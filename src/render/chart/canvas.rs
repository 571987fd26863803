//! The PNG drawing backend: plotters' `BitMapBackend` with its own text rendering.
//!
//! plotters 0.3.7's ab_glyph text path places each glyph by its pixel bounds and drops the side
//! bearings, which leaves gaps inside words ("glob al") and raises punctuation. [`PngCanvas`]
//! delegates every shape to the bitmap backend and lays text out itself with the bundled font:
//! advances plus kerning on one baseline, anchors as plotters defines them, rotation by the
//! style's transform, and the font size taken as the em size (as in SVG's `font-size`).

use ab_glyph::{point, Font, FontRef, Glyph, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::style::FONT_TTF;
use super::ChartError;

type BitMapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
type DrawResult = Result<(), DrawingErrorKind<BitMapError>>;

/// A bitmap backend over an RGB buffer that renders text with the bundled font.
pub struct PngCanvas<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

/// A line of text laid out on a baseline at y = 0.
struct Line {
    glyphs: Vec<Glyph>,
    width: f32,
    ascent: f32,
    descent: f32,
}

impl<'a> PngCanvas<'a> {
    /// A canvas drawing into `rgb` (3 bytes per pixel, row-major) of `size` pixels.
    pub fn new(rgb: &'a mut [u8], size: (u32, u32)) -> Result<PngCanvas<'a>, ChartError> {
        let font = FontRef::try_from_slice(FONT_TTF).map_err(|_| ChartError::Font)?;
        Ok(PngCanvas {
            inner: BitMapBackend::with_buffer(rgb, size),
            font,
        })
    }

    /// The ab_glyph scale whose em is `px` pixels.
    fn scale(&self, px: f64) -> PxScale {
        let em = self.font.units_per_em().unwrap_or(2048.0);
        PxScale::from(px as f32 * self.font.height_unscaled() / em)
    }

    fn layout(&self, text: &str, px: f64) -> Line {
        let scale = self.scale(px);
        let f = self.font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut x = 0.0;
        let mut prev = None;
        for c in text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                x += f.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
            x += f.h_advance(id);
            prev = Some(id);
        }
        Line {
            glyphs,
            width: x,
            ascent: f.ascent(),
            descent: f.descent(),
        }
    }
}

impl DrawingBackend for PngCanvas<'_> {
    type ErrorType = BitMapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> DrawResult {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> DrawResult {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let line = self.layout(text, style.size());
        Ok((
            line.width.ceil() as u32,
            (line.ascent - line.descent).ceil() as u32,
        ))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> DrawResult {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let line = self.layout(text, style.size());
        let height = line.ascent - line.descent;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let top = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        let (ox, oy) = (dx.round() as i32, (top + line.ascent).round() as i32);
        let trans = style.transform();
        let mut coverage: Vec<(i32, i32, f32)> = Vec::new();
        for g in line.glyphs {
            let Some(outlined) = self.font.outline_glyph(g) else {
                continue;
            };
            let b = outlined.px_bounds();
            let (bx, by) = (b.min.x as i32, b.min.y as i32);
            outlined.draw(|x, y, c| {
                if c > 0.01 {
                    coverage.push((bx + x as i32 + ox, by + y as i32 + oy, c));
                }
            });
        }
        for (x, y, c) in coverage {
            let (tx, ty) = trans.transform(x, y);
            self.inner.draw_pixel(
                (pos.0 + tx, pos.1 + ty),
                BackendColor {
                    alpha: color.alpha * f64::from(c.min(1.0)),
                    rgb: color.rgb,
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_text_out_with_advances_and_draws_ink() {
        let mut rgb = vec![255u8; 200 * 40 * 3];
        {
            let mut canvas = PngCanvas::new(&mut rgb, (200, 40)).expect("font loads");
            let style = TextStyle::from(("sans-serif", 20).into_font());
            let (w, h) = canvas.estimate_text_size("ill", &style).expect("size");
            let (w2, _) = canvas
                .estimate_text_size("illillill", &style)
                .expect("size");
            // Advances add up: three times the text is three times as wide (within rounding).
            assert!((w2 as i32 - 3 * w as i32).abs() <= 2, "{w} {w2}");
            // The em is 20 px, so the line (ascent - descent) is a little taller.
            assert!((20..30).contains(&h), "{h}");
            canvas.draw_text("Hg", &style, (10, 5)).expect("draws");
        }
        assert!(rgb.iter().any(|&b| b < 128), "some dark pixels were drawn");
    }
}
