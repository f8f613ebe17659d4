//! Transactions (purchases and refunds): the columns a host gives, and the store a base keeps.

use crate::customer::CustomerIndex;
use crate::grouping::{Buckets, for_each_group, offsets_if_grouped, scratch_from_ids};
use crate::id::{IdOffsets, KeyColumn, RowCode, RowCodes};
use crate::instants::by_unit;
use crate::parallel::{SplitAt, map_rows};
use crate::rank::total_bits;
use crate::shared::{GivenColumns, SharedTransactions};
use crate::time::{Day, SECONDS_PER_DAY, day_start};
use serde::{Deserialize, Serialize};

pub(crate) mod amounts;
mod times;
pub(crate) use amounts::AmountColumn;
pub use amounts::Amounts;
use amounts::{CentsOf, from_cents};
pub(crate) use times::TimeColumn;
pub use times::Times;

/// `value`'s hash by the standard hasher, for tests that a view hashes as the slice it
/// stands for.
#[cfg(test)]
pub(crate) fn hash_of<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    let mut state = std::hash::DefaultHasher::new();
    value.hash(&mut state);
    std::hash::Hasher::finish(&state)
}

/// Transactions as whole columns, the bulk way in (one call for millions of rows).
///
/// `timestamp` is Unix seconds (UTC); a date is its midnight. Amounts may be negative
/// (refunds net out). Give either `margin` or `cost_of_goods` (margin = amount - cost of
/// goods), or neither.
///
/// ```
/// use crm_core::TransactionColumns;
/// let t = TransactionColumns::new(vec![1_i64, 1, 2].into(), vec![0, 86_400, 0], vec![10.0, 5.0, 7.5]);
/// assert_eq!(t.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransactionColumns {
    /// Customer id per row.
    pub customer: KeyColumn,
    /// Unix seconds per row.
    pub timestamp: Vec<i64>,
    /// Amount per row (revenue; negative for a refund).
    pub amount: Vec<f64>,
    /// Margin (gross profit) per row.
    pub margin: Option<Vec<f64>>,
    /// Cost of goods per row (an alternative to `margin`).
    pub cost_of_goods: Option<Vec<f64>>,
    /// Product or product category per row.
    pub product: Option<KeyColumn>,
    /// Order id per row: rows sharing an order id count as one purchase.
    pub order: Option<KeyColumn>,
}

impl TransactionColumns {
    /// Columns with the three required fields.
    pub fn new(customer: KeyColumn, timestamp: Vec<i64>, amount: Vec<f64>) -> Self {
        TransactionColumns { customer, timestamp, amount, ..Default::default() }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when margins are known: given, or derived from cost of goods.
    pub(crate) fn has_margin(&self) -> bool {
        self.margin.is_some() || self.cost_of_goods.is_some()
    }

    /// Checks lengths and values (timestamps within the supported dates, see
    /// [`crate::time`]); names the first bad row and column.
    pub(crate) fn validate(&self) -> crate::Result<()> {
        let n = self.customer.len();
        check_len("timestamp", self.timestamp.len(), "customer", n)?;
        check_len("amount", self.amount.len(), "customer", n)?;
        crate::time::check_timestamps("timestamp", crate::Instants::Seconds(&self.timestamp))?;
        check_finite("amount", &self.amount)?;
        if self.margin.is_some() && self.cost_of_goods.is_some() {
            return Err(crate::Error::config("margin", "give margin or cost_of_goods, not both"));
        }
        for (name, col) in [("margin", &self.margin), ("cost_of_goods", &self.cost_of_goods)] {
            if let Some(c) = col {
                check_len(name, c.len(), "customer", n)?;
                check_finite(name, c)?;
            }
        }
        for (name, col) in [("product", &self.product), ("order", &self.order)] {
            if let Some(c) = col {
                check_len(name, c.len(), "customer", n)?;
            }
        }
        Ok(())
    }
}

pub(crate) fn check_len(column: &str, actual: usize, reference: &str, expected: usize) -> crate::Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(crate::Error::LengthMismatch {
            column: column.to_owned(),
            reference: reference.to_owned(),
            expected,
            actual,
        })
    }
}

