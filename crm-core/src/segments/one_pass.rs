//! Each customer's window figures in one pass over the transactions as given, for a base
//! whose transactions are not grouped yet (see [`crate::row_pass`]).

use super::{SegmentConfig, State, ValueMeasure, Window};
use crate::row_pass::{Pass, Running, per_customer};
use crate::store::Ungrouped;
use crate::time::{Day, MAX_DAYS, SECONDS_PER_DAY, day_start};

/// A customer's running figures over the window: the time and row of its latest row read
/// and its sums. 32 bytes, aligned: one cache line per row's visit. (Rows before the window
/// only mark who bought, see [`per_customer`].)
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    time: i64,
    row: u32,
    revenue: f64,
    margin: f64,
}

impl Running for Slot {
    type Context = ();
    #[inline]
    fn last(&self, _: &()) -> (i64, u32) {
        (self.time, self.row)
    }

    #[inline]
    fn add(&mut self, _: &(), row: u32, t: i64, a: f64, m: f64) {
        (self.time, self.row) = (t, row);
        self.revenue += a;
        self.margin += m;
    }
}

/// A [`Slot`] without margins over a window of at most [`MAX_DAYS`]: 16 bytes, half the
/// memory to fault in and to miss at random. Its time is the seconds since the window's
/// start plus 1 (0 before the first row), which 32 bits hold for any window a config
/// allows.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Compact {
    since: u32,
    row: u32,
    revenue: f64,
}

const _: () = assert!(MAX_DAYS as i64 * SECONDS_PER_DAY < u32::MAX as i64);

impl Running for Compact {
    /// The window's start (Unix seconds).
    type Context = i64;
    #[inline]
    fn last(&self, start: &i64) -> (i64, u32) {
        (if self.since == 0 { i64::MIN } else { start + i64::from(self.since) - 1 }, self.row)
    }

    #[inline]
    fn add(&mut self, start: &i64, row: u32, t: i64, a: f64, _: f64) {
        // The pass reads rows from the start to before the end only.
        (self.since, self.row) = ((t - start + 1) as u32, row);
        self.revenue += a;
    }
}

/// What the window takes from a customer's state at the end of the pass.
trait Figures: Running {
    /// Whether a row of the window was read.
    fn ranked(&self) -> bool;
    fn revenue(&self) -> f64;
    /// Read only when the base has margins.
    fn margin(&self) -> f64;
}

impl Figures for Slot {
    fn ranked(&self) -> bool {
        self.time != i64::MIN
    }
    fn revenue(&self) -> f64 {
        self.revenue
    }
    fn margin(&self) -> f64 {
        self.margin
    }
}

impl Figures for Compact {
    fn ranked(&self) -> bool {
        self.since != 0
    }
    fn revenue(&self) -> f64 {
        self.revenue
    }
    fn margin(&self) -> f64 {
        0.0
    }
}

/// The figures `customer_values` computes from the grouped store, bit for bit, without
/// grouping; `None` when a customer's rows in the window are out of the store's order
/// (rows before it only tell whether the customer bought, in any order).
/// Without interactions (no cost to serve) only.
pub(super) fn window(u: &Ungrouped, today: Day, config: &SegmentConfig) -> Option<Window> {
    let has_margin = u.columns.has_margin();
    let from: Day = config.window_days.map_or(Day::MIN, |w| today - w as Day + 1);
    let (from_s, end_s) = (day_start(from), day_start(today) + SECONDS_PER_DAY);
    // The value of an empty sum, as the grouped path's `iter().sum()` starts.
    let empty: f64 = (&[] as &[f64]).iter().sum();
    if !has_margin && config.window_days.is_some() {
        let fresh = Compact { since: 0, row: 0, revenue: empty };
        Some(collect(&per_customer(u, from_s, end_s, fresh, &from_s)?, u.customers, has_margin, config))
    } else {
        let fresh = Slot { time: i64::MIN, row: 0, revenue: empty, margin: empty };
        Some(collect(&per_customer(u, from_s, end_s, fresh, &())?, u.customers, has_margin, config))
    }
}

