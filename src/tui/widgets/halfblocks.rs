//! An RGB image in grey shades for the colourless theme (`NO_COLOR`): each
//! terminal cell stands for two vertical pixels, their mean grey level
//! becoming a shade character (`█▓▒░` or a space), scaled down to fit. In
//! colour, scans are drawn by ratatui-image instead
//! ([`crate::tui::graphics`]), whose half blocks need colours.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

/// An image to draw in shades.
pub struct HalfBlocks<'a> {
    pub width: u32,
    pub height: u32,
    pub rgb: &'a [u8],
}

impl HalfBlocks<'_> {
    fn pixel(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y as usize) * (self.width as usize) + x as usize) * 3;
        match self.rgb.get(i..i + 3) {
            Some(p) => (p[0], p[1], p[2]),
            None => (0, 0, 0),
        }
    }
}

impl Widget for HalfBlocks<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 || self.width == 0 || self.height == 0 {
            return;
        }
        // Scale to fit, keeping the aspect ratio (a cell is two pixels high).
        let cols = area.width as f64;
        let rows = (area.height as f64) * 2.0;
        let scale = (cols / self.width as f64).min(rows / self.height as f64);
        let out_w = ((self.width as f64 * scale).floor() as u16).clamp(1, area.width);
        let out_h = ((self.height as f64 * scale).floor() as u32).max(1);
        // Contrast stretched: a scan's thin strokes, averaged down to a few
        // cells, stay visible.
        let grey = |p: (u8, u8, u8)| (u32::from(p.0) + u32::from(p.1) + u32::from(p.2)) / 3;
        let (mut lo, mut hi) = (255u32, 0u32);
        for p in self.rgb.chunks_exact(3).step_by(7) {
            let g = grey((p[0], p[1], p[2]));
            lo = lo.min(g);
            hi = hi.max(g);
        }
        let stretch = |l: u32| {
            if hi > lo + 16 {
                ((l.saturating_sub(lo)) * 255 / (hi - lo)).min(255)
            } else {
                l
            }
        };
        for cy in 0..area.height {
            for cx in 0..out_w {
                let top_y = u32::from(cy) * 2;
                if top_y >= out_h {
                    break;
                }
                let sx = ((f64::from(cx) / scale) as u32).min(self.width - 1);
                let sy_top = ((f64::from(top_y) / scale) as u32).min(self.height - 1);
                let sy_bot = ((f64::from(top_y + 1) / scale) as u32).min(self.height - 1);
                let top = self.pixel(sx, sy_top);
                let bot = self.pixel(sx, sy_bot);
                let Some(cell) = buf.cell_mut((area.x + cx, area.y + cy)) else {
                    continue;
                };
                let lum = (u32::from(top.0)
                    + u32::from(top.1)
                    + u32::from(top.2)
                    + u32::from(bot.0)
                    + u32::from(bot.1)
                    + u32::from(bot.2))
                    / 6;
                let ch = match stretch(lum) {
                    0..=50 => "█",
                    51..=110 => "▓",
                    111..=170 => "▒",
                    171..=220 => "░",
                    _ => " ",
                };
                cell.set_symbol(ch);
            }
        }
    }
}
