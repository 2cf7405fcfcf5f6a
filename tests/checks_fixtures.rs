//! Every regulatory rule fires on its fixture (fixtures/CHECKS.md) and the
//! clean fixtures fire nothing, with the default campaign settings, on the
//! review date the fixtures assume.

use std::path::Path;

use avis::domain::checks::{evaluate, CampaignSettings, Finding, Severity};
use avis::domain::{Draft, Opinion, Request};
use chrono::NaiveDate;

fn review_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn request(id: &str) -> Request {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/requests")
        .join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn opinion(id: &str) -> Opinion {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/opinions")
        .join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn findings(id: &str, with_opinion: bool) -> Vec<Finding> {
    let request = request(id);
    let draft = with_opinion.then(|| Draft {
        opinion: opinion(id),
        private_notes: String::new(),
        overrides: Vec::new(),
        written_against_older_version: false,
        paper_documents: Vec::new(),
    });
    evaluate(
        &request,
        draft.as_ref(),
        review_date(),
        &CampaignSettings::default(),
    )
}

fn fired(id: &str, with_opinion: bool) -> Vec<(String, Severity)> {
    findings(id, with_opinion)
        .into_iter()
        .map(|f| (f.rule, f.severity))
        .collect()
}

fn assert_fires(id: &str, rule: &str, severity: Severity, with_opinion: bool) {
    let fired = fired(id, with_opinion);
    assert!(
        fired.iter().any(|(r, s)| r == rule && *s == severity),
        "{id}: expected {rule} ({severity:?}), got {fired:?}"
    );
}

#[test]
fn each_request_rule_fires_on_its_fixture() {
    use Severity::*;
    let cases: &[(&str, &str, Severity)] = &[
        ("AMX-2027-000010", "bilan_orthophonique", Bloquant),
        ("AMX-2027-000011", "bilan_orthophonique", Bloquant),
        ("AMX-2027-000013", "bilan_orthophonique", Bloquant),
        ("AMX-2027-000014", "dossier_medical_recent", Attention),
        ("AMX-2027-000015", "temps_au_dela_du_tiers", Attention),
        ("AMX-2027-000028", "temps_au_dela_du_tiers", Attention),
        ("AMX-2027-000016", "pratique_en_scolarite", Attention),
        ("AMX-2027-000018", "pratique_en_scolarite", Attention),
        ("AMX-2027-000018", "procedure_urgence", Attention),
        ("AMX-2027-000018", "hors_delais", Attention),
        ("AMX-2027-000019", "hors_delais", Attention),
        ("AMX-2027-000020", "hors_delais", Attention),
        ("AMX-2027-000021", "lsf_langue_vivante", Attention),
        ("AMX-2027-000022", "agrandissement", Attention),
        ("AMX-2027-000023", "agrandissement", Attention),
        ("AMX-2027-000023", "mesure_non_prevue", Attention),
        ("AMX-2027-000024", "mesure_non_prevue", Info),
        ("AMX-2027-000025", "precisez", Attention),
        ("AMX-2027-000026", "pieces_pedagogiques", Attention),
        // Seed 000: hors-contrat candidates join bulletins and devoirs.
        ("AMX-2027-000016", "pieces_pedagogiques", Attention),
        ("AMX-2027-000027", "decision_anterieure", Info),
        ("AMX-2027-000028", "procedure_simplifiee", Attention),
        ("AMX-2027-000029", "correcteur_orthographique", Attention),
    ];
    for (id, rule, severity) in cases {
        assert_fires(id, rule, *severity, false);
    }
}

#[test]
fn avis_rules_fire_on_their_sample_opinions() {
    use Severity::*;
    assert_fires("AMX-2027-000002", "motivation_medicale", Bloquant, true);
    assert_fires("AMX-2027-000015", "temps_au_dela_du_tiers", Bloquant, true);
    assert_fires("AMX-2027-000018", "procedure_urgence", Bloquant, true);
    // CAP: large print is possible in the general domains, so granting it
    // without that restriction is worth attention, not a block.
    assert_fires("AMX-2027-000022", "agrandissement", Attention, true);
}

#[test]
fn granting_large_print_for_a_bts_blocks() {
    let request = request("AMX-2027-000023");
    let mut draft = Draft::new_for(&request);
    draft.opinion.measures = request
        .requested_measures
        .iter()
        .map(|m| avis::domain::MeasureOpinion {
            code: m.code.clone(),
            decision: avis::domain::Decision::Accorde,
            granted: None,
            detail: m.detail.clone(),
            epreuves: Default::default(),
            motivation: None,
        })
        .collect();
    let fired = evaluate(
        &request,
        Some(&draft),
        review_date(),
        &CampaignSettings::default(),
    );
    assert!(
        fired
            .iter()
            .any(|f| f.rule == "agrandissement" && f.severity == Severity::Bloquant),
        "{fired:?}"
    );
}

#[test]
fn avis_resolve_their_checks() {
    // The incomplet avis listing the bilan resolves bilan_orthophonique.
    assert!(!fired("AMX-2027-000010", true)
        .iter()
        .any(|(r, _)| r == "bilan_orthophonique"));
    // Restricting LSF to other épreuves resolves lsf_langue_vivante.
    assert!(!fired("AMX-2027-000021", true)
        .iter()
        .any(|(r, _)| r == "lsf_langue_vivante"));
}

#[test]
fn deux_semaines_fires_close_to_the_exam_outside_urgence() {
    let settings = CampaignSettings::default();
    let close = NaiveDate::from_ymd_opt(2027, 6, 10).unwrap();
    let normal = request("AMX-2027-000001");
    let fired: Vec<_> = evaluate(&normal, None, close, &settings);
    assert!(fired.iter().any(|f| f.rule == "deux_semaines"));
    let urgent = request("AMX-2027-000030");
    let fired: Vec<_> = evaluate(&urgent, None, close, &settings);
    assert!(!fired.iter().any(|f| f.rule == "deux_semaines"));
}

#[test]
fn a_bilan_under_two_years_is_enough() {
    // Seed 003: "pas plus de 2 ans ou accompagné d'un point d'évolution
    // datant de moins d'un an" — 000012's bilan of 2025-03-20 is enough.
    assert!(!fired("AMX-2027-000012", false)
        .iter()
        .any(|(r, _)| r == "bilan_orthophonique"));
}

#[test]
fn clean_fixtures_fire_nothing() {
    let clean = (1..=9).chain(31..=39);
    for n in clean {
        let id = format!("AMX-2027-{n:06}");
        let fired = fired(&id, false);
        assert!(fired.is_empty(), "{id} should be clean, got {fired:?}");
    }
}