pub(crate) fn check_finite(column: &str, values: &[f64]) -> crate::Result<()> {
    match crate::parallel::first_failing(values, |v| v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(crate::Error::invalid(row, column, format!("{} is not a finite number", values[row]))),
    }
}

/// The transactions of a base, grouped by customer and sorted by time within a customer:
/// 8 bytes a row when the times span under 136 years and the amounts are whole cents (see
/// [`Times`] and [`Amounts`]), up to 16.
#[derive(Debug, Clone, Default)]
pub struct Transactions {
    pub(crate) offsets: Vec<usize>,
    pub(crate) time: TimeColumn,
    pub(crate) amount: AmountColumn,
    pub(crate) margin: Option<Vec<f64>>,
    pub(crate) product: Option<(Vec<u32>, KeyColumn)>,
    pub(crate) order: Option<(Vec<u32>, KeyColumn)>,
}

/// One customer's transactions, sorted by time.
#[derive(Debug, Clone, Copy)]
pub struct CustomerTransactions<'a> {
    /// Unix seconds (stored in 4 bytes each when the base spans under 136 years).
    pub time: Times<'a>,
    /// Amounts (stored in 4 bytes each when every amount of the base is whole cents).
    pub amount: Amounts<'a>,
    /// Margins, when the base has them.
    pub margin: Option<&'a [f64]>,
    /// Order codes (dense, per base), when the base has order ids.
    pub order: Option<&'a [u32]>,
    /// Product codes, when the base has products.
    pub product: Option<&'a [u32]>,
}

impl<'a> CustomerTransactions<'a> {
    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// The transactions up to and including `last_day` (the rest are later).
    pub fn until(self, last_day: Day) -> Self {
        let end = self.time.partition_point(|t| t < day_start(last_day) + SECONDS_PER_DAY);
        self.head(end)
    }

    /// The first `n` transactions.
    pub fn head(self, n: usize) -> Self {
        CustomerTransactions {
            time: self.time.head(n),
            amount: self.amount.range(0..n),
            margin: self.margin.map(|m| &m[..n]),
            order: self.order.map(|o| &o[..n]),
            product: self.product.map(|p| &p[..n]),
        }
    }

    /// Index of the first transaction on or after `day`.
    pub fn first_on_or_after(&self, day: Day) -> usize {
        self.time.partition_point(|t| t < day_start(day))
    }
}

impl Transactions {
    /// Total number of transactions.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.time.len() == 0
    }

    /// True when margins are known (given, or derived from cost of goods).
    pub fn has_margin(&self) -> bool {
        self.margin.is_some()
    }

    /// True when order ids were given.
    pub fn has_orders(&self) -> bool {
        self.order.is_some()
    }

    /// The distinct products, when given (codes index into it).
    pub fn products(&self) -> Option<&KeyColumn> {
        self.product.as_ref().map(|p| &p.1)
    }

    /// The distinct order ids, when given (codes index into it).
    pub fn orders(&self) -> Option<&KeyColumn> {
        self.order.as_ref().map(|p| &p.1)
    }

    /// One customer's transactions.
    ///
    /// # Panics
    /// When `customer` is not an index of the base.
    pub fn of(&self, customer: CustomerIndex) -> CustomerTransactions<'_> {
        let (a, b) = (self.offsets[customer as usize], self.offsets[customer as usize + 1]);
        CustomerTransactions {
            time: self.time.slice(a..b),
            amount: self.amount.slice(a..b),
            margin: self.margin.as_ref().map(|m| &m[a..b]),
            order: self.order.as_ref().map(|o| &o.0[a..b]),
            product: self.product.as_ref().map(|p| &p.0[a..b]),
        }
    }
}

