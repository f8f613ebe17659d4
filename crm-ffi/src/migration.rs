//! `crm_migration`: moves between states (value segments or lifecycle stages) from one
//! date to the next, as counts and rates; a Markov projection of the base and the
//! Pfeifer-Carraway customer value per state.

use crate::base::{base_ref, crm_base};
use crate::columns::check_lengths;
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, crm_str, fill, out, out_slice, row_str, slice};
use crate::results::lifecycle::crm_lifecycle_config;
use crate::results::segments::{crm_segments_config, engine_config};
use crate::results::{c_name, write_plain_json};
use crm_core::{Error, LifecycleConfig, MigrationMatrix, SegmentConfig};
use std::ffi::{CString, c_char};

/// A migration matrix over `k` states: `counts[i][j]` customers in state i at the first
/// date and state j at the second, `rates[i][j]` = counts / row total (a row without
/// customers stays in its state, so every row sums to 1), and the mean value per customer
/// of each state at the second date. Arrays out are row-major, `k x k`.
///
/// Segment states are "not_yet_customer", "top", "middle", "bottom", "lost"; lifecycle
/// states the eight stage names in `crm_lifecycle_stage` order.
///
/// Ownership: made by `crm_migration_new_segments`, `crm_migration_new_lifecycle` or
/// `crm_migration_from_rates`, freed by `crm_migration_free`; it does not refer to the base.
/// Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_migration {
    inner: MigrationMatrix,
    names: Vec<CString>,
}

impl crm_migration {
    pub(crate) fn boxed(inner: MigrationMatrix) -> *mut crm_migration {
        let names = inner.states.iter().map(|s| c_name(s)).collect();
        Box::into_raw(Box::new(crm_migration { inner, names }))
    }

    fn k(&self) -> usize {
        self.inner.states.len()
    }
}

fn migration_ref<'a>(migration: *const crm_migration) -> Result<&'a crm_migration, Failure> {
    // SAFETY: `migration` is NULL or a live handle (header contract).
    unsafe { arg_ref(migration, "migration") }
}

/// Checks a per-state input array: one finite value per state.
///
/// # Safety
/// `ptr` is NULL or holds `len` values.
unsafe fn per_state<'a>(ptr: *const f64, len: usize, k: usize, name: &str) -> Result<&'a [f64], Failure> {
    if len != k {
        return Err(Error::LengthMismatch {
            column: name.into(),
            reference: "states".into(),
            expected: k,
            actual: len,
        }
        .into());
    }
    // SAFETY: per the contract.
    let values = unsafe { slice(ptr, len, name) }?;
    if let Some(row) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidValue { row, column: name.into(), message: "not a finite number".into() }.into());
    }
    Ok(values)
}

/// Migration between value segments from the end of day `from` to the end of day `to`.
/// `config` (the segment rules) may be NULL for the defaults. `CRM_RESULT_INVALID_CONFIG`
/// when `to` is not after `from` or a rule is invalid; `CRM_RESULT_MISSING_DATA` for a
/// margin measure without margins. Free the result with `crm_migration_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_new_segments(
    base: *const crm_base,
    from: i32,
    to: i32,
    config: *const crm_segments_config,
    out_migration: *mut *mut crm_migration,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_migration` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_migration, "out_migration")?, arg_opt(config)) };
        let config = config.map_or_else(|| Ok(SegmentConfig::default()), engine_config)?;
        let m = base.inner.segment_migration(date_of(from, "from")?, date_of(to, "to")?, &config)?;
        slot.write(crm_migration::boxed(m));
        Ok(())
    }
}

/// Migration between lifecycle stages from the end of day `from` to the end of day `to`.
/// `config` (the stage rules) may be NULL for the defaults.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_new_lifecycle(
    base: *const crm_base,
    from: i32,
    to: i32,
    config: *const crm_lifecycle_config,
    out_migration: *mut *mut crm_migration,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_migration` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_migration, "out_migration")?, arg_opt(config)) };
        let config = config.map_or_else(LifecycleConfig::default, LifecycleConfig::from);
        let m = base.inner.lifecycle_migration(date_of(from, "from")?, date_of(to, "to")?, &config)?;
        slot.write(crm_migration::boxed(m));
        Ok(())
    }
}

