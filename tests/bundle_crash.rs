//! The staged import's commit and apply steps, crashed at each point: the
//! next opening finishes the import (all of it, the journal intact) and
//! removes the redo log; crashed before the commit, nothing is imported.

#[path = "common/store_support.rs"]
mod store_support;

use avis::synth::SynthSpec;
use store_support::*;

/// Opens the store, waiting while a just-ended process still holds it.
fn open(t: &TestStore) -> avis::store::Store {
    for _ in 0..120 {
        match avis::store::Store::open(
            &t.store,
            &PASSPHRASE.to_string().into(),
            &avis::store::StoreOptions::default(),
        ) {
            Err(avis::store::StoreError::Busy) => {
                std::thread::sleep(std::time::Duration::from_millis(250))
            }
            other => return other.unwrap(),
        }
    }
    panic!("store still busy");
}

fn crash_then_reopen(requests: usize, point: &str) -> usize {
    let t = TestStore::init();
    let spec = SynthSpec {
        requests,
        documents_per_request: 1,
        document_size: 64,
        seed: 31,
    };
    let (bundle, sources) = synthetic_bundle(&t, &spec);
    let out = t
        .command()
        .env("AVIS_TEST_CRASH_AT", point)
        .args(["import", bundle.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{point}: did not crash");
    let listed = t.json(&["list", "--json"]).as_array().unwrap().len();
    if listed > 0 {
        assert_documents_identical(&t, &sources, requests);
    }
    let store = open(&t);
    store.journal_verify().unwrap();
    let imports = store
        .journal(None)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "import")
        .count();
    drop(store);
    assert!(
        !t.store.join("import-redo").exists(),
        "{point}: redo log left"
    );
    if listed > 0 {
        assert_eq!(imports, 1, "{point}");
        // Imported once: the same bundle again is a no-op.
        let again = stdout(&t.avis(&["import", bundle.to_str().unwrap()]));
        assert!(again.contains("déjà"), "{point}: {again}");
    } else {
        assert_eq!(imports, 0, "{point}");
        assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));
        assert_eq!(
            t.json(&["list", "--json"]).as_array().unwrap().len(),
            requests
        );
    }
    listed
}

#[test]
fn crash_after_the_commit_is_finished_at_the_next_opening() {
    for point in ["import:committed", "import:applied"] {
        let listed = crash_then_reopen(30, point);
        assert_eq!(listed, 30, "{point}");
    }
}

#[test]
fn crash_while_applying_a_large_import_is_finished_at_the_next_opening() {
    // Enough entries for the apply step to pass several batches.
    let listed = crash_then_reopen(1_500, "import:applying");
    assert_eq!(listed, 1_500);
}

#[test]
fn crash_before_the_commit_leaves_nothing_and_no_redo_log() {
    let listed = crash_then_reopen(30, "import:staged");
    assert_eq!(listed, 0);
}
