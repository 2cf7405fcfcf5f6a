//! `avis init`: creates the store and the doctor's keys.

use super::InitArgs;
use crate::cli::common::{init_options, print_out, read_passphrase, sanitize, store_dir};
use crate::cli::{Failure, GlobalArgs};
use crate::store::{fingerprint, Store, StoreError};

/// Runs `avis init`.
pub fn run(global: &GlobalArgs, args: InitArgs) -> Result<(), Failure> {
    let dir = store_dir(global)?;
    if Store::exists(&dir) {
        return Err(StoreError::AlreadyInitialized(dir).into());
    }
    let name = args.name.trim();
    if name.is_empty() {
        return Err(Failure(
            "nom du médecin vide : indiquez-le avec --name \"Dr Prénom Nom\"".into(),
        ));
    }
    let rpps = args
        .rpps
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = rpps {
        if !r.chars().all(|c| c.is_ascii_digit()) {
            return Err(Failure(
                "numéro RPPS invalide : il ne contient que des chiffres (11 en général)".into(),
            ));
        }
    }
    let passphrase = read_passphrase(global, true)?;
    let store = Store::init(&dir, &passphrase, name, rpps, &init_options())?;
    let keys = store.public_keys();
    let fp = fingerprint(&keys.signing_key)?;
    print_out(&format!(
        "Magasin créé dans {}\nMédecin : {}\n\nClé de chiffrement (age) : {}\nClé de signature (minisign) : {}\nEmpreinte de la clé de signature : {fp}\n\nTransmettez ces clés publiques au rectorat (« avis keys show »), puis acceptez la sienne (« avis trust add »).\nConservez votre phrase de passe : sans elle, le magasin ne peut pas être ouvert.",
        dir.display(),
        sanitize(name),
        keys.age_recipient,
        keys.signing_key,
    ))?;
    store.lock()?;
    Ok(())
}
