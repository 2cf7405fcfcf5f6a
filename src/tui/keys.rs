//! The key map: which key does what on each screen ([`handle_key`],
//! [`handle_mouse`]), and the same table in words for the help (`?`) and
//! the status bar, so the two never disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use crate::domain::{Decision, Status};

use super::action::Action;
use super::app::{App, ExportPhase, Screen, Tab};
use super::editor::EditorFocus;

/// Turns a key into an action, given the current state.
pub fn handle_key(app: &App, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
        return Some(Action::Quit);
    }
    if ctrl && matches!(key.code, KeyCode::Char('l') | KeyCode::Char('L')) {
        return (app.screen != Screen::Unlock).then_some(Action::Lock);
    }
    if app.help {
        return match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Enter | KeyCode::Char('q') => {
                Some(Action::ToggleHelp)
            }
            _ => None,
        };
    }
    if key.code == KeyCode::F(1) {
        return Some(Action::ToggleHelp);
    }
    match app.screen {
        Screen::Unlock => unlock_key(key),
        Screen::Inbox => inbox_key(app, key),
        Screen::Request => request_key(app, key),
        Screen::Editor => editor_key(app, key),
        Screen::Viewer => super::screens::viewer::key(app.viewer.as_ref(), key),
        Screen::Export => export_key(app, key),
    }
}

/// Turns a mouse event into an action.
pub fn handle_mouse(app: &App, ev: MouseEvent) -> Option<Action> {
    if app.help {
        return None;
    }
    match ev.kind {
        MouseEventKind::ScrollDown => Some(Action::Wheel(3)),
        MouseEventKind::ScrollUp => Some(Action::Wheel(-3)),
        MouseEventKind::Down(_) => Some(Action::Click(ev.column, ev.row)),
        _ => None,
    }
}

fn unlock_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter => Some(Action::UnlockSubmit),
        KeyCode::Backspace => Some(Action::UnlockBackspace),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Char(c) => Some(Action::UnlockInput(c)),
        _ => None,
    }
}

fn common_move(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Move(1)),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Move(-1)),
        KeyCode::PageDown => Some(Action::Move(10)),
        KeyCode::PageUp => Some(Action::Move(-10)),
        _ => None,
    }
}

fn inbox_key(app: &App, key: KeyEvent) -> Option<Action> {
    if app.inbox.editing_filter {
        return match key.code {
            KeyCode::Enter => Some(Action::FilterSubmit),
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Down => Some(Action::Move(1)),
            KeyCode::Up => Some(Action::Move(-1)),
            KeyCode::Char(c) => Some(Action::FilterInput(c)),
            _ => None,
        };
    }
    if let Some(a) = common_move(key) {
        return Some(a);
    }
    match key.code {
        KeyCode::Enter => Some(Action::OpenSelected),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::MoveFirst),
        KeyCode::End | KeyCode::Char('G') => Some(Action::MoveLast),
        KeyCode::Char('/') => Some(Action::StartFilter),
        KeyCode::Char('s') => Some(Action::CycleSort),
        KeyCode::Char('r') => Some(Action::ReverseSort),
        KeyCode::Char('0') => Some(Action::StatusFilter(None)),
        KeyCode::Char('1') => Some(Action::StatusFilter(Some(Status::ATraiter))),
        KeyCode::Char('2') => Some(Action::StatusFilter(Some(Status::Brouillon))),
        KeyCode::Char('3') => Some(Action::StatusFilter(Some(Status::Valide))),
        KeyCode::Char('4') => Some(Action::StatusFilter(Some(Status::Exporte))),
        KeyCode::Char('e') => Some(Action::OpenExport),
        KeyCode::Char('c') => Some(Action::ToggleContrast),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Char('q') => Some(Action::Quit),
        KeyCode::Esc => Some(Action::Back),
        _ => None,
    }
}

