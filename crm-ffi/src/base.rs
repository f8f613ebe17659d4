//! `crm_base`: a built customer base. Customers are numbered 0..count-1 in ascending id
//! order; every per-customer result uses these indices.

use crate::customer::text_field;
use crate::date::{CRM_NO_DATE, day_of};
use crate::enums::{channel, crm_attribute_kind, crm_id_kind, customer_field};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, fill, index, optional_out, out, out_slice, put, utf8};
use crm_core::{AttributeValue, Customer, CustomerBase, Key, KeyColumn};
use std::ffi::c_char;
use std::sync::Arc;

/// A customer base: customers (with their profiles when a customer table was given),
/// transactions and interactions, grouped by customer.
///
/// Ownership: made by `crm_base_builder_build`, freed by `crm_base_free`. Result handles
/// made from a base keep what they need, so the base may be freed before them. Thread
/// safety: immutable; any number of threads may use one base at once.
#[derive(Debug)]
pub struct crm_base {
    pub(crate) inner: Arc<CustomerBase>,
}

/// A free attribute of a customer, as read by `crm_base_customer_attribute`. Only the field
/// named by `kind` is meaningful. `text` points into the base (valid while the base lives),
/// is not NUL-terminated, and must not be freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_attribute {
    /// `CRM_ATTRIBUTE_KIND_NONE` when the customer has no such attribute.
    pub kind: crm_attribute_kind,
    /// The flag of a `BOOL` attribute.
    pub flag: bool,
    /// The value of a `NUMBER` attribute.
    pub number: f64,
    /// The day of a `DATE` attribute (days since 1970-01-01).
    pub date: i32,
    /// The bytes of a `TEXT` attribute.
    pub text: *const c_char,
    /// Length of `text` in bytes.
    pub text_len: usize,
}

/// The base behind a handle (shared borrow).
pub(crate) fn base_ref<'a>(base: *const crm_base) -> Result<&'a crm_base, Failure> {
    // SAFETY: `base` is NULL or a live handle (header contract).
    unsafe { arg_ref(base, "base") }
}

/// The profile of customer `i`, checking the index and that the base has a customer table.
fn profile(base: &CustomerBase, i: usize) -> Result<&Customer, Failure> {
    let i = index(i, base.len(), "base's customer count")?;
    base.profile(i as u32).ok_or_else(|| {
        Failure::from(crm_core::Error::MissingData("the base has no customer table (no customers were added)".into()))
    })
}

/// Frees a base. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_free(base: *mut crm_base) {
    ffi_boundary! {
        if !base.is_null() {
            // SAFETY: made by `crm_base_builder_build` and not freed before (header contract).
            drop(unsafe { Box::from_raw(base) });
        }
    }
}

/// Number of customers; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_count(base: *const crm_base) -> usize {
    // SAFETY: `base` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_opt(base) }.map_or(0, |b| b.inner.len()) }
}

/// Number of transactions; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_transaction_count(base: *const crm_base) -> usize {
    // SAFETY: `base` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_opt(base) }.map_or(0, |b| b.inner.transaction_count()) }
}

/// Number of interactions; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_interaction_count(base: *const crm_base) -> usize {
    // SAFETY: `base` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_opt(base) }.map_or(0, |b| b.inner.interactions().len()) }
}

/// True when the base has a customer table (customers were added explicitly); false for
/// NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_has_customer_table(base: *const crm_base) -> bool {
    // SAFETY: `base` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_opt(base) }.is_some_and(|b| b.inner.profiles().is_some()) }
}

/// True when the base has margins (so segments can rank by margin or profit); false for
/// NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_has_margin(base: *const crm_base) -> bool {
    // SAFETY: `base` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_opt(base) }.is_some_and(|b| b.inner.has_margin()) }
}

/// The kind of the base's customer ids: `CRM_ID_KIND_INT` or `CRM_ID_KIND_STR` (a
/// `crm_id_kind`). An empty base reports `CRM_ID_KIND_INT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_id_kind(base: *const crm_base, out_kind: *mut crm_id_kind) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_kind` is NULL or writable (header contract).
        let slot = unsafe { out(out_kind, "out_kind") }?;
        slot.write(match base.inner.ids() {
            KeyColumn::Int(_) => crm_id_kind::Int,
            KeyColumn::Str(_) => crm_id_kind::Str,
        });
        Ok(())
    }
}

