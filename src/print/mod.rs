//! The printed papers of an avis, as accessible PDF (A4, tagged, text as
//! text, DejaVu Sans embedded):
//! - [`avis_pdf`]: the avis médical the candidate downloads and the
//!   décision follows (seed 000);
//! - [`dger_pdf`]: for the agricultural exams, the ministry's form
//!   (note de service DGER/SDPFE/2018-327, seed 004), whose columns 1 and 2
//!   come from the request and column 3 and back cover are the avis.
//!
//! Both are built from the exported avis ([`Opinion`]) and, when there is
//! one, the request: never from the draft, so never a private note; and the
//! request's troubles, comments and pièces are never printed (no
//! diagnosis). Every text from outside is cleaned of control characters.

use sha2::{Digest, Sha256};

use crate::domain::{Decision, DiplomaFamily, MeasureOpinion, Opinion, Outcome, Request};

mod dger;
mod layout;
pub mod output;
mod papers;

pub use layout::{Block, A4_HEIGHT, A4_WIDTH};
pub use papers::{exported_ids, papers, Paper, PaperError};

/// Why a paper could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    #[error("police de caractères intégrée illisible")]
    Font,
    #[error("écriture du PDF impossible ({0})")]
    Pdf(String),
    #[error("le formulaire DGER ne vaut que pour les examens de l'enseignement agricole : la demande {0} porte sur un autre diplôme ; imprimez l'avis médical")]
    NotAgricultural(String),
    #[error("le formulaire DGER reprend la demande (colonnes 1 et 2) : la demande {0} n'est pas disponible")]
    NoRequest(String),
}

/// What a paper is made of.
#[derive(Debug, Clone, Copy)]
pub struct AvisInput<'a> {
    /// The avis as exported.
    pub opinion: &'a Opinion,
    /// The exact bytes of `opinions/<id>.json` (their SHA-256 is printed).
    pub opinion_json: &'a [u8],
    /// The request, when the printer has it (the doctor does; the rectorat
    /// may not).
    pub request: Option<&'a Request>,
    /// Fingerprint of the doctor's signing key.
    pub signer_fingerprint: Option<&'a str>,
}

/// Untrusted text, made printable (no control or bidi characters).
pub(crate) fn clean(text: &str) -> String {
    crate::text::sanitize_multiline(text)
        .chars()
        .filter(|c| *c == '\n' || !crate::text::is_dangerous(*c))
        .collect()
}

/// Whether the diploma is one of the agricultural catalogue (the DGER form).
pub fn is_agricultural(request: &Request) -> bool {
    request.exam.diploma.family() == Some(DiplomaFamily::Agricultural)
}

/// A file name for the paper of request `id` (`avis-<id>.pdf`): only
/// letters, digits, `-` and `_` are kept from the id.
pub fn file_name(prefix: &str, id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let safe = if safe.is_empty() {
        "demande".into()
    } else {
        safe
    };
    format!("{prefix}-{safe}.pdf")
}

fn date_fr(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The decision on one measure, in words (`Accordé`, `Modifié : …`).
pub(crate) fn decision_text(entry: &MeasureOpinion) -> String {
    let mut text = entry.decision.label().to_string();
    if entry.decision == Decision::Modifie {
        if let Some(granted) = entry.granted.as_ref().filter(|g| **g != entry.code) {
            text.push_str(&format!(" : {}", clean(granted.label())));
        }
    }
    if let Some(detail) = entry.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        text.push_str(&format!(" ({})", clean(detail)));
    }
    text
}

fn validity_text(opinion: &Opinion) -> String {
    format!(
        "{}, jusqu'à la session {}",
        clean(opinion.validity.kind.label()),
        clean(&opinion.validity.until_session)
    )
}

/// The lines naming the doctor, the date and the fingerprints.
fn signature_blocks(input: &AvisInput<'_>) -> Vec<Block> {
    let opinion = input.opinion;
    let mut out = Vec::new();
    match &opinion.doctor {
        Some(d) => {
            out.push(Block::Para(format!("Médecin : {}", clean(&d.name))));
            out.push(Block::Para(format!(
                "RPPS : {}",
                d.rpps.as_deref().map_or("non renseigné".into(), clean)
            )));
        }
        None => out.push(Block::Para("Médecin : non renseigné".into())),
    }
    out.push(Block::Para(format!(
        "Date de l'avis : {}",
        opinion
            .decided_at
            .map_or("non renseignée".into(), |t| date_fr(t.date_naive()))
    )));
    if let Some(fp) = input.signer_fingerprint {
        out.push(Block::Para(format!(
            "Empreinte de la clé de signature du médecin : {}",
            clean(fp)
        )));
    }
    out.push(Block::Para(format!(
        "Empreinte de l'avis signé (SHA-256 de opinions/{}.json) : {}",
        clean(&opinion.request_id),
        hex::encode(Sha256::digest(input.opinion_json))
    )));
    out
}

