//! The workbook shows what the doctor's side adds to an avis: the checks it
//! lifted (French rule title and reason, in their own column, on the
//! measure's row when tied to a measure) and the earlier sending an avis
//! replaces; `rectorat open`'s CSV shows them too. LibreOffice (headless)
//! reads the workbook back when installed (required under CI).

#[path = "common/store_support.rs"]
mod store_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use avis::bundle::{
    write_bundle, BundleContent, BundleHeader, BundleKind, OutEntry, Party, SigningKey,
};
use calamine::{open_workbook, Data, Reader, Xlsx};
use store_support::*;

fn avis(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avis"))
        .env("AVIS_ESPACE", dir.join("espace"))
        .env("AVIS_PASSPHRASE_FILE", dir.join("phrase"))
        .env("AVIS_TEST_KDF_LOG_N", "10")
        .env_remove("AVIS_DATE")
        .args(args)
        .output()
        .unwrap()
}

/// A workspace, one doctor whose keys the test holds, two requests sent.
struct Setup {
    tmp: tempfile::TempDir,
    signer: SigningKey,
    doctor: age::x25519::Identity,
    rectorat_recipient: String,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("phrase"), "phrase du rectorat, assez longue\n").unwrap();
    assert_success(&avis(
        dir,
        &["rectorat", "init", "--nom", "Rectorat de test"],
    ));
    let (signer, public) = SigningKey::generate().unwrap();
    let doctor = age::x25519::Identity::generate();
    std::fs::write(dir.join("medecin.pub"), public).unwrap();
    assert_success(&avis(
        dir,
        &[
            "rectorat",
            "medecin",
            "ajouter",
            "--nom",
            "Dr Test",
            "--cles",
            dir.join("medecin.pub").to_str().unwrap(),
            "--age",
            &doctor.to_public().to_string(),
            "--derniere-sequence",
            "4",
        ],
    ));
    let amex = dir.join("amex");
    std::fs::create_dir_all(amex.join("requests")).unwrap();
    for id in ["AMX-1", "AMX-2"] {
        std::fs::write(
            amex.join("requests").join(format!("{id}.json")),
            request_json(id, 1, "Durand", &[]),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("aff.csv"),
        "demande,medecin\nAMX-1,Dr Test\nAMX-2,dr test\n",
    )
    .unwrap();
    let out = avis(
        dir,
        &[
            "rectorat",
            "envoyer",
            "--affectations",
            dir.join("aff.csv").to_str().unwrap(),
            "--demandes",
            amex.to_str().unwrap(),
        ],
    );
    assert_success(&out);
    // The sequence follows the last one sent by hand.
    assert!(stdout(&out).contains("séquence 5"), "{}", stdout(&out));
    let keys: serde_json::Value =
        serde_json::from_slice(&avis(dir, &["rectorat", "cles", "--json"]).stdout).unwrap();
    Setup {
        tmp,
        signer,
        doctor,
        rectorat_recipient: keys["age_recipient"].as_str().unwrap().to_string(),
    }
}

fn opinion_with_extras(id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "request_id": id, "request_version": 1, "outcome": "favorable",
        "measures": [
            {"code": "temps_majore_tiers", "decision": "accorde"},
            {"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}
        ],
        "missing_documents": [], "motivation": "Avis global.",
        "validity": {"kind": "cycle", "until_session": "2027"},
        "doctor": {"name": "Dr Test"},
        "decided_at": "2026-11-24T14:02:00.123456789Z",
        "overrides": [
            {"rule": "bilan_orthophonique", "measure": "temps_majore_tiers", "reason": "Bilan récent transmis sous pli."},
            {"rule": "hors_delais", "reason": "Trouble apparu en cours d'année."}
        ],
        "replaces": {"bundle_id": "0b5e8f6a-3c2d-4e0f-9a71-5d8c2e4b7f10", "exported_at": "2026-11-20T09:30:00Z"}
    }))
    .unwrap()
}

