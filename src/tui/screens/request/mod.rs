//! The request view: a tab bar and one module per tab (Synthèse,
//! Troubles, Mesures, Pièces, Historique); from here the doctor opens a
//! pièce or the avis editor.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::checks::Finding;
use crate::domain::Status;
use crate::store::{JournalEvent, RequestRecord};
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen, ViewerState};
use crate::tui::keymap::{back_key, contrast_key, help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand};

pub mod historique;
pub mod mesures;
pub mod pieces;
pub mod revoir;
pub mod synthese;
pub mod troubles;
mod view;

pub use view::{field, finding_lines, render, section, tab_at};

/// The tabs of the request view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Synthese,
    Troubles,
    Mesures,
    Pieces,
    Historique,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Synthese,
        Tab::Troubles,
        Tab::Mesures,
        Tab::Pieces,
        Tab::Historique,
    ];

    /// French title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Synthese => "Synthèse",
            Tab::Troubles => "Troubles",
            Tab::Mesures => "Mesures",
            Tab::Pieces => "Pièces",
            Tab::Historique => "Historique",
        }
    }

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// One open request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    pub record: RequestRecord,
    pub status: Status,
    pub draft: Option<crate::domain::Draft>,
    pub findings: Vec<Finding>,
    pub journal: Vec<JournalEvent>,
    pub tab: Tab,
    pub scroll: u16,
    pub doc_selected: usize,
}

impl RequestView {
    /// When the avis was last sent to the rectorat, from the journal.
    pub fn exported_on(&self) -> Option<chrono::NaiveDate> {
        self.journal
            .iter()
            .rev()
            .find(|e| e.kind == "export")
            .map(|e| e.at.with_timezone(&chrono::Local).date_naive())
    }
}

/// The request view's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    NextTab,
    PrevTab,
    SelectTab(usize),
    OpenEditor,
    /// Shows the selected pièce (from another tab: goes to Pièces).
    OpenDocument,
    /// Opens the selected pièce in the system viewer.
    OpenExternal,
    /// Prints this request's exported avis.
    Print,
    /// Records a pièce received on paper.
    AddPaper,
}

fn tab_key(ev: &KeyEvent) -> Action {
    let i = match ev.code {
        KeyCode::Char(c @ '1'..='5') => c as usize - '1' as usize,
        _ => 0,
    };
    Action::Request(Msg::SelectTab(i))
}

/// The keys of the request view (Entrée and `o` only on the Pièces tab).
pub fn keymap(app: &App) -> KeyMap {
    let on_pieces = app.request.as_ref().is_some_and(|r| r.tab == Tab::Pieces);
    let mut b = vec![
        Binding::new(
            &[
                Key::Code(KeyCode::Tab),
                Key::Code(KeyCode::Right),
                Key::Char('l'),
            ],
            "onglet suivant",
            Some("onglet"),
            |_| Action::Request(Msg::NextTab),
        )
        .hint_keys("Tab"),
        Binding::new(
            &[
                Key::Code(KeyCode::BackTab),
                Key::Code(KeyCode::Left),
                Key::Char('h'),
            ],
            "onglet précédent",
            None,
            |_| Action::Request(Msg::PrevTab),
        ),
        Binding::new(
            &[
                Key::Char('1'),
                Key::Char('2'),
                Key::Char('3'),
                Key::Char('4'),
                Key::Char('5'),
            ],
            "Synthèse, Troubles, Mesures, Pièces, Historique",
            None,
            tab_key,
        ),
        Binding::new(
            &[Key::Code(KeyCode::Down), Key::Char('j')],
            "défiler vers le bas ; dans Pièces : pièce suivante",
            None,
            |_| Action::Move(1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Up), Key::Char('k')],
            "défiler vers le haut ; dans Pièces : pièce précédente",
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
        Binding::new(&[Key::Char('a')], "rédiger l'avis", Some("avis"), |_| {
            Action::Request(Msg::OpenEditor)
        }),
    ];
    if on_pieces {
        b.push(
            Binding::new(
                &[Key::Code(KeyCode::Enter), Key::Char('p')],
                "afficher la pièce choisie",
                Some("pièce"),
                |_| Action::Request(Msg::OpenDocument),
            )
            .hint_keys("Entrée"),
        );
        b.push(Binding::new(
            &[Key::Char('o')],
            "visionneuse du système (copie effacée ensuite)",
            None,
            |_| Action::Request(Msg::OpenExternal),
        ));
        b.push(Binding::new(
            &[Key::Char('P')],
            "enregistrer une pièce reçue sur papier",
            None,
            |_| Action::Request(Msg::AddPaper),
        ));
    } else {
        b.push(Binding::new(
            &[Key::Char('p')],
            "aller aux pièces",
            Some("pièces"),
            |_| Action::Request(Msg::OpenDocument),
        ));
    }
    b.extend([
        Binding::new(
            &[Key::Char('I'), Key::Ctrl('p')],
            "imprimer l'avis exporté de cette demande (PDF ; formulaire DGER si agricole)",
            None,
            |_| Action::Request(Msg::Print),
        ),
        contrast_key(),
        help_key(),
        back_key("retour à la liste"),
    ]);
    KeyMap::new(b)
}

