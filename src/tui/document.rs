//! Documents on the worker side: turning decrypted bytes into something the
//! terminal can show (a PDF's text page by page), and the explicit external
//! viewer through a private copy (0600, random name) in a private directory
//! of ours (0700, checked), deleted when the viewer exits or the request is
//! left, and swept at the next start if avis was killed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use std::sync::mpsc::Sender;

use ratatui_image::picker::Picker;
use tempfile::TempPath;
use zeroize::Zeroizing;

use crate::pieces::session::{Session, SessionCommand};
use crate::pieces::{Fit, RenderSpec, Rotation};

use super::event::Event;
use super::worker::{DocumentContent, WorkerEvent};

/// The pièces' session as the worker drives it: the decrypted bytes go to
/// a thread of their own ([`crate::pieces::session`]) whose replies come
/// back as [`WorkerEvent::Piece`], so that neither the worker nor the UI
/// ever waits for a decoder.
pub struct Pieces {
    session: Option<Session>,
    events: Sender<Event>,
    /// Pixels of one terminal cell: the font size for a pixel protocol,
    /// 1×2 for half blocks.
    cell: (u32, u32),
}

/// What the viewer asks of the pièces' session (through the worker).
#[derive(Debug, Clone, PartialEq)]
pub enum PieceRequest {
    /// Renders `page` for a view of `cells` (columns, rows).
    Render {
        doc: String,
        page: usize,
        rotation: Rotation,
        fit: Fit,
        zoom: f32,
        cells: (u16, u16),
    },
    Text {
        doc: String,
        page: usize,
    },
    /// Forgets the open pièce (its decrypted bytes and pages).
    Close,
}

impl Pieces {
    pub fn new(events: Sender<Event>, picker: Option<&Picker>) -> Pieces {
        let cell = picker
            .map(|p| {
                let (w, h) = p.font_size();
                (u32::from(w.max(1)), u32::from(h.max(1)))
            })
            .unwrap_or((1, 2));
        Pieces {
            session: None,
            events,
            cell,
        }
    }

    fn session(&mut self) -> Option<&Session> {
        if self.session.is_none() {
            let events = self.events.clone();
            self.session = Session::spawn(move |e| {
                let _ = events.send(Event::Worker(WorkerEvent::Piece(e).into()));
            })
            .ok();
        }
        self.session.as_ref()
    }

    /// Opens decrypted bytes (the reply is [`SessionEvent::Opened`] or
    /// [`SessionEvent::OpenFailed`]); `false` if no thread could start.
    pub fn open(&mut self, doc: String, bytes: Zeroizing<Vec<u8>>, media_type: String) -> bool {
        match self.session() {
            Some(s) => {
                s.send(SessionCommand::Open {
                    doc,
                    bytes,
                    media_type,
                });
                true
            }
            None => false,
        }
    }

    /// Passes a request on (never waits).
    pub fn request(&mut self, request: PieceRequest) {
        let cell = self.cell;
        let command = match request {
            PieceRequest::Render {
                doc,
                page,
                rotation,
                fit,
                zoom,
                cells,
            } => SessionCommand::Render {
                doc,
                page,
                spec: RenderSpec {
                    rotation,
                    fit,
                    zoom,
                    view: (
                        u32::from(cells.0.max(1)) * cell.0,
                        u32::from(cells.1.max(1)) * cell.1,
                    ),
                },
            },
            PieceRequest::Text { doc, page } => SessionCommand::Text { doc, page },
            PieceRequest::Close => {
                if let Some(s) = self.session.as_ref() {
                    s.send(SessionCommand::Close);
                }
                return;
            }
        };
        if let Some(s) = self.session() {
            s.send(command);
        }
    }
}