/// An opinions bundle signed by the test's doctor, for the workspace.
fn opinions_bundle(s: &Setup, ids: &[&str], sequence: u64) -> PathBuf {
    let entries = ids
        .iter()
        .map(|id| OutEntry {
            path: format!("opinions/{id}.json"),
            content: BundleContent::Bytes(opinion_with_extras(id)),
        })
        .collect();
    let header = BundleHeader {
        kind: BundleKind::Opinions,
        sequence,
        issuer: Party {
            name: "Dr Test".into(),
            signing_key: Some(s.signer.public_key_base64()),
            age_recipient: s.doctor.to_public().to_string(),
        },
        recipient: Party {
            name: "Rectorat de test".into(),
            signing_key: None,
            age_recipient: s.rectorat_recipient.clone(),
        },
        in_reply_to: vec![],
    };
    let to: age::x25519::Recipient = s.rectorat_recipient.parse().unwrap();
    let mut bytes = Vec::new();
    write_bundle(&mut bytes, header, entries, &s.signer, &[to]).unwrap();
    let path = s.tmp.path().join(format!("avis-{sequence}.avis"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn column(headers: &[String], name: &str) -> usize {
    headers.iter().position(|h| h == name).unwrap()
}

#[test]
fn lifted_checks_and_replacement_are_shown() {
    let s = setup();
    let dir = s.tmp.path();
    let bundle = opinions_bundle(&s, &["AMX-1"], 1);
    let out = avis(dir, &["rectorat", "recevoir", bundle.to_str().unwrap()]);
    assert_success(&out);

    let mut book: Xlsx<_> = open_workbook(dir.join("espace/avis.xlsx")).unwrap();
    let range = book.worksheet_range("Avis").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let headers: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let lifted = column(&headers, "Contrôles levés");
    let replaces = column(&headers, "Remplace");
    // AMX-1: request row + two measures; AMX-2 pending.
    assert_eq!(rows.len(), 1 + 3 + 1);
    let request_row = &rows[1];
    assert_eq!(
        request_row[lifted].to_string(),
        "Demande hors délais : Trouble apparu en cours d'année."
            .replace("Demande hors délais", &rule_title("hors_delais"))
    );
    let tiers_row = &rows[2];
    assert_eq!(
        tiers_row[lifted].to_string(),
        format!(
            "{} (Temps majoré d'un tiers) : Bilan récent transmis sous pli.",
            rule_title("bilan_orthophonique")
        )
    );
    assert_eq!(rows[3][lifted], Data::Empty);
    for row in &rows[1..4] {
        assert_eq!(
            row[replaces].to_string(),
            "remplace l'avis du 2026-11-20 09:30:00 UTC"
        );
    }
    match &request_row[column(&headers, "Décidé le (UTC)")] {
        Data::DateTime(d) => {
            assert_eq!(d.as_datetime().unwrap().to_string(), "2026-11-24 14:02:00")
        }
        other => panic!("{other:?}"),
    }
    let csv = std::fs::read_to_string(dir.join("espace/avis.csv")).unwrap();
    assert!(csv.contains(";2026-11-24 14:02:00;"), "{csv}");
    assert!(!csv.contains("14:02:00.123"), "{csv}");

    // A workbook the operator changed is kept aside, never overwritten.
    std::fs::write(dir.join("espace/avis.csv"), "mes notes").unwrap();
    let again = opinions_bundle(&s, &["AMX-2"], 2);
    let out = avis(dir, &["rectorat", "recevoir", again.to_str().unwrap()]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("votre version est gardée"),
        "{}",
        stdout(&out)
    );
    let kept: Vec<_> = std::fs::read_dir(dir.join("espace"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("avis-modifie-") && n.ends_with(".csv"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("espace").join(&kept[0])).unwrap(),
        "mes notes"
    );

    // A bundle signed by nobody registered is refused, the rest still works.
    let (stranger, _) = SigningKey::generate().unwrap();
    let forged = Setup {
        tmp: tempfile::tempdir().unwrap(),
        signer: stranger,
        doctor: s.doctor.clone(),
        rectorat_recipient: s.rectorat_recipient.clone(),
    };
    let bad = opinions_bundle(&forged, &["AMX-1"], 9);
    let out = avis(dir, &["rectorat", "recevoir", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusé"));

    // LibreOffice reads the workbook too.
    if have_tool("soffice") {
        let converted = dir.join("lo");
        let status = Command::new("soffice")
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):59,34,76",
                "--outdir",
            ])
            .arg(&converted)
            .arg(dir.join("espace/avis.xlsx"))
            .env("HOME", dir)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let text = std::fs::read_to_string(converted.join("avis.csv")).unwrap();
        let mut lines = text.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("Demande;Version;Ligne;État;Candidat"));
        assert!(text.contains("Temps majoré d'un tiers"), "{text}");
        assert!(text.contains("Bilan récent transmis sous pli."), "{text}");
        assert_eq!(text.lines().count(), 1 + 3 + 3);
    }
}

fn rule_title(id: &str) -> String {
    avis::domain::checks::rule(id).unwrap().title.to_string()
}
