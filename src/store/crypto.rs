//! Record sealing: XChaCha20-Poly1305 under subkeys of the random data key,
//! with the tree name and record key as associated data, and keyed (HMAC)
//! record keys so that sled keys carry no identifiers in clear.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

/// Version byte of a sealed value.
const SEAL_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// HMAC-SHA256 over the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = Zeroizing::new([0u8; 64]);
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut ipad = Zeroizing::new([0u8; 64]);
    let mut opad = Zeroizing::new([0u8; 64]);
    for i in 0..64 {
        ipad[i] = block[i] ^ 0x36;
        opad[i] = block[i] ^ 0x5c;
    }
    let mut inner = Sha256::new();
    inner.update(&ipad[..]);
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(&opad[..]);
    outer.update(inner);
    outer.finalize().into()
}

/// Equality of two byte strings in a time that depends only on their length.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A value that could not be sealed (never written in its place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SealError;

impl From<SealError> for super::StoreError {
    fn from(_: SealError) -> Self {
        super::StoreError::Encode("chiffrement")
    }
}

/// The keys derived from the data key.
pub(crate) struct Keys {
    seal: Zeroizing<[u8; 32]>,
    ids: Zeroizing<[u8; 32]>,
    profile: Zeroizing<[u8; 32]>,
}

impl Keys {
    /// Derives the sealing and naming subkeys from the 32-byte data key.
    pub(crate) fn derive(data_key: &[u8; 32]) -> Keys {
        Keys {
            seal: Zeroizing::new(hmac_sha256(data_key, &[b"avis store seal v1"])),
            ids: Zeroizing::new(hmac_sha256(data_key, &[b"avis store ids v1"])),
            profile: Zeroizing::new(hmac_sha256(data_key, &[b"avis store profile v1"])),
        }
    }

    /// The MAC of the profile's authenticated bytes.
    pub(crate) fn profile_mac(&self, bytes: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.profile[..], &[bytes])
    }

    /// The opaque sled key of `name` in `tree`: 16 bytes of a keyed hash.
    pub(crate) fn record_key(&self, tree: &str, name: &str) -> [u8; 16] {
        let mac = hmac_sha256(&self.ids[..], &[tree.as_bytes(), &[0], name.as_bytes()]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&mac[..16]);
        out
    }

    fn aad(tree: &str, key: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(tree.len() + 1 + key.len());
        aad.extend_from_slice(tree.as_bytes());
        aad.push(0);
        aad.extend_from_slice(key);
        aad
    }

    /// Seals `plaintext` for the slot (`tree`, `key`).
    pub(crate) fn seal(
        &self,
        tree: &str,
        key: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.seal[..]));
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Self::aad(tree, key);
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(SEAL_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a sealed value of the slot (`tree`, `key`); `None` if it was
    /// altered or moved from another slot.
    pub(crate) fn open(&self, tree: &str, key: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != SEAL_V1 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.seal[..]));
        let aad = Self::aad(tree, key);
        cipher
            .decrypt(
                XNonce::from_slice(&sealed[1..1 + NONCE_LEN]),
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad: &aad,
                },
            )
            .ok()
            .map(Zeroizing::new)
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        self.seal.zeroize();
        self.ids.zeroize();
        self.profile.zeroize();
    }
}

/// A fresh random 32-byte key.
pub(crate) fn random_key() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut k[..]);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sealed_value_is_bound_to_its_slot() {
        let keys = Keys::derive(&[7u8; 32]);
        let sealed = keys.seal("drafts", b"k1", b"secret").unwrap();
        assert_eq!(
            keys.open("drafts", b"k1", &sealed).map(|v| v.to_vec()),
            Some(b"secret".to_vec())
        );
        assert!(keys.open("drafts", b"k2", &sealed).is_none());
        assert!(keys.open("requests", b"k1", &sealed).is_none());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(keys.open("drafts", b"k1", &altered).is_none());
        assert_ne!(keys.record_key("a", "x"), keys.record_key("b", "x"));
    }
}
