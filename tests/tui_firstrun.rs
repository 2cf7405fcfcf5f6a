//! The first run and the screens that replace the command line (issue
//! 15): welcome, the doctor's keys, the rectorat keys (trust), the file
//! chooser, the import and its summary, the backup and the export's
//! destination. Update tests (what each key does, what goes to the
//! worker) and snapshots at 80×24 and 160×50, on synthetic data.

use std::path::PathBuf;

use avis::store::TrustedSigner;
use avis::tui::action::Action;
use avis::tui::app::{App, Screen};
use avis::tui::sample;
use avis::tui::screens::chooser::{Msg as ChooserMsg, Purpose};
use avis::tui::screens::export::{ExportPhase, Msg as ExportMsg};
use avis::tui::screens::import::ImportPhase;
use avis::tui::screens::inbox::Msg as InboxMsg;
use avis::tui::screens::trust::{Msg as TrustMsg, TrustPhase};
use avis::tui::screens::welcome::{keys::Msg as KeysMsg, Field, Msg as WelcomeMsg};
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{
    FailureKind, FolderEntry, ImportReport, KeyCandidate, KeysInfo, Listing, Orders, Place,
    WorkerCommand, WorkerEvent, WorkerFailure,
};
use chrono::{NaiveDate, TimeZone, Utc};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 50)];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn welcome(w: u16, h: u16) -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal)).first_run();
    app.update(Action::Resize(w, h));
    app
}

fn inbox(w: u16, h: u16) -> App {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(10));
    app.update(Action::Resize(w, h));
    app
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Welcome(WelcomeMsg::Input(c)));
    }
}

fn keys() -> KeysInfo {
    KeysInfo {
        doctor: "Dr Claire Martin".into(),
        rpps: Some("10001234567".into()),
        age_recipient: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq".into(),
        signing_key: "RWQBAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQl".into(),
        signing_key_file: "untrusted comment: minisign public key\nRWQ…\n".into(),
        fingerprint: "1A2B 3C4D 5E6F 7A8B 9C0D".into(),
    }
}

fn signer(name: &str, fp: &str) -> TrustedSigner {
    TrustedSigner {
        name: name.into(),
        signing_key: format!("RWQ{name}"),
        fingerprint: fp.into(),
        added_at: Utc.with_ymd_and_hms(2026, 9, 1, 10, 0, 0).unwrap(),
    }
}

fn listing(dir: &str) -> Listing {
    let e = |name: &str, dir: bool| FolderEntry {
        name: name.into(),
        dir,
    };
    Listing {
        dir: PathBuf::from(dir),
        entries: Ok(vec![
            e("notes.txt", false),
            e("lot-2026-11.avis", false),
            e("Archives", true),
            e("rectorat.pub", false),
            e("facture\u{202E}fdp.avis", false),
            e("2025", true),
        ]),
        places: vec![
            Place {
                label: "Téléchargements".into(),
                path: PathBuf::from("/home/medecin/Téléchargements"),
            },
            Place {
                label: "Support amovible CLE".into(),
                path: PathBuf::from("/media/medecin/CLE"),
            },
        ],
    }
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

/// The welcome form filled in: name, RPPS, passphrase twice.
fn filled(w: u16, h: u16) -> App {
    let mut app = welcome(w, h);
    type_text(&mut app, "Dr Claire Martin");
    app.update(Action::Welcome(WelcomeMsg::Next));
    type_text(&mut app, "10001234567");
    app.update(Action::Welcome(WelcomeMsg::Next));
    type_text(&mut app, "une phrase de passe solide");
    app.update(Action::Welcome(WelcomeMsg::Next));
    type_text(&mut app, "une phrase de passe solide");
    app
}

#[test]
fn welcome_checks_the_form_then_creates_on_the_worker() {
    let mut app = welcome(80, 24);
    assert_eq!(app.screen, Screen::Welcome);
    type_text(&mut app, "Dr Claire Martin");
    app.update(Action::Welcome(WelcomeMsg::Submit));
    type_text(&mut app, "12345");
    app.update(Action::Welcome(WelcomeMsg::Submit));
    type_text(&mut app, "court");
    app.update(Action::Welcome(WelcomeMsg::Submit));
    type_text(&mut app, "court");
    // The RPPS is checked first: nothing is sent.
    let cmds = app.update(Action::Welcome(WelcomeMsg::Submit));
    assert!(cmds.is_empty());
    assert_eq!(app.welcome.field, Field::Rpps);
    assert!(app
        .welcome
        .error
        .as_deref()
        .unwrap()
        .contains("11 chiffres"));

    let mut app = filled(80, 24);
    let cmds = app.update(Action::Welcome(WelcomeMsg::Submit));
    match cmds.as_slice() {
        [WorkerCommand::Create { name, rpps, .. }] => {
            assert_eq!(name, "Dr Claire Martin");
            assert_eq!(rpps.as_deref(), Some("10001234567"));
        }
        _ => panic!("no Create command"),
    }
    assert!(app.welcome.busy);
    assert!(
        app.welcome.passphrase.is_empty(),
        "passphrase kept in memory"
    );
    // No lock while there is no store.
    assert!(app.update(Action::Lock).is_empty());
    assert_eq!(app.screen, Screen::Welcome);

    app.update(Action::worker(WorkerEvent::Created(
        Box::new(keys()),
        Box::default(),
    )));
    assert_eq!(app.screen, Screen::Keys);
    let cmds = app.update(Action::Keys(KeysMsg::Continue));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadSummaries]));
    assert_eq!(app.screen, Screen::Inbox);
}

