//! Snapshots of every screen of the TUI at 80×24 and 160×50, drawn on
//! ratatui's TestBackend from synthetic data.

use avis::domain::Decision;
use avis::store::ExportedFile;
use avis::tui::action::Action;
use avis::tui::app::{App, Screen};
use avis::tui::sample;
use avis::tui::screens::{
    editor::Msg as EditorMsg, export::Msg as ExportMsg, inbox::Msg as InboxMsg,
    request::Msg as RequestMsg, unlock::Msg as UnlockMsg,
};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{DocumentContent, ExportItem, FailureKind, WorkerEvent, WorkerFailure};
use chrono::NaiveDate;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 50)];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn base(w: u16, h: u16) -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal));
    app.update(Action::Resize(w, h));
    app
}

fn inbox(w: u16, h: u16) -> App {
    let mut app = base(w, h).with_summaries(sample::summaries(40));
    app.update(Action::Resize(w, h));
    app
}

fn request(w: u16, h: u16) -> App {
    let mut app = inbox(w, h).with_request(sample::loaded_request());
    app.update(Action::Resize(w, h));
    app
}

fn editor(w: u16, h: u16) -> App {
    let mut app = request(w, h);
    app.update(Action::Request(RequestMsg::OpenEditor));
    app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    app.update(Action::Move(1));
    app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    app.update(Action::Editor(EditorMsg::ChooseTemplate));
    app.update(Action::Editor(EditorMsg::ChooserChoose));
    app.update(Action::Back);
    app
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
    terminal
}

fn snap(name: &str, make: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = make(w, h);
        let terminal = draw(&app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn unlock() {
    snap("unlock", |w, h| {
        let mut app = base(w, h);
        for c in "secret".chars() {
            app.update(Action::Unlock(UnlockMsg::Input(c)));
        }
        app
    });
    snap("unlock_wrong_passphrase", |w, h| {
        let mut app = base(w, h);
        app.update(Action::Unlock(UnlockMsg::Input('x')));
        app.update(Action::Unlock(UnlockMsg::Submit));
        app.update(Action::worker(WorkerEvent::UnlockFailed(
            WorkerFailure::new(
                FailureKind::WrongPassphrase,
                "phrase de passe incorrecte : vérifiez-la et réessayez",
            ),
        )));
        app
    });
    snap("unlock_locked", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Lock);
        app.locked.as_mut().unwrap().idle = true;
        for c in "sec".chars() {
            app.update(Action::Unlock(UnlockMsg::Input(c)));
        }
        app
    });
    snap("unlock_locked_demo_save_failed", |w, h| {
        let mut app = App::new(true, today(), Theme::new(ThemeKind::Normal))
            .with_summaries(avis::tui::sample::summaries(5))
            .with_request(sample::loaded_request());
        app.update(Action::Resize(w, h));
        app.update(Action::Request(RequestMsg::OpenEditor));
        app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        app.update(Action::Lock);
        app.update(Action::worker(WorkerEvent::SaveFailed {
            id: sample::loaded_request().record.request.id,
            error: WorkerFailure::new(FailureKind::Io, "disque plein"),
        }));
        app
    });
    snap("unlock_demo_progress", |w, h| {
        let mut app = App::new(true, today(), Theme::new(ThemeKind::Normal));
        app.update(Action::Resize(w, h));
        app.update(Action::worker(WorkerEvent::Progress {
            label: "Import des dossiers de démonstration".into(),
            done: 50,
            total: 200,
        }));
        app
    });
}

#[test]
fn inbox_screens() {
    snap("inbox", inbox);
    snap("inbox_filter", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::StartFilter));
        for c in "dnb".chars() {
            app.update(Action::Inbox(InboxMsg::FilterInput(c)));
        }
        app
    });
    snap("inbox_sorted_brouillons", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::CycleSort));
        app.update(Action::Inbox(InboxMsg::CycleSort));
        app.update(Action::Inbox(InboxMsg::StatusFilter(Some(
            avis::domain::Status::Brouillon,
        ))));
        app
    });
    snap("inbox_help", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::ToggleHelp);
        app
    });
    snap("inbox_alerts_pending", |w, h| {
        let mut lines = avis::tui::sample::summaries(30);
        for line in lines.iter_mut().skip(1) {
            line.alerts_pending = true;
        }
        let mut app = base(w, h).with_summaries(lines);
        app.update(Action::Resize(w, h));
        app
    });
    snap("inbox_empty", |w, h| {
        let mut app = base(w, h).with_summaries(Vec::new());
        app.update(Action::Resize(w, h));
        app
    });
}