/// A matrix from given rates, e.g. to evaluate a scenario: `states` names the `k` states
/// (UTF-8), `rates` holds `k x k` rates row-major (`rates_len` must be `k * k`,
/// `CRM_RESULT_LENGTH_MISMATCH`). Every row must be rates >= 0 summing to 1
/// (`CRM_RESULT_INVALID_CONFIG` names the row). Counts and state values are 0, both dates
/// day 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_from_rates(
    states: *const crm_str,
    states_len: usize,
    rates: *const f64,
    rates_len: usize,
    out_migration: *mut *mut crm_migration,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_migration` is NULL or writable (header contract).
        let slot = unsafe { out(out_migration, "out_migration") }?;
        let k = check_lengths(&[("states", states_len)])?;
        let cells = k.checked_mul(k).ok_or_else(|| Failure::new(crm_result::InvalidArgument, "too many states"))?;
        if rates_len != cells {
            return Err(Failure::new(
                crm_result::LengthMismatch,
                format!("array `rates` has {rates_len} values but {k} states need {k} x {k} = {cells}"),
            ));
        }
        // SAFETY: `states` holds `states_len` strings, `rates` `rates_len` values (header contract).
        let (names, rates) = unsafe { (slice(states, states_len, "states")?, slice(rates, rates_len, "rates")?) };
        let names = names
            .iter()
            .enumerate()
            // SAFETY: each string points to its `len` bytes (header contract).
            .map(|(row, s)| unsafe { row_str(s, row, "states") }.map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()?;
        let rows = rates.chunks(k).map(<[f64]>::to_vec).collect();
        slot.write(crm_migration::boxed(MigrationMatrix::from_rates(names, rows)?));
        Ok(())
    }
}

/// Frees a migration matrix. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_free(migration: *mut crm_migration) {
    ffi_boundary! {
        if !migration.is_null() {
            // SAFETY: made by a `crm_migration_*` constructor and not freed before (header contract).
            drop(unsafe { Box::from_raw(migration) });
        }
    }
}

/// Number of states `k`; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_state_count(migration: *const crm_migration) -> usize {
    ffi_boundary! { migration_ref(migration).map_or(0, crm_migration::k) }
}

/// The name of state `index` as `*out_name`: NUL-terminated, owned by the handle (valid
/// while it lives; do not free).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_state_name(
    migration: *const crm_migration,
    index: usize,
    out_name: *mut *const c_char,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = migration_ref(migration)?;
        // SAFETY: `out_name` is NULL or writable (header contract).
        let slot = unsafe { out(out_name, "out_name") }?;
        slot.write(m.names[crate::ptr::index(index, m.k(), "matrix's state count")?].as_ptr());
        Ok(())
    }
}

/// The first date (day); `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_from_date(migration: *const crm_migration) -> i32 {
    ffi_boundary! { migration_ref(migration).map_or(CRM_NO_DATE, |m| day_of(m.inner.from)) }
}

/// The second date (day); `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_to_date(migration: *const crm_migration) -> i32 {
    ffi_boundary! { migration_ref(migration).map_or(CRM_NO_DATE, |m| day_of(m.inner.to)) }
}

/// Copies a `k x k` matrix row-major into `out` (`len` must be `k * k`).
///
/// # Safety
/// `target` is NULL or has room for `len` values.
unsafe fn copy_matrix<T: Copy>(rows: &[Vec<T>], target: *mut T, len: usize) -> Result<(), Failure> {
    let k = rows.len();
    // SAFETY: per the contract.
    let target = unsafe { out_slice(target, len, k * k, "out") }?;
    fill(target, rows.iter().flatten().copied());
    Ok(())
}

/// Copies the counts, row-major, into `out` (`len` must be `k * k`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_copy_counts(migration: *const crm_migration, out: *mut u64, len: usize) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_matrix(&migration_ref(migration)?.inner.counts, out, len) } }
}

/// Copies the rates, row-major, into `out` (`len` must be `k * k`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_copy_rates(migration: *const crm_migration, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_matrix(&migration_ref(migration)?.inner.rates, out, len) } }
}

