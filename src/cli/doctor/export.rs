//! `avis export [-o FICHIER | --dossier DOSSIER] [--remplacer]`: signs and
//! encrypts the validated avis; an existing file is never replaced unless
//! `--remplacer`.

use super::ExportArgs;
use crate::cli::common::{open_store, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};
use crate::store::ExportOptions;

/// Runs `avis export`.
pub fn run(global: &GlobalArgs, args: ExportArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    let options = ExportOptions {
        again: args.encore.clone(),
        replace: args.remplacer,
    };
    let files = match (&args.output, &args.dossier) {
        (Some(file), _) => store.export(file, &options, &mut |_| {})?,
        (None, Some(dir)) => {
            store.set_export_folder(dir)?;
            store.export_to_folder(dir, &options, &mut |_| {})?
        }
        (None, None) => match store.export_folder()? {
            Some(dir) => store.export_to_folder(&dir, &options, &mut |_| {})?,
            None => {
                return Err(Failure(
                    "aucun dossier des exports choisi : indiquez-le une fois avec « avis export --dossier DOSSIER » (il est retenu pour les exports suivants), ou un fichier avec -o FICHIER"
                        .into(),
                ))
            }
        },
    };
    for f in &files {
        print_out(&format!(
            "Lot d'avis écrit : {} ({} avis pour {})",
            sanitize(&f.path.to_string_lossy()),
            f.opinions,
            sanitize(&f.issuer_name)
        ))?;
    }
    print_out("Transmettez ce fichier au rectorat ; il est chiffré pour lui et signé par vous.")
}
