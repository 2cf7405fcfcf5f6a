//! Shared fuzzing harness: fixed test keys, and a way to run bytes through
//! the real bundle reader.
#![allow(dead_code)]

use std::io::Write;
use std::sync::OnceLock;

use avis::bundle::{self, BundleKind, MemorySink, ReadOptions, SigningKey, TrustedKey};

pub struct Keys {
    pub identity: age::x25519::Identity,
    pub signer: SigningKey,
    pub trusted: Vec<TrustedKey>,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let identity = age::x25519::Identity::generate();
        let (signer, _pub_file) = SigningKey::generate().expect("key generation");
        let trusted = vec![TrustedKey {
            name: "fuzz".into(),
            public_key: signer.public_key_base64(),
        }];
        Keys {
            identity,
            signer,
            trusted,
        }
    })
}

/// Encrypts `plaintext` to the fuzz identity, as a bundle would be.
pub fn encrypt(plaintext: &[u8]) -> Vec<u8> {
    let recipient = keys().identity.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("one recipient");
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).expect("in memory");
    writer.write_all(plaintext).expect("in memory");
    writer.finish().expect("in memory");
    out
}

/// Runs the real reader on an encrypted bundle; it must return, never panic.
pub fn read(encrypted: &[u8], kind: BundleKind) {
    let k = keys();
    let identities = [k.identity.clone()];
    let options = ReadOptions {
        identities: &identities,
        trusted: &k.trusted,
        expected_kind: kind,
    };
    let mut sink = MemorySink::default();
    let _ = bundle::read_bundle(encrypted, &options, &mut sink);
}

/// Appends one regular-file entry to a tar under construction.
pub fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut header = tar::Header::new_ustar();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    if header.set_path(path).is_err() {
        return;
    }
    header.set_cksum();
    let _ = builder.append(&header, data);
}
