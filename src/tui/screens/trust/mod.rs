//! The trusted rectorat keys (`K` from the inbox): the list, adding one
//! from its `.pub` file (chosen in the file chooser; its fingerprint is
//! shown to compare over the phone, then the rectorat's name and a
//! confirmation are asked), removing one with a confirmation; `m` shows
//! the doctor's own keys.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use crate::store::TrustedSigner;
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{back_key, Binding, Key, KeyMap};
use crate::tui::screens::chooser::{self, Purpose};
use crate::tui::screens::welcome::keys::phone_form;
use crate::tui::worker::{KeyCandidate, Orders, WorkerCommand, WorkerFailure};

/// Where the trust screen stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TrustPhase {
    #[default]
    List,
    /// The key file is being read.
    Reading,
    /// The key file is read: its fingerprint shown, the rectorat's name typed.
    Naming(KeyCandidate, String),
    /// Accept this key under this name?
    ConfirmAdd(KeyCandidate, String),
    /// Remove the selected key?
    ConfirmRemove,
}

/// The trust screen's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrustState {
    /// `None` until the worker lists them.
    pub signers: Option<Vec<TrustedSigner>>,
    pub selected: usize,
    pub phase: TrustPhase,
}

/// The trust screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Add,
    Remove,
    MyKeys,
    NameInput(char),
    NameBackspace,
    NameSubmit,
    Confirm(bool),
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Trust(Msg::NameInput(c)),
        _ => Action::Trust(Msg::NameBackspace),
    }
}

/// Opens the trust screen and asks the worker for the list.
pub fn open(app: &mut App, out: &mut Orders) {
    app.trust.phase = TrustPhase::List;
    app.screen = Screen::Trust;
    out.push(WorkerCommand::Trusted);
}

/// The keys of the trust screen in its current phase.
pub fn keymap(app: &App) -> KeyMap {
    let yes_no = |yes: &'static str, no: &'static str| {
        KeyMap::new(vec![
            Binding::new(&[Key::Char('o'), Key::Char('O')], yes, Some("oui"), |_| {
                Action::Trust(Msg::Confirm(true))
            })
            .hint_keys("o"),
            Binding::new(
                &[Key::Char('n'), Key::Char('N'), Key::Code(KeyCode::Esc)],
                no,
                Some("non"),
                |_| Action::Trust(Msg::Confirm(false)),
            )
            .hint_keys("n"),
        ])
    };
    match app.trust.phase {
        TrustPhase::List => KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Down), Key::Code(KeyCode::Up)],
                "se déplacer dans la liste",
                None,
                |ev| Action::Move(if ev.code == KeyCode::Up { -1 } else { 1 }),
            ),
            Binding::new(
                &[Key::Char('a')],
                "ajouter la clé d'un rectorat depuis son fichier .pub",
                Some("ajouter"),
                |_| Action::Trust(Msg::Add),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Delete), Key::Char('d')],
                "retirer la clé choisie (confirmation demandée)",
                Some("retirer"),
                |_| Action::Trust(Msg::Remove),
            )
            .hint_keys("Suppr"),
            Binding::new(
                &[Key::Char('m')],
                "mes clés à transmettre au rectorat",
                Some("mes clés"),
                |_| Action::Trust(Msg::MyKeys),
            ),
            back_key("retour à la liste des demandes"),
        ]),
        TrustPhase::Reading => KeyMap::default(),
        TrustPhase::Naming(..) => KeyMap::new(vec![
            Binding::new(&[Key::Text], "saisir le nom du rectorat", None, typed),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| Action::Trust(Msg::NameBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "continuer (une confirmation est demandée)",
                Some("continuer"),
                |_| Action::Trust(Msg::NameSubmit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "abandonner : la clé n'est pas acceptée",
                Some("abandonner"),
                |_| Action::Back,
            ),
        ]),
        TrustPhase::ConfirmAdd(..) => yes_no(
            "oui, l'empreinte est celle lue par le rectorat : accepter la clé",
            "non, ne pas accepter cette clé",
        ),
        TrustPhase::ConfirmRemove => yes_no("oui, retirer cette clé", "non, la garder"),
    }
}

