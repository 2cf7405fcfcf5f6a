//! End-to-end, issue 15: a doctor who received only a rectorat key file and
//! a bundle does the whole season in the TUI. From no store at all, the real
//! binary in a pseudo-terminal (tmux) creates the store on its welcome
//! screen, saves the public keys file, trusts the rectorat's key through the
//! file chooser (its fingerprint shown), imports the bundle (summary),
//! reviews and validates one avis, exports it into a folder chosen in the
//! chooser, makes a backup, quits; then the rectorat opens the export with
//! `avis rectorat open`. No doctor-side CLI command is run.
//!
//! Needs tmux: skipped with a reason when it is missing, failed when `CI`
//! is set.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/tmux_support.rs"]
mod tmux_support;
use tmux_support::{tmux_or_skip, wait_file, Tmux};

const REQUEST: &str = "AMX-2027-000035";
const MOTIVATION: &str = "Compensation de la lenteur d'execution en situation d'ecrit.";
const PASSPHRASE: &str = "une phrase de passe de test";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn request_json() -> serde_json::Value {
    let path = root()
        .join("fixtures/requests")
        .join(format!("{REQUEST}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rectorat packs one demo request, with its pièces, for `to`.
fn pack_bundle(work: &Path, to: &str, out: &Path) {
    let input = work.join("envoi");
    std::fs::create_dir_all(input.join("requests")).unwrap();
    std::fs::create_dir_all(input.join("documents")).unwrap();
    std::fs::copy(
        root().join(format!("fixtures/requests/{REQUEST}.json")),
        input.join(format!("requests/{REQUEST}.json")),
    )
    .unwrap();
    for d in request_json()["documents"].as_array().unwrap() {
        let sha = d["sha256"].as_str().unwrap();
        std::fs::copy(
            root().join("fixtures/documents").join(sha),
            input.join("documents").join(sha),
        )
        .unwrap();
    }
    let reply = std::fs::read_to_string(root().join("keys/demo-rectorat.age.pub")).unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["rectorat", "pack", "--requests"])
        .arg(&input)
        .arg("--sign-key")
        .arg(root().join("keys/demo-rectorat.minisign.key"))
        .args([
            "--issuer-name",
            "Rectorat de test",
            "--reply-to",
            reply.trim(),
        ])
        .args(["--to", to, "--sequence", "1", "-o"])
        .arg(out)
        .env_remove("AVIS_PASSPHRASE_FILE")
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "rectorat pack failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn from_no_store_to_an_export_the_rectorat_opens_without_any_doctor_command() {
    if !tmux_or_skip() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let downloads = home.join("Téléchargements");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::create_dir_all(work.path().join("tmp")).unwrap();
    std::fs::copy(
        root().join("keys/demo-rectorat.minisign.pub"),
        downloads.join("rectorat.pub"),
    )
    .unwrap();
    let store = work.path().join("magasin");
    let exit_file = work.path().join("exit");
    let command = format!(
        "env HOME='{}' USER=medecin AVIS_TEST_KDF_LOG_N=10 AVIS_DATE=2026-11-26 TMPDIR='{}' '{}' --store '{}'; echo $? > '{}'; sleep 2",
        home.display(),
        work.path().join("tmp").display(),
        env!("CARGO_BIN_EXE_avis"),
        store.display(),
        exit_file.display()
    );
    let tmux = Tmux::start("firstrun", (120, 40), Some(work.path()), &command);

    // Welcome: name, RPPS, passphrase twice.
    tmux.wait_for("Premier démarrage");
    tmux.text("Dr Claire Martin");
    tmux.keys(&["Tab"]);
    tmux.text("10001234567");
    tmux.keys(&["Tab"]);
    tmux.text(PASSPHRASE);
    tmux.keys(&["Tab"]);
    tmux.text(PASSPHRASE);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Votre magasin est créé");
    assert!(screen.contains("Empreinte"), "{screen}");
    assert!(avis::store::Store::exists(&store));

    // The keys file for the rectorat, saved in Téléchargements.
    tmux.keys(&["w"]);
    tmux.wait_for("Choisir le dossier où enregistrer vos clés");
    tmux.wait_for("Téléchargements");
    tmux.keys(&["c"]);
    tmux.wait_for("Clés enregistrées");
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(downloads.join("cles-avis.json")).unwrap())
            .unwrap();
    let fingerprint = keys["fingerprint"].as_str().unwrap().replace(' ', "  ");
    assert!(screen.contains(&fingerprint), "{screen}");
    let doctor_pub = work.path().join("medecin.pub");
    std::fs::write(&doctor_pub, keys["signing_key_file"].as_str().unwrap()).unwrap();

    // Meanwhile the rectorat packs a bundle for this doctor.
    pack_bundle(
        work.path(),
        keys["age_recipient"].as_str().unwrap(),
        &downloads.join("lot-2026-11.avis"),
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("i importer");

    // Trust the rectorat's key: its fingerprint is shown for the phone.
    let rectorat_key = std::fs::read_to_string(root().join("keys/demo-rectorat.minisign.pub"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let rectorat_fp = avis::store::fingerprint(&rectorat_key)
        .unwrap()
        .replace(' ', "  ");
    tmux.keys(&["K"]);
    tmux.wait_for("Aucune clé de rectorat acceptée");
    tmux.keys(&["a"]);
    tmux.wait_for("Choisir le fichier de clé du rectorat");
    tmux.wait_for("rectorat.pub");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Nom du rectorat");
    assert!(screen.contains(&rectorat_fp), "{screen}");
    tmux.text("Rectorat de test");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Accepter cette clé");
    tmux.keys(&["o"]);
    tmux.wait_for("Clé acceptée");
    tmux.wait_for("acceptée le");
    tmux.keys(&["Escape"]);
    tmux.wait_for("i importer");

    // Import through the chooser: the summary.
    tmux.keys(&["i"]);
    tmux.wait_for("Choisir le lot à importer");
    tmux.wait_for("lot-2026-11.avis");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Nouvelles demandes");
    assert!(
        screen.contains("Nouvelles demandes :          1"),
        "{screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("À traiter 1");

    // Review and validate the avis.
    tmux.keys(&["/"]);
    tmux.text(REQUEST);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Synthèse");
    tmux.keys(&["a"]);
    tmux.wait_for("Mesures : a accorder");
    for m in request_json()["requested_measures"].as_array().unwrap() {
        if m["code"] == "temps_majore_tiers" {
            tmux.keys(&["m"]);
            tmux.wait_for("Proposer à la place");
            tmux.text("sixieme");
            tmux.keys(&["Enter"]);
        } else {
            tmux.keys(&["a"]);
        }
        tmux.keys(&["Down"]);
    }
    tmux.wait_for("À décider : 0");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Ctrl+T modèle");
    tmux.text(MOTIVATION);
    tmux.keys(&["Escape"]);
    tmux.wait_for("✓ Enregistré");
    tmux.keys(&["v"]);
    tmux.wait_for("Avis validé");
    tmux.keys(&["Escape"]);
    tmux.wait_for("1 Synthèse");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Validé 1");

    // Export into a folder chosen in the chooser.
    tmux.keys(&["e"]);
    tmux.wait_for("1 avis validé(s)");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Choisir le dossier où écrire l'export");
    tmux.wait_for("Téléchargements");
    tmux.keys(&["c"]);
    tmux.wait_for("Téléchargements/avis-2026-11-26");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Confirmer l'export");
    tmux.keys(&["o"]);
    tmux.wait_for("Export terminé");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Exporté 1");

    // A backup into the same folder.
    tmux.keys(&["S"]);
    tmux.wait_for("Choisir le dossier de la sauvegarde");
    tmux.wait_for("Téléchargements");
    tmux.keys(&["c"]);
    tmux.wait_for("Phrase de passe :");
    tmux.text(PASSPHRASE);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Sauvegarde écrite");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Exporté 1");
    tmux.keys(&["q"]);
    assert_eq!(wait_file(&exit_file).trim(), "0", "exit status 0");
    assert!(downloads.join("avis-sauvegarde-2026-11-26.age").is_file());

    // The rectorat's side.
    let export = std::fs::read_dir(&downloads)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("avis-2026-11-26") && n.ends_with(".avis"))
        })
        .expect("the export in Téléchargements");
    let out_dir = work.path().join("rectorat");
    let out = Command::new(env!("CARGO_BIN_EXE_avis"))
        .args(["rectorat", "open"])
        .arg(&export)
        .arg("--identity")
        .arg(root().join("keys/demo-rectorat.agekey"))
        .arg("--trust")
        .arg(&doctor_pub)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rectorat open failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opinion: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("opinions").join(format!("{REQUEST}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(opinion["request_id"], REQUEST);
    assert_eq!(opinion["motivation"], MOTIVATION);
    assert_eq!(opinion["doctor"]["rpps"], "10001234567");
}
