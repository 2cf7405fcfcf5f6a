//! The key tables are the help: on every screen and in every mode, each
//! key the application handles appears in the help (`?`) of that screen,
//! and each key the help lists does what its line says (no other line of
//! the table takes it first).

use avis::domain::Decision;
use avis::pieces::session::{PieceInfo, RenderedPage, SessionEvent};
use avis::pieces::{PieceKind, Raster, RenderSpec};
use avis::tui::action::Action;
use avis::tui::app::App;
use avis::tui::keymap::Key;
use avis::tui::sample;
use avis::tui::screens::viewer_keys::Msg as ViewerMsg;
use avis::tui::screens::{self, editor::Msg as EditorMsg, request::Msg as RequestMsg};
use avis::tui::screens::{export::Msg as ExportMsg, inbox::Msg as InboxMsg};
use avis::tui::screens::{figures::Msg as FiguresMsg, purge::Msg as PurgeMsg, purge::PurgeDue};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{ExportItem, FailureKind, Orders, WorkerEvent, WorkerFailure};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn inbox() -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(20));
    app.update(Action::Resize(100, 30));
    app
}

fn request() -> App {
    inbox().with_request(sample::loaded_request())
}

fn editor() -> App {
    let mut app = request();
    app.update(Action::Request(RequestMsg::OpenEditor));
    app
}

/// The viewer on a pièce opened by the pièces' session: a PDF of three
/// pages with a text layer (`text`) or a scan; `zoomed`: its first page
/// rendered twice as large as the view each way.
fn piece_viewer(text: bool, zoomed: bool) -> App {
    let mut app = request();
    app.update(Action::Request(RequestMsg::SelectTab(3)));
    app.update(Action::Request(RequestMsg::OpenDocument));
    let doc = app.viewer.as_ref().unwrap().sha256.clone();
    app.update(Action::worker(WorkerEvent::Piece(SessionEvent::Opened {
        doc: doc.clone(),
        info: PieceInfo {
            kind: PieceKind::Pdf,
            pages: 3,
            first_text: text.then(|| "Bilan orthophonique\nDyslexie sévère".to_string()),
        },
    })));
    if zoomed {
        let w = app.viewer.as_ref().unwrap().piece.wanted.unwrap();
        let spec = RenderSpec {
            rotation: w.rotation,
            fit: w.fit,
            zoom: w.zoom,
            view: (u32::from(w.cells.0), u32::from(w.cells.1) * 2),
        };
        let (width, height) = (spec.view.0 * 2, spec.view.1 * 2);
        let raster = Raster {
            width,
            height,
            rgb: vec![255; (width * height * 3) as usize],
        };
        app.update(Action::worker(WorkerEvent::Piece(SessionEvent::Page {
            doc,
            page: RenderedPage {
                page: 0,
                spec,
                raster: std::sync::Arc::new(raster),
            },
        })));
        assert_eq!(app.viewer.as_ref().unwrap().piece.overflow(), (true, true));
    }
    app
}

