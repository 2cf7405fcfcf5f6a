//! The avis editor: decisions per measure, outcome and validity, the
//! checks that block validation, the exported motivation and the private
//! notes (marked as never exported), the catalogue picker and the saved
//! indicator. [`model`] holds the draft being written, [`view`] draws it.
//!
//! Keys depend on the focus, and only the focused part receives them: a
//! text area takes every printable key, list commands work only with the
//! list focused, and a text area is left explicitly (Échap or Tab).

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::domain::{Decision, DocumentCategory, Outcome, Status};
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::keymap::{contrast_key, help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand};

pub mod model;
pub mod view;

pub mod text;

pub use model::{
    new_draft, Chooser, ChooserPurpose, DecisionSnap, Editor, EditorFocus, LineEdit, LinePurpose,
    MeasureRow, Picker, PickerPurpose, SaveState,
};
pub use view::{click_at, render, EditorClick};

/// The editor's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    FocusNext,
    FocusPrev,
    Decide(Decision),
    ModifyMeasure,
    AddMeasure,
    RemoveMeasure,
    /// Opens the list of épreuves for the selected measure.
    ChooseEpreuves,
    EditDetail,
    CycleOutcome,
    /// Override the first `bloquant` check with a written reason.
    OverrideCheck,
    ToggleValidity,
    EditUntilSession,
    EditMeasureMotivation,
    ToggleMissing,
    /// Opens the list of motivation templates.
    ChooseTemplate,
    /// Undoes the last change of the decisions (`u`).
    UndoDecision,
    /// A key typed into the focused multi-line text.
    TextKey(KeyEvent),
    /// Ctrl+Z, Ctrl+Y in a text: undo, redo (by word).
    TextUndo,
    TextRedo,
    /// Ctrl+A in a text: select all (Suppr then clears).
    SelectAll,
    /// Ctrl+V in a text: paste the text last cleared.
    PasteClipboard,
    /// Text pasted in the terminal.
    Paste(String),
    // The list with a preview (templates, épreuves).
    ChooserMove(isize),
    ChooserChoose,
    /// The answer to "reopen this exported avis?".
    ConfirmReopen(bool),
    SaveNow,
    Validate,
    Unvalidate,
    // Catalogue picker.
    PickerInput(char),
    PickerBackspace,
    PickerMove(isize),
    PickerChoose,
    // One-line inputs (detail, reason, session).
    LineInput(char),
    LineBackspace,
    LineSubmit,
}

fn e(msg: Msg) -> Action {
    Action::Editor(msg)
}

fn picker_typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => e(Msg::PickerInput(c)),
        _ => e(Msg::PickerBackspace),
    }
}

fn line_typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => e(Msg::LineInput(c)),
        _ => e(Msg::LineBackspace),
    }
}

fn text_key(ev: &KeyEvent) -> Action {
    e(Msg::TextKey(*ev))
}

