//! The regulatory checks of docs/domain.md: a table of rules evaluated on a
//! request, its draft avis, the review date and the campaign settings.
//!
//! Each rule has a stable id, the highest severity it can take, a title and
//! its source; its check lives in the file of its family (`documents`,
//! `time`, `calendar`, `aids`, `form`, `motivation`). Adding a rule is one
//! entry in the `RULES` table and one function.
//!
//! Semantics (docs/domain.md): a check about a requested measure warns
//! (`attention`); it blocks only when the avis *grants* what the regulation
//! excludes; it is resolved, and then not reported at all, as soon as the
//! avis refuses the measure or modifies it accordingly. A `bloquant`
//! finding is `overridden` when the draft holds a [`CheckOverride`] with a
//! non-blank reason for that rule (and that measure, when the finding is
//! about one). A check never decides for the doctor.
//!
//! [`CheckOverride`]: crate::domain::CheckOverride

mod aids;
mod calendar;
mod ctx;
mod documents;
mod form;
mod motivation;
pub mod settings;
#[cfg(test)]
pub(crate) mod testkit;
mod time;
pub mod words;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::MeasureCode;
use super::opinion::{CheckOverride, Draft, MeasureOpinion};
use super::request::Request;

use ctx::Ctx;

pub use settings::{CampaignSettings, MonthDay};

/// How much a check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information.
    Info,
    /// Worth the doctor's attention.
    Attention,
    /// The avis cannot be validated until resolved or overridden.
    Bloquant,
}

impl Severity {
    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Attention => "attention",
            Severity::Bloquant => "bloquant",
        }
    }
}

/// One check that fires on a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id (`bilan_orthophonique`…).
    pub rule: String,
    pub severity: Severity,
    /// French: what is wrong and what the doctor can do.
    pub message: String,
    /// The measure concerned, if the check is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureCode>,
    /// A `bloquant` finding the doctor overrode with a written reason.
    #[serde(default)]
    pub overridden: bool,
}

impl Finding {
    /// Whether this finding stops validation.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Bloquant && !self.overridden
    }

    /// The rule's description, if the id is one of [`rules`].
    pub fn rule_info(&self) -> Option<&'static RuleInfo> {
        rule(&self.rule)
    }
}

/// What a check reports before the rule id and override are attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub severity: Severity,
    pub message: String,
    pub measure: Option<MeasureCode>,
}

impl Hit {
    pub fn new(severity: Severity, message: String, measure: Option<&MeasureCode>) -> Hit {
        Hit {
            severity,
            message,
            measure: measure.cloned(),
        }
    }
}

type CheckFn = fn(&Ctx<'_>) -> Vec<Hit>;

/// One rule of the table, for display (`avis`'s check list, help screens).
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// Stable id, as in findings and overrides.
    pub id: &'static str,
    /// The highest severity the rule can report.
    pub severity: Severity,
    /// French, one line: what the rule checks.
    pub title: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
    /// Whether a written reason can lift its `bloquant` findings. The
    /// secrecy and refusal rules cannot be lifted: the text itself leaves.
    pub overridable: bool,
    check: CheckFn,
}

impl Serialize for RuleInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("RuleInfo", 5)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("title", self.title)?;
        st.serialize_field("source", self.source)?;
        st.serialize_field("overridable", &self.overridable)?;
        st.end()
    }
}

