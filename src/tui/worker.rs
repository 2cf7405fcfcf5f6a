//! The worker thread: it owns the [`Store`] and does everything slow or
//! secret (unlock, import, sled, decryption, PDF text extraction, export,
//! encoding scans for sixel, kitty or iTerm2) off the UI thread. The UI
//! sends [`Order`]s (a [`WorkerCommand`] and its [`CommandId`]) and
//! receives [`Reply`]s (a [`WorkerEvent`] and the id of the command it
//! answers), progress included, so that a late reply to a command the
//! doctor moved on from is told apart from the one awaited. Failures come
//! back as a typed [`WorkerFailure`] whose French text never quotes health
//! data.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

use chrono::NaiveDate;
use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use secrecy::SecretString;

use crate::domain::checks::{CampaignSettings, Finding};
use crate::domain::{Draft, MeasureCode, Status};
use crate::figures::{Figures, Period};
use crate::store::{
    ExportOptions, ExportedFile, JournalEvent, RequestRecord, RequestSummary, Store, StoreOptions,
};

use super::event::Event;
pub use super::failure::{FailureKind, WorkerFailure};
use super::graphics::Picture;

/// The number of a command, given by the UI in the order it sends them
/// (the first is 1), echoed by every reply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommandId(pub u64);

/// A command for the worker, with its number.
pub struct Order {
    pub id: CommandId,
    pub command: WorkerCommand,
}

/// A reply of the worker: the command it answers (`None`: a push nobody
/// asked for, such as the pièces' session's), and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub to: Option<CommandId>,
    pub event: WorkerEvent,
}

impl Reply {
    /// The reply to command `to`.
    pub fn to(to: CommandId, event: WorkerEvent) -> Reply {
        Reply {
            to: Some(to),
            event,
        }
    }
}

impl From<WorkerEvent> for Reply {
    /// A reply that answers no command in particular.
    fn from(event: WorkerEvent) -> Reply {
        Reply { to: None, event }
    }
}

/// The commands one update of the UI sends, numbered in order from the id
/// after the last one sent; reads as the list of its commands.
#[derive(Default)]
pub struct Orders {
    /// The id of the command before the first of these.
    after: u64,
    commands: Vec<WorkerCommand>,
}

impl Orders {
    /// No command yet; the first pushed will be numbered `last + 1`.
    pub fn after(last: CommandId) -> Orders {
        Orders {
            after: last.0,
            commands: Vec::new(),
        }
    }

    /// Adds a command; returns its id.
    pub fn push(&mut self, command: WorkerCommand) -> CommandId {
        self.commands.push(command);
        self.last_id()
    }

    /// The id of the last command pushed (or the one before the first).
    pub fn last_id(&self) -> CommandId {
        CommandId(self.after + self.commands.len() as u64)
    }

    /// The commands with the ids they are sent under.
    pub fn with_ids(&self) -> impl Iterator<Item = (CommandId, &WorkerCommand)> {
        (self.after + 1..).map(CommandId).zip(self.commands.iter())
    }

    /// The commands with their ids, in order.
    pub fn into_orders(self) -> impl Iterator<Item = Order> {
        let after = self.after;
        self.commands
            .into_iter()
            .enumerate()
            .map(move |(n, command)| Order {
                id: CommandId(after + n as u64 + 1),
                command,
            })
    }
}

impl std::ops::Deref for Orders {
    type Target = Vec<WorkerCommand>;
    fn deref(&self) -> &Vec<WorkerCommand> {
        &self.commands
    }
}

impl IntoIterator for Orders {
    type Item = WorkerCommand;
    type IntoIter = std::vec::IntoIter<WorkerCommand>;
    fn into_iter(self) -> Self::IntoIter {
        self.commands.into_iter()
    }
}

/// Everything the demo needs, compiled into the binary.
#[derive(Clone)]
pub struct DemoAssets {
    /// The assignment bundle (`fixtures/demo.avis`).
    pub bundle: &'static [u8],
    /// The doctor's age identity file.
    pub identity: &'static str,
    /// The doctor's minisign secret key (no password).
    pub minisign_secret: &'static str,
    /// The demo rectorat's minisign public key.
    pub rectorat_pub: &'static str,
}

/// How the worker gets its store.
pub enum StoreSource {
    /// The doctor's own store, unlocked with a passphrase.
    Dir(PathBuf),
    /// A throw-away demo store created in `dir` (a private temporary directory).
    Demo { dir: PathBuf, assets: DemoAssets },
}

/// A request with everything the request view and the editor show.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRequest {
    pub record: RequestRecord,
    pub status: Status,
    pub draft: Option<Draft>,
    pub findings: Vec<Finding>,
    pub journal: Vec<JournalEvent>,
}

/// A decrypted document, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentContent {
    /// Text of a PDF, one string per page (not yet cleaned).
    Pages(Vec<String>),
    /// An image, as rows of RGB pixels (a thumbnail, see
    /// [`crate::pieces`]), encoded for the terminal by [`super::graphics`].
    Image {
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    },
    /// Nothing can be shown inside the terminal; the message says why.
    Unavailable(String),
    /// Decrypted and handed to the pièces' session, which answers with
    /// [`WorkerEvent::Piece`].
    Opening,
}

