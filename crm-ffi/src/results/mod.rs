//! Result handles of the analyses, and what they share: JSON export, bulk copy-out and the
//! C string type `crm_string_free` frees.

pub(crate) mod lifecycle;
pub(crate) mod segments;
pub(crate) mod summary;

use crate::error::{Failure, crm_result};
use crate::ptr::{Out, fill, optional_out, out, out_slice, put};
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
    let slots = unsafe { text_slots(out_json, out_len, "out_json") }?;
    let mut value = serde_json::to_value(result).map_err(json_failure)?;
    let ids = match base.ids() {
        KeyColumn::Int(v) => serde_json::to_value(v),
        KeyColumn::Str(v) => serde_json::to_value(v.iter().collect::<Vec<_>>()),
    }
    .map_err(json_failure)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("customer_ids".to_owned(), ids);
    }
    put_text(slots, serde_json::to_string(&value).map_err(json_failure)?)
}

/// Writes `result` as JSON (as serde gives it, nothing added) into a new NUL-terminated
/// string.
///
/// # Safety
/// `out_json` and `out_len` are NULL or writable.
pub(crate) unsafe fn write_plain_json(
    result: &impl Serialize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let slots = unsafe { text_slots(out_json, out_len, "out_json") }?;
    put_text(slots, serde_json::to_string(result).map_err(json_failure)?)
}

/// Writes text made by crm (JSON, Markdown) into a new NUL-terminated string; `name` is
/// the text out-parameter, for the detail.
///
/// # Safety
/// `out_text` and `out_len` are NULL or writable.
pub(crate) unsafe fn write_text(
    text: String,
    out_text: *mut *mut c_char,
    out_len: *mut usize,
    name: &str,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let slots = unsafe { text_slots(out_text, out_len, name) }?;
    put_text(slots, text)
}

type TextSlots = (Out<*mut c_char>, Option<Out<usize>>);

/// Checks the out-parameters of a text result before any work is done.
///
/// # Safety
/// Both are NULL or writable.
unsafe fn text_slots(out_text: *mut *mut c_char, out_len: *mut usize, name: &str) -> Result<TextSlots, Failure> {
    // SAFETY: per the contract.
    unsafe { Ok((out(out_text, name)?, optional_out(out_len, "out_len")?)) }
}

fn json_failure(e: serde_json::Error) -> Failure {
    Failure::new(crm_result::Internal, format!("JSON export failed: {e}"))
}

fn put_text((text_slot, len_slot): TextSlots, mut text: String) -> Result<(), Failure> {
    // JSON escapes control characters; a NUL byte can only come from a name given by the
    // caller (an id, a group), and is dropped rather than cut the text short.
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    let len = text.len();
    let text = CString::new(text).expect("NUL bytes removed");
    put(len_slot, len);
    text_slot.write(text.into_raw());
    Ok(())
}

/// A C copy of a name (NUL bytes removed).
pub(crate) fn c_name(s: &str) -> CString {
    CString::new(s.replace('\0', "")).expect("NUL bytes removed")
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

/// A missing double as NaN (the C face's convention).
pub(crate) fn or_nan(value: Option<f64>) -> f64 {
    value.unwrap_or(f64::NAN)
}
