//! The customer base: customers, their transactions and interactions, interned and grouped
//! by customer once, so that every analysis is one pass over contiguous slices. The
//! transactions are grouped when an analysis first needs customers' histories: a base
//! asked only for its summary or value segments never groups them.

use crate::attribute_columns::AttributeCache;
use crate::customer::{Customer, CustomerIndex};
use crate::error::{Error, Result};
use crate::id::{Key, KeyColumn, RowCodes, StrColumn, first_rows, intern, lookup};
use crate::ingest::Origins;
use crate::interaction::{InteractionColumns, Interactions};
use crate::shared::{GivenColumns, SharedTransactions};
use crate::store::TransactionStore;
use crate::transaction::{TransactionColumns, Transactions};
use std::cmp::Ordering;

/// A customer base. Build it with [`CustomerBase::builder`] or
/// [`CustomerBase::from_transactions`]; it is immutable afterwards and can be shared
/// between threads.
///
/// # Examples
///
/// ```
/// use crm_core::{CustomerBase, TransactionColumns};
/// let base = CustomerBase::from_transactions(TransactionColumns::new(
///     vec!["b", "a", "b"].into(),
///     vec![0, 0, 86_400],
///     vec![10.0, 20.0, 30.0],
/// ))?;
/// assert_eq!(base.len(), 2);
/// assert_eq!(base.id(0).to_string(), "a"); // customers are numbered in id order
/// assert_eq!(base.transactions().of(1).amount, &[10.0, 30.0]);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CustomerBase {
    ids: KeyColumn,
    profiles: Option<Vec<Customer>>,
    transactions: TransactionStore,
    interactions: Interactions,
    /// The customer attributes analyses have read, as columns (built on first use).
    attribute_columns: AttributeCache,
}

impl CustomerBase {
    /// A builder for a base with a customer table, transactions and interactions.
    pub fn builder() -> CustomerBaseBuilder {
        CustomerBaseBuilder::default()
    }

    /// A base from transactions alone; customers are implied by their ids.
    ///
    /// # Errors
    /// Mismatched column lengths, non-finite amounts or margins ([`Error::InvalidValue`]
    /// names the row and column).
    pub fn from_transactions(transactions: TransactionColumns) -> Result<Self> {
        Self::builder().transactions(transactions)?.build()
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the base has no customers.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The external ids, ascending; position = [`CustomerIndex`].
    pub fn ids(&self) -> &KeyColumn {
        &self.ids
    }

    /// The external id of a customer.
    ///
    /// # Panics
    /// When `customer` is out of range.
    pub fn id(&self, customer: CustomerIndex) -> Key {
        self.ids.get(customer as usize)
    }

    /// The index of an external id.
    pub fn index_of(&self, id: &Key) -> Option<CustomerIndex> {
        lookup(&self.ids, id)
    }

    /// The customer table, when one was given (indexed by [`CustomerIndex`]).
    pub fn profiles(&self) -> Option<&[Customer]> {
        self.profiles.as_deref()
    }

    /// A customer's profile, when a customer table was given.
    pub fn profile(&self, customer: CustomerIndex) -> Option<&Customer> {
        self.profiles.as_ref().map(|p| &p[customer as usize])
    }

    /// All transactions, grouped by customer. A base groups them when they are first
    /// asked for (here, or by an analysis that reads customers' histories), once; the
    /// summary (without order ids) and the value segments read them as given while they
    /// are not grouped, with the same figures bit for bit.
    pub fn transactions(&self) -> &Transactions {
        self.transactions.get()
    }

    /// Number of transactions (without grouping them).
    pub fn transaction_count(&self) -> usize {
        self.transactions.len()
    }

    /// True when the transactions have margins, given or derived from cost of goods
    /// (without grouping them).
    pub fn has_margin(&self) -> bool {
        self.transactions.has_margin()
    }

    /// The first and last transaction times, Unix seconds (without grouping them); `None`
    /// without transactions.
    pub fn transaction_span(&self) -> Option<(i64, i64)> {
        self.transactions.span()
    }

    /// The transactions as given, when no analysis has grouped them yet.
    pub(crate) fn transaction_store(&self) -> &TransactionStore {
        &self.transactions
    }

    /// All interactions, grouped by customer.
    pub fn interactions(&self) -> &Interactions {
        &self.interactions
    }

    /// The columns of customer attributes read so far.
    pub(crate) fn attribute_cache(&self) -> &AttributeCache {
        &self.attribute_columns
    }
}

/// Collects a customer table, transactions and interactions, then builds a base.
///
/// Columns given in several calls are appended. With a customer table, every transaction
/// and interaction must name a customer of the table; without one, customers are the ids
/// the transactions and interactions use.
#[derive(Debug, Clone, Default)]
pub struct CustomerBaseBuilder {
    customers: Option<Vec<Customer>>,
    transactions: Option<GivenColumns>,
    interactions: Option<InteractionColumns>,
    /// The files rows were read from, to name lines in errors.
    pub(crate) origins: Origins,
}

/// The column an unknown customer of the transactions is reported in.
pub(crate) const TX_CUSTOMER: &str = "customer (transactions)";
/// The column an unknown customer of the interactions is reported in.
pub(crate) const IX_CUSTOMER: &str = "customer (interactions)";

impl CustomerBaseBuilder {
    pub(crate) fn customers_len(&self) -> usize {
        self.customers.as_ref().map_or(0, Vec::len)
    }

