//! `avis opinion apply|validate|override`: drafts from JSON, validation
//! after the checks, overrides of blocking checks.

use super::{OpinionArgs, OpinionCommand};
use crate::cli::common::{open_store, print_out, today};
use crate::cli::{Failure, GlobalArgs};
use crate::domain::{MeasureCode, Opinion};

/// An opinions file holds at most this much.
const MAX_FILE: u64 = 16 * 1024 * 1024;

fn parse_opinions(bytes: &[u8]) -> Result<Vec<Opinion>, Failure> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Failure(format!(
            "fichier d'avis illisible (JSON invalide, ligne {}) : corrigez-le",
            e.line()
        ))
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v).map_err(|e| {
                Failure(format!(
                    "avis n° {} du fichier non conforme au format opinions/<id>.json : {e} ; corrigez-le",
                    i + 1
                ))
            })
        })
        .collect()
}

/// Runs `avis opinion`.
pub fn run(global: &GlobalArgs, args: OpinionArgs) -> Result<(), Failure> {
    match args.command {
        OpinionCommand::Apply { file } => {
            let meta = std::fs::metadata(&file).map_err(|e| {
                Failure(format!(
                    "impossible de lire {} : {e} ; vérifiez le chemin",
                    file.display()
                ))
            })?;
            if meta.len() > MAX_FILE {
                return Err(Failure("fichier d'avis trop gros (16 Mio au plus)".into()));
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure(format!("impossible de lire {} : {e}", file.display())))?;
            let opinions = parse_opinions(&bytes)?;
            if opinions.is_empty() {
                return Err(Failure("le fichier ne contient aucun avis".into()));
            }
            let store = open_store(global)?;
            // Every request must exist before anything is written.
            for o in &opinions {
                store.request(&o.request_id)?;
            }
            for o in &opinions {
                store.apply_opinion(o)?;
                print_out(&format!("Brouillon enregistré : {}", o.request_id))?;
            }
            Ok(())
        }
        OpinionCommand::Validate { ids } => {
            let store = open_store(global)?;
            let day = today(global);
            let mut failures = Vec::new();
            for id in &ids {
                match store.status(id) {
                    Ok(crate::domain::Status::Valide) => {
                        print_out(&format!("Avis déjà validé : {id}"))?;
                        continue;
                    }
                    Ok(crate::domain::Status::Exporte) => {
                        print_out(&format!(
                            "Avis déjà exporté : {id} (pour le modifier, appliquez un nouveau brouillon)"
                        ))?;
                        continue;
                    }
                    _ => {}
                }
                match store.validate(id, day) {
                    Ok(()) => print_out(&format!("Avis validé : {id}"))?,
                    Err(e) => failures.push(e.to_string()),
                }
            }
            if failures.is_empty() {
                Ok(())
            } else {
                Err(Failure(failures.join("\navis : ")))
            }
        }
        OpinionCommand::Override {
            id,
            rule,
            measure,
            reason,
        } => {
            let store = open_store(global)?;
            let measure = measure.as_deref().map(MeasureCode::from_code);
            store.override_check(&id, &rule, measure, &reason)?;
            print_out(&format!(
                "Contrôle « {rule} » levé pour {id} ; le motif est conservé avec le brouillon."
            ))
        }
    }
}
