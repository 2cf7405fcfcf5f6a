//! Unit tests of the TUI's update logic and key map, without a terminal.

use std::time::{Duration, Instant};

use avis::domain::{Decision, MeasureCode, Outcome, Status, ValidityKind};
use avis::tui::action::Action;
use avis::tui::app::{App, ExportPhase, Screen, Tab};
use avis::tui::document::PieceRequest;
use avis::tui::sample;
use avis::tui::screens::editor::{EditorFocus, SaveState};
use avis::tui::screens::inbox::SortKey;
use avis::tui::screens::{
    editor::Msg as EditorMsg, export::Msg as ExportMsg, inbox::Msg as InboxMsg,
    request::Msg as RequestMsg, unlock::Msg as UnlockMsg,
};
use avis::tui::screens::{handle_key, help};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{
    CommandId, FailureKind, Orders, Reply, WorkerCommand, WorkerEvent, WorkerFailure,
};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn app() -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(50));
    app.update(Action::Resize(80, 24));
    app
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn editor_app() -> App {
    let mut app = app().with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::OpenEditor));
    app
}

#[test]
fn unlock_sends_the_passphrase_and_shows_errors() {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal));
    assert!(app.update(Action::Unlock(UnlockMsg::Submit)).is_empty());
    assert!(app.unlock.error.is_some(), "an empty passphrase is refused");
    for c in "abc".chars() {
        app.update(Action::Unlock(UnlockMsg::Input(c)));
    }
    app.update(Action::Unlock(UnlockMsg::Backspace));
    assert_eq!(app.unlock.input.as_str(), "ab");
    let cmds = app.update(Action::Unlock(UnlockMsg::Submit));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::Unlock(_)]));
    assert!(app.unlock.busy);
    assert!(
        app.unlock.input.is_empty(),
        "the typed passphrase is not kept"
    );
    app.update(Action::worker(WorkerEvent::UnlockFailed(
        WorkerFailure::new(FailureKind::WrongPassphrase, "phrase de passe incorrecte"),
    )));
    assert!(!app.unlock.busy);
    assert_eq!(
        app.unlock.error.as_deref(),
        Some("phrase de passe incorrecte")
    );
    let cmds = app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadSummaries]));
    app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(3))));
    assert_eq!(app.screen, Screen::Inbox);
    assert_eq!(app.inbox.rows.len(), 3);
}

#[test]
fn q_quits_from_the_inbox_and_escape_quits_unlock() {
    let mut app = app();
    let action = handle_key(&app, key('q'));
    assert_eq!(action, Some(Action::Quit));
    app.update(Action::Quit);
    assert!(app.should_quit);

    let mut unlock = App::new(false, today(), Theme::new(ThemeKind::Normal));
    let esc = handle_key(&unlock, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(esc, Some(Action::Back));
    unlock.update(Action::Back);
    assert!(unlock.should_quit);
}

#[test]
fn question_mark_opens_a_help_for_each_screen() {
    let mut app = app();
    assert_eq!(handle_key(&app, key('?')), Some(Action::ToggleHelp));
    app.update(Action::ToggleHelp);
    assert!(app.help);
    assert!(help(&app).iter().any(|(k, _)| *k == "/"));
    app.update(Action::Back);
    assert!(!app.help, "Esc closes the help first");
    assert_eq!(app.screen, Screen::Inbox);
}

#[test]
fn filter_matches_name_diploma_troubles_and_measures_without_accents() {
    let mut app = app();
    app.update(Action::Inbox(InboxMsg::StartFilter));
    for c in "ETIENNE".chars() {
        app.update(Action::Inbox(InboxMsg::FilterInput(c)));
    }
    assert!(!app.inbox.view.is_empty());
    assert!(app
        .inbox
        .view
        .iter()
        .all(|&i| app.inbox.rows[i].summary.candidate.starts_with("ÉTIENNE")));
    app.update(Action::Inbox(InboxMsg::FilterClear));
    assert_eq!(app.inbox.view.len(), 50);

    for q in ["dyslexie", "ordinateur", "brevet", "AMX-2026-000105"] {
        app.update(Action::Inbox(InboxMsg::StartFilter));
        for c in q.chars() {
            app.update(Action::Inbox(InboxMsg::FilterInput(c)));
        }
        assert!(!app.inbox.view.is_empty(), "{q} should match");
        assert!(app.inbox.view.len() < 50, "{q} should filter");
        app.update(Action::Inbox(InboxMsg::FilterClear));
    }
}

#[test]
fn enter_in_the_filter_opens_the_selected_request() {
    let mut app = app();
    app.update(Action::Inbox(InboxMsg::StartFilter));
    for c in "000107".chars() {
        app.update(Action::Inbox(InboxMsg::FilterInput(c)));
    }
    let cmds = app.update(Action::Inbox(InboxMsg::FilterSubmit));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadRequest(id)] if id == "AMX-2026-000107"));
    assert!(!app.inbox.editing_filter);
    let mut loaded = sample::loaded_request();
    loaded.record.request.id = "AMX-2026-000107".into();
    app.update(Action::worker(WorkerEvent::Request(Box::new(loaded))));
    assert_eq!(app.screen, Screen::Request);
}

#[test]
fn key_5_shows_only_the_requests_a_revoir_and_the_counts_line_says_how_many() {
    let mut summaries = sample::summaries(20);
    for s in summaries.iter_mut().step_by(7) {
        s.status = Status::Brouillon;
        s.review = Some(avis::store::ReviewChanges {
            from_version: 1,
            to_version: 2,
            new_documents: 1,
            added_measures: vec![],
            removed_measures: vec![],
            changed_measures: vec![],
        });
    }
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal)).with_summaries(summaries);
    app.update(Action::Resize(80, 24));
    let a = handle_key(&app, key('5')).unwrap();
    assert_eq!(a, Action::Inbox(InboxMsg::ReviewFilter));
    app.update(a);
    assert_eq!(app.inbox.view.len(), 3);
    assert!(app
        .inbox
        .view
        .iter()
        .all(|&i| app.inbox.rows[i].summary.review.is_some()));
    assert!(avis::tui::screens::help(&app)
        .iter()
        .any(|(k, what)| k == "5" && what.contains("à revoir")));
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(&app, f))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("5 À revoir 3"), "{screen}");
    // A status key leaves the "à revoir" filter.
    app.update(Action::Inbox(InboxMsg::StatusFilter(None)));
    assert_eq!(app.inbox.view.len(), 20);
}

