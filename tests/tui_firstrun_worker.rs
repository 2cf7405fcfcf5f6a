//! The worker's side of the first run and of the screens that replace the
//! command line (issue 15), on a real store in a temporary folder: create,
//! keys file, folder listing, key file, trust add and remove, the chooser's
//! last folder kept in the store, backup under a name not taken. The
//! test-hooks build lowers the KDF (`AVIS_TEST_KDF_LOG_N`).

use std::sync::mpsc;
use std::time::Duration;

use avis::tui::event::Event;
use avis::tui::worker::{
    self, CommandId, FailureKind, Order, Reply, StoreSource, WorkerCommand, WorkerEvent,
};
use chrono::NaiveDate;
use secrecy::SecretString;

struct Worker {
    tx: mpsc::Sender<Order>,
    rx: mpsc::Receiver<Event>,
    /// The id of the last command sent.
    sent: std::cell::Cell<u64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    fn start(dir: &std::path::Path) -> Worker {
        let (tx, cmd_rx) = mpsc::channel();
        let (ev_tx, rx) = mpsc::channel();
        let handle = worker::spawn(
            StoreSource::Dir(dir.to_path_buf()),
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            None,
            cmd_rx,
            ev_tx,
        )
        .unwrap();
        Worker {
            tx,
            rx,
            sent: Default::default(),
            handle: Some(handle),
        }
    }

    /// Sends `command` with the next id.
    fn send(&self, command: WorkerCommand) -> CommandId {
        let id = CommandId(self.sent.get() + 1);
        self.sent.set(id.0);
        self.tx.send(Order { id, command }).unwrap();
        id
    }

