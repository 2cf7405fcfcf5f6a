//! The doctor's keys and profile: creation under the passphrase (age scrypt,
//! as `age -p` does it), unlocking, and key fingerprints.

use std::io::{Read, Write};
use std::iter;
use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::crypto::{self, Keys};
use super::fsutil;
use super::{Result, StoreError, StoreOptions};
use crate::bundle::SigningKey;
use crate::domain::Doctor;

pub(crate) const PROFILE_FILE: &str = "profile.json";
const IDENTITY_FILE: &str = "identity.age";
const SIGNING_FILE: &str = "signing.key.age";
const DATA_KEY_FILE: &str = "datakey.age";
/// The plain failure counter of stores made before it moved into the
/// database: read once, added to the database's, then removed.
const LEGACY_FAILURES_FILE: &str = "unlock-failures";
const PROFILE_FORMAT: &str = "avis-store";
/// 2: the profile carries a MAC under the data key (1: without it).
pub(crate) const PROFILE_VERSION: u32 = 2;

/// `profile.json`: public, non-medical facts about the store, authenticated
/// by `mac` (HMAC-SHA256 under a subkey of the data key over the profile's
/// JSON without `mac`), checked at every opening.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Profile {
    pub format: String,
    pub version: u32,
    pub doctor: Doctor,
    pub age_recipient: String,
    pub signing_key: String,
    pub signing_key_file: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

impl Profile {
    /// The bytes the MAC covers: the profile's JSON without `mac`.
    fn authenticated_bytes(&self) -> Result<Vec<u8>> {
        let mut bare = self.clone();
        bare.mac = None;
        serde_json::to_vec(&bare).map_err(|_| StoreError::Encode("profil"))
    }

    /// Sets the MAC under `keys`.
    pub(crate) fn seal(&mut self, keys: &Keys) -> Result<()> {
        self.version = PROFILE_VERSION;
        self.mac = Some(hex::encode(keys.profile_mac(&self.authenticated_bytes()?)));
        Ok(())
    }

    /// Whether the MAC is present and right under `keys`.
    pub(crate) fn is_authentic(&self, keys: &Keys) -> Result<bool> {
        let Some(mac) = self.mac.as_deref().and_then(|m| hex::decode(m).ok()) else {
            return Ok(false);
        };
        let expected = keys.profile_mac(&self.authenticated_bytes()?);
        Ok(crypto::constant_time_eq(&mac, &expected))
    }

    /// The profile file's bytes.
    pub(crate) fn to_file_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(self).map_err(|_| StoreError::Encode("profil"))
    }
}

/// What an unlocked store holds in memory.
pub(crate) struct Secrets {
    pub identity: age::x25519::Identity,
    pub signing_key_text: Zeroizing<String>,
    pub keys: Keys,
}

/// Keys of a store being created.
pub(crate) struct KeyMaterial {
    identity: age::x25519::Identity,
    signing: SigningKey,
}

impl KeyMaterial {
    /// Fresh keys.
    pub(crate) fn generate() -> Result<KeyMaterial> {
        let (signing, _) = SigningKey::generate()
            .map_err(|e| StoreError::Keys(format!("génération de la clé de signature : {e}")))?;
        Ok(KeyMaterial {
            identity: age::x25519::Identity::generate(),
            signing,
        })
    }

    /// Given keys (the demo store): an age identity file and a minisign
    /// secret key file without password.
    pub(crate) fn from_texts(identity_text: &str, minisign_text: &str) -> Result<KeyMaterial> {
        let identity = parse_identity(identity_text)?;
        let signing = SigningKey::from_file_contents(minisign_text, None).map_err(|e| {
            StoreError::Keys(format!(
                "clé de signature minisign inutilisable ({e}) ; fournissez une clé sans mot de passe"
            ))
        })?;
        Ok(KeyMaterial { identity, signing })
    }
}

/// Parses an age identity file (comments allowed, one `AGE-SECRET-KEY-1…` line).
pub(crate) fn parse_identity(text: &str) -> Result<age::x25519::Identity> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| {
            StoreError::Keys(
                "fichier d'identité age illisible (ligne AGE-SECRET-KEY-1… attendue)".into(),
            )
        })
}

/// A short fingerprint of a minisign public key (base64 line), to read over
/// the phone: the first 10 bytes of the SHA-256 of the decoded key, in hex
/// groups of four (`echo -n KEY | base64 -d | sha256sum`).
pub fn fingerprint(signing_key: &str) -> Result<String> {
    let pk = minisign::PublicKey::from_base64(signing_key.trim())
        .map_err(|e| StoreError::BadPublicKey(e.to_string()))?;
    let digest = Sha256::digest(pk.to_bytes());
    let hex = hex::encode_upper(&digest[..10]);
    let groups: Vec<&str> = (0..hex.len())
        .step_by(4)
        .map(|i| &hex[i..(i + 4).min(hex.len())])
        .collect();
    Ok(groups.join(" "))
}

