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

impl SigningKey {
    /// Parses a minisign secret key file (placeholder until the bundle module lands).
    pub fn from_file_contents(
        _text: &str,
        _password: Option<&secrecy::SecretString>,
    ) -> Result<SigningKey, super::BundleError> {
        Err(super::BundleError::Io(std::io::Error::other(
            "indisponible",
        )))
    }
}
