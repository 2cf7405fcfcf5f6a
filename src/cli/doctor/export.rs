//! `avis export -o FILE`: signs and encrypts the validated avis.

use super::ExportArgs;
use crate::cli::common::{open_store, print_out, sanitize};
use crate::cli::{Failure, GlobalArgs};
use crate::store::ExportOptions;

/// Runs `avis export`.
pub fn run(global: &GlobalArgs, args: ExportArgs) -> Result<(), Failure> {
    let store = open_store(global)?;
    let files = store.export(
        &args.output,
        &ExportOptions {
            again: args.encore.clone(),
        },
        &mut |_| {},
    )?;
    for f in &files {
        print_out(&format!(
            "Lot d'avis écrit : {} ({} avis pour {})",
            f.path.display(),
            f.opinions,
            sanitize(&f.issuer_name)
        ))?;
    }
    print_out("Transmettez ce fichier au rectorat ; il est chiffré pour lui et signé par vous.")
}
