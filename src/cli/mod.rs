//! The command line (docs/cli.md): argument definitions and dispatch. One
//! file per subcommand family; each stays thin: parse, call, print.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub mod common;
pub mod demo;
pub mod doctor;
pub mod rectorat;

/// Outil des médecins désignés par la CDAPH : avis médicaux sur les demandes
/// d'aménagements d'épreuves d'examens.
#[derive(Debug, Parser)]
#[command(name = "avis", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Dossier du magasin local du médecin (défaut : dossier de données de la plateforme).
    #[arg(long, env = "AVIS_STORE", global = true)]
    pub store: Option<PathBuf>,
    /// Lit la phrase de passe sur la première ligne de ce fichier.
    #[arg(long, env = "AVIS_PASSPHRASE_FILE", global = true)]
    pub passphrase_file: Option<PathBuf>,
    /// Date d'examen des dossiers pour les contrôles (AAAA-MM-JJ ; défaut : aujourd'hui).
    #[arg(long, env = "AVIS_DATE", global = true)]
    pub date: Option<chrono::NaiveDate>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ouvre l'interface sur les dossiers de démonstration (magasin jetable).
    Demo,
    /// Crée le magasin et les clés du médecin.
    Init(doctor::InitArgs),
    /// Clés du médecin : clés publiques, changement de phrase de passe.
    Keys(doctor::KeysArgs),
    /// Clés de signature des rectorats acceptées.
    Trust(doctor::TrustArgs),
    /// Vérifie et importe un lot de demandes.
    Import(doctor::ImportArgs),
    /// Liste les demandes.
    List(doctor::JsonFlag),
    /// Affiche une demande, ses pièces, ses contrôles et son avis.
    Show(doctor::ShowArgs),
    /// Avis : appliquer un brouillon, valider.
    Opinion(doctor::OpinionArgs),
    /// Signe et chiffre les avis validés pour le rectorat.
    Export(doctor::ExportArgs),
    /// Journal d'audit.
    Journal(doctor::JournalArgs),
    /// Écrit une sauvegarde chiffrée de tout le magasin (un seul fichier).
    Sauvegarde(doctor::BackupArgs),
    /// Restaure une sauvegarde dans un dossier neuf (--store).
    Restaurer(doctor::RestoreArgs),
    /// Écrit en PDF l'avis médical des avis exportés (et le formulaire DGER pour l'enseignement agricole).
    Imprimer(doctor::ImprimerArgs),
    /// Bilan d'activité : demandes, avis, mesures, délais (comptes seulement).
    Bilan(doctor::BilanArgs),
    /// Purge les dossiers dont le délai de conservation après l'export est passé.
    Purge(doctor::PurgeArgs),
    /// Côté rectorat : préparer un lot, ouvrir un lot d'avis.
    Rectorat(rectorat::RectoratArgs),
}

/// A failure to report to the user: a French message, exit status 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// Runs a parsed command line (everything but the TUI itself).
pub fn run(cli: Cli) -> Result<(), Failure> {
    let global = cli.global;
    match cli.command {
        None => demo::run_store(&global),
        Some(Command::Demo) => demo::run(&global),
        Some(Command::Rectorat(args)) => rectorat::run(&global, args),
        Some(other) => doctor::run(&global, other),
    }
}
