//! The whole doctor's flow through the real binary: init → trust add →
//! import (a bundle from `avis rectorat pack`) → list/show → opinion apply →
//! validate → export → `avis rectorat open`, the export checked with the
//! reference age, tar and minisign; then updates, replays, refusals and the
//! status life cycle.

#[path = "common/store_support.rs"]
mod store_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use store_support::*;

const DATE: &str = "2026-11-26";

struct Flow {
    t: TestStore,
    rectorat: Rectorat,
    doc: Vec<u8>,
}

impl Flow {
    fn new() -> Flow {
        let t = TestStore::init();
        let rectorat = Rectorat::trusted_by(&t, "Rectorat d'Aix-Marseille - DIEC");
        let doc = b"%PDF-1.4 bilan orthophonique de synthese (fictif)\n".repeat(50);
        Flow { t, rectorat, doc }
    }

    /// Packs requests `(id, version, last name)` with sequence `seq`.
    fn pack(&self, name: &str, requests: &[(&str, u32, &str)], seq: u64) -> PathBuf {
        let sha = sha256_hex(&self.doc);
        let reqs: Vec<(String, String)> = requests
            .iter()
            .map(|(id, v, n)| {
                (
                    id.to_string(),
                    request_json(id, *v, n, std::slice::from_ref(&sha)),
                )
            })
            .collect();
        let dir = pack_dir(
            &self.t.path(&format!("in-{name}")),
            &reqs,
            std::slice::from_ref(&self.doc),
        );
        let out_file = self.t.path(&format!("{name}.avis"));
        let out = self.rectorat.pack(&self.t, &dir, seq, &out_file);
        assert_success(&out);
        out_file
    }

