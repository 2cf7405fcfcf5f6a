//! Checks on technical and human aids: `pratique_en_scolarite`,
//! `aide_humaine_subsidiaire`, `lsf_langue_vivante`, `agrandissement`,
//! `correcteur_orthographique`.

use super::words::{contains_phrase, mentions_any, words};
use super::{label, Ctx, Hit, MeasureState, Severity};
use crate::domain::catalogue::MeasureCode;
use crate::domain::opinion::{Decision, Epreuves, MeasureOpinion};

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// Whether the request shows a school support that can include a scribe
/// or a computer (PAP, PPS, AESH) in section #4 or among its pièces. A PAI
/// is for a health trouble: it does not show a practised computer or scribe.
fn shows_support(ctx: &Ctx<'_>) -> bool {
    let req = ctx.request;
    req.supports
        .iter()
        .any(|s| mentions_any(s, ["pap", "pps", "aesh", "avs", "avsi"]))
        || ctx.documents().iter().any(|(c, _)| {
            c.is_school_support() && **c != crate::domain::catalogue::DocumentCategory::Pai
        })
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
                "« {} » : la demande ne montre ni accompagnement scolaire (PAP, PPS, AESH ; un PAI ne vaut que pour la santé) ni décision antérieure l'accordant. Cette aide ne compense efficacement que si le candidat l'a pratiquée régulièrement pendant sa scolarité : vérifiez-le dans la fiche pédagogique avant de l'accorder.",
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

/// A human aid requested or advised while a technical aid for the same
/// need is requested or advised (fixtures/CHECKS.md: `secretaire_scripteur`
/// with `ordinateur`), or a human aid advised without motivation. Resolved
/// when the human aid is refused, when it is advised with a motivation
/// saying why no technical aid suffices, or when every competing technical
/// aid is refused with a reason.
pub(super) fn aide_humaine_subsidiaire(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let motivated = |e: &MeasureOpinion| non_blank(e.motivation.as_deref()).is_some();
    for (human, technical) in SUBSTITUTES {
        let name = label(human);
        let entry = match ctx.state(human) {
            MeasureState::Advised(e) => Some(e),
            MeasureState::Requested => None,
            MeasureState::Resolved | MeasureState::Absent => continue,
        };
        if entry.is_some_and(motivated) {
            continue;
        }
        // Competing technical aids still in play: requested or advised, and
        // not refused with a reason.
        let alternatives: Vec<String> = technical
            .iter()
            .filter(|t| {
                if ctx.is_advised(t) {
                    return true;
                }
                if !ctx.is_requested(t) {
                    return false;
                }
                let refused_with_reason = ctx
                    .opinion()
                    .and_then(|o| o.entry_for(t))
                    .is_some_and(|e| e.decision == Decision::Refuse && motivated(e));
                !refused_with_reason
            })
            .map(|t| format!("« {} »", label(t)))
            .collect();
        let message = if !alternatives.is_empty() {
            format!(
                "« {name} » est {} alors qu'une aide technique pour le même besoin l'est aussi ({}) : une aide humaine ne s'accorde qu'à défaut d'aide technique suffisante. Dites dans la motivation de l'aide humaine pourquoi l'aide technique ne suffit pas, ou refusez l'une des deux en motivant.",
                if entry.is_some() { "proposé" } else { "demandé" },
                alternatives.join(", ")
            )
        } else if entry.is_some() && !technical.iter().any(|t| ctx.is_requested(t)) {
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

/// `assistant_reformulation` advised without its mission: bloquant (seed
/// 004: "la mission de l'assistant doit être précisément bornée et
/// définie dans la décision"). An `accorde` takes the requested detail.
pub(super) fn assistant_mission(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::AssistantReformulation;
    let requested = ctx
        .requested(code)
        .and_then(|r| non_blank(r.detail.as_deref()));
    let missing = ctx.grants(code).iter().any(|e| {
        let inherited = if &e.code == code { requested } else { None };
        non_blank(e.detail.as_deref()).is_none() && inherited.is_none()
    });
    if !missing {
        return Vec::new();
    }
    vec![Hit::new(
        Severity::Bloquant,
        "« Assistant (reformulation des consignes, mission définie) » est proposé sans sa mission : elle doit être précisément bornée et définie dans la décision. Écrivez-la dans le détail de la mesure (par exemple « reformuler les consignes écrites, sans aider à la réponse »).".to_string(),
        Some(code),
    )]
}

/// Agricultural exams (seed 004): the quatrième écoute is for candidates
/// with extra time for the preparation of the orals. Attention when it is
/// requested or advised without that time.
pub(super) fn quatrieme_ecoute(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::QuatriemeEcoute;
    let prep = &MeasureCode::TempsMajorePreparationOral;
    if ctx.request.exam.diploma.family()
        != Some(crate::domain::catalogue::DiplomaFamily::Agricultural)
    {
        return Vec::new();
    }
    let has_prep = match ctx.opinion() {
        Some(_) if ctx.is_advised(code) => ctx.is_advised(prep),
        _ => ctx.is_requested(prep) || ctx.is_advised(prep),
    };
    match ctx.state(code) {
        MeasureState::Advised(_) | MeasureState::Requested if !has_prep => vec![Hit::new(
            Severity::Attention,
            "« Quatrième écoute (compréhension orale en langue vivante) » est réservée aux candidats qui disposent d'un temps majoré pour la préparation des épreuves orales : accordez aussi ce temps, ou refusez la quatrième écoute.".to_string(),
            Some(code),
        )],
        _ => Vec::new(),
    }
}

/// Whether an avis entry keeps the measure away from the language exams,
/// by its épreuves (never by a word of its motivation): épreuves
/// `precisees` whose list either names no language exam or excludes it
/// ("toutes les épreuves orales sauf langue vivante").
fn excludes_languages(entry: &MeasureOpinion) -> bool {
    if entry.epreuves != Epreuves::Precisees {
        return false;
    }
    let Some(list) = non_blank(entry.detail.as_deref()) else {
        return false;
    };
    const LANGUAGES: [&str; 8] = [
        "langue", "langues", "lv", "lv1", "lv2", "lva", "lvb", "anglais",
    ];
    let hay = words(list);
    let names_language = LANGUAGES.iter().any(|l| hay.iter().any(|w| w == l));
    let excludes = ["sauf", "hors", "excepte", "exceptee", "exceptes", "sans"]
        .iter()
        .any(|x| hay.iter().any(|w| w == x));
    !names_language || excludes
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
            "« Interprète en langue des signes française » est proposé sans exclure l'épreuve de langue vivante : un interprète n'y est pas possible, il la dénaturerait. Choisissez les épreuves « précisées » et nommez-les (« toutes les épreuves sauf langue vivante »), ou refusez la mesure."
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
    // Seed 004 (agricultural exams): from A4 to A3, or to two A4 sheets.
    let only = if diploma.family() == Some(crate::domain::catalogue::DiplomaFamily::Agricultural) {
        "seul l'agrandissement du sujet de A4 en A3 ou en deux feuilles A4 est possible"
    } else {
        "seul l'agrandissement du sujet au format A3 est possible"
    };
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
                    "Pour ce diplôme, {only}, pas « {name} » : modifiez la mesure en « Sujet agrandi au format A3 » ou refusez-la."
                ),
                Some(&code),
            ),
            (MeasureState::Requested, false) => Hit::new(
                Severity::Attention,
                format!(
                    "« {name} » est demandé, mais pour ce diplôme {only} : proposez plutôt « Sujet agrandi au format A3 »."
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
                        "La demande {} mentionne un correcteur orthographique, interdit aux épreuves qui évaluent l'orthographe : en l'accordant, précisez que le correcteur est désactivé pour ces épreuves.",
                        crate::domain::catalogue::de_label(&name)
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
        // The computer refused without a reason: still in play.
        let dr = draft(&req)
            .accorde("secretaire_scripteur")
            .refuse("ordinateur")
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, SUB);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Attention);
        assert!(f[0].message.contains("Ordinateur personnel"));
        // Seed 004 / issue 11: resolved when the technical aid is refused
        // with a reason…
        let dr = draft(&req)
            .accorde("secretaire_scripteur")
            .entry(
                op("ordinateur", Decision::Refuse).motivation("Frappe trop lente pour composer."),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), SUB).is_empty());
        // …or when the human help is motivated.
        let dr = draft(&req)
            .entry(op("secretaire_scripteur", Decision::Accorde).motivation("Écriture impossible."))
            .refuse("ordinateur")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), SUB).is_empty());
        // A reader added while a digital subject is advised.
        let req = request().measure("sujet_numerique").build();
        let dr = draft(&req)
            .accorde("sujet_numerique")
            .ajoute("secretaire_lecteur")
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
        // fixtures/CHECKS.md: both requested fires on the request itself.
        let f = eval(&req, None);
        assert_eq!(fired(&f, SUB).len(), 1);
        assert!(fired(&f, SUB)[0].message.contains("est demandé"));
        let req = request().measure("secretaire_scripteur").build();
        assert!(fired(&eval(&req, None), SUB).is_empty());
        let req = request()
            .measure("secretaire_scripteur")
            .measure("ordinateur")
            .build();
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
                op("interprete_lsf", Decision::Modifie)
                    .epreuves(Epreuves::Precisees)
                    .detail("Toutes sauf épreuves de langue vivante"),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), LSF).is_empty());
        // Seed 004: "la présence d'un interprète en langue des signes
        // française n'est pas possible pour une épreuve en langue vivante" —
        // resolved by the épreuves, never by a word of the motivation.
        let dr = draft(&req)
            .entry(
                op("interprete_lsf", Decision::Accorde)
                    .motivation("Pas pour la langue vivante.")
                    .detail("Sauf langue vivante"),
            )
            .build();
        assert_eq!(fired(&eval(&req, Some(&dr)), LSF).len(), 1);
        let dr = draft(&req)
            .entry(
                op("interprete_lsf", Decision::Accorde)
                    .epreuves(Epreuves::Precisees)
                    .detail("Épreuves orales de langue vivante"),
            )
            .build();
        assert_eq!(fired(&eval(&req, Some(&dr)), LSF).len(), 1);
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
        // Seed 004: "agrandissement de 141 % : de A4 vers A3 ou d'une feuille
        // A4 vers 2 feuilles A4" — no 16/20 points for STAV and bac pro agricole.
        for diploma in ["bac_techno_stav", "bac_pro_agricole"] {
            let req = request()
                .diploma(diploma)
                .measure("sujet_police_20")
                .build();
            let dr = draft(&req).accorde("sujet_police_20").build();
            let f = eval(&req, Some(&dr));
            let f = fired(&f, BIG);
            assert!(f[0].blocks(), "{diploma}");
            assert!(
                f[0].message.contains("deux feuilles A4"),
                "{}",
                f[0].message
            );
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
        for diploma in ["bac_general", "bac_techno", "bac_pro", "dnb"] {
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

    #[test]
    fn assistant_needs_its_defined_mission() {
        // Seed 004: "la mission de l'assistant doit être précisément bornée
        // et définie dans la décision d'aménagements d'épreuves".
        const MIS: &str = "assistant_mission";
        let req = request().measure("assistant_reformulation").build();
        assert!(
            fired(&eval(&req, None), MIS).is_empty(),
            "requested: no finding"
        );
        let dr = draft(&req)
            .entry(
                op("assistant_reformulation", Decision::Accorde)
                    .motivation("Besoin de reformulation."),
            )
            .build();
        let f = eval(&req, Some(&dr));
        assert!(fired(&f, MIS)[0].blocks());
        let dr = draft(&req)
            .entry(
                op("assistant_reformulation", Decision::Accorde)
                    .detail("Reformuler les consignes écrites, sans aider à la réponse"),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), MIS).is_empty());
    }

    #[test]
    fn fourth_listening_comes_with_preparation_time_in_agricultural_exams() {
        // Seed 004: "Les candidats au baccalauréat technologique disposant
        // d'un temps majoré pour la préparation des épreuves orales peuvent,
        // à leur demande, bénéficier d'une quatrième écoute".
        const Q: &str = "quatrieme_ecoute";
        let req = request()
            .diploma("bac_techno_stav")
            .measure("quatrieme_ecoute")
            .build();
        assert_eq!(fired(&eval(&req, None), Q).len(), 1);
        let dr = draft(&req).accorde("quatrieme_ecoute").build();
        assert_eq!(fired(&eval(&req, Some(&dr)), Q).len(), 1);
        let dr = draft(&req)
            .accorde("quatrieme_ecoute")
            .ajoute("temps_majore_preparation_oral")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), Q).is_empty());
        let both = request()
            .diploma("bac_techno_stav")
            .measure("quatrieme_ecoute")
            .measure("temps_majore_preparation_oral")
            .build();
        assert!(fired(&eval(&both, None), Q).is_empty());
    }

    #[test]
    fn a_pai_does_not_show_a_practised_computer() {
        // Seed 004: "Les aides techniques doivent être en cohérence avec
        // celles utilisées par l'élève au cours de sa formation" — a PAI is
        // for a health trouble, not a computer or a scribe.
        let req = request()
            .support("PAI")
            .doc(crate::domain::DocumentCategory::Pai, None)
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        assert_eq!(fired(&eval(&req, None), "pratique_en_scolarite").len(), 1);
        let req = request()
            .support("PAP")
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        assert!(fired(&eval(&req, None), "pratique_en_scolarite").is_empty());
    }
}
