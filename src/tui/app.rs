//! The application state and its update function: every change of state
//! goes through [`App::update`], which returns the orders for the worker.
//! No I/O here, so the whole UI logic is tested without a terminal.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::domain::checks::Finding;
use crate::domain::{DocumentCategory, Draft, Status};
use crate::store::{ExportedFile, JournalEvent, RequestRecord, RequestSummary};

use super::action::Action;
use super::clean::{clean, clean_lines};
use super::editor::{Editor, EditorFocus, LineEdit, LinePurpose, Picker, PickerPurpose, SaveState};
use super::graphics::{ImageMode, Picture};
use super::inbox::InboxState;
use super::theme::{Theme, ThemeKind};
use super::worker::{
    DocumentContent, ExportItem, ImageJob, LoadedRequest, WorkerCommand, WorkerEvent,
};

/// How long after the last edit the draft is saved.
pub const SAVE_DEBOUNCE: Duration = Duration::from_millis(500);

/// How long without input before the session locks itself, by default.
pub const DEFAULT_LOCK_AFTER: Duration = Duration::from_secs(5 * 60);

/// The idle delay from the settings: `AVIS_VERROUILLAGE_MINUTES` (`0`
/// disables the idle lock) or, for tests, `AVIS_TEST_VERROUILLAGE_SECONDES`
/// (takes precedence). `Err` carries the French message for a value that is
/// not a number, and the default applies.
pub fn lock_delay(
    minutes: Option<&str>,
    seconds: Option<&str>,
) -> Result<Option<Duration>, String> {
    let delay = |n: u64, unit: u64| (n > 0).then(|| Duration::from_secs(n.saturating_mul(unit)));
    if let Some(text) = seconds {
        return text
            .trim()
            .parse::<u64>()
            .map(|n| delay(n, 1))
            .map_err(|_| "AVIS_TEST_VERROUILLAGE_SECONDES n'est pas un nombre de secondes : corrigez-le ; verrouillage après 5 minutes".to_string());
    }
    match minutes {
        None => Ok(Some(DEFAULT_LOCK_AFTER)),
        Some(text) => text.trim().parse::<u64>().map(|n| delay(n, 60)).map_err(|_| {
            "AVIS_VERROUILLAGE_MINUTES doit être un nombre de minutes (0 pour ne jamais verrouiller) : corrigez-le ; verrouillage après 5 minutes".to_string()
        }),
    }
}

/// Why and how the session is locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockState {
    /// Locked by inactivity (rather than Ctrl+L).
    pub idle: bool,
    /// The store was opened again; waiting for the summaries.
    pub reopened: bool,
    /// The draft could not be saved before the lock: it is kept in memory.
    pub save_failed: bool,
    /// Escape was pressed once although the kept draft would be lost.
    pub quit_warned: bool,
}

/// Where the doctor was when the session locked (no health data but the
/// draft being saved, kept until the worker acknowledges it).
#[derive(Debug, Clone)]
pub struct Resume {
    pub screen: Screen,
    /// The selected request of the inbox.
    pub inbox_id: Option<String>,
    /// The open request, its tab, scroll and selected document.
    pub request: Option<(String, Tab, u16, usize)>,
    /// The editor's focus, selected row and text cursors.
    pub editor: Option<EditorResume>,
    /// The draft sent for saving just before the lock, until acknowledged.
    pub pending: Option<(String, Draft)>,
}

/// Where the editor stood.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorResume {
    /// A one-line input left open (detail, reason…): its text is not in the
    /// draft yet, so it is kept in memory and the input reopened.
    pub line: Option<LineEdit>,
    pub focus: EditorFocus,
    pub selected: usize,
    pub motivation_cursor: (usize, usize),
    pub notes_cursor: (usize, usize),
}

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Unlock,
    Inbox,
    Request,
    Editor,
    Viewer,
    Export,
}

/// The tabs of the request view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Synthese,
    Troubles,
    Mesures,
    Pieces,
    Historique,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Synthese,
        Tab::Troubles,
        Tab::Mesures,
        Tab::Pieces,
        Tab::Historique,
    ];

    /// French title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Synthese => "Synthèse",
            Tab::Troubles => "Troubles",
            Tab::Mesures => "Mesures",
            Tab::Pieces => "Pièces",
            Tab::Historique => "Historique",
        }
    }

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The unlock screen.
#[derive(Debug, Default)]
pub struct UnlockState {
    pub input: Zeroizing<String>,
    pub error: Option<String>,
    pub busy: bool,
}

/// One open request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    pub record: RequestRecord,
    pub status: Status,
    pub draft: Option<Draft>,
    pub findings: Vec<Finding>,
    pub journal: Vec<JournalEvent>,
    pub tab: Tab,
    pub scroll: u16,
    pub doc_selected: usize,
}

/// The document viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewerState {
    pub sha256: String,
    pub filename: String,
    /// Cleaned title (category and file name).
    pub title: String,
    /// `None` while the worker decrypts.
    pub content: Option<DocumentContent>,
    /// Cleaned lines of each page.
    pub pages: Vec<Vec<String>>,
    pub page: usize,
    pub scroll: u16,
    /// A scan encoded for the terminal, ready to draw (it holds decrypted
    /// pixels: it goes with the viewer).
    pub picture: Option<Picture>,
    /// The area of the encoding the worker is doing.
    pub encoding: Option<ratatui::layout::Rect>,
    /// How many encodings were made or asked for (a redraw makes none).
    pub encodes: u32,
    /// The pièce as the pièces' session shows it (pages, zoom, search…).
    pub piece: super::screens::viewer::PieceView,
}

