//! Checks on the request form itself: `mesure_non_prevue`, `precisez`.

use super::{label, Ctx, Hit, MeasureState, Severity};

/// A measure not provided for this diploma (attention), or a code this
/// catalogue does not know (info: the rectorat's catalogue may be newer).
pub(super) fn mesure_non_prevue(ctx: &Ctx<'_>) -> Vec<Hit> {
    let diploma = &ctx.request.exam.diploma;
    let mut hits = Vec::new();
    for code in ctx.codes() {
        if matches!(
            ctx.state(code),
            MeasureState::Resolved | MeasureState::Absent
        ) {
            continue;
        }
        let name = label(code);
        if !code.is_known() {
            hits.push(Hit::new(
                Severity::Info,
                format!(
                    "Le code de mesure « {name} » n'est pas connu de ce catalogue (celui du rectorat est peut-être plus récent) : lisez la demande telle quelle et, au besoin, demandez au rectorat ce qu'il recouvre."
                ),
                Some(code),
            ));
        } else if !code.applies_to(diploma) {
            hits.push(Hit::new(
                Severity::Attention,
                format!(
                    "« {name} » n'est pas prévu par la réglementation de ce diplôme ({}) : refusez cette mesure ou proposez-en une qui l'est.",
                    crate::text::sanitize(diploma.label())
                ),
                Some(code),
            ));
        }
    }
    hits
}

/// A \[précisez\] measure without its detail: attention when requested so,
/// bloquant when advised so (an `accorde` takes the requested detail).
pub(super) fn precisez(ctx: &Ctx<'_>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    for code in ctx.codes() {
        if !code.needs_detail() {
            continue;
        }
        let requested_detail = ctx.requested(code).and_then(|r| r.detail.as_deref());
        let name = label(code);
        match ctx.state(code) {
            MeasureState::Advised(_) => {
                let missing = ctx.grants(code).iter().any(|e| {
                    let inherited = if &e.code == code {
                        requested_detail
                    } else {
                        None
                    };
                    blank(e.detail.as_deref()) && blank(inherited)
                });
                if missing {
                    hits.push(Hit::new(
                        Severity::Bloquant,
                        format!(
                            "« {name} » est proposé sans préciser les logiciels autorisés : la décision doit les nommer. Précisez-les dans le détail de la mesure."
                        ),
                        Some(code),
                    ));
                }
            }
            MeasureState::Requested if blank(requested_detail) => hits.push(Hit::new(
                Severity::Attention,
                format!(
                    "« {name} » est demandé sans préciser les logiciels : précisez-les dans votre avis si vous l'accordez, ou demandez-les."
                ),
                Some(code),
            )),
            _ => {}
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::Severity;
    use crate::domain::opinion::Decision;

    const NP: &str = "mesure_non_prevue";

    #[test]
    fn measure_not_for_this_diploma_warns() {
        let req = request()
            .diploma("bac_general")
            .measure("dnb_dictee_adaptee")
            .build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, NP).len(), 1);
        assert_eq!(fired(&f, NP)[0].severity, Severity::Attention);
        let req = request().diploma("dnb").measure("dispense_lv2").build();
        let dr = draft(&req).accorde("dispense_lv2").build();
        assert_eq!(
            fired(&eval(&req, Some(&dr)), NP)[0].severity,
            Severity::Attention
        );
        let req = request().diploma("bts").build();
        let dr = draft(&req).ajoute("quatrieme_ecoute").build();
        assert_eq!(fired(&eval(&req, Some(&dr)), NP).len(), 1);
    }

    #[test]
    fn unknown_code_is_info_and_kept_verbatim() {
        let req = request().measure("mesure_2030_inedite").build();
        let f = eval(&req, None);
        let f = fired(&f, NP);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].measure.as_ref().unwrap().code(), "mesure_2030_inedite");
        assert!(f[0].message.contains("mesure_2030_inedite"));
        // Hostile codes are shown, not interpreted.
        let req = request().measure("x\u{1b}]0;t\u{7}").build();
        let f = eval(&req, None);
        assert!(!fired(&f, NP)[0].message.contains('\u{1b}'));
    }

    #[test]
    fn measure_not_provided_quiet() {
        let req = request()
            .diploma("dnb")
            .measure("dnb_dictee_adaptee")
            .build();
        assert!(fired(&eval(&req, None), NP).is_empty());
        let req = request()
            .diploma("bac_general")
            .measure("dnb_dictee_adaptee")
            .build();
        let dr = draft(&req).refuse("dnb_dictee_adaptee").build();
        assert!(fired(&eval(&req, Some(&dr)), NP).is_empty());
        let req = request()
            .diploma("diplome_futur")
            .measure("dnb_dictee_adaptee")
            .build();
        assert!(fired(&eval(&req, None), NP).is_empty());
        let req = request()
            .diploma("bac_techno")
            .measure("dispense_lv_oral")
            .build();
        assert!(fired(&eval(&req, None), NP).is_empty());
    }

    const PREC: &str = "precisez";

    #[test]
    fn missing_detail_warns_then_blocks() {
        let req = request().measure("ordinateur").build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, PREC)[0].severity, Severity::Attention);
        let dr = draft(&req).accorde("ordinateur").build();
        assert_eq!(
            fired(&eval(&req, Some(&dr)), PREC)[0].severity,
            Severity::Bloquant
        );
        let req = request()
            .measure_detail("logiciels_specifiques", "  ")
            .build();
        assert_eq!(fired(&eval(&req, None), PREC).len(), 1);
        let req = request().measure("secretaire_scripteur").build();
        let dr = draft(&req)
            .modifie("secretaire_scripteur", "ordinateur")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), PREC)[0].blocks());
    }

    #[test]
    fn detail_given_somewhere_is_quiet() {
        let req = request()
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        assert!(fired(&eval(&req, None), PREC).is_empty());
        let dr = draft(&req).accorde("ordinateur").build();
        assert!(fired(&eval(&req, Some(&dr)), PREC).is_empty());
        let req = request().measure("ordinateur").build();
        let dr = draft(&req)
            .entry(op("ordinateur", Decision::Accorde).detail("Synthèse vocale"))
            .build();
        assert!(fired(&eval(&req, Some(&dr)), PREC).is_empty());
        let dr = draft(&req).refuse("ordinateur").build();
        assert!(fired(&eval(&req, Some(&dr)), PREC).is_empty());
        let req = request().measure("calculatrice").build();
        assert!(fired(&eval(&req, None), PREC).is_empty());
    }
}
