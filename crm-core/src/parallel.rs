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

/// The engine's worker threads: started on first use and kept, as starting a thread costs
/// about as much as a small analysis (20 µs here). A forked child gets its own (a fork
/// copies no threads, so the parent's pool would never answer); `None` when the system
/// refuses threads, and the work then runs on the calling thread.
fn pool() -> Option<&'static rayon_core::ThreadPool> {
    type Pools = std::sync::Mutex<Vec<(u32, &'static rayon_core::ThreadPool)>>;
    static FIRST: std::sync::OnceLock<(u32, Option<&'static rayon_core::ThreadPool>)> = std::sync::OnceLock::new();
    static FORKED: std::sync::OnceLock<Pools> = std::sync::OnceLock::new();
    let start = || {
        let pool = rayon_core::ThreadPoolBuilder::new()
            .num_threads(threads())
            .thread_name(|i| format!("crm-worker-{i}"))
            .build()
            .ok()?;
        // Kept for the life of the process (the threads serve every later call).
        Some(&*Box::leak(Box::new(pool)))
    };
    let pid = std::process::id();
    let &(first_pid, first) = FIRST.get_or_init(|| (pid, start()));
    if first_pid == pid {
        return first;
    }
    let mut forked = FORKED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, p)) = forked.iter().find(|(p, _)| *p == pid) {
        return Some(p);
    }
    let p = start()?;
    forked.push((pid, p));
    Some(p)
}

/// Runs `f` on the calling thread, and has each of the engine's worker threads run it
/// when it next looks for work, without waiting for them (for work that belongs to a
/// thread, such as handing back the memory its allocator keeps). Waiting could deadlock: a
/// worker may be busy with another caller's task that waits for this caller. A panic in
/// `f` on a worker is dropped (a spawned task's panic would end the process).
pub(crate) fn on_every_thread(f: fn()) {
    f();
    if let Some(pool) = pool() {
        pool.spawn_broadcast(move |_| {
            let _ = std::panic::catch_unwind(f);
        });
    }
}

/// Runs `a` and `b` side by side on the engine's worker threads and returns both results
/// (for hosts that convert two large results at once).
///
/// ```
/// let (a, b) = crm_core::join(|| (1..=100u64).sum::<u64>(), || "done");
/// assert_eq!((a, b), (5050, "done"));
/// ```
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    use std::sync::Mutex;
    let (a, b) = (Mutex::new(Some(a)), Mutex::new(Some(b)));
    let (ra, rb) = (Mutex::new(None), Mutex::new(None));
    fn run<R>(f: &Mutex<Option<impl FnOnce() -> R>>, out: &Mutex<Option<R>>) {
        let f = f.lock().unwrap_or_else(|e| e.into_inner()).take();
        *out.lock().unwrap_or_else(|e| e.into_inner()) = f.map(|f| f());
    }
    fn result<R>(out: Mutex<Option<R>>) -> R {
        out.into_inner().unwrap_or_else(|e| e.into_inner()).expect("both ran")
    }
    run_indexed(2, |t| if t == 0 { run(&a, &ra) } else { run(&b, &rb) });
    (result(ra), result(rb))
}

/// Fills `out` on the engine's worker threads in pieces of at least `min_piece` items:
/// `work(first, piece)` writes `piece`, which starts at index `first` of `out`. For
/// row-wise work whose result does not depend on where the pieces are cut.
///
/// ```
/// let mut squares = vec![0u64; 10_000];
/// crm_core::fill_pieces(&mut squares, 1024, |first, piece| {
///     for (k, o) in piece.iter_mut().enumerate() {
///         *o = ((first + k) as u64).pow(2);
///     }
/// });
/// assert_eq!(squares[9_999], 99_980_001);
/// ```
pub fn fill_pieces<T: Send>(out: &mut [T], min_piece: usize, work: impl Fn(usize, &mut [T]) + Sync) {
    fill_ranges(even_ranges(out.len(), min_piece.max(1)), out, |r, piece| work(r.start, piece));
}