fn kind_mismatch(expected: &str, found: &str, instead: &str) -> Failure {
    Failure::new(crm_result::IdKindMismatch, format!("the base uses {found} ids, not {expected} ids; use {instead}"))
}

/// The integer id of customer `index`. `CRM_RESULT_ID_KIND_MISMATCH` for a base with string
/// ids, `CRM_RESULT_OUT_OF_RANGE` for an index not below the customer count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_id_int(base: *const crm_base, index: usize, out_id: *mut i64) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_id` is NULL or writable (header contract).
        let slot = unsafe { out(out_id, "out_id") }?;
        let i = crate::ptr::index(index, base.inner.len(), "base's customer count")?;
        match base.inner.ids() {
            KeyColumn::Int(v) => slot.write(v[i]),
            KeyColumn::Str(_) => return Err(kind_mismatch("integer", "string", "crm_base_customer_id_str")),
        }
        Ok(())
    }
}

/// The string id of customer `index` as `*out_data` (UTF-8, not NUL-terminated) and
/// `*out_len` bytes. The bytes belong to the base: valid while the base lives; do not free.
/// `CRM_RESULT_ID_KIND_MISMATCH` for a base with integer ids.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_id_str(
    base: *const crm_base,
    index: usize,
    out_data: *mut *const c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        let (data_slot, len_slot) = unsafe { (out(out_data, "out_data")?, out(out_len, "out_len")?) };
        let i = crate::ptr::index(index, base.inner.len(), "base's customer count")?;
        match base.inner.ids() {
            KeyColumn::Str(v) => {
                let s = v.get(i);
                data_slot.write(s.as_ptr().cast());
                len_slot.write(s.len());
            }
            KeyColumn::Int(_) => return Err(kind_mismatch("string", "integer", "crm_base_customer_id_int")),
        }
        Ok(())
    }
}

/// Copies every integer customer id, in index order, into `out_ids`; `len` must equal the
/// customer count (`CRM_RESULT_LENGTH_MISMATCH`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_copy_customer_ids(base: *const crm_base, out_ids: *mut i64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        let KeyColumn::Int(ids) = base.inner.ids() else {
            return Err(kind_mismatch("integer", "string", "crm_base_customer_id_str"));
        };
        // SAFETY: `out_ids` has room for `len` values (header contract).
        let target = unsafe { out_slice(out_ids, len, ids.len(), "out_ids") }?;
        fill(target, ids.iter().copied());
        Ok(())
    }
}

fn lookup(base: &crm_base, key: Key, out_index: *mut usize) -> Result<(), Failure> {
    // SAFETY: `out_index` is NULL or writable (header contract).
    let slot = unsafe { out(out_index, "out_index") }?;
    let i = base.inner.index_of(&key).ok_or_else(|| {
        Failure::new(crm_result::UnknownCustomer, format!("unknown customer `{key}` (not in the base)"))
    })?;
    slot.write(i as usize);
    Ok(())
}

/// The index of the customer with integer id `id`. `CRM_RESULT_UNKNOWN_CUSTOMER` when the
/// base has no such customer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_index_of_int(base: *const crm_base, id: i64, out_index: *mut usize) -> crm_result {
    ffi_boundary! { fallible: lookup(base_ref(base)?, Key::Int(id), out_index) }
}

/// The index of the customer with string id `id` (`id_len` bytes of UTF-8).
/// `CRM_RESULT_UNKNOWN_CUSTOMER` when the base has no such customer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_index_of_str(
    base: *const crm_base,
    id: *const c_char,
    id_len: usize,
    out_index: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `id` holds `id_len` bytes (header contract).
        let id = unsafe { utf8(id, id_len, "id") }?;
        lookup(base, Key::Str(id.to_owned()), out_index)
    }
}

