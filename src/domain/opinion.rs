//! The avis médical (`opinions/<id>.json`) and the doctor's draft around it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalogue::MeasureCode;
use crate::open_code_enum;

open_code_enum! {
    /// The doctor's decision on one measure.
    Decision {
        Accorde => "accorde", "Accordé",
        Refuse => "refuse", "Refusé",
        Modifie => "modifie", "Modifié",
        Ajoute => "ajoute", "Ajouté",
    }
}

open_code_enum! {
    /// The épreuves a granted measure applies to.
    Epreuves {
        Toutes => "toutes", "Toutes les épreuves",
        Ecrites => "ecrites", "Épreuves écrites",
        Orales => "orales", "Épreuves orales",
        Pratiques => "pratiques", "Épreuves pratiques",
        Precisees => "precisees", "Épreuves précisées",
    }
}

impl Default for Epreuves {
    fn default() -> Self {
        Epreuves::Toutes
    }
}

open_code_enum! {
    /// The global outcome of an avis.
    Outcome {
        Favorable => "favorable", "Favorable",
        Partiel => "partiel", "Partiel",
        Defavorable => "defavorable", "Défavorable",
        Incomplet => "incomplet", "Incomplet",
    }
}

open_code_enum! {
    /// How long an avis holds.
    ValidityKind {
        Session => "session", "Cette session",
        Cycle => "cycle", "Tout le cycle",
    }
}

/// The avis on one measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureOpinion {
    pub code: MeasureCode,
    pub decision: Decision,
    /// For `modifie`: the code actually advised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted: Option<MeasureCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "is_default_epreuves")]
    pub epreuves: Epreuves,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motivation: Option<String>,
}

fn is_default_epreuves(e: &Epreuves) -> bool {
    *e == Epreuves::Toutes
}

/// Validity of the avis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    pub kind: ValidityKind,
    pub until_session: String,
}

/// The doctor who signs the avis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doctor {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpps: Option<String>,
}

/// One avis médical, the exported object.
///
/// `request_sha256`, `doctor` and `decided_at` are optional here because
/// `avis opinion apply` may leave them out; an exported avis always has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opinion {
    pub request_id: String,
    pub request_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sha256: Option<String>,
    pub outcome: Outcome,
    #[serde(default)]
    pub measures: Vec<MeasureOpinion>,
    #[serde(default)]
    pub missing_documents: Vec<String>,
    #[serde(default)]
    pub motivation: String,
    pub validity: Validity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctor: Option<Doctor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// The doctor's override of a `bloquant` check, with its written reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOverride {
    pub rule: String,
    /// The measure the check was about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureCode>,
    pub reason: String,
}

/// The doctor's working copy: the avis plus what never leaves the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub opinion: Opinion,
    /// Private notes: stored encrypted, never exported.
    #[serde(default)]
    pub private_notes: String,
    #[serde(default)]
    pub overrides: Vec<CheckOverride>,
    /// Set when a newer version of the request arrived after this draft was written.
    #[serde(default)]
    pub written_against_older_version: bool,
}