/// One validated avis about to be exported.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportItem {
    pub id: String,
    pub candidate: String,
    pub issuer_name: String,
}

/// The doctor's public keys, to send to the rectorat.
#[derive(Debug, Clone, PartialEq)]
pub struct KeysInfo {
    pub doctor: String,
    pub rpps: Option<String>,
    pub age_recipient: String,
    pub signing_key: String,
    /// The minisign public key file's text.
    pub signing_key_file: String,
    /// The signing key's fingerprint the rectorat reads over the phone.
    pub fingerprint: String,
}

/// A rectorat key file read for the trust screen, not yet accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyCandidate {
    /// The file's text (a few lines).
    pub text: String,
    pub signing_key: String,
    pub fingerprint: String,
}

/// One entry of a folder (hidden ones left out), its name as read.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderEntry {
    pub name: String,
    pub dir: bool,
}

/// A usual place of the file chooser.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub label: String,
    pub path: PathBuf,
}

/// What the file chooser shows of a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub dir: PathBuf,
    /// `Err`: the folder cannot be read.
    pub entries: Result<Vec<FolderEntry>, WorkerFailure>,
    /// The usual places that exist.
    pub places: Vec<Place>,
}

/// What an import from the TUI did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub bundle_id: String,
    /// `true`: this bundle was imported before, nothing changed.
    pub already: bool,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub to_review: usize,
    pub documents: usize,
}

/// A backup written from the TUI.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub files: usize,
    pub bytes: u64,
}

/// A scan to encode for a pixel protocol.
pub struct ImageJob {
    pub sha256: String,
    /// The viewer's image area.
    pub area: Rect,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Orders for the worker.
pub enum WorkerCommand {
    /// Opens the store (passphrase unused for the demo).
    Unlock(SecretString),
    LoadSummaries,
    LoadRequest(String),
    SaveDraft {
        id: String,
        draft: Box<Draft>,
    },
    Validate(String),
    Unvalidate(String),
    /// Overrides a `bloquant` check with a written reason.
    Override {
        id: String,
        rule: String,
        measure: Option<MeasureCode>,
        reason: String,
    },
    Document {
        sha256: String,
        media_type: String,
    },
    /// Writes the document to a private temporary file and opens it with the
    /// system viewer; the file is deleted by [`WorkerCommand::CloseExternal`]
    /// or at shutdown.
    OpenExternal {
        sha256: String,
        filename: String,
    },
    CloseExternal,
    /// For the open pièce's session (a page to render, a text to read).
    Piece(super::document::PieceRequest),
    /// Encodes a scan with the terminal's pixel protocol (no store needed).
    EncodeImage(Box<ImageJob>),
    /// Closes the store (after the commands sent before), forgets its keys,
    /// releases its lock and deletes the external viewer's copies; an
    /// [`WorkerCommand::Unlock`] opens it again.
    Lock,
    ExportPreview,
    /// Writes the export to this file, never over an existing one.
    Export(PathBuf),
    /// The figures of a period (`None`: the latest session).
    Figures(Option<Period>),
    /// Writes the figures of a period as CSV in the current folder, under
    /// a name that is free.
    FiguresCsv(Period),
    /// Writes the printable avis of these exported requests (and the DGER
    /// form for agricultural exams) in `avis-imprimes/` of the current
    /// folder; `None`: every exported avis.
    Print(Option<String>),
    /// Counts the dossiers past their retention.
    PurgeDue,
    /// Purges the dossiers past their retention (after the doctor's `o`).
    Purge,
    /// Writes the export to this file, replacing it (asked explicitly).
    ExportReplace(PathBuf),
    /// Where the next export goes in the remembered folder.
    ExportDestination,
    /// Remembers the exports' folder (then replies the destination).
    SetExportFolder(PathBuf),
    /// Creates the store (first run), then keeps it open.
    Create {
        name: String,
        rpps: Option<String>,
        passphrase: SecretString,
    },
    PublicKeys,
    /// Writes the keys file for the rectorat into `dir` (a new name).
    WriteKeys(PathBuf),
    /// Remembers the folder a file was chosen in (a failure is not
    /// reported: the chooser opens elsewhere next time).
    RememberFolder(PathBuf),
    /// Lists a folder for the file chooser (`None`: the first usual place
    /// that exists, after `last`).
    ListFolder {
        dir: Option<PathBuf>,
        last: Option<PathBuf>,
    },
    Trusted,
    /// Reads a rectorat key file (nothing is accepted yet).
    ReadKeyFile(PathBuf),
    TrustAdd {
        text: String,
        name: String,
    },
    TrustRemove(String),
    Import(PathBuf),
    /// An encrypted backup in `dir` under a name not yet taken.
    Backup {
        dir: PathBuf,
        passphrase: SecretString,
    },
    /// Records a pièce received on paper, then reloads the request.
    AddPaper {
        id: String,
        doc: crate::domain::PaperDocument,
    },
    /// Keeps a draft that could not be saved in a recovery file sealed
    /// under the store's data key.
    KeepRecovery {
        id: String,
        draft: Box<Draft>,
    },
    /// On the way out without anyone to ask (a signal): saves the draft,
    /// or else keeps it in a recovery file.
    FinalSave {
        id: String,
        draft: Box<Draft>,
    },
    Shutdown,
}

/// Which command a failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// Any command sent while the store is closed.
    Store,
    LoadSummaries,
    LoadRequest,
    /// The draft was saved (or the check overridden) but its status and
    /// checks could not be read back.
    Checks,
    Validate,
    Override,
    OpenExternal,
    ExportPreview,
    Figures,
    Print,
    /// Drafts kept in recovery files, at the unlock.
    Recovery,
    Trust,
    Paper,
    /// The paper pièce is recorded, but the request could not be read
    /// again.
    PaperReload,
}

