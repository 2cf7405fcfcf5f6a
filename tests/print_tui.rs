//! The TUI's print key, CSV export and purge count, through the real
//! worker on a demo store: the PDF of each exported avis (and the DGER
//! form for the agricultural exam) in `avis-imprimes/`, opened by
//! pdftotext; a second print and a second CSV never replace a file; a
//! draft does not print.

#[path = "common/papers_support.rs"]
mod papers_support;

use std::sync::mpsc;
use std::time::Duration;

use avis::figures::Period;
use avis::tui::event::Event;
use avis::tui::worker::{
    self, CommandId, FailureKind, Order, Reply, StoreSource, WorkerCommand, WorkerEvent,
};
use papers_support::*;

/// The id of the last command sent.
static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sends `command` with the next id.
fn send(tx: &mpsc::Sender<Order>, command: WorkerCommand) -> Result<(), mpsc::SendError<Order>> {
    let id = CommandId(SENT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1);
    tx.send(Order { id, command })
}

/// The first reply that is not progress, which answers the last command.
fn reply(rx: &mpsc::Receiver<Event>) -> WorkerEvent {
    let last = CommandId(SENT.load(std::sync::atomic::Ordering::SeqCst));
    loop {
        match rx.recv_timeout(Duration::from_secs(120)).unwrap() {
            Event::Worker(Reply { to, event }) => {
                assert_eq!(to, Some(last), "{event:?}");
                if !matches!(event, WorkerEvent::Progress { .. }) {
                    return event;
                }
            }
            Event::Input(_) => continue,
        }
    }
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn print_and_csv_from_the_tui_never_replace_a_file() {
    if !tool_or_skip("pdftotext") {
        return;
    }
    let demo = demo_store();
    for id in ["AMX-2027-000001", "AMX-2027-000008"] {
        let opinion = granting_opinion(&demo.store, id);
        validate_with_note(&demo.store, &opinion, "NOTE PRIVÉE à ne pas imprimer");
    }
    export_all(&demo.store, demo.tmp.path(), 1);
    let Demo { tmp, dir, store } = demo;
    store.lock().unwrap();
    let work = tmp.path().join("bureau");
    std::fs::create_dir(&work).unwrap();
    // The worker writes in the folder avis was started in (the only test
    // of this file changes it).
    std::env::set_current_dir(&work).unwrap();

    let (ctx, crx) = mpsc::channel();
    let (etx, erx) = mpsc::channel();
    let handle = worker::spawn(StoreSource::Dir(dir), review_day(), None, crx, etx).unwrap();
    send(&ctx, WorkerCommand::Unlock(PASSPHRASE.to_string().into())).unwrap();
    assert!(matches!(reply(&erx), WorkerEvent::Unlocked(_)));

    send(&ctx, WorkerCommand::Print(None)).unwrap();
    let WorkerEvent::Printed(Ok((out_dir, files))) = reply(&erx) else {
        panic!("impression refusée");
    };
    assert_eq!(out_dir, work.join("avis-imprimes"));
    assert_eq!(files.len(), 3);
    assert_eq!(
        names(&out_dir),
        [
            "avis-AMX-2027-000001.pdf",
            "avis-AMX-2027-000008.pdf",
            "formulaire-dger-AMX-2027-000008.pdf"
        ]
    );
    let first = std::fs::read(out_dir.join("avis-AMX-2027-000001.pdf")).unwrap();
    let text = folded(&pdftotext(&out_dir.join("avis-AMX-2027-000001.pdf")));
    assert!(text.contains("Dr Claire Martin (démo)"), "{text}");
    assert!(!text.contains("NOTE PRIVÉE"));

    // Again, one avis: a new name, the first file untouched.
    send(&ctx, WorkerCommand::Print(Some("AMX-2027-000001".into()))).unwrap();
    let WorkerEvent::Printed(Ok((_, files))) = reply(&erx) else {
        panic!("seconde impression refusée");
    };
    assert_eq!(
        files[0].file_name().unwrap().to_string_lossy(),
        "avis-AMX-2027-000001 (2).pdf"
    );
    assert_eq!(
        std::fs::read(out_dir.join("avis-AMX-2027-000001.pdf")).unwrap(),
        first
    );
    // A request without an exported avis does not print.
    send(&ctx, WorkerCommand::Print(Some("AMX-2027-000002".into()))).unwrap();
    let WorkerEvent::Printed(Err(msg)) = reply(&erx) else {
        panic!("un avis non exporté imprimé");
    };
    assert_eq!(msg.kind(), &FailureKind::Refused);
    assert!(msg.to_string().contains("n'est pas exporté"), "{msg}");

    // The figures, then their CSV twice.
    send(&ctx, WorkerCommand::Figures(None)).unwrap();
    let WorkerEvent::Figures {
        asked: None,
        result: Ok((period, seasons, figures)),
    } = reply(&erx)
    else {
        panic!("bilan refusé");
    };
    assert_eq!(
        Some(&period),
        seasons.last().map(|s| Period::Season(s.clone())).as_ref()
    );
    assert!(figures.received > 0);
    for _ in 0..2 {
        send(&ctx, WorkerCommand::FiguresCsv(Period::All)).unwrap();
        let WorkerEvent::FiguresCsv(Ok(path)) = reply(&erx) else {
            panic!("CSV refusé");
        };
        let csv = std::fs::read_to_string(&path).unwrap();
        assert!(csv.starts_with("\u{feff}rubrique;code;"));
        assert!(csv.contains("activité;exportees;Avis exportés;2;"), "{csv}");
        assert!(!csv.contains("AMX-2027"), "un identifiant dans le bilan");
    }
    let csvs: Vec<String> = names(&work)
        .into_iter()
        .filter(|n| n.ends_with(".csv"))
        .collect();
    assert_eq!(csvs.len(), 2, "{csvs:?}");
    assert_eq!(csvs, ["bilan-tous (2).csv", "bilan-tous.csv"]);

    // Once the doctor chose the exports' folder, papers go there.
    let exports = tmp.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    send(&ctx, WorkerCommand::SetExportFolder(exports.clone())).unwrap();
    assert!(matches!(reply(&erx), WorkerEvent::ExportDestination(_)));
    send(&ctx, WorkerCommand::Print(Some("AMX-2027-000001".into()))).unwrap();
    let WorkerEvent::Printed(Ok((out_dir, _))) = reply(&erx) else {
        panic!("impression dans le dossier des exports refusée");
    };
    assert_eq!(
        out_dir,
        exports.canonicalize().unwrap().join("avis-imprimes")
    );
    send(&ctx, WorkerCommand::FiguresCsv(Period::All)).unwrap();
    let WorkerEvent::FiguresCsv(Ok(path)) = reply(&erx) else {
        panic!("CSV dans le dossier des exports refusé");
    };
    assert_eq!(
        path.parent(),
        Some(exports.canonicalize().unwrap().as_path())
    );

    // Nothing is due right after the export.
    send(&ctx, WorkerCommand::PurgeDue).unwrap();
    let WorkerEvent::PurgeDue(Ok(due)) = reply(&erx) else {
        panic!("décompte de la purge refusé");
    };
    assert_eq!((due.dossiers, due.months), (0, 12));

    send(&ctx, WorkerCommand::Shutdown).unwrap();
    handle.join().unwrap();
}
