//! Benchmark of the CLV models on generated data: summary (frequency, recency, T),
//! BG/NBD fit, Gamma-Gamma fit and a 12-month CLV for every customer (best of 10).
//!
//! ```sh
//! cargo run --release -p crm-core --example bench_models -- [customers]
//! ```

use crm_core::models::{BetaGeo, FitOptions, GammaGamma, TimeUnit, customer_lifetime_value, summary_from_transactions};
use crm_core::sample::{SampleConfig, generate};
use std::time::Instant;

fn main() -> Result<(), crm_core::Error> {
    let customers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let data = generate(&SampleConfig {
        customers,
        purchases_per_year: 14.0,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    let end = data.end;
    let n_tx = data.transactions.len();
    let base = crm_core::CustomerBase::from_transactions(data.transactions)?;
    println!("{customers} customers, {n_tx} transactions");

    let t = Instant::now();
    let summary = summary_from_transactions(&base, end, TimeUnit::Days);
    let t_summary = t.elapsed().as_secs_f64();
    let distinct = summary.data.collapse().len();

    let t = Instant::now();
    let (bg, fit) = BetaGeo::fit(&summary.data, &FitOptions::default())?;
    let t_bg = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let repeat: Vec<usize> = (0..summary.data.len())
        .filter(|&i| summary.data.frequency[i] > 0.0 && summary.monetary_value[i] > 0.0)
        .collect();
    let x: Vec<f64> = repeat.iter().map(|&i| summary.data.frequency[i]).collect();
    let m: Vec<f64> = repeat.iter().map(|&i| summary.monetary_value[i]).collect();
    let (gg, gg_fit) = GammaGamma::fit(&x, &m, None, &FitOptions::default())?;
    println!("Gamma-Gamma {:?} ({} iterations, {} repeat buyers)", gg.params(), gg_fit.iterations, x.len());
    let t_gg = t.elapsed().as_secs_f64();

    // Best of 10: at small sizes the CLV takes milliseconds.
    let mut t_clv = f64::INFINITY;
    let mut clv = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        clv = customer_lifetime_value(&bg, &gg, &summary.data, &summary.monetary_value, 12, 0.01, 30.0);
        t_clv = t_clv.min(t.elapsed().as_secs_f64());
    }

    let bg_params: Vec<String> = bg.params().iter().map(|v| format!("{v:.9e}")).collect();
    println!(
        "distinct (x, t_x, T) rows: {distinct}; BG/NBD [{}] ({} iterations)",
        bg_params.join(", "),
        fit.iterations
    );
    println!("| step | seconds |\n|---|---|");
    println!("| summary from transactions | {t_summary:.3} |");
    println!("| BG/NBD fit | {t_bg:.3} |");
    println!("| Gamma-Gamma fit | {t_gg:.3} |");
    println!("| 12-month CLV, every customer | {t_clv:.3} |");
    println!("| total | {:.3} |", t_summary + t_bg + t_gg + t_clv);
    println!("mean CLV {:.2}", clv.iter().sum::<f64>() / clv.len() as f64);
    Ok(())
}
