//! `avis keys passphrase`: the old passphrase stops working and the new one
//! works (and still opens identity.age as `age -p` would); a wrong current
//! passphrase, a too short or unchanged new one change nothing; a crash at
//! any instant of the change leaves the old or the new passphrase working;
//! on a terminal the passphrases are asked without echo.

#[path = "common/pty_support.rs"]
mod pty_support;
#[path = "common/store_support.rs"]
mod store_support;

use std::io::Read;
use std::path::Path;

use portable_pty::CommandBuilder;
use pty_support::in_pty;
use store_support::*;

const NEW: &str = "une toute nouvelle phrase de passe";

fn key_files(dir: &Path) -> Vec<Vec<u8>> {
    [
        "identity.age",
        "datakey.age",
        "signing.key.age",
        "profile.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect()
}

fn with_passphrase(t: &TestStore, passphrase: &str, args: &[&str]) -> std::process::Output {
    let file = t.path("essai");
    std::fs::write(&file, format!("{passphrase}\n")).unwrap();
    t.command()
        .env("AVIS_PASSPHRASE_FILE", &file)
        .args(args)
        .output()
        .unwrap()
}

fn change(t: &TestStore, new: &str) -> std::process::Output {
    let file = t.path("nouvelle");
    std::fs::write(&file, format!("{new}\n")).unwrap();
    t.avis(&[
        "keys",
        "passphrase",
        "--nouvelle-phrase-file",
        file.to_str().unwrap(),
    ])
}

/// The identity file text, decrypted with the age crate as `age -d` does.
fn identity_text(dir: &Path, passphrase: &str) -> Option<String> {
    let bytes = std::fs::read(dir.join("identity.age")).unwrap();
    let d = age::Decryptor::new(&bytes[..]).unwrap();
    assert!(d.is_scrypt());
    let id = age::scrypt::Identity::new(passphrase.to_string().into());
    let mut text = String::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .ok()?
        .read_to_string(&mut text)
        .unwrap();
    Some(text)
}

#[test]
fn new_passphrase_replaces_the_old_one() {
    let t = TestStore::init();
    let recipient = t.recipient();
    let old_text = identity_text(&t.store, PASSPHRASE).unwrap();
    let out = change(&t, NEW);
    assert_success(&out);
    assert!(stdout(&out).contains("Phrase de passe changée"));

    assert_refused(
        &with_passphrase(&t, PASSPHRASE, &["list"]),
        "phrase de passe incorrecte",
    );
    let out = with_passphrase(&t, NEW, &["keys", "show", "--json"]);
    assert_success(&out);
    let keys: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys["age_recipient"], recipient.as_str());
    // The same identity file, under the new passphrase only.
    assert!(identity_text(&t.store, PASSPHRASE).is_none());
    assert_eq!(identity_text(&t.store, NEW).unwrap(), old_text);
    // Journalled (with the failed unlock of the old passphrase above).
    let out = with_passphrase(&t, NEW, &["journal", "list", "--json"]);
    let journal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["passphrase_changed", "unlock_failed"]);
    assert_success(&with_passphrase(&t, NEW, &["journal", "verify"]));
    // No temporary file left in the store.
    for e in std::fs::read_dir(&t.store).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".avis-tmp-"), "{name}");
    }
}

