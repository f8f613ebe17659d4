//! Predictive CLV models ("buy till you die") fitted by maximum likelihood: BG/NBD,
//! MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma and the shifted-beta-geometric model. Data in as
//! columns (`crm_rfm_columns`), parameters out as small `repr(C)` structs, predictions into
//! caller arrays, and the (frequency, recency, T) summary of a base (`crm_rfm_summary`).

mod fit;
mod interval;
mod predict;
mod summary;

pub use fit::{crm_fit_options, crm_fit_summary};
pub use interval::{crm_interval_method, crm_interval_options, crm_prediction};
pub use summary::crm_rfm_summary;

use crate::columns::check_lengths;
use crate::error::{Failure, crm_result};
use crate::ptr::{optional_slice, slice};
use crm_core::models::{BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNbd, RfmData, ShiftedBetaGeo};

/// Per-customer model data as columns, borrowed for the call. Start from
/// `crm_rfm_columns_default()` (all NULL / 0) and set what the function reads; each array
/// has its own length and all given ones must be equal (`CRM_RESULT_LENGTH_MISMATCH`).
///
/// - BG/NBD, MBG/NBD, Pareto/NBD: `frequency` (repeat purchases x, whole >= 0), `recency`
///   (t_x, in [0, T]; 0 when x is 0) and `t` (age T), in one time unit (e.g. weeks);
///   optional `weights` (customers per row, > 0; NULL for 1 each) when fitting;
///   `monetary_value` (mean repeat spend) for CLV.
/// - BG/BB: `frequency` (x transactions), `recency` (t_x, the last opportunity with one)
///   and `t` (n opportunities), all whole with 0 <= x <= t_x <= n; optional `weights`.
/// - Gamma-Gamma: `frequency` (x >= 1) and `monetary_value` (> 0); optional `weights`
///   when fitting. Other columns are not read.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_rfm_columns {
    /// Repeat purchases (x).
    pub frequency: *const f64,
    /// Length of `frequency` (the number of rows).
    pub frequency_len: usize,
    /// Time of the last purchase after the first (t_x).
    pub recency: *const f64,
    /// Length of `recency`.
    pub recency_len: usize,
    /// Age: observation end - first purchase (T); BG/BB: opportunities (n).
    pub t: *const f64,
    /// Length of `t`.
    pub t_len: usize,
    /// Customers each row stands for; NULL for 1 each.
    pub weights: *const f64,
    /// Length of `weights` (0 when NULL).
    pub weights_len: usize,
    /// Mean spend of the repeat purchases.
    pub monetary_value: *const f64,
    /// Length of `monetary_value`.
    pub monetary_value_len: usize,
}

const NO_COLUMNS: crm_rfm_columns = crm_rfm_columns {
    frequency: std::ptr::null(),
    frequency_len: 0,
    recency: std::ptr::null(),
    recency_len: 0,
    t: std::ptr::null(),
    t_len: 0,
    weights: std::ptr::null(),
    weights_len: 0,
    monetary_value: std::ptr::null(),
    monetary_value_len: 0,
};

impl crate::panic::PanicDefault for crm_rfm_columns {
    fn panicked() -> Self {
        NO_COLUMNS
    }
}

/// Model columns with every array NULL and every length 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_columns_default() -> crm_rfm_columns {
    ffi_boundary! { NO_COLUMNS }
}

/// Which columns a function reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// frequency, recency, t.
    History,
    /// frequency, recency, t, monetary_value.
    HistoryAndSpend,
    /// frequency, monetary_value.
    Spend,
}

/// The checked columns of a `crm_rfm_columns`.
#[derive(Debug)]
pub(crate) struct Columns<'a> {
    pub(crate) frequency: &'a [f64],
    pub(crate) recency: &'a [f64],
    pub(crate) t: &'a [f64],
    pub(crate) weights: Option<&'a [f64]>,
    pub(crate) monetary_value: &'a [f64],
}

impl Columns<'_> {
    pub(crate) fn len(&self) -> usize {
        self.frequency.len()
    }

    /// The history as crm-core data (values checked, naming row and column).
    pub(crate) fn rfm(&self, with_weights: bool) -> Result<RfmData, Failure> {
        let (x, tx, t) = (self.frequency.to_vec(), self.recency.to_vec(), self.t.to_vec());
        Ok(match self.weights.filter(|_| with_weights) {
            Some(w) => RfmData::with_weights(x, tx, t, w.to_vec())?,
            None => RfmData::new(x, tx, t)?,
        })
    }
}

