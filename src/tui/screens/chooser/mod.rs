//! The file chooser, shared by import, trust, export, backup and the keys
//! file: it opens on the usual places (the last folder used,
//! Téléchargements, removable media, the home folder; Tab goes from one to
//! the next), lists folders first, then the files the purpose expects
//! (`.avis`, `.pub`), then the others; hidden entries are not listed. The
//! worker reads the folders ([`crate::tui::files`]); names are cleaned of
//! control and bidi characters before they are kept for drawing. Picks a
//! file, or (export, backup, keys) a destination folder.

use std::path::PathBuf;

use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::worker::{Listing, Orders, Place, WorkerCommand};

/// What the chosen file or folder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Import,
    Trust,
    Export,
    Backup,
    SaveKeys,
}

impl Purpose {
    /// A folder is chosen (rather than a file).
    pub fn folder(self) -> bool {
        matches!(self, Purpose::Export | Purpose::Backup | Purpose::SaveKeys)
    }

    /// The extension listed first.
    fn extension(self) -> Option<&'static str> {
        match self {
            Purpose::Import => Some("avis"),
            Purpose::Trust => Some("pub"),
            _ => None,
        }
    }

    /// The chooser's title.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Import => "Choisir le lot à importer (.avis)",
            Purpose::Trust => "Choisir le fichier de clé du rectorat (.pub)",
            Purpose::Export => "Choisir le dossier où écrire l'export",
            Purpose::Backup => "Choisir le dossier de la sauvegarde",
            Purpose::SaveKeys => "Choisir le dossier où enregistrer vos clés",
        }
    }
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The name as read (to build the path).
    pub name: String,
    /// The name cleaned for drawing.
    pub shown: String,
    pub dir: bool,
}

/// The chooser's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChooserState {
    pub purpose: Purpose,
    /// Where Échap goes back to.
    pub back_to: Option<Screen>,
    /// The folder shown (`None` until the worker answers).
    pub dir: Option<PathBuf>,
    pub rows: Vec<Row>,
    pub places: Vec<Place>,
    pub selected: usize,
    pub error: Option<String>,
    pub loading: bool,
    /// The last folder a file or folder was chosen in (this session).
    pub last: Option<PathBuf>,
}

/// The chooser's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Entrée: into the folder, or pick the file.
    Open,
    /// Retour arrière: the parent folder.
    Parent,
    /// Tab: the next usual place.
    NextPlace,
    /// Choose the folder shown (folder purposes).
    ChooseHere,
}

/// Opens the chooser for `purpose`, on the last folder used (or the
/// exports' folder) or the first usual place.
pub fn open(app: &mut App, purpose: Purpose, out: &mut Orders) {
    // The exports' folder first for an export (remembered in the store).
    let export_dir = std::path::Path::new(&app.export.path)
        .parent()
        .filter(|p| purpose == Purpose::Export && p.is_absolute())
        .map(|p| p.to_path_buf());
    let last = export_dir.or_else(|| app.chooser.last.clone());
    app.chooser = ChooserState {
        purpose,
        back_to: Some(app.screen),
        loading: true,
        last: last.clone(),
        ..ChooserState::default()
    };
    app.screen = Screen::Chooser;
    let sent = out.push(WorkerCommand::ListFolder { dir: None, last });
    app.expect(Job::Listing, sent);
}

