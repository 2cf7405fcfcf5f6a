//! Checks on technical and human aids: `pratique_en_scolarite`,
//! `aide_humaine_subsidiaire`, `lsf_langue_vivante`, `agrandissement`,
//! `correcteur_orthographique`.

use super::words::{contains_phrase, mentions_any, words};
use super::{label, Ctx, Hit, MeasureState, Severity};
use crate::domain::catalogue::MeasureCode;
use crate::domain::opinion::{Epreuves, MeasureOpinion};

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// Whether the request shows a school support (PAP, PPS, PAI, AESH) in
/// section #4 or among its pièces.
fn shows_support(ctx: &Ctx<'_>) -> bool {
    let req = ctx.request;
    req.supports
        .iter()
        .any(|s| mentions_any(s, ["pap", "pps", "pai", "aesh", "avs", "avsi"]))
        || req.documents.iter().any(|d| d.category.is_school_support())
}

/// A scribe or a computer requested (or advised) with no sign that the
/// candidate practised it during schooling.
pub(super) fn pratique_en_scolarite(ctx: &Ctx<'_>) -> Vec<Hit> {
    if shows_support(ctx) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for code in [
        MeasureCode::SecretaireLecteur,
        MeasureCode::SecretaireScripteur,
        MeasureCode::Ordinateur,
    ] {
        let previously = ctx
            .request
            .previous_decisions
            .iter()
            .any(|p| p.measures.contains(&code));
        if previously {
            continue;
        }
        if matches!(
            ctx.state(&code),
            MeasureState::Resolved | MeasureState::Absent
        ) {
            continue;
        }
        hits.push(Hit::new(
            Severity::Attention,
            format!(
                "« {} » : la demande ne montre ni accompagnement scolaire (PAP, PPS, PAI, AESH) ni décision antérieure l'accordant. Cette aide ne compense efficacement que si le candidat l'a pratiquée régulièrement pendant sa scolarité : vérifiez-le dans la fiche pédagogique avant de l'accorder.",
                label(&code)
            ),
            Some(&code),
        ));
    }
    hits
}

/// Human aids and the technical aids that answer the same need.
const SUBSTITUTES: &[(MeasureCode, &[MeasureCode])] = &[
    (
        MeasureCode::SecretaireScripteur,
        &[
            MeasureCode::Ordinateur,
            MeasureCode::OrdinateurCentre,
            MeasureCode::LogicielsSpecifiques,
        ],
    ),
    (
        MeasureCode::SecretaireLecteur,
        &[
            MeasureCode::SujetNumerique,
            MeasureCode::LogicielsSpecifiques,
            MeasureCode::Ordinateur,
        ],
    ),
];

/// A human aid advised while a technical aid for the same need is
/// requested or advised; or advised with no motivation saying why no
/// technical aid suffices.
pub(super) fn aide_humaine_subsidiaire(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (human, technical) in SUBSTITUTES {
        let grants = ctx.grants(human);
        let Some(entry) = grants.first() else {
            continue;
        };
        let name = label(human);
        let alternatives: Vec<String> = technical
            .iter()
            .filter(|t| ctx.is_requested(t) || ctx.is_advised(t))
            .map(|t| format!("« {} »", label(t)))
            .collect();
        let message = if !alternatives.is_empty() {
            format!(
                "« {name} » est proposé alors qu'une aide technique pour le même besoin est demandée ou proposée ({}) : une aide humaine ne s'accorde qu'à défaut d'aide technique suffisante. Vérifiez que l'aide technique ne suffit pas et dites-le dans la motivation.",
                alternatives.join(", ")
            )
        } else if non_blank(entry.motivation.as_deref()).is_none() {
            let possible: Vec<String> = technical
                .iter()
                .map(|t| format!("« {} »", label(t)))
                .collect();
            format!(
                "« {name} » est proposé sans motivation : une aide humaine ne s'accorde qu'à défaut d'aide technique ({}). Dites dans la motivation pourquoi aucune ne suffit.",
                possible.join(", ")
            )
        } else {
            continue;
        };
        hits.push(Hit::new(Severity::Attention, message, Some(human)));
    }
    hits
}

