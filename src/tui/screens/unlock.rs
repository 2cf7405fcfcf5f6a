//! The unlock screen: the passphrase, masked; the error if it was wrong;
//! the progress while the store opens (or the demo store is prepared).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::App;

/// Draws the unlock screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::raw("")];
    if app.demo {
        lines.push(Line::raw(
            " Démonstration : magasin jetable, dossiers fictifs, aucune phrase de passe.",
        ));
    } else {
        lines.push(Line::raw(
            " Saisissez la phrase de passe de votre magasin puis appuyez sur Entrée.",
        ));
    }
    lines.push(Line::raw(""));
    if app.unlock.busy {
        let text = app
            .progress
            .as_ref()
            .map(super::progress_text)
            .unwrap_or_else(|| "Ouverture du magasin…".into());
        lines.push(Line::styled(format!(" {text}"), t.header));
    } else if app.demo {
        lines.push(Line::styled(" Échap : quitter", t.key));
    } else {
        let masked: String = "•".repeat(app.unlock.input.chars().count());
        lines.push(Line::from(vec![
            Span::styled(" Phrase de passe : ", t.header),
            Span::raw(masked),
            Span::styled("▏", t.key),
        ]));
    }
    if let Some(err) = &app.unlock.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!(" ⚠ {err}"), t.block));
    }
    let rect = super::centered(area, 76, 10);
    let block = Block::bordered()
        .title(" Déverrouiller avis ")
        .border_style(t.focus_border);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
