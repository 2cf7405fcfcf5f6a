//! The review TUI: the doctor's whole review in the terminal, keyboard
//! first, mouse too.
//!
//! Elm style, one component per screen ([`screens`]): terminal input
//! becomes an [`action::Action`] through the current screen's key table
//! ([`keymap`]), [`app::App::update`] routes it to the screen's update,
//! which changes the state and returns orders for the [`worker`] (which
//! owns the store: unlock, import, decryption, export), each numbered; the
//! worker's replies name the command they answer and carry a typed
//! [`failure::WorkerFailure`], so that the app drops a reply to a command
//! the doctor asked again or moved on from ([`app::Job`]) and shows a
//! failure on the screen its command came from. [`screens::render`] draws
//! the state by shared reference. Untrusted
//! text is cleaned ([`clean`]) before it is drawn. The session locks itself
//! after `AVIS_VERROUILLAGE_MINUTES` (5 by default, `0`: never) without
//! input, or on Ctrl+L: the draft is saved, the worker closes the store, the
//! app forgets what it decrypted and asks the passphrase again. The terminal
//! is restored on exit, on panic, on SIGTERM and on SIGHUP. Scans are drawn
//! with the best image protocol the terminal answers for at start-up
//! ([`graphics`]).

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ratatui::backend::{Backend, ClearType, CrosstermBackend};
use ratatui::crossterm::event::{
    self as ct, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste,
    EnableMouseCapture, KeyEventKind,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, Clear, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;
use secrecy::SecretString;

pub mod action;
pub mod app;
pub mod clean;
pub mod demo;
pub mod document;
pub mod event;
pub mod failure;
pub mod files;
pub mod graphics;
pub mod keymap;
pub mod sample;
pub mod screens;
pub mod theme;
pub mod widgets;
pub mod worker;

use action::Action;
use app::App;
use event::Event;
use ratatui_image::picker::Picker;
use worker::{DemoAssets, Order, Orders, StoreSource, WorkerCommand};

/// What the TUI needs from the command line.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    /// The review date of the checks.
    pub today: NaiveDate,
    /// Where the passphrase is read from instead of the keyboard.
    pub passphrase_file: Option<PathBuf>,
}

/// Opens the TUI on the doctor's store in `dir`; with no store there, on
/// the welcome screen that creates it.
pub fn run(dir: PathBuf, options: &TuiOptions) -> Result<(), String> {
    let passphrase = match &options.passphrase_file {
        Some(path) => Some(read_passphrase_file(path)?),
        None => None,
    };
    let mut app = App::new(false, options.today, theme::Theme::from_env());
    if !crate::store::Store::exists(&dir) {
        // The first run: the welcome screen creates the store.
        use std::io::IsTerminal;
        if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
            return Err(format!(
                "aucun magasin dans {} : lancez avis dans un terminal pour le créer, ou « avis init --name \"Dr Prénom Nom\" » pour un script",
                crate::text::sanitize(&dir.display().to_string())
            ));
        }
        app = app.first_run();
        return run_app(app, StoreSource::Dir(dir), None);
    }
    run_app(app, StoreSource::Dir(dir), passphrase)
}

/// Opens the TUI on a throw-away demo store in a private temporary
/// directory, deleted on exit.
pub fn run_demo(assets: DemoAssets, options: &TuiOptions) -> Result<(), String> {
    let tmp = tempfile::Builder::new()
        .prefix("avis-demo-")
        .tempdir()
        .map_err(|_| {
            "impossible de créer le dossier temporaire de la démonstration : vérifiez le dossier temporaire (TMPDIR) et l'espace disque".to_string()
        })?;
    demo::make_private(tmp.path())?;
    let app = App::new(true, options.today, theme::Theme::from_env());
    let result = run_app(
        app,
        StoreSource::Demo {
            dir: tmp.path().to_path_buf(),
            assets,
        },
        None,
    );
    drop(tmp);
    result
}

fn read_passphrase_file(path: &std::path::Path) -> Result<SecretString, String> {
    crate::passphrase::read_file(path, "AVIS_PASSPHRASE_FILE").map_err(|e| e.to_string())
}