/// The keys of the chooser.
pub fn keymap(app: &App) -> KeyMap {
    let mut b = vec![
        Binding::new(
            &[Key::Code(KeyCode::Down), Key::Code(KeyCode::Up)],
            "se déplacer dans la liste",
            None,
            |ev| Action::Move(if ev.code == KeyCode::Up { -1 } else { 1 }),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter), Key::Code(KeyCode::Right)],
            if app.chooser.purpose.folder() {
                "ouvrir le dossier"
            } else {
                "ouvrir le dossier, ou choisir le fichier"
            },
            Some("ouvrir"),
            |_| Action::Chooser(Msg::Open),
        )
        .hint_keys("Entrée"),
        Binding::new(
            &[Key::Code(KeyCode::Backspace), Key::Code(KeyCode::Left)],
            "dossier parent",
            Some("parent"),
            |_| Action::Chooser(Msg::Parent),
        )
        .hint_keys("Retour arrière"),
        Binding::new(
            &[Key::Code(KeyCode::Tab)],
            "lieu suivant (Téléchargements, clé USB, dossier personnel…)",
            Some("lieux"),
            |_| Action::Chooser(Msg::NextPlace),
        ),
    ];
    if app.chooser.purpose.folder() {
        b.push(Binding::new(
            &[Key::Char('c')],
            "choisir le dossier affiché",
            Some("choisir ce dossier"),
            |_| Action::Chooser(Msg::ChooseHere),
        ));
    }
    b.push(Binding::new(
        &[Key::Code(KeyCode::Esc)],
        "annuler",
        Some("annuler"),
        |_| Action::Back,
    ));
    KeyMap::new(b)
}

/// Carries out a message of the chooser.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let c = &mut app.chooser;
    let Some(dir) = c.dir.clone() else {
        return;
    };
    match msg {
        Msg::Open => {
            let Some(row) = c.rows.get(c.selected).cloned() else {
                return;
            };
            let path = dir.join(&row.name);
            if row.dir {
                c.loading = true;
                let sent = out.push(WorkerCommand::ListFolder {
                    dir: Some(path),
                    last: c.last.clone(),
                });
                app.expect(Job::Listing, sent);
            } else if !c.purpose.folder() {
                c.last = Some(dir);
                picked(app, path, out);
            }
        }
        Msg::Parent => {
            if let Some(parent) = dir.parent() {
                c.loading = true;
                let sent = out.push(WorkerCommand::ListFolder {
                    dir: Some(parent.to_path_buf()),
                    last: c.last.clone(),
                });
                app.expect(Job::Listing, sent);
            }
        }
        Msg::NextPlace => {
            if c.places.is_empty() {
                return;
            }
            let at = c.places.iter().position(|p| p.path == dir);
            let next = at.map_or(0, |i| (i + 1) % c.places.len());
            c.loading = true;
            let sent = out.push(WorkerCommand::ListFolder {
                dir: Some(c.places[next].path.clone()),
                last: c.last.clone(),
            });
            app.expect(Job::Listing, sent);
        }
        Msg::ChooseHere if c.purpose.folder() => {
            c.last = Some(dir.clone());
            picked(app, dir, out);
        }
        Msg::ChooseHere => {}
    }
}

/// Hands the chosen path to the screen that asked for it.
fn picked(app: &mut App, path: PathBuf, out: &mut Orders) {
    use crate::tui::screens::{backup, import, trust};
    if let Some(dir) = app.chooser.last.clone() {
        out.push(WorkerCommand::RememberFolder(dir));
    }
    match app.chooser.purpose {
        Purpose::Import => import::start(app, path, out),
        Purpose::Trust => trust::file_chosen(app, path, out),
        Purpose::Export => {
            app.screen = Screen::Export;
            out.push(WorkerCommand::SetExportFolder(path));
        }
        Purpose::Backup => backup::start(app, path),
        Purpose::SaveKeys => {
            app.screen = Screen::Keys;
            let sent = out.push(WorkerCommand::WriteKeys(path));
            app.expect(Job::KeysWritten, sent);
        }
    }
}

/// Échap: back where the chooser was opened from.
pub fn back(app: &mut App) {
    app.screen = app.chooser.back_to.unwrap_or(Screen::Inbox);
}

/// Moves the selection.
pub fn move_by(app: &mut App, d: isize) {
    let c = &mut app.chooser;
    let last = c.rows.len().saturating_sub(1) as isize;
    c.selected = (c.selected as isize + d).clamp(0, last.max(0)) as usize;
}

