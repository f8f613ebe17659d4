//! Grouping rows by customer: a counting sort on the customer codes, on all threads.
//! Transactions take the two-pass, cache-friendly route of [`stage_in_buckets`];
//! interactions a row permutation ([`group_rows`]).
//!
//! The slot a row gets depends only on its customer and its position among that
//! customer's rows, so the grouping is the same for any thread count; callers then put
//! each customer's rows in a canonical order (a full ordering on every field), which makes
//! the grouped store independent of the row order too.

use crate::parallel::{SplitAt, fill, map_pieces, pieces, run_tasks};
use std::cmp::Ordering;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

/// Per-customer offsets (`customers + 1` of them), and for each of the [`pieces`] of the
/// rows the slot where its next row of each customer goes. Piece k's rows of a customer
/// go after those of the pieces before it, so row order is kept within a customer.
pub(crate) fn slots(codes: &[u32], customers: usize) -> (Vec<usize>, Vec<Vec<u32>>) {
    let mut cursors = piece_histograms(codes, customers);
    let offsets = offsets_of(&cursors, customers);
    for c in 0..customers {
        let mut at = offsets[c];
        for h in cursors.iter_mut() {
            let count = h[c] as usize;
            h[c] = at as u32;
            at += count;
        }
    }
    (offsets, cursors)
}

/// Rows per customer in each of the [`pieces`] of the rows.
fn piece_histograms(codes: &[u32], customers: usize) -> Vec<Vec<u32>> {
    map_pieces(codes.len(), |rows| {
        let mut h = vec![0u32; customers];
        for &c in &codes[rows] {
            h[c as usize] += 1;
        }
        h
    })
}

/// Per-customer offsets (`customers + 1`) of the grouped order, from the histograms.
fn offsets_of(histograms: &[Vec<u32>], customers: usize) -> Vec<usize> {
    let mut offsets = vec![0usize; customers + 1];
    for c in 0..customers {
        offsets[c + 1] = offsets[c] + histograms.iter().map(|h| h[c] as usize).sum::<usize>();
    }
    offsets
}

/// Calls `put(row, slot)` for every row, on all threads, with the slots of [`slots`].
/// Each slot is put exactly once, so `put` may store into shared atomics with relaxed
/// ordering (plain stores on common hardware); the threads are joined before returning.
pub(crate) fn scatter(codes: &[u32], mut cursors: Vec<Vec<u32>>, put: impl Fn(usize, usize) + Sync) {
    let mut tasks = Vec::new();
    for (rows, cursor) in pieces(codes.len()).into_iter().zip(cursors.iter_mut()) {
        let put = &put;
        tasks.push(move || {
            for row in rows {
                let next = &mut cursor[codes[row] as usize];
                put(row, *next as usize);
                *next += 1;
            }
        });
    }
    run_tasks(tasks);
}

/// Rows staged by bucket: pass 1 of [`stage_in_buckets`] is done, pass 2
/// ([`Self::place`]) moves them to their final slots.
pub(crate) struct Buckets {
    /// Per-customer offsets of the grouped order (`customers + 1`).
    pub offsets: Vec<usize>,
    shift: usize,
    staged_code: Vec<u32>,
}