fn identity_blocks(input: &AvisInput<'_>) -> Vec<Block> {
    let opinion = input.opinion;
    let mut out = vec![Block::Heading("Candidat".into())];
    match input.request {
        Some(r) => {
            out.push(Block::Para(format!(
                "Nom : {}",
                clean(&r.candidate.display_name())
            )));
            out.push(Block::Para(format!(
                "Date de naissance : {}",
                date_fr(r.candidate.birth_date)
            )));
        }
        None => out.push(Block::Para(
            "Identité : voir la demande au rectorat (référence ci-dessous)".into(),
        )),
    }
    out.push(Block::Heading("Examen".into()));
    if let Some(r) = input.request {
        let mut diploma = clean(r.exam.diploma.label());
        if !r.exam.label.trim().is_empty() && r.exam.label.trim() != diploma {
            diploma = format!("{diploma} ({})", clean(r.exam.label.trim()));
        }
        out.push(Block::Para(format!("Diplôme : {diploma}")));
        if let Some(track) = r.exam.track.as_deref().filter(|t| !t.trim().is_empty()) {
            out.push(Block::Para(format!(
                "Spécialité ou série : {}",
                clean(track)
            )));
        }
        let mut session = clean(&r.exam.session);
        if let Some(a) = r.exam.anticipated_session.as_deref() {
            session.push_str(&format!(" (épreuves anticipées : {})", clean(a)));
        }
        out.push(Block::Para(format!("Session : {session}")));
    }
    out.push(Block::Para(format!(
        "Demande n° {} (version {})",
        clean(&opinion.request_id),
        opinion.request_version
    )));
    out
}

/// The measures table of the avis: measure, avis, épreuves, motivation.
fn measures_table(opinion: &Opinion) -> Block {
    let rows = opinion
        .measures
        .iter()
        .map(|m| {
            let mut name = clean(m.code.label());
            if m.decision == Decision::Ajoute {
                name.push_str(" (proposée par le médecin)");
            }
            let epreuves = if m.granted_code().is_some() {
                clean(m.epreuves.label())
            } else {
                "—".into()
            };
            vec![
                name,
                decision_text(m),
                epreuves,
                m.motivation.as_deref().map_or(String::new(), clean),
            ]
        })
        .collect();
    Block::Table {
        headers: vec![
            "Mesure".into(),
            "Avis".into(),
            "Épreuves".into(),
            "Motivation".into(),
        ],
        widths: vec![3.0, 2.2, 1.6, 3.2],
        rows,
    }
}

fn outcome_blocks(opinion: &Opinion) -> Vec<Block> {
    let mut out = vec![Block::Strong(format!(
        "Avis global : {}",
        clean(opinion.outcome.label())
    ))];
    if !opinion.motivation.trim().is_empty() {
        out.push(Block::Para(format!(
            "Motivation : {}",
            clean(opinion.motivation.trim())
        )));
    }
    if opinion.outcome == Outcome::Incomplet {
        let missing: Vec<String> = opinion
            .missing_documents
            .iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| clean(d.trim()))
            .collect();
        out.push(Block::Para(format!(
            "Pièces manquantes : {}",
            if missing.is_empty() {
                "non précisées".to_string()
            } else {
                missing.join(" ; ")
            }
        )));
    }
    out.push(Block::Para(format!(
        "Validité : {}",
        validity_text(opinion)
    )));
    out
}

/// The blocks of the avis médical (pure: what [`avis_pdf`] draws).
pub fn avis_blocks(input: &AvisInput<'_>) -> Vec<Block> {
    let opinion = input.opinion;
    let mut blocks = vec![
        Block::Title("Avis médical".into()),
        Block::Para(
            "Avis du médecin désigné par la CDAPH sur la demande d'aménagements des épreuves d'examen"
                .into(),
        ),
    ];
    blocks.extend(identity_blocks(input));
    blocks.push(Block::Heading("Avis sur les aménagements".into()));
    if opinion.measures.is_empty() {
        blocks.push(Block::Para("Aucune mesure.".into()));
    } else {
        blocks.push(measures_table(opinion));
    }
    blocks.push(Block::Heading("Avis global".into()));
    blocks.extend(outcome_blocks(opinion));
    blocks.push(Block::Heading("Médecin désigné par la CDAPH".into()));
    blocks.extend(signature_blocks(input));
    blocks.push(Block::Space(12.0));
    blocks.push(Block::Small(
        "Avis rendu au vu du dossier médical, qui reste couvert par le secret médical : il ne mentionne aucun diagnostic. La décision d'aménagement appartient à l'autorité académique."
            .into(),
    ));
    blocks
}

/// The avis médical of one request, as PDF.
pub fn avis_pdf(input: &AvisInput<'_>) -> Result<Vec<u8>, PrintError> {
    let title = format!(
        "Avis médical - demande {}",
        clean(&input.opinion.request_id)
    );
    layout::render(
        &avis_blocks(input),
        &layout::Meta {
            title: &title,
            subject: "Avis du médecin désigné par la CDAPH",
        },
    )
}

pub use dger::{dger_blocks, dger_pdf};
