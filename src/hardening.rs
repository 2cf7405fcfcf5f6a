//! Process-wide protections for health data in memory: no core dumps, and a
//! panic message that never carries request content.

/// Disables core dumps (so decrypted data never lands in a core file) and
/// installs a panic hook that prints a generic French message.
///
/// The TUI installs its own hook on top of this one to restore the terminal
/// first.
pub fn harden_process() {
    disable_core_dumps();
    std::panic::set_hook(Box::new(|info| {
        // The payload may quote data: print only where it happened.
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "avis : erreur interne inattendue{place}. Aucune donnée n'a été modifiée \
             après cette erreur ; relancez avis et, si elle se reproduit, signalez-la \
             (sans joindre de données de candidat)."
        );
    }));
}

#[cfg(target_os = "linux")]
fn disable_core_dumps() {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls with a valid pointer to a local struct; failures
    // are harmless (the process keeps its previous limits).
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &limit);
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn disable_core_dumps() {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscall with a valid pointer to a local struct.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &limit);
    }
}

#[cfg(not(unix))]
fn disable_core_dumps() {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_disabled() {
        super::disable_core_dumps();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: valid pointer to a local struct.
        let rc = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) };
        assert_eq!(rc, 0);
        assert_eq!(limit.rlim_cur, 0);
        // SAFETY: no arguments beyond the option.
        let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        assert_eq!(dumpable, 0);
    }
}
