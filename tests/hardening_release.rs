//! The doctor's build has no test hooks: the binary `cargo build --release`
//! makes (without the `test-hooks` feature, which only the test suite turns
//! on) ignores every `AVIS_TEST_*` variable: no crash, pause or simulated
//! full disk at a test point, no low scrypt factor at `init`. The test
//! binary, built with the hooks, honours them (so this test can fail).
//!
//! It builds the release binary (`cargo build --release --bin avis`, as the
//! README's `cargo run --release -- demo` does; only `avis` itself is
//! rebuilt when the dependencies are already built).

#[path = "common/store_support.rs"]
mod store_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use store_support::*;

fn release_binary() -> PathBuf {
    let test_bin = Path::new(env!("CARGO_BIN_EXE_avis"));
    let target = test_bin.parent().unwrap().parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--release", "--bin", "avis"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_FEATURE_TEST_HOOKS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo build --release failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = target.join("release").join("avis");
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

/// The scrypt work factor of an age file encrypted to a passphrase.
fn scrypt_factor(file: &Path) -> u8 {
    let bytes = std::fs::read(file).unwrap();
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
    let line = text
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap()
        .to_string();
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_release_binary_ignores_every_test_hook() {
    let release = release_binary();
    let t = TestStore::new();
    // The test store's command line, on either binary.
    let on = |bin: &Path, var: &str, value: &str, args: &[&str]| {
        let c = t.command();
        Command::new(bin)
            .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env(var, value)
            .args(args)
            .output()
            .unwrap()
    };
    // `init` with the low test factor: the release binary uses the fixed one.
    let out = on(
        &release,
        "AVIS_TEST_KDF_LOG_N",
        "10",
        &["init", "--name", "Dr Claire Martin"],
    );
    assert_success(&out);
    assert_eq!(scrypt_factor(&t.store.join("identity.age")), 18);
    // A crash point: the test binary aborts there, the release one goes on.
    let test_bin = Path::new(env!("CARGO_BIN_EXE_avis"));
    let crashed = on(test_bin, "AVIS_TEST_CRASH_AT", "open", &["list"]);
    assert!(!crashed.status.success(), "the test build has no hooks");
    assert_success(&on(&release, "AVIS_TEST_CRASH_AT", "open", &["list"]));
    // A pause point.
    let out = on(&release, "AVIS_TEST_PAUSE_AT", "open", &["list"]);
    assert_success(&out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AVIS_PAUSE"));
    // A full disk from the opening on: the release binary still writes.
    let r = Rectorat::new(&t.path("rectorat"), "Rectorat");
    let out = on(
        &release,
        "AVIS_TEST_FAIL_WRITE_AT",
        "open",
        &[
            "trust",
            "add",
            r.public_key.to_str().unwrap(),
            "--name",
            "Rectorat",
        ],
    );
    assert_success(&out);
    // Nothing in the binary even names the hooks' variables.
    let bytes = std::fs::read(&release).unwrap();
    for name in [
        "AVIS_TEST_CRASH_AT",
        "AVIS_TEST_PAUSE_AT",
        "AVIS_TEST_FAIL_WRITE_AT",
        "AVIS_TEST_KDF_LOG_N",
    ] {
        assert!(
            !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} is in the release binary"
        );
    }
}
