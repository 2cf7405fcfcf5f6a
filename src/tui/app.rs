//! The application: the state of every screen, the routing of each
//! [`Action`] to its screen's update, the lock, the session's messages and
//! the worker's replies. Every change of state goes through
//! [`App::update`], which returns the orders for the worker. No I/O here,
//! so the whole UI logic is tested without a terminal.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::domain::checks::Finding;
use crate::domain::{Draft, Status};
use crate::store::RequestSummary;

use super::action::{Action, QuitChoice};
use super::clean::{clean, clean_lines};
use super::graphics::{ImageMode, Picture};
use super::screens::editor::{Editor, EditorFocus, LineEdit, SaveState};
use super::screens::inbox::InboxState;
use super::screens::{
    backup, chooser, editor, export, figures, import, inbox, paper, purge, request, trust, unlock,
    viewer_keys, welcome,
};
use super::theme::{Theme, ThemeKind};
use super::worker::{
    CommandId, DocumentContent, ImageJob, LoadedRequest, Op, Orders, Reply, WorkerCommand,
    WorkerEvent,
};

pub use super::screens::export::{ExportPhase, ExportState};
pub use super::screens::request::{RequestView, Tab};
pub use super::screens::unlock::UnlockState;

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
    /// The command that closed the store: a failure of a command sent
    /// before it is not the unlock's.
    pub lock: CommandId,
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
    /// The save whose reply acknowledges `pending` (the last one sent).
    pub pending_save: Option<CommandId>,
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
    /// The activity figures.
    Figures,
    /// The question asked when dossiers are past their retention.
    Purge,
    /// The first run: no store yet.
    Welcome,
    /// The doctor's public keys.
    Keys,
    Trust,
    Chooser,
    Import,
    Backup,
    /// A pièce received on paper, for the open request.
    Paper,
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

/// An operation that waits for the worker's reply to its last command: a
/// reply to an earlier one (the doctor asked again, or moved on) is stale
/// and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Unlock,
    Create,
    /// A request being opened.
    Load,
    Validate,
    OpenExternal,
    Export,
    Import,
    Print,
    Figures,
    FiguresCsv,
    Backup,
    PurgeDue,
    Purge,
    KeysWritten,
    KeyFile,
    Listing,
    Paper,
}

impl Job {
    /// The operation a failure of this kind answers, if it is one.
    fn of(op: Op) -> Option<Job> {
        match op {
            Op::LoadRequest => Some(Job::Load),
            Op::Validate => Some(Job::Validate),
            Op::Figures => Some(Job::Figures),
            Op::Print => Some(Job::Print),
            Op::Paper | Op::PaperReload => Some(Job::Paper),
            _ => None,
        }
    }
}

/// The command an operation waits for, and the screen it was sent from
/// (where its failure is shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Awaited {
    pub id: CommandId,
    pub screen: Screen,
}

/// A progress report shown by the screens.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressInfo {
    pub label: String,
    pub done: u64,
    pub total: u64,
}

/// A message to the doctor, with what it is about: it disappears when the
/// doctor leaves the screen it was given on, or when the status of the
/// request it speaks of changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    pub screen: Screen,
    /// The open request and its status when the message was given.
    pub about: Option<(String, Status)>,
}

