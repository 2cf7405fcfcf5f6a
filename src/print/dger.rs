//! The form of the ministry of agriculture (note de service
//! DGER/SDPFE/2018-327, seed 004): « formulaire de demande d'aménagement :
//! demande du candidat et souhaits d'aménagements d'épreuves (colonne 1),
//! renseignements fournis par l'établissement (colonne 2), avis du médecin
//! désigné par la CDAPH (colonne 3 + 4ème de couverture) ». The doctor must
//! use it for agricultural exams (« Tout autre formulaire sera refusé »).
//!
//! Laid out on A4 pages: the cover (candidate, exam, establishment), the
//! three columns, one line per measure grouped as the note lists the types
//! of measures, then the back cover (the doctor's avis and signature).

use super::layout::{self, Block};
use super::{clean, decision_text, is_agricultural, signature_blocks, AvisInput, PrintError};
use crate::domain::{Decision, MeasureCode, Request};

/// The column 2 cell of a requested measure: what the establishment's
/// dossier says of it (a decision of an earlier session).
fn column_2(request: &Request, code: &MeasureCode) -> String {
    let earlier: Vec<String> = request
        .previous_decisions
        .iter()
        .filter(|d| d.measures.contains(code))
        .map(|d| {
            format!(
                "accordée en {} ({})",
                clean(&d.session),
                clean(d.diploma.label())
            )
        })
        .collect();
    if earlier.is_empty() {
        String::new()
    } else {
        format!("Décision antérieure : {}", earlier.join(" ; "))
    }
}

/// The three columns, one row per measure, in the catalogue's order of
/// families (locaux, temps, aides techniques, aides humaines, autres,
/// adaptations, étalement).
fn columns(input: &AvisInput<'_>, request: &Request) -> Block {
    let opinion = input.opinion;
    let family = |code: &MeasureCode| code.category().map_or(usize::MAX, |c| c as usize);
    let mut codes: Vec<MeasureCode> = Vec::new();
    for m in &request.requested_measures {
        if !codes.contains(&m.code) {
            codes.push(m.code.clone());
        }
    }
    for m in &opinion.measures {
        if m.decision == Decision::Ajoute && !codes.contains(&m.code) {
            codes.push(m.code.clone());
        }
    }
    codes.sort_by_key(|c| family(c));
    let rows = codes
        .iter()
        .map(|code| {
            let requested = request.requested_measures.iter().find(|r| &r.code == code);
            let col1 = match requested {
                Some(r) => {
                    let group = code
                        .category()
                        .map_or(String::new(), |c| format!("{} : ", c.label()));
                    let mut text = format!("{group}{}", clean(code.label()));
                    if let Some(d) = r.detail.as_deref().filter(|d| !d.trim().is_empty()) {
                        text.push_str(&format!(" ({})", clean(d.trim())));
                    }
                    text
                }
                None => format!("Non demandée : {}", clean(code.label())),
            };
            let col2 = if requested.is_some() {
                column_2(request, code)
            } else {
                String::new()
            };
            let entry = opinion.entry_for(code).or_else(|| {
                opinion
                    .measures
                    .iter()
                    .find(|m| &m.code == code && m.decision == Decision::Ajoute)
            });
            let col3 = match entry {
                Some(m) => {
                    let mut text = decision_text(m);
                    if m.granted_code().is_some() {
                        text.push_str(&format!(" — {}", clean(m.epreuves.label())));
                    }
                    if let Some(mot) = m.motivation.as_deref().filter(|t| !t.trim().is_empty()) {
                        text.push_str(&format!("\nMotivation : {}", clean(mot.trim())));
                    }
                    text
                }
                None => "Sans avis".into(),
            };
            vec![col1, col2, col3]
        })
        .collect();
    Block::Table {
        headers: vec![
            "Colonne 1 — Demande du candidat et souhaits d'aménagements d'épreuves".into(),
            "Colonne 2 — Renseignements fournis par l'établissement".into(),
            "Colonne 3 — Avis du médecin désigné par la CDAPH".into(),
        ],
        widths: vec![1.0, 0.8, 1.2],
        rows,
    }
}

