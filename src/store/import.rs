//! Import of assignment bundles, all or nothing, and the document store.
//!
//! A binary age bundle is read once and written into `bundles/.staging-…`
//! (directly to disk where the file system allows, see [`stage`]); each
//! written chunk then goes to the bundle reader, which decrypts on one
//! thread and walks, hashes and checks the archive on another, so what is
//! verified is exactly what is kept. An armored bundle is de-armored into the staging file as
//! the reader decrypts it. The sink only records where each document lies
//! in the age plaintext. Then the staged file is renamed to
//! `bundles/<bundle_id>.age` and one sled transaction writes every record
//! and the imported marker. A bundle file that no marker references (a
//! crash between rename and commit) is swept at the next opening, so a
//! crash at any instant leaves all of the bundle or none of it.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::iter;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::crypto::sha256_hex;
use super::db::{Batch, T};
use super::fsutil;
use super::opinions::{InboxLines, RequestRow, StatusRow, SummaryRow, INBOX};
use super::stage;
use super::{ImportOptions, ImportOutcome, Progress, Result, Store, StoreError};
use crate::bundle::{self, BundleKind, DocumentSink, ManifestEntry, ReadOptions, TrustedKey};
use crate::domain::{Draft, Request};

const BUNDLES_DIR: &str = "bundles";
const STAGING_PREFIX: &str = ".staging-";

/// Where a document's bytes lie: a bundle file and a plaintext range.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocRow {
    pub bundle_id: String,
    pub offset: u64,
    pub size: u64,
}

/// An imported bundle (the "imported" marker).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BundleRow {
    pub bundle_id: String,
    pub sequence: u64,
    pub issuer_name: String,
    pub issuer_signing_key: String,
    pub issuer_age_recipient: String,
    pub imported_at: DateTime<Utc>,
}

/// The highest sequence imported from one issuer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SequenceRow {
    last: u64,
}

fn sequence_name(signing_key: &str) -> String {
    format!("sequence:{signing_key}")
}

/// Records document offsets; the reader hashes the bytes already. Reports
/// progress from the verifying thread when a byte counter is given.
struct IndexSink<'p, 'q> {
    documents: Vec<(ManifestEntry, u64)>,
    tap: Option<ProgressTap<'p, 'q>>,
}

/// Progress of the staged bytes read by the decrypting thread, reported on
/// the verifying thread (the caller's callback need not be `Send`).
struct ProgressTap<'p, 'q> {
    read: &'q AtomicU64,
    total: u64,
    reported: u64,
    progress: &'p mut dyn FnMut(Progress),
}

impl ProgressTap<'_, '_> {
    fn report(&mut self, last: bool) {
        let done = self.read.load(Ordering::Relaxed);
        if done >= self.reported + (1 << 20) || (last && done != self.reported) {
            self.reported = done;
            (self.progress)(Progress {
                done,
                total: self.total,
            });
        }
    }
}

impl DocumentSink for IndexSink<'_, '_> {
    fn document(&mut self, entry: &ManifestEntry, data: &mut dyn Read) -> io::Result<()> {
        self.document_at(entry, u64::MAX, data)
    }

