//! `avis rectorat open`: one opinions bundle verified with a given age
//! identity and doctor's key, unpacked into a new folder: the opinions as
//! received and `avis.csv` (the contract of docs/cli.md, with the lifted
//! checks and the replacement shown in two last columns); with `--pdf`,
//! also `pdf/avis-<id>.pdf`, the printable avis médical of each, for the
//! candidates' spaces (made in the new folder: nothing is replaced).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::wire::{overrides_text, replaces_text, OpinionExtras};
use super::workbook::csv_line;
use super::{shown, RectoratError, Result};
use crate::atomic::write_atomically;
use crate::bundle::keys::{parse_identity_file, parse_public_key_file};
use crate::bundle::{
    read_bundle, BundleKind, DocumentSink, ManifestEntry, ReadOptions, TrustedKey,
};
use crate::domain::opinion::Opinion;

/// Writes documents into the staging folder as they stream.
struct StagingSink {
    dir: PathBuf,
}

impl DocumentSink for StagingSink {
    fn document(&mut self, entry: &ManifestEntry, data: &mut dyn Read) -> io::Result<()> {
        let documents = self.dir.join("documents");
        fs::create_dir_all(&documents)?;
        write_atomically(&documents.join(&entry.sha256), |w| {
            io::copy(data, w).map(|_| ())
        })
    }
}

/// The CSV columns of `avis.csv`.
pub const CSV_COLUMNS: [&str; 18] = [
    "request_id",
    "request_version",
    "request_sha256",
    "outcome",
    "measure",
    "decision",
    "granted",
    "detail",
    "epreuves",
    "motivation",
    "validity",
    "until_session",
    "doctor",
    "doctor_rpps",
    "decided_at",
    "avis_motivation",
    "overrides",
    "replaces",
];

/// `avis.csv`: UTF-8 with BOM, `;`-separated, one line per request and
/// measure (one line with empty measure columns when there is none).
/// `opinions` are (opinion, its exact JSON bytes).
pub fn opinions_csv(opinions: &[(Opinion, Vec<u8>)]) -> String {
    let mut out = String::from("\u{feff}");
    csv_line(&mut out, &CSV_COLUMNS);
    for (opinion, bytes) in opinions {
        let extras = OpinionExtras::parse(bytes).unwrap_or_default();
        let version = opinion.request_version.to_string();
        let doctor = opinion.doctor.as_ref();
        let decided_at = opinion
            .decided_at
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let mut global = opinion.motivation.clone();
        if !opinion.missing_documents.is_empty() {
            if !global.is_empty() {
                global.push('\n');
            }
            global.push_str("Pièces manquantes : ");
            global.push_str(&opinion.missing_documents.join(", "));
        }
        let replaces = extras
            .replaces
            .as_ref()
            .map(|r| replaces_text(&r.exported_at))
            .unwrap_or_default();
        let row = |measure: [&str; 6], overrides: String| -> Vec<String> {
            let [code, decision, granted, detail, epreuves, motivation] = measure;
            [
                opinion.request_id.as_str(),
                version.as_str(),
                opinion.request_sha256.as_deref().unwrap_or(""),
                opinion.outcome.code(),
                code,
                decision,
                granted,
                detail,
                epreuves,
                motivation,
                opinion.validity.kind.code(),
                opinion.validity.until_session.as_str(),
                doctor.map(|d| d.name.as_str()).unwrap_or(""),
                doctor.and_then(|d| d.rpps.as_deref()).unwrap_or(""),
                decided_at.as_str(),
                global.as_str(),
                overrides.as_str(),
                replaces.as_str(),
            ]
            .map(str::to_owned)
            .to_vec()
        };
        let codes: Vec<_> = opinion.measures.iter().map(|m| &m.code).collect();
        // Lifted checks not tied to a measure of the avis go on every line of the request.
        let general: Vec<_> = extras
            .overrides
            .iter()
            .filter(|o| o.measure.as_ref().is_none_or(|m| !codes.contains(&m)))
            .collect();
        if opinion.measures.is_empty() {
            csv_line(
                &mut out,
                &row([""; 6], overrides_text(general.iter().copied())),
            );
        }
        for measure in &opinion.measures {
            let mine = extras
                .overrides
                .iter()
                .filter(|o| o.measure.as_ref() == Some(&measure.code));
            csv_line(
                &mut out,
                &row(
                    [
                        measure.code.code(),
                        measure.decision.code(),
                        measure.granted.as_ref().map(|g| g.code()).unwrap_or(""),
                        measure.detail.as_deref().unwrap_or(""),
                        measure.epreuves.code(),
                        measure.motivation.as_deref().unwrap_or(""),
                    ],
                    overrides_text(general.iter().copied().chain(mine)),
                ),
            );
        }
    }
    out
}

/// What `open` did.
pub struct Opened {
    pub issuer_name: String,
    pub sequence: u64,
    pub bundle_id: String,
    /// First 16 hex digits of the manifest's SHA-256.
    pub manifest_digest: String,
    pub opinions: usize,
    /// The avis that replace an earlier sending: (request id, bundle id,
    /// exported at).
    pub replacements: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
    /// The PDF written (`--pdf`), relative to the output folder.
    pub pdfs: Vec<PathBuf>,
}

/// The fingerprint of the doctor's key, from its minisign public key file.
fn key_fingerprint(trust_text: &str) -> Option<String> {
    let line = trust_text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))?;
    crate::store::fingerprint(line).ok()
}

