//! Rows of RGB pixels and the few operations the viewer needs on them:
//! quarter turns, a window (panning), and whether anything is drawn.

/// An RGB image, 3 bytes a pixel, rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the pixels (decrypted health data).
        write!(f, "Raster({}×{})", self.width, self.height)
    }
}

/// A page turned clockwise by a number of quarter turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    #[default]
    None,
    Quarter,
    Half,
    ThreeQuarters,
}

impl Rotation {
    /// A quarter turn more, clockwise.
    pub fn next(self) -> Rotation {
        match self {
            Rotation::None => Rotation::Quarter,
            Rotation::Quarter => Rotation::Half,
            Rotation::Half => Rotation::ThreeQuarters,
            Rotation::ThreeQuarters => Rotation::None,
        }
    }

    /// Whether width and height swap.
    pub fn is_sideways(self) -> bool {
        matches!(self, Rotation::Quarter | Rotation::ThreeQuarters)
    }

    /// Degrees clockwise, for the title.
    pub fn degrees(self) -> u16 {
        match self {
            Rotation::None => 0,
            Rotation::Quarter => 90,
            Rotation::Half => 180,
            Rotation::ThreeQuarters => 270,
        }
    }

    /// Composes two rotations.
    pub fn then(self, other: Rotation) -> Rotation {
        let mut r = self;
        for _ in 0..other.degrees() / 90 {
            r = r.next();
        }
        r
    }
}

impl Raster {
    /// A raster of one colour.
    pub fn filled(width: u32, height: u32, value: u8) -> Raster {
        Raster {
            width,
            height,
            rgb: vec![value; (width as usize) * (height as usize) * 3],
        }
    }

    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y as usize) * (self.width as usize) + x as usize) * 3;
        match self.rgb.get(i..i + 3) {
            Some(p) => [p[0], p[1], p[2]],
            None => [255, 255, 255],
        }
    }

    /// The raster turned clockwise.
    pub fn rotated(&self, rotation: Rotation) -> Raster {
        if rotation == Rotation::None {
            return self.clone();
        }
        let (w, h) = (self.width, self.height);
        let (nw, nh) = if rotation.is_sideways() {
            (h, w)
        } else {
            (w, h)
        };
        let mut rgb = Vec::with_capacity(self.rgb.len());
        for y in 0..nh {
            for x in 0..nw {
                let (sx, sy) = match rotation {
                    Rotation::None => (x, y),
                    Rotation::Quarter => (y, h - 1 - x),
                    Rotation::Half => (w - 1 - x, h - 1 - y),
                    Rotation::ThreeQuarters => (w - 1 - y, x),
                };
                rgb.extend_from_slice(&self.pixel(sx, sy));
            }
        }
        Raster {
            width: nw,
            height: nh,
            rgb,
        }
    }

    /// The raster mirrored left to right.
    pub fn mirrored(&self) -> Raster {
        let w = self.width as usize;
        let mut rgb = Vec::with_capacity(self.rgb.len());
        for row in self.rgb.chunks_exact(w.max(1) * 3) {
            for px in row.chunks_exact(3).rev() {
                rgb.extend_from_slice(px);
            }
        }
        Raster {
            width: self.width,
            height: self.height,
            rgb,
        }
    }

    /// The raster scaled to `width`×`height` (triangle filter).
    pub fn resized(&self, width: u32, height: u32) -> Raster {
        let (width, height) = (width.max(1), height.max(1));
        if (width, height) == (self.width, self.height) {
            return self.clone();
        }
        match image::RgbImage::from_raw(self.width, self.height, self.rgb.clone()) {
            Some(img) => {
                let out = image::imageops::resize(
                    &img,
                    width,
                    height,
                    image::imageops::FilterType::Triangle,
                );
                Raster {
                    width,
                    height,
                    rgb: out.into_raw(),
                }
            }
            None => Raster::filled(width, height, 255),
        }
    }

    /// The window of at most `width`×`height` pixels starting at (`x`, `y`),
    /// moved back inside the raster where it overflows.
    pub fn window(&self, x: u32, y: u32, width: u32, height: u32) -> Raster {
        let w = width.min(self.width);
        let h = height.min(self.height);
        let x = x.min(self.width - w);
        let y = y.min(self.height - h);
        if (x, y, w, h) == (0, 0, self.width, self.height) {
            return self.clone();
        }
        let mut rgb = Vec::with_capacity((w as usize) * (h as usize) * 3);
        let stride = self.width as usize * 3;
        for row in y..y + h {
            let start = row as usize * stride + x as usize * 3;
            match self.rgb.get(start..start + w as usize * 3) {
                Some(line) => rgb.extend_from_slice(line),
                None => rgb.extend(std::iter::repeat_n(255, w as usize * 3)),
            }
        }
        Raster {
            width: w,
            height: h,
            rgb,
        }
    }

    /// The share (0 to 1) of pixels that are not (nearly) white.
    pub fn ink(&self) -> f64 {
        let n = (self.width as usize) * (self.height as usize);
        if n == 0 {
            return 0.0;
        }
        let inked = self
            .rgb
            .chunks_exact(3)
            .filter(|p| p.iter().any(|&v| v < 200))
            .count();
        inked as f64 / n as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// 3×2: pixel values 0..6 in the red channel.
    fn numbered() -> Raster {
        Raster {
            width: 3,
            height: 2,
            rgb: (0..6u8).flat_map(|v| [v, 0, 0]).collect(),
        }
    }

    fn reds(r: &Raster) -> Vec<u8> {
        r.rgb.chunks_exact(3).map(|p| p[0]).collect()
    }

    #[test]
    fn quarter_turns_move_the_corners() {
        let r = numbered();
        // 0 1 2      3 0
        // 3 4 5  ->  4 1
        //            5 2
        let q = r.rotated(Rotation::Quarter);
        assert_eq!((q.width, q.height), (2, 3));
        assert_eq!(reds(&q), vec![3, 0, 4, 1, 5, 2]);
        assert_eq!(reds(&r.rotated(Rotation::Half)), vec![5, 4, 3, 2, 1, 0]);
        assert_eq!(
            reds(&r.rotated(Rotation::ThreeQuarters)),
            vec![2, 5, 1, 4, 0, 3]
        );
        let back = q
            .rotated(Rotation::Quarter)
            .rotated(Rotation::Quarter)
            .rotated(Rotation::Quarter);
        assert_eq!(back, r);
        assert_eq!(
            Rotation::Quarter.then(Rotation::ThreeQuarters),
            Rotation::None
        );
    }

    #[test]
    fn windows_stay_inside_the_raster() {
        let r = numbered();
        assert_eq!(reds(&r.window(1, 0, 2, 1)), vec![1, 2]);
        // Past the right edge: moved back.
        assert_eq!(reds(&r.window(5, 5, 2, 2)), vec![1, 2, 4, 5]);
        // Larger than the raster: the whole raster.
        assert_eq!(r.window(0, 0, 10, 10), r);
    }

    #[test]
    fn ink_counts_dark_pixels() {
        assert_eq!(Raster::filled(4, 4, 255).ink(), 0.0);
        let mut r = Raster::filled(2, 1, 255);
        r.rgb[0] = 0;
        assert!((r.ink() - 0.5).abs() < 1e-9);
    }
}