/// The keys of the editor for its current focus and open pop-up.
pub fn keymap(app: &App) -> KeyMap {
    let Some(ed) = app.editor.as_ref() else {
        return KeyMap::default();
    };
    if ed.confirm_reopen.is_some() {
        return KeyMap::new(vec![
            Binding::new(
                &[Key::Char('o'), Key::Char('O')],
                "oui, rouvrir l'avis envoyé (il faudra le renvoyer)",
                Some("rouvrir"),
                |_| e(Msg::ConfirmReopen(true)),
            )
            .hint_keys("o"),
            Binding::new(
                &[Key::Char('n'), Key::Char('N'), Key::Code(KeyCode::Esc)],
                "non, laisser l'avis tel qu'envoyé",
                Some("non"),
                |_| e(Msg::ConfirmReopen(false)),
            )
            .hint_keys("n"),
        ]);
    }
    if ed.chooser.is_some() {
        return KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Down), Key::Char('j')],
                "choix suivant",
                Some("choisir"),
                |_| e(Msg::ChooserMove(1)),
            )
            .hint_keys("↓↑"),
            Binding::new(
                &[Key::Code(KeyCode::Up), Key::Char('k')],
                "choix précédent",
                None,
                |_| e(Msg::ChooserMove(-1)),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "prendre ce choix",
                Some("prendre"),
                |_| e(Msg::ChooserChoose),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "annuler",
                Some("annuler"),
                |_| Action::Back,
            ),
        ]);
    }
    if ed.picker.is_some() {
        return KeyMap::new(vec![
            Binding::new(
                &[Key::Text],
                "chercher dans le catalogue",
                None,
                picker_typed,
            ),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| e(Msg::PickerBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Down)],
                "mesure suivante",
                Some("choisir"),
                |_| e(Msg::PickerMove(1)),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Up)],
                "mesure précédente",
                None,
                |_| e(Msg::PickerMove(-1)),
            ),
            Binding::new(
                &[Key::Code(KeyCode::PageDown)],
                "une page plus bas",
                None,
                |_| e(Msg::PickerMove(10)),
            ),
            Binding::new(
                &[Key::Code(KeyCode::PageUp)],
                "une page plus haut",
                None,
                |_| e(Msg::PickerMove(-10)),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "prendre la mesure choisie",
                Some("valider"),
                |_| e(Msg::PickerChoose),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "annuler",
                Some("annuler"),
                |_| Action::Back,
            ),
        ]);
    }
    if ed.line.is_some() {
        return KeyMap::new(vec![
            Binding::new(&[Key::Text], "saisir le texte", None, line_typed),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| e(Msg::LineBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "valider la saisie",
                Some("valider"),
                |_| e(Msg::LineSubmit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "annuler la saisie",
                Some("annuler"),
                |_| Action::Back,
            ),
        ]);
    }
    let common = KeyMap::new(vec![
        Binding::new(
            &[Key::Code(KeyCode::Tab)],
            "partie suivante (motivation, notes privées, pièces manquantes)",
            Some("partie"),
            |_| e(Msg::FocusNext),
        ),
        Binding::new(
            &[Key::Code(KeyCode::BackTab)],
            "partie précédente",
            None,
            |_| e(Msg::FocusPrev),
        ),
        Binding::new(
            &[Key::Ctrl('s')],
            "enregistrer tout de suite (sinon automatique)",
            None,
            |_| e(Msg::SaveNow),
        ),
    ]);
    match ed.focus {
        EditorFocus::Motivation | EditorFocus::Notes => KeyMap::new(vec![
            Binding::new(
                &[Key::Text],
                "saisir (toutes les lettres vont dans le texte)",
                None,
                text_key,
            ),
            Binding::new(
                &[
                    Key::Code(KeyCode::Enter),
                    Key::Code(KeyCode::Backspace),
                    Key::Code(KeyCode::Delete),
                ],
                "nouvelle ligne, effacer avant, effacer après",
                None,
                text_key,
            ),
            Binding::new(
                &[
                    Key::Code(KeyCode::Left),
                    Key::Code(KeyCode::Right),
                    Key::Code(KeyCode::Up),
                    Key::Code(KeyCode::Down),
                    Key::Code(KeyCode::Home),
                    Key::Code(KeyCode::End),
                ],
                "déplacer le curseur",
                None,
                text_key,
            ),
            Binding::new(
                &[Key::Ctrl('z')],
                "annuler le dernier mot ou la dernière modification",
                None,
                |_| e(Msg::TextUndo),
            ),
            Binding::new(
                &[Key::Ctrl('y')],
                "rétablir ce qui a été annulé",
                None,
                |_| e(Msg::TextRedo),
            ),
            Binding::new(
                &[Key::Ctrl('a')],
                "tout sélectionner (puis Suppr : tout effacer)",
                None,
                |_| e(Msg::SelectAll),
            ),
            Binding::new(
                &[Key::Ctrl('v')],
                "coller le texte effacé en dernier (le collage du terminal arrive en entier)",
                None,
                |_| e(Msg::PasteClipboard),
            ),
            Binding::new(
                &[Key::Ctrl('t')],
                "choisir un modèle de motivation (avec aperçu)",
                Some("modèle"),
                |_| e(Msg::ChooseTemplate),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "quitter le texte, revenir aux mesures",
                Some("mesures"),
                |_| Action::Back,
            ),
        ])
        .then(common),
        EditorFocus::Measures => KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Down), Key::Char('j')],
                "mesure suivante",
                None,
                |_| Action::Move(1),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Up), Key::Char('k')],
                "mesure précédente",
                None,
                |_| Action::Move(-1),
            ),
            Binding::new(&[Key::Char('a')], "accorder", Some("accorder"), |_| {
                e(Msg::Decide(Decision::Accorde))
            }),
            Binding::new(&[Key::Char('r')], "refuser", Some("refuser"), |_| {
                e(Msg::Decide(Decision::Refuse))
            }),
            Binding::new(
                &[Key::Char('m')],
                "modifier : proposer autre chose du catalogue",
                None,
                |_| e(Msg::ModifyMeasure),
            ),
            Binding::new(
                &[Key::Char('d')],
                "préciser, ou modifier par une restriction",
                None,
                |_| e(Msg::EditDetail),
            ),
            Binding::new(
                &[Key::Char('e')],
                "choisir les épreuves concernées (liste avec aperçu)",
                None,
                |_| e(Msg::ChooseEpreuves),
            ),
            Binding::new(
                &[Key::Char('+'), Key::Char('n')],
                "ajouter une mesure du catalogue",
                None,
                |_| e(Msg::AddMeasure),
            ),
            Binding::new(
                &[Key::Char('x'), Key::Code(KeyCode::Delete)],
                "retirer la décision / la mesure ajoutée",
                None,
                |_| e(Msg::RemoveMeasure),
            ),
            Binding::new(
                &[Key::Char('o')],
                "résultat calculé ou imposé (incomplet : pièces)",
                None,
                |_| e(Msg::CycleOutcome),
            ),
            Binding::new(
                &[Key::Char('p')],
                "validité : cette session ou tout le cycle",
                None,
                |_| e(Msg::ToggleValidity),
            ),
            Binding::new(
                &[Key::Char('P')],
                "validité : dernière session couverte",
                None,
                |_| e(Msg::EditUntilSession),
            ),
            Binding::new(
                &[Key::Char('f')],
                "motif de cette mesure (exporté, sans diagnostic)",
                None,
                |_| e(Msg::EditMeasureMotivation),
            ),
            Binding::new(
                &[Key::Char('l')],
                "lever un contrôle bloquant (motif écrit)",
                None,
                |_| e(Msg::OverrideCheck),
            ),
            Binding::new(
                &[Key::Char('t')],
                "choisir un modèle de motivation (avec aperçu)",
                None,
                |_| e(Msg::ChooseTemplate),
            ),
            Binding::new(
                &[Key::Char('u')],
                "annuler la dernière décision (plusieurs fois de suite)",
                Some("annuler"),
                |_| e(Msg::UndoDecision),
            ),
            Binding::new(&[Key::Char('v')], "valider l'avis", Some("valider"), |_| {
                e(Msg::Validate)
            }),
            Binding::new(
                &[Key::Char('b')],
                "remettre l'avis en brouillon",
                None,
                |_| e(Msg::Unvalidate),
            ),
            contrast_key(),
            help_key(),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "retour à la demande",
                Some("retour"),
                |_| Action::Back,
            ),
        ])
        .then(common),
        EditorFocus::Missing => KeyMap::new(vec![
            Binding::new(
                &[Key::Code(KeyCode::Down), Key::Char('j')],
                "pièce suivante",
                None,
                |_| Action::Move(1),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Up), Key::Char('k')],
                "pièce précédente",
                None,
                |_| Action::Move(-1),
            ),
            Binding::new(
                &[Key::Char(' '), Key::Code(KeyCode::Enter)],
                "cocher / décocher comme manquante",
                Some("cocher"),
                |_| e(Msg::ToggleMissing),
            ),
            Binding::new(&[Key::Char('o')], "changer le résultat", None, |_| {
                e(Msg::CycleOutcome)
            }),
            Binding::new(
                &[Key::Char('u')],
                "annuler la dernière décision",
                None,
                |_| e(Msg::UndoDecision),
            ),
            Binding::new(&[Key::Char('v')], "valider l'avis", Some("valider"), |_| {
                e(Msg::Validate)
            }),
            help_key(),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "revenir aux mesures",
                Some("mesures"),
                |_| Action::Back,
            ),
        ])
        .then(common),
    }
}

