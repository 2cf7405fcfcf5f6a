//! Retention: nothing is purged before the delay; after it, the exported
//! dossiers' pièces and request content leave the store files for good
//! (the bytes of the bundle as received are found nowhere on disk), while
//! the exported avis, the request id, the journal (which still verifies),
//! export `--encore`, the figures and the other dossiers stay intact.

#[path = "common/papers_support.rs"]
mod papers_support;

use std::path::Path;

use avis::domain::Status;
use avis::figures::{self, Period};
use avis::store::{ExportOptions, Store, StoreOptions};
use chrono::{Duration, Months, Utc};
use papers_support::*;

const PURGED: [&str; 2] = ["AMX-2027-000001", "AMX-2027-000008"];
const LIVE: &str = "AMX-2027-000002";
const NOTE: &str = "note privée à ne pas garder";

/// Windows of `bytes` (every 4 KiB, 48 bytes long).
fn windows(bytes: &[u8]) -> Vec<Vec<u8>> {
    (0..bytes.len().saturating_sub(48))
        .step_by(4096)
        .map(|i| bytes[i..i + 48].to_vec())
        .collect()
}

/// The windows found in some file under `dir`.
fn found(dir: &Path, needles: &[Vec<u8>]) -> usize {
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(std::fs::read(&path).unwrap());
            }
        }
    }
    walk(dir, &mut files);
    needles
        .iter()
        .filter(|n| {
            files
                .iter()
                .any(|f| f.windows(n.len()).any(|w| w == n.as_slice()))
        })
        .count()
}

#[test]
fn purge_after_the_delay_only_and_for_good() {
    let demo = demo_store();
    let Demo { tmp, dir, store } = demo;
    let mut store = store;
    for id in PURGED {
        validate_with_note(&store, &granting_opinion(&store, id), NOTE);
    }
    export_all(&store, tmp.path(), 1);
    store
        .apply_opinion(&granting_opinion(&store, LIVE))
        .unwrap();
    let live_docs: Vec<String> = store
        .request(LIVE)
        .unwrap()
        .request
        .documents
        .iter()
        .map(|d| d.sha256.clone())
        .collect();
    let purged_docs: Vec<String> = PURGED
        .iter()
        .flat_map(|id| store.request(id).unwrap().request.documents)
        .map(|d| d.sha256)
        .filter(|sha| !live_docs.contains(sha))
        .collect();
    assert!(!purged_docs.is_empty());
    let opinions_before: Vec<_> = PURGED
        .iter()
        .map(|id| store.draft(id).unwrap().unwrap().opinion)
        .collect();
    let figures_before =
        figures::compute(&figures::facts(&store, review_day()).unwrap(), &Period::All);
    let bundles = dir.join("bundles");
    let original = std::fs::read_dir(&bundles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    let needles = windows(&std::fs::read(&original).unwrap());
    assert_eq!(
        found(&dir, &needles),
        needles.len(),
        "témoin : le lot reçu est sur le disque"
    );

    let now = Utc::now();
    // Before the delay (12 months by default): nothing due, nothing done.
    let early = now.checked_add_months(Months::new(11)).unwrap();
    assert!(store.purge_due(early).unwrap().is_empty());
    let report = store.purge(early, &mut |_| {}).unwrap();
    assert!(report.purged.is_empty());
    assert!(original.exists());
    for id in PURGED {
        assert!(store.request(id).is_ok());
    }

    // After it: the two exported dossiers, not the draft.
    let late = now.checked_add_months(Months::new(12)).unwrap() + Duration::days(1);
    let due: Vec<String> = store
        .purge_due(late)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(due, PURGED);
    let report = store.purge(late, &mut |_| {}).unwrap();
    assert_eq!(report.purged, PURGED);
    assert!(
        report.files_removed >= 1 && report.files_written >= 1,
        "{report:?}"
    );

    // Gone from the store…
    for id in PURGED {
        assert!(store.request(id).is_err());
        assert_eq!(store.status(id).unwrap(), Status::Exporte);
        let draft = store.draft(id).unwrap().unwrap();
        assert!(draft.private_notes.is_empty());
        assert!(store.purged_dossier(id).unwrap().is_some());
    }
    for sha in &purged_docs {
        assert!(store.document(sha).is_err(), "pièce {sha} encore lisible");
    }
    // …and from its files: no window of the bundle as received remains.
    assert!(!original.exists());
    assert_eq!(
        found(&dir, &needles),
        0,
        "octets du lot reçu encore sur le disque"
    );

    // What stays works.
    for (id, before) in PURGED.iter().zip(&opinions_before) {
        assert_eq!(&store.draft(id).unwrap().unwrap().opinion, before);
    }
    for sha in &live_docs {
        assert!(!store.document(sha).unwrap().is_empty());
    }
    assert!(store.request(LIVE).is_ok());
    let events = store.journal(None).unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "purge").count(), 2);
    assert_eq!(store.journal_verify().unwrap(), events.len() as u64);
    let figures_after =
        figures::compute(&figures::facts(&store, review_day()).unwrap(), &Period::All);
    assert_eq!(figures_after, figures_before);
    let files = store
        .export(
            &tmp.path().join("encore.avis"),
            &ExportOptions {
                again: vec![PURGED[0].to_string()],
                ..Default::default()
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(files[0].opinions, 1);
    assert!(store.purge_due(late).unwrap().is_empty());
    let summaries = store.summaries(review_day()).unwrap();
    assert_eq!(summaries.len(), 39 - PURGED.len());

    // The store reopens as purged.
    store.lock().unwrap();
    let store = Store::open(
        &dir,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    assert!(store.request(PURGED[1]).is_err());
    assert!(store.request(LIVE).is_ok());
    assert!(store.journal_verify().is_ok());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with("db."), "reste de la réécriture : {name}");
    }
}

