//! The rectorat's subcommands, thin over [`crate::rectorat`]: the workspace
//! (`init`, `cles`, `medecin`, `envoyer`, `recevoir`, `suivi`) and the
//! single-bundle `pack` and `open`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use secrecy::SecretString;

use super::common::{init_options, print_json, print_out, read_passphrase, sanitize, today};
use super::{Failure, GlobalArgs};
use crate::bundle::error::clean_path;
use crate::bundle::{BundleError, SigningKey};
use crate::rectorat::followup::DEFAULT_RESPONSE_DAYS;
use crate::rectorat::pack::{pack_folder, Addressing};
use crate::rectorat::receive::BundleOutcome;
use crate::rectorat::registry::{keys_from_file, NewDoctor};
use crate::rectorat::wire::datetime_text;
use crate::rectorat::{shown, Workspace};

/// `avis rectorat`.
#[derive(Debug, Args)]
pub struct RectoratArgs {
    #[command(subcommand)]
    pub command: RectoratCommand,
}

/// `--espace DOSSIER`.
#[derive(Debug, Args, Clone)]
pub struct SpaceArg {
    /// Dossier de l'espace de travail du rectorat.
    #[arg(long, env = "AVIS_ESPACE", value_name = "DOSSIER")]
    pub espace: PathBuf,
}

/// Subcommands of `avis rectorat`.
#[derive(Debug, Subcommand)]
pub enum RectoratCommand {
    /// Crée l'espace de travail du rectorat (clés protégées par une phrase de passe).
    Init {
        #[command(flatten)]
        space: SpaceArg,
        /// Nom du rectorat, tel qu'il figurera sur les lots.
        #[arg(long)]
        nom: String,
    },
    /// Affiche les clés publiques du rectorat (à transmettre aux médecins).
    Cles {
        #[command(flatten)]
        space: SpaceArg,
        /// Sortie JSON stable.
        #[arg(long)]
        json: bool,
    },
    /// Registre des médecins : inscrire, lister.
    Medecin(DoctorArgs),
    /// Envoie les demandes affectées par un tableur : un lot signé par médecin.
    Envoyer {
        #[command(flatten)]
        space: SpaceArg,
        /// Tableur CSV des affectations (colonnes « demande » et « médecin »).
        #[arg(long, value_name = "FICHIER.csv")]
        affectations: PathBuf,
        /// Dossier de l'export AMEX : requests/<id>.json et documents/<sha256>.
        #[arg(long, value_name = "DOSSIER")]
        demandes: PathBuf,
        /// Dossier où écrire les lots (défaut : DOSSIER_ESPACE/envois).
        #[arg(long, value_name = "DOSSIER")]
        sortie: Option<PathBuf>,
    },
    /// Reçoit des lots d'avis et met à jour le classeur (avis.xlsx, avis.csv).
    Recevoir {
        #[command(flatten)]
        space: SpaceArg,
        /// Lots d'avis reçus des médecins.
        #[arg(required = true, value_name = "LOT")]
        bundles: Vec<PathBuf>,
        /// Dossier du classeur (défaut : le dossier de l'espace).
        #[arg(long, value_name = "DOSSIER")]
        classeur: Option<PathBuf>,
    },
    /// Ce que chaque médecin doit encore : demandes envoyées, avis reçus, en attente.
    Suivi {
        #[command(flatten)]
        space: SpaceArg,
        /// Délai de réponse en jours au-delà duquel une demande est en retard.
        #[arg(long, default_value_t = DEFAULT_RESPONSE_DAYS, value_name = "JOURS")]
        delai: i64,
        /// Liste aussi chaque demande en attente.
        #[arg(long)]
        detail: bool,
        /// Sortie JSON stable.
        #[arg(long)]
        json: bool,
    },
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
        /// Écrit aussi l'avis médical imprimable de chaque avis (PDF, dans
        /// DOSSIER/pdf/), pour les espaces des candidats.
        #[arg(long)]
        pdf: bool,
    },
}

