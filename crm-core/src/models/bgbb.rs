//! BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities; while alive a
//! customer transacts at each opportunity with probability p ~ Beta(α, β) and dies before
//! the next with probability θ ~ Beta(γ, δ). Data: x transactions in n opportunities, the
//! last at opportunity t_x.

use super::special::{ln_beta, ln_gamma, log_add_exp};
use super::{FitOptions, FitSummary, fit_positive};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The BG/BB model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaGeoBetaBinom {
    /// Transaction beta α.
    pub alpha: f64,
    /// Transaction beta β.
    pub beta: f64,
    /// Dropout beta γ.
    pub gamma: f64,
    /// Dropout beta δ.
    pub delta: f64,
}

fn ll_row(p: &[f64], x: f64, tx: f64, n: f64) -> f64 {
    let (a, b, g, d) = (p[0], p[1], p[2], p[3]);
    let (bab, bgd) = (ln_beta(a, b), ln_beta(g, d));
    let mut ll = ln_beta(a + x, b + n - x) - bab + ln_beta(g, d + n) - bgd;
    let last = (n - tx - 1.0).round() as i64;
    for i in 0..=last {
        let i = i as f64;
        ll = log_add_exp(ll, ln_beta(a + x, b + tx - x + i) - bab + ln_beta(g + 1.0, d + tx + i) - bgd);
    }
    ll
}

