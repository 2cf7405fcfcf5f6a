//! The inbox's alert counts at scale: a store of synthetic requests and
//! the counts checked against the checks evaluated from scratch
//! (`tests/scale_inbox_cache.rs`, `tests/scale_list_work.rs`).
#![allow(dead_code)]

use avis::bundle::SigningKey;
use avis::domain::checks::Severity;
use avis::domain::{Decision, MeasureOpinion, Opinion, Outcome, Validity, ValidityKind};
use avis::store::{Store, StoreOptions};
use avis::synth::{write_synthetic_bundle, SynthSpec};
use chrono::NaiveDate;
use secrecy::SecretString;

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// Every summary's alert count equals the non-info findings on `today`.
pub fn assert_counts_exact(store: &Store, today: NaiveDate) -> Vec<usize> {
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
pub fn medical_motivation_opinion(store: &Store, id: &str) -> Opinion {
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
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub pass: SecretString,
    pub options: StoreOptions,
    pub store: Store,
    pub signer: SigningKey,
    pub to: age::x25519::Recipient,
}

impl Setup {
    pub fn new() -> Setup {
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
            pass,
            options,
            store,
            signer,
            to,
        }
    }

    pub fn bundle(&self, requests: usize, sequence: u64, seed: u64) -> std::path::PathBuf {
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
