//! The model summary straight from transaction columns, without building a base: one pass
//! over rows in time order (as sales exports come) with integer ids of a range of at most
//! 2^20 (and, beyond 32,768, no wider than the rows are many), each customer's state in one slot of a table
//! indexed by id.
//! Any other input builds the base and summarises it ([`summary_from_transactions`]); both
//! give the same figures bit for bit.
//!
//! A notebook that asks for the summary alone (lifetimes' `summary_data_from_transaction_
//! data`) then pays a pass over the columns, not the grouping of every transaction by
//! customer that later analyses need.

use super::data::{RfmSummary, TimeUnit, summary_from_transactions};
use crate::base::CustomerBase;
use crate::error::Result;
use crate::id::KeyColumn;
use crate::instants::{Instants, by_unit};
use crate::parallel::first_failing;
use crate::rank::total_bits;
use crate::time::{Day, date_to_day, day_of};
use crate::transaction::TransactionColumns;
use chrono::NaiveDate;

/// Rows of one customer at one second summed in the base's amount order, out of any order;
/// beyond that, only consecutive rows (an invoice's lines, [`reread_lines`]).
const TIE: usize = 4;

/// One customer's running summary. `days == 0`: no row up to the end yet.
#[derive(Clone, Copy, Default)]
struct Slot {
    /// Some row of the customer was seen (also after the end): the customer is in the base.
    seen: bool,
    days: u32,
    first_day: Day,
    last_day: Day,
    /// The current day's sum so far, and the sum of the completed repeat days.
    day_sum: f64,
    repeat_sum: f64,
    /// The second of the last row, and the rows at it so far (the group): the first `TIE`
    /// of their amounts in the base's order (`total_cmp`), the largest as its `total_bits`, whether
    /// they came out of order, whether the group began its day, and the day's sum before it.
    last_time: i64,
    tie_rows: u32,
    tie: [f64; TIE],
    last_amount: u64,
    tie_unordered: bool,
    tie_starts_day: bool,
    pre_tie: f64,
}

/// The widest id range the pass takes (slots of 96 MiB).
const MAX_SPAN: usize = 1 << 20;

/// The summary of every customer with a transaction up to `observation_end`, in ascending
/// id order (the base's customer order; `customers` gives each row's position among all
/// customers of the columns), and the ids of the rows. The same figures as
/// [`summary_from_transactions`] on the base of these columns.
///
/// ```
/// use crm_core::models::{TimeUnit, summary_from_columns};
/// use crm_core::{KeyColumn, TransactionColumns};
/// let day = 86_400;
/// // Customer 7 buys on days 0, 0 and 10; customer 3 on day 4; customer 5 after the end.
/// let columns = TransactionColumns::new(
///     KeyColumn::Int(vec![7, 7, 3, 7, 5]),
///     vec![0, 3_600, 4 * day, 10 * day, 30 * day],
///     vec![10.0, 5.0, 8.0, 20.0, 1.0],
/// );
/// let end = chrono::NaiveDate::from_ymd_opt(1970, 1, 21).unwrap(); // day 20
/// let (ids, s) = summary_from_columns(columns, end, TimeUnit::Days)?;
/// assert_eq!(ids, KeyColumn::Int(vec![3, 7]));
/// assert_eq!(s.customers, [0, 2]); // customer 5 is the base's second
/// assert_eq!((s.data.frequency.clone(), s.data.recency.clone(), s.data.t.clone()), (vec![0.0, 1.0], vec![0.0, 10.0], vec![16.0, 20.0]));
/// assert_eq!(s.monetary_value, [0.0, 20.0]);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// As building a base of the columns ([`CustomerBase::from_transactions`]): mismatched
/// lengths, timestamps out of range, amounts that are not finite, with the row.
pub fn summary_from_columns(
    columns: TransactionColumns,
    observation_end: NaiveDate,
    unit: TimeUnit,
) -> Result<(KeyColumn, RfmSummary)> {
    let c = &columns;
    let extra = c.margin.is_some() || c.cost_of_goods.is_some() || c.product.is_some() || c.order.is_some();
    if let (KeyColumn::Int(ids), false) = (&c.customer, extra)
        && let Some(out) = summary_from_slices(ids, Instants::Seconds(&c.timestamp), &c.amount, observation_end, unit)
    {
        return Ok(out);
    }
    let base = CustomerBase::from_transactions(columns)?;
    let s = summary_from_transactions(&base, observation_end, unit);
    let ids = match base.ids() {
        KeyColumn::Int(v) => KeyColumn::Int(s.customers.iter().map(|&c| v[c as usize]).collect()),
        KeyColumn::Str(v) => KeyColumn::Str(s.customers.iter().map(|&c| v.get(c as usize)).collect()),
    };
    Ok((ids, s))
}

