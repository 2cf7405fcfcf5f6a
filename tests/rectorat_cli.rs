//! `avis rectorat pack` and `avis rectorat open`, through the real binary.

#[path = "common/bundle_support.rs"]
mod bundle_support;
#[path = "common/papers_support.rs"]
mod papers_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use avis::bundle::{BundleContent, BundleKind, OutEntry, SigningKey};
use bundle_support::*;

fn avis(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(args)
        .env_remove("AVIS_PASSPHRASE_FILE")
        .output()
        .unwrap()
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

struct Setup {
    dir: tempfile::TempDir,
    fx: Fixture,
    key_file: PathBuf,
    rectorat_key: PathBuf,
    doctor_pub: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::new();
    let key_file = dir.path().join("rectorat.minisign.key");
    std::fs::write(&key_file, fx.signer.to_secret_key_file().as_bytes()).unwrap();
    let rectorat_key = dir.path().join("rectorat.age");
    write_identity(&rectorat_key, &fx.rectorat);
    let doctor_pub = dir.path().join("doctor.pub");
    std::fs::write(&doctor_pub, fx.signer.public_key_file()).unwrap();
    Setup {
        dir,
        fx,
        key_file,
        rectorat_key,
        doctor_pub,
    }
}

fn requests_dir(root: &Path) -> PathBuf {
    let input = root.join("in");
    std::fs::create_dir_all(input.join("requests")).unwrap();
    std::fs::create_dir_all(input.join("documents")).unwrap();
    let document = b"document".to_vec();
    let sha = sha256_hex(&document);
    std::fs::write(input.join("documents").join(&sha), &document).unwrap();
    std::fs::write(
        input.join("requests/AMX-1.json"),
        request_json("AMX-1", &[&sha]),
    )
    .unwrap();
    input
}

fn pack(s: &Setup, input: &Path, key: &Path, out: &Path, extra: &[&std::ffi::OsStr]) -> Output {
    let to = s.fx.doctor.to_public().to_string();
    let reply = s.fx.rectorat.to_public().to_string();
    let mut args = vec![
        os("rectorat"),
        os("pack"),
        os("--requests"),
        input.as_os_str(),
        os("--sign-key"),
        key.as_os_str(),
        os("--issuer-name"),
        os("Rectorat de test"),
        os("--reply-to"),
        os(&reply),
        os("--to"),
        os(&to),
        os("--sequence"),
        os("3"),
        os("-o"),
        out.as_os_str(),
    ];
    args.extend_from_slice(extra);
    avis(&args)
}

#[test]
fn pack_then_read_with_library() {
    let s = setup();
    let input = requests_dir(s.dir.path());
    let out = s.dir.path().join("lot.avis");
    let result = pack(&s, &input, &s.key_file, &out, &[]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("1 demande(s)"), "{stderr}");
    let (verified, sink) =
        s.fx.read(&std::fs::read(&out).unwrap(), BundleKind::Assignment)
            .unwrap();
    assert_eq!(verified.records[0].0, "AMX-1");
    assert_eq!(verified.manifest.sequence, 3);
    assert_eq!(verified.manifest.issuer.name, "Rectorat de test");
    assert_eq!(sink.documents[0].1, b"document");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
}

#[test]
fn pack_with_password_protected_key() {
    let s = setup();
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some("mot de passe".into())).unwrap();
    let key = s.dir.path().join("protected.key");
    std::fs::write(&key, pair.sk.to_box(None).unwrap().into_string()).unwrap();
    let password = s.dir.path().join("pw");
    std::fs::write(&password, "mot de passe\nignored second line\n").unwrap();
    let input = requests_dir(s.dir.path());
    let out = s.dir.path().join("lot.avis");
    let result = pack(
        &s,
        &input,
        &key,
        &out,
        &[os("--passphrase-file"), password.as_os_str()],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let mut fx = Fixture::new();
    fx.doctor = s.fx.doctor.clone();
    fx.trusted[0].public_key = pair.pk.to_base64();
    assert!(fx
        .read(&std::fs::read(&out).unwrap(), BundleKind::Assignment)
        .is_ok());

    // A wrong password: exit 1, clear message, no output.
    std::fs::write(&password, "faux\n").unwrap();
    let out2 = s.dir.path().join("lot2.avis");
    let result = pack(
        &s,
        &input,
        &key,
        &out2,
        &[os("--passphrase-file"), password.as_os_str()],
    );
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("mot de passe incorrect"));
    assert!(!out2.exists());
}

