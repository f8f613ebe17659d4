//! Benchmark of share of wallet and segment profiles on generated data: wallet estimates
//! (industry x employee band, then industry, then the base), shares and growth potential,
//! then the profiles of the three value segments over 6 attributes (industry, category,
//! acquisition channel; employees, acquisition cost, share of wallet), the segments
//! computed once and shared. Then, for comparison, `wallet()` alone with all its tables
//! (segments and lifecycle stages computed inside) and the profiles with purchases per
//! year and average purchase (the customer summary computed inside).
//!
//! Run 0 reads the customer attributes from the customer table into the base's columns
//! (once per base; later runs and analyses reuse them), so it is reported apart: the best
//! total is over the runs after it.
//!
//! ```sh
//! cargo run --profile bench -p crm-core --example bench_wallet -- [customers]
//! ```
//! Default 1,000,000 customers (with their customer table).

use crm_core::profiles::{ProfileConfig, ProfileGrouping};
use crm_core::sample::{SampleConfig, generate};
use crm_core::wallet::WalletConfig;
use std::time::Instant;

fn main() -> Result<(), crm_core::Error> {
    let customers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let t = Instant::now();
    let data = generate(&SampleConfig { customers, profiles: true, interactions: false, ..Default::default() });
    let as_of = data.end;
    let base = data.into_base()?;
    println!(
        "generated and built {customers} customers, {} transactions in {:.2} s ({} threads)",
        base.transactions().len(),
        t.elapsed().as_secs_f64(),
        crm_core::threads()
    );
    let wallet_config = WalletConfig {
        levels: vec![vec!["industry".into(), "employees".into()], vec!["industry".into()]],
        bands: [("employees".to_owned(), vec![10.0, 50.0, 250.0])].into(),
        ..WalletConfig::default()
    };
    let profile_config = ProfileConfig {
        by: ProfileGrouping::Segment,
        categorical: vec!["industry".into(), "category".into(), "acquisition_channel".into()],
        numeric: vec!["employees".into(), "acquisition_cost".into(), "share_of_wallet".into()],
        ..ProfileConfig::default()
    };
    let mut best = f64::INFINITY;
    let mut first = 0.0;
    for run in 0..6 {
        let t = Instant::now();
        let segments = base.segments(as_of, &wallet_config.segments)?;
        let t_segments = t.elapsed().as_secs_f64();
        let w = base.wallet_with(as_of, &wallet_config, Some(&segments.segment), None)?;
        let t_wallet = t.elapsed().as_secs_f64();
        let p = base.segment_profiles_with(as_of, &profile_config, Some(&segments), Some(&w))?;
        let total = t.elapsed().as_secs_f64();
        if run == 0 {
            first = total;
        } else {
            best = best.min(total);
        }
        println!(
            "run {run}: segments {:.3} s, wallet {:.3} s, profiles {:.3} s, total {:.3} s ({} peer groups, {} traits)",
            t_segments,
            t_wallet - t_segments,
            total - t_wallet,
            total,
            w.groups.len(),
            p.traits.len(),
        );
    }
    println!("first run (reads the attributes into the base's columns): {first:.3} s");
    println!("best total (segments + wallet + profiles of 3 segments x 6 attributes): {best:.3} s");
    let t = Instant::now();
    let _ = base.wallet(as_of, &wallet_config)?;
    println!("wallet() with the segment and stage tables: {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let regression = WalletConfig { regression: vec!["employees".into(), "acquisition_cost".into()], ..wallet_config };
    let w = base.wallet_with(as_of, &regression, None, None)?;
    println!(
        "wallet_with() by quantile regression on employees and acquisition cost: {:.3} s ({} peers fitted)",
        t.elapsed().as_secs_f64(),
        w.regression.as_ref().map_or(0, |r| r.peers)
    );
    let t = Instant::now();
    let c = ProfileConfig {
        numeric: vec!["employees".into(), "purchases_per_year".into(), "average_purchase".into()],
        ..profile_config
    };
    let _ = base.segment_profiles(as_of, &c)?;
    println!("segment_profiles() with summary measures: {:.3} s", t.elapsed().as_secs_f64());
    Ok(())
}