#[test]
fn status_filters_counts_and_sorting() {
    let mut app = app();
    let counts = app.inbox.counts();
    assert_eq!(counts.iter().sum::<usize>(), 50);
    app.update(Action::Inbox(InboxMsg::StatusFilter(Some(Status::Valide))));
    assert_eq!(app.inbox.view.len(), counts[2]);
    assert!(app
        .inbox
        .view
        .iter()
        .all(|&i| app.inbox.rows[i].summary.status == Status::Valide));
    app.update(Action::Inbox(InboxMsg::StatusFilter(None)));

    app.update(Action::Inbox(InboxMsg::CycleSort));
    app.update(Action::Inbox(InboxMsg::CycleSort));
    assert_eq!(app.inbox.sort, SortKey::Name);
    let names: Vec<String> = app
        .inbox
        .view
        .iter()
        .map(|&i| avis::tui::screens::inbox::fold(&app.inbox.rows[i].summary.candidate))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    app.update(Action::Inbox(InboxMsg::ReverseSort));
    let first = avis::tui::screens::inbox::fold(
        &app.inbox
            .selected_row()
            .map(|_| app.inbox.rows[app.inbox.view[0]].summary.candidate.clone())
            .unwrap(),
    );
    assert_eq!(Some(&first), sorted.last());
}

#[test]
fn a_request_a_revoir_says_what_changed_on_its_synthese() {
    let mut summaries = sample::summaries(3);
    summaries[0].id = "AMX-2026-000123".into();
    summaries[0].review = Some(avis::store::ReviewChanges {
        from_version: 1,
        to_version: 2,
        new_documents: 1,
        added_measures: vec![MeasureCode::from_code("ordinateur")],
        removed_measures: vec![],
        changed_measures: vec![],
    });
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal)).with_summaries(summaries);
    app.update(Action::Resize(160, 50));
    app.update(Action::Inbox(InboxMsg::ReviewFilter));
    let cmds = app.update(Action::Inbox(InboxMsg::OpenSelected));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadRequest(id)] if id == "AMX-2026-000123"));
    app.update(Action::worker(WorkerEvent::Request(Box::new(
        sample::loaded_request(),
    ))));
    assert_eq!(app.screen, Screen::Request);
    let backend = ratatui::backend::TestBackend::new(160, 50);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(&app, f))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("À revoir : la version 2"), "{screen}");
    assert!(screen.contains("Nouvelles pièces : 1"));
    assert!(screen.contains("Mesures ajoutées : Ordinateur personnel"));
}

#[test]
fn scrolling_keeps_the_selection_visible_and_clicks_select() {
    let mut app = app();
    app.update(Action::Inbox(InboxMsg::MoveLast));
    assert_eq!(app.inbox.selected, 49);
    let height = app.inbox_height();
    assert!(app.inbox.offset + height > 49 && app.inbox.offset <= 49);
    app.update(Action::Inbox(InboxMsg::MoveFirst));
    assert_eq!(app.inbox.offset, 0);
    // Rows start on terminal line 4 (title, counts, filter, header).
    app.update(Action::Click(10, 6));
    assert_eq!(app.inbox.selected, 2);
    let cmds = app.update(Action::Click(10, 6));
    assert!(
        matches!(cmds.as_slice(), [WorkerCommand::LoadRequest(_)]),
        "a second click opens"
    );
    app.update(Action::Resize(160, 50));
    assert_eq!(app.size, (160, 50));
}

#[test]
fn filtering_ten_thousand_rows_is_fast() {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(10_000));
    let start = Instant::now();
    app.update(Action::Inbox(InboxMsg::StartFilter));
    for c in "martin lea".chars() {
        app.update(Action::Inbox(InboxMsg::FilterInput(c)));
    }
    assert!(!app.inbox.view.is_empty());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "filtering took {:?}",
        start.elapsed()
    );
}

#[test]
fn request_tabs_cycle_and_escape_returns_to_the_inbox() {
    let mut app = app().with_request(sample::loaded_request());
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Synthese);
    app.update(Action::Request(RequestMsg::PrevTab));
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Historique);
    app.update(Action::Request(RequestMsg::NextTab));
    app.update(Action::Request(RequestMsg::NextTab));
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Troubles);
    app.update(Action::Click(14, 1));
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Troubles);
    app.update(Action::Click(1, 1));
    assert_eq!(app.request.as_ref().unwrap().tab, Tab::Synthese);
    let cmds = app.update(Action::Back);
    assert_eq!(app.screen, Screen::Inbox);
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::CloseExternal, WorkerCommand::LoadSummaries]
    ));
}

#[test]
fn documents_open_in_the_viewer_and_external_viewer_only_on_request() {
    let mut app = app().with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::SelectTab(3)));
    app.update(Action::Move(1));
    let cmds = app.update(Action::Request(RequestMsg::OpenDocument));
    assert!(
        matches!(&cmds[..], [WorkerCommand::Document { sha256, .. }] if sha256 == &"b".repeat(64))
    );
    assert_eq!(app.screen, Screen::Viewer);
    // Leaving the viewer makes the pièces' session forget the document.
    let cmds = app.update(Action::Back);
    assert!(
        matches!(&cmds[..], [WorkerCommand::Piece(PieceRequest::Close)]),
        "{} commands",
        cmds.len()
    );
    assert_eq!(app.screen, Screen::Request);
    let cmds = app.update(Action::Request(RequestMsg::OpenExternal));
    assert!(matches!(&cmds[..], [WorkerCommand::OpenExternal { .. }]));
}

#[test]
fn decisions_build_the_draft_and_the_outcome() {
    let mut app = editor_app();
    {
        let ed = app.editor.as_ref().unwrap();
        assert_eq!(ed.undecided(), 3);
        assert_eq!(ed.outcome(), Outcome::Favorable);
    }
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    app.update(Action::Move(1));
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    app.update(Action::Move(1));
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    assert_eq!(app.editor.as_ref().unwrap().outcome(), Outcome::Favorable);
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    assert_eq!(app.editor.as_ref().unwrap().outcome(), Outcome::Partiel);
    // Modify 1/3 into 1/6 through the catalogue picker.
    app.update(Action::Inbox(InboxMsg::MoveFirst));
    app.update(Action::Move(-5));
    app.update(Action::Editor(EditorMsg::ModifyMeasure));
    for c in "sixieme".chars() {
        app.update(Action::Editor(EditorMsg::PickerInput(c)));
    }
    app.update(Action::Editor(EditorMsg::PickerChoose));
    let ed = app.editor.as_ref().unwrap();
    assert!(ed.picker.is_none());
    let m = &ed.draft.opinion.measures[0];
    assert_eq!(m.code, MeasureCode::TempsMajoreTiers);
    assert_eq!(m.decision, Decision::Modifie);
    assert_eq!(m.granted, Some(MeasureCode::TempsMajoreSixieme));
    assert_eq!(ed.undecided(), 0);
    // Override and back to automatic.
    app.update(Action::Editor(EditorMsg::CycleOutcome));
    assert_eq!(app.editor.as_ref().unwrap().outcome(), Outcome::Favorable);
    for _ in 0..4 {
        app.update(Action::Editor(EditorMsg::CycleOutcome));
    }
    assert_eq!(app.editor.as_ref().unwrap().outcome_override, None);
    app.update(Action::Editor(EditorMsg::ToggleValidity));
    assert_eq!(
        app.editor.as_ref().unwrap().draft.opinion.validity.kind,
        ValidityKind::Cycle
    );
}

