//! One test per rejection rule of docs/bundle-format.md, each asserting the
//! error kind. Hostile bundles are assembled by hand (raw tar headers).

#[path = "common/bundle_support.rs"]
mod bundle_support;

use std::io::{Read, Write};

use avis::bundle::{
    read_bundle, BundleError, BundleKind, DocumentSink, ManifestEntry, ReadOptions, SigningKey,
    TrustedKey,
};
use bundle_support::*;

const A: BundleKind = BundleKind::Assignment;

struct Parts {
    request: Vec<u8>,
    request_path: String,
    document: Vec<u8>,
    document_path: String,
}

fn parts() -> Parts {
    let document = b"%PDF-1.4 document\n".repeat(50);
    let sha = sha256_hex(&document);
    Parts {
        request: request_json("AMX-1", &[&sha]),
        request_path: "requests/AMX-1.json".into(),
        document,
        document_path: format!("documents/{sha}"),
    }
}

/// A signed bundle whose manifest lists only the request of `p`, with
/// `entries` as the archive after the manifest and its signature.
fn listing_request(fx: &Fixture, p: &Parts, entries: &[Vec<u8>]) -> Vec<u8> {
    let m = fx.manifest(A, &[(&p.request_path, &p.request)]);
    fx.hostile(A, &manifest_bytes(&m), entries)
}

fn manifest_bytes(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap()
}

/// A valid hand-made bundle, as a baseline for the hostile variants.
fn valid(fx: &Fixture, p: &Parts) -> Vec<u8> {
    let m = fx.manifest(
        A,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    fx.hostile(
        A,
        &manifest_bytes(&m),
        &[
            tar_file(&p.request_path, &p.request),
            tar_file(&p.document_path, &p.document),
        ],
    )
}

fn err(fx: &Fixture, bytes: &[u8]) -> BundleError {
    match fx.read(bytes, A) {
        Ok(_) => panic!("bundle accepted but should be refused"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains("Durand") && !message.contains("Léa"));
            e
        }
    }
}

#[test]
fn baseline_hand_made_bundle_is_accepted() {
    let fx = Fixture::new();
    let p = parts();
    let (verified, sink) = fx.read(&valid(&fx, &p), A).unwrap();
    assert_eq!(verified.records, vec![("AMX-1".to_owned(), p.request)]);
    assert_eq!(sink.documents[0].1, p.document);
}

#[test]
fn tampered_document() {
    let fx = Fixture::new();
    let p = parts();
    let m = fx.manifest(
        A,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    let mut tampered = p.document.clone();
    tampered[3] ^= 1;
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[
            tar_file(&p.request_path, &p.request),
            tar_file(&p.document_path, &tampered),
        ],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::HashMismatch { .. }));
}

#[test]
fn tampered_request() {
    let fx = Fixture::new();
    let p = parts();
    let mut tampered = p.request.clone();
    let at = tampered.len() - 3;
    tampered[at] = b' ';
    let bytes = listing_request(&fx, &p, &[tar_file(&p.request_path, &tampered)]);
    assert!(matches!(err(&fx, &bytes), BundleError::HashMismatch { .. }));
}

#[test]
fn size_differs_from_manifest() {
    let fx = Fixture::new();
    let p = parts();
    let mut longer = p.request.clone();
    longer.push(b'\n');
    let bytes = listing_request(&fx, &p, &[tar_file(&p.request_path, &longer)]);
    assert!(matches!(err(&fx, &bytes), BundleError::SizeMismatch { .. }));
}

#[test]
fn manifest_edited_after_signing() {
    let fx = Fixture::new();
    let p = parts();
    let m = fx.manifest(A, &[(&p.request_path, &p.request)]);
    let signed = manifest_bytes(&m);
    let signature = fx.sign(&signed);
    let mut edited = m.clone();
    edited["sequence"] = serde_json::json!(8);
    let bytes = fx.raw(
        A,
        &manifest_bytes(&edited),
        signature.as_bytes(),
        &[tar_file(&p.request_path, &p.request)],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::BadSignature));
}

