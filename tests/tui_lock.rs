//! Unit tests of the session lock (idle delay and Ctrl+L): the orders sent
//! to the worker, what the app forgets, and the way back after the unlock.
//! Time is injected through `Action::Tick`, so everything is deterministic.

use std::time::{Duration, Instant};

use avis::domain::Status;
use avis::tui::action::Action;
use avis::tui::app::{lock_delay, App, ExportPhase, Screen, Tab, DEFAULT_LOCK_AFTER};
use avis::tui::sample;
use avis::tui::screens::editor::{EditorFocus, SaveState};
use avis::tui::screens::{
    editor::Msg as EditorMsg, inbox::Msg as InboxMsg, request::Msg as RequestMsg,
    unlock::Msg as UnlockMsg,
};
use avis::tui::screens::{handle_key, help, hints};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{
    CommandId, FailureKind, Orders, Reply, WorkerCommand, WorkerEvent, WorkerFailure,
};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ID: &str = "AMX-2026-000123";
const MIN: Duration = Duration::from_secs(60);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn app_at(t0: Instant) -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(20));
    app.update(Action::Resize(80, 24));
    app.update(Action::Tick(t0));
    app.note_input();
    app
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn ctrl_l() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)
}

fn is_lock(cmds: &[WorkerCommand]) -> bool {
    matches!(cmds.last(), Some(WorkerCommand::Lock))
}

fn assert_nothing_decrypted(app: &App) {
    assert_eq!(app.screen, Screen::Unlock);
    assert!(app.request.is_none());
    assert!(app.editor.is_none());
    assert!(app.viewer.is_none());
    assert!(app.inbox.rows.is_empty() && app.inbox.view.is_empty());
    assert!(app.export.items.is_none());
    assert!(app.message.is_none());
}

/// Types the passphrase and plays the worker's replies up to the inbox.
fn unlock_again(app: &mut App) -> Orders {
    for c in "secret".chars() {
        app.update(Action::Unlock(UnlockMsg::Input(c)));
    }
    let cmds = app.update(Action::Unlock(UnlockMsg::Submit));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::Unlock(_)]));
    let cmds = app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadSummaries]));
    app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(
        20,
    ))))
}

#[test]
fn five_idle_minutes_lock_the_session() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    assert_eq!(app.lock_after, Some(DEFAULT_LOCK_AFTER));
    assert!(app
        .update(Action::Tick(t0 + 5 * MIN - Duration::from_secs(1)))
        .is_empty());
    assert_eq!(app.screen, Screen::Inbox);
    let cmds = app.update(Action::Tick(t0 + 5 * MIN));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::Lock]));
    assert_nothing_decrypted(&app);
    assert!(app.locked.as_ref().unwrap().idle);
    // Locked once: later ticks send nothing more.
    assert!(app.update(Action::Tick(t0 + 20 * MIN)).is_empty());
}

#[test]
fn input_resets_the_idle_timer() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.update(Action::Tick(t0 + 4 * MIN));
    app.update(Action::Move(1));
    assert!(app.update(Action::Tick(t0 + 8 * MIN)).is_empty());
    assert_eq!(app.screen, Screen::Inbox);
    assert!(is_lock(&app.update(Action::Tick(t0 + 9 * MIN))));
}

#[test]
fn zero_disables_the_idle_lock_and_ctrl_l_still_locks() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.lock_after = None;
    assert!(app.update(Action::Tick(t0 + 600 * MIN)).is_empty());
    assert_eq!(app.screen, Screen::Inbox);
    assert_eq!(handle_key(&app, ctrl_l()), Some(Action::Lock));
    assert!(is_lock(&app.update(Action::Lock)));
    assert!(!app.locked.as_ref().unwrap().idle);
    assert_nothing_decrypted(&app);
    // On the lock screen Ctrl+L does nothing and 'l' is a character.
    assert_eq!(handle_key(&app, ctrl_l()), None);
    assert_eq!(
        handle_key(&app, key('l')),
        Some(Action::Unlock(UnlockMsg::Input('l')))
    );
}

#[test]
fn the_delay_comes_from_the_settings() {
    assert_eq!(lock_delay(None, None), Ok(Some(DEFAULT_LOCK_AFTER)));
    assert_eq!(lock_delay(Some("0"), None), Ok(None));
    assert_eq!(lock_delay(Some(" 12 "), None), Ok(Some(12 * MIN)));
    assert_eq!(
        lock_delay(Some("5"), Some("3")),
        Ok(Some(Duration::from_secs(3)))
    );
    assert!(lock_delay(Some("cinq"), None)
        .unwrap_err()
        .contains("AVIS_VERROUILLAGE_MINUTES"));
}

