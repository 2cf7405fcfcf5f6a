//! Interoperability with the reference tools, both ways: what `avis rectorat
//! pack` writes opens with `age -d`, GNU `tar -x` and `minisign -V`; a bundle
//! built by hand with `minisign -S`, `tar --format=pax` and `age -r` (binary
//! or `-a` armored, prehashed or legacy signature) is read by the reader.
//! Missing tools skip the tests, or fail them when `CI` is set.

#[path = "common/bundle_support.rs"]
mod bundle_support;

use std::path::Path;
use std::process::Command;

use avis::bundle::keys::{parse_identity_file, parse_public_key_file};
use avis::bundle::{read_bundle, BundleKind, Manifest, MemorySink, ReadOptions, TrustedKey};
use bundle_support::*;

fn tools() -> bool {
    ["age", "age-keygen", "minisign", "tar"]
        .iter()
        .all(|tool| have_tool(tool))
}

/// Throwaway keys made by the reference tools in `dir`.
struct ToolKeys {
    doctor_key: std::path::PathBuf,
    doctor_recipient: String,
    rectorat_recipient: String,
    sign_pub: std::path::PathBuf,
    sign_key: std::path::PathBuf,
}

fn tool_keys(dir: &Path) -> ToolKeys {
    let doctor_key = dir.join("doctor.key");
    let rectorat_key = dir.join("rectorat.key");
    for key in [&doctor_key, &rectorat_key] {
        run(Command::new("age-keygen").arg("-o").arg(key));
    }
    let recipient = |key: &Path| {
        String::from_utf8(run(Command::new("age-keygen").arg("-y").arg(key)))
            .unwrap()
            .trim()
            .to_owned()
    };
    let sign_pub = dir.join("signer.pub");
    let sign_key = dir.join("signer.key");
    run(Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&sign_pub)
        .arg("-s")
        .arg(&sign_key));
    ToolKeys {
        doctor_recipient: recipient(&doctor_key),
        rectorat_recipient: recipient(&rectorat_key),
        doctor_key,
        sign_pub,
        sign_key,
    }
}

fn read_with_tool_keys(
    keys: &ToolKeys,
    bytes: &[u8],
) -> Result<(avis::bundle::VerifiedBundle, MemorySink), avis::bundle::BundleError> {
    let identities =
        parse_identity_file(&std::fs::read_to_string(&keys.doctor_key).unwrap()).unwrap();
    let trusted = [TrustedKey {
        name: "rectorat".into(),
        public_key: parse_public_key_file(&std::fs::read_to_string(&keys.sign_pub).unwrap())
            .unwrap(),
    }];
    let options = ReadOptions {
        identities: &identities,
        trusted: &trusted,
        expected_kind: BundleKind::Assignment,
    };
    let mut sink = MemorySink::default();
    read_bundle(bytes, &options, &mut sink).map(|v| (v, sink))
}

