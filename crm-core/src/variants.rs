//! Tests of process variants, "effect in relation to cost" (deck 000): per-variant
//! conversion with its interval, the difference to the control with Newcombe's interval and
//! a two-proportion test, lift, and the economics (net effect, ROI, break-even uplift,
//! sample size).

use crate::error::{Error, Result};
use crate::stats::{Difference, Proportion, compare_proportions, sample_size, wilson};
use serde::{Deserialize, Serialize};

/// One variant's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantCounts {
    /// Variant name.
    pub name: String,
    /// Customers given the variant.
    pub customers: u64,
    /// Of those, converted.
    pub conversions: u64,
}

/// What a conversion is worth and what a variant costs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Economics {
    /// Value of one conversion (e.g. margin of the first-month use).
    pub value_per_conversion: f64,
    /// Cost per customer given the treatment (e.g. printing and sending a cheque).
    pub cost_per_customer: f64,
    /// Cost per conversion of the treatment (e.g. a 100 kr cheque redeemed).
    pub cost_per_conversion: f64,
}

/// A variant against the control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// Variant name.
    pub name: String,
    /// Conversion with its Wilson interval.
    pub conversion: Proportion,
    /// Against the control (`None` for the control itself).
    pub versus_control: Option<Difference>,
    /// (rate - control rate) x customers.
    pub incremental_conversions: f64,
    /// incremental conversions x value per conversion.
    pub incremental_value: f64,
    /// Cost of the treatment: customers x cost per customer + conversions x cost per conversion.
    pub cost: f64,
    /// incremental value - cost.
    pub net_effect: f64,
    /// net effect / cost (`None` without cost).
    pub roi: Option<f64>,
    /// The uplift (in rate points) at which the net effect is 0.
    pub break_even_uplift: Option<f64>,
    /// Customers per group needed to detect the observed uplift (alpha 0.05, power 0.8).
    pub sample_size_needed: Option<u64>,
}

/// Compares variants with the control (`control` = index into `variants`).
///
/// ```
/// use crm_core::variants::{Economics, VariantCounts, compare_variants};
/// // Deck 000: first-month card use 55 % without and 70 % with a 100 kr welcome cheque.
/// let v = vec![
///     VariantCounts { name: "letter".into(), customers: 1000, conversions: 550 },
///     VariantCounts { name: "letter + cheque".into(), customers: 1000, conversions: 700 },
/// ];
/// let e = Economics { value_per_conversion: 1000.0, cost_per_customer: 0.0, cost_per_conversion: 100.0 };
/// let r = compare_variants(&v, 0, 0.95, &e)?;
/// assert!((r[1].incremental_conversions - 150.0).abs() < 1e-9);
/// assert!((r[1].net_effect - (150_000.0 - 70_000.0)).abs() < 1e-6);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] for a control index out of range, conversions above customers,
/// or non-finite economics.
pub fn compare_variants(
    variants: &[VariantCounts],
    control: usize,
    confidence: f64,
    economics: &Economics,
) -> Result<Vec<VariantResult>> {
    let c =
        variants.get(control).ok_or_else(|| Error::config("control", format!("{control} is not a variant index")))?;
    if let Some(v) = variants.iter().find(|v| v.conversions > v.customers) {
        return Err(Error::config("conversions", format!("variant `{}` has more conversions than customers", v.name)));
    }
    let e = economics;
    if ![e.value_per_conversion, e.cost_per_customer, e.cost_per_conversion].iter().all(|x| x.is_finite()) {
        return Err(Error::config("economics", "values must be finite"));
    }
    let control_rate = if c.customers == 0 { 0.0 } else { c.conversions as f64 / c.customers as f64 };
    Ok(variants
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let conversion = wilson(v.conversions, v.customers, confidence);
            let is_control = k == control;
            let versus = (!is_control)
                .then(|| compare_proportions(c.conversions, c.customers, v.conversions, v.customers, confidence));
            let uplift = conversion.rate - control_rate;
            let incremental = if is_control { 0.0 } else { uplift * v.customers as f64 };
            let value = incremental * e.value_per_conversion;
            let cost = if is_control {
                0.0
            } else {
                v.customers as f64 * e.cost_per_customer + v.conversions as f64 * e.cost_per_conversion
            };
            // Net effect 0 at uplift u: u n V = n cpc + (p0 + u) n cconv  ->  u = (cpc + p0 cconv) / (V - cconv).
            let denom = e.value_per_conversion - e.cost_per_conversion;
            let break_even = (!is_control && denom > 0.0)
                .then(|| (e.cost_per_customer + control_rate * e.cost_per_conversion) / denom);
            VariantResult {
                name: v.name.clone(),
                conversion,
                versus_control: versus,
                incremental_conversions: incremental,
                incremental_value: value,
                cost,
                net_effect: value - cost,
                roi: (cost > 0.0).then(|| (value - cost) / cost),
                break_even_uplift: break_even,
                sample_size_needed: if is_control {
                    None
                } else {
                    sample_size(control_rate, conversion.rate, 0.05, 0.8).ok().flatten()
                },
            }
        })
        .collect())
}
