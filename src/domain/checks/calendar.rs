//! Checks on procedure and dates: `procedure_urgence`, `hors_delais`,
//! `deux_semaines`.

use chrono::NaiveDate;

use super::{date_fr, label, Ctx, Hit, MeasureState, Severity};
use crate::domain::catalogue::{DiplomaCode, MeasureCode};
use crate::domain::request::Procedure;

/// What the urgence procedure may grant (seed 003): extra time, access to
/// the rooms, material installation in the room (including a separate
/// room), breaks.
fn allowed_in_urgence(code: &MeasureCode) -> bool {
    code.is_extra_time()
        || matches!(
            code,
            MeasureCode::Pauses
                | MeasureCode::DebutDecale
                | MeasureCode::LocauxAccessibles
                | MeasureCode::InstallationMaterielle
                | MeasureCode::SalleParticuliere
        )
}

/// Under `urgence`, a measure other than time, rooms, installation or
/// breaks: attention when requested, bloquant when advised.
///
/// Seed 003 also says who may use it: "les candidats au BTS (pour lesquels
/// il n'existe pas de session de remplacement) ou les candidats au
/// baccalauréat qui ont opté pour une affectation hors Parcoursup ou à
/// l'étranger": another diploma gets an attention finding.
pub(super) fn procedure_urgence(ctx: &Ctx<'_>) -> Vec<Hit> {
    if ctx.request.procedure != Procedure::Urgence {
        return Vec::new();
    }
    let mut hits = Vec::new();
    let diploma = &ctx.request.exam.diploma;
    let eligible = matches!(
        diploma,
        DiplomaCode::Bts | DiplomaCode::BacGeneral | DiplomaCode::BacTechno | DiplomaCode::BacPro
    );
    if diploma.is_known() && !eligible {
        hits.push(Hit::new(
            Severity::Attention,
            format!(
                "Procédure d'urgence pour un candidat au diplôme « {} » : elle n'est ouverte qu'aux candidats au BTS et aux candidats au baccalauréat qui ont opté pour une affectation hors Parcoursup ou à l'étranger. Les autres candidats relèvent de la session de remplacement : vérifiez la procédure avec le rectorat.",
                crate::text::sanitize(diploma.label())
            ),
            None,
        ));
    }
    // For a bac, nothing in the request says whether the candidate is
    // outside Parcoursup: the doctor checks it; no finding.
    for code in ctx.codes() {
        if allowed_in_urgence(code) {
            continue;
        }
        let name = label(code);
        match ctx.state(code) {
            MeasureState::Advised(_) => hits.push(Hit::new(
                Severity::Bloquant,
                format!(
                    "Procédure d'urgence : « {name} » ne peut pas être accordé, seuls une majoration de temps, l'accès aux locaux, l'installation matérielle dans la salle ou des pauses le peuvent. Refusez cette mesure ou remplacez-la par l'une de celles-ci."
                ),
                Some(code),
            )),
            MeasureState::Requested => hits.push(Hit::new(
                Severity::Attention,
                format!(
                    "Procédure d'urgence : « {name} » est demandé, mais cette procédure ne permet qu'une majoration de temps, l'accès aux locaux, l'installation matérielle dans la salle ou des pauses. Refusez-la ou proposez l'une de celles-ci."
                ),
                Some(code),
            )),
            MeasureState::Resolved | MeasureState::Absent => {}
        }
    }
    hits
}

/// The request's épreuves anticipées of the baccalauréat and their first
/// day, if it names them.
fn anticipated_first(ctx: &Ctx<'_>) -> Option<(String, NaiveDate)> {
    let session = ctx.request.exam.anticipated_session.as_ref()?;
    let first = ctx.settings.anticipated_first_exam(session)?;
    Some((session.clone(), first))
}

fn is_agricultural(d: &DiplomaCode) -> bool {
    d.family() == Some(crate::domain::catalogue::DiplomaFamily::Agricultural)
}

fn is_general_or_techno_bac(d: &DiplomaCode) -> bool {
    matches!(
        d,
        DiplomaCode::BacGeneral | DiplomaCode::BacTechno | DiplomaCode::BacTechnoStav
    )
}

