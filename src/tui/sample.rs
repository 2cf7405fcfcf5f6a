//! Synthetic data (fictitious people) to drive the UI in tests and
//! benchmarks without a store: summaries, a full request, a request whose
//! every text field is hostile (escape sequences, a title-setting sequence,
//! bidirectional overrides).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::checks::{Finding, Severity};
use crate::domain::request::{
    Candidate, DocumentRef, Establishment, Exam, PreviousDecision, RequestedMeasure, Schooling,
};
use crate::domain::{
    DiplomaCode, DocumentCategory, MeasureCode, Procedure, Request, Status, TroubleCode,
};
use crate::store::{JournalEvent, RequestRecord, RequestSummary};

use super::worker::LoadedRequest;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

const LAST: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Étienne",
];
const FIRST: &[&str] = &[
    "Léa", "Hugo", "Chloé", "Lucas", "Inès", "Jules", "Manon", "Louis", "Zoé", "Gabriel",
];

/// `n` inbox lines with varied names, diplomas, statuses and dates.
pub fn summaries(n: usize) -> Vec<RequestSummary> {
    let diplomas = [
        DiplomaCode::BacGeneral,
        DiplomaCode::Dnb,
        DiplomaCode::Bts,
        DiplomaCode::BacPro,
        DiplomaCode::Cap,
    ];
    let statuses = [
        Status::ATraiter,
        Status::ATraiter,
        Status::Brouillon,
        Status::Valide,
        Status::Exporte,
    ];
    let troubles = [
        TroubleCode::DyslexieDysorthographie,
        TroubleCode::Tdah,
        TroubleCode::DeficienceVisuelle,
        TroubleCode::MaladieChronique,
    ];
    let measures = [
        MeasureCode::TempsMajoreTiers,
        MeasureCode::Ordinateur,
        MeasureCode::SalleParticuliere,
        MeasureCode::SujetAgrandiA3,
    ];
    (0..n)
        .map(|i| RequestSummary {
            id: format!("AMX-2026-{:06}", 100 + i),
            candidate: format!(
                "{} {}",
                LAST[i % LAST.len()].to_uppercase(),
                FIRST[(i / 3) % FIRST.len()]
            ),
            diploma: diplomas[i % diplomas.len()].clone(),
            session: if i % 7 == 0 {
                "2028".into()
            } else {
                "2027".into()
            },
            procedure: if i % 5 == 0 {
                Procedure::Simplifiee
            } else {
                Procedure::Complete
            },
            late: i % 9 == 4,
            received_at: date(2026, 10, 1) + chrono::Duration::days((i * 7 % 50) as i64),
            status: statuses[i % statuses.len()],
            alerts: i % 4,
            alerts_pending: false,
            troubles: vec![troubles[i % troubles.len()].clone()],
            measures: vec![
                measures[i % measures.len()].clone(),
                measures[(i + 1) % measures.len()].clone(),
            ],
            review: None,
        })
        .collect()
}

/// A complete request with documents, previous decisions and journal.
pub fn loaded_request() -> LoadedRequest {
    build(false)
}

/// The same request where every untrusted text carries escape sequences,
/// a title-setting sequence and bidirectional overrides.
pub fn hostile_request() -> LoadedRequest {
    build(true)
}

/// A hostile inbox line.
pub fn hostile_summary() -> RequestSummary {
    let mut s = summaries(1).remove(0);
    s.id = format!("{}\x1b[2J", s.id);
    s.candidate = "EVIL\x1b]0;titre pirate\x07 \u{202E}enilonaM\u{202C}".into();
    s.session = "2027\u{2066}\u{9b}31m".into();
    s
}

/// Hostile variants of a piece of text.
fn h(s: &str, hostile: bool) -> String {
    if hostile {
        format!(
            "{s}\x1b[31m\x1b]0;titre pirate\x07\u{202E}sredro\u{202C}\u{2067}x\u{2069}\r\x7f\u{9b}"
        )
    } else {
        s.to_string()
    }
}