fn encrypt_to(recipient: &age::x25519::Recipient, plaintext: &[u8]) -> Result<Vec<u8>> {
    age::encrypt(recipient, plaintext)
        .map_err(|e| StoreError::Keys(format!("chiffrement des clés : {e}")))
}

fn decrypt_with(identity: &age::x25519::Identity, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    age::decrypt(identity, ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| StoreError::Corrupt("clés du magasin indéchiffrables"))
}

/// scrypt work factor (log2 N) of every passphrase wrap: fixed, as the age
/// CLI does (2^18: 256 MiB), never calibrated by timing (age's default chose
/// 2^20, 1 GiB and 2 s, on the reference machine).
pub(crate) const KDF_LOG_N: u8 = 18;

/// Largest work factor accepted when opening: stores made before the
/// factor was fixed carry age's calibrated one (2^20 or 2^21), read from
/// the file; beyond 2^22 (4 GiB) a file is refused rather than computed.
pub(crate) const KDF_MAX_LOG_N: u8 = 22;

/// The scrypt recipient of a new wrap under `passphrase`: [`KDF_LOG_N`], or
/// in a test build only the low factor of `options`.
pub(crate) fn scrypt_recipient(
    passphrase: &SecretString,
    options: &StoreOptions,
) -> Result<age::scrypt::Recipient> {
    let mut scrypt = age::scrypt::Recipient::new(passphrase.clone());
    let log_n = match options.kdf_log_n {
        Some(log_n) if crate::testhooks::ENABLED => log_n,
        _ => KDF_LOG_N,
    };
    if !(1..=KDF_MAX_LOG_N).contains(&log_n) {
        return Err(StoreError::Keys(format!(
            "facteur de coût scrypt {log_n} hors limites"
        )));
    }
    scrypt.set_work_factor(log_n);
    Ok(scrypt)
}

/// The scrypt identity that opens a wrap under `passphrase`, whatever work
/// factor it was made with up to [`KDF_MAX_LOG_N`].
pub(crate) fn scrypt_identity(passphrase: &SecretString) -> age::scrypt::Identity {
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(KDF_MAX_LOG_N);
    identity
}

/// Encrypts the identity file text under the passphrase, as `age -p` does.
fn encrypt_identity(
    text: &[u8],
    passphrase: &SecretString,
    options: &StoreOptions,
) -> Result<Vec<u8>> {
    let scrypt = scrypt_recipient(passphrase, options)?;
    let encryptor = age::Encryptor::with_recipients(iter::once(&scrypt as &dyn age::Recipient))
        .map_err(|e| StoreError::Keys(format!("chiffrement de l'identité : {e}")))?;
    let mut identity_age = Vec::new();
    let mut w = encryptor
        .wrap_output(&mut identity_age)
        .map_err(StoreError::io("chiffrer l'identité"))?;
    w.write_all(text)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(StoreError::io("chiffrer l'identité"))?;
    Ok(identity_age)
}

/// Decrypts `identity.age` with the passphrase: the identity file text.
/// A wrong passphrase is [`StoreError::WrongPassphrase`] (not counted here).
fn decrypt_identity(dir: &Path, passphrase: &SecretString) -> Result<Zeroizing<Vec<u8>>> {
    let bytes =
        std::fs::read(dir.join(IDENTITY_FILE)).map_err(StoreError::io("lire l'identité"))?;
    let decryptor =
        age::Decryptor::new(&bytes[..]).map_err(|_| StoreError::Corrupt("identité illisible"))?;
    if !decryptor.is_scrypt() {
        return Err(StoreError::Corrupt(
            "identité non protégée par phrase de passe",
        ));
    }
    let scrypt = scrypt_identity(passphrase);
    let mut reader = match decryptor.decrypt(iter::once(&scrypt as &dyn age::Identity)) {
        Ok(r) => r,
        Err(age::DecryptError::ExcessiveWork { .. }) => {
            return Err(StoreError::Keys(
                "la protection de l'identité demande trop de calcul pour cet ordinateur".into(),
            ))
        }
        Err(
            age::DecryptError::DecryptionFailed
            | age::DecryptError::NoMatchingKeys
            | age::DecryptError::KeyDecryptionFailed,
        ) => return Err(StoreError::WrongPassphrase),
        Err(_) => return Err(StoreError::Corrupt("identité illisible")),
    };
    let mut text = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut text)
        .map_err(|_| StoreError::Corrupt("identité tronquée"))?;
    Ok(text)
}