/// What the worker sends once a pièce is decrypted: the session opens it.
pub fn opening(
    pieces: &mut Pieces,
    doc: &str,
    bytes: Zeroizing<Vec<u8>>,
    media_type: &str,
) -> DocumentContent {
    if pieces.open(doc.to_string(), bytes, media_type.to_string()) {
        DocumentContent::Opening
    } else {
        DocumentContent::Unavailable(
            "la pièce n'a pas pu être ouverte (ressources du système épuisées) : touche o pour la visionneuse du système".into(),
        )
    }
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

/// What an external viewer reads: an anonymous file in memory (Linux), or
/// a private temporary file.
enum Held {
    Temp(TempPath),
    /// Kept open (never read here): the viewer reads its inherited copy.
    #[cfg(target_os = "linux")]
    Memory(#[allow(dead_code)] std::fs::File),
}

impl Held {
    fn exists(&self) -> bool {
        match self {
            Held::Temp(p) => p.exists(),
            #[cfg(target_os = "linux")]
            Held::Memory(_) => true,
        }
    }
}

/// A copy shown by an external viewer; dropping it deletes the file (if
/// the viewer's exit has not already), or closes the memory file.
pub struct ExternalCopy {
    path: Arc<Mutex<Option<Held>>>,
    /// Shown from memory: nothing was written to disk.
    pub in_memory: bool,
}

impl ExternalCopy {
    /// Whether the copy still exists (not yet deleted on the viewer's exit).
    pub fn is_present(&self) -> bool {
        self.path
            .lock()
            .map(|p| p.as_ref().is_some_and(Held::exists))
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

/// Opens `bytes` with the system viewer ([`VIEWER_ENV`], or `xdg-open` /
/// `open`). A viewer of the doctor's choosing ([`VIEWER_ENV`]) is handed,
/// on Linux, an anonymous sealed file in memory (`memfd_create`, read as
/// `/proc/self/fd/N` by the child that inherits it): nothing is written to
/// disk. Otherwise, or if that fails, a private copy in the viewer's
/// directory (`xdg-open` passes files on to programs that may not inherit
/// the memory file).
pub fn open_external(bytes: &[u8], filename: &str) -> Result<ExternalCopy, String> {
    let viewer = std::env::var_os(VIEWER_ENV).filter(|v| !v.is_empty());
    #[cfg(target_os = "linux")]
    if let Some(program) = viewer.as_ref() {
        if let Some(file) = memory_copy(bytes) {
            if let Ok(copy) = launch_memory(file, program) {
                return Ok(copy);
            }
        }
    }
    let dir = viewer_dir()?;
    launch(private_copy(&dir, bytes, filename)?, viewer)
}

/// An anonymous file in memory holding `bytes`, sealed against any change.
#[cfg(target_os = "linux")]
fn memory_copy(bytes: &[u8]) -> Option<std::fs::File> {
    use std::io::{Seek, SeekFrom};
    use std::os::fd::FromRawFd;
    // SAFETY: a valid NUL-terminated name; the flags are constants.
    let fd = unsafe {
        libc::memfd_create(
            c"avis-piece".as_ptr(),
            libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` was just created and is owned by nobody else.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(bytes).ok()?;
    // SAFETY: fcntl on our own descriptor with constant arguments.
    let sealed = unsafe {
        libc::fcntl(
            fd,
            libc::F_ADD_SEALS,
            libc::F_SEAL_WRITE | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL,
        )
    };
    if sealed != 0 {
        return None;
    }
    file.seek(SeekFrom::Start(0)).ok()?;
    Some(file)
}

/// Starts `program` on the memory file, inherited by the child alone.
#[cfg(target_os = "linux")]
fn launch_memory(file: std::fs::File, program: &std::ffi::OsStr) -> std::io::Result<ExternalCopy> {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let fd = file.as_raw_fd();
    let mut command = Command::new(program);
    command
        .arg(format!("/proc/self/fd/{fd}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: between fork and exec, only fcntl (async-signal-safe) on a
    // descriptor that is open in the child.
    unsafe {
        command.pre_exec(move || {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags < 0 || libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    Ok(watch(child, Held::Memory(file), true, true))
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
    Ok(watch(child, Held::Temp(path), waitable, false))
}

/// Waits for the viewer on a thread; a waitable viewer's exit releases the
/// copy.
fn watch(child: std::process::Child, held: Held, waitable: bool, in_memory: bool) -> ExternalCopy {
    let shared = Arc::new(Mutex::new(Some(held)));
    let copy = ExternalCopy {
        path: Arc::clone(&shared),
        in_memory,
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
    copy
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_chosen_viewer_reads_the_piece_from_memory_and_nothing_is_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("lu");
        // The "viewer" copies what it is given, proving it could read it.
        let script = tmp.path().join("visionneuse");
        std::fs::write(
            &script,
            format!("#!/bin/sh\ncat \"$1\" > {}\n", out.display()),
        )
        .unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let file = memory_copy(b"%PDF-1.4 secret").unwrap();
        let shown = launch_memory(file, script.as_os_str()).unwrap();
        assert!(shown.in_memory);
        let start = std::time::Instant::now();
        while shown.is_present() && start.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1.4 secret");
        assert!(!shown.is_present(), "released when the viewer exits");
    }

    #[test]
    fn a_pdf_goes_through_the_session_and_comes_back_as_events() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut pieces = Pieces::new(tx, None);
        assert_eq!(
            opening(
                &mut pieces,
                "d",
                Zeroizing::new(b"%PDF-1.4 garbage".to_vec()),
                "application/pdf"
            ),
            DocumentContent::Opening
        );
        let event = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
        assert!(matches!(
            event,
            Event::Worker(super::super::worker::Reply {
                to: None,
                event: WorkerEvent::Piece(crate::pieces::session::SessionEvent::OpenFailed {
                    error: crate::pieces::PieceError::UnreadablePdf,
                    ..
                })
            })
        ));
    }
}