/// The rule table, in evaluation (and display) order.
static RULES: [RuleInfo; 22] = [
    RuleInfo {
        id: "bilan_orthophonique",
        severity: Severity::Bloquant,
        title: "Bilan orthophonique (ou d'ergothérapie, psychomotricité, neuropsychologie pour la dyspraxie) récent pour un trouble des apprentissages",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019 (« son absence entraînera le rejet du dossier »)",
        overridable: true,
        check: documents::bilan_orthophonique,
    },
    RuleInfo {
        id: "dossier_medical_recent",
        severity: Severity::Attention,
        title: "Dossier médical de moins d'un an",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019",
        overridable: true,
        check: documents::dossier_medical_recent,
    },
    RuleInfo {
        id: "temps_au_dela_du_tiers",
        severity: Severity::Bloquant,
        title: "Majoration de temps au-delà du tiers : exceptionnelle et motivée",
        source: "Circulaire de Rennes 2019 ; note DGER/SDPFE/2018-327",
        overridable: true,
        check: time::temps_au_dela_du_tiers,
    },
    RuleInfo {
        id: "pratique_en_scolarite",
        severity: Severity::Attention,
        title: "Secrétaire ou ordinateur pratiqués pendant la scolarité",
        source: "Circulaire de Rennes 2019 ; note DGER/SDPFE/2018-327",
        overridable: true,
        check: aids::pratique_en_scolarite,
    },
    RuleInfo {
        id: "aide_humaine_subsidiaire",
        severity: Severity::Attention,
        title: "Aide humaine seulement à défaut d'aide technique",
        source: "Circulaire de Rennes 2019 ; note DGER/SDPFE/2018-327",
        overridable: true,
        check: aids::aide_humaine_subsidiaire,
    },
    RuleInfo {
        id: "procedure_urgence",
        severity: Severity::Bloquant,
        title: "Procédure d'urgence : temps, locaux, installation ou pauses seulement",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019",
        overridable: true,
        check: calendar::procedure_urgence,
    },
    RuleInfo {
        id: "hors_delais",
        severity: Severity::Attention,
        title: "Demande reçue après la date limite du diplôme",
        source: "Guide AMEX (Aix-Marseille) ; circulaire de Rennes 2019 ; art. D351-28 du code de l'éducation",
        overridable: true,
        check: calendar::hors_delais,
    },
    RuleInfo {
        id: "deux_semaines",
        severity: Severity::Attention,
        title: "Aucun aménagement dans les deux semaines avant l'examen (hors urgence)",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019",
        overridable: true,
        check: calendar::deux_semaines,
    },
    RuleInfo {
        id: "lsf_langue_vivante",
        severity: Severity::Attention,
        title: "Pas d'interprète en LSF pour l'épreuve de langue vivante",
        source: "Note DGER/SDPFE/2018-327, 4.3.5 c",
        overridable: true,
        check: aids::lsf_langue_vivante,
    },
    RuleInfo {
        id: "agrandissement",
        severity: Severity::Bloquant,
        title: "Caractères de 16 ou 20 points : baccalauréats, DNB et domaines généraux des examens professionnels seulement",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019",
        overridable: true,
        check: aids::agrandissement,
    },
    RuleInfo {
        id: "mesure_non_prevue",
        severity: Severity::Attention,
        title: "Mesure non prévue pour ce diplôme, ou inconnue du catalogue",
        source: "Guide AMEX (Aix-Marseille)",
        overridable: true,
        check: form::mesure_non_prevue,
    },
    RuleInfo {
        id: "precisez",
        severity: Severity::Bloquant,
        title: "Mesure à préciser (logiciels) sans sa précision",
        source: "Guide AMEX (Aix-Marseille)",
        overridable: true,
        check: form::precisez,
    },
    RuleInfo {
        id: "pieces_pedagogiques",
        severity: Severity::Attention,
        title: "Fiche pédagogique et copie de devoir pour un trouble des apprentissages",
        source: "Guide AMEX (Aix-Marseille) ; circulaire de Rennes 2019",
        overridable: true,
        check: documents::pieces_pedagogiques,
    },
    RuleInfo {
        id: "decision_anterieure",
        severity: Severity::Info,
        title: "Décision antérieure mentionnée mais non jointe",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019",
        overridable: true,
        check: documents::decision_anterieure,
    },
    RuleInfo {
        id: "motivation_medicale",
        severity: Severity::Bloquant,
        title: "Motivation transmise sans trouble, diagnostic ni examen médical",
        source: "Secret médical",
        overridable: false,
        check: motivation::motivation_medicale,
    },
    RuleInfo {
        id: "procedure_simplifiee",
        severity: Severity::Attention,
        title: "Procédure simplifiée : pas plus d'un tiers de temps",
        source: "Art. D351-28-1 du code de l'éducation",
        overridable: true,
        check: time::procedure_simplifiee,
    },
    RuleInfo {
        id: "correcteur_orthographique",
        severity: Severity::Attention,
        title: "Correcteur orthographique interdit aux épreuves qui évaluent l'orthographe",
        source: "Note DGER/SDPFE/2018-327, 4.3.4 a",
        overridable: true,
        check: aids::correcteur_orthographique,
    },
    RuleInfo {
        id: "refus_motive",
        severity: Severity::Bloquant,
        title: "Refus ou modification d'une mesure motivés",
        source: "Note DGER/SDPFE/2018-327, 3 (« la décision de l'autorité académique doit être motivée ») ; art. L211-2 du code des relations entre le public et l'administration",
        overridable: false,
        check: motivation::refus_motive,
    },
    RuleInfo {
        id: "assistant_mission",
        severity: Severity::Bloquant,
        title: "Mission de l'assistant précisément bornée et définie",
        source: "Note DGER/SDPFE/2018-327, 4.3.5 b (« la mission de l'assistant doit être précisément bornée et définie »)",
        overridable: true,
        check: aids::assistant_mission,
    },
    RuleInfo {
        id: "temps_oral",
        severity: Severity::Attention,
        title: "Temps majoré aux épreuves orales : situations bien précises",
        source: "Circulaire du rectorat de Rennes, 27 septembre 2019 (« réserver l'octroi de temps supplémentaire pour les épreuves orales à des situations bien précises »)",
        overridable: true,
        check: time::temps_oral,
    },
    RuleInfo {
        id: "quatrieme_ecoute",
        severity: Severity::Attention,
        title: "Quatrième écoute : avec un temps majoré pour la préparation des oraux",
        source: "Note DGER/SDPFE/2018-327, 4.3.6 f",
        overridable: true,
        check: aids::quatrieme_ecoute,
    },
    RuleInfo {
        id: "date_piece",
        severity: Severity::Attention,
        title: "Pièce datée après le jour de l'examen du dossier",
        source: "Contrôle de cohérence (une pièce ne peut être datée du futur)",
        overridable: true,
        check: documents::date_piece,
    },
];