/// The question asked when quitting with a draft that is not saved.
#[derive(Debug, Clone, PartialEq)]
pub struct QuitDialog {
    /// Why the draft is not saved (the last failure), in French.
    pub reason: Option<String>,
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
    pub figures: figures::FiguresState,
    pub purge: purge::PurgeState,
    pub welcome: welcome::WelcomeState,
    /// The doctor's public keys, once the worker read them.
    pub keys: Option<super::worker::KeysInfo>,
    /// The keys are shown right after the store was created (Entrée goes
    /// on to the inbox).
    pub keys_first_run: bool,
    pub trust: trust::TrustState,
    pub chooser: chooser::ChooserState,
    pub import: import::ImportState,
    pub backup: backup::BackupState,
    pub paper: Option<paper::PaperForm>,
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
    /// The message shown under the screen.
    pub message: Option<Notice>,
    /// The last message given on a screen the doctor was not on, shown
    /// when they come back to it.
    pub held: Option<Notice>,
    /// Every message of this session, oldest first (F2).
    pub log: Vec<Notice>,
    /// The message log is open.
    pub show_log: bool,
    /// The quit question is open.
    pub quit: Option<QuitDialog>,
    /// The decisions' undo steps of each avis left this session.
    pub decision_history: std::collections::HashMap<String, Vec<editor::DecisionSnap>>,
    /// Quitting once the draft sent for saving is acknowledged.
    pub quitting: bool,
    /// Set when the application ends without keeping a draft: the French
    /// message printed on exit, with a failure status.
    pub exit_error: Option<String>,
    /// A French note printed on exit (a draft kept in a recovery file).
    pub exit_note: Option<String>,
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
    /// The id of the last command sent to the worker.
    pub last_sent: CommandId,
    /// What each operation under way waits for.
    pub awaiting: std::collections::HashMap<Job, Awaited>,
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
            figures: Default::default(),
            purge: Default::default(),
            welcome: Default::default(),
            keys: None,
            keys_first_run: false,
            trust: Default::default(),
            chooser: Default::default(),
            import: Default::default(),
            backup: Default::default(),
            paper: None,
            images: ImageMode::HalfBlocks,
            repaint: false,
            drop_images: false,
            progress: None,
            message: None,
            held: None,
            log: Vec::new(),
            show_log: false,
            quit: None,
            decision_history: Default::default(),
            quitting: false,
            exit_error: None,
            exit_note: None,
            loading: None,
            should_quit: false,
            lock_after: Some(DEFAULT_LOCK_AFTER),
            last_input: now,
            locked: None,
            resume: None,
            last_sent: CommandId(0),
            awaiting: Default::default(),
        }
    }

    /// The first run: the welcome screen that creates the store.
    pub fn first_run(mut self) -> App {
        self.screen = Screen::Welcome;
        self.unlock.busy = false;
        self
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
        // Past the unlock, where the purge question is asked.
        self.purge.asked = true;
        self
    }

    /// Opens a loaded request directly (tests).
    pub fn with_request(mut self, loaded: LoadedRequest) -> App {
        self.open_loaded(loaded);
        self
    }

    /// Shows a message under the screen (and keeps it in the log).
    pub fn set_message(&mut self, text: impl Into<String>, error: bool) {
        self.message_on(self.screen, text, error);
    }

    /// Gives a message on `screen` (the one a command was sent from): on
    /// another screen than the doctor's, it waits there, in the log, and
    /// does not cover the current screen's message.
    pub fn message_on(&mut self, screen: Screen, text: impl Into<String>, error: bool) {
        let here = screen == self.screen;
        // Messages may quote ids that came in a bundle.
        let notice = Notice {
            text: clean(&text.into()),
            error,
            screen,
            about: self
                .request
                .as_ref()
                .filter(|_| here)
                .map(|r| (r.record.request.id.clone(), r.status)),
        };
        self.log.push(notice.clone());
        if here {
            self.message = Some(notice);
        } else {
            self.held = Some(notice);
        }
    }

    /// Moves the editor's last feedback into the message area.
    pub fn take_editor_message(&mut self) {
        if let Some((text, error)) = self.editor.as_mut().and_then(|e| e.message.take()) {
            self.set_message(text, error);
        }
    }

    /// Lines the message takes at the current width.
    pub fn message_height(&self) -> u16 {
        let lines = super::screens::message_lines(self, self.size.0).len() as u16;
        lines.min(self.size.1.saturating_sub(2) / 3)
    }

    /// Rows of the inbox table visible at the current size.
    pub fn inbox_height(&self) -> usize {
        super::screens::inbox::table_rows(self.size.1)
    }

    /// From now on `job` waits for the reply to command `id`, sent from
    /// the current screen; replies to its earlier commands are stale.
    pub(crate) fn expect(&mut self, job: Job, id: CommandId) {
        let screen = self.screen;
        self.awaiting.insert(job, Awaited { id, screen });
    }

    /// Whether a reply to `to` is the one `job` waits for (a reply that
    /// names no command is taken as it comes).
    pub fn awaits(&self, job: Job, to: Option<CommandId>) -> bool {
        to.is_none_or(|to| self.awaiting.get(&job).is_some_and(|a| a.id == to))
    }

    /// The screen `job`'s last command was sent from (else the current one).
    pub(crate) fn screen_of(&self, job: Job) -> Screen {
        self.awaiting.get(&job).map_or(self.screen, |a| a.screen)
    }

    /// A single command outside any update (start-up, shutdown).
    pub fn order(&mut self, command: WorkerCommand) -> Orders {
        let mut out = Orders::after(self.last_sent);
        out.push(command);
        self.last_sent = out.last_id();
        out
    }

    /// Unlocks with a passphrase given outside the unlock screen (a file,
    /// the demo's).
    pub fn unlock_with(&mut self, passphrase: secrecy::SecretString) -> Orders {
        self.unlock.busy = true;
        let out = self.order(WorkerCommand::Unlock(passphrase));
        self.expect(Job::Unlock, out.last_id());
        out
    }

    /// Carries out one action; returns what the worker must do, numbered
    /// after the commands sent before.
    pub fn update(&mut self, action: Action) -> Orders {
        let mut out = Orders::after(self.last_sent);
        if !matches!(
            action,
            Action::Tick(_) | Action::Worker(_) | Action::Resize(..)
        ) {
            self.note_input();
        }
        let screen = self.screen;
        match action {
            Action::Tick(now) => {
                self.now = now;
                self.autosave(false, &mut out);
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
                self.show_log = false;
                self.repaint_over_picture();
            }
            Action::ToggleLog => {
                self.show_log = !self.show_log;
                self.help = false;
                self.repaint_over_picture();
            }
            Action::ToggleContrast => self.theme = self.theme.toggled(),
            Action::Quit => self.quit(&mut out),
            Action::QuitChoice(choice) => self.quit_choice(choice, &mut out),
            Action::Back => self.back(&mut out),
            Action::Move(d) | Action::Wheel(d) => match self.screen {
                Screen::Inbox => inbox::move_by(self, d),
                Screen::Request => request::move_by(self, d),
                Screen::Editor => editor::move_by(self, d),
                Screen::Viewer => viewer_keys::move_by(self, d, &mut out),
                Screen::Figures => figures::move_by(self, d),
                Screen::Chooser => chooser::move_by(self, d),
                Screen::Trust => trust::move_by(self, d),
                Screen::Unlock
                | Screen::Export
                | Screen::Purge
                | Screen::Welcome
                | Screen::Keys
                | Screen::Import
                | Screen::Backup
                | Screen::Paper => {}
            },
            Action::Click(col, row) => match self.screen {
                Screen::Inbox => inbox::click(self, col, row, &mut out),
                Screen::Request => request::click(self, col, row, &mut out),
                Screen::Editor => editor::click(self, col, row),
                Screen::Unlock
                | Screen::Viewer
                | Screen::Export
                | Screen::Figures
                | Screen::Purge => {}
                _ => {}
            },
            Action::Paste(text) => match self.screen {
                Screen::Unlock => unlock::paste(self, &text),
                Screen::Inbox => inbox::paste(self, &text),
                Screen::Editor => editor::paste(self, &text),
                Screen::Export => export::paste(self, &text),
                Screen::Figures => figures::paste(self, &text),
                Screen::Request | Screen::Viewer | Screen::Purge => {}
                Screen::Welcome => welcome::paste(self, &text),
                Screen::Trust => trust::paste(self, &text),
                _ => {}
            },
            Action::Worker(event) => self.on_worker(event, &mut out),
            other => self.route(other, &mut out),
        }
        // A message speaks of the screen it was given on.
        if self.screen != screen
            && self
                .message
                .as_ref()
                .is_some_and(|m| m.screen != self.screen)
        {
            self.message = None;
        }
        if self.screen != screen && self.held.as_ref().is_some_and(|m| m.screen == self.screen) {
            self.message = self.held.take();
        }
        self.last_sent = out.last_id();
        out
    }

    /// Hands a screen's message to that screen, if it is the current one.
    fn route(&mut self, action: Action, out: &mut Orders) {
        match (self.screen, action) {
            (Screen::Unlock, Action::Unlock(m)) => unlock::update(self, m, out),
            (Screen::Inbox, Action::Inbox(m)) => inbox::update(self, m, out),
            (Screen::Request, Action::Request(m)) => request::update(self, m, out),
            (Screen::Editor, Action::Editor(m)) => editor::update(self, m, out),
            (Screen::Viewer, Action::Viewer(m)) => viewer_keys::update(self, m, out),
            (Screen::Export, Action::Export(m)) => export::update(self, m, out),
            (Screen::Figures, Action::Figures(m)) => figures::update(self, m, out),
            (Screen::Purge, Action::Purge(m)) => purge::update(self, m, out),
            (Screen::Welcome, Action::Welcome(m)) => welcome::update(self, m, out),
            (Screen::Keys, Action::Keys(m)) => welcome::keys::update(self, m, out),
            (Screen::Trust, Action::Trust(m)) => trust::update(self, m, out),
            (Screen::Chooser, Action::Chooser(m)) => chooser::update(self, m, out),
            (Screen::Import, Action::Import(m)) => import::update(self, m, out),
            (Screen::Backup, Action::Backup(m)) => backup::update(self, m, out),
            (Screen::Paper, Action::Paper(m)) => paper::update(self, m, out),
            _ => {}
        }
    }

    /// An overlay covered part of a pixel image; closing it must draw the
    /// whole image again.
    fn repaint_over_picture(&mut self) {
        if self
            .viewer
            .as_ref()
            .is_some_and(ViewerState::shows_graphics)
        {
            self.repaint = true;
        }
    }

    /// Quit: the draft is saved first; when it is not saved (or its last
    /// save failed), the app waits for the save or asks what to do.
    fn quit(&mut self, out: &mut Orders) {
        out.push(WorkerCommand::CloseExternal);
        let failed = self.editor.as_ref().and_then(|ed| match &ed.save {
            SaveState::Failed(why) => Some(why.clone()),
            _ => None,
        });
        if let Some(why) = failed {
            self.quit = Some(QuitDialog { reason: Some(why) });
            return;
        }
        let unsaved = self
            .editor
            .as_ref()
            .is_some_and(|ed| ed.dirty_since.is_some() || ed.save == SaveState::Saving);
        if unsaved {
            self.autosave(true, out);
            self.quitting = true;
            self.set_message("Enregistrement du brouillon avant de quitter…", false);
            return;
        }
        self.should_quit = true;
    }

    /// What to send on the way out when nobody can be asked (a signal, the
    /// terminal gone): the unsaved draft, saved or else kept in a recovery
    /// file.
    pub fn final_commands(&mut self) -> Orders {
        let mut out = Orders::after(self.last_sent);
        out.push(WorkerCommand::CloseExternal);
        if let Some(ed) = self.editor.as_mut() {
            let unsaved = ed.dirty_since.is_some()
                || matches!(ed.save, SaveState::Saving | SaveState::Failed(_));
            if unsaved {
                ed.dirty_since = None;
                ed.save = SaveState::Saving;
                ed.last_save = Some(out.push(WorkerCommand::FinalSave {
                    id: ed.id.clone(),
                    draft: Box::new(ed.current_draft()),
                }));
            }
        }
        self.last_sent = out.last_id();
        self.should_quit = true;
        out
    }

    /// The doctor's answer to the quit question.
    fn quit_choice(&mut self, choice: QuitChoice, out: &mut Orders) {
        if self.quit.is_none() {
            return;
        }
        match choice {
            QuitChoice::Cancel => {
                self.quit = None;
                self.quitting = false;
            }
            QuitChoice::SaveAgain => {
                self.quit = None;
                if let Some(ed) = self.editor.as_mut() {
                    ed.dirty_since = Some(self.now);
                }
                self.autosave(true, out);
                self.quitting = true;
                self.set_message("Nouvel essai d'enregistrement du brouillon…", false);
            }
            QuitChoice::KeepRecovery => {
                if let Some(ed) = self.editor.as_ref() {
                    out.push(WorkerCommand::KeepRecovery {
                        id: ed.id.clone(),
                        draft: Box::new(ed.current_draft()),
                    });
                    self.quitting = true;
                    if let Some(q) = self.quit.as_mut() {
                        q.reason = Some("Écriture du fichier de secours chiffré…".into());
                    }
                }
            }
            QuitChoice::Lose => {
                let id = self
                    .editor
                    .as_ref()
                    .map(|e| e.id.clone())
                    .unwrap_or_default();
                self.exit_error = Some(format!(
                    "le brouillon de la demande {} n'a pas été enregistré : il est perdu (vous avez choisi de quitter sans le garder)",
                    clean(&id)
                ));
                self.quit = None;
                self.should_quit = true;
            }
        }
    }

    /// Saves the editor's draft if it changed: now if `force`, otherwise
    /// once the debounce delay has passed. `true` if a save was sent.
    pub(crate) fn autosave(&mut self, force: bool, out: &mut Orders) -> bool {
        let now = self.now;
        let Some(editor) = self.editor.as_mut() else {
            return false;
        };
        let Some(since) = editor.dirty_since else {
            return false;
        };
        if !force && now.saturating_duration_since(since) < SAVE_DEBOUNCE {
            return false;
        }
        editor.dirty_since = None;
        editor.save = SaveState::Saving;
        let draft = editor.current_draft();
        if let Some(req) = self.request.as_mut() {
            req.draft = Some(draft.clone());
        }
        editor.last_save = Some(out.push(WorkerCommand::SaveDraft {
            id: editor.id.clone(),
            draft: Box::new(draft),
        }));
        true
    }

    /// Locks the session: sends the pending draft for saving, then orders
    /// the worker to close the store (it handles commands in order, so the
    /// save comes first), and forgets every decrypted thing. Deferred while
    /// an export runs.
    fn lock(&mut self, idle: bool, out: &mut Orders) {
        if matches!(self.screen, Screen::Unlock | Screen::Welcome)
            || self.keys_first_run
            || self.locked.is_some()
        {
            return;
        }
        let running = (self.screen == Screen::Export && self.export.phase == ExportPhase::Running)
            || (self.screen == Screen::Import && self.import.phase == import::ImportPhase::Running)
            || (self.screen == Screen::Backup && self.backup.phase == backup::BackupPhase::Running);
        if running {
            if !idle {
                self.set_message(
                    "Verrouillage après la fin de l'opération en cours : patientez quelques secondes",
                    false,
                );
            }
            return;
        }
        if self.screen == Screen::Purge && self.purge.phase == purge::PurgePhase::Running {
            if !idle {
                self.set_message(
                    "Verrouillage après la fin de la purge : patientez quelques secondes",
                    false,
                );
            }
            return;
        }
        let in_flight = self
            .editor
            .as_ref()
            .is_some_and(|ed| ed.save == SaveState::Saving);
        let pending = if self.autosave(true, out) || in_flight {
            self.editor
                .as_ref()
                .map(|ed| (ed.id.clone(), ed.current_draft()))
        } else {
            None
        };
        // The save whose reply settles the pending draft: the last one sent.
        let pending_save = self.editor.as_ref().and_then(|ed| ed.last_save);
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
            pending_save,
        });
        let lock = out.push(WorkerCommand::Lock);
        // What was awaited belongs to the session now closed.
        self.awaiting.clear();
        // Forget everything decrypted; keep only the inbox's settings. A
        // scan's pixels must leave the terminal too.
        self.close_viewer();
        self.request = None;
        self.editor = None;
        self.paper = None;
        // Names of files seen in the chooser go too (the last folder stays).
        self.chooser.rows.clear();
        let old = std::mem::take(&mut self.inbox);
        self.inbox.sort = old.sort;
        self.inbox.descending = old.descending;
        self.inbox.status_filter = old.status_filter;
        self.export.items = None;
        self.export.phase = ExportPhase::Editing;
        self.figures = Default::default();
        // Locked before answering the purge question: asked again after.
        if self.screen == Screen::Purge {
            self.purge.asked = false;
        }
        self.purge.phase = purge::PurgePhase::Asking;
        self.message = None;
        self.held = None;
        self.loading = None;
        self.progress = None;
        self.help = false;
        self.unlock = UnlockState::default();
        self.locked = Some(LockState {
            idle,
            reopened: false,
            save_failed: false,
            quit_warned: false,
            lock,
        });
        self.screen = Screen::Unlock;
    }

    /// Once per session, after the unlock: are dossiers past retention?
    fn ask_purge(&mut self, out: &mut Orders) {
        if !self.purge.asked && !self.demo {
            self.purge.asked = true;
            let sent = out.push(WorkerCommand::PurgeDue);
            self.expect(Job::PurgeDue, sent);
        }
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
                ed.motivation.jump(er.motivation_cursor);
                ed.notes.jump(er.notes_cursor);
            }
            if unsaved.is_some() {
                ed.touch(now);
                ed.note("Le brouillon gardé en mémoire pendant le verrouillage est enregistré de nouveau");
            }
        }
        self.take_editor_message();
    }

    /// What the worker says while the session is locked: only the save
    /// acknowledgement and the unlock matter; late replies carrying
    /// decrypted data are dropped.
    fn on_worker_locked(&mut self, reply: Reply, out: &mut Orders) {
        let reopened = self.locked.as_ref().is_some_and(|l| l.reopened);
        let Reply { to, event } = reply;
        match event {
            WorkerEvent::Saved { id, .. } => {
                if let Some(r) = self.resume.as_mut() {
                    // Every command before this reply's is done.
                    let answers = to.is_none_or(|t| r.pending_save.is_none_or(|p| t >= p));
                    if answers && r.pending.as_ref().is_some_and(|(p, _)| *p == id) {
                        r.pending = None;
                    }
                }
            }
            // An earlier save failed while the last one is on its way: that
            // one decides.
            WorkerEvent::SaveFailed { .. }
                if to.is_some() && self.resume.as_ref().is_some_and(|r| r.pending_save != to) => {}
            WorkerEvent::SaveFailed { .. } if !reopened => {
                let kept = self.resume.as_ref().is_some_and(|r| r.pending.is_some());
                if let Some(l) = self.locked.as_mut() {
                    l.save_failed |= kept;
                }
            }
            WorkerEvent::Progress { label, done, total } if self.unlock.busy => {
                self.progress = Some(ProgressInfo { label, done, total });
            }
            WorkerEvent::UnlockFailed(_) | WorkerEvent::Unlocked(_)
                if !self.awaits(Job::Unlock, to) => {}
            WorkerEvent::UnlockFailed(failure) => unlock::failed(self, &failure),
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
                        let sent = out.push(WorkerCommand::LoadRequest(id.clone()));
                        self.expect(Job::Load, sent);
                        self.resume = Some(r);
                    }
                } else {
                    self.screen = Screen::Inbox;
                }
                // Back on the inbox (not reopening a dossier).
                if self.loading.is_none() {
                    self.ask_purge(out);
                }
                self.inbox.scroll_into_view(self.inbox_height());
            }
            // A command of the closed session failed: not the unlock.
            WorkerEvent::Failed(_)
                if to.is_some_and(|to| self.locked.as_ref().is_some_and(|l| to <= l.lock)) => {}
            WorkerEvent::Failed(err) => {
                self.unlock.busy = false;
                self.progress = None;
                self.unlock.error = Some(clean(&err.failure.to_string()));
            }
            _ => {}
        }
    }

    fn back(&mut self, out: &mut Orders) {
        if self.help || self.show_log {
            self.help = false;
            self.show_log = false;
            return;
        }
        if self.quit.is_some() {
            return self.quit_choice(QuitChoice::Cancel, out);
        }
        let screen = self.screen;
        match screen {
            Screen::Unlock => {
                let unsaved = self.resume.as_ref().is_some_and(|r| r.pending.is_some());
                if let Some(lock) = self.locked.as_mut().filter(|l| unsaved && !l.quit_warned) {
                    lock.quit_warned = true;
                    self.unlock.error = Some(
                        "quitter maintenant perdrait le brouillon non enregistré : déverrouillez pour l'enregistrer, ou Échap de nouveau pour quitter quand même".into(),
                    );
                } else {
                    if unsaved {
                        self.exit_error = Some(
                            "le brouillon gardé pendant le verrouillage n'a pas été enregistré : il est perdu".into(),
                        );
                    }
                    self.should_quit = true;
                }
            }
            Screen::Inbox => inbox::back(self),
            Screen::Request => request::back(self, out),
            Screen::Editor => editor::back(self, out),
            Screen::Viewer => viewer_keys::back(self, out),
            Screen::Export => export::back(self, out),
            Screen::Figures => figures::back(self),
            Screen::Purge => purge::back(self),
            Screen::Welcome => welcome::back(self),
            Screen::Keys => welcome::keys::back(self, out),
            Screen::Trust => trust::back(self),
            Screen::Chooser => chooser::back(self),
            Screen::Import => import::back(self, out),
            Screen::Backup => backup::back(self),
            Screen::Paper => paper::back(self),
        }
    }

    pub(crate) fn open_loaded(&mut self, loaded: LoadedRequest) {
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
        // A message about this request's former status is no longer true.
        if self
            .message
            .as_ref()
            .and_then(|m| m.about.as_ref())
            .is_some_and(|(about, was)| about == id && *was != status)
        {
            self.message = None;
        }
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
        editor::open(self);
    }

    /// Closes the viewer and drops its picture; a pixel image must also be
    /// erased from the terminal.
    pub(crate) fn close_viewer(&mut self) {
        if self.viewer.take().is_some_and(|v| v.shows_graphics()) {
            self.repaint = true;
            self.drop_images = true;
        }
    }

    /// Encodes the viewer's scan for the current image area, unless it is
    /// already, or an encoding is under way (its reply asks again if the
    /// area changed meanwhile). Half blocks are encoded here (a few
    /// milliseconds), pixel protocols on the worker. Never while drawing.
    fn refresh_picture(&mut self, out: &mut Orders) {
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
        out: &mut Orders,
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

    /// What the viewer's update needs of the application.
    pub(crate) fn viewer_ctx(&self) -> super::screens::viewer::Ctx {
        super::screens::viewer::Ctx {
            size: self.size,
            images: self.images,
        }
    }

    /// Applies what the viewer's update asks: a new picture, a message.
    pub(crate) fn after_viewer(
        &mut self,
        outcome: super::screens::viewer::Outcome,
        out: &mut Orders,
    ) {
        if let Some(sent) = outcome.external {
            self.expect(Job::OpenExternal, sent);
        }
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

    fn on_worker(&mut self, reply: Reply, out: &mut Orders) {
        if self.locked.is_some() {
            return self.on_worker_locked(reply, out);
        }
        let Reply { to, event } = reply;
        // A reply to a command the doctor asked again, or moved on from,
        // changes nothing (the changes it reports are read again later).
        let job = match &event {
            WorkerEvent::Unlocked(_) | WorkerEvent::UnlockFailed(_) => Some(Job::Unlock),
            WorkerEvent::Created(..) | WorkerEvent::CreateFailed(_) => Some(Job::Create),
            WorkerEvent::Request(_) => Some(Job::Load),
            WorkerEvent::ExternalOpened(_) => Some(Job::OpenExternal),
            WorkerEvent::Exported(_) => Some(Job::Export),
            WorkerEvent::Imported(_) => Some(Job::Import),
            WorkerEvent::Printed(_) => Some(Job::Print),
            WorkerEvent::Figures { .. } => Some(Job::Figures),
            WorkerEvent::FiguresCsv(_) => Some(Job::FiguresCsv),
            WorkerEvent::BackedUp(_) => Some(Job::Backup),
            WorkerEvent::PurgeDue(_) => Some(Job::PurgeDue),
            WorkerEvent::Purged(_) => Some(Job::Purge),
            WorkerEvent::KeysWritten(_) => Some(Job::KeysWritten),
            WorkerEvent::KeyFile(_) => Some(Job::KeyFile),
            WorkerEvent::Listing(_) => Some(Job::Listing),
            WorkerEvent::PaperAdded(_) => Some(Job::Paper),
            WorkerEvent::Failed(err) => Job::of(err.op),
            _ => None,
        };
        if job.is_some_and(|job| !self.awaits(job, to)) {
            return;
        }
        // Where the answer to the command is shown.
        let home = job.map_or(self.screen, |job| self.screen_of(job));
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
            WorkerEvent::UnlockFailed(failure) => unlock::failed(self, &failure),
            WorkerEvent::Summaries(list) => {
                self.progress = None;
                self.inbox.set_summaries(list);
                self.inbox.scroll_into_view(self.inbox_height());
                if self.screen == Screen::Unlock {
                    self.unlock.busy = false;
                    self.screen = Screen::Inbox;
                    self.ask_purge(out);
                }
            }
            WorkerEvent::Figures { asked, result } => figures::on_figures(self, asked, result),
            WorkerEvent::FiguresCsv(result) => match result {
                Ok(path) => self.message_on(
                    home,
                    format!(
                        "Bilan écrit dans {} (des nombres seulement, aucun nom)",
                        path.display()
                    ),
                    false,
                ),
                Err(f) => self.message_on(home, format!("Le bilan n'a pas été écrit : {f}"), true),
            },
            WorkerEvent::Printed(result) => {
                self.progress = None;
                match result {
                    Ok((dir, files)) => self.message_on(
                        home,
                        format!(
                            "{} PDF écrit(s) dans {} : {}. Ils contiennent l'identité du candidat : transmettez-les puis supprimez-les de cet ordinateur.",
                            files.len(),
                            dir.display(),
                            files
                                .iter()
                                .filter_map(|f| f.file_name())
                                .map(|f| f.to_string_lossy().into_owned())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        false,
                    ),
                    Err(f) => self.message_on(home, format!("Impression impossible : {f}"), true),
                }
            }
            WorkerEvent::PurgeDue(result) => purge::on_due(self, result),
            WorkerEvent::Purged(result) => purge::on_purged(self, result, out),
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
                    // Saved only when the last save sent is.
                    if ed.save == SaveState::Saving && ed.answers_last_save(to) {
                        ed.save = SaveState::Saved;
                    }
                    if self.quitting && ed.save == SaveState::Saved && ed.dirty_since.is_none() {
                        self.should_quit = true;
                    }
                }
            }
            WorkerEvent::SaveFailed { id, .. }
                if self
                    .editor
                    .as_ref()
                    .is_some_and(|e| e.id == id && !e.is_last_save(to)) => {}
            WorkerEvent::SaveFailed { id, error } => {
                let error = clean(&error.to_string());
                if let Some(ed) = self.editor.as_mut().filter(|e| e.id == id) {
                    ed.save = SaveState::Failed(error.clone());
                    ed.dirty_since = Some(self.now);
                    if self.quitting {
                        self.quitting = false;
                        self.quit = Some(QuitDialog {
                            reason: Some(error.clone()),
                        });
                    }
                }
                self.set_message(error, true);
            }
            WorkerEvent::RecoveryKept { id, path } => {
                self.exit_note = Some(format!(
                    "le brouillon de la demande {} n'a pas pu être enregistré ; il est gardé, chiffré, dans le fichier de secours {} et sera repris au prochain déverrouillage",
                    clean(&id),
                    clean(&path.display().to_string())
                ));
                self.quit = None;
                self.should_quit = true;
            }
            WorkerEvent::RecoveryFailed { id, error } => {
                let error = clean(&error.to_string());
                match self.quit.as_mut() {
                    Some(q) => {
                        q.reason = Some(format!(
                            "Le fichier de secours n'a pas pu être écrit : {error}"
                        ))
                    }
                    None => {
                        self.exit_error = Some(format!(
                            "le brouillon de la demande {} n'a pu être ni enregistré ni gardé en secours : il est perdu ({error})",
                            clean(&id)
                        ))
                    }
                }
                self.quitting = false;
            }
            WorkerEvent::Recovered(n) => self.set_message(
                format!("{n} brouillon(s) gardé(s) en secours à la dernière fermeture ont été repris dans le magasin"),
                false,
            ),
            WorkerEvent::Validated {
                id,
                result,
                status,
                findings,
            } => {
                // The store changed whoever waits: the status is shown.
                self.apply_status(&id, status, findings);
                if self.awaits(Job::Validate, to)
                    && self.editor.as_ref().is_some_and(|e| e.id == id)
                {
                    let home = self.screen_of(Job::Validate);
                    match result {
                        Ok(()) if status == Status::Valide => self.message_on(
                            home,
                            "Avis validé : prêt à exporter (e depuis la liste)",
                            false,
                        ),
                        Ok(()) => self.message_on(home, "Avis remis en brouillon", false),
                        Err(f) => {
                            self.message_on(home, format!("Validation refusée : {f}"), true)
                        }
                    }
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
                Ok(true) => self.message_on(
                    home,
                    "Pièce ouverte dans la visionneuse, depuis la mémoire : rien n'a été écrit sur le disque",
                    false,
                ),
                Ok(false) => self.message_on(
                    home,
                    "Pièce ouverte dans la visionneuse du système ; sa copie temporaire privée sera effacée en quittant la demande",
                    false,
                ),
                Err(f) => self.message_on(home, f.to_string(), true),
            },
            WorkerEvent::ExportPreview(items) => self.export.items = Some(items),
            WorkerEvent::ExportDestination(path) => export::on_destination(self, path),
            WorkerEvent::Created(keys, settings) => {
                self.inbox.settings = *settings;
                welcome::created(self, *keys);
            }
            WorkerEvent::CreateFailed(f) => welcome::failed(self, &f),
            WorkerEvent::Keys(keys) => self.keys = Some(*keys),
            WorkerEvent::KeysWritten(result) => match result {
                Ok(path) => self.message_on(
                    home,
                    format!(
                        "Clés enregistrées dans {} : envoyez ce fichier au rectorat",
                        path.display()
                    ),
                    false,
                ),
                Err(f) => self.message_on(home, f.to_string(), true),
            },
            WorkerEvent::Listing(listing) => chooser::on_listing(self, *listing),
            WorkerEvent::Trusted(list) => trust::on_trusted(self, list),
            WorkerEvent::KeyFile(result) => trust::on_key_file(self, result),
            WorkerEvent::Imported(result) => import::on_imported(self, result, out),
            WorkerEvent::BackedUp(result) => backup::on_backed_up(self, result),
            WorkerEvent::PaperAdded(loaded) => {
                if self.paper.take().is_some_and(|p| p.id == loaded.record.request.id) {
                    self.open_loaded(*loaded);
                    if let Some(req) = self.request.as_mut() {
                        req.tab = Tab::Pieces;
                    }
                    self.set_message(
                        "Pièce reçue sur papier enregistrée : elle compte pour les contrôles et ne quitte pas le magasin",
                        false,
                    );
                }
            }
            WorkerEvent::Exported(result) => export::on_exported(self, result, out),
            WorkerEvent::Failed(err) => {
                self.progress = None;
                match err.op {
                    // A failure about a request no longer awaited (the
                    // doctor asked for another meanwhile) leaves that one.
                    Op::LoadRequest
                        if err.request.is_some() && err.request != self.loading => {}
                    Op::LoadRequest | Op::LoadSummaries => {
                        self.loading = None;
                        self.resume = None;
                    }
                    Op::Paper => paper::failed(self),
                    // Recorded: the form closes (sending it again would
                    // record the pièce twice).
                    Op::PaperReload => paper::recorded(self),
                    // Saved, but its state unreadable: saved all the same.
                    Op::Checks => {
                        if let Some(ed) = self
                            .editor
                            .as_mut()
                            .filter(|e| err.request.as_deref() == Some(e.id.as_str()))
                        {
                            if ed.save == SaveState::Saving {
                                ed.save = SaveState::Saved;
                            }
                        }
                    }
                    _ => {}
                }
                // The form is closed: said on the request.
                let home = if err.op == Op::PaperReload {
                    self.screen
                } else {
                    home
                };
                self.message_on(home, err.failure.to_string(), true);
            }
        }
    }
}