#[test]
fn added_measures_epreuves_and_detail() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::AddMeasure));
    for c in "salle partic".chars() {
        app.update(Action::Editor(EditorMsg::PickerInput(c)));
    }
    app.update(Action::Editor(EditorMsg::PickerChoose));
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.rows().len(), 4);
    assert_eq!(ed.selected, 3);
    let added = ed.draft.opinion.measures.last().unwrap();
    assert_eq!(added.decision, Decision::Ajoute);
    assert_eq!(added.code, MeasureCode::SalleParticuliere);
    app.update(Action::Editor(EditorMsg::ChooseEpreuves));
    app.update(Action::Editor(EditorMsg::ChooserMove(1)));
    app.update(Action::Editor(EditorMsg::ChooserChoose));
    app.update(Action::Editor(EditorMsg::EditDetail));
    for c in "sauf LV".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    app.update(Action::Editor(EditorMsg::LineSubmit));
    let added = app
        .editor
        .as_ref()
        .unwrap()
        .draft
        .opinion
        .measures
        .last()
        .unwrap()
        .clone();
    assert_eq!(added.epreuves, avis::domain::Epreuves::Ecrites);
    assert_eq!(added.detail.as_deref(), Some("sauf LV"));
    app.update(Action::Editor(EditorMsg::RemoveMeasure));
    assert_eq!(app.editor.as_ref().unwrap().rows().len(), 3);
}

/// The ids of the saves among the commands.
fn save_ids(cmds: &Orders) -> Vec<CommandId> {
    cmds.with_ids()
        .filter(|(_, c)| {
            matches!(
                c,
                WorkerCommand::SaveDraft { .. } | WorkerCommand::FinalSave { .. }
            )
        })
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn a_save_reply_settles_only_the_save_it_answers() {
    const ID: &str = "AMX-2026-000123";
    let mut app = editor_app();
    let t0 = Instant::now();
    app.update(Action::Tick(t0));
    app.update(Action::Editor(EditorMsg::FocusNext));
    app.update(Action::Editor(EditorMsg::TextKey(key('L'))));
    let first = save_ids(&app.update(Action::Tick(t0 + Duration::from_millis(600))));
    app.update(Action::Editor(EditorMsg::TextKey(key('e'))));
    let second = save_ids(&app.update(Action::Tick(t0 + Duration::from_millis(1200))));
    let ([a], [b]) = (first.as_slice(), second.as_slice()) else {
        panic!("two saves expected: {first:?} {second:?}");
    };
    assert!(a < b, "each save has its own number, in order");
    // The first save fails while the second is on its way: the second decides.
    app.update(Action::worker(Reply::to(
        *a,
        WorkerEvent::SaveFailed {
            id: ID.into(),
            error: WorkerFailure::new(FailureKind::Io, "disque plein"),
        },
    )));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    assert!(
        app.message.is_none(),
        "an earlier save's failure is not shown"
    );
    // The doctor quits meanwhile: the first save's late success does not
    // let the application leave while the last save is unanswered.
    app.update(Action::Quit);
    app.update(Action::worker(Reply::to(
        *a,
        WorkerEvent::Saved {
            id: ID.into(),
            status: Status::Brouillon,
            findings: vec![],
        },
    )));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    assert!(!app.should_quit, "left before the last save was answered");
    // The last save's own failure is shown.
    app.update(Action::worker(Reply::to(
        *b,
        WorkerEvent::SaveFailed {
            id: ID.into(),
            error: WorkerFailure::new(
                FailureKind::Io,
                "le brouillon n'a pas pu être enregistré : disque plein",
            ),
        },
    )));
    assert!(matches!(
        app.editor.as_ref().unwrap().save,
        SaveState::Failed(_)
    ));
    assert!(!app.should_quit);
}

#[test]
fn drafts_are_saved_after_the_debounce_and_on_leaving() {
    let mut app = editor_app();
    let t0 = Instant::now();
    app.update(Action::Tick(t0));
    app.update(Action::Editor(EditorMsg::FocusNext));
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Motivation);
    for c in "Lenteur".chars() {
        app.update(Action::Editor(EditorMsg::TextKey(key(c))));
    }
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Pending);
    assert!(app
        .update(Action::Tick(t0 + Duration::from_millis(200)))
        .is_empty());
    let cmds = app.update(Action::Tick(t0 + Duration::from_millis(600)));
    match cmds.as_slice() {
        [WorkerCommand::SaveDraft { id, draft, .. }] => {
            assert_eq!(id, "AMX-2026-000123");
            assert_eq!(draft.opinion.motivation, "Lenteur");
        }
        _ => panic!("expected one save"),
    }
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    app.update(Action::worker(WorkerEvent::Saved {
        id: "AMX-2026-000123".into(),
        status: Status::Brouillon,
        findings: vec![],
    }));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saved);
    assert_eq!(app.editor.as_ref().unwrap().status, Status::Brouillon);

    // Private notes go to the draft's private field.
    app.update(Action::Editor(EditorMsg::FocusNext));
    app.update(Action::Editor(EditorMsg::TextKey(key('n'))));
    app.update(Action::Back);
    let cmds = app.update(Action::Back);
    assert_eq!(app.screen, Screen::Request);
    match cmds.as_slice() {
        [WorkerCommand::SaveDraft { draft, .. }] => {
            assert_eq!(draft.private_notes, "n");
            assert_eq!(draft.opinion.motivation, "Lenteur");
        }
        _ => panic!("leaving the editor saves at once"),
    }
}