#[test]
fn a_creation_that_fails_says_why_and_lets_the_doctor_retry() {
    let mut app = filled(80, 24);
    app.update(Action::Welcome(WelcomeMsg::Submit));
    app.update(Action::worker(WorkerEvent::CreateFailed(
        WorkerFailure::new(FailureKind::Io, "disque plein"),
    )));
    assert!(!app.welcome.busy);
    assert_eq!(app.welcome.error.as_deref(), Some("disque plein"));
    assert_eq!(app.screen, Screen::Welcome);
}

#[test]
fn the_chooser_lists_folders_then_expected_files_and_cleans_names() {
    let mut app = inbox(80, 24);
    let cmds = app.update(Action::Inbox(InboxMsg::OpenImport));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::ListFolder { dir: None, .. }]
    ));
    assert_eq!(app.screen, Screen::Chooser);
    app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
        "/home/medecin/Téléchargements",
    )))));
    let shown: Vec<&str> = app.chooser.rows.iter().map(|r| r.shown.as_str()).collect();
    assert_eq!(shown[..2], ["2025", "Archives"]);
    assert!(shown[2].ends_with(".avis") && shown[3].ends_with(".avis"));
    assert!(shown.iter().all(|s| !s.contains('\u{202E}')));
    assert_eq!(shown[5], "rectorat.pub");
    // Into a folder, back up, next place: each read on the worker.
    let cmds = app.update(Action::Chooser(ChooserMsg::Open));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::ListFolder { dir: Some(d), .. }] if d.ends_with("2025")
    ));
    let cmds = app.update(Action::Chooser(ChooserMsg::NextPlace));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::ListFolder { dir: Some(d), .. }] if d.ends_with("CLE")
    ));
    // A bundle picked: the import starts on the worker.
    app.update(Action::Move(2));
    let cmds = app.update(Action::Chooser(ChooserMsg::Open));
    assert!(
        matches!(cmds.as_slice(), [WorkerCommand::RememberFolder(_), WorkerCommand::Import(p)] if p.extension().is_some_and(|e| e == "avis"))
    );
    assert_eq!(app.screen, Screen::Import);
    assert_eq!(
        app.chooser.last,
        Some(PathBuf::from("/home/medecin/Téléchargements"))
    );
    // Never locked in the middle of an import.
    assert!(app.update(Action::Lock).is_empty());
    app.update(Action::worker(WorkerEvent::Progress {
        label: "Import du lot".into(),
        done: 5,
        total: 10,
    }));
    let cmds = app.update(Action::worker(WorkerEvent::Imported(Ok(report()))));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::LoadSummaries]));
    assert!(matches!(app.import.phase, ImportPhase::Done(_)));
}

#[test]
fn a_folder_chooser_lists_only_folders_and_chooses_the_one_shown() {
    let mut app = inbox(80, 24);
    app.update(Action::Inbox(InboxMsg::OpenBackup));
    app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
        "/media/medecin/CLE",
    )))));
    assert!(app.chooser.rows.iter().all(|r| r.dir));
    assert_eq!(app.chooser.purpose, Purpose::Backup);
    app.update(Action::Chooser(ChooserMsg::ChooseHere));
    assert_eq!(app.screen, Screen::Backup);
    for c in "secret".chars() {
        app.update(Action::Backup(avis::tui::screens::backup::Msg::Input(c)));
    }
    let cmds = app.update(Action::Backup(avis::tui::screens::backup::Msg::Submit));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::Backup { dir, .. }] if dir == &PathBuf::from("/media/medecin/CLE")
    ));
}

