//! Parameter uncertainty against lifetimes 0.11.3 (its `standard_errors_`, from the exact
//! autograd Hessian of its log-parameter likelihood) on the CDNOW summary and the
//! donations, and the three faces' shared entry points (see also tests/c/test_intervals.c
//! and tests/python/test_intervals.py).
use crm_core::models::uncertainty::{Fitted, IntervalMethod, IntervalOptions, Prediction, SpendData};
use crm_core::models::{BetaGeo, BetaGeoBetaBinom, FitOptions, GammaGamma, ModifiedBetaGeo, RfmData};

fn data_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(name)
}

fn csv(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(data_path(name)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect()
}

fn col(rows: &[Vec<f64>], k: usize) -> Vec<f64> {
    rows.iter().map(|r| r[k]).collect()
}

fn assert_close(got: &[f64], expected: &[f64], rel: f64) {
    for (g, e) in got.iter().zip(expected) {
        assert!(((g - e) / e).abs() < rel, "{got:?} vs {expected:?}");
    }
}

#[test]
fn standard_errors_match_lifetimes() {
    let c = csv("cdnow_summary.csv");
    let d = RfmData::new(col(&c, 1), col(&c, 2), col(&c, 3)).unwrap();
    // lifetimes 0.11.3: BetaGeoFitter().fit(x, t_x, T).standard_errors_ (and likewise).
    let (bg, _) = BetaGeo::fit(&d, &FitOptions::default()).unwrap();
    let se = Fitted::BetaGeo(bg, &d).parameter_uncertainty().unwrap().std_errors;
    assert_close(&se, &[0.012557320698, 0.378221457044, 0.185719071912, 0.705345343533], 1e-3);
    let (mbg, _) = ModifiedBetaGeo::fit(&d, &FitOptions::default()).unwrap();
    let se = Fitted::ModifiedBetaGeo(mbg, &d).parameter_uncertainty().unwrap().std_errors;
    assert_close(&se, &[0.083263945298, 0.695597191603, 0.154785320699, 0.537472350789], 1e-3);
    let repeat: Vec<&Vec<f64>> = c.iter().filter(|r| r[1] > 0.0).collect();
    let spend = SpendData {
        frequency: repeat.iter().map(|r| r[1]).collect(),
        monetary_value: repeat.iter().map(|r| r[4]).collect(),
        weights: vec![1.0; repeat.len()],
    };
    let (gg, _) = GammaGamma::fit(&spend.frequency, &spend.monetary_value, None, &FitOptions::default()).unwrap();
    let se = Fitted::GammaGamma(gg, &spend).parameter_uncertainty().unwrap().std_errors;
    assert_close(&se, &[1.189687048083, 0.290165617449, 4.159993928425], 1e-3);
    // BG/BB: central differences of the likelihood (no analytic Hessian).
    let b = csv("donations.csv");
    let bb = RfmData::with_weights(col(&b, 0), col(&b, 1), col(&b, 2), col(&b, 3)).unwrap();
    let (m, _) =
        BetaGeoBetaBinom::fit(&bb.frequency, &bb.recency, &bb.t, Some(&bb.weights), &FitOptions::default()).unwrap();
    let se = Fitted::BetaGeoBetaBinom(m, &bb).parameter_uncertainty().unwrap().std_errors;
    assert_close(&se, &[0.069391362187, 0.029447716221, 0.051009850333, 0.320818939435], 1e-3);
}

/// The numbers tests/c/test_intervals.c and tests/python/test_intervals.py check too.
#[test]
fn cdnow_intervals_shared_with_the_other_faces() {
    let c = csv("cdnow_summary.csv");
    let d = RfmData::new(col(&c, 1), col(&c, 2), col(&c, 3)).unwrap();
    let (bg, _) = BetaGeo::fit(&d, &FitOptions::default()).unwrap();
    let rows = RfmData::new(vec![0.0, 2.0, 7.0], vec![0.0, 30.43, 35.0], vec![38.86, 38.86, 38.86]).unwrap();
    let f = Fitted::BetaGeo(bg, &d);
    let opts = IntervalOptions { draws: 1000, seed: 42, ..IntervalOptions::default() };
    let out = f.intervals(Prediction::ExpectedPurchases { horizon: 52.0 }, &rows, None, &opts).unwrap();
    for i in 0..3 {
        assert!(out.bounds[0][i] < out.point[i] && out.point[i] < out.bounds[1][i]);
    }
    let delta = IntervalOptions { method: IntervalMethod::Delta, ..IntervalOptions::default() };
    let lin = f.intervals(Prediction::ExpectedPurchases { horizon: 52.0 }, &rows, None, &delta).unwrap();
    for i in 0..3 {
        let w = out.bounds[1][i] - out.bounds[0][i];
        assert!(
            (lin.bounds[0][i] - out.bounds[0][i]).abs() < 0.1 * w
                && (lin.bounds[1][i] - out.bounds[1][i]).abs() < 0.1 * w
        );
    }
    // The numbers the C and Python tests check (one implementation, three faces).
    let close = |got: &[f64], expected: &[f64]| {
        for (g, e) in got.iter().zip(expected) {
            assert!(((g - e) / e).abs() < 1e-9, "{got:?} vs {expected:?}");
        }
    };
    close(&out.point, &[0.2516657120287551, 1.5585837938063118, 5.520662943752939]);
    close(&out.bounds[0], &[0.23292767922078603, 1.461667987769271, 4.895578174269583]);
    close(&out.bounds[1], &[0.2714077809257806, 1.6684961577002535, 6.168407787999107]);
    close(&lin.bounds[0], &[0.23310189788924784, 1.4559262506466237, 4.921027971355241]);
    close(&lin.bounds[1], &[0.2717079147979849, 1.668479733253521, 6.193364377511026]);
}

/// Penalised fits: the normal approximation of each model is its own fit's objective
/// (BG/NBD with penalizer 0.1, Gamma-Gamma with 0.01). The numbers tests/c/test_intervals.c
/// checks, and tests/python/test_intervals.py against lifetimes 0.11.3's penalised Hessians.
#[test]
fn penalized_intervals_shared_with_the_other_faces() {
    use crm_core::models::uncertainty::clv_intervals;
    let c = csv("cdnow_summary.csv");
    let d = RfmData::new(col(&c, 1), col(&c, 2), col(&c, 3)).unwrap();
    let (bg_fit, gg_fit) = (
        FitOptions { penalizer: 0.1, ..FitOptions::default() },
        FitOptions { penalizer: 0.01, ..FitOptions::default() },
    );
    let (bg, _) = BetaGeo::fit(&d, &bg_fit).unwrap();
    let repeat: Vec<&Vec<f64>> = c.iter().filter(|r| r[1] > 0.0).collect();
    let spend = SpendData {
        frequency: repeat.iter().map(|r| r[1]).collect(),
        monetary_value: repeat.iter().map(|r| r[4]).collect(),
        weights: vec![1.0; repeat.len()],
    };
    let (gg, _) = GammaGamma::fit(&spend.frequency, &spend.monetary_value, None, &gg_fit).unwrap();
    let delta = IntervalOptions { method: IntervalMethod::Delta, fit: bg_fit.clone(), ..IntervalOptions::default() };
    let rows = RfmData::new(vec![0.0, 2.0, 7.0], vec![0.0, 30.43, 35.0], vec![38.86; 3]).unwrap();
    let f = Fitted::BetaGeo(bg, &d);
    let lin = f.intervals(Prediction::ExpectedPurchases { horizon: 52.0 }, &rows, None, &delta).unwrap();
    assert_close(&lin.bounds[0], &[0.1707116705644178, 2.069210009687136, 7.72409858132084], 1e-9);
    assert_close(&lin.bounds[1], &[0.19590868403772405, 2.2326092727044298, 8.046145790892204], 1e-9);
    let buyers = RfmData::new(vec![1.0, 2.0, 7.0], vec![10.0, 30.43, 35.0], vec![38.86; 3]).unwrap();
    let both = IntervalOptions { spend_fit: Some(gg_fit), ..delta };
    let g = Fitted::GammaGamma(gg, &spend);
    let clv = clv_intervals(&f, &g, &buyers, &[15.0, 22.35, 40.0], 12, 0.01, 4.345, &both).unwrap();
    assert_close(&clv.bounds[0], &[7.574324785320463, 47.38447809436178, 295.1081337104457], 1e-9);
    assert_close(&clv.bounds[1], &[9.400829345201192, 51.170782694484316, 307.37367465224276], 1e-9);
}
