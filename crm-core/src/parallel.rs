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

/// Customers per chunk of [`fold_chunks`]. Fixed, so that sums are grouped the same way
/// for any thread count and floating-point totals are identical bit for bit.
const CHUNK: usize = 1 << 15;

/// Runs `work` over fixed-size consecutive ranges of `0..n` on all threads and returns the
/// per-range results in range order (the caller combines them in that order).
pub(crate) fn fold_chunks<A: Send>(n: usize, work: impl Fn(Range<u32>) -> A + Sync) -> Vec<A> {
    let chunks = n.div_ceil(CHUNK).max(1);
    let range = |k: usize| (k * CHUNK).min(n) as u32..((k + 1) * CHUNK).min(n) as u32;
    let workers = threads().min(chunks);
    if workers <= 1 {
        return (0..chunks).map(|k| work(range(k))).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<(usize, A)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (work, next, range) = (&work, &next, &range);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= chunks {
                            break mine;
                        }
                        mine.push((k, work(range(k))));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    parts.sort_unstable_by_key(|p| p.0);
    parts.into_iter().map(|p| p.1).collect()
}
