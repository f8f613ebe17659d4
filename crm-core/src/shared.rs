//! Transaction columns a host keeps (an Arrow table's buffers, a C caller's arrays),
//! read in place by a base instead of copied.
//!
//! A base built from [`SharedTransactions`] holds a reference to the host's values: the
//! build copies nothing (its time and memory are the coding of the ids), the one-pass
//! analyses (value segments, summary) read the values where they are, in the host's time
//! unit, and only an analysis that needs each customer's history reads them, once, into
//! the grouped store. Results are the same bit for bit as from [`TransactionColumns`]
//! holding the same values.

use crate::error::Result;
use crate::id::{Interned, KeyColumn, RowCodes};
use crate::instants::Instants;
use crate::transaction::{TransactionColumns, check_finite, check_len};
use std::sync::Arc;

/// Values their owner keeps and a base reads in place (anything that can be seen as a
/// slice: an Arrow buffer, a `Vec`).
///
/// The owner must not change the values while a base holds them: a base checks them once,
/// when it is built.
///
/// ```
/// use crm_core::shared::Shared;
/// let amounts = Shared::new(vec![10.0, 20.5]);
/// assert_eq!(&amounts[..], &[10.0, 20.5]);
/// ```
pub struct Shared<T: 'static>(Arc<dyn AsRef<[T]> + Send + Sync>);

impl<T: 'static> Shared<T> {
    /// Shares `values` (kept until the last base and clone holding them are dropped).
    pub fn new(values: impl AsRef<[T]> + Send + Sync + 'static) -> Self {
        Shared(Arc::new(values))
    }
}

impl<T: 'static> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T: 'static> std::ops::Deref for Shared<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        (*self.0).as_ref()
    }
}

impl<T: 'static> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({} values)", self.len())
    }
}

/// Shared times in their owner's unit (see [`Instants`] for the rule that reads them as
/// Unix seconds).
#[derive(Debug, Clone)]
pub enum SharedInstants {
    /// Unix seconds.
    Seconds(Shared<i64>),
    /// Milliseconds since 1970-01-01 00:00 UTC.
    Millis(Shared<i64>),
    /// Microseconds since 1970-01-01 00:00 UTC.
    Micros(Shared<i64>),
    /// Nanoseconds since 1970-01-01 00:00 UTC.
    Nanos(Shared<i64>),
    /// Days since 1970-01-01 (Arrow's date32).
    Days(Shared<i32>),
    /// Days since 1970-01-01 as 64-bit integers.
    DaysI64(Shared<i64>),
}

impl SharedInstants {
    /// The times as an [`Instants`] view.
    pub fn instants(&self) -> Instants<'_> {
        match self {
            SharedInstants::Seconds(v) => Instants::Seconds(v),
            SharedInstants::Millis(v) => Instants::Millis(v),
            SharedInstants::Micros(v) => Instants::Micros(v),
            SharedInstants::Nanos(v) => Instants::Nanos(v),
            SharedInstants::Days(v) => Instants::Days(v),
            SharedInstants::DaysI64(v) => Instants::DaysI64(v),
        }
    }
}

/// The three required transaction columns, shared by their owner: integer customer ids,
/// times, amounts. (Margins, products, order ids and string ids come as
/// [`TransactionColumns`].)
///
/// ```
/// use crm_core::shared::{Shared, SharedInstants, SharedTransactions};
/// use crm_core::{CustomerBase, SegmentConfig};
/// let tx = SharedTransactions::new(
///     Shared::new(vec![7i64, 3, 7]),
///     SharedInstants::Days(Shared::new(vec![19_000i32, 19_001, 19_002])),
///     Shared::new(vec![10.0, 5.0, 20.0]),
/// );
/// let base = CustomerBase::builder().shared_transactions(tx)?.build()?;
/// assert_eq!(base.transaction_span(), Some((19_000 * 86_400, 19_002 * 86_400)));
/// assert_eq!(base.transactions().of(1).amount, &[10.0, 20.0]); // customer 7
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SharedTransactions {
    /// Customer id per row.
    pub customer: Shared<i64>,
    /// Time per row.
    pub time: SharedInstants,
    /// Amount per row (revenue; negative for a refund).
    pub amount: Shared<f64>,
}

