use super::*;
use crate::models::uncertainty::Prediction;

/// CDNOW-like parameters (weeks), as lifetimes fits on the CDNOW sample.
const TRUTH: BetaGeo = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

fn ages(n: usize) -> Vec<f64> {
    (0..n).map(|i| 27.0 + (i % 13) as f64).collect()
}

fn profiles() -> RfmData {
    RfmData::new(vec![0.0, 2.0, 5.0, 1.0], vec![0.0, 20.0, 28.0, 3.0], vec![30.0, 30.0, 35.0, 38.0]).unwrap()
}

/// Fits BG/NBD to data simulated from known parameters, `reps` times, and counts how
/// often the nominal 90 % interval covers the true expected purchases and P(alive) of a
/// few fixed customers.
fn bg_coverage(reps: u64, customers: usize, method: IntervalMethod, draws: usize) -> (usize, usize) {
    let rows = profiles();
    let what = [Prediction::ExpectedPurchases { horizon: 10.0 }, Prediction::ProbabilityAlive];
    let truth: Vec<Vec<f64>> = what
        .iter()
        .map(|w| {
            (0..rows.len())
                .map(|i| {
                    let (x, tx, t) = (rows.frequency[i], rows.recency[i], rows.t[i]);
                    match w {
                        Prediction::ExpectedPurchases { horizon } => {
                            TRUTH.conditional_expected_purchases(*horizon, x, tx, t)
                        }
                        _ => TRUTH.probability_alive(x, tx, t),
                    }
                })
                .collect()
        })
        .collect();
    let (mut covered, mut total) = (0, 0);
    for rep in 0..reps {
        let data = TRUTH.simulate(&ages(customers), 1000 + rep);
        let (model, _) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
        let fitted = Fitted::BetaGeo(model, &data);
        let opts = IntervalOptions { method, draws, seed: rep, ..IntervalOptions::default() };
        for (w, truth) in what.iter().zip(&truth) {
            let out = fitted.intervals(*w, &rows, None, &opts).unwrap();
            for (i, v) in truth.iter().enumerate() {
                // x = 0 customers are certainly alive under BG/NBD: no interval to check.
                if matches!(w, Prediction::ProbabilityAlive) && rows.frequency[i] == 0.0 {
                    continue;
                }
                total += 1;
                covered += usize::from(out.bounds[0][i] <= *v && *v <= out.bounds[1][i]);
            }
        }
    }
    (covered, total)
}

#[test]
fn normal_intervals_cover_the_truth_about_90_percent_of_the_time() {
    let (covered, total) = bg_coverage(150, 1500, IntervalMethod::Normal, 200);
    let share = covered as f64 / total as f64;
    eprintln!("normal: {covered} of {total} covered ({share:.3})");
    assert!((0.85..=0.95).contains(&share), "coverage {share} ({covered} of {total})");
}

#[test]
fn delta_intervals_cover_the_truth_about_90_percent_of_the_time() {
    let (covered, total) = bg_coverage(150, 1500, IntervalMethod::Delta, 2);
    let share = covered as f64 / total as f64;
    eprintln!("delta: {covered} of {total} covered ({share:.3})");
    assert!((0.85..=0.95).contains(&share), "coverage {share} ({covered} of {total})");
}

#[test]
fn delta_and_normal_draws_agree() {
    let data = TRUTH.simulate(&ages(5000), 21);
    let (model, _) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
    let fitted = Fitted::BetaGeo(model, &data);
    let normal = IntervalOptions { draws: 4000, ..IntervalOptions::default() };
    let delta = IntervalOptions { method: IntervalMethod::Delta, ..IntervalOptions::default() };
    for what in [Prediction::ExpectedPurchases { horizon: 10.0 }, Prediction::ProbabilityAlive] {
        let (a, b) = (
            fitted.intervals(what, &profiles(), None, &normal).unwrap(),
            fitted.intervals(what, &profiles(), None, &delta).unwrap(),
        );
        assert_eq!(a.point, b.point);
        for i in 0..a.point.len() {
            let width = a.bounds[1][i] - a.bounds[0][i];
            for k in 0..2 {
                assert!(
                    (a.bounds[k][i] - b.bounds[k][i]).abs() <= 0.1 * width + 1e-12,
                    "{what:?} {i} {k}: {a:?} {b:?}"
                );
            }
        }
    }
}