#[test]
fn pack_output_opens_with_reference_tools() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = tool_keys(dir.path());
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("requests")).unwrap();
    std::fs::create_dir_all(input.join("documents")).unwrap();
    let doc_a = b"%PDF-1.4 bilan\n".repeat(10_000);
    let doc_b = b"second document".to_vec();
    let (sha_a, sha_b) = (sha256_hex(&doc_a), sha256_hex(&doc_b));
    std::fs::write(input.join("documents").join(&sha_a), &doc_a).unwrap();
    std::fs::write(input.join("documents").join(&sha_b), &doc_b).unwrap();
    std::fs::write(
        input.join("requests/AMX-2026-000123.json"),
        request_json("AMX-2026-000123", &[&sha_a]),
    )
    .unwrap();
    std::fs::write(
        input.join("requests/AMX-2026-000124.json"),
        request_json("AMX-2026-000124", &[&sha_b, &sha_a]),
    )
    .unwrap();
    let bundle = dir.path().join("lot.avis");
    let output = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["rectorat", "pack", "--requests"])
        .arg(&input)
        .arg("--sign-key")
        .arg(&keys.sign_key)
        .args(["--issuer-name", "Rectorat d'Aix-Marseille - DIEC"])
        .args(["--reply-to", &keys.rectorat_recipient])
        .args(["--to", &keys.doctor_recipient])
        .args(["--sequence", "7", "-o"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // age -d | tar -x
    let plain = dir.path().join("plain.tar");
    run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&keys.doctor_key)
        .arg("-o")
        .arg(&plain)
        .arg(&bundle));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    run(Command::new("tar")
        .arg("-xf")
        .arg(&plain)
        .arg("-C")
        .arg(&out));
    // minisign -V
    run(Command::new("minisign")
        .arg("-V")
        .arg("-p")
        .arg(&keys.sign_pub)
        .arg("-m")
        .arg(out.join("manifest.json")));
    // every entry's sha256 matches, in archive order
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.entries.len(), 4);
    assert_eq!(manifest.sequence, 7);
    assert_eq!(manifest.recipient.age_recipient, keys.doctor_recipient);
    assert_eq!(manifest.issuer.age_recipient, keys.rectorat_recipient);
    for entry in &manifest.entries {
        let data = std::fs::read(out.join(&entry.path)).unwrap();
        assert_eq!(sha256_hex(&data), entry.sha256, "{}", entry.path);
        assert_eq!(data.len() as u64, entry.size);
    }
    let listing = String::from_utf8(run(Command::new("tar").arg("-tf").arg(&plain))).unwrap();
    let mut expected = vec![
        "manifest.json".to_owned(),
        "manifest.json.minisig".to_owned(),
    ];
    expected.extend(manifest.entries.iter().map(|e| e.path.clone()));
    assert_eq!(listing.lines().collect::<Vec<_>>(), expected);
    // And our own reader accepts it.
    let (verified, sink) = read_with_tool_keys(&keys, &std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(verified.records.len(), 2);
    assert_eq!(sink.documents.len(), 2);
}

