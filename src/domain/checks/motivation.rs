//! `motivation_medicale`: the exported motivations stay functional (secret
//! médical): no trouble, diagnosis or medical examination named.

use super::words::{contains_phrase, words};
use super::{label, Ctx, Hit, Severity};

/// Whether `text` names one of the configured medical terms.
fn names_medical_term(text: &str, terms: &[Vec<String>]) -> bool {
    let hay = words(text);
    terms.iter().any(|t| contains_phrase(&hay, t))
}

/// An exported motivation (global or per measure) names a trouble, a
/// diagnosis or a medical examination: bloquant. The message never quotes
/// the term (it is health data).
pub(super) fn motivation_medicale(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(opinion) = ctx.opinion() else {
        return Vec::new();
    };
    let terms: Vec<Vec<String>> = ctx
        .settings
        .all_medical_terms()
        .map(words)
        .filter(|w| !w.is_empty())
        .collect();
    const WHAT_TO_DO: &str = "elle est transmise au rectorat et doit rester fonctionnelle (secret médical). Reformulez-la en termes de besoins (lenteur d'écriture, fatigabilité…) et gardez le reste dans vos notes privées.";
    let mut hits = Vec::new();
    if names_medical_term(&opinion.motivation, &terms) {
        hits.push(Hit::new(
            Severity::Bloquant,
            format!("La motivation globale nomme un trouble, un diagnostic ou un examen médical : {WHAT_TO_DO}"),
            None,
        ));
    }
    for entry in &opinion.measures {
        let Some(motivation) = entry.motivation.as_deref() else {
            continue;
        };
        if names_medical_term(motivation, &terms) {
            hits.push(Hit::new(
                Severity::Bloquant,
                format!(
                    "La motivation de « {} » nomme un trouble, un diagnostic ou un examen médical : {WHAT_TO_DO}",
                    label(&entry.code)
                ),
                Some(&entry.code),
            ));
        }
    }
    hits
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
            assert!(!f[0].message.to_lowercase().contains("dyslexie"));
        }
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
        // Overriding one measure leaves the other blocking.
        let dr = draft(&req)
            .entry(op("pauses", Decision::Accorde).motivation("Contrôles liés au diabete."))
            .entry(op("salle_particuliere", Decision::Ajoute).motivation("Autisme."))
            .override_rule(MED, Some("pauses"))
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, MED);
        assert!(f[0].overridden && !f[0].blocks());
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
        let dr = draft(&req).motivation("Maladie de Lyme chronique.").build();
        assert!(fired(&eval(&req, Some(&dr)), MED).is_empty());
        let s: CampaignSettings =
            serde_json::from_str(r#"{"extra_medical_terms": ["maladie de Lyme"]}"#).unwrap();
        assert_eq!(fired(&evaluate(&req, Some(&dr), today(), &s), MED).len(), 1);
        let s: CampaignSettings = serde_json::from_str(r#"{"medical_terms": []}"#).unwrap();
        let dr = draft(&req).motivation("Dyslexie").build();
        assert!(fired(&evaluate(&req, Some(&dr), today(), &s), MED).is_empty());
    }
}
