//! `avis keys passphrase`: changes the passphrase that protects the
//! doctor's identity (the store is re-encrypted in one atomic step).

use super::PassphraseArgs;
use crate::cli::common::{
    init_options, print_out, read_current_passphrase, read_new_passphrase, store_dir,
};
use crate::cli::{Failure, GlobalArgs};
use crate::store::{Store, StoreError, StoreOptions};

/// Runs `avis keys passphrase`.
pub fn run(global: &GlobalArgs, args: PassphraseArgs) -> Result<(), Failure> {
    let dir = store_dir(global)?;
    if !Store::exists(&dir) {
        return Err(StoreError::NotInitialized(dir).into());
    }
    let old = read_current_passphrase(global)?;
    // Checks the current passphrase before asking for the new one.
    let store = Store::open(&dir, &old, &StoreOptions::default())?;
    let new = read_new_passphrase(args.new_passphrase_file.as_deref())?;
    store.change_passphrase(&old, &new, &init_options())?;
    store.lock()?;
    print_out(
        "Phrase de passe changée : l'ancienne n'ouvre plus le magasin.\n\
         Les sauvegardes faites avant restent protégées par l'ancienne : refaites une sauvegarde (« avis sauvegarde -o FICHIER »).",
    )
}
