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

/// The event kind of a pièce received on paper (`avis piece papier`).
pub(crate) const PAPER_PIECE: &str = "piece_papier";

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

fn chain_hash(prev: &str, event: &Event) -> Result<String> {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0u8]);
    h.update(db::encode(event)?);
    Ok(hex::encode(h.finalize()))
}

impl JournalRow {
    /// The entry following `head`.
    pub(crate) fn next(
        head: &Head,
        at: DateTime<Utc>,
        kind: &str,
        request_id: Option<String>,
        detail: &str,
    ) -> Result<JournalRow> {
        let event = Event {
            seq: head.seq + 1,
            at,
            kind: kind.to_string(),
            request_id,
            detail: detail.to_string(),
        };
        let hash = chain_hash(&head.hash, &event)?;
        Ok(JournalRow {
            event,
            prev: head.hash.clone(),
            hash,
        })
    }
}

/// The French label of a journal event kind, for every human output (the
/// JSON keeps the stable codes); an unknown code is shown as it is.
pub fn event_kind_label(code: &str) -> &str {
    match code {
        "import" => "import",
        "update" => "nouvelle version",
        "edit" => "modification",
        "validate" => "validation",
        "unvalidate" => "retour en brouillon",
        "override" => "contrôle levé",
        "export" => "export",
        "export_aborted" => "export interrompu",
        "trust" => "clé acceptée",
        "unlock_failed" => "échec de déverrouillage",
        "passphrase_changed" => "phrase de passe changée",
        "backup" => "sauvegarde",
        "restore" => "restauration",
        "piece_papier" => "pièce reçue sur papier",
        other => other,
    }
}

impl JournalEvent {
    /// The French label of this event's kind ([`event_kind_label`]).
    pub fn kind_label(&self) -> &str {
        event_kind_label(&self.kind)
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
            if row.prev != prev || chain_hash(&prev, &row.event)? != row.hash {
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

    /// Journals the `n` wrong passphrases typed since the last unlock,
    /// then resets the counter (the database's and a legacy file's).
    pub(crate) fn journal_failed_unlocks(&self, n: u64) -> Result<()> {
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
        self.db.set_raw_counter(super::FAILED_UNLOCKS, 0)?;
        keys::clear_legacy_failed_unlocks(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    fn store_with_events(n: usize) -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let store = Store::init(
            &dir,
            &"phrase de passe de test".to_string().into(),
            "Dr Test",
            None,
            &StoreOptions {
                kdf_log_n: Some(10),
            },
        )
        .unwrap();
        for i in 0..n {
            let mut batch = Batch::default();
            batch.event(
                "edit",
                Some(&format!("AMX-{i}")),
                "brouillon d'avis enregistré",
            );
            store.db.write(&store.secrets.keys, &batch, "test").unwrap();
        }
        (tmp, store)
    }

    fn tree(store: &Store) -> &sled::Tree {
        store.db.raw_tree(T::Journal)
    }

    #[test]
    fn every_kind_written_has_a_french_label() {
        for code in [
            "import",
            "update",
            "edit",
            "validate",
            "unvalidate",
            "override",
            "export",
            "export_aborted",
            "trust",
            "unlock_failed",
            "passphrase_changed",
            "backup",
            "restore",
            "piece_papier",
        ] {
            let label = event_kind_label(code);
            // Codes with an underscore are never shown as they are.
            assert!(label != code || !code.contains('_'), "{code}");
        }
        assert_eq!(event_kind_label("unlock_failed"), "échec de déverrouillage");
    }

    #[test]
    fn intact_journal_verifies() {
        let (_t, store) = store_with_events(5);
        assert_eq!(store.journal_verify().unwrap(), 5);
        assert_eq!(store.journal(Some("AMX-3")).unwrap().len(), 1);
        assert_eq!(store.journal(None).unwrap().len(), 5);
    }

    #[test]
    fn removed_entry_is_detected() {
        let (_t, store) = store_with_events(5);
        tree(&store).remove(3u64.to_be_bytes()).unwrap();
        assert!(matches!(
            store.journal_verify(),
            Err(StoreError::JournalBroken { seq: 3, .. })
        ));
    }

    #[test]
    fn removed_last_entry_is_detected() {
        let (_t, store) = store_with_events(5);
        tree(&store).remove(5u64.to_be_bytes()).unwrap();
        assert!(matches!(
            store.journal_verify(),
            Err(StoreError::JournalBroken { .. })
        ));
    }

    #[test]
    fn altered_entry_is_detected() {
        let (_t, store) = store_with_events(5);
        let key = 2u64.to_be_bytes();
        let mut v = tree(&store).get(key).unwrap().unwrap().to_vec();
        let last = v.len() - 1;
        v[last] ^= 0x01;
        tree(&store).insert(key, v).unwrap();
        assert!(matches!(
            store.journal_verify(),
            Err(StoreError::JournalBroken { seq: 2, .. })
        ));
    }

    #[test]
    fn reordered_entries_are_detected() {
        let (_t, store) = store_with_events(5);
        let (k2, k3) = (2u64.to_be_bytes(), 3u64.to_be_bytes());
        let v2 = tree(&store).get(k2).unwrap().unwrap();
        let v3 = tree(&store).get(k3).unwrap().unwrap();
        tree(&store).insert(k2, v3).unwrap();
        tree(&store).insert(k3, v2).unwrap();
        assert!(store.journal_verify().is_err());
    }

    #[test]
    fn resealed_rewritten_entry_is_detected_by_the_chain() {
        // Even with the data key, rewriting an entry breaks the hash chain.
        let (_t, store) = store_with_events(5);
        let keys = &store.secrets.keys;
        let key = 2u64.to_be_bytes();
        let sealed = tree(&store).get(key).unwrap().unwrap();
        let mut row: JournalRow = db::decode(keys, T::Journal, &key, &sealed).unwrap();
        row.event.kind = "export".into();
        let plain = serde_json::to_vec(&row).unwrap();
        tree(&store)
            .insert(key, keys.seal(T::Journal.name(), &key, &plain).unwrap())
            .unwrap();
        assert!(matches!(
            store.journal_verify(),
            Err(StoreError::JournalBroken {
                seq: 2,
                why: "chaîne de hachage rompue"
            })
        ));
    }
}
