//! The bundle writer: tar (manifest, signature, entries) streamed into age.
//!
//! Entries given as files are read twice (hash, then write), never loaded
//! whole; a file that changes in between is an error.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::error::{clean_path, BundleError};
use super::keys::SigningKey;
use super::limits::{
    FORMAT_NAME, FORMAT_VERSION, MAX_DOCUMENT_BYTES, MAX_ENTRIES, MAX_MANIFEST_BYTES,
    MAX_RECORD_BYTES,
};
use super::manifest::{BundleKind, Manifest, ManifestEntry, Party};
use super::paths::{parse_entry_path, EntryPath, MANIFEST_PATH, SIGNATURE_PATH};

/// Where an entry's bytes come from.
pub enum BundleContent {
    /// In memory.
    Bytes(Vec<u8>),
    /// Read twice: once to hash, once to write.
    File(PathBuf),
}

/// One entry to write (`requests/<id>.json`, `opinions/<id>.json`, `documents/<sha256>`).
pub struct OutEntry {
    /// The entry path in the archive.
    pub path: String,
    /// Its bytes.
    pub content: BundleContent,
}

/// Everything the manifest says besides its entries.
pub struct BundleHeader {
    /// Assignment or opinions.
    pub kind: BundleKind,
    /// Per issuer→recipient counter.
    pub sequence: u64,
    /// Who signs (its `signing_key` is set from the signer if missing).
    pub issuer: Party,
    /// Who the bundle is for.
    pub recipient: Party,
    /// For opinions: the assignment `bundle_id`s replied to.
    pub in_reply_to: Vec<String>,
}

/// Hashes and counts what goes through.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

fn hash_reader(reader: impl Read, limit: u64) -> io::Result<(String, u64)> {
    let mut hashing = HashingReader {
        inner: reader.take(limit.saturating_add(1)),
        hasher: Sha256::new(),
        count: 0,
    };
    io::copy(&mut hashing, &mut io::sink())?;
    Ok((hex::encode(hashing.hasher.finalize()), hashing.count))
}

/// Writes a signed, encrypted bundle to `out`, encrypted to every recipient
/// in `recipients`. Returns the manifest's `bundle_id` (a new UUID v4).
///
/// Entries are written in the given order, which becomes the manifest's.
pub fn write_bundle(
    out: impl Write,
    header: BundleHeader,
    entries: Vec<OutEntry>,
    signer: &SigningKey,
    recipients: &[age::x25519::Recipient],
) -> Result<String, BundleError> {
    if recipients.is_empty() {
        return Err(BundleError::NoRecipient);
    }
    if entries.len() + 2 > MAX_ENTRIES {
        return Err(BundleError::TooManyEntries { limit: MAX_ENTRIES });
    }

    // Pass 1: validate paths, hash and size every entry.
    let mut listed = Vec::with_capacity(entries.len());
    let mut seen = HashSet::new();
    for entry in &entries {
        let clean = clean_path(&entry.path);
        let parsed = parse_entry_path(&entry.path, header.kind)
            .ok_or_else(|| super::paths::bad_path_error(entry.path.as_bytes()))?;
        if !seen.insert(entry.path.clone()) {
            return Err(BundleError::DuplicateEntry { path: clean });
        }
        let limit = match parsed {
            EntryPath::Record { .. } => MAX_RECORD_BYTES,
            EntryPath::Document { .. } => MAX_DOCUMENT_BYTES,
        };
        let (sha256, size) = match &entry.content {
            BundleContent::Bytes(bytes) => (hex::encode(Sha256::digest(bytes)), bytes.len() as u64),
            BundleContent::File(path) => hash_reader(File::open(path)?, limit)?,
        };
        if size > limit {
            return Err(BundleError::EntryTooLarge { path: clean, limit });
        }
        if let EntryPath::Document { sha256: named } = &parsed {
            if *named != sha256 {
                return Err(BundleError::DocumentNameMismatch { path: clean });
            }
        }
        listed.push(ManifestEntry {
            path: entry.path.clone(),
            sha256,
            size,
        });
    }

    let now = chrono::Utc::now();
    let created_at = chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let bundle_id = uuid::Uuid::new_v4().to_string();
    let mut issuer = header.issuer;
    if issuer.signing_key.is_none() {
        issuer.signing_key = Some(signer.public_key_base64());
    }
    let manifest = Manifest {
        format: FORMAT_NAME.to_owned(),
        version: FORMAT_VERSION,
        kind: header.kind,
        bundle_id: bundle_id.clone(),
        created_at,
        sequence: header.sequence,
        issuer,
        recipient: header.recipient,
        in_reply_to: header.in_reply_to,
        entries: listed,
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BundleError::InvalidManifest {
            reason: e.to_string(),
        })?;
    manifest_bytes.push(b'\n');
    if manifest_bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(BundleError::EntryTooLarge {
            path: MANIFEST_PATH.to_owned(),
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let signature = signer.sign(
        &manifest_bytes,
        &format!(
            "timestamp:{}\tfile:{MANIFEST_PATH}\tbundle:{bundle_id}",
            created_at.timestamp()
        ),
    )?;

    // Pass 2: tar into age.
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| BundleError::NoRecipient)?;
    let stream = encryptor.wrap_output(out)?;
    let mtime = u64::try_from(created_at.timestamp()).unwrap_or(0);
    let mut builder = tar::Builder::new(stream);
    append(
        &mut builder,
        MANIFEST_PATH,
        &manifest_bytes[..],
        manifest_bytes.len() as u64,
        mtime,
    )?;
    append(
        &mut builder,
        SIGNATURE_PATH,
        signature.as_bytes(),
        signature.len() as u64,
        mtime,
    )?;
    for (entry, listed) in entries.into_iter().zip(manifest.entries.iter()) {
        match entry.content {
            BundleContent::Bytes(bytes) => {
                append(&mut builder, &entry.path, &bytes[..], listed.size, mtime)?;
            }
            BundleContent::File(path) => {
                let mut hashing = HashingReader {
                    inner: File::open(&path)?.take(listed.size),
                    hasher: Sha256::new(),
                    count: 0,
                };
                append(&mut builder, &entry.path, &mut hashing, listed.size, mtime)?;
                if hashing.count != listed.size
                    || hex::encode(hashing.hasher.finalize()) != listed.sha256
                {
                    return Err(BundleError::FileChanged {
                        path: clean_path(&path.to_string_lossy()),
                    });
                }
            }
        }
    }
    let stream = builder.into_inner()?;
    stream.finish()?;
    Ok(bundle_id)
}

fn append<W: Write>(
    builder: &mut tar::Builder<W>,
    path: &str,
    data: impl Read,
    size: u64,
    mtime: u64,
) -> Result<(), BundleError> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path)?;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append(&header, data)?;
    Ok(())
}
