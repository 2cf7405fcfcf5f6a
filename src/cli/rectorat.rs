//! The rectorat's subcommands: `rectorat pack` and `rectorat open`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Failure, GlobalArgs};

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
pub fn run(_global: &GlobalArgs, _args: RectoratArgs) -> Result<(), Failure> {
    Err(Failure(
        "cette commande n'est pas encore disponible dans cette version".into(),
    ))
}
