//! The whole reader on arbitrary input (age header parsing, armor, limits).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::read(data, avis::bundle::BundleKind::Opinions);
});
