//! The question asked after the unlock when dossiers are past their
//! retention: how many, what goes, what stays, that it cannot be undone,
//! and that a backup made before still holds them. Nothing is purged
//! without the explicit `o` key; the purge runs on the worker.

use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::keymap::{help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand, WorkerFailure};

/// What the worker found past retention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeDue {
    /// Dossiers to purge.
    pub dossiers: usize,
    /// Their pièces.
    pub documents: usize,
    /// The retention, in months after the export.
    pub months: u32,
}

/// Where the question stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PurgePhase {
    #[default]
    Asking,
    Running,
    /// How many dossiers were purged, or why it failed.
    Done(Result<usize, WorkerFailure>),
}

/// The purge question's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PurgeState {
    /// Asked already in this session (not again at the next unlock).
    pub asked: bool,
    pub due: PurgeDue,
    pub phase: PurgePhase,
}

/// The purge question's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// `o`: purge now.
    Confirm,
    /// `n`, Échap: not now.
    Later,
    /// After the result: back to the inbox.
    Close,
}

/// The keys of the purge question.
pub fn keymap(app: &App) -> KeyMap {
    let help = help_key();
    match app.purge.phase {
        PurgePhase::Asking => KeyMap::new(vec![
            Binding::new(
                &[Key::Char('o'), Key::Char('O')],
                "oui, purger définitivement ces dossiers (irréversible)",
                Some("oui, purger"),
                |_| Action::Purge(Msg::Confirm),
            )
            .hint_keys("o"),
            Binding::new(
                &[Key::Char('n'), Key::Char('N'), Key::Code(KeyCode::Esc)],
                "non, plus tard (la question revient au prochain démarrage ; ou « avis purge »)",
                Some("plus tard"),
                |_| Action::Purge(Msg::Later),
            )
            .hint_keys("n"),
            help,
        ]),
        PurgePhase::Running => KeyMap::default(),
        PurgePhase::Done(_) => KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Enter), Key::Code(KeyCode::Esc)],
                "retour à la liste",
                Some("retour"),
                |_| Action::Purge(Msg::Close),
            )
            .hint_keys("Entrée"),
            help,
        ]),
    }
}

/// The worker's count of dossiers past retention: the question is asked
/// if there are some and the doctor is on the inbox (not in a dossier).
pub fn on_due(app: &mut App, result: Result<PurgeDue, WorkerFailure>) {
    match result {
        Ok(due) if due.dossiers > 0 && app.screen == Screen::Inbox && app.request.is_none() => {
            app.purge.due = due;
            app.purge.phase = PurgePhase::Asking;
            app.screen = Screen::Purge;
        }
        Ok(_) => {}
        Err(msg) => app.message_on(
            app.screen_of(Job::PurgeDue),
            format!("les dossiers à purger n'ont pas pu être comptés : {msg}"),
            true,
        ),
    }
}

/// The purge's result.
pub fn on_purged(app: &mut App, result: Result<usize, WorkerFailure>, out: &mut Orders) {
    app.progress = None;
    app.purge.phase = PurgePhase::Done(result);
    out.push(WorkerCommand::LoadSummaries);
}

/// Carries out a message of the purge question.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    match (&app.purge.phase, msg) {
        (PurgePhase::Asking, Msg::Confirm) => {
            app.purge.phase = PurgePhase::Running;
            let sent = out.push(WorkerCommand::Purge);
            app.expect(Job::Purge, sent);
        }
        (PurgePhase::Asking, Msg::Later) => {
            app.screen = Screen::Inbox;
            app.set_message(
                "Purge remise à plus tard : rien n'a été supprimé ; la question reviendra au prochain démarrage",
                false,
            );
        }
        (PurgePhase::Done(result), Msg::Close) => {
            let text = match result {
                Ok(n) => Some((done_text(*n), false)),
                Err(e) => Some((format!("La purge a échoué : {e}"), true)),
            };
            app.screen = Screen::Inbox;
            app.purge.phase = PurgePhase::Asking;
            if let Some((text, error)) = text {
                app.set_message(text, error);
            }
        }
        _ => {}
    }
}

/// Escape: not now (never while the purge runs).
pub fn back(app: &mut App) {
    match app.purge.phase {
        PurgePhase::Asking => {
            let mut out = Orders::default();
            update(app, Msg::Later, &mut out);
        }
        PurgePhase::Running => {}
        PurgePhase::Done(_) => {
            let mut out = Orders::default();
            update(app, Msg::Close, &mut out);
        }
    }
}

fn done_text(n: usize) -> String {
    format!(
        "{n} dossier(s) purgé(s) : pièces et contenu des demandes supprimés du magasin, avis exportés conservés. Une sauvegarde faite avant la purge les contient encore : gardez-la en lieu sûr ou détruisez-la."
    )
}

/// Draws the purge question.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let p = &app.purge;
    let mut lines: Vec<Line> = Vec::new();
    match &p.phase {
        PurgePhase::Asking | PurgePhase::Running => {
            lines.push(Line::from(vec![
                Span::styled(format!(" {} dossier(s)", p.due.dossiers), t.header),
                Span::raw(format!(
                    " ont dépassé la durée de conservation ({} mois après l'export de l'avis).",
                    p.due.months
                )),
            ]));
            lines.push(Line::raw(""));
            lines.push(Line::styled(" Ce qui est supprimé du magasin :", t.header));
            lines.push(Line::raw(format!(
                "   • les pièces ({} au total) et le contenu des demandes (identité, troubles, commentaires) ;",
                p.due.documents
            )));
            lines.push(Line::raw(
                "   • sans retour possible : les fichiers du magasin sont réécrits et compactés.",
            ));
            lines.push(Line::styled(" Ce qui est conservé :", t.header));
            lines.push(Line::raw(
                "   • les avis exportés (imprimables), le numéro de chaque demande, le journal (rien de médical) et ce que compte le bilan d'activité (diplôme, session, dates, codes des mesures).",
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                " ⚠ Irréversible. Une sauvegarde faite avant la purge contient encore ces dossiers : gardez-la en lieu sûr ou détruisez-la.",
                t.warn,
            ));
            lines.push(Line::raw(""));
            if p.phase == PurgePhase::Running {
                lines.push(Line::styled(
                    " Purge en cours… ne fermez pas l'application.",
                    t.dim,
                ));
            } else {
                lines.push(Line::from(vec![
                    Span::raw(" Purger maintenant ? "),
                    Span::styled("o", t.key),
                    Span::raw(" oui, purger   "),
                    Span::styled("n", t.key),
                    Span::raw(" plus tard"),
                ]));
            }
        }
        PurgePhase::Done(Ok(n)) => lines.push(Line::styled(format!(" {}", done_text(*n)), t.ok)),
        PurgePhase::Done(Err(e)) => {
            lines.push(Line::styled(
                format!(
                    " ⚠ La purge a échoué : {}",
                    crate::tui::clean::clean(&e.to_string())
                ),
                t.block,
            ));
            lines.push(Line::raw(
                " Le magasin reprendra la purge interrompue à la prochaine purge (« avis purge »).",
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Durée de conservation dépassée ")
                    .border_style(t.focus_border),
            )
            .wrap(Wrap { trim: false }),
        area,
    );
}
