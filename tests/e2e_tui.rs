//! End-to-end: the real binary in a pseudo-terminal (tmux), through a full
//! review of the demo: open a request, decide each measure, type a
//! motivation, validate, export, quit with `q`; then the rectorat opens the
//! export with `avis rectorat open` and finds the avis as decided.
//!
//! Needs tmux: skipped with a reason when it is missing, failed when `CI`
//! is set.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/tmux_support.rs"]
mod tmux_support;
use tmux_support::{tmux_or_skip, wait_file, Tmux};

const REQUEST: &str = "AMX-2027-000035";
const MOTIVATION: &str = "Compensation de la lenteur d'execution en situation d'ecrit.";

/// `avis demo` running in tmux (120×40), with its own temporary directory
/// and a file that receives its exit status.
struct Demo {
    tmux: Tmux,
    work: tempfile::TempDir,
    private_tmp: PathBuf,
    exit_file: PathBuf,
}

impl Demo {
    /// Starts the demo with `env` (`NAME=value` words) before the binary.
    fn start(name: &str, env: &str) -> Demo {
        let work = tempfile::tempdir().unwrap();
        let private_tmp = work.path().join("tmp");
        std::fs::create_dir(&private_tmp).unwrap();
        let exit_file = work.path().join("exit");
        let command = format!(
            "env {env} AVIS_DATE=2026-11-26 TMPDIR='{}' '{}' demo; echo $? > '{}'; sleep 2",
            private_tmp.display(),
            env!("CARGO_BIN_EXE_avis"),
            exit_file.display()
        );
        let tmux = Tmux::start(name, (120, 40), Some(work.path()), &command);
        Demo {
            tmux,
            work,
            private_tmp,
            exit_file,
        }
    }

    /// Waits for the demo to exit; asserts its status and that its
    /// temporary store is gone.
    fn assert_exit_cleanly(&self) {
        assert_eq!(wait_file(&self.exit_file).trim(), "0", "exit status 0");
        assert!(
            std::fs::read_dir(&self.private_tmp)
                .unwrap()
                .next()
                .is_none(),
            "the demo's temporary store is deleted on exit"
        );
    }
}

