//! The avis médical (`opinions/<id>.json`) and the doctor's draft around it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalogue::MeasureCode;
use super::paper::PaperDocument;
use super::request::Request;
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
    /// The épreuves a granted measure applies to (default: all).
    #[derive(Default)]
    Epreuves {
        #[default]
        Toutes => "toutes", "Toutes les épreuves",
        Ecrites => "ecrites", "Épreuves écrites",
        Orales => "orales", "Épreuves orales",
        Pratiques => "pratiques", "Épreuves pratiques",
        Precisees => "precisees", "Épreuves précisées",
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
    /// The blocking checks the doctor lifted, with the written reason
    /// (after the secrecy guard): filled at validation from the draft's
    /// overrides that lift a check, so that the rectorat sees where and why
    /// the avis departs from a rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<CheckOverride>,
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
    /// Pièces received on paper (sealed envelope): counted by the checks,
    /// never exported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paper_documents: Vec<PaperDocument>,
}

impl MeasureOpinion {
    /// The measure this entry actually advises: the code itself for
    /// `accorde` and `ajoute`, `granted` (or the code itself, restricted by
    /// `detail`) for `modifie`; `None` for `refuse` or an unknown decision.
    pub fn granted_code(&self) -> Option<&MeasureCode> {
        match self.decision {
            Decision::Accorde | Decision::Ajoute => Some(&self.code),
            Decision::Modifie => Some(self.granted.as_ref().unwrap_or(&self.code)),
            Decision::Refuse | Decision::Other(_) => None,
        }
    }

    /// Whether this entry advises `code` (see [`Self::granted_code`]).
    pub fn grants(&self, code: &MeasureCode) -> bool {
        self.granted_code() == Some(code)
    }
}

fn is_blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|d| d.trim().is_empty())
}

impl Opinion {
    /// The entry answering the requested measure `code` (not an `ajoute` one).
    pub fn entry_for(&self, code: &MeasureCode) -> Option<&MeasureOpinion> {
        self.measures
            .iter()
            .find(|m| &m.code == code && m.decision != Decision::Ajoute)
    }

    /// The outcome the measures imply (bundle-format.md):
    /// - an avis marked `incomplet` stays `incomplet`;
    /// - `favorable` when every requested measure is `accorde`;
    /// - `defavorable` when nothing is advised at all (no requested measure
    ///   granted or modified, no measure added); a missing entry counts as
    ///   not granted;
    /// - `partiel` otherwise (some granted, some modified or refused, or
    ///   everything refused but a measure added).
    ///
    /// A request without any measure gives `favorable` if the doctor added
    /// one, `defavorable` otherwise.
    pub fn computed_outcome(&self, request: &Request) -> Outcome {
        if self.outcome == Outcome::Incomplet {
            return Outcome::Incomplet;
        }
        let mut all_as_asked = true;
        let mut any_granted = false;
        for requested in &request.requested_measures {
            match self.entry_for(&requested.code) {
                Some(entry) if entry.decision == Decision::Accorde => any_granted = true,
                Some(entry) if entry.granted_code().is_some() => {
                    any_granted = true;
                    all_as_asked = false;
                }
                _ => all_as_asked = false,
            }
        }
        let any_added = self.measures.iter().any(|m| m.decision == Decision::Ajoute);
        if request.requested_measures.is_empty() {
            return if any_added {
                Outcome::Favorable
            } else {
                Outcome::Defavorable
            };
        }
        if all_as_asked {
            Outcome::Favorable
        } else if !any_granted && !any_added {
            Outcome::Defavorable
        } else {
            Outcome::Partiel
        }
    }

