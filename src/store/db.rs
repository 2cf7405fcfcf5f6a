//! The sled database: its trees, sealed typed records, and the one write
//! path (a multi-tree transaction that also appends the journal, then a
//! flush). Besides it, only a derived cache (the alert counts of the inbox,
//! each entry checked against its request's generation mark) is written.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::Transactional;
use zeroize::Zeroizing;

use super::crypto::Keys;
use super::fsutil;
use super::journal::{self, JournalRow};
use super::{Result, StoreError};

/// sled's page cache bound (the default would be 1 GiB). sled counts the
/// nodes' serialised size; in memory they take about three times it (25 MB
/// of nodes under an 8 MiB bound, measured on an import of 40,000 requests
/// whose random keys touch every node). 2 MiB measured no better than 4.
const CACHE_CAPACITY: u64 = 4 * 1024 * 1024;

/// The trees of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum T {
    /// Counters: journal head, sequences.
    Meta,
    /// Requests: exact received bytes, bundle, issuer, versions.
    Requests,
    /// The doctor's drafts.
    Drafts,
    /// Statuses (`a_traiter`…).
    Statuses,
    /// Document index: bundle file, plaintext offset, size.
    Documents,
    /// Imported bundles and their issuers.
    Bundles,
    /// Trusted rectorat signing keys.
    Trust,
    /// The audit journal (keys: big-endian sequence numbers).
    Journal,
    /// Inbox lines, one small record per request (written with it).
    Summaries,
    /// Alert counts cached for the inbox; reset whenever the request or its
    /// draft is written.
    Alerts,
    /// What changed in a request since its draft was written ("à revoir").
    Reviews,
}

const ALL: [T; 11] = [
    T::Meta,
    T::Requests,
    T::Drafts,
    T::Statuses,
    T::Documents,
    T::Bundles,
    T::Trust,
    T::Journal,
    T::Summaries,
    T::Alerts,
    T::Reviews,
];

impl T {
    pub(crate) fn name(self) -> &'static str {
        match self {
            T::Meta => "meta",
            T::Requests => "requests",
            T::Drafts => "drafts",
            T::Statuses => "statuses",
            T::Documents => "documents",
            T::Bundles => "bundles",
            T::Trust => "trust",
            T::Journal => "journal",
            T::Summaries => "summaries",
            T::Alerts => "alerts",
            T::Reviews => "reviews",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Writes prepared outside the transaction (values already sealed).
#[derive(Default)]
pub(crate) struct Batch {
    puts: Vec<(T, Vec<u8>, Vec<u8>)>,
    /// Records removed (the retention purge), by sled key.
    removes: Vec<(T, Vec<u8>)>,
    events: Vec<(String, Option<String>, String)>,
    /// The first value that could not be serialised or sealed: the batch
    /// is then refused as a whole by [`Db::write`].
    failed: Option<StoreError>,
}

impl Batch {
    fn push(&mut self, entry: Result<(T, Vec<u8>, Vec<u8>)>) {
        match entry {
            Ok(entry) => self.puts.push(entry),
            Err(e) => {
                self.failed.get_or_insert(e);
            }
        }
    }

    /// Stores `value` under `name` in `tree`. Writing a request or a draft
    /// also resets that request's cached alert count.
    pub(crate) fn put<V: Serialize>(&mut self, keys: &Keys, tree: T, name: &str, value: &V) {
        self.push(sealed_entry(keys, tree, name, value));
        if matches!(tree, T::Requests | T::Drafts) {
            self.push(sealed_entry(
                keys,
                T::Alerts,
                name,
                &super::opinions::AlertsRow::default(),
            ));
        }
    }

    /// Appends a journal event (written in the same transaction).
    pub(crate) fn event(
        &mut self,
        kind: &str,
        request_id: Option<&str>,
        detail: impl Into<String>,
    ) {
        self.events.push((
            kind.to_string(),
            request_id.map(str::to_string),
            detail.into(),
        ));
    }

    /// Removes the record of sled key `key` from `tree` (the retention
    /// purge); applied after the puts.
    pub(crate) fn remove_key(&mut self, tree: T, key: Vec<u8>) {
        self.removes.push((tree, key));
    }

    /// Whether nothing would be written.
    pub(crate) fn is_empty(&self) -> bool {
        self.puts.is_empty()
            && self.removes.is_empty()
            && self.events.is_empty()
            && self.failed.is_none()
    }
}

/// The sled key and sealed value of `value` under `name` in `tree`.
fn sealed_entry<V: Serialize>(
    keys: &Keys,
    tree: T,
    name: &str,
    value: &V,
) -> Result<(T, Vec<u8>, Vec<u8>)> {
    let key = keys.record_key(tree.name(), name).to_vec();
    let plain = Zeroizing::new(encode(value)?);
    let sealed = keys.seal(tree.name(), &key, &plain)?;
    Ok((tree, key, sealed))
}

/// A record's JSON; an error, never an empty record, if it cannot be made.
pub(crate) fn encode<V: Serialize>(value: &V) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|_| StoreError::Encode("sérialisation"))
}