#[test]
fn normal_quantiles() {
    // Φ⁻¹ at a few points (R's qnorm).
    for (p, z) in [(0.05, -1.6448536269514729), (0.5, 0.0), (0.975, 1.959963984540054), (0.001, -3.090232306167813)] {
        assert!((normal_quantile(p) - z).abs() < 1e-8, "{p}");
    }
}

#[test]
fn bg_nbd_standard_errors_match_the_fit_and_the_numerical_hessian() {
    let data = TRUTH.simulate(&ages(3000), 5);
    let (model, summary) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
    let fitted = Fitted::BetaGeo(model, &data);
    let u = fitted.parameter_uncertainty().unwrap();
    for k in 0..4 {
        let rel = (u.std_errors[k] - summary.std_errors[k]).abs() / summary.std_errors[k];
        assert!(rel < 1e-6, "{k}: {} vs {}", u.std_errors[k], summary.std_errors[k]);
    }
    // The analytic log-space Hessian against central differences of the likelihood.
    let analytic = fitted.log_hessian();
    let uu: Vec<f64> = model.params().iter().map(|v| v.ln()).collect();
    let numeric =
        central_hessian(&|u: &[f64]| -fitted.log_likelihood(&u.iter().map(|v| v.exp()).collect::<Vec<_>>()), &uu, 1e-4);
    for i in 0..4 {
        for j in 0..4 {
            let scale = analytic[i][i].abs().max(analytic[j][j].abs());
            assert!((analytic[i][j] - numeric[i][j]).abs() < 1e-4 * scale, "{i} {j}");
        }
    }
    // Covariance symmetric, log covariance its scaled version.
    for i in 0..4 {
        for j in 0..4 {
            assert!((u.covariance[i][j] - u.covariance[j][i]).abs() <= 1e-12 * u.covariance[i][i].abs().max(1.0));
            let p = model.params();
            assert!(
                (u.covariance[i][j] - p[i] * p[j] * u.log_covariance[i][j]).abs()
                    < 1e-15_f64.max(1e-12 * u.covariance[i][j].abs())
            );
        }
    }
}

#[test]
fn draws_are_deterministic_and_seeded() {
    let data = TRUTH.simulate(&ages(800), 3);
    let (model, _) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
    let fitted = Fitted::BetaGeo(model, &data);
    for method in [IntervalMethod::Normal, IntervalMethod::Bootstrap] {
        let opts = IntervalOptions { method, draws: 20, seed: 9, ..IntervalOptions::default() };
        let a = fitted.intervals(Prediction::ProbabilityAlive, &profiles(), None, &opts).unwrap();
        let b = fitted.intervals(Prediction::ProbabilityAlive, &profiles(), None, &opts).unwrap();
        assert_eq!(a, b);
        let other = IntervalOptions { seed: 10, ..opts };
        assert_ne!(a, fitted.intervals(Prediction::ProbabilityAlive, &profiles(), None, &other).unwrap());
    }
}

#[test]
fn bootstrap_spread_agrees_with_the_normal_approximation() {
    let data = TRUTH.simulate(&ages(2000), 11);
    let (model, _) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
    let fitted = Fitted::BetaGeo(model, &data);
    let se = fitted.parameter_uncertainty().unwrap().log_covariance;
    let opts = IntervalOptions { method: IntervalMethod::Bootstrap, draws: 60, seed: 1, ..IntervalOptions::default() };
    let draws = fitted.parameter_draws(&opts).unwrap();
    for k in 0..4 {
        let logs: Vec<f64> = draws.iter().map(|p| p[k].ln()).collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd = (logs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (logs.len() - 1) as f64).sqrt();
        let normal = se[k][k].sqrt();
        // 60 draws estimate a standard deviation to about 10 %.
        assert!((sd / normal - 1.0).abs() < 0.35, "{k}: bootstrap {sd} normal {normal}");
    }
}

