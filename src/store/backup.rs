//! Encrypted backup of the whole store into one file, and its restoration
//! into a new directory.
//!
//! A backup is a tar of the store directory (profile, key files, the sled
//! database after a flush, the bundle files), preceded by a small manifest
//! (`avis-sauvegarde.json`), encrypted with age to the doctor's passphrase
//! (scrypt, as `age -p` does it): the file and the passphrase are enough to
//! rebuild the store on a new computer (`age -d FILE | tar -t` lists it).
//! It is taken while the store is open, hence locked, so nothing changes
//! during the copy, and written atomically. Restoring extracts into a
//! private temporary directory beside the target, checks that the result
//! opens with the passphrase, then renames it into place: all or nothing.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::iter;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::db::Batch;
use super::fsutil;
use super::keys;
use super::{Result, Store, StoreError, StoreOptions};

/// First entry of a backup.
const MANIFEST: &str = "avis-sauvegarde.json";
const FORMAT: &str = "avis-backup";
const VERSION: u32 = 1;
const RESTORE_PREFIX: &str = ".avis-restore-";
/// Largest manifest accepted.
const MANIFEST_LIMIT: u64 = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    created_at: DateTime<Utc>,
    files: usize,
    bytes: u64,
}

/// What `avis sauvegarde` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupSummary {
    pub path: PathBuf,
    /// Files of the store copied.
    pub files: usize,
    /// Their total size before encryption.
    pub bytes: u64,
}

/// What `avis restaurer` brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreSummary {
    pub dir: PathBuf,
    pub files: usize,
    /// When the backup was taken.
    pub created_at: DateTime<Utc>,
}

/// Whether a file of the store directory is left out of a backup: the lock,
/// the failure counter and leftovers of interrupted writes.
fn skipped(name: &str) -> bool {
    name == "store.lock"
        || name == keys::FAILURES_FILE_NAME
        || name.starts_with(".avis-tmp-")
        || name.starts_with(".staging-")
        || name.starts_with(RESTORE_PREFIX)
}

/// Every directory and file to copy, relative to `root`, sorted.
fn collect(
    root: &Path,
    rel: &Path,
    dirs: &mut Vec<PathBuf>,
    files: &mut Vec<(PathBuf, u64)>,
) -> io::Result<()> {
    let mut entries: Vec<fs::DirEntry> =
        fs::read_dir(root.join(rel))?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if skipped(&name.to_string_lossy()) {
            continue;
        }
        let path = rel.join(&name);
        let ty = entry.file_type()?;
        if ty.is_dir() {
            dirs.push(path.clone());
            collect(root, &path, dirs, files)?;
        } else if ty.is_file() {
            files.push((path, entry.metadata()?.len()));
        }
    }
    Ok(())
}

fn header(size: u64, mode: u32, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(kind);
    h
}

impl Store {
    /// Writes an encrypted backup of the whole store to `out` (replacing an
    /// older backup there atomically). `passphrase` must be the store's: the
    /// backup is encrypted to it. Journals `backup`.
    pub fn backup(
        &self,
        out: &Path,
        passphrase: &SecretString,
        options: &StoreOptions,
    ) -> Result<BackupSummary> {
        keys::check_passphrase(&self.dir, passphrase)?;
        let out_dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let out_dir = out_dir
            .canonicalize()
            .map_err(StoreError::io("trouver le dossier de la sauvegarde"))?;
        let store_dir = self
            .dir
            .canonicalize()
            .map_err(StoreError::io("trouver le dossier du magasin"))?;
        if out_dir.starts_with(&store_dir) {
            return Err(StoreError::BackupInsideStore);
        }
        let out = out_dir.join(out.file_name().ok_or(StoreError::BackupInsideStore)?);
        self.db.flush()?;

        let mut dirs = Vec::new();
        let mut files = Vec::new();
        collect(&self.dir, Path::new(""), &mut dirs, &mut files)
            .map_err(StoreError::io("lire le dossier du magasin"))?;
        let bytes: u64 = files.iter().map(|(_, n)| n).sum();
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            created_at: Utc::now(),
            files: files.len(),
            bytes,
        };
        let manifest = serde_json::to_vec_pretty(&manifest)
            .map_err(|_| StoreError::Encode("manifeste de la sauvegarde"))?;
        // Refused before it starts when the destination obviously lacks room.
        fsutil::check_room(&out_dir, bytes).map_err(StoreError::io("écrire la sauvegarde"))?;
        let recipient = keys::scrypt_recipient(passphrase, options)?;
        let encryptor =
            age::Encryptor::with_recipients(iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| StoreError::Keys(format!("chiffrement de la sauvegarde : {e}")))?;
        let dir = &self.dir;
        fsutil::write_atomic_with(&out, "backup", |w| {
            let stream = encryptor.wrap_output(w)?;
            let mut tar = tar::Builder::new(stream);
            let mut h = header(manifest.len() as u64, 0o600, tar::EntryType::Regular);
            tar.append_data(&mut h, MANIFEST, &manifest[..])?;
            for d in &dirs {
                let mut h = header(0, 0o700, tar::EntryType::Directory);
                tar.append_data(&mut h, d, io::empty())?;
            }
            for (f, size) in &files {
                let file = File::open(dir.join(f))?;
                // The store is locked and flushed: sizes cannot change.
                let mut h = header(*size, 0o600, tar::EntryType::Regular);
                tar.append_data(&mut h, f, file.take(*size))?;
            }
            tar.into_inner()?.finish()?;
            Ok(())
        })
        .map_err(StoreError::io("écrire la sauvegarde"))?;

