//! Checks on extra time: `temps_au_dela_du_tiers`, `procedure_simplifiee`.

use super::{Ctx, Hit, MeasureState, Severity};
use crate::domain::catalogue::MeasureCode;
use crate::domain::opinion::Epreuves;
use crate::domain::request::Procedure;

/// More than a third of extra time: attention when requested; bloquant
/// when advised without a motivation on that measure or without its amount
/// (the entry's detail, or the requested detail for an `accorde`): seeds
/// 003 ("situations exceptionnelles dûment motivées par le médecin") and 004.
pub(super) fn temps_au_dela_du_tiers(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::TempsMajoreExceptionnel;
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    match ctx.state(code) {
        MeasureState::Advised(_) => {
            let requested = ctx.requested(code).and_then(|r| r.detail.as_deref());
            let mut missing = Vec::new();
            let entries = ctx.grants(code);
            if entries.iter().any(|e| blank(e.motivation.as_deref())) {
                missing.push("sans motivation");
            }
            if entries.iter().any(|e| {
                let inherited = if &e.code == code { requested } else { None };
                blank(e.detail.as_deref()) && blank(inherited)
            }) {
                missing.push("sans en préciser la durée");
            }
            if missing.is_empty() {
                return Vec::new();
            }
            vec![Hit::new(
                Severity::Bloquant,
                format!(
                    "Une majoration au-delà du tiers est proposée {} : elle n'est possible que dans une situation exceptionnelle dûment motivée par le médecin, et la décision doit en fixer la durée. Écrivez la motivation et la durée (par exemple « la moitié du temps ») sur cette mesure, ou proposez le tiers temps.",
                    missing.join(" et ")
                ),
                Some(code),
            )]
        }
        MeasureState::Requested => vec![Hit::new(
            Severity::Attention,
            "Une majoration au-delà du tiers est demandée : le tiers temps est un maximum, sauf situation exceptionnelle. Accordez-la en la motivant et en précisant sa durée, ou proposez le tiers temps.".to_string(),
            Some(code),
        )],
        MeasureState::Resolved | MeasureState::Absent => Vec::new(),
    }
}

/// Extra time granted for every épreuve (orals included) or for the orals,
/// without a motivation on that entry: attention. Seed 003: an oral with
/// extra time cannot end before it, which may work against the candidate;
/// "réserver l'octroi de temps supplémentaire pour les épreuves orales à
/// des situations bien précises".
pub(super) fn temps_oral(ctx: &Ctx<'_>) -> Vec<Hit> {
    let Some(opinion) = ctx.opinion() else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for e in &opinion.measures {
        let Some(code) = e.granted_code() else {
            continue;
        };
        let extra_time = matches!(
            code,
            MeasureCode::TempsMajoreSixieme
                | MeasureCode::TempsMajoreTiers
                | MeasureCode::TempsMajoreExceptionnel
        );
        let orals = matches!(e.epreuves, Epreuves::Toutes | Epreuves::Orales);
        let motivated = e
            .motivation
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty());
        if extra_time && orals && !motivated {
            hits.push(Hit::new(
                Severity::Attention,
                format!(
                    "« {} » vaut pour {}, sans motivation : une épreuve orale ne peut finir avant la fin du temps majoré, ce qui peut desservir le candidat ; ce temps se réserve à des situations bien précises. Limitez la mesure aux épreuves écrites, ou dites pourquoi les oraux en ont besoin.",
                    super::label(code),
                    if e.epreuves == Epreuves::Orales {
                        "les épreuves orales"
                    } else {
                        "toutes les épreuves, oraux compris"
                    }
                ),
                Some(code),
            ));
        }
    }
    hits
}

