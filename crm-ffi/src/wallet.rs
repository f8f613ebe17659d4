//! `crm_wallet`: share of wallet and growth potential per customer as of a date, with the
//! peer groups, the tables per segment / stage / group and the growth-potential work list.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_ref, index, out};
use crate::results::{copy_rows, write_json};
use crm_core::CustomerBase;
use crm_core::wallet::{Wallet, WalletConfig};
use std::ffi::c_char;
use std::sync::Arc;

/// `crm_wallet_customer.source`: the customer attribute gave the wallet.
pub const CRM_WALLET_SOURCE_ATTRIBUTE: u8 = 0;
/// The quantile of the customer's group at the finest level.
pub const CRM_WALLET_SOURCE_GROUP: u8 = 1;
/// The quantile of its group at a coarser level.
pub const CRM_WALLET_SOURCE_COARSER_GROUP: u8 = 2;
/// The quantile of the whole base.
pub const CRM_WALLET_SOURCE_BASE: u8 = 3;
/// No wallet (no attribute, no peer in the base).
pub const CRM_WALLET_SOURCE_NONE: u8 = 4;
/// The quantile regression on the customer's numeric attributes (`"regression"` rule).
pub const CRM_WALLET_SOURCE_REGRESSION: u8 = 5;
/// `crm_wallet_customer.attribute_problem`: none (the attribute was used, or none is
/// configured).
pub const CRM_WALLET_PROBLEM_NONE: i8 = -1;
/// The customer has no such attribute.
pub const CRM_WALLET_PROBLEM_MISSING: i8 = 0;
/// The value is negative.
pub const CRM_WALLET_PROBLEM_NEGATIVE: i8 = 1;
/// The value is not a finite number.
pub const CRM_WALLET_PROBLEM_NOT_A_NUMBER: i8 = 2;

/// One customer's wallet figures. NaN wallet, share and growth potential when the customer
/// has no wallet.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_wallet_customer {
    /// Spend with us per year (revenue in the window x 365 / window days).
    pub spend: f64,
    /// Wallet per year.
    pub wallet: f64,
    /// Share of wallet in [0, 1] (capped at 1).
    pub share: f64,
    /// True when the spend exceeds the wallet.
    pub over_wallet: bool,
    /// Wallet - spend, never negative.
    pub growth_potential: f64,
    /// Rank by growth potential (0 = largest); -1 without a wallet.
    pub rank: i64,
    /// A `CRM_WALLET_SOURCE_*` code.
    pub source: u8,
    /// Row of the peer group (in the JSON `groups`) that gave an estimate; -1 otherwise.
    pub group: i64,
    /// A `CRM_WALLET_PROBLEM_*` code.
    pub attribute_problem: i8,
}

/// Share of wallet and growth potential of a base as of a date.
///
/// Ownership: made by `crm_wallet_new`, freed by `crm_wallet_free`. Thread safety:
/// immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_wallet {
    base: Arc<CustomerBase>,
    inner: Wallet,
}

fn wallet_ref<'a>(wallet: *const crm_wallet) -> Result<&'a crm_wallet, Failure> {
    // SAFETY: `wallet` is NULL or a live handle (header contract).
    unsafe { arg_ref(wallet, "wallet") }
}

/// Computes the wallet analysis of `base` as of day `as_of`. `config_json` holds
/// `config_len` bytes of UTF-8 JSON with the rules (every field optional), e.g.
/// `{"attribute": "potential", "quantile": 0.9, "min_peers": 20, "levels": [["industry",
/// "size"], ["industry"]], "bands": {"employees": [10, 50, 250]}, "window_days": 365,
/// "work_list_size": 100, "regression": ["employees"]}`; NULL (length 0) for the defaults.
/// `"regression"` names numeric attributes for a linear quantile regression of yearly
/// spend (see `crm_wallet_regression_len`). A bad value is
/// `CRM_RESULT_INVALID_CONFIG` naming the field. Free the result with `crm_wallet_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_new(
    base: *const crm_base,
    as_of: i32,
    config_json: *const c_char,
    config_len: usize,
    out_wallet: *mut *mut crm_wallet,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_wallet` is NULL or writable (header contract).
        let slot = unsafe { out(out_wallet, "out_wallet") }?;
        // SAFETY: `config_json` is NULL (length 0) or holds `config_len` bytes (header contract).
        let config: WalletConfig =
            unsafe { crate::json::parse_or_default(config_json, config_len, "config_json", "wallet config") }?;
        let inner = base.inner.wallet(date_of(as_of, "as_of")?, &config)?;
        slot.write(Box::into_raw(Box::new(crm_wallet { base: Arc::clone(&base.inner), inner })));
        Ok(())
    }
}

/// Frees a wallet result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_free(wallet: *mut crm_wallet) {
    ffi_boundary! {
        if !wallet.is_null() {
            // SAFETY: made by `crm_wallet_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(wallet) });
        }
    }
}