/// The blocks of the DGER form (pure: what [`dger_pdf`] draws).
pub fn dger_blocks(input: &AvisInput<'_>) -> Result<Vec<Block>, PrintError> {
    let opinion = input.opinion;
    let request = input
        .request
        .ok_or_else(|| PrintError::NoRequest(clean(&opinion.request_id)))?;
    if !is_agricultural(request) {
        return Err(PrintError::NotAgricultural(clean(&opinion.request_id)));
    }
    let c = &request.candidate;
    let mut blocks = vec![
        Block::Title("Demande d'aménagements d'épreuves d'examens".into()),
        Block::Para("Examens de l'enseignement technique agricole — ministère chargé de l'agriculture, note de service DGER/SDPFE/2018-327".into()),
        Block::Heading("Le candidat".into()),
        Block::Para(format!("Nom et prénom : {}", clean(&c.display_name()))),
        Block::Para(format!("Date de naissance : {}", c.birth_date.format("%d/%m/%Y"))),
    ];
    if let Some(rep) = c
        .legal_representative
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        blocks.push(Block::Para(format!("Représentant légal : {}", clean(rep))));
    }
    blocks.push(Block::Heading("L'examen".into()));
    let mut diploma = clean(request.exam.diploma.label());
    if !request.exam.label.trim().is_empty() {
        diploma = format!("{diploma} — {}", clean(request.exam.label.trim()));
    }
    blocks.push(Block::Para(format!("Diplôme : {diploma}")));
    if let Some(track) = request
        .exam
        .track
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        blocks.push(Block::Para(format!(
            "Spécialité, option : {}",
            clean(track)
        )));
    }
    blocks.push(Block::Para(format!(
        "Session : {}",
        clean(&request.exam.session)
    )));
    blocks.push(Block::Heading("L'établissement".into()));
    match &request.schooling.establishment {
        Some(e) => blocks.push(Block::Para(format!(
            "{} ({}), {} — UAI {}",
            clean(&e.name),
            clean(&request.schooling.academy),
            clean(&e.city),
            clean(&e.uai)
        ))),
        None => blocks.push(Block::Para(format!(
            "Candidat non scolarisé ou scolarisé à distance ({})",
            clean(&request.schooling.kind)
        ))),
    }
    if !request.supports.is_empty() {
        let supports: Vec<String> = request.supports.iter().map(|s| clean(s)).collect();
        blocks.push(Block::Para(format!(
            "Dispositif d'accompagnement pendant la formation : {}",
            supports.join(", ")
        )));
    }
    blocks.push(Block::Para(format!(
        "Demande n° {} (version {}), reçue le {}",
        clean(&request.id),
        request.version,
        request.received_at.format("%d/%m/%Y")
    )));
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading("Aménagements d'épreuves".into()));
    blocks.push(columns(input, request));
    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading(
        "4ème de couverture — Avis du médecin désigné par la CDAPH".into(),
    ));
    blocks.push(Block::Strong(format!(
        "Avis : {}",
        clean(opinion.outcome.label())
    )));
    if !opinion.motivation.trim().is_empty() {
        blocks.push(Block::Para(format!(
            "Motivation : {}",
            clean(opinion.motivation.trim())
        )));
    }
    blocks.push(Block::Para(format!(
        "Validité : {}, jusqu'à la session {}",
        clean(opinion.validity.kind.label()),
        clean(&opinion.validity.until_session)
    )));
    blocks.extend(signature_blocks(input));
    blocks.push(Block::Space(10.0));
    blocks.push(Block::Para("Signature et cachet du médecin :".into()));
    blocks.push(Block::Space(60.0));
    blocks.push(Block::Small(
        "Formulaire rempli à partir de l'avis médical signé. Le bilan médical confidentiel reste sous pli, au seul usage du médecin."
            .into(),
    ));
    Ok(blocks)
}

/// The DGER form of one agricultural request, as PDF.
pub fn dger_pdf(input: &AvisInput<'_>) -> Result<Vec<u8>, PrintError> {
    let blocks = dger_blocks(input)?;
    let title = format!(
        "Formulaire DGER d'aménagements d'épreuves - demande {}",
        clean(&input.opinion.request_id)
    );
    layout::render(
        &blocks,
        &layout::Meta {
            title: &title,
            subject: "Avis du médecin désigné par la CDAPH (colonne 3 et 4ème de couverture)",
        },
    )
}
