//! Drawing the request: a tab bar, an information line, the tab's body.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::domain::checks::{Finding, Severity};
use crate::tui::app::{App, RequestView, Tab};
use crate::tui::clean::clean;
use crate::tui::theme::Theme;

use super::{historique, mesures, pieces, synthese, troubles};

fn tab_label(i: usize, tab: Tab) -> String {
    format!(" {} {} ", i + 1, tab.title())
}

/// The tab under terminal cell (col, row), for mouse clicks.
pub fn tab_at(_size: (u16, u16), col: u16, row: u16) -> Option<usize> {
    if row != 1 {
        return None;
    }
    let mut x = 0u16;
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let w = tab_label(i, *tab).chars().count() as u16;
        if col >= x && col < x + w {
            return Some(i);
        }
        x += w + 1;
    }
    None
}

/// Draws the open request.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(req) = app.request.as_ref() else {
        return;
    };
    let t = &app.theme;
    let [tabs_area, info_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", t.dim));
        }
        let label = tab_label(i, *tab);
        if *tab == req.tab {
            spans.push(Span::styled(format!("[{}]", label.trim()), t.selected));
            // keep widths stable: "[x]" replaces the two spaces
        } else {
            spans.push(Span::raw(label));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs_area);
    frame.render_widget(Paragraph::new(info_line(req, t)), info_area);
    match req.tab {
        Tab::Synthese => synthese::render(app, req, frame, body),
        Tab::Troubles => troubles::render(app, req, frame, body),
        Tab::Mesures => mesures::render(app, req, frame, body),
        Tab::Pieces => pieces::render(app, req, frame, body),
        Tab::Historique => historique::render(app, req, frame, body),
    }
}

fn info_line(req: &RequestView, t: &Theme) -> Line<'static> {
    let r = &req.record.request;
    let blocking = req.findings.iter().filter(|f| f.blocks()).count();
    let alerts = req
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    Line::from(vec![
        Span::styled(" Statut : ", t.header),
        Span::raw(req.status.label().to_string()),
        Span::styled(" · version ", t.header),
        Span::raw(r.version.to_string()),
        Span::styled(" · alertes : ", t.header),
        Span::raw(format!("{alerts} dont {blocking} bloquante(s)")),
        Span::styled(" · a : avis", t.key),
    ])
}

/// Lines describing findings, severity written out (never colour alone).
pub fn finding_lines(findings: &[Finding], t: &Theme) -> Vec<Line<'static>> {
    if findings.is_empty() {
        return vec![Line::styled(
            "  Aucun contrôle ne signale de problème.",
            t.dim,
        )];
    }
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    sorted
        .into_iter()
        .map(|f| {
            let (tag, style) = match (f.severity, f.overridden) {
                (Severity::Bloquant, true) => ("[BLOQUANT, levé]", t.warn),
                (Severity::Bloquant, false) => ("[BLOQUANT]", t.block),
                (Severity::Attention, _) => ("[attention]", t.warn),
                (Severity::Info, _) => ("[info]", t.dim),
            };
            let measure = f
                .measure
                .as_ref()
                .map(|m| format!(" ({})", clean(m.label())))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(format!("  {tag} "), style),
                Span::raw(format!("{}{measure}", clean(&f.message))),
            ])
        })
        .collect()
}

/// "label : value" line with cleaned value.
pub fn field(t: &Theme, label: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label} : "), t.header),
        Span::raw(clean(value)),
    ])
}

/// A section title line.
pub fn section(t: &Theme, title: &str) -> Line<'static> {
    Line::styled(format!(" {title}"), t.title)
}
