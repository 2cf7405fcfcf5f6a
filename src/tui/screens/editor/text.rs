//! A text area of the editor with the standard editing keys: typing,
//! Ctrl+Z / Ctrl+Y undo and redo by word, Ctrl+A then Suppr clears, paste
//! (the terminal's, whole, and Ctrl+V: the last text cleared).

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

/// How many undo steps a text keeps.
const HISTORY: usize = 500;

/// What an edit was, to group typing by word for undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    None,
    Word,
    Space,
    Delete,
    Other,
}

#[derive(Debug, Clone)]
struct Snap {
    lines: Vec<String>,
    cursor: (usize, usize),
}

/// A multi-line text with undo by word.
#[derive(Debug, Clone)]
pub struct TextField {
    /// The widget drawn.
    pub area: TextArea<'static>,
    placeholder: &'static str,
    undo: Vec<Snap>,
    redo: Vec<Snap>,
    group: Group,
    /// Ctrl+A was pressed: Suppr or Retour arrière now clears the text.
    pub all_selected: bool,
    /// The text last cleared, for Ctrl+V.
    clipboard: String,
}

fn widget(lines: Vec<String>, placeholder: &'static str) -> TextArea<'static> {
    let mut ta = TextArea::new(lines);
    ta.set_wrap_mode(WrapMode::WordOrGlyph);
    ta.set_placeholder_text(placeholder);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.set_max_histories(0);
    ta
}

impl TextField {
    /// A text holding `text` (untrusted: cleaned).
    pub fn new(text: &str, placeholder: &'static str) -> TextField {
        TextField {
            area: widget(crate::tui::clean::clean_lines(text), placeholder),
            placeholder,
            undo: Vec::new(),
            redo: Vec::new(),
            group: Group::None,
            all_selected: false,
            clipboard: String::new(),
        }
    }

    /// The text shown while the field is empty.
    pub fn placeholder(&self) -> &'static str {
        self.placeholder
    }

    fn snapshot(&self) -> Snap {
        let c = self.area.cursor();
        Snap {
            lines: self.area.lines().to_vec(),
            cursor: (c.0, c.1),
        }
    }

    fn restore(&mut self, snap: Snap) {
        self.area = widget(snap.lines, self.placeholder);
        self.jump(snap.cursor);
    }

    /// Moves the cursor to (row, column).
    pub fn jump(&mut self, (r, c): (usize, usize)) {
        self.area.move_cursor(CursorMove::Jump(
            u16::try_from(r).unwrap_or(u16::MAX),
            u16::try_from(c).unwrap_or(u16::MAX),
        ));
    }

    /// Before an edit: a new undo step unless it continues the same word.
    fn begin(&mut self, group: Group) {
        let same = match (self.group, group) {
            (Group::Word, Group::Space) => true,
            (a, b) => a == b && b != Group::Other,
        };
        if !same {
            self.undo.push(self.snapshot());
            if self.undo.len() > HISTORY {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.group = group;
    }

    /// A key typed into the text; whether the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if std::mem::take(&mut self.all_selected) {
            self.area.cancel_selection();
            if matches!(key.code, KeyCode::Delete | KeyCode::Backspace) {
                return self.clear();
            }
        }
        match key.code {
            KeyCode::Char(c) if !c.is_control() => {
                self.begin(if c.is_whitespace() {
                    Group::Space
                } else {
                    Group::Word
                });
                self.area.insert_char(c);
                true
            }
            KeyCode::Enter => {
                self.begin(Group::Other);
                self.area.insert_newline();
                true
            }
            KeyCode::Backspace => {
                let c = self.area.cursor();
                if (c.0, c.1) == (0, 0) {
                    return false;
                }
                self.begin(Group::Delete);
                self.area.delete_char()
            }
            KeyCode::Delete => {
                self.begin(Group::Delete);
                self.area.delete_next_char()
            }
            code => {
                let m = match code {
                    KeyCode::Left => CursorMove::Back,
                    KeyCode::Right => CursorMove::Forward,
                    KeyCode::Up => CursorMove::Up,
                    KeyCode::Down => CursorMove::Down,
                    KeyCode::Home => CursorMove::Head,
                    KeyCode::End => CursorMove::End,
                    _ => return false,
                };
                self.group = Group::None;
                self.area.move_cursor(m);
                false
            }
        }
    }

    /// Inserts `text` at the cursor as one undo step.
    pub fn insert_str(&mut self, text: &str) -> bool {
        self.all_selected = false;
        if text.is_empty() {
            return false;
        }
        self.begin(Group::Other);
        self.group = Group::None;
        self.area.insert_str(text)
    }

    /// Starts a new line (a template after existing text).
    pub fn insert_newline(&mut self) {
        self.begin(Group::Other);
        self.area.insert_newline();
    }

    /// Selects the whole text: Suppr then clears it.
    pub fn select_all(&mut self) {
        self.area.select_all();
        self.all_selected = true;
    }

    /// Clears the text (kept for Ctrl+V and undo).
    pub fn clear(&mut self) -> bool {
        if self.is_empty() {
            return false;
        }
        self.begin(Group::Other);
        self.clipboard = self.text();
        self.area = widget(Vec::new(), self.placeholder);
        self.group = Group::None;
        true
    }

    /// Ctrl+V: pastes the text last cleared.
    pub fn paste_clipboard(&mut self) -> bool {
        let text = self.clipboard.clone();
        self.insert_str(&text)
    }

    /// Undoes the last word or edit.
    pub fn undo(&mut self) -> bool {
        let Some(snap) = self.undo.pop() else {
            return false;
        };
        self.redo.push(self.snapshot());
        self.restore(snap);
        self.group = Group::None;
        true
    }

    /// Redoes what was undone.
    pub fn redo(&mut self) -> bool {
        let Some(snap) = self.redo.pop() else {
            return false;
        };
        self.undo.push(self.snapshot());
        self.restore(snap);
        self.group = Group::None;
        true
    }

    /// The text, lines joined.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn lines(&self) -> &[String] {
        self.area.lines()
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Characters in the text (line breaks not counted).
    pub fn chars(&self) -> usize {
        self.area.lines().iter().map(|l| l.chars().count()).sum()
    }

    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn typed(t: &mut TextField, s: &str) {
        for c in s.chars() {
            t.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn undo_and_redo_go_by_word() {
        let mut t = TextField::new("", "");
        typed(&mut t, "voir orthophoniste");
        assert!(t.undo());
        assert_eq!(t.text(), "voir ");
        assert!(t.undo());
        assert_eq!(t.text(), "");
        assert!(!t.undo());
        assert!(t.redo());
        assert_eq!(t.text(), "voir ");
        assert!(t.redo());
        assert_eq!(t.text(), "voir orthophoniste");
    }

    #[test]
    fn select_all_then_delete_clears_and_ctrl_v_brings_it_back() {
        let mut t = TextField::new("un long texte\nsur deux lignes", "");
        t.select_all();
        assert!(t.input(KeyEvent::new(KeyCode::Delete, KeyModifiers::NONE)));
        assert!(t.is_empty());
        assert!(t.paste_clipboard());
        assert_eq!(t.text(), "un long texte\nsur deux lignes");
        // Another key after Ctrl+A only cancels the selection.
        t.select_all();
        typed(&mut t, "!");
        assert!(t.text().ends_with('!'));
        assert!(t.undo());
        assert_eq!(t.text(), "un long texte\nsur deux lignes");
    }
}
