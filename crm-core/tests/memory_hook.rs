//! The hook before a base's grouping (`crm_core::memory::before_grouping`). A file of its
//! own: the hook is set once per process, and `cargo test` runs a file's tests in one
//! process, where other tests' groupings would call it too.

use crm_core::{CustomerBase, KeyColumn, TransactionColumns};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static CALLS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    CALLS.fetch_add(1, Ordering::SeqCst);
}

/// The calls once `expected` have come or 10 s have passed, and 20 ms more for any extra
/// (the workers run the hook when they next look for work).
fn settled(expected: usize) -> usize {
    let start = Instant::now();
    while CALLS.load(Ordering::SeqCst) < expected && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    CALLS.load(Ordering::SeqCst)
}

#[test]
fn the_hook_runs_on_every_thread_once_per_grouping() {
    assert!(crm_core::memory::before_grouping(count));
    assert!(!crm_core::memory::before_grouping(count), "the first hook stays");
    let base = || {
        CustomerBase::from_transactions(TransactionColumns::new(
            KeyColumn::Int(vec![2, 1, 2]),
            vec![500, 0, 90],
            vec![1.0; 3],
        ))
        .expect("valid")
    };
    let a = base();
    assert_eq!(settled(0), 0, "the build does not group");
    let every_thread = 1 + crm_core::threads();
    a.transactions();
    a.transactions();
    assert_eq!(settled(every_thread), every_thread, "grouped once: the calling thread and each worker");
    base().transactions();
    assert_eq!(settled(2 * every_thread), 2 * every_thread);
}
