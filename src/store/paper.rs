//! Pièces received on paper (sealed envelope): recorded in the request's
//! draft, journaled, never exported (see [`crate::domain::PaperDocument`]).

use chrono::NaiveDate;

use super::db::{Batch, T};
use super::journal::PAPER_PIECE;
use super::opinions::StatusRow;
use super::{Result, Store, StoreError};
use crate::domain::{Draft, PaperDocument, Status};

impl Store {
    /// Records a pièce received on paper for request `id`, checked against
    /// `today` (known category, not dated in the future). Creates the draft
    /// if there is none; a validated or exported avis returns to
    /// `brouillon` (the checks may change). The journal records the event,
    /// not the category nor the note.
    ///
    /// This is what the TUI calls to record a paper pièce.
    pub fn add_paper_document(&self, id: &str, doc: PaperDocument, today: NaiveDate) -> Result<()> {
        let row = self.request_row(id)?;
        let problems = doc.problems(today);
        if !problems.is_empty() {
            return Err(StoreError::OpinionMismatch {
                id: id.to_string(),
                why: problems.join(" ; "),
            });
        }
        let request = row.parse()?;
        let mut draft = self.draft(id)?.unwrap_or_else(|| Draft::new_for(&request));
        draft.paper_documents.push(PaperDocument {
            note: doc.note.trim().to_string(),
            ..doc
        });
        let before = self.status(id)?;
        let keys = &self.secrets.keys;
        let mut batch = Batch::default();
        batch.put(keys, T::Drafts, id, &draft);
        if before != Status::Brouillon {
            batch.put(keys, T::Statuses, id, &StatusRow::draft());
        }
        batch.event(PAPER_PIECE, Some(id), "pièce reçue sur papier enregistrée");
        self.db.write(keys, &batch, "draft")
    }

    /// The pièces received on paper for request `id` (none without a draft).
    pub fn paper_documents(&self, id: &str) -> Result<Vec<PaperDocument>> {
        self.request_row(id)?;
        Ok(self
            .draft(id)?
            .map(|d| d.paper_documents)
            .unwrap_or_default())
    }
}
