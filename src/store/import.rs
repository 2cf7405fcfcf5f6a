//! Import of assignment bundles, all or nothing, and the document store.
//!
//! A binary age bundle is read once and written into `bundles/.staging-…`
//! (directly to disk where the file system allows, see [`stage`]); each
//! written chunk then goes to the bundle reader, which decrypts on one
//! thread and walks, hashes and checks the archive on another, so what is
//! verified is exactly what is kept. An armored bundle is de-armored into
//! the staging file as the reader decrypts it. As the manifest, then each
//! request and document, is verified, the sink checks it against the store
//! (replay, phantom pièces, a version received again with other content)
//! and stages its records in batches (see `db::Staging`): memory does not
//! grow with the number of requests. Then the staged file is renamed to
//! `bundles/<bundle_id>.age` and one small sled transaction commits the
//! staged records together with the imported marker. A bundle file that no
//! marker references (a crash between rename and commit) is swept at the
//! next opening, and staged records are dropped or applied, so a crash at
//! any instant leaves all of the bundle or none of it.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::iter;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::crypto::sha256_hex;
use super::db::{Batch, Staging, T};
use super::fsutil;
use super::opinions::{
    InboxLines, RequestRow, ReviewChanges, ReviewRow, StatusRow, SummaryRow, INBOX,
};
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

/// What the import's sink counted.
#[derive(Debug, Default)]
struct Counts {
    /// New requests and newer versions.
    requests: usize,
    updated: usize,
    /// Requests received again as they are.
    unchanged: usize,
    /// Updated requests whose draft is marked « à revoir ».
    to_review: usize,
    documents: usize,
}

/// Why the sink stopped the reader.
enum Stop {
    /// The bundle was imported before: nothing to do.
    AlreadyImported(String),
    /// A typed refusal (replay, unreadable or phantom request…).
    Refused(StoreError),
}

/// The import's sink: checks each record against the store as it streams
/// and stages what the import will write (see [`Staging`]), so that
/// nothing grows with the number of requests; records the offset of each
/// document (the reader hashes the bytes already). Reports progress from
/// the verifying thread when a byte counter is given.
struct ImportSink<'s, 'p, 'q> {
    store: &'s Store,
    staging: Staging<'s>,
    options: &'s ImportOptions,
    tap: Option<ProgressTap<'p, 'q>>,
    /// Set once the manifest is accepted.
    bundle: Option<BundleInfo>,
    /// SHA-256 of the documents this bundle holds.
    in_bundle: HashSet<[u8; 32]>,
    counts: Counts,
    stop: Option<Stop>,
    /// The purged dossiers, once a new request was checked against them
    /// (updated as purged requests come back).
    purged: Option<super::purge::PurgedIndex>,
    /// To count the alerts of the requests added, as they are parsed.
    alert_counts: super::opinions::ImportCounts,
}

/// What the import keeps of the manifest.
struct BundleInfo {
    bundle_id: String,
    sequence: u64,
    issuer_name: String,
    issuer_signing_key: String,
    issuer_age_recipient: String,
    last: Option<SequenceRow>,
}

fn sha_bytes(hex_text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text.to_ascii_lowercase(), &mut out).ok()?;
    Some(out)
}

