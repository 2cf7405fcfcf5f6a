//! The rectorat's subcommands: `rectorat pack` builds a signed, encrypted
//! assignment bundle from a folder of requests and documents; `rectorat open`
//! verifies an opinions bundle and unpacks it (opinions as received, plus a
//! CSV summary for spreadsheet users). Outputs are written atomically.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::{Failure, GlobalArgs};
use crate::atomic::write_atomically;
use crate::bundle::error::clean_path;
use crate::bundle::keys::{parse_identity_file, parse_public_key_file, parse_recipient};
use crate::bundle::limits::{MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES};
use crate::bundle::paths::{is_valid_id, is_valid_sha256_hex};
use crate::bundle::{
    read_bundle, write_bundle, BundleContent, BundleError, BundleHeader, BundleKind, DocumentSink,
    ManifestEntry, OutEntry, Party, ReadOptions, SigningKey, TrustedKey,
};
use crate::domain::opinion::Opinion;
use crate::domain::request::Request;

/// `avis rectorat`.
#[derive(Debug, Args)]
pub struct RectoratArgs {
    #[command(subcommand)]
    pub command: RectoratCommand,
}

/// Subcommands of `avis rectorat`.
#[derive(Debug, Subcommand)]
pub enum RectoratCommand {
    /// Prépare un lot de demandes signé et chiffré pour un médecin.
    Pack {
        /// Dossier contenant requests/*.json et documents/*.
        #[arg(long)]
        requests: PathBuf,
        /// Clé secrète minisign du rectorat.
        #[arg(long)]
        sign_key: PathBuf,
        /// Nom du rectorat émetteur.
        #[arg(long)]
        issuer_name: String,
        /// Destinataire age des réponses (le rectorat).
        #[arg(long)]
        reply_to: String,
        /// Destinataire age du lot (le médecin).
        #[arg(long)]
        to: String,
        /// Nom du médecin destinataire (inscrit au manifeste).
        #[arg(long, default_value = "")]
        to_name: String,
        /// Numéro de séquence du lot.
        #[arg(long)]
        sequence: u64,
        /// Fichier de sortie.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Vérifie et ouvre un lot d'avis.
    Open {
        /// Fichier du lot d'avis.
        bundle: PathBuf,
        /// Identité age du rectorat.
        #[arg(long)]
        identity: PathBuf,
        /// Clé publique minisign du médecin.
        #[arg(long)]
        trust: PathBuf,
        /// Dossier de sortie.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a rectorat subcommand.
pub fn run(global: &GlobalArgs, args: RectoratArgs) -> Result<(), Failure> {
    match args.command {
        RectoratCommand::Pack {
            requests,
            sign_key,
            issuer_name,
            reply_to,
            to,
            to_name,
            sequence,
            output,
        } => pack(
            global,
            &PackArgs {
                dir: &requests,
                sign_key: &sign_key,
                issuer_name,
                reply_to,
                to,
                to_name,
                sequence,
                output: &output,
            },
        ),
        RectoratCommand::Open {
            bundle,
            identity,
            trust,
            out,
        } => open(&bundle, &identity, &trust, &out),
    }
}

/// Display form of a user-given path (control characters stripped).
fn shown(path: &Path) -> String {
    clean_path(&path.to_string_lossy())
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| {
        Failure(format!(
            "impossible de lire {what} « {} » : {e} ; vérifiez le chemin et les droits du fichier",
            shown(path)
        ))
    })
}

/// Loads a minisign secret key, asking its password only if it has one.
fn load_signing_key(global: &GlobalArgs, path: &Path) -> Result<SigningKey, Failure> {
    let text = read_text(path, "la clé de signature")?;
    match SigningKey::from_file_contents(&text, None) {
        Err(BundleError::PasswordRequired) => {}
        other => return other.map_err(Failure::from),
    }
    let password = match &global.passphrase_file {
        Some(file) => {
            let content = read_text(file, "le fichier de phrase de passe")?;
            let line = content.lines().next().unwrap_or("").trim_end_matches('\r');
            SecretString::from(line.to_owned())
        }
        None => {
            let typed = rpassword::prompt_password("Mot de passe de la clé de signature : ")
                .map_err(|_| {
                    Failure(
                        "impossible de lire le mot de passe au terminal ; utilisez --passphrase-file"
                            .into(),
                    )
                })?;
            SecretString::from(typed)
        }
    };
    Ok(SigningKey::from_file_contents(&text, Some(&password))?)
}

struct PackArgs<'a> {
    dir: &'a Path,
    sign_key: &'a Path,
    issuer_name: String,
    reply_to: String,
    to: String,
    to_name: String,
    sequence: u64,
    output: &'a Path,
}

/// Regular files of a folder, sorted by name; hidden files skipped. A missing
/// folder is empty.
fn list_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Failure> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Failure(format!(
                "impossible de lire le dossier « {} » : {e}",
                shown(dir)
            )))
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !entry.file_type()?.is_file() {
            return Err(Failure(format!(
                "« {} » n'est pas un fichier ordinaire ; un lot ne contient que des fichiers, retirez-le du dossier",
                shown(&entry.path())
            )));
        }
        files.push((name, entry.path()));
    }
    files.sort();
    Ok(files)
}

