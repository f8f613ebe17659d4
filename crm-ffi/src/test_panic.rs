//! A deliberately panicking export (feature `test-panic`), to test the panic boundary from C.

use crate::error::crm_result;

/// Test builds only (feature `test-panic`): panics inside the library and returns
/// `CRM_RESULT_PANIC`, with the panic's message as the last-error detail.
#[unsafe(no_mangle)]
pub extern "C" fn crm_test_panic() -> crm_result {
    ffi_boundary! { fallible:
        let v: Vec<u8> = Vec::new();
        let i = v.len() + 3;
        panic!("deliberate test panic (index {i} of an empty vector)")
    }
}