    pub(crate) fn transactions_len(&self) -> usize {
        self.transactions.as_ref().map_or(0, GivenColumns::len)
    }

    pub(crate) fn interactions_len(&self) -> usize {
        self.interactions.as_ref().map_or(0, InteractionColumns::len)
    }

    /// Adds customers to the customer table.
    pub fn customers(mut self, customers: impl IntoIterator<Item = Customer>) -> Self {
        self.add_customers(customers);
        self
    }

    /// Adds customers to the customer table (in place).
    pub fn add_customers(&mut self, customers: impl IntoIterator<Item = Customer>) {
        self.customers.get_or_insert_with(Vec::new).extend(customers);
    }

    /// Adds transaction columns.
    ///
    /// # Errors
    /// Bad lengths or values in `columns`, or columns that do not match those added before
    /// (e.g. margins in one batch and not in the other).
    pub fn transactions(mut self, columns: TransactionColumns) -> Result<Self> {
        self.add_transactions(columns)?;
        Ok(self)
    }

    /// Adds transaction columns (in place). See [`Self::transactions`].
    ///
    /// # Errors
    /// As [`Self::transactions`]; on error nothing is added.
    pub fn add_transactions(&mut self, columns: TransactionColumns) -> Result<()> {
        columns.validate()?;
        match &mut self.transactions {
            None => self.transactions = Some(GivenColumns::Owned(columns)),
            Some(GivenColumns::Owned(t)) => append_transactions(t, columns)?,
            Some(GivenColumns::Shared(s)) => {
                // A second batch: both are kept as one owned set of columns.
                let mut t = s.to_columns();
                append_transactions(&mut t, columns)?;
                self.transactions = Some(GivenColumns::Owned(t));
            }
        }
        Ok(())
    }

    /// Adds transaction columns their owner keeps (an Arrow table's buffers): a base built
    /// from them alone reads them in place (see [`crate::shared`]); with other batches they
    /// are copied into one set of columns.
    ///
    /// # Errors
    /// As [`Self::transactions`].
    pub fn shared_transactions(mut self, columns: SharedTransactions) -> Result<Self> {
        self.add_shared_transactions(columns)?;
        Ok(self)
    }

    /// Adds transaction columns their owner keeps (in place). See
    /// [`Self::shared_transactions`].
    ///
    /// # Errors
    /// As [`Self::transactions`]; on error nothing is added.
    pub fn add_shared_transactions(&mut self, columns: SharedTransactions) -> Result<()> {
        match self.transactions {
            None => {
                columns.validate()?;
                self.transactions = Some(GivenColumns::Shared(columns));
                Ok(())
            }
            Some(_) => self.add_transactions(columns.to_columns()),
        }
    }

    /// Adds interaction columns.
    ///
    /// # Errors
    /// Bad lengths or values; see [`Self::add_interactions`].
    pub fn interactions(mut self, columns: InteractionColumns) -> Result<Self> {
        self.add_interactions(columns)?;
        Ok(self)
    }