fn build(hostile: bool) -> LoadedRequest {
    let id = h("AMX-2026-000123", hostile);
    let request = Request {
        id: id.clone(),
        version: 2,
        received_at: date(2026, 11, 2),
        late: false,
        procedure: Procedure::Complete,
        candidate: Candidate {
            last_name: h("Martin", hostile),
            first_name: h("Léa", hostile),
            birth_date: date(2009, 3, 14),
            email: Some(h("lea.martin@example.org", hostile)),
            legal_representative: Some(h("Claire Martin", hostile)),
        },
        exam: Exam {
            diploma: DiplomaCode::BacGeneral,
            label: h("Baccalauréat général", hostile),
            level: Some(h("Terminale", hostile)),
            track: Some(h("Mathématiques, SES", hostile)),
            session: h("2027", hostile),
            anticipated_session: None,
        },
        schooling: Schooling {
            kind: h("Établissement public", hostile),
            academy: h("Aix-Marseille", hostile),
            establishment: Some(Establishment {
                uai: h("0130001A", hostile),
                name: h("Lycée Thiers", hostile),
                city: h("Marseille", hostile),
            }),
        },
        supports: vec![h("PAP", hostile), h("AESH", hostile)],
        troubles: if hostile {
            vec![
                TroubleCode::DyslexieDysorthographie,
                TroubleCode::Other(h("trouble_inconnu", true)),
            ]
        } else {
            vec![TroubleCode::DyslexieDysorthographie, TroubleCode::Tdah]
        },
        requested_measures: vec![
            RequestedMeasure {
                code: MeasureCode::TempsMajoreTiers,
                detail: None,
            },
            RequestedMeasure {
                code: MeasureCode::Ordinateur,
                detail: Some(h("Traitement de texte, synthèse vocale", hostile)),
            },
            RequestedMeasure {
                code: if hostile {
                    MeasureCode::Other(h("mesure_inconnue", true))
                } else {
                    MeasureCode::SalleParticuliere
                },
                detail: None,
            },
        ],
        comments: Some(h(
            "Je lis lentement et je me fatigue vite.\nMerci de tenir compte de mon PAP.",
            hostile,
        )),
        documents: vec![
            DocumentRef {
                sha256: "a".repeat(64),
                filename: h("bilan-orthophonique.pdf", hostile),
                media_type: "application/pdf".into(),
                category: DocumentCategory::BilanOrthophonique,
                date: Some(date(2025, 6, 10)),
                pages: Some(4),
            },
            DocumentRef {
                sha256: "b".repeat(64),
                filename: h("pap-2026.jpg", hostile),
                media_type: "image/jpeg".into(),
                category: if hostile {
                    DocumentCategory::Other(h("categorie_inconnue", true))
                } else {
                    DocumentCategory::Pap
                },
                date: Some(date(2026, 9, 20)),
                pages: None,
            },
        ],
        previous_decisions: vec![PreviousDecision {
            session: h("2025", hostile),
            diploma: DiplomaCode::Dnb,
            measures: vec![MeasureCode::TempsMajoreTiers, MeasureCode::Ordinateur],
        }],
    };
    let at: DateTime<Utc> = DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    LoadedRequest {
        record: RequestRecord {
            request,
            sha256: "c".repeat(64),
            bundle_id: h("lot-2026-11-02", hostile),
            issuer_name: h("Rectorat d'Aix-Marseille", hostile),
            versions: vec![1, 2],
        },
        status: Status::ATraiter,
        draft: None,
        findings: vec![
            Finding {
                rule: "bilan_orthophonique".into(),
                severity: Severity::Bloquant,
                message: h(
                    "Le bilan orthophonique a plus d'un an : demandez un point d'évolution ou déclarez le dossier incomplet.",
                    hostile,
                ),
                measure: None,
                overridden: false,
            },
            Finding {
                rule: "pratique_en_scolarite".into(),
                severity: Severity::Attention,
                message: h(
                    "Ordinateur demandé : vérifiez qu'il est utilisé pendant la scolarité.",
                    hostile,
                ),
                measure: Some(MeasureCode::Ordinateur),
                overridden: false,
            },
        ],
        journal: vec![JournalEvent {
            seq: 1,
            at,
            kind: h("import", hostile),
            request_id: Some(id),
            detail: h("demande importée (version 2)", hostile),
        }],
    }
}
