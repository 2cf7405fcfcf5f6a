//! PDF pages through `hayro` (pure Rust): the true page count, each page
//! rasterized on demand at the scale asked for, and its text layer read
//! from the glyphs hayro interprets, laid out by their positions so that a
//! bilan's score tables keep their columns.

use std::sync::Arc;

use zeroize::Zeroizing;

use hayro::hayro_interpret::hayro_syntax::object::dict::keys;
use hayro::hayro_interpret::hayro_syntax::object::Dict;
use hayro::hayro_interpret::hayro_syntax::page::{Page, Resources};
use hayro::hayro_interpret::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image,
    ImageDrawProps, InterpreterCache, InterpreterSettings, SoftMask, TransformExt,
};
use hayro::kurbo::{Affine, BezPath, Point};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

use super::raster::Raster;
use super::PieceError;

/// Most pixels of the images a page may hold (declared sizes): beyond,
/// decoding them would exceed the memory budget.
pub const MAX_IMAGE_PIXELS: u64 = 60_000_000;
/// Glyph units per em in hayro's glyph transforms.
const UNITS_PER_EM: f32 = 1000.0;
/// Most glyphs read from one page for its text.
const MAX_GLYPHS: usize = 200_000;

/// An open PDF.
pub struct PdfPiece {
    pdf: Pdf,
}

/// Opens a PDF (an empty password is tried, as every reader does).
pub fn open(bytes: Arc<Zeroizing<Vec<u8>>>) -> Result<PdfPiece, PieceError> {
    let pdf = match Pdf::new(bytes) {
        Ok(pdf) => pdf,
        Err(LoadPdfError::Decryption(DecryptionError::PasswordProtected)) => {
            return Err(PieceError::PasswordProtected)
        }
        Err(LoadPdfError::Decryption(_)) => return Err(PieceError::UnsupportedEncryption),
        Err(LoadPdfError::Invalid) => return Err(PieceError::UnreadablePdf),
    };
    if pdf.pages().is_empty() {
        return Err(PieceError::UnreadablePdf);
    }
    Ok(PdfPiece { pdf })
}

impl PdfPiece {
    /// How many pages.
    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    fn page(&self, index: usize) -> Result<&Page<'_>, PieceError> {
        self.pdf.pages().get(index).ok_or(PieceError::NoSuchPage)
    }

    /// A page's size in points, as shown (its own /Rotate applied).
    pub fn page_size(&self, index: usize) -> Result<(f32, f32), PieceError> {
        let (w, h) = self.page(index)?.render_dimensions();
        if !(w.is_finite() && h.is_finite()) || w < 1.0 || h < 1.0 {
            return Ok((595.0, 842.0));
        }
        Ok((w, h))
    }

    /// Rasterizes a page at `scale` pixels per point, on white.
    pub fn render(&self, index: usize, scale: f32) -> Result<Raster, PieceError> {
        let page = self.page(index)?;
        if image_pixels(page.resources(), 0) > MAX_IMAGE_PIXELS {
            return Err(PieceError::TooLarge);
        }
        let cache = RenderCache::new();
        let pixmap = hayro::render(
            page,
            &cache,
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: scale,
                y_scale: scale,
                bg_color: WHITE,
            },
        );
        let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        if width == 0 || height == 0 {
            return Err(PieceError::UnreadablePdf);
        }
        // Opaque on white: premultiplied RGBA is plain RGBA.
        let rgb = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Ok(Raster { width, height, rgb })
    }

    /// The page's text, lines laid out by position (empty for a scan).
    pub fn text(&self, index: usize) -> Result<String, PieceError> {
        let page = self.page(index)?;
        let cache = InterpreterCache::new();
        let (w, h) = page.render_dimensions();
        let mut context = Context::new(
            page.initial_transform(true).to_kurbo(),
            hayro::kurbo::Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
            &cache,
            page.xref(),
            InterpreterSettings::default(),
        );
        let mut device = TextDevice::default();
        interpret_page(page, &mut context, &mut device);
        Ok(layout(device.glyphs))
    }
}

/// The pixels the images of `resources` declare, forms included (a few
/// levels deep).
fn image_pixels(resources: &Resources<'_>, depth: u8) -> u64 {
    if depth > 4 {
        return 0;
    }
    let mut total: u64 = 0;
    for name in resources.x_objects.keys() {
        let Some(stream) = resources.get_x_object(&name) else {
            continue;
        };
        let dict = stream.dict();
        let dim = |key: &[u8]| dict.get::<i64>(key).unwrap_or(0).clamp(0, 1 << 20) as u64;
        total = total.saturating_add(dim(keys::WIDTH).saturating_mul(dim(keys::HEIGHT)));
        if let Some(inner) = dict.get::<Dict<'_>>(keys::RESOURCES) {
            total = total.saturating_add(image_pixels(&Resources::new(inner), depth + 1));
        }
    }
    total
}

/// A glyph of the text layer: where it sits (points, top left origin), its
/// size and its characters.
#[derive(Debug, Clone)]
struct TextGlyph {
    x: f64,
    y: f64,
    size: f64,
    text: String,
}

/// A device that only keeps the glyphs' characters and positions.
#[derive(Default)]
struct TextDevice {
    glyphs: Vec<TextGlyph>,
}