        let mut batch = Batch::default();
        batch.event(
            "backup",
            None,
            format!(
                "sauvegarde chiffrée du magasin écrite ({} fichier(s), {} Mo)",
                files.len(),
                bytes.div_ceil(1 << 20)
            ),
        );
        self.db.write(&self.secrets.keys, &batch, "backup")?;
        Ok(BackupSummary {
            path: out,
            files: files.len(),
            bytes,
        })
    }

    /// Restores a backup written by [`Store::backup`] into `target`, which
    /// must not exist or be an empty directory; all or nothing (a temporary
    /// directory beside `target`, checked, then renamed). Journals `restore`
    /// in the restored store.
    pub fn restore(
        backup: &Path,
        target: &Path,
        passphrase: &SecretString,
    ) -> Result<RestoreSummary> {
        match fs::read_dir(target) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(StoreError::RestoreTargetNotEmpty(target.to_path_buf()));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                return Err(StoreError::RestoreTargetNotEmpty(target.to_path_buf()))
            }
            Err(e) => {
                return Err(StoreError::Io {
                    what: "lire le dossier de destination",
                    source: e,
                })
            }
        }
        let file = File::open(backup).map_err(StoreError::io("ouvrir la sauvegarde"))?;
        let decryptor = age::Decryptor::new(BufReader::new(file))
            .map_err(|_| StoreError::NotABackup("format non reconnu"))?;
        if !decryptor.is_scrypt() {
            return Err(StoreError::NotABackup("non chiffré par phrase de passe"));
        }
        let identity = keys::scrypt_identity(passphrase);
        let reader = match decryptor.decrypt(iter::once(&identity as &dyn age::Identity)) {
            Ok(r) => r,
            Err(age::DecryptError::ExcessiveWork { .. }) => {
                return Err(StoreError::Keys(
                    "la protection de la sauvegarde demande trop de calcul pour cet ordinateur"
                        .into(),
                ))
            }
            Err(
                age::DecryptError::DecryptionFailed
                | age::DecryptError::NoMatchingKeys
                | age::DecryptError::KeyDecryptionFailed,
            ) => return Err(StoreError::WrongPassphrase),
            Err(_) => return Err(StoreError::NotABackup("en-tête endommagé")),
        };

        fsutil::private_umask();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(StoreError::io("créer le dossier de destination"))?;
        // Copies left by a restoration that was killed.
        sweep_in(&parent);
        let tmp = tempfile::Builder::new()
            .prefix(RESTORE_PREFIX)
            .tempdir_in(&parent)
            .map_err(StoreError::io("préparer la restauration"))?;
        fsutil::private_dir(tmp.path()).map_err(StoreError::io("préparer la restauration"))?;
        // Held while the copy is in use, so that no other sweep removes it.
        let _in_use = lock_dir(tmp.path())
            .ok()
            .flatten()
            .ok_or_else(|| StoreError::Io {
                what: "préparer la restauration",
                source: io::Error::from(io::ErrorKind::WouldBlock),
            })?;
        let (manifest, files) = extract(reader, tmp.path())?;
        for name in keys::KEY_FILES {
            if !tmp.path().join(name).is_file() {
                return Err(StoreError::NotABackup("fichiers de clés absents"));
            }
        }
        fsutil::test_point("restore:extracted");

        // The restored store must open with the passphrase.
        let store = Store::open(tmp.path(), passphrase, &StoreOptions::default())?;
        let mut batch = Batch::default();
        batch.event(
            "restore",
            None,
            format!(
                "magasin restauré depuis la sauvegarde du {}",
                manifest.created_at.format("%Y-%m-%d %H:%M UTC")
            ),
        );
        store.db.write(&store.secrets.keys, &batch, "restore")?;
        store.lock()?;
        fsutil::test_point("restore:checked");

        if target.exists() {
            fs::remove_dir(target).map_err(|e| {
                if e.kind() == io::ErrorKind::DirectoryNotEmpty {
                    StoreError::RestoreTargetNotEmpty(target.to_path_buf())
                } else {
                    StoreError::Io {
                        what: "remplacer le dossier vide de destination",
                        source: e,
                    }
                }
            })?;
        }
        fs::rename(tmp.path(), target)
            .map_err(StoreError::io("mettre en place le magasin restauré"))?;
        let _ = tmp.keep();
        fsutil::sync_dir(&parent).map_err(StoreError::io("mettre en place le magasin restauré"))?;
        Ok(RestoreSummary {
            dir: target.to_path_buf(),
            files,
            created_at: manifest.created_at,
        })
    }
}

