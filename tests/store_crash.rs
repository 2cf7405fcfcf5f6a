//! Crash safety through the real binary: an import killed (SIGKILL) at each
//! named point, or at random instants, leaves all of the bundle or none of
//! it; a draft write killed mid-way leaves the old or the new draft, never
//! a broken one; the journal stays verifiable.

#[path = "common/store_support.rs"]
mod store_support;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use avis::store::{Store, StoreOptions};
use store_support::*;

/// A store trusting a rectorat, and a packed bundle of `n` requests with
/// `docs` documents of `doc_size` bytes.
fn setup(n: usize, docs: usize, doc_size: usize) -> (TestStore, std::path::PathBuf, Vec<String>) {
    let t = TestStore::init();
    let r = Rectorat::trusted_by(&t, "Rectorat");
    let documents: Vec<Vec<u8>> = (0..docs)
        .map(|i| {
            let mut d = format!("document {i} ").into_bytes();
            d.extend((0..doc_size).map(|j| (j * 7 + i) as u8));
            d
        })
        .collect();
    let shas: Vec<String> = documents.iter().map(|d| sha256_hex(d)).collect();
    let requests: Vec<(String, String)> = (0..n)
        .map(|i| {
            let id = format!("AMX-{i:04}");
            let json = request_json(&id, 1, "Durand", &shas);
            (id, json)
        })
        .collect();
    let dir = pack_dir(&t.path("in"), &requests, &documents);
    let bundle = t.path("lot.avis");
    let out = r.pack(&t, &dir, 1, &bundle);
    assert_success(&out);
    (t, bundle, shas)
}

fn spawn_paused(t: &TestStore, point: &str, args: &[&str]) -> Child {
    let mut child = t
        .command()
        .env("AVIS_TEST_PAUSE_AT", point)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("AVIS_PAUSE") => return child,
            Some(Ok(_)) => continue,
            _ => panic!("avis ended before reaching {point}"),
        }
    }
}

