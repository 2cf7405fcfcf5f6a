//! Test hooks: the `AVIS_TEST_*` variables (fault injection, a low scrypt
//! factor, a short idle lock) are read only in a build with the cargo
//! feature `test-hooks`, which the test suite turns on (a dev-dependency of
//! the package on itself) and the doctor's build never has: there, every
//! function here answers "no hook".

use std::io;

/// Whether this build honours the `AVIS_TEST_*` variables.
pub const ENABLED: bool = cfg!(any(test, feature = "test-hooks"));

/// The value of the test variable `name` (an `AVIS_TEST_*` name); always
/// `None` in a build without test hooks.
pub fn var(name: &str) -> Option<String> {
    #[cfg(any(test, feature = "test-hooks"))]
    {
        debug_assert!(name.starts_with("AVIS_TEST_"));
        std::env::var(name).ok()
    }
    #[cfg(not(any(test, feature = "test-hooks")))]
    {
        let _ = name;
        None
    }
}

/// Whether the test variable `name` is set to `value` (never in a build
/// without test hooks).
pub fn is(name: &str, value: &str) -> bool {
    var(name).is_some_and(|v| v == value)
}

/// Fault injection for the crash and full-disk tests only:
/// `AVIS_TEST_CRASH_AT=<point>` aborts the process at that point;
/// `AVIS_TEST_PAUSE_AT=<point>` prints `AVIS_PAUSE <point>` on stderr and
/// sleeps so that the test can kill the process there;
/// `AVIS_TEST_FAIL_WRITE_AT=<point>` makes every file write of the process
/// from that point on fail with `ENOSPC` ([`io::ErrorKind::StorageFull`]),
/// as a disk that just became full. Users never set these variables.
pub fn point(point: &str) {
    if !ENABLED {
        return;
    }
    if is("AVIS_TEST_FAIL_WRITE_AT", point) {
        if let Err(e) = full_disk_from_now() {
            eprintln!("AVIS_FAIL_WRITE_UNAVAILABLE {point}: {e}");
        }
    }
    if is("AVIS_TEST_CRASH_AT", point) {
        std::process::abort();
    }
    if is("AVIS_TEST_PAUSE_AT", point) {
        eprintln!("AVIS_PAUSE {point}");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// From now on, every write of this process (every thread) to a descriptor
/// other than stdin/stdout/stderr fails with `ENOSPC`: a seccomp filter on
/// the write system calls. Test-only (see [`point`]); irreversible.
#[cfg(all(target_os = "linux", any(test, feature = "test-hooks")))]
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

#[cfg(not(all(target_os = "linux", any(test, feature = "test-hooks"))))]
fn full_disk_from_now() -> io::Result<()> {
    Err(io::Error::other(
        "simulation de disque plein non disponible",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hooks_are_on_in_the_test_build() {
        const { assert!(super::ENABLED) };
        assert_eq!(super::var("AVIS_TEST_NEVER_SET_ANYWHERE"), None);
    }
}
