//! `avis imprimer ID… -o DOSSIER` (or `--tous`): the printable avis
//! médical of exported avis as PDF, and for agricultural exams the DGER
//! form too. Never replaces a file.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::common::{open_store, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};
use crate::domain::Status;
use crate::print::{self, AvisInput};
use crate::store::Store;

/// `avis imprimer`.
#[derive(Debug, Args)]
pub struct ImprimerArgs {
    /// Identifiants des demandes dont l'avis est exporté.
    #[arg(required_unless_present = "tous", conflicts_with = "tous")]
    pub ids: Vec<String>,
    /// Tous les avis exportés.
    #[arg(long)]
    pub tous: bool,
    /// Dossier où écrire les PDF (créé s'il n'existe pas).
    #[arg(short = 'o', long = "output", value_name = "DOSSIER")]
    pub output: PathBuf,
}

/// The papers of one avis: (file name, bytes).
fn papers(store: &Store, id: &str) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    if store.status(id)? != Status::Exporte {
        return Err(Failure(format!(
            "l'avis {} n'est pas exporté : seul un avis exporté s'imprime ; exportez-le d'abord (« avis export »)",
            sanitize(id)
        )));
    }
    let draft = store
        .draft(id)?
        .ok_or_else(|| Failure(format!("la demande {} n'a pas d'avis", sanitize(id))))?;
    let json =
        serde_json::to_vec_pretty(&draft.opinion).map_err(|_| Failure("avis illisible".into()))?;
    let record = if store.purged_dossier(id)?.is_some() {
        None
    } else {
        Some(store.request(id)?)
    };
    let fingerprint = crate::store::fingerprint(&store.public_keys().signing_key).ok();
    let input = AvisInput {
        opinion: &draft.opinion,
        opinion_json: &json,
        request: record.as_ref().map(|r| &r.request),
        signer_fingerprint: fingerprint.as_deref(),
    };
    let mut out = vec![(print::file_name("avis", id), print::avis_pdf(&input)?)];
    if let Some(r) = &record {
        if print::is_agricultural(&r.request) {
            out.push((
                print::file_name("formulaire-dger", id),
                print::dger_pdf(&input)?,
            ));
        }
    }
    Ok(out)
}

/// Writes `bytes` to `path` (0600) without ever replacing a file.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".avis-tmp-")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| Failure(format!("impossible d'écrire dans {} : {e}", dir.display())))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| {
            Failure(
                crate::store::StoreError::Io {
                    what: "écrire le PDF",
                    source: e,
                }
                .to_string(),
            )
        })?;
    tmp.persist_noclobber(path).map_err(|_| {
        Failure(format!(
            "le fichier {} existe déjà : il n'a pas été remplacé ; choisissez un autre dossier avec -o",
            path.display()
        ))
    })?;
    Ok(())
}

/// Runs `avis imprimer`.
pub fn run(global: &GlobalArgs, args: ImprimerArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    let ids: Vec<String> = if args.tous {
        let mut ids: Vec<String> = store
            .summaries(crate::cli::common::today(global))?
            .into_iter()
            .filter(|s| s.status == Status::Exporte)
            .map(|s| s.id)
            .collect();
        ids.extend(store.purged_dossiers()?.into_iter().map(|p| p.id));
        if ids.is_empty() {
            return Err(Failure(
                "aucun avis exporté à imprimer : exportez d'abord des avis (« avis export »)"
                    .into(),
            ));
        }
        ids
    } else {
        args.ids.clone()
    };
    // Every paper is made, and every name checked, before anything is written.
    let mut all = Vec::new();
    for id in &ids {
        all.extend(papers(&store, id)?);
    }
    std::fs::create_dir_all(&args.output).map_err(|e| {
        Failure(format!(
            "impossible de créer le dossier {} : {e}",
            args.output.display()
        ))
    })?;
    for (name, _) in &all {
        let path = args.output.join(name);
        if path.exists() {
            return Err(Failure(format!(
                "le fichier {} existe déjà : rien n'a été écrit ; choisissez un autre dossier avec -o",
                path.display()
            )));
        }
    }
    for (name, bytes) in &all {
        let path = args.output.join(name);
        write_new(&path, bytes)?;
        print_out(&format!("Écrit : {}", path.display()))?;
    }
    print_out(&format!(
        "{} document(s) PDF écrit(s). Ils contiennent l'identité des candidats : transmettez-les puis supprimez-les de cet ordinateur.",
        all.len()
    ))
}
