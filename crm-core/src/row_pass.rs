//! Per-customer figures in one pass over a base's transactions as given (not grouped, see
//! [`crate::store`]), equal bit for bit to the grouped store's: each customer's rows are
//! read in the store's order (time, then amount, then margin), so the pass declines when a
//! customer's rows up to the as-of day come in another order, and the caller groups them.
//! A pass may start later than the data: rows before its start only mark whether their
//! customer bought, and need no order (the value segments' window).
//!
//! Each thread reads every row and keeps the customers of its part of the index range
//! (each customer's state written by one thread; the parts join in index order), so the
//! result does not depend on the thread count. (Sending the other parts' rows to a spare
//! state instead of skipping them was slower: its updates form one long dependency chain.)
//!
//! Several rows of a customer at one time in no particular amount order (an invoice's
//! lines) are read in the store's order when they come one after another, as exports list
//! them; rows of one time that other rows separate must already be in order, else the pass
//! declines, usually within the first blocks of rows: it stops there and the base groups
//! the rows, as it would have without the pass.

use crate::cache::prefetch;
use crate::id::{IdOffsets, RowCode, RowCodes};
use crate::instants::by_unit;
use crate::rank::total_bits;
use crate::store::Ungrouped;
use std::sync::atomic::{AtomicBool, Ordering};

/// Rows between a row and the later row whose state it asks the cache for
/// ([`prefetch`]): each row's state is a miss at random in memory, and a row in the
/// pass's loop waits for it; asked for this many rows ahead, the misses overlap. 1 M
/// customers, 11.4 M rows in time order, 2 cores, release, from a polars frame, best of
/// 5 twice: summary on a fresh base 0.22-0.30 s -> 0.105-0.117 s, segments 0.16-0.24 s ->
/// 0.11-0.14 s.
const LOOK_AHEAD: usize = 16;

/// Rows between two looks at whether another part has declined.
const BLOCK: usize = 1 << 16;

/// The most bytes of customers' states a pass keeps (beyond, the caller groups the rows):
/// each row reads and writes its customer's state at random, and beyond some size the
/// misses cost more than grouping the rows, whose passes read and write in order. With the
/// host's columns kept in place ([`crate::shared`]) grouping also writes the grouped
/// store beside them, while the pass needs no memory beyond its states. The summary
/// (32-byte states, 11.4 rows per customer in time order, 2 cores, release, from a polars
/// frame, `scaling.py`) at 3 M customers: build + summary 0.74 s by the pass against 1.25 s
/// grouping first (a path the prefetch does not touch), and build + summary + segments
/// needs 0.87 x the input beyond it at the peak against 1.83 x; at 10 M the pass was faster
/// even before both (3.8 s against 4.4). The segments' pass, where only the value window's
/// rows visit the states (a year of three): 3 M customers 0.48 s against 0.86 s grouping
/// first, 10 M (320 MiB of states) 2.6 s against 4.1.
const MAX_STATE_BYTES: usize = 512 << 20;

/// A customer's running state in a pass.
pub(crate) trait Running: Copy + Send + Sync {
    /// What every customer's reading shares (kept out of the state, which is read and
    /// written once per row: its size is the pass's memory traffic).
    type Context: Sync;
    /// The time and the row of the latest row read; a time of `i64::MIN` before the first.
    /// (The row, not its amount: the amount is read again only when a row comes at the
    /// same time, and the state stays small.)
    fn last(&self, context: &Self::Context) -> (i64, u32);
    /// Reads the customer's next row in the store's order: its row, time, amount and margin
    /// (0 without margins).
    fn add(&mut self, context: &Self::Context, row: u32, time: i64, amount: f64, margin: f64);
}

/// What a pass gives: each customer's state, the rows at or after its end, and which
/// customers bought (an amount above 0) in the rows before its start (bit `c % 64` of word
/// `c / 64`).
pub(crate) struct Pass<S> {
    /// The states of each thread's part of the customers, in customer order (kept as the
    /// threads made them: joining them would copy every state once more).
    parts: Vec<Vec<S>>,
    /// Customers per part (all but the last).
    step: usize,
    pub(crate) later: usize,
    pub(crate) bought_early: Vec<u64>,
}

impl<S: Copy> Pass<S> {
    /// Every customer's state, in customer order.
    pub(crate) fn states(&self) -> impl Iterator<Item = S> + '_ {
        self.parts.iter().flatten().copied()
    }

    /// Customer `c`'s state.
    #[inline]
    pub(crate) fn state(&self, c: usize) -> S {
        self.parts[c / self.step][c % self.step]
    }
}

