//! Checks on the pièces of the dossier: `bilan_orthophonique`,
//! `dossier_medical_recent`, `pieces_pedagogiques`, `decision_anterieure`.

use chrono::NaiveDate;

use super::settings::older_than_years;
use super::{years_fr, Ctx, Hit, Severity};
use crate::domain::catalogue::{DocumentCategory, TroubleCode};
use crate::domain::request::Procedure;

/// The newest dated document among `categories`: `(any such document, newest date)`.
fn newest(ctx: &Ctx<'_>, keep: impl Fn(&DocumentCategory) -> bool) -> (bool, Option<NaiveDate>) {
    let docs: Vec<_> = ctx
        .request
        .documents
        .iter()
        .filter(|doc| keep(&doc.category))
        .collect();
    (
        !docs.is_empty(),
        docs.iter().filter_map(|doc| doc.date).max(),
    )
}

/// A learning disorder with no recent bilan: bloquant, resolved by an
/// `incomplet` avis listing the bilan as missing.
pub(super) fn bilan_orthophonique(ctx: &Ctx<'_>) -> Vec<Hit> {
    struct Group {
        active: bool,
        categories: &'static [DocumentCategory],
        what: &'static str,
        needles: &'static [&'static str],
    }
    let troubles = &ctx.request.troubles;
    let groups = [
        Group {
            active: troubles
                .iter()
                .any(TroubleCode::expects_bilan_orthophonique),
            categories: TroubleCode::DyslexieDysorthographie.expected_bilans(),
            what: "bilan orthophonique étalonné",
            needles: &["bilan_orthophonique", "orthophon"],
        },
        Group {
            active: troubles.contains(&TroubleCode::Dyspraxie),
            categories: TroubleCode::Dyspraxie.expected_bilans(),
            what: "bilan d'ergothérapie, de psychomotricité ou neuropsychologique",
            needles: &[
                "bilan_ergotherapie",
                "bilan_psychomoteur",
                "bilan_neuropsychologique",
                "ergotherap",
                "psychomot",
                "neuropsy",
            ],
        },
    ];
    let max = ctx.settings.bilan_max_age_years;
    let evolution = ctx.settings.point_evolution_after_years;
    let mut hits = Vec::new();
    for g in groups.iter().filter(|g| g.active) {
        if ctx.incomplet_lists(g.needles) {
            continue;
        }
        let what = g.what;
        let (any, newest) = newest(ctx, |c| g.categories.contains(c));
        let (severity, message) = match newest {
            _ if !any => (
                Severity::Bloquant,
                format!(
                    "Aucun {what} n'est joint alors qu'un trouble des apprentissages est déclaré : son absence entraîne le rejet du dossier. Rendez un avis « incomplet » qui le demande, ou passez outre en motivant (bilan reçu sous pli, par exemple)."
                ),
            ),
            None => (
                Severity::Bloquant,
                format!(
                    "Le {what} joint n'est pas daté : vérifiez qu'il a moins {}. Sinon, rendez un avis « incomplet » qui demande un bilan récent ; s'il est récent, passez outre en l'indiquant.",
                    years_fr(max)
                ),
            ),
            Some(date) if older_than_years(date, ctx.today, max) => (
                Severity::Bloquant,
                format!(
                    "Le {what} le plus récent a plus {} : un bilan de moins {} est exigé. Rendez un avis « incomplet » qui demande un bilan récent, ou passez outre en motivant.",
                    years_fr(max),
                    years_fr(max)
                ),
            ),
            Some(date) if evolution > 0 && older_than_years(date, ctx.today, evolution) => (
                Severity::Attention,
                format!(
                    "Le {what} le plus récent a plus {} : un point d'évolution de moins {} est attendu. Vérifiez qu'il figure parmi les pièces, sinon demandez-le (avis « incomplet »).",
                    years_fr(evolution),
                    years_fr(evolution)
                ),
            ),
            Some(_) => continue,
        };
        hits.push(Hit::new(severity, message, None));
    }
    hits
}

