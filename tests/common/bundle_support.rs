//! Test helpers for the bundle format: throwaway keys, sample records, raw
//! tar building (for hostile bundles the tar crate refuses to write), age
//! encryption and reference-tool detection.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::Command;

use age::secrecy::ExposeSecret;
use avis::bundle::{
    read_bundle, write_bundle, BundleContent, BundleError, BundleHeader, BundleKind, MemorySink,
    OutEntry, Party, ReadOptions, SigningKey, TrustedKey, VerifiedBundle,
};
use sha2::{Digest, Sha256};

/// Keys of both sides.
pub struct Fixture {
    /// The issuer's signing key.
    pub signer: SigningKey,
    /// The reader's trust store (the signer only).
    pub trusted: Vec<TrustedKey>,
    /// The doctor's age identity.
    pub doctor: age::x25519::Identity,
    /// The rectorat's age identity.
    pub rectorat: age::x25519::Identity,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let (signer, _public) = SigningKey::generate().unwrap();
        let trusted = vec![TrustedKey {
            name: "Rectorat de test".into(),
            public_key: signer.public_key_base64(),
        }];
        Fixture {
            signer,
            trusted,
            doctor: age::x25519::Identity::generate(),
            rectorat: age::x25519::Identity::generate(),
        }
    }

    /// The identity that reads a bundle of `kind`.
    pub fn reader(&self, kind: BundleKind) -> &age::x25519::Identity {
        match kind {
            BundleKind::Assignment => &self.doctor,
            BundleKind::Opinions => &self.rectorat,
        }
    }

    /// The identity that writes a bundle of `kind` (reply-to).
    pub fn writer(&self, kind: BundleKind) -> &age::x25519::Identity {
        match kind {
            BundleKind::Assignment => &self.rectorat,
            BundleKind::Opinions => &self.doctor,
        }
    }

    pub fn header(&self, kind: BundleKind) -> BundleHeader {
        BundleHeader {
            kind,
            sequence: 7,
            issuer: Party {
                name: "Émetteur de test".into(),
                signing_key: Some(self.signer.public_key_base64()),
                age_recipient: self.writer(kind).to_public().to_string(),
            },
            recipient: Party {
                name: "Destinataire de test".into(),
                signing_key: None,
                age_recipient: self.reader(kind).to_public().to_string(),
            },
            in_reply_to: vec![],
        }
    }

    /// Writes a bundle with the real writer, encrypted to the reader.
    pub fn write(&self, kind: BundleKind, entries: Vec<OutEntry>) -> Vec<u8> {
        let mut out = Vec::new();
        write_bundle(
            &mut out,
            self.header(kind),
            entries,
            &self.signer,
            &[self.reader(kind).to_public()],
        )
        .unwrap();
        out
    }

    /// Reads a bundle with the reader's identity and trust store.
    pub fn read(
        &self,
        bytes: &[u8],
        kind: BundleKind,
    ) -> Result<(VerifiedBundle, MemorySink), BundleError> {
        let identities = [self.reader(kind).clone()];
        let options = ReadOptions {
            identities: &identities,
            trusted: &self.trusted,
            expected_kind: kind,
        };
        let mut sink = MemorySink::default();
        read_bundle(bytes, &options, &mut sink).map(|v| (v, sink))
    }

    /// A manifest JSON (as a value, to edit) listing `entries`.
    pub fn manifest(&self, kind: BundleKind, entries: &[(&str, &[u8])]) -> serde_json::Value {
        let header = self.header(kind);
        serde_json::json!({
            "format": "avis-bundle",
            "version": 1,
            "kind": match kind { BundleKind::Assignment => "assignment", BundleKind::Opinions => "opinions" },
            "bundle_id": "0b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f10",
            "created_at": "2026-11-20T09:30:00Z",
            "sequence": 7,
            "issuer": header.issuer,
            "recipient": header.recipient,
            "in_reply_to": [],
            "entries": entries.iter().map(|(path, data)| serde_json::json!({
                "path": path, "sha256": sha256_hex(data), "size": data.len()
            })).collect::<Vec<_>>(),
        })
    }

    /// Signs manifest bytes with the fixture's signer (minisign text format).
    pub fn sign(&self, manifest: &[u8]) -> String {
        self.signer
            .sign(manifest, "timestamp:0\tfile:manifest.json")
            .unwrap()
    }

    /// A complete hand-made bundle: signed `manifest`, then `rest` (raw tar
    /// blocks from [`tar_entry`]), end of archive, encrypted to the reader.
    pub fn hostile(&self, kind: BundleKind, manifest: &[u8], rest: &[Vec<u8>]) -> Vec<u8> {
        let signature = self.sign(manifest);
        self.raw(kind, manifest, signature.as_bytes(), rest)
    }

    /// Like [`Fixture::hostile`] with any signature bytes.
    pub fn raw(
        &self,
        kind: BundleKind,
        manifest: &[u8],
        signature: &[u8],
        rest: &[Vec<u8>],
    ) -> Vec<u8> {
        let mut blocks = vec![
            tar_file("manifest.json", manifest),
            tar_file("manifest.json.minisig", signature),
        ];
        blocks.extend_from_slice(rest);
        encrypt(&tar_of(&blocks), &[self.reader(kind).to_public()])
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A raw ustar header + data for any type flag and any path bytes (the tar
/// crate refuses `..` and absolute paths; this does not).
pub fn tar_entry(path: &[u8], typeflag: u8, data: &[u8], linkname: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    assert!(path.len() <= 100 && linkname.len() <= 100);
    header[..path.len()].copy_from_slice(path);
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    header[136..148].copy_from_slice(b"15121312160\0");
    header[156] = typeflag;
    header[157..157 + linkname.len()].copy_from_slice(linkname);
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

/// A pax extended header (`x`) with the given records.
pub fn pax_header(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (key, value) in records {
        let body_len = key.len() + value.len() + 3; // ' ', '=', '\n'
        let mut len = body_len + 1;
        while len.to_string().len() + body_len != len {
            len += 1;
        }
        data.extend_from_slice(format!("{len} {key}=").as_bytes());
        data.extend_from_slice(value);
        data.push(b'\n');
    }
    tar_entry(b"PaxHeaders/x", b'x', &data, b"")
}

/// A regular file entry.
pub fn tar_file(path: &str, data: &[u8]) -> Vec<u8> {
    tar_entry(path.as_bytes(), b'0', data, b"")
}

/// Concatenates raw entries and the end-of-archive marker.
pub fn tar_of(blocks: &[Vec<u8>]) -> Vec<u8> {
    let mut tar: Vec<u8> = blocks.concat();
    tar.extend(tar_end());
    tar
}

/// The end-of-archive marker.
pub fn tar_end() -> Vec<u8> {
    vec![0u8; 1024]
}

/// Encrypts to the given recipients (binary age).
pub fn encrypt(plain: &[u8], recipients: &[age::x25519::Recipient]) -> Vec<u8> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    writer.write_all(plain).unwrap();
    writer.finish().unwrap();
    out
}

/// A sample request, valid for `avis::domain::Request`.
pub fn request_json(id: &str, documents: &[&str]) -> Vec<u8> {
    let docs: Vec<_> = documents
        .iter()
        .map(|sha| {
            serde_json::json!({"sha256": sha, "filename": "bilan.pdf",
                "media_type": "application/pdf", "category": "bilan_orthophonique",
                "date": "2025-06-12", "pages": 6})
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({
        "id": id, "version": 1, "received_at": "2026-10-03", "late": false,
        "procedure": "complete",
        "candidate": {"last_name": "Durand", "first_name": "Léa", "birth_date": "2009-04-17"},
        "exam": {"diploma": "bac_general", "label": "Baccalauréat général", "session": "2027"},
        "schooling": {"type": "public_ou_prive_sous_contrat", "academy": "Aix-Marseille"},
        "supports": ["PAP"],
        "troubles": ["dyslexie_dysorthographie"],
        "requested_measures": [{"code": "temps_majore_tiers"},
            {"code": "ordinateur", "detail": "Traitement de texte"}],
        "documents": docs,
    }))
    .unwrap()
}

/// A sample opinion, valid for `avis::domain::Opinion`.
pub fn opinion_json(request_id: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&serde_json::json!({
        "request_id": request_id, "request_version": 1,
        "request_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "outcome": "partiel",
        "measures": [
            {"code": "temps_majore_tiers", "decision": "modifie", "granted": "temps_majore_sixieme",
             "motivation": "Lenteur modérée; voir \"bilan\""},
            {"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte\nsans correcteur"}
        ],
        "missing_documents": [],
        "motivation": "Avis global",
        "validity": {"kind": "cycle", "until_session": "2027"},
        "doctor": {"name": "Dr Claire Martin", "rpps": "10001234567"},
        "decided_at": "2026-11-24T14:02:00Z"
    }))
    .unwrap()
}

/// Entries of a small assignment: one request and its document.
pub fn sample_assignment_entries() -> (Vec<OutEntry>, Vec<u8>, Vec<u8>) {
    let document = b"%PDF-1.4 fake document\n".repeat(100);
    let sha = sha256_hex(&document);
    let request = request_json("AMX-2026-000123", &[&sha]);
    (
        vec![
            OutEntry {
                path: "requests/AMX-2026-000123.json".into(),
                content: BundleContent::Bytes(request.clone()),
            },
            OutEntry {
                path: format!("documents/{sha}"),
                content: BundleContent::Bytes(document.clone()),
            },
        ],
        request,
        document,
    )
}

/// Whether a reference tool is available. Missing: FAIL under `CI`, else
/// print why the test is skipped and return false.
pub fn have_tool(name: &str) -> bool {
    let found = Command::new(name)
        .arg("--version")
        .output()
        .or_else(|_| Command::new(name).arg("-h").output())
        .is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("outil de référence « {name} » introuvable alors que CI est défini");
        }
        eprintln!("test ignoré : outil de référence « {name} » introuvable");
    }
    found
}

/// Runs a command, asserting success; returns stdout.
pub fn run(command: &mut Command) -> Vec<u8> {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} a échoué : {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Writes an age identity file (as age-keygen does).
pub fn write_identity(path: &Path, identity: &age::x25519::Identity) {
    std::fs::write(
        path,
        format!(
            "# public key: {}\n{}\n",
            identity.to_public(),
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
}
