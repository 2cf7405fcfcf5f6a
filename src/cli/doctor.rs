//! The doctor's subcommands of docs/cli.md: argument definitions and
//! dispatch; one file per subcommand under `doctor/`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub use piece::PieceArgs;

use super::{Command, Failure, GlobalArgs};

pub use bilan::BilanArgs;
pub use imprimer::ImprimerArgs;
pub use purge::PurgeArgs;

mod backup;
mod bilan;
mod export;
mod import;
mod imprimer;
mod init;
mod journal;
mod keys;
mod list;
mod opinion;
mod passphrase;
mod piece;
mod purge;
mod show;
mod trust;

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
    /// Change la phrase de passe (demande l'actuelle, puis la nouvelle deux fois).
    Passphrase(PassphraseArgs),
}

/// `avis keys passphrase`.
#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Lit la nouvelle phrase de passe sur la première ligne de ce fichier
    /// (scripts, tests) ; l'actuelle vient de --passphrase-file.
    #[arg(long = "nouvelle-phrase-file", value_name = "FICHIER")]
    pub new_passphrase_file: Option<PathBuf>,
}

/// `avis sauvegarde`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Fichier de sauvegarde à écrire (chiffré par la phrase de passe).
    #[arg(short = 'o', long = "output", value_name = "FICHIER")]
    pub output: PathBuf,
}

/// `avis restaurer`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Fichier écrit par « avis sauvegarde ».
    #[arg(value_name = "FICHIER")]
    pub backup: PathBuf,
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
    /// Lève un contrôle bloquant avec un motif écrit.
    Override {
        /// Identifiant de la demande.
        id: String,
        /// Identifiant du contrôle (voir « avis show »).
        #[arg(long = "regle")]
        rule: String,
        /// Code de la mesure concernée, si le contrôle porte sur une mesure.
        #[arg(long = "mesure")]
        measure: Option<String>,
        /// Motif écrit de la levée.
        #[arg(long = "motif")]
        reason: String,
    },
}

/// `avis export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Fichier de sortie (défaut : avis-AAAA-MM-JJ-nN.avis dans le dossier des exports).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FICHIER",
        conflicts_with = "dossier"
    )]
    pub output: Option<PathBuf>,
    /// Dossier des exports, retenu dans le magasin pour les fois suivantes.
    #[arg(long, value_name = "DOSSIER")]
    pub dossier: Option<PathBuf>,
    /// Remplace un fichier existant du même nom (sinon l'export est refusé).
    #[arg(long)]
    pub remplacer: bool,
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
    /// Affiche les événements du journal.
    List {
        /// Seulement ceux de cette demande.
        #[arg(long)]
        id: Option<String>,
        /// Sortie JSON stable.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a doctor's subcommand.
pub fn run(global: &GlobalArgs, command: Command) -> Result<(), Failure> {
    match command {
        Command::Init(args) => init::run(global, args),
        Command::Keys(args) => keys::run(global, args),
        Command::Trust(args) => trust::run(global, args),
        Command::Import(args) => import::run(global, args),
        Command::List(args) => list::run(global, args),
        Command::Show(args) => show::run(global, args),
        Command::Opinion(args) => opinion::run(global, args),
        Command::Export(args) => export::run(global, args),
        Command::Journal(args) => journal::run(global, args),
        Command::Piece(args) => piece::run(global, args),
        Command::Sauvegarde(args) => backup::run_backup(global, args),
        Command::Restaurer(args) => backup::run_restore(global, args),
        Command::Imprimer(args) => imprimer::run(global, args),
        Command::Bilan(args) => bilan::run(global, args),
        Command::Purge(args) => purge::run(global, args),
        _ => Err(Failure(
            "cette commande n'est pas une commande du médecin".into(),
        )),
    }
}
