//! One customer's purchase history up to a date, computed in one pass over its slice.
//! Summary, lifecycle and segments all start from it, so they agree on what a purchase is.
//!
//! A *purchase* is a transaction with a positive amount; when order ids are given, rows of
//! one order count as one purchase. Refunds (negative amounts) are not purchases but net
//! out of revenue and margin.

use crate::time::{Day, day_of};
use crate::transaction::{Amounts, CustomerTransactions};

/// What one pass over a customer's transactions up to the as-of day yields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct History {
    pub purchases: u32,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
    pub revenue: f64,
    pub margin: f64,
}

/// Scans `tx` (already cut at the as-of day). `scratch` is reused between customers so the
/// hot loop allocates nothing.
pub(crate) fn scan(tx: &CustomerTransactions<'_>, scratch: &mut Vec<u32>) -> History {
    let mut h = History::default();
    let mut rows = 0u32;
    // Positions of the first and last purchase: only their days are needed, so the loop
    // does no division per row.
    let (mut first, mut last) = (None, 0);
    for (i, a) in tx.amount.iter().enumerate() {
        h.revenue += a;
        if a > 0.0 {
            first.get_or_insert(i);
            last = i;
            rows += 1;
        }
    }
    if let Some(first) = first {
        h.first_day = Some(day_of(tx.time.get(first)));
        h.last_day = Some(day_of(tx.time.get(last)));
    }
    if let Some(m) = tx.margin {
        h.margin = m.iter().sum();
    }
    h.purchases = match tx.order {
        None => rows,
        Some(orders) => {
            scratch.clear();
            scratch.extend(orders.iter().zip(tx.amount.iter()).filter(|(_, a)| *a > 0.0).map(|(o, _)| *o));
            scratch.sort_unstable();
            scratch.dedup();
            scratch.len() as u32
        }
    };
    h
}

/// Sum of amounts (or margins) on days in `[from, to]`.
pub(crate) fn value_between(tx: &CustomerTransactions<'_>, values: Amounts<'_>, from: Day, to: Day) -> f64 {
    let a = tx.first_on_or_after(from);
    let b = tx.first_on_or_after(to.saturating_add(1));
    values.range(a..b).sum()
}

/// The distinct days with a purchase (positive amount), ascending, into `days`.
pub(crate) fn purchase_days(tx: &CustomerTransactions<'_>, days: &mut Vec<Day>) {
    days.clear();
    for (i, a) in tx.amount.iter().enumerate() {
        if a > 0.0 {
            let d = day_of(tx.time.get(i));
            if days.last() != Some(&d) {
                days.push(d);
            }
        }
    }
}

/// Whether a customer with these purchase days is in the base at the end of `day`: it has
/// bought on or before `day`, within the last `window` days.
pub(crate) fn in_base(days: &[Day], day: Day, window: Day) -> bool {
    let k = days.partition_point(|&d| d <= day);
    k > 0 && day - days[k - 1] < window
}

/// A customer's [`History`] as its rows are read one by one (see [`histories_of_rows`]),
/// with its margin sum `M` (`f64`, or `()` without margins). 32 bytes without margins,
/// aligned: one cache line per row's visit, as the pass reads the states at random.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
pub(crate) struct Reading<M> {
    last_time: i64,
    last_row: u32,
    purchases: u32,
    /// Days of the first and last purchase (rows with a positive amount).
    first_day: Day,
    last_day: Day,
    revenue: f64,
    margin: M,
}

/// A margin sum kept by a [`Reading`], or none.
pub(crate) trait MarginSum: Copy + Send + Sync {
    fn add(&mut self, margin: f64);
    fn value(self) -> f64;
}

impl MarginSum for f64 {
    #[inline]
    fn add(&mut self, margin: f64) {
        *self += margin;
    }
    fn value(self) -> f64 {
        self
    }
}

impl MarginSum for () {
    #[inline]
    fn add(&mut self, _: f64) {}
    fn value(self) -> f64 {
        0.0
    }
}

impl<M: MarginSum> crate::row_pass::Running for Reading<M> {
    type Context = ();

    #[inline]
    fn last(&self, _: &()) -> (i64, u32) {
        (self.last_time, self.last_row)
    }

    #[inline]
    fn add(&mut self, _: &(), row: u32, t: i64, a: f64, m: f64) {
        (self.last_time, self.last_row) = (t, row);
        self.revenue += a;
        self.margin.add(m);
        if a > 0.0 {
            let day = day_of(t);
            if self.purchases == 0 {
                self.first_day = day;
            }
            self.last_day = day;
            self.purchases += 1;
        }
    }
}

