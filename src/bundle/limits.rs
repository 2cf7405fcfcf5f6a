//! Size and count limits of the bundle format v1 (docs/bundle-format.md).

/// `manifest.json`: 16 MiB.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// `manifest.json.minisig`: 4 KiB.
pub const MAX_SIGNATURE_BYTES: u64 = 4 * 1024;
/// `requests/<id>.json` and `opinions/<id>.json`: 1 MiB.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;
/// `documents/<sha256>`: 64 MiB.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Archive entries, manifest and signature included.
pub const MAX_ENTRIES: usize = 100_000;
/// Longest `<id>`.
pub const MAX_ID_LEN: usize = 64;
/// The only format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The `format` field's value.
pub const FORMAT_NAME: &str = "avis-bundle";
/// A pax extended header (`x`) or GNU long name (`L`) before an entry: GNU
/// tar writes a few hundred bytes; anything above this is refused.
pub const MAX_EXTENSION_BYTES: u64 = 64 * 1024;
/// Highest `sequence` accepted: far above any real count of bundles, and
/// far below `u64::MAX`, so that one hostile or mistaken bundle cannot make
/// every later one a replay (nor overflow a JSON number).
pub const MAX_SEQUENCE: u64 = 1_000_000_000;
