//! The work of listing the inbox, counted (not timed): whatever the number
//! of requests, a listing looks up a bounded number of records one by one —
//! the lines, statuses, requests and drafts are read by sequential scans,
//! even on the first listing of a day, when every request's checks run —
//! and the counts it shows equal the checks evaluated from scratch.

use avis::bundle::SigningKey;
use avis::domain::checks::Severity;
use avis::domain::{Decision, MeasureOpinion, Opinion, Outcome, Validity, ValidityKind};
use avis::store::{point_reads, ImportOptions, Store, StoreOptions};
use avis::synth::{write_synthetic_bundle, SynthSpec};
use chrono::NaiveDate;
use secrecy::SecretString;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// Every summary's alert count equals the non-info findings on `today`.
fn assert_counts_exact(store: &Store, today: NaiveDate) -> Vec<usize> {
    let mut counts = Vec::new();
    for summary in store.summaries(today).unwrap() {
        let expected = store
            .findings(&summary.id, today)
            .unwrap()
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .count();
        assert_eq!(summary.alerts, expected, "{} on {today}", summary.id);
        counts.push(expected);
    }
    counts
}

/// An avis whose motivation names a trouble (a blocking check fires).
fn medical_motivation_opinion(store: &Store, id: &str) -> Opinion {
    let request = store.request(id).unwrap().request;
    Opinion {
        request_id: id.to_string(),
        request_version: request.version,
        request_sha256: None,
        outcome: Outcome::Favorable,
        measures: request
            .requested_measures
            .iter()
            .map(|m| MeasureOpinion {
                code: m.code.clone(),
                decision: Decision::Refuse,
                granted: None,
                detail: None,
                epreuves: Default::default(),
                motivation: None,
            })
            .collect(),
        missing_documents: Vec::new(),
        motivation: "Dyslexie et dyscalculie.".into(),
        validity: Validity {
            kind: ValidityKind::Session,
            until_session: request.exam.session.clone(),
        },
        doctor: None,
        decided_at: None,
        overrides: Vec::new(),
    }
}

/// A store (low KDF) trusting a fresh rectorat key, and a function that
/// writes the synthetic bundle of `requests` requests (`sequence`, `seed`)
/// for it.
struct Setup {
    dir: tempfile::TempDir,
    store: Store,
    signer: SigningKey,
    to: age::x25519::Recipient,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("phrase de test du cache".to_string());
        let options = StoreOptions {
            kdf_log_n: Some(10),
        };
        let store =
            Store::init(&dir.path().join("store"), &pass, "Dr Cache", None, &options).unwrap();
        let (signer, pub_file) = SigningKey::generate().unwrap();
        store.trust_add(&pub_file, "Rectorat synthétique").unwrap();
        let to = store.public_keys().age_recipient.parse().unwrap();
        Setup {
            dir,
            store,
            signer,
            to,
        }
    }

    fn bundle(&self, requests: usize, sequence: u64, seed: u64) -> std::path::PathBuf {
        let work = self.dir.path().join(format!("work-{sequence}"));
        std::fs::create_dir_all(&work).unwrap();
        let path = self.dir.path().join(format!("lot-{sequence}.avis"));
        let spec = SynthSpec {
            requests,
            documents_per_request: 1,
            document_size: 32,
            seed,
        };
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        write_synthetic_bundle(&spec, &work, file, &self.signer, &self.to, &[], sequence).unwrap();
        path
    }
}

/// The point reads `f` makes (this file holds one test: nothing else runs).
fn reads_of<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = point_reads();
    let out = f();
    (out, point_reads() - before)
}

#[test]
fn listing_thousands_of_requests_looks_up_a_bounded_number_of_records() {
    const REQUESTS: usize = 2_000;
    /// Lookups a listing may make besides those of the few requests changed
    /// (the legacy inbox record, the alert cache…), far below one per request.
    const FIXED: u64 = 20;
    let setup = Setup::new();
    let store = &setup.store;
    store
        .import(
            &setup.bundle(REQUESTS, 1, 5),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();

    // First listing of the day: every count computed, by scans.
    let (first, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert_eq!(first.len(), REQUESTS);
    assert!(reads <= FIXED, "{reads} lookups for the first listing");
    // Cached: the same lines, again by scans.
    let (cached, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert_eq!(cached, first);
    assert!(reads <= FIXED, "{reads} lookups for a cached listing");
    assert_counts_exact(store, day(26));

    // A few drafts: only their counts are made again, each by a lookup of
    // its request and draft.
    let ids: Vec<String> = first.iter().take(10).map(|s| s.id.clone()).collect();
    for id in &ids {
        store
            .apply_opinion(&medical_motivation_opinion(store, id))
            .unwrap();
    }
    let (after, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert!(
        reads <= FIXED + 3 * ids.len() as u64,
        "{reads} lookups after 10 drafts"
    );
    assert_ne!(after, first, "the drafts changed some counts");
    assert_counts_exact(store, day(26));

    // Another day: every count made again, by scans (drafts included).
    let (_, reads) = reads_of(|| store.summaries(day(27)).unwrap());
    assert!(reads <= FIXED, "{reads} lookups for another day");
    assert_counts_exact(store, day(27));
}
