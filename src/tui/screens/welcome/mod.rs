//! The welcome screen of the first run: no store yet. The doctor's name,
//! RPPS number (11 digits), the passphrase typed twice with its strength
//! shown (the rule of `avis init`), then the store is created on the
//! worker and the public keys are shown ([`keys`]).

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
use crate::tui::worker::{KeysInfo, Orders, WorkerCommand, WorkerFailure};

pub mod keys;

/// The field being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Name,
    Rpps,
    Passphrase,
    Confirm,
}

/// The welcome screen's state.
#[derive(Debug, Default)]
pub struct WelcomeState {
    pub field: Field,
    pub name: String,
    pub rpps: String,
    pub passphrase: Zeroizing<String>,
    pub confirm: Zeroizing<String>,
    pub error: Option<String>,
    /// The worker is creating the store.
    pub busy: bool,
}

/// The welcome screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Input(char),
    Backspace,
    Next,
    Prev,
    /// Entrée: the next field, or create the store from the last one.
    Submit,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Welcome(Msg::Input(c)),
        _ => Action::Welcome(Msg::Backspace),
    }
}

/// The keys of the welcome screen.
pub fn keymap(app: &App) -> KeyMap {
    let quit = Binding::new(
        &[Key::Code(KeyCode::Esc)],
        "quitter sans rien créer",
        Some("quitter"),
        |_| Action::Back,
    );
    if app.welcome.busy {
        return KeyMap::new(vec![quit]);
    }
    KeyMap::new(vec![
        Binding::new(&[Key::Text], "saisir dans le champ", None, typed),
        Binding::new(
            &[Key::Code(KeyCode::Backspace)],
            "effacer le dernier caractère",
            None,
            |_| Action::Welcome(Msg::Backspace),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Tab), Key::Code(KeyCode::Down)],
            "champ suivant",
            Some("suivant"),
            |_| Action::Welcome(Msg::Next),
        )
        .hint_keys("Tab"),
        Binding::new(
            &[Key::Code(KeyCode::BackTab), Key::Code(KeyCode::Up)],
            "champ précédent",
            None,
            |_| Action::Welcome(Msg::Prev),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter)],
            "champ suivant ; sur le dernier : créer le magasin",
            Some("valider"),
            |_| Action::Welcome(Msg::Submit),
        ),
        quit,
    ])
}

/// What is wrong with the form (French), or `None`: it can be created.
fn problem(w: &WelcomeState) -> Option<(Field, String)> {
    if w.name.trim().is_empty() {
        return Some((
            Field::Name,
            "indiquez votre nom (par exemple « Dr Claire Martin »)".into(),
        ));
    }
    let rpps = w.rpps.trim();
    if rpps.chars().count() != 11 || !rpps.chars().all(|c| c.is_ascii_digit()) {
        return Some((
            Field::Rpps,
            "le numéro RPPS a 11 chiffres (il figure sur votre carte CPS)".into(),
        ));
    }
    if let Err(e) = crate::passphrase::check_strength(&w.passphrase) {
        return Some((Field::Passphrase, e));
    }
    if w.passphrase.as_str() != w.confirm.as_str() {
        return Some((
            Field::Confirm,
            "les deux phrases de passe diffèrent : retapez la confirmation".into(),
        ));
    }
    None
}

/// Carries out a message of the welcome screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let w = &mut app.welcome;
    if w.busy {
        return;
    }
    match msg {
        Msg::Input(c) => match w.field {
            Field::Name => w.name.push(c),
            Field::Rpps => w.rpps.push(c),
            Field::Passphrase => w.passphrase.push(c),
            Field::Confirm => w.confirm.push(c),
        },
        Msg::Backspace => {
            match w.field {
                Field::Name => w.name.pop(),
                Field::Rpps => w.rpps.pop(),
                Field::Passphrase => w.passphrase.pop(),
                Field::Confirm => w.confirm.pop(),
            };
        }
        Msg::Next => w.field = next(w.field),
        Msg::Prev => w.field = prev(w.field),
        Msg::Submit if w.field != Field::Confirm => w.field = next(w.field),
        Msg::Submit => match problem(w) {
            Some((field, why)) => {
                w.field = field;
                w.error = Some(why);
            }
            None => {
                w.error = None;
                w.busy = true;
                let passphrase = SecretString::from(w.passphrase.as_str().to_string());
                w.passphrase.clear();
                w.confirm.clear();
                let sent = out.push(WorkerCommand::Create {
                    name: w.name.trim().to_string(),
                    rpps: Some(w.rpps.trim().to_string()),
                    passphrase,
                });
                app.expect(Job::Create, sent);
            }
        },
    }
}

fn next(f: Field) -> Field {
    match f {
        Field::Name => Field::Rpps,
        Field::Rpps => Field::Passphrase,
        Field::Passphrase | Field::Confirm => Field::Confirm,
    }
}

