//! Checked conversions of C pointers: handles, out-parameters, arrays and strings. Each
//! returns a `Failure` naming the argument instead of dereferencing NULL.
//!
//! Safety contract of every function here (stated to C callers in the header): a non-NULL
//! pointer points to what its type says, valid for the call, and arrays hold `len` elements.

use crate::error::{Failure, crm_result};
use std::ffi::c_char;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

/// A borrowed string: `len` bytes of UTF-8 at `data`, not NUL-terminated. `data` may be NULL
/// when `len` is 0. The library copies what it keeps; the caller owns the bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_str {
    /// The bytes.
    pub data: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

impl crm_str {
    /// A `crm_str` over static text.
    pub(crate) const fn from_static(s: &'static str) -> Self {
        crm_str { data: s.as_ptr().cast(), len: s.len() }
    }

    /// The empty string (NULL, 0).
    pub(crate) const fn empty() -> Self {
        crm_str { data: std::ptr::null(), len: 0 }
    }
}

/// A shared reference to a handle.
///
/// # Safety
/// `ptr` is NULL or points to a live `T`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: per the contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// An exclusive reference to a handle.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing else uses during the call.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: per the contract.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// An optional argument: `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to a live `T`.
pub(crate) unsafe fn arg_opt<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: per the contract.
    unsafe { ptr.as_ref() }
}

/// A checked out-parameter, written once on success.
#[derive(Debug)]
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Writes the value (without reading or dropping what was there).
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out` checked the pointer, and its caller vouched that it is writable.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Writes a value to an optional out-parameter (nothing when the caller passed NULL).
pub(crate) fn put<T>(slot: Option<Out<T>>, value: T) {
    if let Some(o) = slot {
        o.write(value);
    }
}

/// Checks an out-parameter.
///
/// # Safety
/// `ptr` is NULL or valid for writing one `T`.
pub(crate) unsafe fn out<T>(ptr: *mut T, name: &str) -> Result<Out<T>, Failure> {
    let p = NonNull::new(ptr).ok_or_else(|| Failure::null(name))?;
    if !ptr.is_aligned() {
        return Err(Failure::new(crm_result::InvalidArgument, format!("argument `{name}` is misaligned")));
    }
    Ok(Out(p))
}

/// Checks an optional out-parameter: `None` for NULL (the caller does not want the value).
///
/// # Safety
/// `ptr` is NULL or valid for writing one `T`.
pub(crate) unsafe fn optional_out<T>(ptr: *mut T, name: &str) -> Result<Option<Out<T>>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: per the contract.
    unsafe { out(ptr, name) }.map(Some)
}

/// Checks that `len` elements at `ptr` can be a slice: non-NULL unless empty, aligned, and
/// not larger than `isize::MAX` bytes.
fn check_array<T>(ptr: *const T, len: usize, name: &str) -> Result<bool, Failure> {
    if len == 0 {
        return Ok(false);
    }
    if ptr.is_null() {
        return Err(Failure::new(crm_result::NullParameter, format!("array `{name}` is NULL but its length is {len}")));
    }
    if !ptr.is_aligned() {
        return Err(Failure::new(crm_result::InvalidArgument, format!("array `{name}` is misaligned")));
    }
    if len.checked_mul(size_of::<T>().max(1)).is_none_or(|b| b > isize::MAX as usize) {
        return Err(Failure::new(
            crm_result::InvalidArgument,
            format!("array `{name}` of {len} elements is too large"),
        ));
    }
    Ok(true)
}

/// An input array; empty (and possibly NULL) when `len` is 0.
///
/// # Safety
/// When `len > 0` and `ptr` is non-NULL, `ptr` points to `len` initialised `T`s that are
/// not written during the call.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T], Failure> {
    if !check_array(ptr, len, name)? {
        return Ok(&[]);
    }
    // SAFETY: checked non-NULL, aligned and not too large; validity per the contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional input array: `None` when `ptr` is NULL and `len` 0.
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn optional_slice<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<Option<&'a [T]>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: per the contract.
    unsafe { slice(ptr, len, name) }.map(Some)
}

/// An output array of exactly `expected` elements, as uninitialised slots (the caller's
/// memory need not be initialised).
///
/// # Safety
/// When `len > 0` and `ptr` is non-NULL, `ptr` is valid for writing `len` `T`s.
pub(crate) unsafe fn out_slice<'a, T>(
    ptr: *mut T,
    len: usize,
    expected: usize,
    name: &str,
) -> Result<&'a mut [MaybeUninit<T>], Failure> {
    if len != expected {
        return Err(Failure::new(
            crm_result::LengthMismatch,
            format!("output array `{name}` has room for {len} values but the result has {expected}"),
        ));
    }
    if !check_array(ptr, len, name)? {
        return Ok(&mut []);
    }
    // SAFETY: checked non-NULL, aligned and not too large; writable per the contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<T>>(), len) })
}

/// Writes `values` into output slots of the same length.
pub(crate) fn fill<T>(target: &mut [MaybeUninit<T>], values: impl IntoIterator<Item = T>) {
    for (slot, v) in target.iter_mut().zip(values) {
        slot.write(v);
    }
}

/// A UTF-8 string given as pointer + length.
///
/// # Safety
/// As [`slice`], for bytes.
pub(crate) unsafe fn utf8<'a>(ptr: *const c_char, len: usize, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: per the contract.
    let bytes = unsafe { slice(ptr.cast::<u8>(), len, name) }?;
    std::str::from_utf8(bytes)
        .map_err(|e| Failure::new(crm_result::InvalidUtf8, format!("argument `{name}` is not valid UTF-8: {e}")))
}

/// The text of a `crm_str` that is one row of a column (the error names row and column).
///
/// # Safety
/// `s.data` is NULL or points to `s.len` readable bytes.
pub(crate) unsafe fn row_str<'a>(s: &crm_str, row: usize, column: &str) -> Result<&'a str, Failure> {
    let bytes: &[u8] = if s.len == 0 {
        &[]
    } else if s.data.is_null() {
        return Err(Failure::new(
            crm_result::NullParameter,
            format!("row {row}, column `{column}`: NULL string of length {}", s.len),
        ));
    } else {
        // SAFETY: non-NULL; validity per the contract (bytes need no alignment).
        unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len) }
    };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(crm_result::InvalidUtf8, format!("row {row}, column `{column}`: not valid UTF-8: {e}"))
    })
}

/// The text of a single `crm_str` argument or field.
///
/// # Safety
/// As [`row_str`].
pub(crate) unsafe fn str_arg<'a>(s: &crm_str, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: per the contract.
    unsafe { utf8(s.data, s.len, name) }
}

/// Checks an index against a count.
pub(crate) fn index(i: usize, count: usize, what: &str) -> Result<usize, Failure> {
    if i < count {
        Ok(i)
    } else {
        Err(Failure::new(crm_result::OutOfRange, format!("index {i} is out of range: the {what} has {count}")))
    }
}
