//! Shared helpers of the print, figures and purge tests: a store on the
//! shipped demo data (demo keys, `fixtures/demo.avis`), clean avis, and the
//! reference tools (poppler's pdftotext, pdfinfo, pdffonts).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use avis::domain::{Decision, Draft, MeasureOpinion, Opinion, Outcome, Validity, ValidityKind};
use avis::store::{ExportOptions, ImportOptions, Store, StoreOptions};
use chrono::NaiveDate;

/// The passphrase of the demo stores of these tests.
pub const PASSPHRASE: &str = "démonstration";

/// The review date of the checks (fixtures/CHECKS.md).
pub fn review_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn read(path: &str) -> String {
    std::fs::read_to_string(root(path)).unwrap()
}

/// A demo store with `fixtures/demo.avis` imported.
pub struct Demo {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub store: Store,
}

pub fn demo_store() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("magasin");
    let store = Store::init_with_keys(
        &dir,
        &PASSPHRASE.to_string().into(),
        "Dr Claire Martin (démo)",
        Some("10001234567"),
        &read("keys/demo-doctor.agekey"),
        &read("keys/demo-doctor.minisign.key"),
        &StoreOptions {
            kdf_log_n: Some(10),
        },
    )
    .unwrap();
    store
        .trust_add(
            &read("keys/demo-rectorat.minisign.pub"),
            "Rectorat d'Aix-Marseille - DIEC (démo)",
        )
        .unwrap();
    store
        .import(
            &root("fixtures/demo.avis"),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    Demo { tmp, dir, store }
}

/// A clean avis granting every requested measure of `id`.
pub fn granting_opinion(store: &Store, id: &str) -> Opinion {
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
                detail: m.detail.clone(),
                epreuves: Default::default(),
                motivation: Some("Besoin constant constaté pendant la scolarité.".into()),
            })
            .collect(),
        missing_documents: vec![],
        motivation: "Aménagements cohérents avec ceux de la scolarité.".into(),
        validity: Validity {
            kind: ValidityKind::Session,
            until_session: request.exam.session.clone(),
        },
        doctor: None,
        decided_at: None,
        overrides: vec![],
    }
}

/// Saves `opinion` with a private note, then validates it.
pub fn validate_with_note(store: &Store, opinion: &Opinion, note: &str) {
    store
        .save_draft(
            &opinion.request_id,
            &Draft {
                opinion: opinion.clone(),
                private_notes: note.to_string(),
                overrides: vec![],
                written_against_older_version: false,
                paper_documents: vec![],
            },
        )
        .unwrap();
    store.validate(&opinion.request_id, review_day()).unwrap();
}

/// Exports every validated avis into `dir/out-N.avis`.
pub fn export_all(store: &Store, dir: &Path, n: usize) {
    store
        .export(
            &dir.join(format!("out-{n}.avis")),
            &ExportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
}

/// Whether a reference tool is installed; without it a test fails when
/// `CI` is set and is skipped (with a note) otherwise.
pub fn tool_or_skip(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{tool} (poppler-utils) est requis en CI");
        }
        eprintln!("{tool} absent : test sauté (installez poppler-utils)");
    }
    found
}

/// `pdftotext FILE -` (reading order).
pub fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `pdfinfo FILE`.
pub fn pdfinfo(path: &Path) -> String {
    let out = Command::new("pdfinfo").arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `pdffonts FILE`.
pub fn pdffonts(path: &Path) -> String {
    let out = Command::new("pdffonts").arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whitespace runs folded into single spaces (pdftotext breaks lines).
pub fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
