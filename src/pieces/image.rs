//! Photos and scans sent as images (JPEG, PNG, binary PPM): decoded once,
//! under a pixel budget, at a reduced size (a 12-megapixel JPEG is decoded
//! at a half or a quarter by its own DCT scaling, never at full size), and
//! turned upright from the JPEG's EXIF orientation.

use std::io::Cursor;

use super::raster::{Raster, Rotation};
use super::PieceError;

/// Largest image accepted, in pixels (a phone photo is 12 to 50).
pub const MAX_PIXELS: u64 = 64_000_000;
/// The decoded image's largest side: enough to zoom into a page.
pub const BASE_SIDE: u32 = 2400;

/// The side the JPEG's DCT scaling must still cover (a 4000×3000 photo
/// is decoded at 2000×1500).
const DCT_SIDE: u32 = 1600;

/// An image ready to be drawn at any size.
pub struct ImagePiece {
    /// Upright, at most [`BASE_SIDE`] on its largest side.
    base: Raster,
    /// The original's size, upright.
    pub size: (u32, u32),
}

impl ImagePiece {
    /// The image at `width`×`height`.
    pub fn render(&self, width: u32, height: u32) -> Raster {
        self.base.resized(width, height)
    }
}

/// Whether the bytes look like an image this module decodes.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xff, 0xd8, 0xff])
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(b"P6")
}

/// Decodes an image.
pub fn open(bytes: &[u8]) -> Result<ImagePiece, PieceError> {
    let (raster, orientation) = if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        decode_jpeg(bytes)?
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        (decode_png(bytes)?, 1)
    } else if bytes.starts_with(b"P6") {
        (decode_ppm(bytes)?, 1)
    } else {
        return Err(PieceError::Unsupported);
    };
    let (w, h) = (raster.width, raster.height);
    let scale = f64::from(BASE_SIDE) / f64::from(w.max(h));
    let base = if scale < 1.0 {
        raster.resized(
            ((f64::from(w) * scale).round() as u32).max(1),
            ((f64::from(h) * scale).round() as u32).max(1),
        )
    } else {
        raster
    };
    let base = orient(base, orientation);
    Ok(ImagePiece {
        size: (base.width, base.height),
        base,
    })
}

/// Applies an EXIF orientation (1 to 8) to the stored pixels.
pub fn orient(r: Raster, orientation: u32) -> Raster {
    match orientation {
        2 => r.mirrored(),
        3 => r.rotated(Rotation::Half),
        4 => r.rotated(Rotation::Half).mirrored(),
        5 => r.rotated(Rotation::Quarter).mirrored(),
        6 => r.rotated(Rotation::Quarter),
        7 => r.rotated(Rotation::ThreeQuarters).mirrored(),
        8 => r.rotated(Rotation::ThreeQuarters),
        _ => r,
    }
}

fn too_big(width: u32, height: u32) -> bool {
    width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS
}

/// The EXIF orientation tag of a JPEG's APP1 segment (1 when absent).
fn exif_orientation(exif: Option<&[u8]>) -> u32 {
    let Some(raw) = exif else { return 1 };
    exif::Reader::new()
        .read_raw(raw.to_vec())
        .ok()
        .and_then(|e| {
            e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
        })
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

fn decode_jpeg(bytes: &[u8]) -> Result<(Raster, u32), PieceError> {
    let bad = |_| PieceError::UnreadableImage;
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(bad)?;
    let info = decoder.info().ok_or(PieceError::UnreadableImage)?;
    if too_big(u32::from(info.width), u32::from(info.height)) {
        return Err(PieceError::TooLarge);
    }
    // The DCT decodes at 1/2, 1/4 or 1/8 when that still covers DCT_SIDE.
    let side = u16::try_from(DCT_SIDE).unwrap_or(u16::MAX);
    // Both sides asked for (one side alone would be covered by 1/8).
    let (iw, ih) = (u32::from(info.width.max(1)), u32::from(info.height.max(1)));
    let (rw, rh) = if iw >= ih {
        (
            side,
            u16::try_from(u32::from(side) * ih / iw)
                .unwrap_or(side)
                .max(1),
        )
    } else {
        (
            u16::try_from(u32::from(side) * iw / ih)
                .unwrap_or(side)
                .max(1),
            side,
        )
    };
    let (w, h) = decoder.scale(rw, rh).map_err(bad)?;
    decoder.set_max_decoding_buffer_size((MAX_PIXELS * 4) as usize);
    let pixels = decoder.decode().map_err(bad)?;
    let orientation = exif_orientation(decoder.exif_data());
    let info = decoder.info().ok_or(PieceError::UnreadableImage)?;
    let (w, h) = (u32::from(w), u32::from(h));
    let n = (w as usize) * (h as usize);
    let rgb: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|c| [c[0], c[0], c[0]])
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|c| {
                let k = u16::from(255 - c[3]);
                let f = |v: u8| ((u16::from(255 - v) * k) / 255) as u8;
                [f(c[0]), f(c[1]), f(c[2])]
            })
            .collect(),
    };
    if rgb.len() < n * 3 {
        return Err(PieceError::UnreadableImage);
    }
    Ok((
        Raster {
            width: w,
            height: h,
            rgb,
        },
        orientation,
    ))
}