#[test]
fn untrusted_signer() {
    let fx = Fixture::new();
    let p = parts();
    let (other, _) = SigningKey::generate().unwrap();
    let mut m = fx.manifest(A, &[(&p.request_path, &p.request)]);
    // Even if the manifest names the other key, it is not trusted.
    m["issuer"]["signing_key"] = serde_json::json!(other.public_key_base64());
    let mb = manifest_bytes(&m);
    let signature = other.sign(&mb, "x").unwrap();
    let bytes = fx.raw(
        A,
        &mb,
        signature.as_bytes(),
        &[tar_file(&p.request_path, &p.request)],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::UntrustedSigner));
}

#[test]
fn manifest_names_another_signing_key() {
    let fx = Fixture::new();
    let (other, _) = SigningKey::generate().unwrap();
    let mut m = fx.manifest(A, &[]);
    m["issuer"]["signing_key"] = serde_json::json!(other.public_key_base64());
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(err(&fx, &bytes), BundleError::SignerMismatch));
}

#[test]
fn malformed_signature() {
    let fx = Fixture::new();
    let m = manifest_bytes(&fx.manifest(A, &[]));
    let bytes = fx.raw(A, &m, b"untrusted comment: x\nnot base64\n", &[]);
    assert!(matches!(err(&fx, &bytes), BundleError::MalformedSignature));
}

#[test]
fn signed_for_another_recipient() {
    let fx = Fixture::new();
    let other = age::x25519::Identity::generate();
    let mut m = fx.manifest(A, &[]);
    m["recipient"]["age_recipient"] = serde_json::json!(other.to_public().to_string());
    let mb = manifest_bytes(&m);
    let signature = fx.sign(&mb);
    // Re-encrypted (forwarded) to us as well as the intended recipient.
    let tar = tar_of(&[
        tar_file("manifest.json", &mb),
        tar_file("manifest.json.minisig", signature.as_bytes()),
    ]);
    let bytes = encrypt(&tar, &[other.to_public(), fx.doctor.to_public()]);
    assert!(matches!(err(&fx, &bytes), BundleError::WrongRecipient));
}

#[test]
fn encrypted_to_someone_else_only() {
    let fx = Fixture::new();
    let other = age::x25519::Identity::generate();
    let bytes = encrypt(b"whatever", &[other.to_public()]);
    assert!(matches!(err(&fx, &bytes), BundleError::NotForThisKey));
}

#[test]
fn unlisted_entry() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[
            tar_file(&p.request_path, &p.request),
            tar_file(&p.document_path, &p.document),
        ],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::UnlistedEntry { .. }
    ));
}

#[test]
fn unlisted_entry_with_foreign_path() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[tar_file("notes.txt", b"x")],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::InvalidPath { .. }));
}

#[test]
fn missing_entry() {
    let fx = Fixture::new();
    let p = parts();
    let m = fx.manifest(
        A,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[tar_file(&p.request_path, &p.request)],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::MissingEntry { .. }));
}

#[test]
fn duplicate_entry_in_archive() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[
            tar_file(&p.request_path, &p.request),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::DuplicateEntry { .. }
    ));
}

#[test]
fn duplicate_entry_in_manifest() {
    let fx = Fixture::new();
    let p = parts();
    let m = fx.manifest(
        A,
        &[(&p.request_path, &p.request), (&p.request_path, &p.request)],
    );
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[
            tar_file(&p.request_path, &p.request),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::DuplicateEntry { .. }
    ));
}

#[test]
fn second_manifest_is_a_duplicate() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[tar_file("manifest.json", b"{}")],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::DuplicateEntry { .. }
    ));
}

#[test]
fn entries_out_of_manifest_order() {
    let fx = Fixture::new();
    let p = parts();
    let m = fx.manifest(
        A,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[
            tar_file(&p.document_path, &p.document),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::OutOfOrder { .. }));
}

