//! Validity of the shipped fixtures: every request and opinion parses with the
//! domain types, documents are where the requests say with the right hash and
//! page count, and the fixtures cover every trouble code.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use avis::domain::{
    DiplomaCode, DocumentCategory, MeasureCode, Opinion, Outcome, Request, TroubleCode,
};
use sha2::{Digest, Sha256};

/// The only unknown code the fixtures carry on purpose (`mesure_non_prevue`, info).
const DELIBERATE_UNKNOWN_MEASURE: &str = "mesure_future_xyz";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn load_requests(dir: &Path) -> Vec<(PathBuf, Request)> {
    json_files(dir)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            let req: Request = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", p.display()));
            (p, req)
        })
        .collect()
}

fn all_requests() -> Vec<(PathBuf, Request)> {
    let mut v = load_requests(&fixtures().join("requests"));
    v.extend(load_requests(&fixtures().join("update").join("requests")));
    v
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn requests_parse_and_are_named_by_their_id() {
    let reqs = load_requests(&fixtures().join("requests"));
    assert!(reqs.len() >= 30, "only {} fixture requests", reqs.len());
    let mut ids = HashSet::new();
    for (path, req) in &reqs {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(stem, req.id, "{}", path.display());
        assert_eq!(req.version, 1, "{}", req.id);
        assert!(ids.insert(req.id.clone()), "duplicate id {}", req.id);
        assert_eq!(req.schooling.academy, "Aix-Marseille", "{}", req.id);
    }
    for (path, req) in load_requests(&fixtures().join("update").join("requests")) {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(stem, req.id);
        assert!(ids.contains(&req.id), "update {} has no version 1", req.id);
        assert!(
            req.version > 1,
            "update {} must have a newer version",
            req.id
        );
    }
}

#[test]
fn codes_are_known_except_the_deliberate_unknown_measure() {
    for (_, req) in all_requests() {
        assert!(req.exam.diploma.is_known(), "{}: diploma", req.id);
        assert!(req.procedure.is_known(), "{}: procedure", req.id);
        for t in &req.troubles {
            assert!(t.is_known(), "{}: trouble {t}", req.id);
        }
        for m in &req.requested_measures {
            assert!(
                m.code.is_known() || m.code.code() == DELIBERATE_UNKNOWN_MEASURE,
                "{}: measure {}",
                req.id,
                m.code
            );
        }
        for d in &req.documents {
            assert!(d.category.is_known(), "{}: category {}", req.id, d.category);
        }
    }
}

#[test]
fn documents_exist_with_the_right_hash_media_type_and_pages() {
    let docs_dir = fixtures().join("documents");
    let mut referenced = BTreeSet::new();
    for (_, req) in all_requests() {
        assert!(!req.documents.is_empty(), "{} has no documents", req.id);
        for d in &req.documents {
            assert_eq!(d.sha256.len(), 64, "{}", req.id);
            assert!(
                d.sha256
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{}: sha256 must be lowercase hex",
                req.id
            );
            let bytes = fs::read(docs_dir.join(&d.sha256))
                .unwrap_or_else(|e| panic!("{}: document {} missing: {e}", req.id, d.sha256));
            assert!(!bytes.is_empty());
            assert_eq!(hex::encode(Sha256::digest(&bytes)), d.sha256, "{}", req.id);
            let pages = d.pages.unwrap_or_else(|| panic!("{}: no pages", req.id));
            assert!(d.date.is_some(), "{}: no date", req.id);
            match d.media_type.as_str() {
                "application/pdf" => {
                    assert!(bytes.starts_with(b"%PDF-1."), "{}", d.filename);
                    assert!(d.filename.ends_with(".pdf"), "{}", d.filename);
                    assert_eq!(
                        count(&bytes, b"/Type /Page /") as u32,
                        pages,
                        "{}: {} page count",
                        req.id,
                        d.filename
                    );
                }
                "image/jpeg" => {
                    assert!(bytes.starts_with(&[0xff, 0xd8, 0xff]), "{}", d.filename);
                    assert_eq!(pages, 1);
                }
                "image/png" => {
                    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", d.filename);
                    assert_eq!(pages, 1);
                }
                other => panic!("{}: unexpected media type {other}", req.id),
            }
            referenced.insert(d.sha256.clone());
        }
    }
    let present: BTreeSet<String> = fs::read_dir(&docs_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(present, referenced, "orphan or missing documents");
}

#[test]
fn every_trouble_measure_and_category_is_covered() {
    let reqs = all_requests();
    let troubles: HashSet<TroubleCode> = reqs
        .iter()
        .flat_map(|(_, r)| r.troubles.iter().cloned())
        .collect();
    for t in TroubleCode::KNOWN {
        assert!(troubles.contains(t), "no fixture declares trouble {t}");
    }
    let diplomas: HashSet<DiplomaCode> = reqs.iter().map(|(_, r)| r.exam.diploma.clone()).collect();
    for d in [
        DiplomaCode::Dnb,
        DiplomaCode::BacGeneral,
        DiplomaCode::BacTechno,
        DiplomaCode::BacPro,
        DiplomaCode::Cap,
        DiplomaCode::Bts,
    ] {
        assert!(diplomas.contains(&d), "no fixture for {d}");
    }
    assert!(
        diplomas.iter().any(|d| matches!(
            d,
            DiplomaCode::Capa | DiplomaCode::BacProAgricole | DiplomaCode::BacTechnoStav
        )),
        "no agricultural diploma"
    );
    let procedures: BTreeSet<String> = reqs
        .iter()
        .map(|(_, r)| r.procedure.code().to_string())
        .collect();
    assert_eq!(
        procedures,
        ["complete", "simplifiee", "urgence"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert!(reqs.iter().filter(|(_, r)| r.late).count() >= 2);
    let measures: HashSet<MeasureCode> = reqs
        .iter()
        .flat_map(|(_, r)| r.requested_measures.iter().map(|m| m.code.clone()))
        .collect();
    // Codes added after the hand-made fixtures (issue 11, seed 004 and 003):
    // covered by the checks' unit tests instead.
    for m in MeasureCode::KNOWN
        .iter()
        .filter(|m| **m != MeasureCode::DispenseLv)
    {
        assert!(measures.contains(m), "no fixture requests measure {m}");
    }
    let categories: HashSet<DocumentCategory> = reqs
        .iter()
        .flat_map(|(_, r)| r.documents.iter().map(|d| d.category.clone()))
        .collect();
    for c in DocumentCategory::KNOWN
        .iter()
        .filter(|c| **c != DocumentCategory::PointEvolution)
    {
        assert!(categories.contains(c), "no document of category {c}");
    }
}

#[test]
fn hostile_request_carries_terminal_control_text() {
    let path = fixtures().join("requests").join("AMX-2027-000031.json");
    let req: Request = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let comments = req.comments.unwrap();
    for needle in [
        "\u{1b}[31m",
        "\u{1b}]0;pwned\u{7}",
        "\u{9b}",
        "\u{202e}",
        "\u{2066}",
    ] {
        assert!(comments.contains(needle), "comments lack {needle:?}");
    }
    assert!(req.candidate.last_name.contains('\u{1b}'));
    assert!(req.candidate.first_name.contains('\u{202e}'));
    assert!(req.exam.track.unwrap().contains("\u{1b}]0;pwned\u{7}"));
}

#[test]
fn opinions_parse_and_match_their_request() {
    let requests: Vec<Request> = load_requests(&fixtures().join("requests"))
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let files = json_files(&fixtures().join("opinions"));
    assert!(files.len() >= 6);
    let mut outcomes = HashSet::new();
    for path in files {
        let op: Opinion = serde_json::from_slice(&fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        assert_eq!(path.file_stem().unwrap().to_str().unwrap(), op.request_id);
        let req = requests
            .iter()
            .find(|r| r.id == op.request_id)
            .unwrap_or_else(|| panic!("no request {}", op.request_id));
        assert_eq!(op.request_version, req.version);
        if op.outcome != Outcome::Incomplet {
            for m in &req.requested_measures {
                let n = op.measures.iter().filter(|o| o.code == m.code).count();
                assert_eq!(
                    n, 1,
                    "{}: measure {} must have exactly one decision",
                    op.request_id, m.code
                );
            }
        } else {
            assert!(!op.missing_documents.is_empty());
        }
        outcomes.insert(op.outcome.clone());
    }
    for o in Outcome::KNOWN {
        assert!(outcomes.contains(o), "no sample opinion with outcome {o}");
    }
}

#[test]
fn pdf_documents_yield_text_naming_their_candidate() {
    let docs_dir = fixtures().join("documents");
    let mut checked = 0;
    for (_, req) in all_requests() {
        let last = req
            .candidate
            .last_name
            .replace("\u{1b}[31m", "")
            .to_uppercase();
        for d in req
            .documents
            .iter()
            .filter(|d| d.media_type == "application/pdf")
        {
            let bytes = fs::read(docs_dir.join(&d.sha256)).unwrap();
            let text = pdf_extract::extract_text_from_mem(&bytes)
                .unwrap_or_else(|e| panic!("{}: {} unreadable: {e}", req.id, d.filename));
            assert!(
                text.to_uppercase().contains(&last),
                "{}: {} does not name its candidate",
                req.id,
                d.filename
            );
            assert!(text.contains("Document fictif"), "{}", d.filename);
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} PDFs");
}

/// Whether a reference CLI is on PATH; without it the test is skipped, unless
/// `CI` is set, in which case it fails.
fn have_tool(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "reference tool {tool} missing under CI"
        );
        eprintln!("skipped: reference tool {tool} is not installed");
    }
    found
}

/// Decrypts a demo bundle with `age` and returns (path, bytes) in archive order.
fn open_demo_bundle(name: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(root.join("keys/demo-doctor.agekey"))
        .arg(fixtures().join(name))
        .output()
        .unwrap();
    assert!(out.status.success(), "age -d failed on {name}");
    let mut archive = tar::Archive::new(out.stdout.as_slice());
    let mut entries = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        assert!(
            entry.header().entry_type().is_file(),
            "{name}: non-file entry"
        );
        let path = entry.path().unwrap().to_str().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        entries.push((path, bytes));
    }
    entries
}

#[test]
fn demo_bundles_open_with_the_reference_tools_and_match_the_fixtures() {
    if !have_tool("age") || !have_tool("minisign") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, reqdir, sequence) in [
        ("demo.avis", fixtures().join("requests"), 1),
        (
            "demo-update.avis",
            fixtures().join("update").join("requests"),
            2,
        ),
    ] {
        let entries = open_demo_bundle(name);
        assert_eq!(entries[0].0, "manifest.json");
        assert_eq!(entries[1].0, "manifest.json.minisig");
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("manifest.json"), &entries[0].1).unwrap();
        fs::write(dir.path().join("manifest.json.minisig"), &entries[1].1).unwrap();
        let status = std::process::Command::new("minisign")
            .arg("-V")
            .arg("-q")
            .arg("-p")
            .arg(root.join("keys/demo-rectorat.minisign.pub"))
            .arg("-m")
            .arg(dir.path().join("manifest.json"))
            .status()
            .unwrap();
        assert!(status.success(), "{name}: signature does not verify");
        let manifest: serde_json::Value = serde_json::from_slice(&entries[0].1).unwrap();
        assert_eq!(manifest["sequence"], sequence);
        let listed = manifest["entries"].as_array().unwrap();
        assert_eq!(listed.len(), entries.len() - 2);
        for (e, (path, bytes)) in listed.iter().zip(&entries[2..]) {
            assert_eq!(e["path"], path.as_str());
            assert_eq!(e["sha256"], hex::encode(Sha256::digest(bytes)).as_str());
            if let Some(file) = path.strip_prefix("requests/") {
                assert_eq!(
                    &fs::read(reqdir.join(file)).unwrap(),
                    bytes,
                    "{name}: {path} differs from the fixture; rebuild the demo bundles"
                );
            }
        }
        let requests = entries
            .iter()
            .filter(|(p, _)| p.starts_with("requests/"))
            .count();
        assert_eq!(
            requests,
            json_files(&reqdir).len(),
            "{name}: not every fixture request is in it"
        );
    }
}