/// The request is marked late, or received after its diploma's deadline.
/// For a baccalauréat with épreuves anticipées still ahead at reception,
/// the deadline of the anticipated exams applies.
///
/// Agricultural exams (seed 004): the dossier must reach the autorité
/// académique *after the doctor's avis* by 31 December, so the deadline is
/// compared with the day of review, not the day of reception.
pub(super) fn hors_delais(ctx: &Ctx<'_>) -> Vec<Hit> {
    let req = ctx.request;
    if is_agricultural(&req.exam.diploma) {
        let deadline = ctx.settings.deadline(&req.exam.diploma, &req.exam.session);
        let message = match deadline {
            Some(limit) if ctx.is_past(limit) => format!(
                "Examen de l'enseignement agricole : le dossier devait parvenir à l'autorité académique, avec votre avis, au plus tard le {}. Rendez votre avis au plus vite et signalez le retard au rectorat (la DRAAF appréciera).",
                date_fr(limit)
            ),
            _ if req.late => "La demande est marquée hors délais : pour un examen agricole, le dossier doit parvenir à l'autorité académique, avec votre avis, au plus tard le 31 décembre. Vérifiez la date et rendez votre avis au plus vite.".to_string(),
            _ => return Vec::new(),
        };
        return vec![Hit::new(Severity::Attention, message, None)];
    }
    let received = req.received_at;
    let anticipated = if is_general_or_techno_bac(&req.exam.diploma) {
        // Still ahead (or starting) on the day of reception.
        anticipated_first(ctx)
            .filter(|(_, first)| received <= *first)
            .map(|(session, _)| session)
    } else {
        None
    };
    let deadline = match &anticipated {
        Some(session) => ctx.settings.anticipated_deadline(session),
        None => ctx.settings.deadline(&req.exam.diploma, &req.exam.session),
    };
    const WHAT_TO_DO: &str = "seul un handicap ou un trouble de santé apparu récemment peut être examiné. Vérifiez dans le dossier que c'est le cas et dites-le dans la motivation ; sinon, la demande relève d'un rejet pour tardiveté par le rectorat.";
    let message = match deadline {
        Some(limit) if received > limit => format!(
            "Demande reçue le {} après la date limite du {} : {WHAT_TO_DO}",
            date_fr(received),
            date_fr(limit)
        ),
        _ if req.late => format!("La demande est marquée hors délais : {WHAT_TO_DO}"),
        _ => return Vec::new(),
    };
    vec![Hit::new(Severity::Attention, message, None)]
}