impl Transactions {
    /// Builds the store from validated columns whose customer ids are already coded:
    /// every column is moved into customer order (see [`Buckets`]; no row
    /// permutation is kept), then each customer's transactions are put in canonical order.
    /// `span` is the first and last time (they decide how times are stored, see
    /// [`TimeColumn`]).
    pub(crate) fn build(
        cols: TransactionColumns,
        codes: &[u32],
        customers: usize,
        span: Option<(i64, i64)>,
        phases: &mut crate::base::Phases,
    ) -> Transactions {
        let product = cols.product.as_ref().map(crate::id::intern);
        let order = cols.order.as_ref().map(crate::id::intern);
        let margin: Option<Vec<f64>> = match (cols.margin, cols.cost_of_goods) {
            (Some(m), _) => Some(m),
            (None, Some(c)) => Some(cols.amount.iter().zip(&c).map(|(a, c)| a - c).collect()),
            (None, None) => None,
        };
        let n = codes.len();
        phases.lap("intern products and orders");
        if let Some(offsets) = offsets_if_grouped(codes, customers) {
            // Rows already grouped by customer (an export sorted by customer): the columns
            // are the grouped store as they are.
            let mut store = Transactions {
                time: TimeColumn::from_seconds(cols.timestamp, span),
                amount: AmountColumn::new(cols.amount),
                margin,
                order: order.map(|o| (o.codes, o.uniques)),
                product: product.map(|p| (p.codes, p.uniques)),
                offsets,
            };
            phases.lap("group by customer (rows already grouped)");
            store.canonical_order();
            phases.lap("order each customer's rows");
            return store;
        }
        let buckets = Buckets::new(codes, customers);
        phases.lap("group by customer: buckets");
        // The columns are grouped one by one, each in place through a staging column; the
        // customer ids' memory stages the times.
        let mut time = cols.timestamp;
        let mut staging = scratch_from_ids(cols.customer, n);
        buckets.group(&mut time, &mut staging);
        drop(staging);
        let time = TimeColumn::from_seconds(time, span);
        let amount = grouped_amounts(&buckets, &cols.amount);
        drop(cols.amount);
        let mut margin = margin;
        if let Some(m) = margin.as_mut() {
            buckets.group(m, &mut vec![0.0; n]);
        }
        let (mut order, mut product) = (order.map(|o| (o.codes, o.uniques)), product.map(|p| (p.codes, p.uniques)));
        let mut ints = Vec::new();
        for (codes, _) in order.iter_mut().chain(product.iter_mut()) {
            ints.resize(n, 0);
            buckets.group(codes, &mut ints);
        }
        drop(ints);
        phases.lap("group by customer: columns");
        let mut store = Transactions { time, amount, margin, order, product, offsets: buckets.offsets };
        store.canonical_order();
        phases.lap("order each customer's rows");
        store
    }

    /// [`Self::build`] for the columns as a base was given them. Columns the caller keeps
    /// ([`GivenColumns::Shared`]) are read once into the grouped order, their times
    /// converted on the way (see [`TimeColumn`]), rather than copied and then grouped: one
    /// write of every row instead of three, no staging column, and no code column when the
    /// codes are computed from the ids.
    pub(crate) fn build_given(
        columns: GivenColumns,
        codes: RowCodes,
        customers: usize,
        span: Option<(i64, i64)>,
        phases: &mut crate::base::Phases,
    ) -> Transactions {
        match (columns, codes) {
            (GivenColumns::Shared(s), RowCodes::Offset(min)) => {
                Self::group_kept(&s, &IdOffsets { ids: &s.customer, min }, customers, span, phases)
            }
            (GivenColumns::Shared(s), RowCodes::Stored(codes)) => {
                Self::group_kept(&s, &codes[..], customers, span, phases)
            }
            (owned, codes) => {
                let codes = codes.stored(owned.int_ids());
                Self::build(owned.into_columns(), &codes, customers, span, phases)
            }
        }
    }

