//! The doctor's commands on a real terminal (a pty): the passphrase asked
//! without echo (twice at init, a mismatch refused), the reference `age -d`
//! opening `identity.age` with the passphrase, and the import progress
//! shown on stderr.

#[path = "common/pty_support.rs"]
mod pty_support;
#[path = "common/store_support.rs"]
mod store_support;

use portable_pty::CommandBuilder;
use pty_support::in_pty;
use store_support::*;

fn avis_cmd(t: &TestStore, args: &[&str]) -> CommandBuilder {
    let mut c = CommandBuilder::new(env!("CARGO_BIN_EXE_avis"));
    c.args(args);
    c.env("AVIS_STORE", &t.store);
    c.env("AVIS_TEST_KDF_LOG_N", "10");
    c.env_remove("AVIS_PASSPHRASE_FILE");
    c
}

#[test]
fn passphrase_asked_twice_without_echo_at_init() {
    let t = TestStore::new();
    let secret = "une phrase de passe secrete";
    let (out, ok) = in_pty(
        avis_cmd(&t, &["init", "--name", "Dr Claire Martin"]),
        &[
            ("Phrase de passe : ", &format!("{secret}\r")),
            ("Confirmez la phrase de passe : ", &format!("{secret}\r")),
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("Magasin créé"), "{out}");
    assert!(!out.contains(secret), "the passphrase was echoed: {out}");

    // Asked once to open.
    let (out, ok) = in_pty(
        avis_cmd(&t, &["keys", "show"]),
        &[("Phrase de passe : ", &format!("{secret}\r"))],
    );
    assert!(ok && out.contains("age1"), "{out}");

    // The reference age opens identity.age with the passphrase (age -p format).
    if have_tool("age") {
        let mut c = CommandBuilder::new("age");
        c.args(["-d", t.store.join("identity.age").to_str().unwrap()]);
        let (out, ok) = in_pty(c, &[("passphrase", &format!("{secret}\r"))]);
        assert!(ok && out.contains("AGE-SECRET-KEY-1"), "{out}");
    }
}

#[test]
fn mismatched_confirmation_creates_nothing() {
    let t = TestStore::new();
    let (out, ok) = in_pty(
        avis_cmd(&t, &["init", "--name", "Dr X"]),
        &[
            ("Phrase de passe : ", "premiere phrase\r"),
            ("Confirmez la phrase de passe : ", "seconde phrase\r"),
        ],
    );
    assert!(!ok);
    assert!(out.contains("diffèrent"), "{out}");
    assert!(!t.store.join("profile.json").exists());
}

#[test]
fn import_shows_progress_on_a_terminal() {
    let t = TestStore::init();
    let r = Rectorat::trusted_by(&t, "R");
    let doc: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sha = sha256_hex(&doc);
    let dir = pack_dir(
        &t.path("in"),
        &[("AMX-1".into(), request_json("AMX-1", 1, "Durand", &[sha]))],
        &[doc],
    );
    let bundle = t.path("lot.avis");
    assert_success(&r.pack(&t, &dir, 1, &bundle));
    let mut c = avis_cmd(&t, &["import", bundle.to_str().unwrap()]);
    c.env("AVIS_PASSPHRASE_FILE", &t.passphrase_file);
    let (out, ok) = in_pty(c, &[]);
    assert!(ok, "{out}");
    assert!(out.contains("Import :") && out.contains("%"), "{out}");
    assert!(out.contains("importé"), "{out}");
}
