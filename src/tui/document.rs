//! Documents on the worker side: turning decrypted bytes into something the
//! terminal can show (a PDF's text page by page), and the explicit external
//! viewer through a private copy (0600, random name) in a private directory
//! of ours (0700, checked), deleted when the viewer exits or the request is
//! left, and swept at the next start if avis was killed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use tempfile::TempPath;

use super::worker::DocumentContent;

/// What the viewer shows for these bytes (run on the worker; never panics:
/// a malformed PDF is reported, not fatal).
pub fn render_content(bytes: &[u8], media_type: &str) -> DocumentContent {
    let is_pdf = media_type.eq_ignore_ascii_case("application/pdf") || bytes.starts_with(b"%PDF");
    if is_pdf {
        let owned = bytes.to_vec();
        let result =
            std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem_by_pages(&owned));
        return match result {
            Ok(Ok(pages)) if pages.iter().any(|p| !p.trim().is_empty()) => {
                DocumentContent::Pages(pages)
            }
            Ok(Ok(_)) => DocumentContent::Unavailable(
                "ce PDF ne contient pas de texte (document numérisé) : touche o pour l'ouvrir dans la visionneuse du système".into(),
            ),
            _ => DocumentContent::Unavailable(
                "le texte de ce PDF n'a pas pu être extrait : touche o pour l'ouvrir dans la visionneuse du système".into(),
            ),
        };
    }
    // Decoders of untrusted images must not take the worker down.
    let owned = bytes.to_vec();
    match std::panic::catch_unwind(move || super::image::decode(&owned)) {
        Ok(Some(image)) => return image,
        Ok(None) => {}
        Err(_) => {
            return DocumentContent::Unavailable(
                "cette image est illisible : touche o pour l'ouvrir dans la visionneuse du système"
                    .into(),
            )
        }
    }
    DocumentContent::Unavailable(
        "aperçu impossible dans le terminal pour ce type de pièce : touche o pour l'ouvrir dans la visionneuse du système".into(),
    )
}

/// A safe file extension taken from an untrusted file name.
fn extension(filename: &str) -> String {
    let ext = filename.rsplit('.').next().unwrap_or("");
    if ext.len() <= 5
        && !ext.is_empty()
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext != filename
    {
        format!(".{}", ext.to_ascii_lowercase())
    } else {
        ".bin".into()
    }
}

/// Name of the environment variable naming a viewer program that stays
/// open while the document is shown (for example `evince`): its copy is
/// deleted as soon as it exits. Without it, `xdg-open` (`open` on macOS) is
/// used, which returns at once: the copy lives until the request is left or
/// avis quits.
pub const VIEWER_ENV: &str = "AVIS_VISIONNEUSE";

const DIR_FAILED: &str = "le dossier privé des copies pour la visionneuse n'a pas pu être préparé : vérifiez le dossier temporaire (XDG_RUNTIME_DIR ou TMPDIR) et ses droits";

/// The private directory of the external viewer's copies:
/// `$XDG_RUNTIME_DIR/avis`, or `<temporary directory>/avis-<uid>`; created
/// 0700 and checked (see [`private_dir`]).
pub fn viewer_dir() -> Result<PathBuf, String> {
    let path = viewer_dir_path();
    private_dir(&path)?;
    Ok(path)
}

fn viewer_dir_path() -> PathBuf {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir());
    match runtime {
        Some(dir) => dir.join("avis"),
        None => std::env::temp_dir().join(format!("avis-{}", user_id())),
    }
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(not(unix))]
fn user_id() -> u32 {
    0
}

/// Creates `path` as a directory readable only by us (0700), or checks
/// that the existing one is a real directory (not a symbolic link) owned by
/// us, and restricts it to 0700.
pub fn private_dir(path: &Path) -> Result<(), String> {
    let refused = |why: &str| {
        format!("le dossier des copies pour la visionneuse est refusé ({why}) : supprimez-le puis réessayez")
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) => return Err(DIR_FAILED.into()),
            }
            std::fs::symlink_metadata(path).map_err(|_| DIR_FAILED.to_string())?
        }
        Err(_) => return Err(DIR_FAILED.into()),
    };
    if meta.file_type().is_symlink() {
        return Err(refused("c'est un lien symbolique"));
    }
    if !meta.is_dir() {
        return Err(refused("ce n'est pas un dossier"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.uid() != user_id() {
            return Err(refused("il appartient à un autre compte"));
        }
        if meta.mode() & 0o777 != 0o700 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
                .map_err(|_| DIR_FAILED.to_string())?;
        }
    }
    Ok(())
}

/// Deletes every file left in the viewer's directory (copies of an earlier
/// run that ended abruptly); returns how many. Subdirectories are left
/// alone; a missing directory is fine.
pub fn sweep(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Sweeps the viewer's directory at start-up, if it exists and is ours
/// (it is not created for that).
pub fn sweep_at_start() {
    let path = viewer_dir_path();
    if std::fs::symlink_metadata(&path).is_ok() && private_dir(&path).is_ok() {
        sweep(&path);
    }
}

/// Removes the viewer's directory if it is empty (on exit).
pub fn remove_dir_if_empty() {
    let path = viewer_dir_path();
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_dir(&path);
    }
}

