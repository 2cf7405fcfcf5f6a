//! Importing a bundle from the TUI (`i`): the file is chosen in the file
//! chooser, the worker verifies and imports it with a progress bar, then
//! the summary: new, updated and unchanged requests, and those « à
//! revoir » (`5` shows them in the inbox).

use std::path::PathBuf;

use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{FailureKind, ImportReport, Orders, WorkerCommand, WorkerFailure};

/// Where the import stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ImportPhase {
    #[default]
    Running,
    Done(ImportReport),
    /// Nothing imported: why, and whether the bundle's signer is not a
    /// trusted key yet (the trust screen can fix it).
    Failed {
        text: String,
        untrusted: bool,
    },
}

/// The import screen's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportState {
    /// The bundle's file name, cleaned.
    pub file: String,
    pub phase: ImportPhase,
}

/// The import screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Back to the inbox.
    Close,
    /// To the inbox, showing only the requests « à revoir ».
    ShowReview,
}

/// Starts importing `path` on the worker.
pub fn start(app: &mut App, path: PathBuf, out: &mut Orders) {
    app.import = ImportState {
        file: clean(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        phase: ImportPhase::Running,
    };
    app.progress = None;
    app.screen = Screen::Import;
    let sent = out.push(WorkerCommand::Import(path));
    app.expect(Job::Import, sent);
}

/// The keys of the import screen.
pub fn keymap(app: &App) -> KeyMap {
    match &app.import.phase {
        ImportPhase::Running => KeyMap::default(),
        phase => {
            let mut b = vec![Binding::new(
                &[Key::Code(KeyCode::Enter), Key::Code(KeyCode::Esc)],
                "retour à la liste des demandes",
                Some("retour"),
                |_| Action::Import(Msg::Close),
            )
            .hint_keys("Entrée")];
            if matches!(phase, ImportPhase::Done(r) if r.to_review > 0) {
                b.push(Binding::new(
                    &[Key::Char('5')],
                    "voir les demandes à revoir",
                    Some("à revoir"),
                    |_| Action::Import(Msg::ShowReview),
                ));
            }
            KeyMap::new(b)
        }
    }
}

/// Carries out a message of the import screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    if app.import.phase == ImportPhase::Running {
        return;
    }
    if msg == Msg::ShowReview {
        crate::tui::screens::inbox::update(app, crate::tui::screens::inbox::Msg::ReviewFilter, out);
    }
    app.screen = Screen::Inbox;
}

/// Échap: like Entrée, once the import is over.
pub fn back(app: &mut App, out: &mut Orders) {
    update(app, Msg::Close, out);
}

/// The worker's reply: the summary, and the inbox read again.
pub fn on_imported(app: &mut App, result: Result<ImportReport, WorkerFailure>, out: &mut Orders) {
    app.progress = None;
    app.import.phase = match result {
        Ok(r) => ImportPhase::Done(r),
        Err(e) => ImportPhase::Failed {
            untrusted: *e.kind() == FailureKind::UntrustedSigner,
            text: clean(&e.to_string()),
        },
    };
    out.push(WorkerCommand::LoadSummaries);
}

/// Draws the import screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let im = &app.import;
    let rect = crate::tui::screens::centered(area, 84, 14);
    let block = Block::bordered()
        .title(format!(" Import du lot {} ", im.file))
        .border_style(t.focus_border);
    match &im.phase {
        ImportPhase::Running => {
            let inner = block.inner(rect);
            frame.render_widget(block, rect);
            let [text, bar] =
                Layout::vertical([Constraint::Length(3), Constraint::Length(3)]).areas(inner);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(""),
                    Line::raw(" Vérification de la signature et import, tout ou rien…"),
                ]),
                text,
            );
            let (label, ratio) = match &app.progress {
                Some(p) if p.total > 0 => (
                    crate::tui::screens::progress_text(p),
                    (p.done.min(p.total) as f64) / (p.total as f64),
                ),
                _ => ("Import en cours…".to_string(), 0.0),
            };
            frame.render_widget(
                Gauge::default()
                    .block(Block::bordered().border_style(t.border))
                    .gauge_style(t.selected)
                    .ratio(ratio)
                    .label(label),
                bar,
            );
        }
        ImportPhase::Done(r) => {
            let mut l = vec![Line::raw("")];
            if r.already {
                l.push(Line::styled(
                    format!(
                        " Le lot {} avait déjà été importé : rien n'a changé.",
                        clean(&r.bundle_id)
                    ),
                    t.ok,
                ));
            } else {
                l.push(Line::styled(
                    format!(" ✓ Lot {} importé", clean(&r.bundle_id)),
                    t.ok,
                ));
                l.push(Line::raw(""));
                l.push(Line::raw(format!(
                    "   Nouvelles demandes :          {}",
                    r.new
                )));
                l.push(Line::raw(format!(
                    "   Demandes mises à jour :       {}",
                    r.updated
                )));
                l.push(Line::raw(format!(
                    "   Demandes inchangées :         {}",
                    r.unchanged
                )));
                l.push(Line::raw(format!(
                    "   Pièces reçues :               {}",
                    r.documents
                )));
                if r.to_review > 0 {
                    l.push(Line::styled(
                        format!(
                            "   À revoir (avis commencé, nouvelle version) : {}   — 5 pour les voir",
                            r.to_review
                        ),
                        t.warn,
                    ));
                }
            }
            l.push(Line::raw(""));
            l.push(Line::styled(" Entrée : retour à la liste", t.dim));
            frame.render_widget(
                Paragraph::new(l).block(block).wrap(Wrap { trim: false }),
                rect,
            );
        }
        ImportPhase::Failed {
            text: msg,
            untrusted,
        } => frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::styled(format!(" ⚠ Le lot n'a pas été importé : {msg}"), t.block),
                Line::raw(""),
                Line::raw(" Rien n'a changé dans le magasin."),
                if *untrusted {
                    Line::raw(
                        " Dans l'interface : K depuis la liste pour accepter la clé du rectorat.",
                    )
                } else {
                    Line::raw("")
                },
                Line::styled(" Entrée : retour à la liste", t.dim),
            ])
            .block(block)
            .wrap(Wrap { trim: false }),
            rect,
        ),
    }
}
