//! Checks on the pièces of the dossier: `bilan_orthophonique`,
//! `dossier_medical_recent`, `pieces_pedagogiques`, `decision_anterieure`.

use chrono::NaiveDate;

use super::{years_fr, Ctx, Hit, Severity};
use crate::domain::catalogue::{DocumentCategory, TroubleCode};
use crate::domain::request::Procedure;

/// The newest dated pièce (joined or on paper) among `categories`:
/// `(any such pièce, newest date)`. A pièce dated after `today` does not
/// count as dated (see [`date_piece`]): a 9999-12-31 bilan is not recent.
fn newest(ctx: &Ctx<'_>, keep: impl Fn(&DocumentCategory) -> bool) -> (bool, Option<NaiveDate>) {
    let docs: Vec<_> = ctx
        .documents()
        .into_iter()
        .filter(|(c, _)| keep(c))
        .collect();
    (
        !docs.is_empty(),
        docs.iter()
            .filter_map(|(_, date)| *date)
            .filter(|date| ctx.has_come(*date))
            .max(),
    )
}

/// A pièce dated after the review date: its date is wrong (it does not
/// count as recent); attention.
pub(super) fn date_piece(ctx: &Ctx<'_>) -> Vec<Hit> {
    let future: Vec<String> = ctx
        .documents()
        .into_iter()
        .filter_map(|(c, date)| date.filter(|d| !ctx.has_come(*d)).map(|d| (c, d)))
        .map(|(c, d)| {
            format!(
                "« {} » du {}",
                crate::text::sanitize(c.label()),
                super::date_fr(d)
            )
        })
        .collect();
    if future.is_empty() {
        return Vec::new();
    }
    vec![Hit::new(
        Severity::Attention,
        format!(
            "Pièce datée après aujourd'hui ({}) : la date est erronée, la pièce ne compte pas comme récente. Vérifiez la date écrite sur la pièce et, au besoin, demandez-en une correctement datée.",
            future.join(", ")
        ),
        None,
    )]
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
    let evolution = ctx.settings.point_evolution_max_age_years;
    // Seed 003: "pas plus de 2 ans ou accompagné d'un point d'évolution
    // datant de moins d'un an".
    let (_, newest_evolution) = newest(ctx, |c| *c == DocumentCategory::PointEvolution);
    let recent_evolution =
        evolution > 0 && newest_evolution.is_some_and(|d| !ctx.older_than_years(d, evolution));
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
                    "Aucun {what} n'est joint alors qu'un trouble des apprentissages est déclaré : son absence entraîne le rejet du dossier. Rendez un avis « incomplet » qui le demande, ou, s'il vous est parvenu sous pli, enregistrez-le comme pièce papier."
                ),
            ),
            None => (
                Severity::Bloquant,
                format!(
                    "Le {what} joint n'est pas daté (ou porte une date postérieure à aujourd'hui) : vérifiez qu'il a moins {}. Sinon, rendez un avis « incomplet » qui demande un bilan récent ; s'il est récent, passez outre en l'indiquant.",
                    years_fr(max)
                ),
            ),
            Some(date) if ctx.older_than_years(date, max) && !recent_evolution => (
                Severity::Bloquant,
                format!(
                    "Le {what} le plus récent a plus {} et aucun point d'évolution de moins {} ne l'accompagne : rendez un avis « incomplet » qui demande un bilan récent ou un point d'évolution, ou passez outre en motivant.",
                    years_fr(max),
                    years_fr(evolution.max(1))
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
        Some(date) if ctx.older_than_years(date, max) => format!(
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
/// copie de devoir; for individual, hors-contrat and CNED candidates, who
/// have no fiche pédagogique, the school pièces of seed 000 are required
/// whatever the trouble: the three last bulletins and marked devoirs (a
/// mathematics copy for dyscalculie).
pub(super) fn pieces_pedagogiques(ctx: &Ctx<'_>) -> Vec<Hit> {
    let req = ctx.request;
    let has = |c: DocumentCategory| ctx.has_document(&c);
    if !has_school(&req.schooling.kind) {
        let mut missing = Vec::new();
        if !has(DocumentCategory::BulletinsScolaires) && !ctx.incomplet_lists(&["bulletin"]) {
            missing.push("les trois derniers bulletins scolaires");
        }
        if !has(DocumentCategory::CopieDevoir) && !ctx.incomplet_lists(&["copie", "devoir"]) {
            missing.push(if req.troubles.contains(&TroubleCode::Dyscalculie) {
                "la copie de devoirs rédigés et notés, dont une copie de mathématiques"
            } else {
                "la copie de devoirs rédigés et notés (français ou histoire-géographie)"
            });
        }
        if missing.is_empty() {
            return Vec::new();
        }
        return vec![Hit::new(
            Severity::Attention,
            format!(
                "Candidat individuel, d'un établissement hors contrat ou du CNED : il manque {}, pièces obligatoires pour ces candidats. Demandez-les (avis « incomplet ») ou appréciez sans.",
                missing.join(" et ")
            ),
            None,
        )];
    }
    if req.procedure != Procedure::Complete
        || !req.troubles.iter().any(TroubleCode::is_learning_disorder)
    {
        return Vec::new();
    }
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
    if req.previous_decisions.is_empty() || ctx.has_document(&DocumentCategory::DecisionAnterieure)
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
        // Seed 003: "le plus récent possible (pas plus de 2 ans ou
        // accompagné d'un point d'évolution datant de moins d'un an)".
        // Exactly two years old on the day of review: not over, enough.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2024, 11, 26)))
            .build();
        assert!(fired(&eval(&req, None), BILAN).is_empty());
        // Between one and two years: enough, no point d'évolution needed.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2025, 3, 20)))
            .build();
        assert!(fired(&eval(&req, None), BILAN).is_empty());
        // One day more: over two years, blocks.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2024, 11, 25)))
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, BILAN)[0].severity, Severity::Bloquant);
        assert!(fired(&f, BILAN)[0].message.contains("point d'évolution"));
        // Older, with a point d'évolution under one year: accepted.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2023, 5, 12)))
            .doc(C::PointEvolution, Some(d(2026, 2, 1)))
            .build();
        assert!(fired(&eval(&req, None), BILAN).is_empty());
        // A point d'évolution over one year old does not do.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(2023, 5, 12)))
            .doc(C::PointEvolution, Some(d(2025, 11, 25)))
            .build();
        assert!(fired(&eval(&req, None), BILAN)[0].blocks());
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
        let s: CampaignSettings = serde_json::from_str(
            r#"{"bilan_max_age_years": 3, "point_evolution_max_age_years": 0}"#,
        )
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
        // Seed 000, "CANDIDATS INDIVIDUELS […] Le téléversement de ces
        // documents est obligatoire" (bulletins, devoirs, "une copie de
        // mathématiques" for dyscalculie): required, not exempted.
        let individual = request()
            .trouble(T::Dyscalculie)
            .school("candidat_individuel")
            .build();
        let f = eval(&individual, None);
        let f = fired(&f, PEDA);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("bulletins"), "{}", f[0].message);
        assert!(f[0].message.contains("mathématiques"), "{}", f[0].message);
        for kind in ["prive_hors_contrat", "cned_scolaire"] {
            let req = request().trouble(T::TroubleMoteur).school(kind).build();
            assert_eq!(fired(&eval(&req, None), PEDA).len(), 1, "{kind}");
            let req = request()
                .trouble(T::TroubleMoteur)
                .school(kind)
                .doc(C::BulletinsScolaires, None)
                .doc(C::CopieDevoir, None)
                .build();
            assert!(fired(&eval(&req, None), PEDA).is_empty(), "{kind}");
        }
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

    #[test]
    fn a_future_dated_piece_is_flagged_and_not_recent() {
        // Issue 14: a 9999-12-31 bilan must not count as recent.
        let req = request()
            .trouble(T::DyslexieDysorthographie)
            .doc(C::BilanOrthophonique, Some(d(9999, 12, 31)))
            .doc(C::CertificatMedical, Some(d(9999, 12, 31)))
            .build();
        let f = eval(&req, None);
        assert!(fired(&f, BILAN)[0].blocks(), "not recent");
        assert_eq!(fired(&f, "dossier_medical_recent").len(), 1);
        let flag = fired(&f, "date_piece");
        assert_eq!(flag.len(), 1);
        assert!(
            flag[0].message.contains("31/12/9999"),
            "{}",
            flag[0].message
        );
        let ok = request()
            .doc(C::CertificatMedical, Some(d(2026, 11, 26)))
            .build();
        assert!(fired(&eval(&ok, None), "date_piece").is_empty());
    }

    #[test]
    fn paper_pieces_count_for_the_checks() {
        // Seed 003: the medical file arrives "sous pli cacheté" to the doctor.
        let req = request().trouble(T::DyslexieDysorthographie).build();
        assert!(fired(&eval(&req, None), BILAN)[0].blocks());
        let mut dr = draft(&req).build();
        dr.paper_documents.push(crate::domain::PaperDocument {
            category: C::BilanOrthophonique,
            date: d(2026, 9, 1),
            note: String::new(),
        });
        let f = eval(&req, Some(&dr));
        assert!(fired(&f, BILAN).is_empty());
        assert!(fired(&f, "dossier_medical_recent").is_empty());
        dr.paper_documents.push(crate::domain::PaperDocument {
            category: C::FichePedagogique,
            date: d(2026, 9, 1),
            note: String::new(),
        });
        dr.paper_documents.push(crate::domain::PaperDocument {
            category: C::CopieDevoir,
            date: d(2026, 9, 1),
            note: String::new(),
        });
        assert!(fired(&eval(&req, Some(&dr)), PEDA).is_empty());
    }
}
