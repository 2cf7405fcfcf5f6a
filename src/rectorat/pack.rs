//! Requests and documents from a folder (`requests/<id>.json`,
//! `documents/<sha256>`, as the AMEX export is laid out), and the signed
//! assignment bundle built from them (`avis rectorat pack`, and one bundle
//! per doctor for `avis rectorat envoyer`).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{shown, RectoratError, Result};
use crate::atomic::write_atomically;
use crate::bundle::error::clean_path;
use crate::bundle::keys::parse_recipient;
use crate::bundle::limits::{MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES};
use crate::bundle::paths::{is_valid_id, is_valid_sha256_hex};
use crate::bundle::{
    write_bundle, BundleContent, BundleError, BundleHeader, BundleKind, OutEntry, Party, SigningKey,
};
use crate::domain::request::Request;

/// One request read from the folder: its exact bytes and their parse.
#[derive(Debug, Clone)]
pub struct LoadedRequest {
    pub bytes: Vec<u8>,
    pub request: Request,
}

/// The French sentence for an invalid request id.
pub fn invalid_id_message(id: &str) -> String {
    format!(
        "identifiant de demande invalide « {} » : il compte 1 à 64 lettres, chiffres, « . », « _ » ou « - », et commence par une lettre ou un chiffre",
        clean_path(id)
    )
}

/// Reads and checks `DIR/requests/<id>.json`; the error is one French
/// sentence (no name, no medical content) saying what to do.
pub fn load_request(dir: &Path, id: &str) -> std::result::Result<LoadedRequest, String> {
    if !is_valid_id(id) {
        return Err(invalid_id_message(id));
    }
    let path = dir.join("requests").join(format!("{id}.json"));
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!(
                "la demande « {id} » est absente du dossier (fichier « {} » introuvable) ; vérifiez l'identifiant ou l'export AMEX",
                shown(&path)
            ))
        }
        Err(e) => return Err(format!("impossible de lire « {} » : {e}", shown(&path))),
    };
    if !meta.is_file() {
        return Err(format!(
            "« {} » n'est pas un fichier ordinaire ; retirez-le du dossier",
            shown(&path)
        ));
    }
    if meta.len() > MAX_RECORD_BYTES {
        return Err(format!(
            "la demande « {id} » dépasse {MAX_RECORD_BYTES} octets ; allégez-la (les pièces vont dans documents/)"
        ));
    }
    let bytes =
        fs::read(&path).map_err(|e| format!("impossible de lire « {} » : {e}", shown(&path)))?;
    let request: Request = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "la demande « {id} » n'est pas une demande valide (ligne {}, colonne {}) ; corrigez le fichier selon docs/bundle-format.md",
            e.line(),
            e.column()
        )
    })?;
    if request.id != id {
        return Err(format!(
            "le fichier « {id}.json » contient une demande d'un autre identifiant ; nommez chaque fichier <id>.json d'après son champ « id »"
        ));
    }
    Ok(LoadedRequest { bytes, request })
}

/// Checks `DIR/documents/<sha256>`: present, named by its hash, not too large.
pub fn document_file(dir: &Path, sha256: &str) -> std::result::Result<PathBuf, String> {
    if !is_valid_sha256_hex(sha256) {
        return Err(format!(
            "une demande cite la pièce « {} » dont le nom n'est pas une empreinte SHA-256 ; corrigez la demande",
            clean_path(sha256)
        ));
    }
    let path = dir.join("documents").join(sha256);
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() <= MAX_DOCUMENT_BYTES => Ok(path),
        Ok(meta) if meta.is_file() => Err(format!(
            "la pièce « {sha256} » dépasse {MAX_DOCUMENT_BYTES} octets ; réduisez-la"
        )),
        Ok(_) => Err(format!(
            "« {} » n'est pas un fichier ordinaire ; un lot ne contient que des fichiers",
            shown(&path)
        )),
        Err(_) => Err(format!(
            "la pièce « {} » citée par la demande est absente de « {} » ; ajoutez-la (nommée par son empreinte SHA-256)",
            clean_path(sha256),
            shown(&dir.join("documents"))
        )),
    }
}

/// Regular files of a folder, sorted by name; hidden files skipped. A
/// missing folder is empty.
fn list_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(RectoratError::io(format!(
                "lire le dossier « {} »",
                shown(dir)
            ))(e))
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(RectoratError::io("lire le dossier"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !entry
            .file_type()
            .map_err(RectoratError::io("lire le dossier"))?
            .is_file()
        {
            return Err(RectoratError::Refused(format!(
                "« {} » n'est pas un fichier ordinaire ; un lot ne contient que des fichiers, retirez-le du dossier",
                shown(&entry.path())
            )));
        }
        files.push((name, entry.path()));
    }
    files.sort();
    Ok(files)
}

/// Everything of a `rectorat pack` folder: every request of `requests/`,
/// every document of `documents/` (each cited document must be there).
pub struct PackFolder {
    pub requests: Vec<LoadedRequest>,
    pub documents: Vec<(String, PathBuf)>,
}

