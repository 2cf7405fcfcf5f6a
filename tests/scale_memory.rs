//! A bundle larger than the import's memory target (64 MiB) imports
//! through the real binary, with a bounded peak memory (measured, not
//! timed), a store barely larger than the bundle, and every document read
//! back byte-identical.

#[path = "common/store_support.rs"]
mod store_support;

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

/// Total size of the files under `dir`.
fn tree_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            tree_size(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

/// The largest peak resident memory (KiB) of the children waited for so far.
#[cfg(target_os = "linux")]
fn children_peak_kib() -> i64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

#[test]
fn a_bundle_larger_than_the_memory_target_imports() {
    let t = TestStore::init();
    let spec = SynthSpec {
        requests: 100,
        documents_per_request: 1,
        document_size: 1_100_000,
        seed: 12,
    };
    let (bundle, sources) = synthetic_bundle(&t, &spec);
    let bundle_bytes = std::fs::metadata(&bundle).unwrap().len();
    assert!(bundle_bytes > 96 << 20, "bundle of {bundle_bytes} bytes");

    let out = t.avis(&["import", bundle.to_str().unwrap()]);
    assert_success(&out);
    assert!(stdout(&out).contains("100 demande(s)"), "{}", stdout(&out));

    // Every child so far (init, trust, keys, import) stayed small: the
    // import does not hold the bundle in memory.
    #[cfg(target_os = "linux")]
    {
        let peak = children_peak_kib();
        assert!(peak > 0);
        assert!(peak < 128 * 1024, "peak memory {peak} KiB");
    }

    // The store keeps the bundle as received plus small records.
    let store_bytes = tree_size(&t.store);
    assert!(
        store_bytes * 10 <= bundle_bytes * 12,
        "store {store_bytes} bytes for a bundle of {bundle_bytes}"
    );

    assert_eq!(t.json(&["list", "--json"]).as_array().unwrap().len(), 100);
    assert_documents_identical(&t, &sources, 100);
}
