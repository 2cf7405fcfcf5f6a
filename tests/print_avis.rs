//! The printed papers, read back with poppler (pdftotext, pdfinfo,
//! pdffonts): A4, tagged, fonts embedded, the avis's text as text, never a
//! private note, a trouble or a comment of the request; a snapshot of the
//! text layer; `avis imprimer` never replacing a file.

#[path = "common/papers_support.rs"]
mod papers_support;

use avis::domain::{Opinion, Request};
use avis::print::{self, AvisInput};
use papers_support::*;

const NOTE: &str = "NOTE PRIVÉE : suspicion de comorbidité à revoir";

/// A fixed avis on fixture 000008 (agricultural), for stable snapshots.
fn fixed() -> (Request, Opinion, Vec<u8>) {
    let request: Request =
        serde_json::from_str(&read("fixtures/requests/AMX-2027-000008.json")).unwrap();
    let opinion: Opinion = serde_json::from_value(serde_json::json!({
        "request_id": "AMX-2027-000008",
        "request_version": 1,
        "request_sha256": "00".repeat(32),
        "outcome": "partiel",
        "measures": [
            {"code": "ordinateur", "decision": "modifie", "granted": "ordinateur_centre",
             "detail": "traitement de texte sans correcteur", "epreuves": "ecrites",
             "motivation": "Écriture manuscrite lente et peu lisible."},
            {"code": "temps_majore_tiers", "decision": "refuse",
             "motivation": "L'ordinateur compense la lenteur d'écriture."},
            {"code": "pauses", "decision": "ajoute", "epreuves": "toutes",
             "motivation": "Fatigabilité en fin d'épreuve."}
        ],
        "motivation": "Besoins fonctionnels établis ; aménagements proportionnés.",
        "validity": {"kind": "cycle", "until_session": "2027"},
        "doctor": {"name": "Dr Claire Martin", "rpps": "10001234567"},
        "decided_at": "2026-11-20T10:00:00Z"
    }))
    .unwrap();
    let json = serde_json::to_vec_pretty(&opinion).unwrap();
    (request, opinion, json)
}

fn write_pdf(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn assert_a4_tagged_embedded(path: &std::path::Path) {
    let info = pdfinfo(path);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    let fonts = pdffonts(path);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(row.contains("DejaVuSans"), "{row}");
        // Columns: name type encoding emb sub uni object ID.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "police non intégrée : {row}");
    }
}

#[test]
fn avis_pdf_reads_back_as_the_avis_and_nothing_else() {
    if !(tool_or_skip("pdftotext") && tool_or_skip("pdfinfo") && tool_or_skip("pdffonts")) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (request, opinion, json) = fixed();
    let input = AvisInput {
        opinion: &opinion,
        opinion_json: &json,
        request: Some(&request),
        signer_fingerprint: Some("RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"),
    };
    let path = write_pdf(tmp.path(), "avis.pdf", &print::avis_pdf(&input).unwrap());
    assert_a4_tagged_embedded(&path);
    let text = pdftotext(&path);
    let flat = folded(&text);
    for expected in [
        "Avis médical",
        "MOREAU Chloé",
        "25/03/2009",
        "Baccalauréat professionnel agricole",
        "Session : 2027",
        "AMX-2027-000008",
        "Modifié : Ordinateur fourni par le centre d'examen",
        "Refusé",
        "Ajouté",
        "Épreuves écrites",
        "Avis global : Partiel",
        "Besoins fonctionnels établis ; aménagements proportionnés.",
        "Tout le cycle, jusqu'à la session 2027",
        "Dr Claire Martin",
        "RPPS : 10001234567",
        "20/11/2026",
    ] {
        assert!(
            flat.contains(expected),
            "« {expected} » absent de :\n{text}"
        );
    }
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&json))
    };
    assert!(flat.replace(' ', "").contains(&sha), "empreinte absente");
    // Never the troubles, the comments, the pièces or a private note.
    for absent in [
        "Dyspraxie",
        "dyspraxie",
        "très lentement",
        "bilan-ergotherapie",
        "Bilan d'ergothérapie",
        "PAP",
        NOTE,
    ] {
        assert!(
            !flat.contains(absent),
            "« {absent} » présent dans :\n{text}"
        );
    }
    insta::assert_snapshot!("avis_text_layer", text);
}

