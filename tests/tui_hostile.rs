//! Untrusted text never reaches the terminal raw: a request whose every
//! field carries escape sequences, a title-setting sequence and
//! bidirectional overrides is drawn on every screen and tab, and no cell of
//! the TestBackend buffer holds a control, escape or bidi character.

use avis::domain::Decision;
use avis::tui::action::Action;
use avis::tui::app::App;
use avis::tui::clean::is_dangerous;
use avis::tui::sample;
use avis::tui::screens::{
    editor::Msg as EditorMsg, inbox::Msg as InboxMsg, request::Msg as RequestMsg,
};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{DocumentContent, ExportItem, WorkerEvent};
use chrono::NaiveDate;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const HOSTILE: &str = "texte\x1b]0;titre pirate\x07\x1b[2J\u{202E}cba\u{2066}\u{9b}\r";

fn assert_clean(app: &App, w: u16, h: u16, what: &str) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut replacement_seen = false;
    for cell in buffer.content() {
        let sym = cell.symbol();
        assert!(
            !sym.chars().any(is_dangerous),
            "{what} at {w}x{h}: raw control or bidi character {sym:?} reached the buffer"
        );
        replacement_seen |= sym.contains('\u{FFFD}');
    }
    assert!(
        replacement_seen,
        "{what} at {w}x{h}: the hostile text should be shown visibly (U+FFFD)"
    );
}

fn hostile_app(w: u16, h: u16) -> App {
    let mut summaries = sample::summaries(3);
    summaries.insert(0, sample::hostile_summary());
    let mut app = App::new(
        false,
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        Theme::new(ThemeKind::Normal),
    )
    .with_summaries(summaries);
    app.update(Action::Resize(w, h));
    app
}

#[test]
fn hostile_text_is_shown_visibly_everywhere() {
    for (w, h) in [(80, 24), (160, 50)] {
        let mut app = hostile_app(w, h);
        assert_clean(&app, w, h, "inbox");
        app.update(Action::Inbox(InboxMsg::StartFilter));
        for c in HOSTILE.chars() {
            app.update(Action::Inbox(InboxMsg::FilterInput(c)));
        }
        assert_clean(&app, w, h, "inbox filter");
        app.update(Action::Inbox(InboxMsg::FilterClear));

        let mut app = app.with_request(sample::hostile_request());
        for tab in 0..5 {
            app.update(Action::Request(RequestMsg::SelectTab(tab)));
            assert_clean(&app, w, h, &format!("request tab {tab}"));
        }
        app.update(Action::Request(RequestMsg::OpenEditor));
        app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        app.update(Action::Move(1));
        app.update(Action::Editor(EditorMsg::EditDetail));
        for c in HOSTILE.chars() {
            app.update(Action::Editor(EditorMsg::LineInput(c)));
        }
        assert_clean(&app, w, h, "editor detail input");
        app.update(Action::Editor(EditorMsg::LineSubmit));
        assert_clean(&app, w, h, "editor");
        let id = app.editor.as_ref().unwrap().id.clone();
        app.update(Action::worker(WorkerEvent::Validated {
            id,
            result: Err(avis::tui::worker::WorkerFailure::new(
                avis::tui::worker::FailureKind::Refused,
                format!("avis {HOSTILE} incomplet"),
            )),
            status: avis::domain::Status::Brouillon,
            findings: vec![],
        }));
        app.update(Action::worker(WorkerEvent::Failed(
            avis::tui::worker::WorkerError {
                op: avis::tui::worker::Op::Override,
                request: None,
                failure: avis::tui::worker::WorkerFailure::new(
                    avis::tui::worker::FailureKind::Other,
                    HOSTILE,
                ),
            },
        )));
        assert_clean(&app, w, h, "editor with hostile error messages");
        app.update(Action::Back);
        app.update(Action::Request(RequestMsg::SelectTab(2)));
        assert_clean(&app, w, h, "mesures with hostile detail");

        app.update(Action::Request(RequestMsg::SelectTab(3)));
        app.update(Action::Request(RequestMsg::OpenDocument));
        app.update(Action::worker(WorkerEvent::Document {
            sha256: "a".repeat(64),
            content: DocumentContent::Pages(vec![format!("page\n{HOSTILE}\n\tfin")]),
        }));
        assert_clean(&app, w, h, "viewer");
        app.update(Action::Back);
        app.update(Action::Back);

        app.update(Action::Inbox(InboxMsg::OpenExport));
        app.update(Action::worker(WorkerEvent::ExportPreview(vec![
            ExportItem {
                id: HOSTILE.into(),
                candidate: HOSTILE.into(),
                issuer_name: HOSTILE.into(),
            },
        ])));
        assert_clean(&app, w, h, "export");
    }
}

