//! Benchmark of prediction intervals (`models::uncertainty`) on generated data: BG/NBD and
//! Gamma-Gamma fitted on the summary of every customer, then the 5 % / 95 % quantiles of
//! expected purchases in the next 30 days, P(alive) and 12-month CLV for every customer
//! from normal draws of the parameters.
//!
//! ```sh
//! cargo run --release -p crm-core --example bench_intervals -- [customers] [draws]
//! ```

use crm_core::models::uncertainty::{Fitted, IntervalMethod, IntervalOptions, Prediction, SpendData, clv_intervals};
use crm_core::models::{BetaGeo, FitOptions, GammaGamma, TimeUnit, summary_from_transactions};
use crm_core::sample::{SampleConfig, generate};
use std::time::Instant;

fn main() -> Result<(), crm_core::Error> {
    let mut args = std::env::args().skip(1);
    let customers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let draws: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let data = generate(&SampleConfig {
        customers,
        purchases_per_year: 14.0,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    let end = data.end;
    let base = crm_core::CustomerBase::from_transactions(data.transactions)?;
    let summary = summary_from_transactions(&base, end, TimeUnit::Days);
    let rows = &summary.data;
    let distinct = rows.collapse().len();
    let (bg, _) = BetaGeo::fit(rows, &FitOptions::default())?;
    let repeat: Vec<usize> =
        (0..rows.len()).filter(|&i| rows.frequency[i] > 0.0 && summary.monetary_value[i] > 0.0).collect();
    let spend = SpendData {
        frequency: repeat.iter().map(|&i| rows.frequency[i]).collect(),
        monetary_value: repeat.iter().map(|&i| summary.monetary_value[i]).collect(),
        weights: vec![1.0; repeat.len()],
    };
    let (gg, _) = GammaGamma::fit(&spend.frequency, &spend.monetary_value, None, &FitOptions::default())?;
    println!("{} customers, {distinct} distinct (x, t_x, T)", rows.len());

    let fitted = Fitted::BetaGeo(bg, rows);
    let t = Instant::now();
    let u = fitted.parameter_uncertainty()?;
    println!("standard errors {:?}: {:.3} s", u.std_errors, t.elapsed().as_secs_f64());
    for method in [IntervalMethod::Delta, IntervalMethod::Normal] {
        let options = IntervalOptions { method, draws, ..IntervalOptions::default() };
        println!(
            "{method:?}{}:",
            if method == IntervalMethod::Normal { format!(" ({draws} draws)") } else { String::new() }
        );
        let mut total = 0.0;
        for (name, what) in [
            ("expected purchases (30 days)", Prediction::ExpectedPurchases { horizon: 30.0 }),
            ("P(alive)", Prediction::ProbabilityAlive),
        ] {
            let t = Instant::now();
            let out = fitted.intervals(what, rows, None, &options)?;
            let s = t.elapsed().as_secs_f64();
            total += s;
            let width =
                (0..out.point.len()).map(|i| out.bounds[1][i] - out.bounds[0][i]).sum::<f64>() / out.point.len() as f64;
            println!("{name}: {s:.3} s (mean 90 % width {width:.4})");
        }
        let t = Instant::now();
        let out = clv_intervals(
            &fitted,
            &Fitted::GammaGamma(gg, &spend),
            rows,
            &summary.monetary_value,
            12,
            0.01,
            30.0,
            &options,
        )?;
        let s = t.elapsed().as_secs_f64();
        total += s;
        let width =
            (0..out.point.len()).map(|i| out.bounds[1][i] - out.bounds[0][i]).sum::<f64>() / out.point.len() as f64;
        println!("CLV (12 months): {s:.3} s (mean 90 % width {width:.2})");
        println!("total {total:.3} s");
    }
    Ok(())
}