/// The application in every screen and mode there is, with a name.
fn every_state() -> Vec<(&'static str, App)> {
    let mut states = vec![("déverrouillage", App::new(false, today(), Theme::default()))];
    let mut busy = App::new(false, today(), Theme::default());
    busy.unlock.busy = true;
    states.push(("déverrouillage en cours", busy));
    states.push(("liste", inbox()));
    let mut filter = inbox();
    filter.update(Action::Inbox(InboxMsg::StartFilter));
    states.push(("liste, filtre", filter));
    for (i, name) in ["synthèse", "troubles", "mesures", "pièces", "historique"]
        .into_iter()
        .enumerate()
    {
        let mut app = request();
        app.update(Action::Request(RequestMsg::SelectTab(i)));
        states.push((name, app));
    }
    states.push(("éditeur, mesures", editor()));
    let mut motivation = editor();
    motivation.update(Action::Editor(EditorMsg::FocusNext));
    states.push(("éditeur, motivation", motivation));
    let mut notes = editor();
    notes.update(Action::Editor(EditorMsg::FocusNext));
    notes.update(Action::Editor(EditorMsg::FocusNext));
    states.push(("éditeur, notes", notes));
    let mut missing = editor();
    for _ in 0..4 {
        missing.update(Action::Editor(EditorMsg::CycleOutcome));
    }
    for _ in 0..3 {
        missing.update(Action::Editor(EditorMsg::FocusNext));
    }
    states.push(("éditeur, pièces manquantes", missing));
    let mut picker = editor();
    picker.update(Action::Editor(EditorMsg::AddMeasure));
    states.push(("éditeur, catalogue", picker));
    let mut line = editor();
    line.update(Action::Editor(EditorMsg::Decide(Decision::Accorde)));
    line.update(Action::Editor(EditorMsg::EditDetail));
    states.push(("éditeur, saisie d'une ligne", line));
    let mut chooser = editor();
    chooser.update(Action::Editor(EditorMsg::ChooseTemplate));
    states.push(("éditeur, liste de modèles", chooser));
    let mut reopen = inbox().with_request({
        let mut r = sample::loaded_request();
        r.status = avis::domain::Status::Exporte;
        r
    });
    reopen.update(Action::Request(RequestMsg::OpenEditor));
    reopen.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    states.push(("éditeur, rouvrir un avis envoyé", reopen));
    let mut quit = editor();
    quit.update(Action::Editor(EditorMsg::Decide(Decision::Refuse)));
    quit.update(Action::Quit);
    quit.update(Action::worker(WorkerEvent::SaveFailed {
        id: sample::loaded_request().record.request.id,
        error: WorkerFailure::new(FailureKind::Io, "disque plein"),
    }));
    assert!(quit.quit.is_some());
    states.push(("quitter, brouillon non enregistré", quit));
    let mut viewer = request();
    viewer.update(Action::Request(RequestMsg::SelectTab(3)));
    viewer.update(Action::Request(RequestMsg::OpenDocument));
    states.push(("visionneuse", viewer));
    states.push(("visionneuse, pièce en image", piece_viewer(false, false)));
    states.push(("visionneuse, page zoomée", piece_viewer(false, true)));
    states.push(("visionneuse, texte de la page", piece_viewer(true, false)));
    let mut typing = piece_viewer(true, false);
    typing.update(Action::Viewer(ViewerMsg::Search));
    states.push(("visionneuse, saisie de la recherche", typing));
    let mut search = piece_viewer(true, false);
    search.update(Action::Viewer(ViewerMsg::Search));
    for c in "dyslexie".chars() {
        search.update(Action::Viewer(ViewerMsg::InputChar(c)));
    }
    search.update(Action::Viewer(ViewerMsg::InputSubmit));
    assert!(search.viewer.as_ref().unwrap().piece.search.is_some());
    states.push(("visionneuse, recherche", search));
    let mut goto = piece_viewer(false, false);
    goto.update(Action::Viewer(ViewerMsg::GoTo));
    states.push(("visionneuse, aller à la page", goto));
    let mut export = inbox();
    export.update(Action::Inbox(InboxMsg::OpenExport));
    export.update(Action::worker(WorkerEvent::ExportPreview(vec![
        ExportItem {
            id: "X".into(),
            candidate: "Y".into(),
            issuer_name: "Z".into(),
        },
    ])));
    states.push(("export", export));
    let mut confirm = inbox();
    confirm.update(Action::Inbox(InboxMsg::OpenExport));
    confirm.update(Action::worker(WorkerEvent::ExportPreview(vec![
        ExportItem {
            id: "X".into(),
            candidate: "Y".into(),
            issuer_name: "Z".into(),
        },
    ])));
    confirm.update(Action::Export(ExportMsg::Submit));
    states.push(("export, confirmation", confirm));
    let mut figures = inbox();
    figures.update(Action::Inbox(InboxMsg::OpenFigures));
    states.push(("bilan", figures));
    let mut wide = inbox();
    wide.update(Action::Resize(160, 50));
    wide.update(Action::Inbox(InboxMsg::OpenFigures));
    states.push(("bilan, grand écran", wide));
    let mut range = inbox();
    range.update(Action::Inbox(InboxMsg::OpenFigures));
    range.update(Action::Figures(FiguresMsg::StartRange));
    states.push(("bilan, saisie des dates", range));
    let purge_question = || {
        let mut app = App::new(false, today(), Theme::default());
        app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
        app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(3))));
        app.update(Action::worker(WorkerEvent::PurgeDue(Ok(PurgeDue {
            dossiers: 2,
            documents: 3,
            months: 12,
        }))));
        assert_eq!(app.screen, avis::tui::app::Screen::Purge);
        app
    };
    states.push(("purge, question", purge_question()));
    let mut purge = purge_question();
    purge.update(Action::Purge(PurgeMsg::Confirm));
    purge.update(Action::worker(WorkerEvent::Purged(Ok(2))));
    states.push(("purge, résultat", purge));
    states.extend(firstrun_states());
    let mut help = inbox();
    help.update(Action::ToggleHelp);
    states.push(("aide", help));
    let mut log = inbox();
    log.update(Action::ToggleLog);
    states.push(("messages", log));
    states
}

