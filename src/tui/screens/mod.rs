//! Drawing: one module per screen; every function takes the state by
//! shared reference and only draws (no I/O, no decryption). The frame is
//! always: a title line, the screen, and a status bar with the main keys.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Screen};
use super::keys;

pub mod editor;
pub mod export;
pub mod help;
pub mod inbox;
pub mod request;
pub mod unlock;
pub mod viewer;

/// Draws the whole application.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base), area);
    let [title, body, status] = frame_areas(area);
    render_title(app, frame, title);
    match app.screen {
        Screen::Unlock => unlock::render(app, frame, body),
        Screen::Inbox => inbox::render(app, frame, body),
        Screen::Request => request::render(app, frame, body),
        Screen::Editor => editor::render(app, frame, body),
        Screen::Viewer => viewer::render(app, frame, body),
        Screen::Export => export::render(app, frame, body),
    }
    render_status(app, frame, status);
    if app.help {
        help::render(app, frame, area);
    }
}

/// The title line, the screen's body and the status bar.
pub fn frame_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

fn render_title(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(" avis ", t.title)];
    if app.demo {
        spans.push(Span::styled("[DÉMONSTRATION] ", t.warn));
    }
    let where_ = match app.screen {
        Screen::Unlock => "Déverrouillage".to_string(),
        Screen::Inbox => "Demandes".to_string(),
        Screen::Request | Screen::Editor | Screen::Viewer => app
            .request
            .as_ref()
            .map(|r| {
                format!(
                    "Demande {} — {}",
                    super::clean::clean(&r.record.request.id),
                    super::clean::clean(&r.record.request.candidate.display_name())
                )
            })
            .unwrap_or_default(),
        Screen::Export => "Export des avis".to_string(),
    };
    spans.push(Span::styled(where_, t.header));
    spans.push(Span::styled(
        format!("  · examen au {}", app.today.format("%d/%m/%Y")),
        t.dim,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some((msg, error)) = &app.message {
        let style = if *error { t.block } else { t.ok };
        let prefix = if *error { "⚠ " } else { "" };
        spans.push(Span::styled(format!("{prefix}{msg}"), style));
        spans.push(Span::raw("  │ "));
    }
    for (i, (k, what)) in keys::hints(app).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", t.dim));
        }
        spans.push(Span::styled(k, t.key));
        spans.push(Span::raw(format!(" {what}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of `width`×`height` centred in `area` (clamped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws a bordered pop-up with text lines.
pub fn popup(app: &App, frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(title.to_string())
        .border_style(app.theme.focus_border)
        .style(app.theme.base);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// A progress line: label and percentage (text, not just a bar).
pub fn progress_text(p: &super::app::ProgressInfo) -> String {
    match (p.done.min(p.total).saturating_mul(100)).checked_div(p.total) {
        Some(pct) => format!("{} : {pct} %", p.label),
        None => format!("{}…", p.label),
    }
}
