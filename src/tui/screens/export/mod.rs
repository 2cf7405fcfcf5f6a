//! The export screen: which avis will leave, to which rectorat, the file
//! to write, a confirmation, the progress and the files written.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::store::ExportedFile;
use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{ExportItem, WorkerCommand};

mod view;
pub use view::render;

/// Where the export stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportPhase {
    /// Choosing the file.
    Editing,
    /// Asking for confirmation.
    Confirm,
    Running,
    Done(Vec<ExportedFile>),
    Failed(String),
}

/// The export screen's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportState {
    /// `None` until the worker lists the validated avis.
    pub items: Option<Vec<ExportItem>>,
    pub path: String,
    pub phase: ExportPhase,
}

/// The export screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    PathInput(char),
    PathBackspace,
    /// Enter: ask for confirmation (or, once done, back to the inbox).
    Submit,
    Confirm(bool),
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Export(Msg::PathInput(c)),
        _ => Action::Export(Msg::PathBackspace),
    }
}

/// The keys of the export screen in its current phase.
pub fn keymap(app: &App) -> KeyMap {
    let help = Binding::new(&[Key::Char('?')], "cette aide", Some("aide"), |_| {
        Action::ToggleHelp
    });
    match app.export.phase {
        ExportPhase::Editing => KeyMap::new(vec![
            Binding::new(&[Key::Text], "modifier le fichier à écrire", None, typed),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| Action::Export(Msg::PathBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "exporter (une confirmation est demandée)",
                Some("exporter"),
                |_| Action::Export(Msg::Submit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "retour à la liste",
                Some("retour"),
                |_| Action::Back,
            ),
        ]),
        ExportPhase::Confirm => KeyMap::new(vec![
            Binding::new(
                &[Key::Char('o'), Key::Char('O'), Key::Code(KeyCode::Enter)],
                "oui, exporter",
                Some("oui"),
                |_| Action::Export(Msg::Confirm(true)),
            )
            .hint_keys("o"),
            Binding::new(
                &[Key::Char('n'), Key::Char('N'), Key::Code(KeyCode::Esc)],
                "non, revenir au choix du fichier",
                Some("non"),
                |_| Action::Export(Msg::Confirm(false)),
            )
            .hint_keys("n"),
            help,
        ]),
        ExportPhase::Running => KeyMap::default(),
        ExportPhase::Done(_) | ExportPhase::Failed(_) => KeyMap::new(vec![
            Binding::new(
                &[
                    Key::Code(KeyCode::Enter),
                    Key::Code(KeyCode::Esc),
                    Key::Char('q'),
                ],
                "retour à la liste",
                Some("retour"),
                |_| Action::Export(Msg::Submit),
            )
            .hint_keys("Entrée"),
            help,
        ]),
    }
}

/// Carries out a message of the export screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Vec<WorkerCommand>) {
    let ex = &mut app.export;
    match (&ex.phase, msg) {
        (ExportPhase::Editing, Msg::PathInput(c)) => ex.path.push(c),
        (ExportPhase::Editing, Msg::PathBackspace) => {
            ex.path.pop();
        }
        (ExportPhase::Editing, Msg::Submit) => {
            let empty = ex.items.as_ref().is_none_or(|i| i.is_empty());
            if empty {
                app.set_message(
                    "Aucun avis validé à exporter : validez d'abord des avis dans l'éditeur (v)",
                    true,
                );
            } else if ex.path.trim().is_empty() {
                app.set_message(
                    "Indiquez le fichier à écrire (par exemple ./avis-export.avis)",
                    true,
                );
            } else {
                ex.phase = ExportPhase::Confirm;
            }
        }
        (ExportPhase::Confirm, Msg::Confirm(true)) => {
            ex.phase = ExportPhase::Running;
            out.push(WorkerCommand::Export(std::path::PathBuf::from(
                ex.path.trim(),
            )));
            app.progress = None;
        }
        (ExportPhase::Confirm, Msg::Confirm(false)) => ex.phase = ExportPhase::Editing,
        (ExportPhase::Done(_) | ExportPhase::Failed(_), Msg::Submit) => {
            app.screen = Screen::Inbox;
            ex.phase = ExportPhase::Editing;
            out.push(WorkerCommand::LoadSummaries);
        }
        _ => {}
    }
}

/// Escape: back to choosing the file, or to the inbox.
pub fn back(app: &mut App, out: &mut Vec<WorkerCommand>) {
    match app.export.phase {
        ExportPhase::Running => {}
        ExportPhase::Confirm => app.export.phase = ExportPhase::Editing,
        _ => {
            app.screen = Screen::Inbox;
            app.export.phase = ExportPhase::Editing;
            out.push(WorkerCommand::LoadSummaries);
        }
    }
}

/// Pasted text goes into the file name (one line).
pub fn paste(app: &mut App, text: &str) {
    if app.export.phase == ExportPhase::Editing {
        let first = text.lines().next().unwrap_or("");
        app.export
            .path
            .extend(first.chars().filter(|c| !c.is_control()));
    }
}
