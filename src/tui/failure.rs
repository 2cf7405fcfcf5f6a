//! What the worker says went wrong: a [`FailureKind`] the UI decides by
//! (wrong passphrase, file that exists, untrusted signer…), and the French
//! text shown where a person reads it. Built at the worker from the store's
//! and the bundle's typed errors, whose texts never quote health data.

use std::path::PathBuf;

use crate::bundle::BundleError;
use crate::store::StoreError;

/// The kinds of failure the UI tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The passphrase does not open the store.
    WrongPassphrase,
    /// Another avis program holds the store.
    StoreBusy,
    /// The store is not unlocked (the session was locked meanwhile).
    StoreClosed,
    /// A store already exists where one was to be created.
    StoreExists,
    /// The store or its journal is damaged: restore the backup.
    Damaged,
    /// The store cannot be used as it is (read-only, newer format, database
    /// error).
    Storage,
    /// This file exists and was not replaced: nothing was written.
    FileExists(PathBuf),
    /// No such request or pièce in the store.
    NotFound,
    /// The store refused the change (incomplete avis, blocking check,
    /// nothing to export…): the text says what to do.
    Refused,
    /// The bundle is signed by a key the doctor does not trust (yet).
    UntrustedSigner,
    /// The bundle (or key file) was refused: damaged, replayed, malformed.
    Bundle,
    /// A file or folder could not be read or written.
    Io,
    /// Anything else.
    Other,
}

/// A failure of a worker command: its kind, and the French text (never
/// health data) shown at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerFailure {
    kind: FailureKind,
    text: String,
}

impl WorkerFailure {
    /// A failure of this kind, with its French text.
    pub fn new(kind: FailureKind, text: impl Into<String>) -> WorkerFailure {
        WorkerFailure {
            kind,
            text: text.into(),
        }
    }

    /// What went wrong, for the UI to decide by.
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// The same failure, its text preceded by what was being done
    /// (« le brouillon n'a pas pu être enregistré : … »).
    pub fn context(self, what: impl std::fmt::Display) -> WorkerFailure {
        WorkerFailure {
            text: format!("{what} : {}", self.text),
            ..self
        }
    }

    /// The same failure, its text followed by `more`.
    pub fn then(self, more: impl std::fmt::Display) -> WorkerFailure {
        WorkerFailure {
            text: format!("{} ; {more}", self.text),
            ..self
        }
    }
}

impl std::fmt::Display for WorkerFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<StoreError> for WorkerFailure {
    fn from(e: StoreError) -> WorkerFailure {
        // No catch-all: a new store error must be given its kind here.
        let kind = match &e {
            StoreError::WrongPassphrase => FailureKind::WrongPassphrase,
            StoreError::Busy => FailureKind::StoreBusy,
            StoreError::AlreadyInitialized(_) => FailureKind::StoreExists,
            StoreError::Corrupt(_) | StoreError::JournalBroken { .. } => FailureKind::Damaged,
            StoreError::Db(sled::Error::Corruption { .. }) => FailureKind::Damaged,
            StoreError::Db(_)
            | StoreError::ReadOnly
            | StoreError::NewerFormat { .. }
            | StoreError::NotInitialized(_)
            | StoreError::Keys(_)
            | StoreError::Settings(_)
            | StoreError::Encode(_) => FailureKind::Storage,
            StoreError::ExportFileExists(path) => FailureKind::FileExists(path.clone()),
            StoreError::UnknownRequest(_)
            | StoreError::DocumentMissing(_)
            | StoreError::NoDraft(_) => FailureKind::NotFound,
            StoreError::Incomplete { .. }
            | StoreError::Blocked { .. }
            | StoreError::WrittenAgainstOlderVersion(_)
            | StoreError::OpinionMismatch { .. }
            | StoreError::NothingToExport
            | StoreError::NotValidated(_)
            | StoreError::BackupInsideStore
            | StoreError::SamePassphrase
            | StoreError::RestoreTargetNotEmpty(_)
            | StoreError::NotABackup(_) => FailureKind::Refused,
            StoreError::Bundle(b) => bundle_kind(b),
            StoreError::Replay { .. }
            | StoreError::BadRequest(_)
            | StoreError::PhantomDocument(_)
            | StoreError::SameVersionChanged { .. }
            | StoreError::BadPublicKey(_) => FailureKind::Bundle,
            StoreError::Io { .. } => FailureKind::Io,
        };
        WorkerFailure::new(kind, e.to_string())
    }
}

fn bundle_kind(e: &BundleError) -> FailureKind {
    match e {
        BundleError::UntrustedSigner => FailureKind::UntrustedSigner,
        BundleError::Io(_) => FailureKind::Io,
        _ => FailureKind::Bundle,
    }
}

impl From<BundleError> for WorkerFailure {
    fn from(e: BundleError) -> WorkerFailure {
        WorkerFailure::new(bundle_kind(&e), e.to_string())
    }
}

impl From<crate::print::PaperError> for WorkerFailure {
    fn from(e: crate::print::PaperError) -> WorkerFailure {
        use crate::print::PaperError;
        match e {
            PaperError::Store(e) => e.into(),
            PaperError::NotExported(_) => WorkerFailure::new(FailureKind::Refused, e.to_string()),
            PaperError::NoAvis(_) => WorkerFailure::new(FailureKind::NotFound, e.to_string()),
            other => WorkerFailure::new(FailureKind::Other, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_comes_from_the_store_error_and_the_text_stays_its_own() {
        let f = WorkerFailure::from(StoreError::WrongPassphrase);
        assert_eq!(f.kind(), &FailureKind::WrongPassphrase);
        assert_eq!(f.to_string(), StoreError::WrongPassphrase.to_string());
        let path = PathBuf::from("/tmp/avis-2026-12-01-n1.avis");
        let f = WorkerFailure::from(StoreError::ExportFileExists(path.clone()));
        assert_eq!(f.kind(), &FailureKind::FileExists(path));
        let f = WorkerFailure::from(StoreError::Bundle(BundleError::UntrustedSigner));
        assert_eq!(f.kind(), &FailureKind::UntrustedSigner);
        assert!(f.to_string().contains("clés de confiance"), "{f}");
    }

    #[test]
    fn context_keeps_the_kind() {
        let f = WorkerFailure::from(StoreError::UnknownRequest("AMX-1".into()))
            .context("le brouillon n'a pas pu être enregistré");
        assert_eq!(f.kind(), &FailureKind::NotFound);
        assert!(f
            .to_string()
            .starts_with("le brouillon n'a pas pu être enregistré : aucune demande AMX-1"));
    }
}
