//! A base's transactions: kept as given (checked, customers coded) until an analysis first
//! needs each customer's history, then grouped by customer once.
//!
//! Grouping moves every column (two thirds of a build from columns). Questions answered by
//! one pass over the rows as given (the value segments, and the summary without order ids;
//! see [`crate::row_pass`]) read them without it, so a notebook that builds a base to ask
//! those does not pay for the grouping; any other analysis groups them, once, on first use.

use crate::base::Phases;
use crate::transaction::{TransactionColumns, Transactions};
use std::sync::{Mutex, OnceLock, PoisonError};

/// The transactions of a base, grouped on first use.
#[derive(Debug, Default)]
pub(crate) struct TransactionStore {
    grouped: OnceLock<Transactions>,
    /// The columns as given, until they are grouped.
    pending: Mutex<Option<Ungrouped>>,
    /// Rows, whether margins are known, and the first and last time: known without grouping.
    rows: usize,
    has_margin: bool,
    span: Option<(i64, i64)>,
}

/// Checked transaction columns in the caller's row order, with each row's customer index.
#[derive(Debug)]
pub(crate) struct Ungrouped {
    pub(crate) columns: TransactionColumns,
    pub(crate) codes: Vec<u32>,
    pub(crate) customers: usize,
}

impl Ungrouped {
    /// The margin of row `i`: given, or amount - cost of goods (as the grouped store
    /// computes it); 0 without either.
    #[inline]
    pub(crate) fn margin(&self, i: usize) -> f64 {
        match (&self.columns.margin, &self.columns.cost_of_goods) {
            (Some(m), _) => m[i],
            (None, Some(c)) => self.columns.amount[i] - c[i],
            (None, None) => 0.0,
        }
    }
}

impl TransactionStore {
    /// A store of checked columns whose rows belong to the customers `codes` (of
    /// `customers`), grouped when first needed.
    pub(crate) fn deferred(columns: TransactionColumns, codes: Vec<u32>, customers: usize) -> Self {
        let rows = columns.len();
        let has_margin = columns.margin.is_some() || columns.cost_of_goods.is_some();
        let span = crate::parallel::map_pieces(rows, |r| {
            let t = &columns.timestamp[r];
            t.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &s| (lo.min(s), hi.max(s)))
        })
        .into_iter()
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        .filter(|_| rows > 0);
        TransactionStore {
            grouped: OnceLock::new(),
            pending: Mutex::new(Some(Ungrouped { columns, codes, customers })),
            rows,
            has_margin,
            span,
        }
    }

    /// Groups the transactions now (once), with the build's phases timed.
    pub(crate) fn group(&self, phases: &mut Phases) -> &Transactions {
        self.grouped.get_or_init(|| {
            let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner).take();
            match pending {
                Some(u) => Transactions::build(u.columns, &u.codes, u.customers, phases),
                None => Transactions::default(),
            }
        })
    }

    /// The transactions grouped by customer (grouped now if they are not yet).
    pub(crate) fn get(&self) -> &Transactions {
        match self.grouped.get() {
            Some(t) => t,
            None => self.group(&mut Phases::off()),
        }
    }

    /// `f` of the columns as given, when they are not grouped yet (`None` once they are).
    /// A concurrent first [`Self::get`] waits for `f`.
    pub(crate) fn with_ungrouped<R>(&self, f: impl FnOnce(&Ungrouped) -> R) -> Option<R> {
        if self.grouped.get().is_some() {
            return None;
        }
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.as_ref().map(f)
    }

    /// Number of transactions.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// True when margins are known (given, or derived from cost of goods).
    pub(crate) fn has_margin(&self) -> bool {
        self.has_margin
    }

    /// The first and last transaction time (Unix seconds); `None` without transactions.
    pub(crate) fn span(&self) -> Option<(i64, i64)> {
        self.span
    }
}

impl Clone for TransactionStore {
    /// A clone is grouped (the columns as given are not kept twice).
    fn clone(&self) -> Self {
        TransactionStore {
            grouped: OnceLock::from(self.get().clone()),
            pending: Mutex::new(None),
            rows: self.rows,
            has_margin: self.has_margin,
            span: self.span,
        }
    }
}