#[test]
fn request_tabs() {
    for (i, name) in ["synthese", "troubles", "mesures", "pieces", "historique"]
        .iter()
        .enumerate()
    {
        snap(&format!("request_{name}"), |w, h| {
            let mut app = request(w, h);
            app.update(Action::Request(RequestMsg::SelectTab(i)));
            app
        });
    }
    snap("request_mesures_with_avis", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Back);
        app.update(Action::Request(RequestMsg::SelectTab(2)));
        app
    });
    snap("request_help", |w, h| {
        let mut app = request(w, h);
        app.update(Action::ToggleHelp);
        app
    });
}

#[test]
fn editor_screens() {
    snap("editor", editor);
    snap("editor_picker", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::AddMeasure));
        for c in "secr".chars() {
            app.update(Action::Editor(EditorMsg::PickerInput(c)));
        }
        app
    });
    snap("editor_detail", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::EditDetail));
        for c in "sauf langue vivante".chars() {
            app.update(Action::Editor(EditorMsg::LineInput(c)));
        }
        app
    });
    snap("editor_incomplet", |w, h| {
        let mut app = editor(w, h);
        for _ in 0..4 {
            app.update(Action::Editor(EditorMsg::CycleOutcome));
        }
        app.update(Action::Editor(EditorMsg::FocusNext));
        app.update(Action::Editor(EditorMsg::FocusNext));
        app.update(Action::Editor(EditorMsg::FocusNext));
        app.update(Action::Editor(EditorMsg::ToggleMissing));
        app
    });
    snap("editor_override", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::OverrideCheck));
        for c in "point d'évolution joint au dossier papier".chars() {
            app.update(Action::Editor(EditorMsg::LineInput(c)));
        }
        app
    });
    snap("editor_validation_refused", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::Validate));
        app
    });
    snap("editor_all_decided", |w, h| {
        let mut app = editor(w, h);
        let n = app.editor.as_ref().unwrap().requested.len();
        for _ in 0..n {
            if app.editor.as_ref().unwrap().undecided() == 0 {
                break;
            }
            app.update(Action::Move(1));
            app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
        }
        assert_eq!(app.editor.as_ref().unwrap().undecided(), 0);
        app
    });
    snap("editor_help", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::ToggleHelp);
        app
    });
}

#[test]
fn viewer_screens() {
    snap("viewer_pdf", |w, h| {
        let mut app = request(w, h);
        app.update(Action::Request(RequestMsg::SelectTab(3)));
        app.update(Action::Request(RequestMsg::OpenDocument));
        app.update(Action::worker(WorkerEvent::Document {
            sha256: "a".repeat(64),
            content: DocumentContent::Pages(vec![
                "BILAN ORTHOPHONIQUE\n\nÉpreuves étalonnées : vitesse de lecture -1,5 ET.".into(),
                "Page deux".into(),
            ]),
        }));
        app
    });
    snap("viewer_loading", |w, h| {
        let mut app = request(w, h);
        app.update(Action::Request(RequestMsg::SelectTab(3)));
        app.update(Action::Request(RequestMsg::OpenDocument));
        app
    });
    snap("viewer_image", |w, h| {
        let mut app = request(w, h);
        app.update(Action::Request(RequestMsg::SelectTab(3)));
        app.update(Action::Move(1));
        app.update(Action::Request(RequestMsg::OpenDocument));
        let (iw, ih) = (8u32, 8u32);
        let rgb: Vec<u8> = (0..iw * ih)
            .flat_map(|i| {
                let v = if (i % iw + i / iw) % 2 == 0 { 255 } else { 0 };
                [v, v, v]
            })
            .collect();
        app.update(Action::worker(WorkerEvent::Document {
            sha256: "b".repeat(64),
            content: DocumentContent::Image {
                width: iw,
                height: ih,
                rgb,
            },
        }));
        app
    });
}

fn export_app(w: u16, h: u16) -> App {
    let mut app = inbox(w, h);
    app.update(Action::Inbox(InboxMsg::OpenExport));
    app.update(Action::worker(WorkerEvent::ExportPreview(vec![
        ExportItem {
            id: "AMX-2026-000103".into(),
            candidate: "THOMAS Léa".into(),
            issuer_name: "Rectorat d'Aix-Marseille".into(),
        },
        ExportItem {
            id: "AMX-2026-000108".into(),
            candidate: "DURAND Hugo".into(),
            issuer_name: "Rectorat d'Aix-Marseille".into(),
        },
    ])));
    app
}

