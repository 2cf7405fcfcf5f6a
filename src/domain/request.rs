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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The example of docs/bundle-format.md, verbatim.
    pub(crate) const EXAMPLE: &str = r#"{
  "id": "AMX-2026-000123",
  "version": 1,
  "received_at": "2026-10-03",
  "late": false,
  "procedure": "complete",
  "candidate": {
    "last_name": "Durand", "first_name": "Léa",
    "birth_date": "2009-04-17",
    "email": "optional", "legal_representative": "optional"
  },
  "exam": {
    "diploma": "bac_general", "label": "Baccalauréat général",
    "level": "premiere_generale", "track": "Spécialités: SES, HGGSP, LLCER",
    "session": "2027", "anticipated_session": "2026"
  },
  "schooling": {
    "type": "public_ou_prive_sous_contrat",
    "academy": "Aix-Marseille",
    "establishment": {"uai": "0130001A", "name": "Lycée Victor Hugo", "city": "Marseille"}
  },
  "supports": ["PAP"],
  "troubles": ["dyslexie_dysorthographie"],
  "requested_measures": [
    {"code": "temps_majore_tiers"},
    {"code": "ordinateur", "detail": "Traitement de texte, synthèse vocale (Dragon)"}
  ],
  "comments": "Informations complémentaires (section #7), free text",
  "documents": [
    {"sha256": "2c26b4…", "filename": "bilan-orthophonique-2025.pdf",
     "media_type": "application/pdf", "category": "bilan_orthophonique",
     "date": "2025-06-12", "pages": 6}
  ],
  "previous_decisions": [
    {"session": "2025", "diploma": "dnb", "measures": ["temps_majore_tiers"]}
  ]
}"#;

    #[test]
    fn bundle_format_example_round_trips_exactly() {
        let req: Request = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(req.id, "AMX-2026-000123");
        assert_eq!(req.procedure, Procedure::Complete);
        assert_eq!(req.exam.diploma, DiplomaCode::BacGeneral);
        assert_eq!(req.schooling.kind, "public_ou_prive_sous_contrat");
        assert_eq!(req.troubles, vec![TroubleCode::DyslexieDysorthographie]);
        assert_eq!(req.requested_measures[1].code, MeasureCode::Ordinateur);
        assert_eq!(req.documents[0].date, NaiveDate::from_ymd_opt(2025, 6, 12));
        assert_eq!(req.previous_decisions[0].diploma, DiplomaCode::Dnb);
        let original: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back, original);
        let again: Request = serde_json::from_value(back).unwrap();
        assert_eq!(again, req);
    }

    #[test]
    fn unknown_codes_are_kept_verbatim_and_unknown_fields_ignored() {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        v["procedure"] = "acceleree".into();
        v["exam"]["diploma"] = "diplome_2030".into();
        v["troubles"] = serde_json::json!(["trouble_futur"]);
        v["requested_measures"][0]["code"] = "mesure_future".into();
        v["documents"][0]["category"] = "piece_future".into();
        v["future_field"] = serde_json::json!({"x": 1});
        v["candidate"]["future_too"] = true.into();
        let req: Request = serde_json::from_value(v).unwrap();
        assert_eq!(req.procedure, Procedure::Other("acceleree".into()));
        assert_eq!(req.exam.diploma.code(), "diplome_2030");
        assert!(!req.exam.diploma.is_known());
        assert_eq!(req.troubles[0].label(), "trouble_futur");
        assert_eq!(req.requested_measures[0].code.code(), "mesure_future");
        assert_eq!(req.documents[0].category.code(), "piece_future");
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back["procedure"], "acceleree");
        assert_eq!(back["requested_measures"][0]["code"], "mesure_future");
        assert!(back.get("future_field").is_none());
    }

    #[test]
    fn minimal_request_takes_defaults() {
        let json = r#"{"id": "R1", "version": 2, "received_at": "2026-10-03",
            "procedure": "urgence",
            "candidate": {"last_name": "A", "first_name": "B", "birth_date": "2008-01-01"},
            "exam": {"diploma": "bts", "session": "2027"},
            "schooling": {"type": "cned"}}"#;
        let req: Request = serde_json::from_str(json).unwrap();
        assert!(!req.late);
        assert!(req.requested_measures.is_empty() && req.documents.is_empty());
        assert_eq!(req.candidate.display_name(), "A B");
    }
}