    /// [`Self::build`] for kept columns (no margins, orders or products).
    fn group_kept<C: RowCode + ?Sized>(
        kept: &SharedTransactions,
        codes: &C,
        customers: usize,
        span: Option<(i64, i64)>,
        phases: &mut crate::base::Phases,
    ) -> Transactions {
        let (instants, epoch) = (kept.time.instants(), TimeColumn::epoch(span));
        let (time, amount, offsets) = match (offsets_if_grouped(codes, customers), epoch) {
            // Rows already grouped by customer: the columns in their order.
            (Some(offsets), Some(epoch)) => {
                let seconds = by_unit!(instants, v, second => map_rows(v, |x| (second(x) - epoch) as u32));
                phases.lap("group by customer (rows already grouped)");
                (TimeColumn::Offsets { epoch, seconds }, AmountColumn::from_slice(&kept.amount), offsets)
            }
            (Some(offsets), None) => {
                let mut seconds = Vec::with_capacity(kept.len());
                instants.append_seconds(&mut seconds);
                phases.lap("group by customer (rows already grouped)");
                (TimeColumn::Seconds(seconds), AmountColumn::from_slice(&kept.amount), offsets)
            }
            // Offsets of 4 bytes, grouped through a column of staged customers (2 bytes a
            // row): 14 bytes a row at the peak, 10 with amounts in cents.
            (None, Some(epoch)) => {
                let buckets = Buckets::new(codes, customers);
                let seconds = by_unit!(instants, v, second => buckets.grouped_from(|r| (second(&v[r]) - epoch) as u32));
                let amount = grouped_amounts(&buckets, &kept.amount);
                phases.lap("group by customer");
                (TimeColumn::Offsets { epoch, seconds }, amount, buckets.offsets)
            }
            // Seconds of 8 bytes, for the rare base spanning more than 136 years.
            (None, None) => {
                let buckets = Buckets::new(codes, customers);
                let seconds = by_unit!(instants, v, second => buckets.grouped_from(|r| second(&v[r])));
                let amount = grouped_amounts(&buckets, &kept.amount);
                phases.lap("group by customer");
                (TimeColumn::Seconds(seconds), amount, buckets.offsets)
            }
        };
        let mut store = Transactions { time, amount, margin: None, order: None, product: None, offsets };
        store.canonical_order();
        phases.lap("order each customer's rows");
        store
    }

    /// Sorts each customer's transactions by time, then amount, margin, order and product,
    /// so the store is the same for any row order. Customers already in time order (the
    /// usual export) are only checked.
    fn canonical_order(&mut self) {
        let offsets = std::mem::take(&mut self.offsets);
        let (mut time, mut amount) = (std::mem::take(&mut self.time), std::mem::take(&mut self.amount));
        match (&mut time, &mut amount) {
            (TimeColumn::Offsets { seconds, .. }, AmountColumn::Cents(a)) => self.sort_groups(&offsets, seconds, a),
            (TimeColumn::Offsets { seconds, .. }, AmountColumn::Floats(a)) => self.sort_groups(&offsets, seconds, a),
            (TimeColumn::Seconds(seconds), AmountColumn::Cents(a)) => self.sort_groups(&offsets, seconds, a),
            (TimeColumn::Seconds(seconds), AmountColumn::Floats(a)) => self.sort_groups(&offsets, seconds, a),
        }
        (self.offsets, self.time, self.amount) = (offsets, time, amount);
    }

    /// Sorts each customer's rows, `time` and `amount` being the store's times and amounts
    /// in either form (offsets and cents keep the order of what they stand for).
    fn sort_groups<T: Copy + Ord + Send + Sync, A: StoredAmount>(
        &mut self,
        offsets: &[usize],
        time: &mut [T],
        amount: &mut [A],
    ) {
        let columns = Columns {
            time,
            amount,
            margin: self.margin.as_deref_mut(),
            order: self.order.as_mut().map(|o| o.0.as_mut_slice()),
            product: self.product.as_mut().map(|p| p.0.as_mut_slice()),
        };
        for_each_group(offsets, columns, |piece, group, scratch| piece.sort_group(group, scratch));
    }
}

/// An amount as the store keeps it: `f64`, or whole cents.
trait StoredAmount: Copy + Send + Sync {
    /// The amount it stands for.
    fn value(self) -> f64;
}