/// A failure of the worker: the kind of command it answers, the request
/// it is about, and what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerError {
    pub op: Op,
    pub request: Option<String>,
    pub failure: WorkerFailure,
}

impl WorkerError {
    /// A failure of `op` about `request`.
    pub fn new(op: Op, request: Option<&str>, e: impl Into<WorkerFailure>) -> WorkerError {
        WorkerError {
            op,
            request: request.map(str::to_string),
            failure: e.into(),
        }
    }
}

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.failure.fmt(f)
    }
}

/// Replies of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// Progress of a long operation: what, and bytes done/total.
    Progress {
        label: String,
        done: u64,
        total: u64,
    },
    /// The store is open; its campaign settings (exam dates, thresholds).
    Unlocked(Box<CampaignSettings>),
    UnlockFailed(WorkerFailure),
    Summaries(Vec<RequestSummary>),
    Request(Box<LoadedRequest>),
    /// The draft of `id` is saved (the reply to its save, or to another
    /// command that changed the request: every command sent before it is
    /// done).
    Saved {
        id: String,
        status: Status,
        findings: Vec<Finding>,
    },
    /// The draft of `id` could not be saved, by the save this replies to.
    SaveFailed {
        id: String,
        error: WorkerFailure,
    },
    /// The draft of `id` is kept in this recovery file.
    RecoveryKept {
        id: String,
        path: PathBuf,
    },
    /// Drafts kept in recovery files were saved back into the store.
    Recovered(usize),
    /// The recovery file could not be written either.
    RecoveryFailed {
        id: String,
        error: WorkerFailure,
    },
    Validated {
        id: String,
        result: Result<(), WorkerFailure>,
        status: Status,
        findings: Vec<Finding>,
    },
    Document {
        sha256: String,
        content: DocumentContent,
    },
    /// A scan encoded for `area` (`None`: the encoding failed).
    ImageEncoded {
        sha256: String,
        area: Rect,
        picture: Option<Picture>,
    },
    /// The external viewer started; `Ok(true)` when it reads the pièce
    /// from memory (nothing written to disk).
    ExternalOpened(Result<bool, WorkerFailure>),
    /// A reply of the pièces' session.
    Piece(crate::pieces::session::SessionEvent),
    ExportPreview(Vec<ExportItem>),
    /// The files written, or why not ([`FailureKind::FileExists`]: the
    /// file exists, nothing was written).
    Exported(Result<Vec<ExportedFile>, WorkerFailure>),
    /// The figures of the period asked (`asked`), with the period computed
    /// and the sessions found.
    Figures {
        asked: Option<Period>,
        result: Result<(Period, Vec<String>, Box<Figures>), WorkerFailure>,
    },
    /// The CSV file written.
    FiguresCsv(Result<PathBuf, WorkerFailure>),
    /// The PDF files written (in this folder), or why not.
    Printed(Result<(PathBuf, Vec<PathBuf>), WorkerFailure>),
    /// What is past its retention.
    PurgeDue(Result<super::screens::purge::PurgeDue, WorkerFailure>),
    /// How many dossiers were purged.
    Purged(Result<usize, WorkerFailure>),
    /// Where the next export goes (`None`: no folder chosen yet).
    ExportDestination(Option<PathBuf>),
    /// The store was created and is open.
    Created(Box<KeysInfo>, Box<CampaignSettings>),
    CreateFailed(WorkerFailure),
    Keys(Box<KeysInfo>),
    KeysWritten(Result<PathBuf, WorkerFailure>),
    Listing(Box<Listing>),
    Trusted(Vec<crate::store::TrustedSigner>),
    KeyFile(Result<KeyCandidate, WorkerFailure>),
    Imported(Result<ImportReport, WorkerFailure>),
    BackedUp(Result<BackupReport, WorkerFailure>),
    /// The paper pièce is recorded: the request read again.
    PaperAdded(Box<LoadedRequest>),
    /// Any other failure, with the command it answers.
    Failed(WorkerError),
}

