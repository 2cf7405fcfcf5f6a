//! The screens, one component each, and the frame around them: a title
//! line, the screen, the message area (wrapped, whole, only when there is
//! a message) and the status bar with the main keys (always shown).
//!
//! Each screen is a module `screens/<name>/` with:
//! - its state (a struct kept in [`App`]),
//! - its message enum `Msg` (wrapped in one variant of [`Action`]),
//! - `keymap(&App) -> KeyMap`: its key table for the current mode (keys,
//!   action, French help line, status-bar hint), from which key handling,
//!   the `?` help and the status bar are all derived,
//! - `update(&mut App, Msg, &mut Orders)`: the only place its
//!   state changes; slow work goes to the worker as commands,
//! - `render(&App, &mut Frame, Rect)`: drawing by shared reference, no I/O.
//!
//! To add a screen: create `screens/<name>/mod.rs` with these four items;
//! add a variant to [`Screen`] and to [`Action`] (`Action::<Name>(Msg)`);
//! add one arm for it in [`keymap`], [`render`] and [`title`] here and in
//! `App::route` (`src/tui/app.rs`); give it a state field in [`App`]; add
//! it to the key-table test (`tests/tui_keys.rs`), which checks that every
//! key it handles is in its help. Moves, clicks, the wheel, paste and
//! Échap reach a screen through its `move_by`, `click`, `paste` and `back`
//! functions when it has them (see `App::update`).
//!
//! The viewer keeps its drawing in `viewer.rs` and its component in
//! `viewer_keys.rs`.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::action::Action;
use super::app::{App, Screen};
use super::keymap::{Binding, Key, KeyMap};

pub mod backup;
pub mod chooser;
pub mod editor;
pub mod export;
pub mod figures;
pub mod help;
pub mod import;
pub mod inbox;
pub mod paper;
pub mod purge;
pub mod request;
pub mod trust;
pub mod unlock;
pub mod viewer;
pub mod viewer_keys;
pub mod welcome;

/// The keys every screen has (after its own).
pub fn global_keymap(app: &App) -> KeyMap {
    let mut b = vec![
        Binding::new(
            &[Key::Code(KeyCode::F(1))],
            "cette aide (aussi pendant une saisie)",
            None,
            |_| Action::ToggleHelp,
        ),
        Binding::new(
            &[Key::Code(KeyCode::F(2))],
            "les messages de la session",
            None,
            |_| Action::ToggleLog,
        ),
    ];
    if !matches!(app.screen, Screen::Unlock | Screen::Welcome) && !app.keys_first_run {
        b.push(Binding::new(
            &[Key::Ctrl('l')],
            "verrouiller maintenant (aussi après inactivité)",
            None,
            |_| Action::Lock,
        ));
    }
    b.push(quit_binding());
    KeyMap::new(b)
}

/// The key table in force: the open overlay's, or the screen's for its
/// current mode followed by the global keys.
pub fn keymap(app: &App) -> KeyMap {
    if app.quit.is_some() {
        return help::quit_keymap();
    }
    if app.help {
        return help::help_keymap();
    }
    if app.show_log {
        return help::log_keymap();
    }
    screen_keymap(app).then(global_keymap(app))
}

/// The current screen's own table.
pub fn screen_keymap(app: &App) -> KeyMap {
    match app.screen {
        Screen::Unlock => unlock::keymap(app),
        Screen::Inbox => inbox::keymap(app),
        Screen::Request => request::keymap(app),
        Screen::Editor => editor::keymap(app),
        Screen::Viewer => viewer_keys::keymap(app),
        Screen::Export => export::keymap(app),
        Screen::Figures => figures::keymap(app),
        Screen::Purge => purge::keymap(app),
        Screen::Welcome => welcome::keymap(app),
        Screen::Keys => welcome::keys::keymap(app),
        Screen::Trust => trust::keymap(app),
        Screen::Chooser => chooser::keymap(app),
        Screen::Import => import::keymap(app),
        Screen::Backup => backup::keymap(app),
        Screen::Paper => paper::keymap(app),
    }
}

/// Turns a key into an action, from the table in force.
pub fn handle_key(app: &App, key: KeyEvent) -> Option<Action> {
    keymap(app).lookup(&key)
}

/// Ctrl+C and Ctrl+Q: quit.
pub fn quit_binding() -> Binding {
    Binding::new(
        &[Key::Ctrl('c'), Key::Ctrl('q')],
        "quitter (le brouillon est d'abord enregistré)",
        None,
        |_| Action::Quit,
    )
}

/// The help of the current screen and mode: (keys, what they do).
pub fn help(app: &App) -> Vec<(String, &'static str)> {
    screen_keymap(app).then(global_keymap(app)).help()
}

/// The status bar's hints: (keys, short word); Ctrl+L too where the
/// terminal is wide enough.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let mut h = keymap(app).hints();
    let overlay = app.quit.is_some() || app.help || app.show_log;
    if !overlay
        && !matches!(app.screen, Screen::Unlock | Screen::Welcome)
        && !app.keys_first_run
        && app.size.0 >= 120
    {
        h.push((Key::Ctrl('l').name(), "verrouiller"));
    }
    h
}

