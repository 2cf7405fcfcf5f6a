//! Signing keys (minisign) as the bundle layer uses them.

/// A minisign public key trusted to sign bundles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// Who it belongs to, as the doctor named it.
    pub name: String,
    /// The base64 key line of the `.pub` file (`RW…`).
    pub public_key: String,
}

/// A decrypted minisign secret key, ready to sign.
pub struct SigningKey {
    // filled in by the bundle module
}