#[test]
fn validation_is_refused_with_undecided_measures_then_sent() {
    let mut app = editor_app();
    assert!(app.update(Action::Editor(EditorMsg::Validate)).is_empty());
    let n = app.message.clone().unwrap();
    assert!(n.error && n.text.contains("3 mesure"), "{}", n.text);
    for _ in 0..3 {
        app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        app.update(Action::Move(1));
    }
    let cmds = app.update(Action::Editor(EditorMsg::Validate));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::SaveDraft { .. }, WorkerCommand::Validate(id)] if id == "AMX-2026-000123"
    ));
    app.update(Action::worker(WorkerEvent::Validated {
        id: "AMX-2026-000123".into(),
        result: Err(WorkerFailure::new(
            FailureKind::Refused,
            "un contrôle bloquant n'est pas résolu",
        )),
        status: Status::Brouillon,
        findings: vec![],
    }));
    let n = app.message.clone().unwrap();
    assert!(n.error && n.text.starts_with("Validation refusée"));
    app.update(Action::worker(WorkerEvent::Validated {
        id: "AMX-2026-000123".into(),
        result: Ok(()),
        status: Status::Valide,
        findings: vec![],
    }));
    assert_eq!(app.editor.as_ref().unwrap().status, Status::Valide);
    assert_eq!(
        app.inbox
            .rows
            .iter()
            .find(|r| r.summary.id == "AMX-2026-000123")
            .map(|r| r.summary.status),
        Some(Status::Valide),
        "the inbox line follows the validation"
    );
}

#[test]
fn editor_keys_depend_on_the_focus() {
    let mut app = editor_app();
    assert_eq!(
        handle_key(&app, key('a')),
        Some(Action::Editor(EditorMsg::Decide(Decision::Accorde)))
    );
    assert_eq!(
        handle_key(&app, key('v')),
        Some(Action::Editor(EditorMsg::Validate))
    );
    app.update(Action::Editor(EditorMsg::FocusNext));
    assert_eq!(
        handle_key(&app, key('a')),
        Some(Action::Editor(EditorMsg::TextKey(key('a'))))
    );
    assert_eq!(
        handle_key(
            &app,
            KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)
        ),
        Some(Action::Editor(EditorMsg::ChooseTemplate))
    );
    app.update(Action::Editor(EditorMsg::ChooseTemplate));
    assert!(
        app.editor.as_ref().unwrap().motivation.is_empty(),
        "a list opens first"
    );
    app.update(Action::Editor(EditorMsg::ChooserMove(1)));
    app.update(Action::Editor(EditorMsg::ChooserChoose));
    assert_eq!(
        app.editor.as_ref().unwrap().motivation.text(),
        avis::tui::screens::editor::model::TEMPLATES[1]
    );
    assert_eq!(
        handle_key(&app, KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
        Some(Action::ToggleHelp)
    );
}

#[test]
fn incomplete_outcome_and_missing_pieces_checklist() {
    let mut app = editor_app();
    for _ in 0..4 {
        app.update(Action::Editor(EditorMsg::CycleOutcome));
    }
    assert_eq!(app.editor.as_ref().unwrap().outcome(), Outcome::Incomplet);
    for _ in 0..3 {
        app.update(Action::Editor(EditorMsg::FocusNext));
    }
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Missing);
    app.update(Action::Editor(EditorMsg::ToggleMissing));
    assert_eq!(
        app.editor.as_ref().unwrap().draft.opinion.missing_documents,
        vec!["bilan_orthophonique".to_string()]
    );
    // Incomplete avis may be validated without decisions.
    let cmds = app.update(Action::Editor(EditorMsg::Validate));
    assert!(cmds.iter().any(|c| matches!(c, WorkerCommand::Validate(_))));
}

#[test]
fn export_flow_asks_confirmation_and_reports() {
    let mut app = app();
    let cmds = app.update(Action::Inbox(InboxMsg::OpenExport));
    assert!(matches!(
        cmds.as_slice(),
        [
            WorkerCommand::ExportPreview,
            WorkerCommand::ExportDestination
        ]
    ));
    assert_eq!(app.screen, Screen::Export);
    app.update(Action::Export(ExportMsg::Submit));
    assert_eq!(
        app.export.phase,
        ExportPhase::Editing,
        "nothing to export yet"
    );
    app.update(Action::worker(WorkerEvent::ExportPreview(vec![
        avis::tui::worker::ExportItem {
            id: "X".into(),
            candidate: "Y".into(),
            issuer_name: "Z".into(),
        },
    ])));
    for _ in 0..20 {
        app.update(Action::Export(ExportMsg::PathBackspace));
    }
    for c in "/tmp/x.avis".chars() {
        app.update(Action::Export(ExportMsg::PathInput(c)));
    }
    app.update(Action::Export(ExportMsg::Submit));
    assert_eq!(app.export.phase, ExportPhase::Confirm);
    app.update(Action::Export(ExportMsg::Confirm(false)));
    assert_eq!(app.export.phase, ExportPhase::Editing);
    app.update(Action::Export(ExportMsg::Submit));
    let cmds = app.update(Action::Export(ExportMsg::Confirm(true)));
    assert!(matches!(&cmds[..], [WorkerCommand::Export(p)] if p.to_str() == Some("/tmp/x.avis")));
    assert_eq!(app.export.phase, ExportPhase::Running);
    app.update(Action::Back);
    assert_eq!(app.screen, Screen::Export, "no leaving while exporting");
    app.update(Action::worker(WorkerEvent::Exported(Err(
        WorkerFailure::new(FailureKind::Io, "échec"),
    ))));
    assert!(matches!(app.export.phase, ExportPhase::Failed(_)));
    app.update(Action::Export(ExportMsg::Submit));
    assert_eq!(app.screen, Screen::Inbox);
}

#[test]
fn quitting_from_the_editor_flushes_the_draft() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    let cmds = app.update(Action::Quit);
    assert!(cmds
        .iter()
        .any(|c| matches!(c, WorkerCommand::SaveDraft { .. })));
    assert!(!app.should_quit, "quitting waits until the draft is saved");
    app.update(Action::worker(WorkerEvent::Saved {
        id: "AMX-2026-000123".into(),
        status: Status::Brouillon,
        findings: vec![],
    }));
    assert!(app.should_quit);
    assert!(app.exit_error.is_none());
}

#[test]
fn a_blocking_check_is_overridden_with_a_written_reason() {
    let mut app = editor_app();
    assert_eq!(
        handle_key(&app, key('l')),
        Some(Action::Editor(EditorMsg::OverrideCheck))
    );
    app.update(Action::Editor(EditorMsg::OverrideCheck));
    assert!(app.editor.as_ref().unwrap().line.is_some());
    assert!(
        app.update(Action::Editor(EditorMsg::LineSubmit)).is_empty(),
        "an empty reason is refused"
    );
    assert!(app.editor.as_ref().unwrap().line.is_some());
    for c in "bilan de 14 mois, évolution connue".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    let cmds = app.update(Action::Editor(EditorMsg::LineSubmit));
    match cmds.as_slice() {
        [WorkerCommand::SaveDraft { draft, .. }, WorkerCommand::Override { rule, reason, .. }] => {
            assert_eq!(rule, "bilan_orthophonique");
            assert_eq!(reason, "bilan de 14 mois, évolution connue");
            assert_eq!(
                draft.overrides.len(),
                1,
                "the editor's draft keeps the override"
            );
        }
        _ => panic!("expected a save then the override"),
    }
    assert!(app.editor.as_ref().unwrap().line.is_none());
}