/// Checks the lengths of the columns a function needs (`weights` when given) and borrows
/// them; at least one row.
///
/// # Safety
/// `c` is NULL or valid, and each of its non-NULL arrays holds its length of values.
pub(crate) unsafe fn columns<'a>(c: *const crm_rfm_columns, needs: Needs) -> Result<Columns<'a>, Failure> {
    // SAFETY: per the contract.
    let c = unsafe { crate::ptr::arg_ref(c, "data") }?;
    let history = needs != Needs::Spend;
    let spend = needs != Needs::History;
    let mut lengths = vec![("frequency", c.frequency_len)];
    if history {
        lengths.extend([("recency", c.recency_len), ("T", c.t_len)]);
    }
    if spend {
        lengths.push(("monetary_value", c.monetary_value_len));
    }
    if !c.weights.is_null() || c.weights_len > 0 {
        lengths.push(("weights", c.weights_len));
    }
    check_lengths(&lengths)?;
    // SAFETY: per the contract.
    unsafe {
        Ok(Columns {
            frequency: slice(c.frequency, c.frequency_len, "frequency")?,
            recency: if history { slice(c.recency, c.recency_len, "recency")? } else { &[] },
            t: if history { slice(c.t, c.t_len, "t")? } else { &[] },
            weights: optional_slice(c.weights, c.weights_len, "weights")?,
            monetary_value: if spend { slice(c.monetary_value, c.monetary_value_len, "monetary_value")? } else { &[] },
        })
    }
}

/// Checks that model parameters are finite and > 0 (`which` names the struct argument).
pub(crate) fn positive(which: &str, params: &[(&str, f64)]) -> Result<(), Failure> {
    for &(name, v) in params {
        if !(v.is_finite() && v > 0.0) {
            return Err(Failure::new(
                crm_result::InvalidArgument,
                format!("`{which}.{name}` = {v} is not a parameter > 0"),
            ));
        }
    }
    Ok(())
}

/// BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout after each purchase with
/// probability ~ Beta(a, b). `alpha` is in the data's time unit.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_bgnbd_params {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta a.
    pub a: f64,
    /// Dropout beta b.
    pub b: f64,
}

/// MBG/NBD parameters (as BG/NBD, but customers may also drop out at time 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_mbgnbd_params {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta a.
    pub a: f64,
    /// Dropout beta b.
    pub b: f64,
}

/// Pareto/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_pareto_nbd_params {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Shape of the dropout-rate gamma.
    pub s: f64,
    /// Scale of the dropout-rate gamma.
    pub beta: f64,
}

/// BG/BB parameters: transaction probability ~ Beta(alpha, beta), dropout probability ~
/// Beta(gamma, delta) per opportunity.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_bgbb_params {
    /// Transaction beta alpha.
    pub alpha: f64,
    /// Transaction beta beta.
    pub beta: f64,
    /// Dropout beta gamma.
    pub gamma: f64,
    /// Dropout beta delta.
    pub delta: f64,
}

/// Gamma-Gamma parameters: spend per transaction ~ Gamma(p, nu), nu ~ Gamma(q, v).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_gamma_gamma_params {
    /// Shape of spend per transaction.
    pub p: f64,
    /// Shape of the scale's gamma.
    pub q: f64,
    /// Scale of the scale's gamma.
    pub v: f64,
}

/// Shifted-beta-geometric parameters: each period a customer cancels with probability ~
/// Beta(alpha, beta).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_sbg_params {
    /// Beta alpha.
    pub alpha: f64,
    /// Beta beta.
    pub beta: f64,
}

/// A C parameter struct and its crm-core model.
pub(crate) trait Params: Copy {
    type Model;
    fn named(&self) -> Vec<(&'static str, f64)>;
    fn model(&self) -> Self::Model;
    fn of(values: &[f64]) -> Self;

    /// The model of the argument `name`, parameters checked.
    fn checked(p: *const Self, name: &str) -> Result<Self::Model, Failure> {
        // SAFETY: `p` is NULL or valid (header contract).
        let p = unsafe { crate::ptr::arg_ref(p, name) }?;
        positive(name, &p.named())?;
        Ok(p.model())
    }
}

macro_rules! params {
    ($c:ident, $m:ident, [$($f:ident),+]) => {
        impl Params for $c {
            type Model = $m;
            fn named(&self) -> Vec<(&'static str, f64)> {
                vec![$((stringify!($f), self.$f)),+]
            }
            fn model(&self) -> $m {
                $m { $($f: self.$f),+ }
            }
            fn of(values: &[f64]) -> Self {
                let mut it = values.iter().copied();
                $c { $($f: it.next().expect("one value per parameter")),+ }
            }
        }
    };
}

params!(crm_bgnbd_params, BetaGeo, [r, alpha, a, b]);
params!(crm_mbgnbd_params, ModifiedBetaGeo, [r, alpha, a, b]);
params!(crm_pareto_nbd_params, ParetoNbd, [r, alpha, s, beta]);
params!(crm_bgbb_params, BetaGeoBetaBinom, [alpha, beta, gamma, delta]);
params!(crm_gamma_gamma_params, GammaGamma, [p, q, v]);
params!(crm_sbg_params, ShiftedBetaGeo, [alpha, beta]);