/// Restores the terminal: leaves raw mode, the alternate screen and mouse
/// capture. Safe to call more than once.
pub fn restore_terminal() {
    // Kitty would keep the scans' pixels in its memory.
    graphics::erase_on_exit(&mut io::stdout());
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Restores the terminal before any panic message, then hands over to the
/// hook installed before (the process-wide one prints a generic French
/// message, never the payload).
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The worker catches its own panics (a malformed PDF): the UI goes on.
        if std::thread::current().name() == Some("avis-worker")
            || crate::pieces::in_decoder_thread()
        {
            return;
        }
        restore_terminal();
        previous(info);
    }));
}

/// Raw mode and the alternate screen; then the image query (the terminal's
/// answers must not be read as keys: no thread reads the keyboard yet, and
/// mouse reports are not asked for yet); then the mouse, on a clean screen.
fn setup_terminal(
    app: &mut App,
) -> Result<(Terminal<CrosstermBackend<Stdout>>, Option<Picker>), String> {
    let fail = |_| {
        "le terminal ne peut pas passer en mode plein écran : lancez avis dans un vrai terminal"
            .to_string()
    };
    enable_raw_mode().map_err(fail)?;
    execute!(io::stdout(), EnterAlternateScreen).map_err(fail)?;
    let picker = match graphics::ImageEnv::from_env().detection() {
        Ok(graphics::Detection::Query) => graphics::detect(),
        Ok(graphics::Detection::HalfBlocks) => None,
        Err(message) => {
            app.set_message(message, true);
            None
        }
    };
    app.images = graphics::mode_of(picker.as_ref());
    // A terminal that printed part of the query instead of answering it.
    execute!(
        io::stdout(),
        Clear(ratatui::crossterm::terminal::ClearType::All),
        EnableMouseCapture,
        EnableBracketedPaste
    )
    .map_err(fail)?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout())).map_err(fail)?;
    Ok((terminal, picker))
}

/// Clears the screen and forgets the last frame so that the next one writes
/// every cell: sixel and iTerm2 pixels are not in ratatui's buffer and
/// survive its diff. With `dropped`, the images the terminal keeps (kitty)
/// are deleted first. (`Terminal::clear` would ask the terminal for the
/// cursor position, racing the input thread.)
fn repaint(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    dropped: Option<graphics::ImageMode>,
) {
    if let Some(mode) = dropped {
        graphics::erase_images(terminal.backend_mut(), mode);
    }
    if terminal.backend_mut().clear_region(ClearType::All).is_ok() {
        terminal.swap_buffers();
    }
}

fn run_app(
    mut app: App,
    source: StoreSource,
    passphrase: Option<SecretString>,
) -> Result<(), String> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(
            "l'interface a besoin d'un terminal : lancez avis directement dans un terminal (pour les scripts, utilisez les sous-commandes, voir avis --help)".into(),
        );
    }
    let minutes = std::env::var("AVIS_VERROUILLAGE_MINUTES").ok();
    let seconds = crate::testhooks::var("AVIS_TEST_VERROUILLAGE_SECONDES");
    match app::lock_delay(minutes.as_deref(), seconds.as_deref()) {
        Ok(delay) => app.lock_after = delay,
        Err(message) => app.set_message(message, true),
    }
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        let _ = signal_hook::flag::register(sig, Arc::clone(&signalled));
    }
    // Copies for the external viewer left by a run that was killed.
    document::sweep_at_start();
    install_panic_hook();
    let guard = TerminalGuard;
    let (mut terminal, picker) = setup_terminal(&mut app)?;

    let (tx, rx) = mpsc::channel::<Event>();
    let (cmd_tx, cmd_rx) = mpsc::channel::<Order>();
    let demo = matches!(source, StoreSource::Demo { .. });
    let worker = worker::spawn(source, app.today, picker, cmd_rx, tx.clone()).map_err(|_| {
        "impossible de démarrer le processus de travail : relancez avis".to_string()
    })?;
    // The demo opens by itself; a passphrase file opens the store at once.
    let first = if demo {
        Some(SecretString::from(String::new()))
    } else {
        passphrase
    };
    if let Some(p) = first {
        send(&cmd_tx, app.unlock_with(p));
    }
    let stop_input = Arc::new(AtomicBool::new(false));
    let result = match event::spawn_input(tx, Arc::clone(&stop_input)) {
        Ok(()) => {
            if let Ok(size) = terminal.size() {
                app.update(Action::Resize(size.width, size.height));
            }
            event_loop(&mut app, &mut terminal, &rx, &cmd_tx, &signalled, &worker)
        }
        Err(_) => Err("impossible de lire le clavier : relancez avis".to_string()),
    };
    if !app.should_quit {
        send(&cmd_tx, app.final_commands());
    }
    send(&cmd_tx, app.order(WorkerCommand::Shutdown));
    let _ = worker.join();
    // The replies to the last save, kept or lost.
    while let Ok(ev) = rx.try_recv() {
        if let Event::Worker(w) = ev {
            let _ = app.update(Action::Worker(w));
        }
    }
    stop_input.store(true, Ordering::Relaxed);
    drop(guard);
    // The terminal is restored by the guard; ratatui's own drop would only
    // complain on stderr when the terminal is already gone (SIGHUP).
    std::mem::forget(terminal);
    if let Some(note) = app.exit_note.take() {
        eprintln!("avis : {}", crate::text::sanitize(&note));
    }
    match app.exit_error.take() {
        Some(message) => Err(message),
        None => result,
    }
}