impl StoredAmount for f64 {
    fn value(self) -> f64 {
        self
    }
}

impl StoredAmount for i32 {
    fn value(self) -> f64 {
        from_cents(self)
    }
}

/// The amounts `amounts` in the grouped order: in cents when every one is whole cents.
fn grouped_amounts<C: RowCode + ?Sized>(buckets: &Buckets<'_, C>, amounts: &[f64]) -> AmountColumn {
    let cents = CentsOf::new(amounts).and_then(|to_cents| {
        let grouped = buckets.grouped_from(|r| to_cents.get(r));
        to_cents.finish(grouped)
    });
    cents.map_or_else(|| AmountColumn::Floats(buckets.grouped_from(|r| amounts[r])), AmountColumn::Cents)
}

/// Mutable slices of the grouped columns, for sorting customers' groups on several threads.
struct Columns<'a, T, A> {
    time: &'a mut [T],
    amount: &'a mut [A],
    margin: Option<&'a mut [f64]>,
    order: Option<&'a mut [u32]>,
    product: Option<&'a mut [u32]>,
}

/// Reused buffers for reordering a group.
struct Scratch<T, A> {
    order: Vec<u32>,
    floats: Vec<f64>,
    ints: Vec<u32>,
    times: Vec<T>,
    amounts: Vec<A>,
}

impl<T, A> Default for Scratch<T, A> {
    fn default() -> Self {
        Scratch { order: Vec::new(), floats: Vec::new(), ints: Vec::new(), times: Vec::new(), amounts: Vec::new() }
    }
}

impl<T: Send, A: Send> SplitAt for Columns<'_, T, A> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (t0, t1) = self.time.split_at_mut(mid);
        let (a0, a1) = self.amount.split_at_mut(mid);
        let (m0, m1) = self.margin.split_at(mid);
        let (o0, o1) = self.order.split_at(mid);
        let (p0, p1) = self.product.split_at(mid);
        (
            Columns { time: t0, amount: a0, margin: m0, order: o0, product: p0 },
            Columns { time: t1, amount: a1, margin: m1, order: o1, product: p1 },
        )
    }
}

impl<T: Copy + Ord, A: StoredAmount> Columns<'_, T, A> {
    fn sort_group(&mut self, g: std::ops::Range<usize>, scratch: &mut Scratch<T, A>) {
        if self.time[g.clone()].windows(2).all(|w| w[0] < w[1]) {
            return;
        }
        // Floats compare as `total_cmp` does.
        let key = |i: u32| {
            let i = i as usize;
            (
                self.time[i],
                total_bits(self.amount[i].value()),
                self.margin.as_ref().map_or(0, |m| total_bits(m[i])),
                self.order.as_ref().map_or(0, |o| o[i]),
                self.product.as_ref().map_or(0, |p| p[i]),
            )
        };
        let order = &mut scratch.order;
        order.clear();
        order.extend(g.clone().map(|i| i as u32));
        if order.is_sorted_by_key(|&i| key(i)) {
            return;
        }
        order.sort_unstable_by_key(|&i| key(i));
        permute(&mut self.time[g.clone()], order, g.start, &mut scratch.times);
        permute(&mut self.amount[g.clone()], order, g.start, &mut scratch.amounts);
        if let Some(m) = self.margin.as_deref_mut() {
            permute(&mut m[g.clone()], order, g.start, &mut scratch.floats);
        }
        if let Some(o) = self.order.as_deref_mut() {
            permute(&mut o[g.clone()], order, g.start, &mut scratch.ints);
        }
        if let Some(p) = self.product.as_deref_mut() {
            permute(&mut p[g.clone()], order, g.start, &mut scratch.ints);
        }
    }
}

/// Reorders `values` (slots `start..` of a column) so that position k holds the value at
/// slot `order[k]`.
fn permute<T: Copy>(values: &mut [T], order: &[u32], start: usize, scratch: &mut Vec<T>) {
    scratch.clear();
    scratch.extend(order.iter().map(|&i| values[i as usize - start]));
    values.copy_from_slice(scratch);
}