fn open(t: &TestStore) -> Store {
    Store::open(
        &t.store,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap()
}

/// All or nothing: returns whether the bundle is in the store.
fn check_all_or_nothing(t: &TestStore, n: usize, shas: &[String]) -> bool {
    let store = open(t);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let count = store.summaries(today).unwrap().len();
    assert!(count == 0 || count == n, "partial import: {count} of {n}");
    let files: Vec<String> = std::fs::read_dir(t.store.join("bundles"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if count == n {
        for sha in shas {
            let doc = store.document(sha).unwrap();
            assert_eq!(&sha256_hex(&doc), sha);
        }
        assert_eq!(files.len(), 1, "{files:?}");
    } else {
        assert!(store.document(&shas[0]).is_err());
        assert!(
            files.is_empty(),
            "leftover files after a failed import: {files:?}"
        );
    }
    assert_eq!(
        store.journal_verify().unwrap() as usize,
        1 + usize::from(count == n)
    );
    count == n
}

fn finish_import(t: &TestStore, bundle: &Path, was_imported: bool) {
    let out = t.avis(&["import", bundle.to_str().unwrap()]);
    assert_success(&out);
    let said = stdout(&out);
    if was_imported {
        assert!(said.contains("déjà été importé"), "{said}");
    } else {
        assert!(said.contains("importé :"), "{said}");
    }
}

#[test]
fn import_killed_at_each_point_is_all_or_nothing() {
    for (point, expect) in [
        ("import:staged", Some(false)),
        ("import:renamed", Some(false)),
        ("import:before_flush", None),
        ("import:flushed", Some(true)),
    ] {
        let (t, bundle, shas) = setup(3, 2, 10_000);
        let mut child = spawn_paused(&t, point, &["import", bundle.to_str().unwrap()]);
        child.kill().unwrap();
        child.wait().unwrap();
        let imported = check_all_or_nothing(&t, 3, &shas);
        if let Some(e) = expect {
            assert_eq!(imported, e, "at {point}");
        }
        finish_import(&t, &bundle, imported);
        assert!(check_all_or_nothing(&t, 3, &shas));
    }
}

#[test]
fn import_killed_at_random_instants_is_all_or_nothing() {
    let (t, bundle, shas) = setup(20, 12, 400_000);
    // How long a whole import takes here, on a throw-away copy.
    let start = std::time::Instant::now();
    let copy = t.path("copy");
    copy_dir(&t.store, &copy);
    let out = t
        .command()
        .env("AVIS_STORE", &copy)
        .args(["import", bundle.to_str().unwrap()])
        .output()
        .unwrap();
    assert_success(&out);
    let full = start.elapsed().as_millis().max(20) as u64;
    let mut outcomes = [0usize; 2];
    for i in 0..12u64 {
        let mut child = t
            .command()
            .args(["import", bundle.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From 30 % to 140 % of a full import's time.
        std::thread::sleep(Duration::from_millis(full * (30 + 10 * i) / 100));
        let _ = child.kill();
        child.wait().unwrap();
        let imported = check_all_or_nothing(&t, 20, &shas);
        outcomes[usize::from(imported)] += 1;
        if imported {
            break;
        }
    }
    // Whatever the kills did, a last import completes the store.
    let out = t.avis(&["import", bundle.to_str().unwrap()]);
    assert_success(&out);
    assert!(check_all_or_nothing(&t, 20, &shas));
    eprintln!("import of {full} ms; kills leaving nothing / everything: {outcomes:?}");
    assert!(outcomes.iter().sum::<usize>() > 0);
}

#[test]
fn import_aborted_at_each_point_is_all_or_nothing() {
    // abort() right at the point: no chance for sled's background flusher.
    for point in [
        "import:staged",
        "import:renamed",
        "import:before_flush",
        "import:flushed",
    ] {
        let (t, bundle, shas) = setup(3, 2, 10_000);
        let out = t
            .command()
            .env("AVIS_TEST_CRASH_AT", point)
            .args(["import", bundle.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: did not crash");
        let imported = check_all_or_nothing(&t, 3, &shas);
        if point == "import:flushed" {
            assert!(imported);
        }
        finish_import(&t, &bundle, imported);
        assert!(check_all_or_nothing(&t, 3, &shas));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn draft_write_killed_leaves_old_or_new() {
    let (t, bundle, _) = setup(1, 1, 1000);
    assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));
    let mut old: serde_json::Value = serde_json::from_str(&opinion_json("AMX-0000", 1)).unwrap();
    old["motivation"] = "ANCIENNE VERSION".into();
    std::fs::write(t.path("old.json"), old.to_string()).unwrap();
    assert_success(&t.avis(&["opinion", "apply", t.path("old.json").to_str().unwrap()]));
    for (i, point) in ["draft:before_write", "draft:before_flush", "draft:flushed"]
        .iter()
        .enumerate()
    {
        let mut new = old.clone();
        new["motivation"] = format!("NOUVELLE VERSION {i}").into();
        std::fs::write(t.path("new.json"), new.to_string()).unwrap();
        let mut child = spawn_paused(
            &t,
            point,
            &["opinion", "apply", t.path("new.json").to_str().unwrap()],
        );
        child.kill().unwrap();
        child.wait().unwrap();
        let store = open(&t);
        let draft = store
            .draft("AMX-0000")
            .unwrap()
            .expect("a draft, old or new");
        let m = draft.opinion.motivation.clone();
        assert!(
            m.starts_with("ANCIENNE") || m.starts_with("NOUVELLE"),
            "broken draft: {m}"
        );
        if *point == "draft:before_write" {
            assert!(m.starts_with("ANCIENNE") || i > 0);
        }
        if *point == "draft:flushed" {
            assert_eq!(m, format!("NOUVELLE VERSION {i}"));
        }
        store.journal_verify().unwrap();
    }
}
