//! The bundle writer: tar (manifest, signature, entries) streamed into age.

use std::io::Write;
use std::path::PathBuf;

use super::error::BundleError;
use super::keys::SigningKey;
use super::manifest::{BundleKind, Party};

/// Where an entry's bytes come from.
pub enum BundleContent {
    Bytes(Vec<u8>),
    /// Read twice: once to hash, once to write.
    File(PathBuf),
}

/// One entry to write (`requests/<id>.json`, `opinions/<id>.json`, `documents/<sha256>`).
pub struct OutEntry {
    pub path: String,
    pub content: BundleContent,
}

/// Everything the manifest says besides its entries.
pub struct BundleHeader {
    pub kind: BundleKind,
    pub sequence: u64,
    pub issuer: Party,
    pub recipient: Party,
    pub in_reply_to: Vec<String>,
}

/// Writes a signed, encrypted bundle to `out`, encrypted to every recipient
/// in `recipients` (`age1…` strings). Returns the manifest's `bundle_id`.
pub fn write_bundle(
    _out: impl Write,
    _header: BundleHeader,
    _entries: Vec<OutEntry>,
    _signer: &SigningKey,
    _recipients: &[age::x25519::Recipient],
) -> Result<String, BundleError> {
    unimplemented!()
}
