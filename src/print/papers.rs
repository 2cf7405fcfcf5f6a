//! The papers of one avis from the doctor's store (`avis imprimer`, the
//! TUI's print key): the avis médical, and for agricultural exams the DGER
//! form; only for an exported avis, from the avis as exported.

use super::{avis_pdf, dger_pdf, file_name, is_agricultural, AvisInput, PrintError};
use crate::domain::Status;
use crate::store::{Store, StoreError};

/// One PDF to write: its file name and bytes.
#[derive(Debug, Clone)]
pub struct Paper {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why the papers of an avis could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaperError {
    #[error("l'avis {0} n'est pas exporté : seul un avis exporté s'imprime ; exportez-le d'abord")]
    NotExported(String),
    #[error("la demande {0} n'a pas d'avis")]
    NoAvis(String),
    #[error("avis illisible")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Print(#[from] PrintError),
}

/// The papers of the exported avis `id`.
pub fn papers(store: &Store, id: &str) -> Result<Vec<Paper>, PaperError> {
    let shown = crate::text::sanitize(id).into_owned();
    if store.status(id)? != Status::Exporte {
        return Err(PaperError::NotExported(shown));
    }
    let draft = store.draft(id)?.ok_or(PaperError::NoAvis(shown))?;
    let json = serde_json::to_vec_pretty(&draft.opinion).map_err(|_| PaperError::Unreadable)?;
    let record = if store.purged_dossier(id)?.is_some() {
        None
    } else {
        Some(store.request(id)?)
    };
    let fingerprint = crate::store::fingerprint(&store.public_keys().signing_key).ok();
    let input = AvisInput {
        opinion: &draft.opinion,
        opinion_json: &json,
        request: record.as_ref().map(|r| &r.request),
        signer_fingerprint: fingerprint.as_deref(),
    };
    let mut out = vec![Paper {
        name: file_name("avis", id),
        bytes: avis_pdf(&input)?,
    }];
    if let Some(r) = &record {
        if is_agricultural(&r.request) {
            out.push(Paper {
                name: file_name("formulaire-dger", id),
                bytes: dger_pdf(&input)?,
            });
        }
    }
    Ok(out)
}

/// The ids of every exported avis of the store, purged dossiers included.
pub fn exported_ids(store: &Store, today: chrono::NaiveDate) -> Result<Vec<String>, StoreError> {
    let mut ids: Vec<String> = store
        .summaries(today)?
        .into_iter()
        .filter(|s| s.status == Status::Exporte)
        .map(|s| s.id)
        .collect();
    ids.extend(store.purged_dossiers()?.into_iter().map(|p| p.id));
    Ok(ids)
}