/// Starts the worker; it reports on `events` until it receives
/// [`WorkerCommand::Shutdown`] or its command channel closes. `picker`
/// encodes scans when the terminal draws sixel, kitty or iTerm2 images.
pub fn spawn(
    source: StoreSource,
    today: NaiveDate,
    picker: Option<Picker>,
    commands: Receiver<Order>,
    events: Sender<Event>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("avis-worker".into())
        .spawn(move || {
            let pieces = super::document::Pieces::new(events.clone(), picker.as_ref());
            let mut worker = Worker {
                source,
                today,
                store: None,
                events,
                current: None,
                external: Vec::new(),
                demo_ready: false,
                pieces,
                picker,
            };
            while let Ok(Order { id, command }) = commands.recv() {
                if matches!(command, WorkerCommand::Shutdown) {
                    break;
                }
                worker.current = Some(id);
                worker.handle(command);
            }
            // Close cleanly: flush, forget the keys, release the lock; and
            // delete any copy left for the external viewer.
            worker.external.clear();
            super::document::remove_dir_if_empty();
            if let Some(store) = worker.store.take() {
                let _ = store.lock();
            }
        })
}

struct Worker {
    source: StoreSource,
    today: NaiveDate,
    store: Option<Store>,
    events: Sender<Event>,
    /// The command being carried out: its replies say they answer it.
    current: Option<CommandId>,
    external: Vec<super::document::ExternalCopy>,
    /// The demo store exists: later unlocks open it with its passphrase.
    demo_ready: bool,
    picker: Option<Picker>,
    pieces: super::document::Pieces,
}

fn not_open() -> WorkerFailure {
    WorkerFailure::new(
        FailureKind::StoreClosed,
        "le magasin n'est pas déverrouillé : saisissez la phrase de passe puis réessayez",
    )
}

impl Worker {
    fn send(&self, event: WorkerEvent) {
        let _ = self.events.send(Event::Worker(Reply {
            to: self.current,
            event,
        }));
    }

    fn progress(&self, label: &str, done: u64, total: u64) {
        self.send(WorkerEvent::Progress {
            label: label.to_string(),
            done,
            total,
        });
    }

