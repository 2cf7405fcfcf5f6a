//! A backup from the TUI (`S`): the folder is chosen in the file chooser,
//! the passphrase is asked again (the backup is encrypted to it, as `avis
//! sauvegarde` does), the worker writes `avis-sauvegarde-AAAA-MM-JJ.age`
//! there under a name not yet taken, and the result is shown.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{BackupReport, Orders, WorkerCommand, WorkerFailure};

/// Where the backup stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BackupPhase {
    #[default]
    Passphrase,
    Running,
    Done(BackupReport),
    Failed(String),
}

/// The backup screen's state.
#[derive(Debug, Default)]
pub struct BackupState {
    pub dir: PathBuf,
    pub input: Zeroizing<String>,
    pub phase: BackupPhase,
}

/// The backup screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Input(char),
    Backspace,
    Submit,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Backup(Msg::Input(c)),
        _ => Action::Backup(Msg::Backspace),
    }
}

/// The chooser gave the folder: the passphrase is asked.
pub fn start(app: &mut App, dir: PathBuf) {
    app.backup = BackupState {
        dir,
        ..BackupState::default()
    };
    app.screen = Screen::Backup;
}

/// The keys of the backup screen.
pub fn keymap(app: &App) -> KeyMap {
    match app.backup.phase {
        BackupPhase::Passphrase => KeyMap::new(vec![
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
                |_| Action::Backup(Msg::Backspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "écrire la sauvegarde",
                Some("sauvegarder"),
                |_| Action::Backup(Msg::Submit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "annuler",
                Some("annuler"),
                |_| Action::Back,
            ),
        ]),
        BackupPhase::Running => KeyMap::default(),
        _ => KeyMap::new(vec![Binding::new(
            &[Key::Code(KeyCode::Enter), Key::Code(KeyCode::Esc)],
            "retour à la liste des demandes",
            Some("retour"),
            |_| Action::Backup(Msg::Submit),
        )
        .hint_keys("Entrée")]),
    }
}

/// Carries out a message of the backup screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let b = &mut app.backup;
    match (&b.phase, msg) {
        (BackupPhase::Passphrase, Msg::Input(c)) => b.input.push(c),
        (BackupPhase::Passphrase, Msg::Backspace) => {
            b.input.pop();
        }
        (BackupPhase::Passphrase, Msg::Submit) => {
            if b.input.is_empty() {
                app.set_message("Saisissez votre phrase de passe puis Entrée", true);
                return;
            }
            let passphrase = SecretString::from(b.input.as_str().to_string());
            b.input.clear();
            b.phase = BackupPhase::Running;
            app.progress = None;
            let sent = out.push(WorkerCommand::Backup {
                dir: b.dir.clone(),
                passphrase,
            });
            app.expect(Job::Backup, sent);
        }
        (BackupPhase::Done(_) | BackupPhase::Failed(_), Msg::Submit) => {
            app.screen = Screen::Inbox;
        }
        _ => {}
    }
}

/// Échap: cancel before the backup starts, back to the inbox after.
pub fn back(app: &mut App) {
    if app.backup.phase != BackupPhase::Running {
        app.backup.input.clear();
        app.screen = Screen::Inbox;
    }
}

/// The worker's reply.
pub fn on_backed_up(app: &mut App, result: Result<BackupReport, WorkerFailure>) {
    app.progress = None;
    app.backup.phase = match result {
        Ok(r) => BackupPhase::Done(r),
        Err(e) => BackupPhase::Failed(clean(&e.to_string())),
    };
}

/// Draws the backup screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let b = &app.backup;
    let mut l = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled(" Dossier : ", t.header),
            Span::raw(clean(&b.dir.display().to_string())),
        ]),
        Line::raw(""),
    ];
    match &b.phase {
        BackupPhase::Passphrase => {
            l.push(Line::raw(
                " La sauvegarde est chiffrée avec votre phrase de passe actuelle : saisissez-la.",
            ));
            l.push(Line::raw(""));
            l.push(Line::from(vec![
                Span::styled(" Phrase de passe : ", t.header),
                Span::raw("•".repeat(b.input.chars().count())),
                Span::styled("▏", t.key),
            ]));
        }
        BackupPhase::Running => l.push(Line::styled(
            format!(
                " {}",
                app.progress
                    .as_ref()
                    .map(crate::tui::screens::progress_text)
                    .unwrap_or_else(|| "Sauvegarde chiffrée en cours…".into())
            ),
            t.header,
        )),
        BackupPhase::Done(r) => {
            l.push(Line::styled(
                format!(
                    " ✓ Sauvegarde écrite : {}",
                    clean(&r.path.display().to_string())
                ),
                t.ok,
            ));
            l.push(Line::raw(format!(
                "   {} fichier(s), {} Mo avant chiffrement.",
                r.files,
                r.bytes.div_ceil(1 << 20)
            )));
            l.push(Line::raw(
                " Gardez-la hors de cet ordinateur, et la phrase de passe ailleurs.",
            ));
            l.push(Line::styled(" Entrée : retour à la liste", t.dim));
        }
        BackupPhase::Failed(msg) => {
            l.push(Line::styled(
                format!(" ⚠ Sauvegarde impossible : {msg}"),
                t.block,
            ));
            l.push(Line::styled(" Entrée : retour à la liste", t.dim));
        }
    }
    let rect = crate::tui::screens::centered(area, 84, 12);
    crate::tui::screens::popup(app, frame, rect, " Sauvegarde chiffrée du magasin ", l);
}