/// Every rule, in display order.
pub fn rules() -> &'static [RuleInfo] {
    &RULES
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// Evaluates every rule on `request` and its draft, on the day `today`.
///
/// Findings come in rule-table order, then in the order of the request's
/// measures. Resolved checks are not reported. "Advised" below means an
/// avis entry grants the code (`accorde`, `ajoute`, or `modifie` into it).
///
/// - `bilan_orthophonique` (bloquant): dyslexie/dysorthographie, dysphasie
///   or dyscalculie without a bilan orthophonique, or dyspraxie without an
///   ergothérapie/psychomoteur/neuropsychologique bilan, or the newest such
///   bilan undated, or older than `bilan_max_age_years` without a point
///   d'évolution under `point_evolution_max_age_years` (seed 003).
///   Resolved by an `incomplet` avis whose missing pièces name that bilan.
/// - `dossier_medical_recent` (attention): no medical document, none dated,
///   or the newest older than `medical_file_max_age_years`.
/// - `temps_au_dela_du_tiers`: requested (attention); advised without a
///   motivation or without its amount on its entry (bloquant).
/// - `pratique_en_scolarite` (attention): secrétaire lecteur/scripteur or
///   ordinateur requested or advised, no PAP/PPS/PAI/AESH in supports or
///   pièces, no previous decision with that measure.
/// - `aide_humaine_subsidiaire` (attention): secrétaire scripteur/lecteur
///   requested or advised while a technical aid for the same need is
///   requested (and not refused with a reason) or advised, or advised
///   without motivation; a motivated human aid resolves it.
/// - `procedure_urgence`: under `urgence`, a measure other than extra time,
///   pauses, début décalé, locaux, installation, salle particulière:
///   requested (attention), advised (bloquant).
/// - `hors_delais` (attention): `late`, or received after the deadline
///   (anticipated-exam deadline when those exams are still ahead).
/// - `deux_semaines` (attention): outside `urgence`, fewer than
///   `no_accommodation_days` days before the first exam, or after it.
/// - `lsf_langue_vivante` (attention): interprète LSF requested or advised
///   for a diploma with modern-language exams, unless refused or limited
///   by its épreuves (précisées, naming no language exam or excluding it).
/// - `agrandissement`: 16/20-point print outside `large_print_diplomas`:
///   requested (attention), advised (bloquant); for
///   `large_print_general_domains_diplomas`, attention until limited.
/// - `mesure_non_prevue`: a known measure that does not apply to the
///   diploma (attention), an unknown code (info).
/// - `precisez`: ordinateur/logiciels without detail: requested
///   (attention), advised (bloquant; `accorde` inherits the requested detail).
/// - `pieces_pedagogiques` (attention): procédure complète, trouble des
///   apprentissages, a school, no fiche pédagogique or no copie de devoir.
/// - `decision_anterieure` (info): previous decisions, no copy joined.
/// - `motivation_medicale` (bloquant, never overridden): an exported text
///   (motivations, details, missing pièces, override reasons) names a term
///   of the secrecy lexicon or of `medical_terms`/`extra_medical_terms`.
/// - `refus_motive` (bloquant, never overridden): a refused or modified
///   measure with no motivation on it nor a global one.
/// - `assistant_mission` (bloquant): `assistant_reformulation` advised
///   without its mission (detail).
/// - `temps_oral` (attention): extra time granted for every épreuve or the
///   orals without a motivation on it.
/// - `quatrieme_ecoute` (attention): agricultural exam, quatrième écoute
///   without extra preparation time for the orals.
/// - `date_piece` (attention): a pièce dated after the review date.
/// - `procedure_simplifiee` (attention): `simplifiee` with more than a
///   third of extra time requested.
/// - `correcteur_orthographique` (attention): ordinateur/logiciels whose
///   detail names a spell checker without switching it off, for a diploma
///   in `spelling_assessed_diplomas`.
pub fn evaluate(
    request: &Request,
    draft: Option<&Draft>,
    today: NaiveDate,
    settings: &CampaignSettings,
) -> Vec<Finding> {
    evaluate_with_horizon(request, draft, today, settings).0
}