/// `avis rectorat medecin`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(subcommand)]
    pub command: DoctorCommand,
}

/// Subcommands of `avis rectorat medecin`.
#[derive(Debug, Subcommand)]
pub enum DoctorCommand {
    /// Inscrit un médecin : ses clés publiques (« avis keys show --json » ou son fichier .pub).
    Ajouter {
        #[command(flatten)]
        space: SpaceArg,
        /// Nom du médecin (défaut : celui du fichier de clés).
        #[arg(long)]
        nom: Option<String>,
        /// Numéro RPPS.
        #[arg(long)]
        rpps: Option<String>,
        /// Sortie de « avis keys show --json » du médecin, ou son fichier de clé publique minisign.
        #[arg(long, value_name = "FICHIER")]
        cles: PathBuf,
        /// Clé de chiffrement age du médecin (si le fichier de clés ne la contient pas).
        #[arg(long, value_name = "age1…")]
        age: Option<String>,
        /// Dernière séquence déjà envoyée à ce médecin à la main (« rectorat pack »).
        #[arg(long, default_value_t = 0, value_name = "N")]
        derniere_sequence: u64,
    },
    /// Liste les médecins inscrits.
    Liste {
        #[command(flatten)]
        space: SpaceArg,
        /// Sortie JSON stable.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a rectorat subcommand.
pub fn run(global: &GlobalArgs, args: RectoratArgs) -> Result<(), Failure> {
    match args.command {
        RectoratCommand::Init { space, nom } => init(global, &space.espace, &nom),
        RectoratCommand::Cles { space, json } => keys(global, &space.espace, json),
        RectoratCommand::Medecin(DoctorArgs { command }) => match command {
            DoctorCommand::Ajouter {
                space,
                nom,
                rpps,
                cles,
                age,
                derniere_sequence,
            } => add_doctor(
                global,
                &space.espace,
                nom,
                rpps,
                &cles,
                age,
                derniere_sequence,
            ),
            DoctorCommand::Liste { space, json } => list_doctors(global, &space.espace, json),
        },
        RectoratCommand::Envoyer {
            space,
            affectations,
            demandes,
            sortie,
        } => send(global, &space.espace, &affectations, &demandes, sortie),
        RectoratCommand::Recevoir {
            space,
            bundles,
            classeur,
        } => receive(global, &space.espace, &bundles, classeur),
        RectoratCommand::Suivi {
            space,
            delai,
            detail,
            json,
        } => follow_up(global, &space.espace, delai, detail, json),
        RectoratCommand::Pack {
            requests,
            sign_key,
            issuer_name,
            reply_to,
            to,
            to_name,
            sequence,
            output,
        } => {
            let key = load_signing_key(global, &sign_key)?;
            let addressing = Addressing {
                issuer_name,
                reply_to,
                recipient_name: to_name,
                to,
                sequence,
            };
            let packed = pack_folder(&requests, &addressing, &key, &output)?;
            eprintln!(
                "Lot de demandes écrit dans « {} » : {} demande(s), {} pièce(s), séquence {sequence}, identifiant {}, signé par la clé {}.",
                shown(&output),
                packed.requests,
                packed.documents,
                packed.bundle_id,
                key.key_id()
            );
            Ok(())
        }
        RectoratCommand::Open {
            bundle,
            identity,
            trust,
            out,
            pdf,
        } => {
            let identity_text = read_text(&identity, "l'identité age")?;
            let trust_text = read_text(&trust, "la clé publique du médecin")?;
            let opened = crate::rectorat::open::open_bundle(
                &bundle,
                &identity_text,
                &trust_text,
                &out,
                pdf,
            )?;
            eprintln!(
                "Lot d'avis vérifié (émetteur « {} », séquence {}, identifiant {}, manifeste {}) : {} avis écrit{} dans « {} » (opinions/ et avis.csv).",
                clean_path(&opened.issuer_name),
                opened.sequence,
                clean_path(&opened.bundle_id),
                opened.manifest_digest,
                opened.opinions,
                if opened.opinions > 1 { "s" } else { "" },
                shown(&out)
            );
            for (id, bundle_id, at) in &opened.replacements {
                eprintln!(
                    "L'avis {} remplace celui envoyé le {} UTC (lot {}) : ne retenez que celui-ci.",
                    clean_path(id),
                    crate::rectorat::wire::datetime_text(at),
                    clean_path(bundle_id)
                );
            }
            if pdf {
                eprintln!(
                    "{} avis médical(aux) imprimable(s) écrit(s) dans « {} » (un PDF par avis, pour les espaces des candidats).",
                    opened.pdfs.len(),
                    shown(&out.join("pdf"))
                );
            }
            Ok(())
        }
    }
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
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

fn open_space(global: &GlobalArgs, dir: &Path) -> Result<Workspace, Failure> {
    if !Workspace::exists(dir) {
        return Err(crate::rectorat::RectoratError::NotInitialized(shown(dir)).into());
    }
    let passphrase = read_passphrase(global, false)?;
    Ok(Workspace::open(dir, &passphrase)?)
}

fn init(global: &GlobalArgs, dir: &Path, name: &str) -> Result<(), Failure> {
    // Refused before the passphrase is asked.
    let used = dir.exists()
        && (!dir.is_dir() || std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()));
    if used {
        return Err(crate::rectorat::RectoratError::NotEmpty(shown(dir)).into());
    }
    let passphrase = read_passphrase(global, true)?;
    let ws = Workspace::create(dir, &passphrase, name, &init_options())?;
    print_out(&format!(
        "Espace de travail du rectorat créé dans « {} »\nRectorat : {}\n\nClé de chiffrement (age) : {}\nClé de signature (minisign) : {}\nEmpreinte de la clé de signature : {}\n\nTransmettez aux médecins le fichier « {} » (ils l'acceptent avec « avis trust add ») et lisez-leur l'empreinte au téléphone.\nPuis inscrivez chaque médecin : « avis rectorat medecin ajouter --espace {} --cles SES_CLES.json ».\nConservez la phrase de passe : sans elle, l'espace ne peut pas être ouvert.",
        shown(dir),
        sanitize(ws.name()),
        ws.age_recipient(),
        ws.signing_key(),
        crate::store::fingerprint(ws.signing_key())?,
        shown(&ws.public_key_file()),
        shown(dir),
    ))
}

fn keys(global: &GlobalArgs, dir: &Path, json: bool) -> Result<(), Failure> {
    let ws = open_space(global, dir)?;
    let fingerprint = crate::store::fingerprint(ws.signing_key())?;
    let key_file = std::fs::read_to_string(ws.public_key_file()).unwrap_or_default();
    if json {
        print_json(&serde_json::json!({
            "name": ws.name(),
            "age_recipient": ws.age_recipient(),
            "signing_key": ws.signing_key(),
            "signing_key_file": key_file,
            "fingerprint": fingerprint,
        }))
    } else {
        print_out(&format!(
            "Rectorat : {}\nClé de chiffrement (age) : {}\nClé de signature (minisign) : {}\nEmpreinte : {fingerprint}\nFichier de clé publique à transmettre aux médecins : {}",
            sanitize(ws.name()),
            ws.age_recipient(),
            ws.signing_key(),
            shown(&ws.public_key_file())
        ))
    }
}

fn add_doctor(
    global: &GlobalArgs,
    dir: &Path,
    name: Option<String>,
    rpps: Option<String>,
    keys_file: &Path,
    age: Option<String>,
    last_sequence: u64,
) -> Result<(), Failure> {
    let text = read_text(keys_file, "le fichier de clés du médecin")?;
    let file = keys_from_file(&text)?;
    let name = name.or(file.name).ok_or_else(|| {
        Failure("nom du médecin manquant : indiquez-le avec --nom \"Dr Prénom Nom\"".into())
    })?;
    let age_recipient = age.or(file.age_recipient).ok_or_else(|| {
        Failure("clé de chiffrement du médecin manquante : indiquez-la avec --age age1… (« avis keys show » du médecin)".into())
    })?;
    let mut ws = open_space(global, dir)?;
    let doctor = ws.add_doctor(NewDoctor {
        name,
        rpps: rpps.or(file.rpps).filter(|r| !r.trim().is_empty()),
        age_recipient,
        signing_key: file.signing_key,
        last_sequence,
    })?;
    print_out(&format!(
        "Médecin inscrit : {}\nEmpreinte de sa clé de signature : {}\nVérifiez-la avec lui par téléphone (il la lit avec « avis keys show »).\nSon prochain lot portera la séquence {}.",
        doctor.label(),
        doctor.fingerprint(),
        doctor.last_sequence + 1
    ))
}

fn list_doctors(global: &GlobalArgs, dir: &Path, json: bool) -> Result<(), Failure> {
    let ws = open_space(global, dir)?;
    if json {
        let list: Vec<_> = ws
            .doctors()
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name,
                    "rpps": d.rpps,
                    "age_recipient": d.age_recipient,
                    "signing_key": d.signing_key,
                    "fingerprint": d.fingerprint(),
                    "last_sequence": d.last_sequence,
                    "added_at": d.added_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                })
            })
            .collect();
        return print_json(&serde_json::Value::Array(list));
    }
    if ws.doctors().is_empty() {
        return print_out(
            "Aucun médecin inscrit : « avis rectorat medecin ajouter » en inscrit un.",
        );
    }
    let mut out = String::from("Médecins inscrits :");
    for d in ws.doctors() {
        out.push_str(&format!(
            "\n  {} — empreinte {} — dernière séquence envoyée {}",
            d.label(),
            d.fingerprint(),
            d.last_sequence
        ));
    }
    print_out(&out)
}

