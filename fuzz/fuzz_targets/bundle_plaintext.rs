//! The tar layer: arbitrary bytes as the decrypted archive.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    let encrypted = harness::encrypt(data);
    harness::read(&encrypted, avis::bundle::BundleKind::Assignment);
});