#[test]
fn ctrl_l_everywhere_and_in_the_help() {
    let t0 = Instant::now();
    let mut app = app_at(t0).with_request(sample::loaded_request());
    assert_eq!(handle_key(&app, ctrl_l()), Some(Action::Lock));
    assert!(help(&app).iter().any(|(k, _)| *k == "Ctrl+L"));
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Editor(EditorMsg::FocusNext));
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Motivation);
    assert_eq!(
        handle_key(&app, ctrl_l()),
        Some(Action::Lock),
        "Ctrl+L is not typed into the motivation"
    );
    assert!(help(&app).iter().any(|(k, _)| *k == "Ctrl+L"));
    // The status bar lists it where there is room.
    assert!(!hints(&app).iter().any(|(k, _)| *k == "Ctrl+L"));
    app.update(Action::Resize(160, 50));
    assert!(hints(&app).iter().any(|(k, _)| *k == "Ctrl+L"));
}

#[test]
fn typed_text_is_saved_before_the_store_is_dropped_and_comes_back() {
    let t0 = Instant::now();
    let mut app = app_at(t0).with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::SelectTab(2)));
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Move(1));
    app.update(Action::Editor(EditorMsg::FocusNext));
    for c in "Lenteur".chars() {
        app.update(Action::Editor(EditorMsg::TextKey(key(c))));
    }
    // Idle before the debounce even ran: one tick does both, save first.
    let cmds = app.update(Action::Tick(t0 + 5 * MIN));
    let (saved, save) = match cmds.with_ids().collect::<Vec<_>>().as_slice() {
        [(save, WorkerCommand::SaveDraft { id, draft }), (_, WorkerCommand::Lock)] => {
            assert_eq!(id, ID);
            assert_eq!(draft.opinion.motivation, "Lenteur");
            ((**draft).clone(), *save)
        }
        _ => panic!("expected the save, then the lock"),
    };
    assert_nothing_decrypted(&app);
    assert!(app.resume.as_ref().unwrap().pending.is_some());
    // The reply of an earlier command does not settle the draft sent last.
    let saved_reply = || WorkerEvent::Saved {
        id: ID.into(),
        status: Status::Brouillon,
        findings: vec![],
    };
    app.update(Action::worker(Reply::to(
        CommandId(save.0 - 1),
        saved_reply(),
    )));
    assert!(app.resume.as_ref().unwrap().pending.is_some());
    app.update(Action::worker(Reply::to(save, saved_reply())));
    assert!(
        app.resume.as_ref().unwrap().pending.is_none(),
        "the acknowledged draft is not kept in memory"
    );
    assert!(!app.locked.as_ref().unwrap().save_failed);

    let cmds = unlock_again(&mut app);
    assert_eq!(app.screen, Screen::Inbox);
    match cmds.as_slice() {
        [WorkerCommand::LoadRequest(id)] => assert_eq!(id, ID),
        _ => panic!("the open request is loaded again"),
    }
    let mut loaded = sample::loaded_request();
    loaded.draft = Some(saved);
    loaded.status = Status::Brouillon;
    app.update(Action::worker(WorkerEvent::Request(Box::new(loaded))));
    assert_eq!(app.screen, Screen::Editor);
    assert!(app.locked.is_none());
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Mesures);
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.focus, EditorFocus::Motivation);
    assert_eq!(ed.selected, 1);
    assert_eq!(ed.motivation.lines().join("\n"), "Lenteur");
    assert_eq!((ed.motivation.cursor().0, ed.motivation.cursor().1), (0, 7));
    assert_eq!(ed.save, SaveState::Saved);
}

#[test]
fn a_failed_save_keeps_the_text_in_memory_until_the_unlock() {
    let t0 = Instant::now();
    let mut app = app_at(t0).with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Editor(EditorMsg::FocusNext));
    for c in "Lenteur".chars() {
        app.update(Action::Editor(EditorMsg::TextKey(key(c))));
    }
    let cmds = app.update(Action::Lock);
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::SaveDraft { .. }, WorkerCommand::Lock]
    ));
    app.update(Action::worker(WorkerEvent::SaveFailed {
        id: sample::loaded_request().record.request.id,
        error: WorkerFailure::new(
            FailureKind::Io,
            "le brouillon n'a pas pu être enregistré : disque plein",
        ),
    }));
    assert!(app.locked.as_ref().unwrap().save_failed);
    assert!(app.resume.as_ref().unwrap().pending.is_some());
    // Escape warns once before the kept text would be lost.
    app.update(Action::Back);
    assert!(!app.should_quit);
    assert!(app.unlock.error.as_deref().unwrap().contains("perdrait"));
    app.unlock.error = None;

    unlock_again(&mut app);
    // The store still has the old draft (none): the text comes from memory.
    app.update(Action::worker(WorkerEvent::Request(Box::new(
        sample::loaded_request(),
    ))));
    assert_eq!(app.screen, Screen::Editor);
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.motivation.lines().join("\n"), "Lenteur");
    assert_eq!(ed.save, SaveState::Pending, "it will be saved again");
    assert!(app.message.is_some());
    let cmds = app.update(Action::Tick(t0 + MIN));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::SaveDraft { .. }]));
}

