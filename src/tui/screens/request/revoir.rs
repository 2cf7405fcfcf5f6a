//! "À revoir": what changed since the draft was written, when a newer
//! version of the request came by import (the store's [`ReviewChanges`],
//! read from the inbox line of the request; no I/O).

use ratatui::text::Line;

use crate::domain::MeasureCode;
use crate::store::ReviewChanges;
use crate::tui::app::App;
use crate::tui::clean::clean;
use crate::tui::theme::Theme;

/// The review changes of request `id`, if it is "à revoir".
pub fn review_of<'a>(app: &'a App, id: &str) -> Option<&'a ReviewChanges> {
    app.inbox
        .rows
        .iter()
        .find(|r| r.summary.id == id)
        .and_then(|r| r.summary.review.as_ref())
}

fn measures(list: &[MeasureCode]) -> String {
    list.iter()
        .map(|m| clean(m.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// French lines saying what changed (empty when nothing is to review).
pub fn text(r: &ReviewChanges) -> Vec<String> {
    let mut out = vec![format!(
        "À revoir : la version {} de la demande est arrivée après votre brouillon (écrit sur la version {}) ; votre brouillon est conservé.",
        r.to_version, r.from_version
    )];
    if r.new_documents > 0 {
        out.push(format!("Nouvelles pièces : {}", r.new_documents));
    }
    if !r.added_measures.is_empty() {
        out.push(format!(
            "Mesures ajoutées : {}",
            measures(&r.added_measures)
        ));
    }
    if !r.removed_measures.is_empty() {
        out.push(format!(
            "Mesures retirées : {}",
            measures(&r.removed_measures)
        ));
    }
    if !r.changed_measures.is_empty() {
        out.push(format!(
            "Mesures modifiées : {}",
            measures(&r.changed_measures)
        ));
    }
    out
}

/// The lines drawn at the top of the Synthèse tab.
pub fn lines(t: &Theme, r: &ReviewChanges) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (i, l) in text(r).into_iter().enumerate() {
        let style = if i == 0 { t.warn } else { t.base };
        out.push(Line::styled(format!(" {l}"), style));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_versions_the_new_pieces_and_the_measures() {
        let r = ReviewChanges {
            from_version: 1,
            to_version: 3,
            new_documents: 2,
            added_measures: vec![MeasureCode::from_code("ordinateur")],
            removed_measures: vec![],
            changed_measures: vec![],
        };
        let t = text(&r);
        assert!(t[0].contains("version 3") && t[0].contains("version 1"));
        assert!(t.contains(&"Nouvelles pièces : 2".to_string()));
        assert!(t
            .iter()
            .any(|l| l.starts_with("Mesures ajoutées : Ordinateur")));
        assert!(!t.iter().any(|l| l.starts_with("Mesures retirées")));
    }
}
