//! `motivation_medicale`: every text that leaves the doctor stays
//! functional (secret médical): the global and per-measure motivations,
//! each measure's detail (which names its épreuves), the missing-pièces
//! list and the reasons of lifted checks, which are exported with the avis.
//! The words come from the lexicon of [`crate::domain::secrecy`].

use super::{label, Ctx, Hit, Severity};
use crate::domain::catalogue::{de_label, DocumentCategory, MeasureCode};
use crate::domain::opinion::Decision;
use crate::domain::secrecy::{advice, scan_with};

/// Why the text must stay functional, and where the rest goes.
const WHY: &str = "ce texte est transmis au rectorat, qui le met à disposition de la famille et de l'établissement (secret médical) ; gardez le reste dans vos notes privées";

/// Names of pièces, which the missing-pièces list may use.
const PIECE_NAMES: &[&str] = &[
    "bilan orthophonique",
    "bilan neuropsychologique",
    "bilan psychométrique",
    "bilan psychomoteur",
    "bilan de psychomotricité",
    "bilan d'ergothérapie",
    "point d'évolution",
    "certificat médical",
    "compte rendu de spécialiste",
    "fiche de renseignements médicaux",
];

/// The hit for one exported text, if it names something of the lexicon.
fn check_text(
    ctx: &Ctx<'_>,
    text: &str,
    allowed: &[&str],
    what: &str,
    measure: Option<&MeasureCode>,
) -> Option<Hit> {
    let extra: Vec<&str> = ctx.settings.all_medical_terms().collect();
    let leaks = scan_with(text, allowed, &extra);
    if leaks.is_empty() {
        return None;
    }
    Some(Hit::new(
        Severity::Bloquant,
        format!("{what} {} : {WHY}.", advice(&leaks)),
        measure,
    ))
}

/// An exported text names a trouble, a diagnosis, a treatment, a care
/// setting, an examination or a score: bloquant, and never lifted by an
/// override (the text itself would leave). The message names the lexicon's
/// term (not the candidate's text) and what to write instead.
pub(super) fn motivation_medicale(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(draft) = ctx.draft else {
        return Vec::new();
    };
    let opinion = &draft.opinion;
    // The catalogue's measure labels are the measures' names: allowed.
    let labels: Vec<&str> = MeasureCode::KNOWN.iter().map(|m| m.label()).collect();
    let mut hits = Vec::new();
    hits.extend(check_text(
        ctx,
        &opinion.motivation,
        &labels,
        "La motivation globale",
        None,
    ));
    for entry in &opinion.measures {
        let name = label(&entry.code);
        if let Some(text) = entry.motivation.as_deref() {
            hits.extend(check_text(
                ctx,
                text,
                &labels,
                &format!("La motivation {}", de_label(&name)),
                Some(&entry.code),
            ));
        }
        if let Some(text) = entry.detail.as_deref() {
            hits.extend(check_text(
                ctx,
                text,
                &labels,
                &format!("Le détail (épreuves, précisions) {}", de_label(&name)),
                Some(&entry.code),
            ));
        }
    }
    let mut pieces: Vec<&str> = PIECE_NAMES.to_vec();
    pieces.extend(DocumentCategory::KNOWN.iter().map(|c| c.label()));
    pieces.extend(DocumentCategory::KNOWN.iter().map(|c| c.code()));
    for (i, text) in opinion.missing_documents.iter().enumerate() {
        hits.extend(check_text(
            ctx,
            text,
            &pieces,
            &format!("La pièce manquante n° {}", i + 1),
            None,
        ));
    }
    for o in draft
        .overrides
        .iter()
        .filter(|o| !o.reason.trim().is_empty())
    {
        let title = super::rule(&o.rule).map_or("un contrôle", |r| r.title);
        hits.extend(check_text(
            ctx,
            &o.reason,
            &labels,
            &format!("Le motif de levée du contrôle « {title} », transmis avec l'avis,"),
            o.measure.as_ref(),
        ));
    }
    hits
}

