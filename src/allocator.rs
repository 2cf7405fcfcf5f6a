//! How the process gives memory back: with glibc's default, freed blocks
//! of up to 32 MiB stay in the heap once a large buffer has been freed
//! (its mmap threshold rises), so an import of 100,000 requests kept about
//! 15 MiB it no longer used. Fixed thresholds return them to the system,
//! and two arenas (not eight per core) keep fewer half-empty heaps. Set
//! when an import starts (for the rest of the process: in the TUI it stays
//! after an import), not for every command: the same policy makes
//! `avis list` about 10 % slower (more blocks mapped and unmapped).

/// Large blocks (from 128 KiB) mapped on their own and unmapped when freed,
/// the heap's free top trimmed from 128 KiB (glibc's defaults, made fixed
/// instead of rising with each large block freed), and at most two arenas.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_freed_memory() {
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only sets allocator parameters (under glibc's own
    // lock, so other threads may run). A refusal keeps the defaults.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Other allocators keep their own policy.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_freed_memory() {}
