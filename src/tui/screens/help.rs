//! The help overlay ("Aide"): the keys of the current screen.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::keys;

/// Draws the help over the current screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let entries = keys::help(app);
    let key_w = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'static>> = entries
        .into_iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<key_w$}  "), app.theme.key),
                Span::raw(what.to_string()),
            ])
        })
        .collect();
    if lines.len() + 4 <= area.height as usize {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        " Échap ou ? : fermer l'aide".to_string(),
        app.theme.dim,
    ));
    let height = (lines.len() as u16).saturating_add(2);
    let rect = super::centered(area, area.width.saturating_sub(4).min(100), height);
    super::popup(app, frame, rect, " Aide ", lines);
}