impl ViewerState {
    /// The picture is drawn with a pixel protocol (sixel, kitty, iTerm2),
    /// which leaves pixels that ratatui's cell diff does not erase.
    pub fn shows_graphics(&self) -> bool {
        self.picture.as_ref().is_some_and(|p| p.mode.is_graphics())
    }
}

/// Where the export stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportPhase {
    /// Choosing the file.
    Editing,
    /// Asking for confirmation.
    Confirm,
    Running,
    Done(Vec<ExportedFile>),
    Failed(String),
}

/// The export screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportState {
    /// `None` until the worker lists the validated avis.
    pub items: Option<Vec<ExportItem>>,
    pub path: String,
    pub phase: ExportPhase,
}

/// A progress report shown by the screens.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressInfo {
    pub label: String,
    pub done: u64,
    pub total: u64,
}

/// The whole UI state.
pub struct App {
    pub screen: Screen,
    pub demo: bool,
    pub today: NaiveDate,
    pub theme: Theme,
    pub size: (u16, u16),
    pub now: Instant,
    pub help: bool,
    pub unlock: UnlockState,
    pub inbox: InboxState,
    pub request: Option<RequestView>,
    pub editor: Option<Editor>,
    pub viewer: Option<ViewerState>,
    pub export: ExportState,
    /// How scans are drawn (what the terminal answered at start-up).
    pub images: ImageMode,
    /// The terminal must be cleared and every cell written again before the
    /// next frame: a sixel, kitty or iTerm2 image went or was covered, and
    /// its pixels are not in ratatui's buffer (set by the update, taken by
    /// the event loop).
    pub repaint: bool,
    /// A sixel, kitty or iTerm2 image was dropped: besides the repaint, the
    /// terminal must forget it (kitty keeps images in its memory).
    pub drop_images: bool,
    pub progress: Option<ProgressInfo>,
    /// Last message for the status bar, with whether it is an error.
    pub message: Option<(String, bool)>,
    /// Id of the request being loaded.
    pub loading: Option<String>,
    pub should_quit: bool,
    /// Lock after this long without input (`None`: never by itself).
    pub lock_after: Option<Duration>,
    /// When the doctor last typed or clicked (in [`App::now`] time).
    pub last_input: Instant,
    /// Set while the session is locked.
    pub locked: Option<LockState>,
    /// Where to go back after the unlock that follows a lock.
    pub resume: Option<Resume>,
}

impl App {
    /// A new application on the unlock screen.
    pub fn new(demo: bool, today: NaiveDate, theme: Theme) -> App {
        let now = Instant::now();
        App {
            screen: Screen::Unlock,
            demo,
            today,
            theme,
            size: (80, 24),
            now,
            help: false,
            unlock: UnlockState {
                busy: demo,
                ..UnlockState::default()
            },
            inbox: InboxState::default(),
            request: None,
            editor: None,
            viewer: None,
            export: ExportState {
                items: None,
                path: if demo {
                    "./avis-demo-export.avis".into()
                } else {
                    "./avis-export.avis".into()
                },
                phase: ExportPhase::Editing,
            },
            images: ImageMode::HalfBlocks,
            repaint: false,
            drop_images: false,
            progress: None,
            message: None,
            loading: None,
            should_quit: false,
            lock_after: Some(DEFAULT_LOCK_AFTER),
            last_input: now,
            locked: None,
            resume: None,
        }
    }

    /// Records that the doctor typed or clicked (resets the idle timer).
    pub fn note_input(&mut self) {
        self.last_input = self.now;
    }

    /// Puts the app straight on the inbox with these summaries (tests,
    /// benchmarks).
    pub fn with_summaries(mut self, summaries: Vec<RequestSummary>) -> App {
        self.unlock.busy = false;
        self.screen = Screen::Inbox;
        self.inbox.set_summaries(summaries);
        self
    }

    /// Opens a loaded request directly (tests).
    pub fn with_request(mut self, loaded: LoadedRequest) -> App {
        self.open_loaded(loaded);
        self
    }

    fn set_message(&mut self, text: impl Into<String>, error: bool) {
        // Messages may quote ids that came in a bundle.
        self.message = Some((clean(&text.into()), error));
    }

    /// Rows of the inbox table visible at the current size.
    pub fn inbox_height(&self) -> usize {
        super::screens::inbox::table_rows(self.size.1)
    }

    /// Carries out one action; returns what the worker must do.
    pub fn update(&mut self, action: Action) -> Vec<WorkerCommand> {
        let mut out = Vec::new();
        if !matches!(
            action,
            Action::Tick(_) | Action::Worker(_) | Action::Resize(..)
        ) {
            self.note_input();
        }
        match action {
            Action::Tick(now) => {
                self.now = now;
                if let Some(cmd) = self.autosave(false) {
                    out.push(cmd);
                }
                let idle = now.saturating_duration_since(self.last_input);
                if self.lock_after.is_some_and(|after| idle >= after) {
                    self.lock(true, &mut out);
                }
            }
            Action::Lock => self.lock(false, &mut out),
            Action::Resize(w, h) => {
                self.size = (w, h);
                let height = self.inbox_height();
                self.inbox.scroll_into_view(height);
                let ctx = self.viewer_ctx();
                if let Some(v) = self.viewer.as_mut() {
                    super::screens::viewer::resized(v, &ctx, &mut out);
                }
                self.refresh_picture(&mut out);
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                // The help covers part of a pixel image; closing it must
                // draw the whole image again.
                if self
                    .viewer
                    .as_ref()
                    .is_some_and(ViewerState::shows_graphics)
                {
                    self.repaint = true;
                }
            }
            Action::ToggleContrast => self.theme = self.theme.toggled(),
            Action::Quit => {
                if let Some(cmd) = self.autosave(true) {
                    out.push(cmd);
                }
                out.push(WorkerCommand::CloseExternal);
                self.should_quit = true;
            }
            Action::Back => self.back(&mut out),
            Action::Worker(event) => self.on_worker(event, &mut out),
            other => match self.screen {
                Screen::Unlock => self.update_unlock(other, &mut out),
                Screen::Inbox => self.update_inbox(other, &mut out),
                Screen::Request => self.update_request(other, &mut out),
                Screen::Editor => self.update_editor(other, &mut out),
                Screen::Viewer => self.update_viewer(other, &mut out),
                Screen::Export => self.update_export(other, &mut out),
            },
        }
        out
    }

