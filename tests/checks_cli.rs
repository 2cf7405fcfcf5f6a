//! Issue 11 through the real binary: a bloquant check blocks `avis opinion
//! validate` with a French message naming the word and what to write
//! instead (never a rule id); the secrecy and refusal checks cannot be
//! lifted; lifted checks travel in the exported opinion; paper pièces count
//! for the checks, are journaled and never leave the store.

#[path = "common/store_support.rs"]
mod store_support;

use std::path::{Path, PathBuf};

use store_support::*;

const DATE: &str = "2026-11-26";
const ID: &str = "AMX-2027-000001";

struct Flow {
    t: TestStore,
    rectorat: Rectorat,
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

impl Flow {
    /// A store holding request `ID` (dyslexie, tiers temps + ordinateur),
    /// with a bilan orthophonique joined (`with_bilan`) or none.
    fn new(with_bilan: bool) -> Flow {
        let t = TestStore::init();
        let rectorat = Rectorat::trusted_by(&t, "Rectorat d'Aix-Marseille - DIEC");
        let doc = b"%PDF-1.4 bilan de synthese (fictif)\n".repeat(20);
        let docs = if with_bilan {
            vec![sha256_hex(&doc)]
        } else {
            Vec::new()
        };
        let reqs = vec![(ID.to_string(), request_json(ID, 1, "DURAND", &docs))];
        let dir = pack_dir(&t.path("in"), &reqs, std::slice::from_ref(&doc));
        let bundle = t.path("lot.avis");
        assert_success(&rectorat.pack(&t, &dir, 1, &bundle));
        let f = Flow { t, rectorat };
        assert_success(&f.avis(&["import", p(&bundle)]));
        f
    }

    fn avis(&self, args: &[&str]) -> std::process::Output {
        self.t
            .command()
            .env("AVIS_DATE", DATE)
            .args(args)
            .output()
            .unwrap()
    }

    fn apply(&self, opinion: serde_json::Value) {
        let file = self.t.path("avis.json");
        std::fs::write(&file, opinion.to_string()).unwrap();
        assert_success(&self.avis(&["opinion", "apply", p(&file)]));
    }

    fn rules(&self) -> Vec<String> {
        let out = self.avis(&["show", ID, "--json"]);
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["rule"].as_str().unwrap().to_string())
            .collect()
    }

    /// Exports, opens as the rectorat, returns the opinion JSON and the CSV.
    fn export_and_open(&self) -> (serde_json::Value, String, Vec<u8>) {
        let export = self.t.path("reponse.avis");
        assert_success(&self.avis(&["export", "-o", p(&export)]));
        let out = self.avis(&["keys", "show", "--json"]);
        let keys: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let doctor_pub = self.t.path("medecin.pub");
        std::fs::write(&doctor_pub, keys["signing_key_file"].as_str().unwrap()).unwrap();
        let opened: PathBuf = self.t.path("ouvert");
        assert_success(&self.avis(&[
            "rectorat",
            "open",
            p(&export),
            "--identity",
            p(&self.rectorat.identity),
            "--trust",
            p(&doctor_pub),
            "--out",
            p(&opened),
        ]));
        let raw = std::fs::read(opened.join(format!("opinions/{ID}.json"))).unwrap();
        let csv = std::fs::read_to_string(opened.join("avis.csv")).unwrap_or_default();
        (serde_json::from_slice(&raw).unwrap(), csv, raw)
    }
}