/// Copies a per-state vector into `out` (`len` must be `k`).
///
/// # Safety
/// `target` is NULL or has room for `len` values.
unsafe fn copy_states<T>(values: Vec<T>, target: *mut T, len: usize) -> Result<(), Failure> {
    // SAFETY: per the contract.
    let target = unsafe { out_slice(target, len, values.len(), "out") }?;
    fill(target, values);
    Ok(())
}

/// Copies the mean value per customer of each state at the second date (the segment
/// measure over its window; 0 for states without value) into `out` (`len` must be `k`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_copy_state_value(
    migration: *const crm_migration,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_states(migration_ref(migration)?.inner.state_value.clone(), out, len) } }
}

/// Copies the customers per state at the first date (row totals); `len` must be `k`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_copy_at_from(migration: *const crm_migration, out: *mut u64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_states(migration_ref(migration)?.inner.at_from(), out, len) } }
}

/// Copies the customers per state at the second date (column totals); `len` must be `k`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_copy_at_to(migration: *const crm_migration, out: *mut u64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_states(migration_ref(migration)?.inner.at_to(), out, len) } }
}

/// Projects the distribution `start` (`start_len` must be `k`) `periods` steps ahead with
/// the rates (a Markov chain). `out` receives `periods + 1` distributions row-major, row t
/// after t steps (row 0 is `start`): `out_len` must be `(periods + 1) * k`. The total is
/// preserved. A non-finite start value is `CRM_RESULT_INVALID_VALUE` naming its row;
/// `periods` above 1 200 is `CRM_RESULT_INVALID_CONFIG` (checked before `out_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_project(
    migration: *const crm_migration,
    start: *const f64,
    start_len: usize,
    periods: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = migration_ref(migration)?;
        let k = m.k();
        // SAFETY: `start` holds `start_len` values (header contract).
        let start = unsafe { per_state(start, start_len, k, "start") }?;
        // The core bounds `periods` first (as in Python), so the size below cannot overflow.
        let p = m.inner.project(start, periods)?;
        // SAFETY: `out` has room for `out_len` values (header contract).
        let target = unsafe { out_slice(out, out_len, p.len() * k, "out") }?;
        fill(target, p.into_iter().flatten());
        Ok(())
    }
}

/// The Pfeifer-Carraway customer value per starting state, `V = (I - P/(1+d))^-1 R`: the
/// discounted value of all future margins `margin` (per state and period; `margin_len` must
/// be `k`) of a customer moving by the rates, at discount rate `discount` per period
/// (`CRM_RESULT_INVALID_CONFIG` unless > 0). `out` receives `k` values (`out_len` = `k`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_customer_value(
    migration: *const crm_migration,
    margin: *const f64,
    margin_len: usize,
    discount: f64,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = migration_ref(migration)?;
        // SAFETY: `margin` holds `margin_len` values; `out` has room for `out_len` (header contract).
        let (margin, target) = unsafe { (per_state(margin, margin_len, m.k(), "margin")?, out_slice(out, out_len, m.k(), "out")?) };
        fill(target, m.inner.customer_value(margin, discount)?);
        Ok(())
    }
}

/// The matrix as JSON (`from`, `to`, `states`, `counts`, `rates`, `state_value`) in a new
/// NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_to_json(
    migration: *const crm_migration,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = migration_ref(migration)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&m.inner, out_json, out_len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    #[test]
    fn two_state_value_from_rates() {
        let states = [crm_str::from_static("active"), crm_str::from_static("lost")];
        let rates = [0.8, 0.2, 0.0, 1.0];
        let mut m = null_mut();
        assert_eq!(crm_migration_from_rates(states.as_ptr(), 2, rates.as_ptr(), 4, &mut m), crm_result::Ok);
        let mut v = [0.0; 2];
        let margin = [100.0, 0.0];
        assert_eq!(crm_migration_customer_value(m, margin.as_ptr(), 2, 0.1, v.as_mut_ptr(), 2), crm_result::Ok);
        assert!((v[0] - 110.0 / 0.3).abs() < 1e-9);
        assert_eq!(
            crm_migration_customer_value(m, margin.as_ptr(), 1, 0.1, v.as_mut_ptr(), 2),
            crm_result::LengthMismatch
        );
        crm_migration_free(m);
        assert_eq!(crm_migration_from_rates(states.as_ptr(), 2, rates.as_ptr(), 3, &mut m), crm_result::LengthMismatch);
    }
}
