//! Faults: a disk that becomes full during import, draft saving, export and
//! backup (simulated write failures, and a real tiny tmpfs when the tests
//! run as root) fails with the French full-disk message and leaves the
//! store as it was; damaged store files are reported clearly, never by a
//! panic.

#[path = "common/store_support.rs"]
mod store_support;

#[path = "common/hardening_support.rs"]
mod hardening_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use hardening_support::*;
use store_support::*;

const FULL: &str =
    "Le disque est plein : libérez de l'espace puis recommencez. Rien n'a été modifié.";

fn bundle_files(store: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(store.join("bundles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn full_disk_during_import_draft_and_export_changes_nothing() {
    let f = Filled::new();
    let before = f.snapshot();
    let bundles_before = bundle_files(&f.t.store);
    let bundle = f.pack("lot2", &["AMX-2027-000009"], 2);
    let opinion = f.opinion_file(TODO_ID, "Motivation qui ne doit pas être enregistrée.");
    let out_file = f.t.path("export.avis");
    let out_file2 = f.t.path("export2.avis");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        // The disk is full from the opening on: the staged copy of the
        // bundle, the draft and the export file cannot be written.
        ("open", vec!["import", bundle.to_str().unwrap()]),
        ("open", vec!["opinion", "apply", opinion.to_str().unwrap()]),
        ("open", vec!["export", "-o", out_file.to_str().unwrap()]),
        // It becomes full later: at the commit of the import (bundle file
        // already staged or renamed), at the draft's database write, and at
        // the export's database write (the file itself is written).
        ("import:staged", vec!["import", bundle.to_str().unwrap()]),
        ("import:renamed", vec!["import", bundle.to_str().unwrap()]),
        (
            "draft:before_write",
            vec!["opinion", "apply", opinion.to_str().unwrap()],
        ),
        (
            "export:written",
            vec!["export", "-o", out_file2.to_str().unwrap()],
        ),
    ];
    for (point, args) in cases {
        let out = f.avis_full_disk_at(point, &args);
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("AVIS_FAIL_WRITE_UNAVAILABLE"),
            "the full-disk simulation is unavailable"
        );
        assert_failed_cleanly(&out, FULL);
        // The store is as it was: same requests, statuses, drafts; the
        // journal is intact; no bundle file left over.
        assert_eq!(f.snapshot(), before, "after {args:?} full at {point}");
        assert_eq!(bundle_files(&f.t.store), bundles_before, "at {point}");
        assert_success(&f.avis(&["journal", "verify"]));
    }
    assert!(!out_file.exists());
    // Once there is room again, the same commands succeed.
    assert_success(&f.avis(&["import", bundle.to_str().unwrap()]));
    assert_success(&f.avis(&["opinion", "apply", opinion.to_str().unwrap()]));
    assert_success(&f.avis(&["export", "-o", out_file.to_str().unwrap()]));
    assert!(out_file.exists());
}

