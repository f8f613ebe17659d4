//! Partial results for hosts that distribute the analyses (`crm_core::distributed`): each
//! task computes a partial over its customers (the host partitions by customer), the
//! partials travel as bytes to the driver and merge there in any order, and what the
//! driver finishes is what one machine computes over the whole base.

mod flows;
mod models;
mod report;
mod rfm;
mod segments;

use crate::error::Failure;
use crate::ptr::{out, slice};

/// A partial behind a C handle, with the byte form last handed out (the caller reads it
/// until the next change or free of the handle).
#[derive(Debug)]
pub(crate) struct Held<T> {
    pub(crate) inner: T,
    bytes: Vec<u8>,
}

impl<T> Held<T> {
    pub(crate) fn new(inner: T) -> Self {
        Held { inner, bytes: Vec::new() }
    }

    /// For a change of `inner`: the handed-out bytes are stale.
    pub(crate) fn changed(&mut self) -> &mut T {
        self.bytes.clear();
        &mut self.inner
    }
}

/// Makes a handle and writes it to `out_handle`.
///
/// # Safety
/// `out_handle` is NULL or writable.
pub(crate) unsafe fn hand_out<H>(handle: H, out_handle: *mut *mut H, name: &str) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let slot = unsafe { out(out_handle, name)? };
    slot.write(Box::into_raw(Box::new(handle)));
    Ok(())
}

/// Reads `len` bytes at `bytes` with `read` into a new handle at `out_handle`.
///
/// # Safety
/// `bytes` holds `len` bytes; `out_handle` is NULL or writable.
pub(crate) unsafe fn handle_from_bytes<H>(
    bytes: *const u8,
    len: usize,
    out_handle: *mut *mut H,
    read: impl FnOnce(&[u8]) -> Result<H, Failure>,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let b = unsafe { slice(bytes, len, "bytes")? };
    let handle = read(b)?;
    // SAFETY: per the contract.
    unsafe { hand_out(handle, out_handle, "out_partial") }
}

/// Writes the byte form of `held` (kept in it, valid until its next change) to the outs.
///
/// # Safety
/// The outs are NULL or writable.
pub(crate) unsafe fn bytes_of<T>(
    held: &mut Held<T>,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
    write: impl FnOnce(&T) -> Vec<u8>,
) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let (data, len) = unsafe { (out(out_bytes, "out_bytes")?, out(out_len, "out_len")?) };
    held.bytes = write(&held.inner);
    data.write(held.bytes.as_ptr());
    len.write(held.bytes.len());
    Ok(())
}

/// Frees a handle made by [`hand_out`]; NULL is a no-op.
///
/// # Safety
/// `handle` is NULL or made by this library and not freed before.
pub(crate) unsafe fn free<H>(handle: *mut H) {
    if !handle.is_null() {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(handle) });
    }
}

/// Class codes (255: none) as classes of `levels` (in code order); `field` names a bad code.
pub(crate) fn classes<T: Copy>(codes: &[u8], levels: &[T], field: &str) -> Result<Vec<Option<T>>, Failure> {
    codes
        .iter()
        .map(|&c| match c {
            255 => Ok(None),
            c => levels.get(c as usize).copied().map(Some).ok_or_else(|| {
                Failure::new(crate::error::crm_result::InvalidConfig, format!("`{field}`: code {c} is not a class"))
            }),
        })
        .collect()
}

/// Pyramid level codes: every customer has one.
pub(crate) fn pyramid_levels(codes: &[u8]) -> Result<Vec<crm_core::PyramidLevel>, Failure> {
    classes(codes, &crm_core::PyramidLevel::ALL, "pyramid")?
        .into_iter()
        .map(|p| {
            p.ok_or_else(|| {
                Failure::new(crate::error::crm_result::InvalidConfig, "`pyramid`: every customer has a pyramid level")
            })
        })
        .collect()
}