#[test]
fn mouse_clicks_in_pieces_and_in_the_editor() {
    let mut app = app().with_request(sample::loaded_request());
    app.update(Action::Request(RequestMsg::SelectTab(3)));
    // Header on row 3, documents from row 4.
    assert!(app.update(Action::Click(5, 5)).is_empty());
    assert_eq!(app.request.as_ref().unwrap().doc_selected, 1);
    let cmds = app.update(Action::Click(5, 5));
    assert!(
        matches!(&cmds[..], [WorkerCommand::Document { .. }]),
        "a second click opens"
    );
    assert_eq!(app.screen, Screen::Viewer);
    app.update(Action::Back);

    app.update(Action::Request(RequestMsg::OpenEditor));
    // 80x24: measures list border on row 3; from row 4, rows of 2 lines, 5
    // lines (label and request detail wrapped) and 2 lines.
    app.update(Action::Click(5, 7));
    assert_eq!(app.editor.as_ref().unwrap().selected, 1);
    app.update(Action::Click(5, 10));
    assert_eq!(app.editor.as_ref().unwrap().selected, 1);
    app.update(Action::Click(5, 11));
    assert_eq!(app.editor.as_ref().unwrap().selected, 2);
    app.update(Action::Click(5, 19));
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Motivation);
    app.update(Action::Click(60, 19));
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Notes);
}

#[test]
fn a_restriction_on_an_undecided_measure_is_a_modification() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::EditDetail));
    for c in "sauf épreuves de langue vivante".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    app.update(Action::Editor(EditorMsg::LineSubmit));
    let m = app.editor.as_ref().unwrap().draft.opinion.measures[0].clone();
    assert_eq!(m.decision, Decision::Modifie);
    assert_eq!(m.granted, None);
    assert_eq!(m.detail.as_deref(), Some("sauf épreuves de langue vivante"));
}

#[test]
fn drawing_ten_thousand_rows_only_costs_a_screenful() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(10_000));
    app.update(Action::Resize(160, 50));
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let start = Instant::now();
    for _ in 0..50 {
        app.update(Action::Move(37));
        terminal
            .draw(|f| avis::tui::screens::render(&app, f))
            .unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "50 frames took {:?}",
        start.elapsed()
    );
    let screen = format!("{}", terminal.backend());
    let id = &app.inbox.selected_row().unwrap().id;
    assert!(
        screen.contains(id.as_str()),
        "the selection is visible after scrolling"
    );
}

#[test]
fn measure_motivation_and_validity_session_are_edited() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::EditMeasureMotivation));
    assert!(
        app.editor.as_ref().unwrap().line.is_none(),
        "undecided: nothing to motivate"
    );
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    assert_eq!(
        handle_key(&app, key('f')),
        Some(Action::Editor(EditorMsg::EditMeasureMotivation))
    );
    app.update(Action::Editor(EditorMsg::EditMeasureMotivation));
    for c in "Aide technique suffisante".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    app.update(Action::Editor(EditorMsg::LineSubmit));
    assert_eq!(
        app.editor.as_ref().unwrap().draft.opinion.measures[0]
            .motivation
            .as_deref(),
        Some("Aide technique suffisante")
    );
    app.update(Action::Editor(EditorMsg::ToggleValidity));
    app.update(Action::Editor(EditorMsg::EditUntilSession));
    for _ in 0..4 {
        app.update(Action::Editor(EditorMsg::LineBackspace));
    }
    for c in "2029".chars() {
        app.update(Action::Editor(EditorMsg::LineInput(c)));
    }
    app.update(Action::Editor(EditorMsg::LineSubmit));
    let v = &app.editor.as_ref().unwrap().draft.opinion.validity;
    assert_eq!(v.kind, ValidityKind::Cycle);
    assert_eq!(v.until_session, "2029");
}

#[test]
fn deadline_sort_puts_the_soonest_exams_first() {
    let mut app = app();
    app.update(Action::Inbox(InboxMsg::CycleSort));
    assert_eq!(app.inbox.sort, SortKey::Deadline);
    let dates: Vec<_> = app
        .inbox
        .view
        .iter()
        .map(|&i| app.inbox.rows[i].first_exam)
        .collect();
    assert!(
        dates.iter().all(Option::is_some),
        "sample diplomas have exam dates"
    );
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert_ne!(dates.first(), dates.last(), "sessions 2027 and 2028 differ");
}

#[test]
fn a_failed_demo_only_offers_to_quit() {
    let mut app = App::new(true, today(), Theme::new(ThemeKind::Normal));
    assert!(app.unlock.busy, "the demo opens by itself");
    app.update(Action::worker(WorkerEvent::UnlockFailed(
        WorkerFailure::new(FailureKind::Storage, "échec"),
    )));
    app.update(Action::Unlock(UnlockMsg::Input('x')));
    assert!(app.update(Action::Unlock(UnlockMsg::Submit)).is_empty());
    assert!(app.unlock.input.is_empty());
    app.update(Action::Back);
    assert!(app.should_quit);
}

mod random_keys {
    use super::*;
    use proptest::prelude::*;

    fn any_key() -> impl Strategy<Value = KeyEvent> {
        let codes = prop_oneof![
            any::<char>().prop_map(KeyCode::Char),
            proptest::sample::select(vec![
                'a', 'r', 'm', 'd', 'e', 'o', 'p', 'P', 'f', 'l', 'v', 'u', 'x', '+', '/', '?',
                's', '1', '3', '4', 'j', 'k'
            ])
            .prop_map(KeyCode::Char),
            Just(KeyCode::Enter),
            Just(KeyCode::Esc),
            Just(KeyCode::Tab),
            Just(KeyCode::BackTab),
            Just(KeyCode::Backspace),
            Just(KeyCode::Up),
            Just(KeyCode::Down),
            Just(KeyCode::Left),
            Just(KeyCode::Right),
            Just(KeyCode::PageDown),
            Just(KeyCode::Home),
            Just(KeyCode::End),
            Just(KeyCode::Delete),
            Just(KeyCode::F(1)),
        ];
        (
            codes,
            proptest::sample::select(vec![
                KeyModifiers::NONE,
                KeyModifiers::SHIFT,
                KeyModifiers::ALT,
            ]),
        )
            .prop_map(|(c, m)| KeyEvent::new(c, m))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_key_sequence_keeps_the_app_consistent(keys in proptest::collection::vec(any_key(), 1..150)) {
            let mut app = app().with_request(sample::hostile_request());
            app.update(Action::Request(RequestMsg::OpenEditor));
            let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
            let mut t = Instant::now();
            for k in keys {
                terminal.draw(|f| avis::tui::screens::render(&app, f)).unwrap();
                if let Some(action) = handle_key(&app, k) {
                    app.update(action);
                }
                t += Duration::from_millis(50);
                app.update(Action::Tick(t));
                if app.should_quit {
                    break;
                }
                if let Some(ed) = app.editor.as_ref() {
                    prop_assert!(ed.rows().is_empty() || ed.selected < ed.rows().len());
                }
                prop_assert!(app.inbox.view.is_empty() || app.inbox.selected < app.inbox.view.len());
            }
        }
    }
}