/// [`summary_from_columns`] from columns the host keeps (no copy): integer ids, times and
/// amounts of one length. `None` when the pass does not take them (ids over a range wider
/// than 2^20 or, beyond 32,768, wider than the rows are many; rows not in time order; more
/// than four rows of one customer at one second out of amount order with other rows
/// between them (consecutive ones, an invoice's lines, are sorted); times outside the
/// supported dates or amounts that are not finite): then build [`TransactionColumns`] and
/// call [`summary_from_columns`], which also names a bad value's row.
///
/// ```
/// use crm_core::models::{Instants, TimeUnit, summary_from_slices};
/// let ms = 86_400_000;
/// // Customer 7 buys on days 0, 0 and 10; customer 3 on day 4.
/// let (ids, s) = summary_from_slices(
///     &[7, 7, 3, 7],
///     Instants::Millis(&[0, 3_600_000, 4 * ms, 10 * ms]),
///     &[10.0, 5.0, 8.0, 20.0],
///     chrono::NaiveDate::from_ymd_opt(1970, 1, 21).unwrap(),
///     TimeUnit::Days,
/// )
/// .expect("rows in time order");
/// assert_eq!(ids, crm_core::KeyColumn::Int(vec![3, 7]));
/// assert_eq!(s.data.frequency, [0.0, 1.0]);
/// assert_eq!(s.monetary_value, [0.0, 20.0]);
/// ```
pub fn summary_from_slices(
    ids: &[i64],
    time: Instants<'_>,
    amount: &[f64],
    observation_end: NaiveDate,
    unit: TimeUnit,
) -> Option<(KeyColumn, RfmSummary)> {
    if ids.is_empty() || time.len() != ids.len() || amount.len() != ids.len() {
        return None;
    }
    // The cheap tests first, in one read of the ids and times on all threads. Beyond
    // 32,768, ids over a range wider than the rows are many would take more slots than rows.
    let pieces = crate::parallel::map_pieces(ids.len(), |rows| {
        let (lo, hi) = ids[rows.clone()].iter().fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        (lo, hi, time.sorted(rows))
    });
    let (lo, hi, in_time_order) =
        pieces.iter().fold((i64::MAX, i64::MIN, true), |(lo, hi, s), &(a, b, t)| (lo.min(a), hi.max(b), s && t));
    let span = (hi as i128 - lo as i128 + 1) as u128;
    if span > MAX_SPAN.min(ids.len().max(1 << 15)) as u128 || !in_time_order {
        return None;
    }
    // The base's checks: a bad value is left to the base, which names its row.
    if !time.supported() || first_failing(amount, |v| v.is_finite()).is_some() {
        return None;
    }
    let end = date_to_day(observation_end);
    // Each thread reads every row and keeps the customers of its part of the id range (each
    // slot written by one thread; the parts join in id order): the slot updates are most of
    // a row's cost, and beyond 32,768 customers each is a cache miss. Worth it from about
    // 8,000 customers (2 cores, rows in time order, 13 per customer; one thread against
    // two): 10,000 customers 0.81 ms against 0.61, 50,000 7.5 ms against 4.1.
    let span = span as usize;
    let parts = crate::parallel::threads().min(span / 4096).max(1);
    let step = span.div_ceil(parts);
    let scanned = crate::parallel::map_tasks(parts, ids.len(), |k| {
        let first = lo + (k * step) as i64;
        let range = first..first + (step.min(span - k * step)) as i64;
        by_unit!(time, v, second => scan(ids, |i| second(&v[i]), amount, range, end, unit))
    });
    let mut out = RfmSummary::default();
    let mut out_ids = Vec::new();
    let mut position: crate::CustomerIndex = 0;
    for part in scanned {
        let (part_ids, part, seen) = part?;
        out.customers.extend(part.customers.iter().map(|&p| p + position));
        out_ids.extend(part_ids);
        out.data.frequency.extend(part.data.frequency);
        out.data.recency.extend(part.data.recency);
        out.data.t.extend(part.data.t);
        out.monetary_value.extend(part.monetary_value);
        position += seen;
    }
    out.data.weights = vec![1.0; out.customers.len()];
    Some((KeyColumn::Int(out_ids), out))
}

