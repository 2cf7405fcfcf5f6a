//! `avis demo` and `avis` without a subcommand: the TUI, on the shipped
//! demo data in a throw-away store, or on the doctor's own store.

use super::{Failure, GlobalArgs};
use crate::tui::worker::DemoAssets;
use crate::tui::TuiOptions;

fn options(global: &GlobalArgs) -> TuiOptions {
    TuiOptions {
        today: super::common::today(global),
        passphrase_file: global.passphrase_file.clone(),
    }
}

/// `avis`: the TUI on the doctor's store (created by its welcome screen on
/// the first run).
pub fn run_store(global: &GlobalArgs) -> Result<(), Failure> {
    let dir = super::common::store_dir(global)?;
    // With no store, the TUI opens on its welcome screen, which creates it.
    crate::tui::run(dir, &options(global)).map_err(Failure)
}

/// `avis demo`.
pub fn run(global: &GlobalArgs) -> Result<(), Failure> {
    crate::tui::run_demo(assets(), &options(global)).map_err(Failure)
}

/// The demo bundle and keys, compiled into the binary.
pub fn assets() -> DemoAssets {
    DemoAssets {
        bundle: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.avis")),
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