/// Groups rows by customer in two cache-friendly passes. Row `row` of customer `c` lands
/// at `offsets[c]` + its position among `c`'s rows (row order is kept within a
/// customer), whatever the thread count.
///
/// Scattering straight to the final slots writes all over memory (a cache and TLB miss
/// per row and column). Instead, pass 1 (this function) appends each row to the bucket of
/// its block of customers (at most 256 buckets: sequential writes), calling
/// `stage(row, staging_slot)`. Every staging slot is written exactly once, so `stage` may
/// store into shared atomics with relaxed ordering. Pass 2 is [`Buckets::place`].
pub(crate) fn stage_in_buckets(codes: &[u32], customers: usize, stage: impl Fn(usize, usize) + Sync) -> Buckets {
    let n = codes.len();
    let shift = (usize::BITS - (customers >> 8).leading_zeros()) as usize;
    let buckets = (customers >> shift) + 1;
    let histograms = piece_histograms(codes, customers);
    let offsets = offsets_of(&histograms, customers);
    let bucket_customers = |b: usize| (b << shift).min(customers)..((b + 1) << shift).min(customers);
    // Where piece k's next row of bucket b goes in the staging area.
    let mut cursors: Vec<Vec<usize>> = vec![vec![0; buckets]; histograms.len()];
    for b in 0..buckets {
        let mut at = offsets[bucket_customers(b).start];
        for (k, h) in histograms.iter().enumerate() {
            cursors[k][b] = at;
            at += h[bucket_customers(b)].iter().map(|&x| x as usize).sum::<usize>();
        }
    }
    drop(histograms);
    let staged_code = atomics32(n);
    let mut tasks = Vec::new();
    for (rows, cursor) in pieces(n).into_iter().zip(cursors.iter_mut()) {
        let (stage, staged_code) = (&stage, &staged_code);
        tasks.push(move || {
            for row in rows {
                let c = codes[row];
                let next = &mut cursor[c as usize >> shift];
                staged_code[*next].store(c, Relaxed);
                stage(row, *next);
                *next += 1;
            }
        });
    }
    run_tasks(tasks);
    Buckets { offsets, shift, staged_code: staged_code.into_iter().map(AtomicU32::into_inner).collect() }
}

impl Buckets {
    /// Pass 2: moves each bucket's rows to their final slots, which lie in one small
    /// region, calling `place(piece, staging_slot, slot)`. Buckets are split over threads
    /// by rows; `piece` is the part of `out` the thread owns and `slot` counts from its start.
    pub(crate) fn place<D: SplitAt>(&self, out: D, place: impl Fn(&mut D, usize, usize) + Sync) {
        let (offsets, shift) = (&self.offsets, self.shift);
        let customers = offsets.len() - 1;
        let buckets = (customers >> shift) + 1;
        let bucket_customers = |b: usize| (b << shift).min(customers)..((b + 1) << shift).min(customers);
        let bucket_offsets: Vec<usize> = (0..=buckets).map(|b| offsets[(b << shift).min(customers)]).collect();
        let (mut tasks, mut rest) = (Vec::new(), out);
        for part in customer_pieces(&bucket_offsets) {
            let first = bucket_offsets[part.start];
            let (mut piece, tail) = rest.split_at(bucket_offsets[part.end] - first);
            rest = tail;
            let (place, staged_code, bucket_customers) = (&place, &self.staged_code, &bucket_customers);
            tasks.push(move || {
                let mut cursor = Vec::new();
                for b in part {
                    let cs = bucket_customers(b);
                    cursor.clear();
                    cursor.extend(offsets[cs.clone()].iter().map(|&o| o - first));
                    for from in offsets[cs.start]..offsets[cs.end] {
                        let next = &mut cursor[staged_code[from] as usize - cs.start];
                        place(&mut piece, from, *next);
                        *next += 1;
                    }
                }
            });
        }
        run_tasks(tasks);
    }
}

/// `n` zeroed atomics, to scatter 64-bit values into.
pub(crate) fn atomics64(n: usize) -> Vec<AtomicU64> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

/// `n` zeroed atomics, to scatter 32-bit values into.
pub(crate) fn atomics32(n: usize) -> Vec<AtomicU32> {
    (0..n).map(|_| AtomicU32::new(0)).collect()
}

/// Per-customer offsets and the rows of each customer, in row order within a customer.
pub(crate) fn counting_sort(codes: &[u32], customers: usize) -> (Vec<usize>, Vec<u32>) {
    let (offsets, cursors) = slots(codes, customers);
    let perm = atomics32(codes.len());
    scatter(codes, cursors, |row, slot| perm[slot].store(row as u32, Relaxed));
    (offsets, perm.into_iter().map(AtomicU32::into_inner).collect())
}

/// `values` reordered by `perm`, on all threads.
pub(crate) fn gather<T: Copy + Send + Sync>(values: &[T], perm: &[u32]) -> Vec<T> {
    let Some(&first) = perm.first() else { return Vec::new() };
    let mut out = vec![values[first as usize]; perm.len()];
    fill(&mut out, |first, piece| {
        for (o, &r) in piece.iter_mut().zip(&perm[first..]) {
            *o = values[r as usize];
        }
    });
    out
}

