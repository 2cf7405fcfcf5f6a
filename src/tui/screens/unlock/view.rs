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
    let locked = app.locked.as_ref();
    if let Some(lock) = locked {
        lines.push(Line::styled(
            if lock.idle {
                " Session verrouillée après inactivité — saisissez votre phrase de passe"
            } else {
                " Session verrouillée (Ctrl+L) — saisissez votre phrase de passe"
            },
            t.header,
        ));
        if app.demo {
            lines.push(Line::raw(format!(
                " (démo : phrase de passe « {} »)",
                crate::tui::demo::DEMO_PASSPHRASE
            )));
        }
        if lock.save_failed {
            lines.push(Line::styled(
                " ⚠ Le brouillon n'a pas pu être enregistré : il est gardé en mémoire",
                t.block,
            ));
            lines.push(Line::styled(
                "   et sera enregistré après le déverrouillage ; ne quittez pas avant.",
                t.block,
            ));
        } else if app.resume.as_ref().is_some_and(|r| r.pending.is_some()) {
            lines.push(Line::raw(" Enregistrement du brouillon…"));
        }
    } else if app.demo {
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
            .map(crate::tui::screens::progress_text)
            .unwrap_or_else(|| "Ouverture du magasin…".into());
        lines.push(Line::styled(format!(" {text}"), t.header));
    } else if app.demo && locked.is_none() {
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
    let rect = crate::tui::screens::centered(area, 76, if locked.is_some() { 12 } else { 10 });
    let block = Block::bordered()
        .title(if locked.is_some() {
            " Session verrouillée "
        } else {
            " Déverrouiller avis "
        })
        .border_style(t.focus_border);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