    /// Adds interaction columns (in place).
    ///
    /// # Errors
    /// Mismatched lengths, non-finite costs, ids of another kind; on error nothing is added.
    pub fn add_interactions(&mut self, columns: InteractionColumns) -> Result<()> {
        columns.validate()?;
        match &mut self.interactions {
            None => self.interactions = Some(columns),
            Some(t) => {
                let offset = t.len();
                append_keys(&mut t.customer, columns.customer, "customer", offset)?;
                t.timestamp.extend(columns.timestamp);
                t.channel.extend(columns.channel);
                t.direction.extend(columns.direction);
                for s in columns.kind.iter() {
                    t.kind.push(s);
                }
                let n_new = t.timestamp.len() - offset;
                if t.outcome.is_some() || columns.outcome.is_some() {
                    let o = t.outcome.get_or_insert_with(|| (0..offset).map(|_| "").collect());
                    match columns.outcome {
                        Some(c) => c.iter().for_each(|s| o.push(s)),
                        None => (0..n_new).for_each(|_| o.push("")),
                    }
                }
                if t.cost.is_some() || columns.cost.is_some() {
                    let c = t.cost.get_or_insert_with(|| vec![0.0; offset]);
                    c.extend(columns.cost.unwrap_or_else(|| vec![0.0; n_new]));
                }
            }
        }
        Ok(())
    }

    /// Interns ids, checks them against the customer table and groups everything by customer.
    ///
    /// # Errors
    /// [`Error::DuplicateCustomer`], [`Error::UnknownCustomer`], [`Error::IdKindMismatch`],
    /// a customer without id or with a non-finite number ([`Error::InvalidValue`]). The
    /// collected data is dropped with the error; [`Self::try_build`] gives it back.
    pub fn build(self) -> Result<CustomerBase> {
        self.try_build().map_err(|e| e.error)
    }

    /// [`Self::build`], giving the builder back, unchanged, when the data is refused: fix it
    /// (e.g. add the missing customers) and build again, without copying the data first.
    ///
    /// ```
    /// use crm_core::{Customer, CustomerBaseBuilder, Key, KeyColumn, TransactionColumns, ErrorKind};
    /// let tx = TransactionColumns::new(KeyColumn::Int(vec![1, 2]), vec![0, 86_400], vec![10.0, 20.0]);
    /// let builder = CustomerBaseBuilder::default().customers([Customer::new(Key::Int(1))]).transactions(tx)?;
    /// let mut builder = match builder.try_build() {
    ///     Ok(_) => unreachable!("customer 2 is not in the customer table"),
    ///     Err(refused) => {
    ///         assert_eq!(refused.error.kind(), ErrorKind::UnknownCustomer);
    ///         *refused.builder
    ///     }
    /// };
    /// builder.add_customers([Customer::new(Key::Int(2))]);
    /// assert_eq!(builder.try_build().map_err(|e| e.error)?.len(), 2);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Self::build`], in a [`BuildError`] that holds the builder.
    pub fn try_build(self) -> std::result::Result<CustomerBase, BuildError> {
        self.try_build_timed(&mut Phases::off())
    }