/// Customer ranges with about the same number of rows each, one per thread.
pub(crate) fn customer_pieces(offsets: &[usize]) -> Vec<Range<usize>> {
    let customers = offsets.len() - 1;
    let rows = offsets[customers];
    let mut cuts: Vec<usize> = pieces(rows).iter().map(|r| offsets.partition_point(|&o| o < r.start)).collect();
    cuts[0] = 0;
    cuts.push(customers);
    cuts.windows(2).map(|w| w[0]..w[1].max(w[0])).collect()
}

/// Runs `work(customers, first, slice)` on all threads, each on a range of customers and
/// the matching slice of the grouped column `values` (the slice starts at slot `first`).
pub(crate) fn per_customers<T: Send>(
    offsets: &[usize],
    values: &mut [T],
    work: impl Fn(Range<usize>, usize, &mut [T]) + Sync,
) {
    let parts = customer_pieces(offsets);
    if parts.len() == 1 {
        return work(0..offsets.len() - 1, 0, values);
    }
    std::thread::scope(|s| {
        let mut rest = values;
        for customers in parts {
            let first = offsets[customers.start];
            let (piece, tail) = rest.split_at_mut(offsets[customers.end] - first);
            rest = tail;
            let work = &work;
            s.spawn(move || work(customers, first, piece));
        }
    });
}

/// Groups rows by customer code and orders each group with `cmp` (on row numbers).
/// Returns per-customer offsets and the row permutation.
pub(crate) fn group_rows(
    codes: &[u32],
    customers: usize,
    cmp: impl Fn(u32, u32) -> Ordering + Sync,
) -> (Vec<usize>, Vec<u32>) {
    let (offsets, mut perm) = counting_sort(codes, customers);
    sort_groups(&offsets, &mut perm, &cmp);
    (offsets, perm)
}

/// Orders each customer's rows in `perm` with `cmp`, on all threads; groups already in
/// order (the common case: exports sorted by time) are only checked.
pub(crate) fn sort_groups(offsets: &[usize], perm: &mut [u32], cmp: &(impl Fn(u32, u32) -> Ordering + Sync)) {
    per_customers(offsets, perm, |customers, first, perm| {
        for c in customers {
            let group = &mut perm[offsets[c] - first..offsets[c + 1] - first];
            if group.len() > 1 && !group.is_sorted_by(|&a, &b| cmp(a, b).is_le()) {
                group.sort_unstable_by(|&a, &b| cmp(a, b));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_sort_keeps_row_order_within_a_customer() {
        let codes = [2, 0, 2, 1, 0, 2];
        let (offsets, perm) = counting_sort(&codes, 4);
        assert_eq!(offsets, vec![0, 2, 3, 6, 6]);
        assert_eq!(perm, vec![1, 4, 3, 0, 2, 5]);
    }

    #[test]
    fn buckets_group_like_the_counting_sort() {
        for (n, customers) in [(0u32, 0usize), (5, 3), (300_000, 1_000), (300_000, 70_000), (200_000, 300_001)] {
            let codes: Vec<u32> = (0..n).map(|r| r.wrapping_mul(2_654_435_761) % customers.max(1) as u32).collect();
            let (offsets, perm) = counting_sort(&codes, customers);
            let staged = atomics32(codes.len());
            let mut out = vec![u32::MAX; codes.len()];
            let buckets = stage_in_buckets(&codes, customers, |row, s| staged[s].store(row as u32, Relaxed));
            buckets.place(out.as_mut_slice(), |piece, from, to| piece[to] = staged[from].load(Relaxed));
            assert_eq!(buckets.offsets, offsets);
            assert_eq!(out, perm, "{n} rows");
        }
    }

    #[test]
    fn grouping_is_the_same_when_split_over_pieces() {
        // Enough rows for several pieces on a multi-core machine.
        let n = 300_000u32;
        let codes: Vec<u32> = (0..n).map(|r| r.wrapping_mul(2_654_435_761) % 1_000).collect();
        let (offsets, perm) = counting_sort(&codes, 1_000);
        for c in 0..1_000 {
            let group = &perm[offsets[c]..offsets[c + 1]];
            assert!(group.iter().all(|&r| codes[r as usize] == c as u32));
            assert!(group.is_sorted());
        }
        let values: Vec<u32> = (0..n).collect();
        assert_eq!(gather(&values, &perm), perm);
    }
}