    fn handle(&mut self, command: WorkerCommand) {
        match command {
            WorkerCommand::Unlock(passphrase) => self.unlock(passphrase),
            WorkerCommand::Shutdown => {}
            WorkerCommand::CloseExternal => self.external.clear(),
            WorkerCommand::Piece(request) => self.pieces.request(request),
            WorkerCommand::EncodeImage(job) => {
                let ImageJob {
                    sha256,
                    area,
                    width,
                    height,
                    rgb,
                } = *job;
                let picker = self.picker.as_ref();
                // A failure inside the encoder must not stop the worker.
                let picture = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    super::graphics::encode(picker, width, height, &rgb, area)
                }))
                .ok()
                .flatten();
                self.send(WorkerEvent::ImageEncoded {
                    sha256,
                    area,
                    picture,
                });
            }
            WorkerCommand::Purge => {
                let event = match self.store.as_mut() {
                    None => WorkerEvent::Failed(WorkerError::new(Op::Store, None, not_open())),
                    Some(store) => {
                        let (events, to) = (&self.events, self.current);
                        let mut report = |p: crate::store::Progress| {
                            let event = WorkerEvent::Progress {
                                label: "Purge des dossiers".into(),
                                done: p.done,
                                total: p.total,
                            };
                            let _ = events.send(Event::Worker(Reply { to, event }));
                        };
                        WorkerEvent::Purged(
                            store
                                .purge(chrono::Utc::now(), &mut report)
                                .map(|r| r.purged.len())
                                .map_err(WorkerFailure::from),
                        )
                    }
                };
                self.send(event);
            }
            WorkerCommand::Create {
                name,
                rpps,
                passphrase,
            } => self.create(&name, rpps.as_deref(), &passphrase),
            WorkerCommand::ListFolder { dir, last } => {
                // The folder remembered in the store, from an earlier session.
                let last = last.or_else(|| {
                    self.store
                        .as_ref()
                        .and_then(|s| s.last_folder().ok().flatten())
                });
                let listing = super::files::listing(dir, last);
                self.send(WorkerEvent::Listing(Box::new(listing)));
            }
            WorkerCommand::ReadKeyFile(path) => self.send(WorkerEvent::KeyFile(
                super::files::read_key_file(&path)
                    .map_err(|text| WorkerFailure::new(FailureKind::Bundle, text)),
            )),
            WorkerCommand::Lock => {
                self.external.clear();
                self.pieces.request(super::document::PieceRequest::Close);
                if let Some(store) = self.store.take() {
                    let _ = store.lock();
                }
            }
            other => match &self.store {
                None => self.send(WorkerEvent::Failed(WorkerError::new(
                    Op::Store,
                    None,
                    not_open(),
                ))),
                Some(store) => {
                    let (events, to) = (&self.events, self.current);
                    let event = run_on_store(
                        store,
                        self.today,
                        other,
                        &mut self.external,
                        &mut self.pieces,
                        &|event| {
                            let _ = events.send(Event::Worker(Reply { to, event }));
                        },
                    );
                    if let Some(event) = event {
                        self.send(event);
                    }
                }
            },
        }
    }

    fn unlock(&mut self, passphrase: SecretString) {
        match &self.source {
            StoreSource::Dir(dir) => {
                self.progress("Déverrouillage du magasin", 0, 1);
                match Store::open(dir, &passphrase, &StoreOptions::default()) {
                    Ok(store) => {
                        let settings = Box::new(store.settings().clone());
                        let recovered = store.take_recoveries();
                        self.store = Some(store);
                        self.send(WorkerEvent::Unlocked(settings));
                        match recovered {
                            Ok(0) => {}
                            Ok(n) => self.send(WorkerEvent::Recovered(n)),
                            Err(e) => self.send(WorkerEvent::Failed(WorkerError::new(
                                Op::Recovery,
                                None,
                                WorkerFailure::from(e).context(
                                    "un brouillon gardé en secours n'a pas pu être repris",
                                ),
                            ))),
                        }
                    }
                    Err(e) => self.send(WorkerEvent::UnlockFailed(e.into())),
                }
            }
            StoreSource::Demo { dir, .. } if self.demo_ready => {
                let dir = dir.join("magasin");
                match Store::open(&dir, &passphrase, &StoreOptions::default()) {
                    Ok(store) => {
                        let settings = Box::new(store.settings().clone());
                        self.store = Some(store);
                        self.send(WorkerEvent::Unlocked(settings));
                    }
                    Err(e) => self.send(WorkerEvent::UnlockFailed(e.into())),
                }
            }
            StoreSource::Demo { dir, assets } => {
                let (dir, assets) = (dir.clone(), assets.clone());
                match self.open_demo(&dir, &assets) {
                    Ok(store) => {
                        self.demo_ready = true;
                        let settings = Box::new(store.settings().clone());
                        self.store = Some(store);
                        self.send(WorkerEvent::Unlocked(settings));
                    }
                    Err(message) => self.send(WorkerEvent::UnlockFailed(WorkerFailure::new(
                        FailureKind::Storage,
                        message,
                    ))),
                }
            }
        }
    }

    fn create(&mut self, name: &str, rpps: Option<&str>, passphrase: &SecretString) {
        let StoreSource::Dir(dir) = &self.source else {
            return self.send(WorkerEvent::CreateFailed(WorkerFailure::new(
                FailureKind::StoreExists,
                "la démonstration a déjà son magasin",
            )));
        };
        self.progress("Création du magasin et des clés", 0, 1);
        let options = crate::passphrase::new_store_options();
        match Store::init(dir, passphrase, name, rpps, &options) {
            Ok(store) => {
                let settings = Box::new(store.settings().clone());
                match keys_info(&store) {
                    Ok(keys) => {
                        self.store = Some(store);
                        self.send(WorkerEvent::Created(Box::new(keys), settings));
                    }
                    Err(e) => self.send(WorkerEvent::CreateFailed(e)),
                }
            }
            Err(e) => self.send(WorkerEvent::CreateFailed(e.into())),
        }
    }

    fn open_demo(&self, dir: &std::path::Path, assets: &DemoAssets) -> Result<Store, String> {
        self.progress(
            "Préparation de la démonstration",
            0,
            assets.bundle.len() as u64,
        );
        super::demo::create_demo_store(dir, assets, &mut |done, total| {
            self.progress("Import des dossiers de démonstration", done, total)
        })
    }
}

