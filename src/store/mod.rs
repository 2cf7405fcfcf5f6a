//! The doctor's encrypted local store on sled: profile and keys (under the
//! passphrase), sealed records, requests, documents, drafts, journal,
//! transactional import and export.
//!
//! API contract used by the CLI and the TUI (the bodies are filled in by the
//! store issue).

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::domain::checks::Finding;
use crate::domain::{
    DiplomaCode, Doctor, Draft, MeasureCode, Procedure, Request, Status, TroubleCode,
};

/// Store errors, with French messages (what went wrong, what to do).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cette fonction n'est pas encore disponible")]
    NotYetBuilt,
}

/// Result alias of the store.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Options fixed when a store is created or opened.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// scrypt work factor (log2 N) for the passphrase; `None`: age's timed
    /// default (~1 s). Only tests set a low one.
    pub kdf_log_n: Option<u8>,
}

/// The doctor's public keys (`avis keys show`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicKeys {
    pub age_recipient: String,
    pub signing_key: String,
    pub signing_key_file: String,
}

/// A rectorat signing key the doctor trusts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrustedSigner {
    pub name: String,
    pub signing_key: String,
    /// Short fingerprint to read over the phone.
    pub fingerprint: String,
    pub added_at: DateTime<Utc>,
}

/// Import options.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Accept a bundle whose sequence is not above the last one (`--accepter-ancien`).
    pub accept_older: bool,
}

/// Progress of a long operation, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Imported {
        bundle_id: String,
        requests: usize,
        documents: usize,
        /// Requests that replaced an older version.
        updated: usize,
    },
    AlreadyImported {
        bundle_id: String,
    },
}

/// One line of the inbox (`avis list`).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSummary {
    pub id: String,
    /// "NOM Prénom".
    pub candidate: String,
    pub diploma: DiplomaCode,
    pub session: String,
    pub procedure: Procedure,
    pub late: bool,
    pub received_at: NaiveDate,
    pub status: Status,
    /// Checks that fire and are not `info`.
    pub alerts: usize,
    pub troubles: Vec<TroubleCode>,
    pub measures: Vec<MeasureCode>,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub request: Request,
    /// SHA-256 (hex) of the exact bytes received.
    pub sha256: String,
    /// Bundle it came in, and the issuer's name.
    pub bundle_id: String,
    pub issuer_name: String,
    /// Versions received so far, oldest first.
    pub versions: Vec<u32>,
}

/// One journal event (no medical content).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JournalEvent {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// `import`, `edit`, `validate`, `unvalidate`, `override`, `export`, `unlock_failed`…
    pub kind: String,
    pub request_id: Option<String>,
    /// French, short, never medical.
    pub detail: String,
}

/// Export options.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Export these again even if already exported (`--encore`).
    pub again: Vec<String>,
}

/// One written opinions bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFile {
    pub path: std::path::PathBuf,
    pub issuer_name: String,
    pub opinions: usize,
}

/// An unlocked store.
pub struct Store {
    _private: (),
}

impl Store {
    /// Creates the store and the doctor's keys under `passphrase`.
    pub fn init(
        _dir: &Path,
        _passphrase: &SecretString,
        _name: &str,
        _rpps: Option<&str>,
        _options: &StoreOptions,
    ) -> Result<Store> {
        Err(StoreError::NotYetBuilt)
    }

    /// Unlocks an existing store.
    pub fn open(_dir: &Path, _passphrase: &SecretString, _options: &StoreOptions) -> Result<Store> {
        Err(StoreError::NotYetBuilt)
    }

    /// The doctor's public keys.
    pub fn public_keys(&self) -> PublicKeys {
        unimplemented!()
    }

    /// The doctor's name and RPPS.
    pub fn doctor(&self) -> Doctor {
        unimplemented!()
    }

    /// Trusts a rectorat's minisign public key (contents of a `.pub` file).
    pub fn trust_add(&self, _pub_file: &str, _name: &str) -> Result<TrustedSigner> {
        Err(StoreError::NotYetBuilt)
    }

    /// The trusted signers.
    pub fn trusted(&self) -> Result<Vec<TrustedSigner>> {
        Err(StoreError::NotYetBuilt)
    }

    /// Verifies and imports an assignment bundle, all or nothing.
    pub fn import(
        &self,
        _bundle: &Path,
        _options: &ImportOptions,
        _progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportOutcome> {
        Err(StoreError::NotYetBuilt)
    }

    /// Every request's inbox line; checks evaluated on `today`.
    pub fn summaries(&self, _today: NaiveDate) -> Result<Vec<RequestSummary>> {
        Err(StoreError::NotYetBuilt)
    }

    /// One request.
    pub fn request(&self, _id: &str) -> Result<RequestRecord> {
        Err(StoreError::NotYetBuilt)
    }

    /// The draft avis of a request, if any.
    pub fn draft(&self, _id: &str) -> Result<Option<Draft>> {
        Err(StoreError::NotYetBuilt)
    }

    /// The status of a request.
    pub fn status(&self, _id: &str) -> Result<Status> {
        Err(StoreError::NotYetBuilt)
    }

    /// Saves a draft (status becomes `brouillon`; a validated avis returns to it).
    pub fn save_draft(&self, _id: &str, _draft: &Draft) -> Result<()> {
        Err(StoreError::NotYetBuilt)
    }

    /// The checks of a request with its current draft, on `today`.
    pub fn findings(&self, _id: &str, _today: NaiveDate) -> Result<Vec<Finding>> {
        Err(StoreError::NotYetBuilt)
    }

    /// Marks the avis ready to sign, after the checks.
    pub fn validate(&self, _id: &str, _today: NaiveDate) -> Result<()> {
        Err(StoreError::NotYetBuilt)
    }

    /// Returns a validated avis to `brouillon`.
    pub fn unvalidate(&self, _id: &str) -> Result<()> {
        Err(StoreError::NotYetBuilt)
    }

    /// A document's bytes, decrypted into memory.
    pub fn document(&self, _sha256: &str) -> Result<Zeroizing<Vec<u8>>> {
        Err(StoreError::NotYetBuilt)
    }

    /// Signs and encrypts every validated, not yet exported avis.
    pub fn export(
        &self,
        _out: &Path,
        _options: &ExportOptions,
        _progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ExportedFile>> {
        Err(StoreError::NotYetBuilt)
    }

    /// Journal events, all or those of one request.
    pub fn journal(&self, _request_id: Option<&str>) -> Result<Vec<JournalEvent>> {
        Err(StoreError::NotYetBuilt)
    }

    /// Checks the journal's hash chain; returns the number of events.
    pub fn journal_verify(&self) -> Result<u64> {
        Err(StoreError::NotYetBuilt)
    }
}