fn opinion(motivation: &str, ordinateur: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "request_id": ID,
        "request_version": 1,
        "outcome": if ordinateur["decision"] == "accorde" { "favorable" } else { "partiel" },
        "measures": [
            {"code": "temps_majore_tiers", "decision": "accorde", "epreuves": "ecrites",
             "motivation": "Lenteur d'exécution à l'écrit."},
            ordinateur
        ],
        "missing_documents": [],
        "motivation": motivation,
        "validity": {"kind": "cycle", "until_session": "2027"}
    })
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_motivation_naming_a_diagnosis_cannot_be_validated() {
    let f = Flow::new(true);
    f.apply(opinion(
        "Dyslexie sévère, suivi en CMP.",
        serde_json::json!({"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}),
    ));
    let out = f.avis(&["opinion", "validate", ID]);
    assert!(!out.status.success());
    let msg = stderr(&out);
    // Names the word found and what to write instead, in French, no rule id.
    assert!(msg.contains("« dyslexie »"), "{msg}");
    assert!(msg.contains("« CMP »"), "{msg}");
    assert!(msg.contains("Écrivez plutôt le besoin"), "{msg}");
    assert!(msg.contains("lenteur de lecture"), "{msg}");
    assert!(!msg.contains("motivation_medicale"), "{msg}");
    // The detail is guarded too.
    f.apply(opinion(
        "Aménagements cohérents avec la scolarité.",
        serde_json::json!({"code": "ordinateur", "decision": "accorde",
                           "detail": "Traitement de texte, vu la dysgraphie"}),
    ));
    let out = f.avis(&["opinion", "validate", ID]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("« dysgraphie »"), "{}", stderr(&out));
    // It cannot be lifted: the text itself would leave.
    let out = f.avis(&[
        "opinion",
        "override",
        ID,
        "--regle",
        "motivation_medicale",
        "--mesure",
        "ordinateur",
        "--motif",
        "Je maintiens.",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("ne se lève pas"), "{}", stderr(&out));
    // Functional wording validates.
    f.apply(opinion(
        "Aménagements cohérents avec la scolarité.",
        serde_json::json!({"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}),
    ));
    assert_success(&f.avis(&["opinion", "validate", ID]));
}

#[test]
fn a_refusal_without_reason_cannot_be_validated() {
    let f = Flow::new(true);
    f.apply(opinion(
        "",
        serde_json::json!({"code": "ordinateur", "decision": "refuse"}),
    ));
    let out = f.avis(&["opinion", "validate", ID]);
    assert!(!out.status.success());
    let msg = stderr(&out);
    assert!(msg.contains("refusée sans motivation"), "{msg}");
    assert!(msg.contains("Ordinateur personnel"), "{msg}");
    assert!(!msg.contains("refus_motive"), "{msg}");
    f.apply(opinion(
        "",
        serde_json::json!({"code": "ordinateur", "decision": "refuse",
                           "motivation": "Écriture manuscrite suffisante en classe."}),
    ));
    assert_success(&f.avis(&["opinion", "validate", ID]));
}

#[test]
fn lifted_checks_travel_with_the_exported_avis() {
    // No bilan joined: bilan_orthophonique blocks; the doctor lifts it.
    let f = Flow::new(false);
    f.apply(opinion(
        "Aménagements cohérents avec la scolarité.",
        serde_json::json!({"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}),
    ));
    assert!(!f.avis(&["opinion", "validate", ID]).status.success());
    // A reason that names a diagnosis is exported, so it blocks too.
    assert_success(&f.avis(&[
        "opinion",
        "override",
        ID,
        "--regle",
        "bilan_orthophonique",
        "--motif",
        "Dyslexie connue de longue date.",
    ]));
    let out = f.avis(&["opinion", "validate", ID]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("motif de levée"), "{}", stderr(&out));
    assert_success(&f.avis(&[
        "opinion",
        "override",
        ID,
        "--regle",
        "bilan_orthophonique",
        "--motif",
        "Pièce vue lors de la session précédente.",
    ]));
    assert_success(&f.avis(&["opinion", "validate", ID]));
    let (opinion, _csv, _) = f.export_and_open();
    assert_eq!(
        opinion["overrides"],
        serde_json::json!([{"rule": "bilan_orthophonique",
                            "reason": "Pièce vue lors de la session précédente."}])
    );
}

#[test]
fn a_paper_piece_counts_is_journaled_and_never_leaves() {
    let f = Flow::new(false);
    assert!(f.rules().contains(&"bilan_orthophonique".to_string()));
    // Bad input changes nothing, with a French message.
    let out = f.avis(&[
        "piece",
        "papier",
        ID,
        "--categorie",
        "radio",
        "--date-piece",
        "2026-09-01",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("catégorie de pièce inconnue"),
        "{}",
        stderr(&out)
    );
    let out = f.avis(&[
        "piece",
        "papier",
        ID,
        "--categorie",
        "bilan_orthophonique",
        "--date-piece",
        "9999-12-31",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("après aujourd'hui"),
        "{}",
        stderr(&out)
    );
    let out = f.avis(&[
        "piece",
        "papier",
        ID,
        "--categorie",
        "bilan_orthophonique",
        "--date-piece",
        "01/09/2026",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("AAAA-MM-JJ"), "{}", stderr(&out));
    assert!(f.rules().contains(&"bilan_orthophonique".to_string()));

    let out = f.avis(&[
        "piece",
        "papier",
        ID,
        "--categorie",
        "bilan_orthophonique",
        "--date-piece",
        "2026-09-01",
        "--note",
        "Reçu sous pli cacheté, note privée XYZZY",
    ]);
    assert_success(&out);
    assert!(stdout(&out).contains("Pièce papier enregistrée"));
    // It counts for the checks…
    assert!(!f.rules().contains(&"bilan_orthophonique".to_string()));
    // …is journaled (without its category or note)…
    let out = f.avis(&["journal", "list", "--id", ID, "--json"]);
    assert_success(&out);
    let journal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(event_kinds(&journal).contains(&"piece_papier".to_string()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("XYZZY") && !text.contains("orthophonique"),
        "{text}"
    );
    assert_success(&f.avis(&["journal", "verify"]));
    // …and never leaves the store.
    f.apply(opinion(
        "Aménagements cohérents avec la scolarité.",
        serde_json::json!({"code": "ordinateur", "decision": "accorde", "detail": "Traitement de texte"}),
    ));
    assert_success(&f.avis(&["opinion", "validate", ID]));
    let (opinion, _csv, raw) = f.export_and_open();
    assert!(opinion.get("paper_documents").is_none());
    let raw = String::from_utf8_lossy(&raw);
    assert!(!raw.contains("XYZZY") && !raw.contains("papier"), "{raw}");
    // Applying a new avis keeps the recorded pièce.
    assert!(!f.rules().contains(&"bilan_orthophonique".to_string()));
}