/// The open database.
pub(crate) struct Db {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    path: std::path::PathBuf,
    /// A copy of a read-only store: [`Db::write`] refuses.
    read_only: bool,
}

/// The import's redo log, beside the database: sealed entries only.
const REDO_FILE: &str = "import-redo";
/// Meta record written by the commit of a staged import: while it exists,
/// the redo log holds committed writes still to apply.
const STAGED_COMMIT: &str = "staged_commit";
/// Entries applied per sled batch.
const APPLY_BATCH: usize = 512;
/// Bytes applied between two flushes.
const APPLY_FLUSH_BYTES: usize = 2 << 20;
/// Longest staged entry (a request record is at most 1 MiB, sealed).
const MAX_ENTRY_BYTES: usize = 4 << 20;

/// The commit marker of a staged import: the redo log it covers.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct StagedCommit {
    entries: u64,
    bytes: u64,
    /// SHA-256 (hex) of the whole redo log.
    sha256: String,
}

/// An import's writes, staged while the bundle is still being verified
/// into a redo log beside the database (not in sled, whose memory grows
/// with every page it ever held): each entry an already sealed put (or a
/// removal) for one tree, invisible to every reader. They become the
/// store's only through [`Db::commit_staged`], one small transaction that
/// writes the commit marker (with the import's own records and journal
/// head); the entries are then applied to their trees in batches, the
/// marker removed and the log deleted. A crash before the marker leaves
/// nothing (the log is deleted at the next opening); after it, the next
/// opening applies the log again (each entry is a whole put, so applying
/// twice is applying once). Memory stays flat whatever the number of
/// requests.
pub(crate) struct Staging<'d> {
    db: &'d Db,
    out: std::io::BufWriter<std::fs::File>,
    hasher: sha2::Sha256,
    entries: u64,
    bytes: u64,
    /// Journal head before the import, and after its staged events.
    start_head: journal::Head,
    head: journal::Head,
    now: chrono::DateTime<chrono::Utc>,
    /// Set by the commit; otherwise dropping deletes the log.
    committed: bool,
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // A refused or failed import: nothing it staged is kept (what a
            // failure here leaves is deleted at the next import or opening).
            let _ = std::fs::remove_file(self.db.redo_path());
        }
    }
}

/// One staged entry: tree index, operation (0 put, 1 remove), key length
/// (u16 big-endian), key, sealed value.
fn staged_entry(tree: T, key: &[u8], value: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + key.len() + value.map_or(0, <[u8]>::len));
    out.push(tree.index() as u8);
    out.push(u8::from(value.is_none()));
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key);
    if let Some(value) = value {
        out.extend_from_slice(value);
    }
    out
}

/// A parsed staged entry: tree index, key, value (`None`: a removal).
type StagedEntry<'a> = (usize, &'a [u8], Option<&'a [u8]>);

/// Parses a staged entry.
fn parse_staged(entry: &[u8]) -> Option<StagedEntry<'_>> {
    let (&tree, rest) = entry.split_first()?;
    let (&op, rest) = rest.split_first()?;
    let len = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
    let rest = rest.get(2..)?;
    let key = rest.get(..len)?;
    let value = rest.get(len..)?;
    if usize::from(tree) >= ALL.len() {
        return None;
    }
    match op {
        0 => Some((usize::from(tree), key, Some(value))),
        1 if value.is_empty() => Some((usize::from(tree), key, None)),
        _ => None,
    }
}