/// Every key a keyboard can send, as far as the screens care.
fn every_key() -> Vec<KeyEvent> {
    let mut keys = Vec::new();
    let chars = (' '..='~').chain("éèàçùÉœ€".chars());
    for c in chars {
        let shift = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        keys.push(KeyEvent::new(KeyCode::Char(c), shift));
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT));
    }
    for c in 'a'..='z' {
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }
    for code in [
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
    ] {
        keys.push(KeyEvent::new(code, KeyModifiers::NONE));
        keys.push(KeyEvent::new(code, KeyModifiers::CONTROL));
    }
    keys.push(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    for n in 1..=12 {
        keys.push(KeyEvent::new(KeyCode::F(n), KeyModifiers::NONE));
    }
    keys
}

/// How the help writes the key of `ev`.
fn name_of(ev: &KeyEvent) -> String {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()).name(),
        KeyCode::Char(c) => Key::Char(c).name(),
        code => Key::Code(code).name(),
    }
}

/// The help the doctor reads in this state: `?` on a screen, the lines
/// of the overlay when one is open.
fn help_lines(app: &App) -> Vec<(String, &'static str)> {
    if app.help || app.show_log || app.quit.is_some() {
        screens::keymap(app).help()
    } else {
        screens::help(app)
    }
}

#[test]
fn every_handled_key_is_in_the_help() {
    for (state, app) in every_state() {
        let help = help_lines(&app);
        let tokens: Vec<String> = help
            .iter()
            .flat_map(|(k, _)| k.split(", ").map(str::to_string).collect::<Vec<_>>())
            .collect();
        for ev in every_key() {
            let Some(action) = screens::handle_key(&app, ev) else {
                continue;
            };
            let name = name_of(&ev);
            let printable = matches!(ev.code, KeyCode::Char(_))
                && !ev.modifiers.contains(KeyModifiers::CONTROL);
            let listed =
                tokens.contains(&name) || (printable && tokens.iter().any(|t| t == "texte"));
            assert!(
                listed,
                "{state} : la touche {name} ({action:?}) n'est pas dans l'aide : {help:?}"
            );
        }
    }
}

#[test]
fn every_key_of_the_help_does_what_its_line_says() {
    for (state, app) in every_state() {
        let map = screens::keymap(&app);
        for b in &map.bindings {
            for key in b.keys {
                let ev = match *key {
                    Key::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                    Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                    Key::Code(KeyCode::BackTab) => {
                        KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)
                    }
                    Key::Code(code) => KeyEvent::new(code, KeyModifiers::NONE),
                    Key::Text => continue,
                };
                let taken = map.binding(&ev).map(|t| (t.label(), t.help));
                assert_eq!(
                    taken,
                    Some((b.label(), b.help)),
                    "{state} : {} est pris par une autre ligne que « {} »",
                    key.name(),
                    b.help
                );
                assert!(
                    screens::handle_key(&app, ev).is_some(),
                    "{state} : {} ne fait rien",
                    key.name()
                );
            }
        }
    }
}

#[test]
fn the_status_bar_shows_only_keys_of_the_table() {
    for (state, app) in every_state() {
        let table: Vec<String> = screens::keymap(&app)
            .bindings
            .iter()
            .flat_map(|b| [b.label(), b.hint_keys.unwrap_or("").to_string()])
            .chain(["Ctrl+L".to_string()])
            .collect();
        for (k, _) in screens::hints(&app) {
            assert!(table.contains(&k), "{state} : {k} n'est pas dans la table");
        }
    }
}

