//! The store library's key handling: a store created with given keys (the
//! demo's throw-away store) from files the reference tools wrote, and a
//! wrong passphrase that changes nothing.

#[path = "common/store_support.rs"]
mod store_support;

use std::process::Command;

use avis::store::{Store, StoreError, StoreOptions};
use store_support::*;

fn options() -> StoreOptions {
    StoreOptions {
        kdf_log_n: Some(10),
    }
}

#[test]
fn init_with_given_keys_uses_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (identity_text, sk_text, pk_text) = if have_tool("age-keygen") && have_tool("minisign") {
        let id = tmp.path().join("id.agekey");
        assert!(Command::new("age-keygen")
            .arg("-o")
            .arg(&id)
            .output()
            .unwrap()
            .status
            .success());
        let sk = tmp.path().join("k.key");
        let pk = tmp.path().join("k.pub");
        let out = Command::new("minisign")
            .args(["-G", "-W", "-s"])
            .arg(&sk)
            .arg("-p")
            .arg(&pk)
            .output()
            .unwrap();
        assert!(out.status.success());
        (
            std::fs::read_to_string(id).unwrap(),
            std::fs::read_to_string(sk).unwrap(),
            std::fs::read_to_string(pk).unwrap(),
        )
    } else {
        use age::secrecy::ExposeSecret;
        let (sk, pk) = minisign_keypair();
        let id = age::x25519::Identity::generate();
        (format!("{}\n", id.to_string().expose_secret()), sk, pk)
    };
    let identity: age::x25519::Identity = identity_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .parse()
        .unwrap();
    let dir = tmp.path().join("demo");
    let pass = "phrase de démonstration".to_string().into();
    let store = Store::init_with_keys(
        &dir,
        &pass,
        "Dr Démo",
        None,
        &identity_text,
        &sk_text,
        &options(),
    )
    .unwrap();
    let keys = store.public_keys();
    assert_eq!(keys.age_recipient, identity.to_public().to_string());
    assert_eq!(keys.signing_key, pk_text.lines().nth(1).unwrap().trim());
    assert_eq!(store.doctor().name, "Dr Démo");
    drop(store);

    // A second opening while the first is held is refused as busy.
    let first = Store::open(&dir, &pass, &StoreOptions::default()).unwrap();
    assert!(matches!(
        Store::open(&dir, &pass, &StoreOptions::default()),
        Err(StoreError::Busy)
    ));
    first.lock().unwrap();

    // A wrong passphrase changes none of the key files.
    let before: Vec<Vec<u8>> = [
        "identity.age",
        "datakey.age",
        "signing.key.age",
        "profile.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect();
    let wrong = "mauvaise phrase".to_string().into();
    assert!(matches!(
        Store::open(&dir, &wrong, &StoreOptions::default()),
        Err(StoreError::WrongPassphrase)
    ));
    let after: Vec<Vec<u8>> = [
        "identity.age",
        "datakey.age",
        "signing.key.age",
        "profile.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect();
    assert_eq!(before, after);

    // Bad key texts are refused with a French message.
    let err = Store::init_with_keys(
        &tmp.path().join("bad"),
        &pass,
        "Dr",
        None,
        "pas une identité",
        &sk_text,
        &options(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("identité age illisible"));
    assert!(!tmp.path().join("bad/profile.json").exists());
}
