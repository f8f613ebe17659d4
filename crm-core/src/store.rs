//! A base's transactions: kept as given (checked, customers coded) until an analysis first
//! needs each customer's history, then grouped by customer once.
//!
//! Grouping moves every column (two thirds of a build from columns). Questions answered by
//! one pass over the rows as given (the value segments, and the summary without order ids;
//! see [`crate::row_pass`]) read them without it, so a notebook that builds a base to ask
//! those does not pay for the grouping; any other analysis groups them, once, on first use.

use crate::base::Phases;
use crate::id::RowCodes;
use crate::shared::GivenColumns;
use crate::transaction::Transactions;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The transactions of a base, grouped on first use.
#[derive(Debug, Default)]
pub(crate) struct TransactionStore {
    grouped: OnceLock<Transactions>,
    /// The columns as given, until they are grouped.
    pending: Mutex<Option<Ungrouped>>,
    /// Rows and whether margins are known: known without grouping.
    rows: usize,
    has_margin: bool,
    /// The first and last time, found when first asked for.
    span: OnceLock<Option<(i64, i64)>>,
}

/// Checked transaction columns in the caller's row order, with each row's customer index.
#[derive(Debug)]
pub(crate) struct Ungrouped {
    pub(crate) columns: GivenColumns,
    pub(crate) codes: RowCodes,
    pub(crate) customers: usize,
}

impl TransactionStore {
    /// A store of checked columns whose rows belong to the customers `codes` (of
    /// `customers`), grouped when first needed.
    pub(crate) fn deferred(columns: GivenColumns, codes: RowCodes, customers: usize) -> Self {
        TransactionStore {
            grouped: OnceLock::new(),
            rows: columns.len(),
            has_margin: columns.has_margin(),
            pending: Mutex::new(Some(Ungrouped { columns, codes, customers })),
            span: OnceLock::new(),
        }
    }

    /// Groups the transactions now (once), with the build's phases timed.
    pub(crate) fn group(&self, phases: &mut Phases) -> &Transactions {
        if let Some(grouped) = self.grouped.get() {
            return grouped;
        }
        // The span decides how the times are stored; found from the columns as given.
        let span = self.span();
        self.grouped.get_or_init(|| {
            let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner).take();
            match pending {
                Some(u) => {
                    crate::memory::grouping_starts();
                    Transactions::build_given(u.columns, u.codes, u.customers, span, phases)
                }
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
    /// Found once, from the columns as given or the grouped ones (the same times).
    pub(crate) fn span(&self) -> Option<(i64, i64)> {
        *self.span.get_or_init(|| {
            if let Some(span) = self.with_ungrouped(|u| u.columns.times().min_max()) {
                return span;
            }
            self.get().time.min_max()
        })
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
            span: self.span.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CustomerBase, KeyColumn, TransactionColumns};

    #[test]
    fn counts_margins_and_span_without_grouping_and_after() {
        let columns = || {
            let mut c = TransactionColumns::new(KeyColumn::Int(vec![2, 1, 2]), vec![500, -86_400, 90], vec![1.0; 3]);
            c.cost_of_goods = Some(vec![0.5; 3]);
            c
        };
        let fresh = CustomerBase::from_transactions(columns()).expect("valid");
        assert_eq!((fresh.transaction_count(), fresh.has_margin()), (3, true));
        assert_eq!(fresh.transaction_span(), Some((-86_400, 500)));
        assert!(fresh.transaction_store().with_ungrouped(|_| ()).is_some(), "still not grouped");
        let grouped = CustomerBase::from_transactions(columns()).expect("valid");
        grouped.transactions();
        assert_eq!(grouped.transaction_span(), Some((-86_400, 500)));
        let empty = CustomerBase::from_transactions(TransactionColumns::default()).expect("valid");
        assert_eq!((empty.transaction_count(), empty.transaction_span()), (0, None));
    }

    /// Ids that are every number of a range keep no code column; mapped into a wider
    /// customer table, or joined by interaction ids, they are coded from the ids.
    #[test]
    fn codes_computed_from_ids_are_mapped_into_a_wider_numbering() {
        use crate::id::RowCodes;
        use crate::{Channel, Customer, CustomerBaseBuilder, Direction, InteractionColumns, Key};
        let day = 86_400;
        let tx = || {
            TransactionColumns::new(
                KeyColumn::Int(vec![4, 2, 3, 2]),
                vec![0, day, 2 * day, 3 * day],
                vec![1.0, 2.0, 4.0, 8.0],
            )
        };
        let codes = |base: &CustomerBase| base.transaction_store().with_ungrouped(|u| u.codes.clone());
        assert_eq!(codes(&CustomerBase::from_transactions(tx()).expect("valid")), Some(RowCodes::Offset(2)));
        let table = CustomerBaseBuilder::default()
            .customers((1..=5).map(|i| Customer::new(Key::Int(i))))
            .transactions(tx())
            .and_then(CustomerBaseBuilder::build)
            .expect("valid");
        let contacts = InteractionColumns {
            customer: KeyColumn::Int(vec![1]),
            timestamp: vec![0],
            channel: vec![Channel::Phone],
            direction: vec![Direction::Outbound],
            kind: ["call"].into_iter().collect(),
            ..Default::default()
        };
        let joined = CustomerBaseBuilder::default()
            .transactions(tx())
            .and_then(|b| b.interactions(contacts))
            .and_then(CustomerBaseBuilder::build)
            .expect("valid");
        let as_of = chrono::NaiveDate::from_ymd_opt(1970, 1, 10).expect("date");
        // Customers 1..=5 (1..=4 joined): purchases 0, 2, 1, 1, 0; revenue 0, 10, 4, 1, 0.
        for (base, purchases, revenue) in [
            (&table, vec![0, 2, 1, 1, 0], vec![0.0, 10.0, 4.0, 1.0, 0.0]),
            (&joined, vec![0, 2, 1, 1], vec![0.0, 10.0, 4.0, 1.0]),
        ] {
            assert!(matches!(codes(base), Some(RowCodes::Stored(_))));
            let one_pass = base.summary(as_of).expect("summary");
            assert_eq!((&one_pass.purchases, &one_pass.revenue), (&purchases, &revenue));
            base.transactions();
            let grouped = base.summary(as_of).expect("summary");
            assert_eq!((&grouped.purchases, &grouped.revenue), (&purchases, &revenue));
        }
    }
}