    /// Sends `cmd` and returns the first reply that is not progress; every
    /// reply, progress included, says it answers that command.
    fn ask(&self, cmd: WorkerCommand) -> WorkerEvent {
        let id = self.send(cmd);
        loop {
            match self.rx.recv_timeout(Duration::from_secs(60)).unwrap() {
                Event::Worker(Reply { to, event }) => {
                    assert_eq!(to, Some(id), "{event:?}");
                    if !matches!(event, WorkerEvent::Progress { .. }) {
                        return event;
                    }
                }
                Event::Input(_) => continue,
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let id = CommandId(self.sent.get() + 1);
        let _ = self.tx.send(Order {
            id,
            command: WorkerCommand::Shutdown,
        });
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn pass() -> SecretString {
    SecretString::from("une phrase de passe de test".to_string())
}

#[test]
fn the_worker_creates_the_store_and_does_what_the_screens_ask() {
    std::env::set_var("AVIS_TEST_KDF_LOG_N", "10");
    let tmp = tempfile::tempdir().unwrap();
    let store_dir = tmp.path().join("magasin");
    let out = tmp.path().join("cle");
    std::fs::create_dir(&out).unwrap();
    let w = Worker::start(&store_dir);

    let created = w.ask(WorkerCommand::Create {
        name: "Dr Claire Martin".into(),
        rpps: Some("10001234567".into()),
        passphrase: pass(),
    });
    let WorkerEvent::Created(keys, _) = created else {
        panic!("not created: {created:?}");
    };
    assert_eq!(keys.doctor, "Dr Claire Martin");
    assert_eq!(keys.fingerprint.split(' ').count(), 5);
    assert!(avis::store::Store::exists(&store_dir));
    // A second creation is refused, in French.
    let again = w.ask(WorkerCommand::Create {
        name: "X".into(),
        rpps: None,
        passphrase: pass(),
    });
    assert!(
        matches!(&again, WorkerEvent::CreateFailed(f)
            if f.kind() == &FailureKind::StoreExists && f.to_string().contains("magasin")),
        "{again:?}"
    );

    // The keys file, twice: never over the first.
    for name in ["cles-avis.json", "cles-avis-2.json"] {
        let written = w.ask(WorkerCommand::WriteKeys(out.clone()));
        assert!(
            matches!(&written, WorkerEvent::KeysWritten(Ok(p)) if p.ends_with(name)),
            "{written:?}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cles-avis.json")).unwrap())
            .unwrap();
    assert_eq!(json["fingerprint"], keys.fingerprint.as_str());

    // The folder listed, hidden entries left out.
    std::fs::write(out.join(".cache"), b"").unwrap();
    let listing = w.ask(WorkerCommand::ListFolder {
        dir: Some(out.clone()),
        last: None,
    });
    let WorkerEvent::Listing(l) = listing else {
        panic!("{listing:?}");
    };
    let names: Vec<String> = l.entries.unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A key file that is not one is refused; the rectorat's is read.
    let bad = w.ask(WorkerCommand::ReadKeyFile(out.join("cles-avis.json")));
    assert!(matches!(bad, WorkerEvent::KeyFile(Err(_))));
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read = w.ask(WorkerCommand::ReadKeyFile(
        root.join("keys/demo-rectorat.minisign.pub"),
    ));
    let WorkerEvent::KeyFile(Ok(candidate)) = read else {
        panic!("{read:?}");
    };
    let trusted = w.ask(WorkerCommand::TrustAdd {
        text: candidate.text.clone(),
        name: "Rectorat de test".into(),
    });
    assert!(
        matches!(&trusted, WorkerEvent::Trusted(l) if l.len() == 1 && l[0].fingerprint == candidate.fingerprint),
        "{trusted:?}"
    );
    let removed = w.ask(WorkerCommand::TrustRemove(candidate.signing_key.clone()));
    assert!(
        matches!(&removed, WorkerEvent::Trusted(l) if l.is_empty()),
        "{removed:?}"
    );
    let gone = w.ask(WorkerCommand::TrustRemove(candidate.signing_key));
    assert!(matches!(gone, WorkerEvent::Failed(_)));

    // The chooser's last folder is kept in the store.
    w.send(WorkerCommand::RememberFolder(out.clone()));
    let listing = w.ask(WorkerCommand::ListFolder {
        dir: None,
        last: None,
    });
    assert!(
        matches!(&listing, WorkerEvent::Listing(l) if l.dir == out),
        "{listing:?}"
    );

    // A backup, twice: the second under another name; a wrong passphrase refused.
    for name in [
        "avis-sauvegarde-2026-11-26.age",
        "avis-sauvegarde-2026-11-26-2.age",
    ] {
        let done = w.ask(WorkerCommand::Backup {
            dir: out.clone(),
            passphrase: pass(),
        });
        assert!(
            matches!(&done, WorkerEvent::BackedUp(Ok(r)) if r.path.ends_with(name)),
            "{done:?}"
        );
    }
    let wrong = w.ask(WorkerCommand::Backup {
        dir: out.clone(),
        passphrase: SecretString::from("mauvaise phrase".to_string()),
    });
    assert!(matches!(wrong, WorkerEvent::BackedUp(Err(_))));
    assert!(!out.join("avis-sauvegarde-2026-11-26-3.age").exists());
}

#[test]
fn an_import_from_the_tui_reports_new_updated_unchanged_and_to_review() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let passphrase = SecretString::from("démonstration".to_string());
    let store = avis::store::Store::init_with_keys(
        &dir,
        &passphrase,
        "Dr Claire Martin (démo)",
        None,
        &read("keys/demo-doctor.agekey"),
        &read("keys/demo-doctor.minisign.key"),
        &avis::store::StoreOptions {
            kdf_log_n: Some(10),
        },
    )
    .unwrap();
    store
        .trust_add(&read("keys/demo-rectorat.minisign.pub"), "Rectorat (démo)")
        .unwrap();
    store.lock().unwrap();

    let w = Worker::start(&dir);
    assert!(matches!(
        w.ask(WorkerCommand::Unlock(passphrase)),
        WorkerEvent::Unlocked(_)
    ));
    let first = w.ask(WorkerCommand::Import(root.join("fixtures/demo.avis")));
    let WorkerEvent::Imported(Ok(r)) = first else {
        panic!("{first:?}");
    };
    assert_eq!((r.new, r.updated, r.unchanged, r.to_review), (39, 0, 0, 0));
    assert!(!r.already);
    // One avis started, then the rectorat's update of two requests.
    let loaded = w.ask(WorkerCommand::LoadRequest("AMX-2027-000010".into()));
    let WorkerEvent::Request(loaded) = loaded else {
        panic!("{loaded:?}");
    };
    let draft = avis::domain::Draft::new_for(&loaded.record.request);
    assert!(matches!(
        w.ask(WorkerCommand::SaveDraft {
            id: "AMX-2027-000010".into(),
            draft: Box::new(draft),
        }),
        WorkerEvent::Saved { .. }
    ));
    let update = w.ask(WorkerCommand::Import(
        root.join("fixtures/demo-update.avis"),
    ));
    let WorkerEvent::Imported(Ok(r)) = update else {
        panic!("{update:?}");
    };
    assert_eq!((r.new, r.updated, r.to_review), (0, 2, 1), "{r:?}");
    let again = w.ask(WorkerCommand::Import(
        root.join("fixtures/demo-update.avis"),
    ));
    assert!(matches!(again, WorkerEvent::Imported(Ok(r)) if r.already));
    // A file that is not a bundle: refused in French, nothing changed.
    let bad = w.ask(WorkerCommand::Import(
        root.join("keys/demo-rectorat.minisign.pub"),
    ));
    assert!(
        matches!(&bad, WorkerEvent::Imported(Err(f)) if f.kind() == &FailureKind::Bundle),
        "{bad:?}"
    );
}
