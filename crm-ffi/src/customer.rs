//! `crm_customer`: one customer of the customer table, filled field by field and then added
//! to a builder with `crm_base_builder_add_customer` (which copies it).

use crate::date::{CRM_NO_DATE, date_of};
use crate::enums::{channel, crm_customer_field, customer_field};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_mut, out, utf8};
use crm_core::{AttributeValue, Customer, Key, Permission};
use std::ffi::c_char;

/// One customer: id, contact details, acquisition, marketing permissions and free
/// attributes. Only the id is required (a customer without one is refused when the base is
/// built).
///
/// Ownership: made by `crm_customer_new`, freed by `crm_customer_free`; adding it to a
/// builder copies it, so it can be changed and added again. Thread safety: use from one
/// thread at a time.
#[derive(Debug, Default)]
pub struct crm_customer {
    pub(crate) inner: Customer,
}

/// Text of a customer field.
pub(crate) fn text_field(c: &Customer, field: crm_customer_field) -> Option<&str> {
    use crm_customer_field::*;
    match field {
        Name => c.name.as_deref(),
        Email => c.email.as_deref(),
        Phone => c.phone.as_deref(),
        Address => c.address.as_deref(),
        Industry => c.industry.as_deref(),
        Category => c.category.as_deref(),
        AcquisitionChannel => c.acquisition_channel.as_deref(),
    }
}

fn text_field_mut(c: &mut Customer, field: crm_customer_field) -> &mut Option<String> {
    use crm_customer_field::*;
    match field {
        Name => &mut c.name,
        Email => &mut c.email,
        Phone => &mut c.phone,
        Address => &mut c.address,
        Industry => &mut c.industry,
        Category => &mut c.category,
        AcquisitionChannel => &mut c.acquisition_channel,
    }
}

/// Runs `f` on the customer behind `customer`.
fn with_customer(
    customer: *mut crm_customer,
    f: impl FnOnce(&mut Customer) -> Result<(), Failure>,
) -> Result<(), Failure> {
    // SAFETY: `customer` is NULL or a live handle (header contract).
    let c = unsafe { arg_mut(customer, "customer") }?;
    f(&mut c.inner)
}

fn finite(value: f64, field: &str) -> Result<f64, Failure> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Failure::new(crm_result::InvalidValue, format!("field `{field}`: {value} is not a finite number")))
    }
}

/// A new, empty customer in `*out_customer`. Free it with `crm_customer_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_new(out_customer: *mut *mut crm_customer) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        slot.write(Box::into_raw(Box::default()));
        Ok(())
    }
}

/// Frees a customer. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_free(customer: *mut crm_customer) {
    ffi_boundary! {
        if !customer.is_null() {
            // SAFETY: made by `crm_customer_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(customer) });
        }
    }
}

/// Sets an integer id (replacing any id).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_id_int(customer: *mut crm_customer, id: i64) -> crm_result {
    ffi_boundary! { fallible: with_customer(customer, |c| { c.id = Some(Key::Int(id)); Ok(()) }) }
}

/// Sets a string id of `id_len` UTF-8 bytes (replacing any id); an empty id is
/// `CRM_RESULT_EMPTY_INPUT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_id_str(customer: *mut crm_customer, id: *const c_char, id_len: usize) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `id` holds `id_len` bytes (header contract).
        let id = unsafe { utf8(id, id_len, "id") }?;
        if id.is_empty() {
            return Err(Failure::new(crm_result::EmptyInput, "argument `id` is empty"));
        }
        with_customer(customer, |c| { c.id = Some(Key::Str(id.to_owned())); Ok(()) })
    }
}

/// Sets a text field (a `crm_customer_field`); an empty value (`value_len` 0) clears it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_text(
    customer: *mut crm_customer,
    field: u8,
    value: *const c_char,
    value_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let field = customer_field(field)?;
        // SAFETY: `value` holds `value_len` bytes (header contract).
        let value = unsafe { utf8(value, value_len, "value") }?;
        with_customer(customer, |c| {
            *text_field_mut(c, field) = (!value.is_empty()).then(|| value.to_owned());
            Ok(())
        })
    }
}

/// Sets the acquisition date (days since 1970-01-01); `CRM_NO_DATE` clears it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_acquisition_date(customer: *mut crm_customer, day: i32) -> crm_result {
    ffi_boundary! { fallible:
        let date = if day == CRM_NO_DATE { None } else { Some(date_of(day, "day")?) };
        with_customer(customer, |c| { c.acquisition_date = date; Ok(()) })
    }
}

/// Sets what acquiring the customer cost; NaN clears it, an infinity is
/// `CRM_RESULT_INVALID_VALUE`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_acquisition_cost(customer: *mut crm_customer, cost: f64) -> crm_result {
    ffi_boundary! { fallible:
        let cost = if cost.is_nan() { None } else { Some(finite(cost, "acquisition_cost")?) };
        with_customer(customer, |c| { c.acquisition_cost = cost; Ok(()) })
    }
}

/// Appends a marketing permission for a channel (a `crm_channel`): granted or withdrawn, on
/// a day (`CRM_NO_DATE` when unknown). The latest entry per channel decides.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_add_permission(
    customer: *mut crm_customer,
    channel_code: u8,
    granted: bool,
    day: i32,
) -> crm_result {
    ffi_boundary! { fallible:
        let channel = channel(channel_code)?;
        let date = if day == CRM_NO_DATE { None } else { Some(date_of(day, "day")?) };
        with_customer(customer, |c| {
            c.permissions.push(Permission { channel, granted, date });
            Ok(())
        })
    }
}

/// Sets a free attribute `key` (UTF-8, `key_len` bytes, not empty) to a value.
fn set_attribute(
    customer: *mut crm_customer,
    key: *const c_char,
    key_len: usize,
    value: AttributeValue,
) -> Result<(), Failure> {
    // SAFETY: `key` holds `key_len` bytes (header contract).
    let key = unsafe { utf8(key, key_len, "key") }?;
    if key.is_empty() {
        return Err(Failure::new(crm_result::EmptyInput, "argument `key` is empty"));
    }
    with_customer(customer, |c| {
        c.attributes.insert(key.to_owned(), value);
        Ok(())
    })
}

/// Sets a text attribute (replacing any value of that key).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_attribute_text(
    customer: *mut crm_customer,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `value` holds `value_len` bytes (header contract).
        let value = unsafe { utf8(value, value_len, "value") }?;
        set_attribute(customer, key, key_len, AttributeValue::Text(value.to_owned()))
    }
}

/// Sets a number attribute; NaN or an infinity is `CRM_RESULT_INVALID_VALUE`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_attribute_number(
    customer: *mut crm_customer,
    key: *const c_char,
    key_len: usize,
    value: f64,
) -> crm_result {
    ffi_boundary! { fallible:
        let value = finite(value, "value")?;
        set_attribute(customer, key, key_len, AttributeValue::Number(value))
    }
}

/// Sets a flag attribute.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_attribute_bool(
    customer: *mut crm_customer,
    key: *const c_char,
    key_len: usize,
    value: bool,
) -> crm_result {
    ffi_boundary! { fallible: set_attribute(customer, key, key_len, AttributeValue::Bool(value)) }
}

/// Sets a date attribute (days since 1970-01-01).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_set_attribute_date(
    customer: *mut crm_customer,
    key: *const c_char,
    key_len: usize,
    day: i32,
) -> crm_result {
    ffi_boundary! { fallible:
        let date = date_of(day, "day")?;
        set_attribute(customer, key, key_len, AttributeValue::Date(date))
    }
}
