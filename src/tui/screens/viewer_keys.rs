//! The document viewer as a component: its messages, key table and
//! update. Its drawing and the logic of a pièce opened by the pièces'
//! session (zoom, pan, rotation, go to page, search) are in
//! [`super::viewer`]; its state ([`crate::tui::app::ViewerState`]) and the
//! encoding of scans stay with the app, which receives the worker's
//! replies.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::viewer::{InputKind, PieceView, ViewMode};
use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{back_key, help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand};

/// The viewer's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    NextPage,
    PrevPage,
    FirstPage,
    LastPage,
    /// Opens the pièce in the system viewer.
    OpenExternal,
    /// Scrolls the text, or moves the zoomed page up or down (lines).
    Scroll(isize),
    /// Image ↔ text.
    ToggleText,
    ZoomIn,
    ZoomOut,
    FitWidth,
    FitPage,
    Rotate,
    /// Moves the window (columns, rows: -1, 0 or 1).
    Pan(i8, i8),
    GoTo,
    Search,
    InputChar(char),
    InputBackspace,
    InputSubmit,
    InputCancel,
    NextMatch,
    PrevMatch,
}

fn msg(m: Msg) -> Action {
    Action::Viewer(m)
}

/// The viewer's keys for its current mode.
pub fn keymap(app: &App) -> KeyMap {
    let piece = app
        .viewer
        .as_ref()
        .map(|v| &v.piece)
        .filter(|p| p.info.is_some());
    match piece {
        None => plain_keymap(),
        Some(p) => match p.input.as_ref() {
            Some(input) => input_keymap(input.kind),
            None => piece_keymap(p),
        },
    }
}

/// Before the pièce opens, or a text given as is: pages and scrolling.
fn plain_keymap() -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[Key::Code(KeyCode::Right), Key::Char('n'), Key::Char(' ')],
            "page suivante",
            Some("page"),
            |_| msg(Msg::NextPage),
        )
        .hint_keys("→←"),
        Binding::new(
            &[Key::Code(KeyCode::Left), Key::Char('b')],
            "page précédente",
            None,
            |_| msg(Msg::PrevPage),
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
    ])
    .then(common_keymap())
}

/// A one-line input: a page number or words to find.
fn input_keymap(kind: InputKind) -> KeyMap {
    let (text, enter, hint) = match kind {
        InputKind::GoTo => ("taper le numéro de la page", "aller à cette page", "aller"),
        InputKind::Search => (
            "taper les mots à chercher",
            "chercher dans le texte",
            "chercher",
        ),
    };
    KeyMap::new(vec![
        Binding::new(&[Key::Code(KeyCode::Enter)], enter, Some(hint), |_| {
            msg(Msg::InputSubmit)
        }),
        Binding::new(
            &[Key::Code(KeyCode::Esc)],
            "annuler",
            Some("annuler"),
            |_| msg(Msg::InputCancel),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Backspace)],
            "effacer le dernier caractère",
            None,
            |_| msg(Msg::InputBackspace),
        ),
        Binding::new(&[Key::Text], text, None, |ev| match ev.code {
            KeyCode::Char(c) => msg(Msg::InputChar(c)),
            _ => msg(Msg::InputBackspace),
        }),
    ])
}

fn is_code(ev: &KeyEvent, codes: &[KeyCode]) -> bool {
    codes.contains(&ev.code)
}

