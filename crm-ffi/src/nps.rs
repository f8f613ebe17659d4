//! Net Promoter Score: of a `uint8_t` array of 0-10 scores, the change between two scores,
//! and `crm_nps_groups`, the NPS per group of a base's survey answers.

use crate::base::{base_ref, crm_base};
use crate::date::date_of;
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_ref, out, slice, utf8};
use crate::results::{c_name, write_plain_json};
use crate::stats::confidence;
use crm_core::nps::{Nps, nps, nps_change};
use crm_core::scoring::attribute_text;
use crm_core::{Customer, Error};
use std::collections::BTreeMap;
use std::ffi::{CString, c_char};

/// An NPS with its interval: promoters score 9-10, passives 7-8, detractors 0-6; score =
/// 100 x (promoters - detractors) / responses (0 without responses).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_nps_summary {
    /// Answers.
    pub responses: u64,
    /// Scores 9-10.
    pub promoters: u64,
    /// Scores 7-8.
    pub passives: u64,
    /// Scores 0-6.
    pub detractors: u64,
    /// The NPS, -100 to 100.
    pub score: f64,
    /// Lower bound of its interval (normal approximation).
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl From<Nps> for crm_nps_summary {
    fn from(n: Nps) -> Self {
        crm_nps_summary {
            responses: n.responses,
            promoters: n.promoters,
            passives: n.passives,
            detractors: n.detractors,
            score: n.score,
            low: n.low,
            high: n.high,
        }
    }
}

impl From<&crm_nps_summary> for Nps {
    fn from(n: &crm_nps_summary) -> Self {
        Nps {
            responses: n.responses,
            promoters: n.promoters,
            passives: n.passives,
            detractors: n.detractors,
            score: n.score,
            low: n.low,
            high: n.high,
        }
    }
}

/// The change from one NPS to another with its interval (independent samples).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_nps_change {
    /// second - first.
    pub change: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The NPS of `len` scores (0-10 each) at `confidence` (in (0, 1)). A score above 10 is
/// `CRM_RESULT_INVALID_VALUE` naming its row.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps(scores: *const u8, len: usize, confidence: f64, out_nps: *mut crm_nps_summary) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `scores` holds `len` values, `out_nps` is NULL or writable (header contract).
        let (scores, slot) = unsafe { (slice(scores, len, "scores")?, out(out_nps, "out_nps")?) };
        slot.write(nps(scores, self::confidence(confidence)?)?.into());
        Ok(())
    }
}

/// The change from `first` to `second` (counts as made by crm) at `confidence`.
/// `CRM_RESULT_INVALID_VALUE` when a summary's counts do not add up to its responses.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_compare(
    first: *const crm_nps_summary,
    second: *const crm_nps_summary,
    confidence: f64,
    out_change: *mut crm_nps_change,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the pointers are NULL or valid / writable (header contract).
        let (a, b, slot) = unsafe { (arg_ref(first, "first")?, arg_ref(second, "second")?, out(out_change, "out_change")?) };
        for (name, n) in [("first", a), ("second", b)] {
            if n.promoters.checked_add(n.passives).and_then(|s| s.checked_add(n.detractors)) != Some(n.responses) {
                return Err(Failure::new(
                    crm_result::InvalidValue,
                    format!("`{name}`: promoters + passives + detractors is not the number of responses"),
                ));
            }
        }
        let c = nps_change(&a.into(), &b.into(), self::confidence(confidence)?);
        slot.write(crm_nps_change { change: c.change, low: c.low, high: c.high });
        Ok(())
    }
}

/// The NPS per group from a base's survey answers, groups in ascending name order.
///
/// Ownership: made by `crm_nps_groups_new`, freed by `crm_nps_groups_free`; it does not
/// refer to the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_nps_groups {
    groups: BTreeMap<String, Nps>,
    names: Vec<CString>,
}

fn groups_ref<'a>(groups: *const crm_nps_groups) -> Result<&'a crm_nps_groups, Failure> {
    // SAFETY: `groups` is NULL or a live handle (header contract).
    unsafe { arg_ref(groups, "groups") }
}