/// [`evaluate`], and the first day after `today` on which its findings may
/// differ (`None`: on no later day): the findings are the same on every
/// day from `today` to the day before it.
///
/// Every check reads the review day only through comparisons of the
/// check context, each answer constant until a day it notes (see
/// `ctx.rs`); the horizon is the earliest of these days. Later days thus
/// take the same paths through the checks, so give the same findings.
pub fn evaluate_with_horizon(
    request: &Request,
    draft: Option<&Draft>,
    today: NaiveDate,
    settings: &CampaignSettings,
) -> (Vec<Finding>, Option<NaiveDate>) {
    let ctx = Ctx::new(request, draft, today, settings);
    let mut findings = Vec::new();
    for rule in RULES.iter() {
        for hit in (rule.check)(&ctx) {
            let overridden = hit.severity == Severity::Bloquant
                && rule.overridable
                && draft.is_some_and(|d| d.override_for(rule.id, hit.measure.as_ref()).is_some());
            findings.push(Finding {
                rule: rule.id.to_string(),
                severity: hit.severity,
                message: hit.message,
                measure: hit.measure,
                overridden,
            });
        }
    }
    (findings, ctx.horizon())
}

/// The overrides to export with the avis: those of `draft` that lift one
/// of `findings` (a `bloquant` finding marked overridden), reason trimmed,
/// each once. An override whose check no longer fires does not travel.
pub fn exported_overrides(draft: &Draft, findings: &[Finding]) -> Vec<CheckOverride> {
    let mut out: Vec<CheckOverride> = Vec::new();
    for f in findings.iter().filter(|f| f.overridden) {
        if let Some(o) = draft.override_for(&f.rule, f.measure.as_ref()) {
            let o = CheckOverride {
                rule: o.rule.clone(),
                measure: o.measure.clone(),
                reason: o.reason.trim().to_string(),
            };
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// The French sentence of a finding that blocks validation: the message,
/// which names no rule id.
pub fn blocking_messages(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| f.message.clone())
        .collect()
}

/// What the avis says about one measure, for the checks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MeasureState<'a> {
    /// The avis advises this measure (through this entry).
    Advised(&'a MeasureOpinion),
    /// Requested, and the avis refuses it or modifies it into another one.
    Resolved,
    /// Requested, no answer yet in the avis.
    Requested,
    /// Neither requested nor advised.
    Absent,
}

/// A measure's label, safe to show.
pub(crate) fn label(code: &MeasureCode) -> String {
    crate::text::sanitize(code.label()).into_owned()
}

/// "d'un an", "de 2 ans" (after "plus" or "moins").
pub(crate) fn years_fr(n: u32) -> String {
    if n == 1 {
        "d'un an".to_string()
    } else {
        format!("de {n} ans")
    }
}

/// A date as the doctor reads it: 20/11/2026.
pub(crate) fn date_fr(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use crate::domain::{CheckOverride, DocumentCategory, TroubleCode};

    #[test]
    fn rule_table_has_the_rules_of_domain_md_and_issue_11() {
        let ids: Vec<_> = rules().iter().map(|r| r.id).collect();
        for id in [
            "bilan_orthophonique",
            "dossier_medical_recent",
            "temps_au_dela_du_tiers",
            "pratique_en_scolarite",
            "aide_humaine_subsidiaire",
            "procedure_urgence",
            "hors_delais",
            "deux_semaines",
            "lsf_langue_vivante",
            "agrandissement",
            "mesure_non_prevue",
            "precisez",
            "pieces_pedagogiques",
            "decision_anterieure",
            "motivation_medicale",
            "procedure_simplifiee",
            "correcteur_orthographique",
            "refus_motive",
            "assistant_mission",
            "temps_oral",
            "quatrieme_ecoute",
            "date_piece",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(ids.len(), 22);
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 22, "ids are unique");
        assert!(!rule("motivation_medicale").unwrap().overridable);
        assert!(!rule("refus_motive").unwrap().overridable);
        for r in rules() {
            assert!(!r.title.contains('['), "{}", r.title);
        }
        assert_eq!(
            rule("decision_anterieure").unwrap().severity,
            Severity::Info
        );
        assert!(rule("nope").is_none());
        let json = serde_json::to_value(rules()).unwrap();
        assert_eq!(json[0]["id"], "bilan_orthophonique");
        assert_eq!(json[0]["severity"], "bloquant");
        assert!(json[0]["source"].as_str().unwrap().contains("Rennes"));
    }

    #[test]
    fn every_message_is_french_and_has_no_candidate_name() {
        let req = request()
            .trouble(TroubleCode::DyslexieDysorthographie)
            .measure("temps_majore_exceptionnel")
            .measure("ordinateur")
            .measure("secretaire_scripteur")
            .measure("sujet_police_20")
            .measure("mesure_future")
            .diploma("bts")
            .late()
            .previous("2025", "dnb", &["temps_majore_tiers"])
            .build();
        let findings = eval(&req, None);
        assert!(findings.len() >= 8, "{findings:#?}");
        for f in &findings {
            assert!(!f.message.contains(&req.candidate.last_name));
            assert!(!f.message.contains(&req.candidate.first_name));
            assert!(f.message.ends_with('.'), "{}", f.message);
            assert!(f.rule_info().is_some());
        }
    }

    #[test]
    fn bloquant_override_marks_overridden_and_stops_blocking() {
        let req = request()
            .trouble(TroubleCode::DyslexieDysorthographie)
            .build();
        let findings = eval(&req, None);
        let f = fired(&findings, "bilan_orthophonique");
        assert_eq!(f.len(), 1);
        assert!(f[0].blocks());

        let mut dr = draft(&req).build();
        dr.overrides.push(CheckOverride {
            rule: "bilan_orthophonique".into(),
            measure: None,
            reason: "Bilan reçu sous pli cacheté, daté de septembre.".into(),
        });
        let findings = eval(&req, Some(&dr));
        let f = fired(&findings, "bilan_orthophonique");
        assert_eq!(f.len(), 1);
        assert!(f[0].overridden);
        assert!(!f[0].blocks());
        assert_eq!(f[0].severity, Severity::Bloquant);

        // A blank reason is no override.
        dr.overrides[0].reason = "  ".into();
        let findings = eval(&req, Some(&dr));
        assert!(fired(&findings, "bilan_orthophonique")[0].blocks());
    }

    #[test]
    fn override_must_name_the_measure_of_a_measure_finding() {
        let req = request().measure("sujet_police_16").diploma("bts").build();
        let mut dr = draft(&req).accorde("sujet_police_16").build();
        dr.overrides.push(CheckOverride {
            rule: "agrandissement".into(),
            measure: Some(MeasureCode::SujetPolice20),
            reason: "Vu avec le rectorat.".into(),
        });
        let findings = eval(&req, Some(&dr));
        assert!(fired(&findings, "agrandissement")[0].blocks());
        dr.overrides[0].measure = Some(MeasureCode::SujetPolice16);
        let findings = eval(&req, Some(&dr));
        let f = fired(&findings, "agrandissement");
        assert!(f[0].overridden && !f[0].blocks());
    }

    #[test]
    fn attention_findings_are_never_overridden() {
        let req = request()
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        let mut dr = draft(&req).build();
        dr.overrides.push(CheckOverride {
            rule: "pratique_en_scolarite".into(),
            measure: None,
            reason: "x".into(),
        });
        let findings = eval(&req, Some(&dr));
        let f = fired(&findings, "pratique_en_scolarite");
        assert_eq!(f.len(), 1);
        assert!(!f[0].overridden);
    }

    #[test]
    fn settings_change_the_outcome_dijon_three_years() {
        let req = request()
            .trouble(TroubleCode::DyslexieDysorthographie)
            .doc(DocumentCategory::BilanOrthophonique, Some(d(2024, 1, 10)))
            .build();
        assert_eq!(
            fired(&eval(&req, None), "bilan_orthophonique")[0].severity,
            Severity::Bloquant
        );
        let dijon: CampaignSettings =
            serde_json::from_str(r#"{"bilan_max_age_years": 3}"#).unwrap();
        let findings = evaluate(&req, None, today(), &dijon);
        assert!(fired(&findings, "bilan_orthophonique").is_empty());
    }

    mod props {
        use super::super::testkit::*;
        use super::super::*;
        use crate::domain::opinion::Decision;
        use crate::domain::request::Procedure;
        use crate::domain::{DiplomaCode, DocumentCategory, TroubleCode};
        use proptest::prelude::*;

        fn any_measure() -> impl Strategy<Value = String> {
            prop_oneof![
                proptest::sample::select(MeasureCode::KNOWN).prop_map(|m| m.code().to_string()),
                "[a-z_]{1,12}",
            ]
        }

        fn any_request() -> impl Strategy<Value = crate::domain::Request> {
            (
                proptest::sample::select(DiplomaCode::KNOWN),
                prop_oneof![
                    Just(Procedure::Complete),
                    Just(Procedure::Simplifiee),
                    Just(Procedure::Urgence)
                ],
                proptest::collection::vec(proptest::sample::select(TroubleCode::KNOWN), 0..3),
                proptest::collection::vec(
                    (any_measure(), proptest::option::of("[a-z ,]{0,20}")),
                    0..6,
                ),
                proptest::collection::vec(
                    (
                        proptest::sample::select(DocumentCategory::KNOWN),
                        proptest::option::of(0i64..4000),
                    ),
                    0..4,
                ),
                "[0-9]{0,5}",
                any::<bool>(),
                -4000i64..400,
            )
                .prop_map(
                    |(diploma, procedure, troubles, measures, docs, session, late, received)| {
                        let mut b = request()
                            .diploma(diploma.code())
                            .procedure(procedure)
                            .session(&session)
                            .received(today() + chrono::Duration::days(received));
                        if late {
                            b = b.late();
                        }
                        for t in troubles {
                            b = b.trouble(t.clone());
                        }
                        for (m, detail) in &measures {
                            b = match detail {
                                Some(d) => b.measure_detail(m, d),
                                None => b.measure(m),
                            };
                        }
                        for (c, age) in docs {
                            b = b.doc(c.clone(), age.map(|a| today() - chrono::Duration::days(a)));
                        }
                        b.build()
                    },
                )
        }

        proptest! {
            #[test]
            fn without_an_avis_only_the_bilan_can_block(req in any_request(), day in 0i64..800) {
                let findings = eval_on(&req, None, today() + chrono::Duration::days(day));
                for f in &findings {
                    prop_assert!(rule(&f.rule).is_some());
                    prop_assert!(f.severity <= rule(&f.rule).unwrap().severity);
                    prop_assert!(!f.overridden);
                    if f.severity == Severity::Bloquant {
                        prop_assert_eq!(f.rule.as_str(), "bilan_orthophonique");
                    }
                }
            }

            #[test]
            fn refusing_everything_never_blocks_on_a_measure(req in any_request()) {
                let mut b = draft(&req);
                for m in &req.requested_measures {
                    b = b.entry(op(m.code.code(), Decision::Refuse).motivation("Non nécessaire."));
                }
                let dr = b.build();
                let findings = eval(&req, Some(&dr));
                for f in &findings {
                    if f.severity == Severity::Bloquant {
                        prop_assert!(f.measure.is_none(), "{:?}", f);
                    }
                }
                prop_assert!(dr.opinion.computed_outcome(&req) != crate::domain::Outcome::Favorable
                    || req.requested_measures.is_empty());
            }

            #[test]
            fn granting_everything_never_panics(req in any_request()) {
                let mut b = draft(&req);
                for m in &req.requested_measures {
                    b = b.entry(op(m.code.code(), Decision::Accorde).motivation("Dyslexie"));
                }
                let dr = b.motivation("TDAH").build();
                let findings = eval(&req, Some(&dr));
                prop_assert!(findings.iter().any(|f| f.rule == "motivation_medicale"));
            }
        }
    }

    #[test]
    fn exported_overrides_are_the_ones_that_lift_a_check() {
        let req = request()
            .trouble(TroubleCode::DyslexieDysorthographie)
            .build();
        let mut dr = draft(&req).build();
        dr.overrides.push(CheckOverride {
            rule: "bilan_orthophonique".into(),
            measure: None,
            reason: "  Pièce vue à la session précédente.  ".into(),
        });
        // A stale override (its check does not fire) does not travel.
        dr.overrides.push(CheckOverride {
            rule: "agrandissement".into(),
            measure: Some(MeasureCode::SujetPolice16),
            reason: "Ancien motif.".into(),
        });
        let findings = eval(&req, Some(&dr));
        let out = exported_overrides(&dr, &findings);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, "bilan_orthophonique");
        assert_eq!(out[0].reason, "Pièce vue à la session précédente.");
        assert!(blocking_messages(&findings).is_empty());
    }
}