/// Checks `passphrase` against `identity.age` without recording a failure
/// (the store is already unlocked).
pub(crate) fn check_passphrase(dir: &Path, passphrase: &SecretString) -> Result<()> {
    decrypt_identity(dir, passphrase).map(|_| ())
}

/// Re-encrypts `identity.age` under `new` (after checking `old`), atomically:
/// a new file written and synced beside it, then renamed over it, so that a
/// crash at any instant leaves the old passphrase or the new one working.
/// Test points: `passphrase:writing`, `passphrase:written`, `passphrase:renamed`.
pub(crate) fn change_passphrase(
    dir: &Path,
    profile: &Profile,
    old: &SecretString,
    new: &SecretString,
    options: &StoreOptions,
) -> Result<()> {
    let text = decrypt_identity(dir, old)?;
    if old.expose_secret() == new.expose_secret() {
        return Err(StoreError::SamePassphrase);
    }
    let parsed = std::str::from_utf8(&text)
        .map_err(|_| StoreError::Corrupt("identité illisible"))
        .and_then(parse_identity)?;
    if parsed.to_public().to_string() != profile.age_recipient {
        return Err(StoreError::Corrupt(
            "identité et profil ne correspondent pas",
        ));
    }
    let identity_age = encrypt_identity(&text, new, options)?;
    fsutil::write_atomic_with(&dir.join(IDENTITY_FILE), "passphrase", |w| {
        w.write_all(&identity_age)
    })
    .map_err(StoreError::io("enregistrer la nouvelle phrase de passe"))
}

/// Writes the key files and the profile of a new store in `dir`.
pub(crate) fn create(
    dir: &Path,
    passphrase: &SecretString,
    name: &str,
    rpps: Option<&str>,
    material: KeyMaterial,
    options: &StoreOptions,
) -> Result<()> {
    if dir.join(PROFILE_FILE).exists() {
        return Err(StoreError::AlreadyInitialized(dir.to_path_buf()));
    }
    fsutil::private_umask();
    fsutil::private_dir(dir).map_err(StoreError::io("créer le dossier du magasin"))?;
    let _lock = fsutil::try_lock(dir)
        .map_err(StoreError::io("verrouiller le magasin"))?
        .ok_or(StoreError::Busy)?;
    if dir.join(PROFILE_FILE).exists() {
        return Err(StoreError::AlreadyInitialized(dir.to_path_buf()));
    }
    let recipient = material.identity.to_public();
    let identity_text = Zeroizing::new(format!(
        "# created: {}\n# public key: {}\n{}\n",
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        recipient,
        material.identity.to_string().expose_secret()
    ));
    let identity_age = encrypt_identity(identity_text.as_bytes(), passphrase, options)?;

    let data_key = crypto::random_key();
    let data_key_age = encrypt_to(&recipient, &data_key[..])?;
    let signing_age = encrypt_to(&recipient, material.signing.to_secret_key_file().as_bytes())?;
    let profile = Profile {
        format: PROFILE_FORMAT.into(),
        version: PROFILE_VERSION,
        doctor: Doctor {
            name: name.to_string(),
            rpps: rpps.map(str::to_string),
        },
        age_recipient: recipient.to_string(),
        signing_key: material.signing.public_key_base64(),
        signing_key_file: material.signing.public_key_file(),
        created_at: Utc::now(),
        mac: None,
    };
    let mut profile = profile;
    profile.seal(&Keys::derive(&data_key))?;
    let profile_json = profile.to_file_bytes()?;

    let w = |file: &str, bytes: &[u8]| {
        fsutil::write_atomic(&dir.join(file), bytes).map_err(StoreError::io("écrire les clés"))
    };
    w(IDENTITY_FILE, &identity_age)?;
    w(DATA_KEY_FILE, &data_key_age)?;
    w(SIGNING_FILE, &signing_age)?;
    // The profile last: its presence marks a complete store.
    w(PROFILE_FILE, &profile_json)?;
    Ok(())
}

/// Reads `profile.json` (not yet authenticated: see [`Profile::is_authentic`]).
/// A store of a newer format says so.
pub(crate) fn read_profile(dir: &Path) -> Result<Profile> {
    let bytes = std::fs::read(dir.join(PROFILE_FILE)).map_err(StoreError::io("lire le profil"))?;
    #[derive(Deserialize)]
    struct Version {
        format: String,
        version: u32,
    }
    let version: Version =
        serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt("profil illisible"))?;
    if version.format != PROFILE_FORMAT {
        return Err(StoreError::Corrupt("format de magasin inconnu"));
    }
    if version.version > PROFILE_VERSION {
        return Err(StoreError::NewerFormat {
            found: version.version,
            supported: PROFILE_VERSION,
        });
    }
    if version.version == 0 {
        return Err(StoreError::Corrupt("format de magasin inconnu"));
    }
    serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt("profil illisible"))
}

