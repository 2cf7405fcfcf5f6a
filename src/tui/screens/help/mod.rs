//! The overlays drawn over any screen: the help ("Aide": the key table of
//! the current screen and mode, then the keys of every screen), the log of
//! this session's messages, and the question asked when quitting with a
//! draft that is not saved. Their keys are tables too.

use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::{Action, QuitChoice};
use crate::tui::app::App;
use crate::tui::keymap::{Binding, Key, KeyMap};

/// The keys while the help is open.
pub fn help_keymap() -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[
                Key::Code(KeyCode::Esc),
                Key::Char('?'),
                Key::Code(KeyCode::Enter),
                Key::Char('q'),
                Key::Code(KeyCode::F(1)),
            ],
            "fermer l'aide",
            Some("fermer"),
            |_| Action::ToggleHelp,
        )
        .hint_keys("Échap"),
        super::quit_binding(),
    ])
}

/// The keys while the message log is open.
pub fn log_keymap() -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[
                Key::Code(KeyCode::Esc),
                Key::Code(KeyCode::Enter),
                Key::Char('q'),
                Key::Code(KeyCode::F(2)),
            ],
            "fermer le journal des messages",
            Some("fermer"),
            |_| Action::ToggleLog,
        )
        .hint_keys("Échap"),
        super::quit_binding(),
    ])
}

/// The keys of the quit question.
pub fn quit_keymap() -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[Key::Char('e'), Key::Char('E')],
            "enregistrer de nouveau le brouillon",
            Some("enregistrer de nouveau"),
            |_| Action::QuitChoice(QuitChoice::SaveAgain),
        )
        .hint_keys("e"),
        Binding::new(
            &[Key::Char('g'), Key::Char('G')],
            "le garder dans un fichier de secours chiffré, puis quitter",
            Some("fichier de secours"),
            |_| Action::QuitChoice(QuitChoice::KeepRecovery),
        )
        .hint_keys("g"),
        Binding::new(
            &[Key::Char('p'), Key::Char('P')],
            "quitter et le perdre",
            Some("quitter et le perdre"),
            |_| Action::QuitChoice(QuitChoice::Lose),
        )
        .hint_keys("p"),
        Binding::new(
            &[Key::Code(KeyCode::Esc)],
            "ne pas quitter",
            Some("rester"),
            |_| Action::QuitChoice(QuitChoice::Cancel),
        ),
    ])
}

/// Draws the help over the current screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let entries = super::help(app);
    let key_w = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(28);
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
    let width = area.width.saturating_sub(4).min(100);
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows_of = |l: &Line| l.width().div_ceil(inner).max(1);
    let mut rows: usize = lines.iter().map(rows_of).sum();
    // Too long for the terminal: what is cut is said, with "…".
    let room = (area.height as usize).saturating_sub(2);
    if rows > room {
        let mut kept = Vec::new();
        let mut used = 1;
        for l in lines {
            if used + rows_of(&l) > room {
                break;
            }
            used += rows_of(&l);
            kept.push(l);
        }
        kept.push(Line::styled(
            " … (la suite ne tient pas : agrandissez le terminal ; Échap ferme)".to_string(),
            app.theme.dim,
        ));
        lines = kept;
        rows = room;
    }
    let height = (rows as u16).saturating_add(2);
    let rect = super::centered(area, width, height);
    super::popup(app, frame, rect, " Aide ", lines);
}

/// Draws the log of this session's messages, the latest last.
pub fn render_log(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if app.log.is_empty() {
        lines.push(Line::styled(" Aucun message pendant cette session.", t.dim));
    }
    let room = area.height.saturating_sub(5) as usize;
    let skip = app.log.len().saturating_sub(room.max(1));
    for (i, n) in app.log.iter().enumerate().skip(skip) {
        let prefix = if n.error { "⚠ " } else { "" };
        lines.push(Line::styled(
            format!(" {:>3}. {prefix}{}", i + 1, n.text),
            if n.error { t.block } else { t.base },
        ));
    }
    lines.push(Line::styled(" Échap ou F2 : fermer", t.dim));
    let height = (lines.len() as u16).saturating_add(2);
    let rect = super::centered(area, area.width.saturating_sub(4).min(110), height);
    super::popup(app, frame, rect, " Messages de la session ", lines);
}

/// Draws the question asked when quitting with a draft that is not saved.
pub fn render_quit(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(q) = app.quit.as_ref() else {
        return;
    };
    let mut lines = vec![
        Line::styled(
            " Le brouillon de cet avis n'est pas enregistré.".to_string(),
            t.block,
        ),
        Line::raw(""),
    ];
    if let Some(why) = &q.reason {
        lines.push(Line::raw(format!(" {why}")));
        lines.push(Line::raw(""));
    }
    for (k, what) in quit_keymap().help() {
        lines.push(Line::from(vec![
            Span::styled(format!(" {k:<6} "), t.key),
            Span::raw(what.to_string()),
        ]));
    }
    let rect = super::centered(
        area,
        area.width.saturating_sub(4).min(80),
        lines.len() as u16 + 2,
    );
    super::popup(app, frame, rect, " Quitter ? ", lines);
}
