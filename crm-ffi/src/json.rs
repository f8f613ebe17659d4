//! Definitions given by C as JSON text (funnels, scoring models, event matches): parsed
//! with serde, and a syntax or shape error becomes `CRM_RESULT_INVALID_CONFIG` whose detail
//! is serde's message with its line and column, as crm-core does for process definitions.

use crate::error::Failure;
use crate::ptr::utf8;
use serde::de::DeserializeOwned;
use std::ffi::c_char;

/// Parses `len` bytes of UTF-8 JSON at `text` (the argument `arg`) as a `T`; `what` names
/// the definition in the detail (e.g. "invalid config `funnel`: missing field `steps` at
/// line 1 column 20").
///
/// # Safety
/// `text` is NULL (with `len` 0) or points to `len` readable bytes.
pub(crate) unsafe fn parse<T: DeserializeOwned>(
    text: *const c_char,
    len: usize,
    arg: &str,
    what: &str,
) -> Result<T, Failure> {
    // SAFETY: per the contract.
    let text = unsafe { utf8(text, len, arg) }?;
    crm_core::definition::from_json(text, what).map_err(Failure::from)
}

/// [`parse`], or the defaults for NULL with length 0 (the rules a caller leaves out).
///
/// # Safety
/// As [`parse`].
pub(crate) unsafe fn parse_or_default<T: DeserializeOwned + Default>(
    text: *const c_char,
    len: usize,
    arg: &str,
    what: &str,
) -> Result<T, Failure> {
    if text.is_null() && len == 0 {
        return Ok(T::default());
    }
    // SAFETY: per the contract.
    unsafe { parse(text, len, arg, what) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::crm_result;

    #[test]
    fn errors_name_line_and_column() {
        let text = "{\n  \"name\": 3\n}";
        let e = unsafe { parse::<crm_core::funnel::Funnel>(text.as_ptr().cast(), text.len(), "json", "funnel") }
            .unwrap_err();
        assert_eq!(e.code, crm_result::InvalidConfig);
        assert!(e.detail.starts_with("invalid config `funnel`: invalid type"), "{}", e.detail);
        assert!(e.detail.contains("line 2 column"), "{}", e.detail);
        let bad = [b'{', 0xff];
        let e = unsafe { parse::<crm_core::funnel::Funnel>(bad.as_ptr().cast(), 2, "json", "funnel") }.unwrap_err();
        assert_eq!(e.code, crm_result::InvalidUtf8);
    }
}
