//! Historique: previous decisions, versions of the request received, and
//! this request's journal events.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{field, section};
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

/// French label of a journal event kind (unknown kinds shown as they are).
pub fn kind_label(kind: &str) -> String {
    match kind {
        "import" => "import".into(),
        "update" => "nouvelle version".into(),
        "edit" => "modification".into(),
        "validate" => "validation".into(),
        "unvalidate" => "retour en brouillon".into(),
        "override" => "contrôle levé".into(),
        "export" => "export".into(),
        "trust" => "clé acceptée".into(),
        "unlock_failed" => "échec de déverrouillage".into(),
        other => clean(other),
    }
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