fn send(
    global: &GlobalArgs,
    dir: &Path,
    spreadsheet: &Path,
    requests: &Path,
    out: Option<PathBuf>,
) -> Result<(), Failure> {
    let bytes = std::fs::read(spreadsheet).map_err(|e| {
        Failure(format!(
            "impossible de lire le fichier d'affectations « {} » : {e} ; vérifiez le chemin",
            shown(spreadsheet)
        ))
    })?;
    if !requests.join("requests").is_dir() {
        return Err(Failure(format!(
            "le dossier « {} » n'existe pas ; --demandes désigne l'export AMEX (DOSSIER/requests/<id>.json et DOSSIER/documents/)",
            shown(&requests.join("requests"))
        )));
    }
    let mut ws = open_space(global, dir)?;
    let out = out.unwrap_or_else(|| dir.join("envois"));
    let summary = ws.send(&bytes, requests, &out, chrono::Utc::now())?;
    let mut text = format!(
        "{} lot(s) signé(s) écrit(s) dans « {} » ({} pièce(s) en tout) :",
        summary.bundles.len(),
        shown(&out),
        summary.documents
    );
    for (doctor, sequence, count, path) in &summary.bundles {
        text.push_str(&format!(
            "\n  {doctor} : {count} demande(s), séquence {sequence}, « {} »",
            shown(path)
        ));
    }
    text.push_str("\nTransmettez chaque lot à son médecin ; « avis rectorat suivi » montre ce qui reste attendu.");
    print_out(&text)
}