#[test]
fn late_replies_are_dropped_while_locked() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.update(Action::Inbox(InboxMsg::OpenSelected));
    app.update(Action::Lock);
    app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(5))));
    app.update(Action::worker(WorkerEvent::Request(Box::new(
        sample::loaded_request(),
    ))));
    assert_nothing_decrypted(&app);
    assert!(app.locked.is_some());
}

#[test]
fn a_wrong_passphrase_says_so_and_the_inbox_selection_comes_back() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.update(Action::Inbox(InboxMsg::MoveTo(7)));
    let selected = app.inbox.selected_id().unwrap().to_string();
    app.update(Action::Lock);
    app.update(Action::Unlock(UnlockMsg::Input('x')));
    app.update(Action::Unlock(UnlockMsg::Submit));
    app.update(Action::worker(WorkerEvent::UnlockFailed(
        WorkerFailure::new(
            FailureKind::WrongPassphrase,
            "phrase de passe incorrecte : vérifiez-la et réessayez",
        ),
    )));
    assert_eq!(app.screen, Screen::Unlock);
    assert!(app.unlock.error.as_deref().unwrap().contains("incorrecte"));
    assert!(!app.unlock.busy);
    let cmds = unlock_again(&mut app);
    assert!(cmds.is_empty(), "no request was open");
    assert_eq!(app.screen, Screen::Inbox);
    assert_eq!(app.inbox.selected_id(), Some(selected.as_str()));
    assert!(app.locked.is_none());
}

#[test]
fn the_demo_locks_too_and_takes_its_passphrase() {
    let t0 = Instant::now();
    let mut app = App::new(true, today(), Theme::new(ThemeKind::Normal));
    app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(3))));
    assert_eq!(app.screen, Screen::Inbox);
    app.update(Action::Tick(t0));
    app.note_input();
    assert!(is_lock(&app.update(Action::Tick(t0 + 5 * MIN))));
    assert_nothing_decrypted(&app);
    let cmds = unlock_again(&mut app);
    assert!(cmds.is_empty());
    assert_eq!(app.screen, Screen::Inbox);
}

#[test]
fn no_lock_in_the_middle_of_an_export() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.update(Action::Inbox(InboxMsg::OpenExport));
    app.export.phase = ExportPhase::Running;
    assert!(app.update(Action::Tick(t0 + 6 * MIN)).is_empty());
    assert_eq!(app.screen, Screen::Export);
    app.update(Action::worker(WorkerEvent::Exported(Ok(vec![]))));
    assert!(
        is_lock(&app.update(Action::Tick(t0 + 7 * MIN))),
        "the lock comes once the export is over"
    );
}

#[test]
fn escape_on_the_lock_screen_quits_when_nothing_is_kept() {
    let t0 = Instant::now();
    let mut app = app_at(t0);
    app.update(Action::Lock);
    app.update(Action::Back);
    assert!(app.should_quit);
}

#[test]
fn an_open_one_line_input_comes_back_with_its_text() {
    let t0 = Instant::now();
    let mut app = app_at(t0).with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Editor(EditorMsg::EditDetail));
    for c in "sauf oral".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    let cmds = app.update(Action::Lock);
    assert!(is_lock(&cmds));
    assert!(app.editor.is_none());
    app.update(Action::worker(WorkerEvent::Saved {
        id: ID.into(),
        status: Status::Brouillon,
        findings: vec![],
    }));
    unlock_again(&mut app);
    let mut loaded = sample::loaded_request();
    if let Some(WorkerCommand::SaveDraft { draft, .. }) = cmds.first() {
        loaded.draft = Some((**draft).clone());
    }
    app.update(Action::worker(WorkerEvent::Request(Box::new(loaded))));
    assert_eq!(app.screen, Screen::Editor);
    let line = app.editor.as_ref().unwrap().line.as_ref().unwrap();
    assert_eq!(line.text, "sauf oral");
}

#[test]
fn a_failure_of_the_closed_session_is_not_shown_as_the_unlocks() {
    use avis::tui::worker::{Op, WorkerError};
    let t0 = Instant::now();
    let mut app = app_at(t0).with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Editor(EditorMsg::FocusNext));
    app.update(Action::Editor(EditorMsg::TextKey(key('L'))));
    let cmds = app.update(Action::Lock);
    let ids: Vec<CommandId> = cmds.with_ids().map(|(id, _)| id).collect();
    let (save, lock) = (ids[0], ids[1]);
    let failure = |what: &str| {
        WorkerEvent::Failed(WorkerError::new(
            Op::Override,
            None,
            WorkerFailure::new(FailureKind::Refused, what),
        ))
    };
    // A command sent before the lock failed: the unlock screen says nothing.
    app.update(Action::worker(Reply::to(save, failure("contrôle inconnu"))));
    assert_eq!(app.screen, Screen::Unlock);
    assert!(app.unlock.error.is_none());
    // One sent after it (the store closed meanwhile) is the unlock's.
    app.update(Action::worker(Reply::to(
        CommandId(lock.0 + 1),
        failure("magasin fermé"),
    )));
    assert_eq!(app.unlock.error.as_deref(), Some("magasin fermé"));
}