#[test]
fn parent_path_in_archive() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[tar_entry(b"requests/../../evil.json", b'0', b"{}", b"")],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::ParentPath { .. }));
}

#[test]
fn parent_path_in_manifest() {
    let fx = Fixture::new();
    let m = fx.manifest(A, &[("requests/../x.json", b"{}")]);
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(err(&fx, &bytes), BundleError::ParentPath { .. }));
}

#[test]
fn absolute_path() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[tar_entry(b"/etc/evil.json", b'0', b"{}", b"")],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::AbsolutePath { .. }));
}

#[test]
fn control_characters_are_stripped_from_messages() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[tar_entry(b"req\x1b[31m\nuests", b'0', b"{}", b"")],
    );
    let e = err(&fx, &bytes);
    assert!(matches!(e, BundleError::InvalidPath { .. }));
    let message = e.to_string();
    assert!(!message.contains('\x1b') && !message.contains('\n'));
}

#[test]
fn symlink() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[tar_entry(
            p.request_path.as_bytes(),
            b'2',
            b"",
            b"/etc/passwd",
        )],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::Link { .. }));
}

#[test]
fn hard_link() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[tar_entry(
            p.request_path.as_bytes(),
            b'1',
            b"",
            b"manifest.json",
        )],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::Link { .. }));
}

#[test]
fn device_and_fifo() {
    let fx = Fixture::new();
    let p = parts();
    for flag in [b'3', b'4', b'6'] {
        let bytes = listing_request(
            &fx,
            &p,
            &[tar_entry(p.request_path.as_bytes(), flag, b"", b"")],
        );
        assert!(matches!(err(&fx, &bytes), BundleError::SpecialEntry { .. }));
    }
}

#[test]
fn directory_entries() {
    let fx = Fixture::new();
    let p = parts();
    // A directory that prefixes a listed file is ignored.
    let ok = listing_request(
        &fx,
        &p,
        &[
            tar_entry(b"requests/", b'5', b"", b""),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(fx.read(&ok, A).is_ok());
    // Any other directory is refused.
    let bad = listing_request(
        &fx,
        &p,
        &[
            tar_entry(b"documents/", b'5', b"", b""),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(err(&fx, &bad), BundleError::UnlistedEntry { .. }));
}

#[test]
fn oversize_record() {
    let fx = Fixture::new();
    let mut big = b"{\"x\":\"".to_vec();
    big.resize(1024 * 1024 + 1, b'a');
    big.extend_from_slice(b"\"}");
    let m = fx.manifest(A, &[("requests/AMX-1.json", &big)]);
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[tar_file("requests/AMX-1.json", &big)],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::EntryTooLarge { limit, .. } if limit == 1024 * 1024
    ));
}

#[test]
fn oversize_record_not_announced_by_manifest() {
    let fx = Fixture::new();
    let small = b"{}".to_vec();
    let mut big = b"{\"x\":\"".to_vec();
    big.resize(1024 * 1024 + 1, b'a');
    big.extend_from_slice(b"\"}");
    let m = fx.manifest(A, &[("requests/AMX-1.json", &small)]);
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&m),
        &[tar_file("requests/AMX-1.json", &big)],
    );
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::EntryTooLarge { .. }
    ));
}

#[test]
fn oversize_document_in_manifest() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    let sha = "a".repeat(64);
    m["entries"] = serde_json::json!([{"path": format!("documents/{sha}"), "sha256": sha, "size": 64u64 * 1024 * 1024 + 1}]);
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::EntryTooLarge { .. }
    ));
}

#[test]
fn oversize_signature() {
    let fx = Fixture::new();
    let m = manifest_bytes(&fx.manifest(A, &[]));
    let mut signature = fx.sign(&m).into_bytes();
    signature.resize(4097, b'\n');
    let bytes = fx.raw(A, &m, &signature, &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::EntryTooLarge { .. }
    ));
}