    fn avis(&self, args: &[&str]) -> std::process::Output {
        self.t
            .command()
            .env("AVIS_DATE", DATE)
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.avis(args);
        assert_success(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn apply(&self, name: &str, json: &str) -> std::process::Output {
        let file = self.t.path(name);
        std::fs::write(&file, json).unwrap();
        self.avis(&["opinion", "apply", file.to_str().unwrap()])
    }

    fn status(&self, id: &str) -> String {
        self.json(&["show", id, "--json"])["status"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn full_flow_with_reference_tools() {
    let f = Flow::new();
    let bundle = f.pack(
        "lot1",
        &[
            ("AMX-2027-000001", 1, "Durand"),
            ("AMX-2027-000002", 1, "Martin"),
        ],
        1,
    );
    let out = f.avis(&["import", p(&bundle)]);
    assert_success(&out);
    assert!(stdout(&out).contains("2 demande(s)"), "{}", stdout(&out));
    // Progress goes to stderr only on a terminal: nothing here.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Import :"));

    let list = f.json(&["list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let first = list.iter().find(|l| l["id"] == "AMX-2027-000001").unwrap();
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "alerts",
            "candidate",
            "diploma",
            "id",
            "late",
            "procedure",
            "received_at",
            "review",
            "session",
            "status"
        ]
    );
    // Nothing to review right after a first import.
    assert!(first["review"].is_null());
    assert_eq!(first["candidate"], "DURAND Léa");
    assert_eq!(first["diploma"], "bac_general");
    assert_eq!(first["session"], "2027");
    assert_eq!(first["procedure"], "complete");
    assert_eq!(first["late"], false);
    assert_eq!(first["received_at"], "2026-10-03");
    assert_eq!(first["status"], "a_traiter");
    assert!(first["alerts"].is_u64());

    // show --json embeds the request exactly as received.
    let sent = std::fs::read_to_string(f.t.path("in-lot1/requests/AMX-2027-000001.json")).unwrap();
    let out = f.avis(&["show", "AMX-2027-000001", "--json"]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains(sent.trim()),
        "request bytes not embedded verbatim"
    );
    let shown: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        shown["request"],
        serde_json::from_str::<serde_json::Value>(&sent).unwrap()
    );
    assert_eq!(shown["opinion"], serde_json::Value::Null);
    assert_eq!(shown["status"], "a_traiter");
    for c in shown["checks"].as_array().unwrap() {
        assert!(c["rule"].is_string() && c["severity"].is_string() && c["message"].is_string());
    }
    let human = stdout(&f.avis(&["show", "AMX-2027-000001"]));
    assert!(human.contains("DURAND Léa") && human.contains("bilan.pdf"));

    // Draft with private notes never exported (notes set through the library below).
    let out = f.apply("o1.json", &opinion_json("AMX-2027-000001", 1));
    assert_success(&out);
    assert_eq!(f.status("AMX-2027-000001"), "brouillon");
    let shown = f.json(&["show", "AMX-2027-000001", "--json"]);
    assert_eq!(
        shown["opinion"]["request_sha256"],
        sha256_hex(sent.as_bytes())
    );
    assert_eq!(shown["opinion"]["doctor"]["name"], "Dr Claire Martin");
    assert_eq!(shown["opinion"]["doctor"]["rpps"], "10001234567");
    assert!(shown["opinion"]["decided_at"].is_string());

    assert_success(&f.avis(&["opinion", "validate", "AMX-2027-000001"]));
    assert_eq!(f.status("AMX-2027-000001"), "valide");

    let export = f.t.path("reponse.avis");
    let out = f.avis(&["export", "-o", p(&export)]);
    assert_success(&out);
    assert!(stdout(&out).contains("1 avis"));
    assert_eq!(f.status("AMX-2027-000001"), "exporte");
    assert_eq!(f.status("AMX-2027-000002"), "a_traiter");

    // The rectorat opens it with avis.
    let keys = f.json(&["keys", "show", "--json"]);
    let doctor_pub = f.t.path("medecin.pub");
    std::fs::write(&doctor_pub, keys["signing_key_file"].as_str().unwrap()).unwrap();
    let opened = f.t.path("ouvert");
    let out = f.avis(&[
        "rectorat",
        "open",
        p(&export),
        "--identity",
        p(&f.rectorat.identity),
        "--trust",
        p(&doctor_pub),
        "--out",
        p(&opened),
    ]);
    assert_success(&out);
    let opinion: serde_json::Value = serde_json::from_slice(
        &std::fs::read(opened.join("opinions/AMX-2027-000001.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(opinion["request_sha256"], sha256_hex(sent.as_bytes()));
    assert_eq!(opinion["outcome"], "favorable");
    assert!(opinion.get("private_notes").is_none());
    assert!(opened.join("avis.csv").exists());

    // The reference tools read it too.
    if have_tool("age") && have_tool("tar") && have_tool("minisign") {
        let x = f.t.path("ref");
        std::fs::create_dir_all(&x).unwrap();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "age -d -i '{}' '{}' | tar -x -C '{}'",
                p(&f.rectorat.identity),
                p(&export),
                p(&x)
            ))
            .status()
            .unwrap();
        assert!(status.success());
        let status = Command::new("minisign")
            .args([
                "-V",
                "-q",
                "-p",
                p(&doctor_pub),
                "-m",
                p(&x.join("manifest.json")),
            ])
            .status()
            .unwrap();
        assert!(status.success(), "minisign rejected the manifest");
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(x.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["kind"], "opinions");
        assert_eq!(manifest["recipient"]["age_recipient"], f.rectorat.recipient);
        assert_eq!(manifest["issuer"]["age_recipient"], keys["age_recipient"]);
        let in_reply_to = manifest["in_reply_to"].as_array().unwrap();
        assert_eq!(in_reply_to.len(), 1);
        for e in manifest["entries"].as_array().unwrap() {
            let bytes = std::fs::read(x.join(e["path"].as_str().unwrap())).unwrap();
            assert_eq!(e["sha256"], sha256_hex(&bytes));
        }
        // The doctor can read back what was sent (encrypted to the doctor too).
        let identity = doctor_identity(&f.t);
        let id_file = f.t.path("medecin-age.key");
        std::fs::write(&id_file, identity).unwrap();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "age -d -i '{}' '{}' >/dev/null",
                p(&id_file),
                p(&export)
            ))
            .status()
            .unwrap();
        assert!(status.success(), "the doctor cannot read the export back");
    }

    // Nothing left: clear message; --encore exports again on purpose.
    assert_refused(
        &f.avis(&["export", "-o", p(&f.t.path("x.avis"))]),
        "aucun avis validé",
    );
    let out = f.avis(&[
        "export",
        "-o",
        p(&f.t.path("again.avis")),
        "--encore",
        "AMX-2027-000001",
    ]);
    assert_success(&out);
    assert_refused(
        &f.avis(&[
            "export",
            "-o",
            p(&f.t.path("y.avis")),
            "--encore",
            "AMX-2027-000002",
        ]),
        "ni validé ni exporté",
    );

    // Editing an exported avis returns it to brouillon.
    assert_success(&f.apply("o1b.json", &opinion_json("AMX-2027-000001", 1)));
    assert_eq!(f.status("AMX-2027-000001"), "brouillon");

    let kinds = event_kinds(&f.json(&["journal", "list", "--json"]));
    assert_eq!(
        kinds,
        ["trust", "import", "edit", "validate", "export", "export", "edit"]
    );
    let out = f.avis(&["journal", "verify"]);
    assert_success(&out);
    assert!(stdout(&out).contains("7 événement"));
}

/// The doctor's identity, opened with the passphrase through the age crate.
fn doctor_identity(t: &TestStore) -> String {
    use std::io::Read;
    let bytes = std::fs::read(t.store.join("identity.age")).unwrap();
    let d = age::Decryptor::new(&bytes[..]).unwrap();
    let id = age::scrypt::Identity::new(PASSPHRASE.to_string().into());
    let mut text = String::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn reimport_replay_and_newer_version() {
    let f = Flow::new();
    let b1 = f.pack("lot1", &[("AMX-1", 1, "Durand")], 5);
    assert_success(&f.avis(&["import", p(&b1)]));
    let out = f.avis(&["import", p(&b1)]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("déjà été importé"),
        "{}",
        stdout(&out)
    );

    // An older or equal sequence is a replay.
    let old = f.pack("old", &[("AMX-2", 1, "Petit")], 5);
    assert_refused(&f.avis(&["import", p(&old)]), "rejeu");
    assert_eq!(f.json(&["list", "--json"]).as_array().unwrap().len(), 1);
    assert_success(&f.avis(&["import", p(&old), "--accepter-ancien"]));
    assert_eq!(f.json(&["list", "--json"]).as_array().unwrap().len(), 2);

    // A draft, validated, then a newer version arrives.
    assert_success(&f.apply("o.json", &opinion_json("AMX-1", 1)));
    assert_success(&f.avis(&["opinion", "validate", "AMX-1"]));
    let b2 = f.pack("lot2", &[("AMX-1", 2, "Durand")], 6);
    let out = f.avis(&["import", p(&b2)]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("dont 1 nouvelle(s) version(s)"),
        "{}",
        stdout(&out)
    );
    let shown = f.json(&["show", "AMX-1", "--json"]);
    assert_eq!(shown["request"]["version"], 2);
    assert_eq!(shown["status"], "brouillon");
    assert_eq!(shown["written_against_older_version"], true);
    assert_eq!(shown["opinion"]["request_version"], 1, "the draft is kept");
    assert_refused(
        &f.avis(&["opinion", "validate", "AMX-1"]),
        "version antérieure",
    );
    // Rewritten on version 2: validates, and binds the new bytes.
    assert_success(&f.apply("o2.json", &opinion_json("AMX-1", 2)));
    assert_success(&f.avis(&["opinion", "validate", "AMX-1"]));
    let sent = std::fs::read(f.t.path("in-lot2/requests/AMX-1.json")).unwrap();
    let shown = f.json(&["show", "AMX-1", "--json"]);
    assert_eq!(shown["opinion"]["request_sha256"], sha256_hex(&sent));
    assert_eq!(shown["written_against_older_version"], false);

    // An untrusted signer is refused, nothing imported.
    let sneaky = Rectorat::new(&f.t.path("sneaky"), "Sneaky");
    let f2 = Flow {
        t: f.t,
        rectorat: sneaky,
        doc: f.doc,
    };
    let b3 = f2.pack("lot3", &[("AMX-3", 1, "Roux")], 9);
    let out = f2.avis(&["import", p(&b3)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rien n'a été importé"));
    assert_eq!(f2.json(&["list", "--json"]).as_array().unwrap().len(), 2);
    assert_success(&f2.avis(&["journal", "verify"]));
}

#[test]
fn validate_refuses_incomplete_and_blocked_opinions() {
    let f = Flow::new();
    let b = f.pack("lot", &[("AMX-1", 1, "Durand")], 1);
    assert_success(&f.avis(&["import", p(&b)]));
    assert_refused(
        &f.avis(&["opinion", "validate", "AMX-1"]),
        "pas encore d'avis",
    );

    let mut o: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 1)).unwrap();
    // A requested measure without a decision.
    o["measures"].as_array_mut().unwrap().pop();
    assert_success(&f.apply("a.json", &o.to_string()));
    assert_refused(&f.avis(&["opinion", "validate", "AMX-1"]), "incomplet");
    assert_eq!(f.status("AMX-1"), "brouillon");

    // modifie without what is advised.
    let mut o: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 1)).unwrap();
    o["outcome"] = "partiel".into();
    o["measures"][0]["decision"] = "modifie".into();
    assert_success(&f.apply("b.json", &o.to_string()));
    assert_refused(&f.avis(&["opinion", "validate", "AMX-1"]), "incomplet");

    // incomplet without the missing pièces.
    let mut o: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 1)).unwrap();
    o["outcome"] = "incomplet".into();
    o["measures"] = serde_json::json!([]);
    assert_success(&f.apply("c.json", &o.to_string()));
    assert_refused(
        &f.avis(&["opinion", "validate", "AMX-1"]),
        "pièces manquantes",
    );

