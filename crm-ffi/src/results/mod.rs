//! Result handles of the analyses, and what they share: JSON export, bulk copy-out and the
//! C string type `crm_string_free` frees.

pub(crate) mod lifecycle;
pub(crate) mod segments;
pub(crate) mod summary;

use crate::error::{Failure, crm_result};
use crate::ptr::{fill, optional_out, out, out_slice, put};
use crm_core::{CustomerBase, KeyColumn};
use serde::Serialize;
use std::ffi::{CString, c_char};

/// Writes `result` as JSON, with the base's customer ids added as `customer_ids` (index
/// order), into a new NUL-terminated string.
///
/// # Safety
/// `out_json` and `out_len` are NULL or writable.
pub(crate) unsafe fn write_json(
    base: &CustomerBase,
    result: &impl Serialize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let (json_slot, len_slot) = unsafe { (out(out_json, "out_json")?, optional_out(out_len, "out_len")?) };
    let internal = |e: serde_json::Error| Failure::new(crm_result::OtherError, format!("JSON export failed: {e}"));
    let mut value = serde_json::to_value(result).map_err(internal)?;
    let ids = match base.ids() {
        KeyColumn::Int(v) => serde_json::to_value(v),
        KeyColumn::Str(v) => serde_json::to_value(v.iter().collect::<Vec<_>>()),
    }
    .map_err(internal)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("customer_ids".to_owned(), ids);
    }
    let text = serde_json::to_string(&value).map_err(internal)?;
    let len = text.len();
    // JSON escapes control characters, so the text has no NUL byte.
    let text =
        CString::new(text).map_err(|e| Failure::new(crm_result::OtherError, format!("JSON export failed: {e}")))?;
    put(len_slot, len);
    json_slot.write(text.into_raw());
    Ok(())
}

/// Copies one value per row into the caller's array of exactly `rows.len()` elements.
///
/// # Safety
/// `target` is NULL or has room for `len` values.
pub(crate) unsafe fn copy_rows<R, T>(
    rows: &[R],
    target: *mut T,
    len: usize,
    name: &str,
    value: impl Fn(&R) -> T,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let target = unsafe { out_slice(target, len, rows.len(), name) }?;
    fill(target, rows.iter().map(value));
    Ok(())
}

/// Frees a string made by crm (the `*_to_json` functions). NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_string_free(string: *mut c_char) {
    ffi_boundary! {
        if !string.is_null() {
            // SAFETY: made by `CString::into_raw` in this library and not freed before
            // (header contract).
            drop(unsafe { CString::from_raw(string) });
        }
    }
}
