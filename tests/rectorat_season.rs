//! A whole season on the rectorat's side, through the real binary: a
//! workspace, three doctors' stores, 300 assignments from a spreadsheet,
//! bundles sent and imported, part of them answered, one avis sent again,
//! everything gathered into the workbook (read back with calamine), and the
//! follow-up of what is still owed. A malformed spreadsheet is refused
//! with line numbers and writes no bundle.

#[path = "common/store_support.rs"]
mod store_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook, Data, Reader, Xlsx};
use store_support::*;

/// The rectorat's workspace in a temporary directory.
struct Diec {
    tmp: tempfile::TempDir,
    space: PathBuf,
    passphrase_file: PathBuf,
}

impl Diec {
    fn init() -> Diec {
        let tmp = tempfile::tempdir().unwrap();
        let passphrase_file = tmp.path().join("phrase-diec");
        std::fs::write(&passphrase_file, "phrase du rectorat, assez longue\n").unwrap();
        let d = Diec {
            space: tmp.path().join("espace"),
            tmp,
            passphrase_file,
        };
        let out = d.avis(&[
            "rectorat",
            "init",
            "--nom",
            "Rectorat d'Aix-Marseille - DIEC",
        ]);
        assert_success(&out);
        assert!(stdout(&out).contains("Empreinte"), "{}", stdout(&out));
        d
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_avis"));
        c.env("AVIS_ESPACE", &self.space)
            .env("AVIS_PASSPHRASE_FILE", &self.passphrase_file)
            .env("AVIS_TEST_KDF_LOG_N", "10")
            .env_remove("AVIS_DATE")
            .env_remove("AVIS_STORE");
        c
    }

