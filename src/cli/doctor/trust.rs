//! `avis trust add|list`: the rectorat signing keys accepted for import.

use std::io::Read;

use super::{TrustArgs, TrustCommand};
use crate::cli::common::{open_store, print_json, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};

/// A `.pub` file is a few lines.
const MAX_PUB_FILE: u64 = 16 * 1024;

/// The minisign key id (as `minisign` prints it) of a base64 public key.
fn key_id(signing_key: &str) -> String {
    minisign::PublicKey::from_base64(signing_key)
        .map(|pk| {
            let mut id = [0u8; 8];
            id.copy_from_slice(&pk.to_bytes()[2..10]);
            format!("{:016X}", u64::from_le_bytes(id))
        })
        .unwrap_or_default()
}

/// Runs `avis trust`.
pub fn run(global: &GlobalArgs, args: TrustArgs) -> Result<(), Failure> {
    match args.command {
        TrustCommand::Add { pubkey_file, name } => {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(Failure(
                    "nom du rectorat vide : indiquez-le avec --name".into(),
                ));
            }
            let mut text = String::new();
            std::fs::File::open(&pubkey_file)
                .and_then(|f| f.take(MAX_PUB_FILE).read_to_string(&mut text))
                .map_err(|e| {
                    Failure(format!(
                        "impossible de lire {} : {e} ; vérifiez le chemin du fichier .pub",
                        pubkey_file.display()
                    ))
                })?;
            let store = open_store(global)?;
            let signer = store.trust_add(&text, &name)?;
            print_out(&format!(
                "Clé de signature acceptée pour « {} ».\nEmpreinte : {}\nIdentifiant minisign : {}\nVérifiez cette empreinte par téléphone avec le rectorat avant d'importer ses lots.",
                sanitize(&signer.name),
                signer.fingerprint,
                key_id(&signer.signing_key)
            ))
        }
        TrustCommand::List(flag) => {
            let store = open_store(global)?;
            let signers = store.trusted()?;
            if flag.json {
                return print_json(
                    &serde_json::to_value(&signers).map_err(|e| Failure(e.to_string()))?,
                );
            }
            if signers.is_empty() {
                return print_out(
                    "Aucune clé de rectorat acceptée : ajoutez-en une avec « avis trust add FICHIER.pub --name NOM ».",
                );
            }
            let mut text = String::new();
            for s in &signers {
                text.push_str(&format!(
                    "{}\n  clé : {}\n  empreinte : {}\n  acceptée le {}\n",
                    sanitize(&s.name),
                    s.signing_key,
                    s.fingerprint,
                    s.added_at.format("%d/%m/%Y")
                ));
            }
            print_out(text.trim_end())
        }
    }
}
