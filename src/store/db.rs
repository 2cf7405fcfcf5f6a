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
use super::keys::Secrets;
use super::{Result, StoreError};

/// sled's page cache bound (the default would be 1 GiB).
const CACHE_CAPACITY: u64 = 8 * 1024 * 1024;

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
}

const ALL: [T; 10] = [
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
}

impl Batch {
    /// Stores a request that was not in the store: no generation mark is
    /// written (an absent mark is a request's first generation; marks are
    /// never removed).
    pub(crate) fn put_new_request<V: Serialize>(&mut self, keys: &Keys, name: &str, value: &V) {
        self.puts.push(sealed_entry(keys, T::Requests, name, value));
    }

    /// Stores `value` under `name` in `tree`. Writing a request or a draft
    /// also resets that request's cached alert count.
    pub(crate) fn put<V: Serialize>(&mut self, keys: &Keys, tree: T, name: &str, value: &V) {
        self.puts.push(sealed_entry(keys, tree, name, value));
        if matches!(tree, T::Requests | T::Drafts) {
            self.puts.push(sealed_entry(
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
        self.puts.is_empty() && self.removes.is_empty() && self.events.is_empty()
    }
}

/// The sled key and sealed value of `value` under `name` in `tree`.
fn sealed_entry<V: Serialize>(
    keys: &Keys,
    tree: T,
    name: &str,
    value: &V,
) -> (T, Vec<u8>, Vec<u8>) {
    let key = keys.record_key(tree.name(), name).to_vec();
    // Serialising our own plain structs cannot fail.
    let plain = Zeroizing::new(serde_json::to_vec(value).unwrap_or_default());
    let sealed = keys.seal(tree.name(), &key, &plain);
    (tree, key, sealed)
}

/// The open database.
pub(crate) struct Db {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    path: std::path::PathBuf,
}

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
    pub(crate) fn open(path: &Path, _secrets: &Secrets) -> Result<Db> {
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
        Ok(Db {
            db,
            trees,
            path: path.to_path_buf(),
        })
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
        let key = keys.record_key(tree.name(), name);
        match self.tree(tree).get(key).map_err(map_sled)? {
            None => Ok(None),
            Some(sealed) => decode(keys, tree, &key, &sealed).map(Some),
        }
    }

    /// The sealed bytes of the record `name` of `tree` (not opened).
    pub(crate) fn get_raw(&self, keys: &Keys, tree: T, name: &str) -> Result<Option<sled::IVec>> {
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
        let (_, key, sealed) = sealed_entry(keys, tree, name, value);
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
        if batch.is_empty() {
            return Ok(());
        }
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
            &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7], &t[8], &t[9],
        )
            .transaction(|(m, r, d, s, doc, b, tr, j, sum, al)| {
                let views: [&TransactionalTree; 10] = [m, r, d, s, doc, b, tr, j, sum, al];
                for (tree, key, sealed) in &batch.puts {
                    views[tree.index()].insert(key.as_slice(), sealed.as_slice())?;
                }
                for (tree, key) in &batch.removes {
                    views[tree.index()].remove(key.as_slice())?;
                }
                if !batch.events.is_empty() {
                    let head_key = keys.record_key(T::Meta.name(), journal::HEAD);
                    let mut head: journal::Head = match m.get(head_key)? {
                        None => journal::Head::default(),
                        Some(v) => decode(keys, T::Meta, &head_key, &v)
                            .map_err(ConflictableTransactionError::Abort)?,
                    };
                    for (kind, request_id, detail) in &batch.events {
                        let row = JournalRow::next(&head, now, kind, request_id.clone(), detail);
                        let key = row.event.seq.to_be_bytes();
                        let plain = Zeroizing::new(serde_json::to_vec(&row).unwrap_or_default());
                        j.insert(&key[..], keys.seal(T::Journal.name(), &key, &plain))?;
                        head = journal::Head {
                            seq: row.event.seq,
                            hash: row.hash.clone(),
                        };
                    }
                    let plain = Zeroizing::new(serde_json::to_vec(&head).unwrap_or_default());
                    m.insert(&head_key[..], keys.seal(T::Meta.name(), &head_key, &plain))?;
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