    /// Saves the editor's draft if it changed: now if `force`, otherwise
    /// once the debounce delay has passed.
    fn autosave(&mut self, force: bool) -> Option<WorkerCommand> {
        let now = self.now;
        let editor = self.editor.as_mut()?;
        let since = editor.dirty_since?;
        if !force && now.saturating_duration_since(since) < SAVE_DEBOUNCE {
            return None;
        }
        editor.dirty_since = None;
        editor.save = SaveState::Saving;
        let draft = editor.current_draft();
        if let Some(req) = self.request.as_mut() {
            req.draft = Some(draft.clone());
        }
        Some(WorkerCommand::SaveDraft {
            id: editor.id.clone(),
            draft: Box::new(draft),
        })
    }

    /// Locks the session: sends the pending draft for saving, then orders
    /// the worker to close the store (it handles commands in order, so the
    /// save comes first), and forgets every decrypted thing. Deferred while
    /// an export runs.
    fn lock(&mut self, idle: bool, out: &mut Vec<WorkerCommand>) {
        if self.screen == Screen::Unlock || self.locked.is_some() {
            return;
        }
        if self.screen == Screen::Export && self.export.phase == ExportPhase::Running {
            if !idle {
                self.set_message(
                    "Verrouillage après la fin de l'export : patientez quelques secondes",
                    false,
                );
            }
            return;
        }
        let in_flight = self
            .editor
            .as_ref()
            .is_some_and(|ed| ed.save == SaveState::Saving);
        let mut pending = None;
        if let Some(cmd) = self.autosave(true) {
            if let WorkerCommand::SaveDraft { id, draft } = &cmd {
                pending = Some((id.clone(), (**draft).clone()));
            }
            out.push(cmd);
        } else if in_flight {
            pending = self
                .editor
                .as_ref()
                .map(|ed| (ed.id.clone(), ed.current_draft()));
        }
        let editor = self.editor.as_ref().map(|ed| EditorResume {
            line: ed.line.clone(),
            focus: ed.focus,
            selected: ed.selected,
            motivation_cursor: (ed.motivation.cursor().0, ed.motivation.cursor().1),
            notes_cursor: (ed.notes.cursor().0, ed.notes.cursor().1),
        });
        self.resume = Some(Resume {
            screen: self.screen,
            inbox_id: self.inbox.selected_id().map(str::to_string),
            request: self
                .request
                .as_ref()
                .map(|r| (r.record.request.id.clone(), r.tab, r.scroll, r.doc_selected)),
            editor,
            pending,
        });
        out.push(WorkerCommand::Lock);
        // Forget everything decrypted; keep only the inbox's settings. A
        // scan's pixels must leave the terminal too.
        self.close_viewer();
        self.request = None;
        self.editor = None;
        let old = std::mem::take(&mut self.inbox);
        self.inbox.sort = old.sort;
        self.inbox.descending = old.descending;
        self.inbox.status_filter = old.status_filter;
        self.export.items = None;
        self.export.phase = ExportPhase::Editing;
        self.message = None;
        self.loading = None;
        self.progress = None;
        self.help = false;
        self.unlock = UnlockState::default();
        self.locked = Some(LockState {
            idle,
            reopened: false,
            save_failed: false,
            quit_warned: false,
        });
        self.screen = Screen::Unlock;
    }

    /// Back where the doctor was before the lock, once the request is
    /// loaded again.
    fn resume_request(&mut self, resume: Resume) {
        let Some((id, tab, scroll, doc_selected)) = resume.request else {
            return;
        };
        let Some(req) = self.request.as_mut().filter(|r| r.record.request.id == id) else {
            return;
        };
        req.scroll = scroll;
        req.doc_selected = doc_selected;
        req.tab = if resume.screen == Screen::Viewer {
            Tab::Pieces
        } else {
            tab
        };
        if resume.screen != Screen::Editor {
            return;
        }
        let unsaved = resume.pending.filter(|(pid, _)| *pid == id);
        if let (Some((_, draft)), Some(req)) = (unsaved.as_ref(), self.request.as_mut()) {
            req.draft = Some(draft.clone());
        }
        self.open_editor();
        let now = self.now;
        if let Some(ed) = self.editor.as_mut() {
            if let Some(er) = resume.editor {
                let rows = ed.rows().len();
                ed.selected = er.selected.min(rows.saturating_sub(1));
                ed.focus = er.focus;
                ed.line = er.line;
                let jump = |(r, c): (usize, usize)| {
                    ratatui_textarea::CursorMove::Jump(
                        u16::try_from(r).unwrap_or(u16::MAX),
                        u16::try_from(c).unwrap_or(u16::MAX),
                    )
                };
                ed.motivation.move_cursor(jump(er.motivation_cursor));
                ed.notes.move_cursor(jump(er.notes_cursor));
            }
            if unsaved.is_some() {
                ed.touch(now);
                ed.note("Le brouillon gardé en mémoire pendant le verrouillage est enregistré de nouveau");
            }
        }
    }

