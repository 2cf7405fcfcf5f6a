//! `avis imprimer ID… -o DOSSIER` (or `--tous`): the printable avis
//! médical of exported avis as PDF, and for agricultural exams the DGER
//! form too. Never replaces a file.

use std::path::PathBuf;

use clap::Args;

use crate::cli::common::{open_store, print_out};
use crate::cli::{Failure, GlobalArgs};
use crate::print;

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

/// Runs `avis imprimer`.
pub fn run(global: &GlobalArgs, args: ImprimerArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    let ids: Vec<String> = if args.tous {
        let ids = print::exported_ids(&store, crate::cli::common::today(global))?;
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
        all.extend(print::papers(&store, id).map_err(|e| match e {
            print::PaperError::NotExported(_) => Failure(format!("{e} (« avis export »)")),
            e => Failure(e.to_string()),
        })?);
    }
    std::fs::create_dir_all(&args.output).map_err(|e| {
        Failure(format!(
            "impossible de créer le dossier {} : {e}",
            args.output.display()
        ))
    })?;
    for paper in &all {
        let path = args.output.join(&paper.name);
        if path.exists() {
            return Err(Failure(format!(
                "le fichier {} existe déjà : rien n'a été écrit ; choisissez un autre dossier avec -o",
                path.display()
            )));
        }
    }
    for paper in &all {
        let path = args.output.join(&paper.name);
        print::output::write_new(&path, &paper.bytes).map_err(|e| match e {
            print::output::WriteError::Exists(_) => {
                Failure(format!("{e} ; choisissez un autre dossier avec -o"))
            }
            e => Failure(e.to_string()),
        })?;
        print_out(&format!("Écrit : {}", path.display()))?;
    }
    print_out(&format!(
        "{} document(s) PDF écrit(s). Ils contiennent l'identité des candidats : transmettez-les puis supprimez-les de cet ordinateur.",
        all.len()
    ))
}
