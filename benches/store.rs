//! Store benchmarks (criterion): sealing and opening records (a draft
//! saved, a request read), the inbox summaries of 10,000 requests, and the
//! export of 1,000 validated avis.
//!
//! Stores are created with a low scrypt work factor (`kdf_log_n: 10`), so
//! the passphrase KDF, which the targets exclude, does not weigh; the
//! unlock is measured apart (`unlock`) at that low factor, and once at the
//! real factor when `AVIS_BENCH_REAL_KDF` is set.
//!
//! Run: `cargo bench --bench store`.

use std::path::Path;

use avis::domain::{Decision, MeasureOpinion, Opinion, Outcome, Validity, ValidityKind};
use avis::store::{ExportOptions, Store, StoreError, StoreOptions};
use avis::synth::SynthSpec;
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use secrecy::SecretString;

const PASSPHRASE: &str = "banc d'essai seulement";

fn options() -> StoreOptions {
    StoreOptions {
        kdf_log_n: Some(10),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

/// A store holding `requests` synthetic requests (one small document each).
fn store_with(dir: &Path, requests: usize) -> Store {
    let pass = SecretString::from(PASSPHRASE.to_string());
    let store = Store::init(&dir.join("store"), &pass, "Dr Banc", None, &options()).unwrap();
    let spec = SynthSpec {
        requests,
        documents_per_request: 1,
        document_size: 256,
        seed: 7,
    };
    avis::synth::import_synthetic(&store, &spec, dir).unwrap();
    store
}

/// A complete avis granting every requested measure.
fn opinion_for(store: &Store, id: &str) -> Opinion {
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
                decision: Decision::Accorde,
                granted: None,
                detail: None,
                epreuves: Default::default(),
                motivation: Some("Besoin établi par le bilan (banc d'essai).".into()),
            })
            .collect(),
        missing_documents: Vec::new(),
        motivation: "Avis de banc d'essai.".into(),
        validity: Validity {
            kind: ValidityKind::Session,
            until_session: request.exam.session.clone(),
        },
        doctor: None,
        decided_at: None,
        overrides: Vec::new(),
    }
}

/// Applies and validates an avis, lifting blocking checks with a reason.
fn validate(store: &Store, id: &str) {
    store.apply_opinion(&opinion_for(store, id)).unwrap();
    for _ in 0..4 {
        match store.validate(id, today()) {
            Ok(()) => return,
            Err(StoreError::Blocked { rules, .. }) => {
                for rule in rules {
                    store
                        .override_check(id, &rule, None, "levé pour le banc d'essai")
                        .unwrap();
                }
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("{id} could not be validated");
}

fn records(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), 100);
    let id = store.summaries(today()).unwrap()[0].id.clone();
    let first = opinion_for(&store, &id);
    let mut second = first.clone();
    second.motivation.push_str(" Modifié.");
    let mut flip = false;
    c.bench_function(
        "seal: save a draft (sealed, one transaction, flushed)",
        |b| {
            b.iter(|| {
                flip = !flip;
                store
                    .apply_opinion(if flip { &first } else { &second })
                    .unwrap()
            })
        },
    );
    c.bench_function("open: read one request", |b| {
        b.iter(|| store.request(&id).unwrap())
    });
}

fn summaries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), 10_000);
    assert_eq!(store.summaries(today()).unwrap().len(), 10_000);
    let path = store.dir().to_path_buf();
    let mut group = c.benchmark_group("inbox");
    group.sample_size(10);
    group.bench_function("summaries of 10,000 requests", |b| {
        b.iter(|| store.summaries(today()).unwrap())
    });
    let mut day = 0;
    group.bench_function(
        "summaries of 10,000 requests, first of a day (every check run)",
        |b| {
            b.iter(|| {
                day += 1;
                store
                    .summaries(today() + chrono::Duration::days(day))
                    .unwrap()
            })
        },
    );
    drop(store);
    let pass = SecretString::from(PASSPHRASE.to_string());
    group.bench_function("unlock (low KDF) + summaries of 10,000 requests", |b| {
        b.iter(|| {
            let store = Store::open(&path, &pass, &options()).unwrap();
            let n = store.summaries(today()).unwrap().len();
            drop(store);
            n
        })
    });
    group.finish();
}

fn export(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), 1_000);
    let ids: Vec<String> = store
        .summaries(today())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    for id in &ids {
        validate(&store, id);
    }
    let out = dir.path().join("avis.age");
    let again = ExportOptions {
        again: ids.clone(),
        ..Default::default()
    };
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.bench_function("export of 1,000 avis", |b| {
        b.iter(|| {
            let written = store.export(&out, &again, &mut |_| {}).unwrap();
            assert_eq!(written[0].opinions, 1_000);
        })
    });
    let path = store.dir().to_path_buf();
    drop(store);
    let pass = SecretString::from(PASSPHRASE.to_string());
    group.bench_function("unlock (low KDF)", |b| {
        b.iter(|| Store::open(&path, &pass, &options()).unwrap())
    });
    if std::env::var_os("AVIS_BENCH_REAL_KDF").is_some() {
        // The real unlock: a store created at age's default work factor.
        let real = dir.path().join("real");
        Store::init(&real, &pass, "Dr Banc", None, &StoreOptions::default())
            .unwrap()
            .lock()
            .unwrap();
        group.bench_function("unlock (real KDF)", |b| {
            b.iter(|| Store::open(&real, &pass, &StoreOptions::default()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, records, summaries, export);
criterion_main!(benches);
