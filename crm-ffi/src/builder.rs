//! `crm_base_builder`: collects customers, transactions and interactions in bulk, then
//! builds a `crm_base`.

use crate::base::crm_base;
use crate::columns::{check_lengths, seconds, str_column, str_ids};
use crate::customer::crm_customer;
use crate::enums::{channel, direction};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_mut, arg_ref, crm_str, optional_slice, out, slice};
use crm_core::{
    Channel, Customer, CustomerBaseBuilder, Direction, Error, InteractionColumns, Key, KeyColumn, TransactionColumns,
};
use std::sync::Arc;

/// Collects a customer table, transactions and interactions, then builds a base.
///
/// Batches added in several calls are appended. With a customer table (any
/// `crm_base_builder_add_customer*` call), every transaction and interaction must name one
/// of its customers; without one, the customers are the ids the transactions and
/// interactions use. Every add copies its input (but `crm_base_builder_keep_transactions_int`,
/// which keeps the caller's arrays): the caller's arrays can be freed after the call. A failed
/// add adds nothing.
///
/// Ownership: made by `crm_base_builder_new`, freed by `crm_base_builder_free` (also after
/// `crm_base_builder_build`). Thread safety: use from one thread at a time.
#[derive(Debug, Default)]
pub struct crm_base_builder {
    inner: CustomerBaseBuilder,
}

impl crm_base_builder {
    pub(crate) fn add_transactions(&mut self, columns: TransactionColumns) -> Result<(), Failure> {
        Ok(self.inner.add_transactions(columns)?)
    }

    pub(crate) fn add_shared_transactions(
        &mut self,
        columns: crm_core::shared::SharedTransactions,
    ) -> Result<(), Failure> {
        Ok(self.inner.add_shared_transactions(columns)?)
    }

    pub(crate) fn add_interactions(&mut self, columns: InteractionColumns) -> Result<(), Failure> {
        Ok(self.inner.add_interactions(columns)?)
    }

    pub(crate) fn add_customers(&mut self, customers: Vec<Customer>) {
        self.inner.add_customers(customers);
    }

    /// The core builder, for the CSV loaders (which record the files' lines in it).
    pub(crate) fn inner_mut(&mut self) -> &mut CustomerBaseBuilder {
        &mut self.inner
    }
}

/// Runs `f` on the builder behind `builder`.
pub(crate) fn with_builder(
    builder: *mut crm_base_builder,
    f: impl FnOnce(&mut crm_base_builder) -> Result<(), Failure>,
) -> Result<(), Failure> {
    // SAFETY: `builder` is NULL or a live handle used by this thread only (header contract).
    f(unsafe { arg_mut(builder, "builder") }?)
}

/// A new, empty builder in `*out_builder`. Free it with `crm_base_builder_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_new(out_builder: *mut *mut crm_base_builder) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_builder` is NULL or writable (header contract).
        let slot = unsafe { out(out_builder, "out_builder") }?;
        slot.write(Box::into_raw(Box::default()));
        Ok(())
    }
}

/// Frees a builder and what it collected. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_free(builder: *mut crm_base_builder) {
    ffi_boundary! {
        if !builder.is_null() {
            // SAFETY: made by `crm_base_builder_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(builder) });
        }
    }
}

/// Transaction columns from C arrays, ids already converted.
#[allow(clippy::too_many_arguments)]
pub(crate) fn transactions(
    customer: impl FnOnce() -> KeyColumn + Send,
    times: *const i64,
    times_len: usize,
    time_unit: u8,
    amounts: *const f64,
    amounts_len: usize,
    margins: *const f64,
    margins_len: usize,
) -> Result<TransactionColumns, Failure> {
    // SAFETY: each array holds its length of values (header contract).
    let (times, amounts, margins) = unsafe {
        (
            slice(times, times_len, "times")?,
            slice(amounts, amounts_len, "amounts")?,
            optional_slice(margins, margins_len, "margins")?,
        )
    };
    // Large batches: ids and times on another thread while this one copies amounts and
    // margins.
    let ((customer, times), (amounts, margins)) = side_by_side(
        times.len(),
        || (customer(), seconds(times, time_unit, "timestamp")),
        || (amounts.to_vec(), margins.map(<[f64]>::to_vec)),
    );
    let mut columns = TransactionColumns::new(customer, times?, amounts);
    columns.margin = margins;
    Ok(columns)
}

/// The lengths of a batch of transaction arrays must agree (margins only when given).
pub(crate) fn check_transaction_lengths(
    customers: usize,
    times: usize,
    amounts: usize,
    margins: *const f64,
    margins_len: usize,
) -> Result<usize, Failure> {
    let mut lengths = vec![("customer", customers), ("timestamp", times), ("amount", amounts)];
    if !margins.is_null() || margins_len > 0 {
        lengths.push(("margin", margins_len));
    }
    check_lengths(&lengths)
}