/// Carries out a message of the trust screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let phase = std::mem::take(&mut app.trust.phase);
    app.trust.phase = match (phase, msg) {
        (TrustPhase::List, Msg::Add) => {
            chooser::open(app, Purpose::Trust, out);
            TrustPhase::List
        }
        (TrustPhase::List, Msg::MyKeys) => {
            app.keys_first_run = false;
            app.screen = Screen::Keys;
            out.push(WorkerCommand::PublicKeys);
            TrustPhase::List
        }
        (TrustPhase::List, Msg::Remove) => {
            if app.trust.signers.as_ref().is_some_and(|s| !s.is_empty()) {
                TrustPhase::ConfirmRemove
            } else {
                TrustPhase::List
            }
        }
        (TrustPhase::Naming(k, mut name), Msg::NameInput(c)) => {
            name.push(c);
            TrustPhase::Naming(k, name)
        }
        (TrustPhase::Naming(k, mut name), Msg::NameBackspace) => {
            name.pop();
            TrustPhase::Naming(k, name)
        }
        (TrustPhase::Naming(k, name), Msg::NameSubmit) => {
            if name.trim().is_empty() {
                app.set_message(
                    "Indiquez le nom du rectorat (par exemple « Rectorat d'Aix-Marseille »)",
                    true,
                );
                TrustPhase::Naming(k, name)
            } else {
                TrustPhase::ConfirmAdd(k, name)
            }
        }
        (TrustPhase::ConfirmAdd(k, name), Msg::Confirm(true)) => {
            out.push(WorkerCommand::TrustAdd {
                text: k.text,
                name: name.trim().to_string(),
            });
            app.set_message(
                format!(
                    "Clé acceptée pour « {} » : ses lots peuvent être importés (i depuis la liste)",
                    name.trim()
                ),
                false,
            );
            TrustPhase::List
        }
        (TrustPhase::ConfirmAdd(..), Msg::Confirm(false)) => {
            app.set_message("La clé n'a pas été acceptée", false);
            TrustPhase::List
        }
        (TrustPhase::ConfirmRemove, Msg::Confirm(yes)) => {
            let key = app
                .trust
                .signers
                .as_ref()
                .and_then(|s| s.get(app.trust.selected))
                .map(|s| s.signing_key.clone());
            if let (true, Some(key)) = (yes, key) {
                out.push(WorkerCommand::TrustRemove(key));
                app.set_message(
                    "Clé retirée : les lots de ce rectorat seront refusés",
                    false,
                );
            }
            TrustPhase::List
        }
        (phase, _) => phase,
    };
}

/// The file chooser gave the rectorat's key file.
pub fn file_chosen(app: &mut App, path: PathBuf, out: &mut Orders) {
    app.screen = Screen::Trust;
    app.trust.phase = TrustPhase::Reading;
    let sent = out.push(WorkerCommand::ReadKeyFile(path));
    app.expect(Job::KeyFile, sent);
}

/// The worker read the key file.
pub fn on_key_file(app: &mut App, result: Result<KeyCandidate, WorkerFailure>) {
    if app.trust.phase != TrustPhase::Reading {
        return;
    }
    app.trust.phase = match result {
        Ok(k) => TrustPhase::Naming(k, String::new()),
        Err(e) => {
            app.message_on(app.screen_of(Job::KeyFile), e.to_string(), true);
            TrustPhase::List
        }
    };
}

/// The worker's list of trusted keys.
pub fn on_trusted(app: &mut App, list: Vec<TrustedSigner>) {
    app.trust.selected = app.trust.selected.min(list.len().saturating_sub(1));
    app.trust.signers = Some(list);
}

/// Échap: cancels the phase, or back to the inbox.
pub fn back(app: &mut App) {
    match app.trust.phase {
        TrustPhase::List => app.screen = Screen::Inbox,
        TrustPhase::Reading => {}
        _ => app.trust.phase = TrustPhase::List,
    }
}