/// Number of customers; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_count(wallet: *const crm_wallet) -> usize {
    ffi_boundary! { wallet_ref(wallet).map_or(0, |w| w.inner.spend.len()) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_as_of(wallet: *const crm_wallet) -> i32 {
    ffi_boundary! { wallet_ref(wallet).map_or(CRM_NO_DATE, |w| day_of(w.inner.as_of)) }
}

/// Customers on the growth-potential work list; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_work_list_len(wallet: *const crm_wallet) -> usize {
    ffi_boundary! { wallet_ref(wallet).map_or(0, |w| w.inner.work_list.len()) }
}

/// The customer index at position `position` of the work list (largest growth potential
/// first).
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_work_list_at(
    wallet: *const crm_wallet,
    position: usize,
    out_customer: *mut u32,
) -> crm_result {
    ffi_boundary! { fallible:
        let w = &wallet_ref(wallet)?.inner;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        let i = index(position, w.work_list.len(), "work list length")?;
        slot.write(w.work_list[i].customer);
        Ok(())
    }
}

/// The wallet figures of customer `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_customer_at(
    wallet: *const crm_wallet,
    index: usize,
    out_customer: *mut crm_wallet_customer,
) -> crm_result {
    ffi_boundary! { fallible:
        let w = &wallet_ref(wallet)?.inner;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        let i = crate::ptr::index(index, w.spend.len(), "wallet's customer count")?;
        slot.write(crm_wallet_customer {
            spend: w.spend[i],
            wallet: w.wallet[i],
            share: w.share[i],
            over_wallet: w.over_wallet[i],
            growth_potential: w.growth_potential[i],
            rank: w.rank[i].map_or(-1, i64::from),
            source: w.source[i] as u8,
            group: w.group[i].map_or(-1, i64::from),
            attribute_problem: w.attribute_problem[i].map_or(-1, |p| p as i8),
        });
        Ok(())
    }
}

/// Coefficients of the fitted quantile regression (intercept, then one per attribute of
/// the `"regression"` rule); 0 when none was configured or it could not be fitted (the
/// JSON's `notes` say why), and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_regression_len(wallet: *const crm_wallet) -> usize {
    ffi_boundary! {
        wallet_ref(wallet).map_or(0, |w| w.inner.regression.as_ref().map_or(0, |r| r.coefficients.len()))
    }
}

/// Copies the coefficients of the quantile regression; `len` must equal
/// `crm_wallet_regression_len`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_regression(wallet: *const crm_wallet, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        let w = &wallet_ref(wallet)?.inner;
        let coefficients = w.regression.as_ref().map_or(&[][..], |r| &r.coefficients[..]);
        // SAFETY: `out` has room for `len` values (header contract).
        unsafe { copy_rows(coefficients, out, len, "out", |v| *v) }
    }
}

/// Copies the spend per year of every customer; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_spend(wallet: *const crm_wallet, out: *mut f64, len: usize) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&wallet_ref(wallet)?.inner.spend, out, len, "out", |v| *v) } }
}

/// Copies the wallet of every customer (NaN without one).
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_wallet(wallet: *const crm_wallet, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&wallet_ref(wallet)?.inner.wallet, out, len, "out", |v| *v) } }
}

/// Copies the share of wallet of every customer (NaN without a wallet).
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_share(wallet: *const crm_wallet, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&wallet_ref(wallet)?.inner.share, out, len, "out", |v| *v) } }
}

/// Copies the growth potential of every customer (NaN without a wallet).
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_growth_potential(wallet: *const crm_wallet, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        unsafe { copy_rows(&wallet_ref(wallet)?.inner.growth_potential, out, len, "out", |v| *v) }
    }
}

/// Copies the rank by growth potential of every customer (0 = largest, -1 without a wallet).
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_rank(wallet: *const crm_wallet, out: *mut i64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        unsafe { copy_rows(&wallet_ref(wallet)?.inner.rank, out, len, "out", |r| r.map_or(-1, i64::from)) }
    }
}

/// Copies the wallet source (`CRM_WALLET_SOURCE_*`) of every customer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_copy_source(wallet: *const crm_wallet, out: *mut u8, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&wallet_ref(wallet)?.inner.source, out, len, "out", |s| *s as u8) } }
}

/// The whole result as JSON (per-customer columns, `groups`, `by_segment`, `by_stage`,
/// `by_group`, `work_list`, `counts`, `notes`, the config, and `customer_ids`) in a new
/// NUL-terminated string; free it with `crm_string_free`. NaN is written as null.
#[unsafe(no_mangle)]
pub extern "C" fn crm_wallet_to_json(
    wallet: *const crm_wallet,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let w = wallet_ref(wallet)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&w.base, &w.inner, out_json, out_len) }
    }
}
