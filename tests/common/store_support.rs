//! Shared helpers of the store and doctor-CLI integration tests: a test
//! store driven through the real binary (low scrypt cost), rectorat keys,
//! synthetic requests and bundles.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The passphrase of every test store.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// A temporary store and its passphrase file.
pub struct TestStore {
    pub tmp: tempfile::TempDir,
    pub store: PathBuf,
    pub passphrase_file: PathBuf,
}

impl TestStore {
    /// A fresh directory (store not created yet).
    pub fn new() -> TestStore {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("magasin");
        let passphrase_file = tmp.path().join("phrase");
        std::fs::write(&passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
        TestStore {
            tmp,
            store,
            passphrase_file,
        }
    }

    /// A store created with `avis init`.
    pub fn init() -> TestStore {
        let t = TestStore::new();
        let out = t.avis(&[
            "init",
            "--name",
            "Dr Claire Martin",
            "--rpps",
            "10001234567",
        ]);
        assert_success(&out);
        t
    }

    /// A path inside the test's temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The `avis` command on this store.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_avis"));
        c.env("AVIS_STORE", &self.store)
            .env("AVIS_PASSPHRASE_FILE", &self.passphrase_file)
            .env("AVIS_TEST_KDF_LOG_N", "10")
            .env_remove("AVIS_DATE")
            .env_remove("AVIS_TEST_CRASH_AT")
            .env_remove("AVIS_TEST_PAUSE_AT");
        c
    }