/// The newest medical document is over one year old (or there is none);
/// resolved by an `incomplet` avis that asks for a medical pièce.
pub(super) fn dossier_medical_recent(ctx: &Ctx<'_>) -> Vec<Hit> {
    let max = ctx.settings.medical_file_max_age_years;
    if ctx.incomplet_lists(&[
        "medical",
        "medicaux",
        "certificat",
        "bilan",
        "compte rendu",
        "compte_rendu",
    ]) {
        return Vec::new();
    }
    let (any, newest) = newest(ctx, DocumentCategory::is_medical);
    let message = match newest {
        _ if !any => format!(
            "Aucun document médical n'est joint : un dossier médical de moins {} est attendu. Il a pu arriver sous pli cacheté ; sinon, demandez-le (avis « incomplet »).",
            years_fr(max)
        ),
        None => format!(
            "Les documents médicaux joints ne sont pas datés : vérifiez que le plus récent a moins {}.",
            years_fr(max)
        ),
        Some(date) if older_than_years(date, ctx.today, max) => format!(
            "Le document médical le plus récent a plus {} : le dossier médical doit être récent. Demandez une pièce à jour (avis « incomplet ») ou appréciez si la situation est stable.",
            years_fr(max)
        ),
        Some(_) => return Vec::new(),
    };
    vec![Hit::new(Severity::Attention, message, None)]
}

/// Whether the candidate is schooled in a public or private-under-contract
/// school (the ones that fill the fiche pédagogique). Individual
/// candidates, hors-contrat schools and distance learning are not.
fn has_school(kind: &str) -> bool {
    let folded = super::words::fold(kind);
    ![
        "individuel",
        "hors_contrat",
        "hors contrat",
        "cned",
        "distance",
    ]
    .iter()
    .any(|k| folded.contains(k))
}

/// Procédure complète, learning disorder, and no fiche pédagogique or no
/// copie de devoir.
pub(super) fn pieces_pedagogiques(ctx: &Ctx<'_>) -> Vec<Hit> {
    let req = ctx.request;
    if req.procedure != Procedure::Complete
        || !req.troubles.iter().any(TroubleCode::is_learning_disorder)
        || !has_school(&req.schooling.kind)
    {
        return Vec::new();
    }
    let has = |c: DocumentCategory| req.documents.iter().any(|doc| doc.category == c);
    let mut missing = Vec::new();
    if !has(DocumentCategory::FichePedagogique)
        && !ctx.incomplet_lists(&["fiche_pedagogique", "fiche pedagogique"])
    {
        missing.push("la fiche pédagogique");
    }
    if !has(DocumentCategory::CopieDevoir) && !ctx.incomplet_lists(&["copie"]) {
        missing.push("la copie notée d'un devoir de l'année");
    }
    if missing.is_empty() {
        return Vec::new();
    }
    vec![Hit::new(
        Severity::Attention,
        format!(
            "Trouble des apprentissages en procédure complète : il manque {}. Demandez-{} à l'établissement (avis « incomplet ») ou appréciez sans.",
            missing.join(" et "),
            if missing.len() > 1 { "les" } else { "la" }
        ),
        None,
    )]
}