impl SharedTransactions {
    /// The three columns.
    pub fn new(customer: Shared<i64>, time: SharedInstants, amount: Shared<f64>) -> Self {
        SharedTransactions { customer, time, amount }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The checks of [`TransactionColumns`], with the same errors.
    pub(crate) fn validate(&self) -> Result<()> {
        let n = self.len();
        check_len("timestamp", self.time.instants().len(), "customer", n)?;
        check_len("amount", self.amount.len(), "customer", n)?;
        crate::time::check_timestamps("timestamp", self.time.instants())?;
        check_finite("amount", &self.amount)
    }

    /// The same rows as owned columns (times in Unix seconds).
    pub fn to_columns(&self) -> TransactionColumns {
        let mut seconds = Vec::with_capacity(self.len());
        self.time.instants().append_seconds(&mut seconds);
        TransactionColumns::new(KeyColumn::Int(self.customer.to_vec()), seconds, self.amount.to_vec())
    }
}

/// Transaction columns as a builder and an ungrouped base keep them: owned or shared.
#[derive(Debug, Clone)]
pub(crate) enum GivenColumns {
    Owned(TransactionColumns),
    Shared(SharedTransactions),
}

impl Default for GivenColumns {
    fn default() -> Self {
        GivenColumns::Owned(TransactionColumns::default())
    }
}

impl GivenColumns {
    pub(crate) fn len(&self) -> usize {
        match self {
            GivenColumns::Owned(c) => c.len(),
            GivenColumns::Shared(s) => s.len(),
        }
    }

    /// True when margins are known (given, or derived from cost of goods).
    pub(crate) fn has_margin(&self) -> bool {
        matches!(self, GivenColumns::Owned(c) if c.has_margin())
    }

    /// True with order ids (a purchase is then an order).
    pub(crate) fn has_order(&self) -> bool {
        matches!(self, GivenColumns::Owned(c) if c.order.is_some())
    }

    /// The times, in the unit they are kept in.
    pub(crate) fn times(&self) -> Instants<'_> {
        match self {
            GivenColumns::Owned(c) => Instants::Seconds(&c.timestamp),
            GivenColumns::Shared(s) => s.time.instants(),
        }
    }

    pub(crate) fn amounts(&self) -> &[f64] {
        match self {
            GivenColumns::Owned(c) => &c.amount,
            GivenColumns::Shared(s) => &s.amount,
        }
    }

    /// The margin of row `i`: given, or amount - cost of goods (as the grouped store
    /// computes it); 0 without either.
    #[inline]
    pub(crate) fn margin(&self, i: usize) -> f64 {
        match self {
            GivenColumns::Owned(c) => match (&c.margin, &c.cost_of_goods) {
                (Some(m), _) => m[i],
                (None, Some(g)) => c.amount[i] - g[i],
                (None, None) => 0.0,
            },
            GivenColumns::Shared(_) => 0.0,
        }
    }

    /// The distinct customer ids, sorted, and each row's index into them (computed from
    /// [`Self::int_ids`] as it is read when those are every number of a range).
    pub(crate) fn intern(&self) -> (KeyColumn, RowCodes) {
        let ints = |v: &[i64]| {
            let (uniques, codes) = crate::id::intern_int_rows(v);
            (KeyColumn::Int(uniques), codes)
        };
        match self {
            GivenColumns::Owned(TransactionColumns { customer: KeyColumn::Int(v), .. }) => ints(v),
            GivenColumns::Owned(c) => {
                let Interned { uniques, codes } = crate::id::intern(&c.customer);
                (uniques, RowCodes::Stored(codes))
            }
            GivenColumns::Shared(s) => ints(&s.customer),
        }
    }

    /// The rows' customer ids when they are integers (empty for text ids, whose codes are
    /// always stored).
    pub(crate) fn int_ids(&self) -> &[i64] {
        match self {
            GivenColumns::Owned(TransactionColumns { customer: KeyColumn::Int(v), .. }) => v,
            GivenColumns::Owned(_) => &[],
            GivenColumns::Shared(s) => &s.customer,
        }
    }

    /// Row `row`'s customer id, for a message.
    pub(crate) fn customer_display(&self, row: usize) -> String {
        match self {
            GivenColumns::Owned(c) => c.customer.display(row),
            GivenColumns::Shared(s) => s.customer[row].to_string(),
        }
    }

