//! Synthetic data at scale, for benchmarks and scale tests: requests of
//! invented candidates and documents of random bytes, written as a real
//! assignment bundle. Nothing here describes a real person.

use std::io::{self, Write};
use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};

use crate::bundle::{
    self, BundleContent, BundleError, BundleHeader, BundleKind, OutEntry, Party, SigningKey,
};

const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
];
const FIRST_NAMES: &[&str] = &[
    "Léa", "Hugo", "Chloé", "Lucas", "Emma", "Louis", "Inès", "Gabriel", "Jade", "Arthur", "Manon",
    "Jules", "Camille", "Nathan", "Sarah", "Tom",
];
const DIPLOMAS: &[&str] = &["dnb", "bac_general", "bac_techno", "bac_pro", "cap", "bts"];
const TROUBLES: &[&str] = &[
    "dyslexie_dysorthographie",
    "dyscalculie",
    "dyspraxie",
    "tdah",
    "tsa",
    "maladie_chronique",
    "trouble_moteur",
];
const MEASURES: &[&str] = &[
    "temps_majore_tiers",
    "temps_majore_sixieme",
    "salle_particuliere",
    "secretaire_scripteur",
    "pauses",
    "sujet_agrandi_a3",
    "consignes_ecrites",
];

/// The shape of a synthetic bundle.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    pub requests: usize,
    /// Documents per request.
    pub documents_per_request: usize,
    /// Size of each document in bytes.
    pub document_size: usize,
    pub seed: u64,
}

/// One synthetic request as JSON bytes, referencing the given documents.
pub fn request_json(index: usize, rng: &mut impl Rng, documents: &[(String, u64)]) -> Vec<u8> {
    let pick = |rng: &mut dyn RngCore, list: &[&'static str]| -> &'static str {
        list[(rng.next_u32() as usize) % list.len()]
    };
    let diploma = pick(rng, DIPLOMAS);
    let trouble = pick(rng, TROUBLES);
    let measure_a = pick(rng, MEASURES);
    let measure_b = pick(rng, MEASURES);
    let mut measures = vec![serde_json::json!({ "code": measure_a })];
    if measure_b != measure_a {
        measures.push(serde_json::json!({ "code": measure_b }));
    }
    let docs: Vec<_> = documents
        .iter()
        .map(|(sha, _)| {
            serde_json::json!({
                "sha256": sha,
                "filename": "piece.bin",
                "media_type": "application/octet-stream",
                "category": "certificat_medical",
                "date": "2026-09-01"
            })
        })
        .collect();
    let value = serde_json::json!({
        "id": format!("SYN-2027-{index:06}"),
        "version": 1,
        "received_at": format!("2026-10-{:02}", 1 + rng.gen_range(0..28)),
        "late": rng.gen_bool(0.05),
        "procedure": if rng.gen_bool(0.8) { "complete" } else { "simplifiee" },
        "candidate": {
            "last_name": pick(rng, LAST_NAMES),
            "first_name": pick(rng, FIRST_NAMES),
            "birth_date": "2009-05-12"
        },
        "exam": { "diploma": diploma, "label": diploma, "session": "2027" },
        "schooling": {
            "type": "public_ou_prive_sous_contrat",
            "academy": "Aix-Marseille",
            "establishment": { "uai": "0130000A", "name": "Lycée fictif", "city": "Marseille" }
        },
        "supports": ["PAP"],
        "troubles": [trouble],
        "requested_measures": measures,
        "comments": "Demande synthétique de test.",
        "documents": docs,
    });
    serde_json::to_vec_pretty(&value).unwrap_or_default()
}

/// Writes random document files into `dir` and returns the bundle entries
/// (requests then documents), streaming: no document is held in memory.
pub fn write_sources(spec: &SynthSpec, dir: &Path) -> io::Result<Vec<OutEntry>> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut requests = Vec::with_capacity(spec.requests);
    let mut documents = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 1..=spec.requests {
        let mut refs = Vec::new();
        for _ in 0..spec.documents_per_request {
            let path = dir.join(format!("doc-{}", documents.len()));
            let mut file = io::BufWriter::new(std::fs::File::create(&path)?);
            let mut hasher = Sha256::new();
            let mut left = spec.document_size;
            while left > 0 {
                let n = left.min(buffer.len());
                rng.fill_bytes(&mut buffer[..n]);
                hasher.update(&buffer[..n]);
                file.write_all(&buffer[..n])?;
                left -= n;
            }
            file.flush()?;
            let sha = hex::encode(hasher.finalize());
            refs.push((sha.clone(), spec.document_size as u64));
            documents.push(OutEntry {
                path: format!("documents/{sha}"),
                content: BundleContent::File(path),
            });
        }
        requests.push(OutEntry {
            path: format!("requests/SYN-2027-{index:06}.json"),
            content: BundleContent::Bytes(request_json(index, &mut rng, &refs)),
        });
    }
    requests.extend(documents);
    Ok(requests)
}

