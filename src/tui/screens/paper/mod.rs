//! A pièce received on paper (sealed envelope), recorded from the Pièces
//! tab (`P`): its category from the catalogue's list (← →), the date it
//! bears, an optional private note. Checked as the store checks it, then
//! recorded on the worker ([`crate::store::Store::add_paper_document`]);
//! it counts for the checks and never leaves the store.

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::domain::{DocumentCategory, PaperDocument};
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand};

/// The field being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Category,
    Date,
    Note,
}

/// The paper pièce form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaperForm {
    /// The request it is for.
    pub id: String,
    pub field: Field,
    /// Index in [`DocumentCategory::KNOWN`].
    pub category: usize,
    pub date: String,
    pub note: String,
    pub error: Option<String>,
    pub busy: bool,
}

/// The form's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Input(char),
    Backspace,
    Next,
    Prev,
    /// ← or →: the previous or next category.
    Category(isize),
    Submit,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Paper(Msg::Input(c)),
        _ => Action::Paper(Msg::Backspace),
    }
}

/// Opens the form for the open request.
pub fn open(app: &mut App) {
    let Some(req) = app.request.as_ref() else {
        return;
    };
    app.paper = Some(PaperForm {
        id: req.record.request.id.clone(),
        ..PaperForm::default()
    });
    app.screen = Screen::Paper;
}

/// The keys of the form.
pub fn keymap(app: &App) -> KeyMap {
    let cancel = Binding::new(
        &[Key::Code(KeyCode::Esc)],
        "annuler : rien n'est enregistré",
        Some("annuler"),
        |_| Action::Back,
    );
    if app.paper.as_ref().is_none_or(|p| p.busy) {
        return KeyMap::new(vec![cancel]);
    }
    KeyMap::new(vec![
        Binding::new(&[Key::Text], "saisir la date ou la note", None, typed),
        Binding::new(
            &[Key::Code(KeyCode::Backspace)],
            "effacer le dernier caractère",
            None,
            |_| Action::Paper(Msg::Backspace),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Left), Key::Code(KeyCode::Right)],
            "catégorie précédente ou suivante",
            Some("catégorie"),
            |ev| Action::Paper(Msg::Category(if ev.code == KeyCode::Left { -1 } else { 1 })),
        )
        .hint_keys("← →"),
        Binding::new(
            &[Key::Code(KeyCode::Tab), Key::Code(KeyCode::Down)],
            "champ suivant",
            Some("suivant"),
            |_| Action::Paper(Msg::Next),
        )
        .hint_keys("Tab"),
        Binding::new(
            &[Key::Code(KeyCode::BackTab), Key::Code(KeyCode::Up)],
            "champ précédent",
            None,
            |_| Action::Paper(Msg::Prev),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter)],
            "enregistrer la pièce",
            Some("enregistrer"),
            |_| Action::Paper(Msg::Submit),
        ),
        cancel,
    ])
}

/// A date typed as JJ/MM/AAAA or AAAA-MM-JJ.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

/// Carries out a message of the form.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let today = app.today;
    let Some(p) = app.paper.as_mut().filter(|p| !p.busy) else {
        return;
    };
    let n = DocumentCategory::KNOWN.len() as isize;
    match msg {
        Msg::Input(c) => match p.field {
            Field::Category => {}
            Field::Date => p.date.push(c),
            Field::Note => p.note.push(c),
        },
        Msg::Backspace => {
            match p.field {
                Field::Category => None,
                Field::Date => p.date.pop(),
                Field::Note => p.note.pop(),
            };
        }
        Msg::Category(d) => {
            p.category = ((p.category as isize + d).rem_euclid(n.max(1))) as usize;
        }
        Msg::Next => {
            p.field = match p.field {
                Field::Category => Field::Date,
                _ => Field::Note,
            }
        }
        Msg::Prev => {
            p.field = match p.field {
                Field::Note => Field::Date,
                _ => Field::Category,
            }
        }
        Msg::Submit => {
            let Some(date) = parse_date(&p.date) else {
                p.field = Field::Date;
                p.error = Some(
                    "date de la pièce illisible : écrivez-la JJ/MM/AAAA (par exemple 03/05/2026)"
                        .into(),
                );
                return;
            };
            let Some(category) = DocumentCategory::KNOWN.get(p.category).cloned() else {
                return;
            };
            let doc = PaperDocument {
                category,
                date,
                note: p.note.trim().to_string(),
            };
            let problems = doc.problems(today);
            if !problems.is_empty() {
                p.error = Some(problems.join(" ; "));
                return;
            }
            p.error = None;
            p.busy = true;
            let sent = out.push(WorkerCommand::AddPaper {
                id: p.id.clone(),
                doc,
            });
            app.expect(Job::Paper, sent);
        }
    }
}

/// Échap: back to the request, nothing recorded.
pub fn back(app: &mut App) {
    if app.paper.as_ref().is_some_and(|p| p.busy) {
        return;
    }
    app.paper = None;
    app.screen = Screen::Request;
}

/// The pièce is recorded but the request could not be read again: the
/// form closes on the request as it was shown.
pub fn recorded(app: &mut App) {
    app.paper = None;
    if app.screen == Screen::Paper {
        app.screen = Screen::Request;
    }
}

/// The worker could not record it: the form stays, with the message.
pub fn failed(app: &mut App) {
    if let Some(p) = app.paper.as_mut() {
        p.busy = false;
    }
}

/// Draws the form.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(p) = app.paper.as_ref() else {
        return;
    };
    let focus = |f: Field| p.field == f && !p.busy;
    let label = |text: &str, f: Field| {
        Span::styled(
            format!(" {} {text:<20}", if focus(f) { "▶" } else { " " }),
            if focus(f) { t.key } else { t.header },
        )
    };
    let cursor = |f: Field| Span::styled(if focus(f) { "▏" } else { "" }, t.key);
    let category = DocumentCategory::KNOWN
        .get(p.category)
        .map(|c| c.label())
        .unwrap_or_default();
    let mut lines = vec![
        Line::raw(""),
        Line::raw(" Une pièce reçue sur papier (pli cacheté) compte pour les contrôles ;"),
        Line::raw(" elle ne quitte jamais le magasin."),
        Line::raw(""),
        Line::from(vec![
            label("Catégorie :", Field::Category),
            Span::raw(format!("◀ {category} ▶")),
        ]),
        Line::from(vec![
            label("Date (JJ/MM/AAAA) :", Field::Date),
            Span::raw(clean(&p.date)),
            cursor(Field::Date),
        ]),
        Line::from(vec![
            label("Note privée :", Field::Note),
            Span::raw(clean(&p.note)),
            cursor(Field::Note),
        ]),
        Line::raw(""),
    ];
    if p.busy {
        lines.push(Line::styled(" Enregistrement…", t.header));
    } else if let Some(e) = &p.error {
        lines.push(Line::styled(format!(" ⚠ {e}"), t.block));
    } else {
        lines.push(Line::styled(
            " ← → catégorie · Tab champ suivant · Entrée enregistrer · Échap annuler",
            t.dim,
        ));
    }
    let rect = crate::tui::screens::centered(area, 84, 13);
    crate::tui::screens::popup(app, frame, rect, " Pièce reçue sur papier ", lines);
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_read_in_french_or_iso() {
        assert_eq!(
            parse_date("03/05/2026"),
            chrono::NaiveDate::from_ymd_opt(2026, 5, 3)
        );
        assert_eq!(
            parse_date("2026-05-03"),
            chrono::NaiveDate::from_ymd_opt(2026, 5, 3)
        );
        assert_eq!(parse_date("3 mai"), None);
    }
}
