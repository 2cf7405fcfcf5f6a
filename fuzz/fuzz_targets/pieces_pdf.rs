//! The PDF path of the pièces' viewer: any bytes given as a PDF open or are
//! refused, and a few pages render and give their text, without panicking
//! (in avis the decoders also run contained; here a panic is a finding).
#![no_main]

use avis::pieces::{Fit, Piece, RenderSpec, Rotation};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

fuzz_target!(|data: &[u8]| {
    let Ok(piece) = Piece::open(Zeroizing::new(data.to_vec()), "application/pdf") else {
        return;
    };
    let spec = RenderSpec {
        rotation: Rotation::Quarter,
        fit: Fit::Page,
        zoom: 1.0,
        view: (64, 64),
    };
    for page in 0..piece.page_count().min(3) {
        let _ = piece.render(page, &spec);
        let _ = piece.text(page);
    }
});
