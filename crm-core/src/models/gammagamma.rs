//! Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV";
//! Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"), and CLV from a
//! purchase model and expected spend, discounted month by month as lifetimes does.

use super::special::ln_gamma;
use super::{FitOptions, FitSummary};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The Gamma-Gamma spend model: spend per transaction ~ Gamma(p, ν), ν ~ Gamma(q, v).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of spend per transaction.
    pub p: f64,
    /// Shape of the scale's gamma.
    pub q: f64,
    /// Scale of the scale's gamma.
    pub v: f64,
}

fn ll_row(p: &[f64], x: f64, m: f64) -> f64 {
    let (pp, q, v) = (p[0], p[1], p[2]);
    let px = pp * x;
    ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q) + q * v.ln() + (px - 1.0) * m.ln() + px * x.ln()
        - (px + q) * (x * m + v).ln()
}

impl GammaGamma {
    /// Parameter names, in order.
    pub const NAMES: [&'static str; 3] = ["p", "q", "v"];

    /// The parameters in [`Self::NAMES`] order.
    pub fn params(&self) -> [f64; 3] {
        [self.p, self.q, self.v]
    }

    /// Fits the model on customers with at least one repeat purchase: `frequency` (x > 0)
    /// and mean repeat spend `monetary_value` (> 0).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the row of a frequency below 1 or a spend that is not
    /// positive and finite; fit errors as [`super::BetaGeo::fit`].
    pub fn fit(
        frequency: &[f64],
        monetary_value: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<(Self, FitSummary)> {
        crate::transaction::check_len("monetary_value", monetary_value.len(), "frequency", frequency.len())?;
        for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
            if !(x >= 1.0 && x.is_finite() && x.fract() == 0.0) {
                return Err(Error::invalid(
                    i,
                    "frequency",
                    format!("{x}: the Gamma-Gamma model needs repeat buyers (whole x >= 1)"),
                ));
            }
            if !(m > 0.0 && m.is_finite()) {
                return Err(Error::invalid(i, "monetary_value", format!("{m} is not a positive spend")));
            }
        }
        let w: Vec<f64> = weights.map_or_else(|| vec![1.0; frequency.len()], <[f64]>::to_vec);
        crate::transaction::check_len("weights", w.len(), "frequency", frequency.len())?;
        if let Some(i) = w.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(Error::invalid(i, "weights", format!("{} is not a weight > 0", w[i])));
        }
        // Equal rows as one, in one order: the fit does not depend on the row order, and
        // rows merged from a cluster's tasks give the same fit.
        let (frequency, monetary_value, w) = collapse_spend(frequency, monetary_value, &w);
        let (frequency, monetary_value) = (&frequency[..], &monetary_value[..]);
        let n: f64 = w.iter().sum();
        let rows = super::compiled::SpendRows::new(frequency, monetary_value, &w);
        let grad = |p: &[f64]| super::compiled::gg_value_gradient(p, &rows);
        let hess = |p: &[f64]| super::compiled::gg_value_gradient_hessian(p, &rows);
        let ll = |p: &[f64]| grad(p).0;
        // Beyond a few thousand rows: warm-start by Newton on every 16th row (as BG/NBD),
        // so that the iterations on every row are the last few.
        let sample = (frequency.len() > 4_000).then(|| {
            let every = |v: &[f64]| v.iter().step_by(16).copied().collect::<Vec<f64>>();
            let (sx, sm, sw) = (every(frequency), every(monetary_value), every(&w));
            let customers: f64 = sw.iter().sum();
            (super::compiled::SpendRows::new(&sx, &sm, &sw), customers)
        });
        let sample_hess =
            |p: &[f64]| super::compiled::gg_value_gradient_hessian(p, &sample.as_ref().expect("sample").0);
        let warm = sample.as_ref().map(|s| (&sample_hess as super::LogLikHess<'_>, s.1));
        // Newton steps with the analytic Hessian: q and v are strongly correlated, a
        // valley BFGS crawls along.
        let s = super::fit_positive_with(
            "Gamma-Gamma",
            &Self::NAMES,
            &ll,
            Some(&grad),
            warm,
            Some(&hess),
            n,
            frequency.len(),
            options,
        )?;
        Ok((GammaGamma { p: s.params[0], q: s.params[1], v: s.params[2] }, s))
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood_row(&self, x: f64, m: f64) -> f64 {
        ll_row(&self.params(), x, m)
    }

    /// Expected spend per transaction of a customer with `x` repeat purchases of mean `m`
    /// (`x = 0`: the population mean p v / (q - 1)).
    pub fn conditional_expected_average_profit(&self, x: f64, m: f64) -> f64 {
        let (p, q, v) = (self.p, self.q, self.v);
        p * (v + x * m) / (p * x + q - 1.0)
    }
}

/// Gamma-Gamma rows `(x, mean spend)` with weights, equal rows merged (weights added) and
/// sorted by `(x, spend)`: the rows [`GammaGamma::fit`] evaluates, whatever the input order.
/// Values are expected >= 0 and finite (their bit patterns then sort like the numbers).
///
/// ```
/// let (x, m, w) = crm_core::models::collapse_spend(&[2.0, 1.0, 2.0], &[5.0, 3.0, 5.0], &[1.0, 1.0, 1.0]);
/// assert_eq!((x, m, w), (vec![1.0, 2.0], vec![3.0, 5.0], vec![1.0, 2.0]));
/// ```
pub fn collapse_spend(frequency: &[f64], monetary_value: &[f64], weights: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = frequency.len();
    let (mut x, mut m, mut w) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::<f64>::with_capacity(n));
    let mut push = |fx: f64, fm: f64, weight: f64| {
        if x.last().map(|v: &f64| v.to_bits()) == Some(fx.to_bits())
            && m.last().map(|v: &f64| v.to_bits()) == Some(fm.to_bits())
        {
            *w.last_mut().expect("same length") += weight;
        } else {
            x.push(fx);
            m.push(fm);
            w.push(weight);
        }
    };
    if let Some((start, keyed)) = by_frequency_then_spend(frequency, monetary_value) {
        for (k, group) in start.windows(2).enumerate() {
            for &(fm, i) in &keyed[group[0]..group[1]] {
                push(k as f64, f64::from_bits(fm), weights[i as usize]);
            }
        }
    } else {
        let mut keyed: Vec<(u64, u64, usize)> =
            (0..n).map(|i| (frequency[i].to_bits(), monetary_value[i].to_bits(), i)).collect();
        // Distinct by the row index: one sorted order, sorted in pieces on all threads.
        crate::parallel::sort_distinct(&mut keyed);
        for (fx, fm, i) in keyed {
            push(f64::from_bits(fx), f64::from_bits(fm), weights[i]);
        }
    }
    (x, m, w)
}

/// Where each frequency's rows start, and the rows as (spend bits, row).
type FrequencyGroups = (Vec<usize>, Vec<(u64, u32)>);

/// The rows in (frequency, spend) bit order, as [`collapse_spend`] sorts them, when every
/// frequency is a whole number up to 65,535 (as repeat purchases are): a counting sort by
/// frequency, then each frequency's spends sorted alone (many short sorts of one key cost
/// less than one long sort of pairs). `None` for other frequencies.
fn by_frequency_then_spend(frequency: &[f64], monetary_value: &[f64]) -> Option<FrequencyGroups> {
    const MAX: f64 = 65_535.0;
    // `(x as u32) as f64 == x` rather than `fract`, a libm call per value without SSE4.1.
    let whole = |x: f64| x.is_sign_positive() && x <= MAX && (x as u32) as f64 == x;
    if u32::try_from(frequency.len()).is_err() || !frequency.iter().all(|&x| whole(x)) {
        return None;
    }
    let top = frequency.iter().fold(0.0f64, |a, &x| a.max(x)) as usize;
    let mut start = vec![0usize; top + 2];
    for &x in frequency {
        start[x as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut keyed = vec![(0u64, 0u32); frequency.len()];
    let mut next = start.clone();
    for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
        keyed[next[x as usize]] = (m.to_bits(), i as u32);
        next[x as usize] += 1;
    }
    for group in start.windows(2) {
        keyed[group[0]..group[1]].sort_unstable();
    }
    Some((start, keyed))
}

/// What a [`PurchaseModel`] may keep between calls with the same `(x, T)` (for BG/NBD the
/// hypergeometric series, which does not depend on t_x).
#[derive(Debug, Default, Clone)]
pub struct SeriesCache {
    key: Option<(u64, u64)>,
    values: Vec<f64>,
}

/// Anything that predicts a customer's purchases in a future window.
pub trait PurchaseModel {
    /// Expected purchases in `(T, T + horizon]` for history `(x, t_x, T)`.
    fn predict(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64;

    /// [`Self::predict`] for several horizons at once (into `out`); `cache` may carry work
    /// between consecutive calls with the same `(x, T)`.
    fn predict_many(&self, horizons: &[f64], x: f64, tx: f64, t: f64, out: &mut [f64], cache: &mut SeriesCache) {
        let _ = cache;
        for (o, &h) in out.iter_mut().zip(horizons) {
            *o = self.predict(h, x, tx, t);
        }
    }

    /// The model as a BG/NBD when it is one (CLV then takes a faster path).
    fn as_beta_geo(&self) -> Option<&super::BetaGeo> {
        None
    }
}

impl PurchaseModel for super::BetaGeo {
    fn predict(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.conditional_expected_purchases(horizon, x, tx, t)
    }
    fn predict_many(&self, horizons: &[f64], x: f64, tx: f64, t: f64, out: &mut [f64], cache: &mut SeriesCache) {
        let key = Some((x.to_bits(), t.to_bits()));
        if cache.key != key {
            let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
            let zs: Vec<f64> = horizons.iter().map(|h| h / (alpha + t + h)).collect();
            cache.values.resize(horizons.len(), 0.0);
            super::special::ln_hyp2f1_many(r + x, b + x, a + b + x - 1.0, &zs, &mut cache.values);
            cache.key = key;
        }
        self.expected_from_series(horizons, x, tx, t, &cache.values, out);
    }
    fn as_beta_geo(&self) -> Option<&super::BetaGeo> {
        Some(self)
    }
}
impl PurchaseModel for super::ModifiedBetaGeo {
    fn predict(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.conditional_expected_purchases(horizon, x, tx, t)
    }
}
impl PurchaseModel for super::ParetoNbd {
    fn predict(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.conditional_expected_purchases(horizon, x, tx, t)
    }
}

/// CLV over `months` months: for each month i, expected purchases in month i times the
/// expected spend, discounted by `(1 + monthly_discount)^i` (lifetimes'
/// `customer_lifetime_value`). `units_per_month` converts months to the model's time unit
/// (30 for days, 4.345 for weeks, as lifetimes). The purchase curve is computed once per
/// distinct `(x, t_x, T)` and scaled by each customer's expected spend.
pub fn customer_lifetime_value(
    model: &(dyn PurchaseModel + Sync),
    spend: &GammaGamma,
    data: &super::RfmData,
    monetary_value: &[f64],
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
) -> Vec<f64> {
    let expected: Vec<f64> = crate::parallel::map_ranges(data.len(), |range| {
        range
            .map(|i| spend.conditional_expected_average_profit(data.frequency[i as usize], monetary_value[i as usize]))
            .collect()
    });
    customer_lifetime_value_with_spend(model, data, &expected, months, monthly_discount, units_per_month)
}

/// [`customer_lifetime_value`] with each customer's expected spend per purchase given
/// (lifetimes' `utils._customer_lifetime_value`).
pub fn customer_lifetime_value_with_spend(
    model: &(dyn PurchaseModel + Sync),
    data: &super::RfmData,
    spend: &[f64],
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
) -> Vec<f64> {
    let horizons: Vec<f64> = (1..=months).map(|m| m as f64 * units_per_month).collect();
    if let Some(bg) = model.as_beta_geo() {
        if let Some(out) = bg_clv(bg, data, spend, &horizons, monthly_discount) {
            return out;
        }
    }
    let distinct = data.collapse();
    // Visit distinct histories in (x, T, t_x) order so that models can reuse work that
    // depends on (x, T) only.
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    let key3 = |i: u32| {
        let i = i as usize;
        (distinct.frequency[i].to_bits(), distinct.t[i].to_bits(), distinct.recency[i].to_bits())
    };
    order.sort_unstable_by_key(|&i| key3(i));
    // Discounted expected purchases over the months, per distinct history.
    let by_order: Vec<f64> = crate::parallel::map_ranges(order.len(), |range| {
        let mut upto = vec![0.0; horizons.len()];
        let mut cache = SeriesCache::default();
        range
            .map(|k| {
                let i = order[k as usize] as usize;
                model.predict_many(
                    &horizons,
                    distinct.frequency[i],
                    distinct.recency[i],
                    distinct.t[i],
                    &mut upto,
                    &mut cache,
                );
                let mut before = 0.0;
                let mut sum = 0.0;
                for (m, &u) in upto.iter().enumerate() {
                    sum += (u - before) / (1.0 + monthly_discount).powi(m as i32 + 1);
                    before = u;
                }
                sum
            })
            .collect()
    });
    let mut factor = vec![0.0; distinct.len()];
    for (k, &i) in order.iter().enumerate() {
        factor[i as usize] = by_order[k];
    }
    let key = |d: &super::RfmData, i: usize| (d.frequency[i], d.recency[i], d.t[i]);
    let cmp = |a: (f64, f64, f64), b: (f64, f64, f64)| {
        a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2))
    };
    crate::parallel::map_ranges(data.len(), |range| {
        range
            .map(|i| {
                let i = i as usize;
                let k = key(data, i);
                let at = bsearch(distinct.len(), |j| cmp(key(&distinct, j), k));
                spend[i] * factor[at]
            })
            .collect()
    })
}

/// BG/NBD CLV without collapsing the rows. A customer's discounted purchases are
/// `K(x) S(x, T) / D(x, t_x, T)`: the hypergeometric series and the sum over the months
/// `S` depend on (x, T) only and are computed once per distinct pair, so each customer
/// costs table lookups and one `exp`. `None` when the (x, T) table would be too large
/// (the caller then takes the general path).
fn bg_clv(
    bg: &super::BetaGeo,
    data: &super::RfmData,
    spend: &[f64],
    horizons: &[f64],
    monthly_discount: f64,
) -> Option<Vec<f64>> {
    let (r, alpha, a, b) = (bg.r, bg.alpha, bg.a, bg.b);
    let n = data.len();
    let xs = super::data::Interner::new([data.frequency.as_slice()]);
    let times = super::data::Interner::new([data.recency.as_slice(), data.t.as_slice()]);
    let (nx, nt) = (xs.values.len(), times.values.len());
    if nx.checked_mul(nt)? > 1 << 24 {
        return None;
    }
    // Table indices per customer, then a group per distinct (x, T) in first-seen order
    // (a group's value depends on (x, T) alone, so the order does not matter).
    let keys: Vec<(u32, u32, u32)> = crate::parallel::map_ranges(n, |range| {
        range
            .map(|i| {
                let i = i as usize;
                (xs.get(data.frequency[i]) as u32, times.get(data.recency[i]) as u32, times.get(data.t[i]) as u32)
            })
            .collect()
    });
    let mut group = vec![u32::MAX; nx * nt];
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for &(xi, _, ti) in &keys {
        let g = &mut group[xi as usize * nt + ti as usize];
        if *g == u32::MAX {
            *g = pairs.len() as u32;
            pairs.push((xi, ti));
        }
    }
    let discounts: Vec<f64> = (1..=horizons.len()).map(|m| (1.0 + monthly_discount).powi(m as i32)).collect();
    // Per age T and month: z = h / (alpha + T + h), ln(1 - z) = -ln(1 + h / (alpha + T)) and
    // expm1((a - 1) ln(1 - z)). Tabled per distinct T (a thousand-odd days over a few
    // years, against a pair per (x, T)) unless the ages are too many to table.
    let k = horizons.len();
    let fill = |t: f64, z: &mut [f64], ln_1mz: &mut [f64], em: &mut [f64]| {
        for (m, h) in horizons.iter().enumerate() {
            z[m] = h / (alpha + t + h);
            ln_1mz[m] = -(h / (alpha + t)).ln_1p();
            em[m] = ((a - 1.0) * ln_1mz[m]).exp_m1();
        }
    };
    let mut slot = vec![u32::MAX; nt];
    let mut ages = 0usize;
    for &(_, ti) in &pairs {
        if slot[ti as usize] == u32::MAX {
            slot[ti as usize] = ages as u32;
            ages += 1;
        }
    }
    let tabled = ages * k <= 1 << 20;
    let (mut z_tab, mut ln_tab, mut em_tab) = (Vec::new(), Vec::new(), Vec::new());
    if tabled {
        (z_tab, ln_tab, em_tab) = (vec![0.0; ages * k], vec![0.0; ages * k], vec![0.0; ages * k]);
        for (ti, &s) in slot.iter().enumerate() {
            if s != u32::MAX {
                let at = s as usize * k..(s as usize + 1) * k;
                fill(times.values[ti], &mut z_tab[at.clone()], &mut ln_tab[at.clone()], &mut em_tab[at]);
            }
        }
    }
    // Each pair sums a dozen series of tens of terms: worth threads from a few thousand
    // pairs (the per-customer ranges of `parallel` start at 50,000 items per thread).
    let sums: Vec<f64> = super::split(pairs.len(), 40 * k, |range| {
        let mut tails = vec![0.0; k];
        let (mut z_own, mut ln_own, mut em_own) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        range
            .map(|p| {
                let (xi, ti) = pairs[p];
                let x = xs.values[xi as usize];
                let (zs, ln_1mz, em): (&[f64], &[f64], &[f64]) = if tabled {
                    let at = slot[ti as usize] as usize * k..(slot[ti as usize] as usize + 1) * k;
                    (&z_tab[at.clone()], &ln_tab[at.clone()], &em_tab[at])
                } else {
                    fill(times.values[ti as usize], &mut z_own, &mut ln_own, &mut em_own);
                    (&z_own, &ln_own, &em_own)
                };
                let (sa, sb, sc) = (r + x, b + x, a + b + x - 1.0);
                // u(h) = 1 - (1 - z)^(r + x) 2F1(r + x, b + x; c; z), the expected purchases
                // by h over their limit. By Euler's transformation (1 - z)^(r + x) 2F1 =
                // (1 - z)^(a - 1) (1 + s) with s its series' tail: u = -(e^L (1 + s) - 1) with
                // L = (a - 1) ln(1 - z), written as expm1(L) (1 + s) + s (no logarithm of
                // the sum, and no cancellation when u is small).
                if super::special::euler_series_tails(sa, sb, sc, zs, &mut tails) {
                    for (u, e) in tails.iter_mut().zip(em) {
                        *u = -(e * (1.0 + *u) + *u);
                    }
                } else {
                    super::special::ln_hyp2f1_many(sa, sb, sc, zs, &mut tails);
                    for (u, l) in tails.iter_mut().zip(ln_1mz) {
                        *u = -(sa * l + *u).exp_m1();
                    }
                }
                let (mut before, mut sum) = (0.0, 0.0);
                for (u, d) in tails.iter().zip(&discounts) {
                    sum += (u - before) / d;
                    before = *u;
                }
                (a + b + x - 1.0) / (a - 1.0) * sum
            })
            .collect()
    });
    let ln_times: Vec<f64> = times.values.iter().map(|t| (alpha + t).ln()).collect();
    Some(crate::parallel::map_ranges(n, |range| {
        range
            .map(|i| {
                let i = i as usize;
                let (xi, txi, ti) = keys[i];
                let x = data.frequency[i];
                let denom = if x > 0.0 {
                    1.0 + (a / (b + x - 1.0)) * ((r + x) * (ln_times[ti as usize] - ln_times[txi as usize])).exp()
                } else {
                    1.0
                };
                let s = sums[group[xi as usize * nt + ti as usize] as usize];
                spend[i] * (s / denom)
            })
            .collect()
    }))
}

/// The index in `0..n` where `probe` answers `Equal` (it must exist).
fn bsearch(n: usize, probe: impl Fn(usize) -> std::cmp::Ordering) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match probe(mid) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return mid,
        }
    }
    unreachable!("every row has its distinct history")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counting sort by frequency gives the order of the general sort, duplicates and
    /// all; frequencies that are not small whole numbers take the general path.
    #[test]
    fn rows_by_frequency_then_spend_are_in_the_general_order() {
        let n = 20_000;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 37 + 1) as f64).collect();
        let m: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 5_003) as f64 / 7.0 + 0.5).collect();
        let general = |x: &[f64], m: &[f64]| {
            let mut keyed: Vec<(u64, u64, usize)> = (0..x.len()).map(|i| (x[i].to_bits(), m[i].to_bits(), i)).collect();
            keyed.sort_unstable();
            keyed
        };
        let (start, keyed) = by_frequency_then_spend(&x, &m).unwrap();
        let flat: Vec<(u64, u64, usize)> = (0..start.len() - 1)
            .flat_map(|k| {
                keyed[start[k]..start[k + 1]].iter().map(move |&(fm, i)| ((k as f64).to_bits(), fm, i as usize))
            })
            .collect();
        assert_eq!(flat, general(&x, &m));
        assert!(by_frequency_then_spend(&[1.0, 2.5], &[1.0, 1.0]).is_none());
        assert!(by_frequency_then_spend(&[1.0, 70_000.0], &[1.0, 1.0]).is_none());
        let w = vec![1.0; n];
        let (cx, cm, cw) = collapse_spend(&x, &m, &w);
        assert_eq!(cw.iter().sum::<f64>(), n as f64);
        assert!(cx.windows(2).zip(cm.windows(2)).all(|(a, b)| (a[0], b[0]) < (a[1], b[1])));
    }
}
