//! The demo store: created in a private temporary directory with the demo
//! keys compiled into the binary, the demo rectorat trusted, and the demo
//! bundle imported. Public, synthetic data: a low KDF work factor and a
//! fixed passphrase are fine.

use std::path::Path;

use secrecy::SecretString;

use crate::store::{ImportOptions, Store, StoreOptions};

use super::worker::DemoAssets;

/// The fixed passphrase of the throw-away demo store.
pub const DEMO_PASSPHRASE: &str = "demonstration";

/// Restricts a directory to its owner (0700).
pub fn make_private(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|_| {
            "impossible de protéger le dossier temporaire de la démonstration : vérifiez les droits du dossier temporaire".to_string()
        })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates the demo store in `dir/magasin`, trusts the demo rectorat and
/// imports the demo bundle (written, still encrypted, to `dir`).
pub fn create_demo_store(
    dir: &Path,
    assets: &DemoAssets,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Store, String> {
    let passphrase = SecretString::from(DEMO_PASSPHRASE.to_string());
    let options = StoreOptions {
        kdf_log_n: Some(10),
    };
    let store = Store::init_with_keys(
        &dir.join("magasin"),
        &passphrase,
        "Dr Claire Martin (démo)",
        None,
        assets.identity,
        assets.minisign_secret,
        &options,
    )
    .map_err(|e| format!("la démonstration n'a pas pu créer son magasin : {e}"))?;
    store
        .trust_add(
            assets.rectorat_pub,
            "Rectorat d'Aix-Marseille - DIEC (démo)",
        )
        .map_err(|e| format!("la démonstration n'a pas pu accepter la clé du rectorat : {e}"))?;
    let bundle = dir.join("demo.avis");
    std::fs::write(&bundle, assets.bundle).map_err(|_| {
        "la démonstration n'a pas pu écrire son lot dans le dossier temporaire : vérifiez l'espace disque".to_string()
    })?;
    store
        .import(&bundle, &ImportOptions::default(), &mut |p| {
            progress(p.done, p.total)
        })
        .map_err(|e| format!("la démonstration n'a pas pu importer ses dossiers : {e}"))?;
    let _ = std::fs::remove_file(&bundle);
    Ok(store)
}
