//! `avis purge [--simulation]`: removes for good the pièces and request
//! content of the dossiers past their retention (their exported avis stays).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use crate::cli::common::{open_store, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};

/// `avis purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Liste les dossiers à purger sans rien supprimer.
    #[arg(long)]
    pub simulation: bool,
    /// Confirme la purge sans la demander (scripts).
    #[arg(long)]
    pub oui: bool,
}

fn confirm(count: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure(
            "la purge est définitive : confirmez-la dans un terminal, ou ajoutez --oui ; rien n'a été supprimé"
                .into(),
        ));
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "Purger définitivement les pièces et le contenu de {count} dossier(s) ? Les avis exportés sont conservés. Tapez OUI pour confirmer : "
    );
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure(format!("lecture de la confirmation impossible : {e}")))?;
    Ok(line.trim() == "OUI")
}

/// Runs `avis purge`.
pub fn run(global: &GlobalArgs, args: PurgeArgs) -> Result<(), Failure> {
    let mut store = open_store(global)?;
    let now = chrono::Utc::now();
    let months = store.retention_months()?;
    let due = store.purge_due(now)?;
    if args.simulation {
        if due.is_empty() {
            return print_out(&format!(
                "Aucun dossier à purger (conservation : {months} mois après l'export)."
            ));
        }
        let mut text =
            format!("Dossiers à purger (conservation : {months} mois après l'export) :\n");
        for d in &due {
            text.push_str(&format!(
                "  {}  exporté le {}, à purger depuis le {} ({} pièce(s))\n",
                sanitize(&d.id),
                d.exported_at.format("%d/%m/%Y"),
                d.due_since.format("%d/%m/%Y"),
                d.documents
            ));
        }
        text.push_str(&format!(
            "{} dossier(s) ; rien n'a été supprimé (simulation).",
            due.len()
        ));
        return print_out(&text);
    }
    if !due.is_empty() && !args.oui && !confirm(due.len())? {
        return print_out("Purge annulée : rien n'a été supprimé.");
    }
    let report = store.purge(now, &mut |_| {})?;
    store.lock()?;
    if report.purged.is_empty() {
        return print_out(&format!(
            "Aucun dossier à purger (conservation : {months} mois après l'export)."
        ));
    }
    print_out(&format!(
        "{} dossier(s) purgé(s) : pièces et contenu des demandes supprimés du magasin, avis exportés conservés. Une sauvegarde faite avant la purge les contient encore : gardez-la en lieu sûr ou détruisez-la.",
        report.purged.len()
    ))
}