    /// [`Self::build`], grouping the transactions by customer now (a build otherwise leaves
    /// that to the first analysis that needs it), also returning the seconds each phase
    /// took (for the benchmarks, which print where the time goes).
    ///
    /// # Errors
    /// As [`Self::build`].
    #[doc(hidden)]
    pub fn build_with_phases(self) -> Result<(CustomerBase, Vec<(&'static str, f64)>)> {
        let mut phases = Phases::on();
        let base = self.try_build_timed(&mut phases).map_err(|e| e.error)?;
        base.transactions.group(&mut phases);
        Ok((base, phases.done))
    }

    fn try_build_timed(mut self, phases: &mut Phases) -> std::result::Result<CustomerBase, BuildError> {
        // Every check reads the data; nothing is consumed until all have passed.
        let (had_tx, had_ix) = (self.transactions.is_some(), self.interactions.is_some());
        let transactions = self.transactions.take().unwrap_or_default();
        let interactions = self.interactions.take().unwrap_or_default();
        let (tx_uniques, tx_codes) = transactions.intern();
        let ix = intern(&interactions.customer);
        phases.lap("intern customer ids");

        let checked = match self.customers.as_deref() {
            Some(customers) => customer_table(customers).and_then(|(ids, slots)| {
                let tx_first = || first_rows(&tx_codes.clone().stored(transactions.int_ids()), tx_uniques.len());
                let tx_map =
                    map_into(&tx_uniques, &tx_first, &ids, TX_CUSTOMER, &|r| transactions.customer_display(r))?;
                let ix_map = map_into(&ix.uniques, &|| ix.first_rows(), &ids, IX_CUSTOMER, &|r| {
                    interactions.customer.display(r)
                })?;
                Ok((ids, Some(slots), Some(tx_map), Some(ix_map)))
            }),
            None => union(tx_uniques, ix.uniques).map(|(ids, tx_map, ix_map)| (ids, None, tx_map, ix_map)),
        };
        let (ids, slots, tx_map, ix_map) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                self.transactions = had_tx.then_some(transactions);
                self.interactions = had_ix.then_some(interactions);
                let error = self.origins.locate(error);
                return Err(BuildError { error, builder: Box::new(self) });
            }
        };
        let profiles = slots.map(|slots| in_id_order(self.customers.take().unwrap_or_default(), &slots));
        let n = ids.len();
        let tx_codes = recode_rows(tx_codes, tx_map.as_deref(), transactions.int_ids());
        let ix_codes = recode(ix.codes, ix_map.as_deref());
        phases.lap("map ids to customers");
        let transactions = TransactionStore::deferred(transactions, tx_codes, n);
        let interactions = Interactions::build(interactions, &ix_codes, n);
        phases.lap("group interactions");
        let attribute_columns = AttributeCache::of_table(profiles.as_deref());
        phases.lap("customer attributes as columns");
        Ok(CustomerBase { ids, profiles, transactions, interactions, attribute_columns })
    }
}

/// Where a build's time goes: laps of a stopwatch, kept only when asked for.
#[derive(Debug)]
pub(crate) struct Phases {
    last: Option<std::time::Instant>,
    done: Vec<(&'static str, f64)>,
}

impl Phases {
    pub(crate) fn off() -> Self {
        Phases { last: None, done: Vec::new() }
    }

    fn on() -> Self {
        Phases { last: Some(std::time::Instant::now()), done: Vec::new() }
    }

    /// Ends the phase `name` (nothing when timing is off).
    pub(crate) fn lap(&mut self, name: &'static str) {
        if let Some(last) = &mut self.last {
            let now = std::time::Instant::now();
            self.done.push((name, (now - *last).as_secs_f64()));
            *last = now;
        }
    }
}

/// A refused [`CustomerBaseBuilder::try_build`]: why, and the builder with its data.
#[derive(Debug, Clone)]
pub struct BuildError {
    /// What is wrong with the data.
    pub error: Error,
    /// The builder as it was before the build (boxed: it is large).
    pub builder: Box<CustomerBaseBuilder>,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        e.error
    }
}

/// Whether a map from one numbering to another keeps every number.
fn is_identity(map: &[u32]) -> bool {
    map.iter().enumerate().all(|(i, &m)| m as usize == i)
}

/// `map` when it moves some number; `None` when it is the identity (given as `None`, or a
/// map that keeps every number).
fn moving(map: Option<&[u32]>) -> Option<&[u32]> {
    map.filter(|m| !is_identity(m))
}

/// Codes mapped through `map` (`None`: the identity; kept as they are then).
fn recode(codes: Vec<u32>, map: Option<&[u32]>) -> Vec<u32> {
    match moving(map) {
        Some(map) => crate::parallel::map_rows(&codes, |&c| map[c as usize]),
        None => codes,
    }
}

/// [`recode`] for a base's transaction rows (`ids` their integer ids): an offset is kept
/// as long as `map` is the identity, else the codes are mapped in one pass over the ids.
fn recode_rows(codes: RowCodes, map: Option<&[u32]>, ids: &[i64]) -> RowCodes {
    let Some(map) = moving(map) else { return codes };
    match codes {
        RowCodes::Stored(codes) => RowCodes::Stored(recode(codes, Some(map))),
        RowCodes::Offset(min) => RowCodes::Stored(crate::parallel::map_rows(ids, |&id| map[(id - min) as usize])),
    }
}