/// Writes `pdf/avis-<id>.pdf` for each opinion into `dir` (a new folder).
fn write_pdfs(
    dir: &Path,
    opinions: &[(Opinion, Vec<u8>)],
    fingerprint: Option<&str>,
) -> Result<Vec<PathBuf>> {
    let pdf_dir = dir.join("pdf");
    fs::create_dir_all(&pdf_dir).map_err(RectoratError::io("créer le dossier pdf"))?;
    let mut out = Vec::with_capacity(opinions.len());
    for (opinion, bytes) in opinions {
        let input = crate::print::AvisInput {
            opinion,
            opinion_json: bytes,
            request: None,
            signer_fingerprint: fingerprint,
        };
        let pdf = crate::print::avis_pdf(&input).map_err(|e| {
            RectoratError::Refused(format!(
                "le PDF de l'avis « {} » n'a pas pu être fait : {e}",
                crate::text::sanitize(&opinion.request_id)
            ))
        })?;
        let name = crate::print::file_name("avis", &opinion.request_id);
        crate::print::output::write_new(&pdf_dir.join(&name), &pdf).map_err(|e| {
            RectoratError::Refused(format!(
                "{e} ; deux avis du lot portent-ils le même identifiant ?"
            ))
        })?;
        out.push(Path::new("pdf").join(name));
    }
    Ok(out)
}

/// Verifies the bundle and writes `out/opinions/<id>.json` and
/// `out/avis.csv`; `out` must be new or empty, and is complete or absent.
pub fn open_bundle(
    bundle: &Path,
    identity_text: &str,
    trust_text: &str,
    out: &Path,
    pdf: bool,
) -> Result<Opened> {
    let identities = parse_identity_file(identity_text)?;
    let public_key = parse_public_key_file(trust_text)?;
    let trusted = [TrustedKey {
        name: "médecin".into(),
        public_key,
    }];
    if out.exists() {
        let empty = out.is_dir()
            && fs::read_dir(out)
                .map_err(RectoratError::io("lire le dossier de sortie"))?
                .next()
                .is_none();
        if !empty {
            return Err(RectoratError::Refused(format!(
                "le dossier de sortie « {} » existe déjà et n'est pas vide ; indiquez un nouveau dossier",
                shown(out)
            )));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging = tempfile::Builder::new()
        .prefix(".avis-open-")
        .tempdir_in(&parent)
        .map_err(|e| {
            RectoratError::Refused(format!(
                "impossible de créer un dossier temporaire dans « {} » : {e} ; vérifiez les droits du dossier",
                shown(&parent)
            ))
        })?;
    let file = fs::File::open(bundle).map_err(|e| {
        RectoratError::Refused(format!(
            "impossible d'ouvrir le lot « {} » : {e} ; vérifiez le chemin",
            shown(bundle)
        ))
    })?;
    let options = ReadOptions {
        identities: &identities,
        trusted: &trusted,
        expected_kind: BundleKind::Opinions,
    };
    let mut sink = StagingSink {
        dir: staging.path().to_path_buf(),
    };
    let verified = read_bundle(io::BufReader::new(file), &options, &mut sink)?;

    let mut opinions = Vec::with_capacity(verified.records.len());
    let opinion_dir = staging.path().join("opinions");
    fs::create_dir_all(&opinion_dir).map_err(RectoratError::io("créer le dossier opinions"))?;
    for (id, bytes) in &verified.records {
        let opinion: Opinion = serde_json::from_slice(bytes).map_err(|_| {
            RectoratError::Refused(format!(
                "l'avis « {id} » est signé mais illisible par cette version d'avis ; mettez à jour avis ou signalez-le au médecin"
            ))
        })?;
        if opinion.request_id != *id {
            return Err(RectoratError::Refused(format!(
                "l'avis « {id} » porte l'identifiant d'une autre demande ; le lot est incohérent, signalez-le au médecin"
            )));
        }
        write_atomically(&opinion_dir.join(format!("{id}.json")), |w| {
            w.write_all(bytes)
        })?;
        opinions.push((opinion, bytes.clone()));
    }
    let pdfs = if pdf {
        write_pdfs(
            staging.path(),
            &opinions,
            key_fingerprint(trust_text).as_deref(),
        )?
    } else {
        Vec::new()
    };
    let replacements = opinions
        .iter()
        .filter_map(|(o, bytes)| {
            let r = OpinionExtras::parse(bytes).ok()?.replaces?;
            Some((o.request_id.clone(), r.bundle_id, r.exported_at))
        })
        .collect();
    let csv = opinions_csv(&opinions);
    write_atomically(&staging.path().join("avis.csv"), |w| {
        w.write_all(csv.as_bytes())
    })?;
    if out.exists() {
        fs::remove_dir(out).map_err(RectoratError::io("remplacer le dossier de sortie vide"))?;
    }
    fs::rename(staging.path(), out).map_err(|e| {
        RectoratError::Refused(format!(
            "impossible de créer le dossier « {} » : {e} ; vérifiez les droits du dossier parent",
            shown(out)
        ))
    })?;
    let manifest = &verified.manifest;
    let digest = hex::encode(Sha256::digest(&verified.manifest_bytes));
    Ok(Opened {
        issuer_name: manifest.issuer.name.clone(),
        sequence: manifest.sequence,
        bundle_id: manifest.bundle_id.clone(),
        manifest_digest: digest[..16].to_owned(),
        opinions: opinions.len(),
        replacements,
        pdfs,
    })
}