/// Builds a bundle by hand with the reference tools, as the spec says.
fn hand_made(dir: &Path, keys: &ToolKeys, legacy: bool, armored: bool) -> Vec<u8> {
    let work = dir.join(format!("hand-{legacy}-{armored}"));
    std::fs::create_dir_all(work.join("requests")).unwrap();
    std::fs::create_dir_all(work.join("documents")).unwrap();
    let document = b"%PDF-1.4 hand made\n".repeat(5000);
    let sha = sha256_hex(&document);
    let request = request_json("AMX-7", &[&sha]);
    std::fs::write(work.join("requests/AMX-7.json"), &request).unwrap();
    std::fs::write(work.join("documents").join(&sha), &document).unwrap();
    let signing_key =
        parse_public_key_file(&std::fs::read_to_string(&keys.sign_pub).unwrap()).unwrap();
    let manifest = serde_json::json!({
        "format": "avis-bundle",
        "version": 1,
        "kind": "assignment",
        "bundle_id": "0b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f10",
        "created_at": "2026-11-20T09:30:00Z",
        "sequence": 7,
        "issuer": {"name": "Rectorat", "signing_key": signing_key,
                   "age_recipient": keys.rectorat_recipient},
        "recipient": {"name": "Dr Claire Martin", "age_recipient": keys.doctor_recipient},
        "in_reply_to": [],
        "entries": [
            {"path": "requests/AMX-7.json", "sha256": sha256_hex(&request), "size": request.len()},
            {"path": format!("documents/{sha}"), "sha256": sha, "size": document.len()},
        ],
        "future_field": {"ignored": true}
    });
    std::fs::write(
        work.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let mut sign = Command::new("minisign");
    sign.current_dir(&work).arg("-S");
    if legacy {
        sign.arg("-l");
    }
    run(sign
        .arg("-s")
        .arg(&keys.sign_key)
        .args(["-m", "manifest.json"]));
    let signature = std::fs::read_to_string(work.join("manifest.json.minisig")).unwrap();
    // Legacy signatures are "Ed" (base64 "RW…"), prehashed ones "ED" ("RU…").
    let line = signature.lines().nth(1).unwrap();
    assert!(line.starts_with(if legacy { "RW" } else { "RU" }), "{line}");
    run(Command::new("tar").current_dir(&work).args([
        "--format=pax",
        "-cf",
        "bundle.tar",
        "manifest.json",
        "manifest.json.minisig",
        "requests/AMX-7.json",
        &format!("documents/{sha}"),
    ]));
    let mut age = Command::new("age");
    age.current_dir(&work).args(["-r", &keys.doctor_recipient]);
    if armored {
        age.arg("-a");
    }
    run(age.args(["-o", "bundle.avis", "bundle.tar"]));
    std::fs::read(work.join("bundle.avis")).unwrap()
}

fn check_hand_made(legacy: bool, armored: bool) {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = tool_keys(dir.path());
    let bytes = hand_made(dir.path(), &keys, legacy, armored);
    assert_eq!(
        bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"),
        armored
    );
    let (verified, sink) = read_with_tool_keys(&keys, &bytes).unwrap();
    assert_eq!(verified.records.len(), 1);
    assert_eq!(verified.records[0].0, "AMX-7");
    assert_eq!(sink.documents.len(), 1);
    assert_eq!(sink.documents[0].1, b"%PDF-1.4 hand made\n".repeat(5000));
    assert_eq!(verified.manifest.sequence, 7);
}

#[test]
fn hand_made_prehashed_bundle_is_read() {
    check_hand_made(false, false);
}

#[test]
fn hand_made_legacy_signature_bundle_is_read() {
    check_hand_made(true, false);
}

#[test]
fn hand_made_armored_bundle_is_read() {
    check_hand_made(false, true);
}

#[test]
fn writer_output_decrypts_with_age_for_each_recipient() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let (entries, _, _) = sample_assignment_entries();
    let mut bytes = Vec::new();
    avis::bundle::write_bundle(
        &mut bytes,
        fx.header(BundleKind::Assignment),
        entries,
        &fx.signer,
        &[fx.doctor.to_public(), fx.rectorat.to_public()],
    )
    .unwrap();
    let bundle = dir.path().join("b.avis");
    std::fs::write(&bundle, &bytes).unwrap();
    for (name, identity) in [("d.key", &fx.doctor), ("r.key", &fx.rectorat)] {
        let key = dir.path().join(name);
        write_identity(&key, identity);
        let plain = run(Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(&bundle));
        assert!(plain.len() > 1024);
        assert_eq!(&plain[..13], b"manifest.json");
    }
    // The signature verifies with minisign against the exported public key.
    let key = dir.path().join("d.key");
    let out = dir.path().join("x");
    std::fs::create_dir(&out).unwrap();
    let plain = dir.path().join("p.tar");
    run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg("-o")
        .arg(&plain)
        .arg(&bundle));
    run(Command::new("tar")
        .arg("-xf")
        .arg(&plain)
        .arg("-C")
        .arg(&out));
    let public = dir.path().join("s.pub");
    std::fs::write(&public, fx.signer.public_key_file()).unwrap();
    run(Command::new("minisign")
        .arg("-V")
        .arg("-p")
        .arg(&public)
        .arg("-m")
        .arg(out.join("manifest.json")));
}

#[test]
fn serialised_secret_key_signs_with_minisign() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = avis::bundle::SigningKey::generate().unwrap();
    let key_file = dir.path().join("k.key");
    let pub_file = dir.path().join("k.pub");
    std::fs::write(&key_file, key.to_secret_key_file().as_bytes()).unwrap();
    std::fs::write(&pub_file, public).unwrap();
    std::fs::write(dir.path().join("m"), b"data").unwrap();
    run(Command::new("minisign")
        .current_dir(dir.path())
        .arg("-S")
        .arg("-s")
        .arg(&key_file)
        .args(["-m", "m"]));
    run(Command::new("minisign")
        .current_dir(dir.path())
        .arg("-V")
        .arg("-p")
        .arg(&pub_file)
        .args(["-m", "m"]));
}
