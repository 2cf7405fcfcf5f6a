//! Correctness at scale (not time): a 10,000-request bundle imported by the
//! real binary lists all 10,000 requests, and every document reads back
//! byte-identical from the store.

#[path = "common/store_support.rs"]
mod store_support;

use std::collections::BTreeSet;
use std::path::Path;

use avis::bundle::SigningKey;
use avis::store::{Store, StoreOptions};
use avis::synth::{write_synthetic_bundle, SynthSpec};
use store_support::*;

/// Writes a synthetic bundle for the test store's doctor, trusted by it;
/// returns the bundle path and the directory of the source documents.
fn synthetic_bundle(t: &TestStore, spec: &SynthSpec) -> (std::path::PathBuf, std::path::PathBuf) {
    let (signer, pub_file) = SigningKey::generate().unwrap();
    let pub_path = t.path("rectorat.pub");
    std::fs::write(&pub_path, pub_file).unwrap();
    assert_success(&t.avis(&[
        "trust",
        "add",
        pub_path.to_str().unwrap(),
        "--name",
        "Rectorat synthétique",
    ]));
    let to: age::x25519::Recipient = t.recipient().parse().unwrap();
    let sources = t.path("sources");
    std::fs::create_dir_all(&sources).unwrap();
    let bundle = t.path("lot.avis");
    let out = std::io::BufWriter::new(std::fs::File::create(&bundle).unwrap());
    write_synthetic_bundle(spec, &sources, out, &signer, &to, &[], 1).unwrap();
    (bundle, sources)
}

/// Every source document (`doc-N` files) reads back byte-identical.
fn assert_documents_identical(t: &TestStore, sources: &Path, expected: usize) {
    let store = Store::open(
        &t.store,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(sources).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("doc-"))
        {
            continue;
        }
        let sent = std::fs::read(&path).unwrap();
        let stored = store.document(&sha256_hex(&sent)).unwrap();
        assert!(stored[..] == sent[..], "{} differs", path.display());
        checked += 1;
    }
    assert_eq!(checked, expected);
}

#[test]
fn ten_thousand_requests_are_all_listed_and_documents_read_back() {
    let t = TestStore::init();
    let spec = SynthSpec {
        requests: 10_000,
        documents_per_request: 1,
        document_size: 48,
        seed: 11,
    };
    let (bundle, sources) = synthetic_bundle(&t, &spec);
    let out = t.avis(&["import", bundle.to_str().unwrap()]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("10000 demande(s)"),
        "{}",
        stdout(&out)
    );

    let listed = t.json(&["list", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 10_000);
    let ids: BTreeSet<&str> = listed.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: BTreeSet<String> = (1..=10_000).map(|i| format!("SYN-2027-{i:06}")).collect();
    assert_eq!(ids, expected.iter().map(String::as_str).collect());
    assert!(listed.iter().all(|r| r["status"] == "a_traiter"));

    // A second listing (cached alert counts) says the same.
    assert_eq!(t.json(&["list", "--json"]).as_array().unwrap(), listed);

    assert_documents_identical(&t, &sources, 10_000);
}
