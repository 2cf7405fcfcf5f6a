//! File-system helpers of the store: private directories and files (0700,
//! 0600), atomic writes, the store lock, and the fault-injection points the
//! crash and full-disk tests use.

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
    write_atomic_with(path, "write_atomic", |w| w.write_all(bytes))
}

/// Writes `path` atomically with what `fill` writes: a private temporary
/// file in the same directory, fsync, rename over `path`, fsync of the
/// directory. A crash at any instant leaves the old file or the new one; on
/// error the old file is untouched and the temporary file removed. `point`
/// names the test points `<point>:writing` (before the first byte),
/// `<point>:written` (synced, not yet renamed) and `<point>:renamed`.
pub(crate) fn write_atomic_with(
    path: &Path,
    point: &str,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".avis-tmp-")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(&dir)?;
    test_point(&format!("{point}:writing"));
    let mut w = io::BufWriter::new(tmp);
    fill(&mut w)?;
    w.flush()?;
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    test_point(&format!("{point}:written"));
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(&dir)?;
    test_point(&format!("{point}:renamed"));
    Ok(())
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

/// Fault injection for the crash and full-disk tests only:
/// `AVIS_TEST_CRASH_AT=<point>` aborts the process at that point;
/// `AVIS_TEST_PAUSE_AT=<point>` prints `AVIS_PAUSE <point>` on stderr and
/// sleeps so that the test can kill the process there;
/// `AVIS_TEST_FAIL_WRITE_AT=<point>` makes every file write of the process
/// from that point on fail with `ENOSPC` ([`io::ErrorKind::StorageFull`]),
/// as a disk that just became full. Users never set these variables.
pub(crate) fn test_point(point: &str) {
    if std::env::var_os("AVIS_TEST_FAIL_WRITE_AT").is_some_and(|v| v == point) {
        if let Err(e) = full_disk_from_now() {
            eprintln!("AVIS_FAIL_WRITE_UNAVAILABLE {point}: {e}");
        }
    }
    if std::env::var_os("AVIS_TEST_CRASH_AT").is_some_and(|v| v == point) {
        std::process::abort();
    }
    if std::env::var_os("AVIS_TEST_PAUSE_AT").is_some_and(|v| v == point) {
        eprintln!("AVIS_PAUSE {point}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
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

/// From now on, every write of this process (every thread) to a descriptor
/// other than stdin/stdout/stderr fails with `ENOSPC`: a seccomp filter on
/// the write system calls. Test-only (see [`test_point`]); irreversible.
#[cfg(target_os = "linux")]
fn full_disk_from_now() -> io::Result<()> {
    // (system call, index of its output descriptor argument)
    let calls: [(libc::c_long, u32); 9] = [
        (libc::SYS_write, 0),
        (libc::SYS_pwrite64, 0),
        (libc::SYS_writev, 0),
        (libc::SYS_pwritev, 0),
        (libc::SYS_pwritev2, 0),
        (libc::SYS_fallocate, 0),
        (libc::SYS_sendfile, 0),
        (libc::SYS_copy_file_range, 2),
        (libc::SYS_splice, 2),
    ];
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |code: u32, k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    let ld = libc::BPF_LD | libc::BPF_W | libc::BPF_ABS;
    // struct seccomp_data: nr (u32) at 0, arch at 4, ip at 8, args (u64) at 16.
    let low_word = if cfg!(target_endian = "little") { 0 } else { 4 };
    let mut program = Vec::new();
    for (nr, arg) in calls {
        program.push(stmt(ld, 0));
        program.push(jump(
            libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
            nr as u32,
            0,
            3,
        ));
        program.push(stmt(ld, 16 + 8 * arg + low_word));
        program.push(jump(libc::BPF_JMP | libc::BPF_JGT | libc::BPF_K, 2, 0, 1));
        program.push(stmt(
            libc::BPF_RET | libc::BPF_K,
            libc::SECCOMP_RET_ERRNO | (libc::ENOSPC as u32 & libc::SECCOMP_RET_DATA),
        ));
    }
    program.push(stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW));
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_mut_ptr(),
    };
    // SAFETY: prctl and seccomp with a valid, live filter program; the
    // kernel copies the program.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_TSYNC,
            &prog as *const libc::sock_fprog,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn full_disk_from_now() -> io::Result<()> {
    Err(io::Error::other(
        "simulation de disque plein non disponible",
    ))
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
