//! The doctor's subcommands of docs/cli.md.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Command, Failure, GlobalArgs};

/// `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Sortie JSON stable.
    #[arg(long)]
    pub json: bool,
}

/// `avis init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Nom du médecin, tel qu'il figurera sur les avis.
    #[arg(long)]
    pub name: String,
    /// Numéro RPPS.
    #[arg(long)]
    pub rpps: Option<String>,
}

/// `avis keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// Subcommands of `avis keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Affiche les clés publiques.
    Show(JsonFlag),
}

/// `avis trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    pub command: TrustCommand,
}

/// Subcommands of `avis trust`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Accepte la clé publique minisign d'un rectorat.
    Add {
        /// Fichier de clé publique minisign.
        pubkey_file: PathBuf,
        /// Nom du rectorat.
        #[arg(long)]
        name: String,
    },
    /// Liste les clés acceptées.
    List(JsonFlag),
}

/// `avis import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Fichier du lot (.avis).
    pub bundle: PathBuf,
    /// Accepte un lot plus ancien que le dernier importé (rejeu volontaire).
    #[arg(long)]
    pub accepter_ancien: bool,
}

/// `avis show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Identifiant de la demande.
    pub id: String,
    /// Sortie JSON stable.
    #[arg(long)]
    pub json: bool,
}

/// `avis opinion`.
#[derive(Debug, Args)]
pub struct OpinionArgs {
    #[command(subcommand)]
    pub command: OpinionCommand,
}

/// Subcommands of `avis opinion`.
#[derive(Debug, Subcommand)]
pub enum OpinionCommand {
    /// Enregistre des brouillons d'avis depuis un fichier JSON.
    Apply {
        /// Fichier JSON : un avis ou un tableau d'avis.
        file: PathBuf,
    },
    /// Marque des avis prêts à signer, après les contrôles.
    Validate {
        /// Identifiants des demandes.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// `avis export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Fichier de sortie.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Exporte de nouveau ces demandes, même déjà exportées.
    #[arg(long, num_args = 1..)]
    pub encore: Vec<String>,
}

/// `avis journal`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub command: JournalCommand,
}

/// Subcommands of `avis journal`.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Vérifie la chaîne de hachage du journal.
    Verify,
}

/// Runs a doctor's subcommand.
pub fn run(_global: &GlobalArgs, _command: Command) -> Result<(), Failure> {
    Err(Failure(
        "cette commande n'est pas encore disponible dans cette version".into(),
    ))
}