impl BetaGeoBetaBinom {
    /// Parameter names, in order.
    pub const NAMES: [&'static str; 4] = ["alpha", "beta", "gamma", "delta"];

    /// The parameters in [`Self::NAMES`] order.
    pub fn params(&self) -> [f64; 4] {
        [self.alpha, self.beta, self.gamma, self.delta]
    }

    fn check(x: &[f64], tx: &[f64], n: &[f64], w: &[f64]) -> Result<()> {
        use crate::transaction::check_len;
        check_len("recency", tx.len(), "frequency", x.len())?;
        check_len("n_periods", n.len(), "frequency", x.len())?;
        check_len("weights", w.len(), "frequency", x.len())?;
        for i in 0..x.len() {
            let whole = |v: f64| v.is_finite() && v >= 0.0 && v.fract() == 0.0;
            if !(whole(x[i])
                && whole(tx[i])
                && whole(n[i])
                && x[i] <= tx[i]
                && tx[i] <= n[i]
                && (x[i] > 0.0 || tx[i] == 0.0))
            {
                return Err(Error::invalid(
                    i,
                    "frequency",
                    format!("({}, {}, {}) is not whole 0 <= x <= t_x <= n", x[i], tx[i], n[i]),
                ));
            }
            if !(w[i] > 0.0 && w[i].is_finite()) {
                return Err(Error::invalid(i, "weights", format!("{} is not a weight > 0", w[i])));
            }
        }
        Ok(())
    }

    /// Fits on (x, t_x, n) rows with weights (the donations table is 22 weighted rows).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming a row that is not whole `0 <= x <= t_x <= n`; fit
    /// errors as [`super::BetaGeo::fit`].
    pub fn fit(
        x: &[f64],
        tx: &[f64],
        n: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<(Self, FitSummary)> {
        let w: Vec<f64> = weights.map_or_else(|| vec![1.0; x.len()], <[f64]>::to_vec);
        Self::check(x, tx, n, &w)?;
        // Identical (x, t_x, n) rows merged with their weights: an unweighted table of
        // 11,104 donors has 22 distinct rows, and each likelihood evaluation costs those.
        let d = super::RfmData::with_weights(x.to_vec(), tx.to_vec(), n.to_vec(), w)?.collapse();
        let total = d.customers();
        let ll = |p: &[f64]| {
            (0..d.len()).map(|i| d.weights[i] * ll_row(p, d.frequency[i], d.recency[i], d.t[i])).sum::<f64>()
        };
        let s = fit_positive("BG/BB", &Self::NAMES, &ll, total, d.len(), options)?;
        let p = &s.params;
        Ok((BetaGeoBetaBinom { alpha: p[0], beta: p[1], gamma: p[2], delta: p[3] }, s))
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood_row(&self, x: f64, tx: f64, n: f64) -> f64 {
        ll_row(&self.params(), x, tx, n)
    }

    /// P(alive at opportunity n + 1 | x, t_x, n): [`Self::probability_alive_after`] with
    /// `m = 1`.
    pub fn probability_alive(&self, x: f64, tx: f64, n: f64) -> f64 {
        self.probability_alive_after(1.0, x, tx, n)
    }

    /// P(alive `m` opportunities after the n observed | x, t_x, n), lifetimes'
    /// `conditional_probability_alive(m_periods_in_future, ...)`: `m = 0` is alive through
    /// the observed opportunities, `m = 1` at the next one.
    ///
    /// # Examples
    /// ```
    /// use crm_core::models::BetaGeoBetaBinom;
    /// // The donations fit (Fader, Hardie & Shang 2010).
    /// let m = BetaGeoBetaBinom { alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783 };
    /// // A donor of all six years was alive through them, and is so next year with 0.93.
    /// assert!((m.probability_alive_after(0.0, 6.0, 6.0, 6.0) - 1.0).abs() < 1e-9);
    /// assert_eq!(format!("{:.2}", m.probability_alive_after(1.0, 6.0, 6.0, 6.0)), "0.93");
    /// ```
    pub fn probability_alive_after(&self, m: f64, x: f64, tx: f64, n: f64) -> f64 {
        let (a, b, g, d) = (self.alpha, self.beta, self.gamma, self.delta);
        (ln_beta(a + x, b + n - x) - ln_beta(a, b) + ln_beta(g, d + n + m)
            - ln_beta(g, d)
            - ll_row(&self.params(), x, tx, n))
        .exp()
    }

    /// P(X(n) = x): the probability that a new customer makes `x` transactions in the
    /// first `n` opportunities (Fader, Hardie & Shang 2010, eq. 7; lifetimes'
    /// `expected_number_of_transactions_in_first_n_periods` is this times the customers).
    pub fn probability_of_transactions(&self, n: u32, x: u32) -> f64 {
        if x > n {
            return 0.0;
        }
        let (a, b, g, d) = (self.alpha, self.beta, self.gamma, self.delta);
        let (bab, bgd) = (ln_beta(a, b), ln_beta(g, d));
        let ln_choose = |i: f64, k: f64| ln_gamma(i + 1.0) - ln_gamma(k + 1.0) - ln_gamma(i - k + 1.0);
        let (nf, xf) = (n as f64, x as f64);
        let mut p = (ln_choose(nf, xf) + ln_beta(a + xf, b + nf - xf) - bab + ln_beta(g, d + nf) - bgd).exp();
        for i in x..n {
            let i = i as f64;
            p += (ln_choose(i, xf) + ln_beta(a + xf, b + i - xf) - bab + ln_beta(g + 1.0, d + i) - bgd).exp();
        }
        p
    }

    /// Expected transactions in the next `future` opportunities given (x, t_x, n).
    pub fn conditional_expected_purchases(&self, future: f64, x: f64, tx: f64, n: f64) -> f64 {
        let (a, b, g, d) = (self.alpha, self.beta, self.gamma, self.delta);
        let ln_head = ln_beta(a + x + 1.0, b + n - x) - ln_beta(a, b) - ll_row(&self.params(), x, tx, n);
        // δ / (γ - 1) and the bracket are both negative when γ < 1: keep signs outside logs.
        let c = d / (g - 1.0) * (ln_gamma(g + d) - ln_gamma(1.0 + d)).exp();
        let bracket = (ln_gamma(1.0 + d + n) - ln_gamma(g + d + n)).exp()
            - (ln_gamma(1.0 + d + n + future) - ln_gamma(g + d + n + future)).exp();
        ln_head.exp() * c * bracket
    }

    /// Expected transactions of a new customer in `n` opportunities.
    pub fn expected_purchases(&self, n: f64) -> f64 {
        let (a, b, g, d) = (self.alpha, self.beta, self.gamma, self.delta);
        a / (a + b) * d / (g - 1.0)
            * (1.0 - (ln_gamma(g + d) - ln_gamma(g + d + n) + ln_gamma(1.0 + d + n) - ln_gamma(1.0 + d)).exp())
    }
}