fn prev(f: Field) -> Field {
    match f {
        Field::Name | Field::Rpps => Field::Name,
        Field::Passphrase => Field::Rpps,
        Field::Confirm => Field::Passphrase,
    }
}

/// Pasted text goes into the field (its first line).
pub fn paste(app: &mut App, text: &str) {
    let first: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    for c in first.chars() {
        update(app, Msg::Input(c), &mut Orders::default());
    }
}

/// Escape: quit (nothing was created).
pub fn back(app: &mut App) {
    if !app.welcome.busy {
        app.should_quit = true;
    }
}

/// The store is created: its keys are shown.
pub fn created(app: &mut App, keys: KeysInfo) {
    app.welcome = WelcomeState::default();
    app.progress = None;
    app.keys = Some(keys);
    app.keys_first_run = true;
    app.screen = Screen::Keys;
}

/// The store could not be created.
pub fn failed(app: &mut App, failure: &WorkerFailure) {
    app.welcome.busy = false;
    app.progress = None;
    app.welcome.error = Some(clean(&failure.to_string()));
}

/// Draws the welcome screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = &app.welcome;
    let mut lines = vec![
        Line::raw(""),
        Line::styled(" Bienvenue dans avis", t.header),
        Line::raw(" Aucun magasin sur cet ordinateur : créons-le. Il gardera, chiffrés, les"),
        Line::raw(" dossiers reçus du rectorat et vos avis. Tab : champ suivant."),
        Line::raw(""),
    ];
    let field = |label: &str, value: String, f: Field| {
        let focused = w.field == f && !w.busy;
        Line::from(vec![
            Span::styled(
                format!(" {} {label:<31}", if focused { "▶" } else { " " }),
                if focused { t.key } else { t.header },
            ),
            Span::raw(value),
            Span::styled(if focused { "▏" } else { "" }, t.key),
        ])
    };
    lines.push(field("Nom du médecin :", clean(&w.name), Field::Name));
    lines.push(field(
        "Numéro RPPS (11 chiffres) :",
        clean(&w.rpps),
        Field::Rpps,
    ));
    let masked = |s: &str| "•".repeat(s.chars().count());
    lines.push(field(
        "Phrase de passe :",
        masked(&w.passphrase),
        Field::Passphrase,
    ));
    lines.push(field(
        "Confirmez la phrase de passe :",
        masked(&w.confirm),
        Field::Confirm,
    ));
    let level = crate::passphrase::strength(&w.passphrase);
    let style = match level {
        0 => t.block,
        1 => t.warn,
        _ => t.ok,
    };
    let bar = format!(
        "{}{}",
        "■".repeat(level as usize + 1),
        "□".repeat(3 - level.min(3) as usize)
    );
    lines.push(Line::from(vec![
        Span::raw(format!("   {:<31}", "Solidité de la phrase :")),
        Span::styled(
            format!("{bar} {}", crate::passphrase::strength_label(level)),
            style,
        ),
    ]));
    lines.push(Line::styled(
        format!(
            "   Au moins {} caractères ; une phrase de plusieurs mots est idéale. Sans elle,",
            crate::passphrase::MIN_CHARS
        ),
        t.dim,
    ));
    lines.push(Line::styled(
        "   le magasin ne peut pas être ouvert : notez-la en lieu sûr.",
        t.dim,
    ));
    lines.push(Line::raw(""));
    if w.busy {
        let text = app
            .progress
            .as_ref()
            .map(crate::tui::screens::progress_text)
            .unwrap_or_else(|| "Création du magasin…".into());
        lines.push(Line::styled(format!(" {text}"), t.header));
    } else if let Some(err) = &w.error {
        lines.push(Line::styled(format!(" ⚠ {err}"), t.block));
    } else {
        lines.push(Line::styled(
            " Entrée sur la confirmation : créer le magasin · Échap : quitter",
            t.dim,
        ));
    }
    let rect = crate::tui::screens::centered(area, 86, 19);
    crate::tui::screens::popup(app, frame, rect, " Premier démarrage ", lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_before_anything_is_created() {
        let mut w = WelcomeState {
            name: "Dr Test".into(),
            rpps: "1234".into(),
            ..WelcomeState::default()
        };
        assert_eq!(problem(&w).map(|p| p.0), Some(Field::Rpps));
        w.rpps = "10001234567".into();
        w.passphrase = Zeroizing::new("court".into());
        assert_eq!(problem(&w).map(|p| p.0), Some(Field::Passphrase));
        w.passphrase = Zeroizing::new("une longue phrase".into());
        w.confirm = Zeroizing::new("une autre phrase".into());
        assert_eq!(problem(&w).map(|p| p.0), Some(Field::Confirm));
        w.confirm = Zeroizing::new("une longue phrase".into());
        assert_eq!(problem(&w), None);
    }
}