fn requested_codes() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/requests")
        .join(format!("{REQUEST}.json"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["requested_measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn full_review_of_the_demo_in_a_terminal() {
    if !tmux_or_skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_avis");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = Demo::start("review", "");
    let (tmux, work) = (&demo.tmux, &demo.work);
    let export = work.path().join("export.avis");

    // The inbox, then the filter opens the request.
    tmux.wait_for("À traiter 39");
    tmux.keys(&["/"]);
    tmux.text(REQUEST);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Synthèse");

    // The avis: decide every requested measure.
    tmux.keys(&["a"]);
    tmux.wait_for("Mesures : a accorder");
    let codes = requested_codes();
    assert!(codes.contains(&"temps_majore_tiers".to_string()));
    for code in &codes {
        if code == "temps_majore_tiers" {
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
    // Each Escape is seen before the next key (an Escape followed at once by
    // a key would read as Alt+key).
    tmux.keys(&["Escape"]);
    tmux.wait_for("a accorder  r refuser");
    tmux.wait_for("✓ Enregistré");
    tmux.keys(&["v"]);
    tmux.wait_for("Avis validé");

    // Export to a chosen file.
    tmux.keys(&["Escape"]);
    tmux.wait_for("1 Synthèse");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Validé 1");
    tmux.keys(&["e"]);
    tmux.wait_for("1 avis validé(s)");
    for _ in 0.."./avis-demo-export.avis".len() {
        tmux.run(&["send-keys", "-t", "avis", "BSpace"]);
    }
    tmux.text(export.to_str().unwrap());
    tmux.keys(&["Enter"]);
    tmux.wait_for("Confirmer l'export");
    tmux.keys(&["o"]);
    tmux.wait_for("Export terminé");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Exporté 1");
    tmux.keys(&["q"]);
    demo.assert_exit_cleanly();

    // The rectorat's side.
    let out_dir = work.path().join("rectorat");
    let out = Command::new(bin)
        .args(["rectorat", "open"])
        .arg(&export)
        .arg("--identity")
        .arg(root.join("keys/demo-rectorat.agekey"))
        .arg("--trust")
        .arg(root.join("keys/demo-doctor.minisign.pub"))
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
    assert_eq!(opinion["outcome"], "partiel");
    assert_eq!(opinion["motivation"], MOTIVATION);
    let measures = opinion["measures"].as_array().unwrap();
    assert_eq!(measures.len(), codes.len());
    for m in measures {
        if m["code"] == "temps_majore_tiers" {
            assert_eq!(m["decision"], "modifie");
            assert_eq!(m["granted"], "temps_majore_sixieme");
        } else {
            assert_eq!(m["decision"], "accorde", "{m}");
        }
    }
    assert!(opinion.get("private_notes").is_none());
    assert!(out_dir.join("avis.csv").is_file());
}

#[test]
fn unlock_screen_passphrase_file_and_sigterm() {
    if !tmux_or_skip() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_avis");
    let work = tempfile::tempdir().unwrap();
    let store = work.path().join("magasin");
    let pass = work.path().join("phrase");
    std::fs::write(&pass, "une phrase de passe assez longue\n").unwrap();
    let out = Command::new(bin)
        .args(["init", "--name", "Dr Essai"])
        .arg("--store")
        .arg(&store)
        .arg("--passphrase-file")
        .arg(&pass)
        .env_remove("AVIS_PASSPHRASE_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Typed passphrase: a wrong one is refused (and never shown), then SIGTERM.
    let pid_file = work.path().join("pid");
    let exit_file = work.path().join("exit");
    let cmd = format!(
        "sh -c 'echo $$ > \"{}\"; exec env -u AVIS_PASSPHRASE_FILE \"{}\" --store \"{}\"'; echo $? > '{}'; sleep 5",
        pid_file.display(),
        bin,
        store.display(),
        exit_file.display()
    );
    let tmux = Tmux::start("unlock", (80, 24), None, &cmd);
    tmux.wait_for("Phrase de passe :");
    tmux.text("mauvaise");
    let screen = tmux.wait_for("••••••••");
    assert!(!screen.contains("mauvaise"), "the passphrase is masked");
    tmux.keys(&["Enter"]);
    tmux.wait_for("phrase de passe incorrecte");
    tmux.text("une phrase de passe assez longue");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Aucune demande dans le magasin");
    let pid = wait_file(&pid_file).trim().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    assert_eq!(
        wait_file(&exit_file).trim(),
        "0",
        "SIGTERM ends avis cleanly"
    );
    let screen = tmux.screen();
    assert!(
        !screen.contains("Aucune demande dans le magasin"),
        "the terminal left the full-screen interface:\n{screen}"
    );
    drop(tmux);

    // AVIS_PASSPHRASE_FILE: straight to the inbox, q quits with status 0.
    let exit_file = work.path().join("exit2");
    let cmd = format!(
        "env AVIS_PASSPHRASE_FILE='{}' '{}' --store '{}'; echo $? > '{}'; sleep 5",
        pass.display(),
        bin,
        store.display(),
        exit_file.display()
    );
    let tmux = Tmux::start("file", (80, 24), None, &cmd);
    tmux.wait_for("Aucune demande dans le magasin");
    tmux.keys(&["q"]);
    assert_eq!(wait_file(&exit_file).trim(), "0");
}

#[test]
fn without_a_terminal_the_demo_says_so_and_leaves_nothing() {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_avis"))
        .arg("demo")
        .env("TMPDIR", work.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("besoin d'un terminal"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_dir(work.path()).unwrap().next().is_none());
}

#[test]
fn the_demo_locks_itself_when_idle_and_keeps_the_typed_motivation() {
    if !tmux_or_skip() {
        return;
    }
    let demo = Demo::start("lock", "AVIS_TEST_VERROUILLAGE_SECONDES=5");
    let tmux = &demo.tmux;

    tmux.wait_for("À traiter 39");
    tmux.keys(&["/"]);
    tmux.text(REQUEST);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("1 Synthèse");
    // The title line: "avis [DÉMONSTRATION] Demande <id> — <NAME>  · examen…".
    let title = screen.lines().next().unwrap();
    let name = title
        .split(" — ")
        .nth(1)
        .and_then(|rest| rest.split("  ·").next())
        .unwrap()
        .trim()
        .to_string();
    assert!(!name.is_empty(), "candidate name in {title:?}");
    tmux.keys(&["a"]);
    tmux.wait_for("Mesures : a accorder");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Ctrl+T modèle");
    tmux.text(MOTIVATION);

    // No more input: the session locks itself, the draft saved first.
    let screen = tmux.wait_for("Session verrouillée après inactivité");
    assert!(
        screen.contains("demonstration"),
        "the demo shows its passphrase"
    );
    assert!(
        !screen.contains(&name),
        "no candidate name on the lock screen"
    );
    assert!(!screen.contains(REQUEST));
    assert!(!screen.contains("Compensation"));

    // A wrong passphrase says so.
    tmux.text("faux");
    tmux.keys(&["Enter"]);
    tmux.wait_for("⚠");
    assert!(tmux.screen().contains("Session verrouillée"));

    // The right one brings back the editor with the typed motivation.
    tmux.text(avis::tui::demo::DEMO_PASSPHRASE);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(MOTIVATION);
    assert!(screen.contains(&name));
    assert!(screen.contains("Ctrl+T modèle"), "back in the motivation");
    tmux.keys(&["C-c"]);
    demo.assert_exit_cleanly();
}

#[test]
fn a_scan_after_the_image_query_of_a_real_terminal() {
    if !tmux_or_skip() {
        return;
    }
    // Without tmux's variables avis takes tmux for a plain terminal and asks
    // it for its image protocols at start-up (tmux answers: none).
    let demo = Demo::start("scan", "-u TMUX -u TERM_PROGRAM TERM=xterm-256color");
    let tmux = &demo.tmux;

    let screen = tmux.wait_for("À traiter 39");
    for garbage in ["Gi=31", "AAAA", "[?", "[0n", "16t", "\u{1b}"] {
        assert!(
            !screen.contains(garbage),
            "the query left {garbage:?} on screen:\n{screen}"
        );
    }
    // The first keys after the query reach the inbox.
    tmux.keys(&["/"]);
    tmux.text("AMX-2027-000018");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Synthèse");
    tmux.keys(&["4"]);
    tmux.wait_for("certificat-urgences.jpg");
    tmux.keys(&["Enter"]);
    let half_blocks = |screen: &str| screen.chars().filter(|c| matches!(c, '▀' | '▄')).count();
    // The hint shows at once; the page follows when rendered.
    let screen = tmux.wait_until("the scan in half blocks", |s| {
        s.contains("aperçu en demi-blocs") && half_blocks(s) > 200
    });
    let blocks = half_blocks(&screen);
    assert!(blocks > 200, "the scan is drawn in half blocks:\n{screen}");
    assert!(!screen.contains('\u{1b}'));
    // Leaving the viewer leaves no piece of the image.
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("4 Pièces");
    let start = Instant::now();
    let mut screen = screen;
    while screen.contains("aperçu") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
        screen = tmux.screen();
    }
    assert!(
        !screen.chars().any(|c| matches!(c, '▀' | '▄')),
        "no half block left after the viewer:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("À traiter 39");
    tmux.keys(&["q"]);
    demo.assert_exit_cleanly();
}

#[test]
fn a_paste_of_ten_thousand_characters_shows_at_once() {
    if !tmux_or_skip() {
        return;
    }
    let demo = Demo::start("paste", "");
    let tmux = &demo.tmux;
    tmux.wait_for("À traiter 39");
    tmux.keys(&["/"]);
    tmux.text(REQUEST);
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 Synthèse");
    tmux.keys(&["a"]);
    tmux.wait_for("Mesures : a accorder");
    tmux.keys(&["Tab"]);
    tmux.wait_for("Ctrl+T modèle");
    let text = format!("{}FIN-OK--", "lenteur ".repeat(1249));
    assert_eq!(text.chars().count(), 10_000);
    let out = tmux.run(&["set-buffer", "-b", "collage", "--", &text]);
    assert!(out.status.success(), "tmux set-buffer failed");
    // A bracketed paste, as a terminal sends it; no key after it.
    let out = tmux.run(&["paste-buffer", "-p", "-b", "collage", "-t", "avis"]);
    assert!(out.status.success(), "tmux paste-buffer failed");
    let screen = tmux.wait_for("10000 caractères");
    assert!(
        screen.contains("FIN-OK--"),
        "the end of the paste is shown: {screen}"
    );
    // Nothing of it ran as a command: the measures are still undecided.
    assert!(screen.contains("À décider : "), "{screen}");
    tmux.keys(&["C-c"]);
    demo.assert_exit_cleanly();
}