    // A blocking check (medical words in the motivation), then overridden.
    let mut o: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 1)).unwrap();
    o["motivation"] = "Dyslexie sévère.".into();
    assert_success(&f.apply("d.json", &o.to_string()));
    let out = f.avis(&["opinion", "validate", "AMX-1"]);
    // The French message names the word, not the rule id (issue 11).
    assert_refused(&out, "« dyslexie »");
    let checks = f.json(&["show", "AMX-1", "--json"])["checks"].clone();
    assert!(checks
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["rule"] == "motivation_medicale" && c["severity"] == "bloquant"));
    assert_refused(
        &f.avis(&[
            "opinion",
            "override",
            "AMX-1",
            "--regle",
            "motivation_medicale",
            "--motif",
            " ",
        ]),
        "motif",
    );
    // The secrecy check is never lifted (issue 11): the text would leave.
    assert_refused(
        &f.avis(&[
            "opinion",
            "override",
            "AMX-1",
            "--regle",
            "motivation_medicale",
            "--motif",
            "Terme demandé par la commission",
        ]),
        "ne se lève pas",
    );
    // An overridable check can be lifted (journaled below).
    assert_success(&f.avis(&[
        "opinion",
        "override",
        "AMX-1",
        "--regle",
        "precisez",
        "--mesure",
        "ordinateur",
        "--motif",
        "Logiciels vus avec l'établissement",
    ]));
    o["motivation"] = "Lenteur de lecture.".into();
    assert_success(&f.apply("d2.json", &o.to_string()));
    assert_success(&f.avis(&["opinion", "validate", "AMX-1"]));
    assert_eq!(f.status("AMX-1"), "valide");

    // A wrong request_sha256 is refused; an unknown request too.
    let mut o: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 1)).unwrap();
    o["request_sha256"] = "00".repeat(32).into();
    assert_refused(&f.apply("e.json", &o.to_string()), "request_sha256");
    assert_eq!(f.status("AMX-1"), "valide");
    assert_refused(
        &f.apply("f.json", &opinion_json("AMX-404", 1)),
        "aucune demande AMX-404",
    );
    assert_refused(&f.apply("g.json", "{ pas du json"), "JSON invalide");
    // An array of opinions is accepted.
    let arr = format!("[{}]", opinion_json("AMX-1", 1));
    assert_success(&f.apply("h.json", &arr));
    assert_eq!(
        f.status("AMX-1"),
        "brouillon",
        "editing a validated avis returns it to brouillon"
    );
    let journal = f.json(&["journal", "list", "--json", "--id", "AMX-1"]);
    assert!(journal
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "override"));
    for e in journal.as_array().unwrap() {
        let d = e["detail"].as_str().unwrap().to_lowercase();
        assert!(
            !d.contains("dyslexie") && !d.contains("durand"),
            "medical content in journal: {d}"
        );
    }
}

