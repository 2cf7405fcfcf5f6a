//! Checks on extra time: `temps_au_dela_du_tiers`, `procedure_simplifiee`.

use super::{Ctx, Hit, MeasureState, Severity};
use crate::domain::catalogue::MeasureCode;
use crate::domain::request::Procedure;

/// More than a third of extra time: attention when requested; bloquant
/// when advised without a motivation on that measure.
pub(super) fn temps_au_dela_du_tiers(ctx: &Ctx<'_>) -> Vec<Hit> {
    let code = &MeasureCode::TempsMajoreExceptionnel;
    match ctx.state(code) {
        MeasureState::Advised(entry) => {
            let motivated = entry
                .motivation
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty());
            if motivated {
                return Vec::new();
            }
            vec![Hit::new(
                Severity::Bloquant,
                "Une majoration au-delà du tiers est proposée sans motivation : elle n'est possible que dans une situation exceptionnelle dûment motivée par le médecin. Motivez cette mesure, ou proposez le tiers temps.".to_string(),
                Some(code),
            )]
        }
        MeasureState::Requested => vec![Hit::new(
            Severity::Attention,
            "Une majoration au-delà du tiers est demandée : le tiers temps est un maximum, sauf situation exceptionnelle. Accordez-la en la motivant, ou proposez le tiers temps.".to_string(),
            Some(code),
        )],
        MeasureState::Resolved | MeasureState::Absent => Vec::new(),
    }
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
    use crate::domain::opinion::Decision;
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
                    .motivation("Lenteur d'écriture majeure, fatigabilité en fin d'épreuve."),
            )
            .build();
        assert!(fired(&eval(&req, Some(&dr)), TIERS).is_empty());
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
}
