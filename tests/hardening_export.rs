//! An export is sent exactly once: killed at any instant (each named point,
//! and with SIGKILL as soon as the file appears), the store and the files
//! written never hold two bundles with one sequence, nor an avis in two
//! bundles, nor an avis marked `exporte` without its file; no temporary
//! file stays behind. An existing file is never replaced unless
//! `--remplacer`; the default name carries the date and the sequence.

#[path = "common/store_support.rs"]
mod store_support;

#[path = "common/hardening_support.rs"]
mod hardening_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use hardening_support::*;
use store_support::*;

/// What `avis rectorat open` reads in one opinions bundle.
struct Opened {
    sequence: u64,
    bundle_id: String,
    opinions: BTreeMap<String, serde_json::Value>,
}

/// The doctor's public key file, for `rectorat open --trust`.
fn doctor_pub(f: &Filled) -> PathBuf {
    let keys = f.json(&["keys", "show", "--json"]);
    let path = f.t.path("medecin.pub");
    std::fs::write(&path, keys["signing_key_file"].as_str().unwrap()).unwrap();
    path
}

fn open_bundle(f: &Filled, file: &Path) -> Opened {
    let out_dir = f.t.path(&format!(
        "ouvert-{}",
        file.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = f.avis(&[
        "rectorat",
        "open",
        file.to_str().unwrap(),
        "--identity",
        f.rectorat.identity.to_str().unwrap(),
        "--trust",
        doctor_pub(f).to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| {
        let start = stderr.find(name).unwrap() + name.len();
        stderr[start..]
            .split([',', ')'])
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    let mut opinions = BTreeMap::new();
    for e in std::fs::read_dir(out_dir.join("opinions")).unwrap() {
        let p = e.unwrap().path();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        opinions.insert(v["request_id"].as_str().unwrap().to_string(), v);
    }
    Opened {
        sequence: field("séquence ").parse().unwrap(),
        bundle_id: field("identifiant "),
        opinions,
    }
}

/// The files of `dir`: (visible bundles, hidden leftovers).
fn files_in(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let mut visible = Vec::new();
    let mut hidden = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            hidden.push(name);
        } else {
            visible.push(e.path());
        }
    }
    visible.sort();
    (visible, hidden)
}

fn status(f: &Filled, id: &str) -> String {
    let list = f.json(&["list", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// After an interrupted export into `dir`: the next start settles it, a
/// second export sends what is left; then every invariant holds.
fn check_exactly_once(f: &Filled, dir: &Path, context: &str) {
    // The next start (any command) settles the export left pending.
    let after_crash = status(f, VALID_ID);
    let (visible, hidden) = files_in(dir);
    assert!(hidden.is_empty(), "{context}: leftovers {hidden:?}");
    assert_eq!(
        after_crash == "exporte",
        !visible.is_empty(),
        "{context}: status {after_crash} with files {visible:?}"
    );
    // What is still to send is sent by the next export.
    let again = f.avis(&["export"]);
    if after_crash == "exporte" {
        assert_refused(&again, "aucun avis validé à exporter");
    } else {
        assert_success(&again);
    }
    assert_eq!(status(f, VALID_ID), "exporte", "{context}");
    assert_success(&f.avis(&["journal", "verify"]));
    let (visible, hidden) = files_in(dir);
    assert!(hidden.is_empty(), "{context}: leftovers {hidden:?}");
    let opened: Vec<Opened> = visible.iter().map(|p| open_bundle(f, p)).collect();
    let mut sequences: Vec<u64> = opened.iter().map(|o| o.sequence).collect();
    sequences.sort();
    sequences.dedup();
    assert_eq!(
        sequences.len(),
        opened.len(),
        "{context}: one sequence twice"
    );
    let sent = opened
        .iter()
        .filter(|o| o.opinions.contains_key(VALID_ID))
        .count();
    assert_eq!(sent, 1, "{context}: the avis was sent {sent} times");
    let ids: std::collections::BTreeSet<&str> =
        opened.iter().map(|o| o.bundle_id.as_str()).collect();
    assert_eq!(ids.len(), opened.len(), "{context}");
}

#[test]
fn a_crash_at_any_point_of_an_export_never_sends_twice() {
    let points = [
        "export:reserve:before_flush",
        "export:reserve:flushed",
        "export:writing",
        "export:written",
        "export:recorded:before_flush",
        "export:recorded:flushed",
        "export:renamed",
        "export:before_flush",
        "export:flushed",
    ];
    for point in points {
        let f = Filled::new();
        let dir = f.t.path("envois");
        std::fs::create_dir_all(&dir).unwrap();
        let out =
            f.t.command()
                .env("AVIS_DATE", DATE)
                .env("AVIS_TEST_CRASH_AT", point)
                .args(["export", "--dossier", dir.to_str().unwrap()])
                .output()
                .unwrap();
        assert!(!out.status.success(), "no crash at {point}");
        check_exactly_once(&f, &dir, point);
    }
}

#[test]
fn a_kill_as_soon_as_the_file_appears_never_sends_twice() {
    let mut killed_with_file = 0;
    for round in 0..4 {
        let f = Filled::new();
        let dir = f.t.path("envois");
        std::fs::create_dir_all(&dir).unwrap();
        let mut child =
            f.t.command()
                .env("AVIS_DATE", DATE)
                .args(["export", "--dossier", dir.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
        let start = Instant::now();
        loop {
            if !files_in(&dir).0.is_empty() {
                let _ = child.kill();
                killed_with_file += 1;
                break;
            }
            if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                break;
            }
            std::hint::spin_loop();
        }
        let _ = child.wait();
        check_exactly_once(&f, &dir, &format!("round {round}"));
    }
    assert!(killed_with_file > 0, "the file never appeared");
}

#[test]
fn an_existing_file_is_never_replaced_without_remplacer() {
    let f = Filled::new();
    let out_file = f.t.path("export.avis");
    assert_success(&f.avis(&["export", "-o", out_file.to_str().unwrap()]));
    let first = std::fs::read(&out_file).unwrap();
    assert_success(&f.avis(&["opinion", "validate", DRAFT_ID]));
    let out = f.avis(&["export", "-o", out_file.to_str().unwrap()]);
    assert_refused(&out, "existe déjà");
    assert_eq!(
        std::fs::read(&out_file).unwrap(),
        first,
        "first file changed"
    );
    assert_eq!(
        status(&f, DRAFT_ID),
        "valide",
        "refused export marked the avis"
    );
    assert_eq!(files_in(f.t.tmp.path()).1, Vec::<String>::new());
    // With --remplacer, on purpose.
    assert_success(&f.avis(&["export", "-o", out_file.to_str().unwrap(), "--remplacer"]));
    assert_ne!(std::fs::read(&out_file).unwrap(), first);
    assert_eq!(status(&f, DRAFT_ID), "exporte");
}

#[test]
fn default_names_carry_the_date_and_sequence_in_the_remembered_folder() {
    let f = Filled::new();
    let out = f.avis(&["export"]);
    assert_refused(&out, "--dossier");
    let dir = f.t.path("envois");
    std::fs::create_dir_all(&dir).unwrap();
    assert_success(&f.avis(&["export", "--dossier", dir.to_str().unwrap()]));
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d");
    assert!(dir.join(format!("avis-{today}-n1.avis")).is_file());
    assert_success(&f.avis(&["opinion", "validate", DRAFT_ID]));
    // The folder is remembered.
    assert_success(&f.avis(&["export"]));
    assert!(dir.join(format!("avis-{today}-n2.avis")).is_file());
}

#[test]
fn a_resent_avis_names_the_bundle_it_replaces() {
    let f = Filled::new();
    let first_file = f.t.path("premier.avis");
    assert_success(&f.avis(&["export", "-o", first_file.to_str().unwrap()]));
    let first = open_bundle(&f, &first_file);
    let sent = &first.opinions[VALID_ID];
    assert!(sent.get("replaces").is_none());
    let decided = sent["decided_at"].as_str().unwrap();
    assert!(
        decided.len() == 20 && decided.ends_with('Z') && !decided.contains('.'),
        "decided_at not in whole seconds: {decided}"
    );
    let second_file = f.t.path("second.avis");
    assert_success(&f.avis(&[
        "export",
        "-o",
        second_file.to_str().unwrap(),
        "--encore",
        VALID_ID,
    ]));
    let second = open_bundle(&f, &second_file);
    assert!(second.sequence > first.sequence);
    let replaces = &second.opinions[VALID_ID]["replaces"];
    assert_eq!(replaces["bundle_id"], first.bundle_id.as_str());
    assert!(replaces["exported_at"].as_str().unwrap().ends_with('Z'));
}