#[test]
fn export_writes_one_bundle_per_rectorat() {
    let f = Flow::new();
    let b1 = f.pack("lot-a", &[("AMX-A", 1, "Durand")], 1);
    assert_success(&f.avis(&["import", p(&b1)]));
    let other = Rectorat::new(&f.t.path("lyon"), "Rectorat de Lyon");
    assert_success(&f.avis(&["trust", "add", p(&other.public_key), "--name", &other.name]));
    let f2 = Flow {
        t: f.t,
        rectorat: other,
        doc: f.doc.clone(),
    };
    // Sequences are per issuer: 1 is fine for the second rectorat.
    let b2 = f2.pack("lot-b", &[("AMX-B", 1, "Petit")], 1);
    assert_success(&f2.avis(&["import", p(&b2)]));
    for id in ["AMX-A", "AMX-B"] {
        assert_success(&f2.apply(&format!("{id}.json"), &opinion_json(id, 1)));
        assert_success(&f2.avis(&["opinion", "validate", id]));
    }
    let out = f2.t.path("reponse.avis");
    let res = f2.avis(&["export", "-o", p(&out)]);
    assert_success(&res);
    let a = f2.t.path("reponse-rectorat-d-aix-marseille-diec.avis");
    let b = f2.t.path("reponse-rectorat-de-lyon.avis");
    assert!(a.exists() && b.exists(), "{}", stdout(&res));
    assert!(!out.exists());

    let keys = f2.json(&["keys", "show", "--json"]);
    let doctor_pub = f2.t.path("medecin.pub");
    std::fs::write(&doctor_pub, keys["signing_key_file"].as_str().unwrap()).unwrap();
    let open = |bundle: &Path, identity: &Path, dir: &str| {
        f2.avis(&[
            "rectorat",
            "open",
            p(bundle),
            "--identity",
            p(identity),
            "--trust",
            p(&doctor_pub),
            "--out",
            p(&f2.t.path(dir)),
        ])
    };
    let lyon = &f2.rectorat.identity;
    let aix = f2.t.path("rectorat/rectorat-age.key");
    assert_success(&open(&b, lyon, "ouvert-lyon"));
    assert!(f2.t.path("ouvert-lyon/opinions/AMX-B.json").exists());
    assert!(!f2.t.path("ouvert-lyon/opinions/AMX-A.json").exists());
    assert_success(&open(&a, &aix, "ouvert-aix"));
    assert!(f2.t.path("ouvert-aix/opinions/AMX-A.json").exists());
    // Each file is encrypted to its own rectorat only (and the doctor).
    assert_eq!(open(&a, lyon, "wrong").status.code(), Some(1));
}