/// The pass over every row for the customers with ids in `range`: their ids, their summary
/// (positions among the range's customers) and how many customers the range has. `None`
/// for more than `TIE` rows of a customer at one second out of amount order, unless they
/// are consecutive rows (an invoice's lines), which are then read in amount order.
fn scan(
    ids: &[i64],
    second: impl Fn(usize) -> i64,
    amounts: &[f64],
    range: std::ops::Range<i64>,
    end: Day,
    unit: TimeUnit,
) -> Option<(Vec<i64>, RfmSummary, crate::CustomerIndex)> {
    let lo = range.start;
    let mut slots = vec![Slot::default(); (range.end - range.start) as usize];
    // An invoice's lines re-read in amount order (reused: no allocation per invoice), and
    // the end of the lines so read.
    let (mut lines, mut read_to) = (Vec::new(), 0);
    for (row, (&id, &amount)) in ids.iter().zip(amounts).enumerate() {
        let Some(s) = slots.get_mut(id.wrapping_sub(lo) as usize) else { continue };
        s.seen = true;
        let time = second(row);
        let d = day_of(time);
        // In time order, rows after the end come last: the customer counts, its row not.
        if d > end {
            continue;
        }
        let key = total_bits(amount);
        if s.days > 0 && time == s.last_time {
            if row < read_to {
                continue;
            }
            // Another row at the group's second: the base adds a second's rows in amount
            // order, so the group's first rows are kept sorted and summed again.
            s.tie_rows += 1;
            s.tie_unordered |= key < s.last_amount;
            s.last_amount = s.last_amount.max(key);
            let n = s.tie_rows as usize;
            if n <= TIE {
                let mut k = n - 1;
                while k > 0 && total_bits(s.tie[k - 1]) > key {
                    s.tie[k] = s.tie[k - 1];
                    k -= 1;
                }
                s.tie[k] = amount;
                let mut sum = if s.tie_starts_day { s.tie[0] } else { s.pre_tie + s.tie[0] };
                for v in &s.tie[1..n] {
                    sum += v;
                }
                s.day_sum = sum;
            } else if s.tie_unordered {
                // Past `TIE` rows out of order: an invoice's lines (the group's rows
                // consecutive) are read again with the rest of the run, in amount order.
                read_to = reread_lines(s, ids, &second, amounts, row, &mut lines)?;
            } else {
                s.day_sum += amount;
            }
            continue;
        }
        (s.last_time, s.last_amount, s.tie_rows, s.tie_unordered, s.tie[0]) = (time, key, 1, false, amount);
        if s.days == 0 {
            (s.days, s.first_day, s.last_day, s.day_sum, s.tie_starts_day) = (1, d, d, amount, true);
        } else if d == s.last_day {
            (s.pre_tie, s.tie_starts_day) = (s.day_sum, false);
            s.day_sum += amount;
        } else {
            // The finished day: a repeat day unless it was the first (sums in day order, as
            // the base's, from -0.0 as `Iterator::sum`).
            if s.days > 1 {
                s.repeat_sum += s.day_sum;
            } else {
                s.repeat_sum = -0.0;
            }
            (s.days, s.last_day, s.day_sum, s.tie_starts_day) = (s.days + 1, d, amount, true);
        }
    }
    let scale = unit.days();
    let mut out = RfmSummary::default();
    let mut out_ids = Vec::new();
    let mut position: crate::CustomerIndex = 0;
    for (k, s) in slots.iter().enumerate() {
        if !s.seen {
            continue;
        }
        if s.days > 0 {
            let repeat = s.days - 1;
            out.customers.push(position);
            out_ids.push(lo + k as i64);
            out.data.frequency.push(repeat as f64);
            out.data.recency.push((s.last_day - s.first_day) as f64 / scale);
            out.data.t.push((end - s.first_day) as f64 / scale);
            out.monetary_value.push(if repeat == 0 { 0.0 } else { (s.repeat_sum + s.day_sum) / repeat as f64 });
        }
        position += 1;
    }
    Some((out_ids, out, position))
}