/// Runs one command on an unlocked store and returns the reply; `send`
/// passes on what comes before it (progress, early inbox lines).
fn run_on_store(
    store: &Store,
    today: NaiveDate,
    command: WorkerCommand,
    external: &mut Vec<super::document::ExternalCopy>,
    pieces: &mut super::document::Pieces,
    send: &dyn Fn(WorkerEvent),
) -> Option<WorkerEvent> {
    let progress = |label: &str, done: u64, total: u64| {
        send(WorkerEvent::Progress {
            label: label.to_string(),
            done,
            total,
        })
    };
    let command_kind = match &command {
        WorkerCommand::ExportReplace(_) => Kind::Replace,
        _ => Kind::Other,
    };
    Some(match command {
        // The lines first when the alert counts must be recomputed.
        WorkerCommand::LoadSummaries => {
            match store.summaries_then(today, &mut |early| {
                send(WorkerEvent::Summaries(early.to_vec()))
            }) {
                Ok(list) => WorkerEvent::Summaries(list),
                Err(e) => WorkerEvent::Failed(WorkerError::new(Op::LoadSummaries, None, e)),
            }
        }
        WorkerCommand::LoadRequest(id) => match load_request(store, &id, today) {
            Ok(loaded) => WorkerEvent::Request(Box::new(loaded)),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::LoadRequest, Some(&id), e)),
        },
        WorkerCommand::SaveDraft { id, draft } => match store.save_draft(&id, &draft) {
            Ok(()) => saved(store, id, today),
            Err(e) => WorkerEvent::SaveFailed {
                id,
                error: WorkerFailure::from(e).context("le brouillon n'a pas pu être enregistré"),
            },
        },
        WorkerCommand::FinalSave { id, draft } => match store.save_draft(&id, &draft) {
            Ok(()) => saved(store, id, today),
            Err(first) => match store.keep_recovery(&id, &draft) {
                Ok(path) => WorkerEvent::RecoveryKept { id, path },
                Err(e) => WorkerEvent::RecoveryFailed {
                    id,
                    error: WorkerFailure::from(first).then(e),
                },
            },
        },
        WorkerCommand::KeepRecovery { id, draft } => match store.keep_recovery(&id, &draft) {
            Ok(path) => WorkerEvent::RecoveryKept { id, path },
            Err(e) => WorkerEvent::RecoveryFailed {
                id,
                error: e.into(),
            },
        },
        WorkerCommand::Validate(id) => {
            let result = store.validate(&id, today).map_err(WorkerFailure::from);
            validated(store, id, today, result)
        }
        WorkerCommand::Override {
            id,
            rule,
            measure,
            reason,
        } => match store.override_check(&id, &rule, measure, &reason) {
            Ok(()) => saved(store, id, today),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Override, Some(&id), e)),
        },
        WorkerCommand::Unvalidate(id) => {
            let result = store.unvalidate(&id).map_err(WorkerFailure::from);
            validated(store, id, today, result)
        }
        WorkerCommand::Document { sha256, media_type } => {
            progress("Déchiffrement de la pièce", 0, 1);
            let content = match store.document(&sha256) {
                Ok(bytes) => super::document::opening(pieces, &sha256, bytes, &media_type),
                Err(e) => DocumentContent::Unavailable(e.to_string()),
            };
            progress("Déchiffrement de la pièce", 1, 1);
            WorkerEvent::Document { sha256, content }
        }
        WorkerCommand::OpenExternal { sha256, filename } => {
            let result = store
                .document(&sha256)
                .map_err(WorkerFailure::from)
                .and_then(|bytes| {
                    super::document::open_external(&bytes, &filename)
                        .map_err(|text| WorkerFailure::new(FailureKind::Io, text))
                })
                .map(|copy| {
                    let in_memory = copy.in_memory;
                    external.push(copy);
                    in_memory
                });
            WorkerEvent::ExternalOpened(result)
        }
        WorkerCommand::ExportPreview => match export_preview(store, today) {
            Ok(items) => WorkerEvent::ExportPreview(items),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::ExportPreview, None, e)),
        },
        WorkerCommand::Export(path) | WorkerCommand::ExportReplace(path) => {
            let replace = matches!(command_kind, Kind::Replace);
            let mut report = |p: crate::store::Progress| progress("Export", p.done, p.total);
            let options = ExportOptions {
                replace,
                ..ExportOptions::default()
            };
            WorkerEvent::Exported(
                store
                    .export(&path, &options, &mut report)
                    .map_err(WorkerFailure::from),
            )
        }
        WorkerCommand::ExportDestination => destination(store, today),
        WorkerCommand::SetExportFolder(dir) => match store.set_export_folder(&dir) {
            Ok(()) => destination(store, today),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::ExportPreview, None, e)),
        },
        WorkerCommand::PublicKeys => match keys_info(store) {
            Ok(keys) => WorkerEvent::Keys(Box::new(keys)),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Trust, None, e)),
        },
        WorkerCommand::WriteKeys(dir) => WorkerEvent::KeysWritten(write_keys(store, &dir)),
        WorkerCommand::RememberFolder(dir) => {
            let _ = store.set_last_folder(&dir);
            return None;
        }
        WorkerCommand::Trusted => trusted(store),
        WorkerCommand::TrustAdd { text, name } => match store.trust_add(&text, &name) {
            Ok(_) => trusted(store),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Trust, None, e)),
        },
        WorkerCommand::TrustRemove(key) => match store.trust_remove(&key) {
            Ok(()) => trusted(store),
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Trust, None, e)),
        },
        WorkerCommand::Import(path) => {
            crate::allocator::return_freed_memory();
            let mut report = |p: crate::store::Progress| progress("Import du lot", p.done, p.total);
            WorkerEvent::Imported(
                store
                    .import(&path, &crate::store::ImportOptions::default(), &mut report)
                    .map(import_report)
                    .map_err(WorkerFailure::from),
            )
        }
        WorkerCommand::Figures(asked) => WorkerEvent::Figures {
            result: figures(store, today, asked.clone()),
            asked,
        },
        WorkerCommand::FiguresCsv(period) => {
            WorkerEvent::FiguresCsv(figures_csv(store, today, period))
        }
        WorkerCommand::Print(id) => WorkerEvent::Printed(print(store, today, id, &progress)),
        WorkerCommand::PurgeDue => WorkerEvent::PurgeDue(purge_due(store)),
        WorkerCommand::Backup { dir, passphrase } => {
            progress("Sauvegarde chiffrée", 0, 1);
            let path = super::files::free_name(&dir, &backup_name(today));
            WorkerEvent::BackedUp(
                store
                    .backup(&path, &passphrase, &crate::passphrase::new_store_options())
                    .map(|s| BackupReport {
                        path: s.path,
                        files: s.files,
                        bytes: s.bytes,
                    })
                    .map_err(WorkerFailure::from),
            )
        }
        WorkerCommand::AddPaper { id, doc } => match store.add_paper_document(&id, doc, today) {
            Ok(()) => match load_request(store, &id, today) {
                Ok(loaded) => WorkerEvent::PaperAdded(Box::new(loaded)),
                Err(e) => WorkerEvent::Failed(WorkerError::new(
                    Op::PaperReload,
                    Some(&id),
                    e.context("la pièce reçue sur papier est enregistrée, mais la demande n'a pas pu être relue"),
                )),
            },
            Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Paper, Some(&id), e)),
        },
        WorkerCommand::Unlock(_)
        | WorkerCommand::Purge
        | WorkerCommand::Create { .. }
        | WorkerCommand::ListFolder { .. }
        | WorkerCommand::ReadKeyFile(_)
        | WorkerCommand::EncodeImage(_)
        | WorkerCommand::CloseExternal
        | WorkerCommand::Piece(_)
        | WorkerCommand::Lock
        | WorkerCommand::Shutdown => return None,
    })
}