    /// The columns, owned (shared ones copied).
    pub(crate) fn into_columns(self) -> TransactionColumns {
        match self {
            GivenColumns::Owned(c) => c,
            GivenColumns::Shared(s) => s.to_columns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row_pass::test_rows;
    use crate::{Customer, CustomerBase, ErrorKind, Key, SegmentConfig};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;

    /// The owned columns' rows shared in `unit` (0 seconds, 1 millis, 2 micros, 3 nanos,
    /// 4 days, 5 days as i64), sub-second units with a fraction of a second added that
    /// reading them as seconds floors away; for days the owned times are moved to their
    /// midnight first.
    fn shared_in(c: &mut TransactionColumns, unit: u8) -> SharedTransactions {
        let KeyColumn::Int(ids) = c.customer.clone() else { panic!("integer ids") };
        if unit >= 4 {
            c.timestamp.iter_mut().for_each(|t| *t -= t.rem_euclid(DAY));
        }
        let scaled = |k: i64| -> Shared<i64> {
            Shared::new(c.timestamp.iter().enumerate().map(|(i, t)| t * k + (i as i64 * 37) % k).collect::<Vec<_>>())
        };
        let time = match unit {
            0 => SharedInstants::Seconds(scaled(1)),
            1 => SharedInstants::Millis(scaled(1_000)),
            2 => SharedInstants::Micros(scaled(1_000_000)),
            3 => SharedInstants::Nanos(scaled(1_000_000_000)),
            4 => SharedInstants::Days(Shared::new(c.timestamp.iter().map(|t| (t / DAY) as i32).collect::<Vec<_>>())),
            _ => SharedInstants::DaysI64(Shared::new(c.timestamp.iter().map(|t| t / DAY).collect::<Vec<_>>())),
        };
        SharedTransactions::new(Shared::new(ids), time, Shared::new(c.amount.clone()))
    }

    /// Everything a base answers that the comparison covers, as JSON (bit for bit: -0.0
    /// prints as such).
    fn answers(base: &CustomerBase, today: i64, window_days: Option<u32>) -> String {
        let as_of = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date") + chrono::Days::new(today as u64);
        let config = SegmentConfig { window_days, ..SegmentConfig::default() };
        let segments = base.segments(as_of, &config).expect("segments");
        let summary = base.summary(as_of).expect("summary");
        serde_json::to_string(&(segments, summary, base.transaction_span())).expect("json")
    }

    proptest! {
        /// Rows in any order (out of order ones make the passes decline, then both bases
        /// group; order 4: grouped by customer already, kept as they are), in every unit:
        /// the shared base answers as the owned one, before it groups and after, and
        /// groups into the same store.
        #[test]
        fn a_shared_base_answers_as_an_owned_one(
            mut rows in test_rows::rows(),
            order in 0u8..5,
            unit in 0u8..6,
            today in 0i64..7,
            window_days in prop::option::of(1u32..4),
        ) {
            if order == 4 {
                rows.sort_by_key(|r| r.0);
            }
            let mut owned = test_rows::columns(rows, order, 2);
            let shared = shared_in(&mut owned, unit);
            let owned = CustomerBase::from_transactions(owned).expect("valid rows");
            let shared = CustomerBase::builder().shared_transactions(shared).expect("valid").build().expect("valid");
            prop_assert_eq!(answers(&shared, today, window_days), answers(&owned, today, window_days));
            prop_assert_eq!(format!("{:?}", shared.transactions()), format!("{:?}", owned.transactions()));
            prop_assert_eq!(answers(&shared, today, window_days), answers(&owned, today, window_days));
        }
    }

    #[test]
    fn times_spanning_more_than_offsets_hold_are_kept_as_seconds() {
        use crate::time::{MAX_TIMESTAMP, MIN_TIMESTAMP};
        use crate::transaction::TimeColumn;
        let most = i64::from(u32::MAX);
        // Spans of 2^32 - 1 seconds (offsets), one second more, and 9,000 years (seconds);
        // rows not grouped by customer, then grouped; owned columns and shared ones.
        for (first, last, offsets) in
            [(-7, most - 7, true), (-7, most - 6, false), (MIN_TIMESTAMP, MAX_TIMESTAMP, false)]
        {
            for grouped in [false, true] {
                let (ids, times) = if grouped {
                    (vec![1i64, 1, 2, 2], vec![last, 5, 9, first])
                } else {
                    (vec![2i64, 1, 2, 1], vec![9, last, first, 5])
                };
                let mut owned = TransactionColumns::new(KeyColumn::Int(ids), times, vec![1.0, 2.0, 3.0, 4.0]);
                let shared = shared_in(&mut owned, 0);
                let shared =
                    CustomerBase::builder().shared_transactions(shared).expect("valid").build().expect("valid");
                for base in [CustomerBase::from_transactions(owned).expect("valid"), shared] {
                    let tx = base.transactions();
                    assert_eq!(matches!(tx.time, TimeColumn::Offsets { .. }), offsets, "{first}..={last}");
                    assert_eq!(tx.of(0).time.to_vec(), [5, last], "{first}..={last}, grouped {grouped}");
                    assert_eq!(tx.of(1).time.to_vec(), [first, 9], "{first}..={last}, grouped {grouped}");
                    assert_eq!(base.transaction_span(), Some((first, last)));
                }
            }
        }
    }

    #[test]
    fn amounts_of_whole_cents_are_kept_as_cents_on_every_build_path() {
        use crate::transaction::AmountColumn;
        // Whole cents (a refund, two rows at one time to be ordered by amount), then one
        // amount that is not (a product of quantity and price); rows not grouped by
        // customer, then grouped; owned columns and shared ones.
        for (odd, cents) in [(0.07, true), (6.0 * 2.55, false)] {
            for grouped in [false, true] {
                let (ids, times, amounts) = if grouped {
                    (vec![1i64, 1, 1, 2], vec![5, 5, 9, 1], vec![19.99, -5.0, odd, 1234.5])
                } else {
                    (vec![2i64, 1, 1, 1], vec![1, 9, 5, 5], vec![1234.5, odd, 19.99, -5.0])
                };
                let mut owned = TransactionColumns::new(KeyColumn::Int(ids), times, amounts);
                let shared = shared_in(&mut owned, 0);
                let shared =
                    CustomerBase::builder().shared_transactions(shared).expect("valid").build().expect("valid");
                for base in [CustomerBase::from_transactions(owned).expect("valid"), shared] {
                    let tx = base.transactions();
                    assert_eq!(matches!(tx.amount, AmountColumn::Cents(_)), cents, "{odd}, grouped {grouped}");
                    let one = tx.of(0);
                    assert_eq!(one.amount, [-5.0, 19.99, odd], "{odd}, grouped {grouped}");
                    assert_eq!(one.time.to_vec(), [5, 5, 9]);
                    assert_eq!(tx.of(1).amount, [1234.5]);
                    assert_eq!(one.amount.sum().to_bits(), (-5.0 + 19.99 + odd).to_bits());
                }
            }
        }
    }

    #[test]
    fn an_amount_past_the_first_look_that_is_not_whole_cents_keeps_them_all_as_given() {
        use crate::transaction::AmountColumn;
        // 5,000 rows of whole cents, then the last not: the first look passes, the
        // conversion finds it on the way and the amounts are kept as given.
        let n = 5_001usize;
        for grouped in [false, true] {
            let ids: Vec<i64> = (0..n as i64).map(|r| if grouped { r / 10 } else { (r * 7) % 500 }).collect();
            let mut amounts: Vec<f64> = (0..n).map(|r| (r as f64 - 300.0) / 100.0).collect();
            assert!(amounts[..n - 1].iter().all(|&a| crate::transaction::amounts::cents(a).is_some()));
            amounts[n - 1] = 6.0 * 2.55;
            let mut owned = TransactionColumns::new(KeyColumn::Int(ids.clone()), vec![0; n], amounts.clone());
            let shared = shared_in(&mut owned, 0);
            let shared = CustomerBase::builder().shared_transactions(shared).expect("valid").build().expect("valid");
            for base in [CustomerBase::from_transactions(owned).expect("valid"), shared] {
                let tx = base.transactions();
                assert!(matches!(tx.amount, AmountColumn::Floats(_)), "grouped {grouped}");
                // Ids 0.. in a row: a customer's index is its id.
                assert_eq!(base.ids(), &KeyColumn::Int((0..base.len() as i64).collect()));
                let last = ids[n - 1] as u32;
                assert!(tx.of(last).amount.iter().any(|a| a.to_bits() == (6.0 * 2.55f64).to_bits()));
                let total: f64 = (0..base.len() as u32).map(|c| tx.of(c).amount.sum()).sum();
                let expected: f64 = (0..base.len() as u32)
                    .map(|c| {
                        let id = i64::from(c);
                        let mut mine: Vec<f64> = (0..n).filter(|&r| ids[r] == id).map(|r| amounts[r]).collect();
                        mine.sort_by(f64::total_cmp);
                        mine.iter().sum::<f64>()
                    })
                    .sum();
                assert_eq!(total.to_bits(), expected.to_bits(), "grouped {grouped}");
            }
        }
    }

    #[test]
    fn the_build_reads_shared_rows_in_place_until_they_are_grouped() {
        let tx = SharedTransactions::new(
            Shared::new(vec![5i64, 9, 5]),
            SharedInstants::Millis(Shared::new(vec![1_500, DAY * 1_000, 2 * DAY * 1_000 - 1])),
            Shared::new(vec![10.0, -2.5, 4.0]),
        );
        let base = CustomerBase::builder().shared_transactions(tx.clone()).expect("valid").build().expect("valid");
        let in_place =
            |b: &CustomerBase| b.transaction_store().with_ungrouped(|u| matches!(u.columns, GivenColumns::Shared(_)));
        assert_eq!(in_place(&base), Some(true));
        // Millis floored to the second: 1.5 s is second 1, the last row 2 days less 1 ms.
        assert_eq!(base.transaction_span(), Some((1, 2 * DAY - 1)));
        assert_eq!(in_place(&base), Some(true), "the span is read in place");
        let five = base.transactions().of(0);
        assert_eq!((five.time.to_vec(), five.amount.to_vec()), (vec![1, 2 * DAY - 1], vec![10.0, 4.0]));
        assert_eq!(in_place(&base), None, "grouped now");
        // A second batch: both copied into one set of owned columns.
        let more = TransactionColumns::new(KeyColumn::Int(vec![9]), vec![3 * DAY], vec![1.0]);
        let both = CustomerBase::builder().shared_transactions(tx).and_then(|b| b.transactions(more)).expect("valid");
        let both = both.build().expect("valid");
        assert_eq!(both.transaction_count(), 4);
        assert_eq!(both.transactions().of(1).amount, &[-2.5, 1.0]);
    }

    #[test]
    fn bad_shared_rows_are_refused_as_owned_ones_are() {
        let shared = |time: Vec<i64>, amount: Vec<f64>| {
            let ids = Shared::new(vec![1i64; time.len()]);
            SharedTransactions::new(ids, SharedInstants::Seconds(Shared::new(time)), Shared::new(amount))
        };
        let owned = |time: Vec<i64>, amount: Vec<f64>| {
            TransactionColumns::new(KeyColumn::Int(vec![1; time.len()]), time, amount)
        };
        let far = crate::time::MAX_TIMESTAMP + 1;
        for (time, amount) in
            [(vec![0, 0, far], vec![1.0; 3]), (vec![0, 0], vec![1.0, f64::NAN]), (vec![0, 0], vec![1.0])]
        {
            let a = CustomerBase::builder().shared_transactions(shared(time.clone(), amount.clone())).unwrap_err();
            let b = CustomerBase::builder().transactions(owned(time, amount)).unwrap_err();
            assert_eq!(a.to_string(), b.to_string());
            assert_eq!(a.kind(), b.kind());
        }
        // Days far out saturate to a second outside the dates, and are named with their row.
        let days = SharedTransactions::new(
            Shared::new(vec![1i64, 1]),
            SharedInstants::DaysI64(Shared::new(vec![0, i64::MAX / 2])),
            Shared::new(vec![1.0, 1.0]),
        );
        let e = CustomerBase::builder().shared_transactions(days).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.to_string().contains("row 1"), "{e}");
        // An unknown customer is named by its id.
        let tx = shared(vec![0, 0], vec![1.0, 2.0]);
        let tx = SharedTransactions { customer: Shared::new(vec![1i64, 44]), ..tx };
        let builder = CustomerBase::builder().customers([Customer::new(Key::Int(1))]).shared_transactions(tx);
        let e = builder.expect("valid rows").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownCustomer);
        assert!(e.to_string().contains("44"), "{e}");
    }
}
