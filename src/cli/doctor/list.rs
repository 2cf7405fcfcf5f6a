//! `avis list`: the requests of the store.

use super::JsonFlag;
use crate::cli::common::{open_store, print_json, print_out, sanitize, today};
use crate::cli::{Failure, GlobalArgs};

/// Runs `avis list`.
pub fn run(global: &GlobalArgs, flag: JsonFlag) -> Result<(), Failure> {
    let store = open_store(global)?;
    let summaries = store.summaries(today(global))?;
    if flag.json {
        let items: Vec<serde_json::Value> = summaries
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id,
                    "candidate": s.candidate,
                    "diploma": s.diploma.code(),
                    "session": s.session,
                    "procedure": s.procedure.code(),
                    "late": s.late,
                    "received_at": s.received_at.format("%Y-%m-%d").to_string(),
                    "status": s.status.code(),
                    "alerts": s.alerts,
                    "review": s.review.as_ref().map(|r| serde_json::json!({
                        "from_version": r.from_version,
                        "to_version": r.to_version,
                        "new_documents": r.new_documents,
                        "added_measures": r.added_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                        "removed_measures": r.removed_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                        "changed_measures": r.changed_measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                    })),
                })
            })
            .collect();
        return print_json(&serde_json::Value::Array(items));
    }
    if summaries.is_empty() {
        return print_out(
            "Aucune demande dans le magasin : importez un lot du rectorat avec « avis import LOT ».",
        );
    }
    let mut text = String::new();
    for s in &summaries {
        text.push_str(&format!(
            "{:<18} {:<28} {:<22} {:<6} {:<22} {} {:<10} {}{}{}\n",
            sanitize(&s.id),
            sanitize(&s.candidate),
            sanitize(s.diploma.label()),
            sanitize(&s.session),
            sanitize(s.procedure.label()),
            s.received_at.format("%d/%m/%Y"),
            s.status.label(),
            if s.alerts > 0 {
                format!("{} alerte(s)", s.alerts)
            } else {
                String::new()
            },
            if s.late { " (hors délai)" } else { "" },
            if s.review.is_some() {
                " (à revoir : nouvelle version)"
            } else {
                ""
            },
        ));
    }
    text.push_str(&format!("{} demande(s)", summaries.len()));
    print_out(&text)
}
