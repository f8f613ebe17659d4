//! A hook for the process's allocator before a base's one-time grouping.
//!
//! Allocators that keep freed memory for reuse (mimalloc, jemalloc) hold on to what the
//! analyses before it freed: a notebook that asks for the summary and the segments, then
//! the flows, would hold those steps' freed columns beside the grouped store, which is
//! allocated in blocks of a size they never had (each column a row long). The Python
//! module sets a hook that hands freed memory back to the system, so that the grouping's
//! peak is the store, not the store plus what came before. Steps after the grouping keep
//! reusing each other's memory as before; without a hook nothing happens.

use std::sync::OnceLock;

static BEFORE_GROUPING: OnceLock<fn()> = OnceLock::new();

/// Sets the function called before a base groups its transactions (once per base, on the
/// first analysis that reads each customer's history): on the calling thread before the
/// grouping starts, and on each of the engine's worker threads as it next looks for work
/// (usually at once; the grouping does not wait for them). The first hook set stays;
/// returns false when one was set already.
///
/// ```
/// fn release() {}
/// assert!(crm_core::memory::before_grouping(release));
/// assert!(!crm_core::memory::before_grouping(release));
/// ```
pub fn before_grouping(hook: fn()) -> bool {
    BEFORE_GROUPING.set(hook).is_ok()
}

/// Runs the hook, if one was set, on the calling thread, and on every worker thread as it
/// next looks for work (an allocator keeps freed memory per thread).
pub(crate) fn grouping_starts() {
    if let Some(&hook) = BEFORE_GROUPING.get() {
        crate::parallel::on_every_thread(hook);
    }
}