#[test]
fn every_model_gives_ordered_intervals() {
    let opts = IntervalOptions { draws: 50, levels: vec![0.05, 0.5, 0.95], ..IntervalOptions::default() };
    let ordered = |out: &Interval| {
        assert!(!out.point.is_empty());
        for i in 0..out.point.len() {
            assert!(out.bounds[0][i] <= out.bounds[1][i] && out.bounds[1][i] <= out.bounds[2][i], "{out:?}");
            assert!(out.point[i].is_finite());
        }
    };
    let data = TRUTH.simulate(&ages(1500), 2);
    let rows = profiles();
    let (mbg, _) = ModifiedBetaGeo::fit(&data, &FitOptions::default()).unwrap();
    let (pareto, _) = ParetoNbd::fit(&data, &FitOptions::default()).unwrap();
    for fitted in [Fitted::ModifiedBetaGeo(mbg, &data), Fitted::ParetoNbd(pareto, &data)] {
        for what in [Prediction::ExpectedPurchases { horizon: 10.0 }, Prediction::ProbabilityAlive] {
            ordered(&fitted.intervals(what, &rows, None, &opts).unwrap());
        }
        assert!(fitted.intervals(Prediction::Survival, &rows, None, &opts).is_err());
    }
    // BG/BB on the donations-like table (x, t_x, n) with weights.
    let bb = RfmData::with_weights(
        vec![0.0, 1.0, 2.0, 3.0, 6.0, 4.0, 5.0],
        vec![0.0, 1.0, 4.0, 6.0, 6.0, 5.0, 6.0],
        vec![6.0; 7],
        vec![3464.0, 1091.0, 392.0, 299.0, 1203.0, 350.0, 500.0],
    )
    .unwrap();
    let (bgbb, _) =
        BetaGeoBetaBinom::fit(&bb.frequency, &bb.recency, &bb.t, Some(&bb.weights), &FitOptions::default()).unwrap();
    let fitted = Fitted::BetaGeoBetaBinom(bgbb, &bb);
    for what in [Prediction::ExpectedPurchases { horizon: 5.0 }, Prediction::ProbabilityAlive] {
        ordered(&fitted.intervals(what, &bb, None, &opts).unwrap());
    }
    // Gamma-Gamma on repeat buyers.
    let spend = SpendData {
        frequency: (0..400).map(|i| 1.0 + (i % 7) as f64).collect(),
        monetary_value: (0..400).map(|i| 10.0 + ((i * 37) % 50) as f64).collect(),
        weights: vec![1.0; 400],
    };
    let (gg, _) = GammaGamma::fit(&spend.frequency, &spend.monetary_value, None, &FitOptions::default()).unwrap();
    let fitted = Fitted::GammaGamma(gg, &spend);
    let rows = RfmData::new(vec![0.0, 3.0], vec![0.0, 0.0], vec![0.0, 0.0]).unwrap();
    ordered(&fitted.intervals(Prediction::AverageProfit, &rows, Some(&[0.0, 20.0]), &opts).unwrap());
    let clv = clv_intervals(
        &Fitted::BetaGeo(TRUTH, &data),
        &fitted,
        &RfmData::new(vec![0.0, 3.0], vec![0.0, 20.0], vec![30.0, 30.0]).unwrap(),
        &[0.0, 20.0],
        12,
        0.01,
        4.345,
        &IntervalOptions { draws: 50, ..IntervalOptions::default() },
    );
    // TRUTH is not the optimum of `data`, but its Hessian there is still positive definite.
    let clv = clv.unwrap();
    assert!(clv.bounds[0][1] < clv.point[1] && clv.point[1] < clv.bounds[1][1]);
    // sBG on a cohort (Fader & Hardie 2007's regular customers).
    let alive = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
    let (sbg, _) = ShiftedBetaGeo::fit(&alive, &FitOptions::default()).unwrap();
    let fitted = Fitted::ShiftedBetaGeo(sbg, &alive);
    let periods = RfmData { t: vec![1.0, 5.0, 12.0], ..RfmData::default() };
    ordered(&fitted.intervals(Prediction::Survival, &periods, None, &opts).unwrap());
    let boot = IntervalOptions { method: IntervalMethod::Bootstrap, ..opts.clone() };
    ordered(&fitted.intervals(Prediction::Survival, &periods, None, &boot).unwrap());
}