/// Reads the next length-prefixed entry of a redo log into `buf`;
/// `false` at its end.
fn read_entry(input: &mut impl std::io::Read, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_ENTRY_BYTES {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    buf.resize(len, 0);
    input.read_exact(buf)?;
    Ok(true)
}

/// Where a staged entry lies in the redo log, ordered by tree, then key
/// (its first 16 bytes: a record key's whole length), then place in the log.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Placed {
    tree: u8,
    key: [u8; 16],
    offset: u64,
}

impl Placed {
    fn new(tree: usize, key: &[u8], offset: u64) -> Placed {
        let mut prefix = [0u8; 16];
        let n = key.len().min(16);
        prefix[..n].copy_from_slice(&key[..n]);
        Placed {
            tree: tree as u8,
            key: prefix,
            offset,
        }
    }
}

/// Reads the entry at `offset` of a redo log into `buf`.
fn read_entry_at(file: &mut std::fs::File, offset: u64, buf: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    if read_entry(file, buf)? {
        Ok(())
    } else {
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }
}

impl Staging<'_> {
    fn push(&mut self, tree: T, key: &[u8], value: Option<&[u8]>) -> Result<()> {
        use sha2::Digest;
        use std::io::Write;
        let entry = staged_entry(tree, key, value);
        let len = u32::try_from(entry.len())
            .map_err(|_| StoreError::Corrupt("enregistrement trop grand"))?
            .to_be_bytes();
        self.hasher.update(len);
        self.hasher.update(&entry);
        self.out
            .write_all(&len)
            .and_then(|()| self.out.write_all(&entry))
            .map_err(StoreError::io("préparer l'import"))?;
        self.entries += 1;
        self.bytes += 4 + entry.len() as u64;
        Ok(())
    }

    /// Stages a request that was not in the store: no generation mark is
    /// written (an absent mark is a request's first generation; marks are
    /// never removed).
    pub(crate) fn put_new_request<V: Serialize>(
        &mut self,
        keys: &Keys,
        name: &str,
        value: &V,
    ) -> Result<()> {
        let (tree, key, sealed) = sealed_entry(keys, T::Requests, name, value)?;
        self.push(tree, &key, Some(&sealed))
    }

    /// Stages a put (see [`Batch::put`], whose alert-mark rule it follows).
    pub(crate) fn put<V: Serialize>(
        &mut self,
        keys: &Keys,
        tree: T,
        name: &str,
        value: &V,
    ) -> Result<()> {
        let (_, key, sealed) = sealed_entry(keys, tree, name, value)?;
        self.push(tree, &key, Some(&sealed))?;
        if matches!(tree, T::Requests | T::Drafts) {
            let (_, key, sealed) = sealed_entry(
                keys,
                T::Alerts,
                name,
                &super::opinions::AlertsRow::default(),
            )?;
            self.push(T::Alerts, &key, Some(&sealed))?;
        }
        Ok(())
    }

    /// Stages the removal of a record.
    pub(crate) fn remove(&mut self, keys: &Keys, tree: T, name: &str) -> Result<()> {
        let key = keys.record_key(tree.name(), name);
        self.push(tree, &key, None)
    }

    /// Stages a journal event, chained after the previous ones.
    pub(crate) fn event(
        &mut self,
        keys: &Keys,
        kind: &str,
        request_id: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        let row = JournalRow::next(
            &self.head,
            self.now,
            kind,
            request_id.map(str::to_string),
            detail,
        )?;
        let key = row.event.seq.to_be_bytes();
        let plain = Zeroizing::new(encode(&row)?);
        let sealed = keys.seal(T::Journal.name(), &key, &plain)?;
        self.head = journal::Head {
            seq: row.event.seq,
            hash: row.hash.clone(),
        };
        self.push(T::Journal, &key, Some(&sealed))
    }
}

impl Db {
    fn redo_path(&self) -> std::path::PathBuf {
        self.path.with_file_name(REDO_FILE)
    }