#[test]
fn document_not_named_by_its_hash() {
    let fx = Fixture::new();
    let p = parts();
    let wrong = format!("documents/{}", "b".repeat(64));
    let m = fx.manifest(A, &[(&wrong, &p.document)]);
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[tar_file(&wrong, &p.document)]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::DocumentNameMismatch { .. }
    ));
}

#[test]
fn invalid_json_manifest() {
    let fx = Fixture::new();
    let bytes = fx.hostile(A, b"{\"format\": \"avis-bundle\", ", &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::InvalidManifest { .. }
    ));
    let bytes = fx.hostile(A, b"[1, 2,, 3]", &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::InvalidManifest { .. }
    ));
}

#[test]
fn manifest_missing_a_field() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    m.as_object_mut().unwrap().remove("entries");
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    let e = err(&fx, &bytes);
    assert!(matches!(&e, BundleError::InvalidManifest { reason } if reason.contains("entries")));
}

#[test]
fn deeply_nested_json_manifest() {
    let fx = Fixture::new();
    let depth = 200_000;
    let mut deep = b"{\"format\":\"avis-bundle\",\"version\":1,\"x\":".to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.push(b'}');
    let bytes = fx.hostile(A, &deep, &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::InvalidManifest { .. }
    ));
}

#[test]
fn invalid_and_deep_json_record() {
    let fx = Fixture::new();
    for record in [
        b"{not json".to_vec(),
        [b'['; 10_000].to_vec(),
        b"[1]".to_vec(),
    ] {
        let m = fx.manifest(A, &[("requests/AMX-1.json", &record)]);
        let bytes = fx.hostile(
            A,
            &manifest_bytes(&m),
            &[tar_file("requests/AMX-1.json", &record)],
        );
        assert!(matches!(
            err(&fx, &bytes),
            BundleError::InvalidRecord { .. }
        ));
    }
}

#[test]
fn unknown_version() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    m["version"] = serde_json::json!(2);
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    let e = err(&fx, &bytes);
    assert!(
        matches!(&e, BundleError::UnsupportedVersion { found, supported } if found == "2" && supported == "1")
    );
    let message = e.to_string();
    assert!(message.contains('2') && message.contains('1'));
}

#[test]
fn not_an_avis_manifest() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    m["format"] = serde_json::json!("other");
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(err(&fx, &bytes), BundleError::NotAvisBundle));
}

#[test]
fn wrong_kind() {
    let fx = Fixture::new();
    // An opinions bundle addressed to the doctor, read as an assignment.
    let mut m = fx.manifest(A, &[]);
    m["kind"] = serde_json::json!("opinions");
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::WrongKind {
            expected: "demandes",
            found: "avis"
        }
    ));
}

#[test]
fn manifest_not_first() {
    let fx = Fixture::new();
    let p = parts();
    let m = manifest_bytes(&fx.manifest(A, &[(&p.request_path, &p.request)]));
    let signature = fx.sign(&m);
    let tar = tar_of(&[
        tar_file(&p.request_path, &p.request),
        tar_file("manifest.json", &m),
        tar_file("manifest.json.minisig", signature.as_bytes()),
    ]);
    let bytes = encrypt(&tar, &[fx.doctor.to_public()]);
    assert!(matches!(err(&fx, &bytes), BundleError::ManifestNotFirst));
}

#[test]
fn signature_not_second() {
    let fx = Fixture::new();
    let p = parts();
    let m = manifest_bytes(&fx.manifest(A, &[(&p.request_path, &p.request)]));
    let signature = fx.sign(&m);
    let tar = tar_of(&[
        tar_file("manifest.json", &m),
        tar_file(&p.request_path, &p.request),
        tar_file("manifest.json.minisig", signature.as_bytes()),
    ]);
    let bytes = encrypt(&tar, &[fx.doctor.to_public()]);
    assert!(matches!(err(&fx, &bytes), BundleError::SignatureNotSecond));
}