/// Carries out a message of the request view.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let Some(req) = app.request.as_mut() else {
        return;
    };
    let tab_count = Tab::ALL.len();
    match msg {
        Msg::NextTab => {
            req.tab = Tab::ALL[(req.tab.index() + 1) % tab_count];
            req.scroll = 0;
        }
        Msg::PrevTab => {
            req.tab = Tab::ALL[(req.tab.index() + tab_count - 1) % tab_count];
            req.scroll = 0;
        }
        Msg::SelectTab(i) => {
            if let Some(t) = Tab::ALL.get(i) {
                req.tab = *t;
                req.scroll = 0;
            }
        }
        Msg::OpenEditor => app.open_editor(),
        Msg::AddPaper => crate::tui::screens::paper::open(app),
        Msg::OpenDocument => {
            if req.tab != Tab::Pieces {
                req.tab = Tab::Pieces;
                return;
            }
            open_document(app, out);
        }
        Msg::OpenExternal if req.tab == Tab::Pieces => {
            if let Some(doc) = req.record.request.documents.get(req.doc_selected) {
                let sent = out.push(WorkerCommand::OpenExternal {
                    sha256: doc.sha256.clone(),
                    filename: doc.filename.clone(),
                });
                app.expect(Job::OpenExternal, sent);
                app.set_message("Ouverture dans la visionneuse du système…", false);
            }
        }
        Msg::OpenExternal => {}
        Msg::Print if req.status == Status::Exporte => {
            let id = req.record.request.id.clone();
            let sent = out.push(WorkerCommand::Print(Some(id)));
            app.expect(Job::Print, sent);
            app.set_message("Impression de l'avis…", false);
        }
        Msg::Print => app.set_message(
            "Seul un avis exporté s'imprime : validez-le (v dans l'éditeur) puis exportez-le (e depuis la liste)",
            true,
        ),
    }
}

fn open_document(app: &mut App, out: &mut Orders) {
    let Some(req) = app.request.as_ref() else {
        return;
    };
    if let Some(doc) = req.record.request.documents.get(req.doc_selected) {
        let title = format!(
            "{} — {}",
            doc.category.label(),
            crate::tui::clean::clean(&doc.filename)
        );
        app.viewer = Some(ViewerState {
            sha256: doc.sha256.clone(),
            filename: doc.filename.clone(),
            title,
            content: None,
            pages: Vec::new(),
            page: 0,
            scroll: 0,
            picture: None,
            encoding: None,
            encodes: 0,
            piece: Default::default(),
        });
        out.push(WorkerCommand::Document {
            sha256: doc.sha256.clone(),
            media_type: doc.media_type.clone(),
        });
        app.screen = Screen::Viewer;
    }
}

/// Moves and wheel: the selected pièce on the Pièces tab, the scroll elsewhere.
pub fn move_by(app: &mut App, d: isize) {
    let Some(req) = app.request.as_mut() else {
        return;
    };
    if req.tab == Tab::Pieces {
        let n = req.record.request.documents.len();
        if n > 0 {
            req.doc_selected = (req.doc_selected as isize + d).clamp(0, n as isize - 1) as usize;
        }
    } else {
        req.scroll = (req.scroll as isize + d).clamp(0, u16::MAX as isize) as u16;
    }
}

/// A click on a tab, or on a pièce (a second click shows it).
pub fn click(app: &mut App, col: u16, row: u16, out: &mut Orders) {
    let size = app.size;
    let Some(req) = app.request.as_mut() else {
        return;
    };
    if let Some(i) = tab_at(size, col, row) {
        req.tab = Tab::ALL[i];
        req.scroll = 0;
    } else if req.tab == Tab::Pieces {
        let n = req.record.request.documents.len();
        if let Some(i) = pieces::row_at(size, n, row) {
            if i == req.doc_selected {
                return open_document(app, out);
            }
            req.doc_selected = i;
        }
    }
}

/// Escape: back to the inbox.
pub fn back(app: &mut App, out: &mut Orders) {
    app.screen = Screen::Inbox;
    app.request = None;
    out.push(WorkerCommand::CloseExternal);
    out.push(WorkerCommand::LoadSummaries);
}