    /// Starts staging an import (whatever an interrupted one left is dropped).
    pub(crate) fn staging(&self, keys: &Keys) -> Result<Staging<'_>> {
        use sha2::Digest;
        let path = self.redo_path();
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io("préparer l'import")(e)),
        }
        let file = fsutil::create_private(&path).map_err(StoreError::io("préparer l'import"))?;
        let head_key = keys.record_key(T::Meta.name(), journal::HEAD);
        let head: journal::Head = match self.tree(T::Meta).get(head_key).map_err(map_sled)? {
            None => journal::Head::default(),
            Some(v) => decode(keys, T::Meta, &head_key, &v)?,
        };
        Ok(Staging {
            db: self,
            out: std::io::BufWriter::with_capacity(1 << 20, file),
            hasher: sha2::Sha256::new(),
            entries: 0,
            bytes: 0,
            start_head: head.clone(),
            head,
            now: chrono::Utc::now(),
            committed: false,
        })
    }

    /// Commits a staged import: the redo log synced, one transaction writes
    /// `batch` (its events chained after the staged ones) and the commit
    /// marker, then flushes; then the log is applied (see [`Staging`]).
    pub(crate) fn commit_staged(
        &self,
        keys: &Keys,
        mut staging: Staging<'_>,
        mut batch: Batch,
        point: &str,
    ) -> Result<()> {
        use sha2::Digest;
        use std::io::Write;
        staging
            .out
            .flush()
            .and_then(|()| staging.out.get_ref().sync_all())
            .map_err(StoreError::io("préparer l'import"))?;
        if let Some(store_dir) = self.path.parent() {
            fsutil::sync_dir(store_dir).map_err(StoreError::io("préparer l'import"))?;
        }
        // Applying writes about the log's size into sled, which may hang
        // rather than fail when its log cannot grow: refused up front.
        fsutil::check_room(&self.path, staging.bytes.saturating_mul(3) + WRITE_HEADROOM)
            .map_err(StoreError::io("enregistrer dans le magasin"))?;
        let marker = StagedCommit {
            entries: staging.entries,
            bytes: staging.bytes,
            sha256: hex::encode(std::mem::take(&mut staging.hasher).finalize()),
        };
        batch
            .puts
            .push(sealed_entry(keys, T::Meta, STAGED_COMMIT, &marker)?);
        let heads = (staging.start_head.clone(), staging.head.clone());
        // From here on the log is kept: the commit below either happens
        // (and it is applied) or not (and the next opening deletes it).
        staging.committed = true;
        drop(staging);
        self.write_inner(keys, &batch, point, Some(heads))?;
        fsutil::test_point(&format!("{point}:committed"));
        self.apply_staged(keys, point)
    }

    /// Applies the committed redo log to the trees, then removes the
    /// marker and the log. Idempotent.
    fn apply_staged(&self, keys: &Keys, point: &str) -> Result<()> {
        use sha2::Digest;
        let Some(marker) = self.get::<StagedCommit>(keys, T::Meta, STAGED_COMMIT)? else {
            return Ok(());
        };
        let path = self.redo_path();
        let open = || {
            std::fs::File::open(&path)
                .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
                .map_err(|_| StoreError::Corrupt("reprise d'import introuvable"))
        };
        // First the whole log is checked against the marker, and each
        // entry's place noted; then the entries are applied in key order.
        let mut input = open()?;
        let mut buf = Vec::new();
        let mut hasher = sha2::Sha256::new();
        let (mut entries, mut bytes) = (0u64, 0u64);
        let broken = |_| StoreError::Corrupt("reprise d'import illisible");
        // Sized once (an entry takes at least 8 bytes of the log): no
        // doubling to twice the 32 bytes per entry it needs.
        let capacity = marker.entries.min(marker.bytes / 8);
        let mut order = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while read_entry(&mut input, &mut buf).map_err(broken)? {
            hasher.update((buf.len() as u32).to_be_bytes());
            hasher.update(&buf);
            let (tree, key, _) =
                parse_staged(&buf).ok_or(StoreError::Corrupt("reprise d'import illisible"))?;
            order.push(Placed::new(tree, key, bytes));
            entries += 1;
            bytes += 4 + buf.len() as u64;
        }
        if entries != marker.entries
            || bytes != marker.bytes
            || hex::encode(hasher.finalize()) != marker.sha256
        {
            return Err(StoreError::Corrupt("reprise d'import altérée"));
        }
        drop(input);
        // In key order, sled fills its leaves one after the other instead of
        // pulling a random leaf for every entry (and keeping it: 33 MB of
        // nodes for 100,000 requests). Entries of one key keep their order
        // (the offset breaks ties), so the last write of a key still wins.
        order.sort_unstable();
        let mut file = std::fs::File::open(&path)
            .map_err(|_| StoreError::Corrupt("reprise d'import introuvable"))?;
        let mut batches: Vec<sled::Batch> = ALL.iter().map(|_| sled::Batch::default()).collect();
        let mut pending = 0usize;
        let mut applied = 0u64;
        let mut unflushed = 0usize;
        for placed in &order {
            read_entry_at(&mut file, placed.offset, &mut buf).map_err(broken)?;
            unflushed += buf.len();
            let (tree, key, value) =
                parse_staged(&buf).ok_or(StoreError::Corrupt("reprise d'import illisible"))?;
            match value {
                Some(value) => batches[tree].insert(key, value),
                None => batches[tree].remove(key),
            }
            pending += 1;
            applied += 1;
            if pending >= APPLY_BATCH {
                self.apply_batches(&mut batches)?;
                pending = 0;
                // sled keeps what it has not written out in memory.
                if unflushed >= APPLY_FLUSH_BYTES {
                    self.flush()?;
                    unflushed = 0;
                }
                if applied == 8 * APPLY_BATCH as u64 {
                    fsutil::test_point(&format!("{point}:applying"));
                }
            }
        }
        drop(order);
        self.apply_batches(&mut batches)?;
        self.flush()?;
        fsutil::test_point(&format!("{point}:applied"));
        let marker_key = keys.record_key(T::Meta.name(), STAGED_COMMIT);
        self.tree(T::Meta).remove(marker_key).map_err(map_sled)?;
        self.flush()?;
        let _ = std::fs::remove_file(&path);
        Ok(())
    }

    fn apply_batches(&self, batches: &mut [sled::Batch]) -> Result<()> {
        for (tree, batch) in batches.iter_mut().enumerate() {
            let batch = std::mem::take(batch);
            self.trees[tree].apply_batch(batch).map_err(map_sled)?;
        }
        Ok(())
    }

    /// At opening: finishes a committed import (crash after its commit),
    /// or drops what an uncommitted one staged.
    /// Finishes (or discards) an import staged before a crash: called once
    /// the store is unlocked, before anything reads its records.
    pub(crate) fn recover_staged(&self, keys: &Keys) -> Result<()> {
        let marker_key = keys.record_key(T::Meta.name(), STAGED_COMMIT);
        if self
            .tree(T::Meta)
            .contains_key(marker_key)
            .map_err(map_sled)?
        {
            self.apply_staged(keys, "recover")
        } else {
            match std::fs::remove_file(self.redo_path()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::io("nettoyer un import interrompu")(e)),
            }
        }
    }

    /// Every (key, sealed value) of `tree`, not opened.
    pub(crate) fn scan_raw(
        &self,
        tree: T,
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec)>> + '_ {
        self.tree(tree).iter().map(|item| item.map_err(map_sled))
    }

    /// Every record of `tree` but those named `skip`, in key order: sealed
    /// records read in chunks, each opened and parsed on two threads.
    pub(crate) fn all_parallel<V: DeserializeOwned + Send>(
        &self,
        keys: &Keys,
        tree: T,
        skip: &[&str],
    ) -> Result<Vec<V>> {
        let skip: Vec<[u8; 16]> = skip
            .iter()
            .map(|name| keys.record_key(tree.name(), name))
            .collect();
        let work = |part: &[(sled::IVec, sled::IVec)]| -> Result<Vec<V>> {
            part.iter()
                .filter(|(key, _)| !skip.iter().any(|s| s[..] == key[..]))
                .map(|(key, sealed)| decode(keys, tree, key, sealed))
                .collect()
        };
        let mut out = Vec::new();
        let mut items = self.tree(tree).iter();
        let mut chunk = Vec::with_capacity(PARALLEL_CHUNK);
        loop {
            chunk.clear();
            for item in items.by_ref().take(PARALLEL_CHUNK) {
                chunk.push(item.map_err(map_sled)?);
            }
            if chunk.is_empty() {
                return Ok(out);
            }
            if chunk.len() < PARALLEL_CHUNK / 4 {
                out.extend(work(&chunk)?);
                continue;
            }
            let (first, second) = chunk.split_at(chunk.len() / 2);
            let (a, b) = std::thread::scope(|scope| {
                let other = scope.spawn(|| work(second));
                (work(first), other.join())
            });
            out.extend(a?);
            out.extend(b.map_err(|_| StoreError::Corrupt("lecture interrompue"))??);
        }
    }

    /// Every record of `tree` with its sealed key, for a streaming scan
    /// (records named `skip` are left out).
    pub(crate) fn scan<'a, V: DeserializeOwned + 'a>(
        &'a self,
        keys: &'a Keys,
        tree: T,
        skip: &[&str],
    ) -> impl Iterator<Item = Result<(sled::IVec, V)>> + 'a {
        let skip: Vec<[u8; 16]> = skip
            .iter()
            .map(|name| keys.record_key(tree.name(), name))
            .collect();
        self.tree(tree).iter().filter_map(move |item| match item {
            Err(e) => Some(Err(map_sled(e))),
            Ok((key, sealed)) => {
                if skip.iter().any(|s| s[..] == key[..]) {
                    return None;
                }
                Some(decode(keys, tree, &key, &sealed).map(|v| (key, v)))
            }
        })
    }
}

