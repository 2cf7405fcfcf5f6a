//! The document viewer as a component: its messages, key table and
//! update. Its drawing is [`super::viewer`]; its state
//! ([`crate::tui::app::ViewerState`]) and the encoding of scans stay with
//! the app, which receives the worker's replies.

use ratatui::crossterm::event::KeyCode;

use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::WorkerCommand;

/// The viewer's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    NextPage,
    PrevPage,
    /// Opens the pièce in the system viewer.
    OpenExternal,
}

/// The viewer's keys.
pub fn keymap(_app: &App) -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[Key::Code(KeyCode::Right), Key::Char('n'), Key::Char(' ')],
            "page suivante",
            Some("page"),
            |_| Action::Viewer(Msg::NextPage),
        )
        .hint_keys("→←"),
        Binding::new(
            &[Key::Code(KeyCode::Left), Key::Char('b')],
            "page précédente",
            None,
            |_| Action::Viewer(Msg::PrevPage),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Down), Key::Char('j')],
            "défiler vers le bas",
            None,
            |_| Action::Move(1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Up), Key::Char('k')],
            "défiler vers le haut",
            None,
            |_| Action::Move(-1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::PageDown)],
            "une page d'écran plus bas",
            None,
            |_| Action::Move(10),
        ),
        Binding::new(
            &[Key::Code(KeyCode::PageUp)],
            "une page d'écran plus haut",
            None,
            |_| Action::Move(-10),
        ),
        Binding::new(
            &[Key::Char('o')],
            "ouvrir dans la visionneuse du système",
            Some("visionneuse"),
            |_| Action::Viewer(Msg::OpenExternal),
        ),
        Binding::new(&[Key::Char('?')], "cette aide", Some("aide"), |_| {
            Action::ToggleHelp
        }),
        Binding::new(
            &[Key::Code(KeyCode::Esc), Key::Char('q')],
            "retour aux pièces",
            Some("retour"),
            |_| Action::Back,
        )
        .hint_keys("Échap"),
    ])
}

/// Carries out a message of the viewer.
pub fn update(app: &mut App, msg: Msg, out: &mut Vec<WorkerCommand>) {
    let Some(v) = app.viewer.as_mut() else {
        return;
    };
    match msg {
        Msg::NextPage if v.page + 1 < v.pages.len() => {
            v.page += 1;
            v.scroll = 0;
        }
        Msg::PrevPage if v.page > 0 => {
            v.page -= 1;
            v.scroll = 0;
        }
        Msg::OpenExternal => {
            out.push(WorkerCommand::OpenExternal {
                sha256: v.sha256.clone(),
                filename: v.filename.clone(),
            });
            app.set_message("Ouverture dans la visionneuse du système…", false);
        }
        _ => {}
    }
}

/// Moves and wheel scroll the page.
pub fn move_by(app: &mut App, d: isize) {
    if let Some(v) = app.viewer.as_mut() {
        v.scroll = (v.scroll as isize + d).clamp(0, u16::MAX as isize) as u16;
    }
}

/// Escape: back to the pièces. Copies for the external viewer live until
/// the request is left (the system viewer may still be reading them).
pub fn back(app: &mut App) {
    app.close_viewer();
    app.screen = Screen::Request;
}
