//! The rectorat's side (the DIEC's service gestionnaire): a workspace
//! holding its keys under a passphrase (the store's key code), a registry
//! of doctors with their automatic sequences, a ledger of what was sent to
//! whom and what came back; assignment from a spreadsheet, gathering the
//! avis into one workbook, and the follow-up of what is still pending.
//! Also the single-bundle `rectorat pack` and `rectorat open`.
//!
//! Knows the domain, the bundle format and the store's key code; nothing of
//! the terminal.

pub mod assign;
pub mod followup;
pub mod open;
pub mod pack;
pub mod receive;
pub mod registry;
pub mod table;
pub mod wire;
pub mod workbook;
pub mod workspace;

pub use followup::{DoctorFollowUp, FollowUp, Outstanding};
pub use registry::{NewDoctor, RegisteredDoctor};
pub use workspace::{SendSummary, Workspace};

use std::path::Path;

/// Errors of the rectorat's side, with French messages (what went wrong,
/// what to do). No message holds a name or a medical fact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RectoratError {
    #[error("aucun espace de travail du rectorat dans « {0} » : créez-le avec « avis rectorat init --espace DOSSIER --nom \"Rectorat …\" », ou indiquez le bon dossier avec --espace")]
    NotInitialized(String),
    #[error("le dossier « {0} » existe déjà et n'est pas vide : rien n'a été créé ; indiquez un dossier neuf ou vide avec --espace")]
    NotEmpty(String),
    #[error("l'espace de travail est déjà ouvert par un autre programme avis ; fermez-le puis recommencez")]
    Busy,
    #[error("l'espace de travail est endommagé ({0}) : conservez le dossier tel quel et restaurez sa dernière copie")]
    Corrupt(&'static str),
    #[error("{}", io_message(what, source))]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Bundle(#[from] crate::bundle::BundleError),
    /// Line-numbered problems of an assignment spreadsheet (nothing sent).
    #[error("{}", lines_message(.0))]
    Assignments(Vec<String>),
    /// A refusal explained in full (French, what to do).
    #[error("{0}")]
    Refused(String),
}

fn io_message(what: &str, source: &std::io::Error) -> String {
    if crate::store::fsutil::is_storage_full(source) {
        crate::store::DISK_FULL_MESSAGE.to_string()
    } else {
        format!("impossible de {what} : {source}")
    }
}

/// How many line problems a message lists before « … et N autres ».
const MAX_LISTED: usize = 30;

fn lines_message(problems: &[String]) -> String {
    let mut out = format!(
        "fichier d'affectations refusé, aucun lot n'a été écrit ({} problème(s)) ; corrigez le fichier puis recommencez :",
        problems.len()
    );
    for p in problems.iter().take(MAX_LISTED) {
        out.push_str("\n  ");
        out.push_str(p);
    }
    if problems.len() > MAX_LISTED {
        out.push_str(&format!(
            "\n  … et {} autre(s)",
            problems.len() - MAX_LISTED
        ));
    }
    out
}

/// Result alias of the rectorat's side.
pub type Result<T> = std::result::Result<T, RectoratError>;

impl RectoratError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> RectoratError {
        let what = what.into();
        move |source| RectoratError::Io { what, source }
    }
}

/// Display form of a user-given path (control characters stripped).
pub fn shown(path: &Path) -> String {
    crate::bundle::error::clean_path(&path.to_string_lossy())
}
