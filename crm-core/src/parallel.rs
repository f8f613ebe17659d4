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

/// Consecutive ranges of `0..n` of about equal size, one per thread, with at least
/// `min_per_thread` items each (one range for small `n`).
fn even_ranges(n: usize, min_per_thread: usize) -> Vec<Range<usize>> {
    let k = threads().min(n / min_per_thread).max(1);
    let step = n.div_ceil(k).max(1);
    (0..k).map(|i| (i * step).min(n)..((i + 1) * step).min(n)).collect()
}

/// Consecutive ranges of the customers `0..n`, one per thread (one for small `n`).
pub(crate) fn customer_ranges(n: usize) -> Vec<Range<usize>> {
    even_ranges(n, MIN_PER_THREAD)
}

/// Runs `work` over consecutive ranges of `0..n` and concatenates the results in order.
pub(crate) fn map_ranges<T: Send>(n: usize, work: impl Fn(Range<u32>) -> Vec<T> + Sync) -> Vec<T> {
    let ranges = customer_ranges(n);
    if ranges.len() == 1 {
        return work(0..n as u32);
    }
    let parts: Vec<Vec<T>> = std::thread::scope(|s| {
        let handles: Vec<_> = ranges
            .into_iter()
            .map(|r| {
                let work = &work;
                s.spawn(move || work(r.start as u32..r.end as u32))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    // Grow the first part in place (a large realloc moves pages, not bytes) rather than
    // copying every part into a new vector.
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    out.reserve_exact(n.saturating_sub(out.len()));
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

/// Below this many rows one thread is faster than starting more.
const MIN_ROWS_PER_THREAD: usize = 1 << 16;

/// Contiguous pieces of `0..n`, one per thread (one piece for small `n`).
pub(crate) fn pieces(n: usize) -> Vec<Range<usize>> {
    even_ranges(n, MIN_ROWS_PER_THREAD)
}

/// Runs `work(range)` over [`pieces`] of `0..n` on all threads; results in piece order.
/// For work whose result does not depend on where the pieces are cut (a row-wise map, a
/// minimum), so the thread count cannot change it.
pub(crate) fn map_pieces<A: Send>(n: usize, work: impl Fn(Range<usize>) -> A + Sync) -> Vec<A> {
    let parts = pieces(n);
    if parts.len() == 1 {
        return vec![work(0..n)];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|r| {
                let work = &work;
                s.spawn(move || work(r))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Mutable output columns that can be cut in two at a slot, so that threads can fill
/// disjoint ranges of slots.
pub(crate) trait SplitAt: Sized + Send {
    /// The slots before `mid` and those from `mid` on.
    fn split_at(self, mid: usize) -> (Self, Self);
}

impl<T: Send> SplitAt for &mut [T] {
    fn split_at(self, mid: usize) -> (Self, Self) {
        self.split_at_mut(mid)
    }
}

/// An optional column: absent on both sides.
impl<D: SplitAt> SplitAt for Option<D> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        match self {
            Some(d) => {
                let (a, b) = d.split_at(mid);
                (Some(a), Some(b))
            }
            None => (None, None),
        }
    }
}

/// Several columns cut at the same slot.
impl<A: SplitAt, B: SplitAt> SplitAt for (A, B) {
    fn split_at(self, mid: usize) -> (Self, Self) {
        let ((a0, a1), (b0, b1)) = (self.0.split_at(mid), self.1.split_at(mid));
        ((a0, b0), (a1, b1))
    }
}

/// Runs `work(range, piece)` for each of the consecutive `ranges` (which cover the slots
/// of `out` from 0), each on its own thread; `piece` is the part of `out` holding the
/// slots `range`. Results in range order.
pub(crate) fn fill_ranges<D: SplitAt, A: Send>(
    ranges: Vec<Range<usize>>,
    out: D,
    work: impl Fn(Range<usize>, D) -> A + Sync,
) -> Vec<A> {
    if let [range] = &ranges[..] {
        return vec![work(range.clone(), out)];
    }
    std::thread::scope(|s| {
        let mut rest = out;
        let mut handles = Vec::with_capacity(ranges.len());
        for r in ranges {
            let (piece, tail) = rest.split_at(r.len());
            rest = tail;
            let work = &work;
            handles.push(s.spawn(move || work(r, piece)));
        }
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Fills `out` on all threads: `work(first, piece)` writes `piece`, which starts at index
/// `first` of `out`.
pub(crate) fn fill<T: Send>(out: &mut [T], work: impl Fn(usize, &mut [T]) + Sync) {
    fill_ranges(pieces(out.len()), out, |r, piece| work(r.start, piece));
}

/// A row-wise map computed on all threads.
pub(crate) fn map_rows<S: Sync, T: Send + Copy + Default>(input: &[S], f: impl Fn(&S) -> T + Sync) -> Vec<T> {
    let mut out = vec![T::default(); input.len()];
    fill(&mut out, |first, piece| {
        for (o, x) in piece.iter_mut().zip(&input[first..]) {
            *o = f(x);
        }
    });
    out
}

/// Runs the tasks, each on its own thread but the last on the calling thread; a single
/// task runs inline (no thread is started, nothing is set up for small inputs).
pub(crate) fn run_tasks<F: FnOnce() + Send>(mut tasks: Vec<F>) {
    let Some(last) = tasks.pop() else { return };
    if tasks.is_empty() {
        return last();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = tasks.into_iter().map(|t| s.spawn(t)).collect();
        last();
        handles.into_iter().for_each(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
    });
}
