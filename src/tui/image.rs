//! Images for the document viewer: JPEG and PNG scans (and binary PPM)
//! decoded on the worker, with size limits, into a small RGB thumbnail that
//! [`super::graphics`] encodes for the terminal (sixel, kitty, iTerm2 or
//! half blocks) and [`super::widgets::halfblocks`] draws in grey shades.

use std::io::Cursor;

use super::worker::DocumentContent;

/// Largest image accepted, in pixels (a scan at 300 dpi is well under).
const MAX_PIXELS: u64 = 30_000_000;
/// The thumbnail's largest side: more than any terminal shows.
const THUMB: u32 = 400;

fn unreadable() -> DocumentContent {
    DocumentContent::Unavailable(
        "cette image est illisible ou trop grande pour l'aperçu : touche o pour l'ouvrir dans la visionneuse du système".into(),
    )
}

/// Decodes an image; `None` when the bytes are no image format known here.
pub fn decode(bytes: &[u8]) -> Option<DocumentContent> {
    let decoded = if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        decode_jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(b"P6") {
        decode_ppm(bytes)
    } else {
        return None;
    };
    Some(match decoded {
        Some((width, height, rgb)) => {
            let (width, height, rgb) = thumbnail(width, height, &rgb);
            DocumentContent::Image { width, height, rgb }
        }
        None => unreadable(),
    })
}

fn too_big(width: u32, height: u32) -> bool {
    width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS
}

fn decode_jpeg(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if too_big(w, h) {
        return None;
    }
    decoder.set_max_decoding_buffer_size((MAX_PIXELS * 4) as usize);
    let pixels = decoder.decode().ok()?;
    let n = (w as usize) * (h as usize);
    let rgb = match info.pixel_format {
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
    (rgb.len() >= n * 3).then_some((w, h, rgb))
}

fn decode_png(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: (MAX_PIXELS * 4) as usize,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (w, h) = reader.info().size();
    if too_big(w, h) {
        return None;
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut buf).ok()?;
    buf.truncate(frame.buffer_size());
    let rgb: Vec<u8> = match frame.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|c| {
                let a = u16::from(c[3]);
                let f = |v: u8| ((u16::from(v) * a + 255 * (255 - a)) / 255) as u8;
                [f(c[0]), f(c[1]), f(c[2])]
            })
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&l| [l, l, l]).collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|c| {
                let a = u16::from(c[1]);
                let l = ((u16::from(c[0]) * a + 255 * (255 - a)) / 255) as u8;
                [l, l, l]
            })
            .collect(),
        png::ColorType::Indexed => return None,
    };
    (rgb.len() >= (w as usize) * (h as usize) * 3).then_some((w, h, rgb))
}

fn decode_ppm(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let rest = bytes.strip_prefix(b"P6")?;
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
        let n: u32 = std::str::from_utf8(rest.get(start..i)?)
            .ok()?
            .parse()
            .ok()?;
        fields.push(n);
    }
    let (width, height, max) = (fields[0], fields[1], fields[2]);
    if max != 255 || too_big(width, height) {
        return None;
    }
    let data = rest.get(i + 1..)?;
    let len = (width as usize) * (height as usize) * 3;
    Some((width, height, data.get(..len)?.to_vec()))
}

/// Scales an RGB image down (nearest pixel) so that its largest side is at
/// most [`THUMB`].
fn thumbnail(width: u32, height: u32, rgb: &[u8]) -> (u32, u32, Vec<u8>) {
    let largest = width.max(height);
    if largest <= THUMB {
        return (width, height, rgb.to_vec());
    }
    let tw = ((u64::from(width) * u64::from(THUMB)) / u64::from(largest)).max(1) as u32;
    let th = ((u64::from(height) * u64::from(THUMB)) / u64::from(largest)).max(1) as u32;
    let mut out = Vec::with_capacity((tw * th * 3) as usize);
    for y in 0..th {
        let sy = (u64::from(y) * u64::from(height) / u64::from(th)) as usize;
        for x in 0..tw {
            let sx = (u64::from(x) * u64::from(width) / u64::from(tw)) as usize;
            let i = (sy * width as usize + sx) * 3;
            out.extend_from_slice(rgb.get(i..i + 3).unwrap_or(&[0, 0, 0]));
        }
    }
    (tw, th, out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_tiny_ppm() {
        let mut b = b"P6\n# c\n2 1\n255\n".to_vec();
        b.extend_from_slice(&[255, 0, 0, 0, 0, 255]);
        match decode(&b) {
            Some(DocumentContent::Image { width, height, rgb }) => {
                assert_eq!((width, height), (2, 1));
                assert_eq!(rgb, vec![255, 0, 0, 0, 0, 255]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn corrupt_images_are_reported_and_unknown_formats_ignored() {
        assert!(matches!(
            decode(b"P6\n2 2\n255\n\x00"),
            Some(DocumentContent::Unavailable(_))
        ));
        assert!(matches!(
            decode(b"\xff\xd8\xff\xe0garbage"),
            Some(DocumentContent::Unavailable(_))
        ));
        assert!(decode(b"plain text").is_none());
    }

    #[test]
    fn fixture_scans_decode_into_thumbnails() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/documents");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if bytes.starts_with(b"%PDF") {
                continue;
            }
            match decode(&bytes) {
                Some(DocumentContent::Image { width, height, rgb }) => {
                    assert!(width <= THUMB && height <= THUMB);
                    assert_eq!(rgb.len(), (width * height * 3) as usize);
                    seen += 1;
                }
                other => panic!("a fixture scan did not decode: {other:?}"),
            }
        }
        assert!(seen >= 10, "expected the JPEG and PNG scans, saw {seen}");
    }
}
