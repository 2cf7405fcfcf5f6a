//! `avis piece papier ID --categorie CAT --date-piece AAAA-MM-JJ [--note TEXTE]`:
//! records a pièce received on paper (sealed envelope). It counts for the
//! checks, is journaled, and never leaves the store.

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::cli::common::{open_store, print_out, today};
use crate::cli::{Failure, GlobalArgs};
use crate::domain::{DocumentCategory, PaperDocument};

/// `avis piece`.
#[derive(Debug, Args)]
pub struct PieceArgs {
    #[command(subcommand)]
    pub command: PieceCommand,
}

/// Subcommands of `avis piece`.
#[derive(Debug, Subcommand)]
pub enum PieceCommand {
    /// Enregistre une pièce reçue sur papier (pli cacheté) : elle compte pour
    /// les contrôles et n'est jamais exportée.
    Papier {
        /// Identifiant de la demande.
        id: String,
        /// Catégorie de la pièce (bilan_orthophonique, point_evolution,
        /// certificat_medical…).
        #[arg(long = "categorie", value_name = "CAT")]
        category: String,
        /// Date portée par la pièce (« --date » reste la date d'examen des
        /// dossiers, commune à toutes les commandes).
        #[arg(long = "date-piece", value_name = "AAAA-MM-JJ")]
        piece_date: String,
        /// Note privée (jamais exportée).
        #[arg(long = "note", value_name = "TEXTE")]
        note: Option<String>,
    },
}

/// Runs `avis piece`.
pub fn run(global: &GlobalArgs, args: PieceArgs) -> Result<(), Failure> {
    match args.command {
        PieceCommand::Papier {
            id,
            category,
            piece_date,
            note,
        } => {
            let date = NaiveDate::parse_from_str(piece_date.trim(), "%Y-%m-%d").map_err(|_| {
                Failure(format!(
                    "date de pièce invalide « {} » : écrivez-la sous la forme AAAA-MM-JJ, par exemple 2026-09-15",
                    crate::text::sanitize(&piece_date)
                ))
            })?;
            let doc = PaperDocument {
                category: DocumentCategory::from_code(category.trim()),
                date,
                note: note.unwrap_or_default(),
            };
            let day = today(global);
            let problems = doc.problems(day);
            if !problems.is_empty() {
                return Err(Failure(format!(
                    "pièce non enregistrée : {} ; rien n'a été modifié",
                    problems.join(" ; ")
                )));
            }
            let label = doc.category.label().to_string();
            let store = open_store(global)?;
            store.add_paper_document(&id, doc, day)?;
            print_out(&format!(
                "Pièce papier enregistrée pour {id} : {label} du {} (comptée par les contrôles, jamais exportée).",
                date.format("%d/%m/%Y")
            ))
        }
    }
}