fn append_keys(into: &mut KeyColumn, from: KeyColumn, column: &str, offset: usize) -> Result<()> {
    if into.is_empty() && offset == 0 {
        *into = from;
        return Ok(());
    }
    match (into, from) {
        (KeyColumn::Int(a), KeyColumn::Int(b)) => a.extend(b),
        (KeyColumn::Str(a), KeyColumn::Str(b)) => b.iter().for_each(|s| a.push(s)),
        (_, b) if b.is_empty() => {}
        (a, b) => {
            return Err(Error::IdKindMismatch {
                column: column.to_owned(),
                expected: a.kind().to_owned(),
                found: b.kind().to_owned(),
            });
        }
    }
    Ok(())
}

fn append_transactions(t: &mut TransactionColumns, c: TransactionColumns) -> Result<()> {
    let offset = t.len();
    let same = |a: bool, b: bool, name: &str| {
        if a == b { Ok(()) } else { Err(Error::config(name, "given in one batch of transactions but not in another")) }
    };
    same(t.margin.is_some(), c.margin.is_some(), "margin")?;
    same(t.cost_of_goods.is_some(), c.cost_of_goods.is_some(), "cost_of_goods")?;
    same(t.product.is_some(), c.product.is_some(), "product")?;
    same(t.order.is_some(), c.order.is_some(), "order")?;
    append_keys(&mut t.customer, c.customer, "customer", offset)?;
    if let (Some(a), Some(b)) = (&mut t.product, c.product) {
        append_keys(a, b, "product", offset)?;
    }
    if let (Some(a), Some(b)) = (&mut t.order, c.order) {
        append_keys(a, b, "order", offset)?;
    }
    t.timestamp.extend(c.timestamp);
    t.amount.extend(c.amount);
    if let (Some(a), Some(b)) = (&mut t.margin, c.margin) {
        a.extend(b);
    }
    if let (Some(a), Some(b)) = (&mut t.cost_of_goods, c.cost_of_goods) {
        a.extend(b);
    }
    Ok(())
}

/// Sorts the customer table by id, rejecting missing and duplicate ids.
fn customer_table(customers: &[Customer]) -> Result<(KeyColumn, Vec<u32>)> {
    for (row, c) in customers.iter().enumerate() {
        if c.id.is_none() {
            return Err(Error::invalid(row, "id", "customer without id"));
        }
        c.validate(row)?;
    }
    let keys = KeyColumn::from_keys(customers.iter().map(|c| c.id.as_ref().expect("checked")), "id")?;
    let interned = intern(&keys);
    if interned.uniques.len() < customers.len() {
        let first = interned.first_rows();
        let row = (0..customers.len()).find(|&r| first[interned.codes[r] as usize] != r).expect("a duplicate exists");
        let code = interned.codes[row] as usize;
        return Err(Error::DuplicateCustomer {
            row,
            first_row: first[code],
            customer: keys.display(row),
            at: None,
            first_at: None,
        });
    }
    Ok((interned.uniques, interned.codes))
}

/// The customers in id order: row `r` goes to slot `slots[r]` (a permutation).
fn in_id_order(customers: Vec<Customer>, slots: &[u32]) -> Vec<Customer> {
    let mut placed: Vec<Option<Customer>> = (0..customers.len()).map(|_| None).collect();
    for (row, c) in customers.into_iter().enumerate() {
        placed[slots[row] as usize] = Some(c);
    }
    placed.into_iter().map(|c| c.expect("permutation")).collect()
}