/// Carries out a message of the editor.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let now = app.now;
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    // Modal parts first.
    if let Some(pending) = ed.confirm_reopen.take() {
        match msg {
            Msg::ConfirmReopen(true) => {
                ed.reopen_confirmed = true;
                return update(app, *pending, out);
            }
            Msg::ConfirmReopen(false) => ed.note("L'avis reste tel qu'il a été envoyé"),
            _ => ed.confirm_reopen = Some(pending),
        }
        return app.take_editor_message();
    }
    if let Some(chooser) = ed.chooser.as_mut() {
        let n = match chooser.purpose {
            ChooserPurpose::Template => model::TEMPLATES.len(),
            ChooserPurpose::Epreuves(_) => model::EPREUVES.len(),
        };
        match msg {
            Msg::ChooserMove(d) => {
                chooser.selected =
                    (chooser.selected as isize + d).clamp(0, n as isize - 1) as usize;
            }
            Msg::ChooserChoose => choose(app),
            _ => {}
        }
        return app.take_editor_message();
    }
    if is_edit(&msg) && ed.status == Status::Exporte && !ed.reopen_confirmed {
        ed.confirm_reopen = Some(Box::new(msg));
        return;
    }
    if let Some(picker) = ed.picker.as_mut() {
        match msg {
            Msg::PickerInput(c) => {
                picker.query.push(c);
                picker.selected = 0;
            }
            Msg::PickerBackspace => {
                picker.query.pop();
                picker.selected = 0;
            }
            Msg::PickerMove(d) => {
                let n = picker.matches().len();
                if n > 0 {
                    picker.selected =
                        (picker.selected as isize + d).clamp(0, n as isize - 1) as usize;
                }
            }
            Msg::PickerChoose => {
                let chosen = picker.matches().get(picker.selected).map(|m| (*m).clone());
                let purpose = picker.purpose;
                if let Some(code) = chosen {
                    ed.picker = None;
                    ed.remember();
                    match purpose {
                        PickerPurpose::Add => ed.add(code),
                        PickerPurpose::Modify(row) => {
                            ed.selected = row;
                            ed.decide(Decision::Modifie, Some(code));
                        }
                    }
                    ed.touch(now);
                }
            }
            _ => {}
        }
        return app.take_editor_message();
    }
    if let Some(line) = ed.line.as_mut() {
        match msg {
            Msg::LineInput(c) => line.text.push(c),
            Msg::LineBackspace => {
                line.text.pop();
            }
            Msg::LineSubmit => submit_line(app, out),
            _ => {}
        }
        return app.take_editor_message();
    }
    match msg {
        Msg::FocusNext | Msg::FocusPrev => {
            let incomplete = ed.outcome() == Outcome::Incomplet;
            let mut order = vec![
                EditorFocus::Measures,
                EditorFocus::Motivation,
                EditorFocus::Notes,
            ];
            if incomplete {
                order.push(EditorFocus::Missing);
            }
            let pos = order.iter().position(|f| *f == ed.focus).unwrap_or(0);
            let n = order.len();
            ed.focus = if msg == Msg::FocusNext {
                order[(pos + 1) % n]
            } else {
                order[(pos + n - 1) % n]
            };
        }
        Msg::Decide(decision) => {
            ed.remember();
            if ed.decide(decision, None) {
                ed.touch(now);
            } else {
                ed.history.pop();
                ed.warn("Une mesure ajoutée n'a pas de décision à choisir : x pour la retirer");
            }
        }
        Msg::ModifyMeasure => {
            if let Some(MeasureRow::Requested(_)) = ed.selected_row() {
                ed.picker = Some(Picker::new(PickerPurpose::Modify(ed.selected)));
            }
        }
        Msg::AddMeasure => ed.picker = Some(Picker::new(PickerPurpose::Add)),
        Msg::RemoveMeasure => {
            ed.remember();
            if ed.remove_selected() {
                ed.touch(now);
            } else {
                ed.history.pop();
            }
        }
        Msg::ChooseEpreuves => match ed.selected_row().and_then(|r| ed.opinion(r)) {
            Some(m) => {
                let selected = model::EPREUVES
                    .iter()
                    .position(|x| *x == m.epreuves)
                    .unwrap_or(0);
                ed.chooser = Some(Chooser {
                    purpose: ChooserPurpose::Epreuves(ed.selected),
                    selected,
                });
            }
            None => ed.warn("Décidez d'abord la mesure (a, r ou m) avant de choisir les épreuves"),
        },
        Msg::UndoDecision => {
            if ed.undo_decision() {
                ed.touch(now);
                let left = ed.history.len();
                ed.note(format!(
                    "Dernière décision annulée ({left} autre(s) annulation(s) possible(s))"
                ));
            } else {
                ed.warn("Aucune décision à annuler sur cet avis");
            }
        }
        Msg::TextUndo | Msg::TextRedo | Msg::SelectAll | Msg::PasteClipboard => {
            let field = match ed.focus {
                EditorFocus::Motivation => &mut ed.motivation,
                EditorFocus::Notes => &mut ed.notes,
                _ => return,
            };
            let changed = match msg {
                Msg::TextUndo => field.undo(),
                Msg::TextRedo => field.redo(),
                Msg::PasteClipboard => field.paste_clipboard(),
                _ => {
                    field.select_all();
                    ed.note("Tout le texte est sélectionné : Suppr pour l'effacer, une autre touche pour annuler la sélection");
                    false
                }
            };
            if changed {
                ed.touch(now);
            }
        }
        Msg::Paste(text) => paste_text(app, &text),
        Msg::EditDetail => {
            if let Some(row) = ed.selected_row() {
                // A restriction of an undecided measure is a modification.
                if ed.opinion(row).is_none() && ed.decide(Decision::Modifie, None) {
                    ed.touch(now);
                }
                let text = ed
                    .opinion(row)
                    .and_then(|m| m.detail.clone())
                    .unwrap_or_default();
                ed.line = Some(LineEdit {
                    purpose: LinePurpose::Detail(ed.selected),
                    text,
                });
            }
        }
        Msg::OverrideCheck => {
            let blocking = app
                .request
                .as_ref()
                .and_then(|r| r.findings.iter().find(|f| f.blocks()).cloned());
            let Some(ed) = app.editor.as_mut() else {
                return;
            };
            match blocking {
                Some(f) => {
                    ed.line = Some(LineEdit {
                        purpose: LinePurpose::Override {
                            rule: f.rule,
                            measure: f.measure,
                        },
                        text: String::new(),
                    })
                }
                None => ed.note("Aucun contrôle bloquant à lever"),
            }
        }
        Msg::CycleOutcome => {
            ed.remember();
            ed.cycle_outcome();
            ed.touch(now);
        }
        Msg::ToggleValidity => {
            ed.remember();
            ed.toggle_validity();
            ed.touch(now);
        }
        Msg::EditUntilSession => {
            ed.line = Some(LineEdit {
                purpose: LinePurpose::UntilSession,
                text: ed.draft.opinion.validity.until_session.clone(),
            });
        }
        Msg::EditMeasureMotivation => match ed.selected_row().and_then(|r| ed.opinion(r)) {
            Some(m) => {
                ed.line = Some(LineEdit {
                    purpose: LinePurpose::MeasureMotivation(ed.selected),
                    text: m.motivation.clone().unwrap_or_default(),
                })
            }
            None => ed.warn("Décidez d'abord la mesure (a, r ou m) avant d'en écrire le motif"),
        },
        Msg::ToggleMissing => {
            ed.remember();
            ed.toggle_missing();
            ed.touch(now);
        }
        Msg::ChooseTemplate => {
            ed.chooser = Some(Chooser {
                purpose: ChooserPurpose::Template,
                selected: 0,
            })
        }
        Msg::TextKey(key) => {
            let changed = match ed.focus {
                EditorFocus::Motivation => ed.motivation.input(key),
                EditorFocus::Notes => ed.notes.input(key),
                _ => false,
            };
            if changed {
                ed.touch(now);
            }
        }
        Msg::SaveNow => {
            app.autosave(true, out);
        }
        Msg::Validate => {
            let undecided = ed.undecided();
            let id = ed.id.clone();
            if undecided > 0 && ed.outcome() != Outcome::Incomplet {
                ed.warn(format!("Validation impossible : {undecided} mesure(s) demandée(s) sans décision ; décidez chacune (a, r ou m)"));
                return app.take_editor_message();
            }
            ed.note("Validation en cours…");
            app.take_editor_message();
            app.autosave(true, out);
            let sent = out.push(WorkerCommand::Validate(id));
            app.expect(Job::Validate, sent);
        }
        Msg::Unvalidate => {
            let id = ed.id.clone();
            app.autosave(true, out);
            let sent = out.push(WorkerCommand::Unvalidate(id));
            app.expect(Job::Validate, sent);
        }
        Msg::PickerInput(_)
        | Msg::PickerBackspace
        | Msg::PickerMove(_)
        | Msg::PickerChoose
        | Msg::LineInput(_)
        | Msg::LineBackspace
        | Msg::LineSubmit
        | Msg::ChooserMove(_)
        | Msg::ChooserChoose
        | Msg::ConfirmReopen(_) => {}
    }
    app.take_editor_message();
}

