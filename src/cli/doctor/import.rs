//! `avis import BUNDLE`: verifies and imports an assignment bundle.

use std::io::{IsTerminal, Write};

use super::ImportArgs;
use crate::cli::common::{open_store, print_out, today};
use crate::cli::{Failure, GlobalArgs};
use crate::store::{ImportOptions, ImportOutcome, Progress};

/// Runs `avis import`.
pub fn run(global: &GlobalArgs, args: ImportArgs) -> Result<(), Failure> {
    if !args.bundle.is_file() {
        return Err(Failure(format!(
            "lot introuvable : {} ; vérifiez le chemin du fichier",
            args.bundle.display()
        )));
    }
    // An import of many requests frees much on its way: given back.
    crate::allocator::return_freed_memory();
    let store = open_store(global)?;
    let on_terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut progress = |p: Progress| {
        if on_terminal && p.total > 0 {
            shown = true;
            let pct = p.done.saturating_mul(100) / p.total.max(1);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rImport : {pct:>3} % ({} Mo)", p.done >> 20);
            let _ = err.flush();
        }
    };
    let outcome = store.import(
        &args.bundle,
        &ImportOptions {
            accept_older: args.accepter_ancien,
            today: Some(today(global)),
        },
        &mut progress,
    );
    if shown {
        eprintln!();
    }
    match outcome? {
        ImportOutcome::Imported {
            bundle_id,
            requests,
            documents,
            updated,
            ..
        } => print_out(&format!(
            "Lot {bundle_id} importé : {requests} demande(s), dont {updated} nouvelle(s) version(s) d'une demande déjà reçue ; {documents} pièce(s)."
        )),
        ImportOutcome::AlreadyImported { bundle_id } => print_out(&format!(
            "Le lot {bundle_id} a déjà été importé : rien n'a changé."
        )),
    }
}