/// Whether an avis entry keeps the measure away from the language exams:
/// named épreuves, or a detail or motivation that mentions the language
/// exam ("sauf épreuves de langue vivante").
fn excludes_languages(entry: &MeasureOpinion) -> bool {
    let named =
        entry.epreuves == Epreuves::Precisees && non_blank(entry.detail.as_deref()).is_some();
    let mentions = |s: Option<&str>| {
        s.is_some_and(|s| mentions_any(s, ["langue", "langues", "lv", "lv1", "lv2", "lva", "lvb"]))
    };
    named || mentions(entry.detail.as_deref()) || mentions(entry.motivation.as_deref())
}

/// An LSF interpreter for a diploma with modern-language exams.
pub(super) fn lsf_langue_vivante(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::InterpreteLsf;
    if !ctx.request.exam.diploma.has_modern_language_exam() {
        return Vec::new();
    }
    let message = match ctx.state(code) {
        MeasureState::Advised(_) => {
            if ctx.grants(code).iter().all(|e| excludes_languages(e)) {
                return Vec::new();
            }
            "« Interprète en langue des signes française » est proposé pour toutes les épreuves : un interprète n'est pas possible pour l'épreuve de langue vivante, qu'il dénaturerait. Limitez la mesure aux autres épreuves (« sauf épreuves de langue vivante »)."
        }
        MeasureState::Requested => {
            "« Interprète en langue des signes française » est demandé : il n'est pas possible pour l'épreuve de langue vivante. En l'accordant, limitez-le aux autres épreuves (« sauf épreuves de langue vivante »)."
        }
        MeasureState::Resolved | MeasureState::Absent => return Vec::new(),
    };
    vec![Hit::new(
        Severity::Attention,
        message.to_string(),
        Some(code),
    )]
}

/// Whether an avis entry limits a large print to the general domains.
fn limited_to_general_domains(entry: &MeasureOpinion) -> bool {
    (entry.epreuves == Epreuves::Precisees && non_blank(entry.detail.as_deref()).is_some())
        || entry.detail.as_deref().is_some_and(|d| {
            mentions_any(
                d,
                [
                    "domaine general",
                    "domaines generaux",
                    "enseignement general",
                    "enseignements generaux",
                ],
            )
        })
}

/// 16 or 20 point print where only A3 is possible: attention when
/// requested, bloquant when advised. For the vocational exams of the
/// Éducation nationale, possible for the general domains only: attention
/// until the avis limits it to them.
pub(super) fn agrandissement(ctx: &Ctx<'_>) -> Vec<Hit> {
    let diploma = &ctx.request.exam.diploma;
    let settings = ctx.settings;
    if !diploma.is_known() || settings.large_print_diplomas.contains(diploma) {
        return Vec::new();
    }
    let general_domains = settings
        .large_print_general_domains_diplomas
        .contains(diploma);
    let mut hits = Vec::new();
    for code in [MeasureCode::SujetPolice16, MeasureCode::SujetPolice20] {
        let name = label(&code);
        let hit = match (ctx.state(&code), general_domains) {
            (MeasureState::Advised(_), true) => {
                if ctx.grants(&code).iter().all(|e| limited_to_general_domains(e)) {
                    continue;
                }
                Hit::new(
                    Severity::Attention,
                    format!(
                        "« {name} » n'est possible, pour ce diplôme, que pour les domaines généraux : précisez les épreuves concernées ; pour les autres, seul l'agrandissement au format A3 est possible."
                    ),
                    Some(&code),
                )
            }
            (MeasureState::Requested, true) => Hit::new(
                Severity::Attention,
                format!(
                    "« {name} » est demandé : pour ce diplôme, il n'est possible que pour les domaines généraux. En l'accordant, précisez ces épreuves ; pour les autres, proposez l'agrandissement au format A3."
                ),
                Some(&code),
            ),
            (MeasureState::Advised(_), false) => Hit::new(
                Severity::Bloquant,
                format!(
                    "Pour ce diplôme, seul l'agrandissement du sujet au format A3 est possible, pas « {name} » : modifiez la mesure en « Sujet agrandi au format A3 » ou refusez-la."
                ),
                Some(&code),
            ),
            (MeasureState::Requested, false) => Hit::new(
                Severity::Attention,
                format!(
                    "« {name} » est demandé, mais pour ce diplôme seul l'agrandissement du sujet au format A3 est possible : proposez plutôt « Sujet agrandi au format A3 »."
                ),
                Some(&code),
            ),
            (MeasureState::Resolved | MeasureState::Absent, _) => continue,
        };
        hits.push(hit);
    }
    hits
}

