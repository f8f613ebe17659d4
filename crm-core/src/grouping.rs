//! Grouping rows by customer: a counting sort on the customer codes, on all threads.
//! Transactions and interactions take the two-pass, cache-friendly route of
//! [`Buckets`], then order each customer's rows with [`for_each_group`].
//!
//! The slot a row gets depends only on its customer and its position among that
//! customer's rows, so the grouping is the same for any thread count; callers then put
//! each customer's rows in a canonical order (a full ordering on every field), which makes
//! the grouped store independent of the row order too.

use crate::id::RowCode;
use crate::parallel::{SplitAt, map_pieces, pieces, run_tasks};
use std::ops::Range;

/// Per-customer offsets (`customers + 1` of them), and for each of the [`pieces`] of the
/// rows the slot where its next row of each customer goes. Piece k's rows of a customer
/// go after those of the pieces before it, so row order is kept within a customer.
/// (The reference the bucket route is tested against.)
#[cfg(test)]
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
fn piece_histograms<C: RowCode + ?Sized>(codes: &C, customers: usize) -> Vec<Vec<u32>> {
    map_pieces(codes.rows(), |rows| {
        let mut h = vec![0u32; customers];
        for row in rows {
            h[codes.code(row) as usize] += 1;
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

/// Rows of a column grouped by customer in two cache-friendly passes ([`Self::group`]).
/// Row `row` of customer `c` lands at `offsets[c]` + its position among `c`'s rows (row
/// order is kept within a customer), whatever the thread count.
///
/// Scattering straight to the final slots writes all over memory (a cache and TLB miss
/// per row and column). Instead, pass 1 appends each row to the staging region of its
/// block of customers (a bucket; at most 256 of them: sequential writes), and pass 2 moves
/// each bucket's rows to their final slots, which are the bucket's own staging region, so
/// the staging column becomes the grouped one. Each column takes both passes on its own:
/// a plain typed loop per column, with each thread writing its own slices (no atomics, so
/// the staging memory needs no zeroing).
pub(crate) struct Buckets<'a, C: RowCode + ?Sized> {
    codes: &'a C,
    /// Per-customer offsets of the grouped order (`customers + 1`).
    pub offsets: Vec<usize>,
    shift: usize,
    /// Per bucket, where its rows start in the staging order (`buckets + 1`).
    bucket_offsets: Vec<usize>,
    /// Per piece of the rows and bucket, where the piece's rows of the bucket start in the
    /// staging order (after those of the pieces before it).
    starts: Vec<Vec<usize>>,
    /// The rows' customers in staging order.
    staged_code: StagedCodes,
}

/// The rows' customers in staging order, as offsets within their bucket: 16 bits while a
/// bucket holds at most 65,536 customers (up to 16.7 million customers), 2 bytes a row
/// less at the grouping's peak, where they live beside the columns.
enum StagedCodes {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl<'a, C: RowCode + ?Sized> Buckets<'a, C> {
    /// The grouping of rows with these customer codes (each below `customers`).
    pub(crate) fn new(codes: &'a C, customers: usize) -> Self {
        let shift = (usize::BITS - (customers >> 8).leading_zeros()) as usize;
        let buckets = (customers >> shift) + 1;
        let histograms = piece_histograms(codes, customers);
        let offsets = offsets_of(&histograms, customers);
        let bucket_customers = |b: usize| (b << shift).min(customers)..((b + 1) << shift).min(customers);
        let bucket_offsets: Vec<usize> = (0..=buckets).map(|b| offsets[(b << shift).min(customers)]).collect();
        let mut starts: Vec<Vec<usize>> = vec![vec![0; buckets]; histograms.len()];
        for b in 0..buckets {
            let mut at = bucket_offsets[b];
            for (k, h) in histograms.iter().enumerate() {
                starts[k][b] = at;
                at += h[bucket_customers(b)].iter().map(|&x| x as usize).sum::<usize>();
            }
        }
        drop(histograms);
        let mut grouping =
            Buckets { codes, offsets, shift, bucket_offsets, starts, staged_code: StagedCodes::Wide(Vec::new()) };
        let within = |row: usize| codes.code(row) & ((1u32 << shift) - 1);
        grouping.staged_code = if shift <= 16 {
            StagedCodes::Narrow(grouping.staged(|row| within(row) as u16))
        } else {
            StagedCodes::Wide(grouping.staged(within))
        };
        grouping
    }

    /// `value` of every row in staging order.
    fn staged<T: Copy + Default + Send + Sync>(&self, value: impl Fn(usize) -> T + Sync) -> Vec<T> {
        let mut staged = vec![T::default(); self.codes.rows()];
        self.stage(value, &mut staged);
        staged
    }

    /// Moves `column` (one value per row) into the grouped order, through `staging` (a
    /// scratch column of the same length; its values do not matter). Afterwards `column`
    /// holds the grouped values and `staging` the old column's memory, for the next column.
    pub(crate) fn group<T: Copy + Send + Sync>(&self, column: &mut Vec<T>, staging: &mut Vec<T>) {
        let given: &[T] = column;
        self.stage(|row| given[row], staging);
        self.place(staging);
        std::mem::swap(column, staging);
    }

    /// A column in the grouped order from one the caller keeps, `value(row)` being row
    /// `row`'s value (converted as it is read): one write of every row, no staging column.
    pub(crate) fn grouped_from<T: Copy + Default + Send + Sync>(&self, value: impl Fn(usize) -> T + Sync) -> Vec<T> {
        let mut column = vec![T::default(); self.codes.rows()];
        self.stage(value, &mut column);
        self.place(&mut column);
        column
    }

    /// Pass 1: copies `value` of every row into `staging` in bucket order (within a
    /// bucket, by piece of the rows, then row order).
    fn stage<T: Copy + Send + Sync>(&self, value: impl Fn(usize) -> T + Sync, staging: &mut [T]) {
        let (codes, shift) = (self.codes, self.shift);
        let buckets = self.bucket_offsets.len() - 1;
        let pieces = pieces(codes.rows());
        // Cut the staging column into each piece's region of each bucket.
        let mut regions: Vec<Vec<&mut [T]>> = (0..pieces.len()).map(|_| Vec::with_capacity(buckets)).collect();
        let mut rest = staging;
        for b in 0..buckets {
            for (k, piece_regions) in regions.iter_mut().enumerate() {
                let end = self.starts.get(k + 1).map_or(self.bucket_offsets[b + 1], |s| s[b]);
                let (region, tail) = std::mem::take(&mut rest).split_at_mut(end - self.starts[k][b]);
                piece_regions.push(region);
                rest = tail;
            }
        }
        let tasks: Vec<_> = pieces
            .into_iter()
            .zip(regions)
            .map(|(rows, mut regions)| {
                let value = &value;
                move || {
                    let mut at = vec![0usize; regions.len()];
                    for row in rows {
                        let b = codes.code(row) as usize >> shift;
                        regions[b][at[b]] = value(row);
                        at[b] += 1;
                    }
                }
            })
            .collect();
        run_tasks(tasks);
    }

    /// Pass 2: puts each bucket's staged rows in their final slots, in place: a bucket's
    /// slots are the rows it was staged to, so each bucket is copied out (a few thousand
    /// rows, in cache) and written back in order. Buckets are split over threads by rows.
    fn place<T: Copy + Send + Sync>(&self, staging: &mut [T]) {
        match &self.staged_code {
            StagedCodes::Narrow(staged_code) => self.place_by(staging, staged_code),
            StagedCodes::Wide(staged_code) => self.place_by(staging, staged_code),
        }
    }

    /// [`Self::place`] with the staged offsets of one width.
    fn place_by<T: Copy + Send + Sync, O: Copy + Sync + Into<u32>>(&self, staging: &mut [T], staged_code: &[O]) {
        let (offsets, shift) = (&self.offsets, self.shift);
        let customers = offsets.len() - 1;
        let (mut tasks, mut rest) = (Vec::new(), staging);
        for part in customer_pieces(&self.bucket_offsets) {
            let first = self.bucket_offsets[part.start];
            let (piece, tail) = std::mem::take(&mut rest).split_at_mut(self.bucket_offsets[part.end] - first);
            rest = tail;
            tasks.push(move || {
                let (mut cursor, mut staged) = (Vec::new(), Vec::new());
                for b in part {
                    let cs = (b << shift).min(customers)..((b + 1) << shift).min(customers);
                    let (lo, hi) = (offsets[cs.start], offsets[cs.end]);
                    staged.clear();
                    staged.extend_from_slice(&piece[lo - first..hi - first]);
                    cursor.clear();
                    cursor.extend(offsets[cs.clone()].iter().map(|&o| o - first));
                    for (&within, &value) in staged_code[lo..hi].iter().zip(&staged) {
                        let next = &mut cursor[within.into() as usize];
                        piece[*next] = value;
                        *next += 1;
                    }
                }
            });
        }
        run_tasks(tasks);
    }
}

/// A scratch column of `n` values for [`Buckets::group`], made of the customer ids' memory
/// when they are `n` integers (once coded, the ids are no longer needed), else fresh.
pub(crate) fn scratch_from_ids(ids: crate::id::KeyColumn, n: usize) -> Vec<i64> {
    match ids {
        crate::id::KeyColumn::Int(ids) if ids.len() == n => ids,
        _ => vec![0; n],
    }
}

/// The per-customer offsets (`customers + 1`) when the rows are already grouped by
/// customer in ascending order (codes never decrease), so that grouping can keep them as
/// they are; `None` otherwise. The same offsets [`stage_in_buckets`] would give, since it
/// keeps row order within a customer. One read of the codes, on all threads.
pub(crate) fn offsets_if_grouped<C: RowCode + ?Sized>(codes: &C, customers: usize) -> Option<Vec<usize>> {
    let sorted =
        map_pieces(codes.rows(), |rows| (rows.start.max(1)..rows.end).all(|r| codes.code(r - 1) <= codes.code(r)));
    if !sorted.into_iter().all(|s| s) {
        return None;
    }
    // offsets[c] is the first row of a code >= c: one walk over the rows.
    let mut offsets = Vec::with_capacity(customers + 1);
    for row in 0..codes.rows() {
        while offsets.len() <= codes.code(row) as usize {
            offsets.push(row);
        }
    }
    offsets.resize(customers + 1, codes.rows());
    Some(offsets)
}

/// Per-customer offsets and the rows of each customer, in row order within a customer
/// (the reference [`Buckets`] is tested against).
#[cfg(test)]
pub(crate) fn counting_sort(codes: &[u32], customers: usize) -> (Vec<usize>, Vec<u32>) {
    let (offsets, mut cursors) = slots(codes, customers);
    let mut perm = vec![0u32; codes.len()];
    for (rows, cursor) in pieces(codes.len()).into_iter().zip(cursors.iter_mut()) {
        for row in rows {
            let next = &mut cursor[codes[row] as usize];
            perm[*next as usize] = row as u32;
            *next += 1;
        }
    }
    (offsets, perm)
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

/// Runs `work(piece, group, scratch)` on every customer's group of slots, on all threads.
/// Each thread takes a range of customers with about the same number of rows and `piece`,
/// the part of `out` holding their slots (`group` counts from the piece's start);
/// `scratch` is reused for the thread's groups.
pub(crate) fn for_each_group<D: SplitAt, S: Default>(
    offsets: &[usize],
    out: D,
    work: impl Fn(&mut D, Range<usize>, &mut S) + Sync,
) {
    let (mut tasks, mut rest) = (Vec::new(), out);
    for customers in customer_pieces(offsets) {
        let first = offsets[customers.start];
        let (mut piece, tail) = rest.split_at(offsets[customers.end] - first);
        rest = tail;
        let work = &work;
        tasks.push(move || {
            let mut scratch = S::default();
            for c in customers {
                work(&mut piece, offsets[c] - first..offsets[c + 1] - first, &mut scratch);
            }
        });
    }
    run_tasks(tasks);
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
    fn grouped_rows_are_detected_with_the_counting_sort_offsets() {
        for (codes, customers) in [(vec![], 0usize), (vec![0, 0, 1, 3, 3], 5), (vec![1, 1, 2], 3)] {
            let (offsets, _) = counting_sort(&codes, customers);
            assert_eq!(offsets_if_grouped(codes.as_slice(), customers), Some(offsets), "{codes:?}");
        }
        assert_eq!(offsets_if_grouped(&[0, 1, 0][..], 2), None);
        // Unsorted only across a cut between the pieces of the rows.
        let mut codes: Vec<u32> = (0..300_000).map(|r| r / 3).collect();
        let cut = pieces(codes.len()).last().map_or(0, |r| r.start);
        codes[cut..].iter_mut().for_each(|c| *c = 0);
        assert_eq!(offsets_if_grouped(codes.as_slice(), 100_000), (cut == 0).then(|| counting_sort(&codes, 100_000).0));
    }

    #[test]
    fn buckets_group_like_the_counting_sort() {
        // Buckets of one customer, of 4 and 2,048; 131,072 customers in a bucket of the last
        // (their offsets staged in 32 bits, not 16).
        let cases =
            [(0u32, 0usize), (5, 3), (300_000, 1_000), (300_000, 70_000), (200_000, 300_001), (70_000, 20_000_000)];
        for (n, customers) in cases {
            let codes: Vec<u32> = (0..n).map(|r| r.wrapping_mul(2_654_435_761) % customers.max(1) as u32).collect();
            let (offsets, perm) = counting_sort(&codes, customers);
            let buckets = Buckets::new(codes.as_slice(), customers);
            let mut rows: Vec<u32> = (0..n).collect();
            buckets.group(&mut rows, &mut vec![u32::MAX; codes.len()]);
            assert_eq!(buckets.offsets, offsets);
            assert_eq!(rows, perm, "{n} rows");
            let from: Vec<u64> = (0..n).map(|r| u64::from(r) * 3).collect();
            let grouped = buckets.grouped_from(|r| from[r] + 1);
            assert_eq!(grouped, perm.iter().map(|&r| u64::from(r) * 3 + 1).collect::<Vec<_>>(), "{n} rows from");
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
    }
}
