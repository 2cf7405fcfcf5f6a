//! The streaming, all-or-nothing bundle reader.

use std::io::Read;

use super::error::BundleError;
use super::keys::TrustedKey;
use super::manifest::{BundleKind, Manifest, ManifestEntry};

/// What the reader needs to know.
pub struct ReadOptions<'a> {
    /// The reader's own age identities (its recipient must be the manifest's).
    pub identities: &'a [age::x25519::Identity],
    /// The signers the reader trusts.
    pub trusted: &'a [TrustedKey],
    /// The kind of bundle expected.
    pub expected_kind: BundleKind,
}

/// Receives documents as they stream; nothing it stages may become visible
/// until `read_bundle` has returned `Ok`.
pub trait DocumentSink {
    /// Consumes one document's bytes (`data` is hashed and size-limited by the
    /// reader as the sink reads it; the sink must read it to its end).
    fn document(&mut self, entry: &ManifestEntry, data: &mut dyn Read) -> std::io::Result<()>;

    /// Like [`DocumentSink::document`], with the offset of the document's
    /// bytes in the age plaintext (the tar data position), so that a store
    /// can later seek to it in the encrypted bundle file.
    fn document_at(
        &mut self,
        entry: &ManifestEntry,
        _offset: u64,
        data: &mut dyn Read,
    ) -> std::io::Result<()> {
        self.document(entry, data)
    }
}

/// A sink that keeps documents in memory (tests, small bundles).
#[derive(Default)]
pub struct MemorySink {
    pub documents: Vec<(String, Vec<u8>)>,
}

/// A bundle whose every check passed.
pub struct VerifiedBundle {
    pub manifest: Manifest,
    /// The exact signed bytes of `manifest.json`.
    pub manifest_bytes: Vec<u8>,
    /// `requests/<id>.json` or `opinions/<id>.json`: (id, exact bytes), archive order.
    pub records: Vec<(String, Vec<u8>)>,
}

/// Reads, decrypts and verifies a bundle.
pub fn read_bundle(
    _input: impl Read,
    _options: &ReadOptions<'_>,
    _sink: &mut dyn DocumentSink,
) -> Result<VerifiedBundle, BundleError> {
    unimplemented!()
}
