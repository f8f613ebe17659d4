//! Result codes, the mapping from `crm_core::Error` (in one place: `From<Error> for
//! Failure`), and the thread-local last-error detail.

use crm_core::{Error, ErrorKind};
use std::cell::RefCell;
use std::ffi::{CString, c_char};

/// The result of every fallible function. Codes are explicit and never renumbered: new
/// codes get new numbers. 1-9 are misuse of the C API, 10-29 errors of the engine, 98 and
/// 99 bugs in crm. An engine error's code is its kind's code (`crm_core::ErrorKind`), the
/// same number Python's `CrmError.code` gives.
///
/// On any code but `CRM_RESULT_OK`, `crm_last_error_detail()` says what failed and where.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub enum crm_result {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL (the detail names it).
    NullParameter = 1,
    /// A string argument is not valid UTF-8 (the detail names the argument or row).
    InvalidUtf8 = 2,
    /// An input array has no rows.
    EmptyInput = 3,
    /// Arrays that must have the same length do not, or an output array's length is not
    /// the result's count (the detail names both lengths).
    LengthMismatch = 4,
    /// An argument is out of its domain: an unknown enumeration code, a date out of range,
    /// a misaligned array.
    InvalidArgument = 5,
    /// An index is not below the count.
    OutOfRange = 6,
    /// A value that cannot be used, e.g. a NaN amount (the detail names row and column).
    InvalidValue = 10,
    /// A transaction or interaction names a customer the customer table does not have, or
    /// a lookup found no such customer.
    UnknownCustomer = 11,
    /// The same customer id appears twice in the customer table.
    DuplicateCustomer = 12,
    /// Integer and string customer ids were mixed, or an id accessor of the other kind was
    /// used.
    IdKindMismatch = 13,
    /// A configuration field is out of range (the detail names the field).
    InvalidConfig = 14,
    /// The analysis needs data the base does not have (margins, a customer table).
    MissingData = 15,
    /// A CSV file has bad values (the detail lists line, column and problem).
    Csv = 16,
    /// A file could not be read.
    Io = 17,
    /// A file does not exist.
    FileNotFound = 18,
    /// A model fit failed: the likelihood could not be evaluated or there was nothing to
    /// fit (the detail names the model).
    Fit = 19,
    /// A bug: an internal step failed that cannot fail on valid data (e.g. the JSON export
    /// of a result). Never an engine error: every engine error has its own code above.
    Internal = 98,
    /// A bug: crm panicked. The handles involved should be freed and not used again.
    Panic = 99,
}

impl crm_result {
    /// The static, NUL-terminated text of a code.
    fn message(code: u32) -> &'static str {
        match code {
            0 => "success\0",
            1 => "a required pointer argument is NULL\0",
            2 => "a string is not valid UTF-8\0",
            3 => "an input array is empty\0",
            4 => "array lengths do not match\0",
            5 => "an argument is out of its domain\0",
            6 => "an index is out of range\0",
            10 => "an input value is invalid\0",
            11 => "unknown customer\0",
            12 => "duplicate customer id\0",
            13 => "integer and string customer ids mixed\0",
            14 => "invalid configuration\0",
            15 => "missing data\0",
            16 => "bad values in a CSV file\0",
            17 => "file could not be read\0",
            18 => "file not found\0",
            19 => "model fit failed\0",
            98 => "internal error in crm\0",
            99 => "internal error (panic) in crm\0",
            _ => "unknown result code\0",
        }
    }
}

/// A failure on its way out: a code and the detail text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub(crate) code: crm_result,
    pub(crate) detail: String,
}

impl Failure {
    pub(crate) fn new(code: crm_result, detail: impl Into<String>) -> Self {
        Failure { code, detail: detail.into() }
    }

    /// An argument that must not be NULL was NULL.
    pub(crate) fn null(name: &str) -> Self {
        Failure::new(crm_result::NullParameter, format!("argument `{name}` is NULL"))
    }

    /// Records the detail for `crm_last_error_detail` and returns the code.
    pub(crate) fn report(self) -> crm_result {
        set_detail(self.detail);
        self.code
    }
}

/// An engine error kind's code: the same number (checked by a test), spelled out so that a
/// new kind does not compile here until it has a C code.
impl From<ErrorKind> for crm_result {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::LengthMismatch => crm_result::LengthMismatch,
            ErrorKind::InvalidValue => crm_result::InvalidValue,
            ErrorKind::UnknownCustomer => crm_result::UnknownCustomer,
            ErrorKind::DuplicateCustomer => crm_result::DuplicateCustomer,
            ErrorKind::IdKindMismatch => crm_result::IdKindMismatch,
            ErrorKind::InvalidConfig => crm_result::InvalidConfig,
            ErrorKind::MissingData => crm_result::MissingData,
            ErrorKind::Csv => crm_result::Csv,
            ErrorKind::Io => crm_result::Io,
            ErrorKind::FileNotFound => crm_result::FileNotFound,
            ErrorKind::Fit => crm_result::Fit,
        }
    }
}