#[test]
fn pack_refuses_bad_input_and_writes_nothing() {
    let s = setup();
    let out = s.dir.path().join("lot.avis");

    // File stem differs from the request id.
    let input = requests_dir(s.dir.path());
    std::fs::rename(
        input.join("requests/AMX-1.json"),
        input.join("requests/AMX-2.json"),
    )
    .unwrap();
    let result = pack(&s, &input, &s.key_file, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(!out.exists());
    std::fs::rename(
        input.join("requests/AMX-2.json"),
        input.join("requests/AMX-1.json"),
    )
    .unwrap();

    // A referenced document is missing.
    for entry in std::fs::read_dir(input.join("documents")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let result = pack(&s, &input, &s.key_file, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("absente"));
    assert!(!out.exists());

    // A document whose name is not its hash.
    let wrong = "0".repeat(64);
    std::fs::write(input.join("documents").join(&wrong), b"other").unwrap();
    std::fs::write(
        input.join("requests/AMX-1.json"),
        request_json("AMX-1", &[&wrong]),
    )
    .unwrap();
    let result = pack(&s, &input, &s.key_file, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("sha256sum"));
    assert!(!out.exists());

    // Not a request.
    std::fs::write(input.join("requests/AMX-1.json"), b"{\"id\": \"AMX-1\"}").unwrap();
    let result = pack(&s, &input, &s.key_file, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".avis"))
        .collect();
    assert!(leftovers.is_empty());
}

/// An opinions bundle from the doctor (signer) to the rectorat.
fn opinions_bundle(s: &Setup, opinions: &[(&str, Vec<u8>)]) -> PathBuf {
    let entries = opinions
        .iter()
        .map(|(id, bytes)| OutEntry {
            path: format!("opinions/{id}.json"),
            content: BundleContent::Bytes(bytes.clone()),
        })
        .collect();
    let bytes = s.fx.write(BundleKind::Opinions, entries);
    let path = s.dir.path().join("avis.bundle");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn open(s: &Setup, bundle: &Path, trust: &Path, out: &Path) -> Output {
    avis(&[
        os("rectorat"),
        os("open"),
        bundle.as_os_str(),
        os("--identity"),
        s.rectorat_key.as_os_str(),
        os("--trust"),
        trust.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ])
}

#[test]
fn open_writes_opinions_and_csv() {
    let s = setup();
    let first = opinion_json("AMX-1");
    let incomplete = serde_json::to_vec(&serde_json::json!({
        "request_id": "AMX-2", "request_version": 2, "outcome": "incomplet",
        "measures": [], "missing_documents": ["bilan_orthophonique"],
        "motivation": "Bilan manquant", "validity": {"kind": "session", "until_session": "2027"}
    }))
    .unwrap();
    let bundle = opinions_bundle(
        &s,
        &[("AMX-1", first.clone()), ("AMX-2", incomplete.clone())],
    );
    let out = s.dir.path().join("sortie");
    let result = open(&s, &bundle, &s.doctor_pub, &out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(
        std::fs::read(out.join("opinions/AMX-1.json")).unwrap(),
        first
    );
    assert_eq!(
        std::fs::read(out.join("opinions/AMX-2.json")).unwrap(),
        incomplete
    );
    let csv = std::fs::read_to_string(out.join("avis.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let expected = "\u{feff}request_id;request_version;request_sha256;outcome;measure;decision;granted;detail;epreuves;motivation;validity;until_session;doctor;doctor_rpps;decided_at;avis_motivation;overrides;replaces\r\n\
AMX-1;1;9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08;partiel;temps_majore_tiers;modifie;temps_majore_sixieme;;toutes;\"Lenteur modérée; voir \"\"bilan\"\"\";cycle;2027;Dr Claire Martin;10001234567;2026-11-24T14:02:00Z;Avis global;;\r\n\
AMX-1;1;9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08;partiel;ordinateur;accorde;;\"Traitement de texte\nsans correcteur\";toutes;;cycle;2027;Dr Claire Martin;10001234567;2026-11-24T14:02:00Z;Avis global;;\r\n\
AMX-2;2;;incomplet;;;;;;;session;2027;;;;\"Bilan manquant\nPièces manquantes : bilan_orthophonique\";;\r\n";
    assert_eq!(csv, expected);
}

#[test]
fn open_refuses_untrusted_signer_and_leaves_nothing() {
    let s = setup();
    let bundle = opinions_bundle(&s, &[("AMX-1", opinion_json("AMX-1"))]);
    let (_, other_pub) = SigningKey::generate().unwrap();
    let other = s.dir.path().join("other.pub");
    std::fs::write(&other, other_pub).unwrap();
    let out = s.dir.path().join("sortie");
    let result = open(&s, &bundle, &other, &out);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("clés de confiance"));
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".avis"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn open_refuses_an_assignment_bundle() {
    let s = setup();
    // An assignment addressed to the rectorat's key is still the wrong kind.
    let mut header = s.fx.header(BundleKind::Assignment);
    header.recipient.age_recipient = s.fx.rectorat.to_public().to_string();
    let mut bytes = Vec::new();
    avis::bundle::write_bundle(
        &mut bytes,
        header,
        vec![],
        &s.fx.signer,
        &[s.fx.rectorat.to_public()],
    )
    .unwrap();
    let bundle = s.dir.path().join("a.avis");
    std::fs::write(&bundle, bytes).unwrap();
    let out = s.dir.path().join("sortie");
    let result = open(&s, &bundle, &s.doctor_pub, &out);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("type"));
    assert!(!out.exists());
}

#[test]
fn open_refuses_a_non_empty_output_folder() {
    let s = setup();
    let bundle = opinions_bundle(&s, &[("AMX-1", opinion_json("AMX-1"))]);
    let out = s.dir.path().join("sortie");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), b"x").unwrap();
    let result = open(&s, &bundle, &s.doctor_pub, &out);
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(std::fs::read(out.join("keep.txt")).unwrap(), b"x");
    assert!(!out.join("avis.csv").exists());
}

#[test]
fn pack_refuses_an_invalid_recipient() {
    let s = setup();
    let input = requests_dir(s.dir.path());
    let out = s.dir.path().join("lot.avis");
    let result = avis(&[
        os("rectorat"),
        os("pack"),
        os("--requests"),
        input.as_os_str(),
        os("--sign-key"),
        s.key_file.as_os_str(),
        os("--issuer-name"),
        os("R"),
        os("--reply-to"),
        os(&s.fx.rectorat.to_public().to_string()),
        os("--to"),
        os("age1pasunecle"),
        os("--sequence"),
        os("1"),
        os("-o"),
        out.as_os_str(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("--to"));
    assert!(!out.exists());
}

#[test]
fn usage_error_exits_2() {
    let result = avis(&[os("rectorat"), os("pack")]);
    assert_eq!(result.status.code(), Some(2));
}

#[test]
fn open_shows_lifted_checks_and_replacement() {
    let s = setup();
    let opinion = serde_json::to_vec(&serde_json::json!({
        "request_id": "AMX-1", "request_version": 1, "outcome": "favorable",
        "measures": [{"code": "temps_majore_tiers", "decision": "accorde"}],
        "missing_documents": [], "motivation": "Avis global",
        "validity": {"kind": "cycle", "until_session": "2027"},
        "overrides": [
            {"rule": "bilan_orthophonique", "measure": "temps_majore_tiers", "reason": "Bilan transmis sous pli."},
            {"rule": "hors_delais", "reason": "Trouble apparu en cours d'année."}
        ],
        "replaces": {"bundle_id": "b-1", "exported_at": "2026-11-20T09:30:00Z"}
    }))
    .unwrap();
    let bundle = opinions_bundle(&s, &[("AMX-1", opinion)]);
    let out = s.dir.path().join("sortie");
    let result = open(&s, &bundle, &s.doctor_pub, &out);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let csv = std::fs::read_to_string(out.join("avis.csv")).unwrap();
    let line = csv.lines().nth(1).unwrap().to_string();
    let rule = |id: &str| avis::domain::checks::rule(id).unwrap().title;
    assert!(
        csv.contains(&format!(
            "\"{} : Trouble apparu en cours d'année.\n{} (Temps majoré d'un tiers) : Bilan transmis sous pli.\";remplace l'avis du 2026-11-20 09:30:00 UTC\r\n",
            rule("hors_delais"),
            rule("bilan_orthophonique")
        )),
        "{csv}"
    );
    assert!(
        line.starts_with("AMX-1;1;;favorable;temps_majore_tiers;accorde;"),
        "{line}"
    );
}

#[test]
fn open_pdf_writes_one_printable_avis_per_opinion_and_says_what_replaces() {
    if !papers_support::tool_or_skip("pdftotext") {
        return;
    }
    let s = setup();
    let replacing = serde_json::to_vec(&serde_json::json!({
        "request_id": "AMX-2", "request_version": 2, "outcome": "favorable",
        "measures": [{"code": "temps_majore_tiers", "decision": "accorde",
                      "motivation": "Lenteur d'écriture constante."}],
        "missing_documents": [], "motivation": "Aménagement proportionné.",
        "validity": {"kind": "session", "until_session": "2027"},
        "doctor": {"name": "Dr Claire Martin", "rpps": "10001234567"},
        "replaces": {"bundle_id": "b-1", "exported_at": "2026-11-20T09:30:00Z"}
    }))
    .unwrap();
    let bundle = opinions_bundle(
        &s,
        &[("AMX-1", opinion_json("AMX-1")), ("AMX-2", replacing)],
    );
    let out = s.dir.path().join("sortie");
    let mut args = vec![
        os("rectorat"),
        os("open"),
        bundle.as_os_str(),
        os("--identity"),
        s.rectorat_key.as_os_str(),
        os("--trust"),
        s.doctor_pub.as_os_str(),
        os("--out"),
        out.as_os_str(),
    ];
    args.push(os("--pdf"));
    let result = avis(&args);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(
        stderr.contains("L'avis AMX-2 remplace celui envoyé le 2026-11-20 09:30:00 UTC (lot b-1)"),
        "{stderr}"
    );
    assert!(!stderr.contains("L'avis AMX-1 remplace"), "{stderr}");
    assert!(
        stderr.contains("2 avis médical(aux) imprimable(s)"),
        "{stderr}"
    );
    let mut names: Vec<String> = std::fs::read_dir(out.join("pdf"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["avis-AMX-1.pdf", "avis-AMX-2.pdf"]);
    let text = papers_support::folded(&papers_support::pdftotext(&out.join("pdf/avis-AMX-2.pdf")));
    assert!(text.contains("AMX-2"), "{text}");
    assert!(text.contains("Lenteur d'écriture constante."), "{text}");
    assert!(text.contains("Dr Claire Martin"), "{text}");
    // The doctor's key fingerprint, from the trusted key.
    assert!(
        text.contains("Empreinte de la clé de signature du médecin"),
        "{text}"
    );
    let text1 = papers_support::folded(&papers_support::pdftotext(&out.join("pdf/avis-AMX-1.pdf")));
    assert!(
        text1.contains("AMX-1") && !text1.contains("AMX-2"),
        "{text1}"
    );
    // Opened again into the same folder: refused, nothing replaced.
    let before = std::fs::read(out.join("pdf/avis-AMX-1.pdf")).unwrap();
    let again = avis(&args);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        std::fs::read(out.join("pdf/avis-AMX-1.pdf")).unwrap(),
        before
    );
}