/// Every key of a string, typed.
fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        if let Some(a) = handle_key(app, key(c)) {
            app.update(a);
        }
    }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn press(app: &mut App, k: KeyEvent) {
    if let Some(a) = handle_key(app, k) {
        app.update(a);
    }
}

#[test]
fn typing_with_the_list_focused_changes_no_decision() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    let before = app.editor.as_ref().unwrap().draft.clone();
    let outcome = app.editor.as_ref().unwrap().outcome();
    // Typed in the motivation: every letter goes into the text.
    app.update(Action::Editor(EditorMsg::FocusNext));
    typed(&mut app, "voir orthophoniste");
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.motivation.text(), "voir orthophoniste");
    assert_eq!(ed.draft.opinion.measures, before.opinion.measures);
    assert_eq!(ed.outcome(), outcome);
    assert!(ed.picker.is_none() && ed.chooser.is_none());
    // Ctrl+V pastes, it never validates.
    press(&mut app, ctrl('v'));
    assert!(app.editor.as_ref().unwrap().status != Status::Valide);
    // Leaving is explicit: Échap, and only then do letters command.
    press(&mut app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(app.editor.as_ref().unwrap().focus, EditorFocus::Measures);
}

#[test]
fn undo_restores_the_last_decisions_one_by_one() {
    let mut app = editor_app();
    typed(&mut app, "a");
    press(&mut app, KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    typed(&mut app, "r");
    typed(&mut app, "o");
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.draft.opinion.measures.len(), 2);
    assert!(ed.outcome_override.is_some());
    typed(&mut app, "u");
    assert!(app.editor.as_ref().unwrap().outcome_override.is_none());
    typed(&mut app, "u");
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.draft.opinion.measures.len(), 1);
    assert_eq!(ed.draft.opinion.measures[0].decision, Decision::Accorde);
    typed(&mut app, "u");
    assert!(app
        .editor
        .as_ref()
        .unwrap()
        .draft
        .opinion
        .measures
        .is_empty());
    typed(&mut app, "u");
    assert!(
        app.message.as_ref().unwrap().error,
        "nothing left to undo, said"
    );
    // The undo steps stay with the avis when the editor is left and reopened.
    typed(&mut app, "a");
    press(&mut app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    app.update(Action::Request(RequestMsg::OpenEditor));
    typed(&mut app, "u");
    assert!(app
        .editor
        .as_ref()
        .unwrap()
        .draft
        .opinion
        .measures
        .is_empty());
}

#[test]
fn text_undo_by_word_clear_and_paste() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::FocusNext));
    typed(&mut app, "voir orthophoniste");
    press(&mut app, ctrl('z'));
    assert_eq!(app.editor.as_ref().unwrap().motivation.text(), "voir ");
    press(&mut app, ctrl('y'));
    assert_eq!(
        app.editor.as_ref().unwrap().motivation.text(),
        "voir orthophoniste"
    );
    press(&mut app, ctrl('a'));
    press(&mut app, KeyEvent::new(KeyCode::Delete, KeyModifiers::NONE));
    assert!(app.editor.as_ref().unwrap().motivation.is_empty());
    // A paste from the terminal arrives whole, as one undo step.
    let long: String = "mot ".repeat(2500);
    app.update(Action::Paste(long.clone()));
    assert_eq!(app.editor.as_ref().unwrap().motivation.text(), long);
    press(&mut app, ctrl('z'));
    assert!(app.editor.as_ref().unwrap().motivation.is_empty());
    assert!(app.editor.as_ref().unwrap().save != SaveState::Saved);
}

#[test]
fn one_line_inputs_take_ctrl_keys_as_nothing() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    app.update(Action::Editor(EditorMsg::EditDetail));
    typed(&mut app, "français");
    for c in ['u', 'w', 'v'] {
        press(&mut app, ctrl(c));
    }
    assert_eq!(
        app.editor.as_ref().unwrap().line.as_ref().unwrap().text,
        "français"
    );
}

#[test]
fn a_message_disappears_when_its_state_changes() {
    let mut app = editor_app();
    let id = "AMX-2026-000123".to_string();
    for _ in 0..3 {
        app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        app.update(Action::Move(1));
    }
    app.update(Action::Editor(EditorMsg::Validate));
    app.update(Action::worker(WorkerEvent::Validated {
        id: id.clone(),
        result: Ok(()),
        status: Status::Valide,
        findings: vec![],
    }));
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .text
        .starts_with("Avis validé"));
    // Back to draft: "Avis validé" is no longer true.
    app.update(Action::worker(WorkerEvent::Saved {
        id: id.clone(),
        status: Status::Brouillon,
        findings: vec![],
    }));
    assert!(app.message.is_none());
    // A message given on one screen goes when the doctor leaves it.
    app.update(Action::Editor(EditorMsg::UndoDecision));
    assert!(app.message.is_some());
    app.update(Action::Back);
    assert!(app.message.is_none());
    assert!(!app.log.is_empty(), "the log keeps them");
}

#[test]
fn an_exported_avis_is_reopened_only_after_confirmation() {
    let mut loaded = sample::loaded_request();
    loaded.status = Status::Exporte;
    loaded.journal.push(avis::store::JournalEvent {
        seq: 99,
        at: chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
        kind: "export".into(),
        request_id: Some(loaded.record.request.id.clone()),
        detail: String::new(),
    });
    let mut app = app().with_request(loaded);
    app.update(Action::Request(RequestMsg::OpenEditor));
    assert!(app.message.as_ref().unwrap().text.contains("20/11/2026"));
    typed(&mut app, "r");
    let ed = app.editor.as_ref().unwrap();
    assert!(ed.confirm_reopen.is_some(), "one key does not reopen it");
    assert!(ed.draft.opinion.measures.is_empty());
    typed(&mut app, "n");
    assert!(app
        .editor
        .as_ref()
        .unwrap()
        .draft
        .opinion
        .measures
        .is_empty());
    typed(&mut app, "r");
    typed(&mut app, "o");
    let ed = app.editor.as_ref().unwrap();
    assert_eq!(ed.draft.opinion.measures[0].decision, Decision::Refuse);
}

