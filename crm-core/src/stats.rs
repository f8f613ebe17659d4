//! Statistics for conversion rates and scores: Wilson intervals, the two-proportion test,
//! Newcombe's interval for a difference, sample sizes, and the normal distribution they
//! rest on. Written from the formulas (Wilson 1927; Newcombe 1998, method 10; Fleiss).

use serde::{Deserialize, Serialize};

/// The complementary error function, accurate to about 1e-14 (series below 2.5, Lentz's
/// continued fraction above).
pub fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.5 {
        // erf by its Taylor series.
        let (mut term, mut sum, x2) = (x, x, x * x);
        for n in 1..200 {
            term *= -x2 / n as f64;
            let add = term / (2 * n + 1) as f64;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        return 1.0 - sum * 2.0 / std::f64::consts::PI.sqrt();
    }
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
    let tiny = 1e-300;
    let mut f = x;
    let (mut c, mut d) = (x, 0.0);
    for k in 1..500 {
        let a = k as f64 / 2.0;
        d = x + a * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = x + a / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / std::f64::consts::PI.sqrt() / f
}

/// The standard normal distribution function.
///
/// ```
/// assert!((crm_core::stats::normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
/// ```
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile (Acklam's approximation refined by one Halley step).
///
/// ```
/// assert!((crm_core::stats::normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
/// ```
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The two-sided critical value for a confidence level (0.95 -> 1.96).
pub fn z_for(confidence: f64) -> f64 {
    normal_quantile(0.5 + confidence / 2.0)
}

/// A proportion with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Successes.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
    /// successes / trials (0 when there are no trials).
    pub rate: f64,
    /// Lower bound of the Wilson interval.
    pub low: f64,
    /// Upper bound of the Wilson interval.
    pub high: f64,
}

/// The Wilson score interval of `successes` in `trials` at the given confidence.
///
/// ```
/// // Newcombe (1998), example: 81 / 263 -> 0.2553 .. 0.3662.
/// let p = crm_core::stats::wilson(81, 263, 0.95);
/// assert_eq!((format!("{:.4}", p.low), format!("{:.4}", p.high)), ("0.2553".into(), "0.3662".into()));
/// ```
pub fn wilson(successes: u64, trials: u64, confidence: f64) -> Proportion {
    if trials == 0 {
        return Proportion { successes, trials, rate: 0.0, low: 0.0, high: 1.0 };
    }
    let (n, p, z) = (trials as f64, successes as f64 / trials as f64, z_for(confidence));
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Proportion { successes, trials, rate: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) }
}

/// Two proportions compared: difference `b - a`, its Newcombe interval, the pooled
/// two-proportion z test, and the relative lift.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The first (control) proportion.
    pub a: Proportion,
    /// The second (treatment) proportion.
    pub b: Proportion,
    /// b.rate - a.rate.
    pub difference: f64,
    /// Newcombe (method 10) interval of the difference.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// z statistic of the pooled two-proportion test.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// b.rate / a.rate - 1 (`None` when a.rate is 0).
    pub lift: Option<f64>,
}

/// Compares `b` (treatment) with `a` (control).
///
/// ```
/// // Newcombe (1998), example (a): 56/70 vs 48/80, difference 0.2, interval 0.0524 .. 0.3339.
/// let d = crm_core::stats::compare_proportions(48, 80, 56, 70, 0.95);
/// assert_eq!(format!("{:.4} {:.4}", d.low, d.high), "0.0524 0.3339");
/// ```
pub fn compare_proportions(
    a_successes: u64,
    a_trials: u64,
    b_successes: u64,
    b_trials: u64,
    confidence: f64,
) -> Difference {
    let (a, b) = (wilson(a_successes, a_trials, confidence), wilson(b_successes, b_trials, confidence));
    let d = b.rate - a.rate;
    let low = d - ((b.rate - b.low).powi(2) + (a.high - a.rate).powi(2)).sqrt();
    let high = d + ((b.high - b.rate).powi(2) + (a.rate - a.low).powi(2)).sqrt();
    let (n1, n2) = (a_trials as f64, b_trials as f64);
    let pooled = (a_successes + b_successes) as f64 / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = if se > 0.0 && se.is_finite() { d / se } else { 0.0 };
    Difference {
        a,
        b,
        difference: d,
        low,
        high,
        z,
        p_value: erfc(z.abs() / std::f64::consts::SQRT_2),
        lift: (a.rate > 0.0).then(|| b.rate / a.rate - 1.0),
    }
}

/// Customers needed per group to detect a change from rate `p1` to `p2` with a two-sided
/// test at significance `alpha` and the given power (normal approximation, no continuity
/// correction). `None` when the rates are equal (no change to detect).
///
/// ```
/// // 55 % -> 70 % at alpha 0.05 and power 0.8: 163 per group.
/// assert_eq!(crm_core::stats::sample_size(0.55, 0.70, 0.05, 0.8)?, Some(163));
/// assert_eq!(crm_core::stats::sample_size(0.5, 0.5, 0.05, 0.8)?, None);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`crate::Error::InvalidConfig`] naming the argument: a rate outside [0, 1], `alpha` or
/// `power` outside (0, 1), or rates so close that the size exceeds 2^53.
pub fn sample_size(p1: f64, p2: f64, alpha: f64, power: f64) -> crate::Result<Option<u64>> {
    for (field, v, open) in [("p1", p1, false), ("p2", p2, false), ("alpha", alpha, true), ("power", power, true)] {
        let inside = if open { v > 0.0 && v < 1.0 } else { (0.0..=1.0).contains(&v) };
        if !inside {
            let range = if open { "(0, 1)" } else { "[0, 1]" };
            return Err(crate::Error::config(field, format!("{v} is not in {range}")));
        }
    }
    if p1 == p2 {
        return Ok(None);
    }
    let (za, zb) = (normal_quantile(1.0 - alpha / 2.0), normal_quantile(power));
    let pm = (p1 + p2) / 2.0;
    let n = (za * (2.0 * pm * (1.0 - pm)).sqrt() + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt()).powi(2)
        / (p1 - p2).powi(2);
    if n.is_nan() || n.ceil() > (1u64 << 53) as f64 {
        return Err(crate::Error::config("p2", format!("{p2} is too close to p1 = {p1}: {n:e} customers")));
    }
    Ok(Some(n.ceil() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tails_match_tables() {
        // Abramowitz & Stegun table values.
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457).abs() < 1e-13);
        assert!((normal_cdf(-3.0) - 0.001_349_898_031_630_095).abs() < 1e-15);
        assert!((erfc(3.0) - 2.209_049_699_858_544e-5).abs() < 1e-17);
        for p in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-13 * p.max(1e-3), "{p}");
        }
    }

    #[test]
    fn two_proportion_test_by_hand() {
        // 550 / 1000 vs 700 / 1000: pooled 0.625, se = sqrt(0.625 x 0.375 x 0.002).
        let d = compare_proportions(550, 1000, 700, 1000, 0.95);
        let z = 0.15 / (0.625f64 * 0.375 * 0.002).sqrt();
        assert!((d.z - z).abs() < 1e-12);
        assert!(d.p_value < 1e-11);
        assert!((d.lift.unwrap() - 0.7 / 0.55 + 1.0).abs() < 1e-12);
    }
}
