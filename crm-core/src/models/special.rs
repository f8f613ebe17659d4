//! Special functions in log space, for the likelihoods of the CLV models.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ln B(a, b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln(e^a + e^b) without overflow.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// ln(e^a - e^b) for a >= b.
pub fn log_sub_exp(a: f64, b: f64) -> f64 {
    if b == f64::NEG_INFINITY {
        return a;
    }
    a + (-(b - a).exp()).ln_1p()
}

/// ln 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1, by its power series summed in a
/// scaled form (the terms are positive, so there is no cancellation).
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if z == 0.0 {
        return 0.0;
    }
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    let mut scale = 0.0f64; // sum and term are kept divided by e^scale
    for n in 0..1_000_000u32 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if sum > 1e250 {
            sum /= 1e250;
            term /= 1e250;
            scale += 1e250f64.ln();
        }
        if term <= sum * 1e-17 && n > (a * b / c).abs().min(1e6) * z {
            break;
        }
    }
    sum.ln() + scale
}

/// The digamma function ψ(x) = d/dx ln Γ(x), for x > 0 (recurrence up to x >= 10, then the
/// asymptotic series; about 15 digits).
pub fn digamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    acc + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0)))))
}

/// The trigamma function ψ'(x) = d²/dx² ln Γ(x), for x > 0 (recurrence up to x >= 10,
/// then the asymptotic series; about 15 digits).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    // 1/x + 1/(2x²) + Σ B_2k / x^(2k+1)
    acc + 1.0 / x
        + 0.5 * f
        + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f * (1.0 / 30.0 - f * (5.0 / 66.0)))))
}

/// ln 2F1(a, b; c; z_k) for several z at once: the series coefficients are shared, so
/// evaluating twelve horizons costs little more than one. Every z in [0, 1).
pub fn ln_hyp2f1_many(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) {
    let k = zs.len();
    let mut sums = vec![1.0f64; k];
    let mut powers = vec![1.0f64; k];
    let zmax = zs.iter().fold(0.0f64, |m, z| m.max(*z));
    let (mut coef, mut scale) = (1.0f64, 0.0f64);
    // Horizons whose series has converged are skipped (they stay converged: the terms
    // shrink geometrically once n passes the peak).
    let mut done = vec![false; k];
    for n in 0..1_000_000u32 {
        let nf = n as f64;
        coef *= (a + nf) * (b + nf) / ((c + nf) * (nf + 1.0));
        let mut largest = 0.0f64;
        let past_peak = nf > (a * b / c).abs().min(1e6) * zmax;
        for j in 0..k {
            if done[j] {
                continue;
            }
            powers[j] *= zs[j];
            let term = coef * powers[j];
            sums[j] += term;
            let rel = term / sums[j];
            if past_peak && rel <= 1e-17 {
                done[j] = true;
            }
            largest = largest.max(rel);
        }
        if sums.iter().any(|s| *s > 1e250) {
            for s in &mut sums {
                *s /= 1e250;
            }
            coef /= 1e250;
            scale += 1e250f64.ln();
        }
        if largest <= 1e-17 && nf > (a * b / c).abs().min(1e6) * zmax {
            break;
        }
    }
    for j in 0..k {
        out[j] = if zs[j] == 0.0 { 0.0 } else { sums[j].ln() + scale };
    }
}