/// The screens of the first run, the trust, the chooser, the import, the
/// backup, and the export's file that exists (issue 15).
fn firstrun_states() -> Vec<(&'static str, App)> {
    use avis::tui::screens::chooser::Msg as ChooserMsg;
    use avis::tui::screens::trust::{Msg as TrustMsg, TrustPhase};
    use avis::tui::worker::{FolderEntry, ImportReport, KeyCandidate, KeysInfo, Listing};
    let mut states = Vec::new();
    let welcome = || App::new(false, today(), Theme::default()).first_run();
    states.push(("premier démarrage", welcome()));
    let mut busy = welcome();
    busy.welcome.busy = true;
    states.push(("premier démarrage, création", busy));
    let mut keys = welcome();
    keys.update(Action::worker(WorkerEvent::Created(
        Box::new(KeysInfo {
            doctor: "Dr A".into(),
            rpps: None,
            age_recipient: "age1x".into(),
            signing_key: "RWQx".into(),
            signing_key_file: String::new(),
            fingerprint: "1A2B 3C4D".into(),
        }),
        Box::default(),
    )));
    states.push(("clés, premier démarrage", keys));
    let trust = || {
        let mut app = inbox();
        app.update(Action::Inbox(InboxMsg::OpenTrust));
        app.update(Action::worker(WorkerEvent::Trusted(vec![])));
        app
    };
    states.push(("clés des rectorats", trust()));
    let candidate = KeyCandidate {
        text: String::new(),
        signing_key: "RWQx".into(),
        fingerprint: "1A2B".into(),
    };
    let mut naming = trust();
    naming.trust.phase = TrustPhase::Naming(candidate.clone(), String::new());
    states.push(("clés des rectorats, nom", naming));
    let mut confirm = trust();
    confirm.trust.phase = TrustPhase::ConfirmAdd(candidate, "R".into());
    states.push(("clés des rectorats, confirmation", confirm));
    let mut remove = trust();
    remove.update(Action::Trust(TrustMsg::Remove));
    remove.trust.phase = TrustPhase::ConfirmRemove;
    states.push(("clés des rectorats, retrait", remove));
    let listing = || Listing {
        dir: "/tmp".into(),
        entries: Ok(vec![
            FolderEntry {
                name: "a".into(),
                dir: true,
            },
            FolderEntry {
                name: "lot.avis".into(),
                dir: false,
            },
        ]),
        places: vec![],
    };
    let mut file = inbox();
    file.update(Action::Inbox(InboxMsg::OpenImport));
    file.update(Action::worker(WorkerEvent::Listing(Box::new(listing()))));
    states.push(("choix d'un fichier", file));
    let mut folder = inbox();
    folder.update(Action::Inbox(InboxMsg::OpenBackup));
    folder.update(Action::worker(WorkerEvent::Listing(Box::new(listing()))));
    states.push(("choix d'un dossier", folder));
    let mut backup = inbox();
    backup.update(Action::Inbox(InboxMsg::OpenBackup));
    backup.update(Action::worker(WorkerEvent::Listing(Box::new(listing()))));
    backup.update(Action::Chooser(ChooserMsg::ChooseHere));
    states.push(("sauvegarde, phrase de passe", backup));
    let mut import = inbox();
    avis::tui::screens::import::start(&mut import, "/tmp/lot.avis".into(), &mut Orders::default());
    states.push(("import en cours", import));
    let mut done = inbox();
    avis::tui::screens::import::start(&mut done, "/tmp/lot.avis".into(), &mut Orders::default());
    done.update(Action::worker(WorkerEvent::Imported(Ok(ImportReport {
        bundle_id: "b".into(),
        already: false,
        new: 1,
        updated: 1,
        unchanged: 0,
        to_review: 1,
        documents: 0,
    }))));
    states.push(("import terminé", done));
    let mut exists = inbox();
    exists.update(Action::Inbox(InboxMsg::OpenExport));
    exists.update(Action::worker(WorkerEvent::Exported(Err(
        WorkerFailure::new(
            FailureKind::FileExists("/tmp/x.avis".into()),
            "le fichier /tmp/x.avis existe déjà",
        ),
    ))));
    states.push(("export, fichier existant", exists));
    let mut paper = inbox().with_request(sample::loaded_request());
    paper.update(Action::Request(RequestMsg::SelectTab(3)));
    paper.update(Action::Request(RequestMsg::AddPaper));
    states.push(("pièce papier", paper));
    states
}
