//! No plaintext at rest: after imports, drafts with private notes,
//! validation and export, a scan of every file of the store finds no
//! candidate name, medical word, request id, document content, private note
//! or secret key; documents are read back from the encrypted bundle files;
//! private notes never leave in an export.

#[path = "common/store_support.rs"]
mod store_support;

use std::path::Path;

use avis::domain::Draft;
use avis::store::{ExportOptions, ImportOptions, Store, StoreOptions};
use store_support::*;

const NAME: &str = "Quasimodozebulon";
const DOC_MARK: &str = "MARQUEUR-PIECE-EN-CLAIR";
const NOTE: &str = "NOTE-PRIVEE-CONFIDENTIELLE";
const MOTIVATION: &str = "MOTIVATION-EN-CLAIR";

fn scan(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            found.extend(scan(&path, needles));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for n in needles {
            if bytes.windows(n.len()).any(|w| w == *n) {
                found.push(format!(
                    "{} in {}",
                    String::from_utf8_lossy(n),
                    path.display()
                ));
            }
        }
    }
    found
}

#[test]
fn nothing_in_clear_on_disk_and_notes_never_exported() {
    let t = TestStore::init();
    let r = Rectorat::trusted_by(&t, "Rectorat");
    let doc = format!("%PDF {DOC_MARK} bilan orthophonique dyslexie")
        .repeat(100)
        .into_bytes();
    let sha = sha256_hex(&doc);
    let requests: Vec<(String, String)> = (1..=3)
        .map(|i| {
            let id = format!("AMX-2027-00000{i}");
            let json = request_json(&id, 1, NAME, std::slice::from_ref(&sha));
            (id, json)
        })
        .collect();
    let dir = pack_dir(&t.path("in"), &requests, std::slice::from_ref(&doc));
    let bundle = t.path("lot.avis");
    assert_success(&r.pack(&t, &dir, 1, &bundle));
    // Armored input is accepted and kept as binary age.
    let armored = t.path("lot-armure.avis");
    let raw = std::fs::read(&bundle).unwrap();
    let mut w = age::armor::ArmoredWriter::wrap_output(
        std::fs::File::create(&armored).unwrap(),
        age::armor::Format::AsciiArmor,
    )
    .unwrap();
    std::io::Write::write_all(&mut w, &raw).unwrap();
    w.finish().unwrap();

    let pass = PASSPHRASE.to_string().into();
    let store = Store::open(&t.store, &pass, &StoreOptions::default()).unwrap();
    store
        .import(&armored, &ImportOptions::default(), &mut |_| {})
        .unwrap();
    let kept = std::fs::read_dir(t.store.join("bundles"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(std::fs::read(&kept)
        .unwrap()
        .starts_with(b"age-encryption.org/v1\n"));

    // Documents come back decrypted, in memory.
    assert_eq!(&store.document(&sha).unwrap()[..], &doc[..]);
    assert!(store.document(&"0".repeat(64)).is_err());

    // A draft with private notes, validated and exported.
    let id = "AMX-2027-000001";
    let mut opinion: avis::domain::Opinion = serde_json::from_str(&opinion_json(id, 1)).unwrap();
    opinion.motivation = MOTIVATION.into();
    store.apply_opinion(&opinion).unwrap();
    let mut draft: Draft = store.draft(id).unwrap().unwrap();
    draft.private_notes = NOTE.into();
    store.save_draft(id, &draft).unwrap();
    assert_eq!(store.draft(id).unwrap().unwrap().private_notes, NOTE);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    store.validate(id, today).unwrap();
    let out = t.path("export.avis");
    let files = store
        .export(&out, &ExportOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].opinions, 1);
    drop(store);

    // The rectorat reads the export: no private notes in it.
    let rid: age::x25519::Identity = std::fs::read_to_string(&r.identity)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let keys = t.json(&["keys", "show", "--json"]);
    let verified = read_opinions_bundle(&out, rid, keys["signing_key"].as_str().unwrap().into());
    assert_eq!(verified.records.len(), 1);
    let text = String::from_utf8(verified.records[0].1.clone()).unwrap();
    assert!(text.contains(MOTIVATION));
    assert!(!text.contains(NOTE), "private notes were exported");

    // Nothing readable at rest.
    let needles: Vec<&[u8]> = vec![
        NAME.as_bytes(),
        NAME.to_uppercase().as_bytes().to_vec().leak(),
        b"Dyslexie",
        b"dyslexie",
        b"orthophoni",
        DOC_MARK.as_bytes(),
        NOTE.as_bytes(),
        MOTIVATION.as_bytes(),
        b"AMX-2027",
        b"AGE-SECRET-KEY",
        b"temps_majore",
    ];
    let found = scan(&t.store, &needles);
    assert!(found.is_empty(), "plaintext at rest: {found:?}");
    // The scan does see what is stored in clear (the public profile).
    assert_eq!(scan(&t.store, &[b"Dr Claire Martin"]).len(), 1);
}
