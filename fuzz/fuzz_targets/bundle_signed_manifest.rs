//! The manifest and entry checks behind a valid signature: the fuzzer writes
//! the manifest (and one entry), the harness signs and encrypts it, so the
//! reader's checks after the signature are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    // First byte: how to split the input between manifest and one entry.
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let cut = (split as usize * rest.len()) / 255;
    let (manifest, entry) = rest.split_at(cut.min(rest.len()));
    let keys = harness::keys();
    let Ok(signature) = keys.signer.sign(manifest, "fuzz") else {
        return;
    };
    let mut builder = tar::Builder::new(Vec::new());
    harness::append(&mut builder, "manifest.json", manifest);
    harness::append(&mut builder, "manifest.json.minisig", signature.as_bytes());
    harness::append(&mut builder, "requests/AMX-2027-000001.json", entry);
    let Ok(archive) = builder.into_inner() else {
        return;
    };
    let encrypted = harness::encrypt(&archive);
    harness::read(&encrypted, avis::bundle::BundleKind::Assignment);
});