fn pack(global: &GlobalArgs, args: &PackArgs<'_>) -> Result<(), Failure> {
    let to = parse_recipient(&args.to)
        .map_err(|e| Failure(format!("--to (destinataire du lot) : {e}")))?;
    parse_recipient(&args.reply_to)
        .map_err(|e| Failure(format!("--reply-to (destinataire des réponses) : {e}")))?;
    let request_dir = args.dir.join("requests");
    if !request_dir.is_dir() {
        return Err(Failure(format!(
            "le dossier « {} » n'existe pas ; placez les demandes dans DOSSIER/requests/<id>.json",
            shown(&request_dir)
        )));
    }

    let mut entries = Vec::new();
    let mut referenced = Vec::new();
    for (name, path) in list_files(&request_dir)? {
        let Some(id) = name.strip_suffix(".json") else {
            return Err(Failure(format!(
                "« {} » n'est pas une demande (fichier .json attendu) ; retirez-le du dossier requests",
                shown(&path)
            )));
        };
        if !is_valid_id(id) {
            return Err(Failure(format!(
                "nom de demande invalide « {} » : l'identifiant doit compter 1 à 64 lettres, chiffres, « . », « _ » ou « - », et commencer par une lettre ou un chiffre",
                clean_path(&name)
            )));
        }
        let size = fs::metadata(&path)?.len();
        if size > MAX_RECORD_BYTES {
            return Err(Failure(format!(
                "la demande « {id} » dépasse {MAX_RECORD_BYTES} octets ; allégez-la (les pièces vont dans documents/)"
            )));
        }
        let bytes = fs::read(&path)?;
        let request: Request = serde_json::from_slice(&bytes).map_err(|e| {
            Failure(format!(
                "la demande « {id} » n'est pas une demande valide (ligne {}, colonne {}) ; corrigez le fichier selon docs/bundle-format.md",
                e.line(),
                e.column()
            ))
        })?;
        if request.id != id {
            return Err(Failure(format!(
                "le fichier « {id}.json » contient une demande d'un autre identifiant ; nommez chaque fichier <id>.json d'après son champ « id »"
            )));
        }
        referenced.extend(request.documents.iter().map(|d| d.sha256.clone()));
        entries.push(OutEntry {
            path: format!("requests/{id}.json"),
            content: BundleContent::Bytes(bytes),
        });
    }
    if entries.is_empty() {
        return Err(Failure(format!(
            "aucune demande dans « {} » ; ajoutez des fichiers <id>.json",
            shown(&request_dir)
        )));
    }

    let document_dir = args.dir.join("documents");
    let documents = list_files(&document_dir)?;
    for (name, path) in &documents {
        if !is_valid_sha256_hex(name) {
            return Err(Failure(format!(
                "la pièce « {} » doit être nommée par son empreinte SHA-256 en hexadécimal minuscule (sha256sum) ; renommez-la",
                clean_path(name)
            )));
        }
        if fs::metadata(path)?.len() > MAX_DOCUMENT_BYTES {
            return Err(Failure(format!(
                "la pièce « {name} » dépasse {MAX_DOCUMENT_BYTES} octets ; réduisez-la"
            )));
        }
    }
    for sha in &referenced {
        if !documents.iter().any(|(name, _)| name == sha) {
            return Err(Failure(format!(
                "une demande cite la pièce « {} » absente de « {} » ; ajoutez-la (nommée par son empreinte SHA-256)",
                clean_path(sha),
                shown(&document_dir)
            )));
        }
    }
    let request_count = entries.len();
    let document_count = documents.len();
    for (name, path) in documents {
        entries.push(OutEntry {
            path: format!("documents/{name}"),
            content: BundleContent::File(path),
        });
    }

    let key = load_signing_key(global, args.sign_key)?;
    let header = BundleHeader {
        kind: BundleKind::Assignment,
        sequence: args.sequence,
        issuer: Party {
            name: args.issuer_name.clone(),
            signing_key: Some(key.public_key_base64()),
            age_recipient: args.reply_to.trim().to_owned(),
        },
        recipient: Party {
            name: args.to_name.clone(),
            signing_key: None,
            age_recipient: args.to.trim().to_owned(),
        },
        in_reply_to: Vec::new(),
    };
    let mut bundle_id = String::new();
    write_atomically(args.output, |out| -> Result<(), BundleError> {
        bundle_id = write_bundle(out, header, entries, &key, std::slice::from_ref(&to))?;
        Ok(())
    })
    .map_err(|e| match e {
        BundleError::DocumentNameMismatch { path } => Failure(format!(
            "le contenu de la pièce « {path} » ne correspond pas à son nom (empreinte SHA-256) ; renommez-la d'après « sha256sum »"
        )),
        other => Failure::from(other),
    })?;
    eprintln!(
        "Lot de demandes écrit dans « {} » : {request_count} demande(s), {document_count} pièce(s), séquence {}, identifiant {bundle_id}, signé par la clé {}.",
        shown(args.output),
        args.sequence,
        key.key_id()
    );
    Ok(())
}

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
const CSV_COLUMNS: [&str; 16] = [
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
];