/// Runs `work(0)`, ..., `work(k - 1)` and returns the results in task order. The calling
/// thread takes tasks too, in turn with up to `threads() - 1` workers of the pool, each
/// taking the next task when done with one, so the work goes on while a worker wakes; the
/// call still returns only once each worker has picked up its share and found the tasks
/// gone (15-110 µs after a pause of 0-10 ms, 2 cores), which small calls after a pause
/// pay. A panic in a task is raised again here once the others have finished.
pub(crate) fn run_indexed<A: Send>(k: usize, work: impl Fn(usize) -> A + Sync) -> Vec<A> {
    let helpers = threads().min(k).saturating_sub(1);
    let pool = pool().filter(|_| helpers > 0);
    let Some(pool) = pool else { return (0..k).map(work).collect() };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Vec::with_capacity(k));
    let take = || {
        loop {
            let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if t >= k {
                break;
            }
            let a = work(t);
            done.lock().unwrap_or_else(|e| e.into_inner()).push((t, a));
        }
    };
    pool.in_place_scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| take());
        }
        take();
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_unstable_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// Runs each of `tasks` once as [`run_indexed`] does, `work(task)` moving the task in;
/// results in task order.
pub(crate) fn run_each<T: Send, A: Send>(tasks: Vec<T>, work: impl Fn(T) -> A + Sync) -> Vec<A> {
    let tasks: Vec<std::sync::Mutex<Option<T>>> = tasks.into_iter().map(|t| std::sync::Mutex::new(Some(t))).collect();
    run_indexed(tasks.len(), |t| {
        let task = tasks[t].lock().unwrap_or_else(|e| e.into_inner()).take().expect("each task taken once");
        work(task)
    })
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
    let parts = run_each(ranges, |r| work(r.start as u32..r.end as u32));
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
    fold_chunks_of(CHUNK, n, work)
}

/// [`fold_chunks`] with chunks of `chunk` items (fixed by the caller, never by the thread
/// count): for work heavy enough per item that a few thousand items pay for a thread.
pub(crate) fn fold_chunks_of<A: Send>(chunk: usize, n: usize, work: impl Fn(Range<u32>) -> A + Sync) -> Vec<A> {
    let chunks = n.div_ceil(chunk).max(1);
    let range = |k: usize| (k * chunk).min(n) as u32..((k + 1) * chunk).min(n) as u32;
    run_indexed(chunks, |k| work(range(k)))
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
    run_each(parts, work)
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
    let mut rest = out;
    let mut tasks = Vec::with_capacity(ranges.len());
    for r in ranges {
        let (piece, tail) = rest.split_at(r.len());
        rest = tail;
        tasks.push((r, piece));
    }
    run_each(tasks, |(r, piece)| work(r, piece))
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

/// Runs the tasks on the worker threads; a single task runs inline.
pub(crate) fn run_tasks<F: FnOnce() + Send>(tasks: Vec<F>) {
    run_each(tasks, |t| t());
}

/// Runs `work(0)`, ..., `work(k - 1)` on all threads, each thread taking the next task when
/// done with one; results in task order. For a few independent tasks of similar size, each
/// over `rows` rows (below [`MIN_ROWS_PER_THREAD`] they run on the calling thread).
pub(crate) fn map_tasks<A: Send>(k: usize, rows: usize, work: impl Fn(usize) -> A + Sync) -> Vec<A> {
    let workers = if rows < MIN_ROWS_PER_THREAD { 1 } else { threads().min(k) };
    if workers <= 1 {
        return (0..k).map(work).collect();
    }
    run_indexed(k, work)
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
    fn pooled_tasks_run_once_each_and_return_in_order() {
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let out = run_indexed(100, |t| {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            t * t
        });
        assert_eq!(out, (0..100).map(|t| t * t).collect::<Vec<_>>());
        assert_eq!(runs.into_inner(), 100);
        assert_eq!(run_each(vec![String::from("a"), String::from("b")], |s| s + "!"), ["a!", "b!"]);
        assert_eq!(join(|| 1, || "two"), (1, "two"));
        // Nested use from a worker thread finishes too.
        assert_eq!(run_indexed(4, |t| run_indexed(3, |u| t * 3 + u).iter().sum::<usize>()), [3, 12, 21, 30]);
    }

    #[test]
    fn a_panicking_task_panics_the_caller_after_the_others_finish() {
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_indexed(8, |t| {
                if t == 3 {
                    panic!("task 3");
                }
                finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
        }));
        assert!(caught.is_err());
        assert_eq!(finished.into_inner(), 7);
        // The pool still serves later calls.
        assert_eq!(run_indexed(3, |t| t + 1), [1, 2, 3]);
    }

    #[test]
    fn tasks_return_in_task_order() {
        for rows in [10, MIN_ROWS_PER_THREAD] {
            assert_eq!(map_tasks(5, rows, |t| t * 10), [0, 10, 20, 30, 40]);
            assert!(map_tasks(0, rows, |t| t).is_empty());
        }
    }
}
