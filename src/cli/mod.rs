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
#[command(name = "avis", version, about, disable_version_flag = true)]
pub struct Cli {
    /// Afficher la version.
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,
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
    /// Pièces reçues sur papier (pli cacheté).
    Piece(doctor::PieceArgs),
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

/// The help template of every command, in French.
const HELP_TEMPLATE: &str =
    "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The command line definition with clap's texts in French: headings
/// (« Utilisation », « Commandes », « Arguments », « Options »), « Afficher
/// l'aide », no English `help` subcommand; on every subcommand.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    french(Cli::command())
}

fn french(cmd: clap::Command) -> clap::Command {
    cmd.help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Commandes ")
        .subcommand_value_name("COMMANDE")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            clap::Arg::new("aide")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help("Afficher l'aide"),
        )
        // Headings written as « Options : » (clap adds the colon).
        .mut_args(|a| {
            if a.is_positional() {
                a.help_heading("Arguments ")
            } else {
                a.help_heading("Options ")
            }
        })
        .mut_subcommands(french)
}

/// Parses the process's arguments with the French definition.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// What to print for a parse error (help and version included) and the
/// exit status: 0 for help and version (on stdout), 2 for a usage error.
pub fn parse_error_output(e: &clap::Error) -> (String, i32) {
    use clap::error::{ContextKind, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return (e.render().to_string(), 0),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return (e.render().to_string(), 2),
        _ => {}
    }
    let ctx = |k: ContextKind| {
        e.get(k)
            .map(|v| crate::text::sanitize(&v.to_string()).into_owned())
            .unwrap_or_default()
    };
    let what = match e.kind() {
        ErrorKind::UnknownArgument => {
            format!("argument inattendu « {} »", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "commande inconnue « {} »",
            ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => format!(
            "valeur invalide « {} » pour {}",
            ctx(ContextKind::InvalidValue),
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "argument obligatoire manquant : {}",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingSubcommand => "commande manquante".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "{} ne peut pas être utilisé avec {}",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!(
                "nombre de valeurs incorrect pour {}",
                ctx(ContextKind::InvalidArg)
            )
        }
        _ => "ligne de commande invalide".to_string(),
    };
    let usage = ctx(ContextKind::Usage).replace("Usage:", "Utilisation :");
    (
        format!("avis : {what}\n\n{usage}\n\nPour en savoir plus : avis --help\n"),
        2,
    )
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