/// Records looked up one by one (by name) so far in this process, counted
/// in test builds only: the scale tests check that listing the inbox reads
/// by scans, not by a lookup per request.
#[cfg(any(test, feature = "test-hooks"))]
pub(crate) static POINT_READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts one point read (see [`POINT_READS`]); nothing in the doctor's build.
fn count_point_read() {
    #[cfg(any(test, feature = "test-hooks"))]
    POINT_READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Records read per step of [`Db::all_parallel`] (a few MiB at most).
const PARALLEL_CHUNK: usize = 4096;

/// Room kept free besides a write's own size: sled 0.34 grows its log by
/// 512 KiB segments and may wait forever when it cannot, so a write is
/// refused up front ("disque plein") rather than left hanging.
const WRITE_HEADROOM: u64 = 2 << 20;

fn map_sled(e: sled::Error) -> StoreError {
    if let sled::Error::Io(io) = &e {
        if io.to_string().contains("could not acquire lock") {
            return StoreError::Busy;
        }
    }
    StoreError::Db(e)
}

impl Db {
    /// Opens (or creates) the database under `path`.
    pub(crate) fn open(path: &Path) -> Result<Db> {
        fsutil::private_dir(path).map_err(StoreError::io("créer la base du magasin"))?;
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(CACHE_CAPACITY)
            .mode(sled::Mode::LowSpace);
        // The caller already holds `store.lock`, so no other avis process has
        // the database: a lock conflict here is sled's own file lock still
        // held for a moment by a just-closed handle (sled releases it from a
        // background thread). Wait for it briefly instead of failing.
        let mut attempts = 0;
        let db = loop {
            match config.open().map_err(map_sled) {
                Err(StoreError::Busy) if attempts < 200 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other?,
            }
        };
        let trees = ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(map_sled)?;
        let db = Db {
            db,
            trees,
            path: path.to_path_buf(),
            read_only: false,
        };
        Ok(db)
    }

    /// Marks this database as the throw-away copy of a read-only store.
    pub(crate) fn set_read_only(&mut self) {
        self.read_only = true;
    }

    /// A plain counter of sled's default tree, readable before the unlock
    /// (the failed unlocks: no identifiers, no health data).
    pub(crate) fn raw_counter(&self, name: &str) -> Result<u64> {
        Ok(match self.db.get(name.as_bytes()).map_err(map_sled)? {
            Some(v) if v.len() == 8 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&v);
                u64::from_be_bytes(b)
            }
            Some(_) => u64::MAX,
            None => 0,
        })
    }

    /// Sets a plain counter (see [`Db::raw_counter`]) and flushes.
    pub(crate) fn set_raw_counter(&self, name: &str, value: u64) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        self.db
            .insert(name.as_bytes(), &value.to_be_bytes())
            .map_err(map_sled)?;
        self.flush()
    }

    /// Flushes everything to disk.
    pub(crate) fn flush(&self) -> Result<()> {
        self.db.flush().map_err(map_sled)?;
        Ok(())
    }

    fn tree(&self, t: T) -> &sled::Tree {
        &self.trees[t.index()]
    }

    /// The raw tree, for tampering tests.
    #[cfg(test)]
    pub(crate) fn raw_tree(&self, t: T) -> &sled::Tree {
        self.tree(t)
    }

    /// The record `name` of `tree`.
    pub(crate) fn get<V: DeserializeOwned>(
        &self,
        keys: &Keys,
        tree: T,
        name: &str,
    ) -> Result<Option<V>> {
        count_point_read();
        let key = keys.record_key(tree.name(), name);
        match self.tree(tree).get(key).map_err(map_sled)? {
            None => Ok(None),
            Some(sealed) => decode(keys, tree, &key, &sealed).map(Some),
        }
    }

    /// The sealed bytes of the record `name` of `tree` (not opened).
    pub(crate) fn get_raw(&self, keys: &Keys, tree: T, name: &str) -> Result<Option<sled::IVec>> {
        count_point_read();
        let key = keys.record_key(tree.name(), name);
        self.tree(tree).get(key).map_err(map_sled)
    }

    /// Writes a derived cache record outside the journal and without a
    /// flush: losing it only means computing it again.
    pub(crate) fn put_cache<V: Serialize>(
        &self,
        keys: &Keys,
        tree: T,
        name: &str,
        value: &V,
    ) -> Result<()> {
        let (_, key, sealed) = sealed_entry(keys, tree, name, value)?;
        self.tree(tree).insert(key, sealed).map_err(map_sled)?;
        Ok(())
    }

    /// Every record of `tree`.
    pub(crate) fn all<V: DeserializeOwned>(&self, keys: &Keys, tree: T) -> Result<Vec<V>> {
        let mut out = Vec::new();
        for item in self.tree(tree).iter() {
            let (key, sealed) = item.map_err(map_sled)?;
            out.push(decode(keys, tree, &key, &sealed)?);
        }
        Ok(out)
    }

    /// The sled keys of every record of `tree` (the retention purge).
    pub(crate) fn keys_of(&self, tree: T) -> Result<Vec<Vec<u8>>> {
        self.tree(tree)
            .iter()
            .keys()
            .map(|k| k.map(|k| k.to_vec()).map_err(map_sled))
            .collect()
    }

    /// The sled database itself, for the purge's rewrite of the whole
    /// database into a new one (no other writer).
    pub(crate) fn sled(&self) -> &sled::Db {
        &self.db
    }

    /// The raw (sealed) journal entries in key order.
    pub(crate) fn journal_raw(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.tree(T::Journal)
            .iter()
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(map_sled))
            .collect()
    }

    /// Applies `batch` in one transaction over every tree (journal events
    /// chained), then flushes. `point` names the fault-injection points
    /// `<point>:before_flush` and `<point>:flushed`.
    pub(crate) fn write(&self, keys: &Keys, batch: &Batch, point: &str) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        if let Some(e) = &batch.failed {
            return Err(StoreError::Encode(match e {
                StoreError::Encode(what) => what,
                _ => "préparation",
            }));
        }
        if batch.is_empty() {
            return Ok(());
        }
        self.write_inner(keys, batch, point, None)
    }

    /// [`Db::write`]; with `staged_heads` (journal head before and after
    /// the events a staged import chained), the transaction checks the
    /// head is still the first and continues from the second.
    fn write_inner(
        &self,
        keys: &Keys,
        batch: &Batch,
        point: &str,
        staged_heads: Option<(journal::Head, journal::Head)>,
    ) -> Result<()> {
        let bytes: u64 = batch
            .puts
            .iter()
            .map(|(_, key, sealed)| (key.len() + sealed.len()) as u64)
            .sum();
        fsutil::check_room(&self.path, bytes.saturating_mul(3) + WRITE_HEADROOM)
            .map_err(StoreError::io("enregistrer dans le magasin"))?;
        let now = chrono::Utc::now();
        let t = &self.trees;
        let result = (
            &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7], &t[8], &t[9], &t[10],
        )
            .transaction(|(m, r, d, s, doc, b, tr, j, sum, al, rev)| {
                let views: [&TransactionalTree; 11] = [m, r, d, s, doc, b, tr, j, sum, al, rev];
                for (tree, key, sealed) in &batch.puts {
                    views[tree.index()].insert(key.as_slice(), sealed.as_slice())?;
                }
                for (tree, key) in &batch.removes {
                    views[tree.index()].remove(key.as_slice())?;
                }
                if !batch.events.is_empty() || staged_heads.is_some() {
                    let head_key = keys.record_key(T::Meta.name(), journal::HEAD);
                    let mut head: journal::Head = match m.get(head_key)? {
                        None => journal::Head::default(),
                        Some(v) => decode(keys, T::Meta, &head_key, &v)
                            .map_err(ConflictableTransactionError::Abort)?,
                    };
                    if let Some((start, end)) = &staged_heads {
                        if head.seq != start.seq || head.hash != start.hash {
                            return Err(ConflictableTransactionError::Abort(StoreError::Corrupt(
                                "journal modifié pendant l'import",
                            )));
                        }
                        head = end.clone();
                    }
                    for (kind, request_id, detail) in &batch.events {
                        let row = JournalRow::next(&head, now, kind, request_id.clone(), detail)
                            .map_err(ConflictableTransactionError::Abort)?;
                        let key = row.event.seq.to_be_bytes();
                        let sealed = encode(&row)
                            .map(Zeroizing::new)
                            .and_then(|plain| Ok(keys.seal(T::Journal.name(), &key, &plain)?))
                            .map_err(ConflictableTransactionError::Abort)?;
                        j.insert(&key[..], sealed)?;
                        head = journal::Head {
                            seq: row.event.seq,
                            hash: row.hash.clone(),
                        };
                    }
                    let sealed = encode(&head)
                        .map(Zeroizing::new)
                        .and_then(|plain| Ok(keys.seal(T::Meta.name(), &head_key, &plain)?))
                        .map_err(ConflictableTransactionError::Abort)?;
                    m.insert(&head_key[..], sealed)?;
                }
                Ok(())
            });
        match result {
            Ok(()) => {}
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(map_sled(e)),
        }
        fsutil::test_point(&format!("{point}:before_flush"));
        self.flush()?;
        fsutil::test_point(&format!("{point}:flushed"));
        Ok(())
    }
}