/// The window's columns from the pass's states.
fn collect<S: Figures>(pass: &Pass<S>, n: usize, has_margin: bool, config: &SegmentConfig) -> Window {
    let mut w = Window {
        value: Vec::with_capacity(n),
        revenue: Vec::with_capacity(n),
        margin: has_margin.then(|| Vec::with_capacity(n)),
        cost: None,
        state: Vec::with_capacity(n),
    };
    for (c, s) in pass.states().enumerate() {
        // As `window_row`: margin 0 without margins, cost to serve 0 without interactions.
        let margin = if has_margin { s.margin() } else { 0.0 };
        w.value.push(match config.measure {
            ValueMeasure::Revenue => s.revenue(),
            ValueMeasure::Margin => margin,
            ValueMeasure::Profit => margin, // margin - 0 (no cost to serve), bit for bit
        });
        w.revenue.push(s.revenue());
        if let Some(m) = w.margin.as_mut() {
            m.push(margin);
        }
        // Ranked when it has a row in the window; else inactive when it bought before it;
        // else a prospect.
        let state = if s.ranked() {
            State::Ranked
        } else if pass.bought_early[c / 64] >> (c % 64) & 1 == 1 {
            State::Inactive
        } else {
            State::Prospect
        };
        w.state.push(state as u8);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row_pass::test_rows;
    use crate::{CustomerBase, KeyColumn, TransactionColumns};
    use proptest::prelude::*;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// The window's columns as bits, for comparing bit for bit.
    fn fingerprint(w: &Window) -> (Vec<u64>, Vec<u64>, Option<Vec<u64>>, Vec<u8>) {
        (bits(&w.value), bits(&w.revenue), w.margin.as_deref().map(bits), w.state.clone())
    }

    /// The pass's window (`None` when it declines) and the grouped store's.
    fn both(c: TransactionColumns, today: Day, config: &SegmentConfig) -> (Option<Window>, Window) {
        let base = CustomerBase::from_transactions(c).expect("valid rows");
        let pass = base.transaction_store().with_ungrouped(|u| window(u, today, config)).expect("not grouped yet");
        base.transactions();
        assert!(base.transaction_store().with_ungrouped(|_| ()).is_none(), "grouped now");
        (pass, super::super::customer_values(&base, today, config))
    }

    proptest! {
        /// Rows of a few customers on the hour over a few days (rows share seconds), with
        /// refunds, zeros, -0.0 and amounts whose sum depends on its order, margins or cost
        /// of goods, rows after the as-of day: in the store's order per customer, or with each
        /// customer's rows at one time one after another in any amount order, the pass gives
        /// the store's figures bit for bit; in any order it gives them or declines.
        #[test]
        fn the_pass_equals_the_grouped_store(
            rows in test_rows::rows(),
            order in 0u8..4,
            costs in 0u8..3,
            today in 0i32..7,
            window_days in prop::option::of(1u32..4),
            measure in prop::sample::select(vec![ValueMeasure::Revenue, ValueMeasure::Margin, ValueMeasure::Profit]),
        ) {
            let c = test_rows::columns(rows, order, costs);
            let config = SegmentConfig {
                window_days,
                measure: if costs == 2 { ValueMeasure::Revenue } else { measure },
                ..SegmentConfig::default()
            };
            let (pass, grouped) = both(c, today, &config);
            if costs != 1 && order == 0 || order == 3 {
                // (Cost of goods: the margin a - c may reorder rows of equal amount.)
                prop_assert!(pass.is_some(), "rows in the store's order or in runs take the pass");
            }
            if let Some(pass) = pass {
                prop_assert_eq!(fingerprint(&pass), fingerprint(&grouped));
            }
        }
    }

    #[test]
    fn a_customer_out_of_order_is_left_to_the_store() {
        let day = 86_400;
        // Customer 1's second row is earlier than its first; customer 2's rows at one
        // second come out of amount order (0.3 then 0.1): each alone makes the pass decline.
        for (ids, times, amounts) in [
            (vec![1, 2, 1], vec![day, day, 0], vec![1.0, 2.0, 3.0]),
            (vec![2, 1, 2], vec![day, day, day], vec![0.3, 1.0, 0.1]),
        ] {
            let c = TransactionColumns::new(KeyColumn::Int(ids), times, amounts);
            let (pass, grouped) = both(c, 3, &SegmentConfig::default());
            assert!(pass.is_none());
            assert_eq!(grouped.state, [State::Ranked as u8; 2]);
        }
        // Rows after the as-of day are not read, so their order does not matter.
        let c = TransactionColumns::new(KeyColumn::Int(vec![1, 1, 1]), vec![9 * day, 0, day], vec![5.0, 1.0, 2.0]);
        let (pass, grouped) = both(c, 3, &SegmentConfig::default());
        let pass = pass.expect("in order up to the as-of day");
        assert_eq!(pass.revenue, [3.0]);
        assert_eq!(fingerprint(&pass), fingerprint(&grouped));
    }

    #[test]
    fn rows_before_the_window_may_come_in_any_order() {
        let day = 86_400;
        // Window of 2 days ending on day 5 (days 4 and 5). Customer 1: days 1 and 0 out of
        // order before the window, then 2.0 and 1.5 in it: ranked, revenue 3.5. Customer 2:
        // 4.0 and a refund before the window, out of order: inactive. Customer 3: only a
        // refund, and customer 4 only zeros, before the window: prospects.
        let rows = [
            (1, day, 5.0),
            (2, 2 * day, 4.0),
            (1, 0, 3.0),
            (2, day, -1.0),
            (3, 3 * day, -2.0),
            (4, 3 * day, 0.0),
            (4, day, -0.0),
            (1, 4 * day, 2.0),
            (1, 5 * day, 1.5),
        ];
        let c = TransactionColumns::new(
            KeyColumn::Int(rows.iter().map(|r| r.0).collect()),
            rows.iter().map(|r| r.1).collect(),
            rows.iter().map(|r| r.2).collect(),
        );
        let config = SegmentConfig { window_days: Some(2), ..SegmentConfig::default() };
        let (pass, grouped) = both(c, 5, &config);
        let pass = pass.expect("in order within the window");
        assert_eq!(pass.revenue[0], 3.5);
        let (r, i, p) = (State::Ranked as u8, State::Inactive as u8, State::Prospect as u8);
        assert_eq!(pass.state, [r, i, p, p]);
        assert_eq!(fingerprint(&pass), fingerprint(&grouped));
    }
}
