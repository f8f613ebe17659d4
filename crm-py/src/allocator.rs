//! The module's allocator: mimalloc instead of the C library's malloc.
//!
//! An analysis allocates and frees columns of tens to hundreds of megabytes. glibc hands
//! blocks that large straight back to the kernel on free, so every call pays again for
//! page faults and zeroed pages (about a third of a base build on the reference machine).
//! mimalloc keeps freed memory for a while and reuses it, as polars' wheel does with
//! jemalloc. Only Rust's allocations go through it: the host's malloc is untouched.

use std::os::raw::{c_int, c_long};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_collect(force: bool);
}

/// `mi_option_arena_eager_commit` in mimalloc's option enumeration.
const ARENA_EAGER_COMMIT: c_int = 4;

/// Commits arena memory when it is first used rather than all at once: committing a whole
/// 1 GiB arena up front made the first build in a process slower (0.5 s instead of 0.3 s).
/// Freed memory is kept a second (mimalloc 3's default purge delay) before it goes back
/// to the system, so the steps of an analysis reuse each other's pages; but before a base
/// groups its transactions, what earlier steps freed goes back at once (see
/// [`crm_core::memory`]): at a million customers, the summary, segments and flows in a row
/// then peak at about the flows' own peak instead of the three steps' memory together.
pub(crate) fn configure() {
    // SAFETY: sets a plain integer option; mimalloc reads options with atomic loads.
    unsafe { mi_option_set(ARENA_EAGER_COMMIT, 0) };
    crm_core::memory::before_grouping(release_freed);
}

/// Hands the memory mimalloc keeps (freed, not yet purged) back to the system.
fn release_freed() {
    // SAFETY: a forced collection of mimalloc's heaps; safe at any time.
    unsafe { mi_collect(true) };
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_option_get(option: c_int) -> c_long;
    }

    /// `mi_option_purge_delay` in mimalloc's option enumeration.
    const PURGE_DELAY: c_int = 15;

    #[test]
    fn the_option_numbers_name_the_intended_options() {
        // mimalloc's defaults (arena eager commit 2, purge delay 1000 ms) at these numbers
        // show they are those options; then configure turns eager commit off (and sets the
        // hook before a grouping).
        // SAFETY: reads and sets plain integer options.
        unsafe {
            assert_eq!((mi_option_get(ARENA_EAGER_COMMIT), mi_option_get(PURGE_DELAY)), (2, 1000));
            configure();
            assert_eq!((mi_option_get(ARENA_EAGER_COMMIT), mi_option_get(PURGE_DELAY)), (0, 1000));
        }
        assert!(!crm_core::memory::before_grouping(release_freed), "configure set the hook");
    }
}
