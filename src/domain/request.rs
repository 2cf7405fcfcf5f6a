//! A demande d'aménagements, exactly the fields of `requests/<id>.json`.
//!
//! Unknown fields are ignored (forward compatibility); the store keeps the
//! received bytes verbatim, so nothing is lost by parsing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::{DiplomaCode, DocumentCategory, MeasureCode, TroubleCode};
use crate::open_code_enum;

open_code_enum! {
    /// How the request is processed (D351-28-1 and the urgence procedure).
    Procedure {
        /// Procédure complète: the dossier goes to the doctor.
        Complete => "complete", "Procédure complète",
        /// Procédure simplifiée (PAP/PPS/PAI validated by the médecin scolaire).
        Simplifiee => "simplifiee", "Procédure simplifiée",
        /// Procédure d'urgence.
        Urgence => "urgence", "Procédure d'urgence",
    }
}

/// One request as received from the rectorat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub version: u32,
    pub received_at: NaiveDate,
    #[serde(default)]
    pub late: bool,
    pub procedure: Procedure,
    pub candidate: Candidate,
    pub exam: Exam,
    pub schooling: Schooling,
    #[serde(default)]
    pub supports: Vec<String>,
    #[serde(default)]
    pub troubles: Vec<TroubleCode>,
    #[serde(default)]
    pub requested_measures: Vec<RequestedMeasure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
    #[serde(default)]
    pub previous_decisions: Vec<PreviousDecision>,
}

/// Section #1: the candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub last_name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_representative: Option<String>,
}

impl Candidate {
    /// "NOM Prénom", as lists show it.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.last_name.to_uppercase(), self.first_name)
    }
}

/// Section #2: the exam prepared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exam {
    pub diploma: DiplomaCode,
    #[serde(default)]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    pub session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anticipated_session: Option<String>,
}

/// Section #3: the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schooling {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub academy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub establishment: Option<Establishment>,
}

/// A school (UAI, name, city).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Establishment {
    #[serde(default)]
    pub uai: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub city: String,
}

/// A measure as requested (section #6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestedMeasure {
    pub code: MeasureCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Metadata of a supporting document; its bytes travel as `documents/<sha256>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub sha256: String,
    #[serde(default)]
    pub filename: String,
    #[serde(default)]
    pub media_type: String,
    pub category: DocumentCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
}

/// A decision taken at an earlier session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousDecision {
    pub session: String,
    pub diploma: DiplomaCode,
    #[serde(default)]
    pub measures: Vec<MeasureCode>,
}