#[test]
fn refused_changes_modify_nothing() {
    let t = TestStore::init();
    let before = key_files(&t.store);
    // Wrong current passphrase.
    std::fs::write(&t.passphrase_file, "pas la bonne phrase\n").unwrap();
    assert_refused(&change(&t, NEW), "phrase de passe incorrecte");
    assert_eq!(key_files(&t.store), before);
    std::fs::write(&t.passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
    // Too short, empty, or the same as now.
    assert_refused(&change(&t, "court"), "trop courte");
    assert_refused(&change(&t, ""), "vide");
    assert_refused(&change(&t, PASSPHRASE), "identique");
    // Missing file for the new one.
    let out = t.avis(&[
        "keys",
        "passphrase",
        "--nouvelle-phrase-file",
        t.path("absente").to_str().unwrap(),
    ]);
    assert_refused(&out, "--nouvelle-phrase-file");
    assert_eq!(key_files(&t.store), before);
    assert_success(&t.avis(&["list"]));
    // No store.
    let empty = TestStore::new();
    assert_refused(&change(&empty, NEW), "avis init");
}

#[test]
fn a_crash_during_the_change_leaves_one_passphrase_working() {
    // Killed after the new file is written but before it replaces the old
    // one: the old passphrase still works.
    for (point, works, fails) in [
        ("passphrase:writing", PASSPHRASE, NEW),
        ("passphrase:written", PASSPHRASE, NEW),
        ("passphrase:renamed", NEW, PASSPHRASE),
    ] {
        let t = TestStore::init();
        let file = t.path("nouvelle");
        std::fs::write(&file, format!("{NEW}\n")).unwrap();
        let out = t
            .command()
            .env("AVIS_TEST_CRASH_AT", point)
            .args(["keys", "passphrase", "--nouvelle-phrase-file"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the crash did not happen");
        assert_success(&with_passphrase(&t, works, &["list"]));
        assert_refused(
            &with_passphrase(&t, fails, &["list"]),
            "phrase de passe incorrecte",
        );
        assert!(identity_text(&t.store, works).is_some());
        // The next opening removed the interrupted write's temporary file.
        for e in std::fs::read_dir(&t.store).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with(".avis-tmp-"), "{point}: {name}");
        }
    }
}

#[test]
fn a_full_disk_during_the_change_keeps_the_old_passphrase() {
    let t = TestStore::init();
    let before = key_files(&t.store);
    let file = t.path("nouvelle");
    std::fs::write(&file, format!("{NEW}\n")).unwrap();
    let out = t
        .command()
        .env("AVIS_TEST_FAIL_WRITE_AT", "passphrase:writing")
        .args(["keys", "passphrase", "--nouvelle-phrase-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_refused(&out, "Le disque est plein");
    assert_eq!(key_files(&t.store), before);
    assert_success(&t.avis(&["list"]));
}

#[test]
fn on_a_terminal_the_passphrases_are_asked_without_echo() {
    let t = TestStore::init();
    let mut c = CommandBuilder::new(env!("CARGO_BIN_EXE_avis"));
    c.args(["keys", "passphrase"]);
    c.env("AVIS_STORE", &t.store);
    c.env("AVIS_TEST_KDF_LOG_N", "10");
    c.env_remove("AVIS_PASSPHRASE_FILE");
    let (out, ok) = in_pty(
        c,
        &[
            ("Phrase de passe actuelle : ", &format!("{PASSPHRASE}\r")),
            ("Nouvelle phrase de passe : ", &format!("{NEW}\r")),
            (
                "Confirmez la nouvelle phrase de passe : ",
                &format!("{NEW}\r"),
            ),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("Phrase de passe changée"), "{out}");
    assert!(
        !out.contains(NEW) && !out.contains(PASSPHRASE),
        "echoed: {out}"
    );
    assert_success(&with_passphrase(&t, NEW, &["list"]));

    // The reference age opens identity.age with the new passphrase.
    if have_tool("age") {
        let mut c = CommandBuilder::new("age");
        c.args(["-d", t.store.join("identity.age").to_str().unwrap()]);
        let (out, ok) = in_pty(c, &[("passphrase", &format!("{NEW}\r"))]);
        assert!(ok && out.contains("AGE-SECRET-KEY-1"), "{out}");
    }

    // A mismatched confirmation changes nothing.
    let before = key_files(&t.store);
    let mut c = CommandBuilder::new(env!("CARGO_BIN_EXE_avis"));
    c.args(["keys", "passphrase"]);
    c.env("AVIS_STORE", &t.store);
    c.env_remove("AVIS_PASSPHRASE_FILE");
    let (out, ok) = in_pty(
        c,
        &[
            ("Phrase de passe actuelle : ", &format!("{NEW}\r")),
            ("Nouvelle phrase de passe : ", "premiere version\r"),
            (
                "Confirmez la nouvelle phrase de passe : ",
                "seconde version\r",
            ),
        ],
    );
    assert!(!ok);
    assert!(out.contains("diffèrent"), "{out}");
    assert_eq!(key_files(&t.store), before);
}
