//! `avis sauvegarde` and `avis restaurer`: a backup restored into a new
//! directory gives back the same requests, drafts, statuses, journal and
//! documents; a wrong passphrase, a non-empty target, a damaged or foreign
//! file restore nothing; the backup file holds nothing in clear.

#[path = "common/store_support.rs"]
mod store_support;

#[path = "common/hardening_support.rs"]
mod hardening_support;

use std::io::Read;
use std::path::{Path, PathBuf};

use avis::store::{Store, StoreOptions};
use hardening_support::*;
use store_support::*;

/// `avis ARGS` with the store `dir` (same passphrase file).
fn avis_on(f: &Filled, dir: &Path, args: &[&str]) -> std::process::Output {
    f.t.command()
        .env("AVIS_STORE", dir)
        .env("AVIS_DATE", DATE)
        .args(args)
        .output()
        .unwrap()
}

fn json_on(f: &Filled, dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = avis_on(f, dir, args);
    assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn backup(f: &Filled) -> PathBuf {
    let file = f.t.path("sauvegarde.age");
    let out = f.avis(&["sauvegarde", "-o", file.to_str().unwrap()]);
    assert_success(&out);
    assert!(stdout(&out).contains("Sauvegarde chiffrée écrite"));
    file
}

fn restore(f: &Filled, file: &Path, target: &Path) -> std::process::Output {
    avis_on(f, target, &["restaurer", file.to_str().unwrap()])
}

fn names_in(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut v: Vec<String> = entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        }
        Err(_) => Vec::new(),
    }
}

#[test]
fn backup_then_restore_gives_the_same_store() {
    let f = Filled::new();
    let before = f.snapshot();
    let file = backup(&f);
    // The backup is journalled in the original store.
    let journal = f.json(&["journal", "list", "--json"]);
    let last = journal.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "backup");

    let target = f.t.path("nouveau").join("magasin");
    let out = restore(&f, &file, &target);
    assert_success(&out);
    assert!(stdout(&out).contains("Magasin restauré"));
    // Same requests, statuses, drafts and checks.
    let list = json_on(&f, &target, &["list", "--json"]);
    assert_eq!(list, before["list"]);
    for show in before["shows"].as_array().unwrap() {
        let id = show["request"]["id"].as_str().unwrap();
        assert_eq!(&json_on(&f, &target, &["show", id, "--json"]), show);
    }
    assert_eq!(
        json_on(&f, &target, &["show", DRAFT_ID, "--json"])["status"],
        "brouillon"
    );
    assert_eq!(
        json_on(&f, &target, &["show", VALID_ID, "--json"])["status"],
        "valide"
    );
    // The journal: everything before the backup, then the restoration.
    assert_success(&avis_on(&f, &target, &["journal", "verify"]));
    let restored = json_on(&f, &target, &["journal", "list", "--json"]);
    let restored = restored.as_array().unwrap();
    let original = journal.as_array().unwrap();
    assert_eq!(
        &restored[..original.len() - 1],
        &original[..original.len() - 1]
    );
    assert_eq!(restored.last().unwrap()["kind"], "restore");
    // Same keys, trusted rectorat, documents readable.
    assert_eq!(
        json_on(&f, &target, &["keys", "show", "--json"]),
        f.json(&["keys", "show", "--json"])
    );
    assert_eq!(
        json_on(&f, &target, &["trust", "list", "--json"]),
        f.json(&["trust", "list", "--json"])
    );
    let store = Store::open(
        &target,
        &PASSPHRASE.to_string().into(),
        &StoreOptions::default(),
    )
    .unwrap();
    assert_eq!(
        &store.document(&sha256_hex(&f.doc)).unwrap()[..],
        &f.doc[..]
    );
    drop(store);
    // The restored store is private and complete; nothing left beside it.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert_eq!(names_in(target.parent().unwrap()), ["magasin"]);
    // The restored store keeps working: export the validated avis.
    let out = avis_on(
        &f,
        &target,
        &["export", "-o", f.t.path("export.avis").to_str().unwrap()],
    );
    assert_success(&out);
}