#[test]
fn options_out_of_range_are_rejected_by_name() {
    let data = TRUTH.simulate(&ages(300), 4);
    let fitted = Fitted::BetaGeo(TRUTH, &data);
    let bad = |o: IntervalOptions| match fitted.intervals(Prediction::ProbabilityAlive, &profiles(), None, &o) {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(bad(IntervalOptions { draws: 1, ..IntervalOptions::default() }), "draws");
    assert_eq!(bad(IntervalOptions { levels: vec![0.05, 1.0], ..IntervalOptions::default() }), "levels");
    assert_eq!(bad(IntervalOptions { levels: vec![], ..IntervalOptions::default() }), "levels");
    assert!(IntervalOptions::central(1.0).is_err());
    let c = IntervalOptions::central(0.9).unwrap();
    assert!((c[0] - 0.05).abs() < 1e-15 && (c[1] - 0.95).abs() < 1e-15);
    let rows = RfmData { frequency: vec![1.0], recency: vec![5.0], t: vec![3.0], weights: vec![1.0] };
    match fitted.intervals(Prediction::ProbabilityAlive, &rows, None, &IntervalOptions::default()) {
        Err(Error::InvalidValue { row: 0, column, .. }) => assert_eq!(column, "recency"),
        other => panic!("{other:?}"),
    }
}

/// The bootstrap's coverage (a benchmark: thousands of refits; run with
/// `cargo test --release -p crm-core --lib bootstrap_coverage -- --ignored --nocapture`).
#[test]
#[ignore]
fn bootstrap_coverage() {
    let (covered, total) = bg_coverage(100, 1500, IntervalMethod::Bootstrap, 100);
    let share = covered as f64 / total as f64;
    eprintln!("bootstrap: {covered} of {total} covered ({share:.3})");
    assert!((0.85..=0.95).contains(&share), "coverage {share} ({covered} of {total})");
}

/// A bootstrap draw of a penalised Pareto/NBD is the fit lifetimes would make of that
/// resample: one row per drawn customer, the same `penalizer_coef` (its objective divides
/// by the mean weight, so the penalty is per row given).
#[test]
fn pareto_nbd_bootstrap_refits_with_the_fits_penalty() {
    let truth = ParetoNbd { r: 0.55, alpha: 10.0, s: 0.6, beta: 12.0 };
    let data = truth.simulate(&ages(300), 5);
    let fit = FitOptions { penalizer: 0.1, ..FitOptions::default() };
    let (model, _) = ParetoNbd::fit(&data, &fit).unwrap();
    let options = IntervalOptions {
        method: IntervalMethod::Bootstrap,
        draws: 2,
        seed: 9,
        fit: fit.clone(),
        ..IntervalOptions::default()
    };
    let draws = Fitted::ParetoNbd(model, &data).parameter_draws(&options).unwrap();
    // The same resamples, each drawn customer a row of its own.
    let mut seeds = Rng::new(options.seed);
    for draw in &draws {
        let r = resample_rfm(&data, &mut Rng::new(seeds.next_u64()));
        let mut one_each = RfmData::default();
        for i in 0..r.len() {
            for _ in 0..r.weights[i] as usize {
                one_each.frequency.push(r.frequency[i]);
                one_each.recency.push(r.recency[i]);
                one_each.t.push(r.t[i]);
                one_each.weights.push(1.0);
            }
        }
        assert_eq!(one_each.len(), data.len());
        assert!(r.len() < data.len(), "a resample repeats customers");
        let start = FitOptions { initial: Some(model.params().to_vec()), ..fit.clone() };
        let (want, _) = ParetoNbd::fit(&one_each, &start).unwrap();
        for (g, w) in draw.iter().zip(want.params()) {
            assert!(((g - w) / w).abs() < 1e-9, "{draw:?} vs {want:?}");
        }
    }
}

/// With a penalty, the normal approximation is of the objective the fit minimised:
/// lifetimes' `-ℓ / n + λ Σ θ²` with α (and Pareto/NBD's β) in units of the largest T and
/// Pareto/NBD's λ over the rows given. Its log-space Hessian by central differences,
/// written out here, is the inverse of the penalised log covariance, and the normal
/// draws of intervals with that penalizer spread as it says.
#[test]
fn penalized_normal_approximation_is_the_fits_objective() {
    let data = TRUTH.simulate(&ages(2000), 3);
    let (n, lambda) = (data.len() as f64, 0.05);
    let scale = 1.0 / data.t.iter().fold(0.0f64, |m, v| m.max(*v));
    let fit = FitOptions { penalizer: lambda, ..FitOptions::default() };
    let (bg, _) = BetaGeo::fit(&data, &fit).unwrap();
    let pnbd = ParetoNbd::fit(&data, &fit).unwrap().0;
    type Objective<'a> = Box<dyn Fn(&[f64]) -> f64 + 'a>;
    let objectives: [(Fitted<'_>, Objective<'_>); 2] = [
        (
            Fitted::BetaGeo(bg, &data),
            Box::new(|p: &[f64]| {
                -BetaGeo::from_params(p).log_likelihood(&data)
                    + n * lambda * (p[0] * p[0] + (p[1] * scale).powi(2) + p[2] * p[2] + p[3] * p[3])
            }),
        ),
        (
            Fitted::ParetoNbd(pnbd, &data),
            Box::new(|p: &[f64]| {
                -ParetoNbd::from_params(p).log_likelihood(&data)
                    + lambda * (p[0] * p[0] + (p[1] * scale).powi(2) + p[2] * p[2] + (p[3] * scale).powi(2))
            }),
        ),
    ];
    for (fitted, objective) in &objectives {
        let u0: Vec<f64> = fitted.params().iter().map(|v| v.ln()).collect();
        let want = central_hessian(&|u: &[f64]| objective(&u.iter().map(|v| v.exp()).collect::<Vec<_>>()), &u0, 1e-4);
        let penalized = fitted.parameter_uncertainty_penalized(lambda).unwrap();
        let got = invert(&penalized.log_covariance).unwrap();
        let size = (0..4).map(|i| want[i][i].abs()).fold(0.0, f64::max);
        for i in 0..4 {
            for j in 0..4 {
                assert!(
                    (got[i][j] - want[i][j]).abs() < 1e-4 * size,
                    "{} {i} {j}: {} vs {}",
                    fitted.name(),
                    got[i][j],
                    want[i][j]
                );
            }
        }
        // The normal draws of an interval with that penalizer follow it.
        let options = IntervalOptions { draws: 4000, seed: 4, fit: fit.clone(), ..IntervalOptions::default() };
        let draws = fitted.parameter_draws(&options).unwrap();
        for i in 0..4 {
            let logs: Vec<f64> = draws.iter().map(|d| d[i].ln()).collect();
            let mean = logs.iter().sum::<f64>() / logs.len() as f64;
            let var = logs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (logs.len() - 1) as f64;
            let expected = penalized.log_covariance[i][i];
            assert!((var / expected - 1.0).abs() < 0.1, "{} {i}: {var} vs {expected}", fitted.name());
        }
    }
    // The BG/NBD penalty is strong here: without it, the variance of ln b is several times larger.
    let plain = Fitted::BetaGeo(bg, &data).parameter_uncertainty().unwrap().log_covariance[3][3];
    let penalized = Fitted::BetaGeo(bg, &data).parameter_uncertainty_penalized(lambda).unwrap().log_covariance[3][3];
    assert!(plain > 2.0 * penalized, "{plain} vs {penalized}");
    assert!(Fitted::BetaGeo(bg, &data).parameter_uncertainty_penalized(-1.0).is_err());
}