/// The NPS from interactions of kind `kind` whose outcome is the 0-10 score, dated in days
/// `[from, to)`; a customer's latest answer in the period counts. Customers are grouped by
/// the value of the customer attribute `attribute` (a free attribute, or `industry`,
/// `category`, `acquisition_channel`; customers without it are left out); with an empty
/// `attribute` (NULL, 0) every customer is in one group, "all". A base without interactions
/// of the kind gives no groups.
///
/// Errors: `CRM_RESULT_INVALID_VALUE` naming the customer whose outcome is not a 0-10
/// score; `CRM_RESULT_MISSING_DATA` for an attribute without a customer table;
/// `CRM_RESULT_INVALID_ARGUMENT` for a confidence outside (0, 1). Free the result with
/// `crm_nps_groups_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_new(
    base: *const crm_base,
    kind: *const c_char,
    kind_len: usize,
    from: i32,
    to: i32,
    confidence: f64,
    attribute: *const c_char,
    attribute_len: usize,
    out_groups: *mut *mut crm_nps_groups,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = &base_ref(base)?.inner;
        // SAFETY: the strings hold their lengths of bytes, `out_groups` is NULL or writable
        // (header contract).
        let (kind, attribute, slot) = unsafe {
            (utf8(kind, kind_len, "kind")?, utf8(attribute, attribute_len, "attribute")?, out(out_groups, "out_groups")?)
        };
        let (from, to, confidence) = (date_of(from, "from")?, date_of(to, "to")?, self::confidence(confidence)?);
        let groups = if attribute.is_empty() {
            base.nps_by(kind, from, to, confidence, |_| Some("all".to_owned()))?
        } else {
            let profiles: &[Customer] = base.profiles().ok_or_else(|| {
                Failure::from(Error::MissingData("grouping by an attribute needs a customer table".into()))
            })?;
            base.nps_by(kind, from, to, confidence, |c| attribute_text(&profiles[c as usize], attribute))?
        };
        let names = groups.keys().map(|g| c_name(g)).collect();
        slot.write(Box::into_raw(Box::new(crm_nps_groups { groups, names })));
        Ok(())
    }
}

/// Frees an NPS result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_free(groups: *mut crm_nps_groups) {
    ffi_boundary! {
        if !groups.is_null() {
            // SAFETY: made by `crm_nps_groups_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(groups) });
        }
    }
}

/// Number of groups; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_count(groups: *const crm_nps_groups) -> usize {
    ffi_boundary! { groups_ref(groups).map_or(0, |g| g.groups.len()) }
}

/// Group `index`: its name as `*out_name` (NUL-terminated, owned by the handle; may be
/// NULL when not wanted) and its NPS.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_at(
    groups: *const crm_nps_groups,
    index: usize,
    out_name: *mut *const c_char,
    out_nps: *mut crm_nps_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        let g = groups_ref(groups)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        let (name_slot, slot) = unsafe { (crate::ptr::optional_out(out_name, "out_name")?, out(out_nps, "out_nps")?) };
        let i = crate::ptr::index(index, g.groups.len(), "result's group count")?;
        let n = g.groups.values().nth(i).expect("index checked");
        crate::ptr::put(name_slot, g.names[i].as_ptr());
        slot.write((*n).into());
        Ok(())
    }
}

/// The NPS of the group named `name` (`name_len` bytes of UTF-8).
/// `CRM_RESULT_OUT_OF_RANGE` when there is no such group.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_find(
    groups: *const crm_nps_groups,
    name: *const c_char,
    name_len: usize,
    out_nps: *mut crm_nps_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        let g = groups_ref(groups)?;
        // SAFETY: `name` holds `name_len` bytes, `out_nps` is NULL or writable (header contract).
        let (name, slot) = unsafe { (utf8(name, name_len, "name")?, out(out_nps, "out_nps")?) };
        let n = g
            .groups
            .get(name)
            .ok_or_else(|| Failure::new(crm_result::OutOfRange, format!("no group `{name}` in the result")))?;
        slot.write((*n).into());
        Ok(())
    }
}

/// The groups as JSON (an object from group name to NPS) in a new NUL-terminated string;
/// free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_nps_groups_to_json(
    groups: *const crm_nps_groups,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let g = groups_ref(groups)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&g.groups, out_json, out_len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_thirty_twenty() {
        let scores: Vec<u8> = [10u8; 50].into_iter().chain([7u8; 30]).chain([3u8; 20]).collect();
        let mut n = std::mem::MaybeUninit::uninit();
        assert_eq!(crm_nps(scores.as_ptr(), scores.len(), 0.95, n.as_mut_ptr()), crm_result::Ok);
        assert_eq!(unsafe { n.assume_init() }.score, 30.0);
        let bad = [9u8, 11];
        assert_eq!(crm_nps(bad.as_ptr(), 2, 0.95, n.as_mut_ptr()), crm_result::InvalidValue);
    }
}