fn request_key(app: &App, key: KeyEvent) -> Option<Action> {
    if let Some(a) = common_move(key) {
        return Some(a);
    }
    let on_pieces = app.request.as_ref().is_some_and(|r| r.tab == Tab::Pieces);
    match key.code {
        KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => Some(Action::NextTab),
        KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => Some(Action::PrevTab),
        KeyCode::Char(c @ '1'..='5') => Some(Action::SelectTab(c as usize - '1' as usize)),
        KeyCode::Char('a') => Some(Action::OpenEditor),
        KeyCode::Enter if on_pieces => Some(Action::OpenDocument),
        KeyCode::Char('p') => Some(Action::OpenDocument),
        KeyCode::Char('o') if on_pieces => Some(Action::OpenExternal),
        KeyCode::Char('c') => Some(Action::ToggleContrast),
        KeyCode::Char('?') => Some(Action::ToggleHelp),
        KeyCode::Esc | KeyCode::Char('q') => Some(Action::Back),
        _ => None,
    }
}

fn editor_key(app: &App, key: KeyEvent) -> Option<Action> {
    let ed = app.editor.as_ref()?;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ed.picker.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::PickerChoose),
            KeyCode::Down => Some(Action::PickerMove(1)),
            KeyCode::Up => Some(Action::PickerMove(-1)),
            KeyCode::PageDown => Some(Action::PickerMove(10)),
            KeyCode::PageUp => Some(Action::PickerMove(-10)),
            KeyCode::Backspace => Some(Action::PickerBackspace),
            KeyCode::Char(c) => Some(Action::PickerInput(c)),
            _ => None,
        };
    }
    if ed.line.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::LineSubmit),
            KeyCode::Backspace => Some(Action::LineBackspace),
            KeyCode::Char(c) => Some(Action::LineInput(c)),
            _ => None,
        };
    }
    if ctrl {
        return match key.code {
            KeyCode::Char('s') => Some(Action::SaveNow),
            KeyCode::Char('t') => Some(Action::InsertTemplate),
            KeyCode::Char('v') if ed.focus != EditorFocus::Measures => Some(Action::Validate),
            _ if matches!(ed.focus, EditorFocus::Motivation | EditorFocus::Notes) => {
                Some(Action::TextKey(key))
            }
            _ => None,
        };
    }
    match key.code {
        KeyCode::Tab => return Some(Action::FocusNext),
        KeyCode::BackTab => return Some(Action::FocusPrev),
        KeyCode::Esc => return Some(Action::Back),
        KeyCode::F(1) => return Some(Action::ToggleHelp),
        _ => {}
    }
    match ed.focus {
        EditorFocus::Motivation | EditorFocus::Notes => Some(Action::TextKey(key)),
        EditorFocus::Measures => {
            if let Some(a) = common_move(key) {
                return Some(a);
            }
            match key.code {
                KeyCode::Char('a') => Some(Action::Decide(Decision::Accorde)),
                KeyCode::Char('r') => Some(Action::Decide(Decision::Refuse)),
                KeyCode::Char('m') => Some(Action::ModifyMeasure),
                KeyCode::Char('+') | KeyCode::Char('n') => Some(Action::AddMeasure),
                KeyCode::Char('x') | KeyCode::Delete => Some(Action::RemoveMeasure),
                KeyCode::Char('e') => Some(Action::CycleEpreuves),
                KeyCode::Char('d') => Some(Action::EditDetail),
                KeyCode::Char('o') => Some(Action::CycleOutcome),
                KeyCode::Char('l') => Some(Action::OverrideCheck),
                KeyCode::Char('p') => Some(Action::ToggleValidity),
                KeyCode::Char('P') => Some(Action::EditUntilSession),
                KeyCode::Char('f') => Some(Action::EditMeasureMotivation),
                KeyCode::Char('t') => Some(Action::InsertTemplate),
                KeyCode::Char('v') => Some(Action::Validate),
                KeyCode::Char('u') => Some(Action::Unvalidate),
                KeyCode::Char('?') => Some(Action::ToggleHelp),
                KeyCode::Char('c') => Some(Action::ToggleContrast),
                _ => None,
            }
        }
        EditorFocus::Missing => {
            if let Some(a) = common_move(key) {
                return Some(a);
            }
            match key.code {
                KeyCode::Char(' ') | KeyCode::Enter => Some(Action::ToggleMissing),
                KeyCode::Char('o') => Some(Action::CycleOutcome),
                KeyCode::Char('v') => Some(Action::Validate),
                KeyCode::Char('?') => Some(Action::ToggleHelp),
                _ => None,
            }
        }
    }
}