enum Kind {
    Replace,
    Other,
}

/// The backup's file name of `today`.
fn backup_name(today: NaiveDate) -> String {
    format!("avis-sauvegarde-{}.age", today.format("%Y-%m-%d"))
}

fn keys_info(store: &Store) -> Result<KeysInfo, WorkerFailure> {
    let keys = store.public_keys();
    let doctor = store.doctor();
    Ok(KeysInfo {
        doctor: doctor.name,
        rpps: doctor.rpps,
        fingerprint: crate::store::fingerprint(&keys.signing_key)?,
        age_recipient: keys.age_recipient,
        signing_key: keys.signing_key,
        signing_key_file: keys.signing_key_file,
    })
}

/// The keys file for the rectorat (the JSON of `avis keys show --json`),
/// under a name not taken.
fn write_keys(store: &Store, dir: &std::path::Path) -> Result<PathBuf, WorkerFailure> {
    let keys = store.public_keys();
    let json = serde_json::json!({
        "age_recipient": keys.age_recipient,
        "signing_key": keys.signing_key,
        "signing_key_file": keys.signing_key_file,
        "fingerprint": crate::store::fingerprint(&keys.signing_key)?,
    });
    let text = serde_json::to_string_pretty(&json)
        .map_err(|_| WorkerFailure::from(crate::store::StoreError::Encode("fichier des clés")))?;
    let path = super::files::free_name(dir, "cles-avis.json");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()
        })
        .map_err(|source| crate::store::StoreError::Io {
            what: "écrire le fichier des clés",
            source,
        })?;
    Ok(path)
}

fn trusted(store: &Store) -> WorkerEvent {
    match store.trusted() {
        Ok(list) => WorkerEvent::Trusted(list),
        Err(e) => WorkerEvent::Failed(WorkerError::new(Op::Trust, None, e)),
    }
}

fn destination(store: &Store, today: NaiveDate) -> WorkerEvent {
    match store.default_export_path(today) {
        Ok(path) => WorkerEvent::ExportDestination(path),
        Err(e) => WorkerEvent::Failed(WorkerError::new(Op::ExportPreview, None, e)),
    }
}

fn import_report(outcome: crate::store::ImportOutcome) -> ImportReport {
    match outcome {
        crate::store::ImportOutcome::Imported {
            bundle_id,
            requests,
            documents,
            updated,
            unchanged,
            to_review,
        } => ImportReport {
            bundle_id,
            already: false,
            new: requests.saturating_sub(updated),
            updated,
            unchanged,
            to_review,
            documents,
        },
        crate::store::ImportOutcome::AlreadyImported { bundle_id } => ImportReport {
            bundle_id,
            already: true,
            new: 0,
            updated: 0,
            unchanged: 0,
            to_review: 0,
            documents: 0,
        },
    }
}

/// The status and checks of `id`, read back after a change; an error is
/// reported, never replaced by a default.
fn state(
    store: &Store,
    id: &str,
    today: NaiveDate,
) -> Result<(Status, Vec<Finding>), WorkerFailure> {
    Ok((store.status(id)?, store.findings(id, today)?))
}

fn saved(store: &Store, id: String, today: NaiveDate) -> WorkerEvent {
    match state(store, &id, today) {
        Ok((status, findings)) => WorkerEvent::Saved {
            id,
            status,
            findings,
        },
        Err(e) => WorkerEvent::Failed(WorkerError::new(
            Op::Checks,
            Some(&id),
            e.context(
                "le brouillon est enregistré, mais son état et ses contrôles sont illisibles",
            ),
        )),
    }
}