/// Every customer's [`scan`] up to `today` in one pass over the transactions as given (a
/// base that has not grouped them), bit for bit, and the number of later transactions;
/// `None` with order ids (a purchase is then an order) or when a customer's rows are out
/// of the grouped store's order.
pub(crate) fn histories_of_rows(u: &crate::store::Ungrouped, today: Day) -> Option<(Histories, usize)> {
    if u.columns.has_order() {
        return None;
    }
    let end = crate::time::day_start(today) + crate::time::SECONDS_PER_DAY;
    Some(if u.columns.has_margin() {
        // As `scan` starts: margins as `iter().sum()`.
        let pass = pass_with(u, end, (&[] as &[f64]).iter().sum::<f64>())?;
        let later = pass.later;
        (Histories::WithMargin(pass), later)
    } else {
        let pass = pass_with(u, end, ())?;
        let later = pass.later;
        (Histories::Plain(pass), later)
    })
}

/// Every customer's [`History`] from a pass over the rows, read where the pass left its
/// readings (no vector of histories is made).
pub(crate) enum Histories {
    Plain(crate::row_pass::Pass<Reading<()>>),
    WithMargin(crate::row_pass::Pass<Reading<f64>>),
}

impl Histories {
    /// Customer `c`'s history.
    #[inline]
    pub(crate) fn get(&self, c: usize) -> History {
        match self {
            Histories::Plain(p) => p.state(c).history(),
            Histories::WithMargin(p) => p.state(c).history(),
        }
    }
}

impl<M: MarginSum> Reading<M> {
    fn history(self) -> History {
        let bought = self.purchases > 0;
        History {
            purchases: self.purchases,
            first_day: bought.then_some(self.first_day),
            last_day: bought.then_some(self.last_day),
            revenue: self.revenue,
            margin: self.margin.value(),
        }
    }
}

/// The pass of [`histories_of_rows`] with readings that keep the margin sum `M`, starting
/// at `margin`.
fn pass_with<M: MarginSum>(
    u: &crate::store::Ungrouped,
    end: i64,
    margin: M,
) -> Option<crate::row_pass::Pass<Reading<M>>> {
    let fresh = Reading {
        last_time: i64::MIN,
        last_row: 0,
        purchases: 0,
        first_day: 0,
        last_day: 0,
        // As `scan` starts.
        revenue: History::default().revenue,
        margin,
    };
    crate::row_pass::per_customer(u, i64::MIN, end, fresh, &())
}

#[cfg(test)]
mod tests {
    use crate::row_pass::test_rows;
    use crate::{CustomerBase, KeyColumn, TransactionColumns};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// The summary of a fresh base (one pass over the rows, when it takes them) and of the
    /// same base once grouped, as text (`{:?}` tells -0.0 from 0.0), and whether the pass
    /// took the rows.
    fn both(c: TransactionColumns, as_of: NaiveDate) -> (String, String, bool) {
        let base = CustomerBase::from_transactions(c).expect("valid rows");
        let taken = base
            .transaction_store()
            .with_ungrouped(|u| super::histories_of_rows(u, crate::time::date_to_day(as_of)).is_some())
            .expect("not grouped yet");
        let fresh = format!("{:?}", base.summary(as_of).expect("summary"));
        base.transactions();
        (fresh, format!("{:?}", base.summary(as_of).expect("summary")), taken)
    }

    proptest! {
        /// Rows of a few customers on the hour over a few days, refunds, zeros, -0.0 and
        /// amounts whose sum depends on its order, margins or cost of goods, rows after the
        /// as-of day: the summary of a fresh base equals the grouped base's bit for bit, and
        /// rows in the store's order or with each customer's rows at one time one after
        /// another (in any amount order) take the pass.
        #[test]
        fn the_pass_gives_the_grouped_summary(
            rows in test_rows::rows(),
            order in 0u8..4,
            costs in 0u8..3,
            today in 0u32..7,
        ) {
            let c = test_rows::columns(rows, order, costs);
            let as_of = crate::time::day_to_date(today as i32);
            let (fresh, grouped, taken) = both(c, as_of);
            prop_assert_eq!(fresh, grouped);
            prop_assert!(taken || (order != 0 || costs == 1) && order != 3);
        }
    }

    #[test]
    fn order_ids_and_rows_out_of_order_are_left_to_the_store() {
        let day = 86_400;
        let as_of = crate::time::day_to_date(5);
        let mut c = TransactionColumns::new(KeyColumn::Int(vec![1, 1]), vec![0, day], vec![1.0, 2.0]);
        c.order = Some(KeyColumn::Int(vec![7, 7]));
        let (fresh, grouped, taken) = both(c, as_of);
        assert!(!taken && fresh == grouped);
        assert!(fresh.contains("purchases: [1]"), "one order: {fresh}");
        let c = TransactionColumns::new(KeyColumn::Int(vec![1, 1]), vec![day, 0], vec![0.1, 0.2]);
        let (fresh, grouped, taken) = both(c, as_of);
        assert!(!taken && fresh == grouped);
        // After the as-of day: not read, only counted.
        let c = TransactionColumns::new(KeyColumn::Int(vec![1, 1, 1]), vec![9 * day, 0, day], vec![5.0, 1.0, 2.0]);
        let (fresh, grouped, taken) = both(c, as_of);
        assert!(taken && fresh == grouped);
        assert!(fresh.contains("excluded_after_as_of: 1") && fresh.contains("revenue: [3.0]"), "{fresh}");
    }
}
