//! File-system helpers of the store: private directories and files (0700,
//! 0600), the store lock, free-room checks; atomic writes and test points
//! come from [`crate::atomic`] and [`crate::testhooks`].

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

pub(crate) use crate::atomic::sync_dir;
pub(crate) use crate::testhooks::point as test_point;

/// Creates a new private file (0600), failing if it exists.
pub(crate) fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .read(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Writes `bytes` to `path` atomically ([`crate::atomic`]); the file is 0600.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::atomic::write_atomically(path, |w| w.write_all(bytes))
}

/// [`crate::atomic::write_atomically_at`]: test points `<point>:writing`,
/// `<point>:written`, `<point>:renamed`.
pub(crate) fn write_atomic_with(
    path: &Path,
    point: &str,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    crate::atomic::write_atomically_at(path, point, fill)
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

/// Whether `err` says the store cannot be written (read-only disk or
/// folder).
pub(crate) fn is_read_only(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
        || err.kind() == io::ErrorKind::ReadOnlyFilesystem
        || err.raw_os_error() == Some(libc::EROFS)
}

/// A shared lock on a read-only store's `store.lock` (`Ok(None)` if there
/// is no lock file, or a program holds it to write).
pub(crate) fn try_lock_shared(dir: &Path) -> io::Result<Option<StoreLock>> {
    let file = match File::open(dir.join("store.lock")) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // SAFETY: flock on a valid, owned descriptor has no memory effects.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) };
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

/// A private temporary copy (0700) of the directory `src`, to open a
/// read-only store's database (sled writes even to read).
pub(crate) fn copy_for_reading(src: &Path) -> io::Result<tempfile::TempDir> {
    fn copy(from: &Path, to: &Path) -> io::Result<()> {
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            let ty = entry.file_type()?;
            let dest = to.join(entry.file_name());
            if ty.is_dir() {
                private_dir(&dest)?;
                copy(&entry.path(), &dest)?;
            } else if ty.is_file() {
                let mut out = create_private(&dest)?;
                io::copy(&mut File::open(entry.path())?, &mut out)?;
            }
        }
        Ok(())
    }
    let tmp = tempfile::Builder::new().prefix("avis-lecture-").tempdir()?;
    private_dir(tmp.path())?;
    copy(src, tmp.path())?;
    Ok(tmp)
}

/// Fails with `ENOSPC` ([`io::ErrorKind::StorageFull`]) when the file
/// system of `dir` has fewer than `needed` bytes available to this user, so
/// that a long write is refused before it starts rather than half-way
/// (sled 0.34 may even wait forever when it cannot grow its log).
pub(crate) fn check_room(dir: &Path, needed: u64) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: statvfs with a valid C string and a zeroed out-structure.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above; the structure lives for the call.
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    let available = (st.f_bavail as u64).saturating_mul(st.f_frsize as u64);
    if available < needed {
        return Err(io::Error::from_raw_os_error(libc::ENOSPC));
    }
    Ok(())
}

/// Whether `err`, or an error it wraps, is a full disk (`ENOSPC`).
pub(crate) fn is_storage_full(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if io.kind() == io::ErrorKind::StorageFull || io.raw_os_error() == Some(libc::ENOSPC) {
                return true;
            }
            // An io::Error may wrap another error (age, tar).
            if let Some(inner) = io.get_ref() {
                if is_storage_full(inner) {
                    return true;
                }
            }
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_full_is_found_through_wrappers() {
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(full.kind(), io::ErrorKind::StorageFull);
        assert!(is_storage_full(&full));
        let wrapped = io::Error::other(io::Error::from(io::ErrorKind::StorageFull));
        assert!(is_storage_full(&wrapped));
        assert!(!is_storage_full(&io::Error::other("x")));
    }

    #[test]
    fn room_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_room(dir.path(), 1).is_ok());
        let err = check_room(dir.path(), u64::MAX).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    }

    #[test]
    fn failed_atomic_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f");
        write_atomic(&target, b"old").unwrap();
        let err = write_atomic_with(&target, "t", |w| {
            w.write_all(b"partial")?;
            Err(io::Error::from(io::ErrorKind::StorageFull))
        })
        .unwrap_err();
        assert!(is_storage_full(&err));
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
