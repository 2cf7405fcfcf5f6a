//! File-system helpers of the store: private directories and files (0700,
//! 0600), atomic writes, the store lock, and the fault-injection points the
//! crash tests use.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// Creates `dir` (and parents) if needed and makes it private (0700).
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Makes the files this process creates from now on private (umask 077):
/// sled creates its own files (segments, snapshots) after the store opened.
pub(crate) fn private_umask() {
    // SAFETY: umask only changes the process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
}

/// Makes every file under `dir` 0600 and every directory 0700.
pub(crate) fn tighten(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o700))?;
            tighten(&path)?;
        } else if ty.is_file() {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Flushes a directory's entries to disk (after a rename).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates a new private file (0600), failing if it exists.
pub(crate) fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .read(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Writes `bytes` to `path` atomically (temporary file in the same
/// directory, fsync, rename, fsync of the directory); the file is 0600.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".avis-tmp-")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o600))?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(&dir)
}

/// The exclusive lock on a store, held while it is open.
pub(crate) struct StoreLock {
    _file: File,
}

/// Takes the store's lock without waiting; `Ok(None)` if another process
/// holds it.
pub(crate) fn try_lock(dir: &Path) -> io::Result<Option<StoreLock>> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(dir.join("store.lock"))?;
    // SAFETY: flock on a valid, owned descriptor has no memory effects.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(Some(StoreLock { _file: file }));
    }
    let err = io::Error::last_os_error();
    if err.kind() == io::ErrorKind::WouldBlock {
        Ok(None)
    } else {
        Err(err)
    }
}

/// Fault injection for the crash tests only: `AVIS_TEST_CRASH_AT=<point>`
/// aborts the process at that point; `AVIS_TEST_PAUSE_AT=<point>` prints
/// `AVIS_PAUSE <point>` on stderr and sleeps so that the test can kill the
/// process there. Users never set these variables.
pub(crate) fn test_point(point: &str) {
    if std::env::var_os("AVIS_TEST_CRASH_AT").is_some_and(|v| v == point) {
        std::process::abort();
    }
    if std::env::var_os("AVIS_TEST_PAUSE_AT").is_some_and(|v| v == point) {
        eprintln!("AVIS_PAUSE {point}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
