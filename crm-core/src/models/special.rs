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

/// Horizons whose sums fit on the stack (twelve months, and a few more) need no allocation.
const ON_STACK: usize = 24;

/// Bound on the neglected tail relative to the sum (the first neglected term scaled by a
/// geometric tail bound): about an ulp, so further terms would not change the sum.
const SERIES_TOL: f64 = 1e-16;

/// The tails `Σ_{n≥1} t_n(z_j)` of the hypergeometric-type series with `t_0 = 1` and term
/// ratio `(p + n)(q + n) / ((c + n)(n + 1)) z_j`, for every `z_j` at once (the ratio is
/// shared, so each further z costs a multiply-add per term). With `largest`, also the
/// largest |term| of each (for a cancellation check when terms may be negative). `false`
/// when a sum overflows or does not converge.
///
/// Horizons are retired from the lowest index up as they converge: with the z in increasing
/// order (later horizons, larger z), each retires as soon as it is done. Any order is
/// correct, only slower.
fn series_tails(p: f64, q: f64, c: f64, zs: &[f64], tails: &mut [f64], largest: Option<&mut [f64]>) -> bool {
    let k = zs.len();
    if k == 0 {
        return true;
    }
    let mut stack = [0.0f64; ON_STACK];
    let mut heap = Vec::new();
    let terms: &mut [f64] = if k <= ON_STACK {
        &mut stack[..k]
    } else {
        heap.resize(k, 0.0);
        &mut heap
    };
    terms.fill(1.0);
    tails[..k].fill(0.0);
    let mut largest = largest;
    if let Some(l) = largest.as_deref_mut() {
        l[..k].fill(1.0);
    }
    let zmax = zs.iter().fold(0.0f64, |m, z| m.max(*z));
    let peak = (p * q / c).abs().min(1e6) * zmax;
    let mut lo = 0;
    for n in 0..1_000_000u32 {
        let nf = n as f64;
        let ratio = (p + nf) * (q + nf) / ((c + nf) * (nf + 1.0));
        // The hot loop: no branch, so it vectorises.
        for ((t, s), z) in terms[lo..].iter_mut().zip(&mut tails[lo..k]).zip(&zs[lo..]) {
            *t *= ratio * z;
            *s += *t;
        }
        if let Some(l) = largest.as_deref_mut() {
            for (m, t) in l[lo..k].iter_mut().zip(&terms[lo..]) {
                *m = m.max(t.abs());
            }
        }
        // Checks every fourth term (a check costs as much as a term's update of every z).
        if n % 4 != 3 {
            continue;
        }
        // Past the peak, with the tail bounded by a geometric series of ratio r.
        if nf > peak {
            while lo < k {
                let r = ratio.abs() * zs[lo];
                if r < 1.0 && terms[lo].abs() <= SERIES_TOL * (1.0 - r) * (1.0 + tails[lo]).abs() {
                    lo += 1;
                } else {
                    break;
                }
            }
            if lo == k {
                return true;
            }
        }
        if !(terms[k - 1].abs() < 1e250 && tails[k - 1].abs() < 1e250) {
            return false;
        }
    }
    false
}

/// ln 2F1(a, b; c; z_k) for several z at once: the series coefficients are shared, so
/// evaluating twelve horizons costs little more than one. Every z in [0, 1); fastest with
/// the z in increasing order.
pub fn ln_hyp2f1_many(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) {
    if series_tails(a, b, c, zs, out, None) {
        for (o, z) in out.iter_mut().zip(zs) {
            *o = if *z == 0.0 { 0.0 } else { o.ln_1p() };
        }
        return;
    }
    // Sums past 1e250 (huge a b / c and z near 1): one at a time, rescaled as they grow.
    for (o, z) in out.iter_mut().zip(zs) {
        *o = ln_hyp2f1(a, b, c, *z);
    }
}

/// ln 2F1(a, b; c; z_k) for several z by Euler's transformation
/// 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z): when c - a and c - b
/// stay small while a, b and c grow (the BG/NBD series with many purchases), its series
/// converges in a few terms where the direct one needs hundreds. The transformed terms
/// may be negative; `false` (and `out` unspecified) when the sum is not reliably positive,
/// and the caller then uses [`ln_hyp2f1_many`].
pub fn ln_hyp2f1_many_euler(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) -> bool {
    if !ln_euler_series(a, b, c, zs, out) {
        return false;
    }
    for (o, z) in out.iter_mut().zip(zs) {
        *o = if *z == 0.0 { 0.0 } else { *o + (c - a - b) * (-z).ln_1p() };
    }
    true
}

/// ln 2F1(c - a, c - b; c; z_k), the series of [`ln_hyp2f1_many_euler`] without its
/// factor (1 - z)^(c - a - b). `false` as [`euler_series_tails`].
fn ln_euler_series(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) -> bool {
    if !euler_series_tails(a, b, c, zs, out) {
        return false;
    }
    for o in out.iter_mut() {
        *o = o.ln_1p();
    }
    true
}

/// 2F1(c - a, c - b; c; z_k) - 1 for every z_k: the series of Euler's transformation
/// ([`ln_hyp2f1_many_euler`]) without its leading 1 (so that a caller that needs
/// `(1 - z)^e 2F1 - 1` keeps its digits when z is small) and without the factor
/// (1 - z)^(c - a - b). `false` (and `out` unspecified) when cancellation among negative
/// terms would cost more than six digits, or on overflow.
pub(crate) fn euler_series_tails(a: f64, b: f64, c: f64, zs: &[f64], out: &mut [f64]) -> bool {
    let (alpha, beta) = (c - a, c - b);
    let k = zs.len();
    // With both upper parameters >= 0 every term is positive: no cancellation to watch.
    let signed = alpha < 0.0 || beta < 0.0;
    let mut stack = [0.0f64; ON_STACK];
    let mut heap = Vec::new();
    let mut largest: Option<&mut [f64]> = match (signed, k <= ON_STACK) {
        (false, _) => None,
        (true, true) => Some(&mut stack[..k]),
        (true, false) => {
            heap.resize(k, 0.0);
            Some(&mut heap)
        }
    };
    if !series_tails(alpha, beta, c, zs, out, largest.as_deref_mut()) {
        return false;
    }
    (0..k).all(|j| {
        let sum = 1.0 + out[j];
        sum.is_finite() && largest.as_deref().is_none_or(|l| sum > 1e-6 * l[j])
    })
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
    fn euler_tails_keep_their_digits_for_small_z() {
        // 2F1 - 1 for z = 1e-9 by its first two terms (the third is ~1e-18 relative): the
        // tail itself, not 1 + tail, so all its digits remain.
        let (a, b, c) = (3.39, 43.4, 43.5);
        let (alpha, beta) = (c - a, c - b);
        let z = 1e-9;
        let mut out = [0.0];
        assert!(euler_series_tails(a, b, c, &[z], &mut out));
        let first = alpha * beta / c * z;
        let want = first * (1.0 + (alpha + 1.0) * (beta + 1.0) / (2.0 * (c + 1.0)) * z);
        assert!((out[0] - want).abs() < 1e-14 * want, "{} vs {want}", out[0]);
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
