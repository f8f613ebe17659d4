//! `crm_profiles`: segment profiles (shares, indices, significance, quartiles, traits) of a
//! grouping of customers against the whole base.

use crate::base::{base_ref, crm_base};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_ref, index, out};
use crate::results::{c_name, write_json};
use crm_core::CustomerBase;
use crm_core::profiles::{ProfileConfig, Profiles};
use std::ffi::{CString, c_char};
use std::sync::Arc;

/// Segment profiles of a base as of a date.
///
/// Ownership: made by `crm_profiles_new`, freed by `crm_profiles_free`. Thread safety:
/// immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_profiles {
    base: Arc<CustomerBase>,
    inner: Profiles,
    /// The traits' sentences as C strings.
    traits: Vec<CString>,
}

fn profiles_ref<'a>(profiles: *const crm_profiles) -> Result<&'a crm_profiles, Failure> {
    // SAFETY: `profiles` is NULL or a live handle (header contract).
    unsafe { arg_ref(profiles, "profiles") }
}

/// Computes the profiles of `base` as of day `as_of`. `config_json` holds `config_len`
/// bytes of UTF-8 JSON with the rules (every field optional), e.g. `{"by": {"type":
/// "segment"}, "categorical": ["industry", "size"], "numeric": ["employees"],
/// "min_group_size": 30, "alpha": 0.05, "traits": 5}`; groupings: `segment`, `abc`,
/// `pyramid`, `stage`, `rfm`, `{"type": "attribute", "attribute": "region"}`,
/// `{"type": "target_group", "conditions": [...]}`. NULL (length 0) for the defaults. Free
/// the result with `crm_profiles_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_new(
    base: *const crm_base,
    as_of: i32,
    config_json: *const c_char,
    config_len: usize,
    out_profiles: *mut *mut crm_profiles,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_profiles` is NULL or writable (header contract).
        let slot = unsafe { out(out_profiles, "out_profiles") }?;
        // SAFETY: `config_json` is NULL (length 0) or holds `config_len` bytes (header contract).
        let config: ProfileConfig =
            unsafe { crate::json::parse_or_default(config_json, config_len, "config_json", "profile config") }?;
        let inner = base.inner.segment_profiles(crate::date::date_of(as_of, "as_of")?, &config)?;
        let traits = inner.traits.iter().map(|t| c_name(&t.text)).collect();
        slot.write(Box::into_raw(Box::new(crm_profiles { base: Arc::clone(&base.inner), inner, traits })));
        Ok(())
    }
}

/// Frees a profiles result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_free(profiles: *mut crm_profiles) {
    ffi_boundary! {
        if !profiles.is_null() {
            // SAFETY: made by `crm_profiles_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(profiles) });
        }
    }
}

/// Number of groups; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_group_count(profiles: *const crm_profiles) -> usize {
    ffi_boundary! { profiles_ref(profiles).map_or(0, |p| p.inner.groups.len()) }
}

/// Number of categorical rows (group x attribute x value); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_categorical_count(profiles: *const crm_profiles) -> usize {
    ffi_boundary! { profiles_ref(profiles).map_or(0, |p| p.inner.categorical.len()) }
}

/// Number of chi-square tests (categorical attribute x group); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_chi_square_count(profiles: *const crm_profiles) -> usize {
    ffi_boundary! { profiles_ref(profiles).map_or(0, |p| p.inner.chi_square.len()) }
}

/// Pearson's chi-square test (no continuity correction) of one categorical attribute in
/// one group against the rest of the base: the 2 x k table (group, rest) x the attribute's
/// values, missing included. Nothing to test (an empty group, the whole base, one value):
/// statistic 0, df 0, p 1.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_profile_chi_square {
    /// The attribute: its position in the rules' `categorical` list.
    pub attribute: usize,
    /// The group: a row of the JSON `groups` (`crm_profiles_group_count`).
    pub group: usize,
    /// Sum of (observed - expected)^2 / expected over the table's cells.
    pub statistic: f64,
    /// Degrees of freedom: the attribute's values - 1.
    pub df: usize,
    /// P(chi-square with `df` degrees of freedom > statistic).
    pub p_value: f64,
    /// True when an expected count is below 5 (the approximation is rough).
    pub low_expected: bool,
    /// p < alpha, something to test, and the group not below the minimum size.
    pub significant: bool,
}

/// The chi-square test at `index` (attributes in the rules' order, each with every group
/// in turn: index = attribute x groups + group).
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_chi_square_at(
    profiles: *const crm_profiles,
    index: usize,
    out_test: *mut crm_profile_chi_square,
) -> crm_result {
    ffi_boundary! { fallible:
        let p = &profiles_ref(profiles)?.inner;
        // SAFETY: `out_test` is NULL or writable (header contract).
        let slot = unsafe { out(out_test, "out_test") }?;
        let i = crate::ptr::index(index, p.chi_square.len(), "chi-square count")?;
        let g = p.groups.len().max(1);
        let t = &p.chi_square[i];
        slot.write(crm_profile_chi_square {
            attribute: i / g,
            group: i % g,
            statistic: t.statistic,
            df: t.df,
            p_value: t.p_value,
            low_expected: t.low_expected,
            significant: t.significant,
        });
        Ok(())
    }
}

/// Number of traits (all groups); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_trait_count(profiles: *const crm_profiles) -> usize {
    ffi_boundary! { profiles_ref(profiles).map_or(0, |p| p.inner.traits.len()) }
}

/// The sentence of trait `index` ("top: industry manufacturing, index 182, 41 % vs 23 %"),
/// NUL-terminated, owned by the handle (valid while it lives; do not free).
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_trait_text(
    profiles: *const crm_profiles,
    index: usize,
    out_text: *mut *const c_char,
) -> crm_result {
    ffi_boundary! { fallible:
        let p = profiles_ref(profiles)?;
        // SAFETY: `out_text` is NULL or writable (header contract).
        let slot = unsafe { out(out_text, "out_text") }?;
        let i = crate::ptr::index(index, p.traits.len(), "trait count")?;
        slot.write(p.traits[i].as_ptr());
        Ok(())
    }
}

/// The group of customer `customer` (a row of the JSON `groups`), or -1 when in no group.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_group_of(
    profiles: *const crm_profiles,
    customer: usize,
    out_group: *mut i64,
) -> crm_result {
    ffi_boundary! { fallible:
        let p = &profiles_ref(profiles)?.inner;
        // SAFETY: `out_group` is NULL or writable (header contract).
        let slot = unsafe { out(out_group, "out_group") }?;
        let i = index(customer, p.group.len(), "customer count")?;
        slot.write(p.group[i].map_or(-1, i64::from));
        Ok(())
    }
}

/// The whole result as JSON (`groups`, `group` per customer, `categorical`, `chi_square`, `numeric`,
/// `traits`, `notes`, the config, and `customer_ids`) in a new NUL-terminated string; free
/// it with `crm_string_free`. NaN is written as null.
#[unsafe(no_mangle)]
pub extern "C" fn crm_profiles_to_json(
    profiles: *const crm_profiles,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let p = profiles_ref(profiles)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&p.base, &p.inner, out_json, out_len) }
    }
}
