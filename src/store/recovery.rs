//! Recovery files: a draft that could not be saved when the doctor quit is
//! kept in `secours/` inside the store, sealed under the store's data key
//! (never in the clear), and saved back into the store at the next unlock.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{fsutil, Result, Store, StoreError};
use crate::domain::Draft;

/// The sealed slot of recovery files.
const TREE: &str = "recovery";
/// The folder of recovery files, inside the store.
const DIR: &str = "secours";

#[derive(Serialize, Deserialize)]
struct Kept {
    id: String,
    draft: Draft,
}

impl Store {
    /// Keeps the draft of `id` in a new recovery file; returns its path.
    /// Fails (changing nothing else) when the store's folder is gone or
    /// cannot be written.
    pub fn keep_recovery(&self, id: &str, draft: &Draft) -> Result<PathBuf> {
        let dir = self.dir.join(DIR);
        if !dir.is_dir() {
            std::fs::create_dir(&dir)
                .map_err(StoreError::io("créer le dossier des fichiers de secours"))?;
            fsutil::tighten(&dir).map_err(StoreError::io("protéger le dossier de secours"))?;
        }
        let stamp = chrono::Utc::now().timestamp_micros();
        let name = format!("brouillon-{stamp}.secours");
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&Kept {
                id: id.to_string(),
                draft: draft.clone(),
            })
            .map_err(|_| StoreError::Corrupt("brouillon impossible à sérialiser"))?,
        );
        let sealed = self.secrets.keys.seal(TREE, name.as_bytes(), &plain)?;
        let path = dir.join(&name);
        fsutil::write_atomic(&path, &sealed)
            .map_err(StoreError::io("écrire le fichier de secours"))?;
        Ok(path)
    }

    /// Saves back the drafts kept in recovery files and deletes each file
    /// once its draft is in the store; returns how many were taken back.
    /// A file this store cannot open is left in place.
    pub fn take_recoveries(&self) -> Result<usize> {
        let dir = self.dir.join(DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with("brouillon-") && n.ends_with(".secours"))
            .collect();
        names.sort();
        let mut taken = 0;
        for name in names {
            let path = dir.join(&name);
            let sealed =
                std::fs::read(&path).map_err(StoreError::io("lire un fichier de secours"))?;
            let Some(plain) = self.secrets.keys.open(TREE, name.as_bytes(), &sealed) else {
                continue;
            };
            let Ok(kept) = serde_json::from_slice::<Kept>(&plain) else {
                continue;
            };
            self.save_draft(&kept.id, &kept.draft)?;
            std::fs::remove_file(&path).map_err(StoreError::io("effacer un fichier de secours"))?;
            taken += 1;
        }
        Ok(taken)
    }
}