/// One CSV field, quoted per RFC 4180 when needed.
/// One CSV field: quoted per RFC 4180 when needed, and defused when a
/// spreadsheet would read it as a formula (`=`, `+`, `-`, `@`, tab, CR at the
/// start): a leading `'` makes it plain text (OWASP's CSV injection advice).
fn csv_field(value: &str) -> String {
    let defused;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        defused = format!("'{value}");
        defused.as_str()
    } else {
        value
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn csv_line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    out.push_str(&line.join(";"));
    out.push_str("\r\n");
}

/// `avis.csv`: UTF-8 with BOM, `;`-separated, one line per request and
/// measure (one line with empty measure columns when there is none).
pub fn opinions_csv(opinions: &[Opinion]) -> String {
    let mut out = String::from("\u{feff}");
    csv_line(&mut out, &CSV_COLUMNS);
    for opinion in opinions {
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
        let common = |measure: [&str; 6]| -> Vec<String> {
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
            ]
            .map(str::to_owned)
            .to_vec()
        };
        if opinion.measures.is_empty() {
            csv_line(&mut out, &common([""; 6]));
        }
        for measure in &opinion.measures {
            csv_line(
                &mut out,
                &common([
                    measure.code.code(),
                    measure.decision.code(),
                    measure.granted.as_ref().map(|g| g.code()).unwrap_or(""),
                    measure.detail.as_deref().unwrap_or(""),
                    measure.epreuves.code(),
                    measure.motivation.as_deref().unwrap_or(""),
                ]),
            );
        }
    }
    out
}

fn open(bundle: &Path, identity: &Path, trust: &Path, out: &Path) -> Result<(), Failure> {
    let identities = parse_identity_file(&read_text(identity, "l'identité age")?)?;
    let public_key = parse_public_key_file(&read_text(trust, "la clé publique du médecin")?)?;
    let trusted = [TrustedKey {
        name: "médecin".into(),
        public_key,
    }];
    if out.exists() {
        let empty = out.is_dir() && fs::read_dir(out)?.next().is_none();
        if !empty {
            return Err(Failure(format!(
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
            Failure(format!(
                "impossible de créer un dossier temporaire dans « {} » : {e} ; vérifiez les droits du dossier",
                shown(&parent)
            ))
        })?;
    let file = fs::File::open(bundle).map_err(|e| {
        Failure(format!(
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
    fs::create_dir_all(&opinion_dir)?;
    for (id, bytes) in &verified.records {
        let opinion: Opinion = serde_json::from_slice(bytes).map_err(|_| {
            Failure(format!(
                "l'avis « {id} » est signé mais illisible par cette version d'avis ; mettez à jour avis ou signalez-le au médecin"
            ))
        })?;
        if opinion.request_id != *id {
            return Err(Failure(format!(
                "l'avis « {id} » porte l'identifiant d'une autre demande ; le lot est incohérent, signalez-le au médecin"
            )));
        }
        write_atomically(&opinion_dir.join(format!("{id}.json")), |w| {
            w.write_all(bytes)
        })?;
        opinions.push(opinion);
    }
    let csv = opinions_csv(&opinions);
    write_atomically(&staging.path().join("avis.csv"), |w| {
        w.write_all(csv.as_bytes())
    })?;
    if out.exists() {
        fs::remove_dir(out)?;
    }
    fs::rename(staging.path(), out).map_err(|e| {
        Failure(format!(
            "impossible de créer le dossier « {} » : {e} ; vérifiez les droits du dossier parent",
            shown(out)
        ))
    })?;
    let manifest = &verified.manifest;
    let digest = hex::encode(Sha256::digest(&verified.manifest_bytes));
    eprintln!(
        "Lot d'avis vérifié (émetteur « {} », séquence {}, identifiant {}, manifeste {}) : {} avis écrit{} dans « {} » (opinions/ et avis.csv).",
        clean_path(&manifest.issuer.name),
        manifest.sequence,
        clean_path(&manifest.bundle_id),
        &digest[..16],
        opinions.len(),
        if opinions.len() > 1 { "s" } else { "" },
        shown(out)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_defused_and_quoting_still_applies() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("tiers temps"), "tiers temps");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
    }
}