/// Hands the commands to the worker, each with its id.
fn send(tx: &mpsc::Sender<Order>, orders: Orders) {
    for order in orders.into_orders() {
        let _ = tx.send(order);
    }
}

/// Turns a mouse event into an action (none while an overlay is open).
pub fn handle_mouse(app: &App, ev: ct::MouseEvent) -> Option<Action> {
    if app.help || app.show_log || app.quit.is_some() {
        return None;
    }
    match ev.kind {
        ct::MouseEventKind::ScrollDown => Some(Action::Wheel(3)),
        ct::MouseEventKind::ScrollUp => Some(Action::Wheel(-3)),
        ct::MouseEventKind::Down(_) => Some(Action::Click(ev.column, ev.row)),
        _ => None,
    }
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &mpsc::Receiver<Event>,
    cmd_tx: &mpsc::Sender<Order>,
    signalled: &AtomicBool,
    worker: &std::thread::JoinHandle<()>,
) -> Result<(), String> {
    let draw_failed =
        |_| "l'affichage du terminal a échoué : relancez avis dans un terminal".to_string();
    loop {
        let dropped = std::mem::take(&mut app.drop_images);
        if std::mem::take(&mut app.repaint) || dropped {
            repaint(terminal, dropped.then_some(app.images));
        }
        terminal
            .draw(|f| screens::render(app, f))
            .map_err(draw_failed)?;
        let first = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ev) => Some(ev),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("le processus de travail s'est arrêté : relancez avis".into())
            }
        };
        let events = first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()));
        for ev in events {
            if matches!(
                ev,
                Event::Input(ct::Event::Key(_) | ct::Event::Mouse(_) | ct::Event::Paste(_))
            ) {
                app.note_input();
            }
            let action = match ev {
                Event::Worker(w) => Some(Action::Worker(w)),
                Event::Input(ct::Event::Key(k)) if k.kind != KeyEventKind::Release => {
                    screens::handle_key(app, k)
                }
                Event::Input(ct::Event::Mouse(m)) => handle_mouse(app, m),
                Event::Input(ct::Event::Paste(text)) => Some(Action::Paste(text)),
                Event::Input(ct::Event::Resize(w, h)) => Some(Action::Resize(w, h)),
                Event::Input(_) => None,
            };
            if let Some(action) = action {
                send(cmd_tx, app.update(action));
            }
        }
        send(cmd_tx, app.update(Action::Tick(Instant::now())));
        if signalled.load(Ordering::Relaxed) {
            // Nobody to ask: the draft is saved or kept on the way out.
            return Ok(());
        }
        if app.should_quit {
            return Ok(());
        }
        if worker.is_finished() {
            return Err(
                "le processus de travail s'est arrêté de façon inattendue : les brouillons déjà enregistrés sont conservés ; relancez avis".into(),
            );
        }
    }
}