/// Opens and parses a sealed record.
pub(crate) fn decode<V: DeserializeOwned>(
    keys: &Keys,
    tree: T,
    key: &[u8],
    sealed: &[u8],
) -> Result<V> {
    let plain = keys
        .open(tree.name(), key, sealed)
        .ok_or(StoreError::Corrupt("enregistrement indéchiffrable"))?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt("enregistrement illisible"))
}

#[cfg(test)]
mod staging_tests {
    use super::*;

    /// The staged entries are applied in key order, not in the order they
    /// were staged: a key written twice (or written then removed) must
    /// still end with its last write, and every other key with its own.
    #[test]
    fn a_staged_import_applied_in_key_order_keeps_the_last_write_of_each_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("db")).unwrap();
        let keys = Keys::derive(&[3u8; 32]);
        let mut staging = db.staging(&keys).unwrap();
        let names: Vec<String> = (0..2_000).map(|n| format!("demande-{n}")).collect();
        for name in &names {
            staging
                .put(&keys, T::Statuses, name, &format!("premier {name}"))
                .unwrap();
        }
        // Second writes of every tenth key, removals of every seventh, in
        // reverse order (so the later write sits earlier in key order half
        // the time).
        for (n, name) in names.iter().enumerate().rev() {
            if n % 10 == 0 {
                staging
                    .put(&keys, T::Statuses, name, &format!("second {name}"))
                    .unwrap();
            }
            if n % 7 == 0 {
                staging.remove(&keys, T::Statuses, name).unwrap();
            }
        }
        // A removed key written again afterwards exists.
        staging
            .put(&keys, T::Statuses, &names[14], &"revenu".to_string())
            .unwrap();
        db.commit_staged(&keys, staging, Batch::default(), "test")
            .unwrap();

        for (n, name) in names.iter().enumerate() {
            let got: Option<String> = db.get(&keys, T::Statuses, name).unwrap();
            let want = if n == 14 {
                Some("revenu".to_string())
            } else if n % 7 == 0 {
                None
            } else if n % 10 == 0 {
                Some(format!("second {name}"))
            } else {
                Some(format!("premier {name}"))
            };
            assert_eq!(got, want, "{name}");
        }
        assert!(
            !db.redo_path().exists(),
            "the redo log is deleted once applied"
        );
    }
}
