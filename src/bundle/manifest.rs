//! `manifest.json`: the signed table of contents of a bundle.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The two kinds of bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// Rectorat → doctor: requests and documents.
    Assignment,
    /// Doctor → rectorat: avis médicaux.
    Opinions,
}

/// Issuer or recipient of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    /// minisign public key, base64 line of a `.pub` file (optional for a recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// age X25519 recipient (`age1…`).
    pub age_recipient: String,
}

/// One entry listed by the manifest (every archive entry but the first two).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// The manifest, as signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub kind: BundleKind,
    pub bundle_id: String,
    pub created_at: DateTime<Utc>,
    pub sequence: u64,
    pub issuer: Party,
    pub recipient: Party,
    #[serde(default)]
    pub in_reply_to: Vec<String>,
    pub entries: Vec<ManifestEntry>,
}