/// Each customer's state after its rows from `start` to before `end` (Unix seconds), the
/// number of rows at or after `end`, and who bought before `start`; `None` when a
/// customer's rows from `start` to before `end` are out of the store's order, or when the
/// customers are too many for the pass to pay ([`MAX_STATE_BYTES`]).
///
/// Rows before `start` only set their customer's bit when their amount is above 0: a bit
/// array of a million customers (125 KiB) stays in a core's cache, where the states are
/// reached at random in memory, so a value window that starts late in the data (the
/// segments' 12 months of several years) reads most rows at a fraction of the cost.
pub(crate) fn per_customer<S: Running>(
    u: &Ungrouped,
    start: i64,
    end: i64,
    fresh: S,
    context: &S::Context,
) -> Option<Pass<S>> {
    let n = u.customers;
    let rows = u.columns.len();
    if n.saturating_mul(std::mem::size_of::<S>()) > MAX_STATE_BYTES || u32::try_from(rows).is_err() {
        return None;
    }
    // Two parts from about 8,000 customers, as the lifetimes summary's pass (the state
    // updates are most of a row's cost, so halving them pays for the second thread).
    let parts = crate::parallel::threads().min(n / 4096).max(1);
    // Whole words of the bit array per part.
    let step = n.div_ceil(parts).next_multiple_of(64).max(64);
    // A part that finds a customer out of order stops the others at their next block.
    let declined = AtomicBool::new(false);
    let scanned = crate::parallel::map_tasks(parts, rows, |k| {
        let lo = (k * step).min(n);
        let part = Part { u, start, end, fresh, context, lo, len: step.min(n - lo), declined: &declined };
        // One loop per time unit, the unit's conversion inlined.
        by_unit!(u.columns.times(), v, second => match u.codes {
            RowCodes::Stored(ref codes) => part.scan(v, second, &codes[..]),
            RowCodes::Offset(min) => part.scan(v, second, &IdOffsets { ids: u.columns.int_ids(), min }),
        })
    });
    let mut pass =
        Pass { parts: Vec::with_capacity(parts), step, later: 0, bought_early: Vec::with_capacity(n.div_ceil(64)) };
    for part in scanned {
        let (states, later, bought_early) = part?;
        pass.parts.push(states);
        pass.later += later;
        pass.bought_early.extend(bought_early);
    }
    Some(pass)
}

/// One thread's part of a pass: the customers `lo..lo + len`.
struct Part<'a, S: Running> {
    u: &'a Ungrouped,
    start: i64,
    end: i64,
    fresh: S,
    context: &'a S::Context,
    lo: usize,
    len: usize,
    declined: &'a AtomicBool,
}

/// A part's states, its rows at or after the end, and its customers' bits of buying before
/// the start; `None` when it (or another part) declined.
type Scanned<S> = Option<(Vec<S>, usize, Vec<u64>)>;