    /// What keeps this avis from being complete, in French, one sentence per
    /// problem saying what to do (empty: complete). The store's `validate`
    /// refuses an avis with problems.
    ///
    /// Rules: the avis answers this request; every requested measure has
    /// exactly one entry (an `incomplet` avis may have none at all); entries
    /// for measures not requested are `ajoute` and vice versa; `modifie`
    /// says what is advised (`granted` and/or `detail`); `precisees`
    /// épreuves are named in `detail`; an `incomplet` avis lists the missing
    /// pièces; any other outcome matches [`Self::computed_outcome`]; the
    /// validity names a session.
    pub fn completeness_problems(&self, request: &Request) -> Vec<String> {
        let mut problems = Vec::new();
        if self.request_id != request.id {
            problems.push(
                "Cet avis ne correspond pas à cette demande : rouvrez l'avis depuis la demande concernée."
                    .to_string(),
            );
        }
        let incomplet = self.outcome == Outcome::Incomplet;
        if let Outcome::Other(code) = &self.outcome {
            problems.push(format!(
                "L'avis global « {} » est inconnu : choisissez favorable, partiel, défavorable ou incomplet.",
                crate::text::sanitize(code)
            ));
        }
        if incomplet && self.missing_documents.iter().all(|d| d.trim().is_empty()) {
            problems.push(
                "Un avis « incomplet » doit lister les pièces manquantes : ajoutez-les."
                    .to_string(),
            );
        }
        let skip_per_measure = incomplet && self.measures.is_empty();
        if !skip_per_measure {
            let mut seen: Vec<&MeasureCode> = Vec::new();
            for requested in &request.requested_measures {
                if seen.contains(&&requested.code) {
                    continue;
                }
                seen.push(&requested.code);
                let count = self
                    .measures
                    .iter()
                    .filter(|m| m.code == requested.code && m.decision != Decision::Ajoute)
                    .count();
                let label = crate::text::sanitize(requested.code.label()).into_owned();
                if count == 0 {
                    problems.push(format!(
                        "La mesure demandée « {label} » n'a pas d'avis : indiquez accordé, refusé ou modifié."
                    ));
                } else if count > 1 {
                    problems.push(format!(
                        "La mesure « {label} » a plusieurs avis : n'en gardez qu'un."
                    ));
                }
            }
        }
        for entry in &self.measures {
            let label = crate::text::sanitize(entry.code.label()).into_owned();
            let requested = request
                .requested_measures
                .iter()
                .any(|r| r.code == entry.code);
            match &entry.decision {
                Decision::Ajoute if requested => problems.push(format!(
                    "La mesure « {label} » a été demandée : donnez-lui un avis accordé, refusé ou modifié plutôt qu'« ajouté »."
                )),
                Decision::Accorde | Decision::Refuse | Decision::Modifie if !requested => {
                    problems.push(format!(
                        "La mesure « {label} » n'a pas été demandée : marquez-la « ajoutée » ou retirez-la."
                    ))
                }
                Decision::Other(code) => problems.push(format!(
                    "La décision « {} » sur la mesure « {label} » est inconnue : choisissez accordé, refusé, modifié ou ajouté.",
                    crate::text::sanitize(code)
                )),
                _ => {}
            }
            if entry.decision == Decision::Modifie {
                let same = entry.granted.as_ref().is_none_or(|g| g == &entry.code);
                if same && is_blank(&entry.detail) {
                    problems.push(format!(
                        "La mesure « {label} » est « modifiée » sans dire ce qui est proposé : choisissez la mesure accordée à la place ou précisez la restriction."
                    ));
                }
            }
            if entry.epreuves == Epreuves::Precisees
                && entry.granted_code().is_some()
                && is_blank(&entry.detail)
            {
                problems.push(format!(
                    "La mesure « {label} » vaut pour des épreuves précisées qui ne sont pas nommées : nommez-les dans le détail."
                ));
            }
            if let Epreuves::Other(code) = &entry.epreuves {
                problems.push(format!(
                    "Les épreuves « {} » de la mesure « {label} » sont inconnues : choisissez toutes, écrites, orales, pratiques ou précisées.",
                    crate::text::sanitize(code)
                ));
            }
        }
        if !incomplet && self.outcome.is_known() {
            let expected = self.computed_outcome(request);
            if expected != self.outcome {
                problems.push(format!(
                    "L'avis global « {} » ne correspond pas aux avis par mesure (« {} » attendu) : corrigez-le.",
                    self.outcome.label(),
                    expected.label()
                ));
            }
        }
        if self.validity.until_session.trim().is_empty() {
            problems.push(
                "La validité de l'avis ne nomme pas de session : indiquez jusqu'à quelle session il vaut."
                    .to_string(),
            );
        }
        if let ValidityKind::Other(code) = &self.validity.kind {
            problems.push(format!(
                "La validité « {} » est inconnue : choisissez « cette session » ou « tout le cycle ».",
                crate::text::sanitize(code)
            ));
        }
        problems
    }
}

