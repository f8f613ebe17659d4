//! One customer's purchase history up to a date, computed in one pass over its slice.
//! Summary, lifecycle and segments all start from it, so they agree on what a purchase is.
//!
//! A *purchase* is a transaction with a positive amount; when order ids are given, rows of
//! one order count as one purchase. Refunds (negative amounts) are not purchases but net
//! out of revenue and margin.

use crate::time::{Day, day_of};
use crate::transaction::CustomerTransactions;

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
    for (i, &a) in tx.amount.iter().enumerate() {
        h.revenue += a;
        if a > 0.0 {
            first.get_or_insert(i);
            last = i;
            rows += 1;
        }
    }
    if let Some(first) = first {
        h.first_day = Some(day_of(tx.time[first]));
        h.last_day = Some(day_of(tx.time[last]));
    }
    if let Some(m) = tx.margin {
        h.margin = m.iter().sum();
    }
    h.purchases = match tx.order {
        None => rows,
        Some(orders) => {
            scratch.clear();
            scratch.extend(orders.iter().zip(tx.amount).filter(|(_, a)| **a > 0.0).map(|(o, _)| *o));
            scratch.sort_unstable();
            scratch.dedup();
            scratch.len() as u32
        }
    };
    h
}

/// Sum of amounts (or margins) on days in `[from, to]`.
pub(crate) fn value_between(tx: &CustomerTransactions<'_>, values: &[f64], from: Day, to: Day) -> f64 {
    let a = tx.first_on_or_after(from);
    let b = tx.first_on_or_after(to.saturating_add(1));
    values[a..b].iter().sum()
}

/// The distinct days with a purchase (positive amount), ascending, into `days`.
pub(crate) fn purchase_days(tx: &CustomerTransactions<'_>, days: &mut Vec<Day>) {
    days.clear();
    for (i, &a) in tx.amount.iter().enumerate() {
        if a > 0.0 {
            let d = day_of(tx.time[i]);
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