#[test]
fn truncated_file() {
    let fx = Fixture::new();
    // Big enough for several 64 KiB age chunks.
    let document: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let sha = sha256_hex(&document);
    let bytes = fx.write(
        A,
        vec![avis::bundle::OutEntry {
            path: format!("documents/{sha}"),
            content: avis::bundle::BundleContent::Bytes(document),
        }],
    );
    assert!(fx.read(&bytes, A).is_ok());
    // Header size: everything up to and including the "---" MAC line + nonce.
    let header_end = bytes.windows(4).position(|w| w == b"--- ").unwrap();
    let header_end = header_end
        + bytes[header_end..]
            .iter()
            .position(|b| *b == b'\n')
            .unwrap()
        + 1;
    let payload_start = header_end + 16;
    let chunk = 64 * 1024 + 16;
    for cut in [
        1usize,
        17,
        bytes.len() - (payload_start + chunk), // exactly one chunk left
        bytes.len() - (payload_start + 4 * chunk), // exactly at a boundary, end gone
    ] {
        let truncated = &bytes[..bytes.len() - cut];
        let e = err(&fx, truncated);
        assert!(matches!(e, BundleError::Damaged), "cut {cut}: {e:?}");
    }
    // Truncation inside the tar padding, after the last entry, is still caught.
    let e = err(&fx, &bytes[..bytes.len() - 100]);
    assert!(matches!(e, BundleError::Damaged), "{e:?}");
}

#[test]
fn corrupted_payload() {
    let fx = Fixture::new();
    let (entries, _, _) = sample_assignment_entries();
    let mut bytes = fx.write(A, entries);
    let at = bytes.len() - 40;
    bytes[at] ^= 0x55;
    assert!(matches!(err(&fx, &bytes), BundleError::Damaged));
}

#[test]
fn not_an_age_file() {
    let fx = Fixture::new();
    assert!(matches!(
        err(&fx, b"hello, world\n"),
        BundleError::NotAgeFile
    ));
    assert!(matches!(err(&fx, b""), BundleError::NotAgeFile));
    let tar = tar_of(&[tar_file("manifest.json", b"{}")]);
    assert!(matches!(err(&fx, &tar), BundleError::NotAgeFile));
    assert!(matches!(
        err(
            &fx,
            b"-----BEGIN AGE ENCRYPTED FILE-----\nnot base64!!\n-----END AGE ENCRYPTED FILE-----\n"
        ),
        BundleError::NotAgeFile
    ));
}

#[test]
fn age_file_holding_no_tar() {
    let fx = Fixture::new();
    let bytes = encrypt(&[0x42u8; 2048], &[fx.doctor.to_public()]);
    let e = err(&fx, &bytes);
    assert!(matches!(e, BundleError::MalformedArchive), "{e:?}");
}

#[test]
fn passphrase_bundle() {
    let fx = Fixture::new();
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from("mot de passe".to_owned()));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut bytes = Vec::new();
    let mut w = encryptor.wrap_output(&mut bytes).unwrap();
    w.write_all(b"anything").unwrap();
    w.finish().unwrap();
    assert!(matches!(err(&fx, &bytes), BundleError::PassphraseEncrypted));
}

#[test]
fn armored_bundle_is_accepted() {
    let fx = Fixture::new();
    let (entries, request, _) = sample_assignment_entries();
    let binary = fx.write(A, entries);
    // Decrypt and re-encrypt armored.
    let identities = [fx.doctor.clone()];
    let decryptor = age::Decryptor::new(&binary[..]).unwrap();
    let mut plain = Vec::new();
    decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    let encryptor = age::Encryptor::with_recipients(std::iter::once(
        &fx.doctor.to_public() as &dyn age::Recipient
    ))
    .unwrap();
    let mut armored = Vec::new();
    let armor =
        age::armor::ArmoredWriter::wrap_output(&mut armored, age::armor::Format::AsciiArmor)
            .unwrap();
    let mut w = encryptor.wrap_output(armor).unwrap();
    w.write_all(&plain).unwrap();
    w.finish().unwrap().finish().unwrap();
    assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    let (verified, _) = fx.read(&armored, A).unwrap();
    assert_eq!(verified.records[0].1, request);
}