/// A previous decision is mentioned and no copy is joined.
pub(super) fn decision_anterieure(ctx: &Ctx<'_>) -> Vec<Hit> {
    let req = ctx.request;
    if req.previous_decisions.is_empty()
        || req
            .documents
            .iter()
            .any(|doc| doc.category == DocumentCategory::DecisionAnterieure)
    {
        return Vec::new();
    }
    vec![Hit::new(
        Severity::Info,
        "La demande mentionne une décision d'aménagement antérieure, mais sa copie n'est pas jointe : la famille doit la fournir ; demandez-la si elle vous est utile.".to_string(),
        None,
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{evaluate, CampaignSettings, Severity};
    use crate::domain::request::Procedure;
    use crate::domain::{DocumentCategory as C, TroubleCode as T};

    const BILAN: &str = "bilan_orthophonique";

    #[test]
    fn bilan_missing_for_dyslexia_blocks() {
        let req = request().trouble(T::DyslexieDysorthographie).build();
        let f = eval(&req, None);
        let f = fired(&f, BILAN);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Bloquant);
        assert!(f[0].message.contains("rejet du dossier"));
        assert!(f[0].blocks());
    }

    #[test]
    fn bilan_missing_for_dyscalculia_or_dysphasia_blocks() {
        for t in [T::Dyscalculie, T::Dysphasie] {
            let req = request()
                .trouble(t)
                .doc(C::BilanPsychometrique, Some(d(2026, 9, 1)))
                .build();
            assert_eq!(fired(&eval(&req, None), BILAN).len(), 1);
        }
    }

    #[test]
    fn bilan_age_boundaries() {
        // Exactly two years old on the day of review: not over.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2024, 11, 26)))
            .build();
        let f = eval(&req, None);
        let f = fired(&f, BILAN);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].severity,
            Severity::Attention,
            "needs a point d'évolution"
        );
        // One day more: over two years, blocks.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2024, 11, 25)))
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, BILAN)[0].severity, Severity::Bloquant);
        // Exactly one year: quiet.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2025, 11, 26)))
            .build();
        assert!(fired(&eval(&req, None), BILAN).is_empty());
    }

    #[test]
    fn newest_bilan_counts() {
        let req = request()
            .trouble(T::Dysphasie)
            .doc(C::BilanOrthophonique, Some(d(2020, 1, 1)))
            .doc(C::BilanOrthophonique, Some(d(2026, 6, 12)))
            .build();
        assert!(fired(&eval(&req, None), BILAN).is_empty());
    }

    #[test]
    fn undated_bilan_blocks() {
        let req = request()
            .trouble(T::Dyscalculie)
            .doc(C::BilanOrthophonique, None)
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, BILAN)[0].severity, Severity::Bloquant);
        assert!(fired(&f, BILAN)[0].message.contains("pas daté"));
    }

    #[test]
    fn quiet_without_learning_disorder() {
        for t in [T::Tdah, T::DeficienceVisuelle, T::MaladieChronique] {
            let req = request().trouble(t).build();
            assert!(fired(&eval(&req, None), BILAN).is_empty());
        }
    }

    #[test]
    fn dyspraxia_needs_ergo_psychomot_or_neuropsy() {
        let req = request()
            .trouble(T::Dyspraxie)
            .doc(C::BilanOrthophonique, Some(d(2026, 9, 1)))
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, BILAN).len(), 1);
        assert!(fired(&f, BILAN)[0].message.contains("ergothérapie"));
        for c in [
            C::BilanErgotherapie,
            C::BilanPsychomoteur,
            C::BilanNeuropsychologique,
        ] {
            let req = request()
                .trouble(T::Dyspraxie)
                .doc(c, Some(d(2026, 9, 1)))
                .build();
            assert!(fired(&eval(&req, None), BILAN).is_empty());
        }
    }

    #[test]
    fn dyslexia_and_dyspraxia_need_both() {
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .trouble(T::Dyspraxie)
            .build();
        assert_eq!(fired(&eval(&req, None), BILAN).len(), 2);
    }

    #[test]
    fn incomplet_listing_the_bilan_resolves() {
        let req = request().trouble(T::DyslexieDysorthographie).build();
        let dr = draft(&req)
            .incomplet(&["Bilan orthophonique étalonné de moins de 2 ans"])
            .build();
        assert!(fired(&eval(&req, Some(&dr)), BILAN).is_empty());
        let dr = draft(&req).incomplet(&["bilan_orthophonique"]).build();
        assert!(fired(&eval(&req, Some(&dr)), BILAN).is_empty());
        // Incomplet for another pièce does not resolve it.
        let dr = draft(&req).incomplet(&["fiche_pedagogique"]).build();
        assert_eq!(fired(&eval(&req, Some(&dr)), BILAN).len(), 1);
        // Nor does a favourable avis.
        let dr = draft(&req).build();
        assert_eq!(fired(&eval(&req, Some(&dr)), BILAN).len(), 1);
    }

    #[test]
    fn dijon_three_years_and_disabled_evolution() {
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2024, 3, 1)))
            .build();
        let s: CampaignSettings =
            serde_json::from_str(r#"{"bilan_max_age_years": 3, "point_evolution_after_years": 0}"#)
                .unwrap();
        assert!(fired(&evaluate(&req, None, today(), &s), BILAN).is_empty());
        assert_eq!(
            fired(&eval(&req, None), BILAN)[0].severity,
            Severity::Bloquant
        );
    }

    const DOSSIER: &str = "dossier_medical_recent";

    #[test]
    fn dossier_medical_fires_when_old_or_missing() {
        let req = request()
            .doc(C::CertificatMedical, Some(d(2025, 11, 25)))
            .build();
        assert_eq!(fired(&eval(&req, None), DOSSIER).len(), 1);
        let req = request().doc(C::Pap, Some(d(2026, 10, 1))).build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, DOSSIER).len(), 1);
        assert_eq!(fired(&f, DOSSIER)[0].severity, Severity::Attention);
        assert!(fired(&f, DOSSIER)[0].message.contains("pli cacheté"));
    }

    #[test]
    fn dossier_medical_quiet_when_recent() {
        // Exactly one year: not over.
        let req = request()
            .doc(C::CompteRenduSpecialiste, Some(d(2025, 11, 26)))
            .build();
        assert!(fired(&eval(&req, None), DOSSIER).is_empty());
        // The newest of several counts, any medical category.
        let req = request()
            .doc(C::CertificatMedical, Some(d(2019, 1, 1)))
            .doc(C::FicheRenseignementsMedicaux, Some(d(2026, 9, 30)))
            .build();
        assert!(fired(&eval(&req, None), DOSSIER).is_empty());
        // An incomplet avis asking for a recent certificate resolves it.
        let req = request().build();
        let dr = draft(&req)
            .incomplet(&["Certificat médical de moins d'un an"])
            .build();
        assert!(fired(&eval(&req, Some(&dr)), DOSSIER).is_empty());
        let dr = draft(&req).incomplet(&["Copie de devoir"]).build();
        assert_eq!(fired(&eval(&req, Some(&dr)), DOSSIER).len(), 1);
    }

    const PEDA: &str = "pieces_pedagogiques";

    #[test]
    fn pieces_pedagogiques_fire_for_learning_disorders() {
        let req = request().trouble(T::Dyspraxie).build();
        let f = eval(&req, None);
        assert!(fired(&f, PEDA)[0]
            .message
            .contains("fiche pédagogique et la copie"));
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::FichePedagogique, None)
            .build();
        let f = eval(&req, None);
        let f = fired(&f, PEDA);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("copie"));
        assert!(!f[0].message.contains("fiche"));
    }

    #[test]
    fn pieces_pedagogiques_quiet() {
        let full = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::FichePedagogique, None)
            .doc(C::CopieDevoir, None)
            .build();
        assert!(fired(&eval(&full, None), PEDA).is_empty());
        let simplified = request()
            .trouble(T::DyslexieDysorthographie)
            .procedure(Procedure::Simplifiee)
            .build();
        assert!(fired(&eval(&simplified, None), PEDA).is_empty());
        let no_dys = request().trouble(T::TroubleMoteur).build();
        assert!(fired(&eval(&no_dys, None), PEDA).is_empty());
        let individual = request()
            .trouble(T::Dyscalculie)
            .school("candidat_individuel")
            .build();
        assert!(fired(&eval(&individual, None), PEDA).is_empty());
        let req = request().trouble(T::Dyscalculie).build();
        let dr = draft(&req)
            .incomplet(&["Fiche pédagogique", "Copie de devoir"])
            .build();
        assert!(fired(&eval(&req, Some(&dr)), PEDA).is_empty());
    }

    const PREV: &str = "decision_anterieure";

    #[test]
    fn decision_anterieure_is_info_when_copy_missing() {
        let req = request()
            .previous("2025", "dnb", &["temps_majore_tiers"])
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, PREV).len(), 1);
        assert_eq!(fired(&f, PREV)[0].severity, Severity::Info);
        let req = request()
            .previous("2024", "dnb", &[])
            .previous("2025", "bac_general", &["ordinateur"])
            .doc(C::Pap, None)
            .build();
        assert_eq!(fired(&eval(&req, None), PREV).len(), 1);
    }

    #[test]
    fn decision_anterieure_quiet() {
        let req = request()
            .previous("2025", "dnb", &["temps_majore_tiers"])
            .doc(C::DecisionAnterieure, Some(d(2025, 2, 1)))
            .build();
        assert!(fired(&eval(&req, None), PREV).is_empty());
        let req = request().doc(C::DecisionAnterieure, None).build();
        assert!(fired(&eval(&req, None), PREV).is_empty());
    }
}