#[test]
fn trusting_shows_the_fingerprint_asks_a_name_and_a_confirmation() {
    let mut app = inbox(80, 24);
    let cmds = app.update(Action::Inbox(InboxMsg::OpenTrust));
    assert!(matches!(cmds.as_slice(), [WorkerCommand::Trusted]));
    app.update(Action::worker(WorkerEvent::Trusted(vec![])));
    app.update(Action::Trust(TrustMsg::Add));
    assert_eq!(app.screen, Screen::Chooser);
    app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
        "/tmp",
    )))));
    // The .pub file is at the end of the list; open it.
    let at = app
        .chooser
        .rows
        .iter()
        .position(|r| r.name == "rectorat.pub")
        .unwrap();
    app.update(Action::Move(at as isize));
    let cmds = app.update(Action::Chooser(ChooserMsg::Open));
    assert!(matches!(
        cmds.as_slice(),
        [
            WorkerCommand::RememberFolder(_),
            WorkerCommand::ReadKeyFile(_)
        ]
    ));
    app.update(Action::worker(WorkerEvent::KeyFile(Ok(candidate()))));
    assert!(matches!(app.trust.phase, TrustPhase::Naming(..)));
    // No name: refused.
    app.update(Action::Trust(TrustMsg::NameSubmit));
    assert!(matches!(app.trust.phase, TrustPhase::Naming(..)));
    for c in "Rectorat de Lyon".chars() {
        app.update(Action::Trust(TrustMsg::NameInput(c)));
    }
    assert!(app.update(Action::Trust(TrustMsg::NameSubmit)).is_empty());
    assert!(matches!(app.trust.phase, TrustPhase::ConfirmAdd(..)));
    let cmds = app.update(Action::Trust(TrustMsg::Confirm(true)));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::TrustAdd { name, .. }] if name == "Rectorat de Lyon"
    ));
    // Removing asks first; « non » keeps it.
    app.update(Action::worker(WorkerEvent::Trusted(vec![signer(
        "Rectorat de Lyon",
        "1A2B 3C4D 5E6F 7A8B 9C0D",
    )])));
    app.update(Action::Trust(TrustMsg::Remove));
    assert_eq!(app.trust.phase, TrustPhase::ConfirmRemove);
    assert!(app
        .update(Action::Trust(TrustMsg::Confirm(false)))
        .is_empty());
    app.update(Action::Trust(TrustMsg::Remove));
    let cmds = app.update(Action::Trust(TrustMsg::Confirm(true)));
    assert!(
        matches!(cmds.as_slice(), [WorkerCommand::TrustRemove(k)] if k == "RWQRectorat de Lyon")
    );
}

#[test]
fn an_export_never_overwrites_without_being_told() {
    let mut app = inbox(80, 24);
    let cmds = app.update(Action::Inbox(InboxMsg::OpenExport));
    assert!(matches!(
        cmds.as_slice(),
        [
            WorkerCommand::ExportPreview,
            WorkerCommand::ExportDestination
        ]
    ));
    app.update(Action::worker(WorkerEvent::ExportDestination(Some(
        PathBuf::from("/media/medecin/CLE/avis-2026-11-26-n1.avis"),
    ))));
    assert_eq!(
        app.export.path,
        "/media/medecin/CLE/avis-2026-11-26-n1.avis"
    );
    let cmds = app.update(Action::Export(ExportMsg::ChooseFolder));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::ListFolder { .. }]
    ));
    app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
        "/media/medecin/CLE",
    )))));
    let cmds = app.update(Action::Chooser(ChooserMsg::ChooseHere));
    assert!(matches!(
        cmds.as_slice(),
        [WorkerCommand::RememberFolder(d), WorkerCommand::SetExportFolder(e)] if d == e
    ));
    assert_eq!(app.screen, Screen::Export);
    app.export.phase = ExportPhase::Running;
    app.update(Action::worker(exists(
        "/media/medecin/CLE/avis-2026-11-26-n1.avis",
    )));
    assert!(matches!(app.export.phase, ExportPhase::Exists(_)));
    app.update(Action::Export(ExportMsg::OtherName));
    assert_eq!(
        app.export.path,
        "/media/medecin/CLE/avis-2026-11-26-n1-2.avis"
    );
    assert_eq!(app.export.phase, ExportPhase::Editing);
    app.export.phase = ExportPhase::Exists(PathBuf::from("/tmp/x.avis"));
    let cmds = app.update(Action::Export(ExportMsg::Replace));
    assert!(
        matches!(cmds.as_slice(), [WorkerCommand::ExportReplace(p)] if p == &PathBuf::from("/tmp/x.avis"))
    );
}