/// Reads a whole folder for `rectorat pack`.
pub fn read_pack_folder(dir: &Path) -> Result<PackFolder> {
    let request_dir = dir.join("requests");
    if !request_dir.is_dir() {
        return Err(RectoratError::Refused(format!(
            "le dossier « {} » n'existe pas ; placez les demandes dans DOSSIER/requests/<id>.json",
            shown(&request_dir)
        )));
    }
    let mut requests = Vec::new();
    for (name, path) in list_files(&request_dir)? {
        let Some(id) = name.strip_suffix(".json") else {
            return Err(RectoratError::Refused(format!(
                "« {} » n'est pas une demande (fichier .json attendu) ; retirez-le du dossier requests",
                shown(&path)
            )));
        };
        requests.push(load_request(dir, id).map_err(RectoratError::Refused)?);
    }
    if requests.is_empty() {
        return Err(RectoratError::Refused(format!(
            "aucune demande dans « {} » ; ajoutez des fichiers <id>.json",
            shown(&request_dir)
        )));
    }
    let document_dir = dir.join("documents");
    let documents = list_files(&document_dir)?;
    for (name, path) in &documents {
        if !is_valid_sha256_hex(name) {
            return Err(RectoratError::Refused(format!(
                "la pièce « {} » doit être nommée par son empreinte SHA-256 en hexadécimal minuscule (sha256sum) ; renommez-la",
                clean_path(name)
            )));
        }
        let size = fs::metadata(path)
            .map_err(RectoratError::io("lire une pièce"))?
            .len();
        if size > MAX_DOCUMENT_BYTES {
            return Err(RectoratError::Refused(format!(
                "la pièce « {name} » dépasse {MAX_DOCUMENT_BYTES} octets ; réduisez-la"
            )));
        }
    }
    for loaded in &requests {
        for doc in &loaded.request.documents {
            if !documents.iter().any(|(name, _)| *name == doc.sha256) {
                return Err(RectoratError::Refused(format!(
                    "une demande cite la pièce « {} » absente de « {} » ; ajoutez-la (nommée par son empreinte SHA-256)",
                    clean_path(&doc.sha256),
                    shown(&document_dir)
                )));
            }
        }
    }
    Ok(PackFolder {
        requests,
        documents,
    })
}

/// Who an assignment bundle goes from and to.
pub struct Addressing {
    pub issuer_name: String,
    /// The rectorat's age recipient (where replies go).
    pub reply_to: String,
    pub recipient_name: String,
    /// The doctor's age recipient.
    pub to: String,
    pub sequence: u64,
}

/// Writes one signed assignment bundle to `out`, encrypted to the doctor;
/// returns its `bundle_id`.
pub fn write_assignment(
    out: &mut dyn Write,
    addressing: &Addressing,
    requests: &[LoadedRequest],
    documents: &[(String, PathBuf)],
    key: &SigningKey,
) -> Result<String> {
    let to = parse_recipient(&addressing.to)
        .map_err(|e| RectoratError::Refused(format!("destinataire du lot : {e}")))?;
    parse_recipient(&addressing.reply_to)
        .map_err(|e| RectoratError::Refused(format!("destinataire des réponses : {e}")))?;
    let mut entries: Vec<OutEntry> = requests
        .iter()
        .map(|r| OutEntry {
            path: format!("requests/{}.json", r.request.id),
            content: BundleContent::Bytes(r.bytes.clone()),
        })
        .collect();
    entries.extend(documents.iter().map(|(sha, path)| OutEntry {
        path: format!("documents/{sha}"),
        content: BundleContent::File(path.clone()),
    }));
    let header = BundleHeader {
        kind: BundleKind::Assignment,
        sequence: addressing.sequence,
        issuer: Party {
            name: addressing.issuer_name.clone(),
            signing_key: Some(key.public_key_base64()),
            age_recipient: addressing.reply_to.trim().to_owned(),
        },
        recipient: Party {
            name: addressing.recipient_name.clone(),
            signing_key: None,
            age_recipient: addressing.to.trim().to_owned(),
        },
        in_reply_to: Vec::new(),
    };
    write_bundle(out, header, entries, key, std::slice::from_ref(&to)).map_err(|e| match e {
        BundleError::DocumentNameMismatch { path } => RectoratError::Refused(format!(
            "le contenu de la pièce « {path} » ne correspond pas à son nom (empreinte SHA-256) ; renommez-la d'après « sha256sum »"
        )),
        other => RectoratError::Bundle(other),
    })
}

/// What `rectorat pack` wrote.
pub struct Packed {
    pub bundle_id: String,
    pub requests: usize,
    pub documents: usize,
}

/// `rectorat pack`: the whole folder into one bundle at `output`, atomically.
pub fn pack_folder(
    dir: &Path,
    addressing: &Addressing,
    key: &SigningKey,
    output: &Path,
) -> Result<Packed> {
    parse_recipient(&addressing.to)
        .map_err(|e| RectoratError::Refused(format!("--to (destinataire du lot) : {e}")))?;
    parse_recipient(&addressing.reply_to).map_err(|e| {
        RectoratError::Refused(format!("--reply-to (destinataire des réponses) : {e}"))
    })?;
    let folder = read_pack_folder(dir)?;
    let mut bundle_id = String::new();
    write_atomically(output, |out| -> Result<()> {
        bundle_id = write_assignment(out, addressing, &folder.requests, &folder.documents, key)?;
        Ok(())
    })?;
    Ok(Packed {
        bundle_id,
        requests: folder.requests.len(),
        documents: folder.documents.len(),
    })
}

impl From<io::Error> for RectoratError {
    fn from(source: io::Error) -> Self {
        RectoratError::Io {
            what: "écrire le fichier".into(),
            source,
        }
    }
}
