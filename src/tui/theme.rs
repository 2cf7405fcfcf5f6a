//! Colours and emphasis: a normal theme, a high-contrast one, and a
//! colourless one for `NO_COLOR`. Meaning never rests on colour alone: every
//! state is also written out in words or marked by a symbol.

use ratatui::style::{Color, Modifier, Style};

/// Which palette is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeKind {
    /// Default colours.
    Normal,
    /// Black and white with strong emphasis.
    HighContrast,
    /// No colour at all (`NO_COLOR`): modifiers only.
    NoColor,
}

/// The styles the screens use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub kind: ThemeKind,
    pub base: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub key: Style,
    pub warn: Style,
    pub block: Style,
    pub ok: Style,
    pub border: Style,
    pub focus_border: Style,
    pub private: Style,
}

impl Theme {
    /// The theme for `kind`.
    pub fn new(kind: ThemeKind) -> Theme {
        match kind {
            ThemeKind::Normal => Theme {
                kind,
                base: Style::default(),
                title: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                header: Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default()
                    .bg(Color::Blue)
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD),
                dim: Style::default().fg(Color::Gray),
                key: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                warn: Style::default().fg(Color::Yellow),
                block: Style::default()
                    .fg(Color::LightRed)
                    .add_modifier(Modifier::BOLD),
                ok: Style::default().fg(Color::Green),
                border: Style::default().fg(Color::Gray),
                focus_border: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                private: Style::default().fg(Color::Magenta),
            },
            ThemeKind::HighContrast => {
                let fg = Style::default().fg(Color::White).bg(Color::Black);
                Theme {
                    kind,
                    base: fg,
                    title: fg.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                    header: fg.add_modifier(Modifier::BOLD),
                    selected: Style::default()
                        .fg(Color::Black)
                        .bg(Color::White)
                        .add_modifier(Modifier::BOLD),
                    dim: fg,
                    key: fg.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                    warn: fg.add_modifier(Modifier::BOLD),
                    block: fg.add_modifier(Modifier::BOLD | Modifier::REVERSED),
                    ok: fg.add_modifier(Modifier::BOLD),
                    border: fg,
                    focus_border: fg.add_modifier(Modifier::BOLD),
                    private: fg.add_modifier(Modifier::ITALIC | Modifier::BOLD),
                }
            }
            ThemeKind::NoColor => {
                let plain = Style::default();
                Theme {
                    kind,
                    base: plain,
                    title: plain.add_modifier(Modifier::BOLD),
                    header: plain.add_modifier(Modifier::BOLD),
                    selected: plain.add_modifier(Modifier::REVERSED),
                    dim: plain,
                    key: plain.add_modifier(Modifier::BOLD),
                    warn: plain.add_modifier(Modifier::BOLD),
                    block: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                    ok: plain,
                    border: plain,
                    focus_border: plain.add_modifier(Modifier::BOLD),
                    private: plain.add_modifier(Modifier::ITALIC),
                }
            }
        }
    }

    /// The theme the environment asks for: `NO_COLOR` (any non-empty value)
    /// wins; otherwise the normal one.
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::new(ThemeKind::NoColor),
            _ => Theme::new(ThemeKind::Normal),
        }
    }

    /// Next theme in the cycle normal → high contrast → normal. A colourless
    /// theme stays colourless.
    pub fn toggled(self) -> Theme {
        match self.kind {
            ThemeKind::Normal => Theme::new(ThemeKind::HighContrast),
            ThemeKind::HighContrast => Theme::new(ThemeKind::Normal),
            ThemeKind::NoColor => self,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ThemeKind::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_uses_no_colour_at_all() {
        let t = Theme::new(ThemeKind::NoColor);
        for s in [
            t.base,
            t.title,
            t.header,
            t.selected,
            t.dim,
            t.key,
            t.warn,
            t.block,
            t.ok,
            t.border,
            t.focus_border,
            t.private,
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert_eq!(
            t.toggled(),
            t,
            "NO_COLOR is never overridden by the contrast toggle"
        );
    }

    #[test]
    fn contrast_toggle_cycles() {
        let t = Theme::new(ThemeKind::Normal).toggled();
        assert_eq!(t.kind, ThemeKind::HighContrast);
        assert_eq!(t.toggled().kind, ThemeKind::Normal);
        assert_ne!(t.selected, t.base, "selection stays visible without colour");
    }
}
