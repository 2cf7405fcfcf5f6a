//! Keys as the bundle layer uses them: minisign signing keys (secret and
//! public key files as `minisign -G` writes them) and age X25519 recipients
//! and identities (as `age-keygen` writes them).

use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::error::BundleError;

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
    pub(crate) secret: minisign::SecretKey,
    pub(crate) public: minisign::PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public_key_base64())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parses a minisign secret key file (as `minisign -G` writes it, with or
    /// without a password). A password-protected key needs `password`.
    pub fn from_file_contents(
        text: &str,
        password: Option<&SecretString>,
    ) -> Result<SigningKey, BundleError> {
        let text = normalise_key_file(text).ok_or(BundleError::InvalidSecretKey)?;
        let line = text.lines().nth(1).ok_or(BundleError::InvalidSecretKey)?;
        let bytes =
            Zeroizing::new(decode_base64(line.trim()).ok_or(BundleError::InvalidSecretKey)?);
        match bytes.get(2..4) {
            // No KDF: `minisign -G -W` (which leaves the checksum at zero).
            Some([0, 0]) => {
                let secret = minisign::SecretKey::from_bytes(&bytes)
                    .map_err(|_| BundleError::InvalidSecretKey)?;
                Self::from_secret(secret)
            }
            Some(b"Sc") => {
                let password = password.ok_or(BundleError::PasswordRequired)?;
                if password.expose_secret().is_empty() {
                    return Err(BundleError::WrongPassword);
                }
                let password = Zeroizing::new(password.expose_secret().to_owned());
                let secret = minisign::SecretKey::from_box(
                    minisign::SecretKeyBox::from_string(&text)
                        .map_err(|_| BundleError::InvalidSecretKey)?,
                    Some(String::clone(&password)),
                )
                .map_err(|e| {
                    if is_wrong_password(&e) {
                        BundleError::WrongPassword
                    } else {
                        BundleError::InvalidSecretKey
                    }
                })?;
                Self::from_secret(secret)
            }
            _ => Err(BundleError::InvalidSecretKey),
        }
    }

    fn from_secret(secret: minisign::SecretKey) -> Result<SigningKey, BundleError> {
        // Mark the (now decrypted) key as unencrypted: kdf_alg = 0, so that its
        // serialisation is a valid password-less minisign key file.
        let mut bytes = Zeroizing::new(secret.to_bytes());
        if bytes.len() < 54 {
            return Err(BundleError::InvalidSecretKey);
        }
        // kdf_alg, kdf salt, opslimit, memlimit: none.
        for byte in &mut bytes[2..4] {
            *byte = 0;
        }
        for byte in &mut bytes[6..54] {
            *byte = 0;
        }
        let secret =
            minisign::SecretKey::from_bytes(&bytes).map_err(|_| BundleError::InvalidSecretKey)?;
        let public = minisign::PublicKey::from_secret_key(&secret)
            .map_err(|_| BundleError::InvalidSecretKey)?;
        Ok(SigningKey { secret, public })
    }

    /// Generates a new key pair. Returns the key and its public key file text
    /// (as `minisign -G` writes a `.pub` file).
    pub fn generate() -> Result<(SigningKey, String), BundleError> {
        let pair = minisign::KeyPair::generate_encrypted_keypair(Some(String::new()))
            .map_err(|_| BundleError::Signing)?;
        let key = Self::from_secret(pair.sk)?;
        let public = key.public_key_file();
        Ok((key, public))
    }

    /// The secret key file text, unencrypted (as `minisign -G -W` writes it).
    /// Keep it encrypted at rest.
    pub fn to_secret_key_file(&self) -> Zeroizing<String> {
        let text = self
            .secret
            .to_box(Some("minisign secret key (avis)"))
            .map(|b| b.into_string())
            .unwrap_or_default();
        Zeroizing::new(text)
    }

    /// The public key file text (`untrusted comment:` line + base64 line).
    pub fn public_key_file(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.key_id(),
            self.public_key_base64()
        )
    }

    /// The base64 public key line (`RW…`).
    pub fn public_key_base64(&self) -> String {
        self.public.to_base64()
    }

    /// The minisign key id, 16 uppercase hex digits (as minisign prints it).
    pub fn key_id(&self) -> String {
        key_id_hex(self.public.keynum())
    }

    /// Signs `data` (prehashed, minisign's default). Returns the signature
    /// file text.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String, BundleError> {
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            std::io::Cursor::new(data),
            Some(trusted_comment),
            Some("signature from avis secret key"),
        )
        .map_err(|_| BundleError::Signing)?;
        Ok(signature.into_string())
    }
}

/// Standard base64 (with padding) decoding; `None` if malformed.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i + 1 == bytes.len() / 4;
        let padding = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - padding] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * padding as u32;
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

/// minisign reports a failed checksum (undecrypted or wrongly decrypted key)
/// with this message only; its error kind is private.
fn is_wrong_password(e: &minisign::PError) -> bool {
    e.to_string().contains("Wrong password")
}