/// Runs `a` and `b` side by side on the engine's threads when `rows` is large enough to
/// pay for it; both results.
fn side_by_side<A: Send, B: Send>(rows: usize, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if rows < 1 << 16 {
        return (a(), b());
    }
    crm_core::join(a, b)
}

/// Adds transactions with integer customer ids: row `i` is customer `customer_ids[i]` at
/// `times[i]` (Unix seconds or days since 1970-01-01, per `time_unit`, a `crm_time_unit`)
/// for `amounts[i]` (negative for a refund), with margin `margins[i]` when `margins` is not
/// NULL (give margins in every batch or in none).
///
/// Every array has its own length; they must be equal (`CRM_RESULT_LENGTH_MISMATCH`) and
/// not 0 (`CRM_RESULT_EMPTY_INPUT`). A NaN or infinite amount or margin is
/// `CRM_RESULT_INVALID_VALUE`, the detail naming its row (0-based) and column.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_transactions_int(
    builder: *mut crm_base_builder,
    customer_ids: *const i64,
    customer_ids_len: usize,
    times: *const i64,
    times_len: usize,
    time_unit: u8,
    amounts: *const f64,
    amounts_len: usize,
    margins: *const f64,
    margins_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        check_transaction_lengths(customer_ids_len, times_len, amounts_len, margins, margins_len)?;
        // SAFETY: `customer_ids` holds `customer_ids_len` values (header contract).
        let ids = unsafe { slice(customer_ids, customer_ids_len, "customer_ids") }?;
        let columns =
            transactions(|| KeyColumn::Int(ids.to_vec()), times, times_len, time_unit, amounts, amounts_len, margins, margins_len)?;
        with_builder(builder, |b| b.add_transactions(columns))
    }
}

/// Adds transactions with string customer ids (`crm_str`s: UTF-8, not empty); otherwise as
/// `crm_base_builder_add_transactions_int`. Invalid UTF-8 is `CRM_RESULT_INVALID_UTF8`
/// naming the row.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_transactions_str(
    builder: *mut crm_base_builder,
    customer_ids: *const crm_str,
    customer_ids_len: usize,
    times: *const i64,
    times_len: usize,
    time_unit: u8,
    amounts: *const f64,
    amounts_len: usize,
    margins: *const f64,
    margins_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        check_transaction_lengths(customer_ids_len, times_len, amounts_len, margins, margins_len)?;
        // SAFETY: `customer_ids` holds `customer_ids_len` strings, each valid (header contract).
        let ids = unsafe { str_ids(slice(customer_ids, customer_ids_len, "customer_ids")?, "customer")? };
        let columns = transactions(|| ids, times, times_len, time_unit, amounts, amounts_len, margins, margins_len)?;
        with_builder(builder, |b| b.add_transactions(columns))
    }
}

/// Adds customers with just an integer id to the customer table (e.g. prospects).
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_customers_int(
    builder: *mut crm_base_builder,
    ids: *const i64,
    ids_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        check_lengths(&[("ids", ids_len)])?;
        // SAFETY: `ids` holds `ids_len` values (header contract).
        let ids = unsafe { slice(ids, ids_len, "ids") }?;
        with_builder(builder, |b| {
            b.add_customers(ids.iter().map(|&id| Customer::new(id)).collect());
            Ok(())
        })
    }
}

/// Adds customers with just a string id (`crm_str`s: UTF-8, not empty) to the customer table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_customers_str(
    builder: *mut crm_base_builder,
    ids: *const crm_str,
    ids_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        check_lengths(&[("ids", ids_len)])?;
        // SAFETY: `ids` holds `ids_len` strings, each valid (header contract).
        let ids = unsafe { str_ids(slice(ids, ids_len, "ids")?, "id")? };
        let KeyColumn::Str(ids) = ids else { unreachable!("string ids") };
        with_builder(builder, |b| {
            b.add_customers(ids.iter().map(|id| Customer::new(Key::Str(id.to_owned()))).collect());
            Ok(())
        })
    }
}

/// Adds a copy of a customer (with its fields, permissions and attributes) to the customer
/// table. The caller still owns and frees `customer`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_customer(
    builder: *mut crm_base_builder,
    customer: *const crm_customer,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `customer` is NULL or a live handle (header contract).
        let customer = unsafe { arg_ref(customer, "customer") }?.inner.clone();
        with_builder(builder, |b| {
            b.add_customers(vec![customer]);
            Ok(())
        })
    }
}

