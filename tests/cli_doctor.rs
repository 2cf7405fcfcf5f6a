//! The doctor's commands through the real binary: init, keys, trust,
//! passphrase handling, the store lock, list/show/export/journal on an
//! empty store, and their JSON shapes and French errors.

#[path = "common/store_support.rs"]
mod store_support;

use std::os::unix::fs::PermissionsExt;

use store_support::*;

#[test]
fn init_creates_private_store_and_keys_show_prints_public_keys() {
    let t = TestStore::init();
    for entry in walk(&t.store) {
        let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
        if entry.is_dir() {
            assert_eq!(mode, 0o700, "{}", entry.display());
        } else {
            assert_eq!(mode, 0o600, "{}", entry.display());
        }
    }
    let keys = t.json(&["keys", "show", "--json"]);
    let obj = keys.as_object().unwrap();
    let mut names: Vec<&str> = obj.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "age_recipient",
            "fingerprint",
            "signing_key",
            "signing_key_file"
        ]
    );
    let recipient = keys["age_recipient"].as_str().unwrap();
    assert!(recipient.starts_with("age1"));
    let signing_key = keys["signing_key"].as_str().unwrap();
    assert!(signing_key.starts_with("RW"));
    let file = keys["signing_key_file"].as_str().unwrap();
    assert!(file.starts_with("untrusted comment: "));
    assert!(file.ends_with(&format!("\n{signing_key}\n")));
    // The public key file is a valid minisign key.
    assert!(minisign::PublicKey::from_base64(signing_key).is_ok());
    let human = stdout(&t.avis(&["keys", "show"]));
    assert!(human.contains(recipient) && human.contains("Empreinte"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn identity_file_opens_with_the_age_crate_scrypt_and_passphrase() {
    use std::io::Read;
    let t = TestStore::init();
    let bytes = std::fs::read(t.store.join("identity.age")).unwrap();
    let d = age::Decryptor::new(&bytes[..]).unwrap();
    assert!(
        d.is_scrypt(),
        "identity.age must be passphrase-encrypted like age -p"
    );
    let id = age::scrypt::Identity::new(PASSPHRASE.to_string().into());
    let mut text = String::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    let identity: age::x25519::Identity = line.parse().unwrap();
    assert_eq!(identity.to_public().to_string(), t.recipient());
}

#[test]
fn init_twice_is_refused_and_changes_nothing() {
    let t = TestStore::init();
    let before = std::fs::read(t.store.join("identity.age")).unwrap();
    let out = t.avis(&["init", "--name", "Dr Autre"]);
    assert_refused(&out, "existe déjà");
    assert_eq!(std::fs::read(t.store.join("identity.age")).unwrap(), before);
}

#[test]
fn short_or_empty_passphrases_are_refused_at_init() {
    let t = TestStore::new();
    std::fs::write(&t.passphrase_file, "court\n").unwrap();
    assert_refused(&t.avis(&["init", "--name", "Dr X"]), "trop courte");
    std::fs::write(&t.passphrase_file, "\nsuite").unwrap();
    assert_refused(&t.avis(&["init", "--name", "Dr X"]), "vide");
    assert!(!t.store.join("profile.json").exists());
    // A CRLF line ending is not part of the passphrase.
    std::fs::write(&t.passphrase_file, format!("{PASSPHRASE}\r\n")).unwrap();
    assert_success(&t.avis(&["init", "--name", "Dr X"]));
    std::fs::write(&t.passphrase_file, PASSPHRASE).unwrap();
    assert_success(&t.avis(&["keys", "show"]));
}

#[test]
fn wrong_passphrase_is_refused_then_journalled() {
    let t = TestStore::init();
    let before = std::fs::read(t.store.join("identity.age")).unwrap();
    std::fs::write(&t.passphrase_file, "pas la bonne phrase\n").unwrap();
    let out = t.avis(&["list"]);
    assert_refused(&out, "phrase de passe incorrecte");
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(t.store.join("identity.age")).unwrap(), before);
    std::fs::write(&t.passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
    let kinds = event_kinds(&t.json(&["journal", "list", "--json"]));
    assert_eq!(kinds, ["unlock_failed"]);
    assert!(!t.store.join("unlock-failures").exists());
}

#[test]
fn missing_store_and_missing_passphrase_file_say_what_to_do() {
    let t = TestStore::new();
    assert_refused(&t.avis(&["list"]), "avis init");
    let t = TestStore::init();
    let out = t
        .command()
        .env("AVIS_PASSPHRASE_FILE", t.path("absent"))
        .args(["list"])
        .output()
        .unwrap();
    assert_refused(&out, "--passphrase-file");
    // The global flag works as well as the environment variable.
    let out = t
        .command()
        .env_remove("AVIS_STORE")
        .env_remove("AVIS_PASSPHRASE_FILE")
        .arg("--store")
        .arg(&t.store)
        .arg("--passphrase-file")
        .arg(&t.passphrase_file)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn a_second_process_gets_a_clear_message() {
    let t = TestStore::init();
    let (_, pk) = minisign_keypair();
    std::fs::write(t.path("r.pub"), pk).unwrap();
    let mut holder = t
        .command()
        .env("AVIS_TEST_PAUSE_AT", "trust:before_flush")
        .args(["trust", "add"])
        .arg(t.path("r.pub"))
        .args(["--name", "Rectorat"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(&mut holder);
    let out = t.avis(&["list"]);
    assert_refused(&out, "déjà ouvert par un autre programme avis");
    holder.kill().unwrap();
    holder.wait().unwrap();
    // After the holder died, the store opens again.
    assert_success(&t.avis(&["list"]));
}

/// Waits until a child paused at its test point (it prints `AVIS_PAUSE`).
pub fn wait_for_pause(child: &mut std::process::Child) {
    use std::io::BufRead;
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("AVIS_PAUSE") => return,
            Some(Ok(_)) => continue,
            _ => panic!("child ended without pausing"),
        }
    }
}

#[test]
fn trust_add_and_list() {
    let t = TestStore::init();
    let (_, pk) = minisign_keypair();
    std::fs::write(t.path("r.pub"), &pk).unwrap();
    let out = t.avis(&[
        "trust",
        "add",
        t.path("r.pub").to_str().unwrap(),
        "--name",
        "Rectorat d'Aix-Marseille",
    ]);
    assert_success(&out);
    assert!(stdout(&out).contains("Empreinte"));
    let list = t.json(&["trust", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Rectorat d'Aix-Marseille");
    let key_line = pk.lines().nth(1).unwrap();
    assert_eq!(list[0]["signing_key"], key_line);
    let fp = list[0]["fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 24, "five groups of four hex digits: {fp}");
    assert!(stdout(&out).contains(fp));

    std::fs::write(t.path("bad.pub"), "untrusted comment: x\nnot a key\n").unwrap();
    assert_refused(
        &t.avis(&[
            "trust",
            "add",
            t.path("bad.pub").to_str().unwrap(),
            "--name",
            "X",
        ]),
        "clé publique minisign illisible",
    );
    assert_refused(
        &t.avis(&[
            "trust",
            "add",
            t.path("absent.pub").to_str().unwrap(),
            "--name",
            "X",
        ]),
        "impossible de lire",
    );
}

#[test]
fn empty_store_commands() {
    let t = TestStore::init();
    assert_eq!(t.json(&["list", "--json"]), serde_json::json!([]));
    assert!(stdout(&t.avis(&["list"])).contains("Aucune demande"));
    assert_refused(&t.avis(&["show", "AMX-0"]), "aucune demande AMX-0");
    assert_refused(
        &t.avis(&["export", "-o", t.path("out.age").to_str().unwrap()]),
        "aucun avis validé à exporter",
    );
    assert!(!t.path("out.age").exists());
    assert_refused(
        &t.avis(&["opinion", "validate", "AMX-0"]),
        "aucune demande AMX-0",
    );
    let out = t.avis(&["journal", "verify"]);
    assert_success(&out);
    assert!(stdout(&out).contains("0 événement"));
    assert_refused(
        &t.avis(&["import", t.path("absent.avis").to_str().unwrap()]),
        "introuvable",
    );
    // Usage errors are clap's (exit 2).
    assert_eq!(t.avis(&["opinion", "validate"]).status.code(), Some(2));
}

#[test]
fn help_and_usage_errors_are_in_french() {
    let t = TestStore::new();
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["export", "--help"],
        vec!["import", "--help"],
        vec!["journal", "list", "--help"],
    ] {
        let out = t.avis(&args);
        assert_success(&out);
        let text = stdout(&out);
        assert!(text.contains("Utilisation : avis"), "{args:?}: {text}");
        assert!(text.contains("Afficher l'aide"), "{args:?}: {text}");
        assert!(text.contains("Options :"), "{args:?}: {text}");
        for english in [
            "Usage:",
            "Print help",
            "Commands:",
            "Options:",
            "Arguments:",
        ] {
            assert!(!text.contains(english), "{args:?}: « {english} » in {text}");
        }
    }
    let top = stdout(&t.avis(&["--help"]));
    assert!(top.contains("Commandes :"), "{top}");
    assert!(top.contains("Afficher la version"), "{top}");
    assert!(!top.contains("\n  help "), "English help subcommand: {top}");
    assert!(stdout(&t.avis(&["import", "--help"])).contains("Arguments :"));
    assert!(stdout(&t.avis(&["export", "--help"])).contains("--remplacer"));
    // A usage error: status 2, in French.
    let out = t.avis(&["list", "--inconnu"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("argument inattendu « --inconnu »"), "{err}");
    assert!(
        err.contains("Utilisation :") && !err.contains("Usage:"),
        "{err}"
    );
    let out = t.avis(&["exporter"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("commande inconnue"));
}
