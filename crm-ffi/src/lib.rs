//! # crm-ffi: the C face of crm
//!
//! A C library over `crm-core` for legacy ERP systems. Conventions (after rustls-ffi):
//! every symbol starts with `crm_`; functions are `crm_<type>_<verb>`; handles are opaque
//! and freed with `crm_<type>_free` (which accepts NULL); every fallible function returns a
//! `crm_result` code and writes its outputs only on success; no panic crosses the boundary.

#![allow(unsafe_code)]

use std::ffi::c_char;

/// The library version as a NUL-terminated string, e.g. "0.1.0". Static; do not free.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
