//! `avis demo` and `avis` without a subcommand: the TUI, on the shipped
//! demo data in a throw-away store, or on the doctor's own store.

use std::path::PathBuf;

use super::{Failure, GlobalArgs};
use crate::tui::worker::DemoAssets;
use crate::tui::TuiOptions;

fn options(global: &GlobalArgs) -> TuiOptions {
    TuiOptions {
        today: global
            .date
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        passphrase_file: global.passphrase_file.clone(),
    }
}

/// The doctor's store directory: `--store`, or the platform data directory.
pub fn store_dir(global: &GlobalArgs) -> Result<PathBuf, Failure> {
    if let Some(dir) = &global.store {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("fr", "cdaph", "avis")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Failure(
                "dossier de données introuvable : indiquez le magasin avec --store DOSSIER".into(),
            )
        })
}

/// `avis`: the TUI on the doctor's store.
pub fn run_store(global: &GlobalArgs) -> Result<(), Failure> {
    let dir = store_dir(global)?;
    crate::tui::run(dir, &options(global)).map_err(Failure)
}

/// `avis demo`.
pub fn run(global: &GlobalArgs) -> Result<(), Failure> {
    crate::tui::run_demo(assets(), &options(global)).map_err(Failure)
}

/// The demo bundle and keys, compiled into the binary.
pub fn assets() -> DemoAssets {
    DemoAssets {
        bundle: &[],
        identity: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keys/demo-doctor.agekey"
        )),
        minisign_secret: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keys/demo-doctor.minisign.key"
        )),
        rectorat_pub: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keys/demo-rectorat.minisign.pub"
        )),
    }
}