    fn avis(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.avis(args);
        assert_success(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// A doctor's store created with `avis init`.
fn doctor(name: &str, rpps: &str) -> TestStore {
    let t = TestStore::new();
    assert_success(&t.avis(&["init", "--name", name, "--rpps", rpps]));
    t
}

const DIPLOMAS: [(&str, &str); 3] = [
    ("bac_general", "Baccalauréat général"),
    ("bac_pro", "Baccalauréat professionnel"),
    ("dnb", "Diplôme national du brevet"),
];
const SCHOOLS: [(&str, &str, &str); 3] = [
    ("0130001A", "Lycée Victor Hugo", "Marseille"),
    ("0130002B", "Lycée Cézanne", "Aix-en-Provence"),
    ("0840003C", "Collège Mistral", "Avignon"),
];

fn request_id(i: usize) -> String {
    format!("AMX-2027-{i:06}")
}

/// The AMEX export: 300 requests citing five shared documents.
fn amex_export(dir: &Path, count: usize) -> Vec<String> {
    std::fs::create_dir_all(dir.join("requests")).unwrap();
    std::fs::create_dir_all(dir.join("documents")).unwrap();
    let docs: Vec<String> = (0..5)
        .map(|k| {
            let bytes = format!("%PDF-1.4 bilan {k}").into_bytes();
            let sha = sha256_hex(&bytes);
            std::fs::write(dir.join("documents").join(&sha), bytes).unwrap();
            sha
        })
        .collect();
    let mut ids = Vec::new();
    for i in 1..=count {
        let id = request_id(i);
        let (diploma, label) = DIPLOMAS[i % 3];
        let (uai, school, city) = SCHOOLS[i % 3];
        let json = serde_json::json!({
            "id": id, "version": 1, "received_at": "2026-10-03", "late": false,
            "procedure": "complete",
            "candidate": {"last_name": format!("Nom{i}"), "first_name": "Léa", "birth_date": "2009-04-17"},
            "exam": {"diploma": diploma, "label": label, "session": "2027"},
            "schooling": {"type": "public_ou_prive_sous_contrat", "academy": "Aix-Marseille",
                          "establishment": {"uai": uai, "name": school, "city": city}},
            "supports": ["PAP"],
            "troubles": ["dyslexie_dysorthographie"],
            "requested_measures": [{"code": "temps_majore_tiers"}, {"code": "ordinateur", "detail": "Traitement de texte"}],
            "documents": [{"sha256": docs[i % 5], "filename": "bilan.pdf", "media_type": "application/pdf",
                           "category": "bilan_orthophonique", "date": "2026-06-12", "pages": 1}],
            "previous_decisions": []
        });
        std::fs::write(
            dir.join("requests").join(format!("{id}.json")),
            serde_json::to_vec_pretty(&json).unwrap(),
        )
        .unwrap();
        ids.push(id);
    }
    ids
}

/// Answers `ids` (favourable, or the given opinion JSON), validates, exports.
fn answer(
    t: &TestStore,
    ids: &[String],
    special: &BTreeMap<String, serde_json::Value>,
    out: &Path,
) {
    let opinions: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            special
                .get(id)
                .cloned()
                .unwrap_or_else(|| serde_json::from_str(&opinion_json(id, 1)).unwrap())
        })
        .collect();
    let file = t.path("avis.json");
    std::fs::write(&file, serde_json::to_vec(&opinions).unwrap()).unwrap();
    assert_success(&t.avis(&["opinion", "apply", file.to_str().unwrap()]));
    let mut args = vec!["opinion", "validate"];
    args.extend(ids.iter().map(String::as_str));
    assert_success(&t.avis(&args));
    assert_success(&t.avis(&["export", "-o", out.to_str().unwrap()]));
}

fn cell(row: &[Data], headers: &[String], name: &str) -> Data {
    let i = headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    row[i].clone()
}

fn text(row: &[Data], headers: &[String], name: &str) -> String {
    match cell(row, headers, name) {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("{name}: not text: {other:?}"),
    }
}

#[test]
fn a_whole_season() {
    let diec = Diec::init();
    let rectorat_pub = diec.space.join("rectorat.pub");
    assert!(rectorat_pub.is_file());
    let keys = diec.json(&["rectorat", "cles", "--json"]);
    assert!(keys["age_recipient"].as_str().unwrap().starts_with("age1"));

    // Three doctors: two registered from `keys show --json`, one from its
    // .pub file and age recipient.
    let people = [
        ("Dr Claire Martin", "10001234567"),
        ("Dr Hélène Durand", "10007654321"),
        ("Dr Marc Petit", "10001112223"),
    ];
    let stores: Vec<TestStore> = people.iter().map(|(n, r)| doctor(n, r)).collect();
    for (k, (t, (name, rpps))) in stores.iter().zip(people).enumerate() {
        let keys = t.json(&["keys", "show", "--json"]);
        let out = if k < 2 {
            let file = diec.path(&format!("cles-{k}.json"));
            std::fs::write(&file, serde_json::to_vec(&keys).unwrap()).unwrap();
            diec.avis(&[
                "rectorat",
                "medecin",
                "ajouter",
                "--nom",
                name,
                "--rpps",
                rpps,
                "--cles",
                file.to_str().unwrap(),
            ])
        } else {
            let file = diec.path("medecin.pub");
            std::fs::write(&file, keys["signing_key_file"].as_str().unwrap()).unwrap();
            diec.avis(&[
                "rectorat",
                "medecin",
                "ajouter",
                "--nom",
                name,
                "--rpps",
                rpps,
                "--cles",
                file.to_str().unwrap(),
                "--age",
                keys["age_recipient"].as_str().unwrap(),
            ])
        };
        assert_success(&out);
        assert!(stdout(&out).contains("séquence 1"), "{}", stdout(&out));
        assert_success(&t.avis(&[
            "trust",
            "add",
            rectorat_pub.to_str().unwrap(),
            "--name",
            "Rectorat d'Aix-Marseille",
        ]));
    }
    // The same keys twice are refused.
    let again = diec.avis(&[
        "rectorat",
        "medecin",
        "ajouter",
        "--nom",
        "Dr Autre",
        "--cles",
        diec.path("cles-0.json").to_str().unwrap(),
    ]);
    assert_refused(&again, "déjà inscrites");
    assert_eq!(
        diec.json(&["rectorat", "medecin", "liste", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let amex = diec.path("amex");
    let ids = amex_export(&amex, 300);
    let envois = diec.path("envois");

    // A malformed spreadsheet: every problem with its line, no bundle.
    let bad = diec.path("mauvais.csv");
    std::fs::write(
        &bad,
        format!(
            "demande;médecin\n{};10001234567\n{};Dr Inconnu\n{};10001234567\nAMX-2027-999999;10007654321\n;10007654321\n",
            ids[0], ids[1], ids[0]
        ),
    )
    .unwrap();
    let out = diec.avis(&[
        "rectorat",
        "envoyer",
        "--affectations",
        bad.to_str().unwrap(),
        "--demandes",
        amex.to_str().unwrap(),
        "--sortie",
        envois.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("ligne 3 : médecin inconnu « Dr Inconnu »"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ligne 4 : la demande « AMX-2027-000001 » est déjà affectée ligne 2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ligne 5 : la demande « AMX-2027-999999 » est absente"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ligne 6 : l'identifiant de la demande est vide"),
        "{stderr}"
    );
    assert!(stderr.contains("aucun lot n'a été écrit"), "{stderr}");
    let written = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|r| r.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    assert!(written(&envois).is_empty(), "{:?}", written(&envois));
    let pending = diec.json(&["rectorat", "suivi", "--json"]);
    assert!(pending["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["sent"] == 0));

    // The season's spreadsheet, as LibreOffice writes it: BOM, `;`, CRLF,
    // an extra column; doctors named by RPPS or by name.
    let mut csv = String::from("\u{feff}Nom;Demande;Médecin\r\n");
    let mut assigned: Vec<Vec<String>> = vec![Vec::new(); 3];
    for (i, id) in ids.iter().enumerate() {
        let k = i % 3;
        let who = if k == 1 {
            "dr helene DURAND".to_string()
        } else {
            people[k].1.to_string()
        };
        csv.push_str(&format!("Nom{};{id};{who}\r\n", i + 1));
        assigned[k].push(id.clone());
    }
    let good = diec.path("affectations.csv");
    std::fs::write(&good, csv).unwrap();
    let out = diec.avis(&[
        "rectorat",
        "envoyer",
        "--affectations",
        good.to_str().unwrap(),
        "--demandes",
        amex.to_str().unwrap(),
        "--sortie",
        envois.to_str().unwrap(),
    ]);
    assert_success(&out);
    assert!(stdout(&out).contains("3 lot(s)"), "{}", stdout(&out));
    let bundles = written(&envois);
    assert_eq!(bundles.len(), 3);
    let bundle_for = |rpps: &str| -> PathBuf {
        bundles
            .iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().contains(rpps))
            .unwrap()
            .clone()
    };
    for (k, t) in stores.iter().enumerate() {
        let name = bundle_for(people[k].1)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.ends_with("-0001.avis"), "{name}");
        let out = t.avis(&["import", bundle_for(people[k].1).to_str().unwrap()]);
        assert_success(&out);
        assert_eq!(t.json(&["list", "--json"]).as_array().unwrap().len(), 100);
    }
    // Sending the same requests again is refused (same version), with lines.
    let out = diec.avis(&[
        "rectorat",
        "envoyer",
        "--affectations",
        good.to_str().unwrap(),
        "--demandes",
        amex.to_str().unwrap(),
        "--sortie",
        envois.to_str().unwrap(),
    ]);
    assert_refused(
        &out,
        "ligne 2 : la demande « AMX-2027-000001 » (version 1) a déjà été envoyée",
    );
    assert_eq!(written(&envois).len(), 3);

    // Each doctor answers part: 60, 100 and 40 of their 100.
    let answered = [60, 100, 40];
    let mut special = BTreeMap::new();
    let incomplete_id = assigned[1][0].clone();
    special.insert(
        incomplete_id.clone(),
        serde_json::json!({
            "request_id": incomplete_id, "request_version": 1, "outcome": "incomplet",
            "measures": [], "missing_documents": ["bilan_orthophonique", "copie d'examen"],
            "motivation": "Dossier à compléter.",
            "validity": {"kind": "session", "until_session": "2027"}
        }),
    );
    let partial_id = assigned[1][1].clone();
    special.insert(
        partial_id.clone(),
        serde_json::json!({
            "request_id": partial_id, "request_version": 1, "outcome": "partiel",
            "measures": [
                {"code": "temps_majore_tiers", "decision": "modifie", "granted": "temps_majore_sixieme",
                 "motivation": "Lenteur modérée."},
                {"code": "ordinateur", "decision": "refuse", "motivation": "Pas d'usage régulier."}
            ],
            "missing_documents": [], "motivation": "Avis partiel.",
            "validity": {"kind": "cycle", "until_session": "2027"}
        }),
    );
    let mut answers = Vec::new();
    for (k, t) in stores.iter().enumerate() {
        let out = t.path("reponse.avis");
        answer(t, &assigned[k][..answered[k]], &special, &out);
        answers.push(out);
    }
    // Doctor 3 changes an avis already sent and sends it again.
    let resent_id = assigned[2][0].clone();
    let changed = serde_json::json!({
        "request_id": resent_id, "request_version": 1, "outcome": "partiel",
        "measures": [
            {"code": "temps_majore_tiers", "decision": "accorde"},
            {"code": "ordinateur", "decision": "refuse", "motivation": "Non utilisé en classe."}
        ],
        "missing_documents": [], "motivation": "Avis revu.",
        "validity": {"kind": "cycle", "until_session": "2027"}
    });
    let mut changed_map = BTreeMap::new();
    changed_map.insert(resent_id.clone(), changed);
    let resent = stores[2].path("renvoi.avis");
    answer(
        &stores[2],
        std::slice::from_ref(&resent_id),
        &changed_map,
        &resent,
    );

    // The rectorat gathers everything.
    let mut args: Vec<String> = vec!["rectorat".into(), "recevoir".into()];
    args.extend(answers.iter().map(|p| p.to_string_lossy().into_owned()));
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = diec.avis(&args_ref);
    assert_success(&out);
    assert!(
        stdout(&out).contains("60 avis de Dr Claire Martin (RPPS 10001234567) ajoutés"),
        "{}",
        stdout(&out)
    );
    let out = diec.avis(&["rectorat", "recevoir", resent.to_str().unwrap()]);
    assert_success(&out);
    assert!(
        stdout(&out).contains(&format!(
            "l'avis de la demande {resent_id} remplace celui du "
        )),
        "{}",
        stdout(&out)
    );
    // Receiving a bundle twice changes nothing and says so.
    let out = diec.avis(&["rectorat", "recevoir", answers[0].to_str().unwrap()]);
    assert_success(&out);
    assert!(stdout(&out).contains("lot déjà reçu"), "{}", stdout(&out));

    // The workbook, read back with calamine.
    let mut book: Xlsx<_> = open_workbook(diec.space.join("avis.xlsx")).unwrap();
    let range = book.worksheet_range("Avis").unwrap();
    let mut rows = range.rows();
    let headers: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(headers[0], "Demande");
    let rows: Vec<Vec<Data>> = rows.map(<[Data]>::to_vec).collect();
    // 200 avis: one row per request + 2 measures, except the incomplete one
    // (no measure); 100 requests pending: one row each.
    assert_eq!(rows.len(), 199 * 3 + 1 + 100);
    let of = |id: &str| -> Vec<&Vec<Data>> {
        rows.iter()
            .filter(|r| text(r, &headers, "Demande") == id)
            .collect()
    };
    let state_count = |state: &str| {
        rows.iter()
            .filter(|r| {
                text(r, &headers, "Ligne") == "Demande" && text(r, &headers, "État") == state
            })
            .count()
    };
    assert_eq!(state_count("Avis reçu"), 200);
    assert_eq!(state_count("En attente d'avis"), 100);

    // Joins and labels on the partial avis of doctor 2.
    let partial = of(&partial_id);
    assert_eq!(partial.len(), 3);
    let head = partial[0];
    assert_eq!(text(head, &headers, "Ligne"), "Demande");
    let i: usize = partial_id[9..].parse().unwrap();
    assert_eq!(text(head, &headers, "Candidat"), format!("NOM{i} Léa"));
    assert_eq!(text(head, &headers, "Diplôme (code)"), DIPLOMAS[i % 3].0);
    assert_eq!(text(head, &headers, "Diplôme"), DIPLOMAS[i % 3].1);
    assert_eq!(text(head, &headers, "Session"), "2027");
    assert_eq!(text(head, &headers, "UAI"), SCHOOLS[i % 3].0);
    assert_eq!(text(head, &headers, "Établissement"), SCHOOLS[i % 3].1);
    assert_eq!(text(head, &headers, "Commune"), SCHOOLS[i % 3].2);
    assert_eq!(text(head, &headers, "Médecin"), "Dr Hélène Durand");
    assert_eq!(text(head, &headers, "Avis global (code)"), "partiel");
    assert_eq!(text(head, &headers, "Avis global"), "Partiel");
    assert_eq!(text(head, &headers, "Motivation"), "Avis partiel.");
    assert_eq!(text(head, &headers, "Mesure (code)"), "");
    let tiers = partial[1];
    assert_eq!(text(tiers, &headers, "Ligne"), "Mesure");
    assert_eq!(text(tiers, &headers, "Mesure (code)"), "temps_majore_tiers");
    assert_eq!(text(tiers, &headers, "Mesure"), "Temps majoré d'un tiers");
    assert_eq!(text(tiers, &headers, "Décision"), "Modifié");
    assert_eq!(
        text(tiers, &headers, "Mesure accordée"),
        "Temps majoré d'un sixième"
    );
    assert_eq!(text(tiers, &headers, "Motivation"), "Lenteur modérée.");
    assert_eq!(text(tiers, &headers, "Candidat"), format!("NOM{i} Léa"));
    assert_eq!(text(partial[2], &headers, "Décision"), "Refusé");
    // Dates are dates, decided_at in whole seconds.
    match cell(head, &headers, "Date de naissance") {
        Data::DateTime(d) => assert_eq!(d.as_datetime().unwrap().date().to_string(), "2009-04-17"),
        other => panic!("birth date not a date: {other:?}"),
    }
    match cell(head, &headers, "Décidé le (UTC)") {
        Data::DateTime(d) => {
            let at = d.as_datetime().unwrap();
            assert_eq!(at.and_utc().timestamp_subsec_nanos(), 0);
            assert!(at.date() >= chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        }
        other => panic!("decided_at not a date: {other:?}"),
    }
    assert!(matches!(
        cell(head, &headers, "Envoyée le"),
        Data::DateTime(_)
    ));

    // Missing pièces in their own column, labelled.
    let incomplete = of(&incomplete_id);
    assert_eq!(incomplete.len(), 1);
    assert_eq!(
        text(incomplete[0], &headers, "Pièces manquantes"),
        "Bilan orthophonique (étalonné); copie d'examen"
    );
    assert_eq!(
        text(incomplete[0], &headers, "Motivation"),
        "Dossier à compléter."
    );

    // The avis sent again replaced the first one, and says so.
    let resent_rows = of(&resent_id);
    assert_eq!(resent_rows.len(), 3);
    assert_eq!(text(resent_rows[0], &headers, "Motivation"), "Avis revu.");
    assert!(text(resent_rows[0], &headers, "Remplace").starts_with("remplace l'avis du 20"));
    assert_eq!(text(resent_rows[2], &headers, "Décision (code)"), "refuse");
    // A pending request still shows who has it.
    let pending_id = &assigned[0][99];
    let pending_rows = of(pending_id);
    assert_eq!(pending_rows.len(), 1);
    assert_eq!(text(pending_rows[0], &headers, "État"), "En attente d'avis");
    assert_eq!(
        text(pending_rows[0], &headers, "Médecin"),
        "Dr Claire Martin"
    );

    // The CSV holds the same rows, French headers, BOM.
    let csv = std::fs::read_to_string(diec.space.join("avis.csv")).unwrap();
    assert!(
        csv.starts_with("\u{feff}Demande;Version;Ligne;État;Candidat;"),
        "{}",
        &csv[..80]
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.records().count(), rows.len());

    // Follow-up: exactly the outstanding ones, per doctor.
    let report = diec.json(&["rectorat", "suivi", "--json"]);
    let mut seen = BTreeMap::new();
    for d in report["doctors"].as_array().unwrap() {
        let ids: BTreeSet<String> = d["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["request_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(d["outstanding"].as_u64().unwrap() as usize, ids.len());
        assert_eq!(d["sent"], 100);
        seen.insert(d["rpps"].as_str().unwrap().to_string(), ids);
    }
    for (k, (_, rpps)) in people.iter().enumerate() {
        let expected: BTreeSet<String> = assigned[k][answered[k]..].iter().cloned().collect();
        assert_eq!(seen[*rpps], expected, "doctor {k}");
    }
    // Nothing is overdue today; 40 days later everything outstanding is,
    // and the doctor owing most comes first.
    assert!(report["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["overdue"] == 0));
    let later = (chrono::Local::now().date_naive() + chrono::Days::new(40)).to_string();
    let report = diec.json(&["--date", &later, "rectorat", "suivi", "--json"]);
    let first = &report["doctors"][0];
    assert_eq!(first["rpps"], people[2].1);
    assert_eq!(first["overdue"], 60);
    assert_eq!(report["doctors"][2]["outstanding"], 0);
    let text_report = stdout(&diec.avis(&["--date", &later, "rectorat", "suivi"]));
    assert!(text_report.contains("EN RETARD 60"), "{text_report}");
    assert!(text_report.contains("épreuves le"), "{text_report}");
}
