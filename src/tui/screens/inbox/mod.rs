//! The inbox: counts per status, the filter line, and the table of
//! requests ([`model`] keeps the rows, the filter and the sort; [`view`]
//! draws them).

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::Status;
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::keymap::{contrast_key, help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand};

pub mod model;
pub mod view;

pub use model::{fold, InboxRow, InboxState, SortKey};
pub use view::{render, row_at, table_rows};

/// The inbox's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    MoveTo(usize),
    MoveFirst,
    MoveLast,
    OpenSelected,
    StartFilter,
    FilterInput(char),
    FilterBackspace,
    /// Leave the filter field and open the selected request.
    FilterSubmit,
    FilterClear,
    CycleSort,
    ReverseSort,
    StatusFilter(Option<Status>),
    /// Only the requests "à revoir" (a newer version came after the draft).
    ReviewFilter,
    OpenExport,
    /// The figures screen.
    OpenFigures,
    /// Prints the selected request's avis (`false`) or every exported
    /// avis (`true`).
    Print(bool),
    OpenImport,
    OpenTrust,
    OpenBackup,
}

fn status_key(ev: &KeyEvent) -> Action {
    let status = match ev.code {
        KeyCode::Char('1') => Some(Status::ATraiter),
        KeyCode::Char('2') => Some(Status::Brouillon),
        KeyCode::Char('3') => Some(Status::Valide),
        KeyCode::Char('4') => Some(Status::Exporte),
        _ => None,
    };
    Action::Inbox(Msg::StatusFilter(status))
}

fn filter_typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Inbox(Msg::FilterInput(c)),
        _ => Action::Inbox(Msg::FilterBackspace),
    }
}

/// The keys of the inbox in its current state.
pub fn keymap(app: &App) -> KeyMap {
    if app.inbox.editing_filter {
        return KeyMap::new(vec![
            Binding::new(
                &[Key::Text],
                "saisir le filtre (n°, nom, diplôme, troubles, mesures)",
                None,
                filter_typed,
            ),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| Action::Inbox(Msg::FilterBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "ouvrir la demande choisie",
                Some("ouvrir"),
                |_| Action::Inbox(Msg::FilterSubmit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Down)],
                "demande suivante",
                Some("choisir"),
                |_| Action::Move(1),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Up)],
                "demande précédente",
                None,
                |_| Action::Move(-1),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "effacer le filtre",
                Some("effacer"),
                |_| Action::Inbox(Msg::FilterClear),
            ),
        ]);
    }
    KeyMap::new(vec![
        Binding::new(
            &[Key::Code(KeyCode::Down), Key::Char('j')],
            "demande suivante",
            None,
            |_| Action::Move(1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Up), Key::Char('k')],
            "demande précédente",
            None,
            |_| Action::Move(-1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::PageDown)],
            "une page plus bas",
            None,
            |_| Action::Move(10),
        ),
        Binding::new(
            &[Key::Code(KeyCode::PageUp)],
            "une page plus haut",
            None,
            |_| Action::Move(-10),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Home), Key::Char('g')],
            "première demande",
            None,
            |_| Action::Inbox(Msg::MoveFirst),
        ),
        Binding::new(
            &[Key::Code(KeyCode::End), Key::Char('G')],
            "dernière demande",
            None,
            |_| Action::Inbox(Msg::MoveLast),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter)],
            "ouvrir la demande (ou un clic dessus)",
            Some("ouvrir"),
            |_| Action::Inbox(Msg::OpenSelected),
        ),
        Binding::new(
            &[Key::Char('/')],
            "filtrer (n°, nom, diplôme, troubles, mesures) ; Entrée ouvre",
            Some("filtrer"),
            |_| Action::Inbox(Msg::StartFilter),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Esc)],
            "effacer le filtre",
            None,
            |_| Action::Back,
        ),
        Binding::new(
            &[
                Key::Char('0'),
                Key::Char('1'),
                Key::Char('2'),
                Key::Char('3'),
                Key::Char('4'),
            ],
            "tous / à traiter / brouillons / validés / exportés",
            Some("statut"),
            status_key,
        )
        .hint_keys("0-4"),
        Binding::new(
            &[Key::Char('5')],
            "à revoir : nouvelle version reçue après le brouillon",
            None,
            |_| Action::Inbox(Msg::ReviewFilter),
        ),
        Binding::new(
            &[Key::Char('s')],
            "changer le tri (réception, échéance, nom, statut)",
            Some("trier"),
            |_| Action::Inbox(Msg::CycleSort),
        ),
        Binding::new(&[Key::Char('r')], "inverser l'ordre du tri", None, |_| {
            Action::Inbox(Msg::ReverseSort)
        }),
        Binding::new(
            &[Key::Char('e')],
            "exporter les avis validés",
            Some("exporter"),
            |_| Action::Inbox(Msg::OpenExport),
        ),
        Binding::new(
            &[Key::Char('K')],
            "clés des rectorats acceptées, et mes clés",
            None,
            |_| Action::Inbox(Msg::OpenTrust),
        ),
        Binding::new(
            &[Key::Char('S')],
            "sauvegarde chiffrée du magasin (choix du dossier)",
            None,
            |_| Action::Inbox(Msg::OpenBackup),
        ),
        contrast_key(),
        help_key(),
        Binding::new(&[Key::Char('q')], "quitter", Some("quitter"), |_| {
            Action::Quit
        }),
        Binding::new(
            &[Key::Char('b')],
            "bilan d'activité : chiffres de la saison (nombres seulement)",
            Some("bilan"),
            |_| Action::Inbox(Msg::OpenFigures),
        ),
        Binding::new(
            &[Key::Char('p')],
            "imprimer l'avis exporté choisi (PDF ; formulaire DGER si agricole)",
            None,
            |_| Action::Inbox(Msg::Print(false)),
        ),
        Binding::new(
            &[Key::Char('P')],
            "imprimer tous les avis exportés (PDF, dans avis-imprimes/)",
            None,
            |_| Action::Inbox(Msg::Print(true)),
        ),
        Binding::new(
            &[Key::Char('i')],
            "importer un lot reçu du rectorat (choix du fichier)",
            Some("importer"),
            |_| Action::Inbox(Msg::OpenImport),
        ),
    ])
}