fn receive(
    global: &GlobalArgs,
    dir: &Path,
    bundles: &[PathBuf],
    workbook_dir: Option<PathBuf>,
) -> Result<(), Failure> {
    let mut ws = open_space(global, dir)?;
    let now = chrono::Utc::now();
    let outcomes = ws.receive(bundles, now)?;
    let workbook_dir = workbook_dir.unwrap_or_else(|| dir.to_path_buf());
    let files = ws.write_workbook(&workbook_dir, now)?;
    let mut text = String::new();
    let mut refused = 0;
    for outcome in &outcomes {
        match outcome {
            BundleOutcome::Added {
                path,
                doctor,
                opinions,
                replaced,
                kept_newer,
            } => {
                text.push_str(&format!(
                    "« {} » : {opinions} avis de {doctor} ajoutés.\n",
                    shown(path)
                ));
                for (id, at) in replaced {
                    text.push_str(&format!(
                        "  l'avis de la demande {} remplace celui du {} UTC.\n",
                        clean_path(id),
                        datetime_text(at)
                    ));
                }
                for id in kept_newer {
                    text.push_str(&format!(
                        "  demande {} : l'avis déjà reçu est plus récent, il est gardé.\n",
                        clean_path(id)
                    ));
                }
            }
            BundleOutcome::AlreadyReceived {
                path, received_at, ..
            } => text.push_str(&format!(
                "« {} » : lot déjà reçu le {} UTC, rien de nouveau.\n",
                shown(path),
                datetime_text(received_at)
            )),
            BundleOutcome::Refused { path, message } => {
                refused += 1;
                eprintln!("« {} » refusé : {message}", shown(path));
            }
        }
    }
    for kept in &files.kept {
        text.push_str(&format!(
            "Le classeur avait été modifié à la main : votre version est gardée sous « {} ».\n",
            shown(kept)
        ));
    }
    text.push_str(&format!(
        "Classeur à jour : « {} » et « {} » ({} ligne(s)).",
        shown(&files.xlsx),
        shown(&files.csv),
        files.rows
    ));
    print_out(&text)?;
    if refused > 0 {
        return Err(Failure(format!(
            "{refused} lot(s) refusé(s) (voir ci-dessus), rien n'en a été ajouté ; les autres lots ont été reçus"
        )));
    }
    Ok(())
}