    fn document_at(
        &mut self,
        entry: &ManifestEntry,
        offset: u64,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        // Large reads: the reader hashes what passes through this buffer.
        let mut buf = Zeroizing::new(vec![0u8; 64 * 1024]);
        loop {
            match data.read(&mut buf[..]) {
                Ok(0) => break,
                Ok(_) => {
                    if let Some(tap) = &mut self.tap {
                        tap.report(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.documents.push((entry.clone(), offset));
        Ok(())
    }
}

/// Whether the file starts like a binary age file (not armored).
fn is_binary_age(file: &mut File) -> io::Result<bool> {
    const MAGIC: &[u8] = b"age-encryption.org/";
    let mut head = [0u8; 19];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(&head[..got] == MAGIC)
}

/// Counts bytes read from the bundle file and reports progress.
struct Counting<'p, R> {
    inner: R,
    done: u64,
    total: u64,
    reported: u64,
    progress: &'p mut dyn FnMut(Progress),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.done - self.reported >= 1 << 20 || (n == 0 && self.reported != self.done) {
            self.reported = self.done;
            (self.progress)(Progress {
                done: self.done,
                total: self.total,
            });
        }
        Ok(n)
    }
}

/// Copies what is read into a writer.
struct Tee<R, W> {
    inner: R,
    out: W,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Removes a staged file when dropped, unless kept.
struct Staged {
    path: std::path::PathBuf,
    keep: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl Store {
    fn bundles_dir(&self) -> std::path::PathBuf {
        self.dir.join(BUNDLES_DIR)
    }

    /// Verifies and imports an assignment bundle, all or nothing.
    pub fn import(
        &self,
        bundle_path: &std::path::Path,
        options: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportOutcome> {
        let keys = &self.secrets.keys;
        let file = File::open(bundle_path).map_err(StoreError::io("ouvrir le lot"))?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        let dir = self.bundles_dir();
        fsutil::private_dir(&dir).map_err(StoreError::io("créer le dossier des lots"))?;
        let staged = Staged {
            path: dir.join(format!(
                "{STAGING_PREFIX}{}",
                hex::encode(&crate::store::crypto::random_key()[..8])
            )),
            keep: false,
        };
        let staging =
            fsutil::create_private(&staged.path).map_err(StoreError::io("préparer l'import"))?;

        let trusted: Vec<TrustedKey> = self
            .trusted()?
            .into_iter()
            .map(|s| TrustedKey {
                name: s.name,
                public_key: s.signing_key,
            })
            .collect();
        let identities = [self.secrets.identity.clone()];
        let read_options = ReadOptions {
            identities: &identities,
            trusted: &trusted,
            expected_kind: BundleKind::Assignment,
        };
        let mut file = file;
        let binary = file.metadata().is_ok_and(|m| m.is_file())
            && is_binary_age(&mut file).map_err(StoreError::io("lire le lot"))?;
        let (verified, located) = if binary {
            verify_while_staging(&file, &staging, total, &read_options, progress)?
        } else {
            verify_while_dearmoring(file, staging, total, &read_options, progress)?
        };
        fsutil::test_point("import:staged");

        let manifest = &verified.manifest;
        let bundle_id = uuid::Uuid::parse_str(&manifest.bundle_id)
            .map_err(|_| StoreError::BadRequest("(identifiant de lot)".into()))?
            .hyphenated()
            .to_string();
        if self
            .db
            .get::<BundleRow>(keys, T::Bundles, &bundle_id)?
            .is_some()
        {
            return Ok(ImportOutcome::AlreadyImported { bundle_id });
        }
        let issuer_key = manifest.issuer.signing_key.clone().unwrap_or_default();
        let seq_name = sequence_name(&issuer_key);
        let last: Option<SequenceRow> = self.db.get(keys, T::Meta, &seq_name)?;
        if let Some(last) = &last {
            if manifest.sequence <= last.last && !options.accept_older {
                return Err(StoreError::Replay {
                    sequence: manifest.sequence,
                    last: last.last,
                });
            }
        }

        let mut batch = Batch::default();
        let mut inbox = self.inbox_lines()?;
        let mut inbox_index: std::collections::HashMap<String, usize> = inbox
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        let mut requests = 0usize;
        let mut updated = 0usize;
        for (id, bytes) in &verified.records {
            let raw = std::str::from_utf8(bytes).map_err(|_| StoreError::BadRequest(id.clone()))?;
            let request: Request =
                serde_json::from_str(raw).map_err(|_| StoreError::BadRequest(id.clone()))?;
            if &request.id != id {
                return Err(StoreError::BadRequest(id.clone()));
            }
            let old: Option<RequestRow> = self.db.get(keys, T::Requests, id)?;
            let versions = match &old {
                None => vec![request.version],
                Some(old) => {
                    let current = old.versions.last().copied().unwrap_or(0);
                    if request.version <= current {
                        // Same or older version: the store keeps what it has.
                        continue;
                    }
                    let mut v = old.versions.clone();
                    v.push(request.version);
                    v
                }
            };
            if old.is_some() {
                updated += 1;
                if let Some(mut draft) = self.db.get::<Draft>(keys, T::Drafts, id)? {
                    draft.written_against_older_version = true;
                    batch.put(keys, T::Drafts, id, &draft);
                    batch.put(keys, T::Statuses, id, &StatusRow::draft());
                }
                batch.event(
                    "update",
                    Some(id),
                    format!("nouvelle version {} de la demande", request.version),
                );
            }
            requests += 1;
            let row = RequestRow {
                id: id.clone(),
                raw: raw.to_string(),
                sha256: sha256_hex(bytes),
                bundle_id: bundle_id.clone(),
                issuer_name: manifest.issuer.name.clone(),
                issuer_signing_key: issuer_key.clone(),
                versions,
            };
            if old.is_some() {
                batch.put(keys, T::Requests, id, &row);
            } else {
                batch.put_new_request(keys, id, &row);
            }
            let line = SummaryRow::of(&request);
            match inbox_index.get(id) {
                Some(&i) => inbox.lines[i] = line,
                None => {
                    inbox_index.insert(id.clone(), inbox.lines.len());
                    inbox.lines.push(line);
                }
            }
        }
        batch.put(keys, T::Summaries, INBOX, &inbox);
        let mut documents = 0usize;
        for (entry, offset) in &located {
            if *offset == u64::MAX {
                return Err(StoreError::Corrupt("position des pièces inconnue"));
            }
            if self
                .db
                .get::<DocRow>(keys, T::Documents, &entry.sha256)?
                .is_none()
            {
                batch.put(
                    keys,
                    T::Documents,
                    &entry.sha256,
                    &DocRow {
                        bundle_id: bundle_id.clone(),
                        offset: *offset,
                        size: entry.size,
                    },
                );
            }
            documents += 1;
        }
        batch.put(
            keys,
            T::Bundles,
            &bundle_id,
            &BundleRow {
                bundle_id: bundle_id.clone(),
                sequence: manifest.sequence,
                issuer_name: manifest.issuer.name.clone(),
                issuer_signing_key: issuer_key.clone(),
                issuer_age_recipient: manifest.issuer.age_recipient.clone(),
                imported_at: Utc::now(),
            },
        );
        let highest = last.map_or(manifest.sequence, |l| l.last.max(manifest.sequence));
        batch.put(keys, T::Meta, &seq_name, &SequenceRow { last: highest });
        batch.event(
            "import",
            None,
            format!(
                "lot {bundle_id} importé (séquence {}) : {requests} demande(s) dont {updated} nouvelle(s) version(s), {documents} pièce(s)",
                manifest.sequence
            ),
        );

        let final_path = dir.join(format!("{bundle_id}.age"));
        fs::rename(&staged.path, &final_path).map_err(StoreError::io("enregistrer le lot"))?;
        let mut staged = staged;
        staged.keep = true;
        let committed = Staged {
            path: final_path,
            keep: false,
        };
        fsutil::sync_dir(&dir).map_err(StoreError::io("enregistrer le lot"))?;
        fsutil::test_point("import:renamed");
        self.db.write(keys, &batch, "import")?;
        let mut committed = committed;
        committed.keep = true;
        Ok(ImportOutcome::Imported {
            bundle_id,
            requests,
            documents,
            updated,
        })
    }

    /// Removes staging files and bundle files that no import committed, and
    /// temporary files of interrupted atomic writes.
    pub(crate) fn sweep_bundles(&self) -> Result<()> {
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".avis-tmp-")
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        let dir = self.bundles_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(StoreError::Io {
                    what: "lire le dossier des lots",
                    source: e,
                })
            }
        };
        for entry in entries {
            let entry = entry.map_err(StoreError::io("lire le dossier des lots"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let orphan = if name.starts_with(STAGING_PREFIX) || name.starts_with(".avis-tmp-") {
                true
            } else if let Some(id) = name.strip_suffix(".age") {
                self.db
                    .get::<BundleRow>(&self.secrets.keys, T::Bundles, id)?
                    .is_none()
            } else {
                false
            };
            if orphan {
                fs::remove_file(entry.path())
                    .map_err(StoreError::io("nettoyer un import interrompu"))?;
            }
        }
        Ok(())
    }

    /// The inbox lines as stored, or rebuilt from the requests for a store
    /// imported before they existed.
    fn inbox_lines(&self) -> Result<InboxLines> {
        let keys = &self.secrets.keys;
        if let Some(inbox) = self.db.get(keys, T::Summaries, INBOX)? {
            return Ok(inbox);
        }
        let rows: Vec<RequestRow> = self.db.all(keys, T::Requests)?;
        let lines = rows
            .iter()
            .map(|row| row.parse().map(|r| SummaryRow::of(&r)))
            .collect::<Result<Vec<_>>>()?;
        Ok(InboxLines { lines })
    }

    /// The bundle an imported request came in.
    pub(crate) fn bundle_row(&self, bundle_id: &str) -> Result<BundleRow> {
        self.db
            .get(&self.secrets.keys, T::Bundles, bundle_id)?
            .ok_or(StoreError::Corrupt("lot d'origine inconnu"))
    }
}

/// The fast path for a binary age bundle: a stager reads the file and
/// writes it to the staging file while the reader decrypts and verifies
/// the written bytes (see [`stage`]). Returns the verified bundle and the
/// documents' offsets; the staged file is synced.
fn verify_while_staging(
    input: &File,
    staging: &File,
    total: u64,
    read_options: &ReadOptions<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(bundle::VerifiedBundle, Vec<(ManifestEntry, u64)>)> {
    let read = AtomicU64::new(0);
    let (stager, staged) = stage::Channels::new().split(&read);
    std::thread::scope(|scope| {
        let stager = scope.spawn(|| stager.run(input, staging));
        let mut sink = IndexSink {
            documents: Vec::new(),
            tap: Some(ProgressTap {
                read: &read,
                total,
                reported: 0,
                progress,
            }),
        };
        let verified = bundle::reader::read_bundle_threaded(staged, read_options, &mut sink);
        let staged = stager
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("copie du lot interrompue")));
        if let Some(tap) = &mut sink.tap {
            tap.report(true);
        }
        // A failed copy (disk full…) explains a verification failure.
        staged.map_err(StoreError::io("préparer l'import"))?;
        Ok((verified?, sink.documents))
    })
}

/// The path for an armored (or unusual) bundle: de-armored into the
/// staging file as the reader decrypts it, then synced.
fn verify_while_dearmoring(
    input: File,
    staging: File,
    total: u64,
    read_options: &ReadOptions<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(bundle::VerifiedBundle, Vec<(ManifestEntry, u64)>)> {
    let mut sink = IndexSink {
        documents: Vec::new(),
        tap: None,
    };
    let counting = Counting {
        inner: BufReader::with_capacity(1 << 20, input),
        done: 0,
        total,
        reported: 0,
        progress,
    };
    // The staged copy is binary age, whatever the input armoring.
    let mut tee = Tee {
        inner: age::armor::ArmoredReader::new(counting),
        out: BufWriter::with_capacity(1 << 20, staging),
    };
    let verified = bundle::read_bundle(&mut tee, read_options, &mut sink)?;
    io::copy(&mut tee, &mut io::sink()).map_err(StoreError::io("lire le lot"))?;
    let staging = tee.out.into_inner().map_err(|e| StoreError::Io {
        what: "préparer l'import",
        source: e.into_error(),
    })?;
    staging
        .sync_all()
        .map_err(StoreError::io("préparer l'import"))?;
    Ok((verified, sink.documents))
}

/// Reads one document from its bundle file.
pub(crate) fn read_document(store: &Store, sha256: &str) -> Result<Zeroizing<Vec<u8>>> {
    let sha = sha256.to_ascii_lowercase();
    let row: DocRow = store
        .db
        .get(&store.secrets.keys, T::Documents, &sha)?
        .ok_or_else(|| StoreError::DocumentMissing(sha.clone()))?;
    let path = store.bundles_dir().join(format!("{}.age", row.bundle_id));
    let file = File::open(&path).map_err(|_| StoreError::DocumentMissing(sha.clone()))?;
    let decryptor = age::Decryptor::new(BufReader::new(file))
        .map_err(|_| StoreError::Corrupt("lot enregistré illisible"))?;
    let mut reader = decryptor
        .decrypt(iter::once(&store.secrets.identity as &dyn age::Identity))
        .map_err(|_| StoreError::Corrupt("lot enregistré indéchiffrable"))?;
    reader
        .seek(SeekFrom::Start(row.offset))
        .map_err(|_| StoreError::Corrupt("lot enregistré tronqué"))?;
    let size = usize::try_from(row.size).map_err(|_| StoreError::Corrupt("taille de pièce"))?;
    let mut buf = Zeroizing::new(vec![0u8; size]);
    reader
        .read_exact(&mut buf)
        .map_err(|_| StoreError::Corrupt("lot enregistré tronqué"))?;
    if hex::encode(Sha256::digest(&buf[..])) != sha {
        return Err(StoreError::Corrupt("pièce altérée"));
    }
    Ok(buf)
}
