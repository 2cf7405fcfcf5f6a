//! The export screen: which avis will leave, to which rectorat, the file
//! to write, a confirmation, the progress and the files written.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::store::ExportedFile;
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{help_key, Binding, Key, KeyMap};
use crate::tui::worker::{ExportItem, FailureKind, Orders, WorkerCommand, WorkerFailure};

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
    /// The file exists: nothing written; another name, or replace it.
    Exists(std::path::PathBuf),
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
    /// Tab: choose the folder in the file chooser.
    ChooseFolder,
    /// The file exists: write it under another name.
    OtherName,
    /// The file exists: replace it (asked explicitly).
    Replace,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Export(Msg::PathInput(c)),
        _ => Action::Export(Msg::PathBackspace),
    }
}

/// The keys of the export screen in its current phase.
pub fn keymap(app: &App) -> KeyMap {
    let help = help_key();
    match app.export.phase {
        ExportPhase::Editing => KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Tab)],
                "choisir le dossier (clé USB, Téléchargements…)",
                Some("dossier"),
                |_| Action::Export(Msg::ChooseFolder),
            ),
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
        ExportPhase::Exists(_) => KeyMap::new(vec![
            Binding::new(
                &[Key::Char('a'), Key::Code(KeyCode::Enter)],
                "écrire sous un autre nom (proposé, modifiable)",
                Some("autre nom"),
                |_| Action::Export(Msg::OtherName),
            )
            .hint_keys("a"),
            Binding::new(
                &[Key::Char('R')],
                "remplacer le fichier existant (Maj+R)",
                Some("remplacer"),
                |_| Action::Export(Msg::Replace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "revenir au choix du fichier",
                Some("retour"),
                |_| Action::Back,
            ),
            help,
        ]),
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
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
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
            let sent = out.push(WorkerCommand::Export(std::path::PathBuf::from(
                ex.path.trim(),
            )));
            app.expect(Job::Export, sent);
            app.progress = None;
        }
        (ExportPhase::Confirm, Msg::Confirm(false)) => ex.phase = ExportPhase::Editing,
        (ExportPhase::Editing, Msg::ChooseFolder) => crate::tui::screens::chooser::open(
            app,
            crate::tui::screens::chooser::Purpose::Export,
            out,
        ),
        (ExportPhase::Exists(p), Msg::OtherName) => {
            ex.path = other_name(&p.display().to_string());
            ex.phase = ExportPhase::Editing;
        }
        (ExportPhase::Exists(p), Msg::Replace) => {
            let path = p.clone();
            ex.path = path.display().to_string();
            ex.phase = ExportPhase::Running;
            let sent = out.push(WorkerCommand::ExportReplace(path));
            app.expect(Job::Export, sent);
            app.progress = None;
        }
        (ExportPhase::Done(_) | ExportPhase::Failed(_), Msg::Submit) => {
            app.screen = Screen::Inbox;
            ex.phase = ExportPhase::Editing;
            out.push(WorkerCommand::LoadSummaries);
        }
        _ => {}
    }
}

/// Escape: back to choosing the file, or to the inbox.
pub fn back(app: &mut App, out: &mut Orders) {
    match app.export.phase {
        ExportPhase::Running => {}
        ExportPhase::Confirm | ExportPhase::Exists(_) => app.export.phase = ExportPhase::Editing,
        _ => {
            app.screen = Screen::Inbox;
            app.export.phase = ExportPhase::Editing;
            out.push(WorkerCommand::LoadSummaries);
        }
    }
}

/// `path` with `-2` before its extension (`-3` if it ended in `-2`…): a
/// name to propose when the file exists (the export refuses again if that
/// one exists too).
pub fn other_name(path: &str) -> String {
    let (stem, ext) = match path.rsplit_once('.') {
        Some((s, e)) if !e.contains('/') && !s.ends_with('/') => (s, format!(".{e}")),
        _ => (path, String::new()),
    };
    let (base, n) = match stem.rsplit_once('-') {
        Some((b, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && n.len() < 4 => {
            (b, n.parse::<u32>().unwrap_or(1) + 1)
        }
        _ => (stem, 2),
    };
    format!("{base}-{n}{ext}")
}

/// The worker's destination in the remembered folder.
pub fn on_destination(app: &mut App, path: Option<std::path::PathBuf>) {
    if let Some(p) = path {
        if app.export.phase == ExportPhase::Editing {
            app.export.path = p.display().to_string();
        }
    }
}

/// The export's result: the files written; or the file exists (nothing
/// written: another name, or replace it); or why it failed.
pub fn on_exported(
    app: &mut App,
    result: Result<Vec<ExportedFile>, WorkerFailure>,
    out: &mut Orders,
) {
    app.progress = None;
    app.export.phase = match result {
        Ok(files) => ExportPhase::Done(files),
        Err(f) => match f.kind() {
            FailureKind::FileExists(path) => {
                app.export.path = path.display().to_string();
                app.export.phase = ExportPhase::Exists(path.clone());
                return;
            }
            _ => ExportPhase::Failed(clean(&f.to_string())),
        },
    };
    out.push(WorkerCommand::LoadSummaries);
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

#[cfg(test)]
mod tests {
    use super::other_name;

    #[test]
    fn another_name_is_proposed() {
        assert_eq!(
            other_name("/tmp/avis-2026-11-02-n3.avis"),
            "/tmp/avis-2026-11-02-n3-2.avis"
        );
        assert_eq!(other_name("/tmp/x-2.avis"), "/tmp/x-3.avis");
        assert_eq!(other_name("sans"), "sans-2");
    }
}
