//! The avis bundle format, version 1 (docs/bundle-format.md): an age stream
//! holding a tar archive whose first two entries are `manifest.json` and its
//! minisign signature.
//!
//! The reader verifies everything before handing anything over as accepted;
//! the writer produces what the reference `age`, `minisign` and `tar` read.

pub mod error;
pub mod keys;
pub mod limits;
pub mod manifest;
pub mod paths;
pub mod reader;
pub mod writer;

pub use error::BundleError;
pub use keys::{SigningKey, TrustedKey};
pub use manifest::{BundleKind, Manifest, ManifestEntry, Party};

pub use reader::{read_bundle, DocumentSink, MemorySink, ReadOptions, VerifiedBundle};
pub use writer::{write_bundle, BundleContent, BundleHeader, OutEntry};