#[test]
fn the_hostile_fixture_request_is_shown_visibly() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/requests/AMX-2027-000031.json");
    let request: avis::domain::Request =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let raw = serde_json::to_string(&request).unwrap();
    assert!(
        raw.contains("\\u001b]0;") && raw.contains('\u{202E}'),
        "the fixture holds a title-setting sequence and a bidi override"
    );
    let mut loaded = sample::loaded_request();
    loaded.record.request = request;
    for (w, h) in [(80, 24), (160, 50)] {
        let mut app = hostile_app(w, h).with_request(loaded.clone());
        for tab in 0..5 {
            app.update(Action::Request(RequestMsg::SelectTab(tab)));
            assert_clean(&app, w, h, &format!("fixture 000031, tab {tab}"));
        }
        app.update(Action::Request(RequestMsg::OpenEditor));
        assert_clean(&app, w, h, "fixture 000031, editor");
        app.update(Action::Back);
        let mut draft =
            avis::tui::screens::editor::new_draft(&app.request.as_ref().unwrap().record);
        draft.opinion.motivation = format!("motif {HOSTILE}\nligne 2");
        draft.private_notes = HOSTILE.into();
        app.request.as_mut().unwrap().draft = Some(draft);
        app.update(Action::Request(RequestMsg::OpenEditor));
        assert_clean(&app, w, h, "a draft applied from a file with hostile text");
        let ed = app.editor.as_ref().unwrap();
        assert!(
            ed.motivation.lines()[0].contains('\u{FFFD}') && ed.motivation.lines().len() == 2,
            "escape sequences in a loaded motivation are shown visibly, lines kept"
        );
    }
}

#[test]
fn tiny_terminals_never_panic() {
    for (w, h) in [(1, 1), (10, 3), (30, 8), (50, 12)] {
        let mut app = hostile_app(w, h).with_request(sample::hostile_request());
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut draw = |app: &App| {
            terminal
                .draw(|f| avis::tui::screens::render(app, f))
                .unwrap();
        };
        for tab in 0..5 {
            app.update(Action::Request(RequestMsg::SelectTab(tab)));
            draw(&app);
        }
        app.update(Action::Request(RequestMsg::OpenEditor));
        draw(&app);
        app.update(Action::Editor(EditorMsg::AddMeasure));
        draw(&app);
        app.update(Action::Back);
        app.update(Action::ToggleHelp);
        draw(&app);
        app.update(Action::ToggleHelp);
        app.update(Action::Click(w / 2, h / 2));
        app.update(Action::Back);
        app.update(Action::Request(RequestMsg::OpenDocument));
        app.update(Action::Request(RequestMsg::OpenDocument));
        assert_eq!(app.screen, avis::tui::app::Screen::Viewer);
        app.update(Action::worker(WorkerEvent::Document {
            sha256: "a".repeat(64),
            content: DocumentContent::Image {
                width: 3,
                height: 3,
                rgb: vec![128; 27],
            },
        }));
        draw(&app);
        app.update(Action::Back);
        app.update(Action::Back);
        app.update(Action::Inbox(InboxMsg::OpenExport));
        draw(&app);
        assert!(!app.should_quit);
    }
}
