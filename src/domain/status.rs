//! The life cycle of a request in the doctor's store.

use serde::{Deserialize, Serialize};

/// `a_traiter → brouillon → valide → exporte`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No avis yet.
    ATraiter,
    /// An avis is being written.
    Brouillon,
    /// Ready to sign and export.
    Valide,
    /// Sent to the rectorat.
    Exporte,
}

impl Status {
    /// The wire code (`a_traiter`…).
    pub fn code(self) -> &'static str {
        match self {
            Status::ATraiter => "a_traiter",
            Status::Brouillon => "brouillon",
            Status::Valide => "valide",
            Status::Exporte => "exporte",
        }
    }

    /// The French label shown to the doctor.
    pub fn label(self) -> &'static str {
        match self {
            Status::ATraiter => "À traiter",
            Status::Brouillon => "Brouillon",
            Status::Valide => "Validé",
            Status::Exporte => "Exporté",
        }
    }
}
