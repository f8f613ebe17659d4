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

#[cfg(test)]
mod tests {
    use crate::{CustomerBase, KeyColumn, TransactionColumns};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn the_hook_runs_on_every_thread_once_per_grouping() {
        // (nextest runs each test in a process of its own: this hook is the first.)
        assert!(super::before_grouping(count));
        let base = || {
            CustomerBase::from_transactions(TransactionColumns::new(
                KeyColumn::Int(vec![2, 1, 2]),
                vec![500, 0, 90],
                vec![1.0; 3],
            ))
            .expect("valid")
        };
        let a = base();
        assert_eq!(CALLS.load(Ordering::SeqCst), 0, "the build does not group");
        let every_thread = 1 + crate::threads();
        // The workers run the hook when they next look for work: wait for them (at most 10 s).
        let settled = |expected: usize| {
            let start = std::time::Instant::now();
            while CALLS.load(Ordering::SeqCst) < expected && start.elapsed().as_secs() < 10 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            CALLS.load(Ordering::SeqCst)
        };
        a.transactions();
        a.transactions();
        assert_eq!(settled(every_thread), every_thread, "grouped once");
        base().transactions();
        assert_eq!(settled(2 * every_thread), 2 * every_thread);
    }
}