impl ImportSink<'_, '_, '_> {
    /// Stops the reader with a typed reason.
    fn refuse(&mut self, stop: Stop) -> io::Error {
        self.stop = Some(stop);
        io::Error::other("import arrêté")
    }

    fn accept_manifest(&mut self, manifest: &bundle::Manifest) -> std::result::Result<(), Stop> {
        let keys = &self.store.secrets.keys;
        let bundle_id = uuid::Uuid::parse_str(&manifest.bundle_id)
            .map_err(|_| Stop::Refused(StoreError::BadRequest("(identifiant de lot)".into())))?
            .hyphenated()
            .to_string();
        let db = &self.store.db;
        if db
            .get::<BundleRow>(keys, T::Bundles, &bundle_id)
            .map_err(Stop::Refused)?
            .is_some()
        {
            return Err(Stop::AlreadyImported(bundle_id));
        }
        let issuer_signing_key = manifest.issuer.signing_key.clone().unwrap_or_default();
        let last: Option<SequenceRow> = db
            .get(keys, T::Meta, &sequence_name(&issuer_signing_key))
            .map_err(Stop::Refused)?;
        if let Some(last) = &last {
            if manifest.sequence <= last.last && !self.options.accept_older {
                return Err(Stop::Refused(StoreError::Replay {
                    sequence: manifest.sequence,
                    last: last.last,
                }));
            }
        }
        self.in_bundle = manifest
            .entries
            .iter()
            .filter_map(|e| e.path.strip_prefix("documents/").and_then(sha_bytes))
            .collect();
        // A store whose inbox lines are still one record: move them to
        // one record per request (this import rewrites some of them).
        if let Some(inbox) = db
            .get::<InboxLines>(keys, T::Summaries, INBOX)
            .map_err(Stop::Refused)?
        {
            for line in &inbox.lines {
                self.staging
                    .put(keys, T::Summaries, &line.id, line)
                    .map_err(Stop::Refused)?;
            }
            self.staging
                .remove(keys, T::Summaries, INBOX)
                .map_err(Stop::Refused)?;
        }
        self.bundle = Some(BundleInfo {
            bundle_id,
            sequence: manifest.sequence,
            issuer_name: manifest.issuer.name.clone(),
            issuer_signing_key,
            issuer_age_recipient: manifest.issuer.age_recipient.clone(),
            last,
        });
        Ok(())
    }

    /// Checks one request against the store and stages its writes.
    fn take_request(&mut self, id: &str, bytes: &[u8]) -> Result<()> {
        let store = self.store;
        let keys = &store.secrets.keys;
        let Some(info) = &self.bundle else {
            return Err(StoreError::Corrupt("manifeste non vérifié"));
        };
        let raw = std::str::from_utf8(bytes).map_err(|_| StoreError::BadRequest(id.into()))?;
        let request: Request =
            serde_json::from_str(raw).map_err(|_| StoreError::BadRequest(id.into()))?;
        if request.id != id {
            return Err(StoreError::BadRequest(id.into()));
        }
        for document in &request.documents {
            let Some(sha) = sha_bytes(&document.sha256) else {
                return Err(StoreError::BadRequest(id.into()));
            };
            if !self.in_bundle.contains(&sha)
                && store
                    .db
                    .get_raw(keys, T::Documents, &hex::encode(sha))?
                    .is_none()
            {
                return Err(StoreError::PhantomDocument(id.into()));
            }
        }
        let sha256 = sha256_hex(bytes);
        let old: Option<RequestRow> = store.db.get(keys, T::Requests, id)?;
        let versions = match &old {
            None => vec![request.version],
            Some(old) => {
                if old.sha256 == sha256 {
                    self.counts.unchanged += 1;
                    return Ok(());
                }
                let current = old.versions.last().copied().unwrap_or(0);
                if request.version == current {
                    return Err(StoreError::SameVersionChanged {
                        id: id.into(),
                        version: request.version,
                    });
                }
                if request.version < current {
                    // An older version: the store keeps what it has.
                    return Ok(());
                }
                let mut v = old.versions.clone();
                v.push(request.version);
                v
            }
        };
        let row = RequestRow {
            id: id.to_string(),
            raw: raw.to_string(),
            sha256,
            bundle_id: info.bundle_id.clone(),
            issuer_name: info.issuer_name.clone(),
            issuer_signing_key: info.issuer_signing_key.clone(),
            versions,
        };
        match &old {
            None => {
                self.staging.put_new_request(keys, id, &row)?;
                self.revive_if_purged(id, request.version)?;
            }
            Some(old) => {
                self.counts.updated += 1;
                if let Some(mut draft) = store.db.get::<Draft>(keys, T::Drafts, id)? {
                    let before = old.parse()?;
                    let changes = ReviewChanges::between(store.review(id)?, &before, &request);
                    draft.written_against_older_version = true;
                    self.counts.to_review += 1;
                    self.staging.put(keys, T::Drafts, id, &draft)?;
                    self.staging
                        .put(keys, T::Statuses, id, &StatusRow::draft())?;
                    self.staging.put(
                        keys,
                        T::Reviews,
                        id,
                        &ReviewRow {
                            changes: Some(changes),
                        },
                    )?;
                }
                self.staging.event(
                    keys,
                    "update",
                    Some(id),
                    &format!("nouvelle version {} de la demande", request.version),
                )?;
                self.staging.put(keys, T::Requests, id, &row)?;
            }
        }
        let line = match &old {
            None => store.new_request_line(&self.alert_counts, &request)?,
            Some(_) => SummaryRow::of(&request),
        };
        self.staging.put(keys, T::Summaries, id, &line)?;
        self.counts.requests += 1;
        Ok(())
    }

    /// A request not in the store may be one whose dossier was purged (its
    /// status and exported avis stay): sent again, it is a live dossier
    /// to review, not « exporté » any more. Its former avis becomes a draft
    /// « à revoir », and it leaves the purged dossiers.
    fn revive_if_purged(&mut self, id: &str, version: u32) -> Result<()> {
        let store = self.store;
        let keys = &store.secrets.keys;
        let mut index = match self.purged.take() {
            Some(index) => index,
            None => store.purged_index()?,
        };
        let revived = index.forget(id);
        if revived {
            match store.db.get::<Draft>(keys, T::Drafts, id)? {
                Some(mut draft) => {
                    draft.written_against_older_version = true;
                    self.staging.put(keys, T::Drafts, id, &draft)?;
                    self.staging
                        .put(keys, T::Statuses, id, &StatusRow::draft())?;
                    self.staging
                        .put(keys, T::Reviews, id, &ReviewRow { changes: None })?;
                }
                None => self.staging.remove(keys, T::Statuses, id)?,
            }
            self.staging
                .put(keys, T::Meta, super::purge::PURGED, &index)?;
            self.staging.event(
                keys,
                "update",
                Some(id),
                &format!(
                    "version {version} de la demande reçue après la purge du dossier : à revoir"
                ),
            )?;
        }
        self.purged = Some(index);
        Ok(())
    }

    fn take_document(&mut self, entry: &ManifestEntry, offset: u64) -> Result<()> {
        let keys = &self.store.secrets.keys;
        let Some(info) = &self.bundle else {
            return Err(StoreError::Corrupt("manifeste non vérifié"));
        };
        if offset == u64::MAX {
            return Err(StoreError::Corrupt("position des pièces inconnue"));
        }
        if self
            .store
            .db
            .get_raw(keys, T::Documents, &entry.sha256)?
            .is_none()
        {
            let row = DocRow {
                bundle_id: info.bundle_id.clone(),
                offset,
                size: entry.size,
            };
            self.staging.put(keys, T::Documents, &entry.sha256, &row)?;
        }
        self.counts.documents += 1;
        Ok(())
    }
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

