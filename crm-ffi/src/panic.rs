//! The one panic boundary every export runs in (after rustls-ffi `src/panic.rs`).
//!
//! `ffi_boundary! { body }` runs `body` under `catch_unwind`; on a panic the function
//! returns a neutral value (NULL, 0, false). `ffi_boundary! { fallible: body }` runs a body
//! returning `Result<(), Failure>`: `Ok` becomes `CRM_RESULT_OK`, an error sets the
//! thread's last-error detail and returns its code, a panic returns `CRM_RESULT_PANIC`.
//! Either way a panic's message becomes the last-error detail.

use crate::error::{Failure, crm_result, set_detail};
use std::any::Any;

/// What a function returns when its body panicked.
pub(crate) trait PanicDefault {
    fn panicked() -> Self;
}

impl PanicDefault for crm_result {
    fn panicked() -> Self {
        crm_result::Panic
    }
}
impl PanicDefault for usize {
    fn panicked() -> Self {
        0
    }
}
/// The `int32_t` results of the C face are days: a panic gives `CRM_NO_DATE`.
impl PanicDefault for i32 {
    fn panicked() -> Self {
        crate::date::CRM_NO_DATE
    }
}
/// An `f64` result that cannot be computed is NaN.
impl PanicDefault for f64 {
    fn panicked() -> Self {
        f64::NAN
    }
}
impl PanicDefault for u64 {
    fn panicked() -> Self {
        0
    }
}
/// An `int64_t` result that cannot be computed is `INT64_MIN`.
impl PanicDefault for i64 {
    fn panicked() -> Self {
        i64::MIN
    }
}
impl PanicDefault for bool {
    fn panicked() -> Self {
        false
    }
}
impl PanicDefault for () {
    fn panicked() -> Self {}
}
impl<T> PanicDefault for *const T {
    fn panicked() -> Self {
        std::ptr::null()
    }
}
impl<T: PanicDefault + Copy, const N: usize> PanicDefault for [T; N] {
    fn panicked() -> Self {
        [T::panicked(); N]
    }
}

/// Records a panic's message as the last-error detail.
pub(crate) fn note_panic(payload: Box<dyn Any + Send>) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown payload".to_owned());
    set_detail(format!("panic inside crm: {message}"));
}

/// Turns a fallible body's outcome into a result code.
pub(crate) fn finish(outcome: std::thread::Result<Result<(), Failure>>) -> crm_result {
    match outcome {
        Ok(Ok(())) => crm_result::Ok,
        Ok(Err(failure)) => failure.report(),
        Err(payload) => {
            note_panic(payload);
            crm_result::Panic
        }
    }
}

/// Returns a body's value, or the neutral value after a panic.
pub(crate) fn finish_value<T: PanicDefault>(outcome: std::thread::Result<T>) -> T {
    outcome.unwrap_or_else(|payload| {
        note_panic(payload);
        T::panicked()
    })
}

/// Runs an export's body inside the panic boundary (see the module docs).
macro_rules! ffi_boundary {
    (fallible: $($body:tt)*) => {
        $crate::panic::finish(::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Failure> { $($body)* },
        )))
    };
    ($($body:tt)*) => {
        $crate::panic::finish_value(::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })))
    };
}