/// Interaction columns for `crm_base_builder_add_interactions`. Every array has its own
/// length; all must equal `customer_ids_len`. Start from `crm_interaction_columns_default()`
/// (all NULL / 0) and set the columns you have. The struct and arrays are borrowed for the
/// call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_interaction_columns {
    /// Integer customer ids; set this or `customer_ids_str`, not both.
    pub customer_ids_int: *const i64,
    /// String customer ids (UTF-8, not empty).
    pub customer_ids_str: *const crm_str,
    /// Number of customer ids (rows).
    pub customer_ids_len: usize,
    /// Unix seconds per row.
    pub timestamps: *const i64,
    /// Length of `timestamps`.
    pub timestamps_len: usize,
    /// `crm_channel` code per row.
    pub channels: *const u8,
    /// Length of `channels`.
    pub channels_len: usize,
    /// `crm_direction` code per row.
    pub directions: *const u8,
    /// Length of `directions`.
    pub directions_len: usize,
    /// Kind per row (e.g. "complaint", "campaign").
    pub kinds: *const crm_str,
    /// Length of `kinds`.
    pub kinds_len: usize,
    /// Optional outcome per row (e.g. "yes"; empty for none); NULL for no outcome column.
    pub outcomes: *const crm_str,
    /// Length of `outcomes` (0 when NULL).
    pub outcomes_len: usize,
    /// Optional cost to serve per row (finite); NULL for no cost column (costs 0).
    pub costs: *const f64,
    /// Length of `costs` (0 when NULL).
    pub costs_len: usize,
}

const NO_INTERACTIONS: crm_interaction_columns = crm_interaction_columns {
    customer_ids_int: std::ptr::null(),
    customer_ids_str: std::ptr::null(),
    customer_ids_len: 0,
    timestamps: std::ptr::null(),
    timestamps_len: 0,
    channels: std::ptr::null(),
    channels_len: 0,
    directions: std::ptr::null(),
    directions_len: 0,
    kinds: std::ptr::null(),
    kinds_len: 0,
    outcomes: std::ptr::null(),
    outcomes_len: 0,
    costs: std::ptr::null(),
    costs_len: 0,
};

/// Interaction columns with every array NULL and every length 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_interaction_columns_default() -> crm_interaction_columns {
    ffi_boundary! { NO_INTERACTIONS }
}

impl crate::panic::PanicDefault for crm_interaction_columns {
    fn panicked() -> Self {
        NO_INTERACTIONS
    }
}

/// Checks the codes of a column of enumeration values, naming the bad row.
fn codes<T>(values: &[u8], column: &str, parse: impl Fn(u8) -> Result<T, Failure>) -> Result<Vec<T>, Failure> {
    values
        .iter()
        .enumerate()
        .map(|(row, &code)| {
            parse(code)
                .map_err(|f| Failure::from(Error::InvalidValue { row, column: column.to_owned(), message: f.detail }))
        })
        .collect()
}

/// Interaction columns from their C description.
///
/// # Safety
/// Every non-NULL array of `c` holds its length of values.
unsafe fn interaction_columns(c: &crm_interaction_columns) -> Result<InteractionColumns, Failure> {
    let mut lengths = vec![
        ("customer", c.customer_ids_len),
        ("timestamp", c.timestamps_len),
        ("channel", c.channels_len),
        ("direction", c.directions_len),
        ("kind", c.kinds_len),
    ];
    if !c.outcomes.is_null() || c.outcomes_len > 0 {
        lengths.push(("outcome", c.outcomes_len));
    }
    if !c.costs.is_null() || c.costs_len > 0 {
        lengths.push(("cost", c.costs_len));
    }
    let n = check_lengths(&lengths)?;
    // SAFETY: per the contract.
    unsafe {
        let customer = match (c.customer_ids_int.is_null(), c.customer_ids_str.is_null()) {
            (false, false) => {
                return Err(Failure::new(
                    crm_result::InvalidArgument,
                    "set `customer_ids_int` or `customer_ids_str`, not both",
                ));
            }
            (true, true) => return Err(Failure::null("customer_ids_int")),
            (false, true) => KeyColumn::Int(slice(c.customer_ids_int, n, "customer_ids_int")?.to_vec()),
            (true, false) => str_ids(slice(c.customer_ids_str, n, "customer_ids_str")?, "customer")?,
        };
        let channel: Vec<Channel> = codes(slice(c.channels, n, "channels")?, "channel", channel)?;
        let direction: Vec<Direction> = codes(slice(c.directions, n, "directions")?, "direction", direction)?;
        Ok(InteractionColumns {
            customer,
            timestamp: slice(c.timestamps, n, "timestamps")?.to_vec(),
            channel,
            direction,
            kind: str_column(slice(c.kinds, n, "kinds")?, "kind")?,
            outcome: match optional_slice(c.outcomes, c.outcomes_len, "outcomes")? {
                Some(o) => Some(str_column(o, "outcome")?),
                None => None,
            },
            cost: optional_slice(c.costs, c.costs_len, "costs")?.map(<[f64]>::to_vec),
        })
    }
}

