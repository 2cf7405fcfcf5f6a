//! Images for the document viewer: a small decoder for the formats the
//! crate can read without an image library (binary PPM, `P6`), and the
//! half-block rendering (two pixels per terminal cell, `▀` with foreground
//! and background colours) done by [`super::widgets::halfblocks`].

use super::worker::DocumentContent;

/// Largest image accepted, in pixels (a scan at 300 dpi is well under).
const MAX_PIXELS: u64 = 40_000_000;

/// Decodes a binary PPM; `None` for anything else or anything malformed.
pub fn decode(bytes: &[u8]) -> Option<DocumentContent> {
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
    if max != 255 || width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return None;
    }
    let data = rest.get(i + 1..)?;
    let len = (width as usize) * (height as usize) * 3;
    let rgb = data.get(..len)?.to_vec();
    Some(DocumentContent::Image { width, height, rgb })
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
                assert_eq!(rgb.len(), 6);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn refuses_truncated_or_other_formats() {
        assert!(decode(b"P6\n2 2\n255\n\x00").is_none());
        assert!(decode(b"\xff\xd8\xff").is_none());
    }
}
