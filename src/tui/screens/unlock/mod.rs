//! The unlock screen: the passphrase, masked; the error if it was wrong;
//! the progress while the store opens (or the demo store is prepared).

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::tui::action::Action;
use crate::tui::app::{App, Job};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{FailureKind, Orders, WorkerCommand, WorkerFailure};

mod view;
pub use view::render;

/// The unlock screen's state.
#[derive(Debug, Default)]
pub struct UnlockState {
    pub input: Zeroizing<String>,
    pub error: Option<String>,
    pub busy: bool,
}

/// The unlock screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Input(char),
    Backspace,
    Submit,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Unlock(Msg::Input(c)),
        _ => Action::Unlock(Msg::Backspace),
    }
}

/// The keys of the unlock screen in its current state.
pub fn keymap(app: &App) -> KeyMap {
    let quit = Binding::new(
        &[Key::Code(KeyCode::Esc)],
        "quitter",
        Some("quitter"),
        |_| Action::Back,
    );
    if app.unlock.busy || (app.demo && app.locked.is_none()) {
        return KeyMap::new(vec![quit]);
    }
    KeyMap::new(vec![
        Binding::new(
            &[Key::Text],
            "saisir la phrase de passe (masquée)",
            None,
            typed,
        ),
        Binding::new(
            &[Key::Code(KeyCode::Backspace)],
            "effacer le dernier caractère",
            None,
            |_| Action::Unlock(Msg::Backspace),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter)],
            "déverrouiller",
            Some("déverrouiller"),
            |_| Action::Unlock(Msg::Submit),
        ),
        quit,
    ])
}

/// Carries out a message of the unlock screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    // The demo has no passphrase to open, but one to unlock after a lock.
    if app.unlock.busy || (app.demo && app.locked.is_none()) {
        return;
    }
    match msg {
        Msg::Input(c) => app.unlock.input.push(c),
        Msg::Backspace => {
            app.unlock.input.pop();
        }
        Msg::Submit => {
            if app.unlock.input.is_empty() {
                app.unlock.error =
                    Some("saisissez votre phrase de passe puis appuyez sur Entrée".into());
                return;
            }
            let pass = SecretString::from(app.unlock.input.as_str().to_string());
            app.unlock.input.clear();
            app.unlock.busy = true;
            app.unlock.error = None;
            let sent = out.push(WorkerCommand::Unlock(pass));
            app.expect(Job::Unlock, sent);
        }
    }
}

/// The store did not open. Only a wrong passphrase is worth typing again;
/// any other failure says so.
pub fn failed(app: &mut App, failure: &WorkerFailure) {
    app.unlock.busy = false;
    app.progress = None;
    let text = match failure.kind() {
        FailureKind::WrongPassphrase => failure.to_string(),
        _ => format!("{failure} (la phrase de passe n'est pas en cause)"),
    };
    app.unlock.error = Some(clean(&text));
}

/// A pasted passphrase (its first line).
pub fn paste(app: &mut App, text: &str) {
    if app.unlock.busy || (app.demo && app.locked.is_none()) {
        return;
    }
    let first = text.lines().next().unwrap_or("");
    app.unlock
        .input
        .extend(first.chars().filter(|c| !c.is_control()));
}