#[test]
fn restore_into_an_existing_empty_directory() {
    let f = Filled::new();
    let file = backup(&f);
    let target = f.t.path("vide");
    std::fs::create_dir(&target).unwrap();
    assert_success(&restore(&f, &file, &target));
    assert_eq!(
        json_on(&f, &target, &["list", "--json"]),
        f.json(&["list", "--json"])
    );
}

#[test]
fn refused_restorations_change_nothing() {
    let f = Filled::new();
    let file = backup(&f);
    let parent = f.t.path("ailleurs");
    std::fs::create_dir(&parent).unwrap();
    let target = parent.join("magasin");

    // Wrong passphrase: nothing created.
    let wrong = f.t.path("mauvaise");
    std::fs::write(&wrong, "pas la bonne phrase\n").unwrap();
    let out =
        f.t.command()
            .env("AVIS_STORE", &target)
            .env("AVIS_PASSPHRASE_FILE", &wrong)
            .args(["restaurer", file.to_str().unwrap()])
            .output()
            .unwrap();
    assert_refused(&out, "phrase de passe incorrecte");
    assert!(names_in(&parent).is_empty(), "{:?}", names_in(&parent));

    // A non-empty target, or an existing store: refused, left as it was.
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "à garder").unwrap();
    assert_refused(&restore(&f, &file, &target), "n'est pas vide");
    assert_eq!(names_in(&target), ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(target.join("notes.txt")).unwrap(),
        "à garder"
    );
    let before = files(&f.t.store);
    assert_refused(&restore(&f, &file, &f.t.store), "n'est pas vide");
    assert_eq!(files(&f.t.store), before);
    std::fs::remove_dir_all(&target).unwrap();

    // A truncated backup: nothing created, no temporary directory left.
    let bytes = std::fs::read(&file).unwrap();
    let cut = f.t.path("coupee.age");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    assert_refused(
        &restore(&f, &cut, &target),
        "sauvegarde tronquée ou modifiée",
    );
    assert!(names_in(&parent).is_empty(), "{:?}", names_in(&parent));
    // An altered byte in the middle.
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 1;
    std::fs::write(&cut, &altered).unwrap();
    assert_refused(
        &restore(&f, &cut, &target),
        "sauvegarde tronquée ou modifiée",
    );
    assert!(names_in(&parent).is_empty());
    // Not a backup at all: a bundle, a text file, an absent file.
    assert_refused(
        &restore(&f, &f.t.path("lot1.avis"), &target),
        "pas une sauvegarde avis",
    );
    std::fs::write(&cut, "bonjour").unwrap();
    assert_refused(&restore(&f, &cut, &target), "pas une sauvegarde avis");
    assert_refused(
        &restore(&f, &f.t.path("absente.age"), &target),
        "sauvegarde introuvable",
    );
    assert!(names_in(&parent).is_empty());
}