#[test]
fn too_many_entries() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    let sha = sha256_hex(b"{}");
    let entries: Vec<_> = (0..100_000)
        .map(
            |i| serde_json::json!({"path": format!("requests/{i}.json"), "sha256": sha, "size": 2}),
        )
        .collect();
    m["entries"] = serde_json::Value::Array(entries);
    let bytes = fx.hostile(A, &serde_json::to_vec(&m).unwrap(), &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::TooManyEntries { .. }
    ));
}

struct FailingSink;

impl DocumentSink for FailingSink {
    fn document(&mut self, _: &ManifestEntry, _: &mut dyn Read) -> std::io::Result<()> {
        Err(std::io::Error::other("disque plein"))
    }
}

#[test]
fn sink_failure_refuses_the_bundle() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = valid(&fx, &p);
    let identities = [fx.doctor.clone()];
    let options = ReadOptions {
        identities: &identities,
        trusted: &fx.trusted,
        expected_kind: A,
    };
    let e = read_bundle(&bytes[..], &options, &mut FailingSink).unwrap_err();
    assert!(matches!(e, BundleError::Sink(_)));
}

#[test]
fn a_trusted_key_list_with_garbage_still_works() {
    let mut fx = Fixture::new();
    fx.trusted.insert(
        0,
        TrustedKey {
            name: "cassée".into(),
            public_key: "RWnotakey".into(),
        },
    );
    let p = parts();
    assert!(fx.read(&valid(&fx, &p), A).is_ok());
}

#[test]
fn pax_path_override_is_honoured() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[
            pax_header(&[("mtime", b"1.5"), ("path", p.request_path.as_bytes())]),
            tar_file("placeholder", &p.request),
        ],
    );
    let (verified, _) = fx.read(&bytes, A).unwrap();
    assert_eq!(verified.records[0].0, "AMX-1");
}

#[test]
fn pax_parent_path() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[
            pax_header(&[("path", b"requests/../../x.json")]),
            tar_file("requests/x.json", b"{}"),
        ],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::ParentPath { .. }));
}

#[test]
fn gnu_long_name_absolute() {
    let fx = Fixture::new();
    let bytes = fx.hostile(
        A,
        &manifest_bytes(&fx.manifest(A, &[])),
        &[
            tar_entry(b"././@LongLink", b'L', b"/etc/cron.d/evil\0", b""),
            tar_file("requests/x.json", b"{}"),
        ],
    );
    assert!(matches!(err(&fx, &bytes), BundleError::AbsolutePath { .. }));
}

#[test]
fn pax_header_too_large_or_malformed() {
    let fx = Fixture::new();
    let m = manifest_bytes(&fx.manifest(A, &[]));
    let huge = vec![b'a'; 70 * 1024];
    for header in [
        pax_header(&[("comment", &huge)]),
        tar_entry(b"PaxHeaders/x", b'x', b"12 path=abc", b""),
        tar_entry(b"PaxHeaders/x", b'x', b"999 path=abc\n", b""),
    ] {
        let bytes = fx.hostile(A, &m, &[header, tar_file("requests/x.json", b"{}")]);
        let e = err(&fx, &bytes);
        assert!(matches!(e, BundleError::MalformedArchive), "{e:?}");
    }
}

#[test]
fn pax_size_disagreeing_with_header() {
    let fx = Fixture::new();
    let p = parts();
    let bytes = listing_request(
        &fx,
        &p,
        &[
            pax_header(&[("size", b"2")]),
            tar_file(&p.request_path, &p.request),
        ],
    );
    let e = err(&fx, &bytes);
    assert!(matches!(e, BundleError::MalformedArchive), "{e:?}");
}