#[test]
fn quitting_after_a_failed_save_asks_and_reports_a_lost_draft() {
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    app.update(Action::Quit);
    app.update(Action::worker(WorkerEvent::SaveFailed {
        id: "AMX-2026-000123".into(),
        error: WorkerFailure::new(
            FailureKind::Io,
            "le brouillon n'a pas pu être enregistré : magasin introuvable",
        ),
    }));
    assert!(!app.should_quit);
    assert!(app.quit.is_some(), "the doctor is asked");
    let help: Vec<&str> = avis::tui::screens::keymap(&app)
        .help()
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    assert!(help.iter().any(|h| h.contains("enregistrer de nouveau")));
    assert!(help
        .iter()
        .any(|h| h.contains("fichier de secours chiffré")));
    assert!(help.iter().any(|h| h.contains("quitter et le perdre")));
    // Keep it: the worker writes the sealed recovery file.
    let cmds = app.update(handle_key(&app, key('g')).unwrap());
    assert!(cmds
        .iter()
        .any(|c| matches!(c, WorkerCommand::KeepRecovery { .. })));
    app.update(Action::worker(WorkerEvent::RecoveryFailed {
        id: "AMX-2026-000123".into(),
        error: WorkerFailure::new(FailureKind::Io, "disque plein"),
    }));
    assert!(
        !app.should_quit,
        "still asked when the file could not be written"
    );
    app.update(handle_key(&app, key('p')).unwrap());
    assert!(app.should_quit);
    assert!(app.exit_error.as_deref().unwrap().contains("perdu"));
}

#[test]
fn a_failure_is_shown_where_it_belongs_and_marks_no_other_draft() {
    use avis::tui::worker::{Op, WorkerError};
    let mut app = editor_app();
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    app.update(Action::Editor(EditorMsg::SaveNow));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    // The inbox failed to reload: the draft being saved is not marked.
    app.update(Action::worker(WorkerEvent::Failed(WorkerError {
        op: Op::LoadSummaries,
        request: None,
        failure: WorkerFailure::new(FailureKind::Storage, "liste illisible"),
    })));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    assert!(app.message.as_ref().unwrap().error);
    // Another request's save failed: not this draft.
    app.update(Action::worker(WorkerEvent::SaveFailed {
        id: "AMX-2026-000999".into(),
        error: WorkerFailure::new(FailureKind::Io, "disque plein"),
    }));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saving);
    // Saved, but its checks unreadable: saved, and said.
    app.update(Action::worker(WorkerEvent::Failed(WorkerError {
        op: Op::Checks,
        request: Some("AMX-2026-000123".into()),
        failure: WorkerFailure::new(FailureKind::Storage, "contrôles illisibles"),
    })));
    assert_eq!(app.editor.as_ref().unwrap().save, SaveState::Saved);
    assert!(app.message.as_ref().unwrap().text.contains("illisibles"));
}

/// The id of the only command of `cmds` matching `what`.
fn id_of(cmds: &Orders, what: fn(&WorkerCommand) -> bool) -> CommandId {
    let ids: Vec<CommandId> = cmds
        .with_ids()
        .filter(|(_, c)| what(c))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.len(), 1, "one such command expected");
    ids[0]
}

fn screen_text(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

#[test]
fn commands_are_numbered_in_the_order_they_are_sent() {
    let mut app = app();
    let first = app.update(Action::Inbox(InboxMsg::OpenExport));
    let ids: Vec<CommandId> = first.with_ids().map(|(id, _)| id).collect();
    let second = app.update(Action::Back);
    let later: Vec<CommandId> = second.with_ids().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1], "{ids:?}");
    assert!(!later.is_empty() && later[0] > ids[1], "{ids:?} {later:?}");
    // What the event loop sends carries the same ids.
    let sent: Vec<CommandId> = second.into_orders().map(|o| o.id).collect();
    assert_eq!(sent, later);
}

#[test]
fn a_stale_export_reply_is_not_shown_over_the_awaited_one() {
    let mut app = app();
    app.update(Action::Inbox(InboxMsg::OpenExport));
    app.update(Action::worker(WorkerEvent::ExportPreview(vec![
        avis::tui::worker::ExportItem {
            id: "X".into(),
            candidate: "Y".into(),
            issuer_name: "Z".into(),
        },
    ])));
    app.update(Action::Export(ExportMsg::Submit));
    let cmds = app.update(Action::Export(ExportMsg::Confirm(true)));
    let first = id_of(&cmds, |c| matches!(c, WorkerCommand::Export(_)));
    // The file exists: the typed kind asks the replace question.
    let path = std::path::PathBuf::from("/tmp/avis-2026-11-26-n1.avis");
    app.update(Action::worker(Reply::to(
        first,
        WorkerEvent::Exported(Err(WorkerFailure::new(
            FailureKind::FileExists(path.clone()),
            "le fichier existe déjà",
        ))),
    )));
    assert_eq!(app.export.phase, ExportPhase::Exists(path.clone()));
    assert!(screen_text(&app).contains("remplacer ce fichier"));
    let cmds = app.update(Action::Export(ExportMsg::Replace));
    let second = id_of(&cmds, |c| matches!(c, WorkerCommand::ExportReplace(_)));
    assert!(second > first);
    // A late failure of the first attempt changes nothing.
    app.update(Action::worker(Reply::to(
        first,
        WorkerEvent::Exported(Err(WorkerFailure::new(FailureKind::Io, "échec ancien"))),
    )));
    assert_eq!(app.export.phase, ExportPhase::Running);
    assert!(app.message.is_none());
    app.update(Action::worker(Reply::to(
        second,
        WorkerEvent::Exported(Ok(vec![])),
    )));
    assert!(matches!(app.export.phase, ExportPhase::Done(_)));
    // …even after the awaited success.
    app.update(Action::worker(Reply::to(
        first,
        WorkerEvent::Exported(Err(WorkerFailure::new(FailureKind::Io, "échec ancien"))),
    )));
    assert!(matches!(app.export.phase, ExportPhase::Done(_)));
    assert!(!screen_text(&app).contains("échec ancien"));
}