/// The worker read a folder: folders first, then the expected files,
/// then the others (none when choosing a folder), each by name.
pub fn on_listing(app: &mut App, listing: Listing) {
    let c = &mut app.chooser;
    c.loading = false;
    c.places = listing
        .places
        .into_iter()
        .map(|p| Place {
            label: clean(&p.label),
            path: p.path,
        })
        .collect();
    let came_from = c.dir.as_ref().and_then(|old| {
        (old.parent() == Some(listing.dir.as_path()))
            .then(|| old.file_name().map(|n| n.to_string_lossy().into_owned()))
            .flatten()
    });
    c.dir = Some(listing.dir);
    match listing.entries {
        Err(e) => {
            c.rows.clear();
            c.error = Some(clean(&e.to_string()));
        }
        Ok(entries) => {
            c.error = None;
            let ext = c.purpose.extension();
            let rank = |e: &crate::tui::worker::FolderEntry| {
                if e.dir {
                    0
                } else if ext.is_some_and(|x| {
                    e.name
                        .rsplit_once('.')
                        .is_some_and(|(_, got)| got.eq_ignore_ascii_case(x))
                }) {
                    1
                } else {
                    2
                }
            };
            let folder = c.purpose.folder();
            let mut rows: Vec<(u8, Row)> = entries
                .into_iter()
                .filter(|e| !folder || e.dir)
                .map(|e| {
                    (
                        rank(&e),
                        Row {
                            shown: clean(&e.name),
                            name: e.name,
                            dir: e.dir,
                        },
                    )
                })
                .collect();
            rows.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| a.1.shown.to_lowercase().cmp(&b.1.shown.to_lowercase()))
            });
            c.rows = rows.into_iter().map(|(_, r)| r).collect();
        }
    }
    c.selected = came_from
        .and_then(|n| c.rows.iter().position(|r| r.name == n))
        .unwrap_or(0);
}

/// Draws the chooser.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let c = &app.chooser;
    let [places_area, list_area, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    let mut spans = vec![Span::styled(" Lieux (Tab) : ", t.header)];
    for (i, p) in c.places.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        let here = c.dir.as_ref() == Some(&p.path);
        spans.push(Span::styled(
            p.label.clone(),
            if here { t.key } else { t.base },
        ));
    }
    if c.places.is_empty() {
        spans.push(Span::styled("aucun", t.dim));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans))
            .block(
                Block::bordered()
                    .title(format!(" {} ", c.purpose.title()))
                    .border_style(t.border),
            )
            .wrap(Wrap { trim: false }),
        places_area,
    );
    let title = match &c.dir {
        Some(d) => format!(" {} ", clean(&d.display().to_string())),
        None => " … ".to_string(),
    };
    let block = Block::bordered().title(title).border_style(t.focus_border);
    if c.loading && c.dir.is_none() {
        frame.render_widget(
            Paragraph::new(Line::styled(" Lecture du dossier…", t.dim)).block(block),
            list_area,
        );
    } else if let Some(err) = &c.error {
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" ⚠ {err}"), t.block))
                .block(block)
                .wrap(Wrap { trim: false }),
            list_area,
        );
    } else if c.rows.is_empty() {
        let what = if c.purpose.folder() {
            " Aucun sous-dossier ici : c pour choisir ce dossier, Retour arrière pour remonter."
        } else {
            " Dossier vide : Retour arrière pour remonter, Tab pour un autre lieu."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(what, t.dim))
                .block(block)
                .wrap(Wrap { trim: false }),
            list_area,
        );
    } else {
        let items: Vec<ListItem> = c
            .rows
            .iter()
            .map(|r| {
                if r.dir {
                    ListItem::new(Line::styled(format!(" ▸ {}/", r.shown), t.header))
                } else {
                    ListItem::new(Line::raw(format!("   {}", r.shown)))
                }
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(c.selected));
        frame.render_stateful_widget(
            List::new(items).block(block).highlight_style(t.selected),
            list_area,
            &mut state,
        );
    }
    let help = if c.purpose.folder() {
        " Entrée : ouvrir un dossier · c : choisir le dossier affiché · Échap : annuler"
    } else {
        " Entrée : ouvrir un dossier ou choisir le fichier · Échap : annuler"
    };
    frame.render_widget(Paragraph::new(Line::styled(help, t.dim)), foot);
}
