//! Transactions (purchases and refunds): the columns a host gives, and the store a base keeps.

use crate::customer::CustomerIndex;
use crate::id::KeyColumn;
use crate::time::{Day, day_of};
use serde::{Deserialize, Serialize};

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

    /// Checks lengths and values; names the first bad row and column.
    pub(crate) fn validate(&self) -> crate::Result<()> {
        let n = self.customer.len();
        check_len("timestamp", self.timestamp.len(), "customer", n)?;
        check_len("amount", self.amount.len(), "customer", n)?;
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
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(crate::Error::invalid(row, column, format!("{} is not a finite number", values[row]))),
    }
}

/// The transactions of a base, grouped by customer and sorted by time within a customer.
#[derive(Debug, Clone, Default)]
pub struct Transactions {
    pub(crate) offsets: Vec<usize>,
    pub(crate) time: Vec<i64>,
    pub(crate) amount: Vec<f64>,
    pub(crate) margin: Option<Vec<f64>>,
    pub(crate) product: Option<(Vec<u32>, KeyColumn)>,
    pub(crate) order: Option<(Vec<u32>, KeyColumn)>,
}

/// One customer's transactions, sorted by time.
#[derive(Debug, Clone, Copy)]
pub struct CustomerTransactions<'a> {
    /// Unix seconds.
    pub time: &'a [i64],
    /// Amounts.
    pub amount: &'a [f64],
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
        let end = self.time.partition_point(|&t| day_of(t) <= last_day);
        self.head(end)
    }

    /// The first `n` transactions.
    pub fn head(self, n: usize) -> Self {
        CustomerTransactions {
            time: &self.time[..n],
            amount: &self.amount[..n],
            margin: self.margin.map(|m| &m[..n]),
            order: self.order.map(|o| &o[..n]),
            product: self.product.map(|p| &p[..n]),
        }
    }

    /// Index of the first transaction on or after `day`.
    pub fn first_on_or_after(&self, day: Day) -> usize {
        self.time.partition_point(|&t| day_of(t) < day)
    }
}

impl Transactions {
    /// Total number of transactions.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
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
            time: &self.time[a..b],
            amount: &self.amount[a..b],
            margin: self.margin.as_ref().map(|m| &m[a..b]),
            order: self.order.as_ref().map(|o| &o.0[a..b]),
            product: self.product.as_ref().map(|p| &p.0[a..b]),
        }
    }
}

/// Groups rows by customer code (counting sort) and orders each group with `cmp`.
/// Returns per-customer offsets and the row permutation.
pub(crate) fn group_rows(
    codes: &[u32],
    customers: usize,
    cmp: impl Fn(u32, u32) -> std::cmp::Ordering,
) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; customers + 1];
    for &c in codes {
        offsets[c as usize + 1] += 1;
    }
    for i in 0..customers {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut perm = vec![0u32; codes.len()];
    for (row, &c) in codes.iter().enumerate() {
        let slot = &mut next[c as usize];
        perm[*slot] = row as u32;
        *slot += 1;
    }
    for c in 0..customers {
        let group = &mut perm[offsets[c]..offsets[c + 1]];
        // Exports are often already in time order: check before sorting.
        if group.len() > 1 && !group.is_sorted_by(|&a, &b| cmp(a, b).is_le()) {
            group.sort_unstable_by(|&a, &b| cmp(a, b));
        }
    }
    (offsets, perm)
}

/// `values` reordered by `perm`.
pub(crate) fn gather<T: Copy>(values: &[T], perm: &[u32]) -> Vec<T> {
    perm.iter().map(|&r| values[r as usize]).collect()
}

impl Transactions {
    /// Builds the store from validated columns whose customer ids are already coded.
    pub(crate) fn build(cols: TransactionColumns, codes: &[u32], customers: usize) -> Transactions {
        let product = cols.product.as_ref().map(crate::id::intern);
        let order = cols.order.as_ref().map(crate::id::intern);
        let margin: Option<Vec<f64>> = match (cols.margin, cols.cost_of_goods) {
            (Some(m), _) => Some(m),
            (None, Some(c)) => Some(cols.amount.iter().zip(&c).map(|(a, c)| a - c).collect()),
            (None, None) => None,
        };
        let (time, amount) = (&cols.timestamp, &cols.amount);
        // Full ordering on every field, so the grouped store is the same for any row order.
        let (offsets, perm) = group_rows(codes, customers, |a, b| {
            let (a, b) = (a as usize, b as usize);
            time[a]
                .cmp(&time[b])
                .then_with(|| amount[a].total_cmp(&amount[b]))
                .then_with(|| margin.as_ref().map_or(std::cmp::Ordering::Equal, |m| m[a].total_cmp(&m[b])))
                .then_with(|| order.as_ref().map_or(std::cmp::Ordering::Equal, |o| o.codes[a].cmp(&o.codes[b])))
                .then_with(|| product.as_ref().map_or(std::cmp::Ordering::Equal, |p| p.codes[a].cmp(&p.codes[b])))
        });
        Transactions {
            time: gather(time, &perm),
            amount: gather(amount, &perm),
            margin: margin.as_ref().map(|m| gather(m, &perm)),
            product: product.map(|p| (gather(&p.codes, &perm), p.uniques)),
            order: order.map(|o| (gather(&o.codes, &perm), o.uniques)),
            offsets,
        }
    }
}