/// Whether a message changes the avis (an exported one asks first).
fn is_edit(msg: &Msg) -> bool {
    match msg {
        Msg::TextKey(k) => matches!(
            k.code,
            KeyCode::Char(_) | KeyCode::Enter | KeyCode::Backspace | KeyCode::Delete
        ),
        Msg::Decide(_)
        | Msg::ModifyMeasure
        | Msg::AddMeasure
        | Msg::RemoveMeasure
        | Msg::ChooseEpreuves
        | Msg::EditDetail
        | Msg::CycleOutcome
        | Msg::OverrideCheck
        | Msg::ToggleValidity
        | Msg::EditUntilSession
        | Msg::EditMeasureMotivation
        | Msg::ToggleMissing
        | Msg::ChooseTemplate
        | Msg::UndoDecision
        | Msg::TextUndo
        | Msg::TextRedo
        | Msg::PasteClipboard
        | Msg::Paste(_)
        | Msg::Unvalidate => true,
        _ => false,
    }
}

/// Takes the choice of the open list.
fn choose(app: &mut App) {
    let now = app.now;
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    let Some(chooser) = ed.chooser.take() else {
        return;
    };
    match chooser.purpose {
        ChooserPurpose::Template => {
            if ed.insert_template(chooser.selected) {
                ed.focus = EditorFocus::Motivation;
                ed.touch(now);
                ed.note("Modèle inséré dans la motivation : Ctrl+Z pour le retirer");
            }
        }
        ChooserPurpose::Epreuves(row) => {
            let Some(choice) = model::EPREUVES.get(chooser.selected).cloned() else {
                return;
            };
            ed.remember();
            if ed.set_epreuves(row, choice.clone()) {
                ed.touch(now);
            }
            if choice == crate::domain::Epreuves::Precisees {
                let text = ed
                    .rows()
                    .get(row)
                    .and_then(|r| ed.opinion(*r))
                    .and_then(|m| m.detail.clone())
                    .unwrap_or_default();
                ed.line = Some(LineEdit {
                    purpose: LinePurpose::Detail(row),
                    text,
                });
                ed.note("Nommez les épreuves concernées, puis Entrée");
            }
        }
    }
}