/// Words that name a spell checker.
const SPELL_CHECKER: &[&str] = &[
    "correcteur",
    "correcteurs",
    "correction orthographique",
    "correction automatique",
    "verificateur orthographique",
    "verification orthographique",
    "antidote",
    "orthographe automatique",
];

/// Words that, in the same clause, say it is off or excluded.
const NEGATIONS: &[&str] = &[
    "sans",
    "pas",
    "aucun",
    "desactive",
    "desactivee",
    "desactives",
    "desactivees",
    "desactiver",
    "interdit",
    "interdits",
    "exclu",
    "exclus",
    "hors",
    "sauf",
    "non",
];

/// Whether `text` allows a spell checker: a clause that names one without
/// saying it is off.
pub(crate) fn allows_spell_checker(text: &str) -> bool {
    let checker: Vec<Vec<String>> = SPELL_CHECKER.iter().map(|t| words(t)).collect();
    let negations: Vec<Vec<String>> = NEGATIONS.iter().map(|t| words(t)).collect();
    text.split([',', ';', '.', '(', ')', '\n', '/', '+', ':'])
        .map(words)
        .any(|clause| {
            checker.iter().any(|c| contains_phrase(&clause, c))
                && !negations.iter().any(|n| contains_phrase(&clause, n))
        })
}