    /// Runs `avis ARGS` on this store.
    pub fn avis(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs `avis ARGS --json` style commands and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.avis(args);
        assert_success(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// The doctor's age recipient.
    pub fn recipient(&self) -> String {
        self.json(&["keys", "show", "--json"])["age_recipient"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Asserts a command succeeded, showing its stderr otherwise.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts a command failed with exit status 1 and a message containing `needle`.
pub fn assert_refused(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(needle),
        "expected « {needle} » in: {stderr}"
    );
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A minisign key pair without password: (secret key file, public key file).
pub fn minisign_keypair() -> (String, String) {
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some(String::new())).unwrap();
    let mut bytes = pair.sk.to_bytes();
    bytes[2] = 0;
    bytes[3] = 0;
    let sk = minisign::SecretKey::from_bytes(&bytes).unwrap();
    (
        sk.to_box(None).unwrap().into_string(),
        pair.pk.to_box().unwrap().into_string(),
    )
}

/// A rectorat: signing key files and age identity, written to `dir`.
pub struct Rectorat {
    pub name: String,
    pub secret_key: PathBuf,
    pub public_key: PathBuf,
    pub identity: PathBuf,
    pub recipient: String,
}

impl Rectorat {
    /// Creates the rectorat's keys in `dir`.
    pub fn new(dir: &Path, name: &str) -> Rectorat {
        use age::secrecy::ExposeSecret;
        std::fs::create_dir_all(dir).unwrap();
        let (sk, pk) = minisign_keypair();
        let secret_key = dir.join("rectorat.key");
        let public_key = dir.join("rectorat.pub");
        std::fs::write(&secret_key, sk).unwrap();
        std::fs::write(&public_key, pk).unwrap();
        let id = age::x25519::Identity::generate();
        let identity = dir.join("rectorat-age.key");
        std::fs::write(&identity, format!("{}\n", id.to_string().expose_secret())).unwrap();
        Rectorat {
            name: name.to_string(),
            secret_key,
            public_key,
            identity,
            recipient: id.to_public().to_string(),
        }
    }

    /// Creates the rectorat's keys in the test directory and makes the
    /// test store trust its signing key under `name`.
    pub fn trusted_by(t: &TestStore, name: &str) -> Rectorat {
        let rectorat = Rectorat::new(&t.path("rectorat"), name);
        assert_success(&t.avis(&[
            "trust",
            "add",
            rectorat.public_key.to_str().unwrap(),
            "--name",
            name,
        ]));
        rectorat
    }

    /// Packs the requests directory `dir` into the bundle `out` with
    /// `avis rectorat pack`, signed by this rectorat (issuer `self.name`)
    /// and encrypted to the test store's doctor.
    pub fn pack(&self, t: &TestStore, dir: &Path, sequence: u64, out: &Path) -> Output {
        t.avis(&[
            "rectorat",
            "pack",
            "--requests",
            dir.to_str().unwrap(),
            "--sign-key",
            self.secret_key.to_str().unwrap(),
            "--issuer-name",
            &self.name,
            "--reply-to",
            &self.recipient,
            "--to",
            &t.recipient(),
            "--sequence",
            &sequence.to_string(),
            "-o",
            out.to_str().unwrap(),
        ])
    }
}

/// A synthetic request (version `version`) naming `last_name`, asking for
/// two measures and citing `documents` (sha256 hex).
pub fn request_json(id: &str, version: u32, last_name: &str, documents: &[String]) -> String {
    let docs: Vec<serde_json::Value> = documents
        .iter()
        .map(|sha| {
            serde_json::json!({
                "sha256": sha, "filename": "bilan.pdf", "media_type": "application/pdf",
                "category": "bilan_orthophonique", "date": "2026-06-12", "pages": 1
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "id": id,
        "version": version,
        "received_at": "2026-10-03",
        "late": false,
        "procedure": "complete",
        "candidate": {"last_name": last_name, "first_name": "Léa", "birth_date": "2009-04-17"},
        "exam": {"diploma": "bac_general", "label": "Baccalauréat général", "session": "2027"},
        "schooling": {"type": "public_ou_prive_sous_contrat", "academy": "Aix-Marseille"},
        "supports": ["PAP"],
        "troubles": ["dyslexie_dysorthographie"],
        "requested_measures": [
            {"code": "temps_majore_tiers"},
            {"code": "ordinateur", "detail": "Traitement de texte"}
        ],
        "comments": "Dyslexie sévère diagnostiquée en CE2",
        "documents": docs,
        "previous_decisions": []
    }))
    .unwrap()
}

/// A complete favourable opinion on the request `id` (version `version`).
pub fn opinion_json(id: &str, version: u32) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "request_id": id,
        "request_version": version,
        "outcome": "favorable",
        "measures": [
            {"code": "temps_majore_tiers", "decision": "accorde"},
            {"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}
        ],
        "missing_documents": [],
        "motivation": "Lenteur de lecture objectivée au bilan.",
        "validity": {"kind": "cycle", "until_session": "2027"}
    }))
    .unwrap()
}

/// A directory for `avis rectorat pack`: `requests/*.json` and `documents/*`.
/// Returns it; `documents` are raw bytes named by their sha256.
pub fn pack_dir(dir: &Path, requests: &[(String, String)], documents: &[Vec<u8>]) -> PathBuf {
    use sha2::Digest;
    std::fs::create_dir_all(dir.join("requests")).unwrap();
    std::fs::create_dir_all(dir.join("documents")).unwrap();
    for (id, json) in requests {
        std::fs::write(dir.join("requests").join(format!("{id}.json")), json).unwrap();
    }
    for doc in documents {
        let sha = hex::encode(sha2::Sha256::digest(doc));
        std::fs::write(dir.join("documents").join(sha), doc).unwrap();
    }
    dir.to_path_buf()
}

/// The sha256 hex of bytes.
/// The `kind` of each event of `avis journal list --json`, in order.
pub fn event_kinds(journal: &serde_json::Value) -> Vec<String> {
    journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Whether a reference tool is on PATH; without it a test is skipped,
/// unless `CI` is set, in which case it fails.
pub fn have_tool(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("reference tool {name} missing while CI is set");
        }
        eprintln!("skipped: reference tool {name} is not installed");
    }
    found
}

/// Writes a synthetic bundle for the test store's doctor, trusted by it;
/// returns the bundle path and the directory of the source documents.
pub fn synthetic_bundle(t: &TestStore, spec: &avis::synth::SynthSpec) -> (PathBuf, PathBuf) {
    let (signer, pub_file) = avis::bundle::SigningKey::generate().unwrap();
    let pub_path = t.path("rectorat.pub");
    std::fs::write(&pub_path, pub_file).unwrap();
    assert_success(&t.avis(&[
        "trust",
        "add",
        pub_path.to_str().unwrap(),
        "--name",
        "Rectorat synthétique",
    ]));
    let to: age::x25519::Recipient = t.recipient().parse().unwrap();
    let sources = t.path("sources");
    std::fs::create_dir_all(&sources).unwrap();
    let bundle = t.path("lot.avis");
    let out = std::io::BufWriter::new(std::fs::File::create(&bundle).unwrap());
    avis::synth::write_synthetic_bundle(spec, &sources, out, &signer, &to, &[], 1).unwrap();
    (bundle, sources)
}

/// Every source document (`doc-N` files) reads back byte-identical.
pub fn assert_documents_identical(t: &TestStore, sources: &Path, expected: usize) {
    let store = avis::store::Store::open(
        &t.store,
        &PASSPHRASE.to_string().into(),
        &avis::store::StoreOptions::default(),
    )
    .unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(sources).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("doc-"))
        {
            continue;
        }
        let sent = std::fs::read(&path).unwrap();
        let stored = store.document(&sha256_hex(&sent)).unwrap();
        assert!(stored[..] == sent[..], "{} differs", path.display());
        checked += 1;
    }
    assert_eq!(checked, expected);
}

/// Reads and verifies the opinions bundle at `path` as the rectorat holding
/// `identity` would, trusting the doctor's signing key `signing_key`.
pub fn read_opinions_bundle(
    path: &Path,
    identity: age::x25519::Identity,
    signing_key: String,
) -> avis::bundle::VerifiedBundle {
    use avis::bundle::{read_bundle, BundleKind, MemorySink, ReadOptions, TrustedKey};
    let trusted = [TrustedKey {
        name: "médecin".into(),
        public_key: signing_key,
    }];
    let identities = [identity];
    read_bundle(
        std::fs::File::open(path).unwrap(),
        &ReadOptions {
            identities: &identities,
            trusted: &trusted,
            expected_kind: BundleKind::Opinions,
        },
        &mut MemorySink::default(),
    )
    .unwrap()
}