fn submit_line(app: &mut App, out: &mut Orders) {
    let now = app.now;
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    let Some(LineEdit { purpose, text }) = ed.line.clone() else {
        return;
    };
    match purpose {
        LinePurpose::Detail(row) => {
            ed.line = None;
            ed.remember();
            if ed.set_detail(row, &text) {
                ed.touch(now);
            }
        }
        LinePurpose::MeasureMotivation(row) => {
            ed.line = None;
            ed.remember();
            if ed.set_measure_motivation(row, &text) {
                ed.touch(now);
            }
        }
        LinePurpose::UntilSession => {
            if text.trim().is_empty() {
                ed.warn("Indiquez la dernière session couverte (par exemple 2028)");
                return;
            }
            ed.line = None;
            ed.remember();
            ed.draft.opinion.validity.until_session = text.trim().to_string();
            ed.touch(now);
        }
        LinePurpose::Override { rule, measure } => {
            if text.trim().is_empty() {
                ed.warn("Écrivez le motif pour lever ce contrôle, ou Échap pour annuler");
                return;
            }
            ed.line = None;
            ed.add_override(&rule, measure.clone(), &text);
            ed.dirty_since = None;
            ed.save = SaveState::Saving;
            ed.note("Contrôle levé, motif enregistré");
            let id = ed.id.clone();
            let draft = ed.current_draft();
            if let Some(req) = app.request.as_mut() {
                req.draft = Some(draft.clone());
            }
            ed.last_save = Some(out.push(WorkerCommand::SaveDraft {
                id: id.clone(),
                draft: Box::new(draft),
            }));
            out.push(WorkerCommand::Override {
                id,
                rule,
                measure,
                reason: text.trim().to_string(),
            });
        }
    }
}