/// Writes `bytes` to a new file of `dir` with a random name keeping the
/// (sanitised) extension, mode 0600. The returned path deletes the file
/// when dropped.
pub fn private_copy(dir: &Path, bytes: &[u8], filename: &str) -> Result<TempPath, String> {
    let failed = |_| {
        "la pièce n'a pas pu être préparée pour la visionneuse : vérifiez l'espace disque du dossier temporaire".to_string()
    };
    let ext = extension(filename);
    let mut builder = tempfile::Builder::new();
    builder.prefix("piece-").suffix(&ext).rand_bytes(16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut file = builder.tempfile_in(dir).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.flush().map_err(failed)?;
    Ok(file.into_temp_path())
}

/// A copy shown by an external viewer; dropping it deletes the file (if
/// the viewer's exit has not already).
pub struct ExternalCopy {
    path: Arc<Mutex<Option<TempPath>>>,
}

impl ExternalCopy {
    /// Whether the file still exists (not yet deleted on the viewer's exit).
    pub fn is_present(&self) -> bool {
        self.path
            .lock()
            .map(|p| p.as_ref().is_some_and(|p| p.exists()))
            .unwrap_or(false)
    }
}

impl Drop for ExternalCopy {
    fn drop(&mut self) {
        if let Ok(mut p) = self.path.lock() {
            p.take();
        }
    }
}

/// Writes `bytes` to a private copy in the viewer's directory and opens it
/// with the system viewer ([`VIEWER_ENV`], or `xdg-open` / `open`).
pub fn open_external(bytes: &[u8], filename: &str) -> Result<ExternalCopy, String> {
    let dir = viewer_dir()?;
    let viewer = std::env::var_os(VIEWER_ENV).filter(|v| !v.is_empty());
    launch(private_copy(&dir, bytes, filename)?, viewer)
}

/// Launches the viewer on `path`. A viewer of our own choosing is waited
/// for on a thread that deletes the copy when it exits.
fn launch(path: TempPath, viewer: Option<std::ffi::OsString>) -> Result<ExternalCopy, String> {
    let waitable = viewer.is_some();
    let opener = viewer.unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    let child = Command::new(&opener)
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| {
            format!(
                "aucune visionneuse du système n'a pu être lancée ({} introuvable) : installez-en une (ou indiquez-la dans {VIEWER_ENV}) ou consultez la pièce dans avis",
                opener.to_string_lossy()
            )
        })?;
    let shared = Arc::new(Mutex::new(Some(path)));
    let copy = ExternalCopy {
        path: Arc::clone(&shared),
    };
    let mut child = child;
    let waiter = move || {
        let _ = child.wait();
        if waitable {
            if let Ok(mut p) = shared.lock() {
                p.take();
            }
        }
    };
    // Without a thread the child is still reaped when the copy is dropped.
    let _ = std::thread::Builder::new()
        .name("avis-visionneuse".into())
        .spawn(waiter);
    Ok(copy)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_sanitised() {
        assert_eq!(extension("bilan.PDF"), ".pdf");
        assert_eq!(extension("x.\x1b[31m"), ".bin");
        assert_eq!(extension("sans"), ".bin");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn the_viewer_directory_is_0700_and_copies_are_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("avis");
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        // An existing directory too open is restricted again.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);

        let copy = private_copy(&dir, b"%PDF-1.4 secret", "bilan orthophonique.PDF").unwrap();
        let path: PathBuf = copy.to_path_buf();
        assert_eq!(path.parent(), Some(dir.as_path()));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.ends_with(".pdf"), "{name}");
        assert!(!name.contains("bilan"), "random name, not the document's");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 secret");
        let other = private_copy(&dir, b"x", "bilan orthophonique.PDF").unwrap();
        assert_ne!(other.to_path_buf(), path);
        drop(copy);
        assert!(!path.exists(), "dropping the copy deletes the file");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_or_non_directory_path_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("ailleurs");
        std::fs::create_dir(&target).unwrap();
        let link = tmp.path().join("avis");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = private_dir(&link).unwrap_err();
        assert!(err.contains("lien symbolique"), "{err}");
        let file = tmp.path().join("fichier");
        std::fs::write(&file, b"").unwrap();
        assert!(private_dir(&file).unwrap_err().contains("pas un dossier"));
    }

    #[test]
    fn leftovers_are_swept_at_the_next_start() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("avis");
        private_dir(&dir).unwrap();
        let kept = private_copy(&dir, b"secret", "a.pdf").unwrap();
        // A killed run leaves its copies behind.
        let left = kept.keep().unwrap();
        std::fs::write(dir.join("piece-old.png"), b"secret").unwrap();
        std::fs::create_dir(dir.join("sous-dossier")).unwrap();
        assert_eq!(sweep(&dir), 2);
        assert!(!left.exists());
        assert!(!dir.join("piece-old.png").exists());
        assert!(dir.join("sous-dossier").is_dir(), "only files are swept");
        assert_eq!(sweep(&tmp.path().join("absent")), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_waitable_viewer_deletes_the_copy_on_exit() {
        let tmp = tempfile::tempdir().unwrap();
        let copy = private_copy(tmp.path(), b"secret", "a.pdf").unwrap();
        let path = copy.to_path_buf();
        let shown = launch(copy, Some("true".into())).unwrap();
        let start = std::time::Instant::now();
        while shown.is_present() && start.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(!path.exists(), "deleted when the viewer exits");

        // A viewer that is still open: the copy stays until dropped.
        // (`sh` "shows" the copy by running it: it stays open one second.)
        let copy = private_copy(tmp.path(), b"sleep 1\n", "b.sh").unwrap();
        let path = copy.to_path_buf();
        let shown = launch(copy, Some("sh".into())).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(path.exists() && shown.is_present());
        drop(shown);
        assert!(!path.exists(), "deleted when the request is left");
    }

    #[test]
    fn garbage_pdf_is_reported_not_fatal() {
        let c = render_content(b"%PDF-1.4 garbage", "application/pdf");
        assert!(matches!(c, DocumentContent::Unavailable(_)));
    }
}
