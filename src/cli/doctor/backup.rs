//! `avis sauvegarde -o FILE` and `avis restaurer FILE`: an encrypted backup
//! of the whole store, and its restoration on a new computer.

use super::{BackupArgs, RestoreArgs};
use crate::cli::common::{
    init_options, open_store_keeping_passphrase, print_out, read_passphrase, store_dir,
};
use crate::cli::{Failure, GlobalArgs};
use crate::store::Store;

/// Runs `avis sauvegarde`.
pub fn run_backup(global: &GlobalArgs, args: BackupArgs) -> Result<(), Failure> {
    let (store, passphrase) = open_store_keeping_passphrase(global)?;
    let summary = store.backup(&args.output, &passphrase, &init_options())?;
    store.lock()?;
    print_out(&format!(
        "Sauvegarde chiffrée écrite : {} ({} fichier(s), {} Mo avant chiffrement).\n\
         Elle s'ouvre avec votre phrase de passe actuelle : gardez-la hors de cet ordinateur (clé USB, disque externe), \
         et la phrase de passe ailleurs. Pour la restaurer : « avis restaurer FICHIER --store NOUVEAU_DOSSIER ».",
        summary.path.display(),
        summary.files,
        summary.bytes.div_ceil(1 << 20)
    ))
}

/// Runs `avis restaurer`.
pub fn run_restore(global: &GlobalArgs, args: RestoreArgs) -> Result<(), Failure> {
    if !args.backup.is_file() {
        return Err(Failure(format!(
            "sauvegarde introuvable : {} ; vérifiez le chemin du fichier",
            args.backup.display()
        )));
    }
    let target = store_dir(global)?;
    if Store::exists(&target) {
        return Err(crate::store::StoreError::RestoreTargetNotEmpty(target).into());
    }
    let passphrase = read_passphrase(global, false)?;
    let summary = Store::restore(&args.backup, &target, &passphrase)?;
    print_out(&format!(
        "Magasin restauré dans {} ({} fichier(s), sauvegarde du {}).\n\
         Il s'ouvre avec la phrase de passe de la sauvegarde ; vérifiez-le avec « avis list » et « avis journal verify ».",
        summary.dir.display(),
        summary.files,
        summary.created_at.format("%d/%m/%Y à %H:%M UTC")
    ))
}