#[test]
fn export_screens() {
    snap("export", export_app);
    snap("export_confirm", |w, h| {
        let mut app = export_app(w, h);
        app.update(Action::Export(ExportMsg::Submit));
        app
    });
    snap("export_running", |w, h| {
        let mut app = export_app(w, h);
        app.update(Action::Export(ExportMsg::Submit));
        app.update(Action::Export(ExportMsg::Confirm(true)));
        app.update(Action::worker(WorkerEvent::Progress {
            label: "Export".into(),
            done: 1,
            total: 2,
        }));
        app
    });
    snap("export_done", |w, h| {
        let mut app = export_app(w, h);
        app.update(Action::Export(ExportMsg::Submit));
        app.update(Action::Export(ExportMsg::Confirm(true)));
        app.update(Action::worker(WorkerEvent::Exported(Ok(vec![
            ExportedFile {
                path: "./avis-export.avis".into(),
                issuer_name: "Rectorat d'Aix-Marseille".into(),
                opinions: 2,
            },
        ]))));
        assert_eq!(app.screen, Screen::Export);
        app
    });
}

/// The editor with the focus on each part, in the themes without colour
/// meaning: the focus shows by its marked title and thick border.
#[test]
fn editor_focus_without_colour() {
    use avis::tui::screens::editor::EditorFocus;
    for (theme, tname) in [
        (ThemeKind::HighContrast, "contraste"),
        (ThemeKind::NoColor, "sans_couleur"),
    ] {
        for (focus, fname, tabs) in [
            (EditorFocus::Measures, "mesures", 0),
            (EditorFocus::Motivation, "motivation", 1),
            (EditorFocus::Notes, "notes", 2),
            (EditorFocus::Missing, "pieces_manquantes", 3),
        ] {
            snap(&format!("editor_focus_{fname}_{tname}"), |w, h| {
                let mut app = App::new(false, today(), Theme::new(theme))
                    .with_summaries(sample::summaries(5))
                    .with_request(sample::loaded_request());
                app.update(Action::Resize(w, h));
                app.update(Action::Request(RequestMsg::OpenEditor));
                app.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
                if focus == EditorFocus::Missing {
                    for _ in 0..4 {
                        app.update(Action::Editor(EditorMsg::CycleOutcome));
                    }
                }
                for _ in 0..tabs {
                    app.update(Action::Editor(EditorMsg::FocusNext));
                }
                if focus == EditorFocus::Motivation {
                    app.update(Action::Paste("Compensation de la lenteur".into()));
                }
                assert_eq!(app.editor.as_ref().unwrap().focus, focus);
                app
            });
        }
    }
}

#[test]
fn editor_lists_with_preview_and_questions() {
    snap("editor_template_list", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::ChooseTemplate));
        app.update(Action::Editor(EditorMsg::ChooserMove(2)));
        app
    });
    snap("editor_epreuves_list", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::ChooseEpreuves));
        app
    });
    snap("editor_reopen_exported", |w, h| {
        let mut loaded = sample::loaded_request();
        loaded.status = avis::domain::Status::Exporte;
        loaded.journal.push(avis::store::JournalEvent {
            seq: 99,
            at: chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
            kind: "export".into(),
            request_id: Some(loaded.record.request.id.clone()),
            detail: String::new(),
        });
        let mut app = inbox(w, h).with_request(loaded);
        app.update(Action::Resize(w, h));
        app.update(Action::Request(RequestMsg::OpenEditor));
        app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
        app
    });
    snap("quit_unsaved_draft", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
        app.update(Action::Quit);
        app.update(Action::worker(WorkerEvent::SaveFailed {
            id: sample::loaded_request().record.request.id,
            error: WorkerFailure::new(
                FailureKind::Io,
                "le brouillon n'a pas pu être enregistré : le dossier du magasin a disparu",
            ),
        }));
        app
    });
    snap("message_log", |w, h| {
        let mut app = editor(w, h);
        app.update(Action::Editor(EditorMsg::Validate));
        app.update(Action::Editor(EditorMsg::UndoDecision));
        app.update(Action::ToggleLog);
        app
    });
}