fn export_key(app: &App, key: KeyEvent) -> Option<Action> {
    match app.export.phase {
        ExportPhase::Editing => match key.code {
            KeyCode::Enter => Some(Action::ExportSubmit),
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Backspace => Some(Action::LineBackspace),
            KeyCode::F(1) => Some(Action::ToggleHelp),
            KeyCode::Char(c) => Some(Action::LineInput(c)),
            _ => None,
        },
        ExportPhase::Confirm => match key.code {
            KeyCode::Char('o') | KeyCode::Char('O') | KeyCode::Enter => {
                Some(Action::ExportConfirm(true))
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                Some(Action::ExportConfirm(false))
            }
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        },
        ExportPhase::Running => None,
        ExportPhase::Done(_) | ExportPhase::Failed(_) => match key.code {
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => Some(Action::ExportSubmit),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            _ => None,
        },
    }
}

/// The help of a screen: (keys, what they do).
pub fn help(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut h: Vec<(&str, &str)> = match app.screen {
        Screen::Unlock => vec![
            ("texte", "saisir la phrase de passe (masquée)"),
            ("Entrée", "déverrouiller"),
            ("Échap", "quitter"),
        ],
        Screen::Inbox => vec![
            ("↑ ↓  j k", "choisir une demande"),
            ("PgPréc PgSuiv", "défiler d'une page"),
            ("Début Fin  g G", "première / dernière demande"),
            ("Entrée, clic", "ouvrir la demande"),
            (
                "/",
                "filtrer (n°, nom, diplôme, troubles, mesures) ; Entrée ouvre",
            ),
            ("Entrée (filtre)", "ouvrir la demande choisie"),
            ("Échap", "effacer le filtre"),
            (
                "0 1 2 3 4",
                "tous / à traiter / brouillons / validés / exportés",
            ),
            ("s", "changer le tri (réception, échéance, nom, statut)"),
            ("r", "inverser l'ordre du tri"),
            ("e", "exporter les avis validés"),
            ("c", "thème contrasté"),
            ("q", "quitter"),
        ],
        Screen::Request => vec![
            ("Tab ← →  h l", "onglet suivant / précédent"),
            ("1 à 5", "Synthèse, Troubles, Mesures, Pièces, Historique"),
            ("↑ ↓", "défiler ; dans Pièces : choisir une pièce"),
            ("Entrée, p", "afficher la pièce choisie"),
            ("o", "visionneuse du système (copie effacée ensuite)"),
            ("a", "rédiger l'avis"),
            ("Échap", "retour à la liste"),
        ],
        Screen::Editor => {
            let ed_focus = app.editor.as_ref().map(|e| e.focus);
            match ed_focus {
                Some(EditorFocus::Motivation) | Some(EditorFocus::Notes) => vec![
                    ("texte", "saisir (plusieurs lignes avec Entrée)"),
                    ("Ctrl+T", "insérer un modèle de motivation"),
                    ("Ctrl+S", "enregistrer tout de suite"),
                    ("Ctrl+V", "valider l'avis"),
                    ("Tab Maj+Tab", "partie suivante / précédente"),
                    ("Échap", "revenir aux mesures"),
                ],
                Some(EditorFocus::Missing) => vec![
                    ("↑ ↓", "choisir une pièce"),
                    ("Espace", "cocher / décocher comme manquante"),
                    ("o", "changer le résultat"),
                    ("Tab", "partie suivante"),
                    ("Échap", "revenir aux mesures"),
                ],
                _ => vec![
                    ("↑ ↓", "choisir une mesure"),
                    ("a", "accorder"),
                    ("r", "refuser"),
                    ("m", "modifier : proposer autre chose du catalogue"),
                    ("d", "préciser, ou modifier par une restriction"),
                    ("e", "épreuves concernées (toutes, écrites, orales…)"),
                    ("+ n", "ajouter une mesure du catalogue"),
                    ("x Suppr", "retirer la décision / la mesure ajoutée"),
                    ("o", "résultat calculé ou imposé (incomplet : pièces)"),
                    ("p / P", "validité : session ou cycle / dernière session"),
                    ("f", "motif de cette mesure (exporté, sans diagnostic)"),
                    ("l", "lever un contrôle bloquant (motif écrit)"),
                    ("t", "insérer un modèle de motivation"),
                    ("Tab", "motivation, notes privées, pièces manquantes"),
                    ("v / u", "valider / remettre en brouillon"),
                    ("Ctrl+S", "enregistrer tout de suite (sinon automatique)"),
                    ("Échap", "retour à la demande"),
                ],
            }
        }
        Screen::Viewer => super::screens::viewer::help(),
        Screen::Export => vec![
            ("texte", "modifier le fichier à écrire"),
            ("Entrée", "exporter (une confirmation est demandée)"),
            ("o / n", "confirmer / annuler"),
            ("Échap", "retour à la liste"),
        ],
    };
    h.push(("? F1", "cette aide (F1 pendant une saisie)"));
    if app.screen != Screen::Unlock {
        h.push(("Ctrl+L", "verrouiller maintenant (aussi après inactivité)"));
    }
    h.push(("Ctrl+C", "quitter (le brouillon est enregistré)"));
    h
}