/// The review happens less than two weeks before the exam, outside
/// `urgence` (and also once the exams have started).
///
/// Not for the agricultural exams (seed 004 has no such rule: their
/// deadline is on the avis, see [`hors_delais`]). For the BTS, which has no
/// session de remplacement (seed 003), the message offers none.
pub(super) fn deux_semaines(ctx: &Ctx<'_>) -> Vec<Hit> {
    let req = ctx.request;
    if req.procedure == Procedure::Urgence || is_agricultural(&req.exam.diploma) {
        return Vec::new();
    }
    let window = u64::from(ctx.settings.no_accommodation_days);
    let first = if is_general_or_techno_bac(&req.exam.diploma) {
        // The épreuves anticipées while still ahead (or starting) on the review day.
        match anticipated_first(ctx).filter(|(_, first)| !ctx.is_past(*first)) {
            Some((_, first)) => Some(first),
            None => ctx
                .settings
                .first_exam(&req.exam.diploma, &req.exam.session),
        }
    } else {
        ctx.settings
            .first_exam(&req.exam.diploma, &req.exam.session)
    };
    let Some(first) = first else {
        return Vec::new();
    };
    // Fewer than `window` days left: the review day is after the first
    // exam day less the window (always, when that day is before any date).
    let within = first
        .checked_sub_days(chrono::Days::new(window))
        .is_none_or(|last| ctx.is_past(last));
    if !within {
        return Vec::new();
    }
    let started = ctx.is_past(first);
    let message = if !started && req.exam.diploma == DiplomaCode::Bts {
        format!(
            "Les épreuves commencent le {}, dans moins de deux semaines : hors procédure d'urgence, aucun aménagement ne peut plus être accordé pour cette session, et le BTS n'a pas de session de remplacement. Seule la procédure d'urgence (temps, locaux, installation, pauses) le permettrait : voyez-le avec le rectorat et indiquez-le dans votre avis.",
            date_fr(first)
        )
    } else if !started {
        format!(
            "Les épreuves commencent le {}, dans moins de deux semaines : hors procédure d'urgence, aucun aménagement ne peut plus être accordé pour cette session, le candidat relève de la session de remplacement. Indiquez-le dans votre avis.",
            date_fr(first)
        )
    } else {
        format!(
            "Les épreuves de cette session ont commencé le {} : hors procédure d'urgence, aucun aménagement ne peut plus être accordé pour cette session. Vérifiez la session visée et indiquez-le dans votre avis.",
            date_fr(first)
        )
    };
    vec![Hit::new(Severity::Attention, message, None)]
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{evaluate, CampaignSettings, Severity};
    use crate::domain::request::Procedure;

    const URG: &str = "procedure_urgence";

    #[test]
    fn urgence_requested_scribe_or_computer_warns() {
        let req = request()
            .procedure(Procedure::Urgence)
            .diploma("bts")
            .measure("temps_majore_tiers")
            .measure("secretaire_scripteur")
            .measure_detail("ordinateur", "Traitement de texte")
            .build();
        let f = eval(&req, None);
        let f = fired(&f, URG);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.severity == Severity::Attention));
        assert!(f[0].message.contains("Secrétaire scripteur"));
    }

    #[test]
    fn urgence_advised_blocks_even_when_added_or_modified_into() {
        let req = request()
            .procedure(Procedure::Urgence)
            .measure("secretaire_scripteur")
            .build();
        let dr = draft(&req).accorde("secretaire_scripteur").build();
        let f = eval(&req, Some(&dr));
        assert!(fired(&f, URG)[0].blocks());
        let req = request()
            .procedure(Procedure::Urgence)
            .measure("temps_majore_tiers")
            .build();
        let dr = draft(&req)
            .modifie("temps_majore_tiers", "sujet_agrandi_a3")
            .build();
        let f = eval(&req, Some(&dr));
        assert_eq!(fired(&f, URG).len(), 1);
        assert_eq!(fired(&f, URG)[0].severity, Severity::Bloquant);
        let dr = draft(&req)
            .accorde("temps_majore_tiers")
            .ajoute("calculatrice")
            .build();
        assert_eq!(
            fired(&eval(&req, Some(&dr)), URG)[0].severity,
            Severity::Bloquant
        );
    }

    #[test]
    fn urgence_quiet_for_allowed_measures_refusals_and_other_procedures() {
        let req = request()
            .procedure(Procedure::Urgence)
            .measure("temps_majore_tiers")
            .measure("pauses")
            .measure("locaux_accessibles")
            .measure("installation_materielle")
            .measure("salle_particuliere")
            .build();
        assert!(fired(&eval(&req, None), URG).is_empty());
        let req = request()
            .procedure(Procedure::Urgence)
            .measure("secretaire_scripteur")
            .build();
        let dr = draft(&req).refuse("secretaire_scripteur").build();
        assert!(fired(&eval(&req, Some(&dr)), URG).is_empty());
        let dr = draft(&req)
            .modifie("secretaire_scripteur", "temps_majore_tiers")
            .build();
        assert!(fired(&eval(&req, Some(&dr)), URG).is_empty());
        for p in [Procedure::Complete, Procedure::Simplifiee] {
            let req = request()
                .procedure(p)
                .measure("secretaire_scripteur")
                .build();
            assert!(fired(&eval(&req, None), URG).is_empty());
        }
    }

    const LATE: &str = "hors_delais";

    #[test]
    fn late_flag_or_after_deadline_warns() {
        let req = request().late().build();
        let f = eval(&req, None);
        assert_eq!(fired(&f, LATE).len(), 1);
        assert_eq!(fired(&f, LATE)[0].severity, Severity::Attention);
        // Bac général terminal: 20 November of the year before the session.
        let req = request().received(d(2026, 11, 21)).build();
        let f = eval(&req, None);
        assert!(fired(&f, LATE)[0].message.contains("20/11/2026"));
        // BTS: 15 November; bac pro: 29 November; other pro: 22 November; DNB: 20 December.
        for (diploma, late_day) in [
            ("bts", d(2026, 11, 16)),
            ("bac_pro", d(2026, 11, 30)),
            ("cap", d(2026, 11, 23)),
            ("mc", d(2026, 11, 23)),
            ("dnb", d(2026, 12, 21)),
            ("cfg", d(2026, 12, 21)),
        ] {
            let req = request().diploma(diploma).received(late_day).build();
            assert_eq!(fired(&eval(&req, None), LATE).len(), 1, "{diploma}");
        }
        // Seed 004: the dossier reaches the autorité académique "après avis
        // du médecin désigné par la CDAPH […] au plus tard le 31 décembre":
        // for agricultural exams the day of the avis counts, not reception.
        let req = request().diploma("btsa").received(d(2027, 1, 1)).build();
        assert!(fired(&eval(&req, None), LATE).is_empty());
        let f = eval_on(&req, None, d(2027, 1, 2));
        assert!(fired(&f, LATE)[0].message.contains("31/12/2026"));
    }

    #[test]
    fn on_deadline_day_is_not_late() {
        for (diploma, day) in [
            ("bac_general", d(2026, 11, 20)),
            ("bac_techno", d(2026, 11, 20)),
            ("bts", d(2026, 11, 15)),
            ("bac_pro", d(2026, 11, 29)),
            ("cap", d(2026, 11, 22)),
            ("dnb", d(2026, 12, 20)),
            ("capa", d(2026, 12, 31)),
        ] {
            let req = request().diploma(diploma).received(day).build();
            assert!(fired(&eval(&req, None), LATE).is_empty(), "{diploma}");
        }
        // Unknown diploma, unreadable session: only the flag counts.
        let req = request()
            .diploma("diplome_futur")
            .received(d(2027, 5, 1))
            .build();
        assert!(fired(&eval(&req, None), LATE).is_empty());
    }

    #[test]
    fn anticipated_exams_ahead_use_their_own_deadline() {
        // Première in 2026-27: anticipated 2027 (deadline 6 Dec 2026), terminal 2028.
        let req = request()
            .session("2028")
            .anticipated("2027")
            .received(d(2026, 12, 6))
            .build();
        assert!(fired(&eval(&req, None), LATE).is_empty());
        let req = request()
            .session("2028")
            .anticipated("2027")
            .received(d(2026, 12, 7))
            .build();
        assert_eq!(fired(&eval(&req, None), LATE).len(), 1);
        // Terminale: the anticipated exams are past, the terminal deadline applies.
        let req = request()
            .session("2027")
            .anticipated("2026")
            .received(d(2026, 11, 25))
            .build();
        assert_eq!(fired(&eval(&req, None), LATE).len(), 1);
    }

    #[test]
    fn deadlines_overridable_per_session() {
        let s: CampaignSettings =
            serde_json::from_str(r#"{"session_deadlines": {"2027": {"bts": "2026-11-30"}}}"#)
                .unwrap();
        let req = request().diploma("bts").received(d(2026, 11, 20)).build();
        assert!(fired(&evaluate(&req, None, today(), &s), LATE).is_empty());
        assert_eq!(fired(&eval(&req, None), LATE).len(), 1);
    }

    const TWO: &str = "deux_semaines";

    #[test]
    fn less_than_two_weeks_before_the_exam_warns() {
        let req = request().build();
        // Bac: first exam 15 June 2027 by default.
        let f = eval_on(&req, None, d(2027, 6, 2));
        assert_eq!(fired(&f, TWO).len(), 1);
        assert_eq!(fired(&f, TWO)[0].severity, Severity::Attention);
        let f = eval_on(&req, None, d(2027, 6, 20));
        assert!(fired(&f, TWO)[0].message.contains("ont commencé"));
        // DNB: 26 June.
        let req = request().diploma("dnb").build();
        assert_eq!(fired(&eval_on(&req, None, d(2027, 6, 13)), TWO).len(), 1);
        // Anticipated exams ahead.
        let req = request().session("2028").anticipated("2027").build();
        assert_eq!(fired(&eval_on(&req, None, d(2027, 6, 10)), TWO).len(), 1);
    }

    #[test]
    fn two_weeks_quiet() {
        let req = request().build();
        // Exactly 14 days before: quiet.
        assert!(fired(&eval_on(&req, None, d(2027, 6, 1)), TWO).is_empty());
        assert!(fired(&eval(&req, None), TWO).is_empty());
        let req = request().procedure(Procedure::Urgence).build();
        assert!(fired(&eval_on(&req, None, d(2027, 6, 10)), TWO).is_empty());
        let req = request().diploma("dnb").build();
        assert!(fired(&eval_on(&req, None, d(2027, 6, 12)), TWO).is_empty());
        // A première whose anticipated exams passed: terminal exams a year later.
        let req = request().session("2028").anticipated("2027").build();
        assert!(fired(&eval_on(&req, None, d(2027, 9, 1)), TWO).is_empty());
    }

    #[test]
    fn first_exam_date_is_a_setting() {
        let s: CampaignSettings =
            serde_json::from_str(r#"{"session_first_exams": {"2027": {"*": "2027-05-20"}}}"#)
                .unwrap();
        let req = request().build();
        assert_eq!(
            fired(&evaluate(&req, None, d(2027, 5, 10), &s), TWO).len(),
            1
        );
        assert!(fired(&eval_on(&req, None, d(2027, 5, 10)), TWO).is_empty());
    }

    #[test]
    fn urgence_is_for_bts_and_bac_candidates_only() {
        // Seed 003: "pour les candidats au BTS (pour lesquels il n'existe pas
        // de session de remplacement) ou les candidats au baccalauréat qui
        // ont opté pour une affectation hors Parcoursup ou à l'étranger".
        let req = request()
            .diploma("cap")
            .procedure(Procedure::Urgence)
            .measure("temps_majore_tiers")
            .build();
        let f = eval(&req, None);
        let f = fired(&f, URG);
        assert_eq!(f.len(), 1);
        assert!(f[0].measure.is_none());
        assert!(f[0].message.contains("BTS") && f[0].message.contains("Parcoursup"));
        for diploma in ["bts", "bac_general", "bac_techno", "bac_pro"] {
            let req = request()
                .diploma(diploma)
                .procedure(Procedure::Urgence)
                .measure("temps_majore_tiers")
                .build();
            assert!(fired(&eval(&req, None), URG).is_empty(), "{diploma}");
        }
    }

    #[test]
    fn two_weeks_for_a_bts_offers_no_replacement_session() {
        // Seed 003: the BTS, "pour lesquels il n'existe pas de session de
        // remplacement".
        let req = request().diploma("bts").build();
        let f = eval_on(&req, None, d(2027, 5, 10));
        let f = fired(&f, "deux_semaines");
        assert_eq!(f.len(), 1);
        assert!(!f[0]
            .message
            .contains("relève de la session de remplacement"));
        assert!(f[0].message.contains("pas de session de remplacement"));
        let req = request().diploma("bac_general").build();
        let f = eval_on(&req, None, d(2027, 6, 10));
        assert!(fired(&f, "deux_semaines")[0]
            .message
            .contains("relève de la session de remplacement"));
    }

    #[test]
    fn agricultural_exams_have_no_two_week_rule() {
        // Seed 004 sets the deadline on the avis (31 December), with no
        // two-week rule of the Éducation nationale.
        for diploma in ["bac_pro_agricole", "capa", "btsa", "bp_agricole"] {
            let req = request().diploma(diploma).build();
            let f = eval_on(&req, None, d(2027, 6, 10));
            assert!(fired(&f, "deux_semaines").is_empty(), "{diploma}");
        }
    }
}