/// Moves the selection.
pub fn move_by(app: &mut App, d: isize) {
    let n = app.trust.signers.as_ref().map_or(0, Vec::len) as isize;
    app.trust.selected = (app.trust.selected as isize + d).clamp(0, (n - 1).max(0)) as usize;
}

/// Pasted text goes into the rectorat's name.
pub fn paste(app: &mut App, text: &str) {
    if let TrustPhase::Naming(_, name) = &mut app.trust.phase {
        name.extend(
            text.lines()
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control()),
        );
    }
}

/// Draws the trust screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let tr = &app.trust;
    let [list_area, state_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(9)]).areas(area);
    let block = Block::bordered()
        .title(" Clés de rectorat acceptées ")
        .border_style(if tr.phase == TrustPhase::List {
            t.focus_border
        } else {
            t.border
        });
    match &tr.signers {
        None => frame.render_widget(
            Paragraph::new(Line::styled(" Lecture des clés…", t.dim)).block(block),
            list_area,
        ),
        Some(list) if list.is_empty() => frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    " Aucune clé de rectorat acceptée : aucun lot ne peut être importé.",
                    t.warn,
                ),
                Line::raw(" a : ajouter la clé reçue du rectorat (fichier .pub)."),
            ])
            .block(block)
            .wrap(Wrap { trim: false }),
            list_area,
        ),
        Some(list) => {
            let items: Vec<ListItem> = list
                .iter()
                .map(|s| {
                    ListItem::new(vec![
                        Line::styled(format!(" {}", clean(&s.name)), t.header),
                        Line::raw(format!(
                            "    empreinte {}   acceptée le {}",
                            phone_form(&s.fingerprint),
                            s.added_at.format("%d/%m/%Y")
                        )),
                    ])
                })
                .collect();
            let mut state = ListState::default().with_selected(Some(tr.selected));
            frame.render_stateful_widget(
                List::new(items).block(block).highlight_style(t.selected),
                list_area,
                &mut state,
            );
        }
    }
    let mut lines = Vec::new();
    match &tr.phase {
        TrustPhase::List => {
            lines.push(Line::raw(
                " a : ajouter une clé · Suppr : retirer la clé choisie · m : mes clés",
            ));
            lines.push(Line::styled(
                " Seuls les lots signés par une clé acceptée ici peuvent être importés.",
                t.dim,
            ));
        }
        TrustPhase::Reading => lines.push(Line::styled(" Lecture du fichier de clé…", t.dim)),
        TrustPhase::Naming(k, name) | TrustPhase::ConfirmAdd(k, name) => {
            lines.push(Line::styled(
                format!("     Empreinte : {}", phone_form(&k.fingerprint)),
                t.key,
            ));
            lines.push(Line::raw(
                " Appelez le rectorat et faites-lui lire son empreinte : elle doit être identique.",
            ));
            let naming = matches!(tr.phase, TrustPhase::Naming(..));
            lines.push(Line::from(vec![
                Span::styled(" Nom du rectorat : ", t.header),
                Span::raw(clean(name)),
                Span::styled(if naming { "▏" } else { "" }, t.key),
            ]));
            if naming {
                lines.push(Line::styled(
                    " Entrée : continuer · Échap : abandonner",
                    t.dim,
                ));
            } else {
                lines.push(Line::styled(
                    " Accepter cette clé ? o : oui, l'empreinte est la même · n : non",
                    t.warn,
                ));
            }
        }
        TrustPhase::ConfirmRemove => {
            let name = tr
                .signers
                .as_ref()
                .and_then(|s| s.get(tr.selected))
                .map(|s| clean(&s.name))
                .unwrap_or_default();
            lines.push(Line::styled(
                format!(" Retirer la clé de « {name} » ? Ses prochains lots seront refusés."),
                t.warn,
            ));
            lines.push(Line::raw(" o : oui, retirer · n : non, la garder"));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Ajouter, retirer ")
                    .border_style(t.border),
            )
            .wrap(Wrap { trim: false }),
        state_area,
    );
}