/// A pièce opened by the pièces' session: pages, zoom, pan, rotation,
/// text view and search.
fn piece_keymap(p: &PieceView) -> KeyMap {
    let text = p.mode == ViewMode::Text;
    let (wide, tall) = if text { (false, false) } else { p.overflow() };
    let searching = text && p.search.as_ref().is_some_and(|s| !s.query.is_empty());
    let mut b = Vec::new();
    if wide {
        b.push(Binding::new(
            &[
                Key::Code(KeyCode::Left),
                Key::Char('h'),
                Key::Code(KeyCode::Right),
                Key::Char('l'),
            ],
            "se déplacer à gauche / à droite dans la page zoomée",
            None,
            |ev| {
                let left = is_code(ev, &[KeyCode::Left, KeyCode::Char('h')]);
                msg(Msg::Pan(if left { -1 } else { 1 }, 0))
            },
        ));
    }
    if tall {
        b.push(Binding::new(
            &[
                Key::Code(KeyCode::Up),
                Key::Char('k'),
                Key::Code(KeyCode::Down),
                Key::Char('j'),
            ],
            "se déplacer vers le haut / le bas dans la page zoomée",
            None,
            |ev| {
                let up = is_code(ev, &[KeyCode::Up, KeyCode::Char('k')]);
                msg(Msg::Pan(0, if up { -1 } else { 1 }))
            },
        ));
    }
    if text {
        b.push(Binding::new(
            &[
                Key::Code(KeyCode::Up),
                Key::Char('k'),
                Key::Code(KeyCode::Down),
                Key::Char('j'),
            ],
            "défiler le texte vers le haut / le bas",
            None,
            |ev| {
                let up = is_code(ev, &[KeyCode::Up, KeyCode::Char('k')]);
                msg(Msg::Scroll(if up { -1 } else { 1 }))
            },
        ));
    }
    if searching {
        b.push(
            Binding::new(
                &[Key::Char('n'), Key::Char('N')],
                "occurrence suivante / précédente",
                Some("occurrence"),
                |ev| {
                    if is_code(ev, &[KeyCode::Char('N')]) {
                        msg(Msg::PrevMatch)
                    } else {
                        msg(Msg::NextMatch)
                    }
                },
            )
            .hint_keys("n/N"),
        );
    }
    const RIGHT: Key = Key::Code(KeyCode::Right);
    const LEFT: Key = Key::Code(KeyCode::Left);
    const SPACE: Key = Key::Char(' ');
    const PGDN: Key = Key::Code(KeyCode::PageDown);
    const PGUP: Key = Key::Code(KeyCode::PageUp);
    let (next, prev): (&'static [Key], &'static [Key]) = match (wide, searching) {
        (false, false) => (
            &[RIGHT, SPACE, PGDN, Key::Char('n')],
            &[LEFT, Key::Char('b'), PGUP, Key::Char('N')],
        ),
        (true, false) => (
            &[SPACE, PGDN, Key::Char('n')],
            &[Key::Char('b'), PGUP, Key::Char('N')],
        ),
        (false, true) => (&[RIGHT, SPACE, PGDN], &[LEFT, Key::Char('b'), PGUP]),
        (true, true) => (&[SPACE, PGDN], &[Key::Char('b'), PGUP]),
    };
    b.push(
        Binding::new(next, "page suivante", Some("page"), |_| msg(Msg::NextPage))
            .hint_keys(if wide { "PgSuiv PgPréc" } else { "→←" }),
    );
    b.push(Binding::new(prev, "page précédente", None, |_| {
        msg(Msg::PrevPage)
    }));
    b.extend([
        Binding::new(
            &[Key::Code(KeyCode::Home), Key::Code(KeyCode::End)],
            "première / dernière page",
            None,
            |ev| {
                if is_code(ev, &[KeyCode::Home]) {
                    msg(Msg::FirstPage)
                } else {
                    msg(Msg::LastPage)
                }
            },
        ),
        Binding::new(
            &[Key::Char('g'), Key::Char(':')],
            "aller à la page… (numéro puis Entrée)",
            None,
            |_| msg(Msg::GoTo),
        ),
        Binding::new(
            &[Key::Char('t')],
            "basculer image / texte de la page",
            Some("texte/image"),
            |_| msg(Msg::ToggleText),
        ),
        Binding::new(
            &[Key::Char('+'), Key::Char('='), Key::Char('-')],
            "zoomer / dézoomer",
            Some("zoom"),
            |ev| {
                if is_code(ev, &[KeyCode::Char('-')]) {
                    msg(Msg::ZoomOut)
                } else {
                    msg(Msg::ZoomIn)
                }
            },
        )
        .hint_keys("+-"),
        Binding::new(&[Key::Char('w')], "pleine largeur", None, |_| {
            msg(Msg::FitWidth)
        }),
        Binding::new(
            &[Key::Char('f'), Key::Char('0')],
            "page entière",
            None,
            |_| msg(Msg::FitPage),
        ),
        Binding::new(
            &[Key::Char('r')],
            "tourner la page d'un quart de tour",
            Some("tourner"),
            |_| msg(Msg::Rotate),
        ),
        Binding::new(
            &[Key::Char('/')],
            "chercher dans le texte (mots puis Entrée)",
            Some("chercher"),
            |_| msg(Msg::Search),
        ),
    ]);
    KeyMap::new(b).then(common_keymap())
}

/// The external viewer, the help and the way back.
fn common_keymap() -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[Key::Char('o')],
            "ouvrir dans la visionneuse du système",
            Some("visionneuse"),
            |_| msg(Msg::OpenExternal),
        ),
        help_key(),
        back_key("retour aux pièces"),
    ])
}

/// Carries out a message of the viewer.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let ctx = app.viewer_ctx();
    let Some(v) = app.viewer.as_mut() else {
        return;
    };
    let outcome = super::viewer::update(v, msg, &ctx, out);
    app.after_viewer(outcome, out);
}

/// Moves and wheel scroll the text, or move the zoomed page.
pub fn move_by(app: &mut App, d: isize, out: &mut Orders) {
    update(app, Msg::Scroll(d), out);
}

/// Escape: closes the open input, else back to the pièces, and the pièces'
/// session forgets the document (its decrypted pages leave memory). Copies
/// for the external viewer live until the request is left (the system
/// viewer may still be reading them).
pub fn back(app: &mut App, out: &mut Orders) {
    if let Some(v) = app.viewer.as_mut().filter(|v| v.piece.input.is_some()) {
        v.piece.input = None;
        return;
    }
    app.close_viewer();
    out.push(WorkerCommand::Piece(
        crate::tui::document::PieceRequest::Close,
    ));
    app.screen = Screen::Request;
}