impl DocumentSink for ImportSink<'_, '_, '_> {
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
        self.take_document(entry, offset)
            .map_err(|e| self.refuse(Stop::Refused(e)))
    }

    fn manifest(&mut self, manifest: &bundle::Manifest) -> io::Result<()> {
        self.accept_manifest(manifest)
            .map_err(|stop| self.refuse(stop))
    }

    fn record(&mut self, id: &str, bytes: Vec<u8>) -> io::Result<Option<Vec<u8>>> {
        if let Some(tap) = &mut self.tap {
            tap.report(false);
        }
        self.take_request(id, &bytes)
            .map_err(|e| self.refuse(Stop::Refused(e)))?;
        Ok(None)
    }

    fn keeps_manifest_bytes(&self) -> bool {
        false
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
        let read = AtomicU64::new(0);
        let mut sink = ImportSink {
            store: self,
            staging: self.db.staging(keys)?,
            options,
            tap: None,
            bundle: None,
            in_bundle: HashSet::new(),
            counts: Counts::default(),
            stop: None,
            purged: None,
            alert_counts: self.import_counts(options.today)?,
        };
        let verified = if binary {
            verify_while_staging(
                &file,
                &staging,
                total,
                &read_options,
                progress,
                &read,
                &mut sink,
            )
        } else {
            verify_while_dearmoring(file, staging, total, &read_options, progress, &mut sink)
        };
        match sink.stop.take() {
            Some(Stop::AlreadyImported(bundle_id)) => {
                return Ok(ImportOutcome::AlreadyImported { bundle_id })
            }
            Some(Stop::Refused(e)) => return Err(e),
            None => {}
        }
        let verified = verified?;
        fsutil::test_point("import:staged");
        let ImportSink {
            staging: stage,
            bundle: info,
            counts,
            ..
        } = sink;
        let Some(info) = info else {
            return Err(StoreError::Corrupt("manifeste non vérifié"));
        };
        if !verified.records.is_empty() {
            return Err(StoreError::Corrupt("demandes non enregistrées"));
        }
        // The manifest (an entry per request) is not needed any more: freed
        // before the staged records are applied, which is the peak of memory.
        drop(verified);
        let bundle_id = info.bundle_id.clone();
        let Counts {
            requests,
            updated,
            unchanged,
            to_review,
            documents,
        } = counts;

        let mut batch = Batch::default();
        batch.put(
            keys,
            T::Bundles,
            &bundle_id,
            &BundleRow {
                bundle_id: bundle_id.clone(),
                sequence: info.sequence,
                issuer_name: info.issuer_name.clone(),
                issuer_signing_key: info.issuer_signing_key.clone(),
                issuer_age_recipient: info.issuer_age_recipient.clone(),
                imported_at: Utc::now(),
            },
        );
        let highest = info
            .last
            .as_ref()
            .map_or(info.sequence, |l| l.last.max(info.sequence));
        batch.put(
            keys,
            T::Meta,
            &sequence_name(&info.issuer_signing_key),
            &SequenceRow { last: highest },
        );
        batch.event(
            "import",
            None,
            format!(
                "lot {bundle_id} importé (séquence {}) : {requests} demande(s) dont {updated} nouvelle(s) version(s), {unchanged} inchangée(s), {documents} pièce(s)",
                info.sequence
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
        self.db.commit_staged(keys, stage, batch, "import")?;
        let mut committed = committed;
        committed.keep = true;
        Ok(ImportOutcome::Imported {
            bundle_id,
            requests,
            documents,
            updated,
            unchanged,
            to_review,
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
fn verify_while_staging<'p, 'q>(
    input: &File,
    staging: &File,
    total: u64,
    read_options: &ReadOptions<'_>,
    progress: &'p mut dyn FnMut(Progress),
    read: &'q AtomicU64,
    sink: &mut ImportSink<'_, 'p, 'q>,
) -> Result<bundle::VerifiedBundle> {
    let (stager, staged) = stage::Channels::new().split(read);
    std::thread::scope(|scope| {
        let stager = scope.spawn(|| stager.run(input, staging));
        sink.tap = Some(ProgressTap {
            read,
            total,
            reported: 0,
            progress,
        });
        let verified = bundle::reader::read_bundle_threaded(staged, read_options, &mut *sink);
        let staged = stager
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("copie du lot interrompue")));
        if let Some(mut tap) = sink.tap.take() {
            tap.report(true);
        }
        // A failed copy (disk full…) explains a verification failure.
        staged.map_err(StoreError::io("préparer l'import"))?;
        Ok(verified?)
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
    sink: &mut ImportSink<'_, '_, '_>,
) -> Result<bundle::VerifiedBundle> {
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
    let verified = bundle::read_bundle(&mut tee, read_options, sink)?;
    io::copy(&mut tee, &mut io::sink()).map_err(StoreError::io("lire le lot"))?;
    let staging = tee.out.into_inner().map_err(|e| StoreError::Io {
        what: "préparer l'import",
        source: e.into_error(),
    })?;
    staging
        .sync_all()
        .map_err(StoreError::io("préparer l'import"))?;
    Ok(verified)
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