/// The one mapping from engine errors to codes (by kind); the detail is the error's Display (a CSV
/// error lists every problem kept, one per line).
impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = crm_result::from(e.kind());
        let mut detail = e.to_string();
        if let Error::Csv { problems, .. } = &e {
            for p in problems.iter().skip(1) {
                detail.push('\n');
                detail.push_str(&p.to_string());
            }
        }
        Failure::new(code, detail)
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Sets this thread's last-error detail.
pub(crate) fn set_detail(detail: String) {
    let text = CString::new(detail).unwrap_or_else(|e| {
        let mut bytes = e.into_vec();
        bytes.retain(|&b| b != 0);
        CString::new(bytes).expect("NUL bytes removed")
    });
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(text));
}

/// A static, NUL-terminated description of a result code (any number; unknown numbers give
/// "unknown result code"). Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn crm_result_message(code: u32) -> *const c_char {
    ffi_boundary! { crm_result::message(code).as_ptr().cast() }
}

/// What the last failed call on this thread failed on: the row, column, customer or field,
/// e.g. "row 2, column `amount`: NaN is not a finite number". The empty string when no call
/// has failed on this thread (or after `crm_last_error_clear`). A successful call leaves
/// it unchanged.
///
/// The text belongs to the library: it stays valid until the next failing call or
/// `crm_last_error_clear` on the same thread. Copy it to keep it. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_detail() -> *const c_char {
    ffi_boundary! {
        LAST_ERROR.with(|slot| match slot.borrow().as_ref() {
            Some(text) => text.as_ptr(),
            None => c"".as_ptr(),
        })
    }
}

/// Clears this thread's last-error detail (frees its text).
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_clear() {
    ffi_boundary! { LAST_ERROR.with(|slot| *slot.borrow_mut() = None) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::ffi::CStr;

    fn every_core_error() -> Vec<Error> {
        let s = String::new;
        vec![
            Error::LengthMismatch { column: s(), reference: s(), expected: 1, actual: 2 },
            Error::InvalidValue { row: 0, column: s(), message: s() },
            Error::UnknownCustomer { row: 0, column: s(), customer: s(), at: None },
            Error::DuplicateCustomer { row: 1, first_row: 0, customer: s(), at: None, first_at: None },
            Error::IdKindMismatch { column: s(), expected: s(), found: s() },
            Error::InvalidConfig { field: s(), message: s() },
            Error::MissingData(s()),
            Error::Csv { path: s(), problems: vec![], total: 0 },
            Error::Io { path: s(), message: s(), not_found: false },
            Error::Io { path: s(), message: s(), not_found: true },
            Error::Fit { model: s(), message: s() },
        ]
    }

    #[test]
    fn every_core_error_has_its_own_code() {
        let codes: Vec<crm_result> = every_core_error().into_iter().map(|e| Failure::from(e).code).collect();
        let distinct: HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        assert!(!codes.contains(&crm_result::Internal));
    }

    #[test]
    fn c_codes_are_the_kind_codes() {
        for kind in ErrorKind::ALL {
            assert_eq!(crm_result::from(kind) as u32, kind.code(), "{kind:?}");
        }
        for e in every_core_error() {
            assert_eq!(Failure::from(e.clone()).code as u32, e.kind().code());
        }
    }

    #[test]
    fn every_code_has_a_message() {
        for code in [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 98, 99] {
            let m = unsafe { CStr::from_ptr(crm_result_message(code)) }.to_str().unwrap();
            assert_ne!(m, "unknown result code", "code {code}");
        }
        let m = unsafe { CStr::from_ptr(crm_result_message(7777)) };
        assert_eq!(m.to_str().unwrap(), "unknown result code");
    }

    #[test]
    fn detail_is_per_call_and_clearable() {
        let code =
            Failure::from(Error::InvalidValue { row: 2, column: "amount".into(), message: "NaN".into() }).report();
        assert_eq!(code, crm_result::InvalidValue);
        let d = unsafe { CStr::from_ptr(crm_last_error_detail()) };
        assert_eq!(d.to_str().unwrap(), "row 2, column `amount`: NaN");
        crm_last_error_clear();
        assert_eq!(unsafe { CStr::from_ptr(crm_last_error_detail()) }.to_bytes(), b"");
    }

    #[test]
    fn a_panic_becomes_a_code_and_a_detail() {
        let code = ffi_boundary! { fallible: panic!("boom") };
        assert_eq!(code, crm_result::Panic);
        let d = unsafe { CStr::from_ptr(crm_last_error_detail()) };
        assert!(d.to_str().unwrap().contains("boom"));
        let n: usize = ffi_boundary! { panic!("again") };
        assert_eq!(n, 0);
    }
}