/// Draws the whole application.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base), area);
    let [title_area, body, status] = frame_areas(area);
    let lines = message_lines(app, area.width);
    let [body, message_area] = split_message(body, lines.len() as u16);
    render_title(app, frame, title_area);
    match app.screen {
        Screen::Unlock => unlock::render(app, frame, body),
        Screen::Inbox => inbox::render(app, frame, body),
        Screen::Request => request::render(app, frame, body),
        Screen::Editor => editor::render(app, frame, body),
        Screen::Viewer => viewer::render(app, frame, body),
        Screen::Export => export::render(app, frame, body),
        Screen::Figures => figures::render(app, frame, body),
        Screen::Purge => purge::render(app, frame, body),
        Screen::Welcome => welcome::render(app, frame, body),
        Screen::Keys => welcome::keys::render(app, frame, body),
        Screen::Trust => trust::render(app, frame, body),
        Screen::Chooser => chooser::render(app, frame, body),
        Screen::Import => import::render(app, frame, body),
        Screen::Backup => backup::render(app, frame, body),
        Screen::Paper => paper::render(app, frame, body),
    }
    if !lines.is_empty() {
        frame.render_widget(Paragraph::new(lines), message_area);
    }
    render_status(app, frame, status);
    if app.help {
        help::render(app, frame, area);
    }
    if app.show_log {
        help::render_log(app, frame, area);
    }
    if app.quit.is_some() {
        help::render_quit(app, frame, area);
    }
}

/// The title line, the screen's body and the status bar.
pub fn frame_areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body and, under it, the message area of `lines` lines (at most a
/// third of the body).
fn split_message(body: Rect, lines: u16) -> [Rect; 2] {
    let h = lines.min(body.height / 3);
    Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(body)
}

/// Where a screen is drawn on a terminal of `size` when the message takes
/// `message_lines` lines (shared by drawing and mouse hit-tests).
pub fn body_area(size: (u16, u16), message_lines: u16) -> Rect {
    let [_, body, _] = frame_areas(Rect::new(0, 0, size.0, size.1));
    split_message(body, message_lines)[0]
}

/// The message, wrapped to `width`, whole.
pub fn message_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let Some(n) = app.message.as_ref() else {
        return Vec::new();
    };
    let t = &app.theme;
    let (style, prefix) = if n.error {
        (t.block, "⚠ ")
    } else {
        (t.ok, "")
    };
    request::mesures::wrap(
        &format!("{prefix}{}", n.text),
        width.saturating_sub(2) as usize,
    )
    .into_iter()
    .map(|l| Line::styled(format!(" {l}"), style))
    .collect()
}

/// The title of the current screen.
pub fn title(app: &App) -> String {
    match app.screen {
        Screen::Unlock => "Déverrouillage".to_string(),
        Screen::Inbox => "Demandes".to_string(),
        Screen::Request | Screen::Editor | Screen::Viewer => app
            .request
            .as_ref()
            .map(|r| {
                format!(
                    "Demande {} — {}",
                    super::clean::clean(&r.record.request.id),
                    super::clean::clean(&r.record.request.candidate.display_name())
                )
            })
            .unwrap_or_default(),
        Screen::Export => "Export des avis".to_string(),
        Screen::Figures => "Bilan d'activité".to_string(),
        Screen::Purge => "Dossiers à purger".to_string(),
        Screen::Welcome => "Premier démarrage".to_string(),
        Screen::Keys => "Vos clés publiques".to_string(),
        Screen::Trust => "Clés des rectorats".to_string(),
        Screen::Chooser => "Choix d'un fichier".to_string(),
        Screen::Import => "Import d'un lot".to_string(),
        Screen::Backup => "Sauvegarde".to_string(),
        Screen::Paper => "Pièce reçue sur papier".to_string(),
    }
}

fn render_title(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(" avis ", t.title)];
    let mut used = 6;
    if app.demo {
        spans.push(Span::styled("[DÉMONSTRATION] ", t.warn));
        used += 16;
    }
    let date = format!("  · examen au {}", app.today.format("%d/%m/%Y"));
    let room = (area.width as usize).saturating_sub(used + date.chars().count());
    spans.push(Span::styled(fit(&title(app), room), t.header));
    spans.push(Span::styled(date, t.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    let mut used = 0usize;
    let width = area.width as usize;
    for (k, what) in hints(app) {
        let sep = if spans.is_empty() { 1 } else { 2 };
        let len = sep + k.chars().count() + 1 + what.chars().count();
        if used + len > width {
            break;
        }
        spans.push(Span::raw(" ".repeat(sep)));
        spans.push(Span::styled(k, t.key));
        spans.push(Span::raw(format!(" {what}")));
        used += len;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `text` cut to `width` characters, ending with "…" when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
}

/// A rectangle of `width`×`height` centred in `area` (clamped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws a bordered pop-up with text lines.
pub fn popup(app: &App, frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(title.to_string())
        .border_style(app.theme.focus_border)
        .style(app.theme.base);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// A progress line: label and percentage (text, not just a bar).
pub fn progress_text(p: &super::app::ProgressInfo) -> String {
    match (p.done.min(p.total).saturating_mul(100)).checked_div(p.total) {
        Some(pct) => format!("{} : {pct} %", p.label),
        None => format!("{}…", p.label),
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn cut_text_ends_with_an_ellipsis() {
        assert_eq!(fit("FOURNIER Louise", 14), "FOURNIER Loui…");
        assert_eq!(fit("FOURNIER Louise", 15), "FOURNIER Louise");
        assert_eq!(fit("abc", 0), "");
    }
}
