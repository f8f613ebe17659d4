//! The core's meanings that follow lifetimes 0.11.3 (its penalty, BG/BB's m, the tables and
//! probabilities its API returns, its simulators' stories), against numbers of the real
//! lifetimes on its pinned stack (numpy 1.26, pandas 1.5, scipy 1.11).
use crm_core::models::{
    BetaGeo, BetaGeoBetaBinom, FitOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, RfmData, customer_lifetime_value,
    customer_lifetime_value_with_spend,
};

fn data_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(name)
}

fn rows(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(data_path(name)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

/// The CDNOW summary (x, t_x, T in weeks).
fn cdnow() -> RfmData {
    let r = rows("cdnow_summary.csv");
    RfmData::new(r.iter().map(|v| v[1]).collect(), r.iter().map(|v| v[2]).collect(), r.iter().map(|v| v[3]).collect())
        .unwrap()
}

fn donations() -> (BetaGeoBetaBinom, f64) {
    let r = rows("donations.csv");
    let col = |k: usize| r.iter().map(|v| v[k]).collect::<Vec<f64>>();
    let (m, s) = BetaGeoBetaBinom::fit(&col(0), &col(1), &col(2), Some(&col(3)), &FitOptions::default()).unwrap();
    (m, s.customers)
}

fn assert_close(got: &[f64], want: &[f64], rel: f64) {
    for (g, w) in got.iter().zip(want) {
        assert!(((g - w) / w).abs() <= rel, "{got:?} against {want:?}");
    }
}

#[test]
fn the_penalty_is_lifetimes() {
    let d = cdnow();
    let o = FitOptions { penalizer: 0.1, ..FitOptions::default() };
    let (bg, _) = BetaGeo::fit(&d, &o).unwrap();
    assert_close(&bg.params(), &[0.230947, 4.219288, 0.128655, 0.267127], 1e-4);
    let (mbg, _) = ModifiedBetaGeo::fit(&d, &o).unwrap();
    assert_close(&mbg.params(), &[0.408220, 5.312090, 0.204822, 0.346788], 1e-4);
    // lifetimes' Nelder-Mead stops at its tol = 1e-4.
    let (p, _) = ParetoNbd::fit(&d, &o).unwrap();
    assert_close(&p.params(), &[0.553571, 10.578186, 0.600812, 11.495449], 2e-4);
    // Without a penalty the fit is the published one, its log-likelihood in weeks.
    let (bg0, s0) = BetaGeo::fit(&d, &FitOptions::default()).unwrap();
    assert_eq!(format!("{:.3} {:.2}", bg0.alpha, s0.log_likelihood), "4.414 -9582.43");
}

#[test]
fn the_tolerance_stops_the_fit() {
    let d = cdnow();
    let fit = |tolerance: f64| BetaGeo::fit(&d, &FitOptions { tolerance, ..FitOptions::default() });
    let (tight, ts) = fit(1e-12).unwrap();
    let (loose, ls) = fit(1e-3).unwrap();
    assert!(ls.iterations < ts.iterations, "{} {}", ls.iterations, ts.iterations);
    assert!((loose.r - tight.r).abs() < 0.01);
    let e = fit(0.0).unwrap_err().to_string();
    assert!(e.contains("tolerance"), "{e}");
}

#[test]
fn bgbb_alive_after_m_and_the_transactions_table() {
    let (m, customers) = donations();
    let alive = |k: f64, x: f64, tx: f64| m.probability_alive_after(k, x, tx, 6.0);
    assert_close(&[alive(0.0, 6.0, 6.0), alive(1.0, 6.0, 6.0), alive(5.0, 6.0, 6.0)], &[1.0, 0.930434, 0.740431], 1e-5);
    assert_close(
        &[alive(0.0, 2.0, 4.0), alive(2.0, 2.0, 4.0), alive(0.0, 0.0, 0.0)],
        &[0.633745, 0.552566, 0.116218],
        1e-5,
    );
    assert_eq!(m.probability_alive(2.0, 4.0, 6.0), alive(1.0, 2.0, 4.0));
    let table: Vec<f64> = (0..=6).map(|x| m.probability_of_transactions(6, x) * customers).collect();
    assert_close(&table, &[3454.882, 1888.654, 1348.882, 1113.379, 1017.922, 1027.166, 1253.114], 1e-6);
    assert!((table.iter().sum::<f64>() - customers).abs() < 1e-6);
    assert_eq!(m.probability_of_transactions(6, 7), 0.0);
}

#[test]
fn mbg_and_pareto_probabilities_are_lifetimes() {
    let mbg = ModifiedBetaGeo { r: 0.524838, alpha: 6.182988, a: 0.891356, b: 1.614000 };
    let pmf: Vec<f64> = (0..6).map(|n| mbg.probability_of_purchases(30.0, n)).collect();
    assert_close(&pmf, &[0.610653, 0.181711, 0.083018, 0.044703, 0.026414, 0.016579], 1e-5);
    let p = ParetoNbd { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
    let cond: Vec<f64> = (0..5).map(|n| p.conditional_probability_of_purchases(n, 10.0, 2.0, 30.43, 38.86)).collect();
    assert_close(&cond, &[0.689778, 0.223572, 0.065284, 0.016481, 0.003824], 1e-4);
    let total: f64 = (0..60).map(|n| p.conditional_probability_of_purchases(n, 10.0, 2.0, 30.43, 38.86)).sum();
    assert!((total - 1.0).abs() < 1e-6, "{total}");
    assert_eq!(p.conditional_probability_of_purchases(1, 0.0, 2.0, 30.43, 38.86), 0.0);
    // Where the terms cancel (9 purchases in one period after none), no rounding below 0.
    assert!(p.conditional_probability_of_purchases(9, 1.0, 0.0, 50.0, 100.0) >= 0.0);
    assert_close(&[p.log_a0(2.0, 30.43, 38.86), p.log_a0(26.0, 30.86, 31.0)], &[-12.57950688, -103.62568411], 1e-8);
    // The log-likelihood rows of BG/NBD and MBG/NBD add up to the data's.
    let d = cdnow();
    let bg = BetaGeo { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
    let by_row: f64 = (0..d.len()).map(|i| bg.log_likelihood_row(d.frequency[i], d.recency[i], d.t[i])).sum();
    assert!((by_row - bg.log_likelihood(&d)).abs() < 1e-6);
}

#[test]
fn clv_with_a_given_spend_is_the_gamma_gamma_clv() {
    let d = cdnow();
    let bg = BetaGeo { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
    let gg = GammaGamma { p: 6.25, q: 3.74, v: 15.44 };
    let m: Vec<f64> = (0..d.len()).map(|i| 10.0 + (i % 7) as f64).collect();
    let spend: Vec<f64> = (0..d.len()).map(|i| gg.conditional_expected_average_profit(d.frequency[i], m[i])).collect();
    let a = customer_lifetime_value(&bg, &gg, &d, &m, 12, 0.01, 4.345);
    let b = customer_lifetime_value_with_spend(&bg, &d, &spend, 12, 0.01, 4.345);
    assert_eq!(a, b);
    let p = ParetoNbd { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };
    assert_eq!(
        customer_lifetime_value(&p, &gg, &d, &m, 6, 0.02, 4.345),
        customer_lifetime_value_with_spend(&p, &d, &spend, 6, 0.02, 4.345)
    );
}

#[test]
fn simulated_customers_follow_the_stories() {
    let ages = vec![39.0; 20_000];
    let bg = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    let s = bg.simulate_customers(&ages, 3);
    assert_eq!(s, bg.simulate_customers(&ages, 3));
    assert_ne!(s.times, bg.simulate_customers(&ages, 4).times);
    assert_eq!(s.offsets.len(), ages.len() + 1);
    for i in 0..ages.len() {
        let t = &s.times[s.offsets[i]..s.offsets[i + 1]];
        assert!(t.windows(2).all(|w| w[0] < w[1]) && t.iter().all(|v| *v > 0.0 && *v < 39.0));
        // BG/NBD: nobody dies before the first repeat purchase.
        assert!(!t.is_empty() || s.alive[i]);
    }
    // The mean number of repeat purchases by 39 weeks is the model's E[X(39)] (1.1921
    // with lifetimes' CDNOW parameters), within four standard errors.
    let counts: Vec<f64> = (0..ages.len()).map(|i| (s.offsets[i + 1] - s.offsets[i]) as f64).collect();
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let sd = (counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!((mean - bg.expected_purchases(39.0)).abs() < 4.0 * sd / n.sqrt(), "{mean}");
    // MBG/NBD: some die at once; Pareto/NBD: alive means the lifetime outlasts T.
    let mbg = ModifiedBetaGeo { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
    let sm = mbg.simulate_customers(&ages, 5);
    assert!((0..ages.len()).any(|i| sm.offsets[i] == sm.offsets[i + 1] && !sm.alive[i]));
    let p = ParetoNbd { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
    let sp = p.simulate_customers(&ages, 6);
    let pc: f64 = (0..ages.len()).map(|i| (sp.offsets[i + 1] - sp.offsets[i]) as f64).sum::<f64>() / n;
    assert!((pc - p.expected_purchases(39.0)).abs() < 0.05, "{pc}");
    // BG/BB: transactions at whole opportunities below n; P(alive at the next | 6 of 6)
    // is the model's (0.930 with the donations' parameters), within four standard errors.
    let (bb, _) = donations();
    let sb = bb.simulate_customers(&vec![6.0; 100_000], 7);
    let six: Vec<bool> =
        (0..100_000).filter(|&i| sb.offsets[i + 1] - sb.offsets[i] == 6).map(|i| sb.alive[i]).collect();
    let share = six.iter().filter(|a| **a).count() as f64 / six.len() as f64;
    let want = bb.probability_alive(6.0, 6.0, 6.0);
    assert!((share - want).abs() < 4.0 * (want * (1.0 - want) / six.len() as f64).sqrt(), "{share} {want}");
    assert!(sb.times.iter().all(|t| t.fract() == 0.0 && *t < 6.0));
}
