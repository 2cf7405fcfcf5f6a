//! Key tables: each screen describes its keys once, as a list of
//! [`Binding`]s (keys, French help line, status-bar word, action). Key
//! handling ([`KeyMap::lookup`]), the `?` help ([`KeyMap::help`]) and the
//! status bar ([`KeyMap::hints`]) are all read from that one list, so they
//! cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// One key of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character typed without Ctrl or Alt (Shift allowed: `G`, `?`, `+`).
    Char(char),
    /// A named key (Entrée, Échap, arrows, F1…), Shift allowed.
    Code(KeyCode),
    /// Ctrl and a letter.
    Ctrl(char),
    /// Any printable character: the keys of a text input.
    Text,
}

impl Key {
    /// Whether `ev` is this key.
    pub fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        // AltGr arrives as Ctrl+Alt on some systems: it types characters.
        let plain = ctrl == alt;
        match self {
            Key::Char(c) => plain && !ctrl && ev.code == KeyCode::Char(c),
            Key::Code(code) => !ctrl && !alt && ev.code == code,
            Key::Ctrl(c) => {
                ctrl && !alt && matches!(ev.code, KeyCode::Char(x) if x.to_ascii_lowercase() == c)
            }
            Key::Text => plain && matches!(ev.code, KeyCode::Char(c) if !c.is_control()),
        }
    }

    /// The key as the help writes it.
    pub fn name(self) -> String {
        match self {
            Key::Char(' ') => "Espace".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl+{}", c.to_ascii_uppercase()),
            Key::Text => "texte".into(),
            Key::Code(code) => match code {
                KeyCode::Enter => "Entrée".into(),
                KeyCode::Esc => "Échap".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Maj+Tab".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgPréc".into(),
                KeyCode::PageDown => "PgSuiv".into(),
                KeyCode::Home => "Début".into(),
                KeyCode::End => "Fin".into(),
                KeyCode::Delete => "Suppr".into(),
                KeyCode::Backspace => "Retour arrière".into(),
                KeyCode::F(n) => format!("F{n}"),
                other => format!("{other}"),
            },
        }
    }
}

/// One line of a key table.
#[derive(Clone)]
pub struct Binding {
    /// The keys that do it.
    pub keys: &'static [Key],
    /// French, one line, for the `?` help.
    pub help: &'static str,
    /// A short French word for the status bar, if the key shows there.
    pub hint: Option<&'static str>,
    /// What the key does (the key event is given for text input).
    pub action: fn(&KeyEvent) -> Action,
    /// How the status bar writes the keys, when shorter than the help.
    pub hint_keys: Option<&'static str>,
}

impl Binding {
    /// A binding.
    pub const fn new(
        keys: &'static [Key],
        help: &'static str,
        hint: Option<&'static str>,
        action: fn(&KeyEvent) -> Action,
    ) -> Binding {
        Binding {
            keys,
            help,
            hint,
            action,
            hint_keys: None,
        }
    }

    /// The status bar writes the keys as `keys` ("0-4").
    pub fn hint_keys(mut self, keys: &'static str) -> Binding {
        self.hint_keys = Some(keys);
        self
    }

    /// The keys as the help writes them ("↑, k").
    pub fn label(&self) -> String {
        self.keys
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `?`: the help of the screen, the same line on every screen.
pub fn help_key() -> Binding {
    Binding::new(&[Key::Char('?')], "cette aide", Some("aide"), |_| {
        Action::ToggleHelp
    })
}

/// `c`: the high-contrast theme, on the screens that offer it.
pub fn contrast_key() -> Binding {
    Binding::new(&[Key::Char('c')], "thème contrasté", None, |_| {
        Action::ToggleContrast
    })
}

/// Échap or `q`: back to the previous screen, which `help` names
/// ("retour à la liste").
pub fn back_key(help: &'static str) -> Binding {
    Binding::new(
        &[Key::Code(KeyCode::Esc), Key::Char('q')],
        help,
        Some("retour"),
        |_| Action::Back,
    )
    .hint_keys("Échap")
}

/// The keys of one screen in one of its modes.
#[derive(Clone, Default)]
pub struct KeyMap {
    pub bindings: Vec<Binding>,
}

impl KeyMap {
    /// A table from its bindings (the first matching one wins).
    pub fn new(bindings: Vec<Binding>) -> KeyMap {
        KeyMap { bindings }
    }

    /// Adds the bindings of `other` after these.
    pub fn then(mut self, other: KeyMap) -> KeyMap {
        self.bindings.extend(other.bindings);
        self
    }

    /// The binding a key event falls on.
    pub fn binding(&self, ev: &KeyEvent) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
    }

    /// The action of a key event, if the table has the key.
    pub fn lookup(&self, ev: &KeyEvent) -> Option<Action> {
        self.binding(ev).map(|b| (b.action)(ev))
    }

    /// The help lines: (keys, what they do).
    pub fn help(&self) -> Vec<(String, &'static str)> {
        self.bindings.iter().map(|b| (b.label(), b.help)).collect()
    }

    /// The status-bar hints: (keys, short word).
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        self.bindings
            .iter()
            .filter_map(|b| {
                b.hint.map(|h| {
                    let keys = b.hint_keys.map(str::to_string).unwrap_or_else(|| b.label());
                    (keys, h)
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_match_with_the_right_modifiers_only() {
        let v = ev(KeyCode::Char('v'), KeyModifiers::NONE);
        let ctrl_v = ev(KeyCode::Char('v'), KeyModifiers::CONTROL);
        assert!(Key::Char('v').matches(&v));
        assert!(!Key::Char('v').matches(&ctrl_v));
        assert!(Key::Ctrl('v').matches(&ctrl_v));
        assert!(!Key::Ctrl('v').matches(&v));
        assert!(Key::Text.matches(&ev(KeyCode::Char('É'), KeyModifiers::SHIFT)));
        assert!(!Key::Text.matches(&ctrl_v));
        assert!(Key::Text.matches(&ev(
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT
        )));
        assert_eq!(Key::Ctrl('z').name(), "Ctrl+Z");
        assert_eq!(Key::Code(KeyCode::Delete).name(), "Suppr");
    }
}