/// A requested measure refused or modified with no reason, neither on its
/// entry nor in the global motivation: bloquant (seed 004: in case of
/// refusal "la décision de l'autorité académique doit être motivée", and
/// the candidate may appeal). Not lifted by an override: write the reason.
pub(super) fn refus_motive(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(opinion) = ctx.opinion() else {
        return Vec::new();
    };
    if !opinion.motivation.trim().is_empty() {
        return Vec::new();
    }
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    opinion
        .measures
        .iter()
        .filter(|e| matches!(e.decision, Decision::Refuse | Decision::Modifie))
        .filter(|e| blank(e.motivation.as_deref()))
        .map(|e| {
            let what = if e.decision == Decision::Refuse {
                "refusée"
            } else {
                "modifiée"
            };
            Hit::new(
                Severity::Bloquant,
                format!(
                    "La mesure « {} » est {what} sans motivation : le rectorat doit motiver sa décision et le candidat peut former un recours. Écrivez, sur cette mesure ou dans la motivation globale, la raison fonctionnelle (par exemple « aucune lenteur d'exécution n'est objectivée »).",
                    label(&e.code)
                ),
                Some(&e.code),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{evaluate, CampaignSettings, Severity};
    use crate::domain::opinion::Decision;

    const MED: &str = "motivation_medicale";

    #[test]
    fn global_motivation_naming_a_trouble_blocks() {
        let req = request().measure("temps_majore_tiers").build();
        for text in [
            "Candidate présentant une DYSLEXIE sévère.",
            "Épilepsie stabilisée",
            "Suivi pour TDAH",
            "Résultats au WISC-V hétérogènes",
            "Diabète de type 1 : contrôles glycémiques",
            "cf. IRM de mars",
            "Bilan orthophonique de juin",
            "trouble du spectre : TSA",
        ] {
            let dr = draft(&req)
                .accorde("temps_majore_tiers")
                .motivation(text)
                .build();
            let f = eval(&req, Some(&dr));
            let f = fired(&f, MED);
            assert_eq!(f.len(), 1, "{text}");
            assert_eq!(f[0].severity, Severity::Bloquant);
            assert!(f[0].measure.is_none());
            assert!(f[0].message.contains("Écrivez plutôt"), "{}", f[0].message);
        }
        // The message names the lexicon's word found, not the rule id.
        let dr = draft(&req)
            .accorde("temps_majore_tiers")
            .motivation("Candidate présentant une DYSLEXIE sévère.")
            .build();
        let f = eval(&req, Some(&dr));
        let m = &fired(&f, MED)[0].message;
        assert!(m.contains("« dyslexie »"), "{m}");
        assert!(m.contains("lenteur de lecture"), "{m}");
        assert!(!m.contains("motivation_medicale"));
    }

    #[test]
    fn every_exported_text_is_guarded() {
        let req = request().measure("pauses").measure("ordinateur").build();
        // A measure's detail (its épreuves), the missing pièces, an
        // exported override reason.
        let dr = draft(&req)
            .entry(op("pauses", Decision::Accorde).detail("Pour l'injection d'insuline"))
            .entry(
                op("ordinateur", Decision::Accorde)
                    .epreuves(crate::domain::Epreuves::Precisees)
                    .detail("Toutes les épreuves, vu la dyspraxie"),
            )
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, MED);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(f[0].message.contains("Le détail"));
        let dr = draft(&req)
            .incomplet(&["Bilan orthophonique confirmant la dyslexie"])
            .build();
        let f = eval(&req, Some(&dr));
        assert!(fired(&f, MED)[0].message.contains("pièce manquante"));
        // Naming the pièce itself is what the list is for.
        let dr = draft(&req)
            .incomplet(&[
                "bilan_orthophonique",
                "Bilan orthophonique étalonné de moins de deux ans (ou point d'évolution de moins d'un an)",
                "Bilan d'ergothérapie récent",
            ])
            .build();
        assert!(fired(&eval(&req, Some(&dr)), MED).is_empty());
        let mut dr = draft(&req).accorde("pauses").build();
        dr.overrides.push(crate::domain::CheckOverride {
            rule: "precisez".into(),
            measure: Some(crate::domain::MeasureCode::Ordinateur),
            reason: "Logiciels vus avec l'orthophoniste.".into(),
        });
        let f = eval(&req, Some(&dr));
        let f = fired(&f, MED);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("motif de levée"), "{}", f[0].message);
        assert!(f[0].message.contains("contrôle « "), "{}", f[0].message);
        // A measure's catalogue label is its name, not a leak.
        let dr = draft(&req)
            .entry(op("pauses", Decision::Accorde))
            .entry(op("ordinateur", Decision::Accorde).detail("Traitement de texte"))
            .entry(op("enseignant_specialise", Decision::Ajoute).motivation(
                "Enseignant spécialisé (troubles des fonctions auditives) pour les oraux.",
            ))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), MED).is_empty());
    }

    #[test]
    fn refusal_or_modification_needs_a_reason() {
        const REF: &str = "refus_motive";
        let req = request()
            .measure("pauses")
            .measure("temps_majore_tiers")
            .build();
        // Seed 004: "En cas de refus d'un ou plusieurs aménagements, la
        // décision de l'autorité académique doit être motivée".
        let dr = draft(&req)
            .refuse("pauses")
            .modifie("temps_majore_tiers", "temps_majore_sixieme")
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, REF);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.blocks()));
        assert!(
            f[0].message.contains("refusée sans motivation"),
            "{}",
            f[0].message
        );
        assert!(f[1].message.contains("modifiée"));
        // Not lifted by an override: the reason must be written.
        let dr = draft(&req)
            .refuse("pauses")
            .accorde("temps_majore_tiers")
            .override_rule(REF, Some("pauses"))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), REF)[0].blocks());
        // A reason on the measure, or a global motivation, resolves it.
        let dr = draft(&req)
            .entry(op("pauses", Decision::Refuse).motivation("Aucune fatigabilité objectivée."))
            .accorde("temps_majore_tiers")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), REF).is_empty());
        let dr = draft(&req)
            .refuse("pauses")
            .refuse("temps_majore_tiers")
            .motivation("Aucun retentissement sur les conditions de passation.")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), REF).is_empty());
    }

    #[test]
    fn measure_motivation_naming_a_diagnosis_blocks_with_its_measure() {
        let req = request().measure("pauses").build();
        let dr = draft(&req)
            .entry(op("pauses", Decision::Accorde).motivation("Contrôles liés au diabete."))
            .entry(op("salle_particuliere", Decision::Ajoute).motivation("Autisme."))
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, MED);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].measure.as_ref().unwrap().code(), "pauses");
        assert_eq!(f[1].measure.as_ref().unwrap().code(), "salle_particuliere");
        // Never lifted by an override: the text itself would leave.
        let dr = draft(&req)
            .entry(op("pauses", Decision::Accorde).motivation("Contrôles liés au diabete."))
            .entry(op("salle_particuliere", Decision::Ajoute).motivation("Autisme."))
            .override_rule(MED, Some("pauses"))
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, MED);
        assert!(!f[0].overridden && f[0].blocks());
        assert!(f[1].blocks());
    }

    #[test]
    fn functional_motivations_are_quiet() {
        let req = request().measure("temps_majore_tiers").build();
        for text in [
            "Lenteur d'écriture importante, fatigabilité en fin d'épreuve.",
            "Le tsar de Russie",
            "Besoin de pauses pour se reposer.",
            "",
        ] {
            let dr = draft(&req)
                .entry(op("temps_majore_tiers", Decision::Accorde).motivation(text))
                .motivation(text)
                .build();
            assert!(fired(&eval(&req, Some(&dr)), MED).is_empty(), "{text}");
        }
        // No draft, nothing to check.
        assert!(fired(&eval(&req, None), MED).is_empty());
    }

    #[test]
    fn vocabulary_is_a_setting() {
        let req = request().build();
        let dr = draft(&req).motivation("Atteinte de Lyme.").build();
        assert!(fired(&eval(&req, Some(&dr)), MED).is_empty());
        let s: CampaignSettings =
            serde_json::from_str(r#"{"extra_medical_terms": ["de Lyme"]}"#).unwrap();
        assert_eq!(fired(&evaluate(&req, Some(&dr), today(), &s), MED).len(), 1);
        // The built-in lexicon always applies.
        let s: CampaignSettings = serde_json::from_str(r#"{"medical_terms": []}"#).unwrap();
        let dr = draft(&req).motivation("Dyslexie").build();
        assert_eq!(fired(&evaluate(&req, Some(&dr), today(), &s), MED).len(), 1);
    }
}
