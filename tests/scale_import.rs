//! Correctness at scale (not time): a 10,000-request bundle imported by the
//! real binary lists all 10,000 requests, and every document reads back
//! byte-identical from the store.

#[path = "common/store_support.rs"]
mod store_support;

use std::collections::BTreeSet;

use avis::synth::SynthSpec;
use store_support::*;

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
