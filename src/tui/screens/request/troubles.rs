//! Troubles: those declared in section #5, with their catalogue labels.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::section;
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

/// Draws the Troubles tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let mut lines = vec![section(t, "Troubles déclarés (#5)")];
    if r.troubles.is_empty() {
        lines.push(Line::styled("  Aucun trouble déclaré.", t.dim));
    }
    for tr in &r.troubles {
        let known = if tr.is_known() {
            ""
        } else {
            " (code inconnu du catalogue)"
        };
        lines.push(Line::raw(format!("  • {}{known}", clean(tr.label()))));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "  Rappel : la motivation exportée reste fonctionnelle ; ne pas y nommer de trouble.",
        t.dim,
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((req.scroll, 0)),
        area,
    );
}