#[test]
fn damaged_or_foreign_bundles_import_nothing() {
    let f = Flow::new();
    let bundle = f.pack("lot", &[("AMX-1", 1, "Durand")], 1);
    let bytes = std::fs::read(&bundle).unwrap();

    // Truncated.
    let cut = f.t.path("coupe.avis");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let out = f.avis(&["import", p(&cut)]);
    assert_refused(&out, "rien n'a été importé");
    // One byte flipped in the payload.
    let mut flipped = bytes.clone();
    let at = flipped.len() - 50;
    flipped[at] ^= 0x40;
    let bad = f.t.path("altere.avis");
    std::fs::write(&bad, &flipped).unwrap();
    assert_refused(&f.avis(&["import", p(&bad)]), "rien n'a été importé");
    // Not a bundle at all.
    let junk = f.t.path("texte.avis");
    std::fs::write(&junk, "bonjour").unwrap();
    assert_refused(&f.avis(&["import", p(&junk)]), "rien n'a été importé");
    // A bundle for another doctor.
    let other = TestStore::init();
    let foreign = Flow {
        t: other,
        rectorat: Rectorat::new(&f.t.path("r2"), "R2"),
        doc: f.doc.clone(),
    };
    let theirs = foreign.pack("autre", &[("AMX-9", 1, "Roux")], 1);
    assert_refused(&f.avis(&["import", p(&theirs)]), "rien n'a été importé");

    assert_eq!(f.json(&["list", "--json"]), serde_json::json!([]));
    let leftovers: Vec<_> = std::fs::read_dir(f.t.store.join("bundles"))
        .map(|d| d.collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The intact bundle still imports.
    assert_success(&f.avis(&["import", p(&bundle)]));
    assert_eq!(f.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}
