//! A draft that could not be saved on quitting is kept in a recovery file
//! sealed under the store's data key, never in the clear, and taken back
//! into the store at the next unlock.

#[path = "common/store_support.rs"]
mod store_support;

use avis::store::{Store, StoreOptions};
use avis::synth::SynthSpec;
use secrecy::SecretString;
use store_support::*;

#[test]
fn a_kept_draft_is_sealed_and_taken_back_at_the_next_unlock() {
    let t = TestStore::init();
    let spec = SynthSpec {
        requests: 2,
        documents_per_request: 1,
        document_size: 32,
        seed: 3,
    };
    let (bundle, _) = synthetic_bundle(&t, &spec);
    assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));
    let pass = SecretString::from(PASSPHRASE.to_string());
    let store = Store::open(&t.store, &pass, &StoreOptions::default()).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let id = store.summaries(today).unwrap()[0].id.clone();
    let mut draft = avis::tui::screens::editor::new_draft(&store.request(&id).unwrap());
    draft.opinion.motivation = "Texte gardé en secours pendant la panne".into();

    let path = store.keep_recovery(&id, &draft).unwrap();
    assert!(path.starts_with(&t.store), "kept inside the store");
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("gardé en secours"),
        "sealed, not in the clear"
    );
    assert!(!text.contains(&id), "the request id is sealed too");

    assert_eq!(store.take_recoveries().unwrap(), 1);
    assert!(
        !path.exists(),
        "the file goes once its draft is in the store"
    );
    assert_eq!(
        store.draft(&id).unwrap().unwrap().opinion.motivation,
        "Texte gardé en secours pendant la panne"
    );
    assert_eq!(store.take_recoveries().unwrap(), 0);
}

#[test]
fn a_recovery_file_moved_or_altered_is_left_alone() {
    let t = TestStore::init();
    let spec = SynthSpec {
        requests: 1,
        documents_per_request: 1,
        document_size: 32,
        seed: 4,
    };
    let (bundle, _) = synthetic_bundle(&t, &spec);
    assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));
    let pass = SecretString::from(PASSPHRASE.to_string());
    let store = Store::open(&t.store, &pass, &StoreOptions::default()).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let id = store.summaries(today).unwrap()[0].id.clone();
    let draft = avis::tui::screens::editor::new_draft(&store.request(&id).unwrap());
    let path = store.keep_recovery(&id, &draft).unwrap();
    // Renamed: its seal names the file, so it no longer opens.
    let moved = path.with_file_name("brouillon-1.secours");
    std::fs::rename(&path, &moved).unwrap();
    assert_eq!(store.take_recoveries().unwrap(), 0);
    assert!(
        moved.exists(),
        "a file that does not open is kept, not deleted"
    );
    assert!(store.draft(&id).unwrap().is_none());
}