/// An exclusive lock on the directory `dir` (`Ok(None)` if held elsewhere).
fn lock_dir(dir: &Path) -> io::Result<Option<File>> {
    use std::os::unix::io::AsRawFd;
    let file = File::open(dir)?;
    // SAFETY: flock on a valid, owned descriptor has no memory effects.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        Ok(Some(file))
    } else {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::WouldBlock {
            Ok(None)
        } else {
            Err(err)
        }
    }
}

/// Removes the staging copies (`.avis-restore-*`) of restorations killed
/// in `parent`; a copy still in use (locked) is left alone. Best effort.
fn sweep_in(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_copy = name.to_string_lossy().starts_with(RESTORE_PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if is_copy {
            if let Ok(Some(_lock)) = lock_dir(&entry.path()) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// At a store's opening: the staging copies of killed restorations beside
/// the store directory.
pub(crate) fn sweep_restore_copies(store_dir: &Path) {
    let parent = match store_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    sweep_in(&parent);
}

/// Flushes the entries of `dir` and of its subdirectories to disk.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    fsutil::sync_dir(dir)
}

/// Whether a path from a backup stays inside the restored directory.
fn safe_path(path: &Path) -> bool {
    path.components().all(|c| matches!(c, Component::Normal(_)))
        && path.components().next().is_some()
}

/// Extracts the tar stream of a backup into `dir`; returns its manifest and
/// the number of files. Reading errors (a truncated or altered backup) are
/// [`StoreError::NotABackup`]; writing errors (a full disk) are I/O errors.
fn extract(reader: impl Read, dir: &Path) -> Result<(Manifest, usize)> {
    let damaged = || StoreError::NotABackup("sauvegarde tronquée ou modifiée");
    let mut archive = tar::Archive::new(reader);
    let mut manifest: Option<Manifest> = None;
    let mut files = 0usize;
    {
        let entries = archive.entries().map_err(|_| damaged())?;
        for entry in entries {
            let mut entry = entry.map_err(|_| damaged())?;
            let path = entry.path().map_err(|_| damaged())?.into_owned();
            if manifest.is_none() {
                if path != Path::new(MANIFEST) || entry.size() > MANIFEST_LIMIT {
                    return Err(StoreError::NotABackup("manifeste absent"));
                }
                let mut text = Vec::new();
                entry.read_to_end(&mut text).map_err(|_| damaged())?;
                let m: Manifest = serde_json::from_slice(&text)
                    .map_err(|_| StoreError::NotABackup("manifeste illisible"))?;
                if m.format != FORMAT || m.version != VERSION {
                    return Err(StoreError::NotABackup("version de sauvegarde inconnue"));
                }
                // The files, and a margin for what opening the store writes.
                fsutil::check_room(dir, m.bytes.saturating_add(1 << 20))
                    .map_err(StoreError::io("écrire le magasin restauré"))?;
                manifest = Some(m);
                continue;
            }
            if !safe_path(&path) {
                return Err(StoreError::NotABackup("chemin interdit"));
            }
            let dest = dir.join(&path);
            match entry.header().entry_type() {
                tar::EntryType::Directory => {
                    fsutil::private_dir(&dest)
                        .map_err(StoreError::io("écrire le magasin restauré"))?;
                }
                tar::EntryType::Regular => {
                    if let Some(p) = dest.parent() {
                        fsutil::private_dir(p)
                            .map_err(StoreError::io("écrire le magasin restauré"))?;
                    }
                    let mut out = fsutil::create_private(&dest)
                        .map_err(StoreError::io("écrire le magasin restauré"))?;
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = entry.read(&mut buf).map_err(|_| damaged())?;
                        if n == 0 {
                            break;
                        }
                        out.write_all(&buf[..n])
                            .map_err(StoreError::io("écrire le magasin restauré"))?;
                    }
                    out.sync_all()
                        .map_err(StoreError::io("écrire le magasin restauré"))?;
                    files += 1;
                }
                _ => return Err(StoreError::NotABackup("entrée inattendue")),
            }
        }
    }
    // Read to the end so that age authenticates the last chunk (truncation).
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(|_| damaged())?;
    let manifest = manifest.ok_or(StoreError::NotABackup("manifeste absent"))?;
    if files != manifest.files {
        return Err(damaged());
    }
    sync_tree(dir).map_err(StoreError::io("écrire le magasin restauré"))?;
    Ok((manifest, files))
}