    /// What the worker says while the session is locked: only the save
    /// acknowledgement and the unlock matter; late replies carrying
    /// decrypted data are dropped.
    fn on_worker_locked(&mut self, event: WorkerEvent, out: &mut Vec<WorkerCommand>) {
        let reopened = self.locked.as_ref().is_some_and(|l| l.reopened);
        match event {
            WorkerEvent::Saved { id, .. } => {
                if let Some(r) = self.resume.as_mut() {
                    if r.pending.as_ref().is_some_and(|(p, _)| *p == id) {
                        r.pending = None;
                    }
                }
            }
            WorkerEvent::Failed(_) if !reopened => {
                let kept = self.resume.as_ref().is_some_and(|r| r.pending.is_some());
                if let Some(l) = self.locked.as_mut() {
                    l.save_failed |= kept;
                }
            }
            WorkerEvent::Progress { label, done, total } if self.unlock.busy => {
                self.progress = Some(ProgressInfo { label, done, total });
            }
            WorkerEvent::UnlockFailed(msg) => {
                self.unlock.busy = false;
                self.progress = None;
                self.unlock.error = Some(clean(&msg));
            }
            WorkerEvent::Unlocked(settings) => {
                if let Some(l) = self.locked.as_mut() {
                    l.reopened = true;
                }
                self.inbox.settings = *settings;
                self.unlock.busy = true;
                self.unlock.error = None;
                self.progress = Some(ProgressInfo {
                    label: "Chargement des dossiers".into(),
                    done: 0,
                    total: 1,
                });
                out.push(WorkerCommand::LoadSummaries);
            }
            WorkerEvent::Summaries(list) if reopened => {
                self.locked = None;
                self.progress = None;
                self.unlock = UnlockState::default();
                self.note_input();
                self.inbox.set_summaries(list);
                let resume = self.resume.take();
                if let Some(r) = resume {
                    self.inbox.refresh(r.inbox_id.as_deref());
                    self.screen = Screen::Inbox;
                    if let Some((id, ..)) = r.request.as_ref() {
                        self.loading = Some(id.clone());
                        out.push(WorkerCommand::LoadRequest(id.clone()));
                        self.resume = Some(r);
                    }
                } else {
                    self.screen = Screen::Inbox;
                }
                self.inbox.scroll_into_view(self.inbox_height());
            }
            WorkerEvent::Failed(msg) => {
                self.unlock.busy = false;
                self.progress = None;
                self.unlock.error = Some(clean(&msg));
            }
            _ => {}
        }
    }