fn validated(
    store: &Store,
    id: String,
    today: NaiveDate,
    result: Result<(), WorkerFailure>,
) -> WorkerEvent {
    match state(store, &id, today) {
        Ok((status, findings)) => WorkerEvent::Validated {
            id,
            result,
            status,
            findings,
        },
        Err(e) => {
            let what = match result {
                Ok(()) => "l'opération a réussi".to_string(),
                Err(m) => m.to_string(),
            };
            WorkerEvent::Failed(WorkerError::new(
                Op::Validate,
                Some(&id),
                e.context(format!("{what}, mais l'état de l'avis est illisible")),
            ))
        }
    }
}

fn load_request(store: &Store, id: &str, today: NaiveDate) -> Result<LoadedRequest, WorkerFailure> {
    Ok(LoadedRequest {
        record: store.request(id)?,
        status: store.status(id)?,
        draft: store.draft(id)?,
        findings: store.findings(id, today)?,
        journal: store.journal(Some(id))?,
    })
}

fn export_preview(store: &Store, today: NaiveDate) -> Result<Vec<ExportItem>, WorkerFailure> {
    let mut items = Vec::new();
    for summary in store.summaries(today)? {
        if summary.status != Status::Valide {
            continue;
        }
        let issuer_name = store
            .request(&summary.id)
            .map(|r| r.issuer_name)
            .unwrap_or_default();
        items.push(ExportItem {
            id: summary.id,
            candidate: summary.candidate,
            issuer_name,
        });
    }
    Ok(items)
}

/// The figures of `asked` (`None`: the latest session, or every dossier).
fn figures(
    store: &Store,
    today: NaiveDate,
    asked: Option<Period>,
) -> Result<(Period, Vec<String>, Box<Figures>), WorkerFailure> {
    let facts = crate::figures::facts(store, today)?;
    let seasons = crate::figures::seasons(&facts);
    let period = asked.unwrap_or_else(|| {
        seasons
            .last()
            .map_or(Period::All, |s| Period::Season(s.clone()))
    });
    let figures = crate::figures::compute(&facts, &period);
    Ok((period, seasons, Box::new(figures)))
}

/// Where papers (printed avis, figures) go: the exports' folder the doctor
/// chose, else the folder avis was started in.
fn papers_dir(store: &Store) -> Result<PathBuf, WorkerFailure> {
    if let Some(dir) = store.export_folder()? {
        return Ok(dir);
    }
    std::env::current_dir().map_err(|e| {
        WorkerFailure::new(
            FailureKind::Io,
            format!("le dossier courant est inaccessible ({e}) : rien n'a été écrit"),
        )
    })
}

fn figures_csv(store: &Store, today: NaiveDate, period: Period) -> Result<PathBuf, WorkerFailure> {
    let (period, _, figures) = figures(store, today, Some(period))?;
    let csv = crate::figures::to_csv(&figures);
    crate::print::output::write_unique(
        &papers_dir(store)?,
        &period.file_stem(),
        "csv",
        csv.as_bytes(),
    )
    .map_err(|e| WorkerFailure::new(FailureKind::Io, e.to_string()))
}

/// The folder the printed avis go to.
pub const PRINT_DIR: &str = "avis-imprimes";

fn print(
    store: &Store,
    today: NaiveDate,
    id: Option<String>,
    progress: &dyn Fn(&str, u64, u64),
) -> Result<(PathBuf, Vec<PathBuf>), WorkerFailure> {
    let ids = match id {
        Some(id) => vec![id],
        None => crate::print::exported_ids(store, today)?,
    };
    if ids.is_empty() {
        return Err(WorkerFailure::new(
            FailureKind::Refused,
            "aucun avis exporté à imprimer : exportez d'abord des avis (e)",
        ));
    }
    // Every paper is made before anything is written.
    let mut papers = Vec::new();
    let total = ids.len() as u64;
    for (n, id) in ids.iter().enumerate() {
        progress("Impression des avis", n as u64, total);
        papers.extend(crate::print::papers(store, id)?);
    }
    progress("Impression des avis", total, total);
    let dir = papers_dir(store)?.join(PRINT_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| {
        WorkerFailure::new(
            FailureKind::Io,
            format!("impossible de créer le dossier {} : {e}", dir.display()),
        )
    })?;
    let mut written = Vec::new();
    for paper in papers {
        let stem = paper.name.strip_suffix(".pdf").unwrap_or(&paper.name);
        let path = crate::print::output::write_unique(&dir, stem, "pdf", &paper.bytes)
            .map_err(|e| WorkerFailure::new(FailureKind::Io, e.to_string()))?;
        written.push(path);
    }
    Ok((dir, written))
}

fn purge_due(store: &Store) -> Result<super::screens::purge::PurgeDue, WorkerFailure> {
    let due = store.purge_due(chrono::Utc::now())?;
    Ok(super::screens::purge::PurgeDue {
        dossiers: due.len(),
        documents: due.iter().map(|d| d.documents).sum(),
        months: store.retention_months()?,
    })
}