impl<'a> Device<'a> for TextDevice {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(
        &mut self,
        run: &hayro::hayro_interpret::font::GlyphRun<'_, 'a>,
        props: DrawProps<'a>,
        _: &DrawMode,
    ) {
        for glyph in run.glyphs() {
            if self.glyphs.len() >= MAX_GLYPHS {
                return;
            }
            let Some(text) = glyph.as_unicode() else {
                continue;
            };
            let text = match text {
                hayro::hayro_interpret::hayro_cmap::BfString::Char(c) => c.to_string(),
                hayro::hayro_interpret::hayro_cmap::BfString::String(s) => s,
            };
            let t: Affine = props.transform * glyph.transform();
            let origin = t * Point::ZERO;
            let [_, _, c, d, _, _] = t.as_coeffs();
            let size = (c.hypot(d) * f64::from(UNITS_PER_EM)).clamp(1.0, 200.0);
            if origin.x.is_finite() && origin.y.is_finite() {
                self.glyphs.push(TextGlyph {
                    x: origin.x,
                    y: origin.y,
                    size,
                    text,
                });
            }
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Lines from glyph positions: glyphs on one baseline make a line, a wide
/// gap becomes spaces up to the glyph's column (so table columns stay
/// aligned), a large vertical gap a blank line.
fn layout(mut glyphs: Vec<TextGlyph>) -> String {
    glyphs.retain(|g| !g.text.chars().all(char::is_control));
    if glyphs.is_empty() {
        return String::new();
    }
    let mut sizes: Vec<f64> = glyphs.iter().map(|g| g.size).collect();
    sizes.sort_by(f64::total_cmp);
    let median = sizes[sizes.len() / 2];
    // One column of text is about half the usual font size.
    let column = (median * 0.5).max(1.0);
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f64, f64, Vec<TextGlyph>)> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some((y, size, line)) if (g.y - *y).abs() <= size.min(g.size) * 0.45 => line.push(g),
            _ => lines.push((g.y, g.size, vec![g])),
        }
    }
    let mut rows: Vec<String> = Vec::new();
    let mut last: Option<(f64, f64)> = None;
    for (y, size, mut line) in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        if let Some((ly, lsize)) = last {
            if y - ly > lsize.max(size) * 2.2 {
                rows.push(String::new());
            }
        }
        last = Some((y, size));
        let mut text = String::new();
        let mut len = 0usize;
        let mut prev: Option<&TextGlyph> = None;
        for g in &line {
            let col = ((g.x / column).round().max(0.0) as usize).min(400);
            match prev {
                None => {
                    text.extend(std::iter::repeat_n(' ', col));
                    len = col;
                }
                Some(p) => {
                    // The room left after the previous glyph's (estimated) width.
                    let gap = g.x - p.x - advance(&p.text) * p.size;
                    if gap > p.size * 1.5 {
                        let pad = col.saturating_sub(len).max(1);
                        text.extend(std::iter::repeat_n(' ', pad));
                        len += pad;
                    } else if gap > p.size * 0.15
                        && !text.ends_with(' ')
                        && !g.text.starts_with(' ')
                    {
                        text.push(' ');
                        len += 1;
                    }
                }
            }
            text.push_str(&g.text);
            len += g.text.chars().count();
            prev = Some(g);
        }
        rows.push(text.trim_end().to_string());
    }
    // The page's left margin is not worth columns on screen.
    let margin = rows
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.len() - r.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        out.push_str(r.get(margin..).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// A character's usual width, in ems (no font metrics at hand).
fn advance(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ';' | ':' | '!' | '\'' | '|' => {
                0.3
            }
            'm' | 'w' | 'M' | 'W' => 0.8,
            ' ' => 0.3,
            c if c.is_uppercase() || c.is_ascii_digit() => 0.62,
            _ => 0.5,
        })
        .sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn g(x: f64, y: f64, text: &str) -> TextGlyph {
        TextGlyph {
            x,
            y,
            size: 10.0,
            text: text.into(),
        }
    }

    #[test]
    fn layout_keeps_table_columns_and_words() {
        let mut glyphs = Vec::new();
        // "Lecture" at x=50, its score at x=200; the next row likewise.
        for (row, (label, score)) in [("Lecture", "-2,1"), ("Orthographe", "-1,8")]
            .iter()
            .enumerate()
        {
            let y = 100.0 + 14.0 * row as f64;
            // Proportional glyphs, as a real font sets them.
            let mut x = 50.0;
            for c in label.chars() {
                glyphs.push(g(x, y, &c.to_string()));
                x += advance(&c.to_string()) * 10.0 + 0.3;
            }
            let mut x = 200.0;
            for c in score.chars() {
                glyphs.push(g(x, y + 0.5, &c.to_string()));
                x += advance(&c.to_string()) * 10.0 + 0.3;
            }
        }
        let text = layout(glyphs);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].trim_start().starts_with("Lecture "), "{text}");
        let c0 = lines[0].find("-2,1").unwrap();
        let c1 = lines[1].find("-1,8").unwrap();
        assert_eq!(c0, c1, "scores in one column:\n{text}");
    }

    #[test]
    fn garbage_is_unreadable() {
        assert!(matches!(
            open(Arc::new(Zeroizing::new(b"%PDF-1.4 garbage".to_vec()))),
            Err(PieceError::UnreadablePdf)
        ));
        assert!(matches!(
            open(Arc::new(Zeroizing::new(Vec::new()))),
            Err(PieceError::UnreadablePdf)
        ));
    }
}
