//! Writer → reader round trips for both bundle kinds.

#[path = "common/bundle_support.rs"]
mod bundle_support;

use avis::bundle::{BundleContent, BundleKind, OutEntry};
use bundle_support::*;

#[test]
fn assignment_round_trip() {
    let fx = Fixture::new();
    let (entries, request, document) = sample_assignment_entries();
    let bytes = fx.write(BundleKind::Assignment, entries);
    let (verified, sink) = fx.read(&bytes, BundleKind::Assignment).unwrap();
    assert_eq!(verified.manifest.kind, BundleKind::Assignment);
    assert_eq!(verified.manifest.version, 1);
    assert_eq!(verified.manifest.sequence, 7);
    assert_eq!(verified.manifest.entries.len(), 2);
    assert_eq!(
        verified.records,
        vec![("AMX-2026-000123".to_owned(), request)]
    );
    assert_eq!(sink.documents, vec![(sha256_hex(&document), document)]);
    assert_eq!(verified.signer_name, "Rectorat de test");
    let parsed: avis::bundle::Manifest = serde_json::from_slice(&verified.manifest_bytes).unwrap();
    assert_eq!(parsed, verified.manifest);
    assert!(uuid::Uuid::parse_str(&verified.manifest.bundle_id).is_ok());
}

#[test]
fn opinions_round_trip_with_file_content() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("op.json");
    let opinion = opinion_json("AMX-1");
    std::fs::write(&file, &opinion).unwrap();
    let bytes = fx.write(
        BundleKind::Opinions,
        vec![OutEntry {
            path: "opinions/AMX-1.json".into(),
            content: BundleContent::File(file),
        }],
    );
    let (verified, sink) = fx.read(&bytes, BundleKind::Opinions).unwrap();
    assert_eq!(verified.records, vec![("AMX-1".to_owned(), opinion)]);
    assert!(sink.documents.is_empty());
}

#[test]
fn empty_bundle_round_trip() {
    let fx = Fixture::new();
    let bytes = fx.write(BundleKind::Opinions, vec![]);
    let (verified, _) = fx.read(&bytes, BundleKind::Opinions).unwrap();
    assert!(verified.records.is_empty());
}