/// A computer or software that mentions a spell checker, for exams that
/// assess spelling.
pub(super) fn correcteur_orthographique(ctx: &Ctx<'_>) -> Vec<Hit> {
    let diploma = &ctx.request.exam.diploma;
    if diploma.is_known() && !ctx.settings.spelling_assessed_diplomas.contains(diploma) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for code in [MeasureCode::Ordinateur, MeasureCode::LogicielsSpecifiques] {
        let requested_detail = ctx.requested(&code).and_then(|r| r.detail.as_deref());
        let name = label(&code);
        let hit = match ctx.state(&code) {
            MeasureState::Advised(_) => {
                let allows = ctx.grants(&code).iter().any(|e| {
                    let detail = non_blank(e.detail.as_deref()).or(if e.code == code {
                        requested_detail
                    } else {
                        None
                    });
                    detail.is_some_and(allows_spell_checker)
                });
                if !allows {
                    continue;
                }
                Hit::new(
                    Severity::Attention,
                    format!(
                        "« {name} » est proposé avec un correcteur orthographique : il est interdit aux épreuves qui évaluent l'orthographe. Précisez dans le détail « correcteur orthographique désactivé » pour ces épreuves."
                    ),
                    Some(&code),
                )
            }
            MeasureState::Requested => {
                if !requested_detail.is_some_and(allows_spell_checker) {
                    continue;
                }
                Hit::new(
                    Severity::Attention,
                    format!(
                        "La demande de « {name} » mentionne un correcteur orthographique, interdit aux épreuves qui évaluent l'orthographe : en l'accordant, précisez que le correcteur est désactivé pour ces épreuves."
                    ),
                    Some(&code),
                )
            }
            MeasureState::Resolved | MeasureState::Absent => continue,
        };
        hits.push(hit);
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::Severity;
    use super::allows_spell_checker;
    use crate::domain::opinion::{Decision, Epreuves};
    use crate::domain::DocumentCategory;

    const PRAT: &str = "pratique_en_scolarite";

    #[test]
    fn scribe_or_computer_without_support_warns() {
        let req = request()
            .measure("secretaire_scripteur")
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, PRAT).len(), 2);
        assert!(fired(&f, PRAT)
            .iter()
            .all(|f| f.severity == Severity::Attention));
        // A previous decision for another measure does not count.
        let req = request()
            .measure("secretaire_lecteur")
            .previous("2025", "dnb", &["temps_majore_tiers"])
            .build();
        assert_eq!(fired(&eval(&req, None), PRAT).len(), 1);
    }

    #[test]
    fn practice_shown_or_refused_is_quiet() {
        let req = request().support("PAP").measure("ordinateur").build();
        assert!(fired(&eval(&req, None), PRAT).is_empty());
        let req = request()
            .doc(DocumentCategory::Pps, None)
            .measure("secretaire_scripteur")
            .build();
        assert!(fired(&eval(&req, None), PRAT).is_empty());
        let req = request()
            .measure("secretaire_scripteur")
            .previous("2025", "dnb", &["secretaire_scripteur"])
            .build();
        assert!(fired(&eval(&req, None), PRAT).is_empty());
        let req = request().measure("secretaire_scripteur").build();
        let dr = draft(&req).refuse("secretaire_scripteur").build();
        assert!(fired(&eval(&req, Some(&dr)), PRAT).is_empty());
        let req = request().measure("temps_majore_tiers").build();
        assert!(fired(&eval(&req, None), PRAT).is_empty());
    }

    const SUB: &str = "aide_humaine_subsidiaire";

    #[test]
    fn scribe_advised_with_computer_requested_warns() {
        let req = request()
            .measure("secretaire_scripteur")
            .measure("ordinateur")
            .build();
        let dr = draft(&req)
            .entry(op("secretaire_scripteur", Decision::Accorde).motivation("Écriture impossible."))
            .refuse("ordinateur")
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, SUB);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Attention);
        assert!(f[0].message.contains("Ordinateur personnel"));
        // A reader added while a digital subject is advised.
        let req = request().measure("sujet_numerique").build();
        let dr = draft(&req)
            .accorde("sujet_numerique")
            .entry(op("secretaire_lecteur", Decision::Ajoute).motivation("Lecture lente."))
            .build();
        assert_eq!(fired(&eval(&req, Some(&dr)), SUB).len(), 1);
        // No alternative at all, but no motivation either.
        let req = request().measure("secretaire_lecteur").build();
        let dr = draft(&req).accorde("secretaire_lecteur").build();
        assert_eq!(fired(&eval(&req, Some(&dr)), SUB).len(), 1);
    }

    #[test]
    fn human_aid_quiet_when_not_advised_or_motivated_alone() {
        let req = request()
            .measure("secretaire_scripteur")
            .measure("ordinateur")
            .build();
        assert!(fired(&eval(&req, None), SUB).is_empty());
        let dr = draft(&req)
            .refuse("secretaire_scripteur")
            .accorde("ordinateur")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), SUB).is_empty());
        let req = request().measure("secretaire_scripteur").build();
        let dr = draft(&req)
            .entry(
                op("secretaire_scripteur", Decision::Accorde)
                    .motivation("Aucun usage possible du clavier (atteinte des deux mains)."),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), SUB).is_empty());
    }

    const LSF: &str = "lsf_langue_vivante";

    #[test]
    fn lsf_for_language_exam_diplomas_warns() {
        let req = request().measure("interprete_lsf").build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, LSF).len(), 1);
        assert_eq!(fired(&f, LSF)[0].severity, Severity::Attention);
        for diploma in ["bac_pro", "cap", "bts", "btsa", "bac_techno_stav"] {
            let req = request().diploma(diploma).measure("interprete_lsf").build();
            let dr = draft(&req).accorde("interprete_lsf").build();
            let f = eval(&req, Some(&dr));
            assert_eq!(fired(&f, LSF).len(), 1, "{diploma}");
            assert_eq!(fired(&f, LSF)[0].severity, Severity::Attention);
        }
    }

    #[test]
    fn lsf_resolved_or_not_applicable() {
        let req = request().measure("interprete_lsf").build();
        let dr = draft(&req).refuse("interprete_lsf").build();
        assert!(fired(&eval(&req, Some(&dr)), LSF).is_empty());
        let dr = draft(&req)
            .entry(
                op("interprete_lsf", Decision::Modifie).detail("Sauf épreuves de langue vivante"),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), LSF).is_empty());
        let dr = draft(&req)
            .entry(
                op("interprete_lsf", Decision::Accorde)
                    .epreuves(Epreuves::Precisees)
                    .detail("Mathématiques, philosophie"),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), LSF).is_empty());
        let req = request().diploma("dnb").measure("interprete_lsf").build();
        assert!(fired(&eval(&req, None), LSF).is_empty());
        let req = request().diploma("mc").measure("interprete_lsf").build();
        assert!(fired(&eval(&req, None), LSF).is_empty());
    }

    const BIG: &str = "agrandissement";

    #[test]
    fn large_print_where_only_a3_is_possible() {
        let req = request().diploma("bts").measure("sujet_police_20").build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, BIG)[0].severity, Severity::Attention);
        let dr = draft(&req).accorde("sujet_police_20").build();
        let f = eval(&req, Some(&dr));
        assert_eq!(fired(&f, BIG)[0].severity, Severity::Bloquant);
        for diploma in ["dcg", "btsa", "capa", "cfg"] {
            let req = request().diploma(diploma).build();
            let dr = draft(&req).ajoute("sujet_police_16").build();
            assert!(fired(&eval(&req, Some(&dr)), BIG)[0].blocks(), "{diploma}");
        }
        // Vocational exam: general domains only.
        let req = request().diploma("cap").measure("sujet_police_16").build();
        let dr = draft(&req).accorde("sujet_police_16").build();
        let f = eval(&req, Some(&dr));
        assert_eq!(fired(&f, BIG)[0].severity, Severity::Attention);
        assert!(fired(&f, BIG)[0].message.contains("domaines généraux"));
    }

    #[test]
    fn large_print_quiet() {
        for diploma in [
            "bac_general",
            "bac_techno",
            "bac_pro",
            "dnb",
            "bac_pro_agricole",
        ] {
            let req = request()
                .diploma(diploma)
                .measure("sujet_police_20")
                .build();
            let dr = draft(&req).accorde("sujet_police_20").build();
            assert!(fired(&eval(&req, Some(&dr)), BIG).is_empty(), "{diploma}");
        }
        let req = request().diploma("bts").measure("sujet_police_20").build();
        let dr = draft(&req)
            .modifie("sujet_police_20", "sujet_agrandi_a3")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), BIG).is_empty());
        let dr = draft(&req).refuse("sujet_police_20").build();
        assert!(fired(&eval(&req, Some(&dr)), BIG).is_empty());
        let req = request().diploma("cap").measure("sujet_police_16").build();
        let dr = draft(&req)
            .entry(op("sujet_police_16", Decision::Modifie).detail("Domaines généraux seulement"))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), BIG).is_empty());
        let req = request().diploma("bts").measure("sujet_agrandi_a3").build();
        assert!(fired(&eval(&req, None), BIG).is_empty());
    }

    const SPELL: &str = "correcteur_orthographique";

    #[test]
    fn spell_checker_detection() {
        assert!(allows_spell_checker(
            "Traitement de texte avec correcteur orthographique"
        ));
        assert!(allows_spell_checker("Word, Antidote"));
        assert!(allows_spell_checker("Dragon; Correcteur d'orthographe"));
        assert!(!allows_spell_checker(
            "Traitement de texte, synthèse vocale; correcteur orthographique désactivé"
        ));
        assert!(!allows_spell_checker("Traitement de texte sans correcteur"));
        assert!(!allows_spell_checker("Synthèse vocale"));
    }

    #[test]
    fn spell_checker_requested_or_advised_warns() {
        let req = request()
            .measure_detail(
                "ordinateur",
                "Traitement de texte avec correcteur orthographique",
            )
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, SPELL).len(), 1);
        assert_eq!(fired(&f, SPELL)[0].severity, Severity::Attention);
        // Accorde inherits the requested detail.
        let dr = draft(&req).accorde("ordinateur").build();
        assert_eq!(fired(&eval(&req, Some(&dr)), SPELL).len(), 1);
        let req = request().diploma("dnb").build();
        let dr = draft(&req)
            .entry(op("logiciels_specifiques", Decision::Ajoute).detail("Antidote"))
            .build();
        assert_eq!(fired(&eval(&req, Some(&dr)), SPELL).len(), 1);
    }

    #[test]
    fn spell_checker_quiet() {
        let req = request()
            .measure_detail(
                "ordinateur",
                "Traitement de texte avec correcteur orthographique",
            )
            .build();
        let dr = draft(&req)
            .entry(op("ordinateur", Decision::Accorde).detail(
                "Traitement de texte, synthèse vocale; correcteur orthographique désactivé",
            ))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), SPELL).is_empty());
        let dr = draft(&req).refuse("ordinateur").build();
        assert!(fired(&eval(&req, Some(&dr)), SPELL).is_empty());
        let req = request()
            .diploma("dscg")
            .measure_detail("ordinateur", "Correcteur orthographique")
            .build();
        assert!(fired(&eval(&req, None), SPELL).is_empty());
        let req = request()
            .measure_detail(
                "ordinateur",
                "Traitement de texte, synthèse vocale (Dragon)",
            )
            .build();
        assert!(fired(&eval(&req, None), SPELL).is_empty());
    }
}