/// Maps each distinct id of `sub` to its index in `universe`; an id missing from the
/// universe is an unknown customer, reported at its first row.
fn map_into(
    sub: &KeyColumn,
    first_rows: &dyn Fn() -> Vec<usize>,
    universe: &KeyColumn,
    column: &str,
    raw: &dyn Fn(usize) -> String,
) -> Result<Vec<u32>> {
    if sub.is_empty() {
        return Ok(Vec::new());
    }
    if universe.kind() != sub.kind() && !universe.is_empty() {
        return Err(Error::IdKindMismatch {
            column: column.to_owned(),
            expected: universe.kind().to_owned(),
            found: sub.kind().to_owned(),
        });
    }
    let mapped = merge_map(sub, universe);
    if let Some(first) = mapped.iter().any(Option::is_none).then(first_rows) {
        let u = (0..mapped.len()).filter(|&u| mapped[u].is_none()).min_by_key(|&u| first[u]).expect("one is unknown");
        let row = first[u];
        return Err(Error::UnknownCustomer { row, column: column.to_owned(), customer: raw(row), at: None });
    }
    Ok(mapped.into_iter().map(|m| m.expect("checked")).collect())
}

fn merge_map(sub: &KeyColumn, universe: &KeyColumn) -> Vec<Option<u32>> {
    fn walk<T: Ord>(n: usize, a: impl Fn(usize) -> T, m: usize, b: impl Fn(usize) -> T) -> Vec<Option<u32>> {
        let mut out = Vec::with_capacity(n);
        let mut j = 0;
        for i in 0..n {
            let x = a(i);
            while j < m && b(j) < x {
                j += 1;
            }
            out.push((j < m && b(j) == x).then_some(j as u32));
        }
        out
    }
    match (sub, universe) {
        (KeyColumn::Int(a), KeyColumn::Int(b)) => walk(a.len(), |i| a[i], b.len(), |j| b[j]),
        (KeyColumn::Str(a), KeyColumn::Str(b)) => walk(a.len(), |i| a.get(i), b.len(), |j| b.get(j)),
        _ => vec![None; sub.len()],
    }
}

/// Sorted distinct ids and each side's map into them (`None`: the identity).
type Union = (KeyColumn, Option<Vec<u32>>, Option<Vec<u32>>);

/// The sorted union of two sorted distinct id columns, with each side's map into it. When
/// one side is empty (a base of transactions only), the other is the union as it is, and
/// both maps are the identity (`None`: no map built, none checked).
fn union(a: KeyColumn, b: KeyColumn) -> Result<Union> {
    fn walk<T: Ord + Copy>(
        n: usize,
        a: impl Fn(usize) -> T,
        m: usize,
        b: impl Fn(usize) -> T,
        mut push: impl FnMut(T),
    ) -> (Vec<u32>, Vec<u32>) {
        let (mut i, mut j, mut k) = (0, 0, 0u32);
        let (mut ma, mut mb) = (Vec::with_capacity(n), Vec::with_capacity(m));
        while i < n || j < m {
            let ord = match (i < n, j < m) {
                (true, true) => a(i).cmp(&b(j)),
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match ord {
                Ordering::Less => {
                    push(a(i));
                    ma.push(k);
                    i += 1;
                }
                Ordering::Greater => {
                    push(b(j));
                    mb.push(k);
                    j += 1;
                }
                Ordering::Equal => {
                    push(a(i));
                    ma.push(k);
                    mb.push(k);
                    i += 1;
                    j += 1;
                }
            }
            k += 1;
        }
        (ma, mb)
    }
    if b.is_empty() {
        return Ok((a, None, None));
    }
    if a.is_empty() {
        return Ok((b, None, None));
    }
    match (&a, &b) {
        (KeyColumn::Int(x), KeyColumn::Int(y)) => {
            let mut out = Vec::with_capacity(x.len().max(y.len()));
            let (ma, mb) = walk(x.len(), |i| x[i], y.len(), |j| y[j], |v| out.push(v));
            Ok((KeyColumn::Int(out), Some(ma), Some(mb)))
        }
        (KeyColumn::Str(x), KeyColumn::Str(y)) => {
            let mut out = StrColumn::new();
            let (ma, mb) = walk(x.len(), |i| x.get(i), y.len(), |j| y.get(j), |v| out.push(v));
            Ok((KeyColumn::Str(out), Some(ma), Some(mb)))
        }
        (x, y) => Err(Error::IdKindMismatch {
            column: "customer (interactions)".to_owned(),
            expected: x.kind().to_owned(),
            found: y.kind().to_owned(),
        }),
    }
}