/// Writes a complete synthetic assignment bundle to `out`, signed by
/// `signer`, addressed to `to` and encrypted to it and to `also` (e.g. a
/// reference identity for `age -d`). Returns the bundle id.
pub fn write_synthetic_bundle(
    spec: &SynthSpec,
    work_dir: &Path,
    out: impl Write,
    signer: &SigningKey,
    to: &age::x25519::Recipient,
    also: &[age::x25519::Recipient],
    sequence: u64,
) -> Result<String, BundleError> {
    let entries = write_sources(spec, work_dir)?;
    let header = BundleHeader {
        kind: BundleKind::Assignment,
        sequence,
        issuer: Party {
            name: "Rectorat synthétique".into(),
            signing_key: None,
            age_recipient: to.to_string(),
        },
        recipient: Party {
            name: "Médecin synthétique".into(),
            signing_key: None,
            age_recipient: to.to_string(),
        },
        in_reply_to: Vec::new(),
    };
    let mut recipients = vec![to.clone()];
    recipients.extend_from_slice(also);
    bundle::write_bundle(out, header, entries, signer, &recipients)
}

/// Trusts a fresh synthetic rectorat in `store`, writes a bundle of `spec`
/// addressed to the store's doctor under `work_dir`, and imports it: a
/// store at scale in one call, for benchmarks and scale tests.
pub fn import_synthetic(
    store: &crate::store::Store,
    spec: &SynthSpec,
    work_dir: &Path,
) -> anyhow::Result<()> {
    let (signer, pub_file) = SigningKey::generate()?;
    store.trust_add(&pub_file, "Rectorat synthétique")?;
    let to = crate::bundle::keys::parse_recipient(&store.public_keys().age_recipient)?;
    let sources = work_dir.join("sources");
    std::fs::create_dir_all(&sources)?;
    let bundle = work_dir.join("bundle.avis");
    let file = io::BufWriter::new(std::fs::File::create(&bundle)?);
    write_synthetic_bundle(spec, &sources, file, &signer, &to, &[], 1)?;
    store.import(
        &bundle,
        &crate::store::ImportOptions::default(),
        &mut |_| {},
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_requests_parse_and_reference_their_documents() {
        let dir = tempfile::tempdir().unwrap();
        let spec = SynthSpec {
            requests: 5,
            documents_per_request: 2,
            document_size: 1000,
            seed: 7,
        };
        let entries = write_sources(&spec, dir.path()).unwrap();
        assert_eq!(entries.len(), 5 + 10);
        for entry in &entries[..5] {
            let BundleContent::Bytes(bytes) = &entry.content else {
                panic!("requests are in memory")
            };
            let request: crate::domain::Request = serde_json::from_slice(bytes).unwrap();
            assert_eq!(request.documents.len(), 2);
            assert!(entry.path.ends_with(&format!("{}.json", request.id)));
        }
        let BundleContent::File(path) = &entries[5].content else {
            panic!("documents are files")
        };
        assert_eq!(std::fs::metadata(path).unwrap().len(), 1000);
    }

    #[test]
    fn import_synthetic_fills_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let pass = secrecy::SecretString::from("banc d'essai".to_string());
        let options = crate::store::StoreOptions {
            kdf_log_n: Some(10),
        };
        let store =
            crate::store::Store::init(&dir.path().join("store"), &pass, "Dr", None, &options)
                .unwrap();
        let spec = SynthSpec {
            requests: 3,
            documents_per_request: 1,
            document_size: 100,
            seed: 1,
        };
        import_synthetic(&store, &spec, dir.path()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(store.summaries(today).unwrap().len(), 3);
    }
}