/// The number of transactions and interactions of customer `index` (each out-parameter may
/// be NULL when not wanted).
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_activity(
    base: *const crm_base,
    index: usize,
    out_transactions: *mut usize,
    out_interactions: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = &base_ref(base)?.inner;
        let i = crate::ptr::index(index, base.len(), "base's customer count")? as u32;
        // SAFETY: each out-pointer is NULL or writable (header contract).
        let (transactions, interactions) = unsafe {
            (optional_out(out_transactions, "out_transactions")?, optional_out(out_interactions, "out_interactions")?)
        };
        put(transactions, base.transactions().of(i).len());
        put(interactions, base.interactions().of(i).time.len());
        Ok(())
    }
}

/// A text field (a `crm_customer_field`) of customer `index` from the customer table, as
/// `*out_data` (UTF-8, not NUL-terminated, owned by the base) and `*out_len`; NULL and 0
/// when the customer has no value. `CRM_RESULT_MISSING_DATA` when the base has no customer
/// table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_text(
    base: *const crm_base,
    index: usize,
    field: u8,
    out_data: *mut *const c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        let (data_slot, len_slot) = unsafe { (out(out_data, "out_data")?, out(out_len, "out_len")?) };
        let field = customer_field(field)?;
        let text = text_field(profile(&base.inner, index)?, field);
        data_slot.write(text.map_or(std::ptr::null(), |t| t.as_ptr().cast()));
        len_slot.write(text.map_or(0, str::len));
        Ok(())
    }
}

/// The acquisition date (`CRM_NO_DATE` when unknown) and cost (NaN when unknown) of
/// customer `index`; each out-parameter may be NULL when not wanted.
/// `CRM_RESULT_MISSING_DATA` without a customer table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_acquisition(
    base: *const crm_base,
    index: usize,
    out_day: *mut i32,
    out_cost: *mut f64,
) -> crm_result {
    ffi_boundary! { fallible:
        let c = profile(&base_ref(base)?.inner, index)?;
        // SAFETY: each out-pointer is NULL or writable (header contract).
        let (day, cost) = unsafe { (optional_out(out_day, "out_day")?, optional_out(out_cost, "out_cost")?) };
        put(day, c.acquisition_date.map_or(CRM_NO_DATE, day_of));
        put(cost, c.acquisition_cost.unwrap_or(f64::NAN));
        Ok(())
    }
}

/// Whether customer `index` may be contacted on a channel (a `crm_channel`): the latest
/// permission entry for the channel decides; none means no. `CRM_RESULT_MISSING_DATA`
/// without a customer table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_permits(
    base: *const crm_base,
    index: usize,
    channel_code: u8,
    out_permits: *mut bool,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_permits` is NULL or writable (header contract).
        let slot = unsafe { out(out_permits, "out_permits") }?;
        let channel = channel(channel_code)?;
        slot.write(profile(&base.inner, index)?.permits(channel));
        Ok(())
    }
}

/// The free attribute `key` (`key_len` bytes of UTF-8) of customer `index`; `kind` is
/// `CRM_ATTRIBUTE_KIND_NONE` when the customer has none. `CRM_RESULT_MISSING_DATA` without
/// a customer table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_customer_attribute(
    base: *const crm_base,
    index: usize,
    key: *const c_char,
    key_len: usize,
    out_attribute: *mut crm_attribute,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `key` holds `key_len` bytes; `out_attribute` is NULL or writable (header contract).
        let (key, slot) = unsafe { (utf8(key, key_len, "key")?, out(out_attribute, "out_attribute")?) };
        let mut a = crm_attribute {
            kind: crm_attribute_kind::None,
            flag: false,
            number: f64::NAN,
            date: CRM_NO_DATE,
            text: std::ptr::null(),
            text_len: 0,
        };
        match profile(&base.inner, index)?.attributes.get(key) {
            None => {}
            Some(AttributeValue::Bool(b)) => (a.kind, a.flag) = (crm_attribute_kind::Bool, *b),
            Some(AttributeValue::Number(x)) => (a.kind, a.number) = (crm_attribute_kind::Number, *x),
            Some(AttributeValue::Date(d)) => (a.kind, a.date) = (crm_attribute_kind::Date, day_of(*d)),
            Some(AttributeValue::Text(t)) => {
                (a.kind, a.text, a.text_len) = (crm_attribute_kind::Text, t.as_ptr().cast(), t.len());
            }
        }
        slot.write(a);
        Ok(())
    }
}