/// Carries out a message of the inbox (and the moves, wheel and clicks
/// routed to it).
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let height = app.inbox_height();
    let inbox = &mut app.inbox;
    match msg {
        Msg::MoveTo(i) if i < inbox.view.len() => inbox.selected = i,
        Msg::MoveTo(_) => {}
        Msg::MoveFirst => inbox.selected = 0,
        Msg::MoveLast => inbox.selected = inbox.view.len().saturating_sub(1),
        Msg::StartFilter => inbox.editing_filter = true,
        Msg::FilterInput(c) => {
            inbox.query.push(c);
            inbox.refresh(None);
        }
        Msg::FilterBackspace => {
            inbox.query.pop();
            inbox.refresh(None);
        }
        Msg::FilterClear => {
            inbox.query.clear();
            inbox.editing_filter = false;
            inbox.refresh(None);
        }
        Msg::FilterSubmit => {
            inbox.editing_filter = false;
            open_selected(app, out);
        }
        Msg::CycleSort => inbox.cycle_sort(),
        Msg::ReverseSort => inbox.reverse(),
        Msg::StatusFilter(s) => {
            inbox.status_filter = s;
            inbox.review_only = false;
            let keep = inbox.selected_id().map(str::to_string);
            inbox.refresh(keep.as_deref());
        }
        Msg::ReviewFilter => {
            inbox.status_filter = None;
            inbox.review_only = true;
            let keep = inbox.selected_id().map(str::to_string);
            inbox.refresh(keep.as_deref());
        }
        Msg::OpenSelected => open_selected(app, out),
        Msg::OpenExport => {
            app.screen = Screen::Export;
            app.export.items = None;
            app.export.phase = crate::tui::screens::export::ExportPhase::Editing;
            out.push(WorkerCommand::ExportPreview);
            out.push(WorkerCommand::ExportDestination);
        }
        Msg::OpenFigures => crate::tui::screens::figures::open(app, out),
        Msg::Print(all) => print(app, all, out),
        Msg::OpenImport => crate::tui::screens::chooser::open(
            app,
            crate::tui::screens::chooser::Purpose::Import,
            out,
        ),
        Msg::OpenTrust => crate::tui::screens::trust::open(app, out),
        Msg::OpenBackup => crate::tui::screens::chooser::open(
            app,
            crate::tui::screens::chooser::Purpose::Backup,
            out,
        ),
    }
    app.inbox.scroll_into_view(height);
}

/// Moves the selection (keys and wheel).
pub fn move_by(app: &mut App, d: isize) {
    let height = app.inbox_height();
    app.inbox.move_by(d);
    app.inbox.scroll_into_view(height);
}

/// A click: selects a row, opens it when already selected.
pub fn click(app: &mut App, col: u16, row: u16, out: &mut Orders) {
    if let Some(i) = row_at(app, col, row) {
        if app.inbox.selected == i {
            open_selected(app, out);
        } else {
            app.inbox.selected = i;
        }
    }
}

/// Escape: clears the filter.
pub fn back(app: &mut App) {
    if app.inbox.editing_filter || !app.inbox.query.is_empty() {
        app.inbox.editing_filter = false;
        app.inbox.query.clear();
        let keep = app.inbox.selected_id().map(str::to_string);
        app.inbox.refresh(keep.as_deref());
        let height = app.inbox_height();
        app.inbox.scroll_into_view(height);
    }
}

/// Pasted text goes into the filter while it is being typed.
pub fn paste(app: &mut App, text: &str) {
    if app.inbox.editing_filter {
        app.inbox
            .query
            .extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
        app.inbox.refresh(None);
    }
}

fn open_selected(app: &mut App, out: &mut Orders) {
    if let Some(id) = app.inbox.selected_id() {
        let id = id.to_string();
        app.loading = Some(id.clone());
        app.set_message("Ouverture du dossier…", false);
        let sent = out.push(WorkerCommand::LoadRequest(id));
        app.expect(Job::Load, sent);
    }
}

/// The print keys: the selected request's avis, or every exported one;
/// only an exported avis prints (as `avis imprimer`).
fn print(app: &mut App, all: bool, out: &mut Orders) {
    if all {
        app.set_message("Impression de tous les avis exportés…", false);
        let sent = out.push(WorkerCommand::Print(None));
        app.expect(Job::Print, sent);
        return;
    }
    let Some(row) = app.inbox.selected_row() else {
        return;
    };
    if row.summary.status != Status::Exporte {
        app.set_message(
            "Seul un avis exporté s'imprime : exportez-le d'abord (e), puis p",
            true,
        );
        return;
    }
    let id = row.summary.id.clone();
    app.set_message("Impression de l'avis…", false);
    let sent = out.push(WorkerCommand::Print(Some(id)));
    app.expect(Job::Print, sent);
}