impl Draft {
    /// A fresh draft for `request`: no measure entry yet (the doctor gives
    /// each one), no missing pièce, empty motivation and notes, validity
    /// "this session" until `request.exam.session`, and the outcome
    /// [`Opinion::computed_outcome`] gives for no entry (`defavorable`, or
    /// `favorable` for a request without measures), so that recomputing the
    /// outcome as entries are added just works. `request_sha256`, `doctor`
    /// and `decided_at` are filled at validation/export.
    pub fn new_for(request: &Request) -> Draft {
        let mut opinion = Opinion {
            request_id: request.id.clone(),
            request_version: request.version,
            request_sha256: None,
            outcome: Outcome::Defavorable,
            measures: Vec::new(),
            missing_documents: Vec::new(),
            motivation: String::new(),
            validity: Validity {
                kind: ValidityKind::Session,
                until_session: request.exam.session.clone(),
            },
            doctor: None,
            decided_at: None,
            overrides: Vec::new(),
        };
        opinion.outcome = opinion.computed_outcome(request);
        Draft {
            opinion,
            private_notes: String::new(),
            overrides: Vec::new(),
            written_against_older_version: false,
            paper_documents: Vec::new(),
        }
    }

    /// The override of `rule` (for `measure`, when given) with a non-blank reason.
    pub fn override_for(
        &self,
        rule: &str,
        measure: Option<&MeasureCode>,
    ) -> Option<&CheckOverride> {
        self.overrides.iter().find(|o| {
            o.rule == rule
                && !o.reason.trim().is_empty()
                && (measure.is_none() || o.measure.as_ref() == measure)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::Request;

    /// The example of docs/bundle-format.md, verbatim.
    const EXAMPLE: &str = r#"{
  "request_id": "AMX-2026-000123",
  "request_version": 1,
  "request_sha256": "9f86d0…",
  "outcome": "partiel",
  "measures": [
    {"code": "temps_majore_tiers", "decision": "modifie",
     "granted": "temps_majore_sixieme",
     "motivation": "Lenteur modérée au bilan (vitesse de lecture -1,5 ET)."},
    {"code": "ordinateur", "decision": "accorde",
     "detail": "Traitement de texte, synthèse vocale; correcteur orthographique désactivé"},
    {"code": "salle_particuliere", "decision": "ajoute",
     "motivation": "Nécessaire à l'usage de la synthèse vocale."}
  ],
  "missing_documents": [],
  "motivation": "Avis global, free text",
  "validity": {"kind": "cycle", "until_session": "2027"},
  "doctor": {"name": "Dr Claire Martin", "rpps": "10001234567"},
  "decided_at": "2026-11-24T14:02:00Z"
}"#;

    fn request() -> Request {
        serde_json::from_str(crate::domain::request::tests::EXAMPLE).unwrap()
    }

    fn example() -> Opinion {
        serde_json::from_str(EXAMPLE).unwrap()
    }

    // One avis entry, as the checks' test kit builds it.
    use crate::domain::checks::testkit::op as entry;

    #[test]
    fn bundle_format_example_round_trips_exactly() {
        let op = example();
        assert_eq!(op.outcome, Outcome::Partiel);
        assert_eq!(op.measures[0].decision, Decision::Modifie);
        assert_eq!(
            op.measures[0].granted,
            Some(MeasureCode::TempsMajoreSixieme)
        );
        assert_eq!(op.measures[0].epreuves, Epreuves::Toutes);
        assert_eq!(op.validity.kind, ValidityKind::Cycle);
        assert_eq!(
            op.doctor.as_ref().unwrap().rpps.as_deref(),
            Some("10001234567")
        );
        let original: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), original);
    }