/// ln 2F1(a, b; c; z_k) for several z by Euler's transformation
/// 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z): when c - a and c - b
/// stay small while a, b and c grow (the BG/NBD series with many purchases), its series
/// converges in a few terms where the direct one needs hundreds. The transformed terms
/// may be negative; `false` (and `out` unspecified) when the sum is not reliably positive,
/// and the caller then uses [`ln_hyp2f1_many`].
pub fn ln_hyp2f1_many_euler(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) -> bool {
    let (alpha, beta) = (c - a, c - b);
    let k = zs.len();
    let mut sums = vec![1.0f64; k];
    let mut terms = vec![1.0f64; k];
    let mut largest = vec![1.0f64; k];
    let mut done = vec![false; k];
    let zmax = zs.iter().fold(0.0f64, |m, z| m.max(*z));
    let peak = (alpha * beta / c).abs().min(1e6) * zmax;
    let mut converged = false;
    for n in 0..100_000u32 {
        let nf = n as f64;
        let ratio = (alpha + nf) * (beta + nf) / ((c + nf) * (nf + 1.0));
        let mut open = false;
        for j in 0..k {
            if done[j] {
                continue;
            }
            terms[j] *= ratio * zs[j];
            sums[j] += terms[j];
            largest[j] = largest[j].max(terms[j].abs());
            // Past the peak, with the tail bounded by a geometric series of ratio q.
            let q = ratio.abs() * zs[j];
            if nf > peak && q < 1.0 && terms[j].abs() <= 1e-17 * (1.0 - q) * sums[j].abs() {
                done[j] = true;
            } else {
                open = true;
            }
        }
        if !open {
            converged = true;
            break;
        }
        if largest.iter().any(|v| *v > 1e250) {
            return false;
        }
    }
    if !converged {
        return false;
    }
    for j in 0..k {
        // Cancellation would cost more than six digits: not reliable.
        let reliable = sums[j].is_finite() && sums[j] > 1e-6 * largest[j];
        if !reliable {
            return false;
        }
        out[j] = if zs[j] == 0.0 { 0.0 } else { (c - a - b) * (-zs[j]).ln_1p() + sums[j].ln() };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-15);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        // ln(10!) = ln 3628800
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.1) - 2.252_712_651_734_206).abs() < 1e-13);
        // Reference: Python's math.lgamma(200.5).
        assert!((ln_gamma(200.5) - 860.582_203_509_782_5).abs() < 1e-10);
    }

    #[test]
    fn digamma_values() {
        // psi(1) = -Euler's gamma; psi(0.5) = -gamma - 2 ln 2; psi(x+1) = psi(x) + 1/x.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        assert!((digamma(7.3) - digamma(6.3) - 1.0 / 6.3).abs() < 1e-14);
        // Derivative of ln_gamma.
        let h = 1e-5;
        assert!((digamma(3.7) - (ln_gamma(3.7 + h) - ln_gamma(3.7 - h)) / (2.0 * h)).abs() < 1e-8);
    }

    #[test]
    fn trigamma_values() {
        // psi'(1) = pi^2 / 6; psi'(1/2) = pi^2 / 2; psi'(x+1) = psi'(x) - 1/x^2.
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-13);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-13);
        assert!((trigamma(7.3) - trigamma(6.3) + 1.0 / (6.3 * 6.3)).abs() < 1e-14);
        assert!((trigamma(25.0) - trigamma(26.0) - 1.0 / 625.0).abs() < 1e-15);
        let h = 1e-5;
        assert!((trigamma(3.7) - (digamma(3.7 + h) - digamma(3.7 - h)) / (2.0 * h)).abs() < 1e-8);
    }

    #[test]
    fn many_horizons_match_one_at_a_time() {
        let zs = [0.1, 0.47, 0.9, 0.0];
        let mut out = [0.0; 4];
        ln_hyp2f1_many(2.3, 3.1, 4.2, &zs, &mut out);
        for (z, v) in zs.iter().zip(out) {
            assert!((v - ln_hyp2f1(2.3, 3.1, 4.2, *z)).abs() < 1e-12, "{z}");
        }
    }

    #[test]
    fn euler_transformation_matches_the_direct_series() {
        let zs = [0.05, 0.47, 0.9, 0.97, 0.0];
        for (a, b, c) in [(2.3, 3.1, 4.2), (40.357, 90.36, 91.76), (0.357, 50.36, 50.76), (5.2, 2.0, 6.6)] {
            let (mut direct, mut euler) = ([0.0; 5], [0.0; 5]);
            ln_hyp2f1_many(a, b, c, &zs, &mut direct);
            assert!(ln_hyp2f1_many_euler(a, b, c, &zs, &mut euler), "{a} {b} {c}");
            for j in 0..5 {
                assert!((direct[j] - euler[j]).abs() < 1e-12 * direct[j].abs().max(1.0), "{a} {b} {c} {}", zs[j]);
            }
        }
    }

    #[test]
    fn hypergeometric_closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for z in [0.1, 0.5, 0.9, 0.99] {
            let exact: f64 = -(1.0f64 - z).ln() / z;
            assert!((ln_hyp2f1(1.0, 1.0, 2.0, z) - exact.ln()).abs() < 1e-13, "{z}");
        }
        // 2F1(a, b; b; z) = (1 - z)^-a
        assert!((ln_hyp2f1(2.5, 3.0, 3.0, 0.4) - (-2.5 * 0.6f64.ln())).abs() < 1e-13);
    }
}
