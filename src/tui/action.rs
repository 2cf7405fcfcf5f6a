//! The application's message: what concerns every screen (quit, help,
//! lock, time, size, navigation, paste, worker replies), and one variant
//! per screen carrying that screen's own message enum. Keys become
//! [`Action`]s through the screens' key tables ([`super::keymap`]);
//! [`super::app::App::update`] routes each to its screen.

use std::time::Instant;

use super::screens::{
    backup, chooser, editor, export, figures, import, inbox, paper, purge, request, trust, unlock,
    viewer_keys, welcome,
};
use super::worker::Reply;

/// A message for [`super::app::App::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the application (the draft is saved first; asks if it cannot be).
    Quit,
    /// An answer in the quit dialog shown when a draft is not saved.
    QuitChoice(QuitChoice),
    /// Go back one screen, or close the open overlay or input.
    Back,
    ToggleHelp,
    /// The log of this session's messages.
    ToggleLog,
    ToggleContrast,
    /// Time passes (drives the debounced save and the idle lock).
    Tick(Instant),
    /// Lock the session now (Ctrl+L): save, close the store, ask the
    /// passphrase again.
    Lock,
    Resize(u16, u16),
    /// Move in the current list (lines: positive down).
    Move(isize),
    /// A click at (column, row) of the terminal.
    Click(u16, u16),
    /// Mouse wheel: lines down (positive) or up.
    Wheel(isize),
    /// Text pasted in the terminal (bracketed paste), whole.
    Paste(String),

    Unlock(unlock::Msg),
    Inbox(inbox::Msg),
    Request(request::Msg),
    Editor(editor::Msg),
    Viewer(viewer_keys::Msg),
    Export(export::Msg),
    Figures(figures::Msg),
    Purge(purge::Msg),
    Welcome(welcome::Msg),
    Keys(welcome::keys::Msg),
    Trust(trust::Msg),
    Chooser(chooser::Msg),
    Import(import::Msg),
    Backup(backup::Msg),
    Paper(paper::Msg),

    /// A reply from the worker.
    Worker(Reply),
}

impl Action {
    /// A reply from the worker: a [`Reply`], or a bare
    /// [`super::worker::WorkerEvent`] that answers no command in particular.
    pub fn worker(reply: impl Into<Reply>) -> Action {
        Action::Worker(reply.into())
    }
}

/// What the doctor chose when quitting with a draft that is not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitChoice {
    /// Try to save the draft again.
    SaveAgain,
    /// Keep it in a recovery file sealed under the store's data key.
    KeepRecovery,
    /// Quit and lose it.
    Lose,
    /// Do not quit.
    Cancel,
}