/// The main keys of the current screen, for the status bar (with Ctrl+L
/// when the terminal is wide enough).
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut h = screen_hints(app);
    if app.screen != Screen::Unlock && app.size.0 >= 120 {
        h.push(("Ctrl+L", "verrouiller"));
    }
    h
}

fn screen_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    match app.screen {
        Screen::Unlock => vec![
            ("Entrée", "déverrouiller"),
            ("Échap", "quitter"),
            ("F1", "aide"),
        ],
        Screen::Inbox if app.inbox.editing_filter => vec![
            ("Entrée", "ouvrir"),
            ("Échap", "effacer"),
            ("↑↓", "choisir"),
        ],
        Screen::Inbox => vec![
            ("Entrée", "ouvrir"),
            ("/", "filtrer"),
            ("s", "trier"),
            ("0-4", "statut"),
            ("e", "exporter"),
            ("?", "aide"),
            ("q", "quitter"),
        ],
        Screen::Request => vec![
            ("Tab", "onglet"),
            ("a", "avis"),
            ("Entrée", "pièce"),
            ("Échap", "retour"),
            ("?", "aide"),
        ],
        Screen::Editor => match app.editor.as_ref().map(|e| e.focus) {
            Some(EditorFocus::Motivation) | Some(EditorFocus::Notes) => vec![
                ("Tab", "partie"),
                ("Ctrl+T", "modèle"),
                ("Ctrl+V", "valider"),
                ("Échap", "mesures"),
            ],
            _ => vec![
                ("a r m", "décider"),
                ("+", "ajouter"),
                ("Tab", "textes"),
                ("v", "valider"),
                ("Échap", "retour"),
                ("?", "aide"),
            ],
        },
        Screen::Viewer => super::screens::viewer::hints(app.viewer.as_ref()),
        Screen::Export => vec![("Entrée", "exporter"), ("Échap", "retour"), ("F1", "aide")],
    }
}