/// Adds interactions (contacts over any channel). See `crm_interaction_columns`. Unknown
/// channel or direction codes and non-finite costs are `CRM_RESULT_INVALID_VALUE` naming
/// the row.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_interactions(
    builder: *mut crm_base_builder,
    columns: *const crm_interaction_columns,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `columns` is NULL or a valid description of arrays (header contract).
        let columns = unsafe { interaction_columns(arg_ref(columns, "columns")?)? };
        with_builder(builder, |b| b.add_interactions(columns))
    }
}

/// Builds a base from everything added: ids interned in ascending order (customer index 0
/// is the smallest id), transactions and interactions grouped by customer. On success
/// `*out_base` receives the base (free it with `crm_base_free`).
///
/// On success the builder is left empty (ready for another base). On failure it keeps
/// everything added, unchanged: add what was missing (e.g. the unknown customers) and build
/// again, or free it. Either way it must still be freed. Errors: `CRM_RESULT_DUPLICATE_CUSTOMER`,
/// `CRM_RESULT_UNKNOWN_CUSTOMER` (a transaction or interaction names a customer not in the
/// customer table; the detail names row and id), `CRM_RESULT_ID_KIND_MISMATCH`,
/// `CRM_RESULT_INVALID_VALUE` (a customer without id).
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_build(builder: *mut crm_base_builder, out_base: *mut *mut crm_base) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_base` is NULL or writable (header contract).
        let slot = unsafe { out(out_base, "out_base") }?;
        let mut built = None;
        with_builder(builder, |b| match std::mem::take(&mut b.inner).try_build() {
            Ok(base) => {
                built = Some(base);
                Ok(())
            }
            Err(refused) => {
                // The caller's data stays in the builder: fix it and build again, or free.
                b.inner = *refused.builder;
                Err(refused.error.into())
            }
        })?;
        let base = built.expect("built on success");
        slot.write(Box::into_raw(Box::new(crm_base { inner: Arc::new(base) })));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::crm_time_unit;
    use crate::results::summary::{crm_summary_free, crm_summary_new, crm_summary_row, crm_summary_row_at};
    use std::ptr::{null, null_mut};

    #[test]
    fn a_base_through_the_c_functions() {
        let mut b = null_mut();
        assert_eq!(crm_base_builder_new(&mut b), crm_result::Ok);
        let ids = [7_i64, 7, 7];
        let day = 86_400;
        let times = [19_358 * day, 19_723 * day, 19_875 * day]; // 2023-01-01, 2024-01-01, 2024-06-01
        let amounts = [100.0, 50.0, -20.0];
        let rc = crm_base_builder_add_transactions_int(
            b,
            ids.as_ptr(),
            3,
            times.as_ptr(),
            3,
            crm_time_unit::Seconds as u8,
            amounts.as_ptr(),
            3,
            null(),
            0,
        );
        assert_eq!(rc, crm_result::Ok);
        let mut base = null_mut();
        assert_eq!(crm_base_builder_build(b, &mut base), crm_result::Ok);
        crm_base_builder_free(b);
        let mut s = null_mut();
        assert_eq!(crm_summary_new(base, 20_088, null(), &mut s), crm_result::Ok); // 2024-12-31
        crate::base::crm_base_free(base);
        let mut row = std::mem::MaybeUninit::<crm_summary_row>::uninit();
        assert_eq!(crm_summary_row_at(s, 0, row.as_mut_ptr()), crm_result::Ok);
        let row = unsafe { row.assume_init() };
        assert_eq!((row.purchases, row.revenue, row.recency_days), (2, 130.0, 365));
        assert!(row.margin.is_nan());
        crm_summary_free(s);
    }

    #[test]
    fn bad_input_gives_codes_not_crashes() {
        let mut b = null_mut();
        assert_eq!(crm_base_builder_new(&mut b), crm_result::Ok);
        let ids = [1_i64, 2];
        let amounts = [1.0, f64::NAN];
        let times = [0_i64, 0];
        let add = |ids_len, times_len, unit| {
            crm_base_builder_add_transactions_int(
                b,
                ids.as_ptr(),
                ids_len,
                times.as_ptr(),
                times_len,
                unit,
                amounts.as_ptr(),
                2,
                null(),
                0,
            )
        };
        assert_eq!(add(2, 1, 0), crm_result::LengthMismatch);
        assert_eq!(add(2, 2, 9), crm_result::InvalidArgument);
        assert_eq!(add(2, 2, 0), crm_result::InvalidValue);
        let detail = unsafe { std::ffi::CStr::from_ptr(crate::error::crm_last_error_detail()) };
        assert_eq!(detail.to_str().unwrap(), "row 1, column `amount`: NaN is not a finite number");
        assert_eq!(crm_base_builder_add_interactions(b, null()), crm_result::NullParameter);
        crm_base_builder_free(b);
    }
}