#[test]
fn full_disk_during_backup_keeps_the_previous_backup() {
    let f = Filled::new();
    let backup = f.t.path("sauvegarde.age");
    assert_success(&f.avis(&["sauvegarde", "-o", backup.to_str().unwrap()]));
    let old = std::fs::read(&backup).unwrap();
    let before = f.snapshot();
    let out = f.avis_full_disk_at(
        "backup:writing",
        &["sauvegarde", "-o", backup.to_str().unwrap()],
    );
    assert_failed_cleanly(&out, FULL);
    assert_eq!(std::fs::read(&backup).unwrap(), old);
    let leftovers: Vec<_> = std::fs::read_dir(f.t.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".avis-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(f.snapshot(), before);
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` on `dir`; `None` (with the reason printed)
    /// when this process may not mount (not root, no mount namespace…).
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs {
                dir: dir.to_path_buf(),
            }),
            Ok(o) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs (root needed): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// Fills the file system of `dir` with a file, leaving about `room` bytes.
fn fill(dir: &Path, room: u64) -> PathBuf {
    let path = dir.join("remplissage");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    let mut small = vec![0u8; 512];
    while file.write_all(&small).is_ok() {}
    small.truncate(1);
    while file.write_all(&small).is_ok() {}
    let len = file.metadata().unwrap().len();
    file.set_len(len.saturating_sub(room)).unwrap();
    file.sync_all().unwrap();
    path
}

#[test]
fn a_really_full_small_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let mount_point = tmp.path().join("petit-disque");
    let Some(disk) = Tmpfs::mount(&mount_point, "4m") else {
        // Under CI the real full disk must be tested, not skipped.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: a tmpfs cannot be mounted here, so the real full-disk test cannot run"
        );
        return;
    };
    let passphrase_file = tmp.path().join("phrase");
    std::fs::write(&passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
    let t = TestStore {
        store: disk.dir.join("magasin"),
        passphrase_file,
        tmp,
    };
    assert_success(&t.avis(&["init", "--name", "Dr Claire Martin"]));
    let f = Filled::in_store(t);
    let small = f.pack("petit", &["AMX-2027-000009"], 2);
    // A bundle larger than the room left.
    let big_doc: Vec<u8> = (0..1_500_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let sha = sha256_hex(&big_doc);
    let dir = pack_dir(
        &f.t.path("in-gros"),
        &[(
            "AMX-2027-000010".into(),
            request_json("AMX-2027-000010", 1, NAME, &[sha]),
        )],
        &[big_doc],
    );
    let big = f.t.path("gros.avis");
    assert_success(&f.avis(&[
        "rectorat",
        "pack",
        "--requests",
        dir.to_str().unwrap(),
        "--sign-key",
        f.rectorat.secret_key.to_str().unwrap(),
        "--issuer-name",
        &f.rectorat.name,
        "--reply-to",
        &f.rectorat.recipient,
        "--to",
        &f.t.recipient(),
        "--sequence",
        "3",
        "-o",
        big.to_str().unwrap(),
    ]));
    let backup = f.t.path("sauvegarde.age");
    assert_success(&f.avis(&["sauvegarde", "-o", backup.to_str().unwrap()]));
    let before = f.snapshot();
    let bundles_before = bundle_files(&f.t.store);
    let opinion = f.opinion_file(TODO_ID, "Lenteur de lecture objectivée au bilan.");

    // Nearly full: the store opens and lists, the big import fails.
    let filler = fill(&disk.dir, 300_000);
    assert_eq!(f.json(&["list", "--json"]), before["list"]);
    let out = f.avis(&["import", big.to_str().unwrap()]);
    assert_failed_cleanly(&out, FULL);
    assert_eq!(bundle_files(&f.t.store), bundles_before);
    assert_eq!(f.json(&["list", "--json"]), before["list"]);

    // Completely full: import and export fail cleanly.
    std::fs::remove_file(&filler).unwrap();
    let filler = fill(&disk.dir, 0);
    let exported = disk.dir.join("export.avis");
    for args in [
        vec!["import", small.to_str().unwrap()],
        vec!["export", "-o", exported.to_str().unwrap()],
    ] {
        let out = f.avis(&args);
        assert_failed_cleanly(&out, FULL);
    }
    assert!(!exported.exists());
    // Restoring onto the full disk is refused before anything is written.
    let target = disk.dir.join("restaure");
    let out =
        f.t.command()
            .env("AVIS_STORE", &target)
            .args(["restaurer", backup.to_str().unwrap()])
            .output()
            .unwrap();
    assert_failed_cleanly(&out, FULL);
    let mut left: Vec<String> = std::fs::read_dir(&disk.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["magasin", "remplissage"]);
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(f.snapshot(), before);
    assert_eq!(bundle_files(&f.t.store), bundles_before);

    // A draft on a full disk: sled writes into the segment it reserved
    // beforehand, so a short draft may still be saved; otherwise it is
    // refused cleanly. Either way the store stays consistent.
    let filler = fill(&disk.dir, 0);
    let out = f.avis(&["opinion", "apply", opinion.to_str().unwrap()]);
    std::fs::remove_file(&filler).unwrap();
    if out.status.success() {
        assert_eq!(f.json(&["show", TODO_ID, "--json"])["status"], "brouillon");
    } else {
        assert_failed_cleanly(&out, FULL);
        assert_eq!(f.snapshot(), before);
    }
    assert_success(&f.avis(&["journal", "verify"]));
    drop(f);
    drop(disk);
}

/// Runs `list` and `show` on a damaged store: each fails with exit 1, a
/// French message containing `needle`, and no panic.
fn assert_damage_reported(f: &Filled, needle: &str) {
    for args in [vec!["list"], vec!["show", DRAFT_ID]] {
        let out = f.avis(&args);
        assert_failed_cleanly(&out, needle);
        assert!(out.stdout.is_empty());
    }
}

/// Flips one byte of `path` at `offset` (from the end when negative).
fn flip(path: &Path, offset: i64) {
    let mut bytes = std::fs::read(path).unwrap();
    let i = if offset < 0 {
        bytes.len() - offset.unsigned_abs() as usize
    } else {
        offset as usize
    };
    bytes[i] ^= 0x5a;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn damaged_key_files_and_profile_are_reported_clearly() {
    let f = Filled::new();
    let pristine = files(&f.t.store);
    let restore = || {
        for (p, b) in &pristine {
            std::fs::write(p, b).unwrap();
        }
    };
    let store = f.t.store.clone();

    std::fs::write(store.join("profile.json"), "{\"format\": tronqué").unwrap();
    assert_damage_reported(&f, "le magasin est endommagé (profil illisible)");
    restore();

    // The payload of identity.age (its last bytes) altered.
    flip(&store.join("identity.age"), -5);
    assert_damage_reported(&f, "le magasin est endommagé");
    restore();
    // identity.age truncated.
    let id = std::fs::read(store.join("identity.age")).unwrap();
    std::fs::write(store.join("identity.age"), &id[..id.len() / 2]).unwrap();
    assert_damage_reported(&f, "le magasin est endommagé");
    restore();
    // identity.age missing.
    std::fs::remove_file(store.join("identity.age")).unwrap();
    assert_damage_reported(&f, "lire l'identité");
    restore();

    flip(&store.join("datakey.age"), -5);
    assert_damage_reported(
        &f,
        "le magasin est endommagé (clés du magasin indéchiffrables)",
    );
    restore();
    flip(&store.join("signing.key.age"), -5);
    assert_damage_reported(&f, "le magasin est endommagé");
    restore();

    // Every message says what to do.
    let out = f.avis(&["list"]);
    assert_success(&out);
    std::fs::write(store.join("profile.json"), "[]").unwrap();
    let out = f.avis(&["list"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("avis restaurer"));
}

#[test]
fn a_damaged_database_is_reported_never_silently_wrong() {
    let f = Filled::new();
    let before = f.snapshot();
    let pristine = files(&f.t.store);
    let db_file = f.t.store.join("db").join("db");
    let bytes = std::fs::read(&db_file).unwrap();
    let used = bytes.iter().rposition(|&b| b != 0).unwrap();
    let mut reported = 0;
    for i in 0..8 {
        for (p, b) in &pristine {
            std::fs::write(p, b).unwrap();
        }
        let offset = 20 + i * used / 8;
        flip(&db_file, offset as i64);
        let out = f.avis(&["list", "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked") && !stderr.contains("erreur interne"));
        if out.status.success() {
            // An altered byte sled did not need: what it shows is intact.
            assert_eq!(f.snapshot(), before, "byte {offset}");
        } else {
            assert_failed_cleanly(&out, "le magasin est endommagé");
            assert!(stderr.contains("avis restaurer"), "{stderr}");
            let out = f.avis(&["show", DRAFT_ID]);
            assert_failed_cleanly(&out, "le magasin est endommagé");
            reported += 1;
        }
    }
    assert!(reported > 0, "no damage was ever detected");
    // sled's configuration file.
    for (p, b) in &pristine {
        std::fs::write(p, b).unwrap();
    }
    flip(&f.t.store.join("db").join("conf"), 3);
    assert_damage_reported(&f, "le magasin est endommagé");
}

#[test]
fn a_damaged_bundle_file_is_reported_when_a_document_is_read() {
    use avis::store::{Store, StoreError, StoreOptions};
    let f = Filled::new();
    let bundle = std::fs::read_dir(f.t.store.join("bundles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "age"))
        .unwrap();
    flip(&bundle, -30);
    // Listing and showing need only the database: they still work, and say
    // nothing wrong.
    assert_success(&f.avis(&["list"]));
    assert_success(&f.avis(&["show", DRAFT_ID]));
    // Reading the document finds the damage.
    let store = Store::open(
        &f.t.store,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    let err = store.document(&sha256_hex(&f.doc)).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    assert!(err.to_string().contains("le magasin est endommagé"));
    drop(store);
    // A missing bundle file is a missing document.
    std::fs::remove_file(&bundle).unwrap();
    let store = Store::open(
        &f.t.store,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    let err = store.document(&sha256_hex(&f.doc)).unwrap_err();
    assert!(err.to_string().contains("absente du magasin"), "{err}");
}

#[test]
fn export_killed_after_writing_leaves_a_consistent_store() {
    // abort() right after the export file is written, before the statuses
    // are committed: the store is unchanged (the avis is still `valide`),
    // the journal verifies, and the next export sends it.
    let f = Filled::new();
    let before = f.snapshot();
    let out_file = f.t.path("export-tue.avis");
    let out =
        f.t.command()
            .env("AVIS_DATE", DATE)
            .env("AVIS_TEST_CRASH_AT", "export:written")
            .args(["export", "-o", out_file.to_str().unwrap()])
            .output()
            .unwrap();
    assert!(!out.status.success(), "the export did not crash");
    assert_eq!(f.snapshot(), before);
    assert_success(&f.avis(&["journal", "verify"]));
    let again = f.t.path("export-2.avis");
    assert_success(&f.avis(&["export", "-o", again.to_str().unwrap()]));
    assert!(again.exists());
    let list = f.json(&["list", "--json"]);
    let exported = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == VALID_ID)
        .unwrap();
    assert_eq!(exported["status"], "exporte");
}