/// A customer's group of rows at one second, found out of amount order at `row`, summed
/// again in amount order with the rest of its run when its rows are consecutive (an
/// invoice's lines); the end of the run. `None` when other rows separate them. Out of line:
/// in the row loop it made rows without lines 11-24 % slower.
#[cold]
#[inline(never)]
fn reread_lines(
    s: &mut Slot,
    ids: &[i64],
    second: &impl Fn(usize) -> i64,
    amounts: &[f64],
    row: usize,
    lines: &mut Vec<f64>,
) -> Option<usize> {
    let (id, time) = (ids[row], second(row));
    let first = (row + 1).checked_sub(s.tie_rows as usize)?;
    let same = |k: usize| ids[k] == id && second(k) == time;
    if !(first..row).all(same) {
        return None;
    }
    let end = (row + 1..ids.len()).find(|&k| !same(k)).unwrap_or(ids.len());
    lines.clear();
    lines.extend_from_slice(&amounts[first..end]);
    lines.sort_unstable_by_key(|v| total_bits(*v));
    let mut sum = if s.tie_starts_day { lines[0] } else { s.pre_tie + lines[0] };
    for v in &lines[1..] {
        sum += v;
    }
    s.day_sum = sum;
    s.tie_rows = (end - first) as u32;
    s.last_amount = total_bits(lines[lines.len() - 1]);
    s.tie_unordered = false;
    s.tie.copy_from_slice(&lines[..TIE]);
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;

    fn end() -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 8).expect("a date") // day 7
    }

    /// The base's summary of the same columns, and its ids.
    fn by_base(c: &TransactionColumns, end: NaiveDate) -> (KeyColumn, RfmSummary) {
        let base = CustomerBase::from_transactions(c.clone()).expect("valid columns");
        let s = summary_from_transactions(&base, end, TimeUnit::Weeks);
        let KeyColumn::Int(v) = base.ids() else { panic!("integer ids") };
        (KeyColumn::Int(s.customers.iter().map(|&k| v[k as usize]).collect()), s)
    }

    fn bits(s: &RfmSummary) -> Vec<Vec<u64>> {
        [&s.data.frequency, &s.data.recency, &s.data.t, &s.data.weights, &s.monetary_value]
            .iter()
            .map(|v| v.iter().map(|x| x.to_bits()).collect())
            .collect()
    }

    fn same(c: TransactionColumns) -> bool {
        same_at(c, end())
    }

    /// Whether the pass took the columns; either way the figures are the base's.
    fn same_at(c: TransactionColumns, end: NaiveDate) -> bool {
        let want = by_base(&c, end);
        let KeyColumn::Int(ids) = &c.customer else { panic!("integer ids") };
        // With an order or product column the summary is the base's (summary_from_columns).
        let fast = (c.order.is_none() && c.product.is_none())
            .then(|| summary_from_slices(ids, Instants::Seconds(&c.timestamp), &c.amount, end, TimeUnit::Weeks))
            .flatten();
        let taken = fast.is_some();
        if let Some((ids, s)) = fast {
            assert_eq!(ids, want.0);
            assert_eq!(s.customers, want.1.customers);
            assert_eq!(bits(&s), bits(&want.1));
        }
        let (ids, s) = summary_from_columns(c, end, TimeUnit::Weeks).expect("valid columns");
        assert_eq!((ids, &s.customers, bits(&s)), (want.0, &want.1.customers, bits(&want.1)));
        taken
    }

    proptest! {
        /// Rows of a few customers over up to ten days, on the hour (so that rows share
        /// seconds and days), refunds, zeros and -0.0 among the amounts, some after the end: the
        /// pass gives the base's figures bit for bit, or leaves them to the base.
        #[test]
        fn the_pass_equals_the_base(
            rows in prop::collection::vec((1i64..12, 0i64..240, prop::sample::select(vec![
                10.0, 0.1, 0.2, 0.3, -5.0, 0.0, -0.0, 1e16, 7.25,
            ])), 1..120),
            shuffle in any::<bool>(),
            seconds in prop::sample::select(vec![4i64, 30, 240]),
        ) {
            // Few distinct seconds: many rows of one customer at one second.
            let mut rows: Vec<(i64, i64, f64)> = rows.into_iter().map(|r| (r.0, r.1 % seconds, r.2)).collect();
            if !shuffle {
                rows.sort_by_key(|r| r.1);
            }
            let c = TransactionColumns::new(
                KeyColumn::Int(rows.iter().map(|r| r.0).collect()),
                rows.iter().map(|r| r.1 * 3_600).collect(),
                rows.iter().map(|r| r.2).collect(),
            );
            let taken = same(c);
            prop_assert!(!(shuffle && taken && !rows.is_sorted_by_key(|r| r.1)));
        }
    }

    proptest! {
        /// An export's invoice lines: each invoice's rows together in any amount order,
        /// invoices in time order (several customers at one second), some after the end:
        /// the pass, with the base's figures bit for bit.
        #[test]
        fn invoice_lines_in_any_order_take_the_pass(
            invoices in prop::collection::vec((1i64..8, 0i64..40, prop::collection::vec(prop::sample::select(vec![
                10.0, 0.1, 0.2, 0.3, -5.0, 0.0, -0.0, 1e16, -1e16, 7.25,
            ]), 1..12)), 1..30),
        ) {
            // By time, then customer: an invoice drawn twice is one run of lines.
            let mut invoices = invoices;
            invoices.sort_by_key(|i| (i.1, i.0));
            let rows: Vec<(i64, i64, f64)> =
                invoices.iter().flat_map(|(c, t, lines)| lines.iter().map(move |a| (*c, t * 6 * 3_600, *a))).collect();
            let c = TransactionColumns::new(
                KeyColumn::Int(rows.iter().map(|r| r.0).collect()),
                rows.iter().map(|r| r.1).collect(),
                rows.iter().map(|r| r.2).collect(),
            );
            prop_assert!(same(c));
        }
    }

    #[test]
    fn time_ordered_integer_ids_take_the_pass() {
        // Rows of customer 4 at one second out of amount order (summed in the base's order,
        // which differs in the last bit here: 0.3 + 0.1 + 0.2 vs 0.1 + 0.2 + 0.3), also after
        // the day's first row: the pass; five at one second out of order: the pass when they
        // are consecutive (an invoice's lines), the base when another customer's row
        // separates them.
        let c = |ids: Vec<i64>, times: Vec<i64>, amounts: Vec<f64>| {
            TransactionColumns::new(KeyColumn::Int(ids), times, amounts)
        };
        assert!(same(c(vec![4, 4, 2, 4], vec![DAY, DAY, 2 * DAY, 3 * DAY], vec![0.3, 0.1, 1.0, 0.2])));
        assert!(same(c(vec![4, 4, 4, 4], vec![0, DAY, DAY, DAY], vec![1.0, 0.3, 0.1, 0.2])));
        assert!(same(c(vec![4, 4, 4, 4], vec![0, DAY, DAY + 1, DAY + 1], vec![1.0, 0.1, 0.3, 0.2])));
        assert!(same(c(vec![4; 6], vec![0, DAY, DAY, DAY, DAY, DAY], vec![1.0, 0.1, 0.2, 0.3, 0.4, 0.5])));
        assert!(same(c(
            vec![4; 7],
            vec![0, DAY, DAY, DAY, DAY, DAY, 2 * DAY],
            vec![1.0, 0.5, 0.4, 0.3, 0.2, 0.1, 1.0]
        )));
        let split = c(
            vec![4, 4, 4, 2, 4, 4, 4],
            vec![0, DAY, DAY, DAY, DAY, DAY, DAY],
            vec![1.0, 0.5, 0.4, 9.0, 0.3, 0.2, 0.1],
        );
        assert!(!same(split));
        // Lines 1e16, -1e16, 1 (and two more) add up to 1 in file order and to 0 in amount
        // order (the base's).
        let lines = c(vec![4; 7], vec![0, DAY, DAY, DAY, DAY, DAY, DAY], vec![5.0, 1e16, 3.0, 2.0, -1e16, -5.0, 1.0]);
        let (_, s) = summary_from_columns(lines.clone(), end(), TimeUnit::Days).expect("valid");
        assert_eq!(s.monetary_value, [0.0]);
        assert!(same(lines));
        // Out of time order, text ids, ids spread thin, an order column: the base.
        assert!(!same(c(vec![1, 2], vec![DAY, 0], vec![1.0, 2.0])));
        assert!(!same(c(vec![1, 1 << 40], vec![0, DAY], vec![1.0, 2.0])));
        let mut with_order = c(vec![1, 2], vec![0, DAY], vec![1.0, 2.0]);
        with_order.order = Some(KeyColumn::Int(vec![1, 2]));
        assert!(!same(with_order));
        let text =
            TransactionColumns::new(KeyColumn::Str(["b", "a"].into_iter().collect()), vec![0, DAY], vec![1.0, 2.0]);
        let (ids, s) = summary_from_columns(text, end(), TimeUnit::Days).expect("valid");
        assert_eq!((ids.len(), s.customers), (2, vec![0, 1]));
    }

    /// 30,000 customers in time order with the end in the middle of the history: the pass,
    /// with the base's figures.
    #[test]
    fn a_sample_in_time_order_takes_the_pass() {
        // 30,000 customers: one part; 70,000: the id range split over threads.
        for customers in [30_000, 70_000] {
            let data = crate::sample::generate(&crate::sample::SampleConfig {
                customers,
                profiles: false,
                interactions: false,
                ..Default::default()
            });
            let tx = data.transactions;
            let mut order: Vec<usize> = (0..tx.amount.len()).collect();
            order.sort_by_key(|&i| tx.timestamp[i]);
            let KeyColumn::Int(ids) = &tx.customer else { panic!("integer ids") };
            let c = TransactionColumns::new(
                KeyColumn::Int(order.iter().map(|&i| ids[i]).collect()),
                order.iter().map(|&i| tx.timestamp[i]).collect(),
                order.iter().map(|&i| tx.amount[i]).collect(),
            );
            assert!(c.len() > 1 << 16);
            assert!(same_at(c, data.end - chrono::Days::new(200)), "{customers} customers");
        }
    }

    #[test]
    fn rows_out_of_time_order_only_across_a_cut_go_through_the_base() {
        let n = 3 << 16;
        let ids: Vec<i64> = (0..n as i64).map(|r| r % 1_000).collect();
        let mut time: Vec<i64> = (0..n as i64).map(|r| r * 60).collect();
        let sorted = TransactionColumns::new(KeyColumn::Int(ids.clone()), time.clone(), vec![1.0; n]);
        assert!(same_at(sorted, NaiveDate::from_ymd_opt(1970, 12, 31).expect("a date")));
        // The first row of the last piece goes back in time.
        let cut = crate::parallel::pieces(n).last().map_or(0, |r| r.start);
        time[cut.max(1)] = 0;
        let shuffled = TransactionColumns::new(KeyColumn::Int(ids), time, vec![1.0; n]);
        assert!(!same_at(shuffled, NaiveDate::from_ymd_opt(1970, 12, 31).expect("a date")));
    }

    proptest! {
        /// Times in ms, us, ns (with sub-second parts, before 1970 too) and days give the
        /// figures of the same instants in seconds, floored as the base reads them.
        #[test]
        fn every_unit_reads_as_its_seconds(
            rows in prop::collection::vec((1i64..6, -3i64..3, 0i64..4, 0.0f64..100.0, 0i64..1_000_000_000), 1..40),
        ) {
            // In time order, a second's rows in amount order (more than four of a customer
            // at one second out of amount order are left to the base), and the sub-second
            // parts ascending within a second (so that every unit's raw values are in order).
            let mut rows = rows;
            rows.sort_by_key(|r| (r.1, r.2, r.4));
            let subs: Vec<i64> = rows.iter().map(|r| r.4).collect();
            rows.sort_by_key(|r| (r.1, r.2, total_bits(r.3)));
            for (r, s) in rows.iter_mut().zip(subs) {
                r.4 = s;
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let amount: Vec<f64> = rows.iter().map(|r| r.3).collect();
            let seconds: Vec<i64> = rows.iter().map(|r| r.1 * DAY + r.2 * 3_600).collect();
            let summary = |t: Instants<'_>| {
                summary_from_slices(&ids, t, &amount, end(), TimeUnit::Days).map(|(i, s)| (i, s.customers.clone(), bits(&s)))
            };
            let want = summary(Instants::Seconds(&seconds));
            prop_assert!(want.is_some());
            let scaled =
                |per: i64| -> Vec<i64> { seconds.iter().zip(&rows).map(|(s, r)| s * per + r.4 * per / 1_000_000_000).collect() };
            let (ms, us, ns) = (scaled(1_000), scaled(1_000_000), scaled(1_000_000_000));
            prop_assert_eq!(&summary(Instants::Millis(&ms)), &want);
            prop_assert_eq!(&summary(Instants::Micros(&us)), &want);
            prop_assert_eq!(&summary(Instants::Nanos(&ns)), &want);
            let days: Vec<i32> = rows.iter().map(|r| r.1 as i32).collect();
            let midnights: Vec<i64> = rows.iter().map(|r| r.1 * DAY).collect();
            prop_assert_eq!(summary(Instants::Days(&days)), summary(Instants::Seconds(&midnights)));
        }
    }

    #[test]
    fn bad_values_are_left_to_the_base() {
        let day = |d: i64| d * DAY;
        let ok = summary_from_slices(&[1, 2], Instants::Seconds(&[0, day(1)]), &[1.0, 2.0], end(), TimeUnit::Days);
        assert!(ok.is_some());
        let nan =
            summary_from_slices(&[1, 2], Instants::Seconds(&[0, day(1)]), &[1.0, f64::NAN], end(), TimeUnit::Days);
        assert!(nan.is_none());
        let far = summary_from_slices(&[1, 2], Instants::Seconds(&[0, i64::MAX]), &[1.0, 2.0], end(), TimeUnit::Days);
        assert!(far.is_none(), "after the supported dates");
        let short = summary_from_slices(&[1, 2], Instants::Seconds(&[0]), &[1.0, 2.0], end(), TimeUnit::Days);
        assert!(short.is_none());
    }

    #[test]
    fn bad_rows_get_the_base_error() {
        let c = TransactionColumns::new(KeyColumn::Int(vec![1, 2, 3]), vec![0, DAY, 2 * DAY], vec![1.0, f64::NAN, 2.0]);
        let want = CustomerBase::from_transactions(c.clone()).unwrap_err().to_string();
        let got = summary_from_columns(c, end(), TimeUnit::Days).unwrap_err().to_string();
        assert_eq!(got, want);
        assert!(got.contains("amount"), "{got}");
    }
}