#[test]
fn a_late_load_failure_does_not_cancel_the_request_asked_again() {
    let mut app = app();
    let first = id_of(&app.update(Action::Inbox(InboxMsg::OpenSelected)), |c| {
        matches!(c, WorkerCommand::LoadRequest(_))
    });
    let id = app.loading.clone().unwrap();
    // Asked again before the first answer.
    let second = id_of(&app.update(Action::Inbox(InboxMsg::OpenSelected)), |c| {
        matches!(c, WorkerCommand::LoadRequest(_))
    });
    app.update(Action::worker(Reply::to(
        first,
        WorkerEvent::Failed(avis::tui::worker::WorkerError {
            op: avis::tui::worker::Op::LoadRequest,
            request: Some(id.clone()),
            failure: WorkerFailure::new(FailureKind::Storage, "base occupée"),
        }),
    )));
    assert_eq!(app.loading.as_deref(), Some(id.as_str()), "still awaited");
    assert!(app.message.as_ref().is_none_or(|m| !m.error));
    let mut loaded = sample::loaded_request();
    loaded.record.request.id = id.clone();
    // A late copy of the first answer does not open it either…
    app.update(Action::worker(Reply::to(
        first,
        WorkerEvent::Request(Box::new(loaded.clone())),
    )));
    assert_eq!(app.screen, Screen::Inbox);
    // …the awaited one does.
    app.update(Action::worker(Reply::to(
        second,
        WorkerEvent::Request(Box::new(loaded)),
    )));
    assert_eq!(app.screen, Screen::Request);
    assert_eq!(app.request.as_ref().unwrap().record.request.id, id);
}

#[test]
fn a_failure_is_shown_on_the_screen_of_the_command_that_failed() {
    let mut app = app();
    // Print from the inbox, then open a request before the answer.
    let print = id_of(&app.update(Action::Inbox(InboxMsg::Print(true))), |c| {
        matches!(c, WorkerCommand::Print(None))
    });
    let load = id_of(&app.update(Action::Inbox(InboxMsg::OpenSelected)), |c| {
        matches!(c, WorkerCommand::LoadRequest(_))
    });
    let mut loaded = sample::loaded_request();
    loaded.record.request.id = app.loading.clone().unwrap();
    app.update(Action::worker(Reply::to(
        load,
        WorkerEvent::Request(Box::new(loaded)),
    )));
    assert_eq!(app.screen, Screen::Request);
    app.set_message("Message de la demande", false);
    app.update(Action::worker(Reply::to(
        print,
        WorkerEvent::Printed(Err(WorkerFailure::new(
            FailureKind::Refused,
            "aucun avis exporté à imprimer",
        ))),
    )));
    assert!(
        !screen_text(&app).contains("aucun avis exporté"),
        "the inbox's failure is not shown over the request"
    );
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("Message de la demande"),
        "nor does it replace the request's message"
    );
    assert!(app
        .log
        .iter()
        .any(|n| n.error && n.text.contains("aucun avis exporté") && n.screen == Screen::Inbox));
    // Back on the inbox, where it was asked, it is shown.
    app.update(Action::Back);
    assert_eq!(app.screen, Screen::Inbox);
    assert!(screen_text(&app).contains("aucun avis exporté"));
}

#[test]
fn a_stale_validation_reply_says_nothing_over_the_later_command() {
    let mut app = editor_app();
    for _ in 0..3 {
        app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        app.update(Action::Move(1));
    }
    let validate = id_of(&app.update(Action::Editor(EditorMsg::Validate)), |c| {
        matches!(c, WorkerCommand::Validate(_))
    });
    let unvalidate = id_of(&app.update(Action::Editor(EditorMsg::Unvalidate)), |c| {
        matches!(c, WorkerCommand::Unvalidate(_))
    });
    let id = app.editor.as_ref().unwrap().id.clone();
    app.update(Action::worker(Reply::to(
        validate,
        WorkerEvent::Validated {
            id: id.clone(),
            result: Ok(()),
            status: Status::Valide,
            findings: vec![],
        },
    )));
    // The store's status is shown, but not a message the doctor's later
    // command is about to make untrue.
    assert_eq!(app.editor.as_ref().unwrap().status, Status::Valide);
    assert!(app
        .message
        .as_ref()
        .is_none_or(|m| !m.text.starts_with("Avis validé")));
    app.update(Action::worker(Reply::to(
        unvalidate,
        WorkerEvent::Validated {
            id,
            result: Ok(()),
            status: Status::Brouillon,
            findings: vec![],
        },
    )));
    assert_eq!(app.editor.as_ref().unwrap().status, Status::Brouillon);
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("Avis remis en brouillon")
    );
}

#[test]
fn the_unlock_screen_tells_a_wrong_passphrase_from_a_damaged_store() {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal));
    let unlock = |app: &mut App| {
        app.update(Action::Unlock(UnlockMsg::Input('x')));
        id_of(&app.update(Action::Unlock(UnlockMsg::Submit)), |c| {
            matches!(c, WorkerCommand::Unlock(_))
        })
    };
    let sent = unlock(&mut app);
    app.update(Action::worker(Reply::to(
        sent,
        WorkerEvent::UnlockFailed(WorkerFailure::from(
            avis::store::StoreError::WrongPassphrase,
        )),
    )));
    let wrong = app.unlock.error.clone().unwrap();
    assert!(wrong.starts_with("phrase de passe incorrecte"), "{wrong}");
    assert!(!wrong.contains("n'est pas en cause"), "{wrong}");
    let sent = unlock(&mut app);
    app.update(Action::worker(Reply::to(
        sent,
        WorkerEvent::UnlockFailed(WorkerFailure::from(avis::store::StoreError::Corrupt(
            "index",
        ))),
    )));
    let damaged = app.unlock.error.clone().unwrap();
    assert!(damaged.contains("endommagé"), "{damaged}");
    assert!(
        damaged.contains("la phrase de passe n'est pas en cause"),
        "{damaged}"
    );
    assert!(screen_text(&app).contains("n'est pas en cause"));
}

#[test]
fn an_untrusted_signer_offers_the_trust_screen_by_its_kind() {
    let failed = |failure: WorkerFailure| {
        let mut app = app();
        avis::tui::screens::import::start(&mut app, "/tmp/lot.avis".into(), &mut Orders::default());
        app.update(Action::worker(WorkerEvent::Imported(Err(failure))));
        screen_text(&app)
    };
    let untrusted = failed(WorkerFailure::from(avis::store::StoreError::Bundle(
        avis::bundle::BundleError::UntrustedSigner,
    )));
    assert!(untrusted.contains("K depuis la liste"), "{untrusted}");
    // Decided by the kind, not by the words of the message.
    let other = failed(WorkerFailure::new(
        FailureKind::Bundle,
        "pas une de vos clés de confiance",
    ));
    assert!(!other.contains("K depuis la liste"), "{other}");
}
