//! `avis journal verify|list`: the audit journal.

use super::{JournalArgs, JournalCommand};
use crate::cli::common::{open_store, print_json, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};

/// Runs `avis journal`.
pub fn run(global: &GlobalArgs, args: JournalArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    match args.command {
        JournalCommand::Verify => {
            let n = store.journal_verify()?;
            print_out(&format!(
                "Journal intègre : {n} événement(s), chaîne de hachage vérifiée."
            ))
        }
        JournalCommand::List { id, json } => {
            let events = store.journal(id.as_deref())?;
            if json {
                return print_json(
                    &serde_json::to_value(&events).map_err(|e| Failure(e.to_string()))?,
                );
            }
            let mut text = String::new();
            for e in &events {
                text.push_str(&format!(
                    "{:>5} {} {:<24} {:<18} {}\n",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    sanitize(e.kind_label()),
                    sanitize(e.request_id.as_deref().unwrap_or("")),
                    sanitize(&e.detail)
                ));
            }
            print_out(text.trim_end())
        }
    }
}