/// Writes `profile.json` atomically.
pub(crate) fn write_profile(dir: &Path, profile: &Profile) -> Result<()> {
    let bytes = profile.to_file_bytes()?;
    fsutil::write_atomic(&dir.join(PROFILE_FILE), &bytes)
        .map_err(StoreError::io("enregistrer le profil"))
}

/// The failures counted by stores made before the counter moved into the
/// database (`unlock-failures`).
pub(crate) fn legacy_failed_unlocks(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join(LEGACY_FAILURES_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Removes the legacy counter file (once added to the database's).
pub(crate) fn clear_legacy_failed_unlocks(dir: &Path) -> Result<()> {
    match std::fs::remove_file(dir.join(LEGACY_FAILURES_FILE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::Io {
            what: "effacer le compteur d'échecs",
            source: e,
        }),
    }
}

/// The file names of the key files and the profile (a backup holds them).
pub(crate) const KEY_FILES: [&str; 4] = [PROFILE_FILE, IDENTITY_FILE, SIGNING_FILE, DATA_KEY_FILE];

/// The legacy failure counter's file name (never copied into a backup).
pub(crate) const FAILURES_FILE_NAME: &str = LEGACY_FAILURES_FILE;

/// Opens the key files with the passphrase (a wrong one is
/// [`StoreError::WrongPassphrase`], counted by the caller) and checks that
/// they match the profile: identity, signing key, and the profile's MAC
/// (a profile of version 1 has none yet: the caller adds it).
pub(crate) fn unlock(dir: &Path, passphrase: &SecretString, profile: &Profile) -> Result<Secrets> {
    let text = decrypt_identity(dir, passphrase)?;
    let text = std::str::from_utf8(&text).map_err(|_| StoreError::Corrupt("identité illisible"))?;
    let identity = parse_identity(text)?;
    if identity.to_public().to_string() != profile.age_recipient {
        return Err(StoreError::Corrupt(
            "identité et profil ne correspondent pas",
        ));
    }
    let data_key_bytes = decrypt_with(
        &identity,
        &std::fs::read(dir.join(DATA_KEY_FILE)).map_err(StoreError::io("lire les clés"))?,
    )?;
    let data_key: Zeroizing<[u8; 32]> = Zeroizing::new(
        data_key_bytes[..]
            .try_into()
            .map_err(|_| StoreError::Corrupt("clé de données"))?,
    );
    let signing = decrypt_with(
        &identity,
        &std::fs::read(dir.join(SIGNING_FILE)).map_err(StoreError::io("lire les clés"))?,
    )?;
    let signing_key_text = Zeroizing::new(
        String::from_utf8(signing.to_vec()).map_err(|_| StoreError::Corrupt("clé de signature"))?,
    );
    let keys = Keys::derive(&data_key);
    if profile.version >= 2 && !profile.is_authentic(&keys)? {
        return Err(StoreError::Corrupt("profil modifié"));
    }
    let signer = SigningKey::from_file_contents(&signing_key_text, None)
        .map_err(|_| StoreError::Corrupt("clé de signature"))?;
    if signer.public_key_base64() != profile.signing_key {
        return Err(StoreError::Corrupt(
            "clé de signature et profil ne correspondent pas",
        ));
    }
    Ok(Secrets {
        identity,
        signing_key_text,
        keys,
    })
}

impl super::Store {
    /// Changes the passphrase that protects the doctor's identity: checks
    /// `old`, re-encrypts `identity.age` under `new` atomically (a crash at
    /// any instant leaves the old or the new passphrase working), then
    /// journals `passphrase_changed`. Backups made before keep the old one.
    pub fn change_passphrase(
        &self,
        old: &SecretString,
        new: &SecretString,
        options: &StoreOptions,
    ) -> Result<()> {
        if let Err(e) = change_passphrase(&self.dir, &self.profile, old, new, options) {
            if matches!(e, StoreError::WrongPassphrase) {
                let n = self.db.raw_counter(super::FAILED_UNLOCKS)?;
                self.db
                    .set_raw_counter(super::FAILED_UNLOCKS, n.saturating_add(1))?;
            }
            return Err(e);
        }
        let mut batch = super::db::Batch::default();
        batch.event(
            "passphrase_changed",
            None,
            "phrase de passe changée (identité rechiffrée)",
        );
        self.db.write(&self.secrets.keys, &batch, "passphrase")
    }
}