/// Procédure simplifiée with more than a third of extra time requested.
pub(super) fn procedure_simplifiee(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::TempsMajoreExceptionnel;
    if ctx.request.procedure != Procedure::Simplifiee || !ctx.is_requested(code) {
        return Vec::new();
    }
    if matches!(ctx.state(code), MeasureState::Resolved) {
        return Vec::new();
    }
    vec![Hit::new(
        Severity::Attention,
        "Procédure simplifiée, mais une majoration au-delà du tiers est demandée : la procédure simplifiée ne le permet pas, la demande relève de la procédure complète. Examinez le dossier médical complet, ou proposez au plus le tiers temps.".to_string(),
        Some(code),
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::Severity;
    use crate::domain::opinion::{Decision, Epreuves};
    use crate::domain::request::Procedure;

    const TIERS: &str = "temps_au_dela_du_tiers";
    const EXC: &str = "temps_majore_exceptionnel";

    #[test]
    fn requested_beyond_third_warns() {
        let req = request().measure(EXC).build();
        let f = eval(&req, None);
        let f = fired(&f, TIERS);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Attention);
        assert_eq!(f[0].measure.as_ref().map(|m| m.code()), Some(EXC));
        // Still only a warning while the avis has no entry for it.
        let dr = draft(&req).build();
        assert_eq!(
            fired(&eval(&req, Some(&dr)), TIERS)[0].severity,
            Severity::Attention
        );
    }

    #[test]
    fn advised_without_motivation_blocks() {
        let req = request().measure(EXC).build();
        let dr = draft(&req).accorde(EXC).build();
        let f = eval(&req, Some(&dr));
        assert_eq!(fired(&f, TIERS)[0].severity, Severity::Bloquant);
        // Reached by modifying a tiers temps, or added: same.
        let req = request().measure("temps_majore_tiers").build();
        let dr = draft(&req).modifie("temps_majore_tiers", EXC).build();
        assert_eq!(
            fired(&eval(&req, Some(&dr)), TIERS)[0].severity,
            Severity::Bloquant
        );
        let req = request().build();
        let dr = draft(&req)
            .entry(op(EXC, Decision::Ajoute).motivation("   "))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), TIERS)[0].blocks());
    }

    #[test]
    fn motivated_refused_or_modified_is_quiet() {
        let req = request().measure(EXC).build();
        let dr = draft(&req)
            .entry(
                op(EXC, Decision::Accorde)
                    .detail("La moitié du temps")
                    .motivation("Lenteur d'écriture majeure, fatigabilité en fin d'épreuve."),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), TIERS).is_empty());
        // Seed 003: "une durée plus grande ne peut être accordée que dans des
        // situations exceptionnelles dûment motivées par le médecin" — and the
        // decision must say how much.
        let dr = draft(&req)
            .entry(op(EXC, Decision::Accorde).motivation("Lenteur d'écriture majeure."))
            .build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, TIERS);
        assert!(f[0].blocks());
        assert!(f[0].message.contains("durée"), "{}", f[0].message);
        // The requested detail is inherited by an `accorde`.
        let with_amount = request().measure_detail(EXC, "la moitié du temps").build();
        let dr = draft(&with_amount)
            .entry(op(EXC, Decision::Accorde).motivation("Lenteur d'écriture majeure."))
            .build();
        assert!(fired(&eval(&with_amount, Some(&dr)), TIERS).is_empty());
        let dr = draft(&req).refuse(EXC).build();
        assert!(fired(&eval(&req, Some(&dr)), TIERS).is_empty());
        let dr = draft(&req).modifie(EXC, "temps_majore_tiers").build();
        assert!(fired(&eval(&req, Some(&dr)), TIERS).is_empty());
        let req = request().measure("temps_majore_tiers").build();
        assert!(fired(&eval(&req, None), TIERS).is_empty());
    }

    const SIMPL: &str = "procedure_simplifiee";

    #[test]
    fn simplified_procedure_beyond_third_warns() {
        let req = request()
            .procedure(Procedure::Simplifiee)
            .measure("pauses")
            .measure(EXC)
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, SIMPL).len(), 1);
        assert_eq!(fired(&f, SIMPL)[0].severity, Severity::Attention);
        let dr = draft(&req).accorde(EXC).build();
        assert_eq!(fired(&eval(&req, Some(&dr)), SIMPL).len(), 1);
    }

    #[test]
    fn simplified_procedure_quiet() {
        let req = request()
            .procedure(Procedure::Simplifiee)
            .measure("temps_majore_tiers")
            .build();
        assert!(fired(&eval(&req, None), SIMPL).is_empty());
        let req = request()
            .procedure(Procedure::Complete)
            .measure(EXC)
            .build();
        assert!(fired(&eval(&req, None), SIMPL).is_empty());
        let req = request().procedure(Procedure::Urgence).measure(EXC).build();
        assert!(fired(&eval(&req, None), SIMPL).is_empty());
        let req = request()
            .procedure(Procedure::Simplifiee)
            .measure(EXC)
            .build();
        let dr = draft(&req).modifie(EXC, "temps_majore_tiers").build();
        assert!(fired(&eval(&req, Some(&dr)), SIMPL).is_empty());
    }

    #[test]
    fn extra_time_for_orals_only_when_motivated() {
        // Seed 003: "Il convient donc de réserver l'octroi de temps
        // supplémentaire pour les épreuves orales à des situations bien
        // précises."
        const ORAL: &str = "temps_oral";
        let req = request().measure("temps_majore_tiers").build();
        let dr = draft(&req).accorde("temps_majore_tiers").build();
        let f = eval(&req, Some(&dr));
        let f = fired(&f, ORAL);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Attention);
        assert!(f[0].message.contains("oraux compris"));
        let dr = draft(&req)
            .entry(op("temps_majore_tiers", Decision::Accorde).epreuves(Epreuves::Orales))
            .build();
        assert_eq!(fired(&eval(&req, Some(&dr)), ORAL).len(), 1);
        for dr in [
            draft(&req)
                .entry(op("temps_majore_tiers", Decision::Accorde).epreuves(Epreuves::Ecrites))
                .build(),
            draft(&req)
                .entry(
                    op("temps_majore_tiers", Decision::Accorde)
                        .motivation("Débit de parole très lent."),
                )
                .build(),
            draft(&req).refuse("temps_majore_tiers").build(),
        ] {
            assert!(fired(&eval(&req, Some(&dr)), ORAL).is_empty());
        }
        // Preparation time for the orals is not extra time on the oral.
        let req = request().measure("temps_majore_preparation_oral").build();
        let dr = draft(&req).accorde("temps_majore_preparation_oral").build();
        assert!(fired(&eval(&req, Some(&dr)), ORAL).is_empty());
    }
}