impl<S: Running> Part<'_, S> {
    /// Reads every row with times `times` (in their unit; `second` reads one as Unix
    /// seconds) into the part's customers' states, with the rows' customer `codes`.
    fn scan<T, C: RowCode + ?Sized>(&self, times: &[T], second: impl Fn(&T) -> i64, codes: &C) -> Scanned<S> {
        let Part { u, start, end, fresh, context, lo, len, declined } = *self;
        let amounts = u.columns.amounts();
        let has_margin = u.columns.has_margin();
        let mut states = vec![fresh; len];
        let mut bought_early = vec![0u64; len.div_ceil(64)];
        let mut later = 0;
        // Reads row `i` into its customer's state; false when it comes behind the state's
        // latest row in the store's order (time, then amount, then margin).
        let read = |states: &mut [S], at: usize, i: usize, t: i64| {
            let s = &mut states[at];
            let (last_t, last_row) = s.last(context);
            let behind = t < last_t || (t == last_t && order_key(u, i) < order_key(u, last_row as usize));
            if !behind {
                s.add(context, i as u32, t, amounts[i], if has_margin { u.columns.margin(i) } else { 0.0 });
            }
            !behind
        };
        // The rows of a run (consecutive rows of one customer at one time: an invoice's
        // lines), put in the store's order.
        let mut run: Vec<usize> = Vec::new();
        // Rows before this one were read as part of a run.
        let mut resume = 0;
        for block in (0..times.len()).step_by(BLOCK) {
            if declined.load(Ordering::Relaxed) {
                return None;
            }
            let rows = block..(block + BLOCK).min(times.len());
            for (i, t) in rows.clone().zip(&times[rows]) {
                if let Some(ahead) = times.get(i + LOOK_AHEAD) {
                    // Only a row in the pass's span visits its state (asking for the others
                    // would fill the core's miss buffers with lines nobody reads); they ask
                    // for the part's last state, already in cache.
                    let t = second(ahead);
                    let at = (codes.code(i + LOOK_AHEAD) as usize).wrapping_sub(lo);
                    prefetch(&states[if t >= start && t < end { at.min(len - 1) } else { len - 1 }]);
                }
                let code = codes.code(i);
                let at = (code as usize).wrapping_sub(lo);
                if at >= len || i < resume {
                    continue;
                }
                let t = second(t);
                if t >= end {
                    later += 1;
                    continue;
                }
                if t < start {
                    bought_early[at / 64] |= u64::from(amounts[i] > 0.0) << (at % 64);
                    continue;
                }
                let same = |r: usize| r < times.len() && codes.code(r) == code && second(&times[r]) == t;
                if !same(i + 1) {
                    if !read(&mut states, at, i, t) {
                        declined.store(true, Ordering::Relaxed);
                        return None;
                    }
                    continue;
                }
                // A run: read in the store's order, sorted when it is not.
                let key = |r: usize| order_key(u, r);
                let mut stop = i + 1;
                let mut sorted = true;
                while same(stop) {
                    sorted &= key(stop - 1) <= key(stop);
                    stop += 1;
                }
                run.clear();
                run.extend(i..stop);
                if !sorted {
                    run.sort_by_key(|&r| key(r));
                }
                if !run.iter().all(|&r| read(&mut states, at, r, t)) {
                    declined.store(true, Ordering::Relaxed);
                    return None;
                }
                resume = stop;
            }
        }
        Some((states, later, bought_early))
    }
}

/// Row `r`'s place among its customer's rows at one time in the store's order: its amount,
/// then its margin (0 without margins), as [`total_bits`].
#[inline]
fn order_key(u: &Ungrouped, r: usize) -> (u64, u64) {
    (total_bits(u.columns.amounts()[r]), total_bits(u.columns.margin(r)))
}

/// Rows for testing a pass against the grouped store.
#[cfg(test)]
pub(crate) mod test_rows {
    use crate::rank::total_bits;
    use crate::{KeyColumn, TransactionColumns};
    use proptest::prelude::*;

    /// A row: customer, day, hour, amount, margin (or cost of goods).
    pub(crate) type Row = (i64, i64, i64, f64, f64);

    /// Rows of a few customers on the hour over a few days (rows share seconds), with
    /// refunds, zeros, -0.0 and amounts whose sum depends on its order.
    pub(crate) fn rows() -> impl Strategy<Value = Vec<Row>> {
        let amounts = prop::sample::select(vec![10.0, 0.1, 0.2, 0.3, -5.0, 0.0, -0.0, 1e16, -1e16, 7.25]);
        let margins = prop::sample::select(vec![0.5, 0.1, -0.0, 3.0]);
        prop::collection::vec((1i64..15, 0i64..6, 0i64..3, amounts, margins), 1..150)
    }

    /// The rows as columns: `order` 0 in the store's order (time, amount, margin), 1 by
    /// time alone, 3 by time and customer (each customer's rows at one time one after
    /// another, as drawn: invoice lines), else as drawn; `costs` 0 with margins, 1 with cost
    /// of goods, else neither.
    pub(crate) fn columns(mut rows: Vec<Row>, order: u8, costs: u8) -> TransactionColumns {
        let time = |r: &Row| r.1 * 86_400 + r.2 * 3_600;
        match order {
            0 => rows.sort_by_key(|a| (time(a), total_bits(a.3), total_bits(a.4))),
            1 => rows.sort_by_key(time),
            3 => rows.sort_by_key(|r| (time(r), r.0)),
            _ => {}
        }
        let mut c = TransactionColumns::new(
            KeyColumn::Int(rows.iter().map(|r| r.0).collect()),
            rows.iter().map(time).collect(),
            rows.iter().map(|r| r.3).collect(),
        );
        match costs {
            0 => c.margin = Some(rows.iter().map(|r| r.4).collect()),
            1 => c.cost_of_goods = Some(rows.iter().map(|r| r.4).collect()),
            _ => {}
        }
        c
    }
}
