//! Per-customer work split over threads. Each customer's result depends on that customer
//! alone and chunks are joined in index order, so the output is the same for any thread
//! count.

use std::ops::Range;

/// Below this many customers one thread is faster than starting more.
const MIN_PER_THREAD: usize = 50_000;

/// Number of worker threads used (the machine's parallelism), read once per process: the
/// standard library asks the kernel and the cgroup files every time (about 20 µs here,
/// more than a small analysis takes).
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
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

/// The first index whose value fails `ok`, on all threads. Blocks of values are checked
/// whole (a loop without an early exit, which the compiler vectorizes); only a failing
/// block is searched value by value.
pub(crate) fn first_failing<T: Sync>(values: &[T], ok: impl Fn(&T) -> bool + Sync) -> Option<usize> {
    const BLOCK: usize = 1024;
    let found = map_pieces(values.len(), |rows| {
        let first = rows.start;
        let bad = values[rows].chunks(BLOCK).position(|block| !block.iter().fold(true, |all, v| all & ok(v)))?;
        let at = first + bad * BLOCK;
        values[at..].iter().position(|v| !ok(v)).map(|i| at + i)
    });
    found.into_iter().flatten().next()
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

/// Runs `work(0)`, ..., `work(k - 1)` on all threads, each thread taking the next task when
/// done with one; results in task order. For a few independent tasks of similar size, each
/// over `rows` rows (below [`MIN_ROWS_PER_THREAD`] they run on the calling thread).
pub(crate) fn map_tasks<A: Send>(k: usize, rows: usize, work: impl Fn(usize) -> A + Sync) -> Vec<A> {
    let workers = if rows < MIN_ROWS_PER_THREAD { 1 } else { threads().min(k) };
    if workers <= 1 {
        return (0..k).map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, A)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (work, next) = (&work, &next);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if t >= k {
                            break mine;
                        }
                        mine.push((t, work(t)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_unstable_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// Sorts items that are all distinct on all threads: each thread sorts a piece, then the
/// sorted pieces are merged. Distinct items have one sorted order, so the result does not
/// depend on where the pieces are cut.
pub(crate) fn sort_distinct<T: Ord + Copy + Send>(v: &mut Vec<T>) {
    let mut runs = pieces(v.len());
    if runs.len() == 1 {
        v.sort_unstable();
        return;
    }
    fill_ranges(runs.clone(), &mut v[..], |_, piece: &mut [T]| piece.sort_unstable());
    let mut merged: Vec<T> = Vec::with_capacity(v.len());
    while runs.len() > 1 {
        merged.clear();
        let mut next = Vec::with_capacity(runs.len().div_ceil(2));
        for pair in runs.chunks(2) {
            let start = merged.len();
            match pair {
                [a, b] => merge_into(&v[a.clone()], &v[b.clone()], &mut merged),
                _ => merged.extend_from_slice(&v[pair[0].clone()]),
            }
            next.push(start..merged.len());
        }
        std::mem::swap(v, &mut merged);
        runs = next;
    }
}

/// Appends the merge of two sorted slices to `out`.
fn merge_into<T: Ord + Copy>(a: &[T], b: &[T], out: &mut Vec<T>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_in_pieces_gives_the_one_sorted_order() {
        // Distinct pairs (key, index) with many equal keys, enough for several pieces.
        let n = 3 * MIN_ROWS_PER_THREAD + 17;
        let mut state = 7u64;
        let v: Vec<(u64, u32)> = (0..n as u32)
            .map(|i| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                ((state >> 33) % 1000, i)
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_unstable();
        let mut got = v;
        sort_distinct(&mut got);
        assert_eq!(got, expected);
        let mut small = vec![(3u64, 0u32), (1, 1), (2, 2)];
        sort_distinct(&mut small);
        assert_eq!(small, [(1, 1), (2, 2), (3, 0)]);
    }

    #[test]
    fn tasks_return_in_task_order() {
        for rows in [10, MIN_ROWS_PER_THREAD] {
            assert_eq!(map_tasks(5, rows, |t| t * 10), [0, 10, 20, 30, 40]);
            assert!(map_tasks(0, rows, |t| t).is_empty());
        }
    }
}