fn decode_png(bytes: &[u8]) -> Result<Raster, PieceError> {
    let bad = |_| PieceError::UnreadableImage;
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: (MAX_PIXELS * 4) as usize,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(bad)?;
    let (w, h) = reader.info().size();
    if too_big(w, h) {
        return Err(PieceError::TooLarge);
    }
    let mut buf = vec![0; reader.output_buffer_size().ok_or(PieceError::TooLarge)?];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(frame.buffer_size());
    let over_white = |v: u8, a: u8| {
        let a = u16::from(a);
        ((u16::from(v) * a + 255 * (255 - a)) / 255) as u8
    };
    let rgb: Vec<u8> = match frame.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|c| {
                [
                    over_white(c[0], c[3]),
                    over_white(c[1], c[3]),
                    over_white(c[2], c[3]),
                ]
            })
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&l| [l, l, l]).collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|c| {
                let l = over_white(c[0], c[1]);
                [l, l, l]
            })
            .collect(),
        // normalize_to_color8 expands palettes.
        png::ColorType::Indexed => return Err(PieceError::UnreadableImage),
    };
    if rgb.len() < (w as usize) * (h as usize) * 3 {
        return Err(PieceError::UnreadableImage);
    }
    Ok(Raster {
        width: w,
        height: h,
        rgb,
    })
}

fn decode_ppm(bytes: &[u8]) -> Result<Raster, PieceError> {
    let bad = PieceError::UnreadableImage;
    let rest = bytes
        .strip_prefix(b"P6")
        .ok_or(PieceError::UnreadableImage)?;
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 3 {
        while i < rest.len() && (rest[i].is_ascii_whitespace() || rest[i] == b'#') {
            if rest[i] == b'#' {
                while i < rest.len() && rest[i] != b'\n' {
                    i += 1;
                }
            } else {
                i += 1;
            }
        }
        let start = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        let n: u32 = std::str::from_utf8(rest.get(start..i).ok_or(PieceError::UnreadableImage)?)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(PieceError::UnreadableImage)?;
        fields.push(n);
    }
    let (width, height, max) = (fields[0], fields[1], fields[2]);
    if too_big(width, height) {
        return Err(PieceError::TooLarge);
    }
    if max != 255 {
        return Err(bad);
    }
    let data = rest.get(i + 1..).ok_or(PieceError::UnreadableImage)?;
    let len = (width as usize) * (height as usize) * 3;
    Ok(Raster {
        width,
        height,
        rgb: data.get(..len).ok_or(PieceError::UnreadableImage)?.to_vec(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_tiny_ppm() {
        let mut b = b"P6\n# c\n2 1\n255\n".to_vec();
        b.extend_from_slice(&[255, 0, 0, 0, 0, 255]);
        let img = open(&b).unwrap();
        assert_eq!(img.size, (2, 1));
        assert_eq!(img.render(2, 1).rgb, vec![255, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn corrupt_images_are_reported() {
        assert!(matches!(
            open(b"P6\n2 2\n255\n\x00"),
            Err(PieceError::UnreadableImage)
        ));
        assert!(matches!(
            open(b"\xff\xd8\xff\xe0garbage"),
            Err(PieceError::UnreadableImage)
        ));
        assert!(matches!(
            open(b"P6\n90000 90000\n255\n"),
            Err(PieceError::TooLarge)
        ));
        assert!(matches!(open(b"plain text"), Err(PieceError::Unsupported)));
    }

    #[test]
    fn exif_orientations_turn_the_pixels() {
        // 2×1: black then white.
        let r = Raster {
            width: 2,
            height: 1,
            rgb: vec![0, 0, 0, 255, 255, 255],
        };
        let six = orient(r.clone(), 6);
        assert_eq!((six.width, six.height), (1, 2));
        assert_eq!(six.rgb[0], 0, "black on top after a quarter turn");
        let eight = orient(r.clone(), 8);
        assert_eq!(eight.rgb[0], 255, "white on top the other way");
        assert_eq!(orient(r.clone(), 2).rgb[0], 255, "mirrored");
        assert_eq!(orient(r.clone(), 1), r);
        assert_eq!(exif_orientation(None), 1);
        assert_eq!(exif_orientation(Some(b"garbage")), 1);
    }

    #[test]
    fn fixture_scans_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/documents");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if !is_image(&bytes) {
                continue;
            }
            let img = open(&bytes).unwrap();
            assert!(img.size.0 <= BASE_SIDE && img.size.1 <= BASE_SIDE);
            let r = img.render(100, 100);
            assert_eq!(r.rgb.len(), 100 * 100 * 3);
            seen += 1;
        }
        assert!(seen >= 10, "expected the JPEG and PNG scans, saw {seen}");
    }
}