    #[test]
    fn unknown_codes_kept_unknown_fields_ignored() {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        v["outcome"] = "sursis".into();
        v["measures"][0]["decision"] = "differe".into();
        v["measures"][1]["epreuves"] = "soutenances".into();
        v["validity"]["kind"] = "a_vie".into();
        v["signature_v2"] = "…".into();
        v["measures"][2]["extra"] = 3.into();
        let op: Opinion = serde_json::from_value(v).unwrap();
        assert_eq!(op.outcome.code(), "sursis");
        assert_eq!(op.measures[0].decision.code(), "differe");
        assert_eq!(op.measures[1].epreuves.code(), "soutenances");
        let back = serde_json::to_value(&op).unwrap();
        assert_eq!(back["validity"]["kind"], "a_vie");
        assert_eq!(back["measures"][1]["epreuves"], "soutenances");
        assert!(back.get("signature_v2").is_none());
        // …and each unknown value is a completeness problem.
        let problems = op.completeness_problems(&request());
        assert!(problems.iter().any(|p| p.contains("« sursis »")));
        assert!(problems.iter().any(|p| p.contains("« differe »")));
        assert!(problems.iter().any(|p| p.contains("« soutenances »")));
        assert!(problems.iter().any(|p| p.contains("« a_vie »")));
    }

