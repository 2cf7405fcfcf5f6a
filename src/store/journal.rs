//! The audit journal: append-only, sealed, hash-chained events with no
//! medical content (imports, edits, validations, exports, failed unlocks).
//!
//! Each entry's hash covers the previous hash and the event; the head
//! (last sequence and hash) is kept in the meta tree, so that a removed,
//! altered, reordered or truncated entry is detected.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::db::{self, Batch, T};
use super::keys;
use super::{JournalEvent, Result, Store, StoreError};

/// Meta record name of the journal head.
pub(crate) const HEAD: &str = "journal_head";

/// The last entry's sequence and hash (`seq` 0: empty journal).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Head {
    pub seq: u64,
    pub hash: String,
}

/// The hashed part of an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Event {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub request_id: Option<String>,
    pub detail: String,
}

/// One stored entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JournalRow {
    pub event: Event,
    pub prev: String,
    pub hash: String,
}

fn chain_hash(prev: &str, event: &Event) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0u8]);
    h.update(serde_json::to_vec(event).unwrap_or_default());
    hex::encode(h.finalize())
}

impl JournalRow {
    /// The entry following `head`.
    pub(crate) fn next(
        head: &Head,
        at: DateTime<Utc>,
        kind: &str,
        request_id: Option<String>,
        detail: &str,
    ) -> JournalRow {
        let event = Event {
            seq: head.seq + 1,
            at,
            kind: kind.to_string(),
            request_id,
            detail: detail.to_string(),
        };
        let hash = chain_hash(&head.hash, &event);
        JournalRow {
            event,
            prev: head.hash.clone(),
            hash,
        }
    }
}

impl From<Event> for JournalEvent {
    fn from(e: Event) -> JournalEvent {
        JournalEvent {
            seq: e.seq,
            at: e.at,
            kind: e.kind,
            request_id: e.request_id,
            detail: e.detail,
        }
    }
}

impl Store {
    /// Journal events, all or those of one request.
    pub fn journal(&self, request_id: Option<&str>) -> Result<Vec<JournalEvent>> {
        let keys = &self.secrets.keys;
        let mut out = Vec::new();
        for (key, sealed) in self.db.journal_raw()? {
            let row: JournalRow = db::decode(keys, T::Journal, &key, &sealed)?;
            if request_id.is_none() || row.event.request_id.as_deref() == request_id {
                out.push(row.event.into());
            }
        }
        Ok(out)
    }

    /// Checks the journal's hash chain; returns the number of events.
    pub fn journal_verify(&self) -> Result<u64> {
        let keys = &self.secrets.keys;
        let mut expected = 1u64;
        let mut prev = String::new();
        for (key, sealed) in self.db.journal_raw()? {
            let row: JournalRow = db::decode(keys, T::Journal, &key, &sealed).map_err(|_| {
                StoreError::JournalBroken {
                    seq: expected,
                    why: "entrée altérée ou déplacée",
                }
            })?;
            if row.event.seq != expected || key.as_slice() != expected.to_be_bytes() {
                return Err(StoreError::JournalBroken {
                    seq: expected,
                    why: "entrée supprimée ou réordonnée",
                });
            }
            if row.prev != prev || chain_hash(&prev, &row.event) != row.hash {
                return Err(StoreError::JournalBroken {
                    seq: expected,
                    why: "chaîne de hachage rompue",
                });
            }
            prev = row.hash;
            expected += 1;
        }
        let head: Head = self
            .db
            .get(keys, T::Meta, HEAD)
            .map_err(|_| StoreError::JournalBroken {
                seq: expected,
                why: "tête du journal altérée",
            })?
            .unwrap_or_default();
        if head.seq != expected - 1 || head.hash != prev {
            return Err(StoreError::JournalBroken {
                seq: expected,
                why: "dernières entrées supprimées",
            });
        }
        Ok(expected - 1)
    }

    /// Journals the wrong passphrases typed since the last unlock.
    pub(crate) fn journal_failed_unlocks(&self) -> Result<()> {
        let n = keys::failed_unlocks(&self.dir);
        if n == 0 {
            return Ok(());
        }
        let mut batch = Batch::default();
        batch.event(
            "unlock_failed",
            None,
            format!("{n} tentative(s) de déverrouillage avec une phrase de passe incorrecte"),
        );
        self.db.write(&self.secrets.keys, &batch, "journal")?;
        keys::clear_failed_unlocks(&self.dir)
    }
}