#[test]
fn pax_global_header_and_sparse_files() {
    let fx = Fixture::new();
    let p = parts();
    let m = manifest_bytes(&fx.manifest(A, &[(&p.request_path, &p.request)]));
    let global = fx.hostile(
        A,
        &m,
        &[
            tar_entry(b"pax_global_header", b'g', b"14 path=evil\n", b""),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(
        err(&fx, &global),
        BundleError::SpecialEntry { .. }
    ));
    let sparse = fx.hostile(
        A,
        &m,
        &[
            pax_header(&[("GNU.sparse.major", b"1")]),
            tar_file(&p.request_path, &p.request),
        ],
    );
    assert!(matches!(
        err(&fx, &sparse),
        BundleError::SpecialEntry { .. }
    ));
    let gnu_sparse = fx.hostile(
        A,
        &m,
        &[tar_entry(p.request_path.as_bytes(), b'S', &p.request, b"")],
    );
    assert!(matches!(
        err(&fx, &gnu_sparse),
        BundleError::SpecialEntry { .. }
    ));
}

#[test]
fn bundle_id_must_be_a_uuid() {
    let fx = Fixture::new();
    let mut m = fx.manifest(A, &[]);
    m["bundle_id"] = serde_json::json!("not-a-uuid");
    let bytes = fx.hostile(A, &manifest_bytes(&m), &[]);
    assert!(matches!(
        err(&fx, &bytes),
        BundleError::InvalidManifest { .. }
    ));
}

#[test]
fn header_with_thousands_of_stanzas_is_not_a_bundle() {
    // Found by fuzzing (bundle_encrypted): ~1,800 stanzas, each a key
    // agreement for the reader. Refused from the header's size alone.
    let fx = Fixture::new();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bundle/fuzz-slow-many-stanzas.age"
    ))
    .unwrap();
    assert!(matches!(err(&fx, &bytes), BundleError::NotAgeFile));
}

// --- Refusals of the doctor's import (checks against the store). ---

/// A store whose doctor is the fixture's reader, trusting its signer.
fn store_of(fx: &Fixture, dir: &std::path::Path) -> avis::store::Store {
    use age::secrecy::ExposeSecret;
    let (doctor_signer, _) = SigningKey::generate().unwrap();
    let store = avis::store::Store::init_with_keys(
        &dir.join("store"),
        &secrecy::SecretString::from("phrase de passe de test".to_string()),
        "Dr Test",
        None,
        fx.doctor.to_string().expose_secret(),
        &doctor_signer.to_secret_key_file(),
        &avis::store::StoreOptions {
            kdf_log_n: Some(10),
        },
    )
    .unwrap();
    store
        .trust_add(&fx.signer.public_key_file(), "Rectorat de test")
        .unwrap();
    store
}

/// A signed bundle of `entries` (path, bytes), all present in the archive,
/// with its own id and `sequence`.
fn bundle_with(fx: &Fixture, id: &str, sequence: u64, entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = fx.manifest(A, entries);
    m["bundle_id"] = serde_json::json!(id);
    m["sequence"] = serde_json::json!(sequence);
    let blocks: Vec<Vec<u8>> = entries.iter().map(|(p, d)| tar_file(p, d)).collect();
    fx.hostile(A, &manifest_bytes(&m), &blocks)
}