fn key_id_hex(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    for (dst, src) in bytes.iter_mut().zip(keynum.iter()) {
        *dst = *src;
    }
    format!("{:016X}", u64::from_le_bytes(bytes))
}

/// Normalises a key file: CRLF → LF, blank lines removed; `None` if it does
/// not have a comment line followed by a key line.
fn normalise_key_file(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').trim())
        .filter(|l| !l.is_empty())
        .collect();
    let comment = lines.first()?;
    if !comment.starts_with("untrusted comment:") {
        return None;
    }
    let key = lines.get(1)?;
    Some(format!("{comment}\n{key}\n"))
}

/// Parses a minisign public key file (or a bare base64 key line). Returns the
/// base64 key line.
pub fn parse_public_key_file(text: &str) -> Result<String, BundleError> {
    let line = text
        .lines()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or(BundleError::InvalidPublicKey)?;
    let key = minisign::PublicKey::from_base64(line).map_err(|_| BundleError::InvalidPublicKey)?;
    Ok(key.to_base64())
}

/// Parses a base64 public key line.
pub fn parse_public_key(base64: &str) -> Result<minisign::PublicKey, BundleError> {
    minisign::PublicKey::from_base64(base64.trim()).map_err(|_| BundleError::InvalidPublicKey)
}

/// The minisign key id of a base64 public key, 16 uppercase hex digits as
/// minisign prints it (for an out-of-band check by phone). An invalid key
/// yields `"clé invalide"`.
pub fn fingerprint(base64: &str) -> String {
    match parse_public_key(base64) {
        Ok(key) => key_id_hex(key.keynum()),
        Err(_) => "clé invalide".to_owned(),
    }
}

/// Parses an `age1…` recipient.
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, BundleError> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|_| BundleError::InvalidRecipient)
}

/// Parses an age identity file (`AGE-SECRET-KEY-1…` lines; `#` comments and
/// blank lines ignored). At least one identity is required.
pub fn parse_identity_file(text: &str) -> Result<Vec<age::x25519::Identity>, BundleError> {
    let mut identities = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let identity =
            age::x25519::Identity::from_str(line).map_err(|_| BundleError::InvalidIdentity)?;
        identities.push(identity);
    }
    if identities.is_empty() {
        return Err(BundleError::InvalidIdentity);
    }
    Ok(identities)
}

/// The `age1…` recipient of an identity.
pub fn recipient_of(identity: &age::x25519::Identity) -> String {
    identity.to_public().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_through_its_file() {
        let (key, public_file) = SigningKey::generate().unwrap();
        let b64 = parse_public_key_file(&public_file).unwrap();
        assert_eq!(b64, key.public_key_base64());
        let text = key.to_secret_key_file();
        let again = SigningKey::from_file_contents(&text, None).unwrap();
        assert_eq!(again.public_key_base64(), b64);
        assert_eq!(fingerprint(&b64), key.key_id());
        assert_eq!(fingerprint(&b64).len(), 16);
        assert_eq!(fingerprint("nope"), "clé invalide");
    }

    #[test]
    fn password_protected_key() {
        let pair =
            minisign::KeyPair::generate_encrypted_keypair(Some("secret".to_owned())).unwrap();
        let text = pair.sk.to_box(None).unwrap().into_string();
        assert!(matches!(
            SigningKey::from_file_contents(&text, None),
            Err(BundleError::PasswordRequired)
        ));
        let wrong = SecretString::from("nope".to_owned());
        assert!(matches!(
            SigningKey::from_file_contents(&text, Some(&wrong)),
            Err(BundleError::WrongPassword)
        ));
        let right = SecretString::from("secret".to_owned());
        let key = SigningKey::from_file_contents(&text, Some(&right)).unwrap();
        assert_eq!(key.public_key_base64(), pair.pk.to_base64());
        // Its unencrypted serialisation opens without a password.
        let plain = key.to_secret_key_file();
        let again = SigningKey::from_file_contents(&plain, None).unwrap();
        assert_eq!(again.public_key_base64(), pair.pk.to_base64());
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(decode_base64("aGVsbA==").unwrap(), b"hell");
        assert!(decode_base64("aGVsbA=").is_none());
        assert!(decode_base64("a=VsbG8h").is_none());
        assert!(decode_base64("aGV*bG8h").is_none());
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(
            SigningKey::from_file_contents("hello", None),
            Err(BundleError::InvalidSecretKey)
        ));
        assert!(matches!(
            parse_public_key_file("untrusted comment: x\nRWnope\n"),
            Err(BundleError::InvalidPublicKey)
        ));
        assert!(matches!(
            parse_recipient("age1nope"),
            Err(BundleError::InvalidRecipient)
        ));
        assert!(matches!(
            parse_identity_file("# only a comment\n"),
            Err(BundleError::InvalidIdentity)
        ));
        let id = age::x25519::Identity::generate();
        let text = format!("# created: now\n{}\n", id.to_string().expose_secret());
        let ids = parse_identity_file(&text).unwrap();
        assert_eq!(recipient_of(&ids[0]), id.to_public().to_string());
        assert!(parse_recipient(&recipient_of(&ids[0])).is_ok());
    }
}