#[test]
fn the_backup_file_holds_nothing_in_clear() {
    let f = Filled::new();
    let file = backup(&f);
    let bytes = std::fs::read(&file).unwrap();
    let upper = NAME.to_uppercase();
    let needles: [&[u8]; 9] = [
        NAME.as_bytes(),
        upper.as_bytes(),
        DOC_MARK.as_bytes(),
        DRAFT_ID.as_bytes(),
        b"Claire Martin",
        b"Lenteur de lecture",
        b"profile.json",
        b"AGE-SECRET-KEY",
        b"ustar",
    ];
    for n in needles {
        assert!(
            !bytes.windows(n.len()).any(|w| w == n),
            "{} in clear in the backup",
            String::from_utf8_lossy(n)
        );
    }
    // It is an age file under the passphrase (scrypt), a tar inside, with
    // every store file but the lock.
    let d = age::Decryptor::new(&bytes[..]).unwrap();
    assert!(d.is_scrypt());
    let id = age::scrypt::Identity::new(PASSPHRASE.to_string().into());
    let mut tar_bytes = Vec::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut tar_bytes)
        .unwrap();
    let mut archive = tar::Archive::new(&tar_bytes[..]);
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names[0], "avis-sauvegarde.json");
    for expected in [
        "profile.json",
        "identity.age",
        "signing.key.age",
        "datakey.age",
        "db/conf",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    assert!(names
        .iter()
        .any(|n| n.starts_with("bundles/") && n.ends_with(".age")));
    assert!(!names.iter().any(|n| n.contains("store.lock")));
    // Written private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_backup_inside_the_store_is_refused() {
    let f = Filled::new();
    let inside = f.t.store.join("sauvegarde.age");
    let out = f.avis(&["sauvegarde", "-o", inside.to_str().unwrap()]);
    assert_refused(&out, "hors du dossier du magasin");
    assert!(!inside.exists());
    let out = f.avis(&[
        "sauvegarde",
        "-o",
        f.t.path("absent/dossier/s.age").to_str().unwrap(),
    ]);
    assert_refused(&out, "impossible de trouver le dossier de la sauvegarde");
    // A wrong passphrase writes no backup.
    std::fs::write(&f.t.passphrase_file, "pas la bonne phrase\n").unwrap();
    let file = f.t.path("s.age");
    let out = f.avis(&["sauvegarde", "-o", file.to_str().unwrap()]);
    assert_refused(&out, "phrase de passe incorrecte");
    assert!(!file.exists());
}

#[test]
fn a_backup_keeps_the_passphrase_it_was_made_with() {
    let f = Filled::new();
    let file = backup(&f);
    let new = f.t.path("nouvelle");
    std::fs::write(&new, "une toute nouvelle phrase\n").unwrap();
    assert_success(&f.avis(&[
        "keys",
        "passphrase",
        "--nouvelle-phrase-file",
        new.to_str().unwrap(),
    ]));
    // The old backup restores with the old passphrase.
    let target = f.t.path("ancien");
    assert_success(&restore(&f, &file, &target));
    // A new backup uses the new one.
    let file2 = f.t.path("sauvegarde2.age");
    let out =
        f.t.command()
            .env("AVIS_PASSPHRASE_FILE", &new)
            .args(["sauvegarde", "-o", file2.to_str().unwrap()])
            .output()
            .unwrap();
    assert_success(&out);
    let target2 = f.t.path("recent");
    assert_refused(&restore(&f, &file2, &target2), "phrase de passe incorrecte");
    let out =
        f.t.command()
            .env("AVIS_STORE", &target2)
            .env("AVIS_PASSPHRASE_FILE", &new)
            .args(["restaurer", file2.to_str().unwrap()])
            .output()
            .unwrap();
    assert_success(&out);
}

#[test]
fn a_crash_during_restoration_leaves_no_store_behind() {
    let f = Filled::new();
    let file = backup(&f);
    let target = f.t.path("cible").join("magasin");
    for point in ["restore:extracted", "restore:checked"] {
        let out =
            f.t.command()
                .env("AVIS_STORE", &target)
                .env("AVIS_TEST_CRASH_AT", point)
                .args(["restaurer", file.to_str().unwrap()])
                .output()
                .unwrap();
        assert!(!out.status.success(), "{point}: the crash did not happen");
        assert!(!target.exists(), "{point}: a partial store was left");
    }
    let staging = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".avis-restore-"))
            .collect()
    };
    let parent = target.parent().unwrap();
    assert!(
        !staging(parent).is_empty(),
        "the crashes left no staging copy"
    );
    // Trying again works, and sweeps the copies the killed runs left.
    assert_success(&restore(&f, &file, &target));
    assert_eq!(staging(parent), Vec::<String>::new());
    assert_eq!(
        json_on(&f, &target, &["list", "--json"]),
        f.json(&["list", "--json"])
    );
}
