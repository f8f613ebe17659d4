//! Per-customer work split over threads. Each customer's result depends on that customer
//! alone and chunks are joined in index order, so the output is the same for any thread
//! count.

use std::ops::Range;

/// Below this many customers one thread is faster than starting more.
const MIN_PER_THREAD: usize = 50_000;

/// Number of worker threads used (the machine's parallelism).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` over consecutive ranges of `0..n` and concatenates the results in order.
pub(crate) fn map_ranges<T: Send>(n: usize, work: impl Fn(Range<u32>) -> Vec<T> + Sync) -> Vec<T> {
    let chunks = threads().min(n / MIN_PER_THREAD).max(1);
    if chunks == 1 {
        return work(0..n as u32);
    }
    let step = n.div_ceil(chunks);
    let parts: Vec<Vec<T>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..chunks)
            .map(|k| {
                let range = (k * step).min(n) as u32..((k + 1) * step).min(n) as u32;
                let work = &work;
                s.spawn(move || work(range))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut out = Vec::with_capacity(n);
    for p in parts {
        out.extend(p);
    }
    out
}
