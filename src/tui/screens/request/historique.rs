//! Historique: previous decisions, versions of the request received, and
//! this request's journal events.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{field, section};
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

/// French label of a journal event kind: the store's
/// ([`crate::store::event_kind_label`]); unknown kinds shown as they are,
/// cleaned.
pub fn kind_label(kind: &str) -> String {
    clean(crate::store::event_kind_label(kind))
}

/// Draws the Historique tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let mut lines = vec![section(t, "Décisions antérieures")];
    if r.previous_decisions.is_empty() {
        lines.push(Line::styled(
            "  Aucune décision antérieure mentionnée.",
            t.dim,
        ));
    }
    for p in &r.previous_decisions {
        let measures: Vec<String> = p.measures.iter().map(|m| clean(m.label())).collect();
        lines.push(Line::raw(format!(
            "  • Session {} — {} : {}",
            clean(&p.session),
            clean(p.diploma.label()),
            if measures.is_empty() {
                "aucune mesure".to_string()
            } else {
                measures.join(", ")
            }
        )));
    }
    lines.push(section(t, "Versions de la demande"));
    let versions: Vec<String> = req.record.versions.iter().map(u32::to_string).collect();
    lines.push(field(t, "Versions reçues", &versions.join(", ")));
    lines.push(field(t, "Version affichée", &r.version.to_string()));
    lines.push(field(t, "Reçue du", &req.record.issuer_name));
    lines.push(field(t, "Lot", &req.record.bundle_id));
    if req
        .draft
        .as_ref()
        .is_some_and(|d| d.written_against_older_version)
    {
        lines.push(Line::styled(
            "  ⚠ Le brouillon a été écrit pour une version antérieure : relisez-le.",
            t.block,
        ));
    }
    lines.push(section(t, "Journal de cette demande"));
    if req.journal.is_empty() {
        lines.push(Line::styled("  Aucun événement.", t.dim));
    }
    for e in &req.journal {
        lines.push(Line::raw(format!(
            "  {:>4}  {} UTC  {:<20}  {}",
            e.seq,
            e.at.format("%d/%m/%Y %H:%M"),
            kind_label(&e.kind),
            clean(&e.detail)
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((req.scroll, 0)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::kind_label;

    #[test]
    fn journal_kinds_have_french_labels() {
        assert_eq!(kind_label("piece_papier"), "pièce reçue sur papier");
        assert_eq!(kind_label("export_aborted"), "export interrompu");
        assert_eq!(kind_label("update"), "nouvelle version");
        assert_eq!(
            kind_label("inconnu\u{1b}[31m"),
            clean_of("inconnu\u{1b}[31m")
        );
    }

    fn clean_of(s: &str) -> String {
        crate::tui::clean::clean(s)
    }
}