fn follow_up(
    global: &GlobalArgs,
    dir: &Path,
    response_days: i64,
    detail: bool,
    json: bool,
) -> Result<(), Failure> {
    let ws = open_space(global, dir)?;
    let settings = ws.settings()?;
    let report = ws.follow_up(today(global), response_days, &settings);
    if json {
        let value = serde_json::to_value(&report).map_err(|e| Failure(e.to_string()))?;
        return print_json(&value);
    }
    let date = |d: &chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let mut out = format!(
        "Suivi au {} (en retard : plus de {} jours sans avis, ou date limite des aménagements passée)",
        date(&report.date),
        report.response_days
    );
    if report.doctors.is_empty() {
        out.push_str("\nAucun médecin inscrit.");
    }
    for d in &report.doctors {
        let name = match &d.rpps {
            Some(rpps) => format!("{} (RPPS {rpps})", sanitize(&d.name)),
            None => sanitize(&d.name),
        };
        out.push_str(&format!(
            "\n\n{name}\n  envoyées {} · avis reçus {} · en attente {}{}",
            d.sent,
            d.received,
            d.outstanding,
            if d.overdue > 0 {
                format!(" · EN RETARD {}", d.overdue)
            } else {
                String::new()
            }
        ));
        if let Some(o) = d.oldest() {
            out.push_str(&format!(
                "\n  plus ancienne : {} envoyée le {} (il y a {} jours){}",
                clean_path(&o.request_id),
                date(&o.sent_on),
                o.days,
                match (o.exam_on, o.decide_by) {
                    (Some(exam), Some(by)) => format!(
                        " ; épreuves le {}, aménagements à décider avant le {}",
                        date(&exam),
                        date(&by)
                    ),
                    _ => String::new(),
                }
            ));
        }
        if detail {
            for o in &d.requests {
                out.push_str(&format!(
                    "\n    {}{} envoyée le {}",
                    if o.overdue { "[retard] " } else { "" },
                    clean_path(&o.request_id),
                    date(&o.sent_on)
                ));
            }
        }
    }
    print_out(&out)
}