/// The export's reply when its file exists.
fn exists(path: &str) -> WorkerEvent {
    let path = PathBuf::from(path);
    WorkerEvent::Exported(Err(WorkerFailure::new(
        FailureKind::FileExists(path.clone()),
        format!("le fichier {} existe déjà", path.display()),
    )))
}

fn report() -> ImportReport {
    ImportReport {
        bundle_id: "5f0c2a1e-0b7d-4c55-9a0e-3d2b1c4e5f60".into(),
        already: false,
        new: 12,
        updated: 3,
        unchanged: 25,
        to_review: 2,
        documents: 41,
    }
}

fn candidate() -> KeyCandidate {
    KeyCandidate {
        text: "untrusted comment: minisign public key\nRWQ…\n".into(),
        signing_key: "RWQ…".into(),
        fingerprint: "9F8E 7D6C 5B4A 3928 1706".into(),
    }
}

#[test]
fn snapshots_welcome_and_keys() {
    snap("welcome", welcome);
    snap("welcome_filled", filled);
    snap("welcome_error", |w, h| {
        let mut app = welcome(w, h);
        type_text(&mut app, "Dr Claire Martin");
        app.update(Action::Welcome(WelcomeMsg::Next));
        type_text(&mut app, "1000");
        app.update(Action::Welcome(WelcomeMsg::Next));
        app.update(Action::Welcome(WelcomeMsg::Next));
        app.update(Action::Welcome(WelcomeMsg::Submit));
        app
    });
    snap("keys_first_run", |w, h| {
        let mut app = filled(w, h);
        app.update(Action::Welcome(WelcomeMsg::Submit));
        app.update(Action::worker(WorkerEvent::Created(
            Box::new(keys()),
            Box::default(),
        )));
        app
    });
}

#[test]
fn snapshots_trust() {
    let trusted = |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenTrust));
        app.update(Action::worker(WorkerEvent::Trusted(vec![
            signer("Rectorat d'Aix-Marseille", "1A2B 3C4D 5E6F 7A8B 9C0D"),
            signer("Rectorat de Nice", "0F1E 2D3C 4B5A 6978 8796"),
        ])));
        app
    };
    snap("trust", trusted);
    snap("trust_empty", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenTrust));
        app.update(Action::worker(WorkerEvent::Trusted(vec![])));
        app
    });
    snap("trust_add", |w, h| {
        let mut app = trusted(w, h);
        app.trust.phase = TrustPhase::Naming(candidate(), "Rectorat de Lyon".into());
        app
    });
    snap("trust_remove", |w, h| {
        let mut app = trusted(w, h);
        app.update(Action::Move(1));
        app.update(Action::Trust(TrustMsg::Remove));
        app
    });
}

#[test]
fn snapshots_chooser_and_import() {
    snap("chooser_import", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenImport));
        app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
            "/home/medecin/Téléchargements",
        )))));
        app
    });
    snap("chooser_folder", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenBackup));
        app.update(Action::worker(WorkerEvent::Listing(Box::new(listing(
            "/media/medecin/CLE",
        )))));
        app
    });
    let importing = |w, h| {
        let mut app = inbox(w, h);
        avis::tui::screens::import::start(
            &mut app,
            PathBuf::from("/tmp/lot-2026-11.avis"),
            &mut Orders::default(),
        );
        app.update(Action::worker(WorkerEvent::Progress {
            label: "Import du lot".into(),
            done: 42,
            total: 100,
        }));
        app
    };
    snap("import_running", importing);
    snap("import_summary", |w, h| {
        let mut app = importing(w, h);
        app.update(Action::worker(WorkerEvent::Imported(Ok(report()))));
        app
    });
    snap("import_failed", |w, h| {
        let mut app = importing(w, h);
        app.update(Action::worker(WorkerEvent::Imported(Err(
            WorkerFailure::new(
                FailureKind::Bundle,
                "lot signé par une clé inconnue : acceptez d'abord la clé du rectorat (K)",
            ),
        ))));
        app
    });
}

fn paper_form(w: u16, h: u16) -> App {
    use avis::tui::screens::request::Msg as RequestMsg;
    let mut app = inbox(w, h).with_request(sample::loaded_request());
    app.update(Action::Resize(w, h));
    app.update(Action::Request(RequestMsg::SelectTab(3)));
    app.update(Action::Request(RequestMsg::AddPaper));
    app
}

