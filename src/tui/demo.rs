//! The demo store: created in a private temporary directory with the demo
//! keys compiled into the binary, the demo rectorat trusted, and the demo
//! bundle imported. Public, synthetic data: a low KDF work factor and a
//! fixed passphrase are fine.

use std::path::Path;

use crate::store::Store;

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

/// Creates the demo store in `dir` and imports the demo bundle.
pub fn create_demo_store(
    _dir: &Path,
    _assets: &DemoAssets,
    _progress: &mut dyn FnMut(u64, u64),
) -> Result<Store, String> {
    Err("la démonstration n'est pas encore disponible dans cette version".into())
}