#[test]
fn purge_simulation_lists_nothing_on_a_fresh_export() {
    let demo = demo_store();
    validate_with_note(&demo.store, &granting_opinion(&demo.store, PURGED[0]), NOTE);
    export_all(&demo.store, demo.tmp.path(), 1);
    let Demo { tmp, dir, store } = demo;
    std::fs::write(dir.join("settings.json"), r#"{"retention_months": 6}"#).unwrap();
    store.lock().unwrap();
    let phrase = tmp.path().join("phrase");
    std::fs::write(&phrase, format!("{PASSPHRASE}\n")).unwrap();
    let avis = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_avis"))
            .env("AVIS_STORE", &dir)
            .env("AVIS_PASSPHRASE_FILE", &phrase)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let out = avis(&["purge", "--simulation"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Aucun dossier à purger (conservation : 6 mois"),
        "{text}"
    );
    let out = avis(&["purge"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(
        &dir,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    assert!(store.request(PURGED[0]).is_ok());
}

/// A bundle of the demo rectorat (sequence 3) holding `request` alone.
fn resent_bundle(dir: &Path, request: &serde_json::Value) -> std::path::PathBuf {
    let input = dir.join("renvoi");
    std::fs::create_dir_all(input.join("requests")).unwrap();
    std::fs::create_dir_all(input.join("documents")).unwrap();
    let id = request["id"].as_str().unwrap();
    std::fs::write(
        input.join("requests").join(format!("{id}.json")),
        serde_json::to_vec_pretty(request).unwrap(),
    )
    .unwrap();
    let out = dir.join("renvoi.avis");
    let pack = std::process::Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["rectorat", "pack", "--requests"])
        .arg(&input)
        .arg("--sign-key")
        .arg(root("keys/demo-rectorat.minisign.key"))
        .args([
            "--issuer-name",
            "Rectorat d'Aix-Marseille - DIEC (démo)",
            "--reply-to",
            read("keys/demo-rectorat.age.pub").trim(),
            "--to",
            read("keys/demo-doctor.age.pub").trim(),
            "--sequence",
            "3",
            "-o",
        ])
        .arg(&out)
        .env_remove("AVIS_PASSPHRASE_FILE")
        .output()
        .unwrap();
    assert!(
        pack.status.success(),
        "{}",
        String::from_utf8_lossy(&pack.stderr)
    );
    out
}

#[test]
fn a_purged_request_sent_again_is_to_review_not_exported() {
    let Demo { tmp, store, .. } = demo_store();
    let mut store = store;
    let id = PURGED[0];
    let mut request: serde_json::Value =
        serde_json::from_str(&read(&format!("fixtures/requests/{id}.json"))).unwrap();
    validate_with_note(&store, &granting_opinion(&store, id), NOTE);
    export_all(&store, tmp.path(), 1);
    let late = Utc::now().checked_add_months(Months::new(13)).unwrap();
    let report = store.purge(late, &mut |_| {}).unwrap();
    assert_eq!(report.purged, [id]);
    assert_eq!(store.status(id).unwrap(), Status::Exporte);

    // The rectorat sends the request again (a new version, no pièce).
    request["version"] = serde_json::json!(request["version"].as_u64().unwrap() + 1);
    request["documents"] = serde_json::json!([]);
    let bundle = resent_bundle(tmp.path(), &request);
    store
        .import(&bundle, &avis::store::ImportOptions::default(), &mut |_| {})
        .unwrap();
    let line = store
        .summaries(review_day())
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_ne!(
        line.status,
        Status::Exporte,
        "la demande renvoyée reste « exporté »"
    );
    assert_eq!(store.status(id).unwrap(), line.status);
    // The former avis is kept as a draft to review against the new version.
    assert_eq!(line.status, Status::Brouillon);
    assert!(
        store
            .draft(id)
            .unwrap()
            .unwrap()
            .written_against_older_version
    );
    // It is a live dossier again: no longer among the purged ones, so
    // neither counted twice by the figures nor purged again at once.
    assert!(store.purged_dossier(id).unwrap().is_none());
    let facts = figures::facts(&store, review_day()).unwrap();
    let all = figures::compute(&facts, &Period::All);
    assert_eq!(
        all.received as usize,
        store.summaries(review_day()).unwrap().len()
    );
    assert!(store.purge_due(late).unwrap().is_empty());
}