/// Moves and wheel: the focused list.
pub fn move_by(app: &mut App, d: isize) {
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    if let Some(picker) = ed.picker.as_mut() {
        let n = picker.matches().len();
        if n > 0 {
            picker.selected = (picker.selected as isize + d).clamp(0, n as isize - 1) as usize;
        }
        return;
    }
    match ed.focus {
        EditorFocus::Measures => {
            let n = ed.rows().len();
            if n > 0 {
                ed.selected = (ed.selected as isize + d).clamp(0, n as isize - 1) as usize;
            }
        }
        EditorFocus::Missing => {
            let n = DocumentCategory::KNOWN.len();
            ed.missing_selected =
                (ed.missing_selected as isize + d).clamp(0, n as isize - 1) as usize;
        }
        _ => {}
    }
}

/// A click: focuses the part under the mouse, selects a measure.
pub fn click(app: &mut App, col: u16, row: u16) {
    let size = app.size;
    let message_lines = app.message_height();
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    if ed.picker.is_some() || ed.line.is_some() {
        return;
    }
    match click_at(ed, size, message_lines, col, row) {
        Some(EditorClick::Measure(i)) => {
            ed.focus = EditorFocus::Measures;
            ed.selected = i;
        }
        Some(EditorClick::Focus(f)) => ed.focus = f,
        None => {}
    }
}