#[test]
fn a_paper_piece_is_checked_then_recorded_on_the_worker() {
    use avis::tui::screens::paper::Msg as PaperMsg;
    let mut app = paper_form(80, 24);
    assert_eq!(app.screen, Screen::Paper);
    app.update(Action::Paper(PaperMsg::Category(1)));
    app.update(Action::Paper(PaperMsg::Next));
    for c in "03/05/2027".chars() {
        app.update(Action::Paper(PaperMsg::Input(c)));
    }
    // Dated after today: refused before anything is sent.
    assert!(app.update(Action::Paper(PaperMsg::Submit)).is_empty());
    assert!(app
        .paper
        .as_ref()
        .unwrap()
        .error
        .as_deref()
        .unwrap()
        .contains("après aujourd'hui"));
    for _ in 0..4 {
        app.update(Action::Paper(PaperMsg::Backspace));
    }
    for c in "2026".chars() {
        app.update(Action::Paper(PaperMsg::Input(c)));
    }
    app.update(Action::Paper(PaperMsg::Next));
    for c in "pli remis en main propre".chars() {
        app.update(Action::Paper(PaperMsg::Input(c)));
    }
    let cmds = app.update(Action::Paper(PaperMsg::Submit));
    match cmds.as_slice() {
        [WorkerCommand::AddPaper { id, doc }] => {
            assert_eq!(id, &sample::loaded_request().record.request.id);
            assert_eq!(doc.date, NaiveDate::from_ymd_opt(2026, 5, 3).unwrap());
            assert_eq!(doc.category, avis::domain::DocumentCategory::KNOWN[1]);
            assert_eq!(doc.note, "pli remis en main propre");
        }
        _ => panic!("no AddPaper command"),
    }
    app.update(Action::worker(WorkerEvent::PaperAdded(Box::new(
        sample::loaded_request(),
    ))));
    assert_eq!(app.screen, Screen::Request);
    assert!(app.paper.is_none());
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("papier enregistrée"));
}

#[test]
fn a_paper_piece_recorded_but_not_read_again_closes_the_form_and_says_so() {
    use avis::tui::screens::paper::Msg as PaperMsg;
    use avis::tui::worker::{Op, Reply, WorkerError};
    let mut app = paper_form(80, 24);
    app.update(Action::Paper(PaperMsg::Category(1)));
    app.update(Action::Paper(PaperMsg::Next));
    for c in "03/05/2026".chars() {
        app.update(Action::Paper(PaperMsg::Input(c)));
    }
    let cmds = app.update(Action::Paper(PaperMsg::Submit));
    let (sent, _) = cmds.with_ids().next().expect("AddPaper sent");
    let id = sample::loaded_request().record.request.id;
    app.update(Action::worker(Reply::to(
        sent,
        WorkerEvent::Failed(WorkerError::new(
            Op::PaperReload,
            Some(&id),
            WorkerFailure::new(
                FailureKind::Storage,
                "la pièce est enregistrée, la demande illisible",
            ),
        )),
    )));
    // Not offered again (it would be recorded twice), and said where the
    // doctor now is.
    assert!(app.paper.is_none());
    assert_eq!(app.screen, Screen::Request);
    let m = app.message.as_ref().unwrap();
    assert!(m.error && m.text.contains("enregistrée"), "{}", m.text);
}

#[test]
fn snapshots_paper_and_backup() {
    use avis::tui::screens::paper::Msg as PaperMsg;
    snap("paper", |w, h| {
        let mut app = paper_form(w, h);
        app.update(Action::Paper(PaperMsg::Next));
        for c in "03/05/2026".chars() {
            app.update(Action::Paper(PaperMsg::Input(c)));
        }
        app
    });
    snap("backup_passphrase", |w, h| {
        let mut app = inbox(w, h);
        avis::tui::screens::backup::start(&mut app, PathBuf::from("/media/medecin/CLE"));
        for c in "secret".chars() {
            app.update(Action::Backup(avis::tui::screens::backup::Msg::Input(c)));
        }
        app
    });
}

#[test]
fn snapshots_export_exists_and_unreadable_folder() {
    snap("export_exists", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenExport));
        app.update(Action::worker(WorkerEvent::ExportPreview(vec![
            avis::tui::worker::ExportItem {
                id: "AMX-2027-000035".into(),
                candidate: "FOURNIER Louise".into(),
                issuer_name: "Rectorat de test".into(),
            },
        ])));
        app.update(Action::worker(exists(
            "/media/medecin/CLE/avis-2026-11-26-n1.avis",
        )));
        app
    });
    snap("chooser_unreadable", |w, h| {
        let mut app = inbox(w, h);
        app.update(Action::Inbox(InboxMsg::OpenImport));
        let mut l = listing("/root");
        l.entries = Err(WorkerFailure::new(
            FailureKind::Io,
            "impossible de lire ce dossier : accès refusé",
        ));
        app.update(Action::worker(WorkerEvent::Listing(Box::new(l))));
        app
    });
}