#[test]
fn dger_form_has_the_three_columns_and_the_back_cover() {
    if !(tool_or_skip("pdftotext") && tool_or_skip("pdfinfo") && tool_or_skip("pdffonts")) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (request, opinion, json) = fixed();
    let input = AvisInput {
        opinion: &opinion,
        opinion_json: &json,
        request: Some(&request),
        signer_fingerprint: None,
    };
    let path = write_pdf(tmp.path(), "dger.pdf", &print::dger_pdf(&input).unwrap());
    assert_a4_tagged_embedded(&path);
    let info = pdfinfo(&path);
    assert!(info.contains("Pages:           3"), "{info}");
    let text = pdftotext(&path);
    let flat = folded(&text);
    for expected in [
        "DGER/SDPFE/2018-327",
        "MOREAU Chloé",
        "Lycée agricole des Oliviers (LEGTPA)",
        "0137788G",
        "Colonne 1",
        "Colonne 2",
        "Colonne 3",
        "4ème de couverture",
        "Avis : Partiel",
        "Signature et cachet du médecin",
        "Non demandée : Temps compensatoire",
    ] {
        assert!(
            flat.contains(expected),
            "« {expected} » absent de :\n{text}"
        );
    }
    for absent in ["Dyspraxie", "très lentement", "bilan-ergotherapie"] {
        assert!(!flat.contains(absent), "« {absent} » présent");
    }
    insta::assert_snapshot!("dger_text_layer", text);

    // Only for the agricultural catalogue.
    let other: Request =
        serde_json::from_str(&read("fixtures/requests/AMX-2027-000001.json")).unwrap();
    let refused = print::dger_pdf(&AvisInput {
        request: Some(&other),
        ..input
    });
    assert!(matches!(
        refused,
        Err(print::PrintError::NotAgricultural(_))
    ));
    assert!(matches!(
        print::dger_pdf(&AvisInput {
            request: None,
            ..input
        }),
        Err(print::PrintError::NoRequest(_))
    ));
}

#[test]
fn hostile_text_is_printed_clean_and_long_text_flows_onto_pages() {
    let (mut request, mut opinion, _) = fixed();
    request.candidate.last_name = "Dur\u{202e}and\u{1b}[31m".into();
    opinion.motivation = "Lenteur. ".repeat(900);
    let json = serde_json::to_vec(&opinion).unwrap();
    let input = AvisInput {
        opinion: &opinion,
        opinion_json: &json,
        request: Some(&request),
        signer_fingerprint: None,
    };
    let blocks = print::avis_blocks(&input);
    let all = format!("{blocks:?}");
    assert!(!all.contains('\u{202e}') && !all.contains('\u{1b}'));
    let pdf = print::avis_pdf(&input).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if tool_or_skip("pdfinfo") {
        let tmp = tempfile::tempdir().unwrap();
        let path = write_pdf(tmp.path(), "long.pdf", &pdf);
        let info = pdfinfo(&path);
        let pages: u32 = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(pages >= 2, "{info}");
    }
}

#[test]
fn imprimer_writes_the_papers_of_exported_avis_and_never_replaces_a_file() {
    if !tool_or_skip("pdftotext") {
        return;
    }
    let demo = demo_store();
    for id in ["AMX-2027-000001", "AMX-2027-000008"] {
        let opinion = granting_opinion(&demo.store, id);
        validate_with_note(&demo.store, &opinion, NOTE);
    }
    export_all(&demo.store, demo.tmp.path(), 1);
    let draft_only = granting_opinion(&demo.store, "AMX-2027-000002");
    demo.store.apply_opinion(&draft_only).unwrap();
    let Demo { tmp, dir, store } = demo;
    store.lock().unwrap();
    let phrase = tmp.path().join("phrase");
    std::fs::write(&phrase, format!("{PASSPHRASE}\n")).unwrap();
    let avis = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_avis"))
            .env("AVIS_STORE", &dir)
            .env("AVIS_PASSPHRASE_FILE", &phrase)
            .args(args)
            .output()
            .unwrap()
    };
    let out_dir = tmp.path().join("papiers");
    let out = avis(&["imprimer", "--tous", "-o", out_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "avis-AMX-2027-000001.pdf",
            "avis-AMX-2027-000008.pdf",
            "formulaire-dger-AMX-2027-000008.pdf"
        ]
    );
    for name in &names {
        let path = out_dir.join(name);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let text = pdftotext(&path);
        assert!(!text.contains("NOTE PRIVÉE"), "note privée dans {name}");
    }
    let text = folded(&pdftotext(&out_dir.join("avis-AMX-2027-000001.pdf")));
    assert!(text.contains("Dr Claire Martin (démo)"), "{text}");
    assert!(text.contains("Empreinte de la clé de signature du médecin"));

    // Again: refused, nothing replaced.
    let before = std::fs::read(out_dir.join("avis-AMX-2027-000001.pdf")).unwrap();
    let again = avis(&[
        "imprimer",
        "AMX-2027-000001",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe déjà"));
    assert_eq!(
        std::fs::read(out_dir.join("avis-AMX-2027-000001.pdf")).unwrap(),
        before
    );
    // A draft is not printed.
    let draft = avis(&[
        "imprimer",
        "AMX-2027-000002",
        "-o",
        tmp.path().join("autre").to_str().unwrap(),
    ]);
    assert_eq!(draft.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&draft.stderr).contains("n'est pas exporté"));
    assert!(!tmp.path().join("autre").exists());
}