/// Pasted text: goes through the update (an exported avis asks first).
pub fn paste(app: &mut App, text: &str) {
    update(app, Msg::Paste(text.to_string()), &mut Orders::default());
}

/// Pasted text: into the open one-line input or the focused text area,
/// whole, as one undo step.
fn paste_text(app: &mut App, text: &str) {
    let now = app.now;
    let Some(ed) = app.editor.as_mut() else {
        return;
    };
    if let Some(picker) = ed.picker.as_mut() {
        picker.query.push_str(&one_line(text));
        picker.selected = 0;
        return;
    }
    if let Some(line) = ed.line.as_mut() {
        line.text.push_str(&one_line(text));
        return;
    }
    let lines = crate::tui::clean::clean_lines(text).join("\n");
    let changed = match ed.focus {
        EditorFocus::Motivation => ed.motivation.insert_str(&lines),
        EditorFocus::Notes => ed.notes.insert_str(&lines),
        _ => {
            ed.warn("Collage ignoré : placez-vous d'abord dans la motivation ou les notes (Tab)");
            false
        }
    };
    if changed {
        ed.touch(now);
    }
}

/// Pasted text for a one-line input: line breaks become spaces, control
/// characters are dropped.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect()
}

/// Escape: closes the pop-up, leaves the text area, or goes back to the
/// request (saving first).
pub fn back(app: &mut App, out: &mut Orders) {
    if let Some(ed) = app.editor.as_mut() {
        if ed.confirm_reopen.take().is_some() {
            return;
        }
        if ed.chooser.take().is_some() {
            return;
        }
        if ed.picker.is_some() {
            ed.picker = None;
            return;
        }
        if ed.line.is_some() {
            ed.line = None;
            return;
        }
        if ed.focus != EditorFocus::Measures {
            ed.focus = EditorFocus::Measures;
            return;
        }
    }
    app.autosave(true, out);
    if let (Some(ed), Some(req)) = (app.editor.as_ref(), app.request.as_mut()) {
        req.status = ed.status;
    }
    if let Some(ed) = app.editor.take() {
        app.decision_history.insert(ed.id, ed.history);
    }
    app.screen = Screen::Request;
}

/// Opens the editor on the current request.
pub fn open(app: &mut App) {
    if let Some(req) = app.request.as_ref() {
        let mut ed = Editor::new(&req.record, req.draft.as_ref(), req.status);
        ed.exported_on = req.exported_on();
        ed.history = app
            .decision_history
            .remove(&req.record.request.id)
            .unwrap_or_default();
        match (req.status, ed.exported_on) {
            (Status::Exporte, Some(day)) => ed.note(format!(
                "Avis envoyé au rectorat le {} : le modifier demandera une confirmation",
                day.format("%d/%m/%Y")
            )),
            (Status::Exporte, None) => ed.note(
                "Avis déjà envoyé au rectorat : le modifier demandera une confirmation",
            ),
            (Status::Valide, _) => ed.note("Avis déjà validé : toute modification le remet en brouillon (il faudra le valider de nouveau)"),
            _ => {}
        }
        app.editor = Some(ed);
        app.screen = Screen::Editor;
        app.take_editor_message();
    }
}
