//! Shared helpers of the hardening tests: a store with imported requests,
//! a draft and a validated avis, built through the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::store_support::*;

/// Candidate name used in every request (scanned for in clear).
pub const NAME: &str = "Quasimodozebulon";
/// Marker inside the document (scanned for in clear).
pub const DOC_MARK: &str = "MARQUEUR-PIECE-EN-CLAIR";
/// Review date of the checks.
pub const DATE: &str = "2026-11-26";
/// The request left as a draft and the validated one.
pub const DRAFT_ID: &str = "AMX-2027-000001";
pub const VALID_ID: &str = "AMX-2027-000002";
pub const TODO_ID: &str = "AMX-2027-000003";

/// A store with three requests: one draft, one validated, one untouched.
pub struct Filled {
    pub t: TestStore,
    pub rectorat: Rectorat,
    pub doc: Vec<u8>,
}

impl Filled {
    /// Builds it in a fresh temporary directory.
    pub fn new() -> Filled {
        Filled::in_store(TestStore::init())
    }

    /// Builds it on an initialised store.
    pub fn in_store(t: TestStore) -> Filled {
        let rectorat = Rectorat::trusted_by(&t, "Rectorat d'Aix-Marseille");
        let doc = format!("%PDF-1.4 {DOC_MARK} bilan orthophonique\n")
            .repeat(40)
            .into_bytes();
        let f = Filled { t, rectorat, doc };
        let bundle = f.pack("lot1", &[DRAFT_ID, VALID_ID, TODO_ID], 1);
        assert_success(&f.avis(&["import", bundle.to_str().unwrap()]));
        assert_success(&f.apply(DRAFT_ID));
        assert_success(&f.apply(VALID_ID));
        assert_success(&f.avis(&["opinion", "validate", VALID_ID]));
        f
    }

    /// Packs the requests `ids` (version 1) with sequence `seq`.
    pub fn pack(&self, name: &str, ids: &[&str], seq: u64) -> PathBuf {
        let sha = sha256_hex(&self.doc);
        let reqs: Vec<(String, String)> = ids
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    request_json(id, 1, NAME, std::slice::from_ref(&sha)),
                )
            })
            .collect();
        let dir = pack_dir(
            &self.t.path(&format!("in-{name}")),
            &reqs,
            std::slice::from_ref(&self.doc),
        );
        let out_file = self.t.path(&format!("{name}.avis"));
        assert_success(&self.rectorat.pack(&self.t, &dir, seq, &out_file));
        out_file
    }

    /// Runs `avis ARGS` at the review date.
    pub fn avis(&self, args: &[&str]) -> Output {
        self.t
            .command()
            .env("AVIS_DATE", DATE)
            .env_remove("AVIS_TEST_FAIL_WRITE_AT")
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `avis ARGS` with every file write failing (full disk) from
    /// the test point `point` on.
    pub fn avis_full_disk_at(&self, point: &str, args: &[&str]) -> Output {
        self.t
            .command()
            .env("AVIS_DATE", DATE)
            .env("AVIS_TEST_FAIL_WRITE_AT", point)
            .args(args)
            .output()
            .unwrap()
    }

    /// Parses the stdout of a successful `avis ARGS`.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.avis(args);
        assert_success(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Writes an opinion file for `id` and returns its path.
    pub fn opinion_file(&self, id: &str, motivation: &str) -> PathBuf {
        let mut v: serde_json::Value = serde_json::from_str(&opinion_json(id, 1)).unwrap();
        v["motivation"] = serde_json::Value::String(motivation.into());
        let file = self.t.path(&format!("avis-{id}.json"));
        std::fs::write(&file, serde_json::to_string(&v).unwrap()).unwrap();
        file
    }

    /// `avis opinion apply` of a complete favourable opinion on `id`.
    pub fn apply(&self, id: &str) -> Output {
        let file = self.opinion_file(id, "Lenteur de lecture objectivée au bilan.");
        self.avis(&["opinion", "apply", file.to_str().unwrap()])
    }

    /// What the CLI shows of the store: the list and each request.
    pub fn snapshot(&self) -> serde_json::Value {
        let list = self.json(&["list", "--json"]);
        let shows: Vec<serde_json::Value> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| self.json(&["show", r["id"].as_str().unwrap(), "--json"]))
            .collect();
        serde_json::json!({"list": list, "shows": shows})
    }
}

/// Asserts a failed run: exit 1, the message, and no panic.
pub fn assert_failed_cleanly(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("erreur interne"),
        "panic: {stderr}"
    );
    assert_refused(out, needle);
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