    #[test]
    fn precisees_epreuves_serialise_and_default_is_omitted() {
        let mut e = entry("interprete_lsf", Decision::Accorde);
        assert!(!serde_json::to_string(&e).unwrap().contains("epreuves"));
        e.epreuves = Epreuves::Precisees;
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["epreuves"], "precisees");
    }

    #[test]
    fn the_example_is_complete_and_partiel() {
        let op = example();
        let req = request();
        assert_eq!(op.computed_outcome(&req), Outcome::Partiel);
        assert_eq!(op.completeness_problems(&req), Vec::<String>::new());
    }

    #[test]
    fn computed_outcome() {
        let req = request();
        let mut op = example();
        op.measures = vec![
            entry("temps_majore_tiers", Decision::Accorde),
            entry("ordinateur", Decision::Accorde),
        ];
        assert_eq!(op.computed_outcome(&req), Outcome::Favorable);
        op.measures.push(entry("pauses", Decision::Ajoute));
        assert_eq!(op.computed_outcome(&req), Outcome::Favorable);
        op.measures = vec![
            entry("temps_majore_tiers", Decision::Refuse),
            entry("ordinateur", Decision::Refuse),
        ];
        assert_eq!(op.computed_outcome(&req), Outcome::Defavorable);
        op.measures
            .push(entry("salle_particuliere", Decision::Ajoute));
        assert_eq!(op.computed_outcome(&req), Outcome::Partiel);
        op.measures = vec![entry("temps_majore_tiers", Decision::Accorde)];
        assert_eq!(op.computed_outcome(&req), Outcome::Partiel, "missing entry");
        op.measures = vec![];
        assert_eq!(op.computed_outcome(&req), Outcome::Defavorable);
        op.measures = vec![
            entry("temps_majore_tiers", Decision::Refuse),
            MeasureOpinion {
                detail: Some("Sauf épreuves de langue vivante".into()),
                ..entry("ordinateur", Decision::Modifie)
            },
        ];
        assert_eq!(op.computed_outcome(&req), Outcome::Partiel);
        op.outcome = Outcome::Incomplet;
        assert_eq!(op.computed_outcome(&req), Outcome::Incomplet);
    }

    #[test]
    fn completeness_problems_per_rule() {
        let req = request();
        let base = {
            let mut op = example();
            op.measures = vec![
                entry("temps_majore_tiers", Decision::Accorde),
                entry("ordinateur", Decision::Accorde),
            ];
            op.outcome = Outcome::Favorable;
            op
        };
        assert!(base.completeness_problems(&req).is_empty());

        let mut op = base.clone();
        op.measures.pop();
        op.outcome = Outcome::Partiel;
        let p = op.completeness_problems(&req);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("n'a pas d'avis"));

        let mut op = base.clone();
        op.measures.push(entry("ordinateur", Decision::Refuse));
        assert!(op
            .completeness_problems(&req)
            .iter()
            .any(|p| p.contains("plusieurs avis")));

        let mut op = base.clone();
        op.measures[0].decision = Decision::Modifie;
        op.outcome = Outcome::Partiel;
        let p = op.completeness_problems(&req);
        assert!(
            p.iter().any(|p| p.contains("sans dire ce qui est proposé")),
            "{p:?}"
        );
        op.measures[0].granted = Some(MeasureCode::TempsMajoreSixieme);
        assert!(op.completeness_problems(&req).is_empty());

        let mut op = base.clone();
        op.measures[1].epreuves = Epreuves::Precisees;
        assert!(op
            .completeness_problems(&req)
            .iter()
            .any(|p| p.contains("épreuves précisées")));
        op.measures[1].detail = Some("Histoire-géographie".into());
        assert!(op.completeness_problems(&req).is_empty());

        let mut op = base.clone();
        op.measures.push(entry("pauses", Decision::Accorde));
        assert!(op
            .completeness_problems(&req)
            .iter()
            .any(|p| p.contains("n'a pas été demandée")));
        op.measures[2].decision = Decision::Ajoute;
        assert!(op.completeness_problems(&req).is_empty());
        op.measures[0].decision = Decision::Ajoute;
        op.outcome = Outcome::Partiel;
        assert!(op
            .completeness_problems(&req)
            .iter()
            .any(|p| p.contains("a été demandée")));

        let mut op = base.clone();
        op.outcome = Outcome::Defavorable;
        assert!(op
            .completeness_problems(&req)
            .iter()
            .any(|p| p.contains("« Favorable » attendu")));

        let mut op = base.clone();
        op.request_id = "AUTRE".into();
        op.validity.until_session = " ".into();
        assert_eq!(op.completeness_problems(&req).len(), 2);

        // A measure requested twice is answered once.
        let mut twice = req.clone();
        twice
            .requested_measures
            .push(twice.requested_measures[0].clone());
        assert!(base.completeness_problems(&twice).is_empty());
        let mut op = base.clone();
        op.measures.remove(0);
        op.outcome = Outcome::Partiel;
        assert_eq!(op.completeness_problems(&twice).len(), 1);
    }

    #[test]
    fn incomplet_needs_missing_documents_and_may_have_no_measures() {
        let req = request();
        let mut op = example();
        op.outcome = Outcome::Incomplet;
        op.measures.clear();
        let p = op.completeness_problems(&req);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("pièces manquantes"));
        op.missing_documents = vec!["bilan_orthophonique".into()];
        assert!(op.completeness_problems(&req).is_empty());
        // With some entries, every requested measure needs one.
        op.measures = vec![entry("ordinateur", Decision::Accorde)];
        assert_eq!(op.completeness_problems(&req).len(), 1);
    }

    #[test]
    fn new_draft_is_empty_and_for_the_session() {
        let req = request();
        let d = Draft::new_for(&req);
        assert_eq!(d.opinion.request_id, req.id);
        assert_eq!(d.opinion.request_version, 1);
        assert!(d.opinion.measures.is_empty());
        assert_eq!(d.opinion.outcome, Outcome::Defavorable);
        assert_eq!(d.opinion.validity.kind, ValidityKind::Session);
        assert_eq!(d.opinion.validity.until_session, "2027");
        assert!(d.private_notes.is_empty() && d.overrides.is_empty());
        // Every requested measure still needs its avis.
        assert_eq!(d.opinion.completeness_problems(&req).len(), 2);
        let mut empty = req.clone();
        empty.requested_measures.clear();
        assert_eq!(Draft::new_for(&empty).opinion.outcome, Outcome::Defavorable);
    }

    #[test]
    fn override_lookup_needs_reason_and_matching_measure() {
        let mut d = Draft::new_for(&request());
        d.overrides.push(CheckOverride {
            rule: "agrandissement".into(),
            measure: Some(MeasureCode::SujetPolice20),
            reason: "Accord du rectorat".into(),
        });
        assert!(d
            .override_for("agrandissement", Some(&MeasureCode::SujetPolice20))
            .is_some());
        assert!(d
            .override_for("agrandissement", Some(&MeasureCode::SujetPolice16))
            .is_none());
        assert!(d.override_for("agrandissement", None).is_some());
        assert!(d.override_for("precisez", None).is_none());
    }
}
