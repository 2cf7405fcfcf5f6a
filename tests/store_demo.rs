//! The store on the shipped demo data: a store made with the demo keys
//! (`Store::init_with_keys`, as `avis demo` does), the hand-built
//! `fixtures/demo.avis` (age, minisign and GNU tar) imported, every
//! document read back, `demo-update.avis` replacing two requests while
//! keeping their drafts, and an export the demo rectorat can read.

#[path = "common/store_support.rs"]
mod store_support;

use std::path::Path;

use avis::domain::{Opinion, Status};
use avis::store::{ExportOptions, ImportOptions, ImportOutcome, Store, StoreOptions};
use store_support::read_opinions_bundle;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn root(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn demo_bundles_import_update_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let store = Store::init_with_keys(
        &dir,
        &"démonstration".to_string().into(),
        "Dr Claire Martin (démo)",
        None,
        &read("keys/demo-doctor.agekey"),
        &read("keys/demo-doctor.minisign.key"),
        &StoreOptions {
            kdf_log_n: Some(10),
        },
    )
    .unwrap();
    assert_eq!(
        store.public_keys().age_recipient,
        read("keys/demo-doctor.age.pub").trim()
    );
    store
        .trust_add(
            &read("keys/demo-rectorat.minisign.pub"),
            "Rectorat d'Aix-Marseille - DIEC (démo)",
        )
        .unwrap();

    let outcome = store
        .import(
            &root("fixtures/demo.avis"),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    let ImportOutcome::Imported {
        requests, updated, ..
    } = outcome
    else {
        panic!("not imported: {outcome:?}");
    };
    assert_eq!((requests, updated), (39, 0));

    // Every document of every request comes back intact.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let summaries = store.summaries(today).unwrap();
    assert_eq!(summaries.len(), 39);
    assert!(
        summaries.iter().any(|s| s.alerts > 0),
        "checks are evaluated"
    );
    let mut docs = 0;
    for s in &summaries {
        for d in &store.request(&s.id).unwrap().request.documents {
            let bytes = store.document(&d.sha256).unwrap();
            assert!(!bytes.is_empty());
            docs += 1;
        }
    }
    assert!(docs >= 39);

    // Drafts on the two requests that get a version 2.
    for id in ["AMX-2027-000010", "AMX-2027-000014"] {
        let path = format!("fixtures/opinions/{id}.json");
        let opinion: Opinion = if root(&path).exists() {
            serde_json::from_str(&read(&path)).unwrap()
        } else {
            let mut o: Opinion =
                serde_json::from_str(&read("fixtures/opinions/AMX-2027-000001.json")).unwrap();
            o.request_id = id.into();
            o
        };
        store.apply_opinion(&opinion).unwrap();
    }
    let outcome = store
        .import(
            &root("fixtures/demo-update.avis"),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Imported { updated: 2, .. }),
        "{outcome:?}"
    );
    for id in ["AMX-2027-000010", "AMX-2027-000014"] {
        let record = store.request(id).unwrap();
        assert_eq!(record.versions, vec![1, 2]);
        assert_eq!(record.request.version, 2);
        for d in &record.request.documents {
            store.document(&d.sha256).unwrap();
        }
        let draft = store.draft(id).unwrap().unwrap();
        assert!(draft.written_against_older_version);
        assert_eq!(store.status(id).unwrap(), Status::Brouillon);
    }
    // The same bundle again: a no-op.
    let again = store
        .import(
            &root("fixtures/demo-update.avis"),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyImported { .. }));

    // A clean fixture opinion validates and exports to the demo rectorat.
    let id = "AMX-2027-000001";
    let opinion: Opinion =
        serde_json::from_str(&read(&format!("fixtures/opinions/{id}.json"))).unwrap();
    store.apply_opinion(&opinion).unwrap();
    store.validate(id, today).unwrap();
    let out = tmp.path().join("reponse.avis");
    let files = store
        .export(&out, &ExportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(files.len(), 1);
    let rectorat: age::x25519::Identity = read("keys/demo-rectorat.agekey")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .parse()
        .unwrap();
    let verified = read_opinions_bundle(&out, rectorat, store.public_keys().signing_key);
    assert_eq!(verified.records.len(), 1);
    assert_eq!(verified.records[0].0, id);
    assert_eq!(
        verified.manifest.in_reply_to,
        vec!["6f1c2b9e-4a57-4d3e-9b8a-0d5e7c3a2f11".to_string()]
    );
    assert!(store.journal_verify().unwrap() >= 6);
}
