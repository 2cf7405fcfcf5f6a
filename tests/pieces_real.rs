//! Real-world pièces nobody here wrote (tests/data/real, origins and
//! licences in its NOTICE): each opens with its true page count (as poppler
//! counts them) and every page tried shows visible content.

use std::path::PathBuf;

use avis::pieces::{Fit, Piece, PieceError, PieceKind, RenderSpec, Rotation};
use zeroize::Zeroizing;

fn real(name: &str) -> Zeroizing<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real")
        .join(name);
    Zeroizing::new(std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn spec(view: (u32, u32)) -> RenderSpec {
    RenderSpec {
        rotation: Rotation::None,
        fit: Fit::Page,
        zoom: 1.0,
        view,
    }
}

/// (file, pages as poppler's pdfinfo counts them, has a text layer).
const PDFS: &[(&str, usize, bool)] = &[
    ("002-trivial-libre-office-writer.pdf", 1, true),
    ("GeoTopo-komprimiert.pdf", 117, true),
    ("ccitt_EndOfBlock_false.pdf", 1, false),
    ("cmyk-image.pdf", 1, false),
    ("cmykjpeg.pdf", 1, false),
    ("google-doc-document.pdf", 1, true),
    ("grayscale-image.pdf", 1, false),
    // One Arabic word a page: little ink, too few letters for a text view.
    ("habibi-rotated.pdf", 4, false),
    ("imagemagick-CCITTFaxDecode.pdf", 1, false),
    ("imagemagick-images.pdf", 6, false),
    ("imagemagick-lzw.pdf", 1, false),
    ("img2pdf-ccitt-g4.pdf", 1, false),
    ("img2pdf-scan-2pages.pdf", 2, false),
    ("pdflatex-4-pages.pdf", 4, true),
    ("pdflatex-image.pdf", 1, true),
    ("scan-bad.pdf", 1, false),
    ("xref_command_missing.pdf", 1, false),
];

#[test]
fn every_real_pdf_opens_with_its_true_page_count_and_visible_pages() {
    let mut failures = Vec::new();
    for &(name, pages, text) in PDFS {
        let piece = match Piece::open(real(name), "application/pdf") {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e:?}"));
                continue;
            }
        };
        assert_eq!(piece.kind(), PieceKind::Pdf, "{name}");
        if piece.page_count() != pages {
            failures.push(format!("{name}: {} pages, not {pages}", piece.page_count()));
        }
        // The first and the last page (the book: its first two as well).
        let mut tried = vec![0, pages - 1];
        tried.dedup();
        for page in tried {
            match piece.render(page, &spec((300, 400))) {
                Ok(r) => {
                    assert!(r.width <= 300 && r.height <= 400, "{name}: {r:?}");
                    // Fitted (hayro rounds its pixmap down by a pixel at most).
                    assert!(r.width >= 298 || r.height >= 398, "{name}: fitted {r:?}");
                    if r.ink() < 0.0002 {
                        failures.push(format!("{name} page {}: blank ({})", page + 1, r.ink()));
                    }
                }
                Err(e) => failures.push(format!("{name} page {}: {e:?}", page + 1)),
            }
        }
        let words = piece
            .text(0)
            .map(|t| avis::pieces::usable_text(&t))
            .unwrap_or(false);
        if words != text {
            failures.push(format!("{name}: text layer {words}, expected {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_encrypted_pdf_says_it_is_password_protected() {
    let err = Piece::open(real("libreoffice-writer-password.pdf"), "application/pdf")
        .err()
        .unwrap();
    assert_eq!(err, PieceError::PasswordProtected);
    assert!(err.to_string().contains("mot de passe"), "{err}");
}

#[test]
fn a_sideways_phone_photo_is_shown_upright() {
    let piece = Piece::open(real("photo-exif-orientation-6.jpg"), "image/jpeg").unwrap();
    assert_eq!(piece.kind(), PieceKind::Image);
    let (w, h) = piece.page_size(0).unwrap();
    assert!(h > w, "stored landscape, shown portrait: {w}×{h}");
    let r = piece.render(0, &spec((200, 260))).unwrap();
    // The page's heading is at its top: more ink in the top third.
    let third = (r.height / 3) as usize * r.width as usize * 3;
    let ink = |px: &[u8]| px.chunks_exact(3).filter(|p| p[0] < 200).count();
    let top = ink(&r.rgb[..third]);
    let bottom = ink(&r.rgb[r.rgb.len() - third..]);
    assert!(top > bottom * 2, "upright: top {top}, bottom {bottom}");
    assert!(r.ink() > 0.001);
}

#[test]
fn a_palette_png_scan_renders() {
    let piece = Piece::open(real("scan-indexed.png"), "image/png").unwrap();
    assert_eq!(piece.page_count(), 1);
    assert!(piece.render(0, &spec((160, 200))).unwrap().ink() > 0.001);
}

#[test]
fn a_scan_turns_by_quarter_turns_and_zooms_within_the_cap() {
    let piece = Piece::open(real("img2pdf-ccitt-g4.pdf"), "application/pdf").unwrap();
    let upright = piece.render(0, &spec((400, 400))).unwrap();
    let turned = piece
        .render(
            0,
            &RenderSpec {
                rotation: Rotation::Quarter,
                ..spec((400, 400))
            },
        )
        .unwrap();
    assert_eq!(
        (turned.width, turned.height),
        (upright.height, upright.width)
    );
    let zoomed = piece
        .render(
            0,
            &RenderSpec {
                zoom: 3.0,
                ..spec((400, 400))
            },
        )
        .unwrap();
    assert!(zoomed.width > upright.width * 2);
}

#[test]
fn a_bilan_keeps_its_columns_in_the_text_view() {
    // LibreOffice's text: the lines come out in reading order.
    let piece = Piece::open(
        real("002-trivial-libre-office-writer.pdf"),
        "application/pdf",
    )
    .unwrap();
    let text = piece.text(0).unwrap();
    assert!(text.lines().any(|l| !l.trim().is_empty()), "{text}");
}