fn import(
    store: &avis::store::Store,
    dir: &std::path::Path,
    bytes: &[u8],
) -> Result<avis::store::ImportOutcome, avis::store::StoreError> {
    let path = dir.join(format!("lot-{}.avis", sha256_hex(bytes)));
    std::fs::write(&path, bytes).unwrap();
    store.import(&path, &Default::default(), &mut |_| {})
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

const ID_1: &str = "1b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f11";
const ID_2: &str = "2b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f12";
const ID_3: &str = "3b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f13";

#[test]
fn phantom_piece_named_by_a_request_is_refused_by_the_import() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(&fx, dir.path());
    let p = parts();
    // The request cites its document, which this bundle does not carry
    // and no earlier bundle brought: the reader alone accepts it…
    let phantom = bundle_with(&fx, ID_1, 7, &[(&p.request_path, &p.request)]);
    fx.read(&phantom, A).unwrap();
    // …the import refuses the whole bundle, without a name in the message.
    let e = import(&store, dir.path(), &phantom).unwrap_err();
    assert!(
        matches!(e, avis::store::StoreError::PhantomDocument(ref id) if id == "AMX-1"),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(message.contains("AMX-1") && message.contains("rien n'a été importé"));
    assert!(!message.contains("Durand") && !message.contains("Léa"));
    assert!(store.summaries(today()).unwrap().is_empty());
    assert!(matches!(
        store.request("AMX-1"),
        Err(avis::store::StoreError::UnknownRequest(_))
    ));

    // Delivered in an earlier bundle, the same document may be cited alone.
    let first = bundle_with(
        &fx,
        ID_2,
        8,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    import(&store, dir.path(), &first).unwrap();
    let sha = sha256_hex(&p.document);
    let other = request_json("AMX-2", &[&sha]);
    let later = bundle_with(&fx, ID_3, 9, &[("requests/AMX-2.json", &other)]);
    import(&store, dir.path(), &later).unwrap();
    assert_eq!(store.summaries(today()).unwrap().len(), 2);
    assert_eq!(&store.document(&sha).unwrap()[..], &p.document[..]);
}

#[test]
fn a_sequence_out_of_range_is_refused_and_blocks_nothing() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(&fx, dir.path());
    let p = parts();
    let entries: [(&str, &[u8]); 2] = [
        (&p.request_path, &p.request),
        (&p.document_path, &p.document),
    ];
    let huge = bundle_with(&fx, ID_1, u64::MAX, &entries);
    assert!(matches!(
        err(&fx, &huge),
        BundleError::InvalidManifest { ref reason } if reason.contains("séquence")
    ));
    assert!(import(&store, dir.path(), &huge).is_err());
    let above = bundle_with(&fx, ID_2, avis::bundle::limits::MAX_SEQUENCE + 1, &entries);
    assert!(matches!(
        err(&fx, &above),
        BundleError::InvalidManifest { .. }
    ));
    // A later bundle with an ordinary sequence is no replay.
    let normal = bundle_with(&fx, ID_3, 8, &entries);
    assert!(matches!(
        import(&store, dir.path(), &normal).unwrap(),
        avis::store::ImportOutcome::Imported { requests: 1, .. }
    ));
}

#[test]
fn same_request_version_with_other_content_is_refused() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(&fx, dir.path());
    let p = parts();
    let first = bundle_with(
        &fx,
        ID_1,
        7,
        &[
            (&p.request_path, &p.request),
            (&p.document_path, &p.document),
        ],
    );
    import(&store, dir.path(), &first).unwrap();

    // The same bytes again in a later bundle: unchanged, accepted.
    let again = bundle_with(&fx, ID_2, 8, &[(&p.request_path, &p.request)]);
    assert!(matches!(
        import(&store, dir.path(), &again).unwrap(),
        avis::store::ImportOutcome::Imported {
            requests: 0,
            updated: 0,
            ..
        }
    ));

    // Version 1 again with other content: refused, nothing changed.
    let mut edited: serde_json::Value = serde_json::from_slice(&p.request).unwrap();
    edited["comments"] = serde_json::json!("Contenu modifié sans nouvelle version");
    let edited = serde_json::to_vec_pretty(&edited).unwrap();
    let changed = bundle_with(&fx, ID_3, 9, &[(&p.request_path, &edited)]);
    let e = import(&store, dir.path(), &changed).unwrap_err();
    assert!(
        matches!(
            e,
            avis::store::StoreError::SameVersionChanged { ref id, version: 1 } if id == "AMX-1"
        ),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(message.contains("AMX-1") && message.contains("version 1"));
    assert!(!message.contains("Durand") && !message.contains("Léa"));
    assert_eq!(store.request_bytes("AMX-1").unwrap(), p.request);
    // Refused as a whole: the bundle may be sent again once corrected.
    let journal = store.journal(None).unwrap();
    assert_eq!(journal.iter().filter(|e| e.kind == "import").count(), 2);
    store.journal_verify().unwrap();
}