    fn back(&mut self, out: &mut Vec<WorkerCommand>) {
        if self.help {
            self.help = false;
            return;
        }
        match self.screen {
            Screen::Unlock => {
                let unsaved = self.resume.as_ref().is_some_and(|r| r.pending.is_some());
                if let Some(lock) = self.locked.as_mut().filter(|l| unsaved && !l.quit_warned) {
                    lock.quit_warned = true;
                    self.unlock.error = Some(
                        "quitter maintenant perdrait le brouillon non enregistré : déverrouillez pour l'enregistrer, ou Échap de nouveau pour quitter quand même".into(),
                    );
                } else {
                    self.should_quit = true;
                }
            }
            Screen::Inbox => {
                if self.inbox.editing_filter || !self.inbox.query.is_empty() {
                    self.inbox.editing_filter = false;
                    self.inbox.query.clear();
                    let keep = self.inbox.selected_id().map(str::to_string);
                    self.inbox.refresh(keep.as_deref());
                    self.inbox.scroll_into_view(self.inbox_height());
                }
            }
            Screen::Request => {
                self.screen = Screen::Inbox;
                self.request = None;
                out.push(WorkerCommand::CloseExternal);
                out.push(WorkerCommand::LoadSummaries);
            }
            Screen::Editor => {
                if let Some(ed) = self.editor.as_mut() {
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
                if let Some(cmd) = self.autosave(true) {
                    out.push(cmd);
                }
                if let (Some(ed), Some(req)) = (self.editor.as_ref(), self.request.as_mut()) {
                    req.status = ed.status;
                }
                self.editor = None;
                self.screen = Screen::Request;
            }
            Screen::Viewer => {
                // Copies for the external viewer live until the request is
                // left (the system viewer may still be reading them).
                self.close_viewer();
                self.screen = Screen::Request;
            }
            Screen::Export => match self.export.phase {
                ExportPhase::Running => {}
                ExportPhase::Confirm => self.export.phase = ExportPhase::Editing,
                _ => {
                    self.screen = Screen::Inbox;
                    self.export.phase = ExportPhase::Editing;
                    out.push(WorkerCommand::LoadSummaries);
                }
            },
        }
    }

    fn update_unlock(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        // The demo has no passphrase to open, but one to unlock after a lock.
        if self.unlock.busy || (self.demo && self.locked.is_none()) {
            return;
        }
        match action {
            Action::UnlockInput(c) => {
                self.unlock.input.push(c);
            }
            Action::UnlockBackspace => {
                self.unlock.input.pop();
            }
            Action::UnlockSubmit => {
                if self.unlock.input.is_empty() {
                    self.unlock.error =
                        Some("saisissez votre phrase de passe puis appuyez sur Entrée".into());
                    return;
                }
                let pass = SecretString::from(self.unlock.input.as_str().to_string());
                self.unlock.input.clear();
                self.unlock.busy = true;
                self.unlock.error = None;
                out.push(WorkerCommand::Unlock(pass));
            }
            _ => {}
        }
    }

    fn update_inbox(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        let height = self.inbox_height();
        let inbox = &mut self.inbox;
        match action {
            Action::Move(d) => inbox.move_by(d),
            Action::MoveTo(i) if i < inbox.view.len() => inbox.selected = i,
            Action::MoveFirst => inbox.selected = 0,
            Action::MoveLast => inbox.selected = inbox.view.len().saturating_sub(1),
            Action::Wheel(d) => inbox.move_by(d),
            Action::StartFilter => inbox.editing_filter = true,
            Action::FilterInput(c) => {
                inbox.query.push(c);
                inbox.refresh(None);
            }
            Action::FilterBackspace => {
                inbox.query.pop();
                inbox.refresh(None);
            }
            Action::FilterClear => {
                inbox.query.clear();
                inbox.editing_filter = false;
                inbox.refresh(None);
            }
            Action::FilterSubmit => {
                inbox.editing_filter = false;
                self.open_selected(out);
            }
            Action::CycleSort => inbox.cycle_sort(),
            Action::ReverseSort => inbox.reverse(),
            Action::StatusFilter(s) => {
                inbox.status_filter = s;
                let keep = inbox.selected_id().map(str::to_string);
                inbox.refresh(keep.as_deref());
            }
            Action::OpenSelected => self.open_selected(out),
            Action::Click(col, row) => {
                if let Some(i) = super::screens::inbox::row_at(self, col, row) {
                    if self.inbox.selected == i {
                        self.open_selected(out);
                    } else {
                        self.inbox.selected = i;
                    }
                }
            }
            Action::OpenExport => {
                self.screen = Screen::Export;
                self.export.items = None;
                self.export.phase = ExportPhase::Editing;
                out.push(WorkerCommand::ExportPreview);
            }
            _ => {}
        }
        self.inbox.scroll_into_view(height);
    }

    fn open_selected(&mut self, out: &mut Vec<WorkerCommand>) {
        if let Some(id) = self.inbox.selected_id() {
            let id = id.to_string();
            self.loading = Some(id.clone());
            self.set_message("Ouverture du dossier…", false);
            out.push(WorkerCommand::LoadRequest(id));
        }
    }

    fn open_loaded(&mut self, loaded: LoadedRequest) {
        let LoadedRequest {
            record,
            status,
            draft,
            findings,
            journal,
        } = loaded;
        self.inbox.set_status(&record.request.id, status);
        self.request = Some(RequestView {
            record,
            status,
            draft,
            findings,
            journal,
            tab: Tab::Synthese,
            scroll: 0,
            doc_selected: 0,
        });
        self.screen = Screen::Request;
        self.message = None;
    }

    /// A request's new status and checks, wherever it is shown.
    fn apply_status(&mut self, id: &str, status: Status, findings: Vec<Finding>) {
        self.inbox.set_status(id, status);
        if let Some(req) = self.request.as_mut().filter(|r| r.record.request.id == id) {
            req.status = status;
            req.findings = findings;
        }
        if let Some(ed) = self.editor.as_mut().filter(|e| e.id == id) {
            ed.status = status;
        }
    }

    /// Opens the editor on the current request (tests and the `a` key).
    pub fn open_editor(&mut self) {
        if let Some(req) = self.request.as_ref() {
            let mut ed = Editor::new(&req.record, req.draft.as_ref(), req.status);
            if req.status == Status::Valide || req.status == Status::Exporte {
                ed.note("Avis déjà validé : toute modification le remet en brouillon (il faudra le valider de nouveau)");
            }
            self.editor = Some(ed);
            self.screen = Screen::Editor;
        }
    }

    fn update_request(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        let Some(req) = self.request.as_mut() else {
            return;
        };
        let tab_count = Tab::ALL.len();
        match action {
            Action::NextTab => {
                req.tab = Tab::ALL[(req.tab.index() + 1) % tab_count];
                req.scroll = 0;
            }
            Action::PrevTab => {
                req.tab = Tab::ALL[(req.tab.index() + tab_count - 1) % tab_count];
                req.scroll = 0;
            }
            Action::SelectTab(i) => {
                if let Some(t) = Tab::ALL.get(i) {
                    req.tab = *t;
                    req.scroll = 0;
                }
            }
            Action::Scroll(d) | Action::Wheel(d) | Action::Move(d) => {
                if req.tab == Tab::Pieces {
                    let n = req.record.request.documents.len();
                    if n > 0 {
                        req.doc_selected =
                            (req.doc_selected as isize + d).clamp(0, n as isize - 1) as usize;
                    }
                } else {
                    req.scroll = (req.scroll as isize + d).clamp(0, u16::MAX as isize) as u16;
                }
            }
            Action::Click(col, row) => {
                if let Some(i) = super::screens::request::tab_at(self.size, col, row) {
                    req.tab = Tab::ALL[i];
                    req.scroll = 0;
                } else if req.tab == Tab::Pieces {
                    let n = req.record.request.documents.len();
                    if let Some(i) = super::screens::request::pieces::row_at(self.size, n, row) {
                        if i == req.doc_selected {
                            return self.update_request(Action::OpenDocument, out);
                        }
                        req.doc_selected = i;
                    }
                }
            }
            Action::OpenEditor => self.open_editor(),
            Action::OpenDocument | Action::OpenSelected => {
                if req.tab != Tab::Pieces {
                    if action == Action::OpenDocument {
                        req.tab = Tab::Pieces;
                    }
                    return;
                }
                if let Some(doc) = req.record.request.documents.get(req.doc_selected) {
                    let title = format!(
                        "{} — {}",
                        doc.category.label(),
                        super::clean::clean(&doc.filename)
                    );
                    self.viewer = Some(ViewerState {
                        sha256: doc.sha256.clone(),
                        filename: doc.filename.clone(),
                        title,
                        content: None,
                        pages: Vec::new(),
                        page: 0,
                        scroll: 0,
                        picture: None,
                        encoding: None,
                        encodes: 0,
                        piece: Default::default(),
                    });
                    out.push(WorkerCommand::Document {
                        sha256: doc.sha256.clone(),
                        media_type: doc.media_type.clone(),
                    });
                    self.screen = Screen::Viewer;
                }
            }
            Action::OpenExternal if req.tab == Tab::Pieces => {
                if let Some(doc) = req.record.request.documents.get(req.doc_selected) {
                    out.push(WorkerCommand::OpenExternal {
                        sha256: doc.sha256.clone(),
                        filename: doc.filename.clone(),
                    });
                    self.set_message("Ouverture dans la visionneuse du système…", false);
                }
            }
            _ => {}
        }
    }

    /// Closes the viewer and drops its picture; a pixel image must also be
    /// erased from the terminal.
    fn close_viewer(&mut self) {
        if self.viewer.take().is_some_and(|v| v.shows_graphics()) {
            self.repaint = true;
            self.drop_images = true;
        }
    }

    /// Encodes the viewer's scan for the current image area, unless it is
    /// already, or an encoding is under way (its reply asks again if the
    /// area changed meanwhile). Half blocks are encoded here (a few
    /// milliseconds), pixel protocols on the worker. Never while drawing.
    fn refresh_picture(&mut self, out: &mut Vec<WorkerCommand>) {
        // The grey shades of NO_COLOR are drawn from the thumbnail itself.
        if self.theme.kind == ThemeKind::NoColor {
            return;
        }
        let area = super::screens::viewer::image_area(self.size);
        let mode = self.images;
        let Some(v) = self.viewer.as_mut() else {
            return;
        };
        let Some(DocumentContent::Image { width, height, rgb }) = &v.content else {
            return;
        };
        if area.is_empty() {
            // No room left: nothing to draw.
            if v.picture.take().is_some_and(|p| p.mode.is_graphics()) {
                self.repaint = true;
                self.drop_images = true;
            }
            return;
        }
        if v.encoding.is_some() || v.picture.as_ref().is_some_and(|p| p.area == area) {
            return;
        }
        v.encodes += 1;
        if mode.is_graphics() {
            v.encoding = Some(area);
            out.push(WorkerCommand::EncodeImage(Box::new(ImageJob {
                sha256: v.sha256.clone(),
                area,
                width: *width,
                height: *height,
                rgb: rgb.clone(),
            })));
        } else {
            v.picture = super::graphics::encode(None, *width, *height, rgb, area);
        }
    }

    /// The worker encoded a scan: kept if it is still the one shown and the
    /// area did not change; half blocks if the encoding failed.
    fn on_picture(
        &mut self,
        sha256: &str,
        area: ratatui::layout::Rect,
        picture: Option<Picture>,
        out: &mut Vec<WorkerCommand>,
    ) {
        let current = super::screens::viewer::image_area(self.size);
        let Some(v) = self
            .viewer
            .as_mut()
            .filter(|v| v.sha256 == sha256 && v.encoding == Some(area))
        else {
            return;
        };
        v.encoding = None;
        if area != current {
            return self.refresh_picture(out);
        }
        if v.shows_graphics() {
            // The old image's pixels (and kitty's copy) must go first.
            self.repaint = true;
            self.drop_images = true;
        }
        v.picture = picture.or_else(|| match &v.content {
            Some(DocumentContent::Image { width, height, rgb }) => {
                super::graphics::encode(None, *width, *height, rgb, area)
            }
            _ => None,
        });
    }

    fn viewer_ctx(&self) -> super::screens::viewer::Ctx {
        super::screens::viewer::Ctx {
            size: self.size,
            images: self.images,
        }
    }

    fn update_viewer(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        let ctx = self.viewer_ctx();
        let Some(v) = self.viewer.as_mut() else {
            return;
        };
        let outcome = super::screens::viewer::update(v, action, &ctx, out);
        self.after_viewer(outcome, out);
    }

    /// Applies what the viewer's update asks: a new picture, a message.
    fn after_viewer(
        &mut self,
        outcome: super::screens::viewer::Outcome,
        out: &mut Vec<WorkerCommand>,
    ) {
        if outcome.picture {
            if let Some(v) = self.viewer.as_mut() {
                v.encoding = None;
                if v.picture.take().is_some_and(|p| p.mode.is_graphics()) {
                    self.repaint = true;
                    self.drop_images = true;
                }
            }
            let text = self
                .viewer
                .as_ref()
                .is_some_and(|v| v.piece.mode == super::screens::viewer::ViewMode::Text);
            if !text {
                self.refresh_picture(out);
            }
        }
        if let Some((text, error)) = outcome.message {
            self.set_message(text, error);
        }
    }

    fn update_editor(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        let now = self.now;
        let Some(ed) = self.editor.as_mut() else {
            return;
        };
        // Modal parts first.
        if let Some(picker) = ed.picker.as_mut() {
            match action {
                Action::PickerInput(c) => {
                    picker.query.push(c);
                    picker.selected = 0;
                }
                Action::PickerBackspace => {
                    picker.query.pop();
                    picker.selected = 0;
                }
                Action::PickerMove(d) => {
                    let n = picker.matches().len();
                    if n > 0 {
                        picker.selected =
                            (picker.selected as isize + d).clamp(0, n as isize - 1) as usize;
                    }
                }
                Action::PickerChoose => {
                    let chosen = picker.matches().get(picker.selected).map(|m| (*m).clone());
                    let purpose = picker.purpose;
                    if let Some(code) = chosen {
                        ed.picker = None;
                        match purpose {
                            PickerPurpose::Add => ed.add(code),
                            PickerPurpose::Modify(row) => {
                                ed.selected = row;
                                ed.decide(crate::domain::Decision::Modifie, Some(code));
                            }
                        }
                        ed.touch(now);
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(line) = ed.line.as_mut() {
            match action {
                Action::LineInput(c) => line.text.push(c),
                Action::LineBackspace => {
                    line.text.pop();
                }
                Action::LineSubmit => {
                    let LineEdit { purpose, text } = line.clone();
                    match purpose {
                        LinePurpose::Detail(row) => {
                            ed.line = None;
                            if ed.set_detail(row, &text) {
                                ed.touch(now);
                            }
                        }
                        LinePurpose::MeasureMotivation(row) => {
                            ed.line = None;
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
                            if let Some(req) = self.request.as_mut() {
                                req.draft = Some(draft.clone());
                            }
                            out.push(WorkerCommand::SaveDraft {
                                id: id.clone(),
                                draft: Box::new(draft),
                            });
                            out.push(WorkerCommand::Override {
                                id,
                                rule,
                                measure,
                                reason: text.trim().to_string(),
                            });
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::FocusNext | Action::FocusPrev => {
                let incomplete = ed.outcome() == crate::domain::Outcome::Incomplet;
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
                ed.focus = if action == Action::FocusNext {
                    order[(pos + 1) % n]
                } else {
                    order[(pos + n - 1) % n]
                };
            }
            Action::Click(col, row) => {
                use super::screens::editor::{click_at, EditorClick};
                match click_at(ed, self.size, col, row) {
                    Some(EditorClick::Measure(i)) => {
                        ed.focus = EditorFocus::Measures;
                        ed.selected = i;
                    }
                    Some(EditorClick::Focus(f)) => ed.focus = f,
                    None => {}
                }
            }
            Action::Move(d) | Action::Wheel(d) => match ed.focus {
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
            },
            Action::Decide(decision) => {
                if ed.decide(decision, None) {
                    ed.touch(now);
                } else {
                    ed.warn("Une mesure ajoutée n'a pas de décision à choisir : x pour la retirer");
                }
            }
            Action::ModifyMeasure => {
                if let Some(super::editor::MeasureRow::Requested(_)) = ed.selected_row() {
                    ed.picker = Some(Picker::new(PickerPurpose::Modify(ed.selected)));
                }
            }
            Action::AddMeasure => {
                ed.picker = Some(Picker::new(PickerPurpose::Add));
            }
            Action::RemoveMeasure if ed.remove_selected() => ed.touch(now),
            Action::CycleEpreuves => {
                if ed.cycle_epreuves() {
                    ed.touch(now);
                } else {
                    ed.warn("Décidez d'abord la mesure (a, r ou m) avant de choisir les épreuves");
                }
            }
            Action::EditDetail => {
                if let Some(row) = ed.selected_row() {
                    // A restriction of an undecided measure is a modification.
                    if ed.opinion(row).is_none()
                        && ed.decide(crate::domain::Decision::Modifie, None)
                    {
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
            Action::OverrideCheck => {
                let blocking = self
                    .request
                    .as_ref()
                    .and_then(|r| r.findings.iter().find(|f| f.blocks()).cloned());
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
                    None => {
                        ed.note("Aucun contrôle bloquant à lever");
                    }
                }
            }
            Action::CycleOutcome => {
                ed.cycle_outcome();
                ed.touch(now);
            }
            Action::ToggleValidity => {
                ed.toggle_validity();
                ed.touch(now);
            }
            Action::EditUntilSession => {
                ed.line = Some(LineEdit {
                    purpose: LinePurpose::UntilSession,
                    text: ed.draft.opinion.validity.until_session.clone(),
                });
            }
            Action::EditMeasureMotivation => match ed.selected_row().and_then(|r| ed.opinion(r)) {
                Some(m) => {
                    ed.line = Some(LineEdit {
                        purpose: LinePurpose::MeasureMotivation(ed.selected),
                        text: m.motivation.clone().unwrap_or_default(),
                    })
                }
                None => ed.warn("Décidez d'abord la mesure (a, r ou m) avant d'en écrire le motif"),
            },
            Action::ToggleMissing => {
                ed.toggle_missing();
                ed.touch(now);
            }
            Action::InsertTemplate => {
                ed.insert_template();
                ed.focus = EditorFocus::Motivation;
                ed.touch(now);
            }
            Action::TextKey(key) => {
                let changed = match ed.focus {
                    EditorFocus::Motivation => ed.motivation.input(key),
                    EditorFocus::Notes => ed.notes.input(key),
                    _ => false,
                };
                if changed {
                    ed.touch(now);
                }
            }
            Action::SaveNow => {
                if let Some(cmd) = self.autosave(true) {
                    out.push(cmd);
                }
            }
            Action::Validate => {
                let undecided = ed.undecided();
                let id = ed.id.clone();
                if undecided > 0 && ed.outcome() != crate::domain::Outcome::Incomplet {
                    ed.warn(format!("Validation impossible : {undecided} mesure(s) demandée(s) sans décision ; décidez chacune (a, r ou m)"));
                    return;
                }
                ed.note("Validation en cours…");
                if let Some(cmd) = self.autosave(true) {
                    out.push(cmd);
                }
                out.push(WorkerCommand::Validate(id));
            }
            Action::Unvalidate => {
                let id = ed.id.clone();
                if let Some(cmd) = self.autosave(true) {
                    out.push(cmd);
                }
                out.push(WorkerCommand::Unvalidate(id));
            }
            _ => {}
        }
    }

    fn update_export(&mut self, action: Action, out: &mut Vec<WorkerCommand>) {
        let ex = &mut self.export;
        match (&ex.phase, action) {
            (ExportPhase::Editing, Action::LineInput(c)) => ex.path.push(c),
            (ExportPhase::Editing, Action::LineBackspace) => {
                ex.path.pop();
            }
            (ExportPhase::Editing, Action::ExportSubmit) => {
                let empty = ex.items.as_ref().is_none_or(|i| i.is_empty());
                if empty {
                    self.message = Some((
                        "Aucun avis validé à exporter : validez d'abord des avis dans l'éditeur (v)".into(),
                        true,
                    ));
                } else if ex.path.trim().is_empty() {
                    self.message = Some((
                        "Indiquez le fichier à écrire (par exemple ./avis-export.avis)".into(),
                        true,
                    ));
                } else {
                    ex.phase = ExportPhase::Confirm;
                }
            }
            (ExportPhase::Confirm, Action::ExportConfirm(true)) => {
                ex.phase = ExportPhase::Running;
                self.progress = None;
                out.push(WorkerCommand::Export(std::path::PathBuf::from(
                    ex.path.trim(),
                )));
            }
            (ExportPhase::Confirm, Action::ExportConfirm(false)) => {
                ex.phase = ExportPhase::Editing;
            }
            (ExportPhase::Done(_) | ExportPhase::Failed(_), Action::ExportSubmit) => {
                self.screen = Screen::Inbox;
                ex.phase = ExportPhase::Editing;
                out.push(WorkerCommand::LoadSummaries);
            }
            _ => {}
        }
    }

    fn on_worker(&mut self, event: WorkerEvent, out: &mut Vec<WorkerCommand>) {
        if self.locked.is_some() {
            return self.on_worker_locked(event, out);
        }
        match event {
            WorkerEvent::Progress { label, done, total } => {
                self.progress = Some(ProgressInfo { label, done, total });
            }
            WorkerEvent::Unlocked(settings) => {
                self.inbox.settings = *settings;
                self.unlock.busy = true;
                self.unlock.error = None;
                self.progress = Some(ProgressInfo {
                    label: "Chargement des dossiers".into(),
                    done: 0,
                    total: 1,
                });
                out.push(WorkerCommand::LoadSummaries);
            }
            WorkerEvent::UnlockFailed(msg) => {
                self.unlock.busy = false;
                self.progress = None;
                self.unlock.error = Some(clean(&msg));
            }
            WorkerEvent::Summaries(list) => {
                self.progress = None;
                self.inbox.set_summaries(list);
                self.inbox.scroll_into_view(self.inbox_height());
                if self.screen == Screen::Unlock {
                    self.unlock.busy = false;
                    self.screen = Screen::Inbox;
                }
            }
            WorkerEvent::Request(loaded) => {
                let wanted = self.loading.take();
                if wanted.as_deref() == Some(loaded.record.request.id.as_str())
                    && self.screen == Screen::Inbox
                {
                    self.open_loaded(*loaded);
                    if let Some(resume) = self.resume.take() {
                        self.resume_request(resume);
                    }
                }
            }
            WorkerEvent::Saved {
                id,
                status,
                findings,
            } => {
                self.apply_status(&id, status, findings);
                if let Some(ed) = self.editor.as_mut().filter(|e| e.id == id) {
                    if ed.save == SaveState::Saving {
                        ed.save = SaveState::Saved;
                    }
                }
            }
            WorkerEvent::Validated {
                id,
                result,
                status,
                findings,
            } => {
                self.apply_status(&id, status, findings);
                if let Some(ed) = self.editor.as_mut().filter(|e| e.id == id) {
                    ed.message = Some(match result {
                        Ok(()) if status == Status::Valide => (
                            "Avis validé : prêt à exporter (e depuis la liste)".to_string(),
                            false,
                        ),
                        Ok(()) => ("Avis remis en brouillon".to_string(), false),
                        Err(msg) => (format!("Validation refusée : {}", clean(&msg)), true),
                    });
                }
            }
            WorkerEvent::Document { sha256, content } => {
                if let Some(v) = self.viewer.as_mut().filter(|v| v.sha256 == sha256) {
                    v.pages = match &content {
                        DocumentContent::Pages(pages) => {
                            pages.iter().map(|p| clean_lines(p)).collect()
                        }
                        _ => Vec::new(),
                    };
                    v.content = Some(content);
                }
                self.progress = None;
                self.refresh_picture(out);
            }
            WorkerEvent::ImageEncoded {
                sha256,
                area,
                picture,
            } => self.on_picture(&sha256, area, picture, out),
            WorkerEvent::Piece(event) => {
                let ctx = self.viewer_ctx();
                if let Some(v) = self.viewer.as_mut() {
                    let outcome = super::screens::viewer::on_event(v, event, &ctx, out);
                    self.after_viewer(outcome, out);
                }
            }
            WorkerEvent::ExternalOpened(result) => match result {
                Ok(()) => self.set_message(
                    "Pièce ouverte dans la visionneuse du système ; sa copie temporaire sera effacée en quittant la demande",
                    false,
                ),
                Err(msg) => self.set_message(msg, true),
            },
            WorkerEvent::ExportPreview(items) => self.export.items = Some(items),
            WorkerEvent::Exported(result) => {
                self.progress = None;
                self.export.phase = match result {
                    Ok(files) => ExportPhase::Done(files),
                    Err(msg) => ExportPhase::Failed(clean(&msg)),
                };
                out.push(WorkerCommand::LoadSummaries);
            }
            WorkerEvent::Failed(msg) => {
                self.loading = None;
                self.resume = None;
                self.progress = None;
                if let Some(ed) = self.editor.as_mut() {
                    if ed.save == SaveState::Saving {
                        ed.save = SaveState::Failed(clean(&msg));
                        ed.dirty_since = Some(self.now);
                    }
                }
                self.set_message(msg, true);
            }
        }
    }
}
